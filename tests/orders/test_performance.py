"""Each firm's on-time delivery rate and average rating, and who may read them."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Order, Rating, TeamMember
from orders.performance import firm_performances
from tests.kit.factories import MembershipFactory, OrderInProductionFactory
from tests.kit.steps import as_user, client_for
from tests.kit.worlds import add_firm, kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db

PLANNED = datetime.date(2026, 11, 10)


def finished(world, firm_key: str, *, days_late: int | None, planned=True) -> TeamMember:
    """Give the firm a part in a new order, finished `days_late` after its plan (None: open)."""
    order = OrderInProductionFactory(world=world, team={firm_key: 10_000}, leader=firm_key)
    part = order.team_members.get()
    part.planned_finish = PLANNED if planned else None
    if days_late is not None:
        part.state = TeamMember.State.DONE
        part.finished_on = PLANNED + datetime.timedelta(days=days_late)
    part.save()
    return part


def rated(part: TeamMember, quality: int, delivery: int, communication: int) -> None:
    Order.objects.filter(pk=part.order_id).update(status=Order.Status.DELIVERED)
    Rating.objects.create(
        order_id=part.order_id,
        rated_by=part.order.customer,
        quality=quality,
        delivery=delivery,
        communication=communication,
    )


@settings(
    deadline=None,
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lateness=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=0, max_size=6),
)
def test_the_on_time_rate_is_the_share_of_finished_packages_done_by_their_date(lateness):
    # Each example runs in its own savepoint, rolled back at the end.
    with transaction.atomic():
        # Given a firm whose packages finished early, on the day, late, or are still open
        world = migakiya_world()
        for days_late in lateness:
            finished(world, "polisher1", days_late=days_late)
        # And one finished package that had no planned date (it cannot be late)
        finished(world, "polisher1", days_late=0, planned=False)
        # When its performance is read
        performance = firm_performances([world.firms["polisher1"].pk])[world.firms["polisher1"].pk]
        # Then the rate is on-time over delivered, between 0 and 1
        delivered = [days for days in lateness if days is not None]
        on_time = [days for days in delivered if days <= 0]
        assert performance.delivered == len(delivered)
        assert performance.on_time == len(on_time)
        if delivered:
            assert 0 <= performance.on_time_rate <= 1
            assert performance.on_time_rate == len(on_time) / len(delivered)
        else:
            assert performance.on_time_rate is None
        transaction.set_rollback(True)


def test_the_average_rating_is_over_the_firms_rated_orders():
    # Given a firm on two rated orders and one unrated
    world = migakiya_world()
    rated(finished(world, "polisher1", days_late=0), 5, 4, 3)
    rated(finished(world, "polisher1", days_late=1), 3, 2, 1)
    finished(world, "polisher1", days_late=None)
    # When its performance is read
    firm_id = world.firms["polisher1"].pk
    performance = firm_performances([firm_id])[firm_id]
    # Then each score and the whole are averaged over the two rated orders
    assert performance.rated_orders == 2
    assert performance.average_quality == 4
    assert performance.average_delivery == 3
    assert performance.average_communication == 2
    assert performance.average_rating == 3
    assert performance.on_time_rate == 0.5


def test_a_firm_reads_its_own_performance_and_not_another_firms():
    # Given two member firms with figures
    world = migakiya_world()
    rated(finished(world, "polisher1", days_late=0), 5, 5, 5)
    finished(world, "polisher2", days_late=3)
    own = world.firms["polisher1"].pk
    other = world.firms["polisher2"].pk
    client = as_user(world.users["polisher1"])
    # When polisher1 reads its own figures, then polisher2's
    mine = client.get(f"/api/firms/{own}/performance/")
    theirs = client.get(f"/api/firms/{other}/performance/")
    # Then it reads its own and is told another firm's does not exist
    assert mine.status_code == 200
    assert mine.json()["on_time_rate"] == 1.0
    assert mine.json()["average_rating"] == 5.0
    assert theirs.status_code == 404
    assert as_user(world.customer).get(f"/api/firms/{own}/performance/").status_code == 404


def test_the_office_reads_its_networks_members_over_its_networks_orders():
    # Given a firm that is a member of two networks, with an order in each
    world = migakiya_world()
    finished(world, "polisher1", days_late=0)
    kyoto = kyoto_world()
    firm = world.firms["polisher1"]
    kyoto.firms["polisher1"] = firm

    MembershipFactory(network=kyoto.network, firm=firm, role="member")
    finished(kyoto, "polisher1", days_late=2)
    # When each office reads the firm's performance
    migakiya = as_user(world.office_user).get(f"/api/firms/{firm.pk}/performance/").json()
    kyoto_answer = as_user(kyoto.office_user).get(f"/api/firms/{firm.pk}/performance/").json()
    # Then each counts only its own network's orders; the firm itself counts both
    assert (migakiya["delivered"], migakiya["on_time"]) == (1, 1)
    assert (kyoto_answer["delivered"], kyoto_answer["on_time"]) == (1, 0)
    own = as_user(world.users["polisher1"]).get(f"/api/firms/{firm.pk}/performance/").json()
    assert (own["delivered"], own["on_time"]) == (2, 1)


def test_an_office_does_not_read_a_firm_outside_its_networks():
    # Given a firm of another network
    world = migakiya_world()
    other = kyoto_world()
    outsider = add_firm(other, "outsider", "member", {})
    # When the Migakiya office reads its performance
    response = as_user(world.office_user).get(f"/api/firms/{outsider.pk}/performance/")
    # Then there is no such firm for it
    assert response.status_code == 404


def test_a_member_sees_its_performance_on_its_statements_in_its_language():
    # Given a firm with one package finished on time and a rated order
    world = migakiya_world()
    rated(finished(world, "polisher1", days_late=0), 4, 4, 4)
    # When its people open their statements, in English and in Japanese
    english = client_for(world.users["polisher1"]).get("/statements/").content.decode()
    japanese = (
        client_for(world.users["polisher1"], language="ja").get("/statements/").content.decode()
    )
    # Then the section shows its on-time rate and rating, translated
    assert "My performance" in english
    assert "100%" in english
    assert "4.0/5" in english
    assert "自社の実績" in japanese
    assert "On-time delivery" not in japanese


def test_the_office_reads_a_members_performance_on_its_statement_not_its_own():
    # Given a member firm with a finished package
    world = migakiya_world()
    finished(world, "polisher1", days_late=2)
    client = client_for(world.office_user)
    # When the office opens its members' statements, then polisher1's
    listing = client.get("/statements/").content.decode()
    statement = client.get(
        f"/statements/{world.network.slug}/{world.firms['polisher1'].pk}/"
    ).content.decode()
    # Then the list has no "My performance" of the office, the statement has polisher1's
    assert "My performance" not in listing
    assert "Delivery performance in this network" in statement
    assert "0 of 1 work packages by their planned date" in statement
