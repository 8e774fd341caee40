"""The lab's defaults: a reader's sweep never touches the book's results.

``python lab/rmsprop_sweep.py`` (``make lab``) is the full-MNIST sweep,
``Experiment()``, into ``lab/my-results/``; with ``--quick`` it is
``Experiment.quick()`` into ``lab/my-results-quick/``; git ignores both. The
book's results, ``lab/results/`` and the figures in ``docs/figures/lab/``,
change only when ``--results lab/results`` is named (``make lab-results``).
No TensorFlow here: the command line's work is recorded, not done, or done by
the stand-in trainer of ``sweep_helpers``.
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lab import rmsprop_sweep
from lab.config import (
    MY_QUICK_RESULTS_DIR,
    MY_RESULTS_DIR,
    QUICK,
    REPOSITORY,
    RESULTS_DIR,
    Experiment,
)
from lab.report import FIGURES, TABLES
from lab.store import (
    METADATA_FILE,
    RUNS_FILE,
    SELECTED_FILE,
    complete_runs,
    read_json,
    read_rows,
)
from tests.lab.sweep_helpers import TINY, TINY_EXPERIMENT

BOOK_RESULTS = REPOSITORY / "lab" / "results"
QUICK_RESULTS = REPOSITORY / "lab" / "results-quick"
MAKEFILE = REPOSITORY / "Makefile"


def recorded(monkeypatch, argv: list[str]) -> dict:
    """What ``main(argv)`` hands on: the results folder, and for ``run`` the
    experiment; nothing is trained, merged or drawn."""
    calls = {}

    def run_sweep(experiment, results, *rest):
        calls.update(command="run", experiment=experiment, results=results)

    def merge_shards(results, *rest):
        calls.update(command="merge", results=results)

    def reporter(figures, quiet):
        return lambda results: calls.update(command="report", results=results)

    monkeypatch.setattr(rmsprop_sweep, "run_sweep", run_sweep)
    monkeypatch.setattr(rmsprop_sweep, "merge_shards", merge_shards)
    monkeypatch.setattr(rmsprop_sweep, "reporter", reporter)
    monkeypatch.setattr(rmsprop_sweep, "existing_results", lambda path: path)
    monkeypatch.setattr(
        rmsprop_sweep, "locked", lambda path, *a, **k: contextlib.nullcontext()
    )
    assert rmsprop_sweep.main(argv) == 0
    return calls


def ignored_by_git(path: Path, folder: bool = False) -> bool:
    """What `git check-ignore` says of ``path`` (a folder's name ends in /)."""
    name = str(path.relative_to(REPOSITORY)) + ("/" if folder else "")
    checked = subprocess.run(
        ["git", "check-ignore", "--quiet", name],
        cwd=REPOSITORY,
        check=False,
    )
    assert checked.returncode in (0, 1), "git check-ignore failed"
    return checked.returncode == 0


@pytest.mark.parametrize(
    ("argv", "folder"),
    [
        ([], MY_RESULTS_DIR),
        (["run"], MY_RESULTS_DIR),
        (["--quick"], MY_QUICK_RESULTS_DIR),
        (["merge"], MY_RESULTS_DIR),
        (["report"], MY_RESULTS_DIR),
    ],
    ids=["no-arguments", "run", "quick", "merge", "report"],
)
def test_the_default_results_folders_are_the_readers_and_git_ignores_them(
    monkeypatch, argv, folder
):
    calls = recorded(monkeypatch, argv)
    assert calls["command"] == (
        argv[0] if argv[:1] in (["merge"], ["report"]) else "run"
    )
    assert Path(calls["results"]).resolve() == folder.resolve()
    assert Path(calls["results"]).resolve() != BOOK_RESULTS
    assert RESULTS_DIR.resolve() == BOOK_RESULTS
    assert folder.parent == REPOSITORY / "lab"
    assert folder.name == ("my-results-quick" if "--quick" in argv else "my-results")
    # git ignores the folder and everything a sweep writes in it
    assert ignored_by_git(folder, folder=True), f"git does not ignore {folder}"
    for path in (folder / RUNS_FILE, folder / "figures" / FIGURES[0]):
        assert ignored_by_git(path), f"git does not ignore {path}"
    assert not ignored_by_git(BOOK_RESULTS / RUNS_FILE)  # the book's are tracked
    # and the figures of a reader's sweep go beside its results
    figures = rmsprop_sweep.default_figures_dir(Path(calls["results"]))
    assert figures == folder / "figures"


def test_the_named_book_results_folder_is_used_as_named(monkeypatch):
    """The only way into lab/results/: naming it, as `make lab-results` does."""
    calls = recorded(monkeypatch, ["--results", str(BOOK_RESULTS)])
    assert calls["results"] == BOOK_RESULTS
    assert calls["experiment"] == Experiment()


def makefile_target(target: str) -> str:
    """The recipe lines of one Makefile target."""
    found = re.search(
        rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)*)", MAKEFILE.read_text(), re.M
    )
    assert found, f"no target {target} in the Makefile"
    return found[1]


