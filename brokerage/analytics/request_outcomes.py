"""What became of the period's requests: how many are in each status, and per month how
many came in and how many became orders, worth how much."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from brokerage.analytics.months import Monthly
from orders.models import RFQ


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def request_outcomes(
    requests: QuerySet[RFQ], monthly: Monthly
) -> tuple[tuple[StatusCount, ...], int]:
    """Count the requests by status and by month, and the follow-ons among them (2 queries)."""
    statuses, follow_ons = [], 0
    for row in (
        requests.values("status")
        .annotate(count=Count("id"), follow_ons=Count("id", filter=Q(follow_on_of__isnull=False)))
        .order_by("status")
    ):
        label = str(RFQ.Status(row["status"]).label)
        statuses.append(StatusCount(status=row["status"], label=label, count=row["count"]))
        follow_ons += row["follow_ons"]
    for row in (
        requests.annotate(month=TruncMonth("submitted_at", tzinfo=monthly.tz))
        .values("month")
        .annotate(count=Count("id"), orders=Count("order"), value=Sum("order__total"))
        .order_by("month")
    ):
        monthly.add(row["month"], "requests", row["count"])
        monthly.add(row["month"], "orders", row["orders"])
        monthly.add(row["month"], "order_value", row["value"])
    return tuple(sorted(statuses, key=lambda status: -status.count)), follow_ons
