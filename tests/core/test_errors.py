"""One error type for refusals: its kind decides the status, its field where it is shown."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError

from brokerage.api.errors import exception_handler
from core.errors import InvalidTransition, NotAllowed, Refusal, RefusalKind, place_refusal
from orders.drawings import DrawingRejected

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (Refusal("Enter a title."), 400),
        (Refusal("No such firm.", kind=RefusalKind.NOT_FOUND), 404),
        (NotAllowed("Only the office may."), 403),
        (InvalidTransition("The request is closed."), 409),
        (DrawingRejected("“a.pdf” is empty."), 400),
    ],
)
def test_a_refusal_answers_its_kinds_status_in_the_one_error_shape(refusal, status):
    answer = exception_handler(refusal, {})
    assert answer.status_code == status
    assert str(refusal) in str(answer.data)


def test_a_refusal_about_a_field_names_it_beside_the_detail():
    # The shape of every refusal about fields: `detail` points at them.
    answer = exception_handler(DrawingRejected("“a.pdf” is empty."), {})
    assert answer.data == {"detail": "Correct the fields marked.", "file": ["“a.pdf” is empty."]}


def test_djangos_validation_error_is_answered_as_a_refusal_of_fields():
    answer = exception_handler(ValidationError({"title": ["Enter a title."]}), {})
    assert answer.status_code == 400
    assert answer.data == {"detail": "Correct the fields marked.", "title": ["Enter a title."]}


class TitleForm(forms.Form):
    title = forms.CharField(required=False)


def test_a_page_puts_a_refusal_on_the_field_it_names_else_on_the_whole_form():
    form = TitleForm(data={})
    form.is_valid()
    place_refusal(form, Refusal("Too long.", field="title"))
    place_refusal(form, Refusal("Closed."))
    place_refusal(form, ValidationError({"title": ["Taken."], "other": ["Elsewhere."]}))
    assert form.errors["title"] == ["Too long.", "Taken."]
    assert form.non_field_errors() == ["Closed.", "Elsewhere."]


def service_modules() -> list[Path]:
    """Every module of writes: each app's services, and the sign-up that registers customers."""
    return sorted(
        [
            *ROOT.glob("*/services.py"),
            *ROOT.glob("*/services/*.py"),
            ROOT / "members" / "signup.py",
            ROOT / "members" / "notifications.py",
        ]
    )


def raises_of_validation_error(source: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            called = node.exc.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name == "ValidationError":
                lines.append(node.lineno)
    return lines


def test_services_refuse_with_the_one_error_type_never_djangos_validation_error():
    # Given every service module
    modules = service_modules()
    assert len(modules) > 20  # the glob found the apps' services
    # Then none raises Django's ValidationError itself: a refusal is a core.errors.Refusal
    found = {
        str(module.relative_to(ROOT)): lines
        for module in modules
        if (lines := raises_of_validation_error(module))
    }
    assert found == {}


def test_the_check_finds_a_service_that_raises_djangos_validation_error(tmp_path):
    source = tmp_path / "services.py"
    source.write_text(
        "from django.core.exceptions import ValidationError\n"
        "def thing_do():\n"
        "    raise ValidationError({'field': 'no'})\n"
    )
    assert raises_of_validation_error(source) == [3]
