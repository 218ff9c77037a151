"""The lists of requests: who sees which, and how a long list is counted and paged."""

import datetime

import pytest
from django.utils import timezone

from brokerage.models import Invitation
from brokerage.selectors import rfq_list_for_user
from orders.models import RFQ
from tests.kit.factories import (
    CustomerFactory,
    FirmUserFactory,
    NetworkFactory,
    OfficeMembershipFactory,
    SubmittedRFQFactory,
)
from tests.kit.steps import as_user, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_counts(monkeypatch):
    """Count lists only up to two rows past the page, as a long list is counted."""
    monkeypatch.setattr("core.pagination.COUNTED_ROWS", 2)


def test_a_firm_person_sees_the_requests_of_each_reason_once_and_no_other():
    # Given a person of a firm that runs one network's office
    person = FirmUserFactory()
    office_network = NetworkFactory()
    OfficeMembershipFactory(network=office_network, firm=person.firm)
    elsewhere = NetworkFactory()
    # and requests it stands to in each way (one of them in two ways), and one it does not
    in_its_office = SubmittedRFQFactory(network=office_network)
    its_own = SubmittedRFQFactory(network=elsewhere, customer=person)
    invited = SubmittedRFQFactory(network=elsewhere)
    Invitation.objects.create(rfq=invited, firm=person.firm)
    led = SubmittedRFQFactory(
        network=elsewhere, leader_firm=person.firm, leader_reason=RFQ.LeaderReason.URGENT
    )
    own_and_invited = SubmittedRFQFactory(network=elsewhere, customer=person)
    Invitation.objects.create(rfq=own_and_invited, firm=person.firm)
    SubmittedRFQFactory(network=elsewhere)

    # When its requests are listed
    listed = list(rfq_list_for_user(person).values_list("pk", flat=True))

    # Then it sees each of them once, and not the stranger's
    assert sorted(listed) == sorted(
        rfq.pk for rfq in (in_its_office, its_own, invited, led, own_and_invited)
    )
    assert rfq_list_for_user(person).count() == 5


def test_a_long_list_says_more_than_and_still_leads_on(short_counts, monkeypatch):
    # Given a customer with five requests, listed two a page
    monkeypatch.setattr("brokerage.pages.requests.REQUESTS_PER_PAGE", 2)
    customer = CustomerFactory()
    SubmittedRFQFactory.create_batch(5, customer=customer)
    client = client_for(customer)

    # When the first page is read
    first = client.get("/requests/").content.decode()

    # Then it is counted only a page past the one shown: "more than", with a next page
    assert "Page 1 of more than 2" in first
    assert 'rel="next"' in first
    # and a deeper page counts further, until the end is in sight
    third = client.get("/requests/?page=3").content.decode()
    assert "Page 3 of 3" in third
    assert 'rel="next"' not in third


def test_a_page_number_past_the_end_of_a_long_list_shows_its_last_page(short_counts):
    # Given a customer with three requests
    customer = CustomerFactory()
    SubmittedRFQFactory.create_batch(3, customer=customer)
    # When a page far past the end is asked for
    response = client_for(customer).get("/requests/?page=99999999999999999999")
    # Then the (only) page is shown
    assert response.status_code == 200
    assert response.content.decode().count("Prototype bracket") == 3


def test_the_api_counts_a_long_list_up_to_a_limit_and_says_so(short_counts, monkeypatch):
    # Given a customer with five requests, listed two a page by the API
    monkeypatch.setattr("core.pagination.CountedPagination.page_size", 2)
    customer = CustomerFactory()
    SubmittedRFQFactory.create_batch(5, customer=customer)
    api = as_user(customer)

    # When the first page is read
    first = api.get("/api/rfqs/").json()

    # Then the count goes a page past it and says it is not exact, and next leads on
    assert (first["count"], first["count_is_exact"]) == (4, False)
    assert len(first["results"]) == 2 and first["next"]
    # and the last page, asked for by name, is found by counting them all
    last = api.get("/api/rfqs/?page=last").json()
    assert (last["count"], last["count_is_exact"]) == (5, True)
    assert len(last["results"]) == 1 and last["next"] is None
    # and a short list is counted exactly
    assert api.get("/api/rfqs/?status=draft").json() | {"results": []} == {
        "count": 0,
        "count_is_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_the_list_sorts_by_due_date_both_ways():
    # Given a customer's requests due in three, one and two hours
    customer = CustomerFactory()
    now = timezone.now()
    for title, hours in (("Third", 3), ("First", 1), ("Second", 2)):
        SubmittedRFQFactory(
            customer=customer,
            title=title,
            submitted_at=now,
            estimate_due_at=now + datetime.timedelta(hours=hours),
        )
    client = client_for(customer)

    def order_of(sort: str) -> list[str]:
        page = client.get(f"/requests/?sort={sort}").content.decode()
        return sorted(("First", "Second", "Third"), key=lambda title: page.index(f">{title}<"))

    # When the list is sorted by due date, then the other way round
    # Then the soonest due comes first, then last
    assert order_of("due") == ["First", "Second", "Third"]
    assert order_of("-due") == ["Third", "Second", "First"]
