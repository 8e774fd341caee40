"""Headless Chromium (Debian's, driven by Playwright) reading the built book.

Each page of the nav is visited once, in a fresh context (a reader arriving
with an empty cache), and everything the browser tests assert is recorded in a
:class:`PageVisit`. JavaScript run in the page lives in ``js/*.js``.
"""

import contextlib
import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from tests.helpers.book import REPOSITORY, page_id, page_path
from tests.helpers.server import CountingHandler

ARTIFACTS = REPOSITORY / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = REPOSITORY / "tests" / "browser" / "vendor" / "axe.min.js"
JS_DIR = Path(__file__).resolve().parent / "js"
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
# Playwright waits 30 s by default; a long page typesetting hundreds of
# formulas on two cores busy with the parallel suite can take longer.
LOAD_TIMEOUT_MS = 120_000
FIGURE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")


@cache
def js(name: str) -> str:
    """The function in ``js/<name>.js``, for ``page.evaluate``."""
    lines = (JS_DIR / f"{name}.js").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("//"))


def is_figure(path: str) -> bool:
    return path.endswith(FIGURE_SUFFIXES) and "/assets/" not in path


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


@dataclass
class PageVisit:
    src_uri: str
    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bytes: int = 0  # transferred once loaded (figures below the first screen wait)
    figure_bytes: int = 0  # the part of ``bytes`` that is figures
    bytes_scrolled: int = 0  # transferred once scrolled to the end (every figure)
    phone: dict = field(default_factory=dict)  # the same first visit at 390 × 844
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
    layout: dict = field(default_factory=dict)  # desktop, phone, figures: layout()

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
                with contextlib.suppress(Exception):  # the test reports the state
                    page.wait_for_function(js("tabs_switched"), arg=label, timeout=5000)
                visit.tabs_after = page.evaluate(js("tabs"))
                return


def toggle_colour_scheme(page, visit: PageVisit) -> None:
    """Click the header's light/dark toggle and wait for the scheme to change."""
    toggle = page.locator("form[data-md-component=palette] label:not([hidden])")
    if toggle.count():
        page.evaluate(js("no_transitions"))
        toggle.first.click()
        page.wait_for_function(
            "old => document.body.getAttribute('data-md-color-scheme') !== old",
            arg=visit.scheme_before["scheme"],
            timeout=5000,
        )
    visit.scheme_after = page.evaluate(js("scheme"))


def check_copy_button(page, visit: PageVisit) -> None:
    """Click the first copy button and read back what reached the clipboard."""
    button = page.locator(".md-content pre button[data-md-type=copy]:visible").first
    target = button.get_attribute("data-clipboard-target")
    visit.copy_source = page.evaluate(js("copy_source"), target)
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_selector(".md-dialog--active", timeout=5000)
    visit.copy_feedback = page.locator(".md-dialog__inner").inner_text()
    visit.copied_text = page.evaluate("navigator.clipboard.readText()")


# The rules whose verdict depends on colours: all that can change when the
# scheme does. The rest are checked in full on the light page, and again on the
# dark one where the clicks changed content: the tab panels now shown and the
# header (whose toggle now shows its other label).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
CHANGED_BY_CLICKS = [".md-header", ".md-content .tabbed-content > .tabbed-block"]


def run_axe(
    page, include: list[str] | None = None, rules=None, skip=None
) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    options = {"include": include, "rules": rules, "skip": skip}
    return page.evaluate(js("axe"), options)


def run_axe_after_clicks(page) -> list[dict]:
    """Colour rules on the whole page, every rule where the clicks changed it."""
    present = [s for s in CHANGED_BY_CLICKS if page.locator(s).count()]
    by_rule: dict[str, dict] = {}
    for violation in run_axe(page, rules=COLOUR_RULES) + run_axe(page, present):
        known = by_rule.setdefault(violation["id"], {**violation, "nodes": []})
        known["nodes"] += [n for n in violation["nodes"] if n not in known["nodes"]]
    return list(by_rule.values())


