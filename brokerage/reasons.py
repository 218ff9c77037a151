"""Why the brokering did what it did: kept as data, said in the reader's language.

Routing stores why each firm or group was invited (`Invitation.reason`,
`GroupProposal.reason`, the `rfq.routed` event) and why a request closed with no bid (the
`rfq.no_bid` event) as a dict with a `code` and its parameters, never as a sentence. Pages,
the API and notifications say it when it is read (`reason_text`), each in its reader's
language: a notification in its recipient's (`reason_said_to_each`). Capabilities and firms
are named by their names in that language, never by code or id.

The codes: `covers` and `team` are the matching engine's (capabilities.matching.explanations);
`board_member`, `stakeholder`, `group_covers` and `group_open` say why a firm or group was
invited; `uncovered`, `no_board`, `no_group`, `all_cannot_do` and `board_declined` why
nobody can take the request on (and why it waits for the office's triage); `withdrawn`
that its customer withdrew it; `office_invited` why the office invited a firm by hand from
its triage, `office_closed` why the office closed a request it triaged, and
`triage_expired` that its triage window closed without the office acting; the office's own
words are kept as it typed them. A reason that is plain text was typed by a person and is
shown as it is; the sentences routing wrote before reasons were data, which append-only
events keep, are read back into data (migration 0008 converted the other rows).
"""

import re
from collections.abc import Mapping, Sequence

from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext

from capabilities.matching.explanations import COVERS, TEAM, Names, covers_text, listed, team_text

BOARD_MEMBER = "board_member"
STAKEHOLDER = "stakeholder"
GROUP_COVERS = "group_covers"
GROUP_OPEN = "group_open"
UNCOVERED = "uncovered"
NO_BOARD = "no_board"
NO_GROUP = "no_group"
ALL_CANNOT_DO = "all_cannot_do"
BOARD_DECLINED = "board_declined"
WITHDRAWN = "withdrawn"
OFFICE_INVITED = "office_invited"
OFFICE_CLOSED = "office_closed"
TRIAGE_EXPIRED = "triage_expired"


def uncovered_reason(missing: Sequence[str]) -> dict:
    """Nobody has these required capabilities (codes; none named: nobody has any)."""
    return {"code": UNCOVERED, "missing": list(missing)}


def group_reason(*, firm_ids: Sequence[int], covering: int, has_requirements: bool) -> dict:
    """A coordinator group was invited: `covering` of its firms cover every requirement."""
    if not has_requirements:
        return {"code": GROUP_OPEN, "firms": list(firm_ids)}
    return {"code": GROUP_COVERS, "firms": list(firm_ids), "count": covering}


def board_declined_reason(notes: Sequence[str]) -> dict:
    """The administrative board declined; `notes` are its members' own words."""
    return {"code": BOARD_DECLINED, "notes": [note for note in notes if note]}


def withdrawn_reason() -> dict:
    """The customer withdrew the request (their own words, if any, are kept beside it)."""
    return {"code": WITHDRAWN}


def office_invited_reason(note: str) -> dict:
    """The office invited the firm by hand from its triage; `note` is its own words."""
    return {"code": OFFICE_INVITED, "note": note.strip()}


def office_closed_reason(note: str) -> dict:
    """The office closed a request it triaged; `note` is its own words."""
    return {"code": OFFICE_CLOSED, "note": note.strip()}


def triage_expired_reason(days: int) -> dict:
    """The office's triage window of `days` working days closed without its acting."""
    return {"code": TRIAGE_EXPIRED, "days": days}


def _fixed_texts() -> dict[str, str]:
    # Built per call so that each is said in the language active right now.
    return {
        BOARD_MEMBER: gettext("Administrative member: reviews every order."),
        STAKEHOLDER: gettext("Stakeholder: takes part in every planning meeting."),
        GROUP_OPEN: gettext("The group takes on any challenge."),
        NO_BOARD: gettext("The network has no administrative members to review it."),
        NO_GROUP: gettext("No coordinator group covers every requirement of this request."),
        ALL_CANNOT_DO: gettext("Every qualified member answered that it cannot do it."),
        WITHDRAWN: gettext("Withdrawn by the customer."),
    }


def reason_text(reason, names: Names | None = None) -> str:
    """Say a stored reason in the active language ("" for none).

    `names` shares the capabilities' and firms' names among the reasons of one page.
    """
    if not reason:
        return ""
    if isinstance(reason, str):
        old = _reason_of_old_sentence(reason)
        return reason if old is None else reason_text(old, names)
    if not isinstance(reason, Mapping):
        return ""
    code = reason.get("code")
    if code == COVERS:
        return covers_text(reason, names)
    if code == TEAM:
        return team_text(reason, names)
    if code == GROUP_COVERS:
        count = reason.get("count", len(reason.get("firms", [])))
        return ngettext(
            "%(count)s firm of the group covers every requirement.",
            "%(count)s firms of the group cover every requirement.",
            count,
        ) % {"count": count}
    if code == UNCOVERED:
        missing = reason.get("missing") or []
        if not missing:
            return gettext("No member firm has the required skills.")
        names = (names or Names()).read(codes=missing)
        return gettext("No member firm has these required skills: %(names)s.") % {
            "names": listed(map(names.capability, missing))
        }
    if code == BOARD_DECLINED:
        notes = reason.get("notes") or []
        if not notes:
            return gettext("The administrative members cannot take this order on.")
        return gettext("The administrative members cannot take this order on: %(notes)s") % {
            "notes": " / ".join(notes)
        }
    if code == OFFICE_INVITED:
        note = reason.get("note") or ""
        if not note:
            return gettext("Invited by the network's office.")
        return gettext("Invited by the network's office: %(note)s") % {"note": note}
    if code == OFFICE_CLOSED:
        note = reason.get("note") or ""
        if not note:
            return gettext("The network's office found no member firm that can take it on.")
        return gettext(
            "The network's office found no member firm that can take it on: %(note)s"
        ) % {"note": note}
    if code == TRIAGE_EXPIRED:
        days = reason.get("days", 0)
        return ngettext(
            "The network's office found no member firm for it within %(days)s working day.",
            "The network's office found no member firm for it within %(days)s working days.",
            days,
        ) % {"days": days}
    # A row routing wrote before reasons were data, which no migration could read.
    return _fixed_texts().get(code) or str(reason.get("explanation", ""))


# The sentences routing wrote before reasons were data, which append-only events keep.
_OLD_FIXED = {
    "No member firm has the required skills.": UNCOVERED,
    "The network has no administrative members to review it.": NO_BOARD,
    "No coordinator group covers every requirement of this request.": NO_GROUP,
    "Every qualified member answered that it cannot do it.": ALL_CANNOT_DO,
}
_OLD_UNCOVERED = re.compile(r"^No member firm has these required skills: (.+)\.$")
_OLD_BOARD_DECLINED = "The administrative members cannot take this order on: "


def _reason_of_old_sentence(text: str) -> dict | None:
    if text in _OLD_FIXED:
        return {"code": _OLD_FIXED[text]}
    match = _OLD_UNCOVERED.match(text)
    if match:
        return uncovered_reason(match[1].split(", "))
    if text.startswith(_OLD_BOARD_DECLINED):
        notes = text.removeprefix(_OLD_BOARD_DECLINED)
        return board_declined_reason(notes.split(" / ") if notes else [])
    return None


def _said_now(reason) -> str:
    return reason_text(reason)


# Said when the text is read, not when it is made: a notification's context is formatted
# once per recipient inside that recipient's language (members.notification_texts).
reason_said_to_each = lazy(_said_now, str)
