"""Fixtures shared by the whole suite: one strict build of the site per process.

``pytest`` runs the suite in two processes (pytest-xdist, ``-n 2`` in
pyproject.toml). Tests that share an expensive fixture of their module, a
page's browser visit, or the lab's tiny sweep form one group, so that one
process builds it once.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers.book import nav_pages
from tests.helpers.browser_report import ROWS_FOLDER, write_report

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


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def offline_site_dir(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site-offline"), offline=True)


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


def shared_group(item) -> str | None:
    """The group of tests that must share one process, or None."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "nav_page" in callspec.params:
        return f"page:{callspec.params['nav_page']}"
    fixtures = getattr(item, "_fixtureinfo", None)  # code blocks have none
    if fixtures is None:
        return None
    if "tiny_sweep" in fixtures.names_closure:
        return "lab:tiny-sweep"
    definitions = fixtures.name2fixturedefs.values()
    if any(chain[-1].scope == "module" for chain in definitions):
        return item.module.__name__
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = shared_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
