"""How the figures are drawn, and what their alt texts and captions say about it.

Where one curve could hide another, or a legend hide a curve, the snippet draws
the figure so that both show; these tests build each figure (with save_figure
replaced, so nothing is written) and check that the drawing keeps doing so, and
that the sentences describing the figures hold. Snippets checked here:

- snippets/gradient_descent/difference_quotients.py
- snippets/gradient_descent/optimizer_paths.py
- snippets/gradient_descent/batch_sizes.py
- snippets/gradient_descent/two_minima.py
- snippets/gradient_descent/learning_rate_paths.py
- snippets/first_network/show_digits.py
- snippets/broadcasting/shape_diagrams.py
- snippets/operations/folding.py
"""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from snippets.broadcasting import shape_diagrams
from snippets.first_network import show_digits
from snippets.gradient_descent import (
    batch_sizes,
    difference_quotients,
    optimizer_paths,
    two_minima,
)
from snippets.operations import folding

REPOSITORY = Path(__file__).resolve().parents[2]
DOCS = REPOSITORY / "docs"


def squeezed(page: str) -> str:
    return " ".join((DOCS / page).read_text().split())


def caption(page: str, figure: str) -> str:
    """The title of the image ``figures/<figure>`` on ``page``: its caption."""
    match = re.search(
        rf"\]\(figures/{re.escape(figure)} \"([^\"]*)\"\)", (DOCS / page).read_text()
    )
    assert match, f"{figure} has no caption on {page}"
    return match[1]


@pytest.fixture
def drawn(monkeypatch):
    """Run a snippet's drawing function; returns {file name: figure}."""
    figures = {}

    def keep(figure, name):
        figures[name] = figure

    def draw(module, function, *args):
        monkeypatch.setattr(module, "save_figure", keep)
        getattr(module, function)(*args)
        return figures

    yield draw
    for figure in figures.values():
        plt.close(figure)


def line_labelled(axes, start):
    [line] = [line for line in axes.lines if line.get_label().startswith(start)]
    return line


# --- difference quotients ------------------------------------------------------


def test_from_h_1e_8_on_the_two_errors_are_equal_and_both_curves_show(drawn):
    steps = difference_quotients.STEP_SIZES
    forward, central = difference_quotients.errors(steps)
    small = steps <= 1e-8
    assert small.sum() == 5  # 1e-8, 1e-9, ..., 1e-12
    np.testing.assert_array_equal(forward[small], central[small])  # exactly equal
    assert np.all(forward[~small] != central[~small])
    on_page = squeezed("gradient-descent.md")
    assert "from h = 1e-8 on, the two errors are equal" in on_page
    # drawn so that the central curve does not hide the forward one there
    figure = drawn(difference_quotients, "main")[
        "gradient-descent/difference-quotients.svg"
    ]
    errors_axes = figure.get_axes()[1]
    forward_line = line_labelled(errors_axes, "forward")
    central_line = line_labelled(errors_axes, "central")
    assert forward_line.get_zorder() > central_line.get_zorder()  # on top
    assert forward_line.get_linestyle() == "--"  # dashed
    assert forward_line.get_markersize() < central_line.get_markersize()  # small dots
    assert (
        "the forward curve, dashed with small dots, runs on top of the central one"
        in (on_page)
    )


# --- optimizer paths ---------------------------------------------------------------


def test_rmsprops_first_rotated_step_points_at_the_floor_and_never_crosses_it():
    path = optimizer_paths.paths("rotated by 45°")["RMSprop, rho 0.9, rate 0.3"]
    # the floor is the diagonal w₂ = w₁: distance from it, and position along it
    across = (path[:, 1] - path[:, 0]) / np.sqrt(2)
    along = (path[:, 0] + path[:, 1]) / np.sqrt(2)
    step = path[1] - path[0]
    assert abs(step @ np.array([1.0, 1.0])) < 1e-9  # at a right angle to the floor
    assert abs(along[1] - along[0]) < 1e-9  # "without moving along it"
    assert across[0] == pytest.approx(2.0) and across[1] == pytest.approx(
        0.658, abs=1e-3
    )
    assert 0 < across[1] < across[0]  # towards the floor, stopping short of it
    assert np.all(across > 0)  # "stays just to one side of the floor": never crosses
    assert across[3:].max() < 0.15
    assert np.all(np.diff(along[1:]) > 0)  # then moves along it, towards the minimum
    assert abs(along[-1]) < 0.2 * abs(along[0])
    on_page = squeezed("gradient-descent.md")
    assert (
        "RMSprop's first step goes straight towards the diagonal floor, at a right "
        "angle to it, without moving along it; RMSprop then stays just to one side "
        "of the floor and creeps along it towards the minimum." in on_page
    )
    assert (
        "the same first step now points straight at the floor, at a right angle to it, "
        "and makes no progress along the valley" in on_page
    )


