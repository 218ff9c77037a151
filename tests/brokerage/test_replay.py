"""A replayed year of each demo network: the studies' figures, exact money, deadlines fired
once, analytics that equal the rows recounted by hand.

The demo is loaded and every network replayed once for the whole module (seed 1, the year
before 1 April 2026), inside a transaction rolled back at the end. Kyoto, Migakiya and the
Ota groups are replayed in full; Rodan21's 1,000+ requests are replayed at a quarter of
the volume over the same year, with the same shapes, and checked for the study's share
(the full year is checked by `manage.py replay_year --network rodan21 --check`).

The studies' figures need the full volume: those tests are marked `study_figures`, and the
year is replayed at the volumes above only when one of them is selected (CI's second step,
`make test-study`). Otherwise (`make test` deselects them) the same invariants are checked
on a tenth of that volume: exact money, deadlines fired once, analytics equal to the rows.
"""

import datetime
import statistics
import zoneinfo
from collections import Counter, defaultdict

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from brokerage.analytics.network import network_analytics
from brokerage.models import Deadline, GroupProposal, Invitation, PhaseAssignment
from capabilities.models import DirectoryContact, FirmCapabilityChange
from demo.loader import demo_load
from demo.replay import ReplayRefused, replay_network
from demo.replay.figures import compare_with_study
from demo.replay.markers import REPLAY_KEY_PREFIX, REPLAY_USERNAME_PREFIX, replay_exists
from members.models import Network, Notification
from orders.models import RFQ, Allocation, Event, LedgerEntry, Order, Payment, Refund

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
UNTIL = datetime.datetime(2026, 4, 1, tzinfo=TOKYO)
SCALES = {
    "kyoto-shisaku-net": 1.0,
    "migakiya-syndicate": 1.0,
    "ota-skill-coordinators": 1.0,
    "rodan21": 0.25,
}
FULL_YEARS = sorted(slug for slug, scale in SCALES.items() if scale == 1.0)
# The share of those volumes replayed when no study figure is checked.
INVARIANTS_FRACTION = 0.1
study_figures = pytest.mark.study_figures


def studies_selected(request) -> bool:
    """Return whether this run checks any study figure of this module."""
    return any(
        item.module is request.module and item.get_closest_marker("study_figures")
        for item in request.session.items
    )


@pytest.fixture(scope="module")
def volume(request) -> float:
    """Return the share of the networks' volumes replayed in this run."""
    return 1.0 if studies_selected(request) else INVARIANTS_FRACTION


