"""The estimate clock on the wall and in business hours."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import BusinessHoursClock, WallClock

TOKYO = ZoneInfo("Asia/Tokyo")
OFFICE_HOURS = BusinessHoursClock(
    tz=TOKYO,
    day_start=datetime.time(9, 0),
    day_end=datetime.time(18, 0),
    weekdays=frozenset({0, 1, 2, 3, 4}),
    holidays=frozenset({datetime.date(2026, 11, 23)}),  # Labour Thanksgiving Day (Monday)
)


def tokyo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


def test_the_wall_clock_counts_every_minute():
    start = tokyo(2026, 11, 20, 19, 30)
    assert WallClock().add(start, 120) == tokyo(2026, 11, 20, 21, 30)


def test_a_request_on_friday_evening_is_due_on_the_next_working_morning():
    # Given a request submitted on Friday 20 November at 17:00 with a two-hour window
    start = tokyo(2026, 11, 20, 17, 0)
    # When the window is counted in business hours
    due = OFFICE_HOURS.add(start, 120)
    # Then one hour is spent on Friday and one on Tuesday (Monday is a holiday)
    assert due == tokyo(2026, 11, 24, 10, 0)


def test_a_request_before_opening_starts_counting_at_opening():
    assert OFFICE_HOURS.add(tokyo(2026, 11, 19, 6, 0), 30) == tokyo(2026, 11, 19, 9, 30)


def test_a_window_ending_exactly_at_closing_time_ends_that_day():
    assert OFFICE_HOURS.add(tokyo(2026, 11, 19, 16, 0), 120) == tokyo(2026, 11, 19, 18, 0)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        OFFICE_HOURS.add(datetime.datetime(2026, 11, 19, 9, 0), 10)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2027, 12, 31)
    ),
    first=st.integers(min_value=0, max_value=2_000),
    second=st.integers(min_value=0, max_value=2_000),
)
def test_business_minutes_add_up_and_land_in_working_hours(start, first, second):
    start = start.replace(tzinfo=TOKYO)
    due = OFFICE_HOURS.add(start, first + second)
    # Adding in two steps lands at the same moment as adding at once
    assert OFFICE_HOURS.add(OFFICE_HOURS.add(start, first), second) == due
    # and a positive window always ends inside working hours on a working day
    if first + second:
        local = due.astimezone(TOKYO)
        assert OFFICE_HOURS.is_working_day(local.date())
        assert datetime.time(9, 0) < local.time() <= datetime.time(18, 0)
    assert due >= start
