"""Estimates expire at the end of their last valid day, in their network's zone, and the
office re-issues them as a new version the customer can accept."""

import datetime

import pytest
from django.urls import reverse

from brokerage import tasks
from members.models import Notification
from orders.models import RFQ, Estimate, Event
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, client_for, estimate_sent_to_customer
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def valid_until_today(world) -> Estimate:
    """An estimate of ¥100,000 sent today (Wednesday 18 November 2026), valid until today."""
    return estimate_sent_to_customer(world, "fushimi", valid_days=0)


def notified(kind: str, estimate: Estimate) -> set:
    return set(
        Notification.objects.filter(kind=kind, subject_id=estimate.pk).values_list(
            "recipient__username", flat=True
        )
    )


def test_an_estimate_past_its_last_valid_day_expires_with_its_request(world, clock):
    # Given an estimate valid until today, the customer silent
    estimate = valid_until_today(world)
    # When the sweeper runs in the last minute of its day, then it is still sent
    clock.set(tokyo(2026, 11, 18, 23, 59))
    assert tasks.expire_estimates() == 0
    assert Estimate.objects.get(pk=estimate.pk).status == "sent"
    # When it runs once the day is over (in Tokyo, the network's zone)
    clock.set(tokyo(2026, 11, 19, 0, 1))
    assert tasks.expire_estimates() == 1
    # Then the estimate and its request are expired, with an event saying which version
    assert Estimate.objects.get(pk=estimate.pk).status == "expired"
    assert RFQ.objects.get(pk=estimate.rfq_id).status == "expired"
    event = Event.objects.get(rfq_id=estimate.rfq_id, kind="estimate.expired")
    assert event.data == {"estimate": estimate.pk, "version": 1, "valid_until": "2026-11-18"}
    # And the customer and the office are told
    assert notified("estimate.expired", estimate) == {world.customer.username}
    assert notified("estimate.expired_office", estimate) == {world.office_user.username}


def test_the_sweeper_is_safe_to_run_twice(world, clock):
    # Given an estimate expired by one sweep
    estimate = valid_until_today(world)
    clock.set(tokyo(2026, 11, 20, 9, 0))
    assert tasks.expire_estimates() == 1
    said = Notification.objects.filter(subject_id=estimate.pk).count()
    # When the sweep runs again
    assert tasks.expire_estimates() == 0
    # Then nothing is recorded or said twice
    assert Event.objects.filter(rfq_id=estimate.rfq_id, kind="estimate.expired").count() == 1
    assert Notification.objects.filter(subject_id=estimate.pk).count() == said


def test_the_last_valid_day_ends_in_the_networks_own_zone(world, clock):
    # Given a network in Los Angeles, 17 hours behind Tokyo, and an estimate valid until
    # 18 November
    world.network.time_zone = "America/Los_Angeles"
    world.network.save(update_fields=["time_zone"])
    estimate = estimate_sent_to_customer(world, "fushimi", valid_days=0)
    assert estimate.valid_until == datetime.date(2026, 11, 18)
    # When it is 19 November in Tokyo but still the 18th in Los Angeles, it stays valid
    clock.set(tokyo(2026, 11, 19, 10, 0))
    assert tasks.expire_estimates() == 0
    # Once the 18th is over in Los Angeles, it expires
    clock.set(tokyo(2026, 11, 19, 17, 1))
    assert tasks.expire_estimates() == 1
    assert Estimate.objects.get(pk=estimate.pk).status == "expired"


def test_an_accepted_or_superseded_estimate_never_expires(world, clock):
    # Given an estimate the customer accepted on its last day
    accepted = valid_until_today(world)
    response = as_user(world.customer).post(f"/api/estimates/{accepted.pk}/accept/")
    assert response.status_code == 200, response.json()
    # When the sweep runs days later, then it stays accepted
    clock.advance(days=3)
    assert tasks.expire_estimates() == 0
    assert Estimate.objects.get(pk=accepted.pk).status == "accepted"
    assert RFQ.objects.get(pk=accepted.rfq_id).status == "accepted"


def test_the_estimate_of_a_withdrawn_request_does_not_expire(world, clock):
    # Given an estimate whose request the customer withdrew
    estimate = valid_until_today(world)
    response = as_user(world.customer).post(f"/api/rfqs/{estimate.rfq_id}/withdraw/")
    assert response.status_code == 200, response.json()
    # When the sweep runs after its last valid day, then nothing happens: the customer
    # is not told that an estimate they no longer wait for expired
    clock.set(tokyo(2026, 11, 19, 9, 0))
    assert tasks.expire_estimates() == 0
    assert RFQ.objects.get(pk=estimate.rfq_id).status == "cancelled"
    assert not Notification.objects.filter(kind="estimate.expired").exists()


