"""Rank a network's firms, or teams of them, for a set of required capabilities.

The engine is pure of any request model: it takes a list of `Requirement` (a capability
code and a minimum grade) and answers with `Candidate` firms or `TeamProposal` teams, each
with an English explanation that the caller stores with its invitations. What it knows of
a firm's current work (open load) and its past answers (response rate) comes from the
caller, because that data lives in the apps above this one.

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

Performance
    Ranking is set-based SQL: the requirements are a small parameter table joined to
    FirmCapability on (capability, grade >= min) through the covering index
    `firmcap_match_idx` (index-only scans), aggregated per firm, scored, ordered and
    limited in the database. The caller's load and response-rate maps travel as two
    arrays each. Eligibility (membership, roles, active firm) is checked on the best few
    hundred covering firms only, because in a network holding most firms it is nearly
    always true and joining every covering firm to its membership costs more than the
    aggregation; if too few of them are eligible, the statement is run again filtering
    every firm first. On PostgreSQL the statement runs without JIT or parallel workers and
    with enough work_mem not to spill (see PLANNER_SETTINGS). The target (DESIGN.md §6) is
    p95 < 25 ms among 100,000 firms with 20 capabilities each; `make bench` measures it.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction

from capabilities.models import MAX_GRADE, MIN_GRADE, Capability, FirmCapability
from members.models import Firm, Membership

# Grades are packed three bits per requirement into one 64-bit integer, so that the
# database returns each firm's grades in a single column: 20 requirements use 60 bits.
MAX_REQUIREMENTS = 20
GRADE_BITS = 3
# The team search is exponential in the number of requirements (it works on coverage
# patterns, subsets of the requirements); a request rarely needs more than a handful.
MAX_TEAM_REQUIREMENTS = 12
MAX_TEAM_SIZE = 8
LOAD_CAP = 9999
RESPONSE_SLOTS = 1001  # 0 (no record), then 1 + per mille 0..1000

COVERED_WEIGHT = 10**11
MARGIN_WEIGHT = 10**8
LOAD_WEIGHT = 10**4
TEAM_MARGIN_WEIGHT = 10**10
TEAM_LOAD_WEIGHT = 10**5


class MatchingError(ValueError):
    """A set of requirements the engine cannot work with."""


class UnknownCapability(MatchingError):
    """One or more requirement codes are not in the taxonomy."""

    def __init__(self, codes: Iterable[str]):
        self.codes = tuple(sorted(set(codes)))
        super().__init__(f"Unknown capability code(s): {', '.join(self.codes)}.")


class InvalidRequirement(MatchingError):
    """A requirement's grade or the number of requirements is out of range."""


@dataclass(frozen=True)
class Requirement:
    capability_code: str
    min_grade: int = 1


