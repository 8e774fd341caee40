"""What docs/lab.md says about Keras, the lab's training code and its FLOP count.

These tests train on a few hundred digits only; what costs time is compiling
the lab's epoch (a few seconds per trainer).
"""

import ast
import json
import math
import re
import shutil
import statistics
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from lab import sweep as lab_sweep
from lab.benchmark import (
    epoch_flops,
    forward_flops_per_sample,
    training_flops_per_sample,
)
from lab.config import REPOSITORY, RESULTS_DIR, Experiment, Run
from lab.data import split_data
from lab.mnist_data import load_mnist
from lab.report import load_results
from lab.store import METADATA_FILE, RUNS_FILE, SELECTED_FILE, read_rows
from lab.sweep import train_runs
from lab.training import build_model, make_trainer
from tests.helpers.full_mnist import full_mnist_or_skip
from tests.lab.sweep_helpers import OPTIMIZER, SMALL, sweep


@pytest.fixture(scope="module")
def trainer():
    return make_trainer(split_data(SMALL), 128)


def optimized_program(trainer, momentum: float) -> str:
    """XLA's optimized program (HLO) for the lab's compiled epoch."""
    _, epoch_call = trainer._compiled(momentum)
    cells = [cell.cell_contents for cell in epoch_call.__closure__]
    [epoch] = [c for c in cells if hasattr(c, "experimental_get_compiler_ir")]
    [data] = [c for c in cells if isinstance(c, tuple)]
    order = tf.range(trainer.train_size, dtype=tf.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # device_name is deprecated, but needed here
        return epoch.experimental_get_compiler_ir(order, *data)(
            stage="optimized_hlo", device_name="/device:CPU:0"
        )


@pytest.fixture(scope="module")
def compiled_epoch(trainer) -> str:
    """XLA's optimized program for momentum 0.9."""
    return optimized_program(trainer, 0.9)


def computations(hlo: str) -> dict[str, str]:
    """HLO text split into its computations, by the first word of each header."""
    parts = re.split(r"\n(?=\S)", hlo)
    return {
        part.split(" ", 2)[1 if part.startswith("ENTRY") else 0]: part for part in parts
    }


def matrix_products(computation: str, shapes: dict) -> list[tuple[int, int, int]]:
    """(rows, columns, contracted length) of every dot in one computation."""
    products = []
    pattern = (
        r"= f32\[(\d+),(\d+)\]\S* dot\((%[\w.\-]+), %[\w.\-]+\), "
        r"lhs_contracting_dims=\{(\d)\}"
    )
    for rows, columns, lhs, axis in re.findall(pattern, computation):
        length = int(shapes[lhs].split(",")[int(axis)])
        products.append((int(rows), int(columns), length))
    return products


def test_keras_rmsprop_defaults_are_the_labs(trainer):
    optimizer, _ = trainer._compiled(0.9)
    default = keras.optimizers.RMSprop()
    # "leaves ρ and ε at Keras's defaults, 0.9 and 1e-7"
    assert (optimizer.rho, optimizer.epsilon) == (default.rho, default.epsilon)
    assert (default.rho, default.epsilon) == (0.9, 1e-7)
    assert optimizer.momentum == 0.9 and not optimizer.centered
    # "Keras's default RMSprop (η = 1e-3, no momentum)", which the course's
    # network gets from optimizer="rmsprop"
    assert float(default.learning_rate) == pytest.approx(1e-3)
    assert default.momentum == 0
    assert isinstance(keras.optimizers.get("rmsprop"), keras.optimizers.RMSprop)


def test_the_momentum_buffer_settles_to_lr_over_one_minus_momentum():
    """Keras itself: a constant gradient, 1000 steps, the last step ≈ η / (1 − μ)."""
    for momentum in (0.9, 0.99):
        w = keras.Variable(0.0)
        optimizer = keras.optimizers.RMSprop(learning_rate=1e-3, momentum=momentum)
        gradient = tf.constant(1.0)
        for _ in range(1000):
            before = float(w.numpy())
            optimizer.apply([gradient], [w])
        step = before - float(w.numpy())
        assert step == pytest.approx(1e-3 / (1 - momentum), rel=1e-3)


def test_keras_does_not_cap_the_cross_entropy_of_a_softmax_layer_compiled_or_not():
    labels = tf.constant([1])
    bare = keras.losses.sparse_categorical_crossentropy(
        labels, tf.constant([[1.0, 0.0]])
    )
    assert float(bare[0]) == pytest.approx(-np.log(1e-7), rel=1e-4)  # capped: 16.1
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, activation="softmax")]
    )
    model.layers[0].kernel.assign([[100.0, -100.0], [0.0, 0.0]])

    @tf.function(jit_compile=True)
    def loss(images):
        return keras.losses.sparse_categorical_crossentropy(labels, model(images))

    assert float(loss(tf.constant([[1.0, 0.0]]))[0]) == pytest.approx(200.0)
    # eagerly too: Keras's softmax keeps its inputs (the logits) on its output
    eager = keras.losses.sparse_categorical_crossentropy(
        labels, model(tf.constant([[1.0, 0.0]]))
    )
    assert tf.executing_eagerly() and float(eager[0]) == pytest.approx(200.0)
    # "Keras's TensorFlow backend, which this book uses": the softmax's inputs
    # travel with its output (_keras_logits) in that backend only; the others
    # clip the probabilities, so the statement does not hold for Keras in general
    assert keras.backend.backend() == "tensorflow"
    backends = Path(keras.__file__).parent / "src" / "backend"
    keeping = sorted(
        path.parent.name
        for path in backends.glob("*/nn.py")
        if "_keras_logits" in path.read_text()
    )
    assert keeping == ["tensorflow"]
    assert (backends / "jax" / "nn.py").exists()


