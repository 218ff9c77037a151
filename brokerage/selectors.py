"""Reads of requests and their workflow, scoped to what the asking person may see."""

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brokerage.models import BoardDecision, Deadline, GroupProposal, Invitation
from brokerage.policies import AdministrativeBoardPolicy, BoardTally, policy_for
from core import access
from core.errors import NotAllowed
from members.models import User
from orders.models import RFQ, Estimate, Event
from orders.selectors import ActionNeeded, order_actions_for_customer, unread_message_count

# The deadlines that can be a request's current promise: each stage's, unless it was kept
# or the request moved on; the latest stage started is the one the request waits on.
PROMISE_DEADLINES = Deadline.objects.filter(
    round=1, kind=Deadline.Kind.ESTIMATE, cancelled_at__isnull=True
).order_by("-id")


def promise_deadlines_prefetch() -> Prefetch:
    return Prefetch("deadlines", queryset=PROMISE_DEADLINES, to_attr="promise_deadlines")


def promise_of(rfq: RFQ) -> Deadline | None:
    """Return the deadline of the promise an open request waits on (its stage and when it
    is due), or None once it waits on nothing the network promised."""
    if rfq.status not in RFQ.OPEN_STATUSES:
        return None
    deadlines = getattr(rfq, "promise_deadlines", None)
    if deadlines is None:
        deadlines = list(PROMISE_DEADLINES.filter(rfq=rfq)[:1])
    return deadlines[0] if deadlines else None


def rfq_list_for_user(user: User) -> QuerySet[RFQ]:
    """Return the requests a person may see (core.access.rfqs_visible), with their networks."""
    # A list shows each request's network; joining every visible request to its customer
    # and leader as well, before sorting them, cost more than the rest of a member's page.
    return access.rfqs_visible(user, RFQ.objects.select_related("network"))


def rfq_get_for_user(user: User, rfq_id: int, *, unread_messages: bool = False) -> RFQ:
    """Return one visible request, or 404 whether it is absent or someone else's.

    With `unread_messages`, it carries how many of its messages the person has not read
    (in the same query).
    """
    requests = rfq_list_for_user(user).select_related("customer", "leader_firm")
    if unread_messages:
        requests = requests.annotate(unread_messages=unread_message_count(user))
    rfq = requests.filter(pk=rfq_id).first()
    if rfq is None:
        raise Http404("No such request.")
    return rfq


def invitation_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Invitation]:
    """The office sees every invitation of a request; an invited firm only its own."""
    invitations = Invitation.objects.filter(rfq=rfq).select_related("firm")
    role = access.rfq_role(user, rfq)
    if role in ("office", "staff"):
        return invitations
    if role == "member":
        return invitations.filter(firm_id=user.firm_id)
    return invitations.none()


def answer_notes_for_rfq(rfq: RFQ) -> dict[int, str]:
    """Return the firms' internal notes on their 'can do' answers, by firm (for composers)."""
    answers = Invitation.objects.filter(rfq=rfq, status=Invitation.Status.CAN_DO).exclude(note="")
    return dict(answers.values_list("firm_id", "note"))


def invitation_list_for_firm(user: User) -> QuerySet[Invitation]:
    """Return the invitations addressed to the person's firm, newest first."""
    if not user.is_authenticated or user.firm_id is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(firm_id=user.firm_id)
        .select_related("rfq", "rfq__network", "firm")
        .order_by("-created_at", "-id")
    )


def estimate_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Estimate]:
    """Drafts are the composer's; the customer sees what was sent."""
    estimates = Estimate.objects.filter(rfq=rfq).prefetch_related("lines", "lines__firm")
    role = access.rfq_role(user, rfq)
    if role in access.OFFICE_ROLES or access.leads_rfq(user, rfq):
        return estimates
    if role == "customer":
        return estimates.exclude(status=Estimate.Status.DRAFT)
    return estimates.none()


def estimate_get_for_user(user: User, estimate_id: int) -> Estimate:
    estimate = Estimate.objects.select_related("rfq").filter(pk=estimate_id).first()
    if estimate is None:
        raise Http404("No such estimate.")
    rfq = rfq_get_for_user(user, estimate.rfq_id)
    if not estimate_list_for_rfq(user, rfq).filter(pk=estimate_id).exists():
        raise Http404("No such estimate.")
    return estimate


def event_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[Event]:
    """Return the request's timeline as the person may see it (core.access decides)."""
    events = Event.objects.filter(rfq=rfq).select_related("actor")
    return access.rfq_events_visible(user, rfq, events)


def proposal_list_for_rfq(user: User, rfq: RFQ) -> QuerySet[GroupProposal]:
    """The customer compares submitted proposals; a coordinator sees its own group's."""
    proposals = GroupProposal.objects.filter(rfq=rfq).select_related("group", "group__coordinator")
    role = access.rfq_role(user, rfq)
    if role in access.OFFICE_ROLES:
        return proposals
    if role == access.CUSTOMER:
        return proposals.exclude(status=GroupProposal.Status.PREPARING)
    return proposals.filter(group_id__in=access.viewer_of(user).group_ids)


