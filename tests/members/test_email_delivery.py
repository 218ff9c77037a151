"""E-mail arrives: Django's SMTP backend sends to a local SMTP server (aiosmtpd) on a real
socket; what it received is decoded and compared, and refusals and outages are retried."""

import datetime

import pytest

from members.models import Notification
from members.notifications import notification_deliver, notifications_create
from tests.kit.factories import CustomerFactory
from tests.kit.fake_providers import LocalSmtpServer, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = LocalSmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def email_to(person) -> Notification:
    notifications_create(
        kind="estimate.sent",
        subject_type="rfq",
        subject_id=42,
        recipients=[person],
        context={
            "rfq": 42,
            "title": "精密ブラケット試作",
            "total": "¥1,234,000",
            "lead_time_days": 10,
            "valid_until": "2026-12-31",
        },
        link="/requests/42/",
    )
    return Notification.objects.get(recipient=person, channel="email")


def test_a_japanese_email_arrives_with_its_subject_body_link_and_a_plain_text_part(smtp):
    # Given a person who reads Japanese
    person = CustomerFactory(email="tanaka@example.jp", language="ja")
    email = email_to(person)
    # When the e-mail is delivered through SMTP
    assert notification_deliver(notification_id=email.pk) is True
    # Then the server received one message, addressed to the person
    [message] = smtp.messages
    assert message["To"] == "tanaka@example.jp"
    assert message["X-Notification-Id"] == str(email.pk)
    # whose Japanese subject is MIME-encoded (the wire carries ASCII only) and decodes to
    # the notification's title (folded onto a continuation line, hence the strip)
    headers = smtp.raw[0].split(b"\r\n\r\n")[0]
    assert headers.isascii() and b"Subject: \r\n =?utf-8?b?" in headers
    assert message["Subject"].strip() == email.title
    assert "見積" in email.title and "¥1,234,000" in email.title
    # with a plain-text part carrying the body and the page's full link
    plain = message.get_body(preferencelist=("plain",))
    assert plain.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert email.body in text
    assert "http://127.0.0.1:8000/requests/42/" in text
    assert "ページを開く" in text
    # and an HTML part linking to the page
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="http://127.0.0.1:8000/requests/42/">' in html
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")


def test_a_refusing_server_is_recorded_and_the_retry_sends_once(smtp, clock):
    # Given a mail server that refuses messages for now
    smtp.refuse("451 4.3.0 Mailbox temporarily unavailable")
    person = CustomerFactory(email="sato@example.jp", language="en")
    email = email_to(person)
    # When the delivery is tried, the refusal is recorded and a retry is set
    assert notification_deliver(notification_id=email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert "451" in email.last_error
    assert email.next_attempt_at == clock.now + datetime.timedelta(seconds=30)
    # Then once the server accepts again, the retry sends it, and only once
    smtp.refuse(None)
    clock.advance(seconds=30)
    assert notification_deliver(notification_id=email.pk) is True
    assert notification_deliver(notification_id=email.pk) is False
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"].strip() == email.title


def test_a_mail_server_that_is_down_is_recorded_and_retried(settings, clock):
    # Given no mail server where the settings point
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5
    person = CustomerFactory(email="suzuki@example.jp")
    email = email_to(person)
    # When the delivery is tried
    assert notification_deliver(notification_id=email.pk) is False
    # Then the failure is on the delivery, which waits for its retry
    email.refresh_from_db()
    assert email.status == "pending"
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > clock.now