def test_far_beyond_the_grid_the_loss_stays_finite_until_it_is_nan(trainer):
    """η = 100 (10,000 × the grid's largest), μ = 0, 256 digits: finite for 3
    epochs, every loss above a million, no run diverged; η = 1e30: NaN, diverged
    after its first epoch."""
    assert trainer.train_size == 256
    largest = max(Experiment.quick().learning_rates)
    assert round(100 / largest) == 10_000
    rows = trainer.train_run(100.0, 0.0, seed=0, epochs=3)
    assert len(rows) == 3 and not any(row.diverged for row in rows)
    losses = [loss for row in rows for loss in (row.train_loss, row.val_loss)]
    assert all(np.isfinite(loss) and loss > 1e6 for loss in losses)
    [row] = trainer.train_run(1e30, 0.0, seed=0, epochs=3)
    assert row.diverged and np.isnan(row.train_loss)


def test_the_seed_fixes_the_initial_weights_and_the_batch_order(trainer, monkeypatch):
    orders = []
    original = trainer.reset

    def recording_reset(*args):
        epoch = original(*args)

        def record(order):
            orders.append(order.numpy())
            return epoch(order)

        return record

    monkeypatch.setattr(trainer, "reset", recording_reset)
    trainer.train_run(1e-3, 0.9, seed=4, epochs=2)
    generator = np.random.default_rng(4)
    for order in orders:
        np.testing.assert_array_equal(order, generator.permutation(trainer.train_size))
    # the weights: a fresh model after keras.utils.set_random_seed(seed)
    original(1e-3, 0.9, 4)
    keras.utils.set_random_seed(4)
    for ours, fresh in zip(
        trainer.model.get_weights(), build_model().get_weights(), strict=True
    ):
        np.testing.assert_array_equal(ours, fresh)


def test_reset_empties_the_optimizer_slots(trainer):
    trainer.train_run(1e-3, 0.9, seed=1, epochs=1)
    optimizer, _ = trainer._compiled(0.9)
    assert any(np.any(v.numpy() != 0) for v in optimizer._momentums)
    trainer.reset(3e-3, 0.9, seed=1)
    for slot in (*optimizer._velocities, *optimizer._momentums):
        assert not np.any(slot.numpy())
    assert float(optimizer.learning_rate) == pytest.approx(3e-3)


