"""The committed results of the default sweep, and what docs/lab.md says about them.

The tables and figures under lab/results/ and docs/figures/lab/ must be exactly
what lab/report.py makes from the committed CSV and JSON; every claim the page
makes about the results is checked here against those files, and where the page
quotes a number, the test reads the number from the page.
"""

import argparse
import itertools
import math
import re
import shutil
import statistics

import matplotlib.pyplot as plt
import pytest

from lab.config import QUICK, REPOSITORY, RESULTS_DIR, Experiment
from lab.report import (
    FIGURES,
    GUESSING_LOSS,
    HEATMAP_SPAN,
    TABLES,
    ZOOM_SPAN,
    best_rate_by_momentum,
    compare,
    different,
    effective_step_fit,
    heatmap_figure,
    holm,
    load_results,
    same_step_pairs,
    sweep_summary,
    t_quantile,
    tied_rates,
    told_apart,
    welch,
)
from lab.rmsprop_sweep import FIGURES_DIR
from lab.store import METADATA_FILE, RUNS_FILE, SELECTED_FILE, read_rows

PAGE = (REPOSITORY / "docs" / "lab.md").read_text()
PROSE = re.sub(r"\s+", " ", PAGE)
VALIDATION = "val_accuracy"
QUICK_RESULTS_DIR = REPOSITORY / "lab" / "results-quick"


@pytest.fixture(scope="module")
def results():
    return load_results(RESULTS_DIR)


def points(configuration, metric: str = VALIDATION) -> float:
    return 100 * configuration.mean(metric)


def on_page(text: str) -> None:
    assert re.sub(r"\s+", " ", text) in PROSE, text


def alt_text(name: str) -> str:
    [alt] = re.findall(rf"!\[([^\]]*)\]\(figures/lab/{re.escape(name)}", PAGE)
    return alt


def test_the_committed_sweep_is_the_default_one_the_page_describes(results):
    experiment = Experiment()
    assert results.experiment == experiment
    assert experiment.data == "full"
    rates = ", ".join(
        f"{r:.0e}".replace("e-0", "e-") for r in experiment.learning_rates
    )
    rates = rates.rsplit(", ", 1)
    on_page(f"the learning rate $\\eta$: {rates[0]} or {rates[1]};")
    momenta = [f"{m:g}" for m in experiment.momenta]
    on_page(f"the momentum $\\mu$: {', '.join(momenta[:-1])} or {momenta[-1]};")
    seeds = [str(s) for s in experiment.seeds]
    assert all(len(c.runs) == len(seeds) for c in results.grid.values())
    assert len(results.selected["seeds"]) == len(seeds)
    on_page(f"every mean over seeds on this page is over n = {len(seeds)} runs")
    on_page(f"divided by n − 1 (here {len(seeds) - 1})")
    on_page(f"the seed, {', '.join(seeds[:-1])} or {seeds[-1]}.")
    on_page(f"batches of {experiment.batch_size}, {experiment.epochs} epochs (an epoch")
    runs = len(experiment.runs())
    grid = len(experiment.learning_rates) * len(experiment.momenta)
    on_page(
        f"{len(experiment.learning_rates)} learning rates × {len(experiment.momenta)} "
        f"momenta × {len(experiment.seeds)} seeds = {runs} runs, of {grid} "
        "configurations"
    )
    on_page(
        f"`python lab/rmsprop_sweep.py` trains {runs}\n  networks on the full MNIST"
    )
    # and retrains the selected configuration with every seed, for the test set
    on_page(f"the selected configuration's {len(seeds)} seeds again")
    on_page(f"Picking the best of {grid} configurations")
    on_page(f"the highest of {grid} means is partly high by luck")
    assert len(read_rows(RESULTS_DIR / RUNS_FILE)) == runs * experiment.epochs
    # "records for each seed whether the retraining reproduced the sweep's
    # numbers (`reproduced_sweep`; in the committed results, every seed did)"
    assert all(seed["reproduced_sweep"] for seed in results.selected["seeds"])
    on_page("in the\n  committed results, every seed did")


