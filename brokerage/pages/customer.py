"""The customer's pages: submit a request (signing up on the way), choose, accept, decline.

Choosing a group's proposal and accepting an estimate commit the customer, so each takes
two steps: its button on the request page opens a page that says what they commit to (the
total with tax, when it would be delivered, who does the work), whose button does it.
"""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokerage.forms import DeclineForm, RequestForm, SignUpForm, WithdrawForm
from brokerage.models import GroupProposal
from brokerage.page_selectors import capability_taxonomy, proposal_get_for_user
from brokerage.pages.intake import request_form_with_suggestions, typed_initial
from brokerage.pages.rendering import page_url
from brokerage.pages.requests import button_step, carry_out
from brokerage.selectors import estimate_get_for_user, rfq_get_for_user
from brokerage.services import designation, estimates
from brokerage.services.intake import NewCustomer, rfq_draft_save, rfq_receive
from brokerage.throttles import SubmissionThrottle, throttled
from core import access, page_steps
from core.errors import REFUSALS, place_refusal, refusal_status
from core.page_steps import not_found
from members.models import Network, User
from members.selectors import network_list_public
from orders.models import RFQ, Estimate
from orders.money import BASIS_POINTS, CONSUMPTION_TAX_BPS
from orders.page_selectors import firm_names

SIGNUP_PREFIX = "signup"


def submit_choose_network(request):
    """List the networks a request can be submitted to."""
    return render(
        request,
        "brokerage/customer/choose_network.html",
        {"networks": network_list_public().order_by("slug"), "nav_section": "submit"},
    )


def current_language() -> str:
    language = (translation.get_language() or "ja")[:2]
    return language if language in User.Language.values else User.Language.JA


def submission_key(request) -> str:
    """Return the form's idempotency key: the one it was drawn with, or a new one.

    The key travels in a hidden field, so a double click or a resent form carries the
    same key twice and the second submission answers with the first one's request.
    """
    key = request.POST.get("idempotency_key", "").strip()
    if key and len(key) <= 64 and key.isascii():
        return key
    return secrets.token_urlsafe(24)


@throttled(SubmissionThrottle)
def submit_request(request, slug: str):
    """Take a customer's request for a network; a visitor signs up on the same form."""
    network = get_object_or_404(network_list_public(), slug=slug)
    user = request.user
    if user.is_authenticated and user.firm_id is not None:
        raise PermissionDenied("Requests are submitted by customers, not by member firms' staff.")
    anonymous = not user.is_authenticated
    capabilities = capability_taxonomy()
    context = {
        "network": network,
        "nav_section": "submit",
        "anonymous": anonymous,
        "login_url": f"{reverse('login')}?next={request.path}",
        "idempotency_key": submission_key(request),
    }

    if request.method != "POST":
        form = RequestForm(capabilities=capabilities)
        signup_form = SignUpForm(prefix=SIGNUP_PREFIX) if anonymous else None
        return render(
            request,
            "brokerage/customer/submit.html",
            {**context, "form": form, "signup_form": signup_form},
        )

    if "suggest" in request.POST:
        form, notice = request_form_with_suggestions(
            request.POST, capabilities, network_id=network.pk
        )
        signup_form = None
        if anonymous:
            signup_form = SignUpForm(
                prefix=SIGNUP_PREFIX, initial=typed_initial(request.POST, prefix=SIGNUP_PREFIX)
            )
        return render(
            request,
            "brokerage/customer/submit.html",
            {
                **context,
                "form": form,
                "signup_form": signup_form,
                "suggestion_notice": notice,
                "files_lost": bool(request.FILES),
            },
        )

    if "save_draft" in request.POST and not anonymous:
        return draft_save(request, network, capabilities, context)
    form = RequestForm(
        request.POST,
        request.FILES,
        capabilities=capabilities,
        # A broadcast reaches only the firms with the ticked skills: with none, nobody.
        requirements_required=network.policy == Network.Policy.COMPETENCY_BROADCAST,
    )
    signup_form = SignUpForm(request.POST, prefix=SIGNUP_PREFIX) if anonymous else None
    forms_valid = [form.is_valid(), signup_form is None or signup_form.is_valid()]
    status = 400
    if all(forms_valid):
        customer = user
        if anonymous:
            signup = signup_form.cleaned_data
            customer = NewCustomer(
                email=signup["email"],
                name=signup["name"],
                password=signup["password"],
                organization=signup["organization"],
                customer_type=signup["customer_type"],
                language=current_language(),
            )
        try:
            rfq = rfq_receive(
                network=network,
                customer=customer,
                data=form.rfq_input(),
                drawings=form.cleaned_data["drawings"],
                idempotency_key=context["idempotency_key"],
            )
        except REFUSALS as refusal:
            # A refusal about the new account (its e-mail, its password) goes on the sign-up
            # form; any other on the request's.
            about_signup = signup_form is not None and (
                isinstance(refusal, ValidationError) or refusal.field in signup_form.fields
            )
            place_refusal(signup_form if about_signup else form, refusal)
            status = refusal_status(refusal)
        else:
            if anonymous:
                login(request, rfq.customer, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Your request #%(number)s is submitted.") % {"number": rfq.pk}
            )
            return redirect("pages:request", rfq.pk)
    return render(
        request,
        "brokerage/customer/submit.html",
        {
            **context,
            "form": form,
            "signup_form": signup_form,
            "files_lost": bool(request.FILES),
        },
        status=status,
    )


