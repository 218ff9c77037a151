"""PostgreSQL unreachable or restarted under load: a clean, retryable 503, never half a record.

Two ways: in this process, the connection is pointed at a port where nothing listens
(unreachable); and with real processes, a private PostgreSQL cluster (tests/security/
private_postgres.py, never the shared server) is restarted while customers submit
through gunicorn, retrying on 503 with the same idempotency key.
"""

import http.client
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from brokerage.outages import RETRY_AFTER_SECONDS, server_error
from core.processes import Background, free_port, wait_until
from tests.kit.worlds import kyoto_world
from tests.security.private_postgres import PrivatePostgres, server_binaries


@pytest.fixture
def unreachable_database(transactional_db, settings):
    """Point this process's connection at a closed port; put it back afterwards."""
    # Simulated by pointing the PostgreSQL connection at a port where nothing listens.
    assert connection.vendor == "postgresql", "the fault tests run on PostgreSQL"
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_an_unreachable_database_answers_503_with_retry_after_to_the_api(unreachable_database):
    # Given a database nobody can reach
    # When an API client lists networks and a customer submits
    listing = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/networks/")
    submission = APIClient(HTTP_AUTHORIZATION="Token deadbeef", HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/rfqs/", {"title": "x"}, format="json"
    )
    # Then both are a retryable 503 in JSON, never a 500 with a traceback
    for response in (listing, submission):
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        body = response.json()
        assert body["retryable"] is True and "try again" in body["detail"]
        assert "Traceback" not in response.content.decode()


def test_an_unreachable_database_answers_503_with_a_page_to_people(unreachable_database):
    # When a person opens a page or sends the login form
    browser = Client()
    browser.cookies["django_language"] = "en"
    for response in (
        browser.get("/networks/kyoto-shisaku-net/"),
        browser.post("/login/", {"username": "a", "password": "b"}),
    ):
        # Then they get a short page saying to try again, and when
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        html = response.content.decode()
        assert "Briefly unavailable" in html and "Traceback" not in html


def test_a_lost_connection_outside_a_view_is_a_503_too():
    # Given a database error raised after the view (a session saved on the way out)
    request = RequestFactory().get("/requests/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        # When Django's last resort (the project's handler500) answers
        response = server_error(request)
    # Then it is the retryable 503, not the 500 page
    assert response.status_code == 503 and response["Retry-After"]


def test_other_errors_are_still_a_plain_500():
    request = RequestFactory().get("/requests/")
    try:
        raise KeyError("a bug")
    except KeyError:
        response = server_error(request)
    assert response.status_code == 500


# --- A real restart under load ------------------------------------------------------------

CUSTOMERS = 4
SUBMISSIONS_PER_CUSTOMER = 12


def submit_until_saved(port: int, token: str, key: str, network: str, log: list) -> None:
    """Submit one request, retrying on 503 with the same key, as a careful client does."""
    body = json.dumps(
        {
            "network": network,
            "title": f"Bracket {key}",
            "description": "Two pieces",
            "requirements": [{"capability": "process.machining.milling"}],
        }
    )
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/rfqs/", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as error:
            log.append((key, "connection", str(error)))
            time.sleep(0.2)
            continue
        log.append((key, response.status, response.getheader("Retry-After"), payload[:300]))
        if response.status == 201:
            return
        if response.status != 503:
            return
        time.sleep(0.3)  # Retry-After says 5 s; the test is in a hurry


def test_submissions_survive_a_postgresql_restart_under_load(transactional_db):
    # Given the platform served by gunicorn on a private PostgreSQL cluster with customers
    # (CI installs the server binaries: a missing one fails here, it never skips)
    assert server_binaries() is not None, "PostgreSQL's server binaries are not installed"
    world = kyoto_world()
    customers = [world.customer] + [
        type(world.customer).objects.create(username=f"buyer-{n}") for n in range(CUSTOMERS - 1)
    ]
    tokens = [Token.objects.get_or_create(user=customer)[0].key for customer in customers]
    folder = Path(tempfile.mkdtemp(prefix="brokerage-fault-"))
    cluster = PrivatePostgres(Path(tempfile.mkdtemp(prefix="brokerage-postgres-")))
    background = Background(folder)
    try:
        cluster.init()
        cluster.start()
        database = f"fault_{uuid.uuid4().hex[:8]}"
        url = cluster.copy_of_the_test_database(database)
        port = free_port()
        background._spawn(
            "gunicorn",
            [
                sys.executable, "-m", "gunicorn", "brokerage.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--log-level", "warning",
            ],
            {
                **background.env(None, THROTTLE_SUBMISSION_RATE="100000/hour"),
                "DATABASE_URL": url,
                "SECRET_KEY": "fault-test-" + "x" * 50,
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            },
        )  # fmt: skip
        assert wait_until(lambda: healthy(port), timeout=30), background.logs()

        # When customers submit while the database is stopped and started again
        log: list = []
        keys = [
            [f"{n}-{i}-{uuid.uuid4().hex[:6]}" for i in range(SUBMISSIONS_PER_CUSTOMER)]
            for n in range(CUSTOMERS)
        ]

        def customer(n: int) -> None:
            for key in keys[n]:
                submit_until_saved(port, tokens[n], key, world.network.slug, log)
                time.sleep(0.05)

        threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        cluster.restart(down_seconds=2.0)
        for thread in threads:
            thread.join(timeout=120)

        # Then every answer was a 201 or a retryable 503 (with Retry-After), never a 500
        statuses = {entry[1] for entry in log}
        assert statuses <= {201, 503}, [entry for entry in log if entry[1] not in (201, 503)]
        unavailable = [entry for entry in log if entry[1] == 503]
        assert unavailable, "the restart happened while nobody was submitting"
        assert all(entry[2] for entry in unavailable)
        # and every submission was saved exactly once, whole: its requirement, its three
        # deadlines and its submission event, or nothing at all
        every_key = [key for customer_keys in keys for key in customer_keys]
        saved = cluster.query(
            database,
            "SELECT r.idempotency_key, "
            "(SELECT count(*) FROM orders_rfqrequirement q WHERE q.rfq_id = r.id), "
            "(SELECT count(*) FROM brokerage_deadline d WHERE d.rfq_id = r.id), "
            "(SELECT count(*) FROM orders_event e WHERE e.rfq_id = r.id "
            "AND e.kind = 'rfq.submitted') "
            "FROM orders_rfq r WHERE r.idempotency_key <> ''",
        )
        assert sorted(row[0] for row in saved) == sorted(every_key)
        assert {row[1:] for row in saved} == {("1", "3", "1")}, saved[:5]
    finally:
        background.stop_all()
        cluster.destroy()


def healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    except OSError:
        return False
    return True
