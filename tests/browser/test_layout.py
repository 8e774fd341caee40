"""Nothing hidden sideways, and figures a reader can read, on a desktop and a phone.

Each page of the nav is measured at the end of its one visit (the visit of
test_pages.py, tests/helpers/browser.py ``layout``): resized to 1366 × 768 (a
common laptop), then to 390 × 844 (a phone held upright). Before measuring,
every collapsed solution is opened and every tab shown, so that each block is
measured (js/layout.js). At both widths:

- no code block scrolls sideways at 1366 px: its lines fit the text column
  (80 characters of code at the top level), and an output too long for it
  wraps, its continued lines indented; on a phone, code scrolls;
- every display equation fits the column, long ones broken into lines, so a
  reader on a phone never swipes a formula to read its end;
- a table wider than the column scrolls in a box of its own, never the page,
  and keeps its first column in view;
- every figure's smallest text is at least 10 CSS px as shown at 390 px
  (js/figure_labels.js: SVG font size × the transforms' scale × shown width /
  viewBox width). Every figure is drawn to read at a phone's width (stacked
  panels, a width of at most about 5 inches at 10 pt); the lightbox only adds
  a larger view: GLightbox zooms to the natural size only on screens wider
  than 768 px, so on a phone it cannot be what makes a figure legible.

Each failure names the page, the block (the heading above it and its longest
line, its TeX, or its header row) and the pixels hidden.
"""

import pytest

from tests.helpers.book import page_path
from tests.helpers.browser import PHONE

pytestmark = pytest.mark.browser

MIN_LABEL_PX = 10
CODE_COLUMNS = 80  # characters of code in the text column at 1366 px (measured)
FIGURE_PAGE = "first-network.md"  # where the lightbox is tried


@pytest.fixture
def measured(visit) -> dict:
    """The page's layout, measured at the end of its one visit: {"desktop": ...,
    "phone": ..., "figures": ...} (tests/helpers/browser.py ``layout``)."""
    assert "layout" not in visit.errors, visit.errors.get("layout")
    return visit.layout


def hidden_boxes(measured: dict) -> list[str]:
    return [
        f"{box['kind']} {box['name']}: {box['hidden']} px hidden "
        f"({box['content']} px wide in {box['room']} px, no scroll box of its own)"
        for box in measured["boxes"]
        if not box["scrolls"] or box["hidden"] > 0
    ]


def test_no_code_block_scrolls_sideways_at_1366(measured, nav_page):
    desktop = measured["desktop"]
    if desktop["codeChars"] is not None:
        assert desktop["codeChars"] >= CODE_COLUMNS, "the column got narrower"
    scrolling = [f"{b['name']}: {b['hidden']} px hidden" for b in desktop["code"]]
    assert scrolling == [], f"{nav_page} at 1366 px:\n" + "\n".join(scrolling)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_nothing_wider_than_the_page(measured, nav_page, width):
    measured = measured[width]
    assert measured["page"] <= measured["view"], (
        f"{nav_page} scrolls sideways by {measured['page'] - measured['view']} px"
    )
    hidden = hidden_boxes(measured)
    assert hidden == [], f"{nav_page} at {measured['view']} px:\n" + "\n".join(hidden)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_equation_fits_the_column(measured, nav_page, width):
    measured = measured[width]
    wide = [
        f"{box['name']}: {box['content']} px wide in {box['room']} px"
        for box in measured["boxes"]
        if box["kind"] == "equation"
    ]
    assert wide == [], f"{nav_page} at {measured['view']} px:\n" + "\n".join(wide)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_wide_table_keeps_its_first_column_in_view(measured, nav_page, width):
    measured = measured[width]
    lost = [
        box["name"]
        for box in measured["boxes"]
        if box["kind"] == "table" and not box.get("firstColumnStays", True)
    ]
    assert lost == [], f"{nav_page} at {measured['view']} px, first column scrolls away"


def test_figure_labels_are_at_least_10_px_at_390(measured, nav_page):
    small = [
        f"{figure['src']}: {figure['smallest']:.1f} px ({figure['sample']!r}), "
        f"shown {figure['shown']} px wide, drawn {figure['natural']} px"
        for figure in measured["figures"]
        if figure["smallest"] < MIN_LABEL_PX
    ]
    assert small == [], f"{nav_page} at 390 px:\n" + "\n".join(small)


def test_every_figure_opens_in_the_lightbox(measured):
    figures = measured["figures"]
    assert all(figure["lightbox"] for figure in figures), [
        figure["src"] for figure in figures if not figure["lightbox"]
    ]


def test_the_lightbox_shows_a_figure_with_its_number(browser, server):
    """Tap a figure at 390 px: the lightbox shows it, whole, with its caption."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    try:
        page = context.new_page()
        page.goto(server + page_path(FIGURE_PAGE), wait_until="load")
        figure = page.locator(".md-content figure.book-figure").first
        caption = figure.locator("figcaption").inner_text()
        source = figure.locator("img").get_attribute("src").rsplit("/", 1)[-1]
        assert figure.locator("a.glightbox").get_attribute("href").endswith(source)
        image = figure.locator("img")
        image.evaluate("img => { img.loading = 'eager'; return img.decode(); }")
        image.click()
        shown = page.locator(".glightbox-container .gslide.current img")
        shown.wait_for(state="visible", timeout=5000)
        page.wait_for_function(
            "() => { const i = document.querySelector("
            "'.glightbox-container .gslide.current img');"
            " return i && i.complete && i.naturalWidth > 0; }",
            timeout=5000,
        )
        assert shown.get_attribute("src").rsplit("/", 1)[-1] == source
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box
        number, _, text = caption.partition(": ")
        slide = page.locator(".glightbox-container .gslide.current")
        assert slide.locator(".gslide-title").inner_text().strip() == number
        assert slide.locator(".gslide-desc").inner_text().strip() == text.strip()
    finally:
        context.close()
