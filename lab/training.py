"""Train the lab's network quickly and repeatably: the engine of the RMSprop sweep.

    from lab.training import Trainer, prepare
    trainer = Trainer(prepare(x_train, y_train), prepare(x_val, y_val))
    epochs = trainer.train_run(learning_rate=1e-3, momentum=0.9, seed=0, epochs=5)

    from lab.training import make_trainer       # the same, for a Split (lab/data.py),
    trainer = make_trainer(split)                # deterministic and cached

The network is the book's first one, ``Dense(512, relu) → Dense(10, softmax)``,
trained with ``keras.optimizers.RMSprop`` on sparse categorical cross-entropy
in batches of 128, as ``model.fit`` would. What differs is only how the work
reaches the processor, because a sweep trains the same small network dozens
of times:

- the data lives in TensorFlow tensors, sliced on the device: no per-batch
  Python, no ``tf.data`` pipeline;
- one call of a function compiled by XLA runs a whole epoch (a
  ``tf.while_loop`` over the batches) and then evaluates the validation set in
  a single batch: no per-batch Python or graph-executor overhead, and the
  optimizer's dozen element-wise operations per weight tensor fuse into a few
  loops;
- one model and one optimizer per momentum are built and compiled once, then
  reset before each run: weights exactly as a fresh model would get them after
  ``keras.utils.set_random_seed(seed)``, optimizer slots at zero.

Training loss and accuracy are averaged over the epoch's batches while the
weights change, which is what ``model.fit`` reports; validation figures are
computed after the epoch. A run whose loss becomes NaN or infinite stops at the
end of that epoch (the epoch itself stops at the first such batch) and is
marked diverged.
"""

import hashlib
import math
import time

import keras
import numpy as np
import tensorflow as tf

from lab.config import DEFAULT_BATCH_SIZE, EpochResult
from lab.data import Split

INPUT_SIZE = 28 * 28
HIDDEN_UNITS = 512
CLASSES = 10
# FLOPs per sample are counted from the model's layers: lab/benchmark.py.


def make_deterministic() -> None:
    """Same seed, same numbers: TensorFlow's op determinism, for the whole process."""
    tf.config.experimental.enable_op_determinism()


def prepare(images: np.ndarray, labels: np.ndarray) -> tuple[tf.Tensor, tf.Tensor]:
    """uint8 images (n, 28, 28) → float32 (n, 784) in [0, 1]; labels → int32."""
    flat = images.reshape(len(images), INPUT_SIZE).astype("float32") / 255
    return tf.constant(flat), tf.constant(labels.astype("int32"))


def build_model() -> keras.Sequential:
    """The book's first network."""
    return keras.Sequential(
        [
            keras.Input(shape=(INPUT_SIZE,)),
            keras.layers.Dense(HIDDEN_UNITS, activation="relu"),
            keras.layers.Dense(CLASSES, activation="softmax"),
        ]
    )


def _loss_and_correct(model, images, labels, training):
    probabilities = model(images, training=training)
    losses = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    predicted = tf.argmax(probabilities, axis=1, output_type=tf.int32)
    correct = tf.reduce_sum(tf.cast(tf.equal(predicted, labels), tf.float32))
    return losses, correct


