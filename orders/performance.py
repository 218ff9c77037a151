"""Reads of the customers' ratings and of each firm's delivery performance.

A firm's performance is two figures: its on-time rate (of its work packages finished,
the share finished by their planned finish date) and the average of its orders' ratings.
The firm reads its own; a network's office reads its members' over that network's orders.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.http import Http404

from core import access
from members.models import Firm
from orders.models import Order, Rating, TeamMember
from orders.models.ratings import SCORES


def rating_changeable_until(rating: Rating) -> datetime.datetime:
    """Return until when the customer may change their rating."""
    return rating.created_at + datetime.timedelta(days=settings.ORDER_RATING_CHANGE_DAYS)


def rating_for_order(order: Order) -> Rating | None:
    """Return the order's rating; the caller has scoped the order to what the person sees.

    Whoever sees an order sees its rating: its customer, its team's firms, its office.
    """
    return Rating.objects.filter(order=order).first()


@dataclass(frozen=True)
class FirmPerformance:
    """A firm's delivery figures over the orders counted (see `firm_performances`)."""

    firm_id: int
    # Work packages finished that had a planned finish date, and those finished by it.
    delivered: int = 0
    on_time: int = 0
    # Orders of the firm's the customer rated, and the average of their scores.
    rated_orders: int = 0
    average_rating: float | None = None
    average_quality: float | None = None
    average_delivery: float | None = None
    average_communication: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        """Return the share of its packages finished by their planned date (None: none)."""
        return self.on_time / self.delivered if self.delivered else None


def firm_performances(
    firm_ids: Iterable[int],
    *,
    network_ids: Iterable[int] | None = None,
    period: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> dict[int, FirmPerformance]:
    """Return each firm's performance, over the orders of `network_ids` (None: every one).

    A work package counts once it is done and had a planned finish: on time when it was
    finished on or before that date. A firm's ratings are those of the orders it had a
    confirmed part in. With a `period` (since, until), the packages finished and the
    orders first rated in it. Two queries, whatever the number of firms.
    """
    firm_ids = list(firm_ids)
    parts = TeamMember.objects.filter(confirmation=TeamMember.Confirmation.CONFIRMED)
    if network_ids is not None:
        # A network's orders are read whole, grouped by firm: the same two queries for a
        # network of none or of many (the analytics' cost does not grow with its firms).
        parts = parts.filter(order__network_id__in=list(network_ids))
    else:
        parts = parts.filter(firm_id__in=firm_ids)
    delivered = parts.filter(
        state=TeamMember.State.DONE, planned_finish__isnull=False, finished_on__isnull=False
    )
    rated = parts.filter(order__rating__isnull=False)
    if period is not None:
        since, until = period
        delivered = delivered.filter(finished_on__gte=since.date(), finished_on__lt=until.date())
        rated = rated.filter(
            order__rating__created_at__gte=since, order__rating__created_at__lt=until
        )
    counts = {
        row["firm_id"]: row
        for row in delivered.order_by()
        .values("firm_id")
        .annotate(
            delivered=Count("pk"),
            on_time=Count("pk", filter=Q(finished_on__lte=F("planned_finish"))),
        )
    }
    scores = {
        row["firm_id"]: row
        for row in rated.order_by()
        .values("firm_id")
        .annotate(
            rated_orders=Count("order_id", distinct=True),
            average_quality=Avg("order__rating__quality"),
            average_delivery=Avg("order__rating__delivery"),
            average_communication=Avg("order__rating__communication"),
        )
    }
    performances = {}
    for firm_id in firm_ids:
        count = counts.get(firm_id, {})
        score = scores.get(firm_id)
        averages = {}
        if score:
            averages = {f"average_{name}": float(score[f"average_{name}"]) for name in SCORES}
            averages["average_rating"] = sum(averages.values()) / len(SCORES)
        performances[firm_id] = FirmPerformance(
            firm_id=firm_id,
            delivered=count.get("delivered", 0),
            on_time=count.get("on_time", 0),
            rated_orders=score["rated_orders"] if score else 0,
            **averages,
        )
    return performances


def firm_performance_for_user(user, firm: Firm) -> FirmPerformance:
    """Return a firm's performance as the person may read it, or 404.

    The firm's own people (and staff) read it over every order; a network's office over
    its networks' orders, for a firm that is an active member there; nobody else.
    """
    network_ids = access.firm_performance_networks(user, firm.pk)
    if network_ids == frozenset():
        raise Http404("No such firm.")
    return firm_performances([firm.pk], network_ids=network_ids)[firm.pk]
