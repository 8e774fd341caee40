"""How fast the lab trains, against a bound built from this machine's measured rates.

    python lab/benchmark.py              # 5 rounds, about a minute
    python lab/benchmark.py --rounds 10 --no-reference
    python lab/benchmark.py --wide       # also the 20 configurations as one network
    python lab/benchmark.py --machine    # only NumPy's BLAS: kernel, GFLOP/s
    python lab/benchmark.py --output FILE                       # also a table

What one training step costs is counted from the model, not typed in:

- the floating-point operations (FLOP) of its matrix products
  (``training_flops_per_sample``): for each Dense layer with an n × k kernel,
  2·n·k per sample for the forward pass (a multiply and an add per weight),
  2·n·k for the kernel's gradient, and 2·n·k for the gradient with respect to
  the layer's input, except for the first layer, whose input is the images:
  nothing asks for their gradient, so it is never computed. For the book's
  network that is 2·2·784·512 + 3·2·512·10 FLOP per training sample, and
  2·(784·512 + 512·10) per validation sample (forward only);
- the bytes the optimizer's update reads and writes (``optimizer_bytes``).
  Keras's RMSprop (``update_step`` in keras/src/optimizers/rmsprop.py) reads
  each parameter's gradient, its velocity (the running mean of squared
  gradients) and the weight, and writes the velocity and the weight; with a
  momentum above 0 it also reads and writes the momentum slot. Counted from
  the optimizer's own slot variables, each array read once and each changed
  one written once, the least an update that stores the gradient needs: 5
  float32 accesses (20 bytes) per
  parameter without momentum, 7 (28 bytes) with. (XLA's compiled step moves
  more: its loops over the first layer's kernel make 7 and 10 accesses.)

What the machine can do is measured in the same process, right before each
training measurement: NumPy's float32 matrix product of two 2048 × 2048
matrices (with every thread NumPy's BLAS uses), and the bandwidth of a NumPy
copy that moves as many bytes (read plus written) as one optimizer step,
split over the threads this process may use and repeated until its time is
the copying's, not the waking of the threads.

The **bound** is the time a step would take if its matrix products ran at
NumPy's rate and its optimizer's least traffic at the copy's bandwidth, one
after the other, and nothing else took any time: matrix FLOP / matmul rate +
optimizer bytes / bandwidth. The benchmark reports the lab's time per step (an
epoch's time, validation included, over its steps), the share of the bound's
speed it reaches (the bound over that time; 1 would mean the lab runs at the
bound), and the FLOP ratio: the counted matrix FLOP per second of the whole
step, over NumPy's rate. The bound leaves out all element-wise arithmetic
(biases, relu, softmax, the loss, the optimizer's own), the reductions,
gathering each batch, and the memory traffic of the matrix products themselves,
so a complete count could only make it longer; a step can beat it only by
running its matrix products faster than NumPy's large one, its traffic faster
than the copy, by overlapping the two, or by never storing the gradient.

A second figure, the own-shapes time, takes the lab's own matrix products
instead of the large one: NumPy computes every product of a timed epoch, each
batch's at its shape (at most 128 rows) and the validation set's, on row-major
operands made once and reused (so they can stay in the cache); that time per
step, plus the optimizer's traffic at the copy's bandwidth, is how long a step
would take if its products took as long as NumPy's do and nothing else took any
time. It is not a strict bound: XLA computes the products with its own
routines, some on transposed operands, which can be faster or slower than
NumPy's. What separates the lab from it is everything else a step does (its
element-wise loops and reductions, gathering each batch, the passes over memory
beyond the least count, the call of each epoch), any difference between its
optimizer traffic's speed and the copy's, and any difference between its
products' time and NumPy's.

``--wide`` also trains the default grid's 20 configurations of seed 0 as wide
networks (``WideTrainer`` in lab/training.py) and measures them against the
matrix products of 20 networks and the sum of their least optimizer traffic.
Shares of bounds with different copies (in cache or not) are not comparable:
compare samples/s.

OPENBLAS_CORETYPE, if set, makes NumPy's OpenBLAS use the kernel it names
rather than the one made for this processor. Run as a script, the benchmark
removes it from its own environment before NumPy loads, and reports whether it
was set and which kernel ran (through threadpoolctl if it is installed, else
NumPy's build configuration and OpenBLAS's own report).
"""

