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

A card provider's `charge` raises `PaymentDeclined` with a message the payer can act on
(nothing was charged), or `PaymentInDoubt` when it cannot tell (a timeout, a lost answer,
a gateway error): the charge may have happened. `lookup` asks the provider what became of
the charge sent with an idempotency key; the sweeper and the webhook settle attempts left
in doubt with it. The service never calls a provider inside a transaction or a lock
(`orders.services.card_payments`).
"""

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

CARD_TIMEOUT_SECONDS = 10
# How old a signed webhook may be: an attacker who saw one cannot send it again later.
WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentDeclined(Exception):
    """The provider refused the payment; the message says why. Nothing was charged."""


class PaymentInDoubt(Exception):
    """The provider's answer is unknown: the card may or may not have been charged."""


@dataclass(frozen=True)
class ChargeLookup:
    """What the provider says became of the charge sent with one idempotency key."""

    class Status:
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        NOT_FOUND = "not_found"

    status: str
    reference: str = ""


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

    def charge(self, request: PaymentRequest) -> str:
        """Charge the card once per idempotency key and return the gateway's charge id."""
        raise NotImplementedError

    def lookup(self, idempotency_key: str) -> ChargeLookup:
        """Ask the gateway what became of the charge sent with `idempotency_key`."""
        raise NotImplementedError


class UnconfiguredCardProvider(CardProvider):
    """Decline every card: the default until a real gateway is configured."""

    code = "card:none"

    def charge(self, request: PaymentRequest) -> str:
        raise PaymentDeclined("Card payments are not available here; please pay by transfer.")

    def lookup(self, idempotency_key: str) -> ChargeLookup:
        return ChargeLookup(status=ChargeLookup.Status.NOT_FOUND)


class FakeCardProvider(CardProvider):
    """Approve any token except those starting with `tok_decline`: no network, ever.

    Like a real gateway it charges once per idempotency key; it remembers its charges in
    this process only.
    """

    code = "card:fake"
    charges: dict[str, str] = {}

    def charge(self, request: PaymentRequest) -> str:
        if request.card_token.startswith("tok_decline"):
            raise PaymentDeclined("The card was declined; try another card or a bank transfer.")
        return self.charges.setdefault(request.idempotency_key, f"fake_{request.idempotency_key}")

    def lookup(self, idempotency_key: str) -> ChargeLookup:
        reference = self.charges.get(idempotency_key)
        if reference is None:
            return ChargeLookup(status=ChargeLookup.Status.NOT_FOUND)
        return ChargeLookup(status=ChargeLookup.Status.SUCCEEDED, reference=reference)


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
            if error.code >= 500:
                raise PaymentInDoubt(f"The card gateway failed ({error.code}).") from error
            raise PaymentDeclined(
                f"The card gateway refused the payment ({error.code}); try another card."
            ) from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            # The charge may have reached the gateway before the answer was lost.
            raise PaymentInDoubt("The card gateway did not answer.") from error
        if answer.get("status") not in ("succeeded", "paid"):
            raise PaymentDeclined("The card was declined; try another card or a bank transfer.")
        return str(answer.get("id", ""))

    def lookup(self, idempotency_key: str) -> ChargeLookup:
        query = urllib.parse.urlencode({"idempotency_key": idempotency_key})
        http_request = urllib.request.Request(
            f"{settings.PAYMENT_CARD_API_URL}?{query}",
            headers={"Authorization": f"Bearer {settings.PAYMENT_CARD_API_KEY}"},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=CARD_TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return ChargeLookup(status=ChargeLookup.Status.NOT_FOUND)
            raise PaymentInDoubt(f"The card gateway failed ({error.code}).") from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise PaymentInDoubt("The card gateway did not answer.") from error
        if answer.get("status") in ("succeeded", "paid"):
            return ChargeLookup(
                status=ChargeLookup.Status.SUCCEEDED, reference=str(answer.get("id", ""))
            )
        if answer.get("status") in ("failed", "declined", "canceled"):
            return ChargeLookup(status=ChargeLookup.Status.FAILED)
        raise PaymentInDoubt("The card gateway has not settled the charge yet.")


def card_provider() -> CardProvider:
    """Return the configured card provider."""
    return import_string(settings.PAYMENT_CARD_PROVIDER)()


def webhook_signature_valid(*, body: bytes, header: str, secret: str, now: float) -> bool:
    """Tell whether `header` (`t=<unix time>,v1=<hex HMAC-SHA256 of "t." + body>`) signs
    `body` with `secret`, recently enough that an old message cannot be replayed."""
    if not secret or not header:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        signed_at = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - signed_at) > WEBHOOK_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{signed_at}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))
