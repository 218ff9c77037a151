import os
import uuid

import pytest

from core.processes import ROOT, Background

# The fixtures every test may take from the kit: `clock` (tests/kit/clock.py).
pytest_plugins = ["tests.kit.clock"]


def pytest_report_header(config):
    lines = []
    if not os.environ.get("DATABASE_URL"):
        lines.append(
            "WARNING: DATABASE_URL is not set: the tests run on SQLite, not PostgreSQL. "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/brokerage as CI does."
        )
    if not os.environ.get("REDIS_URL"):
        lines.append(
            "WARNING: REDIS_URL is not set: Celery tests use the file-system broker, not Redis."
        )
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in pytest_report_header(config):
        terminalreporter.write_line(line, red=True, bold=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    # In CI a skipped test is a test that did not run: fail the build instead of hiding it.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"{len(skipped)} test(s) skipped: skipping is not allowed in CI", red=True
        )
        session.exitstatus = 1


@pytest.fixture
def background(transactional_db, tmp_path):
    """Start real Redis, Celery worker and beat processes on the test database."""
    cluster = Background(tmp_path)
    yield cluster
    cluster.stop_all()


class CeleryWorker:
    """A real `celery worker` consuming its own queue on the configured broker."""

    def __init__(self, queue: str, background: Background):
        self.queue = queue
        self.background = background

    def output(self) -> str:
        return self.background.log("worker")


@pytest.fixture
def celery_worker(background):
    """Start a real Celery worker on the configured broker and the test database."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    # The worker shares the suite's broker (Redis in CI) and its file-system folder.
    background.start_worker(
        "worker",
        broker_url=os.environ.get("REDIS_URL"),
        queues=queue,
        VAR_DIR=os.environ.get("VAR_DIR", str(ROOT / "var")),
    )
    return CeleryWorker(queue, background)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # Hashed static names need the manifest that collectstatic writes when the platform
    # is set up (`make run` runs it); the pages under test do not.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def private_cache(settings):
    # Rate-limit counters live in the cache: each test starts with none, whatever ran
    # before it (in this run, or in another run sharing the same Redis).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real accounts; in tests it only costs time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_unless_a_test_chooses(settings):
    # The site's default language is Japanese; the tests read and assert the English source
    # strings, so a request without a language preference (and code run outside any
    # request) gets English here. Tests of the default and of Japanese choose their
    # language explicitly (tests/brokerage/test_i18n_*.py, tests/e2e/).
    settings.LANGUAGE_CODE = "en"
