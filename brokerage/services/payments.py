"""The customer's money: invoice, payments split to the office and the team, faults, refunds.

The flow, in ledger postings (see `brokerage.services.ledger` for the accounts):

1. **Invoice.** The office issues one qualified invoice per order (numbered per network
   and year, with the network's registration number; consumption tax once for the
   document, as the estimate computed it). It raises the customer's receivable. A payment
   recorded before an invoice was issued issues it first.
2. **Payment.** The office records what the customer paid (bank transfer; a card goes
   through the configured provider, and the customer may pay by card too). A payment
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
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from brokerage.errors import InvalidTransition, NotAllowed, WorkflowError
from brokerage.models import (
    Allocation,
    FaultClaim,
    Invoice,
    LedgerPosting,
    Payment,
    Refund,
    TeamMember,
)
from brokerage.payment_providers import PaymentDeclined, PaymentRequest, payment_provider
from brokerage.roles import firm_people
from brokerage.selectors_money import owed_on
from brokerage.services import ledger
from brokerage.services.allocation import AllocationPlan, allocate_payment, reverse_allocations
from brokerage.services.notifications import notifications_create
from brokerage.services.order_support import (
    coordinators,
    order_context,
    order_link,
    order_locked,
    yen,
)
from core import access
from members.bounds import MAX_AMOUNT, too_large_message
from members.models import User
from orders.models import Order
from orders.services import event_record

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
    issued_at = timezone.now()
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
    order = order_locked(order_id)
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


@transaction.atomic
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
) -> Payment:
    """Record the customer's payment and split it between the office fee and the team."""
    order = order_locked(order_id)
    office = access.is_office(user, order.network)
    paying_customer = user.pk == order.customer_id and method == Payment.Method.CARD
    if not (office or paying_customer):
        raise NotAllowed(
            gettext("The network office records payments; a customer may pay by card.")
        )
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
    if amount > owed:
        raise ValidationError(
            {
                "amount": [
                    gettext(
                        "%(amount)s is more than the %(owed)s still owed on this order "
                        "(total %(total)s)."
                    )
                    % {"amount": yen(amount), "owed": yen(owed), "total": yen(order.total)}
                ]
            }
        )
    from_damages = method == Payment.Method.DAMAGES_SETOFF
    if from_damages:
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
        provider, received_at = "damages_setoff", received_at or timezone.now()
    else:
        try:
            result = payment_provider(method).collect(
                PaymentRequest(
                    order_id=order.pk,
                    amount=amount,
                    currency=order.currency,
                    received_at=received_at,
                    reference=reference,
                    card_token=card_token,
                    idempotency_key=f"order-{order.pk}-{uuid.uuid4().hex}",
                )
            )
        except PaymentDeclined as declined:
            raise WorkflowError(str(declined)) from declined
        provider, reference, received_at = result.provider, result.reference, result.received_at

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
            order_id=order.pk, amount=amount, from_damages=from_damages
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
    still_owed = owed - amount
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
    order.completed_at = timezone.now()
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
    order = order_locked(order_id)
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
    order = order_locked(order_id)
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