def test_the_data_sizes_are_the_pages(results):
    sizes = results.metadata["data_sizes"]
    assert sizes == {"train": 50_000, "validation": 10_000, "test": 10_000}
    training = sizes["train"] + sizes["validation"]
    test = sizes["test"]
    on_page(f"its {training:,} training digits and its\n{test:,} official test digits")
    on_page(f"sets {sizes['validation']:,} of the {training:,} training digits aside")
    on_page(f"the network trains on the other {sizes['train']:,}")
    on_page(f"averaged over the epoch's {sizes['train']:,} training digits")
    on_page(f"in one batch ({sizes['validation']:,}\n  digits in the default sweep")
    updates = math.ceil(sizes["train"] / results.experiment.batch_size)
    on_page(
        f"{100 * (1 - 0.99**updates):.0f} % after the first epoch's {updates} updates"
    )
    on_page(f"with {updates} updates per epoch")
    on_page(f"epoch of a run of {results.experiment.epochs * updates:,} updates")
    on_page(f"here it trains on {sizes['train']:,}")


def test_the_quick_sweep_is_the_page_s(results):
    quick = load_results(QUICK_RESULTS_DIR)
    assert quick.experiment == Experiment.quick()
    sizes = quick.metadata["data_sizes"]
    assert sizes == {"train": 7000, "validation": 1000, "test": 2000}
    on_page(
        f"It holds {sizes['validation']:,} of the "
        f"{sizes['train'] + sizes['validation']:,} bundled training digits out"
    )
    on_page(
        f"trains on the other {sizes['train']:,} and tests on the {sizes['test']:,}"
    )
    on_page(f"same grid with {len(QUICK['seeds'])} seeds on the book's")
    assert quick.metadata["total_seconds"] < 60
    on_page("it took under a minute")
    # "With a seventh of the training digits"
    assert round(results.metadata["data_sizes"]["train"] / sizes["train"]) == 7
    on_page("With a seventh of the training digits and fewer seeds")


def test_tables_and_figures_are_what_the_generator_makes(tmp_path):
    for name in (RUNS_FILE, METADATA_FILE, SELECTED_FILE):
        shutil.copy(RESULTS_DIR / name, tmp_path / name)
    from lab.report import write_report

    write_report(tmp_path, tmp_path / "figures")
    for name in TABLES:
        assert (tmp_path / name).read_text() == (RESULTS_DIR / name).read_text(), name
    for name in FIGURES:
        fresh = (tmp_path / "figures" / name).read_bytes()
        assert fresh == (FIGURES_DIR / name).read_bytes(), name


def test_the_page_includes_every_generated_table_and_figure():
    for name in TABLES:
        assert f'\n--8<-- "lab/results/{name}"\n' in PAGE, name
    for name in FIGURES:  # ![alt text](figures/lab/name.svg "an optional title")
        assert re.search(rf'\]\(figures/lab/{re.escape(name)}( "[^"]*")?\)', PAGE), name


def test_no_run_of_the_grid_diverged(results):
    assert not any(row.diverged for row in read_rows(RESULTS_DIR / RUNS_FILE))
    on_page("No run of this grid reached a NaN or infinite loss")
    assert not any(c.blew_up for c in results.grid.values())


def test_the_sweep_took_under_ten_minutes(results):
    assert results.metadata["total_seconds"] < 10 * 60
    assert len(results.metadata["sessions"]) == 1
    on_page("the whole\nsweep took under 10 minutes")
    on_page("the whole sweep stays under 10 minutes")
    grid = len(results.experiment.learning_rates) * len(results.experiment.momenta)
    on_page(f"each seed adds {grid} runs")


def test_how_many_seeds():
    bars = {n: t_quantile(0.975, 2 * n - 2) * math.sqrt(2 / n) for n in range(2, 21)}
    # "the smallest number whose bar is under one and a half standard deviations"
    assert min(n for n, bar in bars.items() if bar < 1.5) == 5
    # "Going from 2 seeds to 5 lowers the bar threefold"
    assert round(bars[2] / bars[5]) == 3
    # "doubling 5 to 10 lowers it only by a third"
    assert round(3 * (1 - bars[10] / bars[5])) == 1
    on_page("This sweep uses **5 seeds**")
    # "with 5 seeds each, a difference passes only when it is more than 2.3 to
    # 2.8 times its standard error": Welch's df runs from n − 1 to 2n − 2
    assert f"{t_quantile(0.975, 8):.1f}" == "2.3"
    assert f"{t_quantile(0.975, 4):.1f}" == "2.8"
    on_page("more than 2.3 to\n2.8 times its standard error")
    on_page("which lies between 4 and 8 for two configurations of 5 seeds")


