"""What a date or an amount may be when it enters: the one definition, and its fields.

Every date and date-time that a person or a client types is between `EARLIEST_DATE` and
`LATEST_DATE` (a time is read as the day it falls on in UTC); a thing that has happened,
such as a payment received, is also not in the future; a fact of a firm's history (a
capability held since) goes back to `EARLIEST_HISTORY_DATE` and is never in the future.
Every amount of yen is at most `MAX_AMOUNT`: the largest that the ledger, the qualified
invoice and the Zengin transfer file (ten digits per transfer) can all carry.

Outside the range a value is refused with a clear 400 (a form error on a page) before any
arithmetic on it: year 1 or 9999 used to overflow the time-zone conversion and the
period arithmetic into a 500, and showed the local mean time of Asia/Tokyo (+09:18:59).

Serializers and forms take dates and amounts only through the field classes below (a
test fails on any other date field), so a new input cannot forget the bounds.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from rest_framework import serializers

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# A fact of a firm's past (since when it has a capability) may be older than the
# platform, as old as the oldest founding year a firm may have; it is never in the future.
EARLIEST_HISTORY_DATE = datetime.date(1600, 1, 1)
# The most pieces a request or delivery asks for: beyond any prototype or production run.
MAX_QUANTITY = 10_000_000
MAX_AMOUNT = 9_999_999_999  # ¥9,999,999,999: a Zengin transfer's ten digits


def out_of_range_message(*, history: bool = False) -> str:
    return gettext("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": (EARLIEST_HISTORY_DATE if history else EARLIEST_DATE).isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def too_large_message() -> str:
    return gettext("An amount is at most ¥%(max)s.") % {"max": f"{MAX_AMOUNT:,}"}


# Field error messages are set when the fields are declared, and read in the reader's
# language when a value is refused.
too_large_lazy = lazy(too_large_message, str)


def date_refusal(
    value: datetime.date | datetime.datetime, *, past_only: bool = False, history: bool = False
) -> str | None:
    """Return why `value` is refused (a translatable message), or None if it is within range.

    A date-time is judged by its day as written (in its own zone; a naive one is read in
    the current zone when it is parsed), so that 2000-01-01T00:00 in Tokyo is in range.
    """
    day = value.date() if isinstance(value, datetime.datetime) else value
    earliest = EARLIEST_HISTORY_DATE if history else EARLIEST_DATE
    if not earliest <= day <= LATEST_DATE:
        return out_of_range_message(history=history)
    if past_only or history:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            in_future = value > timezone.now()
        else:
            in_future = day > timezone.localdate()
        if in_future:
            return gettext("This cannot be in the future.")
    return None


def amount_refusal(value: int) -> str | None:
    """Return why an amount of yen is refused for being too large, or None."""
    if value > MAX_AMOUNT:
        return too_large_message()
    return None


# --- API (DRF) fields ---------------------------------------------------------------------


class BoundedDateField(serializers.DateField):
    """A date within the sane range; `past_only` also refuses a day after today."""

    def __init__(self, *args, past_only: bool = False, history: bool = False, **kwargs):
        self.past_only = past_only
        self.history = history
        super().__init__(*args, **kwargs)

    def to_internal_value(self, value):
        try:
            day = super().to_internal_value(value)
        except (OverflowError, ValueError):
            self.fail("invalid", format="YYYY-MM-DD")
        refusal = date_refusal(day, past_only=self.past_only, history=self.history)
        if refusal:
            raise serializers.ValidationError(refusal)
        return day


class BoundedDateTimeField(serializers.DateTimeField):
    """A date-time within the sane range; `past_only` also refuses a moment after now."""

    def __init__(self, *args, past_only: bool = False, **kwargs):
        self.past_only = past_only
        super().__init__(*args, **kwargs)

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except (OverflowError, ValueError):
            raise serializers.ValidationError(out_of_range_message()) from None
        refusal = date_refusal(moment, past_only=self.past_only)
        if refusal:
            raise serializers.ValidationError(refusal)
        return moment

    def enforce_timezone(self, value):
        # Year 1 or 9999 in the local zone can overflow the conversion itself; refuse
        # the value before it is converted (to_internal_value turns this into a 400).
        refusal = date_refusal(value)
        if refusal:
            raise serializers.ValidationError(refusal)
        return super().enforce_timezone(value)


class AmountField(serializers.IntegerField):
    """Yen, from `min_value` (default ¥1) to `MAX_AMOUNT`."""

    def __init__(self, *args, min_value: int = 1, **kwargs):
        kwargs.setdefault("help_text", f"Yen, at most {MAX_AMOUNT:,}.")
        kwargs["error_messages"] = {
            "max_value": too_large_lazy(),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(*args, min_value=min_value, max_value=MAX_AMOUNT, **kwargs)


# --- Page (Django form) fields ----------------------------------------------------------


def _refuse_out_of_range(value, *, past_only: bool, history: bool = False) -> None:
    if value is None:
        return
    refusal = date_refusal(value, past_only=past_only, history=history)
    if refusal:
        raise ValidationError(refusal, code="out_of_range")


class BoundedDateFormField(forms.DateField):
    """A page's date within the sane range; `past_only` also refuses a day after today."""

    def __init__(self, *args, past_only: bool = False, history: bool = False, **kwargs):
        self.past_only = past_only
        self.history = history
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        _refuse_out_of_range(value, past_only=self.past_only, history=self.history)


class BoundedDateTimeFormField(forms.DateTimeField):
    """A page's date and time within the sane range; `past_only`: not after now."""

    def __init__(self, *args, past_only: bool = False, **kwargs):
        self.past_only = past_only
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            moment = super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return moment

    def validate(self, value):
        super().validate(value)
        _refuse_out_of_range(value, past_only=self.past_only)


class AmountFormField(forms.IntegerField):
    """A page's amount of yen, from `min_value` (default ¥1) to `MAX_AMOUNT`."""

    def __init__(self, *args, min_value: int = 1, **kwargs):
        kwargs["error_messages"] = {
            "max_value": too_large_lazy(),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(*args, min_value=min_value, max_value=MAX_AMOUNT, **kwargs)
