"""The office's payouts: open a batch, check its lines, close it, download the bank's file;
and the account the network pays its members from.
"""

import datetime
from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.errors import Refusal
from core.page_steps import button_step, carry_out, not_found
from core.pagination import page_of
from members.selectors import office_networks
from orders.forms import BankAccountForm, PayoutBatchForm, PayoutFilterForm, bank_account_initial
from orders.models import PayoutBatch
from orders.page_selectors import (
    bank_account_of_network,
    office_network_accounts,
    office_network_get,
    payout_batches_for_page,
)
from orders.selectors import payout_batch_get_for_user
from orders.services import bank_accounts, payouts

BATCHES_PER_PAGE = 20
# The bank needs the file a few business days ahead; the office changes it as needed.
DEFAULT_TRANSFER_LEAD = datetime.timedelta(days=3)


def office_only(view):
    """Let only the people of a network office in; anybody else finds nothing here."""

    @wraps(view)
    @login_required
    def guarded(request, *args, **kwargs):
        if not access.office_network_ids(request.user):
            raise not_found()
        return view(request, *args, **kwargs)

    return guarded


def batch_url(batch_id: int) -> str:
    return reverse("pages:payout", args=[batch_id])


def render_payout_list(request, *, bound=None, status=200, problem=""):
    user = request.user
    filters = PayoutFilterForm(request.GET or None)
    batch_status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = page_of(
        request, payout_batches_for_page(user, status=batch_status), per_page=BATCHES_PER_PAGE
    )
    today = timezone.localdate()
    return render(
        request,
        "orders/payouts.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(batch_status),
            "accounts": office_network_accounts(user),
            "open_form": (bound or {}).get("open_form")
            or PayoutBatchForm(
                networks=office_networks(user),
                initial={"transfer_date": today + DEFAULT_TRANSFER_LEAD},
            ),
            "problem": problem,
            "nav_section": "payouts",
        },
        status=status,
    )


@office_only
def payout_list(request):
    """List the office's payout batches, with the form to open a new one."""
    return render_payout_list(request)


@require_POST
@office_only
def payout_open(request):
    """Open a draft batch: who would be paid what now."""
    form = PayoutBatchForm(request.POST, networks=office_networks(request.user))
    return carry_out(
        request,
        forms={"open_form": form},
        action=lambda: payouts.payout_batch_create(
            network_id=form.cleaned_data["network"].pk,
            user=request.user,
            transfer_date=form.cleaned_data["transfer_date"],
        ),
        done=_("The draft batch is open: check its lines, then close it."),
        redirect_to=lambda batch: batch_url(batch.pk),
        render_again=partial(render_payout_list, request),
    )


@office_only
def payout_detail(request, batch_id: int):
    """Show a batch: its lines, the firms skipped and why, and what can be done with it."""
    batch = payout_batch_get_for_user(request.user, batch_id)
    lines = list(batch.lines.all())
    return render(
        request,
        "orders/payout.html",
        {
            "batch": batch,
            "network": batch.network,
            "lines": lines,
            "skipped": [
                {
                    **skipped,
                    **{
                        key: datetime.datetime.fromisoformat(skipped[key])
                        for key in ("changed_at", "held_until")
                        if skipped.get(key)
                    },
                }
                for skipped in batch.skipped
            ],
            "remitter_account": bank_account_of_network(batch.network),
            "is_draft": batch.status == PayoutBatch.Status.DRAFT,
            "nav_section": "payouts",
        },
    )


@require_POST
@office_only
def payout_close(request, batch_id: int):
    """Close the batch: each member is paid its balance now, posted to the ledger."""
    batch = payout_batch_get_for_user(request.user, batch_id)
    return button_step(
        request,
        action=lambda: payouts.payout_batch_close(batch_id=batch.pk, user=request.user),
        done=_("The batch is closed: download the transfer file for the bank."),
        redirect_to=batch_url(batch.pk),
    )


@require_POST
@office_only
def payout_discard(request, batch_id: int):
    """Throw a draft batch away; nothing was posted."""
    batch = payout_batch_get_for_user(request.user, batch_id)
    try:
        payouts.payout_batch_discard(batch_id=batch.pk, user=request.user)
    except Refusal as refusal:
        messages.error(request, str(refusal))
        return redirect(batch_url(batch.pk))
    messages.success(request, _("The draft batch is discarded."))
    return redirect("pages:payout-list")


def attachment(content: bytes, content_type: str, batch: PayoutBatch, extension: str):
    response = HttpResponse(content, content_type=content_type)
    name = f"payout-{batch.network.slug}-{batch.pk}-{batch.transfer_date:%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_only
def payout_zengin(request, batch_id: int):
    """Download the closed batch as the Zengin (全銀) bulk-transfer file for the bank."""
    batch = payout_batch_get_for_user(request.user, batch_id)
    try:
        content = payouts.payout_batch_zengin(batch)
    except Refusal as refusal:
        messages.error(request, str(refusal))
        return redirect(batch_url(batch.pk))
    return attachment(content, "text/plain; charset=Shift_JIS", batch, "txt")


@office_only
def payout_csv(request, batch_id: int):
    """Download the batch's lines as CSV (UTF-8 with BOM, for Excel)."""
    batch = payout_batch_get_for_user(request.user, batch_id)
    return attachment(payouts.payout_batch_csv(batch), "text/csv; charset=utf-8", batch, "csv")


@office_only
def network_bank_account(request, slug: str):
    """Register or change the account the network pays its members from."""
    network = office_network_get(request.user, slug)
    account = bank_account_of_network(network)

    def render_form(*, bound=None, status=200, problem=""):
        form = (bound or {}).get("form") or BankAccountForm(
            initial=bank_account_initial(account), remitter=True
        )
        context = {
            "owner_name": network.name,
            "account": account,
            "form": form,
            "remitter": True,
            "may_write": True,
            "problem": problem,
            "back_url": reverse("pages:payout-list"),
            "nav_section": "payouts",
        }
        return render(request, "orders/bank_account.html", context, status=status)

    if request.method != "POST":
        return render_form()
    form = BankAccountForm(request.POST, remitter=True)
    return carry_out(
        request,
        forms={"form": form},
        action=lambda: bank_accounts.bank_account_set(
            user=request.user, network=network, data=form.account_input()
        ),
        done=_("The account %(network)s pays from is saved.") % {"network": network.name},
        redirect_to=reverse("pages:payout-list"),
        render_again=render_form,
    )
