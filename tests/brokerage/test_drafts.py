"""A customer's draft: saved incomplete, edited, completed and submitted (its clock starting
then, through the one submission path), or deleted, through the API and the pages."""

import pytest
from django.urls import reverse

from brokerage.models import Deadline
from orders.models import RFQ, Drawing, Event
from tests.kit.clock import tokyo
from tests.kit.factories import CustomerFactory
from tests.kit.steps import (
    as_user,
    client_for,
    pdf,
    request_form_data,
    route_waiting_requests,
)
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def draft_through_api(world, **fields) -> dict:
    response = as_user(world.customer).post(
        "/api/rfqs/",
        {"network": world.network.slug, "title": "Bracket", "draft": True, **fields},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_draft_is_saved_incomplete_without_a_clock(world, clock):
    # When the customer saves a request as a draft, with no description yet
    draft = draft_through_api(world)
    # Then it is a draft with no submission time, no deadline and no timeline
    assert draft["status"] == "draft"
    assert draft["submitted_at"] is None and draft["estimate_due_at"] is None
    assert not Deadline.objects.filter(rfq_id=draft["id"]).exists()
    assert not Event.objects.filter(rfq_id=draft["id"]).exists()
    # And a request submitted outright still needs its description
    response = as_user(world.customer).post(
        "/api/rfqs/", {"network": world.network.slug, "title": "Bracket"}, format="json"
    )
    assert response.status_code == 400
    assert "description" in response.json()


def test_a_draft_is_completed_then_submitted_its_clock_starting_at_submission(world, clock):
    # Given a draft saved on Wednesday at 10:00, completed at 11:00 with a drawing attached
    draft = draft_through_api(world)
    customer = as_user(world.customer)
    clock.set(tokyo(2026, 11, 18, 11, 0))
    response = customer.patch(
        f"/api/rfqs/{draft['id']}/",
        {
            "description": "Milled from A5052.",
            "requirements": [{"capability": "process.machining.milling", "min_grade": 2}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Bracket"
    assert response.json()["requirements"][0]["min_grade"] == 2
    attached = customer.post(
        f"/api/rfqs/{draft['id']}/attachments/", {"file": pdf()}, format="multipart"
    )
    assert attached.status_code == 201, attached.json()
    # When it is submitted at 11:30
    clock.set(tokyo(2026, 11, 18, 11, 30))
    response = customer.post(f"/api/rfqs/{draft['id']}/submit/")
    # Then it is submitted now, its estimate due two hours later, as a fresh request is
    assert response.status_code == 200, response.json()
    submitted = response.json()
    assert submitted["status"] == "submitted"
    rfq = RFQ.objects.get(pk=draft["id"])
    assert rfq.submitted_at == tokyo(2026, 11, 18, 11, 30)
    assert rfq.estimate_due_at == tokyo(2026, 11, 18, 13, 30)
    assert Deadline.objects.filter(rfq=rfq).count() == 3
    event = Event.objects.get(rfq=rfq, kind="rfq.submitted")
    assert event.data["requirements"] == ["process.machining.milling"]
    # And it is routed to the members with the skill
    route_waiting_requests()
    rfq.refresh_from_db()
    assert rfq.status == "routed"
    assert rfq.invitations.exists()
    # And it is no longer a draft: submitting, editing or deleting it again is refused
    assert customer.post(f"/api/rfqs/{rfq.pk}/submit/").status_code == 409
    assert customer.patch(f"/api/rfqs/{rfq.pk}/", {"title": "x"}, format="json").status_code == 409
    assert customer.delete(f"/api/rfqs/{rfq.pk}/").status_code == 409


def test_an_incomplete_draft_is_not_submitted(world):
    draft = draft_through_api(world)
    response = as_user(world.customer).post(f"/api/rfqs/{draft['id']}/submit/")
    assert response.status_code == 400
    assert "description" in response.json()
    assert RFQ.objects.get(pk=draft["id"]).status == "draft"


def test_a_draft_is_deleted_with_its_drawings(world, django_capture_on_commit_callbacks):
    # Given a draft with a drawing
    draft = draft_through_api(world)
    customer = as_user(world.customer)
    customer.post(f"/api/rfqs/{draft['id']}/attachments/", {"file": pdf()}, format="multipart")
    drawing = Drawing.objects.get(rfq_id=draft["id"])
    # When its customer deletes it, then it is gone, and its drawing's file once committed
    with django_capture_on_commit_callbacks(execute=True):
        assert customer.delete(f"/api/rfqs/{draft['id']}/").status_code == 204
    assert not RFQ.objects.filter(pk=draft["id"]).exists()
    assert not drawing.file.storage.exists(drawing.file.name)


def test_only_its_customer_changes_a_draft(world):
    draft = draft_through_api(world)
    url = f"/api/rfqs/{draft['id']}/"
    # Neither the office (which sees a request once submitted) nor another customer finds it
    office = as_user(world.office_user)
    assert office.patch(url, {"title": "x"}, format="json").status_code == 404
    assert office.post(f"{url}submit/").status_code == 404
    assert office.delete(url).status_code == 404
    other = as_user(CustomerFactory())
    assert other.patch(url, {"title": "x"}, format="json").status_code == 404
    assert other.delete(url).status_code == 404
    assert RFQ.objects.get(pk=draft["id"]).title == "Bracket"


# --- Through the pages ------------------------------------------------------------------


def test_a_draft_saved_on_the_submit_page_is_completed_and_submitted_from_its_page(world, clock):
    customer = client_for(world.customer)
    # When the customer saves the form as a draft, without a description
    response = customer.post(
        reverse("pages:submit", args=[world.network.slug]),
        {**request_form_data(description=""), "save_draft": "1"},
    )
    rfq = RFQ.objects.get(customer=world.customer)
    assert response.status_code == 302
    assert rfq.status == "draft"
    # Then their list shows it as a draft, leading to its page
    listing = customer.get(reverse("pages:request-list")).content.decode()
    assert "Draft" in listing and reverse("pages:request", args=[rfq.pk]) in listing
    # And its page is the form, filled in as they left it
    page = customer.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    assert 'value="Aluminium housing, 5 pieces"' in page
    # When they complete and submit it at 11:30
    clock.set(tokyo(2026, 11, 18, 11, 30))
    response = customer.post(
        reverse("pages:draft", args=[rfq.pk]),
        {**request_form_data({"process.machining.milling": 1}), "submit": "1"},
    )
    # Then it is submitted now, with its estimate due two hours later
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.status == "submitted"
    assert rfq.submitted_at == tokyo(2026, 11, 18, 11, 30)
    assert rfq.estimate_due_at == tokyo(2026, 11, 18, 13, 30)
    assert list(rfq.requirements.values_list("capability__code", flat=True)) == [
        "process.machining.milling"
    ]


def test_a_draft_submitted_on_its_page_needs_what_a_request_needs(world):
    customer = client_for(world.customer)
    customer.post(
        reverse("pages:submit", args=[world.network.slug]),
        {**request_form_data(description=""), "save_draft": "1"},
    )
    rfq = RFQ.objects.get(customer=world.customer)
    # When they submit it still without a description or a capability (this network needs one)
    response = customer.post(
        reverse("pages:draft", args=[rfq.pk]), {**request_form_data(description=""), "submit": "1"}
    )
    # Then the form comes back saying so, and the draft stays a draft
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Tick at least one capability" in page
    assert RFQ.objects.get(pk=rfq.pk).status == "draft"


def test_a_draft_is_saved_again_then_deleted_on_its_page(world):
    customer = client_for(world.customer)
    customer.post(
        reverse("pages:submit", args=[world.network.slug]),
        {**request_form_data(description=""), "save_draft": "1"},
    )
    rfq = RFQ.objects.get(customer=world.customer)
    response = customer.post(
        reverse("pages:draft", args=[rfq.pk]),
        {**request_form_data(title="Bracket, revised", description=""), "save_draft": "1"},
    )
    assert response.status_code == 302
    assert RFQ.objects.get(pk=rfq.pk).title == "Bracket, revised"
    # Another person cannot delete it; its customer can
    assert client_for(world.office_user).post(
        reverse("pages:draft-delete", args=[rfq.pk])
    ).status_code in (403, 404)
    response = customer.post(reverse("pages:draft-delete", args=[rfq.pk]))
    assert response.status_code == 302
    assert not RFQ.objects.filter(pk=rfq.pk).exists()


def test_the_office_sees_a_request_once_it_is_submitted_not_as_a_draft(world):
    # Given a customer's draft
    draft = draft_through_api(world, description="Half written")
    office = as_user(world.office_user)
    # Then the office finds it neither in its list nor by its id, on the API or its pages
    assert draft["id"] not in [row["id"] for row in office.get("/api/rfqs/").json()["results"]]
    assert office.get(f"/api/rfqs/{draft['id']}/").status_code == 404
    page = client_for(world.office_user).get(reverse("pages:request", args=[draft["id"]]))
    assert page.status_code == 404
    # When the customer submits it
    response = as_user(world.customer).post(f"/api/rfqs/{draft['id']}/submit/")
    assert response.status_code == 200, response.json()
    # Then the office sees it
    assert office.get(f"/api/rfqs/{draft['id']}/").status_code == 200
