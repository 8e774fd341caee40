"""Draw gradient descent's path for four learning rates, in one and in two dimensions.

    python snippets/gradient_descent/learning_rate_paths.py

Writes docs/figures/gradient-descent/learning-rates-1d.svg (on L(x) = x²) and
learning-rates-2d.svg (on L(w) = w₁² + 3·w₂²), and prints where each run ends.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import save_figure
from snippets.gradient_descent.descent import (
    LEARNING_RATES_1D,
    START_1D,
    gradient_descent,
    parabola,
    parabola_gradient,
)

STEPS_1D = 10


# --8<-- [start:bowl]
def bowl(W):
    """L(w) = w₁² + 3·w₂²: steeper along w₂ than along w₁."""
    return W[..., 0] ** 2 + 3 * W[..., 1] ** 2


def bowl_gradient(W):
    return np.array([2 * W[0], 6 * W[1]])


# A step multiplies w₁ by 1 − 2·rate and w₂ by 1 − 6·rate: stable while rate < 1/3.
LEARNING_RATES_2D = {
    "too small": 0.02,
    "about right": 0.15,
    "too large": 0.3,
    "diverging": 0.35,
}
# --8<-- [end:bowl]
STEPS_2D = 15
START_2D = (-2.5, 1.5)


def paths_1d():
    return {
        regime: gradient_descent(parabola_gradient, START_1D, rate, STEPS_1D)
        for regime, rate in LEARNING_RATES_1D.items()
    }


def paths_2d():
    return {
        regime: gradient_descent(bowl_gradient, START_2D, rate, STEPS_2D)
        for regime, rate in LEARNING_RATES_2D.items()
    }


def draw_1d(paths) -> None:
    figure, axes = plt.subplots(1, 4, figsize=(13, 3.2), sharey=True)
    curve = np.linspace(-4, 4, 200)
    for axis, (regime, path) in zip(axes, paths.items(), strict=True):
        axis.plot(curve, parabola(curve), color="0.6", linewidth=1)
        axis.plot(path, parabola(path), "o-", color="tab:blue", markersize=4)
        axis.plot(path[0], parabola(path[0]), "o", color="tab:green", markersize=7)
        axis.set_title(f"{regime}: rate {LEARNING_RATES_1D[regime]}")
        axis.set_xlim(-4, 4)
        axis.set_ylim(-0.5, 16)
        axis.set_xlabel("x")
    axes[0].set_ylabel("L(x) = x²")
    save_figure(figure, "gradient-descent/learning-rates-1d.svg")


def draw_2d(paths) -> None:
    figure, axes = plt.subplots(1, 4, figsize=(13, 3.4), sharey=True)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 121), np.linspace(-3, 3, 121)), -1)
    for axis, (regime, path) in zip(axes, paths.items(), strict=True):
        axis.contour(grid[..., 0], grid[..., 1], bowl(grid), levels=12, colors="0.7")
        axis.plot(path[:, 0], path[:, 1], "o-", color="tab:blue", markersize=3)
        axis.plot(*path[0], "o", color="tab:green", markersize=7)
        axis.plot(0, 0, "*", color="tab:red", markersize=10)
        axis.set_title(f"{regime}: rate {LEARNING_RATES_2D[regime]}")
        axis.set_xlim(-3, 3)
        axis.set_ylim(-3, 3)
        axis.set_aspect("equal")
        axis.set_xlabel("w₁")
    axes[0].set_ylabel("w₂")
    save_figure(figure, "gradient-descent/learning-rates-2d.svg")


def main() -> None:
    one, two = paths_1d(), paths_2d()
    draw_1d(one)
    draw_2d(two)
    print(f"L(w) after {STEPS_2D} steps from w = {START_2D}:")
    for regime, path in two.items():
        print(
            f"  {regime:<11}  rate {LEARNING_RATES_2D[regime]:<4}  {bowl(path[-1]):.4g}"
        )


if __name__ == "__main__":
    main()
