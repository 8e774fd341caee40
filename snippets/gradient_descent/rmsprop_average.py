"""RMSprop's running average of squared gradients, step by step.

    python snippets/gradient_descent/rmsprop_average.py

One weight whose gradient is large for 30 steps and then ten times smaller.
Draws docs/figures/gradient-descent/rmsprop-average.svg: the squared gradient
of every step and its running average s for two values of rho, and prints s
at a few steps.
"""

import matplotlib.pyplot as plt
import numpy as np

from snippets.figures import plain_log_ticks, save_figure

SEED = 0
STEPS = 60
SWITCH = 30  # the step from which the gradients are ten times smaller
RHOS = (0.9, 0.5)


# --8<-- [start:average]
def gradients(seed=SEED):
    """Noisy gradients of about 1 for 30 steps, then of about 0.1."""
    rng = np.random.default_rng(seed)
    size = np.where(np.arange(STEPS) < SWITCH, 1.0, 0.1)
    return size * rng.normal(1.0, 0.3, size=STEPS)


def running_mean_square(gradients, rho):
    """RMSprop's s after every step: s ← rho·s + (1 − rho)·g², from s = 0."""
    s, history = 0.0, []
    for g in gradients:
        s = rho * s + (1 - rho) * g**2
        history.append(s)
    return np.array(history)


# --8<-- [end:average]


def draw(g, averages) -> None:
    figure, axis = plt.subplots(figsize=(5.2, 3.6))  # reads on a phone
    steps = np.arange(1, STEPS + 1)
    axis.plot(
        steps, g**2, "o", color="0.5", markersize=4, label="g² at each step"
    )
    for (rho, s), colour in zip(
        averages.items(), ("tab:blue", "tab:orange"), strict=True
    ):
        axis.plot(
            steps,
            s,
            color=colour,
            linewidth=2,
            label=f"running average s, rho = {rho}",
        )
    axis.axvline(
        SWITCH + 0.5,
        color="tab:red",
        linestyle=":",
        label="gradients ten times smaller",
    )
    axis.set_yscale("log")
    axis.set_xlabel("step")
    axis.set_ylabel("squared gradient")
    axis.set_title("RMSprop's running average of g², from s = 0")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14))  # under it
    plain_log_ticks(axis)
    save_figure(figure, "gradient-descent/rmsprop-average.svg")


# --8<-- [start:main]
def main() -> None:
    g = gradients()
    averages = {rho: running_mean_square(g, rho) for rho in RHOS}
    draw(g, averages)
    print("step   g²       " + "  ".join(f"s (rho {rho})" for rho in RHOS))
    for step in (1, 2, 5, 10, 30, 31, 35, 40, 60):
        row = "  ".join(f"{averages[rho][step - 1]:<11.4f}" for rho in RHOS)
        print(f"{step:<5}  {g[step - 1] ** 2:<7.4f}  {row}".rstrip())


# --8<-- [end:main]


if __name__ == "__main__":
    main()
