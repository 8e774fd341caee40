"""Claims of the second half of docs/gradient-descent.md: momentum's stable range,
RMSprop's running average, the cost of the backward pass, the tape's pitfalls,
the from-scratch network against Keras's, and the aligned and rotated ravines.

Snippets checked here (besides tests/snippets/test_gradient_descent.py):

- snippets/gradient_descent/rmsprop_average.py
- snippets/gradient_descent/optimizer_paths.py
- snippets/gradient_descent/scratch_network.py
- snippets/gradient_descent/computation_graph.py
- snippets/gradient_descent/descent.py
- snippets/gradient_descent/rmsprop_numpy.py
- snippets/gradient_descent/gradient_check.py
"""

import re
from pathlib import Path

import numpy as np
import pytest

from snippets.gradient_descent import (
    computation_graph,
    descent,
    optimizer_paths,
    rmsprop_average,
    rmsprop_numpy,
    scratch_network,
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "gradient-descent.md"


def page_text() -> str:
    return " ".join(PAGE.read_text().split())


def largest_root(learning_rate_times_curvature, momentum):
    """Largest |r| among the roots of r² − (1 + μ − ηλ)·r + μ."""
    coefficients = [1, -(1 + momentum - learning_rate_times_curvature), momentum]
    return np.abs(np.roots(coefficients)).max()


# --- momentum's stable range ---------------------------------------------------


def test_momentum_converges_exactly_when_eta_lambda_is_below_2_times_1_plus_mu():
    for momentum in np.linspace(0.0, 0.99, 34):
        limit = 2 * (1 + momentum)
        for product in np.linspace(0.02, 5.0, 250):
            if abs(product - limit) < 1e-6:
                continue
            assert (largest_root(product, momentum) < 1) == (product < limit)
    # the roots decide the run: check the recurrence itself on both sides
    for momentum in (0.0, 0.5, 0.9):
        limit = 2 * (1 + momentum)
        for product, converges in ((0.95 * limit, True), (1.05 * limit, False)):
            with np.errstate(over="ignore", invalid="ignore"):  # the diverging runs
                path = descent.momentum_descent(
                    lambda x: x, 1.0, product, momentum, 3000
                )
            assert (abs(path[-1]) < 1e-3) == converges, (momentum, product)


def test_plain_descent_converges_exactly_when_eta_lambda_is_below_2():
    for product in (0.5, 1.9, 2.1, 3.0):
        path = descent.gradient_descent(lambda x: x, 1.0, product, 500)
        assert (abs(path[-1]) < 1e-3) == (product < 2)
    assert largest_root(1.9, 0.0) < 1 < largest_root(2.1, 0.0)


def test_a_rate_that_diverges_alone_converges_with_momentum_0_9():
    plain = descent.gradient_descent(lambda x: x, 1.0, 3.0, 100)
    rolling = descent.momentum_descent(lambda x: x, 1.0, 3.0, 0.9, 100)
    np.testing.assert_allclose(np.abs(plain), 2.0 ** np.arange(101))  # doubles
    assert abs(rolling[-1]) < 0.02
    roots = np.roots([1, -(1 + 0.9 - 3.0), 0.9])
    assert np.all(np.iscomplex(roots))
    np.testing.assert_allclose(np.abs(roots), np.sqrt(0.9))
    assert pytest.approx(3.8) == 2 * (1 + 0.9)


def test_p_of_1_and_minus_1_positive_suffices_only_because_the_product_is_mu():
    # without the product: r² − 5r + 6 has p(1) = 2 > 0 and p(−1) = 12 > 0, roots 2, 3
    assert np.polyval([1, -5, 6], 1) > 0 and np.polyval([1, -5, 6], -1) > 0
    np.testing.assert_allclose(sorted(np.roots([1, -5, 6])), [2, 3])
    # with the product μ < 1: real roots and p(±1) > 0 put both between −1 and 1
    for momentum in np.linspace(0.0, 0.99, 34):
        for product in np.linspace(0.01, 2 * (1 + momentum) - 0.01, 200):
            coefficients = [1, -(1 + momentum - product), momentum]
            roots = np.roots(coefficients)
            assert np.prod(roots).real == pytest.approx(momentum, abs=1e-9)
            assert np.abs(roots).max() >= np.sqrt(momentum) - 1e-9  # larger ≥ √μ
            assert np.polyval(coefficients, 1) > 0 and np.polyval(coefficients, -1) > 0
            if np.all(np.isreal(roots)):
                assert np.all(np.abs(roots.real) < 1)


def test_momentums_swings_shrink_by_sqrt_mu_on_average_not_at_every_step():
    path = descent.momentum_descent(lambda x: x, 1.0, 3.0, 0.9, 100)
    ratios = np.abs(path[1:] / path[:-1])
    assert np.sum(ratios > 1) > 30  # |x| rises on many steps...
    # x swings about 0, but its sign does not simply alternate (+ - + + - ...)
    signs = np.sign(path)
    flips = signs[1:] != signs[:-1]
    assert flips.sum() > 30 and not flips.all()
    # ...while the envelope |x_t| / 0.949^t neither grows nor shrinks
    envelope = np.abs(path) / np.sqrt(0.9) ** np.arange(101)
    early, late = envelope[10:50].max(), envelope[50:].max()
    assert late == pytest.approx(early, rel=0.1)


def test_the_unrolled_velocity_sums_the_t_gradients_met_so_far():
    learning_rate, momentum = 0.1, 0.9
    path = descent.momentum_descent(lambda x: x**2 - 1, 0.5, learning_rate, momentum, 8)
    gradients = path[:-1] ** 2 - 1
    for t in range(1, 9):  # v_t = W_t − W_{t−1}
        k = np.arange(t)
        unrolled = -learning_rate * np.sum(momentum**k * gradients[t - 1 - k])
        assert path[t] - path[t - 1] == pytest.approx(unrolled, rel=1e-12)


def test_alternating_gradients_shrink_the_velocity_but_do_not_cancel_it():
    learning_rate, momentum, g = 1.0, 0.9, 1.0
    velocity = {"alternating": 0.0, "steady": 0.0}
    for step in range(300):
        sign = 1.0 if step % 2 == 0 else -1.0
        velocity["alternating"] = momentum * velocity["alternating"] - sign * g
        velocity["steady"] = momentum * velocity["steady"] - g
    alternating = abs(velocity["alternating"])
    assert alternating == pytest.approx(learning_rate * g / (1 + momentum))
    assert 0.5 < alternating / (learning_rate * g) < 0.55  # about half a plain step
    assert abs(velocity["steady"]) == pytest.approx(learning_rate * g / (1 - momentum))


def test_momentum_0_9_widens_the_limit_1_9_times_and_the_steady_step_10_times():
    momentum = 0.9
    assert (2 * (1 + momentum)) / 2 == pytest.approx(1.9)
    path = descent.momentum_descent(lambda x: np.ones_like(x), 0.0, 0.1, momentum, 400)
    assert -(path[-1] - path[-2]) == pytest.approx(0.1 / (1 - momentum), rel=1e-9)
    assert 0.1 / (1 - momentum) == pytest.approx(10 * 0.1)


def test_raising_the_momentum_never_breaks_a_converging_run_raising_the_rate_can():
    products = np.linspace(0.05, 4.0, 80)  # ηλ
    momenta = np.linspace(0.0, 0.98, 50)
    converges = np.array(
        [[largest_root(p, m) < 1 for m in momenta] for p in products]
    )  # rows: ηλ, columns: μ
    # with η fixed, a larger μ never turns a converging run into a diverging one...
    assert np.all(converges[:, 1:] >= converges[:, :-1])
    # ...while with μ fixed a larger η does: not "much like raising the rate"
    assert np.any(converges[:-1, :] > converges[1:, :])
    for p, m in ((1.9, 0.0), (2.9, 0.5), (3.7, 0.9)):
        assert largest_root(p, m) < 1 < largest_root(p + 0.2, m)
    # the price of a large μ across the valley: swings shrink at best by √μ
    for m in momenta:
        assert min(largest_root(p, m) for p in products) >= np.sqrt(m) - 1e-9
    # along a gentle slope it does act like a larger rate: steps η/(1 − μ)·g
    path = descent.momentum_descent(lambda x: np.ones_like(x), 0.0, 0.1, 0.5, 200)
    assert -(path[-1] - path[-2]) == pytest.approx(0.1 / (1 - 0.5))


def test_the_predict_then_run_exercise():
    final = {}
    for momentum in (0.5, 0.9, 0.95):
        path = descent.momentum_descent(lambda x: x, 1.0, 3.5, momentum, 200)
        final[momentum] = abs(path[-1])
        assert (2 * (1 + momentum) > 3.5) == (final[momentum] < 1)
    assert final[0.5] > 1e40 and final[0.9] < final[0.95] < 0.1
    for momentum in (0.9, 0.95):
        roots = np.roots([1, -(1 + momentum - 3.5), momentum])
        assert np.all(np.iscomplex(roots))
        np.testing.assert_allclose(np.abs(roots), np.sqrt(momentum))


def test_the_lab_sentences_the_page_summarises_are_on_the_lab_page():
    lab = " ".join((PAGE.parent / "lab.md").read_text().split())
    assert "diagonal band" in lab
    assert "effective step size $\\eta / (1 - \\mu)$" in lab
    assert "\n## What the results show\n" in (PAGE.parent / "lab.md").read_text()


# --- RMSprop ------------------------------------------------------------------


def test_the_notation_table_gives_kerass_names_and_defaults():
    import keras

    optimizer = keras.optimizers.RMSprop()
    rows = {
        "learning_rate": float(optimizer.learning_rate),
        "momentum": optimizer.momentum,
        "rho": optimizer.rho,
        "epsilon": optimizer.epsilon,
    }
    text = page_text()
    for name, default in rows.items():
        match = re.search(rf"\| `{name}` \| ([^ |]+) \|", text)
        assert match, name
        assert float(match.group(1)) == pytest.approx(default), name


def test_keras_names_its_slots_velocity_and_momentum():
    import keras

    optimizer = keras.optimizers.RMSprop(momentum=0.5)
    weight = keras.Variable(1.0)
    optimizer.build([weight])
    names = [v.name for v in optimizer.variables]
    assert any(n.endswith("_velocity") for n in names)
    assert any(n.endswith("_momentum") for n in names)
    # "an extra variable per weight": one velocity for each weight, of its shape
    optimizer = keras.optimizers.RMSprop()
    weights = [keras.Variable(np.ones((3, 2))), keras.Variable(np.zeros(2))]
    optimizer.build(weights)
    velocities = [v for v in optimizer.variables if v.name.endswith("_velocity")]
    assert [tuple(v.shape) for v in velocities] == [(3, 2), (2,)]


def test_centered_rmsprop_puts_s_minus_mean_squared_plus_epsilon_under_the_root():
    import keras
    import tensorflow as tf

    rho, rate, epsilon = 0.9, 0.1, 1e-7
    w = keras.Variable(1.0)
    optimizer = keras.optimizers.RMSprop(rate, rho=rho, centered=True)
    expected, s, mean = 1.0, 0.0, 0.0
    for g in (2.0, -1.0, 0.5):
        optimizer.apply_gradients([(tf.constant(g), w)])
        s = rho * s + (1 - rho) * g**2
        mean = rho * mean + (1 - rho) * g
        expected -= rate * g / np.sqrt(s - mean**2 + epsilon)
        assert float(w.numpy()) == pytest.approx(expected, rel=1e-5)


def steady_step(g, learning_rate=0.01, steps=200):
    """The step RMSprop (Keras's rho and epsilon) takes once s has settled on g²."""
    w = np.array([0.0])
    optimizer = rmsprop_numpy.RMSpropNumpy(learning_rate=learning_rate)
    for _ in range(steps):
        before = w.copy()
        optimizer.apply([w], [np.array([g])])
    return (before - w)[0]


def test_steady_gradients_step_about_eta_unless_they_are_tiny():
    for g in (100.0, 1.0, 0.01):
        assert steady_step(g) == pytest.approx(0.01, rel=1e-3)  # plain descent: 0.01·g
    # ...but not whatever the size: near √ε ≈ 3·10⁻⁴ the step collapses
    threshold = np.sqrt(1e-7)
    assert f"{threshold:.0e}" == "3e-04"
    assert steady_step(threshold) / 0.01 == pytest.approx(1 / np.sqrt(2), rel=1e-3)
    assert steady_step(1e-5) / 0.01 < 0.05


def test_rmsprop_steps_less_far_than_plain_descent_exactly_above_1():
    learning_rate = 0.01
    for g in (1.05, 2.0, 100.0):
        assert steady_step(g, learning_rate) < learning_rate * g
    # below 1 further, even far below the epsilon threshold
    for g in (0.95, 0.5, 1e-2, 1e-4, 1e-6):
        assert steady_step(g, learning_rate) > learning_rate * g
    # the dividing line: η·g/√(g² + ε) = η·g exactly when g² + ε = 1
    assert np.sqrt(1 - 1e-7) == pytest.approx(1, abs=1e-7)
    # "large" means larger than 1, not larger than the other weights' gradients:
    # gradients of 0.5 and 0.01 both step further than plain descent would
    assert steady_step(0.5) > 0.01 * 0.5 and steady_step(0.01) > 0.01 * 0.01


def test_the_running_average_figure_says_what_the_numbers_do():
    g = rmsprop_average.gradients()
    squares = g**2
    first, second = squares[: rmsprop_average.SWITCH], squares[rmsprop_average.SWITCH :]
    assert 0.8 < first.mean() < 1.2 and 0.008 < second.mean() < 0.015  # ~1, then ~0.1²
    slow = rmsprop_average.running_mean_square(g, 0.9)
    fast = rmsprop_average.running_mean_square(g, 0.5)
    assert slow[0] == pytest.approx(0.1 * squares[0]) and fast[0] == 0.5 * squares[0]
    # rho 0.9: climbs for eight steps to about 0.7...
    assert np.all(np.diff(slow[:8]) > 0) and slow[8] < slow[7]
    assert slow[7] == pytest.approx(0.7, abs=0.05)
    # ...stays there (steps 8 to 18) while the dots dip: it does not climb steadily
    assert np.all(np.abs(slow[7:18] - 0.7) < 0.06)
    assert squares[8:18].mean() < 0.7 * first.mean()
    assert np.sum(np.diff(slow[7:18]) < 0) >= 4
    # ...and reaches the dots' height, about 1, after about 20 steps
    assert first.mean() == pytest.approx(1, abs=0.05)
    assert np.all(slow[:19] < 0.9 * first.mean())
    assert np.all(np.abs(slow[21:30] / first.mean() - 1) < 0.1)
    # ...and after the drop stays above every later squared gradient
    assert np.all(slow[30:] > second)
    # rho 0.5: at about the dots' new height within about eight steps of the drop
    # (from step 38 on); six steps after it (step 36) still twice as high
    switch = rmsprop_average.SWITCH
    assert np.all(np.abs(np.log(fast[switch + 7 :] / second.mean())) < np.log(2))
    assert fast[switch + 5] > 2 * second.mean()
    assert np.any(fast[30:] < second)  # it jumps with the dots, below some of them


def test_the_weights_of_the_running_average():
    for rho, steps, share in ((0.9, 10, 0.65), (0.5, 2, 0.75)):
        weights = (1 - rho) * rho ** np.arange(steps)
        assert weights.sum() == pytest.approx(1 - rho**steps)
        assert 1 - rho**steps == pytest.approx(share, abs=0.005)
    assert pytest.approx(10) == 1 / (1 - 0.9)


# --- chain rule, corners, tape ------------------------------------------------


def test_a_dense_training_step_does_2_matrix_products_forward_and_3_backward():
    import tensorflow as tf

    W1 = tf.Variable(tf.zeros((784, 512)))
    W2 = tf.Variable(tf.zeros((512, 10)))

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.matmul(tf.nn.relu(tf.matmul(x, W1)), W2))
        return tape.gradient(loss, [W1, W2])

    graph = step.get_concrete_function(tf.TensorSpec((128, 784))).graph
    products = [op for op in graph.get_operations() if op.type == "MatMul"]
    backward = [op for op in products if op.name.startswith("gradient_tape/")]
    forward = [op for op in products if op not in backward]
    assert (len(forward), len(backward)) == (2, 3)

    def multiply_adds(op):  # (m, k) · (k, n) costs m·k·n
        shapes = [tuple(t.shape) for t in op.inputs]
        a, b = shapes
        a = a[::-1] if op.get_attr("transpose_a") else a
        b = b[::-1] if op.get_attr("transpose_b") else b
        return a[0] * a[1] * b[1]

    ratio = sum(map(multiply_adds, backward)) / sum(map(multiply_adds, forward))
    assert f"{ratio:.2f}" == "1.01"
    # each forward product has backward partners of the same size
    assert multiply_adds(forward[1]) * 2 == sum(
        multiply_adds(op) for op in backward if "MatMul_1" in op.name
    )
    # many equal layers: the first skips one product, so (2L − 1)/L → 2
    for layers, bound in ((1, 1.0), (10, 1.9), (100, 1.99)):
        assert (2 * layers - 1) / layers == pytest.approx(bound)


