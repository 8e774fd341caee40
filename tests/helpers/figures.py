"""Compare a freshly drawn figure with the committed one, by what it shows.

Each figure snippet, run with ``BOOK_FIGURE_DESCRIPTIONS_DIR`` set, writes
beside the SVG a description of what the figure shows (snippets/figure_summary.py).
A figure is current when its description matches the committed one (numbers
to a relative tolerance); its bytes must also match only where the pinned
environment guarantees them: the pinned Matplotlib and an identical description.
"""

import json
import re
from pathlib import Path

import matplotlib
from matplotlib import ft2font

from snippets.figure_summary import differences

REPOSITORY = Path(__file__).resolve().parents[2]
COMMITTED_FIGURES = REPOSITORY / "docs" / "figures"
COMMITTED_DESCRIPTIONS = REPOSITORY / "tests" / "figures"


def pinned_matplotlib() -> str:
    requirements = (REPOSITORY / "requirements.txt").read_text()
    return re.search(r"^matplotlib==(\S+)", requirements, re.M)[1]


def pinned_environment() -> str:
    """Matplotlib's version, or a mark that its FreeType is the system's."""
    if ft2font.__freetype_build_type__ != "local":
        return f"{matplotlib.__version__} with the system FreeType"
    return matplotlib.__version__


def figure_problems(
    name: str,
    drawn_svg: bytes,
    drawn_description: dict,
    committed_svg: bytes | None,
    committed_description: dict | None,
    matplotlib_version: str | None = None,
) -> list[str]:
    """Why the drawn figure is not the committed one (empty when it is)."""
    if committed_svg is None or committed_description is None:
        return [f"{name} is not committed with its description: run `make figures`"]
    found = differences(committed_description, drawn_description, name)
    if found:
        return [f"{name} shows something else (run `make figures`):", *found]
    exact = drawn_description == committed_description
    pinned = (matplotlib_version or pinned_environment()) == pinned_matplotlib()
    if exact and pinned and drawn_svg != committed_svg:
        return [f"{name}: same content, different SVG: run `make figures`"]
    return []


def committed(name: str) -> tuple[bytes | None, dict | None]:
    svg = COMMITTED_FIGURES / name
    description = (COMMITTED_DESCRIPTIONS / name).with_suffix(".json")
    return (
        svg.read_bytes() if svg.is_file() else None,
        json.loads(description.read_text()) if description.is_file() else None,
    )
