"""Rodan21's consultation: interview the customer, hold a planning meeting, pick phases.

The planning meeting's firms are a later round of invitations: their answer window and
reminder run from when the meeting is first announced to them."""

import datetime

from django.db import transaction
from django.utils.translation import gettext

from brokerage.models import Deadline, Interview, Invitation, PhaseAssignment, PlanningMeeting
from brokerage.policies import ConsultationPolicy, policy_for
from brokerage.services.deadlines import stage_keep
from brokerage.services.intake import invitation_round_send, invitations_announce
from brokerage.services.workflow_support import (
    invitation_next_round,
    require_status,
    rfq_context,
    rfq_link,
)
from core import access, clock
from core.errors import NotAllowed, Refusal
from members.models import User
from members.notifications import notifications_create
from orders.locks import rfq_lock
from orders.models import RFQ
from orders.services.timeline import event_record


def consultation_office(rfq: RFQ, user: User) -> ConsultationPolicy:
    # Who may comes first: someone refused learns nothing about the network's rules.
    if access.rfq_acting_role(user, rfq) != "office":
        raise NotAllowed(
            gettext("Only the network office arranges interviews and planning meetings.")
        )
    policy = policy_for(rfq.network)
    if not isinstance(policy, ConsultationPolicy):
        raise Refusal(gettext("This network does not hold interviews and planning meetings."))
    return policy


def local_time(rfq: RFQ, moment: datetime.datetime) -> str:
    return moment.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z")


@transaction.atomic
def interview_schedule(
    *, rfq_id: int, user: User, scheduled_at: datetime.datetime, place: str = ""
) -> Interview:
    """Schedule (or move) the face-to-face interview with the customer."""
    rfq = rfq_lock(rfq_id)
    consultation_office(rfq, user)
    require_status(rfq, RFQ.Status.INTERVIEW, action=gettext("schedule the interview"))
    interview, _ = Interview.objects.update_or_create(
        rfq=rfq, defaults={"scheduled_at": scheduled_at, "place": place.strip()}
    )
    event_record(
        kind="interview.scheduled",
        actor=user,
        rfq=rfq,
        data={"at": scheduled_at.isoformat(), "place": interview.place},
    )
    notifications_create(
        kind="rfq.interview_scheduled",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[rfq.customer],
        context={**rfq_context(rfq), "when": local_time(rfq, scheduled_at), "place": place},
        link=rfq_link(rfq),
    )
    return interview


@transaction.atomic
def interview_record(*, rfq_id: int, user: User, notes: str) -> Interview:
    """Record the interview's notes and move the request on to planning."""
    rfq = rfq_lock(rfq_id)
    policy = consultation_office(rfq, user)
    require_status(rfq, RFQ.Status.INTERVIEW, action=gettext("record the interview"))
    interview = Interview.objects.filter(rfq=rfq).first()
    if interview is None:
        raise Refusal(gettext("Schedule the interview before recording it."))
    if not notes.strip():
        raise Refusal(gettext("Write down what the customer said in the interview."))
    interview.notes = notes.strip()
    interview.held_at = clock.now()
    interview.recorded_by = user
    interview.save(update_fields=["notes", "held_at", "recorded_by"])
    rows = policy.planning_invitations(rfq)
    round_number = invitation_next_round(rfq)
    Invitation.objects.bulk_create(
        [
            Invitation(
                rfq=rfq,
                firm_id=firm_id,
                purpose=purpose,
                rank=rank,
                reason=reason,
                round=round_number,
            )
            for firm_id, purpose, rank, reason in rows
        ]
    )
    rfq.status = RFQ.Status.PLANNING
    rfq.save(update_fields=["status", "updated_at"])
    stage_keep(rfq=rfq, stage_code=Deadline.Stage.INTERVIEW, at=interview.held_at)
    event_record(
        kind="interview.recorded",
        actor=user,
        rfq=rfq,
        data={
            "planning_invited": [
                {"firm": firm_id, "rank": rank, "reason": reason}
                for firm_id, _, rank, reason in rows
            ]
        },
    )
    return interview


@transaction.atomic
def planning_schedule(
    *, rfq_id: int, user: User, scheduled_at: datetime.datetime, place: str = ""
) -> PlanningMeeting:
    """Schedule the planning meeting and invite its firms."""
    rfq = rfq_lock(rfq_id)
    consultation_office(rfq, user)
    require_status(rfq, RFQ.Status.PLANNING, action=gettext("schedule the planning meeting"))
    meeting, _ = PlanningMeeting.objects.update_or_create(
        rfq=rfq, defaults={"scheduled_at": scheduled_at, "place": place.strip()}
    )
    event_record(
        kind="planning.scheduled",
        actor=user,
        rfq=rfq,
        data={"at": scheduled_at.isoformat(), "place": meeting.place},
    )
    planners = list(
        rfq.invitations.filter(purpose=Invitation.Purpose.PLANNING).values_list("firm_id", "round")
    )
    round_number = max((round_number for _, round_number in planners), default=None)
    if round_number is not None:
        invitation_round_send(rfq=rfq, round_number=round_number)
        invitations_announce(
            rfq=rfq,
            firm_ids=[firm_id for firm_id, _ in planners],
            kind="rfq.planning_invited",
            extra={"when": local_time(rfq, scheduled_at), "place": meeting.place},
            round_number=round_number,
        )
    return meeting


@transaction.atomic
def phases_select(
    *, rfq_id: int, user: User, firms_by_phase: dict[str, int], notes: str = ""
) -> list[PhaseAssignment]:
    """Select the firm for each phase, from the planning meeting's firms."""
    rfq = rfq_lock(rfq_id)
    consultation_office(rfq, user)
    require_status(rfq, RFQ.Status.PLANNING, action=gettext("select firms for the phases"))
    if not firms_by_phase:
        raise Refusal(gettext("Select a firm for at least one phase."))
    unknown_phases = set(firms_by_phase) - set(PhaseAssignment.Phase.values)
    if unknown_phases:
        raise Refusal(
            gettext("Unknown phases: %(phases)s.") % {"phases": ", ".join(sorted(unknown_phases))}
        )
    planners = set(
        rfq.invitations.filter(purpose=Invitation.Purpose.PLANNING).values_list(
            "firm_id", flat=True
        )
    )
    outsiders = sorted(set(firms_by_phase.values()) - planners)
    if outsiders:
        raise Refusal(gettext("Phases go to firms of the planning meeting only."))
    PhaseAssignment.objects.filter(rfq=rfq).delete()
    assignments = PhaseAssignment.objects.bulk_create(
        [
            PhaseAssignment(rfq=rfq, phase=phase, firm_id=firm_id)
            for phase, firm_id in sorted(
                firms_by_phase.items(), key=lambda item: PhaseAssignment.Phase.values.index(item[0])
            )
        ]
    )
    PlanningMeeting.objects.filter(rfq=rfq, held_at__isnull=True).update(
        held_at=clock.now(), notes=notes.strip()
    )
    stage_keep(rfq=rfq, stage_code=Deadline.Stage.PLANNING, at=clock.now())
    event_record(kind="phases.selected", actor=user, rfq=rfq, data={"phases": firms_by_phase})
    return assignments
