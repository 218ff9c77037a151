"""The platform foundation: boot, configuration, health and a real Celery worker."""

import datetime
import logging
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from kombu import Connection

from brokerage.celery import app as celery_app
from brokerage.models import Heartbeat
from brokerage.tasks import heartbeat
from core.processes import ROOT, free_port, wait_until
from orders.models import RFQ
from tests.kit.steps import as_user
from tests.kit.worlds import kyoto_world


@pytest.mark.django_db
def test_app_boots_on_the_configured_database_with_every_migration_applied():
    # Given the DATABASE_URL the suite runs with (PostgreSQL in CI)
    expected_vendor = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    # When the app has started
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    # Then it talks to that database, with the whole schema in place
    assert connection.vendor == expected_vendor
    assert unapplied == []


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    # Given a running platform
    # When the health check is asked
    response = client.get("/healthz")
    # Then both the database and the broker answer
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_stopped_broker(client, monkeypatch):
    # Given a broker that does not answer (nothing listens on its port)
    monkeypatch.setattr("brokerage.health.configured_broker_url", lambda: "redis://127.0.0.1:1/0")
    # When the health check is asked
    response = client.get("/healthz")
    # Then it says the platform is unavailable and why
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")


@pytest.mark.django_db
def test_readyz_is_ready_while_a_worker_was_seen_lately(client, settings):
    # Given a worker that ran its heartbeat just inside the allowed window
    settings.WORKER_STALE_SECONDS = 90
    Heartbeat.objects.create(name="worker", at=timezone.now() - datetime.timedelta(seconds=80))
    # When readiness is asked
    response = client.get("/readyz")
    # Then the platform is ready
    assert response.status_code == 200, response.json()
    assert response.json()["worker"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("last_seen_seconds_ago", [None, 100])
def test_readyz_fails_when_no_worker_was_seen_lately_while_healthz_still_serves(
    client, settings, last_seen_seconds_ago
):
    # Given no worker ever seen, or none for longer than the window allows
    settings.WORKER_STALE_SECONDS = 90
    if last_seen_seconds_ago is not None:
        moment = timezone.now() - datetime.timedelta(seconds=last_seen_seconds_ago)
        Heartbeat.objects.create(name="worker", at=moment)
    # When readiness is asked
    response = client.get("/readyz")
    # Then it answers 503 and says why: routing, deadlines and notifications have stopped
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["worker"].startswith("error: no worker has been seen")
    assert body["database"] == body["broker"] == "ok"
    # while this web process itself still takes requests
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def broker_on_a_closed_port(monkeypatch):
    """Point this process's Celery app at a Redis port nothing listens on; record how each
    publish tries to connect."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    # Producers connect to the write URL, which the configuration resolved from broker_url.
    monkeypatch.setattr(celery_app.conf, "broker_url", closed)
    monkeypatch.setattr(celery_app.conf, "broker_write_url", closed)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    attempts = []
    ensure = Connection._ensure_connection

    def recorded(connection, *args, **kwargs):
        attempts.append(kwargs)
        return ensure(connection, *args, **kwargs)

    monkeypatch.setattr(Connection, "_ensure_connection", recorded)
    return attempts


@pytest.mark.django_db
def test_with_the_broker_down_a_submission_is_saved_after_one_try_to_reach_it(
    broker_on_a_closed_port, django_capture_on_commit_callbacks, caplog
):
    # Given a broker that is down (nothing listens on its port)
    world = kyoto_world()
    # When a customer submits a request, and its transaction commits
    body = {
        "network": world.network.slug,
        "title": "Bracket during an outage",
        "description": "Two pieces",
        "requirements": [{"capability": "process.machining.milling"}],
    }
    with (
        caplog.at_level(logging.WARNING, logger="core.background"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = as_user(world.customer).post("/api/rfqs/", body, format="json")
    # Then the request is saved and answered, waiting for the routing sweeper
    assert response.status_code == 201, response.json()
    assert RFQ.objects.get(pk=response.json()["id"]).status == "submitted"
    assert "waits for its sweeper" in caplog.text
    # and each publish tried the broker once, not again and again for seconds
    assert broker_on_a_closed_port
    assert all(attempt.get("max_retries") == 0 for attempt in broker_on_a_closed_port)


@pytest.mark.celery_worker
def test_a_task_sent_through_the_broker_is_executed_by_a_real_worker(celery_worker):
    # Given a real worker consuming its queue from the configured broker
    assert not Heartbeat.objects.filter(name="test-worker").exists()
    # When a task is sent through the broker
    heartbeat.apply_async(kwargs={"name": "test-worker"}, queue=celery_worker.queue)
    # Then the worker executes it and its effect lands in the database
    seen = wait_until(lambda: Heartbeat.objects.filter(name="test-worker").exists(), timeout=60)
    assert seen, celery_worker.output()


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "not-a-url", "DATABASE_URL: unsupported scheme"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:notaport/x", "the port is not a number"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432", "names no database"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL: unsupported scheme"),
    ],
)
def test_a_malformed_url_gives_one_clear_line(variable, value, message):
    # Given a malformed connection URL
    # When any management command starts
    result = run_manage("check", **{variable: value})
    # Then it stops with one line that says what is wrong, not a traceback
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_redis_gives_one_clear_line_at_start():
    # Given a REDIS_URL where no Redis listens
    # When the platform's start-up check runs (as `make run` does first)
    result = run_manage("preflight", REDIS_URL="redis://127.0.0.1:1/0")
    # Then it refuses to start with one line naming the broker
    assert result.returncode == 1
    assert "Celery broker unreachable" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "brokerage.settings.production",
    "SECRET_KEY": "x" * 20 + "production-secret-for-the-deploy-check-only" + "y" * 20,
}


def test_production_settings_pass_the_deploy_check():
    # Given production settings with a real secret, behind one proxy as .env.example says
    env = {**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}
    # When Django's deployment checklist runs
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    # Then it finds nothing to fix
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret():
    # Given production settings and no SECRET_KEY
    env = {"DJANGO_SETTINGS_MODULE": "brokerage.settings.production", "SECRET_KEY": ""}
    # When a command starts
    result = run_manage("check", **env)
    # Then it refuses, saying which variable to set
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("command", ["load_demo", "replay_year"])
def test_production_settings_have_no_demo_commands(command):
    # Given production settings (a real deployment)
    env = {**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}
    # When someone runs a demo command
    result = run_manage(command, **env)
    # Then Django does not know it: the demo app is not installed, no demo data can be written
    assert result.returncode != 0
    assert f"Unknown command: '{command}'" in result.stderr


def test_production_settings_install_no_demo_app_and_development_settings_do():
    show_installed = (
        "shell",
        "-c",
        "from django.conf import settings; print(settings.INSTALLED_APPS)",
    )
    production = run_manage(*show_installed, **PRODUCTION, TRUSTED_PROXY_COUNT="1")
    development = run_manage(*show_installed, DJANGO_SETTINGS_MODULE="brokerage.settings")
    assert production.returncode == 0, production.stderr
    assert development.returncode == 0, development.stderr
    assert "'demo'" not in production.stdout
    assert "'brokerage'" in production.stdout
    assert "'demo'" in development.stdout


@pytest.mark.parametrize(
    "proxy",
    [
        {},  # production's default: behind a proxy
        {"BEHIND_PROXY": "true"},
    ],
)
def test_production_settings_refuse_to_trust_a_proxy_without_identifying_clients(proxy):
    # Given production settings behind a proxy, with no count of the proxies
    env = {**PRODUCTION, **proxy, "TRUSTED_PROXY_COUNT": "0"}
    # When a command starts (the web server loads the same settings)
    result = run_manage("check", "--deploy", **env)
    # Then it refuses, naming the setting to fix
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_production_settings_without_a_proxy_need_no_proxy_count():
    # Given production settings where clients connect directly (as docker compose runs it)
    env = {**PRODUCTION, "BEHIND_PROXY": "false", "TRUSTED_PROXY_COUNT": "0"}
    result = run_manage("check", **env)
    # Then they start: REMOTE_ADDR is the client
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "trusting",
    [
        {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
        {"USE_X_FORWARDED_HOST": True},
        {"USE_X_FORWARDED_PORT": True},
        {"BEHIND_PROXY": True},
    ],
)
def test_the_system_check_reports_any_settings_that_trust_a_proxy_blindly(settings, trusting):
    from django.core import checks

    # Given any settings that trust a proxy for something, and no count of proxies
    for name, value in trusting.items():
        setattr(settings, name, value)
    settings.TRUSTED_PROXY_COUNT = 0
    # Then the system check reports an error
    errors = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    assert "brokerage.E001" in errors
    # And with the count of proxies it does not
    settings.TRUSTED_PROXY_COUNT = 1
    errors = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    assert "brokerage.E001" not in errors
