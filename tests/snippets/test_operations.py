"""Claims of docs/operations.md about its snippets.

tests/test_snippets.py runs snippets/operations/naive_ops.py, speed_table.py,
geometric_maps.py, folding.py, row_times_column.py and reshape_vs_transpose.py
and compares their output and figures; this file checks what the page says
about them, and the page's other statements about NumPy, TensorFlow and Keras
(listed in tests/claims/operations.toml).
"""

import inspect
import itertools
import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lab.mnist_data import load_mnist
from snippets.operations import (
    folding,
    geometric_maps,
    reshape_vs_transpose,
    row_times_column,
    speed_table,
)
from snippets.operations.naive_ops import (
    loop_add,
    loop_matrix_dot,
    loop_matrix_vector_dot,
    loop_relu,
    loop_vector_dot,
)

REPOSITORY = Path(__file__).resolve().parents[2]
PAGE = REPOSITORY / "docs" / "operations.md"

small = st.integers(min_value=1, max_value=6)
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


def matrix(rows, columns):
    return arrays(np.float64, (rows, columns), elements=finite)


# snippets/operations/naive_ops.py


@settings(max_examples=50, deadline=None)
@given(st.tuples(small, small).flatmap(lambda shape: st.tuples(*[matrix(*shape)] * 2)))
def test_loop_elementwise_operations_equal_numpy(pair):
    x, y = pair
    assert np.array_equal(loop_relu(x), np.maximum(x, 0.0))
    assert np.array_equal(loop_add(x, y), x + y)


any_finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(small, small), elements=any_finite))
def test_the_loops_agree_with_numpy_on_finite_numbers_but_not_on_nan(x):
    # "on these numbers the loops agree": on every finite number, in fact ...
    assert np.array_equal(loop_relu(x), np.maximum(x, 0.0))
    with np.errstate(over="ignore"):  # huge sums overflow to inf, in both
        assert np.array_equal(loop_add(x, x[::-1]), x + x[::-1])
    # ... but not on every number: the loop's relu turns NaN into 0
    with_nan = np.array([[np.nan, -1.0], [2.0, 0.5]])
    assert not np.array_equal(
        loop_relu(with_nan), np.maximum(with_nan, 0.0), equal_nan=True
    )


def test_the_loop_matrix_product_equals_matmul_only_up_to_rounding():
    # the operands of the speed table
    rng = np.random.default_rng(0)
    rng.standard_normal((2, 128, 128))
    A, B = rng.standard_normal((2, 64, 64))
    loop, blas = loop_matrix_dot(A, B), np.matmul(A, B)
    assert not np.array_equal(loop, blas)  # not exactly the same numbers
    assert np.allclose(loop, blas, rtol=1e-12, atol=1e-12)  # only the last digits
    # the loop's entry is its left-to-right sum of rounded products
    assert loop[0, 0] == sum(A[0, k] * B[k, 0] for k in range(64))
    # floating-point addition depends on the order of the terms
    assert (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)


def test_loop_relu_leaves_its_input_untouched():
    x = np.array([[-1.0, 2.0]])
    loop_relu(x)
    assert x.tolist() == [[-1.0, 2.0]]


@settings(max_examples=50, deadline=None)
@given(st.tuples(small, small, small), st.randoms(use_true_random=False))
def test_loop_dot_products_equal_numpy_and_follow_the_shape_rule(shape, random):
    a, b, c = shape
    rng = np.random.default_rng(random.randrange(2**32))
    A, B, x, y = (rng.standard_normal(s) for s in ((a, b), (b, c), (b,), (b,)))
    assert np.isclose(loop_vector_dot(x, y), np.dot(x, y))
    assert np.allclose(loop_matrix_vector_dot(A, x), A @ x)
    product = loop_matrix_dot(A, B)
    assert product.shape == (a, c)
    assert np.allclose(product, np.dot(A, B))


def test_loop_dot_products_equal_tf_matmul():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(7)
    A, B = rng.standard_normal((3, 5)), rng.standard_normal((5, 4))
    assert np.allclose(loop_matrix_dot(A, B), tf.matmul(A, B).numpy())
    assert np.allclose(loop_matrix_vector_dot(A, B[:, 0]), tf.linalg.matvec(A, B[:, 0]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: loop_relu(np.zeros(3)), "x must have rank 2, got shape (3,)"),
        (
            lambda: loop_add(np.zeros((2, 3)), np.zeros((3, 2))),
            "shapes (2, 3) and (3, 2)",
        ),
        (lambda: loop_vector_dot(np.zeros(2), np.zeros(3)), "lengths 2 and 3"),
        (lambda: loop_matrix_dot(np.zeros((5, 4)), np.zeros((3, 5))), "4 != 3"),
    ],
)
def test_bad_shapes_get_a_one_line_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        call()
    assert "\n" not in str(error.value)


def test_the_course_dense_layer_element_by_element():
    rng = np.random.default_rng(0)
    w, x, b = rng.normal(size=(512, 784)), rng.normal(size=784), rng.normal(size=512)
    output = np.maximum(np.dot(w, x) + b, 0.0)
    assert output.shape == (512,)
    for i in range(512):
        by_hand = max(sum(w[i, j] * x[j] for j in range(784)) + b[i], 0.0)
        assert np.isclose(by_hand, output[i])


# snippets/operations/speed_table.py


def claimed_bound_on_page() -> int:
    bounds = set(re.findall(r"at least (\d+)× faster", PAGE.read_text()))
    assert len(bounds) == 1, f"the page states {len(bounds)} different bounds"
    return int(bounds.pop())


def test_the_page_states_the_bound_the_snippet_claims():
    assert claimed_bound_on_page() == speed_table.CLAIMED_SPEEDUP
    assert '--8<-- "snippets/operations/speed_table.md"' in PAGE.read_text()


def assert_every_speedup_meets_the_bound(rows: list[dict]) -> None:
    assert [row["operation"] for row in rows] == ["relu", "add", "matrix dot"]
    for row in rows:
        assert row["speedup"] >= speed_table.CLAIMED_SPEEDUP, row


def test_vectorized_code_is_at_least_the_claimed_times_faster_on_this_machine():
    # "the book's tests re-measure it on every run and fail where it does not
    # hold": a fresh measurement on the machine running the tests, every run.
    # One-sided: each operation against its own loop. Live timings of two
    # different operations are never compared with each other (shared machine).
    assert_every_speedup_meets_the_bound(speed_table.measure(repeats=3))


def test_the_speed_check_fails_where_the_bound_does_not_hold():
    # The bound is a measurement, not a law: on a machine where one ratio falls
    # below it, the check above fails instead of passing silently.
    rows = [
        {"operation": name, "speedup": 10 * speed_table.CLAIMED_SPEEDUP}
        for name in ("relu", "add", "matrix dot")
    ]
    assert_every_speedup_meets_the_bound(rows)
    rows[2]["speedup"] = speed_table.CLAIMED_SPEEDUP - 1
    with pytest.raises(AssertionError):
        assert_every_speedup_meets_the_bound(rows)
    page = " ".join(PAGE.read_text().split())
    assert "on every machine" not in page  # the old, universal wording
    assert page.count("re-measure it on every run and fail where it does not hold") == 3


def test_the_speed_table_times_numpy_only():
    source = inspect.getsource(speed_table)
    assert "tensorflow" not in source and "tf." not in source
    assert "np.matmul" in source and "np.add" in source


def test_the_committed_table_is_generated_from_the_committed_data_and_meets_the_claim():
    data = json.loads(speed_table.DATA.read_text())
    assert speed_table.TABLE.read_text() == speed_table.markdown_table(data)
    speedups = {row["operation"]: row["speedup"] for row in data["rows"]}
    assert min(speedups.values()) >= speed_table.CLAIMED_SPEEDUP
    # "a one-sided bound with a wide safety margin": every measured ratio is
    # more than ten times the bound; the snippet's comment says above 1,000×
    assert min(speedups.values()) > 10 * speed_table.CLAIMED_SPEEDUP
    assert min(speedups.values()) > 1000
    assert "are all above 1,000×" in inspect.getsource(speed_table)
    # "In the committed table the matrix product has the largest ratio": a
    # measurement read from the committed data, not a live comparison
    assert max(speedups, key=speedups.get) == "matrix dot"
    # the table says where it was measured
    assert data["machine"] in speed_table.TABLE.read_text()


def steps_per_operation():
    return {"relu": 128 * 128, "add": 128 * 128, "matrix dot": 64**3}


