"""What the three explorer test modules share: opening a page, drawing cases, sizes."""

import contextlib
import gzip

from hypothesis import HealthCheck, Phase, given, settings

from tests.helpers.book import REPOSITORY
from tests.helpers.browser import VIEWPORT, Recorder, js

ASSETS = REPOSITORY / "docs" / "assets" / "explorers"
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"
MAX_GZIPPED = 30_000  # bytes of script and styles, gzipped
MAX_REDRAW_MS = 50


def draw(strategy, count: int) -> list:
    """``count`` examples that hypothesis draws from ``strategy`` (reproducibly)."""
    drawn = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example):
        drawn.append(example)

    collect()
    return drawn


@contextlib.contextmanager
def opened(browser, url: str, namespace: str, viewport=VIEWPORT, **context_options):
    """(page, recorder) for ``url``, once the explorer ``namespace`` has started."""
    context = browser.new_context(
        viewport=viewport, service_workers="block", **context_options
    )
    try:
        page = context.new_page()
        recorder = Recorder()
        recorder.attach(context, page)
        page.goto(url, wait_until="load")
        page.wait_for_function(
            f"{namespace} && {namespace}.instances.length === 1", timeout=10_000
        )
        yield page, recorder
    finally:
        context.close()


def gzipped_size(name: str) -> int:
    """Bytes of an explorer's script and styles together, gzipped."""
    raw = (ASSETS / f"{name}.js").read_bytes() + (ASSETS / f"{name}.css").read_bytes()
    return len(gzip.compress(raw, 9))


def assert_fits(page, selector: str, what) -> None:
    """Neither the page nor the element scrolls sideways."""
    sizes = page.evaluate(js("fits"), selector)
    assert sizes["page"] <= sizes["view"], (what, sizes)
    assert sizes["right"] <= sizes["view"], (what, sizes)
    assert sizes["inner"] <= sizes["outer"], (what, sizes)


def screenshot(locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / name))


def any_mismatch(mismatches, page, cases, chunk: int = 50) -> bool:
    """Whether ``mismatches(page, some_cases)`` finds one, trying ``chunk`` cases at
    a time and stopping at the first: a wrong rule shows on the first few."""
    return any(
        mismatches(page, cases[start : start + chunk])
        for start in range(0, len(cases), chunk)
    )


@contextlib.contextmanager
def planted(page, namespace: str, name: str, rule: str):
    """The explorer's function ``name`` replaced by ``rule`` (JavaScript source)
    until the block ends. The rule is evaluated with ``ns`` standing for the
    explorer's namespace, so it may call the function it replaces as
    ``ns._planted``."""
    page.evaluate(
        f"([name, rule]) => {{ const ns = {namespace}; ns._planted = ns[name];"
        " ns[name] = eval(rule); }",
        [name, rule],
    )
    try:
        yield
    finally:
        page.evaluate(
            f"name => {{ const ns = {namespace}; ns[name] = ns._planted; }}", name
        )
