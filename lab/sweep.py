"""Run a sweep (or one shard of it), merge shards, select and test the best.

    from lab.config import Experiment
    from lab.sweep import run_sweep
    run_sweep(Experiment(seeds=(0,)), Path("/tmp/my-sweep"))

Each run trains the book's first network with one learning rate, one momentum
and one seed, and its rows go to the results folder as soon as it finishes
(``lab/store.py``); a sweep started again skips the runs already there. When
every run is done, ``finish`` selects the configuration with the best mean
validation accuracy and measures it, once, on the test set.
"""

import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from lab.config import (
    MY_RESULTS_DIR,
    REPOSITORY,
    Experiment,
    Run,
    SweepError,
    shard_runs,
    tensorflow_loading,
)
from lab.data import Split, split_data
from lab.store import (
    METADATA_FILE,
    RUNS_FILE,
    SELECTED_FILE,
    SHARDS_DIR,
    Row,
    canonical_text,
    check_data,
    check_results_dir,
    claimed,
    complete_runs,
    locked,
    outcomes,
    read_json,
    read_rows,
    write_atomically,
    write_json,
)

PROG = "rmsprop_sweep.py"


def lab_trainer(split: Split, batch_size: int):
    """The lab's Trainer (lab/training.py) for this data.

    TensorFlow takes seconds to import, so it is imported here, once the input
    has been checked, with its loading lines held to TF_CPP_MIN_LOG_LEVEL.
    """
    with tensorflow_loading():
        from lab.training import make_trainer
    return make_trainer(split, batch_size)


# --- the machine ----------------------------------------------------------------


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "git_commit": git_commit(),
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- progress -------------------------------------------------------------------


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """One line per finished run: how many are done of how many, and an ETA."""

    def __init__(self, total: int, done: int, quiet: bool, stream=None):
        self.total, self.done, self.quiet = total, done, quiet
        self.stream = stream
        self.started = time.perf_counter()
        self.finished_here = 0

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream or sys.stdout, flush=True)

    def run_finished(self, run: Run, rows: list) -> None:
        self.done += 1
        self.finished_here += 1
        elapsed = time.perf_counter() - self.started
        remaining = elapsed / self.finished_here * (self.total - self.done)
        last = rows[-1]
        outcome = (
            f"diverged at epoch {last.epoch}"
            if last.diverged
            else f"val_acc {last.val_accuracy:.4f} val_loss {last.val_loss:.4f}"
        )
        width = len(str(self.total))
        self.say(
            f"[{self.done:{width}d}/{self.total}] {run.label():<38} {outcome:<34} "
            f"{sum(r.seconds for r in rows):5.1f} s  ETA {duration(remaining)}"
        )


# --- the sweep ------------------------------------------------------------------


def train_runs(trainer, runs, experiment, on_run) -> None:
    """Train ``runs`` one after another, calling ``on_run(run, results)`` after each."""
    for momentum in dict.fromkeys(run.momentum for run in runs):
        trainer.warm_up(momentum)  # tracing and compiling stay out of the run times
    for run in runs:
        results = trainer.train_run(
            run.learning_rate, run.momentum, run.seed, experiment.epochs
        )
        on_run(run, results)


