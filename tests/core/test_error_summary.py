"""A refused step's page leads to its errors: a summary at the top links each error to its
field, and the first one is focused, so that a long page opens where it is (no script)."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from core.errors import Refusal, place_refusal
from core.forms import PageForm, error_summary


class TermsForm(PageForm):
    id_prefix = "terms"

    lead_time_days = forms.IntegerField(label="Lead time (days)")
    valid_until = forms.DateField(label="Valid until")


class LineForm(forms.Form):
    description = forms.CharField(label="Description")
    amount = forms.IntegerField(label="Amount")


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if not any(form.cleaned_data.get("amount") for form in self.forms):
            raise forms.ValidationError("An estimate needs an amount.")


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=0)


def lines(*rows: dict) -> dict:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"lines-{index}-{name}": value for name, value in row.items()})
    return data


def test_each_error_links_to_its_field_and_the_first_field_is_focused():
    # Given a form whose second field is wrong, and a formset whose second line is
    terms = TermsForm({"lead_time_days": "5", "valid_until": "not a date"})
    line_formset = LineFormSet(
        lines({"description": "Milling", "amount": "100"}, {"description": "", "amount": "x"}),
        prefix="lines",
    )
    assert not terms.is_valid() and not line_formset.is_valid()
    # When their errors are summed up
    with translation.override("en"):
        summary = error_summary([terms, line_formset], "Please correct what is marked.")
        said = [str(error) for error in summary.errors]
    # Then each error names its field (a line's with its number) and links to its id
    assert summary.text == "Please correct what is marked."
    assert [error.target for error in summary.errors] == [
        "id_terms_valid_until",
        "id_lines-1-description",
        "id_lines-1-amount",
    ]
    assert said[0] == "Valid until: Enter a valid date."
    assert said[1] == "Line 2: Description: This field is required."
    # And only the first wrong field is focused when the page opens
    assert " autofocus " in str(terms["valid_until"])
    assert "autofocus" not in str(terms["lead_time_days"])
    assert "autofocus" not in str(line_formset.forms[1]["description"])


def test_the_summary_is_a_list_of_links_at_the_top_of_the_page_in_the_readers_language():
    # Given a form refused on a Japanese page
    with translation.override("ja"):
        terms = TermsForm({"lead_time_days": "", "valid_until": "2026-01-01"})
        assert not terms.is_valid()
        summary = error_summary([terms], "Please correct what is marked.")
        # When the summary is drawn
        html = render_to_string("includes/problem.html", {"problem": summary})
    # Then it links to the field, names it and says what to do in Japanese
    assert 'role="alert"' in html
    assert '<a href="#id_terms_lead_time_days">Lead time (days)\uff1a' in html
    assert "この項目は必須です。" in html


@pytest.mark.parametrize("field", [None, "not_a_field"])
def test_a_refusal_about_no_field_links_to_its_forms_errors_which_are_focused(field):
    # Given a valid form the step refused as a whole
    terms = TermsForm({"lead_time_days": "5", "valid_until": "2026-01-01"})
    assert terms.is_valid()
    place_refusal(terms, Refusal("This request is closed.", field=field))
    # When the refusal is summed up
    summary = error_summary([terms])
    # Then it links to the form's errors, which the page focuses
    [error] = summary.errors
    assert (str(error), error.target) == ("This request is closed.", "id_terms_errors")
    html = render_to_string("includes/form_errors.html", {"form": terms})
    assert 'id="id_terms_errors" tabindex="-1" autofocus' in html


def test_an_error_about_a_whole_formset_leads_to_its_first_field():
    # Given lines that are each valid but together refused
    line_formset = LineFormSet(
        lines({"description": "Milling", "amount": "0"}, {"description": "Tapping", "amount": "0"}),
        prefix="lines",
    )
    assert not line_formset.is_valid()
    # When it is summed up
    summary = error_summary([line_formset])
    # Then the error leads to the first line's first field, which the page focuses
    [error] = summary.errors
    assert (str(error), error.target) == ("An estimate needs an amount.", "id_lines-0-description")
    assert " autofocus " in str(line_formset.forms[0]["description"])
