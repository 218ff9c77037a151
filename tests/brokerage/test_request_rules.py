"""Who sees which request, and how bad input and wrong-state steps are refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from brokerage.models import Invitation
from orders.models import RFQ, Drawing
from tests.kit.factories import CustomerFactory
from tests.kit.steps import as_user, route_waiting_requests, submit
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_customer_sees_only_their_own_requests():
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    stranger = as_user(CustomerFactory())
    assert stranger.get(f"/api/rfqs/{rfq['id']}/").status_code == 404
    assert stranger.get("/api/rfqs/").json()["count"] == 0
    assert as_user(world.customer).get("/api/rfqs/").json()["count"] == 1


def test_a_firm_sees_only_requests_routed_to_it():
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    assert as_user(world.users["fushimi"]).get(f"/api/rfqs/{rfq['id']}/").status_code == 200
    yawata = as_user(world.users["yawata"])  # resin only: not routed
    assert yawata.get(f"/api/rfqs/{rfq['id']}/").status_code == 404
    assert yawata.get("/api/rfqs/").json()["count"] == 0
    # and an invited firm sees its own invitation only
    listed = as_user(world.users["fushimi"]).get(f"/api/rfqs/{rfq['id']}/invitations/").json()
    assert [row["firm"] for row in listed["results"]] == [world.firms["fushimi"].pk]
    assert (
        as_user(world.office_user).get(f"/api/rfqs/{rfq['id']}/invitations/").json()["count"] == 2
    )


def test_an_anonymous_caller_is_refused():
    assert APIClient().get("/api/rfqs/").status_code in (401, 403)
    assert APIClient().post("/api/rfqs/", {}, format="json").status_code in (401, 403)


def test_confidential_details_only_after_the_nda():
    # Given a confidential request in a network that requires an NDA
    world = rodan_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}], confidential=True)
    as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/attachments/",
        {"file": SimpleUploadedFile("housing.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    # When a firm without the NDA is invited anyway (say, by an earlier routing)
    Invitation.objects.create(rfq_id=rfq["id"], firm=world.firms["cluster_no_nda"], rank=9)
    no_nda = as_user(world.users["cluster_no_nda"])
    body = no_nda.get(f"/api/rfqs/{rfq['id']}/").json()
    # Then it sees the request exists but neither its description nor its drawings
    assert "Confidential" in body["description"]
    assert body["drawings"] == []
    drawing = Drawing.objects.get(rfq_id=rfq["id"])
    url = f"/api/rfqs/{rfq['id']}/attachments/{drawing.pk}/download/"
    assert no_nda.get(url).status_code == 404
    # While the customer downloads the drawing
    response = as_user(world.customer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"budget_min": 5000, "budget_max": 100}, "budget_max"),
        ({"budget_max": -1}, "budget_max"),
        ({"desired_date": "2001-01-01"}, "desired_date"),
        ({"desired_date": "2026-02-30"}, "desired_date"),
        ({"kind": "teleportation"}, "kind"),
        ({"network": "nowhere"}, "network"),
        ({"title": ""}, "title"),
        (
            {"requirements": [{"capability": "process.machining.milling", "min_grade": 9}]},
            "requirements",
        ),
    ],
)
def test_invalid_submissions_are_refused_with_a_message_per_field(body, field):
    world = kyoto_world()
    request = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Two pieces",
        **body,
    }
    response = as_user(world.customer).post("/api/rfqs/", request, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert RFQ.objects.count() == 0


def test_an_unknown_capability_is_named_in_the_refusal():
    world = kyoto_world()
    response = as_user(world.customer).post(
        "/api/rfqs/",
        {
            "network": world.network.slug,
            "title": "Bracket",
            "description": "x",
            "requirements": [{"capability": "process.teleportation"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "process.teleportation" in response.json()["detail"]
    assert RFQ.objects.count() == 0


def test_malformed_json_is_a_400():
    world = kyoto_world()
    response = as_user(world.customer).post(
        "/api/rfqs/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("drawing.pdf", b"#!/bin/sh\nrm -rf /\n", "does not contain PDF data"),
        ("drawing.exe", b"MZ\x90\x00", "not a drawing format"),
        ("model.stl", b"PK\x03\x04" + b"\x00" * 200, "does not contain STL data"),
        ("empty.png", b"", ""),
    ],
)
def test_disguised_or_bad_uploads_are_refused(name, content, message):
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert message in str(response.json())
    assert not Drawing.objects.exists()


def test_a_path_in_the_file_name_is_stripped(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF)
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    drawing = Drawing.objects.get()
    assert drawing.original_name == "passwd.pdf"
    assert ".." not in drawing.file.name
    assert (tmp_path / drawing.file.name).resolve().is_relative_to(tmp_path)


def test_an_oversized_upload_is_refused(settings):
    settings.MAX_DRAWING_BYTES = 1024
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    big = io.BytesIO(PDF + b"0" * 2048)
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/attachments/",
        {"file": SimpleUploadedFile("big.pdf", big.getvalue())},
        format="multipart",
    )
    assert response.status_code == 400
    assert "limit" in str(response.json())


def test_a_step_from_the_wrong_state_changes_nothing():
    world = kyoto_world()
    rfq = submit(world, [{"capability": "process.machining.milling"}])
    office = as_user(world.office_user)
    # No estimate before a leader
    response = office.post(
        f"/api/rfqs/{rfq['id']}/estimates/",
        {
            "lines": [{"firm": world.firms["fushimi"].pk, "description": "x", "amount": 1}],
            "lead_time_days": 1,
            "valid_until": "2099-01-01",
        },
        format="json",
    )
    assert response.status_code == 409
    # A customer cannot designate a leader in a broadcast network
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq['id']}/leader/", {"firm": world.firms["fushimi"].pk, "reason": "urgent"}
    )
    assert response.status_code == 403
    # A 'can do' without a price is refused per field
    invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms["fushimi"])
    response = as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/", {"can_do": True}
    )
    assert response.status_code == 400
    assert "price" in response.json()
    # Another firm cannot answer this firm's invitation
    response = as_user(world.users["uji"]).post(
        f"/api/invitations/{invitation.pk}/answer/", {"can_do": False}
    )
    assert response.status_code == 404
    rfq_row = RFQ.objects.get(pk=rfq["id"])
    assert rfq_row.status == "routed" and rfq_row.leader_firm is None


def test_the_office_keys_in_a_fax_request_for_a_new_customer():
    world = kyoto_world()
    response = as_user(world.office_user).post(
        "/api/rfqs/",
        {
            "network": world.network.slug,
            "title": "Shaft from a faxed drawing",
            "description": "See fax of 3 March.",
            "channel": "fax",
            "requirements": [{"capability": "process.machining.turning"}],
            "new_customer": {
                "name": "Suzuki Ichiro",
                "email": "suzuki@lab.example.ac.jp",
                "organization": "Kyoto Univ. lab",
                "customer_type": "university",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    rfq = RFQ.objects.get(pk=response.json()["id"])
    assert rfq.channel == "fax"
    assert rfq.entered_by == world.office_user
    assert rfq.customer.email == "suzuki@lab.example.ac.jp"
    assert not rfq.customer.has_usable_password()
    # while a customer cannot claim a fax came in
    response = as_user(world.customer).post(
        "/api/rfqs/",
        {"network": world.network.slug, "title": "x", "description": "y", "channel": "fax"},
        format="json",
    )
    assert response.status_code == 403


def test_a_retried_submission_with_the_same_key_creates_one_request():
    # Given a customer whose browser retries a submission (a double click, a timeout)
    world = kyoto_world()
    client = as_user(world.customer)
    body = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Two pieces",
        "requirements": [{"capability": "process.machining.milling"}],
    }
    # When the same submission arrives twice with one idempotency key
    first = client.post("/api/rfqs/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    second = client.post("/api/rfqs/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    # Then one request exists, and both answers name it
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert RFQ.objects.count() == 1
    route_waiting_requests()
    assert Invitation.objects.count() == 2
    # while another key is another request
    third = client.post("/api/rfqs/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-124")
    assert third.json()["id"] != first.json()["id"]
