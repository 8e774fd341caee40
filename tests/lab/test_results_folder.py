"""The results folder never loses a run: locks, interruptions, full and read-only disks.

Everything here runs the real command line (``lab/rmsprop_sweep.py``'s main)
in this process with a stand-in trainer (no TensorFlow) and a stand-in report,
so that every moment of a sweep can be interrupted in turn; test_processes.py
does the same with real processes and the real trainer where it matters.
"""

import errno
import json
import os
import shutil

import numpy as np
import pytest

from lab import rmsprop_sweep, store
from lab import sweep as lab_sweep
from lab.config import SweepError
from lab.mnist_data import BUNDLED_PATH
from lab.store import (
    METADATA_FILE,
    RUNS_FILE,
    SELECTED_FILE,
    SHARDS_DIR,
    check_results_dir,
    header_line,
    outcomes,
    read_rows,
)
from tests.lab.sweep_helpers import TINY, TINY_EXPERIMENT, fake_trainer

REPORT = "report.md"


def fake_report(results) -> None:
    store.write_atomically(results / REPORT, "the tables and figures\n")


@pytest.fixture
def fake(monkeypatch):
    """The command line with the stand-in trainer and report."""
    monkeypatch.setattr(lab_sweep, "lab_trainer", fake_trainer)
    monkeypatch.setattr(rmsprop_sweep, "reporter", lambda figures, quiet: fake_report)


def run(results, *extra: str) -> int:
    return rmsprop_sweep.main([*TINY, "--results", str(results), "--quiet", *extra])


def merge(results) -> int:
    return rmsprop_sweep.main(["merge", "--results", str(results), "--quiet"])


def state(results) -> dict:
    """What a finished sweep holds, wall times and sessions aside."""
    metadata = json.loads((results / METADATA_FILE).read_text())
    return {
        "rows": [(r.run, *outcomes([r])[0]) for r in read_rows(results / RUNS_FILE)],
        "selected": json.loads((results / SELECTED_FILE).read_text()),
        "report": (results / REPORT).read_text(),
        "finished": (metadata["runs_completed"], "total_seconds" in metadata),
        "leftovers": sorted(p.name for p in results.rglob("*.tmp")),
    }


@pytest.fixture
def reference(fake, tmp_path_factory) -> dict:
    results = tmp_path_factory.mktemp("uninterrupted")
    assert run(results) == 0
    finished = state(results)
    assert finished["finished"] == (4, True) and finished["leftovers"] == []
    return finished


