"""Each round of invitations has its own answer window, reminder and no-response marking;
a board's votes no longer needed are closed, not chased."""

import datetime

import pytest
from django.urls import reverse

from brokerage.models import Deadline, Invitation
from brokerage.pages.timeline import event_label
from brokerage.policies import response_rate_by_firm
from brokerage.services.deadlines import deadlines_fire_due
from brokerage.sla import member_sla
from members.models import Network, Notification
from orders.models import Event
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, client_for, submit
from tests.kit.worlds import migakiya_world, rodan_world

pytestmark = pytest.mark.django_db

MIRROR = [{"capability": "finish.polishing.mirror", "min_grade": 3}]
MILLING = [{"capability": "process.machining.milling"}]


def decide(world, rfq_id: int, admin: str, accept: bool = True) -> None:
    response = as_user(world.users[admin]).post(
        f"/api/rfqs/{rfq_id}/decision/", {"accept": accept, "reason": "Capacity"}
    )
    assert response.status_code == 200, response.json()


def statuses(rfq_id: int, world) -> dict[str, str]:
    names = {firm.pk: key for key, firm in world.firms.items()}
    return {
        names[firm_id]: status
        for firm_id, status in Invitation.objects.filter(rfq_id=rfq_id).values_list(
            "firm_id", "status"
        )
    }


def notified(world, key: str, kind: str) -> bool:
    return Notification.objects.filter(recipient=world.users[key], kind=kind).exists()


def test_once_the_board_decides_the_remaining_vote_is_not_needed_nor_chased(clock):
    # Given a board of three deciding by majority, and a request it reviews
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, MIRROR)
    # When two administrative members accept within the answer window
    clock.advance(minutes=20)
    decide(world, rfq["id"], "admin1")
    decide(world, rfq["id"], "admin2")
    # Then the third member's vote is closed as not needed
    assert statuses(rfq["id"], world)["admin3"] == Invitation.Status.NOT_NEEDED
    # and the board's answer window is cancelled
    board_window = Deadline.objects.get(rfq_id=rfq["id"], kind="member_response", round=1)
    assert board_window.cancelled_at is not None
    # When every deadline of the request has passed
    clock.advance(hours=3)
    deadlines_fire_due()
    # Then the third member was never marked silent nor chased
    assert statuses(rfq["id"], world)["admin3"] == Invitation.Status.NOT_NEEDED
    assert not notified(world, "admin3", "deadline.answer_overdue")
    reminders = Event.objects.filter(rfq_id=rfq["id"], kind="deadline.reminder")
    assert reminders.exists()
    assert all(world.firms["admin3"].pk not in event.data["reminded"] for event in reminders)
    # and its response rate does not count the vote it did not need to cast
    since, until = clock.now - datetime.timedelta(days=1), clock.now + datetime.timedelta(days=1)
    answers = {
        record.firm_id: record for record in member_sla(world.network, since=since, until=until)
    }
    assert world.firms["admin3"].pk not in answers
    assert answers[world.firms["admin1"].pk].response_rate == 1.0
    assert world.firms["admin3"].pk not in response_rate_by_firm(world.network)


def test_migakiyas_members_invited_after_the_board_get_their_own_answer_window(clock):
    # Given a request submitted on Wednesday at 10:00, which the board accepts at 11:40
    world = migakiya_world(rule=Network.DecisionRule.ANY)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MIRROR)
    clock.set(tokyo(2026, 11, 18, 11, 40))
    decide(world, rfq["id"], "admin1")
    # Then the polishers are a second round, due an answer window (60 min) after 11:40
    round_two = Invitation.objects.filter(rfq_id=rfq["id"], purpose="answer")
    assert set(round_two.values_list("round", flat=True)) == {2}
    times = dict(Deadline.objects.filter(rfq_id=rfq["id"], round=2).values_list("kind", "due_at"))
    assert times == {
        "member_response": tokyo(2026, 11, 18, 12, 40),
        "reminder": tokyo(2026, 11, 18, 12, 10),
    }
    # and their invitation tells them that time, not one counted from the submission
    invited = Notification.objects.get(
        recipient=world.users["polisher1"], kind="rfq.invited", channel="in_app"
    )
    assert "2026-11-18 12:40" in invited.body
    # When polisher1 answers and the round's reminder falls due
    response = as_user(world.users["polisher1"]).post(
        f"/api/invitations/{round_two.get(firm=world.firms['polisher1']).pk}/answer/",
        {"can_do": True, "price": 30_000, "lead_time_days": 7},
    )
    assert response.status_code == 200, response.json()
    clock.set(tokyo(2026, 11, 18, 12, 11))
    deadlines_fire_due()
    # Then only the silent polisher is reminded of its answer
    assert notified(world, "polisher2", "deadline.answer_reminder")
    assert not notified(world, "polisher1", "deadline.answer_reminder")
    assert statuses(rfq["id"], world)["polisher2"] == Invitation.Status.PENDING
    # and the office's timeline tells that reminder from the estimate's
    reminder = Event.objects.get(rfq_id=rfq["id"], kind="deadline.reminder", data__round=2)
    headline, _detail = event_label(reminder.kind, reminder.data, {}, "office")
    assert headline == "Reminder: the latest invited firms' answers are due soon"
    # and when the round's window closes, the silent polisher is marked, not before
    clock.set(tokyo(2026, 11, 18, 12, 41))
    deadlines_fire_due()
    assert statuses(rfq["id"], world)["polisher2"] == Invitation.Status.NO_RESPONSE
    assert statuses(rfq["id"], world)["polisher1"] == Invitation.Status.CAN_DO
    assert notified(world, "polisher2", "deadline.answer_overdue")


