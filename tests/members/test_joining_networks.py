"""Joining a network takes both sides: the office invites and the firm accepts, or the firm
applies and the office approves. The probe of issue 16: an office posting another
network's firm into its own got an active membership and, with it, the firm's bank account.
"""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core.errors import Refusal
from members.models import Membership, MembershipChange, Notification
from members.services import membership_invite
from tests.kit.factories import (
    FirmBankAccountFactory,
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
    OfficeMembershipFactory,
)

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def kyoto_and_migakiya():
    """Kyoto's office, and a firm that belongs to Migakiya only, with its bank account."""
    kyoto = NetworkFactory(slug="kyoto-shisaku-net")
    migakiya = NetworkFactory(slug="migakiya-syndicate")
    kyoto_office = FirmUserFactory(firm=OfficeMembershipFactory(network=kyoto).firm)
    OfficeMembershipFactory(network=migakiya)
    polisher = MembershipFactory(network=migakiya).firm
    FirmBankAccountFactory(firm=polisher)
    return {
        "kyoto": kyoto,
        "migakiya": migakiya,
        "kyoto_office": kyoto_office,
        "polisher": polisher,
        "polisher_people": [FirmUserFactory(firm=polisher), FirmUserFactory(firm=polisher)],
    }


MEMBERSHIPS = "/api/networks/kyoto-shisaku-net/memberships/"