@pytest.mark.parametrize("valley", list(optimizer_paths.VALLEYS))
def test_the_loss_panels_legend_sits_under_the_panel_where_it_hides_no_curve(
    drawn, valley
):
    runs = optimizer_paths.paths(valley)
    drawing = drawn(optimizer_paths, "draw", valley, runs, "paths.svg")
    figure = drawing["gradient-descent/paths.svg"]
    curves = figure.get_axes()[1]
    figure.canvas.draw()
    legend = curves.get_legend().get_window_extent()
    panel = curves.get_window_extent()
    assert legend.y1 < panel.y0  # entirely below the plotting area
    assert legend.y0 >= 0  # and still inside the figure
    assert figure.get_figwidth() <= 5.3  # the book's phone width


def test_the_optimizer_paths_caption_holds_for_the_images_and_the_explorer():
    config = json.loads(
        (REPOSITORY / "snippets/gradient_descent/optimizer_paths.json").read_text()
    )
    text = caption("gradient-descent.md", "gradient-descent/optimizer-paths.svg")
    assert text == (
        "SGD, SGD with momentum and RMSprop on a narrow valley, aligned with the w₁ "
        "axis and turned: by 45° in the second image, by any angle up to 90° in the "
        "explorer"
    )
    assert optimizer_paths.ANGLE_DEGREES == 45  # the second, rotated image
    assert list(optimizer_paths.VALLEYS) == ["aligned", "rotated by 45°"]
    angle = config["explorer"]["sliders"]["angle_degrees"]
    assert (angle["min"], angle["max"]) == (0, 90)
    assert config["explorer"]["angle_degrees"] == 0.0  # it opens aligned
    # the prose names the two images of the one numbered figure
    assert (
        "turn the valley from 0° (the first of the two images) through 45° "
        "(the second) to 90°" in squeezed("gradient-descent.md")
    )


# --- batch sizes ---------------------------------------------------------------------


def test_true_sgds_jitter_is_drawn_under_the_other_curves(drawn):
    x, y = batch_sizes.make_data()
    results = batch_sizes.run_all(x, y)
    figure = drawn(batch_sizes, "draw", results, batch_sizes.noise_floor(x, y))[
        "gradient-descent/batch-sizes.svg"
    ]
    for axes in figure.get_axes():
        single = line_labelled(axes, "true SGD")
        for name in ("batch (512)", "mini-batch (32)", "true plane"):
            assert single.get_zorder() < line_labelled(axes, name).get_zorder()
        assert single.get_alpha() < 1
    # what the alt text reads off the figure: the mini-batch curve within 5 % of
    # the floor at epoch 4 (update 64) and ending at update 160
    elapsed, losses = results["mini-batch (32)"]
    first = int(np.argmax(losses < 1.05 * batch_sizes.noise_floor(x, y)))
    assert (first, elapsed[first]) == (64, 4.0) and len(losses) - 1 == 160


# --- two minima --------------------------------------------------------------------


