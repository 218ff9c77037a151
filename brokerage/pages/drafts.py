"""The customer's drafts: a request saved before it is complete, reopened as the request
form to be changed, submitted (its clock starting then) or deleted."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerage.forms import RequestForm
from brokerage.page_selectors import capability_taxonomy
from brokerage.pages.intake import request_form_with_suggestions
from brokerage.selectors import rfq_get_for_user
from brokerage.services import intake
from core import access, page_steps
from core.page_steps import not_found
from members.models import Network
from orders.models import RFQ


def draft_page(request, rfq: RFQ, *, form: RequestForm | None = None, status: int = 200, **extra):
    """Show the customer's draft as the request form, filled in as they left it."""
    form = form or RequestForm(
        initial=RequestForm.initial_of(rfq), capabilities=capability_taxonomy()
    )
    return render(
        request,
        "brokerage/customer/draft.html",
        {
            "rfq": rfq,
            "network": rfq.network,
            "form": form,
            "drawings": list(rfq.drawings.all()),
            "nav_section": "requests",
            **extra,
        },
        status=status,
    )


def customer_draft(user, rfq_id: int) -> RFQ:
    """Return the person's own draft; anyone else finds no such page."""
    rfq = rfq_get_for_user(user, rfq_id)
    if not access.may_change_draft(user, rfq):
        raise not_found()
    return rfq


@require_POST
@login_required
def draft_change(request, rfq_id: int):
    """Save the draft again, or submit it complete (its estimate clock starts now)."""
    rfq = customer_draft(request.user, rfq_id)
    if rfq.status != RFQ.Status.DRAFT:
        return redirect("pages:request", rfq.pk)
    capabilities = capability_taxonomy()
    if "suggest" in request.POST:
        form, notice = request_form_with_suggestions(request.POST, capabilities)
        return draft_page(
            request, rfq, form=form, suggestion_notice=notice, files_lost=bool(request.FILES)
        )
    submitting = "submit" in request.POST
    form = RequestForm(
        request.POST,
        request.FILES,
        capabilities=capabilities,
        requirements_required=rfq.network.policy == Network.Policy.COMPETENCY_BROADCAST,
        draft=not submitting,
    )

    def step():
        changes = {"data": form.rfq_input(), "drawings": form.cleaned_data["drawings"]}
        if submitting:
            return intake.rfq_draft_submit(rfq_id=rfq.pk, user=request.user, **changes)
        return intake.rfq_draft_save(
            network=rfq.network, customer=request.user, rfq_id=rfq.pk, **changes
        )

    return page_steps.carry_out(
        request,
        forms={"form": form},
        action=step,
        done=_("Your request #%(number)s is submitted.") % {"number": rfq.pk}
        if submitting
        else _("Your draft is saved. Submit it when it is complete."),
        redirect_to=reverse("pages:request", args=[rfq.pk]),
        render_again=lambda bound, status, problem: draft_page(
            request,
            rfq,
            form=bound["form"],
            status=status,
            problem=problem,
            files_lost=bool(request.FILES),
        ),
    )


@require_POST
@login_required
def draft_delete(request, rfq_id: int):
    """Delete the customer's draft; their list of requests no longer shows it."""
    rfq = customer_draft(request.user, rfq_id)
    return page_steps.button_step(
        request,
        action=partial(intake.rfq_draft_delete, rfq_id=rfq.pk, user=request.user),
        done=_("The draft is deleted."),
        redirect_to=reverse("pages:request-list"),
    )
