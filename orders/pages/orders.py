"""The order pages: the list for each role, the order as each role sees it, the team,
work packages, deliveries with their inspection documents, receipt, and follow-ons.

Who sees what is decided by orders.selectors: the customer sees progress and
deliveries without the firms behind them; a team firm its own part and the team's
schedule; the leader and the office everything. What a person may not see is a 404.
"""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.access import MONEY_ROLES, OFFICE_ROLES
from core.page_steps import button_step, carry_out, not_found
from core.pagination import page_of
from orders.forms import (
    DeliveryForm,
    InspectionDocumentsForm,
    OrderFilterForm,
    OrderMessageForm,
    PlanForm,
    RatingForm,
    TeamAnswerForm,
    WorkPackageForm,
    share_percent,
)
from orders.models import Order, TeamMember
from orders.page_selectors import (
    follow_on_orders_for_order,
    follow_on_requests_for_order,
    order_list_for_page,
    origin_order_for,
)
from orders.pages.timeline import order_timeline_entries
from orders.performance import rating_changeable_until, rating_for_order
from orders.selectors import (
    delivery_list_for_order,
    event_list_for_order,
    fault_claim_list_for_order,
    inspection_document_get,
    invoice_for_order,
    message_attachment_get,
    message_list_for_rfq,
    money_summary,
    order_actions_for_customer,
    order_get_for_user,
    team_and_schedule_for_order,
)
from orders.services import deliveries, ratings, teams
from orders.services.timeline import message_post, threads_mark_read

ORDERS_PER_PAGE = 20
OFFICE_OR_LEADER = (*OFFICE_ROLES, access.LEADER)
WORK_OPEN = (Order.Status.TEAM_FORMING, Order.Status.IN_PRODUCTION)
FOLLOW_ON_FROM = (Order.Status.DELIVERED, Order.Status.COMPLETED)


def order_url(order: Order, anchor: str = "") -> str:
    return reverse("pages:order", args=[order.pk]) + anchor


def in_network_zone(order: Order, step):
    """Run a step with times typed and shown in the order's network's time zone."""
    with timezone.override(order.network.tzinfo):
        return step()


def list_heading(user, office_networks: frozenset[int]) -> tuple[str, str]:
    """Return the list's heading and its navigation section for the person's role."""
    if office_networks:
        return _("Orders"), "orders"
    if user.firm_id is not None:
        return _("Teams"), "teams"
    return _("My orders"), "my-orders"


@login_required
def order_list(request):
    """List the person's orders: a customer's own, a firm's teams, an office's networks'.

    A customer's list starts with the deliveries to confirm and the invoices to pay.
    """
    user = request.user
    is_customer = user.firm_id is None
    filters = OrderFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = page_of(request, order_list_for_page(user, status=status), per_page=ORDERS_PER_PAGE)
    heading, section = list_heading(user, access.office_network_ids(user))
    rows = []
    for order in page:
        role = access.order_role(user, order)
        rows.append({"order": order, "role": role, "sees_money": role in MONEY_ROLES})
    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "filtered": bool(status),
            "heading": heading,
            "is_customer": is_customer,
            "actions": order_actions_for_customer(user) if is_customer else [],
            "nav_section": section,
        },
    )


# --- The order page ---------------------------------------------------------------------


def render_order_page(request, order: Order, *, bound=None, status=200, problem=""):
    """Render the order as the person's role sees it, with any refused forms bound."""
    context = order_context(request, order, bound or {})
    context["problem"] = problem
    return in_network_zone(
        order, lambda: render(request, "orders/detail.html", context, status=status)
    )


def schedule_rows(request, order: Order, schedule, own_part, sees_team: bool, bound: dict):
    """Return each work package with the forms the person may use on it."""
    today = timezone.localdate(timezone=order.network.tzinfo)
    open_for_work = order.status in WORK_OPEN
    rows = []
    for part in schedule:
        may_update = open_for_work and (sees_team or (own_part is not None and part == own_part))
        progress_key, plan_key = f"progress_{part.pk}", f"plan_{part.pk}"
        rows.append(
            {
                "part": part,
                "is_own": own_part is not None and part == own_part,
                "may_plan": may_update,
                "may_progress": may_update and order.status == Order.Status.IN_PRODUCTION,
                "progress_form": bound.get(progress_key)
                or WorkPackageForm(initial={"on": today}, auto_id=f"id_progress{part.pk}_%s"),
                "plan_form": bound.get(plan_key)
                or PlanForm(
                    initial={
                        "planned_start": part.planned_start,
                        "planned_finish": part.planned_finish,
                    },
                    auto_id=f"id_plan{part.pk}_%s",
                ),
                "plan_open": plan_key in bound,
            }
        )
    return rows