def test_tensorflow_picks_0_at_the_corners_of_abs_and_relu_the_snippet_minus_1():
    import tensorflow as tf

    for function in (tf.abs, tf.nn.relu):
        x = tf.Variable(0.0)
        with tf.GradientTape() as tape:
            y = function(x)
        assert tape.gradient(y, x).numpy() == 0.0
    at_the_corner = computation_graph.backward(x=2.0, w=3.0, b=1.0, y_true=7.0)
    assert computation_graph.forward(2.0, 3.0, 1.0, 7.0)["diff"] == 0.0
    assert at_the_corner["diff"] == -1.0


def test_the_tape_returns_none_for_what_it_did_not_watch():
    import tensorflow as tf

    c = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = c * c
    assert tape.gradient(y, c) is None
    frozen = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = frozen * frozen
    assert tape.gradient(y, frozen) is None
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = c * c
    assert tape.gradient(y, c).numpy() == 6.0


def test_watched_variables_get_none_when_the_path_leaves_tensorflow_or_is_unused():
    import tensorflow as tf

    W, b, unused = tf.Variable(2.0), tf.Variable(1.0), tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = tf.constant((W * 3.0).numpy())
        loss = (y + b - 4.0) ** 2
    grad_W, grad_b, grad_unused = tape.gradient(loss, [W, b, unused])  # no error
    assert grad_W is None and grad_unused is None
    assert grad_b.numpy() == 6.0