def test_make_lab_names_no_book_results_and_make_lab_results_does():
    lab = makefile_target("lab")
    assert "rmsprop_sweep.py" in lab
    assert "lab/results" not in lab
    assert "--results" not in lab  # the reader's default folder
    assert "--quick" not in lab  # the default sweep
    assert "rmsprop_sweep.py --results lab/results\n" in makefile_target("lab-results")
    assert "report --results lab/results\n" in makefile_target("lab-report")
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)", MAKEFILE.read_text(), re.M)[1]
    assert {"lab", "lab-results", "lab-report"} <= set(phony.replace("\\", " ").split())


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], Experiment()),
        (["--quick"], Experiment.quick()),
        (["--quick", "--seeds", "7", "8"], Experiment.quick(seeds=(7, 8))),
        (["--quick", "--data", "full"], Experiment.quick(data="full")),
        (
            ["--quick", "--validation-size", "500"],
            Experiment.quick(validation_size=500),
        ),
        (["--seeds", "7"], Experiment(seeds=(7,))),
        (["--data", "bundled"], Experiment(data="bundled")),
    ],
    ids=[
        "default",
        "quick",
        "quick-seeds",
        "quick-data",
        "quick-validation-size",
        "seeds",
        "data",
    ],
)
def test_quick_gives_the_quick_experiment_and_explicit_options_override_it(
    monkeypatch, options, expected
):
    assert recorded(monkeypatch, options)["experiment"] == expected


def test_the_default_and_quick_experiments_are_as_the_book_describes_them():
    """5 learning rates × 4 momenta × 5 seeds on the full MNIST, 10,000 held
    out; --quick: the bundled digits, 1,000 held out, seeds 0 1 2."""
    default = Experiment()
    assert (len(default.learning_rates), len(default.momenta)) == (5, 4)
    assert default.seeds == (0, 1, 2, 3, 4)
    assert (default.data, default.validation_size) == ("full", 10_000)
    assert len(default.runs()) == 100
    quick = Experiment.quick()
    assert QUICK == {"data": "bundled", "validation_size": 1000, "seeds": (0, 1, 2)}
    assert (quick.data, quick.validation_size, quick.seeds) == (
        "bundled",
        1000,
        (0, 1, 2),
    )
    # the same grid otherwise
    assert (quick.learning_rates, quick.momenta, quick.epochs) == (
        default.learning_rates,
        default.momenta,
        default.epochs,
    )
    assert len(quick.runs()) == 60


def test_the_committed_quick_sweep_is_complete_and_took_under_a_minute():
    metadata = read_json(QUICK_RESULTS / METADATA_FILE)
    assert Experiment.from_json(metadata["experiment"]) == Experiment.quick()
    runs = Experiment.quick().runs()
    assert metadata["runs_total"] == metadata["runs_completed"] == len(runs)
    rows = read_rows(QUICK_RESULTS / RUNS_FILE)
    whole = complete_runs(rows, Experiment.quick().epochs)  # every epoch recorded
    assert set(whole) == set(runs)  # 100 % of its runs
    assert {row.run for row in rows} == set(runs)  # and no other
    assert (QUICK_RESULTS / SELECTED_FILE).is_file()
    assert metadata["total_seconds"] < 60  # "under a minute here"
    # "here": the computer that made the book's full sweep
    book = read_json(BOOK_RESULTS / METADATA_FILE)
    machine = [
        {k: s["environment"][k] for k in ("cpu", "cpu_count")}
        for s in metadata["sessions"] + book["sessions"]
    ]
    assert all(m == machine[0] for m in machine), machine


