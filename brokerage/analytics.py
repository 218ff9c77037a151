"""How a network is doing, for its office and for platform staff: read from the event log
and the money tables, never from counters kept on the side, so every figure can be
recomputed at any time from the rows that record what happened.

Which rows a period covers
    Requests are those submitted in [since, until). Signed contracts, order values,
    follow-ons, phases and group wins follow those requests (a cohort): "of the requests
    that came in, how many became orders, worth how much". Money is counted when it
    moved: payments by the day they were received, their split (allocations) and refunds
    by when they were recorded, payouts by when the batch was closed. Members' answers are
    the invitations created in the period (as `brokerage.sla.member_sla` counts them).
    Skills are the profile changes made in the period through one of the network's
    orders; directory contacts those sent in the period through the network's directory.

Units
    Order values are the order's total including consumption tax, in yen. "To members" is
    what the allocations gave the member firms after the office fee (refund reversals
    deducted); "office fees" the office's part. Months are calendar months in the
    network's time zone.

Commercialized (Rodan21)
    The study counts requests that "resulted in the actual commercialization of parts and
    products". Here that is a signed order whose project had a firm selected for the
    production or the commercialization phase at the planning meeting.

Each network's figures take a constant number of queries (about twenty), whatever the
number of requests; the overview of several networks takes a constant number too.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import translation

from brokerage.models import GroupProposal, PhaseAssignment
from brokerage.sla import member_sla, minutes, network_sla
from capabilities.models import DirectoryContact, FirmCapabilityChange
from core import access
from members.models import Membership, Network, NetworkGroup, User
from orders.models import RFQ, Allocation, Order, Payment, PayoutBatch, PayoutLine, Refund
from orders.services.ledger import payable_balances

COMMERCIAL_PHASES = (PhaseAssignment.Phase.PRODUCTION, PhaseAssignment.Phase.COMMERCIALIZATION)

# Minutes from submission to the first estimate sent: fine steps inside the usual windows
# (two to four hours), coarser ones after.
ESTIMATE_BUCKETS = (
    (0, 30, "< 30 min"),
    (30, 60, "30-60 min"),
    (60, 90, "1-1.5 h"),
    (90, 120, "1.5-2 h"),
    (120, 240, "2-4 h"),
    (240, 480, "4-8 h"),
    (480, 1_440, "8-24 h"),
    (1_440, 4_320, "1-3 days"),
    (4_320, 10_080, "3-7 days"),
    # A consultation (Rodan21) estimates after an interview and a planning meeting: weeks.
    (10_080, 20_160, "1-2 weeks"),
    (20_160, 43_200, "2-4 weeks"),
    (43_200, None, "≥ 30 days"),
)
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


# --- Who may read which network's figures ----------------------------------------------


def analytics_networks_for_user(user: User) -> QuerySet[Network]:
    """Return the networks whose figures the person may read: staff all, an office its own."""
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_staff:
        return Network.objects.order_by("slug")
    return Network.objects.filter(pk__in=access.office_network_ids(user)).order_by("slug")


# --- The figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """A bar of a histogram: [low, high) and how many fall in it (high None: no limit)."""

    label: str
    low: int
    high: int | None
    count: int


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date  # the first day of the month, in the network's zone
    requests: int
    orders: int  # signed contracts from the month's requests
    order_value: int
    paid: int  # payments received in the month
    to_members: int  # allocated to member firms in the month
    directory_contacts: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class EstimateTimes:
    window_minutes: int
    estimated: int
    in_window: int
    share_in_window: float | None
    breached: int
    median_minutes: float | None
    histogram: tuple[Bucket, ...]


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


@dataclass(frozen=True)
class FirmCount:
    firm_id: int
    firm_name: str
    count: int


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


@dataclass(frozen=True)
class PhaseFigures:
    phase: str
    label: str
    requests: int
    orders: int


@dataclass(frozen=True)
class NetworkAnalytics:
    """A network's figures for a period (see the module docstring for what each counts)."""

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


def bucketed(values, buckets) -> tuple[Bucket, ...]:
    counts = [0] * len(buckets)
    for value in values:
        for index, (low, high, _) in enumerate(buckets):
            if value >= low and (high is None or value < high):
                counts[index] += 1
                break
    return tuple(
        Bucket(label=label, low=low, high=high, count=count)
        for (low, high, label), count in zip(buckets, counts, strict=True)
    )