def test_the_validation_digits_do_not_depend_on_the_runs_seed():
    (train_images, _), (test_images, _) = load_mnist()
    assert (len(train_images), len(test_images)) == (8000, 2000)
    one = split_data(Experiment.quick())
    other = split_data(Experiment.quick(seeds=(7, 8)))
    np.testing.assert_array_equal(one.validation[0], other.validation[0])
    assert one.sizes() == {"train": 7000, "validation": 1000, "test": 2000}


def test_only_the_selected_configuration_meets_the_test_set():
    users = set()
    for path in sorted((REPOSITORY / "lab").glob("*.py")):
        for function in ast.walk(ast.parse(path.read_text())):
            if isinstance(function, ast.FunctionDef):
                for node in ast.walk(function):
                    if (
                        isinstance(node, ast.Attribute)
                        and node.attr == "test"
                        and isinstance(node.value, ast.Name)
                        and node.value.id in ("split", "self")
                    ):
                        users.add((path.name, function.name))
    assert users == {
        ("data.py", "sizes"),
        ("sweep.py", "measure_selected_on_test_set"),
    }


def test_one_epoch_ends_with_model_fits_weights():
    """Same initial weights, same order of digits: model.fit and the lab agree."""
    experiment = Experiment.quick(
        learning_rates=(1e-3,),
        momenta=(0.9,),
        seeds=(3,),
        epochs=1,
        train_size=300,  # 2 batches of 128 and a last one of 44
        validation_size=100,
    )
    split = split_data(experiment)
    trainer = make_trainer(split, 128)
    [ours] = trainer.train_run(1e-3, 0.9, seed=3, epochs=1)
    order = np.random.default_rng(3).permutation(300)
    images, labels = split.train
    flat = images.reshape(len(images), -1).astype("float32") / 255
    keras.utils.set_random_seed(3)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        flat[order], labels[order], batch_size=128, epochs=1, shuffle=False, verbose=0
    )
    for lab_weights, fit_weights in zip(
        trainer.model.get_weights(), model.get_weights(), strict=True
    ):
        np.testing.assert_allclose(lab_weights, fit_weights, atol=1e-5)
    # the training loss and accuracy are what model.fit reports for the epoch
    assert history.history["loss"][0] == pytest.approx(ours.train_loss, rel=1e-4)
    assert history.history["accuracy"][0] == pytest.approx(ours.train_accuracy)


def test_compiling_happens_before_every_run():
    calls = []

    class Recorder:
        def warm_up(self, momentum):
            calls.append("compile")

        def train_run(self, *args):
            calls.append("run")
            return []

    experiment = Experiment.quick(
        momenta=(0.0, 0.9), seeds=(0,), learning_rates=(1e-3,)
    )
    train_runs(Recorder(), experiment.runs(), experiment, lambda run, rows: None)
    assert calls == ["compile", "compile", "run", "run"]
    source = (REPOSITORY / "lab" / "training.py").read_text()
    timed = re.search(
        r"start = time.perf_counter\(\)\n(.*?)\n.*seconds = ", source, re.S
    )
    assert timed.group(1).strip() == (
        "values = [float(v) for v in epoch_function(order)]"
    )


