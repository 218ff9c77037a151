"""Rows named in both Japanese and English show the name of the active language."""

from django.utils import translation


class BilingualNameMixin:
    """Give a model with `name_ja` and `name_en` a `name` in the active language."""

    @property
    def name(self) -> str:
        if (translation.get_language() or "ja").startswith("en"):
            return self.name_en or self.name_ja
        return self.name_ja or self.name_en

    def __str__(self) -> str:
        return self.name
