"""Hostile input: markup and script, SQL-looking text, absurd numbers and dates, broken
JSON, archive bombs and paths in file names, and the same form sent twice.

Each is refused with a 4xx that says what is wrong, or kept as the plain text it is and
shown escaped; none is a 500, and none writes half a record.
"""

import datetime
import io
import re
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Invitation
from members.models import Network
from orders.models import RFQ, Drawing, Message, Payment
from tests.kit.steps import as_user, client_for, request_form_data, route_waiting_requests, submit
from tests.kit.worlds import kyoto_world
from tests.security.world import VALID_UNTIL

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def world():
    return kyoto_world()


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert ESCAPED in html, where


def test_markup_typed_anywhere_is_shown_as_text_on_every_page(world):
    # Given a request whose title, description and material are markup with script
    rfq = submit(
        world,
        [{"capability": "process.machining.milling"}],
        title=f"Bracket {SCRIPT}",
        description=f"Drawing follows {SCRIPT}",
        material=SCRIPT,
    )
    # and messages, an answer's note and a firm's name written the same way
    customer, office = as_user(world.customer), as_user(world.office_user)
    customer.post(f"/api/rfqs/{rfq['id']}/messages/", {"body": SCRIPT, "audience": "customer"})
    office.post(f"/api/rfqs/{rfq['id']}/messages/", {"body": SCRIPT, "audience": "internal"})
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["fushimi"])
    response = as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/",
        {"can_do": True, "price": 10_000, "lead_time_days": 3, "note": SCRIPT},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = office.post(
        f"/api/networks/{world.network.slug}/memberships/",
        {"new_firm": {"name_ja": SCRIPT, "name_en": SCRIPT, "prefecture": "26"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Message.objects.filter(body=SCRIPT).count() == 2
    # When each reader opens the pages that show them
    pages = {
        "customer's request": (world.customer, reverse("pages:request", args=[rfq["id"]])),
        "customer's list": (world.customer, reverse("pages:request-list")),
        "office's request": (world.office_user, reverse("pages:request", args=[rfq["id"]])),
        "office's queue": (world.office_user, reverse("pages:queue")),
        "member's invitation": (
            world.users["fushimi"],
            reverse("pages:invitation", args=[invitation.pk]),
        ),
        "office's memberships": (
            world.office_user,
            reverse("network-office-memberships", args=[world.network.slug]),
        ),
        "network page": (None, reverse("network-page", args=[world.network.slug])),
        "directory": (None, reverse("network-directory", args=[world.network.slug])),
    }
    # Then every one shows the text escaped, never as markup
    for where, (reader, path) in pages.items():
        html = html_of(client_for(reader).get(path))
        assert "<script>alert" not in html and "<img src=x" not in html, where
    for where in ("customer's request", "office's request", "member's invitation"):
        reader, path = pages[where]
        assert_escaped(html_of(client_for(reader).get(path)), where)
    # and the API gives the text back as it was typed (JSON is data, not markup)
    assert customer.get(f"/api/rfqs/{rfq['id']}/").json()["title"] == f"Bracket {SCRIPT}"


def test_sql_looking_text_is_stored_and_searched_as_plain_text(world):
    # Given a title and a search that look like SQL
    injection = "x'); DROP TABLE orders_rfq; --"
    rfq = submit(world, [{"capability": "process.machining.milling"}], title=injection)
    # When the directory and the lists are searched and filtered with SQL-looking text
    for path in (
        "/api/firms/?q=' OR 1=1 --",
        f"/api/rfqs/?status=submitted' OR '1'='1&network__slug={world.network.slug}",
        "/api/capabilities/?q=%27%3B%20SELECT%20pg_sleep(5)%3B--",
    ):
        started = time.monotonic()
        response = as_user(world.customer).get(path)
        # Then each is an ordinary answer (nothing executed, nothing slept)
        assert response.status_code in (200, 400), (path, response.status_code)
        assert time.monotonic() - started < 3, path
    page = client_for(None).get(
        reverse("network-directory", args=[world.network.slug]), {"q": "';--"}
    )
    assert page.status_code == 200
    # and the text is kept verbatim, the table intact
    assert RFQ.objects.get(pk=rfq["id"]).title == injection
    assert "orders_rfq" in connection.introspection.table_names()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", -1),
        ("quantity", 0),
        ("quantity", 10**20),
        ("budget_max", -5),
        ("budget_max", 10**30),
        ("budget_min", -(10**30)),
        ("desired_date", "2026-02-30"),
        ("desired_date", "0000-00-00"),
        ("desired_date", "yesterday"),
        ("desired_date", "1999-01-01"),
        ("title", "x" * 10_000),
        ("requirements", [{"capability": "process.machining.milling", "min_grade": 10**9}]),
    ],
)
def test_absurd_numbers_and_dates_in_a_submission_are_refused_per_field(world, field, value):
    # Given a customer
    body = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Two pieces",
        "requirements": [{"capability": "process.machining.milling"}],
        field: value,
    }
    # When the submission carries an impossible value
    response = as_user(world.customer).post("/api/rfqs/", body, format="json")
    # Then it is refused naming the field, and nothing is saved
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not RFQ.objects.exists()