def test_per_step_the_committed_product_loop_is_cheapest_and_blas_fastest():
    data = json.loads(speed_table.DATA.read_text())
    steps = steps_per_operation()
    shapes = {row["operation"]: row["shapes"] for row in data["rows"]}
    assert shapes["matrix dot"] == "(64, 64), (64, 64)"
    assert shapes["relu"] == "(128, 128)"
    loop = {
        r["operation"]: r["loop_seconds"] / steps[r["operation"]] for r in data["rows"]
    }
    vectorized = {
        r["operation"]: r["numpy_seconds"] / steps[r["operation"]] for r in data["rows"]
    }
    # the product's loop is the cheapest per step, so its larger ratio comes
    # from the NumPy side, which is the fastest per step
    assert min(loop, key=loop.get) == "matrix dot"
    assert min(vectorized, key=vectorized.get) == "matrix dot"
    for row in data["rows"]:  # the speed-up is the ratio of the per-step times
        operation = row["operation"]
        assert np.isclose(row["speedup"], loop[operation] / vectorized[operation])
    # the old explanation ("its loop has the most interpreted work per result")
    # would need the product's loop to be the dearest per step; it is not
    assert max(loop, key=loop.get) != "matrix dot"


def test_speed_table_rejects_a_bad_repeat_count(capsys):
    with pytest.raises(SystemExit) as exit_:
        speed_table.main(["--repeats", "0"])
    assert exit_.value.code == 2
    assert "--repeats must be at least 1" in capsys.readouterr().err


# snippets/operations/geometric_maps.py


def test_the_figure_shows_the_six_maps_the_page_lists():
    titles = [title.split(":")[0] for title, *_ in geometric_maps.MAPS]
    assert titles == [
        "translation",
        "rotation by 40°",
        "scaling",
        "linear",
        "affine",
        "relu of affine",
    ]


def test_each_panel_is_the_map_its_title_names():
    points = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    maps = {title.split(":")[0]: rest for title, *rest in geometric_maps.MAPS}
    moved = geometric_maps.transform(points, *maps["translation"])
    assert np.allclose(moved - points, moved[0] - points[0])  # one arrow for all
    turned = geometric_maps.transform(points, *maps["rotation by 40°"])
    assert np.allclose(np.linalg.norm(turned, axis=1), np.linalg.norm(points, axis=1))
    cos = np.sum(turned * points, axis=1) / np.linalg.norm(points, axis=1) ** 2
    assert np.allclose(np.degrees(np.arccos(cos)), 40)
    for name in ("rotation by 40°", "scaling", "linear"):  # linear maps fix the origin
        assert np.allclose(geometric_maps.transform(np.zeros((1, 2)), *maps[name]), 0)
    W, b, _ = maps["affine"]
    assert not np.allclose(b, 0)  # the affine panel really moves the origin
    folded = geometric_maps.transform(points, *maps["relu of affine"])
    assert folded.min() == 0.0  # some points were pushed onto an axis
    assert np.array_equal(folded, np.maximum(points @ W.T + b, 0.0))


def test_the_figure_marks_the_image_of_the_origin_with_a_red_dot():
    moved = {}
    for title, W_map, b_map, relu in geometric_maps.MAPS:
        origin = geometric_maps.transform(np.zeros((1, 2)), W_map, b_map, relu)[0]
        moved[title.split(":")[0]] = not np.allclose(origin, 0)
    assert moved == {
        "translation": True,
        "rotation by 40°": False,
        "scaling": False,
        "linear": False,
        "affine": True,
        "relu of affine": True,
    }
    source = inspect.getsource(geometric_maps.draw)
    assert '"o", color="tab:red"' in source  # drawn in every panel's loop
    alt = (
        "In every panel a red dot marks the image of the origin: it stays at the "
        "origin for the rotation, the scaling and the linear map, and moves for the "
        "translation, the affine map and relu."
    )
    assert alt in " ".join(PAGE.read_text().split())


def test_the_composition_of_two_affine_maps_is_affine():
    rng = np.random.default_rng(1)
    W1, b1, W2, b2 = (rng.standard_normal(s) for s in ((4, 3), (4,), (2, 4), (2,)))
    x = rng.standard_normal((20, 3))
    two = (x @ W1.T + b1) @ W2.T + b2
    assert np.allclose(two, x @ (W2 @ W1).T + (W2 @ b1 + b2))


# snippets/operations/folding.py


def test_the_fold_computes_the_absolute_value_and_the_difference():
    points, _ = folding.make_points()
    expected = np.column_stack(
        [np.abs(points.sum(axis=1)), points[:, 0] - points[:, 1]]
    )
    assert np.allclose(folding.fold(points), expected)


def test_after_the_fold_one_line_separates_every_point():
    points, in_band = folding.make_points()
    assert 0 < in_band.sum() < len(points)
    assert np.array_equal(folding.fold(points)[:, 0] < 1.0, in_band)


def test_no_line_separates_the_classes_before_the_fold():
    def in_band(point):
        return abs(point[0] + point[1]) < 1

    # the page's argument: two outside points whose midpoint is in the band
    p, q = np.array([1.5, 1.5]), np.array([-1.5, -1.5])
    assert not in_band(p) and not in_band(q) and in_band((p + q) / 2)
    # and on the data: a band point inside a triangle of outside points
    points, band = folding.make_points()
    outside = points[~band]
    corners = [
        outside[np.argmax(outside.sum(axis=1))],
        outside[np.argmin(outside.sum(axis=1))],
    ]
    corners.append(outside[np.argmax(outside[:, 0] - outside[:, 1])])
    T = np.column_stack([corners[0] - corners[2], corners[1] - corners[2]])
    weights = np.linalg.solve(T, (points[band] - corners[2]).T).T
    inside = (weights >= 0).all(axis=1) & (weights.sum(axis=1) <= 1)
    assert inside.any()


def test_the_page_cites_the_printed_numbers_of_the_fold():
    assert folding.make_points()[0].shape == (400, 2)
    assert "Top: 400 random points" in PAGE.read_text()


# Element-wise operations and the speed of vectorized code


def test_an_elementwise_result_does_not_depend_on_the_order_of_the_entries():
    x = np.random.default_rng(8).standard_normal((6, 5))
    z = np.empty_like(x)
    positions = list(np.ndindex(x.shape))
    for index in np.random.default_rng(9).permutation(len(positions)):
        i, j = positions[index]
        z[i, j] = max(x[i, j], 0.0)
    assert np.array_equal(z, loop_relu(x))


def test_reading_one_entry_creates_a_new_numpy_scalar_object():
    x = np.zeros((2, 2))
    assert type(x[0, 1]) is np.float64
    assert x[0, 1] is not x[0, 1]  # a fresh object on every read


def test_this_numpy_uses_simd_instructions_and_openblas():
    from numpy._core import _multiarray_umath

    assert _multiarray_umath.__cpu_baseline__  # compiled for SIMD (SSE... at least)
    blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    assert blas["found"] and "openblas" in blas["name"].lower()
    # DYNAMIC_ARCH: OpenBLAS picks routines tuned for the processor it runs on
    assert "DYNAMIC_ARCH" in blas.get("openblas configuration", "")


def test_an_n_by_n_product_does_n_cubed_multiplications_in_the_loop():
    count = 0

    class Counted(float):
        def __mul__(self, other):
            nonlocal count
            count += 1
            return float(self) * float(other)

    n = 6
    A = np.array([[Counted(1.0)] * n] * n, dtype=object)
    loop_matrix_dot(A, np.ones((n, n)))
    assert count == n**3
    assert 64**3 == 262_144 and steps_per_operation()["matrix dot"] == 262_144
    assert "$n^3 = 262{,}144$ of them for $n = 64$" in " ".join(
        PAGE.read_text().split()
    )


# Reductions


def test_reductions_remove_the_axis_they_run_along():
    tf = pytest.importorskip("tensorflow")
    x = np.arange(12).reshape(3, 4)
    assert x.sum(axis=0).shape == (4,)
    assert x.sum(axis=1).shape == (3,)
    assert x.sum(axis=1, keepdims=True).shape == (3, 1)
    assert x.sum().shape == ()
    for reduce in (np.mean, np.max, np.argmax):  # keepdims included
        assert reduce(x, axis=0).shape == (4,)
        assert reduce(x, axis=1).shape == (3,)
        assert reduce(x, axis=1, keepdims=True).shape == (3, 1)
        assert np.shape(reduce(x)) == ()
    # with no axis, argmax is the position in the row-by-row reading order
    page_matrix = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    assert page_matrix.argmax() == 5 == page_matrix.reshape(-1).argmax()
    assert page_matrix.reshape(-1)[5] == 9
    assert np.array_equal(
        x.sum(axis=0), [sum(x[i, j] for i in range(3)) for j in range(4)]
    )
    assert np.array_equal(
        x.sum(axis=1), [sum(x[i, j] for j in range(4)) for i in range(3)]
    )
    t = tf.constant(x)
    assert tuple(tf.reduce_sum(t, axis=0).shape) == (4,)
    assert tuple(tf.reduce_sum(t, axis=1, keepdims=True).shape) == (3, 1)
    assert tuple(tf.reduce_max(t, axis=1).shape) == (3,)
    assert tuple(tf.reduce_sum(t).shape) == ()
    for reduce in (tf.reduce_sum, tf.reduce_mean, tf.reduce_max):
        assert {"axis", "keepdims"} <= set(inspect.signature(reduce).parameters)


