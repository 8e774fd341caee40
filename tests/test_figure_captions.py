"""Numbered figure captions (hooks/figure_captions.py), in the hook and in the site.

Every figure of a chapter is a ``<figure>`` whose caption starts "Figure c.n:",
c the chapter's place in the nav and n the figure's in the chapter, made by
the hook from the image's Markdown title; a "Figure" link shows the number.
"""

import re
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from hooks import figure_captions as captions
from hooks.book_markdown import page_from_text
from tests.helpers.book import nav_pages, page_path

REPOSITORY = Path(__file__).resolve().parent.parent
CHAPTERS = [p for p in nav_pages() if p.endswith(".md") and p != "index.md"]

IMAGE = '<img alt="{alt}" src="../figures/ch/{name}.svg" title="{title}" />'


def test_captioned_images_become_numbered_figures():
    content = (
        "<p>Text.</p>\n<p>"
        + IMAGE.format(alt="A first plot", name="first_one", title="One `x` & more")
        + "</p>\n<p>"
        + IMAGE.format(alt="A second", name="two", title="Two")
        + "</p>\n<p><img alt='no caption' src='x.svg' /></p>"
    )
    html, found = captions.number_figures(content, 3)
    assert found == {"fig-first-one": "3.1", "fig-two": "3.2"}
    assert '<figure class="book-figure" id="fig-first-one">' in html
    assert (
        '<figcaption><span class="book-figure__number">Figure 3.1:</span> '
        "One <code>x</code> &amp; more</figcaption>" in html
    )
    assert 'data-title="Figure 3.2" data-description="Two"' in html
    assert ' title="' not in html  # the caption is shown, not a tooltip
    assert "<p><img alt='no caption' src='x.svg' /></p>" in html  # no title


def test_an_image_id_names_the_figure_and_a_page_without_chapter_counts_alone():
    image = '<p><img alt="a" id="fig-mine" src="a.svg" title="T" /></p>'
    html, found = captions.number_figures(image, None)
    assert found == {"fig-mine": "1"}
    assert "Figure 1:</span> T" in html and 'id="fig-mine"' in html


def test_an_explorer_is_one_figure_whose_caption_stays_outside_its_fallback():
    explorer = (
        '<div class="book-explorer" data-explorer="demo">\n'
        '<p><img alt="first" src="../figures/ch/left.svg" title="Both panels" /></p>\n'
        '<p><img alt="second" src="../figures/ch/right.svg" /></p>\n</div>'
    )
    html, found = captions.number_figures(explorer, 5)
    assert found == {"fig-left": "5.1"}
    figure = re.search(r"<figure[^>]*>(.*)</figure>", html, re.S)[1]
    assert figure.index("</div>") < figure.index("<figcaption>")
    assert "Figure 5.1:</span> Both panels</figcaption>" in figure
    assert 'class="off-glb"' in html  # the lightbox leaves hidden fallbacks out


def test_figure_links_show_the_number_on_the_page_and_across_pages():
    captions.numbers.clear()
    captions.numbers[("tensors", "fig-crops")] = "2.3"
    captions.numbers[("operations", "fig-maps")] = "3.1"
    content = (
        '<a href="#fig-maps">Figure</a>, <a href="../tensors/#fig-crops">Figure</a>'
        ', <a href="#section">Figure</a>'
    )
    resolved = captions.resolve_references(content, "operations/")
    assert resolved == (
        '<a href="#fig-maps">Figure 3.1</a>, '
        '<a href="../tensors/#fig-crops">Figure 2.3</a>, <a href="#section">Figure</a>'
    )
    captions.numbers[("tensors.html", "fig-crops")] = "2.3"  # the offline build
    offline = captions.resolve_references(
        '<a href="tensors.html#fig-crops">Figure</a>', "operations.html"
    )
    assert offline == '<a href="tensors.html#fig-crops">Figure 2.3</a>'
    with pytest.raises(PluginError, match="no numbered figure"):
        captions.resolve_references('<a href="#fig-gone">Figure</a>', "operations/")


@pytest.mark.parametrize("src_uri", CHAPTERS)
def test_every_figure_of_a_chapter_has_a_caption(src_uri):
    page = page_from_text((REPOSITORY / "docs" / src_uri).read_text(encoding="utf-8"))
    images = [
        child
        for token in page.tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "image"
    ]
    untitled = [i.attrs["src"] for i in images if not i.attrs.get("title")]
    # the second image of an explorer's fallback shares the first one's caption
    assert untitled == [
        src for src in untitled if src.endswith("optimizer-paths-rotated.svg")
    ]


def test_the_built_chapters_number_their_figures_in_order(site_dir):
    for number, src_uri in enumerate(CHAPTERS, 1):
        html = (site_dir / page_path(src_uri) / "index.html").read_text()
        article = html[html.index("<article") : html.index("</article>")]
        labels = re.findall(r'class="book-figure__number">Figure ([\d.]+):', article)
        assert labels == [f"{number}.{n}" for n in range(1, len(labels) + 1)]
        figures = article.count('<figure class="book-figure')
        assert figures == len(labels)
        outside = re.sub(r"<figure.*?</figure>", "", article, flags=re.S)
        assert "<img" not in outside, f"{src_uri}: an image outside a figure"
        for link in re.findall(r'<a href="[^"]*#fig-[^"]*">([^<]*)</a>', article):
            assert re.fullmatch(r"Figure \d+\.\d+", link), link
