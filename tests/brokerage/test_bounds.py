"""Dates and amounts are bounded where they enter: a clear 400 or form error, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Interview
from core.bounds import MAX_AMOUNT
from orders.models import RFQ, FaultClaim, LedgerPosting, PayoutBatch, PayoutLine
from orders.services import payouts
from tests.kit.factories import (
    AcceptedOrderFactory,
    FirmBankAccountFactory,
    NetworkBankAccountFactory,
)
from tests.kit.steps import as_user, client_for, in_production, money_rows, pay, submit
from tests.kit.worlds import kyoto_world, migakiya_world, rodan_world

pytestmark = pytest.mark.django_db

# Year 1 and 9999 overflowed the time-zone conversion and the period arithmetic; 1900 is
# a typo that the ledger must never carry.
BAD_MOMENTS = ["0001-01-01T00:00", "9999-12-31T23:59", "1900-01-01T10:00"]
BAD_DAYS = ["0001-01-01", "9999-12-31", "1900-01-01"]


def paid_order():
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world, subtotal=150_000))
    return world, order


# --- Dates: payments ----------------------------------------------------------------------


@pytest.mark.parametrize("moment", [*BAD_MOMENTS, "tomorrow"])
def test_a_payment_received_outside_the_sane_range_or_in_the_future_is_refused(moment):
    # Given an order in production, owed ¥165,000
    world, order = paid_order()
    if moment == "tomorrow":
        moment = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    before = money_rows()
    # When the office records a transfer received in year 1, 9999, 1900 or tomorrow
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/payments/",
        {"amount": 1_000, "method": "bank_transfer", "received_at": moment},
        format="json",
    )
    # Then it is refused on the field, and nothing is written
    assert response.status_code == 400, response.content
    assert response.json()["received_at"]
    assert money_rows() == before


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_the_payments_page_refuses_an_out_of_range_date_with_a_form_error(moment):
    world, order = paid_order()
    before = money_rows()
    response = client_for(world.office_user).post(
        reverse("pages:order-payment-record", args=[order.pk]),
        {"amount": 1_000, "method": "bank_transfer", "received_at": moment},
    )
    assert response.status_code in (200, 400)
    assert "2000-01-01" in response.content.decode()
    assert money_rows() == before


# --- Dates: interviews and planning meetings ---------------------------------------------


def rodan_request(world) -> dict:
    return submit(world, [{"capability": "process.machining.milling"}], confidential=True)


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_an_interview_or_planning_meeting_outside_the_range_is_refused(moment):
    world = rodan_world()
    rfq = rodan_request(world)
    office = as_user(world.office_user)
    # When the office schedules the interview in year 1, 9999 or 1900
    response = office.post(f"/api/rfqs/{rfq['id']}/interview/", {"scheduled_at": moment})
    # Then it is refused on the field
    assert response.status_code == 400, response.content
    assert response.json()["scheduled_at"]
    # And so is the planning meeting, once the interview took place
    when = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = office.post(f"/api/rfqs/{rfq['id']}/interview/", {"scheduled_at": when})
    assert response.status_code == 200
    response = office.post(f"/api/rfqs/{rfq['id']}/interview/notes/", {"notes": "Three"})
    assert response.status_code == 200
    assert RFQ.objects.get(pk=rfq["id"]).status == RFQ.Status.PLANNING
    response = office.post(f"/api/rfqs/{rfq['id']}/planning/", {"scheduled_at": moment})
    assert response.status_code == 400, response.content
    assert response.json()["scheduled_at"]


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_the_planning_pages_refuse_an_out_of_range_date_with_a_form_error(moment):
    world = rodan_world()
    rfq = rodan_request(world)
    response = client_for(world.office_user).post(
        reverse("pages:interview-schedule", args=[rfq["id"]]),
        {"scheduled_at": moment, "place": "Rodan21 office"},
    )
    assert response.status_code in (200, 400)
    assert "2000-01-01" in response.content.decode()
    assert not Interview.objects.filter(rfq_id=rfq["id"]).exists()


# --- Dates: SLA and analytics -------------------------------------------------------------


@pytest.mark.parametrize("moment", BAD_MOMENTS)
@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("path", ["sla", "analytics"])
def test_the_sla_and_analytics_api_refuse_an_out_of_range_period(moment, name, path):
    world = kyoto_world()
    response = as_user(world.office_user).get(
        f"/api/networks/{world.network.slug}/{path}/", {name: moment}
    )
    assert response.status_code == 400, response.content
    assert "2000-01-01" in response.json()[name][0]


@pytest.mark.parametrize("day", BAD_DAYS)
@pytest.mark.parametrize("name", ["since", "until"])
def test_the_analytics_page_and_csv_refuse_an_out_of_range_period(day, name):
    world = kyoto_world()
    office = client_for(world.office_user)
    # When the office asks the page for a period from or to year 1, 9999 or 1900
    response = office.get(reverse("pages:analytics"), {name: day})
    # Then the page shows the form error (and the default period), not a 500
    assert response.status_code == 200
    assert response.context["form"].errors[name]
    # And the CSV answers 400 with the reason
    response = office.get(reverse("pages:analytics-csv"), {name: day})
    assert response.status_code == 400
    assert "2000-01-01" in response.content.decode()


def test_the_sla_shows_times_in_utc_offsets_the_network_uses_never_local_mean_time():
    world = kyoto_world()
    response = as_user(world.office_user).get(
        f"/api/networks/{world.network.slug}/sla/",
        {"since": "2000-01-01T00:00", "until": "2001-01-01T00:00"},
    )
    assert response.status_code == 200
    assert "+09:18:59" not in response.content.decode()
    assert response.json()["since"].endswith("+09:00")


# --- Amounts ------------------------------------------------------------------------------


def leader_designated(world) -> dict:
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    RFQ.objects.filter(pk=rfq["id"]).update(
        status=RFQ.Status.LEADER_DESIGNATED,
        leader_firm=world.firms["fushimi"],
        leader_reason=RFQ.LeaderReason.URGENT,
    )
    return rfq


def test_an_estimate_line_above_the_cap_is_refused():
    world = kyoto_world()
    rfq = leader_designated(world)
    response = as_user(world.office_user).post(
        f"/api/rfqs/{rfq['id']}/estimates/",
        {
            "lines": [
                {
                    "firm": world.firms["fushimi"].pk,
                    "description": "Milling",
                    "amount": MAX_AMOUNT + 1,
                }
            ],
            "lead_time_days": 10,
            "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "9,999,999,999" in str(response.json())


def test_an_estimate_whose_total_with_tax_is_above_the_cap_is_refused():
    world = kyoto_world()
    rfq = leader_designated(world)
    response = as_user(world.office_user).post(
        f"/api/rfqs/{rfq['id']}/estimates/",
        {
            "lines": [
                {"firm": world.firms["fushimi"].pk, "description": "A", "amount": MAX_AMOUNT}
            ],
            "lead_time_days": 10,
            "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "9,999,999,999" in str(response.json())


@pytest.mark.parametrize("kind", ["payments", "fault-claims", "refunds"])
def test_an_amount_above_the_cap_is_refused_where_it_enters(kind):
    world, order = paid_order()
    pay(world, order, 100_000)
    body = {
        "payments": {"method": "bank_transfer", "received_at": timezone.now().isoformat()},
        "fault-claims": {"firm": world.firms["polisher1"].pk, "description": "Scratched"},
        "refunds": {"reason": "Typo"},
    }[kind]
    before = money_rows()
    response = as_user(world.office_user).post(
        f"/api/orders/{order.pk}/{kind}/", {**body, "amount": MAX_AMOUNT + 1}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "9,999,999,999" in str(response.json()["amount"])
    assert money_rows() == before


# --- Fault claims -------------------------------------------------------------------------


def test_a_fault_claim_above_what_the_firm_is_owed_on_the_order_is_refused():
    # Given an order of ¥165,000 (5% office fee) in which polisher1 has 30%: ¥47,025
    world, order = paid_order()
    before = money_rows()
    office = as_user(world.office_user)
    claim = {"firm": world.firms["polisher1"].pk, "description": "Scratched"}
    # When the office claims a trillion yen, or one yen more than the firm's part
    for amount in (1_000_000_000_000, 47_026):
        response = office.post(
            f"/api/orders/{order.pk}/fault-claims/", {**claim, "amount": amount}, format="json"
        )
        # Then it is refused, saying the most that can be claimed, and nothing is written
        assert response.status_code == 400, response.content
        assert money_rows() == before
    assert "¥47,025" in response.json()["amount"][0]
    # When it claims ¥40,000, then the rest is what can still be claimed
    response = office.post(
        f"/api/orders/{order.pk}/fault-claims/", {**claim, "amount": 40_000}, format="json"
    )
    assert response.status_code == 201, response.content
    response = office.post(
        f"/api/orders/{order.pk}/fault-claims/", {**claim, "amount": 7_026}, format="json"
    )
    assert response.status_code == 400
    assert "¥7,025" in response.json()["amount"][0]
    assert FaultClaim.objects.count() == 1


# --- Payout batches and the Zengin file ---------------------------------------------------


def firm_owed_more_than_ten_digits():
    """Return a world where polisher1 is owed over ¥9,999,999,999 from two paid orders."""
    world = migakiya_world()
    for _ in range(2):
        order = in_production(
            world, AcceptedOrderFactory(world=world, subtotal=6_000_000_000), {"polisher1": 10_000}
        )
        pay(world, order, order.total)
    FirmBankAccountFactory(firm=world.firms["polisher1"])
    NetworkBankAccountFactory(network=world.network)
    return world


def test_a_batch_whose_payout_exceeds_ten_digits_cannot_close(clock):
    world = firm_owed_more_than_ten_digits()
    office = as_user(world.office_user)
    response = office.post(
        "/api/payout-batches/",
        {"network": world.network.slug, "transfer_date": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    batch_id = response.json()["id"]
    payout_postings = LedgerPosting.objects.filter(kind=LedgerPosting.Kind.PAYOUT).count()
    # When the office closes it
    response = office.post(f"/api/payout-batches/{batch_id}/close/")
    # Then it is refused with the reason, and nothing is posted
    assert response.status_code == 409, response.content
    assert "9,999,999,999" in response.json()["detail"]
    assert PayoutBatch.objects.get(pk=batch_id).status == PayoutBatch.Status.DRAFT
    assert LedgerPosting.objects.filter(kind=LedgerPosting.Kind.PAYOUT).count() == payout_postings


def test_the_file_of_an_already_closed_bad_batch_answers_409_not_500(clock):
    # Given a batch closed before the check, holding a payout no Zengin file can carry
    world = migakiya_world()
    NetworkBankAccountFactory(network=world.network)
    batch = PayoutBatch.objects.create(
        network=world.network,
        transfer_date=timezone.localdate(),
        created_by=world.office_user,
        status=PayoutBatch.Status.CLOSED,
        closed_at=timezone.now(),
        remitter=payouts.remitter_of(world.network),
        total=MAX_AMOUNT + 1,
        line_count=1,
    )
    account = FirmBankAccountFactory(firm=world.firms["polisher1"])
    PayoutLine.objects.create(
        batch=batch,
        firm=world.firms["polisher1"],
        amount=MAX_AMOUNT + 1,
        **{
            field: getattr(account, field)
            for field in (
                "bank_code",
                "bank_name_kana",
                "branch_code",
                "branch_name_kana",
                "account_type",
                "account_number",
                "holder_kana",
            )
        },
    )
    response = as_user(world.office_user).get(f"/api/payout-batches/{batch.pk}/zengin/")
    assert response.status_code == 409
    assert response.json()["detail"]
    response = client_for(world.office_user).get(
        reverse("pages:payout-zengin", args=[batch.pk]), follow=True
    )
    assert response.status_code == 200


def test_a_large_payout_that_fits_ten_digits_closes_and_has_its_file(clock):
    # Given a firm owed ¥6,270,000,000 from one order is paid by a closed batch
    world = migakiya_world()
    order = in_production(
        world, AcceptedOrderFactory(world=world, subtotal=6_000_000_000), {"polisher1": 10_000}
    )
    pay(world, order, order.total)
    FirmBankAccountFactory(firm=world.firms["polisher1"])
    NetworkBankAccountFactory(network=world.network)
    batch = payouts.payout_batch_create(
        network_id=world.network.pk, user=world.office_user, transfer_date=timezone.localdate()
    )
    payouts.payout_batch_close(batch_id=batch.pk, user=world.office_user)
    assert payouts.payout_batch_zengin(PayoutBatch.objects.get(pk=batch.pk))
    assert LedgerPosting.objects.filter(kind=LedgerPosting.Kind.PAYOUT).count() == 1
