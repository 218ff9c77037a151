"""A request's deadlines: written at submission from the network's clock, and fired by
the sweeper when due. Each workflow step that moves the request on cancels the ones it
makes moot (`workflow_support.deadlines_cancel`): the sweeper drives those steps (an
urgent designation), so they cannot depend on this module.

The routing's invitations (round 1) are due a member window after the submission. A later
round of invitations (the members a board's acceptance invites, a planning meeting's
firms) gets its own answer window and reminder, counted from when that round is sent;
each round's silent firms are marked and chased on their own round's time."""

import collections
import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Subquery

from brokerage import reasons
from brokerage.models import Deadline, Invitation
from brokerage.policies import Stage, policy_for
from brokerage.reasons import reason_said_to_each
from brokerage.services.designation import leader_designate
from brokerage.services.workflow_support import deadlines_cancel, rfq_context, rfq_link
from core import clock
from core.clock import BusinessHoursClock, clock_for
from core.errors import Refusal
from members.models import Membership, Notification, User
from members.notifications import notification_rows, notifications_create_many
from members.selectors import office_people
from orders.models import RFQ, Event
from orders.services.timeline import event_record

logger = logging.getLogger(__name__)


def first_stage(rfq: RFQ) -> Stage:
    return policy_for(rfq.network).stages[0]


