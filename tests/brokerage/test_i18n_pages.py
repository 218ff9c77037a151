"""Every page in both languages: translated chrome, local money and times, a remembered choice.

"Chrome" is what the site itself writes around the data: the navigation, headings, labels,
buttons, table headers, legends and the words read aloud (aria-label). On a Japanese page
none of it may still be one of the English source strings that the catalogue translates.
"""

import datetime
import re
from functools import cache
from html.parser import HTMLParser

import polib
import pytest
from django.conf import settings
from django.db.models.signals import pre_save
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from members.models import Notification, User
from tests.kit.catalogues import JAPANESE, literal_pieces
from tests.kit.clock import tokyo
from tests.kit.every_page import PAGE_SETS
from tests.kit.factories import PASSWORD
from tests.kit.steps import client_for, routed
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

CHROME_TAGS = {
    "title",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "label",
    "button",
    "legend",
    "th",
    "summary",
    "caption",
    "option",
    "dt",
    "figcaption",
}
# Attributes whose words a person reads or hears, or that the page's script shows.
CHROME_ATTRIBUTES = {"aria-label", "placeholder", "data-saved", "data-failed", "alt"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class ChromeReader(HTMLParser):
    """Collect the text of the chrome elements of a page, one segment per text node."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open_tags: list[str] = []
        self.segments: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in CHROME_ATTRIBUTES or name.startswith("data-label-")):
                self.segments.append(value.strip())
        if tag not in VOID_TAGS:
            self.open_tags.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open_tags:
            # Close it and whatever was left open inside it (HTML lets some tags go unclosed).
            del self.open_tags[len(self.open_tags) - 1 - self.open_tags[::-1].index(tag) :]

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and CHROME_TAGS.intersection(self.open_tags) and "script" not in self.open_tags:
            self.segments.append(text)


def chrome_segments(html: str) -> list[str]:
    reader = ChromeReader()
    reader.feed(html)
    return reader.segments


@cache
def english_sources() -> tuple[list[str], list[re.Pattern]]:
    """Return the English strings the Japanese catalogue translates differently.

    Single words are matched against whole segments ("Title" as a label, not inside a
    customer's title); phrases of two words or more anywhere in a segment, with their
    placeholders standing for any text.
    """
    words, phrases = [], []
    for entry in polib.pofile(str(JAPANESE)).translated_entries():
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            if entry.msgstr == source or not re.search(r"[A-Za-z]{2}", source):
                continue
            fragments = literal_pieces(entry, source)
            if len(" ".join(fragments).split()) >= 2:
                pattern = r".+?".join(re.escape(fragment) for fragment in fragments)
                phrases.append(re.compile(rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"))
            elif len(fragments) == 1:
                words.append(source.strip())
    return sorted(set(words)), phrases


def untranslated_chrome(html: str) -> list[str]:
    """Return the English source strings found in a page's chrome."""
    words, phrases = english_sources()
    found = []
    for segment in chrome_segments(html):
        # Labels end in ":" (or the full-width "\uff1a"); the words are what counts.
        bare = segment.strip(" :\uff1a·\u2014\u2013()")
        if bare in words:
            found.append(bare)
        found += [
            f"{segment!r} ~ {phrase.pattern[:60]}" for phrase in phrases if phrase.search(segment)
        ]
    return found


@cache
def japanese_translations() -> list[str]:
    """Return the Japanese of the catalogue, cut at its placeholders, in pieces of 7 or more.

    Shorter pieces ("ネットワーク") are also names in the data; pieces that the English
    sources use themselves ("委託者コード") belong on English pages.
    """
    catalogue = polib.pofile(str(JAPANESE))
    sources = " ".join(entry.msgid for entry in catalogue)
    pieces = set()
    for entry in catalogue.translated_entries():
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            pieces.update(
                piece.strip()
                for piece in literal_pieces(entry, text)
                if len(piece.strip()) >= 7
                and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", piece)
                and piece.strip() not in sources
            )
    return sorted(pieces)


def japanese_on_an_english_page(html: str) -> list[str]:
    """Return the catalogue's Japanese found on a page that should be English."""
    text = re.sub(r"<[^>]+>", " ", html)
    return [piece for piece in japanese_translations() if piece in text]


@pytest.fixture
def japanese_people():
    """Make everyone created during the test prefer Japanese (the factories make English
    speakers): their notifications, shown in the inbox, are then written in Japanese."""

    def prefer_japanese(sender, instance, **kwargs):
        if instance._state.adding:
            instance.language = User.Language.JA

    pre_save.connect(prefer_japanese, sender=User, dispatch_uid="japanese_people")
    yield
    pre_save.disconnect(sender=User, dispatch_uid="japanese_people")


@pytest.mark.parametrize("page_set", PAGE_SETS)
def test_every_page_speaks_japanese_in_its_chrome(page_set, japanese_people):
    # Given every page of a part of the site, each opened by a person who may see it
    problems = {}
    for person, url in PAGE_SETS[page_set]():
        # When it is opened in Japanese
        response = client_for(person, language="ja").get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        # Then it is marked as Japanese, and nothing of its chrome is left in English
        assert '<html lang="ja">' in page, url
        if untranslated := untranslated_chrome(page):
            problems[url] = untranslated
    assert not problems, problems


@pytest.mark.parametrize("page_set", PAGE_SETS)
def test_every_page_speaks_english_in_english(page_set):
    # Given every page of a part of the site, each opened by a person who may see it
    problems = {}
    for person, url in PAGE_SETS[page_set]():
        if url == reverse("pages:inbox"):
            continue  # notifications are written once, in the language of the recipient
        # When it is opened in English
        response = client_for(person, language="en").get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        # Then none of the catalogue's Japanese is on it (e.g. a help text translated once,
        # at import, in the default language)
        assert '<html lang="en">' in page, url
        if japanese := japanese_on_an_english_page(page):
            problems[url] = japanese
    assert not problems, problems


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_missing_page_answers_in_the_language_of_the_person(language):
    # When a person opens a page that does not exist
    response = client_for(language=language).get("/no-such-page/")
    page = response.content.decode()
    # Then the answer is a page of the site, in their language
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    assert ("ページが見つかりません" if language == "ja" else "Page not found") in page
    assert not untranslated_chrome(page) or language == "en"


def test_the_checker_finds_english_chrome_and_ignores_english_data():
    # Given a Japanese page with an untranslated label and button, and data in English
    page = (
        '<html lang="ja"><h1>Aluminium housing, 5 pieces</h1>'
        "<label>Title</label><button>Send my answer</button>"
        "<p>Submit a request</p><th>Request #12</th></html>"
    )
    # Then the chrome is found, the data and the paragraph (not chrome) are not
    found = untranslated_chrome(page)
    assert "Title" in found
    assert any("Send my answer" in problem for problem in found)
    assert any("Request #12" in problem for problem in found)
    assert not any("Aluminium" in problem or "Submit a request" in problem for problem in found)


# --- Money, dates and the network's time zone ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "amount", "moment"),
    [
        ("ja", "330,000円", "2026年4月1日9:30 JST"),
        ("en", "¥330,000", "April 1, 2026, 9:30 a.m. JST"),
    ],
)
def test_yen_and_times_are_written_as_each_language_writes_them(language, amount, moment):
    # Given an amount, and a moment stored in UTC (00:30 UTC is 09:30 in Tokyo)
    world = kyoto_world()
    at = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=datetime.UTC)
    template = Template("{% load money clocks %}{{ total|yen }} | {% local_time at network %}")
    # When they are shown in the language
    with translation.override(language):
        text = template.render(Context({"total": 330_000, "at": at, "network": world.network}))
    # Then the yen and the network's local time, with its zone, are written its way
    shown_amount, shown_time = text.split(" | ")
    assert shown_amount == amount
    assert re.sub(r"<[^>]+>", "", shown_time) == moment
    assert 'title="Asia/Tokyo"' in shown_time