def test_tf_argmax_has_no_keepdims_and_works_along_axis_0_without_an_axis():
    tf = pytest.importorskip("tensorflow")
    assert "keepdims" not in inspect.signature(tf.argmax).parameters
    x = tf.constant([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    # not one number, as NumPy's argmax gives, but one position per column
    assert tuple(tf.argmax(x).shape) == (4,)
    assert tf.argmax(x).numpy().tolist() == tf.argmax(x, axis=0).numpy().tolist()
    assert tf.argmax(x).numpy().tolist() == [1, 1, 2, 2]


def test_tf_reduce_mean_keeps_an_integer_dtype_and_numpy_mean_gives_floats():
    tf = pytest.importorskip("tensorflow")
    x = np.array([[3, 1, 4, 1]])
    truncated = tf.reduce_mean(tf.constant(x), axis=1)
    assert truncated.dtype.is_integer and truncated.numpy().tolist() == [2]
    # truncated toward zero, not rounded down: -2.25 becomes -2, not -3
    negative = tf.reduce_mean(tf.constant(-x), axis=1).numpy().tolist()
    assert negative == [-2] and negative != [int(np.floor(-2.25))]
    assert np.mean(x, axis=1).dtype == np.float64
    assert np.mean(x, axis=1).tolist() == [2.25]


def test_argmax_is_how_the_first_network_picks_its_answer():
    first_network = (REPOSITORY / "docs" / "first-network.md").read_text()
    assert "argmax" in first_network
    probabilities = np.array([0.1, 0.7, 0.2])
    assert probabilities.argmax() == 1


# A dense layer, number by number


def test_unit_0_is_silent_because_its_bias_pulls_its_positive_sum_below_zero():
    (x_train, _), _ = load_mnist()
    x = x_train[0].reshape(784) / 255
    rng = np.random.default_rng(0)
    w = rng.normal(0.0, 0.05, size=(512, 784))
    b = rng.normal(0.0, 0.05, size=(512,))
    wx = w @ x
    assert wx[0] > 0 and b[0] < 0 and wx[0] + b[0] < 0
    silent = np.count_nonzero(np.maximum(wx + b, 0.0) == 0)
    assert silent == 262 and 0.4 < silent / 512 < 0.6  # "about half"


def test_element_i_of_the_dot_product_is_a_sum_of_an_elementwise_product():
    rng = np.random.default_rng(10)
    w, x = rng.standard_normal((5, 7)), rng.standard_normal(7)
    assert np.allclose([(w[i] * x).sum() for i in range(5)], np.dot(w, x))


def test_a_keras_dense_kernel_has_shape_inputs_by_units_and_computes_x_w_plus_b():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Dense(512, activation="relu", bias_initializer="random_normal")
    x = np.random.default_rng(11).standard_normal((4, 784)).astype("float32")
    output = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert kernel.shape == (784, 512) and bias.shape == (512,)
    assert layer.kernel.shape == (784, 512)
    assert np.allclose(output, np.maximum(x @ kernel + bias, 0.0), atol=1e-5)
    plain = keras.layers.Dense(3, bias_initializer="random_normal")  # no activation
    y = plain(x).numpy()
    assert np.allclose(
        y, x @ plain.get_weights()[0] + plain.get_weights()[1], atol=1e-5
    )


def test_a_dense_layer_adds_its_bias_and_applies_its_activation_after_the_product():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Dense(512, activation="relu", bias_initializer="random_normal")
    x = np.random.default_rng(20).random((128, 784)).astype("float32")
    output = layer(x).numpy()
    kernel, bias = layer.get_weights()
    product = x @ kernel
    assert product.shape == output.shape == (128, 512)
    assert not np.allclose(product, output)  # the product alone is not the output
    assert np.allclose(output, np.maximum(product + bias, 0.0), atol=1e-5)


def test_both_batch_products_obey_the_shape_rule_and_b_is_added_by_broadcasting():
    rng = np.random.default_rng(21)
    X, w, b = rng.random((128, 784)), rng.normal(size=(512, 784)), rng.normal(size=512)
    one_digit_per_row = X @ w.T
    one_digit_per_column = w @ X.T
    assert one_digit_per_row.shape == (128, 512)
    assert one_digit_per_column.shape == (512, 128)
    assert np.allclose(one_digit_per_column.T, one_digit_per_row)  # same numbers
    # b (512,) is added to every row: the broadcasting of the next chapter
    added = one_digit_per_row + b
    assert np.allclose(added, one_digit_per_row + np.tile(b, (128, 1)))
    assert "[next chapter](broadcasting.md)" in PAGE.read_text()


def test_the_stack_has_51_9_times_as_many_parameters_not_51_9_times_more():
    stacked = (784 * 512 + 512) + (512 * 10 + 10)
    single = 784 * 10 + 10
    assert round(stacked / single, 1) == 51.9  # "as many"
    assert round((stacked - single) / single, 1) == 50.9  # "more" would be this


# Dot products


def test_dot_products_do_over_99_percent_of_the_first_networks_arithmetic():
    # One prediction of Dense(512, relu) -> Dense(10, softmax) on 784 inputs.
    dot_products = 2 * (784 * 512 + 512 * 10)  # a multiplication and an addition each
    bias_and_relu = 512 + 10 + 512
    softmax = 4 * 10  # generous: subtract the maximum, exp, add up, divide
    share = dot_products / (dot_products + bias_and_relu + softmax)
    assert share > 0.99
    assert "more than 99 % of the multiplications" in PAGE.read_text()


def test_numpy_at_takes_a_vector_and_tf_matmul_needs_rank_2():
    tf = pytest.importorskip("tensorflow")
    A, v = np.ones((3, 5)), np.ones(5)
    assert (A @ v).shape == (3,) and np.dot(v, v).shape == ()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.matmul(A, v)
    assert tuple(tf.matmul(A, v[:, None]).shape) == (3, 1)


def test_np_dot_with_a_rank_3_right_operand_does_not_sum_its_first_axis():
    # the summary's "first axis of the right one" holds for vectors and matrices only
    left, right = np.ones((2, 3, 4, 5)), np.ones((6, 5, 7))
    assert np.dot(left, right).shape == (2, 3, 4, 6, 7)  # axis 1 (5) summed, not 0 (6)
    with pytest.raises(ValueError):
        np.dot(np.ones((2, 5)), np.ones((5, 6, 7)))  # first axis 5 matches, yet refused
    assert np.dot(np.ones((2, 5)), np.ones((5, 7))).shape == (2, 7)
    assert np.dot(np.ones((2, 5)), np.ones(5)).shape == (2,)


def test_np_dot_sums_the_last_axis_of_the_left_and_second_to_last_of_the_right():
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4, 6))
    expected = np.einsum("ijk,lkm->ijlm", a, b)
    assert np.allclose(np.dot(a, b), expected)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=20), st.randoms(use_true_random=False))
def test_the_vector_dot_product_is_commutative(length, random):
    rng = np.random.default_rng(random.randrange(2**32))
    x, y = rng.standard_normal((2, length))
    assert loop_vector_dot(x, y) == loop_vector_dot(y, x)  # x_k y_k == y_k x_k
    assert np.isclose(np.dot(x, y), np.dot(y, x))


def test_the_matrix_product_is_not_commutative_and_one_order_may_be_undefined():
    A = np.array([[1.0, 2.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [3.0, 1.0]])
    assert not np.array_equal(A @ B, B @ A)
    assert not np.array_equal(loop_matrix_dot(A, B), loop_matrix_dot(B, A))
    rng = np.random.default_rng(6)
    for _ in range(20):  # random square matrices essentially never commute
        P, Q = rng.standard_normal((2, 3, 3))
        assert not np.allclose(P @ Q, Q @ P)
    W, v = np.ones((3, 4)), np.ones(4)
    assert np.dot(W, v).shape == (3,)
    with pytest.raises(ValueError, match="not aligned"):
        np.dot(v, W)


def test_the_row_times_column_figure_shows_one_entry_of_the_product():
    A, B = row_times_column.A, row_times_column.B
    i, j = row_times_column.ROW, row_times_column.COLUMN
    assert (A @ B).shape == (2, 4)
    assert sum(row_times_column.products()) == (A @ B)[i, j] == 5
    assert row_times_column.formula() == "(AB)[1, 2] = 3·0 + 1·3 + 2·1 = 5"
    assert (i, j) == (1, 2) and A.shape[0] == 2 and B.shape[1] == 4
    ordinal = ["first", "second", "third", "fourth"]
    alt = (
        f"Row {i} of A, counting from 0 (its {ordinal[i]} row: "
        f"{', '.join(map(str, A[i]))}), is shaded blue, column {j} of B, counting "
        f"from 0 (its {ordinal[j]} column: {', '.join(map(str, B[:, j]))}), "
        "is shaded orange"
    )
    assert alt in " ".join(PAGE.read_text().split())
    # "swapping A and B ... B has rows of 4 numbers and A columns of 2"
    assert B.shape[1] == 4 and A.shape[0] == 2
    with pytest.raises(ValueError):
        np.dot(B, A)


# Reshaping and transposing


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4))
def test_reshape_keeps_every_entry_once_so_the_number_of_entries_is_fixed(lengths):
    x = np.arange(int(np.prod(lengths))).reshape(lengths)
    flat = x.reshape(-1)
    assert flat.size == x.size and sorted(flat.tolist()) == list(range(x.size))
    assert x.reshape(x.size, -1).shape == (x.size, 1)  # -1 = entries / other lengths
    with pytest.raises(ValueError):
        x.reshape(x.size + 1)