def delivery_rows(request, order: Order, role: str, bound: dict) -> list[dict]:
    user = request.user
    rows = []
    for delivery in delivery_list_for_order(user, order):
        shipper = delivery.firm_id is not None and delivery.firm_id == user.firm_id
        key = f"documents_{delivery.pk}"
        rows.append(
            {
                "delivery": delivery,
                "may_attach": shipper or role in OFFICE_OR_LEADER,
                "may_receive": role == "customer" and delivery.received_at is None,
                "documents_form": bound.get(key)
                or InspectionDocumentsForm(auto_id=f"id_documents{delivery.pk}_%s"),
            }
        )
    return rows


def order_context(request, order: Order, bound: dict) -> dict:
    user = request.user
    role = access.order_role(user, order)
    sees_team = access.sees_whole_team(role)
    team, schedule = team_and_schedule_for_order(user, order)
    own_part = None
    if user.firm_id is not None:
        own_part = next((part for part in schedule if part.firm_id == user.firm_id), None)
    if not sees_team:
        team = []
    # Only the parts the person may read the terms of carry their share as a percentage.
    for part in [*team, *([own_part] if own_part else [])]:
        part.share_percent = share_percent(part.share_bps)
    done = sum(part.state == TeamMember.State.DONE for part in schedule)
    team_forming = order.status == Order.Status.TEAM_FORMING
    in_production = order.status == Order.Status.IN_PRODUCTION
    context = {
        "order": order,
        "rfq": order.rfq,
        "network": order.network,
        "role": role,
        "nav_section": {"customer": "my-orders", "member": "teams", "leader": "teams"}.get(
            role, "orders"
        ),
        "sees_team": sees_team,
        "sees_money": role in MONEY_ROLES,
        "is_office": role in OFFICE_ROLES,
        "team": team,
        "own_part": own_part,
        "schedule": schedule_rows(request, order, schedule, own_part, sees_team, bound),
        "parts_done": done,
        "parts_count": len(schedule),
        "may_assemble": team_forming and role in OFFICE_OR_LEADER,
        "deliveries": delivery_rows(request, order, role, bound),
        "may_ship": in_production
        and (role in OFFICE_OR_LEADER or (own_part is not None and role != "customer")),
        "delivery_form": bound.get("delivery_form") or DeliveryForm(),
        "money": money_summary(order) if role in MONEY_ROLES else None,
        "invoice": invoice_for_order(user, order),
        "fault_claims": list(fault_claim_list_for_order(user, order)),
        "origin": origin_order_for(user, order),
        "follow_on_orders": list(follow_on_orders_for_order(user, order)),
        "follow_on_requests": list(follow_on_requests_for_order(user, order)),
        "may_follow_on": role in ("customer", "office") and order.status in FOLLOW_ON_FROM,
        "timeline": order_timeline_entries(event_list_for_order(user, order), role=role),
        **order_threads_context(request, order, bound),
        **rating_context(order, role, bound),
    }
    answering = (
        own_part is not None
        and team_forming
        and own_part.confirmation == TeamMember.Confirmation.PENDING
    )
    context["answering"] = answering
    if answering:
        context["confirm_form"] = bound.get("confirm_form") or TeamAnswerForm(
            initial={"accept": "yes"}, auto_id="id_confirm_%s"
        )
        context["decline_form"] = bound.get("decline_form") or TeamAnswerForm(
            initial={"accept": "no"}, auto_id="id_decline_%s"
        )
    return context