import argparse
import ctypes
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script: import this clone's lab/, no other
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    # OpenBLAS reads OPENBLAS_CORETYPE once, when NumPy loads it: without it, it
    # runs the kernel made for this processor. What was removed is kept aside.
    if "OPENBLAS_CORETYPE" in os.environ and "numpy" not in sys.modules:
        os.environ["BENCHMARK_REMOVED_OPENBLAS_CORETYPE"] = os.environ.pop(
            "OPENBLAS_CORETYPE"
        )

import numpy as np

from lab.config import (
    Experiment,
    SweepError,
    quiet_tensorflow,
    tensorflow_loading,
)
from lab.data import split_data
from lab.mnist_data import MnistDataError
from lab.store import write_atomically
from lab.sweep import cpu_name

PROG = "benchmark.py"
CORETYPE = "OPENBLAS_CORETYPE"
MATMUL_SIZE = 2048
LEARNING_RATE, MOMENTUM = 1e-3, 0.9  # the benchmark's run, with seed 0
FLOAT32_BYTES = 4
ALL_AT_ONCE = math.inf  # --wide with no N (argparse would convert a string)


# --- what one step costs, counted from the model ---------------------------------


def kernel_sizes(model) -> list[int]:
    """The number of weights of each layer's kernel (n × k for n inputs, k units)."""
    return [math.prod(layer.kernel.shape) for layer in model.layers]


def forward_flops_per_sample(model) -> int:
    """A multiply and an add per kernel weight: the forward pass's matrix products."""
    return sum(2 * size for size in kernel_sizes(model))


def training_flops_per_sample(model) -> int:
    """The matrix-product FLOP of one training sample: forward and backward passes.

    Backward, each layer's kernel gradient costs as much as its forward product,
    and so does the gradient with respect to its input, which the layer below
    needs; the first layer's input is the data, whose gradient nobody asks for.
    """
    sizes = kernel_sizes(model)
    return 2 * sum(2 * size for size in sizes) + sum(2 * size for size in sizes[1:])


def parameter_count(model) -> int:
    return sum(math.prod(weight.shape) for weight in model.trainable_variables)


def rmsprop(model, momentum: float):
    """Keras's RMSprop for this model, built: its slot variables exist."""
    import keras

    optimizer = keras.optimizers.RMSprop(learning_rate=1e-3, momentum=momentum)
    optimizer.build(model.trainable_variables)
    return optimizer


def optimizer_bytes(model, optimizer) -> int:
    """Bytes one update reads and writes, each array once: the gradient (read),
    the weight (read, written) and each of the optimizer's slots (read, written).

    The slots are the optimizer's variables with at least one axis (its step
    count and learning rate are single numbers): for RMSprop, a velocity per
    weight, and a momentum per weight when momentum > 0.
    """
    weights = parameter_count(model)
    slots = sum(
        math.prod(variable.shape)
        for variable in optimizer.variables
        if len(variable.shape) > 0
    )
    return FLOAT32_BYTES * (3 * weights + 2 * slots)


def steps_per_epoch(train_size: int, batch_size: int) -> int:
    return math.ceil(train_size / batch_size)