@dataclass(frozen=True)
class Candidate:
    firm_id: int
    score: int
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    grades: dict[str, int]
    open_load: int
    response_rate: float | None
    explanation: str

    def reason(self) -> dict:
        """Return the JSON-serializable record of why this firm was chosen."""
        return {
            "firm": self.firm_id,
            "score": self.score,
            "covered": list(self.covered),
            "missing": list(self.missing),
            "grades": dict(self.grades),
            "open_load": self.open_load,
            "response_rate": self.response_rate,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class TeamProposal:
    firm_ids: tuple[int, ...]
    assignments: dict[str, int]
    score: int
    explanation: str


@dataclass(frozen=True)
class TeamMember:
    """A firm as the team search sees it: which requirements it covers, and how well."""

    firm_id: int
    mask: int  # bit i set when the firm covers requirement i
    grades: tuple[int, ...]  # grade per requirement, 0 where not covered
    contribution: int
    open_load: int = 0


@dataclass(frozen=True)
class _Team:
    members: tuple[TeamMember, ...]
    score: int = field(compare=False)

    @property
    def firm_ids(self) -> tuple[int, ...]:
        return tuple(sorted(member.firm_id for member in self.members))


def normalize_requirements(requirements: Sequence[Requirement]) -> list[Requirement]:
    """Return the requirements once per code (the highest minimum wins), in first-seen order."""
    by_code: dict[str, int] = {}
    for requirement in requirements:
        grade = requirement.min_grade
        if not isinstance(grade, int) or not MIN_GRADE <= grade <= MAX_GRADE:
            raise InvalidRequirement(
                f"The minimum grade of {requirement.capability_code} must be "
                f"{MIN_GRADE} to {MAX_GRADE}, not {grade!r}."
            )
        by_code[requirement.capability_code] = max(
            grade, by_code.get(requirement.capability_code, grade)
        )
    if len(by_code) > MAX_REQUIREMENTS:
        raise InvalidRequirement(
            f"At most {MAX_REQUIREMENTS} different capabilities can be required at once."
        )
    return [Requirement(code, grade) for code, grade in by_code.items()]


def capability_ids_for(requirements: Sequence[Requirement]) -> list[int]:
    """Return the capability id of each requirement, or raise UnknownCapability."""
    codes = [requirement.capability_code for requirement in requirements]
    ids = dict(Capability.objects.filter(code__in=codes).values_list("code", "id"))
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise UnknownCapability(unknown)
    return [ids[code] for code in codes]


def response_slot(rate: float | None) -> int:
    """Return 0 for no record, else 1 + the response rate in per mille."""
    if rate is None:
        return 0
    return 1 + round(min(max(rate, 0.0), 1.0) * 1000)


def load_slot(load: int) -> int:
    return LOAD_CAP - min(max(load, 0), LOAD_CAP)


def candidate_score(*, covered: int, margin: int, open_load: int, rate: float | None) -> int:
    """Return the ranking score documented in the module docstring."""
    return (
        covered * COVERED_WEIGHT
        + margin * MARGIN_WEIGHT
        + load_slot(open_load) * LOAD_WEIGHT
        + response_slot(rate)
    )


def member_contribution(*, margin: int, open_load: int, rate: float | None) -> int:
    """Return a firm's contribution to a team's score (see the module docstring)."""
    return (
        margin * TEAM_MARGIN_WEIGHT + load_slot(open_load) * TEAM_LOAD_WEIGHT + response_slot(rate)
    )


# --- SQL ------------------------------------------------------------------------------
#
# One statement serves both backends; only the way a parameter list becomes a table
# differs: PostgreSQL unnests arrays, SQLite reads JSON (used by `make run` and tests).


def _param_table(
    alias: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]
) -> tuple[str, list]:
    """Return a FROM item named `alias` holding `rows` in the typed columns, and its params."""
    names = ", ".join(name for name, _type in columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in columns)
        params = [[row[index] for row in rows] for index in range(len(columns))]
        return f"unnest({arrays}) AS {alias}({names})", params
    picks = ", ".join(
        f"json_extract(j.value, '$[{index}]') AS {name}"
        for index, (name, _type) in enumerate(columns)
    )
    rows_json = json.dumps([list(row) for row in rows])
    return f"(SELECT {picks} FROM json_each(%s) AS j) AS {alias}", [rows_json]


