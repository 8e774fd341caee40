"""Train the chapter's first network with several seeds and report the spread.

    python snippets/first_network/seeded_runs.py                 # seed 0 vs the bounds
    python snippets/first_network/seeded_runs.py --seeds 0-11    # the bounds' source
    python snippets/first_network/seeded_runs.py --seeds 0-11 --markdown \
        snippets/first_network/seeded_runs_table.md                 # the page's table
    python snippets/first_network/seeded_runs.py --source full   # full MNIST, online

The network, the preprocessing and the training settings are those of
docs/first-network.md. The bounds below are what the page states and what
tests/snippets/test_first_network.py asserts; that test explains how they were
derived from this script's table.
"""

import argparse
import statistics
import sys

EPOCHS = 5
BATCH_SIZE = 128
# Asserted bounds for the bundled digits (see the test for their derivation)
TRAIN_ACCURACY_BOUNDS = (0.96, 0.98)  # accuracy on the training batches, epoch 5
TEST_ACCURACY_BOUNDS = (0.92, 0.95)
MIN_PROBABILITY = 0.95  # the network's confidence in its answer for x_test[0]


def train_first_network(seed=0, source="bundled", scale=255, epochs=EPOCHS):
    """One seeded run; returns its accuracies and its prediction for x_test[0].

    ``scale`` divides the pixel bytes (the page's 255; 1 trains on the raw
    bytes) and ``epochs`` shortens or lengthens the run, for the tests.
    """
    import keras
    import tensorflow as tf

    from lab.mnist_data import load_mnist

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = load_mnist(source)
    x_train = x_train.reshape((len(x_train), 28 * 28)).astype("float32") / scale
    x_test = x_test.reshape((len(x_test), 28 * 28)).astype("float32") / scale
    model = keras.Sequential(
        [
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0
    )
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    probabilities = model.predict(x_test[:1], verbose=0)[0]
    # the finished network on the training images (history's figure is a running
    # one, each image scored before its batch's update during epoch 5)
    _, final_train_accuracy = model.evaluate(x_train, y_train, verbose=0)
    return {
        "train_accuracy": history.history["accuracy"][-1],
        "final_train_accuracy": final_train_accuracy,
        "first_epoch_loss": history.history["loss"][0],
        "updates": int(model.optimizer.iterations),
        "weights": [weight.numpy() for weight in model.weights],
        "test_accuracy": test_accuracy,
        "test_loss": test_loss,
        "predicted": int(probabilities.argmax()),
        "probability": float(probabilities.max()),
        "label": int(y_test[0]),
    }


def within(value, bounds) -> bool:
    low, high = bounds
    return low <= value <= high


def check_seed_zero() -> None:
    run = train_first_network(seed=0)
    low, high = TRAIN_ACCURACY_BOUNDS
    print(
        f"training accuracy in [{low:.0%}, {high:.0%}]: "
        f"{within(run['train_accuracy'], TRAIN_ACCURACY_BOUNDS)}"
    )
    low, high = TEST_ACCURACY_BOUNDS
    print(
        f"test accuracy in [{low:.0%}, {high:.0%}]: "
        f"{within(run['test_accuracy'], TEST_ACCURACY_BOUNDS)}"
    )
    print(
        f"x_test[0]: label {run['label']}, predicted {run['predicted']}, "
        f"probability above {MIN_PROBABILITY:.0%}: "
        f"{run['probability'] > MIN_PROBABILITY}"
    )


def seed_range(text: str) -> list[int]:
    try:
        first, _, last = text.partition("-")
        seeds = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a seed or a range like 0-11"
        ) from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"{text!r} is an empty range")
    return seeds


def print_table(seeds: list[int], source: str, markdown_path=None) -> None:
    runs = []
    print(
        "seed  train accuracy (epoch 5)  (finished)  test accuracy  test loss"
        "  x_test[0] (probability)"
    )
    for seed in seeds:
        run = train_first_network(seed, source)
        runs.append({"seed": seed, **run})
        print(
            f"{seed:>4}  {run['train_accuracy']:>24.4f}"
            f"  {run['final_train_accuracy']:>10.4f}"
            f"  {run['test_accuracy']:>13.4f}  {run['test_loss']:>9.4f}"
            f"  {run['predicted']} ({run['probability']:.4f})",
            flush=True,
        )
    for key in ("train_accuracy", "final_train_accuracy", "test_accuracy"):
        values = [run[key] for run in runs]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        print(
            f"{key}: min {min(values):.4f}  max {max(values):.4f}  "
            f"mean {statistics.mean(values):.4f}  standard deviation {spread:.4f}"
        )
    if markdown_path is not None:
        with open(markdown_path, "w") as table:
            table.write(markdown_table(runs))


def markdown_table(runs: list[dict]) -> str:
    """The seeded runs as the Markdown table that docs/first-network.md includes."""
    columns = ("train_accuracy", "final_train_accuracy", "test_accuracy")
    lines = [
        "| seed | training accuracy during epoch 5 "
        "| training accuracy of the finished network | test accuracy | test loss "
        "| x_test[0]: answer (probability) |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        accuracies = " | ".join(f"{run[key]:.2%}" for key in columns)
        lines.append(
            f"| {run['seed']} | {accuracies} | {run['test_loss']:.3f} "
            f"| {run['predicted']} ({run['probability']:.3f}) |"
        )
    values = {key: [run[key] for run in runs] for key in columns}
    means = " | ".join(f"{statistics.mean(values[key]):.2%}" for key in columns)
    lines.append(f"| **mean** | {means} | | |")
    # a spread of percentages is a difference of percentages: percentage points
    spreads = " | ".join(
        f"{100 * statistics.stdev(values[key]):.2f} points" for key in columns
    )
    lines.append(f"| **standard deviation** | {spreads} | | |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seed_range, help="a seed or a range, e.g. 0-11")
    parser.add_argument(
        "--source",
        default="bundled",
        help="'bundled' (default), 'full', 'keras' or a path to mnist.npz",
    )
    parser.add_argument(
        "--markdown",
        metavar="PATH",
        help="also write the runs as a Markdown table (needs two seeds or more)",
    )
    args = parser.parse_args(argv)
    if args.markdown and len(args.seeds or []) < 2:
        parser.error("--markdown needs --seeds with two seeds or more")
    if args.seeds is None and args.source == "bundled":
        check_seed_zero()
        return 0
    from lab.mnist_data import MnistDataError

    try:
        print_table(args.seeds or [0], args.source, args.markdown)
    except MnistDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