def run_sweep(
    experiment: Experiment,
    results: Path = MY_RESULTS_DIR,  # the book's own only when named
    shard: tuple[int, int] | None = None,
    max_runs: int | None = None,
    quiet: bool = False,
    report=None,
    make_trainer=None,
) -> dict:
    """Run (or resume) a sweep or one shard; finish a whole sweep. Returns a summary.

    Raises SweepError or MnistDataError on bad input, before writing anything.
    ``report(results)``, if given, is called once the sweep is finished, while
    the folder is still held; ``make_trainer(split, batch_size)`` gives the
    trainer (by default the lab's, ``lab_trainer``).
    """
    make_trainer = make_trainer or lab_trainer
    with tensorflow_loading():  # Keras's download of MNIST imports TensorFlow
        split = split_data(experiment)
    started = time.perf_counter()
    session = {"started": now(), "environment": environment(), "runs": 0, "seconds": 0}
    data = split.description()
    with claimed(results, experiment, shard, data, session) as files:
        mine = shard_runs(experiment.runs(), shard)
        todo = [run for run in mine if run not in files.existing]
        progress = Progress(len(mine), len(mine) - len(todo), quiet)
        if max_runs is not None:
            todo = todo[:max_runs]
        where = f"shard {shard[0]}/{shard[1]}, " if shard else ""
        sizes = split.sizes()
        progress.say(
            f"sweep: {len(mine)} runs ({where}{progress.done} already in {files.csv}), "
            f"{experiment.epochs} epochs each, data {experiment.data!r}: "
            f"{sizes['train']} train / {sizes['validation']} validation digits"
        )

        def save(run, run_results):
            files.append(run, run_results)
            progress.run_finished(run, run_results)

        try:
            if todo:
                trainer = make_trainer(split, experiment.batch_size)
                train_runs(trainer, todo, experiment, save)
        finally:
            session["runs"] = progress.finished_here
            session["seconds"] = round(time.perf_counter() - started, 1)
            files.metadata["runs_completed"] = len(
                [run for run in mine if run in files.existing]
            )
            files.save_metadata()

        missing = len(mine) - files.metadata["runs_completed"]
        if missing:
            progress.say(
                f"{missing} runs still to do: run the same command again to go on"
            )
            return {"complete": False, "missing": missing}
        if shard is not None:
            progress.say(
                f"shard {shard[0]}/{shard[1]} is complete; when every shard is, run: "
                f"python lab/rmsprop_sweep.py merge --results {results}"
            )
            return {"complete": True, "shard": shard}
        summary = finish(results, experiment, split, progress.say, make_trainer)
        if report is not None:
            report(results)
        return summary


def merge_shards(
    results: Path, quiet: bool = False, report=None, make_trainer=None
) -> dict:
    """Combine the shards (and any unsharded runs) in ``results`` into one sweep."""
    make_trainer = make_trainer or lab_trainer
    if not (results / SHARDS_DIR).is_dir():
        raise SweepError(f"no shards to merge in {results / SHARDS_DIR}")
    with locked(results):
        summary = _merge(results, quiet, make_trainer)
        if report is not None:
            report(results)
    return summary


def _merge(results: Path, quiet: bool, make_trainer) -> dict:
    shard_files = sorted((results / SHARDS_DIR).glob("shard-*.json"))
    if not shard_files:
        raise SweepError(f"no shards to merge in {results / SHARDS_DIR}")
    metadata = [read_json(path) for path in shard_files]
    for path, data in zip(shard_files, metadata, strict=True):
        shard = data.get("shard")
        if not (isinstance(shard, list) and len(shard) == 2 and "experiment" in data):
            raise SweepError(f"{path} is not the metadata of a shard of this lab")
    try:
        experiment = Experiment.from_json(metadata[0]["experiment"])
    except (TypeError, KeyError, SweepError):
        raise SweepError(f"{shard_files[0]} holds an unreadable experiment") from None
    check_results_dir(results, experiment)
    counts = {m["shard"][1] for m in metadata}
    if len(counts) != 1:
        raise SweepError(
            f"the shards in {results / SHARDS_DIR} split the grid differently"
        )
    (count,) = counts
    present = {m["shard"][0] for m in metadata}
    if absent := sorted(set(range(1, count + 1)) - present):
        raise SweepError(
            f"shard(s) {absent} of {count} are missing from {results / SHARDS_DIR}"
        )
    records: dict[Run, list[Row]] = {}
    sources = [results / RUNS_FILE] if (results / RUNS_FILE).is_file() else []
    sources += [path.with_suffix(".csv") for path in shard_files]
    for path in sources:
        if not path.is_file():
            raise SweepError(f"{path} is missing")
        for run, rows in complete_runs(read_rows(path), experiment.epochs).items():
            if run in records and outcomes(rows) != outcomes(records[run]):
                raise SweepError(f"{run.label()} has different results in {path}")
            records.setdefault(run, rows)
    runs = experiment.runs()
    if missing := [run for run in runs if run not in records]:
        raise SweepError(
            f"{len(missing)} runs are not finished yet (e.g. {missing[0].label()}): "
            "finish the shards first"
        )
    with tensorflow_loading():
        split = split_data(experiment)
    data = split.description()
    for path, stored in zip(shard_files, metadata, strict=True):
        check_data(path, stored, data)
    sessions = [s for m in metadata for s in m.get("sessions", [])]
    write_json(
        results / METADATA_FILE,
        {
            "experiment": experiment.to_json(),
            **data,
            "shard": None,
            "merged_from": [path.name for path in shard_files],
            "runs_total": len(runs),
            "runs_completed": len(runs),
            "sessions": sessions,
        },
    )
    write_atomically(results / RUNS_FILE, canonical_text(runs, records))
    say = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
    return finish(results, experiment, split, say, make_trainer)