def order_in_production(world) -> int:
    """A Kyoto order, its team confirmed: the office may record payments on it."""
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    office = as_user(world.office_user)
    response = office.post(
        f"/api/rfqs/{rfq['id']}/leader/",
        {"firm": world.firms["fushimi"].pk, "reason": "urgent"},
    )
    assert response.status_code == 200, response.json()
    leader = as_user(world.users["fushimi"])
    line = {"firm": world.firms["fushimi"].pk, "description": "Milling", "amount": 100_000}
    estimate = leader.post(
        f"/api/rfqs/{rfq['id']}/estimates/",
        {"lines": [line], "lead_time_days": 5, "valid_until": VALID_UNTIL},
        format="json",
    ).json()
    assert leader.post(f"/api/estimates/{estimate['id']}/send/").status_code == 200
    order_id = (
        as_user(world.customer).post(f"/api/estimates/{estimate['id']}/accept/").json()["order"]
    )
    team = {"members": [{"firm": world.firms["fushimi"].pk, "work_package": "All", "share": 10000}]}
    assert leader.put(f"/api/orders/{order_id}/team/", team, format="json").status_code == 200
    leader.post(f"/api/orders/{order_id}/team/confirm/", {"accept": True}, format="json")
    return order_id


def test_absurd_money_and_times_are_refused_on_payments_by_api_and_page(world):
    # Given an order in production
    order_id = order_in_production(world)
    office = as_user(world.office_user)
    now = timezone.now().isoformat()
    refused = [
        {"amount": -100, "received_at": now},
        {"amount": 0, "received_at": now},
        {"amount": 10**20, "received_at": now},
        {"amount": "1e3", "received_at": now},
        {"amount": 1000, "received_at": "2026-13-40T99:00:00+09:00"},
        {"amount": 1000, "received_at": "2026-01-01T10:00:00+99:00"},
        {"amount": 1000, "received_at": "not a time"},
    ]
    # When the office records impossible payments through the API
    for body in refused:
        response = office.post(
            f"/api/orders/{order_id}/payments/",
            {"method": "bank_transfer", **body},
            format="json",
        )
        # Then each is refused with what is wrong
        assert response.status_code == 400, (body, response.content)
    # and through the page form
    page = client_for(world.office_user)
    for amount, received_at in (("-1", "2026-01-01T10:00"), ("1000", "2026-02-30T10:00")):
        response = page.post(
            reverse("pages:order-payment-record", args=[order_id]),
            {"method": "bank_transfer", "amount": amount, "received_at": received_at},
        )
        assert response.status_code == 400, (amount, received_at)
    assert not Payment.objects.exists()
    # while a time without an offset is read in the network's zone (Asia/Tokyo)
    response = office.post(
        f"/api/orders/{order_id}/payments/",
        {"method": "bank_transfer", "amount": 1000, "received_at": "2026-04-01T09:00:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    received = Payment.objects.get().received_at
    assert received == datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.UTC)


def test_an_unknown_time_zone_and_an_inverted_period_are_refused(world):
    # Given a network and its office
    network = world.network
    network.time_zone = "Mars/Olympus_Mons"
    # Then a network cannot be given a zone that does not exist
    with pytest.raises(ValidationError) as refusal:
        network.full_clean()
    assert "time_zone" in refusal.value.message_dict
    Network.objects.filter(pk=network.pk).update(time_zone="Asia/Tokyo")
    # and the estimate record refuses periods that are not periods
    office = as_user(world.office_user)
    for query in (
        "?since=not-a-date",
        "?since=2026-05-01T00:00:00Z&until=2026-01-01T00:00:00Z",
        "?until=2026-02-30T00:00:00Z",
    ):
        response = office.get(f"/api/networks/{network.slug}/sla/{query}")
        assert response.status_code == 400, query


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[" * 50_000 + "]" * 50_000, "application/json"),
        ('["a", "list"]', "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe\x00{", "application/json"),
        ('{"title": "x"}', "text/plain"),
        # A NUL in a slug the API looks up: PostgreSQL cannot even compare it with text.
        ('{"network": "n\\u0000", "title": "x"}', "application/json"),
        ("network=n%00&title=x", "application/x-www-form-urlencoded"),
    ],
    ids=["broken", "nested-deep", "a-list", "null", "not-utf8", "wrong-type", "nul", "nul-form"],
)
def test_malformed_bodies_are_refused_not_crashed(world, body, content_type):
    # When a submission's body is not the JSON object the API reads
    response = as_user(world.customer).post("/api/rfqs/", data=body, content_type=content_type)
    # Then it is a 4xx with a message, not a server error, and nothing is saved
    assert 400 <= response.status_code < 500, response.status_code
    assert response.json()
    assert not RFQ.objects.exists()


