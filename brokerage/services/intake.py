"""A customer's request comes in: saved, given its clock, routed and announced at once."""

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brokerage.models import Deadline, GroupProposal, Invitation
from brokerage.policies import POLICIES, policy_for
from brokerage.reasons import reason_said_to_each, reason_text
from brokerage.services.deadlines import (
    deadline_times,
    deadlines_create,
    first_stage,
    invitations_due_stamp,
    round_deadline_times,
    triage_closes_at,
)
from brokerage.services.workflow_support import (
    customer_and_office_tell,
    deadlines_cancel,
    rfq_context,
    rfq_link,
)
from capabilities.models import Capability
from core import access, clock
from core.background import enqueue
from core.errors import InvalidTransition, NotAllowed, Refusal
from core.idempotency import idempotency_claim
from members.models import Firm, Network, User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from members.signup import customer_register
from orders.locks import rfq_lock, rfq_submitted_lock
from orders.models import RFQ, Drawing, RFQRequirement
from orders.services.drawings import drawing_attach
from orders.services.timeline import event_record


@dataclass(frozen=True)
class RequirementInput:
    capability_code: str
    min_grade: int = 1
    note: str = ""


@dataclass(frozen=True)
class RFQInput:
    """What a customer (or the office on their behalf) asks for."""

    title: str
    description: str
    kind: str = RFQ.Kind.PROTOTYPE
    quantity: int = 1
    material: str = ""
    requirements: tuple[RequirementInput, ...] = ()
    desired_date: datetime.date | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    confidential: bool = False
    urgency: str = RFQ.Urgency.NORMAL
    channel: str = RFQ.Channel.WEB
    # When a request keyed in by the office arrived (by fax, phone or e-mail); its
    # estimate clock runs from then. None: it arrives now.
    received_at: datetime.datetime | None = None


@dataclass(frozen=True)
class NewCustomer:
    """A customer without an account yet: a visitor signing up on the request form, or
    someone the office keys a fax, phone or e-mail request in for (no password: they
    cannot log in until they reset it)."""

    email: str
    name: str
    password: str | None = None
    organization: str = ""
    customer_type: str = User.CustomerType.COMPANY
    language: str = User.Language.JA


@transaction.atomic
def rfq_receive(
    *,
    network: Network,
    customer: User | NewCustomer,
    data: RFQInput,
    entered_by: User | None = None,
    drawings: Sequence[UploadedFile] = (),
    idempotency_key: str = "",
) -> RFQ:
    """Take a request in whole: open the new customer's account, submit the request and
    attach its drawings, all or nothing.

    One transaction, because each part can be refused after the one before it was written:
    a request refused after the sign-up must not leave an account behind (its e-mail could
    not sign up again, and the visitor is told to resend the form), and a drawing refused
    after the request must not leave a request without the drawings the customer sent.
    A repeated submission (the same `idempotency_key`, see `rfq_submit`) answers with the
    first one's request, its drawings already attached: nothing is attached twice.
    Drawings are attached by whoever entered the request: the customer, or the office.
    """
    if isinstance(customer, NewCustomer):
        customer = customer_register(**asdict(customer))
    rfq = rfq_submit(
        network=network,
        customer=customer,
        data=data,
        entered_by=entered_by,
        idempotency_key=idempotency_key,
    )
    if drawings and not rfq.drawings.exists():
        drawings_attach(rfq=rfq, files=drawings, user=entered_by or customer)
    return rfq


@transaction.atomic
def drawings_attach(*, rfq: RFQ, files: Sequence[UploadedFile], user: User) -> list[Drawing]:
    """Attach a batch of uploaded drawings to a request, all or none.

    The person sent them together: if one is refused, the form asks them to choose the
    drawings again, so none of the batch may stay attached (the resent ones would be
    refused as already attached).
    """
    return [drawing_attach(rfq=rfq, uploaded=uploaded, user=user) for uploaded in files]


def arrival_check(*, network: Network, channel: str, received_at: datetime.datetime) -> None:
    """Refuse an arrival time the clock cannot honestly run from.

    Only the office keys in a request that came earlier (by fax, phone or e-mail), never
    from the future, and never longer ago than the network allows: the estimate clock
    the customer was promised runs from the arrival, not from the keying in.
    """
    if channel == RFQ.Channel.WEB:
        raise Refusal(
            _("Only a request keyed in by the office has an arrival time."), field="received_at"
        )
    now = clock.now()
    if received_at > now:
        raise Refusal(_("The arrival time lies in the future."), field="received_at")
    if received_at < now - datetime.timedelta(hours=network.key_in_backdate_hours):
        raise Refusal(
            _(
                "The network keys in requests that arrived in the last %(hours)s hours; "
                "an older one is a new request, arriving now."
            )
            % {"hours": network.key_in_backdate_hours},
            field="received_at",
        )


