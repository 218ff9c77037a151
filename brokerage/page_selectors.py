"""Reads the pages need beyond brokerage.selectors, scoped by the same rules.

Every function here either starts from a scoped selector (a request the person may see,
their firm's invitations, their office's networks) or reads public data (the taxonomy).
"""

from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from brokerage.models import (
    BoardDecision,
    GroupProposal,
    Interview,
    Invitation,
    PhaseAssignment,
    PlanningMeeting,
)
from brokerage.policies import MEMBER_ROLES
from brokerage.selectors import (
    invitation_list_for_firm,
    proposal_list_for_rfq,
    rfq_get_for_user,
    rfq_list_for_user,
)
from capabilities.models import Capability
from core import access
from members.models import Firm, Membership, Notification, User
from members.selectors import notification_inbox
from orders.models import CLOCK_RUNNING, RFQ, Event, Message
from orders.selectors import message_list_for_rfq, unread_message_count

# A firm that let the answer window pass may still answer late: it stays on top.
STILL_TO_ANSWER = (*Invitation.UNANSWERED, Invitation.Status.NO_RESPONSE)


def capability_taxonomy() -> list[Capability]:
    """Return the active capabilities a request may require, by kind and code.

    The kind roots ("process", "material" …) are left out: they say nothing a firm
    could be matched on.
    """
    return list(
        Capability.objects.filter(is_active=True, code__contains=".")
        .only("code", "kind", "name_ja", "name_en", "keywords")
        .order_by("kind", "code")
    )


def rfq_list_for_page(user: User, *, status: str = "", sort: str = "-created") -> QuerySet[RFQ]:
    """Return the person's visible requests, filtered by status and sorted for a list."""
    requests = rfq_list_for_user(user)
    if status:
        requests = requests.filter(status=status)
    # Each order and its reverse read one index (rfq_newest_first_idx, rfq_due_first_idx)
    # forwards or backwards: a page stops after its rows instead of sorting all of them.
    orderings = {
        "due": ("estimate_due_at", "id"),
        "-due": ("-estimate_due_at", "-id"),
        "created": ("created_at", "id"),
        "-created": ("-created_at", "-id"),
    }
    return requests.annotate(unread_messages=unread_message_count(user)).order_by(
        *orderings.get(sort, orderings["-created"])
    )


def office_queue(user: User, *, network_id: int | None = None, status: str = "") -> QuerySet[RFQ]:
    """Return the office's open requests, the clock's most urgent first (overdue on top).

    The order is rfq_office_queue_idx's, so that a page reads its rows from the index;
    queue_progress adds what each row shows of the members' answers.
    """
    requests = (
        RFQ.objects.filter(
            network_id__in=access.office_network_ids(user), status__in=RFQ.OPEN_STATUSES
        )
        # The customer is read for the page's rows only: joined, every open request met
        # its customer before the sort on pages past the first (a hash of every person).
        .select_related("network")
        .prefetch_related("customer")
    )
    if network_id:
        requests = requests.filter(network_id=network_id)
    if status:
        requests = requests.filter(status=status)
    return requests.annotate(clock_running=CLOCK_RUNNING).order_by(
        "-clock_running", "estimate_due_at", "id"
    )


def queue_progress(user: User, rfqs: list[RFQ]) -> list[RFQ]:
    """Add the answers and proposals counted for each request of a page of the queue, and
    the messages the person has not read.

    One query for the page's rows only: counted in the query that sorts the queue, they
    were counted for every row PostgreSQL passed over too (a thousand on page 40).
    """
    if not rfqs:
        return rfqs
    invitations = Invitation.objects.filter(rfq=OuterRef("pk"))
    counts = {
        "invited_count": _row_count(invitations),
        "answered_count": _row_count(invitations.filter(status__in=Invitation.ANSWERED)),
        "can_do_count": _row_count(invitations.filter(status=Invitation.Status.CAN_DO)),
        "board_count": _row_count(invitations.filter(purpose=Invitation.Purpose.BOARD)),
        "board_decided_count": _row_count(BoardDecision.objects.filter(rfq=OuterRef("pk"))),
        "proposal_count": _row_count(GroupProposal.objects.filter(rfq=OuterRef("pk"))),
        "proposals_submitted_count": _row_count(
            GroupProposal.objects.filter(rfq=OuterRef("pk")).exclude(
                status=GroupProposal.Status.PREPARING
            )
        ),
        "unread_messages": unread_message_count(user),
        # Why a request waits for the office's triage (data, said when the row is shown).
        "triage_reason": Subquery(
            Event.objects.filter(rfq=OuterRef("pk"), kind="rfq.triage")
            .order_by("-at", "-id")
            .values("data__reason")[:1]
        ),
    }
    rows = RFQ.objects.filter(pk__in=[rfq.pk for rfq in rfqs]).order_by().annotate(**counts)
    by_id = {row["pk"]: row for row in rows.values("pk", *counts)}
    for rfq in rfqs:
        for name in counts:
            setattr(rfq, name, by_id[rfq.pk][name])
    return rfqs


def _row_count(rows: QuerySet) -> Subquery:
    """Return the number of `rows` (correlated to the outer request) as an annotation.

    A subquery per count, not a join: PostgreSQL evaluates it for the rows of the page
    only, after ordering and slicing, where joins would be counted for every open request.
    (COUNT as a plain function: one row, without the GROUP BY Django adds to aggregates.)
    """
    counted = rows.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count")
    return Subquery(counted, output_field=IntegerField())


