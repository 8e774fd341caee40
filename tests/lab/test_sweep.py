"""The sweep (lab/sweep.py through lab/rmsprop_sweep.py): the whole pipeline,
resuming, sharding, determinism."""

import csv
import json

import numpy as np
import pytest

from lab import sweep as lab_sweep
from lab.config import REPOSITORY, Experiment, Run, shard_runs
from lab.data import split_data
from lab.report import FIGURES, TABLES
from lab.rmsprop_sweep import main
from lab.store import (
    COLUMNS,
    METADATA_FILE,
    RUNS_FILE,
    SELECTED_FILE,
    outcomes,
    read_rows,
)
from lab.training import make_trainer
from tests.lab.sweep_helpers import TINY, TINY_EXPERIMENT, sweep


def results_of(directory) -> list[tuple]:
    """Every run's outcome, epoch by epoch, wall times aside."""
    rows = read_rows(directory / RUNS_FILE)
    return [(row.run, *outcomes([row])[0]) for row in rows]


def test_the_whole_pipeline_on_a_tiny_grid(tiny_sweep):
    with (tiny_sweep / RUNS_FILE).open() as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["learning_rate"], r["momentum"], r["epoch"]) for r in rows] == [
        ("0.001", "0.0", "1"),
        ("0.001", "0.9", "1"),
        ("0.01", "0.0", "1"),
        ("0.01", "0.9", "1"),
    ]
    for row in rows:
        assert 0 <= float(row["val_accuracy"]) <= 1
        assert float(row["train_loss"]) > 0 and float(row["seconds"]) > 0
        assert row["diverged"] == "0"

    metadata = json.loads((tiny_sweep / METADATA_FILE).read_text())
    assert Experiment.from_json(metadata["experiment"]) == TINY_EXPERIMENT
    assert metadata["data_sizes"] == {"train": 256, "validation": 128, "test": 2000}
    environment = metadata["sessions"][0]["environment"]
    for key in ("python", "numpy", "tensorflow", "keras", "cpu", "cpu_count"):
        assert environment[key]
    assert "git_commit" in environment
    assert metadata["runs_completed"] == 4 and metadata["total_seconds"] >= 0

    selected = json.loads((tiny_sweep / SELECTED_FILE).read_text())
    finals = {row.run: row for row in read_rows(tiny_sweep / RUNS_FILE)}
    best = max(finals.values(), key=lambda row: row.val_accuracy)
    assert (selected["learning_rate"], selected["momentum"]) == (
        best.run.learning_rate,
        best.run.momentum,
    )
    [seed] = selected["seeds"]
    assert seed["reproduced_sweep"] and 0 < seed["test_accuracy"] <= 1

    for name in TABLES:
        assert (tiny_sweep / name).read_text().strip()
    for name in FIGURES:
        assert (tiny_sweep / "figures" / name).read_text().startswith("<?xml")


def test_quiet_prints_nothing(tmp_path, capsys):
    assert sweep(tmp_path, "--max-runs", "1") == 0
    assert capsys.readouterr() == ("", "")


