"""The customer's money: invoice, payments split to the office and the team, faults, refunds.

The flow, in ledger postings (see `orders.services.ledger` for the accounts):

1. **Invoice.** The office issues one qualified invoice per order (numbered per network
   and year, with the network's registration number; consumption tax once for the
   document, as the estimate computed it). It raises the customer's receivable. A payment
   recorded before an invoice was issued issues it first.
2. **Payment.** The office records what the customer paid (bank transfer; a card goes
   through the configured provider, and the customer may pay by card too). A transfer's
   bank reference is recorded once per network. A card is charged from a payment attempt
   committed first with a stable idempotency key, with no lock held, and posted from the
   confirmed attempt exactly once (the sweeper or the provider's webhook settles attempts
   whose answer was lost). A payment
   can never exceed what is still owed. It is split at once (`allocation`): the office fee
   is the network's `office_fee_bps` of the whole payment, tax included, and the rest goes
   to the team by the shares or fixed amounts the firms confirmed, by largest remainder,
   so the parts sum exactly to the yen. Consumption tax is carried by everyone in
   proportion: each party's part includes its proportional part of the tax.
3. **Fault.** Damages are charged to the responsible member only: its payable is debited
   (going negative if it was owed less: a debt deducted from its later payouts), and the
   damages are held for the customer: paid back as a refund from damages, or set off
   against a payment the customer still owes (method `damages_setoff`).
4. **Refund.** A refund from the allocations takes back from every party in proportion
   to what it holds from the order (largest remainder), never more than was paid.

Payments need the team to be confirmed (the order in production or delivered), because
only then are the shares known and fixed. The order is completed when it is delivered
and nothing is owed.
"""

import datetime
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext

from core import access, clock
from core.bounds import MAX_AMOUNT, too_large_message
from core.errors import InvalidTransition, NotAllowed, Refusal
from core.idempotency import idempotency_claim
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.locks import order_lock, payment_attempt_lock
from orders.models import (
    Allocation,
    FaultClaim,
    Invoice,
    LedgerPosting,
    Order,
    Payment,
    PaymentAttempt,
    Refund,
    TeamMember,
)
from orders.payment_providers import (
    BankTransferProvider,
    ChargeLookup,
    PaymentDeclined,
    PaymentInDoubt,
    PaymentRequest,
    card_provider,
)
from orders.selectors import owed_on
from orders.services import ledger
from orders.services.allocation import AllocationPlan, allocate_payment, reverse_allocations
from orders.services.order_support import coordinators, order_context, order_link, yen
from orders.services.timeline import event_record

PAYABLE_STATUSES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERED)
CLAIMABLE_STATUSES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERED, Order.Status.COMPLETED)


def require_office(user: User, order: Order, refusal: str) -> None:
    if not access.is_office(user, order.network):
        raise NotAllowed(refusal)


