"""How fast the lab trains, against what this machine's processor can do.

    python lab/benchmark.py              # 5 rounds, about a minute
    python lab/benchmark.py --rounds 10 --no-reference
    python lab/benchmark.py --output lab/results/benchmark.md   # the page's table
    python lab/benchmark.py --recount lab/results/benchmark.md  # see recount_table

Reports, from one process so that both see the same machine load:

- the lab's training throughput: samples per second of a sweep run (the
  default data and batch size, 5 epochs, lr 1e-3, momentum 0.9), timed over
  whole epochs (validation included), and in GFLOP/s, from the floating-point
  operations (FLOP) of the matrix products that the timed epochs do. The count
  comes from the model's layer shapes (``training_flops_per_sample``): for
  each Dense layer with an n × k kernel, 2·n·k FLOP (a multiply and an add per
  weight) for the forward pass, 2·n·k for the kernel's gradient, and 2·n·k for
  the gradient with respect to the layer's input, except for the first layer,
  whose input is the images: nothing asks for their gradient, so it is never
  computed. For the book's network that is 2·2·784·512 + 3·2·512·10 FLOP per
  training sample, plus 2·(784·512 + 512·10) per validation sample;
- the float32 matrix-product rate of NumPy on 2048 × 2048 matrices;
- their ratio, which says how much of the machine the lab uses;
- for reference (unless ``--no-reference``), the same training with plain
  ``model.compile`` + ``model.fit`` (no validation set, so only training FLOP).

Element-wise work (biases, relu, softmax, the loss, the optimizer's update) is
not counted. Each round measures the matrix product right before each training
measurement; the ratio is taken within a round, and the report gives the
median and the best round. On a machine shared with other jobs the numbers
move from round to round.
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script: import this clone's lab/, no other
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
MATMUL_SIZE = 2048


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


def epoch_flops(trainer) -> int:
    """What one timed epoch of the lab computes: training, then validation."""
    validation_size = int(trainer.val_images.shape[0])
    return trainer.train_size * training_flops_per_sample(
        trainer.model
    ) + validation_size * forward_flops_per_sample(trainer.model)


def lab_rates(trainer, epochs: int) -> tuple[float, float]:
    """Training samples per second and GFLOP/s of a run, over its timed epochs."""
    results = trainer.train_run(1e-3, 0.9, 0, epochs)
    seconds = sum(r.seconds for r in results)
    return epochs * trainer.train_size / seconds, epochs * epoch_flops(
        trainer
    ) / seconds / 1e9


def recount_table(text: str, model, train_size: int, validation_size: int) -> str:
    """A table measured with the old FLOP count, recounted without measuring again.

    The old count was 3 × the forward pass per training sample, for the lab and
    for model.fit alike (3 × 2 × (784·512 + 512·10) = 2.44 million for the book's
    network). The samples/s stay as measured; GFLOP/s are recomputed from them
    with the corrected count (the lab's also counts its validation samples, which
    its timed epochs include), and each ratio, a median of per-round ratios that
    all scale by the same factor, is scaled by it and rounded to one decimal.
    """
    old = 3 * forward_flops_per_sample(model)
    training = training_flops_per_sample(model)
    lab = training + forward_flops_per_sample(model) * validation_size / train_size
    per_sample = {"lab training": lab, "plain model.fit": training}
    lines = []
    for line in text.rstrip("\n").split("\n"):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in per_sample:
            name, rate, _, ratio = cells
            count = per_sample[name]
            gflops = int(rate.replace(",", "")) * count / 1e9
            line = (
                f"| {name} | {rate} | {gflops:.0f} | {float(ratio) * count / old:.1f} |"
            )
        elif line.startswith("Medians over"):
            if "Recounted" in line:
                raise ValueError("this table has been recounted already")
            line = line.split(" GFLOP/s count")[0] + (
                " Recounted without measuring again (`python lab/benchmark.py "
                "--recount`): the samples/s are as measured; the GFLOP/s are "
                "recomputed from them with the corrected count of the matrix "
                f"products, {training / 1e6:.2f} million operations per training "
                f"sample, plus for the lab {forward_flops_per_sample(model) / 1e6:.2f}"
                f" million per validation sample ({validation_size:,} for every "
                f"{train_size:,} training samples); each ratio is the measured "
                "median ratio scaled by the same correction, to one decimal."
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def reference_samples_per_second(split, epochs: int, batch_size: int) -> float:
    """Plain Keras, as the first network is usually trained."""
    import keras

    from lab.training import build_model

    images, labels = split.train
    flat = images.reshape(len(images), -1).astype("float32") / 255
    keras.utils.set_random_seed(0)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3, momentum=0.9),
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


def benchmark(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default: 5)")
    parser.add_argument(
        "--epochs", type=int, default=5, help="epochs per run (default: 5)"
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the plain model.fit reference"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="also write the results as Markdown"
    )
    parser.add_argument(
        "--recount",
        type=Path,
        default=None,
        help="rewrite a table measured with the old FLOP count, measuring nothing",
    )
    args = parser.parse_args(argv)
    if args.output is not None:
        writable(args.output)  # before measuring for a minute, not after
    if args.recount:
        text = args.recount.read_text()
        writable(args.recount)
        with tensorflow_loading():
            from lab.training import build_model

        sizes = split_data(Experiment()).sizes()
        try:
            recounted = recount_table(
                text, build_model(), sizes["train"], sizes["validation"]
            )
        except ValueError as error:
            raise SweepError(f"{args.recount}: {error}") from None
        write_atomically(args.recount, recounted)
        print(f"wrote {args.recount}")
        return 0
    if args.rounds < 1 or args.epochs < 1:
        raise SweepError("--rounds and --epochs must be at least 1")

    with tensorflow_loading():  # TensorFlow takes seconds: only when measuring
        from lab.training import Trainer, make_deterministic, prepare

    experiment = Experiment()
    split = split_data(experiment)
    make_deterministic()
    trainer = Trainer(
        prepare(*split.train), prepare(*split.validation), experiment.batch_size
    )
    trainer.warm_up(0.9)
    per_sample = training_flops_per_sample(trainer.model)
    print(
        f"lab: {trainer.train_size} training samples, batch {experiment.batch_size}, "
        f"{args.epochs} epochs; {per_sample / 1e6:.2f} MFLOP per training sample, "
        f"{epoch_flops(trainer) / 1e9:.2f} GFLOP per epoch with validation"
    )
    measured = {"lab": [], "reference": []}
    for round_number in range(1, args.rounds + 1):
        line = [f"round {round_number}:"]
        kinds = ["lab"] if args.no_reference else ["lab", "reference"]
        for kind in kinds:
            machine = matmul_gflops()
            if kind == "lab":
                rate, flops = lab_rates(trainer, args.epochs)
            else:
                rate = reference_samples_per_second(
                    split, args.epochs, experiment.batch_size
                )
                flops = rate * per_sample / 1e9
            measured[kind].append((rate, flops, machine))
            line.append(
                f"{kind} {rate:,.0f} samples/s = {flops:.0f} GFLOP/s "
                f"vs matmul {machine:.0f} GFLOP/s (ratio {flops / machine:.2f})"
            )
        print("  ".join(line), flush=True)

    machine = statistics.median(m for kind in measured.values() for *_, m in kind)
    print(
        f"float32 matmul {MATMUL_SIZE}² (NumPy), median over rounds: "
        f"{machine:.0f} GFLOP/s"
    )
    table = [
        "| workload | samples/s | GFLOP/s | ratio to the matrix product |",
        "|---|---:|---:|---:|",
        f"| float32 matrix product {MATMUL_SIZE} × {MATMUL_SIZE} (NumPy) "
        f"| | {machine:.0f} | 1 |",
    ]
    for kind, name in (("lab", "lab training"), ("reference", "plain model.fit")):
        if not measured[kind]:
            continue
        ratios = [flops / machine for _, flops, machine in measured[kind]]
        rate = statistics.median(rate for rate, _, _ in measured[kind])
        flops = statistics.median(flops for _, flops, _ in measured[kind])
        print(
            f"{name}: median {rate:,.0f} samples/s = {flops:.0f} GFLOP/s; "
            f"ratio to matmul: median {statistics.median(ratios):.2f}, "
            f"best {max(ratios):.2f}"
        )
        table.append(
            f"| {name} | {rate:,.0f} | {flops:.0f} | {statistics.median(ratios):.2f} |"
        )
    if args.output:
        caption = (
            f"Medians over {args.rounds} rounds of `python lab/benchmark.py` on "
            f"{cpu_name()} ({os.cpu_count()} cores, shared with other jobs); "
            "each ratio is taken within a round. GFLOP/s count the matrix products "
            f"only: {per_sample / 1e6:.2f} million operations per training sample, "
            f"and for the lab {forward_flops_per_sample(trainer.model) / 1e6:.2f} "
            "million per validation sample."
        )
        write_atomically(args.output, "\n".join(table) + "\n\n" + caption + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    quiet_tensorflow()
    sys.exit(main())