def zip_bomb() -> bytes:
    """A 100 MB file of zeros, compressed to about 100 kB."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w") as member,
    ):
        chunk = b"\0" * 1_048_576
        for _ in range(100):
            member.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["bomb.zip", "bomb.pdf", "bomb.stl", "bomb.step"])
def test_an_archive_bomb_is_refused_without_being_opened(world, name):
    # Given a request and a zip bomb under several names
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    bomb = zip_bomb()
    assert len(bomb) < 500_000
    # When the customer attaches it
    started = time.monotonic()
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/attachments/",
        {"file": SimpleUploadedFile(name, bomb)},
        format="multipart",
    )
    # Then it is refused by its content, quickly: nothing was decompressed
    assert response.status_code == 400, response.json()
    assert "file" in response.json()
    assert time.monotonic() - started < 5
    assert not Drawing.objects.exists()


def test_a_path_in_a_file_name_sent_through_the_page_form_is_stripped(world, private_files):
    # Given a customer's request
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    # When the page form uploads a file whose name climbs out of any folder
    upload = SimpleUploadedFile("..\\..\\windows\\system32\\..\\evil.pdf", PDF)
    response = client_for(world.customer).post(
        reverse("pages:request-drawings", args=[rfq["id"]]), {"drawings": [upload]}
    )
    # Then the drawing keeps only its own name and lives under the private folder
    assert response.status_code == 302
    drawing = Drawing.objects.get()
    assert drawing.original_name == "evil.pdf"
    stored = (private_files / drawing.file.name).resolve()
    assert stored.is_relative_to(private_files) and ".." not in drawing.file.name


def test_the_submit_form_sent_twice_creates_one_request(world):
    # Given the submit page, which carries an idempotency key in a hidden field
    browser = client_for(world.customer)
    path = reverse("pages:submit", args=[world.network.slug])
    page = browser.get(path).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert key not in browser.get(path).content.decode()  # a fresh form, a fresh key
    form = request_form_data({"process.machining.milling": 3}, idempotency_key=key)
    # When the same form is sent twice (a double click, a resend after a timeout)
    first = browser.post(path, form)
    second = browser.post(path, form)
    # Then one request exists, and both answers lead to it
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert RFQ.objects.count() == 1
    route_waiting_requests()
    # while a form drawn anew submits a new request
    form["idempotency_key"] = "another-form"
    assert browser.post(path, form).status_code == 302
    assert RFQ.objects.count() == 2
