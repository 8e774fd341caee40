"""Draw one 2-D shape under six maps: the geometry of a dense layer.

    python snippets/operations/geometric_maps.py   # writes geometric_maps.svg

Every map here is x -> activation(W x + b) for a 2×2 matrix W and a vector b;
the panels differ only in W, b and whether relu is applied. The shape is a
letter F (it has no symmetry, so a rotation cannot pass for a reflection) on
a square grid of lines, which shows what the map does to the space around it.
"""

import itertools

import matplotlib.pyplot as plt

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]
from snippets.figures import save_figure

F_CORNERS = np.array(
    [
        (-0.4, -0.8), (-0.4, 0.8), (0.5, 0.8), (0.5, 0.5), (-0.1, 0.5), (-0.1, 0.15),
        (0.35, 0.15), (0.35, -0.15), (-0.1, -0.15), (-0.1, -0.8), (-0.4, -0.8),
    ]
)  # fmt: skip


def densify(corners: np.ndarray, points_per_edge: int = 30) -> np.ndarray:
    """Many points along each edge, so that curved images of edges look curved."""
    steps = np.linspace(0.0, 1.0, points_per_edge, endpoint=False)[:, None]
    edges = [a + steps * (b - a) for a, b in itertools.pairwise(corners)]
    return np.vstack([*edges, corners[-1:]])


def grid_lines(limit: float = 1.0, count: int = 9) -> list[np.ndarray]:
    """Horizontal then vertical lines of the square [-limit, limit]², as point lists."""
    along = np.linspace(-limit, limit, 80)
    lines = []
    for level in np.linspace(-limit, limit, count):
        lines.append(np.column_stack([along, np.full_like(along, level)]))
    for level in np.linspace(-limit, limit, count):
        lines.append(np.column_stack([np.full_like(along, level), along]))
    return lines


def without_redundant_points(points: np.ndarray) -> np.ndarray:
    """The polyline ``points`` less each point that draws nothing: one on top of
    the point before it, or inside a straight run (relu piles many there)."""
    kept = [points[0]]
    for here, after in itertools.pairwise(points[1:]):
        before = kept[-1]
        into, out = here - before, after - here
        size = np.linalg.norm(into) * np.linalg.norm(out)
        if np.linalg.norm(into) == 0 or (
            abs(into[0] * out[1] - into[1] * out[0]) <= 1e-9 * size
            and np.dot(into, out) > 0
        ):
            continue  # not a corner: the line looks the same without it
        kept.append(here)
    if len(points) > 1 and not np.array_equal(points[-1], kept[-1]):
        kept.append(points[-1])
    return np.array(kept)


def joined(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Lines as one x and one y array with NaN between them: one plotted path."""
    gap = np.full((1, 2), np.nan)
    points = np.vstack([part for line in lines for part in (line, gap)][:-1])
    return points[:, 0], points[:, 1]


# --8<-- [start:maps]
def rotation(degrees: float) -> np.ndarray:
    angle = np.radians(degrees)
    return np.array(
        [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    )


IDENTITY = np.eye(2)
W = np.array(
    [[1.2, 0.7], [-0.4, 0.9]]
)  # a general linear map: shear, stretch, turn
b = np.array([0.4, 0.5])

MAPS = [  # (title, W, b, apply relu?) — each is x -> act(W x + b)
    ("translation: $x + b$", IDENTITY, np.array([1.0, 0.6]), False),
    ("rotation by 40°: $Rx$", rotation(40), np.zeros(2), False),
    ("scaling: $Sx$", np.diag([1.6, 0.5]), np.zeros(2), False),
    ("linear: $Wx$", W, np.zeros(2), False),
    ("affine: $Wx + b$", W, b, False),
    ("relu of affine: $\\max(Wx + b,\\, 0)$", W, b, True),
]


def transform(points: np.ndarray, W: np.ndarray, b: np.ndarray, relu: bool):
    """Apply x -> W x + b (then relu) to each row of `points`, shape (n, 2)."""
    # row-vector form of W x + b for all points at once
    images = points @ W.T + b
    return np.maximum(images, 0.0) if relu else images


# --8<-- [end:maps]


def draw() -> plt.Figure:
    lines = grid_lines()
    figure, axes = plt.subplots(3, 2, figsize=(5.2, 8.4))  # reads on a phone
    for ax, (title, matrix, shift, relu) in zip(axes.flat, MAPS, strict=True):
        ax.plot(
            *joined([line[[0, -1]] for line in lines]), color="0.85", lw=0.8
        )
        ax.fill(F_CORNERS[:, 0], F_CORNERS[:, 1], color="0.75", alpha=0.6, lw=0)
        # An affine map keeps straight lines straight (or squashes them to a point),
        # so two points per segment draw it exactly; relu bends them: it needs many.
        shape = densify(F_CORNERS) if relu else F_CORNERS
        images = [
            without_redundant_points(
                transform(line if relu else line[[0, -1]], matrix, shift, relu)
            )
            for line in lines
        ]
        half = len(lines) // 2
        colours = ["tab:blue"] * half + ["tab:orange"] * (len(lines) - half)
        if relu:  # relu lays lines on top of each other: one path each
            for colour, image in zip(colours, images, strict=True):
                ax.plot(*image.T, color=colour, lw=0.9, alpha=0.8)
        else:  # images of parallel lines never overlap: one path per colour
            for colour, part in (
                ("tab:blue", images[:half]),
                ("tab:orange", images[half:]),
            ):
                ax.plot(*joined(part), color=colour, lw=0.9, alpha=0.8)
        image = without_redundant_points(transform(shape, matrix, shift, relu))
        ax.plot(image[:, 0], image[:, 1], color="black", lw=2)
        origin = transform(np.zeros((1, 2)), matrix, shift, relu)[0]
        ax.plot(*origin, "o", color="tab:red", ms=5)
        ax.set_title(title.replace(": ", ":\n"), fontsize="medium")
        ax.set_xlim(-2.3, 2.3)
        ax.set_ylim(-2.3, 2.3)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.4", lw=0.6)
        ax.axvline(0, color="0.4", lw=0.6)
    figure.suptitle(
        "Grey: the letter F on a square grid. Colour: their images\n"
        "(blue from horizontal lines, orange from vertical;\n"
        "red dot: image of the origin)",
        fontsize="medium",
    )
    figure.tight_layout()
    return figure


def main() -> None:
    save_figure(draw(), "operations/geometric_maps.svg")


if __name__ == "__main__":
    main()