def test_rerunning_a_finished_sweep_retrains_only_the_selected_configuration(
    tiny_sweep, tmp_path, monkeypatch
):
    for path in tiny_sweep.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    before = (tmp_path / RUNS_FILE).read_text()
    runs = []
    original = lab_sweep.train_runs
    monkeypatch.setattr(
        lab_sweep,
        "train_runs",
        lambda *args: runs.append(args[1]) or original(*args),
    )
    from lab.training import Trainer

    retrained = []
    original_run = Trainer.train_run
    monkeypatch.setattr(
        Trainer,
        "train_run",
        lambda self, *args, **kw: (
            retrained.append(args) or original_run(self, *args, **kw)
        ),
    )
    sessions = len(json.loads((tmp_path / METADATA_FILE).read_text())["sessions"])
    (tmp_path / SELECTED_FILE).unlink()
    assert sweep(tmp_path) == 0
    assert runs == []  # no run of the grid is trained again
    assert (tmp_path / RUNS_FILE).read_text() == before
    # "and rewrites `selected.json` and `sweep.json`" (a new session in the latter)
    assert (tmp_path / SELECTED_FILE).is_file()
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    assert len(metadata["sessions"]) == sessions + 1
    assert len(retrained) == 1  # the selected configuration, once per seed (1 seed)


def test_the_lab_needs_no_tf_data_and_no_python_per_batch():
    source = (REPOSITORY / "lab" / "training.py").read_text()
    assert "tf.data" not in source.replace("no ``tf.data`` pipeline", "")
    assert "@tf.function(jit_compile=True)" in source
    assert "tf.while_loop(keep_going, one_batch, start)" in source
    assert "tf.gather(images, chosen)" in source


def test_xla_computes_five_matrix_products_per_batch(compiled_epoch, trainer):
    parts = computations(compiled_epoch)
    shapes = dict(re.findall(r"(%[\w.\-]+) = \w+\[([\d,]*)\]", compiled_epoch))
    [body] = [text for name, text in parts.items() if "while_body" in name]
    products = matrix_products(body, shapes)
    batch = trainer.batch_size
    # no product yields a gradient for the 128 × 784 images
    assert (batch, 784) not in [(rows, columns) for rows, columns, _ in products]
    assert len(products) == 5
    flops = sum(2 * rows * columns * length for rows, columns, length in products)
    assert flops == batch * training_flops_per_sample(trainer.model)
    # some operands in transposed form: a product that contracts the first axis
    # of its left operand (X^T·dH) or the last of its right one (dY·W^T)
    dots = re.findall(
        r"dot\(.*lhs_contracting_dims=\{(\d)\}.*rhs_contracting_dims=\{(\d)\}", body
    )
    assert len(dots) == 5 and {("0", "0"), ("1", "1")} & set(dots)
    # after the loop, the validation set goes through the network in one batch
    [entry] = [text for text in parts.values() if text.startswith("ENTRY")]
    validation = matrix_products(entry, shapes)
    assert [(rows, columns) for rows, columns, _ in validation] == [
        (100, 512),
        (100, 10),
    ]
    validation_flops = sum(2 * r * c * k for r, c, k in validation)
    assert validation_flops == 100 * forward_flops_per_sample(trainer.model)
    assert epoch_flops(trainer) == trainer.train_size * training_flops_per_sample(
        trainer.model
    ) + 100 * forward_flops_per_sample(trainer.model)


@pytest.mark.parametrize(("momentum", "loops"), [(0.9, 3), (0.0, 2)])
def test_xla_fuses_the_optimizers_update_of_the_first_weight_matrix(
    trainer, compiled_epoch, momentum, loops
):
    """3 loops over the 784 × 512 kernel with momentum (running mean s, momentum
    buffer m, weight), 2 without: Keras makes no momentum buffer for μ = 0."""
    program = compiled_epoch if momentum == 0.9 else optimized_program(trainer, 0.0)
    parts = computations(program)
    [body] = [text for name, text in parts.items() if "while_body" in name]
    update = [
        line
        for line in body.splitlines()
        if re.search(r"= f32\[784,512\]\S* \w", line) and OPTIMIZER.search(line)
    ]
    assert len(update) == loops and all(" fusion(" in line for line in update)
    fused = 0
    for line in update:
        called = re.search(r"calls=(%[\w.\-]+)", line).group(1)
        fused += len(OPTIMIZER.findall(parts[called]))
    assert fused > loops * 2  # several of the optimizer's operations in each loop
    optimizer, _ = trainer._compiled(momentum)
    assert bool(optimizer._momentums) == (momentum > 0)


