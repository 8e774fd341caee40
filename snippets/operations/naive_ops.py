"""Tensor operations written out as plain Python loops, one number at a time.

    python snippets/operations/naive_ops.py    # checks every function against NumPy

Each function does by hand what one NumPy call does in compiled code. They are
here to be read and timed (speed_table.py), never to be used for real work.
"""

import numpy as np


def _require_rank(name: str, tensor: np.ndarray, rank: int) -> None:
    if tensor.ndim != rank:
        raise ValueError(f"{name} must have rank {rank}, got shape {tensor.shape}")


# --8<-- [start:elementwise]
def naive_relu(x):
    """max(x_ij, 0) for every entry of a matrix."""
    _require_rank("x", x, 2)
    result = x.copy()  # leave the caller's tensor untouched
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            result[i, j] = max(x[i, j], 0)
    return result


def naive_add(x, y):
    """x_ij + y_ij for every entry of two matrices of the same shape."""
    _require_rank("x", x, 2)
    if x.shape != y.shape:
        raise ValueError(f"shapes {x.shape} and {y.shape} differ")
    result = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            result[i, j] += y[i, j]
    return result


# --8<-- [end:elementwise]


# --8<-- [start:dot]
def naive_vector_dot(x, y):
    """x · y = sum_i x_i y_i: two vectors of the same length give a scalar."""
    _require_rank("x", x, 1)
    _require_rank("y", y, 1)
    if len(x) != len(y):
        raise ValueError(f"vectors of lengths {len(x)} and {len(y)}")
    total = 0.0
    for i in range(len(x)):
        total += x[i] * y[i]
    return total


def naive_matrix_vector_dot(W, x):
    """(W x)_i = W[i, :] · x: a (a, b) matrix and a (b,) vector give (a,)."""
    _require_rank("W", W, 2)
    result = np.zeros(W.shape[0])
    for i in range(W.shape[0]):
        result[i] = naive_vector_dot(W[i, :], x)
    return result


def naive_matrix_dot(A, B):
    """(A B)_ij = A[i, :] · B[:, j]: (a, b) and (b, c) give (a, c)."""
    _require_rank("A", A, 2)
    _require_rank("B", B, 2)
    if A.shape[1] != B.shape[0]:
        inner = f"{A.shape[1]} != {B.shape[0]}"
        raise ValueError(f"shapes {A.shape} and {B.shape} do not chain: {inner}")
    result = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            result[i, j] = naive_vector_dot(A[i, :], B[:, j])
    return result


# --8<-- [end:dot]


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 3, 4))
    v, w = rng.standard_normal((2, 4))
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    relu = naive_relu(x)
    checks = {
        "naive_relu == np.maximum(x, 0)": np.array_equal(relu, np.maximum(x, 0)),
        "naive_add == x + y": np.array_equal(naive_add(x, y), x + y),
        "naive_vector_dot ~ np.dot": np.isclose(naive_vector_dot(v, w), np.dot(v, w)),
        "naive_matrix_vector_dot ~ A @ v": np.allclose(
            naive_matrix_vector_dot(A, v), A @ v
        ),
        "naive_matrix_dot ~ A @ B": np.allclose(naive_matrix_dot(A, B), A @ B),
    }
    for name, passed in checks.items():
        print(f"{name:34} {passed}")


if __name__ == "__main__":
    main()
