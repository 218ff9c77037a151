"""Steps the page tests take through the site, as a person with a browser would."""

import datetime
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Invitation
from brokerage.services.intake import rfq_route_submitted, rfq_submit
from capabilities.models import Capability
from orders.models import RFQ, Estimate
from tests.brokerage.test_request_paths import route_waiting_requests

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def client_for(user=None, *, language: str = "en") -> Client:
    """Return a test client logged in as `user` (or anonymous), reading pages in `language`."""
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def pdf(name: str = "housing.pdf") -> SimpleUploadedFile:
    """Return a small PDF; each name gives different bytes, so two files are two drawings."""
    body = PDF_BYTES + f"% {name}\n".encode()
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def request_form_data(requirements: dict[str, int] | None = None, **fields) -> dict:
    """Return the submit form's fields, with capability codes ticked at their minimum grade."""
    requirements = requirements or {}
    data = {
        "kind": "prototype",
        "title": "Aluminium housing, 5 pieces",
        "description": "Milled from A5052, anodized black.",
        "quantity": "5",
        "material": "A5052",
        "requirements": list(requirements),
        "desired_date": "",
        "budget_min": "",
        "budget_max": "",
        **fields,
    }
    for capability in Capability.objects.filter(code__in=list(requirements)):
        data[f"grade_{capability.pk}"] = str(requirements[capability.code])
    return data


def submit_request(client: Client, network, requirements=None, **fields):
    """Submit through the page, then route as the worker does right after commit."""
    response = client.post(
        reverse("pages:submit", args=[network.slug]), request_form_data(requirements, **fields)
    )
    route_waiting_requests()
    return response


def latest_rfq(world) -> RFQ:
    return RFQ.objects.filter(network=world.network).latest("id")


def invitation_of(rfq: RFQ, firm) -> Invitation:
    return Invitation.objects.get(rfq=rfq, firm=firm)


def answer(
    client: Client, invitation: Invitation, *, can_do: bool, price="", lead_time="", note=""
):
    return client.post(
        reverse("pages:invitation-answer", args=[invitation.pk]),
        {
            "can_do": "yes" if can_do else "no",
            "price": price,
            "lead_time_days": lead_time,
            "note": note,
        },
    )


def estimate_form_data(lines: list[tuple[int, str, int]], *, lead_time_days: int = 10) -> dict:
    """Return the compose form's fields for lines of (firm id, description, amount)."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lead_time_days": str(lead_time_days),
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    for index, (firm_id, description, amount) in enumerate(lines):
        data[f"lines-{index}-firm"] = str(firm_id)
        data[f"lines-{index}-work_package"] = "Machining"
        data[f"lines-{index}-description"] = description
        data[f"lines-{index}-amount"] = str(amount)
    return data


def compose_and_send(client: Client, rfq: RFQ, firm, amount: int = 100_000) -> Estimate:
    """Compose an estimate of one line through the page, then send it; return it."""
    response = client.post(
        reverse("pages:estimate-compose", args=[rfq.pk]),
        estimate_form_data([(firm.pk, "Machining and anodizing", amount)]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    estimate = Estimate.objects.filter(rfq=rfq).latest("version")
    assert estimate.status == Estimate.Status.DRAFT
    response = client.post(reverse("pages:estimate-send", args=[estimate.pk]))
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.SENT, estimate.status
    return estimate


def accept_from_request_page(client: Client, rfq: RFQ) -> None:
    page = client.get(reverse("pages:request", args=[rfq.pk]))
    estimate = Estimate.objects.get(rfq=rfq, status=Estimate.Status.SENT)
    assert reverse("pages:estimate-accept", args=[estimate.pk]) in page.content.decode()
    response = client.post(reverse("pages:estimate-accept", args=[estimate.pk]))
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.ACCEPTED


def checked_values(response, name: str) -> list[str]:
    """Return the values of the checked radio buttons or checkboxes called `name`."""
    inputs = re.findall(r"<input[^>]*>", response.content.decode())
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def field_value(response, name: str) -> str | None:
    """Return the value a text input called `name` shows, or a textarea's text."""
    html = response.content.decode()
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else ""
    match = re.search(
        rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\n?(.*?)</textarea>', html, re.S
    )
    return match.group(1) if match else None


def submit_and_route(**submission) -> RFQ:
    """Submit through the intake service, then route as the worker does after commit."""
    rfq = rfq_submit(**submission)
    rfq_route_submitted(rfq_id=rfq.pk)
    return RFQ.objects.get(pk=rfq.pk)