def test_rodan21s_planning_firms_get_their_own_answer_window(clock):
    # Given a consultation submitted on Wednesday at 10:00, interviewed the next day
    world = rodan_world()
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MILLING)
    office = as_user(world.office_user)
    clock.set(tokyo(2026, 11, 19, 10, 0))
    meeting = tokyo(2026, 11, 24, 14, 0).isoformat()
    office.post(f"/api/rfqs/{rfq['id']}/interview/", {"scheduled_at": meeting})
    response = office.post(f"/api/rfqs/{rfq['id']}/interview/notes/", {"notes": "3 prototypes"})
    assert response.status_code == 200, response.json()
    # When the submission's answer window has long passed, and the sweeper runs
    deadlines_fire_due()
    # Then the planning firms, not yet told, are not marked silent
    planners = Invitation.objects.filter(rfq_id=rfq["id"], purpose="planning")
    assert set(planners.values_list("status", flat=True)) == {Invitation.Status.PENDING}
    assert set(planners.values_list("round", flat=True)) == {2}
    # When the office announces the planning meeting at 15:00
    clock.set(tokyo(2026, 11, 19, 15, 0))
    response = office.post(f"/api/rfqs/{rfq['id']}/planning/", {"scheduled_at": meeting})
    assert response.status_code == 200, response.json()
    # Then their answers are due an answer window (60 min) after it was sent
    due = Deadline.objects.get(rfq_id=rfq["id"], kind="member_response", round=2).due_at
    assert due == tokyo(2026, 11, 19, 16, 0)
    announced = Notification.objects.get(
        recipient=world.users["maker"], kind="rfq.planning_invited", channel="in_app"
    )
    assert "2026-11-19 16:00" in announced.body
    # and moving the meeting keeps the window the round was sent with
    clock.set(tokyo(2026, 11, 19, 15, 30))
    office.post(f"/api/rfqs/{rfq['id']}/planning/", {"scheduled_at": meeting})
    assert Deadline.objects.filter(rfq_id=rfq["id"], round=2).count() == 2
    # When the window closes with nobody answering
    clock.set(tokyo(2026, 11, 19, 16, 1))
    deadlines_fire_due()
    # Then the planning firms are marked silent and chased
    assert set(planners.values_list("status", flat=True)) == {Invitation.Status.NO_RESPONSE}
    assert notified(world, "maker", "deadline.answer_overdue")


def test_a_later_rounds_firm_reads_its_own_answer_time_in_its_inbox_and_invitation(clock):
    # Given a request submitted at 10:00 (the board's answers due at 11:00), which the board
    # accepts at 11:40, inviting the polishers with answers due at 12:40
    world = migakiya_world(rule=Network.DecisionRule.ANY)
    clock.set(tokyo(2026, 11, 18, 10, 0))
    rfq = submit(world, MIRROR)
    clock.set(tokyo(2026, 11, 18, 11, 40))
    decide(world, rfq["id"], "admin1")
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["polisher1"])
    # When the polisher opens its inbox and its invitation
    polisher = client_for(world.users["polisher1"])
    inbox = polisher.get(reverse("pages:invitations")).content.decode()
    page = polisher.get(reverse("pages:invitation", args=[invitation.pk])).content.decode()
    # Then both say 12:40, its round's time, never the board's 11:00
    for shown in (inbox, page):
        assert "12:40" in shown
        assert "11:00" not in shown
    # and the API says the same of the invitation
    answers = as_user(world.users["polisher1"]).get("/api/invitations/").json()["results"]
    assert [row["answer_due_at"] for row in answers] == [tokyo(2026, 11, 18, 12, 40).isoformat()]
