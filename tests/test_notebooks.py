"""Every notebook the site offers runs anywhere and prints what its page shows.

The notebooks are made from the pages by hooks/book_notebooks.py. Each one the
built site offers for download is executed top to bottom in a fresh kernel,
as a reader who downloaded it would: in an empty temporary folder outside the
repository, with no PYTHONPATH and every import of the repository's packages
blocked (tests/notebook_runner.py), its files downloaded from the built site
served on localhost (tests/helpers/hosted_book.py). Every output a chapter
shows under a code block must be what the matching cells print; the lab
notebook must print what its stored outputs, shown on its page, say.
"""

import ast
import io
import itertools
import re
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from pytest_codeblocks.main import extract_from_buffer

from hooks import book_notebooks as notebooks
from hooks.book_markdown import page_from_text
from tests.helpers.hosted_book import hosted_book
from tests.notebook_runner import book_imports, execute_as_reader, stdout_of

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"
ADDRESS = notebooks.Address(
    "https://book.example.net/t2g/",
    "https://github.com/example-org/tensors-to-gradients",
)


def chapters() -> list[str]:
    return sorted(
        path.relative_to(DOCS).as_posix()
        for path in DOCS.rglob("*.md")
        if notebooks.is_chapter(path.relative_to(DOCS).as_posix(), path.read_text())
    )


CHAPTERS = chapters()
LAB_NOTEBOOKS = sorted(
    path.relative_to(DOCS).as_posix() for path in DOCS.glob("notebooks/*.py")
)


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


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def cell_groups(notebook) -> list[list]:
    """The code cells of each Python block of the page, in order: the block's
    own cell, and the cell that runs its script when the page shows its output.
    Cells of code copied from the book's repository belong to no block."""
    groups: list[list] = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or notebooks.HELPER in tags(cell):
            continue
        if notebooks.RUN in tags(cell) and groups:
            groups[-1].append(cell)
        else:
            groups.append([cell])
    return groups


def run_and_compare(notebook, markdown: str, repository: Path, workdir: Path) -> int:
    """Execute the notebook; check each output the page shows. Return how many."""
    execute_as_reader(notebook, workdir)
    groups = cell_groups(notebook)
    checked = 0
    for chain, shown in expected_outputs(markdown, repository):
        printed = "".join(stdout_of(cell) for i in chain for cell in groups[i])
        assert normalise(printed) == normalise(shown), f"code cells of blocks {chain}"
        checked += 1
    return checked


NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def agrees(printed: str, stored: str, tolerance: float = 0.05) -> bool:
    """The same text, with each decimal number within ``tolerance`` of the stored
    one: training differs in the last digits between processors."""
    if NUMBER.sub("#", printed) != NUMBER.sub("#", stored):
        return False
    pairs = zip(NUMBER.findall(printed), NUMBER.findall(stored), strict=True)
    return all(abs(float(a) - float(b)) <= tolerance for a, b in pairs)


def images(cell) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


# --- a small book, to see how a page becomes a notebook ----------------------------

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

