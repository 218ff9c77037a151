"""A consultation network's phases: the requests and orders each phase had firms for, and
the orders commercialized (see the package docstring for what that means)."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from brokerage.models import PhaseAssignment
from orders.models import RFQ, Order

COMMERCIAL_PHASES = (PhaseAssignment.Phase.PRODUCTION, PhaseAssignment.Phase.COMMERCIALIZATION)


@dataclass(frozen=True)
class PhaseFigures:
    phase: str
    label: str
    requests: int
    orders: int


def phase_figures(requests: QuerySet[RFQ]) -> tuple[tuple[PhaseFigures, ...], int]:
    """Return each phase's requests and orders, and the orders commercialized (2 queries)."""
    rows = {
        row["phase"]: row
        for row in PhaseAssignment.objects.filter(rfq__in=requests)
        .values("phase")
        .annotate(requests=Count("rfq", distinct=True), orders=Count("rfq__order", distinct=True))
    }
    phases = tuple(
        PhaseFigures(
            phase=phase,
            label=str(label),
            requests=rows.get(phase, {}).get("requests", 0),
            orders=rows.get(phase, {}).get("orders", 0),
        )
        for phase, label in PhaseAssignment.Phase.choices
    )
    commercialized = (
        Order.objects.filter(rfq__in=requests, rfq__phase_assignments__phase__in=COMMERCIAL_PHASES)
        .values("id")
        .distinct()
        .count()
    )
    return phases, commercialized
