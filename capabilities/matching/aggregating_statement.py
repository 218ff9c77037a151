"""Rank in one set-based statement that aggregates FirmCapability, on either backend.

The requirements are a parameter table joined to FirmCapability through
`firmcap_match_idx`, aggregated per firm and ranked in the database. The engine runs it on
SQLite (`make run`, tests) and, on PostgreSQL, for the requests that
`tiered_search.run_search` declines (more than FAST_MAX_REQUIREMENTS requirements, no
limit, a long firm list); both give the same results (tests/capabilities/test_matching*.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection, transaction

from capabilities.matching.requirements import GRADE_BITS, Requirement
from capabilities.matching.scoring import (
    COVERED_WEIGHT,
    LOAD_CAP,
    LOAD_WEIGHT,
    MARGIN_WEIGHT,
    TEAM_LOAD_WEIGHT,
    TEAM_MARGIN_WEIGHT,
    response_slot,
)
from capabilities.matching.team_search import TeamMember
from capabilities.models import FirmCapability
from members.models import Firm, Membership

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


def _load_sql(column: str) -> str:
    """Return SQL for the open load clamped to 0..LOAD_CAP, as `load_slot` clamps it."""
    if connection.vendor == "postgresql":
        return f"LEAST(GREATEST({column}, 0), {LOAD_CAP})"
    return f"MIN(MAX({column}, 0), {LOAD_CAP})"


# The statement is small but its estimated cost is large (it may aggregate every row of a
# few capabilities), which on PostgreSQL triggers JIT compilation (costing far more than
# the query) and a parallel plan whose workers each repeat the aggregation; and the
# aggregation of ~100,000 rows spills to disk under the default work_mem. These settings
# are local to the transaction and restored afterwards.
PLANNER_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "work_mem": "32MB"}


@contextmanager
def _matching_cursor() -> Iterator:
    """Yield a cursor whose statements run with the planner settings above.

    On PostgreSQL the settings are local to a transaction (a savepoint when one is open)
    and put back afterwards; if a statement fails, rolling back restores them.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
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
        yield cursor
        cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in names),
            list(previous),
        )


def _fetch_all(sql: str, params: Sequence) -> list[tuple]:
    """Run one matching statement with the planner settings above; return its rows."""
    with _matching_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _unpack_grades(packed: int, count: int) -> tuple[int, ...]:
    mask = (1 << GRADE_BITS) - 1
    return tuple((packed >> (GRADE_BITS * index)) & mask for index in range(count))


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


def rank_in_one_statement(
    *, arguments: dict, limit: int | None, require_full_cover: bool
) -> list[tuple[int, tuple[int, ...], int, int]]:
    """Rank by aggregating FirmCapability in the database: (firm, grades, load, score)."""
    score_sql = (
        f"covered * {COVERED_WEIGHT} + margin * {MARGIN_WEIGHT}"
        f" + ({LOAD_CAP} - {_load_sql('open_load')}) * {LOAD_WEIGHT} + rate_slot"
    )
    cover_sql = f"WHERE covered = {len(arguments['requirements'])}" if require_full_cover else ""
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
    count = len(arguments["requirements"])
    return [
        (firm_id, _unpack_grades(int(packed), count), int(load), int(score))
        for firm_id, _covered, _margin, packed, load, score in rows
    ]


def pattern_leaders_in_one_statement(*, arguments: dict, limit: int) -> list[TeamMember]:
    """Return the best `limit` firms of each coverage pattern by aggregating FirmCapability."""
    eligible_sql, params = _eligible_firms_sql(**arguments)
    contribution_sql = (
        f"margin * {TEAM_MARGIN_WEIGHT}"
        f" + ({LOAD_CAP} - {_load_sql('open_load')}) * {TEAM_LOAD_WEIGHT}"
        " + rate_slot"
    )
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
    count = len(arguments["requirements"])
    return [
        TeamMember(
            firm_id=firm_id,
            mask=int(mask),
            grades=_unpack_grades(int(packed), count),
            contribution=int(contribution),
            open_load=int(load),
        )
        for firm_id, mask, packed, load, contribution in _fetch_all(sql, params)
    ]
