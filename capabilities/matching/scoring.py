"""The integers that order firms and teams.

Each packs several keys into one number, so that sorting by it (then by firm id) is the
documented order: `candidate_score` for ranked firms (see capabilities.matching.ranking),
`member_contribution` for a team member (see capabilities.matching.teams).
"""

from __future__ import annotations

LOAD_CAP = 9999
RESPONSE_SLOTS = 1001  # 0 (no record), then 1 + per mille 0..1000

COVERED_WEIGHT = 10**11
MARGIN_WEIGHT = 10**8
LOAD_WEIGHT = 10**4
TEAM_MARGIN_WEIGHT = 10**10
TEAM_LOAD_WEIGHT = 10**5


def response_slot(rate: float | None) -> int:
    """Return 0 for no record, else 1 + the response rate in per mille."""
    if rate is None:
        return 0
    return 1 + round(min(max(rate, 0.0), 1.0) * 1000)


def load_slot(load: int) -> int:
    return LOAD_CAP - min(max(load, 0), LOAD_CAP)


def candidate_score(*, covered: int, margin: int, open_load: int, rate: float | None) -> int:
    """Return the ranking score documented in capabilities.matching.ranking."""
    return (
        covered * COVERED_WEIGHT
        + margin * MARGIN_WEIGHT
        + load_slot(open_load) * LOAD_WEIGHT
        + response_slot(rate)
    )


def member_contribution(*, margin: int, open_load: int, rate: float | None) -> int:
    """Return a firm's contribution to a team's score (see capabilities.matching.teams)."""
    return (
        margin * TEAM_MARGIN_WEIGHT + load_slot(open_load) * TEAM_LOAD_WEIGHT + response_slot(rate)
    )
