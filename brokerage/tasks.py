"""Celery tasks of the brokering engine: thin wrappers that call services, safe to rerun."""

import datetime
import logging
import time

from celery import shared_task
from django.db import OperationalError
from psycopg import errors as database_errors

from brokerage.services.deadlines import deadlines_fire_due
from brokerage.services.estimates import estimate_expire, estimate_ids_past_validity
from brokerage.services.intake import (
    RECEIVED_KINDS,
    rfq_route_submitted,
    submitted_request_ids,
)
from brokerage.services.platform import heartbeat_record
from members.tasks import deliver_notifications

logger = logging.getLogger(__name__)


@shared_task(name="brokerage.heartbeat")
def heartbeat(name: str = "worker") -> None:
    """Prove that a worker takes tasks from the broker (and, scheduled, that beat runs)."""
    heartbeat_record(name=name)


# A sweep stops starting batches after this long, leaving the rest to the next sweep,
# so that a sweep never outlives the beat interval by much.
SWEEP_TIME_BUDGET_SECONDS = 50


@shared_task(name="brokerage.sweep_deadlines")
def sweep_deadlines() -> int:
    """Fire every due deadline, batch by batch; return how many fired or were cancelled."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < SWEEP_TIME_BUDGET_SECONDS:
        try:
            claimed = deadlines_fire_due()
        except OperationalError as error:
            # A racing sweeper can make PostgreSQL pick this batch as a deadlock's victim.
            # The batch rolled back whole, so it is simply claimed again (by either sweeper).
            if not isinstance(error.__cause__, database_errors.DeadlockDetected):
                raise
            logger.warning("deadline batch lost a deadlock; claiming again")
            continue
        total += claimed
        if claimed == 0:
            break
    return total


# The task enqueued at submission routes a request within moments; the sweeper only
# takes what has waited longer than this (a broker outage, a lost task).
ROUTING_GRACE = datetime.timedelta(seconds=10)


@shared_task(name="brokerage.route_request")
def route_request(rfq_id: int) -> bool:
    """Route one submitted request and deliver the customer's acknowledgement.

    Safe to run twice: the second run finds it routed and nothing left to deliver. The
    acknowledgement is written with the request and rides on this task, so a submission
    sends one broker message, not two.
    """
    routed = rfq_route_submitted(rfq_id=rfq_id)
    for kind in RECEIVED_KINDS:
        deliver_notifications(kind=kind, subject_type="rfq", subject_id=rfq_id)
    return routed


@shared_task(name="brokerage.sweep_submitted_requests")
def sweep_submitted_requests() -> int:
    """Route the requests still waiting after the grace period; return how many."""
    return sum(
        rfq_route_submitted(rfq_id=rfq_id)
        for rfq_id in submitted_request_ids(older_than=ROUTING_GRACE)
    )


@shared_task(name="brokerage.expire_estimates")
def expire_estimates() -> int:
    """Expire the sent estimates past their validity, each in its own transaction; return
    how many. Safe to run twice: an estimate already expired is left as it is."""
    return sum(
        estimate_expire(estimate_id=estimate_id) for estimate_id in estimate_ids_past_validity()
    )