def test_a_2_by_3_matrix_reshapes_to_3_by_2_or_6_never_4_by_2():
    x = np.arange(6).reshape(2, 3)
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape(6).shape == (6,)
    with pytest.raises(ValueError):
        x.reshape(4, 2)


def test_numpy_by_default_and_tensorflow_reshape_in_row_major_order():
    tf = pytest.importorskip("tensorflow")
    x = np.arange(6).reshape(2, 3)
    assert np.array_equal(x.reshape(3, 2), x.reshape(3, 2, order="C"))
    assert not np.array_equal(x.reshape(3, 2), x.reshape(3, 2, order="F"))
    assert np.array_equal(tf.reshape(x, (3, 2)).numpy(), x.reshape(3, 2))
    # the last index varies fastest: (i, j) sits at position 3i + j of the flat data
    assert all(x.reshape(-1)[3 * i + j] == x[i, j] for i, j in np.ndindex(2, 3))
    assert x.reshape(3, 2).reshape(-1).tolist() == [0, 1, 2, 3, 4, 5]
    assert x.T.reshape(-1).tolist() == [0, 3, 1, 4, 2, 5]


def test_the_reshape_figure_keeps_reading_order_and_the_transpose_swaps_axes():
    x = reshape_vs_transpose.x
    panels = dict(reshape_vs_transpose.PANELS)
    reshaped = panels["x.reshape(4, 3): same reading order"]
    transposed = panels["x.T, shape (4, 3): axes swapped"]
    assert reshaped.shape == transposed.shape == (4, 3)
    order = reshape_vs_transpose.reading_order
    assert order(reshaped) == order(x) == list(range(12))
    assert order(transposed) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
    assert np.array_equal(transposed[:, 0], x[0])  # first row -> first column
    assert np.array_equal(reshaped.reshape(-1)[:4], x[0])


def test_pixel_r_c_of_a_digit_lands_at_position_28r_plus_c():
    (x_train, _), _ = load_mnist()
    flat = x_train.reshape(len(x_train), 784)
    for r, c in np.ndindex(28, 28):
        assert flat[3, 28 * r + c] == x_train[3, r, c]


def test_a_reshape_of_contiguous_data_is_a_view_like_a_basic_slice():
    x = np.arange(24).reshape(4, 6)
    flat = x.reshape(-1)
    assert np.shares_memory(flat, x) and flat.base is not None
    assert np.shares_memory(x[1:3, 2:], x)


def test_keras_defaults_to_channels_last_and_accepts_channels_first():
    keras = pytest.importorskip("keras")
    assert keras.config.image_data_format() == "channels_last"
    layer = keras.layers.Conv2D(4, 3, data_format="channels_first")
    assert layer.data_format == "channels_first"


def test_a_transpose_puts_old_axis_perm_k_at_new_axis_k():
    x = np.zeros((2, 3, 4, 5))
    perm = (0, 3, 1, 2)
    y = np.transpose(x, perm)
    assert y.shape == tuple(x.shape[p] for p in perm)
    z = np.random.default_rng(13).standard_normal((2, 3, 4, 5))
    w = np.transpose(z, perm)
    assert w[1, 4, 2, 3] == z[1, 2, 3, 4]  # new index k is old index perm[k]


# The geometry of tensor operations


def test_a_translation_keeps_every_distance():
    points = np.random.default_rng(14).standard_normal((30, 2))
    moved = points + np.array([1.0, 0.6])
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    moved_distances = np.linalg.norm(moved[:, None] - moved[None], axis=-1)
    assert np.allclose(distances, moved_distances)


def test_a_linear_map_keeps_the_origin_straight_lines_and_parallels():
    W = geometric_maps.W
    assert np.allclose(W @ np.zeros(2), 0)
    point, direction = np.array([0.3, -0.2]), np.array([1.0, 2.0])
    line = point + np.linspace(-2, 2, 9)[:, None] * direction
    image = line @ W.T
    steps = np.diff(image, axis=0)
    cross = steps[:, 0] * steps[0, 1] - steps[:, 1] * steps[0, 0]
    assert np.allclose(cross, 0)  # still on one straight line
    shifted = (line + np.array([0.5, 0.5])) @ W.T  # a parallel line
    shifted_step = shifted[1] - shifted[0]
    assert np.isclose(shifted_step[0] * steps[0, 1] - shifted_step[1] * steps[0, 0], 0)


def test_the_all_ones_matrix_flattens_the_plane_and_squashes_a_line_to_a_point():
    ones = np.ones((2, 2))
    points = np.random.default_rng(15).standard_normal((20, 2))
    images = points @ ones.T
    assert np.allclose(images[:, 0], images[:, 1])  # all on the line y = x
    line = np.array([0.5, 0.0]) + np.linspace(-1, 1, 5)[:, None] * np.array([1.0, -1.0])
    assert np.allclose(line @ ones.T, line[0] @ ones.T)  # one single point


def test_an_affine_map_moves_the_origin_and_keeps_lines_parallel():
    _, W, b, _ = geometric_maps.MAPS[4]
    origin = geometric_maps.transform(np.zeros((1, 2)), W, b, False)[0]
    assert not np.allclose(origin, 0)
    a = geometric_maps.transform(np.array([[0.0, 0.0], [1.0, 0.0]]), W, b, False)
    c = geometric_maps.transform(np.array([[0.0, 1.0], [1.0, 1.0]]), W, b, False)
    assert np.allclose(a[1] - a[0], c[1] - c[0])  # parallel grid lines stay parallel


def test_any_chain_of_affine_layers_is_one_affine_layer():
    rng = np.random.default_rng(16)
    sizes = [3, 6, 5, 4, 2]
    layers = [
        (rng.standard_normal((m, n)), rng.standard_normal(m))
        for n, m in itertools.pairwise(sizes)
    ]
    W, b = np.eye(3), np.zeros(3)
    for W_k, b_k in layers:
        W, b = W_k @ W, W_k @ b + b_k
    x = rng.standard_normal((50, 3))
    chained = x
    for W_k, b_k in layers:
        chained = chained @ W_k.T + b_k
    assert np.allclose(chained, x @ W.T + b)


def test_chained_affine_layers_are_one_exactly_in_exact_arithmetic_not_in_floats():
    def two_layers(x, W1, b1, W2, b2):
        return W2 * (W1 * x + b1) + b2

    def one_layer(x, W1, b1, W2, b2):
        return (W2 * W1) * x + (W2 * b1 + b2)

    numbers = (-1.0, 1.6, 1.9, 1.2)  # W1, b1, W2, b2 of two one-unit layers
    exact = [Fraction(n) for n in numbers]
    for x in (Fraction(1.6), Fraction(-0.7), Fraction(3)):
        assert two_layers(x, *exact) == one_layer(x, *exact)  # exact arithmetic
    # in floating point the two ways round differently ...
    assert two_layers(1.6, *numbers) != one_layer(1.6, *numbers)
    # ... and agree up to rounding, as np.allclose checks
    assert np.isclose(two_layers(1.6, *numbers), one_layer(1.6, *numbers), rtol=1e-15)
    assert "use `np.allclose`" in " ".join(PAGE.read_text().split())


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=1e-6, max_value=1e3),
    st.floats(min_value=-1e3, max_value=-1e-6),
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=-1e3, max_value=1e3),
)
def test_relu_alone_keeps_points_on_opposite_sides_of_an_axis_apart(a, c, y1, y2):
    # p has a positive first coordinate, q a negative one: relu cannot merge them
    p, q = np.array([a, y1]), np.array([c, y2])
    assert not np.array_equal(np.maximum(p, 0.0), np.maximum(q, 0.0))
    # points on the same side can merge: (-1, 2) and (-5, 2) both go to (0, 2)
    assert np.maximum([-1.0, 2.0], 0.0).tolist() == [0.0, 2.0]
    assert np.maximum([-5.0, 2.0], 0.0).tolist() == [0.0, 2.0]


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float64, 2, elements=st.integers(-3, 3).map(float)),
    arrays(np.float64, 2, elements=st.integers(-3, 3).map(float)),
)
def test_relu_lands_two_points_together_only_when_each_coordinate_pair_agrees(p, q):
    same_place = np.array_equal(np.maximum(p, 0.0), np.maximum(q, 0.0))
    agrees = all(
        (a > 0 and c > 0 and a == c) or (a <= 0 and c <= 0)
        for a, c in zip(p, q, strict=True)
    )
    assert same_place == agrees


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-1e3, max_value=1e3))
def test_relu_of_s_plus_relu_of_minus_s_is_the_absolute_value(s):
    assert max(s, 0.0) + max(-s, 0.0) == abs(s)


