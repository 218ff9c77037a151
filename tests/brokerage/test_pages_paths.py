"""Each policy's path through the pages: the Kyoto path whole, the others' distinctive steps."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerage.models import BoardDecision, GroupProposal, Interview, Invitation
from members.models import Notification
from orders.models import RFQ, Order
from tests.kit.steps import (
    accept_from_request_page,
    answer,
    checked_values,
    client_for,
    compose_and_send,
    invitation_of,
    latest_rfq,
    submit_request,
)
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world, rodan_world

pytestmark = pytest.mark.django_db


def notified(user, kind) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, kind=kind).values_list("channel", flat=True)
    )


def test_kyoto_from_the_submit_page_to_an_accepted_estimate():
    # Given Kyoto-style members, their office and a logged-in customer
    world = kyoto_world()
    customer = client_for(world.customer)

    # When the customer submits a request needing milling (grade 3) and aluminium
    response = submit_request(
        customer,
        world.network,
        {"process.machining.milling": 3, "material.aluminium": 1},
    )
    rfq = latest_rfq(world)
    # Then the request page opens and says at once when the estimate is due
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:request", args=[rfq.pk])
    page = customer.get(response["Location"]).content.decode()
    assert "The estimate is due by" in page
    assert 'class="countdown"' in page
    assert rfq.status == RFQ.Status.ROUTED
    assert rfq.requirements.get(capability__code="process.machining.milling").min_grade == 3

    # When the invited members answer from their invitation pages
    fushimi = client_for(world.users["fushimi"])
    fushimi_invitation = invitation_of(rfq, world.firms["fushimi"])
    inbox = fushimi.get(reverse("pages:invitations")).content.decode()
    assert rfq.title in inbox
    assert fushimi.get(reverse("pages:invitation", args=[fushimi_invitation.pk])).status_code == 200
    response = answer(fushimi, fushimi_invitation, can_do=True, price=80_000, lead_time=7)
    assert response.status_code == 302
    uji = client_for(world.users["uji"])
    answer(uji, invitation_of(rfq, world.firms["uji"]), can_do=False, note="Fully booked")

    # And the office designates the firm that can do it, then composes and sends the estimate
    office = client_for(world.office_user)
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert "1 of 2 can do" in page
    response = office.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    assert response.status_code == 302
    estimate = compose_and_send(office, rfq, world.firms["fushimi"], amount=80_001)
    assert (estimate.subtotal, estimate.tax, estimate.total) == (80_001, 8_000, 88_001)

    # Then the customer sees the estimate with its total and accepts it from the request page
    page = customer.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert "¥88,001" in page
    accept_from_request_page(customer, rfq)
    order = Order.objects.get(rfq=rfq)
    assert order.leader_firm == world.firms["fushimi"]
    # and the right people were told once each
    assert notified(world.customer, "estimate.sent") == ["email", "in_app"]
    assert notified(world.users["fushimi"], "estimate.accepted") == ["email", "in_app", "sms"]


def test_migakiya_board_decides_on_the_invitation_page_and_its_member_leads():
    # Given a board of three administrative members deciding by majority, and a request
    world = migakiya_world()
    submit_request(client_for(world.customer), world.network, {"finish.polishing.mirror": 3})
    rfq = latest_rfq(world)
    admin1 = client_for(world.users["admin1"])
    board_invitation = invitation_of(rfq, world.firms["admin1"])
    # When an administrative member opens its invitation, it is asked to decide
    page = admin1.get(reverse("pages:invitation", args=[board_invitation.pk])).content.decode()
    assert reverse("pages:board-decision", args=[rfq.pk]) in page
    decide = reverse("pages:board-decision", args=[rfq.pk])
    assert admin1.post(decide, {"accept": "yes"}).status_code == 302
    # And a decline without a reason is refused, keeping the choice
    admin2 = client_for(world.users["admin2"])
    response = admin2.post(decide, {"accept": "no", "reason": ""})
    assert response.status_code == 400
    assert "Give the customer a reason when declining." in response.content.decode()
    assert checked_values(response, "accept") == ["no"]
    assert admin2.post(decide, {"accept": "no", "reason": "Busy"}).status_code == 302
    assert client_for(world.users["admin3"]).post(decide, {"accept": "yes"}).status_code == 302
    # Then the board has accepted and the first member designates itself leader from its page
    assert BoardDecision.objects.filter(rfq=rfq).count() == 3
    page = admin1.get(reverse("pages:invitation", args=[board_invitation.pk])).content.decode()
    assert reverse("pages:request-leader", args=[rfq.pk]) in page
    response = admin1.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["admin1"].pk, "reason": "discussion"},
    )
    assert response.status_code == 302
    # And as leader it composes and sends the estimate, which the customer accepts
    compose_and_send(admin1, rfq, world.firms["polisher2"], amount=30_000)
    accept_from_request_page(client_for(world.customer), rfq)


def test_rodan21_interview_planning_and_phases_through_the_office_page():
    # Given a confidential consultation request
    world = rodan_world()
    submit_request(
        client_for(world.customer),
        world.network,
        {"process.machining.milling": 1},
        confidential="on",
    )
    rfq = latest_rfq(world)
    assert rfq.status == RFQ.Status.INTERVIEW
    office = client_for(world.office_user)
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert reverse("pages:interview-schedule", args=[rfq.pk]) in page

    # When the office schedules the interview at 10:00 in the network's zone and records it
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = office.post(
        reverse("pages:interview-schedule", args=[rfq.pk]),
        {"scheduled_at": f"{tomorrow.isoformat()}T10:00", "place": "Rodan21 office"},
    )
    assert response.status_code == 302
    interview = Interview.objects.get(rfq=rfq)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert interview.scheduled_at == datetime.datetime.combine(
        tomorrow, datetime.time(10, 0), tzinfo=tokyo
    )
    response = office.post(
        reverse("pages:interview-record", args=[rfq.pk]), {"notes": "Wants 3 prototypes."}
    )
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.PLANNING
    response = office.post(
        reverse("pages:planning-schedule", args=[rfq.pk]),
        {"scheduled_at": f"{tomorrow.isoformat()}T15:00", "place": "Higashi-Osaka"},
    )
    assert response.status_code == 302
    # Then a stakeholder without the NDA is invited but does not read the confidential details
    planner = client_for(world.users["planner"])
    planner_invitation = invitation_of(rfq, world.firms["planner"])
    page = planner.get(reverse("pages:invitation", args=[planner_invitation.pk])).content.decode()
    assert "Milled from A5052" not in page
    assert "Confidential: your firm sees the details" in page

    # When the office selects the phases' firms and the leader, who sends the estimate
    response = office.post(
        reverse("pages:phases-select", args=[rfq.pk]),
        {"phase_design": world.firms["planner"].pk, "phase_prototype": world.firms["maker"].pk},
    )
    assert response.status_code == 302
    response = office.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["maker"].pk, "reason": "discussion"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    compose_and_send(client_for(world.users["maker"]), rfq, world.firms["maker"])
    # Then the customer accepts
    accept_from_request_page(client_for(world.customer), rfq)


def test_ota_groups_propose_on_their_pages_and_the_customer_chooses_side_by_side():
    # Given a request two coordinator groups can cover
    world = ota_world()
    customer = client_for(world.customer)
    submit_request(
        customer, world.network, {"process.machining.milling": 1, "material.aluminium": 1}
    )
    rfq = latest_rfq(world)
    proposals = {p.group_id: p for p in GroupProposal.objects.filter(rfq=rfq)}
    assert set(proposals) == {world.groups["north"].pk, world.groups["south"].pk}

    # When both coordinators submit from their invitation pages
    for key, price, days in (("north", 120_000, 12), ("south", 95_000, 20)):
        coordinator = client_for(world.users[f"{key}_coordinator"])
        invitation = Invitation.objects.get(rfq=rfq, firm=world.firms[f"{key}_coordinator"])
        page = coordinator.get(reverse("pages:invitation", args=[invitation.pk]))
        proposal = proposals[world.groups[key].pk]
        assert reverse("pages:proposal-submit", args=[proposal.pk]) in page.content.decode()
        response = coordinator.post(
            reverse("pages:proposal-submit", args=[proposal.pk]),
            {"price": price, "lead_time_days": days, "approach": f"{key} plan"},
        )
        assert response.status_code == 302

    # Then the customer sees both side by side and chooses the south group
    page = customer.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert "¥120,000" in page
    assert "¥95,000" in page
    south = proposals[world.groups["south"].pk]
    response = customer.post(reverse("pages:proposal-choose", args=[south.pk]))
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.leader_firm == world.firms["south_coordinator"]
    assert rfq.leader_reason == RFQ.LeaderReason.CUSTOMER_CHOICE
    # And its coordinator's estimate is accepted
    compose_and_send(
        client_for(world.users["south_coordinator"]), rfq, world.firms["south_shop"], 95_000
    )
    accept_from_request_page(customer, rfq)
