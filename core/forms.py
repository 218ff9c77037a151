"""Form pieces every page uses: a number pad on phones, several files in one input, and
forms that share a page without their ids clashing."""

from django import forms
from django.core.exceptions import ValidationError

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
