"""A request's timeline in words: what each recorded event means to the person reading it."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from core import access
from members.models import Firm
from orders.models import RFQ
from orders.pages.timeline import TimelineEntry


def event_label(kind: str, data: dict, firm_names: dict[int, str], role: str) -> tuple[str, str]:
    """Return the headline and the detail of one event, from the data one may read."""
    firm = firm_names.get(data.get("firm"), data.get("firm_name", ""))
    if kind == "rfq.submitted":
        channel = data.get("channel", RFQ.Channel.WEB)
        if channel != RFQ.Channel.WEB:
            return _("Request keyed in by the office"), _("Received by %(channel)s") % {
                "channel": RFQ.Channel(channel).label
            }
        return _("Request submitted"), ""
    if kind == "rfq.routed":
        if role not in access.OFFICE_ROLES:
            # A member firm reads its own invitation, not how many rivals were asked.
            return str(RFQ.Status.ROUTED.label), ""
        return _("Routed to %(count)s firms") % {"count": len(data.get("invited", []))}, ""
    if kind == "invitation.answered":
        if data.get("can_do"):
            return _("%(firm)s answered: can do") % {"firm": firm}, ""
        return _("%(firm)s answered: cannot do") % {"firm": firm}, ""
    if kind == "board.decided":
        if data.get("accept"):
            return _("%(firm)s accepted the order") % {"firm": firm}, data.get("reason", "")
        return _("%(firm)s declined the order") % {"firm": firm}, data.get("reason", "")
    if kind == "leader.designated":
        reason = data.get("reason", "")
        reason_label = RFQ.LeaderReason(reason).label if reason in RFQ.LeaderReason.values else ""
        return _("%(firm)s leads the project") % {"firm": firm}, str(reason_label)
    if kind in ("estimate.created", "estimate.sent"):
        version = data.get("version", "")
        if kind == "estimate.created":
            return _("Estimate version %(version)s drafted") % {"version": version}, ""
        late = "" if data.get("on_time", True) else _("after the promised time")
        return _("Estimate version %(version)s sent") % {"version": version}, late
    if kind == "drawing.attached":
        return _("Drawing attached: %(name)s") % {"name": data.get("name", "")}, ""
    if kind == "deadline.reminder" and data.get("round", 1) > 1:
        # A later round's reminder is about its answers, not the estimate.
        return _("Reminder: the latest invited firms' answers are due soon"), ""
    headline = simple_labels().get(kind)
    if headline is None:
        return kind, ""
    return headline, data.get("reason", "")


def simple_labels() -> dict[str, str]:
    # Built per call so each label is translated into the language active right now.
    return {
        "rfq.no_bid": _("Closed: no member can take it on"),
        "rfq.cancelled": _("Request cancelled"),
        "rfq.accepted_by_board": _("The administrative board accepted the order"),
        "interview.scheduled": _("Interview scheduled"),
        "interview.recorded": _("Interview held and recorded"),
        "planning.scheduled": _("Planning meeting scheduled"),
        "phases.selected": _("Firms selected for the phases"),
        "proposal.submitted": _("A group submitted its proposal"),
        "proposal.chosen": _("The customer chose a proposal"),
        "estimate.accepted": _("Estimate accepted: the order is created"),
        "estimate.declined": _("Estimate declined"),
        "message.posted": _("Message posted"),
        "deadline.member_response": _("The members' answer window closed"),
        "deadline.reminder": _("Reminder: the estimate is due soon"),
        "deadline.estimate": _("The estimate deadline passed"),
    }


def timeline_entries(events, *, rfq: RFQ, user) -> list[TimelineEntry]:
    """Return a request's events (already scoped to the person) as entries to show.

    Each entry says only what of its event's data the person's role may read, naming
    firms in the active language; the customer reads no one's name.
    """
    network, role = rfq.network, access.rfq_role(user, rfq)
    readable = [(event, access.rfq_event_data(user, rfq, event.data or {})) for event in events]
    firm_ids = {data.get("firm") for _event, data in readable}
    firm_names = {
        firm.pk: firm.name for firm in Firm.objects.filter(pk__in=[f for f in firm_ids if f])
    }
    entries = []
    for event, data in readable:
        label, detail = event_label(event.kind, data, firm_names, role)
        if event.kind in ("interview.scheduled", "planning.scheduled") and data.get("at"):
            moment = datetime.datetime.fromisoformat(data["at"]).astimezone(network.tzinfo)
            detail = f"{formats.date_format(moment, 'DATETIME_FORMAT')} {moment.tzname()}"
            if data.get("place"):
                detail += f" · {data['place']}"
        actor = ""
        if role != access.CUSTOMER:
            actor = (
                (event.actor.get_full_name() or event.actor.username)
                if event.actor
                else _("the platform")
            )
        entries.append(
            TimelineEntry(at=event.at, kind=event.kind, label=label, detail=detail, actor=actor)
        )
    return entries
