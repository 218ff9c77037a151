"""What a benchmark measures, and how the suite prints and stores it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


class BenchmarkRefused(RuntimeError):
    """A benchmark cannot run in this environment; the message says what to change."""


@dataclass(frozen=True)
class Measurement:
    """One figure of bench/results.json.

    `baseline` is what the figure was measured against in the same run (or None), `ratio`
    is measured / baseline, and `ok` says whether the target is met (True when the figure
    has no target: it is there to be read, not to pass or fail).
    """

    name: str
    unit: str
    measured: float
    target: float | None = None
    baseline: float | None = None
    # Targets are upper bounds (times) unless a benchmark says a higher figure is better.
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return round(self.measured / self.baseline, 3)

    @property
    def ok(self) -> bool:
        if self.target is None:
            return True
        if self.higher_is_better:
            return self.measured >= self.target
        return self.measured < self.target

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("higher_is_better")
        return {**data, "ratio": self.ratio, "ok": self.ok}


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of `samples` (fraction 0.95 for p95)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def format_table(measurements: Sequence[Measurement]) -> str:
    """Return the measurements as one fixed-width table."""
    header = ("name", "unit", "measured", "target", "baseline", "ratio", "ok")
    rows = [
        (
            m.name,
            m.unit,
            _number(m.measured),
            _number(m.target),
            _number(m.baseline),
            _number(m.ratio),
            "yes" if m.ok else "NO",
        )
        for m in measurements
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
