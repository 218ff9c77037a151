"""Check, before the platform starts, that its database and broker answer."""

from django.core.management.base import BaseCommand, CommandError

from brokerage.health import broker_status, database_status


class Command(BaseCommand):
    help = "Check that the database and the Celery broker are reachable; one line if not."

    def handle(self, *args, **options):
        problems = []
        database = database_status()
        if database != "ok":
            problems.append(f"database unreachable ({database})")
        broker = broker_status()
        if broker != "ok":
            problems.append(f"Celery broker unreachable ({broker}); check REDIS_URL")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("database and broker reachable")
