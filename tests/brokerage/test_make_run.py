"""`make run` serves on the address the README promises, http://127.0.0.1:8000.

The processes are started as the Makefile's `run` recipe starts them (its very command line,
read with `make -n run`), in an environment that sets nothing about ports or brokers, as on a
fresh clone: honcho gives every process of the Procfile a PORT of its own (5000 for the
first), so only a Procfile that does not read it serves where the README says.
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

from django.urls import reverse

from core.processes import ROOT, database_url_of_test_database, wait_until
from demo.loader import DEMO_PASSWORD

ADDRESS = ("127.0.0.1", 8000)
URL = "http://127.0.0.1:8000"
# A demo login of the README's journeys (a customer: logging in leads to their requests).
DEMO_USER, DEMO_HOME = "customer-1", "pages:request-list"
# The steps of the recipe the pages below need, run before the processes start. Preflight
# and migrate have nothing to do on the migrated test database, and no page here shows the
# replayed year, so they are left out to keep the test short.
SETUP_STEPS = ("manage.py load_demo", "manage.py collectstatic")
# What an outer make (`make test`) hands down, and would change how the inner one reads.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def run_recipe() -> list[str]:
    """Return the command lines of the Makefile's `run` target, as make would run them."""
    make = shutil.which("make")
    assert make, "make is not installed: the quick start's `make run` needs it"
    environment = {key: value for key, value in os.environ.items() if key not in MAKE_VARIABLES}
    result = subprocess.run(
        [make, "--dry-run", "--no-print-directory", "run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.splitlines()


def recipe_line(recipe: list[str], marker: str) -> str:
    lines = [line for line in recipe if marker in line]
    assert len(lines) == 1, f"`make run` should run {marker!r} once:\n" + "\n".join(recipe)
    return lines[0]


def fresh_clone_environment(var_dir: Path) -> dict[str, str]:
    """Return an environment with nothing set but the basics of a shell and the database.

    No PORT, WEB_PORT, REDIS_URL or settings module: what a fresh clone has. The database is
    the test database (migrated already), the run-time folder a temporary one.
    """
    kept = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    return {
        **kept,
        "DATABASE_URL": database_url_of_test_database(),
        "VAR_DIR": str(var_dir),
        # So that each process's output reaches honcho's as it is written.
        "PYTHONUNBUFFERED": "1",
    }


def address_in_use() -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(ADDRESS)
        except OSError:
            return True
    return False


def answers() -> bool:
    try:
        with socket.create_connection(ADDRESS, timeout=1):
            return True
    except OSError:
        return False


class ProcessGroup:
    """A command run in a session of its own, and the process groups honcho starts from it.

    honcho starts each process of the Procfile in a session of its own too; it reports their
    process ids in its output, so that each group can be stopped even if honcho is not.
    """

    def __init__(self, command: str, *, environment: dict[str, str], log: Path):
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", command],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def served_elsewhere(self) -> str | None:
        """Return what the web server said if it started on another address than URL."""
        started = re.search(r"Starting development server at (\S+)", self.output())
        if started and started[1].rstrip("/") != URL:
            return started[0]
        return None

    def stop(self) -> None:
        """Stop honcho as Ctrl-C does (it stops its processes), then kill what is left."""
        groups = [self.process.pid] + [
            int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", self.output())
        ]
        signal_group(self.process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        for group in groups:
            signal_group(group, signal.SIGKILL)
        self.process.wait()


def signal_group(group: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, number)


def run_steps(lines: list[str], environment: dict[str, str]) -> None:
    """Run the recipe's set-up lines side by side (they write different things)."""
    steps = [
        subprocess.Popen(
            ["/bin/sh", "-c", line],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in lines
    ]
    for line, step in zip(lines, steps, strict=True):
        output, _ = step.communicate(timeout=120)
        assert step.returncode == 0, f"{line}:\n{output}"


def browser() -> urllib.request.OpenerDirector:
    """Return a client that keeps cookies and follows redirects, as a browser does."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def logged_in_page(client: urllib.request.OpenerDirector, username: str, password: str):
    """Log in through the login page's form and return the page it leads to."""
    with client.open(f"{URL}/login/", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form[:2000]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1], "username": username, "password": password}
    ).encode()
    return client.open(f"{URL}/login/", data=body, timeout=30)


def test_make_run_serves_the_landing_page_the_api_schema_and_a_demo_login_on_port_8000(
    transactional_db, tmp_path
):
    # Given the address the README promises, where nothing listens on this machine
    assert f"serves {URL}" in (ROOT / "README.md").read_text()
    assert not address_in_use(), (
        f"{URL} is taken by another program on this machine (another `make run`?): "
        "this test starts `make run`'s processes there and needs it free"
    )
    # and the demo data and static files, as `make run` prepares them
    recipe = run_recipe()
    environment = fresh_clone_environment(tmp_path / "var")
    run_steps([recipe_line(recipe, step) for step in SETUP_STEPS], environment)

    # When `make run`'s processes start as its recipe starts them
    processes = ProcessGroup(
        recipe_line(recipe, "honcho start"), environment=environment, log=tmp_path / "honcho.log"
    )
    try:
        wait_until(
            lambda: answers() or processes.served_elsewhere() or not processes.running(),
            timeout=60,
        )
        assert answers(), f"nothing answers on {URL}; {processes.served_elsewhere() or ''}"

        # Then the landing page, the API schema and a demo login answer on port 8000
        client = browser()
        with client.open(f"{URL}/", timeout=30) as landing:
            assert landing.status == 200
            assert landing.headers.get_content_type() == "text/html"
            assert b'<html lang="ja">' in landing.read()
        with client.open(f"{URL}/api/schema/", timeout=30) as schema:
            assert schema.status == 200
            assert schema.read().startswith(b"openapi:")
        with logged_in_page(client, DEMO_USER, DEMO_PASSWORD) as home:
            assert urllib.parse.urlsplit(home.url).path == reverse(DEMO_HOME), home.url
            assert b'action="/logout/"' in home.read()
    finally:
        processes.stop()
        # Shown when the test fails: what each process said, from start to stop.
        print(processes.output())
    # and stopping them frees the address again
    assert not answers(), f"something still answers on {URL} after honcho stopped"
