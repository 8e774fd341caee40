"""How fast the lab trains, against what this machine's processor can do.

    python lab/benchmark.py              # 5 rounds, about a minute
    python lab/benchmark.py --rounds 10 --no-reference
    python lab/benchmark.py --output lab/results/benchmark.md   # the page's table

Reports, from one process so that both see the same machine load:

- the lab's training throughput: samples per second of a sweep run (the
  default data and batch size, 5 epochs, lr 1e-3, momentum 0.9), timed over
  whole epochs (validation included), and in GFLOP/s from the model's FLOP
  count, 3 × 2 × (784·512 + 512·10) per training sample (forward pass, plus
  twice that for the backward pass);
- the float32 matrix-product rate of NumPy on 2048 × 2048 matrices;
- their ratio, which says how much of the machine the lab uses;
- for reference (unless ``--no-reference``), the same training with plain
  ``model.compile`` + ``model.fit``.

Each round measures the matrix product right before each training
measurement; the ratio is taken within a round, and the report gives the
median and the best round. On a machine shared with other jobs the numbers
move by tens of percent from round to round: the ratio moves less.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from lab.rmsprop_sweep import Experiment, cpu_name, split_data

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


def lab_samples_per_second(trainer, epochs: int) -> float:
    results = trainer.train_run(1e-3, 0.9, 0, epochs)
    return epochs * trainer.train_size / sum(r.seconds for r in results)


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


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.epochs < 1:
        print(
            "benchmark.py: error: --rounds and --epochs must be at least 1",
            file=sys.stderr,
        )
        return 2

    from lab.training import (
        TRAINING_FLOPS_PER_SAMPLE,
        Trainer,
        make_deterministic,
        prepare,
    )

    experiment = Experiment()
    split = split_data(experiment)
    make_deterministic()
    trainer = Trainer(
        prepare(*split.train), prepare(*split.validation), experiment.batch_size
    )
    trainer.warm_up(0.9)
    gflops = TRAINING_FLOPS_PER_SAMPLE / 1e9
    print(
        f"lab: {trainer.train_size} training samples, batch {experiment.batch_size}, "
        f"{args.epochs} epochs; {TRAINING_FLOPS_PER_SAMPLE / 1e6:.2f} MFLOP per sample"
    )
    measured = {"lab": [], "reference": []}
    for round_number in range(1, args.rounds + 1):
        line = [f"round {round_number}:"]
        kinds = ["lab"] if args.no_reference else ["lab", "reference"]
        for kind in kinds:
            machine = matmul_gflops()
            if kind == "lab":
                rate = lab_samples_per_second(trainer, args.epochs)
            else:
                rate = reference_samples_per_second(
                    split, args.epochs, experiment.batch_size
                )
            measured[kind].append((rate, rate * gflops, machine))
            line.append(
                f"{kind} {rate:,.0f} samples/s = {rate * gflops:.0f} GFLOP/s "
                f"vs matmul {machine:.0f} GFLOP/s (ratio {rate * gflops / machine:.2f})"
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
        print(
            f"{name}: median {rate:,.0f} samples/s = {rate * gflops:.0f} GFLOP/s; "
            f"ratio to matmul: median {statistics.median(ratios):.2f}, "
            f"best {max(ratios):.2f}"
        )
        table.append(
            f"| {name} | {rate:,.0f} | {rate * gflops:.0f} "
            f"| {statistics.median(ratios):.2f} |"
        )
    if args.output:
        caption = (
            f"Medians over {args.rounds} rounds of `python lab/benchmark.py` on "
            f"{cpu_name()} ({os.cpu_count()} cores, shared with other jobs); "
            "each ratio is taken within a round. GFLOP/s count "
            f"{TRAINING_FLOPS_PER_SAMPLE / 1e6:.2f} million operations per training "
            "sample."
        )
        args.output.write_text("\n".join(table) + "\n\n" + caption + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
