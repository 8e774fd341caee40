"""The book's lab: sweep RMSprop's learning rate and momentum on MNIST.

    python lab/rmsprop_sweep.py            # the default sweep: 5 learning rates
                                           # × 4 momenta × 3 seeds, 5 epochs each,
                                           # on the bundled digits
    python lab/rmsprop_sweep.py --quiet    # the same, printing nothing but errors
    python lab/rmsprop_sweep.py --learning-rates 1e-3 3e-3 --momenta 0 0.9 \\
        --seeds 0 1 --epochs 3 --results /tmp/my-sweep      # a grid of your own
    python lab/rmsprop_sweep.py --data keras --validation-size 10000 \\
        --results lab/results-full-mnist                    # full MNIST (downloads it)

    python lab/rmsprop_sweep.py --shard 1/3 --results DIR   # one third of the runs; run
    python lab/rmsprop_sweep.py --shard 2/3 --results DIR   # the shards anywhere, copy
    python lab/rmsprop_sweep.py --shard 3/3 --results DIR   # DIR/shards/ together, then
    python lab/rmsprop_sweep.py merge --results DIR         # merge them into one sweep

    python lab/rmsprop_sweep.py report     # tables and figures again, from the results

Each run trains the book's first network (Dense 512 relu → Dense 10 softmax,
batches of 128) with one learning rate, one momentum and one seed. A
validation set held out of the training digits drives the comparison; the
test set is used once, at the end, for the selected configuration only.

What it writes (``--results``, by default ``lab/results/``):

- ``runs.csv``: one row per run per epoch (training and validation loss and
  accuracy, wall time, whether the run diverged), appended atomically as each
  run finishes. Rerunning the same command skips the runs already there, so
  Ctrl-C loses at most the run in progress. A run whose loss becomes NaN or
  infinite stops and is recorded as diverged.
- ``sweep.json``: the grid, seeds, data source and sizes, library versions,
  CPU, times and git commit.
- ``selected.json``: the configuration with the best mean validation accuracy,
  retrained and measured once on the test set.
- the tables (``*.md``) and figures made by ``lab/report.py``.

Bad input (a learning rate ≤ 0, a momentum outside [0, 1), an unknown data
source, an unreadable data file, a results directory holding another sweep)
stops the program with a one-line error and exit code 2, before anything is
written.
"""

import argparse
import csv
import hashlib
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from lab.mnist_data import MnistDataError, load_mnist

PROG = "rmsprop_sweep.py"
REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPOSITORY / "lab" / "results"
FIGURES_DIR = REPOSITORY / "docs" / "figures" / "lab"

DEFAULT_LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
DEFAULT_MOMENTA = (0.0, 0.5, 0.9, 0.99)
DEFAULT_SEEDS = (0, 1, 2)
DEFAULT_EPOCHS = 5
DEFAULT_BATCH_SIZE = 128
DEFAULT_VALIDATION_SIZE = 1000
SPLIT_SEED = 20_240_414  # fixes which training digits are held out for validation

RUNS_FILE = "runs.csv"
METADATA_FILE = "sweep.json"
SELECTED_FILE = "selected.json"
SHARDS_DIR = "shards"
COLUMNS = (
    "learning_rate",
    "momentum",
    "seed",
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "seconds",
    "diverged",
)
METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")


class SweepError(Exception):
    """Bad input: the message is the one line the user sees."""


# --- the grid ---------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Run:
    learning_rate: float
    momentum: float
    seed: int

    def label(self) -> str:
        return f"lr={self.learning_rate:g} momentum={self.momentum:g} seed={self.seed}"


