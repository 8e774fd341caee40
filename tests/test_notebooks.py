"""Each chapter's notebook (hooks/notebooks.py) runs and prints what its page shows.

The notebooks are generated from the chapters' Markdown exactly as the site
build does it; the browser tests check that the site offers those very files.
Here each one is executed top to bottom in a fresh kernel (nbclient), and
every output the page shows under a code block must be what the matching
cells of the notebook print.
"""

import io
import itertools
from pathlib import Path

import nbformat
import pytest
from pytest_codeblocks.main import extract_from_buffer

from hooks import book_notebooks as notebooks
from hooks.book_markdown import page_from_text
from tests.notebook_runner import execute, stdout_of

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"


def chapters() -> list[str]:
    return sorted(
        path.relative_to(DOCS).as_posix()
        for path in DOCS.rglob("*.md")
        if notebooks.is_chapter(path.relative_to(DOCS).as_posix(), path.read_text())
    )


CHAPTERS = chapters()


def skipped(fence) -> bool:
    return any(m.startswith("pytest.mark.skip") or m == "skip" for m in fence.markers)


def expected_outputs(
    markdown: str, repository: Path = REPOSITORY
) -> list[tuple[list[int], str]]:
    """(indices of the Python blocks, the output the page shows for them), in order.

    Which output belongs to which chain of ``cont`` blocks is asked of
    pytest-codeblocks itself; an included ``.out`` file right after an included
    snippet is that snippet's output.
    """
    fences = page_from_text(markdown).fences
    python = [f for f in fences if f.language == "python" and not skipped(f)]
    chains: dict[int, list[int]] = {}  # line of a chain's first block → its blocks
    chain: list[int] = []
    for index, fence in enumerate(python):
        if fence.continues and chain:
            chain.append(index)
        else:
            chain = chains.setdefault(fence.line, [index])
    outputs = [
        (chains[block.lineno], block.expected_output.rstrip("\n"))
        for block in extract_from_buffer(io.StringIO(markdown))
        if block.expected_output is not None and block.lineno in chains
    ]
    for before, fence in itertools.pairwise(fences):
        if (
            fence.language == "text"
            and fence.include_only
            and before in python
            and before.include_only
            and all(include.file.endswith(".out") for include in fence.includes)
        ):
            files = [repository / include.file for include in fence.includes]
            outputs.append(
                ([python.index(before)], "".join(f.read_text() for f in files))
            )
    return sorted(outputs)


def normalise(text: str) -> list[str]:
    """Lines without trailing spaces and blank lines (pages inside tabs drop them)."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def cell_groups(notebook) -> list[list]:
    """The code cells of each Python block of the page, in order: the block's
    own cell, and the cell that runs its script when the page shows its output."""
    groups: list[list] = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.splitlines()[-1].startswith("%run -m ") and groups:
            groups[-1].append(cell)
        else:
            groups.append([cell])
    return groups


def run_and_compare(notebook, markdown: str, repository: Path, workdir: Path) -> int:
    """Execute the notebook; check each output the page shows. Return how many."""
    execute(notebook, workdir)
    groups = cell_groups(notebook)
    checked = 0
    for chain, shown in expected_outputs(markdown, repository):
        printed = "".join(stdout_of(cell) for i in chain for cell in groups[i])
        assert normalise(printed) == normalise(shown), f"code cells of blocks {chain}"
        checked += 1
    return checked


PAGE = """# A chapter

!!! abstract "What you will learn"

    - one thing

=== "NumPy"

    ```python
    print(1)
    ```
    <!--pytest-codeblocks:expected-output-->
    ```text
    1
    ```

=== "TensorFlow"

    ```python
    print(2)
    ```