def test_relu_then_an_affine_layer_folds_the_plane_along_the_line_s_0():
    points, _ = folding.make_points()
    mirrored = -points[:, ::-1]  # (x1, x2) -> (-x2, -x1): s -> -s, same x1 - x2
    assert np.allclose(mirrored.sum(axis=1), -points.sum(axis=1))
    assert np.allclose(folding.fold(mirrored), folding.fold(points))  # laid on top
    # the relu layer alone does not: its outputs for mirrored points differ
    hidden = np.maximum(points @ folding.W1.T + folding.b1, 0.0)
    hidden_mirrored = np.maximum(mirrored @ folding.W1.T + folding.b1, 0.0)
    off_the_line = np.abs(points.sum(axis=1)) > 1e-9
    assert not np.allclose(hidden[off_the_line], hidden_mirrored[off_the_line])
    # it is the affine layer W2 that adds relu(s) + relu(-s)
    assert folding.W2[0].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_relu_puts_every_point_with_a_negative_coordinate_on_an_axis():
    points = np.random.default_rng(17).uniform(-2, 2, size=(500, 2))
    negative = (points < 0).any(axis=1)
    images = np.maximum(points, 0.0)
    assert negative.any()
    assert ((images[negative] == 0).any(axis=1)).all()


def test_relu_layers_do_not_collapse_into_one_affine_layer():
    # the fold network breaks the midpoint rule every affine map obeys
    p, q = np.array([[1.5, 1.5]]), np.array([[-1.5, -1.5]])
    midpoint_image = folding.fold((p + q) / 2)
    mean_of_images = (folding.fold(p) + folding.fold(q)) / 2
    assert not np.allclose(midpoint_image, mean_of_images)


def test_a_fold_lands_far_apart_points_in_the_same_place():
    far_apart = np.array([[1.5, 1.5], [-1.5, -1.5]])
    h = folding.fold(far_apart)
    assert h[0, 0] == h[1, 0] == 3.0
    assert np.array_equal(np.maximum([-1.0, 2.0], 0), np.maximum([-5.0, 2.0], 0))


def test_an_affine_map_cannot_make_the_band_classes_separable():
    # f(midpoint) = midpoint of f(p), f(q): the band point stays between the
    # two outside points, so a half-plane holding both outside points holds it.
    rng = np.random.default_rng(18)
    p, q = np.array([1.5, 1.5]), np.array([-1.5, -1.5])
    for _ in range(10):
        W, b = rng.standard_normal((2, 2)), rng.standard_normal(2)
        f = lambda x, W=W, b=b: W @ x + b  # noqa: E731
        assert np.allclose(f((p + q) / 2), (f(p) + f(q)) / 2)


def test_softmax_keeps_the_largest_score_so_two_classes_meet_on_a_line():
    rng = np.random.default_rng(19)
    W, b = rng.standard_normal((10, 2)), rng.standard_normal(10)
    h = rng.uniform(-3, 3, size=(2000, 2))
    scores = h @ W.T + b
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = exp / exp.sum(axis=1, keepdims=True)
    assert np.array_equal(probabilities.argmax(axis=1), scores.argmax(axis=1))
    # class 0 beats class 1 exactly on one side of the line (w0 - w1)·h + b0 - b1 = 0
    side = h @ (W[0] - W[1]) + (b[0] - b[1]) > 0
    assert np.array_equal(probabilities[:, 0] > probabilities[:, 1], side)


@pytest.mark.parametrize("inputs", [2, 3, 5, 512])
def test_the_border_between_two_classes_is_flat_in_the_space_of_the_layers_input(
    inputs,
):
    rng = np.random.default_rng(inputs)
    W, b = rng.standard_normal((10, inputs)), rng.standard_normal(10)
    normal, offset = W[0] - W[1], b[0] - b[1]
    # every direction along the border is orthogonal to w0 - w1: they span
    # inputs - 1 directions (a line for 2 inputs, a plane for 3, then hyperplanes)
    directions = np.linalg.svd(normal[None])[2][1:]
    assert directions.shape == (inputs - 1, inputs)
    assert np.linalg.matrix_rank(directions) == inputs - 1
    start = -offset * normal / (normal @ normal)  # one point where the scores tie
    border = start + rng.standard_normal((20, inputs - 1)) @ directions
    scores = border @ W.T + b
    assert np.allclose(scores[:, 0], scores[:, 1])
    # flat: every affine combination of border points is on the border again
    mix = 2.5 * border[0] - 1.5 * border[1]
    assert np.isclose(mix @ W[0] + b[0], mix @ W[1] + b[1])


# Added with the student's report (student-a-r1): the tools of the geometry
# section, the column and row forms of a layer, and snippets that run as shown.


def shown_section(path: Path, name: str) -> str:
    """The lines of one named section of a snippet file, as the page shows them."""
    lines = path.read_text().splitlines()
    begin = next(i for i, line in enumerate(lines) if f"[start:{name}]" in line)
    end = next(i for i, line in enumerate(lines) if f"[end:{name}]" in line)
    return "\n".join(lines[begin + 1 : end])


def page_includes() -> list[list[str]]:
    """The targets of each fence of the page that includes snippet sections."""
    fences, current = [], None
    for line in PAGE.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("```python title="):
            current = []
        elif current is not None and stripped.startswith("--8<--"):
            current.append(stripped.split('"')[1])
        elif current is not None and stripped.startswith("```"):
            fences.append(current)
            current = None
    return [targets for targets in fences if targets]


def test_each_shown_snippet_section_runs_on_its_own():
    # "so it runs as shown": a reader who copies a fence gets a working file
    shown = page_includes()
    assert [
        "snippets/operations/naive_ops.py:setup",
        "snippets/operations/naive_ops.py:elementwise",
    ] in shown
    assert [
        "snippets/operations/naive_ops.py:setup",
        "snippets/operations/naive_ops.py:dot",
    ] in shown
    assert [
        "snippets/operations/folding.py:imports",
        "snippets/operations/folding.py:fold",
    ] in shown
    checks = {  # a call that needs every name the fence defines
        "elementwise": "assert loop_relu(np.array([[-1.0, 2.0]])).tolist() == [[0, 2]]",
        "dot": "assert loop_matrix_dot(np.eye(2), np.ones((2, 3))).shape == (2, 3)",
        "fold": "assert fold(make_points()[0]).shape == (400, 2)",
        "maps": "assert transform(np.zeros((1, 2)), *MAPS[0][1:]).shape == (1, 2)",
    }
    for targets in shown:
        if not all(target.count(":") == 1 for target in targets):
            continue
        code = "\n".join(
            shown_section(REPOSITORY / file, name)
            for file, name in (target.split(":") for target in targets)
        )
        name = targets[-1].split(":")[1]
        if name in checks:
            exec(code + "\n" + checks[name], {"__name__": "shown"})
    assert {targets[-1].split(":")[1] for targets in shown} >= set(checks)


def test_one_input_as_a_column_and_a_batch_as_rows_give_the_same_numbers():
    rng = np.random.default_rng(22)
    w, b = rng.standard_normal((4, 6)), rng.standard_normal(4)
    X = rng.standard_normal((5, 6))  # five inputs, one per row
    batch = X @ w.T + b  # the first chapter's XW + b, with W = w.T
    for k in range(5):  # row k of the batch result is the output for input k
        assert np.allclose(batch[k], w @ X[k] + b)
    w_small = np.array([[1, 2, 0], [0, 1, 3]])
    X_small, b_small = np.array([[1, 1, 1], [2, 0, 1]]), np.array([10, 20])
    assert (X_small @ w_small.T + b_small).tolist() == [[13, 24], [12, 23]]


def test_numpy_and_tensorflow_add_a_vector_to_every_row():
    tf = pytest.importorskip("tensorflow")
    M, b = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0, 30.0])
    expected = np.array([row + b for row in M])
    assert np.array_equal(M + b, expected)
    assert np.array_equal((tf.constant(M) + tf.constant(b)).numpy(), expected)


def test_a_negative_axis_counts_from_the_end():
    x = np.arange(24).reshape(2, 3, 4)
    assert np.array_equal(x.sum(axis=-1), x.sum(axis=2))
    assert np.array_equal(x.sum(axis=-2), x.sum(axis=1))
    m = np.arange(12).reshape(3, 4)
    assert np.array_equal(m.sum(axis=-1), m.sum(axis=1))  # axis 1 of a matrix
    assert np.array_equal(m[-1], m[2])  # as negative indices count in slicing


def test_tensordot_with_axes_1_sums_the_last_axis_of_the_left_against_the_first():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(23)
    u, v = rng.standard_normal((2, 5))
    assert np.isclose(tf.tensordot(u, v, axes=1).numpy(), np.dot(u, v))
    A, B = rng.standard_normal((3, 5)), rng.standard_normal((5, 4))
    assert np.allclose(tf.tensordot(A, B, axes=1).numpy(), A @ B)
    C = rng.standard_normal((2, 3, 5))
    assert tuple(tf.tensordot(C, B, axes=1).shape) == (2, 3, 4)  # one axis summed


