"""An order's threads: the customer's with the leader and the office, and the team's.

The leader speaks for the team to the customer; the team's firms, the leader and the office
talk among themselves on the team's thread, with files (drawings, photos, inspection
sheets) kept privately and served only to whom may read their message. Everyone on a
thread is told of a new message, and each reads what is new to them as new until read.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Membership, Network, Notification
from orders.models import Message, MessageAttachment, TeamMember
from tests.kit.factories import AcceptedOrderFactory, TeamMemberFactory
from tests.kit.steps import as_user, client_for, pdf
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


@pytest.fixture
def order(world):
    # fushimi leads with yawata on the team; uji and kumiyama are members off the team
    return AcceptedOrderFactory(
        world=world, leader="fushimi", team={"fushimi": 6_000, "yawata": 4_000}
    )


def post(user, order, audience: str, body: str = "", files=()):
    data = {"audience": audience, "body": body}
    if files:
        data["files"] = list(files)
    return as_user(user).post(f"/api/orders/{order.pk}/messages/", data, format="multipart")


def thread(user, order, audience: str | None = None):
    query = f"?audience={audience}" if audience else ""
    response = as_user(user).get(f"/api/orders/{order.pk}/messages/{query}")
    return response


def bodies(user, order) -> list[str]:
    response = thread(user, order)
    assert response.status_code == 200, response.content
    return [message["body"] for message in response.json()["results"]]


def told(message_id: int) -> set[str]:
    return set(
        Notification.objects.filter(
            subject_type="message", subject_id=message_id, channel=Notification.Channel.IN_APP
        ).values_list("recipient__username", flat=True)
    )


def test_a_team_message_with_a_photo_is_the_teams_and_the_offices_only(world, order):
    # When yawata, on the team, sends the team a photo of the first part
    response = post(
        world.users["yawata"], order, "team", "First part, see the burr", [pdf("burr.pdf")]
    )

    # Then it is posted with its file, and the leader's and the office's people are told
    assert response.status_code == 201, response.content
    message = response.json()
    assert [file["original_name"] for file in message["attachments"]] == ["burr.pdf"]
    assert told(message["id"]) == {world.users["fushimi"].username, world.office_user.username}
    download = message["attachments"][0]["download_url"]

    # and the leader and the office read it and download the file; the customer, a firm
    # off the team and another network's office read neither
    for reader in (world.users["fushimi"], world.office_user):
        assert bodies(reader, order) == ["First part, see the burr"]
        assert as_user(reader).get(download).status_code == 200
    assert bodies(world.customer, order) == []
    assert as_user(world.customer).get(download).status_code == 404
    for outsider in (world.users["uji"], ota_world().office_user):
        assert thread(outsider, order).status_code == 404
        assert as_user(outsider).get(download).status_code == 404
    # The file is kept under a name of ours, never the sender's
    stored = MessageAttachment.objects.get()
    assert "burr" not in stored.file.name


def test_the_leader_speaks_with_the_customer_the_team_does_not(world, order):
    # When the customer asks on the order's thread with them
    asked = post(world.customer, order, "order_customer", "Can you ship on Friday?")

    # Then the leader's and the office's people are told, the team's other firms are not
    assert asked.status_code == 201, asked.content
    assert told(asked.json()["id"]) == {world.users["fushimi"].username, world.office_user.username}
    # and the leader answers, and the customer is told
    answered = post(world.users["fushimi"], order, "order_customer", "Yes, Friday.")
    assert answered.status_code == 201
    assert world.customer.username in told(answered.json()["id"])

    # The customer writes nowhere else; a team firm not on the customer's thread
    assert post(world.customer, order, "team", "Let me in").status_code == 403
    assert post(world.users["yawata"], order, "order_customer", "Hello").status_code == 403
    assert bodies(world.users["yawata"], order) == []
    assert bodies(world.customer, order) == ["Can you ship on Friday?", "Yes, Friday."]
    assert not Message.objects.filter(body__in=["Let me in", "Hello"]).exists()


def test_new_messages_stay_new_until_read(world, order):
    # Given the leader wrote twice on the team's thread
    for body in ("Plan A", "Plan B"):
        assert post(world.users["fushimi"], order, "team", body).status_code == 201

    # Then both are new to yawata, never to their author
    assert [m["new"] for m in thread(world.users["yawata"], order).json()["results"]] == [
        True,
        True,
    ]
    assert [m["new"] for m in thread(world.users["fushimi"], order).json()["results"]] == [
        False,
        False,
    ]

    # When yawata marks the threads read through the API
    response = as_user(world.users["yawata"]).post(f"/api/orders/{order.pk}/messages/read/")
    assert response.status_code == 200

    # Then nothing is new to yawata; a later message is
    assert not any(m["new"] for m in thread(world.users["yawata"], order).json()["results"])
    assert post(world.office_user, order, "team", "Plan C").status_code == 201
    assert [m["new"] for m in thread(world.users["yawata"], order).json()["results"]] == [
        False,
        False,
        True,
    ]

    # and opening the order page reads it too
    page = client_for(world.users["yawata"]).get(reverse("pages:order", args=[order.pk]))
    assert "Plan C" in page.content.decode()
    assert not any(m["new"] for m in thread(world.users["yawata"], order).json()["results"])


def test_the_order_page_shows_each_person_the_threads_they_read(world, order):
    # Given a team message with an inspection sheet, and a message with the customer
    post(world.users["yawata"], order, "team", "TEAMONLYMSG sheet attached", [pdf("sheet.pdf")])
    post(world.customer, order, "order_customer", "CUSTOMERMSG when?")
    attachment = MessageAttachment.objects.get()

    # When each opens the order page
    pages = {
        key: client_for(user).get(reverse("pages:order", args=[order.pk])).content.decode()
        for key, user in (
            ("customer", world.customer),
            ("leader", world.users["fushimi"]),
            ("team", world.users["yawata"]),
            ("office", world.office_user),
        )
    }

    # Then the customer reads only their thread; the team firm only the team's, with the
    # file's link; the leader and the office both
    assert "CUSTOMERMSG" in pages["customer"] and "TEAMONLYMSG" not in pages["customer"]
    assert "sheet.pdf" not in pages["customer"]
    assert "TEAMONLYMSG" in pages["team"] and "CUSTOMERMSG" not in pages["team"]
    link = reverse(
        "pages:order-message-attachment", args=[order.pk, attachment.message_id, attachment.pk]
    )
    assert link in pages["team"]
    for key in ("leader", "office"):
        assert "TEAMONLYMSG" in pages[key] and "CUSTOMERMSG" in pages[key]
    assert client_for(world.users["yawata"]).get(link).status_code == 200
    assert client_for(world.customer).get(link).status_code == 404


def test_a_team_firm_posts_a_photo_through_the_page(world, order):
    # When yawata posts a file without text on the order page
    response = client_for(world.users["yawata"]).post(
        reverse("pages:order-message", args=[order.pk]),
        {"audience": "team", "body": "", "files": [pdf("photo.pdf")]},
    )

    # Then it is posted with the file
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get(audience="team")
    assert [file.original_name for file in message.attachments.all()] == ["photo.pdf"]

    # and an empty message is refused with a reason a person can act on
    empty = client_for(world.users["yawata"]).post(
        reverse("pages:order-message", args=[order.pk]), {"audience": "team", "body": " "}
    )
    assert empty.status_code == 400
    assert "Write a message or attach a file." in empty.content.decode()
    refused = post(world.users["yawata"], order, "team", " ")
    assert refused.status_code == 400
    assert "Write a message or attach a file." in refused.content.decode()


def test_a_firm_that_left_or_declined_reads_no_more_of_the_team(world, order):
    # Given a team message, then uji joined and left, and kumiyama declined its part
    post(world.users["fushimi"], order, "team", "Start Monday")
    TeamMemberFactory(
        order=order,
        firm=world.firms["kumiyama"],
        confirmation=TeamMember.Confirmation.DECLINED,
        confirmed_at=timezone.now(),
    )

    # Then kumiyama still sees the order it declined, but neither reads nor writes the team's
    assert bodies(world.users["kumiyama"], order) == []
    assert post(world.users["kumiyama"], order, "team", "Hi").status_code == 403
    # and yawata, once off the team, no longer finds the order
    TeamMember.objects.filter(order=order, firm=world.firms["yawata"]).delete()
    assert thread(world.users["yawata"], order).status_code == 404


def test_a_team_firm_without_the_current_nda_is_left_out_of_a_confidential_order():
    # Given a network requiring NDA v2, turner on the team having signed only v1
    world = migakiya_world()
    Network.objects.filter(pk=world.network.pk).update(nda_required=True, nda_version="v2")
    signed = timezone.now() - datetime.timedelta(days=3)
    Membership.objects.filter(network=world.network).update(nda_signed_at=signed, nda_version="v2")
    Membership.objects.filter(network=world.network, firm=world.firms["turner"]).update(
        nda_version="v1"
    )
    order = AcceptedOrderFactory(
        world=world, leader="admin1", team={"admin1": 5_000, "polisher1": 3_000, "turner": 2_000}
    )
    order.rfq.confidential = True
    order.rfq.save(update_fields=["confidential"])

    # When the leader writes to the team
    message = post(world.users["admin1"], order, "team", "Drawing rev. B attached")

    # Then polisher1 (with the NDA) is told and reads it; turner is neither, nor may write
    assert message.status_code == 201
    assert world.users["polisher1"].username in told(message.json()["id"])
    assert world.users["turner"].username not in told(message.json()["id"])
    assert bodies(world.users["polisher1"], order) == ["Drawing rev. B attached"]
    assert bodies(world.users["turner"], order) == []
    assert post(world.users["turner"], order, "team", "Hi").status_code == 403


def test_the_orders_list_counts_each_persons_unread_messages(world, order):
    # Given the leader wrote twice to the team
    for body in ("Plan A", "Plan B"):
        assert post(world.users["fushimi"], order, "team", body).status_code == 201

    # Then yawata's list of orders counts two unread; the customer's and the author's none
    orders = reverse("pages:order-list")
    assert "2 unread messages" in client_for(world.users["yawata"]).get(orders).content.decode()
    for reader in (world.customer, world.users["fushimi"]):
        assert "unread message" not in client_for(reader).get(orders).content.decode()

    # and once yawata opened the order, none
    client_for(world.users["yawata"]).get(reverse("pages:order", args=[order.pk]))
    assert "unread message" not in client_for(world.users["yawata"]).get(orders).content.decode()
