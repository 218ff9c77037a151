"""`make run`'s processes come back on their own when one of them exits."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.processes import ROOT, wait_until

# Writes its process id to the file it is given, then runs until stopped (or, with
# "--exit-first", exits at once the first time).
CHILD = """
import os, sys, time
path = sys.argv[1]
with open(path, "a") as ids:
    ids.write(f"{os.getpid()}\\n")
if "--exit-first" in sys.argv and len(open(path).read().split()) == 1:
    sys.exit(3)
while True:
    time.sleep(1)
"""


def child_script(folder: Path) -> str:
    script = folder / "child.py"
    script.write_text(CHILD)
    return str(script)


def started_ids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen) -> int:
    process.terminate()
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_a_command_that_exits_is_started_again_and_stops_with_its_wrapper(tmp_path):
    # Given a command under the wrapper that exits the first time it runs
    ids = tmp_path / "ids"
    command = [sys.executable, child_script(tmp_path), str(ids), "--exit-first"]
    wrapper = subprocess.Popen([sys.executable, "-m", "core.respawn", *command], cwd=ROOT)
    try:
        # When it exits, then it is started again
        assert wait_until(lambda: len(started_ids(ids)) == 2, timeout=20)
        second = started_ids(ids)[1]
        assert wait_until(lambda: alive(second), timeout=5)
    finally:
        # and when the wrapper is told to stop, the command stops with it
        stop(wrapper)
    assert wait_until(lambda: not alive(second), timeout=5)
    assert len(started_ids(ids)) == 2


def test_under_honcho_a_process_that_dies_comes_back_while_the_others_keep_serving(tmp_path):
    # Given two processes started by honcho from a Procfile, each under the wrapper
    procfile = tmp_path / "Procfile"
    child = child_script(tmp_path)
    procfile.write_text(
        "".join(
            f"{name}: {sys.executable} -m core.respawn {sys.executable} {child} {tmp_path / name}\n"
            for name in ("worker", "web")
        )
    )
    honcho = subprocess.Popen(
        [Path(sys.executable).parent / "honcho", "start", "-f", str(procfile), "-d", str(ROOT)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert wait_until(
            lambda: started_ids(tmp_path / "worker") and started_ids(tmp_path / "web"), timeout=30
        )
        [worker] = started_ids(tmp_path / "worker")
        [web] = started_ids(tmp_path / "web")
        # When the worker dies
        os.kill(worker, signal.SIGKILL)
        # Then it is started again, and honcho and the web process keep running
        assert wait_until(lambda: len(started_ids(tmp_path / "worker")) == 2, timeout=20)
        assert honcho.poll() is None
        assert started_ids(tmp_path / "web") == [web]
        assert alive(web)
    finally:
        stop(honcho)
    assert wait_until(lambda: not alive(web), timeout=10)


def test_every_process_of_make_run_runs_under_the_wrapper():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert {line.split(":")[0] for line in lines} == {"web", "worker", "beat"}
    for line in lines:
        assert line.split(":", 1)[1].split()[:3] == ["python", "-m", "core.respawn"], line
