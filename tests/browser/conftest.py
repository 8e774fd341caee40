"""The built book, served on localhost and read by headless Chromium.

One strict build and one browser per test session. Each page of the nav is
visited once, in a fresh browser context (a reader arriving with an empty
cache), and everything the tests assert is recorded during that visit:
requests, bytes, console errors, maths, tabs, images, the colour toggle,
copy buttons, axe-core's verdict in light and dark, and two screenshots. The
tests in this folder then assert on those records, one check per test, and
the session writes test-artifacts/browser-report.{json,md}.

Chromium is Debian's (``make browser-deps``); Playwright only drives it.
"""

import contextlib
import functools
import http.server
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = Path(os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A request for another host fails at once instead of waiting on the network;
    # the tests still see it, and fail.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 800}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about", "file"}

SERIOUS = {"serious", "critical"}

# --- pages -------------------------------------------------------------------


def load_mkdocs_yml() -> dict:
    from mkdocs.utils.yaml import yaml_load

    with open(REPOSITORY / "mkdocs.yml", encoding="utf-8") as stream:
        return yaml_load(stream)


def nav_pages() -> list[str]:
    """The source path (under docs/) of every page in the nav, in nav order."""
    pages: list[str] = []

    def walk(item):
        if isinstance(item, str):
            if not re.match(r"^[a-z][a-z0-9+.-]*://", item):
                pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(load_mkdocs_yml().get("nav") or [])
    return pages


def page_path(src_uri: str, directory_urls: bool = True) -> str:
    """Where MkDocs puts a page: ``tensors.md`` → ``tensors/`` (or ``tensors.html``)."""
    path = PurePosixPath(src_uri)
    parent = "" if str(path.parent) == "." else f"{path.parent}/"
    name = "index" if path.stem == "README" else path.stem
    if not directory_urls:
        return f"{parent}{name}.html"
    return parent if name == "index" else f"{parent}{name}/"


def page_id(src_uri: str) -> str:
    return str(PurePosixPath(src_uri).with_suffix("")).replace("/", "-")


def pytest_generate_tests(metafunc):
    if "nav_page" in metafunc.fixturenames:
        pages = nav_pages()
        metafunc.parametrize("nav_page", pages, ids=[page_id(p) for p in pages])


def markdown_source(src_uri: str) -> str | None:
    path = REPOSITORY / "docs" / src_uri
    return path.read_text(encoding="utf-8") if path.suffix == ".md" else None


# --- the build and the server ------------------------------------------------


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site and counts every byte it sends (headers included).

    ``sent`` is the total so far; ``responses`` lists (path, bytes) per request.
    """

    sent = 0
    responses: ClassVar[list[tuple[str, int]]] = []
    lock = threading.Lock()

    def setup(self):
        super().setup()
        raw, handler = self.wfile, self
        self.bytes_out = 0

        class Counter:
            def write(inner, data):
                handler.bytes_out += len(data)
                return raw.write(data)

            def __getattr__(inner, name):
                return getattr(raw, name)

        self.wfile = Counter()

    def handle_one_request(self):
        before = self.bytes_out
        super().handle_one_request()
        sent = self.bytes_out - before
        if sent:
            with CountingHandler.lock:
                CountingHandler.sent += sent
                CountingHandler.responses.append((getattr(self, "path", "?"), sent))

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(site_dir):
    handler = functools.partial(CountingHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


# --- the browser -------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@dataclass
class Recorder:
    """Everything a page asks for and complains about while it is open."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def attach(self, context, page):
        context.on("request", lambda request: self.requests.append(request.url))
        context.on(
            "requestfailed",
            lambda request: self.failed.append(f"{request.url}: {request.failure}"),
        )
        context.on("response", self._response)
        page.on("console", self._console)
        page.on(
            "pageerror", lambda error: self.console_errors.append(f"uncaught: {error}")
        )

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)


# JavaScript run inside the page. Each returns plain JSON.
MATHS_JS = r"""() => {
  const spans = [...document.querySelectorAll('.md-content .arithmatex')];
  const untypeset = spans.filter(s => !s.querySelector('.katex'))
    .map(s => s.textContent);
  const leftovers = spans.map(s => {
    const copy = s.cloneNode(true);
    copy.querySelectorAll('.katex').forEach(k => k.remove());
    return copy.textContent.trim();
  }).filter(text => text !== '');
  const prose = document.querySelector('.md-content').cloneNode(true);
  prose.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
  const rawInProse = prose.textContent.match(/.{0,30}(\\\(|\\\[|\$\$).{0,30}/g) || [];
  return {
    arithmatex: spans.length,
    katex: document.querySelectorAll('.md-content .katex').length,
    errors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent),
    untypeset, leftovers, rawInProse,
  };
}"""

