"""The network office's triage of a request no member firm covers.

Routing hands such a request to the office (`intake.rfq_triage_open`) instead of closing
it. The office then corrects its requirements and routes it again, invites firms of its
network by hand, or closes it as no bid with its decision; if it does none of these within
the network's triage window, the deadline sweeper closes it (`deadlines.triage_due`).
Each step is the office's alone, checks that the request is still in triage under its row
lock, records an event and tells the customer what happens next. Another way out of triage
(a referral to another network) is one more step of this kind.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from brokerage import reasons
from brokerage.models import Deadline, Invitation
from brokerage.policies import MEMBER_ROLES, policy_for
from brokerage.services.intake import (
    RequirementInput,
    invitation_round_send,
    invitations_announce,
    rfq_close_no_bid,
    rfq_route,
)
from brokerage.services.workflow_support import (
    deadlines_cancel,
    invitation_next_round,
    require_status,
    rfq_context,
    rfq_link,
)
from capabilities.models import Capability
from core import access
from core.errors import NotAllowed, Refusal
from members.models import Membership, User
from members.notifications import notifications_create
from orders.locks import rfq_lock
from orders.models import RFQ, RFQRequirement
from orders.services.timeline import event_record

MAX_NOTE = 1000


def triaged_lock(*, rfq_id: int, user: User, action: str) -> RFQ:
    """Lock a request the person's office triages, still in triage; refuse anyone else."""
    rfq = rfq_lock(rfq_id)
    if not access.may_triage(user, rfq):
        raise NotAllowed(_("Only the network's office triages its requests."))
    require_status(rfq, RFQ.Status.TRIAGE, action=action)
    return rfq


def note_checked(note: str, *, required: bool) -> str:
    note = note.strip()
    if required and not note:
        raise Refusal(_("Say why, in a few words."), field="reason")
    if len(note) > MAX_NOTE:
        raise Refusal(
            _("Say it in %(count)s characters or fewer.") % {"count": MAX_NOTE}, field="reason"
        )
    return note


def triage_left(*, rfq: RFQ) -> None:
    """The request left the office's triage for its members: its window is moot, and the
    customer is told that firms are answering now."""
    deadlines_cancel(rfq=rfq, kinds=[Deadline.Kind.TRIAGE])
    notifications_create(
        kind="rfq.triage_routed",
        subject_type="rfq",
        subject_id=rfq.pk,
        recipients=[rfq.customer],
        context=rfq_context(rfq),
        link=rfq_link(rfq),
    )


@transaction.atomic
def rfq_triage_requirements(
    *, rfq_id: int, requirements: Sequence[RequirementInput], user: User
) -> RFQ:
    """Correct the skills a request in triage needs, and route it again.

    Refused, with nothing changed, if still no member firm covers the corrected
    requirements: the office corrects them again, invites firms by hand or closes it.
    """
    rfq = triaged_lock(rfq_id=rfq_id, user=user, action=_("correct the requirements"))
    codes = [requirement.capability_code for requirement in requirements]
    if not codes:
        raise Refusal(_("Choose at least one required skill."), field="requirements")
    if len(set(codes)) != len(codes):
        raise Refusal(_("Each capability may be required only once."), field="requirements")
    capabilities = {
        capability.code: capability
        for capability in Capability.objects.filter(code__in=codes, is_active=True)
    }
    unknown = sorted(set(codes) - set(capabilities))
    if unknown:
        raise Refusal(
            _("Unknown capabilities: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="requirements",
        )
    before = list(
        rfq.requirements.order_by("capability__code").values_list("capability__code", flat=True)
    )
    rfq.requirements.all().delete()
    RFQRequirement.objects.bulk_create(
        [
            RFQRequirement(
                rfq=rfq,
                capability=capabilities[requirement.capability_code],
                min_grade=requirement.min_grade,
                note=requirement.note,
            )
            for requirement in requirements
        ]
    )
    event_record(
        kind="rfq.requirements_corrected",
        actor=user,
        rfq=rfq,
        data={"before": before, "requirements": codes},
    )
    rfq_route(rfq=rfq, round_number=invitation_next_round(rfq))
    triage_left(rfq=rfq)
    return rfq


@transaction.atomic
def rfq_triage_invite(*, rfq_id: int, firm_ids: Sequence[int], note: str, user: User) -> RFQ:
    """Invite member firms of the network by hand, with the office's reason kept on each
    invitation; they answer within the usual window from now."""
    rfq = triaged_lock(rfq_id=rfq_id, user=user, action=_("invite firms"))
    note = note_checked(note, required=True)
    firm_ids = list(dict.fromkeys(firm_ids))
    if not firm_ids:
        raise Refusal(_("Choose at least one member firm."), field="firms")
    members = set(
        Membership.objects.filter(
            network=rfq.network, firm_id__in=firm_ids, role__in=MEMBER_ROLES, is_active=True
        ).values_list("firm_id", flat=True)
    )
    if set(firm_ids) - members:
        raise Refusal(_("Invite only active member firms of this network."), field="firms")
    policy = policy_for(rfq.network)
    hidden = [firm_id for firm_id in firm_ids if not policy.visible_to_firm(rfq, firm_id)]
    if hidden:
        raise Refusal(
            _("The request is confidential: invite only firms that signed the network's NDA."),
            field="firms",
        )
    if rfq.invitations.filter(firm_id__in=firm_ids).exists():
        raise Refusal(_("A chosen firm is invited already."), field="firms")
    round_number = invitation_next_round(rfq)
    reason = reasons.office_invited_reason(note)
    first_rank = rfq.invitations.count() + 1
    Invitation.objects.bulk_create(
        [
            Invitation(
                rfq=rfq,
                firm_id=firm_id,
                purpose=policy.invitation_purpose,
                rank=rank,
                reason=reason,
                round=round_number,
            )
            for rank, firm_id in enumerate(firm_ids, start=first_rank)
        ]
    )
    rfq.status = RFQ.Status.ROUTED
    rfq.save(update_fields=["status", "updated_at"])
    invitation_round_send(rfq=rfq, round_number=round_number)
    event_record(
        kind="rfq.triage_invited",
        actor=user,
        rfq=rfq,
        data={
            "round": round_number,
            "reason": reason,
            "invited": [{"firm": firm_id, "reason": reason} for firm_id in firm_ids],
        },
    )
    invitations_announce(rfq=rfq, firm_ids=firm_ids, round_number=round_number)
    triage_left(rfq=rfq)
    return rfq


@transaction.atomic
def rfq_triage_close(*, rfq_id: int, note: str, user: User) -> RFQ:
    """Close a request in triage as no bid, with the office's decision kept as its reason
    and told to the customer and the office."""
    rfq = triaged_lock(rfq_id=rfq_id, user=user, action=_("close it"))
    note = note_checked(note, required=True)
    rfq_close_no_bid(rfq=rfq, reason=reasons.office_closed_reason(note), actor=user)
    return rfq
