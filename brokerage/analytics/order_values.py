"""What the period's orders were worth, and which prototypes led to follow-on orders."""

import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from brokerage.analytics.histogram import Bucket, bucketed
from orders.models import RFQ, Order

# Order totals in yen, by decade: the studies' orders run from ¥10,000 to ¥10,000,000.
VALUE_BUCKETS = (
    (0, 10_000, "< ¥10k"),
    (10_000, 30_000, "¥10k-30k"),
    (30_000, 100_000, "¥30k-100k"),
    (100_000, 300_000, "¥100k-300k"),
    (300_000, 1_000_000, "¥300k-1M"),
    (1_000_000, 3_000_000, "¥1M-3M"),
    (3_000_000, 10_000_000, "¥3M-10M"),
    (10_000_000, None, "≥ ¥10M"),
)


@dataclass(frozen=True)
class OrderValues:
    count: int
    total: int
    minimum: int | None
    median: int | None  # the middle order's total (the lower one of an even count)
    maximum: int | None
    histogram: tuple[Bucket, ...]


@dataclass(frozen=True)
class FollowOns:
    prototype_orders: int
    prototype_orders_followed: int  # of them, those a follow-on order came from (so far)
    follow_on_requests: int
    follow_on_orders: int
    follow_on_value: int


def order_figures(
    requests: QuerySet[RFQ], orders: list[tuple], follow_on_requests: int
) -> tuple[OrderValues, FollowOns]:
    """Return the values of the period's orders and the follow-ons among them (1 query)."""
    totals = sorted(total for _, total, _, _, _ in orders)
    prototypes = [pk for pk, _, _, kind, _ in orders if kind == RFQ.Kind.PROTOTYPE]
    follow_on_totals = [total for _, total, follow_of, _, _ in orders if follow_of is not None]
    # A follow-on order may come after the period: it still counts for its prototype.
    followed = (
        Order.objects.filter(
            follow_on_of__rfq__in=requests, follow_on_of__rfq__kind=RFQ.Kind.PROTOTYPE
        )
        .values("follow_on_of_id")
        .distinct()
        .count()
    )
    values = OrderValues(
        count=len(totals),
        total=sum(totals),
        minimum=totals[0] if totals else None,
        median=statistics.median_low(totals) if totals else None,
        maximum=totals[-1] if totals else None,
        histogram=bucketed(totals, VALUE_BUCKETS),
    )
    follow_ons = FollowOns(
        prototype_orders=len(prototypes),
        prototype_orders_followed=followed,
        follow_on_requests=follow_on_requests,
        follow_on_orders=len(follow_on_totals),
        follow_on_value=sum(follow_on_totals),
    )
    return values, follow_ons
