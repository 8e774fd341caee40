"""Bad input: a one-line error on stderr, exit code 2, and nothing written.

Every case runs the real command in a new process; each stops before
TensorFlow is imported, so it takes well under a second.
"""

import json
import subprocess
import sys

import pytest

from lab.rmsprop_sweep import METADATA_FILE, REPOSITORY, RUNS_FILE, Experiment
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
    experiment = Experiment(
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
