"""Draw a rank-3 tensor, four digits of shape (4, 28, 28), with its three axes labelled.

python snippets/tensors/rank3_axes.py

The digits x_train[16:20] are drawn as a stack of cards, sample 0 in front; one
element, stack[0, 22, 10], is marked with a red square.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

(x_train, y_train), _ = load_mnist()
stack = x_train[16:20]  # a rank-3 tensor
samples, rows, columns = stack.shape
sample, row, column = 0, 22, 10  # one element, marked on the drawing

step = 9  # how far each image sits behind the one before it
figure, axes = plt.subplots(figsize=(4.4, 4.6))
# the back image first, sample 0 last (in front)
for k in reversed(range(samples)):
    left, bottom = k * step, k * step
    place = (left, left + columns, bottom, bottom + rows)
    axes.imshow(
        stack[k],
        cmap="binary",
        vmin=0,
        vmax=255,
        extent=place,
        interpolation="nearest",
        zorder=2 * (samples - k),
    )
    axes.add_patch(
        Rectangle(
            (left, bottom),
            columns,
            rows,
            fill=False,
            linewidth=1.2,
            zorder=2 * (samples - k) + 1,
        )
    )
    axes.text(
        left - 0.8,
        bottom + rows + 0.5,
        f"stack[{k}]: a {y_train[16 + k]}",
        ha="right",
        va="center",
        zorder=20,
    )
# the marked element: row 22 counts down from the top, column 10 from the left
axes.add_patch(
    Rectangle(
        (column, rows - row - 1),
        1,
        1,
        fill=False,
        edgecolor="tab:red",
        linewidth=2,
        zorder=20,
    )
)
axes.text(
    columns / 2,
    -7,
    f"red square: stack[{sample}, {row}, {column}] = {stack[sample, row, column]}",
    color="tab:red",
    ha="center",
    va="top",
)
arrow = {"arrowstyle": "->", "linewidth": 1.5}
axes.annotate("", xy=(-11, 0), xytext=(-11, rows), arrowprops=arrow)
axes.text(
    -12, rows / 2, f"axis 1: rows\n(length {rows})", ha="right", va="center"
)
axes.annotate("", xy=(columns, -2), xytext=(0, -2), arrowprops=arrow)
axes.text(
    columns / 2,
    -3,
    f"axis 2: columns (length {columns})",
    ha="center",
    va="top",
)
far = (samples - 1) * step
axes.annotate(
    "",
    xy=(columns + far + 1, far - 1),
    xytext=(columns + 1, -1),
    arrowprops=arrow,
)
axes.text(
    columns + far / 2 + 4, far / 2 - 4, f"axis 0: samples\n(length {samples})"
)
axes.set_xlim(-32, columns + far + 12)
axes.set_ylim(-12, rows + far + 2)
axes.set_aspect("equal")
axes.axis("off")
axes.set_title(f"x_train[16:20] is a rank-3 tensor\nof shape {stack.shape}")
save_figure(figure, "tensors/rank3_axes.svg")
