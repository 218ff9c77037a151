"""The replay's simulated clock, and the outbox held back while history is replayed.

Why patch `django.utils.timezone.now`
    The services stamp what they do with `timezone.now()`: an answer's `answered_at`, an
    estimate's `sent_at`, a payment's invoice date, and every row with `auto_now_add`
    (`Event.at`, `Invitation.created_at`, `Notification.created_at` …). A year replayed in a
    minute must carry the year's times, or the analytics (time to estimate, requests per
    month) would read nonsense. The services already take `submitted_at` and
    `deadlines_fire_due(now=...)`; for everything else the replay runs inside
    `simulated_time`, which points `django.utils.timezone.now` at the simulated clock for
    exactly as long as the replay runs. Every caller in this project (and Django's own
    `auto_now_add`) looks `timezone.now` up on the module at call time, so the patch
    reaches them all; nothing is patched outside the `with` block.

Why hold the outbox
    The services write notifications and enqueue their delivery, the routing of a new
    request and the e-mail of a directory contact after commit. Replayed history must not
    e-mail a year of messages nor flood the broker, so `outbox_held` turns those enqueue
    calls into no-ops (the rows are still written, as the services write them) and the
    replay then removes the e-mail, SMS and webhook rows it produced (see
    `demo.replay.markers`). The patch must enclose the transaction's commit, because
    the after-commit callbacks run then.
"""

import datetime
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock


class SimulatedClock:
    """A clock that only moves forward, and only when the replay moves it."""

    def __init__(self, start: datetime.datetime):
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware datetime")
        self.moment = start

    def now(self) -> datetime.datetime:
        return self.moment

    def advance_to(self, moment: datetime.datetime) -> None:
        """Move the clock to `moment`; a step scheduled in the past runs at the present."""
        if moment > self.moment:
            self.moment = moment


@contextmanager
def simulated_time(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Make `timezone.now()` answer the simulated clock inside the block (see module doc)."""
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock


# The after-commit hooks that reach the broker; each is looked up on its module when the
# hook runs, so replacing the module attribute silences it.
ENQUEUE_HOOKS = (
    "brokerage.services.notifications.enqueue_delivery",
    "brokerage.services.notifications.enqueue_sweep",
    "brokerage.services.intake.enqueue_routing",
    "capabilities.services._enqueue_contact_mail",
)


@contextmanager
def outbox_held() -> Iterator[None]:
    """Keep replayed history off the broker: its enqueue hooks do nothing in the block."""
    with ExitStack() as stack:
        for target in ENQUEUE_HOOKS:
            stack.enter_context(mock.patch(target, lambda *args, **kwargs: None))
        yield
