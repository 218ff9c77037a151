"""How the authorization matrix asks, classifies and checks: rows, requests, outcomes.

A row says, for one endpoint (method and path), which roles are allowed; everyone else is
refused. Allowed means "not refused": the step may still fail on the object's state (409)
or on the body (400); refused means 401/403/404 for the API, and for pages 403/404, a
redirect to the login page, or a redirect carrying an error message (the pages' way of
refusing a one-button step). For every role, whatever the outcome:

- no response is a 5xx;
- no response shows a marker of an object the role may not see (lists, counts, error
  messages, file names and links included);
- a refused request writes nothing;
- when the role may not see the row's subject at all, the refusal is the same as for an
  object that does not exist: nobody learns that it exists by being told "forbidden";
- a list shows exactly the objects the role may see, and counts exactly those.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from tests.security.world import PDF, ROLES, World

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
MISSING_ID = 99_999_999
# Who is compared with a request for a missing object: one outsider of each kind (the
# others reach the same selectors by the same path; asking them too only costs time).
OUTSIDERS = ("other_customer", "uninvited_member", "other_office")
FILE = "<file>"
AUDITED_APPS = ("members", "capabilities", "orders", "brokerage")


def roles(*names: str) -> frozenset[str]:
    unknown = set(names) - EVERYONE
    assert not unknown, f"unknown roles {unknown}"
    return frozenset(names)


@dataclass(frozen=True)
class Row:
    """Who may use one endpoint on which object, and how to ask."""

    allowed: frozenset[str]
    # path placeholder -> key of World.ids (the object the request is about)
    args: dict[str, str] = field(default_factory=dict)
    body: Callable[[World], dict] | None = None
    multipart: bool = False
    # the World.ids key whose invisibility must look like absence (an rfq, order, batch)
    subject: str | None = None
    # the World.lists kind whose ids the (paginated) results must be, exactly
    lists: str | None = None
    # a role whose request must change something: proof that the body works, so that
    # the others' refusals are refusals and not a bad body
    proves: str | None = None
    query: str = ""
    # Ask only these roles (for a document that is the same for everyone, e.g. the schema).
    asked: frozenset[str] | None = None

    def path(self, template: str, world: World, *, missing: bool = False) -> str:
        values = {
            name: (MISSING_ID if missing and key == self.subject else world.ids[key])
            for name, key in self.args.items()
        }
        path = re.sub(r"<\w+:(\w+)>", r"{\1}", template)
        if not path.startswith("/"):
            path = "/" + path
        return path.format(**values) + self.query


def subject_kind(key: str) -> str:
    for kind in ("rfq", "order", "payout"):
        if key.startswith(kind):
            return kind
    raise ValueError(key)


def sees_subject(world: World, row: Row, role: str) -> bool:
    if row.subject is None:
        return True
    kind = {"payout": "payout_batch"}.get(subject_kind(row.subject), subject_kind(row.subject))
    return world.ids[row.subject] in world.lists[kind].get(role, set())


def audited_tables() -> list[str]:
    return [
        model._meta.db_table
        for app in AUDITED_APPS
        for model in apps.get_app_config(app).get_models()
    ]


def fingerprint() -> str:
    """Return a digest of every row of the platform's tables: any write changes it.

    On PostgreSQL the server digests each table in one query; elsewhere Python does.
    """
    if connection.vendor == "postgresql":
        digests = " UNION ALL ".join(
            f"SELECT '{table}' AS name, "
            f"md5(coalesce(string_agg(row_text, ',' ORDER BY row_text), '')) AS d "
            f"FROM (SELECT t::text AS row_text FROM {table} t) AS {table}_rows"
            for table in audited_tables()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT md5(string_agg(name || d, '|' ORDER BY name)) FROM ({digests}) AS digests"
            )
            return cursor.fetchone()[0]
    digest = hashlib.sha256()
    for app in AUDITED_APPS:
        for model in apps.get_app_config(app).get_models():
            rows = model._base_manager.order_by("pk").values_list()
            digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


# A test client loads the middleware on its first request (WhiteNoise then indexes every
# static file, a tenth of a second): one client per role, reused by every test.
CLIENTS: dict = {}


def api_client(world: World, role: str) -> APIClient:
    client = CLIENTS.setdefault(("api", role), APIClient())
    client.force_authenticate(world.user(role))
    return client


def page_client(world: World, role: str) -> Client:
    """Return the role's browser, logged in afresh (each test rolls its session back)."""
    client = CLIENTS.setdefault(("page", role), Client())
    client.cookies.clear()
    client.cookies["django_language"] = "en"
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    return html.unescape(content.decode("utf-8", errors="replace") + " " + headers)


