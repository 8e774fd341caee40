"""Claims of docs/tensors.md about its snippets.

snippets/tensors/draw_digit.py and snippets/tensors/crop_digits.py are run, and
their output and figures compared, by tests/test_snippets.py; this file checks
what the page says about them.
"""

import re
from pathlib import Path

import numpy as np

from lab.mnist_data import load_mnist

PAGE = Path(__file__).resolve().parents[2] / "docs" / "tensors.md"


def test_the_drawn_digit_is_the_one_the_alt_text_names():
    (x_train, y_train), _ = load_mnist()
    alt = re.search(r"!\[([^\]]*)\]\(figures/tensors/digit\.svg\)", PAGE.read_text())
    assert alt and f"a handwritten {y_train[4]}" in alt[1]
    assert "fifth training digit" in alt[1]  # index 4
    assert x_train[4].shape == (28, 28)


def test_negative_indices_crop_the_same_centre_as_positive_ones():
    (x_train, _), _ = load_mnist()
    assert np.array_equal(x_train[:, 7:-7, 7:-7], x_train[:, 7:21, 7:21])
    assert x_train[:4, 14:, 14:].shape == (4, 14, 14)


def test_the_digit_has_ink_in_the_centre_crop_shown_on_the_page():
    (x_train, _), _ = load_mnist()
    centre = x_train[:4, 7:-7, 7:-7]
    assert (centre.reshape(4, -1).max(axis=1) > 0).all()