def test_the_flop_count_comes_from_the_layer_shapes():
    model = build_model()
    assert training_flops_per_sample(model) == 2 * 2 * 784 * 512 + 3 * 2 * 512 * 10
    assert forward_flops_per_sample(model) == 2 * (784 * 512 + 512 * 10)
    other = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(4), keras.layers.Dense(3)]
    )
    assert training_flops_per_sample(other) == 2 * 2 * 6 * 4 + 3 * 2 * 4 * 3
    # the old count, 3 × 2 × (784·512 + 512·10), overstated the work 1.49 times
    old = 3 * 2 * (784 * 512 + 512 * 10)
    assert round(old / training_flops_per_sample(model), 2) == 1.49
    # "and for the lab also the forward pass over the 1,000 validation digits
    # that its timed epochs include"
    from lab import benchmark

    class Timed:
        train_size, batch_size = 7000, 128
        val_images = tf.zeros((1000, 784))

    Timed.model = model
    flops = epoch_flops(Timed)
    assert flops == 7000 * training_flops_per_sample(model) + 1000 * (
        forward_flops_per_sample(model)
    )
    # "the same training done by plain model.fit, without a validation set"
    [reference] = [
        node
        for node in ast.walk(ast.parse(Path(benchmark.__file__).read_text()))
        if isinstance(node, ast.FunctionDef)
        and node.name == "reference_samples_per_second"
    ]
    fits = [
        call
        for call in ast.walk(reference)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "fit"
    ]
    assert len(fits) == 2
    for call in fits:
        keywords = {k.arg for k in call.keywords}
        assert not keywords & {"validation_data", "validation_split"}


def one_epoch_lab_and_fit(learning_rate, momentum, seed):
    """One epoch on the 7,000 training digits, by the lab and by model.fit, from
    the same initial weights and in the same order of digits."""
    split = split_data(Experiment.quick(seeds=(seed,), epochs=1))
    trainer = make_trainer(split, 128)
    trainer.reset(learning_rate, momentum, seed)
    start = trainer.model.get_weights()[0].copy()
    trainer.train_run(learning_rate, momentum, seed=seed, epochs=1)
    images, labels = split.train
    order = np.random.default_rng(seed).permutation(len(labels))
    flat = images.reshape(len(images), -1).astype("float32") / 255
    keras.utils.set_random_seed(seed)
    model = build_model()
    np.testing.assert_array_equal(model.get_weights()[0], start)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate, momentum=momentum),
        loss="sparse_categorical_crossentropy",
    )
    model.fit(
        flat[order], labels[order], batch_size=128, epochs=1, shuffle=False, verbose=0
    )
    lab, fit = trainer.model.get_weights()[0], model.get_weights()[0]
    moved = np.abs(lab - start)
    return float(np.max(np.abs(lab - fit))), float(np.median(moved[moved > 0]))


def test_training_can_amplify_the_rounding_differences_from_model_fit():
    """'one epoch at η = 1e-3 with μ = 0 (seed 1) ends with weights within 1e-6
    of model.fit's, while at η = 3e-3 (seed 1) some weights of the first layer
    already differ by more than the typical distance its weights moved'."""
    gap, _ = one_epoch_lab_and_fit(1e-3, 0.0, 1)
    assert gap < 1e-6
    gap, moved = one_epoch_lab_and_fit(3e-3, 0.0, 1)
    assert gap > moved