1. An exercise.

    ??? success "Solution"

        Some words, $x^2$ and a [link](other.md#part).
        ```python
        x = 3
        ```
        <!--pytest-codeblocks:cont-->
        ```python
        print(x)
        ```
        <!--pytest-codeblocks:expected-output-->
        ```text
        3
        ```

```python title="book_demo/demo.py"
--8<-- "book_demo/demo.py:shown"
```

```text
--8<-- "book_demo/demo.out"
```

```python title="book_demo/script.py"
--8<-- "book_demo/script.py:twice"
```

```text
--8<-- "book_demo/script.out"
```

<!--pytest.mark.skip(reason="installs")-->
```bash
pip install something
```

![A square](figures/square.svg){ width="100" }
"""

SNIPPET = '''"""A demo."""

import math

# --8<-- [start:shown]
print(math.pi > 3)
# --8<-- [end:shown]
'''


SCRIPT = '''"""A script: the page shows a function, and what running the file prints."""

import sys


def _checked(x):
    return x


# --8<-- [start:twice]
def twice(x):
    return 2 * _checked(x)
# --8<-- [end:twice]


if __name__ == "__main__":
    print(twice(21), len(sys.argv))
'''


@pytest.fixture
def demo_book(tmp_path) -> Path:
    (tmp_path / "docs" / "figures").mkdir(parents=True)
    (tmp_path / "docs" / "chapter.md").write_text(PAGE)
    (tmp_path / "docs" / "figures" / "square.svg").write_text("<svg/>")
    (tmp_path / "book_demo").mkdir()
    (tmp_path / "book_demo" / "demo.py").write_text(SNIPPET)
    (tmp_path / "book_demo" / "demo.out").write_text("True\n")
    (tmp_path / "book_demo" / "script.py").write_text(SCRIPT)
    (tmp_path / "book_demo" / "script.out").write_text("42 1\n")
    return tmp_path


def demo_notebook(book: Path):
    docs = book / "docs"
    return notebooks.chapter_notebook(
        docs / "chapter.md", docs, "Book", "https://book.example/", repository=book
    )


def test_a_page_becomes_cells(demo_book):
    notebook = demo_notebook(demo_book)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    text = "\n".join(
        cell.source for cell in notebook.cells if cell.cell_type == "markdown"
    )
    # tabs, admonitions and the exercise's solution are flattened into cells
    assert code[:4] == ["print(1)", "print(2)", "x = 3", "print(x)"]
    # the part of a plain script needs the script's import: it comes first
    assert code[4].splitlines() == [
        '# book_demo/demo.py (the part marked "shown")',
        "import math",
        "",
        "print(math.pi > 3)",
    ]
    # a script's part is shown after importing the rest; then the script runs
    assert code[5].startswith('# book_demo/script.py (the part marked "twice")\n')
    assert "import book_demo.script as _snippet" in code[5]
    assert code[5].endswith("def twice(x):\n    return 2 * _checked(x)")
    assert code[6] == "# python book_demo/script.py\n%run -m book_demo.script"
    assert len(code) == 7  # the skipped shell command stays text
    assert "pip install something" in text and "```text\nTrue\n```" in text
    assert "**What you will learn**" in text and "**TensorFlow**" in text
    assert "**Solution**" in text and "$x^2$" in text
    assert "[link](https://book.example/other/#part)" in text
    assert "pytest" not in text and "{ width" not in text
    [figure] = [cell for cell in notebook.cells if cell.get("attachments")]
    assert "![A square](attachment:square.svg)" in figure.source
    assert list(figure.attachments["square.svg"]) == ["image/svg+xml"]
    assert notebook.cells[0].source == "# A chapter"
    assert "Book (https://book.example/chapter/)" in notebook.cells[1].source


def test_expected_outputs_follow_cont_chains_and_snippet_outputs(demo_book):
    assert expected_outputs(PAGE, demo_book) == [
        ([0], "1"),
        ([2, 3], "3"),
        ([4], "True\n"),
        ([5], "42 1\n"),
    ]


def test_the_demo_notebook_runs_and_prints_what_its_page_shows(demo_book, monkeypatch):
    monkeypatch.syspath_prepend(str(demo_book))
    notebook = demo_notebook(demo_book)
    assert run_and_compare(notebook, PAGE, demo_book, demo_book) == 4


def test_chapters_are_found():
    assert "tensors.md" in CHAPTERS and "index.md" not in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_holds_every_code_block_of_its_page(chapter):
    markdown = (DOCS / chapter).read_text()
    notebook = notebooks.notebook_of_page(DOCS / chapter)
    nbformat.validate(notebook)
    groups = cell_groups(notebook)
    blocks = [
        f
        for f in page_from_text(markdown).fences
        if f.language == "python" and not skipped(f)
    ]
    assert len(groups) == len(blocks)
    for group, block in zip(groups, blocks, strict=True):
        if not block.includes:
            assert group[0].source == block.body.strip("\n")
    everything = nbformat.writes(notebook)
    assert "--8<--" not in everything and "pytest-codeblocks" not in everything


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_runs_and_prints_what_the_page_shows(chapter, tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    notebook = notebooks.notebook_of_page(DOCS / chapter)
    markdown = (DOCS / chapter).read_text()
    run_and_compare(notebook, markdown, REPOSITORY, REPOSITORY)
