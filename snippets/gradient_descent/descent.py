"""Gradient descent and gradient descent with momentum, in a few lines of NumPy.

A library for the chapter's pages and snippets: it prints nothing when run.
Both functions take the gradient as a function and return the whole path of
the parameters, the start and then one row per step, so that figures can draw
it and tests can compare it with the closed form.
"""

import numpy as np


# --8<-- [start:gradient_descent]
def gradient_descent(gradient, start, learning_rate, steps):
    """Follow W ← W − learning_rate · ∇L(W).

    Returns the path: the start, then one row per step (steps + 1 rows).
    """
    W = np.array(start, dtype=float)
    path = [W.copy()]
    for _ in range(steps):
        W = W - learning_rate * gradient(W)
        path.append(W.copy())
    return np.array(path)


# --8<-- [end:gradient_descent]


# --8<-- [start:momentum_descent]
def momentum_descent(gradient, start, learning_rate, momentum, steps):
    """Keras's SGD with momentum:
    v ← momentum·v − learning_rate·∇L(W); W ← W + v."""
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


# One step multiplies x by (1 − 2·learning_rate); the table tries these rates.
LEARNING_RATES_1D = (0.1, 0.3, 0.5, 0.55, 0.7, 0.9, 1.0, 1.05)
START_1D = 1.5
STEPS_1D = 10
# --8<-- [end:parabola]
