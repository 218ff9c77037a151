"""Committing takes two steps: accepting an estimate and choosing a group's proposal each open
a page that says what the customer commits to, whose button (a plain form) does it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from brokerage.models import GroupProposal
from brokerage.services.designation import proposal_submit
from orders.models import RFQ, Estimate, Order
from tests.kit.factories import CustomerFactory
from tests.kit.steps import client_for, estimate_sent_to_customer, routed
from tests.kit.worlds import kyoto_world, ota_world

pytestmark = pytest.mark.django_db


def shown_date(day: datetime.date, language: str = "en") -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def tokyo_today() -> datetime.date:
    return timezone.localdate(timezone=datetime.timezone(datetime.timedelta(hours=9)))


def test_accepting_an_estimate_first_shows_what_it_commits_to(clock):
    # Given an estimate of two lines (¥98,000 + ¥2,000) with a lead time of 12 days
    world = kyoto_world()
    estimate = estimate_sent_to_customer(
        world, "fushimi", title="Housing", amounts=(98_000, 2_000), lead_time_days=12
    )
    customer = client_for(world.customer)
    confirm = reverse("pages:estimate-accept", args=[estimate.pk])
    # When the customer presses accept on the request page, it leads to the confirmation
    page = customer.get(reverse("pages:request", args=[estimate.rfq_id])).content.decode()
    assert re.search(rf'<a class="button big" href="{confirm}">', page)
    assert f'<form method="post" action="{confirm}">' not in page
    response = customer.get(confirm)
    # Then that page shows the total with tax, the delivery date and the firms doing it
    assert response.status_code == 200
    confirmation = response.content.decode()
    assert "¥100,000" in confirmation and "¥10,000" in confirmation
    assert "Accept and order for ¥110,000" in confirmation
    assert shown_date(tokyo_today() + datetime.timedelta(days=12)) in confirmation
    assert "fushimi Co., Ltd." in confirmation
    assert f'<form method="post" action="{confirm}">' in confirmation
    # And nothing is accepted until its button is pressed
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.SENT
    assert customer.post(confirm).status_code == 302
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.ACCEPTED
    assert Order.objects.filter(estimate=estimate, total=110_000).exists()
    # And the confirmation of an estimate already accepted leads back to the request
    response = customer.get(confirm)
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:request", args=[estimate.rfq_id]) + "#estimate"


def test_the_confirmation_says_when_the_estimate_is_later_than_asked(clock):
    world = kyoto_world()
    rfq_date = tokyo_today() + datetime.timedelta(days=5)
    estimate = estimate_sent_to_customer(world, "fushimi", lead_time_days=12)
    RFQ.objects.filter(pk=estimate.rfq_id).update(desired_date=rfq_date)
    page = client_for(world.customer, language="ja").get(
        reverse("pages:estimate-accept", args=[estimate.pk])
    )
    text = page.content.decode()
    assert shown_date(rfq_date, "ja") in text
    assert "見積の納品予定日のほうが遅くなります" in text


def test_only_the_customer_opens_the_confirmation():
    world = kyoto_world()
    estimate = estimate_sent_to_customer(world, "fushimi")
    confirm = reverse("pages:estimate-accept", args=[estimate.pk])
    for person in (CustomerFactory(), world.office_user, world.users["fushimi"]):
        assert client_for(person).get(confirm).status_code == 404
    assert client_for().get(confirm)["Location"].startswith(reverse("login"))


def proposals_submitted(world, rfq) -> dict[str, GroupProposal]:
    """North proposes ¥120,000 in 12 days with its shop; south ¥95,000 in 20 days."""
    terms = {
        "north": (120_000, 12, ["north_coordinator", "north_shop"]),
        "south": (95_000, 20, ["south_coordinator", "south_shop", "south_alu"]),
    }
    proposals = {}
    for key, (price, days, team) in terms.items():
        proposal = GroupProposal.objects.get(rfq=rfq, group=world.groups[key])
        proposals[key] = proposal_submit(
            proposal_id=proposal.pk,
            user=world.users[f"{key}_coordinator"],
            price=price,
            lead_time_days=days,
            team_firm_ids=[world.firms[firm].pk for firm in team],
        )
    return proposals


def test_the_groups_proposals_compare_totals_with_tax_and_their_teams_firms(clock):
    # Given two groups' proposals on a request
    world = ota_world()
    rfq = routed(world, "process.machining.milling", "material.aluminium", title="Housing")
    proposals_submitted(world, rfq)
    # When the customer compares them
    page = client_for(world.customer).get(reverse("pages:request", args=[rfq.pk]))
    cards = re.findall(
        r'<li class="card">(.*?)</li>\s*(?=<li class="card"|</ul>\s*</section)',
        page.content.decode(),
        re.S,
    )
    # Then each shows its total with tax and the names of its team's firms
    north, south = sorted(cards, key=lambda card: "South group" in card)
    assert "¥132,000" in north and "¥104,500" in south
    assert "north_shop Co., Ltd." in north and "south_shop Co., Ltd." not in north
    assert all(
        f"{key} Co., Ltd." in south for key in ("south_coordinator", "south_shop", "south_alu")
    )


def test_choosing_a_group_first_shows_its_terms_and_team(clock):
    # Given two groups' proposals on a request
    world = ota_world()
    rfq = routed(world, "process.machining.milling", "material.aluminium", title="Housing")
    south = proposals_submitted(world, rfq)["south"]
    customer = client_for(world.customer)
    choose = reverse("pages:proposal-choose", args=[south.pk])
    # When the customer presses "Choose South group", it leads to the confirmation
    page = customer.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert f'<a class="button" href="{choose}">' in page
    confirmation = customer.get(choose).content.decode()
    # Then it shows the total with tax, the delivery date and the team by name
    assert "¥95,000" in confirmation and "¥9,500" in confirmation and "¥104,500" in confirmation
    assert shown_date(tokyo_today() + datetime.timedelta(days=20)) in confirmation
    assert "south_alu Co., Ltd." in confirmation
    # And nothing is chosen until its button is pressed
    rfq.refresh_from_db()
    assert rfq.leader_firm_id is None
    assert customer.post(choose).status_code == 302
    rfq.refresh_from_db()
    assert rfq.leader_firm == world.firms["south_coordinator"]
    # And once chosen, the confirmation leads back to the request
    assert customer.get(choose)["Location"].endswith("#proposals")
    # And the rival coordinator, who sees the proposals, cannot open it
    north = GroupProposal.objects.get(rfq=rfq, group=world.groups["north"])
    rival = client_for(world.users["north_coordinator"])
    assert rival.get(reverse("pages:proposal-choose", args=[north.pk])).status_code == 404
