"""Celery tasks of notifications: deliver what the outbox holds; safe to rerun.

A delivery whose provider failed is tried again by Celery when its backoff ends (30 s,
1 min, 2 min … as `notification_deliver` records it on the row); the outbox sweeper on
beat is the safety net if that retry is lost. Delivery claims the row, so a retry and the
sweeper racing for it send it once.
"""

import logging

from celery import shared_task

from members.notifications import (
    notification_deliver,
    notification_retry_at,
    pending_notification_ids,
)

logger = logging.getLogger(__name__)


@shared_task(name="members.deliver_notifications")
def deliver_notifications(kind: str, subject_type: str, subject_id: int) -> int:
    """Deliver the pending notifications of one event; return how many were sent."""
    ids = pending_notification_ids(kind=kind, subject_type=subject_type, subject_id=subject_id)
    sent = 0
    for pk in ids:
        if notification_deliver(notification_id=pk):
            sent += 1
        else:
            retry_when_due(pk)
    return sent


@shared_task(bind=True, name="members.deliver_notification", max_retries=None)
def deliver_notification(self, notification_id: int) -> bool:
    """Deliver one notification; if its provider failed, retry when its backoff ends."""
    if notification_deliver(notification_id=notification_id):
        return True
    retry_at = notification_retry_at(notification_id=notification_id)
    if retry_at is None:
        # Sent by someone else, given up on, or due now and claimed by another worker.
        return False
    raise self.retry(eta=retry_at)


def retry_when_due(notification_id: int) -> None:
    retry_at = notification_retry_at(notification_id=notification_id)
    if retry_at is None:
        return
    try:
        deliver_notification.apply_async((notification_id,), eta=retry_at, retry=False)
    except Exception as error:  # noqa: BLE001 - the sweeper retries it when the broker is back
        logger.warning("notification %s waits for the sweeper: %s", notification_id, error)


@shared_task(name="members.sweep_notifications")
def sweep_notifications() -> int:
    """Deliver whatever waits in the outbox: after a broker outage, or a retry falling due."""
    return sum(notification_deliver(notification_id=pk) for pk in pending_notification_ids())
