"""A firm's users and its network's office edit its profile; nobody else can."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from capabilities.models import FirmCapability, FirmCapabilityChange
from capabilities.services import firm_capability_set
from members.models import Membership
from tests.kit.factories import (
    CapabilityFactory,
    FirmCapabilityFactory,
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
    OfficeMembershipFactory,
    QualityGradeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MILLING = "process.machining.milling"


@pytest.fixture
def world():
    """A network with its office and two members, and a second network with its own."""
    network = NetworkFactory()
    office = OfficeMembershipFactory(network=network).firm
    member = MembershipFactory(network=network).firm
    neighbour = MembershipFactory(network=network).firm
    other_network = NetworkFactory()
    other_office = OfficeMembershipFactory(network=other_network).firm
    stranger = MembershipFactory(network=other_network).firm
    return {
        "network": network,
        "member": member,
        "member_user": FirmUserFactory(firm=member),
        "neighbour": neighbour,
        "neighbour_user": FirmUserFactory(firm=neighbour),
        "office_user": FirmUserFactory(firm=office),
        "other_office_user": FirmUserFactory(firm=other_office),
        "stranger": stranger,
        "milling": CapabilityFactory(code=MILLING),
    }


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_member_adds_changes_and_removes_its_own_capability_and_each_step_is_recorded(world):
    # Given a member firm's user
    client = api(world["member_user"])
    url = f"/api/firms/{world['member'].pk}/capabilities/"

    # When they add milling, raise its grade, then remove it
    added = client.post(
        url,
        {"capability": MILLING, "grade": 3, "max_part_size_mm": 500, "acquired_through_order": 7},
        format="json",
    )
    changed = client.patch(f"{url}{MILLING}/", {"grade": 4}, format="json")
    listed = client.get(url)
    removed = client.delete(f"{url}{MILLING}/")

    # Then each call succeeds and the profile followed
    assert added.status_code == 201, added.json()
    assert added.json()["grade"] == 3
    assert changed.status_code == 200
    assert changed.json()["grade"] == 4
    assert changed.json()["max_part_size_mm"] == 500  # a PATCH keeps what it does not name
    assert [item["capability"] for item in listed.json()["results"]] == [MILLING]
    assert removed.status_code == 204
    assert not FirmCapability.objects.filter(firm=world["member"]).exists()
    # and the skill growth tells the story, newest first, with the order that taught it
    history = list(
        FirmCapabilityChange.objects.filter(firm=world["member"]).values_list(
            "action", "grade_before", "grade_after", "order_id"
        )
    )
    assert history == [("removed", 4, None, None), ("changed", 3, 4, 7), ("added", None, 3, 7)]
    growth = api().get(f"/api/firms/{world['member'].pk}/capability-changes/").json()
    assert [change["action"] for change in growth["results"]] == ["removed", "changed", "added"]
    assert growth["results"][2]["order"] is None  # the public sees that, not which order
    assert growth["results"][2]["through_order"] is True


def test_a_member_cannot_edit_another_firm_through_the_api(world):
    # Given a member's user and its neighbour's profile
    FirmCapabilityFactory(firm=world["neighbour"], capability=world["milling"], grade=2)
    client = api(world["member_user"])
    url = f"/api/firms/{world['neighbour'].pk}/capabilities/"

    # When they try to read, add, change and remove the neighbour's capabilities
    answers = [
        client.get(url),
        client.post(url, {"capability": MILLING, "grade": 5}, format="json"),
        client.patch(f"{url}{MILLING}/", {"grade": 5}, format="json"),
        client.delete(f"{url}{MILLING}/"),
    ]

    # Then every call is refused and nothing changed
    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert FirmCapability.objects.get(firm=world["neighbour"]).grade == 2
    assert not FirmCapabilityChange.objects.exists()


def test_a_firm_outside_every_public_directory_is_not_found_rather_than_forbidden(world):
    # Given a firm that is in no network at all
    hidden = FirmFactory()
    answer = api(world["member_user"]).get(f"/api/firms/{hidden.pk}/capabilities/")
    # Then its existence is not revealed
    assert answer.status_code == 404
    # and anonymous callers must log in before anything is said
    assert api().get(f"/api/firms/{world['member'].pk}/capabilities/").status_code in (401, 403)


def test_the_office_edits_its_members_but_not_another_networks(world):
    # Given the network's office
    client = api(world["office_user"])

    # When it edits one of its members and a firm of another network
    own = client.post(
        f"/api/firms/{world['member'].pk}/capabilities/",
        {"capability": MILLING, "grade": 4},
        format="json",
    )
    other = client.post(
        f"/api/firms/{world['stranger'].pk}/capabilities/",
        {"capability": MILLING, "grade": 4},
        format="json",
    )

    # Then only its own member's profile changes, and the change names the office's user
    assert own.status_code == 201
    assert other.status_code == 403
    change = FirmCapabilityChange.objects.get()
    assert change.firm == world["member"]
    assert change.changed_by == world["office_user"]
    # and the other network's office cannot touch this network's member either
    refused = api(world["other_office_user"]).patch(
        f"/api/firms/{world['member'].pk}/capabilities/{MILLING}/", {"grade": 1}, format="json"
    )
    assert refused.status_code == 403


def test_bad_values_get_per_field_messages_never_a_500(world):
    client = api(world["member_user"])
    url = f"/api/firms/{world['member'].pk}/capabilities/"
    foreign_grade = QualityGradeFactory()
    foreign_grade.standard.capabilities.add(CapabilityFactory())
    answer = client.post(url, {"capability": "process.nothing", "grade": 9}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) >= {"capability", "grade"}
    answer = client.post(
        url, {"capability": MILLING, "grade": 3, "quality_grade": foreign_grade.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "quality_grade" in answer.json()
    answer = client.patch(f"{url}process.nothing/", {"grade": 3}, format="json")
    assert answer.status_code == 404


def test_setting_the_same_values_again_records_nothing(world):
    firm_capability_set(firm=world["member"], capability=world["milling"], grade=3)
    firm_capability_set(firm=world["member"], capability=world["milling"], grade=3)
    assert FirmCapabilityChange.objects.count() == 1


def test_a_member_cannot_edit_another_firm_through_the_pages(world, client):
    # Given a member's user logged in and its neighbour's profile
    FirmCapabilityFactory(firm=world["neighbour"], capability=world["milling"], grade=2)
    client.force_login(world["member_user"])
    base = f"/firms/{world['neighbour'].pk}/capabilities/"

    # When they open or post to the neighbour's edit pages
    answers = [
        client.get(base),
        client.post(base, {"capability": MILLING, "grade": "5"}),
        client.post(f"{base}{MILLING}/", {"grade": "5"}),
        client.post(f"{base}{MILLING}/remove/"),
    ]

    # Then every page refuses, and the profile is as it was
    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert FirmCapability.objects.get(firm=world["neighbour"]).grade == 2


def test_a_member_edits_its_own_profile_through_the_pages(world, client):
    client.force_login(world["member_user"])
    base = f"/firms/{world['member'].pk}/capabilities/"
    page = client.get(base)
    assert page.status_code == 200
    assert b'<label for="id_capability"' in page.content

    added = client.post(base, {"capability": MILLING, "grade": "3", "since": "2020-04-01"})
    assert added.status_code == 302
    changed = client.post(f"{base}{MILLING}/", {"grade": "4", "equipment": "DMG Mori"})
    assert changed.status_code == 302
    item = FirmCapability.objects.get(firm=world["member"])
    assert (item.grade, item.equipment, str(item.since)) == (4, "DMG Mori", "None")
    removed = client.post(f"{base}{MILLING}/remove/")
    assert removed.status_code == 302
    assert not FirmCapability.objects.filter(firm=world["member"]).exists()

    public = client.get(f"/firms/{world['member'].pk}/")
    assert public.status_code == 200
    assert b"Skill growth" in public.content


def test_the_office_edits_a_member_through_the_pages_but_not_another_networks(world, client):
    client.force_login(world["office_user"])
    own = client.post(
        f"/firms/{world['member'].pk}/capabilities/", {"capability": MILLING, "grade": "2"}
    )
    other = client.post(
        f"/firms/{world['stranger'].pk}/capabilities/", {"capability": MILLING, "grade": "2"}
    )
    assert own.status_code == 302
    assert other.status_code == 403
    assert FirmCapability.objects.filter(firm=world["member"]).exists()
    assert not FirmCapability.objects.filter(firm=world["stranger"]).exists()


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    answer = client.get(f"/firms/{world['member'].pk}/capabilities/")
    assert answer.status_code == 302
    assert "/login/" in answer["Location"]


def test_a_staff_user_may_edit_any_firm(world):
    staff = UserFactory(is_staff=True)
    answer = api(staff).post(
        f"/api/firms/{world['stranger'].pk}/capabilities/",
        {"capability": MILLING, "grade": 3},
        format="json",
    )
    assert answer.status_code == 201
    assert Membership.objects.filter(firm=world["stranger"]).exists()


def test_the_public_sees_that_a_skill_came_through_an_order_but_never_which(world):
    # Given milling learned through order #7, then its part size changed through order #9
    firm_capability_set(
        firm=world["member"],
        capability=world["milling"],
        grade=3,
        acquired_through_order_id=7,
        changed_by=world["member_user"],
    )
    firm_capability_set(
        firm=world["member"],
        capability=world["milling"],
        grade=3,
        max_part_size_mm=500,
        acquired_through_order_id=9,
        changed_by=world["member_user"],
    )
    firm_id = world["member"].pk

    def seen_by(user) -> tuple[str, str, str]:
        client, browser = api(user), Client()
        if user is not None:
            browser.force_login(user)
        return (
            client.get(f"/api/firms/{firm_id}/capability-changes/").content.decode(),
            client.get(f"/api/firms/{firm_id}/").content.decode(),
            browser.get(f"/firms/{firm_id}/").content.decode(),
        )

    # When the public, a neighbour firm and another network's office read the history,
    # the public profile and its page
    for outsider in (None, world["neighbour_user"], world["other_office_user"]):
        history, profile, page = seen_by(outsider)
        # Then they read that it came through an order, and no order's id anywhere
        assert '"through_order":true' in history
        assert "acquired_through_order_id" not in history
        assert '"order":7' not in history and '"order":9' not in history
        assert '"acquired_through_order":null' in profile
        assert '"through_order":true' in profile
        assert "#7" not in page and "#9" not in page
    # And the firm's own people and its network's office see the order
    for insider in (world["member_user"], world["office_user"]):
        history, profile, page = seen_by(insider)
        assert '"acquired_through_order_id":[7,9]' in history
        assert '"order":9' in history
        assert '"acquired_through_order":9' in profile
        assert "#9" in page
