"""Crop patches out of a batch of digits with slices, and draw them.

python snippets/tensors/crop_digits.py
"""

# --8<-- [start:crop]
import matplotlib.pyplot as plt

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

(x_train, y_train), _ = load_mnist()
batch = x_train[:4]  # (4, 28, 28)
crops = {
    "batch[:, :, :] (whole)": batch,
    "batch[:, 14:, 14:] (bottom right)": batch[:, 14:, 14:],
    "batch[:, 7:-7, 7:-7] (centre)": batch[:, 7:-7, 7:-7],
}
figure, grid = plt.subplots(len(crops), len(batch), figsize=(6.4, 5.2))
for row, (title, images) in zip(grid, crops.items(), strict=True):
    print(f"{title:36} shape {images.shape}")
    for axes, image in zip(row, images, strict=True):
        axes.imshow(image, cmap="binary", interpolation="nearest")
        axes.set_xticks([])
        axes.set_yticks([])
        axes.grid(False)
    row[0].set_ylabel(title.split(" (")[1].rstrip(")"))
figure.suptitle("Slicing the last two axes crops every image of the batch at once")
save_figure(figure, "tensors/crops.svg")
# --8<-- [end:crop]
