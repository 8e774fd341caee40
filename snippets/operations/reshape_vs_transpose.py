"""Draw the same twelve numbers reshaped and transposed.

    python snippets/operations/reshape_vs_transpose.py   # prints, draws the figure

x = np.arange(12).reshape(3, 4). Both x.reshape(4, 3) and x.T have shape (4, 3),
but reshape keeps the reading order 0, 1, 2, ... (row by row) while the
transpose swaps the axes, so the first row of x becomes the first column.
The cells holding the first row of x (0, 1, 2, 3) are coloured in every panel.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from snippets.figures import save_figure

x = np.arange(12).reshape(3, 4)
PANELS = [  # (title, tensor)
    ("x, shape (3, 4)", x),
    ("x.reshape(4, 3): same reading order", x.reshape(4, 3)),
    ("x.T, shape (4, 3): axes swapped", x.T),
]
FIRST_ROW = set(x[0].tolist())  # the numbers coloured in every panel


def reading_order(tensor: np.ndarray) -> list[int]:
    """The numbers of a matrix read row by row, left to right."""
    return [int(value) for row in tensor for value in row]


def draw() -> plt.Figure:
    figure, axes = plt.subplots(1, 3, figsize=(5.3, 4.0))
    for ax, (title, tensor) in zip(axes, PANELS, strict=True):
        rows, columns = tensor.shape
        for i in range(rows):
            for j in range(columns):
                value = int(tensor[i, j])
                lit = value in FIRST_ROW
                ax.add_patch(
                    Rectangle(
                        (j, rows - i - 1), 1, 1,
                        facecolor="#fdd0a2" if lit else "white",
                        edgecolor="0.3", lw=1,
                    )
                )  # fmt: skip
                ax.text(
                    j + 0.5, rows - i - 0.5, str(value), ha="center", va="center",
                    fontsize=13, fontweight="bold" if lit else "normal",
                )  # fmt: skip
        ax.set_title(title.replace(": ", ":\n"))  # two lines: narrow panels
        ax.set_xlim(-0.1, 4.1)
        ax.set_ylim(-0.1, 4.1)
        ax.set_aspect("equal")
        ax.axis("off")
    orders = [
        f"{title.partition(':')[0].partition(', shape')[0]}: "
        + " ".join(str(v) for v in reading_order(t))
        for title, t in PANELS
    ]
    figure.text(
        0.5,
        0.02,
        "Coloured: the first row of x (0, 1, 2, 3).\n"
        "Reading each grid row by row:\n" + "\n".join(orders),
        ha="center",
        va="bottom",
    )
    figure.tight_layout(rect=(0, 0.25, 1, 1))
    return figure


def main() -> None:
    for title, tensor in PANELS:
        print(f"{title:38} reads {reading_order(tensor)}")
    save_figure(draw(), "operations/reshape_vs_transpose.svg")


if __name__ == "__main__":
    main()
