"""The sweep's data: training, validation and test digits.

    from lab.config import Experiment
    from lab.data import split_data
    split = split_data(Experiment())   # 50,000 train / 10,000 validation / 10,000 test
    split = split_data(Experiment.quick())  # 7,000 / 1,000 / 2,000, the bundled digits

The validation digits are held out of the training digits by ``SPLIT_SEED``
alone, so every run of every sweep on the same data is judged on the same
digits; the test digits are the data source's own.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

from lab.config import SPLIT_SEED, Experiment, SweepError
from lab.mnist_data import load_mnist


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

    def digest(self) -> str:
        """The SHA-256 of the training and validation digits and labels, which
        decide every run's numbers (the test set stays unread until the end)."""
        digest = hashlib.sha256()
        for images, labels in (self.train, self.validation):
            for array in (images, labels):
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def description(self) -> dict:
        """What sweep.json records of the data, to refuse other data later."""
        return {"data_sizes": self.sizes(), "data_sha256": self.digest()}


def split_data(experiment: Experiment) -> Split:
    """Load the data and hold a validation set out of the training digits.

    Raises MnistDataError (a data source that cannot be loaded) or SweepError.
    """
    (images, labels), test = load_mnist(experiment.data)  # checks the shapes
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
    if len(test[1]) == 0:
        raise SweepError(f"the data {experiment.data!r} has no test digits")
    return Split(
        (images[train], labels[train]), (images[validation], labels[validation]), test
    )
