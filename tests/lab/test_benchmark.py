"""lab/benchmark.py: what a step costs, counted from the model; the bound; the CLI.

The counts are checked against the layer shapes and against what Keras's
RMSprop update does in a traced graph, never against typed numbers. The
command line runs on a tiny split with the machine's rates replaced by fixed
ones, so that every printed figure can be recomputed here exactly; one more run
measures for real, to check that the lines come out whatever the machine.
"""

import functools
import math
import os
import re
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from lab import benchmark
from lab.benchmark import (
    Costs,
    epoch_flops,
    epoch_products,
    forward_flops_per_sample,
    numpy_products_seconds,
    optimizer_bytes,
    parameter_count,
    products_flops,
    rmsprop,
    step_products,
    steps_per_epoch,
    training_flops_per_sample,
)
from lab.config import REPOSITORY, Experiment
from lab.data import split_data
from lab.training import WideTrainer, build_model, make_trainer, prepare
from tests.lab.sweep_helpers import OPTIMIZER, SMALL

SCRIPT = REPOSITORY / "lab" / "benchmark.py"
TINY = functools.partial(Experiment.quick, train_size=300, validation_size=100)
TINY.quick = TINY  # what lab/benchmark.py calls


def other_model():
    """Three Dense layers of odd sizes: nothing in the counts is the book's."""
    return keras.Sequential(
        [
            keras.Input((7,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


@pytest.mark.parametrize("make", [build_model, other_model])
def test_the_flop_counts_follow_the_layer_shapes(make):
    model = make()
    shapes = [tuple(layer.kernel.shape) for layer in model.layers]
    forward = sum(2 * n * k for n, k in shapes)
    kernel_gradients = sum(2 * n * k for n, k in shapes)
    input_gradients = sum(2 * n * k for n, k in shapes[1:])  # not the first layer's
    assert forward_flops_per_sample(model) == forward
    assert training_flops_per_sample(model) == (
        forward + kernel_gradients + input_gradients
    )


@pytest.mark.parametrize("make", [build_model, other_model])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_the_optimizer_bytes_are_what_keras_rmsprop_reads_and_writes(make, momentum):
    """Trace Keras's own update and collect the arrays it reads and writes: the
    gradients (its inputs), and every weight and slot variable of more than one
    number (the step count and learning rate are single numbers). Counting
    each once, at 4 bytes a float32, gives optimizer_bytes."""
    model = make()
    weights = model.trainable_variables
    optimizer = rmsprop(model, momentum)

    @tf.function
    def update(gradients):
        optimizer.apply(gradients, weights)

    graph = update.get_concrete_function(
        [tf.TensorSpec(w.shape, w.dtype) for w in weights]
    ).graph
    variables = {id(v.value.handle): v for v in [*weights, *optimizer.variables]}
    inside = {
        placeholder.name: variables[id(handle)]
        for handle, placeholder in graph.captures
        if id(handle) in variables
    }
    read, written = {}, {}
    for op in graph.get_operations():
        if op.type not in {
            "ReadVariableOp",
            "AssignVariableOp",
            "AssignSubVariableOp",
            "AssignAddVariableOp",
        }:
            continue
        variable = inside[op.inputs[0].name]
        if len(variable.shape) == 0:
            continue
        if op.type != "AssignVariableOp":  # assign_sub and assign_add read too
            read[variable.path] = math.prod(variable.shape)
        if op.type.startswith("Assign"):
            written[variable.path] = math.prod(variable.shape)
    gradients = sum(math.prod(w.shape) for w in weights)
    assert set(read) == set(written)  # each array read is written back
    slots = 2 if momentum > 0 else 1  # a velocity, and a momentum when μ > 0
    assert len(read) == len(weights) * (1 + slots)
    assert optimizer_bytes(model, optimizer) == 4 * (
        gradients + sum(read.values()) + sum(written.values())
    )
    # in words: 5 float32 accesses per parameter without momentum, 7 with
    per_parameter = optimizer_bytes(model, optimizer) / parameter_count(model) / 4
    assert per_parameter == 3 + 2 * slots


@pytest.mark.parametrize("make", [build_model, other_model])
@pytest.mark.parametrize("rows", [1, 88, 128])
def test_a_steps_products_are_its_flop_count(make, rows):
    """The products the own-shapes comparison times: as many FLOP as the count,
    each product's inner sizes matching, five for two layers (eight for three)."""
    model = make()
    products = step_products(model, rows)
    assert products_flops(products) == rows * training_flops_per_sample(model)
    assert all(left[1] == right[0] for left, right in products)
    assert len(products) == 3 * len(model.layers) - 1


def test_an_epochs_products_are_what_its_time_covers():
    """Full batches, the smaller last one and the validation pass: the FLOP of
    the products NumPy is timed on, which the bound counts (epoch_flops), are
    each training sample's count and each validation sample's."""
    trainer = make_trainer(split_data(TINY()))
    products = epoch_products(trainer)
    assert trainer.train_size % trainer.batch_size  # there is a smaller last batch
    validation = int(trainer.val_images.shape[0])
    model = trainer.model
    assert (
        products_flops(products)
        == epoch_flops(trainer)
        == (
            trainer.train_size * training_flops_per_sample(model)
            + validation * forward_flops_per_sample(model)
        )
    )
    assert [left[0] for left, _ in products[-2:]] == [validation, validation]


def test_numpy_products_are_computed_not_skipped():
    """Products whose inner sizes differ fail: each one is really computed."""
    assert numpy_products_seconds([((64, 32), (32, 16))], repeats=1) > 0
    with pytest.raises(ValueError, match="mismatch"):
        numpy_products_seconds([((4, 3), (5, 2))], repeats=1)


def test_the_bound_and_the_ratios():
    """Costs: the bound adds matrix time and optimizer time; the share is the
    bound over the measured time; the FLOP ratio is GFLOP/s over the matmul's."""
    flops, moved, samples = 4e8, 2e7, 128
    costs = Costs(0.004, (flops, moved, samples), (200.0, 40.0))
    assert costs.matrix_ms == pytest.approx(1e3 * flops / 200e9)
    assert costs.optimizer_ms == pytest.approx(1e3 * moved / 40e9)
    assert costs.bound_ms == pytest.approx(costs.matrix_ms + costs.optimizer_ms)
    assert costs.share == pytest.approx(costs.bound_ms / 4)
    assert costs.flop_ratio == pytest.approx(flops / 0.004 / 1e9 / 200)
    assert costs.samples_per_second == pytest.approx(samples / 0.004)


def tiny_and_compiled(monkeypatch) -> None:
    """The benchmark on the tiny split, its trainer not compiled: for tests whose
    times are made up, compiling would only take seconds."""
    import lab.training

    monkeypatch.setattr(benchmark, "Experiment", TINY)
    monkeypatch.setattr(lab.training.Trainer, "warm_up", lambda self, momentum: None)


def lines_of(text: str) -> dict[str, str]:
    return {line.split(":")[0]: line for line in text.splitlines()}


def numbers(line: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", line)]


def tiny_step(model) -> tuple[float, float]:
    """One step of the benchmark on TINY's data, in batches of 128: its matrix
    products in FLOP (its share of the epoch's validation included) and its
    training samples."""
    sizes = benchmark.split_data(TINY()).sizes()
    steps = steps_per_epoch(sizes["train"], 128)
    flops = (
        sizes["train"] * training_flops_per_sample(model)
        + sizes["validation"] * forward_flops_per_sample(model)
    ) / steps
    return flops, sizes["train"] / steps


def test_the_command_line_prints_the_bound_and_the_ratios(
    monkeypatch, capsys, tmp_path
):
    """Fixed rates (100 GFLOP/s, 10 GB/s) and a fixed time per step (2 ms): every
    printed figure follows from the model's counts, recomputed here."""
    done = []

    def measured(name, value):
        def measure(*args):
            done.append((name, *args[:1]) if name == "copy" else name)
            return value

        return measure

    tiny_and_compiled(monkeypatch)
    monkeypatch.setattr(benchmark, "matmul_gflops", measured("matmul", 100.0))
    monkeypatch.setattr(benchmark, "copy_bandwidth", measured("copy", 10.0))
    monkeypatch.setattr(benchmark, "lab_seconds_per_step", measured("lab", 0.002))
    monkeypatch.setattr(benchmark, "reference_samples_per_second", measured("fit", 1e4))
    own_times = iter([0.004, 0.003, 0.005])  # NumPy's time for an epoch's products
    monkeypatch.setattr(benchmark, "numpy_products_seconds", lambda p: next(own_times))
    output = tmp_path / "benchmark.md"
    argv = ["--rounds", "3", "--epochs", "1", "--output", str(output)]
    assert benchmark.main(argv) == 0
    printed = lines_of(capsys.readouterr().out)

    model = build_model()
    traffic = optimizer_bytes(model, rmsprop(model, 0.9))
    lab_flops, samples = tiny_step(model)
    # in each round, the machine right before each training measurement; the
    # copy moves as many bytes as one step of the optimizer
    machine = ["matmul", ("copy", traffic)]
    assert done == [*machine, "lab", *machine, "fit"] * 3
    matrix_ms = 1e3 * lab_flops / 100e9
    optimizer_ms = 1e3 * traffic / 10e9
    bound = matrix_ms + optimizer_ms
    line = printed["lab training"]
    assert line == (
        f"lab training: 2.000 ms per step against a bound of {bound:.3f} ms "
        f"({matrix_ms:.3f} ms of matrix products + {optimizer_ms:.3f} ms of optimizer "
        "traffic): "
        f"{bound / 2:.2f} of the bound's speed; "
        f"FLOP ratio {lab_flops / 0.002 / 1e9 / 100:.2f} "
        f"({lab_flops / 0.002 / 1e9:.0f} GFLOP/s of matrix products); "
        "the best time of 3 rounds against the best rates "
        f"(median of the rounds' shares: {bound / 2:.2f}; "
        f"{samples / 0.002:,.0f} training samples/s)"
    )
    # NumPy on the lab's own products: the best time over the epoch's steps
    steps = steps_per_epoch(benchmark.split_data(TINY()).sizes()["train"], 128)
    own_ms = 1e3 * 0.003 / steps
    own_bound = own_ms + optimizer_ms
    assert printed["the lab's matrix products alone, in NumPy at their own shapes"] == (
        "the lab's matrix products alone, in NumPy at their own shapes: "
        f"{own_ms:.3f} ms per step ({lab_flops / (own_ms / 1e3) / 1e9:.0f} GFLOP/s, "
        f"{lab_flops / (own_ms / 1e3) / 1e9 / 100:.2f} of the 2048² rate); with the "
        "optimizer's least traffic at the copy's bandwidth, an own-shapes time of "
        f"{own_bound:.3f} ms, {own_bound / 2:.2f} of the lab's time per step"
    )
    # model.fit: 10,000 samples/s, as many samples per step as the lab
    fit_ms = 1e3 * samples / 1e4
    fit_bound = 1e3 * samples * training_flops_per_sample(model) / 100e9 + optimizer_ms
    assert f"{fit_ms:.3f} ms per step" in printed["plain model.fit"]
    assert (
        f"{fit_bound / fit_ms:.2f} of the bound's speed" in printed["plain model.fit"]
    )
    assert printed["model"].startswith(
        f"model: {parameter_count(model):,} parameters; "
        f"{training_flops_per_sample(model) / 1e6:.2f} MFLOP"
    )
    assert "moves at least 28 bytes per parameter per step" in printed["model"]
    assert [key for key in printed if key.startswith("round")] == [
        "round 1",
        "round 2",
        "round 3",
    ]
    table = output.read_text()
    assert f"| lab training | {samples / 0.002:,.0f} |" in table
    assert f"| {2:.3f} | {bound:.3f} | {bound / 2:.2f} |" in table
    assert "OPENBLAS_CORETYPE" in table and "kernel" in table
    assert "wide" not in table and "plain model.fit has none" in table
    assert (
        f"an own-shapes time of {own_bound:.3f} ms, {own_bound / 2:.2f} of the lab's"
        in table
    )


def test_the_command_line_measures_for_real(monkeypatch, capsys):
    """Whatever the machine: the lines are there and agree with each other."""
    monkeypatch.setattr(benchmark, "Experiment", TINY)
    assert benchmark.main(["--rounds", "1", "--epochs", "1", "--no-reference"]) == 0
    printed = lines_of(capsys.readouterr().out)
    assert "plain model.fit" not in printed
    (
        step,
        bound,
        matrix,
        optimizer,
        share,
        ratio,
        gflops,
        rounds,
        median,
        per_second,
    ) = numbers(printed["lab training"])
    assert bound == pytest.approx(matrix + optimizer, abs=0.002)
    _, per_step = tiny_step(build_model())  # training samples in a step
    assert per_second * step / 1e3 == pytest.approx(per_step, rel=0.01)
    assert share == pytest.approx(bound / step, abs=0.01)
    assert rounds == 1 and median == share  # one round: its share is the best
    own_ms, own_gflops, own_ratio, _, own_bound, own_share = numbers(
        printed["the lab's matrix products alone, in NumPy at their own shapes"]
    )
    assert own_bound == pytest.approx(own_ms + optimizer, abs=0.002)
    assert own_share == pytest.approx(own_bound / step, abs=0.01)
    matmul = numbers(printed["machine, best of 1 round"])[3]
    # both rates are printed to the unit: the ratio lies within their rounding
    assert (gflops - 0.5) / (matmul + 0.5) - 0.005 <= ratio
    assert ratio <= (gflops + 0.5) / (matmul - 0.5) + 0.005
    assert share > 0 and ratio > 0
    assert "NumPy's BLAS" in printed["machine"]


def machine(*python_arguments, coretype=None):
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if coretype is not None:
        environment["OPENBLAS_CORETYPE"] = coretype
    done = subprocess.run(
        [sys.executable, *python_arguments],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


KERNEL = re.compile(r"kernel (\w+)")
# Nehalem's kernel runs on every processor this NumPy runs on (x86-64-v2)
OLD_KERNEL = "Nehalem"


def test_the_script_removes_openblas_coretype_before_numpy_loads():
    """Run as a script, the benchmark gets the kernel made for this processor
    whatever OPENBLAS_CORETYPE says, and says it was set; imported after NumPy,
    it cannot, and says that the variable applies."""
    blas = benchmark.np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    assert "openblas" in blas["name"]  # "here OpenBLAS"
    plain = machine(str(SCRIPT), "--machine")
    assert "OPENBLAS_CORETYPE not set" in plain
    own = KERNEL.search(plain)[1]
    removed = machine(str(SCRIPT), "--machine", coretype=OLD_KERNEL)
    assert f"OPENBLAS_CORETYPE={OLD_KERNEL} was set: removed before NumPy loaded" in (
        removed
    )
    assert KERNEL.search(removed)[1] == own
    assert re.search(r"float32 matmul 2048² \(NumPy\): \d+ GFLOP/s", removed)
    imported = machine(
        "-c",
        "import numpy\nfrom lab import benchmark\nprint(benchmark.machine_words())",
        coretype=OLD_KERNEL,
    )
    assert KERNEL.search(imported)[1] == OLD_KERNEL
    assert f"OPENBLAS_CORETYPE={OLD_KERNEL} is set and applies" in imported


def test_without_threadpoolctl_the_kernel_comes_from_openblas_itself(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # not installed
    words = benchmark.blas_kernel()
    blas = benchmark.np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    assert words.startswith(f"{blas['name']} {blas['version']}")
    if "openblas" in blas["name"]:
        assert KERNEL.search(words) and "threads" in words


def test_the_copy_bandwidth_uses_every_usable_core(monkeypatch):
    started = []
    real = benchmark.threading.Thread

    def counted(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(benchmark.threading, "Thread", counted)
    rate = benchmark.copy_bandwidth(1_000_000, repeats=2)
    assert len(started) == benchmark.usable_cores() and math.isfinite(rate) and rate > 0


@pytest.mark.parametrize("moved", [11_397_400, 400_000_000])
def test_each_copy_try_moves_enough_bytes_that_waking_the_threads_is_negligible(
    monkeypatch, moved
):
    """Waking the threads costs about one in-cache copy of a step's bytes: each
    try repeats the copy until a gigabyte or so has moved (at least one copy)."""
    copied = []
    real = benchmark.np.copyto

    def counted(target, source):
        copied.append(target.nbytes + source.nbytes)
        real(target, source)

    monkeypatch.setattr(benchmark.np, "copyto", counted)
    benchmark.copy_bandwidth(moved, repeats=1)  # a warm-up try, then one
    per_try = sum(copied) / 2
    assert per_try >= min(benchmark.COPY_BYTES_PER_TRY * 0.99, moved)
    assert per_try <= max(benchmark.COPY_BYTES_PER_TRY, moved)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_the_optimizers_arrays_hold_fewer_bytes_than_a_step_moves(momentum):
    """The gradient, weight and slots, each held once, against each read and
    written: 4 or 3 arrays of the weights' size against 7 or 5 accesses."""
    model = build_model()
    optimizer = rmsprop(model, momentum)
    slots = [v for v in optimizer.variables if len(v.shape) > 0]
    held = 4 * (2 * parameter_count(model) + sum(math.prod(v.shape) for v in slots))
    assert held < optimizer_bytes(model, optimizer)


def test_plain_model_fit_runs_without_xla_on_a_cpu_only_machine():
    """Keras's jit_compile="auto" turns XLA off when TensorFlow sees only CPUs,
    as the benchmark's model.fit row is compiled (its default)."""
    if any(d.device_type != "CPU" for d in tf.config.list_physical_devices()):
        pytest.skip("this machine has an accelerator")
    model = build_model()
    model.compile(optimizer=rmsprop(model, 0.9), loss="sparse_categorical_crossentropy")
    assert model.jit_compile is False


def test_the_lab_epoch_counts_its_validation_share():
    """The lab's step: its epoch's FLOP (validation included) over its steps."""
    model = build_model()

    class Timed:
        train_size, batch_size = 300, 128
        val_images = tf.zeros((100, 784))

    Timed.model = model
    assert epoch_flops(Timed) == 300 * training_flops_per_sample(
        model
    ) + 100 * forward_flops_per_sample(model)
    assert steps_per_epoch(300, 128) == 3  # the last batch is smaller


# --- what XLA's compiled step moves, beside the least count -------------------------


def loop_body(epoch_call) -> str:
    """The training loop's body in XLA's optimized program (HLO) of an epoch."""
    cells = [cell.cell_contents for cell in epoch_call.__closure__]
    [epoch] = [c for c in cells if hasattr(c, "experimental_get_compiler_ir")]
    [data] = [c for c in cells if isinstance(c, tuple)]
    order = tf.range(int(data[0].shape[0]), dtype=tf.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # device_name is deprecated, but needed here
        program = epoch.experimental_get_compiler_ir(order, *data)(
            stage="optimized_hlo", device_name="/device:CPU:0"
        )
    parts = re.split(r"\n(?=\S)", program)
    [body] = [part for part in parts if "while_body" in part.split(" ", 1)[0]]
    return body


@pytest.mark.parametrize(("momentum", "least", "compiled"), [(0.9, 7, 10), (0.0, 5, 7)])
def test_xla_moves_more_than_the_least_count(momentum, least, compiled):
    """XLA updates the 784 × 512 kernel in loops that each read whole arrays of
    its size and write one: with momentum 3 loops (velocity from the gradient
    and the velocity; momentum from the new velocity, the gradient and the
    momentum; weight from the weight and the new momentum), 10 accesses per
    weight where the least count has 7; without, 7 where it has 5."""
    model = build_model()
    optimizer = rmsprop(model, momentum)
    assert optimizer_bytes(model, optimizer) == 4 * least * parameter_count(model)
    trainer = make_trainer(split_data(SMALL), 128)
    body = loop_body(trainer._compiled(momentum)[1])
    shapes = dict(
        re.findall(r"^\s*(?:ROOT )?(%[\w.\-]+) = (\w+\[[\d,]*\])", body, re.M)
    )
    accesses = 0
    for line in body.splitlines():
        fusion = re.match(r"\s*%[\w.\-]+ = f32\[784,512\]\S* fusion\(([^)]*)\)", line)
        if fusion and OPTIMIZER.search(line):
            operands = [name.strip() for name in fusion[1].split(",")]
            read = [name for name in operands if shapes.get(name) == "f32[784,512]"]
            accesses += len(read) + 1  # and the array it writes
    assert accesses == compiled


# --- the wide network: the same numbers as separate runs ---------------------------

WIDE_GRID = Experiment.quick(
    learning_rates=(1e-3, 1e-2),
    momenta=(0.0, 0.9),
    seeds=(1,),
    epochs=2,
    train_size=500,
    validation_size=120,
)


def metrics(epoch) -> list[float]:
    return [epoch.train_loss, epoch.train_accuracy, epoch.val_loss, epoch.val_accuracy]


def assert_same_numbers(together, apart) -> None:
    """Losses within a relative 1e-5, accuracies within one digit."""
    a, b = metrics(together), metrics(apart)
    assert a[0] == pytest.approx(b[0], rel=1e-5)
    assert a[2] == pytest.approx(b[2], rel=1e-5)
    assert abs(a[1] - b[1]) <= 1 / 500 and abs(a[3] - b[3]) <= 1 / 120


# the tiny grid, and beside it a network that diverges in its first epoch
WIDE_CONFIGURATIONS = [
    *(
        (rate, momentum)
        for rate in WIDE_GRID.learning_rates
        for momentum in WIDE_GRID.momenta
    ),
    (1e30, 0.0),
]


@pytest.fixture(scope="module")
def wide_and_separate():
    """The runs of seed 1, as one wide network and one by one, and each
    network's final weights both ways."""
    split = split_data(WIDE_GRID)
    train, validation = prepare(*split.train), prepare(*split.validation)
    wide = WideTrainer(train, validation, WIDE_CONFIGURATIONS, 128)
    runs = wide.train_seed(1, WIDE_GRID.epochs)
    units = 512
    wide_weights = [
        [
            wide.weights[0].numpy()[:, c * units : (c + 1) * units],
            wide.weights[1].numpy()[c * units : (c + 1) * units],
            wide.weights[2].numpy()[c],
            wide.weights[3].numpy()[c],
        ]
        for c in range(len(WIDE_CONFIGURATIONS))
    ]
    separate = make_trainer(split, 128)
    alone, alone_weights = [], []
    for rate, momentum in WIDE_CONFIGURATIONS:
        alone.append(separate.train_run(rate, momentum, 1, WIDE_GRID.epochs))
        alone_weights.append([w.numpy() for w in separate.model.trainable_variables])
    return wide, runs, alone, wide_weights, alone_weights


def test_the_wide_network_gives_each_configuration_its_own_numbers(wide_and_separate):
    """To float32 rounding: every recorded number within a relative 1e-5 (an
    accuracy within one digit), every weight within 1e-5, after 2 epochs, with
    a diverging network beside them."""
    _, runs, alone, wide_weights, alone_weights = wide_and_separate
    for index in range(4):
        assert len(runs[index]) == len(alone[index]) == WIDE_GRID.epochs
        for together, apart in zip(runs[index], alone[index], strict=True):
            assert not together.diverged and not apart.diverged
            assert_same_numbers(together, apart)
        for w, v in zip(wide_weights[index], alone_weights[index], strict=True):
            assert np.max(np.abs(w - v)) <= 1e-5


def test_a_diverging_network_leaves_the_others_alone(wide_and_separate):
    """η = 1e30 diverges in its first epoch, as it does alone, and is recorded
    so; the networks beside it get their own numbers (to the tolerances of
    the test above)."""
    _, runs, alone, _, _ = wide_and_separate
    wild, wild_alone = runs[4], alone[4]
    assert len(wild) == len(wild_alone) == 1
    assert wild[0].diverged and wild_alone[0].diverged
    assert not math.isfinite(wild[0].train_loss)
    assert not math.isfinite(wild_alone[0].train_loss)
    for index in range(4):
        assert_same_numbers(runs[index][-1], alone[index][-1])


def test_after_diverging_a_network_is_updated_only_by_the_last_smaller_batch():
    """600 digits: 4 batches of 128 and one of 88. At η = 1e30 the loss of the
    second batch is no longer finite, so a separate run stops its loop there
    (2 updates) and then takes the smaller batch (3 in all, where a healthy
    run makes 5); the wide network's smaller batch updates every network."""
    split = split_data(Experiment.quick(train_size=600, validation_size=100))
    trainer = make_trainer(split, 128)
    optimizer = trainer._compiled(0.0)[0]
    [epoch] = trainer.train_run(1e30, 0.0, seed=0, epochs=1)
    assert epoch.diverged and int(optimizer.iterations) == 3
    trainer.train_run(1e-3, 0.0, seed=0, epochs=1)
    assert int(optimizer.iterations) == 5
    source = (REPOSITORY / "lab" / "training.py").read_text()
    last = source.split("if rest:  # the last, smaller batch, for every network")[1]
    assert "tf.ones(count, tf.bool)," in last.split("loss_sums, corrects =")[0]


def test_after_one_step_the_wide_network_differs_in_the_last_bits_at_most():
    """One batch: each weight of each network within 4 units in the last place
    of its array's largest weight, or equal. XLA compiles the wide network into
    another program than a separate run's, whose matrix products and fused
    loops may round differently; what training then does with such
    differences is the previous test's."""
    one_batch = Experiment.quick(
        learning_rates=(1e-2,),
        momenta=(0.0, 0.9),
        seeds=(1,),
        epochs=1,
        train_size=128,
        validation_size=120,
    )
    split = split_data(one_batch)
    train, validation = prepare(*split.train), prepare(*split.validation)
    configurations = [(1e-2, 0.0), (1e-2, 0.9)]
    wide = WideTrainer(train, validation, configurations, 128)
    wide.train_seed(1, 1)
    separate = make_trainer(split, 128)
    for c, (rate, momentum) in enumerate(configurations):
        separate.train_run(rate, momentum, 1, 1)
        mine = [
            wide.weights[0].numpy()[:, c * 512 : (c + 1) * 512],
            wide.weights[1].numpy()[c * 512 : (c + 1) * 512],
            wide.weights[2].numpy()[c],
            wide.weights[3].numpy()[c],
        ]
        for w, v in zip(mine, separate.model.trainable_variables, strict=True):
            v = v.numpy()
            last_place = np.spacing(np.max(np.abs(v)))
            assert np.max(np.abs(w - v)) <= 4 * last_place


def test_the_runs_of_one_seed_share_weights_and_batches(monkeypatch):
    """What lets one wide network train them: the same starting weights and the
    same batch order for every configuration of a seed."""
    trainer = make_trainer(split_data(SMALL), 128)
    starts, orders = [], []
    for rate, momentum in [(1e-3, 0.0), (1e-2, 0.9)]:
        trainer.reset(rate, momentum, seed=5)
        starts.append([w.numpy() for w in trainer.model.trainable_variables])
        with monkeypatch.context() as patch:
            recorded = []

            def epoch(order, recorded=recorded):
                recorded.append(order.numpy())
                return [1.0, 0.5, 1.0, 0.5]

            patch.setattr(trainer, "reset", lambda *args: epoch)
            trainer.train_run(rate, momentum, 5, 3)
        orders.append(recorded)
    for first, second in zip(*starts, strict=True):
        np.testing.assert_array_equal(first, second)
    for first, second in zip(*orders, strict=True):
        np.testing.assert_array_equal(first, second)
    assert not np.array_equal(orders[0][0], orders[0][1])  # a new order each epoch


def test_the_wide_network_is_one_product_wide(wide_and_separate):
    """In XLA's program of the wide epoch (5 networks): the first layer is one
    product, batch × 784 times 784 × (512·5); the second, one batched product."""
    wide = wide_and_separate[0]
    assert [tuple(w.shape) for w in wide.weights] == [
        (784, 512 * 5),
        (512 * 5,),
        (5, 512, 10),
        (5, 10),
    ]
    body = loop_body(wide._epoch)
    dots = re.findall(r"= f32\[([\d,]+)\]\S* dot\(", body)
    assert "128,2560" in dots  # the hidden layers of the 5 networks at once
    assert "5,128,10" in dots or "5,10,128" in dots  # the 5 second layers at once
    assert "784,2560" in dots  # the first layers' gradient, at once


def test_the_wide_benchmark_bound_is_twenty_networks(monkeypatch, capsys):
    """--wide: 20 times one network's matrix products, and the optimizer traffic
    of the 20 configurations (5 or 7 accesses per parameter, by momentum); the
    copy moves what one wide network's step moves."""
    import lab.training

    copies = []

    class Wide:
        def __init__(self, train, validation, configurations, batch_size):
            self.count = len(configurations)

        def warm_up(self):
            pass

    monkeypatch.setattr(lab.training, "WideTrainer", Wide)
    tiny_and_compiled(monkeypatch)
    monkeypatch.setattr(benchmark, "matmul_gflops", lambda: 100.0)
    monkeypatch.setattr(
        benchmark, "copy_bandwidth", lambda moved: copies.append(moved) or 10.0
    )
    monkeypatch.setattr(benchmark, "lab_seconds_per_step", lambda t, e: 0.002)
    monkeypatch.setattr(benchmark, "wide_seconds_per_step", lambda t, e: 0.05)
    argv = ["--rounds", "1", "--epochs", "1", "--no-reference", "--wide", "5"]
    assert benchmark.main(argv) == 0
    printed = lines_of(capsys.readouterr().out)
    model = build_model()
    experiment = TINY()
    momenta = [m for _ in experiment.learning_rates for m in experiment.momenta]
    assert len(momenta) == 20
    each = {m: optimizer_bytes(model, rmsprop(model, m)) for m in set(momenta)}
    moved = [each[m] for m in momenta]
    split = benchmark.split_data(experiment)
    train, validation = split.sizes()["train"], split.sizes()["validation"]
    steps = steps_per_epoch(train, 128)
    one = (
        train * training_flops_per_sample(model)
        + validation * forward_flops_per_sample(model)
    ) / steps
    bound = 1e3 * (20 * one / 100e9 + sum(moved) / 10e9)
    [line] = [v for k, v in printed.items() if k.startswith("wide networks")]
    assert line.startswith(
        "wide networks (20 configurations, 5 at a time): 50.000 ms per step "
        f"against a bound of {bound:.3f} ms"
    )
    groups = [sum(moved[i : i + 5]) for i in range(0, 20, 5)]
    assert copies == [optimizer_bytes(model, rmsprop(model, 0.9)), max(groups)]


def test_the_wide_timing_counts_every_epoch_when_the_first_network_diverges():
    """The first network diverges in its first epoch, so its run reports one
    epoch; the others go on, and the wide epochs' time is all of their time."""
    split = split_data(TINY())
    train, validation = prepare(*split.train), prepare(*split.validation)
    trainer = WideTrainer(train, validation, [(1e30, 0.0), (1e-3, 0.0)])
    runs = trainer.train_seed(0, epochs=3)
    assert len(runs[0]) == 1 and runs[0][0].diverged and len(runs[1]) == 3
    assert len(trainer.epoch_seconds) == 3
    steps = steps_per_epoch(trainer.train_size, trainer.batch_size)
    per_step = benchmark.wide_seconds_per_step([trainer], 3)
    assert per_step == pytest.approx(sum(trainer.epoch_seconds) / (3 * steps))


@pytest.mark.parametrize("value", ["0", "-2"])
def test_wide_needs_a_positive_count_or_none(value, capsys):
    """--wide alone means all at once; --wide N needs N ≥ 1, 0 included."""
    assert benchmark.make_parser().parse_args(["--wide"]).wide is benchmark.ALL_AT_ONCE
    assert benchmark.main(["--wide", value]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"benchmark.py: error: --wide N needs N ≥ 1 (or no N: all at once), got {value}"
    )


def test_the_wide_network_is_the_benchmarks_option_only():
    for name in ("sweep.py", "rmsprop_sweep.py", "store.py", "report.py"):
        assert "WideTrainer" not in (REPOSITORY / "lab" / name).read_text()
    assert "WideTrainer" in (REPOSITORY / "lab" / "benchmark.py").read_text()


def test_the_summary_takes_the_best_of_the_rounds(monkeypatch, capsys):
    """Rounds with different rates and times: the summary takes the best rate of
    each kind and the best time, and gives the median of the rounds' shares."""
    rates = iter([100.0, 50.0, 80.0])
    bandwidths = iter([10.0, 20.0, 5.0])
    times = iter([0.003, 0.002, 0.004])
    tiny_and_compiled(monkeypatch)
    monkeypatch.setattr(benchmark, "matmul_gflops", lambda: next(rates))
    monkeypatch.setattr(benchmark, "copy_bandwidth", lambda moved: next(bandwidths))
    monkeypatch.setattr(benchmark, "lab_seconds_per_step", lambda t, e: next(times))
    argv = ["--rounds", "3", "--epochs", "1", "--no-reference"]
    assert benchmark.main(argv) == 0
    printed = lines_of(capsys.readouterr().out)
    model = build_model()
    flops, samples = tiny_step(model)
    workload = (flops, optimizer_bytes(model, rmsprop(model, 0.9)), samples)
    best = Costs(0.002, workload, (100.0, 20.0))
    shares = [
        Costs(t, workload, machine).share
        for t, machine in zip(
            (0.003, 0.002, 0.004), ((100, 10), (50, 20), (80, 5)), strict=True
        )
    ]
    line = printed["lab training"]
    assert line.startswith(
        f"lab training: 2.000 ms per step against a bound of {best.bound_ms:.3f} ms"
    )
    assert line.endswith(
        f"(median of the rounds' shares: {sorted(shares)[1]:.2f}; "
        f"{samples / 0.002:,.0f} training samples/s)"
    )
    assert printed["machine, best of 3 rounds"].endswith(
        "(NumPy): 100 GFLOP/s; copy moving 11.4 MB: 20.0 GB/s"
    )
