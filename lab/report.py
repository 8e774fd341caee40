"""Tables and figures of the RMSprop lab, made from its results files only.

    python lab/report.py                          # lab/results → tables there,
                                                  # figures in docs/figures/lab/
    python lab/report.py --results DIR --figures OUT

Reads ``runs.csv``, ``sweep.json`` and ``selected.json`` (written by
``lab/rmsprop_sweep.py``) and writes Markdown tables (mean ± standard deviation
over seeds) into the results directory and SVG figures into the figures
directory. The same files give the same bytes, so the committed tables and
figures can be checked against the committed CSV.
"""

import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lab.rmsprop_sweep import (
    METADATA_FILE,
    RESULTS_DIR,
    RUNS_FILE,
    SELECTED_FILE,
    Experiment,
    OneLineParser,
    Row,
    Run,
    SweepError,
    add_output_arguments,
    complete_runs,
    default_figures_dir,
    read_json,
    read_rows,
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
        """lr / (1 − momentum): the step a constant gradient settles to."""
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


def percent(values: list[float]) -> tuple[float, float]:
    mean = 100 * statistics.fmean(values)
    spread = 100 * statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, spread


def step_groups(results: Results) -> list[list[Configuration]]:
    """Configurations sharing one effective step size (to 1 part in a million)."""
    groups: dict[float, list[Configuration]] = {}
    for configuration in results.grid.values():
        key = float(f"{configuration.effective_step:.6g}")
        groups.setdefault(key, []).append(configuration)
    return [groups[key] for key in sorted(groups)]


def effective_step_fit(results: Results) -> dict:
    """How much of the grid's variation lr/(1 − momentum) alone explains.

    Among configurations that share an effective step size, the spread of mean
    validation accuracy (max − min, in points) says what the effective step
    leaves unexplained; compare it with the spread over the whole grid.
    """
    accuracies = [100 * c.mean("val_accuracy") for c in results.grid.values()]
    shared = [g for g in step_groups(results) if len(g) > 1]
    within = [
        max(100 * c.mean("val_accuracy") for c in g)
        - min(100 * c.mean("val_accuracy") for c in g)
        for g in shared
    ]
    return {
        "groups": len(shared),
        "largest_gap_within": max(within) if within else None,
        "median_gap_within": statistics.median(within) if within else None,
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


def mean_pm(mean: float, spread: float, digits: int = 1) -> str:
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


def validation_accuracy_table(results: Results) -> str:
    best = results.best()

    def cell(configuration):
        if note := diverged_note(configuration):
            return note
        text = mean_pm(*percent(configuration.final("val_accuracy")))
        return f"**{text}**" if configuration is best else text

    caption = (
        f"Validation accuracy (%) after epoch {results.experiment.epochs}, mean ± "
        f"standard deviation over {seeds_phrase(results)}. In bold: the configuration "
        "selected for the test set."
    )
    return grid_table(results, cell) + "\n" + caption + "\n"


def training_loss_table(results: Results) -> str:
    def cell(configuration):
        if note := diverged_note(configuration):
            return note
        return mean_pm(
            configuration.mean("train_loss"), configuration.std("train_loss"), 3
        )

    caption = (
        f"Training loss (mean cross-entropy over epoch {results.experiment.epochs}), "
        f"mean ± standard deviation over {seeds_phrase(results)}. For comparison, "
        f"guessing uniformly among 10 digits gives ln 10 = {math.log(10):.3f}."
    )
    return grid_table(results, cell) + "\n" + caption + "\n"


def effective_step_table(results: Results) -> str:
    lines = [
        "| lr / (1 − momentum) | learning rate | momentum | validation accuracy (%) |",
        "|---:|---:|---:|---:|",
    ]
    for group in step_groups(results):
        for configuration in sorted(group, key=lambda c: c.momentum):
            accuracy = diverged_note(configuration) or mean_pm(
                *percent(configuration.final("val_accuracy"))
            )
            lines.append(
                f"| {step(configuration)} | "
                f"{number(configuration.learning_rate)} | "
                f"{number(configuration.momentum)} | {accuracy} |"
            )
    fit = effective_step_fit(results)
    if fit["groups"]:
        summary = (
            f"{fit['groups']} effective step sizes are shared by several "
            "configurations. Within such a group the mean validation accuracies "
            "differ by "
            f"{fit['median_gap_within']:.1f} points (median), "
            f"{fit['largest_gap_within']:.1f} at most; over the whole grid they span "
            f"{fit['range_over_grid']:.1f} points."
        )
    else:
        summary = "No two configurations of this grid share an effective step size."
    return "\n".join(lines) + "\n\n" + summary + "\n"


def listing(configurations: list[Configuration]) -> str:
    """lr 1e-03 and 3e-03 with momentum 0.99; lr 0.01 with momentum 0.9."""
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
        parts.append(f"lr {rate_text} with momentum {number(momentum)}")
    return "; ".join(parts)


def best_rate_by_momentum(results: Results) -> dict[float, Configuration]:
    """For each momentum, the learning rate with the best mean validation accuracy."""
    best = {}
    for momentum in results.experiment.momenta:
        candidates = [
            results.configuration(lr, momentum)
            for lr in results.experiment.learning_rates
            if not results.configuration(lr, momentum).diverged
        ]
        if candidates:
            best[momentum] = max(candidates, key=lambda c: c.mean("val_accuracy"))
    return best


def findings(results: Results) -> str:
    """The sweep's main results in sentences, every number computed from the data."""
    grid = list(results.grid.values())
    runs = len(results.experiment.runs())
    lines = []
    best = results.best()
    if best is not None:
        test = percent([seed["test_accuracy"] for seed in results.selected["seeds"]])
        lines.append(
            "**Selected configuration:** learning rate "
            f"{number(best.learning_rate)} with momentum {number(best.momentum)} "
            "(lr / (1 − momentum) = "
            f"{step(best)}): validation accuracy "
            f"{mean_pm(*percent(best.final('val_accuracy')))} %, test accuracy "
            f"{mean_pm(*test)} %."
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
        f"**Training loss above ln 10 = {GUESSING_LOSS:.3f} after the last epoch** "
        "(worse than guessing uniformly, although finite): "
        + (f"{listing(blown)}." if blown else "no configuration.")
    )
    best_rates = best_rate_by_momentum(results)
    lines.append(
        "**Best learning rate for each momentum:** "
        + "; ".join(
            f"{number(c.learning_rate)} with momentum {number(m)} "
            f"({100 * c.mean('val_accuracy'):.1f} %)"
            for m, c in best_rates.items()
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
        "| learning rate | momentum | lr / (1 − momentum) | validation accuracy (%) "
        "| test accuracy (%) |\n"
        "|---:|---:|---:|---:|---:|\n"
        f"| {number(best.learning_rate)} | {number(best.momentum)} | "
        f"{step(best)} | {mean_pm(*validation)} | {mean_pm(*test)} |\n"
    )
    held_out, tested = f"{sizes['validation']:,}", f"{sizes['test']:,}"
    caption = (
        f"Selected by its mean validation accuracy ({held_out} digits held out of "
        f"the training set), then retrained with the same {seeds_phrase(results)} "
        f"and measured once on the {tested} test digits, mean ± standard deviation."
    )
    return table + "\n" + caption + "\n"


def sweep_summary(results: Results) -> str:
    metadata, experiment = results.metadata, results.experiment
    sizes = metadata["data_sizes"]
    sessions = metadata["sessions"]
    environment = sessions[-1]["environment"]
    runs = len(experiment.runs())
    diverged = sum(c.diverged for c in results.grid.values())
    total = metadata["total_seconds"]
    minutes, seconds = divmod(round(total), 60)
    took = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    rest = total - metadata["run_seconds"] - metadata["test_seconds"]
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
            f"{metadata['run_seconds']:.0f} s, testing the selected configuration "
            f"{metadata['test_seconds']:.0f} s, the rest (starting, compiling, "
            f"writing) {rest:.0f} s",
        ),
        ("machine", f"{environment['cpu']}, {environment['cpu_count']} cores"),
        (
            "software",
            f"Python {environment['python']}, TensorFlow "
            f"{environment['tensorflow']}, Keras {environment['keras']}, "
            f"NumPy {environment['numpy']}",
        ),
    ]
    lines = [
        "| quantity | this sweep |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    return "\n".join(lines) + "\n"


# --- figures ----------------------------------------------------------------


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
    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    axes.grid(False)
    colours = plt.get_cmap("viridis").with_extremes(bad="lightgrey")
    image = axes.imshow(values, cmap=colours, aspect="auto", origin="lower")
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
            dark = bool(values[row, column] < np.nanmean(values))
            weight = "bold" if configuration is best else "normal"
            axes.text(
                column,
                row,
                text,
                ha="center",
                va="center",
                fontweight=weight,
                fontsize=9,
                color="white" if dark else "black",
            )
    axes.set_xticks(range(len(momenta)), [number(m) for m in momenta])
    axes.set_yticks(range(len(rates)), [number(lr) for lr in rates])
    axes.set_xlabel("momentum")
    axes.set_ylabel("learning rate")
    axes.set_title(
        f"Mean validation accuracy (%) after {experiment.epochs} epochs\n"
        "and final training loss; bold: selected",
        fontsize=10,
    )
    figure.colorbar(image, ax=axes, label="validation accuracy (%)")
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
            chosen.append(("same lr/(1−m)", configuration))
    chosen.append(("smallest lr/(1−m)", min(grid, key=lambda c: c.effective_step)))
    chosen.append(("largest lr/(1−m)", max(grid, key=lambda c: c.effective_step)))
    unique = []
    for name, configuration in chosen:
        if all(configuration is not other for _, other in unique):
            unique.append((name, configuration))
    return unique


def learning_curves_figure(results: Results):
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.8))
    for name, configuration in curve_choices(results):
        label = (
            f"{name}: lr {number(configuration.learning_rate)}, "
            f"momentum {number(configuration.momentum)}"
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
        ncol=2,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    return figure


def effective_step_figure(results: Results):
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    markers = "osD^vP*X"
    for index, momentum in enumerate(results.experiment.momenta):
        configurations = [
            results.configuration(lr, momentum)
            for lr in results.experiment.learning_rates
        ]
        finite = [c for c in configurations if not c.diverged]
        axes.errorbar(
            [c.effective_step for c in finite],
            [100 * c.mean("val_accuracy") for c in finite],
            yerr=[100 * c.std("val_accuracy") for c in finite],
            marker=markers[index % len(markers)],
            linestyle="-",
            capsize=3,
            label=f"momentum {number(momentum)}",
        )
    axes.set_xscale("log")
    axes.set_xlabel("effective step size lr / (1 − momentum)")
    axes.set_ylabel("validation accuracy (%)")
    axes.set_title("Accuracy against the effective step size")
    axes.legend()
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


def write_report(
    results_dir: Path = RESULTS_DIR, figures_dir: Path | None = None
) -> list[Path]:
    """Write every table and figure; return their paths."""
    # The book's figure settings (reproducible SVG, Agg backend), imported here
    # rather than at the top so that a notebook can use this module's drawings.
    from snippets.figures import save_figure

    results = load_results(results_dir)
    figures_dir = figures_dir or default_figures_dir(results_dir)
    written = []
    for name, text in tables(results).items():
        path = results_dir / name
        path.write_text(text)
        written.append(path)
    figures_dir.mkdir(parents=True, exist_ok=True)
    for name, draw in zip(
        FIGURES,
        (heatmap_figure, learning_curves_figure, effective_step_figure),
        strict=True,
    ):
        # save_figure joins its name to the book's figures folder: an absolute
        # path keeps our folder, with the book's reproducible SVG settings
        written.append(save_figure(draw(results), str((figures_dir / name).resolve())))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="report.py",
        description="Tables and figures of the RMSprop lab, from its results files.",
    )
    add_output_arguments(parser)
    try:
        args = parser.parse_args(argv)
        for path in write_report(args.results, args.figures):
            print(path)
    except SweepError as error:
        print(f"report.py: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
