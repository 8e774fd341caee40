"""SGD, SGD with momentum and RMSprop on one ill-conditioned quadratic loss.

    python snippets/gradient_descent/optimizer_paths.py

L(w) = ½·(w₁² + 25·w₂²) is 25 times steeper along w₂ than along w₁. Writes
docs/figures/gradient-descent/optimizer-paths.svg and prints each optimizer's
loss after a fixed number of steps.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import save_figure
from snippets.gradient_descent.descent import gradient_descent, momentum_descent
from snippets.gradient_descent.rmsprop_numpy import RMSpropNumpy

CURVATURES = np.array([1.0, 25.0])
START = (-9.0, 2.0)
STEPS = 50


# --8<-- [start:ravine]
def ravine(W):
    """½·(w₁² + 25·w₂²): a long, narrow valley along the w₁ axis."""
    return 0.5 * (CURVATURES[0] * W[..., 0] ** 2 + CURVATURES[1] * W[..., 1] ** 2)


def ravine_gradient(W):
    return CURVATURES * W


# --8<-- [end:ravine]


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
# Each optimizer gets a learning rate that suits it; SGD's is close to its
# stability limit 2/25 = 0.08, beyond which it would diverge along w₂.
OPTIMIZERS = {
    "SGD, rate 0.07": lambda: gradient_descent(ravine_gradient, START, 0.07, STEPS),
    "SGD + momentum 0.8, rate 0.03": lambda: momentum_descent(
        ravine_gradient, START, 0.03, 0.8, STEPS
    ),
    "RMSprop, rate 0.3, rho 0.9": lambda: rmsprop_path(
        ravine_gradient, START, 0.3, 0.9, STEPS
    ),
}
# --8<-- [end:settings]


def paths():
    return {name: run() for name, run in OPTIMIZERS.items()}


def draw(runs) -> None:
    figure, (plane, curves) = plt.subplots(
        1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    grid = np.stack(np.meshgrid(np.linspace(-10, 3, 200), np.linspace(-3, 3, 120)), -1)
    levels = [0.1, 0.5, 1, 2, 5, 10, 20, 40, 70, 100]
    plane.contour(
        grid[..., 0], grid[..., 1], ravine(grid), levels=levels, colors="0.75"
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
        curves.plot(ravine(path), color=colour, label=name)
    plane.plot(*START, "o", color="black", markersize=6)
    plane.plot(0, 0, "*", color="tab:red", markersize=12)
    plane.set_xlabel("w₁")
    plane.set_ylabel("w₂")
    plane.set_title("L(w) = ½(w₁² + 25·w₂²): paths from (−9, 2)")
    plane.legend(loc="lower right", fontsize=8)
    curves.set_yscale("log")
    curves.set_xlabel("step")
    curves.set_ylabel("L(w)")
    curves.set_title(f"loss over {STEPS} steps")
    save_figure(figure, "gradient-descent/optimizer-paths.svg")


def main() -> None:
    runs = paths()
    draw(runs)
    start_loss = ravine(np.array(START))
    print(f"loss after {STEPS} steps from w = {START} (it starts at {start_loss:g}):")
    for name, path in runs.items():
        print(f"  {name:<30}  {ravine(path[-1]):.2e}")


if __name__ == "__main__":
    main()