def test_the_standard_error_example_uses_the_selected_configuration(results):
    values = [round(v, 4) for v in results.best().final(VALIDATION)]
    on_page(f"first = [{', '.join(f'{v:.4f}' for v in values)}]")
    # "in the example, t = (0.9786 − 0.9760) / √(0.0007² + 0.0004²) ≈ 3.2"
    t = (0.9786 - 0.9760) / math.sqrt(0.0007**2 + 0.0004**2)
    on_page(f"\\approx {t:.1f}$")
    first = [0.9796, 0.9765, 0.9781, 0.9785, 0.9805]
    second = [0.9760, 0.9748, 0.9771, 0.9755, 0.9766]
    on_page(f"({welch(first, second).t:.1f} from the\nunrounded values)")
    # "a grid of 20 configurations allows 190 pairs"
    assert math.comb(20, 2) == 190
    on_page("20 configurations allows 190 pairs")


def test_training_breaks_down_at_the_tables_bottom_right(results):
    rates = results.experiment.learning_rates
    high = [results.configuration(lr, 0.99) for lr in rates]
    accuracies = [points(c) for c in high]
    # "the mean validation accuracy falls with every step up in η"
    assert accuracies == sorted(accuracies, reverse=True)
    on_page(f"from {accuracies[0]:.2f} % at 1e-4 to {accuracies[-1]:.2f} % at 0.01")
    worst = high[-1]
    assert worst is min(results.grid.values(), key=lambda c: c.mean(VALIDATION))
    # "the bottom right of the tables (the top right of the heatmap)"
    table = (RESULTS_DIR / "validation-accuracy.md").read_text()
    assert table.splitlines()[0].rstrip(" |").endswith("momentum 0.99")
    last_row = table.split("\n\n")[0].splitlines()[-1]
    name, *cells = [cell.strip(" *") for cell in last_row.strip("|").split("|")]
    assert name == "0.01" and cells[-1].startswith(f"{accuracies[-1]:.2f} ±")
    figure = heatmap_figure(results)
    image = figure.axes[0].images[0]
    assert image.origin == "lower"  # row 0 (η = 1e-4) at the bottom
    assert image.get_array()[-1, -1] == image.get_array().min()
    plt.close(figure)
    on_page("the bottom right of the tables (the top right of the heatmap)")
    loss = worst.mean("train_loss")
    assert loss < GUESSING_LOSS and loss > 0.9 * GUESSING_LOSS  # "close to ln 10"
    on_page("There the mean final training loss\n(the mean over the last epoch's")
    on_page(f"is {loss:.3f}, close\nto $\\ln 10 \\approx {GUESSING_LOSS:.3f}$")
    others = [c for c in results.grid.values() if c.momentum <= 0.9]
    lowest = min(others, key=lambda c: c.mean(VALIDATION))
    assert (lowest.learning_rate, lowest.momentum) == (0.01, 0.9)
    on_page(f"the lowest mean\nvalidation accuracy is {points(lowest):.2f} %")
    spread = max(results.grid.values(), key=lambda c: c.std(VALIDATION))
    assert (spread.learning_rate, spread.momentum) == (3e-3, 0.99)
    seeds = sorted(100 * a for a in spread.final(VALIDATION))
    on_page(
        f"from {seeds[0]:.1f} to\n{seeds[-1]:.1f} %, a standard deviation of "
        f"{100 * spread.std(VALIDATION):.1f} points, the largest"
    )
    # the page's example of values that spread unevenly: one low outlier
    uneven = sorted(100 * a for a in results.configuration(1e-3, 0.9).final(VALIDATION))
    assert uneven[1] >= 97.0 and uneven[-1] <= 97.6 and f"{uneven[0]:.1f}" == "95.8"
    on_page("(four between 97.0 and\n97.6 %, one at 95.8 %)")


