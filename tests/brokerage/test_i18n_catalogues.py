"""The message catalogues: every string the site shows has its Japanese, compiled and in step.

None of these tests needs GNU gettext: the catalogues are read with polib, and the strings
marked for translation are found with Django's own template scanner and Python's parser.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from brokerage.management.commands.compile_translations import (
    catalogue_files,
    stale_translations,
)
from core.processes import ROOT
from tests.kit.catalogues import JAPANESE, PERCENT_FORMAT

ENGLISH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
SOURCE_PACKAGES = ("brokerage", "members", "orders", "capabilities")
GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}
BRACE_FORMAT = re.compile(r"\{\w*\}")
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u?'(?:[^'\\]|\\.)*'\s*,?\s*)+)")
TEMPLATE_LITERAL = re.compile(r"u?'(?:[^'\\]|\\.)*'")


def japanese() -> polib.POFile:
    return polib.pofile(str(JAPANESE))


def msgstrs(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def strings_marked_in_python() -> set[str]:
    """Return the literal strings passed to gettext functions in the apps' Python code."""
    found = set()
    for package in SOURCE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in GETTEXT_FUNCTIONS or not node.args:
                    continue
                # pgettext's first argument is the context; the message comes after it.
                message = node.args[1] if name.startswith("p") and len(node.args) > 1 else None
                message = message or node.args[0]
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    found.add(message.value)
    return found


def strings_marked_in_templates() -> set[str]:
    """Return the msgids of {% translate %} and {% blocktranslate %}, as makemessages sees them."""
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        code = templatize(path.read_text(), origin=str(path))
        for call in TEMPLATE_CALL.finditer(code):
            literals = [ast.literal_eval(text) for text in TEMPLATE_LITERAL.findall(call.group(2))]
            # pgettext's first literal is the context; ngettext's two are singular and plural.
            found.add(literals[1] if call.group(1).startswith("p") else literals[0])
    return found


def test_every_japanese_entry_has_a_translation_and_none_is_fuzzy():
    # Given the Japanese catalogue
    catalogue = japanese()
    # Then every entry has its Japanese, and no guess of makemessages is left to check
    missing = [entry.msgid for entry in catalogue if not all(msgstrs(entry))]
    fuzzy = [entry.msgid for entry in catalogue if entry.fuzzy]
    assert not missing, f"{len(missing)} entries without Japanese: {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries: {fuzzy[:10]}"
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=1;")


def test_every_translation_keeps_the_placeholders_of_its_source():
    # Given the Japanese catalogue, in which strings are filled with % or with str.format
    problems = []
    for entry in japanese():
        for text in msgstrs(entry):
            # Then a translation has the same placeholders as its source (in any order)
            if "python-brace-format" in entry.flags:
                expected, got = BRACE_FORMAT.findall(entry.msgid), BRACE_FORMAT.findall(text)
            elif "python-format" in entry.flags:
                source = entry.msgid_plural or entry.msgid
                expected = PERCENT_FORMAT.findall(source)
                got = PERCENT_FORMAT.findall(text)
                if entry.msgid_plural:
                    # One Japanese form stands for both: "%(count)s" may be all it needs.
                    expected, got = set(expected), set(got)
            else:
                continue
            if sorted(expected) != sorted(got):
                problems.append((entry.msgid, text))
    assert not problems, problems[:10]


def test_every_string_marked_in_the_code_and_templates_is_in_the_japanese_catalogue():
    # Given the strings the code and templates mark for translation
    marked = strings_marked_in_python() | strings_marked_in_templates()
    # When they are looked up in the Japanese catalogue
    translated = {entry.msgid for entry in japanese().translated_entries()}
    # Then each has its translation: nobody forgot makemessages after adding a string
    missing = sorted(marked - translated)
    assert not missing, (
        f"{len(missing)} marked strings are not translated: {missing[:10]}. Run "
        "`manage.py makemessages -l ja -l en --ignore=.venv --ignore=var --ignore=tests "
        "--ignore=bench --no-obsolete --add-location=file` and translate them."
    )


def test_both_languages_have_a_catalogue():
    assert {path.parent.parent.name for path in catalogue_files()} == {"ja", "en"}
    assert [code for code, _name in settings.LANGUAGES] == ["ja", "en"]
    # English is the source language: its catalogue lists the strings and translates none.
    assert not polib.pofile(str(ENGLISH)).translated_entries()


@pytest.mark.parametrize("po_path", [JAPANESE, ENGLISH], ids=["ja", "en"])
def test_the_committed_mo_file_says_what_its_po_file_says(po_path: Path):
    # Given a .po file and the .mo file committed beside it (Django reads only the .mo)
    # Then they hold the same translations
    stale = stale_translations(po_path)
    assert not stale, (
        f"{po_path.with_suffix('.mo').relative_to(ROOT)} is out of date for {len(stale)} "
        f"entries, e.g. {next(iter(stale))!r}: run `python manage.py compile_translations`."
    )
