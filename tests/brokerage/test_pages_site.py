"""The site as a whole: role homes, navigation, the inbox, and every page in both languages."""

import copy

import pytest
from django.urls import reverse

from members.models import Notification
from tests.kit.every_page import pages_of_every_kind
from tests.kit.factories import CustomerFactory
from tests.kit.steps import (
    client_for,
    routed,
)
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db
MISSING = "MISSING-TEMPLATE-VARIABLE"


def test_home_sends_each_person_to_where_their_work_starts():
    world = kyoto_world()
    assert client_for(world.customer).get("/home/")["Location"] == reverse("pages:request-list")
    assert client_for(world.users["uji"]).get("/home/")["Location"] == reverse("pages:invitations")
    assert client_for(world.office_user).get("/home/")["Location"] == reverse("pages:queue")
    assert client_for().get("/home/")["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "url_name", "current", "absent"),
    [
        ("customer", "pages:request-list", "My requests", "Queue"),
        ("member", "pages:invitations", "Invitations", "Submit a request"),
        ("office", "pages:queue", "Queue", "Invitations"),
    ],
)
def test_the_navigation_shows_the_roles_sections_and_where_you_are(who, url_name, current, absent):
    world = kyoto_world()
    user = {"customer": world.customer, "member": world.users["uji"], "office": world.office_user}
    page = client_for(user[who]).get(reverse(url_name)).content.decode()
    assert f'aria-current="page">{current}</a>' in page
    assert f">{absent}</a>" not in page
    assert "Log out" in page


def test_the_navigation_counts_unread_notifications():
    world = kyoto_world()
    routed(world, "process.machining.milling")
    page = client_for(world.customer).get(reverse("pages:request-list")).content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> unread</span>' in page


def test_the_inbox_lists_my_notifications_and_marks_them_read():
    # Given a customer told that their request was received, and an office told it was routed
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    customer = client_for(world.customer)
    # When the customer opens the inbox
    page = customer.get(reverse("pages:inbox")).content.decode()
    # Then they see their notification linked to the request page, and not the office's
    assert f"We received your request #{rfq.pk}" in page
    assert reverse("pages:request", args=[rfq.pk]) in page
    assert "routed to" not in page
    # When they mark it as read, it is read and no longer in the unread view
    notification = Notification.objects.get(recipient=world.customer, channel="in_app")
    response = customer.post(
        reverse("pages:inbox-mark-read"),
        {"notification": notification.pk, "next": reverse("pages:inbox")},
    )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = customer.get(reverse("pages:inbox"), {"show": "unread"}).content.decode()
    assert "Nothing unread." in page
    # And "mark all" marks the office's too, for the office
    office = client_for(world.office_user)
    office.post(reverse("pages:inbox-mark-read"), {"all": "1"})
    assert not Notification.objects.filter(
        recipient=world.office_user, channel="in_app", read_at__isnull=True
    ).exists()


def test_nobody_marks_someone_elses_notifications():
    world = kyoto_world()
    routed(world, "process.machining.milling")
    notification = Notification.objects.get(recipient=world.customer, channel="in_app")
    client_for(CustomerFactory()).post(
        reverse("pages:inbox-mark-read"), {"notification": notification.pk}
    )
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_inbox_needs_a_login():
    assert client_for().get(reverse("pages:inbox"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages_without_template_errors(settings, language):
    # Given templates that print a marker for any variable they cannot resolve
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = MISSING + " %s"
    settings.TEMPLATES = templates
    # When each page is opened in the language
    for person, url in pages_of_every_kind():
        response = client_for(person, language=language).get(url)
        page = response.content.decode()
        # Then it renders, in that language, with every variable resolved
        assert response.status_code == 200, (url, response.status_code)
        assert f'<html lang="{language}">' in page, url
        assert MISSING not in page, (url, page[page.find(MISSING) - 200 : page.find(MISSING) + 80])


def test_the_site_has_an_icon_where_browsers_ask_for_it_and_where_the_pages_name_it():
    visitor = client_for()
    # When a browser asks for /favicon.ico, as browsers do whatever page they show
    response = visitor.get("/favicon.ico", follow=True)
    # Then it is led to the icon
    assert response.redirect_chain == [("/static/favicon.ico", 302)]
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content).startswith(b"\0\0\1\0")
    # And every page names the icon, as a drawing for the browsers that take one
    page = visitor.get("/").content.decode()
    for link, content_type in [
        ('<link rel="icon" href="/static/favicon.ico" sizes="48x48">', "image/"),
        ('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">', "image/svg+xml"),
    ]:
        assert link in page
        icon = visitor.get(link.split('href="')[1].split('"')[0])
        assert icon.status_code == 200
        assert icon["Content-Type"].startswith(content_type)