def test_the_best_learning_rate_falls_as_momentum_rises(results):
    best = best_rate_by_momentum(results, VALIDATION)
    assert [best[m].learning_rate for m in (0.0, 0.5, 0.9, 0.99)] == [
        1e-3,
        1e-3,
        3e-4,
        1e-4,
    ]
    on_page(
        "falls from 1e-3 at $\\mu = 0$ and 0.5 to 3e-4 at $\\mu = 0.9$ and 1e-4\nat "
        "$\\mu = 0.99$"
    )
    # "The seeds pin that rate down only at μ = 0.99: at each smaller momentum
    # they cannot tell one or two neighbouring rates apart from it"
    rates = list(results.experiment.learning_rates)
    for momentum, configuration in best.items():
        tied = tied_rates(results, configuration, VALIDATION)
        if momentum == 0.99:
            assert tied == []
        else:
            assert 1 <= len(tied) <= 2
            position = rates.index(configuration.learning_rate)
            assert all(abs(rates.index(lr) - position) == 1 for lr in tied)
    lowest = best_rate_by_momentum(results, "train_loss")
    assert [lowest[m].learning_rate for m in (0.0, 0.5, 0.9, 0.99)] == [
        3e-3,
        1e-3,
        3e-4,
        1e-4,
    ]
    assert all(not tied_rates(results, c, "train_loss") for c in lowest.values())
    on_page("is at 3e-3 for $\\mu = 0$, 1e-3 for 0.5, 3e-4 for 0.9 and 1e-4 for 0.99")


def test_momentum_brought_no_measurable_gain(results):
    selected = results.best()
    assert selected.momentum == 0.9
    without = best_rate_by_momentum(results, VALIDATION)[0.0]
    assert without.learning_rate == 1e-3
    assert not different(selected, without, VALIDATION)
    gap = points(selected) - points(without)
    assert gap < 0.1
    on_page(
        f"the best without momentum ($\\eta$ = 1e-3,\n{points(without):.2f} %) is "
        f"less than a tenth of a point below it ({gap:.2f} points from the\n"
        "unrounded means)"
    )
    best = best_rate_by_momentum(results, VALIDATION)
    high = best[0.99]
    assert all(points(high) < points(best[m]) for m in (0.0, 0.5, 0.9))
    on_page(f"even the\nhighest mean ({points(high):.2f} %, at $\\eta$ = 1e-4)")
    others = [c for c in results.grid.values() if c is not selected]
    apart = dict(zip(others, told_apart(selected, others, VALIDATION), strict=True))
    assert apart[high]
    # every configuration with momentum 0.99 is told apart from the selected one
    assert all(apart[c] for c in others if c.momentum == 0.99)
    # "at η = 1e-4, the grid's smallest rate, μ = 0.99 already has an effective
    # step of 0.01, beyond the best range (below), and no smaller η was tried"
    assert high.learning_rate == min(results.experiment.learning_rates)
    assert math.isclose(high.effective_step, 0.01) and high.effective_step > 3e-3
    on_page("at $\\mu = 0.99$ the best rate is the grid's smallest")


def test_the_holm_block_and_the_findings_agree(results):
    selected = results.best()
    others = [c for c in results.grid.values() if c is not selected]
    p_values = [compare(selected, c, VALIDATION).p for c in others]
    passes = holm(p_values)
    alone_only = sum(
        p < 0.05 and not kept for p, kept in zip(p_values, passes, strict=True)
    )
    above = sum(p >= 0.05 for p in p_values)
    assert (alone_only, above) == (4, 4)
    kept_out = sorted(p for p, kept in zip(p_values, passes, strict=True)
                      if p < 0.05 and not kept)  # fmt: skip
    on_page(
        f"here the 4\nthat pass alone, from p = {kept_out[0]:.3f} to "
        f"{kept_out[-1]:.3f}, all fail it"
    )
    assert sum(not apart for apart in told_apart(selected, others, VALIDATION)) == 8
    on_page(
        "is one of the 4 that pass alone but not\nwith the correction: those 4 and "
        "the 4 with p above 0.05 are the 8"
    )
    findings = (RESULTS_DIR / "findings.md").read_text()
    assert "(8 of the 19 others" in findings


