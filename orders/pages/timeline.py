"""An order's timeline in words, for the person reading it and only what they may read."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import access
from orders.models import TeamMember
from orders.page_selectors import firm_names
from orders.templatetags.money import yen


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    label: str
    detail: str
    actor: str


def simple_labels() -> dict[str, str]:
    # Built per call so each label is translated into the language active right now.
    return {
        "order.created": _("Estimate accepted: the order is created"),
        "order.in_production": _("Every firm confirmed its part: production started"),
        "delivery.received": _("The customer confirmed receipt"),
        "order.delivered": _("Order delivered"),
        "order.completed": _("Order completed: delivered and paid"),
    }


def order_event_label(kind: str, data: dict, names: dict[int, str]) -> tuple[str, str]:
    """Return the headline and the detail of one order event, from the data one may read."""
    firm = names.get(data.get("firm"), "")
    package = data.get("work_package", "")
    if kind == "team.set":
        return _("Team assembled: %(count)s firms") % {"count": len(data.get("firms", []))}, ""
    if kind == "team.member_confirmed":
        return _("%(firm)s confirmed its part") % {"firm": firm}, ""
    if kind == "team.member_declined":
        return _("%(firm)s declined its part") % {"firm": firm}, data.get("reason", "")
    if kind == "work_package.updated":
        state = data.get("state")
        detail = firm
        if state == TeamMember.State.DONE:
            return _("Work finished: %(package)s") % {"package": package}, detail
        if state == TeamMember.State.IN_PROGRESS:
            return _("Work started: %(package)s") % {"package": package}, detail
        return _("Plan changed: %(package)s") % {"package": package}, detail
    if kind == "delivery.recorded":
        if data.get("final"):
            return _("Final delivery shipped"), firm
        return _("Delivery shipped"), firm
    if kind == "delivery.document_attached":
        return _("Inspection document attached: %(name)s") % {"name": data.get("name", "")}, ""
    if kind == "invoice.issued":
        return _("Invoice %(number)s issued") % {"number": data.get("number", "")}, ""
    if kind == "payment.recorded":
        amount = data.get("amount")
        headline = _("Payment of %(amount)s received") % {"amount": yen(amount)}
        if "owed" in data:
            return headline, _("Still owed: %(owed)s") % {"owed": yen(data["owed"])}
        return headline, ""
    if kind == "payment.allocated":
        return _("Payment split: office fee %(fee)s") % {"fee": yen(data.get("fee", 0))}, ""
    if kind == "fault.claimed":
        return (
            _("Fault damages of %(amount)s charged to %(firm)s")
            % {"amount": yen(data.get("amount", 0)), "firm": firm},
            "",
        )
    if kind == "refund.issued":
        return _("Refund of %(amount)s") % {"amount": yen(data.get("amount", 0))}, ""
    if kind in ("order.rated", "order.rating_changed"):
        headline = (
            _("Customer rated the order")
            if kind == "order.rated"
            else _("Customer changed the rating")
        )
        return headline, _(
            "Quality %(quality)s/5, delivery %(delivery)s/5, communication %(communication)s/5"
        ) % {name: data.get(name, "-") for name in ("quality", "delivery", "communication")}
    if kind == "order.follow_on_requested":
        return _("Follow-on request #%(number)s submitted") % {"number": data.get("rfq", "")}, ""
    headline = simple_labels().get(kind)
    if headline is None:
        return kind, ""
    return headline, ""


def order_timeline_entries(events, *, role: str) -> list[TimelineEntry]:
    """Return an order's events (already scoped to the person) as entries to show."""
    events = list(events)
    readable = [(event, access.order_event_data(role, event.data or {})) for event in events]
    names = firm_names(data.get("firm") for _event, data in readable)
    entries = []
    for event, data in readable:
        label, detail = order_event_label(event.kind, data, names)
        actor = ""
        if role != access.CUSTOMER:
            actor = event.actor.display_name if event.actor else _("the platform")
        entries.append(
            TimelineEntry(at=event.at, kind=event.kind, label=label, detail=detail, actor=actor)
        )
    return entries
