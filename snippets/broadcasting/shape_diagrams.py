"""Draw the broadcasting diagrams of the chapter.

    python snippets/broadcasting/shape_diagrams.py   # writes docs/figures/broadcasting/

One diagram per example: the operands' shapes aligned on the right, one column
per axis, with the missing leading axes, the stretched size-1 axes and any
clash marked; the result shape underneath. A fifth figure shows the values of
a small example, with the copies that stretching stands for (NumPy does not
make them: it reads the one entry again).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from snippets.broadcasting.naive_broadcast import broadcast_shape
from snippets.figures import save_figure

COLOURS = {
    "kept": ("white", "black", "-"),
    "stretched": ("#fdd9a0", "#c45f00", "-"),
    "missing": ("#f2f2f2", "0.45", "--"),
    "clash": ("#f8c4c4", "#b00000", "-"),
}
LEGEND = {
    "kept": "size used as it is",
    "missing": "missing axis: counts as 1, then stretched",
    "stretched": "size 1: stretched (as if repeated) to match",
    "clash": "sizes differ and neither is 1",
}


def column_states(
    shapes: list[tuple], rank: int
) -> tuple[list[list[str]], list]:
    """For each operand and column, how the axis takes part; and the result sizes."""
    padded = [(None,) * (rank - len(shape)) + tuple(shape) for shape in shapes]
    states = [[""] * rank for _ in shapes]
    result = []
    for column in range(rank):
        sizes = [1 if row[column] is None else row[column] for row in padded]
        try:
            size = broadcast_shape((sizes[0],), (sizes[1],))[0]
        except ValueError:
            size = None
        result.append(size)
        for row, padded_shape in enumerate(padded):
            original = padded_shape[column]
            if size is None:
                states[row][column] = "clash" if sizes[row] != 1 else "kept"
            elif original is None:
                states[row][column] = "missing"
            elif original != size:
                states[row][column] = "stretched"
            else:
                states[row][column] = "kept"
    return states, result


def box(ax, x, y, text, state, width=1.2, height=0.8, fontsize=12):
    face, edge, style = COLOURS[state]
    ax.add_patch(
        Rectangle(
            (x, y),
            width,
            height,
            facecolor=face,
            edgecolor=edge,
            linestyle=style,
            lw=1.4,
        )
    )
    ax.text(
        x + width / 2,
        y + height / 2,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        color=edge if state != "kept" else "black",
    )


def draw_alignment(
    operands: list[tuple[str, tuple]], result_label: str, title: str
):
    """Aligned shapes of two operands and the result (or the clash).

    Drawn to be read on a phone: each name above its shape on the left, the
    legend under the diagram, the columns at most 3.5 inches wide.
    """
    shapes = [shape for _, shape in operands]
    rank = max(len(shape) for shape in shapes)
    states, result = column_states(shapes, rank)
    step, cell = 1.6, 1.35  # column pitch and box width, in data units
    width = min((rank * step + 0.2) * 0.6, 3.5)  # inches, the columns only
    figure, ax = plt.subplots(figsize=(width, 3.2))
    figure.subplots_adjust(left=0, right=1, top=0.82, bottom=0.02)
    for column in range(rank):
        axis = f"axis {column - rank}".replace("-", "−")  # a true minus sign
        ax.text(column * step + cell / 2, 3.25, axis, ha="center", color="0.3")
    for row, (label, shape) in enumerate(operands):
        y = 2.2 - row * 1.0
        ax.text(-0.3, y + 0.4, f"{label}\n{shape}", ha="right", va="center")
        for column in range(rank):
            state = states[row][column]
            size = (
                shape[column - (rank - len(shape))] if state != "missing" else 1
            )
            text = (
                f"1 → {result[column]}"
                if state in ("stretched", "missing")
                else size
            )
            box(ax, column * step, y, str(text), state, width=cell)
    ax.plot(
        [-0.1, (rank - 1) * step + cell + 0.1], [1.0, 1.0], color="black", lw=1
    )
    shown = "error" if None in result else str(tuple(result))
    ax.text(
        -0.3,
        0.5 - 0.2,
        f"{result_label}\n{shown}",
        ha="right",
        va="center",
        fontweight="bold",
    )
    for column, size in enumerate(result):
        state = "clash" if size is None else "kept"
        box(
            ax,
            column * step,
            -0.1,
            "✗" if size is None else str(size),
            state,
            width=cell,
        )
    used = sorted({s for row in states for s in row}, key=list(LEGEND).index)
    handles = [
        Rectangle(
            (0, 0),
            1,
            1,
            facecolor=COLOURS[s][0],
            edgecolor=COLOURS[s][1],
            linestyle=COLOURS[s][2],
        )
        for s in used
    ]
    ax.legend(
        handles,
        [LEGEND[s] for s in used],
        loc="upper right",
        bbox_to_anchor=(1.0, 0.0),
        frameon=False,
    )
    figure.suptitle(
        title + "\n(shapes compared right to left)",
        x=1.0,
        ha="right",
        fontsize="medium",
    )
    ax.set_xlim(-0.2, rank * step)
    ax.set_ylim(-0.3, 3.5)
    ax.axis("off")
    return figure


def draw_stretching():
    """x (2, 3) + v (3,): the row of v is copied down (faded), then added."""
    x = np.array([[0, 10, 20], [30, 40, 50]])
    v = np.array([1, 2, 3])
    figure, ax = plt.subplots(figsize=(5.3, 2.2))  # reads on a phone

    def grid(left, values, faded_rows=()):
        for (i, j), value in np.ndenumerate(values):
            faded = i in faded_rows
            ax.add_patch(
                Rectangle(
                    (left + j, 1 - i),
                    1,
                    1,
                    lw=1.2,
                    facecolor="#fdd9a0" if faded else "white",
                    edgecolor="#c45f00" if faded else "black",
                    linestyle="--" if faded else "-",
                )
            )
            ax.text(
                left + j + 0.5,
                1.5 - i,
                str(value),
                ha="center",
                va="center",
                fontsize=13,
                color="#c45f00" if faded else "black",
            )

    grid(0, x)
    grid(4.5, np.vstack([v, v]), faded_rows=(1,))
    grid(9, x + v)
    for left, sign in ((3.4, "+"), (7.9, "=")):
        ax.text(left + 0.15, 1, sign, ha="center", va="center", fontsize=20)
    labels = [
        (1.5, "x\nshape (2, 3)"),
        (6.0, "v, shape (3,)\n→ stretched\nto (2, 3)"),
        (10.5, "x + v\nshape (2, 3)"),
    ]
    for centre, label in labels:
        ax.text(centre, -0.25, label, ha="center", va="top")
    ax.set_xlim(-0.2, 12.2)
    ax.set_ylim(-2.4, 2.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return figure


DIAGRAMS = [  # file, operands, result label, title
    (
        "image_scaling.svg",
        [("image", (256, 256, 3)), ("scale", (3,))],
        "image * scale",
        "Scaling the colours of an RGB image",
    ),
    (
        "incompatible.svg",
        [("x", (5, 1, 3)), ("y", (4, 2, 3))],
        "x + y",
        "Shapes that do not broadcast",
    ),
    (
        "vector_plus_matrix.svg",
        [("x", (32, 10)), ("y", (10,))],
        "x + y",
        "A vector added to every row of a matrix",
    ),
    (
        "maximum.svg",
        [("x", (64, 3, 32, 10)), ("y", (32, 10))],
        "np.maximum(x, y)",
        "An element-wise maximum across a batch of batches",
    ),
]


def main() -> None:
    for name, operands, result_label, title in DIAGRAMS:
        save_figure(
            draw_alignment(operands, result_label, title),
            f"broadcasting/{name}",
        )
    save_figure(draw_stretching(), "broadcasting/stretching.svg")


if __name__ == "__main__":
    main()
