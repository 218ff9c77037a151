"""The exact search for the best teams of the smallest size, pure of the database.

It works on coverage patterns (which requirements a firm covers, as a bit mask) and on
each firm's contribution to a team's score; capabilities.matching.teams says why the best
few firms of each pattern are all it needs.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from capabilities.matching.requirements import Requirement


@dataclass(frozen=True)
class TeamMember:
    """A firm as the team search sees it: which requirements it covers, and how well."""

    firm_id: int
    mask: int  # bit i set when the firm covers requirement i
    grades: tuple[int, ...]  # grade per requirement, 0 where not covered
    contribution: int
    open_load: int = 0


@dataclass(frozen=True)
class Team:
    members: tuple[TeamMember, ...]
    score: int = field(compare=False)

    @property
    def firm_ids(self) -> tuple[int, ...]:
        return tuple(sorted(member.firm_id for member in self.members))


def assign_requirements(team: Team, requirements: Sequence[Requirement]) -> dict[str, int]:
    """Give each requirement to the member with the best grade, then lower load, then id."""
    assignments = {}
    for index, requirement in enumerate(requirements):
        best = min(
            (member for member in team.members if member.mask >> index & 1),
            key=lambda member: (-member.grades[index], member.open_load, member.firm_id),
        )
        assignments[requirement.capability_code] = best.firm_id
    return assignments


def minimal_cover_size(masks: Iterable[int], *, full: int, max_size: int) -> int | None:
    """Return the fewest masks whose union is `full`, or None if more than max_size."""
    # Replacing a pattern by a superset never hurts coverage, so only maximal ones count.
    distinct = sorted(set(masks), key=lambda mask: -bin(mask).count("1"))
    maximal = [m for m in distinct if not any(m != o and m | o == o for o in distinct)]
    reachable = {0}
    for size in range(1, max_size + 1):
        reachable = {state | mask for state in reachable for mask in maximal}
        if full in reachable:
            return size
    return None


def _mask_combinations(masks: Sequence[int], *, full: int, size: int) -> Iterable[tuple[int, ...]]:
    """Yield each set of `size` distinct patterns whose union is `full`, once."""
    seen: set[tuple[int, ...]] = set()

    def extend(chosen: tuple[int, ...], union: int) -> Iterable[tuple[int, ...]]:
        if len(chosen) == size:
            if union == full:
                key = tuple(sorted(chosen))
                if key not in seen:
                    seen.add(key)
                    yield key
            return
        lowest_missing = (full & ~union) & -(full & ~union)
        for mask in masks:
            # Each cover holds a pattern with the lowest requirement still missing, and
            # adding it must bring something new (in a smallest cover, every pattern does).
            if mask & lowest_missing and mask not in chosen:
                yield from extend((*chosen, mask), union | mask)

    yield from extend((), 0)


def smallest_teams(
    members: Iterable[TeamMember], *, requirement_count: int, max_team_size: int, limit: int
) -> list[Team]:
    """Return the best `limit` covers of the smallest size, exactly (see the module docstring).

    Teams are ordered by higher score (the sum of the members' contributions), then by
    their sorted firm ids.
    """
    full = (1 << requirement_count) - 1
    by_mask: dict[int, list[TeamMember]] = {}
    for member in members:
        if member.mask:
            by_mask.setdefault(member.mask, []).append(member)
    for mask, group in by_mask.items():
        group.sort(key=lambda member: (-member.contribution, member.firm_id))
        by_mask[mask] = group[:limit]
    size = minimal_cover_size(by_mask, full=full, max_size=max_team_size)
    if size is None:
        return []

    def best_possible(combination: tuple[int, ...]) -> int:
        return sum(by_mask[mask][0].contribution for mask in combination)

    combinations = sorted(
        _mask_combinations(sorted(by_mask), full=full, size=size),
        key=lambda combination: (-best_possible(combination), combination),
    )
    # A bounded heap of the best teams so far, worst on top: (score, negated firm ids).
    best: list[tuple[int, tuple[int, ...], Team]] = []
    for combination in combinations:
        if len(best) == limit and best_possible(combination) < best[0][0]:
            break  # every later combination is bounded by a lower score still
        for picked in itertools.product(*(by_mask[mask] for mask in combination)):
            team = Team(members=picked, score=sum(member.contribution for member in picked))
            key = (team.score, tuple(-firm_id for firm_id in team.firm_ids), team)
            if len(best) < limit:
                heapq.heappush(best, key)
            elif key[:2] > best[0][:2]:
                heapq.heapreplace(best, key)
    return [entry[2] for entry in sorted(best, key=lambda entry: (-entry[0], entry[2].firm_ids))]
