import os
import shutil
import socket
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Background:
    """Real background processes for a test: a private Redis, Celery workers and beat.

    They run on the test database, so what they do is visible to the test, and they
    are stopped (or killed) when the test ends.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_port: int | None = None

    def _spawn(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"== {name}\n{self.log(name)[-3000:]}" for name in self.processes)

    @property
    def private_redis_available(self) -> bool:
        return shutil.which("redis-server") is not None

    def start_redis(self) -> str:
        """Start (or restart, on the same port) a private Redis; return its URL."""
        if self.redis_port is None:
            self.redis_port = free_port()
        self._spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            dict(os.environ),
        )
        url = f"redis://127.0.0.1:{self.redis_port}/0"
        assert wait_until(lambda: redis_answers(self.redis_port), timeout=10), self.logs()
        return url

    def stop(self, name: str, *, kill: bool = False) -> None:
        process = self.processes[name]
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def env(self, broker_url: str | None, **extra: str) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_test_database(),
            "VAR_DIR": str(self.folder / "var"),
            **extra,
        }
        if broker_url:
            env["REDIS_URL"] = broker_url
        else:
            env.pop("REDIS_URL", None)
        return env

    def start_worker(
        self, name: str, *, broker_url: str | None, queues: str | None = None, **extra: str
    ) -> subprocess.Popen:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "brokerage",
            "worker",
            "--pool=solo",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ]
        if queues:
            command += ["--queues", queues]
        return self._spawn(name, command, self.env(broker_url, **extra))

    def start_beat(self, *, broker_url: str | None, **extra: str) -> subprocess.Popen:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "brokerage",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(self.folder / "beat-schedule"),
        ]
        return self._spawn("beat", command, self.env(broker_url, **extra))

    def stop_all(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                self.stop(name)


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


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