@transaction.atomic
def rfq_submit(
    *,
    network: Network,
    customer: User,
    data: RFQInput,
    entered_by: User | None = None,
    submitted_at: datetime.datetime | None = None,
    idempotency_key: str = "",
) -> RFQ:
    """Save a request with its deadlines, tell the customer when the estimate is due, and
    have it routed right after commit.

    Routing (matching, invitations, the members' notifications) runs in a worker, so the
    customer's submission is answered at once and is never lost if the broker is down: the
    routing sweeper picks up any request still waiting.

    The office may key in a request received by fax, phone or e-mail for a customer.
    `submitted_at` is for records that came in earlier (imports, demo data): the clock
    runs from then. A repeated `idempotency_key` from the same caller (the customer, or
    the office that keys it in) with the same request returns the request the first
    submission created; with another request it is refused (`services.idempotency`).
    """
    if entered_by is not None and entered_by.pk != customer.pk:
        if not access.is_office(entered_by, network):
            raise NotAllowed(_("Only the network's office enters requests for a customer."))
    elif data.channel != RFQ.Channel.WEB:
        raise NotAllowed(_("Requests by fax, phone or e-mail are keyed in by the office."))
    customer_check(customer)
    capabilities = required_capabilities(data.requirements)
    claim = idempotency_claim(
        user=entered_by or customer,
        operation="rfq.submit",
        key=idempotency_key,
        request={
            "network": network.pk,
            "customer": customer.pk,
            "data": asdict(data),
            "submitted_at": submitted_at,
        },
    )
    if claim.is_replay:
        return RFQ.objects.get(pk=claim.earlier)
    if data.received_at is not None:
        arrival_check(network=network, channel=data.channel, received_at=data.received_at)
    rfq = RFQ(
        network=network,
        customer=customer,
        entered_by=entered_by if entered_by is not None and entered_by != customer else None,
        channel=data.channel,
        idempotency_key=idempotency_key,
    )
    rfq_fields_set(rfq, data)
    submission_start(
        rfq=rfq,
        actor=entered_by or customer,
        at=submitted_at or data.received_at or clock.now(),
        event_at=submitted_at,
        requirements=requirement_rows(data.requirements, capabilities),
        event_data={"received_at": data.received_at.isoformat()} if data.received_at else {},
    )
    claim.complete(rfq.pk)
    return rfq


def required_capabilities(requirements: Sequence[RequirementInput]) -> dict[str, Capability]:
    """Return the capabilities a request requires by code; refuse repeated or unknown ones."""
    codes = [requirement.capability_code for requirement in requirements]
    if len(set(codes)) != len(codes):
        raise Refusal(_("Each capability may be required only once."))
    capabilities = {
        capability.code: capability
        for capability in Capability.objects.filter(code__in=codes, is_active=True)
    }
    unknown = sorted(set(codes) - set(capabilities))
    if unknown:
        raise Refusal(_("Unknown capabilities: %(codes)s.") % {"codes": ", ".join(unknown)})
    return capabilities


def requirement_rows(
    requirements: Sequence[RequirementInput], capabilities: dict[str, Capability]
) -> list[RFQRequirement]:
    return [
        RFQRequirement(
            capability=capabilities[requirement.capability_code],
            min_grade=requirement.min_grade,
            note=requirement.note,
        )
        for requirement in requirements
    ]


def rfq_fields_set(rfq: RFQ, data: RFQInput) -> None:
    """Copy what the customer asks for onto a request (not yet saved)."""
    rfq.kind = data.kind
    rfq.title = data.title.strip()
    rfq.description = data.description.strip()
    rfq.quantity = data.quantity
    rfq.material = data.material.strip()
    rfq.desired_date = data.desired_date
    rfq.budget_min = data.budget_min
    rfq.budget_max = data.budget_max
    rfq.confidential = data.confidential
    rfq.urgency = data.urgency


def rfq_save(rfq: RFQ) -> None:
    try:
        rfq.save()
    except IntegrityError as error:
        raise Refusal(_("The request is inconsistent (check quantity and budget).")) from error


