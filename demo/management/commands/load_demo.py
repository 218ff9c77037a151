"""Load the demo networks, firms, people, customers and requests."""

import time

from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load the four demo networks with their firms, accounts, customers and requests. "
        "Safe to run again: it creates what is missing and corrects what differs."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        report = demo_load()
        elapsed = time.monotonic() - started
        for label, declared in report.declared.items():
            changes = ", ".join(
                f"{count} {verb}"
                for verb, count in (
                    ("created", report.created[label]),
                    ("updated", report.updated[label]),
                    ("deleted", report.deleted[label]),
                )
                if count
            )
            self.stdout.write(f"  {label}: {declared}" + (f" ({changes})" if changes else ""))
        verdict = (
            f"{report.changed_rows} rows written" if report.changed_rows else "already up to date"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s: {verdict}.")
            + f" Every demo account's password is {DEMO_PASSWORD!r}."
        )
