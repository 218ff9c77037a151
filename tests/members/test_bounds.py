"""The one sane date range and amount cap, and that every input uses their fields."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from core.bounds import (
    EARLIEST_DATE,
    EARLIEST_HISTORY_DATE,
    LATEST_DATE,
    MAX_AMOUNT,
    AmountField,
    AmountFormField,
    BoundedDateField,
    BoundedDateFormField,
    BoundedDateTimeField,
    BoundedDateTimeFormField,
)

APPS = ("members", "capabilities", "orders", "brokerage")
# Modules with no input fields that may not be imported in a test: production settings
# refuse to load without their secrets.
SKIPPED_MODULES = (".migrations", ".management", ".settings")
in_range = st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE)
out_of_range = st.dates(max_value=EARLIEST_DATE - datetime.timedelta(days=1)) | st.dates(
    min_value=LATEST_DATE + datetime.timedelta(days=1)
)
times = st.times()


def api_accepts(field: serializers.Field, value: str) -> bool:
    try:
        field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


def form_accepts(field: forms.Field, value: str) -> bool:
    try:
        field.clean(value)
    except forms.ValidationError:
        return False
    return True


@given(day=in_range)
def test_any_day_in_the_range_is_accepted(day):
    assert api_accepts(BoundedDateField(), day.isoformat())
    assert form_accepts(BoundedDateFormField(), day.isoformat())


@given(day=out_of_range)
def test_any_day_outside_the_range_is_refused(day):
    assert not api_accepts(BoundedDateField(), day.isoformat())
    assert not form_accepts(BoundedDateFormField(), day.isoformat())


@given(day=in_range, time=times)
def test_any_moment_in_the_range_is_accepted_written_in_any_zone(day, time):
    moment = datetime.datetime.combine(day, time)
    for written in (moment.isoformat(), f"{moment.isoformat()}+09:00", f"{moment.isoformat()}Z"):
        assert api_accepts(BoundedDateTimeField(), written), written
    assert form_accepts(BoundedDateTimeFormField(), moment.strftime("%Y-%m-%d %H:%M"))


@given(day=out_of_range, time=times)
def test_any_moment_outside_the_range_is_refused_written_in_any_zone(day, time):
    moment = datetime.datetime.combine(day, time)
    for written in (moment.isoformat(), f"{moment.isoformat()}+09:00", f"{moment.isoformat()}Z"):
        assert not api_accepts(BoundedDateTimeField(), written), written
    assert not form_accepts(BoundedDateTimeFormField(), moment.strftime("%Y-%m-%d %H:%M"))


def test_what_has_happened_is_not_in_the_future_and_history_may_be_older(clock):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    soon = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    assert not api_accepts(BoundedDateTimeField(past_only=True), soon)
    assert api_accepts(BoundedDateTimeField(), soon)
    assert not form_accepts(BoundedDateFormField(past_only=True), tomorrow.isoformat())
    assert api_accepts(BoundedDateField(history=True), "1985-04-01")
    assert not api_accepts(BoundedDateField(history=True), tomorrow.isoformat())
    before_history = EARLIEST_HISTORY_DATE - datetime.timedelta(days=1)
    assert not api_accepts(BoundedDateField(history=True), before_history.isoformat())


@given(amount=st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_any_amount_up_to_the_cap_is_accepted(amount):
    assert api_accepts(AmountField(), amount)
    assert form_accepts(AmountFormField(), str(amount))


@given(amount=st.integers(min_value=MAX_AMOUNT + 1))
def test_any_amount_above_the_cap_is_refused_with_the_cap_in_the_message(amount):
    with pytest.raises(serializers.ValidationError, match="9,999,999,999"):
        AmountField().run_validation(amount)
    with pytest.raises(forms.ValidationError, match="9,999,999,999"):
        AmountFormField().clean(str(amount))


# --- No input can forget the bounds ---------------------------------------------------------


def all_subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


def project_classes(base: type) -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in module.name for part in SKIPPED_MODULES):
                importlib.import_module(module.name)
    return [cls for cls in all_subclasses(base) if cls.__module__.split(".")[0] in APPS]


@pytest.mark.django_db
def test_every_serializer_and_form_takes_dates_only_through_the_bounded_fields():
    unbounded = []
    for serializer in project_classes(serializers.Serializer):
        if serializer.__module__ == "core.bounds":
            continue
        try:
            fields = serializer().fields
        except (AssertionError, TypeError, KeyError):  # needs context to build; declared only
            fields = serializer._declared_fields
        for name, field in fields.items():
            plain_date = isinstance(field, serializers.DateField | serializers.DateTimeField)
            bounded = isinstance(field, BoundedDateField | BoundedDateTimeField)
            if plain_date and not bounded and not field.read_only:
                unbounded.append(f"{serializer.__module__}.{serializer.__name__}.{name}")
    for form in project_classes(forms.BaseForm):
        for name, field in getattr(form, "base_fields", {}).items():
            plain_date = isinstance(field, forms.DateField | forms.DateTimeField)
            bounded = isinstance(field, BoundedDateFormField | BoundedDateTimeFormField)
            if plain_date and not bounded and not field.disabled:
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    assert unbounded == []
