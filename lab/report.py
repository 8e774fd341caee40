"""Tables and figures of the RMSprop lab, made from its results files only.

    python lab/rmsprop_sweep.py report --results lab/results   # tables there,
                                                  # figures in docs/figures/lab/
    python lab/rmsprop_sweep.py report --results DIR --figures OUT

Reads ``runs.csv``, ``sweep.json`` and ``selected.json`` (written by the
sweep, ``lab/sweep.py``) and writes Markdown tables (mean ± standard error
over seeds, with n) into the results directory and SVG figures into the figures
directory. The same files give the same bytes, so the committed tables and
figures can be checked against the committed CSV.

Two configurations are called different only when Welch's t-test on their
seeds' final values gives p < 0.05 (``different``); otherwise the findings say
the seeds cannot tell them apart, and order them only by their means. Where a
finding rests on several comparisons made together (the selected configuration
against the 19 others, a momentum's best learning rate against its 4 others, the
7 pairs that share an effective step), Holm's correction (``holm``) is applied
over them.
"""

import itertools
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

from lab.config import RESULTS_DIR, Experiment, Run, SweepError
from lab.store import (
    METADATA_FILE,
    RUNS_FILE,
    SELECTED_FILE,
    Row,
    complete_runs,
    make_folder,
    read_json,
    read_rows,
    write_atomically,
)

TABLES = (
    "findings.md",
    "validation-accuracy.md",
    "training-loss.md",
    "effective-step.md",
    "selected.md",
    "sweep-summary.md",
)
FIGURES = ("validation-heatmap.svg", "learning-curves.svg", "effective-step.svg")
# A mean cross-entropy above ln 10 is worse than guessing the 10 digits uniformly.
GUESSING_LOSS = math.log(10)


# --- the numbers ------------------------------------------------------------


@dataclass(frozen=True)
class Configuration:
    """One (learning rate, momentum) cell of the grid, over its seeds."""

    learning_rate: float
    momentum: float
    runs: tuple[tuple[Row, ...], ...]  # each seed's rows, epoch by epoch

    @property
    def effective_step(self) -> float:
        """η / (1 − μ): the step a constant gradient settles to."""
        return self.learning_rate / (1 - self.momentum)

    @property
    def diverged(self) -> int:
        return sum(rows[-1].diverged for rows in self.runs)

    @property
    def blew_up(self) -> bool:
        """Finite, but its final training loss is worse than a uniform guess's."""
        return not self.diverged and self.mean("train_loss") > GUESSING_LOSS

    def final(self, metric: str) -> list[float]:
        return [getattr(rows[-1], metric) for rows in self.runs]

    def mean(self, metric: str) -> float:
        return statistics.fmean(self.final(metric))

    def std(self, metric: str) -> float:
        values = self.final(metric)
        return statistics.stdev(values) if len(values) > 1 else 0.0

    def se(self, metric: str) -> float:
        """The standard error of the mean over seeds: std / √n (0 with 1 seed)."""
        values = self.final(metric)
        return standard_error(values) if len(values) > 1 else 0.0

    def curve(self, metric: str) -> list[float]:
        """The mean over seeds of ``metric`` at each epoch all seeds reached."""
        epochs = min(len(rows) for rows in self.runs)
        return [
            statistics.fmean(getattr(rows[epoch], metric) for rows in self.runs)
            for epoch in range(epochs)
        ]


@dataclass
class Results:
    experiment: Experiment
    metadata: dict
    selected: dict | None
    grid: dict[tuple[float, float], Configuration]

    def configuration(self, learning_rate, momentum) -> Configuration:
        return self.grid[(learning_rate, momentum)]

    def best(self) -> Configuration | None:
        if self.selected is None:
            return None
        return self.grid[(self.selected["learning_rate"], self.selected["momentum"])]


