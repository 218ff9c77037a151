"""A member's answer note is internal: it never reaches the customer through the estimate.

A firm answering "can do" writes a note for the office and the leader ("the anodizing goes
to our partner …") and, if it likes, a line describing its work for the customer. The
estimate's suggested lines take only the line for the customer (else the capabilities the
firm was asked for); the compose page shows the note beside the line, labelled internal.
"""

import pytest
from django.urls import reverse

from brokerage.services.estimates import suggested_lines
from tests.kit.steps import (
    answer,
    as_user,
    client_for,
    estimate_form_data,
    field_value,
    invitation_of,
    routed,
)
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

NOTE = "PARTNERNOTE the anodizing goes to our partner Yamashina Alumite"


def led_by_fushimi(world, rfq) -> None:
    response = client_for(world.office_user).post(
        reverse("pages:request-leader", args=[rfq.pk]),
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    assert response.status_code == 302


def test_the_internal_note_never_reaches_the_customer():
    # Given fushimi answered "can do" with an internal note only, and leads the request
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    response = answer(
        client_for(world.users["fushimi"]),
        invitation_of(rfq, world.firms["fushimi"]),
        can_do=True,
        price=80_000,
        lead_time=9,
        note=NOTE,
    )
    assert response.status_code == 302
    led_by_fushimi(world, rfq)

    # When the office opens the compose page
    office = client_for(world.office_user)
    page = office.get(reverse("pages:request", args=[rfq.pk]))

    # Then the suggested line names the work by its capability, the note stands beside it
    # labelled as internal
    description = field_value(page, "lines-0-description")
    assert description == "Milling"
    html = page.content.decode()
    assert "Internal note (not sent to the customer)" in html
    assert NOTE in html

    # When the office saves the suggested line as it is and sends the estimate
    data = estimate_form_data([(world.firms["fushimi"].pk, description, 80_000)])
    assert office.post(reverse("pages:estimate-compose", args=[rfq.pk]), data).status_code == 302
    estimate = rfq.estimates.get()
    assert office.post(reverse("pages:estimate-send", args=[estimate.pk])).status_code == 302

    # Then neither the customer's page nor the API shows the note
    customer_page = client_for(world.customer).get(reverse("pages:request", args=[rfq.pk]))
    assert customer_page.status_code == 200
    assert "PARTNERNOTE" not in customer_page.content.decode()
    api = as_user(world.customer)
    for path in (f"/api/rfqs/{rfq.pk}/", f"/api/rfqs/{rfq.pk}/estimates/"):
        response = api.get(path)
        assert response.status_code == 200
        assert "PARTNERNOTE" not in response.content.decode()


def test_the_line_for_the_customer_is_what_the_estimate_suggests():
    # Given fushimi answered through the API with a note and a line for the customer
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    invitation = invitation_of(rfq, world.firms["fushimi"])
    response = as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/",
        {
            "can_do": True,
            "price": 80_000,
            "lead_time_days": 9,
            "note": NOTE,
            "line_description": "5-axis milling of the housing, A5052",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["line_description"] == "5-axis milling of the housing, A5052"
    led_by_fushimi(world, rfq)

    # When the estimate's lines are suggested
    lines = suggested_lines(rfq)

    # Then the line reads as the firm wrote it for the customer, without the note
    assert [line.description for line in lines] == ["5-axis milling of the housing, A5052"]
