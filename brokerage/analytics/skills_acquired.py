"""The skills member firms learned through the network's orders: the capability changes
recorded against one of its orders."""

import datetime
from dataclasses import dataclass

from capabilities.models import FirmCapabilityChange
from members.models import Network
from orders.models import Order


@dataclass(frozen=True)
class SkillAcquired:
    firm_id: int
    firm_name: str
    capability_code: str
    capability_name: str
    action: str
    grade_before: int | None
    grade_after: int | None
    order_id: int
    at: datetime.datetime


def skill_figures(
    network: Network, since: datetime.datetime, until: datetime.datetime
) -> tuple[SkillAcquired, ...]:
    """Return the skills member firms learned through the network's orders (1 query)."""
    return tuple(
        SkillAcquired(
            firm_id=change.firm_id,
            firm_name=change.firm.name,
            capability_code=change.capability.code,
            capability_name=change.capability.name,
            action=change.action,
            grade_before=change.grade_before,
            grade_after=change.grade_after,
            order_id=change.order_id,
            at=change.at,
        )
        for change in FirmCapabilityChange.objects.filter(
            order_id__in=Order.objects.filter(network=network).values("id"),
            at__gte=since,
            at__lt=until,
        )
        .select_related("firm", "capability")
        .order_by("at", "id")
    )
