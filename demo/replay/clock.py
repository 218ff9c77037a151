"""The replay's simulated clock.

The services stamp what they do with `core.clock.now()`: an answer's `answered_at`, an
estimate's `sent_at`, a payment's invoice date, and (through Django's `timezone.now`)
every row with `auto_now_add` (`Event.at`, `Invitation.created_at` …). A year replayed in
a minute must carry the year's times, or the analytics (time to estimate, requests per
month) would read nonsense. The replay runs inside `core.simulation.simulated(clock.now)`,
the one hook that sets the clock and holds the broker: replayed notifications are written
as the services write them but never enqueued, and the replay then removes the e-mail,
SMS and webhook rows it produced (see `demo.replay.markers`).
"""

import datetime


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
