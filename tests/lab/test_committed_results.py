"""The committed results of the default sweep, and what docs/lab.md says about them.

The tables and figures under lab/results/ and docs/figures/lab/ must be exactly
what lab/report.py makes from the committed CSV and JSON; every claim the page
makes about the results is checked here against those files.
"""

import math
import re
import shutil
import statistics

import pytest

from lab.report import (
    FIGURES,
    GUESSING_LOSS,
    TABLES,
    best_rate_by_momentum,
    effective_step_fit,
    load_results,
    step_groups,
    write_report,
)
from lab.rmsprop_sweep import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATES,
    DEFAULT_MOMENTA,
    DEFAULT_SEEDS,
    DEFAULT_VALIDATION_SIZE,
    FIGURES_DIR,
    METADATA_FILE,
    REPOSITORY,
    RESULTS_DIR,
    RUNS_FILE,
    SELECTED_FILE,
    Experiment,
    read_rows,
)
from lab.training import TRAINING_FLOPS_PER_SAMPLE

PAGE = (REPOSITORY / "docs" / "lab.md").read_text()
PROSE = re.sub(r"\s+", " ", PAGE)


@pytest.fixture(scope="module")
def results():
    return load_results(RESULTS_DIR)


def accuracy(results, learning_rate, momentum) -> float:
    return results.configuration(learning_rate, momentum).mean("val_accuracy")


def test_the_committed_sweep_is_the_default_one(results):
    assert results.experiment == Experiment()
    assert results.metadata["data_sizes"] == {
        "train": 7000,
        "validation": 1000,
        "test": 2000,
    }
    assert len(read_rows(RESULTS_DIR / RUNS_FILE)) == 60 * DEFAULT_EPOCHS
    assert all(seed["reproduced_sweep"] for seed in results.selected["seeds"])


def test_tables_and_figures_are_what_the_generator_makes(tmp_path):
    for name in (RUNS_FILE, METADATA_FILE, SELECTED_FILE):
        shutil.copy(RESULTS_DIR / name, tmp_path / name)
    write_report(tmp_path, tmp_path / "figures")
    for name in TABLES:
        assert (tmp_path / name).read_text() == (RESULTS_DIR / name).read_text(), name
    for name in FIGURES:
        fresh = (tmp_path / "figures" / name).read_bytes()
        assert fresh == (FIGURES_DIR / name).read_bytes(), name


def test_the_page_includes_every_generated_table_and_figure():
    for name in (*TABLES, "benchmark.md"):
        assert f'\n--8<-- "lab/results/{name}"\n' in PAGE, name
    for name in FIGURES:
        assert f"](figures/lab/{name})" in PAGE, name


