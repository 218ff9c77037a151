"""Replay a year of a demo network through the real services, in the studies' shapes.

`replay_network` plans the year's requests (`arrivals`, from the network's `shapes`),
then runs them as a discrete-event simulation (`year`, `policies`) on a simulated clock
(`clock`): every submission, answer, decision, deadline, estimate, team, delivery,
payment and payout is the real service, called as the person who would call it. The whole
year of one network is one transaction: it lands entirely or not at all. Replayed rows are
marked, and a network is replayed at most once per database (`markers` says why).
`figures` then reads the network's figures back from the database, through the same
analytics the office sees, and sets them beside the studies'.
"""

import dataclasses
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from core.simulation import simulated
from demo.replay.arrivals import plan_year
from demo.replay.cast import Cast, ReplaySetupError, bank_accounts_ensure
from demo.replay.clock import SimulatedClock
from demo.replay.markers import last_notification_id, outbox_settle, replay_exists
from demo.replay.policies import YEARS
from demo.replay.shapes import SHAPES, NetworkShape
from demo.replay.year import NetworkYear, YearTally
from members.models import Network

YEAR = datetime.timedelta(days=365)


def scaled(shape: NetworkShape, scale: float) -> NetworkShape:
    """Return the shape with its volumes multiplied by `scale` (rates stay as they are)."""
    if not 0 < scale <= 1:
        raise ValueError("the scale is a fraction of the year's volume, in (0, 1]")
    low, high = shape.requests_per_year
    return dataclasses.replace(
        shape,
        requests_per_year=(max(round(low * scale), 1), max(round(high * scale), 1)),
        customers=max(round(shape.customers * scale), 1),
        directory_contacts_per_year=round(shape.directory_contacts_per_year * scale),
    )


class ReplayRefused(RuntimeError):
    """The network cannot be replayed here: unknown, or replayed already."""


@dataclass(frozen=True)
class ReplayOutcome:
    """What a replay did: its period, its counts, what the services refused, how long."""

    network: Network
    seed: int
    start: datetime.datetime
    end: datetime.datetime
    tally: YearTally
    refusals: dict[str, int]
    seconds: float


def replay_network(
    network: Network,
    *,
    seed: int,
    until: datetime.datetime,
    scale: float = 1.0,
    progress: Callable[[NetworkYear], None] | None = None,
) -> ReplayOutcome:
    """Replay the year before `until` for the network; refuse if it was replayed already.

    `scale` replays a fraction of the year's volume (requests, customers, direct contacts)
    over the same whole year, with the same shapes: for quick looks and for the test suite.
    """
    shape = SHAPES.get(network.slug)
    if shape is not None and scale != 1.0:
        shape = scaled(shape, scale)
    if shape is None:
        raise ReplayRefused(
            f"No study describes {network.slug}: the replay knows "
            + ", ".join(sorted(SHAPES))
            + "."
        )
    if replay_exists(network):
        raise ReplayRefused(
            f"{network.slug} was replayed in this database already; a replay's payments are "
            "in the append-only ledger and cannot be removed, so it is never replayed twice."
        )
    started = time.monotonic()
    end = until.replace(second=0, microsecond=0)
    start = end - YEAR
    clock = SimulatedClock(start)
    notifications_before = last_notification_id()
    # The hook encloses the commit: the after-commit sends run inside it, held.
    with simulated(clock.now), transaction.atomic():
        try:
            cast = Cast.load(network)
        except ReplaySetupError as error:
            raise ReplayRefused(str(error)) from error
        bank_accounts_ensure(cast)
        plans = plan_year(seed=seed, shape=shape, start=start, end=end, tz=network.tzinfo)
        year = YEARS[network.policy](
            cast=cast,
            shape=shape,
            seed=seed,
            start=start,
            end=end,
            clock=clock,
            progress=progress,
        )
        year.run(plans)
        outbox_settle(after_id=notifications_before, before=end)
    return ReplayOutcome(
        network=network,
        seed=seed,
        start=start,
        end=end,
        tally=year.tally,
        refusals=dict(year.refusals),
        seconds=time.monotonic() - started,
    )
