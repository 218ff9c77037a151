"""The health check: can this process reach the database and the Celery broker?"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from brokerage.celery import app as celery_app
from brokerage.models import Heartbeat

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


def worker_last_seen() -> str | None:
    try:
        heartbeat = Heartbeat.objects.filter(name="worker").first()
    except Exception:  # noqa: BLE001 - the database check already reports why
        return None
    return heartbeat.at.isoformat() if heartbeat else None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **checks,
            "worker_last_seen": worker_last_seen() if checks["database"] == "ok" else None,
        },
        status=200 if healthy else 503,
    )