def months_between(since: datetime.datetime, until: datetime.datetime, tz) -> list[datetime.date]:
    """Return the first day of every month the period touches, in the zone `tz`."""
    first = since.astimezone(tz).date().replace(day=1)
    last = (until - datetime.timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


def month_key(moment: datetime.datetime | datetime.date, tz) -> datetime.date:
    """Return the month a TruncMonth value stands for (a date on SQLite, a datetime on PG)."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(tz).date().replace(day=1)
    return moment.replace(day=1)


def firm_name(row: dict, prefix: str = "firm__") -> str:
    # The page's language decides, as Firm.name does.
    english = (translation.get_language() or "ja").startswith("en")
    first, second = ("name_en", "name_ja") if english else ("name_ja", "name_en")
    return row[f"{prefix}{first}"] or row[f"{prefix}{second}"]


class Monthly(defaultdict):
    """The period's figures per month: month → measure → value, filled by each section."""

    def __init__(self, tz):
        super().__init__(lambda: defaultdict(int))
        self.tz = tz

    def add(self, month: datetime.datetime | datetime.date, measure: str, value: int) -> None:
        self[month_key(month, self.tz)][measure] += value or 0

    def figures(self, since: datetime.datetime, until: datetime.datetime) -> tuple:
        return tuple(
            MonthFigures(
                month=month,
                requests=self[month]["requests"],
                orders=self[month]["orders"],
                order_value=self[month]["order_value"],
                paid=self[month]["paid"],
                to_members=self[month]["to_members"],
                directory_contacts=self[month]["directory_contacts"],
            )
            for month in months_between(since, until, self.tz)
        )


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


def estimate_figures(
    network: Network, requests: QuerySet[RFQ], since: datetime.datetime, until: datetime.datetime
) -> EstimateTimes:
    """Return the estimate clock's record (brokerage.sla) and the distribution behind it."""
    sla = network_sla(network, since=since, until=until)
    first_sent = requests.annotate(
        first_sent=Min("events__at", filter=Q(events__kind="estimate.sent"))
    ).filter(first_sent__isnull=False)
    waits = [
        minutes(sent - submitted)
        for submitted, sent in first_sent.values_list("submitted_at", "first_sent")
    ]
    return EstimateTimes(
        window_minutes=network.estimate_window_minutes,
        estimated=sla.estimated,
        in_window=sla.estimated_in_window,
        share_in_window=sla.share_in_window,
        breached=sla.breached,
        median_minutes=sla.median_minutes_to_estimate,
        histogram=bucketed(waits, ESTIMATE_BUCKETS),
    )


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


def directory_figures(
    network: Network, since: datetime.datetime, until: datetime.datetime, monthly: Monthly
) -> tuple[FirmCount, ...]:
    """Return the customers who wrote to members directly from the directory (2 queries)."""
    contacts = DirectoryContact.objects.filter(
        network=network, created_at__gte=since, created_at__lt=until
    )
    for row in (
        contacts.annotate(month=TruncMonth("created_at", tzinfo=monthly.tz))
        .values("month")
        .annotate(count=Count("id"))
    ):
        monthly.add(row["month"], "directory_contacts", row["count"])
    return tuple(
        FirmCount(firm_id=row["firm_id"], firm_name=firm_name(row), count=row["count"])
        for row in contacts.values("firm_id", "firm__name_ja", "firm__name_en")
        .annotate(count=Count("id"))
        .order_by("-count", "firm_id")
    )


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


# --- Several networks side by side -----------------------------------------------------


@dataclass(frozen=True)
class NetworkOverview:
    network: Network
    requests: int
    orders: int
    conversion: float | None
    order_value: int
    paid: int
    to_members: int
    directory_contacts: int


def networks_overview(
    networks: QuerySet[Network], *, since: datetime.datetime, until: datetime.datetime
) -> list[NetworkOverview]:
    """Return each network's headline figures, in five queries whatever their number."""
    networks = list(networks)
    ids = [network.pk for network in networks]
    requests = {
        row["network_id"]: row
        for row in RFQ.objects.filter(
            network_id__in=ids, submitted_at__gte=since, submitted_at__lt=until
        )
        .values("network_id")
        .annotate(count=Count("id"), orders=Count("order"), value=Sum("order__total"))
    }
    paid = dict(
        Payment.objects.filter(network_id__in=ids, received_at__gte=since, received_at__lt=until)
        .values("network_id")
        .annotate(total=Sum("amount"))
        .values_list("network_id", "total")
    )
    to_members = dict(
        Allocation.objects.filter(
            order__network_id__in=ids,
            party=Allocation.Party.MEMBER,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("order__network_id")
        .annotate(total=Sum("amount"))
        .values_list("order__network_id", "total")
    )
    contacts = dict(
        DirectoryContact.objects.filter(
            network_id__in=ids, created_at__gte=since, created_at__lt=until
        )
        .values("network_id")
        .annotate(count=Count("id"))
        .values_list("network_id", "count")
    )
    rows = []
    for network in networks:
        row = requests.get(network.pk, {})
        count, order_count = row.get("count", 0), row.get("orders", 0)
        rows.append(
            NetworkOverview(
                network=network,
                requests=count,
                orders=order_count,
                conversion=order_count / count if count else None,
                order_value=row.get("value") or 0,
                paid=paid.get(network.pk) or 0,
                to_members=to_members.get(network.pk) or 0,
                directory_contacts=contacts.get(network.pk, 0),
            )
        )
    return rows


# --- The figures as rows, for the CSV download -------------------------------------------


def analytics_rows(analytics: NetworkAnalytics) -> list[tuple[str, str, str, object]]:
    """Return every figure as (section, item, measure, value): the CSV's rows.

    The page and the CSV show the same `NetworkAnalytics`, so they always agree.
    """
    a = analytics
    rows: list[tuple[str, str, str, object]] = [
        ("period", "", "since", a.since.isoformat()),
        ("period", "", "until", a.until.isoformat()),
        ("summary", "", "requests", a.requests),
        ("summary", "", "signed_contracts", a.orders),
        ("summary", "", "conversion", ratio(a.conversion)),
        ("summary", "", "directory_contacts", a.directory_contacts),
        ("summary", "", "skills_acquired", len(a.skills)),
    ]
    if a.commercialized is not None:
        rows.append(("summary", "", "commercialized", a.commercialized))
    rows += [("status", s.status, "requests", s.count) for s in a.statuses]
    for month in a.months:
        item = month.month.strftime("%Y-%m")
        rows += [
            ("month", item, "requests", month.requests),
            ("month", item, "signed_contracts", month.orders),
            ("month", item, "order_value", month.order_value),
            ("month", item, "paid", month.paid),
            ("month", item, "to_members", month.to_members),
            ("month", item, "directory_contacts", month.directory_contacts),
        ]
    times = a.estimate_times
    rows += [
        ("time_to_estimate", "", "window_minutes", times.window_minutes),
        ("time_to_estimate", "", "estimated", times.estimated),
        ("time_to_estimate", "", "in_window", times.in_window),
        ("time_to_estimate", "", "share_in_window", ratio(times.share_in_window)),
        ("time_to_estimate", "", "breached", times.breached),
        ("time_to_estimate", "", "median_minutes", times.median_minutes),
    ]
    rows += [("time_to_estimate", b.label, "requests", b.count) for b in times.histogram]
    values = a.order_values
    rows += [
        ("order_values", "", "count", values.count),
        ("order_values", "", "total", values.total),
        ("order_values", "", "min", values.minimum),
        ("order_values", "", "median", values.median),
        ("order_values", "", "max", values.maximum),
    ]
    rows += [("order_values", b.label, "orders", b.count) for b in values.histogram]
    follow = a.follow_ons
    rows += [
        ("follow_ons", "", "prototype_orders", follow.prototype_orders),
        ("follow_ons", "", "prototype_orders_followed", follow.prototype_orders_followed),
        ("follow_ons", "", "follow_on_requests", follow.follow_on_requests),
        ("follow_ons", "", "follow_on_orders", follow.follow_on_orders),
        ("follow_ons", "", "follow_on_value", follow.follow_on_value),
    ]
    money = a.revenue
    rows += [
        ("revenue", "", "payments", money.payments),
        ("revenue", "", "paid", money.paid),
        ("revenue", "", "refunded", money.refunded),
        ("revenue", "", "office_fees", money.office_fees),
        ("revenue", "", "to_members", money.to_members),
        ("revenue", "", "paid_out", money.paid_out),
        ("revenue", "", "payout_batches", money.payout_batches),
        ("revenue", "", "owed_to_members_now", money.owed_to_members),
    ]
    for member in a.members:
        item = f"{member.firm_name} (#{member.firm_id})"
        rows += [
            ("member", item, "role", member.role),
            ("member", item, "invited", member.invited),
            ("member", item, "answered", member.answered),
            ("member", item, "no_response", member.no_response),
            ("member", item, "response_rate", ratio(member.response_rate)),
            ("member", item, "median_minutes_to_answer", member.median_minutes_to_answer),
            ("member", item, "orders_led", member.orders_led),
            ("member", item, "earned", member.earned),
        ]
    for skill in a.skills:
        item = f"{skill.firm_name} (#{skill.firm_id})"
        rows.append(("skill", item, skill.capability_code, f"order #{skill.order_id}"))
    rows += [
        ("directory", f"{firm.firm_name} (#{firm.firm_id})", "contacts", firm.count)
        for firm in a.directory_firms
    ]
    for group in a.groups:
        item = f"{group.name} (#{group.group_id})"
        rows += [
            ("group", item, "asked", group.asked),
            ("group", item, "proposed", group.proposed),
            ("group", item, "wins", group.wins),
            ("group", item, "win_share", ratio(group.win_share)),
            ("group", item, "won_value", group.won_value),
        ]
    for phase in a.phases:
        rows += [
            ("phase", phase.phase, "requests", phase.requests),
            ("phase", phase.phase, "orders", phase.orders),
        ]
    return rows


def ratio(value: float | None) -> float | None:
    """Return a share rounded for reading (four decimals), or None."""
    return None if value is None else round(value, 4)