def _id_list(column: str, ids: Collection[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [list(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _text_list(column: str, values: Collection[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]


def _eligible_firms_sql(
    *,
    network_id: int,
    requirements: Sequence[Requirement],
    capability_ids: Sequence[int],
    roles: Collection[str] | None,
    firm_ids: Collection[int] | None,
    open_load: Mapping[int, int],
    response_rate: Mapping[int, float],
    eligible_only: bool = True,
) -> tuple[str, list]:
    """Return SQL selecting each covering firm's coverage, packed grades, load and rate.

    With `eligible_only`, only the network's eligible firms; otherwise every covering
    firm, for a caller that checks eligibility (with `_eligibility_sql`) on a few rows.
    """
    fc = FirmCapability._meta.db_table
    requirement_rows = [
        (capability_id, requirement.min_grade, 1 << (GRADE_BITS * index), 1 << index)
        for index, (requirement, capability_id) in enumerate(
            zip(requirements, capability_ids, strict=True)
        )
    ]
    req_table, params = _param_table(
        "req",
        [
            ("capability_id", "bigint"),
            ("min_grade", "integer"),
            ("weight", "bigint"),
            ("bit", "bigint"),
        ],
        requirement_rows,
    )
    firm_filter = ""
    if firm_ids is not None:
        clause, clause_params = _id_list("fc.firm_id", firm_ids)
        firm_filter = f"WHERE {clause}"
        params += clause_params
    load_table, load_params = _param_table(
        "load", [("firm_id", "bigint"), ("open_load", "integer")], list(open_load.items())
    )
    rate_table, rate_params = _param_table(
        "rate",
        [("firm_id", "bigint"), ("slot", "integer")],
        [(firm_id, response_slot(rate)) for firm_id, rate in response_rate.items()],
    )
    # Aggregating first and filtering memberships after lets PostgreSQL read the index
    # alone for the heavy part; the joins then touch one row per covering firm. Each
    # requirement adds distinct bits, so a bitwise OR equals the sum, and PostgreSQL's
    # BIT_OR stays in 64-bit integers where its SUM would switch to numeric.
    bit_sum = "BIT_OR" if connection.vendor == "postgresql" else "SUM"
    sql = f"""
        WITH matched AS (
            SELECT fc.firm_id AS firm_id,
                   COUNT(*) AS covered,
                   SUM(fc.grade - req.min_grade) AS margin,
                   {bit_sum}(fc.grade * req.weight) AS packed,
                   {bit_sum}(req.bit) AS mask
            FROM {req_table}
            JOIN {fc} AS fc
              ON fc.capability_id = req.capability_id AND fc.grade >= req.min_grade
            {firm_filter}
            GROUP BY fc.firm_id
        )
        SELECT matched.firm_id, matched.covered, matched.margin, matched.packed, matched.mask,
               COALESCE(load.open_load, 0) AS open_load, COALESCE(rate.slot, 0) AS rate_slot
        FROM matched
        LEFT JOIN {load_table} ON load.firm_id = matched.firm_id
        LEFT JOIN {rate_table} ON rate.firm_id = matched.firm_id
    """
    params += load_params + rate_params
    if eligible_only:
        condition, condition_params = _eligibility_sql("matched.firm_id", network_id, roles)
        sql += f" WHERE {condition}"
        params += condition_params
    return sql, params


def _eligibility_sql(
    firm_column: str, network_id: int, roles: Collection[str] | None
) -> tuple[str, list]:
    """Return a condition true when the firm may be a candidate in the network."""
    membership = Membership._meta.db_table
    firm = Firm._meta.db_table
    role_filter = ""
    role_params: list = []
    if roles is not None:
        clause, role_params = _text_list("m.role", roles)
        role_filter = f"AND {clause}"
    sql = f"""EXISTS (
        SELECT 1 FROM {membership} AS m JOIN {firm} AS f ON f.id = m.firm_id
        WHERE m.firm_id = {firm_column} AND m.network_id = %s AND m.is_active = %s
          AND m.role <> %s {role_filter} AND f.is_active = %s
    )"""
    return sql, [network_id, True, Membership.Role.OFFICE, *role_params, True]


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


# The statement is small but its estimated cost is large (it may aggregate every row of a
# few capabilities), which on PostgreSQL triggers JIT compilation (costing far more than
# the query) and a parallel plan whose workers each repeat the aggregation; and the
# aggregation of ~100,000 rows spills to disk under the default work_mem. These settings
# are local to the transaction and restored afterwards.
PLANNER_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "work_mem": "32MB"}


def _fetch_all(sql: str, params: Sequence) -> list[tuple]:
    """Run the matching statement with the planner settings above; return its rows."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    names = list(PLANNER_SETTINGS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"current_setting('{name}'), set_config('{name}', %s, true)" for name in names
            ),
            [PLANNER_SETTINGS[name] for name in names],
        )
        previous = cursor.fetchone()[::2]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in names),
            list(previous),
        )
    return rows


def _unpack_grades(packed: int, count: int) -> tuple[int, ...]:
    mask = (1 << GRADE_BITS) - 1
    return tuple((packed >> (GRADE_BITS * index)) & mask for index in range(count))


# --- Explanations -----------------------------------------------------------------------


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
    *, requirements: Sequence[Requirement], team: _Team, assignments: Mapping[str, int]
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


# --- Public interface -------------------------------------------------------------------

# How many more of the best covering firms than asked for are checked for eligibility
# before falling back to filtering every covering firm (see _rank_checking_eligibility_last).
OVERFETCH_FACTOR = 4
OVERFETCH_EXTRA = 50


def _rank_checking_eligibility_last(
    arguments: dict, score_sql: str, cover_sql: str, limit: int
) -> list[tuple] | None:
    """Return the best `limit` eligible rows, checking eligibility on the top rows only.

    In a network holding most of the platform's firms nearly every covering firm is
    eligible, and joining each one to its membership costs more than the aggregation
    itself. So the best few covering firms are ranked first and only they are checked;
    if too few of them are eligible (a small network on a large platform), None tells the
    caller to filter every covering firm instead, which is then cheap.
    """
    fetch = limit * OVERFETCH_FACTOR + OVERFETCH_EXTRA
    matched_sql, params = _eligible_firms_sql(**arguments, eligible_only=False)
    eligible_sql, eligible_params = _eligibility_sql(
        "top.firm_id", arguments["network_id"], arguments["roles"]
    )
    rows = _fetch_all(
        f"""
        SELECT firm_id, covered, margin, packed, open_load, score, {eligible_sql} AS eligible
        FROM (
            SELECT firm_id, covered, margin, packed, open_load, {score_sql} AS score
            FROM ({matched_sql}) AS matched_firms
            {cover_sql}
            ORDER BY score DESC, firm_id ASC
            LIMIT %s
        ) AS top
        ORDER BY score DESC, firm_id ASC
        """,
        # The eligibility test comes first in the statement's text, so its parameters do.
        [*eligible_params, *params, fetch],
    )
    eligible = [row[:6] for row in rows if row[6]]
    if len(eligible) >= limit or len(rows) < fetch:
        return eligible[:limit]
    return None


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
    capability_ids = capability_ids_for(requirements)
    loads = dict(open_load or {})
    rates = dict(response_rate or {})
    arguments = {
        "network_id": network_id,
        "requirements": requirements,
        "capability_ids": capability_ids,
        "roles": roles,
        "firm_ids": firm_ids,
        "open_load": loads,
        "response_rate": rates,
    }
    score_sql = (
        f"covered * {COVERED_WEIGHT} + margin * {MARGIN_WEIGHT}"
        f" + ({LOAD_CAP} - {_least('open_load', str(LOAD_CAP))}) * {LOAD_WEIGHT} + rate_slot"
    )
    cover_sql = f"WHERE covered = {len(requirements)}" if require_full_cover else ""
    rows = None
    if limit is not None:
        rows = _rank_checking_eligibility_last(arguments, score_sql, cover_sql, limit)
    if rows is None:
        eligible_sql, params = _eligible_firms_sql(**arguments)
        limit_sql = ""
        if limit is not None:
            limit_sql = "LIMIT %s"
            params.append(limit)
        rows = _fetch_all(
            f"""
            SELECT firm_id, covered, margin, packed, open_load, {score_sql} AS score
            FROM ({eligible_sql}) AS eligible
            {cover_sql}
            ORDER BY score DESC, firm_id ASC
            {limit_sql}
            """,
            params,
        )
    candidates = []
    for firm_id, _covered, _margin, packed, load, score in rows:
        grades = _unpack_grades(int(packed), len(requirements))
        pairs = list(zip(requirements, grades, strict=True))
        rate = rates.get(firm_id)
        candidates.append(
            Candidate(
                firm_id=firm_id,
                score=int(score),
                covered=tuple(r.capability_code for r, g in pairs if g),
                missing=tuple(r.capability_code for r, g in pairs if not g),
                grades={r.capability_code: g for r, g in pairs if g},
                open_load=int(load),
                response_rate=rate,
                explanation=explain_candidate(
                    requirements=requirements,
                    grades=grades,
                    open_load=int(load) if open_load is not None else None,
                    response_rate=rate,
                    rate_known=response_rate is not None,
                ),
            )
        )
    return candidates


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
    capability_ids = capability_ids_for(requirements)
    loads = dict(open_load or {})
    rates = dict(response_rate or {})
    eligible_sql, params = _eligible_firms_sql(
        network_id=network_id,
        requirements=requirements,
        capability_ids=capability_ids,
        roles=roles,
        firm_ids=firm_ids,
        open_load=loads,
        response_rate=rates,
    )
    contribution_sql = (
        f"margin * {TEAM_MARGIN_WEIGHT}"
        f" + ({LOAD_CAP} - {_least('open_load', str(LOAD_CAP))}) * {TEAM_LOAD_WEIGHT}"
        " + rate_slot"
    )
    # Only the best `limit` firms of each coverage pattern can be in the best `limit`
    # teams (see the module docstring), so the database returns just those.
    sql = f"""
        SELECT firm_id, mask, packed, open_load, contribution FROM (
            SELECT firm_id, mask, packed, open_load, contribution,
                   ROW_NUMBER() OVER (
                       PARTITION BY mask ORDER BY contribution DESC, firm_id ASC
                   ) AS position
            FROM (
                SELECT firm_id, mask, packed, open_load, {contribution_sql} AS contribution
                FROM ({eligible_sql}) AS eligible
            ) AS scored
        ) AS ranked
        WHERE position <= %s
    """
    params.append(limit)
    rows = _fetch_all(sql, params)
    members = [
        TeamMember(
            firm_id=firm_id,
            mask=int(mask),
            grades=_unpack_grades(int(packed), len(requirements)),
            contribution=int(contribution),
            open_load=int(load),
        )
        for firm_id, mask, packed, load, contribution in rows
    ]
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
                explanation=explain_team(
                    requirements=requirements, team=team, assignments=assignments
                ),
            )
        )
    return proposals


# --- The exact team search, pure of the database --------------------------------------


def assign_requirements(team: _Team, requirements: Sequence[Requirement]) -> dict[str, int]:
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
) -> list[_Team]:
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
    best: list[tuple[int, tuple[int, ...], _Team]] = []
    for combination in combinations:
        if len(best) == limit and best_possible(combination) < best[0][0]:
            break  # every later combination is bounded by a lower score still
        for picked in itertools.product(*(by_mask[mask] for mask in combination)):
            team = _Team(members=picked, score=sum(member.contribution for member in picked))
            key = (team.score, tuple(-firm_id for firm_id in team.firm_ids), team)
            if len(best) < limit:
                heapq.heappush(best, key)
            elif key[:2] > best[0][:2]:
                heapq.heapreplace(best, key)
    return [entry[2] for entry in sorted(best, key=lambda entry: (-entry[0], entry[2].firm_ids))]
