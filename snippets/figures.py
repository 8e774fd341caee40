"""Save the book's figures reproducibly, and redraw them all.

    python -m snippets.figures --write     # redraw every figure into docs/figures/
    python -m snippets.figures --list      # the snippets that draw figures

A figure snippet calls :func:`save_figure`. Figures are SVG with a fixed hash
salt and no date, so the same code draws the same bytes; a test redraws each
one into a temporary folder (``BOOK_FIGURES_DIR``) and compares it with the
committed file.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

REPOSITORY = Path(__file__).resolve().parent.parent
COMMITTED_FIGURES = REPOSITORY / "docs" / "figures"

plt.rcParams.update(
    {
        "svg.hashsalt": "tensors-to-gradients",
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "font.size": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
    }
)


def figures_dir() -> Path:
    return Path(os.environ.get("BOOK_FIGURES_DIR", COMMITTED_FIGURES))


def save_figure(figure, name: str) -> Path:
    """Write ``figure`` as ``<figures dir>/<name>`` (an .svg path) and close it."""
    if not name.endswith(".svg"):
        raise ValueError(f"figure name {name!r} must end in .svg")
    path = figures_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
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
    group.add_argument("--write", action="store_true", help="redraw every figure")
    group.add_argument("--list", action="store_true", help="list figure snippets")
    args = parser.parse_args(argv)
    for snippet in figure_snippets():
        relative = snippet.relative_to(REPOSITORY)
        print(relative)
        if args.write:
            subprocess.run([sys.executable, str(relative)], cwd=REPOSITORY, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