def error_messages(response) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None or not hasattr(request, "_messages"):
        return []
    return [str(m) for m in get_messages(request) if m.level >= messages.ERROR]


def api_refused(response) -> bool:
    return response.status_code in (401, 403, 404)


def page_shut(response) -> bool:
    """Whether a page refused the person: 403, 404, or off to the login page."""
    if response.status_code in (403, 404):
        return True
    return response.status_code in (301, 302, 303) and response["Location"].startswith("/login/")


def page_refused(response) -> bool:
    """Whether a page refused the step: shut, or back with an error (one-button steps)."""
    if page_shut(response):
        return True
    return response.status_code in (301, 302, 303) and bool(error_messages(response))


@dataclass
class Outcome:
    status: int
    # For pages, "shut" (403, 404, the login page) and "refused" (shut, or a one-button
    # step sent back with an error) differ: an allowed person's step may come back with
    # an error about the object's state, but the door is never shut on them.
    shut: bool
    refused: bool
    wrote: bool
    text: str


def ask(client, method: str, path: str, data, *, multipart: bool, api: bool, audit: bool):
    """Send one request inside a savepoint that is rolled back; say what it did."""
    with transaction.atomic():
        before = fingerprint() if audit else ""
        call = getattr(client, method.lower())
        if method == "GET":
            response = call(path)
        elif api and not multipart:
            response = call(path, data or {}, format="json")
        else:
            response = call(path, data or {})
        after = fingerprint() if audit else ""
        transaction.set_rollback(True)
    if api:
        shut = refused = api_refused(response)
    else:
        shut, refused = page_shut(response), page_refused(response)
    text = body_text(response)
    return Outcome(response.status_code, shut, refused, before != after, text), response


def result_ids(response) -> list[int]:
    data = json.loads(response.content)
    return [item["id"] for item in data["results"]], data["count"]


def with_fresh_files(data: dict | None) -> dict | None:
    """Return the body with a new file wherever a form has one (a file is read once)."""
    if data is None:
        return None
    return {
        name: SimpleUploadedFile("matrix.pdf", PDF, content_type="application/pdf")
        if value == FILE
        else value
        for name, value in data.items()
    }


def check_row(world: World, method: str, template: str, row: Row, *, api: bool) -> list[str]:
    """Ask as every role; return what went wrong, one line each."""
    problems = []
    writes = method != "GET"
    for role in ROLES:
        if row.asked is not None and role not in row.asked:
            continue
        client = api_client(world, role) if api else page_client(world, role)
        path = row.path(template, world)
        multipart = row.multipart
        data = with_fresh_files(row.body(world) if row.body else None)
        # Only a refused request (or the proof) needs to know whether it wrote.
        audit = writes and (role not in row.allowed or role == row.proves)
        outcome, response = ask(
            client, method, path, data, multipart=multipart, api=api, audit=audit
        )
        label = f"{role}: {method} {path} -> {outcome.status}"
        if outcome.status >= 500:
            problems.append(f"{label}: server error")
            continue
        allowed = role in row.allowed
        if allowed and outcome.shut:
            problems.append(f"{label}: refused, but the role is allowed")
        if not allowed and not outcome.refused:
            problems.append(f"{label}: allowed, but the role should be refused")
        if not allowed and outcome.wrote:
            problems.append(f"{label}: a refused request wrote to the database")
        if writes and row.proves == role and not outcome.wrote:
            problems.append(
                f"{label}: the proving request changed nothing (fix the body): "
                f"{outcome.text[:300]!r}"
            )
        lowered = outcome.text.lower()
        leaked = [m for m in world.forbidden_markers(role) if m.lower() in lowered]
        if leaked:
            problems.append(f"{label}: shows {leaked}")
        if outcome.refused and role in OUTSIDERS and not sees_subject(world, row, role):
            missing_path = row.path(template, world, missing=True)
            missing, missing_response = ask(
                client,
                method,
                missing_path,
                with_fresh_files(data),
                multipart=multipart,
                api=api,
                audit=False,
            )
            same = missing.status == outcome.status and (
                not api or missing_response.content == response.content
            )
            if not same:
                problems.append(
                    f"{label}: an unseen object answers unlike a missing one "
                    f"({missing.status}: {missing.text[:120]!r} vs {outcome.text[:120]!r})"
                )
        if row.lists and allowed and outcome.status == 200:
            ids, count = result_ids(response)
            expected = world.lists[row.lists].get(role, set())
            if set(ids) != expected or count != len(expected):
                problems.append(f"{label}: lists {sorted(ids)} (count {count}), not {expected}")
    return problems
