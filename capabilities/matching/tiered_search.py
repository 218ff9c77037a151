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
    The target (DESIGN.md §6) is p95 < 25 ms among 100,000 firms with 20 capabilities each;
    `python -m bench matching` measures it. On PostgreSQL the engine reads a search
    structure instead of aggregating FirmCapability: one row per firm it may consider in a
    network (capabilities_matchprofile, created and kept in step by the database, see
    migration 0004), holding the firm's "capability-grade tokens", capability * 8 + g for
    every g up to the firm's grade, plus -network_id, under a GIN index. "Covers c at grade
    m or above" is the token c * 8 + m; "covers S with grades at least g" is one array
    containment, a "box". The ranking then goes tier by tier (all requirements covered,
    then one fewer, …) and within a tier by margin: for the margin threshold that the
    table's statistics say yields enough firms, the database returns only the firms in
    the boxes above it (a union of boxes, or the one box bounding them when that is
    cheaper), with their grades; if too few of them are eligible the threshold is lowered,
    and the next tier is read only when a tier runs out. Open load, response rate and the
    final order are applied in Python to those few rows, so the caller's maps never travel
    to the database. Firms covering a single requirement (a tier that can hold a quarter of
    the network) are read in grade bands from FirmCapability's own index (index-only) and
    checked against the search rows in batches, best first. `propose_teams` reads the best
    firms of each coverage pattern the same way. With more than FAST_MAX_REQUIREMENTS
    requirements, no limit, a long firm list, or on SQLite (`make run`, tests), the engine
    runs one set-based statement instead: the requirements are a parameter table joined to
    FirmCapability through `firmcap_match_idx`, aggregated per firm and ranked in the
    database. Both ways give identical results (tests/capabilities/test_matching*.py).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

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


_T = TypeVar("_T")


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
    with connection.cursor() as cursor:
        # Plain SQL: this runs before every ranking, and the ORM would double its cost.
        cursor.execute(
            f"SELECT code, id FROM {Capability._meta.db_table}"
            f" WHERE code IN ({', '.join(['%s'] * len(codes))})",
            codes,
        )
        ids = dict(cursor.fetchall())
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


# --- The search structure (PostgreSQL) ----------------------------------------------------
#
# capabilities_matchprofile (migration 0004) holds one row per firm the engine may consider
# in a network, with its tokens; triggers keep it equal to what FirmCapability, Membership
# and Firm say. The search reads it tier by tier and, within a tier, from the highest
# margin down, asking the database only for the firms above a threshold that PostgreSQL's
# statistics say is low enough; see the module docstring.

PROFILE_TABLE = "capabilities_matchprofile"
# Tokens per capability: capability * GRADE_SLOTS + grade (migration 0004 uses the same).
GRADE_SLOTS = 8
MAX_TOKEN_CAPABILITY = (2**31 - 1) // GRADE_SLOTS - 1
# Up to this many requirements the search goes level by level; beyond, the coverage
# patterns multiply and the one aggregating statement is used.
FAST_MAX_REQUIREMENTS = 6
# A firm list up to this long is read directly from the search rows.
DIRECT_MAX_FIRMS = 2000
# A network holding at least this share of the search rows is searched without its network
# token: the GIN index then skips the network's long posting list, and rows of other
# networks (few) are dropped by the network_id filter. Smaller networks put the token in
# every box, so that the index never visits other networks' firms.
LARGE_NETWORK_SHARE = 0.5
# PostgreSQL's statistics are read again after this many seconds.
STATISTICS_TTL_SECONDS = 300.0
# What reading costs, in milliseconds, for choosing how to cover a margin threshold with
# boxes (measured on the benchmark data): a box, plus each entry of its rarest token's
# posting list once per token of the box (GIN steps through the others in step with it),
# and each row returned.
BOX_COST_MS = 0.4
POSTING_COST_MS = 0.00004
ROW_COST_MS = 0.0035
MAX_BOXES_PER_PATTERN = 24
# A threshold is chosen to yield this many times what is needed (plus a few), so that one
# statement usually suffices although estimates err.
ESTIMATE_SAFETY = 1.1
ESTIMATE_SLACK = 2
# Without statistics (a table never analyzed): a guess per grade of the share of rows
# holding a capability at that grade or above, and of the size of a network.
GUESSED_SHARE_BY_GRADE = {1: 0.3, 2: 0.24, 3: 0.18, 4: 0.12, 5: 0.06}
GUESSED_NETWORK_ROWS = 1000.0


def token(capability_id: int, grade: int) -> int:
    """Return the token meaning "holds the capability at this grade or above"."""
    return capability_id * GRADE_SLOTS + grade


