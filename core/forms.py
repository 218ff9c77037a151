"""Form pieces every page uses: a number pad on phones, several files in one input, forms
that share a page without their ids clashing, and the summary of a sent form's errors that
leads to each of them."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Phones show a number pad for these instead of a full keyboard.
NUMBER_PAD = {"inputmode": "numeric", "pattern": "[0-9]*"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files at once and cleans them into a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [item for item in files if item]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PageForm(forms.Form):
    """A form that shares its page with others: its ids carry its own prefix, never clash."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class FormError:
    """One error of a sent form: what it says, and the id of the element it is about."""

    label: str
    message: str
    target: str

    def __str__(self) -> str:
        if not self.label:
            return str(self.message)
        return _("%(label)s: %(message)s") % {"label": self.label, "message": self.message}


@dataclass(frozen=True)
class ErrorSummary:
    """What a page says at its top when a step is refused: each error of the sent forms as
    a link to its field (or to its form's errors), so that a long page leads to them."""

    text: str
    errors: tuple[FormError, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text or self.errors)

    def __str__(self) -> str:
        return " ".join([self.text, *map(str, self.errors)]).strip()


def errors_box_id(form) -> str:
    """Return the id of the box that shows a form's errors about no one field."""
    auto_id = form.auto_id if isinstance(form.auto_id, str) and "%s" in form.auto_id else "%s"
    return auto_id % form.add_prefix("errors")


def _forms_of(form_or_formset) -> list:
    return list(getattr(form_or_formset, "forms", [form_or_formset]))


def form_errors(forms) -> list[FormError]:
    """Return the errors of the sent forms (and formsets' forms), in their order."""
    found = []
    for sent in forms:
        # A formset's errors about it as a whole are shown just above its first field.
        for message in getattr(sent, "non_form_errors", list)():
            fields = [field for form in sent.forms for field in form.visible_fields()]
            found.append(FormError("", message, fields[0].id_for_label if fields else ""))
        for number, form in enumerate(_forms_of(sent), start=1):
            in_formset = form is not sent
            for message in form.non_field_errors():
                found.append(FormError("", message, errors_box_id(form)))
            for field in form:
                if not field.errors:
                    continue
                label = str(field.label)
                if in_formset:
                    label = _("Line %(number)s: %(label)s") % {"number": number, "label": label}
                # A hidden field has nothing on the page to go to.
                target = "" if field.is_hidden else field.id_for_label
                found.extend(FormError(label, message, target) for message in field.errors)
    return found


def error_summary(forms, text: str = "") -> ErrorSummary:
    """Return the summary of the sent forms' errors, and have the browser go to the first.

    The first error's field gets `autofocus` (its form's errors box, for an error about no
    one field), so that the page opens scrolled to it, without any script.
    """
    forms = list(forms)
    errors = form_errors(forms)
    _focus(forms, next((error.target for error in errors if error.target), ""))
    return ErrorSummary(text=text, errors=tuple(errors))


def _focus(forms, target: str) -> None:
    if not target:
        return
    for form in (form for sent in forms for form in _forms_of(sent)):
        if errors_box_id(form) == target:
            form.errors_box_focused = True
            return
        for field in form:
            if field.id_for_label == target:
                field.field.widget.attrs["autofocus"] = True
                return
