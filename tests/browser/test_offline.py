"""The offline build (`make offline`) works from file://, with no server at all.

Each page of the nav is opened from disk: it must load every asset from the
build itself, typeset its maths and show its figures; the search, which from
file:// runs through the vendored iframe-worker shim, must find a page.
"""

import pytest

from tests.helpers.book import MATHS, markdown_source, nav_pages, page_path, prose_of
from tests.helpers.browser import VIEWPORT, Recorder, js, search
from tests.helpers.search_index import most_common_word, pages_with, search_index

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000


@pytest.fixture
def open_offline(browser, offline_site_dir):
    """Open a page of the offline build from file://; yield (page, recorder)."""
    contexts = []

    def open_page(src_uri: str):
        context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        recorder = Recorder()
        recorder.attach(context, page)
        url = (offline_site_dir / page_path(src_uri, directory_urls=False)).as_uri()
        # a long page typesets hundreds of formulas: on two busy cores (the
        # suite runs in parallel) that can take longer than Playwright's 30 s
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)
        return page, recorder

    yield open_page
    for context in contexts:
        context.close()


def test_offline_build_has_no_directory_links(offline_site_dir):
    """From file:// a link to a folder opens a file listing, not the page."""
    assert (offline_site_dir / "search" / "search_index.js").is_file()
    for src_uri in nav_pages():
        assert (offline_site_dir / page_path(src_uri, directory_urls=False)).is_file()


def test_offline_page_works_from_file_url(nav_page, open_offline):
    page, recorder = open_offline(nav_page)
    assert recorder.console_errors == []
    assert recorder.failed == []
    assert recorder.requests and all(
        url.startswith("file://") for url in recorder.requests
    )
    maths = page.evaluate(js("maths"))
    assert (
        maths["untypeset"] == [] and maths["errors"] == [] and maths["rawInProse"] == []
    )
    source = markdown_source(nav_page)
    if source is not None and MATHS.search(prose_of(source)):
        assert maths["katex"] > 0
    page.evaluate(js("scroll_through"))  # figures load lazily
    page.wait_for_function(js("images_settled"), timeout=20_000)
    for image in page.evaluate(js("images")):
        if image["rendered"]:  # a hidden one is a fallback an explorer replaced
            assert image["complete"] and image["width"] > 0, image


def test_offline_search_finds_pages(open_offline, offline_site_dir):
    docs = search_index(offline_site_dir)
    query = most_common_word(docs)
    expected = {location.removesuffix(".html") for location in pages_with(query, docs)}
    page, recorder = open_offline(nav_pages()[0])
    root = offline_site_dir.as_uri().removeprefix("file://") + "/"
    found = {
        path.removeprefix(root).removesuffix(".html") for path in search(page, query)
    }
    assert expected and expected <= found
    assert recorder.console_errors == []
