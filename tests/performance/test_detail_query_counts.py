"""Every detail page and API detail costs the same queries whatever the size of its object.

An order is read as each person who sees it with a team of two and one payment, then an
order with a team of five and three payments (more estimate lines, parts, allocations,
ledger entries and events); a request with two invited firms, then with eight; a payout
batch with few lines, then with more. The number of queries must not change, and stays
within the figure measured when the repeated reads were removed (issue 17), so that a
per-row lookup, or the same rows read twice, fails here.
"""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Membership
from orders.models import ThreadRead
from orders.services import payouts
from orders.services.timeline import message_post
from tests.kit.factories import AcceptedOrderFactory, FirmBankAccountFactory
from tests.kit.steps import as_user, client_for, in_production, pay, routed
from tests.kit.worlds import add_firm, capabilities, kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db

SMALL_TEAM = {"admin1": 4_000, "polisher1": 6_000}
LARGE_TEAM = {key: 2_000 for key in ("admin1", "admin2", "admin3", "polisher1", "polisher2")}


def order_with(world, shares: dict[str, int], payments: int):
    """An order in production, its team confirmed by `shares`, paid in `payments` parts."""
    order = in_production(world, AcceptedOrderFactory(world=world), shares)
    for _ in range(payments):
        pay(world, order, order.total // payments)
    return order


def shape(sql: str) -> str:
    """The statement with its literal values taken out, to find the same query run twice."""
    return re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "S", sql))


def read(client, path: str) -> int:
    """Read `path` once; return its number of queries, none of them the same statement twice."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    shapes = Counter(shape(query["sql"]) for query in queries)
    repeated = [sql for sql, times in shapes.items() if times > 1]
    assert not repeated, "\n".join(repeated)
    return len(queries)


# (who reads it, page or API, the path with the order's id, the most queries it may take)
# A page's order threads take one query, and a team firm's place on the team one more;
# the customer's rating one more.
ORDER_DETAILS = {
    "office's order page": ("office", "page", "/orders/{}/", 22),
    "customer's order page": ("customer", "page", "/orders/{}/", 17),
    "team member's order page": ("polisher1", "page", "/orders/{}/", 19),
    "leader's order page": ("admin1", "page", "/orders/{}/", 23),
    "api: office's order": ("office", "api", "/api/orders/{}/", 8),
    "api: customer's order": ("customer", "api", "/api/orders/{}/", 7),
    "api: team member's order": ("polisher1", "api", "/api/orders/{}/", 4),
    "api: leader's order": ("admin1", "api", "/api/orders/{}/", 8),
}


@pytest.mark.parametrize("name", ORDER_DETAILS)
def test_an_order_costs_the_same_queries_for_a_small_or_large_team(name):
    # Given an order with a team of two and one payment, and one with five and three
    who, kind, path, most = ORDER_DETAILS[name]
    world = migakiya_world()
    small = order_with(world, SMALL_TEAM, 1)
    large = order_with(world, LARGE_TEAM, 3)
    user = {"office": world.office_user, "customer": world.customer}.get(who)
    user = user or world.users[who]
    client = client_for(user) if kind == "page" else as_user(user)

    # When the person reads each
    few, many = read(client, path.format(small.pk)), read(client, path.format(large.pk))

    # Then both cost the same queries, no more than measured
    assert many == few
    assert many <= most


# (who reads it, the path with the request's id, the most queries it may take)
# The promise of the request's current stage (its deadline) takes one query.
REQUEST_DETAILS = {
    "customer's request page": ("customer", "/requests/{}/", 13),
    "office's request page": ("office", "/requests/{}/", 17),
    "invited member's request page": ("fushimi", "/invitations/{}/", 19),
    "api: customer's request": ("customer", "/api/rfqs/{}/", 5),
    "api: office's request": ("office", "/api/rfqs/{}/", 6),
    "api: invited member's request": ("fushimi", "/api/rfqs/{}/", 6),
}


@pytest.mark.parametrize("name", REQUEST_DETAILS)
def test_a_request_costs_the_same_queries_for_few_or_many_invited_firms(name):
    # Given a request routed to two firms, and one routed to eight
    who, path, most = REQUEST_DETAILS[name]
    world = kyoto_world()
    few_invited = routed(world, "process.machining.milling")
    milling = capabilities()["milling"]
    for index in range(6):
        add_firm(world, f"extra{index}", Membership.Role.MEMBER, {milling: 3})
    many_invited = routed(world, "process.machining.milling")
    assert many_invited.invitations.count() > few_invited.invitations.count()
    user = {"office": world.office_user, "customer": world.customer}.get(who)
    user = user or world.users[who]
    client = as_user(user) if path.startswith("/api/") else client_for(user)

    def key(rfq) -> int:
        """A member firm reads a request on its invitation (where its request page leads)."""
        if path.startswith("/invitations/"):
            return rfq.invitations.get(firm=world.firms[who]).pk
        return rfq.pk

    # When the person reads each
    few = read(client, path.format(key(few_invited)))
    many = read(client, path.format(key(many_invited)))

    # Then both cost the same queries, no more than measured
    assert many == few
    assert many <= most


@pytest.mark.parametrize("who", ["customer", "office", "fushimi"])
def test_a_request_with_new_messages_costs_the_same_queries_for_few_or_many(who):
    # Given a request with two messages new to the reader, and one with eight
    world = kyoto_world()
    user = {"office": world.office_user, "customer": world.customer}.get(who)
    user = user or world.users[who]
    author = world.office_user if who != "office" else world.customer
    audience = "internal" if who == "fushimi" else "customer"
    few, many = (routed(world, "process.machining.milling") for _ in range(2))
    for rfq, messages in ((few, 2), (many, 8)):
        for number in range(messages):
            message_post(rfq=rfq, author=author, body=f"Message {number}", audience=audience)
    client = client_for(user)

    def path(rfq) -> str:
        if who == "fushimi":
            return f"/invitations/{rfq.invitations.get(firm=world.firms[who]).pk}/"
        return f"/requests/{rfq.pk}/"

    # When the person opens each, which marks its threads read
    few_queries, many_queries = read(client, path(few)), read(client, path(many))

    # Then both cost the same queries: the marker is one statement for every thread
    assert many_queries == few_queries
    assert ThreadRead.objects.filter(user=user).count() == 2


def test_a_payout_batch_costs_the_same_queries_for_few_or_many_lines():
    # Given a batch paying out one order's team of two, and one paying two orders' of five
    world = migakiya_world()
    for firm in world.firms.values():
        FirmBankAccountFactory(firm=firm)
    client = client_for(world.office_user)

    def batch_page() -> tuple[int, int]:
        batch = payouts.payout_batch_create(
            network_id=world.network.pk, user=world.office_user, transfer_date=timezone.localdate()
        )
        queries = read(client, f"/office/payouts/{batch.pk}/")
        lines = batch.lines.count()
        payouts.payout_batch_discard(batch_id=batch.pk, user=world.office_user)
        return queries, lines

    order_with(world, SMALL_TEAM, 1)
    few, few_lines = batch_page()
    order_with(world, LARGE_TEAM, 3)
    many, many_lines = batch_page()

    # Then the larger batch costs the same queries, no more than measured
    assert many_lines > few_lines
    assert many == few
    assert many <= 9
