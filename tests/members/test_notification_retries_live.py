"""A real Celery worker retries an SMS with backoff until the provider recovers, and sends
it once, even when the delivery task itself arrives twice."""

import os
import uuid

import pytest

from brokerage.models import Heartbeat
from brokerage.tasks import heartbeat
from core.processes import wait_until
from members.models import Notification
from members.notifications import notifications_create
from members.tasks import deliver_notification
from tests.kit.factories import CustomerFactory
from tests.kit.fake_providers import FakeHttpProvider


@pytest.fixture
def gateway():
    fake = FakeHttpProvider()
    yield fake
    fake.stop()


@pytest.mark.celery_worker
def test_a_worker_retries_a_failing_gateway_and_sends_once_on_recovery(background, gateway):
    # Given a gateway that fails twice with 500, then recovers
    gateway.statuses = [500, 500]
    person = CustomerFactory(sms_number="+819012345678", notify_by_sms=True)
    notifications_create(
        kind="rfq.received",
        subject_type="rfq",
        subject_id=42,
        recipients=[person],
        context={"rfq": 42, "title": "Bracket", "due": "2026-11-24 10:30 JST"},
        deliver_on_commit=False,
    )
    sms = Notification.objects.get(recipient=person, channel="sms")
    # and a real worker configured for it, with one-second backoff
    queue = f"test-{uuid.uuid4().hex[:12]}"
    background.start_worker(
        "worker",
        broker_url=os.environ.get("REDIS_URL"),
        queues=queue,
        SMS_BACKEND="members.sms.HttpGatewaySmsBackend",
        SMS_API_URL=f"{gateway.url}/send",
        SMS_API_KEY="key",
        NOTIFICATION_RETRY_SECONDS="1",
    )
    # When the delivery task is sent, and sent again (a broker may deliver a task twice)
    deliver_notification.apply_async((sms.pk,), queue=queue)
    deliver_notification.apply_async((sms.pk,), queue=queue)
    # Then the worker retries after each failure until the gateway takes the message
    sent = wait_until(
        lambda: Notification.objects.filter(pk=sms.pk, status="sent").exists(), timeout=90
    )
    assert sent, background.log("worker")[-3000:]
    sms.refresh_from_db()
    assert sms.attempts == 3
    # and once every retry still scheduled has run (they are due within 4 s of the
    # sending; a heartbeat due after them marks the end), the gateway took it exactly once
    heartbeat.apply_async(kwargs={"name": "after-retries"}, queue=queue, countdown=6)
    assert wait_until(
        lambda: Heartbeat.objects.filter(name="after-retries").exists(), timeout=60
    ), background.log("worker")[-3000:]
    assert [request.status for request in gateway.received] == [500, 500, 200]
    assert len(gateway.accepted()) == 1
