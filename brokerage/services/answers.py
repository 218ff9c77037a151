"""Invited firms answer: can do or cannot do; administrative members accept or decline.

Once the board has decided, the administrative members who had not voted are not needed:
their votes close as such, nobody chases them, and their response rate does not count
them. A board's acceptance sends the members the next round of invitations, with its own
answer window from then."""

from django.db import transaction
from django.utils.translation import gettext as _

from brokerage import reasons
from brokerage.locks import invitation_lock
from brokerage.models import BoardDecision, Deadline, Invitation
from brokerage.policies import AdministrativeBoardPolicy, policy_for
from brokerage.services.intake import (
    invitation_round_send,
    invitations_announce,
    rfq_close_no_bid,
)
from brokerage.services.workflow_support import (
    deadlines_cancel,
    invitation_next_round,
    require_status,
    rfq_context,
    rfq_link,
)
from core import clock
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import Network, User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from orders.locks import rfq_lock
from orders.models import RFQ
from orders.services.timeline import event_record

ANSWERABLE = (RFQ.Status.ROUTED, RFQ.Status.PLANNING, RFQ.Status.LEADER_DESIGNATED)


def invitation_for_user(*, invitation_id: int, user: User, lock: bool = False) -> Invitation:
    if lock:
        invitation = invitation_lock(invitation_id)
    else:
        invitation = (
            Invitation.objects.select_related("rfq", "rfq__network", "firm")
            .filter(pk=invitation_id)
            .first()
        )
    if invitation is None or user.firm_id != invitation.firm_id:
        raise NotAllowed(_("This invitation is addressed to another firm."))
    return invitation


@transaction.atomic
def invitation_mark_viewed(*, invitation_id: int, user: User) -> Invitation:
    """Record that the invited firm opened the request (once)."""
    invitation = invitation_for_user(invitation_id=invitation_id, user=user, lock=True)
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.VIEWED
        invitation.viewed_at = clock.now()
        invitation.save(update_fields=["status", "viewed_at"])
    return invitation


@transaction.atomic
def invitation_answer(
    *,
    invitation_id: int,
    user: User,
    can_do: bool,
    price: int | None = None,
    lead_time_days: int | None = None,
    note: str = "",
    line_description: str = "",
) -> Invitation:
    """Answer an invitation; a firm may change its answer until a leader is chosen.

    `note` is for the office and the leader only; `line_description` is how the firm would
    describe its work on the customer's estimate.
    """
    invitation = invitation_for_user(invitation_id=invitation_id, user=user)
    if invitation.purpose == Invitation.Purpose.BOARD:
        raise Refusal(_("Administrative members decide with accept or decline instead."))
    rfq = rfq_lock(invitation.rfq_id)
    require_status(rfq, *ANSWERABLE, action=_("answer this request"))
    if rfq.leader_firm_id is not None and invitation.status in Invitation.ANSWERED:
        raise InvalidTransition(_("A leader is designated: answers are closed."))
    if can_do and (price is None or lead_time_days is None):
        raise Refusal(_("A 'can do' answer needs a price and a lead time."))
    invitation.status = Invitation.Status.CAN_DO if can_do else Invitation.Status.CANNOT_DO
    invitation.price = price if can_do else None
    invitation.lead_time_days = lead_time_days if can_do else None
    invitation.note = note.strip()
    invitation.line_description = line_description.strip() if can_do else ""
    invitation.answered_by = user
    invitation.answered_at = clock.now()
    invitation.save()
    event_record(
        kind="invitation.answered",
        actor=user,
        rfq=rfq,
        data={
            "firm": invitation.firm_id,
            "can_do": can_do,
            "price": invitation.price,
            "lead_time_days": invitation.lead_time_days,
        },
    )
    everyone_declined = (
        rfq.status == RFQ.Status.ROUTED
        and not rfq.invitations.filter(purpose=Invitation.Purpose.ANSWER)
        .exclude(status=Invitation.Status.CANNOT_DO)
        .exists()
        and rfq.network.policy == Network.Policy.COMPETENCY_BROADCAST
    )
    if everyone_declined:
        rfq_close_no_bid(rfq=rfq, reason={"code": reasons.ALL_CANNOT_DO}, actor=None)
    return invitation


