"""`mkdocs build --strict` passes; no page loads anything from outside the site."""

import re
from html.parser import HTMLParser

# Attributes that make a browser fetch something (a plain <a href> does not).
FETCHING = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest"}
EXTERNAL = re.compile(r"^(https?:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)


class AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if (tag, name) in FETCHING and value:
                self.assets.append(value)
        rels = set((values.get("rel") or "").split())
        if tag == "link" and rels & FETCHING_LINK_RELS and values.get("href"):
            self.assets.append(values["href"])
        if values.get("style"):
            self.assets += CSS_URL.findall(values["style"])


def test_strict_build_succeeds_without_warnings(site_dir):
    assert (site_dir / "index.html").exists()


def test_no_page_fetches_an_asset_from_outside_the_site(site_dir):
    external = []
    for page in site_dir.rglob("*.html"):
        collector = AssetCollector()
        collector.feed(page.read_text(errors="replace"))
        external += [
            f"{page.relative_to(site_dir)}: {a}"
            for a in collector.assets
            if EXTERNAL.match(a)
        ]
    for stylesheet in site_dir.rglob("*.css"):
        external += [
            f"{stylesheet.relative_to(site_dir)}: {u}"
            for u in CSS_URL.findall(stylesheet.read_text(errors="replace"))
            if EXTERNAL.match(u)
        ]
    assert external == []


def test_maths_is_rendered_by_the_sites_own_katex(site_dir):
    index = (site_dir / "tensors" / "index.html").read_text()
    assert 'class="arithmatex"' in index
    for asset in ("katex.min.js", "contrib/auto-render.min.js", "katex.min.css"):
        assert f"assets/katex/{asset}" in index
        assert (site_dir / "assets" / "katex" / asset).stat().st_size > 1000
    fonts = CSS_URL.findall((site_dir / "assets/katex/katex.min.css").read_text())
    woff2 = [font for font in fonts if font.endswith(".woff2")]
    assert woff2 and all((site_dir / "assets/katex" / f).exists() for f in woff2)
