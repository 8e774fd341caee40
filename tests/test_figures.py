"""A reader who runs a figure snippet gets the figure in a folder of theirs.

Only ``make figures`` (``python -m snippets.figures --write``) or an explicit
``BOOK_FIGURES_DIR`` writes into the book's ``docs/figures/``, and, for the lab's
three figures in ``docs/figures/lab/``, ``make lab-results`` and ``make lab-report``
(``make lab`` draws a reader's sweep beside its results, in ``lab/my-results/``);
a reader's own ``matplotlibrc`` changes nothing in the drawing.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from snippets import figures
from snippets.figures import COMMITTED_DESCRIPTIONS, COMMITTED_FIGURES, REPOSITORY
from tests.helpers.figures import committed, figure_problems, pinned_matplotlib

SNIPPET = REPOSITORY / "snippets" / "tensors" / "draw_digit.py"
FIGURE = "tensors/digit.svg"  # what the snippet draws
# Settings a reader might have: each one would change the drawing if it applied.
HOSTILE_MATPLOTLIBRC = """\
lines.linewidth: 7
font.size: 30
font.family: monospace
axes.facecolor: red
axes.grid: False
image.cmap: jet
svg.fonttype: none
"""


def run(cwd: Path, **variables: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOOK_FIGURES_DIR", "MPLBACKEND", "MATPLOTLIBRC"}
    }
    environment.update(variables)
    return subprocess.run(
        [sys.executable, str(SNIPPET)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_a_readers_run_saves_under_their_directory_and_leaves_the_book_alone(
    tmp_path,
):
    committed = COMMITTED_FIGURES / FIGURE
    before = (committed.stat().st_mtime_ns, committed.read_bytes())
    reader = tmp_path / "reader"
    reader.mkdir()
    (reader / "matplotlibrc").write_text(HOSTILE_MATPLOTLIBRC)

    result = run(reader)

    assert (committed.stat().st_mtime_ns, committed.read_bytes()) == before
    assert (reader / "figures" / FIGURE).is_file()
    assert f"figure saved: figures/{FIGURE}" in result.stderr
    assert result.stdout == SNIPPET.with_suffix(".out").read_text()

    # the same bytes as a run that sets BOOK_FIGURES_DIR, with no matplotlibrc
    book = tmp_path / "book"
    chosen = run(tmp_path, BOOK_FIGURES_DIR=str(book))
    assert "figure saved" not in chosen.stderr  # whoever chose the folder knows it
    assert (reader / "figures" / FIGURE).read_bytes() == (book / FIGURE).read_bytes()


def test_make_figures_writes_into_docs_figures(monkeypatch):
    calls = []

    def record(command, **options):
        calls.append(
            (
                options["env"]["BOOK_FIGURES_DIR"],
                options["env"]["BOOK_FIGURE_DESCRIPTIONS_DIR"],
            )
        )
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(figures.subprocess, "run", record)
    assert figures.main(["--write"]) == 0
    assert calls
    # every figure into docs/figures/, and what it shows into tests/figures/
    assert set(calls) == {(str(COMMITTED_FIGURES), str(COMMITTED_DESCRIPTIONS))}
    assert COMMITTED_DESCRIPTIONS == REPOSITORY / "tests" / "figures"
    assert "$(BIN)/python -m snippets.figures --write\n" in makefile_recipe("figures")


def test_figures_are_compared_by_what_they_show_bytes_only_when_pinned():
    """Other bytes pass under another Matplotlib, or the system's FreeType; a
    change in what the figure shows fails everywhere."""
    name = "tensors/digit.svg"
    svg, description = committed(name)
    other_bytes = svg + b"<!-- drawn elsewhere -->"
    pinned = pinned_matplotlib()
    system_freetype = f"{pinned} with the system FreeType"
    for elsewhere in ("0.0", system_freetype):  # bytes not compared
        assert (
            figure_problems(name, other_bytes, description, svg, description, elsewhere)
            == []
        )
    # under the pinned Matplotlib with its bundled FreeType, bytes are compared
    assert figure_problems(name, other_bytes, description, svg, description, pinned)
    changed = json.loads(json.dumps(description))
    changed["axes"][0]["title"] = changed["axes"][0]["title"] + " (changed)"
    for version in (pinned, "0.0"):
        assert figure_problems(name, svg, changed, svg, description, version)


def test_figures_dir_is_the_variable_or_figures_under_the_current_directory(
    monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOOK_FIGURES_DIR", raising=False)
    assert figures.figures_dir() == tmp_path / "figures"
    monkeypatch.setenv("BOOK_FIGURES_DIR", "/somewhere")
    assert figures.figures_dir() == Path("/somewhere")


def makefile_recipe(target: str) -> str:
    makefile = (REPOSITORY / "Makefile").read_text()
    return re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", makefile, re.M)[1]


def test_make_lab_results_and_make_lab_report_redraw_the_labs_three_figures():
    from lab import report, rmsprop_sweep

    book = REPOSITORY / "lab" / "results"
    assert rmsprop_sweep.RESULTS_DIR.resolve() == book
    # the sweep into lab/results/, and the report of lab/results/
    assert "$(BIN)/python lab/rmsprop_sweep.py --results lab/results\n" in (
        makefile_recipe("lab-results")
    )
    assert "$(BIN)/python lab/rmsprop_sweep.py report --results lab/results\n" in (
        makefile_recipe("lab-report")
    )
    # with no --figures, the book's results draw into the book's figures folder
    parser = argparse.ArgumentParser()
    rmsprop_sweep.add_output_arguments(parser)
    named = parser.parse_args(["--results", "lab/results"])
    assert named.figures is None
    folder = rmsprop_sweep.default_figures_dir(REPOSITORY / named.results)
    assert folder == COMMITTED_FIGURES / "lab"
    assert len(report.FIGURES) == 3
    assert all((folder / name).is_file() for name in report.FIGURES)
    # `make lab` names no folder: the reader's, whose figures go beside its results
    assert makefile_recipe("lab") == "\t$(BIN)/python lab/rmsprop_sweep.py\n"
    mine = rmsprop_sweep.MY_RESULTS_DIR
    assert rmsprop_sweep.default_figures_dir(mine) == mine / "figures"
    assert not mine.resolve().is_relative_to(COMMITTED_FIGURES.resolve())


def test_the_lab_report_redraws_its_figures_but_not_their_descriptions(
    monkeypatch, tmp_path
):
    """What `make lab-report` runs, on a copy of the results: three SVGs, no JSON,
    and the tables into the results folder; the figures go to the folder given
    by full path, whatever BOOK_FIGURES_DIR says (the Makefile sets none)."""
    import shutil

    from lab import report, rmsprop_sweep

    monkeypatch.delenv("BOOK_FIGURE_DESCRIPTIONS_DIR", raising=False)
    elsewhere = tmp_path / "book-figures-dir"
    monkeypatch.setenv("BOOK_FIGURES_DIR", str(elsewhere))
    for target in ("lab", "lab-results", "lab-report"):
        assert "BOOK_FIGURES_DIR" not in makefile_recipe(target)
    results = tmp_path / "results"
    shutil.copytree(rmsprop_sweep.RESULTS_DIR, results)
    descriptions = sorted((COMMITTED_DESCRIPTIONS / "lab").glob("*.json"))
    assert len(descriptions) == 3  # what `make figures` keeps for the lab's three
    before = [(p, p.stat().st_mtime_ns) for p in descriptions]
    drawn = tmp_path / "figures"
    written = report.write_report(results, drawn)
    assert sorted(p.name for p in drawn.iterdir()) == sorted(report.FIGURES)
    assert not list(drawn.rglob("*.json"))
    assert [(p, p.stat().st_mtime_ns) for p in descriptions] == before
    assert all(p.suffix in {".md", ".svg"} for p in written)
    assert not elsewhere.exists()  # not where BOOK_FIGURES_DIR points
    tables = [p for p in written if p.suffix == ".md"]
    assert sorted(p.name for p in tables) == sorted(report.TABLES)
    assert all(p.parent == results for p in tables)  # lab/results/ under make


# Code that names the book's figures folder, other than to read it.
NAMES_DOCS_FIGURES = re.compile(r"[\"']docs[\"']\s*/\s*[\"']figures[\"']|docs/figures")


def test_nothing_else_writes_into_docs_figures():
    """Only snippets/figures.py (make figures) and the lab name docs/figures in code."""
    import ast

    naming = set()
    for path in sorted(REPOSITORY.glob("*/**/*.py")):
        relative = path.relative_to(REPOSITORY)
        if relative.parts[0] in {"tests", ".venv", "site", "site-offline", "docs"}:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(
                node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef
            )
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        code = ast.unparse(
            ast.Module(
                [
                    n
                    for n in tree.body
                    if id(getattr(n, "value", None)) not in docstrings
                ],
                [],
            )
        )
        if NAMES_DOCS_FIGURES.search(code):
            naming.add(str(relative))
    assert naming == {"snippets/figures.py", "lab/rmsprop_sweep.py"}, naming
