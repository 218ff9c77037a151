"""Every page of the site, as Chromium renders it, passes the accessibility audit and fits
a 375 px phone screen.

The journeys audit the pages they pass through; this visits all the others too: each page
of tests/brokerage/test_i18n_pages.py, opened by a person who may see it, in Japanese.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.audit import page_problems
from tests.e2e.conftest import DESKTOP, LOCALES, PHONE, SCREENSHOTS
from tests.kit.every_page import PAGE_SETS

pytestmark = pytest.mark.celery_worker

# Supervisors answer from their phones and offices glance at the queue on theirs, and a
# customer may confirm an order from theirs: these pages are audited at 375 px wide, the
# others at a desktop's width (the customer's journey sees its confirmation at 1280 px).
PHONE_PAGES = re.compile(
    r"^/(invitations/|office/queue/|estimates/\d+/accept/|proposals/\d+/choose/)"
)


# How wide the page is laid out: wider than the window means sideways scrolling.
DOCUMENT_WIDTH = "() => document.documentElement.scrollWidth"


def session_cookie(user, url: str) -> list[dict]:
    """Return the session cookie of a person logged in on the server (same database)."""
    if user is None:
        return []
    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": url,
        }
    ]


@pytest.mark.parametrize("page_set", PAGE_SETS)
def test_every_page_passes_the_audit_in_chromium(chromium, site, transactional_db, page_set):
    # Given every page of a part of the site, and the person who opens each
    pages = PAGE_SETS[page_set]()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    contexts = {}
    problems = {}
    for number, (person, url) in enumerate(pages, start=1):
        key = getattr(person, "pk", None)
        if key not in contexts:
            context = chromium.new_context(
                base_url=site.url, locale=LOCALES["ja"], viewport=DESKTOP
            )
            context.add_cookies(session_cookie(person, site.url))
            contexts[key] = context.new_page()
        page = contexts[key]
        page.set_viewport_size(PHONE if PHONE_PAGES.match(url) else DESKTOP)
        # When Chromium renders it
        response = page.goto(url)
        assert response.status == 200, (url, response.status, site.logs()[-2000:])
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
        page.screenshot(path=str(SCREENSHOTS / f"pages-ja-{page_set}-{number:02d}-{name}.png"))
        # Then nothing on it stands in the way of a keyboard, a screen reader or weak eyes
        found = page_problems(page, "ja")
        # And on a phone nothing is wider than the screen: wide tables become cards
        page.set_viewport_size(PHONE)
        if (width := page.evaluate(DOCUMENT_WIDTH)) > PHONE["width"]:
            shot = SCREENSHOTS / f"pages-ja-{page_set}-{number:02d}-{name}-375.png"
            page.screenshot(path=str(shot), full_page=True)
            found = [*found, f"{width} px wide at {PHONE['width']} px (see {shot.name})"]
        if found:
            problems[url] = found
    for page in contexts.values():
        page.context.close()
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
