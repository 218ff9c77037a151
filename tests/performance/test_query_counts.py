"""Every main list page and API list endpoint costs the same queries whatever its length.

Each is read as the person who uses it with two requests (and two extra member firms) in
the network, then again with eight: the number of queries must not change, while the
page shows more rows. `python -m bench pages` reports the same counts at national scale.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerage.services.intake import RequirementInput, RFQInput
from members.models import Membership
from orders.models import Delivery, Estimate
from orders.services.payments import invoice_issue
from orders.services.timeline import message_post
from tests.kit.factories import OrderInProductionFactory
from tests.kit.steps import client_for, estimate_sent_to_customer, submit_and_route
from tests.kit.worlds import add_firm, capabilities, kyoto_world

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 8


def grow(world, count: int) -> None:
    """Bring the network to `count` routed requests and `count` extra member firms.

    Each request has messages on both threads that each reader has not read yet, so that
    every list counts unread messages on each row.
    """
    milling = capabilities()["milling"]
    while len(world.firms) - 4 < count:
        add_firm(world, f"extra{len(world.firms)}", Membership.Role.MEMBER, {milling: 3})
    from orders.models import RFQ

    for index in range(RFQ.objects.filter(network=world.network).count(), count):
        rfq = submit_and_route(
            network=world.network,
            customer=world.customer,
            data=RFQInput(
                title=f"Numbered request {index}",
                description="Milled from A5052.",
                requirements=(RequirementInput(capability_code="process.machining.milling"),),
            ),
        )
        for author, audience in (
            (world.customer, "customer"),
            (world.office_user, "customer"),
            (world.office_user, "internal"),
        ):
            message_post(rfq=rfq, author=author, body="Unread here", audience=audience)


# (who reads it, the path, the text each row shows once)
LISTS = {
    "customer's request list": ("customer", "/requests/", "Numbered request"),
    "office's request list": ("office", "/requests/", "Numbered request"),
    "member's request list": ("fushimi", "/requests/", "Numbered request"),
    "office queue": ("office", "/office/queue/", "Numbered request"),
    "member's invitations": ("fushimi", "/invitations/", "Numbered request"),
    "directory": (None, "/networks/kyoto-test/firms/", "extra"),
    "directory by capability": (
        None,
        "/networks/kyoto-test/firms/?capability=process.machining.milling",
        "extra",
    ),
    "api: customer's requests": ("customer", "/api/rfqs/", "Numbered request"),
    "api: office's requests": ("office", "/api/rfqs/", "Numbered request"),
    "api: member's invitations": ("fushimi", "/api/invitations/", "Numbered request"),
    "api: member's notifications": ("fushimi", "/api/notifications/", "Numbered request"),
    "directory search": (None, "/networks/kyoto-test/firms/?q=extra", "extra"),
    "api: firms": (None, "/api/firms/?network=kyoto-test", "extra"),
    "api: firms, search": (None, "/api/firms/?network=kyoto-test&q=extra", "extra"),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_for_few_or_many_rows(name):
    # Given a network with a few requests and extra member firms
    who, path, marker = LISTS[name]
    world = kyoto_world()
    user = {"customer": world.customer, "office": world.office_user}.get(who)
    client = client_for(user if who in (None, "customer", "office") else world.users[who])

    def read() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return len(queries), response.content.decode().count(marker)

    grow(world, FEW)
    few_queries, few_rows = read()

    # When the network grows to many
    grow(world, MANY)
    many_queries, many_rows = read()

    # Then the list shows more rows for the same number of queries
    assert many_rows > few_rows > 0
    assert many_queries == few_queries


def test_what_waits_on_the_customer_costs_the_same_queries_for_few_or_many():
    # Given a customer with some of each thing that waits on them
    world = kyoto_world()
    client = client_for(world.customer)
    paths = ("/requests/", "/orders/", "/api/me/action-needed/")

    def wait(count: int) -> None:
        """Bring the customer to `count` estimates, deliveries and invoices waiting."""
        while Estimate.objects.filter(rfq__customer=world.customer).count() < count:
            estimate_sent_to_customer(world, "fushimi", title="Numbered request")
        while Delivery.objects.filter(order__customer=world.customer).count() < count:
            order = OrderInProductionFactory(
                world=world, leader="fushimi", team={"fushimi": 10_000}, title="Numbered order"
            )
            Delivery.objects.create(
                order=order, description="Numbered delivery", recorded_by=world.office_user
            )
            invoice_issue(order_id=order.pk, user=world.office_user)

    def read() -> list[tuple[int, int]]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200
            counts.append((len(queries), response.content.decode().count("Numbered")))
        return counts

    wait(FEW)
    few = read()
    # When many more wait
    wait(MANY)
    many = read()
    # Then each page and the API show more for the same number of queries
    for path, (few_queries, few_rows), (many_queries, many_rows) in zip(
        paths, few, many, strict=True
    ):
        assert many_rows > few_rows > 0, path
        assert many_queries == few_queries, path
