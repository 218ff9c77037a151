"""Designating the project leader, and the Ota groups' proposals that lead to it."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brokerage.locks import group_proposal_lock
from brokerage.models import GroupProposal, Invitation
from brokerage.policies import CompetingGroupsPolicy, policy_for
from brokerage.reasons import withdrawn_reason
from brokerage.services.workflow_support import (
    deadlines_cancel,
    require_status,
    rfq_context,
    rfq_link,
)
from core import access, clock
from core.bilingual import name_said_to_each
from core.errors import InvalidTransition, NotAllowed, Refusal
from members.models import Firm, User
from members.notifications import notifications_create
from members.selectors import firm_people, office_people
from orders.locks import rfq_lock
from orders.models import RFQ
from orders.services.timeline import event_record

DESIGNATABLE = (RFQ.Status.ROUTED, RFQ.Status.PLANNING)
# Said in each recipient's language when the notification is written for them.
REASON_WORDS = {
    RFQ.LeaderReason.DISCUSSION: gettext_lazy("chosen in discussion among the members"),
    RFQ.LeaderReason.URGENT: gettext_lazy("designated by the office on its urgent authority"),
    RFQ.LeaderReason.CUSTOMER_CHOICE: gettext_lazy("chosen by the customer"),
}


@transaction.atomic
def leader_designate(*, rfq_id: int, firm_id: int, reason: str, user: User | None) -> RFQ:
    """Designate the project leader; of two racing designations only the first wins.

    `user` is None when the platform designates on the office's urgent authority
    (an estimate deadline breached in a network that allows it).
    """
    if reason not in RFQ.LeaderReason.values:
        raise Refusal(_("The reason is one of: discussion, urgent, customer_choice."))
    rfq = rfq_lock(rfq_id)
    if rfq.leader_firm_id is not None:
        raise InvalidTransition(_("A project leader is already designated for this request."))
    require_status(rfq, *DESIGNATABLE, action=_("designate a leader"))
    policy = policy_for(rfq.network)
    missing = policy.ready_for_leader(rfq)
    if missing:
        raise InvalidTransition(missing)
    role = "office" if user is None else access.rfq_acting_role(user, rfq)
    refusal = policy.may_designate(rfq=rfq, firm_id=firm_id, reason=reason, actor_role=role)
    if refusal:
        raise NotAllowed(refusal)
    rfq.leader_firm_id = firm_id
    rfq.leader_reason = reason
    rfq.status = RFQ.Status.LEADER_DESIGNATED
    rfq.save(update_fields=["leader_firm", "leader_reason", "status", "updated_at"])
    deadlines_cancel(rfq=rfq, kinds=["member_response"])
    firm = Firm.objects.get(pk=firm_id)
    event_record(
        kind="leader.designated",
        actor=user,
        rfq=rfq,
        data={"firm": firm_id, "firm_name": firm.name_en, "reason": reason},
    )
    invited = list(rfq.invitations.values_list("firm_id", flat=True))
    notifications_create(
        kind="rfq.leader_designated",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[*firm_people({firm_id, *invited}), *office_people(rfq.network)],
        context={
            **rfq_context(rfq),
            "firm": name_said_to_each(firm),
            "reason": REASON_WORDS[reason],
        },
        link=rfq_link(rfq),
        urgent=reason == RFQ.LeaderReason.URGENT,
    )
    return rfq


@transaction.atomic
def proposal_submit(
    *,
    proposal_id: int,
    user: User,
    price: int,
    lead_time_days: int,
    approach: str = "",
    team_firm_ids: list[int] | None = None,
) -> GroupProposal:
    """A coordinator submits (or revises) its group's proposal for the customer."""
    proposal = GroupProposal.objects.select_related("group").filter(pk=proposal_id).first()
    if proposal is None or proposal.group.coordinator_id != user.firm_id:
        raise NotAllowed(_("Only the group's coordinator firm submits its proposal."))
    rfq = rfq_lock(proposal.rfq_id)
    require_status(rfq, RFQ.Status.ROUTED, action=_("submit a proposal"))
    proposal = group_proposal_lock(proposal_id)
    group_firms = set(proposal.group.memberships.values_list("firm_id", flat=True)) | {
        proposal.group.coordinator_id
    }
    team = sorted(set(team_firm_ids or [proposal.group.coordinator_id]))
    if not set(team) <= group_firms:
        raise Refusal(_("A group's proposal names only firms of that group."))
    first_submission = proposal.status == GroupProposal.Status.PREPARING
    proposal.price = price
    proposal.lead_time_days = lead_time_days
    proposal.approach = approach.strip()
    proposal.team_firm_ids = team
    proposal.status = GroupProposal.Status.SUBMITTED
    proposal.submitted_at = clock.now()
    proposal.save()
    rfq.invitations.filter(firm_id=proposal.group.coordinator_id).update(
        status="can_do",
        price=price,
        lead_time_days=lead_time_days,
        answered_by=user,
        answered_at=proposal.submitted_at,
    )
    event_record(
        kind="proposal.submitted",
        actor=user,
        rfq=rfq,
        data={"group": proposal.group_id, "price": price, "lead_time_days": lead_time_days},
    )
    if first_submission and not rfq.group_proposals.filter(status="preparing").exists():
        notifications_create(
            kind="rfq.proposals_ready",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[rfq.customer],
            context=rfq_context(rfq),
            link=rfq_link(rfq),
        )
    return proposal