def invitation_inbox(user: User, *, status: str = "") -> QuerySet[Invitation]:
    """Return the firm's invitations, those still to answer first, soonest due first."""
    invitations = invitation_list_for_firm(user).annotate(
        unread_messages=unread_message_count(user, rfq="rfq_id"),
        to_answer=Case(
            When(
                Q(status__in=STILL_TO_ANSWER) & Q(rfq__status__in=RFQ.OPEN_STATUSES),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    if status:
        invitations = invitations.filter(status=status)
    return invitations.order_by("-to_answer", "answer_due_at", "-created_at", "-id")


def message_threads_for_rfq(
    user: User, rfq: RFQ, audiences: Iterable[str]
) -> dict[str, list[Message]]:
    """Return each of these threads of a request as the person may read it, in one query.

    Each message carries `is_new` (orders.selectors.message_list_for_rfq).
    """
    audiences = tuple(audiences)
    threads: dict[str, list[Message]] = {audience: [] for audience in audiences}
    for message in message_list_for_rfq(user, rfq, audiences):
        threads[message.audience].append(message)
    return threads


def phase_assignments_for_rfq(rfq: RFQ) -> QuerySet[PhaseAssignment]:
    """Return the firms chosen per phase of a consultation (visible with the request)."""
    return PhaseAssignment.objects.filter(rfq=rfq).select_related("firm")


def estimate_firms(rfq: RFQ) -> QuerySet[Firm]:
    """Return the firms an estimate line may name: the request's invitees and its team.

    That is every firm invited, the leader, the firms chosen for phases and, where groups
    competed, every firm of the chosen group.
    """
    firm_ids = set(rfq.invitations.values_list("firm_id", flat=True))
    firm_ids |= set(rfq.phase_assignments.values_list("firm_id", flat=True))
    if rfq.leader_firm_id:
        firm_ids.add(rfq.leader_firm_id)
    chosen_groups = rfq.group_proposals.filter(status=GroupProposal.Status.CHOSEN).values(
        "group_id"
    )
    firm_ids |= set(
        Membership.objects.filter(group_id__in=chosen_groups, is_active=True).values_list(
            "firm_id", flat=True
        )
    )
    return Firm.objects.filter(
        pk__in=firm_ids, memberships__network=rfq.network, memberships__is_active=True
    ).order_by("name_en")


def group_firms(proposal: GroupProposal) -> QuerySet[Firm]:
    """Return the firms a group's proposal may name: the coordinator and its group."""
    return (
        Firm.objects.filter(
            Q(pk=proposal.group.coordinator_id)
            | Q(memberships__group=proposal.group, memberships__is_active=True)
        )
        .distinct()
        .order_by("name_en")
    )


def customers_for_office(user: User) -> QuerySet[User]:
    """Return the customers who have asked the person's office networks before."""
    return (
        User.objects.filter(
            firm__isnull=True,
            is_staff=False,
            is_active=True,
            rfqs__network_id__in=access.office_network_ids(user),
        )
        .distinct()
        .order_by("organization", "last_name", "first_name", "username")
    )


def unread_notification_count(user: User) -> int:
    return notification_inbox(user).filter(read_at__isnull=True).count()


def inbox_for_page(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """Return the person's in-app notifications, newest first."""
    inbox = notification_inbox(user)
    if unread_only:
        inbox = inbox.filter(read_at__isnull=True)
    return inbox.order_by("-created_at", "-id")


def firm_roles(user: User) -> set[str]:
    """Return the membership roles of the person's firm across its networks."""
    if not user.is_authenticated or user.firm_id is None:
        return set()
    return set(
        Membership.objects.filter(firm_id=user.firm_id, is_active=True).values_list(
            "role", flat=True
        )
    )


def invitation_get_for_firm(user: User, invitation_id: int) -> Invitation:
    """Return one of the firm's invitations, or 404 whether it is absent or another firm's."""
    invitation = invitation_list_for_firm(user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def proposal_get_for_user(user: User, proposal_id: int) -> GroupProposal:
    """Return a group's proposal the person may see, or 404."""
    proposal = GroupProposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal.")
    rfq = rfq_get_for_user(user, proposal.rfq_id)
    proposal = proposal_list_for_rfq(user, rfq).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def triage_of(rfq: RFQ) -> dict | None:
    """Return why a request waits for the office's triage and when it closes (the latest
    `rfq.triage` event's data), or None if it does not."""
    if rfq.status != RFQ.Status.TRIAGE:
        return None
    event = rfq.events.filter(kind="rfq.triage").order_by("-at", "-id").first()
    return event.data if event is not None else {}


def triage_firm_choices(rfq: RFQ) -> list[tuple[int, str]]:
    """Return the member firms the office may invite by hand: active members of the
    request's network (never its office), not invited yet, by name."""
    firms = (
        Firm.objects.filter(
            memberships__network_id=rfq.network_id,
            memberships__is_active=True,
            memberships__role__in=MEMBER_ROLES,
        )
        .exclude(invitations__rfq=rfq)
        .distinct()
    )
    return sorted(((firm.pk, firm.name) for firm in firms), key=lambda choice: choice[1])


def consultation_for_rfq(rfq: RFQ) -> tuple[Interview | None, PlanningMeeting | None]:
    """Return a consultation's interview and planning meeting, where they are scheduled."""
    return (
        Interview.objects.filter(rfq=rfq).first(),
        PlanningMeeting.objects.filter(rfq=rfq).first(),
    )


def longest_can_do_lead_time(rfq: RFQ) -> int | None:
    """Return the longest lead time of the 'can do' answers: the team's lead time."""
    return rfq.invitations.filter(status=Invitation.Status.CAN_DO).aggregate(
        longest=Max("lead_time_days")
    )["longest"]
