"""Tensor operations written out as Python loops, one number at a time.

    python snippets/operations/naive_ops.py    # checks every function against NumPy

Each function is its formula from docs/operations.md turned into loops:
z_ij = f(x_ij) for element-wise operations, x · y = sum_k x_k y_k and
(AB)_ij = sum_k A_ik B_kj for products. They do by hand what one NumPy call
does in compiled code, and are here to be read and timed (speed_table.py),
never to be used for real work.
"""

# --8<-- [start:setup]
import operator

import numpy as np


def _require_rank(name: str, tensor: np.ndarray, rank: int) -> None:
    """Stop with a one-line error when `tensor` does not have `rank` axes."""
    if tensor.ndim != rank:
        raise ValueError(
            f"{name} must have rank {rank}, got shape {tensor.shape}"
        )


# --8<-- [end:setup]


# --8<-- [start:elementwise]
def loop_elementwise(f, *matrices):
    """z_ij = f(x_ij, y_ij, ...): f applied to the entries in position
    (i, j)."""
    first = matrices[0]
    _require_rank("x", first, 2)
    for other in matrices[1:]:
        if other.shape != first.shape:
            raise ValueError(f"shapes {first.shape} and {other.shape} differ")
    rows, columns = first.shape
    z = np.empty(first.shape, dtype=np.result_type(*matrices))
    for i in range(rows):
        for j in range(columns):
            z[i, j] = f(*(m[i, j] for m in matrices))
    return z


def relu_of_number(t):
    """relu(t) = max(t, 0) for one number t."""
    return t if t > 0 else 0


def loop_relu(x):
    """z_ij = relu(x_ij) for every entry of a matrix x."""
    return loop_elementwise(relu_of_number, x)


def loop_add(x, y):
    """z_ij = x_ij + y_ij for two matrices of the same shape."""
    return loop_elementwise(operator.add, x, y)


# --8<-- [end:elementwise]


# --8<-- [start:dot]
def loop_vector_dot(x, y):
    """x · y = sum over k of x_k y_k: two vectors of length n give one
    number."""
    _require_rank("x", x, 1)
    _require_rank("y", y, 1)
    if len(x) != len(y):
        raise ValueError(f"vectors of lengths {len(x)} and {len(y)}")
    n = len(x)
    return sum(x[k] * y[k] for k in range(n))


def loop_matrix_vector_dot(W, x):
    """(W x)_i = sum over k of W_ik x_k: shapes (a, b) and (b,) give (a,)."""
    _require_rank("W", W, 2)
    _require_rank("x", x, 1)
    (a, b), n = W.shape, len(x)
    if b != n:
        raise ValueError(
            f"shapes {W.shape} and {x.shape} do not chain: {b} != {n}"
        )
    return np.array([sum(W[i, k] * x[k] for k in range(b)) for i in range(a)])


def loop_matrix_dot(A, B):
    """(AB)_ij = sum over k of A_ik B_kj: shapes (a, b) and (b, c)
    give (a, c)."""
    _require_rank("A", A, 2)
    _require_rank("B", B, 2)
    (a, b), (n, c) = A.shape, B.shape
    if b != n:
        raise ValueError(
            f"shapes {A.shape} and {B.shape} do not chain: {b} != {n}"
        )
    AB = np.zeros((a, c))
    for i in range(a):
        for j in range(c):
            AB[i, j] = sum(A[i, k] * B[k, j] for k in range(b))
    return AB


# --8<-- [end:dot]


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 3, 4))
    u, v = rng.standard_normal((2, 4))
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    checks = {
        "loop_relu == np.maximum(x, 0)": np.array_equal(
            loop_relu(x), np.maximum(x, 0)
        ),
        "loop_add == x + y": np.array_equal(loop_add(x, y), x + y),
        "loop_vector_dot ~ np.dot": np.isclose(
            loop_vector_dot(u, v), np.dot(u, v)
        ),
        "loop_matrix_vector_dot ~ A @ v": np.allclose(
            loop_matrix_vector_dot(A, v), A @ v
        ),
        "loop_matrix_dot ~ A @ B": np.allclose(loop_matrix_dot(A, B), A @ B),
    }
    for name, passed in checks.items():
        print(f"{name:33} {passed}")


if __name__ == "__main__":
    main()
