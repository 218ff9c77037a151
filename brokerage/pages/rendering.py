"""The request page, drawn for the person looking at it: customer, office or member firm.

A page is built from fresh forms, except the ones a refused POST hands back bound (with
what was typed and why it was refused): `bound` maps a form's context name to it.
"""

import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from brokerage.forms import (
    AnswerForm,
    BoardDecisionForm,
    CancelForm,
    DeclineForm,
    DrawingsForm,
    EstimateForm,
    EstimateLineFormSet,
    InterviewNotesForm,
    LeaderForm,
    MessageForm,
    PhasesForm,
    ProposalForm,
    ReissueForm,
    ScheduleForm,
    TriageCloseForm,
    TriageInviteForm,
    TriageRequirementsForm,
    default_valid_until,
    grade_field_name,
)
from brokerage.models import GroupProposal, Invitation, PhaseAssignment
from brokerage.page_selectors import (
    capability_taxonomy,
    consultation_for_rfq,
    estimate_firms,
    group_firms,
    longest_can_do_lead_time,
    message_threads_for_rfq,
    phase_assignments_for_rfq,
    triage_firm_choices,
    triage_of,
)
from brokerage.pages.timeline import timeline_entries
from brokerage.policies import AdministrativeBoardPolicy, BoardTally, policy_for
from brokerage.reasons import reason_text
from brokerage.selectors import (
    answer_notes_for_rfq,
    board_decisions_for_rfq,
    estimate_list_for_rfq,
    event_list_for_rfq,
    invitation_list_for_rfq,
    promise_of,
    proposal_list_for_rfq,
)
from brokerage.services.answers import ANSWERABLE
from brokerage.services.designation import DESIGNATABLE
from brokerage.services.estimates import suggested_lines
from capabilities.matching.explanations import Names
from core import access
from members.models import Network
from orders.models import RFQ, Message
from orders.page_selectors import firm_names
from orders.preview_selectors import drawings_with_previews
from orders.services.timeline import threads_mark_read

COMPOSABLE = (RFQ.Status.LEADER_DESIGNATED, RFQ.Status.ESTIMATE_SENT)
# The interview's and the planning meeting's forms share a page: their ids must differ.
INTERVIEW_IDS = "id_interview_%s"
PLANNING_IDS = "id_planning_%s"


def page_url(user, rfq: RFQ) -> str:
    """Return where a person works on a request: a member firm on its invitation."""
    if access.rfq_role(user, rfq) == access.MEMBER:
        invitation = invitation_list_for_rfq(user, rfq).first()
        if invitation is not None:
            return reverse("pages:invitation", args=[invitation.pk])
    return reverse("pages:request", args=[rfq.pk])


def open_request_page(request, rfq: RFQ):
    """Show the request to the person who opened it: the threads it shows are then read.

    Only a thread with a message new to them moves their read marker: opening a page
    with nothing new writes nothing.
    """
    template, context = request_page(request, rfq)
    newest = {
        thread["audience"]: thread["messages"][-1].pk
        for key, thread in context.items()
        if key.endswith("_thread") and thread["new_count"]
    }
    threads_mark_read(user=request.user, rfq=rfq, read_up_to=newest)
    return render_page(request, rfq, template, context)


def render_request_page(
    request, rfq: RFQ, *, bound: dict | None = None, status: int = 200, problem: str = ""
):
    """Render the request as the person's role sees it, with any refused forms bound.

    `problem` is said once more at the top of the page, so that it is seen (and read out)
    even when the refused form is far below or no longer shown.
    """
    template, context = request_page(request, rfq, bound=bound, problem=problem)
    return render_page(request, rfq, template, context, status=status)


def render_page(request, rfq: RFQ, template: str, context: dict, *, status: int = 200):
    # Times on the page, and in its forms, are the network's (Asia/Tokyo for the demos).
    with timezone.override(rfq.network.tzinfo):
        return render(request, template, context, status=status)


def request_page(
    request, rfq: RFQ, *, bound: dict | None = None, problem: str = ""
) -> tuple[str, dict]:
    """Return the template and context of the request as the person's role sees it."""
    bound = bound or {}
    role = access.rfq_role(request.user, rfq)
    if role == "customer":
        context = customer_context(request, rfq, bound)
        template = "brokerage/requests/customer.html"
    elif role in ("office", "staff"):
        context = office_context(request, rfq, bound)
        template = "brokerage/requests/office.html"
    else:
        invitation = invitation_list_for_rfq(request.user, rfq).first()
        context = member_context(request, rfq, invitation, bound)
        template = "brokerage/member/invitation.html"
    context["problem"] = problem
    return template, context


