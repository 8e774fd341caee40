"""What a sweep is: its grid, its runs, its settings, and the checks they must pass.

The first of the lab's modules; the others import one way, each only from those
before it: config → data → training → store → sweep → report → the command
line (``lab/rmsprop_sweep.py``); ``lab/benchmark.py`` comes after the sweep.
``tests/lab/test_layout.py`` checks it.
"""

import contextlib
import math
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPOSITORY / "lab" / "results"  # the book's: rewritten only when asked
MY_RESULTS_DIR = REPOSITORY / "lab" / "my-results"  # a reader's sweeps (git ignores)
MY_QUICK_RESULTS_DIR = REPOSITORY / "lab" / "my-results-quick"  # and quick ones

DEFAULT_LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
DEFAULT_MOMENTA = (0.0, 0.5, 0.9, 0.99)
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
DEFAULT_EPOCHS = 5
DEFAULT_BATCH_SIZE = 128
DEFAULT_DATA = "full"  # the official 60,000 / 10,000 split, fetched once
DEFAULT_VALIDATION_SIZE = 10_000
# --quick: the bundled digits (no download), 1,000 held out, three seeds
QUICK = {"data": "bundled", "validation_size": 1000, "seeds": (0, 1, 2)}
SPLIT_SEED = 20_240_414  # fixes which training digits are held out for validation
LARGEST_SEED = 2**32 - 1  # NumPy's global seed, set by keras.utils.set_random_seed


class SweepError(Exception):
    """Bad input or a results folder that cannot be used: the one line the user sees."""


@dataclass(frozen=True, order=True)
class Run:
    learning_rate: float
    momentum: float
    seed: int

    def label(self) -> str:
        return f"lr={self.learning_rate:g} momentum={self.momentum:g} seed={self.seed}"


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
class Experiment:
    """Everything that decides a sweep's numbers; two sweeps merge only if equal."""

    learning_rates: tuple[float, ...] = DEFAULT_LEARNING_RATES
    momenta: tuple[float, ...] = DEFAULT_MOMENTA
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = DEFAULT_BATCH_SIZE
    data: str = DEFAULT_DATA
    validation_size: int = DEFAULT_VALIDATION_SIZE
    train_size: int | None = None  # None: every training digit not held out

    def __post_init__(self):
        check_experiment(self)

    @classmethod
    def quick(cls, **changes) -> "Experiment":
        """The quick sweep's settings (``QUICK``), with ``changes``."""
        return cls(**{**QUICK, **changes})

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
        if not 0 <= seed <= LARGEST_SEED:
            raise SweepError(f"seeds must be from 0 to {LARGEST_SEED}, got {seed}")
    for name in ("epochs", "batch_size", "validation_size"):
        if getattr(experiment, name) < 1:
            value = getattr(experiment, name)
            raise SweepError(
                f"{name.replace('_', ' ')} must be at least 1, got {value}"
            )
    if experiment.train_size is not None and experiment.train_size < 1:
        raise SweepError(f"train size must be at least 1, got {experiment.train_size}")


# --- shards: a sweep split over several processes or machines ----------------


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' → (2, 3); raise SweepError unless it reads K/N with 1 ≤ K ≤ N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None:
        raise SweepError(f"--shard must look like K/N (e.g. 2/4), got {text!r}")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise SweepError(f"--shard K/N needs 1 ≤ K ≤ N, got {text!r}")
    return index, count


def shard_runs(runs: list[Run], shard: tuple[int, int] | None) -> list[Run]:
    """Shard K of N: every N-th run from the K-th, so shards share the grid evenly."""
    if shard is None:
        return runs
    index, count = shard
    return runs[index - 1 :: count]


# --- TensorFlow's log lines ---------------------------------------------------
#
# TensorFlow's C++ code logs at four levels, I(nfo), W(arning), E(rror) and
# F(atal); TF_CPP_MIN_LOG_LEVEL = 0 to 3 hides those below it. The lab's
# command lines set 3 unless the user set a level, since the E lines it prints
# here (a failed cuInit without a GPU, a NodeDef attribute under op determinism)
# are harmless. The lines written while TensorFlow loads come before its
# logging reads the level, so tensorflow_loading() holds them back and lets
# through only what the level allows.

LOG_LEVELS = "IWEF"
LOADING_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called"


def quiet_tensorflow() -> None:
    """Hide TensorFlow's C++ log lines below FATAL, unless the user chose a level."""
    if not os.environ.get("TF_CPP_MIN_LOG_LEVEL"):
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


def hidden_by_log_level(line: str) -> bool:
    """Whether TF_CPP_MIN_LOG_LEVEL asks to hide this line of TensorFlow's log."""
    level = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")
    level = int(level) if level.isdigit() else 0
    if line.startswith(LOADING_NOTICE):
        return level > LOG_LEVELS.index("W")
    if re.match(r"[IWEF]\d{4} ", line):
        return level > LOG_LEVELS.index(line[0])
    return False


@contextlib.contextmanager
def tensorflow_loading():
    """Import TensorFlow inside this block: its loading lines obey the log level.

    Standard error (file descriptor 2, which TensorFlow's C++ code writes to) goes
    to a temporary file for the block; afterwards every line the level does not
    hide is written to the real standard error, so nothing else is lost.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode(errors="replace")
            for line in text.splitlines(keepends=True):
                if not hidden_by_log_level(line):
                    sys.stderr.write(line)
            sys.stderr.flush()
