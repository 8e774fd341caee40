"""Run a notebook top to bottom in a fresh kernel.

``execute_as_reader`` runs it as a reader who downloaded it would: the kernel
starts in ``workdir`` (outside the repository), with no ``PYTHONPATH`` and
without the repository on ``sys.path``. The book's packages are installed in
the environment in editable mode, so a first, hidden cell also makes every
import of ``lab``, ``snippets``, ``hooks`` or ``tests`` fail, as it would for a
reader without a clone; the blocking cell is removed again before the notebook
is handed back. ``execute`` runs a notebook of the repository in it, its
packages importable (tests/lab/test_notebook.py).
"""

import ast
import os
import re
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

REPOSITORY = Path(__file__).resolve().parent.parent
BLOCKED = ("lab", "snippets", "hooks", "tests")
MAGIC = re.compile(r"^\s*[%!]")

BLOCKER = f"""
import sys


class _NoBookImports:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ModuleNotFoundError(
                f"the notebook imports {{name}}, which only a clone of the book has"
            )
        return None


sys.meta_path.insert(0, _NoBookImports())
_clone = {str(REPOSITORY)!r}
sys.path[:] = [
    p for p in sys.path if p.startswith(sys.prefix) or not p.startswith(_clone)
]
del _NoBookImports, _clone
"""


def environment() -> dict[str, str]:
    """The reader's environment: no PYTHONPATH, no Matplotlib backend chosen."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "MPLBACKEND", "BOOK_FIGURES_DIR")
    }
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def execute_as_reader(notebook, workdir: Path, timeout: int = 900) -> None:
    """Execute every cell in place, as a reader without a clone would, in
    ``workdir`` (outside the repository); raises CellExecutionError at the
    first failure."""
    workdir = Path(workdir)
    if workdir.resolve().is_relative_to(REPOSITORY):
        raise ValueError(f"{workdir} is inside the repository: use a temporary folder")
    notebook.cells.insert(0, new_code_cell(BLOCKER))
    try:
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=timeout,
            allow_errors=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        client.execute(env=environment(), cwd=str(workdir))
    finally:
        notebook.cells.pop(0)


def book_imports(notebook) -> list[str]:
    """Every import of the book's own packages in the notebook's code, and every
    other way of reaching them (``%run``, ``globals().update``), as text."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if re.search(r"^\s*%run\b", source, re.M) or "globals()" in source:
            found.append(source.splitlines()[0])
        code = "\n".join(
            "pass" if MAGIC.match(line) else line for line in source.splitlines()
        )
        for node in ast.walk(ast.parse(code)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [name for name in names if name.split(".")[0] in BLOCKED]
    return found


def stdout_of(cell) -> str:
    """What a code cell printed on standard output."""
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