@transaction.atomic
def proposal_choose(*, proposal_id: int, user: User) -> RFQ:
    """The customer chooses a group's proposal; its coordinator leads the project."""
    proposal = GroupProposal.objects.select_related("group", "rfq").filter(pk=proposal_id).first()
    if proposal is None or proposal.rfq.customer_id != user.pk:
        raise NotAllowed(_("Only the customer who asked chooses among the proposals."))
    if not isinstance(policy_for(proposal.rfq.network), CompetingGroupsPolicy):
        raise Refusal(_("This network does not take proposals from competing groups."))
    if proposal.status != GroupProposal.Status.SUBMITTED:
        raise InvalidTransition(_("Only a submitted proposal can be chosen."))
    rfq = leader_designate(
        rfq_id=proposal.rfq_id,
        firm_id=proposal.group.coordinator_id,
        reason=RFQ.LeaderReason.CUSTOMER_CHOICE,
        user=user,
    )
    # The groups that proposed lose; a group still preparing has no terms and just stops.
    others = GroupProposal.objects.filter(rfq=rfq).exclude(pk=proposal.pk)
    others.exclude(status=GroupProposal.Status.PREPARING).update(status="not_chosen")
    GroupProposal.objects.filter(pk=proposal.pk).update(status="chosen")
    event_record(kind="proposal.chosen", actor=user, rfq=rfq, data={"group": proposal.group_id})
    return rfq


@transaction.atomic
def rfq_cancel(*, rfq_id: int, user: User, reason: str = "") -> RFQ:
    """Close an open request: the customer withdraws it (their words kept as a note beside
    the reason), or the office closes it with the reason it typed."""
    rfq = rfq_lock(rfq_id)
    role = access.rfq_acting_role(user, rfq)
    if role not in ("customer", "office"):
        raise NotAllowed(_("Only the customer or the network office cancels a request."))
    require_status(rfq, *RFQ.OPEN_STATUSES, action=_("cancel"))
    if role == "customer":
        rfq_close_withdrawn(rfq=rfq, user=user, note=reason)
    else:
        rfq_close_cancelled(rfq=rfq, actor=user, data={"reason": reason.strip()})
        notifications_create(
            kind="rfq.cancelled_customer",
            subject_type="rfq",
            subject_id=rfq.pk,
            recipients=[rfq.customer],
            context=rfq_context(rfq),
            link=rfq_link(rfq),
        )
    return rfq


@transaction.atomic
def rfq_withdraw(*, rfq_id: int, user: User, note: str = "") -> RFQ:
    """The customer withdraws their request before accepting an estimate: the members stop
    working on it and are told, and so is the office."""
    rfq = rfq_lock(rfq_id)
    if not access.may_withdraw(user, rfq):
        raise NotAllowed(_("Only the customer who asked withdraws the request."))
    require_status(rfq, *RFQ.OPEN_STATUSES, action=_("withdraw the request"))
    rfq_close_withdrawn(rfq=rfq, user=user, note=note)
    return rfq


def rfq_close_withdrawn(*, rfq: RFQ, user: User, note: str) -> None:
    """Close a locked request as withdrawn by its customer and tell the office (in the
    caller's transaction)."""
    note = note.strip()
    rfq_close_cancelled(rfq=rfq, actor=user, data={"reason": withdrawn_reason(), "note": note})
    notifications_create(
        kind="rfq.withdrawn_office",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=office_people(rfq.network),
        context={**rfq_context(rfq), "note": note or "—"},
        link=rfq_link(rfq),
    )


def rfq_close_cancelled(*, rfq: RFQ, actor: User, data: dict) -> None:
    """Cancel a locked open request (in the caller's transaction): its deadlines stop, its
    open invitations close, and the firms still working on it are told to stop."""
    rfq.status = RFQ.Status.CANCELLED
    rfq.save(update_fields=["status", "updated_at"])
    deadlines_cancel(rfq=rfq)
    # The firms that have not answered are not asked any more: nothing chases them.
    closed = rfq.invitations.filter(status__in=Invitation.UNANSWERED).update(
        status=Invitation.Status.NOT_NEEDED
    )
    event_record(
        kind="rfq.cancelled", actor=actor, rfq=rfq, data={**data, "invitations_closed": closed}
    )
    # Everyone invited but those who said they cannot do it may be waiting or preparing.
    working = rfq.invitations.exclude(status=Invitation.Status.CANNOT_DO).values_list(
        "firm_id", flat=True
    )
    notifications_create(
        kind="rfq.closed_member",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=firm_people({*working, *([rfq.leader_firm_id] if rfq.leader_firm_id else [])}),
        context=rfq_context(rfq),
        link=rfq_link(rfq),
    )
