"""`mkdocs build --strict` passes; no page loads anything from outside the site."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent

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


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPOSITORY,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),  # Material's sunset banner
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings == []
    return site


def test_strict_build_succeeds_without_warnings(built_site):
    assert (built_site / "index.html").exists()


def test_no_page_fetches_an_asset_from_outside_the_site(built_site):
    external = []
    for page in built_site.rglob("*.html"):
        collector = AssetCollector()
        collector.feed(page.read_text(errors="replace"))
        external += [
            f"{page.relative_to(built_site)}: {a}"
            for a in collector.assets
            if EXTERNAL.match(a)
        ]
    for stylesheet in built_site.rglob("*.css"):
        external += [
            f"{stylesheet.relative_to(built_site)}: {u}"
            for u in CSS_URL.findall(stylesheet.read_text(errors="replace"))
            if EXTERNAL.match(u)
        ]
    assert external == []


def test_maths_is_rendered_by_the_sites_own_katex(built_site):
    index = (built_site / "tensors" / "index.html").read_text()
    assert 'class="arithmatex"' in index
    for asset in ("katex.min.js", "contrib/auto-render.min.js", "katex.min.css"):
        assert f"assets/katex/{asset}" in index
        assert (built_site / "assets" / "katex" / asset).stat().st_size > 1000
    fonts = CSS_URL.findall((built_site / "assets/katex/katex.min.css").read_text())
    woff2 = [font for font in fonts if font.endswith(".woff2")]
    assert woff2 and all((built_site / "assets/katex" / f).exists() for f in woff2)
