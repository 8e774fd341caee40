"""Check every gradient derived by hand in the chapter twice: by finite differences
and by tf.GradientTape.

    python snippets/gradient_descent/gradient_check.py

Each loss is written once, against a small namespace of array functions, so
that the very same expression runs on NumPy arrays (for the finite
differences) and on TensorFlow variables (for the tape), in float64.
"""

from types import SimpleNamespace

import numpy as np

from snippets.gradient_descent.batch_sizes import mse_gradient
from snippets.gradient_descent.computation_graph import backward
from snippets.gradient_descent.learning_rate_paths import bowl_gradient
from snippets.gradient_descent.optimizer_paths import (
    ravine_gradient,
    rotated_ravine_gradient,
)
from snippets.gradient_descent.two_minima import two_valleys_gradient

TOLERANCE = (
    1e-6  # relative to max(1, |gradient|); central differences with h = 1e-6
)

NUMPY_OPS = SimpleNamespace(
    sum=np.sum, mean=np.mean, abs=np.abs, matvec=np.matmul
)


# --8<-- [start:numerical_gradient]
def numerical_gradient(loss, point, h=1e-6):
    """Central differences (L(p + h·e_i) − L(p − h·e_i)) / 2h,
    for every entry i."""
    point = np.array(point, dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = h
        gradient[index] = (loss(point + step) - loss(point - step)) / (2 * h)
    return gradient


# --8<-- [end:numerical_gradient]


def tape_gradients(loss, params):
    """The gradients tf.GradientTape computes for `loss(ops, *params)`, in float64."""
    import tensorflow as tf

    ops = SimpleNamespace(
        sum=tf.reduce_sum,
        mean=tf.reduce_mean,
        abs=tf.abs,
        matvec=tf.linalg.matvec,
    )
    variables = [tf.Variable(np.asarray(p, dtype=float)) for p in params]
    with tf.GradientTape() as tape:
        value = loss(ops, *variables)
    return [g.numpy() for g in tape.gradient(value, variables)]


def numerical_gradients(loss, params):
    """Finite differences with respect to each parameter in turn, the others fixed."""
    params = [np.asarray(p, dtype=float) for p in params]
    gradients = []
    for i in range(len(params)):

        def along_i(value, i=i):
            return loss(NUMPY_OPS, *params[:i], value, *params[i + 1 :])

        gradients.append(numerical_gradient(along_i, params[i]))
    return gradients


def _regression_data():
    rng = np.random.default_rng(3)
    return rng.normal(size=(8, 2)), rng.normal(size=8)


def _dense_data():
    rng = np.random.default_rng(4)
    return rng.normal(size=(4, 3)), rng.normal(size=(4, 2))


X_LINE, Y_LINE = _regression_data()
X_DENSE, T_DENSE = _dense_data()


def _dense_hand(W, b, x):
    G = x @ W + b - T_DENSE  # dL/dy for L = ½·sum((y − t)²)
    return [x.T @ G, G.sum(axis=0), G @ W.T]  # dL/dW, dL/db, dL/dx


# name → (loss(ops, *params), hand gradient(*params) as a list, params)
# --8<-- [start:checks]
CHECKS = {
    "x³ at x = 2": (
        lambda ops, x: x**3,
        lambda x: [3 * x**2],
        [2.0],
    ),
    "x²·y + 3y at (2, 1)": (
        lambda ops, x, y: x**2 * y + 3 * y,
        lambda x, y: [2 * x * y, x**2 + 3],
        [2.0, 1.0],
    ),
    "x⁴ − 3x² + x at x = 0.5": (
        lambda ops, x: x**4 - 3 * x**2 + x,
        lambda x: [two_valleys_gradient(x)],
        [0.5],
    ),
    "w₁² + 3·w₂² at (−2.5, 1.5)": (
        lambda ops, w: w[0] ** 2 + 3 * w[1] ** 2,
        lambda w: [bowl_gradient(w)],
        [np.array([-2.5, 1.5])],
    ),
    "½·(w₁² + 25·w₂²), the ravine": (
        lambda ops, w: 0.5 * (w[0] ** 2 + 25 * w[1] ** 2),
        lambda w: [ravine_gradient(w)],
        [np.array([-9.0, 2.0])],
    ),
    "the ravine turned by 45°": (
        # across the floor w₂ = w₁ is (w₂ − w₁)/√2, along it (w₁ + w₂)/√2
        lambda ops, w: (
            0.5 * ((w[0] + w[1]) ** 2 / 2 + 25 * (w[1] - w[0]) ** 2 / 2)
        ),
        lambda w: [rotated_ravine_gradient(w)],
        [np.array([-7.5, -5.0])],
    ),
    "mean((x·w + b − y)²)": (
        lambda ops, w, b: ops.mean((ops.matvec(X_LINE, w) + b - Y_LINE) ** 2),
        lambda w, b: list(mse_gradient(X_LINE, Y_LINE, w, b)),
        [np.array([0.3, -0.7]), 0.2],
    ),
    "|y_true − (w·x + b)|, course graph": (
        lambda ops, w, b: ops.abs(4.0 - (w * 2.0 + b)),
        lambda w, b: [
            backward(2.0, w, b, 4.0)["w"],
            backward(2.0, w, b, 4.0)["b"],
        ],
        [3.0, 1.0],
    ),
    "sum(W²), W of shape (2, 3)": (
        lambda ops, W: ops.sum(W**2),
        lambda W: [2 * W],
        [np.arange(6.0).reshape(2, 3) - 2.5],
    ),
    "½·sum((x·W + b − t)²), dense layer": (
        lambda ops, W, b, x: 0.5 * ops.sum((x @ W + b - T_DENSE) ** 2),
        _dense_hand,  # gradients with respect to W, b and the input x
        [np.linspace(-1, 1, 6).reshape(3, 2), np.array([0.1, -0.2]), X_DENSE],
    ),
}
# --8<-- [end:checks]


# --8<-- [start:run]
def relative_gap(expected, actual) -> float:
    expected, actual = np.asarray(expected, float), np.asarray(actual, float)
    return float(
        np.max(np.abs(expected - actual) / np.maximum(1.0, np.abs(expected)))
    )


def run_checks():
    """For every check: the hand gradients and their gaps to the two
    references."""
    results = {}
    for name, (loss, hand, params) in CHECKS.items():
        by_hand = hand(*params)
        numerical = numerical_gradients(loss, params)
        taped = tape_gradients(loss, params)
        results[name] = {
            "hand": by_hand,
            "differences gap": max(map(relative_gap, by_hand, numerical)),
            "tape gap": max(map(relative_gap, by_hand, taped)),
        }
    return results


# --8<-- [end:run]


# --8<-- [start:main]
def main() -> None:
    results = run_checks()
    print(
        f"agrees = within {TOLERANCE:g} of the hand-derived gradient "
        "(relative for values above 1 in size, absolute for smaller ones)"
    )
    print(f"{'loss':<36}  {'finite differences':<18}  GradientTape")
    for name, result in results.items():
        by_differences = (
            "agrees" if result["differences gap"] <= TOLERANCE else "DIFFERS"
        )
        by_tape = "agrees" if result["tape gap"] <= TOLERANCE else "DIFFERS"
        print(f"{name:<36}  {by_differences:<18}  {by_tape}")


# --8<-- [end:main]

if __name__ == "__main__":
    main()
