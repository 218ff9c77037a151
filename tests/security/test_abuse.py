"""Abuse: rate limits, lockout after failed logins, CSRF, security headers and the content
security policy, production cookies, and secrets that come only from the environment.
"""

import ast
import datetime
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from brokerage.settings.services import cache_settings
from core.processes import ROOT, free_port
from orders.models import RFQ
from tests.kit.factories import PASSWORD
from tests.kit.steps import as_user, client_for, request_form_data
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

SETTINGS_DIR = ROOT / "brokerage" / "settings"
TEMPLATES_DIR = ROOT / "templates"
# The one secret-looking literal allowed in settings: unmistakably not for production,
# which refuses to start without a real SECRET_KEY.
LOCAL_ONLY_SECRET = "local-only-insecure-key-set-SECRET_KEY-in-production"


@pytest.fixture
def world():
    return kyoto_world()


def submission(world) -> dict:
    return {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Two pieces",
        "requirements": [{"capability": "process.machining.milling"}],
    }


# --- Rate limits ------------------------------------------------------------------------


def test_submissions_are_limited_per_customer_by_api_and_page(world, settings):
    # Given a limit of two submissions an hour per customer
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "submission": "2/hour"}
    client = as_user(world.customer)
    # When a customer submits a third time
    answers = [
        client.post("/api/rfqs/", submission(world), format="json").status_code for _ in range(3)
    ]
    # Then the third is refused with when to retry, and only two requests exist
    assert answers == [201, 201, 429]
    refused = client.post("/api/rfqs/", submission(world), format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert RFQ.objects.count() == 2
    # and the page form counts against the same limit
    page = client_for(world.customer).post(
        reverse("pages:submit", args=[world.network.slug]),
        request_form_data({"process.machining.milling": 1}),
    )
    assert page.status_code == 429 and page["Retry-After"]
    # while another customer still submits
    other = as_user(world.users["fushimi"].__class__.objects.create(username="other-buyer"))
    assert other.post("/api/rfqs/", submission(world), format="json").status_code == 201


def test_logins_and_tokens_are_limited_per_address(world, settings):
    # Given limits of three password attempts a minute per address on each door
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/minute", "token": "3/minute"}
    settings.AXES_FAILURE_LIMIT = 100  # the lockout is another test's subject
    browser, api = Client(), APIClient()
    username = world.customer.username
    # When one address tries four passwords on the login page and four on the token door
    logins = [
        browser.post("/login/", {"username": username, "password": f"guess-{n}"}).status_code
        for n in range(4)
    ]
    tokens = [
        api.post("/api/auth/token/", {"username": username, "password": f"guess-{n}"}).status_code
        for n in range(4)
    ]
    # Then the fourth is refused before the password is even checked
    assert logins == [200, 200, 200, 429]
    assert tokens == [400, 400, 400, 429]
    # and another address is not held back by it
    other = APIClient(REMOTE_ADDR="192.0.2.7")
    answer = other.post("/api/auth/token/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 200 and answer.json()["token"]


def test_a_client_cannot_escape_the_limit_by_forging_x_forwarded_for(world, settings):
    # Given no trusted proxy in front of the app, and a limit of two token attempts
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token": "2/minute"}
    settings.TRUSTED_PROXY_COUNT = 0
    api = APIClient()
    # When every attempt claims to come from somewhere else
    answers = [
        api.post(
            "/api/auth/token/",
            {"username": "nobody", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]
    # Then the claim is ignored: the third attempt is refused
    assert answers[-1] == 429


def test_the_rate_limit_is_shared_by_every_process_through_the_cache(world, settings):
    # Given the shared cache (Redis when REDIS_URL is set, as in CI; else files on disk)
    prefix = f"shared-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**cache_settings(os.environ.get("REDIS_URL", ""), ROOT / "var")}}
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token": "2/minute"}
    api = APIClient()
    # When this process uses up the limit of one address
    for _ in range(2):
        api.post("/api/auth/token/", {"username": "nobody", "password": "x"})
    # Then another process, on the same cache, refuses that address too
    script = (
        "import django, sys; django.setup();"
        "from django.conf import settings;"
        f"settings.CACHES['default']['KEY_PREFIX'] = {prefix!r};"
        "settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, 'token': '2/minute'};"
        "from brokerage.throttles import TokenThrottle;"
        "from django.test import RequestFactory;"
        "request = RequestFactory().post('/api/auth/token/');"
        "sys.exit(0 if not TokenThrottle().allow_request(request, None) else 3)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brokerage.settings"}
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert other.returncode == 0, other.stderr.decode()[-2000:]


def test_a_limit_lets_requests_through_when_its_cache_is_down(world, settings):
    # Given a cache that does not answer (Redis stopped)
    settings.CACHES = {"default": cache_settings(f"redis://127.0.0.1:{free_port()}/0", ROOT)}
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "submission": "1/hour"}
    # When a customer submits
    response = as_user(world.customer).post("/api/rfqs/", submission(world), format="json")
    # Then the request is saved: a brake that fails must not lose submissions
    assert response.status_code == 201, response.content
    assert RFQ.objects.count() == 1


def test_the_cache_is_redis_when_there_is_one_and_files_otherwise(tmp_path):
    redis = cache_settings("redis://127.0.0.1:6379/3", tmp_path)
    files = cache_settings("", tmp_path)
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert files["BACKEND"].endswith("FileBasedCache")
    assert files["LOCATION"] == str(tmp_path / "cache")


# --- Lockout ----------------------------------------------------------------------------


def test_repeated_failed_logins_lock_the_account_out_on_both_doors(world, settings):
    # Given a lockout after three failures and a cool-off of one second
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    username = world.office_user.username
    browser = Client()
    browser.cookies["django_language"] = "en"
    # When someone fails three times on the login page
    for n in range(3):
        browser.post("/login/", {"username": username, "password": f"wrong-{n}"})
    # Then even the right password is refused, on the page and for an API token
    page = browser.post("/login/", {"username": username, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many failed logins" in page.content.decode()
    assert "_auth_user_id" not in browser.session
    token = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/auth/token/", {"username": username, "password": PASSWORD}
    )
    assert token.status_code == 429
    assert "Too many failed logins" in token.json()["detail"]
    # while the same person from another address is not locked out
    elsewhere = APIClient(REMOTE_ADDR="192.0.2.9")
    answer = elsewhere.post("/api/auth/token/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 200
    # and after the cool-off the right password works again
    time.sleep(1.2)
    page = browser.post("/login/", {"username": username, "password": PASSWORD})
    assert page.status_code == 302


def test_failed_token_requests_count_towards_the_lockout(world, settings):
    # Given a lockout after three failures
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient()
    username = world.customer.username
    # When three token requests fail
    for n in range(3):
        api.post("/api/auth/token/", {"username": username, "password": f"wrong-{n}"})
    # Then the login page refuses the right password from that address too
    page = Client().post("/login/", {"username": username, "password": PASSWORD})
    assert page.status_code == 429


# --- CSRF -------------------------------------------------------------------------------


def post_forms_in_templates():
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            opening = match.group(0)[: match.group(0).index(">") + 1]
            if re.search(r'method="post"', opening, re.I):
                yield path.relative_to(TEMPLATES_DIR), match.group(0)


def test_every_post_form_in_every_template_carries_the_csrf_token():
    # Given every POST form the templates contain
    forms = list(post_forms_in_templates())
    assert len(forms) > 30
    # Then each carries the CSRF token
    missing = [str(path) for path, form in forms if "{% csrf_token %}" not in form]
    assert not missing, missing


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(world):
    # Given a logged-in customer's browser that checks CSRF as real browsers' requests are
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.customer)
    rfq_id = (
        as_user(world.customer).post("/api/rfqs/", submission(world), format="json").json()["id"]
    )
    # When a page form and a session-authenticated API call arrive without the token
    cancel = browser.post(reverse("pages:request-cancel", args=[rfq_id]), {"reason": "Forged"})
    api = browser.post("/api/rfqs/", submission(world), content_type="application/json")
    logout = browser.post(reverse("logout"))
    # Then each is refused and nothing changed
    assert (cancel.status_code, api.status_code, logout.status_code) == (403, 403, 403)
    assert RFQ.objects.get(pk=rfq_id).status != "cancelled"
    assert RFQ.objects.count() == 1
    # while the form as the page draws it (with its token) goes through
    page = browser.get(reverse("pages:request", args=[rfq_id])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        reverse("pages:request-cancel", args=[rfq_id]),
        {"reason": "Changed plans", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert RFQ.objects.get(pk=rfq_id).status == "cancelled"


# --- Headers and the content security policy --------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login/", "/api/networks/", "/api/docs/", "/healthz"])
def test_every_answer_carries_the_security_headers_and_the_policy(world, path):
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_style_or_handlers():
    # Given every template and script of the site
    offences = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag and "application/json" not in tag:
                offences.append(f"{path.name}: inline script {tag}")
        if re.search(r"<style\b", text, re.I):
            offences.append(f"{path.name}: inline <style>")
        for attribute in re.findall(r"\s(on[a-z]+|style)\s*=", text, re.I):
            offences.append(f"{path.name}: {attribute}= attribute")
        if "javascript:" in text.lower():
            offences.append(f"{path.name}: javascript: URL")
    # Then there is none: the policy can forbid them all
    assert not offences, offences


def test_the_api_docs_run_from_files_under_the_policy(world):
    # Given the Swagger UI page
    page = Client().get("/api/docs/")
    html = page.content.decode()
    # Then every script it loads is a file of this site, its start-up script included
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    assert "<style" not in html
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes in scripts]
    assert all(source.startswith("/") for source in sources), sources
    start_up = Client().get(sources[-1].replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start_up.content.decode()


# --- Production settings and secrets ----------------------------------------------------


def production_settings(**env) -> subprocess.CompletedProcess:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({name: str(getattr(s, name)) for name in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'SESSION_COOKIE_NAME', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_NAME',"
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER',"
        "'X_FRAME_OPTIONS', 'AXES_FAILURE_LIMIT', 'AXES_COOLOFF_TIME', 'THROTTLE_RATES']}))"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "THROTTLE_LOGIN_RATE", "AXES_FAILURE_LIMIT")
    }
    environment.update(DJANGO_SETTINGS_MODULE="brokerage.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, timeout=60
    )


def test_production_cookies_are_secure_and_the_limits_come_from_the_environment():
    # Given production settings with a real secret and limits set in the environment
    result = production_settings(
        SECRET_KEY="p" * 64,
        THROTTLE_LOGIN_RATE="7/minute",
        AXES_FAILURE_LIMIT="4",
        TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    values = json.loads(result.stdout.decode().strip().splitlines()[-1])
    # Then cookies are HTTPS-only, out of scripts' reach, and bound to this host
    assert values["DEBUG"] == "False"
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SESSION_COOKIE_HTTPONLY"] == values["CSRF_COOKIE_HTTPONLY"] == "True"
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SECURE_SSL_REDIRECT"] == "True" and int(values["SECURE_HSTS_SECONDS"]) > 0
    assert values["X_FRAME_OPTIONS"] == "DENY"
    # and the limits are the environment's
    assert "'login': '7/minute'" in values["THROTTLE_RATES"]
    assert values["AXES_FAILURE_LIMIT"] == "4"


def test_production_refuses_to_start_without_a_real_secret():
    result = production_settings(SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr.decode()


# A key's own setting, not one that names where the key goes (SMS_API_KEY_HEADER, …_FIELD).
SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|API_KEY$|PRIVATE_KEY|CREDENTIAL|(^|_)TOKEN$|_DSN$", re.I
)


def secret_literals(path: Path) -> list[str]:
    """Return the string literals a settings module gives to secret-named settings."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
            literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if any(SECRET_NAME.search(name) for name in names) and literal and value.value:
                found.append(f"{path.name}: {names[0]} = {value.value!r}")
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            variable = str(node.args[0].value)
            for keyword in node.keywords:
                default = keyword.value
                if (
                    keyword.arg == "default"
                    and SECRET_NAME.search(variable)
                    and isinstance(default, ast.Constant)
                    and isinstance(default.value, str)
                    and default.value
                ):
                    found.append(f"{path.name}: {variable} defaults to {default.value!r}")
    return found


def test_settings_hold_no_secret_but_the_local_only_default():
    # Given every settings module
    literals = [
        literal for path in sorted(SETTINGS_DIR.glob("*.py")) for literal in secret_literals(path)
    ]
    # Then the only secret-like literal is the clearly named local-only key
    assert [literal for literal in literals if LOCAL_ONLY_SECRET not in literal] == []
    assert any(LOCAL_ONLY_SECRET in literal for literal in literals)
