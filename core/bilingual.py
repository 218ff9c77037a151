"""Rows named in both Japanese and English show the name of the active language."""

from django.utils import translation
from django.utils.functional import lazy


class BilingualNameMixin:
    """Give a model with `name_ja` and `name_en` a `name` in the active language."""

    @property
    def name(self) -> str:
        if (translation.get_language() or "ja").startswith("en"):
            return self.name_en or self.name_ja
        return self.name_ja or self.name_en

    def __str__(self) -> str:
        return self.name


def _name_now(row: BilingualNameMixin) -> str:
    return row.name


# A row's name said when the text is read, not when it is made: a notification's context
# is formatted once per recipient inside that recipient's language.
name_said_to_each = lazy(_name_now, str)
