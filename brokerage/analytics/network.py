"""A network's figures for a period, put together from each part's module in a constant
number of queries."""

import datetime
from dataclasses import dataclass

from brokerage.analytics.competing_groups import GroupFigures, group_figures
from brokerage.analytics.consultation_phases import PhaseFigures, phase_figures
from brokerage.analytics.directory_contacts import FirmCount, directory_figures
from brokerage.analytics.estimate_times import EstimateTimes, estimate_figures
from brokerage.analytics.member_figures import MemberFigures, member_figures
from brokerage.analytics.months import MonthFigures, Monthly
from brokerage.analytics.order_values import FollowOns, OrderValues, order_figures
from brokerage.analytics.request_outcomes import StatusCount, request_outcomes
from brokerage.analytics.skills_acquired import SkillAcquired, skill_figures
from brokerage.analytics.turnover import Revenue, money_figures
from members.models import Network
from orders.models import RFQ, Order


@dataclass(frozen=True)
class NetworkAnalytics:
    """A network's figures for a period (see the package docstring for what each counts)."""

    network: Network
    since: datetime.datetime
    until: datetime.datetime
    requests: int
    orders: int
    conversion: float | None
    statuses: tuple[StatusCount, ...]
    months: tuple[MonthFigures, ...]
    estimate_times: EstimateTimes
    order_values: OrderValues
    follow_ons: FollowOns
    revenue: Revenue
    members: tuple[MemberFigures, ...]
    skills: tuple[SkillAcquired, ...]
    directory_contacts: int
    directory_firms: tuple[FirmCount, ...]
    groups: tuple[GroupFigures, ...]
    phases: tuple[PhaseFigures, ...]
    commercialized: int | None  # consultation networks only


def network_analytics(
    network: Network, *, since: datetime.datetime, until: datetime.datetime
) -> NetworkAnalytics:
    """Return the network's figures for [since, until) in a constant number of queries.

    About twenty queries, the same for every network of a policy whatever its history;
    a competing-groups or consultation network takes two more for its groups or phases.
    """
    monthly = Monthly(network.tzinfo)
    requests = RFQ.objects.filter(network=network, submitted_at__gte=since, submitted_at__lt=until)
    statuses, follow_on_requests = request_outcomes(requests, monthly)
    request_total = sum(status.count for status in statuses)
    orders = list(
        Order.objects.filter(rfq__in=requests).values_list(
            "id", "total", "follow_on_of_id", "rfq__kind", "leader_firm_id"
        )
    )
    order_values, follow_ons = order_figures(requests, orders, follow_on_requests)
    revenue, earned = money_figures(network, since, until, monthly)
    directory_firms = directory_figures(network, since, until, monthly)
    groups, phases, commercialized = (), (), None
    if network.policy == Network.Policy.COMPETING_GROUPS:
        groups = group_figures(network, requests)
    if network.policy == Network.Policy.CONSULTATION:
        phases, commercialized = phase_figures(requests)
    return NetworkAnalytics(
        network=network,
        since=since,
        until=until,
        requests=request_total,
        orders=len(orders),
        conversion=len(orders) / request_total if request_total else None,
        statuses=statuses,
        months=monthly.figures(since, until),
        estimate_times=estimate_figures(network, requests, since, until),
        order_values=order_values,
        follow_ons=follow_ons,
        revenue=revenue,
        members=member_figures(network, since, until, orders, earned),
        skills=skill_figures(network, since, until),
        directory_contacts=sum(firm.count for firm in directory_firms),
        directory_firms=directory_firms,
        groups=groups,
        phases=phases,
        commercialized=commercialized,
    )
