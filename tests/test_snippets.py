"""Run every snippet the way a reader would: `python snippets/<chapter>/<name>.py`.

Its standard output must equal its committed `.out` file (where it has one), and
every figure it draws must show what the committed figure under docs/figures/
shows (tests/helpers/figures.py: the description in tests/figures/, numbers to a
relative tolerance; the bytes too where the pinned Matplotlib guarantees them).
Each snippet's own claims are asserted in tests/snippets/.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from snippets.figures import COMMITTED_FIGURES, REPOSITORY, figure_snippets
from tests.helpers.figures import COMMITTED_DESCRIPTIONS, committed, figure_problems

SNIPPETS = sorted(
    path
    for path in (REPOSITORY / "snippets").rglob("*.py")
    if path.name not in {"__init__.py", "figures.py"}
)


def run_snippet(path: Path, figures_dir: Path) -> subprocess.CompletedProcess:
    """Run a snippet with its own Matplotlib configuration, whatever the caller's."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MATPLOTLIBRC", "MPLCONFIGDIR"}
    }
    environment.update(
        BOOK_FIGURES_DIR=str(figures_dir),
        BOOK_FIGURE_DESCRIPTIONS_DIR=str(figures_dir),
        MPLCONFIGDIR=str(figures_dir / ".matplotlib"),
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return subprocess.run(
        [sys.executable, str(path.relative_to(REPOSITORY))],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    "snippet", SNIPPETS, ids=[str(p.relative_to(REPOSITORY)) for p in SNIPPETS]
)
def test_snippet_runs_prints_its_output_and_draws_its_figures(snippet, tmp_path):
    result = run_snippet(snippet, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    expected_output = snippet.with_suffix(".out")
    if expected_output.exists():
        assert result.stdout == expected_output.read_text()

    problems = []
    for drawn in sorted(tmp_path.rglob("*.svg")):
        name = drawn.relative_to(tmp_path).as_posix()
        description = json.loads(drawn.with_suffix(".json").read_text())
        problems += figure_problems(
            name, drawn.read_bytes(), description, *committed(name)
        )
    assert not problems, "\n".join(problems)


def test_every_committed_figure_is_drawn_by_a_snippet():
    sources = "\n".join(path.read_text() for path in figure_snippets())
    orphans = [
        path.relative_to(COMMITTED_FIGURES).as_posix()
        for path in COMMITTED_FIGURES.rglob("*.svg")
        if path.name not in sources
    ]
    assert not orphans, f"figures no snippet draws: {orphans}"


def test_every_committed_figure_has_its_description_and_no_description_is_orphan():
    figures = {
        p.relative_to(COMMITTED_FIGURES).with_suffix("")
        for p in COMMITTED_FIGURES.rglob("*.svg")
    }
    descriptions = {
        p.relative_to(COMMITTED_DESCRIPTIONS).with_suffix("")
        for p in COMMITTED_DESCRIPTIONS.rglob("*.json")
    }
    assert figures == descriptions


def test_every_out_file_belongs_to_a_snippet():
    outs = (REPOSITORY / "snippets").rglob("*.out")
    assert [o for o in outs if not o.with_suffix(".py").exists()] == []