@pytest.fixture(scope="module")
def replayed(volume, django_db_setup, django_db_blocker):
    """Load the demo and replay every network once; roll it all back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        outcomes = {
            slug: replay_network(
                Network.objects.get(slug=slug), seed=1, until=UNTIL, scale=scale * volume
            )
            for slug, scale in SCALES.items()
        }
        yield outcomes
        transaction.set_rollback(True)


@study_figures
@pytest.mark.parametrize("slug", FULL_YEARS)
def test_each_network_lands_within_its_studies_figures(replayed, slug):
    # Given the network's replayed year (seed 1)
    outcome = replayed[slug]
    # When its figures are read back through the analytics, beside the study's
    _figures, comparisons = compare_with_study(
        outcome.network, since=outcome.start, until=outcome.end
    )
    # Then every figure of the study is within its range
    assert comparisons
    outside = [
        f"{row.figure.label}: {row.value_text} (study: {row.figure.study})"
        for row in comparisons
        if not row.within
    ]
    assert outside == []


@study_figures
def test_a_quarter_of_rodan21s_year_keeps_the_studys_shape(replayed):
    # Given a quarter of Rodan21's requests replayed over the whole year
    outcome = replayed["rodan21"]
    figures = network_analytics(outcome.network, since=outcome.start, until=outcome.end)
    # Then a quarter of "over 1,000" came in, and about 250 in 1,000+ were commercialized:
    # the same share (within a quarter of it, as a quarter of the year is a smaller sample)
    assert figures.requests >= 1_000 * SCALES["rodan21"]
    share = figures.commercialized / figures.requests
    assert 0.75 * 250 / 1_060 <= share <= 1.25 * 250 / 1_060
    # And every commercialized project is a signed order with a production phase or later
    assert figures.commercialized <= figures.orders


def test_the_services_refused_no_step_of_the_replay(replayed):
    # Given every network's replayed year
    # Then the people acted only when the services allowed it
    assert {slug: outcome.refusals for slug, outcome in replayed.items()} == {
        slug: {} for slug in replayed
    }


@study_figures
def test_kyoto_signs_about_a_fifth_and_customers_come_back(replayed):
    # Given Kyoto Shisaku Net's year
    outcome = replayed["kyoto-shisaku-net"]
    figures = network_analytics(outcome.network, since=outcome.start, until=outcome.end)
    # Then about 20% of the requests become contracts, most estimated within two hours,
    # satisfied prototype customers come back and members learn skills through set orders
    assert 0.15 <= figures.conversion <= 0.25
    assert figures.estimate_times.share_in_window >= 0.6
    assert figures.follow_ons.follow_on_orders >= 1
    assert figures.follow_ons.prototype_orders_followed >= 1
    assert len(figures.skills) >= 1
    assert all(skill.order_id for skill in figures.skills)


@study_figures
def test_the_ota_groups_compete_and_each_wins_some(replayed):
    # Given the Ota groups' year
    outcome = replayed["ota-skill-coordinators"]
    figures = network_analytics(outcome.network, since=outcome.start, until=outcome.end)
    # Then the four groups proposed for requests, and each won some of them
    assert len(figures.groups) == 4
    assert all(group.proposed and group.wins for group in figures.groups)
    assert sum(group.wins for group in figures.groups) <= figures.requests


def test_every_payment_and_refund_is_split_exactly(replayed, volume):
    # Given the money of every replayed year
    payments = dict(Payment.objects.values_list("pk", "amount"))
    refunds = dict(
        Refund.objects.filter(source=Refund.Source.ALLOCATIONS).values_list("pk", "amount")
    )
    assert len(payments) > 300 * volume
    # When the allocations are added up per payment and per refund
    by_payment = dict(
        Allocation.objects.filter(payment__isnull=False)
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    by_refund = dict(
        Allocation.objects.filter(refund__isnull=False)
        .values("refund_id")
        .annotate(total=Sum("amount"))
        .values_list("refund_id", "total")
    )
    # Then each payment's parts sum to it to the yen, and each reversal to minus its refund
    assert by_payment == payments
    assert by_refund == {pk: -amount for pk, amount in refunds.items()}
    # And the fee attributed to the members of a payment is exactly its office fee
    for payment_id in payments:
        parts = Allocation.objects.filter(payment_id=payment_id)
        fee = parts.get(party=Allocation.Party.OFFICE_FEE).amount
        assert sum(parts.values_list("fee_withheld", flat=True)) == fee
    # And every ledger posting balances
    sides = defaultdict(int)
    for posting_id, side, amount in LedgerEntry.objects.values_list("posting_id", "side", "amount"):
        sides[posting_id] += amount if side == LedgerEntry.Side.DEBIT else -amount
    assert set(sides.values()) == {0}


def test_no_deadline_fires_twice(replayed, volume):
    # Given every replayed request's deadlines
    fired = set(
        Deadline.objects.filter(fired_at__isnull=False).values_list(
            "rfq_id", "kind", "round", "stage"
        )
    )
    # When the events the deadlines wrote are counted per request, kind, invitation round
    # and stage
    events = Counter(
        (rfq_id, kind.removeprefix("deadline."), data["round"], data["stage"])
        for rfq_id, kind, data in Event.objects.filter(kind__startswith="deadline.").values_list(
            "rfq_id", "kind", "data"
        )
    )
    # Then each fired deadline wrote exactly one event, and no other deadline wrote any
    assert len(fired) > 1_000 * volume
    assert max(events.values()) == 1
    assert set(events) == fired
    # And none was both fired and cancelled
    assert not Deadline.objects.filter(fired_at__isnull=False, cancelled_at__isnull=False)


def test_replayed_rows_are_marked_and_a_network_is_never_replayed_twice(replayed):
    # Given the replayed networks
    for slug, outcome in replayed.items():
        requests = RFQ.objects.filter(network=outcome.network, submitted_at__lt=outcome.end)
        # Then every replayed request and customer carries the replay's mark
        assert replay_exists(outcome.network)
        assert all(
            key.startswith(REPLAY_KEY_PREFIX)
            for key in requests.values_list("idempotency_key", flat=True)
        ), slug
        assert all(
            name.startswith(REPLAY_USERNAME_PREFIX)
            for name in requests.values_list("customer__username", flat=True)
        ), slug
        # And a second replay of the same network is refused
        with pytest.raises(ReplayRefused):
            replay_network(outcome.network, seed=2, until=UNTIL)


def test_replayed_history_is_never_delivered(replayed):
    # Given the notifications the replayed services wrote
    end = max(outcome.end for outcome in replayed.values())
    replayed_notifications = Notification.objects.filter(created_at__lt=end)
    # Then no e-mail, SMS or webhook of the past waits to be sent, and the inbox has history
    assert not replayed_notifications.exclude(channel=Notification.Channel.IN_APP).filter(
        status=Notification.Status.PENDING
    )
    assert replayed_notifications.filter(channel=Notification.Channel.IN_APP).count() > 1_000


def recount(network: Network, since: datetime.datetime, until: datetime.datetime) -> dict:
    """Recount a network's figures from its rows, one row at a time, without the analytics."""
    tz = network.tzinfo
    requests = [
        rfq
        for rfq in RFQ.objects.filter(network=network)
        if rfq.submitted_at and since <= rfq.submitted_at < until
    ]
    ids = {rfq.pk for rfq in requests}
    orders = [order for order in Order.objects.filter(network=network) if order.rfq_id in ids]
    first_sent = {}
    for event in Event.objects.filter(kind="estimate.sent", rfq_id__in=ids):
        if event.rfq_id not in first_sent or event.at < first_sent[event.rfq_id]:
            first_sent[event.rfq_id] = event.at
    allocations = [
        allocation
        for allocation in Allocation.objects.filter(order__network=network)
        if since <= allocation.created_at < until
    ]
    invitations = defaultdict(Counter)
    for invitation in Invitation.objects.filter(rfq__network=network):
        # A board vote closed as not needed was never the member's to answer.
        if invitation.status == Invitation.Status.NOT_NEEDED:
            continue
        if since <= invitation.created_at < until:
            invitations[invitation.firm_id]["invited"] += 1
            if invitation.status in Invitation.ANSWERED and invitation.answered_at:
                invitations[invitation.firm_id]["answered"] += 1
            elif invitation.status == Invitation.Status.NO_RESPONSE:
                invitations[invitation.firm_id]["no_response"] += 1
    network_orders = set(Order.objects.filter(network=network).values_list("pk", flat=True))
    commercial = {
        phase.rfq_id
        for phase in PhaseAssignment.objects.filter(rfq_id__in=ids)
        if phase.phase in ("production", "commercialization")
    }
    totals = sorted(order.total for order in orders)
    return {
        "requests": len(requests),
        "orders": len(orders),
        "months": Counter(rfq.submitted_at.astimezone(tz).strftime("%Y-%m") for rfq in requests),
        "estimated": len(first_sent),
        "in_window": sum(
            1
            for rfq in requests
            if rfq.pk in first_sent
            and (rfq.estimate_due_at is None or first_sent[rfq.pk] <= rfq.estimate_due_at)
        ),
        "order_min": totals[0] if totals else None,
        "order_median": statistics.median_low(totals) if totals else None,
        "order_max": totals[-1] if totals else None,
        "follow_on_orders": sum(1 for order in orders if order.follow_on_of_id),
        "paid": sum(
            payment.amount
            for payment in Payment.objects.filter(network=network)
            if since <= payment.received_at < until
        ),
        "to_members": sum(a.amount for a in allocations if a.party == Allocation.Party.MEMBER),
        "office_fees": sum(a.amount for a in allocations if a.party == Allocation.Party.OFFICE_FEE),
        "invitations": {firm: dict(counts) for firm, counts in invitations.items()},
        "skills": sum(
            1
            for change in FirmCapabilityChange.objects.filter(order_id__isnull=False)
            if change.order_id in network_orders and since <= change.at < until
        ),
        "directory_contacts": sum(
            1
            for contact in DirectoryContact.objects.filter(network=network)
            if since <= contact.created_at < until
        ),
        "wins": Counter(
            proposal.group_id
            for proposal in GroupProposal.objects.filter(status=GroupProposal.Status.CHOSEN)
            if proposal.rfq_id in ids
        ),
        "commercialized": sum(1 for order in orders if order.rfq_id in commercial),
    }