IMAGES_JS = """() => [...document.images].map(img => ({
  src: img.currentSrc || img.src,
  alt: img.getAttribute('alt'),
  complete: img.complete,
  width: img.naturalWidth,
  height: img.naturalHeight,
}))"""

TABS_JS = """() => [...document.querySelectorAll('.md-content .tabbed-set')]
.map(set => {
  const inputs = [...set.querySelectorAll(':scope > input')];
  const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')];
  const blocks = [...set.querySelectorAll(':scope > .tabbed-content > .tabbed-block')];
  const checked = inputs.findIndex(i => i.checked);
  return {
    labels: labels.map(l => l.textContent.trim()),
    checked,
    visible: blocks.map(b => getComputedStyle(b).display !== 'none'),
    inClosedBlock: set.closest('details:not([open])') !== null,
  };
})"""

SCHEME_JS = """() => ({
  scheme: document.body.getAttribute('data-md-color-scheme'),
  background: getComputedStyle(document.body).backgroundColor,
  toggle: [...document.querySelectorAll('form[data-md-component=palette] label')]
    .filter(l => !l.hidden).map(l => l.title),
})"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""


@dataclass
class PageVisit:
    src_uri: str
    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bytes: int = 0
    heaviest: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes)
    load_seconds: float = 0.0
    maths: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    tabs_before: list[dict] = field(default_factory=list)
    tabs_clicked: str | None = None
    tabs_after: list[dict] = field(default_factory=list)
    code_blocks: int = 0
    copy_buttons: int = 0
    copied_text: str | None = None
    copy_source: str | None = None
    copy_feedback: str | None = None
    scheme_before: dict = field(default_factory=dict)
    scheme_after: dict = field(default_factory=dict)
    notebook_links: list[str] = field(default_factory=list)
    axe: dict = field(default_factory=dict)  # scheme → violations
    screenshots: dict = field(default_factory=dict)  # scheme → path

    errors: dict = field(default_factory=dict)  # interaction → what went wrong

    @contextlib.contextmanager
    def step(self, name: str):
        """Run one interaction; a failure is kept for its own test to report."""
        try:
            yield
        except Exception as error:
            self.errors[name] = f"{type(error).__name__}: {error}"

    @property
    def external(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]

    def serious(self, scheme: str) -> list[dict]:
        return [v for v in self.axe.get(scheme, []) if v["impact"] in SERIOUS]


def click_linked_tab(page, visit: PageVisit) -> None:
    """Choose, in the first tab set, a label that other sets share but do not show."""
    sets = visit.tabs_before
    for index, tab_set in enumerate(sets):
        for position, label in enumerate(tab_set["labels"]):
            shared = sum(label in other["labels"] for other in sets)
            if position != tab_set["checked"] and shared >= 2:
                page.locator(".md-content .tabbed-set").nth(index).locator(
                    ":scope > .tabbed-labels > label"
                ).nth(position).click()
                visit.tabs_clicked = label
                page.wait_for_timeout(100)
                visit.tabs_after = page.evaluate(TABS_JS)
                return


def toggle_colour_scheme(page, visit: PageVisit) -> None:
    """Click the header's light/dark toggle and wait for the scheme to change."""
    toggle = page.locator("form[data-md-component=palette] label:not([hidden])")
    if toggle.count():
        toggle.first.click()
        page.wait_for_function(
            "old => document.body.getAttribute('data-md-color-scheme') !== old",
            arg=visit.scheme_before["scheme"],
            timeout=5000,
        )
        page.wait_for_timeout(300)  # let the colour transition finish
    visit.scheme_after = page.evaluate(SCHEME_JS)


def check_copy_button(page, visit: PageVisit) -> None:
    """Click the first copy button and read back what reached the clipboard."""
    button = page.locator(".md-content pre button[data-md-type=copy]:visible").first
    target = button.get_attribute("data-clipboard-target")
    visit.copy_source = page.evaluate(
        """target => { const code = document.querySelector(target);
                   const copy = code.cloneNode(true);
                   copy.querySelectorAll('.md-annotation, a[id^=__codelineno]')
                       .forEach(e => e.remove());
                   return copy.textContent; }""",
        target,
    )
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_selector(".md-dialog--active", timeout=5000)
    visit.copy_feedback = page.locator(".md-dialog__inner").inner_text()
    visit.copied_text = page.evaluate("navigator.clipboard.readText()")


def run_axe(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_JS)


def screenshot(page, src_uri: str, scheme: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{page_id(src_uri)}-{scheme}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path.relative_to(REPOSITORY))


