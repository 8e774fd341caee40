"""Figures are compared by what they show: robust to versions, strict on data."""

import copy
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snippets.figure_summary import describe
from tests.helpers.figures import committed, figure_problems, pinned_matplotlib

NAME = "gradient-descent/learning-rates-1d.svg"  # any committed figure


def committed_figure():
    svg, description = committed(NAME)
    assert svg is not None and description is not None
    return svg, description


def test_the_committed_figure_passes_against_itself():
    svg, description = committed_figure()
    assert figure_problems(NAME, svg, description, svg, description) == []


def test_another_matplotlib_version_may_change_the_bytes_not_the_content():
    svg, description = committed_figure()
    other_bytes = svg.replace(b"<svg", b"<!-- drawn elsewhere --><svg", 1)
    upgraded = pinned_matplotlib() + ".post1"
    assert (
        figure_problems(NAME, other_bytes, description, svg, description, upgraded)
        == []
    )
    # with the pinned version, the same content must come out as the same bytes
    assert figure_problems(NAME, other_bytes, description, svg, description) != []


def first_line(description):
    return next(
        line for axes in description["axes"] for line in axes["lines"] if line["y"]
    )


def test_a_changed_data_point_fails_whatever_the_version():
    svg, description = committed_figure()
    changed = copy.deepcopy(description)
    y = first_line(changed)["y"]
    y[len(y) // 2] = (y[len(y) // 2] or 0.0) * 1.01 + 0.01
    for version in (pinned_matplotlib(), "9.9.9"):
        problems = figure_problems(NAME, svg, changed, svg, description, version)
        assert problems and "shows something else" in problems[0]


def test_last_digit_differences_are_within_the_tolerance():
    svg, description = committed_figure()
    jittered = copy.deepcopy(description)
    line = first_line(jittered)
    line["y"] = [v * (1 + 1e-12) if v is not None else None for v in line["y"]]
    assert figure_problems(NAME, svg, jittered, svg, description, "9.9.9") == []


def test_a_description_records_titles_labels_and_plotted_numbers():
    figure, axes = plt.subplots()
    axes.plot([0, 1, 2], [0.0, 1.0, 4.0], label="x squared")
    axes.set_title("a parabola")
    axes.set_xlabel("x")
    axes.legend()
    described = describe(figure)
    plt.close(figure)
    [panel] = described["axes"]
    assert panel["title"] == "a parabola" and panel["xlabel"] == "x"
    assert panel["legend"] == ["x squared"]
    assert panel["lines"][0]["y"] == [0.0, 1.0, 4.0]
    json.dumps(described)  # JSON-ready
    assert np.isfinite(panel["xlim"]).all()


def test_a_readers_font_size_does_not_change_the_description(tmp_path):
    matplotlib.rcParams["font.size"] = 30  # as a reader's matplotlibrc might
    try:
        figure, axes = plt.subplots()
        axes.plot([1, 2], [3, 4])
        big = describe(figure)
        plt.close(figure)
    finally:
        matplotlib.rcdefaults()
    figure, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    assert describe(figure) == big
    plt.close(figure)
