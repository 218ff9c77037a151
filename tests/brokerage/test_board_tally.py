"""Migakiya's administrative members see the tally against the network's rule and may
change their vote until the board decides."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from brokerage.models import BoardDecision, Invitation
from brokerage.pages.timeline import event_label
from brokerage.policies import BoardTally
from members.models import Network
from orders.models import RFQ, Event
from tests.kit.steps import as_user, client_for, submit
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db

MIRROR = [{"capability": "finish.polishing.mirror"}]


def vote(world, rfq_id: int, admin: str, accept: bool, reason: str = "Capacity"):
    return as_user(world.users[admin]).post(
        f"/api/rfqs/{rfq_id}/decision/", {"accept": accept, "reason": reason}
    )


def board(world, rfq_id: int, who):
    return as_user(who).get(f"/api/rfqs/{rfq_id}/board/")


def test_a_member_changes_its_vote_before_the_board_decides():
    # Given a board of three deciding by majority, and one member that declined
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, MIRROR)
    assert vote(world, rfq["id"], "admin1", False, "Our line is full").status_code == 200
    # When it changes its vote to accept
    response = vote(world, rfq["id"], "admin1", True, "A slot opened")
    # Then its latest vote is the one that counts, once
    assert response.status_code == 200, response.json()
    decision = BoardDecision.objects.get(rfq_id=rfq["id"], firm=world.firms["admin1"])
    assert (decision.accept, decision.reason) == (True, "A slot opened")
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["admin1"])
    assert invitation.status == Invitation.Status.CAN_DO
    # and the timeline says it changed its vote
    changed = Event.objects.filter(rfq_id=rfq["id"], kind="board.decided").last()
    assert changed.data["changed"] is True
    names = {world.firms["admin1"].pk: world.firms["admin1"].name}
    label, detail = event_label(changed.kind, changed.data, names, "office")
    assert label == f"{world.firms['admin1'].name} changed its vote: accepts the order"
    assert detail == "A slot opened"
    # When a second member accepts, the majority accepts and the board has decided
    assert vote(world, rfq["id"], "admin2", True).status_code == 200
    assert Event.objects.filter(rfq_id=rfq["id"], kind="rfq.accepted_by_board").exists()
    # Then no vote may change any more
    response = vote(world, rfq["id"], "admin1", False, "Changed my mind")
    assert response.status_code == 409
    assert "already decided" in response.json()["detail"]


def test_voting_the_same_again_records_nothing():
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, MIRROR)
    assert vote(world, rfq["id"], "admin1", False, "Busy").status_code == 200
    assert vote(world, rfq["id"], "admin1", False, "Busy").status_code == 200
    assert Event.objects.filter(rfq_id=rfq["id"], kind="board.decided").count() == 1


def test_a_changed_vote_can_decide_the_board():
    # Given the rule "all accept" and two members that accepted, one that has not voted
    world = migakiya_world(rule=Network.DecisionRule.ALL)
    rfq = submit(world, MIRROR)
    vote(world, rfq["id"], "admin1", True)
    vote(world, rfq["id"], "admin2", True)
    # When the first changes to decline
    assert vote(world, rfq["id"], "admin1", False, "Tooling broke").status_code == 200
    # Then under "all" the board has declined the request
    assert RFQ.objects.get(pk=rfq["id"]).status == RFQ.Status.NO_BID
    assert (
        Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["admin3"]).status
        == Invitation.Status.NOT_NEEDED
    )


def test_the_office_and_the_board_read_the_tally_others_are_refused():
    # Given a majority board of three where one accepted and one declined
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, MIRROR)
    vote(world, rfq["id"], "admin1", True)
    vote(world, rfq["id"], "admin2", False, "Busy")
    # When the office and a board member read the board
    for who in (world.office_user, world.users["admin3"]):
        response = board(world, rfq["id"], who)
        # Then they see the votes against the rule: two accepts needed, still undecided
        assert response.status_code == 200, response.json()
        body = response.json()
        assert {key: body[key] for key in ("rule", "board_size", "accepts", "declines")} == {
            "rule": "majority",
            "board_size": 3,
            "accepts": 1,
            "declines": 1,
        }
        assert (body["undecided"], body["accepts_needed"], body["outcome"]) == (1, 2, None)
        assert [v["firm"] for v in body["votes"]] == [
            world.firms["admin1"].pk,
            world.firms["admin2"].pk,
        ]
    # And the customer may not read the board's votes
    assert board(world, rfq["id"], world.customer).status_code == 403


def test_the_invitation_page_shows_the_tally_and_offers_to_change_the_vote():
    # Given a member that voted to decline
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = submit(world, MIRROR)
    vote(world, rfq["id"], "admin1", False, "Busy")
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["admin1"])
    client = client_for(world.users["admin1"])
    # When it opens its invitation
    page = client.get(reverse("pages:invitation", args=[invitation.pk])).content.decode()
    # Then it reads the tally and its vote, preselected, with a button to change it
    assert "Accepts needed" in page and "Not yet voted" in page
    assert "A majority of administrative members accept" in page
    assert "Change our vote" in page
    assert re.search(r'name="accept" value="no"[^>]*checked', page)
    # When it changes its vote there
    response = client.post(
        reverse("pages:board-decision", args=[rfq["id"]]), {"accept": "yes", "reason": ""}
    )
    assert response.status_code == 302
    assert BoardDecision.objects.get(rfq_id=rfq["id"], firm=world.firms["admin1"]).accept
    # And the office's page shows the tally too
    office_page = client_for(world.office_user).get(reverse("pages:request", args=[rfq["id"]]))
    assert "Accepts needed" in office_page.content.decode()


@given(
    rule=st.sampled_from(Network.DecisionRule.values),
    board_size=st.integers(min_value=1, max_value=9),
    data=st.data(),
)
def test_the_outcome_once_decided_stays_decided_as_votes_come_in(rule, board_size, data):
    """More votes never undo a decision, and a full board is always decided."""
    accepts = data.draw(st.integers(min_value=0, max_value=board_size))
    declines = data.draw(st.integers(min_value=0, max_value=board_size - accepts))
    tally = BoardTally(rule=rule, board_size=board_size, accepts=accepts, declines=declines)
    if tally.undecided == 0:
        assert tally.outcome is not None
    if tally.outcome is not None and tally.undecided:
        more_accepts = BoardTally(rule, board_size, accepts + 1, declines)
        more_declines = BoardTally(rule, board_size, accepts, declines + 1)
        assert more_accepts.outcome == tally.outcome == more_declines.outcome
