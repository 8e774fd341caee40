"""Run a notebook top to bottom in a fresh kernel, as a reader would."""

import os
import sys
from pathlib import Path

from nbclient import NotebookClient


def execute(notebook, workdir: Path, timeout: int = 900) -> None:
    """Execute every cell in place; raises CellExecutionError at the first failure."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(sys.path), TF_CPP_MIN_LOG_LEVEL="2"
    )
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=timeout,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute(env=env)


def stdout_of(cell) -> str:
    """What a code cell printed on standard output."""
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
