"""The in-app inbox: a person marks their own notifications as read."""

from collections.abc import Iterable

from django.db import transaction

from brokerage.selectors import notification_inbox
from core import clock
from members.models import User


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread in-app notifications as read (all, or the given ones)."""
    unread = notification_inbox(user).filter(read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=clock.now())
