"""No broken internal link or anchor, in the built site and in the offline build.

The strict build already refuses Markdown links to missing pages and anchors
(``validation`` in mkdocs.yml). This crawl checks what the browser gets:
every ``href`` and ``src`` of every built HTML page, including those written
by the theme, the hooks and the plugins, must reach a file of the build, and
its ``#fragment`` an element with that id on the target page.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.helpers.book import load_mkdocs_yml

SITE = "http://site.invalid/"  # a base to resolve relative links against
LINKING = {"href", "src"}
NOT_FETCHED = {"canonical", "alternate"}  # point at the hosted copy, by design


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name) and (name == "id" or tag == "a"):
                self.ids.add(values[name])
        if tag == "link" and values.get("rel") in NOT_FETCHED:
            return
        for name, value in attrs:
            if name in LINKING and value:
                self.links.append(value)


@cache
def parse(path: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def broken_links(site: Path, directory_urls: bool, site_url: str = "") -> list[str]:
    """Every link of the build at ``site`` that leads nowhere, as ``page: link → why``.

    The site is placed at ``site_url`` (its path is where absolute links such as
    the 404 page's start); from file:// (no directory URLs) 404.html is unused.
    """
    root = SITE.rstrip("/") + (urlsplit(site_url).path or "/")
    problems = []
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        if not directory_urls and relative == "404.html":
            continue
        for link in parse(page).links:
            if site_url and link.startswith(site_url):
                link = root + link.removeprefix(site_url)
            target = urlsplit(urljoin(root + relative, link))
            if (
                target.scheme not in ("http", "https")
                or target.netloc != urlsplit(SITE).netloc
            ):
                continue  # another site, mailto:, javascript:, data:
            if not target.path.startswith(urlsplit(root).path):
                problems.append(f"{relative}: {link} → outside the site")
                continue
            path = site / unquote(target.path.removeprefix(urlsplit(root).path))
            if path.is_dir():
                if not directory_urls:
                    problems.append(
                        f"{relative}: {link} is a folder (file:// shows a listing)"
                    )
                    continue
                path = path / "index.html"
            if not path.is_file():
                problems.append(f"{relative}: {link} → no such file")
            elif (
                target.fragment
                and path.suffix == ".html"
                and unquote(target.fragment) not in parse(path).ids
            ):
                problems.append(f"{relative}: {link} → no anchor #{target.fragment}")
    return problems


def test_crawler_finds_a_missing_page_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="../b/">b</a><a href="#gone">g</a>'
        '<a href="#here">h</a><a href="https://example.com/">out</a>'
    )
    (tmp_path / "index.html").write_text('<a href="a/#here">a</a><img src="c.svg">')
    assert broken_links(tmp_path, directory_urls=True) == [
        "a/index.html: ../b/ → no such file",
        "a/index.html: #gone → no anchor #gone",
        "index.html: c.svg → no such file",
    ]
    offline = broken_links(tmp_path, directory_urls=False)
    assert "index.html: a/#here is a folder (file:// shows a listing)" in offline


def site_url() -> str:
    return load_mkdocs_yml().get("site_url") or ""


def test_no_broken_link_in_the_site(site_dir):
    assert broken_links(site_dir, directory_urls=True, site_url=site_url()) == []


@pytest.mark.browser  # shares the offline build with the browser tests
def test_no_broken_link_in_the_offline_build(offline_site_dir):
    assert (
        broken_links(offline_site_dir, directory_urls=False, site_url=site_url()) == []
    )


def test_every_page_links_somewhere(site_dir):
    pages = list(site_dir.rglob("*.html"))
    assert pages and all(parse(page).links for page in pages)
    assert any(
        re.search(r"\.svg$", link) for page in pages for link in parse(page).links
    )