def shared_context(request, rfq: RFQ, role: str) -> dict:
    user = request.user
    details_visible = access.rfq_details_visible(user, rfq)
    requirements = list(rfq.requirements.select_related("capability"))
    return {
        "rfq": rfq,
        "network": rfq.network,
        "role": role,
        "details_visible": details_visible,
        "requirements": requirements,
        # The reasons on the page name these capabilities without reading them again.
        "reason_names": Names().know(requirement.capability for requirement in requirements),
        "drawings": list(drawings_with_previews(rfq)) if details_visible else [],
        "timeline": timeline_entries(event_list_for_rfq(user, rfq), rfq=rfq, user=user),
        "clock_running": rfq.status in RFQ.CLOCK_STATUSES,
        # What the network promised next (Rodan21's interview, planning meeting, estimate).
        "promise": promise_of(rfq),
        "may_cancel": role in ("customer", "office") and rfq.is_open,
    }


def threads_context(request, rfq: RFQ, audiences: tuple[str, ...], bound: dict) -> dict:
    """Return `<audience>_thread` for each thread the page shows, its messages read at once."""
    threads = message_threads_for_rfq(request.user, rfq, audiences)
    return {
        f"{audience}_thread": {
            "audience": audience,
            "messages": threads[audience],
            "new_count": sum(message.is_new for message in threads[audience]),
            "form": bound.get(f"{audience}_message_form")
            or MessageForm(initial={"audience": audience}, auto_id=f"id_{audience}_%s"),
        }
        for audience in audiences
    }


def estimate_compose_context(rfq: RFQ, bound: dict) -> dict:
    """Return the estimate form, its lines prefilled from the members' 'can do' answers.

    Each line carries its firm's internal answer note, shown beside it (labelled as such)
    for the composer to read before sending; it is never part of the line.
    """
    firm_choices = [(firm.pk, firm.name) for firm in estimate_firms(rfq)]
    if "estimate_form" in bound:
        context = {"estimate_form": bound["estimate_form"], "line_formset": bound["line_formset"]}
    else:
        context = fresh_estimate_forms(rfq, firm_choices)
    notes = answer_notes_for_rfq(rfq)
    for line in context["line_formset"]:
        firm = str(line["firm"].value() or "")
        line.internal_note = notes.get(int(firm)) if firm.isdigit() else None
    return context


def fresh_estimate_forms(rfq: RFQ, firm_choices: list) -> dict:
    lines = [
        {
            "firm": line.firm_id,
            "work_package": line.work_package,
            "description": line.description,
            "amount": line.amount,
        }
        for line in suggested_lines(rfq)
    ]
    return {
        "estimate_form": EstimateForm(
            initial={
                "lead_time_days": longest_can_do_lead_time(rfq),
                "valid_until": default_valid_until(),
            }
        ),
        "line_formset": EstimateLineFormSet(
            initial=lines, form_kwargs={"firm_choices": firm_choices}, prefix="lines"
        ),
    }


def customer_context(request, rfq: RFQ, bound: dict) -> dict:
    user = request.user
    estimates = list(estimate_list_for_rfq(user, rfq))
    proposals = list(proposal_list_for_rfq(user, rfq))
    # The customer compares the groups' teams by name: every team's firms in one read.
    names = firm_names(firm_id for proposal in proposals for firm_id in proposal.team_firm_ids)
    for proposal in proposals:
        proposal.team_names = [names[i] for i in proposal.team_firm_ids if i in names]
    interview, _ = consultation_for_rfq(rfq)
    return {
        **shared_context(request, rfq, "customer"),
        "nav_section": "requests",
        "estimate": estimates[0] if estimates else None,
        "earlier_estimates": estimates[1:],
        "proposals": proposals,
        "may_choose": (
            rfq.status == RFQ.Status.ROUTED
            and rfq.leader_firm_id is None
            and any(p.status == GroupProposal.Status.SUBMITTED for p in proposals)
        ),
        "interview": interview,
        "decline_form": bound.get("decline_form") or DeclineForm(),
        "cancel_form": bound.get("cancel_form") or CancelForm(),
        "drawings_form": bound.get("drawings_form") or DrawingsForm(),
        **threads_context(request, rfq, (Message.Audience.CUSTOMER,), bound),
    }


