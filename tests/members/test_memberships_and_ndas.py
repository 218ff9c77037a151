"""An office manages its network's memberships; member-cluster firms sign the NDA."""

import pytest
from rest_framework.test import APIClient

from core.access import firm_may_see_confidential
from core.errors import Refusal
from members.models import Firm, Membership, NdaSignature
from members.services import membership_update, nda_sign
from tests.kit.factories import (
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NdaSignatureFactory,
    NetworkFactory,
    OfficeMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rodan():
    """A network that requires its member cluster to sign NDA version 2024-1."""
    network = NetworkFactory(slug="rodan-test", nda_required=True, nda_version="2024-1")
    office = OfficeMembershipFactory(network=network)
    cluster = MembershipFactory(network=network, role=Membership.Role.MEMBER_CLUSTER)
    return {
        "network": network,
        "office": office,
        "office_user": FirmUserFactory(firm=office.firm),
        "cluster": cluster,
        "cluster_user": FirmUserFactory(firm=cluster.firm),
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Confidential requests need the current NDA ---------------------------------------------


def test_a_firm_without_the_current_nda_never_sees_confidential_details(rodan):
    network, cluster = rodan["network"], rodan["cluster"]
    # Given a member-cluster firm that has not signed
    assert not firm_may_see_confidential(cluster.firm_id, network)
    # When it signed an older version only
    NdaSignatureFactory(membership=cluster, version="2023-1")
    Membership.objects.filter(pk=cluster.pk).update(
        nda_version="2023-1", nda_signed_at="2023-05-01T00:00:00Z"
    )
    # Then it still may not
    assert not firm_may_see_confidential(cluster.firm_id, network)
    # and neither may a firm outside the network, nor an inactive member
    assert not firm_may_see_confidential(FirmFactory().pk, network)
    inactive = MembershipFactory(network=network, is_active=False)
    assert not firm_may_see_confidential(inactive.firm_id, network)


def test_signing_the_current_nda_opens_confidential_requests(rodan):
    network, cluster = rodan["network"], rodan["cluster"]
    # When a user of the firm signs the current version
    signature = nda_sign(membership=cluster, signed_by=rodan["cluster_user"], version="2024-1")
    # Then who, when and which version are recorded, and the firm may see confidential work
    cluster.refresh_from_db()
    assert (signature.signed_by, signature.version) == (rodan["cluster_user"], "2024-1")
    assert cluster.nda_version == "2024-1"
    assert cluster.nda_signed_at == signature.signed_at
    assert firm_may_see_confidential(cluster.firm_id, network)
    # and signing again keeps the first signature
    again = nda_sign(membership=cluster, signed_by=rodan["cluster_user"], version="2024-1")
    assert again.pk == signature.pk
    # until the office publishes a new version
    network.nda_version = "2025-1"
    network.save()
    assert not firm_may_see_confidential(cluster.firm_id, network)


def test_without_an_nda_requirement_every_active_member_may_see_and_the_office_always_may(rodan):
    network = rodan["network"]
    assert firm_may_see_confidential(rodan["office"].firm_id, network)
    open_network = NetworkFactory(nda_required=False)
    member = MembershipFactory(network=open_network)
    assert firm_may_see_confidential(member.firm_id, open_network)


def test_a_required_nda_without_a_version_lets_nobody_but_the_office_see(rodan):
    network = NetworkFactory(nda_required=True, nda_version="")
    member = MembershipFactory(network=network)
    assert not firm_may_see_confidential(member.firm_id, network)
    with pytest.raises(Refusal):
        nda_sign(membership=member, signed_by=FirmUserFactory(firm=member.firm), version="")


def test_only_the_current_version_and_only_the_firms_own_staff_can_sign(rodan):
    with pytest.raises(Refusal) as old_version:
        nda_sign(membership=rodan["cluster"], signed_by=rodan["cluster_user"], version="2023-1")
    assert old_version.value.field == "version"
    with pytest.raises(Refusal) as not_staff:
        nda_sign(membership=rodan["cluster"], signed_by=rodan["office_user"], version="2024-1")
    assert not_staff.value.field == "signed_by"
    assert not NdaSignature.objects.exists()


def test_the_nda_api_and_page(rodan, client):
    # Given the member-cluster firm's user
    user = rodan["cluster_user"]
    url = "/api/networks/rodan-test/nda/"
    # When they read the status, refuse to accept, then accept
    before = api(user).get(url)
    refused = api(user).post(url, {"version": "2024-1", "accept": False}, format="json")
    signed = api(user).post(url, {"version": "2024-1", "accept": True}, format="json")
    # Then the API says so at each step
    assert before.json()["signed"] is False
    assert before.json()["may_see_confidential"] is False
    assert refused.status_code == 400
    assert "accept" in refused.json()
    assert signed.status_code == 201
    assert signed.json()["signed"] is True
    assert signed.json()["may_see_confidential"] is True
    # and a firm that is not a member cannot sign
    outsider = FirmUserFactory(firm=FirmFactory())
    assert api(outsider).get(url).status_code == 403
    # and the page shows the signature
    client.force_login(user)
    page = client.get("/networks/rodan-test/nda/")
    assert page.status_code == 200
    assert "2024-1" in page.content.decode()


def test_a_refused_signature_names_the_version_in_the_api_and_on_the_page(rodan, client):
    # Given the member-cluster firm's user, who read an NDA version that is not current
    user = rodan["cluster_user"]
    with pytest.raises(Refusal) as refusal:
        nda_sign(membership=rodan["cluster"], signed_by=user, version="2023-1")
    message = str(refusal.value)
    # When they sign it through the API
    answer = api(user).post(
        "/api/networks/rodan-test/nda/", {"version": "2023-1", "accept": True}, format="json"
    )
    # Then the refusal is a 400 whose message is on the version
    assert answer.status_code == 400
    assert answer.json()["version"] == [message]
    # and on the page the form comes back with the message on the version
    client.force_login(user)
    page = client.post("/networks/rodan-test/nda/", {"version": "2023-1", "accept": "on"})
    assert page.status_code == 200
    assert page.context["form"].errors["version"] == [message]
    assert not NdaSignature.objects.exists()


def test_the_nda_page_signs_without_javascript(rodan, client):
    client.force_login(rodan["cluster_user"])
    answer = client.post("/networks/rodan-test/nda/", {"version": "2024-1", "accept": "on"})
    assert answer.status_code == 302
    assert firm_may_see_confidential(rodan["cluster"].firm_id, rodan["network"])


# --- Memberships -------------------------------------------------------------------------------


def test_the_office_invites_members_and_changes_roles_through_the_api(rodan):
    office = api(rodan["office_user"])
    url = "/api/networks/rodan-test/memberships/"
    existing = FirmFactory()
    added = office.post(url, {"firm": existing.pk, "role": "stakeholder"}, format="json")
    created = office.post(
        url,
        {
            "new_firm": {"name_ja": "新工房", "name_en": "New Kobo", "prefecture": "27"},
            "role": "member_cluster",
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert created.status_code == 201, created.json()
    # Both are invitations until the firms' people accept them
    assert added.json()["status"] == created.json()["status"] == "invited"
    assert not added.json()["is_active"] and not created.json()["is_active"]
    assert Firm.objects.filter(name_en="New Kobo").exists()
    membership_id = added.json()["id"]
    changed = office.patch(f"{url}{membership_id}/", {"role": "member"}, format="json")
    assert changed.status_code == 200
    assert Membership.objects.get(pk=membership_id).role == "member"
    deactivated = office.patch(f"{url}{membership_id}/", {"is_active": False}, format="json")
    assert deactivated.json()["is_active"] is False
    listed = office.get(url)
    assert listed.json()["count"] == 4
    # errors are per field
    twice = office.post(url, {"firm": rodan["cluster"].firm_id}, format="json")
    assert twice.status_code == 400
    assert "firm" in twice.json()
    neither = office.post(url, {"role": "member"}, format="json")
    assert neither.status_code == 400
    office_role = office.post(url, {"firm": FirmFactory().pk, "role": "office"}, format="json")
    assert office_role.status_code == 400
    assert "role" in office_role.json()


def test_members_and_other_offices_cannot_manage_memberships(rodan):
    url = "/api/networks/rodan-test/memberships/"
    assert api(rodan["cluster_user"]).get(url).status_code == 403
    other_office = FirmUserFactory(firm=OfficeMembershipFactory().firm)
    assert api(other_office).get(url).status_code == 403
    assert api(other_office).post(url, {"firm": FirmFactory().pk}, format="json").status_code == 403
    detail = f"{url}{rodan['cluster'].pk}/"
    refused = api(other_office).patch(detail, {"role": "member"}, format="json")
    assert refused.status_code == 403
    assert Membership.objects.get(pk=rodan["cluster"].pk).role == "member_cluster"


def test_a_network_keeps_at_least_one_active_office(rodan):
    with pytest.raises(Refusal) as refusal:
        membership_update(membership=rodan["office"], is_active=False)
    assert refusal.value.field == "role"
    staff = api(UserFactory(is_staff=True))
    answer = staff.patch(
        f"/api/networks/rodan-test/memberships/{rodan['office'].pk}/", {"role": "member"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert "role" in answer.json()


def test_the_office_manages_memberships_through_the_pages(rodan, client):
    client.force_login(rodan["office_user"])
    url = "/networks/rodan-test/office/memberships/"
    page = client.get(url)
    assert page.status_code == 200
    assert '<label for="id_name_ja"' in page.content.decode()
    added = client.post(
        url, {"name_ja": "新工房", "name_en": "New Kobo", "prefecture": "27", "role": "member"}
    )
    assert added.status_code == 302
    # The new firm is invited: it joins when one of its people accepts
    membership = Membership.objects.get(firm__name_en="New Kobo")
    assert membership.status == Membership.Status.INVITED and not membership.is_active
    prefix = f"m{membership.pk}"
    # The office cannot make it active itself, but may change the role it is invited to
    refused = client.post(
        f"{url}{membership.pk}/", {f"{prefix}-role": "stakeholder", f"{prefix}-is_active": "on"}
    )
    assert refused.status_code == 302
    assert not Membership.objects.get(pk=membership.pk).is_active
    edited = client.post(f"{url}{membership.pk}/", {f"{prefix}-role": "stakeholder"})
    assert edited.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == "stakeholder"
    client.force_login(rodan["cluster_user"])
    assert client.get(url).status_code == 403
    assert client.post(f"{url}{membership.pk}/", {f"{prefix}-role": "member"}).status_code == 403
