"""Claims of docs/gradient-descent.md added for a first-year reader.

The principal axes and their curvatures, the intuition and the edge case of
momentum's stability limit, the dense layer's gradients for one sample and for
a batch, and the Python tools of the network from scratch:

- snippets/gradient_descent/descent.py
- snippets/gradient_descent/scratch_network.py
"""

import numpy as np
import pytest

from snippets.gradient_descent import descent, scratch_network

# --- principal axes -------------------------------------------------------------


def _gradient(matrix, w):
    """Gradient of the bowl L(w) = ½ wᵀ·matrix·w, with second derivatives `matrix`."""
    return matrix @ w


def _is_along(vector, direction):
    """True when `vector` is a multiple of `direction` (both in the plane or more)."""
    unit = direction / np.linalg.norm(direction)
    return np.allclose(vector, (vector @ unit) * unit, atol=1e-12)


def _curvature_along(loss, direction, h=1e-4):
    """Second derivative of `loss` against the distance s along `direction`."""
    unit = direction / np.linalg.norm(direction)
    return (loss(h * unit) - 2 * loss(0 * unit) + loss(-h * unit)) / h**2


def test_with_equal_curvatures_every_line_through_the_minimum_is_a_principal_axis():
    matrix = np.diag([2.0, 2.0])  # the second derivatives of w1² + w2²
    for angle in np.linspace(0, np.pi, 13):
        direction = np.array([np.cos(angle), np.sin(angle)])
        assert _is_along(_gradient(matrix, 1.5 * direction), direction)
    # with different curvatures only the two coordinate axes are
    matrix = np.diag([2.0, 6.0])
    diagonal = np.array([1.0, 1.0])
    assert not _is_along(_gradient(matrix, diagonal), diagonal)


def test_a_principal_axis_keeps_the_gradient_on_its_line():
    def bowl(w):
        return w[0] ** 2 + 3 * w[1] ** 2

    matrix = np.diag([2.0, 6.0])  # the second derivatives of w1² + 3 w2²
    for t in (-2.0, 0.5, 3.0):
        point = np.array([t, 0.0])
        np.testing.assert_allclose(_gradient(matrix, point), [2 * t, 0.0])
        assert _is_along(_gradient(matrix, point), np.array([1.0, 0.0]))
    np.testing.assert_allclose(_gradient(matrix, np.array([1.0, 1.0])), [2.0, 6.0])
    assert not _is_along(np.array([2.0, 6.0]), np.array([1.0, 1.0]))  # off the diagonal
    assert _curvature_along(bowl, np.array([1.0, 0.0])) == pytest.approx(2.0)  # s²
    # a descent step from a point of a principal axis stays on it
    point = np.array([1.5, 0.0])
    assert (point - 0.1 * _gradient(matrix, point))[1] == 0.0


def test_every_quadratic_bowl_has_one_principal_axis_per_weight_at_right_angles():
    rng = np.random.default_rng(0)
    for n in (2, 3, 5):
        for _ in range(10):
            a = rng.normal(size=(n, n))
            matrix = a @ a.T + 0.1 * np.eye(n)  # a bowl: bends upwards every way

            def bowl(w, matrix=matrix):
                return 0.5 * w @ matrix @ w

            curvatures, axes = np.linalg.eigh(matrix)
            # right angles to each other:
            np.testing.assert_allclose(axes.T @ axes, np.eye(n), atol=1e-12)
            for curvature, axis in zip(curvatures, axes.T, strict=True):
                for t in (-1.0, 0.7):
                    assert _is_along(_gradient(matrix, t * axis), axis)
                along = _curvature_along(bowl, axis)
                assert along == pytest.approx(curvature, rel=1e-5)


def test_the_tilted_bowls_diagonals_and_their_curvatures():
    def tilted(w):
        return 2 * w[0] ** 2 + 3 * w[0] * w[1] + 2 * w[1] ** 2

    def gradient(w):
        return np.array([4 * w[0] + 3 * w[1], 3 * w[0] + 4 * w[1]])

    for t in (-1.0, 0.5, 2.0):
        np.testing.assert_allclose(gradient(np.array([t, t])), [7 * t, 7 * t])
        np.testing.assert_allclose(gradient(np.array([t, -t])), [t, -t])
    for s in (-1.0, 0.3, 2.0):
        first = np.array([s, s]) / np.sqrt(2)
        other = np.array([s, -s]) / np.sqrt(2)
        assert tilted(first) == pytest.approx(7 * s**2 / 2)
        assert tilted(other) == pytest.approx(s**2 / 2)
    assert _curvature_along(tilted, np.array([1.0, 1.0])) == pytest.approx(7.0)
    assert _curvature_along(tilted, np.array([1.0, -1.0])) == pytest.approx(1.0)


