"""Every page of the book, as a reader's browser shows it.

Each test asserts one thing about one page (parametrised over the nav); the
page is opened once per session (see conftest.py). Expectations come from the
page's Markdown where they can: a page whose Markdown has maths must show
typeset maths, one with tabs must show linked tabs, one with code must show
copy buttons.
"""

import re
from fnmatch import fnmatch

import nbformat
import pytest

from hooks import book_notebooks as notebooks
from hooks.notebooks import LAB_NOTEBOOKS
from tests.helpers.book import (
    MATHS,
    REPOSITORY,
    image_count,
    load_mkdocs_yml,
    markdown_source,
    nav_pages,
    page_path,
    prose_of,
    tab_titles,
)
from tests.helpers.browser import SERIOUS

pytestmark = pytest.mark.browser

# Transferred on a first visit (gzip, as the host sends it), once the page has
# loaded: everything, and everything but the figures (issue 11's budgets).
MAX_FIRST_VISIT_BYTES = 1_000_000
MAX_FIRST_VISIT_BYTES_WITHOUT_FIGURES = 600_000


def test_markdown_helpers_find_maths_and_tabs():
    page = 'Text $x^2$ and `$HOME`.\n\n```python\ncost = "$5"\n```\n\n=== "NumPy"\n'
    assert MATHS.search(prose_of(page))
    assert not MATHS.search(prose_of("It costs 5 dollars, `$x$` in code."))
    assert prose_of("See [the next chapter](broadcasting.md).") == (
        "See the next chapter."
    )
    assert tab_titles(page) == ["NumPy"]
    assert image_count("![a](x.svg)\n\n```text\n![b](y.svg)\n```\n") == 1


def test_page_loads_without_errors(visit):
    assert visit.console_errors == []
    assert visit.failed == []


def test_no_request_leaves_localhost(visit):
    assert visit.requests, "no request recorded"
    assert visit.external == []


def test_maths_is_typeset(visit):
    maths = visit.maths
    assert maths["errors"] == []
    assert maths["untypeset"] == [], "arithmatex spans that KaTeX did not render"
    assert maths["leftovers"] == [], "raw TeX left beside the rendered maths"
    assert maths["rawInProse"] == [], "TeX delimiters left in the text"
    source = markdown_source(visit.src_uri)
    if source is not None and MATHS.search(prose_of(source)):
        assert maths["arithmatex"] > 0, "the Markdown has maths, the page has none"
        assert maths["katex"] >= maths["arithmatex"]


def test_linked_tabs_switch_together(visit):
    assert "tabs" not in visit.errors, visit.errors.get("tabs")
    source = markdown_source(visit.src_uri) or ""
    titles = tab_titles(source)
    if not titles:
        assert visit.tabs_before == []
        return
    assert visit.tabs_before, "the Markdown has tabs, the page shows none"
    for tab_set in visit.tabs_before:
        assert tab_set["visible"].count(True) == 1, "exactly one tab of a set is shown"
    shared = {t for t in titles if titles.count(t) >= 2}
    if not shared:
        return
    clicked = visit.tabs_clicked
    assert clicked in shared, "no linked tab could be clicked"
    for tab_set in visit.tabs_after:
        if clicked in tab_set["labels"]:
            position = tab_set["labels"].index(clicked)
            assert tab_set["checked"] == position, f"a set did not switch to {clicked}"
            assert tab_set["visible"][position] and tab_set["visible"].count(True) == 1


def test_light_dark_toggle(visit):
    """The toggle goes from the first palette of mkdocs.yml (light) to the second."""
    assert "toggle" not in visit.errors, visit.errors.get("toggle")
    light, dark = load_mkdocs_yml()["theme"]["palette"][:2]
    before, after = visit.scheme_before, visit.scheme_after
    assert before["scheme"] == light["scheme"]
    assert before["toggle"] == [light["toggle"]["name"]]
    assert after["scheme"] == dark["scheme"]
    assert after["toggle"] == [dark["toggle"]["name"]]
    assert after["background"] != before["background"]


