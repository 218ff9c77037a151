"""The deadline storm: 10,000 deadlines due in the same minute, two workers racing.

Builds 3,334 requests of one network, each routed to two firms, with their three
deadlines spread over one minute that starts a few seconds after the build, then runs a
private Redis, Celery beat (sweeping every second) and two workers, and kills one worker
in the middle of the storm and starts another, as a crash and restart would. It reports
how long after the last due moment the last deadline fired (target: within 60 s, DESIGN.md
§6), the worst lateness of any single deadline, and how many fired twice (target 0).
"""

from __future__ import annotations

import datetime
import tempfile
import time
from pathlib import Path

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from bench.report import BenchmarkRefused, Measurement

REQUESTS = 3_334
DEADLINES = 10_000
KINDS = ("member_response", "reminder", "estimate")
STORM_SECONDS = 60
LEAD_IN_SECONDS = 8
KILL_AFTER_SECONDS = 20
FIRE_WITHIN_SECONDS = 60.0
GIVE_UP_AFTER_SECONDS = 240
SWEEP = {
    "DEADLINE_SWEEP_SECONDS": "1",
    # Messages are really composed and handed to a backend; only the wire is left out.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}


def run() -> list[Measurement]:
    """Build the storm, let real processes fire it, and measure what happened."""
    if connection.vendor != "postgresql":
        raise BenchmarkRefused("the deadline storm needs PostgreSQL (row locks, SKIP LOCKED)")
    from core.processes import Background, wait_until

    background = Background(Path(tempfile.mkdtemp(prefix="bench-deadlines-")))
    if not background.private_redis_available:
        raise BenchmarkRefused("the deadline storm needs redis-server on this machine")
    network_id, first_due, last_due = build_storm()
    try:
        broker = background.start_redis()
        background.start_beat(broker_url=broker, **SWEEP)
        background.start_worker("worker-a", broker_url=broker, **SWEEP)
        background.start_worker("worker-b", broker_url=broker, **SWEEP)
        wait_until(lambda: timezone.now() >= first_due, timeout=LEAD_IN_SECONDS + 5)
        time.sleep(KILL_AFTER_SECONDS)
        background.stop("worker-a", kill=True)
        background.start_worker("worker-c", broker_url=broker, **SWEEP)
        finished = wait_until(
            lambda: not unfired(network_id),
            timeout=STORM_SECONDS + GIVE_UP_AFTER_SECONDS,
            interval=0.5,
        )
        if not finished:
            print(background.logs()[-4000:])
        return measurements(network_id, last_due)
    finally:
        background.stop_all()


def build_storm() -> tuple[int, datetime.datetime, datetime.datetime]:
    from brokerage.models import Deadline, Invitation
    from members.models import Firm, Membership, Network, User
    from orders.models import RFQ

    network = Network.objects.create(
        slug="bench-storm", name_ja="嵐", name_en="Storm", policy="competency_broadcast"
    )
    office = Firm.objects.create(name_ja="事務局", name_en="Office", prefecture="26")
    now = timezone.now()
    agreed = {
        "status": "active",
        "is_active": True,
        "network_agreed_at": now,
        "firm_agreed_at": now,
    }
    Membership.objects.create(network=network, firm=office, role="office", **agreed)
    User.objects.create(username="bench-storm-office", firm=office, email="o@example.jp")
    firms = Firm.objects.bulk_create(
        Firm(name_ja=f"会社{n}", name_en=f"Firm {n}", prefecture="26") for n in range(10)
    )
    Membership.objects.bulk_create(
        Membership(network=network, firm=firm, **agreed) for firm in firms
    )
    User.objects.bulk_create(
        User(username=f"bench-storm-{n}", firm=firm, email=f"f{n}@example.jp")
        for n, firm in enumerate(firms)
    )
    customer = User.objects.create(username="bench-storm-customer", email="c@example.jp")
    now = timezone.now()
    rfqs = RFQ.objects.bulk_create(
        RFQ(
            network=network,
            customer=customer,
            title=f"Storm request {n}",
            description="Benchmark",
            status=RFQ.Status.ROUTED,
            submitted_at=now,
            estimate_due_at=now + datetime.timedelta(hours=2),
        )
        for n in range(REQUESTS)
    )
    Invitation.objects.bulk_create(
        Invitation(rfq=rfq, firm=firms[(n + offset) % len(firms)], rank=offset + 1)
        for n, rfq in enumerate(rfqs)
        for offset in (0, 1)
    )
    first_due = now + datetime.timedelta(seconds=LEAD_IN_SECONDS)
    step = datetime.timedelta(seconds=STORM_SECONDS) / DEADLINES
    Deadline.objects.bulk_create(
        (
            Deadline(
                rfq=rfqs[n // len(KINDS)], kind=KINDS[n % len(KINDS)], due_at=first_due + n * step
            )
            for n in range(DEADLINES)
        ),
        batch_size=2_000,
    )
    return network.pk, first_due, first_due + (DEADLINES - 1) * step


def unfired(network_id: int) -> int:
    from brokerage.models import Deadline

    return Deadline.objects.filter(
        rfq__network_id=network_id, fired_at__isnull=True, cancelled_at__isnull=True
    ).count()


def measurements(network_id: int, last_due: datetime.datetime) -> list[Measurement]:
    from brokerage.models import Deadline
    from orders.models import Event

    deadlines = Deadline.objects.filter(rfq__network_id=network_id)
    fired = deadlines.filter(fired_at__isnull=False)
    last_fired = fired.aggregate(last=Max("fired_at"))["last"] or timezone.now()
    worst = max(
        (
            (deadline.fired_at - deadline.due_at).total_seconds()
            for deadline in fired.only("fired_at", "due_at")
        ),
        default=float("inf"),
    )
    events = (
        Event.objects.filter(rfq__network_id=network_id, kind__startswith="deadline.")
        .values("rfq_id", "kind")
        .annotate(times=Count("id"))
    )
    twice = sum(row["times"] - 1 for row in events if row["times"] > 1)
    missing = unfired(network_id)
    print(f"  fired {fired.count():,} of {DEADLINES:,}; unfired {missing:,}", flush=True)
    return [
        Measurement(
            name="deadline storm: last fired after the last was due (10,000 in 1 min, 2 workers)",
            unit="s",
            measured=round((last_fired - last_due).total_seconds(), 2) if not missing else 1e9,
            target=FIRE_WITHIN_SECONDS,
        ),
        Measurement(
            name="deadline storm: worst lateness of one deadline",
            unit="s",
            measured=round(worst, 2),
            target=FIRE_WITHIN_SECONDS,
        ),
        Measurement(
            name="deadline storm: deadlines fired twice (a worker killed mid-storm)",
            unit="count",
            measured=twice,
            target=1,
        ),
        Measurement(
            name="deadline storm: deadlines never fired",
            unit="count",
            measured=missing,
            target=1,
        ),
    ]
