"""Every block that continues the one above says so on the site."""

import re
import textwrap
from pathlib import Path

import pytest

from hooks.continuations import (
    NOTE_CLASS,
    NOTE_TEXT,
    add_continuation_notes,
    continuation_markers,
)

REPOSITORY = Path(__file__).resolve().parent.parent
PAGES = sorted((REPOSITORY / "docs").glob("*.md"))
# The note, then (after the marker comments pytest-codeblocks reads) the code block;
# in an admonition, Markdown opens a <p> before it, which an HTML parser (the
# browser's, or the lightbox plugin's on pages with figures) closes at once.
NOTE_BEFORE_BLOCK = re.compile(
    rf'<p class="{NOTE_CLASS}">{NOTE_TEXT}</p>\s*(?:<p>(?:</p>)?)?\s*'
    '<div class="highlight">'
)


def built_page(site_dir: Path, page: Path) -> str:
    name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
    return (site_dir / name).read_text()


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_cont_marker_gets_a_visible_note_before_its_block(page, site_dir):
    markers = len(continuation_markers(page.read_text()))
    html = built_page(site_dir, page)
    assert len(NOTE_BEFORE_BLOCK.findall(html)) == markers
    assert html.count(f'class="{NOTE_CLASS}"') == markers


def test_the_note_is_added_at_the_top_level_in_tabs_and_in_admonitions():
    page = textwrap.dedent(
        """\
        ```python
        a = 1
        ```
        <!--pytest-codeblocks:cont-->
        ```python
        print(a)
        ```

        === "NumPy"

            ```python
            b = 2
            ```

            <!-- pytest-codeblocks: cont -->
            ```python
            print(b)
            ```

        ??? success "Solution"

            ```python
            c = 3
            ```
            <!--pytest-codeblocks:cont-->
            ```python
            print(c)
            ```

        ````markdown
        <!--pytest-codeblocks:cont-->
        ````
        """
    )
    assert len(continuation_markers(page)) == 3  # not the one inside a fence
    notes = [
        line
        for line in add_continuation_notes(page).splitlines()
        if line.strip() == NOTE_TEXT
    ]
    assert notes == [NOTE_TEXT, f"    {NOTE_TEXT}", f"    {NOTE_TEXT}"]


def test_the_site_styles_the_note():
    css = (REPOSITORY / "docs/assets/stylesheets/book.css").read_text()
    assert f".{NOTE_CLASS}" in css


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_the_hook_and_the_guard_find_the_same_markers(page):
    from hooks.book_markdown import read_page

    continued = [fence for fence in read_page(page).fences if fence.continues]
    assert len(continuation_markers(page.read_text())) == len(continued)
