"""What the platform writes is in its reader's language: reasons are kept as data and said
when read, capabilities are named, not coded, and people are named as their language does.
"""

# ruff: noqa: RUF001 - the Japanese the site writes has full-width brackets and colons

import importlib
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from brokerage.models import GroupProposal
from brokerage.reasons import reason_text
from brokerage.services.designation import leader_designate
from capabilities.models import Capability
from members.models import Notification, User
from orders.models import Event, RFQRequirement
from orders.services import teams
from tests.kit.every_page import PAGE_SETS
from tests.kit.factories import AcceptedOrderFactory, CustomerFactory
from tests.kit.steps import as_user, client_for, invitation_of, routed, share_team
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world

pytestmark = pytest.mark.django_db

MILLING = "process.machining.milling"
MIRROR = "finish.polishing.mirror"


@pytest.fixture
def world():
    world = kyoto_world()
    Capability.objects.filter(code=MILLING).update(name_ja="フライス加工")
    Capability.objects.filter(code=MIRROR).update(name_ja="鏡面研磨")
    return world


def speaking(user, language: str):
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return user


def body_of(user, kind: str) -> str:
    return Notification.objects.get(recipient=user, kind=kind, channel="in_app").body


# --- Why a firm was invited -------------------------------------------------------------


def test_why_a_firm_was_invited_is_stored_as_data_and_read_in_each_language(world):
    # Given a request for milling routed to the members who mill
    rfq = routed(world, MILLING)
    # Then the invitation keeps why as data: no sentence in any language
    reason = invitation_of(rfq, world.firms["fushimi"]).reason
    assert reason["code"] == "covers"
    assert (reason["covered"], reason["grades"], reason["min_grades"]) == (
        [MILLING],
        {MILLING: 4},
        {MILLING: 1},
    )
    assert "explanation" not in reason
    # When the office reads the request in Japanese, then in English
    url = reverse("pages:request", args=[rfq.pk])
    japanese = client_for(world.office_user, language="ja").get(url).content.decode()
    english = client_for(world.office_user, language="en").get(url).content.decode()
    # Then each says why in its language, naming the capability, not its code
    assert "必要条件1件のうち1件を満たします：フライス加工（レベル4 ≥ 1）。" in japanese
    assert "Covers 1 of 1 requirement: Milling (grade 4 ≥ 1)." in english
    assert "Covers" not in japanese
    # And the invited firm reads it on its invitation in its language
    invitation = invitation_of(rfq, world.firms["fushimi"])
    member_url = reverse("pages:invitation", args=[invitation.pk])
    page = client_for(world.users["fushimi"], language="ja").get(member_url).content.decode()
    assert "フライス加工（レベル4 ≥ 1）" in page


def test_the_api_gives_the_reason_as_data_and_as_text_in_the_requesters_language(world):
    # Given an invitation routed for milling
    rfq = routed(world, MILLING)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    api = as_user(world.users["fushimi"])
    # When its firm reads it through the API in Japanese and in English
    url = f"/api/invitations/{invitation.pk}/"
    japanese = api.get(url, HTTP_ACCEPT_LANGUAGE="ja").json()
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    # Then both carry the same data, and the text in the language asked for
    assert japanese["reason"] == english["reason"] == invitation.reason
    assert japanese["reason_text"].startswith("必要条件1件のうち1件を満たします：フライス加工")
    assert english["reason_text"].startswith("Covers 1 of 1 requirement: Milling (grade 4 ≥ 1).")


def test_a_groups_reason_is_said_in_the_readers_language():
    # Given an Ota-style network whose south group covers milling and aluminium together
    world = ota_world()
    rfq = routed(world, MILLING, "material.aluminium")
    proposal = GroupProposal.objects.get(rfq=rfq, group=world.groups["south"])
    # Then why the group was invited is data
    assert proposal.reason == {
        "code": "group_covers",
        "firms": proposal.reason["firms"],
        "count": 2,
    }
    assert invitation_of(rfq, world.firms["south_coordinator"]).reason == proposal.reason
    # And it is said in either language
    with translation.override("ja"):
        assert reason_text(proposal.reason) == "グループの2社で、すべての必要条件を満たします。"
    with translation.override("en"):
        assert reason_text(proposal.reason) == "2 firms of the group cover every requirement."


# --- Why nobody can take a request on -----------------------------------------------------


