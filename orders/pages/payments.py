"""The money of an order: the invoice (printable), and the office's page of payments, their
allocations, fault claims and refunds.

The customer, the leader and the office read the invoice; only the office sees how each
payment is split, and records payments, fault claims and refunds.
"""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.access import OFFICE_ROLES
from core.page_steps import button_step, carry_out, not_found
from orders.forms import FaultClaimForm, PaymentForm, RefundForm
from orders.models import Allocation, Order
from orders.page_selectors import ledger_entries_for_order
from orders.pages.orders import in_network_zone
from orders.selectors import (
    allocation_list_for_order,
    fault_claim_list_for_order,
    invoice_for_order,
    invoice_payee_account,
    money_summary,
    order_get_for_user,
    owed_on,
    payment_list_for_order,
    refund_list_for_order,
    team_list_for_order,
)
from orders.services import payments

INVOICEABLE = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERED, Order.Status.COMPLETED)


def payments_url(order: Order, anchor: str = "") -> str:
    return reverse("pages:order-payments", args=[order.pk]) + anchor


def office_order(request, order_id: int) -> Order:
    """Return an order of the person's office's networks, or 404 for anyone else."""
    order = order_get_for_user(request.user, order_id)
    if access.order_role(request.user, order) not in OFFICE_ROLES:
        raise not_found()
    return order


@login_required
def order_invoice(request, order_id: int):
    """Show the order's qualified invoice as a printable page, with how and when to pay it."""
    order = order_get_for_user(request.user, order_id)
    invoice = invoice_for_order(request.user, order)
    if invoice is None:
        raise not_found()
    role = access.order_role(request.user, order)
    context = {
        "order": order,
        "invoice": invoice,
        "tax_percent": invoice.tax_rate_bps / 100,
        # How to pay: into the network's account, what is still owed, by the due date.
        "payee_account": invoice_payee_account(request.user, order),
        "owed": owed_on(order),
        "is_office": role in OFFICE_ROLES,
        "nav_section": "my-orders" if role == "customer" else "orders",
    }
    return in_network_zone(order, lambda: render(request, "orders/invoice.html", context))


@require_POST
@login_required
def invoice_issue(request, order_id: int):
    """Issue the order's invoice (the office), raising the customer's receivable."""
    order = office_order(request, order_id)
    return button_step(
        request,
        action=lambda: payments.invoice_issue(order_id=order.pk, user=request.user),
        done=_("The invoice is issued and the customer is told."),
        redirect_to=payments_url(order, "#invoice"),
    )


def payment_rows(order: Order, payment_list, allocations) -> list[dict]:
    """Return each payment with its parts; the parts of one payment sum to it exactly."""
    by_payment: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        if allocation.payment_id is not None:
            by_payment.setdefault(allocation.payment_id, []).append(allocation)
    rows = []
    for payment in payment_list:
        parts = by_payment.get(payment.pk, [])
        rows.append(
            {
                "payment": payment,
                "parts": parts,
                "parts_total": sum(part.amount for part in parts),
            }
        )
    return rows


def refund_rows(refund_list, allocations) -> list[dict]:
    by_refund: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        if allocation.refund_id is not None:
            by_refund.setdefault(allocation.refund_id, []).append(allocation)
    return [
        {
            "refund": refund,
            "parts": by_refund.get(refund.pk, []),
            "parts_total": sum(part.amount for part in by_refund.get(refund.pk, [])),
        }
        for refund in refund_list
    ]


def fault_firm_choices(request, order: Order) -> list[tuple[int, str]]:
    return [(part.firm_id, part.firm.name) for part in team_list_for_order(request.user, order)]


def render_payments_page(request, order: Order, *, bound=None, status=200, problem=""):
    bound = bound or {}
    user = request.user
    allocations = list(allocation_list_for_order(order))
    invoice = invoice_for_order(user, order)
    now = timezone.localtime(timezone=order.network.tzinfo).replace(second=0, microsecond=0)
    context = {
        "order": order,
        "rfq": order.rfq,
        "network": order.network,
        "nav_section": "orders",
        "money": money_summary(order),
        "invoice": invoice,
        "may_issue_invoice": invoice is None and order.status in INVOICEABLE,
        "payments": payment_rows(order, payment_list_for_order(user, order), allocations),
        "refunds": refund_rows(refund_list_for_order(user, order), allocations),
        "fault_claims": list(fault_claim_list_for_order(user, order)),
        "ledger": list(ledger_entries_for_order(order)),
        "payment_form": bound.get("payment_form") or PaymentForm(initial={"received_at": now}),
        "fault_form": bound.get("fault_form")
        or FaultClaimForm(firm_choices=fault_firm_choices(request, order)),
        "refund_form": bound.get("refund_form") or RefundForm(),
        "problem": problem,
    }
    return in_network_zone(
        order,
        lambda: render(request, "orders/payments.html", context, status=status),
    )


@login_required
def order_payments(request, order_id: int):
    """The office's page of an order's money: payments split, fault claims, refunds."""
    order = office_order(request, order_id)
    return render_payments_page(request, order)


def money_step(request, order: Order, *, forms: dict, action, done: str, anchor: str):
    return in_network_zone(
        order,
        lambda: carry_out(
            request,
            forms=forms,
            action=action,
            done=done,
            redirect_to=payments_url(order, anchor),
            render_again=partial(render_payments_page, request, order),
        ),
    )


@require_POST
@login_required
def payment_record(request, order_id: int):
    """Record the customer's payment; the service splits it at once."""
    order = office_order(request, order_id)
    # The time typed is read in the network's zone: money_step validates inside it.
    form = PaymentForm(request.POST)
    return money_step(
        request,
        order,
        forms={"payment_form": form},
        action=lambda: payments.payment_record(
            order_id=order.pk,
            user=request.user,
            amount=form.cleaned_data["amount"],
            method=form.cleaned_data["method"],
            received_at=form.cleaned_data["received_at"],
            reference=form.cleaned_data["reference"],
            note=form.cleaned_data["note"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        ),
        done=_("The payment is recorded and split between the office fee and the team."),
        anchor="#payments",
    )


@require_POST
@login_required
def fault_claim_record(request, order_id: int):
    """Charge damages for a fault to the one team member responsible."""
    order = office_order(request, order_id)
    form = FaultClaimForm(request.POST, firm_choices=fault_firm_choices(request, order))
    return money_step(
        request,
        order,
        forms={"fault_form": form},
        action=lambda: payments.fault_claim_record(
            order_id=order.pk,
            user=request.user,
            firm_id=form.cleaned_data["firm"],
            amount=form.cleaned_data["amount"],
            description=form.cleaned_data["description"],
        ),
        done=_("The fault claim is recorded against the responsible firm only."),
        anchor="#faults",
    )


@require_POST
@login_required
def refund_issue(request, order_id: int):
    """Pay money back to the customer, from the allocations or from damages."""
    order = office_order(request, order_id)
    form = RefundForm(request.POST)
    return money_step(
        request,
        order,
        forms={"refund_form": form},
        action=lambda: payments.refund_issue(
            order_id=order.pk,
            user=request.user,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            source=form.cleaned_data["source"],
        ),
        done=_("The refund is recorded."),
        anchor="#refunds",
    )
