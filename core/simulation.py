"""Running history as if it happened then: the one hook for replaying time.

The year replay (the demo app) writes a year of requests, answers and payments in a
minute through the ordinary services. Inside `simulated`, the clock answers the replay's
moment (`core.clock.time_set_by`) and nothing reaches the broker
(`core.background.broker_held`): replayed notifications are written as the services write
them, but never delivered. The block must enclose the transaction's commit, because the
after-commit sends run then.
"""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.background import broker_held
from core.clock import time_set_by


@contextmanager
def simulated(now: Callable[[], datetime.datetime]) -> Iterator[None]:
    """Run the block at the moments `now()` answers, with the broker held."""
    with broker_held(), time_set_by(now):
        yield
