"""The health checks.

/healthz: can this web process reach the database and the Celery broker? (For a load
balancer or an orchestrator: a web process that answers 200 can take requests.)
/readyz: is the platform doing its work, with a worker seen lately? (For monitoring: while
no worker runs, requests are still taken and saved, but nothing is routed, no deadline
fires and no notification goes out.)
"""

import datetime

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from brokerage.celery import app as celery_app
from brokerage.models import Heartbeat
from core import clock

BROKER_TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported as text
        return f"error: {error.__class__.__name__}: {error}".strip()
    return "ok"


def configured_broker_url() -> str:
    return celery_app.conf.broker_write_url or celery_app.conf.broker_url


def broker_status() -> str:
    try:
        with celery_app.connection_for_write(configured_broker_url()) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}: {error}".strip()
    return "ok"


def worker_last_seen() -> datetime.datetime | None:
    try:
        heartbeat = Heartbeat.objects.filter(name="worker").first()
    except Exception:  # noqa: BLE001 - the database check already reports why
        return None
    return heartbeat.at if heartbeat else None


def worker_status(last_seen: datetime.datetime | None) -> str:
    if last_seen is None:
        return "error: no worker has been seen"
    age = (clock.now() - last_seen).total_seconds()
    if age > settings.WORKER_STALE_SECONDS:
        return f"error: no worker has been seen for {age:.0f} s"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **checks,
            "worker_last_seen": isoformat(
                worker_last_seen() if checks["database"] == "ok" else None
            ),
        },
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def readyz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    last_seen = worker_last_seen() if checks["database"] == "ok" else None
    checks["worker"] = (
        worker_status(last_seen) if checks["database"] == "ok" else "error: database unavailable"
    )
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            **checks,
            "worker_last_seen": isoformat(last_seen),
        },
        status=200 if ready else 503,
    )


def isoformat(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