# --- What waits on the customer ----------------------------------------------------------


def estimates_awaiting_decision(user: User) -> QuerySet[Estimate]:
    """Return the estimates sent to the person on their own requests, still to accept.

    An estimate past its validity is left out: the customer can no longer accept it (the
    network sends a new one).
    """
    if not user.is_authenticated:
        return Estimate.objects.none()
    return (
        Estimate.objects.filter(
            rfq__customer_id=user.pk,
            rfq__status=RFQ.Status.ESTIMATE_SENT,
            status=Estimate.Status.SENT,
            valid_until__gte=timezone.localdate(),
        )
        .select_related("rfq__network")
        .order_by("valid_until", "id")
    )


def requests_awaiting_choice(user: User) -> QuerySet[RFQ]:
    """Return the person's own requests on which coordinator groups proposed, to choose from."""
    if not user.is_authenticated:
        return RFQ.objects.none()
    submitted = Q(group_proposals__status=GroupProposal.Status.SUBMITTED)
    return (
        RFQ.objects.filter(customer_id=user.pk, status=RFQ.Status.ROUTED, leader_firm__isnull=True)
        .annotate(
            proposals_submitted=Count("group_proposals", filter=submitted),
            last_proposed_at=Max("group_proposals__submitted_at", filter=submitted),
        )
        .filter(proposals_submitted__gt=0)
        .select_related("network")
        .order_by("last_proposed_at", "id")
    )


def action_needed_for_customer(user: User) -> list[ActionNeeded]:
    """Return everything that waits on the person as a customer, the soonest due first.

    Four reads whatever their number: estimates, requests with proposals, deliveries and
    invoices (orders.selectors.order_actions_for_customer). The customer's list page and
    GET /api/me/action-needed/ both show this list.
    """
    actions = [
        ActionNeeded(
            kind=ActionNeeded.ESTIMATE,
            what=_("Accept or decline the estimate"),
            link=reverse("pages:request", args=[estimate.rfq_id]) + "#estimate",
            title=estimate.rfq.title,
            network=estimate.rfq.network.name,
            detail=_("Version %(version)s") % {"version": estimate.version},
            rfq_id=estimate.rfq_id,
            order_id=None,
            subject_id=estimate.pk,
            amount=estimate.total,
            currency=estimate.currency,
            due_on=estimate.valid_until,
            since=estimate.sent_at,
        )
        for estimate in estimates_awaiting_decision(user)
    ]
    actions += [
        ActionNeeded(
            kind=ActionNeeded.PROPOSALS,
            what=_("Choose one of the groups' proposals"),
            link=reverse("pages:request", args=[rfq.pk]) + "#proposals",
            title=rfq.title,
            network=rfq.network.name,
            detail=ngettext("%(count)s proposal", "%(count)s proposals", rfq.proposals_submitted)
            % {"count": rfq.proposals_submitted},
            rfq_id=rfq.pk,
            order_id=None,
            subject_id=rfq.pk,
            amount=None,
            currency=rfq.currency,
            due_on=None,
            since=rfq.last_proposed_at or rfq.created_at,
        )
        for rfq in requests_awaiting_choice(user)
    ]
    actions += order_actions_for_customer(user)
    return sorted(actions, key=ActionNeeded.sort_key)


def board_decisions_for_rfq(user: User, rfq: RFQ) -> QuerySet[BoardDecision]:
    """Return the administrative board's decisions, for the office and the board itself."""
    decisions = BoardDecision.objects.filter(rfq=rfq).select_related("firm", "decided_by")
    if access.rfq_role(user, rfq) in access.OFFICE_ROLES:
        return decisions
    on_board = rfq.invitations.filter(
        firm_id=access.viewer_of(user).firm_id, purpose=Invitation.Purpose.BOARD
    ).exists()
    return decisions if on_board else decisions.none()


def board_for_rfq(user: User, rfq: RFQ) -> tuple[BoardTally, QuerySet[BoardDecision]]:
    """Return the board's tally and votes, for the office and the administrative members.

    Refuses a request without a board, and anyone else: the votes are the board's business.
    """
    policy = policy_for(rfq.network)
    if not isinstance(policy, AdministrativeBoardPolicy):
        raise NotAllowed(_("This network has no administrative board."))
    decisions = board_decisions_for_rfq(user, rfq)
    on_board = rfq.invitations.filter(
        firm_id=access.viewer_of(user).firm_id, purpose=Invitation.Purpose.BOARD
    ).exists()
    if not on_board and access.rfq_role(user, rfq) not in access.OFFICE_ROLES:
        raise NotAllowed(_("Only the office and the administrative members see the board's votes."))
    return policy.board_tally(rfq), decisions