def received_kind(stage_code: str) -> str:
    """Return the kind of the acknowledgement that tells the customer the first promise."""
    return "rfq.received" if stage_code == Deadline.Stage.ESTIMATE else f"rfq.received_{stage_code}"


# Every acknowledgement a submission may send: the routing task delivers whichever it was.
RECEIVED_KINDS = tuple(
    sorted({received_kind(policy.stages[0].code) for policy in POLICIES.values()})
)


def submission_start(
    *,
    rfq: RFQ,
    actor: User,
    at: datetime.datetime,
    event_at: datetime.datetime | None = None,
    requirements: Sequence[RFQRequirement] = (),
    event_data: dict | None = None,
) -> None:
    """Submit a request (new, or a completed draft) at `at`, in the caller's transaction:
    its estimate clock starts then, its deadlines are stored, the customer is told when the
    estimate is due, and it is routed right after commit.

    The one way a request is submitted: `rfq_submit` for a new one, `rfq_draft_submit` for a
    draft. `requirements` are the new request's, saved with it; a draft has its own.
    """
    rfq.status = RFQ.Status.SUBMITTED
    rfq.submitted_at = at
    times = deadline_times(rfq, at)
    # The estimate clock starts now unless the network promises something else first
    # (Rodan21's interview); its first promise's deadlines start now either way.
    stage = first_stage(rfq)
    rfq.estimate_due_at = (
        times[Deadline.Kind.ESTIMATE] if stage.code == Deadline.Stage.ESTIMATE else None
    )
    rfq_save(rfq)
    for requirement in requirements:
        requirement.rfq = rfq
    RFQRequirement.objects.bulk_create(requirements)
    deadlines_create(rfq=rfq, times=times, stage=stage.code)
    codes = (
        [requirement.capability.code for requirement in requirements]
        if requirements
        else list(rfq.requirements.values_list("capability__code", flat=True))
    )
    event_record(
        kind="rfq.submitted",
        actor=actor,
        rfq=rfq,
        at=event_at,
        data={
            "channel": rfq.channel,
            "estimate_due_at": rfq.estimate_due_at.isoformat() if rfq.estimate_due_at else None,
            "promise": {"stage": stage.code, "due_at": times[Deadline.Kind.ESTIMATE].isoformat()},
            "requirements": codes,
            **(event_data or {}),
        },
    )
    due = times[Deadline.Kind.ESTIMATE].astimezone(rfq.network.tzinfo)
    notifications_create(
        kind=received_kind(stage.code),
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[rfq.customer],
        context={**rfq_context(rfq), "due": due.strftime("%Y-%m-%d %H:%M %Z")},
        link=rfq_link(rfq),
        # The routing task sent after commit delivers them too: one message per submission.
        deliver_on_commit=False,
    )
    # A worker routes the request and delivers the acknowledgement; if the broker is down,
    # the routing and notification sweepers will.
    enqueue("brokerage.route_request", rfq.pk)


def customer_check(customer: User) -> None:
    if customer.firm_id is not None:
        raise NotAllowed(_("Requests are submitted by customers, not by member firms' staff."))


@transaction.atomic
def rfq_draft_save(
    *,
    network: Network,
    customer: User,
    data: RFQInput,
    rfq_id: int | None = None,
    drawings: Sequence[UploadedFile] = (),
) -> RFQ:
    """Save a request the customer has not submitted yet: a new draft, or a draft changed,
    with any drawings they add (all or nothing).

    A draft may be incomplete (no description yet); it has no clock, no deadlines and no
    timeline, and only its customer changes it.
    """
    customer_check(customer)
    if data.channel != RFQ.Channel.WEB or data.received_at is not None:
        raise NotAllowed(_("Requests by fax, phone or e-mail are keyed in by the office."))
    if not data.title.strip():
        raise Refusal(_("Give the draft a title, so that you can find it again."), field="title")
    capabilities = required_capabilities(data.requirements)
    if rfq_id is None:
        rfq = RFQ(network=network, customer=customer, status=RFQ.Status.DRAFT)
    else:
        rfq = draft_lock(rfq_id=rfq_id, user=customer)
        rfq.requirements.all().delete()
    rfq_fields_set(rfq, data)
    rfq_save(rfq)
    requirements = requirement_rows(data.requirements, capabilities)
    for requirement in requirements:
        requirement.rfq = rfq
    RFQRequirement.objects.bulk_create(requirements)
    drawings_attach(rfq=rfq, files=drawings, user=customer)
    return rfq


