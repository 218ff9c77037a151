"""Load taxonomy nodes from a CSV file: every row, or none if any row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.csv_exchange import CsvImportError, decode, parse_taxonomy
from capabilities.services import capabilities_import


class Command(BaseCommand):
    help = "Import capability taxonomy nodes from CSV (code, kind, parent, name_ja, name_en, …)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8 or Shift_JIS).")

    def handle(self, *args, path: Path, **options):
        try:
            summary = capabilities_import(rows=parse_taxonomy(decode(path.read_bytes())))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except CsvImportError as error:
            raise CommandError(
                "nothing imported:\n" + "\n".join(str(problem) for problem in error.problems)
            ) from None
        self.stdout.write(
            f"imported {summary['rows']} rows: {summary['created']} new, "
            f"{summary['updated']} changed"
        )
