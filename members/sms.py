"""SMS to people's cell phones, through a backend chosen by the SMS_BACKEND setting.

A backend either returns (the provider took the message) or raises (it did not, or we
cannot tell): the delivery then records the error and tries again later. Each message
carries its delivery's reference, which gateways that honour an idempotency key use to
drop a repeat of a message they already took.
"""

import logging

import phonenumbers
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend:
    """Send one text message; subclasses talk to a provider."""

    def send(self, *, to: str, body: str, reference: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Write messages to the log: the default, for development and demos."""

    def send(self, *, to: str, body: str, reference: str) -> None:
        logger.info("SMS %s to %s: %s", reference, to, body)


def _required(name: str) -> str:
    value = getattr(settings, name)
    if not value:
        raise ImproperlyConfigured(f"{settings.SMS_BACKEND} needs the {name} setting")
    return value


class TwilioSmsBackend(SmsBackend):
    """Send through Twilio's Messages API with its official client."""

    def __init__(self) -> None:
        # Imported here: Twilio's client (and aiohttp under it) loads only where it is used.
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.sender = _required("TWILIO_FROM")
        self.client = Client(
            _required("TWILIO_ACCOUNT_SID"),
            _required("TWILIO_AUTH_TOKEN"),
            http_client=TwilioHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS),
        )
        if settings.TWILIO_API_BASE_URL:
            # Another address for Twilio's API: a regional proxy, or a local fake in tests.
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to: str, body: str, reference: str) -> None:
        # A sender starting with MG is a Messaging Service, which picks the number itself.
        sender = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        message = self.client.messages.create(to=to, body=body, **sender)
        logger.info("SMS %s accepted by Twilio as %s", reference, message.sid)


class HttpGatewaySmsBackend(SmsBackend):
    """POST to an HTTP SMS gateway (the Japanese ones take JSON or a form, with a key).

    The URL, where the key goes (a header or a field), the field names, the body's format
    and whether numbers are written international (+8190…) or domestic (090…) are settings.
    """

    def send(self, *, to: str, body: str, reference: str) -> None:
        url = _required("SMS_API_URL")
        fields = {
            settings.SMS_API_TO_FIELD: gateway_number(to, settings.SMS_API_NUMBER_FORMAT),
            settings.SMS_API_TEXT_FIELD: body,
        }
        if settings.SMS_API_SENDER:
            fields[settings.SMS_API_SENDER_FIELD] = settings.SMS_API_SENDER
        headers = {"Idempotency-Key": reference}
        if settings.SMS_API_KEY_HEADER:
            headers[settings.SMS_API_KEY_HEADER] = settings.SMS_API_KEY
        else:
            fields[settings.SMS_API_KEY_FIELD] = settings.SMS_API_KEY
        if settings.SMS_API_FORMAT == "form":
            sent = {"data": fields}
        elif settings.SMS_API_FORMAT == "json":
            sent = {"json": fields}
        else:
            raise ImproperlyConfigured("SMS_API_FORMAT is json or form")
        response = requests.post(url, headers=headers, timeout=settings.SMS_TIMEOUT_SECONDS, **sent)
        if not response.ok:
            raise RuntimeError(
                f"SMS gateway answered {response.status_code}: {response.text[:200]}"
            )
        logger.info("SMS %s accepted by the gateway", reference)


def gateway_number(number: str, number_format: str) -> str:
    """Write an E.164 number as the gateway wants it: +819012345678 or 09012345678."""
    if number_format == "national":
        parsed = phonenumbers.parse(number, None)
        return (
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
            .replace("-", "")
            .replace(" ", "")
        )
    return number


def sms_backend() -> SmsBackend:
    """Return an instance of the configured SMS backend."""
    return import_string(settings.SMS_BACKEND)()
