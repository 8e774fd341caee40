"""Save the book's figures reproducibly, and redraw them all.

    python -m snippets.figures --write     # redraw every figure into docs/figures/
    python -m snippets.figures --list      # the snippets that draw figures

A figure snippet calls :func:`save_figure`. Where the figure goes:

- a reader who runs a snippet (``python snippets/tensors/draw_digit.py``) gets
  it under ``figures/`` in the current directory (``./figures/tensors/digit.svg``),
  and its path on standard error, so standard output is still exactly what the
  snippet's ``.out`` file shows; the book's own figures are never touched;
- ``BOOK_FIGURES_DIR=<folder>`` puts it under that folder instead: ``make
  figures`` (``--write`` here) sets it to ``docs/figures`` for every snippet it
  runs, and ``tests/test_snippets.py`` to a temporary folder, where it compares
  the drawing with the committed file.

Figures are SVG with a fixed hash salt and neither date nor Matplotlib version,
drawn from Matplotlib's own default settings (a reader's ``matplotlibrc`` is
ignored) plus the book's few settings below. ``BOOK_FIGURE_DESCRIPTIONS_DIR``
also writes what each figure shows (``snippets/figure_summary.py``) as
``<name>.json``: ``make figures`` keeps them in ``tests/figures/``, and the tests
compare a redrawn figure with the committed one by what it shows, and byte for
byte only where the pinned Matplotlib guarantees the same bytes.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import ticker

from snippets.figure_summary import describe

REPOSITORY = Path(__file__).resolve().parent.parent
COMMITTED_FIGURES = REPOSITORY / "docs" / "figures"
COMMITTED_DESCRIPTIONS = REPOSITORY / "tests" / "figures"
DESCRIPTIONS_DIR_VARIABLE = "BOOK_FIGURE_DESCRIPTIONS_DIR"
READER_FIGURES = Path(
    "figures"
)  # relative: under the directory the reader runs in
FIGURES_DIR_VARIABLE = "BOOK_FIGURES_DIR"

# Figures are drawn to be read on a phone: at most about 5.3 inches wide, so
# that a 390 px wide screen shows them at about 0.94 px per point, and no text
# smaller than the base size, 11 pt: every label then measures at least 10 CSS
# px there (tests/browser/test_layout.py).
BOOK_STYLE = {
    "svg.hashsalt": "tensors-to-gradients",
    "svg.fonttype": "none",  # text as text: lighter files, selectable labels
    "figure.dpi": 100,
    "font.size": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
}

# Matplotlib's defaults first (whatever a matplotlibrc file or an earlier
# rcParams change says), then the book's settings.
matplotlib.rcdefaults()
plt.rcParams.update(BOOK_STYLE)


def plain_log_ticks(*axes, axis: str = "both") -> None:
    """Label the log-scale axes' ticks 0.01, 1e-05, 100 rather than as powers
    of ten, whose small raised exponents cannot be read on a phone."""
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    for one in axes:
        for which in ("x", "y") if axis == "both" else (axis,):
            scale = getattr(one, f"get_{which}scale")()
            if scale == "log":
                getattr(one, f"{which}axis").set_major_formatter(plain)
                getattr(one, f"{which}axis").set_minor_formatter(
                    ticker.NullFormatter()
                )


def figures_dir() -> Path:
    """``$BOOK_FIGURES_DIR`` if set, else ``figures/`` under the current directory."""
    chosen = os.environ.get(FIGURES_DIR_VARIABLE)
    return Path(chosen) if chosen else Path.cwd() / READER_FIGURES


def save_figure(figure, name: str) -> Path:
    """Write ``figure`` as ``<figures dir>/<name>`` (an .svg path) and close it.

    An absolute ``name`` is used as it is. When the folder is the reader's
    default (``./figures``), the path written goes to standard error, so that a
    reader who runs a snippet learns where the figure went; a caller that chose
    the place (``BOOK_FIGURES_DIR``, an absolute name) is told nothing.
    """
    if not name.endswith(".svg"):
        raise ValueError(f"figure name {name!r} must end in .svg")
    path = figures_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptions = os.environ.get(DESCRIPTIONS_DIR_VARIABLE)
    if (
        descriptions and not Path(name).is_absolute()
    ):  # a book figure, by its name
        description = (Path(descriptions) / name).with_suffix(".json")
        description.parent.mkdir(parents=True, exist_ok=True)
        description.write_text(
            json.dumps(describe(figure), separators=(",", ":")) + "\n"
        )
    figure.savefig(
        path,
        format="svg",
        metadata={"Date": None, "Creator": None},
        bbox_inches="tight",
    )
    plt.close(figure)
    if (
        not os.environ.get(FIGURES_DIR_VARIABLE)
        and not Path(name).is_absolute()
    ):
        here = Path.cwd()
        shown = path.relative_to(here) if path.is_relative_to(here) else path
        print(f"figure saved: {shown}", file=sys.stderr)
    return path


def figure_snippets() -> list[Path]:
    """Every snippet file that saves a figure."""
    here = Path(__file__).resolve()
    return sorted(
        path
        for path in (REPOSITORY / "snippets").rglob("*.py")
        if path != here and "save_figure(" in path.read_text()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Redraw the book's figures.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--write",
        action="store_true",
        help="redraw every figure into docs/figures/",
    )
    group.add_argument(
        "--list", action="store_true", help="list figure snippets"
    )
    args = parser.parse_args(argv)
    environment = dict(
        os.environ,
        **{
            FIGURES_DIR_VARIABLE: str(COMMITTED_FIGURES),
            DESCRIPTIONS_DIR_VARIABLE: str(COMMITTED_DESCRIPTIONS),
        },
    )
    for snippet in figure_snippets():
        relative = snippet.relative_to(REPOSITORY)
        print(relative)
        if args.write:
            subprocess.run(
                [sys.executable, str(relative)],
                cwd=REPOSITORY,
                env=environment,
                check=True,
                stdout=subprocess.DEVNULL,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