def test_a_none_gradient_fails_or_is_skipped_only_in_the_update():
    import warnings

    import keras
    import tensorflow as tf

    W = tf.Variable(1.0)
    # a hand-written update fails, with an error that depends on the rate's type
    with pytest.raises(TypeError):
        W.assign_sub(0.1 * None)  # a Python float
    with pytest.raises(ValueError):
        W.assign_sub(tf.constant(0.1) * None)  # a tensor
    # a Keras optimizer skips the weight with only a warning: it never trains
    W, b = keras.Variable(1.0), keras.Variable(2.0)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer.apply_gradients([(tf.constant(1.0), W), (None, b)])
    assert any("Gradients do not exist" in str(w.message) for w in caught)
    assert float(b.numpy()) == 2.0 and float(W.numpy()) == pytest.approx(0.9)
    # ...but when every gradient is None it raises a ValueError
    for optimizer in (keras.optimizers.SGD(0.1), keras.optimizers.RMSprop(0.1)):
        with pytest.raises(ValueError, match="No gradients provided"):
            optimizer.apply_gradients([(None, b)])
    assert float(b.numpy()) == 2.0


def test_the_graph_figure_labels_every_node_but_y_true_with_a_gradient():
    gradients = computation_graph.backward(**computation_graph.COURSE_VALUES)
    assert set(computation_graph.POSITIONS) - set(gradients) == {"y_true"}
    assert set(gradients) <= set(computation_graph.POSITIONS)
    assert (gradients["loss"], gradients["diff"], gradients["x"]) == (1.0, -1.0, 3.0)


