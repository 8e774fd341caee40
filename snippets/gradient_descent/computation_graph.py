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
    """∂loss/∂node for every node, from the loss back to the inputs (chain rule)."""
    values = forward(x, w, b, y_true)
    grad = {"loss": 1.0}
    sign = 1.0 if values["diff"] > 0 else -1.0  # d|u|/du; |u| has no slope at u = 0
    grad["diff"] = grad["loss"] * sign
    grad["x2"] = grad["diff"] * -1.0  # diff = y_true − x2
    grad["b"] = grad["x2"] * 1.0  # x2 = x1 + b
    grad["x1"] = grad["x2"] * 1.0
    grad["w"] = grad["x1"] * x  # x1 = w·x
    grad["x"] = grad["x1"] * w
    return grad


# --8<-- [end:forward_backward]

# Where each node sits on the drawing, and the edges between them.
POSITIONS = {
    "x": (0, 1.6),
    "w": (0, 0),
    "x1": (2.2, 0.8),
    "b": (2.2, -0.9),
    "x2": (4.4, 0.4),
    "y_true": (4.4, -1.3),
    "diff": (6.6, 0),
    "loss": (8.8, 0),
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


def draw(values, gradients) -> None:
    figure, axis = plt.subplots(figsize=(11, 4))
    for start, end in EDGES:
        (x0, y0), (x1, y1) = POSITIONS[start], POSITIONS[end]
        axis.annotate(
            "",
            (x1 - 0.75, y1),
            (x0 + 0.75, y0),
            arrowprops={"arrowstyle": "->", "color": "0.4"},
        )
    for name, (x, y) in POSITIONS.items():
        axis.add_patch(
            FancyBboxPatch(
                (x - 0.75, y - 0.38),
                1.5,
                0.76,
                boxstyle="round,pad=0.05",
                facecolor="white",
                edgecolor="0.3",
            )
        )
        axis.text(x, y + 0.13, LABELS.get(name, name), ha="center", fontsize=8)
        axis.text(x, y - 0.12, f"= {values[name]:g}", ha="center", color="tab:blue")
        if name in gradients:
            axis.text(
                x,
                y - 0.62,
                f"∂loss/∂{name} = {gradients[name]:g}",
                ha="center",
                color="tab:red",
                fontsize=9,
            )
    axis.text(
        6.0,
        1.6,
        "blue: forward pass (values)\nred: backward pass (gradients)",
        fontsize=9,
        va="center",
    )
    axis.set_xlim(-1, 9.8)
    axis.set_ylim(-2.2, 2.2)
    axis.axis("off")
    save_figure(figure, "gradient-descent/computation-graph.svg")


# --8<-- [start:main]
def main() -> None:
    values = {**COURSE_VALUES, **forward(**COURSE_VALUES)}
    gradients = backward(**COURSE_VALUES)
    draw(values, gradients)
    print("forward: " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    print("backward: " + ", ".join(f"∂loss/∂{k} = {v:g}" for k, v in gradients.items()))


# --8<-- [end:main]

if __name__ == "__main__":
    main()
