"""Each policy's full path through the API, from submission to an accepted estimate."""

import datetime

import pytest
from django.utils import timezone

from brokerage.models import BoardDecision, Deadline, Invitation
from members.models import Network, Notification
from orders.models import RFQ, Event, Order
from tests.kit.steps import accept, as_user, send_estimate, submit
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world, rodan_world

pytestmark = pytest.mark.django_db


def notified(user, kind) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, kind=kind).values_list("channel", flat=True)
    )


def test_kyoto_broadcast_from_submission_to_accepted_estimate():
    # Given Kyoto-style members and a customer
    world = kyoto_world()
    # When the customer submits a request needing milling (grade 3) and aluminium
    rfq = submit(
        world,
        [
            {"capability": "process.machining.milling", "min_grade": 3},
            {"capability": "material.aluminium"},
        ],
    )
    # Then it is routed at once, the estimate is due two hours later, and every member
    # with a required skill is invited with the reason stored
    assert rfq["status"] == "routed"
    submitted = datetime.datetime.fromisoformat(rfq["submitted_at"])
    due = datetime.datetime.fromisoformat(rfq["estimate_due_at"])
    assert due - submitted == datetime.timedelta(hours=2)
    assert Deadline.objects.filter(rfq_id=rfq["id"]).count() == 3
    invitations = {i.firm_id: i for i in Invitation.objects.filter(rfq_id=rfq["id"])}
    assert set(invitations) == {world.firms["fushimi"].pk, world.firms["uji"].pk}
    assert invitations[world.firms["fushimi"].pk].rank == 1
    assert "process.machining.milling" in str(invitations[world.firms["fushimi"].pk].reason)
    # and each invited supervisor is told by e-mail, SMS and in the app, exactly once
    assert notified(world.users["fushimi"], "rfq.invited") == ["email", "in_app", "sms"]
    assert notified(world.users["yawata"], "rfq.invited") == []
    assert notified(world.customer, "rfq.received") == ["email", "in_app"]

    # When the members answer and the office designates the one that can do it
    fushimi = as_user(world.users["fushimi"])
    fushimi_invitation = invitations[world.firms["fushimi"].pk].pk
    answer = {"can_do": True, "price": 80_000, "lead_time_days": 7, "note": "5-axis"}
    assert fushimi.post(f"/api/invitations/{fushimi_invitation}/answer/", answer).status_code == 200
    uji_invitation = invitations[world.firms["uji"].pk].pk
    response = as_user(world.users["uji"]).post(
        f"/api/invitations/{uji_invitation}/answer/", {"can_do": False}
    )
    assert response.status_code == 200
    office = as_user(world.office_user)
    response = office.post(
        f"/api/rfqs/{rfq['id']}/leader/",
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "leader_designated"

    # And the leader sends an estimate that the customer accepts
    estimate = send_estimate(fushimi, rfq["id"], world.firms["fushimi"].pk, amount=80_001)
    assert estimate["tax"] == 8_000  # 10%, rounded down once for the document
    assert estimate["total"] == 88_001
    order_id = accept(world, estimate["id"])

    # Then an order exists, the request is accepted, and the timeline tells the story
    order = Order.objects.get(pk=order_id)
    assert order.leader_firm == world.firms["fushimi"]
    assert order.total == 88_001
    assert RFQ.objects.get(pk=rfq["id"]).status == "accepted"
    kinds = list(Event.objects.filter(rfq_id=rfq["id"]).values_list("kind", flat=True))
    assert kinds[:2] == ["rfq.submitted", "rfq.routed"]
    assert kinds[-1] == "estimate.accepted"
    assert notified(world.customer, "estimate.sent") == ["email", "in_app"]
    assert notified(world.users["fushimi"], "estimate.accepted") == ["email", "in_app", "sms"]
    # and no deadline will fire for a request that has moved on
    assert not Deadline.objects.filter(
        rfq_id=rfq["id"], fired_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_a_request_nobody_can_do_waits_for_the_offices_triage_and_everyone_is_told():
    world = kyoto_world()
    rfq = submit(world, [{"capability": "finish.polishing.mirror"}])
    assert rfq["status"] == "triage"
    assert notified(world.customer, "rfq.triage") == ["email", "in_app"]
    assert notified(world.office_user, "rfq.triage_office") == ["email", "in_app"]
    assert notified(world.customer, "rfq.no_bid") == []


def test_two_designations_cannot_both_win():
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    office = as_user(world.office_user)
    first = office.post(
        f"/api/rfqs/{rfq['id']}/leader/", {"firm": world.firms["fushimi"].pk, "reason": "urgent"}
    )
    second = office.post(
        f"/api/rfqs/{rfq['id']}/leader/", {"firm": world.firms["uji"].pk, "reason": "urgent"}
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert "already designated" in second.json()["detail"]
    assert RFQ.objects.get(pk=rfq["id"]).leader_firm == world.firms["fushimi"]


def test_migakiya_board_majority_accepts_then_members_answer_and_the_order_follows():
    # Given a board of three administrative members deciding by majority
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, [{"capability": "finish.polishing.mirror", "min_grade": 3}])
    # Then only the administrative members see it first
    invited = set(Invitation.objects.filter(rfq_id=rfq["id"]).values_list("firm_id", flat=True))
    assert invited == {world.firms[f"admin{i}"].pk for i in (1, 2, 3)}
    assert notified(world.users["admin1"], "rfq.board_review") == ["email", "in_app", "sms"]
    # And a member firm cannot see it
    response = as_user(world.users["polisher1"]).get(f"/api/rfqs/{rfq['id']}/")
    assert response.status_code == 404

    # When one declines and two accept
    decide = "/api/rfqs/{}/decision/".format(rfq["id"])
    assert as_user(world.users["admin1"]).post(decide, {"accept": True}).status_code == 200
    response = as_user(world.users["admin2"]).post(decide, {"accept": False})
    assert response.status_code == 400  # a decline needs a reason for the customer
    response = as_user(world.users["admin2"]).post(decide, {"accept": False, "reason": "Busy"})
    assert response.status_code == 200
    assert as_user(world.users["admin3"]).post(decide, {"accept": True}).status_code == 200
    # Then the board has accepted and the polishers with the skill are invited to answer
    member_invites = Invitation.objects.filter(rfq_id=rfq["id"], purpose="answer")
    assert set(member_invites.values_list("firm_id", flat=True)) == {
        world.firms["polisher1"].pk,
        world.firms["polisher2"].pk,
    }
    # And a member that is not on the board cannot decide
    response = as_user(world.users["polisher1"]).post(decide, {"accept": True})
    assert response.status_code == 403

    # When an accepting administrative member takes the lead and sends the estimate
    admin1 = as_user(world.users["admin1"])
    response = admin1.post(
        f"/api/rfqs/{rfq['id']}/leader/",
        {"firm": world.firms["admin2"].pk, "reason": "discussion"},
    )
    assert response.status_code == 403  # admin2 declined: it cannot lead
    response = admin1.post(
        f"/api/rfqs/{rfq['id']}/leader/",
        {"firm": world.firms["admin1"].pk, "reason": "discussion"},
    )
    assert response.status_code == 200, response.json()
    estimate = send_estimate(admin1, rfq["id"], world.firms["polisher2"].pk, amount=30_000)
    order_id = accept(world, estimate["id"])
    assert Order.objects.get(pk=order_id).leader_firm == world.firms["admin1"]


@pytest.mark.parametrize(
    ("rule", "decisions", "outcome"),
    [
        ("any", [True], "accepted"),
        ("any", [False, False, False], "no_bid"),
        ("all", [True, True, False], "no_bid"),
        ("all", [True, True, True], "accepted"),
        ("majority", [False, False], "no_bid"),
        ("majority", [True, False, True], "accepted"),
    ],
)
def test_the_board_rule_decides(rule, decisions, outcome):
    world = migakiya_world(rule=rule)
    rfq = submit(world, [{"capability": "finish.polishing.mirror"}])
    for index, accept_it in enumerate(decisions, start=1):
        response = as_user(world.users[f"admin{index}"]).post(
            f"/api/rfqs/{rfq['id']}/decision/", {"accept": accept_it, "reason": "Capacity"}
        )
        assert response.status_code == 200, response.json()
    status = RFQ.objects.get(pk=rfq["id"]).status
    if outcome == "no_bid":
        assert status == "no_bid"
        assert notified(world.customer, "rfq.no_bid") == ["email", "in_app"]
    else:
        assert status == "routed"
        assert Event.objects.filter(rfq_id=rfq["id"], kind="rfq.accepted_by_board").exists()
    assert BoardDecision.objects.filter(rfq_id=rfq["id"]).count() == len(decisions)


def test_rodan21_consultation_interview_planning_phases_then_estimate():
    world = rodan_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}], confidential=True)
    # Then the request waits for an interview; nobody is invited yet
    assert rfq["status"] == "interview"
    office = as_user(world.office_user)
    when = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = office.post(
        f"/api/rfqs/{rfq['id']}/interview/", {"scheduled_at": when, "place": "Rodan21 office"}
    )
    assert response.status_code == 200, response.json()
    assert notified(world.customer, "rfq.interview_scheduled") == ["email", "in_app"]
    response = office.post(
        f"/api/rfqs/{rfq['id']}/interview/notes/", {"notes": "Wants 3 prototypes in May."}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "planning"
    # Then stakeholders and NDA-signed cluster firms plan; the firm without an NDA does not
    planners = set(
        Invitation.objects.filter(rfq_id=rfq["id"], purpose="planning").values_list(
            "firm_id", flat=True
        )
    )
    assert planners == {
        world.firms["planner"].pk,
        world.firms["maker"].pk,
        world.firms["cluster_nda"].pk,
    }
    response = as_user(world.users["cluster_no_nda"]).get(f"/api/rfqs/{rfq['id']}/")
    assert response.status_code == 404
    response = office.post(f"/api/rfqs/{rfq['id']}/planning/", {"scheduled_at": when})
    assert response.status_code == 200
    assert notified(world.users["cluster_nda"], "rfq.planning_invited") == [
        "email",
        "in_app",
        "sms",
    ]
    # A leader before the phases are chosen is refused
    response = office.post(
        f"/api/rfqs/{rfq['id']}/leader/", {"firm": world.firms["maker"].pk, "reason": "discussion"}
    )
    assert response.status_code == 409
    phases = {"design": world.firms["planner"].pk, "prototype": world.firms["maker"].pk}
    response = office.post(f"/api/rfqs/{rfq['id']}/phases/", {"phases": phases}, format="json")
    assert response.status_code == 200, response.json()
    response = office.post(
        f"/api/rfqs/{rfq['id']}/leader/", {"firm": world.firms["maker"].pk, "reason": "discussion"}
    )
    assert response.status_code == 200, response.json()
    estimate = send_estimate(as_user(world.users["maker"]), rfq["id"], world.firms["maker"].pk)
    accept(world, estimate["id"])
    assert RFQ.objects.get(pk=rfq["id"]).status == "accepted"


def test_ota_groups_propose_and_the_customer_chooses():
    world = ota_world()
    rfq = submit(
        world,
        [{"capability": "process.machining.milling"}, {"capability": "material.aluminium"}],
    )
    # Then the groups that together cover milling and aluminium prepare proposals
    proposals = as_user(world.office_user).get(f"/api/rfqs/{rfq['id']}/proposals/").json()
    groups = {proposal["group"] for proposal in proposals["results"]}
    assert groups == {world.groups["north"].pk, world.groups["south"].pk}
    by_group = {proposal["group"]: proposal["id"] for proposal in proposals["results"]}
    # A customer sees nothing until proposals are submitted
    customer = as_user(world.customer)
    assert customer.get(f"/api/rfqs/{rfq['id']}/proposals/").json()["count"] == 0
    # When both coordinators submit
    north = as_user(world.users["north_coordinator"])
    south = as_user(world.users["south_coordinator"])
    response = north.post(
        f"/api/proposals/{by_group[world.groups['north'].pk]}/submit/",
        {"price": 120_000, "lead_time_days": 12, "team": [world.firms["north_shop"].pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = south.post(
        f"/api/proposals/{by_group[world.groups['south'].pk]}/submit/",
        {"price": 95_000, "lead_time_days": 20, "team": [world.firms["north_shop"].pk]},
        format="json",
    )
    assert response.status_code == 400  # a group proposes only its own firms
    response = south.post(
        f"/api/proposals/{by_group[world.groups['south'].pk]}/submit/",
        {"price": 95_000, "lead_time_days": 20},
        format="json",
    )
    assert response.status_code == 200
    # Then the customer sees both side by side, is told once, and chooses one
    assert customer.get(f"/api/rfqs/{rfq['id']}/proposals/").json()["count"] == 2
    assert notified(world.customer, "rfq.proposals_ready") == ["email", "in_app"]
    response = customer.post(f"/api/proposals/{by_group[world.groups['south'].pk]}/choose/")
    assert response.status_code == 200, response.json()
    assert response.json()["leader_firm"] == world.firms["south_coordinator"].pk
    assert response.json()["leader_reason"] == "customer_choice"
    estimate = send_estimate(south, rfq["id"], world.firms["south_shop"].pk, amount=95_000)
    accept(world, estimate["id"])
    assert RFQ.objects.get(pk=rfq["id"]).status == "accepted"
