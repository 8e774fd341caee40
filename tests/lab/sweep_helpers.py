"""A tiny sweep for the lab's tests: 2 learning rates × 2 momenta, 1 seed, 1 epoch.

Its data are 256 training and 128 validation digits, so each run takes
milliseconds; what costs time is compiling the training epoch once per momentum,
which the process's cached trainer does only once for all these tests.
"""

from pathlib import Path

from lab.rmsprop_sweep import main

TINY = [
    "--learning-rates", "1e-3", "1e-2",
    "--momenta", "0", "0.9",
    "--seeds", "0",
    "--epochs", "1",
    "--train-size", "256",
    "--validation-size", "128",
]  # fmt: skip


def sweep(results: Path, *extra: str) -> int:
    """Run the lab's command line in this process, quietly, into ``results``."""
    return main([*TINY, "--results", str(results), "--quiet", *extra])