@dataclass(frozen=True)
class ProfileStatistics:
    """What ANALYZE found in the search rows: their number and each token's share."""

    rows: float
    shares: Mapping[int, float]
    # The share assumed for a token the statistics do not list (rarer than those listed).
    unlisted_share: float

    def share(self, value: int) -> float:
        return self.shares.get(value, self.unlisted_share)


@dataclass(frozen=True)
class SearchStructure:
    """Where intarray's operators are, and the search rows' statistics, if any."""

    intarray_schema: str
    statistics: ProfileStatistics | None


# Per database: when the structure was read, and what was found (None: no search rows).
_structures: dict[str, tuple[float, SearchStructure | None]] = {}


def search_structure() -> SearchStructure | None:
    """Return the search structure of the default database, or None if it has none.

    Cached per process and database for STATISTICS_TTL_SECONDS: the statistics only guide
    how much is read at once, never what is found.
    """
    if connection.vendor != "postgresql":
        return None
    key = str(connection.settings_dict.get("NAME"))
    now = time.monotonic()
    if key in _structures and now - _structures[key][0] < STATISTICS_TTL_SECONDS:
        return _structures[key][1]
    structure = _read_search_structure()
    _structures[key] = (now, structure)
    return structure


def _read_search_structure() -> SearchStructure | None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, to_regclass(%s) IS NOT NULL
            FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
            WHERE e.extname = 'intarray'
            """,
            [PROFILE_TABLE],
        )
        found = cursor.fetchone()
        if found is None or not found[1]:
            return None
        cursor.execute(
            """
            SELECT c.reltuples, s.most_common_elems::text, s.most_common_elem_freqs
            FROM pg_class AS c
            LEFT JOIN pg_stats AS s
              ON s.schemaname = c.relnamespace::regnamespace::text
             AND s.tablename = c.relname AND s.attname = 'tokens'
            WHERE c.oid = %s::regclass
            """,
            [PROFILE_TABLE],
        )
        rows, elements, frequencies = cursor.fetchone()
    statistics = None
    if rows and rows > 0 and elements and frequencies:
        values = [int(value) for value in elements.strip("{}").split(",")]
        shares = dict(zip(values, frequencies, strict=False))
        # After the per-element shares come their minimum, maximum and the null share.
        lowest = frequencies[len(values)] if len(frequencies) > len(values) else 0.0
        statistics = ProfileStatistics(
            rows=float(rows), shares=shares, unlisted_share=float(lowest) / 2
        )
    return SearchStructure(intarray_schema=found[0], statistics=statistics)


@functools.lru_cache(maxsize=4096)
def _compositions(total: int, spans: tuple[int, ...], limit: int) -> tuple[tuple[int, ...], ...]:
    """Return up to `limit` + 1 vectors d with sum `total` and 0 <= d[i] <= spans[i]."""
    found: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], rest: int, index: int) -> None:
        if len(found) > limit:
            return
        if index == len(spans):
            if rest == 0:
                found.append(prefix)
            return
        if rest > sum(spans[index:]):
            return
        for value in range(min(rest, spans[index]), -1, -1):
            extend((*prefix, value), rest - value, index + 1)

    extend((), total, 0)
    return tuple(found)


def _tail(distribution: Sequence[float], threshold: int) -> float:
    return sum(distribution[threshold:])


class _Found(NamedTuple):
    """A firm found by the search; sorting puts the best first (`order` is unique)."""

    order: tuple[int, int]  # (-score, firm id)
    firm_id: int
    grades: tuple[int, ...]
    covered: int
    margin: int


class _Search:
    """One search of a network's rows for a list of requirements (PostgreSQL only)."""

    def __init__(
        self,
        *,
        structure: SearchStructure,
        network_id: int,
        requirements: Sequence[Requirement],
        capability_ids: Sequence[int],
        roles: Collection[str] | None,
        firm_ids: Collection[int] | None,
        loads: Mapping[int, int],
        rates: Mapping[int, float],
        cursor,
        requirements_proven: bool = True,
    ):
        self.cursor = cursor
        # Whether the capability ids are known to be current; if not (remembered from an
        # earlier search), the first statement proves them (see _proof_sql).
        self.proven = requirements_proven
        self.codes = [requirement.capability_code for requirement in requirements]
        self.network_id = network_id
        self.count = len(requirements)
        self.capability_ids = list(capability_ids)
        self.mins = [requirement.min_grade for requirement in requirements]
        self.spans = [MAX_GRADE - minimum for minimum in self.mins]
        self.roles = None if roles is None else list(roles)
        self.firm_ids = None if firm_ids is None else list(firm_ids)
        self.loads = loads
        self.rates = rates
        schema = connection.ops.quote_name(structure.intarray_schema)
        self.contains = f"OPERATOR({schema}.@>)"
        self.intersect = f"OPERATOR({schema}.&)"
        self.icount = f"{schema}.icount"
        # Every token that can say something about a requirement, and what it says.
        self.meaning: dict[int, tuple[int, int]] = {}
        for index, (capability_id, minimum) in enumerate(
            zip(self.capability_ids, self.mins, strict=True)
        ):
            for grade in range(minimum, MAX_GRADE + 1):
                self.meaning[token(capability_id, grade)] = (index, grade)
        self.wanted = _int_array(sorted(self.meaning))
        self.estimates: dict[tuple[tuple[int, ...], bool], list[float]] = {}
        self.minimal = _int_array(
            sorted(token(c, m) for c, m in zip(self.capability_ids, self.mins, strict=True))
        )
        statistics = structure.statistics
        network_share = statistics.share(-network_id) if statistics else 0.0
        self.large_network = statistics is not None and network_share >= LARGE_NETWORK_SHARE
        self.network_rows = statistics.rows * network_share if statistics else GUESSED_NETWORK_ROWS
        self.table_rows = statistics.rows if statistics else GUESSED_NETWORK_ROWS
        # at_least[i][g]: the estimated share of rows whose grade for requirement i is g or
        # above (g up to MAX_GRADE + 1, where it is 0). The share among all rows stands for
        # the share among the network's: the statistics do not say how they correlate.
        self.at_least = []
        for capability_id in self.capability_ids:
            shares = [1.0]
            for grade in range(MIN_GRADE, MAX_GRADE + 1):
                if statistics:
                    share = statistics.share(token(capability_id, grade))
                else:
                    share = GUESSED_SHARE_BY_GRADE[grade]
                shares.append(min(share, shares[-1]))
            shares.append(0.0)
            self.at_least.append(shares)

    # --- Reading ------------------------------------------------------------------------

    def _filters(self, *, firm_ids: Sequence[int] | None = None) -> tuple[str, list]:
        clauses = ["network_id = %s"]
        params: list = [self.network_id]
        if self.roles is not None:
            clauses.append("role = ANY(%s)")
            params.append(self.roles)
        for ids in (self.firm_ids, firm_ids):
            if ids is not None:
                clauses.append(f"firm_id = ANY({_int_array(ids, 'bigint')})")
        return " AND ".join(clauses), params

    def _rows(self, condition: str, firm_ids: Sequence[int] | None = None) -> dict:
        """Return {firm id: grades} of the eligible search rows meeting `condition`."""
        filters, params = self._filters(firm_ids=firm_ids)
        proof, proof_params = self._proof_sql(2)
        self.cursor.execute(
            f"SELECT firm_id, tokens {self.intersect} {self.wanted} FROM {PROFILE_TABLE}"
            f" WHERE {filters} AND ({condition}){proof}",
            params + proof_params,
        )
        rows = self._proven(self.cursor.fetchall())
        return {firm_id: self._grades(hits) for firm_id, hits in rows}

    def _proof_sql(self, columns: int) -> tuple[str, list]:
        """Return SQL adding a row of NULLs if the capability ids are no longer current.

        Only the first statement of a search with remembered ids carries it.
        """
        if self.proven:
            return "", []
        pairs = ", ".join(["(%s, %s)"] * self.count)
        params = [
            value for pair in zip(self.capability_ids, self.codes, strict=True) for value in pair
        ]
        nulls = ", ".join(["NULL"] * columns)
        table = Capability._meta.db_table
        return (
            f" UNION ALL SELECT {nulls} WHERE (SELECT count(*) FROM {table}"
            f" WHERE (id, code) IN ({pairs})) <> {self.count}",
            params,
        )

    def _proven(self, rows: list[tuple]) -> list[tuple]:
        if not self.proven:
            # Real rows end with hits or a firm id, never NULL.
            if any(row[-1] is None for row in rows):
                raise _StaleCapabilityIds
            self.proven = True
        return rows

    def _grades(self, hits: Iterable[int]) -> tuple[int, ...]:
        grades = [0] * self.count
        for value in hits:
            index, grade = self.meaning[value]
            if grade > grades[index]:
                grades[index] = grade
        return tuple(grades)

    def boxes(
        self, boxes: Sequence[Sequence[int]], *, level: tuple[int, int] | None = None
    ) -> dict[int, tuple[int, ...]]:
        """Return the eligible firms holding every token of at least one box.

        With a `level` (covered, margin), only the firms ranking at that level or above:
        covering more requirements, or as many with at least that margin.
        """
        boxes = _pruned(boxes)
        if not boxes:
            return {}
        network = [] if self.large_network else [-self.network_id]
        condition = " OR ".join(
            f"tokens {self.contains} {_int_array([*network, *box])}" for box in boxes
        )
        if level is not None:
            covered, margin = level
            # icount(tokens & minimal) is the number of requirements covered, and
            # icount(tokens & wanted) that plus the margin.
            held = f"{self.icount}(tokens {self.intersect} {self.minimal})"
            reached = f"{self.icount}(tokens {self.intersect} {self.wanted})"
            condition = (
                f"({condition}) AND ({held} > {int(covered)}"
                f" OR ({held} = {int(covered)} AND {reached} >= {int(covered) + int(margin)}))"
            )
        return self._rows(condition)

    def firms(self, firm_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        """Return the grades of those of `firm_ids` that are eligible."""
        if not firm_ids:
            return {}
        return self._rows("TRUE", firm_ids=firm_ids)

    def bands(self, bands: Sequence[tuple[int, int, int]]) -> dict[tuple[int, int], list[int]]:
        """Return {(requirement index, grade): firm ids in ascending order} of the bands.

        A band (requirement index, lowest grade, highest grade) is read from
        FirmCapability's matching index alone, whatever the firms' eligibility; each grade
        comes back as one array, which costs a fraction of one row per firm.
        """
        table = FirmCapability._meta.db_table
        proof, proof_params = self._proof_sql(3)
        self.cursor.execute(
            " UNION ALL ".join(
                f"SELECT {int(index)}, grade, array_agg(firm_id ORDER BY firm_id) FROM {table}"
                f" WHERE capability_id = {int(self.capability_ids[index])}"
                f" AND grade BETWEEN {int(lowest)} AND {int(highest)} GROUP BY grade"
                for index, lowest, highest in bands
            )
            + proof,
            proof_params,
        )
        return {
            (index, grade): firm_ids
            for index, grade, firm_ids in self._proven(self.cursor.fetchall())
        }

    # --- Ordering -----------------------------------------------------------------------

    def found(self, firm_id: int, grades: tuple[int, ...]) -> _Found:
        covered = 0
        margin = 0
        for grade, minimum in zip(grades, self.mins, strict=True):
            if grade:
                covered += 1
                margin += grade - minimum
        score = candidate_score(
            covered=covered,
            margin=margin,
            open_load=self.loads.get(firm_id, 0),
            rate=self.rates.get(firm_id),
        )
        return _Found((-score, firm_id), firm_id, grades, covered, margin)

    def _tie_order(self, firm_ids: Collection[int]) -> Iterator[int]:
        """Yield firms equal in cover and margin in their order: load, response, firm id.

        Only the firms in the caller's maps need a score. All others tie (no open job, no
        record): after the firms with a record and no open job, before those with open
        jobs, in the order of their ids.
        """
        firms = set(firm_ids)
        known = (self.loads.keys() & firms) | (self.rates.keys() & firms)
        unknown = -LOAD_CAP * LOAD_WEIGHT
        scored = sorted(
            (
                -load_slot(self.loads.get(firm_id, 0)) * LOAD_WEIGHT
                - response_slot(self.rates.get(firm_id)),
                firm_id,
            )
            for firm_id in known
        )
        # Linear when the firms come in order, as bands do.
        plain = (
            (unknown, firm_id)
            for firm_id in sorted(firm_id for firm_id in firm_ids if firm_id not in known)
        )
        for _key, firm_id in heapq.merge(scored, plain):
            yield firm_id

    def _single_grades(self, index: int, grade: int) -> tuple[int, ...]:
        return tuple(grade if position == index else 0 for position in range(self.count))

    # --- Estimates ----------------------------------------------------------------------

    def margin_counts(self, pattern: Sequence[int], *, exactly: bool) -> list[float]:
        """Estimate how many firms cover `pattern`, by margin over it.

        With `exactly`, firms that also cover another requirement are not counted.
        """
        key = (tuple(pattern), exactly)
        if key not in self.estimates:
            self.estimates[key] = self._margin_counts(pattern, exactly=exactly)
        return self.estimates[key]

    def _margin_counts(self, pattern: Sequence[int], *, exactly: bool) -> list[float]:
        counts = [self.network_rows]
        for index in pattern:
            shares = self.at_least[index]
            minimum = self.mins[index]
            step = [
                shares[minimum + margin] - shares[minimum + margin + 1]
                for margin in range(self.spans[index] + 1)
            ]
            combined = [0.0] * (len(counts) + len(step) - 1)
            for left, left_count in enumerate(counts):
                for right, share in enumerate(step):
                    combined[left + right] += left_count * share
            counts = combined
        if exactly:
            for index in range(self.count):
                if index not in pattern:
                    uncovered = 1.0 - self.at_least[index][self.mins[index]]
                    counts = [count * uncovered for count in counts]
        return counts

    def level_counts(self, lowest_tier: int) -> list[tuple[tuple[int, int], float]]:
        """Estimate how many firms rank at each level (covered, margin), best level first."""
        levels = []
        for covered in range(self.count, lowest_tier - 1, -1):
            counts: list[float] = []
            for pattern in itertools.combinations(range(self.count), covered):
                pattern_counts = self.margin_counts(pattern, exactly=True)
                counts += [0.0] * (len(pattern_counts) - len(counts))
                for margin, count in enumerate(pattern_counts):
                    counts[margin] += count
            levels += [
                ((covered, margin), counts[margin]) for margin in reversed(range(len(counts)))
            ]
        return levels

    @staticmethod
    def choose_level(
        levels: Sequence[tuple[tuple[int, int], float]],
        need: int,
        *,
        below: tuple[int, int] | None = None,
        scale: float = 1.0,
    ) -> tuple[int, int]:
        """Return the best level (below `below`) down to which enough firms are estimated."""
        target = need * ESTIMATE_SAFETY + ESTIMATE_SLACK
        total = 0.0
        for level, count in levels:
            total += count
            if (below is None or level < below) and total * scale >= target:
                return level
        return levels[-1][0]

    @staticmethod
    def estimated_down_to(
        levels: Sequence[tuple[tuple[int, int], float]], level: tuple[int, int]
    ) -> float:
        return sum(count for each, count in levels if each >= level)

    def pattern_boxes(self, pattern: Sequence[int], threshold: int) -> list[list[int]]:
        """Return boxes holding every firm that covers `pattern` with that margin or more.

        The exact union is the boxes of the lowest grades adding up to the margin. Leaving
        some requirements at their minimum and asking the others for the rest of the
        margin gives fewer boxes holding more firms; so does the single box bounding them.
        Whichever the estimates say costs least to read is returned.
        """
        spans = [self.spans[index] for index in pattern]
        if threshold > sum(spans):
            return []
        bounding = [max(0, threshold - (sum(spans) - span)) for span in spans]
        rows = self.network_rows
        for index, margin in zip(pattern, bounding, strict=True):
            rows *= self.at_least[index][self.mins[index] + margin]
        best_cost = self.box_cost(pattern, bounding) + rows * ROW_COST_MS
        best = [bounding]
        for loose_count in range(len(pattern)):
            for loose in itertools.combinations(range(len(pattern)), loose_count):
                tight = [position for position in range(len(pattern)) if position not in loose]
                rest = threshold - sum(spans[position] for position in loose)
                if rest <= 0:
                    continue
                vectors = _compositions(
                    rest, tuple(spans[position] for position in tight), MAX_BOXES_PER_PATTERN
                )
                if len(vectors) > MAX_BOXES_PER_PATTERN:
                    continue
                rows = _tail(
                    self.margin_counts([pattern[position] for position in tight], exactly=False),
                    rest,
                )
                for position in loose:
                    rows *= self.at_least[pattern[position]][self.mins[pattern[position]]]
                boxes = []
                for vector in vectors:
                    margins = [0] * len(pattern)
                    for position, margin in zip(tight, vector, strict=True):
                        margins[position] = margin
                    boxes.append(margins)
                cost = sum(self.box_cost(pattern, margins) for margins in boxes)
                cost += rows * ROW_COST_MS
                if cost < best_cost:
                    best_cost, best = cost, boxes
        return [
            [
                token(self.capability_ids[index], self.mins[index] + margin)
                for index, margin in zip(pattern, margins, strict=True)
            ]
            for margins in best
        ]

    def box_cost(self, pattern: Sequence[int], margins: Sequence[int]) -> float:
        """Estimate the milliseconds GIN spends on a box: its rarest list, once per token."""
        lists = [
            self.table_rows * self.at_least[index][self.mins[index] + margin]
            for index, margin in zip(pattern, margins, strict=True)
        ]
        if not self.large_network:
            lists.append(self.network_rows)
        return BOX_COST_MS + min(lists) * len(lists) * POSTING_COST_MS

    def level_boxes(self, level: tuple[int, int]) -> list[list[int]]:
        """Return boxes holding every firm ranking at `level` (covered, margin) or above."""
        covered, margin = level
        boxes = [
            box
            for pattern in itertools.combinations(range(self.count), covered)
            for box in self.pattern_boxes(pattern, margin)
        ]
        if margin > 0 and covered < self.count:
            # Covering one more requirement ranks above whatever the margin.
            boxes += [
                [token(self.capability_ids[index], self.mins[index]) for index in pattern]
                for pattern in itertools.combinations(range(self.count), covered + 1)
            ]
        return boxes

    # --- Ranking ------------------------------------------------------------------------

    def rank(self, *, limit: int, full_cover_only: bool) -> list[_Found]:
        """Return the best `limit` eligible firms covering any (or every) requirement.

        The estimates pick the lowest level (covered, margin) that should hold `limit`
        firms, and one statement reads every eligible firm ranking at that level or
        above; if fewer than `limit` come back the level is lowered (the estimates scaled
        by what was found) and the statement run again, down to the lowest level.
        """
        if self.firm_ids is not None:
            lowest = self.count if full_cover_only else 1
            found = [
                self.found(firm_id, grades)
                for firm_id, grades in self._rows("TRUE").items()
                if sum(1 for grade in grades if grade) >= lowest
            ]
            return sorted(found)[:limit]
        lowest_tier = self.count if full_cover_only else 1
        if self.large_network and lowest_tier == 1 and self.count == 1:
            return self._single_requirement(limit)
        levels = self.level_counts(lowest_tier)
        level = self.choose_level(levels, limit)
        while True:
            if level[0] == 1 and self.large_network:
                # Firms covering two or more requirements, all of them, then the rest.
                ranked = sorted(
                    self.found(firm_id, grades)
                    for firm_id, grades in self.boxes(self.level_boxes((2, 0))).items()
                )
                if len(ranked) >= limit:
                    return ranked[:limit]
                placed = {item.firm_id for item in ranked}
                return ranked + self._single_tier(limit - len(ranked), placed=placed)
            ranked = sorted(
                self.found(firm_id, grades)
                for firm_id, grades in self.boxes(self.level_boxes(level), level=level).items()
            )
            if len(ranked) >= limit or level == levels[-1][0]:
                return ranked[:limit]
            estimated = self.estimated_down_to(levels, level)
            scale = max(len(ranked), 0.5) / estimated if estimated > 0 else 1.0
            level = self.choose_level(levels, limit, below=level, scale=scale)

    def _single_requirement(self, need: int) -> list[_Found]:
        """Rank for one requirement in a large network, grade band by grade band.

        The bands come from FirmCapability's index alone; the firms ranked first are then
        checked against the search rows (nearly all are eligible in a large network).
        """
        minimum = self.mins[0]
        counts = self.margin_counts([0], exactly=True)
        levels = [((1, margin), counts[margin]) for margin in reversed(range(len(counts)))]
        margin = self.choose_level(levels, need)[1]
        highest = MAX_GRADE
        ranked: list[_Found] = []
        while True:
            holders = self.bands([(0, minimum + margin, highest)])
            candidates = (
                self.found(firm_id, (grade,))
                for (_index, grade), firm_ids in sorted(holders.items(), reverse=True)
                for firm_id in self._tie_order(firm_ids)
            )
            ranked += self._confirmed(candidates, need - len(ranked))
            if len(ranked) >= need or margin == 0:
                return ranked
            highest = minimum + margin - 1
            estimated = _tail(counts, margin)
            scale = max(len(ranked), 0.5) / estimated if estimated > 0 else 1.0
            margin = self.choose_level(levels, need, below=(1, margin), scale=scale)[1]

    def _single_tier(self, need: int, *, placed: set[int]) -> list[_Found]:
        """Return the best `need` firms covering exactly one requirement, grade band by band.

        Each band is read from FirmCapability's index: firms holding some requirement's
        capability at exactly the band's grade, whatever else they hold or wherever they
        are members. Those ranked first are checked against the search rows, which say
        whether they are eligible and cover nothing else (the firms covering more were
        ranked in the tiers above, so `placed` skips them).
        """
        ranked: list[_Found] = []
        for margin in range(max(self.spans), -1, -1):
            holders = self.bands(
                [
                    (index, self.mins[index] + margin, self.mins[index] + margin)
                    for index in range(self.count)
                    if self.spans[index] >= margin
                ]
            )
            requirement_of: dict[int, int] = {}
            twice = set(placed)  # in two bands at once, a firm covers two requirements
            for (index, _grade), firm_ids in holders.items():
                for firm_id in firm_ids:
                    if firm_id in requirement_of:
                        twice.add(firm_id)
                    requirement_of[firm_id] = index
            candidates = (
                self.found(
                    firm_id,
                    self._single_grades(
                        requirement_of[firm_id], self.mins[requirement_of[firm_id]] + margin
                    ),
                )
                for firm_id in self._tie_order(requirement_of.keys() - twice)
            )
            ranked += self._confirmed(candidates, need - len(ranked))
            if len(ranked) >= need:
                break
        return ranked

    def _confirmed(self, candidates: Iterable[_Found], need: int) -> list[_Found]:
        """Return the first `need` candidates the search rows confirm, in their order.

        A candidate is confirmed when it is eligible and its row shows exactly the grades
        it was ranked with. Candidates are checked in batches, best first.
        """
        confirmed: list[_Found] = []
        remaining = iter(candidates)
        batch = need + max(8, need // 4)
        while len(confirmed) < need:
            chunk = list(itertools.islice(remaining, batch))
            if not chunk:
                break
            rows = self.firms([item.firm_id for item in chunk])
            confirmed += [item for item in chunk if rows.get(item.firm_id) == item.grades]
            batch *= 2
        return confirmed[:need]

    # --- Teams --------------------------------------------------------------------------

    def pattern_leaders(self, limit: int) -> list[_Found]:
        """Return the best `limit` firms of every coverage pattern (see the docstring)."""
        if self.firm_ids is not None:
            groups: dict[int, list[_Found]] = {}
            for firm_id, grades in self._rows("TRUE").items():
                item = self.found(firm_id, grades)
                groups.setdefault(self.mask(grades), []).append(item)
            return [item for mask, group in groups.items() if mask for item in group]
        leaders: list[_Found] = []
        pending: dict[int, tuple[list[float], int]] = {}
        singles = []
        for mask in range(1, 1 << self.count):
            pattern = self._pattern(mask)
            if len(pattern) == 1 and self.large_network:
                singles.append(pattern[0])
                continue
            counts = self.margin_counts(pattern, exactly=True)
            levels = [((0, margin), counts[margin]) for margin in reversed(range(len(counts)))]
            pending[mask] = (levels, self.choose_level(levels, limit)[1])
        if singles:
            leaders += self._single_patterns(singles, limit)
        while pending:
            boxes = [
                box
                for mask, (_levels, threshold) in pending.items()
                for box in self.pattern_boxes(self._pattern(mask), threshold)
            ]
            groups = {}
            for firm_id, grades in self.boxes(boxes).items():
                groups.setdefault(self.mask(grades), []).append(self.found(firm_id, grades))
            for mask, (levels, threshold) in list(pending.items()):
                group = [item for item in groups.get(mask, []) if item.margin >= threshold]
                if len(group) >= limit or threshold == 0:
                    leaders += sorted(group)[:limit]
                    del pending[mask]
                    continue
                estimated = self.estimated_down_to(levels, (0, threshold))
                scale = max(len(group), 0.5) / estimated if estimated > 0 else 1.0
                lower = self.choose_level(levels, limit, below=(0, threshold), scale=scale)
                pending[mask] = (levels, lower[1])
        return leaders

    def _single_patterns(self, indices: Sequence[int], need: int) -> list[_Found]:
        """Return the best `need` firms covering just one requirement, for each of `indices`.

        Grade band by grade band from FirmCapability's index, the best candidates of every
        requirement checked against the search rows together.
        """
        ranked: dict[int, list[_Found]] = {index: [] for index in indices}
        for margin in range(max(self.spans[index] for index in indices), -1, -1):
            open_indices = [
                index
                for index in indices
                if len(ranked[index]) < need and self.spans[index] >= margin
            ]
            if not open_indices:
                continue
            holders = self.bands(
                [
                    (index, self.mins[index] + margin, self.mins[index] + margin)
                    for index in open_indices
                ]
            )
            by_index: dict[int, list[int]] = {index: [] for index in open_indices}
            for (index, _grade), firm_ids in holders.items():
                by_index[index] = firm_ids
            queues = {
                index: self._band_candidates(index, self.mins[index] + margin, by_index[index])
                for index in open_indices
            }
            batch = need + 4
            while queues:
                chunks = {
                    index: list(itertools.islice(queue, batch)) for index, queue in queues.items()
                }
                rows = self.firms([item.firm_id for chunk in chunks.values() for item in chunk])
                for index, chunk in chunks.items():
                    confirmed = [item for item in chunk if rows.get(item.firm_id) == item.grades]
                    ranked[index] += confirmed[: need - len(ranked[index])]
                    if len(ranked[index]) >= need or len(chunk) < batch:
                        del queues[index]
                batch *= 2
        return [item for items in ranked.values() for item in items]

    def _band_candidates(
        self, index: int, grade: int, firm_ids: Collection[int]
    ) -> Iterator[_Found]:
        """Yield the firms of a band as covering requirement `index` alone, best first."""
        grades = self._single_grades(index, grade)
        for firm_id in self._tie_order(firm_ids):
            yield self.found(firm_id, grades)

    def _pattern(self, mask: int) -> tuple[int, ...]:
        return tuple(index for index in range(self.count) if mask >> index & 1)

    @staticmethod
    def mask(grades: Sequence[int]) -> int:
        return sum(1 << index for index, grade in enumerate(grades) if grade)


def _pruned(boxes: Iterable[Sequence[int]]) -> list[Sequence[int]]:
    """Drop the boxes that others imply: holding all of another's tokens, and more."""
    kept: list[Sequence[int]] = []
    kept_tokens: list[set[int]] = []
    for box in sorted(boxes, key=len):
        tokens = set(box)
        if not any(other <= tokens for other in kept_tokens):
            kept.append(box)
            kept_tokens.append(tokens)
    return kept


class _StaleCapabilityIds(Exception):
    """A capability id remembered by this process no longer has its code."""


# Capability ids by (database, code), remembered between searches: a search's first
# statement proves them current, or the search starts again with ids looked up afresh.
_remembered_ids: dict[tuple[str, str], int] = {}


def _capability_ids(requirements: Sequence[Requirement]) -> tuple[list[int], bool]:
    """Return the requirements' capability ids and whether they were just looked up."""
    database = str(connection.settings_dict.get("NAME"))
    remembered = [
        _remembered_ids.get((database, requirement.capability_code)) for requirement in requirements
    ]
    if all(value is not None for value in remembered):
        return remembered, False
    ids = capability_ids_for(requirements)
    for requirement, capability_id in zip(requirements, ids, strict=True):
        _remembered_ids[(database, requirement.capability_code)] = capability_id
    return ids, True


def _forget_capability_ids() -> None:
    _remembered_ids.clear()


def _int_array(values: Iterable[int], sql_type: str = "integer") -> str:
    """Return an SQL array literal of integers (each one checked to be an int)."""
    return f"ARRAY[{','.join(str(int(value)) for value in values)}]::{sql_type}[]"


def _run_search(
    run: Callable[[_Search], _T],
    *,
    network_id: int,
    requirements: Sequence[Requirement],
    roles: Collection[str] | None,
    firm_ids: Collection[int] | None,
    limit: int | None,
    loads: Mapping[int, int],
    rates: Mapping[int, float],
) -> _T | None:
    """Return run(search) over the search rows, or None if this request cannot use them."""
    if connection.vendor != "postgresql" or limit is None:
        return None
    if len(requirements) > FAST_MAX_REQUIREMENTS or not 0 < network_id < 2**31:
        return None
    if firm_ids is not None and len(firm_ids) > DIRECT_MAX_FIRMS:
        return None
    capability_ids, proven = _capability_ids(requirements)
    while True:
        structure = search_structure()
        if structure is None or max(capability_ids) > MAX_TOKEN_CAPABILITY:
            return None
        try:
            with connection.cursor() as cursor:
                search = _Search(
                    structure=structure,
                    network_id=network_id,
                    requirements=requirements,
                    capability_ids=capability_ids,
                    roles=roles,
                    firm_ids=firm_ids,
                    loads=loads,
                    rates=rates,
                    cursor=cursor,
                    requirements_proven=proven,
                )
                return run(search)
        except _StaleCapabilityIds:
            _forget_capability_ids()
            capability_ids, proven = _capability_ids(requirements)


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


def _rank_in_one_statement(
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
    searched = _run_search(
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
        rows = _rank_in_one_statement(
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
                explanation=explain_candidate(
                    requirements=requirements,
                    grades=grades,
                    open_load=load if open_load is not None else None,
                    response_rate=rate,
                    rate_known=response_rate is not None,
                ),
            )
        )
    return candidates


def _pattern_leaders_in_one_statement(*, arguments: dict, limit: int) -> list[TeamMember]:
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
    searched = _run_search(
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
                mask=_Search.mask(item.grades),
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
        members = _pattern_leaders_in_one_statement(
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