def test_the_effective_step_accounts_for_the_grid(results):
    fit = effective_step_fit(results)
    assert (fit["groups"], fit["pairs"], fit["rate_pairs"]) == (5, 7, 30)
    on_page(
        f"two configurations that share an effective step differ by "
        f"{fit['median_gap_within']:.1f}\npoints (median over {fit['pairs']} pairs), "
        f"{fit['largest_gap_within']:.1f} at most, while two that share a learning\n"
        f"rate differ by {fit['median_gap_same_rate']:.1f} points (median over "
        f"{fit['rate_pairs']} pairs)"
    )
    pairs = same_step_pairs(results)
    assert not any(different(a, b, VALIDATION) for a, b in pairs)
    on_page("the seeds tell none of\nthe 7 pairs apart, even taken one at a time")
    # μ = 0.99 at the steps 0.01, 0.03 and 0.1: within a point of its partners
    for a, b in pairs:
        if 0.99 in (a.momentum, b.momentum):
            assert abs(points(a) - points(b)) < 1
    steps = {
        round(c.effective_step, 6)
        for a, b in pairs
        for c in (a, b)
        if c.momentum == 0.99
    }
    assert steps == {0.01, 0.03, 0.1}
    # "a single curve that is flat from 1e-3 to 3e-3 and falls on both sides"
    grid = list(results.grid.values())
    inside = [points(c) for c in grid if 1e-3 - 1e-9 <= c.effective_step <= 3e-3 + 1e-9]
    outside = [
        points(c) for c in grid if not 1e-3 - 1e-9 <= c.effective_step <= 3e-3 + 1e-9
    ]
    assert max(inside) - min(inside) < 0.15 and max(outside) < min(inside)
    # the learning curves: the selected configuration and its same-step partner
    selected, partner = results.best(), results.configuration(3e-3, 0.0)
    assert math.isclose(selected.effective_step, partner.effective_step)
    ratios = [
        max(a, b) / min(a, b)
        for a, b in zip(
            selected.curve("train_loss"), partner.curve("train_loss"), strict=True
        )
    ]
    assert max(ratios) < 1.06
    on_page("have mean training losses within 6 % of each other at every epoch")


def test_which_epoch_is_read(results):
    curve = [100 * a for a in results.best().curve(VALIDATION)]
    assert curve == sorted(curve) and len(set(curve)) == len(curve)
    on_page(f"from {curve[0]:.2f} % to {curve[-1]:.2f} %")
    largest = results.configuration(0.01, 0.99)
    losses = largest.curve("train_loss")
    assert all(2.0 <= loss <= 2.4 for loss in losses[1:])
    on_page(
        f"the mean training loss is {losses[0]:.1f} in the first epoch and between 2.0"
    )
    accuracy = [100 * a for a in largest.curve(VALIDATION)]
    on_page(f"{accuracy[0]:.1f} % after the first epoch and {accuracy[-1]:.1f} % after")


def test_validation_versus_test(results):
    best = results.best()
    validation = points(best)
    tests = [100 * seed["test_accuracy"] for seed in results.selected["seeds"]]
    assert abs(validation - statistics.fmean(tests)) <= 0.01
    on_page("within 0.01 points of its mean validation accuracy")
    on_page("within 0.01 points of each other")
    errors = [
        100 * best.se(VALIDATION),
        statistics.stdev(tests) / math.sqrt(len(tests)),
    ]
    assert [f"{e:.2f}" for e in errors] == ["0.07", "0.07"]
    on_page("the\nseeds' standard errors (0.07 points for both)")
    on_page(f"The test accuracy, {statistics.fmean(tests):.2f} %")
    # "A gap of a fifth of a point either way would have been unremarkable":
    # one standard error of the gap (printed by the page's block as 0.20)
    p = validation / 100
    gap_error = 100 * math.sqrt(2 * p * (1 - p) / 10_000)
    assert f"{gap_error:.2f}" == "0.20"


