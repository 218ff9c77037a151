"""A request no member firm covers goes to the network office's triage, not to no bid:
the office corrects it, invites firms by hand or closes it, and if it does none of these
within the network's window the sweeper closes it."""

# ruff: noqa: RUF001 - the Japanese the site writes has full-width colons

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokerage.models import Deadline, Invitation
from brokerage.services.deadlines import deadlines_fire_due
from brokerage.services.intake import RequirementInput
from brokerage.services.triage import (
    rfq_triage_close,
    rfq_triage_invite,
    rfq_triage_requirements,
)
from capabilities.models import Capability
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import Notification, User
from orders.models import RFQ, Event, RFQRequirement
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, client_for, routed
from tests.kit.worlds import kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db

MILLING = "process.machining.milling"
MIRROR = "finish.polishing.mirror"


@pytest.fixture
def world():
    world = kyoto_world()
    Capability.objects.filter(code=MIRROR).update(name_ja="鏡面研磨")
    return world


def kinds_told(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def speaking(user, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)


def body_of(user, kind: str) -> str:
    return Notification.objects.get(recipient=user, kind=kind, channel="in_app").body


def in_triage(world) -> RFQ:
    rfq = routed(world, MIRROR)
    assert rfq.status == RFQ.Status.TRIAGE
    return rfq


def test_a_request_nobody_covers_goes_to_the_offices_triage_not_to_no_bid(world):
    # Given a network where no member polishes to a mirror
    speaking(world.customer, "ja")
    speaking(world.office_user, "ja")
    # When a customer's request for mirror polishing is routed
    rfq = routed(world, MIRROR)
    # Then it waits for the office's triage, with why kept as data
    assert rfq.status == RFQ.Status.TRIAGE
    event = Event.objects.get(rfq=rfq, kind="rfq.triage")
    assert event.data["reason"] == {"code": "uncovered", "missing": [MIRROR]}
    assert not Event.objects.filter(rfq=rfq, kind="rfq.no_bid").exists()
    # And the office is asked to act, the customer told the office is looking for firms
    assert "rfq.triage_office" in kinds_told(world.office_user)
    assert "rfq.triage" in kinds_told(world.customer)
    assert "rfq.no_bid" not in kinds_told(world.customer)
    # in their language, the capability named, never coded
    office = body_of(world.office_user, "rfq.triage_office")
    assert "鏡面研磨" in office and MIRROR not in office
    assert "事務局" in body_of(world.customer, "rfq.triage")


def test_the_triage_window_is_the_networks_working_days_on_its_clock(world, clock):
    # Given a network counting two working days of 9:00-18:00, and a Wednesday 10:00
    world.network.use_business_hours = True
    world.network.save()
    clock.set(tokyo(2026, 11, 18, 10, 0))
    # When a request nobody covers is routed
    rfq = in_triage(world)
    # Then its triage closes on Friday at 10:00
    due = Deadline.objects.get(rfq=rfq, kind=Deadline.Kind.TRIAGE).due_at
    assert due == tokyo(2026, 11, 20, 10, 0)


def test_the_triage_closes_as_no_bid_only_after_the_window_and_only_once(world, clock):
    # Given a request in triage, with the network's default window of 2 working days
    world.network.use_business_hours = True
    world.network.save()
    speaking(world.customer, "en")
    speaking(world.office_user, "en")
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = in_triage(world)
    # When the sweeper runs a minute before the window closes
    clock.set(tokyo(2026, 11, 20, 9, 59))
    deadlines_fire_due()
    # Then the request still waits for the office
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE
    # When the window has closed and the sweeper runs, twice
    clock.set(tokyo(2026, 11, 20, 10, 0))
    deadlines_fire_due()
    deadlines_fire_due()
    # Then the request is closed as no bid, once, saying why
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.NO_BID
    [closed] = Event.objects.filter(rfq=rfq, kind="rfq.no_bid")
    assert closed.data == {"reason": {"code": "triage_expired", "days": 2}}
    assert Event.objects.filter(rfq=rfq, kind="deadline.triage").count() == 1
    # And the customer and the office are told, each once
    assert "within 2 working days" in body_of(world.customer, "rfq.no_bid")
    assert "within 2 working days" in body_of(world.office_user, "rfq.no_bid_office")
    # And no deadline of it is left to fire
    assert not Deadline.objects.filter(
        rfq=rfq, fired_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_the_office_corrects_the_requirements_and_the_request_is_routed_again(world, clock):
    # Given a request in triage that asked for mirror polishing by mistake
    rfq = in_triage(world)
    # When the office corrects it to milling, an hour later
    clock.advance(hours=1)
    rfq_triage_requirements(
        rfq_id=rfq.pk,
        requirements=[RequirementInput(capability_code=MILLING)],
        user=world.office_user,
    )
    # Then it is routed to the members who mill, in a round answered from now
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.ROUTED
    assert list(rfq.requirements.values_list("capability__code", flat=True)) == [MILLING]
    invited = Invitation.objects.filter(rfq=rfq)
    assert {invitation.firm_id for invitation in invited} == {
        world.firms["fushimi"].pk,
        world.firms["uji"].pk,
    }
    assert {invitation.round for invitation in invited} == {2}
    window = Deadline.objects.get(rfq=rfq, kind=Deadline.Kind.MEMBER_RESPONSE, round=2)
    assert window.due_at == clock.now + datetime.timedelta(minutes=60)
    # and the correction is recorded, the triage window cancelled, everyone told
    corrected = Event.objects.get(rfq=rfq, kind="rfq.requirements_corrected")
    assert corrected.data == {"before": [MIRROR], "requirements": [MILLING]}
    assert Deadline.objects.get(rfq=rfq, kind=Deadline.Kind.TRIAGE).cancelled_at is not None
    assert "rfq.invited" in kinds_told(world.users["fushimi"])
    assert "rfq.triage_routed" in kinds_told(world.customer)


def test_a_correction_nobody_covers_either_is_refused_and_changes_nothing(world):
    rfq = in_triage(world)
    # When the office corrects it to another skill no member has
    with pytest.raises(Refusal) as refused:
        rfq_triage_requirements(
            rfq_id=rfq.pk,
            requirements=[RequirementInput(capability_code=MIRROR, min_grade=5)],
            user=world.office_user,
        )
    # Then it is told so, and the request still waits in triage as it was
    assert refused.value.field == "requirements"
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.TRIAGE
    assert RFQRequirement.objects.get(rfq=rfq).min_grade == 1
    assert not Event.objects.filter(rfq=rfq, kind="rfq.requirements_corrected").exists()


def test_the_office_invites_firms_by_hand_with_its_reason(world, clock):
    rfq = in_triage(world)
    # When the office invites a firm by hand, an hour later, saying why
    clock.advance(hours=1)
    rfq_triage_invite(
        rfq_id=rfq.pk,
        firm_ids=[world.firms["yawata"].pk],
        note="Polishes resin parts; may do mirror finishes",
        user=world.office_user,
    )
    # Then the firm is invited with the office's reason, answering within the usual window
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.ROUTED
    [invitation] = Invitation.objects.filter(rfq=rfq)
    assert invitation.firm == world.firms["yawata"]
    assert invitation.reason == {
        "code": "office_invited",
        "note": "Polishes resin parts; may do mirror finishes",
    }
    assert invitation.round == 2
    window = Deadline.objects.get(rfq=rfq, kind=Deadline.Kind.MEMBER_RESPONSE, round=2)
    assert window.due_at == clock.now + datetime.timedelta(minutes=60)
    # and the firm, the customer and the timeline are told
    assert "rfq.invited" in kinds_told(world.users["yawata"])
    assert "rfq.triage_routed" in kinds_told(world.customer)
    assert Event.objects.filter(rfq=rfq, kind="rfq.triage_invited").exists()
    assert Deadline.objects.get(rfq=rfq, kind=Deadline.Kind.TRIAGE).cancelled_at is not None


def test_the_office_invites_only_active_members_of_its_network(world):
    rfq = in_triage(world)
    rival = migakiya_world()
    office_firm_id = world.office_user.firm_id
    for firm_id in (rival.firms["polisher1"].pk, office_firm_id):
        with pytest.raises(Refusal) as refused:
            rfq_triage_invite(
                rfq_id=rfq.pk, firm_ids=[firm_id], note="Can polish", user=world.office_user
            )
        assert refused.value.field == "firms"
    with pytest.raises(Refusal) as refused:
        rfq_triage_invite(
            rfq_id=rfq.pk, firm_ids=[world.firms["uji"].pk], note=" ", user=world.office_user
        )
    assert refused.value.field == "reason"
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE


def test_the_office_closes_a_triaged_request_with_its_decision(world):
    speaking(world.customer, "ja")
    rfq = in_triage(world)
    # When the office closes it, saying why
    rfq_triage_close(
        rfq_id=rfq.pk, note="Nobody in the region polishes to a mirror", user=world.office_user
    )
    # Then it is closed as no bid with the office's decision as its reason
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.NO_BID
    closed = Event.objects.get(rfq=rfq, kind="rfq.no_bid")
    assert closed.actor == world.office_user
    assert closed.data["reason"] == {
        "code": "office_closed",
        "note": "Nobody in the region polishes to a mirror",
    }
    # and the customer is told in their language
    assert "Nobody in the region" in body_of(world.customer, "rfq.no_bid")
    assert "事務局" in body_of(world.customer, "rfq.no_bid")
    # and the sweeper has nothing left to close
    assert not Deadline.objects.filter(
        rfq=rfq, kind=Deadline.Kind.TRIAGE, cancelled_at__isnull=True
    ).exists()


@pytest.mark.parametrize("who", ["rival office", "customer", "member", "staff"])
def test_only_the_networks_office_triages(world, who):
    rfq = in_triage(world)
    person = {
        "rival office": lambda: migakiya_world().office_user,
        "customer": lambda: world.customer,
        "member": lambda: world.users["fushimi"],
        "staff": lambda: User.objects.create(username="staff", is_staff=True),
    }[who]()
    steps = (
        lambda: rfq_triage_close(rfq_id=rfq.pk, note="No", user=person),
        lambda: rfq_triage_invite(
            rfq_id=rfq.pk, firm_ids=[world.firms["uji"].pk], note="Yes", user=person
        ),
        lambda: rfq_triage_requirements(
            rfq_id=rfq.pk, requirements=[RequirementInput(capability_code=MILLING)], user=person
        ),
    )
    for step in steps:
        with pytest.raises(NotAllowed):
            step()
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE


def test_a_request_not_in_triage_is_not_triaged(world):
    rfq = routed(world, MILLING)
    with pytest.raises(InvalidTransition):
        rfq_triage_close(rfq_id=rfq.pk, note="No", user=world.office_user)


# --- Pages -----------------------------------------------------------------------------


def test_the_office_sees_the_request_marked_for_triage_in_its_language(world):
    rfq = in_triage(world)
    office = client_for(world.office_user, language="ja")
    # When the office opens its queue and the request, in Japanese
    queue = office.get(reverse("pages:queue")).content.decode()
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    # Then the request is marked as needing triage, why said with the capability's name
    assert "要振り分け" in queue
    assert "次の必要な技能を持つ会員企業がありません：鏡面研磨。" in queue
    panel = page[page.index('id="triage"') : page.index("</section>", page.index('id="triage"'))]
    assert "次の必要な技能を持つ会員企業がありません：鏡面研磨。" in panel
    assert MIRROR not in unescape(re.sub(r"<[^>]+>", " ", panel.split("<form")[0]))
    # with its three ways out
    for step in ("triage-requirements", "triage-invite", "triage-close"):
        assert reverse(f"pages:{step}", args=[rfq.pk]) in page


def test_the_office_invites_a_firm_by_hand_from_the_page(world):
    rfq = in_triage(world)
    office = client_for(world.office_user)
    # When the office ticks a firm and says why
    response = office.post(
        reverse("pages:triage-invite", args=[rfq.pk]),
        {"firms": [str(world.firms["yawata"].pk)], "reason": "Polishes resin parts"},
    )
    # Then the firm is invited and the office is back on the request
    assert response.status_code == 302
    assert Invitation.objects.get(rfq=rfq).firm == world.firms["yawata"]
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.ROUTED


def test_a_refused_triage_step_says_why_on_its_form(world):
    rfq = in_triage(world)
    office = client_for(world.office_user)
    # When the office sends the invitation form without a firm, and a correction nobody covers
    empty = office.post(reverse("pages:triage-invite", args=[rfq.pk]), {"reason": "Try"})
    uncovered = office.post(
        reverse("pages:triage-requirements", args=[rfq.pk]),
        {"requirements": [MIRROR], f"grade_{Capability.objects.get(code=MIRROR).pk}": "5"},
    )
    # Then each page says what to correct, on the form that was sent
    assert empty.status_code == 400
    assert "Tick at least one member firm." in empty.content.decode()
    assert uncovered.status_code == 400
    assert "Still no member firm can take it on" in uncovered.content.decode()
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE


def test_the_customer_reads_that_the_office_is_looking_for_firms(world):
    rfq = in_triage(world)
    page = client_for(world.customer, language="ja").get(reverse("pages:request", args=[rfq.pk]))
    text = page.content.decode()
    assert "事務局が対応できる会員企業を探しています" in text
    assert 'id="triage"' not in text


def test_the_customer_and_the_members_may_not_triage_from_the_pages(world):
    rfq = in_triage(world)
    for person in (world.customer, world.users["fushimi"], migakiya_world().office_user):
        response = client_for(person).post(
            reverse("pages:triage-close", args=[rfq.pk]), {"reason": "No"}
        )
        assert response.status_code in (403, 404)
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE


# --- API -------------------------------------------------------------------------------


def test_the_office_triages_through_the_api(world):
    rfq = in_triage(world)
    api = as_user(world.office_user)
    # When the office corrects the requirements through the API
    response = api.post(
        f"/api/rfqs/{rfq.pk}/triage/requirements/",
        {"requirements": [{"capability": MILLING, "min_grade": 3}]},
        format="json",
    )
    # Then the request is routed again
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "routed"
    # And once it is out of triage, another triage step is refused as a conflict
    response = api.post(f"/api/rfqs/{rfq.pk}/triage/close/", {"reason": "No"}, format="json")
    assert response.status_code == 409


def test_the_api_invites_and_closes_and_refuses_what_a_person_can_correct(world):
    first, second = in_triage(world), in_triage(world)
    api = as_user(world.office_user)
    refused = api.post(f"/api/rfqs/{first.pk}/triage/invite/", {"firms": []}, format="json")
    assert refused.status_code == 400
    assert {"firms", "reason"} <= set(refused.json())
    for firms in ([2**64], [world.office_user.firm_id]):
        refused = api.post(
            f"/api/rfqs/{first.pk}/triage/invite/",
            {"firms": firms, "reason": "Try"},
            format="json",
        )
        assert refused.status_code == 400, refused.json()
        assert "firms" in refused.json()
    invited = api.post(
        f"/api/rfqs/{first.pk}/triage/invite/",
        {"firms": [world.firms["yawata"].pk], "reason": "Polishes resin"},
        format="json",
    )
    assert invited.status_code == 200, invited.json()
    closed = api.post(
        f"/api/rfqs/{second.pk}/triage/close/", {"reason": "Out of scope"}, format="json"
    )
    assert closed.json()["status"] == "no_bid"
    # And the customer's events name the office's decision in the customer's language
    events = as_user(world.customer).get(
        f"/api/rfqs/{second.pk}/events/", HTTP_ACCEPT_LANGUAGE="ja"
    )
    rows = events.json()["results"]
    [no_bid] = [row for row in rows if row["kind"] == "rfq.no_bid"]
    assert "Out of scope" in no_bid["reason_text"] and "事務局" in no_bid["reason_text"]


@pytest.mark.parametrize("who", ["customer", "member", "rival office"])
def test_the_api_refuses_triage_to_anyone_but_the_networks_office(world, who):
    rfq = in_triage(world)
    person = {
        "customer": lambda: world.customer,
        "member": lambda: world.users["fushimi"],
        "rival office": lambda: migakiya_world().office_user,
    }[who]()
    response = as_user(person).post(
        f"/api/rfqs/{rfq.pk}/triage/close/", {"reason": "No"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.TRIAGE


def test_the_queue_reads_the_triage_reasons_names_once_for_the_page(world):
    office = client_for(world.office_user)

    def queries_for_the_queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(reverse("pages:queue")).status_code == 200
        return len(queries)

    # Given two requests in triage, then six
    for _index in range(2):
        in_triage(world)
    two = queries_for_the_queue()
    for _index in range(4):
        in_triage(world)
    # Then the queue costs the same queries
    assert queries_for_the_queue() == two
