"""How the customer's money arrives: a pluggable provider per payment method.

Bank transfer is the usual way in Japan: the money is already in the network's account
when the office records it, so its provider only checks what the office typed. Card
payments are charged through the provider class named by the setting
`PAYMENT_CARD_PROVIDER`. By default none is configured and card payments are declined
with a message saying so, so that no deployment ever "accepts" a card it did not charge;
`FakeCardProvider` never leaves the process, for demos and tests. `HttpCardProvider` is
the shape of a real gateway: it posts
the charge as JSON to `PAYMENT_CARD_API_URL` with `PAYMENT_CARD_API_KEY`, and an
idempotency key so that a retried request is never charged twice.

A provider raises `PaymentDeclined` with a message the payer can act on; nothing is
recorded then.
"""

import datetime
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

CARD_TIMEOUT_SECONDS = 10


class PaymentDeclined(Exception):
    """The provider refused the payment; the message says why."""


@dataclass(frozen=True)
class PaymentRequest:
    order_id: int
    amount: int
    currency: str
    received_at: datetime.datetime | None
    reference: str = ""
    card_token: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True)
class PaymentResult:
    provider: str
    reference: str
    received_at: datetime.datetime


class PaymentProvider:
    """Take or confirm one payment; subclasses talk to a bank or a card gateway."""

    code = ""

    def collect(self, request: PaymentRequest) -> PaymentResult:
        raise NotImplementedError


class BankTransferProvider(PaymentProvider):
    """A transfer the office saw arrive in the network's account: nothing to charge."""

    code = "bank_transfer"

    def collect(self, request: PaymentRequest) -> PaymentResult:
        if request.received_at is None:
            raise PaymentDeclined("Give the day the transfer arrived (received_at).")
        if request.received_at > timezone.now() + datetime.timedelta(minutes=5):
            raise PaymentDeclined("A transfer cannot have arrived in the future.")
        return PaymentResult(
            provider=self.code, reference=request.reference, received_at=request.received_at
        )


class CardProvider(PaymentProvider):
    """Charge a card token; concrete gateways implement `charge`."""

    code = "card"

    def collect(self, request: PaymentRequest) -> PaymentResult:
        if not request.card_token:
            raise PaymentDeclined("A card payment needs the card token from the payment form.")
        reference = self.charge(request)
        return PaymentResult(provider=self.code, reference=reference, received_at=timezone.now())

    def charge(self, request: PaymentRequest) -> str:
        """Charge the card and return the gateway's charge id."""
        raise NotImplementedError


class UnconfiguredCardProvider(CardProvider):
    """Decline every card: the default until a real gateway is configured."""

    code = "card:none"

    def charge(self, request: PaymentRequest) -> str:
        raise PaymentDeclined("Card payments are not available here; please pay by transfer.")


class FakeCardProvider(CardProvider):
    """Approve any token except those starting with `tok_decline`: no network, ever."""

    code = "card:fake"

    def charge(self, request: PaymentRequest) -> str:
        if request.card_token.startswith("tok_decline"):
            raise PaymentDeclined("The card was declined; try another card or a bank transfer.")
        return f"fake_{request.idempotency_key or request.order_id}"


class HttpCardProvider(CardProvider):
    """Charge through a JSON-over-HTTPS gateway configured by settings."""

    code = "card:http"

    def charge(self, request: PaymentRequest) -> str:
        url = settings.PAYMENT_CARD_API_URL
        if not url:
            raise PaymentDeclined("Card payments are not configured; pay by bank transfer.")
        body = json.dumps(
            {
                "amount": request.amount,
                "currency": request.currency,
                "source": request.card_token,
                "description": f"Order {request.order_id}",
            }
        ).encode()
        http_request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.PAYMENT_CARD_API_KEY}",
                "Idempotency-Key": request.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(http_request, timeout=CARD_TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise PaymentDeclined(
                f"The card gateway refused the payment ({error.code}); try another card."
            ) from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise PaymentDeclined(
                "The card gateway could not be reached; nothing was charged. Try again later."
            ) from error
        if answer.get("status") not in ("succeeded", "paid"):
            raise PaymentDeclined("The card was declined; try another card or a bank transfer.")
        return str(answer.get("id", ""))


def payment_provider(method: str) -> PaymentProvider:
    """Return the provider for a payment method (bank transfer, or the configured card one)."""
    if method == "card":
        return import_string(settings.PAYMENT_CARD_PROVIDER)()
    return BankTransferProvider()
