"""A network office's pages: the queue by time left, the request console, keying in."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Deadline
from brokerage.pages import office as office_pages
from brokerage.services.deadlines import deadline_times
from brokerage.services.intake import RequirementInput, RFQInput
from members.models import Membership
from orders.models import RFQ, Estimate
from tests.kit.clock import tokyo
from tests.kit.factories import CustomerFactory, MembershipFactory, SubmittedRFQFactory
from tests.kit.steps import (
    answer,
    as_user,
    client_for,
    estimate_form_data,
    field_value,
    invitation_of,
    request_form_data,
    route_waiting_requests,
    submit_and_route,
)
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def routed(world, title="Bracket", **fields) -> RFQ:
    return submit_and_route(
        network=world.network,
        customer=world.customer,
        data=RFQInput(
            title=title,
            description="Milled from A5052.",
            requirements=(RequirementInput(capability_code="process.machining.milling"),),
            **fields,
        ),
    )


def test_the_queue_is_for_the_office_only(world):
    url = reverse("pages:queue")
    assert client_for(world.office_user).get(url).status_code == 200
    assert client_for(world.users["fushimi"]).get(url).status_code == 403
    assert client_for(world.customer).get(url).status_code == 403
    assert client_for().get(url)["Location"].startswith(reverse("login"))


def test_the_queue_puts_overdue_requests_first_and_marks_them(world):
    # Given one request due in 90 minutes, one overdue, and one whose estimate was sent
    now = timezone.now()
    SubmittedRFQFactory(
        network=world.network,
        title="Later one",
        estimate_due_at=now + datetime.timedelta(minutes=90),
    )
    SubmittedRFQFactory(
        network=world.network,
        title="Overdue one",
        submitted_at=now - datetime.timedelta(hours=3),
        estimate_due_at=now - datetime.timedelta(hours=1),
    )
    SubmittedRFQFactory(
        network=world.network,
        title="Sent one",
        status="estimate_sent",
        submitted_at=now - datetime.timedelta(hours=5),
        estimate_due_at=now - datetime.timedelta(hours=3),
    )
    SubmittedRFQFactory(network=world.network, title="Closed one", status="cancelled")
    # When the office opens its queue
    page = client_for(world.office_user).get(reverse("pages:queue")).content.decode()
    # Then the overdue one is on top and marked, the one waiting for the customer last,
    # and closed requests are not in the queue
    assert page.index("Overdue one") < page.index("Later one") < page.index("Sent one")
    assert "OVERDUE" in page
    assert "overdue by" in page
    assert "Closed one" not in page


def test_the_queue_shows_answers_so_far_and_filters_by_network_and_status(world):
    # Given a routed request with one "can do" answer, and a second network of the office
    rfq = routed(world, title="Answered bracket")
    answer(
        client_for(world.users["fushimi"]),
        invitation_of(rfq, world.firms["fushimi"]),
        can_do=True,
        price=10_000,
        lead_time=3,
    )
    other = MembershipFactory(firm=world.office_user.firm, role=Membership.Role.OFFICE).network
    SubmittedRFQFactory(network=other, title="Other network's")
    office = client_for(world.office_user)
    page = office.get(reverse("pages:queue")).content.decode()
    assert "Answers: 1 of 2 can do (1 answered)" in page
    assert "Members answer, then designate the leader" in page
    # When filtered by the other network or by a status, only matching requests remain
    page = office.get(reverse("pages:queue"), {"network": other.pk}).content.decode()
    assert "Other network" in page and "Answered bracket" not in page
    page = office.get(reverse("pages:queue"), {"status": "routed"}).content.decode()
    assert "Answered bracket" in page and "Other network" not in page


def test_the_queue_costs_the_same_queries_for_5_or_30_requests(world, monkeypatch):
    monkeypatch.setattr(office_pages, "QUEUE_PER_PAGE", 50)
    office = client_for(world.office_user)

    def queries_for_the_queue() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = office.get(reverse("pages:queue")).content.decode()
        return len(queries), page.count('<li class="row')

    for index in range(5):
        routed(world, title=f"Request {index}")
    five, five_rows = queries_for_the_queue()
    for index in range(5, 30):
        routed(world, title=f"Request {index}")
    thirty, thirty_rows = queries_for_the_queue()
    assert (five_rows, thirty_rows) == (5, 30)
    assert five == thirty


def test_the_office_reads_answers_and_reasons_and_designates_in_an_urgent_case(world):
    rfq = routed(world)
    answer(
        client_for(world.users["uji"]),
        invitation_of(rfq, world.firms["uji"]),
        can_do=True,
        price=60_000,
        lead_time=4,
        note="Can start today",
    )
    office = client_for(world.office_user)
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    # Then each invitation shows its answer and why the firm was invited
    assert "Can start today" in page
    assert "Why invited: Covers 1 of 1 requirement: Milling (grade 4 ≥ 1)." in page
    assert 'value="urgent"' in page
    # When the office designates Fushimi (which has not answered) on its urgent authority
    response = office.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "urgent"},
    )
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert (rfq.leader_firm, rfq.leader_reason) == (world.firms["fushimi"], "urgent")


def test_a_refused_designation_says_why_and_keeps_the_chosen_firm(world):
    rfq = routed(world)
    # When the office names a firm that never answered as the discussion's result
    response = client_for(world.office_user).post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    # Then the service's refusal is shown and the firm stays selected
    assert response.status_code == 403
    page = response.content.decode()
    assert "After a discussion, the leader is a firm that answered" in page
    assert f'<option value="{world.firms["fushimi"].pk}" selected>' in page
    rfq.refresh_from_db()
    assert rfq.leader_firm is None


def test_the_estimate_form_is_prefilled_from_the_can_do_answers(world):
    rfq = routed(world)
    answer(
        client_for(world.users["fushimi"]),
        invitation_of(rfq, world.firms["fushimi"]),
        can_do=True,
        price=77_000,
        lead_time=9,
        note="5-axis milling",
    )
    office = client_for(world.office_user)
    office.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    response = office.get(reverse("pages:request", args=[rfq.pk]))
    assert field_value(response, "lines-0-amount") == "77000"
    assert field_value(response, "lines-0-description") == "Milling"
    assert field_value(response, "lead_time_days") == "9"


def test_a_refused_estimate_keeps_its_lines(world):
    rfq = routed(world)
    office = client_for(world.office_user)
    office.post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "urgent"},
    )
    data = estimate_form_data([(world.firms["fushimi"].pk, "Turning and milling", 55_000)])
    data["valid_until"] = "2020-01-01"
    response = office.post(reverse("pages:estimate-compose", args=[rfq.pk]), data)
    assert response.status_code == 400
    assert "The estimate must be valid until today or later." in response.content.decode()
    assert field_value(response, "lines-0-description") == "Turning and milling"
    assert field_value(response, "lines-0-amount") == "55000"
    assert not Estimate.objects.filter(rfq=rfq).exists()


def test_an_office_of_another_network_does_not_see_the_request(world):
    rfq = routed(world)
    stranger = rodan_world().office_user
    assert client_for(stranger).get(reverse("pages:request", args=[rfq.pk])).status_code == 404
    response = client_for(stranger).post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "urgent"},
    )
    assert response.status_code == 404


def key_in_data(world, **customer_fields) -> dict:
    return {
        **request_form_data({"process.machining.milling": 2}, title="Jig plate (fax)"),
        "for-network": str(world.network.pk),
        "for-channel": "fax",
        "for-urgency": "urgent",
        **{f"for-{name}": value for name, value in customer_fields.items()},
    }


def test_the_office_keys_in_a_fax_request_for_an_existing_customer(world):
    # Given a customer who has asked the network before
    routed(world)
    office = client_for(world.office_user)
    page = office.get(reverse("pages:key-in")).content.decode()
    assert f'value="{world.customer.pk}"' in page
    # When the office keys in their fax
    response = office.post(reverse("pages:key-in"), key_in_data(world, customer=world.customer.pk))
    route_waiting_requests()
    # Then the request is theirs, by fax, urgent, routed, and entered by the office
    assert response.status_code == 302
    rfq = RFQ.objects.get(title="Jig plate (fax)")
    assert (rfq.customer, rfq.channel, rfq.urgency) == (world.customer, "fax", "urgent")
    assert rfq.entered_by == world.office_user
    assert rfq.status == RFQ.Status.ROUTED


def test_the_office_keys_in_a_request_for_a_new_customer(world):
    office = client_for(world.office_user)
    response = office.post(
        reverse("pages:key-in"),
        key_in_data(
            world,
            new_name="Jiro Tanaka",
            new_email="jiro@example.jp",
            new_organization="Tanaka Motors",
            new_customer_type="private",
        ),
    )
    assert response.status_code == 302
    rfq = RFQ.objects.get(title="Jig plate (fax)")
    assert rfq.customer.email == "jiro@example.jp"
    assert not rfq.customer.has_usable_password()


def test_keying_in_needs_a_customer_and_keeps_the_request(world):
    response = client_for(world.office_user).post(reverse("pages:key-in"), key_in_data(world))
    assert response.status_code == 400
    assert "Give the new customer&#x27;s name" in response.content.decode() or (
        "Give the new customer's name" in response.content.decode()
    )
    assert field_value(response, "title") == "Jig plate (fax)"
    assert not RFQ.objects.filter(title="Jig plate (fax)").exists()


def test_key_in_is_for_the_office_only(world):
    assert client_for(world.users["fushimi"]).get(reverse("pages:key-in")).status_code == 403
    assert client_for(CustomerFactory()).get(reverse("pages:key-in")).status_code == 403


def test_the_office_closes_a_request(world):
    rfq = routed(world)
    response = client_for(world.office_user).post(
        reverse("pages:request-cancel", args=[rfq.pk]), {"reason": "Customer withdrew by phone"}
    )
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.CANCELLED


def test_a_fax_keyed_in_later_runs_its_clock_from_when_it_arrived(world, clock):
    # Given a customer who has asked before, whose fax arrived at 09:20 and is keyed in at 10:00
    routed(world)
    arrived = tokyo(2026, 11, 18, 9, 20)
    office = client_for(world.office_user)
    # When the office keys it in with its arrival time
    response = office.post(
        reverse("pages:key-in"),
        {**key_in_data(world, customer=world.customer.pk), "for-received_at": "2026-11-18T09:20"},
    )
    # Then the request arrived then, and its estimate is due one window after that
    assert response.status_code == 302
    rfq = RFQ.objects.get(title="Jig plate (fax)")
    assert rfq.submitted_at == arrived
    assert rfq.estimate_due_at == deadline_times(rfq, arrived)[Deadline.Kind.ESTIMATE]
    assert rfq.estimate_due_at < deadline_times(rfq, clock.now)[Deadline.Kind.ESTIMATE]
    # and the timeline keeps both: keyed in now, arrived then
    submitted = rfq.events.get(kind="rfq.submitted")
    assert submitted.at == clock.now
    assert submitted.data["received_at"] == arrived.isoformat()


@pytest.mark.parametrize(
    ("arrival", "refusal"),
    [
        ("2026-11-18T10:30", "The arrival time lies in the future."),
        ("2026-11-14T09:00", "arrived in the last 72 hours"),
    ],
)
def test_an_arrival_in_the_future_or_too_long_ago_is_refused_on_its_field(
    world, clock, arrival, refusal
):
    # Given the office keying in a customer's fax at 10:00 on 18 November
    routed(world)
    office = client_for(world.office_user)
    # When it gives an arrival after now, or more than the network's 72 hours ago
    response = office.post(
        reverse("pages:key-in"),
        {**key_in_data(world, customer=world.customer.pk), "for-received_at": arrival},
    )
    # Then the page says so beside the arrival time, keeps what was typed, and saves nothing
    assert response.status_code == 400
    page = response.content.decode()
    assert refusal in page
    assert field_value(response, "for-received_at") == arrival
    assert field_value(response, "title") == "Jig plate (fax)"
    assert not RFQ.objects.filter(title="Jig plate (fax)").exists()


def test_a_web_request_has_no_arrival_time_of_its_own(world, clock):
    # Given a customer submitting through the API
    # When they claim their request arrived an hour ago
    response = as_user(world.customer).post(
        "/api/rfqs/",
        {
            "network": world.network.slug,
            "title": "Backdated bracket",
            "description": "Anodized",
            "requirements": [{"capability": "process.machining.milling", "min_grade": 1}],
            "received_at": "2026-11-18T09:00:00+09:00",
        },
        format="json",
    )
    # Then it is refused on that field, and no request is saved
    assert response.status_code == 400
    assert response.json()["received_at"] == [
        "Only a request keyed in by the office has an arrival time."
    ]
    assert not RFQ.objects.filter(title="Backdated bracket").exists()


def test_a_request_being_routed_says_so_instead_of_no_firm_invited(world):
    # Given a request the office keyed in, not yet routed by a worker
    routed(world)
    office = client_for(world.office_user)
    office.post(reverse("pages:key-in"), key_in_data(world, customer=world.customer.pk))
    rfq = RFQ.objects.get(title="Jig plate (fax)")
    assert rfq.status == RFQ.Status.SUBMITTED
    # When the office opens it
    page = office.get(reverse("pages:request", args=[rfq.pk])).content.decode()
    # Then it reads that routing is under way, not that no firm is invited
    assert "Routing to the member firms is under way" in page
    assert "No firm is invited yet." not in page
