"""Fixtures of the lab's tests; the tiny sweep itself is in sweep_helpers.py."""

import os
from pathlib import Path

import pytest

from tests.lab.sweep_helpers import sweep


@pytest.fixture(scope="session", autouse=True)
def quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def tiny_sweep(tmp_path_factory) -> Path:
    """The tiny sweep, run once without interruption: the reference."""
    results = tmp_path_factory.mktemp("tiny-sweep")
    assert sweep(results) == 0
    return results
