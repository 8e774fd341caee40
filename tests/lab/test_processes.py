"""The lab's command line as real processes: concurrent, interrupted, from a clone.

Only what needs real processes is here: processes started together on one
folder, signals, which ``lab`` a script imports, and TensorFlow's log lines.
Every sweep is the tiny one (tests/lab/sweep_helpers.py); a sweep that stops
early is finished in this process, whose trainer is compiled already.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time

import pytest

from lab.config import REPOSITORY, tensorflow_loading
from lab.rmsprop_sweep import main
from lab.store import METADATA_FILE, RUNS_FILE, SELECTED_FILE, outcomes, read_rows
from tests.lab.sweep_helpers import TINY, sweep

SCRIPT = REPOSITORY / "lab" / "rmsprop_sweep.py"
# one run: another grid than the tiny one
OTHER = ["--learning-rates", "3e-3", "--momenta", "0", "--seeds", "0", "--epochs", "1"]


def environment(**changes) -> dict:
    """This environment without TF_CPP_MIN_LOG_LEVEL, as a reader's may be."""
    variables = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return {**variables, **changes}


def start(*argv, python=(sys.executable,), script=SCRIPT, env=None):
    return subprocess.Popen(
        [*python, str(script), *argv],
        cwd=REPOSITORY,
        env=env or environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def results_of(directory) -> list[tuple]:
    return [(r.run, *outcomes([r])[0]) for r in read_rows(directory / RUNS_FILE)]


def wait_for(condition, process, seconds=300) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def rows_in(path) -> int:
    return len(path.read_text().splitlines()) - 1 if path.is_file() else 0


def test_the_shard_recipe_in_new_processes_gives_the_same_numbers(tiny_sweep, tmp_path):
    """`for k in 1 2 3; do ... --shard $k/3 & done; wait`, then merge: the same
    numbers as the tiny sweep run in this process.

    The shards used to refuse each other one time in three. While they run, a
    sweep of another grid started on their folder stops at once with one line
    (such a sweep used to die of an uncaught SweepError, or lose rows); shard
    1, stopped by Ctrl-C after its first run, goes on when started again.
    Shards 2 and 3 print one line per finished run; shard 1 runs with --quiet
    and prints nothing. None prints a TensorFlow log line, with
    TF_CPP_MIN_LOG_LEVEL unset.
    """
    shards = [
        start(*TINY, "--shard", f"{k}/3", "--results", str(tmp_path), *quiet)
        for k, quiet in ((1, ["--quiet"]), (2, []), (3, []))
    ]
    for k, process in enumerate(shards, start=1):
        wait_for((tmp_path / "shards" / f"shard-{k}-of-3.json").is_file, process)
    intruder = start(*OTHER, "--results", str(tmp_path), "--quiet")
    out, err = intruder.communicate(timeout=300)
    assert (intruder.returncode, out, err.count("\n")) == (2, "", 1), err
    assert err.startswith(f"rmsprop_sweep.py: error: {tmp_path} is in use by process")
    assert any(f"process {shard.pid} " in err for shard in shards)

    first = tmp_path / "shards" / "shard-1-of-3.csv"
    wait_for(lambda: rows_in(first) >= 1, shards[0])
    shards[0].send_signal(signal.SIGINT)
    finished = [process.communicate(timeout=600) for process in shards]
    (out, err), *others = finished
    if shards[0].returncode == 130:  # it had not finished its 2 runs
        assert err.startswith("rmsprop_sweep.py: interrupted: the finished runs")
        assert (out, err.count("\n")) == ("", 1)
    else:
        assert (shards[0].returncode, out, err) == (0, "", "")
    for process, (_, err) in zip(shards[1:], others, strict=True):
        assert (process.returncode, err) == (0, ""), err[-2000:]
    # each shard has one run: "[1/1] lr=0.001 momentum=0.9 seed=0  val_acc ... ETA"
    lines = others[0][0].splitlines()
    assert lines[0].startswith("sweep: 1 runs (shard 2/3, 0 already in")
    assert lines[1].startswith("[1/1] lr=0.001 momentum=0.9 seed=0 ")
    assert "val_acc" in lines[1] and "ETA" in lines[1]
    assert lines[2].startswith("shard 2/3 is complete")
    assert others[1][0].splitlines()[1].startswith("[1/1] lr=0.01 momentum=0 seed=0 ")

    assert sweep(tmp_path, "--shard", "1/3") == 0
    assert main(["merge", "--results", str(tmp_path), "--quiet"]) == 0
    assert results_of(tmp_path) == results_of(tiny_sweep)
    selected = json.loads((tmp_path / SELECTED_FILE).read_text())
    assert selected == json.loads((tiny_sweep / SELECTED_FILE).read_text())


@pytest.mark.parametrize(
    ("moment", "how"),
    [
        ("at once", signal.SIGINT),
        ("after sweep.json", signal.SIGINT),
        ("after sweep.json", signal.SIGKILL),
    ],
    ids=["sigint-at-once", "sigint-after-json", "sigkill-after-json"],
)
def test_stopped_at_any_moment_the_same_command_goes_on(
    tiny_sweep, tmp_path, moment, how
):
    """Ctrl-C in the first second of a new sweep used to leave a folder that the
    same command then refused. (After a run: in the shard recipe's test; at
    every write: in test_results_folder.py.)"""
    process = start(*TINY, "--results", str(tmp_path), "--quiet")
    if moment == "after sweep.json":  # while TensorFlow loads
        wait_for((tmp_path / METADATA_FILE).is_file, process)
    process.send_signal(how)
    _, err = process.communicate(timeout=300)
    assert process.returncode != 0
    if moment != "at once" and how == signal.SIGINT:
        assert process.returncode == 130
        assert err.startswith("rmsprop_sweep.py: interrupted: the finished runs")
        assert err.count("\n") == 1
    assert sweep(tmp_path) == 0
    assert results_of(tmp_path) == results_of(tiny_sweep)


def clone(tmp_path):
    """The repository's lab and snippets, copied elsewhere: a second clone. Its
    lab/__init__.py says which lab a script imported."""
    copy = tmp_path / "clone"
    for folder in ("lab", "snippets"):
        shutil.copytree(
            REPOSITORY / folder,
            copy / folder,
            ignore=shutil.ignore_patterns("__pycache__", "figures"),
        )
    with (copy / "lab" / "__init__.py").open("a") as file:
        file.write("import sys\nprint('lab from', __file__, file=sys.stderr)\n")
    return copy


def test_the_script_runs_without_the_editable_install(tmp_path):
    """python -S skips site-packages and its .pth files, the editable install's
    among them; PYTHONPATH gives the libraries back, and nothing else. (The
    sweep stops before training: --max-runs 0.)"""
    copy = clone(tmp_path)
    results = tmp_path / "results"
    begun = start(
        *(*TINY, "--results", str(results), "--max-runs", "0", "--quiet"),
        python=(sys.executable, "-S"),
        script=copy / "lab" / "rmsprop_sweep.py",
        env=environment(PYTHONPATH=sysconfig.get_paths()["purelib"]),
    )
    out, err = begun.communicate(timeout=300)
    assert (begun.returncode, out) == (0, ""), err
    assert err == f"lab from {copy / 'lab' / '__init__.py'}\n"
    assert sorted(path.name for path in results.iterdir()) == [
        RUNS_FILE,
        METADATA_FILE,
    ]
    # the benchmark too (stopped before it measures: its output cannot be written)
    benchmark = start(
        *("--output", str(results / RUNS_FILE / "benchmark.md")),
        python=(sys.executable, "-S"),
        script=copy / "lab" / "benchmark.py",
        env=environment(PYTHONPATH=sysconfig.get_paths()["purelib"]),
    )
    out, err = benchmark.communicate(timeout=300)
    assert (benchmark.returncode, out) == (2, ""), err
    assert err.splitlines()[0] == f"lab from {copy / 'lab' / '__init__.py'}"
    assert err.splitlines()[1].startswith("benchmark.py: error: cannot write")


def test_a_second_clone_imports_its_own_lab(tmp_path):
    """With this repository installed in editable mode, a second clone's script
    used to import this repository's modules."""
    copy = clone(tmp_path)
    refused = start("--epochs", "0", script=copy / "lab" / "rmsprop_sweep.py")
    out, err = refused.communicate(timeout=300)
    assert (refused.returncode, out) == (2, "")
    assert err.splitlines() == [
        f"lab from {copy / 'lab' / '__init__.py'}",
        "rmsprop_sweep.py: error: epochs must be at least 1, got 0",
    ]


@pytest.mark.parametrize(
    ("level", "shown"),
    [("3", ["a Python warning"]), ("2", ["E0000 x", "a Python warning"]), ("0", None)],
)
def test_the_lines_written_while_tensorflow_loads_obey_the_log_level(
    level, shown, capfd, monkeypatch
):
    """They come before TensorFlow's logging reads TF_CPP_MIN_LOG_LEVEL; what
    they are on this machine is in tests/test_quiet_tensorflow.py."""
    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are "
        "written to STDERR",
        "I0000 00:00:1.5 42 port.cc:153] oneDNN custom operations are on.",
        "W0000 x",
        "E0000 x",
        "a Python warning",
    ]
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", level)
    with tensorflow_loading():
        os.write(2, "".join(line + "\n" for line in lines).encode())
    assert capfd.readouterr().err.splitlines() == (shown or lines)
