"""Fixtures of the browser tests: the served site, one browser, one visit per page.

One strict build per test run (tests/conftest.py), one browser per process. Each
page of the nav is visited once (its tests share one xdist group, so one
process) and everything the tests assert is recorded then
(tests/helpers/browser.py); each visit is saved for
test-artifacts/browser-report.{json,md}, written when the session ends.

Chromium is Debian's (``make browser-deps``); Playwright only drives it.
"""

import pytest

from tests.helpers.book import nav_pages, page_id
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, PageVisit, Visits
from tests.helpers.browser_report import record_visit
from tests.helpers.server import serve


def pytest_generate_tests(metafunc):
    if "nav_page" in metafunc.fixturenames:
        pages = nav_pages()
        metafunc.parametrize("nav_page", pages, ids=[page_id(p) for p in pages])


@pytest.fixture(scope="session")
def server(site_dir):
    with serve(site_dir) as url:
        yield url


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


@pytest.fixture(scope="session")
def visits(browser, server):
    return Visits(browser, server, on_visit=record_visit)


@pytest.fixture
def visit(visits, nav_page) -> PageVisit:
    return visits(nav_page)
