"""Each stage of a network's policy has its own promise: Rodan21's consultation runs on
the interview's, the planning meeting's, then the estimate's clock, not on the two-hour
estimate clock from submission."""

import pytest
from django.urls import reverse

from brokerage.models import Deadline
from brokerage.services.deadlines import deadlines_fire_due
from members.models import Notification
from orders.models import Event
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, client_for, submit
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db

MILLING = [{"capability": "process.machining.milling"}]


def pending(rfq_id):
    return {
        (deadline.stage, deadline.kind): deadline.due_at
        for deadline in Deadline.objects.filter(
            rfq_id=rfq_id, round=1, fired_at__isnull=True, cancelled_at__isnull=True
        )
    }


def kinds_sent(user):
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def business_hours(world):
    world.network.use_business_hours = True
    world.network.save()


def interviewed(world, rfq_id):
    office = as_user(world.office_user)
    meeting = tokyo(2026, 11, 19, 14, 0).isoformat()
    assert office.post(f"/api/rfqs/{rfq_id}/interview/", {"scheduled_at": meeting}).status_code
    response = office.post(f"/api/rfqs/{rfq_id}/interview/notes/", {"notes": "3 prototypes"})
    assert response.status_code == 200, response.json()


def test_a_consultation_starts_on_the_interview_promise_not_the_estimate_clock(clock):
    # Given Rodan21 on business hours (09:00-18:00), a request submitted Wednesday 10:00
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    # When the customer submits
    rfq = submit(world, MILLING)
    # Then its only promise is the interview, within three business days, reminded a day before
    assert pending(rfq["id"]) == {
        ("interview", "estimate"): tokyo(2026, 11, 24, 10, 0),
        ("interview", "reminder"): tokyo(2026, 11, 20, 10, 0),
    }
    assert rfq["estimate_due_at"] is None
    received = Notification.objects.get(recipient=world.customer, channel="in_app")
    assert received.kind == "rfq.received_interview"
    assert "2026-11-24 10:00" in received.body


def test_no_late_notice_two_hours_after_a_consultation_is_submitted(clock):
    # Given a Rodan21 request submitted at 10:00
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    # When the sweeper runs at 12:01 and at the end of the day
    clock.set(tokyo(2026, 11, 18, 12, 1))
    deadlines_fire_due()
    clock.set(tokyo(2026, 11, 18, 18, 0))
    deadlines_fire_due()
    # Then nobody hears of a late estimate
    assert not Event.objects.filter(rfq_id=rfq["id"], kind__startswith="deadline.").exists()
    assert "deadline.estimate_late_customer" not in kinds_sent(world.customer)


def test_the_interview_promise_reminds_the_office_then_breaches_after_three_business_days(clock):
    # Given a Rodan21 request submitted Wednesday 10:00 and no interview held
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    # When the sweeper runs on Friday 10:00 (a business day before it is due)
    clock.set(tokyo(2026, 11, 20, 10, 0))
    deadlines_fire_due()
    # Then the office is reminded of the interview, and the customer hears nothing
    assert "deadline.interview_reminder" in kinds_sent(world.office_user)
    assert "deadline.interview_late_customer" not in kinds_sent(world.customer)
    # When it runs on Tuesday 10:00 (Monday is a national holiday)
    clock.set(tokyo(2026, 11, 24, 10, 0))
    deadlines_fire_due()
    # Then the office is alerted and the customer told the interview is late
    assert "deadline.interview_breached" in kinds_sent(world.office_user)
    assert "deadline.interview_late_customer" in kinds_sent(world.customer)
    late = Notification.objects.get(
        recipient=world.customer, kind="deadline.interview_late_customer", channel="in_app"
    )
    assert "2026-11-24 10:00" in late.body
    breach = Event.objects.get(rfq_id=rfq["id"], kind="deadline.estimate")
    assert breach.data["stage"] == "interview"


def test_recording_the_interview_keeps_its_promise_and_starts_the_planning_one(clock):
    # Given a Rodan21 request submitted Wednesday 10:00
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    # When the office records the interview on Thursday 15:00
    clock.set(tokyo(2026, 11, 19, 15, 0))
    interviewed(world, rfq["id"])
    # Then the interview's deadlines are moot and the planning meeting is due in five
    # business days (Monday the 23rd is a holiday)
    assert pending(rfq["id"]) == {
        ("planning", "estimate"): tokyo(2026, 11, 27, 15, 0),
        ("planning", "reminder"): tokyo(2026, 11, 26, 15, 0),
    }
    # and the interview's promise never fires
    clock.set(tokyo(2026, 11, 25, 10, 0))
    deadlines_fire_due()
    assert "deadline.interview_late_customer" not in kinds_sent(world.customer)


