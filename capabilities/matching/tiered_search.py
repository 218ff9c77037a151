"""Rank by reading the search structure tier by tier (PostgreSQL).

The target (DESIGN.md §6) is p95 < 25 ms among 100,000 firms with 20 capabilities each;
`python -m bench matching` measures it. The ranking reads the search structure's boxes
(see capabilities.matching.search_structure) tier by tier (all requirements covered,
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
requirements, no limit, a long firm list, or on SQLite (`make run`, tests), `run_search`
declines and the engine runs capabilities.matching.aggregating_statement instead. Both
ways give identical results (tests/capabilities/test_matching*.py).
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple, TypeVar

from django.db import connection

from capabilities.matching.requirements import Requirement
from capabilities.matching.scoring import (
    LOAD_CAP,
    LOAD_WEIGHT,
    candidate_score,
    load_slot,
    response_slot,
)
from capabilities.matching.search_structure import (
    MAX_TOKEN_CAPABILITY,
    PROFILE_TABLE,
    SearchStructure,
    StaleCapabilityIds,
    forget_capability_ids,
    remembered_capability_ids,
    search_structure,
    token,
)
from capabilities.models import MAX_GRADE, MIN_GRADE, Capability, FirmCapability

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


_T = TypeVar("_T")


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


class Search:
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
                raise StaleCapabilityIds
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


def _int_array(values: Iterable[int], sql_type: str = "integer") -> str:
    """Return an SQL array literal of integers (each one checked to be an int)."""
    return f"ARRAY[{','.join(str(int(value)) for value in values)}]::{sql_type}[]"


def run_search(
    run: Callable[[Search], _T],
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
    capability_ids, proven = remembered_capability_ids(requirements)
    while True:
        structure = search_structure()
        if structure is None or max(capability_ids) > MAX_TOKEN_CAPABILITY:
            return None
        try:
            with connection.cursor() as cursor:
                search = Search(
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
        except StaleCapabilityIds:
            forget_capability_ids()
            capability_ids, proven = remembered_capability_ids(requirements)