def expired(world, clock) -> Estimate:
    estimate = valid_until_today(world)
    clock.set(tokyo(2026, 11, 19, 9, 0))
    assert tasks.expire_estimates() == 1
    return Estimate.objects.get(pk=estimate.pk)


def test_the_office_reissues_an_expired_estimate_through_the_api(world, clock):
    # Given an expired estimate
    estimate = expired(world, clock)
    # When the office re-issues it, valid until the end of the month
    response = as_user(world.office_user).post(
        f"/api/estimates/{estimate.pk}/reissue/", {"valid_until": "2026-11-30"}, format="json"
    )
    # Then a new version is sent with the same lines and total and the new validity
    assert response.status_code == 201, response.json()
    renewed = response.json()
    assert renewed["version"] == 2
    assert renewed["status"] == "sent"
    assert renewed["valid_until"] == "2026-11-30"
    assert renewed["total"] == estimate.total
    assert [line["amount"] for line in renewed["lines"]] == [100_000]
    assert RFQ.objects.get(pk=estimate.rfq_id).status == "estimate_sent"
    assert Estimate.objects.get(pk=estimate.pk).status == "expired"
    assert notified("estimate.reissued", Estimate(pk=renewed["id"])) == {world.customer.username}
    # And the customer sees it as the current estimate, and accepts it
    customer = as_user(world.customer)
    listed = customer.get(f"/api/rfqs/{estimate.rfq_id}/estimates/").json()["results"]
    assert [(item["version"], item["status"]) for item in listed] == [
        (2, "sent"),
        (1, "expired"),
    ]
    accepted = customer.post(f"/api/estimates/{renewed['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()


def test_only_the_office_reissues_and_only_an_expired_estimate(world, clock):
    estimate = valid_until_today(world)
    body = {"valid_until": "2026-11-30"}
    # A sent estimate is not re-issued
    office = as_user(world.office_user)
    response = office.post(f"/api/estimates/{estimate.pk}/reissue/", body, format="json")
    assert response.status_code == 409
    clock.set(tokyo(2026, 11, 19, 9, 0))
    tasks.expire_estimates()
    # The customer and the leader may not re-issue it
    for person in (world.customer, world.users["fushimi"]):
        response = as_user(person).post(
            f"/api/estimates/{estimate.pk}/reissue/", body, format="json"
        )
        assert response.status_code == 403
    # Nor may the office make it valid until a day already over
    response = office.post(
        f"/api/estimates/{estimate.pk}/reissue/", {"valid_until": "2026-11-18"}, format="json"
    )
    assert response.status_code == 400
    assert "valid_until" in response.json()
    assert Estimate.objects.filter(rfq_id=estimate.rfq_id).count() == 1


def test_the_office_reissues_from_its_request_page_and_the_customer_accepts(world, clock):
    # Given an expired estimate
    estimate = expired(world, clock)
    # When the customer opens the request, they read it expired and cannot accept it
    customer = client_for(world.customer)
    page = customer.get(reverse("pages:request", args=[estimate.rfq_id])).content.decode()
    assert "This estimate has expired" in page
    assert reverse("pages:estimate-accept", args=[estimate.pk]) not in page
    # When the office opens it, it is offered to re-issue it, and does
    office = client_for(world.office_user)
    url = reverse("pages:estimate-reissue", args=[estimate.pk])
    page = office.get(reverse("pages:request", args=[estimate.rfq_id])).content.decode()
    assert f'action="{url}"' in page
    response = office.post(url, {"valid_until": "2026-11-30"})
    assert response.status_code == 302
    # Then the customer sees version 2 as their estimate, to accept
    renewed = Estimate.objects.get(rfq_id=estimate.rfq_id, version=2)
    page = customer.get(reverse("pages:request", args=[estimate.rfq_id])).content.decode()
    assert reverse("pages:estimate-accept", args=[renewed.pk]) in page


def test_a_reissue_refused_on_the_page_says_why(world, clock):
    estimate = expired(world, clock)
    office = client_for(world.office_user)
    response = office.post(
        reverse("pages:estimate-reissue", args=[estimate.pk]),
        {"valid_until": "2026-11-01"},
    )
    assert response.status_code == 400
    assert "The estimate must be valid until today or later." in response.content.decode()
