"""The clock: what time it is, and when a window that starts now ends.

`now()` is the moment the services stamp what they do with. `time_set_by` is the one
place that moves it (the year replay, which replays a year in a minute and must carry the
year's times; tests that depend on the time of day). It points Django's own
`timezone.now` at the same source for as long as the block runs, so that what Django
stamps itself (`auto_now_add` fields, `timezone.localdate()`) follows too.

A window ends on the wall clock or in business hours: a network may count its windows
only on working days and hours in its own time zone, skipping holidays, so a request
submitted on Friday evening is then due on Monday morning. The calendar is read from
whatever holds one (a network), through `WorkingCalendar`.

The days skipped are the country's national holidays, from a maintained calendar
(jpholiday for Japan, whose networks are those keeping Tokyo time), and the closing days
the network's office adds itself (Obon, the year-end). National holidays are worked out
one year at a time, when a window first reaches that year, and kept for the process: a
storm of deadlines computes each year's once.
"""

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

import jpholiday
from django.utils import timezone


def now() -> datetime.datetime:
    """Return the current moment (aware, UTC), as set by `time_set_by` if it is."""
    # Looked up on Django's module at each call, so the block below reaches every reader.
    return timezone.now()


@contextmanager
def time_set_by(source: Callable[[], datetime.datetime]) -> Iterator[None]:
    """Make `now()` (and Django's `timezone.now`) answer `source()` inside the block.

    For one process at a time (a management command, a test): the clock is the module's.
    """
    original = timezone.now
    timezone.now = source
    try:
        yield
    finally:
        timezone.now = original


# Far more working days than any window needs; guards against a calendar with no
# working time at all looping for ever.
MAX_DAYS_SEARCHED = 3_660


@functools.cache
def japanese_holidays(year: int) -> frozenset[datetime.date]:
    """Return Japan's national holidays of a year (substitute and citizens' days included)."""
    return frozenset(day for day, _name in jpholiday.year_holidays(year))


def no_national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset()


# The national holidays a network keeps, by its time zone: the networks have no country of
# their own, and every zone that is one country's alone names that country.
NATIONAL_HOLIDAYS_BY_TIME_ZONE: dict[str, Callable[[int], frozenset[datetime.date]]] = {
    "Asia/Tokyo": japanese_holidays,
}


def national_holidays_for(time_zone: str) -> Callable[[int], frozenset[datetime.date]]:
    """Return the function giving a year's national holidays where `time_zone` is kept."""
    return NATIONAL_HOLIDAYS_BY_TIME_ZONE.get(time_zone, no_national_holidays)


@dataclass(frozen=True)
class WallClock:
    """Count every minute."""

    def add(self, start: datetime.datetime, minutes: int) -> datetime.datetime:
        return start + datetime.timedelta(minutes=minutes)

    @property
    def working_day_minutes(self) -> int:
        return 24 * 60


@dataclass(frozen=True)
class BusinessHoursClock:
    """Count only the minutes between day_start and day_end on working days.

    A working day is one of `weekdays` that is neither a national holiday (a year's set,
    from `national_holidays`) nor one of the network's `closing_days`.
    """

    tz: ZoneInfo
    day_start: datetime.time
    day_end: datetime.time
    weekdays: frozenset[int]
    closing_days: frozenset[datetime.date]
    national_holidays: Callable[[int], frozenset[datetime.date]] = no_national_holidays

    def is_working_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.closing_days
            and day not in self.national_holidays(day.year)
        )

    @property
    def working_day_minutes(self) -> int:
        """How many minutes one business day counts."""
        day = datetime.date(2000, 1, 1)
        span = datetime.datetime.combine(day, self.day_end) - datetime.datetime.combine(
            day, self.day_start
        )
        return int(span.total_seconds() // 60)

    def add(self, start: datetime.datetime, minutes: int) -> datetime.datetime:
        """Return the moment `minutes` working minutes after `start`, in UTC."""
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        local = start.astimezone(self.tz)
        remaining = datetime.timedelta(minutes=minutes)
        day = local.date()
        cursor = local
        for _ in range(MAX_DAYS_SEARCHED):
            opens = datetime.datetime.combine(day, self.day_start, tzinfo=self.tz)
            closes = datetime.datetime.combine(day, self.day_end, tzinfo=self.tz)
            if self.is_working_day(day) and cursor < closes:
                cursor = max(cursor, opens)
                available = closes - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(datetime.UTC)
                remaining -= available
            day += datetime.timedelta(days=1)
            cursor = datetime.datetime.combine(day, self.day_start, tzinfo=self.tz)
        raise ValueError("the business calendar has no working time in the next ten years")


class ClosingDayRows(Protocol):
    def values_list(self, *fields: str, flat: bool = ...) -> Iterable[datetime.date]: ...


class WorkingCalendar(Protocol):
    """What a clock is read from: a network's working days, hours, zone and closing days."""

    use_business_hours: bool
    time_zone: str
    business_day_start: datetime.time
    business_day_end: datetime.time
    working_weekdays: Iterable[int]
    closing_days: ClosingDayRows


def clock_for(calendar: WorkingCalendar) -> WallClock | BusinessHoursClock:
    """Return the clock a calendar's owner (a network) counts its windows on."""
    if not calendar.use_business_hours:
        return WallClock()
    return BusinessHoursClock(
        tz=ZoneInfo(calendar.time_zone),
        day_start=calendar.business_day_start,
        day_end=calendar.business_day_end,
        weekdays=frozenset(calendar.working_weekdays),
        closing_days=frozenset(calendar.closing_days.values_list("date", flat=True)),
        national_holidays=national_holidays_for(calendar.time_zone),
    )
