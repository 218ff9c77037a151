"""Rank a network's firms for a set of required capabilities (`rank_firms`).

Who is considered
    Firms with an active membership of the network, in any role but the office's (the
    office routes requests; it does not take them), optionally restricted to some roles or
    some firm ids, and only if the firm itself is active. A firm "covers" a requirement
    when it registered exactly that capability code at a grade at or above the minimum
    (the taxonomy's parents are categories: firms register the specific skills they have).
    A firm that covers none of the requirements is not a candidate.

How firms are ranked (`rank_firms`)
    By, in this order: more requirements covered; then a higher total grade margin (the
    sum over covered requirements of the firm's grade minus the minimum grade); then fewer
    open jobs; then a higher response rate (a firm with no record ranks after every firm
    with one); then the lower firm id, so that equal firms are always listed in the same
    order. The integer `score` packs the first four keys so that sorting by score and then
    by firm id is exactly that order::

        score = covered          * 10**11
              + margin           * 10**8
              + (9999 - min(open_load, 9999)) * 10**4
              + response slot

    where the response slot is 0 without a record, else 1 + the rate in per mille (so two
    rates that round to the same per mille are equal and the firm id decides).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from capabilities.matching.aggregating_statement import rank_in_one_statement
from capabilities.matching.explanations import candidate_reason
from capabilities.matching.requirements import (
    Requirement,
    capability_ids_for,
    normalize_requirements,
)
from capabilities.matching.tiered_search import run_search


@dataclass(frozen=True)
class Candidate:
    firm_id: int
    score: int
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    grades: dict[str, int]
    open_load: int
    response_rate: float | None
    # Why the firm ranks where it does, as JSON-serializable data (see .explanations).
    reason: dict


def rank_firms(
    *,
    network_id: int,
    requirements: Sequence[Requirement],
    roles: Collection[str] | None = None,
    firm_ids: Collection[int] | None = None,
    require_full_cover: bool = False,
    open_load: Mapping[int, int] | None = None,
    response_rate: Mapping[int, float] | None = None,
    limit: int | None = 50,
) -> list[Candidate]:
    """Return the network's firms that cover any requirement, best first (see above)."""
    requirements = normalize_requirements(requirements)
    if not requirements or limit == 0:
        return []
    # The maps are read, never copied: a broadcast passes tens of thousands of rates.
    loads = open_load or {}
    rates = response_rate or {}
    searched = run_search(
        lambda search: search.rank(limit=limit, full_cover_only=require_full_cover),
        network_id=network_id,
        requirements=requirements,
        roles=roles,
        firm_ids=firm_ids,
        limit=limit,
        loads=loads,
        rates=rates,
    )
    if searched is not None:
        rows = [
            (item.firm_id, item.grades, loads.get(item.firm_id, 0), -item.order[0])
            for item in searched
        ]
    else:
        rows = rank_in_one_statement(
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
            require_full_cover=require_full_cover,
        )
    candidates = []
    for firm_id, grades, load, score in rows:
        pairs = list(zip(requirements, grades, strict=True))
        rate = rates.get(firm_id)
        candidates.append(
            Candidate(
                firm_id=firm_id,
                score=score,
                covered=tuple(r.capability_code for r, g in pairs if g),
                missing=tuple(r.capability_code for r, g in pairs if not g),
                grades={r.capability_code: g for r, g in pairs if g},
                open_load=load,
                response_rate=rate,
                reason=candidate_reason(
                    firm_id=firm_id,
                    score=score,
                    requirements=requirements,
                    grades=grades,
                    open_load=load if open_load is not None else None,
                    response_rate=rate,
                    rate_known=response_rate is not None,
                ),
            )
        )
    return candidates
