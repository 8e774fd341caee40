"""Code that only the book's notebooks hold (hooks/book_notebooks.py copies it in).

A notebook downloaded from the site has no copy of the repository: the files
the book's code reads come from the site, and ``save_figure``, which writes a
figure into the repository's folders, shows it below the cell instead. The
notebook builder fills in ``BOOK_SITE`` and ``BOOK_FILES`` for each notebook;
everything else here is copied as it is.
"""

import hashlib
import urllib.request
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import display

BOOK_SITE = None  # the book's address, filled in when the site is built
BOOK_FILES = {}  # repository path → SHA-256, filled in when the site is built
BOOK_FOLDER = Path("tensors-to-gradients")  # where this notebook keeps them


def fetch_book_files(site=BOOK_SITE, files=BOOK_FILES, folder=BOOK_FOLDER):
    """Download each file (once) into ``folder`` and check its SHA-256."""
    for name, expected in files.items():
        path = folder / name
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == expected:
            continue  # downloaded before
        if site is None:
            raise FileNotFoundError(
                f"{path} is missing, and this copy of the notebook does not know the "
                "book's address: download the file from the site the notebook came "
                f"from (files/{name}) into {path.parent}/"
            )
        with urllib.request.urlopen(f"{site}files/{name}", timeout=60) as response:
            data = response.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise ValueError(
                f"{site}files/{name} has SHA-256 {digest[:12]}…, not {expected[:12]}…: "
                "download this notebook again from the book's site"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def save_figure(figure, name):
    """Show ``figure`` below the cell (the book's own version saves it as ``name``)."""
    display(figure)
    plt.close(figure)
