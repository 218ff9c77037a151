"""A request's threads: each message tells everyone who may read it but its author, and each
person sees how many they have not read, in the lists and the API, until they read them."""

import pytest
from django.urls import reverse

from members.models import Notification
from orders.models import Message
from tests.kit.factories import FirmUserFactory
from tests.kit.steps import as_user, client_for, invitation_of, routed
from tests.kit.worlds import kyoto_world, ota_world, rodan_world

pytestmark = pytest.mark.django_db


def post(user, rfq, audience: str, body: str) -> Message:
    """Post on a thread through the request page, as a person with a browser would."""
    response = client_for(user).post(
        reverse("pages:request-message", args=[rfq.pk]), {"audience": audience, "body": body}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Message.objects.filter(rfq=rfq, author=user).latest("id")


def told(message: Message) -> set[str]:
    """Return the usernames whose inbox holds the message's notification."""
    return set(
        Notification.objects.filter(
            subject_type="message",
            subject_id=message.pk,
            channel=Notification.Channel.IN_APP,
        ).values_list("recipient__username", flat=True)
    )


def unread(user, rfq) -> int:
    response = as_user(user).get(f"/api/rfqs/{rfq.pk}/")
    assert response.status_code == 200
    return response.json()["unread_messages"]


def test_a_customers_message_tells_the_office_not_its_author():
    # Given a Kyoto request, and a second person at the office
    world = kyoto_world()
    colleague = FirmUserFactory(firm=world.office_user.firm, username="kyoto-test-office-2")
    rfq = routed(world, "process.machining.milling")

    # When the customer writes to the network
    message = post(world.customer, rfq, "customer", "Can you anodize in red?")

    # Then everyone at the office is told in the inbox (and by e-mail where they chose
    # it), the customer is not, nor any invited firm (the thread is not theirs)
    assert told(message) == {world.office_user.username, colleague.username}
    notification = Notification.objects.get(
        subject_type="message", subject_id=message.pk, recipient=world.office_user, channel="in_app"
    )
    assert notification.kind == "message.posted"
    assert notification.title == f"New message on request #{rfq.pk}: {rfq.title}"
    assert "Can you anodize in red?" in notification.body
    assert notification.link == f"/requests/{rfq.pk}/#thread-customer"
    assert Notification.objects.filter(
        subject_id=message.pk, recipient=colleague, channel="email"
    ).exists()


def test_an_office_reply_tells_the_customer_and_the_leader():
    # Given a Kyoto request fushimi leads
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    rfq.leader_firm, rfq.leader_reason = world.firms["fushimi"], "urgent"
    rfq.save()

    # When the office answers on the thread with the customer
    message = post(world.office_user, rfq, "customer", "Red is fine.")

    # Then the customer and the leader's people are told, not uji (invited, not leading)
    assert told(message) == {world.customer.username, world.users["fushimi"].username}


def test_an_internal_message_tells_the_office_and_the_invited_firms_only():
    # Given a Kyoto request routed to fushimi and uji (yawata and kumiyama were not asked)
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")

    # When fushimi writes on the internal thread
    message = post(world.users["fushimi"], rfq, "internal", "We have a free machine.")

    # Then the office and uji are told; neither the customer nor the firms not asked
    assert told(message) == {world.office_user.username, world.users["uji"].username}
    # and a firm not on the thread sees no count: the request is not even on its list
    yawata = as_user(world.users["yawata"])
    assert yawata.get(f"/api/rfqs/{rfq.pk}/").status_code == 404
    assert yawata.get("/api/rfqs/").json()["results"] == []


def test_the_unread_count_rises_with_each_message_and_falls_when_read():
    # Given a Kyoto request
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    office = client_for(world.office_user)
    assert unread(world.office_user, rfq) == 0

    # When the customer writes twice, and writes nothing the office has not read
    post(world.customer, rfq, "customer", "First question")
    post(world.customer, rfq, "customer", "Second question")

    # Then the office counts two unread, in the API and on its queue; the author none
    assert unread(world.office_user, rfq) == 2
    assert unread(world.customer, rfq) == 0
    queue = office.get(reverse("pages:queue")).content.decode()
    assert "2 unread messages" in queue

    # When the office opens the request, the two are new to it there
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert page.count('<strong class="tag unread">New</strong>') == 2

    # Then they are read: the count falls to none, the queue's marker goes away
    assert unread(world.office_user, rfq) == 0
    assert "unread message" not in office.get(reverse("pages:queue")).content.decode()
    again = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert "tag unread" not in again

    # When the office replies, the customer's list shows the one unread, until read
    post(world.office_user, rfq, "customer", "Answer")
    customer = client_for(world.customer)
    assert "1 unread message" in customer.get(reverse("pages:request-list")).content.decode()
    customer.get(reverse("pages:request", args=[rfq.pk]))
    assert "unread message" not in customer.get(reverse("pages:request-list")).content.decode()


def test_a_member_firm_counts_its_threads_in_its_lists():
    # Given a Kyoto request; the office writes internally, and to the customer
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    post(world.office_user, rfq, "internal", "Who has capacity?")
    post(world.office_user, rfq, "customer", "We are on it.")

    # When fushimi (invited, not leading) reads its lists
    fushimi = client_for(world.users["fushimi"])
    invitations = fushimi.get(reverse("pages:invitations")).content.decode()
    requests = fushimi.get(reverse("pages:request-list")).content.decode()

    # Then the internal message is unread there; the customer's thread is not its own
    assert "1 unread message" in invitations
    assert "1 unread message" in requests
    assert unread(world.users["fushimi"], rfq) == 1


def test_the_api_reads_the_threads_and_marks_them_read():
    # Given a Kyoto request with a message from the customer and one inside the network
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    asked = post(world.customer, rfq, "customer", "When?")
    post(world.users["fushimi"], rfq, "internal", "Tomorrow.")
    office = as_user(world.office_user)

    # When the office lists the requests and reads the threads
    listed = office.get("/api/rfqs/").json()["results"]
    thread = office.get(f"/api/rfqs/{rfq.pk}/messages/?audience=customer").json()["results"]

    # Then the list says two unread, and the thread shows the customer's message as new,
    # the customer named as a person to the office
    assert listed[0]["unread_messages"] == 2
    assert thread == [
        {
            "id": asked.pk,
            "audience": "customer",
            "author": world.customer.username,
            "body": "When?",
            "at": thread[0]["at"],
            "new": True,
        }
    ]

    # When it marks the request read
    response = office.post(f"/api/rfqs/{rfq.pk}/read/")

    # Then nothing is unread any more, and the thread's messages are no longer new
    assert response.status_code == 200
    assert response.json()["unread_messages"] == 0
    assert unread(world.office_user, rfq) == 0
    assert not any(m["new"] for m in office.get(f"/api/rfqs/{rfq.pk}/messages/").json()["results"])
    # while the customer reads its own thread only, and the office as a party
    mine = as_user(world.customer).get(f"/api/rfqs/{rfq.pk}/messages/").json()["results"]
    assert [(m["body"], m["author"]) for m in mine] == [("When?", "customer")]


def test_a_confidential_message_is_told_without_its_words_never_to_a_firm_without_the_nda():
    # Given a confidential Rodan21 request planned with both member-cluster firms invited:
    # one signed the NDA, the other did not
    world = rodan_world()
    rfq = routed(world, "process.machining.milling", confidential=True)
    for key in ("cluster_nda", "cluster_no_nda"):
        rfq.invitations.create(firm=world.firms[key], purpose="planning", rank=1, reason={})

    # When the office writes on the internal thread
    message = post(world.office_user, rfq, "internal", "MXSECRET tolerance 0.01")

    # Then the firm with the NDA is told, without the message's words; the one without
    # is not told, and counts nothing
    assert world.users["cluster_nda"].username in told(message)
    assert world.users["cluster_no_nda"].username not in told(message)
    notification = Notification.objects.get(
        subject_type="message",
        subject_id=message.pk,
        recipient=world.users["cluster_nda"],
        channel="in_app",
    )
    assert notification.kind == "message.posted_confidential"
    assert "MXSECRET" not in notification.body
    assert unread(world.users["cluster_nda"], rfq) == 1
    assert unread(world.users["cluster_no_nda"], rfq) == 0


def test_a_coordinators_internal_message_reaches_no_rival_group():
    # Given an Ota request two groups prepare proposals for
    world = ota_world()
    rfq = routed(world, "process.machining.milling", "material.aluminium")
    assert invitation_of(rfq, world.firms["south_coordinator"])

    # When the north coordinator writes on the internal thread
    message = post(world.users["north_coordinator"], rfq, "internal", "North's idea")

    # Then the office is told, the rival south coordinator neither told nor counting it
    assert told(message) == {world.office_user.username}
    assert unread(world.users["south_coordinator"], rfq) == 0
    # while an office message on the same thread reaches both groups
    announcement = post(world.office_user, rfq, "internal", "Proposals by Friday")
    assert told(announcement) == {
        world.users["north_coordinator"].username,
        world.users["south_coordinator"].username,
    }
    assert unread(world.users["south_coordinator"], rfq) == 1
