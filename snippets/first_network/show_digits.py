"""Draw the first training digits with their labels, and the test digit to predict.

    python snippets/first_network/show_digits.py

Draws first-network/digits.svg (where it is saved: snippets/figures.py).
"""

import matplotlib.pyplot as plt

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

SHOWN = 8  # training digits, then the test digit, row by row
# The pixels are ink intensities 0..255; "binary" draws 0 white and 255 black.
# vmin/vmax fix that scale for every image (by default each image is stretched
# from its own smallest to its own largest value).
INK = {"cmap": "binary", "vmin": 0, "vmax": 255, "interpolation": "nearest"}


def main() -> None:
    (x_train, y_train), (x_test, y_test) = load_mnist()
    # three rows of three, so that the labels can be read on a phone
    figure, grid = plt.subplots(3, 3, figsize=(4.2, 4.9))
    axes = grid.flatten()
    for i, axis in enumerate(axes[:SHOWN]):
        axis.imshow(x_train[i], **INK)
        axis.set_title(f"train {i}: {y_train[i]}")
    axes[-1].imshow(x_test[0], **INK)
    axes[-1].set_title(f"test 0: {y_test[0]}", color="tab:red")
    for axis in axes:
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)
    save_figure(figure, "first-network/digits.svg")
    print("training labels shown:", y_train[:SHOWN].tolist())
    print("test digit to predict: x_test[0], label", y_test[0])


if __name__ == "__main__":
    main()
