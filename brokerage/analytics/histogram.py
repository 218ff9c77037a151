"""The bars of a histogram, so every distribution (estimate times, order values) is cut the
same way: [low, high) per bar, the last one open-ended."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """A bar of a histogram: [low, high) and how many fall in it (high None: no limit)."""

    label: str
    low: int
    high: int | None
    count: int


def bucketed(values, buckets) -> tuple[Bucket, ...]:
    counts = [0] * len(buckets)
    for value in values:
        for index, (low, high, _) in enumerate(buckets):
            if value >= low and (high is None or value < high):
                counts[index] += 1
                break
    return tuple(
        Bucket(label=label, low=low, high=high, count=count)
        for (low, high, label), count in zip(buckets, counts, strict=True)
    )
