"""The request page, the list of requests, and the steps more than one role takes on them."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerage.forms import (
    CancelForm,
    DrawingsForm,
    EstimateForm,
    EstimateLineFormSet,
    LeaderForm,
    MessageForm,
    ReissueForm,
    RequestFilterForm,
    TriageCloseForm,
    TriageInviteForm,
    TriageRequirementsForm,
)
from brokerage.page_selectors import (
    capability_taxonomy,
    estimate_firms,
    rfq_list_for_page,
    triage_firm_choices,
)
from brokerage.pages.drafts import draft_page
from brokerage.pages.rendering import (
    leader_choices,
    open_request_page,
    page_url,
    render_request_page,
)
from brokerage.selectors import (
    action_needed_for_customer,
    board_decisions_for_rfq,
    estimate_get_for_user,
    invitation_list_for_rfq,
    rfq_get_for_user,
)
from brokerage.services import designation, estimates, triage
from brokerage.services.intake import drawings_attach
from core import access, page_steps
from core.pagination import page_of
from orders.models import RFQ
from orders.services.timeline import message_post

REQUESTS_PER_PAGE = 20


def carry_out(request, rfq: RFQ, *, forms: dict, action, done: str, anchor: str = ""):
    """Carry out a step on the request page (core.page_steps.carry_out): a refusal draws the
    request page again with the forms bound; success goes back to it with `done`."""
    return page_steps.carry_out(
        request,
        forms=forms,
        action=action,
        done=done,
        redirect_to=page_url(request.user, rfq) + anchor,
        render_again=partial(render_request_page, request, rfq),
    )


def button_step(request, rfq: RFQ, *, action, done: str, anchor: str = ""):
    """A one-button step on the request page (core.page_steps.button_step)."""
    return page_steps.button_step(
        request, action=action, done=done, redirect_to=page_url(request.user, rfq) + anchor
    )


@login_required
def request_list(request):
    """List the person's requests with their status and estimate clock, filtered and sorted.

    A customer's list starts with what waits on them, across their requests and orders.
    """
    filters = RequestFilterForm(request.GET or None)
    status, sort = "", "-created"
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        sort = filters.cleaned_data["sort"] or sort
    page = page_of(
        request,
        rfq_list_for_page(request.user, status=status, sort=sort),
        per_page=REQUESTS_PER_PAGE,
    )
    is_customer = request.user.firm_id is None
    return render(
        request,
        "brokerage/requests/list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(status),
            "is_customer": is_customer,
            "actions": action_needed_for_customer(request.user) if is_customer else [],
            "clock_statuses": RFQ.CLOCK_STATUSES,
            "nav_section": "requests",
        },
    )


@login_required
def request_detail(request, rfq_id: int):
    """Show a request as the person's role sees it (a member firm on its invitation)."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    if rfq.status == RFQ.Status.DRAFT and access.may_change_draft(request.user, rfq):
        return draft_page(request, rfq)
    target = page_url(request.user, rfq)
    if target != request.path:
        return redirect(target)
    return open_request_page(request, rfq)


@require_POST
@login_required
def request_cancel(request, rfq_id: int):
    rfq = rfq_get_for_user(request.user, rfq_id)
    form = CancelForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"cancel_form": form},
        action=lambda: designation.rfq_cancel(
            rfq_id=rfq.pk, user=request.user, reason=form.cleaned_data["reason"]
        ),
        done=_("The request is cancelled."),
    )


@require_POST
@login_required
def request_message(request, rfq_id: int):
    """Post on one of the request's threads."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    audience = request.POST.get("audience", "")
    if not access.may_write_thread(request.user, rfq, audience):
        raise PermissionDenied("You may not write on this thread.")
    form = MessageForm(request.POST, auto_id=f"id_{audience}_%s")
    return carry_out(
        request,
        rfq,
        forms={f"{audience}_message_form": form},
        action=lambda: message_post(
            rfq=rfq, author=request.user, body=form.cleaned_data["body"], audience=audience
        ),
        done=_("Your message is posted."),
        anchor=f"#thread-{audience}",
    )


@require_POST
@login_required
def request_drawings(request, rfq_id: int):
    """Attach more drawings to a request (the customer, or the office for them)."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    if not access.may_attach_drawing(request.user, rfq):
        raise PermissionDenied("Only the customer (or the office for them) attaches drawings.")
    form = DrawingsForm(request.POST, request.FILES)
    return carry_out(
        request,
        rfq,
        forms={"drawings_form": form},
        action=lambda: drawings_attach(
            rfq=rfq, files=form.cleaned_data["drawings"], user=request.user
        ),
        done=_("The drawings are attached."),
        anchor="#drawings",
    )