@transaction.atomic
def board_decide(*, rfq_id: int, user: User, accept: bool, reason: str = "") -> BoardDecision:
    """Record an administrative member's vote, or its changed vote, and apply the board's rule.

    Voting the same again changes nothing and records nothing.
    """
    rfq = rfq_lock(rfq_id)
    policy = policy_for(rfq.network)
    if not isinstance(policy, AdministrativeBoardPolicy):
        raise Refusal(_("This network has no administrative board."))
    require_status(rfq, RFQ.Status.ROUTED, action=_("decide on this request"))
    invitation = rfq.invitations.filter(
        firm_id=user.firm_id, purpose=Invitation.Purpose.BOARD
    ).first()
    if invitation is None:
        raise NotAllowed(_("Only the administrative members decide on this request."))
    if policy.board_outcome(rfq) is not None:
        raise InvalidTransition(_("The board has already decided on this request."))
    if not accept and not reason.strip():
        raise Refusal(_("Give the customer a reason when declining."))
    decision = BoardDecision.objects.filter(rfq=rfq, firm_id=user.firm_id).first()
    changed = decision is not None
    if decision is None:
        decision = BoardDecision(rfq=rfq, firm_id=user.firm_id)
    elif (decision.accept, decision.reason) == (accept, reason.strip()):
        return decision
    # Until the board decides, a member may change its vote: the latest one counts.
    now = clock.now()
    decision.accept = accept
    decision.reason = reason.strip()
    decision.decided_by = user
    decision.at = now
    decision.save()
    invitation.status = Invitation.Status.CAN_DO if accept else Invitation.Status.CANNOT_DO
    invitation.answered_by = user
    invitation.answered_at = now
    invitation.note = reason.strip()
    invitation.save(update_fields=["status", "answered_by", "answered_at", "note"])
    event_record(
        kind="board.decided",
        actor=user,
        rfq=rfq,
        data={
            "firm": user.firm_id,
            "accept": accept,
            "reason": reason.strip(),
            **({"changed": True} if changed else {}),
        },
    )
    outcome = policy.board_outcome(rfq)
    if outcome is not None:
        board_votes_close(rfq=rfq, round_number=invitation.round)
    if outcome is False:
        notes = BoardDecision.objects.filter(rfq=rfq, accept=False).values_list("reason", flat=True)
        rfq_close_no_bid(rfq=rfq, reason=reasons.board_declined_reason(list(notes)), actor=user)
    elif outcome is True:
        board_accept(rfq=rfq, policy=policy)
    return decision


def board_votes_close(*, rfq: RFQ, round_number: int) -> None:
    """The board decided: the votes still open are not needed, and nobody is chased for
    them (the board round's answer window is cancelled)."""
    rfq.invitations.filter(
        purpose=Invitation.Purpose.BOARD, status__in=Invitation.UNANSWERED
    ).update(status=Invitation.Status.NOT_NEEDED)
    deadlines_cancel(rfq=rfq, kinds=[Deadline.Kind.MEMBER_RESPONSE], round_number=round_number)


def board_accept(*, rfq: RFQ, policy: AdministrativeBoardPolicy) -> None:
    """The board accepted: invite the members with the skills to answer for the team, as
    a new round with its own answer window."""
    board_firms = set(rfq.invitations.values_list("firm_id", flat=True))
    candidates = [c for c in policy.rank(rfq) if c.firm_id not in board_firms]
    rows = policy.invitation_rows(rfq, candidates, Invitation.Purpose.ANSWER)
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
    if rows:
        invitation_round_send(rfq=rfq, round_number=round_number)
    event_record(
        kind="rfq.accepted_by_board",
        actor=None,
        rfq=rfq,
        data={"invited": [{"firm": row[0], "rank": row[2], "reason": row[3]} for row in rows]},
    )
    invitations_announce(rfq=rfq, firm_ids=[row[0] for row in rows], round_number=round_number)
    in_charge = list(
        BoardDecision.objects.filter(rfq=rfq, accept=True).values_list("firm_id", flat=True)
    )
    notifications_create(
        kind="rfq.accepted_by_board",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[*office_people(rfq.network), *firm_people(in_charge)],
        context=rfq_context(rfq),
        link=rfq_link(rfq),
    )
