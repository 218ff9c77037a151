"""The customer's money on an order: invoice, payments, faults, refunds.

The steps the office (and a customer paying by card) take, in ledger postings (see
`orders.services.ledger` for the accounts):

1. **Invoice.** The office issues one qualified invoice per order (numbered per network
   and year, with the network's registration number; consumption tax once for the
   document, as the estimate computed it). It raises the customer's receivable. A payment
   recorded before an invoice was issued issues it first.
2. **Payment.** The office records what the customer paid (bank transfer; a card goes
   through the configured provider, and the customer may pay by card too). A transfer's
   bank reference is recorded once per network. A card is charged with no lock held and
   posted exactly once (`card_payments`). A payment can never exceed what is still owed.
   It is split at once (`payment_posting`, `allocation`): the office fee is the network's
   `office_fee_bps` of the whole payment, tax included, and the rest goes to the team by
   the shares or fixed amounts the firms confirmed, by largest remainder, so the parts
   sum exactly to the yen. Consumption tax is carried by everyone in proportion: each
   party's part includes its proportional part of the tax.
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

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from core import access, clock
from core.errors import InvalidTransition, NotAllowed, Refusal, RefusalKind
from core.idempotency import idempotency_claim
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.locks import order_lock
from orders.models import (
    Allocation,
    FaultClaim,
    Invoice,
    LedgerPosting,
    Order,
    Payment,
    Refund,
    TeamMember,
)
from orders.payment_providers import BankTransferProvider, PaymentDeclined, PaymentRequest
from orders.services import ledger
from orders.services.allocation import allocate_payment, reverse_allocations
from orders.services.card_payments import card_payment_record
from orders.services.order_support import order_context, order_link, yen
from orders.services.payment_posting import (
    allocations_write,
    invoice_issue_locked,
    payable_check,
    payment_check,
    payment_idempotency_request,
    payment_post_locked,
    require_amount,
    team_weights,
)
from orders.services.timeline import event_record

CLAIMABLE_STATUSES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERED, Order.Status.COMPLETED)


def require_office(user: User, order: Order, refusal: str) -> None:
    if not access.is_office(user, order.network):
        raise NotAllowed(refusal)


# --- Invoice ----------------------------------------------------------------------------


@transaction.atomic
def invoice_issue(*, order_id: int, user: User) -> Invoice:
    """Issue the order's qualified invoice (once), raising the customer's receivable."""
    order = order_lock(order_id)
    require_office(user, order, gettext("Only the network office issues invoices."))
    if Invoice.objects.filter(order=order).exists():
        raise InvalidTransition(gettext("This order's invoice is already issued."))
    if order.status in (Order.Status.TEAM_FORMING, Order.Status.CANCELLED):
        raise InvalidTransition(gettext("Invoice the order once its team is confirmed."))
    return invoice_issue_locked(order, user)


# --- Payments ---------------------------------------------------------------------------


class DuplicateBankReference(Refusal):
    """Another payment already carries this bank reference."""

    kind = RefusalKind.CONFLICT


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
    charged in three steps (`card_payments`), so that no lock is held while the provider
    answers and no charge is lost. A retry with the same `idempotency_key` returns the
    first payment (or resumes the first attempt, never charging the card again).
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
    return card_payment_record(
        order_id=order_id,
        user=user,
        amount=amount,
        note=note,
        card_token=card_token,
        idempotency_key=idempotency_key,
    )


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
    office = payment_check(order, user, method)
    claim = idempotency_claim(
        user=user,
        operation="order.payment",
        key=idempotency_key,
        request=payment_idempotency_request(
            order, amount, method, received_at=received_at, reference=reference, note=note
        ),
    )
    if claim.is_replay:
        return Payment.objects.get(pk=claim.earlier)
    reference = reference.strip()[:200]
    if method == Payment.Method.BANK_TRANSFER:
        _bank_reference_check(order, reference)
    payable_check(order, amount)
    if method == Payment.Method.DAMAGES_SETOFF:
        if not office:
            raise NotAllowed(gettext("Only the network office sets damages off against a payment."))
        held = ledger.damages_held(order)
        if amount > held:
            raise Refusal(
                gettext("Only %(held)s of fault damages is held for this customer.")
                % {"held": yen(held)},
                field="amount",
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
    payment = payment_post_locked(
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
        raise Refusal(gettext("Describe the fault and how it was assessed."), field="description")
    part = TeamMember.objects.filter(order=order, firm_id=firm_id).select_related("firm").first()
    if part is None:
        raise Refusal(
            gettext(
                "Firm #%(firm)s is not in this order's team; damages are charged only "
                "to the team member responsible for the fault."
            )
            % {"firm": firm_id},
            field="firm",
        )
    if order.status not in CLAIMABLE_STATUSES:
        raise InvalidTransition(gettext("Faults are claimed once the order is in production."))
    # Under the order's lock: two claims at once cannot both fit in what is left.
    limit = fault_claim_limit(order, firm_id)
    if amount > limit:
        raise Refusal(
            gettext(
                "At most %(limit)s can be claimed from %(firm)s on this order: its part "
                "of the order's total, less refunds and earlier fault claims."
            )
            % {"limit": yen(limit), "firm": part.firm.name},
            field="amount",
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
        raise Refusal(gettext("Say why the customer is refunded."), field="reason")
    if source == Refund.Source.DAMAGES:
        held = ledger.damages_held(order)
        if amount > held:
            raise Refusal(
                gettext("Only %(held)s of fault damages is held for this customer.")
                % {"held": yen(held)},
                field="amount",
            )
        plan = None
        lines = ledger.ledger_lines_damages_refund(order_id=order.pk, amount=amount)
    else:
        fee_held, nets, fees = holdings(order)
        refundable = fee_held + sum(nets.values())
        if amount > refundable:
            raise Refusal(
                gettext(
                    "Only %(refundable)s has been paid on this order (after earlier "
                    "refunds); a refund of %(amount)s is more than that."
                )
                % {"refundable": yen(refundable), "amount": yen(amount)},
                field="amount",
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
        allocations_write(order, plan, refund=refund)
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
