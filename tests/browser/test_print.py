"""The whole book on one page (mkdocs-print-site-plugin's print_page/), printed
to PDF by headless Chromium as a reader's "Save as PDF" would."""

import io

import pypdf
import pytest

from tests.helpers.book import REPOSITORY, nav_pages
from tests.helpers.browser import Recorder, is_local

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRINT_PAGE = "print_page/"


def chapter_titles() -> list[str]:
    """The title (first ``# `` line) of each page the print page holds: every
    Markdown page of the nav (the notebook page is left out)."""
    titles = []
    for src_uri in nav_pages():
        if src_uri.endswith(".md"):
            lines = (REPOSITORY / "docs" / src_uri).read_text().splitlines()
            titles.append(
                next(line[2:].strip() for line in lines if line.startswith("# "))
            )
    return titles


@pytest.fixture(scope="module")
def printed(browser, server) -> tuple[pypdf.PdfReader, Recorder]:
    context = browser.new_context(service_workers="block")
    recorder = Recorder()
    try:
        page = context.new_page()
        recorder.attach(context, page)
        page.goto(server + PRINT_PAGE, wait_until="load")
        page.wait_for_load_state("networkidle")
        # tagged: a structured PDF, whose outline (bookmarks) lists the headings
        pdf = page.pdf(format="A4", outline=True, tagged=True)
    finally:
        context.close()
    return pypdf.PdfReader(io.BytesIO(pdf)), recorder


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += outline_titles(item)
        else:
            titles.append(item.title.strip())
    return titles


def without_spaces(text: str) -> str:
    """Chromium's outline drops the space where a heading wraps onto a new line."""
    return "".join(text.split())


def test_every_chapter_is_a_heading_of_the_printed_book(printed):
    reader, _ = printed
    headings = {without_spaces(title) for title in outline_titles(reader.outline)}
    missing = [t for t in chapter_titles() if without_spaces(t) not in headings]
    assert missing == [], f"not among the PDF's headings: {missing}"


def test_the_printed_book_has_pages_enough_for_its_chapters(printed):
    reader, _ = printed
    # a chapter prints to several A4 pages; far more would mean a layout
    # that breaks (one line per page), far fewer that content is missing
    assert 15 * len(chapter_titles()) <= len(reader.pages) <= 60 * len(chapter_titles())


def test_the_print_page_loads_everything_from_the_site(printed):
    _, recorder = printed
    assert recorder.failed == []
    assert recorder.console_errors == []
    assert [url for url in recorder.requests if not is_local(url)] == []
