"""How replayed rows are told apart, and why a replay is never removed but never doubled.

Marks
    Every replayed request carries the idempotency key `replay:<seed>:<number>` (the
    services store it, and it is unique per customer anyway), and every replayed customer
    is named `replay-<network slug>-<number>`. Orders, events, invitations, estimates,
    teams and money hang off those requests and customers, so they are told apart through
    them.

Why there is no --reset
    A replay's orders are paid, split and paid out: those rows are in the append-only
    ledger (payments, allocations, postings; a PostgreSQL trigger refuses deleting them),
    and a payout pays a member what it is owed across all of the network's orders, replayed
    or not. Deleting a replay would rewrite money history, which the ledger forbids. So a
    network is replayed at most once per database: `replay_exists` is checked first, and
    a second run refuses (or, with --if-empty, skips). Start again from a fresh database.

The outbox
    Replayed history must not be delivered (see `core.simulation`). After a replay,
    the e-mail, SMS and webhook notifications it wrote are deleted (they were never sent
    and never will be), and its in-app notifications older than a few days are marked
    read, as their recipients would have read them.
"""

import datetime

from django.db.models import F, QuerySet

from members.models import Network, Notification
from orders.models import RFQ

REPLAY_KEY_PREFIX = "replay:"
REPLAY_USERNAME_PREFIX = "replay-"
# In-app notifications of the replay's last days stay unread: the inbox looks alive.
UNREAD_RECENT_DAYS = 3


def replay_key(seed: int, index: int) -> str:
    """Return the idempotency key that marks replayed request number `index`."""
    return f"{REPLAY_KEY_PREFIX}{seed}:{index:05d}"


def replay_customer_username(slug: str, index: int) -> str:
    return f"{REPLAY_USERNAME_PREFIX}{slug}-{index:04d}"


def replayed_requests(network: Network) -> QuerySet[RFQ]:
    """Return the network's requests that a replay created."""
    return RFQ.objects.filter(network=network, idempotency_key__startswith=REPLAY_KEY_PREFIX)


def replay_exists(network: Network) -> bool:
    return replayed_requests(network).exists()


def outbox_settle(*, after_id: int, before: datetime.datetime) -> tuple[int, int]:
    """Drop the replay's undeliverable notifications and mark its old in-app ones read.

    `after_id` is the last notification id before the replay started and `before` the end
    of the replayed period: rows written by anyone else meanwhile carry a later time.
    Return (deleted, marked read).
    """
    replayed = Notification.objects.filter(pk__gt=after_id, created_at__lt=before)
    deleted, _ = (
        replayed.exclude(channel=Notification.Channel.IN_APP)
        .filter(status=Notification.Status.PENDING)
        .delete()
    )
    read_before = before - datetime.timedelta(days=UNREAD_RECENT_DAYS)
    marked = replayed.filter(
        channel=Notification.Channel.IN_APP, read_at__isnull=True, created_at__lt=read_before
    ).update(read_at=F("created_at"))
    return deleted, marked


def last_notification_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
