"""Arrows of −∇f on the contour lines of f(x, y) = x² + 3y².

    python snippets/gradient_descent/gradient_arrows.py

Draws gradient-descent/gradient-arrows.svg: contour lines (lines
of equal f) and, at the points of a grid, an arrow along −∇f, the direction of
steepest descent. The contour levels are equally spaced (f = 3, 6, ..., 24), so
the lines crowd together where f is steep, and there the arrows are longest;
each arrow leaves its grid point at a right angle to the contour line through
that point.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import save_figure

ARROW_SCALE = 0.06  # arrows drawn 0.06 times as long as −∇f, to fit the grid
POINT = (2.0, 1.0)  # the point of the page's numbers
# Equally spaced values of f: the closer two neighbouring lines, the steeper f.
CONTOUR_LEVELS = tuple(range(3, 25, 3))
FRAME = (3.0, 2.4)  # the picture shows -3 <= x <= 3 and -2.4 <= y <= 2.4


# --8<-- [start:surface]
def surface(x, y):
    return x**2 + 3 * y**2


def surface_gradient(x, y):
    """(∂f/∂x, ∂f/∂y): 2x with y held fixed, 6y with x held fixed."""
    return 2 * x, 6 * y


# --8<-- [end:surface]


def arrow_field(points=9, limit=2.4):
    """Grid points and the arrows drawn at them: −∇f, times ARROW_SCALE."""
    x, y = np.meshgrid(
        np.linspace(-limit, limit, points), np.linspace(-1.8, 1.8, 7)
    )
    grad_x, grad_y = surface_gradient(x, y)
    return x, y, -ARROW_SCALE * grad_x, -ARROW_SCALE * grad_y


def main() -> None:
    figure, axis = plt.subplots(figsize=(5.3, 4.6))  # reads on a phone
    x_limit, y_limit = FRAME
    grid_x, grid_y = np.meshgrid(
        np.linspace(-x_limit, x_limit, 241), np.linspace(-y_limit, y_limit, 193)
    )
    lines = axis.contour(
        grid_x,
        grid_y,
        surface(grid_x, grid_y),
        levels=CONTOUR_LEVELS,
        colors="0.6",
    )
    axis.clabel(lines, fmt="f = %g")
    x, y, u, v = arrow_field()
    axis.quiver(
        x,
        y,
        u,
        v,
        angles="xy",
        scale_units="xy",
        scale=1,
        color="tab:blue",
        width=0.004,
    )
    grad_x, grad_y = surface_gradient(*POINT)
    axis.quiver(
        *POINT,
        -ARROW_SCALE * grad_x,
        -ARROW_SCALE * grad_y,
        angles="xy",
        scale_units="xy",
        scale=1,
        color="tab:red",
        width=0.007,
    )
    axis.plot(*POINT, "o", color="tab:red")
    axis.annotate(
        "(2, 1): −∇f = (−4, −6)",
        POINT,
        xytext=(-4, 10),
        textcoords="offset points",
        ha="right",
        color="tab:red",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
    )
    axis.plot(0, 0, "*", color="black", markersize=10)
    axis.set_aspect("equal")
    axis.set_xlim(-x_limit, x_limit)
    axis.set_ylim(-y_limit, y_limit)
    axis.set_xlabel("x")
    axis.set_ylabel("y")
    axis.set_title("f(x, y) = x² + 3y²:\narrows along −∇f (0.06 × its length)")
    save_figure(figure, "gradient-descent/gradient-arrows.svg")


if __name__ == "__main__":
    main()
