"""The whole book on one page (mkdocs-print-site-plugin, ``print_page/``).

The print page is made from each page's HTML as mkdocs-print-site-plugin saved
it (``page.html``). mkdocs-glightbox 0.5.1 hands that HTML on as a whole
document (``<html><head></head><body>…``, what its HTML parser writes), so
each chapter on the print page sat in a document of its own and Chromium's
PDF outline lost the chapters' headings. Run after every plugin, this keeps
the body's content only, in the page and in what the print page reads.
``tests/browser/test_print.py`` prints the page to PDF and checks its outline.
"""

import itertools
import re
from pathlib import Path

from mkdocs.plugins import event_priority

DOCUMENT = re.compile(
    r"\A\s*<html>\s*<head>\s*</head>\s*<body>(?P<body>.*)</body>\s*</html>\s*\Z", re.S
)


@event_priority(-100)  # after mkdocs-glightbox and mkdocs-print-site-plugin
def on_page_content(content, page, config, files):
    match = DOCUMENT.match(content)
    if match is None:
        return content
    content = match["body"]
    if hasattr(page, "html"):
        page.html = content  # what the print page is made of
    return content


SECTION = re.compile(r'<section class="print-page" id="(?P<page>[^"]+)"')
ID = re.compile(r'\b(?P<attribute>id|name)="(?P<value>[^"]+)"')
LINK = re.compile(r'href="#(?P<anchor>[^"]+)"')


@event_priority(-100)  # after the plugin has written the print page
def on_post_build(config):
    site = Path(config["site_dir"])
    # print_page/index.html, or print_page.html without directory URLs (offline)
    for path, up in (
        (site / "print_page" / "index.html", "../"),
        (site / "print_page.html", ""),
    ):
        if path.is_file():
            text = linked_anchors(path.read_text(encoding="utf-8"), up)
            path.write_text(text, encoding="utf-8")


def linked_anchors(output: str, up: str) -> str:
    """On the print page, every in-page link leads somewhere.

    The plugin gives each chapter's anchors the chapter's name as a prefix, in
    the links, but misses some of the targets: code lines' anchors, footnote
    marks, figures. Those get the prefix here; a link to a page the print page
    leaves out (the notebook) goes to that page instead.
    """
    linked = set(LINK.findall(output))
    starts = [match.start() for match in SECTION.finditer(output)] + [len(output)]
    parts = [output[: starts[0]]]
    for start, end in itertools.pairwise(starts):
        chunk = output[start:end]
        prefix = SECTION.match(chunk)["page"] + "-"

        def prefixed(match, prefix=prefix):
            value = match["value"]
            if not value.startswith(prefix) and prefix + value in linked:
                value = prefix + value
            return f'{match["attribute"]}="{value}"'

        parts.append(ID.sub(prefixed, chunk))
    output = "".join(parts)
    present = set(re.findall(r'\bid="([^"]+)"', output))

    def resolved(match):
        anchor = match["anchor"]
        if anchor in present or anchor not in page_urls:
            return match[0]
        return f'href="{up}{page_urls[anchor]}"'

    return LINK.sub(resolved, output)


page_urls: dict[str, str] = {}  # the plugin's id for a page → the page's URL


def on_nav(nav, config, files):
    page_urls.clear()
    for file in files.documentation_pages():
        page_urls[file.src_uri.rsplit(".", 1)[0].replace("/", "-")] = file.url
    return nav
