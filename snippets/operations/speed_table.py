"""Time the Python loops of naive_ops.py against NumPy and write the page's table.

    python snippets/operations/speed_table.py          # measure, print the table
    python snippets/operations/speed_table.py --write  # also rewrite the committed
                                                       # speed_table.json and .md

The measurements go to speed_table.json first; speed_table.md, which the
chapter includes, is generated from that data. Each time is the minimum over
a few repeats: the minimum is the run least disturbed by other work on the
machine, so it is the most repeatable figure a shared computer can give.
"""

import argparse
import functools
import json
import os
import platform
import sys
import timeit
from pathlib import Path

import numpy as np

from snippets.operations.naive_ops import loop_add, loop_matrix_dot, loop_relu

HERE = Path(__file__).resolve().parent
DATA = HERE / "speed_table.json"
TABLE = HERE / "speed_table.md"

# The bound the chapter states ("at least 20× faster"). The committed speed-ups
# (speed_table.json) are all above 1,000×, so a noisy machine still clears it
# by a wide margin.
CLAIMED_SPEEDUP = 20


# --8<-- [start:measure]
def best_time(function, number: int, repeats: int) -> float:
    """Seconds per call: the fastest of `repeats` runs of `number` calls
    each."""
    return min(timeit.repeat(function, number=number, repeat=repeats)) / number


def measure(repeats: int = 5) -> list[dict]:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 128, 128))
    A, B = rng.standard_normal((2, 64, 64))
    cases = [  # (operation, Python loop, vectorized call, operands)
        ("relu", loop_relu, lambda t: np.maximum(t, 0.0), (x,)),
        ("add", loop_add, np.add, (x, y)),
        ("matrix dot", loop_matrix_dot, np.matmul, (A, B)),
    ]
    rows = []
    for operation, loop, vectorized, operands in cases:
        loop_call = functools.partial(loop, *operands)
        numpy_call = functools.partial(vectorized, *operands)
        loop_seconds = best_time(loop_call, number=1, repeats=repeats)
        numpy_seconds = best_time(numpy_call, number=200, repeats=repeats)
        rows.append(
            {
                "operation": operation,
                "shapes": ", ".join(str(operand.shape) for operand in operands),
                "loop_seconds": loop_seconds,
                "numpy_seconds": numpy_seconds,
                "speedup": loop_seconds / numpy_seconds,
            }
        )
    return rows


# --8<-- [end:measure]


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model} ({os.cpu_count()} logical cores), "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
    )


def readable(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def markdown_table(data: dict) -> str:
    lines = [
        "| operation | operand shapes | Python loop | NumPy | speed-up |",
        "|---|---|---:|---:|---:|",
    ]
    for row in data["rows"]:
        lines.append(
            f"| {row['operation']} | {row['shapes']} "
            f"| {readable(row['loop_seconds'])} | {readable(row['numpy_seconds'])} "
            f"| {row['speedup']:,.0f}× |"
        )
    caption = (
        f"Measured on {data['machine']}; each time is the fastest of "
        f"{data['repeats']} repeats."
    )
    return "\n".join([*lines, "", caption]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time Python loops against NumPy."
    )
    parser.add_argument(
        "--write", action="store_true", help="rewrite speed_table.json and .md"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="runs per timing"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    data = {
        "machine": machine(),
        "repeats": args.repeats,
        "rows": measure(args.repeats),
    }
    table = markdown_table(data)
    print(table, end="")
    if args.write:
        DATA.write_text(json.dumps(data, indent=2) + "\n")
        TABLE.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