def screenshot(page, src_uri: str, scheme: str) -> str:
    """The first screen; the whole page with ``BOOK_SCREENSHOTS=full`` (slower:
    seconds per long page, so only when a person will look at them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{page_id(src_uri)}-{scheme}.png"
    full_page = os.environ.get("BOOK_SCREENSHOTS") == "full"
    page.screenshot(path=str(path), full_page=full_page)
    return str(path.relative_to(REPOSITORY))


PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def layout(page) -> dict:
    """What the page hides sideways at 1366 × 768 (a common laptop), then
    resized to 390 × 844 (a phone held upright), and its figures' smallest
    text there (tests/browser/test_layout.py). It opens every solution and
    shows every tab (js/layout.js), so it comes last in a visit."""
    page.set_viewport_size(LAPTOP)
    page.evaluate("document.fonts.ready.then(() => true)")
    desktop = page.evaluate(js("layout"))
    page.set_viewport_size(PHONE)
    phone = page.evaluate(js("layout"))
    figures = page.evaluate(js("figure_labels"))
    return {"desktop": desktop, "phone": phone, "figures": figures}


def figure_bytes(served: list[tuple[str, int]]) -> int:
    return sum(sent for path, sent in served if is_figure(path.split("?")[0]))


def phone_first_visit(browser, url: str) -> dict:
    """What a first visit at phone size transfers once the page has loaded, and
    axe's findings there (the colour rules give what they give at any width:
    they are checked on the wide page)."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    sent_before, served_before = CountingHandler.sent, len(CountingHandler.served)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)
        sent = CountingHandler.sent - sent_before
        served = CountingHandler.served[served_before:]
        axe = run_axe(page, skip=COLOUR_RULES)
    finally:
        context.close()
    return {
        "bytes": sent,
        "figure_bytes": figure_bytes(served),
        "requests": len(requests),
        "axe": axe,
    }


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
            len(CountingHandler.served),
        )
        started = time.perf_counter()
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)
        visit.load_seconds = round(time.perf_counter() - started, 2)
        visit.bytes = CountingHandler.sent - sent_before
        responses = CountingHandler.served[served_before:]
        visit.heaviest = sorted(responses, key=lambda r: -r[1])[:5]
        visit.figure_bytes = figure_bytes(responses)

        visit.maths = page.evaluate(js("maths"))
        # Figures load lazily: scroll through the page, then check every one.
        page.evaluate(js("scroll_through"))
        page.wait_for_load_state("networkidle")
        page.wait_for_function(js("images_settled"), timeout=20_000)
        visit.images = page.evaluate(js("images"))
        visit.bytes_scrolled = CountingHandler.sent - sent_before
        # Every block gets a copy button but printed output marked `.no-copy`.
        visit.code_blocks = page.locator(
            ".md-content pre > code:not(.no-copy code)"
        ).count()
        visit.copy_buttons = page.locator(
            ".md-content pre button[data-md-type=copy]"
        ).count()
        visit.notebook_links = page.eval_on_selector_all(
            ".md-content a[href$='.ipynb']", "links => links.map(a => a.href)"
        )
        visit.scheme_before = page.evaluate(js("scheme"))
        visit.screenshots["light"] = screenshot(page, src_uri, "light")
        visit.axe["light"] = run_axe(page)

        # Choose a linked tab: the dark screenshot and axe then see the other tabs.
        visit.tabs_before = page.evaluate(js("tabs"))
        with visit.step("tabs"):
            click_linked_tab(page, visit)
        with visit.step("toggle"):
            toggle_colour_scheme(page, visit)
        page.evaluate("window.scrollTo(0, 0)")
        visit.screenshots["dark"] = screenshot(page, src_uri, "dark")
        visit.axe["dark"] = run_axe_after_clicks(page)

        # Then, as it scrolls and leaves a "Copied" notice on the page.
        if visit.copy_buttons:
            with visit.step("copy"):
                check_copy_button(page, visit)
        # Last, as it opens every solution and tab: the layout at two widths
        # (one load of the page serves these tests and test_layout.py's).
        with visit.step("layout"):
            visit.layout = layout(page)
    finally:
        visit.requests = list(recorder.requests)
        visit.failed = list(recorder.failed)
        visit.console_errors = list(recorder.console_errors)
        context.close()
    visit.phone = phone_first_visit(browser, url)
    return visit


class Visits:
    """Visit each page once, on first use; remember failures to report them per test."""

    def __init__(self, browser, base_url: str, on_visit=lambda visit: None):
        self.browser, self.base_url, self.on_visit = browser, base_url, on_visit
        self.done: dict[str, PageVisit | Exception] = {}

    def __call__(self, src_uri: str) -> PageVisit:
        if src_uri not in self.done:
            try:
                self.done[src_uri] = visit_page(self.browser, self.base_url, src_uri)
                self.on_visit(self.done[src_uri])
            except Exception as error:  # reported by every test of that page
                self.done[src_uri] = error
        result = self.done[src_uri]
        if isinstance(result, Exception):
            raise AssertionError(f"visiting {src_uri} failed: {result}")
        return result


def search(page, query: str) -> list[str]:
    """Type into Material's search box; return the result pages' URL paths."""
    page.wait_for_load_state("networkidle")  # the search worker has its index
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=20)  # Material reacts to key presses
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a.md-search-result__link",
        "links => links.map(a => a.href)",
    )
    return [urlsplit(href).path for href in hrefs]