def visit_page(browser, base_url: str, src_uri: str) -> PageVisit:
    url = base_url + page_path(src_uri)
    visit = PageVisit(src_uri=src_uri, url=url)
    context = browser.new_context(
        viewport=VIEWPORT,
        color_scheme="light",
        permissions=["clipboard-read", "clipboard-write"],
        service_workers="block",
    )
    recorder = Recorder()
    try:
        page = context.new_page()
        recorder.attach(context, page)
        sent_before, served_before = (
            CountingHandler.sent,
            len(CountingHandler.responses),
        )
        started = time.perf_counter()
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        visit.load_seconds = round(time.perf_counter() - started, 2)
        visit.bytes = CountingHandler.sent - sent_before
        visit.heaviest = sorted(
            CountingHandler.responses[served_before:], key=lambda r: -r[1]
        )[:5]

        visit.maths = page.evaluate(MATHS_JS)
        visit.images = page.evaluate(IMAGES_JS)
        visit.code_blocks = page.locator(".md-content pre > code").count()
        visit.copy_buttons = page.locator(
            ".md-content pre button[data-md-type=copy]"
        ).count()
        visit.notebook_links = page.eval_on_selector_all(
            ".md-content a[href$='.ipynb']", "links => links.map(a => a.href)"
        )
        visit.scheme_before = page.evaluate(SCHEME_JS)
        visit.screenshots["light"] = screenshot(page, src_uri, "light")
        visit.axe["light"] = run_axe(page)

        # Choose a linked tab: the dark screenshot and axe then see the other tabs.
        visit.tabs_before = page.evaluate(TABS_JS)
        with visit.step("tabs"):
            click_linked_tab(page, visit)
        with visit.step("toggle"):
            toggle_colour_scheme(page, visit)
        page.evaluate("window.scrollTo(0, 0)")
        visit.screenshots["dark"] = screenshot(page, src_uri, "dark")
        visit.axe["dark"] = run_axe(page)

        # Last, as it scrolls and leaves a "Copied" notice on the page.
        if visit.copy_buttons:
            with visit.step("copy"):
                check_copy_button(page, visit)
    finally:
        visit.requests = list(recorder.requests)
        visit.failed = list(recorder.failed)
        visit.console_errors = list(recorder.console_errors)
        context.close()
    return visit


class Visits:
    """Visit each page once, on first use; remember failures to report them per test."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.done: dict[str, PageVisit | Exception] = {}

    def __call__(self, src_uri: str) -> PageVisit:
        if src_uri not in self.done:
            try:
                self.done[src_uri] = visit_page(self.browser, self.base_url, src_uri)
            except Exception as error:  # reported by every test of that page
                self.done[src_uri] = error
        result = self.done[src_uri]
        if isinstance(result, Exception):
            pytest.fail(f"visiting {src_uri} failed: {result}")
        return result


@pytest.fixture(scope="session")
def visits(browser, server, site_dir):
    pages = Visits(browser, server)
    yield pages
    write_report([v for v in pages.done.values() if isinstance(v, PageVisit)], site_dir)


@pytest.fixture
def visit(visits, nav_page) -> PageVisit:
    return visits(nav_page)


# --- the report --------------------------------------------------------------


def violation_summary(violations: list[dict]) -> str:
    if not violations:
        return "none"
    return ", ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations
    )


def write_report(pages: list[PageVisit], site_dir: Path) -> None:
    if not pages:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    rows = []
    for visit in pages:
        rows.append(
            {
                "page": visit.src_uri,
                "url": page_path(visit.src_uri),
                "requests": len(visit.requests),
                "bytes": visit.bytes,
                "heaviest_responses": visit.heaviest,
                "load_seconds": visit.load_seconds,
                "external_requests": visit.external,
                "failed_requests": visit.failed,
                "console_errors": visit.console_errors,
                "interaction_errors": visit.errors,
                "maths_elements": visit.maths.get("katex", 0),
                "images": len(visit.images),
                "axe_violations": visit.axe,
                "screenshots": visit.screenshots,
            }
        )
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        "# Browser report",
        "",
        "Each page of the nav, built with `mkdocs build --strict`, served on localhost",
        "and opened in headless Chromium with an empty cache. Bytes are everything the",
        "server sent for the page (headers included): HTML, CSS, scripts, fonts,",
        "figures and the search index. Axe-core violations are listed by rule",
        "(impact, number of elements), in the light and the dark colour scheme.",
        "",
        "| page | requests | bytes | light: axe violations | dark: axe violations "
        "| screenshots |",
        "|---|---:|---:|---|---|---|",
    ]
    for row, visit in zip(rows, pages, strict=True):
        shots = " ".join(
            f"[{scheme}]({Path(path).relative_to(ARTIFACTS.name)})"
            for scheme, path in visit.screenshots.items()
        )
        lines.append(
            f"| {row['page']} | {row['requests']} | {row['bytes']:,} "
            f"| {violation_summary(visit.axe.get('light', []))} "
            f"| {violation_summary(visit.axe.get('dark', []))} | {shots} |"
        )
    lines += ["", f"Screenshots: `{SCREENSHOTS.relative_to(REPOSITORY)}/`.", ""]
    (ARTIFACTS / "browser-report.md").write_text("\n".join(lines))
