"""SMS to supervisors' cell phones, through a backend chosen by the SMS_BACKEND setting."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend:
    """Send one text message; subclasses talk to a provider."""

    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Write messages to the log: the default, for development and demos."""

    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", to, body)


def sms_backend() -> SmsBackend:
    """Return an instance of the configured SMS backend."""
    return import_string(settings.SMS_BACKEND)()