@dataclass(frozen=True)
class Experiment:
    """Everything that decides a sweep's numbers; two sweeps merge only if equal."""

    learning_rates: tuple[float, ...] = DEFAULT_LEARNING_RATES
    momenta: tuple[float, ...] = DEFAULT_MOMENTA
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = DEFAULT_BATCH_SIZE
    data: str = "bundled"
    validation_size: int = DEFAULT_VALIDATION_SIZE
    train_size: int | None = None  # None: every training digit not held out

    def __post_init__(self):
        check_experiment(self)

    def runs(self) -> list[Run]:
        """Every run, in the sweep's canonical order."""
        return [
            Run(learning_rate, momentum, seed)
            for learning_rate in self.learning_rates
            for momentum in self.momenta
            for seed in self.seeds
        ]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Experiment":
        values = dict(data)
        for key in ("learning_rates", "momenta", "seeds"):
            values[key] = tuple(values[key])
        return cls(**values)


def check_experiment(experiment: Experiment) -> None:
    """Raise SweepError for a grid or setting that cannot be run."""
    for name, values in (
        ("learning rate", experiment.learning_rates),
        ("momentum", experiment.momenta),
        ("seed", experiment.seeds),
    ):
        if not values:
            raise SweepError(f"give at least one {name}")
        if len(set(values)) != len(values):
            raise SweepError(f"a {name} is listed twice in {list(values)}")
    for learning_rate in experiment.learning_rates:
        if not (math.isfinite(learning_rate) and learning_rate > 0):
            raise SweepError(
                f"learning rate must be a positive number, got {learning_rate:g}"
            )
    for momentum in experiment.momenta:
        if not 0 <= momentum < 1:
            raise SweepError(f"momentum must be in [0, 1), got {momentum:g}")
    for seed in experiment.seeds:
        if seed < 0:
            raise SweepError(f"seeds must be 0 or more, got {seed}")
    for name in ("epochs", "batch_size", "validation_size"):
        if getattr(experiment, name) < 1:
            value = getattr(experiment, name)
            raise SweepError(
                f"{name.replace('_', ' ')} must be at least 1, got {value}"
            )
    if experiment.train_size is not None and experiment.train_size < 1:
        raise SweepError(f"train size must be at least 1, got {experiment.train_size}")


def shard_runs(runs: list[Run], shard: tuple[int, int] | None) -> list[Run]:
    """Shard K of N: every N-th run from the K-th, so shards share the grid evenly."""
    if shard is None:
        return runs
    index, count = shard
    return runs[index - 1 :: count]


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"shard must look like K/N (e.g. 2/4), got {text!r}"
        ) from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"shard K/N needs 1 ≤ K ≤ N, got {text!r}")
    return index, count


# --- data -------------------------------------------------------------------


@dataclass
class Split:
    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]

    def sizes(self) -> dict:
        return {
            "train": len(self.train[1]),
            "validation": len(self.validation[1]),
            "test": len(self.test[1]),
        }


def split_data(experiment: Experiment) -> Split:
    """Load the data and hold a validation set out of the training digits.

    The split depends on SPLIT_SEED only, so every run of every sweep on the same
    data is judged on the same validation digits. Raises MnistDataError or SweepError.
    """
    (images, labels), test = load_mnist(experiment.data)
    if experiment.validation_size >= len(labels):
        raise SweepError(
            f"validation size {experiment.validation_size} leaves no training digits "
            f"(the data has {len(labels)})"
        )
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    validation = np.sort(order[: experiment.validation_size])
    train = np.sort(order[experiment.validation_size :])
    if experiment.train_size is not None:
        if experiment.train_size > len(train):
            raise SweepError(
                f"train size {experiment.train_size} is more than the "
                f"{len(train)} training digits left after validation"
            )
        train = train[: experiment.train_size]
    if experiment.batch_size > len(train):
        raise SweepError(
            f"batch size {experiment.batch_size} is more than the {len(train)} "
            "training digits"
        )
    return Split(
        (images[train], labels[train]), (images[validation], labels[validation]), test
    )


# --- results files ----------------------------------------------------------


def format_row(run: Run, result) -> str:
    """One CSV line; floats in their shortest exact form, so they read back equal."""
    values = [
        repr(run.learning_rate),
        repr(run.momentum),
        str(run.seed),
        str(result.epoch),
        *(repr(float(getattr(result, name))) for name in METRICS),
        f"{result.seconds:.4f}",
        "1" if result.diverged else "0",
    ]
    return ",".join(values) + "\n"