# --- momentum's stability limit -----------------------------------------------


def test_on_the_edge_momentum_ends_up_bouncing_for_ever_like_plain_descent_at_2():
    for momentum in (0.0, 0.5, 0.9):
        product = 2 * (1 + momentum)  # ηλ on the edge, with λ = 1
        path = descent.momentum_descent(lambda x: x, 1.0, product, momentum, 3000)
        late = np.asarray(path[-200:])
        # a bounce between two points ±a: sign flips, size settles, no growth
        assert np.all(late[:-1] * late[1:] < 0)
        np.testing.assert_allclose(np.abs(late), np.abs(late[-1]), rtol=1e-6)
        assert 0.5 < abs(late[-1]) < 100
    plain = descent.gradient_descent(lambda x: x, 1.0, 2.0, 50)
    np.testing.assert_allclose(np.abs(plain), 1.0)  # plain descent at ηλ = 2


def test_the_pure_bounce_solves_the_recurrence_exactly_on_the_edge():
    for momentum in (0.0, 0.3, 0.9):
        coefficient = 1 + momentum - 2 * (1 + momentum)
        for t in range(1, 6):
            bounce = [(-1.0) ** k for k in (t - 1, t, t + 1)]
            following = coefficient * bounce[1] - momentum * bounce[0]
            assert bounce[2] == pytest.approx(following)


def test_the_roots_are_complex_exactly_when_the_equation_has_no_real_root():
    for momentum in np.linspace(0.05, 0.95, 19):
        for product in np.linspace(0.05, 4.0, 80):
            b = 1 + momentum - product
            if abs(b**2 - 4 * momentum) < 1e-9:
                continue
            roots = np.roots([1, -b, momentum])
            complex_roots = bool(np.any(np.abs(roots.imag) > 0))
            assert complex_roots == (b**2 < 4 * momentum)
            if complex_roots:
                np.testing.assert_allclose(np.abs(roots), np.sqrt(momentum))


def test_the_predict_then_run_swings_shrink_by_0_949_and_0_975():
    assert round(np.sqrt(0.9), 3) == 0.949 and round(np.sqrt(0.95), 3) == 0.975
    for momentum in (0.9, 0.95):
        roots = np.roots([1, -(1 + momentum - 3.5), momentum])
        assert np.all(np.iscomplex(roots))
        np.testing.assert_allclose(np.abs(roots), np.sqrt(momentum))


def test_an_alternation_leaves_the_velocity_of_a_rate_divided_by_1_plus_mu():
    for momentum in (0.5, 0.9):
        learning_rate, g, velocity = 0.1, 2.0, 0.0
        for step in range(400):
            velocity = momentum * velocity - learning_rate * g * (-1.0) ** step
        assert abs(velocity) == pytest.approx(learning_rate / (1 + momentum) * g)


# --- the dense layer's gradients ------------------------------------------------


def test_one_sample_two_inputs_one_output():
    import tensorflow as tf

    x1, x2, w1, w2, b = 1.0, 2.0, 0.5, -1.0, 0.5
    y = x1 * w1 + x2 * w2 + b
    assert (y, y**2, 2 * y) == (-1.0, 1.0, -2.0)  # y, L and g
    x = tf.Variable([x1, x2])
    w = tf.Variable([w1, w2])
    bias = tf.Variable(b)
    with tf.GradientTape() as tape:
        loss = (tf.reduce_sum(x * w) + bias) ** 2
    grad_w, grad_b, grad_x = tape.gradient(loss, [w, bias, x])
    g = 2 * y
    assert grad_w.numpy().tolist() == [g * x1, g * x2] == [-2.0, -4.0]
    assert float(grad_b) == g == -2.0
    assert grad_x.numpy().tolist() == [g * w1, g * w2] == [-1.0, 2.0]


def test_a_batch_sums_the_one_sample_rule_over_samples_and_outputs():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    W = rng.normal(size=(3, 2))
    b = rng.normal(size=2)
    target = rng.normal(size=(4, 2))
    xv, Wv, bv = (tf.Variable(a) for a in (x, W, b))
    with tf.GradientTape(persistent=True) as tape:
        y = tf.matmul(xv, Wv) + bv
        loss = tf.reduce_sum((y - target) ** 2)
        total = tf.reduce_sum(y)
    G = tape.gradient(loss, y).numpy()
    grad_W, grad_b, grad_x = (g.numpy() for g in tape.gradient(loss, [Wv, bv, xv]))
    for j in range(3):
        for k in range(2):
            total_jk = sum(x[i, j] * G[i, k] for i in range(4))
            assert grad_W[j, k] == pytest.approx(total_jk)
    for k in range(2):
        assert grad_b[k] == pytest.approx(sum(G[i, k] for i in range(4)))
    for i in range(4):
        for j in range(3):
            total_ij = sum(G[i, k] * W[j, k] for k in range(2))
            assert grad_x[i, j] == pytest.approx(total_ij)
    np.testing.assert_allclose(grad_W, x.T @ G)
    np.testing.assert_allclose(grad_x, G @ W.T)
    np.testing.assert_array_equal(x.T[2, 1], x[1, 2])  # entry (j, i) of xᵀ is x_ij
    np.testing.assert_array_equal(tape.gradient(total, y).numpy(), np.ones((4, 2)))


