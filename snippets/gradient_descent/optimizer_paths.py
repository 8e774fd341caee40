"""SGD, momentum and RMSprop on a narrow valley, aligned with the axes and rotated.

    python snippets/gradient_descent/optimizer_paths.py

L(w) = ½·(w₁² + 25·w₂²) is 25 times steeper along w₂ than along w₁. The same
valley turned by 45° has the same shape, but its steep and shallow directions
are no longer the coordinate axes. Writes
docs/figures/gradient-descent/optimizer-paths.svg (aligned) and
docs/figures/gradient-descent/optimizer-paths-rotated.svg, and prints each
optimizer's loss after a fixed number of steps on both valleys, and the mean of
its last 10, at the rates picked by hand and at the best rates of a grid.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import plain_log_ticks, save_figure
from snippets.gradient_descent.descent import gradient_descent, momentum_descent
from snippets.gradient_descent.rmsprop_numpy import RMSpropNumpy

# The valley and the settings, shared with the page's optimizer-paths explorer.
DEFAULTS = json.loads(
    Path(__file__).with_name("optimizer_paths.json").read_text(encoding="utf-8")
)
CURVATURES = np.array(DEFAULTS["curvatures"])
START = tuple(DEFAULTS["start"])
STEPS = DEFAULTS["steps"]
ANGLE_DEGREES = DEFAULTS["angle_degrees"]
SGD, MOMENTUM, RMSPROP = (
    DEFAULTS[name] for name in ("sgd", "momentum", "rmsprop")
)


# --8<-- [start:ravine]
def ravine(W):
    """½·(w₁² + 25·w₂²): a long, narrow valley along the w₁ axis."""
    return 0.5 * (
        CURVATURES[0] * W[..., 0] ** 2 + CURVATURES[1] * W[..., 1] ** 2
    )


def ravine_gradient(W):
    return CURVATURES * W


# --8<-- [end:ravine]


# --8<-- [start:rotated]
def rotate(W, degrees):
    """Turn the points W (last axis: w₁, w₂) anticlockwise about the origin."""
    angle = np.radians(degrees)
    cos, sin = np.cos(angle), np.sin(angle)
    w1, w2 = W[..., 0], W[..., 1]
    return np.stack([cos * w1 - sin * w2, sin * w1 + cos * w2], axis=-1)


def rotated_ravine(W):
    """The same valley turned by 45°: its floor runs along the diagonal
    w₂ = w₁."""
    return ravine(rotate(W, -ANGLE_DEGREES))


def rotated_ravine_gradient(W):
    # turn W back onto the axes, take the gradient there,
    # turn the gradient forward
    return rotate(ravine_gradient(rotate(W, -ANGLE_DEGREES)), ANGLE_DEGREES)


ROTATED_START = tuple(rotate(np.array(START), ANGLE_DEGREES))
# --8<-- [end:rotated]


def rmsprop_path(
    gradient, start, learning_rate, rho, steps, epsilon=1e-7, momentum=0.0
):
    """The path of RMSpropNumpy from `start`, one row per step."""
    W = np.array(start, dtype=float)
    optimizer = RMSpropNumpy(
        learning_rate, rho=rho, momentum=momentum, epsilon=epsilon
    )
    path = [W.copy()]
    for _ in range(steps):
        optimizer.apply([W], [gradient(W)])
        path.append(W.copy())
    return np.array(path)


# --8<-- [start:settings]
# The three update rules, as functions of the learning rate. SGD, MOMENTUM and
# RMSPROP hold the other settings, read from optimizer_paths.json.
def sgd(gradient, start, learning_rate):
    return gradient_descent(gradient, start, learning_rate, STEPS)


def sgd_with_momentum(gradient, start, learning_rate):
    momentum = MOMENTUM["momentum"]
    return momentum_descent(gradient, start, learning_rate, momentum, STEPS)


def rmsprop(gradient, start, learning_rate):
    rho, epsilon, momentum = (
        RMSPROP[key] for key in ("rho", "epsilon", "momentum")
    )
    return rmsprop_path(
        gradient, start, learning_rate, rho, STEPS, epsilon, momentum
    )


# name → (update rule, learning rate picked by hand, not tuned). SGD's is just
# below its stability limit 2/25 = 0.08, beyond which it would diverge.
OPTIMIZERS = {
    "SGD": (sgd, SGD["learning_rate"]),
    f"SGD + momentum {MOMENTUM['momentum']}": (
        sgd_with_momentum,
        MOMENTUM["learning_rate"],
    ),
    f"RMSprop, rho {RMSPROP['rho']}": (rmsprop, RMSPROP["learning_rate"]),
}
VALLEYS = {  # name → (loss, gradient, start)
    "aligned": (ravine, ravine_gradient, START),
    "rotated by 45°": (rotated_ravine, rotated_ravine_gradient, ROTATED_START),
}


def label(name, learning_rate):
    """How the table and the figures' legends name a run."""
    return f"{name}, rate {learning_rate:g}"


