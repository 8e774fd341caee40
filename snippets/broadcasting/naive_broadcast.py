"""Broadcasting written out by hand: the result shape, then the expanded operation.

    python snippets/broadcasting/naive_broadcast.py   # the course's examples

`broadcast_shape` follows NumPy's rule step by step and says which axis clashes
when it fails; `expand` really copies a tensor along its stretched axes; and
`naive_broadcast` applies a two-input ufunc to the two expanded tensors
one element at a time. NumPy computes the same without building the stretched
copies.
"""

import json
from pathlib import Path

import numpy as np


# --8<-- [start:shape]
def broadcast_shape(shape_a, shape_b):
    """The shape of `a op b` under NumPy's broadcasting rule,
    or a ValueError."""
    rank = max(len(shape_a), len(shape_b))
    # Missing leading axes count as 1.
    padded_a = (1,) * (rank - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (rank - len(shape_b)) + tuple(shape_b)
    result = []
    for axis in range(-1, -rank - 1, -1):  # right to left
        m, n = padded_a[axis], padded_b[axis]
        if m == n or n == 1:
            result.append(m)
        elif m == 1:
            result.append(n)  # a size-1 axis is stretched, possibly to 0
        else:
            raise ValueError(
                f"shapes {tuple(shape_a)} and {tuple(shape_b)}"
                f" do not broadcast: axis {axis} has sizes {m} and {n},"
                " and neither is 1"
            )
    return tuple(reversed(result))


# --8<-- [end:shape]


# --8<-- [start:expand]
def expand(x, shape):
    """A new array holding `x` stretched to `shape`: add leading axes,
    then repeat."""
    x = np.array(x)  # a copy, so the result never shares memory with the input
    if broadcast_shape(x.shape, shape) != tuple(shape):
        raise ValueError(
            f"shape {x.shape} cannot be stretched to {tuple(shape)}"
        )
    x = x.reshape((1,) * (len(shape) - x.ndim) + x.shape)
    for axis, size in enumerate(shape):
        if x.shape[axis] != size:  # then x.shape[axis] == 1
            x = np.repeat(x, size, axis=axis)  # `size` copies along `axis`
    return x


def naive_broadcast(op, x, y):
    """The element-wise ufunc `op` applied entry by entry to `x` and `y`
    stretched.

    The result's dtype is the one `op` gives for a single number of each input
    dtype. For bool, the integers of 8 to 64 bits (int8 ... int64, uint8 ...
    uint64) and the floats of 16 to 64 bits, that is the dtype of `op(x, y)`:
    1 / 1 of two integers is a float, and 1 < 1 is a bool.
    """
    x, y = np.asarray(x), np.asarray(y)
    shape = broadcast_shape(x.shape, y.shape)
    big_x, big_y = expand(x, shape), expand(y, shape)
    dtype = np.asarray(op(x.dtype.type(1), y.dtype.type(1))).dtype
    result = np.empty(shape, dtype=dtype)
    for index in np.ndindex(*shape):  # (0, 0), (0, 1), ...: every index in turn
        result[index] = op(big_x[index], big_y[index])
    return result


# --8<-- [end:expand]


# The course's examples, as (name, shape_a, shape_b): the ones the chapter's
# explorer offers, read from the file it is built from.
EXAMPLES = Path(__file__).with_name("explorer_examples.json")
COURSE_EXAMPLES = [
    (example["name"], *(tuple(shape) for shape in example["shapes"]))
    for example in json.loads(EXAMPLES.read_text(encoding="utf-8"))["examples"]
]


def main() -> None:
    for name, shape_a, shape_b in COURSE_EXAMPLES:
        try:
            result = broadcast_shape(shape_a, shape_b)
        except ValueError as error:
            result = f"ValueError: {error}"
        print(f"{name}: {shape_a} with {shape_b} -> {result}")


if __name__ == "__main__":
    main()
