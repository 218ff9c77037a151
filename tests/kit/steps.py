"""The given/when/then steps many test modules take: through the API, through the pages
(as a person with a browser would) and through the services.

Each step does what a person or the worker would do and asserts that it worked, so that a
test reads as its story; a test that expects a refusal calls the endpoint itself.
"""

import datetime
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.models import Deadline, Invitation
from brokerage.services.designation import leader_designate
from brokerage.services.estimates import EstimateLineInput, estimate_create, estimate_send
from brokerage.services.intake import RequirementInput, RFQInput, rfq_route_submitted, rfq_submit
from capabilities.models import Capability
from orders.models import (
    RFQ,
    Allocation,
    Estimate,
    FaultClaim,
    Invoice,
    LedgerEntry,
    LedgerPosting,
    Order,
    Payment,
    Refund,
)
from orders.services import teams
from orders.services.ledger import debit_balance
from tests.kit.factories import AcceptedOrderFactory, PaymentFactory

# --- Requests through the API -----------------------------------------------------------


def valid_until(days: int = 30) -> str:
    """Return the date an estimate stays valid until, `days` after today (ISO format).

    Read at the call, not when the module is imported, so that a pinned clock moves it.
    """
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def route_waiting_requests() -> None:
    """Route what a submission left for the worker, as the routing task does after commit."""
    for rfq_id in RFQ.objects.filter(status="submitted").values_list("id", flat=True):
        rfq_route_submitted(rfq_id=rfq_id)


