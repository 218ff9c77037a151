"""An administrative member of Migakiya votes on a phone, reads the tally against the
network's rule, changes its vote, and sees the board decide, in Japanese and in English."""

import pytest
from playwright.sync_api import expect

from brokerage.models import BoardDecision, Invitation
from brokerage.services.answers import board_decide
from members.models import Network, User
from tests.kit.catalogues import words
from tests.kit.steps import routed
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.celery_worker

TITLE = "Mirror-polished lids, 20 pieces"


def tally(page) -> dict[str, str]:
    """Return the tally's figures by their labels, as the page shows them."""
    facts = page.locator("#board dl.tally")
    labels = facts.locator("dt").all_inner_texts()
    return dict(zip(labels, facts.locator("dd").all_inner_texts(), strict=True))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_administrative_member_votes_reads_the_tally_and_changes_its_vote(journeys, language):
    # Given a board of three deciding by majority, and a request before it
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    rfq = routed(world, "finish.polishing.mirror", title=TITLE)
    member = world.users["admin1"]
    User.objects.filter(pk=member.pk).update(language=language)
    journey = journeys("board", language, phone=True)
    page = journey.page

    # When the administrative member opens the request from its invitations on a phone
    journey.log_in(member)
    journey.follow(page.get_by_role("link", name=TITLE))
    # Then it reads that nobody has voted yet and that two accepts are needed
    expected = {
        words(language, "Votes to accept"): "0",
        words(language, "Votes to decline"): "0",
        words(language, "Not yet voted"): "3",
        words(language, "Accepts needed"): "2",
    }
    assert tally(page) == expected
    journey.screenshot("board-before")

    # When it declines, giving the customer a reason
    page.locator("#board label.tile-no").click()
    page.fill("#id_decision_reason", "Our line is full this week.")
    page.get_by_role("button", name=words(language, "Record our decision")).click()
    page.locator(".messages .message").wait_for()
    # Then the tally counts its vote and it may still change it
    assert tally(page)[words(language, "Votes to decline")] == "1"
    change = page.get_by_role("button", name=words(language, "Change our vote"))
    assert change.is_visible()
    journey.screenshot("board-declined")

    # When a slot opens and it changes its vote to accept
    page.locator("#board label.tile-yes").click()
    page.fill("#id_decision_reason", "")
    change.click()
    # Then its latest vote counts, once (the first figure is the accepts)
    expect(page.locator("#board dl.tally dd").first).to_have_text("1")
    figures = tally(page)
    assert figures[words(language, "Votes to accept")] == "1"
    assert figures[words(language, "Votes to decline")] == "0"
    assert BoardDecision.objects.get(rfq=rfq, firm=world.firms["admin1"]).accept

    # When a second administrative member accepts
    board_decide(rfq_id=rfq.pk, user=world.users["admin2"], accept=True)
    page.reload()
    # Then the board has accepted, the third vote is closed, and no vote may change
    board = page.locator("#board").inner_text()
    assert words(language, "The board accepted the order.") in board
    assert page.get_by_role("button", name=words(language, "Change our vote")).count() == 0
    third = Invitation.objects.get(rfq=rfq, firm=world.firms["admin3"])
    assert third.status == Invitation.Status.NOT_NEEDED
    journey.screenshot("board-accepted")
