"""Celery tasks of notifications: deliver what the outbox holds; safe to rerun."""

from celery import shared_task

from members.notifications import notification_deliver, pending_notification_ids


@shared_task(name="members.deliver_notifications")
def deliver_notifications(kind: str, subject_type: str, subject_id: int) -> int:
    """Deliver the pending notifications of one event; return how many were sent."""
    ids = pending_notification_ids(kind=kind, subject_type=subject_type, subject_id=subject_id)
    return sum(notification_deliver(notification_id=pk) for pk in ids)


@shared_task(name="members.sweep_notifications")
def sweep_notifications() -> int:
    """Deliver whatever waits in the outbox: after a broker outage, or a retry falling due."""
    return sum(notification_deliver(notification_id=pk) for pk in pending_notification_ids())
