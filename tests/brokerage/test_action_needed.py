"""What waits on the customer: the section their lists open with, and the same list in the API."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from brokerage.models import GroupProposal
from brokerage.services.designation import proposal_submit
from orders.models import Delivery, Estimate, Order
from orders.services.deliveries import delivery_receive
from orders.services.payments import invoice_issue
from tests.kit.factories import CustomerFactory, OrderInProductionFactory
from tests.kit.steps import as_user, client_for, estimate_sent_to_customer, pay, routed
from tests.kit.worlds import kyoto_world, ota_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def sent_estimate(world, title: str, *, valid_days: int = 30) -> Estimate:
    """A request of the world's customer, Fushimi designated, its estimate of ¥100,000 sent."""
    return estimate_sent_to_customer(world, "fushimi", title=title, valid_days=valid_days)


def order_in_production(world, title: str) -> Order:
    return OrderInProductionFactory(
        world=world, leader="fushimi", team={"fushimi": 10_000}, subtotal=200_000, title=title
    )


def shipped(world, order: Order, description: str) -> Delivery:
    return Delivery.objects.create(
        order=order,
        firm=world.firms["fushimi"],
        description=description,
        recorded_by=world.office_user,
    )


def waiting_world(world):
    """The customer has an estimate to accept, a delivery to confirm and an invoice to pay."""
    estimate = sent_estimate(world, "Aluminium bracket")
    delivered = order_in_production(world, "Milled shafts")
    delivery = shipped(world, delivered, "First 10 shafts")
    invoiced = order_in_production(world, "Turned rings")
    invoice = invoice_issue(order_id=invoiced.pk, user=world.office_user)
    return estimate, delivery, invoice


def test_the_customers_list_opens_with_what_waits_on_them(world):
    # Given an estimate to accept, a delivery to confirm and an invoice to pay
    estimate, delivery, invoice = waiting_world(world)
    # When the customer opens their requests (their home)
    page = client_for(world.customer).get(reverse("pages:request-list")).content.decode()
    # Then the list opens with the three, each with what to do and where
    section = page[page.index('id="action-needed"') : page.index("</section>")]
    assert page.index('id="action-needed"') < page.index('class="filters"')
    assert section.count('<li class="row') == 3
    assert "Accept or decline the estimate" in section
    assert f"{reverse('pages:request', args=[estimate.rfq_id])}#estimate" in section
    assert "Confirm that you received the delivery" in section and "First 10 shafts" in section
    assert f"{reverse('pages:order', args=[delivery.order_id])}#deliveries" in section
    assert "Pay the invoice" in section and invoice.number in section
    assert reverse("pages:order-invoice", args=[invoice.order_id]) in section
    # with the money at stake, tax included, and the invoice's due date
    assert "¥110,000" in section and "¥220,000" in section
    with translation.override("en"):
        assert f"due by {date_format(invoice.due_on, 'DATE_FORMAT')}" in section


def test_the_api_lists_the_same_things_as_the_page(world):
    # Given an estimate to accept, a delivery to confirm and an invoice to pay
    estimate, delivery, invoice = waiting_world(world)
    # When the customer asks the API
    response = as_user(world.customer).get("/api/me/action-needed/")
    # Then it lists the same three, the soonest due first, with what each is about
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    kinds = [(item["kind"], item["subject"]) for item in body["results"]]
    assert sorted(kinds) == sorted(
        [("estimate", estimate.pk), ("delivery", delivery.pk), ("invoice", invoice.pk)]
    )
    due = [item["due_on"] for item in body["results"] if item["due_on"]]
    assert due == sorted(due) and len(due) == 2
    by_kind = {item["kind"]: item for item in body["results"]}
    assert by_kind["invoice"]["amount"] == 220_000
    assert by_kind["invoice"]["due_on"] == invoice.due_on.isoformat()
    assert by_kind["estimate"]["amount"] == 110_000
    assert by_kind["delivery"]["order"] == delivery.order_id
    # And the page counts as many
    page = client_for(world.customer).get(reverse("pages:request-list")).content.decode()
    assert f'<span class="tag">{body["count"]}</span>' in page


def test_what_is_done_no_longer_waits(world):
    # Given an estimate to accept, a delivery to confirm and an invoice to pay
    estimate, delivery, invoice = waiting_world(world)
    client = as_user(world.customer)
    # When the customer accepts, confirms receipt and pays in full
    assert client.post(f"/api/estimates/{estimate.pk}/accept/").status_code == 200
    delivery_receive(order_id=delivery.order_id, delivery_id=delivery.pk, user=world.customer)
    invoiced = Order.objects.get(pk=invoice.order_id)
    pay(world, invoiced, invoiced.total - 1)
    # Then only the yen still owed waits
    body = client.get("/api/me/action-needed/").json()
    assert [(item["kind"], item["amount"]) for item in body["results"]] == [("invoice", 1)]
    pay(world, invoiced, 1)
    assert client.get("/api/me/action-needed/").json() == {"count": 0, "results": []}
    page = client_for(world.customer).get(reverse("pages:request-list")).content.decode()
    assert 'id="action-needed"' not in page


def test_an_estimate_past_its_validity_is_not_asked_for(world, clock):
    # Given an estimate valid until today
    sent_estimate(world, "Too late", valid_days=0)
    assert as_user(world.customer).get("/api/me/action-needed/").json()["count"] == 1
    # When the day is over, it can no longer be accepted: it is not asked for
    clock.advance(days=1)
    assert as_user(world.customer).get("/api/me/action-needed/").json()["count"] == 0


def test_nobody_else_sees_what_waits_on_the_customer(world):
    # Given everything waiting on the world's customer
    waiting_world(world)
    # Then another customer, the office and the leader's firm have nothing waiting on them
    for person in (CustomerFactory(), world.office_user, world.users["fushimi"]):
        assert as_user(person).get("/api/me/action-needed/").json()["count"] == 0
    page = client_for(CustomerFactory()).get(reverse("pages:request-list")).content.decode()
    assert 'id="action-needed"' not in page
    # And a visitor is asked to log in
    assert as_user(None).get("/api/me/action-needed/").status_code == 401


def test_the_order_list_opens_with_the_deliveries_and_invoices_waiting(world):
    # Given an estimate to accept, a delivery to confirm and an invoice to pay
    waiting_world(world)
    # When the customer opens their orders
    page = client_for(world.customer).get(reverse("pages:order-list")).content.decode()
    # Then the orders' two come first; the estimate waits on the requests' list
    section = page[page.index('id="action-needed"') : page.index("</section>")]
    assert section.count('<li class="row') == 2
    assert "Confirm that you received the delivery" in section and "Pay the invoice" in section
    assert "Accept or decline the estimate" not in section


def test_proposals_to_choose_from_wait_on_the_customer():
    # Given a request two coordinator groups proposed on
    world = ota_world()
    rfq = routed(world, "process.machining.milling", "material.aluminium", title="Housing")
    for key in ("north", "south"):
        proposal = GroupProposal.objects.get(rfq=rfq, group=world.groups[key])
        proposal_submit(
            proposal_id=proposal.pk,
            user=world.users[f"{key}_coordinator"],
            price=100_000,
            lead_time_days=10,
        )
    # When the customer asks what waits on them
    body = as_user(world.customer).get("/api/me/action-needed/").json()
    # Then it is one choice on the request, among two proposals
    assert body["count"] == 1
    (item,) = body["results"]
    assert (item["kind"], item["subject"], item["detail"]) == ("proposals", rfq.pk, "2 proposals")
    assert item["link"] == f"{reverse('pages:request', args=[rfq.pk])}#proposals"
