"""Run one test again in a Python of its own, away from the suite's process state.

TensorFlow keeps some settings for the life of a process: once a test turns on
op determinism, for instance, Keras refuses to shuffle without a seed. A test
about such behaviour calls :func:`in_fresh_process` first:

    def test_something(request):
        if not in_fresh_process(request):
            return  # it ran, and passed, in a fresh Python
        ...
"""

import os
import subprocess
import sys

from tests.helpers.book import REPOSITORY

MARK = "BOOK_TEST_IN_FRESH_PROCESS"


def in_fresh_process(request) -> bool:
    """True in the fresh Python; elsewhere run the test there and assert it passed."""
    nodeid = request.node.nodeid
    if os.environ.get(MARK) == nodeid:
        return True
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-header",
            "--numprocesses=0",  # this one test, in this one Python
            nodeid,
        ],
        cwd=REPOSITORY,
        env=dict(os.environ, **{MARK: nodeid}),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    return False
