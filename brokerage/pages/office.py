"""A network office's pages: the queue of open requests by time left, keying in a request
received by fax, phone or e-mail, and the consultation's interview, planning and phases."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerage.forms import (
    InterviewNotesForm,
    OfficeCustomerForm,
    PhasesForm,
    QueueFilterForm,
    RequestForm,
    ScheduleForm,
)
from brokerage.models import Invitation
from brokerage.page_selectors import (
    capability_taxonomy,
    customers_for_office,
    office_queue,
    queue_progress,
)
from brokerage.pages.access import office_required
from brokerage.pages.intake import request_form_with_suggestions, typed_initial
from brokerage.pages.rendering import INTERVIEW_IDS, PLANNING_IDS
from brokerage.pages.requests import carry_out
from brokerage.reasons import reason_text
from brokerage.selectors import rfq_get_for_user
from brokerage.services import consultation
from brokerage.services.intake import NewCustomer, rfq_receive
from capabilities.matching.explanations import Names
from core.errors import REFUSALS, place_refusal, refusal_status
from core.pagination import page_of
from members.models import Network
from members.selectors import office_networks
from orders.models import RFQ

QUEUE_PER_PAGE = 25
CUSTOMER_PREFIX = "for"


def policy_step(rfq: RFQ, names: Names | None = None) -> str:
    """Return where a queued request stands in its network's policy, from the annotations."""
    policy = rfq.network.policy
    status = rfq.status
    if status == RFQ.Status.SUBMITTED:
        return _("Being routed")
    if status == RFQ.Status.TRIAGE:
        return _("Needs the office's triage: %(reason)s") % {
            "reason": reason_text(getattr(rfq, "triage_reason", None), names)
        }
    if status == RFQ.Status.LEADER_DESIGNATED:
        return _("The leader composes the estimate")
    if status == RFQ.Status.ESTIMATE_SENT:
        return _("Waiting for the customer's decision")
    if status == RFQ.Status.INTERVIEW:
        return _("Interview the customer")
    if status == RFQ.Status.PLANNING:
        return _("Planning meeting, then firms for each phase")
    if policy == Network.Policy.ADMIN_BOARD:
        if rfq.invited_count == rfq.board_count:
            return _("Board deciding: %(decided)s of %(board)s decided") % {
                "decided": rfq.board_decided_count,
                "board": rfq.board_count,
            }
        return _("Board accepted: members answer, then designate the leader")
    if policy == Network.Policy.COMPETING_GROUPS:
        return _("Groups prepare proposals: %(submitted)s of %(total)s submitted") % {
            "submitted": rfq.proposals_submitted_count,
            "total": rfq.proposal_count,
        }
    return _("Members answer, then designate the leader")


@office_required
def queue(request):
    """List the office's open requests, overdue first, then by time left."""
    networks = office_networks(request.user)
    filters = QueueFilterForm(request.GET or None, networks=networks)
    network, status = None, ""
    if filters.is_valid():
        network = filters.cleaned_data["network"]
        status = filters.cleaned_data["status"]
    requests = office_queue(request.user, network_id=network.pk if network else None, status=status)
    page = page_of(request, requests, per_page=QUEUE_PER_PAGE)
    rfqs = queue_progress(request.user, list(page))
    # The capabilities the page's triage reasons name, read once for the page.
    names = Names().read(
        codes=[
            code
            for rfq in rfqs
            if isinstance(rfq.triage_reason, dict)
            for code in rfq.triage_reason.get("missing") or []
        ]
    )
    return render(
        request,
        "brokerage/office/queue.html",
        {
            "page": page,
            "rows": [{"rfq": rfq, "step": policy_step(rfq, names)} for rfq in rfqs],
            "filters": filters,
            "filtered": bool(network or status),
            "now": timezone.now(),
            "nav_section": "queue",
        },
    )


