"""Fixtures shared by the whole suite: one strict build of the site per test run.

``pytest`` runs the suite in parallel processes (pytest-xdist, options in
pyproject.toml). Tests that share an expensive fixture of their module, a
page's browser visit, or the lab's tiny sweep form one group that one process
runs (``pytest_xdist_make_scheduler``), so that it is built once.
"""

import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers.book import nav_pages, page_id
from tests.helpers.browser_report import ROWS_FOLDER, write_report
from tests.helpers.run_shared import locked_run_folder

REPOSITORY = Path(__file__).resolve().parent.parent


def build_site(site_dir: Path, offline: bool = False) -> Path:
    """``mkdocs build --strict`` into site_dir; any warning fails the build."""
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    environment.pop("OFFLINE", None)
    if offline:
        environment["OFFLINE"] = "true"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--site-dir",
            str(site_dir),
        ],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}")
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    if warnings:
        pytest.fail("mkdocs build warned:\n" + "\n".join(warnings))
    return site_dir


def shared_build(tmp_path_factory, name: str, offline: bool = False) -> Path:
    """The site built once per test run, for every process.

    pytest-xdist's workers share one folder per run: the first to ask builds
    the site there under a file lock; the others wait for it and use it (a
    failed build fails them too, with its message, without building again).
    """
    with locked_run_folder(tmp_path_factory, f"shared-{name}") as shared:
        built, failed = shared / "built", shared / "failed"
        if failed.is_file():
            pytest.fail(failed.read_text())
        if not built.is_file():
            try:
                build_site(shared / name, offline=offline)
            except pytest.fail.Exception as error:
                failed.write_text(str(error))
                raise
            built.touch()
    return shared / name


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    return shared_build(tmp_path_factory, "site")


@pytest.fixture(scope="session")
def offline_site_dir(tmp_path_factory) -> Path:
    return shared_build(tmp_path_factory, "site-offline", offline=True)


def is_controller(config) -> bool:
    """True in the process that runs the session, not in an xdist worker."""
    return not hasattr(config, "workerinput")


def pytest_configure(config):
    """A folder for this session's page visits, before the workers start."""
    if is_controller(config):
        os.environ[ROWS_FOLDER] = tempfile.mkdtemp(prefix="book-browser-visits-")


def pytest_unconfigure(config):
    if is_controller(config) and ROWS_FOLDER in os.environ:
        write_report(nav_pages())
        shutil.rmtree(os.environ.pop(ROWS_FOLDER), ignore_errors=True)


# Tests of one page share its browser visit (tests/browser/conftest.py).
BY_PAGE = {"tests/browser/test_pages.py", "tests/browser/test_layout.py"}
MODULE_FIXTURE = re.compile(r"@pytest\.fixture\(\s*scope=\"module\"")


@functools.cache
def module_group(path: str) -> str | None:
    """A test module's group: the lab's tiny sweep, or the module itself if it
    has a module-scoped fixture; None if its tests share nothing."""
    file = REPOSITORY / path
    if file.suffix != ".py" or not file.is_file():
        return None
    source = file.read_text(encoding="utf-8")
    if "tiny_sweep" in source:
        return "lab:tiny-sweep"
    return path if MODULE_FIXTURE.search(source) else None


@functools.cache
def page_ids() -> tuple[str, ...]:
    """The nav's pages as test ids, longest first."""
    return tuple(sorted((page_id(p) for p in nav_pages()), key=len, reverse=True))


def visited_page(parameters: str) -> str | None:
    """The page a browser test's parameters name (``gradient-descent``,
    ``lab-phone``, ``desktop-notebooks-rmsprop-lab``), or None."""
    for page in page_ids():
        if parameters == page or parameters.startswith(page + "-"):
            return page
        if parameters.endswith("-" + page):
            return page
    return None


def shared_group(nodeid: str) -> str | None:
    """The group of tests that must run in one process, or None."""
    path, _, name = nodeid.partition("::")
    if path in BY_PAGE and name.endswith("]"):
        page = visited_page(name[name.index("[") + 1 : -1])
        if page is not None:
            return "page:" + page
    return module_group(path)


def pytest_xdist_make_scheduler(config, log):
    """xdist's loadscope, with this suite's groups as scopes; any other test is
    a scope of its own, so it goes to whichever process is free.

    (Not loadgroup with ``xdist_group`` marks: xdist 3.8 groups by appending
    to ``item._nodeid``, which pytest 9.2's nodes no longer read.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return shared_group(nodeid) or nodeid

    return SharedWorkScheduling(config, log)
