"""Real processes for tests and benchmarks: a private Redis, Celery workers and beat.

They run against the database the current process is connected to, so what they do is
visible to the caller, and they are stopped (or killed) on request.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url_of_test_database() -> str:
    """Return a DATABASE_URL for the database this process is using right now."""
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
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
        self,
        name: str,
        *,
        broker_url: str | None,
        queues: str | None = None,
        pool: str = "solo",
        **extra: str,
    ) -> subprocess.Popen:
        """Start a worker; `pool="prefork"` runs tasks in two child processes, as `make run`
        does, so the worker keeps waiting on its broker for more while a task runs."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "brokerage",
            "worker",
            f"--pool={pool}",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ]
        if pool == "prefork":
            command.append("--concurrency=2")
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


def start_web(background: Background, broker: str | None, **extra: str) -> str:
    """Start the web app (runserver, no reloader) on a free port; return its base URL.

    It runs on the test database with `broker` (None: the file-system broker in the
    background's folder), DEBUG off, and any `extra` environment variables.
    """
    port = free_port()
    background._spawn(
        "web",
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        background.env(broker, DEBUG="false", ALLOWED_HOSTS="127.0.0.1", **extra),
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
        except urllib.error.HTTPError:
            return True  # it answers, even if the broker is down
        except OSError:
            return False
        return True

    assert wait_until(healthy, timeout=30), background.logs()
    return url


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