def test_unpacking_a_2_by_5_tensor_gives_two_vectors_of_length_5():
    t = np.random.default_rng(1).standard_normal((2, 5))
    u, v = t
    assert u.shape == v.shape == (5,)
    assert np.array_equal(u, t[0]) and np.array_equal(v, t[1])


def rotation(degrees):
    return geometric_maps.rotation(degrees)


@settings(max_examples=50, deadline=None)
@given(finite, finite, st.floats(min_value=-1e3, max_value=1e3))
def test_the_matrices_of_the_geometry_section_do_what_the_page_says(x, y, k):
    point = np.array([x, y])
    # a 2 x 2 matrix: two formulas
    W = np.array([[2.0, 1.0], [0.5, 3.0]])
    assert np.allclose(W @ point, [2 * x + 1 * y, 0.5 * x + 3 * y])
    assert (np.array([[2, 1], [0, 3]]) @ np.array([1, 2])).tolist() == [4, 6]
    # the identity leaves every point where it is; np.eye(n) is n x n
    assert np.array_equal(np.eye(2) @ point, point)
    assert np.array_equal(np.eye(4), np.diag(np.ones(4)))
    # diag(s1, s2) scales each coordinate by its own factor
    assert np.allclose(np.diag([2.0, 0.5]) @ point, [2 * x, 0.5 * y])
    # a shear (x, y) -> (x + k y, y) leaves the horizontal axis in place
    shear = np.array([[1.0, k], [0.0, 1.0]])
    assert np.allclose(shear @ point, [x + k * y, y])
    assert np.array_equal(shear @ np.array([x, 0.0]), [x, 0.0])
    # a rotation changes no length
    length = np.sqrt((point**2).sum())
    assert np.isclose(np.sqrt(((rotation(37) @ point) ** 2).sum()), length)


@pytest.mark.parametrize("degrees", [30, 90, 135, 200, 300])
def test_a_rotation_turns_points_anticlockwise_by_its_angle(degrees):
    # np.cos and np.sin take radians; np.radians converts degrees
    assert np.isclose(np.radians(degrees), degrees * np.pi / 180)
    assert np.isclose(np.cos(np.pi), -1.0) and np.isclose(np.sin(np.pi / 2), 1.0)
    turned = rotation(degrees) @ np.array([1.0, 0.0])
    angle = np.degrees(np.arctan2(turned[1], turned[0])) % 360
    assert np.isclose(angle, degrees)  # measured anticlockwise from the x axis
    assert np.allclose(rotation(90) @ np.array([1.0, 2.0]), [-2.0, 1.0])


def test_numpys_cos_of_90_degrees_is_about_6e_minus_17_not_0():
    value = np.cos(np.radians(90))
    assert value != 0 and 5e-17 < value < 7e-17
    assert np.round(value, 6) == 0
    # "pi/2 has no exact float64, so np.radians(90) is a hair below 90°": the
    # cosine is right for the angle stored, pi/2 minus it, to float64 precision
    from fractions import Fraction

    stored = Fraction(float(np.radians(90)))
    half_pi = Fraction(
        "1.5707963267948966192313216916397514420985846996875529104874722961"
    )
    assert half_pi - stored > 0 and float(half_pi - stored) == value


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=-1e3, max_value=1e3))
def test_two_maps_of_numbers_in_a_row_are_one_map(x):
    def f(t):
        return 2 * t + 1

    def g(t):
        return 3 * t + 4

    assert np.isclose(g(f(x)), 6 * x + 7) and (3 * 2, 3 * 1 + 4) == (6, 7)


@settings(max_examples=50, deadline=None)
@given(st.tuples(small, small, small), st.randoms(use_true_random=False))
def test_the_matrix_product_distributes_over_addition_and_is_associative(shape, rnd):
    a, b, c = shape
    rng = np.random.default_rng(rnd.randrange(2**32))
    W1, W2 = rng.standard_normal((b, c)), rng.standard_normal((a, b))
    u, v = rng.standard_normal((2, c))
    assert np.allclose(W1 @ (u + v), W1 @ u + W1 @ v)
    assert np.allclose(W1 @ (0.5 * v), 0.5 * (W1 @ v))  # a number comes out
    assert np.allclose(W2 @ (W1 @ u), (W2 @ W1) @ u)
    # and on the page's whole numbers, exactly
    W1, b1 = np.array([[1, 2], [0, 1]]), np.array([1, 0])
    W2, b2 = np.array([[3, 0], [1, 1]]), np.array([0, 4])
    x = np.array([1, 1])
    assert (W2 @ (W1 @ x + b1) + b2).tolist() == ((W2 @ W1) @ x + W2 @ b1 + b2).tolist()


def test_a_line_is_where_one_linear_equation_holds_and_it_has_two_sides():
    a, c = np.array([1.0, 1.0]), -1.0
    for point in [(1.0, 0.0), (0.0, 1.0), (0.5, 0.5)]:
        assert np.dot(a, point) + c == 0
    assert np.dot(a, (2.0, 2.0)) + c > 0 and np.dot(a, (0.0, 0.0)) + c < 0


def test_every_panel_is_drawn_by_transform_in_its_batch_form():
    source = inspect.getsource(geometric_maps.draw)
    assert "transform(" in source and "MAPS" in source
    points = np.random.default_rng(24).standard_normal((10, 2))
    for _, W_map, b_map, _ in geometric_maps.MAPS[:5]:
        rows = geometric_maps.transform(points, W_map, b_map, False)
        assert np.allclose(rows, [W_map @ x + b_map for x in points])
    # the plotting code is not in the part of the file the page shows
    assert "plt." not in shown_section(
        REPOSITORY / "snippets/operations/geometric_maps.py", "maps"
    )


def test_keras_biases_start_at_zero_unless_random_normal_and_get_weights_is_numpy():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(2)
    default = keras.layers.Dense(4)
    default.build((None, 3))
    kernel, bias = default.get_weights()
    assert isinstance(kernel, np.ndarray) and isinstance(bias, np.ndarray)
    assert kernel.shape == (3, 4) and not bias.any()  # Keras's default: zeros
    randomised = keras.layers.Dense(4, bias_initializer="random_normal")
    randomised.build((None, 3))
    assert randomised.get_weights()[1].all()


def test_one_more_keras_layer_turns_xw_plus_b_into_x_wk_plus_bk_plus_c():
    rng = np.random.default_rng(25)
    x = rng.standard_normal((6, 3))
    W, b = np.eye(3), np.zeros(3)  # the map that changes nothing
    assert np.array_equal(x @ W + b, x)
    K, c = rng.standard_normal((3, 4)), rng.standard_normal(4)
    assert np.allclose((x @ W + b) @ K + c, x @ (W @ K) + (b @ K + c))


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, (2, 2), elements=st.integers(-5, 5).map(float)),
    arrays(np.float64, 2, elements=st.integers(-5, 5).map(float)),
    arrays(np.float64, 2, elements=st.integers(-5, 5).map(float)),
    st.integers(-5, 5).map(float),
)
def test_a_cut_after_an_affine_map_is_a_cut_before_it(W, b, a, c):
    # the cut a·h + c > 0 after h = Wx + b is the cut (a W)·x + (a·b + c) > 0
    points = np.random.default_rng(26).integers(-9, 10, size=(200, 2)).astype(float)
    after = (points @ W.T + b) @ a + c > 0
    before = points @ (a @ W) + (a @ b + c) > 0
    assert np.array_equal(after, before)
    if not (a @ W).any():  # no x left: one side for every point, before and after
        assert after.all() or not after.any()
    # the page's numbers: h1 = 2 x1 + x2 + 1, h2 = x2 - 1, cut h1 - 3 h2 > 0
    W_page, b_page = np.array([[2.0, 1.0], [0.0, 1.0]]), np.array([1.0, -1.0])
    a_page = np.array([1.0, -3.0])
    assert (a_page @ W_page).tolist() == [2.0, -2.0] and a_page @ b_page == 4.0


def test_fold_computes_the_batch_form_of_w1_x_plus_b1():
    points, in_band = folding.make_points()
    hidden = np.maximum(points @ folding.W1.T + folding.b1, 0.0)
    by_columns = np.array(
        [np.maximum(folding.W1 @ x + folding.b1, 0.0) for x in points]
    )
    assert np.allclose(hidden, by_columns)
    assert "points @ W1.T + b1" in inspect.getsource(folding.fold)
    # comparing boolean arrays gives True where they agree; sum counts True as 1
    agree = np.array([True, False, True]) == np.array([True, True, True])
    assert agree.tolist() == [True, False, True] and agree.sum() == 2
    assert ((folding.fold(points)[:, 0] < 1.0) == in_band).sum() == len(points)


def test_both_batch_forms_of_the_exercise_use_taught_tools():
    tf = pytest.importorskip("tensorflow")
    w = np.random.default_rng(27).standard_normal((5, 7))
    assert np.array_equal(tf.transpose(w).numpy(), w.T)
    page = PAGE.read_text()
    for untaught in ("transpose_b", "np.linalg.norm", "np.newaxis", "np.outer"):
        assert untaught not in page


