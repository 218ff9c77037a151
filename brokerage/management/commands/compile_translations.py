"""Compile the message catalogues (locale/*/LC_MESSAGES/django.po) into .mo files.

The compiled .mo files are committed next to their .po files, so that `make run`, CI and
the Docker image serve both languages with nothing but Python: neither GNU gettext nor
polib is needed to run the platform. This command does what `compilemessages` does, with
polib instead of gettext's msgfmt, so that a translator without gettext can compile too;
tests/brokerage/test_i18n_catalogues.py fails when a committed .mo lags behind its .po.

Extracting new strings (`makemessages`) still needs GNU gettext, as Django's does.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

CatalogueKey = tuple[str | None, str, str | None]


def catalogue_files() -> list[Path]:
    """Return every django.po under the project's LOCALE_PATHS."""
    return sorted(
        po_path
        for folder in settings.LOCALE_PATHS
        for po_path in Path(folder).glob("*/LC_MESSAGES/django.po")
    )


def translations_of(catalogue) -> dict[CatalogueKey, tuple[str, ...]]:
    """Return what a catalogue (.po or .mo) translates: fuzzy and empty entries say nothing."""
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural or None): (
            tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else (entry.msgstr,)
        )
        for entry in catalogue.translated_entries()
    }


def stale_translations(po_path: Path) -> dict[CatalogueKey, tuple]:
    """Return the entries whose compiled .mo disagrees with the .po: (in .po, in .mo)."""
    mo_path = po_path.with_suffix(".mo")
    source = translations_of(polib.pofile(str(po_path)))
    compiled = translations_of(polib.mofile(str(mo_path))) if mo_path.exists() else {}
    return {
        key: (source.get(key), compiled.get(key))
        for key in source.keys() | compiled.keys()
        if source.get(key) != compiled.get(key)
    }


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po into .mo files with polib (no gettext)."

    def handle(self, *args, **options):
        for po_path in catalogue_files():
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(
                f"{po_path.parent.parent.name}: {len(catalogue.translated_entries())} "
                f"of {len(catalogue)} entries translated"
            )