@dataclass(frozen=True)
class EpochResult:
    """One epoch of one run, as the trainer measures it."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float
    diverged: bool


@dataclass(frozen=True)
class Row(EpochResult):
    """One line of a results file: an epoch of the run ``run``."""

    run: Run

    def line(self) -> str:
        return format_row(self.run, self)


def outcomes(results) -> list[tuple]:
    """What each epoch of a run computed (rows or training results), wall time aside.

    Floats are compared through their exact text, so that NaN equals NaN.
    """
    return [
        (r.epoch, *(repr(float(getattr(r, name))) for name in METRICS), r.diverged)
        for r in results
    ]


def read_rows(path: Path) -> list[Row]:
    """The rows of a results CSV; a torn last line (a crash mid-write) is ignored."""
    text = path.read_text()
    if not text:
        return []
    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines = lines[:-1]
    reader = csv.reader(io.StringIO("".join(lines)))
    header = next(reader, None)
    if header is not None and tuple(header) != COLUMNS:
        raise SweepError(
            f"{path} is not a results file of this lab (columns {','.join(header)})"
        )
    rows = []
    for line_number, fields in enumerate(reader, start=2):
        try:
            learning_rate, momentum, seed, epoch, *metrics, seconds, diverged = fields
            rows.append(
                Row(
                    int(epoch),
                    *(float(value) for value in metrics),
                    seconds=float(seconds),
                    diverged=diverged == "1",
                    run=Run(float(learning_rate), float(momentum), int(seed)),
                )
            )
        except (ValueError, TypeError):
            raise SweepError(
                f"{path}, line {line_number}: not a row of this lab"
            ) from None
    return rows


def complete_runs(rows: list[Row], epochs: int) -> dict[Run, list[Row]]:
    """Group rows by run, keeping the runs whose record is whole."""
    by_run: dict[Run, list[Row]] = {}
    for row in rows:
        by_run.setdefault(row.run, []).append(row)
    complete = {}
    for run, run_rows in by_run.items():
        numbers = [row.epoch for row in run_rows]
        whole = numbers == list(range(1, len(numbers) + 1)) and (
            len(numbers) == epochs or (run_rows[-1].diverged and len(numbers) < epochs)
        )
        if whole:
            complete[run] = run_rows
    return complete


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` at once: a crash leaves the old or the new file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def append_atomically(path: Path, text: str) -> None:
    """Append ``text`` in one write (the file opened for appending), then sync it."""
    data = text.encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        while data:
            data = data[os.write(descriptor, data) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def header_line() -> str:
    return ",".join(COLUMNS) + "\n"


def canonical_text(runs: list[Run], records: dict[Run, list[Row]]) -> str:
    return header_line() + "".join(
        row.line() for run in runs if run in records for row in records[run]
    )


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SweepError(
            f"{path} is not readable JSON ({type(error).__name__})"
        ) from None


def write_json(path: Path, data: dict) -> None:
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def shard_stem(shard: tuple[int, int]) -> str:
    return f"shard-{shard[0]}-of-{shard[1]}"


def results_paths(results: Path, shard: tuple[int, int] | None) -> tuple[Path, Path]:
    """Where this process writes: (csv, metadata json)."""
    if shard is None:
        return results / RUNS_FILE, results / METADATA_FILE
    stem = shard_stem(shard)
    return results / SHARDS_DIR / f"{stem}.csv", results / SHARDS_DIR / f"{stem}.json"


def difference(ours: Experiment, theirs: dict) -> str | None:
    """How a stored experiment differs from ours, in words; None when equal."""
    try:
        stored = Experiment.from_json(theirs)
    except (TypeError, KeyError, SweepError):
        return "an experiment this version cannot read"
    if stored == ours:
        return None
    for key, value in ours.to_json().items():
        if stored.to_json()[key] != value:
            return f"{key} {stored.to_json()[key]} instead of {value}"
    return "another experiment"


def check_results_dir(results: Path, experiment: Experiment) -> None:
    """Refuse a results directory that already holds a different sweep."""
    files = [results / METADATA_FILE, *sorted((results / SHARDS_DIR).glob("*.json"))]
    for path in files:
        if path.is_file():
            stored = read_json(path).get("experiment", {})
            if (what := difference(experiment, stored)) is not None:
                raise SweepError(
                    f"{path} belongs to a different sweep ({what}): use another "
                    "--results directory or remove that one"
                )
    for csv_path in [
        results / RUNS_FILE,
        *sorted((results / SHARDS_DIR).glob("*.csv")),
    ]:
        json_path = (
            results / METADATA_FILE
            if csv_path.name == RUNS_FILE
            else csv_path.with_suffix(".json")
        )
        if csv_path.is_file() and not json_path.is_file():
            raise SweepError(
                f"{csv_path} has no {json_path.name} saying which sweep it holds: "
                "use another --results directory"
            )
        if csv_path.is_file():
            grid = set(experiment.runs())
            for row in read_rows(csv_path):
                if row.run not in grid:
                    raise SweepError(
                        f"{csv_path} holds a run outside this grid "
                        f"({row.run.label()}): use another --results directory"
                    )


# --- the environment --------------------------------------------------------


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


def environment() -> dict:
    import keras
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "git_commit": git_commit(),
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- progress ---------------------------------------------------------------


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


# --- the sweep --------------------------------------------------------------


def train_runs(trainer, runs, experiment, on_run) -> None:
    """Train ``runs`` one after another, calling ``on_run(run, results)`` after each."""
    for momentum in dict.fromkeys(run.momentum for run in runs):
        trainer.warm_up(momentum)  # tracing and compiling stay out of the run times
    for run in runs:
        results = trainer.train_run(
            run.learning_rate, run.momentum, run.seed, experiment.epochs
        )
        on_run(run, results)


_trainers: dict[tuple, object] = {}  # compiled trainers of this process, by data


def make_trainer(split: Split, batch_size: int):
    """A Trainer for this data, reused within a process (compiling takes seconds)."""
    from lab.training import Trainer, make_deterministic, prepare

    make_deterministic()
    digest = hashlib.sha256()
    for array in (*split.train, *split.validation):
        digest.update(np.ascontiguousarray(array).tobytes())
    key = (batch_size, digest.hexdigest())
    if key not in _trainers:
        _trainers[key] = Trainer(
            prepare(*split.train), prepare(*split.validation), batch_size
        )
    return _trainers[key]


def run_sweep(
    experiment: Experiment,
    results: Path = RESULTS_DIR,
    shard: tuple[int, int] | None = None,
    max_runs: int | None = None,
    quiet: bool = False,
    figures: Path | None = None,
) -> dict:
    """Run (or resume) a sweep; finish it when every run is done. Returns a summary.

    Raises SweepError or MnistDataError on bad input, before writing anything.
    """
    check_results_dir(results, experiment)
    csv_path, json_path = results_paths(results, shard)
    existing = (
        complete_runs(read_rows(csv_path), experiment.epochs)
        if csv_path.is_file()
        else {}
    )
    split = split_data(experiment)
    sizes = split.sizes()
    if json_path.is_file():
        stored_sizes = read_json(json_path).get("data_sizes")
        if stored_sizes not in (None, sizes):
            raise SweepError(
                f"{json_path} was made with data of sizes {stored_sizes}, not {sizes}: "
                "use another --results directory"
            )

    # Input is good: from here on, write.
    results.mkdir(parents=True, exist_ok=True)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    mine = shard_runs(experiment.runs(), shard)
    if csv_path.is_file():
        text = csv_path.read_text()
        whole_rows = sum(len(rows) for rows in existing.values())
        if not text.endswith("\n") or text.count("\n") != 1 + whole_rows:
            # drop what a crash left half-written, keeping every whole run
            write_atomically(csv_path, canonical_text(mine, existing))
    else:
        append_atomically(csv_path, header_line())
    metadata = read_json(json_path) if json_path.is_file() else {}
    metadata.update(
        experiment=experiment.to_json(),
        data_sizes=sizes,
        shard=list(shard) if shard else None,
        runs_total=len(mine),
    )
    metadata.setdefault("sessions", [])
    started = time.perf_counter()
    session = {
        "started": now(),
        "environment": environment(),
        "runs": 0,
        "seconds": 0.0,
    }
    metadata["sessions"].append(session)
    write_json(json_path, metadata)

    todo = [run for run in mine if run not in existing]
    progress = Progress(len(mine), len(mine) - len(todo), quiet)
    if max_runs is not None:
        todo = todo[:max_runs]
    where = f"shard {shard[0]}/{shard[1]}, " if shard else ""
    progress.say(
        f"sweep: {len(mine)} runs ({where}{progress.done} already in {csv_path}), "
        f"{experiment.epochs} epochs each, data {experiment.data!r}: "
        f"{sizes['train']} train / {sizes['validation']} validation digits"
    )

    def save(run, run_results):
        append_atomically(csv_path, "".join(format_row(run, r) for r in run_results))
        existing[run] = run_results
        progress.run_finished(run, run_results)

    try:
        if todo:
            train_runs(
                make_trainer(split, experiment.batch_size), todo, experiment, save
            )
    finally:
        session["runs"] = progress.finished_here
        session["seconds"] = round(time.perf_counter() - started, 1)
        metadata["runs_completed"] = len([run for run in mine if run in existing])
        write_json(json_path, metadata)

    missing = len(mine) - metadata["runs_completed"]
    if missing:
        progress.say(f"{missing} runs still to do: run the same command again to go on")
        return {"complete": False, "missing": missing}
    if shard is not None:
        progress.say(
            f"shard {shard[0]}/{shard[1]} is complete; when every shard is, run: "
            f"python lab/rmsprop_sweep.py merge --results {results}"
        )
        return {"complete": True, "shard": shard}
    return finish(results, experiment, split, quiet, figures)


def merge_shards(
    results: Path, quiet: bool = False, figures: Path | None = None
) -> dict:
    """Combine the shards (and any unsharded runs) in ``results`` into one sweep."""
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
    except (TypeError, KeyError):
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
    split = split_data(experiment)
    if (sizes := split.sizes()) != metadata[0].get("data_sizes"):
        raise SweepError(
            f"the data now has sizes {sizes}, "
            f"the shards used {metadata[0].get('data_sizes')}"
        )
    results.mkdir(parents=True, exist_ok=True)
    write_atomically(results / RUNS_FILE, canonical_text(runs, records))
    sessions = [s for m in metadata for s in m.get("sessions", [])]
    write_json(
        results / METADATA_FILE,
        {
            "experiment": experiment.to_json(),
            "data_sizes": sizes,
            "shard": None,
            "merged_from": [path.name for path in shard_files],
            "runs_total": len(runs),
            "runs_completed": len(runs),
            "sessions": sessions,
        },
    )
    return finish(results, experiment, split, quiet, figures)


# --- finishing: select, test once, report -----------------------------------


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


def finish(
    results: Path, experiment: Experiment, split: Split, quiet: bool, figures
) -> dict:
    """Write the canonical CSV, test the selected configuration, make the report."""
    started = time.perf_counter()
    records = complete_runs(read_rows(results / RUNS_FILE), experiment.epochs)
    runs = experiment.runs()
    write_atomically(results / RUNS_FILE, canonical_text(runs, records))
    selected = select_configuration(experiment, records)
    say = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
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
        summary["test"] = measure_selected_on_test_set(
            results, experiment, split, records, selected
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
    from lab import report

    written = report.write_report(results, figures or default_figures_dir(results))
    say("wrote " + ", ".join(str(path) for path in written))
    return summary


def default_figures_dir(results: Path) -> Path:
    """The book's figures for the book's results; elsewhere, beside the results."""
    return (
        FIGURES_DIR
        if results.resolve() == RESULTS_DIR.resolve()
        else results / "figures"
    )


def measure_selected_on_test_set(results, experiment, split, records, selected) -> dict:
    """Retrain the selected configuration's runs and measure them on the test set."""
    from lab.training import prepare

    learning_rate, momentum = selected
    trainer = make_trainer(split, experiment.batch_size)
    test_images, test_labels = prepare(*split.test)
    seeds = []
    for seed in experiment.seeds:
        run = Run(learning_rate, momentum, seed)
        retrained = trainer.train_run(learning_rate, momentum, seed, experiment.epochs)
        test_loss, test_accuracy = trainer.evaluate(test_images, test_labels)
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