def one_line(capsys, *words: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("rmsprop_sweep.py: error: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


# --- two processes, one folder ------------------------------------------------


def test_a_second_sweep_on_a_folder_in_use_is_refused(fake, tmp_path, capsys):
    """The second of two sweeps on one folder stops before it trains or writes anything,
    with one line naming the process that holds it (here this one)."""
    with store.locked(tmp_path):
        assert run(tmp_path) == 2
    one_line(capsys, str(tmp_path), "in use by process", str(os.getpid()))
    assert list(tmp_path.iterdir()) == []


def test_shards_share_a_folder_that_a_sweep_merge_or_report_may_not(
    fake, reference, tmp_path, capsys
):
    with store.locked(tmp_path, shared=True):  # as a shard at work holds it
        assert run(tmp_path, "--shard", "1/2") == 0
        assert run(tmp_path) == 2
        one_line(capsys, "in use by process")
        assert merge(tmp_path) == 2
        one_line(capsys, "in use by process")
        assert rmsprop_sweep.main(["report", "--results", str(tmp_path)]) == 2
        one_line(capsys, "in use by process")
    # the same shard twice at once: the second stops
    (held := tmp_path / SHARDS_DIR / "shard-2-of-2.lock").touch()
    with store.locked(held):
        assert run(tmp_path, "--shard", "2/2") == 2
        one_line(capsys, "shard-2-of-2.lock is in use by process")
    assert not (tmp_path / SHARDS_DIR / "shard-2-of-2.csv").exists()
    assert run(tmp_path, "--shard", "2/2") == 0
    assert merge(tmp_path) == 0
    assert state(tmp_path) == reference


def neighbour_sees(results) -> str | None:
    """What a shard starting now would say of the folder: None if it may go on."""
    try:
        check_results_dir(results, TINY_EXPERIMENT)
    except SweepError as error:
        return str(error)
    return None


@pytest.mark.parametrize("shard", [None, "1/3"], ids=["sweep", "shard"])
def test_the_json_file_is_written_before_the_csv_file(
    fake, tmp_path, monkeypatch, shard
):
    """A neighbour looking at any moment of a start never finds a CSV file without
    its JSON file (the documented shard recipe failed one time in three)."""
    written, seen = [], []
    real = store.write_atomically

    def watched(path, text):
        seen.append(neighbour_sees(tmp_path))
        real(path, text)
        written.append(path.name)
        seen.append(neighbour_sees(tmp_path))

    monkeypatch.setattr(store, "write_atomically", watched)
    extra = ["--shard", shard] if shard else []
    assert run(tmp_path, *extra, "--max-runs", "0") == 0
    stem = "shard-1-of-3" if shard else None
    expected = [f"{stem}.json", f"{stem}.csv"] if shard else [METADATA_FILE, RUNS_FILE]
    assert written[:2] == expected
    assert seen == [None] * len(seen)


def test_a_folder_left_by_the_old_ctrl_c_bug_goes_on(fake, reference, tmp_path):
    """A Ctrl-C in the first second used to leave runs.csv's header and no
    sweep.json, and every rerun refused the folder."""
    (tmp_path / RUNS_FILE).write_text(header_line())
    assert run(tmp_path) == 0
    assert state(tmp_path) == reference


# --- interrupted at every moment ---------------------------------------------------


class Killed(BaseException):
    """The process ends here, as with SIGKILL: nothing after it is written."""


class Interruption:
    """Counts the sweep's writes to its folder and interrupts the ``at``-th.

    ``how``: "sigint" raises KeyboardInterrupt (Ctrl-C) before the write, and the
    program's own clean-up runs; "kill" and "kill-midway" end the process before
    the write or halfway through it (a temporary file, or half a line appended),
    and nothing is written after that, as when the kernel ends a process.
    """

    def __init__(self, monkeypatch, at: int | None = None, how: str = "kill"):
        self.at, self.how, self.count, self.dead = at, how, 0, False
        real_write, real_append = store.write_atomically, store.append_whole

        def write(path, text):
            self.step(
                lambda: real_write(path, text),
                # left by a process that is gone: another process id than ours
                lambda: path.with_name(f".{path.name}.99999999.tmp").write_text(text),
            )

        def append(path, text):
            def half():
                with open(path, "a") as file:
                    file.write(text[: len(text) // 2])

            self.step(lambda: real_append(path, text), half)

        for module in (store, lab_sweep):
            monkeypatch.setattr(module, "write_atomically", write)
        monkeypatch.setattr(store, "append_whole", append)

    def step(self, write, half_of_it) -> None:
        if self.dead:
            return
        self.count += 1
        if self.count != self.at:
            return write()
        if self.how == "sigint":
            raise KeyboardInterrupt
        if self.how == "kill-midway":
            half_of_it()
        self.dead = True
        raise Killed


def writes_of_a_whole_sweep(monkeypatch, results, *extra) -> int:
    with monkeypatch.context() as patch:
        counter = Interruption(patch)
        assert run(results, *extra) == 0
    return counter.count


@pytest.mark.parametrize("how", ["sigint", "kill", "kill-midway"])
def test_interrupted_at_any_write_the_same_command_goes_on(
    fake, reference, tmp_path, monkeypatch, capsys, how
):
    writes = writes_of_a_whole_sweep(monkeypatch, tmp_path / "count")
    assert writes >= 10  # json, csv, 4 runs, json, then finishing and the report
    for at in range(1, writes + 1):
        results = tmp_path / f"{how}-{at}"
        with monkeypatch.context() as patch:
            Interruption(patch, at, how)
            if how == "sigint":
                assert run(results) == 130
                assert "interrupted" in capsys.readouterr().err
            else:
                with pytest.raises(Killed):
                    run(results)
        assert run(results) == 0, capsys.readouterr().err
        assert state(results) == reference, (how, at)


def test_shards_interrupted_at_any_write_merge_to_the_same_sweep(
    fake, reference, tmp_path, monkeypatch
):
    writes = writes_of_a_whole_sweep(monkeypatch, tmp_path / "count", "--shard", "1/2")
    for at in range(1, writes + 1):
        results = tmp_path / f"kill-{at}"
        with monkeypatch.context() as patch:
            Interruption(patch, at, "kill-midway")
            with pytest.raises(Killed):
                run(results, "--shard", "1/2")
        assert run(results, "--shard", "2/2") == 0
        # killed before its last run was saved, shard 1 is not finished
        assert merge(results) == (2 if at < writes else 0), at
        assert run(results, "--shard", "1/2") == 0
        assert merge(results) == 0
        assert state(results) == reference, at


def test_a_merge_interrupted_at_any_write_goes_on(
    fake, reference, tmp_path, monkeypatch
):
    shards = tmp_path / "shards-done"
    for shard in ("1/2", "2/2"):
        assert run(shards, "--shard", shard) == 0
    with monkeypatch.context() as patch:
        counter = Interruption(patch)
        assert merge(shutil.copytree(shards, tmp_path / "count")) == 0
        writes = counter.count
    assert writes >= 5  # sweep.json, runs.csv, then finishing and the report
    for at in range(1, writes + 1):
        results = shutil.copytree(shards, tmp_path / f"kill-{at}")
        with monkeypatch.context() as patch:
            Interruption(patch, at, "kill-midway")
            with pytest.raises(Killed):
                merge(results)
        assert merge(results) == 0
        assert state(results) == reference, at


# --- full and read-only disks, files in the way ------------------------------------


def test_a_full_disk_stops_with_one_line_and_no_half_row(
    fake, reference, tmp_path, monkeypatch, capsys
):
    assert run(tmp_path, "--max-runs", "1") == 0
    before = (tmp_path / RUNS_FILE).read_bytes()
    real_write = os.write

    def disk_fills_up(descriptor, data):
        real_write(descriptor, data[:10])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(store.os, "write", disk_fills_up)
        assert run(tmp_path) == 2
    one_line(capsys, str(tmp_path / RUNS_FILE), "No space left on device")
    assert (tmp_path / RUNS_FILE).read_bytes() == before
    assert run(tmp_path) == 0
    assert state(tmp_path) == reference


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_folder_stops_with_one_line(
    fake, tmp_path, monkeypatch, capsys, code
):
    """Simulated, since this runs as root, whom a folder's permissions do not stop."""
    assert run(tmp_path) == 0
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    real_open = open

    def refused(path, mode="r", *args, **kwargs):
        if str(path).startswith(str(tmp_path)) and set(mode) & set("wax+"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, mode, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr("builtins.open", refused)
        assert run(tmp_path) == 2  # finishing again rewrites its files
        one_line(capsys, os.strerror(code))
        assert rmsprop_sweep.main(["report", "--results", str(tmp_path)]) == 2
        one_line(capsys, os.strerror(code))
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("command", ["run", "report", "merge"])
@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_a_results_path_that_is_a_file_or_under_one(
    fake, tmp_path, capsys, command, where
):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file\n")
    results = blocker if where == "a file" else blocker / "results"
    argv = [*TINY] if command == "run" else []
    code = rmsprop_sweep.main([command, *argv, "--results", str(results), "--quiet"])
    assert code == 2
    one_line(capsys, str(blocker))
    assert blocker.read_text() == "a file\n"


def test_report_figures_under_a_file(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.undo()  # the real report
    results = tmp_path / "results"
    for name in (RUNS_FILE, METADATA_FILE, SELECTED_FILE):
        (results).mkdir(exist_ok=True)
        (results / name).write_bytes((rmsprop_sweep.RESULTS_DIR / name).read_bytes())
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file\n")
    argv = ["report", "--results", str(results), "--figures", str(blocker / "figs")]
    assert rmsprop_sweep.main(argv) == 2
    one_line(capsys, str(blocker))


# --- odd files in the folder ---------------------------------------------------------


def test_a_sweep_resumed_on_other_data_of_the_same_sizes_is_refused(
    fake, tmp_path, capsys
):
    """Its runs would mix two datasets: sweep.json records the data's SHA-256."""
    data = tmp_path / "mnist.npz"
    with np.load(BUNDLED_PATH) as bundled:
        arrays = dict(bundled)
    np.savez(data, **arrays)
    results = tmp_path / "results"
    assert run(results, "--data", str(data), "--max-runs", "1") == 0
    before = {p.name: p.read_bytes() for p in results.iterdir()}
    arrays["x_train"][0, 0, 0] += 1  # one pixel of one digit
    np.savez(data, **arrays)
    assert run(results, "--data", str(data)) == 2
    one_line(capsys, "was made with other data (data_sha256")
    assert {p.name: p.read_bytes() for p in results.iterdir()} == before


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (RUNS_FILE, b"\x00\xff\xfebinary\n", ["not a results file"]),
        (RUNS_FILE, header_line().encode() + b"1,2,3\n", ["line 2", "not a row"]),
        (METADATA_FILE, b"[1, 2]\n", ["not the metadata of a sweep"]),
        (METADATA_FILE, b'{"experiment": ', ["not readable JSON"]),
    ],
    ids=["binary-csv", "short-row", "json-list", "truncated-json"],
)
def test_odd_files_in_the_folder_give_one_line(
    fake, tmp_path, capsys, name, content, words
):
    (tmp_path / name).write_bytes(content)
    assert run(tmp_path) == 2
    one_line(capsys, *words)
    assert (tmp_path / name).read_bytes() == content
