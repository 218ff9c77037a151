"""No yen charged twice or lost: payments are idempotent, a card is charged with no lock held."""

import contextlib
import hashlib
import hmac
import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.errors import Refusal
from members.models import Network
from orders.models import LedgerPosting, Order, Payment, PaymentAttempt
from orders.payment_providers import (
    CardProvider,
    ChargeLookup,
    PaymentDeclined,
    PaymentInDoubt,
    PaymentRequest,
)
from orders.services import card_payments, payment_posting, payments
from orders.tasks import settle_payment_attempts
from tests.kit.factories import AcceptedOrderFactory
from tests.kit.steps import as_user, client_for, field_value, in_production
from tests.kit.worlds import migakiya_world

PROVIDER = "tests.orders.test_payment_attempts.RecordingCardProvider"


class RecordingCardProvider(CardProvider):
    """A gateway that, like real ones, charges once per idempotency key, and counts charges.

    `behaviour` steers the next calls: "ok", "timeout" (charges, then the answer is lost),
    "decline", or "block" (waits until `release` is set, after setting `entered`).
    """

    code = "card:recording"
    charges: dict[str, str] = {}
    behaviour = "ok"
    entered = threading.Event()
    release = threading.Event()

    def charge(self, request: PaymentRequest) -> str:
        cls = type(self)
        if request.idempotency_key in cls.charges:
            return cls.charges[request.idempotency_key]  # charged once per key, like real ones
        if cls.behaviour == "decline":
            raise PaymentDeclined("The card was declined.")
        if cls.behaviour == "block":
            cls.entered.set()
            assert cls.release.wait(timeout=20)
        reference = cls.charges.setdefault(request.idempotency_key, f"ch_{len(cls.charges) + 1}")
        if cls.behaviour == "timeout":
            raise PaymentInDoubt("The gateway did not answer in time.")
        return reference

    def lookup(self, idempotency_key: str) -> ChargeLookup:
        reference = type(self).charges.get(idempotency_key)
        if reference is None:
            return ChargeLookup(status=ChargeLookup.Status.NOT_FOUND)
        return ChargeLookup(status=ChargeLookup.Status.SUCCEEDED, reference=reference)


@pytest.fixture
def provider(settings):
    settings.PAYMENT_CARD_PROVIDER = PROVIDER
    RecordingCardProvider.charges = {}
    RecordingCardProvider.behaviour = "ok"
    RecordingCardProvider.entered = threading.Event()
    RecordingCardProvider.release = threading.Event()
    return RecordingCardProvider


def transfer(**extra) -> dict:
    return {
        "amount": 1_000,
        "method": "bank_transfer",
        "received_at": timezone.now().isoformat(),
        **extra,
    }


def card(**extra) -> dict:
    return {"amount": 1_000, "method": "card", "card_token": "tok_ok", **extra}


def payment_postings() -> int:
    return LedgerPosting.objects.filter(kind=LedgerPosting.Kind.PAYMENT).count()


# --- Case 9: the same transfer or the same key records one payment ------------------------


@pytest.mark.django_db
def test_the_same_bank_reference_twice_records_one_payment():
    # Given an order in production and a transfer recorded with its bank reference
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    other = in_production(world, AcceptedOrderFactory(world=world))
    office = as_user(world.office_user)
    first = office.post(
        f"/api/orders/{order.pk}/payments/", transfer(reference="ﾐｶﾞｷﾔ 0412"), format="json"
    )
    assert first.status_code == 201, first.json()
    # When the same reference is recorded again, on the same order or another of the network
    again = office.post(
        f"/api/orders/{order.pk}/payments/", transfer(reference="ﾐｶﾞｷﾔ 0412"), format="json"
    )
    elsewhere = office.post(
        f"/api/orders/{other.pk}/payments/", transfer(reference="ﾐｶﾞｷﾔ 0412"), format="json"
    )
    # Then both are refused with 409, naming the payment that already carries it
    for response in (again, elsewhere):
        assert response.status_code == 409, response.content
        assert f"#{first.json()['id']}" in response.json()["detail"]
    assert Payment.objects.count() == 1
    assert payment_postings() == 1


