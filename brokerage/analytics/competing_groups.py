"""A competing-groups network's coordinator groups: how often each was asked to propose,
proposed, and won, and what its wins were worth."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from brokerage.models import GroupProposal
from members.models import Network, NetworkGroup
from orders.models import RFQ


@dataclass(frozen=True)
class GroupFigures:
    group_id: int
    name: str
    coordinator_id: int
    asked: int  # requests the group could do, so was asked to propose for
    proposed: int
    wins: int
    win_share: float | None
    won_value: int


def group_figures(network: Network, requests: QuerySet[RFQ]) -> tuple[GroupFigures, ...]:
    """Return how often each coordinator group was asked, proposed and won (2 queries)."""
    rows = {
        row["group_id"]: row
        for row in GroupProposal.objects.filter(rfq__in=requests)
        .values("group_id")
        .annotate(
            asked=Count("id"),
            proposed=Count("id", filter=Q(submitted_at__isnull=False)),
            wins=Count("id", filter=Q(status=GroupProposal.Status.CHOSEN)),
            won_value=Sum("rfq__order__total", filter=Q(status=GroupProposal.Status.CHOSEN)),
        )
    }
    total_wins = sum(row["wins"] for row in rows.values())
    figures = []
    for group in NetworkGroup.objects.filter(network=network).order_by("name_en", "pk"):
        row = rows.get(group.pk, {})
        wins = row.get("wins", 0)
        figures.append(
            GroupFigures(
                group_id=group.pk,
                name=group.name,
                coordinator_id=group.coordinator_id,
                asked=row.get("asked", 0),
                proposed=row.get("proposed", 0),
                wins=wins,
                win_share=wins / total_wins if total_wins else None,
                won_value=row.get("won_value") or 0,
            )
        )
    return tuple(figures)