def test_code_blocks_have_copy_buttons(visit):
    assert "copy" not in visit.errors, visit.errors.get("copy")
    assert visit.copy_buttons == visit.code_blocks
    if visit.code_blocks:
        assert visit.copy_feedback == "Copied to clipboard"
        assert visit.copied_text.strip() == visit.copy_source.strip()


def test_images_load_and_have_alt_text(visit):
    for image in visit.images:
        if image["rendered"]:  # a hidden one is a fallback an explorer replaced
            assert image["complete"] and image["width"] > 0, image
        assert (image["alt"] or "").strip(), f"{image['src']} has no alt text"
    source = markdown_source(visit.src_uri)
    if source is not None:
        in_markdown = image_count(source)
        assert len(visit.images) >= in_markdown


def test_a_first_visit_stays_within_its_budget(visit):
    phone = visit.phone
    for width, sent, figures in (
        (1280, visit.bytes, visit.figure_bytes),
        (390, phone["bytes"], phone["figure_bytes"]),
    ):
        assert 0 < sent <= MAX_FIRST_VISIT_BYTES, (width, visit.heaviest)
        without_figures = sent - figures
        assert without_figures <= MAX_FIRST_VISIT_BYTES_WITHOUT_FIGURES, width


def test_katex_loads_only_where_there_is_maths(visit):
    katex = [url for url in visit.requests if "/assets/katex/" in url]
    if visit.maths["arithmatex"]:
        assert katex
    else:
        assert katex == [], "a page without maths loads KaTeX"


def test_no_serious_accessibility_violation(visit):
    for scheme in ("light", "dark"):
        assert scheme in visit.axe
        assert visit.serious(scheme) == [], f"{scheme}: {visit.serious(scheme)}"
    at_390 = [v for v in visit.phone["axe"] if v["impact"] in SERIOUS]
    assert at_390 == [], f"at 390 px: {at_390}"


def offers_a_notebook(src_uri: str) -> bool:
    """A chapter with Python code, or a notebook shown as a page."""
    if fnmatch(src_uri, LAB_NOTEBOOKS):
        return True
    source = markdown_source(src_uri)
    return source is not None and notebooks.is_chapter(src_uri, source)


def test_chapter_offers_its_notebook(visit, site_dir):
    if not offers_a_notebook(visit.src_uri):
        assert visit.notebook_links == []
        return
    name = notebooks.notebook_name(visit.src_uri)
    assert [link.rsplit("/", 1)[-1] for link in visit.notebook_links] == [
        name.rsplit("/", 1)[-1]
    ]
    offered = nbformat.read(site_dir / name, as_version=4)
    nbformat.validate(offered)
    expected = notebooks.notebook_of_page(REPOSITORY / "docs" / visit.src_uri)
    assert offered == expected


def test_every_built_page_is_in_the_nav(site_dir):
    """Every page of the built site (a folder's index.html; the sitemap is empty
    when no site_url is set) is reached from the nav, and the other way round."""
    built = {
        ""
        if page.parent == site_dir
        else page.parent.relative_to(site_dir).as_posix() + "/"
        for page in site_dir.rglob("index.html")
        if page.relative_to(site_dir).parts[0] not in {"assets", "search"}
    }
    nav = {page_path(p) for p in nav_pages()}
    nav.add("print_page/")  # mkdocs-print-site-plugin adds the whole book to the nav
    assert built == nav


def test_every_figure_loads_lazily(site_dir):
    """hooks/lazy_figures.py: the page's weight on first visit leaves out the
    figures below the first screen; they load as the reader scrolls."""
    pages = [site_dir / page_path(p) / "index.html" for p in nav_pages()]
    images = [
        tag
        for page in pages
        if page.is_file()
        for tag in re.findall(r"<img\b[^>]*>", page.read_text())
    ]
    assert images, "no image in the built pages"
    eager = [tag[:120] for tag in images if 'loading="lazy"' not in tag]
    assert not eager, eager