@pytest.mark.django_db
def test_the_same_idempotency_key_twice_records_one_payment():
    # Given the office recording a transfer with an Idempotency-Key (and no reference)
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    office = as_user(world.office_user)
    url = f"/api/orders/{order.pk}/payments/"
    body = transfer()
    # When the request is sent twice with the same key
    first = office.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    second = office.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    # Then one payment is recorded and both answers name it
    assert first.status_code == second.status_code == 201, second.content
    assert first.json()["id"] == second.json()["id"]
    assert Payment.objects.count() == 1
    assert payment_postings() == 1
    # And the same key with another amount is a conflict, not a second payment
    changed = office.post(
        url, {**body, "amount": 2_000}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    assert changed.status_code == 409
    assert Payment.objects.count() == 1


# --- Case 12: a card is charged once, with no lock held, and never lost -------------------


@pytest.mark.django_db(transaction=True)
def test_the_money_lock_is_free_while_the_provider_is_charging(provider):
    # Given a card provider that blocks in the middle of a charge
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    provider.behaviour = "block"
    outcome = {}

    def pay_by_card():
        try:
            outcome["payment"] = payments.payment_record(
                order_id=order.pk,
                user=world.customer,
                amount=1_000,
                method="card",
                card_token="tok_ok",
            )
        except Exception as error:  # noqa: BLE001 - the main thread reports it
            outcome["error"] = error
        finally:
            connection.close()

    payer = threading.Thread(target=pay_by_card)
    payer.start()
    try:
        assert provider.entered.wait(timeout=20), "the provider was never called"
        # When another transaction takes the network's and the order's money locks at once
        with transaction.atomic():
            locked = (
                Network.objects.select_for_update(nowait=True).filter(pk=order.network_id).exists()
                and Order.objects.select_for_update(nowait=True).filter(pk=order.pk).exists()
            )
        # Then it gets them: the charge holds no lock
        assert locked
    finally:
        provider.release.set()
        payer.join(timeout=30)
    assert "error" not in outcome, outcome
    assert Payment.objects.count() == 1
    assert len(provider.charges) == 1


@pytest.mark.django_db
def test_a_retry_with_the_same_key_does_not_charge_twice(provider):
    # Given a card charge whose answer is lost (the provider charged, then timed out)
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    customer = as_user(world.customer)
    url = f"/api/orders/{order.pk}/payments/"
    provider.behaviour = "timeout"
    lost = customer.post(url, card(), format="json", HTTP_IDEMPOTENCY_KEY="card-1")
    # Then the payer is told it is not settled yet, and nothing is posted yet
    assert lost.status_code in (202, 409, 503), lost.content
    assert Payment.objects.count() == 0
    # When the customer's browser retries with the same key
    provider.behaviour = "ok"
    retry = customer.post(url, card(), format="json", HTTP_IDEMPOTENCY_KEY="card-1")
    again = customer.post(url, card(), format="json", HTTP_IDEMPOTENCY_KEY="card-1")
    # Then the card was charged once, and one payment is posted
    assert retry.status_code == 201, retry.content
    assert again.json()["id"] == retry.json()["id"]
    assert len(provider.charges) == 1
    assert Payment.objects.count() == 1
    assert payment_postings() == 1


@pytest.mark.django_db
def test_a_charge_whose_posting_failed_is_posted_once_by_the_sweeper(provider, monkeypatch):
    # Given a card charge that succeeded at the provider, but whose posting failed
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(payment_posting, "allocate_payment", broken)
        with pytest.raises(RuntimeError):
            payments.payment_record(
                order_id=order.pk,
                user=world.customer,
                amount=1_000,
                method="card",
                card_token="tok_ok",
            )
    # Then the attempt remains, confirmed, with the provider's charge, and nothing is lost
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.SUCCEEDED
    assert attempt.provider_reference == "ch_1"
    assert Payment.objects.count() == 0
    # When the sweeper runs, twice
    settle_payment_attempts()
    settle_payment_attempts()
    # Then the charge is posted exactly once, and the card was charged once
    assert Payment.objects.count() == 1
    assert payment_postings() == 1
    attempt.refresh_from_db()
    assert attempt.payment_id == Payment.objects.get().pk
    assert len(provider.charges) == 1


@pytest.mark.django_db
def test_the_sweeper_settles_an_attempt_left_in_doubt_by_asking_the_provider(provider):
    # Given a charge whose answer was lost, and a payer who never came back
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    provider.behaviour = "timeout"
    with pytest.raises(card_payments.PaymentPending):
        payments.payment_record(
            order_id=order.pk, user=world.customer, amount=1_000, method="card", card_token="t"
        )
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.IN_DOUBT
    # When the sweeper runs twice
    settle_payment_attempts()
    settle_payment_attempts()
    # Then the provider's answer (charged) is posted once
    assert Payment.objects.get().reference == "ch_1"
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.SUCCEEDED
    assert payment_postings() == 1


def signed(secret: str, body: bytes, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    signature = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={signature}"


@pytest.mark.django_db
def test_the_providers_webhook_settles_an_attempt_only_with_a_valid_signature(
    provider, settings, client
):
    # Given an attempt left in doubt
    settings.PAYMENT_WEBHOOK_SECRET = "whsec_test"
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    provider.behaviour = "timeout"
    with pytest.raises(card_payments.PaymentPending):
        payments.payment_record(
            order_id=order.pk, user=world.customer, amount=1_000, method="card", card_token="t"
        )
    attempt = PaymentAttempt.objects.get()
    body = json.dumps(
        {"idempotency_key": attempt.idempotency_key, "status": "succeeded", "id": "ch_1"}
    ).encode()
    url = "/api/payments/webhook/"
    # When the webhook arrives unsigned, wrongly signed, or signed long ago
    for signature in ("", signed("wrong", body), signed("whsec_test", body, at=1_000_000)):
        response = client.post(
            url, body, content_type="application/json", HTTP_X_PAYMENT_SIGNATURE=signature
        )
        # Then it is refused and nothing is posted
        assert response.status_code == 403, response.content
    assert Payment.objects.count() == 0
    # When it arrives signed with the secret, twice
    for _ in range(2):
        response = client.post(
            url,
            body,
            content_type="application/json",
            HTTP_X_PAYMENT_SIGNATURE=signed("whsec_test", body),
        )
        assert response.status_code == 200, response.content
    # Then the charge is posted once
    assert Payment.objects.count() == 1
    assert payment_postings() == 1


@pytest.mark.django_db
def test_the_payment_page_sent_twice_records_one_payment():
    # Given the office's payment form, drawn with its key
    world = migakiya_world()
    order = in_production(world, AcceptedOrderFactory(world=world))
    office = client_for(world.office_user)
    form = office.get(reverse("pages:order-payments", args=[order.pk]))
    key = field_value(form, "idempotency_key")
    data = {
        "method": "bank_transfer",
        "amount": "1000",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "reference": "",
        "idempotency_key": key,
    }
    # When it is sent twice (a double click)
    url = reverse("pages:order-payment-record", args=[order.pk])
    first, second = office.post(url, data), office.post(url, data)
    # Then one payment is recorded
    assert first.status_code == second.status_code == 302
    assert Payment.objects.count() == 1
    # And a transfer whose bank reference is already recorded is refused, saying by which
    taken = Payment.objects.get()
    data = {**data, "idempotency_key": "another", "reference": "ﾄﾞｳｼﾞ"}
    assert office.post(url, data).status_code == 302
    again = office.post(url, {**data, "idempotency_key": "yet-another"})
    assert again.status_code == 409
    assert f"#{Payment.objects.get(reference='ﾄﾞｳｼﾞ').pk}" in again.content.decode()
    assert Payment.objects.exclude(pk=taken.pk).count() == 1


STEPS = st.lists(
    st.sampled_from(["pay", "pay_lost_answer", "pay_declined", "sweep", "webhook"]),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def shared_world():
    return migakiya_world()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_interleaving_of_retries_posts_each_attempt_at_most_once(provider, shared_world, steps):
    # Given a fresh order and a customer who pays by card with one key, whatever happens
    world = shared_world
    order = in_production(world, AcceptedOrderFactory(world=world))
    key = f"card-{order.pk}"
    # When retries, lost answers, declines, sweeps and webhooks come in any order
    for step in steps:
        if step.startswith("pay"):
            provider.behaviour = {"pay": "ok", "pay_lost_answer": "timeout"}.get(step, "decline")
            with contextlib.suppress(Refusal):
                payments.payment_record(
                    order_id=order.pk,
                    user=world.customer,
                    amount=1_000,
                    method="card",
                    card_token="tok",
                    idempotency_key=key,
                )
        elif step == "sweep":
            settle_payment_attempts()
        else:
            for attempt in PaymentAttempt.objects.filter(order=order):
                reference = provider.charges.get(attempt.idempotency_key)
                if reference is not None:
                    card_payments.payment_attempt_settle_from_provider(
                        idempotency_key=attempt.idempotency_key,
                        succeeded=True,
                        reference=reference,
                    )
    # Then one attempt exists for the key, the card was charged at most once, and each
    # charge is posted at most once (and exactly once if the attempt was confirmed)
    attempts = list(PaymentAttempt.objects.filter(order=order))
    assert len(attempts) == int(any(step.startswith("pay") for step in steps))
    charged = sum(attempt.idempotency_key in provider.charges for attempt in attempts)
    posted = Payment.objects.filter(order=order).count()
    assert posted <= charged <= 1
    if any(attempt.status == PaymentAttempt.Status.SUCCEEDED for attempt in attempts):
        assert posted == 1
    assert (
        LedgerPosting.objects.filter(order=order, kind=LedgerPosting.Kind.PAYMENT).count() == posted
    )
