"""The customer rates a delivered order, once, changing it for a while; nobody else may."""

import pytest

from core.errors import NotAllowed, Refusal
from members.models import Notification
from orders.models import Event, Order, Rating
from orders.services import ratings
from tests.kit.factories import OrderInProductionFactory
from tests.kit.steps import as_user, client_for
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db

SCORES = {"quality": 5, "delivery": 4, "communication": 3}


def delivered_order(world, status=Order.Status.DELIVERED) -> Order:
    return OrderInProductionFactory(
        world=world, team={"admin1": 4_000, "polisher1": 6_000}, status=status
    )


def rate(user, order, **body):
    return as_user(user).post(f"/api/orders/{order.pk}/rating/", {**SCORES, **body}, format="json")


def test_the_customer_rates_a_delivered_order_and_the_team_and_office_are_told():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When its customer rates it with a comment
    response = rate(world.customer, order, comment="Lovely finish.")
    # Then the rating is kept and read back, on the timeline, and told to the team and office
    assert response.status_code == 200, response.json()
    assert response.json()["quality"] == 5
    rating = Rating.objects.get(order=order)
    assert (rating.quality, rating.delivery, rating.communication) == (5, 4, 3)
    assert rating.comment == "Lovely finish."
    assert Event.objects.filter(order=order, kind="order.rated").count() == 1
    told = set(
        Notification.objects.filter(kind="order.rated").values_list("recipient_id", flat=True)
    )
    assert {world.users["admin1"].pk, world.users["polisher1"].pk, world.office_user.pk} <= told
    assert world.users["polisher2"].pk not in told
    assert world.customer.pk not in told
    read = as_user(world.users["polisher1"]).get(f"/api/orders/{order.pk}/rating/")
    assert read.status_code == 200
    assert read.json()["comment"] == "Lovely finish."


def test_a_completed_order_may_be_rated_too():
    # Given a completed order
    world = migakiya_world()
    order = delivered_order(world, status=Order.Status.COMPLETED)
    # When its customer rates it
    response = rate(world.customer, order)
    # Then it is kept
    assert response.status_code == 200
    assert Rating.objects.filter(order=order).exists()


@pytest.mark.parametrize("status", [Order.Status.IN_PRODUCTION, Order.Status.CANCELLED])
def test_an_order_not_delivered_cannot_be_rated(status):
    # Given an order that is not delivered
    world = migakiya_world()
    order = delivered_order(world, status=status)
    # When its customer tries to rate it
    response = rate(world.customer, order)
    # Then it is refused as a conflict, saying it must be delivered, and nothing is kept
    assert response.status_code == 409
    assert "delivered" in str(response.json())
    assert not Rating.objects.exists()


def test_nobody_but_the_customer_rates():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When the leader, the office, a team firm and a firm outside the team try to rate it
    answers = {
        key: rate(user, order).status_code
        for key, user in {
            "leader": world.users["admin1"],
            "office": world.office_user,
            "team": world.users["polisher1"],
            "outsider": world.users["polisher2"],
        }.items()
    }
    # Then those who see the order are forbidden, the outsider does not find it
    assert answers == {"leader": 403, "office": 403, "team": 403, "outsider": 404}
    assert not Rating.objects.exists()


def test_the_service_refuses_anyone_but_the_customer():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When the office calls the service directly
    # Then it is refused
    with pytest.raises(NotAllowed):
        ratings.order_rate(order_id=order.pk, user=world.office_user, **SCORES)


@pytest.mark.parametrize("score", [0, 6, -1, "five", None])
def test_scores_outside_one_to_five_are_refused_with_a_clear_message(score):
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When the customer gives a score outside 1 to 5
    response = rate(world.customer, order, quality=score)
    # Then it is refused on that field, saying what to give
    assert response.status_code == 400
    assert "1 to 5" in str(response.json())
    assert "quality" in str(response.json())
    assert not Rating.objects.exists()


def test_the_service_refuses_a_score_outside_one_to_five():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When a caller passes a score of 9 to the service
    # Then it is refused, naming the field
    with pytest.raises(Refusal) as refused:
        ratings.order_rate(
            order_id=order.pk, user=world.customer, quality=3, delivery=9, communication=3
        )
    assert set(refused.value.fields) == {"delivery"}


def test_rating_again_within_the_window_changes_it(clock):
    # Given an order the customer rated
    world = migakiya_world()
    order = delivered_order(world)
    assert rate(world.customer, order).status_code == 200
    # When they rate it again 29 days later
    clock.advance(days=29)
    response = rate(world.customer, order, quality=2, comment="It rusted.")
    # Then the one rating is changed, and the change is on the timeline
    assert response.status_code == 200
    rating = Rating.objects.get(order=order)
    assert (rating.quality, rating.comment) == (2, "It rusted.")
    assert Rating.objects.count() == 1
    kinds = list(Event.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds.count("order.rated") == 1
    assert kinds.count("order.rating_changed") == 1


def test_after_the_window_the_rating_stays(clock):
    # Given an order the customer rated
    world = migakiya_world()
    order = delivered_order(world)
    assert rate(world.customer, order).status_code == 200
    # When they try to change it 31 days later
    clock.advance(days=31)
    response = rate(world.customer, order, quality=1)
    # Then it is refused and the rating stays
    assert response.status_code == 409
    assert Rating.objects.get(order=order).quality == 5


def test_an_unrated_order_has_no_rating_to_read():
    # Given a delivered order not rated yet
    world = migakiya_world()
    order = delivered_order(world)
    # When the customer reads its rating
    response = as_user(world.customer).get(f"/api/orders/{order.pk}/rating/")
    # Then there is none
    assert response.status_code == 404


def test_the_customer_rates_on_the_order_page():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    client = client_for(world.customer)
    page = client.get(f"/orders/{order.pk}/")
    # Then its page offers the rating form
    assert 'id="rating"' in page.content.decode()
    # When the customer sends it
    response = client.post(
        f"/orders/{order.pk}/rating/", {**SCORES, "comment": "Good."}, follow=True
    )
    # Then it is kept and the page shows it
    assert response.status_code == 200
    assert Rating.objects.get(order=order).comment == "Good."


def test_a_bad_score_on_the_page_is_shown_on_the_form():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When the customer sends a score of 7 from the page
    response = client_for(world.customer).post(
        f"/orders/{order.pk}/rating/", {**SCORES, "quality": 7}
    )
    # Then the page comes back with the error
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_the_team_does_not_get_the_rating_form():
    # Given a delivered order
    world = migakiya_world()
    order = delivered_order(world)
    # When the leader opens it
    page = client_for(world.users["admin1"]).get(f"/orders/{order.pk}/")
    # Then there is no form to rate, and posting one is refused
    assert 'name="quality"' not in page.content.decode()
    response = client_for(world.users["admin1"]).post(f"/orders/{order.pk}/rating/", SCORES)
    assert response.status_code in (403, 404)
    assert not Rating.objects.exists()


def test_the_rating_form_and_its_timeline_entry_speak_japanese():
    # Given a delivered order its customer rated
    world = migakiya_world()
    order = delivered_order(world)
    assert rate(world.customer, order).status_code == 200
    # When the customer reads the order page in Japanese
    page = client_for(world.customer, language="ja").get(f"/orders/{order.pk}/")
    text = page.content.decode()
    # Then the rating section, its form and the timeline entry are in Japanese
    assert "あなたの評価" in text
    assert "評価を変更する" in text
    assert "お客様が注文を評価しました" in text
    for english in ("Your rating", "Change the rating", "Customer rated the order", "Quality"):
        assert english not in text
