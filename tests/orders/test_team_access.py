"""Every firm on an order's team reads the request and its drawings, as an invitee does.

The team is formed after the request was answered, often with firms that were never
invited (the leader's partners, a chosen group's shops). From the moment a firm joins the
team it reads the request's details and drawings, under the same NDA rule as an invitee;
a firm that left the team, a rival and another network's office do not.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerage.models import GroupProposal
from members.models import Membership, Network, Notification
from orders.models import TeamMember
from orders.services.drawings import drawing_attach
from orders.services.timeline import message_post
from tests.kit.factories import AcceptedOrderFactory, TeamMemberFactory
from tests.kit.steps import as_user, client_for, pdf
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world

pytestmark = pytest.mark.django_db

DESCRIPTION = "TEAMDESC anodized housings for the lab"


def order_with_drawing(world, *, leader: str, team: dict[str, int]):
    order = AcceptedOrderFactory(world=world, leader=leader, team=team)
    order.rfq.description = DESCRIPTION
    order.rfq.save(update_fields=["description"])
    drawing = drawing_attach(rfq=order.rfq, uploaded=pdf("teamhousing.pdf"), user=world.customer)
    return order, drawing


def reads_request_and_drawing(user, order, drawing) -> bool:
    api = as_user(user)
    detail = api.get(f"/api/rfqs/{order.rfq_id}/")
    if detail.status_code != 200:
        return False
    download = api.get(f"/api/rfqs/{order.rfq_id}/attachments/{drawing.pk}/download/")
    page = client_for(user).get(reverse("pages:request", args=[order.rfq_id]))
    assert page.status_code == 200
    readable = download.status_code == 200 and DESCRIPTION in page.content.decode()
    assert readable == (DESCRIPTION in detail.content.decode())
    return readable


def test_a_team_firm_never_invited_reads_the_request_and_its_drawings():
    # Given an order led by fushimi with yawata on its team, yawata never invited
    world = kyoto_world()
    order, drawing = order_with_drawing(
        world, leader="fushimi", team={"fushimi": 6_000, "yawata": 4_000}
    )

    # When yawata's people open the request and download its drawing
    # Then they read both, as the leader does
    assert reads_request_and_drawing(world.users["yawata"], order, drawing)
    assert reads_request_and_drawing(world.users["fushimi"], order, drawing)


def test_a_firm_off_the_team_a_rival_and_another_office_read_nothing():
    # Given an order whose team had uji on it, then was set again without it
    world = kyoto_world()
    order, drawing = order_with_drawing(
        world, leader="fushimi", team={"fushimi": 6_000, "uji": 4_000}
    )
    TeamMember.objects.filter(order=order, firm=world.firms["uji"]).delete()
    # and a firm whose part was declined
    TeamMemberFactory(
        order=order,
        firm=world.firms["kumiyama"],
        confirmation=TeamMember.Confirmation.DECLINED,
        confirmed_at=timezone.now(),
        share_bps=0,
    )
    other = ota_world()

    # When they ask for the request and its drawing
    # Then each is answered as if it did not exist
    for user in (
        world.users["uji"],
        world.users["kumiyama"],
        world.users["yawata"],
        other.office_user,
    ):
        api = as_user(user)
        assert api.get(f"/api/rfqs/{order.rfq_id}/").status_code == 404
        download = f"/api/rfqs/{order.rfq_id}/attachments/{drawing.pk}/download/"
        assert api.get(download).status_code == 404
        page = client_for(user).get(reverse("pages:request", args=[order.rfq_id]))
        assert page.status_code == 404


def test_a_team_firm_without_the_current_nda_sees_no_confidential_details():
    # Given a network requiring its NDA v2: polisher1 signed it, turner signed only v1
    world = migakiya_world()
    Network.objects.filter(pk=world.network.pk).update(nda_required=True, nda_version="v2")
    signed = timezone.now() - datetime.timedelta(days=3)
    Membership.objects.filter(network=world.network).update(nda_signed_at=signed, nda_version="v2")
    Membership.objects.filter(network=world.network, firm=world.firms["turner"]).update(
        nda_version="v1"
    )
    # and a confidential request whose order has both on its team
    order, drawing = order_with_drawing(
        world, leader="admin1", team={"admin1": 4_000, "polisher1": 3_000, "turner": 3_000}
    )
    order.rfq.confidential = True
    order.rfq.save(update_fields=["confidential"])

    # When each opens the request and its drawing
    # Then the firm with the current NDA reads them; the other sees the request, not them
    assert reads_request_and_drawing(world.users["polisher1"], order, drawing)
    assert not reads_request_and_drawing(world.users["turner"], order, drawing)
    api = as_user(world.users["turner"])
    assert api.get(f"/api/rfqs/{order.rfq_id}/").status_code == 200
    assert api.get(f"/api/rfqs/{order.rfq_id}/attachments/").json()["count"] == 0


def test_the_firms_of_a_chosen_group_proposal_read_the_request():
    # Given a request of competing groups, the north group's proposal naming its shop chosen
    world = ota_world()
    order, drawing = order_with_drawing(world, leader="north_coordinator", team={})
    north = world.groups["north"]
    GroupProposal.objects.create(
        rfq=order.rfq,
        group=north,
        status=GroupProposal.Status.CHOSEN,
        price=100_000,
        lead_time_days=10,
        team_firm_ids=[world.firms["north_coordinator"].pk, world.firms["north_shop"].pk],
    )
    GroupProposal.objects.create(
        rfq=order.rfq,
        group=world.groups["south"],
        status=GroupProposal.Status.NOT_CHOSEN,
        price=120_000,
        lead_time_days=9,
        team_firm_ids=[world.firms["south_coordinator"].pk, world.firms["south_shop"].pk],
    )

    # When the chosen group's shop and the other group's shop ask for the request
    # Then the chosen group's shop reads it and its drawing; the other group's does not
    assert reads_request_and_drawing(world.users["north_shop"], order, drawing)
    assert as_user(world.users["south_shop"]).get(f"/api/rfqs/{order.rfq_id}/").status_code == 404


def test_a_team_firm_is_told_of_the_requests_internal_messages():
    # Given an order led by fushimi with yawata on its team, yawata never invited
    world = kyoto_world()
    order, _ = order_with_drawing(world, leader="fushimi", team={"fushimi": 6_000, "yawata": 4_000})

    # When the office writes on the request's internal thread
    message = message_post(
        rfq=order.rfq,
        author=world.office_user,
        body="Material arrives Tuesday",
        audience="internal",
    )

    # Then yawata's people are told, as they may read it; a firm off the team is not
    told = set(
        Notification.objects.filter(
            subject_type="message", subject_id=message.pk, channel="in_app"
        ).values_list("recipient__username", flat=True)
    )
    assert world.users["yawata"].username in told
    assert world.users["uji"].username not in told
    response = as_user(world.users["yawata"]).get(f"/api/rfqs/{order.rfq_id}/messages/")
    assert [row["body"] for row in response.json()["results"]] == ["Material arrives Tuesday"]
