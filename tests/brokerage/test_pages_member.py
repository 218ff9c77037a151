"""A member firm's pages: the invitations inbox, answering (also inline), discussion."""

# ruff: noqa: RUF001 - the Japanese the site writes has full-width brackets and colons

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokerage.models import Invitation
from brokerage.pages import member as member_pages
from brokerage.services.intake import RequirementInput, RFQInput
from orders.models import Message
from tests.kit.steps import (
    answer,
    as_user,
    checked_values,
    client_for,
    field_value,
    invitation_of,
    submit_and_route,
)
from tests.kit.worlds import kyoto_world, ota_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def routed(world, title="Bracket", codes=("process.machining.milling",), **fields):
    """Submit a request through the service (the submit page has its own tests)."""
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


def test_the_invitations_inbox_is_for_member_firms(world):
    assert client_for(world.users["fushimi"]).get(reverse("pages:invitations")).status_code == 200
    assert client_for(world.customer).get(reverse("pages:invitations")).status_code == 403
    response = client_for().get(reverse("pages:invitations"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_inbox_puts_what_is_still_to_answer_first_with_its_countdown(world):
    # Given two requests routed to Fushimi, the first already answered
    answered = routed(world, title="Answered one")
    routed(world, title="Waiting one")
    fushimi = client_for(world.users["fushimi"])
    answer(fushimi, invitation_of(answered, world.firms["fushimi"]), can_do=False)
    # When Fushimi opens its inbox
    page = fushimi.get(reverse("pages:invitations")).content.decode()
    # Then the one waiting for an answer comes first, with its countdown
    assert page.index("Waiting one") < page.index("Answered one")
    assert page.count('class="countdown"') == 1
    # And the status filter narrows the list
    page = fushimi.get(reverse("pages:invitations"), {"status": "cannot_do"}).content.decode()
    assert "Answered one" in page and "Waiting one" not in page


def test_the_inbox_has_a_clear_empty_state(world):
    page = client_for(world.users["kumiyama"]).get(reverse("pages:invitations")).content.decode()
    assert "No request has been routed to your firm yet." in page


def test_the_invitation_page_shows_why_the_firm_was_chosen_and_marks_it_viewed(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    url = reverse("pages:invitation", args=[invitation.pk])
    # When the invited firm opens it
    response = client_for(world.users["fushimi"]).get(url)
    # Then it reads the request, why it was chosen, and the answer form; the office sees "viewed"
    page = response.content.decode()
    assert response.status_code == 200
    assert "Milled from A5052." in page
    assert "Why your firm" in page
    assert "Covers 1 of 1 requirement: Milling (grade 4 ≥ 1)." in page
    assert 'name="can_do"' in page
    assert reverse("invitation-answer", args=[invitation.pk]) in page  # the inline API
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.VIEWED
    # And another firm's people get 404, a customer 403
    assert client_for(world.users["uji"]).get(url).status_code == 404
    assert client_for(world.customer).get(url).status_code == 403


def test_the_invitation_page_says_why_the_firm_was_chosen_in_the_readers_language(world):
    # Given a request routed to Fushimi for milling, the reason kept as data at routing
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    # When a person of the firm reads the invitation in Japanese
    page = (
        client_for(world.users["fushimi"], language="ja")
        .get(reverse("pages:invitation", args=[invitation.pk]))
        .content.decode()
    )
    # Then the reason is said in Japanese, not in English
    assert "Covers 1 of 1" not in page
    assert "必要条件1件のうち1件を満たします" in page


def test_the_request_page_sends_a_member_to_its_invitation(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    response = client_for(world.users["fushimi"]).get(reverse("pages:request", args=[rfq.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:invitation", args=[invitation.pk])


def test_can_do_without_a_price_is_refused_and_keeps_the_answer(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    # When the firm says "can do" but forgets its price
    response = answer(
        client_for(world.users["fushimi"]), invitation, can_do=True, lead_time=5, note="5-axis"
    )
    # Then it is asked for the price, and its answer so far is still in the form
    assert response.status_code == 400
    assert "Give your price when you can do it." in response.content.decode()
    assert checked_values(response, "can_do") == ["yes"]
    assert field_value(response, "lead_time_days") == "5"
    assert field_value(response, "note") == "5-axis"
    invitation.refresh_from_db()
    assert invitation.status != Invitation.Status.CAN_DO


def test_a_refused_answer_names_each_field_at_the_top_and_opens_at_the_first(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    # When the firm, reading Japanese, says "can do" with neither price nor lead time
    response = answer(client_for(world.users["fushimi"], language="ja"), invitation, can_do=True)
    page = response.content.decode()
    # Then the top of the page lists both, each naming its field and linking to it
    assert response.status_code == 400
    summary = page[page.index('id="problem"') : page.index("</div>", page.index('id="problem"'))]
    assert (
        '<a href="#id_answer_price">金額（円・税抜）：対応可の場合は金額を入力してください。</a>'
        in summary
    )
    assert '<a href="#id_answer_lead_time_days">納期（日数）：' in summary
    # And the page opens at the first of them, its message beside it
    [price] = [tag for tag in re.findall(r"<input[^>]*>", page) if 'name="price"' in tag]
    assert " autofocus " in price and 'aria-describedby="id_answer_price_error"' in price
    assert 'id="id_answer_price_error"' in page
    assert page.count("autofocus") == 1


def test_the_api_refuses_a_can_do_without_price_per_field_in_the_readers_language(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    # When the firm's client answers "can do" with neither price nor lead time, in Japanese
    response = as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/", {"can_do": True}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    # Then each field has its own message, in Japanese
    assert response.status_code == 400
    body = response.json()
    assert body["price"] == ["対応可の場合は金額を入力してください。"]
    assert body["lead_time_days"] == ["対応可の場合は納期を入力してください。"]


def test_answers_close_once_a_leader_is_designated(world):
    rfq = routed(world)
    fushimi = client_for(world.users["fushimi"])
    invitation = invitation_of(rfq, world.firms["fushimi"])
    answer(fushimi, invitation, can_do=True, price=50_000, lead_time=5)
    client_for(world.office_user).post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    # Then the form is gone from the invitation page and a late post is refused with why
    page = fushimi.get(reverse("pages:invitation", args=[invitation.pk])).content.decode()
    assert 'name="can_do"' not in page
    response = answer(fushimi, invitation, can_do=False)
    assert response.status_code == 409
    assert "A leader is designated: answers are closed." in response.content.decode()


def test_the_inline_answer_posts_json_to_the_api_with_the_csrf_token(world):
    # Given the page's script, which posts the answer to the API with the page's CSRF token
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["fushimi"])
    browser.get(reverse("pages:invitation", args=[invitation.pk]))
    token = browser.cookies["csrftoken"].value
    url = reverse("invitation-answer", args=[invitation.pk])
    body = json.dumps({"can_do": True, "price": 70_000, "lead_time_days": 6, "note": ""})
    # When it posts without the token, it is refused; with it, the answer is saved
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    response = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["status"] == "can_do"


def test_members_discuss_on_the_internal_thread_the_customer_never_sees(world):
    rfq = routed(world)
    fushimi = client_for(world.users["fushimi"])
    response = fushimi.post(
        reverse("pages:request-message", args=[rfq.pk]),
        {"audience": "internal", "body": "We have a free 5-axis machine this week."},
    )
    assert response.status_code == 302
    # Then the other invited firm reads it, and the customer's page does not show it
    uji_page = client_for(world.users["uji"]).get(
        reverse("pages:invitation", args=[invitation_of(rfq, world.firms["uji"]).pk])
    )
    assert "free 5-axis machine" in uji_page.content.decode()
    customer_page = client_for(world.customer).get(reverse("pages:request", args=[rfq.pk]))
    assert "free 5-axis machine" not in customer_page.content.decode()
    # And a member that is not the leader cannot write to the customer
    response = fushimi.post(
        reverse("pages:request-message", args=[rfq.pk]),
        {"audience": "customer", "body": "Hello"},
    )
    assert response.status_code == 403
    assert Message.objects.filter(rfq=rfq).count() == 1


def test_competing_coordinators_do_not_read_each_others_internal_messages():
    world = ota_world()
    rfq = routed(world, codes=("process.machining.milling", "material.aluminium"))
    north = client_for(world.users["north_coordinator"])
    north.post(
        reverse("pages:request-message", args=[rfq.pk]),
        {"audience": "internal", "body": "North's secret price idea"},
    )
    south_invitation = invitation_of(rfq, world.firms["south_coordinator"])
    page = client_for(world.users["south_coordinator"]).get(
        reverse("pages:invitation", args=[south_invitation.pk])
    )
    assert "North&#x27;s secret" not in page.content.decode()
    assert "North's secret" not in page.content.decode()


def test_the_answer_form_is_one_column_with_big_tap_targets(world):
    rfq = routed(world)
    invitation = invitation_of(rfq, world.firms["fushimi"])
    page = client_for(world.users["fushimi"]).get(reverse("pages:invitation", args=[invitation.pk]))
    html = page.content.decode()
    # The phone layout's hooks: big tiles for the two answers, a number pad, a live result
    assert 'class="stacked phone-form"' in html
    assert html.count('class="tile tile-') == 2
    assert 'inputmode="numeric"' in html
    assert 'aria-live="polite" data-answer-result' in html


def test_the_inbox_costs_the_same_queries_for_5_or_30_invitations(world, monkeypatch):
    # Given a page long enough to show every row
    monkeypatch.setattr(member_pages, "INVITATIONS_PER_PAGE", 50)
    fushimi = client_for(world.users["fushimi"])

    def queries_for_the_inbox() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = fushimi.get(reverse("pages:invitations")).content.decode()
        return len(queries), page.count('<li class="row')

    # When the inbox holds 5 invitations, then 30
    for index in range(5):
        routed(world, title=f"Request {index}")
    five, five_rows = queries_for_the_inbox()
    for index in range(5, 30):
        routed(world, title=f"Request {index}")
    thirty, thirty_rows = queries_for_the_inbox()
    # Then both pages cost the same number of queries
    assert (five_rows, thirty_rows) == (5, 30)
    assert five == thirty