def load_results(results: Path = RESULTS_DIR) -> Results:
    """Read a finished sweep; raise SweepError if it is missing or incomplete."""
    for name in (RUNS_FILE, METADATA_FILE):
        if not (results / name).is_file():
            raise SweepError(
                f"{results / name} does not exist: run the sweep first "
                "(python lab/rmsprop_sweep.py)"
            )
    metadata = read_json(results / METADATA_FILE)
    needed = ("experiment", "data_sizes", "sessions", "run_seconds", "test_seconds")
    lacking = [key for key in (*needed, "total_seconds") if key not in metadata]
    if lacking:
        raise SweepError(
            f"{results / METADATA_FILE} lacks {', '.join(lacking)}: finish the sweep "
            "first (run its command again)"
        )
    try:
        experiment = Experiment.from_json(metadata["experiment"])
    except (TypeError, KeyError, SweepError):
        raise SweepError(
            f"{results / METADATA_FILE} is not a sweep's metadata"
        ) from None
    records = complete_runs(read_rows(results / RUNS_FILE), experiment.epochs)
    missing = [run for run in experiment.runs() if run not in records]
    if missing:
        raise SweepError(
            f"{results / RUNS_FILE} lacks {len(missing)} runs "
            f"(e.g. {missing[0].label()}): finish the sweep first"
        )
    grid = {
        (lr, m): Configuration(
            lr, m, tuple(tuple(records[Run(lr, m, seed)]) for seed in experiment.seeds)
        )
        for lr in experiment.learning_rates
        for m in experiment.momenta
    }
    selected_path = results / SELECTED_FILE
    selected = read_json(selected_path) if selected_path.is_file() else None
    return Results(experiment, metadata, selected, grid)


# --- comparing two configurations: Welch's t-test ---------------------------
#
# Two configurations are called different only when Welch's t-test on their
# seeds' final values gives p < SIGNIFICANCE, which is the same as a 95 %
# confidence interval of the difference of their means that excludes 0.
# Otherwise the page says the seeds cannot tell them apart. Student's t
# distribution is computed here (SciPy is not a dependency of the book) from
# the regularized incomplete beta function, with its continued fraction
# (NIST Digital Library of Mathematical Functions, §8.17(v), eq. 8.17.22);
# tests/lab/test_statistics.py checks it against printed t tables and closed
# forms.

SIGNIFICANCE = 0.05


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), evaluated by Lentz's method."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1) < 1e-15:
            return fraction
    raise ArithmeticError(f"the incomplete beta I_{x}({a}, {b}) did not converge")


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) = ∫₀ˣ t^(a−1) (1 − t)^(b−1) dt / B(a, b), for a, b > 0, 0 ≤ x ≤ 1."""
    if not (a > 0 and b > 0 and 0 <= x <= 1):
        raise ValueError(f"I_x(a, b) needs a, b > 0 and 0 ≤ x ≤ 1, not {a}, {b}, {x}")
    if x in (0, 1):
        return float(x)
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):  # where the fraction converges fast
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_continued_fraction(b, a, 1 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` (not necessarily whole) degrees."""
    if math.isinf(t):
        return 0.0
    return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t))


def t_quantile(probability: float, df: float) -> float:
    """The t with P(T ≤ t) = probability (0.5 < probability < 1), by bisection."""
    if not 0.5 < probability < 1:
        raise ValueError(f"probability must be between 0.5 and 1, not {probability}")
    tail = 2 * (1 - probability)
    low, high = 0.0, 1.0
    while t_two_sided_p(high, df) > tail:
        low, high = high, 2 * high
    for _ in range(200):
        middle = (low + high) / 2
        if t_two_sided_p(middle, df) > tail:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class Comparison:
    """Welch's t-test of the difference ``first − second`` of two means."""

    difference: float  # mean of first − mean of second
    standard_error: float  # of the difference: √(SE₁² + SE₂²)
    t: float
    df: float  # Welch–Satterthwaite degrees of freedom
    p: float  # two-sided
    low: float  # the 95 % confidence interval of the difference
    high: float

    @property
    def different(self) -> bool:
        return self.p < SIGNIFICANCE


def standard_error(values) -> float:
    """Of the mean of ``values``: their standard deviation divided by √n."""
    values = list(values)
    return statistics.stdev(values) / math.sqrt(len(values))


def welch(first, second) -> Comparison | None:
    """Welch's t-test of two samples; None when either has fewer than 2 values."""
    first, second = list(first), list(second)
    if len(first) < 2 or len(second) < 2:
        return None
    difference = statistics.fmean(first) - statistics.fmean(second)
    variances = [standard_error(v) ** 2 for v in (first, second)]
    error = math.sqrt(sum(variances))
    if error == 0:  # no spread at all: equal means are equal, others differ
        p = 1.0 if difference == 0 else 0.0
        t = math.copysign(math.inf, difference) if difference else 0.0
        return Comparison(difference, 0.0, t, math.inf, p, difference, difference)
    df = sum(variances) ** 2 / sum(
        v**2 / (len(sample) - 1)
        for v, sample in zip(variances, (first, second), strict=True)
    )
    t = difference / error
    margin = t_quantile(1 - SIGNIFICANCE / 2, df) * error
    return Comparison(
        difference, error, t, df, t_two_sided_p(t, df),
        difference - margin, difference + margin,
    )  # fmt: skip


