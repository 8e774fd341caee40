"""SGD, momentum and RMSprop on a narrow valley, aligned with the axes and rotated.

    python snippets/gradient_descent/optimizer_paths.py

L(w) = ½·(w₁² + 25·w₂²) is 25 times steeper along w₂ than along w₁. The same
valley turned by 45° has the same shape, but its steep and shallow directions
are no longer the coordinate axes. Writes
docs/figures/gradient-descent/optimizer-paths.svg (aligned) and
docs/figures/gradient-descent/optimizer-paths-rotated.svg and prints each
optimizer's loss after a fixed number of steps on both valleys.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import save_figure
from snippets.gradient_descent.descent import gradient_descent, momentum_descent
from snippets.gradient_descent.rmsprop_numpy import RMSpropNumpy

CURVATURES = np.array([1.0, 25.0])
START = (-9.0, 2.0)
STEPS = 50
ANGLE_DEGREES = 45.0


# --8<-- [start:ravine]
def ravine(W):
    """½·(w₁² + 25·w₂²): a long, narrow valley along the w₁ axis."""
    return 0.5 * (CURVATURES[0] * W[..., 0] ** 2 + CURVATURES[1] * W[..., 1] ** 2)


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
    """The same valley turned by 45°: its floor runs along the diagonal w₂ = w₁."""
    return ravine(rotate(W, -ANGLE_DEGREES))


def rotated_ravine_gradient(W):
    # turn W back onto the axes, take the gradient there, turn the gradient forward
    return rotate(ravine_gradient(rotate(W, -ANGLE_DEGREES)), ANGLE_DEGREES)


ROTATED_START = tuple(rotate(np.array(START), ANGLE_DEGREES))
# --8<-- [end:rotated]


def rmsprop_path(gradient, start, learning_rate, rho, steps):
    """The path of RMSpropNumpy (momentum 0) from `start`, one row per step."""
    W = np.array(start, dtype=float)
    optimizer = RMSpropNumpy(learning_rate, rho=rho)
    path = [W.copy()]
    for _ in range(steps):
        optimizer.apply([W], [gradient(W)])
        path.append(W.copy())
    return np.array(path)


# --8<-- [start:settings]
# Each optimizer gets a learning rate that suits it on the aligned valley; SGD's
# is close to its stability limit 2/25 = 0.08, beyond which it would diverge.
OPTIMIZERS = {
    "SGD, rate 0.07": lambda gradient, start: gradient_descent(
        gradient, start, 0.07, STEPS
    ),
    "SGD + momentum 0.8, rate 0.03": lambda gradient, start: momentum_descent(
        gradient, start, 0.03, 0.8, STEPS
    ),
    "RMSprop, rate 0.3, rho 0.9": lambda gradient, start: rmsprop_path(
        gradient, start, 0.3, 0.9, STEPS
    ),
}
VALLEYS = {  # name → (loss, gradient, start)
    "aligned": (ravine, ravine_gradient, START),
    "rotated by 45°": (rotated_ravine, rotated_ravine_gradient, ROTATED_START),
}
# --8<-- [end:settings]


def paths(valley="aligned"):
    """Every optimizer's path on one valley, same settings."""
    _, gradient, start = VALLEYS[valley]
    return {name: run(gradient, start) for name, run in OPTIMIZERS.items()}


def draw(valley, runs, filename) -> None:
    loss, _, start = VALLEYS[valley]
    figure, (plane, curves) = plt.subplots(
        1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    every_point = np.concatenate(list(runs.values()))
    low, high = every_point.min(axis=0) - 1, every_point.max(axis=0) + 1
    grid = np.stack(
        np.meshgrid(
            np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 160)
        ),
        -1,
    )
    levels = [0.1, 0.5, 1, 2, 5, 10, 20, 40, 70, 100]
    plane.contour(grid[..., 0], grid[..., 1], loss(grid), levels=levels, colors="0.75")
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
    plane.set_title(f"valley {valley}: paths from ({start[0]:.2f}, {start[1]:.2f})")
    plane.legend(loc="best", fontsize=8)
    curves.set_yscale("log")
    curves.set_xlabel("step")
    curves.set_ylabel("L(w)")
    curves.set_title(f"loss over {STEPS} steps")
    save_figure(figure, f"gradient-descent/{filename}")


# --8<-- [start:main]
def main() -> None:
    for valley, filename in zip(
        VALLEYS, ("optimizer-paths.svg", "optimizer-paths-rotated.svg"), strict=True
    ):
        loss, _, start = VALLEYS[valley]
        runs = paths(valley)
        draw(valley, runs, filename)
        start_loss = loss(np.array(start))
        print(f"valley {valley}: loss {start_loss:g} at the start, after {STEPS} steps")
        for name, path in runs.items():
            print(f"  {name:<30}  {loss(path[-1]):.2e}")


# --8<-- [end:main]


if __name__ == "__main__":
    main()
