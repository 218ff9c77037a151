"""Each member firm's figures: how it answered invitations (response rate, time to answer,
as `brokerage.sla` counts them), the orders it led and what it earned."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from brokerage.sla import member_sla
from members.models import Membership, Network


@dataclass(frozen=True)
class MemberFigures:
    firm_id: int
    firm_name: str
    role: str
    invited: int
    answered: int
    no_response: int
    response_rate: float | None
    median_minutes_to_answer: float | None
    orders_led: int
    earned: int


def member_figures(
    network: Network,
    since: datetime.datetime,
    until: datetime.datetime,
    orders: list[tuple],
    earned: dict[int, int],
) -> tuple[MemberFigures, ...]:
    """Return every member's answers (brokerage.sla), orders led and earnings (2 queries)."""
    answers = {record.firm_id: record for record in member_sla(network, since=since, until=until)}
    led = defaultdict(int)
    for _, _, _, _, leader in orders:
        led[leader] += 1
    members = []
    for membership in (
        Membership.objects.filter(network=network)
        .exclude(role=Membership.Role.OFFICE)
        .select_related("firm")
        .order_by("firm__name_en", "firm_id")
    ):
        record = answers.get(membership.firm_id)
        members.append(
            MemberFigures(
                firm_id=membership.firm_id,
                firm_name=membership.firm.name,
                role=membership.role,
                invited=record.invited if record else 0,
                answered=record.answered if record else 0,
                no_response=record.no_response if record else 0,
                response_rate=record.response_rate if record else None,
                median_minutes_to_answer=record.median_minutes_to_answer if record else None,
                orders_led=led.get(membership.firm_id, 0),
                earned=earned.get(membership.firm_id, 0),
            )
        )
    return tuple(members)