def test_six_of_the_ten_checks_use_the_figures_own_gradients():
    from snippets.gradient_descent import gradient_check

    figure_functions = {
        "two_valleys_gradient",
        "bowl_gradient",
        "ravine_gradient",
        "rotated_ravine_gradient",
        "mse_gradient",
        "backward",
    }
    uses = [
        bool(figure_functions & set(hand.__code__.co_names))
        for _, hand, _ in gradient_check.CHECKS.values()
    ]
    assert (sum(uses), len(uses)) == (6, 10)
    text = page_text()
    assert "Six of the ten hand-derived gradients" in text
    for name in figure_functions:
        assert f"`{name}`" in text


def test_trainable_variables_are_watched_without_tape_watch():
    import keras
    import tensorflow as tf

    for variable in (tf.Variable(3.0), keras.Variable(3.0)):
        with tf.GradientTape() as tape:
            y = variable * variable
        assert float(tape.gradient(y, variable)) == 6.0


# --- the network from scratch against the first chapter's ---------------------


def test_he_initialisation_keeps_the_mean_square_of_relu_outputs():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    layer = scratch_network.DenseLayer(784, 512, tf.nn.relu, rng)
    x = rng.normal(size=(256, 784)).astype("float32")
    ratio = float(np.mean(layer.forward(x).numpy() ** 2) / np.mean(x**2))
    assert 0.9 < ratio < 1.1
    assert float(np.std(layer.W.numpy())) == pytest.approx(np.sqrt(2 / 784), rel=0.01)


def test_the_two_networks_differ_in_what_the_table_says():
    import inspect

    import keras

    from snippets.first_network import seeded_runs

    source = inspect.getsource(seeded_runs.train_first_network)
    assert 'optimizer="rmsprop"' in source and "initializer" not in source
    assert float(keras.optimizers.get("rmsprop").learning_rate) == pytest.approx(1e-3)
    dense = keras.layers.Dense(512)
    assert isinstance(dense.kernel_initializer, keras.initializers.GlorotUniform)
    keras.utils.set_random_seed(0)
    dense.build((None, 784))
    # Glorot's limit √(6 / (fan_in + fan_out)), as the float32 bound Keras samples
    # within: the float64 value lies just inside it, and a draw may reach it
    limit = np.float32(np.sqrt(6 / (784 + 512)))
    kernel = dense.kernel.numpy()
    assert (
        kernel.max() <= limit and kernel.min() >= -limit and kernel.max() > 0.99 * limit
    )
    assert scratch_network.LEARNING_RATE == 0.1
    assert (seeded_runs.EPOCHS, seeded_runs.BATCH_SIZE) == (
        scratch_network.EPOCHS,
        scratch_network.BATCH_SIZE,
    )
    text = page_text()
    assert "| learning rate | 0.1 | 0.001 (Keras's default) |" in text
    assert f"a learning rate of {scratch_network.LEARNING_RATE}:" in text


