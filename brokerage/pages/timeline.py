"""A request's timeline in words: what each recorded event means to the person reading it."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brokerage.reasons import reason_text
from core import access
from members.models import Firm, Network
from orders.models import RFQ
from orders.pages.timeline import TimelineEntry


def event_label(kind: str, data: dict, firm_names: dict[int, str], role: str) -> tuple[str, str]:
    """Return the headline and the detail of one event, from the data one may read."""
    if role == access.CUSTOMER:
        label = customer_event_label(kind, data, firm_names)
        if label is not None:
            return label
    firm = firm_names.get(data.get("firm"), data.get("firm_name", ""))
    if kind == "rfq.submitted":
        channel = data.get("channel", RFQ.Channel.WEB)
        if channel != RFQ.Channel.WEB:
            return _("Request keyed in by the office"), _("Received by %(channel)s") % {
                "channel": RFQ.Channel(channel).label
            }
        return _("Request submitted"), ""
    if kind == "rfq.routed":
        return routed_label(data, role), ""
    if kind == "invitation.answered":
        if data.get("can_do"):
            return _("%(firm)s answered: can do") % {"firm": firm}, ""
        return _("%(firm)s answered: cannot do") % {"firm": firm}, ""
    if kind == "board.decided":
        if data.get("changed"):
            if data.get("accept"):
                label = _("%(firm)s changed its vote: accepts the order")
            else:
                label = _("%(firm)s changed its vote: declines the order")
            return label % {"firm": firm}, data.get("reason", "")
        if data.get("accept"):
            return _("%(firm)s accepted the order") % {"firm": firm}, data.get("reason", "")
        return _("%(firm)s declined the order") % {"firm": firm}, data.get("reason", "")
    if kind == "leader.designated":
        return _("%(firm)s leads the project") % {"firm": firm}, leader_reason(data)
    if kind in ("estimate.created", "estimate.sent"):
        version = data.get("version", "")
        if kind == "estimate.created":
            return _("Estimate version %(version)s drafted") % {"version": version}, ""
        return _("Estimate version %(version)s sent") % {"version": version}, late(data)
    if kind == "estimate.expired":
        return _("Estimate version %(version)s expired unanswered") % {
            "version": data.get("version", "")
        }, ""
    if kind == "estimate.reissued":
        return _("Estimate re-issued as version %(version)s") % {
            "version": data.get("version", "")
        }, ""
    if kind == "rfq.cancelled" and isinstance(data.get("reason"), dict):
        # Withdrawn: the reason is a code; the customer's own words are the note.
        return _("Withdrawn by the customer"), data.get("note", "")
    if kind == "drawing.attached":
        return _("Drawing attached: %(name)s") % {"name": data.get("name", "")}, ""
    if kind == "rfq.triage":
        return _("No member firm covers it: waiting for the office's triage"), reason_text(
            data.get("reason")
        )
    if kind == "rfq.triage_invited":
        count = len(data.get("invited", []))
        return ngettext(
            "The office invited %(count)s firm by hand",
            "The office invited %(count)s firms by hand",
            count,
        ) % {"count": count}, reason_text(data.get("reason"))
    if kind == "rfq.follow_on_of":
        return _("Follow-on of order #%(order)s") % {"order": data.get("order", "")}, ""
    if kind == "deadline.reminder" and data.get("round", 1) > 1:
        # A later round's reminder is about its answers, not the estimate.
        return _("Reminder: the latest invited firms' answers are due soon"), ""
    if kind in ("deadline.reminder", "deadline.estimate") and data.get("stage") in STAGE_LABELS:
        return STAGE_LABELS[data["stage"]][kind == "deadline.estimate"](), ""
    headline = simple_labels().get(kind)
    if headline is None:
        return kind, ""
    # Why a request closed with no bid is data, said in the reader's language; a reason a
    # person typed (a cancellation's, a declined estimate's) is shown as it was typed.
    return headline, reason_text(data.get("reason"))


def routed_label(data: dict, role: str) -> str:
    """Say how the network took the request on, to its office or to a member firm."""
    if data.get("status") == RFQ.Status.INTERVIEW:
        return _("Taken on for consultation: the office interviews the customer first")
    if role not in access.OFFICE_ROLES:
        # A member firm reads its own invitation, not how many rivals were asked.
        return str(RFQ.Status.ROUTED.label)
    count = len(data.get("invited", []))
    policy = data.get("policy")
    if policy == Network.Policy.ADMIN_BOARD:
        return ngettext(
            "Sent to %(count)s administrative member for the board's decision",
            "Sent to %(count)s administrative members for the board's decision",
            count,
        ) % {"count": count}
    if policy == Network.Policy.COMPETING_GROUPS:
        return ngettext(
            "Sent to %(count)s coordinator group for its proposal",
            "Sent to %(count)s coordinator groups for their proposals",
            count,
        ) % {"count": count}
    return _("Routed to %(count)s firms") % {"count": count}


def customer_event_label(
    kind: str, data: dict, firm_names: dict[int, str]
) -> tuple[str, str] | None:
    """Return how an event reads to the customer whose request it is, or None if as to all.

    The customer reads each step as it concerns them: whom the network asked is said
    by kind (and counted where the policy says so), never by name.
    """
    if kind == "rfq.submitted":
        if data.get("channel", RFQ.Channel.WEB) == RFQ.Channel.WEB:
            return _("You submitted the request"), ""
        return None
    if kind == "rfq.routed":
        return customer_routed_label(data), ""
    if kind == "invitation.answered":
        if data.get("can_do"):
            return _("A member firm answered: it can do the job"), ""
        return _("A member firm answered: it cannot do the job"), ""
    if kind == "leader.designated":
        firm = firm_names.get(data.get("firm"), data.get("firm_name", ""))
        return _("%(firm)s leads your project") % {"firm": firm}, leader_reason(data)
    if kind == "rfq.cancelled" and isinstance(data.get("reason"), dict):
        return _("You withdrew the request"), data.get("note", "")
    if kind == "estimate.sent":
        version = data.get("version", "")
        return _("Your estimate is ready (version %(version)s)") % {"version": version}, late(data)
    if kind == "rfq.triage":
        details = [reason_text(data.get("reason"))]
        if data.get("closes_at"):
            when = moment(data["closes_at"])
            details.append(_("You will hear what it decided by %(when)s") % {"when": when})
        headline = _("No member firm matched at once: the network's office is looking for firms")
        return headline, " ".join(detail for detail in details if detail)
    labels = {
        "rfq.triage_invited": _("The office found member firms for your request"),
        "rfq.requirements_corrected": _("The office corrected the skills your request needs"),
        "rfq.accepted_by_board": _("The syndicate's board agreed to take your request on"),
        "interview.scheduled": _("Your interview is scheduled"),
        "interview.recorded": _("Interview held: the network plans your project"),
        "planning.scheduled": _("The network's firms meet to plan your project"),
        "phases.selected": _("The firms for each phase of your project are chosen"),
        "proposal.submitted": _("A coordinator group submitted its proposal"),
        "proposal.chosen": _("A proposal is chosen: its group does the job"),
        "estimate.created": _("Your estimate is being prepared"),
        "estimate.accepted": _("You accepted the estimate: the order is created"),
        "estimate.declined": _("You declined the estimate"),
        "deadline.estimate": _("Your estimate takes longer than promised: the office is on it"),
    }
    if kind == "deadline.estimate" and data.get("stage") in CUSTOMER_STAGE_LATE:
        return CUSTOMER_STAGE_LATE[data["stage"]](), ""
    if kind in labels:
        return labels[kind], data.get("reason", "")
    return None


def customer_routed_label(data: dict) -> str:
    """Say to the customer how the network took their request on."""
    if data.get("status") == RFQ.Status.INTERVIEW:
        return _("Taken on for consultation: the network meets you for an interview first")
    policy = data.get("policy")
    if policy == Network.Policy.ADMIN_BOARD:
        return _("Sent to the syndicate's board, which decides whether to take it on")
    count = data.get("count")
    if policy == Network.Policy.COMPETING_GROUPS:
        if count is None:
            return _("Sent to the coordinator groups that can do it, for their proposals")
        return ngettext(
            "Sent to %(count)s coordinator group that can do it, for its proposal",
            "Sent to %(count)s coordinator groups that can do it, for their proposals",
            count,
        ) % {"count": count}
    if count is None:
        return _("Sent to the member firms with the skills it needs")
    return ngettext(
        "Sent to %(count)s member firm with the skills it needs",
        "Sent to %(count)s member firms with the skills it needs",
        count,
    ) % {"count": count}


def moment(iso: str) -> str:
    """Say a stored moment as the active language writes a date and time."""
    at = timezone.localtime(datetime.datetime.fromisoformat(iso))
    return f"{formats.date_format(at, 'DATETIME_FORMAT')} {at.tzname()}"


def leader_reason(data: dict) -> str:
    reason = data.get("reason", "")
    return str(RFQ.LeaderReason(reason).label) if reason in RFQ.LeaderReason.values else ""


def late(data: dict) -> str:
    return "" if data.get("on_time", True) else _("after the promised time")


# A consultation's earlier promises (Rodan21's interview and planning meeting): their
# reminder and their breach, said when read.
STAGE_LABELS = {
    "interview": (
        lambda: _("Reminder: the interview is due soon"),
        lambda: _("The interview deadline passed"),
    ),
    "planning": (
        lambda: _("Reminder: the planning meeting is due soon"),
        lambda: _("The planning meeting deadline passed"),
    ),
}
CUSTOMER_STAGE_LATE = {
    "interview": lambda: _("Your interview takes longer than promised: the office is on it"),
    "planning": lambda: _("Planning your project takes longer than promised: the office is on it"),
}


def simple_labels() -> dict[str, str]:
    # Built per call so each label is translated into the language active right now.
    return {
        "rfq.no_bid": _("Closed: no member can take it on"),
        "rfq.cancelled": _("Request cancelled"),
        "rfq.requirements_corrected": _("The office corrected the required skills"),
        "deadline.triage": _("The office's triage window closed"),
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


def answer_tally(readable: list[tuple]) -> dict[int, str]:
    """Return, for the customer, what each answer makes of the count so far, by event id.

    A firm may change its answer until a leader is chosen: each firm counts once, with
    its latest answer. The firm is only told apart here, never named or shown.
    """
    latest: dict = {}
    tally = {}
    for event, data in readable:
        if event.kind != "invitation.answered":
            continue
        latest[(event.data or {}).get("firm")] = bool(data.get("can_do"))
        can_do = sum(latest.values())
        tally[event.pk] = ngettext(
            "So far %(can_do)s of %(answered)s answering firm can do it",
            "So far %(can_do)s of %(answered)s answering firms can do it",
            len(latest),
        ) % {"can_do": can_do, "answered": len(latest)}
    return tally


def timeline_entries(events, *, rfq: RFQ, user) -> list[TimelineEntry]:
    """Return a request's events (already scoped to the person) as entries to show.

    Each entry says only what of its event's data the person's role may read, naming
    firms in the active language; the customer reads no one's name but the leader's.
    """
    network, role = rfq.network, access.rfq_role(user, rfq)
    readable = [
        (event, access.rfq_event_data(user, rfq, event.kind, event.data or {})) for event in events
    ]
    firm_ids = {data.get("firm") for _event, data in readable}
    firm_names = {
        firm.pk: firm.name for firm in Firm.objects.filter(pk__in=[f for f in firm_ids if f])
    }
    tally = answer_tally(readable) if role == access.CUSTOMER else {}
    entries = []
    for event, data in readable:
        label, detail = event_label(event.kind, data, firm_names, role)
        if event.kind in ("interview.scheduled", "planning.scheduled") and data.get("at"):
            moment = datetime.datetime.fromisoformat(data["at"]).astimezone(network.tzinfo)
            detail = f"{formats.date_format(moment, 'DATETIME_FORMAT')} {moment.tzname()}"
            if data.get("place"):
                detail += f" · {data['place']}"
        detail = tally.get(event.pk, detail)
        actor = ""
        if role != access.CUSTOMER:
            actor = event.actor.display_name if event.actor else _("the platform")
        entries.append(
            TimelineEntry(at=event.at, kind=event.kind, label=label, detail=detail, actor=actor)
        )
    return entries
