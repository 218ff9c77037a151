"""The period month by month: each part of the figures adds its measures to one `Monthly`,
so every month of the period gets a row even when nothing happened in it."""

import datetime
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date  # the first day of the month, in the network's zone
    requests: int
    orders: int  # signed contracts from the month's requests
    order_value: int
    paid: int  # payments received in the month
    to_members: int  # allocated to member firms in the month
    directory_contacts: int


def months_between(since: datetime.datetime, until: datetime.datetime, tz) -> list[datetime.date]:
    """Return the first day of every month the period touches, in the zone `tz`."""
    first = since.astimezone(tz).date().replace(day=1)
    last = (until - datetime.timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


def month_key(moment: datetime.datetime | datetime.date, tz) -> datetime.date:
    """Return the month a TruncMonth value stands for (a date on SQLite, a datetime on PG)."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(tz).date().replace(day=1)
    return moment.replace(day=1)


class Monthly(defaultdict):
    """The period's figures per month: month → measure → value, filled by each section."""

    def __init__(self, tz):
        super().__init__(lambda: defaultdict(int))
        self.tz = tz

    def add(self, month: datetime.datetime | datetime.date, measure: str, value: int) -> None:
        self[month_key(month, self.tz)][measure] += value or 0

    def figures(self, since: datetime.datetime, until: datetime.datetime) -> tuple:
        return tuple(
            MonthFigures(
                month=month,
                requests=self[month]["requests"],
                orders=self[month]["orders"],
                order_value=self[month]["order_value"],
                paid=self[month]["paid"],
                to_members=self[month]["to_members"],
                directory_contacts=self[month]["directory_contacts"],
            )
            for month in months_between(since, until, self.tz)
        )
