"""Run a command, and run it again whenever it exits, until told to stop.

`make run` starts web, worker and beat with honcho, which stops all three as soon as one
exits: a worker that died on a Redis blip took the whole platform down with it. Each line
of the Procfile runs its command under this wrapper instead:

    worker: python -m core.respawn celery -A brokerage worker

SIGTERM or SIGINT (honcho's Ctrl-C) is passed on to the command and ends the wrapper with
it. A command that keeps failing at once is started again less and less often.
"""

import signal
import subprocess
import sys
import threading
import time

FIRST_DELAY_SECONDS = 1.0
LONGEST_DELAY_SECONDS = 30.0
# A command that ran at least this long before exiting is started again after the first
# delay; each time one exits sooner, the next wait doubles.
STEADY_SECONDS = 60.0


def run(command: list[str]) -> int:
    """Keep `command` running until this process is told to stop; return its last status."""
    stopping = threading.Event()
    child: subprocess.Popen | None = None

    def stop(signum, frame):
        stopping.set()
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY_SECONDS
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        status = child.wait()
        if stopping.is_set():
            return status
        ran = time.monotonic() - started
        if ran >= STEADY_SECONDS:
            delay = FIRST_DELAY_SECONDS
        print(
            f"respawn: {' '.join(command)} exited with status {status} after {ran:.0f} s; "
            f"starting it again in {delay:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        if stopping.wait(delay):
            return status
        delay = min(delay * 2, LONGEST_DELAY_SECONDS)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m core.respawn COMMAND [ARGUMENT...]")
    sys.exit(run(sys.argv[1:]))
