"""The estimate clock: how long requests waited for their first estimate, against the
network's window (the record itself is `brokerage.sla`'s; the histogram is read here)."""

import datetime
from dataclasses import dataclass

from django.db.models import Min, Q, QuerySet

from brokerage.analytics.histogram import Bucket, bucketed
from brokerage.sla import StageSla, minutes, network_sla
from members.models import Network
from orders.models import RFQ

# Minutes from submission to the first estimate sent: fine steps inside the usual windows
# (two to four hours), coarser ones after.
ESTIMATE_BUCKETS = (
    (0, 30, "< 30 min"),
    (30, 60, "30-60 min"),
    (60, 90, "1-1.5 h"),
    (90, 120, "1.5-2 h"),
    (120, 240, "2-4 h"),
    (240, 480, "4-8 h"),
    (480, 1_440, "8-24 h"),
    (1_440, 4_320, "1-3 days"),
    (4_320, 10_080, "3-7 days"),
    # A consultation (Rodan21) estimates after an interview and a planning meeting: weeks.
    (10_080, 20_160, "1-2 weeks"),
    (20_160, 43_200, "2-4 weeks"),
    (43_200, None, "≥ 30 days"),
)


@dataclass(frozen=True)
class EstimateTimes:
    window_minutes: int
    estimated: int
    in_window: int
    share_in_window: float | None
    breached: int
    median_minutes: float | None
    histogram: tuple[Bucket, ...]
    # Each promise of the network's policy (Rodan21's interview, planning meeting, estimate).
    stages: tuple[StageSla, ...] = ()


def estimate_figures(
    network: Network, requests: QuerySet[RFQ], since: datetime.datetime, until: datetime.datetime
) -> EstimateTimes:
    """Return the estimate clock's record (brokerage.sla) and the distribution behind it."""
    sla = network_sla(network, since=since, until=until)
    first_sent = requests.annotate(
        first_sent=Min("events__at", filter=Q(events__kind="estimate.sent"))
    ).filter(first_sent__isnull=False)
    waits = [
        minutes(sent - submitted)
        for submitted, sent in first_sent.values_list("submitted_at", "first_sent")
    ]
    return EstimateTimes(
        window_minutes=network.estimate_window_minutes,
        estimated=sla.estimated,
        in_window=sla.estimated_in_window,
        share_in_window=sla.share_in_window,
        breached=sla.breached,
        median_minutes=sla.median_minutes_to_estimate,
        histogram=bucketed(waits, ESTIMATE_BUCKETS),
        stages=sla.stages,
    )
