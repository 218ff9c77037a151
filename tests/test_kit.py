"""The shared test helpers do what they say: the pinned clock, the order factories."""

import datetime

import pytest
from django.utils import timezone

from orders.models import RFQ, Allocation, Order, Payment, TeamMember
from tests.kit.clock import ORDINARY_MOMENT, tokyo
from tests.kit.factories import (
    AcceptedOrderFactory,
    MembershipFactory,
    OrderInProductionFactory,
    PaymentFactory,
)
from tests.kit.steps import given_a_paid_order, ledger_is_balanced
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db


def test_the_clock_stands_where_it_is_put_and_moves_only_when_told(clock):
    # Given the clock pinned at its ordinary moment
    assert timezone.now() == ORDINARY_MOMENT
    assert timezone.now().tzinfo == datetime.UTC
    # When it is put at New Year's Eve, half an hour before midnight in Tokyo
    clock.set(tokyo(2026, 12, 31, 23, 30))
    # Then Django's local date is Tokyo's, although it is still 14:30 on the 31st in UTC
    assert timezone.localdate() == datetime.date(2026, 12, 31)
    assert timezone.now() == datetime.datetime(2026, 12, 31, 14, 30, tzinfo=datetime.UTC)
    # And moved on by an hour, it is next year in Tokyo
    clock.advance(hours=1)
    assert timezone.localdate() == datetime.date(2027, 1, 1)
    assert timezone.localtime().hour == 0
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime.datetime(2026, 1, 1))


def test_factories_read_the_pinned_clock(clock):
    clock.set(tokyo(2026, 2, 3, 4, 5))
    membership = MembershipFactory()
    assert membership.network_agreed_at == clock.now


def test_an_accepted_order_agrees_with_its_estimate_and_has_no_team_yet():
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world, subtotal=100_000)
    assert order.status == Order.Status.TEAM_FORMING
    assert order.rfq.status == RFQ.Status.ACCEPTED
    assert (order.customer, order.network) == (world.customer, world.network)
    assert order.leader_firm == world.firms["admin1"]
    assert (order.subtotal, order.tax, order.total) == (100_000, 10_000, 110_000)
    assert order.estimate.total == order.total
    assert order.estimate.created_by == world.office_user
    assert sum(order.estimate.lines.values_list("amount", flat=True)) == order.subtotal
    assert not TeamMember.objects.filter(order=order).exists()


def test_an_order_in_production_has_its_confirmed_team_by_share():
    world = migakiya_world()
    order = OrderInProductionFactory(
        world=world, subtotal=300_000, team={"admin1": 4_000, "polisher1": 6_000}
    )
    team = {part.firm_id: part for part in TeamMember.objects.filter(order=order)}
    assert {firm: part.share_bps for firm, part in team.items()} == {
        world.firms["admin1"].pk: 4_000,
        world.firms["polisher1"].pk: 6_000,
    }
    assert team[world.firms["admin1"].pk].role == TeamMember.Role.LEADER
    assert all(part.confirmation == TeamMember.Confirmation.CONFIRMED for part in team.values())
    lines = dict(order.estimate.lines.values_list("firm_id", "amount"))
    assert lines == {world.firms["admin1"].pk: 120_000, world.firms["polisher1"].pk: 180_000}


def test_a_paid_order_is_split_and_posted_by_the_services():
    world = migakiya_world()
    order = given_a_paid_order(world, subtotal=100_000)
    payment = Payment.objects.get(order=order)
    assert payment.amount == order.total == 110_000
    parts = Allocation.objects.filter(payment=payment).values_list("amount", flat=True)
    assert sum(parts) == payment.amount
    assert ledger_is_balanced()


def test_a_payment_is_never_built_in_the_tables():
    with pytest.raises(TypeError, match="payments service"):
        PaymentFactory.build()