def test_rotating_by_30_then_45_degrees_is_the_matrix_r45_r30():
    point = np.array([0.3, -1.2])
    assert np.allclose(rotation(45) @ (rotation(30) @ point), rotation(75) @ point)
    assert np.allclose(rotation(45) @ rotation(30), rotation(75))


# Added after the referee's second report (operations-r2)


def test_a_keras_dense_layer_applies_no_activation_unless_given_one():
    # "A dense layer with relu activation computes relu(dot(w, x) + b)": the
    # relu is there only when asked for; Keras's default is no activation.
    keras = pytest.importorskip("keras")
    signature = inspect.signature(keras.layers.Dense.__init__)
    assert signature.parameters["activation"].default is None
    keras.utils.set_random_seed(3)
    x = np.random.default_rng(3).standard_normal((64, 5)).astype("float32")
    plain = keras.layers.Dense(4, bias_initializer="random_normal")
    with_relu = keras.layers.Dense(4, activation="relu")
    plain.build((None, 5))
    with_relu.build((None, 5))
    kernel, bias = plain.get_weights()
    with_relu.set_weights([kernel, bias])
    affine = x @ kernel + bias
    assert np.allclose(plain(x).numpy(), affine, atol=1e-6)
    assert (plain(x).numpy() < 0).any()  # no relu: negative outputs stay
    assert np.allclose(with_relu(x).numpy(), np.maximum(affine, 0.0), atol=1e-6)


def test_the_relu_panel_flattens_what_the_affine_map_placed_left_of_or_below_the_axes():
    title, W, b, relu = geometric_maps.MAPS[5]
    assert title.startswith("relu of affine") and relu
    _, W_affine, b_affine, _ = geometric_maps.MAPS[4]
    assert np.array_equal(W, W_affine) and np.array_equal(b, b_affine)
    F = geometric_maps.densify(geometric_maps.F_CORNERS)
    affine = geometric_maps.transform(F, W, b, False)
    relu_image = geometric_maps.transform(F, W, b, True)
    on_an_axis = (relu_image == 0).any(axis=1)
    # flattened: exactly the points the affine map placed left of or below the axes
    assert np.array_equal(on_an_axis, (affine < 0).any(axis=1))
    # not the parts of the grey (original) F left of the vertical axis: its
    # stem, x1 from -0.4 to -0.1, is mostly not flattened
    left_of_axis = F[:, 0] < 0
    assert left_of_axis.any() and not on_an_axis[left_of_axis].all()
    # the referee's corners: after the affine map they have a negative coordinate
    corners = geometric_maps.transform(
        np.array([[-0.4, -0.8], [-0.1, -0.8]]), W, b, False
    )
    assert np.isclose(corners[0, 0], -0.64) and np.isclose(corners[1, 1], -0.18)


def test_the_border_of_two_classes_is_only_part_of_the_set_where_they_tie():
    # three classes: a point where scores 0 and 1 tie below score 2 lies on the
    # set where (w0 - w1)·h + (b0 - b1) = 0, and the layer picks class 2 there
    W, b = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]), np.zeros(3)
    h = np.array([0.0, 1.0])
    scores = W @ h + b
    assert (W[0] - W[1]) @ h + (b[0] - b[1]) == 0 and scores.argmax() == 2
    # ten classes, as in the first network, with two inputs
    rng = np.random.default_rng(28)
    W, b = rng.standard_normal((10, 2)), rng.standard_normal(10)
    points = rng.uniform(-5, 5, size=(20_000, 2))
    picked = (points @ W.T + b).argmax(axis=1)
    for i, j in itertools.combinations(range(10), 2):
        side = points @ (W[i] - W[j]) + (b[i] - b[j])
        assert (side[picked == i] >= 0).all() and (side[picked == j] <= 0).all()
    # on the line where classes 0 and 1 tie, some points go to a third class
    normal, offset = W[0] - W[1], b[0] - b[1]
    start = -offset * normal / (normal @ normal)
    along = np.array([-normal[1], normal[0]])
    line = start + np.linspace(-50, 50, 2001)[:, None] * along
    assert np.allclose(line @ normal + offset, 0)
    winners = set((line @ W.T + b).argmax(axis=1).tolist())
    assert winners - {0, 1}  # the border of 0 and 1 is not the whole line


def test_float32_and_float64_matrix_products_go_to_blas_and_float16_does_not():
    # NumPy's matmul hands FLOAT, DOUBLE, CFLOAT and CDOUBLE to cblas
    # (numpy/_core/src/umath/matmul.c.src: USEBLAS = 1 for these only);
    # float16 and long double use NumPy's own loop, which adds the products
    # left to right. So those two give exactly the left-to-right sums, and
    # BLAS, which orders its additions differently, does not.
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((2, 64, 64))

    def left_to_right(a, b, accumulate):
        total = np.zeros((a.shape[0], b.shape[1]), dtype=accumulate)
        for k in range(a.shape[1]):  # entry by entry, the same order as the loop
            total = total + a[:, k, None].astype(accumulate) * b[None, k, :].astype(
                accumulate
            )
        return total.astype(a.dtype)

    for dtype, accumulate in ((np.float16, np.float32), (np.longdouble, np.longdouble)):
        a, b = A.astype(dtype), B.astype(dtype)
        assert np.array_equal(np.matmul(a, b), left_to_right(a, b, accumulate))
        assert np.array_equal(np.dot(a, b), left_to_right(a, b, accumulate))
    for dtype in (np.float32, np.float64):
        a, b = A.astype(dtype), B.astype(dtype)
        assert not np.array_equal(np.matmul(a, b), left_to_right(a, b, dtype))
        assert not np.array_equal(np.dot(a, b), left_to_right(a, b, dtype))
        assert np.allclose(np.matmul(a, b), left_to_right(a, b, dtype), atol=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(-5, 5).map(float),
    st.integers(-5, 5).map(float),
    st.integers(-5, 5).map(float),
)
def test_one_linear_equation_holds_on_a_line_only_if_a1_and_a2_are_not_both_zero(
    a1, a2, c
):
    grid = np.array([(x1, x2) for x1 in range(-6, 7) for x2 in range(-6, 7)], float)
    holds = grid @ np.array([a1, a2]) + c == 0
    if a1 == 0 and a2 == 0:
        # everywhere if c = 0, nowhere otherwise: not a line
        assert holds.all() if c == 0 else not holds.any()
        return
    # a line: (x1, x2) = p + t d with d = (-a2, a1), for every t
    p = -c * np.array([a1, a2]) / (a1**2 + a2**2)
    line = p + np.linspace(-3, 3, 13)[:, None] * np.array([-a2, a1])
    assert np.allclose(line @ np.array([a1, a2]) + c, 0)
    assert not holds.all()  # and not everywhere
    # three coordinates, all a's zero: the same, everywhere or nowhere
    cube = np.array(list(itertools.product(range(-2, 3), repeat=3)), float)
    assert ((cube @ np.zeros(3) + c == 0).all()) == (c == 0)
    # a's not all zero: a flat plane, a point plus two independent directions
    a = np.array([a1, a2, 1.0])
    directions = np.linalg.svd(a[None])[2][1:]  # the two directions across a
    assert np.linalg.matrix_rank(directions) == 2
    plane = (
        -c * a / (a @ a) + np.random.default_rng(30).normal(size=(20, 2)) @ directions
    )
    assert np.allclose(plane @ a + c, 0)


def test_an_affine_map_sends_the_origin_to_b_and_lines_where_w_sends_them_shifted():
    _, W, b, _ = geometric_maps.MAPS[4]
    origin = np.zeros((1, 2))
    assert np.allclose(geometric_maps.transform(origin, W, b, False)[0], b)
    # with b = 0 the affine map is linear and the origin stays
    assert np.allclose(geometric_maps.transform(origin, W, np.zeros(2), False), 0)
    # a line goes where W alone sends it, then shifts by b
    line = np.array([0.3, -0.2]) + np.linspace(-2, 2, 9)[:, None] * np.array([1.0, 2.0])
    assert np.allclose(
        geometric_maps.transform(line, W, b, False),
        geometric_maps.transform(line, W, np.zeros(2), False) + b,
    )
    # the figure's W turns no line into a point (its determinant is not 0), so
    # grid lines stay straight and parallel; an all-ones W would squash some
    assert abs(np.linalg.det(W)) > 1.0
    flat = np.array([0.5, 0.0]) + np.linspace(-1, 1, 5)[:, None] * np.array([1.0, -1.0])
    flat_image = geometric_maps.transform(flat, np.ones((2, 2)), b, False)
    assert np.allclose(flat_image, flat_image[0])


