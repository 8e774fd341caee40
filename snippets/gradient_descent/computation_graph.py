"""The course's computation graph: loss = |y_true − (w·x + b)|, forward then backward.

    python snippets/gradient_descent/computation_graph.py

Prints every node's value on the forward pass and every node's gradient on the
backward pass, and draws docs/figures/gradient-descent/computation-graph.svg.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from snippets.figures import save_figure

COURSE_VALUES = {"x": 2.0, "w": 3.0, "b": 1.0, "y_true": 4.0}


# --8<-- [start:forward_backward]
def forward(x, w, b, y_true):
    """Every intermediate value, named as on the graph."""
    x1 = w * x
    x2 = x1 + b
    diff = y_true - x2
    loss = abs(diff)
    return {"x1": x1, "x2": x2, "diff": diff, "loss": loss}


def backward(x, w, b, y_true):
    """∂loss/∂node for every node, from the loss back to the inputs
    (chain rule)."""
    values = forward(x, w, b, y_true)
    grad = {"loss": 1.0}
    sign = (
        1.0 if values["diff"] > 0 else -1.0
    )  # d|u|/du; |u| has no slope at u = 0
    grad["diff"] = grad["loss"] * sign
    grad["x2"] = grad["diff"] * -1.0  # diff = y_true − x2
    grad["b"] = grad["x2"] * 1.0  # x2 = x1 + b
    grad["x1"] = grad["x2"] * 1.0
    grad["w"] = grad["x1"] * x  # x1 = w·x
    grad["x"] = grad["x1"] * w
    return grad


# --8<-- [end:forward_backward]

# Where each node sits on the drawing (inches from the top left), and the
# edges between them: top to bottom, so that it reads on a phone. The chain
# x → x1 → x2 → diff → loss runs down the left; the other inputs, each on the
# right of the row above the node it feeds.
POSITIONS = {
    "x": (1.1, -0.5),
    "w": (3.6, -0.5),
    "x1": (1.1, -1.85),
    "b": (3.6, -1.85),
    "x2": (1.1, -3.2),
    "y_true": (3.6, -3.2),
    "diff": (1.1, -4.55),
    "loss": (1.1, -5.9),
}
EDGES = [
    ("x", "x1"),
    ("w", "x1"),
    ("x1", "x2"),
    ("b", "x2"),
    ("x2", "diff"),
    ("y_true", "diff"),
    ("diff", "loss"),
]
LABELS = {
    "x1": "x1 = w·x",
    "x2": "x2 = x1 + b",
    "diff": "diff = y_true − x2",
    "loss": "loss = |diff|",
}
WIDTH, HEIGHT = 2.1, 0.85  # of a node, in inches


def draw(values, gradients) -> None:
    figure, axis = plt.subplots(figsize=(4.8, 6.5))
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)
    for start, end in EDGES:
        (x0, y0), (x1, y1) = POSITIONS[start], POSITIONS[end]
        axis.annotate(
            "",
            (x1 + (0.5 if x0 > x1 else 0), y1 + HEIGHT / 2 + 0.04),
            (x0 - (0.5 if x0 > x1 else 0), y0 - HEIGHT / 2 - 0.04),
            arrowprops={"arrowstyle": "->", "color": "0.4"},
        )
    for name, (x, y) in POSITIONS.items():
        axis.add_patch(
            FancyBboxPatch(
                (x - WIDTH / 2, y - HEIGHT / 2),
                WIDTH,
                HEIGHT,
                boxstyle="round,pad=0.04",
                facecolor="white",
                edgecolor="0.3",
            )
        )
        lines = [(LABELS.get(name, name), "black")]
        lines.append((f"= {values[name]:g}", "tab:blue"))
        if name in gradients:
            lines.append((f"∂loss/∂{name} = {gradients[name]:g}", "tab:red"))
        for k, (text, colour) in enumerate(lines):
            offset = (len(lines) - 1) / 2 - k
            axis.text(
                x,
                y + 0.24 * offset,
                text,
                ha="center",
                va="center",
                color=colour,
            )
    axis.text(
        POSITIONS["y_true"][0] - WIDTH / 2,
        POSITIONS["loss"][1],
        "blue: forward pass\n(values)\n\nred: backward pass\n(gradients)",
        va="center",
    )
    axis.set_xlim(0, 4.8)
    axis.set_ylim(-6.5, 0)
    axis.set_aspect("equal")
    axis.axis("off")
    save_figure(figure, "gradient-descent/computation-graph.svg")


# --8<-- [start:main]
def main() -> None:
    values = {**COURSE_VALUES, **forward(**COURSE_VALUES)}
    gradients = backward(**COURSE_VALUES)
    draw(values, gradients)
    print("forward: " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    print(
        "backward: "
        + ", ".join(f"∂loss/∂{k} = {v:g}" for k, v in gradients.items())
    )


# --8<-- [end:main]

if __name__ == "__main__":
    main()
