"""A member firm's pages: its invitations, answering one (also from a phone), the board's
decision, and a coordinator group's proposal."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerage.forms import AnswerForm, BoardDecisionForm, InvitationFilterForm, ProposalForm
from brokerage.models import Invitation
from brokerage.page_selectors import (
    group_firms,
    invitation_get_for_firm,
    invitation_inbox,
    proposal_get_for_user,
)
from brokerage.pages.access import firm_required
from brokerage.pages.rendering import open_request_page
from brokerage.pages.requests import carry_out
from brokerage.selectors import rfq_get_for_user
from brokerage.services import answers, designation
from core.pagination import page_of

INVITATIONS_PER_PAGE = 20


@firm_required
def invitations(request):
    """List the firm's invitations: those still to answer first, soonest due first."""
    filters = InvitationFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = page_of(
        request, invitation_inbox(request.user, status=status), per_page=INVITATIONS_PER_PAGE
    )
    return render(
        request,
        "brokerage/member/invitations.html",
        {"page": page, "filters": filters, "filtered": bool(status), "nav_section": "invitations"},
    )


@firm_required
def invitation_page(request, invitation_id: int):
    """Show an invitation with the request, why the firm was chosen, and its next step."""
    invitation = invitation_get_for_firm(request.user, invitation_id)
    if invitation.status == Invitation.Status.PENDING:
        # Opening the page is what tells the office the firm has seen the request.
        answers.invitation_mark_viewed(invitation_id=invitation.pk, user=request.user)
    rfq = rfq_get_for_user(request.user, invitation.rfq_id)
    return open_request_page(request, rfq)


@require_POST
@firm_required
def invitation_answer(request, invitation_id: int):
    """Answer can do (with price and lead time) or cannot do."""
    invitation = invitation_get_for_firm(request.user, invitation_id)
    rfq = rfq_get_for_user(request.user, invitation.rfq_id)
    form = AnswerForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"answer_form": form},
        action=lambda: answers.invitation_answer(
            invitation_id=invitation.pk, user=request.user, **form.cleaned_data
        ),
        done=_("Your answer is saved."),
        anchor="#answer",
    )


@require_POST
@login_required
def board_decision(request, rfq_id: int):
    """Record an administrative member's decision to accept or decline the order."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    form = BoardDecisionForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"decision_form": form},
        action=lambda: answers.board_decide(
            rfq_id=rfq.pk,
            user=request.user,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("Your firm's decision is recorded."),
        anchor="#board",
    )


@require_POST
@firm_required
def proposal_submit(request, proposal_id: int):
    """Submit (or revise) a coordinator group's proposal."""
    proposal = proposal_get_for_user(request.user, proposal_id)
    rfq = rfq_get_for_user(request.user, proposal.rfq_id)
    form = ProposalForm(request.POST, firms=group_firms(proposal))
    return carry_out(
        request,
        rfq,
        forms={"proposal_form": form},
        action=lambda: designation.proposal_submit(
            proposal_id=proposal.pk,
            user=request.user,
            price=form.cleaned_data["price"],
            lead_time_days=form.cleaned_data["lead_time_days"],
            approach=form.cleaned_data["approach"],
            team_firm_ids=form.cleaned_data["team"] or None,
        ),
        done=_("Your group's proposal is submitted to the customer."),
        anchor="#proposal",
    )