def draft_lock(*, rfq_id: int, user: User) -> RFQ:
    """Lock a draft its customer changes; refuse anyone else, and a request submitted."""
    rfq = rfq_lock(rfq_id)
    if not access.may_change_draft(user, rfq):
        raise NotAllowed(_("Only the customer who wrote a draft changes it."))
    if rfq.status != RFQ.Status.DRAFT:
        raise InvalidTransition(_("This request is submitted already: it is no longer a draft."))
    return rfq


@transaction.atomic
def rfq_draft_submit(
    *,
    rfq_id: int,
    user: User,
    data: RFQInput | None = None,
    drawings: Sequence[UploadedFile] = (),
) -> RFQ:
    """Submit a completed draft, with its last changes (`data`, `drawings`) if any: its
    estimate clock starts now, as for a new request."""
    rfq = draft_lock(rfq_id=rfq_id, user=user)
    if data is not None or drawings:
        rfq = rfq_draft_save(
            network=rfq.network,
            customer=user,
            data=data or draft_input(rfq),
            rfq_id=rfq.pk,
            drawings=drawings,
        )
    missing = {
        name: [_("Complete this before submitting the request.")]
        for name in ("title", "description")
        if not getattr(rfq, name).strip()
    }
    if missing:
        raise Refusal.of_fields(missing)
    submission_start(rfq=rfq, actor=user, at=clock.now())
    return rfq


def draft_input(rfq: RFQ) -> RFQInput:
    """Return what a draft asks for as it stands."""
    return RFQInput(
        title=rfq.title,
        description=rfq.description,
        kind=rfq.kind,
        quantity=rfq.quantity,
        material=rfq.material,
        requirements=tuple(
            RequirementInput(
                capability_code=row.capability.code, min_grade=row.min_grade, note=row.note
            )
            for row in rfq.requirements.select_related("capability")
        ),
        desired_date=rfq.desired_date,
        budget_min=rfq.budget_min,
        budget_max=rfq.budget_max,
        confidential=rfq.confidential,
        urgency=rfq.urgency,
    )


@transaction.atomic
def rfq_draft_delete(*, rfq_id: int, user: User) -> None:
    """Delete a draft with its drawings: it was never submitted, so nothing else knew it."""
    rfq = draft_lock(rfq_id=rfq_id, user=user)
    files = [drawing.file for drawing in rfq.drawings.all()]
    rfq.delete()
    # The files go once the rows are gone for good; a rollback keeps both.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


@transaction.atomic
def rfq_route_submitted(*, rfq_id: int, routed_at: datetime.datetime | None = None) -> bool:
    """Route a submitted request once; return False if it was routed (or closed) already.

    `routed_at` is for records that came in earlier (demo data): the timeline shows then.
    """
    rfq = rfq_submitted_lock(rfq_id)
    if rfq is None:
        return False
    rfq_route(rfq=rfq, at=routed_at)
    return True


def submitted_request_ids(*, older_than: datetime.timedelta, limit: int = 200) -> list[int]:
    """Return requests still waiting to be routed, oldest first (the sweeper's work)."""
    return list(
        RFQ.objects.filter(status=RFQ.Status.SUBMITTED, submitted_at__lte=clock.now() - older_than)
        .order_by("submitted_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def rfq_route(*, rfq: RFQ, at: datetime.datetime | None = None, round_number: int = 1) -> None:
    """Route a request by its network's policy (in the caller's transaction).

    The routing at submission is round 1, whose answer window runs from the submission; a
    request the office routes again from its triage (`round_number` > 1) gets a round of
    its own, answered within the usual window from now. A request nobody covers goes to
    the office's triage; routed again from there, it is refused instead, with why.
    """
    policy = policy_for(rfq.network)
    plan = policy.route(rfq)
    if plan.status == RFQ.Status.NO_BID:
        if round_number > 1:
            raise Refusal(
                _("Still no member firm can take it on: %(reason)s")
                % {"reason": reason_text(plan.no_bid_reason)},
                field="requirements",
            )
        rfq_triage_open(rfq=rfq, reason=plan.no_bid_reason, at=at)
        return
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
            for firm_id, purpose, rank, reason in plan.invitations
        ]
    )
    invitations_due_stamp(rfq=rfq, round_number=1)
    GroupProposal.objects.bulk_create(
        [GroupProposal(rfq=rfq, group=group, reason=reason) for group, reason in plan.proposals]
    )
    rfq.status = plan.status
    rfq.save(update_fields=["status", "updated_at"])
    if round_number > 1:
        invitation_round_send(rfq=rfq, round_number=round_number)
    event_record(
        kind="rfq.routed",
        actor=None,
        rfq=rfq,
        at=at,
        data={
            "policy": policy.policy,
            "status": plan.status,
            "invited": [
                {"firm": firm_id, "purpose": purpose, "rank": rank, "reason": reason}
                for firm_id, purpose, rank, reason in plan.invitations
            ],
            **({"round": round_number} if round_number > 1 else {}),
            **plan.data,
        },
    )
    board = rfq.network.policy == Network.Policy.ADMIN_BOARD
    invitations_announce(
        rfq=rfq,
        firm_ids=[row[0] for row in plan.invitations],
        kind="rfq.board_review" if board else "rfq.invited",
        round_number=round_number,
    )
    context = {**rfq_context(rfq), "count": len(plan.invitations)}
    notifications_create(
        kind="rfq.routed_office",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=office_people(rfq.network),
        context=context,
        link=rfq_link(rfq),
    )