def test_choosing_the_phases_starts_the_estimate_promise(clock):
    # Given a Rodan21 request interviewed on Thursday 15:00, its planning meeting announced
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    clock.set(tokyo(2026, 11, 19, 15, 0))
    interviewed(world, rfq["id"])
    office = as_user(world.office_user)
    meeting = tokyo(2026, 11, 20, 14, 0).isoformat()
    office.post(f"/api/rfqs/{rfq['id']}/planning/", {"scheduled_at": meeting})
    # When the office chooses the phases' firms on Friday 16:00
    clock.set(tokyo(2026, 11, 20, 16, 0))
    response = office.post(
        f"/api/rfqs/{rfq['id']}/phases/",
        {"phases": {"design": world.firms["planner"].pk}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # Then the estimate is due three business days later, and the request's estimate clock
    # says so
    due = tokyo(2026, 11, 26, 16, 0)
    assert pending(rfq["id"]) == {
        ("estimate", "estimate"): due,
        ("estimate", "reminder"): tokyo(2026, 11, 25, 16, 0),
    }
    detail = as_user(world.customer).get(f"/api/rfqs/{rfq['id']}/").json()
    assert detail["estimate_due_at"] == due.isoformat()


def test_a_broadcast_network_keeps_its_two_hour_estimate_promise():
    # Given Kyoto, counting every minute
    world = kyoto_world()
    # When a request is submitted
    rfq = submit(world, MILLING)
    # Then its deadlines are the estimate's, as before
    stages = set(Deadline.objects.filter(rfq_id=rfq["id"]).values_list("stage", "kind"))
    assert stages == {
        ("estimate", "estimate"),
        ("estimate", "reminder"),
        ("estimate", "member_response"),
    }


def test_the_customer_reads_the_current_promise_in_the_api_and_on_the_page(clock):
    # Given a Rodan21 request submitted Wednesday 10:00
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    customer = as_user(world.customer)
    # When the customer reads it
    detail = customer.get(f"/api/rfqs/{rfq['id']}/").json()
    listed = customer.get("/api/rfqs/").json()
    # Then the promise is the interview's, in the detail and the list alike
    promise = {
        "stage": "interview",
        "stage_label": "Interview",
        "due_at": "2026-11-24T10:00:00+09:00",
    }
    assert detail["promise"] == promise
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["promise"] for row in rows if row["id"] == rfq["id"]] == [promise]
    # and the page says it, in English and in Japanese
    page = client_for(world.customer).get(reverse("pages:request", args=[rfq["id"]]))
    assert "Interview due by" in page.content.decode()
    japanese = client_for(world.customer, language="ja").get(
        reverse("pages:request", args=[rfq["id"]])
    )
    assert "ヒアリング期限" in japanese.content.decode()
    # When the interview is recorded, the promise becomes the planning meeting's
    clock.set(tokyo(2026, 11, 19, 15, 0))
    interviewed(world, rfq["id"])
    assert customer.get(f"/api/rfqs/{rfq['id']}/").json()["promise"]["stage"] == "planning"
    page = client_for(world.customer).get(reverse("pages:request", args=[rfq["id"]]))
    assert "Planning meeting due by" in page.content.decode()


def test_a_missed_interview_reads_as_late_in_the_customers_timeline(clock):
    # Given a Rodan21 request whose interview promise was breached
    world = rodan_world()
    business_hours(world)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    clock.set(tokyo(2026, 11, 24, 10, 0))
    deadlines_fire_due()
    # When the customer opens the request
    page = client_for(world.customer).get(reverse("pages:request", args=[rfq["id"]]))
    # Then the timeline says the interview is late, not the estimate
    text = page.content.decode()
    assert "Your interview takes longer than promised" in text
    assert "Your estimate takes longer than promised" not in text


def test_a_kyoto_request_promises_its_estimate():
    world = kyoto_world()
    rfq = submit(world, MILLING)
    detail = as_user(world.customer).get(f"/api/rfqs/{rfq['id']}/").json()
    assert detail["promise"]["stage"] == "estimate"
    assert detail["promise"]["due_at"] == detail["estimate_due_at"]
