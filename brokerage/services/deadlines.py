"""A request's deadlines: written at submission from the network's clock, cancelled when
the request moves on. Firing them is the sweeper's job."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from brokerage.clock import clock_for
from brokerage.errors import WorkflowError
from brokerage.models import Deadline, Invitation
from brokerage.roles import firm_people, office_people
from brokerage.services.notifications import notifications_create
from brokerage.services.workflow_support import rfq_context, rfq_link
from orders.models import RFQ
from orders.services import event_record

logger = logging.getLogger(__name__)


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


def deadlines_fire_due(*, now: datetime.datetime | None = None, batch_size: int = 200) -> int:
    """Fire one batch of due deadlines, each exactly once; return how many were claimed.

    Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so racing sweepers take
    disjoint batches; marking a deadline fired and writing what it causes (events,
    notifications, an urgent designation) commit together, so a sweeper killed midway
    leaves its batch unfired for the next sweep, and nothing is done twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lte=now, fired_at__isnull=True, cancelled_at__isnull=True)
            .select_related("rfq", "rfq__network", "rfq__customer")
            .order_by("due_at", "id")[:batch_size]
        )
        for deadline in due:
            deadline_fire(deadline=deadline, now=now)
    return len(due)


def deadline_fire(*, deadline: Deadline, now: datetime.datetime) -> None:
    """Do what a claimed deadline means, in the sweeper's transaction."""
    rfq = deadline.rfq
    if rfq.status not in RFQ.OPEN_STATUSES:
        # The request moved on without cancelling this one: it must never fire.
        Deadline.objects.filter(pk=deadline.pk).update(cancelled_at=now)
        return
    Deadline.objects.filter(pk=deadline.pk).update(fired_at=now)
    lateness = (now - deadline.due_at).total_seconds()
    try:
        with transaction.atomic():
            data = DEADLINE_EFFECTS[deadline.kind](rfq)
    except Exception as error:
        logger.exception("deadline %s of request %s failed", deadline.kind, rfq.pk)
        data = {"error": f"{error.__class__.__name__}: {error}"}
        notifications_create(
            kind="deadline.failed",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=office_people(rfq.network),
            context={**rfq_context(rfq), "deadline": deadline.kind},
            link=rfq_link(rfq),
            urgent=True,
        )
    event_record(
        kind=f"deadline.{deadline.kind}",
        actor=None,
        rfq=rfq,
        data={"due_at": deadline.due_at.isoformat(), "late_seconds": round(lateness), **data},
    )


def unanswered_invitations(rfq: RFQ):
    return rfq.invitations.filter(status__in=Invitation.UNANSWERED)


def member_response_due(rfq: RFQ) -> dict:
    """The members' answer window closed: mark silence, chase it, tell the office."""
    silent = list(unanswered_invitations(rfq).values_list("firm_id", flat=True))
    unanswered_invitations(rfq).update(status=Invitation.Status.NO_RESPONSE)
    context = {**rfq_context(rfq), "count": len(silent)}
    notifications_create(
        kind="deadline.answer_overdue",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=firm_people(silent),
        context=context,
        link=rfq_link(rfq),
        urgent=True,
    )
    if silent:
        notifications_create(
            kind="deadline.answers_missing_office",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=office_people(rfq.network),
            context=context,
            link=rfq_link(rfq),
        )
    return {"no_response": silent}


def reminder_due(rfq: RFQ) -> dict:
    """The estimate is due soon: remind whoever still has to act."""
    silent = list(
        rfq.invitations.filter(
            status__in=[*Invitation.UNANSWERED, Invitation.Status.NO_RESPONSE]
        ).values_list("firm_id", flat=True)
    )
    acting = set(silent)
    if rfq.leader_firm_id:
        acting.add(rfq.leader_firm_id)
    context = {**rfq_context(rfq), "minutes": rfq.network.reminder_before_minutes}
    notifications_create(
        kind="deadline.reminder",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[*firm_people(acting), *office_people(rfq.network)],
        context=context,
        link=rfq_link(rfq),
        urgent=True,
    )
    return {"reminded": sorted(acting)}


def estimate_due(rfq: RFQ) -> dict:
    """The estimate window is breached: alert the office everywhere, act, tell the customer."""
    context = rfq_context(rfq)
    notifications_create(
        kind="deadline.estimate_breached",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=office_people(rfq.network),
        context=context,
        link=rfq_link(rfq),
        urgent=True,
    )
    designated = None
    if rfq.network.designate_on_breach and rfq.leader_firm_id is None:
        designated = designate_best_can_do(rfq)
    notifications_create(
        kind="deadline.estimate_late_customer",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[rfq.customer],
        context=context,
        link=rfq_link(rfq),
    )
    return {"designated": designated}


def designate_best_can_do(rfq: RFQ) -> int | None:
    """Designate the best-ranked 'can do' member on the office's urgent authority."""
    from brokerage.services.designation import leader_designate

    for firm_id in (
        rfq.invitations.filter(status=Invitation.Status.CAN_DO)
        .order_by("rank", "id")
        .values_list("firm_id", flat=True)
    ):
        try:
            leader_designate(
                rfq_id=rfq.pk, firm_id=firm_id, reason=RFQ.LeaderReason.URGENT, user=None
            )
        except WorkflowError:
            continue
        return firm_id
    return None


DEADLINE_EFFECTS = {
    Deadline.Kind.MEMBER_RESPONSE: member_response_due,
    Deadline.Kind.REMINDER: reminder_due,
    Deadline.Kind.ESTIMATE: estimate_due,
}