def test_the_batching_example_prints_what_the_page_shows():
    rng = np.random.default_rng(0)
    letters = np.array(["a", "b", "c", "d", "e"])
    order = rng.permutation(len(letters))
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert list(letters[order]) == [letters[i] for i in order]


# --- aligned and rotated ravines -----------------------------------------------


@pytest.fixture(scope="module")
def ravines():
    return {valley: optimizer_paths.paths(valley) for valley in optimizer_paths.VALLEYS}


def final_losses(ravines, valley):
    loss = optimizer_paths.VALLEYS[valley][0]
    return [loss(path[-1]) for path in ravines[valley].values()]


def test_rotation_keeps_the_valleys_shape_and_minimum():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(20, 2))
    turned = optimizer_paths.rotate(W, optimizer_paths.ANGLE_DEGREES)
    np.testing.assert_allclose(
        optimizer_paths.rotated_ravine(turned), optimizer_paths.ravine(W)
    )
    floor = np.array([[1.0, 1.0], [-3.0, -3.0]])  # along w₂ = w₁ the loss is ½·w₁²·2
    np.testing.assert_allclose(optimizer_paths.rotated_ravine(floor), [1.0, 9.0])
    assert optimizer_paths.rotated_ravine(np.zeros(2)) == 0.0


def test_rmsprop_wins_on_the_aligned_valley_and_falls_behind_momentum_rotated(ravines):
    sgd, momentum, rmsprop = final_losses(ravines, "aligned")
    assert rmsprop < momentum < sgd
    sgd_r, momentum_r, rmsprop_r = final_losses(ravines, "rotated by 45°")
    assert momentum_r < rmsprop_r < sgd_r
    assert rmsprop_r > 100 * rmsprop  # "much less" help on the rotated valley


def test_sgd_and_momentum_do_not_see_the_rotation(ravines):
    for name in list(ravines["aligned"])[:2]:  # SGD and momentum
        aligned = ravines["aligned"][name]
        rotated = ravines["rotated by 45°"][name]
        np.testing.assert_allclose(
            optimizer_paths.rotate(aligned, optimizer_paths.ANGLE_DEGREES),
            rotated,
            atol=1e-9,
        )
    aligned, rotated = (
        final_losses(ravines, "aligned"),
        final_losses(ravines, "rotated by 45°"),
    )
    assert aligned[:2] == pytest.approx(rotated[:2], rel=1e-12)
    assert [f"{x:.2e}" for x in aligned[:2]] == [f"{x:.2e}" for x in rotated[:2]]
    # ...up to rounding, not exactly: cos 45° and sin 45° round differently
    angle = np.radians(optimizer_paths.ANGLE_DEGREES)
    assert np.cos(angle) != np.sin(angle)


def test_rmsprops_first_step_and_its_running_scales(ravines):
    first = 0.3 / np.sqrt(1 - 0.9)
    for valley in optimizer_paths.VALLEYS:
        path = ravines[valley]["RMSprop, rho 0.9, rate 0.3"]
        np.testing.assert_allclose(np.abs(path[1] - path[0]), [first, first], rtol=1e-6)
    assert f"{first:.2f}" == "0.95"
    aligned = ravines["aligned"]["RMSprop, rho 0.9, rate 0.3"]
    assert np.abs(aligned[10:, 1]).max() < 0.01  # on the floor from step 10...
    assert np.all(np.diff(aligned[:, 0]) > 0)  # ...straight on towards the minimum
    assert abs(aligned[-1, 0]) < 0.01
    rotated = ravines["rotated by 45°"]["RMSprop, rho 0.9, rate 0.3"]
    step = rotated[1] - rotated[0]
    assert abs(step @ np.array([1.0, 1.0])) < 1e-9  # at right angles to w₂ = w₁
    # the ratio of the two divisors √(s + ε) does not tell the valleys apart
    # (retracted: "the divisors stay within a factor of 2 ... cannot undo"):
    # it ends below 2 on both, and on the aligned valley RMSprop still wins
    # because each coordinate there carries a single curvature
    ratios = {}
    for valley, start, gradient in (
        ("aligned", optimizer_paths.START, optimizer_paths.ravine_gradient),
        (
            "rotated",
            optimizer_paths.ROTATED_START,
            optimizer_paths.rotated_ravine_gradient,
        ),
    ):
        W = np.array(start, dtype=float)
        optimizer = rmsprop_numpy.RMSpropNumpy(0.3, rho=0.9)
        ratios[valley] = []
        for _ in range(optimizer_paths.STEPS):
            optimizer.apply([W], [gradient(W)])
            divisors = np.sqrt(optimizer.mean_square[0] + optimizer.epsilon)
            ratios[valley].append(divisors.max() / divisors.min())
    assert max(ratios["rotated"]) < 2
    assert ratios["aligned"][0] > 5 and ratios["aligned"][-1] < 2
    # the first step is the same size though the slopes differ more than fivefold
    slopes = np.abs(optimizer_paths.ravine_gradient(np.array(optimizer_paths.START)))
    np.testing.assert_allclose(slopes, [9, 50])
    assert slopes.max() > 5 * slopes.min()


def test_the_rotated_figure_alt_text(ravines):
    runs = ravines["rotated by 45°"]
    loss = optimizer_paths.rotated_ravine
    sgd = loss(runs["SGD, rate 0.07"])
    rmsprop = loss(runs["RMSprop, rho 0.9, rate 0.3"])
    assert np.sum(rmsprop > sgd) > optimizer_paths.STEPS * 0.8  # "for most of the run"
    np.testing.assert_allclose(
        optimizer_paths.ROTATED_START, (-7.78, -4.95), atol=0.005
    )


