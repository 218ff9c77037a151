"""Taking a payment in: the checks every payment passes, and what a received payment writes.

A payment arrives two ways: a transfer (or damages set off) that the office records
(`payments.payment_record`), and a card charge posted from its confirmed attempt
(`card_payments`). Both are checked here the same way: the person may record it, the
team has confirmed its shares (the order is in production or delivered, so the split is
known and fixed), and the amount fits in what is still owed. Both are written here the
same way, under the order's lock: the invoice first if none was issued yet, the payment,
its split (`allocation`: the office fee, then each team firm's part by largest
remainder), the ledger postings and the notices; and the order is completed once it is
delivered and nothing is owed.
"""

import datetime

from django.utils.translation import gettext

from core import access, clock
from core.bounds import MAX_AMOUNT, too_large_message
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import User
from members.notifications import notifications_create
from members.selectors import firm_people
from orders.models import Allocation, Invoice, LedgerPosting, Order, Payment, Refund
from orders.selectors import owed_on
from orders.services import ledger
from orders.services.allocation import AllocationPlan, allocate_payment
from orders.services.order_support import coordinators, order_context, order_link, yen
from orders.services.timeline import event_record

PAYABLE_STATUSES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERED)


def require_amount(amount: int) -> None:
    if amount < 1:
        raise Refusal(gettext("The amount is at least ¥1."), field="amount")
    if amount > MAX_AMOUNT:
        raise Refusal(too_large_message(), field="amount")


# --- Invoice ----------------------------------------------------------------------------


def customer_name(user: User) -> str:
    return user.organization or user.get_full_name() or user.get_username()


def invoice_issue_locked(order: Order, user: User) -> Invoice:
    """Issue the order's invoice and raise the receivable (order and network locked)."""
    network = order.network
    issued_at = clock.now()
    issued_on = issued_at.astimezone(network.tzinfo).date()
    year = issued_on.year
    prefix = f"INV-{year}-"
    sequence = Invoice.objects.filter(network=network, number__startswith=prefix).count() + 1
    estimate = order.estimate
    invoice = Invoice.objects.create(
        order=order,
        network=network,
        number=f"{prefix}{sequence:06d}",
        issued_at=issued_at,
        due_on=issued_on + datetime.timedelta(days=network.invoice_payment_days),
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


# --- Checks -----------------------------------------------------------------------------


def payment_idempotency_request(order: Order, amount: int, method: str, **fields) -> dict:
    """Return what an Idempotency-Key on a payment stands for (its fingerprint's input)."""
    return {"order": order.pk, "amount": amount, "method": method, **fields}


def payment_check(order: Order, user: User, method: str) -> bool:
    """Refuse a payment this person may not record; return whether they are the office."""
    office = access.is_office(user, order.network)
    paying_customer = user.pk == order.customer_id and method == Payment.Method.CARD
    if not (office or paying_customer):
        raise NotAllowed(
            gettext("The network office records payments; a customer may pay by card.")
        )
    return office


def payable_check(order: Order, amount: int, *, reserved: int = 0) -> int:
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
        raise Refusal(message, field="amount")
    return owed


# --- Posting ----------------------------------------------------------------------------


def team_weights(order: Order) -> list[tuple[int, int]]:
    """Return each team firm with its weight (share or fixed amount), in team order."""
    return [
        (part.firm_id, part.weight)
        for part in order.team_members.order_by("position", "id").only(
            "firm_id", "share_bps", "amount"
        )
    ]


def payment_post_locked(
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
        invoice_issue_locked(order, user)
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
    allocations_write(order, plan, payment=payment)
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


def allocations_write(
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