class Trainer:
    """Trains the network on fixed training and validation tensors, run after run."""

    def __init__(self, train, validation, batch_size: int = DEFAULT_BATCH_SIZE):
        self.train_images, self.train_labels = train
        self.val_images, self.val_labels = validation
        self.batch_size = batch_size
        self.train_size = int(self.train_images.shape[0])
        if not 0 < batch_size <= self.train_size:
            raise ValueError(
                f"batch size {batch_size} must be between 1 and {self.train_size}"
            )
        self.model = build_model()
        self._epoch_functions = {}  # momentum → (optimizer, compiled epoch)

    def _compiled(self, momentum: float):
        if momentum not in self._epoch_functions:
            optimizer = keras.optimizers.RMSprop(learning_rate=1e-3, momentum=momentum)
            optimizer.build(self.model.trainable_variables)
            self._epoch_functions[momentum] = (
                optimizer,
                self._epoch_function(optimizer),
            )
        return self._epoch_functions[momentum]

    def _epoch_function(self, optimizer):
        model, weights = self.model, self.model.trainable_variables
        batch, size = self.batch_size, self.train_size
        full_batches, rest = divmod(size, batch)

        def step(batch_images, batch_labels):
            with tf.GradientTape() as tape:
                losses, correct = _loss_and_correct(
                    model, batch_images, batch_labels, training=True
                )
                loss = tf.reduce_mean(losses)
            optimizer.apply(tape.gradient(loss, weights), weights)
            return tf.reduce_sum(losses), correct

        # The data are arguments, not captured constants, and each batch is
        # gathered by index: both keep XLA from copying the whole training set.
        @tf.function(jit_compile=True)
        def epoch(order, images, labels, val_images, val_labels):
            def keep_going(index, loss_sum, correct):
                return tf.logical_and(index < full_batches, tf.math.is_finite(loss_sum))

            def one_batch(index, loss_sum, correct):
                chosen = tf.slice(order, [index * batch], [batch])
                batch_loss, batch_correct = step(
                    tf.gather(images, chosen), tf.gather(labels, chosen)
                )
                return index + 1, loss_sum + batch_loss, correct + batch_correct

            start = (tf.constant(0), tf.constant(0.0), tf.constant(0.0))
            _, loss_sum, correct = tf.while_loop(keep_going, one_batch, start)
            if rest:  # the last, smaller batch, as model.fit does
                chosen = order[full_batches * batch :]
                last_loss, last_correct = step(
                    tf.gather(images, chosen), tf.gather(labels, chosen)
                )
                loss_sum, correct = loss_sum + last_loss, correct + last_correct
            val_losses, val_correct = _loss_and_correct(
                model, val_images, val_labels, training=False
            )
            count = tf.cast(tf.shape(val_labels)[0], tf.float32)
            return (
                loss_sum / size,
                correct / size,
                tf.reduce_mean(val_losses),
                val_correct / count,
            )

        data = (self.train_images, self.train_labels, self.val_images, self.val_labels)
        return lambda order: epoch(order, *data)

    def reset(self, learning_rate: float, momentum: float, seed: int):
        """Start a run: fresh weights for ``seed``, empty optimizer state."""
        optimizer, epoch = self._compiled(momentum)
        keras.utils.set_random_seed(seed)
        # A fresh Sequential creates one initializer per Dense kernel, in order,
        # each drawing its seed from Python's generator: do the same.
        initializers = [keras.initializers.GlorotUniform() for _ in self.model.layers]
        for layer, initializer in zip(self.model.layers, initializers, strict=True):
            layer.kernel.assign(initializer(layer.kernel.shape))
            layer.bias.assign(tf.zeros(layer.bias.shape))
        for variable in optimizer.variables:
            variable.assign(tf.zeros(variable.shape, variable.dtype))
        optimizer.learning_rate = learning_rate
        return epoch

    def train_run(
        self,
        learning_rate: float,
        momentum: float,
        seed: int,
        epochs: int,
        on_epoch=None,
    ) -> list[EpochResult]:
        """Train one run; ``on_epoch(result)`` is called after each epoch."""
        epoch_function = self.reset(learning_rate, momentum, seed)
        shuffle = np.random.default_rng(seed)
        results = []
        for number in range(1, epochs + 1):
            order = tf.constant(shuffle.permutation(self.train_size).astype("int32"))
            start = time.perf_counter()
            values = [float(v) for v in epoch_function(order)]
            seconds = time.perf_counter() - start
            diverged = not all(math.isfinite(v) for v in values[::2])  # the losses
            result = EpochResult(number, *values, seconds=seconds, diverged=diverged)
            results.append(result)
            if on_epoch is not None:
                on_epoch(result)
            if diverged:
                break
        return results

    def warm_up(self, momentum: float) -> None:
        """Compile the epoch for ``momentum`` now, so run times exclude compiling."""
        if momentum in self._epoch_functions:
            return
        epoch = self.reset(1e-3, momentum, 0)
        epoch(tf.range(self.train_size, dtype=tf.int32))

    def evaluate(self, images, labels) -> tuple[float, float]:
        """Loss and accuracy of the current weights on (prepared) images and labels."""
        losses, correct = _loss_and_correct(self.model, images, labels, training=False)
        return float(tf.reduce_mean(losses)), float(correct) / int(labels.shape[0])

    def evaluate_digits(self, images, labels) -> tuple[float, float]:
        """The same, on uint8 images (n, 28, 28) and their labels."""
        return self.evaluate(*prepare(images, labels))


_trainers: dict[tuple, Trainer] = {}  # the compiled trainers of this process


def make_trainer(split: Split, batch_size: int = DEFAULT_BATCH_SIZE) -> Trainer:
    """A deterministic Trainer for this data, reused within a process (compiling
    takes seconds)."""
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
