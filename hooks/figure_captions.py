"""Numbered figure captions, and references that show the number.

A figure is an image alone in its paragraph whose Markdown gives it a title;
the title is its caption::

    ![What it shows, for readers who cannot see it](figures/ch/name.svg "Caption.")

This hook turns it into a ``<figure>`` whose ``<figcaption>`` starts with the
figure's number, "Figure 2.3:", made here: the chapter's position in the nav
(the home page and the notebook page are not chapters), then the figure's
position in its chapter. An explorer's placeholder (``hooks/explorers.py``) is
one figure: its caption goes after the placeholder, so that it stays when the
explorer replaces the static images; the images' titles are joined.

The figure's id is the image's own (``{ #fig-crops }`` after it, attr_list)
or ``fig-`` and the file's name (``fig-crops``). A link whose text is exactly
"Figure" and whose target is a figure, on this page or another
(``[Figure](#fig-crops)``, ``[Figure](tensors.md#fig-crops)``), shows the
number: "Figure 2.3". A link to a figure that does not exist fails the
build, like any broken anchor.

The lightbox (mkdocs-glightbox, in mkdocs.yml) opens a figure full-size on
tap and shows the number and caption under it; it is left out of pages
without images. ``tests/test_figure_captions.py`` checks the HTML this
makes, ``tests/browser/test_layout.py`` how it reads at phone width.
"""

import html
import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

FIGURE_CLASS = "book-figure"
NUMBER_CLASS = "book-figure__number"
NO_LIGHTBOX = "off-glb"  # mkdocs-glightbox leaves images of this class alone
IMAGE = r"<img\b[^>]*>"
CAPTIONED = re.compile(
    r"<p>\s*(?P<img><img\b[^>]*\stitle=\"[^\"]*\"[^>]*>)\s*</p>"
    r"|(?P<explorer><div class=\"book-explorer\"[^>]*>.*?</div>)",
    re.S,
)
ATTRIBUTE = re.compile(r"\s([\w:-]+)=\"([^\"]*)\"")
CODE = re.compile(r"`([^`]+)`")
REFERENCE = re.compile(
    r"<a(?P<before>[^>]*)\shref=\"(?P<href>[^\"#]*)#(?P<anchor>[^\"]+)\""
    r"(?P<after>[^>]*)>Figure</a>"
)

chapters: dict[str, int] = {}  # src_uri → chapter number
numbers: dict[tuple[str, str], str] = {}  # (page_key, figure id) → "2.3"


def on_nav(nav, config, files):
    chapters.clear()
    numbers.clear()
    pages = [
        page
        for page in nav.pages
        if page.file.src_uri.endswith(".md") and page.file.src_uri != "index.md"
    ]
    chapters.update({page.file.src_uri: n for n, page in enumerate(pages, 1)})


def attributes(tag: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}


def without(tag: str, *names: str) -> str:
    for name in names:
        tag = re.sub(rf"\s{name}=\"[^\"]*\"", "", tag)
    return tag


def caption_html(title: str) -> str:
    """The caption's text, escaped; `code` in backticks becomes <code>."""
    return CODE.sub(r"<code>\1</code>", html.escape(title, quote=False))


def figure_id(image: dict[str, str]) -> str:
    if image.get("id"):
        return image["id"]
    stem = posixpath.splitext(posixpath.basename(image.get("src", "")))[0]
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


def number_figures(content: str, chapter: int | None) -> tuple[str, dict[str, str]]:
    """The page's HTML with each captioned image a numbered figure; id → number."""
    found: dict[str, str] = {}

    def figure(match: re.Match) -> str:
        number = len(found) + 1
        label = f"Figure {chapter}.{number}" if chapter else f"Figure {number}"
        if match["explorer"]:
            titled = [
                tag
                for tag in re.findall(IMAGE, match["explorer"])
                if attributes(tag).get("title")
            ]
            if not titled:
                return match[0]
            body = match["explorer"]
            for tag in re.findall(IMAGE, body):
                # hidden once the explorer runs: no lightbox for them
                quiet = without(tag, "title", "id").replace(
                    "<img", f'<img class="{NO_LIGHTBOX}"', 1
                )
                body = body.replace(tag, quiet, 1)
            first = attributes(titled[0])
            title = " ".join(attributes(tag)["title"] for tag in titled)
            classes = f"{FIGURE_CLASS} {FIGURE_CLASS}--explorer"
        else:
            first = attributes(match["img"])
            title = first["title"]
            # the lightbox shows the number and the caption under the figure
            body = without(match["img"], "title", "id").replace(
                "<img",
                f'<img data-title="{label}" data-description="{html.escape(title)}"',
                1,
            )
            classes = FIGURE_CLASS
        identifier = figure_id(first)
        if identifier in found:
            raise PluginError(f"figure_captions: two figures have the id {identifier}")
        found[identifier] = label.removeprefix("Figure ")
        return (
            f'<figure class="{classes}" id="{html.escape(identifier)}">\n{body}\n'
            f'<figcaption><span class="{NUMBER_CLASS}">{label}:</span> '
            f"{caption_html(title)}</figcaption>\n</figure>"
        )

    return CAPTIONED.sub(figure, content), found


@event_priority(50)  # before mkdocs-glightbox wraps every image in a link
def on_page_content(content, page, config, files):
    content, found = number_figures(content, chapters.get(page.file.src_uri))
    for identifier, number in found.items():
        numbers[(page_key(page.url), identifier)] = number
        if page.present_anchor_ids is not None:
            page.present_anchor_ids.add(identifier)
    if "<img" not in content:
        page.meta["glightbox"] = False  # no lightbox script on a page without images
    return content


def page_key(url: str) -> str:
    """A page's URL, the same however a link spells it: "tensors/" → "tensors"."""
    return posixpath.normpath(url or ".").strip("/")


def resolve_references(content: str, page_url: str) -> str:
    """Each "Figure" link to a figure shows the figure's number."""

    def reference(match: re.Match) -> str:
        href, anchor = match["href"], match["anchor"]
        target = page_key(posixpath.join(posixpath.dirname(page_url), href))
        number = numbers.get((target if href else page_key(page_url), anchor))
        if number is None:
            if anchor.startswith("fig-"):
                raise PluginError(
                    f"figure_captions: {page_url or 'the home page'} refers to "
                    f"{href}#{anchor}, which is no numbered figure"
                )
            return match[0]
        return (
            f'<a{match["before"]} href="{href}#{anchor}"{match["after"]}>'
            f"Figure {number}</a>"
        )

    return REFERENCE.sub(reference, content)


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    page.content = resolve_references(page.content, page.url)
    return context