def submit(world, requirements, **fields) -> dict:
    """Submit a request as the world's customer through the API, route it; return it."""
    body = {
        "network": world.network.slug,
        "title": "Aluminium housing, 5 pieces",
        "description": "Milled from A5052, anodized black.",
        "quantity": 5,
        "requirements": requirements,
        **fields,
    }
    client = as_user(world.customer)
    response = client.post("/api/rfqs/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    route_waiting_requests()
    return client.get(f"/api/rfqs/{response.json()['id']}/").json()


def send_estimate(client, rfq_id, firm_id, amount=100_000) -> dict:
    """Compose an estimate of one line and send it, as `client`; return it as composed."""
    response = client.post(
        f"/api/rfqs/{rfq_id}/estimates/",
        {
            "lines": [{"firm": firm_id, "description": "Machining", "amount": amount}],
            "lead_time_days": 10,
            "valid_until": valid_until(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    estimate = response.json()
    response = client.post(f"/api/estimates/{estimate['id']}/send/")
    assert response.status_code == 200, response.json()
    return estimate


def accept(world, estimate_id) -> int:
    """Accept the estimate as the world's customer; return the order's id."""
    response = as_user(world.customer).post(f"/api/estimates/{estimate_id}/accept/")
    assert response.status_code == 200, response.json()
    return response.json()["order"]


def make_due(rfq_id: int, *kinds: str) -> None:
    """Move the request's deadlines of these kinds to a second ago, so that they fire."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Deadline.objects.filter(rfq_id=rfq_id, kind__in=kinds).update(due_at=past)


# --- Requests through the services ------------------------------------------------------


def submit_and_route(**submission) -> RFQ:
    """Submit through the intake service, then route as the worker does after commit."""
    rfq = rfq_submit(**submission)
    rfq_route_submitted(rfq_id=rfq.pk)
    return RFQ.objects.get(pk=rfq.pk)


def routed(world, *codes, title="Bracket", **fields) -> RFQ:
    """Submit a request needing these capability codes as the world's customer; route it."""
    return submit_and_route(
        network=world.network,
        customer=world.customer,
        data=RFQInput(
            title=title,
            description="Milled from A5052.",
            requirements=tuple(RequirementInput(capability_code=code) for code in codes),
            **fields,
        ),
    )


def estimate_sent_to_customer(
    world, leader: str, *, title="Bracket", amounts=(100_000,), lead_time_days=10, valid_days=30
) -> Estimate:
    """Route a milling request of the world's customer, designate `leader` (a firm key) on
    the office's urgent authority, and send an estimate of a line per amount (services)."""
    rfq = routed(world, "process.machining.milling", title=title)
    leader_designate(
        rfq_id=rfq.pk, firm_id=world.firms[leader].pk, reason="urgent", user=world.office_user
    )
    estimate = estimate_create(
        rfq_id=rfq.pk,
        user=world.office_user,
        lines=[
            EstimateLineInput(
                firm_id=world.firms[leader].pk, description=f"Work {index}", amount=amount
            )
            for index, amount in enumerate(amounts, start=1)
        ],
        lead_time_days=lead_time_days,
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
    )
    return estimate_send(estimate_id=estimate.pk, user=world.office_user)


# --- Through the pages ------------------------------------------------------------------

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
        "valid_until": valid_until(),
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
    """Accept the sent estimate as the customer does: its button, then the confirmation's."""
    page = client.get(reverse("pages:request", args=[rfq.pk]))
    estimate = Estimate.objects.get(rfq=rfq, status=Estimate.Status.SENT)
    confirm = reverse("pages:estimate-accept", args=[estimate.pk])
    assert confirm in page.content.decode()
    confirmation = client.get(confirm)
    assert confirmation.status_code == 200
    assert f'action="{confirm}"' in confirmation.content.decode()
    response = client.post(confirm)
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


def team_post(rows: list[dict]) -> dict:
    """Return the team form's fields for rows of a part each (firm, package, quantity …)."""
    data = {
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name in (
            "firm",
            "role",
            "work_package",
            "quantity",
            "share_percent",
            "amount",
            "planned_start",
            "planned_finish",
        ):
            data[f"members-{index}-{name}"] = str(row.get(name, ""))
        data[f"members-{index}-role"] = row.get("role", "member")
    return data


# --- Orders, teams and money ------------------------------------------------------------

# The Migakiya world's firms that make up the usual team (see `in_production`).
THREE = ("admin1", "polisher1", "polisher2")


def accepted_migakiya_order(world, *, lines: dict[str, int], quantity: int = 300) -> int:
    """Drive a request through the board, the leader and the estimate to an order (API).

    `lines` maps firm keys to their estimate amounts; admin1 leads. Returns the order's id.
    """
    rfq = submit(
        world,
        [{"capability": "finish.polishing.mirror", "min_grade": 3}],
        title="Mirror-polished stainless cups",
        quantity=quantity,
    )
    decide = f"/api/rfqs/{rfq['id']}/decision/"
    for admin in ("admin1", "admin3"):
        assert as_user(world.users[admin]).post(decide, {"accept": True}).status_code == 200
    for key in ("polisher1", "polisher2"):
        invitation = Invitation.objects.get(rfq_id=rfq["id"], firm=world.firms[key])
        response = as_user(world.users[key]).post(
            f"/api/invitations/{invitation.pk}/answer/",
            {"can_do": True, "price": lines.get(key, 50_000), "lead_time_days": 10},
        )
        assert response.status_code == 200, response.json()
    leader = as_user(world.users["admin1"])
    response = leader.post(
        f"/api/rfqs/{rfq['id']}/leader/",
        {"firm": world.firms["admin1"].pk, "reason": "discussion"},
    )
    assert response.status_code == 200, response.json()
    response = leader.post(
        f"/api/rfqs/{rfq['id']}/estimates/",
        {
            "lines": [
                {
                    "firm": world.firms[key].pk,
                    "description": f"Mirror polishing by {key}",
                    "work_package": f"Polishing ({key})",
                    "amount": amount,
                }
                for key, amount in lines.items()
            ],
            "lead_time_days": 14,
            "valid_until": valid_until(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    estimate = response.json()
    assert leader.post(f"/api/estimates/{estimate['id']}/send/").status_code == 200
    return accept(world, estimate["id"])


def share_team(world, shares: dict[str, int]) -> list[teams.TeamMemberInput]:
    """Return the team service's input: each firm key's part, by share in basis points."""
    return [
        teams.TeamMemberInput(
            firm_id=world.firms[key].pk, work_package=f"Polishing by {key}", share_bps=share
        )
        for key, share in shares.items()
    ]


def in_production(world, order: Order, shares: dict[str, int] | None = None) -> Order:
    """Assemble a team by shares and have every firm confirm: the order is in production."""
    shares = shares or {"admin1": 2000, "polisher1": 3000, "polisher2": 5000}
    teams.team_set(order_id=order.pk, user=world.office_user, members=share_team(world, shares))
    for key in shares:
        teams.team_member_answer(order_id=order.pk, user=world.users[key], accept=True)
    order.refresh_from_db()
    assert order.status == Order.Status.IN_PRODUCTION
    return order


def pay(world, order: Order, amount: int) -> Payment:
    """Record a bank transfer of `amount` as the office: split and posted by the service."""
    return PaymentFactory(order=order, user=world.office_user, amount=amount)


def given_a_paid_order(
    world, *, subtotal: int = 100_000, shares: dict[str, int] | None = None, paid=None
) -> Order:
    """Return an order of the world's in production, its team confirmed by `shares` (see
    `in_production`), on which the office recorded a transfer of `paid` yen (the whole
    total unless said): split among the team and posted to the ledger by the services."""
    order = in_production(world, AcceptedOrderFactory(world=world, subtotal=subtotal), shares)
    pay(world, order, order.total if paid is None else paid)
    return order


def money_rows() -> tuple[int, ...]:
    """Count every money record, to show that a refused step wrote nothing."""
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        Refund.objects.count(),
        FaultClaim.objects.count(),
        Invoice.objects.count(),
        LedgerPosting.objects.count(),
        LedgerEntry.objects.count(),
    )


def ledger_is_balanced() -> bool:
    """Return whether every posting, and so the whole ledger, has debits equal to credits."""
    postings = LedgerEntry.objects.values_list("posting_id", flat=True).distinct()
    return all(
        debit_balance(LedgerEntry.objects.filter(posting_id=posting)) == 0 for posting in postings
    ) and (debit_balance(LedgerEntry.objects.all()) == 0)