def test_epsilon_dominates_for_most_first_layer_weights():
    """'after the selected configuration's 5 epochs (seed 0), s is below ε for
    about three in four of the first layer's weights', and a steady gradient g
    with g² < ε gives steps ηg/√(g² + ε) below η/√2."""
    full_mnist_or_skip()
    selected = load_results().best()
    split = split_data(Experiment(seeds=(0,)))
    trainer = make_trainer(split, 128)
    trainer.train_run(selected.learning_rate, selected.momentum, seed=0, epochs=5)
    optimizer, _ = trainer._compiled(selected.momentum)
    epsilon = optimizer.epsilon
    assert epsilon == 1e-7
    [first_kernel] = [
        v for v in optimizer.variables if "velocity" in v.path and v.shape == (784, 512)
    ]
    s = first_kernel.numpy()
    share = float(np.mean(s < epsilon))
    assert 0.7 <= share <= 0.8, share
    # "for about one in five it is exactly 0 ... About half of those weights
    # belong to the 70 of the 784 pixels that are 0 in every training digit,
    # whose gradient is 0 at every update"
    never = s == 0
    assert 0.15 <= float(np.mean(never)) <= 0.25, float(np.mean(never))
    images, _ = split.train
    blank = np.all(images.reshape(len(images), -1) == 0, axis=0)  # (784,)
    assert int(blank.sum()) == 70
    assert np.all(never[blank])  # a blank pixel's weights never get a gradient
    assert round(2 * never[blank].sum() / never.sum()) == 1, never[blank].sum()
    # "s ← ρs + (1 − ρ)g² only shrinks, by the factor ρ = 0.9; once it falls
    # below float32's smallest normal number, about 1.2e-38, the compiled
    # training code sets it to 0": no subnormal s is left
    assert optimizer.rho == 0.9
    tiny = np.finfo(np.float32).tiny
    assert f"{tiny:.1e}" == "1.2e-38"
    assert s[s > 0].min() >= tiny
    assert np.float32(tiny) * np.float32(0.9) > 0  # NumPy keeps the subnormal
    # "from s = 1e-9, after about 630 such updates in a row"
    updates = math.ceil(math.log(tiny / 1e-9) / math.log(0.9))
    assert round(updates, -1) == 630
    g = np.logspace(-8, np.log10(np.sqrt(epsilon)), 50, endpoint=False)
    assert np.all(g / np.sqrt(g**2 + epsilon) < 1 / np.sqrt(2))


ANOTHER_PROCESSOR = """
import json, sys
sys.path.insert(0, sys.argv[1])
from lab.config import Experiment
from lab.data import split_data
from lab.training import make_deterministic, make_trainer
make_deterministic()
trainer = make_trainer(split_data(Experiment(seeds=(0,))), 128)
epochs = trainer.train_run(float(sys.argv[2]), float(sys.argv[3]), seed=0, epochs=5)
print(json.dumps([[e.train_loss, e.val_accuracy] for e in epochs]))
"""


def test_another_instruction_set_changes_the_numbers_within_the_seeds_spread():
    """'ONEDNN_MAX_CPU_ISA=AVX2 ... seed 0 of the selected configuration ends its
    first epoch with another training loss, and its fifth with another validation
    accuracy, than in lab/results/runs.csv', and 'the rerun's final validation
    accuracy lies within the committed seeds' range, widened by two of their
    standard deviations'. Meant to hold on any x86-64 processor: the committed
    numbers were made with oneDNN's AVX-512 code, which AVX2 replaces."""
    import json
    import os
    import subprocess
    import sys

    full_mnist_or_skip()
    results = load_results()
    selected = results.best()
    environment = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX2", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run(
        [sys.executable, "-c", ANOTHER_PROCESSOR, str(REPOSITORY),
         repr(selected.learning_rate), repr(selected.momentum)],
        capture_output=True, text=True, env=environment, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    rerun = json.loads(run.stdout.splitlines()[-1])
    committed = sorted(
        (row.epoch, row.train_loss, row.val_accuracy)
        for row in read_rows(RESULTS_DIR / RUNS_FILE)
        if row.run == Run(selected.learning_rate, selected.momentum, 0)
    )
    assert rerun[0][0] != committed[0][1]  # epoch 1's training loss
    assert rerun[-1][1] != committed[-1][2]  # epoch 5's validation accuracy
    seeds = selected.final("val_accuracy")
    spread = 2 * statistics.stdev(seeds)
    assert min(seeds) - spread <= rerun[-1][1] <= max(seeds) + spread