def rfq_triage_open(*, rfq: RFQ, reason: dict, at: datetime.datetime | None = None) -> None:
    """Hand a request nobody covers to the network office's triage (in the caller's
    transaction), instead of closing it: the office is asked to act, the customer told
    that the office is looking for firms, and the request closes as no bid only if the
    office has not acted within the network's triage window (the deadline sweeper).

    Why nobody covers it is data (brokerage.reasons), kept with the event and said to each
    person in their own language. The round's answer window is moot (nobody was invited);
    the estimate clock runs on, as promised to the customer.
    """
    rfq.status = RFQ.Status.TRIAGE
    rfq.save(update_fields=["status", "updated_at"])
    deadlines_cancel(rfq=rfq, kinds=[Deadline.Kind.MEMBER_RESPONSE], round_number=1)
    closes_at = triage_closes_at(rfq.network, at or clock.now())
    deadlines_create(rfq=rfq, times={Deadline.Kind.TRIAGE: closes_at})
    event_record(
        kind="rfq.triage",
        actor=None,
        rfq=rfq,
        at=at,
        data={"reason": reason, "closes_at": closes_at.isoformat()},
    )
    context = {
        **rfq_context(rfq),
        "reason": reason_said_to_each(reason),
        "closes": closes_at.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z"),
    }
    customer_and_office_tell(rfq=rfq, kind="rfq.triage", context=context)


def invitations_announce(
    *,
    rfq: RFQ,
    firm_ids: list[int],
    kind: str = "rfq.invited",
    extra: dict | None = None,
    round_number: int = 1,
) -> None:
    """Tell invited firms' people, on their computers and supervisors' phones, by when
    their round's answers are due."""
    if not firm_ids:
        return
    answer_due = (
        rfq.deadlines.filter(kind=Deadline.Kind.MEMBER_RESPONSE, round=round_number)
        .values_list("due_at", flat=True)
        .first()
    )
    context = {
        **rfq_context(rfq),
        "answer_due": answer_due.astimezone(rfq.network.tzinfo).strftime("%Y-%m-%d %H:%M %Z")
        if answer_due
        else "",
        **(extra or {}),
    }
    notifications_create(
        kind=kind,
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=firm_people(firm_ids),
        context=context,
        link=rfq_link(rfq),
        urgent=rfq.urgency == RFQ.Urgency.URGENT,
        webhook_firms=Firm.objects.filter(pk__in=firm_ids).exclude(webhook_url=""),
    )


def rfq_close_no_bid(
    *, rfq: RFQ, reason: dict, actor: User | None, at: datetime.datetime | None = None
) -> None:
    """Close a request nobody can take, telling the customer and the office why.

    The reason is data (brokerage.reasons), kept with the event and said to each person in
    their own language.
    """
    rfq.status = RFQ.Status.NO_BID
    rfq.save(update_fields=["status", "updated_at"])
    deadlines_cancel(rfq=rfq)
    event_record(kind="rfq.no_bid", actor=actor, rfq=rfq, at=at, data={"reason": reason})
    context = {**rfq_context(rfq), "reason": reason_said_to_each(reason)}
    customer_and_office_tell(rfq=rfq, kind="rfq.no_bid", context=context)


def invitation_round_send(*, rfq: RFQ, round_number: int) -> None:
    """Start a later invitation round's own answer window and reminder, from now (in the
    caller's transaction); a round already sent keeps its times."""
    deadlines_create(
        rfq=rfq, times=round_deadline_times(rfq, clock.now()), round_number=round_number
    )
    invitations_due_stamp(rfq=rfq, round_number=round_number)