@pytest.mark.parametrize(
    ("language", "words"), [("ja", "見積の期限\uff1a"), ("en", "The estimate is due by")]
)
def test_the_request_page_gives_the_estimate_due_time_in_the_networks_zone(language, words, clock):
    # Given a request routed at 10:37 in Tokyo, whose estimate is due two hours later, at
    # 37 minutes past an hour in the network's zone (on the hour, English says "2 p.m."
    # rather than "2:00")
    clock.set(tokyo(2026, 11, 18, 10, 37))
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    due = timezone.localtime(rfq.estimate_due_at, world.network.tzinfo)
    assert due == tokyo(2026, 11, 18, 12, 37)
    # When its customer opens it in the language
    page = client_for(world.customer, language=language).get(
        reverse("pages:request", args=[rfq.pk])
    )
    html = page.content.decode()
    # Then the due time is said in the network's zone, and the countdown ticks in words
    assert words in html
    hour = due.hour if language == "ja" else due.hour % 12 or 12
    assert f"{hour}:{due:%M}" in html and "JST" in html
    assert ("残り" if language == "ja" else "left") in html


# --- The default, and the person's language, remembered ---------------------------------


def test_without_a_preference_the_site_and_its_api_speak_japanese(settings):
    # Given the site's own default language (the suite otherwise defaults to English)
    settings.LANGUAGE_CODE = "ja"
    world = kyoto_world()
    # When a visitor with no cookie and no Accept-Language opens the home page
    page = Client().get(reverse("home")).content.decode()
    # Then it is in Japanese
    assert '<html lang="ja">' in page and "依頼を出す" in page
    # And an API refusal is in Japanese unless the client asks for English
    api = APIClient()
    api.force_authenticate(world.customer)
    body = {
        "network": world.network.slug,
        "title": "Bracket",
        "description": "Two pieces",
        "requirements": [{"capability": "process.no_such_skill"}],
    }
    japanese = api.post("/api/rfqs/", body, format="json")
    english = api.post("/api/rfqs/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert japanese.status_code == english.status_code == 400
    assert "不明な技術" in str(japanese.json()), japanese.json()
    assert "Unknown capabilities" in str(english.json()), english.json()


# --- The person's language, remembered --------------------------------------------------


def test_logging_in_switches_to_the_language_of_the_persons_profile():
    # Given a member whose profile says English, on a browser that reads Japanese
    world = kyoto_world()
    member = world.users["fushimi"]
    User.objects.filter(pk=member.pk).update(language=User.Language.EN)
    browser = client_for(language="ja")
    # When they log in
    response = browser.post(
        reverse("login"), {"username": member.username, "password": PASSWORD}, follow=True
    )
    # Then the site speaks English to them, from now on on this browser
    assert response.redirect_chain, response.content.decode()[:2000]
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in response.content.decode()
    assert '<html lang="en">' in browser.get(reverse("pages:invitations")).content.decode()


def test_switching_the_language_is_remembered_on_the_profile():
    # Given a customer who reads the site in Japanese
    world = kyoto_world()
    User.objects.filter(pk=world.customer.pk).update(language=User.Language.JA)
    browser = client_for(world.customer, language="ja")
    # When they switch to English on a page
    page = reverse("pages:request-list")
    response = browser.post(reverse("set_language"), {"language": "en", "next": page})
    # Then they stay on the page, now in English, and their profile remembers it
    assert response.status_code == 302 and response["Location"] == page
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    world.customer.refresh_from_db()
    assert world.customer.language == User.Language.EN
    assert '<html lang="en">' in browser.get(page).content.decode()
    # and their next notification is written in English
    routed(world, "process.machining.milling", title="Second bracket")
    received = Notification.objects.filter(
        recipient=world.customer, kind="rfq.received", channel="in_app"
    ).latest("id")
    assert received.title.startswith("We received your request")


def test_a_visitor_switching_language_changes_only_the_cookie_and_nonsense_changes_nothing():
    world = kyoto_world()
    visitor = client_for(language="ja")
    response = visitor.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # A language the site does not speak leaves the person's profile as it was
    User.objects.filter(pk=world.customer.pk).update(language=User.Language.JA)
    customer = client_for(world.customer, language="ja")
    customer.post(reverse("set_language"), {"language": "fr", "next": "/"})
    world.customer.refresh_from_db()
    assert world.customer.language == User.Language.JA
