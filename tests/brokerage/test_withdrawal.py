"""A customer withdraws a request before accepting an estimate: the members stop and are
told, the office is told, and the reason is kept as data."""

import pytest
from django.urls import reverse
from django.utils import translation

from brokerage.models import Deadline, Invitation
from brokerage.pages.timeline import timeline_entries
from brokerage.selectors import event_list_for_rfq
from members.models import Notification
from orders.models import RFQ, Event
from tests.kit.steps import (
    as_user,
    client_for,
    estimate_sent_to_customer,
    invitation_of,
    make_due,
    routed,
)
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def told(kind: str, rfq: RFQ) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, subject_type="rfq", subject_id=rfq.pk).values_list(
            "recipient__username", flat=True
        )
    )


def test_a_withdrawn_request_stops_the_members_and_tells_them_and_the_office(world):
    # Given a routed request: Fushimi answered it can do, the others have not answered
    rfq = routed(world, "process.machining.milling")
    as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation_of(rfq, world.firms['fushimi']).pk}/answer/",
        {"can_do": True, "price": 90_000, "lead_time_days": 10},
        format="json",
    )
    silent = rfq.invitations.exclude(firm=world.firms["fushimi"])
    assert silent.exists()
    # When the customer withdraws it, saying why
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq.pk}/withdraw/", {"note": "We found a supplier"}, format="json"
    )
    # Then it is cancelled, the reason kept as a code beside the customer's words
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    event = Event.objects.get(rfq=rfq, kind="rfq.cancelled")
    assert event.data["reason"] == {"code": "withdrawn"}
    assert event.data["note"] == "We found a supplier"
    # And the open invitations are closed, so nothing chases their firms any more
    assert set(silent.values_list("status", flat=True)) == {Invitation.Status.NOT_NEEDED}
    assert not Deadline.objects.filter(
        rfq=rfq, fired_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    make_due(rfq.pk, "member_response", "reminder", "estimate")
    assert not Notification.objects.filter(kind__startswith="deadline.").exists()
    # And the invited firms and the office are told
    invited_firms = set(rfq.invitations.values_list("firm_id", flat=True))
    invited = {user.username for user in world.users.values() if user.firm_id in invited_firms}
    assert told("rfq.closed_member", rfq) == invited
    assert told("rfq.withdrawn_office", rfq) == {world.office_user.username}


def test_the_reason_is_said_in_each_readers_language(world):
    rfq = routed(world, "process.machining.milling")
    as_user(world.customer).post(f"/api/rfqs/{rfq.pk}/withdraw/", {}, format="json")
    rfq.refresh_from_db()
    for user, english, japanese in (
        (world.customer, "You withdrew the request", "依頼を取り下げました"),
        (world.office_user, "Withdrawn by the customer", "顧客が取り下げました"),
    ):
        for language, label in (("en", english), ("ja", japanese)):
            with translation.override(language):
                entries = timeline_entries(event_list_for_rfq(user, rfq), rfq=rfq, user=user)
            assert label in [entry.label for entry in entries]


def test_only_the_customer_withdraws_and_only_before_accepting(world):
    estimate = estimate_sent_to_customer(world, "fushimi")
    url = f"/api/rfqs/{estimate.rfq_id}/withdraw/"
    # The office and the leader may not withdraw the customer's request
    assert as_user(world.office_user).post(url, {}, format="json").status_code == 403
    assert as_user(world.users["fushimi"]).post(url, {}, format="json").status_code == 403
    # Once the estimate is accepted, the customer may not withdraw it either
    assert as_user(world.customer).post(f"/api/estimates/{estimate.pk}/accept/").status_code == 200
    response = as_user(world.customer).post(url, {}, format="json")
    assert response.status_code == 409
    assert RFQ.objects.get(pk=estimate.rfq_id).status == "accepted"


def test_withdrawing_on_the_page_asks_for_confirmation_first(world):
    rfq = routed(world, "process.machining.milling")
    customer = client_for(world.customer)
    confirm = reverse("pages:request-withdraw", args=[rfq.pk])
    # The request page leads to the confirmation, which withdraws nothing by itself
    page = customer.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert f'href="{confirm}"' in page
    response = customer.get(confirm)
    assert response.status_code == 200
    assert "the member firms stop working on it" in response.content.decode()
    assert RFQ.objects.get(pk=rfq.pk).status == "routed"
    # Its button withdraws the request
    response = customer.post(confirm, {"note": "Plans changed"})
    assert response.status_code == 302
    assert RFQ.objects.get(pk=rfq.pk).status == "cancelled"
    # And the confirmation of a closed request leads back to it
    assert customer.get(confirm).status_code == 302
    # Nobody else reaches the confirmation
    assert client_for(world.office_user).get(confirm).status_code == 404


def test_the_customers_cancellation_is_a_withdrawal_and_the_offices_tells_the_customer(world):
    # Given two routed requests
    withdrawn = routed(world, "process.machining.milling", title="Withdrawn")
    closed = routed(world, "process.machining.milling", title="Closed")
    # When the customer cancels one (the older endpoint) and the office closes the other
    as_user(world.customer).post(
        f"/api/rfqs/{withdrawn.pk}/cancel/", {"reason": "Plans changed"}, format="json"
    )
    as_user(world.office_user).post(
        f"/api/rfqs/{closed.pk}/cancel/", {"reason": "Duplicate of #1"}, format="json"
    )
    # Then the customer's is kept as a withdrawal, the office told
    event = Event.objects.get(rfq=withdrawn, kind="rfq.cancelled")
    assert (event.data["reason"], event.data["note"]) == ({"code": "withdrawn"}, "Plans changed")
    assert told("rfq.withdrawn_office", withdrawn) == {world.office_user.username}
    # And the office's keeps its typed reason, the customer told
    assert Event.objects.get(rfq=closed, kind="rfq.cancelled").data["reason"] == "Duplicate of #1"
    assert told("rfq.cancelled_customer", closed) == {world.customer.username}
    # And in both, nobody is left waiting for an answer
    for rfq in (withdrawn, closed):
        assert not rfq.invitations.filter(status__in=Invitation.UNANSWERED).exists()
        assert told("rfq.closed_member", rfq)
