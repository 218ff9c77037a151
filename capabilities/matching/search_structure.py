"""What the tiered search knows of the database, kept per process between searches.

On PostgreSQL the engine reads a search structure instead of aggregating FirmCapability:
one row per firm it may consider in a network (capabilities_matchprofile, created by
migration 0004 and kept by triggers equal to what FirmCapability, Membership and Firm
say), holding the firm's "capability-grade tokens", capability * 8 + g for every g up to
the firm's grade, plus -network_id, under a GIN index. "Covers c at grade m or above" is
the token c * 8 + m; "covers S with grades at least g" is one array containment, a "box".

The table's statistics only guide how much a search reads at once, never what it finds,
so they are read again now and then. The capability ids of recent requirements are
remembered too; each search's first statement proves them current.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from capabilities.matching.requirements import Requirement, capability_ids_for

PROFILE_TABLE = "capabilities_matchprofile"
# Tokens per capability: capability * GRADE_SLOTS + grade (migration 0004 uses the same).
GRADE_SLOTS = 8
MAX_TOKEN_CAPABILITY = (2**31 - 1) // GRADE_SLOTS - 1
# PostgreSQL's statistics are read again after this many seconds.
STATISTICS_TTL_SECONDS = 300.0


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


class StaleCapabilityIds(Exception):
    """A capability id remembered by this process no longer has its code."""


# Capability ids by (database, code), remembered between searches: a search's first
# statement proves them current, or the search starts again with ids looked up afresh.
_remembered_ids: dict[tuple[str, str], int] = {}


def remembered_capability_ids(requirements: Sequence[Requirement]) -> tuple[list[int], bool]:
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


def forget_capability_ids() -> None:
    _remembered_ids.clear()
