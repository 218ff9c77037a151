"""Write firms' capability profiles as CSV, in the format import_firm_capabilities reads."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.csv_exchange import write_profiles
from capabilities.selectors import firm_capability_list_all, firm_capability_list_for_network
from members.models import Network


class Command(BaseCommand):
    help = "Export firms' capability profiles as CSV (all firms, or one network's members)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, nargs="?", help="Where to write; - for stdout.")
        parser.add_argument("--network", help="Only the members of this network (its slug).")

    def handle(self, *args, path: Path | None, network: str | None, **options):
        items = firm_capability_list_all()
        if network:
            scope = Network.objects.filter(slug=network).first()
            if scope is None:
                raise CommandError(f"no network with slug {network!r}")
            items = firm_capability_list_for_network(network=scope)
        if path is None or str(path) == "-":
            write_profiles(items, sys.stdout)
            return
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            write_profiles(items, stream)
        self.stderr.write(f"wrote {path}")
