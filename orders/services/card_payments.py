"""Card payments: a card is charged with no lock held, never twice, and never lost.

A card is charged in three steps (`card_payment_record`): the attempt is written with a
stable idempotency key and committed (`payment_attempt_open`); the provider is asked,
outside any transaction, with that key every time, so asking again never charges twice;
and the confirmed attempt is posted exactly once, checked under the order's lock
(`payment_attempt_post`). An attempt whose answer was lost is settled later: by the
sweeper, which asks the provider (`unsettled_attempt_ids`, `payment_attempt_settle`), or
by the provider's webhook (`payment_attempt_settle_from_provider`).
"""

import datetime
import hashlib
import uuid

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext

from core import clock
from core.errors import Refusal, RefusalKind
from core.idempotency import idempotency_claim
from members.models import User
from orders.locks import order_lock, payment_attempt_lock
from orders.models import Payment, PaymentAttempt
from orders.payment_providers import (
    ChargeLookup,
    PaymentDeclined,
    PaymentInDoubt,
    PaymentRequest,
    card_provider,
)
from orders.services.payment_posting import (
    payable_check,
    payment_check,
    payment_idempotency_request,
    payment_post_locked,
)

# A pending attempt younger than this may still be in its payer's request: leave it be.
PENDING_GRACE = datetime.timedelta(minutes=2)
# An attempt the provider has never heard of after this long never reached it.
UNKNOWN_AFTER = datetime.timedelta(minutes=30)


class PaymentPending(Refusal):
    """The card provider's answer is not known yet; the attempt is settled later."""

    kind = RefusalKind.CONFLICT


def card_payment_record(
    *,
    order_id: int,
    user: User,
    amount: int,
    note: str = "",
    card_token: str = "",
    idempotency_key: str = "",
) -> Payment:
    """Charge the customer's card and post the payment; a retry with the same
    `idempotency_key` returns the first payment, or resumes the first attempt without
    charging the card again."""
    attempt = payment_attempt_open(
        order_id=order_id,
        user=user,
        amount=amount,
        note=note,
        card_token=card_token,
        idempotency_key=idempotency_key,
    )
    if attempt.payment_id is not None:
        return attempt.payment
    if attempt.status in (PaymentAttempt.Status.PENDING, PaymentAttempt.Status.IN_DOUBT):
        _payment_attempt_charge(attempt, card_token=card_token)
    return payment_attempt_post(attempt_id=attempt.pk)