def test_the_heatmap_alt_text(results):
    alt = alt_text("validation-heatmap.svg")
    cells = [round(points(c), 1) for c in results.grid.values()]
    assert sum(91 <= v <= 98 for v in cells) == 18
    assert "18 of the 20 cells show between 91 and 98 %" in alt
    darkest = max(cells) - HEATMAP_SPAN
    assert (
        f"dark purple, for {darkest:.1f} % and below, to yellow, for the highest" in alt
    )
    best = results.best()
    assert f"the highest, {points(best):.1f} % in bold, is η = 3e-4 with μ = 0.9" in alt
    shown = {
        m: max(
            round(points(results.configuration(lr, m)), 1)
            for lr in results.experiment.learning_rates
        )
        for m in results.experiment.momenta
    }
    assert (
        f"({shown[0.0]:.1f} at η = 1e-3 and at 3e-3 for μ = 0, {shown[0.5]:.1f} at "
        f"1e-3 for μ = 0.5, {shown[0.9]:.1f} at 3e-4 for μ = 0.9, {shown[0.99]:.1f} at "
        "1e-4 for μ = 0.99)"
    ) in alt
    for m, rates in (
        (0.0, (1e-3, 3e-3)),
        (0.5, (1e-3,)),
        (0.9, (3e-4,)),
        (0.99, (1e-4,)),
    ):
        for lr in results.experiment.learning_rates:
            value = round(points(results.configuration(lr, m)), 1)
            assert (value == shown[m]) == (lr in rates)
    top = [results.configuration(lr, 0.99) for lr in (3e-3, 0.01)]
    assert (
        f"to {points(top[0]):.1f} % at η = 3e-3 and {points(top[1]):.1f} % at 0.01, "
        f"whose training loss, {top[1].mean('train_loss'):.2g}, is the grid's highest"
    ) in alt
    assert top[1] is max(results.grid.values(), key=lambda c: c.mean("train_loss"))


def test_the_effective_step_alt_text(results):
    alt = alt_text("effective-step.svg")
    assert f"over the {len(results.experiment.seeds)} seeds" in alt
    by_step = {}
    for c in results.grid.values():
        by_step.setdefault(round(c.effective_step, 6), []).append(points(c))
    assert f"rises from {by_step[1e-4][0]:.1f} % at a step of 1e-4" in alt
    middle = [
        v for step, values in by_step.items() if 1e-3 <= step <= 3e-3 for v in values
    ]
    assert all(abs(v - 97.8) < 0.1 for v in middle)  # "about 97.8 %"
    assert all(91 <= v <= 92 for v in by_step[0.1])
    assert f"to {by_step[0.3][0]:.1f} % at 0.3 and {by_step[1.0][0]:.1f} % at 1" in alt
    assert all(
        max(values) - min(values) < 1 for values in by_step.values() if len(values) > 1
    )  # "within a point of each other"
    best = points(results.best())
    low, high = best - ZOOM_SPAN, best + 0.25
    assert f"shows only accuracies from {low:.1f} to {high:.1f} %" in alt
    at_001 = [c for c in results.grid.values() if math.isclose(c.effective_step, 0.01)]
    assert sorted(c.momentum for c in at_001) == [0.0, 0.9, 0.99]
    lows = [points(c) - 100 * c.se(VALIDATION) for c in at_001]
    highs = [points(c) + 100 * c.se(VALIDATION) for c in at_001]
    assert max(lows) < min(highs)  # the three error bars overlap


def test_the_learning_curves_alt_text(results):
    alt = alt_text("learning-curves.svg")
    selected, partner = results.best(), results.configuration(3e-3, 0.0)
    smallest, largest = (
        results.configuration(1e-4, 0.0),
        results.configuration(0.01, 0.99),
    )
    loss = selected.curve("train_loss")
    assert f"{loss[0]:.2f}" == "0.24" and f"{loss[-1]:.2f}" == "0.03"
    assert round(smallest.curve("train_loss")[-1] / loss[-1]) == 6
    assert all(
        s > p for s, p in zip(smallest.curve("train_loss"), loss, strict=True)
    )  # "falls more slowly"
    assert f"is {largest.curve('train_loss')[0]:.1f} in the first epoch" in alt
    accuracy = [100 * a for a in selected.curve(VALIDATION)]
    assert f"from {accuracy[0]:.1f} % to {accuracy[-1]:.1f} %" in alt
    gaps = [
        abs(100 * (a - b))
        for a, b in zip(
            selected.curve(VALIDATION), partner.curve(VALIDATION), strict=True
        )
    ]
    assert max(gaps) < 0.7
    small = [100 * a for a in smallest.curve(VALIDATION)]
    assert small == sorted(small)
    assert f"rises from {small[0]:.1f} % to {small[-1]:.1f} %" in alt
    assert all(37 <= 100 * a <= 44 for a in largest.curve(VALIDATION))


