import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


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


def database_url_of_test_database() -> str:
    """Return a DATABASE_URL for the database the tests are using right now."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = settings["USER"] or ""
    if settings.get("PASSWORD"):
        credentials += f":{settings['PASSWORD']}"
    return (
        f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class CeleryWorker:
    """A real `celery worker` process consuming its own queue, on the test database."""

    def __init__(self, queue: str, process: subprocess.Popen, log: Path):
        self.queue = queue
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start a real Celery worker on the configured broker and the test database."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "brokerage",
                "worker",
                "--pool=solo",
                "--queues",
                queue,
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(queue, process, log)
    yield worker
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real accounts; in tests it only costs time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
