"""The audit trail: every change of state, money and permission is recorded with who and
when, visible to the office, and cannot be rewritten, not even by SQL.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from demo.loader import demo_load
from members.models import Membership, MembershipChange, MembershipHistoryError
from orders.models import RFQ, Event, EventAppendOnlyError
from orders.services.timeline import event_record
from tests.kit.steps import as_user, client_for, submit
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


def test_the_model_refuses_to_change_or_delete_an_event():
    # Given a request's timeline
    world = kyoto_world()
    rfq = RFQ.objects.get(pk=submit(world, [{"capability": "process.machining.milling"}])["id"])
    event = Event.objects.filter(rfq=rfq).first()
    # When code tries to edit or delete events, one by one or in bulk
    event.kind = "rfq.rewritten"
    for attempt in (
        event.save,
        event.delete,
        lambda: Event.objects.filter(rfq=rfq).update(kind="x"),
        lambda: Event.objects.filter(rfq=rfq).delete(),
    ):
        # Then each is refused
        with pytest.raises(EventAppendOnlyError):
            attempt()
    assert Event.objects.filter(kind="rfq.rewritten").count() == 0


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE orders_event SET kind = 'rfq.rewritten'",
        "UPDATE orders_event SET at = now() - interval '1 year'",
        "DELETE FROM orders_event",
        "UPDATE members_membershipchange SET actor_id = NULL",
        "DELETE FROM members_membershipchange",
    ],
)
def test_sql_cannot_rewrite_the_audit_trail(statement):
    # Given events and membership changes in the database
    world = kyoto_world()
    submit(world, [{"capability": "process.machining.milling"}])
    membership = Membership.objects.filter(network=world.network).exclude(role="office").first()
    as_user(world.office_user).patch(
        f"/api/networks/{world.network.slug}/memberships/{membership.pk}/",
        {"role": "coordinator"},
        format="json",
    )
    assert Event.objects.exists() and MembershipChange.objects.exists()
    # When anyone connected to the database tries to rewrite them
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    # Then nothing changed
    assert not Event.objects.filter(kind="rfq.rewritten").exists()


def test_an_event_of_an_earlier_record_carries_its_own_time():
    # Given a request that came in a day ago (an import, the demo)
    world = kyoto_world()
    rfq = RFQ.objects.get(pk=submit(world, [{"capability": "process.machining.milling"}])["id"])
    earlier = timezone.now() - datetime.timedelta(days=1)
    # When its event is recorded with that time
    event = event_record(kind="rfq.imported", actor=None, rfq=rfq, at=earlier)
    # Then the timeline shows when it happened, set once and never edited
    assert Event.objects.get(pk=event.pk).at == earlier


def test_the_demo_sets_its_past_times_when_it_writes_them():
    # When the demo is loaded (it never edits events: they are append-only)
    demo_load()
    # Then its requests submitted minutes ago have timelines from then, not from now
    submitted = RFQ.objects.filter(status__in=RFQ.OPEN_STATUSES).exclude(submitted_at=None)
    assert submitted.exists()
    for rfq in submitted:
        first = Event.objects.filter(rfq=rfq).order_by("at", "id").first()
        assert first.kind == "rfq.submitted"
        assert abs((first.at - rfq.submitted_at).total_seconds()) < 1


def test_membership_role_and_nda_changes_are_recorded_with_who_and_when():
    # Given a network requiring an NDA, its office and a member-cluster firm without it
    world = rodan_world()
    office = as_user(world.office_user)
    membership = Membership.objects.get(network=world.network, firm=world.firms["cluster_no_nda"])
    # When the office changes the firm's role, invites a new firm, and the firm signs the NDA
    response = office.patch(
        f"/api/networks/{world.network.slug}/memberships/{membership.pk}/",
        {"role": "stakeholder"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = office.post(
        f"/api/networks/{world.network.slug}/memberships/",
        {"new_firm": {"name_ja": "新工場", "name_en": "New Works", "prefecture": "27"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = as_user(world.users["cluster_no_nda"]).post(
        f"/api/networks/{world.network.slug}/nda/", {"version": "v1", "accept": True}
    )
    assert response.status_code == 201, response.json()
    # Then each change is in the append-only history, with its actor, before and after
    changes = list(MembershipChange.objects.filter(network=world.network).order_by("id"))
    assert [change.kind for change in changes] == ["changed", "invited", "nda_signed"]
    role_change, invited, signed = changes
    assert role_change.actor == world.office_user
    assert (role_change.before["role"], role_change.after["role"]) == (
        "member_cluster",
        "stakeholder",
    )
    assert invited.actor == world.office_user and invited.before == {}
    assert invited.after["status"] == "invited" and invited.after["is_active"] is False
    assert signed.actor == world.users["cluster_no_nda"] and signed.after["nda_version"] == "v1"
    with pytest.raises(MembershipHistoryError):
        signed.delete()
    # and the office sees it, through the API and on its memberships page
    history = office.get(f"/api/networks/{world.network.slug}/membership-changes/").json()
    assert history["count"] == 3
    assert history["results"][0]["kind"] == "nda_signed"
    assert history["results"][-1]["actor"] == world.office_user.username
    page = client_for(world.office_user).get(
        reverse("network-office-memberships", args=[world.network.slug])
    )
    assert world.office_user.username in page.content.decode()
    # while a member firm does not
    response = as_user(world.users["planner"]).get(
        f"/api/networks/{world.network.slug}/membership-changes/"
    )
    assert response.status_code == 403


def test_every_step_of_a_request_is_on_its_timeline_with_its_actor():
    # Given a request routed, answered and led
    world = kyoto_world()
    rfq_id = submit(world, [{"capability": "process.machining.milling"}])["id"]
    fushimi = world.users["fushimi"]
    invitation = as_user(fushimi).get("/api/invitations/").json()["results"][0]
    as_user(fushimi).post(
        f"/api/invitations/{invitation['id']}/answer/",
        {"can_do": True, "price": 10_000, "lead_time_days": 3},
        format="json",
    )
    as_user(world.office_user).post(
        f"/api/rfqs/{rfq_id}/leader/", {"firm": world.firms["fushimi"].pk, "reason": "urgent"}
    )
    # When the office reads the timeline
    events = as_user(world.office_user).get(f"/api/rfqs/{rfq_id}/events/").json()["results"]
    # Then each state change is there, in order, with who did it and when
    by_kind = {event["kind"]: event for event in events}
    assert [event["kind"] for event in events[:2]] == ["rfq.submitted", "rfq.routed"]
    assert by_kind["invitation.answered"]["actor"] == fushimi.username
    assert by_kind["leader.designated"]["actor"] == world.office_user.username
    assert all(event["at"] for event in events)
