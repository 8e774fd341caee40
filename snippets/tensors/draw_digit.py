"""Draw one bundled MNIST training digit twice, with two colour maps.

python snippets/tensors/draw_digit.py

The digit is a 28 × 28 matrix of ink intensities (0 = no ink, 255 = full ink).
The numbers carry no colour: the colour map of the plot chooses it.
"""

# --8<-- [start:draw]
import matplotlib.pyplot as plt

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

(x_train, y_train), (x_test, y_test) = load_mnist()
index = 19
digit = x_train[index]  # a rank-2 tensor: 28 rows of 28 ink intensities
label = y_train[index]
print(
    f"x_train[{index}]: shape {digit.shape}, dtype {digit.dtype}, label {label}"
)
print(f"ink intensities from {digit.min()} to {digit.max()}")
print("row 7:", digit[7].tolist())

# layout="constrained" keeps labels and colour bars from overlapping
figure, panels = plt.subplots(1, 2, figsize=(5.2, 2.9), layout="constrained")
for axes, colour_map in zip(panels, ["binary", "viridis"], strict=True):
    # vmin/vmax pin the scale: 0 gets the map's first colour, 255 its last
    image = axes.imshow(
        digit, cmap=colour_map, vmin=0, vmax=255, interpolation="nearest"
    )
    figure.colorbar(image, ax=axes, shrink=0.8)
    axes.set_title(f'cmap="{colour_map}"')
    axes.set_xlabel("column (axis 1)")
    axes.set_ylabel("row (axis 0)")
    axes.grid(False)
figure.suptitle(
    f"x_train[{index}] (label {label}): one matrix, two colour maps"
)
save_figure(figure, "tensors/digit.svg")
# --8<-- [end:draw]
