"""Write the capability taxonomy as CSV, in the format import_capabilities reads."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from capabilities.csv_exchange import write_taxonomy
from capabilities.selectors import capability_list


class Command(BaseCommand):
    help = "Export the capability taxonomy as CSV (to a file, or to standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, nargs="?", help="Where to write; - for stdout.")

    def handle(self, *args, path: Path | None, **options):
        if path is None or str(path) == "-":
            write_taxonomy(capability_list(), sys.stdout)
            return
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            write_taxonomy(capability_list(), stream)
        self.stderr.write(f"wrote {path}")
