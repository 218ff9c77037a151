"""A request's deadlines: written at submission from the network's clock, cancelled when
the request moves on. Firing them is the sweeper's job."""

import datetime

from django.utils import timezone

from brokerage.clock import clock_for
from brokerage.models import Deadline
from orders.models import RFQ


def deadline_times(rfq: RFQ, submitted_at: datetime.datetime) -> dict[str, datetime.datetime]:
    """Return when each of a request's deadlines falls, on its network's clock."""
    network = rfq.network
    clock = clock_for(network)
    window = network.estimate_window_minutes
    return {
        Deadline.Kind.MEMBER_RESPONSE: clock.add(submitted_at, network.member_response_minutes),
        Deadline.Kind.REMINDER: clock.add(
            submitted_at, max(window - network.reminder_before_minutes, 0)
        ),
        Deadline.Kind.ESTIMATE: clock.add(submitted_at, window),
    }


def deadlines_create(*, rfq: RFQ, times: dict[str, datetime.datetime]) -> None:
    """Store a request's deadlines (in the caller's transaction); never twice."""
    Deadline.objects.bulk_create(
        [Deadline(rfq=rfq, kind=kind, due_at=due_at) for kind, due_at in times.items()],
        ignore_conflicts=True,
    )


def deadlines_cancel(*, rfq: RFQ, kinds: list[str] | None = None) -> int:
    """Cancel a request's unfired deadlines (all, or the given kinds)."""
    pending = Deadline.objects.filter(rfq=rfq, fired_at__isnull=True, cancelled_at__isnull=True)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(cancelled_at=timezone.now())
