"""Idempotency-Key: one mechanism for every write that takes the header.

Like Stripe's: a key belongs to the caller and the operation. The service first decides
whether the caller may do the step at all, then claims the key in its own transaction:

- a new key is recorded together with the step's result (so a committed key always names
  what it produced, and a twin request waits on the key's unique index until the first
  commits, then replays it);
- the same key with the same request replays: the service returns the first result;
- the same key with a different request is refused with 409, saying so.

Another caller's key, or the same key on another endpoint, is simply a new key: nothing
is ever looked up across callers, so a key cannot reach what is not the caller's.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

from core.errors import Refusal
from core.models import IdempotentRequest

MAX_KEY_LENGTH = 64


class IdempotencyConflict(Refusal):
    """The key was used before by this caller for a different request."""

    status_code = 409


@dataclass
class Claim:
    """A claimed key: `earlier` is the first result's id when this is a replay."""

    row: IdempotentRequest | None
    earlier: int | None = None

    @property
    def is_replay(self) -> bool:
        return self.earlier is not None

    def complete(self, result_id: int) -> None:
        """Record what the step produced (in the step's transaction)."""
        if self.row is not None:
            self.row.result_id = result_id
            self.row.save(update_fields=["result_id"])


def fingerprint(request: dict) -> str:
    """Return a digest of what was asked, the same for the same request whatever its order."""

    def plain(value):
        if isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        return str(value)

    text = json.dumps(request, sort_keys=True, default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_claim(*, user: AbstractBaseUser, operation: str, key: str, request: dict) -> Claim:
    """Claim `key` for `user` and `operation` (inside the step's transaction, after the
    permission check); return a replay's earlier result, or a claim to complete.

    Without a key every call is a new step.
    """
    if not key:
        return Claim(row=None)
    if not connection.in_atomic_block:
        raise RuntimeError("Claim an idempotency key in the transaction of the step it guards.")
    digest = fingerprint(request)
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(
                user=user, operation=operation, key=key, fingerprint=digest
            )
        return Claim(row=row)
    except IntegrityError:
        # The key is taken: by a committed request (a twin blocked on the unique index until
        # it committed), so the row is complete and can be replayed or refused.
        row = IdempotentRequest.objects.get(user=user, operation=operation, key=key)
    if row.fingerprint != digest or row.result_id is None:
        raise IdempotencyConflict(
            gettext(
                "This Idempotency-Key was already used for a different request. Send a new "
                "key for a new request, or repeat the first request unchanged to get its answer."
            )
        )
    return Claim(row=None, earlier=row.result_id)


def idempotency_key(request) -> str:
    """Return the request's Idempotency-Key header; the service claims it for the caller."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_KEY_LENGTH or not key.isascii():
        raise ValidationError(
            {"Idempotency-Key": gettext("Use at most 64 characters, letters, digits and signs.")}
        )
    return key
