"""The English sentences that say why a firm ranks where it does, or a team was proposed.

The caller stores them with its invitations (see capabilities.matching.ranking and teams).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from capabilities.matching.requirements import Requirement
from capabilities.matching.team_search import Team


def _load_sentence(open_load: int) -> str:
    return "1 open job." if open_load == 1 else f"{open_load} open jobs."


def _rate_sentence(rate: float | None) -> str:
    if rate is None:
        return "No record of past requests."
    return f"Answered {round(rate * 100)}% of past requests."


def explain_candidate(
    *,
    requirements: Sequence[Requirement],
    grades: Sequence[int],
    open_load: int | None,
    response_rate: float | None,
    rate_known: bool,
) -> str:
    """Return the English sentences that say why a firm ranks where it does."""
    covered = [
        f"{requirement.capability_code} (grade {grade} ≥ {requirement.min_grade})"
        for requirement, grade in zip(requirements, grades, strict=True)
        if grade
    ]
    missing = [
        requirement.capability_code
        for requirement, grade in zip(requirements, grades, strict=True)
        if not grade
    ]
    noun = "requirement" if len(requirements) == 1 else "requirements"
    sentences = [f"Covers {len(covered)} of {len(requirements)} {noun}: {', '.join(covered)}."]
    if missing:
        sentences.append(f"Missing: {', '.join(missing)}.")
    if open_load is not None:
        sentences.append(_load_sentence(open_load))
    if rate_known:
        sentences.append(_rate_sentence(response_rate))
    return " ".join(sentences)


def explain_team(
    *, requirements: Sequence[Requirement], team: Team, assignments: Mapping[str, int]
) -> str:
    firm_ids = team.firm_ids
    grades_by_firm = {member.firm_id: member.grades for member in team.members}
    parts = []
    for index, requirement in enumerate(requirements):
        firm_id = assignments[requirement.capability_code]
        parts.append(
            f"{requirement.capability_code} by firm {firm_id} "
            f"(grade {grades_by_firm[firm_id][index]} ≥ {requirement.min_grade})"
        )
    if len(firm_ids) == 1:
        lead = f"Firm {firm_ids[0]} alone covers all {len(requirements)} requirements"
    else:
        names = ", ".join(str(firm_id) for firm_id in firm_ids[:-1])
        lead = (
            f"Firms {names} and {firm_ids[-1]} together cover all {len(requirements)} requirements"
        )
    loads = ", ".join(f"firm {member.firm_id}: {member.open_load}" for member in team.members)
    return f"{lead}: {'; '.join(parts)}. Open jobs: {loads}."