def paths(valley="aligned", rates=None):
    """Every optimizer's path on one valley, at the hand-picked rates by
    default."""
    _, gradient, start = VALLEYS[valley]
    rates = rates or {name: rate for name, (_, rate) in OPTIMIZERS.items()}
    return {
        label(name, rates[name]): rule(gradient, start, rates[name])
        for name, (rule, _) in OPTIMIZERS.items()
    }


# --8<-- [end:settings]


# --8<-- [start:tuning]
RATE_GRID = np.arange(1, 101) / 100  # the rates 0.01, 0.02, ..., 1.00
LAST_STEPS = 10  # a run is judged by its mean loss over its last 10 steps


def mean_last_loss(loss, path):
    """The mean loss of the last steps: the loss of one step may be a lucky
    low."""
    return float(np.mean(loss(path[-LAST_STEPS:])))


def best_rate(name, valley):
    """The rate of RATE_GRID with the lowest mean_last_loss for this
    optimizer."""
    rule, _ = OPTIMIZERS[name]
    loss, gradient, start = VALLEYS[valley]
    with np.errstate(over="ignore", invalid="ignore"):  # large rates diverge
        scores = [
            mean_last_loss(loss, rule(gradient, start, r)) for r in RATE_GRID
        ]
    return float(RATE_GRID[np.nanargmin(scores)])


# --8<-- [end:tuning]


def draw(valley, runs, filename) -> None:
    loss, _, start = VALLEYS[valley]
    # one panel above the other, so that they can be read on a phone
    figure, (plane, curves) = plt.subplots(2, 1, figsize=(5.2, 8.6))
    every_point = np.concatenate(list(runs.values()))
    low, high = every_point.min(axis=0) - 1, every_point.max(axis=0) + 1
    grid = np.stack(
        np.meshgrid(
            np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 160)
        ),
        -1,
    )
    levels = [0.1, 0.5, 1, 2, 5, 10, 20, 40, 70, 100]
    plane.contour(
        grid[..., 0], grid[..., 1], loss(grid), levels=levels, colors="0.75"
    )
    for (name, path), colour in zip(
        runs.items(), ("tab:blue", "tab:orange", "tab:green"), strict=True
    ):
        plane.plot(
            path[:, 0],
            path[:, 1],
            ".-",
            color=colour,
            markersize=3,
            linewidth=1,
            label=name,
        )
        curves.plot(loss(path), color=colour, label=name)
    plane.plot(*start, "o", color="black", markersize=6)
    plane.plot(0, 0, "*", color="tab:red", markersize=12)
    plane.set_aspect("equal")
    plane.set_xlabel("w₁")
    plane.set_ylabel("w₂")
    plane.set_title(
        f"valley {valley}: paths from ({start[0]:.2f}, {start[1]:.2f})"
    )
    # under the panel, where it hides no curve; the same colours as the paths
    curves.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16))
    curves.set_yscale("log")
    curves.set_xlabel("step")
    curves.set_ylabel("L(w)")
    curves.set_title(f"loss over {STEPS} steps")
    plain_log_ticks(curves)
    figure.tight_layout()
    save_figure(figure, f"gradient-descent/{filename}")


# --8<-- [start:main]
def print_table(loss, runs):
    for name, path in runs.items():
        print(
            f"  {name:<30}  {loss(path[-1]):<14.2e}"
            f"  {mean_last_loss(loss, path):.2e}"
        )


def main() -> None:
    for valley, filename in zip(
        VALLEYS,
        ("optimizer-paths.svg", "optimizer-paths-rotated.svg"),
        strict=True,
    ):
        loss, _, start = VALLEYS[valley]
        runs = paths(valley)
        draw(valley, runs, filename)
        print(f"valley {valley}: loss {loss(np.array(start)):g} at the start")
        header = f"after {STEPS} steps  mean of last {LAST_STEPS}"
        print(f"  {'rates picked by hand':<30}  {header}")
        print_table(loss, runs)
        print(
            "  best rate of 0.01, 0.02, ..., 1"
            f" (lowest mean of the last {LAST_STEPS})"
        )
        best = {name: best_rate(name, valley) for name in OPTIMIZERS}
        print_table(loss, paths(valley, best))


# --8<-- [end:main]


if __name__ == "__main__":
    main()
