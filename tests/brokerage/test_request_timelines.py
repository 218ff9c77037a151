"""A request's timeline as each person reads it: every step the customer may know, worded
for them, never naming the firms asked or what they answered; the office and member firms
read what they did before, with how each network took the request on said right."""

import html
import re

import pytest
from django.urls import reverse

from brokerage.models import GroupProposal
from brokerage.services.designation import leader_designate
from tests.kit.steps import (
    accept_from_request_page,
    answer,
    as_user,
    client_for,
    compose_and_send,
    invitation_of,
    routed,
)
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world, rodan_world

pytestmark = pytest.mark.django_db


def timeline(user, rfq, *, language: str = "en") -> list[str]:
    """Return the lines of the request's timeline on the person's page, oldest first (what
    happened and its detail, without the time)."""
    page = client_for(user, language=language).get(
        reverse("pages:request", args=[rfq.pk]), follow=True
    )
    assert page.status_code == 200
    section = re.search(r'<section id="timeline".*?</section>', page.content.decode(), re.S)
    lines = re.findall(r"<li>.*?</span>(.*?)</li>", section.group(0), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", line)).split()) for line in lines]


def events(user, rfq) -> list[dict]:
    response = as_user(user).get(f"/api/rfqs/{rfq.pk}/events/")
    assert response.status_code == 200
    return response.json()["results"]


def test_the_customer_follows_a_broadcast_request_step_by_step_without_names():
    # Given a Kyoto request routed to fushimi and uji; uji first says it can do it, then
    # that it cannot; fushimi can, leads, and sends the estimate the customer accepts
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    uji = client_for(world.users["uji"])
    uji_invitation = invitation_of(rfq, world.firms["uji"])
    assert answer(uji, uji_invitation, can_do=True, price="90000", lead_time="9").status_code == 302
    fushimi = client_for(world.users["fushimi"])
    fushimi_invitation = invitation_of(rfq, world.firms["fushimi"])
    answer(fushimi, fushimi_invitation, can_do=True, price="80000", lead_time="10")
    assert answer(uji, uji_invitation, can_do=False).status_code == 302
    leader_designate(
        rfq_id=rfq.pk,
        firm_id=world.firms["fushimi"].pk,
        reason="discussion",
        user=world.office_user,
    )
    compose_and_send(fushimi, rfq, world.firms["fushimi"])
    accept_from_request_page(client_for(world.customer), rfq)

    # When the customer reads the timeline of their request
    lines = timeline(world.customer, rfq)

    # Then each step is there, worded for them, the answers counted (each firm once)
    steps = [
        "You submitted the request",
        "Sent to 2 member firms with the skills it needs",
        "A member firm answered: it can do the job So far 1 of 1 answering firm can do it",
        "A member firm answered: it can do the job So far 2 of 2 answering firms can do it",
        "A member firm answered: it cannot do the job So far 1 of 2 answering firms can do it",
        "fushimi Co., Ltd. leads your project Chosen in discussion",
        "Your estimate is being prepared",
        "Your estimate is ready (version 1)",
        "You accepted the estimate: the order is created",
    ]
    assert lines == steps
    # and no firm that was asked is named, nor any price or person
    text = " ".join(lines)
    for secret in ("uji", "80000", "80,000", "90,000", world.office_user.username):
        assert secret not in text, secret
    # The API tells the same without the names: counts, and whether each answer can do it
    by_kind = {event["kind"]: event["data"] for event in events(world.customer, rfq)}
    assert by_kind["rfq.routed"] == {
        "policy": "competency_broadcast",
        "status": "routed",
        "count": 2,
    }
    assert by_kind["invitation.answered"] == {"can_do": False}
    assert by_kind["estimate.created"] == {}


def test_the_customer_reads_the_steps_in_japanese():
    # Given a Kyoto request routed to two firms
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    # When the customer reads it in Japanese
    lines = timeline(world.customer, rfq, language="ja")
    # Then the routing says so in Japanese, with the count
    assert any("必要な技術を持つ会員企業2社に送付しました" in line for line in lines)
    assert any("依頼を送信しました" in line for line in lines)


def test_the_office_and_a_member_read_the_broadcast_as_before():
    # Given a Kyoto request both firms answered
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    for key, can_do in (("fushimi", True), ("uji", False)):
        client = client_for(world.users[key])
        answer(
            client, invitation_of(rfq, world.firms[key]), can_do=can_do, price="1", lead_time="1"
        )

    # When the office and uji read the timeline
    office = " | ".join(timeline(world.office_user, rfq))
    uji = " | ".join(timeline(world.users["uji"], rfq))

    # Then the office reads whom it was routed to and who answered what
    assert "Routed to 2 firms" in office
    assert "fushimi Co., Ltd. answered: can do" in office
    assert "uji Co., Ltd. answered: cannot do" in office
    # and uji its own answer only, never how many rivals were asked
    assert "Routed to members" in uji
    assert "uji Co., Ltd. answered: cannot do" in uji
    assert "fushimi" not in uji


def test_the_customer_of_a_syndicate_reads_its_board_as_one():
    # Given a Migakiya request two of the three administrative members accepted
    world = migakiya_world()
    rfq = routed(world, "finish.polishing.mirror")
    for key in ("admin1", "admin2"):
        response = as_user(world.users[key]).post(f"/api/rfqs/{rfq.pk}/decision/", {"accept": True})
        assert response.status_code == 200, response.json()
    answer(
        client_for(world.users["polisher1"]),
        invitation_of(rfq, world.firms["polisher1"]),
        can_do=True,
        price="5000",
        lead_time="5",
    )

    # When the customer and the office read the timeline
    customer = " | ".join(timeline(world.customer, rfq))
    office = " | ".join(timeline(world.office_user, rfq))

    # Then the customer reads that the board took it on, not how many or who voted
    assert "Sent to the syndicate's board, which decides whether to take it on" in customer
    assert "The syndicate's board agreed to take your request on" in customer
    assert "admin" not in customer and "answered" not in customer
    # while the office reads to how many members of the board it went, and each vote
    assert "Sent to 3 administrative members for the board's decision" in office
    assert "admin1 Co., Ltd. accepted the order" in office


def test_the_customer_of_competing_groups_follows_the_proposals_without_their_prices():
    # Given an Ota request two groups can do; the north group submitted its proposal
    world = ota_world()
    rfq = routed(world, "process.machining.milling", "material.aluminium")
    north = GroupProposal.objects.get(rfq=rfq, group=world.groups["north"])
    response = as_user(world.users["north_coordinator"]).post(
        f"/api/proposals/{north.pk}/submit/", {"price": 123_456, "lead_time_days": 12}
    )
    assert response.status_code == 200, response.json()

    # When the customer and the office read the timeline
    customer = " | ".join(timeline(world.customer, rfq))
    office = " | ".join(timeline(world.office_user, rfq))

    # Then the customer reads how many groups were asked and that one proposed
    assert "Sent to 2 coordinator groups that can do it, for their proposals" in customer
    assert "A coordinator group submitted its proposal" in customer
    assert "123" not in customer and "North" not in customer
    # and the office how many groups it went to
    assert "Sent to 2 coordinator groups for their proposals" in office


def test_a_consultation_request_is_said_to_begin_with_the_interview():
    # Given a Rodan21 request: routing sends it to the interview, to no firm yet
    world = rodan_world()
    rfq = routed(world, "process.machining.milling")

    # When the customer and the office read the timeline
    customer = " | ".join(timeline(world.customer, rfq))
    office = " | ".join(timeline(world.office_user, rfq))

    # Then both read that the interview comes first, not "routed to 0 firms"
    assert "Taken on for consultation: the network meets you for an interview first" in customer
    assert "Taken on for consultation: the office interviews the customer first" in office
    assert "0 firms" not in office
