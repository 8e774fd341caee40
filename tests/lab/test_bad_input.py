"""Bad input: a one-line error on stderr, exit code 2, and nothing written.

Every case runs the real command in a new process; each stops before
TensorFlow is imported, so it takes well under a second.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from lab.config import REPOSITORY, Experiment
from lab.rmsprop_sweep import main
from lab.store import METADATA_FILE, RUNS_FILE
from tests.lab.sweep_helpers import TINY


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "lab/rmsprop_sweep.py", *argv],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )


def snapshot(directory) -> dict:
    """Every file under ``directory`` with its bytes (empty if it does not exist)."""
    if not directory.exists():
        return {}
    return {
        path.relative_to(directory): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def assert_refused(completed, *words: str) -> None:
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("rmsprop_sweep.py: error: ")
    for word in words:
        assert word in lines[0]


def grid_with(option: str, *values: str) -> list[str]:
    """The tiny grid with ``option`` given other values."""
    argv = list(TINY)
    start = argv.index(option) + 1
    end = start
    while end < len(argv) and not argv[end].startswith("--"):
        end += 1
    return [*argv[:start], *values, *argv[end:]]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(
            grid_with("--learning-rates", "1e-3", "0"),
            ["learning rate", "positive", "got 0"],
            id="learning-rate-zero",
        ),
        pytest.param(
            grid_with("--learning-rates", "-0.01"),
            ["learning rate", "got -0.01"],
            id="learning-rate-negative",
        ),
        pytest.param(
            grid_with("--learning-rates", "nan"),
            ["learning rate", "got nan"],
            id="learning-rate-nan",
        ),
        pytest.param(
            grid_with("--learning-rates", "fast"),
            ["not a number", "fast"],
            id="learning-rate-text",
        ),
        pytest.param(
            grid_with("--momenta", "1"),
            ["momentum", "[0, 1)", "got 1"],
            id="momentum-1",
        ),
        pytest.param(
            grid_with("--momenta", "0.5", "-0.1"),
            ["momentum", "got -0.1"],
            id="momentum-negative",
        ),
        pytest.param(
            grid_with("--momenta", "0.9", "0.9"), ["listed twice"], id="momentum-twice"
        ),
        pytest.param(
            [*TINY, "--data", "mnist-please"],
            ["unknown MNIST source", "mnist-please"],
            id="unknown-data-source",
        ),
        pytest.param(
            [*TINY, "--data", "no/such/mnist.npz"],
            ["does not exist"],
            id="missing-data-file",
        ),
        pytest.param([*TINY, "--shard", "3/2"], ["shard"], id="shard"),
        pytest.param([*TINY, "--epochs", "0"], ["epochs"], id="epochs"),
        pytest.param(
            [*TINY, "--validation-size", "8000"],
            ["validation size 8000"],
            id="validation-too-large",
        ),
        pytest.param(
            [*TINY, "--no-such-option"], ["unrecognized arguments"], id="unknown-option"
        ),
    ],
)
def test_bad_arguments_write_nothing(argv, words, tmp_path):
    results = tmp_path / "results"
    assert_refused(run(*argv, "--results", str(results)), *words)
    assert not results.exists()


def test_an_unreadable_data_file(tmp_path):
    broken = tmp_path / "mnist.npz"
    broken.write_bytes(b"these bytes are not a zip archive")
    results = tmp_path / "results"
    assert_refused(
        run(*TINY, "--data", str(broken), "--results", str(results)),
        "not a readable .npz",
    )
    assert not results.exists()


def other_sweep(results) -> dict:
    """A results directory holding a sweep with other learning rates."""
    experiment = Experiment.quick(
        learning_rates=(0.1,), momenta=(0.0, 0.9), seeds=(0,), epochs=1,
        train_size=256, validation_size=128,
    )  # fmt: skip
    results.mkdir()
    (results / METADATA_FILE).write_text(
        json.dumps({"experiment": experiment.to_json(), "sessions": []})
    )
    (results / RUNS_FILE).write_text(
        "learning_rate,momentum,seed,epoch,train_loss,train_accuracy,val_loss,"
        "val_accuracy,seconds,diverged\n0.1,0.0,0,1,0.5,0.8,0.4,0.85,0.01,0\n"
    )
    return snapshot(results)


@pytest.mark.parametrize("shard", [[], ["--shard", "1/2"]], ids=["sweep", "shard"])
def test_results_of_another_grid_are_left_alone(shard, tmp_path):
    results = tmp_path / "results"
    before = other_sweep(results)
    assert_refused(
        run(*TINY, *shard, "--results", str(results)),
        "different sweep",
        "learning_rates",
    )
    assert snapshot(results) == before


def test_a_results_file_without_its_metadata_is_refused(tmp_path):
    results = tmp_path / "results"
    other_sweep(results)
    (results / METADATA_FILE).unlink()
    before = snapshot(results)
    assert_refused(run(*TINY, "--results", str(results)), "sweep.json")
    assert snapshot(results) == before


def test_report_without_results(tmp_path):
    completed = run("report", "--results", str(tmp_path / "nothing"))
    assert completed.returncode == 2
    assert (
        completed.stderr.count("\n") == 1 and "run the sweep first" in completed.stderr
    )


def test_merge_refuses_a_broken_shard_file(tmp_path):
    shards = tmp_path / "results" / "shards"
    shards.mkdir(parents=True)
    (shards / "shard-1-of-2.json").write_text("{}")
    before = snapshot(tmp_path / "results")
    assert_refused(run("merge", "--results", str(tmp_path / "results")), "shard")
    assert snapshot(tmp_path / "results") == before


# --- odd arguments and odd data files, tried in this process (no TensorFlow) -----


def refused_in_process(capsys, argv, *words) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("rmsprop_sweep.py: error: ")
    for word in words:
        assert word in line, line


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (grid_with("--seeds", "-1"), ["seeds must be from 0", "got -1"]),
        (grid_with("--seeds", "4294967296"), ["to 4294967295, got 4294967296"]),
        (grid_with("--seeds", "1.5"), ["invalid int value: '1.5'"]),
        (grid_with("--learning-rates", "inf"), ["learning rate", "got inf"]),
        (grid_with("--learning-rates", "1e999"), ["learning rate", "got inf"]),
        (grid_with("--momenta", "nan"), ["momentum", "got nan"]),
        ([*TINY, "--shard", "0/3"], ["1 ≤ K ≤ N", "'0/3'"]),
        ([*TINY, "--shard", "4/3"], ["1 ≤ K ≤ N", "'4/3'"]),
        ([*TINY, "--shard", "1/0"], ["1 ≤ K ≤ N"]),
        ([*TINY, "--shard", "a/b"], ["K/N", "'a/b'"]),
        ([*TINY, "--shard", "1/2/3"], ["K/N"]),
        ([*TINY, "--batch-size", "0"], ["batch size must be at least 1"]),
        ([*TINY, "--batch-size", "100000"], ["batch size 100000 is more than"]),
        ([*TINY, "--train-size", "0"], ["train size must be at least 1"]),
        ([*TINY, "--epochs", "-5"], ["epochs must be at least 1, got -5"]),
        ([*TINY, "--max-runs", "-1"], ["--max-runs must be 0 or more"]),
        ([*TINY, "--results", ""], ["cannot be empty"]),
        (["report", "--figures", " "], ["cannot be empty"]),
    ],
)
def test_odd_arguments(argv, words, tmp_path, capsys):
    if "--results" not in argv:
        argv = [*argv, "--results", str(tmp_path / "results")]
    refused_in_process(capsys, argv, *words)
    assert not (tmp_path / "results").exists()


def test_a_huge_number_of_epochs_is_a_long_sweep_not_an_error(tmp_path, capsys):
    results = tmp_path / "results"
    argv = [*grid_with("--epochs", str(10**12)), "--max-runs", "0", "--quiet"]
    assert main([*argv, "--results", str(results)]) == 0
    assert capsys.readouterr() == ("", "")
    stored = json.loads((results / METADATA_FILE).read_text())["experiment"]
    assert stored["epochs"] == 10**12


NO_IMAGES = np.zeros((0, 28, 28), np.uint8)


def npz(path, **changes):
    """A Keras-format mnist.npz of 300 blank digits, with ``changes``."""
    arrays = {
        "x_train": np.zeros((300, 28, 28), np.uint8),
        "y_train": np.zeros(300, np.uint8),
        "x_test": np.zeros((10, 28, 28), np.uint8),
        "y_test": np.zeros(10, np.uint8),
    }
    np.savez(path, **{**arrays, **changes})
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda path: path.write_bytes(b""), ["not a readable .npz"]),
        (
            lambda path: path.write_bytes(npz(path).read_bytes()[:4000]),
            ["not a readable .npz"],
        ),
        (
            lambda path: npz(path, x_train=np.zeros((300, 784), np.uint8)),
            ["images of shape (300, 784)"],
        ),
        (
            lambda path: npz(path, y_train=np.zeros((300, 1), np.uint8)),
            ["labels", "shape (300, 1)", "one label per digit"],
        ),
        (
            lambda path: npz(path, x_test=NO_IMAGES, y_test=NO_IMAGES[:, 0, 0]),
            ["no test digits"],
        ),
        (lambda path: path.mkdir(), ["does not exist"]),
    ],
    ids=["empty", "truncated", "flat-images", "column-labels", "no-test", "a-folder"],
)
def test_odd_data_files(make, words, tmp_path, capsys):
    data = tmp_path / "mnist.npz"
    make(data)
    argv = [*grid_with("--train-size", "200"), "--validation-size", "50"]
    refused_in_process(capsys, [*argv, "--data", str(data), "--results", "r"], *words)
    assert not (tmp_path / "r").exists() and not (REPOSITORY / "r").exists()


@pytest.mark.parametrize("where", ["under a file", "a folder", "in no folder"])
def test_benchmark_output_where_it_cannot_write(where, tmp_path, capsys):
    """Said before measuring for a minute, in one line."""
    from lab import benchmark

    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file\n")
    output = {
        "under a file": blocker / "benchmark.md",
        "a folder": tmp_path,
        "in no folder": tmp_path / "no" / "such" / "benchmark.md",
    }[where]
    assert benchmark.main(["--output", str(output)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("benchmark.py: error: ")
