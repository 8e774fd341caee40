"""Fold the plane with a relu layer and an affine layer, so that two classes no
straight line can split come apart.

    python snippets/operations/folding.py   # prints the check, writes folding.svg

Points of the square [-2, 2]² belong to class "band" when |x1 + x2| < 1 and to
class "outside" otherwise. In the input plane no straight line separates them.
A relu layer followed by an affine layer folds the plane along the diagonal
x1 + x2 = 0, and after the fold the cut h1 < 1 sorts them exactly: band points
have h1 < 1, outside points h1 >= 1 (none of the 400 drawn points has h1 = 1).
"""

import matplotlib.pyplot as plt

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]
from snippets.figures import save_figure

# --8<-- [start:fold]
# Layer 1 (relu): four units read s = x1 + x2 and t = x1 - x2, each sign apart.
W1 = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
b1 = np.zeros(4)
# Layer 2 (affine, no activation): relu(s) + relu(-s) = |s|,
# relu(t) - relu(-t) = t.
W2 = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])
b2 = np.zeros(2)


def fold(points):
    """The two-layer network, applied to each row of `points` (shape (n, 2))."""
    hidden = np.maximum(points @ W1.T + b1, 0.0)  # shape (n, 4)
    return hidden @ W2.T + b2  # shape (n, 2): (|x1 + x2|, x1 - x2)


def make_points(count: int = 400, seed: int = 0):
    """Random points of [-2, 2]² and their class: True inside the band."""
    points = np.random.default_rng(seed).uniform(-2.0, 2.0, size=(count, 2))
    in_band = np.abs(points.sum(axis=1)) < 1.0
    return points, in_band


# --8<-- [end:fold]


def draw(points, in_band, folded):
    # one panel above the other, so that they can be read on a phone
    figure, (before, after) = plt.subplots(2, 1, figsize=(4.6, 8.8))
    for ax, data in ((before, points), (after, folded)):
        ax.scatter(*data[in_band].T, s=10, color="tab:blue", label="band")
        ax.scatter(*data[~in_band].T, s=10, color="tab:orange", label="outside")
    before.set_aspect("equal")
    edge = np.array([-2.0, 2.0])
    before.plot(edge, -edge, "k--", lw=1, label="fold line x₁ + x₂ = 0")
    before.set_title("input plane: no straight line\nseparates the classes")
    before.set_xlabel("x₁")
    before.set_ylabel("x₂")
    after.axvline(1.0, color="black", lw=1.5, label="h₁ = 1 separates them")
    after.set_title("after relu layer + affine layer: folded")
    after.set_xlabel("h₁ = |x₁ + x₂|")
    after.set_ylabel("h₂ = x₁ − x₂")
    after.set_xlim(-0.3, 4.3)
    for ax in (before, after):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    figure.tight_layout()
    return figure


def main() -> None:
    points, in_band = make_points()
    folded = fold(points)
    predicted_band = folded[:, 0] < 1.0
    print(f"points: {len(points)} ({in_band.sum()} in the band)")
    correct = (predicted_band == in_band).sum()
    print(f"classified correctly by h1 < 1 after the fold: {correct}")
    save_figure(draw(points, in_band, folded), "operations/folding.svg")


if __name__ == "__main__":
    main()
