"""Row locks on requests, estimates, orders and their money, in one order every transaction takes.

Two transactions that lock the same rows in opposite orders wait for each other until
PostgreSQL kills one of them (a deadlock). Every write therefore takes its locks in this
order, skipping the ones it does not need; ``members.locks`` come first:

- Requests: ``rfq_lock`` → ``estimate_lock`` (which takes the request first), then the
  request's workflow rows in ``brokerage.locks`` (invitations, group proposals).
- Orders: ``members.locks.network_lock`` → ``order_lock`` (which takes the network
  first) → ``team_rows_lock`` / ``team_part_lock`` / ``team_part_of_firm_lock`` →
  ``delivery_lock`` → ``payment_attempt_lock``. Several team rows are locked together in
  primary-key order, so two steps that lock the same parts, named in any order, never
  wait for each other.
- Payouts: ``members.locks.network_lock`` → ``payout_batch_lock``.
- ``bank_account_lock`` is taken alone in its transaction.

A request and an order are never locked in one transaction.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from members.locks import network_lock
from members.models import Firm, Network
from orders.models import (
    RFQ,
    BankAccount,
    Delivery,
    Estimate,
    Order,
    PaymentAttempt,
    PayoutBatch,
    TeamMember,
)


def rfq_lock(rfq_id: int) -> RFQ:
    """Lock a request, so that racing workflow steps on it run one after the other."""
    rfq = (
        RFQ.objects.select_for_update(of=("self",))
        .select_related("network", "customer")
        .filter(pk=rfq_id)
        .first()
    )
    if rfq is None:
        raise InvalidTransition(_("This request does not exist."))
    return rfq


def rfq_submitted_lock(rfq_id: int) -> RFQ | None:
    """Lock a request if it is still submitted (not routed yet); None otherwise."""
    return (
        RFQ.objects.select_for_update(of=("self",))
        .select_related("network", "customer")
        .filter(pk=rfq_id, status=RFQ.Status.SUBMITTED)
        .first()
    )


def estimate_lock(estimate_id: int) -> tuple[Estimate, RFQ]:
    """Lock an estimate after its request; return both."""
    estimate = Estimate.objects.filter(pk=estimate_id).first()
    if estimate is None:
        raise InvalidTransition(_("This estimate does not exist."))
    rfq = rfq_lock(estimate.rfq_id)
    return Estimate.objects.select_for_update().get(pk=estimate_id), rfq


def order_lock(order_id: int) -> Order:
    """Lock an order after its network's row.

    Every money step locks the network first, then the order: the payout of a network's
    members and a payment on one of its orders then run one after the other, so a balance
    read to decide is still the balance when it is written.
    """
    network_id = Order.objects.filter(pk=order_id).values_list("network_id", flat=True).first()
    if network_id is None:
        raise InvalidTransition(_("This order does not exist."))
    network_lock(network_id)
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("network", "rfq", "customer", "leader_firm")
        .get(pk=order_id)
    )


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


def bank_account_lock(*, firm: Firm | None, network: Network | None) -> BankAccount | None:
    """Lock the account a firm is paid to or a network pays from, if it has one."""
    owner = Q(firm=firm) if firm is not None else Q(network=network)
    return BankAccount.objects.select_for_update().filter(owner).first()