def test_the_books_full_sweep_took_under_seven_minutes():
    """README: `make lab` took under 7 minutes on the computer that made the
    book's results (2 cores)."""
    metadata = read_json(BOOK_RESULTS / METADATA_FILE)
    assert Experiment.from_json(metadata["experiment"]) == Experiment()
    assert metadata["runs_completed"] == metadata["runs_total"] == 100
    assert metadata["total_seconds"] < 7 * 60
    assert {s["environment"]["cpu_count"] for s in metadata["sessions"]} == {2}


def test_the_quick_sweep_trains_on_7000_digits_the_default_on_50000():
    quick = read_json(QUICK_RESULTS / METADATA_FILE)
    assert quick["experiment"]["data"] == "bundled"
    assert quick["data_sizes"] == {"train": 7000, "validation": 1000, "test": 2000}
    book = read_json(BOOK_RESULTS / METADATA_FILE)
    assert book["experiment"]["data"] == Experiment().data == "full"
    assert book["data_sizes"] == {"train": 50_000, "validation": 10_000, "test": 10_000}
    assert 60_000 - Experiment().validation_size == 50_000


# --- a sweep with no --results, on a copy of the repository -------------------------

# Runs the tiny grid through main() twice (plain and --quick) in the copy, with
# the stand-in trainer: the copy's lab/ comes first on the path, this
# repository's tests/ last (for sweep_helpers).
DRIVER = """
import sys
copy, repository = sys.argv[1], sys.argv[2]
sys.path[:0] = [copy]
sys.path.append(repository)
import lab, lab.sweep
from tests.lab.sweep_helpers import TINY, fake_trainer
lab.sweep.lab_trainer = fake_trainer
from lab.rmsprop_sweep import main
for extra in ([], ["--quick"]):
    code = main([*TINY, "--quiet", *extra])
    if code:
        sys.exit(code)
print(lab.__file__)
"""
READERS = ("my-results", "my-results-quick")


def repository_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    ignore = shutil.ignore_patterns("__pycache__", *READERS)
    for folder in ("lab", "snippets", "docs/figures/lab"):
        shutil.copytree(REPOSITORY / folder, copy / folder, ignore=ignore)
    return copy


def snapshot(copy: Path) -> dict[str, tuple[str, int]]:
    """Every file of the copy but a reader's results: its bytes and its mtime."""
    return {
        str(path.relative_to(copy)): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(copy.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.relative_to(copy).parts[:2] not in [("lab", r) for r in READERS]
    }


def sweep_in(copy: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, str(copy), str(REPOSITORY)],
        cwd=copy,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_sweep_with_no_results_folder_leaves_the_books_results_alone(tmp_path):
    copy = repository_copy(tmp_path)
    assert (copy / "lab" / "results" / RUNS_FILE).is_file()
    before = snapshot(copy)
    assert any(name.startswith("docs/figures/lab/") for name in before)

    done = sweep_in(copy)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{copy / 'lab' / '__init__.py'}\n"  # the copy's lab
    assert snapshot(copy) == before  # lab/results/, docs/figures/lab/: untouched
    for name in READERS:
        results = copy / "lab" / name
        written = {p.name for p in results.iterdir()}
        assert {RUNS_FILE, METADATA_FILE, SELECTED_FILE, *TABLES} <= written, name
        assert sorted(p.name for p in (results / "figures").iterdir()) == sorted(
            FIGURES
        )
        metadata = read_json(results / METADATA_FILE)
        assert Experiment.from_json(metadata["experiment"]) == TINY_EXPERIMENT
        assert metadata["runs_completed"] == len(TINY_EXPERIMENT.runs())
    assert "--results" not in TINY
