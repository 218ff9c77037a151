"""The estimate clock on the wall and in business hours."""

import datetime
from zoneinfo import ZoneInfo

import jpholiday
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import BusinessHoursClock, WallClock, clock_for, national_holidays_for
from members.models import NetworkClosingDay
from tests.kit.worlds import kyoto_world

TOKYO = ZoneInfo("Asia/Tokyo")
OFFICE_HOURS = BusinessHoursClock(
    tz=TOKYO,
    day_start=datetime.time(9, 0),
    day_end=datetime.time(18, 0),
    weekdays=frozenset({0, 1, 2, 3, 4}),
    closing_days=frozenset({datetime.date(2026, 11, 23)}),  # a Monday the office closed
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
    # Then one hour is spent on Friday and one on Tuesday (Monday the office is closed)
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


# A Tokyo network's clock, knowing the national holidays only from the calendar package.
TOKYO_NETWORK_HOURS = BusinessHoursClock(
    tz=TOKYO,
    day_start=datetime.time(9, 0),
    day_end=datetime.time(18, 0),
    weekdays=frozenset({0, 1, 2, 3, 4}),
    closing_days=frozenset(),
    national_holidays=national_holidays_for("Asia/Tokyo"),
)


def test_the_clock_skips_golden_week_2028():
    # Given the national calendar's Golden Week of 2028 (Wednesday to Friday)
    assert jpholiday.is_holiday_name(datetime.date(2028, 5, 3)) == "憲法記念日"
    assert jpholiday.is_holiday_name(datetime.date(2028, 5, 5)) == "こどもの日"
    # When a two-hour window starts on Tuesday 2 May at 17:00
    due = TOKYO_NETWORK_HOURS.add(tokyo(2028, 5, 2, 17, 0), 120)
    # Then one hour is spent on Tuesday and one on Monday 8 May
    assert due == tokyo(2028, 5, 8, 10, 0)


def test_the_clock_skips_new_year_2029():
    # Given New Year's Day 2029, a Monday
    assert jpholiday.is_holiday_name(datetime.date(2029, 1, 1)) == "元日"
    # When a two-hour window starts on Friday 29 December 2028 at 17:00
    due = TOKYO_NETWORK_HOURS.add(tokyo(2028, 12, 29, 17, 0), 120)
    # Then the second hour is spent on Tuesday 2 January
    assert due == tokyo(2029, 1, 2, 10, 0)


def test_a_network_elsewhere_keeps_no_japanese_holidays():
    # Given a network keeping another zone's time, on Constitution Day 2028
    elsewhere = national_holidays_for("Europe/Berlin")
    # Then the day is not a holiday for it
    assert datetime.date(2028, 5, 3) not in elsewhere(2028)
    assert datetime.date(2028, 5, 3) in national_holidays_for("Asia/Tokyo")(2028)


@pytest.mark.django_db
def test_a_network_clock_reads_its_closing_days_and_its_countrys_holidays():
    # Given a Tokyo network counting business hours, closed on Obon
    world = kyoto_world()
    world.network.use_business_hours = True
    world.network.save()
    NetworkClosingDay.objects.create(network=world.network, date=datetime.date(2028, 8, 14))
    network_clock = clock_for(world.network)
    # Then its clock skips the closing day and the national Mountain Day alike
    assert not network_clock.is_working_day(datetime.date(2028, 8, 14))
    assert not network_clock.is_working_day(datetime.date(2028, 8, 11))
    assert network_clock.is_working_day(datetime.date(2028, 8, 15))