def leader_choices(
    rfq: RFQ, invitations: list[Invitation], phase_assignments: list[PhaseAssignment] | None = None
) -> list[tuple[int, str]]:
    """Return the firms the office may designate, each with what it answered.

    The office's page passes the phase assignments it already read, so they are read once.
    """
    choices = []
    if phase_assignments is None:
        phase_assignments = list(phase_assignments_for_rfq(rfq))
    phase_firms = {a.firm_id: a.firm for a in phase_assignments}
    for invitation in invitations:
        if invitation.status == Invitation.Status.CANNOT_DO:
            continue
        label = f"{invitation.firm.name} — {invitation.get_status_display()}"
        choices.append((invitation.firm_id, label))
        phase_firms.pop(invitation.firm_id, None)
    choices += [(firm.pk, firm.name) for firm in phase_firms.values()]
    return choices


def office_context(request, rfq: RFQ, bound: dict) -> dict:
    user = request.user
    invitations = list(invitation_list_for_rfq(user, rfq))
    consultation = rfq.network.policy == Network.Policy.CONSULTATION
    interview, planning_meeting = consultation_for_rfq(rfq) if consultation else (None, None)
    planners = [i.firm for i in invitations if i.purpose == Invitation.Purpose.PLANNING]
    may_designate = rfq.leader_firm_id is None and rfq.status in DESIGNATABLE
    context = {
        **shared_context(request, rfq, "office"),
        "nav_section": "queue",
        "invitations": invitations,
        "answered_count": sum(i.status in Invitation.ANSWERED for i in invitations),
        "can_do_count": sum(i.status == Invitation.Status.CAN_DO for i in invitations),
        "board_decisions": list(board_decisions_for_rfq(user, rfq)),
        "board_tally": board_tally_for(rfq),
        "proposals": list(proposal_list_for_rfq(user, rfq)),
        "consultation": consultation,
        "interview": interview,
        "planning_meeting": planning_meeting,
        "phase_assignments": list(phase_assignments_for_rfq(rfq)),
        "may_designate": may_designate,
        "urgent_allowed": rfq.network.office_may_designate_urgent,
        "estimates": list(estimate_list_for_rfq(user, rfq)),
        "may_compose": rfq.status in COMPOSABLE,
        "cancel_form": bound.get("cancel_form") or CancelForm(),
        "drawings_form": bound.get("drawings_form") or DrawingsForm(),
        **threads_context(
            request, rfq, (Message.Audience.CUSTOMER, Message.Audience.INTERNAL), bound
        ),
    }
    if may_designate:
        context["leader_form"] = bound.get("leader_form") or LeaderForm(
            firm_choices=leader_choices(rfq, invitations, context["phase_assignments"])
        )
    if consultation and rfq.status == RFQ.Status.INTERVIEW:
        context["interview_form"] = bound.get("interview_form") or ScheduleForm(
            initial={"scheduled_at": interview.scheduled_at, "place": interview.place}
            if interview
            else None,
            auto_id=INTERVIEW_IDS,
        )
        context["interview_notes_form"] = bound.get("interview_notes_form") or (
            InterviewNotesForm()
        )
    if consultation and rfq.status == RFQ.Status.PLANNING:
        context["planning_form"] = bound.get("planning_form") or ScheduleForm(
            initial={
                "scheduled_at": planning_meeting.scheduled_at,
                "place": planning_meeting.place,
            }
            if planning_meeting
            else None,
            auto_id=PLANNING_IDS,
        )
        context["phases_form"] = bound.get("phases_form") or PhasesForm(
            firms=planners,
            initial={f"phase_{a.phase}": a.firm_id for a in context["phase_assignments"]},
        )
    if context["may_compose"]:
        context.update(estimate_compose_context(rfq, bound))
    if rfq.status == RFQ.Status.EXPIRED and access.may_reissue_estimate(user, rfq):
        # The latest version, expired unanswered, may be sent again with a new validity.
        context["reissue_form"] = bound.get("reissue_form") or ReissueForm(
            initial={"valid_until": default_valid_until()}
        )
    context.update(triage_context(request, rfq, bound))
    return context


