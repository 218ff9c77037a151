"""Reads of orders, teams and money, scoped to what the asking person may see.

Who sees what of an order
    customer   their own orders: progress (work packages without firms or shares),
               deliveries, invoice, their payments and refunds, and the timeline's
               customer-facing steps
    office     every order of its networks, with everything, including the allocations
    leader     the orders its firm leads: the whole team with shares, deliveries
    member     the orders its firm has a part in: its own part only, the team's schedule
               (who does which package when, without anybody's share), its own deliveries
               and fault claims
Staff (the platform's operators) read like an office.

Statements
    One per (network, member firm): what the firm earned from which orders (before and
    after the office fee), the damages charged to it, what was paid out, and the balance
    the network still owes it. A member firm's people see only their firm's; an office
    sees its networks' firms'. Each page takes a constant number of queries.

What waits on the customer
    The deliveries of their own orders whose receipt they have not confirmed, and the
    invoices on which they still owe something (brokerage.selectors adds the estimates and
    proposals): a query each, however many there are.

Threads
    A request's messages as core.access.messages_readable scopes them, and how many of
    them each person has not read yet (written by someone else after their read marker);
    an order's threads are its request's messages of the order's audiences, their
    attachments served to whom may read the message.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from core.access import MONEY_ROLES, OFFICE_ROLES
from members.models import Membership, User
from orders.models import (
    ORDER_THREADS,
    REQUEST_THREADS,
    RFQ,
    Allocation,
    BankAccount,
    Delivery,
    Event,
    FaultClaim,
    InspectionDocument,
    Invoice,
    LedgerEntry,
    Message,
    MessageAttachment,
    Order,
    Payment,
    PayoutBatch,
    PayoutLine,
    Refund,
    TeamMember,
    ThreadRead,
)
from orders.services import ledger

# --- Orders -----------------------------------------------------------------------------


def order_list_for_user(user: User) -> QuerySet[Order]:
    """Return the orders a person may see: their own, their office's, their firm's."""
    orders = Order.objects.select_related("network", "rfq", "leader_firm")
    viewer = access.viewer_of(user)
    if not viewer.authenticated:
        return orders.none()
    if viewer.is_staff:
        return orders
    visible = Q(customer=user)
    if viewer.firm_id is not None:
        in_team = TeamMember.objects.filter(order=OuterRef("pk"), firm_id=viewer.firm_id)
        visible |= Q(network_id__in=viewer.office_network_ids)
        visible |= Q(leader_firm_id=viewer.firm_id) | Q(Exists(in_team))
    return orders.filter(visible)


def order_get_for_user(user: User, order_id: int) -> Order:
    """Return one visible order, or 404 whether it is absent or someone else's."""
    order = order_list_for_user(user).filter(pk=order_id).first()
    if order is None:
        raise Http404("No such order.")
    return order


def team_list_for_order(user: User, order: Order) -> QuerySet[TeamMember]:
    """Office and leader see every part; a member firm only its own; the customer none."""
    parts = TeamMember.objects.filter(order=order).select_related("firm").order_by("position", "id")
    role = access.order_role(user, order)
    if access.sees_whole_team(role):
        return parts
    if role == access.MEMBER:
        return parts.filter(firm_id=access.viewer_of(user).firm_id)
    return parts.none()


def schedule_for_order(order: Order) -> QuerySet[TeamMember]:
    """Return every work package with its dates; serializers leave out shares and firms."""
    return TeamMember.objects.filter(order=order).select_related("firm").order_by("position", "id")


def team_and_schedule_for_order(
    user: User, order: Order
) -> tuple[list[TeamMember], list[TeamMember]]:
    """Return the team the person may see (as `team_list_for_order`) and the whole schedule.

    Both are the order's parts, so they are read once: a detail page or answer that needs
    both would otherwise read the same rows twice.
    """
    schedule = list(schedule_for_order(order))
    role = access.order_role(user, order)
    if access.sees_whole_team(role):
        return schedule, schedule
    if role == access.MEMBER:
        firm_id = access.viewer_of(user).firm_id
        return [part for part in schedule if part.firm_id == firm_id], schedule
    return [], schedule


