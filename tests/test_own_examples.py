"""None of the worked examples of Chollet's *Deep Learning with Python* is reused.

The book cites facts and the course's own shapes; its examples are its own.
Each string below (built from pieces, so that `git grep` finds it nowhere, this
file included) is one of Chollet's example choices or names (1st ed. 2017 and
2nd ed. 2021, chapter 2); no file of the repository may contain it.
"""

import subprocess

from tests.helpers.book import REPOSITORY

BORROWED = {
    "his element-wise loop names": ["naive_" + "relu", "naive_" + "add"],
    "his dot-product loop names": ["naive_vector" + "_dot", "naive_matrix" + "_dot"],
    "his batch generator": ["Batch" + "Generator"],
    "his slices": ["[10" + ":100", ":, 14" + ":, 14:", "7:" + "-7"],
    "his digit": ["x_train" + "[4]", "train_images" + "[4]"],
    "his video tensor": ["120, " + "144, 256"],
    "his stock series": ["250 " + "trading days", "390 " + "minutes"],
}


def tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True
    )
    if listed.returncode != 0:  # not a git checkout: every file on disk
        return [
            str(p.relative_to(REPOSITORY))
            for p in REPOSITORY.rglob("*")
            if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts
        ]
    return listed.stdout.splitlines()


def test_no_file_holds_an_example_of_chollets_book():
    found = []
    for name in tracked_text_files():
        path = REPOSITORY / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary data
        for what, strings in BORROWED.items():
            found += [f"{name}: {what} ({s!r})" for s in strings if s in text]
    assert not found, "\n".join(found)


def test_the_check_finds_a_planted_example(tmp_path):
    planted = "def " + "naive_" + "relu(x):\n"
    assert any(s in planted for strings in BORROWED.values() for s in strings)
