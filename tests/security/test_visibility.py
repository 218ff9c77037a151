"""What each person sees of a request's timeline, a confidential request, and who exists.

Issue 16, cases 2, 7 and 10: rival coordinator groups never read each other's bids, a
firm without the NDA reads nothing of a confidential request's details, and neither the
timeline nor a refusal tells a customer more than the pages do.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.models import GroupProposal
from tests.kit.factories import CustomerFactory
from tests.kit.steps import route_waiting_requests
from tests.kit.worlds import kyoto_world, ota_world, rodan_world

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submitted(world, *, requirements, **fields) -> int:
    body = {
        "network": world.network.slug,
        "title": "Bracket, 5 pieces",
        "description": "Milled from A5052.",
        "quantity": 5,
        "requirements": requirements,
        **fields,
    }
    response = as_user(world.customer).post("/api/rfqs/", body, format="json")
    assert response.status_code == 201, response.json()
    route_waiting_requests()
    return response.json()["id"]


def test_a_coordinator_never_sees_a_rival_groups_bid_in_the_timeline():
    # Given two Ota groups preparing proposals for one request; north bids ¥120,000
    world = ota_world()
    rfq_id = submitted(
        world,
        requirements=[
            {"capability": "process.machining.milling"},
            {"capability": "material.aluminium"},
        ],
    )
    north = GroupProposal.objects.get(rfq_id=rfq_id, group=world.groups["north"])
    response = as_user(world.users["north_coordinator"]).post(
        f"/api/proposals/{north.pk}/submit/",
        {"price": 123_456, "lead_time_days": 12},
        format="json",
    )
    assert response.status_code == 200, response.json()

    # When the rival south coordinator reads the request's timeline (API and page)
    south = world.users["south_coordinator"]
    events = as_user(south).get(f"/api/rfqs/{rfq_id}/events/")
    page = APIClient()
    page.force_login(south)
    timeline_page = page.get(f"/requests/{rfq_id}/", follow=True)

    # Then it sees no proposal event of the north group, nor its price
    assert events.status_code == 200
    kinds = [event["kind"] for event in events.json()["results"]]
    assert "proposal.submitted" not in kinds
    assert "123456" not in events.content.decode()
    # nor which firms were invited beside its own, with their ranks and reasons
    routed = next(e for e in events.json()["results"] if e["kind"] == "rfq.routed")
    assert {entry["firm"] for entry in routed["data"]["invited"]} == {
        world.firms["south_coordinator"].pk
    }
    assert timeline_page.status_code == 200
    assert "A group submitted its proposal" not in timeline_page.content.decode()
    # while north itself, the office and the customer's proposals list still see it
    own = as_user(world.users["north_coordinator"]).get(f"/api/rfqs/{rfq_id}/events/").json()
    assert "proposal.submitted" in [event["kind"] for event in own["results"]]
    office = as_user(world.office_user).get(f"/api/rfqs/{rfq_id}/events/").json()
    assert "proposal.submitted" in [event["kind"] for event in office["results"]]


def test_a_stakeholder_without_the_nda_reads_nothing_of_a_confidential_request():
    # Given a confidential Rodan21 request in planning: the stakeholders (no NDA signed)
    # are invited to plan it
    world = rodan_world()
    rfq_id = submitted(
        world,
        requirements=[{"capability": "process.machining.milling", "note": "MXREQNOTE ±0.01"}],
        confidential=True,
        material="MXMATERIAL magnesium AZ31",
        budget_max=777_777,
    )
    office = as_user(world.office_user)
    when = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert office.post(f"/api/rfqs/{rfq_id}/interview/", {"scheduled_at": when}).status_code == 200
    notes = office.post(f"/api/rfqs/{rfq_id}/interview/notes/", {"notes": "Three prototypes."})
    assert notes.json()["status"] == "planning"

    # When a stakeholder without the NDA reads the request, in the API and on its page
    stakeholder = world.users["planner"]
    response = as_user(stakeholder).get(f"/api/rfqs/{rfq_id}/")
    page = APIClient()
    page.force_login(stakeholder)
    request_page = page.get(f"/requests/{rfq_id}/", follow=True)

    # Then it sees the request, but none of its details
    assert response.status_code == 200
    text = response.content.decode()
    for secret in ("MXMATERIAL", "MXREQNOTE", "777777", "A5052"):
        assert secret not in text, secret
    assert request_page.status_code == 200
    for secret in ("MXMATERIAL", "MXREQNOTE", "A5052"):
        assert secret not in request_page.content.decode(), secret
    # while a firm with the NDA reads them all
    signed = as_user(world.users["cluster_nda"]).get(f"/api/rfqs/{rfq_id}/").content.decode()
    assert "MXMATERIAL" in signed and "MXREQNOTE" in signed


def test_the_customers_api_timeline_names_parties_not_people():
    # Given a Kyoto request the office and a member acted on
    world = kyoto_world()
    rfq_id = submitted(world, requirements=[{"capability": "process.machining.milling"}])
    office = as_user(world.office_user)
    designated = office.post(
        f"/api/rfqs/{rfq_id}/leader/",
        {"firm": world.firms["fushimi"].pk, "reason": "urgent"},
    )
    assert designated.status_code == 200, designated.json()

    # When the customer reads the timeline
    events = as_user(world.customer).get(f"/api/rfqs/{rfq_id}/events/").json()["results"]

    # Then the office's step names the office, never its username
    actors = {event["kind"]: event["actor"] for event in events}
    assert actors["leader.designated"] == "office"
    assert world.office_user.username not in str(events)
    # and the office still reads who it was
    office_events = office.get(f"/api/rfqs/{rfq_id}/events/").json()["results"]
    assert world.office_user.username in [event["actor"] for event in office_events]


def test_submitting_for_another_customer_answers_the_same_whether_they_exist_or_not():
    # Given a customer, and another customer who exists
    world = kyoto_world()
    other = CustomerFactory()
    body = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Milled.",
        "requirements": [{"capability": "process.machining.milling"}],
    }
    client = as_user(world.customer)

    # When the customer submits naming the existing customer, then a missing one
    existing = client.post("/api/rfqs/", {**body, "customer": other.pk}, format="json")
    missing = client.post("/api/rfqs/", {**body, "customer": 99_999_999}, format="json")

    # Then both answers are the same: nobody learns which customer ids exist
    assert existing.status_code == missing.status_code
    assert existing.json() == missing.json()
    assert existing.status_code in (400, 403)
