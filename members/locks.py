"""Row locks on networks, memberships and firms, in the one order every transaction takes them.

Two transactions that lock the same rows in opposite orders wait for each other until
PostgreSQL kills one of them (a deadlock). Every write therefore takes its locks through
these functions and in this order, skipping the ones it does not need:

1. ``network_lock`` — the network's row. Every money step on an order and every payout
   of a network's members starts here (``orders.locks.order_lock`` takes it first), so
   the payout of a network and a payment on one of its orders run one after the other.
2. ``membership_lock`` / ``membership_of_lock`` — one firm's membership of a network.
3. ``firm_lock`` — a firm's row, the writer's token for editing its capability profile.

``notification_pending_claim`` claims one pending notification with ``SKIP LOCKED``, alone in
its transaction, so two delivering workers never wait for each other.

Locks on rows of apps to the right (orders, brokerage) come after these: see
``orders.locks`` and ``brokerage.locks``.
"""

from core import clock
from members.models import Firm, Membership, Network, Notification


def network_lock(network_id: int) -> Network | None:
    """Lock a network's row (first of all locks); None if there is no such network."""
    return Network.objects.select_for_update().filter(pk=network_id).first()


def membership_lock(membership_id: int) -> Membership:
    """Lock one membership, with its network and firm (not locked) loaded."""
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("network", "firm")
        .get(pk=membership_id)
    )


def membership_of_lock(*, network: Network, firm: Firm) -> Membership | None:
    """Lock a firm's membership of a network, if it has one."""
    return Membership.objects.select_for_update().filter(network=network, firm=firm).first()


def firm_lock(firm_id: int) -> None:
    """Lock a firm's row, so that one writer at a time edits the firm's profile."""
    Firm.objects.select_for_update().filter(pk=firm_id).values_list("pk").first()


def notification_pending_claim(notification_id: int) -> Notification | None:
    """Claim a pending notification that is due; None if sent, failed, not yet due (a retry
    waiting out its backoff, a notice held for quiet hours) or claimed by another worker."""
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient", "firm")
        .filter(pk=notification_id, status=Notification.Status.PENDING)
        .exclude(next_attempt_at__gt=clock.now())
        .first()
    )
