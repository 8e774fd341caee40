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


def hold_data(trainer, train, validation, batch_size: int) -> None:
    """Give a trainer its training and validation tensors and its batch size."""
    trainer.train_images, trainer.train_labels = train
    trainer.val_images, trainer.val_labels = validation
    trainer.batch_size = batch_size
    trainer.train_size = int(trainer.train_images.shape[0])
    if not 0 < batch_size <= trainer.train_size:
        raise ValueError(
            f"batch size {batch_size} must be between 1 and {trainer.train_size}"
        )


class Trainer:
    """Trains the network on fixed training and validation tensors, run after run."""

    def __init__(self, train, validation, batch_size: int = DEFAULT_BATCH_SIZE):
        hold_data(self, train, validation, batch_size)
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


# --- the wide network: every configuration of one seed at once ---------------------

RHO, EPSILON = 0.9, 1e-7  # Keras's RMSprop defaults, which the lab keeps


class WideTrainer:
    """Trains one seed's runs of several (learning rate, momentum) pairs at once.

        trainer = WideTrainer(train, validation, [(1e-3, 0.0), (1e-3, 0.9)])
        epochs = trainer.train_seed(seed=0, epochs=5)   # a list per pair

    The runs of one seed start from the same weights and see the same batches
    in the same order; only their updates differ. So the C networks are trained
    side by side as one wide network: the first layers' kernels side by side
    make one 784 × (512·C) matrix, and one product with a batch of images
    gives every network's hidden layer; the second layers are C products in
    one batched product. Summing the C losses keeps each network's gradient
    its own, and RMSprop's update, written out as Keras's ``update_step`` does
    it, takes a learning rate and a momentum per network. The numbers differ
    from separate runs only in their rounding: the wide network is another
    program for XLA, whose matrix products and fused loops may round
    differently (``tests/lab/test_benchmark.py`` measures how much).

    A momentum of 0 is computed as m ← 0·m + Δ, w ← w − m, the same numbers as
    Keras's w ← w − Δ when m is finite (0·m + Δ is Δ, exactly), though XLA may
    fuse and round the two programs' loops differently. A network whose loss becomes
    NaN or infinite stops updating from the next batch on, as a separate run's
    epoch stops (the last, smaller batch still runs, as it does there), and
    its later epochs are not reported.
    """

    def __init__(
        self,
        train,
        validation,
        configurations: list[tuple[float, float]],
        batch_size: int = DEFAULT_BATCH_SIZE,
    ):
        hold_data(self, train, validation, batch_size)
        self.configurations = list(configurations)
        count, units = len(self.configurations), HIDDEN_UNITS
        self.count = count
        shapes = [
            (INPUT_SIZE, count * units),
            (count * units,),
            (count, units, CLASSES),
            (count, CLASSES),
        ]
        self.weights = [tf.Variable(tf.zeros(shape)) for shape in shapes]
        self.velocities = [tf.Variable(tf.zeros(shape)) for shape in shapes]
        self.momentums = [tf.Variable(tf.zeros(shape)) for shape in shapes]

        self._rates = tf.constant([rate for rate, _ in self.configurations], "float32")
        self._momenta = tf.constant([m for _, m in self.configurations], "float32")
        self._epoch = self._epoch_function()

    def _forward(self, images):
        """Every network's softmax inputs (logits) for ``images``: (n, C, 10)."""
        kernel1, bias1, kernel2, bias2 = self.weights
        hidden = tf.nn.relu(tf.matmul(images, kernel1) + bias1)
        hidden = tf.reshape(hidden, (-1, self.count, HIDDEN_UNITS))
        return tf.einsum("bch,chk->bck", hidden, kernel2) + bias2

    def _loss_and_correct(self, images, labels):
        """Per sample and network, the loss; per network, the correct count."""
        logits = self._forward(images)
        probabilities = tf.nn.softmax(logits, axis=-1)
        wide_labels = tf.broadcast_to(labels[:, None], tf.shape(logits)[:2])
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(wide_labels, tf.int64), logits=logits
        )
        predicted = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        right = tf.cast(tf.equal(predicted, wide_labels), tf.float32)
        return losses, tf.reduce_sum(right, axis=0)

    def _update(self, gradients, alive):
        """Keras's RMSprop update_step, with a learning rate and a momentum per
        network. A network not ``alive`` keeps its weights and slots: its ρ and
        μ become 1, its 1 − ρ, η and step 0 (a factor of 1 or 0, not a choice
        between arrays, so that XLA's loops read each array no more than
        Keras's update does; a NaN stays NaN)."""
        one, zero = tf.ones(self.count), tf.zeros(self.count)

        def each(values):
            wide = tf.repeat(values, HIDDEN_UNITS)
            return [wide[None, :], wide, values[:, None, None], values[:, None]]

        rho = each(tf.where(alive, RHO * one, one))
        mix = each(tf.where(alive, (1 - RHO) * one, zero))
        rates = each(tf.where(alive, self._rates, zero))
        momenta = each(tf.where(alive, self._momenta, one))
        steps = each(tf.where(alive, one, zero))
        for index, gradient in enumerate(gradients):
            weight = self.weights[index]
            velocity, momentum = self.velocities[index], self.momentums[index]
            velocity.assign(rho[index] * velocity + mix[index] * tf.square(gradient))
            increment = rates[index] * gradient / tf.sqrt(velocity + EPSILON)
            momentum.assign(momenta[index] * momentum + increment)
            weight.assign_sub(steps[index] * momentum)

    def _epoch_function(self):
        batch, size = self.batch_size, self.train_size
        full_batches, rest = divmod(size, batch)
        count = self.count

        def step(images, labels, alive):
            with tf.GradientTape() as tape:
                losses, correct = self._loss_and_correct(images, labels)
                loss = tf.reduce_sum(tf.reduce_mean(losses, axis=0))
            self._update(tape.gradient(loss, self.weights), alive)
            return tf.reduce_sum(losses, axis=0), correct

        @tf.function(jit_compile=True)
        def epoch(order, images, labels, val_images, val_labels):
            def keep_going(index, loss_sums, corrects):
                finite = tf.math.is_finite(loss_sums)
                return tf.logical_and(index < full_batches, tf.reduce_any(finite))

            def one_batch(index, loss_sums, corrects):
                alive = tf.math.is_finite(loss_sums)  # as a separate run's loop asks
                chosen = tf.slice(order, [index * batch], [batch])
                batch_losses, batch_correct = step(
                    tf.gather(images, chosen), tf.gather(labels, chosen), alive
                )
                zero = tf.zeros_like(batch_losses)
                return (
                    index + 1,
                    loss_sums + tf.where(alive, batch_losses, zero),
                    corrects + tf.where(alive, batch_correct, zero),
                )

            start = (tf.constant(0), tf.zeros(count), tf.zeros(count))
            _, loss_sums, corrects = tf.while_loop(keep_going, one_batch, start)
            if rest:  # the last, smaller batch, for every network, as model.fit does
                chosen = order[full_batches * batch :]
                last_losses, last_correct = step(
                    tf.gather(images, chosen),
                    tf.gather(labels, chosen),
                    tf.ones(count, tf.bool),
                )
                loss_sums, corrects = loss_sums + last_losses, corrects + last_correct
            val_losses, val_correct = self._loss_and_correct(val_images, val_labels)
            total = tf.cast(tf.shape(val_labels)[0], tf.float32)
            return (
                loss_sums / size,
                corrects / size,
                tf.reduce_mean(val_losses, axis=0),
                val_correct / total,
            )

        data = (self.train_images, self.train_labels, self.val_images, self.val_labels)
        return lambda order: epoch(order, *data)

    def reset(self, seed: int) -> None:
        """Every network gets the weights a fresh model gets for ``seed``
        (as ``Trainer.reset``); every slot is zero."""
        keras.utils.set_random_seed(seed)
        initializers = [keras.initializers.GlorotUniform() for _ in range(2)]
        first = initializers[0]((INPUT_SIZE, HIDDEN_UNITS))
        second = initializers[1]((HIDDEN_UNITS, CLASSES))
        kernel1, bias1, kernel2, bias2 = self.weights
        kernel1.assign(tf.tile(first, (1, self.count)))
        bias1.assign(tf.zeros(bias1.shape))
        kernel2.assign(tf.tile(second[None], (self.count, 1, 1)))
        bias2.assign(tf.zeros(bias2.shape))
        for slot in (*self.velocities, *self.momentums):
            slot.assign(tf.zeros(slot.shape))

    def train_seed(self, seed: int, epochs: int) -> list[list[EpochResult]]:
        """Train every configuration with ``seed``: one list of epochs per
        configuration, in order; each epoch's time is shared out evenly."""
        self.reset(seed)
        shuffle = np.random.default_rng(seed)
        runs = [[] for _ in self.configurations]
        self.epoch_seconds = []  # every epoch's, even after a network diverged
        for number in range(1, epochs + 1):
            order = tf.constant(shuffle.permutation(self.train_size).astype("int32"))
            start = time.perf_counter()
            values = [v.numpy() for v in self._epoch(order)]
            self.epoch_seconds.append(time.perf_counter() - start)
            seconds = self.epoch_seconds[-1] / self.count
            for index, run in enumerate(runs):
                if run and run[-1].diverged:
                    continue
                numbers = [float(v[index]) for v in values]
                diverged = not all(math.isfinite(v) for v in numbers[::2])
                run.append(EpochResult(number, *numbers, seconds, diverged))
        return runs

    def warm_up(self) -> None:
        """Compile the epoch now, so that run times exclude compiling."""
        self.reset(0)
        self._epoch(tf.range(self.train_size, dtype=tf.int32))
