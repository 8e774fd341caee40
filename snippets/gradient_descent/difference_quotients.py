"""Secant slopes converging to the derivative of f(x) = x³ at x = 2, and their errors.

    python snippets/gradient_descent/difference_quotients.py

Draws gradient-descent/difference-quotients.svg (the page prints
the table): on top, secant lines through (2, 8) that approach the tangent of
slope 12; below, the error of forward and central difference quotients as h
shrinks.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import plain_log_ticks, save_figure

X0 = 2.0
EXACT = 12.0  # f'(x) = 3x², so f'(2) = 12


# --8<-- [start:quotients]
def cube(x):
    return (
        x * x * x
    )  # products, not a power: the same rounding on every machine


def forward_quotient(f, x, h):
    """Slope of the secant through (x, f(x)) and (x + h, f(x + h))."""
    return (f(x + h) - f(x)) / h


def central_quotient(f, x, h):
    """Slope of the secant through (x − h, f(x − h)) and (x + h, f(x + h))."""
    return (f(x + h) - f(x - h)) / (2 * h)


# --8<-- [end:quotients]


STEP_SIZES = np.array([10.0**-exponent for exponent in range(13)])  # 1 to 1e-12


def errors(steps):
    forward = np.abs(forward_quotient(cube, X0, steps) - EXACT)
    central = np.abs(central_quotient(cube, X0, steps) - EXACT)
    return forward, central


def main() -> None:
    # one panel above the other, so that they can be read on a phone
    figure, (secants, error_axis) = plt.subplots(2, 1, figsize=(5.2, 9.0))
    xs = np.linspace(0.8, 3.2, 200)
    secants.plot(xs, cube(xs), color="black", linewidth=1.5, label="f(x) = x³")
    for h, colour in zip(
        (1.0, 0.5, 0.25), ("tab:orange", "tab:green", "tab:purple"), strict=True
    ):
        slope = forward_quotient(cube, X0, h)
        secants.plot(
            xs,
            cube(X0) + slope * (xs - X0),
            color=colour,
            linewidth=1,
            label=f"secant, h = {h}: slope {slope:g}",
        )
        secants.plot(X0 + h, cube(X0 + h), "o", color=colour)
    secants.plot(
        xs,
        cube(X0) + EXACT * (xs - X0),
        "--",
        color="tab:red",
        label="tangent: slope f'(2) = 12",
    )
    secants.plot(X0, cube(X0), "o", color="black")
    secants.set_ylim(-5, 33)
    secants.set_xlabel("x")
    secants.set_title("secants through (2, 8) turn into the tangent")
    secants.legend(loc="upper left")

    steps = STEP_SIZES
    forward, central = errors(steps)
    # From h = 1e-8 on, the two errors are equal: the forward curve is drawn
    # dashed, with small dots, on top of the central one, so that both show.
    error_axis.loglog(
        steps,
        forward,
        "o--",
        markersize=4,
        zorder=3,
        label="forward (f(x+h) − f(x)) / h",
    )
    error_axis.loglog(
        steps,
        central,
        "s-",
        markersize=8,
        zorder=2,
        label="central (f(x+h) − f(x−h)) / 2h",
    )
    error_axis.set_xlabel("h")
    error_axis.set_ylabel("|quotient − 12|")
    error_axis.set_title("error shrinks with h, until rounding takes over")
    error_axis.invert_xaxis()
    error_axis.legend()
    plain_log_ticks(error_axis)
    figure.tight_layout()
    save_figure(figure, "gradient-descent/difference-quotients.svg")


if __name__ == "__main__":
    main()
