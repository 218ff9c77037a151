"""HTTP intake throughput against a bare endpoint that inserts one row, in the same run.

Both are served by the same gunicorn (production settings but plain HTTP on loopback)
on the same database, with a private Redis as the broker, and loaded the same way in
turn. Submitting a request validates it, saves it with its requirements, computes its
deadlines, routes it through the matching engine to Kyoto Shisaku Net's members, writes
the invitations, events and notifications and enqueues their delivery. DESIGN.md §6
asks for at least half the bare endpoint's throughput.

A third endpoint does the bare insert behind the API's door (token authentication, the
signed-in check, the submission limit); its row shows how much of the bare endpoint's
throughput any authenticated submission can reach before it has done anything of its own.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from bench.http_load import load
from bench.report import BenchmarkRefused, Measurement

CONNECTIONS = 6
WARM_UP_SECONDS = 3
SECONDS = 20
GUNICORN_WORKERS = 3
TARGET_RATIO = 0.5


def run() -> list[Measurement]:
    """Serve the platform with gunicorn, load both endpoints in turn, compare."""
    if connection.vendor != "postgresql":
        raise BenchmarkRefused("the intake benchmark needs PostgreSQL")
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from core.processes import Background, free_port, wait_until
    from members.models import User

    call_command("load_demo", verbosity=0)
    token = Token.objects.get_or_create(user=User.objects.get(username="customer-2"))[0].key
    background = Background(Path(tempfile.mkdtemp(prefix="bench-intake-")))
    if not background.private_redis_available:
        raise BenchmarkRefused("the intake benchmark needs redis-server on this machine")
    try:
        broker = background.start_redis()
        port = free_port()
        background._spawn(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--log-level",
                "warning",
            ],
            background.env(
                broker,
                DJANGO_SETTINGS_MODULE="bench.settings",
                SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                # One customer submits thousands here; production's per-customer limit
                # would turn most of them into 429s and measure the throttle instead.
                # The limit is lifted per second, not per hour: the throttle keeps the
                # time of every submission inside its window, which in production (60 an
                # hour) holds at most 60, but an hour's window here would grow to every
                # submission of the run, read and rewritten on each one.
                THROTTLE_SUBMISSION_RATE="1000000/second",
            ),
        )
        assert wait_until(lambda: answers(port), timeout=30), background.logs()
        bare = endpoint_load(port, "/bench/insert-one-row/", b"", {})
        signed_in = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        behind_door = endpoint_load(port, "/bench/api-insert-one-row/", b"{}", signed_in)
        body = json.dumps(
            {
                "network": "kyoto-shisaku-net",
                "title": "Aluminium bracket, 5 pieces",
                "description": "Milled from A5052, anodized black; drawing to follow.",
                "quantity": 5,
                "requirements": [
                    {"capability": "process.machining.milling", "min_grade": 3},
                    {"capability": "material.aluminium"},
                ],
            }
        ).encode()
        intake = endpoint_load(port, "/api/rfqs/", body, signed_in)
    finally:
        background.stop_all()
    loads = (("bare", bare), ("behind the API's door", behind_door), ("intake", intake))
    print("  " + ", ".join(f"{name}: {result.statuses}" for name, result in loads), flush=True)
    for name, result in loads:
        if result.errors or set(result.statuses) != {201}:
            raise RuntimeError(f"{name} answered {result.statuses} with {result.errors} errors")
    return [
        Measurement(
            name="intake: HTTP submissions per second (ratio to a bare one-row insert)",
            unit="req/s",
            measured=round(intake.per_second, 1),
            target=round(TARGET_RATIO * bare.per_second, 1),
            baseline=round(bare.per_second, 1),
            higher_is_better=True,
        ),
        Measurement(
            name="intake: the bare insert behind the API's token, sign-in check and limit",
            unit="req/s",
            measured=round(behind_door.per_second, 1),
            baseline=round(bare.per_second, 1),
            higher_is_better=True,
        ),
        Measurement(
            name="intake: p95 latency under load",
            unit="ms",
            measured=round(intake.latency(0.95), 1),
            baseline=round(bare.latency(0.95), 1),
        ),
    ]


def answers(port: int) -> bool:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    except OSError:
        return False
    return True


def endpoint_load(port: int, path: str, body: bytes, headers: dict):
    load(port=port, method="POST", path=path, body=body, headers=headers,
         connections=CONNECTIONS, seconds=WARM_UP_SECONDS)  # fmt: skip
    time.sleep(1)
    return load(
        port=port,
        method="POST",
        path=path,
        body=body,
        headers=headers,
        connections=CONNECTIONS,
        seconds=SECONDS,
    )