def test_the_page_states_the_defaults():
    assert DEFAULT_LEARNING_RATES == (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
    assert "the learning rate: 1e-4, 3e-4, 1e-3, 3e-3 or 1e-2;" in PROSE
    assert DEFAULT_MOMENTA == (0.0, 0.5, 0.9, 0.99)
    assert "the momentum: 0, 0.5, 0.9 or 0.99;" in PROSE
    assert DEFAULT_SEEDS == (0, 1, 2) and "the seed, 0, 1 or 2," in PROSE
    assert (DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS) == (128, 5)
    assert "batches of 128, 5 epochs" in PROSE and "the 5 short epochs" in PROSE
    assert "5 learning rates × 4 momenta × 3 seeds = 60 runs" in PROSE
    assert DEFAULT_VALIDATION_SIZE == 1000 and "1,000 of the training digits" in PROSE
    grid = len(DEFAULT_LEARNING_RATES) * len(DEFAULT_MOMENTA)
    assert grid == 20 and "Picking the best of 20 configurations" in PROSE
    assert "the best of 20 on the validation digits" in PROSE
    assert "highest of 20" in PROSE
    assert TRAINING_FLOPS_PER_SAMPLE == 3 * 2 * (784 * 512 + 512 * 10)
    assert "3 × 2 × (784 · 512 + 512 · 10)" in PROSE
    assert "--validation-size 10000" in PAGE and "holding 10,000 digits out" in PROSE
    # "ten times lr at momentum 0.9"; exercise 3's factors 20, 10 and 100
    assert round(1 / (1 - 0.9)) == 10 and round(1 / (1 - 0.95)) == 20
    assert round(1 / (1 - 0.99)) == 100


def test_no_run_of_the_grid_diverged(results):
    assert not any(row.diverged for row in read_rows(RESULTS_DIR / RUNS_FILE))
    assert "No run of this grid reached a NaN or infinite loss" in PROSE


def test_the_loss_blows_up_only_with_momentum_099(results):
    rates = results.experiment.learning_rates
    losses = [results.configuration(lr, 0.99).mean("train_loss") for lr in rates]
    assert losses == sorted(losses) and len(set(losses)) == len(losses)
    blown = {(c.learning_rate, c.momentum) for c in results.grid.values() if c.blew_up}
    assert blown == {(3e-3, 0.99), (1e-2, 0.99)}  # "the two largest rates"
    others = [c.mean("train_loss") for c in results.grid.values() if c.momentum <= 0.9]
    assert max(others) < GUESSING_LOSS / 4  # "far below"


def test_the_worst_configuration_stays_far_above_chance(results):
    grid = list(results.grid.values())
    worst = min(grid, key=lambda c: c.mean("val_accuracy"))
    assert (worst.learning_rate, worst.momentum) == (1e-2, 0.99)
    assert worst.mean("val_accuracy") > 0.5  # chance is 0.1
    assert worst is max(grid, key=lambda c: c.std("val_accuracy"))


def test_the_best_learning_rate_falls_as_momentum_rises(results):
    best = best_rate_by_momentum(results)
    rates = [best[m].learning_rate for m in results.experiment.momenta]
    assert rates == sorted(rates, reverse=True) and rates[0] > rates[-1]
    selected = results.best()
    assert selected.momentum == 0  # "the selected configuration has none"
    bests = {m: c.mean("val_accuracy") for m, c in best.items()}
    assert min(bests, key=bests.get) == 0.99


def test_the_effective_step_explains_the_grid_up_to_momentum_09(results):
    gaps = []
    for group in step_groups(results):
        if len(group) > 1 and group[0].effective_step <= 0.03 * (1 + 1e-9):
            values = [100 * c.mean("val_accuracy") for c in group]
            gaps.append(max(values) - min(values))
    assert gaps and max(gaps) <= 1.5  # "within about a point and a half"
    fit = effective_step_fit(results)
    assert fit["range_over_grid"] >= 3 * max(gaps)  # "several times that"
    # the hump of momenta 0, 0.5 and 0.9 peaks between 0.001 and 0.01
    for momentum in (0.0, 0.5, 0.9):
        peak = best_rate_by_momentum(results)[momentum]
        assert 0.001 <= peak.effective_step <= 0.01
    # momentum 0.99: worse near the best step size, less bad at huge ones
    assert accuracy(results, 1e-4, 0.99) < min(
        accuracy(results, 1e-3, 0.9), accuracy(results, 1e-2, 0.0)
    )
    assert accuracy(results, 1e-3, 0.99) > accuracy(results, 1e-2, 0.9)
    # a buffer of 1 / (1 − 0.99) steps is a large part of 5 epochs' steps
    steps = DEFAULT_EPOCHS * math.ceil(7000 / DEFAULT_BATCH_SIZE)
    assert 0.3 * steps < 1 / (1 - 0.99)


def test_same_step_configurations_have_the_same_learning_curve(results):
    selected = results.best()
    assert (selected.learning_rate, selected.momentum) == (3e-3, 0.0)
    assert "lr 3e-4 with momentum 0.9, which share their effective step" in PROSE
    partner = results.configuration(3e-4, 0.9)
    assert math.isclose(partner.effective_step, selected.effective_step)
    for ours, theirs in zip(
        selected.curve("train_loss"), partner.curve("train_loss"), strict=True
    ):
        assert abs(ours - theirs) < 0.15 * ours  # "almost the same training loss"


def test_the_largest_step_stays_high_and_loses_accuracy_after_epoch_3(results):
    largest = max(results.grid.values(), key=lambda c: c.effective_step)
    assert all(loss > GUESSING_LOSS for loss in largest.curve("train_loss"))
    accuracies = largest.curve("val_accuracy")
    assert accuracies[2] == max(accuracies) and accuracies[2:] == sorted(
        accuracies[2:], reverse=True
    )


def test_the_test_accuracy_of_the_selection_is_below_its_validation_accuracy(results):
    test = statistics.fmean(seed["test_accuracy"] for seed in results.selected["seeds"])
    assert test < results.best().mean("val_accuracy")


def test_the_sweep_took_well_under_ten_minutes(results):
    assert results.metadata["total_seconds"] < 10 * 60
    assert "well under ten minutes" in PROSE


def test_the_lab_trains_more_than_twice_as_fast_as_model_fit():
    table = (RESULTS_DIR / "benchmark.md").read_text()
    row = re.compile(r"^\| (lab training|plain model\.fit) \| ([\d,]+) \|", re.M)
    rates = {name: float(value.replace(",", "")) for name, value in row.findall(table)}
    assert rates["lab training"] > 2 * rates["plain model.fit"]
    assert "more than twice as fast as plain `model.fit`" in PROSE


def test_the_figure_snippet_draws_every_figure_of_the_report():
    snippet = (REPOSITORY / "snippets" / "lab" / "results_figures.py").read_text()
    for name in FIGURES:
        assert f'"lab/{name}"' in snippet, name
