"""Batch, mini-batch and one-sample (true) SGD on the same linear regression.

    python snippets/gradient_descent/batch_sizes.py

Fits the plane y ≈ x·w + b to 512 noisy points with three batch sizes and one
shared learning rate (0.1), records the loss on the whole data set after every
update, writes docs/figures/gradient-descent/batch-sizes.svg; the page prints
the tables, including one that gives each batch size several rates.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import plain_log_ticks, save_figure

# --8<-- [start:data]
SAMPLES = 512
TRUE_W = np.array([2.0, -3.0])
TRUE_B = 0.5
NOISE = 0.1
LEARNING_RATE = 0.1
EPOCHS = 10
BATCH_SIZES = {"batch (512)": SAMPLES, "mini-batch (32)": 32, "true SGD (1)": 1}


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(SAMPLES, 2))
    y = x @ TRUE_W + TRUE_B + NOISE * rng.normal(size=SAMPLES)
    return x, y


# --8<-- [end:data]


# --8<-- [start:loss_and_gradient]
def mse(x, y, w, b):
    return np.mean((x @ w + b - y) ** 2)


def mse_gradient(x, y, w, b):
    """∂/∂w and ∂/∂b of mean((x·w + b − y)²) over the rows of x."""
    error = x @ w + b - y
    return 2 * x.T @ error / len(y), 2 * np.mean(error)


# --8<-- [end:loss_and_gradient]


# --8<-- [start:train]
def train(x, y, batch_size, learning_rate=LEARNING_RATE, epochs=EPOCHS, seed=1):
    """Mini-batch SGD; returns (epochs elapsed, loss on all data) after every
    update."""
    rng = np.random.default_rng(seed)
    w, b = np.zeros(x.shape[1]), 0.0
    elapsed, losses = [0.0], [mse(x, y, w, b)]
    for _ in range(epochs):
        order = rng.permutation(len(y))  # a fresh shuffle every epoch
        for start in range(0, len(y), batch_size):
            batch = order[start : start + batch_size]
            grad_w, grad_b = mse_gradient(x[batch], y[batch], w, b)
            w, b = w - learning_rate * grad_w, b - learning_rate * grad_b
            elapsed.append(elapsed[-1] + len(batch) / len(y))
            losses.append(mse(x, y, w, b))
    return np.array(elapsed), np.array(losses)


# --8<-- [end:train]


def noise_floor(x, y):
    """The loss of the true plane: no fit can do much better on average."""
    return mse(x, y, TRUE_W, TRUE_B)


def loss_after(elapsed, losses, epochs):
    """The loss once `epochs` passes over the data are complete."""
    return losses[np.searchsorted(elapsed, epochs - 1e-9)]


def run_all(x, y):
    return {name: train(x, y, size) for name, size in BATCH_SIZES.items()}


# A panel is under 300 points (1/72 inch) wide, and true SGD's 5120 losses
# put many on each of those points, where they draw one solid band. Of each of
# 700 equal slices of a curve's range along the axis (under half a point
# wide) the plot keeps only the lowest and the highest loss: the band looks
# the same, and a slice with at most two losses keeps all of them.
SLICES = 700


def lowest_and_highest(positions, losses, slices=SLICES):
    """Indices of the first and last point and, in each of ``slices`` equal
    slices of ``positions`` (already on the axis's scale), of its lowest and
    its highest loss, in order."""
    span = positions[-1] - positions[0]
    slice_of = np.minimum(
        ((positions - positions[0]) / span * slices).astype(int), slices - 1
    )
    keep = {0, len(losses) - 1}
    starts = np.flatnonzero(np.diff(slice_of, prepend=-1))
    for start, stop in zip(starts, [*starts[1:], len(losses)], strict=True):
        part = losses[start:stop]
        keep.update((start + np.argmin(part), start + np.argmax(part)))
    return np.array(sorted(keep))


def draw(results, floor) -> None:
    # one panel above the other, so that they can be read on a phone
    figure, (by_epoch, by_update) = plt.subplots(
        2, 1, figsize=(5.0, 8.0), sharey=True
    )
    # true SGD's jitter is drawn underneath, thin and pale, so that the other
    # curves stay visible where they run through it along the noise floor
    style = {
        "batch (512)": {"linewidth": 1.5, "zorder": 3},
        "mini-batch (32)": {"linewidth": 1.5, "zorder": 4},
        "true SGD (1)": {"linewidth": 0.8, "alpha": 0.6, "zorder": 1},
    }
    for name, (elapsed, losses) in results.items():
        shown = lowest_and_highest(elapsed, losses)
        by_epoch.plot(elapsed[shown], losses[shown], label=name, **style[name])
        updates = np.arange(1, len(losses))
        shown = lowest_and_highest(np.log(updates), losses[1:])
        by_update.plot(
            updates[shown], losses[1:][shown], label=name, **style[name]
        )
    for axis in (by_epoch, by_update):
        axis.axhline(
            floor,
            color="0.4",
            linestyle="--",
            linewidth=1,
            label="true plane (noise floor)",
        )
        axis.set_yscale("log")
    by_epoch.set_xlabel("epochs (passes over the 512 samples)")
    by_epoch.set_ylabel("loss on all the data (MSE)")
    by_epoch.set_title(f"same amount of data, rate {LEARNING_RATE}")
    by_update.set_xscale("log")
    by_update.set_xlabel("weight updates")
    by_update.set_title(f"same number of updates, rate {LEARNING_RATE}")
    by_update.set_ylabel("loss on all the data (MSE)")
    by_epoch.legend()
    plain_log_ticks(by_epoch, by_update)
    figure.tight_layout()
    save_figure(figure, "gradient-descent/batch-sizes.svg")


def main() -> None:
    x, y = make_data()
    draw(run_all(x, y), noise_floor(x, y))


if __name__ == "__main__":
    main()