def test_momentum_keeps_swinging_across_the_valley_and_wins_along_the_floor(ravines):
    runs = ravines["aligned"]
    sgd, momentum = runs["SGD, rate 0.07"], runs["SGD + momentum 0.8, rate 0.03"]
    steep, shallow = optimizer_paths.CURVATURES[1], optimizer_paths.CURVATURES[0]
    # across the valley: momentum does not damp the zigzag, it keeps swinging
    for step in (10, 20, 30, 50):
        assert abs(momentum[step, 1]) > 5 * abs(sgd[step, 1])
    np.testing.assert_allclose(sgd[1:, 1] / sgd[:-1, 1], 1 - 0.07 * steep)  # −0.75
    # what lasts longer is the size of momentum's swings, not their number:
    # SGD crosses the floor at every step, momentum far less often
    crossings = {
        name: int(np.sum(np.sign(run[1:, 1]) != np.sign(run[:-1, 1])))
        for name, run in (("sgd", sgd), ("momentum", momentum))
    }
    assert crossings["sgd"] == optimizer_paths.STEPS > 2 * crossings["momentum"]
    assert f"{abs(1 - 0.07 * steep):.2f}" == "0.75"
    for curvature in (steep, shallow):  # complex roots of size √0.8 both ways
        roots = np.roots([1, -(1 + 0.8 - 0.03 * curvature), 0.8])
        assert np.all(np.iscomplex(roots))
        np.testing.assert_allclose(np.abs(roots), np.sqrt(0.8))
    assert f"{np.sqrt(0.8):.2f}" == "0.89"
    # both ways its distance shrinks by about √0.8 per step: the envelope stays level
    for axis in (0, 1):
        envelope = np.abs(momentum[:, axis]) / np.sqrt(0.8) ** np.arange(len(momentum))
        assert envelope[25:].max() == pytest.approx(envelope[:25].max(), rel=0.2)

    def parts(w):  # the loss along the floor and across it
        return 0.5 * shallow * w[0] ** 2, 0.5 * steep * w[1] ** 2

    along, across = parts(momentum[-1])
    assert 0.4 < across / (along + across) < 0.6  # about half
    assert parts(sgd[-1])[1] < 1e-10
    # along the floor momentum wins: its distance there ends far below SGD's
    assert parts(momentum[-1])[0] * 10 < parts(sgd[-1])[0]
    np.testing.assert_allclose(sgd[1:, 0] / sgd[:-1, 0], 1 - 0.07 * shallow)


# --- smaller sentences ------------------------------------------------------------


def test_the_rates_are_hand_picked_and_the_tuned_rates_rank_the_same(ravines):
    names = list(optimizer_paths.OPTIMIZERS)
    hand = {name: rate for name, (_, rate) in optimizer_paths.OPTIMIZERS.items()}
    best = {
        valley: {name: optimizer_paths.best_rate(name, valley) for name in names}
        for valley in optimizer_paths.VALLEYS
    }
    aligned, rotated = best["aligned"], best["rotated by 45°"]
    # picked by hand, not tuned: momentum's and RMSprop's are not the grid's best
    assert hand[names[0]] == aligned[names[0]] == 0.07
    assert hand[names[1]] != aligned[names[1]] == rotated[names[1]] == 0.04
    assert hand[names[2]] != aligned[names[2]]
    assert (aligned[names[2]], rotated[names[2]]) == (0.39, 0.38)
    # SGD's hand-picked rate is just below the rate at which it diverges
    assert hand[names[0]] < 2 / optimizer_paths.CURVATURES[1] < hand[names[0]] + 0.02

    def scores(valley, rates=None):
        loss = optimizer_paths.VALLEYS[valley][0]
        runs = optimizer_paths.paths(valley, rates)
        mean = [optimizer_paths.mean_last_loss(loss, path) for path in runs.values()]
        return mean, [loss(path[-1]) for path in runs.values()]

    # tuned, by the mean of the last 10 steps: RMSprop, momentum, SGD aligned...
    sgd, momentum, rmsprop = scores("aligned", aligned)[0]
    assert rmsprop < momentum < sgd
    # ...and momentum, RMSprop, SGD rotated
    (sgd, momentum, rmsprop), final = scores("rotated by 45°", rotated)
    assert momentum < rmsprop < sgd
    assert final[2] < final[1]  # after exactly 50 steps RMSprop is a little below
    assert final[1] < 1.2 * final[2]
    # the hand-picked ranking, by the mean as well as after 50 steps
    mean, final = scores("aligned")
    assert mean[2] < mean[1] < mean[0] and final[2] < final[1] < final[0]
    mean, final = scores("rotated by 45°")
    assert final[1] < final[2] < final[0]
    assert mean[1] < mean[0] < mean[2]  # the hand-picked RMSprop's mean > SGD's
    # momentum's loss still swings from step to step at the end of the run
    loss = optimizer_paths.ravine(ravines["aligned"][f"{names[1]}, rate 0.03"])
    assert np.sum(np.diff(loss[-11:]) > 0) >= 3


def test_kerass_sgd_with_momentum_is_the_pages_velocity_form():
    import keras
    import tensorflow as tf

    # 0.125 and 0.5 are exact in float32, the type Keras keeps η in
    w = keras.Variable(2.0, dtype="float64")
    optimizer = keras.optimizers.SGD(learning_rate=0.125, momentum=0.5)
    path = descent.momentum_descent(lambda x: 2 * x, 2.0, 0.125, 0.5, 10)  # on x²
    for expected in path[1:]:
        optimizer.apply_gradients([(tf.constant(2 * float(w.numpy()), "float64"), w)])
        assert float(w.numpy()) == pytest.approx(expected, rel=1e-12)


