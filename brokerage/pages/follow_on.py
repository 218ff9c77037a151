"""Asking for a follow-on request from an order page (mass production after the
prototype): submitted and routed like any other request, linked to its order."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from brokerage.forms import FollowOnForm
from brokerage.services.follow_on import order_follow_on_request
from core import access
from core.page_steps import carry_out, not_found
from orders.selectors import (
    order_get_for_user,
)

# --- Follow-on requests -----------------------------------------------------------------


@login_required
def order_follow_on(request, order_id: int):
    """Ask for a follow-on order, e.g. mass production after the prototype."""
    order = order_get_for_user(request.user, order_id)
    if access.order_role(request.user, order) not in ("customer", "office"):
        raise not_found()

    def render_form(*, bound=None, status=200, problem=""):
        form = (bound or {}).get("form") or FollowOnForm(
            initial={"quantity": order.rfq.quantity, "title": order.rfq.title}
        )
        context = {
            "order": order,
            "form": form,
            "requirements": list(order.rfq.requirements.select_related("capability")),
            "problem": problem,
            "nav_section": "my-orders" if request.user.pk == order.customer_id else "orders",
        }
        return render(request, "brokerage/follow_on.html", context, status=status)

    if request.method != "POST":
        return render_form()
    form = FollowOnForm(request.POST)
    return carry_out(
        request,
        forms={"form": form},
        action=lambda: order_follow_on_request(
            order_id=order.pk,
            user=request.user,
            data=form.rfq_input(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        ),
        done=_("The follow-on request is submitted; the estimate clock is running."),
        redirect_to=lambda rfq: reverse("pages:request", args=[rfq.pk]),
        render_again=render_form,
    )