@office_required
def key_in(request):
    """Enter a request that came by fax, phone or e-mail, for an existing or new customer."""
    user = request.user
    capabilities = capability_taxonomy()
    networks = office_networks(user)
    customers = customers_for_office(user)
    context = {"nav_section": "key-in"}

    def customer_form(*args, **kwargs):
        return OfficeCustomerForm(
            *args, prefix=CUSTOMER_PREFIX, networks=networks, customers=customers, **kwargs
        )

    if request.method != "POST":
        return render(
            request,
            "brokerage/office/key_in.html",
            {
                **context,
                "form": RequestForm(capabilities=capabilities),
                "customer_form": customer_form(),
            },
        )
    if "suggest" in request.POST:
        chosen_network = request.POST.get(f"{CUSTOMER_PREFIX}-network", "")
        # The history of the network chosen on the form, if it is one of the office's.
        network = networks.filter(pk=chosen_network).first() if chosen_network.isdigit() else None
        form, notice = request_form_with_suggestions(
            request.POST, capabilities, network_id=network.pk if network else None
        )
        return render(
            request,
            "brokerage/office/key_in.html",
            {
                **context,
                "form": form,
                "customer_form": customer_form(
                    initial=typed_initial(request.POST, prefix=CUSTOMER_PREFIX)
                ),
                "suggestion_notice": notice,
                "files_lost": bool(request.FILES),
            },
        )

    form = RequestForm(request.POST, request.FILES, capabilities=capabilities)
    for_whom = customer_form(request.POST)
    status = 400
    if all([form.is_valid(), for_whom.is_valid()]):
        chosen = for_whom.cleaned_data
        customer = chosen["customer"] or NewCustomer(
            email=chosen["new_email"],
            name=chosen["new_name"],
            organization=chosen["new_organization"],
            customer_type=chosen["new_customer_type"] or "company",
        )
        try:
            rfq = rfq_receive(
                network=chosen["network"],
                customer=customer,
                entered_by=user,
                data=form.rfq_input(
                    channel=chosen["channel"],
                    urgency=chosen["urgency"],
                    received_at=chosen["received_at"],
                ),
                drawings=form.cleaned_data["drawings"],
            )
        except REFUSALS as refusal:
            # A refusal about the new customer's account goes with the customer's fields.
            about_customer = isinstance(refusal, ValidationError) or refusal.field == "email"
            place_refusal(for_whom if about_customer else form, refusal)
            status = refusal_status(refusal)
        else:
            keyed_for = rfq.customer
            messages.success(
                request,
                _(
                    "Request #%(number)s is keyed in for %(customer)s; "
                    "it is being routed to the member firms."
                )
                % {"number": rfq.pk, "customer": keyed_for.display_name},
            )
            return redirect("pages:request", rfq.pk)
    return render(
        request,
        "brokerage/office/key_in.html",
        {**context, "form": form, "customer_form": for_whom, "files_lost": bool(request.FILES)},
        status=status,
    )


def in_network_zone(rfq: RFQ, step):
    """Run a step with times typed and shown in the request's network's time zone."""
    with timezone.override(rfq.network.tzinfo):
        return step()


@require_POST
@office_required
def interview_schedule(request, rfq_id: int):
    rfq = rfq_get_for_user(request.user, rfq_id)
    form = ScheduleForm(request.POST, auto_id=INTERVIEW_IDS)
    return in_network_zone(
        rfq,
        lambda: carry_out(
            request,
            rfq,
            forms={"interview_form": form},
            action=lambda: consultation.interview_schedule(
                rfq_id=rfq.pk, user=request.user, **form.cleaned_data
            ),
            done=_("The interview is scheduled and the customer is told."),
            anchor="#consultation",
        ),
    )


@require_POST
@office_required
def interview_record(request, rfq_id: int):
    rfq = rfq_get_for_user(request.user, rfq_id)
    form = InterviewNotesForm(request.POST)
    return carry_out(
        request,
        rfq,
        forms={"interview_notes_form": form},
        action=lambda: consultation.interview_record(
            rfq_id=rfq.pk, user=request.user, notes=form.cleaned_data["notes"]
        ),
        done=_("The interview is recorded; the planning meeting's firms are invited."),
        anchor="#consultation",
    )


@require_POST
@office_required
def planning_schedule(request, rfq_id: int):
    rfq = rfq_get_for_user(request.user, rfq_id)
    form = ScheduleForm(request.POST, auto_id=PLANNING_IDS)
    return in_network_zone(
        rfq,
        lambda: carry_out(
            request,
            rfq,
            forms={"planning_form": form},
            action=lambda: consultation.planning_schedule(
                rfq_id=rfq.pk, user=request.user, **form.cleaned_data
            ),
            done=_("The planning meeting is scheduled and its firms are told."),
            anchor="#consultation",
        ),
    )


@require_POST
@office_required
def phases_select(request, rfq_id: int):
    rfq = rfq_get_for_user(request.user, rfq_id)
    planners = [
        invitation.firm
        for invitation in rfq.invitations.filter(
            purpose=Invitation.Purpose.PLANNING
        ).select_related("firm")
    ]
    form = PhasesForm(request.POST, firms=planners)
    return carry_out(
        request,
        rfq,
        forms={"phases_form": form},
        action=lambda: consultation.phases_select(
            rfq_id=rfq.pk,
            user=request.user,
            firms_by_phase=form.firms_by_phase(),
            notes=form.cleaned_data["notes"],
        ),
        done=_("The firms for the phases are selected."),
        anchor="#consultation",
    )