def stage_deadline_times(
    rfq: RFQ, stage: Stage, started_at: datetime.datetime
) -> dict[str, datetime.datetime]:
    """Return when a stage's promise falls due and its reminder, on the network's clock.

    A window in minutes is reminded the network's reminder lead before it is due; one in
    business days, a business day before (never in the first half of the window).
    """
    network = rfq.network
    network_clock = clock_for(network)
    window = stage.window_minutes(network, network_clock.working_day_minutes)
    if stage.unit == Stage.BUSINESS_DAYS:
        reminder = max(window - network_clock.working_day_minutes, window // 2)
    else:
        reminder = max(window - network.reminder_before_minutes, 0)
    return {
        Deadline.Kind.REMINDER: network_clock.add(started_at, reminder),
        Deadline.Kind.ESTIMATE: network_clock.add(started_at, window),
    }


def deadline_times(rfq: RFQ, submitted_at: datetime.datetime) -> dict[str, datetime.datetime]:
    """Return when each of a request's deadlines at submission falls, on its network's
    clock: its first stage's promise and reminder, and, when the routing asks members for
    their answers straight away (the first promise is the estimate), their answers'."""
    stage = first_stage(rfq)
    times = stage_deadline_times(rfq, stage, submitted_at)
    if stage.code == Deadline.Stage.ESTIMATE:
        times[Deadline.Kind.MEMBER_RESPONSE] = clock_for(rfq.network).add(
            submitted_at, rfq.network.member_response_minutes
        )
    return times


def stage_keep(*, rfq: RFQ, stage_code: str, at: datetime.datetime) -> Stage | None:
    """The request kept its `stage_code` promise at `at` (in the caller's transaction, the
    request locked): that stage's pending deadlines are moot, and the next stage's promise
    starts now. Keeping a stage twice starts nothing twice. Return the next stage."""
    policy = policy_for(rfq.network)
    Deadline.objects.filter(
        rfq=rfq,
        round=1,
        stage=stage_code,
        kind__in=[Deadline.Kind.REMINDER, Deadline.Kind.ESTIMATE],
        fired_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(cancelled_at=at)
    following = policy.next_stage(stage_code)
    started = Deadline.objects.filter(rfq=rfq, round=1, stage=following.code) if following else None
    if following is None or started.exists():
        return following
    times = stage_deadline_times(rfq, following, at)
    deadlines_create(rfq=rfq, times=times, stage=following.code)
    if following.code == Deadline.Stage.ESTIMATE:
        rfq.estimate_due_at = times[Deadline.Kind.ESTIMATE]
        rfq.save(update_fields=["estimate_due_at", "updated_at"])
    return following


def round_reminder_minutes(network) -> int:
    """Return when a later round's reminder falls, in minutes after the round is sent.

    As long before its answers are due as the estimate's reminder falls before the
    estimate, but never in the first half of the answer window.
    """
    window = network.member_response_minutes
    return max(window - network.reminder_before_minutes, window // 2)


def round_deadline_times(rfq: RFQ, sent_at: datetime.datetime) -> dict[str, datetime.datetime]:
    """Return when a later invitation round's answers are due and its reminder falls,
    counted from when the round is sent, on the network's clock."""
    network = rfq.network
    network_clock = clock_for(network)
    return {
        Deadline.Kind.MEMBER_RESPONSE: network_clock.add(sent_at, network.member_response_minutes),
        Deadline.Kind.REMINDER: network_clock.add(sent_at, round_reminder_minutes(network)),
    }


def triage_closes_at(network, start: datetime.datetime) -> datetime.datetime:
    """Return when a request the office triages closes if the office has not acted: the
    network's triage window of working days after `start`, on its clock (a day of a
    business-hours clock is its working hours; a wall clock's, 24 hours)."""
    network_clock = clock_for(network)
    if isinstance(network_clock, BusinessHoursClock):
        day = datetime.datetime.combine(datetime.date.min, network.business_day_end)
        day -= datetime.datetime.combine(datetime.date.min, network.business_day_start)
        day_minutes = int(day.total_seconds() // 60)
    else:
        day_minutes = 24 * 60
    return network_clock.add(start, network.triage_window_days * day_minutes)


def deadlines_create(
    *,
    rfq: RFQ,
    times: dict[str, datetime.datetime],
    round_number: int = 1,
    stage: str = Deadline.Stage.ESTIMATE,
) -> None:
    """Store a request's deadlines of one round and stage (in the caller's transaction);
    never twice."""
    Deadline.objects.bulk_create(
        [
            Deadline(rfq=rfq, kind=kind, round=round_number, stage=stage, due_at=due_at)
            for kind, due_at in times.items()
        ],
        ignore_conflicts=True,
    )


def invitations_due_stamp(*, rfq: RFQ, round_number: int) -> None:
    """Give a round's invitations the time their answers are due, from the round's
    deadline (in the caller's transaction): each firm reads its own round's time."""
    due = Deadline.objects.filter(
        rfq=rfq, round=round_number, kind=Deadline.Kind.MEMBER_RESPONSE
    ).values("due_at")[:1]
    Invitation.objects.filter(rfq=rfq, round=round_number).update(answer_due_at=Subquery(due))


def deadlines_fire_due(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Fire one batch of due deadlines, each exactly once; return how many were claimed.

    Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so racing sweepers take
    disjoint batches; marking deadlines fired and writing what they cause (events,
    notifications, an urgent designation) commit together, so a sweeper killed midway
    leaves its batch unfired for the next sweep, and nothing is done twice. A batch is
    handled set-wise, a few queries per kind of deadline rather than per deadline.
    """
    now = now or clock.now()
    with transaction.atomic():
        due = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lte=now, fired_at__isnull=True, cancelled_at__isnull=True)
            .select_related("rfq", "rfq__network", "rfq__customer")
            .order_by("due_at", "id")[:batch_size]
        )
        # A request that moved on without cancelling its deadlines must never see them fire.
        moved_on = [d.pk for d in due if d.rfq.status not in RFQ.OPEN_STATUSES]
        live = [d for d in due if d.rfq.status in RFQ.OPEN_STATUSES]
        Deadline.objects.filter(pk__in=moved_on).update(cancelled_at=now)
        Deadline.objects.filter(pk__in=[d.pk for d in live]).update(fired_at=now)
        outcome = FiringOutcome(now=now)
        for kind, effect in DEADLINE_EFFECTS.items():
            group = [deadline for deadline in live if deadline.kind == kind]
            if group:
                fire_group(effect, group, outcome)
        outcome.save()
    return len(due)


@dataclass
class FiringOutcome:
    """What a batch of deadlines causes, written in bulk at the end of the batch."""

    now: datetime.datetime
    notifications: list[Notification] = field(default_factory=list)
    event_data: dict[int, dict] = field(default_factory=dict)

    def notify(self, **kwargs) -> None:
        self.notifications.extend(notification_rows(**kwargs))

    def save(self) -> None:
        notifications_create_many(self.notifications)
        Event.objects.bulk_create(
            [
                Event(
                    rfq_id=deadline.rfq_id,
                    kind=f"deadline.{deadline.kind}",
                    data={
                        "due_at": deadline.due_at.isoformat(),
                        "late_seconds": round((self.now - deadline.due_at).total_seconds()),
                        "round": deadline.round,
                        "stage": deadline.stage,
                        **data,
                    },
                )
                for deadline, data in self.event_data.values()
            ],
            batch_size=1000,
        )


def fire_group(effect, group: list[Deadline], outcome: FiringOutcome) -> None:
    """Apply one kind's effect to a group; if it fails, retry each deadline on its own."""
    try:
        with transaction.atomic():
            effect(group, outcome)
        return
    except Exception:
        logger.exception("deadline batch failed; retrying one by one")
    for deadline in group:
        try:
            with transaction.atomic():
                effect([deadline], outcome)
        except Exception as error:
            logger.exception("deadline %s of request %s failed", deadline.kind, deadline.rfq_id)
            rfq = deadline.rfq
            outcome.event_data[deadline.pk] = (
                deadline,
                {"error": f"{error.__class__.__name__}: {error}"},
            )
            outcome.notify(
                kind="deadline.failed",
                subject_type="rfq",
                subject_id=rfq.pk,
                recipients=office_people(rfq.network),
                context={**rfq_context(rfq), "deadline": deadline.kind},
                link=rfq_link(rfq),
                urgent=True,
            )


def people_by_firm(firm_ids) -> dict[int, list[User]]:
    people = collections.defaultdict(list)
    for person in User.objects.filter(is_active=True, firm_id__in=set(firm_ids)):
        people[person.firm_id].append(person)
    return people


def office_people_by_network(network_ids) -> dict[int, list[User]]:
    people = collections.defaultdict(list)
    for person in User.objects.filter(
        is_active=True,
        firm__memberships__network_id__in=set(network_ids),
        firm__memberships__role=Membership.Role.OFFICE,
        firm__memberships__is_active=True,
    ).annotate(office_network_id=F("firm__memberships__network_id")):
        people[person.office_network_id].append(person)
    return people


def invited_firms(group: list[Deadline], statuses) -> dict[int, list[int]]:
    """Return the firms of the group's requests (every round) whose invitations are in
    `statuses`, by request."""
    firms = collections.defaultdict(list)
    for rfq_id, firm_id in Invitation.objects.filter(
        rfq_id__in=[deadline.rfq_id for deadline in group], status__in=statuses
    ).values_list("rfq_id", "firm_id"):
        firms[rfq_id].append(firm_id)
    return firms


def silent_in_round(group: list[Deadline]) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Return each deadline's round's unanswered invitations (id, firm), by (request, round)."""
    wanted = {(deadline.rfq_id, deadline.round) for deadline in group}
    silent = collections.defaultdict(list)
    for invitation_id, rfq_id, round_number, firm_id in Invitation.objects.filter(
        rfq_id__in={rfq_id for rfq_id, _ in wanted},
        round__in={round_number for _, round_number in wanted},
        status__in=Invitation.UNANSWERED,
    ).values_list("pk", "rfq_id", "round", "firm_id"):
        if (rfq_id, round_number) in wanted:
            silent[rfq_id, round_number].append((invitation_id, firm_id))
    return silent


def member_response_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """A round's answer window closed: mark its silence, chase it, tell the office."""
    silent_invitations = silent_in_round(group)
    Invitation.objects.filter(
        pk__in=[pk for rows in silent_invitations.values() for pk, _ in rows],
        status__in=Invitation.UNANSWERED,
    ).update(status=Invitation.Status.NO_RESPONSE)
    silent = {key: [firm_id for _, firm_id in rows] for key, rows in silent_invitations.items()}
    people = people_by_firm(firm for firms in silent.values() for firm in firms)
    offices = office_people_by_network(deadline.rfq.network_id for deadline in group)
    for deadline in group:
        rfq, firms = deadline.rfq, silent.get((deadline.rfq_id, deadline.round), [])
        context = {**rfq_context(rfq), "count": len(firms)}
        link = rfq_link(rfq)
        outcome.notify(
            kind="deadline.answer_overdue",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[person for firm in firms for person in people[firm]],
            context=context,
            link=link,
            urgent=True,
        )
        if firms:
            outcome.notify(
                kind="deadline.answers_missing_office",
                subject_type="rfq",
                subject_id=rfq.pk,
                recipients=offices[rfq.network_id],
                context=context,
                link=link,
            )
        outcome.event_data[deadline.pk] = (deadline, {"no_response": firms})


def reminder_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """Remind whoever still has to act: round 1's reminder is the estimate's, a later
    round's reminds that round's silent firms of their answer."""
    later = [deadline for deadline in group if deadline.round > 1]
    if later:
        round_reminder_due(later, outcome)
    group = [deadline for deadline in group if deadline.round == 1]
    by_days = [deadline for deadline in group if stage_of(deadline).unit == Stage.BUSINESS_DAYS]
    if by_days:
        stage_reminder_due(by_days, outcome)
    group = [deadline for deadline in group if deadline not in by_days]
    if not group:
        return
    silent = invited_firms(group, [*Invitation.UNANSWERED, Invitation.Status.NO_RESPONSE])
    acting = {
        deadline.rfq_id: sorted(
            set(silent.get(deadline.rfq_id, []))
            | ({deadline.rfq.leader_firm_id} if deadline.rfq.leader_firm_id else set())
        )
        for deadline in group
    }
    people = people_by_firm(firm for firms in acting.values() for firm in firms)
    offices = office_people_by_network(deadline.rfq.network_id for deadline in group)
    for deadline in group:
        rfq = deadline.rfq
        outcome.notify(
            kind="deadline.reminder",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[
                *(person for firm in acting[rfq.pk] for person in people[firm]),
                *offices[rfq.network_id],
            ],
            context={**rfq_context(rfq), "minutes": rfq.network.reminder_before_minutes},
            link=rfq_link(rfq),
            urgent=True,
        )
        outcome.event_data[deadline.pk] = (deadline, {"reminded": acting[rfq.pk]})


def stage_of(deadline: Deadline) -> Stage:
    return policy_for(deadline.rfq.network).stage(deadline.stage)


def stage_context(deadline: Deadline) -> dict:
    """What a stage's notifications say: the request, and when its promise is due."""
    return {
        **rfq_context(deadline.rfq),
        "due": promise_due_at(deadline)
        .astimezone(deadline.rfq.network.tzinfo)
        .strftime("%Y-%m-%d %H:%M %Z"),
    }


def promise_due_at(deadline: Deadline) -> datetime.datetime:
    """Return when the promise a deadline belongs to is due (a reminder's, later)."""
    if deadline.kind == Deadline.Kind.ESTIMATE:
        return deadline.due_at
    promise = Deadline.objects.filter(
        rfq_id=deadline.rfq_id, round=1, stage=deadline.stage, kind=Deadline.Kind.ESTIMATE
    ).first()
    return promise.due_at if promise else deadline.due_at


def stage_reminder_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """A promise counted in business days is due in a day: remind whoever keeps it (the
    office for an interview or a planning meeting; the leader and the office for an
    estimate)."""
    offices = office_people_by_network(deadline.rfq.network_id for deadline in group)
    leaders = people_by_firm(
        deadline.rfq.leader_firm_id for deadline in group if deadline.rfq.leader_firm_id
    )
    for deadline in group:
        rfq = deadline.rfq
        leader = leaders[rfq.leader_firm_id] if rfq.leader_firm_id else []
        outcome.notify(
            kind=f"deadline.{deadline.stage}_reminder",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[*leader, *offices[rfq.network_id]],
            context=stage_context(deadline),
            link=rfq_link(rfq),
            urgent=True,
        )
        outcome.event_data[deadline.pk] = (
            deadline,
            {"reminded": [rfq.leader_firm_id] if rfq.leader_firm_id else []},
        )


def round_reminder_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """A later round's answers are due soon: remind that round's silent firms."""
    silent = {key: [firm_id for _, firm_id in rows] for key, rows in silent_in_round(group).items()}
    answer_due = {
        (rfq_id, round_number): due_at
        for rfq_id, round_number, due_at in Deadline.objects.filter(
            rfq_id__in={deadline.rfq_id for deadline in group},
            kind=Deadline.Kind.MEMBER_RESPONSE,
            round__gt=1,
        ).values_list("rfq_id", "round", "due_at")
    }
    people = people_by_firm(firm for firms in silent.values() for firm in firms)
    for deadline in group:
        rfq, key = deadline.rfq, (deadline.rfq_id, deadline.round)
        firms = silent.get(key, [])
        due_at = answer_due.get(key)
        outcome.notify(
            kind="deadline.answer_reminder",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[person for firm in firms for person in people[firm]],
            context={
                **rfq_context(rfq),
                "answer_due": due_at.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z")
                if due_at
                else "",
            },
            link=rfq_link(rfq),
            urgent=True,
        )
        outcome.event_data[deadline.pk] = (deadline, {"reminded": firms})


def estimate_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """A stage's promise is breached: alert the office everywhere, act (an estimate's
    breach may designate a leader), tell the customer."""
    offices = office_people_by_network(deadline.rfq.network_id for deadline in group)
    for deadline in group:
        rfq = deadline.rfq
        context, link = stage_context(deadline), rfq_link(rfq)
        outcome.notify(
            kind=f"deadline.{deadline.stage}_breached",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=offices[rfq.network_id],
            context=context,
            link=link,
            urgent=True,
        )
        designated = None
        if (
            deadline.stage == Deadline.Stage.ESTIMATE
            and rfq.network.designate_on_breach
            and rfq.leader_firm_id is None
        ):
            designated = designate_best_can_do(rfq)
        outcome.notify(
            kind=f"deadline.{deadline.stage}_late_customer",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[rfq.customer],
            context=context,
            link=link,
        )
        outcome.event_data[deadline.pk] = (deadline, {"designated": designated})


def designate_best_can_do(rfq: RFQ) -> int | None:
    """Designate the best-ranked 'can do' member on the office's urgent authority."""
    for firm_id in (
        rfq.invitations.filter(status=Invitation.Status.CAN_DO)
        .order_by("rank", "id")
        .values_list("firm_id", flat=True)
    ):
        try:
            leader_designate(
                rfq_id=rfq.pk, firm_id=firm_id, reason=RFQ.LeaderReason.URGENT, user=None
            )
        except Refusal:
            continue
        return firm_id
    return None


def triage_due(group: list[Deadline], outcome: FiringOutcome) -> None:
    """The office's triage window closed without its acting: close the request as no bid
    and tell the customer and the office why.

    A request the office is acting on right now (its row locked) is left for the next
    sweep, its deadline unfired: waiting for it here could deadlock with the office's
    step, which cancels this very deadline. A request the office already moved on is only
    marked: the conditional update closes only what is still in triage.
    """
    locked = {
        rfq.pk: rfq
        for rfq in RFQ.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("network", "customer")
        .filter(pk__in={deadline.rfq_id for deadline in group})
    }
    busy = [deadline for deadline in group if deadline.rfq_id not in locked]
    Deadline.objects.filter(pk__in=[deadline.pk for deadline in busy]).update(fired_at=None)
    offices = office_people_by_network(deadline.rfq.network_id for deadline in group)
    for deadline in group:
        rfq = locked.get(deadline.rfq_id)
        if rfq is None:
            continue
        closed = RFQ.objects.filter(pk=rfq.pk, status=RFQ.Status.TRIAGE).update(
            status=RFQ.Status.NO_BID, updated_at=outcome.now
        )
        outcome.event_data[deadline.pk] = (deadline, {"closed": bool(closed)})
        if not closed:
            continue
        deadlines_cancel(rfq=rfq)
        reason = reasons.triage_expired_reason(rfq.network.triage_window_days)
        event_record(kind="rfq.no_bid", actor=None, rfq=rfq, data={"reason": reason})
        context = {**rfq_context(rfq), "reason": reason_said_to_each(reason)}
        outcome.notify(
            kind="rfq.no_bid",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[rfq.customer],
            context=context,
            link=rfq_link(rfq),
        )
        outcome.notify(
            kind="rfq.no_bid_office",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=offices[rfq.network_id],
            context=context,
            link=rfq_link(rfq),
        )


DEADLINE_EFFECTS = {
    Deadline.Kind.MEMBER_RESPONSE: member_response_due,
    Deadline.Kind.REMINDER: reminder_due,
    Deadline.Kind.ESTIMATE: estimate_due,
    Deadline.Kind.TRIAGE: triage_due,
}