def test_an_office_posting_another_networks_firm_only_invites_it(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    polisher = world["polisher"]
    # When Kyoto's office posts the Migakiya-only firm into its network
    answer = office.post(MEMBERSHIPS, {"firm": polisher.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    # Then the office reaches neither the firm's bank account nor a way to rewrite it
    account = f"/api/bank-accounts/firms/{polisher.pk}/"
    assert office.get(account).status_code == 404
    body = {
        "bank_code": "0001",
        "branch_code": "001",
        "account_number": "7654321",
        "holder_kana": "ｶ)ﾉｯﾄﾘ",
        "bank_name_kana": "ﾐｽﾞﾎ",
        "branch_name_kana": "ﾄｳｷｮｳ",
    }
    assert office.put(account, body, format="json").status_code == 404
    polisher.bank_account.refresh_from_db()
    assert polisher.bank_account.account_number != "7654321"
    # for what it made is an invitation, not a membership
    assert answer.json()["status"] == "invited"
    assert answer.json()["is_active"] is False
    membership = Membership.objects.get(network=world["kyoto"], firm=polisher)
    assert membership.status == Membership.Status.INVITED and not membership.is_active


def test_an_office_no_longer_reads_the_account_of_a_firm_whose_membership_ended(
    kyoto_and_migakiya,
):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    # Given the Migakiya firm was, both sides agreeing, a member of Kyoto too
    membership = MembershipFactory(network=world["kyoto"], firm=world["polisher"])
    account = f"/api/bank-accounts/firms/{world['polisher'].pk}/"
    assert office.get(account).status_code == 200
    # When Kyoto's office ends the membership
    ended = office.patch(f"{MEMBERSHIPS}{membership.pk}/", {"is_active": False}, format="json")
    assert ended.status_code == 200
    # Then the office reads the firm's account no more, as if the firm did not exist
    gone = office.get(account)
    missing = office.get("/api/bank-accounts/firms/99999999/")
    assert gone.status_code == missing.status_code == 404
    assert gone.content == missing.content


def test_the_office_cannot_make_an_invitation_active_by_itself(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    created = office.post(MEMBERSHIPS, {"firm": world["polisher"].pk}, format="json").json()
    # When the office sets the invitation active
    answer = office.patch(f"{MEMBERSHIPS}{created['id']}/", {"is_active": True}, format="json")
    # Then it is refused, and the membership stays an invitation
    assert answer.status_code == 400
    assert "is_active" in answer.json()
    assert Membership.objects.get(pk=created["id"]).status == Membership.Status.INVITED


def test_the_database_refuses_an_active_membership_without_both_sides(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            network=world["kyoto"], firm=FirmFactory(), status="active", is_active=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(network=world["kyoto"], firm=FirmFactory(), is_active=True)


def test_the_firms_people_see_the_invitation_and_accept_it(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    invited = office.post(MEMBERSHIPS, {"firm": world["polisher"].pk}, format="json").json()
    # Then every person of the firm is told, in their language
    told = Notification.objects.filter(kind="membership.invited", channel="in_app")
    assert {n.recipient_id for n in told} == {p.pk for p in world["polisher_people"]}
    person = api(world["polisher_people"][0])
    # When one of them lists the firm's invitations
    listed = person.get("/api/firm-memberships/?status=invited").json()
    assert [m["id"] for m in listed["results"]] == [invited["id"]]
    # and accepts it
    accepted = person.post(f"/api/firm-memberships/{invited['id']}/accept/")
    # Then the firm is an active member, with both sides recorded
    assert accepted.status_code == 200, accepted.json()
    membership = Membership.objects.get(pk=invited["id"])
    assert membership.is_active and membership.status == Membership.Status.ACTIVE
    assert membership.network_agreed_by == world["kyoto_office"]
    assert membership.firm_agreed_by == world["polisher_people"][0]
    kinds = list(membership.changes.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [MembershipChange.Kind.INVITED, MembershipChange.Kind.ACCEPTED]
    # and the office is told
    told_office = Notification.objects.filter(kind="membership.accepted", channel="in_app")
    assert {n.recipient_id for n in told_office} == {world["kyoto_office"].pk}
    # and only then does the office read the firm's account for its payouts
    assert office.get(f"/api/bank-accounts/firms/{world['polisher'].pk}/").status_code == 200


def test_a_firm_declines_an_invitation_and_nobody_else_answers_it(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    invited = office.post(MEMBERSHIPS, {"firm": world["polisher"].pk}, format="json").json()
    # An office, or another firm's person, cannot answer for the firm
    stranger = FirmUserFactory()
    assert office.post(f"/api/firm-memberships/{invited['id']}/accept/").status_code == 404
    assert api(stranger).post(f"/api/firm-memberships/{invited['id']}/accept/").status_code == 404
    # When the firm's person declines
    declined = api(world["polisher_people"][1]).post(
        f"/api/firm-memberships/{invited['id']}/decline/"
    )
    # Then it is declined and not active, and accepting it afterwards is refused
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    late = api(world["polisher_people"][0]).post(f"/api/firm-memberships/{invited['id']}/accept/")
    assert late.status_code == 400
    assert not Membership.objects.get(pk=invited["id"]).is_active
    assert Notification.objects.filter(
        kind="membership.declined", recipient=world["kyoto_office"]
    ).exists()


def test_a_firm_applies_and_the_office_approves(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    person = api(world["polisher_people"][0])
    # When the firm applies to join Kyoto
    applied = person.post("/api/networks/kyoto-shisaku-net/applications/")
    assert applied.status_code == 201, applied.json()
    assert applied.json()["status"] == "applied" and applied.json()["is_active"] is False
    # Then Kyoto's office is told and sees the application
    assert Notification.objects.filter(
        kind="membership.applied", recipient=world["kyoto_office"]
    ).exists()
    office = api(world["kyoto_office"])
    listed = office.get(MEMBERSHIPS).json()["results"]
    assert {"id": applied.json()["id"], "status": "applied"}.items() <= next(
        m for m in listed if m["id"] == applied.json()["id"]
    ).items()
    # Another network's office cannot approve it
    migakiya_office = FirmUserFactory(
        firm=Membership.objects.get(network=world["migakiya"], role="office").firm
    )
    refused = api(migakiya_office).post(f"{MEMBERSHIPS}{applied.json()['id']}/approve/")
    assert refused.status_code == 403
    # When Kyoto's office approves
    approved = office.post(f"{MEMBERSHIPS}{applied.json()['id']}/approve/")
    # Then the firm is an active member and its people are told
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "active" and approved.json()["is_active"] is True
    told = Notification.objects.filter(kind="membership.approved", channel="in_app")
    assert {n.recipient_id for n in told} == {p.pk for p in world["polisher_people"]}


def test_the_office_declines_an_application(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    applied = api(world["polisher_people"][0]).post("/api/networks/kyoto-shisaku-net/applications/")
    membership_id = applied.json()["id"]
    office = api(world["kyoto_office"])
    declined = office.post(f"{MEMBERSHIPS}{membership_id}/decline/")
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    # The firm's own people cannot approve their own application
    again = api(world["polisher_people"][0]).post(f"{MEMBERSHIPS}{membership_id}/approve/")
    assert again.status_code == 403
    assert not Membership.objects.get(pk=membership_id).is_active


def test_a_deactivated_membership_no_longer_reaches_the_bank_account(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    invited = office.post(MEMBERSHIPS, {"firm": world["polisher"].pk}, format="json").json()
    api(world["polisher_people"][0]).post(f"/api/firm-memberships/{invited['id']}/accept/")
    account = f"/api/bank-accounts/firms/{world['polisher'].pk}/"
    assert office.get(account).status_code == 200
    # When the office ends the membership
    ended = office.patch(f"{MEMBERSHIPS}{invited['id']}/", {"is_active": False}, format="json")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    # Then it reads the firm's account no more: as if the firm did not exist
    assert office.get(account).status_code == 404
    assert office.get("/api/bank-accounts/firms/99999999/").status_code == 404


def test_a_new_firm_created_by_an_office_waits_for_its_people(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    office = api(world["kyoto_office"])
    body = {"new_firm": {"name_ja": "新工房", "name_en": "New Kobo", "prefecture": "26"}}
    created = office.post(MEMBERSHIPS, body, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "invited" and created.json()["is_active"] is False


def test_the_invitation_service_refuses_people_who_do_not_run_the_network(kyoto_and_migakiya):
    world = kyoto_and_migakiya
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        membership_invite(
            network=world["kyoto"], firm=FirmFactory(), actor=world["polisher_people"][0]
        )
    membership_invite(network=world["kyoto"], firm=world["polisher"], actor=world["kyoto_office"])
    with pytest.raises(Refusal):
        membership_invite(
            network=world["kyoto"], firm=world["polisher"], actor=world["kyoto_office"]
        )


def test_the_firm_answers_invitations_on_its_page(kyoto_and_migakiya, client):
    world = kyoto_and_migakiya
    membership = membership_invite(
        network=world["kyoto"], firm=world["polisher"], actor=world["kyoto_office"]
    )
    client.force_login(world["polisher_people"][0])
    page = client.get("/memberships/")
    assert page.status_code == 200
    assert f"/memberships/{membership.pk}/accept/" in page.content.decode()
    answered = client.post(f"/memberships/{membership.pk}/accept/")
    assert answered.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active


def test_the_office_approves_applications_on_its_page(kyoto_and_migakiya, client):
    world = kyoto_and_migakiya
    api(world["polisher_people"][0]).post("/api/networks/kyoto-shisaku-net/applications/")
    membership = Membership.objects.get(network=world["kyoto"], firm=world["polisher"])
    client.force_login(world["kyoto_office"])
    url = "/networks/kyoto-shisaku-net/office/memberships/"
    page = client.get(url)
    assert f"{url}{membership.pk}/approve/" in page.content.decode()
    assert client.post(f"{url}{membership.pk}/approve/").status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active
