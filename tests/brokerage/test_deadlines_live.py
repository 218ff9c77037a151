"""The estimate clock with real processes: Redis, Celery workers and beat.

Windows are shortened by moving deadlines to now, never by sleeping for hours.
"""

import datetime
import json
import os
import shutil
import time
import urllib.error
import urllib.request

import pytest
from django.db.models import Count
from django.utils import timezone
from rest_framework.authtoken.models import Token

from brokerage.models import Deadline
from core.processes import start_web, wait_until
from members.models import Notification
from orders.models import RFQ, Event
from tests.kit.factories import SubmittedRFQFactory
from tests.kit.steps import submit
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.celery_worker

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None and not os.environ.get("CI"),
    reason="redis-server is not installed on this machine (CI installs it)",
)

FAST_BEAT = {
    "DEADLINE_SWEEP_SECONDS": "0.5",
    "NOTIFICATION_SWEEP_SECONDS": "0.5",
    "ROUTING_SWEEP_SECONDS": "0.5",
}


def broker_for(background) -> str | None:
    """A private Redis when the machine has one, else the file-system broker."""
    return background.start_redis() if background.private_redis_available else None


def all_due_now(rfq_ids) -> int:
    return Deadline.objects.filter(rfq_id__in=rfq_ids).update(
        due_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def fired_counts(rfq_ids) -> list[int]:
    """Return, per deadline, how many times its event was recorded."""
    events = (
        Event.objects.filter(rfq_id__in=rfq_ids, kind__startswith="deadline.")
        .values("rfq_id", "kind")
        .annotate(times=Count("id"))
    )
    return [row["times"] for row in events]


def test_beat_and_a_worker_fire_every_deadline_once(background):
    # Given requests whose deadlines are all due
    world = kyoto_world()
    rfq_ids = [submit(world, [{"capability": "process.machining.milling"}])["id"] for _ in range(3)]
    due = all_due_now(rfq_ids)
    # When beat and a worker run
    broker = broker_for(background)
    background.start_worker("worker", broker_url=broker, **FAST_BEAT)
    background.start_beat(broker_url=broker, **FAST_BEAT)
    # Then every deadline fires, exactly once
    done = wait_until(
        lambda: not Deadline.objects.filter(rfq_id__in=rfq_ids, fired_at__isnull=True).exists(),
        timeout=90,
    )
    assert done, background.logs()
    assert sorted(fired_counts(rfq_ids)) == [1] * due
    # and the notifications they wrote are delivered by the worker, each once
    delivered = wait_until(
        lambda: (
            not Notification.objects.filter(kind__startswith="deadline.", status="pending").exists()
        ),
        timeout=60,
    )
    assert delivered, background.logs()


def test_two_racing_workers_and_a_killed_one_lose_and_double_nothing(background):
    # Given twelve hundred deadlines due at once, on requests already routed (a submitted
    # one would be routed by the sweeper meanwhile, and closed as no-bid without invitations)
    world = kyoto_world()
    rfqs = SubmittedRFQFactory.create_batch(
        400, network=world.network, customer=world.customer, status=RFQ.Status.ROUTED
    )
    Deadline.objects.bulk_create(
        [
            Deadline(rfq=rfq, kind=kind, due_at=timezone.now())
            for rfq in rfqs
            for kind in ("member_response", "reminder", "estimate")
        ]
    )
    rfq_ids = [rfq.pk for rfq in rfqs]
    broker = broker_for(background)
    # When two workers race for them and one is killed mid-way
    background.start_worker("worker-a", broker_url=broker, **FAST_BEAT)
    background.start_worker("worker-b", broker_url=broker, **FAST_BEAT)
    background.start_beat(broker_url=broker, **FAST_BEAT)
    started = wait_until(
        lambda: Deadline.objects.filter(rfq_id__in=rfq_ids, fired_at__isnull=False).exists(),
        timeout=60,
        interval=0.05,
    )
    assert started, background.logs()
    background.stop("worker-a", kill=True)
    # Then every deadline still fires, and none twice
    done = wait_until(
        lambda: not Deadline.objects.filter(rfq_id__in=rfq_ids, fired_at__isnull=True).exists(),
        timeout=120,
    )
    assert done, background.logs()
    counts = fired_counts(rfq_ids)
    assert len(counts) == 1200
    assert set(counts) == {1}


def post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@needs_redis_server
def test_with_redis_stopped_requests_are_saved_and_everything_goes_out_once_it_is_back(
    background,
):
    # Given the web app, a worker and beat on a private Redis
    world = kyoto_world()
    token = Token.objects.create(user=world.customer).key
    broker = background.start_redis()
    web = start_web(background, broker)
    background.start_worker("worker", broker_url=broker, **FAST_BEAT)
    background.start_beat(broker_url=broker, **FAST_BEAT)
    # When Redis stops and a customer submits a request
    background.stop("redis")
    status, body = post_json(
        f"{web}/api/rfqs/",
        {
            "network": world.network.slug,
            "title": "Bracket during an outage",
            "description": "Two pieces",
            "requirements": [{"capability": "process.machining.milling"}],
        },
        token,
    )
    # Then the request is saved, with its clock; routing and notifications wait
    assert status == 201, body
    rfq = RFQ.objects.get(pk=body["id"])
    assert rfq.status == "submitted"
    assert rfq.deadlines.count() == 3
    assert Notification.objects.filter(subject_id=rfq.pk, status="pending").exists()
    time.sleep(2)
    assert RFQ.objects.get(pk=rfq.pk).status == "submitted"
    # When Redis is back
    background.start_redis()
    # Then the routing sweeper routes the request, and its members are invited
    routed = wait_until(
        lambda: RFQ.objects.get(pk=rfq.pk).status == "routed", timeout=120, interval=0.5
    )
    assert routed, background.logs()
    assert rfq.invitations.count() == 2
    # and what falls due then fires once, and every waiting notification is delivered
    all_due_now([rfq.pk])
    fired = wait_until(
        lambda: not Deadline.objects.filter(rfq=rfq, fired_at__isnull=True).exists(), timeout=120
    )
    assert fired, background.logs()
    assert sorted(fired_counts([rfq.pk])) == [1, 1, 1]
    delivered = wait_until(
        lambda: not Notification.objects.filter(subject_id=rfq.pk, status="pending").exists(),
        timeout=120,
    )
    assert delivered, background.logs()


@needs_redis_server
def test_a_submission_is_routed_by_a_worker_right_after_it_is_saved(background):
    # Given the web app and a worker on a private Redis (no beat: no sweeper to help)
    world = kyoto_world()
    token = Token.objects.create(user=world.customer).key
    broker = background.start_redis()
    web = start_web(background, broker)
    background.start_worker("worker", broker_url=broker)
    # When a customer submits
    status, body = post_json(
        f"{web}/api/rfqs/",
        {
            "network": world.network.slug,
            "title": "Bracket",
            "description": "Two pieces",
            "requirements": [{"capability": "process.machining.milling"}],
        },
        token,
    )
    assert status == 201, body
    assert body["status"] == "submitted"
    assert body["estimate_due_at"]
    # Then the one task enqueued at commit routes it within moments
    routed = wait_until(
        lambda: RFQ.objects.get(pk=body["id"]).status == "routed", timeout=30, interval=0.2
    )
    assert routed, background.logs()
    # and delivers the customer's acknowledgement on every channel, with no sweeper running
    acknowledgements = Notification.objects.filter(
        recipient=world.customer, kind="rfq.received", subject_id=body["id"]
    )
    delivered = wait_until(
        lambda: acknowledgements.exists() and not acknowledgements.exclude(status="sent").exists(),
        timeout=30,
        interval=0.2,
    )
    assert delivered, background.logs()
