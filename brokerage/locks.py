"""Row locks on the workflow and money rows that live in brokerage, in one order.

Two transactions that lock the same rows in opposite orders wait for each other until
PostgreSQL kills one of them (a deadlock). Every write therefore takes its locks through
these functions, in this order, skipping the ones it does not need; the locks of the
apps to the left come first (``members.locks``, then ``orders.locks``):

- An order's rows: network → order (``orders.locks.order_lock``) → ``team_rows_lock`` /
  ``team_part_lock`` / ``team_part_of_firm_lock`` → ``delivery_lock`` →
  ``payment_attempt_lock``. Several team rows are locked together in primary-key order,
  so two steps that lock the same parts, named in any order, never wait for each other.
- Payouts: network (``members.locks.network_lock``) → ``payout_batch_lock``.
- A request's rows: request (``orders.locks.rfq_lock``) → ``group_proposal_lock``.
  ``invitation_lock`` is taken alone (an invitation opened); an answer is written
  under the request's lock.
- ``bank_account_lock`` and ``notification_pending_claim`` are taken alone in their
  transactions.

Sweepers claim many rows with ``SKIP LOCKED`` instead of waiting, so they cannot
deadlock: ``brokerage.services.deadlines.deadlines_fire`` claims a batch of due deadlines
with its own query, taking no other lock before it.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from brokerage.models import (
    BankAccount,
    Delivery,
    GroupProposal,
    Invitation,
    Notification,
    PaymentAttempt,
    PayoutBatch,
    TeamMember,
)
from core.errors import InvalidTransition
from members.models import Firm, Network
from orders.models import Order


def team_rows_lock(*, order: Order, part_ids: list[int] | None = None) -> list[TeamMember]:
    """Lock an order's team rows (all, or the parts named), in primary-key order."""
    parts = TeamMember.objects.filter(order=order)
    if part_ids is not None:
        parts = parts.filter(pk__in=part_ids)
    return list(parts.select_for_update().order_by("pk"))


def team_part_lock(*, order: Order, part_id: int) -> TeamMember | None:
    """Lock one part (work package) of the order's team, with its firm (not locked)."""
    return (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("firm")
        .filter(pk=part_id, order=order)
        .first()
    )


def team_part_of_firm_lock(*, order: Order, firm_id: int | None) -> TeamMember | None:
    """Lock the firm's part in the order's team, if it has one."""
    return TeamMember.objects.select_for_update().filter(order=order, firm_id=firm_id).first()


def delivery_lock(*, order: Order, delivery_id: int) -> Delivery:
    """Lock one of the order's deliveries."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, order=order).first()
    if delivery is None:
        raise InvalidTransition(_("This order has no such delivery."))
    return delivery


def payment_attempt_lock(attempt_id: int) -> PaymentAttempt:
    """Lock a payment attempt (after its order), with its payment and requester loaded."""
    return (
        PaymentAttempt.objects.select_for_update(of=("self",))
        .select_related("requested_by", "payment")
        .get(pk=attempt_id)
    )


def payout_batch_lock(batch_id: int) -> PayoutBatch:
    """Lock a payout batch (after its network)."""
    return PayoutBatch.objects.select_for_update().get(pk=batch_id)


def invitation_lock(invitation_id: int) -> Invitation | None:
    """Lock an invitation, with its request, network and firm (not locked) loaded."""
    return (
        Invitation.objects.select_related("rfq", "rfq__network", "firm")
        .select_for_update(of=("self",))
        .filter(pk=invitation_id)
        .first()
    )


def group_proposal_lock(proposal_id: int) -> GroupProposal:
    """Lock a group's proposal (after its request)."""
    return GroupProposal.objects.select_for_update().get(pk=proposal_id)


def bank_account_lock(*, firm: Firm | None, network: Network | None) -> BankAccount | None:
    """Lock the account a firm is paid to or a network pays from, if it has one."""
    owner = Q(firm=firm) if firm is not None else Q(network=network)
    return BankAccount.objects.select_for_update().filter(owner).first()


def notification_pending_claim(notification_id: int) -> Notification | None:
    """Claim a pending notification for delivery; None if sent or claimed by another worker."""
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient", "firm")
        .filter(pk=notification_id, status=Notification.Status.PENDING)
        .first()
    )
