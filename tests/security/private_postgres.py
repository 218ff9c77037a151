"""A private PostgreSQL cluster for fault tests: started, stopped and restarted at will.

The shared server must never be restarted under other people's tests, so a test that
needs PostgreSQL to go away gets its own cluster (initdb in a temporary folder, a free
port, trust authentication on loopback only), loaded with a copy of the test database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from pathlib import Path

from django.db import connection

from core.processes import free_port, wait_until


def server_binaries() -> Path | None:
    """Return the folder of initdb and pg_ctl for the newest installed PostgreSQL, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """One throw-away cluster; runs as the postgres system user when we are root."""

    def __init__(self, folder: Path):
        self.bin = server_binaries()
        assert self.bin is not None, "PostgreSQL's server binaries are not installed"
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "server.log"

    def run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=True, capture_output=True, timeout=120, **kwargs)

    def init(self) -> None:
        # The folder must be the server's own, in a place its user can reach (e.g. /tmp).
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log),
            "-w", "start",
        )  # fmt: skip

    def stop(self, *, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def answers(self) -> bool:
        probe = subprocess.run(
            [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return probe.returncode == 0

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def copy_of_the_test_database(self, name: str) -> str:
        """Create `name` here as a copy (schema and rows) of the database in use; return URL."""
        source = connection.settings_dict
        self.run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name)
        dump = subprocess.run(
            [
                str(self.bin / "pg_dump"),
                "--no-owner",
                "-h",
                source["HOST"] or "127.0.0.1",
                "-p",
                str(source["PORT"] or 5432),
                "-U",
                source["USER"] or "postgres",
                source["NAME"],
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
        ).stdout
        self.run(
            str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
            "-p", str(self.port), "-U", "postgres", "-d", name, input=dump,
        )  # fmt: skip
        return self.url(name)

    def query(self, name: str, sql: str) -> list[tuple[str, ...]]:
        result = self.run(
            str(self.bin / "psql"), "-At", "-F", "\t", "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "-d", name, "-c", sql,
        )  # fmt: skip
        return [tuple(line.split("\t")) for line in result.stdout.decode().splitlines() if line]

    def restart(self, *, down_seconds: float) -> None:
        """Stop the server (ending every connection), stay down a while, start again."""
        import time

        self.stop()
        time.sleep(down_seconds)
        self.start()
        assert wait_until(self.answers, timeout=30), self.log.read_text()[-2000:]

    def destroy(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # it was not running
                self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
