"""Propose the smallest teams of a network's firms that together cover every requirement.

How teams are proposed (`propose_teams`)
    A team is a set of firms that together cover every requirement. Only teams of the
    smallest size that can cover everything are proposed (so in such a team every firm
    covers something no teammate does), at most `max_team_size` firms. Among them, teams
    are ordered by a higher team score, then by their sorted firm ids. A team's score is
    the sum of its members' contributions, each of which is::

        margin * 10**10 + (9999 - min(open_load, 9999)) * 10**5 + response slot

    with the margin taken over every requirement the member covers: a second member able
    to do the same step counts in the team's favour, as a fallback. Because the score is
    additive and members of a smallest team never cover exactly the same requirements,
    only the best `limit` firms of each coverage pattern can appear in the best `limit`
    teams; the database returns just those, and `smallest_teams` searches them exactly.
    Each requirement is assigned to the member with the highest grade for it (then the
    lower open load, then the lower firm id).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from capabilities.matching.aggregating_statement import pattern_leaders_in_one_statement
from capabilities.matching.explanations import team_reason
from capabilities.matching.requirements import (
    InvalidRequirement,
    Requirement,
    capability_ids_for,
    normalize_requirements,
)
from capabilities.matching.scoring import member_contribution
from capabilities.matching.team_search import (
    TeamMember,
    assign_requirements,
    smallest_teams,
)
from capabilities.matching.tiered_search import Search, run_search

# The team search is exponential in the number of requirements (it works on coverage
# patterns, subsets of the requirements); a request rarely needs more than a handful.
MAX_TEAM_REQUIREMENTS = 12
MAX_TEAM_SIZE = 8


@dataclass(frozen=True)
class TeamProposal:
    firm_ids: tuple[int, ...]
    assignments: dict[str, int]
    score: int
    # Why the team was proposed, as JSON-serializable data (see .explanations).
    reason: dict


def propose_teams(
    *,
    network_id: int,
    requirements: Sequence[Requirement],
    roles: Collection[str] | None = None,
    firm_ids: Collection[int] | None = None,
    open_load: Mapping[int, int] | None = None,
    response_rate: Mapping[int, float] | None = None,
    max_team_size: int = 4,
    limit: int = 5,
) -> list[TeamProposal]:
    """Return the best teams of the smallest size that together cover every requirement."""
    requirements = normalize_requirements(requirements)
    if not requirements or limit <= 0 or max_team_size <= 0:
        return []
    if len(requirements) > MAX_TEAM_REQUIREMENTS:
        raise InvalidRequirement(
            f"Teams are proposed for at most {MAX_TEAM_REQUIREMENTS} different capabilities."
        )
    max_team_size = min(max_team_size, MAX_TEAM_SIZE)
    loads = open_load or {}
    rates = response_rate or {}
    # Only the best `limit` firms of each coverage pattern can be in the best `limit`
    # teams (see the module docstring), so the search reads just those.
    searched = run_search(
        lambda search: search.pattern_leaders(limit),
        network_id=network_id,
        requirements=requirements,
        roles=roles,
        firm_ids=firm_ids,
        limit=limit,
        loads=loads,
        rates=rates,
    )
    if searched is not None:
        members = [
            TeamMember(
                firm_id=item.firm_id,
                mask=Search.mask(item.grades),
                grades=item.grades,
                contribution=member_contribution(
                    margin=item.margin,
                    open_load=loads.get(item.firm_id, 0),
                    rate=rates.get(item.firm_id),
                ),
                open_load=loads.get(item.firm_id, 0),
            )
            for item in searched
        ]
    else:
        members = pattern_leaders_in_one_statement(
            arguments={
                "network_id": network_id,
                "requirements": requirements,
                "capability_ids": capability_ids_for(requirements),
                "roles": roles,
                "firm_ids": firm_ids,
                "open_load": loads,
                "response_rate": rates,
            },
            limit=limit,
        )
    teams = smallest_teams(
        members, requirement_count=len(requirements), max_team_size=max_team_size, limit=limit
    )
    proposals = []
    for team in teams:
        assignments = assign_requirements(team, requirements)
        proposals.append(
            TeamProposal(
                firm_ids=team.firm_ids,
                assignments=assignments,
                score=team.score,
                reason=team_reason(requirements=requirements, team=team, assignments=assignments),
            )
        )
    return proposals
