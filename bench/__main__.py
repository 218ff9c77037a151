"""Run every benchmark, print one table and write bench/results.json.

    python -m bench              # everything (this is `make bench`)
    python -m bench matching     # only the named modules

Each module in BENCHMARKS has a `run() -> list[Measurement]`; add a module there to add a
benchmark. They run in a scratch PostgreSQL database created for this run and dropped at
its end (see bench.database): DATABASE_URL names the server, never the database written
to. results.json is a list of objects with name, unit, measured, target, baseline, ratio
and ok; the exit status is 1 if a benchmark could not run or missed its target.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from bench.database import bench_database_url, create_database, drop_database, is_postgres
from bench.report import BenchmarkRefused, Measurement, format_table

BENCHMARKS = [
    "bench.matching",
    "bench.deadlines",
    "bench.intake",
    "bench.pages",
    "bench.mixed_load",
    "bench.suggestions",
]
RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def selected_modules(names: list[str]) -> list[str]:
    if not names:
        return BENCHMARKS
    wanted = [name if name.startswith("bench.") else f"bench.{name}" for name in names]
    unknown = sorted(set(wanted) - set(BENCHMARKS))
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {BENCHMARKS}")
    return wanted


def set_up_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brokerage.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str]) -> int:
    modules = selected_modules(argv)
    database_url = bench_database_url(os.environ.get("DATABASE_URL"))
    scratch = is_postgres(database_url)
    print(f"benchmarks: {', '.join(modules)}")
    print(f"database: {database_url}{' (scratch, dropped at the end)' if scratch else ''}")
    measurements: list[Measurement] = []
    failures: list[str] = []
    if scratch:
        create_database(database_url)
    try:
        set_up_django(database_url)
        for module_name in modules:
            started = time.monotonic()
            try:
                module = importlib.import_module(module_name)
                measurements.extend(module.run())
            except BenchmarkRefused as refusal:
                failures.append(f"{module_name}: refused: {refusal}")
            except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
                failures.append(f"{module_name}: failed:\n{traceback.format_exc()}")
            print(f"{module_name}: {time.monotonic() - started:.1f} s", flush=True)
    finally:
        if scratch:
            from django.db import connections

            connections.close_all()
            drop_database(database_url)

    RESULTS_PATH.write_text(
        json.dumps([m.as_json() for m in measurements], indent=2, ensure_ascii=False) + "\n"
    )
    print()
    print(format_table(measurements))
    print(f"\nwrote {RESULTS_PATH}")
    for failure in failures:
        print(failure, file=sys.stderr)
    missed = [m.name for m in measurements if not m.ok]
    if missed:
        print(f"missed target: {', '.join(missed)}", file=sys.stderr)
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
