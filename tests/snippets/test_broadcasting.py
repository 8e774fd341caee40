"""Claims of docs/broadcasting.md about its snippets.

tests/test_snippets.py runs snippets/broadcasting/naive_broadcast.py and
snippets/broadcasting/shape_diagrams.py and compares their output and figures;
this file checks the naive implementation against NumPy (and TensorFlow) on
random shapes, and what the page and its diagrams say. The page shows the
property-based test below, from tests/snippets/test_broadcasting.py.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from snippets.broadcasting import shape_diagrams
from snippets.broadcasting.naive_broadcast import (
    COURSE_EXAMPLES,
    broadcast_shape,
    expand,
    naive_broadcast,
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "broadcasting.md"

# Shapes of rank 0 to 4 with sizes 0 to 3: small enough to loop over, and rich
# in 0s and 1s, the sizes where the rule has its special cases.
any_shape = st.lists(st.integers(min_value=0, max_value=3), max_size=4).map(tuple)
compatible_pair = mutually_broadcastable_shapes(num_shapes=2, min_side=0, max_side=3)


# --8<-- [start:property]
@settings(max_examples=300, deadline=None)
@given(any_shape, any_shape)
def test_broadcast_shape_agrees_with_numpy_on_any_pair(shape_a, shape_b):
    try:
        expected = np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        with pytest.raises(ValueError, match="do not broadcast"):
            broadcast_shape(shape_a, shape_b)
    else:
        assert broadcast_shape(shape_a, shape_b) == expected


@settings(max_examples=200, deadline=None)
@given(compatible_pair, st.sampled_from([np.add, np.multiply, np.maximum]))
def test_naive_broadcast_computes_what_numpy_computes(shapes, op):
    shape_a, shape_b = shapes.input_shapes
    rng = np.random.default_rng(0)
    x = rng.integers(-9, 10, size=shape_a)
    y = rng.integers(-9, 10, size=shape_b)
    result = naive_broadcast(op, x, y)
    assert result.shape == shapes.result_shape
    assert np.array_equal(result, op(x, y))


# --8<-- [end:property]


@settings(max_examples=200, deadline=None)
@given(
    any_shape,
    st.data(),
    st.tuples(st.integers(0, 5), st.integers(0, 5)).filter(
        lambda sizes: sizes[0] != sizes[1] and 1 not in sizes
    ),
)
def test_a_clash_on_any_axis_is_reported_on_that_axis(shape, data, sizes):
    """Incompatible pairs are rarer among random shapes; build them on purpose."""
    rank = len(shape) + 1
    axis = data.draw(st.integers(-rank, -1))
    shape_a = list((*shape, 1))
    shape_b = list(shape_a)
    shape_a[axis], shape_b[axis] = sizes
    with pytest.raises(ValueError):
        np.broadcast_shapes(tuple(shape_a), tuple(shape_b))
    # right to left, the first clash is the one reported; here it is the only one
    message = f"axis {axis} has sizes {sizes[0]} and {sizes[1]}, and neither is 1"
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        broadcast_shape(tuple(shape_a), tuple(shape_b))
    assert "\n" not in str(error.value)


@settings(max_examples=200, deadline=None)
@given(compatible_pair)
def test_expand_makes_the_copy_that_np_broadcast_to_only_pretends_to(shapes):
    shape_a, _ = shapes.input_shapes
    x = np.arange(int(np.prod(shape_a))).reshape(shape_a)
    expanded = expand(x, shapes.result_shape)
    view = np.broadcast_to(x, shapes.result_shape)
    assert np.array_equal(expanded, view)
    assert expanded.flags.writeable and not view.flags.writeable


@pytest.mark.parametrize(
    ("shape_a", "shape_b", "result"),
    [
        ((0, 3), (1, 3), (0, 3)),  # a size-1 axis stretches to 0: not max(0, 1)
        ((0,), (1,), (0,)),
        ((2, 0), (2, 1), (2, 0)),
        ((), (4, 0), (4, 0)),
        ((0,), (2,), None),  # 0 and 2 clash like any two sizes other than 1
    ],
)
def test_zero_length_axes(shape_a, shape_b, result):
    if result is None:
        with pytest.raises(ValueError):
            broadcast_shape(shape_a, shape_b)
        with pytest.raises(ValueError):
            np.broadcast_shapes(shape_a, shape_b)
    else:
        assert broadcast_shape(shape_a, shape_b) == result
        assert np.broadcast_shapes(shape_a, shape_b) == result
        x, y = np.ones(shape_a), np.ones(shape_b)
        assert naive_broadcast(np.add, x, y).shape == result == (x + y).shape


def test_expand_refuses_to_shrink_or_clash():
    with pytest.raises(
        ValueError, match=r"shape \(2, 3\) cannot be stretched to \(3,\)"
    ):
        expand(np.ones((2, 3)), (3,))
    with pytest.raises(ValueError, match="axis -1 has sizes 3 and 2"):
        expand(np.ones(3), (4, 2))


def test_the_course_examples_give_the_course_shapes():
    results = {}
    for name, shape_a, shape_b in COURSE_EXAMPLES:
        try:
            results[name] = broadcast_shape(shape_a, shape_b)
        except ValueError as error:
            results[name] = str(error)
    assert results == {
        "image scaled per colour": (256, 256, 3),
        "incompatible": "shapes (5, 1, 3) and (4, 2, 3) do not broadcast: "
        "axis -3 has sizes 5 and 4, and neither is 1",
        "vector added to a matrix": (32, 10),
        "np.maximum": (64, 3, 32, 10),
    }


def test_numpy_error_message_is_the_one_the_page_shows():
    with pytest.raises(ValueError) as error:
        np.ones((5, 1, 3)) + np.ones((4, 2, 3))
    # "(NumPy's message ends with a space, which `strip()` removes for printing.)"
    assert str(error.value).endswith(" ")
    assert "ends with a space" in PAGE.read_text()
    message = str(error.value).strip()
    assert message == (
        "operands could not be broadcast together with shapes (5,1,3) (4,2,3)"
    )
    assert f"NumPy: ValueError: {message}\n" in PAGE.read_text()


@settings(max_examples=60, deadline=None)
@given(any_shape, any_shape)
def test_tensorflow_follows_the_same_rule(shape_a, shape_b):
    tf = pytest.importorskip("tensorflow")
    try:
        expected = broadcast_shape(shape_a, shape_b)
    except ValueError:
        with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
            tf.broadcast_static_shape(tf.TensorShape(shape_a), tf.TensorShape(shape_b))
    else:
        static = tf.broadcast_static_shape(
            tf.TensorShape(shape_a), tf.TensorShape(shape_b)
        )
        assert tuple(static) == expected


def test_tensorflow_operations_raise_invalid_argument_on_the_course_pair():
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=re.escape("[5,1,3] vs. [4,2,3]")
    ):
        tf.ones((5, 1, 3)) + tf.ones((4, 2, 3))


# snippets/broadcasting/shape_diagrams.py


def test_there_is_a_diagram_for_each_course_example_and_the_page_shows_it():
    drawn = {
        tuple(shape for _, shape in operands)
        for _, operands, *_ in shape_diagrams.DIAGRAMS
    }
    assert drawn == {(a, b) for _, a, b in COURSE_EXAMPLES}
    page = PAGE.read_text()
    for name, *_ in shape_diagrams.DIAGRAMS:
        assert f"](figures/broadcasting/{name})" in page
    assert "](figures/broadcasting/stretching.svg)" in page


@pytest.mark.parametrize(
    ("shapes", "states", "result"),
    [
        (
            [(5, 1, 3), (4, 2, 3)],
            [["clash", "stretched", "kept"], ["clash", "kept", "kept"]],
            [None, 2, 3],
        ),
        (
            [(256, 256, 3), (3,)],
            [["kept", "kept", "kept"], ["missing", "missing", "kept"]],
            [256, 256, 3],
        ),
        (
            [(64, 3, 32, 10), (32, 10)],
            [["kept"] * 4, ["missing", "missing", "kept", "kept"]],
            [64, 3, 32, 10],
        ),
    ],
)
def test_the_diagrams_mark_what_the_rule_does_on_each_axis(shapes, states, result):
    rank = max(len(shape) for shape in shapes)
    assert shape_diagrams.column_states(shapes, rank) == (states, result)


def test_tensorflow_does_not_mix_dtypes_where_numpy_converts():
    """The page's warning: broadcasting is about shapes; TF wants equal dtypes."""
    tf = pytest.importorskip("tensorflow")
    assert (np.array([1, 2, 3]) + np.array([0.5])).dtype == np.float64
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2, 3]) + tf.constant([0.5])
    materialised = tf.broadcast_to(tf.range(3), (2, 3))
    assert tuple(materialised.shape) == (2, 3)