def compare(
    first: Configuration, second: Configuration, metric: str
) -> Comparison | None:
    """Welch's t-test of two configurations' final ``metric`` over their seeds."""
    return welch(first.final(metric), second.final(metric))


def different(first: Configuration, second: Configuration, metric: str) -> bool:
    """Whether the seeds tell the two apart: Welch's p < 0.05 (never with 1 seed)."""
    comparison = compare(first, second, metric)
    return comparison is not None and comparison.different


def holm(p_values, level: float = 0.05) -> list[bool]:
    """Holm's correction: which of several comparisons made together still pass.

    Sort the m p-values from smallest to largest; the smallest passes if it is
    below level / m, the next if below level / (m − 1), and so on, stopping at
    the first that fails. Returns, in the given order, whether each one passes.
    """
    p_values = list(p_values)
    passed = [False] * len(p_values)
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    for rank, index in enumerate(order):
        if not p_values[index] < level / (len(p_values) - rank):
            break
        passed[index] = True
    return passed


def told_apart(
    best: Configuration, others: list[Configuration], metric: str
) -> list[bool]:
    """Which of ``others`` the seeds tell apart from ``best``, by Welch's t-test
    with Holm's correction over all of them (never with 1 seed)."""
    comparisons = [compare(best, other, metric) for other in others]
    if any(c is None for c in comparisons):
        return [False] * len(others)
    return holm(c.p for c in comparisons)


def percent(values: list[float]) -> tuple[float, float]:
    """Mean and standard error of the mean, in percent."""
    mean = 100 * statistics.fmean(values)
    spread = 100 * standard_error(values) if len(values) > 1 else 0.0
    return mean, spread


def step_groups(results: Results) -> list[list[Configuration]]:
    """Configurations sharing one effective step size (to 1 part in a million)."""
    groups: dict[float, list[Configuration]] = {}
    for configuration in results.grid.values():
        key = float(f"{configuration.effective_step:.6g}")
        groups.setdefault(key, []).append(configuration)
    return [groups[key] for key in sorted(groups)]


def pair_gaps(groups: list[list[Configuration]]) -> list[float]:
    """|difference| of mean validation accuracy (points) of every pair in a group."""
    return [
        abs(100 * first.mean("val_accuracy") - 100 * second.mean("val_accuracy"))
        for group in groups
        for first, second in itertools.combinations(group, 2)
    ]


def same_step_pairs(results: Results) -> list[tuple[Configuration, Configuration]]:
    """Every pair of configurations that share an effective step size."""
    return [
        pair
        for group in step_groups(results)
        for pair in itertools.combinations(sorted(group, key=lambda c: c.momentum), 2)
    ]


def effective_step_fit(results: Results) -> dict:
    """How much of the grid's variation η / (1 − μ) alone accounts for.

    Two configurations with the same effective step size differ in mean
    validation accuracy by what the effective step leaves unexplained. Compare
    those gaps with the gaps between configurations that share a learning rate
    (the summary "only the learning rate matters") and with the whole grid.
    """
    accuracies = [100 * c.mean("val_accuracy") for c in results.grid.values()]
    shared = [g for g in step_groups(results) if len(g) > 1]
    same_step = pair_gaps(shared)
    same_rate = pair_gaps(
        [
            [results.configuration(lr, m) for m in results.experiment.momenta]
            for lr in results.experiment.learning_rates
        ]
    )
    return {
        "groups": len(shared),
        "pairs": len(same_step),
        "largest_gap_within": max(same_step) if same_step else None,
        "median_gap_within": statistics.median(same_step) if same_step else None,
        "rate_pairs": len(same_rate),
        "largest_gap_same_rate": max(same_rate) if same_rate else None,
        "median_gap_same_rate": statistics.median(same_rate) if same_rate else None,
        "range_over_grid": max(accuracies) - min(accuracies),
    }


# --- tables -----------------------------------------------------------------


def number(value: float) -> str:
    """A grid value as one writes it: 0.0003 → 3e-4, 0.01 → 0.01, 1e30 → 1e30."""
    if 0 < value < 0.01 or value >= 1e4:
        mantissa, exponent = f"{value:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{value:g}"


