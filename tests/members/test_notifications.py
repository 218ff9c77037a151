"""Notifications are delivered once per person, kind, subject and channel, with retries."""

import hashlib
import hmac

import pytest
from django.core import mail

from members.models import Notification
from members.notifications import (
    notification_deliver,
    notifications_create,
    pending_notification_ids,
    webhook_signature,
)
from tests.kit.factories import CustomerFactory, FirmFactory

pytestmark = pytest.mark.django_db


class BrokenSmsBackend:
    def send(self, *, to, body, reference):
        raise ConnectionError("SMS gateway unreachable")


def notify(person, **extra):
    notifications_create(
        kind="rfq.received",
        subject_type="rfq",
        subject_id=42,
        recipients=[person],
        context={"rfq": 42, "title": "Bracket", "due": "2026-11-24 10:30 JST"},
        **extra,
    )


def test_the_same_notification_is_written_once_however_often_it_is_asked():
    person = CustomerFactory(email="a@example.jp")
    notify(person)
    notify(person)
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "in_app"]


def test_an_email_is_sent_once_even_if_delivery_is_asked_twice():
    person = CustomerFactory(email="a@example.jp", language="en")
    notify(person)
    email = Notification.objects.get(channel="email")
    assert notification_deliver(notification_id=email.pk) is True
    assert notification_deliver(notification_id=email.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "We received your request #42: Bracket"
    assert "2026-11-24 10:30 JST" in mail.outbox[0].body


def test_a_failing_backend_is_retried_with_backoff_and_recorded(settings):
    settings.SMS_BACKEND = "tests.members.test_notifications.BrokenSmsBackend"
    person = CustomerFactory(sms_number="+819011112222", notify_by_sms=True)
    notify(person)
    sms = Notification.objects.get(channel="sms")
    assert notification_deliver(notification_id=sms.pk) is False
    sms.refresh_from_db()
    assert sms.status == "pending"
    assert sms.attempts == 1
    assert "SMS gateway unreachable" in sms.last_error
    assert sms.next_attempt_at is not None
    # and it is not retried before its time
    assert sms.pk not in pending_notification_ids()


def test_webhooks_are_signed_with_the_firms_secret():
    body = b'{"kind": "rfq.invited"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert webhook_signature("s3cret", body) == expected


def test_a_firm_with_a_webhook_gets_one_row_per_event():
    firm = FirmFactory(webhook_url="https://hooks.example.jp/in", webhook_secret="s3cret")
    person = CustomerFactory(email="c@example.jp")
    notify(person, webhook_firms=[firm])
    notify(person, webhook_firms=[firm])
    webhook = Notification.objects.get(channel="webhook")
    assert webhook.firm == firm
    assert webhook.payload["rfq"] == 42
