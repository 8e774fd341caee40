"""docs/notebooks/rmsprop-lab.py runs top to bottom in a fresh kernel and plots."""

import jupytext
import pytest

from lab.config import REPOSITORY
from lab.report import load_results
from tests.notebook_runner import execute, stdout_of

NOTEBOOK = REPOSITORY / "docs" / "notebooks" / "rmsprop-lab.py"


def images(cell) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


@pytest.mark.slow
def test_the_lab_notebook_runs_and_plots():
    notebook = jupytext.read(NOTEBOOK)
    execute(notebook, REPOSITORY, timeout=600)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "%matplotlib inline" in code[0].source

    printed = [stdout_of(cell) for cell in code]
    assert "digits: {'train': 2000, 'validation': 1000, 'test': 2000}" in printed[1]
    trained = printed[2].splitlines()
    assert [line.split("  ")[0].strip() for line in trained] == [
        "lr=0.001 momentum=0 seed=0",
        "lr=0.001 momentum=0.9 seed=0",
        "lr=0.01 momentum=0 seed=0",
        "lr=0.01 momentum=0.9 seed=0",
    ]
    for line in trained:
        accuracy = float(line.rsplit(" ", 1)[1])
        assert 0.5 < accuracy <= 1  # every run learns something in 3 epochs
    assert images(code[3]) == 1  # the learning curves

    best = load_results().best()
    assert printed[4] == (
        f"selected: lr {best.learning_rate:g}, momentum {best.momentum:g}, "
        f"mean validation accuracy {best.mean('val_accuracy'):.3f}\n"
    )
    assert images(code[4]) == 1  # the heatmap
