"""The results folder: its files, written so that no interruption loses a run.

A sweep writes, in ``--results`` (by default ``lab/my-results/``; the book's
own are in ``lab/results/``):

- ``sweep.json``: the experiment, the data's sizes and digest, one entry per session
  (the machine, the library versions, the runs done and the time taken);
- ``runs.csv``: one row per run per epoch, a run's rows appended in one write
  as soon as the run finishes;
- a shard K of N writes the same two files as ``shards/shard-K-of-N.json`` and
  ``shards/shard-K-of-N.csv`` instead.

Every file but ``runs.csv`` is replaced whole (written beside it, then renamed
over it), and the JSON file is written before its CSV file exists, so a
process stopped at any moment, even by SIGKILL, leaves files that the same
command reads and goes on from: at worst a run's rows are missing, and that
run is trained again.

One folder, one sweep at a time: a process holds a lock on the folder
(``fcntl.flock``; the kernel lets it go when the process ends, however it
ends), exclusive for a sweep, a merge or a report, shared by the shards of one
sweep, each of which also holds its own shard's lock. A process that cannot
have the lock stops with a one-line error that names the process holding it.
"""

import contextlib
import csv
import fcntl
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from lab.config import EpochResult, Experiment, Run, SweepError, shard_runs

RUNS_FILE = "runs.csv"
METADATA_FILE = "sweep.json"
SELECTED_FILE = "selected.json"
SHARDS_DIR = "shards"
COLUMNS = (
    "learning_rate",
    "momentum",
    "seed",
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "seconds",
    "diverged",
)
METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
SETUP_WAIT_SECONDS = 60  # how long a shard waits while a neighbour sets up


# --- rows of runs.csv ---------------------------------------------------------


@dataclass(frozen=True)
class Row(EpochResult):
    """One line of a results file: an epoch of the run ``run``."""

    run: Run

    def line(self) -> str:
        return format_rows(self.run, [self])