def test_a_wrong_gradient_raises_nothing_and_training_goes_badly():
    right = descent.gradient_descent(lambda x: 2 * x, 1.0, 0.3, 50)
    wrong = descent.gradient_descent(lambda x: -2 * x, 1.0, 0.3, 50)  # sign error
    assert abs(right[-1]) < 1e-6 and abs(wrong[-1]) > 1e6


def test_one_descent_step_on_the_course_graph_lowers_w_twice_as_fast_as_b():
    gradients = computation_graph.backward(**computation_graph.COURSE_VALUES)
    assert gradients["w"] > 0 and gradients["b"] > 0
    assert gradients["w"] == 2 * gradients["b"]


def test_numpy_rmsprop_computes_in_the_weights_dtype():
    for dtype in ("float32", "float64"):
        w = np.array([1.0, -2.0], dtype=dtype)
        optimizer = rmsprop_numpy.RMSpropNumpy(learning_rate=0.1)
        optimizer.apply([w], [np.array([0.5, 0.25])])
        assert w.dtype == dtype and optimizer.mean_square[0].dtype == dtype


def test_compare_with_keras_returns_every_steps_gap_and_the_numpy_weights():
    gaps, weights = rmsprop_numpy.compare_with_keras(0.01, 0.9, 0.0, steps=3)
    assert gaps.shape == (3,) and [w.shape for w in weights] == [(3, 2), (2,)]
    # relative for weights above 1 in size, absolute below
    assert rmsprop_numpy.weight_gap(np.array([100.0]), np.array([101.0])) == 0.01
    assert rmsprop_numpy.weight_gap(np.array([0.01]), np.array([0.02])) == 0.01


def test_a_float32_near_10_is_resolved_to_about_1e_minus_6():
    assert 5e-7 < float(np.spacing(np.float32(10.0))) < 2e-6


def test_the_tape_gives_each_source_its_own_shape():
    import tensorflow as tf

    W = tf.Variable(tf.ones((3, 2)))
    b = tf.Variable(tf.zeros((2,)))
    x = tf.ones((4, 3))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.matmul(x, W) + b)
    grad_W, grad_b = tape.gradient(loss, [W, b])
    assert grad_W.shape == W.shape and grad_b.shape == b.shape
    assert isinstance(grad_W, tf.Tensor) and isinstance(grad_b, tf.Tensor)
    # the exception: rows read through tf.gather come back as IndexedSlices
    E = tf.Variable(tf.ones((5, 2)))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.gather(E, [1, 3]))
    gathered = tape.gradient(loss, E)
    assert isinstance(gathered, tf.IndexedSlices)
    assert not isinstance(gathered, tf.Tensor)
    assert list(gathered.dense_shape.numpy()) == [5, 2]
    assert sorted(gathered.indices.numpy()) == [1, 3]  # only the rows read


def test_reading_a_variable_through_gather_gives_indexed_slices_even_for_all_rows():
    import tensorflow as tf

    V = tf.Variable(tf.ones((3, 2)))
    for rows in ([0, 1, 2], [1]):  # every row, or only some
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(V, rows))
        assert isinstance(tape.gradient(loss, V), tf.IndexedSlices)
    # reading only some rows by plain slicing gives an ordinary tensor
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(V[0])
    assert not isinstance(tape.gradient(loss, V), tf.IndexedSlices)


def test_the_tape_section_announces_as_many_cases_as_it_shows():
    text = PAGE.read_text()
    section = text[text.index("## GradientTape") : text.index("## Checking gradients")]
    cases = re.findall(r"^\*\*(A [^*]+)\.\*\*", section, flags=re.MULTILINE)
    assert cases == [
        "A scalar",
        "A matrix variable",
        "A dense layer, one sample",
        "A dense layer, a batch",
    ]
    words = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}
    assert f"{words[len(cases)]} cases cover" in " ".join(section.split())


def test_operations_without_a_gradient_give_none_though_watched_inside_the_block():
    import tensorflow as tf

    W = tf.Variable([1.0, 2.0])
    no_gradient = (
        lambda: tf.round(W),
        lambda: tf.cast(tf.argmax(W), tf.float32),
        lambda: tf.cast(tf.cast(W, tf.int32), tf.float32),
    )
    for operation in no_gradient:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(operation())
        assert tape.gradient(loss, W) is None
    with tf.GradientTape() as tape:  # the same path with a differentiable operation
        loss = tf.reduce_sum(tf.cast(W, tf.float64))
    assert tape.gradient(loss, W) is not None


def test_complex_roots_lie_inside_the_stable_range_and_give_the_fastest_momentum():
    for momentum in (0.1, 0.25, 0.5, 0.9, 0.99):
        low, high = (1 - np.sqrt(momentum)) ** 2, (1 + np.sqrt(momentum)) ** 2
        assert low > 0 and high <= 2 * (1 + momentum)  # inside the stable range
        for el in np.linspace(0.001, 2 * (1 + momentum) - 0.001, 400):
            complex_roots = (1 + momentum - el) ** 2 < 4 * momentum
            assert complex_roots == (low < el < high)
            size = largest_root(el, momentum)
            if low + 1e-3 < el < high - 1e-3:  # the fastest possible, sqrt(mu)
                assert size == pytest.approx(np.sqrt(momentum))
            elif el < low - 1e-3 or el > high + 1e-3:
                assert size > np.sqrt(momentum) + 1e-6
    # at mu = 0.9 the fastest settings run from about 0.003 to 3.797, just
    # below the limit 3.8
    assert round((1 - np.sqrt(0.9)) ** 2, 3) == 0.003
    assert round((1 + np.sqrt(0.9)) ** 2, 3) == 3.797 < 2 * (1 + 0.9)
    # a larger momentum does not need a larger rate: at eta*lambda = 0.01,
    # mu = 0.9 converges as fast as at 1 + mu = 1.9 (the retracted "takes")
    assert largest_root(0.01, 0.9) == pytest.approx(largest_root(1.9, 0.9))