@transaction.atomic
def payment_attempt_open(
    *,
    order_id: int,
    user: User,
    amount: int,
    note: str = "",
    card_token: str = "",
    idempotency_key: str = "",
) -> PaymentAttempt:
    """Write (and commit) a card charge's attempt with its stable key, before any charge.

    A retry with the same Idempotency-Key returns the first attempt. The amount must fit
    in what is owed less the card payments still being confirmed, so that two attempts
    racing cannot charge more than the order's total.
    """
    method = Payment.Method.CARD
    order = order_lock(order_id)
    payment_check(order, user, method)
    claim = idempotency_claim(
        user=user,
        operation="order.payment",
        key=idempotency_key,
        request=payment_idempotency_request(
            order,
            amount,
            method,
            note=note,
            card_token=hashlib.sha256(card_token.encode()).hexdigest(),
        ),
    )
    if claim.is_replay:
        return PaymentAttempt.objects.select_related("payment").get(pk=claim.earlier)
    if not card_token:
        raise Refusal(gettext("A card payment needs the card token from the payment form."))
    reserved = (
        PaymentAttempt.objects.filter(order=order, payment__isnull=True)
        .exclude(status=PaymentAttempt.Status.FAILED)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    payable_check(order, amount, reserved=reserved)
    attempt = PaymentAttempt.objects.create(
        order=order,
        network=order.network,
        amount=amount,
        currency=order.currency,
        method=method,
        idempotency_key=f"pay_{uuid.uuid4().hex}",
        provider=card_provider().code,
        note=note,
        requested_by=user,
    )
    claim.complete(attempt.pk)
    return attempt


def _payment_attempt_charge(attempt: PaymentAttempt, *, card_token: str) -> None:
    """Ask the provider to charge the attempt (no transaction, no lock), and record its answer.

    The attempt's key is sent every time, so asking again never charges twice.
    """
    try:
        reference = card_provider().charge(
            PaymentRequest(
                order_id=attempt.order_id,
                amount=attempt.amount,
                currency=attempt.currency,
                received_at=None,
                card_token=card_token,
                idempotency_key=attempt.idempotency_key,
            )
        )
    except PaymentDeclined as declined:
        payment_attempt_fail(attempt_id=attempt.pk, failure=str(declined))
        raise Refusal(str(declined)) from declined
    except PaymentInDoubt as doubt:
        payment_attempt_doubt(attempt_id=attempt.pk)
        raise _pending() from doubt
    payment_attempt_succeed(attempt_id=attempt.pk, reference=reference)


def _pending() -> PaymentPending:
    return PaymentPending(
        gettext(
            "The card payment is not confirmed yet. Do not pay again: it is settled as soon "
            "as the card provider answers, and sending the same request again (with the same "
            "Idempotency-Key) shows the result without charging twice."
        )
    )


def payment_attempt_succeed(*, attempt_id: int, reference: str) -> bool:
    """Record that the provider charged the attempt (once); return whether this changed it."""
    # A charge the provider confirms is money taken: it wins over an earlier "failed"
    # guess of the sweeper, and is never recorded twice.
    return bool(
        PaymentAttempt.objects.filter(pk=attempt_id)
        .exclude(status=PaymentAttempt.Status.SUCCEEDED)
        .update(
            status=PaymentAttempt.Status.SUCCEEDED,
            provider_reference=reference[:200],
            settled_at=clock.now(),
            updated_at=clock.now(),
        )
    )


def payment_attempt_fail(*, attempt_id: int, failure: str = "") -> bool:
    """Record that the provider did not charge the attempt; return whether this changed it."""
    return bool(
        PaymentAttempt.objects.filter(
            pk=attempt_id,
            status__in=(PaymentAttempt.Status.PENDING, PaymentAttempt.Status.IN_DOUBT),
        ).update(
            status=PaymentAttempt.Status.FAILED,
            failure=failure[:300],
            settled_at=clock.now(),
            updated_at=clock.now(),
        )
    )


def payment_attempt_doubt(*, attempt_id: int) -> bool:
    """Record that the provider's answer was lost: the sweeper or the webhook settles it."""
    return bool(
        PaymentAttempt.objects.filter(pk=attempt_id, status=PaymentAttempt.Status.PENDING).update(
            status=PaymentAttempt.Status.IN_DOUBT, updated_at=clock.now()
        )
    )


@transaction.atomic
def payment_attempt_post(*, attempt_id: int) -> Payment:
    """Post a succeeded attempt to the ledger, exactly once (checked under the order's lock)."""
    order_id = PaymentAttempt.objects.values_list("order_id", flat=True).get(pk=attempt_id)
    order = order_lock(order_id)
    attempt = payment_attempt_lock(attempt_id)
    if attempt.payment_id is not None:
        return attempt.payment
    if attempt.status == PaymentAttempt.Status.FAILED:
        raise Refusal(
            attempt.failure or gettext("The card was declined; try another card or a transfer.")
        )
    if attempt.status != PaymentAttempt.Status.SUCCEEDED:
        raise _pending()
    payment = payment_post_locked(
        order,
        user=attempt.requested_by,
        amount=attempt.amount,
        method=attempt.method,
        received_at=attempt.settled_at,
        provider=attempt.provider,
        reference=attempt.provider_reference,
        note=attempt.note,
    )
    attempt.payment = payment
    attempt.save(update_fields=["payment", "updated_at"])
    return payment


# --- Settling attempts left behind ----------------------------------------------------


def unsettled_attempt_ids(*, now: datetime.datetime | None = None, limit: int = 100) -> list[int]:
    """Return the attempts that need settling: confirmed but not posted, in doubt, or stale."""
    now = now or clock.now()
    return list(
        PaymentAttempt.objects.filter(payment__isnull=True)
        .filter(
            Q(status__in=(PaymentAttempt.Status.SUCCEEDED, PaymentAttempt.Status.IN_DOUBT))
            | Q(status=PaymentAttempt.Status.PENDING, updated_at__lt=now - PENDING_GRACE)
        )
        .order_by("updated_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def payment_attempt_settle(*, attempt_id: int, now: datetime.datetime | None = None) -> bool:
    """Settle one attempt: ask the provider (no lock held) if its answer is unknown, then
    post it if it was charged. Safe to run twice, or in two workers at once (the posting
    checks the attempt under the order's lock); return whether the attempt is posted."""
    now = now or clock.now()
    attempt = PaymentAttempt.objects.get(pk=attempt_id)
    if attempt.payment_id is not None:
        return True
    if attempt.status == PaymentAttempt.Status.FAILED:
        return False
    if attempt.status != PaymentAttempt.Status.SUCCEEDED:
        try:
            found = card_provider().lookup(attempt.idempotency_key)
        except PaymentInDoubt:
            return False  # the provider cannot tell yet: the next sweep asks again
        if found.status == ChargeLookup.Status.SUCCEEDED:
            payment_attempt_succeed(attempt_id=attempt.pk, reference=found.reference)
        elif found.status == ChargeLookup.Status.FAILED or attempt.created_at < now - UNKNOWN_AFTER:
            payment_attempt_fail(attempt_id=attempt.pk)
            return False
        else:
            return False
    payment_attempt_post(attempt_id=attempt.pk)
    return True


@transaction.atomic
def payment_attempt_settle_from_provider(
    *, idempotency_key: str, succeeded: bool, reference: str = "", failure: str = ""
) -> PaymentAttempt | None:
    """Settle the attempt a provider's (verified) webhook speaks of; None if unknown."""
    attempt = PaymentAttempt.objects.filter(idempotency_key=idempotency_key).first()
    if attempt is None:
        return None
    if succeeded:
        payment_attempt_succeed(attempt_id=attempt.pk, reference=reference)
        payment_attempt_post(attempt_id=attempt.pk)
    else:
        payment_attempt_fail(attempt_id=attempt.pk, failure=failure)
    attempt.refresh_from_db()
    return attempt
