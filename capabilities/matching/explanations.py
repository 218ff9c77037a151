"""Why a firm ranks where it does, or why a team was proposed: kept as data, said in words
only when someone reads it.

The engine gives each candidate and team its reason as JSON-serializable data
(`candidate_reason`, `team_reason`): which requirements are covered at which grade against
which minimum, what is missing, the open jobs and the answer rate. The caller stores it
(brokerage keeps it with each invitation) and says it in the reader's language when a page,
the API or a notification shows it (`covers_text`, `team_text`), naming capabilities and
firms by their names in that language, never by code or id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from capabilities.matching.requirements import Requirement
from capabilities.matching.team_search import Team
from capabilities.models import Capability
from members.models import Firm

COVERS = "covers"
TEAM = "team"


class Names:
    """Capabilities' and firms' names in the active language, each read once.

    A page that says many reasons shares one (see brokerage.templatetags.reasons); a text
    said on its own reads the names it needs when it is said.
    """

    def __init__(self):
        self.capabilities: dict[str, str] = {}
        self.firms: dict[int, str] = {}

    def read(self, *, codes: Iterable[str] = (), firm_ids: Iterable[int] = ()) -> Names:
        """Read the names not read yet; return self."""
        codes = set(codes) - self.capabilities.keys()
        if codes:
            for capability in Capability.objects.filter(code__in=codes).only(
                "code", "name_ja", "name_en"
            ):
                self.capabilities[capability.code] = capability.name
        firm_ids = {int(firm_id) for firm_id in firm_ids} - self.firms.keys()
        if firm_ids:
            for firm in Firm.objects.filter(pk__in=firm_ids).only("name_ja", "name_en"):
                self.firms[firm.pk] = firm.name
        return self

    def know(self, capabilities: Iterable[Capability]) -> Names:
        """Keep the names of capabilities a page has read already; return self."""
        for capability in capabilities:
            self.capabilities[capability.code] = capability.name
        return self

    def capability(self, code: str) -> str:
        # A code no longer in the taxonomy is still better than nothing.
        return self.capabilities.get(code, code)

    def firm(self, firm_id) -> str:
        return self.firms.get(int(firm_id)) or gettext("firm #%(id)s") % {"id": firm_id}


def listed(items: Iterable[str]) -> str:
    """Join the items of a list as the active language does (", " in English, "、" in Japanese)."""
    return pgettext("list separator", ", ").join(items)


def sentences(items: Iterable[str]) -> str:
    """Join sentences as the active language does: Japanese runs on after its "。"."""
    return ("" if (translation.get_language() or "ja").startswith("ja") else " ").join(items)


def candidate_reason(
    *,
    firm_id: int,
    score: int,
    requirements: Sequence[Requirement],
    grades: Sequence[int],
    open_load: int | None,
    response_rate: float | None,
    rate_known: bool,
) -> dict:
    """Return why a firm ranks where it does, as data (`open_load` and `response_rate` only
    when the caller knew them; a known rate of None is a firm with no record)."""
    pairs = list(zip(requirements, grades, strict=True))
    reason = {
        "code": COVERS,
        "firm": firm_id,
        "score": score,
        "covered": [requirement.capability_code for requirement, grade in pairs if grade],
        "missing": [requirement.capability_code for requirement, grade in pairs if not grade],
        "grades": {requirement.capability_code: grade for requirement, grade in pairs if grade},
        "min_grades": {
            requirement.capability_code: requirement.min_grade for requirement in requirements
        },
    }
    if open_load is not None:
        reason["open_load"] = open_load
    if rate_known:
        reason["response_rate"] = response_rate
    return reason


def team_reason(
    *, requirements: Sequence[Requirement], team: Team, assignments: Mapping[str, int]
) -> dict:
    """Return why a team was proposed, as data: who does which requirement at which grade."""
    grades_by_firm = {member.firm_id: member.grades for member in team.members}
    loads = {member.firm_id: member.open_load for member in team.members}
    codes = [requirement.capability_code for requirement in requirements]
    return {
        "code": TEAM,
        "firms": list(team.firm_ids),
        "assignments": dict(assignments),
        # the grade of the member each requirement is given to
        "grades": {
            code: grades_by_firm[assignments[code]][index] for index, code in enumerate(codes)
        },
        "min_grades": {
            requirement.capability_code: requirement.min_grade for requirement in requirements
        },
        "open_loads": [loads[firm_id] for firm_id in team.firm_ids],
    }


def _graded(name: str, grade, minimum) -> str:
    if minimum is None:
        return gettext("%(name)s (grade %(grade)s)") % {"name": name, "grade": grade}
    return gettext("%(name)s (grade %(grade)s ≥ %(minimum)s)") % {
        "name": name,
        "grade": grade,
        "minimum": minimum,
    }


def covers_text(reason: Mapping, names: Names | None = None) -> str:
    """Say why a firm ranks where it does (`candidate_reason`), in the active language."""
    covered, missing = list(reason["covered"]), list(reason["missing"])
    grades, minimums = reason.get("grades") or {}, reason.get("min_grades") or {}
    names = (names or Names()).read(codes=[*covered, *missing])
    total = len(covered) + len(missing)
    said = [
        ngettext(
            "Covers %(covered)s of %(total)s requirement: %(list)s.",
            "Covers %(covered)s of %(total)s requirements: %(list)s.",
            total,
        )
        % {
            "covered": len(covered),
            "total": total,
            "list": listed(
                _graded(names.capability(code), grades.get(code), minimums.get(code))
                for code in covered
            ),
        }
    ]
    if missing:
        said.append(
            gettext("Missing: %(names)s.") % {"names": listed(map(names.capability, missing))}
        )
    if reason.get("open_load") is not None:
        load = reason["open_load"]
        said.append(ngettext("%(count)s open job.", "%(count)s open jobs.", load) % {"count": load})
    if "response_rate" in reason:
        rate = reason["response_rate"]
        said.append(
            gettext("No record of past requests.")
            if rate is None
            else gettext("Answered %(percent)s%% of past requests.")
            % {"percent": round(rate * 100)}
        )
    return sentences(said)


def team_text(reason: Mapping, names: Names | None = None) -> str:
    """Say why a team was proposed (`team_reason`), in the active language."""
    firm_ids = list(reason["firms"])
    assignments, grades = reason["assignments"], reason.get("grades") or {}
    minimums = reason.get("min_grades") or {}
    names = (names or Names()).read(codes=assignments, firm_ids=firm_ids)
    parts = listed(
        _graded(
            gettext("%(capability)s by %(firm)s")
            % {"capability": names.capability(code), "firm": names.firm(firm_id)},
            grades.get(code),
            minimums.get(code),
        )
        for code, firm_id in assignments.items()
    )
    total = len(assignments)
    if len(firm_ids) == 1:
        lead = ngettext(
            "%(firm)s alone covers the requirement: %(list)s.",
            "%(firm)s alone covers all %(total)s requirements: %(list)s.",
            total,
        ) % {"firm": names.firm(firm_ids[0]), "total": total, "list": parts}
    else:
        lead = ngettext(
            "%(firms)s together cover the requirement: %(list)s.",
            "%(firms)s together cover all %(total)s requirements: %(list)s.",
            total,
        ) % {"firms": listed(map(names.firm, firm_ids)), "total": total, "list": parts}
    loads = reason.get("open_loads")
    if not loads:
        return lead
    open_jobs = gettext("Open jobs: %(loads)s.") % {
        "loads": listed(
            gettext("%(firm)s: %(count)s") % {"firm": names.firm(firm_id), "count": load}
            for firm_id, load in zip(firm_ids, loads, strict=True)
        )
    }
    return sentences([lead, open_jobs])
