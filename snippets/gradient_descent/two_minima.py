"""A loss with two valleys: where plain gradient descent stops, and where momentum goes.

    python snippets/gradient_descent/two_minima.py

Draws gradient-descent/two-minima.svg; the page prints where
each run ends. L(x) = x⁴ − 3x² + x has a global minimum near x = −1.30 and a shallower
local one near x = 1.13, separated by a bump near x = 0.17.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import save_figure
from snippets.gradient_descent.descent import gradient_descent, momentum_descent


# --8<-- [start:loss]
def two_valleys(x):
    return x**4 - 3 * x**2 + x


def two_valleys_gradient(x):
    return 4 * x**3 - 6 * x + 1


LEARNING_RATE = 0.01
MOMENTUM = 0.9
STEPS = 200
# --8<-- [end:loss]


def critical_points():
    """The zeros of L'(x), sorted: global minimum, bump, local minimum."""
    return np.sort(np.roots([4, 0, -6, 1]).real)


def runs():
    """Plain descent from each side, and momentum from the right-hand side."""
    return {
        "descent from x = -2": gradient_descent(
            two_valleys_gradient, -2.0, LEARNING_RATE, STEPS
        ),
        "descent from x = 2": gradient_descent(
            two_valleys_gradient, 2.0, LEARNING_RATE, STEPS
        ),
        "momentum 0.9 from x = 2": momentum_descent(
            two_valleys_gradient, 2.0, LEARNING_RATE, MOMENTUM, STEPS
        ),
    }


def draw(paths) -> None:
    # one panel above the other, so that they can be read on a phone
    figure, (curve_axis, step_axis) = plt.subplots(2, 1, figsize=(5.0, 7.8))
    xs = np.linspace(-2.1, 2.1, 300)
    curve_axis.plot(xs, two_valleys(xs), color="0.6", linewidth=1)
    colours = ("tab:green", "tab:blue", "tab:orange")
    for (label, path), colour in zip(paths.items(), colours, strict=True):
        curve_axis.plot(
            path, two_valleys(path), ".", color=colour, markersize=4
        )
        step_axis.plot(path, color=colour, label=label)
    # The end dots go on top of every path, nested, so that two runs ending
    # together show, and so that a step passing through another run's end
    # (momentum's third step lands almost on the local minimum) does not look
    # like an end.
    end_sizes = (13, 10, 7)
    for path, colour, size in zip(
        paths.values(), colours, end_sizes, strict=True
    ):
        curve_axis.plot(
            path[-1], two_valleys(path[-1]), "o", color=colour, markersize=size
        )
    global_minimum, _, local_minimum = critical_points()
    for x, name in (
        (global_minimum, "global minimum"),
        (local_minimum, "local minimum"),
    ):
        step_axis.axhline(x, color="0.5", linestyle="--", linewidth=1)
        step_axis.annotate(
            name, (STEPS, x), ha="right", va="bottom", color="0.3"
        )
    curve_axis.set_xlabel("x")
    curve_axis.set_ylabel("L(x) = x⁴ − 3x² + x")
    curve_axis.set_title(
        "the paths on the loss curve\n(big dot: where they end)"
    )
    step_axis.set_xlabel("step")
    step_axis.set_ylabel("x")
    step_axis.set_title(f"position per step (learning rate {LEARNING_RATE})")
    step_axis.legend(loc="center right")
    figure.tight_layout()
    save_figure(figure, "gradient-descent/two-minima.svg")


def main() -> None:
    draw(runs())


if __name__ == "__main__":
    main()