def triage_context(request, rfq: RFQ, bound: dict) -> dict:
    """Return why the request waits for the office's triage, until when, and the office's
    three ways out of it: correct the requirements, invite firms by hand, close it."""
    triage = triage_of(rfq)
    if triage is None:
        return {}
    context = {
        "triage_reason": reason_text(triage.get("reason")),
        "triage_closes_at": datetime.datetime.fromisoformat(triage["closes_at"])
        if triage.get("closes_at")
        else None,
        "may_triage": access.may_triage(request.user, rfq),
    }
    if not context["may_triage"]:
        return context
    current = list(rfq.requirements.select_related("capability"))
    return {
        **context,
        "triage_requirements_form": bound.get("triage_requirements_form")
        or TriageRequirementsForm(
            capabilities=capability_taxonomy(),
            initial={
                "requirements": [requirement.capability.code for requirement in current],
                **{
                    grade_field_name(requirement.capability): requirement.min_grade
                    for requirement in current
                },
            },
        ),
        "triage_invite_form": bound.get("triage_invite_form")
        or TriageInviteForm(firm_choices=triage_firm_choices(rfq)),
        "triage_close_form": bound.get("triage_close_form") or TriageCloseForm(),
    }


def member_context(request, rfq: RFQ, invitation: Invitation | None, bound: dict) -> dict:
    """Return what an invited firm sees: the request, its reason, and its next step."""
    user = request.user
    is_leader = user.firm_id == rfq.leader_firm_id
    shared = shared_context(request, rfq, "member")
    context = {
        **shared,
        "nav_section": "invitations",
        "invitation": invitation,
        "answer_due_at": invitation.answer_due_at if invitation else None,
        "is_leader": is_leader,
        # The project leader also talks with the customer.
        **threads_context(
            request,
            rfq,
            (Message.Audience.INTERNAL, *((Message.Audience.CUSTOMER,) if is_leader else ())),
            bound,
        ),
    }
    if invitation is None:
        return context
    purpose = invitation.purpose
    answers_open = rfq.status in ANSWERABLE and not (
        rfq.leader_firm_id is not None and invitation.status in Invitation.ANSWERED
    )
    if purpose in (Invitation.Purpose.ANSWER, Invitation.Purpose.PLANNING) and answers_open:
        context["answer_form"] = bound.get("answer_form") or AnswerForm(
            initial=current_answer(invitation)
        )
    if purpose == Invitation.Purpose.BOARD:
        context.update(board_context(request, rfq, bound))
    if purpose == Invitation.Purpose.GROUP:
        proposal = proposal_list_for_rfq(user, rfq).first()
        context["proposal"] = proposal
        if proposal is not None and rfq.status == RFQ.Status.ROUTED:
            context["proposal_form"] = bound.get("proposal_form") or ProposalForm(
                firms=group_firms(proposal),
                initial={
                    "price": proposal.price,
                    "lead_time_days": proposal.lead_time_days,
                    "approach": proposal.approach,
                    "team": proposal.team_firm_ids or [proposal.group.coordinator_id],
                },
            )
    if is_leader:
        context["estimates"] = list(estimate_list_for_rfq(user, rfq))
        context["may_compose"] = rfq.status in COMPOSABLE
        if context["may_compose"]:
            context.update(estimate_compose_context(rfq, bound))
    return context


def current_answer(invitation: Invitation) -> dict:
    if invitation.status not in Invitation.ANSWERED:
        return {}
    return {
        "can_do": "yes" if invitation.status == Invitation.Status.CAN_DO else "no",
        "price": invitation.price,
        "lead_time_days": invitation.lead_time_days,
        "note": invitation.note,
        "line_description": invitation.line_description,
    }


def board_tally_for(rfq: RFQ) -> BoardTally | None:
    """Return the board's votes against its rule, where the network has a board."""
    policy = policy_for(rfq.network)
    return policy.board_tally(rfq) if isinstance(policy, AdministrativeBoardPolicy) else None


def board_context(request, rfq: RFQ, bound: dict) -> dict:
    """Return the board's votes and tally, and the form for the member firm's vote, which
    it may change until the board decides."""
    decisions = list(board_decisions_for_rfq(request.user, rfq))
    tally = board_tally_for(rfq)
    outcome = tally.outcome if tally else None
    own = next((d for d in decisions if d.firm_id == request.user.firm_id), None)
    context = {
        "board_decisions": decisions,
        "board_outcome": outcome,
        "board_tally": tally,
        "own_decision": own,
    }
    if rfq.status == RFQ.Status.ROUTED and outcome is None:
        initial = {"accept": "yes" if own.accept else "no", "reason": own.reason} if own else {}
        context["decision_form"] = bound.get("decision_form") or BoardDecisionForm(initial=initial)
    if outcome is True and rfq.leader_firm_id is None and rfq.status in DESIGNATABLE:
        accepted = [(d.firm_id, d.firm.name) for d in decisions if d.accept]
        context["leader_form"] = bound.get("leader_form") or LeaderForm(
            firm_choices=accepted, initial={"reason": RFQ.LeaderReason.DISCUSSION}
        )
    return context