def test_a_stopped_sweep_resumes_to_the_same_results(tiny_sweep, tmp_path, capsys):
    assert sweep(tmp_path, "--max-runs", "1") == 0
    assert len(read_rows(tmp_path / RUNS_FILE)) == 1
    assert not (tmp_path / SELECTED_FILE).exists()
    # a crash in the middle of a write leaves a torn last line: it is dropped
    with (tmp_path / RUNS_FILE).open("a") as file:
        file.write("0.001,0.9,0,1,0.53")
    assert main([*TINY, "--results", str(tmp_path)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0].startswith("sweep: 4 runs (1 already in")
    assert shown[1].startswith("[2/4] lr=0.001 momentum=0.9")
    assert results_of(tmp_path) == results_of(tiny_sweep)
    sessions = json.loads((tmp_path / METADATA_FILE).read_text())["sessions"]
    assert [session["runs"] for session in sessions] == [1, 3]


def test_ctrl_c_keeps_the_finished_runs(tiny_sweep, tmp_path, monkeypatch, capsys):
    original = lab_sweep.train_runs

    def interrupted(trainer, runs, experiment, on_run):
        def once_then_stop(run, results):
            on_run(run, results)
            raise KeyboardInterrupt

        original(trainer, runs, experiment, once_then_stop)

    monkeypatch.setattr(lab_sweep, "train_runs", interrupted)
    assert sweep(tmp_path) == 130
    assert "interrupted" in capsys.readouterr().err
    assert len(read_rows(tmp_path / RUNS_FILE)) == 1
    monkeypatch.setattr(lab_sweep, "train_runs", original)
    assert sweep(tmp_path) == 0
    assert results_of(tmp_path) == results_of(tiny_sweep)


def test_shards_split_the_grid_evenly():
    runs = TINY_EXPERIMENT.runs()
    shards = [shard_runs(runs, (k, 3)) for k in (1, 2, 3)]
    assert sorted(run for shard in shards for run in shard) == sorted(runs)
    assert [len(shard) for shard in shards] == [2, 1, 1]


def test_merged_shards_equal_the_unsharded_sweep(tiny_sweep, tmp_path):
    assert sweep(tmp_path, "--shard", "2/2") == 0
    assert main(["merge", "--results", str(tmp_path), "--quiet"]) == 2  # 1/2 missing
    assert not (tmp_path / RUNS_FILE).exists()
    assert sweep(tmp_path, "--shard", "1/2") == 0
    assert main(["merge", "--results", str(tmp_path), "--quiet"]) == 0
    assert results_of(tmp_path) == results_of(tiny_sweep)
    for name in (SELECTED_FILE, *(t for t in TABLES if t != "sweep-summary.md")):
        assert (tmp_path / name).read_text() == (tiny_sweep / name).read_text(), name


def test_same_seed_same_numbers_other_seed_other_numbers():
    trainer = make_trainer(split_data(TINY_EXPERIMENT), 128)
    first = trainer.train_run(1e-3, 0.9, seed=5, epochs=2)
    trainer.train_run(1e-2, 0.0, seed=6, epochs=1)  # in between: another run
    again = trainer.train_run(1e-3, 0.9, seed=5, epochs=2)
    other = trainer.train_run(1e-3, 0.9, seed=7, epochs=2)
    assert outcomes(first) == outcomes(again)
    assert outcomes(first) != outcomes(other)


def test_each_run_starts_from_the_weights_of_a_fresh_seeded_model():
    import keras

    from lab.training import build_model

    trainer = make_trainer(split_data(TINY_EXPERIMENT), 128)
    trainer.reset(1e-3, 0.9, seed=11)
    keras.utils.set_random_seed(11)
    fresh = build_model()
    for ours, theirs in zip(
        trainer.model.get_weights(), fresh.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)


def test_a_nan_loss_stops_only_its_run(tmp_path):
    argv = [
        "--learning-rates", "1e30", "1e-3", "--momenta", "0", "--seeds", "0",
        "--epochs", "2", "--train-size", "256", "--validation-size", "128",
        "--results", str(tmp_path), "--quiet",
    ]  # fmt: skip
    assert main(argv) == 0
    rows = read_rows(tmp_path / RUNS_FILE)
    assert [(row.run.learning_rate, row.epoch, row.diverged) for row in rows] == [
        (1e30, 1, True),
        (1e-3, 1, False),
        (1e-3, 2, False),
    ]
    selected = json.loads((tmp_path / SELECTED_FILE).read_text())
    assert selected["learning_rate"] == 1e-3
    assert (
        "| 1e30 | diverged (1/1) |" in (tmp_path / "validation-accuracy.md").read_text()
    )
    assert (
        "1 of 2, in learning rate 1e30 with momentum 0"
        in (tmp_path / "findings.md").read_text()
    )


@pytest.mark.parametrize("argv", [["report", "--results"], ["merge", "--results"]])
def test_report_and_merge_need_results(argv, tmp_path, capsys):
    assert main([*argv, str(tmp_path / "none")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "error:" in error


def test_resuming_runs_a_run_exactly_once(tmp_path):
    assert sweep(tmp_path) == 0
    before = (tmp_path / RUNS_FILE).read_text()
    assert sweep(tmp_path) == 0
    assert (tmp_path / RUNS_FILE).read_text() == before
    assert Run(1e-3, 0.0, 0) in {row.run for row in read_rows(tmp_path / RUNS_FILE)}


def test_a_sweep_of_your_own_measures_its_pick_on_the_same_test_digits(tiny_sweep):
    """A grid of one's own, in its own directory, uses the test set again: the
    page says so, and to compare with the committed grid on validation only."""
    selected = json.loads((tiny_sweep / SELECTED_FILE).read_text())
    quick = json.loads(
        (REPOSITORY / "lab" / "results-quick" / SELECTED_FILE).read_text()
    )
    assert selected["test_size"] == quick["test_size"] == 2000
    assert all("test_accuracy" in seed for seed in selected["seeds"])
    # the same 2,000 digits: the test split does not depend on the grid's sizes
    np.testing.assert_array_equal(
        split_data(TINY_EXPERIMENT).test[1], split_data(Experiment.quick()).test[1]
    )
    page = " ".join((REPOSITORY / "docs" / "lab.md").read_text().split())
    assert (
        "measures it on the same official test set: each extra sweep uses the test"
        " set again" in page
    )
    assert "compare validation accuracies only" in page


def test_merge_does_not_check_the_machines_but_the_summary_lists_them(tmp_path):
    assert sweep(tmp_path, "--shard", "1/2") == 0
    assert sweep(tmp_path, "--shard", "2/2") == 0
    [first, second] = sorted((tmp_path / "shards").glob("shard-*.json"))
    data = json.loads(second.read_text())
    for session in data["sessions"]:
        session["environment"] = dict(session["environment"], cpu="Another CPU")
    second.write_text(json.dumps(data))
    assert main(["merge", "--results", str(tmp_path), "--quiet"]) == 0
    summary = (tmp_path / "sweep-summary.md").read_text()
    assert "| machines | " in summary and "Another CPU" in summary
