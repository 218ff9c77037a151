"""Load firms' capability profiles from a CSV file: every row, or none if any row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.csv_exchange import CsvImportError, decode, parse_profiles
from capabilities.services import firm_capabilities_import
from members.models import Network


class Command(BaseCommand):
    help = (
        "Import firms' capability profiles from CSV (firm_id or firm_name, capability, grade, "
        "…). With --network, every firm must be one of the network's active members."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8 or Shift_JIS).")
        parser.add_argument("--network", help="Only the members of this network (its slug).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove capabilities the file does not list for the firms it names.",
        )

    def handle(self, *args, path: Path, network: str | None, replace: bool, **options):
        scope = None
        if network:
            scope = Network.objects.filter(slug=network).first()
            if scope is None:
                raise CommandError(f"no network with slug {network!r}")
        try:
            rows = parse_profiles(decode(path.read_bytes()), network=scope)
            summary = firm_capabilities_import(rows=rows, replace=replace)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except CsvImportError as error:
            raise CommandError(
                "nothing imported:\n" + "\n".join(str(problem) for problem in error.problems)
            ) from None
        self.stdout.write(
            f"imported {summary['rows']} rows for {summary['firms']} firms: "
            f"{summary['changes']} changes, {summary['removed']} removed"
        )
