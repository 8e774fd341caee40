"""The full MNIST for tests that need it, from the book's cache only.

Only tests/test_mnist_full.py downloads it (once, into the cache); every other
test that needs it skips where it is not cached, so the suite stays offline.
"""

import pytest

from lab.mnist_data import load_mnist
from lab.mnist_full import cache_dir, is_verified


def full_mnist_or_skip():
    """``(x_train, y_train), (x_test, y_test)`` of the cached full MNIST, or skip."""
    if not is_verified(cache_dir()):
        pytest.skip("the full MNIST is not cached here (load_mnist('full') fetches it)")
    return load_mnist("full")
