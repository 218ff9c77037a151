"""The estimate clock: when a window that starts now ends, on the wall or in business hours.

A network may count its windows only on working days and hours in its own time zone,
skipping holidays: a request submitted on Friday evening is then due on Monday morning.
The calendar is read from whatever holds one (a network), through `WorkingCalendar`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

# Far more working days than any window needs; guards against a calendar with no
# working time at all looping for ever.
MAX_DAYS_SEARCHED = 3_660


@dataclass(frozen=True)
class WallClock:
    """Count every minute."""

    def add(self, start: datetime.datetime, minutes: int) -> datetime.datetime:
        return start + datetime.timedelta(minutes=minutes)


@dataclass(frozen=True)
class BusinessHoursClock:
    """Count only the minutes between day_start and day_end on working, non-holiday days."""

    tz: ZoneInfo
    day_start: datetime.time
    day_end: datetime.time
    weekdays: frozenset[int]
    holidays: frozenset[datetime.date]

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

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


class HolidayRows(Protocol):
    def values_list(self, *fields: str, flat: bool = ...) -> Iterable[datetime.date]: ...


class WorkingCalendar(Protocol):
    """What a clock is read from: a network's working days, hours, zone and holidays."""

    use_business_hours: bool
    time_zone: str
    business_day_start: datetime.time
    business_day_end: datetime.time
    working_weekdays: Iterable[int]
    holidays: HolidayRows


def clock_for(calendar: WorkingCalendar) -> WallClock | BusinessHoursClock:
    """Return the clock a calendar's owner (a network) counts its windows on."""
    if not calendar.use_business_hours:
        return WallClock()
    return BusinessHoursClock(
        tz=ZoneInfo(calendar.time_zone),
        day_start=calendar.business_day_start,
        day_end=calendar.business_day_end,
        weekdays=frozenset(calendar.working_weekdays),
        holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
    )
