"""The year's requests, planned before the replay starts: when each arrives, from whom,
for what, and what the customer will make of an estimate.

Everything is drawn from random generators seeded with the replay's seed, the network and
the request's number, so a request's plan never depends on how the others went.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

import datetime
import math
import random
from dataclasses import dataclass, replace

from demo.replay.shapes import NetworkShape, RequestTemplate
from orders.models import RFQ

# Orders come in by the Japanese business year: the March fiscal-year end is busy, the
# summer Obon week and the New Year quiet.
MONTH_WEIGHTS = {
    1: 0.8,
    2: 1.05,
    3: 1.2,
    4: 0.9,
    5: 0.85,
    6: 1.0,
    7: 1.0,
    8: 0.75,
    9: 1.05,
    10: 1.1,
    11: 1.1,
    12: 0.85,
}
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.15, 0.08)
# New Year, Golden Week and Obon: (month, day) on which hardly anybody asks for anything.
QUIET_DAYS = {(1, 1), (1, 2), (1, 3), (5, 3), (5, 4), (5, 5), (8, 13), (8, 14), (8, 15)}
QUIET_DAYS |= {(8, 16), (12, 29), (12, 30), (12, 31)}
QUIET_WEIGHT = 0.1


def request_rng(seed: int, slug: str, index: int) -> random.Random:
    """Return the generator of one request's plan and of every decision about it."""
    return random.Random(f"replay:{seed}:{slug}:{index}")


@dataclass(frozen=True)
class PlannedRequest:
    """One request of the year and the intentions of the people behind it."""

    index: int
    at: datetime.datetime
    template: RequestTemplate
    customer_index: int
    customer_type: str
    quantity: int
    value: int  # what the work is worth, before tax: the members' prices center on it
    budget_min: int | None
    budget_max: int | None
    desired_date: datetime.date
    channel: str
    urgency: str
    confidential: bool
    accept_rate: float
    follow_on_of_order: int | None = None  # set when a delivered order brings it

    @property
    def is_follow_on(self) -> bool:
        return self.follow_on_of_order is not None

    @property
    def title(self) -> str:
        if self.is_follow_on:
            return f"{self.template.title_ja}（量産）"
        return self.template.title_ja


def day_weight(day: datetime.date) -> float:
    weight = MONTH_WEIGHTS[day.month] * WEEKDAY_WEIGHTS[day.weekday()]
    if (day.month, day.day) in QUIET_DAYS:
        weight *= QUIET_WEIGHT
    return weight


def arrival_time(
    rng: random.Random, day: datetime.date, shape: NetworkShape, tz
) -> datetime.datetime:
    """Return when on `day` a request arrives: mostly working hours, some evenings."""
    if rng.random() < shape.off_hours_share:
        minutes = rng.choice([rng.randint(18 * 60, 23 * 60 + 59), rng.randint(6 * 60, 8 * 60)])
    else:
        # Mornings are busier than afternoons.
        minutes = int(rng.triangular(8 * 60 + 30, 18 * 60, 10 * 60 + 30))
    local = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=tz)
    return (local + datetime.timedelta(minutes=minutes, seconds=rng.randint(0, 59))).astimezone(
        datetime.UTC
    )


def job_value(rng: random.Random, template: RequestTemplate, shape: NetworkShape) -> int:
    """Return what a job is worth: log-normal around the template's median, clamped."""
    value = template.value_median * math.exp(rng.gauss(0, template.value_spread))
    low, high = shape.value_range
    # Estimates are written in round figures: to the hundred, or the thousand above 100,000.
    step = 1_000 if value >= 100_000 else 100
    return int(min(max(value, low), high) // step * step)


def customer_index(rng: random.Random, shape: NetworkShape) -> int:
    """Return which customer asks: a few come back often, most ask once or twice."""
    # A Zipf-like draw: index 0 is the most loyal customer.
    return min(int(shape.customers * rng.random() ** 1.6), shape.customers - 1)


def plan_request(
    *,
    seed: int,
    shape: NetworkShape,
    index: int,
    at: datetime.datetime,
    tz,
) -> PlannedRequest:
    """Return the plan of one fresh request arriving at `at`."""
    rng = request_rng(seed, shape.slug, index)
    template = rng.choices(shape.templates, weights=[t.weight for t in shape.templates])[0]
    value = job_value(rng, template, shape)
    with_budget = rng.random() < 0.5
    fax = rng.random() < shape.fax_share
    return PlannedRequest(
        index=index,
        at=at,
        template=template,
        customer_index=customer_index(rng, shape),
        customer_type=template.customer_type,
        quantity=rng.randint(*template.quantity),
        value=value,
        budget_min=value // 2 if with_budget else None,
        budget_max=int(value * rng.uniform(1.0, 1.6)) if with_budget else None,
        desired_date=at.astimezone(tz).date() + datetime.timedelta(days=rng.randint(14, 60)),
        channel=RFQ.Channel.FAX if fax else RFQ.Channel.WEB,
        urgency=RFQ.Urgency.URGENT if rng.random() < shape.urgent_share else RFQ.Urgency.NORMAL,
        confidential=rng.random() < shape.confidential_share,
        accept_rate=shape.accept_rate,
    )


def plan_year(
    *,
    seed: int,
    shape: NetworkShape,
    start: datetime.datetime,
    end: datetime.datetime,
    tz,
) -> list[PlannedRequest]:
    """Return the year's fresh requests in the order they arrive."""
    rng = random.Random(f"replay:{seed}:{shape.slug}:arrivals")
    count = rng.randint(*shape.requests_per_year)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    chosen = rng.choices(days, weights=[day_weight(day) for day in days], k=count)
    moments = sorted(arrival_time(rng, day, shape, tz) for day in chosen)
    # The first and last day are partial: keep every arrival inside [start, end).
    moments = [min(max(moment, start), end - datetime.timedelta(minutes=1)) for moment in moments]
    return [
        plan_request(seed=seed, shape=shape, index=index, at=moment, tz=tz)
        for index, moment in enumerate(moments, start=1)
    ]


def plan_follow_on(
    *,
    seed: int,
    shape: NetworkShape,
    original: PlannedRequest,
    index: int,
    order_id: int,
    at: datetime.datetime,
    tz,
) -> PlannedRequest:
    """Return the production request a satisfied prototype customer comes back with."""
    rng = request_rng(seed, shape.slug, index)
    quantity = original.quantity * rng.choice([20, 50, 100])
    value = min(int(original.value * rng.uniform(2.0, 5.0)) // 1_000 * 1_000, shape.value_range[1])
    return replace(
        original,
        index=index,
        at=at,
        quantity=quantity,
        value=value,
        budget_min=None,
        budget_max=None,
        desired_date=at.astimezone(tz).date() + datetime.timedelta(days=rng.randint(60, 120)),
        channel=RFQ.Channel.WEB,
        urgency=RFQ.Urgency.NORMAL,
        accept_rate=shape.follow_on_accept_rate,
        follow_on_of_order=order_id,
    )
