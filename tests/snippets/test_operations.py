"""Claims of docs/operations.md about its snippets.

tests/test_snippets.py runs snippets/operations/naive_ops.py, speed_table.py,
geometric_maps.py and folding.py and compares their output and figures; this
file checks what the page says about them.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from snippets.operations import folding, geometric_maps, speed_table
from snippets.operations.naive_ops import (
    naive_add,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_relu,
    naive_vector_dot,
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
def test_naive_elementwise_operations_equal_numpy(pair):
    x, y = pair
    assert np.array_equal(naive_relu(x), np.maximum(x, 0.0))
    assert np.array_equal(naive_add(x, y), x + y)


def test_naive_relu_leaves_its_input_untouched():
    x = np.array([[-1.0, 2.0]])
    naive_relu(x)
    assert x.tolist() == [[-1.0, 2.0]]


@settings(max_examples=50, deadline=None)
@given(st.tuples(small, small, small), st.randoms(use_true_random=False))
def test_naive_dot_products_equal_numpy_and_follow_the_shape_rule(shape, random):
    a, b, c = shape
    rng = np.random.default_rng(random.randrange(2**32))
    A, B, x, y = (rng.standard_normal(s) for s in ((a, b), (b, c), (b,), (b,)))
    assert np.isclose(naive_vector_dot(x, y), np.dot(x, y))
    assert np.allclose(naive_matrix_vector_dot(A, x), A @ x)
    product = naive_matrix_dot(A, B)
    assert product.shape == (a, c)
    assert np.allclose(product, np.dot(A, B))


def test_naive_dot_products_equal_tf_matmul():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(7)
    A, B = rng.standard_normal((3, 5)), rng.standard_normal((5, 4))
    assert np.allclose(naive_matrix_dot(A, B), tf.matmul(A, B).numpy())
    assert np.allclose(
        naive_matrix_vector_dot(A, B[:, 0]), tf.linalg.matvec(A, B[:, 0])
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: naive_relu(np.zeros(3)), "x must have rank 2, got shape (3,)"),
        (
            lambda: naive_add(np.zeros((2, 3)), np.zeros((3, 2))),
            "shapes (2, 3) and (3, 2)",
        ),
        (lambda: naive_vector_dot(np.zeros(2), np.zeros(3)), "lengths 2 and 3"),
        (lambda: naive_matrix_dot(np.zeros((5, 4)), np.zeros((3, 5))), "4 != 3"),
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


def test_vectorized_code_is_at_least_the_claimed_times_faster_on_this_machine():
    rows = speed_table.measure(repeats=3)
    assert [row["operation"] for row in rows] == ["relu", "add", "matrix dot"]
    for row in rows:
        assert row["speedup"] >= speed_table.CLAIMED_SPEEDUP, row
    # "the matrix product gained the most"
    assert max(rows, key=lambda row: row["speedup"])["operation"] == "matrix dot"


def test_the_committed_table_is_generated_from_the_committed_data_and_meets_the_claim():
    data = json.loads(speed_table.DATA.read_text())
    assert speed_table.TABLE.read_text() == speed_table.markdown_table(data)
    speedups = {row["operation"]: row["speedup"] for row in data["rows"]}
    assert min(speedups.values()) >= speed_table.CLAIMED_SPEEDUP
    assert max(speedups, key=speedups.get) == "matrix dot"
    # the table says where it was measured
    assert data["machine"] in speed_table.TABLE.read_text()


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
    assert "Left: 400 random points" in PAGE.read_text()