def delivery_list_for_order(user: User, order: Order) -> QuerySet[Delivery]:
    """A member firm sees the deliveries it shipped; everyone else who sees the order, all."""
    deliveries = (
        Delivery.objects.filter(order=order)
        .select_related("firm")
        .prefetch_related(
            Prefetch("documents", queryset=InspectionDocument.objects.order_by("uploaded_at", "id"))
        )
        .order_by("shipped_at", "id")
    )
    if access.order_role(user, order) == access.MEMBER:
        return deliveries.filter(firm_id=access.viewer_of(user).firm_id)
    return deliveries


def inspection_document_get(user: User, order: Order, document_id: int) -> InspectionDocument:
    """Return a document of a delivery the person may see, or 404."""
    document = (
        InspectionDocument.objects.filter(
            pk=document_id, delivery__in=delivery_list_for_order(user, order)
        )
        .select_related("delivery")
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


def allocation_list_for_order(order: Order) -> QuerySet[Allocation]:
    """Return every allocation of the order (office only: the caller checks the role)."""
    return Allocation.objects.filter(order=order).select_related("firm").order_by("id")


def payment_list_for_order(user: User, order: Order) -> QuerySet[Payment]:
    """The customer, the office and the leader see the payments; other team firms do not."""
    if access.order_role(user, order) in MONEY_ROLES:
        return Payment.objects.filter(order=order).order_by("received_at", "id")
    return Payment.objects.none()


def refund_list_for_order(user: User, order: Order) -> QuerySet[Refund]:
    if access.order_role(user, order) in MONEY_ROLES:
        return Refund.objects.filter(order=order).order_by("recorded_at", "id")
    return Refund.objects.none()


def fault_claim_list_for_order(user: User, order: Order) -> QuerySet[FaultClaim]:
    """The office sees every fault claim; a team firm those charged to it."""
    claims = FaultClaim.objects.filter(order=order).select_related("firm").order_by("id")
    role = access.order_role(user, order)
    if role in OFFICE_ROLES:
        return claims
    firm_id = access.viewer_of(user).firm_id
    if role in (access.MEMBER, access.LEADER) and firm_id is not None:
        return claims.filter(firm_id=firm_id)
    return claims.none()


def invoice_for_order(user: User, order: Order) -> Invoice | None:
    if access.order_role(user, order) in MONEY_ROLES:
        return Invoice.objects.filter(order=order).first()
    return None


def invoice_payee_account(user: User, order: Order) -> BankAccount | None:
    """Return the account the order's invoice is paid into: its network's, which the office
    sets. Those who read the invoice (the customer, the office, the leader) read it."""
    if access.order_role(user, order) not in MONEY_ROLES:
        return None
    return BankAccount.objects.filter(network_id=order.network_id).first()


def event_list_for_order(user: User, order: Order) -> QuerySet[Event]:
    """Return the order's timeline as the person may see it (core.access decides)."""
    events = Event.objects.filter(order=order).select_related("actor").order_by("at", "id")
    return access.order_events_visible(user, order, events)


def owed_on(order: Order) -> int:
    """Return what the customer still owes: the whole total until the invoice is issued."""
    if not Invoice.objects.filter(order=order).exists():
        return order.total
    return ledger.receivable_balance(order)


def money_summary(order: Order) -> dict:
    """Return the order's totals: paid, refunded, still owed, damages held."""
    paid = Payment.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or 0
    refunded = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or 0
    # Both balances in one read of the order's ledger (as `owed_on` and `ledger.damages_held`
    # compute them one account at a time).
    balances = LedgerEntry.objects.filter(order=order).aggregate(
        receivable=account_balance(LedgerEntry.Account.CUSTOMER_RECEIVABLE),
        damages=account_balance(LedgerEntry.Account.FAULT_DAMAGES),
    )
    invoiced = Invoice.objects.filter(order=order).exists()
    return {
        "currency": order.currency,
        "total": order.total,
        "paid": paid,
        "refunded": refunded,
        "owed": balances["receivable"] if invoiced else order.total,
        "damages_held": -balances["damages"],
    }


def account_balance(account: str) -> Coalesce:
    """Debits minus credits of one account, as an aggregate over ledger entries."""
    return Coalesce(Sum(ledger.SIGNED_AMOUNT, filter=Q(account=account)), Value(0))


def statement_memberships(
    user: User, *, network_slug: str | None = None, firm_id: int | None = None
) -> QuerySet[Membership]:
    """Return the (network, firm) pairs whose statements the person may see."""
    memberships = (
        Membership.objects.exclude(role=Membership.Role.OFFICE)
        .select_related("network", "firm")
        .order_by("network__slug", "firm_id")
    )
    viewer = access.viewer_of(user)
    if not viewer.authenticated:
        return memberships.none()
    if not viewer.is_staff:
        visible = Q(network_id__in=viewer.office_network_ids)
        if viewer.firm_id is not None:
            visible |= Q(firm_id=viewer.firm_id)
        memberships = memberships.filter(visible)
    if network_slug:
        memberships = memberships.filter(network__slug=network_slug)
    if firm_id:
        memberships = memberships.filter(firm_id=firm_id)
    return memberships


def statements_for(memberships: list[Membership]) -> list[dict]:
    """Return the statements of a page of memberships, in five queries whatever its size."""
    if not memberships:
        return []
    firm_ids = {membership.firm_id for membership in memberships}
    network_ids = {membership.network_id for membership in memberships}
    scope = Q(firm_id__in=firm_ids, order__network_id__in=network_ids)

    per_order: dict[tuple[int, int], dict[int, dict]] = defaultdict(dict)

    def order_entry(network_id: int, firm_id: int, order_id: int, title: str) -> dict:
        return per_order[(network_id, firm_id)].setdefault(
            order_id,
            {
                "order": order_id,
                "title": title,
                "gross": 0,
                "fees": 0,
                "earned": 0,
                "deductions": 0,
            },
        )

    allocations = (
        Allocation.objects.filter(scope, party=Allocation.Party.MEMBER)
        .values("order__network_id", "firm_id", "order_id", "order__rfq__title")
        .annotate(net=Sum("amount"), fee=Sum("fee_withheld"))
    )
    for row in allocations:
        entry = order_entry(
            row["order__network_id"], row["firm_id"], row["order_id"], row["order__rfq__title"]
        )
        entry["earned"] += row["net"]
        entry["fees"] += row["fee"]
        entry["gross"] += row["net"] + row["fee"]
    claims = (
        FaultClaim.objects.filter(scope)
        .values("order__network_id", "firm_id", "order_id", "order__rfq__title")
        .annotate(total=Sum("amount"))
    )
    for row in claims:
        entry = order_entry(
            row["order__network_id"], row["firm_id"], row["order_id"], row["order__rfq__title"]
        )
        entry["deductions"] += row["total"]

    payouts: dict[tuple[int, int], list[dict]] = defaultdict(list)
    lines = (
        PayoutLine.objects.filter(
            firm_id__in=firm_ids,
            batch__network_id__in=network_ids,
            batch__status=PayoutBatch.Status.CLOSED,
        )
        .select_related("batch")
        .order_by("batch__closed_at", "id")
    )
    for line in lines:
        payouts[(line.batch.network_id, line.firm_id)].append(
            {
                "batch": line.batch_id,
                "transfer_date": line.batch.transfer_date,
                "amount": line.amount,
            }
        )

    balances = {
        (row["network_id"], row["firm_id"]): -row["balance"]
        for row in LedgerEntry.objects.filter(
            account=LedgerEntry.Account.MEMBER_PAYABLE,
            firm_id__in=firm_ids,
            network_id__in=network_ids,
        )
        .values("network_id", "firm_id")
        .annotate(balance=Sum(ledger.SIGNED_AMOUNT))
    }

    statements = []
    for membership in memberships:
        key = (membership.network_id, membership.firm_id)
        orders = sorted(per_order.get(key, {}).values(), key=lambda entry: entry["order"])
        paid = payouts.get(key, [])
        statements.append(
            {
                "network": membership.network.slug,
                "firm": membership.firm_id,
                "firm_name": membership.firm.name,
                "currency": "JPY",
                "gross": sum(entry["gross"] for entry in orders),
                "fees": sum(entry["fees"] for entry in orders),
                "earned": sum(entry["earned"] for entry in orders),
                "deductions": sum(entry["deductions"] for entry in orders),
                "paid_out": sum(payout["amount"] for payout in paid),
                "balance": balances.get(key, 0),
                "orders": orders,
                "payouts": paid,
            }
        )
    return statements


# --- What waits on the customer ----------------------------------------------------------


@dataclass(frozen=True)
class ActionNeeded:
    """One thing that waits on the customer: what to do, on what, by when, and where.

    The brokering steps (an estimate to accept, proposals to choose from) are gathered in
    brokerage.selectors; the order's (a delivery to confirm, an invoice to pay) here.
    """

    ESTIMATE = "estimate"
    PROPOSALS = "proposals"
    DELIVERY = "delivery"
    INVOICE = "invoice"
    KINDS = (ESTIMATE, PROPOSALS, DELIVERY, INVOICE)

    kind: str
    # What to do, in the reader's language, and the page where it is done.
    what: str
    link: str
    # The request's title and network, and what the step is about within it.
    title: str
    network: str
    detail: str
    rfq_id: int
    order_id: int | None
    # The estimate, request, delivery or invoice the step is on.
    subject_id: int
    # The money at stake, tax included (what an estimate or invoice asks).
    amount: int | None
    currency: str
    due_on: datetime.date | None
    since: datetime.datetime

    def sort_key(self) -> tuple:
        """The soonest due first; then what has waited longest."""
        return (self.due_on is None, self.due_on or datetime.date.max, self.since)


def deliveries_awaiting_receipt(user: User) -> QuerySet[Delivery]:
    """Return the deliveries of the person's own orders whose receipt they have not confirmed."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(order__customer_id=user.pk, received_at__isnull=True)
        .exclude(order__status=Order.Status.CANCELLED)
        .select_related("order__rfq", "order__network")
        .order_by("shipped_at", "id")
    )


def invoices_awaiting_payment(user: User) -> QuerySet[Invoice]:
    """Return the invoices of the person's own orders on which something is still owed.

    What is owed is the order's receivable in the ledger, read in the same query.
    """
    if not user.is_authenticated:
        return Invoice.objects.none()
    receivable = (
        LedgerEntry.objects.filter(
            order_id=OuterRef("order_id"), account=LedgerEntry.Account.CUSTOMER_RECEIVABLE
        )
        .order_by()
        .values("order_id")
        .annotate(balance=Sum(ledger.SIGNED_AMOUNT))
        .values("balance")
    )
    return (
        Invoice.objects.filter(order__customer_id=user.pk)
        .exclude(order__status=Order.Status.CANCELLED)
        .annotate(
            owed=Coalesce(
                Subquery(receivable, output_field=BigIntegerField()),
                Value(0),
                output_field=BigIntegerField(),
            )
        )
        .filter(owed__gt=0)
        .select_related("order__rfq", "network")
        .order_by("due_on", "id")
    )


def order_actions_for_customer(user: User) -> list[ActionNeeded]:
    """Return the deliveries to confirm and the invoices to pay of the person's orders."""
    actions = [
        ActionNeeded(
            kind=ActionNeeded.DELIVERY,
            what=_("Confirm that you received the delivery"),
            link=reverse("pages:order", args=[delivery.order_id]) + "#deliveries",
            title=delivery.order.rfq.title,
            network=delivery.order.network.name,
            detail=delivery.description,
            rfq_id=delivery.order.rfq_id,
            order_id=delivery.order_id,
            subject_id=delivery.pk,
            amount=None,
            currency=delivery.order.currency,
            due_on=None,
            since=delivery.shipped_at,
        )
        for delivery in deliveries_awaiting_receipt(user)
    ]
    actions += [
        ActionNeeded(
            kind=ActionNeeded.INVOICE,
            what=_("Pay the invoice"),
            link=reverse("pages:order-invoice", args=[invoice.order_id]),
            title=invoice.order.rfq.title,
            network=invoice.network.name,
            detail=invoice.number,
            rfq_id=invoice.order.rfq_id,
            order_id=invoice.order_id,
            subject_id=invoice.pk,
            amount=invoice.owed,
            currency=invoice.currency,
            due_on=invoice.due_on,
            since=invoice.issued_at,
        )
        for invoice in invoices_awaiting_payment(user)
    ]
    return sorted(actions, key=ActionNeeded.sort_key)


# --- Payouts ----------------------------------------------------------------------------


def payout_batch_list_for_user(user: User) -> QuerySet[PayoutBatch]:
    """Return the payout batches of the networks whose office the person works for."""
    batches = PayoutBatch.objects.select_related("network").prefetch_related(
        Prefetch("lines", queryset=PayoutLine.objects.select_related("firm").order_by("firm_id"))
    )
    viewer = access.viewer_of(user)
    if not viewer.authenticated:
        return batches.none()
    if viewer.is_staff:
        return batches
    return batches.filter(network_id__in=viewer.office_network_ids)


def payout_batch_get_for_user(user: User, batch_id: int) -> PayoutBatch:
    batch = payout_batch_list_for_user(user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such payout batch.")
    return batch


# --- Threads ----------------------------------------------------------------------------


def message_list_for_rfq(user: User, rfq: RFQ, audiences: Iterable[str]) -> QuerySet[Message]:
    """Return the messages of these threads of a request that the person may read, in order.

    Each carries `is_new`: someone else wrote it after the person last read its thread.
    """
    read_up_to = ThreadRead.objects.filter(
        user_id=user.pk, rfq_id=rfq.pk, audience=OuterRef("audience")
    ).values("last_read_message_id")[:1]
    unread = Q(pk__gt=Coalesce(Subquery(read_up_to), Value(0))) & ~Q(author_id=user.pk)
    return (
        Message.objects.filter(rfq=rfq, audience__in=list(audiences))
        .filter(access.messages_readable(user))
        .select_related("author", "author__firm")
        .prefetch_related("attachments")
        .annotate(is_new=ExpressionWrapper(unread, output_field=BooleanField()))
        .order_by("at", "id")
    )


def unread_message_count(
    user: User, *, rfq: str = "pk", audiences: Iterable[str] = REQUEST_THREADS
) -> Subquery:
    """Return, as an annotation, how many messages of a request the person has not read.

    `rfq` names the outer query's field holding the request ("pk" on requests, "rfq_id"
    on invitations, "rfq_id" on orders with the order's threads as `audiences`). The
    person's own messages are never unread. A subquery, evaluated for the rows of a page
    only, keeps a list at one query whatever its length.
    """
    read_up_to = ThreadRead.objects.filter(
        user_id=user.pk, rfq_id=OuterRef("rfq_id"), audience=OuterRef("audience")
    ).values("last_read_message_id")[:1]
    unread = (
        Message.objects.filter(rfq_id=OuterRef(rfq), audience__in=list(audiences))
        .filter(access.messages_readable(user))
        .exclude(author_id=user.pk)
        .filter(pk__gt=Coalesce(Subquery(read_up_to), Value(0)))
        .order_by()
        # COUNT as a plain function: one row, without the GROUP BY Django adds to aggregates.
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return Subquery(unread, output_field=IntegerField())


def newest_message_ids(
    user: User, rfq: RFQ, audiences: Iterable[str] = REQUEST_THREADS
) -> dict[str, int]:
    """Return the newest message the person may read on each of these threads of a request."""
    rows = (
        Message.objects.filter(rfq=rfq, audience__in=list(audiences))
        .filter(access.messages_readable(user))
        .values("audience")
        .annotate(newest=Max("pk"))
        .order_by()
    )
    return {row["audience"]: row["newest"] for row in rows}


def message_attachment_get(
    user: User, order: Order, message_id: int, attachment_id: int
) -> MessageAttachment:
    """Return an attachment of a message on the order's threads the person may read, or 404."""
    message = (
        Message.objects.filter(rfq_id=order.rfq_id, pk=message_id, audience__in=ORDER_THREADS)
        .filter(access.messages_readable(user))
        .first()
    )
    attachment = message.attachments.filter(pk=attachment_id).first() if message else None
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment
