"""The clock a test pins: `django.utils.timezone.now` returns the moment the test chose.

A test whose outcome depends on the time of day or the date (business hours, "today",
the hour an estimate falls due, the month a figure is counted in) takes the `clock`
fixture instead of reading the real time, so that it passes whenever it runs:

    def test_a_friday_evening_request_is_due_on_monday(clock):
        clock.set(tokyo(2026, 11, 20, 17, 30))
        ...
        clock.advance(hours=2)

The clock stands still unless the test moves it. It patches `django.utils.timezone.now`,
which the services, `timezone.localdate()`/`localtime()` and the models' auto dates read;
PostgreSQL's own now() is not moved.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """Return the aware moment of a Tokyo wall-clock time (the networks' zone)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


# A Wednesday in the middle of a month, at 10:00 in Tokyo: inside every network's business
# hours, far from midnight, a month's end and a weekend, in any zone the suite runs in.
ORDINARY_MOMENT = tokyo(2026, 11, 18, 10, 0)


class Clock:
    """What `timezone.now()` answers during the test."""

    def __init__(self, now: datetime.datetime):
        self.set(now)

    def set(self, moment: datetime.datetime) -> datetime.datetime:
        """Pin the clock at `moment`, kept in UTC as Django's own clock answers."""
        if moment.tzinfo is None:
            raise ValueError("pin the clock to an aware datetime")
        self.now = moment.astimezone(datetime.UTC)
        return self.now

    def advance(self, **delta) -> datetime.datetime:
        """Move the clock on by a timedelta's keywords (hours=2, days=1 …)."""
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Pin `django.utils.timezone.now` at an ordinary working moment; the test may move it."""
    pinned = Clock(ORDINARY_MOMENT)
    monkeypatch.setattr("django.utils.timezone.now", lambda: pinned.now)
    return pinned
