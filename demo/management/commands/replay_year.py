"""Replay a year of a demo network through the real services and compare it with the studies."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.replay import ReplayRefused, replay_network
from demo.replay.figures import Comparison, compare_with_study
from demo.replay.markers import replay_exists
from demo.replay.shapes import SHAPES
from members.models import Network

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Replay a year of a network (or of every studied network) through the real services "
        "on a simulated clock, then print its figures beside the studies'. A network is "
        "replayed at most once per database: its payments are in the append-only ledger."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--network", help="The network's slug.")
        which.add_argument("--all", action="store_true", help="Every network a study describes.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same year (default 1).")
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            help="Replay the 365 days before this date (default: up to now).",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Replay this fraction of the year's volume (default 1: the whole year).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail (exit status 1) if a figure falls outside the study's range.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip a network replayed already instead of failing (for `make run`).",
        )

    def handle(self, *args, **options):
        slugs = sorted(SHAPES) if options["all"] else [options["network"]]
        networks = {n.slug: n for n in Network.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in networks]
        if missing:
            raise CommandError(
                f"No network {', '.join(missing)} here: load the demo first (manage.py load_demo)."
            )
        until = self.until(options["until"])
        outside = []
        for slug in slugs:
            network = networks[slug]
            if options["if_empty"] and replay_exists(network):
                self.stdout.write(f"{slug}: replayed already, skipped.")
                continue
            comparisons = self.replay(
                network, seed=options["seed"], until=until, scale=options["scale"]
            )
            outside += [f"{slug}: {row.figure.label}" for row in comparisons if not row.within]
        if options["check"] and outside:
            raise CommandError("Outside the studies' ranges: " + "; ".join(outside))

    def until(self, day: datetime.date | None) -> datetime.datetime:
        if day is None:
            return timezone.now()
        return datetime.datetime.combine(
            day, datetime.time(0, 0), tzinfo=timezone.get_default_timezone()
        )

    def replay(
        self, network: Network, *, seed: int, until: datetime.datetime, scale: float
    ) -> list[Comparison]:
        """Replay one network, print its figures beside the study's, and return them."""
        started_cpu = time.process_time()
        try:
            outcome = replay_network(
                network,
                seed=seed,
                until=until,
                scale=scale,
                progress=self.progress_printer(network.slug),
            )
        except ReplayRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        cpu = time.process_time() - started_cpu
        self.end_progress()
        tally = outcome.tally
        self.stdout.write(
            self.style.SUCCESS(
                f"{network.slug}: replayed {outcome.start:%Y-%m-%d} to {outcome.end:%Y-%m-%d} "
                f"(seed {seed}) in {outcome.seconds:.1f} s ({cpu:.1f} s CPU): "
                f"{tally.requests} requests, {tally.orders} orders, {tally.payments} payments, "
                f"{tally.payouts} payouts, {tally.deadlines_fired} deadlines fired or "
                f"cancelled, {tally.steps} steps."
            )
        )
        for refusal, count in sorted(outcome.refusals.items()):
            self.stdout.write(self.style.WARNING(f"  refused {count} times: {refusal}"))
        figures, comparisons = compare_with_study(
            network, since=outcome.start, until=outcome.end, scale=scale
        )
        self.stdout.write(f"  {'figure':<48} {'study':<32} {'replay':>14}")
        for row in comparisons:
            mark = self.style.SUCCESS("✓") if row.within else self.style.ERROR("✗")
            self.stdout.write(
                f"  {row.figure.label:<48} {row.figure.study:<32} {row.value_text:>14} {mark}"
            )
        times = figures.estimate_times
        share = "-" if times.share_in_window is None else f"{times.share_in_window:.0%}"
        self.stdout.write(
            f"  also: {figures.orders} signed ({figures.conversion or 0:.1%}), "
            f"{share} of estimates within {times.window_minutes} min, "
            f"¥{figures.revenue.to_members:,} to members, "
            f"{figures.directory_contacts} direct contacts, {len(figures.skills)} skills learned"
        )
        for stage in times.stages:
            kept = "-" if stage.share_kept is None else f"{stage.share_kept:.0%}"
            median = "-" if stage.median_minutes is None else f"{stage.median_minutes:,.0f} min"
            self.stdout.write(
                f"  stage {stage.stage} (by the {stage.due_by}): {kept} kept on time, "
                f"{stage.kept} kept and {stage.breached} breached of {stage.started}, "
                f"median {median}"
            )
        for group in figures.groups:
            self.stdout.write(
                f"  group {group.name}: {group.wins} wins of {group.proposed} proposals"
            )
        return comparisons

    def progress_printer(self, slug: str):
        """Return the replay's progress callback: a bar on a terminal, lines otherwise."""
        interactive = self.stdout.isatty()
        self._progress_open = False
        last_decile = [-1]

        def show(year) -> None:
            done = year.fraction_done
            now = year.clock.now().astimezone(year.tz)
            tally = year.tally
            text = (
                f"{now:%Y-%m-%d}  {tally.requests} requests, {tally.orders} orders, "
                f"{tally.payments} payments"
            )
            if interactive:
                filled = int(done * BAR_WIDTH)
                bar = "█" * filled + "·" * (BAR_WIDTH - filled)
                self.stdout.write(f"\r{slug:<24} {bar} {done:4.0%}  {text}", ending="")
                self.stdout.flush()
                self._progress_open = True
            elif int(done * 10) > last_decile[0]:
                last_decile[0] = int(done * 10)
                self.stdout.write(f"{slug:<24} {done:4.0%}  {text}")
                self.stdout.flush()

        return show

    def end_progress(self) -> None:
        if getattr(self, "_progress_open", False):
            self.stdout.write("")
            self._progress_open = False
