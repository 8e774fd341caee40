"""Gradient descent's path for several learning rates, in one and two dimensions.

    python snippets/gradient_descent/learning_rate_paths.py

Draws gradient-descent/learning-rates-1d.svg (on L(x) = x²) and
learning-rates-2d.svg (on L(w) = w₁² + 3·w₂²). The page prints the tables.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

from snippets.figures import save_figure
from snippets.gradient_descent.descent import (
    START_1D,
    STEPS_1D,
    gradient_descent,
    parabola,
    parabola_gradient,
)

# The six rates of the figure, also the presets of the page's learning-rate explorer.
# Pairs with the same |1 − 2·rate| (0.3 and 0.7) converge equally fast.
EXPLORER = json.loads(
    Path(__file__)
    .with_name("learning_rate_paths.json")
    .read_text(encoding="utf-8")
)
FIGURE_RATES_1D = tuple(
    preset["learning_rate"] for preset in EXPLORER["figure_presets"]
)


# --8<-- [start:bowl]
def bowl(W):
    """L(w) = w₁² + 3·w₂²: curvature 2 along w₁, 6 along w₂."""
    return W[..., 0] ** 2 + 3 * W[..., 1] ** 2


def bowl_gradient(W):
    return np.array([2 * W[0], 6 * W[1]])


# A step multiplies w₁ by 1 − 2·rate and w₂ by 1 − 6·rate.
LEARNING_RATES_2D = (0.05, 1 / 6, 0.25, 0.3, 0.35)
START_2D = (-2.5, 1.5)
STEPS_2D = 15
# --8<-- [end:bowl]


def paths_1d(rates=FIGURE_RATES_1D):
    return {
        rate: gradient_descent(parabola_gradient, START_1D, rate, STEPS_1D)
        for rate in rates
    }


def paths_2d(rates=LEARNING_RATES_2D):
    return {
        rate: gradient_descent(bowl_gradient, START_2D, rate, STEPS_2D)
        for rate in rates
    }


def draw_1d(paths) -> None:
    # three rows of two panels, so that they can be read on a phone
    figure, axes = plt.subplots(3, 2, figsize=(5.2, 8.4), sharey=True)
    curve = np.linspace(-4, 4, 200)
    for axis, (rate, path) in zip(axes.flat, paths.items(), strict=True):
        axis.plot(curve, parabola(curve), color="0.6", linewidth=1)
        axis.plot(path, parabola(path), "o-", color="tab:blue", markersize=4)
        axis.plot(
            path[0], parabola(path[0]), "o", color="tab:green", markersize=7
        )
        axis.set_title(
            f"η = {rate:g}: 1 − 2η = {1 - 2 * rate:+.1f}", fontsize="medium"
        )
        axis.set_xlim(-4, 4)
        axis.set_ylim(-0.5, 16)
        axis.set_xlabel("x")
    for axis in axes[:, 0]:
        axis.set_ylabel("L(x) = x²")
    figure.tight_layout()
    save_figure(figure, "gradient-descent/learning-rates-1d.svg")


# The bowl's contour lines at L = 3, 6, …, 33: the values plt.contour picks
# for levels=12 on the square [-3, 3]², less 0 and 36, whose lines meet the
# square only in points (the minimum; the four corners).
CONTOUR_LEVELS_2D = np.arange(3, 36, 3)


def contour_line(level):
    """The contour line L(w) = level, the ellipse w₁²/level + w₂²/(level/3) = 1,
    drawn as an ellipse: it looks as plt.contour draws it, in a small fraction
    of the file (a few curve pieces rather than hundreds of points)."""
    return Ellipse(
        (0.0, 0.0),
        width=2 * np.sqrt(level),
        height=2 * np.sqrt(level / 3),
        fill=False,
        edgecolor="0.7",
        linewidth=1.5,
        zorder=2,  # plt.contour's: over the grid, under the paths
    )


def draw_2d(paths) -> None:
    # three rows of two panels (the last one empty), to be read on a phone
    rows = (len(paths) + 1) // 2
    figure, grid_of_axes = plt.subplots(
        rows, 2, figsize=(5.2, 2.75 * rows), sharex=True, sharey=True
    )
    axes = list(grid_of_axes.flat)[: len(paths)]
    for axis, (rate, path) in zip(axes, paths.items(), strict=True):
        for level in CONTOUR_LEVELS_2D:
            axis.add_patch(contour_line(level))
        axis.plot(path[:, 0], path[:, 1], "o-", color="tab:blue", markersize=3)
        axis.plot(*path[0], "o", color="tab:green", markersize=7)
        axis.plot(0, 0, "*", color="tab:red", markersize=10)
        axis.set_title(
            f"η = {rate:.3g}: {1 - 2 * rate:+.2f}, {1 - 6 * rate:+.2f}",
            fontsize="medium",
        )
        axis.set_xlim(-3, 3)
        axis.set_ylim(-3, 3)
        axis.set_aspect("equal")
    for axis in grid_of_axes[-1]:
        axis.set_xlabel("w₁")
    for axis in grid_of_axes[:, 0]:
        axis.set_ylabel("w₂")
    for axis in grid_of_axes.flat[len(paths) :]:
        axis.set_visible(False)
    grid_of_axes[-2, 1].xaxis.set_tick_params(labelbottom=True)
    figure.tight_layout()
    save_figure(figure, "gradient-descent/learning-rates-2d.svg")


def main() -> None:
    draw_1d(paths_1d())
    draw_2d(paths_2d())


if __name__ == "__main__":
    main()