def require_amount(amount: int) -> None:
    if amount < 1:
        raise ValidationError({"amount": [gettext("The amount is at least ¥1.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": [too_large_message()]})


def customer_name(user: User) -> str:
    return user.organization or user.get_full_name() or user.get_username()


# --- Invoice ----------------------------------------------------------------------------


def _invoice_issue_locked(order: Order, user: User) -> Invoice:
    """Issue the order's invoice and raise the receivable (order and network locked)."""
    network = order.network
    issued_at = clock.now()
    year = issued_at.astimezone(network.tzinfo).year
    prefix = f"INV-{year}-"
    sequence = Invoice.objects.filter(network=network, number__startswith=prefix).count() + 1
    estimate = order.estimate
    invoice = Invoice.objects.create(
        order=order,
        network=network,
        number=f"{prefix}{sequence:06d}",
        issued_at=issued_at,
        issuer_name=network.invoice_issuer_name or network.name_ja,
        issuer_address=network.invoice_issuer_address,
        registration_number=network.invoice_registration_number,
        customer_name=customer_name(order.customer),
        currency=order.currency,
        lines=[
            {
                "description": line.description,
                "work_package": line.work_package,
                "amount": line.amount,
                "tax_rate_bps": estimate.tax_rate_bps,
            }
            for line in estimate.lines.order_by("position", "id")
        ],
        subtotal=order.subtotal,
        tax_rate_bps=estimate.tax_rate_bps,
        tax=order.tax,
        total=order.total,
        issued_by=user,
    )
    lines = ledger.ledger_lines_invoice(order_id=order.pk, total=order.total)
    if lines:
        ledger.ledger_post(
            network=network,
            order=order,
            kind=LedgerPosting.Kind.INVOICE,
            reference=f"invoice:{invoice.pk}",
            lines=lines,
            actor=user,
            memo=invoice.number,
        )
    event_record(
        kind="invoice.issued",
        actor=user,
        order=order,
        data={"invoice": invoice.pk, "number": invoice.number, "total": invoice.total},
    )
    notifications_create(
        kind="invoice.issued",
        subject_type="invoice",
        subject_id=invoice.pk,
        recipients=[order.customer],
        context={
            **order_context(order),
            "number": invoice.number,
            "total": yen(invoice.total),
            "tax": yen(invoice.tax),
            "registration_number": invoice.registration_number or "-",
        },
        link=order_link(order),
    )
    return invoice


@transaction.atomic
def invoice_issue(*, order_id: int, user: User) -> Invoice:
    """Issue the order's qualified invoice (once), raising the customer's receivable."""
    order = order_lock(order_id)
    require_office(user, order, gettext("Only the network office issues invoices."))
    if Invoice.objects.filter(order=order).exists():
        raise InvalidTransition(gettext("This order's invoice is already issued."))
    if order.status in (Order.Status.TEAM_FORMING, Order.Status.CANCELLED):
        raise InvalidTransition(gettext("Invoice the order once its team is confirmed."))
    return _invoice_issue_locked(order, user)


# --- Payments ---------------------------------------------------------------------------


def team_weights(order: Order) -> list[tuple[int, int]]:
    """Return each team firm with its weight (share or fixed amount), in team order."""
    return [
        (part.firm_id, part.weight)
        for part in order.team_members.order_by("position", "id").only(
            "firm_id", "share_bps", "amount"
        )
    ]


class PaymentPending(Refusal):
    """The card provider's answer is not known yet; the attempt is settled later."""

    status_code = 409


class DuplicateBankReference(Refusal):
    """Another payment already carries this bank reference."""

    status_code = 409


def payment_record(
    *,
    order_id: int,
    user: User,
    amount: int,
    method: str,
    received_at: datetime.datetime | None = None,
    reference: str = "",
    note: str = "",
    card_token: str = "",
    idempotency_key: str = "",
) -> Payment:
    """Record the customer's payment and split it between the office fee and the team.

    A transfer (or damages set off) is recorded in one locked transaction. A card is
    charged in three steps, so that no lock is held while the provider answers and no
    charge is lost: the attempt is written with a stable key and committed, the provider
    is asked outside any transaction, and the confirmed attempt is posted exactly once.
    A retry with the same `idempotency_key` returns the first payment (or resumes the
    first attempt, never charging the card again).
    """
    if method != Payment.Method.CARD:
        return _payment_record_now(
            order_id=order_id,
            user=user,
            amount=amount,
            method=method,
            received_at=received_at,
            reference=reference,
            note=note,
            idempotency_key=idempotency_key,
        )
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


def _payment_request(order: Order, amount: int, method: str, **fields) -> dict:
    """Return what an Idempotency-Key on a payment stands for (its fingerprint's input)."""
    return {"order": order.pk, "amount": amount, "method": method, **fields}


def _payment_check(order: Order, user: User, method: str) -> bool:
    """Refuse a payment this person may not record; return whether they are the office."""
    office = access.is_office(user, order.network)
    paying_customer = user.pk == order.customer_id and method == Payment.Method.CARD
    if not (office or paying_customer):
        raise NotAllowed(
            gettext("The network office records payments; a customer may pay by card.")
        )
    return office


def _payable_check(order: Order, amount: int, *, reserved: int = 0) -> int:
    """Refuse an amount the order cannot take now; return what is still owed."""
    require_amount(amount)
    if order.status not in PAYABLE_STATUSES:
        if order.status == Order.Status.TEAM_FORMING:
            raise InvalidTransition(
                gettext(
                    "The team has not confirmed its shares yet, so a payment cannot be split; "
                    "record it once every member has confirmed its part."
                )
            )
        raise InvalidTransition(
            gettext("Order #%(number)s is %(status)s.")
            % {"number": order.pk, "status": order.get_status_display().lower()}
        )
    owed = owed_on(order)
    if amount > owed - reserved:
        if reserved:
            message = gettext(
                "%(amount)s is more than the %(owed)s still owed on this order, less the "
                "%(reserved)s of card payments still being confirmed."
            ) % {"amount": yen(amount), "owed": yen(owed), "reserved": yen(reserved)}
        else:
            message = gettext(
                "%(amount)s is more than the %(owed)s still owed on this order (total %(total)s)."
            ) % {"amount": yen(amount), "owed": yen(owed), "total": yen(order.total)}
        raise ValidationError({"amount": [message]})
    return owed


def _bank_reference_check(order: Order, reference: str) -> None:
    """Refuse a transfer whose bank reference another payment of the network carries."""
    if not reference:
        return
    earlier = Payment.objects.filter(
        network_id=order.network_id, method=Payment.Method.BANK_TRANSFER, reference=reference
    ).first()
    if earlier is not None:
        raise DuplicateBankReference(
            gettext(
                "Payment #%(payment)s (order #%(order)s, %(amount)s) already carries the bank "
                "reference “%(reference)s”: one transfer is recorded once. If this is another "
                "transfer, give its own reference."
            )
            % {
                "payment": earlier.pk,
                "order": earlier.order_id,
                "amount": yen(earlier.amount),
                "reference": reference,
            }
        )


@transaction.atomic
def _payment_record_now(
    *,
    order_id: int,
    user: User,
    amount: int,
    method: str,
    received_at: datetime.datetime | None,
    reference: str,
    note: str,
    idempotency_key: str,
) -> Payment:
    order = order_lock(order_id)
    office = _payment_check(order, user, method)
    claim = idempotency_claim(
        user=user,
        operation="order.payment",
        key=idempotency_key,
        request=_payment_request(
            order, amount, method, received_at=received_at, reference=reference, note=note
        ),
    )
    if claim.is_replay:
        return Payment.objects.get(pk=claim.earlier)
    reference = reference.strip()[:200]
    if method == Payment.Method.BANK_TRANSFER:
        _bank_reference_check(order, reference)
    _payable_check(order, amount)
    if method == Payment.Method.DAMAGES_SETOFF:
        if not office:
            raise NotAllowed(gettext("Only the network office sets damages off against a payment."))
        held = ledger.damages_held(order)
        if amount > held:
            raise ValidationError(
                {
                    "amount": [
                        gettext("Only %(held)s of fault damages is held for this customer.")
                        % {"held": yen(held)}
                    ]
                }
            )
        provider, received_at = "damages_setoff", received_at or clock.now()
    else:
        try:
            result = BankTransferProvider().collect(
                PaymentRequest(
                    order_id=order.pk,
                    amount=amount,
                    currency=order.currency,
                    received_at=received_at,
                    reference=reference,
                )
            )
        except PaymentDeclined as declined:
            raise Refusal(str(declined)) from declined
        provider, received_at = result.provider, result.received_at
    payment = _payment_post_locked(
        order,
        user=user,
        amount=amount,
        method=method,
        received_at=received_at,
        provider=provider,
        reference=reference,
        note=note,
    )
    claim.complete(payment.pk)
    return payment


# --- Card payments: attempt, charge (no lock), post -----------------------------------


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
    _payment_check(order, user, method)
    claim = idempotency_claim(
        user=user,
        operation="order.payment",
        key=idempotency_key,
        request=_payment_request(
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
    _payable_check(order, amount, reserved=reserved)
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
    payment = _payment_post_locked(
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


def _payment_post_locked(
    order: Order,
    *,
    user: User,
    amount: int,
    method: str,
    received_at: datetime.datetime,
    provider: str,
    reference: str,
    note: str,
) -> Payment:
    """Write the payment, its split and its ledger postings (order and network locked)."""
    owed = owed_on(order)
    if not Invoice.objects.filter(order=order).exists():
        _invoice_issue_locked(order, user)
    network = order.network
    payment = Payment.objects.create(
        order=order,
        network=network,
        amount=amount,
        currency=order.currency,
        method=method,
        received_at=received_at,
        provider=provider,
        reference=reference[:200],
        fee_bps=network.office_fee_bps,
        note=note,
        recorded_by=user,
    )
    ledger.ledger_post(
        network=network,
        order=order,
        kind=LedgerPosting.Kind.PAYMENT,
        reference=f"payment:{payment.pk}",
        lines=ledger.ledger_lines_payment(
            order_id=order.pk,
            amount=amount,
            from_damages=method == Payment.Method.DAMAGES_SETOFF,
        ),
        actor=user,
    )
    plan = allocate_payment(
        amount=amount, fee_bps=network.office_fee_bps, weights=team_weights(order)
    )
    _allocations_write(order, plan, payment=payment)
    ledger.ledger_post(
        network=network,
        order=order,
        kind=LedgerPosting.Kind.ALLOCATION,
        reference=f"payment:{payment.pk}",
        lines=ledger.ledger_lines_allocation(order_id=order.pk, plan=plan),
        actor=user,
    )
    still_owed = max(owed - amount, 0)
    event_record(
        kind="payment.recorded",
        actor=user,
        order=order,
        data={
            "payment": payment.pk,
            "amount": amount,
            "method": method,
            "owed": still_owed,
        },
    )
    event_record(
        kind="payment.allocated",
        actor=user,
        order=order,
        data={
            "payment": payment.pk,
            "fee": plan.fee,
            "members": {str(member.firm_id): member.net for member in plan.members},
        },
    )
    notifications_create(
        kind="payment.received",
        subject_type="payment",
        subject_id=payment.pk,
        recipients=[order.customer],
        context={**order_context(order), "amount": yen(amount), "owed": yen(still_owed)},
        link=order_link(order),
    )
    for member in plan.members:
        if member.net:
            # Each firm is told its own part only, so each gets its own notification.
            notifications_create(
                kind="payment.allocated",
                subject_type="payment",
                subject_id=payment.pk,
                recipients=firm_people([member.firm_id]),
                context={**order_context(order), "amount": yen(member.net)},
                link=order_link(order),
            )
    order_complete_if_settled(order=order, actor=user)
    return payment


def _allocations_write(
    order: Order,
    plan: AllocationPlan,
    *,
    payment: Payment | None = None,
    refund: Refund | None = None,
) -> None:
    sign = 1 if payment is not None else -1
    Allocation.objects.bulk_create(
        [
            Allocation(
                order=order,
                payment=payment,
                refund=refund,
                party=Allocation.Party.OFFICE_FEE,
                amount=sign * plan.fee,
                currency=order.currency,
            ),
            *(
                Allocation(
                    order=order,
                    payment=payment,
                    refund=refund,
                    party=Allocation.Party.MEMBER,
                    firm_id=member.firm_id,
                    amount=sign * member.net,
                    fee_withheld=sign * member.fee,
                    currency=order.currency,
                )
                for member in plan.members
            ),
        ]
    )


def order_complete_if_settled(*, order: Order, actor: User | None) -> bool:
    """Complete a delivered order once nothing is owed (in the caller's transaction)."""
    if order.status != Order.Status.DELIVERED or not Invoice.objects.filter(order=order).exists():
        return False
    if ledger.receivable_balance(order) > 0:
        return False
    order.status = Order.Status.COMPLETED
    order.completed_at = clock.now()
    order.save(update_fields=["status", "completed_at"])
    event_record(kind="order.completed", actor=actor, order=order, data={})
    notifications_create(
        kind="order.completed",
        subject_type="order",
        subject_id=order.pk,
        recipients=[order.customer, *coordinators(order)],
        context=order_context(order),
        link=order_link(order),
    )
    return True


# --- Faults and refunds -----------------------------------------------------------------


@transaction.atomic
def fault_claim_record(
    *, order_id: int, user: User, firm_id: int, amount: int, description: str
) -> FaultClaim:
    """Charge damages for a fault to the responsible team member, and nobody else."""
    order = order_lock(order_id)
    require_office(user, order, gettext("Only the network office records fault claims."))
    require_amount(amount)
    description = description.strip()
    if not description:
        raise ValidationError(
            {"description": [gettext("Describe the fault and how it was assessed.")]}
        )
    part = TeamMember.objects.filter(order=order, firm_id=firm_id).select_related("firm").first()
    if part is None:
        raise ValidationError(
            {
                "firm": [
                    gettext(
                        "Firm #%(firm)s is not in this order's team; damages are charged only "
                        "to the team member responsible for the fault."
                    )
                    % {"firm": firm_id}
                ]
            }
        )
    if order.status not in CLAIMABLE_STATUSES:
        raise InvalidTransition(gettext("Faults are claimed once the order is in production."))
    # Under the order's lock: two claims at once cannot both fit in what is left.
    limit = fault_claim_limit(order, firm_id)
    if amount > limit:
        raise ValidationError(
            {
                "amount": [
                    gettext(
                        "At most %(limit)s can be claimed from %(firm)s on this order: its part "
                        "of the order's total, less refunds and earlier fault claims."
                    )
                    % {"limit": yen(limit), "firm": part.firm.name}
                ]
            }
        )
    claim = FaultClaim.objects.create(
        order=order,
        network=order.network,
        firm_id=firm_id,
        amount=amount,
        currency=order.currency,
        description=description,
        claimed_by=user,
    )
    ledger.ledger_post(
        network=order.network,
        order=order,
        kind=LedgerPosting.Kind.FAULT,
        reference=f"fault_claim:{claim.pk}",
        lines=ledger.ledger_lines_fault(order_id=order.pk, firm_id=firm_id, amount=amount),
        actor=user,
        memo=description,
    )
    event_record(
        kind="fault.claimed",
        actor=user,
        order=order,
        data={"fault_claim": claim.pk, "firm": firm_id, "amount": amount},
    )
    notifications_create(
        kind="fault.claimed",
        subject_type="fault_claim",
        subject_id=claim.pk,
        recipients=firm_people([firm_id]),
        context={**order_context(order), "amount": yen(amount), "description": description},
        link=order_link(order),
    )
    return claim


def fault_claim_limit(order: Order, firm_id: int) -> int:
    """Return the most that can still be charged to a firm for faults on this order.

    That is what the firm is owed on the order: its part of the order's total (after the
    office fee, split by its confirmed share as a payment of the whole would be), less
    what refunds took back from it and the damages already charged to it on the order.
    A claim may still exceed the firm's balance at the moment (the order not yet paid,
    or paid out): the difference is a debt deducted from its later payouts.
    """
    plan = allocate_payment(
        amount=order.total, fee_bps=order.network.office_fee_bps, weights=team_weights(order)
    )
    part = sum(member.net for member in plan.members if member.firm_id == firm_id)
    taken_back = -(
        Allocation.objects.filter(order=order, firm_id=firm_id, refund__isnull=False).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    claimed = (
        FaultClaim.objects.filter(order=order, firm_id=firm_id).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    return max(0, part - taken_back - claimed)


def holdings(order: Order) -> tuple[int, dict[int, int], dict[int, int]]:
    """Return what the order's allocations still hold: the fee, members' nets and fees."""
    rows = (
        Allocation.objects.filter(order=order)
        .values("party", "firm_id")
        .annotate(net=Sum("amount"), fee=Sum("fee_withheld"))
    )
    fee_held, nets, fees = 0, {}, {}
    for row in rows:
        if row["party"] == Allocation.Party.OFFICE_FEE:
            fee_held = row["net"]
        else:
            nets[row["firm_id"]] = row["net"]
            fees[row["firm_id"]] = row["fee"]
    # Team order keeps the largest-remainder tie-breaks the same as for the payments.
    ordered = [firm_id for firm_id, _ in team_weights(order) if firm_id in nets]
    ordered += sorted(set(nets) - set(ordered))
    return fee_held, {f: nets[f] for f in ordered}, {f: fees[f] for f in ordered}


@transaction.atomic
def refund_issue(
    *, order_id: int, user: User, amount: int, reason: str, source: str = Refund.Source.ALLOCATIONS
) -> Refund:
    """Pay money back to the customer: from the parties' allocations, or from damages."""
    order = order_lock(order_id)
    require_office(user, order, gettext("Only the network office issues refunds."))
    require_amount(amount)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [gettext("Say why the customer is refunded.")]})
    if source == Refund.Source.DAMAGES:
        held = ledger.damages_held(order)
        if amount > held:
            raise ValidationError(
                {
                    "amount": [
                        gettext("Only %(held)s of fault damages is held for this customer.")
                        % {"held": yen(held)}
                    ]
                }
            )
        plan = None
        lines = ledger.ledger_lines_damages_refund(order_id=order.pk, amount=amount)
    else:
        fee_held, nets, fees = holdings(order)
        refundable = fee_held + sum(nets.values())
        if amount > refundable:
            raise ValidationError(
                {
                    "amount": [
                        gettext(
                            "Only %(refundable)s has been paid on this order (after earlier "
                            "refunds); a refund of %(amount)s is more than that."
                        )
                        % {"refundable": yen(refundable), "amount": yen(amount)}
                    ]
                }
            )
        plan = reverse_allocations(
            amount=amount, fee_held=fee_held, member_nets=nets, member_fees=fees
        )
        lines = ledger.ledger_lines_reversal(order_id=order.pk, plan=plan)
    refund = Refund.objects.create(
        order=order,
        network=order.network,
        amount=amount,
        currency=order.currency,
        source=source,
        reason=reason,
        recorded_by=user,
    )
    if plan is not None:
        _allocations_write(order, plan, refund=refund)
    ledger.ledger_post(
        network=order.network,
        order=order,
        kind=LedgerPosting.Kind.REFUND,
        reference=f"refund:{refund.pk}",
        lines=lines,
        actor=user,
        memo=reason,
    )
    event_record(
        kind="refund.issued",
        actor=user,
        order=order,
        data={"refund": refund.pk, "amount": amount, "source": source},
    )
    notifications_create(
        kind="refund.issued",
        subject_type="refund",
        subject_id=refund.pk,
        recipients=[order.customer],
        context={**order_context(order), "amount": yen(amount), "reason": reason},
        link=order_link(order),
    )
    return refund


# --- Settling card attempts left behind ----------------------------------------------

# A pending attempt younger than this may still be in its payer's request: leave it be.
PENDING_GRACE = datetime.timedelta(minutes=2)
# An attempt the provider has never heard of after this long never reached it.
UNKNOWN_AFTER = datetime.timedelta(minutes=30)


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
