"""Deadlines: stored at submission, fired exactly once, cancelled when a request moves on."""

import datetime

import pytest

from brokerage.models import Deadline, Invitation
from brokerage.services.deadlines import deadlines_fire_due
from members.models import Notification
from orders.models import RFQ, Event
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, make_due, submit
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

MILLING = [{"capability": "process.machining.milling"}]


def channels(user, kind):
    return sorted(
        Notification.objects.filter(recipient=user, kind=kind).values_list("channel", flat=True)
    )


def test_submission_stores_the_three_deadlines_from_the_network_settings():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    deadlines = {d.kind: d.due_at for d in Deadline.objects.filter(rfq_id=rfq["id"])}
    submitted = RFQ.objects.get(pk=rfq["id"]).submitted_at
    assert deadlines["member_response"] - submitted == datetime.timedelta(minutes=60)
    assert deadlines["reminder"] - submitted == datetime.timedelta(minutes=90)
    assert deadlines["estimate"] - submitted == datetime.timedelta(minutes=120)


def test_a_business_hours_network_tells_the_customer_the_exact_due_time(clock):
    # Given a network counting on business hours, and a Friday-evening submission
    world = kyoto_world()
    world.network.use_business_hours = True
    world.network.save()
    clock.set(tokyo(2026, 11, 20, 17, 30))
    # When the customer submits
    rfq = submit(world, MILLING)
    # Then the estimate is due on Tuesday 10:30 JST (Monday is Labour Thanksgiving Day)
    assert rfq["estimate_due_at"] == "2026-11-24T10:30:00+09:00"
    notification = Notification.objects.get(
        recipient=world.customer, kind="rfq.received", channel="in_app"
    )
    assert "2026-11-24 10:30" in notification.body


def test_each_deadline_fires_exactly_once():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    make_due(rfq["id"], "member_response", "reminder")
    assert deadlines_fire_due() == 2
    assert deadlines_fire_due() == 0
    fired = Event.objects.filter(rfq_id=rfq["id"], kind__startswith="deadline.")
    assert sorted(fired.values_list("kind", flat=True)) == [
        "deadline.member_response",
        "deadline.reminder",
    ]


def test_the_answer_deadline_marks_silence_and_chases_it_on_the_phone():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["fushimi"])
    as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/",
        {"can_do": True, "price": 1000, "lead_time_days": 3},
    )
    make_due(rfq["id"], "member_response")
    deadlines_fire_due()
    statuses = dict(
        Invitation.objects.filter(rfq_id=rfq["id"]).values_list("firm__name_en", "status")
    )
    assert statuses == {"fushimi Co., Ltd.": "can_do", "uji Co., Ltd.": "no_response"}
    assert channels(world.users["uji"], "deadline.answer_overdue") == ["email", "in_app", "sms"]
    assert channels(world.users["fushimi"], "deadline.answer_overdue") == []
    assert channels(world.office_user, "deadline.answers_missing_office") == ["email", "in_app"]


def test_a_breached_estimate_alerts_the_office_everywhere_and_designates_the_best_can_do():
    # Given a network that designates on breach, and two firms that can do it
    world = kyoto_world()
    world.network.designate_on_breach = True
    world.network.save()
    rfq = submit(world, MILLING)
    for key, price in (("uji", 900), ("fushimi", 1000)):
        invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms[key])
        as_user(world.users[key]).post(
            f"/api/invitations/{invitation.pk}/answer/",
            {"can_do": True, "price": price, "lead_time_days": 3},
        )
    # When the estimate deadline passes with no leader
    make_due(rfq["id"], "estimate")
    deadlines_fire_due()
    # Then the office is alerted on every channel, including the phone
    assert channels(world.office_user, "deadline.estimate_breached") == ["email", "in_app", "sms"]
    # and the best-ranked 'can do' member leads on the office's urgent authority
    row = RFQ.objects.get(pk=rfq["id"])
    best = Invitation.objects.filter(rfq_id=rfq["id"], status="can_do").order_by("rank").first()
    assert row.leader_firm_id == best.firm_id
    assert row.leader_reason == "urgent"
    # and the customer hears what happens next
    assert channels(world.customer, "deadline.estimate_late_customer") == ["email", "in_app"]


def test_a_network_that_does_not_allow_it_only_alerts():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    make_due(rfq["id"], "estimate")
    deadlines_fire_due()
    assert RFQ.objects.get(pk=rfq["id"]).leader_firm is None
    assert channels(world.office_user, "deadline.estimate_breached") == ["email", "in_app", "sms"]


def test_deadlines_of_a_request_that_moved_on_never_fire():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    as_user(world.customer).post(f"/api/rfqs/{rfq['id']}/cancel/", {"reason": "Changed plans"})
    make_due(rfq["id"], "member_response", "reminder", "estimate")
    assert deadlines_fire_due() == 0
    assert not Event.objects.filter(rfq_id=rfq["id"], kind__startswith="deadline.").exists()
    assert Deadline.objects.filter(rfq_id=rfq["id"], cancelled_at__isnull=False).count() == 3


def test_a_deadline_left_behind_by_a_closed_request_is_cancelled_not_fired():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    RFQ.objects.filter(pk=rfq["id"]).update(status="declined")
    make_due(rfq["id"], "estimate")
    deadlines_fire_due()
    deadline = Deadline.objects.get(rfq_id=rfq["id"], kind="estimate")
    assert deadline.fired_at is None and deadline.cancelled_at is not None
