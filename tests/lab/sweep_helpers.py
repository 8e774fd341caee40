"""A tiny sweep for the lab's tests: 2 learning rates × 2 momenta, 1 seed, 1 epoch.

Its data are 256 training and 128 validation digits, so each run takes
milliseconds; what costs time is compiling the training epoch once per momentum,
which the process's cached trainer does only once for all these tests.
``FakeTrainer`` stands in for the lab's trainer where only the results folder
is under test: instant, deterministic numbers and no TensorFlow. ``SMALL`` and
``OPTIMIZER`` serve the tests that read XLA's compiled training step.
"""

import math
import re
from pathlib import Path

from lab.config import EpochResult, Experiment
from lab.rmsprop_sweep import main

TINY = [
    "--learning-rates", "1e-3", "1e-2",
    "--momenta", "0", "0.9",
    "--seeds", "0",
    "--epochs", "1",
    "--train-size", "256",
    "--validation-size", "128",
    "--data", "bundled",
]  # fmt: skip
TINY_EXPERIMENT = Experiment.quick(
    learning_rates=(1e-3, 1e-2),
    momenta=(0.0, 0.9),
    seeds=(0,),
    epochs=1,
    train_size=256,
    validation_size=128,
)

# one run of one epoch on 256 digits, for reading XLA's compiled program;
# validation_size differs from the batch size, so that the program tells them apart
SMALL = Experiment.quick(
    learning_rates=(1e-3,),
    momenta=(0.9,),
    seeds=(0,),
    epochs=1,
    train_size=256,
    validation_size=100,
)
# the optimizer's operations in XLA's program, named rm_sprop/… (rm_sprop_2/… for
# a later one)
OPTIMIZER = re.compile(r'op_name="[^"]*rm_sprop(?:_\d+)?/')


def sweep(results: Path, *extra: str) -> int:
    """Run the lab's command line in this process, quietly, into ``results``."""
    return main([*TINY, "--results", str(results), "--quiet", *extra])


class FakeTrainer:
    """lab.training.Trainer's interface, with made-up numbers that depend on the
    run alone: best near an effective step η / (1 − μ) of 3e-3."""

    def warm_up(self, momentum: float) -> None:
        pass

    def train_run(self, learning_rate, momentum, seed, epochs, on_epoch=None):
        step = math.log10(learning_rate / (1 - momentum))
        accuracy = 0.9 - 0.1 * abs(step + 2.5) + 0.001 * seed
        return [
            EpochResult(
                epoch,
                train_loss=1 - accuracy + 0.1 / epoch,
                train_accuracy=accuracy - 0.01 / epoch,
                val_loss=1.1 - accuracy,
                val_accuracy=accuracy - 0.02 / epoch,
                seconds=0.001,
                diverged=False,
            )
            for epoch in range(1, epochs + 1)
        ]

    def evaluate_digits(self, images, labels) -> tuple[float, float]:
        return 0.25, 0.875


def fake_trainer(split, batch_size) -> FakeTrainer:
    return FakeTrainer()
