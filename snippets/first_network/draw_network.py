"""Draw the first network as a pipeline of tensors and layers, with every shape.

    python snippets/first_network/draw_network.py

Draws first-network/network.svg. The shapes are those of one
training batch of 128 images; the weight counts are computed, not typed.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from snippets.figures import save_figure

BATCH = 128
SIZES = {"input": 28 * 28, "hidden": 512, "output": 10}


def weight_count(inputs: int, units: int) -> int:
    """A dense layer holds an (inputs, units) kernel W and a (units,) bias b."""
    return inputs * units + units


def stages():
    """(text, colour) of each box, top to bottom: tensors, and the layers between."""
    hidden = weight_count(SIZES["input"], SIZES["hidden"])
    output = weight_count(SIZES["hidden"], SIZES["output"])
    return [
        (f"images\n({BATCH}, 28, 28) uint8", "0.92"),
        (f"reshape, ÷ 255\n({BATCH}, {SIZES['input']}) float32", "0.92"),
        (
            f"Dense(512, relu)\nW (784, 512), b (512,)\n{hidden:,} weights",
            "#cfe0f5",
        ),
        (f"({BATCH}, {SIZES['hidden']})", "0.92"),
        (
            f"Dense(10, softmax)\nW (512, 10), b (10,)\n{output:,} weights",
            "#cfe0f5",
        ),
        (f"({BATCH}, {SIZES['output']})\n10 probabilities\nper image", "0.92"),
    ]


def main() -> None:
    boxes = stages()
    # top to bottom, so that it reads on a phone: one box per step
    height, gap = 1.0, 0.3
    figure, axis = plt.subplots(figsize=(3.6, 1.2 * len(boxes)))
    for i, (text, colour) in enumerate(boxes):
        top = -i * (height + gap)
        axis.add_patch(
            FancyBboxPatch(
                (0, top - height),
                1,
                height,
                boxstyle="round,pad=0.03",
                facecolor=colour,
                edgecolor="0.3",
            )
        )
        axis.text(0.5, top - height / 2, text, ha="center", va="center")
        if i:
            axis.annotate(
                "",
                (0.5, top + 0.03),
                (0.5, top + gap - 0.03),
                arrowprops={"arrowstyle": "->", "color": "0.3"},
            )
    axis.set_xlim(-0.05, 1.05)
    axis.set_ylim(-len(boxes) * (height + gap) + gap - 0.05, 0.05)
    axis.axis("off")
    save_figure(figure, "first-network/network.svg")
    total = weight_count(784, 512) + weight_count(512, 10)
    print(
        f"weights: {weight_count(784, 512):,} + {weight_count(512, 10):,} = {total:,}"
    )


if __name__ == "__main__":
    main()
