"""SMS go out through real providers' HTTP APIs: a local fake provider takes them on a real
socket, fails when told to, and the deliveries retry until it recovers, sending once."""

import base64
import datetime

import pytest

from members.models import Notification
from members.notifications import notification_deliver, notifications_create
from tests.kit.factories import CustomerFactory
from tests.kit.fake_providers import FakeHttpProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    fake = FakeHttpProvider()
    yield fake
    fake.stop()


@pytest.fixture
def gateway(settings, provider):
    settings.SMS_BACKEND = "members.sms.HttpGatewaySmsBackend"
    settings.SMS_API_URL = f"{provider.url}/api/v1/sms/send"
    settings.SMS_API_KEY = "gateway-key-123"
    return provider


@pytest.fixture
def twilio(settings, provider):
    provider.default_status = 201
    provider.answer = {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}
    settings.SMS_BACKEND = "members.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.TWILIO_FROM = "+815012345678"
    settings.TWILIO_API_BASE_URL = provider.url
    return provider


def sms_to(person) -> Notification:
    notifications_create(
        kind="rfq.received",
        subject_type="rfq",
        subject_id=42,
        recipients=[person],
        context={"rfq": 42, "title": "Bracket", "due": "2026-11-24 10:30 JST"},
        link="/requests/42/",
    )
    return Notification.objects.get(recipient=person, channel="sms")


def test_the_gateway_gets_a_json_post_with_the_key_in_a_header(gateway):
    # Given a person who chose SMS, and a JSON gateway
    person = CustomerFactory(sms_number="090-1234-5678", notify_by_sms=True, language="ja")
    sms = sms_to(person)
    # When the SMS is delivered
    assert notification_deliver(notification_id=sms.pk) is True
    # Then the gateway got one POST: the number in E.164, the Japanese text, the key, the
    # delivery's reference as idempotency key
    [request] = gateway.received
    assert request.path == "/api/v1/sms/send"
    assert request.headers["X-API-Key"] == "gateway-key-123"
    assert request.headers["Idempotency-Key"] == f"notification-{sms.pk}"
    assert request.json()["to"] == "+819012345678"
    assert request.json()["text"].startswith("依頼 #42 を受け付けました")
    assert request.json()["text"].endswith("http://127.0.0.1:8000/requests/42/")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 1, "")


def test_a_form_gateway_gets_the_key_and_a_domestic_number_as_fields(gateway, settings):
    # Given a gateway that takes a form, the key as a field, and domestic numbers
    settings.SMS_API_FORMAT = "form"
    settings.SMS_API_KEY_HEADER = ""
    settings.SMS_API_KEY_FIELD = "apikey"
    settings.SMS_API_TO_FIELD = "mobilenumber"
    settings.SMS_API_TEXT_FIELD = "smstext"
    settings.SMS_API_NUMBER_FORMAT = "national"
    settings.SMS_API_SENDER = "KyotoNet"
    person = CustomerFactory(sms_number="+818012345678", notify_by_sms=True, language="en")
    # When the SMS is delivered
    assert notification_deliver(notification_id=sms_to(person).pk) is True
    # Then the fields are where the gateway wants them
    form = gateway.received[0].form()
    assert form["mobilenumber"] == "08012345678"
    assert form["apikey"] == "gateway-key-123"
    assert form["from"] == "KyotoNet"
    assert form["smstext"].startswith("We received your request #42")
    assert "X-API-Key" not in gateway.received[0].headers


def test_a_failing_gateway_is_retried_with_backoff_and_sends_once_when_it_recovers(gateway, clock):
    # Given a gateway that answers 500 twice, then recovers
    gateway.statuses = [500, 500]
    person = CustomerFactory(sms_number="+819012345678", notify_by_sms=True)
    sms = sms_to(person)
    # When the delivery is tried, it fails and the failure is recorded with a backoff
    assert notification_deliver(notification_id=sms.pk) is False
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert "500" in sms.last_error
    assert sms.next_attempt_at == clock.now + datetime.timedelta(seconds=30)
    # and a retry before the backoff ends does not reach the gateway
    assert notification_deliver(notification_id=sms.pk) is False
    assert len(gateway.received) == 1
    # When the backoff ends, the second attempt fails too and waits twice as long
    clock.advance(seconds=30)
    assert notification_deliver(notification_id=sms.pk) is False
    sms.refresh_from_db()
    assert sms.attempts == 2
    clock.advance(seconds=59)
    assert notification_deliver(notification_id=sms.pk) is False
    assert len(gateway.received) == 2
    # Then once the gateway recovers the message is sent, exactly once
    clock.advance(seconds=1)
    assert notification_deliver(notification_id=sms.pk) is True
    assert notification_deliver(notification_id=sms.pk) is False
    clock.advance(hours=2)
    assert notification_deliver(notification_id=sms.pk) is False
    assert [request.status for request in gateway.received] == [500, 500, 200]
    assert len(gateway.accepted()) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 3)


def test_a_gateway_that_cannot_be_reached_is_recorded_and_retried(gateway, settings):
    # Given a gateway address where nothing listens
    gateway.stop()
    person = CustomerFactory(sms_number="+819012345678", notify_by_sms=True)
    sms = sms_to(person)
    # When the delivery is tried
    assert notification_deliver(notification_id=sms.pk) is False
    # Then the connection error is recorded and a retry is scheduled
    sms.refresh_from_db()
    assert sms.status == "pending"
    assert "ConnectionError" in sms.last_error
    assert sms.next_attempt_at is not None


def test_twilio_gets_the_message_through_its_official_client(twilio):
    # Given Twilio's client pointed at the local fake of its API
    person = CustomerFactory(sms_number="070-1234-5678", notify_by_sms=True, language="en")
    sms = sms_to(person)
    # When the SMS is delivered
    assert notification_deliver(notification_id=sms.pk) is True
    # Then Twilio's Messages endpoint got the account's credentials, the number, the text
    [request] = twilio.received
    assert request.path == "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
    credentials = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
    assert credentials == "AC0123456789abcdef0123456789abcdef:twilio-token"
    form = request.form()
    assert form["To"] == "+817012345678"
    assert form["From"] == "+815012345678"
    assert form["Body"].startswith("We received your request #42")


def test_twilio_failing_then_recovering_sends_once(twilio, clock):
    # Given Twilio answering 500 once
    twilio.statuses = [500]
    person = CustomerFactory(sms_number="+819012345678", notify_by_sms=True)
    sms = sms_to(person)
    # When the first attempt fails, the error is recorded
    assert notification_deliver(notification_id=sms.pk) is False
    sms.refresh_from_db()
    assert "TwilioRestException" in sms.last_error
    # Then the retry after the backoff sends it, and no later attempt sends it again
    clock.advance(seconds=30)
    assert notification_deliver(notification_id=sms.pk) is True
    assert notification_deliver(notification_id=sms.pk) is False
    assert [request.status for request in twilio.received] == [500, 201]
