"""Draw one bundled MNIST training digit as a 28 × 28 greyscale image.

python snippets/tensors/draw_digit.py
"""

# --8<-- [start:draw]
import matplotlib.pyplot as plt

from lab.mnist_data import load_mnist
from snippets.figures import save_figure

(x_train, y_train), (x_test, y_test) = load_mnist()
digit = x_train[4]  # a rank-2 tensor: 28 rows of 28 pixels
print(f"shape {digit.shape}, dtype {digit.dtype}, label {y_train[4]}")
print(f"pixel values from {digit.min()} to {digit.max()}")

figure, axes = plt.subplots(figsize=(3, 3))
axes.imshow(digit, cmap="binary", interpolation="nearest")  # 0 white, 255 black
axes.set_title(f"x_train[4], label {y_train[4]}")
axes.grid(False)
save_figure(figure, "tensors/digit.svg")
# --8<-- [end:draw]
