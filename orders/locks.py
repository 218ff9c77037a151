"""Row locks on requests, estimates and orders, in the one order every transaction takes them.

Two transactions that lock the same rows in opposite orders wait for each other until
PostgreSQL kills one of them (a deadlock). Every write therefore takes its locks in this
order, skipping the ones it does not need:

- Requests: ``rfq_lock`` → ``estimate_lock`` (which takes the request first), then the
  request's workflow rows in ``brokerage.locks`` (invitations, group proposals).
- Orders: ``members.locks.network_lock`` → ``order_lock`` (which takes the network
  first), then the order's team, delivery and payment rows in ``brokerage.locks``.

A request and an order are never locked in one transaction.
"""

from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from members.locks import network_lock
from orders.models import RFQ, Estimate, Order


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