def draft_save(request, network: Network, capabilities, context: dict):
    """Save the form as the customer's draft, to complete and submit later."""
    form = RequestForm(request.POST, request.FILES, capabilities=capabilities, draft=True)
    return page_steps.carry_out(
        request,
        forms={"form": form},
        action=lambda: rfq_draft_save(
            network=network,
            customer=request.user,
            data=form.rfq_input(),
            drawings=form.cleaned_data["drawings"],
        ),
        done=_("Your draft is saved. Submit it when it is complete."),
        redirect_to=lambda rfq: reverse("pages:request", args=[rfq.pk]),
        render_again=lambda bound, status, problem: render(
            request,
            "brokerage/customer/submit.html",
            {**context, "form": bound["form"], "files_lost": bool(request.FILES)},
            status=status,
        ),
    )


def delivery_expected(rfq: RFQ, lead_time_days: int) -> datetime.date:
    """Return the day a lead time ends if the customer commits today (the network's today)."""
    today = timezone.localdate(timezone=rfq.network.tzinfo)
    return today + datetime.timedelta(days=lead_time_days)


def render_confirmation(request, rfq: RFQ, template: str, context: dict):
    """Draw a confirmation page in the request's network's time zone."""
    context = {
        **context,
        "rfq": rfq,
        "network": rfq.network,
        "nav_section": "requests",
        "desired_date": rfq.desired_date,
    }
    with timezone.override(rfq.network.tzinfo):
        return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_choose(request, proposal_id: int):
    """Choose a group's proposal for the customer; its coordinator leads the project.

    GET shows what the group proposes (tax included) and its team; POST chooses it.
    """
    proposal = proposal_get_for_user(request.user, proposal_id)
    rfq = rfq_get_for_user(request.user, proposal.rfq_id)
    if request.method == "POST":
        return button_step(
            request,
            rfq,
            action=lambda: designation.proposal_choose(proposal_id=proposal.pk, user=request.user),
            done=_("You chose %(group)s. Its coordinator now prepares your estimate.")
            % {"group": proposal.group.name},
        )
    if access.rfq_role(request.user, rfq) != access.CUSTOMER:
        raise not_found()
    choosable = rfq.status == RFQ.Status.ROUTED and rfq.leader_firm_id is None
    if not choosable or proposal.status != GroupProposal.Status.SUBMITTED:
        # Nothing left to choose: the request page says what happened.
        return redirect(page_url(request.user, rfq) + "#proposals")
    names = firm_names(proposal.team_firm_ids)
    return render_confirmation(
        request,
        rfq,
        "brokerage/customer/confirm_proposal.html",
        {
            "proposal": proposal,
            "team": [names[firm_id] for firm_id in proposal.team_firm_ids if firm_id in names],
            "tax_percent": CONSUMPTION_TAX_BPS * 100 / BASIS_POINTS,
            "delivery_expected": delivery_expected(rfq, proposal.lead_time_days),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def estimate_accept(request, estimate_id: int):
    """Accept the estimate for the customer: the order is created.

    GET shows what accepting commits to: the total with tax, the delivery date and the
    firms that do the work; POST accepts.
    """
    estimate = estimate_get_for_user(request.user, estimate_id)
    rfq = rfq_get_for_user(request.user, estimate.rfq_id)
    if request.method == "POST":
        return button_step(
            request,
            rfq,
            action=lambda: estimates.estimate_accept(estimate_id=estimate.pk, user=request.user),
            done=_("You accepted the estimate. The order is created and the team is being formed."),
            anchor="#estimate",
        )
    if access.rfq_role(request.user, rfq) != access.CUSTOMER:
        raise not_found()
    if estimate.status != Estimate.Status.SENT or rfq.status != RFQ.Status.ESTIMATE_SENT:
        return redirect(page_url(request.user, rfq) + "#estimate")
    lines = estimate.lines.select_related("firm").order_by("position", "id")
    team = list(dict.fromkeys(line.firm.name for line in lines))
    return render_confirmation(
        request,
        rfq,
        "brokerage/customer/confirm_estimate.html",
        {
            "estimate": estimate,
            "team": team,
            "tax_percent": estimate.tax_rate_bps * 100 / BASIS_POINTS,
            "delivery_expected": delivery_expected(rfq, estimate.lead_time_days),
        },
    )


@require_POST
@login_required
def estimate_decline(request, estimate_id: int):
    """Decline the estimate for the customer, with their reason."""
    estimate = estimate_get_for_user(request.user, estimate_id)
    rfq = rfq_get_for_user(request.user, estimate.rfq_id)
    form = DeclineForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"decline_form": form},
        action=lambda: estimates.estimate_decline(
            estimate_id=estimate.pk, user=request.user, reason=form.cleaned_data["reason"]
        ),
        done=_("You declined the estimate. Thank you for telling us why."),
        anchor="#estimate",
    )


@require_http_methods(["GET", "POST"])
@login_required
def request_withdraw(request, rfq_id: int):
    """Withdraw the customer's request: GET says what it means, POST withdraws it."""
    rfq = rfq_get_for_user(request.user, rfq_id)
    if not access.may_withdraw(request.user, rfq):
        raise not_found()
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        return carry_out(
            request,
            rfq,
            forms={"withdraw_form": form},
            action=lambda: designation.rfq_withdraw(
                rfq_id=rfq.pk, user=request.user, note=form.cleaned_data["note"]
            ),
            done=_("You withdrew the request. The network and its members are told."),
        )
    if not rfq.is_open:
        return redirect(page_url(request.user, rfq))
    return render_confirmation(
        request, rfq, "brokerage/customer/confirm_withdraw.html", {"form": form}
    )
