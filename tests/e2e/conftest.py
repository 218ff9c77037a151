"""Browser tests: Debian's Chromium driven by Playwright against a running server and worker.

The web server (runserver, no reloader) and a Celery worker run as real processes on the
test database, sharing a private Redis when the machine has redis-server (else the
file-system broker). Each test arranges its data in the tables, then acts through the
browser as a person would; every page it visits is screenshotted into
test-artifacts/screenshots/<journey>-<language>-<step>.png and audited for accessibility,
at a phone's width (375 px) too, and, in Japanese, for English left untranslated.
"""

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from core.processes import ROOT, Background, start_web, wait_until
from tests.e2e.audit import page_problems, sideways_scroll, untranslated_text
from tests.kit.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# The pages under test need neither collectstatic's manifest nor the production rate limits
# (every browser of these tests comes from 127.0.0.1).
SERVER_ENVIRONMENT = {
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "THROTTLE_LOGIN_RATE": "1000/minute",
    "THROTTLE_SUBMISSION_RATE": "1000/minute",
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


# Module scope: while Playwright runs, its event loop makes Django refuse database calls
# unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and that variable must not outlive the browser
# tests (processes started later inherit it, and the deploy check refuses it).
@pytest.fixture(scope="module")
def chromium():
    """Start Debian's Chromium for a module of browser tests (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed here (apt-get install -y chromium); CI has it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse
    # database calls from the test ("async context"); the test is still plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Site:
    url: str
    background: Background

    def logs(self) -> str:
        return self.background.logs()


@pytest.fixture(scope="module")
def site(chromium, django_db_setup, django_db_blocker, tmp_path_factory):
    """Run the web server and a Celery worker on the test database for the browser tests."""
    background = Background(tmp_path_factory.mktemp("e2e-processes"))
    broker = background.start_redis() if background.private_redis_available else None
    try:
        # The server, the worker and the tests keep drawings (and their previews) in one
        # place: a file arranged through the services is one the server can stream.
        files = {"PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}
        url = start_web(background, broker, **SERVER_ENVIRONMENT, **files)
        background.start_worker("worker", broker_url=broker, **files)
        yield Site(url=url, background=background)
    finally:
        background.stop_all()


def may_log_in(user) -> None:
    """Give a person a password hash the server can check (the suite hashes with MD5).

    PBKDF2 with few rounds: the server's hashers verify it, and upgrade it at login.
    """
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8), iterations=1000)
    user.save(update_fields=["password"])


class Journey:
    """One person's visit in a browser tab: steps, screenshots and an audit of every page."""

    def __init__(self, browser, site: Site, *, name: str, language: str, phone: bool):
        self.name, self.language, self.site = name, language, site
        self.context = browser.new_context(
            base_url=site.url,
            locale=LOCALES[language],
            timezone_id="Asia/Tokyo",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.steps = 0
        self.failures: list[str] = []
        self.page.on("pageerror", lambda error: self.failures.append(f"script error: {error}"))
        self.page.on("response", self._note_failed_response)

    def _note_failed_response(self, response) -> None:
        if response.status >= 400:
            self.failures.append(f"{response.status} for {response.url}")

    def log_in(self, user, *, expect_language: str | None = None) -> None:
        may_log_in(user)
        if "/login/" not in self.page.url:
            self.page.goto("/login/")
        self.page.fill("#id_username", user.get_username())
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(lambda url: "/login/" not in url)
        assert self.page.locator("html").get_attribute("lang") == (
            expect_language or self.language
        ), self.page.url

    def follow(self, link) -> None:
        """Click a link and wait until its page has loaded.

        A click only starts the navigation: what is asked of the page next would otherwise
        be asked, on a slow machine, of the page being left.
        """
        target = urljoin(self.page.url, link.get_attribute("href"))
        link.click()
        self.page.wait_for_url(lambda url: url == target)

    def skip_to_content(self) -> None:
        """Check with the keyboard that the first Tab shows the skip link and Enter uses it."""
        self.page.keyboard.press("Tab")
        focused = self.page.evaluate(
            """() => {
                const element = document.activeElement, style = getComputedStyle(element);
                const box = element.getBoundingClientRect();
                return {skip: element.classList.contains("skip-link"), x: box.left,
                        outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px"};
            }"""
        )
        assert focused["skip"] and focused["x"] >= 0 and focused["outline"], focused
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "main"
        self.page.keyboard.press("Tab")
        in_main = "document.getElementById('main').contains(document.activeElement)"
        assert self.page.evaluate(in_main), "the next Tab leaves the main content"

    def screenshot(self, step: str, *, language: str | None = None) -> Path:
        """Save the page as <journey>-<language>-<nn>-<step>.png and audit it; audit it at a
        phone's width too (saved as ...-<step>-375px.png when the journey is on a desktop).

        `language` is the page's, when a step switched away from the journey's language.
        A Japanese page may show none of the catalogue's English left untranslated.
        """
        self.page.wait_for_load_state("load")
        self.steps += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.name}-{self.language}-{self.steps:02d}-{step}"
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        problems = page_problems(self.page, language or self.language)
        if (language or self.language) == "ja":
            problems += untranslated_text(self.page)
        self._assert_none(problems, path)
        viewport = self.page.viewport_size
        if viewport["width"] != PHONE["width"]:
            self.page.set_viewport_size(PHONE)
            phone = SCREENSHOTS / f"{name}-375px.png"
            self.page.screenshot(path=str(phone), full_page=True)
            sideways = sideways_scroll(self.page)
            self.page.set_viewport_size(viewport)
            self._assert_none([sideways] if sideways else [], phone)
        assert not self.failures, self.failures
        return path

    def _assert_none(self, problems: list[str], screenshot: Path) -> None:
        assert not problems, f"{screenshot.relative_to(ROOT)} ({self.page.url}):\n" + "\n".join(
            problems
        )

    def wait_for(self, predicate, what: str, timeout: float = 30) -> None:
        """Wait for the server or the worker to have done something, or fail with their logs."""
        assert wait_until(predicate, timeout=timeout, interval=0.2), (
            f"{what} did not happen:\n{self.site.logs()}"
        )

    def close(self) -> None:
        self.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def journeys(chromium, site, transactional_db, request):
    """Open browser tabs as people; close them after the test (keeping the last page of a
    failed test as <journey>-<language>-failed.png)."""
    opened: list[Journey] = []

    def open_journey(name: str, language: str, *, phone: bool = False) -> Journey:
        journey = Journey(chromium, site, name=name, language=language, phone=phone)
        opened.append(journey)
        return journey

    yield open_journey
    failed = getattr(request.node, "call_report", None) is None or request.node.call_report.failed
    for journey in opened:
        if failed:
            journey.page.screenshot(
                path=str(SCREENSHOTS / f"{journey.name}-{journey.language}-failed.png"),
                full_page=True,
            )
        journey.close()


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    """Start each run with an empty screenshot folder, so that old pictures never mislead."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
