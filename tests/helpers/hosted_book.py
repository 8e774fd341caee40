"""The book built for an address, and served on localhost as its hosted copy.

``hosted_book()`` builds the site once per test run with the one setting
of where the book lives (``BOOK_SITE_URL``, ``BOOK_REPO_URL``, ``BOOK_BRANCH``)
pointing at a local server, under a path prefix as on GitHub Pages
(``http://127.0.0.1:<port>/t2g/``), and a sample GitHub repository. The
notebooks of that build download the book's files from the server, as
downloaded notebooks do from the hosted site.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from tests.helpers.book import REPOSITORY
from tests.helpers.run_shared import locked_run_folder
from tests.helpers.server import serve

SAMPLE_REPOSITORY = "https://github.com/example-org/tensors-to-gradients"
SAMPLE_BRANCH = "main"
PREFIX = "t2g/"
SETTINGS = ("BOOK_SITE_URL", "BOOK_REPO_URL", "BOOK_BRANCH")


@dataclass(frozen=True)
class HostedBook:
    site_dir: Path
    site_url: str
    repo_url: str | None
    branch: str


def build(site_dir: Path, **settings: str) -> Path:
    """``mkdocs build --strict`` into site_dir with exactly these BOOK_* settings
    (tests/conftest.py::build_site, with an environment of its own)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (*SETTINGS, "OFFLINE")
    }
    environment.update(settings, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site_dir],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
    )
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    if result.returncode != 0 or warnings:
        raise AssertionError(f"mkdocs build failed:\n{result.stderr[-4000:]}")
    return Path(site_dir)


def hosted_book(tmp_path_factory) -> HostedBook:
    """The site built for a local address and served there, once per test run.

    pytest-xdist's workers share it: the first to ask builds and serves it
    (its server lives as long as the worker, that is until the run ends); the
    others find its address in the run's shared folder.
    """
    if "book" not in _hosted:
        with locked_run_folder(tmp_path_factory, "hosted-book") as shared:
            record = shared / "book.json"
            if not record.is_file():
                book = _serve_and_build(shared)
                record.write_text(
                    json.dumps({**asdict(book), "site_dir": str(book.site_dir)})
                )
            data = json.loads(record.read_text())
            _hosted["book"] = HostedBook(**{**data, "site_dir": Path(data["site_dir"])})
    return _hosted["book"]


_hosted: dict[str, HostedBook] = {}


def _serve_and_build(root: Path) -> HostedBook:
    server = serve(root)
    base = server.__enter__()
    atexit.register(server.__exit__, None, None, None)
    site_url = base + PREFIX
    site_dir = build(
        root / PREFIX.strip("/"),
        BOOK_SITE_URL=site_url,
        BOOK_REPO_URL=SAMPLE_REPOSITORY,
        BOOK_BRANCH=SAMPLE_BRANCH,
    )
    return HostedBook(site_dir, site_url, SAMPLE_REPOSITORY, SAMPLE_BRANCH)


@cache
def unset_book() -> Path:
    """The site built without any BOOK_* setting, for this process."""
    root = Path(tempfile.mkdtemp(prefix="unset-book-"))
    atexit.register(shutil.rmtree, root, True)
    return build(root / "site")
