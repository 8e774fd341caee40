"""Gradient descent and gradient descent with momentum, in a few lines of NumPy.

    python snippets/gradient_descent/descent.py   # x² under four learning rates

Both functions take the gradient as a function and return the whole path of
the parameters, one row per step, so that figures can draw it and tests can
compare it with the closed form.
"""

import numpy as np


# --8<-- [start:gradient_descent]
def gradient_descent(gradient, start, learning_rate, steps):
    """Follow W ← W − learning_rate · ∇L(W); return the path, one row per step."""
    W = np.array(start, dtype=float)
    path = [W.copy()]
    for _ in range(steps):
        W = W - learning_rate * gradient(W)
        path.append(W.copy())
    return np.array(path)


# --8<-- [end:gradient_descent]


# --8<-- [start:momentum_descent]
def momentum_descent(gradient, start, learning_rate, momentum, steps):
    """Keras's SGD with momentum: v ← momentum·v − learning_rate·∇L(W); W ← W + v."""
    W = np.array(start, dtype=float)
    velocity = np.zeros_like(W)
    path = [W.copy()]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(W)
        W = W + velocity
        path.append(W.copy())
    return np.array(path)


# --8<-- [end:momentum_descent]


# --8<-- [start:parabola]
def parabola(x):
    return x**2


def parabola_gradient(x):
    return 2 * x


# One step multiplies x by (1 − 2·learning_rate): the four regimes of the page.
LEARNING_RATES_1D = {
    "too small": 0.02,
    "about right": 0.3,
    "too large": 0.9,
    "diverging": 1.05,
}
START_1D = 1.5
# --8<-- [end:parabola]


def main() -> None:
    print(f"from x = {START_1D}:")
    print("regime       rate  factor  x after 10 steps")
    for regime, rate in LEARNING_RATES_1D.items():
        path = gradient_descent(parabola_gradient, START_1D, rate, 10)
        print(f"{regime:<11}  {rate:<4}  {1 - 2 * rate:+.2f}  {path[-1]:+.6f}")


if __name__ == "__main__":
    main()