def format_rows(run: Run, results) -> str:
    """CSV lines; floats in their shortest exact form, so that they read back equal."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for result in results:
        writer.writerow(
            [
                repr(run.learning_rate),
                repr(run.momentum),
                run.seed,
                result.epoch,
                *(repr(float(getattr(result, name))) for name in METRICS),
                f"{result.seconds:.4f}",
                1 if result.diverged else 0,
            ]
        )
    return text.getvalue()


def header_line() -> str:
    return ",".join(COLUMNS) + "\n"


def outcomes(results) -> list[tuple]:
    """What each epoch of a run computed (rows or training results), wall time aside.

    Floats are compared through their exact text, so that NaN equals NaN.
    """
    return [
        (r.epoch, *(repr(float(getattr(r, name))) for name in METRICS), r.diverged)
        for r in results
    ]


def read_rows(path: Path) -> list[Row]:
    """The rows of a results CSV; a torn last line (a crash mid-write) is ignored."""
    text = path.read_text(errors="replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is not None and tuple(header) != COLUMNS:
            raise SweepError(f"{path} is not a results file of this lab")
        rows = []
        for line_number, fields in enumerate(reader, start=2):
            try:
                learning_rate, momentum, seed, epoch, *metrics, seconds, diverged = (
                    fields
                )
                rows.append(
                    Row(
                        int(epoch),
                        *(float(value) for value in metrics),
                        seconds=float(seconds),
                        diverged=diverged == "1",
                        run=Run(float(learning_rate), float(momentum), int(seed)),
                    )
                )
            except (ValueError, TypeError):
                raise SweepError(
                    f"{path}, line {line_number}: not a row of this lab"
                ) from None
    except csv.Error as error:
        raise SweepError(
            f"{path} is not a results file of this lab ({error})"
        ) from None
    return rows


def complete_runs(rows: list[Row], epochs: int) -> dict[Run, list[Row]]:
    """Group rows by run, keeping the runs whose record is whole."""
    by_run: dict[Run, list[Row]] = {}
    for row in rows:
        by_run.setdefault(row.run, []).append(row)
    complete = {}
    for run, run_rows in by_run.items():
        numbers = [row.epoch for row in run_rows]
        whole = numbers == list(range(1, len(numbers) + 1)) and (
            len(numbers) == epochs or (run_rows[-1].diverged and len(numbers) < epochs)
        )
        if whole:
            complete[run] = run_rows
    return complete


def canonical_text(runs: list[Run], records: dict[Run, list[Row]]) -> str:
    return header_line() + "".join(
        row.line() for run in runs if run in records for row in records[run]
    )


# --- writing files that survive interruptions ---------------------------------


def make_folder(path: Path) -> None:
    """Create the folder ``path``, or say in one line why it cannot be one."""
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                raise SweepError(f"{folder} is a file, not a folder")
            break
    path.mkdir(parents=True, exist_ok=True)


def temporary_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` at once: a crash leaves the old or the new file
    (and a temporary file beside it, which the next write of ``path`` removes;
    only one process at a time writes a file, the one holding its lock)."""
    remove_temporaries(path)
    temporary = temporary_path(path)
    try:
        with open(temporary, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            error.filename = str(path)  # the file the user knows, not the temporary
        raise


def append_whole(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` in one write, or leave the file as it was."""
    data = text.encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        size = os.fstat(descriptor).st_size
        try:
            while data:
                data = data[os.write(descriptor, data) :]
            os.fsync(descriptor)
        except BaseException as error:  # a full disk, Ctrl-C: no half line stays
            os.ftruncate(descriptor, size)
            if isinstance(error, OSError):
                error.filename = str(path)
            raise
    finally:
        os.close(descriptor)


def remove_temporaries(path: Path) -> None:
    """Remove what a process killed while replacing ``path`` left beside it."""
    for temporary in path.parent.glob(f".{path.name}.*.tmp"):
        temporary.unlink(missing_ok=True)


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SweepError(
            f"{path} is not readable JSON ({type(error).__name__})"
        ) from None
    if not isinstance(data, dict):
        raise SweepError(f"{path} is not the metadata of a sweep of this lab")
    return data


def write_json(path: Path, data: dict) -> None:
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


# --- locks ----------------------------------------------------------------------


def holders(path: Path) -> str:
    """Who holds a lock on ``path``, from Linux's /proc/locks, in words."""
    try:
        inode = str(path.stat().st_ino)
        table = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return "another process"
    pids = []
    for line in table:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF": pid 1234, inode 5678
        if (
            len(fields) > 5
            and fields[1] == "FLOCK"
            and fields[4].isdigit()
            and int(fields[4]) > 0
            and fields[5].rsplit(":", 1)[-1] == inode
        ):
            pids.append(int(fields[4]))
    described = []
    for pid in dict.fromkeys(pids):
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            command = " ".join(w.decode(errors="replace") for w in words if w)
        except OSError:
            command = ""
        if len(command) > 100:
            command = command[:99] + "…"
        described.append(f"process {pid}" + (f" ({command})" if command else ""))
    return ", ".join(described) or "another process"


def _lock(descriptor: int, path: Path, how: int, seconds: float = 0) -> None:
    """flock ``descriptor``, trying for ``seconds``; refuse if someone else holds it."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(descriptor, how | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise SweepError(
                    f"{path} is in use by {holders(path)}: wait for it to finish, "
                    "or use another --results folder"
                ) from None
            time.sleep(0.05)


@contextlib.contextmanager
def locked(path: Path, shared: bool = False, seconds: float = 0):
    """Hold a lock on the file or folder ``path`` (which must exist) for the block."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        _lock(descriptor, path, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, seconds)
        yield
    finally:
        os.close(descriptor)  # which lets the lock go


def existing_results(results: Path) -> Path:
    if not results.is_dir():
        raise SweepError(
            f"{results} holds no sweep: run the sweep first "
            "(python lab/rmsprop_sweep.py)"
        )
    return results


# --- checking a folder before writing in it -------------------------------------


def shard_stem(shard: tuple[int, int]) -> str:
    return f"shard-{shard[0]}-of-{shard[1]}"


def results_paths(results: Path, shard: tuple[int, int] | None) -> tuple[Path, Path]:
    """Where this process writes: (csv, metadata json)."""
    if shard is None:
        return results / RUNS_FILE, results / METADATA_FILE
    stem = shard_stem(shard)
    return results / SHARDS_DIR / f"{stem}.csv", results / SHARDS_DIR / f"{stem}.json"


def difference(ours: Experiment, theirs: dict) -> str | None:
    """How a stored experiment differs from ours, in words; None when equal."""
    try:
        stored = Experiment.from_json(theirs)
    except (TypeError, KeyError, SweepError):
        return "an experiment this version cannot read"
    if stored == ours:
        return None
    for key, value in ours.to_json().items():
        if stored.to_json()[key] != value:
            return f"{key} {stored.to_json()[key]} instead of {value}"
    return "another experiment"


def check_results_dir(results: Path, experiment: Experiment) -> None:
    """Refuse a results directory that already holds a different sweep."""
    files = [results / METADATA_FILE, *sorted((results / SHARDS_DIR).glob("*.json"))]
    for path in files:
        if path.is_file():
            stored = read_json(path).get("experiment", {})
            if (what := difference(experiment, stored)) is not None:
                raise SweepError(
                    f"{path} belongs to a different sweep ({what}): use another "
                    "--results directory or remove that one"
                )
    for csv_path in [
        results / RUNS_FILE,
        *sorted((results / SHARDS_DIR).glob("*.csv")),
    ]:
        if not csv_path.is_file():
            continue
        rows = read_rows(csv_path)
        json_path = (
            results / METADATA_FILE
            if csv_path.name == RUNS_FILE
            else csv_path.with_suffix(".json")
        )
        if rows and not json_path.is_file():
            raise SweepError(
                f"{csv_path} has no {json_path.name} saying which sweep it holds: "
                "use another --results directory"
            )
        grid = set(experiment.runs())
        for row in rows:
            if row.run not in grid:
                raise SweepError(
                    f"{csv_path} holds a run outside this grid "
                    f"({row.run.label()}): use another --results directory"
                )


# --- the files of one sweep or shard --------------------------------------------


class SweepFiles:
    """The CSV and JSON files this process writes, and the complete runs in them."""

    def __init__(self, results: Path, shard: tuple[int, int] | None, epochs: int):
        self.csv, self.json = results_paths(results, shard)
        self.existing: dict[Run, list[Row]] = {}
        if self.csv.is_file():
            self.existing = complete_runs(read_rows(self.csv), epochs)
        self.metadata = read_json(self.json) if self.json.is_file() else {}

    def start(self, runs: list[Run], metadata: dict) -> None:
        """Write the JSON file, then the CSV file: whole, with whole runs only."""
        self.metadata.update(metadata)
        write_json(self.json, self.metadata)
        text = self.csv.read_text(errors="replace") if self.csv.is_file() else ""
        whole = canonical_text(runs, self.existing)
        if not text.endswith("\n") or text.count("\n") != whole.count("\n"):
            write_atomically(self.csv, whole)  # drop what a crash left half-written

    def append(self, run: Run, results: list) -> None:
        append_whole(self.csv, format_rows(run, results))
        self.existing[run] = results

    def save_metadata(self) -> None:
        write_json(self.json, self.metadata)


@contextlib.contextmanager
def claimed(
    results: Path,
    experiment: Experiment,
    shard: tuple[int, int] | None,
    data: dict,
    session: dict,
):
    """Hold ``results`` for this sweep or shard, checked and set up: SweepFiles.

    ``data`` (Split.description: sizes, digest) must be what the JSON file holds,
    if it holds any; ``session`` (the machine, the time) joins its sessions.
    """
    make_folder(results)
    with contextlib.ExitStack() as held:
        held.enter_context(locked(results, shared=shard is not None))
        check_results_dir(results, experiment)
        if shard is None:
            files = _set_up(results, experiment, shard, data, session)
        else:  # neighbours set up one at a time, each holding its own shard
            shards = results / SHARDS_DIR
            shards.mkdir(exist_ok=True)
            with locked(shards, seconds=SETUP_WAIT_SECONDS):
                check_results_dir(results, experiment)
                lock_file = shards / f"{shard_stem(shard)}.lock"
                lock_file.touch()
                held.enter_context(locked(lock_file))
                files = _set_up(results, experiment, shard, data, session)
        yield files


def check_data(path: Path, stored: dict, data: dict) -> None:
    """Refuse to add runs on other data to the sweep whose metadata is ``stored``."""
    for key, ours in data.items():
        if stored.get(key) not in (None, ours):
            theirs = stored[key]
            if key == "data_sha256":
                theirs, ours = theirs[:12] + "…", ours[:12] + "…"
            raise SweepError(
                f"{path} was made with other data ({key} {theirs}, now {ours}): "
                "use another --results directory"
            )


def _set_up(results, experiment, shard, data, session) -> SweepFiles:
    files = SweepFiles(results, shard, experiment.epochs)
    check_data(files.json, files.metadata, data)
    runs = shard_runs(experiment.runs(), shard)
    files.metadata.setdefault("sessions", []).append(session)
    files.start(
        runs,
        {
            "experiment": experiment.to_json(),
            **data,
            "shard": list(shard) if shard else None,
            "runs_total": len(runs),
        },
    )
    return files