# --- finishing: select, test once --------------------------------------------------


def final_rows(records: dict[Run, list[Row]]) -> dict[Run, Row]:
    return {run: rows[-1] for run, rows in records.items()}


def configurations(experiment: Experiment) -> list[tuple[float, float]]:
    return [(lr, m) for lr in experiment.learning_rates for m in experiment.momenta]


def select_configuration(experiment: Experiment, records: dict[Run, list[Row]]):
    """The (learning rate, momentum) with the best mean final validation accuracy.

    Configurations with a diverged run are out; ties go to the smaller spread,
    then to the smaller learning rate and momentum.
    """
    last = final_rows(records)
    candidates = []
    for learning_rate, momentum in configurations(experiment):
        rows = [last[Run(learning_rate, momentum, seed)] for seed in experiment.seeds]
        if any(row.diverged for row in rows):
            continue
        accuracies = [row.val_accuracy for row in rows]
        spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
        candidates.append(
            (-statistics.fmean(accuracies), spread, learning_rate, momentum)
        )
    if not candidates:
        return None
    _, _, learning_rate, momentum = min(candidates)
    return learning_rate, momentum


def finish(results: Path, experiment: Experiment, split: Split, say, make_trainer):
    """Write the canonical CSV, select a configuration and test it once."""
    started = time.perf_counter()
    records = complete_runs(read_rows(results / RUNS_FILE), experiment.epochs)
    runs = experiment.runs()
    if missing := [run for run in runs if run not in records]:
        raise SweepError(
            f"{results / RUNS_FILE} lacks {len(missing)} runs "
            f"(e.g. {missing[0].label()}): run the same command again to go on"
        )
    write_atomically(results / RUNS_FILE, canonical_text(runs, records))
    selected = select_configuration(experiment, records)
    summary = {"complete": True, "selected": selected}
    if selected is None:
        say("every configuration diverged: nothing to test")
        (results / SELECTED_FILE).unlink(missing_ok=True)
    else:
        learning_rate, momentum = selected
        say(
            "selected on validation accuracy: "
            f"lr={learning_rate:g} momentum={momentum:g}; "
            "retraining it to measure the test set once"
        )
        trainer = make_trainer(split, experiment.batch_size)
        summary["test"] = measure_selected_on_test_set(
            results, experiment, split, records, selected, trainer
        )
        accuracies = [seed["test_accuracy"] for seed in summary["test"]["seeds"]]
        say(
            f"test accuracy {100 * statistics.fmean(accuracies):.2f} % "
            f"(mean over {len(accuracies)} seed{'s' if len(accuracies) > 1 else ''})"
        )
    metadata = read_json(results / METADATA_FILE)
    metadata["runs_completed"] = len(records)
    metadata["finished"] = now()
    metadata["test_seconds"] = round(time.perf_counter() - started, 1)
    metadata["total_seconds"] = round(
        sum(s["seconds"] for s in metadata["sessions"]) + metadata["test_seconds"], 1
    )
    metadata["run_seconds"] = round(
        sum(row.seconds for rows in records.values() for row in rows), 1
    )
    write_json(results / METADATA_FILE, metadata)
    return summary


def measure_selected_on_test_set(
    results, experiment, split, records, selected, trainer
) -> dict:
    """Retrain the selected configuration's runs and measure them on the test set."""
    learning_rate, momentum = selected
    seeds = []
    for seed in experiment.seeds:
        run = Run(learning_rate, momentum, seed)
        retrained = trainer.train_run(learning_rate, momentum, seed, experiment.epochs)
        test_loss, test_accuracy = trainer.evaluate_digits(*split.test)
        same = outcomes(retrained) == outcomes(records[run])
        if not same:
            print(
                f"{PROG}: warning: retraining {run.label()} did not reproduce "
                "the sweep's numbers (another machine or library version?)",
                file=sys.stderr,
            )
        seeds.append(
            {
                "seed": seed,
                "val_accuracy": retrained[-1].val_accuracy,
                "test_loss": test_loss,
                "test_accuracy": test_accuracy,
                "reproduced_sweep": same,
            }
        )
    data = {
        "learning_rate": learning_rate,
        "momentum": momentum,
        "selected_by": "highest mean validation accuracy after the last epoch",
        "test_size": split.sizes()["test"],
        "seeds": seeds,
    }
    write_json(results / SELECTED_FILE, data)
    return data
