"""Crop patches out of a batch of digits with slices, and draw them in place.

python snippets/tensors/crop_digits.py

Each crop is drawn where it lies in the 28 × 28 frame of the digit; the grey
area around it is what the slice left out.
"""

# --8<-- [start:crop]
import matplotlib.pyplot as plt

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

(x_train, y_train), _ = load_mnist()
batch = x_train[16:20]  # four digits: shape (4, 28, 28)
# name: (the slice, the first row and column it keeps)
crops = {
    "batch[:, :, :]": (batch[:, :, :], 0),
    "batch[:, :14, :14]": (batch[:, :14, :14], 0),
    "batch[:, 4:-4, 4:-4]": (batch[:, 4:-4, 4:-4], 4),
}
figure, grid = plt.subplots(len(crops), len(batch), figsize=(4.8, 4.9))
figure.subplots_adjust(top=0.84, hspace=0.4)  # room for the titles
for row, (name, (images, first)) in zip(grid, crops.items(), strict=True):
    print(f"{name:21} shape {images.shape}")
    height, width = images.shape[1:]
    place = (
        first - 0.5,
        first + width - 0.5,
        first + height - 0.5,
        first - 0.5,
    )
    for axes, image in zip(row, images, strict=True):
        axes.imshow(
            image,
            cmap="binary",
            vmin=0,
            vmax=255,
            extent=place,
            interpolation="nearest",
        )
        axes.set_xlim(-0.5, 27.5)
        axes.set_ylim(27.5, -0.5)
        axes.set_facecolor("#c8c8c8")  # the part of the frame the slice dropped
        axes.set_xticks([])
        axes.set_yticks([])
        axes.grid(False)
    # the slice and its shape over the row, from its left edge
    row[0].set_title(f"{name}, shape {images.shape}", loc="left")
figure.suptitle(
    "Slicing the last two axes crops\nevery image of the batch at once"
)
save_figure(figure, "tensors/crops.svg")
# --8<-- [end:crop]