# --- the Python tools of the network from scratch --------------------------------


def test_zip_pairs_in_step_strict_raises_and_enumerate_counts_from_0():
    assert list(zip(["a", "b"], [1, 2], strict=True)) == [("a", 1), ("b", 2)]
    with pytest.raises(ValueError):
        list(zip(["a", "b"], [1], strict=True))
    assert list(enumerate(["p", "q"])) == [(0, "p"), (1, "q")]
    first, second = [1, 2], [3]
    assert first + second == [1, 2, 3]  # adding two lists joins them


def test_the_sequential_model_joins_its_layers_weights_and_chains_forward():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    first = scratch_network.DenseLayer(4, 3, tf.nn.relu, rng)
    second = scratch_network.DenseLayer(3, 2, tf.nn.softmax, rng)
    model = scratch_network.SequentialModel([first, second])
    assert model.weights == [first.W, first.b, second.W, second.b]
    assert first.weights == [first.W, first.b]
    x = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_array_equal(
        model.forward(x).numpy(), second.forward(first.forward(x)).numpy()
    )


def test_the_scratch_loss_is_the_first_chapters_cross_entropy():
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(1)
    probabilities = tf.nn.softmax(rng.normal(size=(6, 10)).astype("float32"))
    labels = rng.integers(0, 10, size=6)
    ours = float(scratch_network.cross_entropy(labels, probabilities))
    mean_minus_log = -np.mean(np.log(probabilities.numpy()[np.arange(6), labels]))
    assert ours == pytest.approx(mean_minus_log, rel=1e-6)
    keras_loss = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    assert ours == pytest.approx(float(np.mean(keras_loss)), rel=1e-5)
    # float(loss) turns a one-number tensor into a Python number
    model = scratch_network.SequentialModel(
        [scratch_network.DenseLayer(4, 3, tf.nn.softmax, rng)]
    )
    x = rng.normal(size=(8, 4)).astype("float32")
    step_loss = scratch_network.training_step(model, x, rng.integers(0, 3, size=8), 0.1)
    assert type(step_loss) is float


def test_gather_takes_each_rows_labelled_column_and_clip_bounds_the_entries():
    import tensorflow as tf

    probabilities = tf.constant([[0.7, 0.2, 0.1], [0.0, 0.5, 0.5]])
    right = tf.gather(probabilities, tf.constant([0, 2]), batch_dims=1)
    np.testing.assert_array_equal(right.numpy(), np.float32([0.7, 0.5]))
    clipped = tf.clip_by_value(tf.constant([0.0, 1e-9, 0.5, 2.0]), 1e-7, 1.0).numpy()
    np.testing.assert_array_equal(clipped, np.float32([1e-7, 1e-7, 0.5, 1.0]))


def test_normal_draws_scatter_around_0_with_a_root_mean_square_near_the_scale():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    for scale in (0.05, np.sqrt(2 / 784), 1.0):
        draws = rng.normal(0.0, scale, size=100_000)
        assert abs(np.mean(draws)) < 0.01 * scale
        assert np.sqrt(np.mean(draws**2)) == pytest.approx(scale, rel=0.01)
    layer = scratch_network.DenseLayer(784, 512, tf.nn.relu, rng)
    root_mean_square = np.sqrt(np.mean(layer.W.numpy() ** 2))
    assert root_mean_square == pytest.approx(np.sqrt(2 / 784), rel=0.01)


def test_the_learning_rate_explorer_offers_the_figures_six_rates_and_a_seventh_preset():
    import json
    from pathlib import Path

    config = json.loads(
        (
            Path(__file__).resolve().parents[2]
            / "snippets"
            / "gradient_descent"
            / "learning_rate_paths.json"
        ).read_text()
    )
    rates = [preset["learning_rate"] for preset in config["figure_presets"]]
    assert rates == [0.1, 0.3, 0.5, 0.7, 1.0, 1.05]  # the figure's six rates
    (seventh,) = config["more_presets"]  # one more preset, not six in all
    assert seventh["momentum"] == 0.9 and "momentum section" in seventh["label"]
