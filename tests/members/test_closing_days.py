"""A network's office manages the days it is closed; its business-hours clock skips them."""

import datetime

import pytest

from members.models import NetworkClosingDay
from tests.kit.clock import tokyo
from tests.kit.factories import FirmUserFactory, OfficeMembershipFactory, UserFactory
from tests.kit.steps import as_user, client_for, submit
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

MILLING = [{"capability": "process.machining.milling"}]


def closing_days_url(world) -> str:
    return f"/api/networks/{world.network.slug}/closing-days/"


def page_url(world) -> str:
    return f"/networks/{world.network.slug}/office/closing-days/"


def test_a_closing_day_the_office_adds_moves_the_deadline(clock):
    # Given a network counting business hours, and a Friday-evening moment
    world = kyoto_world()
    world.network.use_business_hours = True
    world.network.save()
    clock.set(tokyo(2026, 11, 27, 17, 30))
    # When the office closes on the coming Monday through the API
    response = as_user(world.office_user).post(
        closing_days_url(world), {"date": "2026-11-30", "name": "棚卸し"}, format="json"
    )
    assert response.status_code == 201, response.json()
    # and the customer submits
    rfq = submit(world, MILLING)
    # Then the estimate is due on Tuesday rather than Monday (30 min on Friday, 90 on Tuesday)
    assert rfq["estimate_due_at"] == "2026-12-01T10:30:00+09:00"


def test_the_office_lists_adds_and_removes_closing_days_on_its_page():
    world = kyoto_world()
    client = client_for(world.office_user)
    # Given the office's page linked from the network page's office section
    assert page_url(world) in client.get(f"/networks/{world.network.slug}/").content.decode()
    # When the office closes on Obon
    response = client.post(page_url(world), {"date": "2027-08-13", "name": "お盆休み"})
    # Then the day is listed
    assert response.status_code == 302
    page = client.get(page_url(world)).content.decode()
    assert "2027-08-13" in page and "お盆休み" in page
    # and when the office removes it, it is gone
    closing_day = NetworkClosingDay.objects.get(network=world.network)
    response = client.post(f"{page_url(world)}{closing_day.pk}/remove/")
    assert response.status_code == 302
    assert not NetworkClosingDay.objects.filter(network=world.network).exists()


def test_a_duplicate_or_out_of_range_day_is_refused_with_a_clear_message():
    world = kyoto_world()
    api = as_user(world.office_user)
    api.post(closing_days_url(world), {"date": "2027-12-29", "name": "年末"}, format="json")
    # When the office adds the same day again, or a day outside the accepted range
    again = api.post(closing_days_url(world), {"date": "2027-12-29"}, format="json")
    far = api.post(closing_days_url(world), {"date": "2101-01-01"}, format="json")
    # Then each is a 400 naming the date
    assert again.status_code == 400
    assert "already closed on 2027-12-29" in again.json()["date"][0]
    assert far.status_code == 400
    assert "2100-12-31" in far.json()["date"][0]
    # and the page says the same on its form
    page = client_for(world.office_user).post(page_url(world), {"date": "2027-12-29"})
    assert page.status_code == 200
    assert "already closed on 2027-12-29" in page.content.decode()
    assert NetworkClosingDay.objects.filter(network=world.network).count() == 1


def test_only_the_office_and_staff_manage_closing_days():
    world = kyoto_world()
    day = NetworkClosingDay.objects.create(network=world.network, date=datetime.date(2027, 8, 16))
    other_office = OfficeMembershipFactory()
    staff = UserFactory(username="operator", is_staff=True)
    member = world.users["fushimi"]
    # Then a member firm and another network's office neither read nor write, on the API
    for outsider in (member, FirmUserFactory(firm=other_office.firm)):
        api = as_user(outsider)
        assert api.get(closing_days_url(world)).status_code == 403
        created = api.post(closing_days_url(world), {"date": "2027-08-17"}, format="json")
        assert created.status_code == 403
        assert api.delete(f"{closing_days_url(world)}{day.pk}/").status_code == 403
        # nor on the page
        assert client_for(outsider).get(page_url(world)).status_code == 403
        assert client_for(outsider).post(f"{page_url(world)}{day.pk}/remove/").status_code == 403
    # and the office reads the list, while platform staff may remove a day
    listed = as_user(world.office_user).get(closing_days_url(world)).json()
    assert [row["date"] for row in listed["results"]] == ["2027-08-16"]
    assert as_user(staff).delete(f"{closing_days_url(world)}{day.pk}/").status_code == 204
    assert not NetworkClosingDay.objects.exists()