def leader_form_choices(user, rfq: RFQ) -> list[tuple[int, str]]:
    """Return whom the person may propose as leader: invitees (office) or the accepting board."""
    if access.rfq_role(user, rfq) in access.OFFICE_ROLES:
        return leader_choices(rfq, list(invitation_list_for_rfq(user, rfq)))
    return [(d.firm_id, d.firm.name) for d in board_decisions_for_rfq(user, rfq) if d.accept]


@require_POST
@login_required
def request_leader(request, rfq_id: int):
    """Designate the project leader (the office; or, on a board network, a board member)."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    choices = leader_form_choices(request.user, rfq)
    if not choices and access.rfq_role(request.user, rfq) not in access.OFFICE_ROLES:
        # Nobody to propose: refuse outright rather than report an invalid choice.
        raise PermissionDenied("You may not designate this request's project leader.")
    form = LeaderForm(request.POST, firm_choices=choices)
    return carry_out(
        request,
        rfq,
        forms={"leader_form": form},
        action=lambda: designation.leader_designate(
            rfq_id=rfq.pk,
            firm_id=form.cleaned_data["firm"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        ),
        done=_("The project leader is designated."),
    )


def triaged(request, rfq_id: int) -> RFQ:
    """Return a request the person's office may triage; anyone else is refused."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    if not access.may_triage(request.user, rfq):
        raise PermissionDenied("Only the network's office triages its requests.")
    return rfq


@require_POST
@login_required
def triage_requirements(request, rfq_id: int):
    """Correct what a request in triage needs, and route it again (the office)."""
    rfq = triaged(request, rfq_id)
    form = TriageRequirementsForm(request.POST, capabilities=capability_taxonomy())
    return carry_out(
        request,
        rfq,
        forms={"triage_requirements_form": form},
        action=lambda: triage.rfq_triage_requirements(
            rfq_id=rfq.pk, requirements=form.requirement_inputs(), user=request.user
        ),
        done=_("The requirements are corrected and the request is routed again."),
    )


@require_POST
@login_required
def triage_invite(request, rfq_id: int):
    """Invite member firms by hand to a request in triage (the office)."""
    rfq = triaged(request, rfq_id)
    form = TriageInviteForm(request.POST, firm_choices=triage_firm_choices(rfq))
    return carry_out(
        request,
        rfq,
        forms={"triage_invite_form": form},
        action=lambda: triage.rfq_triage_invite(
            rfq_id=rfq.pk,
            firm_ids=form.cleaned_data["firms"],
            note=form.cleaned_data["reason"],
            user=request.user,
        ),
        done=_("The firms are invited: they answer within the usual window from now."),
        anchor="#answers",
    )


@require_POST
@login_required
def triage_close(request, rfq_id: int):
    """Close a request in triage as no bid, with the office's decision (the office)."""
    rfq = triaged(request, rfq_id)
    form = TriageCloseForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"triage_close_form": form},
        action=lambda: triage.rfq_triage_close(
            rfq_id=rfq.pk, note=form.cleaned_data["reason"], user=request.user
        ),
        done=_("The request is closed as no bid, and the customer is told why."),
    )


@require_POST
@login_required
def estimate_compose(request, rfq_id: int):
    """Save a new version of the estimate as a draft, for its composer to check and send."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    firm_choices = [(firm.pk, firm.name) for firm in estimate_firms(rfq)]
    form = EstimateForm(request.POST)
    lines = EstimateLineFormSet(
        request.POST, prefix="lines", form_kwargs={"firm_choices": firm_choices}
    )
    return carry_out(
        request,
        rfq,
        forms={"estimate_form": form, "line_formset": lines},
        action=lambda: estimates.estimate_create(
            rfq_id=rfq.pk,
            user=request.user,
            lines=lines.line_inputs(),
            lead_time_days=form.cleaned_data["lead_time_days"],
            valid_until=form.cleaned_data["valid_until"],
        ),
        done=_("The estimate is saved as a draft: check it, then send it to the customer."),
        anchor="#estimates",
    )


@require_POST
@login_required
def estimate_send(request, estimate_id: int):
    estimate = estimate_get_for_user(request.user, estimate_id)
    rfq = rfq_get_for_user(request.user, estimate.rfq_id)
    return button_step(
        request,
        rfq,
        action=lambda: estimates.estimate_send(estimate_id=estimate.pk, user=request.user),
        done=_("The estimate is sent to the customer."),
        anchor="#estimates",
    )


@require_POST
@login_required
def estimate_reissue(request, estimate_id: int):
    """Re-issue an expired estimate as a new version with a new validity (the office)."""
    estimate = estimate_get_for_user(request.user, estimate_id)
    rfq = rfq_get_for_user(request.user, estimate.rfq_id)
    form = ReissueForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"reissue_form": form},
        action=lambda: estimates.estimate_reissue(
            estimate_id=estimate.pk, user=request.user, valid_until=form.cleaned_data["valid_until"]
        ),
        done=_("The estimate is re-issued: the customer may accept the new version."),
        anchor="#estimates",
    )
