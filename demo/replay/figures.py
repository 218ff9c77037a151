"""A replayed network's figures, read back through the office's analytics, beside the studies'.

Nothing here counts what the replay did: the figures are `brokerage.analytics` over the
replayed period, as the office's page shows them, so the comparison checks the platform
end to end (services, event log, money tables, analytics).
"""

import datetime
from dataclasses import dataclass

from brokerage.analytics.network import NetworkAnalytics, network_analytics
from demo.replay.shapes import SHAPES, StudyFigure
from members.models import Network


@dataclass(frozen=True)
class Comparison:
    """One of a study's figures, the replay's value, and whether it is within range."""

    figure: StudyFigure
    value: float | int | None
    scale: float = 1.0

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Return the range, shrunk for a volume (not a ratio) when a fraction was replayed."""
        low, high = self.figure.low, self.figure.high
        if not self.figure.scales:
            return low, high
        return (
            None if low is None else low * self.scale,
            None if high is None else high * self.scale,
        )

    @property
    def within(self) -> bool:
        if self.value is None:
            return False
        low, high = self.bounds
        return (low is None or self.value >= low) and (high is None or self.value <= high)

    @property
    def value_text(self) -> str:
        value = self.value
        if value is None:
            return "-"
        key = self.figure.key
        if key in ("conversion", "largest_group_share"):
            return f"{value:.1%}"
        if key in ("to_members", "order_min", "order_max"):
            return f"¥{value:,}"
        return f"{value:,}"


def measures(figures: NetworkAnalytics) -> dict[str, float | int | None]:
    """Return the replay's value of every measure a study figure may name."""
    wins = [group.wins for group in figures.groups]
    return {
        "requests": figures.requests,
        "orders": figures.orders,
        "conversion": figures.conversion,
        "order_min": figures.order_values.minimum,
        "order_max": figures.order_values.maximum,
        "follow_on_orders": figures.follow_ons.follow_on_orders,
        "skills_acquired": len(figures.skills),
        "commercialized": figures.commercialized,
        "to_members": figures.revenue.to_members,
        "directory_contacts": figures.directory_contacts,
        "groups_winning": sum(1 for count in wins if count),
        "largest_group_share": max(wins) / sum(wins) if sum(wins) else None,
    }


def compare_with_study(
    network: Network,
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    scale: float = 1.0,
) -> tuple[NetworkAnalytics, list[Comparison]]:
    """Return the network's figures for the period and each study figure beside them.

    With `scale` below 1 (a fraction of the year replayed), the ranges of volumes shrink
    in proportion; ratios and extremes keep theirs.
    """
    figures = network_analytics(network, since=since, until=until)
    values = measures(figures)
    shape = SHAPES.get(network.slug)
    study = shape.study if shape else ()
    return figures, [
        Comparison(figure=figure, value=values[figure.key], scale=scale) for figure in study
    ]