def test_exercise_one_the_steps_lie_beyond_the_lowest_losses(results):
    lowest = best_rate_by_momentum(results, "train_loss")
    assert [lowest[m].learning_rate for m in (0.0, 0.5)] == [3e-3, 1e-3]
    steps = [lowest[m].effective_step for m in (0.0, 0.5)]
    assert steps == pytest.approx([3e-3, 2e-3])
    on_page("at $\\eta$ = 3e-3 and 1e-3:\n   effective steps of 3e-3 and 2e-3")
    at_001 = [results.configuration(0.01, m) for m in results.experiment.momenta]
    assert all(c.effective_step > max(steps) for c in at_001)
    losses = [c.mean("train_loss") for c in at_001]
    assert losses == sorted(losses)
    told = [different(a, b, "train_loss") for a, b in itertools.pairwise(at_001)]
    p_values = [compare(b, a, "train_loss").p for a, b in itertools.pairwise(at_001)]
    assert told == [True] * 3 and holm(p_values) == [True] * 3
    assert all(f"{p:.3f}" == "0.000" for p in p_values)
    assert all(loss < GUESSING_LOSS for loss in losses)
    assert round(losses[-1] / losses[0]) == 31
    on_page("comes closest, with a loss 31 times that of $\\mu = 0$")


def test_exercise_two_same_step_configurations(results):
    at_001 = [c for c in results.grid.values() if math.isclose(c.effective_step, 0.01)]
    assert sorted(c.momentum for c in at_001) == [0.0, 0.9, 0.99]
    assert not any(
        compare(a, b, VALIDATION).p < 0.05 for a, b in itertools.combinations(at_001, 2)
    )
    values = [points(c) for c in at_001]
    assert f"{max(values) - min(values):.2f}" == "0.24"
    on_page("lie within 0.24 points\n        of each other")


def cells_of(table: str) -> dict[str, list[float]]:
    rows = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, *values = [cell.strip() for cell in line.strip("|").split("|")]
        rows[name] = [float(value.replace(",", "")) for value in values]
    return rows


def test_the_benchmark_table_is_the_benchmarks_and_adds_up(results, tmp_path):
    """lab/results/benchmark.md, on the page: written by the current benchmark
    (its header), on the machine of the sweep, and its figures agree with each
    other and with the model's counts on the quick sweep's data."""
    from lab import benchmark
    from lab.training import build_model

    table = (RESULTS_DIR / "benchmark.md").read_text()
    on_page('--8<-- "lab/results/benchmark.md"')
    empty = tmp_path / "empty.md"
    arguments = argparse.Namespace(
        rounds=1, command="", load=None, wide=None, no_reference=True
    )
    benchmark.write_table(empty, arguments, [], (1, ""), 1, "")
    assert table.splitlines()[:2] == empty.read_text().splitlines()[:2]
    [session] = results.metadata["sessions"]
    assert f"on {session['environment']['cpu']} (" in table
    [kernel] = re.findall(r"kernel (\w+),", table)
    on_page(
        f"on the {session['environment']['cpu']} of the table below it chose {kernel})"
    )
    caption = re.sub(r"\s+", " ", table.split("\n\n", 1)[1])
    [command] = re.findall(r"rounds of `(python lab/benchmark.py[^`]*)`", caption)
    assert "--wide" in command and "--no-reference" not in command
    [matmul] = re.findall(r"2048 × 2048 matrices: (\d+) GFLOP/s", caption)
    model = build_model()
    training = benchmark.training_flops_per_sample(model)
    sizes = load_results(QUICK_RESULTS_DIR).metadata["data_sizes"]
    steps = benchmark.steps_per_epoch(sizes["train"], Experiment.quick().batch_size)
    lab_sample = (
        training
        + benchmark.forward_flops_per_sample(model)
        * sizes["validation"]
        / sizes["train"]
    )
    on_page(
        f"{sizes['validation']:,} validation digits for every "
        f"{sizes['train']:,} training digits"
    )
    rows = cells_of(table)
    per_sample = {"lab training": lab_sample, "plain model.fit": training}
    wide = [name for name in rows if name.startswith("wide networks")]
    assert set(rows) == {*per_sample, *wide} and len(wide) == 1
    per_sample[wide[0]] = lab_sample
    # "the wide networks train fewer samples per second than the separate runs",
    # and their copy, of 20 networks' bytes, runs slower than the lab's
    assert rows[wide[0]][0] < rows["lab training"][0]
    lab_copy, wide_copy = [
        float(rate)
        for rate in re.findall(r"copy moving [\d.]+ MB: ([\d.]+) GB/s", caption)
    ]
    assert wide_copy < lab_copy
    on_page(
        "There, the wide networks train fewer samples per second than the lab's run"
    )
    for name, (rate, gflops, ratio, step_ms, bound_ms, share) in rows.items():
        assert gflops == round(rate * per_sample[name] / 1e9), name
        assert ratio == pytest.approx(gflops / int(matmul), abs=0.01), name
        assert share == pytest.approx(bound_ms / step_ms, abs=0.01), name
        samples = sizes["train"] / steps * (20 if name in wide else 1)
        assert step_ms == pytest.approx(1e3 * samples / rate, rel=1e-3), name
    # the second bound: the lab's own products in NumPy, plus the same traffic
    lab = rows["lab training"]
    matrix_ms = 1e3 * lab_sample * sizes["train"] / steps / (int(matmul) * 1e9)
    optimizer_ms = lab[4] - matrix_ms
    [own_rate] = re.findall(
        r"own shapes: .* GFLOP/s, ([\d.]+) of the 2048² rate", caption
    )
    assert float(own_rate) < 1  # "a BLAS can run slower on small products"
    on_page("a BLAS can run slower on small products than on large ones")
    [(own_ms, own_bound, runs_at)] = re.findall(
        r"own shapes: ([\d.]+) ms per step .* an own-shapes time of ([\d.]+) ms, "
        r"([\d.]+) of the lab's time per step",
        caption,
    )
    assert float(own_bound) == pytest.approx(float(own_ms) + optimizer_ms, abs=0.01)
    assert float(runs_at) == pytest.approx(float(own_bound) / lab[3], abs=0.01)


