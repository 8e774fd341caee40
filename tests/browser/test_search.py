"""The search box finds the book's key words, on the served site.

What search must find comes from the Markdown: every page whose prose holds a
key word must be in the index under that word, and typing the word into the
search box must list each of those pages. A key word that no page holds any
more fails the test: it is a sign of missing content, not a reason to search
for something else.
"""

from urllib.parse import urlsplit

import pytest

from tests.helpers.book import markdown_source, nav_pages, page_path, prose_of
from tests.helpers.browser import VIEWPORT, js, search
from tests.helpers.search_index import WORD, pages_with, search_index

pytestmark = pytest.mark.browser

TERMS = ["broadcasting", "momentum", "gradient", "tensor"]


def pages_mentioning(term: str) -> set[str]:
    return {
        page_path(page)
        for page in nav_pages()
        if term in prose_of(markdown_source(page) or "").lower()
    }


@pytest.mark.parametrize("term", TERMS)
def test_the_index_holds_every_page_that_mentions_a_term(term, site_dir):
    mentioned = pages_mentioning(term)
    assert len(mentioned) >= 2, f"only {sorted(mentioned)} mention {term!r}"
    assert mentioned <= pages_with(term, search_index(site_dir))


@pytest.mark.parametrize("term", TERMS[:2])
def test_search_finds(term, browser, server):
    expected = pages_mentioning(term)
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server, wait_until="load")
        root = urlsplit(server).path
        found = {path.removeprefix(root) for path in search(page, term)}
        tex = page.evaluate(js("search_result_tex"))
    finally:
        context.close()
    assert expected and expected <= found, f"searching {term!r}"
    assert tex["raw"] == [], "TeX left in the result previews"


def test_search_previews_show_typeset_maths(browser, server, site_dir):
    """A section that opens with maths is found by its title; its preview is typeset."""
    docs = search_index(site_dir)
    opening_with_maths = [
        doc for doc in docs if "#" in doc["location"] and "\\(" in doc["text"][:80]
    ]
    assert opening_with_maths, "no section of the book opens with maths"
    title = max(
        WORD.findall(opening_with_maths[0]["title"].lower()) or ["maths"], key=len
    )
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server, wait_until="load")
        search(page, title)
        page.wait_for_function(js("search_previews_settled"), timeout=10_000)
        tex = page.evaluate(js("search_result_tex"))
    finally:
        context.close()
    assert tex["rendered"] > 0
    assert tex["raw"] == []
