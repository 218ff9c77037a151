"""A Redis restart under a real Celery worker: the worker rides it out on its own.

The worker runs tasks in two child processes (prefork, as `make run` runs it), so while it
holds one task it is still waiting on Redis for the next when the connection drops: the
moment Celery 5.7.0's worker gave up ("Unrecoverable error: AttributeError(... 'hostname')").
The task is held by a row lock this test keeps on the heartbeat it writes, never by sleeping.
"""

import datetime
import os
import shutil

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from brokerage.celery import app
from brokerage.models import Heartbeat
from core.processes import database_url_of_test_database, wait_until

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        shutil.which("redis-server") is None and not os.environ.get("CI"),
        reason="redis-server is not installed on this machine (CI installs it)",
    ),
]

LONG_AGO = timezone.now() - datetime.timedelta(days=1)


def send_heartbeat(broker: str, name: str) -> str:
    """Send the heartbeat task for `name` to this broker; return the task's id."""
    with app.connection_for_write(broker) as conn:
        return app.send_task("brokerage.heartbeat", kwargs={"name": name}, connection=conn).id


def sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_worker_holding_a_task_serves_again_after_redis_restarts(background):
    # Given a worker on a private Redis, busy with a task that waits on a row this test locks
    broker = background.start_redis()
    worker = background.start_worker("worker", broker_url=broker, pool="prefork")
    Heartbeat.objects.create(name="held", at=LONG_AGO)
    with psycopg.connect(database_url_of_test_database()) as lock_holder:
        lock_holder.execute("SELECT 1 FROM brokerage_heartbeat WHERE name = 'held' FOR UPDATE")
        held_task = send_heartbeat(broker, "held")
        assert wait_until(lambda: sessions_waiting_for_a_lock() == 1, timeout=60), background.logs()
        # When Redis stops and starts again while the task is in hand
        background.stop("redis")
        assert wait_until(
            lambda: "Connection to broker lost" in background.log("worker"), timeout=30
        ), background.logs()
        background.start_redis()
        lock_holder.rollback()
    # Then the held task completes, once
    assert wait_until(lambda: Heartbeat.objects.get(name="held").at > LONG_AGO, timeout=60), (
        background.logs()
    )
    assert background.log("worker").count(f"{held_task}] succeeded") == 1
    # and the same worker process, never restarted by hand, takes the next task
    send_heartbeat(broker, "after")
    assert wait_until(lambda: Heartbeat.objects.filter(name="after").exists(), timeout=90), (
        background.logs()
    )
    assert worker.poll() is None, background.logs()
    assert "Unrecoverable error" not in background.log("worker")
