"""The book's lab: sweep RMSprop's learning rate and momentum on MNIST.

    python lab/rmsprop_sweep.py            # the default sweep: 5 learning rates
                                           # × 4 momenta × 5 seeds, 5 epochs each,
                                           # on the full MNIST (fetched once),
                                           # into lab/my-results/
    python lab/rmsprop_sweep.py --quick    # 3 seeds on the bundled digits, under
                                           # a minute, into lab/my-results-quick/
    python lab/rmsprop_sweep.py --quiet    # printing nothing but errors
    python lab/rmsprop_sweep.py --learning-rates 1e-3 3e-3 --momenta 0 0.9 \\
        --seeds 0 1 --epochs 3 --results /tmp/my-sweep      # a grid of your own

    python lab/rmsprop_sweep.py --shard 1/3 --results DIR   # a third of the runs;
    python lab/rmsprop_sweep.py --shard 2/3 --results DIR   # run the shards together
    python lab/rmsprop_sweep.py --shard 3/3 --results DIR   # or apart, gather
    python lab/rmsprop_sweep.py merge --results DIR         # DIR/shards/, then merge

    python lab/rmsprop_sweep.py report     # tables and figures again, from the results

``run`` (the default command) trains each run of the grid: the book's first
network (Dense 512 relu → Dense 10 softmax, batches of 128) with one learning
rate, one momentum and one seed. A validation set held out of the training
digits drives the comparison; the test set is used once, at the end, for the
selected configuration only. The pieces, each importing only the ones before:
``config`` (the grid), ``data`` (the split), ``training`` (the network),
``store`` (the results folder), ``sweep`` (running, merging, selecting) and
``report`` (tables and figures), all in ``lab/``.

What it writes (``--results``, by default ``lab/my-results/``, which git
ignores; the book's own results in ``lab/results/`` change only when that folder
is named): ``runs.csv``, one
row per run per epoch, appended as each run finishes, so that Ctrl-C loses at
most the run in progress and the same command goes on; ``sweep.json``, the grid,
data sizes, machines, library versions and times; ``selected.json``, the
selected configuration measured on the test set; and the report's tables
(``*.md``) and figures. One results folder serves one sweep at a time (the
shards of one sweep share it); a second sweep started on it stops at once.

Bad input (a learning rate ≤ 0, a momentum outside [0, 1), an unknown data
source, an unreadable data file, a results folder holding another sweep or in
use, a place that cannot be written) stops the program with a one-line error
and exit code 2; bad arguments stop it before anything is written.
"""

import argparse
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: import this clone's lab/, no other
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.config import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATES,
    DEFAULT_MOMENTA,
    DEFAULT_SEEDS,
    DEFAULT_VALIDATION_SIZE,
    MY_QUICK_RESULTS_DIR,
    MY_RESULTS_DIR,
    QUICK,
    REPOSITORY,
    RESULTS_DIR,
    Experiment,
    SweepError,
    parse_shard,
    quiet_tensorflow,
)
from lab.mnist_data import MnistDataError
from lab.store import existing_results, locked
from lab.sweep import PROG, merge_shards, run_sweep

FIGURES_DIR = REPOSITORY / "docs" / "figures" / "lab"
COMMANDS = ("run", "merge", "report")


def default_figures_dir(results: Path) -> Path:
    """The book's figures for the book's results; elsewhere, beside the results."""
    if results.resolve() == RESULTS_DIR.resolve():
        return FIGURES_DIR
    return results / "figures"


def reporter(figures: Path | None, quiet: bool):
    """What writes the tables and figures of a finished sweep in ``results``."""

    def report(results: Path) -> None:
        # Matplotlib takes a second to import: only when there is a report to make
        from lab.report import write_report

        written = write_report(results, figures or default_figures_dir(results))
        if not quiet:
            print("wrote " + ", ".join(str(path) for path in written), flush=True)

    return report


