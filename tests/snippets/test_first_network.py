"""Claims of docs/first-network.md.

tests/test_snippets.py runs snippets/first_network/show_digits.py,
snippets/first_network/draw_network.py and snippets/first_network/seeded_runs.py
and compares their output and figures; the page's own code blocks (including the
training run, seed 0) are run by pytest-codeblocks. This file checks that the
bounds the page states are the ones the seeded-runs script asserts, and that a
second seed lands inside them too.

How the bounds were derived
---------------------------
``python snippets/first_network/seeded_runs.py --seeds 0-11`` on the machine
that built the book (x86-64, 2 cores, TensorFlow 2.21, Keras 3.15, op
determinism on) wrote snippets/first_network/seeded_runs_table.md: over 12
seeds, training accuracy of epoch 5 from 96.78 % to 97.15 % (sd 0.11 points),
test accuracy from 92.85 % to 94.05 % (sd 0.37 points), and probability given
to the (correct) answer 1 for x_test[0] from 0.973 to 0.997.

Each bound widens the observed range by at least two standard deviations plus
the third-decimal wobble another CPU can add, rounded outwards to a whole
percent: training accuracy in [0.96, 0.98], test accuracy in [0.92, 0.95],
probability above 0.95. A run outside them means the network or the data
changed, not noise.
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from lab.mnist_data import load_mnist
from snippets.first_network import draw_network, seeded_runs

PAGE = Path(__file__).resolve().parents[2] / "docs" / "first-network.md"


def percent(bound: float) -> str:
    return f"{bound:.0%}"


def test_the_page_states_the_bounds_the_script_asserts():
    text = PAGE.read_text()
    bounds = {
        "training_accuracy": seeded_runs.TRAIN_ACCURACY_BOUNDS,
        "test_accuracy": seeded_runs.TEST_ACCURACY_BOUNDS,
    }
    for name, (low, high) in bounds.items():
        assert f"between {percent(low)} and {percent(high)}: " in text  # printed
        assert f"{{{low} <= {name} <= {high}}}" in text  # computed
        assert f"**between {low * 100:.0f} % and {high * 100:.0f} %**" in text  # prose
    assert f"above {percent(seeded_runs.MIN_PROBABILITY)}: " in text
    assert f"> {seeded_runs.MIN_PROBABILITY}}}" in text


def test_the_training_bound_lies_above_the_test_bound_so_the_gap_is_real():
    assert seeded_runs.TRAIN_ACCURACY_BOUNDS[0] > seeded_runs.TEST_ACCURACY_BOUNDS[1]


TABLE = Path(seeded_runs.__file__).with_name("seeded_runs_table.md")
ROW = re.compile(
    r"^\| (\d+) \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+) \| (\d) \(([\d.]+)\) \|$", re.M
)


def committed_runs() -> dict[int, dict]:
    return {
        int(seed): {
            "train_accuracy": float(train) / 100,
            "test_accuracy": float(test) / 100,
            "predicted": int(predicted),
            "probability": float(probability),
        }
        for seed, train, test, _, predicted, probability in ROW.findall(
            TABLE.read_text()
        )
    }


def test_the_committed_table_is_what_the_script_writes_and_lies_inside_the_bounds():
    runs = committed_runs()
    assert sorted(runs) == list(range(12))
    rows = [{"seed": seed, "test_loss": 0.0, **run} for seed, run in runs.items()]
    regenerated = ROW.sub("", seeded_runs.markdown_table(rows))
    assert (
        regenerated.splitlines()[2:] == ROW.sub("", TABLE.read_text()).splitlines()[2:]
    )
    for run in runs.values():
        assert seeded_runs.within(
            run["train_accuracy"], seeded_runs.TRAIN_ACCURACY_BOUNDS
        )
        assert seeded_runs.within(
            run["test_accuracy"], seeded_runs.TEST_ACCURACY_BOUNDS
        )
        assert (
            run["predicted"] == 1 and run["probability"] > seeded_runs.MIN_PROBABILITY
        )
    assert '--8<-- "snippets/first_network/seeded_runs_table.md"' in PAGE.read_text()


@pytest.mark.slow
def test_another_seed_lands_inside_the_bounds_and_reproduces_its_row():
    run = seeded_runs.train_first_network(seed=1)
    committed = committed_runs()[1]
    # another CPU may round differently over 315 updates: one point of slack
    for key in ("train_accuracy", "test_accuracy"):
        assert abs(run[key] - committed[key]) <= 0.01
    assert seeded_runs.within(run["train_accuracy"], seeded_runs.TRAIN_ACCURACY_BOUNDS)
    assert seeded_runs.within(run["test_accuracy"], seeded_runs.TEST_ACCURACY_BOUNDS)
    assert run["predicted"] == run["label"] == 1
    assert run["probability"] > seeded_runs.MIN_PROBABILITY
    assert run["train_accuracy"] > run["test_accuracy"]  # the overfitting gap


def test_the_weight_counts_in_the_figure_and_the_prose():
    assert draw_network.weight_count(784, 512) == 401_920
    assert draw_network.weight_count(512, 10) == 5_130
    text = PAGE.read_text()
    for count in ("401,920", "5,130", "407,050", "200{,}960", "2{,}570", "203,530"):
        assert count in text


def test_batches_per_epoch_and_updates():
    (train_images, _), (test_images, _) = load_mnist()
    assert math.ceil(len(train_images) / seeded_runs.BATCH_SIZE) == 63
    assert len(train_images) - 62 * 128 == 64  # the short last batch the page mentions
    assert 63 * seeded_runs.EPOCHS == 315
    assert math.ceil(60_000 / 128) == 469
    assert len(test_images) == 2000


def test_the_digit_to_predict_is_the_one_the_alt_text_names():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    alt = re.search(
        r"!\[([^\]]*)\]\(figures/first-network/digits\.svg\)", PAGE.read_text()
    )
    assert alt, "the digits figure needs alt text"
    shown = ", ".join(str(label) for label in y_train[:7]) + f" and {y_train[7]}"
    assert f"a {shown}" in alt[1]
    assert f"the first test digit, a {y_test[0]}" in alt[1]


def test_the_full_dataset_note_cites_the_reference_figure_and_both_switches():
    text = PAGE.read_text()
    note = text[text.index('!!! note "Switching to the full MNIST"') :]
    note = note[: note.index("## Summary")]
    assert "97.8 % test accuracy after 5" in note
    assert "Chollet" in note and "Deep Learning" in note
    assert 'load_mnist("keras")' in note and 'load_mnist("path/to/mnist.npz")' in note


def test_a_bad_source_is_refused_in_one_line(capsys):
    assert seeded_runs.main(["--source", "/nonexistent/mnist.npz"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "does not exist" in error


def test_a_bad_seed_range_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit):
        seeded_runs.main(["--seeds", "three"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "not a seed or a range" in error


def test_preprocessing_keeps_every_pixel_and_scales_into_the_unit_interval():
    (x_train, _), _ = load_mnist()
    flat = x_train.reshape((len(x_train), 28 * 28)).astype("float32") / 255
    assert flat.shape == (8000, 784) and flat.dtype == np.float32
    assert flat.min() == 0.0 and flat.max() == 1.0
    assert np.array_equal(np.round(flat[3] * 255).astype(np.uint8), x_train[3].ravel())
