"""docker-compose.yml, the Dockerfile and .env.example agree with the settings."""

import re

import pytest
import yaml
from django.conf import settings

from core.processes import ROOT

SETTINGS_FILES = [
    ROOT / "brokerage" / "settings" / "__init__.py",
    ROOT / "brokerage" / "settings" / "production.py",
]
APP_SERVICES = ("web", "worker", "beat")


def variables_read_by_settings() -> set[str]:
    source = "\n".join(path.read_text() for path in SETTINGS_FILES)
    return set(re.findall(r'env(?:\(\))?\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_text(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_settings_read_the_core_variables():
    # The contract of the README's configuration table.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} <= (
        variables_read_by_settings()
    )


def test_compose_has_every_service_with_a_health_check(compose):
    # Given the compose file
    services = compose["services"]
    # Then it runs the database, the broker, the web app, a worker and beat, each checked
    assert set(services) >= {"db", "redis", *APP_SERVICES}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_compose_starts_again_every_service_that_exits(compose):
    # Given the compose file
    # Then no service stays down when its process exits (a worker that lost its broker),
    # and each can still be stopped by hand
    for name, service in compose["services"].items():
        assert service.get("restart") == "unless-stopped", f"{name} is not started again"


def test_compose_configures_the_app_only_through_variables_the_settings_read(compose):
    known = variables_read_by_settings() | {"DJANGO_SETTINGS_MODULE"}
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        # Then every variable it sets is one the settings read, and the core ones are set
        assert set(environment) <= known, f"{name}: {set(environment) - known}"
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= set(environment)
        assert environment["DJANGO_SETTINGS_MODULE"] == "brokerage.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:")


def test_compose_commands_start_the_right_processes(compose):
    services = compose["services"]
    wsgi_module = settings.WSGI_APPLICATION.rsplit(".", 1)[0]
    assert f"gunicorn {wsgi_module}" in command_text(services["web"])
    assert "migrate" in command_text(services["web"])
    assert "celery -A brokerage worker" in command_text(services["worker"])
    assert "celery -A brokerage beat" in command_text(services["beat"])
    # and the Celery app they name is the project's
    assert (ROOT / "brokerage" / "celery.py").exists()


def test_dockerfile_installs_from_the_lock_and_runs_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/lock.txt" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=brokerage.settings.production" in dockerfile


def test_env_example_documents_exactly_the_variables_the_settings_read():
    lines = (ROOT / ".env.example").read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}
    assert documented - {"DJANGO_SETTINGS_MODULE"} == variables_read_by_settings()
