"""The browser audit finds what it is there to find: a page wider than a phone, and the
catalogue's English on a Japanese page (a page that passes proves nothing without this)."""

import pytest

from tests.e2e.audit import sideways_scroll, untranslated_text
from tests.e2e.conftest import PHONE


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_a_page_wider_than_a_phone_is_found_with_what_makes_it_wide(page):
    # Given a phone's screen, and a table twice as wide as it in a page's panel
    page.set_content(
        '<body style="margin: 0"><main><section class="panel">'
        '<table class="list" style="width: 750px"><tr><td>wide</td></tr></table>'
        "</section></main></body>"
    )
    # Then the audit says by how much, and names the table (not its panel or its cells)
    assert sideways_scroll(page) == (
        "the page is 375 px wider than the screen (375 px): widest "
        '<table class="list" style="width: 750px"><tbody><tr><td>wide</td></tr></tbody></table>'
        " reaches 750 px"
    )


def test_a_wide_table_in_a_box_that_scrolls_it_is_no_problem(page):
    page.set_content(
        '<main><div style="overflow-x: auto"><table style="width: 750px">'
        "<tr><td>wide</td></tr></table></div></main>"
    )
    assert sideways_scroll(page) is None


def test_english_of_the_catalogue_on_a_page_is_found_and_its_japanese_is_not(page):
    # Given a page that shows the English of two translated strings, one with a number in it,
    # the Japanese of a third, data that only shares words with the catalogue, and English
    # that is not shown
    page.set_content(
        "<main><p>No record of past requests.</p><p>Answered 80% of past requests.</p>"
        "<p>対応中の仕事3件。</p><p>Records of past requests, milled</p>"
        '<p style="display: none">Why your firm</p></main>'
    )
    # Then the audit finds the two English strings, as the page shows them
    assert untranslated_text(page) == [
        "untranslated: 'Answered 80% of past requests.'",
        "untranslated: 'No record of past requests.'",
    ]