def test_the_figure_snippet_draws_every_figure_of_the_report():
    snippet = (REPOSITORY / "snippets" / "lab" / "results_figures.py").read_text()
    for name in FIGURES:
        assert f'"lab/{name}"' in snippet, name


def test_the_sweep_summary_names_every_machine(results):
    metadata = dict(results.metadata)
    other = dict(metadata["sessions"][0])
    other["environment"] = dict(other["environment"], cpu="Other CPU", cpu_count=8)
    metadata["sessions"] = [metadata["sessions"][0], other]
    text = sweep_summary(
        type(results)(results.experiment, metadata, None, results.grid)
    )
    assert "| machines | AMD EPYC, 2 logical CPUs; Other CPU, 8 logical CPUs |" in text
    assert "writing the tables and figures are not timed" in text
    # the session's clock starts before TensorFlow is imported (environment())
    assert "the rest (importing TensorFlow, building and compiling the network" in text
    # the parts, in whole seconds, add up to the total shown
    took, parts = re.search(
        r"\| sweep time \| (.+?) in \d+ session.*?: (.+?);", text
    ).groups()
    minutes, seconds = re.fullmatch(r"(?:(\d+) min )?(\d+) s", took).groups()
    shown = [int(s) for s in re.findall(r"(\d+) s\b", parts)]
    assert len(shown) == 3 and sum(shown) == 60 * int(minutes or 0) + int(seconds)
    on_page('"How the sweep ran" lists every machine and software version')


def test_configurations_not_told_apart_are_ordered_only_by_their_means(results):
    """'Otherwise it says that the seeds cannot tell them apart and does not call
    either better; where it orders such configurations, it orders their means.'
    Each ordering of configurations the seeds cannot tell apart speaks of means."""
    selected = results.best()
    others = [c for c in results.grid.values() if c is not selected]
    assert all(points(selected) > points(c) for c in others)
    untold = [c for c, apart in zip(others, told_apart(selected, others, VALIDATION),
                                    strict=True) if not apart]  # fmt: skip
    without = results.configuration(1e-3, 0.0)
    assert without in untold and not different(selected, without, VALIDATION)
    on_page("unrounded means), a difference the seeds cannot tell apart")
    on_page("does not call either better; where it orders such configurations, it")
    on_page("one configuration is called better than another only when Welch's")
    assert "does not rank them" not in PROSE
    assert "two configurations are ranked only when" not in PROSE