def order_threads_context(request, order: Order, bound: dict) -> dict:
    """Return `<audience>_thread` for each of the order's threads the person reads."""
    user = request.user
    audiences = access.order_threads_readable(user, order)
    threads: dict[str, list] = {audience: [] for audience in audiences}
    for message in message_list_for_rfq(user, order.rfq, audiences):
        threads[message.audience].append(message)
    return {
        f"{audience}_thread": {
            "audience": audience,
            "messages": messages,
            "new_count": sum(message.is_new for message in messages),
            "action": reverse("pages:order-message", args=[order.pk]),
            "attachments_url": "pages:order-message-attachment",
            "form": (
                bound.get(f"{audience}_message_form")
                or OrderMessageForm(initial={"audience": audience}, auto_id=f"id_{audience}_%s")
            )
            if access.may_write_order_thread(user, order, audience)
            else None,
        }
        for audience, messages in threads.items()
    }


def rating_context(order: Order, role: str, bound: dict) -> dict:
    """Return the order's rating and, for its customer once delivered, the form to rate."""
    rating = rating_for_order(order)
    changeable_until = rating_changeable_until(rating) if rating else None
    may_rate = (
        role == access.CUSTOMER
        and order.status in ratings.RATEABLE
        and (rating is None or timezone.now() <= changeable_until)
    )
    form = bound.get("rating_form")
    if form is None and may_rate:
        initial = {name: getattr(rating, name) for name in RatingForm.base_fields} if rating else {}
        form = RatingForm(initial=initial)
    return {
        "rating": rating,
        "rating_changeable_until": changeable_until,
        "may_rate": may_rate,
        "rating_form": form,
    }


@login_required
def order_detail(request, order_id: int):
    """Show an order as the person's role sees it: the threads it shows are then read.

    Only a thread with a message new to them moves their read marker.
    """
    order = order_get_for_user(request.user, order_id)
    context = order_context(request, order, {})
    context["problem"] = ""
    newest = {
        thread["audience"]: thread["messages"][-1].pk
        for key, thread in context.items()
        if key.endswith("_thread") and thread["new_count"]
    }
    threads_mark_read(user=request.user, rfq=order.rfq, read_up_to=newest)
    return in_network_zone(order, lambda: render(request, "orders/detail.html", context))


# --- The order's threads -------------------------------------------------------------


@require_POST
@login_required
def order_message(request, order_id: int):
    """Post on one of the order's threads, with files if any."""
    order = order_get_for_user(request.user, order_id)
    audience = request.POST.get("audience", "")
    if not access.may_write_order_thread(request.user, order, audience):
        raise PermissionDenied("You may not write on this thread.")
    form = OrderMessageForm(request.POST, request.FILES, auto_id=f"id_{audience}_%s")
    return order_step(
        request,
        order,
        forms={f"{audience}_message_form": form},
        action=lambda: message_post(
            rfq=order.rfq,
            author=request.user,
            body=form.cleaned_data["body"],
            audience=audience,
            attachments=form.cleaned_data["files"],
        ),
        done=_("Your message is posted."),
        anchor=f"#thread-{audience}",
    )


