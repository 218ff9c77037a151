"""The customer's pages: submitting (with drawings, with sign-up), the list, the request."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation

from brokerage.services.designation import leader_designate
from brokerage.services.estimates import EstimateLineInput, estimate_create, estimate_send
from capabilities.models import Capability
from orders.models import RFQ, Drawing, Estimate, Message
from tests.kit.factories import CustomerFactory, SubmittedRFQFactory
from tests.kit.steps import (
    checked_values,
    client_for,
    field_value,
    latest_rfq,
    pdf,
    request_form_data,
    submit_request,
)
from tests.kit.worlds import kyoto_world, taxonomy_capabilities

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def world():
    return kyoto_world()


def submit_url(world) -> str:
    return reverse("pages:submit", args=[world.network.slug])


def test_the_submit_page_offers_the_taxonomy_and_sign_up_to_a_visitor(world):
    # Given an anonymous visitor
    # When they open the network's submit page
    response = client_for().get(submit_url(world))
    page = response.content.decode()
    # Then they see the request fields, the capabilities grouped by kind, and sign-up fields
    assert response.status_code == 200
    assert 'name="title"' in page
    assert 'value="process.machining.milling"' in page
    assert "<summary>Process</summary>" in page
    assert 'name="signup-email"' in page


def test_member_firm_staff_cannot_submit_requests(world):
    response = client_for(world.users["fushimi"]).get(submit_url(world))
    assert response.status_code == 403


def test_a_customer_submits_with_drawings_and_sees_when_the_estimate_is_due(world):
    # Given a logged-in customer with two drawings
    customer = client_for(world.customer)
    data = request_form_data({"process.machining.milling": 2})
    data["drawings"] = [pdf("housing.pdf"), pdf("cover.pdf")]
    # When they submit the form
    response = customer.post(submit_url(world), data)
    # Then the request is routed with both drawings attached
    assert response.status_code == 302
    rfq = latest_rfq(world)
    assert rfq.customer == world.customer
    assert sorted(Drawing.objects.filter(rfq=rfq).values_list("original_name", flat=True)) == [
        "cover.pdf",
        "housing.pdf",
    ]
    # And the request page shows at once when the estimate is due, in the network's zone
    page = customer.get(response["Location"]).content.decode()
    due = timezone.localtime(rfq.estimate_due_at, world.network.tzinfo)
    with translation.override("en"):
        assert f"{formats.date_format(due, 'DATETIME_FORMAT')} JST" in page
    assert f'data-due="{rfq.estimate_due_at.isoformat()}"' in page
    assert "housing.pdf" in page
    assert reverse("rfq-download", args=[rfq.pk, rfq.drawings.first().pk]) in page


def test_a_visitor_signs_up_while_submitting_and_is_logged_in(world):
    # Given an anonymous visitor who fills in the request and the sign-up fields
    visitor = client_for()
    data = request_form_data(
        {"process.machining.milling": 1},
        **{
            "signup-name": "Hanako Sato",
            "signup-email": "hanako@lab.example.ac.jp",
            "signup-password": "a-long-enough-passphrase",
            "signup-organization": "Rakunan University",
            "signup-customer_type": "university",
        },
    )
    # When they submit
    response = visitor.post(submit_url(world), data)
    # Then an account is created for them, the request is theirs, and they are logged in
    assert response.status_code == 302
    person = User.objects.get(email="hanako@lab.example.ac.jp")
    assert person.customer_type == "university"
    assert person.language == "en"
    assert latest_rfq(world).customer == person
    assert visitor.get(reverse("pages:request-list")).status_code == 200


def test_a_refused_drawing_keeps_what_was_typed_and_says_why(world):
    # Given a customer whose "drawing" is a script renamed to .pdf
    customer = client_for(world.customer)
    data = request_form_data(
        {"process.machining.milling": 4}, title="Gear housing", budget_min="50000"
    )
    data["drawings"] = [SimpleUploadedFile("gear.pdf", b"#!/bin/sh\nrm -rf /\n")]
    # When they submit
    response = customer.post(submit_url(world), data)
    # Then nothing is submitted, the message says why, and the typed values are still there
    assert response.status_code == 400
    assert not RFQ.objects.filter(network=world.network).exists()
    page = response.content.decode()
    assert "does not contain PDF data" in page
    assert "Please choose your drawings again" in page
    assert field_value(response, "title") == "Gear housing"
    assert field_value(response, "budget_min") == "50000"
    assert checked_values(response, "requirements") == ["process.machining.milling"]


def test_a_refused_sign_up_keeps_the_request_and_says_why(world):
    # Given a visitor whose e-mail already has an account
    CustomerFactory(email="taken@example.jp")
    data = request_form_data(
        {},
        title="Keepsake polishing",
        **{
            "signup-name": "Ken",
            "signup-email": "taken@example.jp",
            "signup-password": "a-long-enough-passphrase",
            "signup-customer_type": "private",
        },
    )
    # When they submit
    response = client_for().post(submit_url(world), data)
    # Then they are asked to log in instead, and what they typed is kept
    assert response.status_code == 400
    assert "An account with this e-mail exists; please log in." in response.content.decode()
    assert field_value(response, "title") == "Keepsake polishing"
    assert field_value(response, "signup-name") == "Ken"
    assert not RFQ.objects.filter(network=world.network).exists()


def test_a_budget_upside_down_is_refused_with_a_message(world):
    response = submit_request(
        client_for(world.customer), world.network, {}, budget_min="90000", budget_max="1000"
    )
    assert response.status_code == 400
    assert "The upper budget must not be below the lower one." in response.content.decode()
    assert field_value(response, "budget_max") == "1000"


def test_a_broadcast_network_needs_at_least_one_capability(world):
    # Given a customer who ticks nothing for a network that routes by skills
    response = submit_request(client_for(world.customer), world.network, {})
    # Then they are asked to tick one (or to let the text suggest), instead of a "no bid"
    assert response.status_code == 400
    assert "Tick at least one capability" in response.content.decode()
    assert not RFQ.objects.filter(network=world.network).exists()


def test_suggest_ticks_the_capabilities_the_text_mentions_without_submitting(world):
    # Given a taxonomy with Japanese keywords, and a customer who describes the job in words
    Capability.objects.filter(code="process.machining.milling").update(keywords="フライス, 切削")
    data = request_form_data(
        {},
        title="Bracket",
        description="フライス加工で削り出し、材質はaluminium。",
        suggest="1",
    )
    # When they press "Suggest capabilities from my text"
    response = client_for(world.customer).post(submit_url(world), data)
    # Then the mentioned capabilities come back ticked and marked, and nothing is submitted
    assert response.status_code == 200
    ticked = checked_values(response, "requirements")
    assert "process.machining.milling" in ticked
    assert "material.aluminium" in ticked
    assert "suggested" in response.content.decode()
    assert field_value(response, "title") == "Bracket"
    assert not RFQ.objects.filter(network=world.network).exists()


def test_suggest_reads_words_not_pieces_of_words(world):
    # Given the taxonomy's stainless and carbon steel, polycarbonate ("PC") and blasting
    taxonomy_capabilities(
        "material.stainless", "material.carbon_steel", "material.resin.pc", "finish.blasting"
    )
    data = request_form_data(
        {},
        title="Sensor flange",
        description="Stainless steel flange, bead blasting finish, 4 pcs.",
        material="",
        suggest="1",
    )
    # When the customer asks for suggestions
    response = client_for(world.customer).post(submit_url(world), data)
    # Then stainless steel and blasting are ticked; "steel" inside "stainless steel" is not
    # carbon steel, and "pcs" (pieces) is not polycarbonate
    ticked = checked_values(response, "requirements")
    assert "material.stainless" in ticked
    assert "finish.blasting" in ticked
    assert "material.carbon_steel" not in ticked
    assert "material.resin.pc" not in ticked


def test_my_requests_lists_filters_sorts_and_paginates_only_my_own(world):
    # Given 23 requests of the customer (one cancelled) and one of someone else
    for index in range(22):
        SubmittedRFQFactory(network=world.network, customer=world.customer, title=f"Mine {index}")
    SubmittedRFQFactory(
        network=world.network, customer=world.customer, title="Withdrawn", status="cancelled"
    )
    SubmittedRFQFactory(network=world.network, title="Someone else's")
    customer = client_for(world.customer)
    # When they open their list
    page = customer.get(reverse("pages:request-list")).content.decode()
    # Then they see 20 of their own on the first page, and a second page
    assert page.count('class="row"') == 20
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert "Page 1 of 2" in page
    # And a status filter and a sort by due date work
    page = customer.get(reverse("pages:request-list"), {"status": "cancelled"}).content.decode()
    assert page.count('class="row"') == 1
    assert "Withdrawn" in page
    response = customer.get(reverse("pages:request-list"), {"sort": "due"})
    assert response.status_code == 200


def test_my_requests_has_a_clear_empty_state():
    customer = CustomerFactory()
    page = client_for(customer).get(reverse("pages:request-list")).content.decode()
    assert "You have not submitted any request yet." in page
    assert reverse("pages:submit-choose-network") in page


def test_the_request_page_is_the_customers_own(world):
    # Given a request of the world's customer
    submit_request(client_for(world.customer), world.network, {"process.machining.milling": 1})
    url = reverse("pages:request", args=[latest_rfq(world).pk])
    # Then the customer reads it, another customer gets 404, a visitor is sent to log in
    assert client_for(world.customer).get(url).status_code == 200
    assert client_for(CustomerFactory()).get(url).status_code == 404
    response = client_for().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # And a member firm that was not invited does not see it either
    assert client_for(world.users["yawata"]).get(url).status_code == 404


def estimate_sent_to(world, amount=100_000) -> Estimate:
    """Route a request to Fushimi, designate it urgently and send its estimate (services)."""
    submit_request(client_for(world.customer), world.network, {"process.machining.milling": 1})
    rfq = latest_rfq(world)
    leader_designate(
        rfq_id=rfq.pk, firm_id=world.firms["fushimi"].pk, reason="urgent", user=world.office_user
    )
    estimate = estimate_create(
        rfq_id=rfq.pk,
        user=world.office_user,
        lines=[
            EstimateLineInput(firm_id=world.firms["fushimi"].pk, description="Work", amount=amount)
        ],
        lead_time_days=10,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return estimate_send(estimate_id=estimate.pk, user=world.office_user)


def test_the_estimate_shows_lines_tax_and_total_in_each_language(world):
    estimate = estimate_sent_to(world, amount=123_456)
    url = reverse("pages:request", args=[estimate.rfq_id])
    english = client_for(world.customer, language="en").get(url).content.decode()
    japanese = client_for(world.customer, language="ja").get(url).content.decode()
    assert "¥123,456" in english and "¥12,345" in english and "¥135,801" in english
    assert "123,456円" in japanese and "135,801円" in japanese


def test_declining_needs_a_reason_and_then_records_it(world):
    estimate = estimate_sent_to(world)
    customer = client_for(world.customer)
    decline = reverse("pages:estimate-decline", args=[estimate.pk])
    # When the customer declines without a reason, they are asked for one
    response = customer.post(decline, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    # When they give one, the estimate is declined with it
    assert customer.post(decline, {"reason": "Too expensive"}).status_code == 302
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.DECLINED
    assert estimate.decline_reason == "Too expensive"


def test_another_customer_cannot_accept_my_estimate(world):
    estimate = estimate_sent_to(world)
    response = client_for(CustomerFactory()).post(
        reverse("pages:estimate-accept", args=[estimate.pk])
    )
    assert response.status_code == 404
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.SENT


def test_the_customer_writes_to_the_network_and_cancels(world):
    submit_request(client_for(world.customer), world.network, {"process.machining.milling": 1})
    rfq = latest_rfq(world)
    customer = client_for(world.customer)
    # When the customer posts a message, it lands on the thread with the customer
    response = customer.post(
        reverse("pages:request-message", args=[rfq.pk]),
        {"audience": "customer", "body": "Can you anodize in red?"},
    )
    assert response.status_code == 302
    assert Message.objects.get(rfq=rfq).audience == "customer"
    # And the internal thread is not theirs to write on
    response = customer.post(
        reverse("pages:request-message", args=[rfq.pk]),
        {"audience": "internal", "body": "Sneaky"},
    )
    assert response.status_code == 403
    # When they cancel, the request is cancelled
    assert customer.post(reverse("pages:request-cancel", args=[rfq.pk]), {}).status_code == 302
    rfq.refresh_from_db()
    assert rfq.status == RFQ.Status.CANCELLED
    # And cancelling again is refused with the service's message
    response = customer.post(reverse("pages:request-cancel", args=[rfq.pk]), {"reason": "x"})
    assert response.status_code == 409
    assert "Cannot cancel: the request is cancelled." in response.content.decode()
