"""Draw the matrix product as rows times columns: one row of A and one column of B
give one entry of AB.

    python snippets/operations/row_times_column.py   # prints the sum, writes the figure

B sits above AB and A to its left, so row i of A lines up with row i of AB and
column j of B with column j of AB: entry (i, j) is where they cross.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from snippets.figures import save_figure

A = np.array([[1, 2, 0], [3, 1, 2]])  # shape (2, 3)
B = np.array([[2, 1, 0, 1], [0, 1, 3, 2], [1, 3, 1, 0]])  # shape (3, 4)
ROW, COLUMN = 1, 2  # the highlighted entry (AB)_12


def products(row: int = ROW, column: int = COLUMN) -> list[int]:
    """The terms A_ik B_kj of (AB)_ij, for k = 0, 1, 2."""
    return [int(A[row, k] * B[k, column]) for k in range(A.shape[1])]


def formula(row: int = ROW, column: int = COLUMN) -> str:
    """(AB)_ij written out: the sum of its terms, then its value."""
    pairs = " + ".join(f"{A[row, k]}·{B[k, column]}" for k in range(A.shape[1]))
    total = sum(products(row, column))
    return f"(AB)[{row}, {column}] = {pairs} = {total}"


def draw_matrix(
    ax, matrix, left, top, highlight, colour, name, label_below=False
):
    """Cells of `matrix` with their numbers; `highlight(i, j)` picks coloured cells."""
    rows, columns = matrix.shape
    for i in range(rows):
        for j in range(columns):
            lit = highlight(i, j)
            ax.add_patch(
                Rectangle(
                    (left + j, top - i - 1), 1, 1,
                    facecolor=colour if lit else "white", edgecolor="0.3", lw=1,
                )
            )  # fmt: skip
            ax.text(
                left + j + 0.5, top - i - 0.5, str(matrix[i, j]),
                ha="center", va="center", fontsize=14,
                fontweight="bold" if lit else "normal",
            )  # fmt: skip
    label_y, align = (
        (top - rows - 0.25, "top") if label_below else (top + 0.25, "bottom")
    )
    ax.text(
        left + columns / 2, label_y, f"{name}  shape {matrix.shape}",
        ha="center", va=align, fontsize=12,
    )  # fmt: skip


def draw() -> plt.Figure:
    AB = A @ B
    figure, ax = plt.subplots(figsize=(5.2, 4.6))
    # A on the left, B above AB: rows of A and of AB line up, so do columns of B and AB.
    draw_matrix(ax, A, 0, 2, lambda i, j: i == ROW, "#9ecae1", "A")
    draw_matrix(ax, B, 4, 5.6, lambda i, j: j == COLUMN, "#fdd0a2", "B")
    draw_matrix(
        ax,
        AB,
        4,
        2,
        lambda i, j: (i, j) == (ROW, COLUMN),
        "#c7e9c0",
        "AB",
        True,
    )
    # Arrows stop at the edge of AB: the highlighted row and column meet at (i, j).
    ax.annotate(
        "", xy=(3.95, 2 - ROW - 0.5), xytext=(3.05, 2 - ROW - 0.5),
        arrowprops={"arrowstyle": "->", "color": "tab:blue", "lw": 2},
    )  # fmt: skip
    ax.annotate(
        "", xy=(4 + COLUMN + 0.5, 2.05), xytext=(4 + COLUMN + 0.5, 2.55),
        arrowprops={"arrowstyle": "->", "color": "tab:orange", "lw": 2},
    )  # fmt: skip
    ax.text(4, -0.9, formula(), ha="center", va="top", fontsize=13)
    ax.text(
        4, -1.55,
        f"row {ROW} of A times column {COLUMN} of B (counting from 0):\n"
        "multiply in pairs, then add",
        ha="center", va="top", fontsize=11, color="0.3",
    )  # fmt: skip
    ax.set_xlim(-0.3, 8.3)
    ax.set_ylim(-2.1, 6.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return figure


def main() -> None:
    print(formula())
    print("A @ B gives the same entry:", (A @ B)[ROW, COLUMN])
    save_figure(draw(), "operations/row_times_column.svg")


if __name__ == "__main__":
    main()