def step_products(model, rows: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The matrix products of a training step on ``rows`` samples, as (left
    shape, right shape): per Dense layer with an n × k kernel, the forward
    product (rows × n)(n × k), the kernel's gradient (n × rows)(rows × k) and,
    above the first layer, the gradient of its input (rows × k)(k × n)."""
    products = []
    for index, layer in enumerate(model.layers):
        n, k = layer.kernel.shape
        products += [((rows, n), (n, k)), ((n, rows), (rows, k))]
        if index:
            products.append(((rows, k), (k, n)))
    return products


def epoch_products(trainer) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Every matrix product of one timed epoch of the lab: each batch's (the
    last one smaller), then the validation set's forward pass in one batch."""
    model, batch, size = trainer.model, trainer.batch_size, trainer.train_size
    full, rest = divmod(size, batch)
    products = full * step_products(model, batch)
    if rest:
        products += step_products(model, rest)
    validation = int(trainer.val_images.shape[0])
    return products + [
        ((validation, layer.kernel.shape[0]), tuple(layer.kernel.shape))
        for layer in model.layers
    ]


def products_flops(products) -> int:
    return sum(2 * m * n * right[1] for (m, n), right in products)


def numpy_products_seconds(products, repeats: int = 3) -> float:
    """The best time NumPy's BLAS takes to compute ``products`` one after the
    other, on float32 operands made beforehand, each stored row by row."""
    rng = np.random.default_rng(0)
    operands = {}
    for shapes in set(products):
        operands[shapes] = [rng.random(shape, dtype=np.float32) for shape in shapes]
    pairs = [operands[shapes] for shapes in products]
    best = float("inf")
    for _ in range(repeats + 1):  # the first warms the library and the caches up
        start = time.perf_counter()
        for left, right in pairs:
            left @ right
        best = min(best, time.perf_counter() - start)
    return best


def epoch_flops(trainer) -> int:
    """What one timed epoch of the lab computes: training, then validation."""
    return products_flops(epoch_products(trainer))


# --- what the machine can do, measured -------------------------------------------


def matmul_gflops(repeats: int = 3) -> float:
    """The best float32 rate of NumPy's matrix product over ``repeats`` tries."""
    rng = np.random.default_rng(0)
    a = rng.random((MATMUL_SIZE, MATMUL_SIZE), dtype=np.float32)
    b = rng.random((MATMUL_SIZE, MATMUL_SIZE), dtype=np.float32)
    a @ b  # warm the library up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * MATMUL_SIZE**3 / best / 1e9


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


COPY_BYTES_PER_TRY = 1_000_000_000  # a try moves about this much: milliseconds


def copy_bandwidth(moved_bytes: int, repeats: int = 10) -> float:
    """GB/s of a NumPy float32 copy that reads and writes ``moved_bytes`` in all,
    split over the threads this process may use (NumPy lets go of the GIL while
    it copies); the best of ``repeats`` tries, after one to warm the caches up.

    Waking the threads for a try takes about as long as one in-cache copy of a
    step's bytes, so each try repeats the copy until about COPY_BYTES_PER_TRY
    bytes have moved, and the waking is a small part of its time."""
    threads = usable_cores()
    length = max(threads, moved_bytes // 2 // FLOAT32_BYTES)
    copies = max(1, COPY_BYTES_PER_TRY // (2 * length * FLOAT32_BYTES))
    source = np.ones(length, dtype=np.float32)
    target = np.zeros_like(source)
    parts = list(
        zip(
            np.array_split(source, threads),
            np.array_split(target, threads),
            strict=True,
        )
    )
    gate = threading.Barrier(threads + 1)
    stop = False

    def copier(src, dst):
        while True:
            gate.wait()  # start together
            if stop:
                return
            for _ in range(copies):
                np.copyto(dst, src)
            gate.wait()  # end together

    workers = [threading.Thread(target=copier, args=part) for part in parts]
    for worker in workers:
        worker.start()
    best = float("inf")
    try:
        for attempt in range(repeats + 1):
            start = time.perf_counter()
            gate.wait()
            gate.wait()
            if attempt:
                best = min(best, time.perf_counter() - start)
    finally:
        stop = True
        gate.wait()
        for worker in workers:
            worker.join()
    return 2 * source.nbytes * copies / best / 1e9


def _openblas_report() -> tuple[str | None, int | None]:
    """The kernel name and thread count OpenBLAS reports, from the library loaded
    in this process, as threadpoolctl asks for them; (None, None) if none is."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None, None
    paths = sorted(
        {
            line.split()[-1]
            for line in maps.splitlines()
            if "openblas" in line.lower() and line.split()[-1].startswith("/")
        }
    )
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        found = {}
        for what in ("get_corename", "get_num_threads"):
            for prefix in ("", "scipy_"):
                for suffix in ("", "64_", "_64"):
                    function = getattr(
                        library, f"{prefix}openblas_{what}{suffix}", None
                    )
                    if function is not None and what not in found:
                        found[what] = function
        if "get_corename" in found:
            found["get_corename"].restype = ctypes.c_char_p
            name = found["get_corename"]().decode()
            threads = found["get_num_threads"]() if "get_num_threads" in found else None
            return name, threads
    return None, None


def blas_kernel() -> str:
    """Which BLAS NumPy uses and which of its kernels runs, in words."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return (
                    f"{info.get('internal_api')} {info.get('version')}, kernel "
                    f"{info.get('architecture')}, {info.get('num_threads')} threads "
                    "(threadpoolctl)"
                )
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    words = f"{blas.get('name')} {blas.get('version')}"
    kernel, threads = _openblas_report()
    if kernel is not None:
        words += f", kernel {kernel}, {threads} threads"
    return words + " (NumPy's build configuration and OpenBLAS's report)"


def coretype_words() -> str:
    """Whether OPENBLAS_CORETYPE chose NumPy's BLAS kernel, in words."""
    removed = os.environ.get(f"BENCHMARK_REMOVED_{CORETYPE}")
    if removed is not None:
        return f"{CORETYPE}={removed} was set: removed before NumPy loaded"
    if (value := os.environ.get(CORETYPE)) is not None:
        return f"{CORETYPE}={value} is set and applies (NumPy was loaded already)"
    return f"{CORETYPE} not set"


def machine_words() -> str:
    return (
        f"machine: {cpu_name()}, {usable_cores()} logical CPUs usable; NumPy's BLAS: "
        f"{blas_kernel()}; {coretype_words()}"
    )


# --- the measurements -------------------------------------------------------------


class Costs:
    """What a step of a workload costs and how long it took: ms, bound, ratios."""

    def __init__(self, seconds_per_step, workload, machine):
        flops_per_step, bytes_per_step, samples_per_step = workload
        matmul, bandwidth = machine  # GFLOP/s, GB/s
        self.step_ms = 1e3 * seconds_per_step
        self.samples_per_second = samples_per_step / seconds_per_step
        self.matrix_ms = 1e3 * flops_per_step / (matmul * 1e9)
        self.optimizer_ms = 1e3 * bytes_per_step / (bandwidth * 1e9)
        self.bound_ms = self.matrix_ms + self.optimizer_ms
        self.share = self.bound_ms / self.step_ms
        self.gflops = flops_per_step / seconds_per_step / 1e9
        self.flop_ratio = self.gflops / matmul


def lab_seconds_per_step(trainer, epochs: int) -> float:
    """A run's timed epochs (validation included), per training step."""
    results = trainer.train_run(LEARNING_RATE, MOMENTUM, 0, epochs)
    steps = steps_per_epoch(trainer.train_size, trainer.batch_size)
    return sum(r.seconds for r in results) / (epochs * steps)


def wide_seconds_per_step(trainers, epochs: int) -> float:
    """Seed 0 of every configuration, trained as wide networks: the timed
    epochs (validation included) per step of all the configurations."""
    seconds = 0.0
    for trainer in trainers:
        trainer.train_seed(0, epochs)
        seconds += sum(trainer.epoch_seconds)
    steps = steps_per_epoch(trainers[0].train_size, trainers[0].batch_size)
    return seconds / (epochs * steps)


def reference_samples_per_second(split, epochs: int, batch_size: int) -> float:
    """Plain Keras, as the first network is usually trained."""
    import keras

    from lab.training import build_model

    images, labels = split.train
    flat = images.reshape(len(images), -1).astype("float32") / 255
    keras.utils.set_random_seed(0)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(LEARNING_RATE, momentum=MOMENTUM),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(flat, labels, batch_size=batch_size, epochs=1, verbose=0)  # compile
    start = time.perf_counter()
    model.fit(flat, labels, batch_size=batch_size, epochs=epochs, verbose=0)
    return epochs * len(labels) / (time.perf_counter() - start)


def writable(path: Path) -> Path:
    """``path``, once sure that a file can be written there; else SweepError."""
    if path.is_dir():
        raise SweepError(f"{path} is a folder: give the path of a file")
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise SweepError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def main(argv: list[str] | None = None) -> int:
    try:
        return benchmark(argv)
    except (SweepError, MnistDataError) as error:
        message = str(error)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        message = f"{where}{error.strerror or error}"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default: 5)")
    parser.add_argument(
        "--epochs", type=int, default=5, help="epochs per run (default: 5)"
    )
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the plain model.fit run, the reference for how Keras trains",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="also write the results as Markdown"
    )
    parser.add_argument(
        "--wide",
        type=int,
        nargs="?",
        const=ALL_AT_ONCE,
        default=None,
        metavar="N",
        help="also train the default grid's configurations of one seed as wide "
        "networks (lab/training.py WideTrainer), N at a time (default: all at once)",
    )
    parser.add_argument(
        "--machine",
        action="store_true",
        help="only describe NumPy's BLAS and measure its matrix product "
        "(no TensorFlow, a second)",
    )
    return parser


