"""Each member firm's figures: how it answered invitations (response rate, time to answer,
as `brokerage.sla` counts them), the orders it led, what it earned, and how it delivered
(on-time rate and the customers' average rating, as `orders.performance` counts them)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from brokerage.sla import member_sla
from members.models import Membership, Network
from orders.performance import firm_performances


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
    delivered_packages: int = 0
    on_time_rate: float | None = None
    rated_orders: int = 0
    average_rating: float | None = None


def member_figures(
    network: Network,
    since: datetime.datetime,
    until: datetime.datetime,
    orders: list[tuple],
    earned: dict[int, int],
) -> tuple[MemberFigures, ...]:
    """Return every member's answers (brokerage.sla), orders led, earnings and delivery."""
    answers = {record.firm_id: record for record in member_sla(network, since=since, until=until)}
    led = defaultdict(int)
    for _, _, _, _, leader in orders:
        led[leader] += 1
    memberships = list(
        Membership.objects.filter(network=network)
        .exclude(role=Membership.Role.OFFICE)
        .select_related("firm")
        .order_by("firm__name_en", "firm_id")
    )
    delivery = firm_performances(
        [membership.firm_id for membership in memberships],
        network_ids=[network.pk],
        period=(since, until),
    )
    members = []
    for membership in memberships:
        record = answers.get(membership.firm_id)
        performance = delivery[membership.firm_id]
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
                delivered_packages=performance.delivered,
                on_time_rate=performance.on_time_rate,
                rated_orders=performance.rated_orders,
                average_rating=performance.average_rating,
            )
        )
    return tuple(members)
