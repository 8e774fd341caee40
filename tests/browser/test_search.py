"""The search box finds the book's key words, on the served site.

What search must find is derived from the built search index (and the index
from the Markdown): every page whose text holds the word must be among the
results. A word that no page holds yet is replaced by the index's most common
long word, so the search is exercised either way, and the original word is
searched for as soon as a page holds it.
"""

import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import VIEWPORT, markdown_source, nav_pages, page_path
from tests.browser.test_pages import prose_of

pytestmark = pytest.mark.browser

TERMS = ["broadcasting", "momentum"]
WORD = re.compile(r"[a-z]{8,}")


def search_index(site_dir) -> list[dict]:
    return json.loads((site_dir / "search" / "search_index.json").read_text())["docs"]


def pages_with(word: str, docs: list[dict]) -> set[str]:
    """The pages (site-relative paths) whose indexed title or text holds the word."""
    return {
        doc["location"].split("#")[0]
        for doc in docs
        if word in f"{doc['title']} {doc['text']}".lower()
    }


def most_common_word(docs: list[dict]) -> str:
    words = Counter(w for doc in docs for w in WORD.findall(doc["text"].lower()))
    return words.most_common(1)[0][0]


def query_for(term: str, docs: list[dict]) -> str:
    return term if pages_with(term, docs) else most_common_word(docs)


def search(page, query: str) -> list[str]:
    """Type into Material's search box; return the result pages, site-relative."""
    page.wait_for_load_state("networkidle")  # the search worker has its index
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=20)  # Material reacts to key presses
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a.md-search-result__link",
        "links => links.map(a => a.href)",
    )
    return [urlsplit(href).path for href in hrefs]


RESULT_TEX_JS = r"""() => {
  const results = document.querySelector('.md-search-result__list').cloneNode(true);
  const rendered = results.querySelectorAll('.katex').length;
  results.querySelectorAll('.katex').forEach(k => k.remove());
  return {rendered, raw: results.textContent.match(/\\\(.{1,40}?\\\)/g) || []};
}"""


def test_query_falls_back_to_an_indexed_word():
    docs = [{"location": "a/", "title": "A", "text": "gradients gradients tensors"}]
    assert query_for("momentum", docs) == "gradients"
    assert query_for("tensors", docs) == "tensors"


def test_the_index_holds_every_page_that_mentions_a_term(site_dir):
    docs = search_index(site_dir)
    for term in TERMS:
        mentioned = {
            page_path(p)
            for p in nav_pages()
            if term in prose_of(markdown_source(p) or "").lower()
        }
        assert mentioned <= pages_with(term, docs)


@pytest.mark.parametrize("term", TERMS)
def test_search_finds(term, browser, server, site_dir):
    docs = search_index(site_dir)
    query = query_for(term, docs)
    expected = pages_with(query, docs)
    assert expected, f"no page holds {query!r}"
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server, wait_until="load")
        root = urlsplit(server).path
        found = {path.removeprefix(root) for path in search(page, query)}
        tex = page.evaluate(RESULT_TEX_JS)
    finally:
        context.close()
    assert expected <= found, f"searching {query!r}"
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
        page.wait_for_timeout(200)
        tex = page.evaluate(RESULT_TEX_JS)
    finally:
        context.close()
    assert tex["rendered"] > 0
    assert tex["raw"] == []