def benchmark(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = make_parser().parse_args(words)
    args.command = " ".join(["python lab/benchmark.py", *words])
    args.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.output is not None:
        writable(args.output)  # before measuring for a minute, not after
    if args.rounds < 1 or args.epochs < 1:
        raise SweepError("--rounds and --epochs must be at least 1")
    if args.wide not in (None, ALL_AT_ONCE) and args.wide < 1:
        raise SweepError(
            f"--wide N needs N ≥ 1 (or no N: all at once), got {args.wide}"
        )
    if args.machine:
        print(machine_words())
        print(f"float32 matmul {MATMUL_SIZE}² (NumPy): {matmul_gflops():.0f} GFLOP/s")
        return 0

    with tensorflow_loading():  # TensorFlow takes seconds: only when measuring
        from lab.training import Trainer, WideTrainer, make_deterministic, prepare

    experiment = Experiment.quick()  # the bundled digits: nothing to fetch
    split = split_data(experiment)
    make_deterministic()
    trainer = Trainer(
        prepare(*split.train), prepare(*split.validation), experiment.batch_size
    )
    trainer.warm_up(MOMENTUM)
    model, batch = trainer.model, experiment.batch_size
    steps = steps_per_epoch(trainer.train_size, batch)
    traffic = optimizer_bytes(model, rmsprop(model, MOMENTUM))
    samples = trainer.train_size / steps  # per step: the last batch is smaller
    # per step: matrix FLOP, optimizer bytes, training samples
    workloads = {"lab": (epoch_flops(trainer) / steps, traffic, samples)}
    copy_sizes = {"lab": traffic}  # the copy moves what one step's update moves
    if not args.no_reference:
        workloads["reference"] = (
            training_flops_per_sample(model) * samples,
            traffic,
            samples,
        )
        copy_sizes["reference"] = traffic
    if args.wide is not None:
        configurations = [
            (rate, momentum)
            for rate in experiment.learning_rates
            for momentum in experiment.momenta
        ]
        size = len(configurations) if args.wide is ALL_AT_ONCE else args.wide
        groups = [
            configurations[i : i + size] for i in range(0, len(configurations), size)
        ]
        train = (trainer.train_images, trainer.train_labels)
        validation = (trainer.val_images, trainer.val_labels)
        wide = [WideTrainer(train, validation, group, batch) for group in groups]
        for network in wide:
            network.warm_up()
        moved = {
            m: optimizer_bytes(model, rmsprop(model, m)) for m in experiment.momenta
        }
        workloads["wide"] = (
            len(configurations) * workloads["lab"][0],
            sum(moved[m] for _, m in configurations),
            len(configurations) * samples,
        )
        copy_sizes["wide"] = max(sum(moved[m] for _, m in group) for group in groups)
    print(machine_words())
    print(
        f"model: {parameter_count(model):,} parameters; "
        f"{training_flops_per_sample(model) / 1e6:.2f} MFLOP of matrix products per "
        f"training sample, {forward_flops_per_sample(model) / 1e6:.2f} per validation "
        f"sample; RMSprop with momentum {MOMENTUM}, reading a stored gradient, "
        "moves at least "
        f"{traffic / parameter_count(model):.0f} bytes per parameter per step "
        f"({traffic / 1e6:.1f} MB)"
    )
    print(
        f"lab: {trainer.train_size} training samples, batch {batch}, {steps} steps "
        f"per epoch, {args.epochs} epochs per round; a step's share of the epoch: "
        f"{workloads['lab'][0] / 1e6:.0f} MFLOP (validation included), "
        f"{traffic / 1e6:.1f} MB of optimizer traffic"
    )
    measured = {kind: [] for kind in workloads}
    machines = {kind: [] for kind in workloads}
    products = epoch_products(trainer)
    own_shapes = []  # NumPy's time for the lab's products, per step
    short_names = {"lab": "lab", "reference": "model.fit", "wide": "wide"}
    for round_number in range(1, args.rounds + 1):
        words = [f"round {round_number}:"]
        for kind, workload in workloads.items():
            machine = (matmul_gflops(), copy_bandwidth(copy_sizes[kind]))
            machines[kind].append(machine)
            if kind == "lab":
                seconds = lab_seconds_per_step(trainer, args.epochs)
                own_shapes.append(numpy_products_seconds(products) / steps)
            elif kind == "wide":
                seconds = wide_seconds_per_step(wide, args.epochs)
            else:
                rate = reference_samples_per_second(split, args.epochs, batch)
                seconds = samples / rate
            costs = Costs(seconds, workload, machine)
            measured[kind].append(costs)
            words.append(
                f"{short_names[kind]} {costs.step_ms:.3f} ms/step, "
                f"bound {costs.bound_ms:.3f} ms "
                f"(matmul {machine[0]:.0f} GFLOP/s, copy {machine[1]:.1f} GB/s): "
                f"{costs.share:.2f} of the bound's speed"
            )
        print("  ".join(words), flush=True)

    rounds = f"{args.rounds} round" + ("s" if args.rounds > 1 else "")
    # Other jobs only ever slow a measurement down: the summary takes the best
    # rate of the machine and the best time of each workload over the rounds.
    matmul = max(m for kind in machines.values() for m, _ in kind)
    bandwidths = {
        moved: max(
            b
            for kind in machines
            if copy_sizes[kind] == moved
            for _, b in machines[kind]
        )
        for moved in sorted(set(copy_sizes.values()))
    }
    copies = "; ".join(
        f"copy moving {moved / 1e6:.1f} MB: {rate:.1f} GB/s"
        for moved, rate in bandwidths.items()
    )
    print(
        f"machine, best of {rounds}: float32 matmul {MATMUL_SIZE}² "
        f"(NumPy): {matmul:.0f} GFLOP/s; {copies}"
    )
    names = {"lab": "lab training", "reference": "plain model.fit"}
    if args.wide is not None:
        names["wide"] = (
            f"wide networks ({len(configurations)} configurations, {size} at a time)"
        )
    rows = []
    for kind, costs in measured.items():
        fastest = min(c.step_ms for c in costs) / 1e3
        best = Costs(fastest, workloads[kind], (matmul, bandwidths[copy_sizes[kind]]))
        rows.append((names[kind], best))
        print(
            f"{names[kind]}: {best.step_ms:.3f} ms per step against a bound of "
            f"{best.bound_ms:.3f} ms ({best.matrix_ms:.3f} ms of matrix products "
            f"+ {best.optimizer_ms:.3f} ms of optimizer traffic): "
            f"{best.share:.2f} of the bound's speed; FLOP ratio {best.flop_ratio:.2f} "
            f"({best.gflops:.0f} GFLOP/s of matrix products); the best time of "
            f"{rounds} against the best rates (median of the rounds' shares: "
            f"{statistics.median(c.share for c in costs):.2f}; "
            f"{best.samples_per_second:,.0f} training samples/s)"
        )
        if kind == "lab":
            own_ms = 1e3 * min(own_shapes)
            own_rate = workloads[kind][0] / min(own_shapes) / 1e9
            own_bound = own_ms + best.optimizer_ms
            own_words = (
                f"the lab's matrix products alone, in NumPy at their own shapes: "
                f"{own_ms:.3f} ms per step ({own_rate:.0f} GFLOP/s, "
                f"{own_rate / matmul:.2f} of the {MATMUL_SIZE}² rate); with the "
                "optimizer's least traffic at the copy's bandwidth, an own-shapes "
                "time of "
                f"{own_bound:.3f} ms, {own_bound / best.step_ms:.2f} of the lab's "
                "time per step"
            )
            print(own_words)
    if args.output:
        write_table(args.output, args, rows, (matmul, copies), batch, own_words)
        print(f"wrote {args.output}")
    return 0


def write_table(path, args, rows, machine, batch, own_words) -> None:
    matmul, copies = machine
    load = "" if args.load is None else f", load average {args.load:.1f} at the start"
    table = [
        "| workload | samples/s | GFLOP/s | FLOP ratio | ms per step "
        "| bound, ms per step | share of the bound's speed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in rows:
        table.append(
            f"| {name} | {m.samples_per_second:,.0f} | {m.gflops:.0f} "
            f"| {m.flop_ratio:.2f} "
            f"| {m.step_ms:.3f} | {m.bound_ms:.3f} | {m.share:.2f} |"
        )
    wide = args.wide is not None
    rounds = f"{args.rounds} round" + ("s" if args.rounds > 1 else "")
    run = f"learning rate {LEARNING_RATE:g}, momentum {MOMENTUM}, seed 0"
    step = f"an epoch's training samples over its steps, batches of at most {batch}"
    validation = "for the lab, with the share of the validation pass"
    if wide:
        run += "; the wide networks' samples count each digit once per network"
        step += ", for all the networks of a wide network at once"
        validation = validation.replace("the lab", "the lab and the wide networks")
    if not args.no_reference:
        validation += "; plain model.fit has none"
    caption = (
        f"Each workload's best time over {rounds} of `{args.command}`, against the "
        f"best rates measured, on {cpu_name()} ({usable_cores()} logical CPUs "
        f"usable{load}); NumPy's BLAS: {blas_kernel()}; {coretype_words()}. "
        f"Machine: float32 matrix product of two {MATMUL_SIZE} × {MATMUL_SIZE} "
        f"matrices: {matmul:.0f} GFLOP/s; {copies}. The lab's run: {run}. The "
        "bound is matrix FLOP / matmul rate + least optimizer bytes / copy "
        f"bandwidth, per step ({step}; {validation})."
    )
    if wide:
        caption += (
            " Shares of bounds with different copies are not comparable: compare "
            "samples/s."
        )
    caption += f" Best of the rounds, {own_words}."
    write_atomically(path, "\n".join(table) + "\n\n" + caption + "\n")


if __name__ == "__main__":
    quiet_tensorflow()
    sys.exit(main())
