"""Fixtures shared by the whole suite: one strict build of the site per session."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