# --- the command line -------------------------------------------------------


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2)."""

    def error(self, message):
        raise SweepError(message)


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return value


def sweep_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Sweep RMSprop's learning rate × momentum on MNIST.",
        epilog="Other commands: 'merge' (combine shards), 'report' (tables, figures).",
    )
    parser.add_argument(
        "--learning-rates",
        nargs="+",
        type=number,
        default=list(DEFAULT_LEARNING_RATES),
        metavar="LR",
        help="learning rates to try, each > 0 (default: %(default)s)",
    )
    parser.add_argument(
        "--momenta",
        nargs="+",
        type=number,
        default=list(DEFAULT_MOMENTA),
        metavar="M",
        help="momenta to try, each in [0, 1) (default: %(default)s)",
    )
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=list(DEFAULT_SEEDS),
        metavar="SEED",
        help="seeds: one run per configuration and seed (default: %(default)s)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=DEFAULT_EPOCHS,
        help="epochs per run (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help="batch size (default: %(default)s)",
    )
    parser.add_argument(
        "--data",
        default="bundled",
        help="'bundled' (default, offline), 'keras' (full MNIST, downloads it) "
        "or the path of a Keras-format mnist.npz",
    )
    parser.add_argument(
        "--validation-size",
        type=int,
        default=DEFAULT_VALIDATION_SIZE,
        help="training digits held out for validation (default: %(default)s)",
    )
    parser.add_argument(
        "--train-size",
        type=int,
        default=None,
        help="use only this many training digits (default: all the others)",
    )
    add_output_arguments(parser)
    parser.add_argument(
        "--shard",
        type=parse_shard,
        default=None,
        metavar="K/N",
        help="run only the K-th of N interleaved parts of the grid",
    )
    parser.add_argument(
        "--max-runs",
        type=int,
        default=None,
        metavar="N",
        help="stop after N runs (rerun the command to go on)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    return parser


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """--results and --figures, shared by the sweep, merge and report commands."""
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="results directory (default: lab/results)",
    )
    parser.add_argument(
        "--figures",
        type=Path,
        default=None,
        help="where the figures go (default: docs/figures/lab for lab/results, "
        "else RESULTS/figures)",
    )


def merge_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=f"{PROG} merge",
        description="Merge a sweep's shards, test the selected configuration, report.",
    )
    add_output_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv[:1] == ["report"]:
            from lab import report

            return report.main(argv[1:])
        if argv[:1] == ["merge"]:
            args = merge_parser().parse_args(argv[1:])
            merge_shards(args.results, args.quiet, args.figures)
            return 0
        args = sweep_parser().parse_args(argv)
        if args.max_runs is not None and args.max_runs < 0:
            raise SweepError(f"--max-runs must be 0 or more, got {args.max_runs}")
        experiment = Experiment(
            tuple(args.learning_rates),
            tuple(args.momenta),
            tuple(args.seeds),
            args.epochs,
            args.batch_size,
            args.data,
            args.validation_size,
            args.train_size,
        )
        run_sweep(
            experiment,
            args.results,
            args.shard,
            args.max_runs,
            args.quiet,
            args.figures,
        )
    except (SweepError, MnistDataError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted: the finished runs are saved; run the same command "
            "again to go on",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