def test_the_end_dots_are_drawn_over_every_path(drawn):
    paths = two_minima.runs()
    figure = drawn(two_minima, "draw", paths)["gradient-descent/two-minima.svg"]
    curve_axes = figure.get_axes()[0]
    markers = [line.get_marker() for line in curve_axes.lines]
    # the loss curve, the three paths' dots, then the three end dots
    assert markers == ["None", ".", ".", ".", "o", "o", "o"]
    sizes = [line.get_markersize() for line in curve_axes.lines[4:]]
    assert sizes == sorted(sizes, reverse=True)  # nested, largest first
    # why: momentum's third step lands almost on the local minimum, where the
    # run from x = 2 ends
    _, _, local_minimum = two_minima.critical_points()
    momentum = paths["momentum 0.9 from x = 2"]
    assert abs(momentum[3] - local_minimum) < 1e-3
    assert abs(paths["descent from x = 2"][-1] - local_minimum) < 1e-6


# --- learning rates ---------------------------------------------------------------


def test_the_learning_rate_caption_holds_for_the_figure_and_the_explorer():
    from snippets.gradient_descent import descent

    config = json.loads(
        (REPOSITORY / "snippets/gradient_descent/learning_rate_paths.json").read_text()
    )
    text = caption("gradient-descent.md", "gradient-descent/learning-rates-1d.svg")
    assert text == (
        "Gradient descent on a parabola: ten steps on x² at six learning rates, or in "
        "the explorer any rate, curvature, start and number of steps"
    )
    # the static figure: ten steps on x² (curvature 2) at six rates
    assert descent.STEPS_1D == 10 and config["curvature"] == 2.0
    assert len(config["figure_presets"]) == 6
    # the explorer: a slider for each of these
    assert {"learning_rate", "curvature", "start", "steps"} <= set(config["sliders"])


# --- first network -----------------------------------------------------------------


def test_the_test_digit_is_the_1_in_the_bottom_right_corner_titled_in_red(drawn):
    figure = drawn(show_digits, "main")["first-network/digits.svg"]
    axes = figure.get_axes()
    assert len(axes) == 9  # three rows of three
    corner = axes[-1]  # row by row: the last is the bottom right corner
    assert corner.get_subplotspec().rowspan.start == 2
    assert corner.get_subplotspec().colspan.start == 2
    assert corner.get_title() == "test 0: 1"
    assert corner.title.get_color() == "tab:red"
    assert all(a.title.get_color() != "tab:red" for a in axes[:-1])
    assert (
        "the first test image, the 1 in the bottom right corner of "
        "[Figure](#fig-digits), titled in red" in squeezed("first-network.md")
    )


# --- broadcasting ------------------------------------------------------------------


def test_the_broadcasting_caption_holds_for_the_figure_and_the_explorer():
    config = json.loads(
        (REPOSITORY / "snippets/broadcasting/explorer_examples.json").read_text()
    )
    text = caption("broadcasting.md", "broadcasting/incompatible.svg")
    assert text == (
        "Aligning shapes from the right: the course's clashing pair, whose first axes, "
        "5 and 4, differ, or shapes you choose in the explorer"
    )
    [(_, operands, _, _)] = [
        d for d in shape_diagrams.DIAGRAMS if d[0] == "incompatible.svg"
    ]
    shapes = [shape for _, shape in operands]
    # the explorer opens on the same pair the static figure draws
    [opening] = [e for e in config["examples"] if e["name"] == config["default"]]
    assert [tuple(s) for s in opening["shapes"]] == shapes
    assert (shapes[0][0], shapes[1][0]) == (5, 4)  # first axes differ, neither 1
    with pytest.raises(ValueError):
        np.broadcast_shapes(*shapes)
    np.broadcast_shapes(shapes[0][1:], shapes[1][1:])  # the other axes do not clash
    assert config["max_axes"] > 3 and len(config["operands"]) >= 2  # shapes of your own


# --- operations ----------------------------------------------------------------------


def test_the_fold_is_a_relu_layer_then_an_affine_layer_without_relu():
    points, _ = folding.make_points()
    hidden = np.maximum(points @ folding.W1.T + folding.b1, 0.0)  # the relu layer
    folded = folding.fold(points)
    np.testing.assert_allclose(folded, hidden @ folding.W2.T + folding.b2)
    assert folded.min() < 0  # the second layer applies no relu: h₂ can be negative
    text = caption("operations.md", "operations/folding.svg")
    assert text == (
        "A relu layer and an affine layer fold the plane: the points before and after"
    )
