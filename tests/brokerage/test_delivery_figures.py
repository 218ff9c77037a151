"""Delivery figures in the network's analytics, and a member firm's own figures."""

import datetime

import pytest
from django.utils import timezone

from brokerage.analytics.network import network_analytics
from orders.models import Order, Rating, TeamMember
from tests.kit.factories import OrderInProductionFactory
from tests.kit.steps import as_user, client_for
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db


def finished_and_rated(world, key: str, *, days_late: int, quality: int) -> None:
    """Give the firm an order whose package finished `days_late` after plan, rated."""
    today = timezone.localdate()
    order = OrderInProductionFactory(world=world, team={key: 10_000}, leader=key)
    TeamMember.objects.filter(order=order).update(
        state=TeamMember.State.DONE,
        planned_finish=today - datetime.timedelta(days=days_late + 1),
        finished_on=today - datetime.timedelta(days=1),
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    Rating.objects.create(
        order=order, rated_by=world.customer, quality=quality, delivery=3, communication=3
    )


def period() -> dict:
    now = timezone.now()
    return {"since": now - datetime.timedelta(days=30), "until": now + datetime.timedelta(days=1)}


def test_the_analytics_count_each_members_on_time_rate_and_rating():
    # Given polisher1 finished one package on time and one late, both rated
    world = migakiya_world()
    finished_and_rated(world, "polisher1", days_late=0, quality=5)
    finished_and_rated(world, "polisher1", days_late=2, quality=2)
    # When the network's figures are read
    figures = network_analytics(world.network, **period())
    # Then its row has half on time and the average of its ratings; the others have none
    rows = {member.firm_id: member for member in figures.members}
    polisher1 = rows[world.firms["polisher1"].pk]
    assert (polisher1.delivered_packages, polisher1.on_time_rate) == (2, 0.5)
    assert polisher1.rated_orders == 2
    assert polisher1.average_rating == pytest.approx((5 + 3 + 3 + 2 + 3 + 3) / 6)
    polisher2 = rows[world.firms["polisher2"].pk]
    assert (polisher2.on_time_rate, polisher2.average_rating) == (None, None)


def test_the_office_page_and_api_show_the_delivery_columns():
    # Given a member with a rated order
    world = migakiya_world()
    finished_and_rated(world, "polisher1", days_late=0, quality=4)
    # When the office reads the analytics page and API
    page = client_for(world.office_user).get("/office/analytics/")
    answer = as_user(world.office_user).get(f"/api/networks/{world.network.slug}/analytics/")
    # Then both show the on-time rate and the rating
    assert "On-time delivery" in page.content.decode()
    assert "100%" in page.content.decode()
    member = next(
        row for row in answer.json()["members"] if row["firm"] == world.firms["polisher1"].pk
    )
    assert member["on_time_rate"] == 1.0
    assert member["average_rating"] == pytest.approx(10 / 3)


def test_a_member_reads_its_own_figures_and_only_its_own():
    # Given two members, one with a rated order
    world = migakiya_world()
    finished_and_rated(world, "polisher1", days_late=0, quality=5)
    # When polisher1 reads its own figures
    url = f"/api/networks/{world.network.slug}/my-figures/"
    own = as_user(world.users["polisher1"]).get(url)
    # Then it gets its own row, with its delivery figures
    assert own.status_code == 200
    assert own.json()["firm"] == world.firms["polisher1"].pk
    assert own.json()["on_time_rate"] == 1.0
    # And polisher2 gets its own, not polisher1's
    other = as_user(world.users["polisher2"]).get(url)
    assert other.json()["firm"] == world.firms["polisher2"].pk
    assert other.json()["on_time_rate"] is None
    # And the network's whole figures stay the office's
    whole = as_user(world.users["polisher1"]).get(f"/api/networks/{world.network.slug}/analytics/")
    assert whole.status_code == 403
    # And the customer has no figures there
    assert as_user(world.customer).get(url).status_code == 403