def test_the_cut_h1_below_1_sorts_the_classes_exactly_and_some_points_lie_on_the_line():
    # outside points with |x1 + x2| = 1 land on the line h1 = 1, on no side of it
    boundary = np.array([[0.5, 0.5], [-1.0, 0.0], [2.0, -1.0], [-0.25, -0.75]])
    assert (np.abs(boundary.sum(axis=1)) == 1).all()  # class outside
    assert (folding.fold(boundary)[:, 0] == 1.0).all()
    # on a grid of the square that includes such points, h1 < 1 is exactly the band
    ticks = np.linspace(-2, 2, 41)
    grid = np.array([(x1, x2) for x1 in ticks for x2 in ticks])
    s = np.round(grid.sum(axis=1), 12)
    grid_band = np.abs(s) < 1
    h1 = np.round(folding.fold(grid)[:, 0], 12)
    assert np.array_equal(h1 < 1, grid_band)
    assert (h1[~grid_band] >= 1).all() and (h1[~grid_band] == 1).any()
    # none of the 400 points of the figure lies on the line: it separates them
    points, in_band = folding.make_points()
    h = folding.fold(points)
    assert h[in_band, 0].max() < 1 < h[~in_band, 0].min()


def test_the_linear_panel_turns_stretches_and_shears():
    # W = Q R: Q turns (a rotation, not the identity), R is upper triangular
    # with diagonal entries other than 1 (stretches) and a non-zero corner
    # (a shear). So "sheared" alone would describe it wrongly.
    _, W, _, _ = geometric_maps.MAPS[3]
    Q, R = np.linalg.qr(W)
    signs = np.diag(np.sign(np.diag(R)))
    Q, R = Q @ signs, signs @ R
    assert np.allclose(Q @ R, W)
    assert np.allclose(Q.T @ Q, np.eye(2)) and np.isclose(np.linalg.det(Q), 1.0)
    angle = np.degrees(np.arctan2(Q[1, 0], Q[0, 0]))
    assert abs(angle) > 10  # turned (by about -18.4°)
    assert not np.allclose(np.diag(R), 1.0)  # stretched
    assert abs(R[0, 1]) > 0.1  # sheared
    # a pure shear has both eigenvalues 1; this W's are not even real
    assert np.iscomplex(np.linalg.eigvals(W)).all()


# Third referee round


def test_for_real_weights_the_two_forms_agree_only_up_to_rounding():
    # the page's w and b, and a batch of 128 digits: w x + b for each input and
    # X w^T + b for the batch are different BLAS calls, rounded differently
    (x_train, _), _ = load_mnist()
    X = x_train[:128].reshape(128, 784) / 255
    rng = np.random.default_rng(0)
    w = rng.normal(0.0, 0.05, size=(512, 784))
    b = rng.normal(0.0, 0.05, size=(512,))
    one_at_a_time = np.array([w @ x + b for x in X])
    batch = X @ w.T + b
    assert not np.array_equal(one_at_a_time, batch)  # not the very same numbers
    assert np.allclose(one_at_a_time, batch, rtol=1e-12, atol=1e-12)
    assert "same numbers up to rounding in the last digits" in " ".join(
        PAGE.read_text().split()
    )


def test_default_rng_repeats_its_numbers_and_normal_scales_standard_normal():
    page = " ".join(PAGE.read_text().split())
    assert "rng = np.random.default_rng(0)" in page
    assert "rng.normal(0.0, 0.05, size=(512, 784))" in page
    # the same seed draws the same numbers, run after run
    first = np.random.default_rng(0).standard_normal((2, 4))
    assert np.array_equal(first, np.random.default_rng(0).standard_normal((2, 4)))
    # standard_normal: centred on 0, most of them between -2 and 2
    many = np.random.default_rng(0).standard_normal(100_000)
    assert abs(many.mean()) < 0.01 and np.isclose(np.median(many), 0.0, atol=0.01)
    assert 0.9 < np.mean(np.abs(many) <= 2) < 1.0
    # normal(0.0, 0.05): the same numbers multiplied by 0.05 (and shifted by 0.0)
    scaled = np.random.default_rng(0).normal(0.0, 0.05, size=(512, 784))
    standard = np.random.default_rng(0).standard_normal((512, 784))
    assert np.array_equal(scaled, 0.05 * standard)
    assert 0.9 < np.mean(np.abs(scaled) <= 0.1) < 1.0


def test_argmax_gives_the_first_position_of_a_repeated_largest_value():
    tf = pytest.importorskip("tensorflow")
    assert np.argmax([5, 3, 5]) == 0
    assert int(tf.argmax([5, 3, 5])) == 0
    x = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    assert x[:, 0].tolist() == [3, 5, 5]  # the largest value twice
    assert tf.argmax(tf.constant(x)).numpy()[0] == 1  # the first 5, not 2
    # "its documentation promises the smallest position when values tie"
    assert "In case of identity returns the smallest index" in tf.argmax.__doc__
    from tensorflow.python.ops import gen_math_ops  # the op under it

    low_level = " ".join(gen_math_ops.arg_max.__doc__.split())
    assert "in case of ties the identity of the return value is not guaranteed" in (
        low_level
    )
    assert "first occurrence" in " ".join(np.argmax.__doc__.split())
    assert np.argmax(x, axis=0)[0] == 1
    assert np.array([[9, 0], [0, 9]]).argmax() == 0  # no axis: first in reading order


def test_isclose_answers_entry_by_entry_and_allclose_once_with_the_default_tolerance():
    for function in (np.isclose, np.allclose):
        defaults = inspect.signature(function).parameters
        assert defaults["rtol"].default == 1e-5 and defaults["atol"].default == 1e-8
    # isclose is not for one number only: it answers for every entry
    assert np.isclose([1.0, 2.0], [1.0, 2.1]).tolist() == [True, False]
    answer = np.allclose([1.0, 2.0], [1.0, 2.1])
    assert answer is False or answer.shape == ()  # one answer for all entries
    # |a - b| <= 1e-8 + 1e-5 |b|
    assert np.isclose(100.0009, 100.0) and not np.isclose(100.0011, 100.0)
    assert np.isclose(1e-9, -1e-9)  # two tiny numbers count as close


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-5, max_value=5),
    st.floats(min_value=-5, max_value=5),
    st.floats(min_value=-5, max_value=5),
    st.floats(min_value=0.01, max_value=10),
    st.floats(min_value=0.01, max_value=10),
)
def test_relu_does_not_fold_the_plane_along_any_line(a1, a2, c, p1, p2):
    # a fold along the line a . x + c = 0 would send every point to where its
    # mirror image goes; relu keeps a point with two positive coordinates in
    # place and sends its mirror image elsewhere
    a, p = np.array([a1, a2]), np.array([p1, p2])
    if np.dot(a, a) < 1e-3 or abs(np.dot(a, p) + c) < 1e-3:
        return  # no line, or p on the line
    mirror = p - 2 * (np.dot(a, p) + c) / np.dot(a, a) * a
    assert np.array_equal(np.maximum(p, 0.0), p)
    assert not np.allclose(np.maximum(mirror, 0.0), np.maximum(p, 0.0))
    # it squashes instead: every point with two negative coordinates goes to (0, 0)
    assert np.maximum(-p, 0.0).tolist() == [0.0, 0.0]


def test_relu_then_an_affine_map_does_not_fold_but_a_relu_layer_then_one_does():
    points, _ = folding.make_points()
    off_the_line = np.abs(points.sum(axis=1)) > 1e-9
    points = points[off_the_line]
    mirrored = -points[:, ::-1]  # mirror images across x1 + x2 = 0
    # a relu layer (W1, b1, then relu) followed by an affine layer folds
    assert np.allclose(folding.fold(mirrored), folding.fold(points))
    assert "np.maximum(points @ W1.T + b1, 0.0)" in inspect.getsource(folding.fold)
    # relu straight on the coordinates, then an affine map: no fold, for any
    # invertible A (A u = A v only when u = v)
    rng = np.random.default_rng(30)
    for _ in range(20):
        A, c = rng.standard_normal((2, 2)), rng.standard_normal(2)
        assert abs(np.linalg.det(A)) > 1e-6
        g = lambda x, A=A, c=c: np.maximum(x, 0.0) @ A.T + c  # noqa: E731
        assert not np.allclose(g(mirrored), g(points))
        # and it sends the whole quarter with two negative coordinates to one point
        corner = -rng.uniform(0.1, 5, size=(50, 2))
        assert np.allclose(g(corner), c)


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, (3, 2), elements=st.integers(-5, 5).map(float)),
    arrays(np.float64, 3, elements=st.integers(-5, 5).map(float)),
    arrays(np.float64, 3, elements=st.integers(-5, 5).map(float)),
    st.integers(-5, 5).map(float),
)
def test_a_cut_after_an_affine_map_into_more_coordinates_is_a_cut_before_it(W, b, a, c):
    # from 2 coordinates to 3: the cut after the map is a plane, a . h + c = 0,
    # and it is still the straight cut (a W) . x + (a . b + c) before it
    points = np.random.default_rng(31).integers(-9, 10, size=(200, 2)).astype(float)
    after = (points @ W.T + b) @ a + c > 0
    before = points @ (a @ W) + (a @ b + c) > 0
    assert np.array_equal(after, before)