def keras_first_step(g, learning_rate=0.001):
    import keras
    import tensorflow as tf

    w = keras.Variable(0.0)
    optimizer = keras.optimizers.RMSprop(learning_rate=learning_rate)
    optimizer.apply_gradients([(tf.constant(g), w)])
    return -float(w.numpy())


def test_epsilon_damps_steps_of_gradients_near_its_threshold():
    first_threshold = np.sqrt(1e-7 / (1 - 0.9))
    assert first_threshold == pytest.approx(1e-3)
    undamped = 0.001 / np.sqrt(0.1)
    # first step: damped around 10⁻³ (a factor √2 exactly there)
    for g, factor in ((1.0, 1.0), (first_threshold, 1 / np.sqrt(2)), (1e-5, 0.01)):
        assert keras_first_step(g) / undamped == pytest.approx(factor, rel=0.01)
    # once s has settled: damped only around √ε ≈ 3·10⁻⁴; 10⁻³ hardly at all
    assert f"{steady_step(1e-3) / 0.01:.2f}" == "0.95"
    assert f"{steady_step(3e-4) / 0.01:.1f}" == "0.7"
    assert steady_step(np.sqrt(1e-7)) / 0.01 == pytest.approx(1 / np.sqrt(2), rel=1e-3)


def test_the_first_step_is_about_3_16_eta_only_for_gradients_well_above_1e_minus_3():
    for g in (1000.0, 1.0, 0.01, -1.0):
        assert keras_first_step(g) == pytest.approx(
            np.sign(g) * 0.001 / np.sqrt(1 - 0.9), rel=0.005
        )  # a step against the sign of g
    assert f"{1 / np.sqrt(1 - 0.9):.2f}" == "3.16"
    assert keras_first_step(1e-3) / 0.001 < 2.3  # not "whatever the size of g"
    assert keras_first_step(1e-4) / 0.001 < 0.35


def test_sgd_on_the_ravine_diverges_above_0_08_and_creeps_at_0_07():
    gradient, start = optimizer_paths.ravine_gradient, optimizer_paths.START
    above = descent.gradient_descent(gradient, start, 0.081, 200)
    assert abs(above[-1, 1]) > abs(above[0, 1])  # across the valley, w₂ grows
    path = descent.gradient_descent(gradient, start, 0.07, 10)
    np.testing.assert_allclose(path[1:, 0] / path[:-1, 0], 0.93)
    assert 2 / optimizer_paths.CURVATURES[1] == pytest.approx(0.08)


def test_the_contributions_of_several_paths_add_up():
    import tensorflow as tf

    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x + 3 * x  # x feeds a product (two paths) and a sum
    gradient = tape.gradient(y, x).numpy()
    assert gradient == 2.0 + 2.0 + 3.0  # x + x + 3
    # node by node: x feeds two nodes, p = x·x and q = 3x, and y = p + q.
    # Each node passes d(y)/d(node) times its local derivative to each input;
    # x adds up what it receives from both.
    x_value = 2.0
    dy_dp, dy_dq = 1.0, 1.0  # from y = p + q
    from_p = dy_dp * x_value + dy_dp * x_value  # p = x·x uses x twice
    from_q = dy_dq * 3.0
    assert from_p + from_q == gradient
    assert from_p != gradient  # one path alone is not enough


def test_kerass_sgd_defaults_to_no_momentum():
    import keras

    assert keras.optimizers.SGD().momentum == 0.0


# --- the momentum sentences that lean on the first half's snippets -----------------


def test_on_a_plateau_momentum_steps_approach_learning_rate_g_over_1_minus_mu():
    path = descent.momentum_descent(lambda x: np.full_like(x, 0.01), 0.0, 0.1, 0.9, 100)
    t = np.arange(1, 101)
    np.testing.assert_allclose(-np.diff(path), 0.001 * (1 - 0.9**t) / (1 - 0.9))


def test_momentum_0_9_rolls_over_the_bump_and_0_5_does_not():
    from snippets.gradient_descent import two_minima

    global_minimum, bump, local_minimum = two_minima.critical_points()
    assert two_minima.two_valleys(global_minimum) < two_minima.two_valleys(
        local_minimum
    )
    assert bump == pytest.approx(0.17, abs=0.005)
    final = {}
    for momentum in (0.5, 0.9):
        path = descent.momentum_descent(
            two_minima.two_valleys_gradient,
            2.0,
            two_minima.LEARNING_RATE,
            momentum,
            two_minima.STEPS,
        )
        final[momentum] = path
    assert np.all(final[0.5] > bump)  # never gets past the bump
    assert final[0.5][-1] == pytest.approx(local_minimum, abs=1e-3)
    assert final[0.9][-1] == pytest.approx(global_minimum, abs=1e-3)
    assert final[0.9].min() < global_minimum  # overshoots the minimum it ends in


def test_plain_descent_settles_in_the_first_dip_only_with_small_steps():
    from snippets.gradient_descent import two_minima

    global_minimum, bump, local_minimum = two_minima.critical_points()
    gradient = two_minima.two_valleys_gradient
    small = descent.gradient_descent(gradient, 2.0, 0.01, 2000)
    assert np.all(small > bump)  # the first dip from x = 2 is the local minimum
    assert small[-1] == pytest.approx(local_minimum, abs=1e-4)
    large = descent.gradient_descent(gradient, 2.0, 0.1, 200)
    assert large[1] < bump  # one large step jumps over the bump...
    assert large[-1] == pytest.approx(global_minimum, abs=1e-3)  # ...and the dip
