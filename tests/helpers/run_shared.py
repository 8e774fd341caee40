"""A folder shared by every pytest-xdist worker of one test run, under a lock."""

import contextlib
import fcntl
import os
from pathlib import Path


@contextlib.contextmanager
def locked_run_folder(tmp_path_factory, name: str):
    """Yield the run's folder ``name`` while holding its lock.

    pytest-xdist's workers of one run share the parent of their temporary
    folders and the run's id; the first to take the lock does the work there
    and the others, waiting on it, find it done. Without xdist, the folder is
    the process's own.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent / f"{name}-{run}" if run else base / name
    shared.mkdir(parents=True, exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield Path(shared)