def test_why_nobody_covers_a_request_is_data_said_to_each_person_in_their_own_language(world):
    # Given a customer who reads Japanese and an office person who reads English
    speaking(world.customer, "ja")
    speaking(world.office_user, "en")
    # When a request for mirror polishing, which no member does, is routed
    rfq = routed(world, MIRROR)
    # Then it waits for the office's triage with its reason kept as data
    event = Event.objects.get(rfq=rfq, kind="rfq.triage")
    assert event.data["reason"] == {"code": "uncovered", "missing": [MIRROR]}
    # And the office is told why in its own language, the capability named in it
    office = body_of(world.office_user, "rfq.triage_office")
    assert office.startswith("No member firm has these required skills: Mirror polishing.")
    assert "事務局" in body_of(world.customer, "rfq.triage")
    # And the customer's timeline says it in the language of the page
    url = reverse("pages:request", args=[rfq.pk])
    japanese = client_for(world.customer, language="ja").get(url).content.decode()
    english = client_for(world.customer, language="en").get(url).content.decode()
    assert "次の必要な技能を持つ会員企業がありません：鏡面研磨。" in japanese
    assert "No member firm has these required skills: Mirror polishing." in english
    assert MIRROR not in japanese and MIRROR not in english


def test_the_events_api_says_the_reason_in_the_requesters_language(world):
    # Given a request nobody can take on
    rfq = routed(world, MIRROR)
    api = as_user(world.customer)
    # When the customer reads its events in Japanese
    events = api.get(f"/api/rfqs/{rfq.pk}/events/", HTTP_ACCEPT_LANGUAGE="ja").json()
    rows = events["results"] if isinstance(events, dict) else events
    [triage] = [row for row in rows if row["kind"] == "rfq.triage"]
    # Then the reason is data, and said in Japanese beside it
    assert triage["data"]["reason"] == {"code": "uncovered", "missing": [MIRROR]}
    assert triage["reason_text"] == "次の必要な技能を持つ会員企業がありません：鏡面研磨。"


@pytest.mark.parametrize(
    ("stored", "japanese"),
    [
        (
            f"No member firm has these required skills: {MIRROR}.",
            "次の必要な技能を持つ会員企業がありません：鏡面研磨。",
        ),
        (
            "The network has no administrative members to review it.",
            "このネットワークには審査する運営会員がいません。",
        ),
        (
            "The administrative members cannot take this order on: Too thin / No time",
            "運営会員はこの注文を引き受けられません：Too thin / No time",
        ),
        # What a person typed is shown as it was typed
        ("Drawing unclear, please call", "Drawing unclear, please call"),
    ],
)
def test_sentences_events_kept_from_before_are_read_in_the_readers_language(
    world, stored, japanese
):
    # Given a reason an append-only event kept as an English sentence
    # When it is read in Japanese
    with translation.override("ja"):
        said = reason_text(stored)
    # Then it is said in Japanese when routing wrote it, and as typed when a person did
    assert said == japanese


def test_routed_rows_from_before_become_data_that_keeps_what_decided_them(world):
    # Given the reasons rows kept as English sentences before (migration 0008 reads them)
    migration = importlib.import_module("brokerage.migrations.0008_reasons_are_data")
    candidate = {
        "firm": 7,
        "score": 100,
        "covered": [MILLING],
        "missing": [MIRROR],
        "grades": {MILLING: 4},
        "open_load": 1,
        "response_rate": None,
        "explanation": f"Covers 1 of 2 requirements: {MILLING} (grade 4 ≥ 3). ...",
    }
    # When each is converted
    minimums = {MILLING: 3, MIRROR: 2}
    # Then each has its code and parameters, and no sentence
    assert migration.reason_as_data(candidate, minimums) == {
        "code": "covers",
        "firm": 7,
        "score": 100,
        "covered": [MILLING],
        "missing": [MIRROR],
        "grades": {MILLING: 4},
        "min_grades": {MILLING: 3, MIRROR: 2},
        "open_load": 1,
        "response_rate": None,
    }
    board = {"explanation": "Administrative member: reviews every order.", "covers": []}
    assert migration.reason_as_data(board, {}) == {"code": "board_member"}
    group = {"explanation": "9 firms of the group cover every requirement.", "firms": [1, 2]}
    assert migration.reason_as_data(group, {}) == {
        "code": "group_covers",
        "firms": [1, 2],
        "count": 9,
    }
    assert migration.reason_as_data({"explanation": "Something else"}, {}) is None


def test_the_designated_leader_is_announced_in_each_recipients_language(world):
    # Given a routed request, one member reading Japanese and the office reading English
    rfq = routed(world, MILLING)
    speaking(world.users["uji"], "ja")
    speaking(world.office_user, "en")
    fushimi = world.firms["fushimi"]
    # When the office designates Fushimi on its urgent authority
    leader_designate(rfq_id=rfq.pk, firm_id=fushimi.pk, reason="urgent", user=world.office_user)
    # Then each reads who and why in their own language
    japanese = Notification.objects.get(
        recipient=world.users["uji"], kind="rfq.leader_designated", channel="in_app"
    )
    english = Notification.objects.get(
        recipient=world.office_user, kind="rfq.leader_designated", channel="in_app"
    )
    assert japanese.title.startswith(fushimi.name_ja)
    assert japanese.body == "指名の理由：事務局が緊急の権限で指名。"
    assert english.title.startswith(fushimi.name_en)
    assert english.body == "Designated because: designated by the office on its urgent authority."


