"""Idempotency-Key: a key belongs to its caller and its endpoint, and is read after permission."""

import pytest

from members.models import Notification
from orders.models import RFQ, Event
from tests.kit.factories import AcceptedOrderFactory, CustomerFactory
from tests.kit.steps import as_user, in_production
from tests.kit.worlds import kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Unreleased e-bike motor housing"


def request_body(world, **fields) -> dict:
    return {
        "network": world.network.slug,
        "title": SECRET_TITLE,
        "description": "Confidential: not yet announced.",
        "requirements": [{"capability": "process.machining.milling"}],
        "confidential": True,
        **fields,
    }


def test_another_customers_key_returns_nothing_of_theirs():
    # Given a customer who submitted a confidential request with a key
    world = kyoto_world()
    first = as_user(world.customer).post(
        "/api/rfqs/", request_body(world), format="json", HTTP_IDEMPOTENCY_KEY="shared-key"
    )
    assert first.status_code == 201, first.json()
    # When another customer sends the same key, naming the first customer in the body
    intruder = as_user(CustomerFactory())
    response = intruder.post(
        "/api/rfqs/",
        request_body(world, title="Anything", customer=world.customer.pk),
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )
    # Then it is refused as any such request is, and nothing of the first is in the answer
    assert response.status_code in (400, 403), response.content
    assert SECRET_TITLE not in response.content.decode()
    assert str(first.json()["id"]) not in response.content.decode()
    # And with its own body the same key is simply a new key for the other customer
    response = intruder.post(
        "/api/rfqs/",
        request_body(world, title="My own bracket"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] != first.json()["id"]
    assert response.json()["title"] == "My own bracket"
    assert RFQ.objects.count() == 2


def test_a_follow_on_with_a_foreign_key_writes_nothing_to_the_foreign_request():
    # Given a customer with an order in Migakiya and a request in another network,
    # submitted there with a key
    migakiya = migakiya_world()
    order = in_production(migakiya, AcceptedOrderFactory(world=migakiya))
    kyoto = kyoto_world()
    foreign = as_user(migakiya.customer).post(
        "/api/rfqs/", request_body(kyoto), format="json", HTTP_IDEMPOTENCY_KEY="their-key"
    )
    assert foreign.status_code == 201, foreign.json()
    foreign_id = foreign.json()["id"]
    events_before = Event.objects.filter(rfq_id=foreign_id).count()
    # When Migakiya's office asks for a follow-on of its order with that key
    response = as_user(migakiya.office_user).post(
        f"/api/orders/{order.pk}/follow-on/",
        {"title": "Mass production", "description": "5,000 cups", "quantity": 5000},
        format="json",
        HTTP_IDEMPOTENCY_KEY="their-key",
    )
    # Then a new request of its own network is submitted, and the foreign one is untouched:
    # not linked, no event in its timeline, nobody notified about it
    assert response.status_code == 201, response.json()
    assert response.json()["rfq"] != foreign_id
    assert RFQ.objects.get(pk=response.json()["rfq"]).network_id == migakiya.network.pk
    assert RFQ.objects.get(pk=foreign_id).follow_on_of_id is None
    assert Event.objects.filter(rfq_id=foreign_id).count() == events_before
    assert not Notification.objects.filter(
        kind="order.follow_on", subject_type="rfq", subject_id=foreign_id
    ).exists()


def test_the_same_key_and_body_replay_and_a_different_body_is_a_conflict():
    # Given a follow-on asked for with a key
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    client = as_user(world.customer)
    url = f"/api/orders/{order.pk}/follow-on/"
    body = {"title": "Mass production", "description": "5,000 cups", "quantity": 5000}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # When the same key comes again with the same body, and then with another body
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = client.post(
        url, {**body, "quantity": 6000}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # Then the replay answers the first request, and the changed body is refused with 409
    assert first.status_code == again.status_code == 201
    assert again.json()["rfq"] == first.json()["rfq"]
    assert changed.status_code == 409, changed.content
    assert "Idempotency-Key" in changed.json()["detail"]
    assert RFQ.objects.filter(follow_on_of=order).count() == 1
    # And on the submission endpoint too: a changed body under a used key is a conflict
    kyoto = kyoto_world()
    customer = as_user(kyoto.customer)
    customer.post("/api/rfqs/", request_body(kyoto), format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    response = customer.post(
        "/api/rfqs/",
        request_body(kyoto, quantity=7),
        format="json",
        HTTP_IDEMPOTENCY_KEY="s-1",
    )
    assert response.status_code == 409, response.content
