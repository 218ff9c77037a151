"""The public directory: search, filters, constant queries, firm pages and contacts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from capabilities.models import Capability, DirectoryContact
from members.models import Membership
from members.prefectures import Prefecture
from tests.kit.factories import (
    CapabilityFactory,
    FirmCapabilityFactory,
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
    OfficeMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """A public network with a polisher in Niigata and a machinist in Kyoto."""
    network = NetworkFactory(slug="migakiya-test")
    mirror = CapabilityFactory(
        code="finish.polishing.mirror",
        kind="finish",
        name_ja="鏡面研磨",
        name_en="Mirror polishing",
        keywords="バフ, buffing",
    )
    parent = CapabilityFactory(code="process.machining", name_en="Machining")
    milling = CapabilityFactory(code="process.machining.milling", parent=parent)
    stainless = CapabilityFactory(code="material.stainless", kind="material")
    aluminium = CapabilityFactory(code="material.aluminium", kind="material")
    polisher = FirmFactory(
        name_ja="燕研磨工業", name_en="Tsubame Polishing Works", prefecture=Prefecture.NIIGATA
    )
    machinist = FirmFactory(
        name_ja="京都精密", name_en="Kyoto Precision", prefecture=Prefecture.KYOTO
    )
    for firm in (polisher, machinist):
        MembershipFactory(network=network, firm=firm)
    FirmCapabilityFactory(firm=polisher, capability=mirror, grade=5)
    FirmCapabilityFactory(firm=polisher, capability=stainless, grade=4)
    FirmCapabilityFactory(firm=machinist, capability=milling, grade=3)
    FirmCapabilityFactory(firm=machinist, capability=aluminium, grade=2)
    office = OfficeMembershipFactory(network=network).firm
    hidden = FirmFactory(name_en="Tsubame Hidden")
    MembershipFactory(network=network, firm=hidden, is_active=False)
    return {"network": network, "polisher": polisher, "machinist": machinist, "office": office}


def names(response) -> list[str]:
    return [firm["name_en"] for firm in response.json()["results"]]


def api_get(path: str, **params):
    return APIClient().get(path, params)


def test_search_finds_firms_by_japanese_and_english_text(directory):
    # When a visitor searches the directory in either language
    by_japanese_name = api_get("/api/firms/", network="migakiya-test", q="研磨")
    by_english_name = api_get("/api/firms/", network="migakiya-test", q="polishing works")
    by_skill_keyword = api_get("/api/firms/", network="migakiya-test", q="バフ")
    by_city_or_nothing = api_get("/api/firms/", network="migakiya-test", q="zzzz")
    # Then the matching firms come back, and only active, non-office members are listed
    assert names(by_japanese_name) == ["Tsubame Polishing Works"]
    assert names(by_english_name) == ["Tsubame Polishing Works"]
    assert names(by_skill_keyword) == ["Tsubame Polishing Works"]
    assert names(by_city_or_nothing) == []
    everyone = names(api_get("/api/firms/", network="migakiya-test"))
    assert sorted(everyone) == ["Kyoto Precision", "Tsubame Polishing Works"]


def test_a_misspelt_name_is_forgiven_on_postgresql_only(directory):
    # On PostgreSQL trigram similarity forgives the slip; SQLite (make run) matches substrings.
    found = names(api_get("/api/firms/", network="migakiya-test", q="Tsubame Polshing"))
    if connection.vendor == "postgresql":
        assert found == ["Tsubame Polishing Works"]
    else:
        assert found == []


def test_filters_by_capability_material_grade_and_prefecture(directory):
    def filtered(**params):
        return names(api_get("/api/firms/", network="migakiya-test", **params))

    # a parent code finds firms registered below it
    assert filtered(capability="process.machining") == ["Kyoto Precision"]
    assert filtered(material="material.stainless") == ["Tsubame Polishing Works"]
    assert filtered(material="material.aluminium", grade=3) == []
    assert filtered(capability="finish.polishing.mirror", grade=5) == ["Tsubame Polishing Works"]
    assert filtered(prefecture=Prefecture.KYOTO) == ["Kyoto Precision"]
    assert api_get("/api/firms/", grade=9).status_code == 400
    assert api_get("/api/firms/", network="no-such-network").status_code == 400


def test_each_firm_lists_its_capabilities_with_grades(directory):
    [firm] = api_get("/api/firms/", network="migakiya-test", q="Kyoto").json()["results"]
    # each by its code for programs and its name for people
    names = dict(Capability.objects.values_list("code", "name_en"))
    assert firm["capabilities"] == [
        {"code": code, "name": names[code], "grade": grade}
        for code, grade in (("material.aluminium", 2), ("process.machining.milling", 3))
    ]


def test_the_firm_list_takes_the_same_number_of_queries_for_5_or_50_firms():
    # Given a network of 60 firms with three capabilities each
    network = NetworkFactory()
    capabilities = [CapabilityFactory() for _ in range(3)]
    for _ in range(60):
        firm = FirmFactory()
        MembershipFactory(network=network, firm=firm)
        for capability in capabilities:
            FirmCapabilityFactory(firm=firm, capability=capability)
    client = APIClient()

    def queries_for(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/firms/", {"network": network.slug, "page_size": page_size})
        assert len(response.json()["results"]) == page_size
        return len(captured.captured_queries)

    # When pages of 5 and of 50 firms are listed
    # Then both take the same, small number of queries
    assert queries_for(5) == queries_for(50) <= 5


def test_the_directory_page_searches_filters_and_paginates_without_javascript(directory, client):
    page = client.get("/networks/migakiya-test/firms/", {"q": "研磨"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "燕研磨工業" in content or "Tsubame Polishing Works" in content
    assert "京都精密" not in content
    assert '<label for="id_q"' in content
    assert client.get("/networks/migakiya-test/firms/", {"page": 99}).status_code == 200
    landing = client.get("/networks/migakiya-test/")
    assert landing.status_code == 200
    # The suite reads English (tests/conftest.py): a firm is named by its English name
    assert "Tsubame Polishing Works" in landing.content.decode()


def test_the_directory_page_takes_the_same_number_of_queries_for_few_or_many_firms(client):
    network = NetworkFactory()
    capability = CapabilityFactory()

    def queries_with(count: int) -> int:
        for _ in range(count):
            firm = FirmFactory()
            MembershipFactory(network=network, firm=firm)
            FirmCapabilityFactory(firm=firm, capability=capability)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/networks/{network.slug}/firms/").status_code == 200
        return len(captured.captured_queries)

    assert queries_with(3) == queries_with(17)


def test_a_private_network_has_no_public_directory(client):
    network = NetworkFactory(is_public=False)
    assert client.get(f"/networks/{network.slug}/").status_code == 404
    assert client.get(f"/networks/{network.slug}/firms/").status_code == 404


def test_contacting_a_firm_is_recorded_for_the_network(directory, client):
    # Given a visitor who found the polisher through the network's directory
    polisher = directory["polisher"]
    page = client.get(f"/firms/{polisher.pk}/?network=migakiya-test")
    assert page.status_code == 200
    # When they send it a message
    answer = client.post(
        f"/firms/{polisher.pk}/contact/",
        {
            "sender_name": "Sato",
            "sender_email": "sato@example.jp",
            "message": "Mirror finish on 20 lids?",
            "capability": "finish.polishing.mirror",
            "network": "migakiya-test",
        },
    )
    # Then the contact is recorded against the network and the capability
    assert answer.status_code == 302
    contact = DirectoryContact.objects.get()
    assert (contact.firm, contact.network, contact.capability.code) == (
        polisher,
        directory["network"],
        "finish.polishing.mirror",
    )
    # and the office counts it on its page, while members may not see that page
    office_user = FirmUserFactory(firm=directory["office"])
    client.force_login(office_user)
    counts = client.get("/networks/migakiya-test/office/contacts/")
    assert counts.status_code == 200
    assert counts.context["firms"].get(pk=polisher.pk).contact_count == 1
    client.force_login(FirmUserFactory(firm=polisher))
    assert client.get("/networks/migakiya-test/office/contacts/").status_code == 403


def test_a_bot_filling_the_hidden_field_records_nothing(directory, client):
    answer = client.post(
        f"/firms/{directory['polisher'].pk}/contact/",
        {"sender_name": "x", "sender_email": "x@example.jp", "message": "x", "website": "spam"},
    )
    assert answer.status_code == 200
    assert not DirectoryContact.objects.exists()


def test_contacts_through_the_api_and_the_offices_list(directory):
    answer = APIClient().post(
        f"/api/firms/{directory['polisher'].pk}/contacts/",
        {"sender_name": "Sato", "sender_email": "sato@example.jp", "message": "Hello",
         "network": "migakiya-test"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201
    assert (
        APIClient()
        .post(
            f"/api/firms/{directory['polisher'].pk}/contacts/", {"sender_name": "x"}, format="json"
        )
        .status_code
        == 400
    )
    office = APIClient()
    office.force_authenticate(FirmUserFactory(firm=directory["office"]))
    listed = office.get("/api/networks/migakiya-test/directory-contacts/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    member = APIClient()
    member.force_authenticate(FirmUserFactory(firm=directory["machinist"]))
    assert member.get("/api/networks/migakiya-test/directory-contacts/").status_code == 403


def test_the_contact_door_takes_twenty_messages_an_hour_from_one_address(directory):
    # Given a visitor's address that has sent twenty messages through the directory
    door = f"/api/firms/{directory['polisher'].pk}/contacts/"
    message = {"sender_name": "Sato", "sender_email": "sato@example.jp", "message": "Hello"}
    visitor = APIClient()
    sent = [visitor.post(door, message, format="json").status_code for _ in range(20)]
    assert sent == [201] * 20
    # When it sends a twenty-first within the hour
    refused = visitor.post(door, message, format="json")
    # Then it is refused with when to try again, and nothing more is recorded
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert DirectoryContact.objects.count() == 20


def test_the_taxonomy_api_lists_codes_kinds_and_parents(directory):
    answer = api_get("/api/capabilities/", kind="process")
    assert answer.status_code == 200
    codes = {item["code"]: item for item in answer.json()["results"]}
    assert codes["process.machining.milling"]["parent"] == "process.machining"
    assert codes["process.machining.milling"]["kind"] == "process"
    assert "finish.polishing.mirror" not in codes
    one = api_get("/api/capabilities/finish.polishing.mirror/")
    assert one.status_code == 200
    assert one.json()["name_ja"] == "鏡面研磨"
    assert api_get("/api/capabilities/", kind="magic").status_code == 400


def test_the_office_previews_matches_and_unknown_codes_are_a_400(directory):
    office = APIClient()
    office.force_authenticate(FirmUserFactory(firm=directory["office"]))
    url = "/api/networks/migakiya-test/match/"
    answer = office.post(
        url,
        {"requirements": [{"capability": "finish.polishing.mirror", "min_grade": 3}]},
        format="json",
    )
    assert answer.status_code == 200
    assert [c["firm"] for c in answer.json()["candidates"]] == [directory["polisher"].pk]
    refused = office.post(url, {"requirements": [{"capability": "finish.magic"}]}, format="json")
    assert refused.status_code == 400
    assert "finish.magic" in str(refused.json()["requirements"])
    member = APIClient()
    member.force_authenticate(FirmUserFactory(firm=directory["machinist"]))
    assert member.post(url, {"requirements": []}, format="json").status_code == 403
    assert Membership.objects.filter(network=directory["network"]).count() == 4


def test_the_taxonomy_page_and_export_are_public(directory, client):
    page = client.get("/capabilities/")
    assert page.status_code == 200
    assert "finish.polishing.mirror" in page.content.decode()
    export = client.get("/capabilities.csv")
    assert export.status_code == 200
    assert "鏡面研磨" in export.content.decode("utf-8-sig")


def test_a_firm_user_finds_their_profile_from_my_firm(directory, client):
    client.force_login(FirmUserFactory(firm=directory["polisher"]))
    answer = client.get("/my-firm/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/firms/{directory['polisher'].pk}/capabilities/"


def test_a_firm_in_no_public_network_has_no_public_page(client):
    assert client.get(f"/firms/{FirmFactory().pk}/").status_code == 404
    assert client.get("/firms/999999/").status_code == 404


def test_the_directory_follows_changes_of_memberships_and_firms(directory):
    # Given the machinist listed in the network's directory
    machinist = directory["machinist"]
    membership = Membership.objects.get(network=directory["network"], firm=machinist)

    def listed() -> list[str]:
        return sorted(names(api_get("/api/firms/", network="migakiya-test")))

    # When its membership lapses, then it leaves the directory, and comes back when renewed
    membership.is_active = False
    membership.status = Membership.Status.ENDED
    membership.save()
    assert listed() == ["Tsubame Polishing Works"]
    Membership.objects.filter(pk=membership.pk).update(
        is_active=True, status=Membership.Status.ACTIVE
    )
    assert listed() == ["Kyoto Precision", "Tsubame Polishing Works"]

    # When it becomes the network's office, or the firm closes, then it is not listed
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.OFFICE)
    assert listed() == ["Tsubame Polishing Works"]
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.MEMBER)
    machinist.is_active = False
    machinist.save()
    assert listed() == ["Tsubame Polishing Works"]

    # When it joins another public network and then leaves this one
    machinist.is_active = True
    machinist.save()
    other = NetworkFactory(slug="other-test")
    MembershipFactory(network=other, firm=machinist)
    membership.delete()
    # Then it is listed there and no longer here, and the whole directory lists it once
    assert listed() == ["Tsubame Polishing Works"]
    assert names(api_get("/api/firms/", network="other-test")) == ["Kyoto Precision"]
    everywhere = names(api_get("/api/firms/", q="Kyoto"))
    assert everywhere == ["Kyoto Precision"]


def test_a_firm_saved_from_an_old_copy_stays_listed_where_it_is_listed(directory):
    # Given a copy of the polisher read before it joins a second network
    stale = type(directory["polisher"]).objects.get(pk=directory["polisher"].pk)
    other = NetworkFactory(slug="other-test")
    MembershipFactory(network=other, firm=directory["polisher"])
    # When the old copy is saved (as an edit form would)
    stale.city = "Tsubame"
    stale.save()
    # Then the firm is still listed in both directories
    assert names(api_get("/api/firms/", network="other-test")) == ["Tsubame Polishing Works"]
    assert "Tsubame Polishing Works" in names(api_get("/api/firms/", network="migakiya-test"))


def test_search_ranks_similar_names_first_and_finds_capability_codes(directory):
    # Given a third firm whose profile, not its name, mentions polishing
    network = directory["network"]
    profiled = FirmFactory(name_ja="新潟金属", name_en="Niigata Metal", profile_en="We polish.")
    MembershipFactory(network=network, firm=profiled)
    # When a visitor searches for a polishing works
    found = names(api_get("/api/firms/", network="migakiya-test", q="polish"))
    by_code = names(api_get("/api/firms/", network="migakiya-test", q="finish.polishing"))
    # Then both are found, the firm named for it first (on PostgreSQL, where names are scored)
    assert sorted(found) == ["Niigata Metal", "Tsubame Polishing Works"]
    if connection.vendor == "postgresql":
        assert found[0] == "Tsubame Polishing Works"
    assert by_code == ["Tsubame Polishing Works"]


def test_deep_pages_list_every_firm_once_in_name_order(client):
    # Given a network of 45 firms
    network = NetworkFactory()
    for index in range(45):
        MembershipFactory(network=network, firm=FirmFactory(name_en=f"Firm {index:02}"))
    # When every API page of 20 is read
    pages = [
        APIClient().get("/api/firms/", {"network": network.slug, "page_size": 20, "page": page})
        for page in (1, 2, 3)
    ]
    # Then the pages hold each firm once, in name order, and the count is the whole list's
    listed = [name for page in pages for name in names(page)]
    assert listed == [f"Firm {index:02}" for index in range(45)]
    assert {page.json()["count"] for page in pages} == {45}


def test_a_search_for_punctuation_or_a_nul_character_answers_plainly(directory):
    # "_" and "%" are matched literally (in the capability codes, e.g. a snake_case code)
    assert api_get("/api/firms/", network="migakiya-test", q="%").json()["count"] == 0
    assert api_get("/api/firms/", network="migakiya-test", q="_").status_code == 200
    # and a NUL character, which PostgreSQL cannot store, is refused
    assert api_get("/api/firms/", network="migakiya-test", q="a\x00b").status_code == 400


def test_a_long_directory_is_counted_up_to_a_limit_and_says_so(client, monkeypatch):
    # Given a network of five firms, listed two a page, in lists counted up to two rows
    monkeypatch.setattr("core.pagination.COUNTED_ROWS", 2)
    monkeypatch.setattr("capabilities.views.DIRECTORY_PAGE_SIZE", 2)
    network = NetworkFactory()
    for index in range(5):
        MembershipFactory(network=network, firm=FirmFactory(name_en=f"Firm {index}"))

    # When the first page is read
    first = client.get(f"/networks/{network.slug}/firms/").content.decode()
    # Then it is counted only a page past the one shown, says "more than", and leads on
    assert "More than 4 firms" in first
    assert "Page 1 of more than 2" in first
    assert 'rel="next"' in first
    # and the last page, counted to its end, says how many there are exactly
    last = client.get(f"/networks/{network.slug}/firms/", {"page": 3}).content.decode()
    assert "5 firms" in last and "More than" not in last
    assert "Page 3 of 3" in last


def test_the_directory_api_counts_up_to_a_limit_and_says_so(monkeypatch):
    # Given a network of five firms, in lists counted up to two rows
    monkeypatch.setattr("core.pagination.COUNTED_ROWS", 2)
    network = NetworkFactory()
    for index in range(5):
        MembershipFactory(network=network, firm=FirmFactory(name_en=f"Firm {index}"))

    # When the API lists them two a page
    first_page = api_get("/api/firms/", network=network.slug, page_size=2)
    last_page = api_get("/api/firms/", network=network.slug, page_size=2, page="last")
    first, last = first_page.json(), last_page.json()

    # Then the first page counts a page past itself and says the count is not exact
    assert (first["count"], first["count_is_exact"]) == (4, False)
    assert names(first_page) == ["Firm 0", "Firm 1"] and first["next"]
    # and the last page, asked for by name, counts them all
    assert (last["count"], last["count_is_exact"]) == (5, True)
    assert names(last_page) == ["Firm 4"] and last["next"] is None


def test_a_text_search_counts_its_matches_less_far_than_the_whole_list(client, monkeypatch):
    # Given six firms that all mention milling, in a directory whose searches count up to
    # two matches and whose plain lists count up to ten rows
    monkeypatch.setattr("core.pagination.COUNTED_ROWS", 10)
    monkeypatch.setattr("capabilities.pagination.SEARCH_COUNTED_ROWS", 2)
    monkeypatch.setattr("capabilities.views.DIRECTORY_PAGE_SIZE", 1)
    network = NetworkFactory()
    for index in range(6):
        firm = FirmFactory(name_en=f"Firm {index}", profile_en="We mill.")
        MembershipFactory(network=network, firm=firm)

    # When a visitor searches the page and a client the API, one match a page
    page = client.get(f"/networks/{network.slug}/firms/", {"q": "mill"}).content.decode()
    found = api_get("/api/firms/", network=network.slug, q="mill", page_size=1).json()
    listed = api_get("/api/firms/", network=network.slug, page_size=1).json()

    # Then the searches count only so far and say there are more; the plain list counts all
    assert "More than 2 firms" in page
    assert (found["count"], found["count_is_exact"]) == (2, False) and found["next"]
    assert (listed["count"], listed["count_is_exact"]) == (6, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="names are scored on PostgreSQL")
def test_similar_names_come_first_then_the_other_matches_in_name_order_page_by_page():
    # Given five firms whose profiles mention polishing, and one named for it, last by name
    network = NetworkFactory()
    for index in range(5):
        firm = FirmFactory(name_en=f"Firm {index}", profile_en="We polish.")
        MembershipFactory(network=network, firm=firm)
    MembershipFactory(network=network, firm=FirmFactory(name_en="Zeta Polishing"))

    # When a visitor searches for polishing, two firms a page
    pages = [
        api_get("/api/firms/", network=network.slug, q="polish", page_size=2, page=page)
        for page in (1, 2, 3)
    ]

    # Then the firm named like the text comes first, then the others in name order, once each
    assert [names(page) for page in pages] == [
        ["Zeta Polishing", "Firm 0"],
        ["Firm 1", "Firm 2"],
        ["Firm 3", "Firm 4"],
    ]
    assert {page.json()["count"] for page in pages} == {6}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="names are scored on PostgreSQL")
def test_a_text_similar_to_very_many_names_finds_them_all_in_name_order(monkeypatch):
    # Given three firms named alike, where only two similar names are scored
    monkeypatch.setattr("capabilities.selectors.SIMILAR_NAMES_RANKED", 2)
    network = NetworkFactory()
    for name in ("Seimitsu C", "Seimitsu A", "Seimitsu B"):
        MembershipFactory(network=network, firm=FirmFactory(name_en=name))

    # When a visitor searches for a misspelling of the word they share
    found = names(api_get("/api/firms/", network=network.slug, q="Seimitsuu"))

    # Then every firm named like it is found, in name order, none ranked above another
    assert found == ["Seimitsu A", "Seimitsu B", "Seimitsu C"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="names are scored on PostgreSQL")
def test_a_firm_searched_by_its_full_name_comes_first_though_its_words_are_common(
    monkeypatch,
):
    # Given firms whose names share a word with more names than are scored, and one firm
    # whose name is the whole text searched, last by name
    monkeypatch.setattr("capabilities.selectors.SIMILAR_NAMES_RANKED", 2)
    network = NetworkFactory()
    for name in ("Seimitsu C", "Seimitsu A", "Uji Seimitsu (K.K.)", "Seimitsu B"):
        MembershipFactory(network=network, firm=FirmFactory(name_en=name))

    # When a visitor searches for that firm by its name, with other capitals
    found = names(api_get("/api/firms/", network=network.slug, q="uji seimitsu (k.k.)"))

    # Then it comes first, and the firms named alike follow in name order
    assert found == ["Uji Seimitsu (K.K.)", "Seimitsu A", "Seimitsu B", "Seimitsu C"]