```python
from book_demo.tools import scaled
print(scaled(2), twice(1))
```
<!--pytest-codeblocks:expected-output-->
```text
20 2
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


def main():
    print(twice(21), len(sys.argv[:1]))


if __name__ == "__main__":
    main()
'''

TOOLS = '''"""Helpers a page imports."""

from book_demo.script import _checked

FACTOR = 10  # a constant the function reads


def scaled(x):
    return FACTOR * _checked(x)


def unused():
    return "not copied"
'''


@pytest.fixture
def demo_book(tmp_path) -> Path:
    (tmp_path / "docs" / "figures").mkdir(parents=True)
    (tmp_path / "docs" / "chapter.md").write_text(PAGE)
    (tmp_path / "docs" / "figures" / "square.svg").write_text("<svg/>")
    (tmp_path / "docs" / "other.md").write_text("# Other\n")
    (tmp_path / "book_demo").mkdir()
    (tmp_path / "book_demo" / "demo.py").write_text(SNIPPET)
    (tmp_path / "book_demo" / "demo.out").write_text("True\n")
    (tmp_path / "book_demo" / "script.py").write_text(SCRIPT)
    (tmp_path / "book_demo" / "script.out").write_text("42 1\n")
    (tmp_path / "book_demo" / "tools.py").write_text(TOOLS)
    (tmp_path / "requirements.txt").write_text("numpy==1.0\n")
    return tmp_path


def demo_notebook(book: Path, address=ADDRESS):
    docs = book / "docs"
    notebook, files = notebooks.chapter_notebook(
        docs / "chapter.md",
        docs,
        "Book",
        address,
        repository=book,
        packages=("book_demo",),
    )
    assert files == []
    return notebook


def test_a_page_becomes_cells_that_need_no_clone(demo_book):
    notebook = demo_notebook(demo_book)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    text = "\n".join(
        cell.source for cell in notebook.cells if cell.cell_type == "markdown"
    )
    # tabs, admonitions and the exercise's solution are flattened into cells
    assert code[:4] == ["print(1)", "print(2)", "x = 3", "print(x)"]
    # the part of a script shown comes after the rest of the file it needs
    assert code[4].splitlines() == [
        '# book_demo/demo.py (the part marked "shown")',
        "import math",
        "",
        "print(math.pi > 3)",
    ]
    assert code[5].startswith('# book_demo/script.py (the part marked "twice")\n')
    assert "def _checked(x):" in code[5]
    assert code[5].endswith("def twice(x):\n    return 2 * _checked(x)")
    # the page shows what the script prints: a cell runs its __main__ block
    assert code[6].startswith("# python book_demo/script.py")
    assert code[6].endswith("main()") and "import sys" in code[6]
    # an import from the book's code: the code it needs, copied in before it
    helper = code[7]
    assert helper.startswith("# From book_demo/tools.py\n")
    assert "FACTOR = 10" in helper and "def scaled(x):" in helper
    assert "def unused" not in helper  # only what the page uses
    assert "def _checked" not in helper  # defined above already
    assert code[8].splitlines()[0] == "# scaled: defined above, from book_demo/tools.py"
    assert len(code) == 9  # the skipped shell command stays text
    helpers = [c for c in notebook.cells if notebooks.HELPER in tags(c)]
    assert [c.source for c in helpers] == [helper]
    assert book_imports(notebook) == []
    assert "pip install something" in text and "```text\nTrue\n```" in text
    assert "**What you will learn**" in text and "**TensorFlow**" in text
    assert "**Solution**" in text and "$x^2$" in text
    assert "[link](https://book.example.net/t2g/other/#part)" in text
    assert "pytest" not in text and "{ width" not in text
    [figure] = [cell for cell in notebook.cells if cell.get("attachments")]
    assert "![A square](attachment:square.svg)" in figure.source
    assert list(figure.attachments["square.svg"]) == ["image/svg+xml"]
    assert notebook.cells[0].source == "# A chapter"
    assert (
        "[the chapter “A chapter”](https://book.example.net/t2g/chapter/) of Book"
    ) in notebook.cells[1].source


def test_without_the_address_links_to_the_site_are_left_out(demo_book):
    notebook = demo_notebook(demo_book, notebooks.Address())
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "Some words, $x^2$ and a link." in text
    assert "http" not in text and "example" not in text


def test_expected_outputs_follow_cont_chains_and_snippet_outputs(demo_book):
    assert expected_outputs(PAGE, demo_book) == [
        ([0], "1"),
        ([2, 3], "3"),
        ([4], "True\n"),
        ([5], "42 1\n"),
        ([6], "20 2"),
    ]


def test_the_demo_notebook_runs_outside_the_repository_where_the_book_is_not(
    demo_book, tmp_path
):
    notebook = demo_notebook(demo_book)
    holds_every_code_block(notebook, PAGE, ("book_demo",))
    # a last cell as a notebook that still imports the book's code would have
    notebook.cells.append(
        nbformat.v4.new_code_cell("from lab.mnist_data import load_mnist")
    )
    assert book_imports(notebook) == ["lab.mnist_data"]
    with pytest.raises(CellExecutionError, match="only a clone of the book has"):
        execute_as_reader(notebook, tmp_path)
    notebook.cells.pop()
    groups = cell_groups(notebook)
    for chain, shown in expected_outputs(PAGE, demo_book):
        printed = "".join(stdout_of(cell) for i in chain for cell in groups[i])
        assert normalise(printed) == normalise(shown), f"code cells of blocks {chain}"


def test_chapters_are_found():
    assert "tensors.md" in CHAPTERS and "index.md" not in CHAPTERS
    assert LAB_NOTEBOOKS == ["notebooks/rmsprop-lab.py"]


def holds_every_code_block(
    notebook, markdown: str, packages=notebooks.BOOK_PACKAGES
) -> None:
    """One group of cells per Python block of the page, each the block itself
    (its imports of the book's code aside), and nothing left of the site's
    Markdown or of the book's imports."""
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
            cell, body = group[0].source, block.body.strip("\n")
            assert without_book_imports(cell, packages) == without_book_imports(
                body, packages
            )
    everything = nbformat.writes(notebook)
    assert "--8<--" not in everything and "pytest-codeblocks" not in everything
    assert book_imports(notebook) == []


DEFINED_ABOVE = re.compile(r"^\s*# .*: defined above, from \S+$")


def without_book_imports(code: str, packages=notebooks.BOOK_PACKAGES) -> list[str]:
    """The lines of some code without its imports of the book's packages, and
    without the comments that replace them in a notebook."""
    lines = code.splitlines()
    for node in ast.parse(code).body:
        if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] in packages:
            lines[node.lineno - 1 : node.end_lineno] = [""] * (
                node.end_lineno - node.lineno + 1
            )
    return [line for line in lines if line and not DEFINED_ABOVE.match(line)]


@pytest.fixture
def book(tmp_path_factory):
    return hosted_book(tmp_path_factory)


def downloaded(name: str, book):
    """A notebook as the built site offers it for download."""
    if name.endswith(".md"):
        path = notebooks.notebook_name(name)
    else:
        path = str(Path(name).with_suffix(".ipynb"))
    return nbformat.read(book.site_dir / path, 4)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_downloaded_notebook_runs_anywhere_and_prints_what_the_page_shows(
    chapter, book, tmp_path
):
    notebook = downloaded(chapter, book)
    markdown = (DOCS / chapter).read_text()
    holds_every_code_block(notebook, markdown)
    assert book.site_url in notebook.cells[1].source  # its back-link to the page
    run_and_compare(notebook, markdown, REPOSITORY, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("source", LAB_NOTEBOOKS)
def test_downloaded_lab_notebook_runs_anywhere_and_prints_its_stored_outputs(
    source, book, tmp_path
):
    notebook = downloaded(source, book)
    shown = [(stdout_of(cell), images(cell)) for cell in notebooks.authored(notebook)]
    assert any(text for text, _ in shown) and any(count for _, count in shown)
    assert book_imports(notebook) == []
    execute_as_reader(notebook, tmp_path)
    for cell, (text, count) in zip(notebooks.authored(notebook), shown, strict=True):
        assert agrees(stdout_of(cell), text), cell.source
        assert images(cell) == count, cell.source