def test_a_team_part_is_told_in_each_firms_language():
    # Given an accepted Migakiya order, polisher1's people reading Japanese
    world = migakiya_world()
    order = AcceptedOrderFactory(world=world, subtotal=300_000)
    speaking(world.users["polisher1"], "ja")
    # When the office sets the team, a third of each payment to each firm
    teams.team_set(
        order_id=order.pk,
        user=world.office_user,
        members=share_team(world, {"admin1": 3334, "polisher1": 3333, "polisher2": 3333}),
    )
    # Then each firm reads its terms in its own language
    japanese = body_of(world.users["polisher1"], "team.assigned")
    english = body_of(world.users["polisher2"], "team.assigned")
    assert "事務局手数料控除後の各入金の33.33%" in japanese
    assert "33.33% of each payment after the office fee" in english


def test_a_proposed_team_is_explained_with_firms_and_capabilities_named(world):
    # Given an order for milling and resin machining, which no single Kyoto member does
    order = AcceptedOrderFactory(world=world, leader="fushimi", title="Bracket and cover")
    for code in (MILLING, "process.resin.machining"):
        RFQRequirement.objects.create(rfq=order.rfq, capability=Capability.objects.get(code=code))
    url = reverse("pages:order-team", args=[order.pk])
    # When the office opens the team form in Japanese and in English
    japanese = client_for(world.office_user, language="ja").get(url).content.decode()
    english = client_for(world.office_user, language="en").get(url).content.decode()
    # Then the engine's teams are explained by their firms' and capabilities' names
    yawata = world.firms["yawata"]
    resin = Capability.objects.get(code="process.resin.machining")
    assert "が共同で必要条件2件をすべて満たします" in japanese
    assert f"{yawata.name_ja}が{resin.name_ja}" in japanese
    assert "together cover all 2 requirements" in english
    assert f"Resin machining by {yawata.name_en} (grade 4 ≥ 1)" in english
    assert "firm #" not in english and MILLING not in english


# --- Capabilities by name -----------------------------------------------------------------


def visible_text(html: str) -> str:
    """Return what a page shows: its text, without tags, scripts or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("page_set", PAGE_SETS)
def test_customers_and_the_public_read_capabilities_by_name_never_by_code(page_set):
    # Given every page a customer or a visitor opens (the taxonomy page excepted: it is the
    # reference of the codes that the offices' CSV files use)
    pages = [
        (person, url)
        for person, url in PAGE_SETS[page_set]()
        if (person is None or person.is_customer) and url != reverse("taxonomy-page")
    ]
    codes = list(Capability.objects.values_list("code", flat=True))
    for person, url in pages:
        for language in ("ja", "en"):
            # When it is opened
            response = client_for(person, language=language).get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            # Then no capability is shown by its code
            shown = [code for code in codes if code in text]
            assert not shown, (url, language, shown)


def test_the_public_directory_api_names_each_capability_in_the_requesters_language(world):
    # Given a member that mills, in a network's public directory
    url = f"/api/firms/?network={world.network.slug}"
    # When a visitor reads it in Japanese
    body = client_for(None, language="ja").get(url).json()
    firms = body["results"] if isinstance(body, dict) else body
    [fushimi] = [firm for firm in firms if firm["id"] == world.firms["fushimi"].pk]
    # Then each capability has its code for programs and its name for people
    milling = next(item for item in fushimi["capabilities"] if item["code"] == MILLING)
    assert milling["name"] == "フライス加工"


# --- People's names -------------------------------------------------------------------------


def test_a_persons_name_is_shown_in_the_order_of_the_language_it_is_written_in(world):
    # Given a customer with a Japanese name and an office person with an English one
    customer = world.customer
    User.objects.filter(pk=customer.pk).update(first_name="智也", last_name="藤原")
    User.objects.filter(pk=world.office_user.pk).update(first_name="Emily", last_name="Carter")
    rfq = routed(world, MILLING)
    # When the office reads the request, in either language
    for language in ("ja", "en"):
        page = client_for(world.office_user, language=language).get(
            reverse("pages:request", args=[rfq.pk])
        )
        html = page.content.decode()
        # Then the customer is family name first, and the office person given name first
        assert "藤原 智也" in html and "智也 藤原" not in html
        assert "Emily Carter" in html and "Carter Emily" not in html


def test_a_customer_with_one_name_is_shown_by_it():
    # Given a customer who signed up with one name
    customer = CustomerFactory(first_name="山田花子", last_name="")
    # Then that name is how they are shown
    assert customer.display_name == "山田花子"
