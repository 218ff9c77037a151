"""One error type for refusals: its kind decides the status, its field where it is shown."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from brokerage.api.errors import exception_handler
from core.errors import InvalidTransition, NotAllowed, Refusal, RefusalKind, place_refusal
from orders.drawings import DrawingRejected


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