@pytest.mark.parametrize("slug", sorted(SCALES))
def test_the_analytics_equal_the_rows_recounted_by_hand(replayed, slug):
    # Given a replayed network and a period that cuts through its year
    network = replayed[slug].network
    since = replayed[slug].start + datetime.timedelta(days=40)
    until = replayed[slug].end - datetime.timedelta(days=25)
    # When its analytics are read, and its rows recounted one by one
    figures = network_analytics(network, since=since, until=until)
    expected = recount(network, since, until)
    # Then every figure is what the rows say
    assert figures.requests == expected["requests"] > 0
    assert figures.orders == expected["orders"]
    assert {
        month.month.strftime("%Y-%m"): month.requests for month in figures.months if month.requests
    } == dict(expected["months"])
    assert figures.estimate_times.estimated == expected["estimated"]
    assert figures.estimate_times.in_window == expected["in_window"]
    assert sum(b.count for b in figures.estimate_times.histogram) == expected["estimated"]
    assert figures.order_values.minimum == expected["order_min"]
    assert figures.order_values.median == expected["order_median"]
    assert figures.order_values.maximum == expected["order_max"]
    assert figures.follow_ons.follow_on_orders == expected["follow_on_orders"]
    assert figures.revenue.paid == expected["paid"]
    assert figures.revenue.to_members == expected["to_members"]
    assert figures.revenue.office_fees == expected["office_fees"]
    assert sum(member.earned for member in figures.members) == expected["to_members"]
    for member in figures.members:
        counts = expected["invitations"].get(member.firm_id, {})
        assert member.invited == counts.get("invited", 0)
        assert member.answered == counts.get("answered", 0)
        assert member.no_response == counts.get("no_response", 0)
    assert len(figures.skills) == expected["skills"]
    assert figures.directory_contacts == expected["directory_contacts"]
    assert {g.group_id: g.wins for g in figures.groups if g.wins} == dict(expected["wins"])
    if network.policy == Network.Policy.CONSULTATION:
        assert figures.commercialized == expected["commercialized"]


def test_a_year_of_figures_takes_as_many_queries_as_an_empty_network(replayed):
    # Given a replayed year and a network with nothing in the period
    outcome = replayed["kyoto-shisaku-net"]
    empty = Network.objects.create(
        slug="empty-test", name_ja="空", name_en="Empty", policy="competency_broadcast"
    )
    # When both are read
    with CaptureQueriesContext(connection) as year_queries:
        network_analytics(outcome.network, since=outcome.start, until=outcome.end)
    with CaptureQueriesContext(connection) as empty_queries:
        network_analytics(empty, since=outcome.start, until=outcome.end)
    # Then the year costs no more queries than nothing does
    assert len(year_queries) == len(empty_queries)