# --- the command line -------------------------------------------------------------


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2)."""

    def error(self, message):
        raise SweepError(message)


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("a folder's name cannot be empty")
    return Path(text).expanduser()


def shard(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except SweepError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """--results and --figures, shared by the sweep, merge and report commands."""
    parser.add_argument(
        "--results",
        type=folder,
        help="results folder (default: lab/my-results, or lab/my-results-quick "
        "with --quick; the book's own are in lab/results)",
    )
    parser.add_argument(
        "--figures",
        type=folder,
        default=None,
        help="where the figures go (default: docs/figures/lab for lab/results, "
        "else RESULTS/figures)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Sweep RMSprop's learning rate × momentum on MNIST. "
        "'run' is the default command: 'rmsprop_sweep.py [run options]'.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run or resume a sweep (the default)")
    quick_seeds = " ".join(map(str, QUICK["seeds"]))
    grid = (
        ("--learning-rates", "LR", DEFAULT_LEARNING_RATES, "learning rates, each > 0"),
        ("--momenta", "M", DEFAULT_MOMENTA, "momenta, each in [0, 1)"),
        ("--seeds", "SEED", DEFAULT_SEEDS, "seeds: one run per configuration and seed"),
    )
    for option, metavar, default, meaning in grid:
        shown = " ".join(f"{value:g}" for value in default)
        if option == "--seeds":
            shown += f"; {quick_seeds} with --quick"
        run.add_argument(
            option,
            nargs="+",
            type=int if option == "--seeds" else number,
            metavar=metavar,
            help=f"{meaning} (default: {shown})",
        )
    for option, default, meaning in (
        ("--epochs", DEFAULT_EPOCHS, "epochs per run"),
        ("--batch-size", DEFAULT_BATCH_SIZE, "batch size"),
    ):
        run.add_argument(
            option, type=int, default=default, help=f"{meaning} (default: %(default)s)"
        )
    run.add_argument(
        "--validation-size",
        type=int,
        help=f"digits held out to validate (default: {DEFAULT_VALIDATION_SIZE}; "
        f"{QUICK['validation_size']} with --quick)",
    )
    run.add_argument(
        "--train-size",
        type=int,
        help="use only this many training digits (default: all the others)",
    )
    run.add_argument(
        "--data",
        help="'full' (default: the full MNIST, fetched once and cached), 'bundled' "
        "(the book's 10,000 digits, offline; the default with --quick), 'keras' "
        "(the full MNIST through Keras's download) or the path of a Keras-format "
        "mnist.npz",
    )
    run.add_argument(
        "--quick",
        action="store_true",
        help="the quick sweep: the bundled digits, 1,000 held out, seeds 0 1 2 "
        "(under a minute); options given explicitly still apply",
    )
    run.add_argument(
        "--shard",
        type=shard,
        metavar="K/N",
        help="run only the K-th of N interleaved parts of the grid",
    )
    run.add_argument(
        "--max-runs",
        type=int,
        metavar="N",
        help="stop after N runs (run the command again to go on)",
    )
    merge = commands.add_parser("merge", help="merge a sweep's shards and finish it")
    report = commands.add_parser("report", help="the tables and figures again")
    for command in (run, merge, report):
        add_output_arguments(command)
        command.add_argument("--quiet", action="store_true", help="print only errors")
    return parser


def experiment_from(args: argparse.Namespace) -> Experiment:
    """The sweep the options ask for: the default one, or --quick's, with every
    option given replacing its setting."""
    given = {
        name: tuple(value) if isinstance(value, list) else value
        for name in ("learning_rates", "momenta", "seeds", "data", "validation_size")
        if (value := getattr(args, name)) is not None
    }
    settings = dict(
        epochs=args.epochs, batch_size=args.batch_size, train_size=args.train_size
    )
    make = Experiment.quick if args.quick else Experiment
    return make(**settings, **given)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] not in (*([c] for c in COMMANDS), ["-h"], ["--help"]):
        argv = ["run", *argv]
    try:
        args = make_parser().parse_args(argv)
        if args.results is None:
            quick = args.command == "run" and args.quick
            args.results = MY_QUICK_RESULTS_DIR if quick else MY_RESULTS_DIR
        if args.command == "report":
            with locked(existing_results(args.results)):
                reporter(args.figures, args.quiet)(args.results)
        elif args.command == "merge":
            merge_shards(args.results, args.quiet, reporter(args.figures, args.quiet))
        else:
            if args.max_runs is not None and args.max_runs < 0:
                raise SweepError(f"--max-runs must be 0 or more, got {args.max_runs}")
            experiment = experiment_from(args)
            run_sweep(
                experiment,
                args.results,
                args.shard,
                args.max_runs,
                args.quiet,
                reporter(args.figures, args.quiet),
            )
    except (SweepError, MnistDataError) as error:
        return fail(str(error))
    except OSError as error:  # a read-only or full disk, a file in a folder's place
        where = f"{error.filename}: " if error.filename else ""
        return fail(f"{where}{error.strerror or error}")
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted: the finished runs are saved; run the same command "
            "again to go on",
            file=sys.stderr,
        )
        return 130
    return 0


def fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    quiet_tensorflow()
    sys.exit(main())