@login_required
def order_message_attachment(request, order_id: int, message_id: int, attachment_id: int):
    """Download a file sent on the order's threads, if the person may read its message."""
    order = order_get_for_user(request.user, order_id)
    attachment = message_attachment_get(request.user, order, message_id, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def order_step(request, order: Order, *, forms: dict, action, done: str, anchor: str):
    """Carry out a step on the order page; a refusal draws the order page again."""
    return in_network_zone(
        order,
        lambda: carry_out(
            request,
            forms=forms,
            action=action,
            done=done,
            redirect_to=order_url(order, anchor),
            render_again=partial(render_order_page, request, order),
        ),
    )


# --- The team's answers --------------------------------------------------------------


@require_POST
@login_required
def order_team_answer(request, order_id: int):
    """A team firm confirms its part, or declines it saying why."""
    order = order_get_for_user(request.user, order_id)
    declining = request.POST.get("accept") == "no"
    form = TeamAnswerForm(request.POST, auto_id="id_decline_%s" if declining else "id_confirm_%s")
    return order_step(
        request,
        order,
        forms={"decline_form" if declining else "confirm_form": form},
        action=lambda: teams.team_member_answer(
            order_id=order.pk,
            user=request.user,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("Your firm declined its part; the leader is told why.")
        if declining
        else _("Your firm confirmed its part."),
        anchor="#your-part",
    )


# --- Work packages and deliveries -------------------------------------------------------


@require_POST
@login_required
def work_package_progress(request, order_id: int, part_id: int):
    """Mark a work package started or finished on a day."""
    order = order_get_for_user(request.user, order_id)
    form = WorkPackageForm(request.POST, auto_id=f"id_progress{part_id}_%s")
    return order_step(
        request,
        order,
        forms={f"progress_{part_id}": form},
        action=lambda: teams.work_package_update(
            order_id=order.pk,
            part_id=part_id,
            user=request.user,
            state=form.cleaned_data["state"],
            on=form.cleaned_data["on"],
        ),
        done=_("The work package is updated."),
        anchor=f"#part-{part_id}",
    )


@require_POST
@login_required
def work_package_plan(request, order_id: int, part_id: int):
    """Move a work package's planned dates."""
    order = order_get_for_user(request.user, order_id)
    form = PlanForm(request.POST, auto_id=f"id_plan{part_id}_%s")
    return order_step(
        request,
        order,
        forms={f"plan_{part_id}": form},
        action=lambda: teams.work_package_update(
            order_id=order.pk,
            part_id=part_id,
            user=request.user,
            planned_start=form.cleaned_data["planned_start"],
            planned_finish=form.cleaned_data["planned_finish"],
        ),
        done=_("The planned dates are changed."),
        anchor=f"#part-{part_id}",
    )


@require_POST
@login_required
def delivery_record(request, order_id: int):
    """Record goods shipped to the customer (a team firm, the leader or the office)."""
    order = order_get_for_user(request.user, order_id)
    form = DeliveryForm(request.POST)
    return order_step(
        request,
        order,
        forms={"delivery_form": form},
        action=lambda: deliveries.delivery_record(
            order_id=order.pk,
            user=request.user,
            description=form.cleaned_data["description"],
            quantity=form.cleaned_data["quantity"],
            is_final=form.cleaned_data["is_final"],
        ),
        done=_("The delivery is recorded and the customer is told."),
        anchor="#deliveries",
    )


@require_POST
@login_required
def delivery_documents(request, order_id: int, delivery_id: int):
    """Attach inspection documents to a delivery, each checked by its content."""
    order = order_get_for_user(request.user, order_id)
    if not delivery_list_for_order(request.user, order).filter(pk=delivery_id).exists():
        raise not_found()
    form = InspectionDocumentsForm(
        request.POST, request.FILES, auto_id=f"id_documents{delivery_id}_%s"
    )

    @transaction.atomic
    def attach_all():
        for uploaded in form.cleaned_data["documents"]:
            deliveries.inspection_document_attach(
                order_id=order.pk, delivery_id=delivery_id, user=request.user, uploaded=uploaded
            )

    return order_step(
        request,
        order,
        forms={f"documents_{delivery_id}": form},
        action=attach_all,
        done=_("The inspection documents are attached."),
        anchor=f"#delivery-{delivery_id}",
    )


@login_required
def delivery_document(request, order_id: int, delivery_id: int, document_id: int):
    """Download an inspection document of a delivery the person may see."""
    order = order_get_for_user(request.user, order_id)
    document = inspection_document_get(request.user, order, document_id)
    if document.delivery_id != delivery_id:
        raise not_found()
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def delivery_receive(request, order_id: int, delivery_id: int):
    """The customer confirms receipt of a delivery."""
    order = order_get_for_user(request.user, order_id)
    return button_step(
        request,
        action=lambda: deliveries.delivery_receive(
            order_id=order.pk, delivery_id=delivery_id, user=request.user
        ),
        done=_("Thank you: your receipt is confirmed."),
        redirect_to=order_url(order, "#deliveries"),
    )


# --- The customer's rating ----------------------------------------------------------------


@require_POST
@login_required
def order_rate(request, order_id: int):
    """The customer rates their delivered order, or changes the rating for a while."""
    order = order_get_for_user(request.user, order_id)
    if not access.may_rate_order(request.user, order):
        raise not_found()
    form = RatingForm(request.POST)
    return order_step(
        request,
        order,
        forms={"rating_form": form},
        action=lambda: ratings.order_rate(
            order_id=order.pk, user=request.user, **form.cleaned_data
        ),
        done=_("Thank you: your rating is saved and the team is told."),
        anchor="#rating",
    )
