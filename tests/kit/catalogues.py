"""The message catalogues, as the i18n tests read them, and what the site says in a language."""

import html
import re
from functools import cache

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

JAPANESE = settings.BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# %(name)s, %s, %d, %r … and %%: what Python's % operator reads in a string.
PERCENT_FORMAT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxo%]")
# Shorter English strings ("Teams", "Log in") are also words of the data a page shows.
SHORTEST_TELLING_TEXT = 12


def literal_pieces(entry: polib.POEntry, text: str) -> list[str]:
    """Return the literal text of a catalogue string, in pieces cut at its placeholders."""
    if "python-format" in entry.flags:
        marked = PERCENT_FORMAT.sub(lambda match: "%" if match[0] == "%%" else "\0", text)
    elif "python-brace-format" in entry.flags:
        marked = re.sub(r"\{\w*\}", "\0", text)
    else:
        marked = text
    return marked.split("\0")


@cache
def english_shown_untranslated() -> tuple[re.Pattern, ...]:
    """Return patterns that find, in the text a page shows, the English the Japanese
    catalogue translates: each string of 12 characters or more (placeholders left out) that
    its translation changes and does not keep, as it reads once rendered (tags dropped,
    entities decoded, runs of white space as one space), its placeholders standing for any
    text on the same line.
    """
    patterns = set()
    for entry in polib.pofile(str(JAPANESE)).translated_entries():
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            if source in (entry.msgstr, *entry.msgstr_plural.values()):
                continue
            rendered = html.unescape(re.sub(r"<[^>]+>", "", " ".join(source.split())))
            pieces = literal_pieces(entry, rendered.strip())
            if len("".join(pieces).strip()) < SHORTEST_TELLING_TEXT:
                continue
            pattern = r"[^\n]+?".join(re.escape(piece) for piece in pieces)
            pattern = rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"
            # Japanese that keeps the English words ("Zengin (全銀)") shows them rightly.
            translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            if not any(re.search(pattern, text) for text in translations):
                patterns.add(pattern)
    return tuple(re.compile(pattern) for pattern in sorted(patterns))


def words(language: str, text: str, **values) -> str:
    """Return what the site says for `text` in the language (from the same catalogues)."""
    with translation.override(language):
        said = gettext(text)
        return said % values if values else said


def counted(language: str, singular: str, plural: str, count: int) -> str:
    """Return what the site says for a count (`%(count)s` in the text) in the language."""
    with translation.override(language):
        return ngettext(singular, plural, count) % {"count": count}
