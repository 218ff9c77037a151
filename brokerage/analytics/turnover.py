"""The money that moved in the period: payments received, refunds, the office's fees, what
went to member firms and was paid out to them, and what they are owed now."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from brokerage.analytics.months import Monthly
from members.models import Network
from orders.models import Allocation, Payment, PayoutBatch, PayoutLine, Refund
from orders.services.ledger import payable_balances


@dataclass(frozen=True)
class Revenue:
    payments: int
    paid: int
    refunded: int
    office_fees: int
    to_members: int
    paid_out: int
    payout_batches: int
    owed_to_members: int  # what members are owed now, whatever the period


def money_figures(
    network: Network, since: datetime.datetime, until: datetime.datetime, monthly: Monthly
) -> tuple[Revenue, dict[int, int]]:
    """Return the money that moved in the period, and each member's earnings (6 queries)."""
    payments = Payment.objects.filter(
        network=network, received_at__gte=since, received_at__lt=until
    )
    paid = payments.aggregate(count=Count("id"), total=Sum("amount"))
    for row in (
        payments.annotate(month=TruncMonth("received_at", tzinfo=monthly.tz))
        .values("month")
        .annotate(total=Sum("amount"))
    ):
        monthly.add(row["month"], "paid", row["total"])
    refunded = Refund.objects.filter(
        network=network, recorded_at__gte=since, recorded_at__lt=until
    ).aggregate(total=Sum("amount"))["total"]
    fees, to_members, earned = 0, 0, defaultdict(int)
    for row in (
        Allocation.objects.filter(
            order__network=network, created_at__gte=since, created_at__lt=until
        )
        .annotate(month=TruncMonth("created_at", tzinfo=monthly.tz))
        .values("month", "party", "firm_id")
        .annotate(total=Sum("amount"))
    ):
        if row["party"] == Allocation.Party.OFFICE_FEE:
            fees += row["total"]
            continue
        to_members += row["total"]
        earned[row["firm_id"]] += row["total"]
        monthly.add(row["month"], "to_members", row["total"])
    payouts = PayoutLine.objects.filter(
        batch__network=network,
        batch__status=PayoutBatch.Status.CLOSED,
        batch__closed_at__gte=since,
        batch__closed_at__lt=until,
    ).aggregate(total=Sum("amount"), batches=Count("batch_id", distinct=True))
    owed_now = sum(balance for balance in payable_balances(network).values() if balance > 0)
    revenue = Revenue(
        payments=paid["count"],
        paid=paid["total"] or 0,
        refunded=refunded or 0,
        office_fees=fees,
        to_members=to_members,
        paid_out=payouts["total"] or 0,
        payout_batches=payouts["batches"],
        owed_to_members=owed_now,
    )
    return revenue, earned
