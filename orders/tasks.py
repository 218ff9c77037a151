"""Celery tasks of an order: settle card payments left in doubt, make drawing previews;
safe to rerun."""

import logging

from celery import shared_task

from orders.services import previews
from orders.services.card_payments import payment_attempt_settle, unsettled_attempt_ids

logger = logging.getLogger(__name__)


@shared_task(name="orders.settle_payment_attempts")
def settle_payment_attempts() -> int:
    """Settle card attempts left in doubt or unposted; return how many are now posted.

    Safe to run twice or in two workers: each attempt is posted at most once.
    """
    posted = 0
    for attempt_id in unsettled_attempt_ids():
        try:
            posted += payment_attempt_settle(attempt_id=attempt_id)
        except Exception:
            # One attempt that cannot be posted now must not keep the others waiting;
            # it stays unsettled and the next sweep tries it again.
            logger.exception("payment attempt %s could not be settled", attempt_id)
    return posted


@shared_task(name="orders.drawing_preview_make", soft_time_limit=60, time_limit=90)
def drawing_preview_make(drawing_id: int) -> str | None:
    """Make a drawing's preview images; safe to run twice (one preview is kept)."""
    preview = previews.drawing_preview_make(drawing_id=drawing_id)
    return preview.status if preview else None


@shared_task(name="orders.sweep_drawing_previews")
def sweep_drawing_previews() -> int:
    """Send again the preview tasks of drawings still without a preview."""
    return previews.drawing_previews_resend()