def step(configuration: "Configuration") -> str:
    """Its effective step size, to 3 significant digits, written like the grid."""
    return number(float(f"{configuration.effective_step:.3g}"))


def mean_pm(mean: float, spread: float, digits: int = 2) -> str:
    return f"{mean:.{digits}f} ± {spread:.{digits}f}"


def grid_table(results: Results, cell) -> str:
    momenta = results.experiment.momenta
    lines = [
        "| learning rate | "
        + " | ".join(f"momentum {number(m)}" for m in momenta)
        + " |",
        "|---:|" + "---:|" * len(momenta),
    ]
    for learning_rate in results.experiment.learning_rates:
        cells = [cell(results.configuration(learning_rate, m)) for m in momenta]
        lines.append(f"| {number(learning_rate)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def diverged_note(configuration: Configuration) -> str | None:
    if configuration.diverged:
        return f"diverged ({configuration.diverged}/{len(configuration.runs)})"
    return None


def seeds_phrase(results: Results) -> str:
    count = len(results.experiment.seeds)
    return f"{count} seeds" if count > 1 else "1 seed"


def per_cell(results: Results) -> str:
    """'mean ± standard error of the mean over the n = 3 seeds of every cell'."""
    return (
        f"mean ± standard error of the mean over the n = {seeds_phrase(results)} "
        "of every cell"
    )


def validation_accuracy_table(results: Results) -> str:
    best = results.best()

    def cell(configuration):
        if note := diverged_note(configuration):
            return note
        text = mean_pm(*percent(configuration.final("val_accuracy")))
        return f"**{text}**" if configuration is best else text

    caption = (
        f"Validation accuracy (%) after epoch {results.experiment.epochs}, "
        f"{per_cell(results)}. In bold: the configuration selected for the test set "
        "(the highest mean)."
    )
    seeds = len(results.experiment.seeds)
    if seeds > 1:
        caption += (
            " A cell's 95 % confidence interval is its mean ± "
            f"{t_quantile(0.975, seeds - 1):.2f} standard errors (Student's t with "
            f"n − 1 = {seeds - 1} degrees of freedom)."
        )
    return grid_table(results, cell) + "\n" + caption + "\n"


def training_loss_table(results: Results) -> str:
    def cell(configuration):
        if note := diverged_note(configuration):
            return note
        return mean_pm(
            configuration.mean("train_loss"), configuration.se("train_loss"), 3
        )

    caption = (
        f"Training loss (mean cross-entropy over epoch {results.experiment.epochs}), "
        f"{per_cell(results)}. For comparison, "
        f"guessing uniformly among 10 digits gives ln 10 = {math.log(10):.3f}."
    )
    return grid_table(results, cell) + "\n" + caption + "\n"


def effective_step_table(results: Results) -> str:
    lines = [
        "| η / (1 − μ) | learning rate η | momentum μ | validation accuracy (%) | n |",
        "|---:|---:|---:|---:|---:|",
    ]
    for group in step_groups(results):
        for configuration in sorted(group, key=lambda c: c.momentum):
            accuracy = diverged_note(configuration) or mean_pm(
                *percent(configuration.final("val_accuracy"))
            )
            lines.append(
                f"| {step(configuration)} | "
                f"{number(configuration.learning_rate)} | "
                f"{number(configuration.momentum)} | {accuracy} | "
                f"{len(configuration.runs)} |"
            )
    fit = effective_step_fit(results)
    if fit["groups"]:
        same_rate = (
            f"two that share a learning rate ({fit['rate_pairs']} pairs) differ by "
            f"{fit['median_gap_same_rate']:.1f} points (median), "
            f"{fit['largest_gap_same_rate']:.1f} at most; "
            if fit["rate_pairs"]
            else ""
        )
        summary = (
            f"{fit['groups']} effective step sizes are shared by several "
            f"configurations ({fit['pairs']} pairs). Two configurations that share "
            "an effective step differ in mean validation accuracy by "
            f"{fit['median_gap_within']:.1f} points (median), "
            f"{fit['largest_gap_within']:.1f} at most; {same_rate}over the whole "
            f"grid the means span {fit['range_over_grid']:.1f} points. "
            + separated_step_pairs_text(results)
        )
    else:
        summary = "No two configurations of this grid share an effective step size."
    caption = (
        "Validation accuracy (%) after epoch "
        f"{results.experiment.epochs}, mean ± standard error of the mean over the "
        "n seeds of each configuration."
    )
    return "\n".join(lines) + "\n\n" + caption + " " + summary + "\n"


def pair_name(configuration: Configuration) -> str:
    return (
        f"learning rate {number(configuration.learning_rate)} with momentum "
        f"{number(configuration.momentum)}"
    )


def separated_step_pairs_text(results: Results) -> str:
    """Which same-step pairs the seeds tell apart (Welch's t-test, p < 0.05)."""
    pairs = [
        (first, second)
        for first, second in same_step_pairs(results)
        if not (first.diverged or second.diverged)
        and compare(first, second, "val_accuracy") is not None
    ]
    p_values = [compare(a, b, "val_accuracy").p for a, b in pairs]
    apart = [pair for pair, p in zip(pairs, p_values, strict=True) if p < SIGNIFICANCE]
    corrected = sum(holm(p_values))
    described = "; ".join(
        f"{pair_name(first)} against {pair_name(second)}, "
        f"p = {compare(first, second, 'val_accuracy').p:.2f}"
        for first, second in apart
    )
    return (
        f"Taken one at a time, the seeds tell apart {len(apart)} of the "
        f"{len(pairs)} pairs that share an effective step (Welch's t-test, p < 0.05)"
        + (f": {described}" if apart else "")
        + f"; with Holm's correction over the {len(pairs)}, "
        + (f"{corrected} of them." if corrected else "none.")
    )


def listing(configurations: list[Configuration]) -> str:
    """learning rate 1e-3 and 3e-3 with momentum 0.99; learning rate 0.01 with …"""
    by_momentum: dict[float, list[float]] = {}
    for configuration in configurations:
        by_momentum.setdefault(configuration.momentum, []).append(
            configuration.learning_rate
        )
    parts = []
    for momentum, rates in by_momentum.items():
        names = [number(rate) for rate in rates]
        rate_text = (
            names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        )
        parts.append(f"learning rate {rate_text} with momentum {number(momentum)}")
    return "; ".join(parts)


def best_rate_by_momentum(
    results: Results, metric: str = "val_accuracy"
) -> dict[float, Configuration]:
    """For each momentum, the learning rate with the best mean of ``metric``.

    Best is highest for an accuracy, lowest for a loss.
    """
    sign = -1 if metric.endswith("loss") else 1
    best = {}
    for momentum in results.experiment.momenta:
        candidates = [
            results.configuration(lr, momentum)
            for lr in results.experiment.learning_rates
            if not results.configuration(lr, momentum).diverged
        ]
        if candidates:
            best[momentum] = max(candidates, key=lambda c: sign * c.mean(metric))
    return best


def tied_rates(results: Results, best: Configuration, metric: str) -> list[float]:
    """The other learning rates of ``best``'s momentum that the seeds cannot tell
    apart from it: Welch's t-test with Holm's correction over those rates."""
    others = [
        results.configuration(lr, best.momentum)
        for lr in results.experiment.learning_rates
        if lr != best.learning_rate
        and not results.configuration(lr, best.momentum).diverged
    ]
    return [
        other.learning_rate
        for other, apart in zip(others, told_apart(best, others, metric), strict=True)
        if not apart
    ]


def best_by_momentum_text(results: Results, metric: str, shown) -> str:
    """'3e-3 with momentum 0 (95.2 %; not told apart from it: 0.01); …'"""
    parts = []
    for momentum, best in best_rate_by_momentum(results, metric).items():
        tied = [number(lr) for lr in tied_rates(results, best, metric)]
        also = f"; not told apart from it: {', '.join(tied)}" if tied else ""
        parts.append(
            f"{number(best.learning_rate)} with momentum {number(momentum)} "
            f"({shown(best)}{also})"
        )
    return "; ".join(parts)


def findings(results: Results) -> str:
    """The sweep's main results in sentences, every number computed from the data."""
    grid = list(results.grid.values())
    runs = len(results.experiment.runs())
    lines = [
        "**How configurations are compared:** mean ± standard error of the mean "
        f"over n = {seeds_phrase(results)}; two configurations are called "
        "different only when Welch's t-test on their seeds gives p < 0.05, and "
        "otherwise the seeds cannot tell them apart; where a finding rests on "
        "several comparisons made together, Holm's correction is applied over them."
    ]
    best = results.best()
    if best is not None:
        test = percent([seed["test_accuracy"] for seed in results.selected["seeds"]])
        lines.append(
            "**Selected configuration:** learning rate "
            f"{number(best.learning_rate)} with momentum {number(best.momentum)} "
            "(η / (1 − μ) = "
            f"{step(best)}), the highest mean: validation accuracy "
            f"{mean_pm(*percent(best.final('val_accuracy')))} %, test accuracy "
            f"{mean_pm(*test)} %."
        )
        others = [c for c in grid if c is not best and not c.diverged]
        apart = told_apart(best, others, "val_accuracy")
        close = [c for c, a in zip(others, apart, strict=True) if not a]
        lines.append(
            f"**Not told apart from it by the seeds** ({len(close)} of the "
            f"{len(grid) - 1} others, by Welch's t-test with Holm's correction over "
            f"the {len(others)} comparisons; the seeds do not show that the selected "
            "configuration is better than these): "
            + (f"{listing(close)}." if close else "no other configuration.")
            + " Comparisons with the highest of several means lean towards "
            "'different', since that mean is partly high by luck."
        )
    diverged = [c for c in grid if c.diverged]
    diverged_runs = sum(c.diverged for c in grid)
    lines.append(
        f"**Diverged runs (NaN or infinite loss):** none of the {runs}."
        if not diverged
        else f"**Diverged runs (NaN or infinite loss):** {diverged_runs} of {runs}, "
        f"in {listing(diverged)}."
    )
    blown = [c for c in grid if c.blew_up]
    lines.append(
        f"**Training loss above ln 10 = {GUESSING_LOSS:.3f}, averaged over the last "
        "epoch** "
        "(worse than guessing uniformly, although finite): "
        + (f"{listing(blown)}." if blown else "no configuration.")
    )
    lines.append(
        "**Highest mean validation accuracy for each momentum:** "
        + best_by_momentum_text(
            results, "val_accuracy", lambda c: f"{100 * c.mean('val_accuracy'):.1f} %"
        )
        + "."
    )
    lines.append(
        "**Lowest mean training loss over the last epoch, for each momentum:** "
        + best_by_momentum_text(
            results, "train_loss", lambda c: f"{c.mean('train_loss'):.3f}"
        )
        + "."
    )
    return "".join(f"- {line}\n" for line in lines)


def selected_table(results: Results) -> str:
    if results.selected is None:
        return "Every configuration diverged: none was selected or tested.\n"
    best = results.best()
    seeds = results.selected["seeds"]
    test = percent([seed["test_accuracy"] for seed in seeds])
    validation = percent(best.final("val_accuracy"))
    sizes = results.metadata["data_sizes"]
    table = (
        "| learning rate η | momentum μ | η / (1 − μ) | validation accuracy (%) "
        "| test accuracy (%) |\n"
        "|---:|---:|---:|---:|---:|\n"
        f"| {number(best.learning_rate)} | {number(best.momentum)} | "
        f"{step(best)} | {mean_pm(*validation)} | {mean_pm(*test)} |\n"
    )
    held_out, tested = f"{sizes['validation']:,}", f"{sizes['test']:,}"
    caption = (
        f"Selected by its mean validation accuracy ({held_out} digits held out of "
        f"the training set), then retrained with the same {seeds_phrase(results)} "
        f"and measured once on the {tested} test digits; mean ± standard error of the "
        f"mean over the n = {seeds_phrase(results)}."
    )
    return table + "\n" + caption + "\n"


def sweep_summary(results: Results) -> str:
    metadata, experiment = results.metadata, results.experiment
    sizes = metadata["data_sizes"]
    sessions = metadata["sessions"]
    # every machine and software the sessions (or merged shards) ran on
    machines = list(
        dict.fromkeys(
            f"{s['environment']['cpu']}, {s['environment']['cpu_count']} logical CPUs"
            for s in sessions
        )
    )
    software = list(
        dict.fromkeys(
            f"Python {s['environment']['python']}, TensorFlow "
            f"{s['environment']['tensorflow']}, Keras {s['environment']['keras']}, "
            f"NumPy {s['environment']['numpy']}"
            for s in sessions
        )
    )
    runs = len(experiment.runs())
    diverged = sum(c.diverged for c in results.grid.values())
    total = metadata["total_seconds"]
    minutes, seconds = divmod(round(total), 60)
    took = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    # whole seconds that add up to the total shown
    run_seconds, test_seconds = (
        round(metadata["run_seconds"]),
        round(metadata["test_seconds"]),
    )
    rest = round(total) - run_seconds - test_seconds
    rows = [
        (
            "runs",
            f"{runs} ({len(experiment.learning_rates)} learning rates × "
            f"{len(experiment.momenta)} momenta × {seeds_phrase(results)}), "
            f"{experiment.epochs} epochs each, batches of {experiment.batch_size}",
        ),
        (
            "data",
            f"{experiment.data}: {sizes['train']:,} training, {sizes['validation']:,} "
            f"validation, {sizes['test']:,} test digits",
        ),
        ("diverged runs", f"{diverged} of {runs}"),
        (
            "sweep time",
            f"{took} in {len(sessions)} session"
            f"{'s' if len(sessions) > 1 else ''}: the runs' epochs "
            f"{run_seconds} s, retraining the selected configuration and measuring "
            f"it on the test set "
            f"{test_seconds} s, the rest (importing TensorFlow, "
            "building and compiling the network, each run's work outside its timed "
            f"epochs, writing the results files) {rest} s, each part rounded so that "
            "they add up to the total; "
            "loading the data and writing the tables and figures are not timed",
        ),
        ("machine" if len(machines) == 1 else "machines", "; ".join(machines)),
        ("software", "; ".join(software)),
    ]
    lines = [
        "| quantity | this sweep |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    return "\n".join(lines) + "\n"


# --- figures ----------------------------------------------------------------


def plain_log_ticks(axes) -> None:
    """Log-scale ticks labelled 0.01, 100 rather than as powers of ten, whose
    small raised exponents cannot be read on a phone."""
    for axis in (axes.xaxis, axes.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(ticker.NullFormatter())


HEATMAP_SPAN = 5  # points of validation accuracy that the heatmap's colours span


def heatmap_figure(results: Results):
    experiment = results.experiment
    rates, momenta = experiment.learning_rates, experiment.momenta
    values = np.array(
        [
            [
                math.nan
                if results.configuration(lr, m).diverged
                else 100 * results.configuration(lr, m).mean("val_accuracy")
                for m in momenta
            ]
            for lr in rates
        ]
    )
    figure, axes = plt.subplots(figsize=(5.6, 4.8))  # reads on a phone
    axes.grid(False)
    # the colours span the HEATMAP_SPAN points below the best mean, where the
    # configurations differ most; lower means all get the darkest colour
    colours = plt.get_cmap("viridis").with_extremes(bad="lightgrey")
    top = np.nanmax(values)
    image = axes.imshow(
        values,
        cmap=colours,
        aspect="auto",
        origin="lower",
        vmin=top - HEATMAP_SPAN,
        vmax=top,
    )
    best = results.best()
    for row, lr in enumerate(rates):
        for column, m in enumerate(momenta):
            configuration = results.configuration(lr, m)
            if configuration.diverged:
                text = "diverged"
            else:
                text = (
                    f"{values[row, column]:.1f}\n"
                    f"loss {configuration.mean('train_loss'):.2g}"
                )
            dark = bool(values[row, column] < top - HEATMAP_SPAN / 2)
            weight = "bold" if configuration is best else "normal"
            axes.text(
                column,
                row,
                text,
                ha="center",
                va="center",
                fontweight=weight,
                color="white" if dark else "black",
            )
    axes.set_xticks(range(len(momenta)), [number(m) for m in momenta])
    axes.set_yticks(range(len(rates)), [number(lr) for lr in rates])
    axes.set_xlabel("momentum μ")
    axes.set_ylabel("learning rate η")
    axes.set_title(
        f"Mean validation accuracy (%) after {experiment.epochs} epochs\n"
        "and final training loss; bold: selected",
        fontsize="medium",
    )
    figure.colorbar(
        image, ax=axes, label="validation accuracy (%)", pad=0.02, extend="min"
    )
    return figure


def curve_choices(results: Results) -> list[tuple[str, Configuration]]:
    """The runs worth comparing epoch by epoch, chosen from the data."""
    grid = list(results.grid.values())
    chosen: list[tuple[str, Configuration]] = []
    best = results.best()
    if best is not None:
        chosen.append(("selected", best))
        same_step = sorted(
            (
                c
                for c in grid
                if c is not best and math.isclose(c.effective_step, best.effective_step)
            ),
            key=lambda c: c.momentum,
        )
        for configuration in same_step[:1] + same_step[1:][-1:]:
            chosen.append(("same η/(1 − μ)", configuration))
    chosen.append(("smallest η/(1 − μ)", min(grid, key=lambda c: c.effective_step)))
    chosen.append(("largest η/(1 − μ)", max(grid, key=lambda c: c.effective_step)))
    unique = []
    for name, configuration in chosen:
        if all(configuration is not other for _, other in unique):
            unique.append((name, configuration))
    return unique


def learning_curves_figure(results: Results):
    # one panel above the other, so that they can be read on a phone
    figure, (loss_axes, accuracy_axes) = plt.subplots(2, 1, figsize=(5.2, 7.4))
    for name, configuration in curve_choices(results):
        label = (
            f"{name}: η = {number(configuration.learning_rate)}, "
            f"μ = {number(configuration.momentum)}"
        )
        losses = configuration.curve("train_loss")
        epochs = range(1, len(losses) + 1)
        (line,) = loss_axes.plot(epochs, losses, marker="o", label=label)
        accuracy_axes.plot(
            epochs,
            [100 * a for a in configuration.curve("val_accuracy")],
            marker="o",
            color=line.get_color(),
            label=label,
        )
    loss_axes.set_yscale("log")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("training loss (log scale)")
    loss_axes.set_title("Training loss, mean over seeds")
    accuracy_axes.set_xlabel("epoch")
    accuracy_axes.set_ylabel("validation accuracy (%)")
    accuracy_axes.set_title("Validation accuracy, mean over seeds")
    for axes in (loss_axes, accuracy_axes):
        axes.set_xticks(range(1, results.experiment.epochs + 1))
    figure.tight_layout()
    handles, labels = loss_axes.get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        ncol=1,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    plain_log_ticks(loss_axes)
    return figure


ZOOM_SPAN = 4  # percentage points below the best mean that the zoomed panel shows


def effective_step_figure(results: Results):
    """Accuracy against η / (1 − μ): the whole range on top, and below it the
    ZOOM_SPAN percentage points below the best mean, where the configurations
    worth choosing lie."""
    figure, (whole, zoom) = plt.subplots(
        2, 1, figsize=(5.2, 7.0), sharex=True, layout="constrained"
    )  # stacked, to read on a phone
    markers = "osD^vP*X"
    best = 0.0
    for index, momentum in enumerate(results.experiment.momenta):
        configurations = [
            results.configuration(lr, momentum)
            for lr in results.experiment.learning_rates
        ]
        finite = [c for c in configurations if not c.diverged]
        means = [100 * c.mean("val_accuracy") for c in finite]
        best = max([best, *means])
        for axes in (whole, zoom):
            axes.errorbar(
                [c.effective_step for c in finite],
                means,
                yerr=[100 * c.se("val_accuracy") for c in finite],
                marker=markers[index % len(markers)],
                linestyle="-",
                capsize=3,
                label=f"momentum μ = {number(momentum)}",
            )
    low, high = best - ZOOM_SPAN, best + 0.25
    zoom.set_ylim(low, high)
    zoom.set_xscale("log")
    zoom.set_xlabel("effective step size η / (1 − μ)")
    whole.set_ylabel("validation accuracy (%)")
    zoom.set_ylabel("validation accuracy (%)")
    whole.set_title("Accuracy against the effective step size")
    zoom.set_title(f"The same, from {low:.1f} to {high:.1f} %", fontsize="medium")
    whole.legend()
    plain_log_ticks(zoom)
    return figure


# --- writing ----------------------------------------------------------------


def tables(results: Results) -> dict[str, str]:
    return dict(
        zip(
            TABLES,
            (
                findings(results),
                validation_accuracy_table(results),
                training_loss_table(results),
                effective_step_table(results),
                selected_table(results),
                sweep_summary(results),
            ),
            strict=True,
        )
    )


def write_report(results_dir: Path, figures_dir: Path) -> list[Path]:
    """Write every table into ``results_dir`` and every figure into ``figures_dir``;
    return their paths."""
    # The book's figure settings (reproducible SVG, Agg backend), imported here
    # rather than at the top so that a notebook can use this module's drawings.
    from snippets.figures import save_figure

    results = load_results(results_dir)
    written = []
    for name, text in tables(results).items():
        path = results_dir / name
        write_atomically(path, text)
        written.append(path)
    make_folder(figures_dir)
    for name, draw in zip(
        FIGURES,
        (heatmap_figure, learning_curves_figure, effective_step_figure),
        strict=True,
    ):
        # save_figure joins its name to the book's figures folder: an absolute
        # path keeps our folder, with the book's reproducible SVG settings
        written.append(save_figure(draw(results), str((figures_dir / name).resolve())))
    return written
