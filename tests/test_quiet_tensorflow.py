"""Code run in the reader's environment shows no TensorFlow E0000 lines.

Without ``TF_CPP_MIN_LOG_LEVEL=3``, TensorFlow 2.21 on a machine without a GPU
writes ``E0000 ... failed call to cuInit`` when it first runs an operation and,
when Keras trains under ``enable_op_determinism``, ``E0000 ... NodeDef mentions
attribute use_unbounded_threadpool ...``: harmless, but they read as failures.
``make install`` appends the Makefile's ``QUIET_TENSORFLOW`` line to
``.venv/bin/activate``; the Makefile exports the same value for its own targets.
What still reaches the screen are the lines TensorFlow writes while it loads,
before its logging is set up (on this machine: Linux on x86-64, no GPU driver,
three lines printed twice), which the home page quotes; these tests pin them down.
"""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
ACTIVATE = Path(sys.prefix) / "bin" / "activate"

# A short program that, unsilenced, prints both E0000 lines here.
PROGRAM = """
import keras
import numpy as np
import tensorflow as tf
keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="rmsprop", loss="mse")
model.fit(np.zeros((4, 2)), np.zeros(4), epochs=1, verbose=0)
print("trained")
"""

# What the home page says remains: the lines written while TensorFlow loads.
REMAINING = [
    re.compile(
        r"^WARNING: All log messages before absl::InitializeLog\(\) is called"
        r" are written to STDERR$"
    ),
    re.compile(
        r"^I0000 .* port\.cc:\d+\] oneDNN custom operations are on\. You may see"
        r" slightly different numerical results due to floating-point round-off"
        r" errors from different computation orders\."
    ),
    re.compile(
        r"^I0000 .* cudart_stub\.cc:\d+\] Could not find cuda drivers on your"
        r" machine, GPU will not be used\.$"
    ),
]
# The machine the home page describes: Linux on x86-64 without a GPU driver.
DESCRIBED_MACHINE = sys.platform == "linux" and platform.machine() == "x86_64"


def makefile_text() -> str:
    return (REPOSITORY / "Makefile").read_text()


def quiet_line() -> str:
    makefile = (REPOSITORY / "Makefile").read_text()
    line = re.search(r"^QUIET_TENSORFLOW := (.*)$", makefile, re.M)[1]
    return line.replace("$$", "$")


def test_make_install_puts_the_setting_in_the_activate_script():
    lines = ACTIVATE.read_text().splitlines()
    assert quiet_line() in lines, (
        f"{ACTIVATE} lacks the Makefile's QUIET_TENSORFLOW line: run `make install`"
    )
    # an active line (not commented out), after a blank line and two comment lines
    where = lines.index(quiet_line())
    assert quiet_line().startswith("export TF_CPP_MIN_LOG_LEVEL=")
    assert lines[where - 3] == ""
    assert lines[where - 2].startswith("# ") and lines[where - 1].startswith("# ")
    assert "TF_CPP_MIN_LOG_LEVEL" in lines[where - 1]
    # the Makefile appends exactly these: a blank line, two comments, the line
    _, recipe = re.search(
        r"^install:(.*)\n((?:\t.*\n)*)", makefile_text(), re.M
    ).groups()
    assert recipe.count("'# ") == 2 and "printf '%s\\n' ''" in recipe


# `make install` without reinstalling packages: only its own recipe runs.
MAKE_INSTALL_ONLY = ["make", "-s", "--no-print-directory", "-o", ".venv/.installed"]
MAKE_INSTALL_ONLY.append("install")


def test_make_install_appends_the_lines_once(tmp_path):
    """Run twice, the recipe appends a blank line, two comments and the export once."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "activate").write_text("# activate\n")
    for _ in range(2):
        subprocess.run(
            [*MAKE_INSTALL_ONLY, f"BIN={bin_dir}"],
            cwd=REPOSITORY,
            check=True,
            capture_output=True,
            timeout=60,
        )
    lines = (bin_dir / "activate").read_text().splitlines()
    assert len(lines) == 5 and lines[1] == "" and lines[-1] == quiet_line()
    assert lines[2].startswith("# ") and lines[3].startswith("# ")


@pytest.mark.parametrize(
    ("before", "after"),
    [(None, "3"), ("", "3"), ("1", "1")],
    ids=["unset", "empty", "1"],
)
def test_activating_sets_3_unless_the_reader_set_a_level(before, after):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TF_CPP_MIN_LOG_LEVEL", "VIRTUAL_ENV"}
    }
    if before is not None:  # set, possibly to the empty string (no level)
        environment["TF_CPP_MIN_LOG_LEVEL"] = before
    shown = subprocess.run(
        ["bash", "-c", f'source "{ACTIVATE}" && echo "$TF_CPP_MIN_LOG_LEVEL"'],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == after


def test_the_makefile_exports_the_same_level():
    makefile = (REPOSITORY / "Makefile").read_text()
    assert "export TF_CPP_MIN_LOG_LEVEL := 3" in makefile.splitlines()
    assert ':-3}"' in quiet_line()


def run_in_the_activated_environment(
    before: str = "", program: str = PROGRAM
) -> subprocess.CompletedProcess:
    """``program``, after `source .venv/bin/activate` and the shell code ``before``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TF_CPP_MIN_LOG_LEVEL", "VIRTUAL_ENV"}
    }
    return subprocess.run(
        ["bash", "-c", f'source "{ACTIVATE}" && {before} python -c "$0"', program],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_after_activating_tensorflow_prints_no_e0000_line_only_the_info_lines():
    result = run_in_the_activated_environment()
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "trained\n"
    lines = result.stderr.splitlines()
    assert not [line for line in lines if re.search(r"E0000|cuInit|NodeDef", line)]
    unexpected = [line for line in lines if not any(p.search(line) for p in REMAINING)]
    assert not unexpected, "\n".join(unexpected)
    assert len(lines) <= 6
    assert not [line for line in lines if "cpu_feature_guard" in line]


@pytest.mark.parametrize(
    "program", [PROGRAM, "import keras"], ids=["tensorflow", "keras alone"]
)
def test_on_the_described_machine_three_lines_remain_each_printed_twice(program):
    """Whether TensorFlow is imported or Keras loads it (Keras 3's backend)."""
    if not DESCRIBED_MACHINE:
        pytest.skip("the home page quotes the lines of Linux on x86-64")
    assert "tensorflow" not in program or "import tensorflow" in program
    result = run_in_the_activated_environment(program=program)
    if "GPU will not be used" not in result.stderr:
        pytest.skip("TensorFlow found a GPU driver here")
    lines = result.stderr.splitlines()
    assert len(lines) == 6
    for line, pattern in zip(lines, REMAINING * 2, strict=True):
        assert pattern.search(line), line
    assert lines[0].startswith("WARNING: ")  # not an information line


def test_unsetting_the_variable_brings_the_e0000_lines_back():
    result = run_in_the_activated_environment("unset TF_CPP_MIN_LOG_LEVEL &&")
    assert result.returncode == 0, result.stderr[-3000:]
    if "GPU will not be used" not in result.stderr:
        pytest.skip("TensorFlow found a GPU here: no cuInit failure to show")
    assert re.search(r"^E0000 .*failed call to cuInit", result.stderr, re.M)
    assert re.search(
        r"^E0000 .*NodeDef mentions attribute use_unbounded_threadpool",
        result.stderr,
        re.M,
    )
    # and the processor-instructions message, on two lines: the instructions it
    # lists are used only in performance-critical operations, not in the others
    assert re.search(
        r"^I0000 .*cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized"
        r" to use available CPU instructions in performance-critical operations\.\n"
        r"To enable the following instructions: [A-Z0-9_ ]+, in other operations,"
        r" rebuild TensorFlow with the appropriate compiler flags\.$",
        result.stderr,
        re.M,
    )


def test_the_cuinit_line_comes_when_devices_are_set_up_not_on_import():
    if sys.platform != "linux":
        pytest.skip("the home page describes the cuInit line on Linux")
    imported = run_in_the_activated_environment(
        "unset TF_CPP_MIN_LOG_LEVEL &&", "import tensorflow"
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    if "GPU will not be used" not in imported.stderr:
        pytest.skip("TensorFlow found a GPU driver here")
    assert "cuInit" not in imported.stderr
    devices = run_in_the_activated_environment(
        "unset TF_CPP_MIN_LOG_LEVEL &&",
        "import tensorflow as tf\ntf.config.list_physical_devices()",
    )
    assert devices.returncode == 0, devices.stderr[-3000:]
    assert re.search(r"^E0000 .*failed call to cuInit", devices.stderr, re.M)


def test_the_nodedef_line_comes_from_op_determinism_not_from_the_gpu():
    without_determinism = PROGRAM.replace(
        "tf.config.experimental.enable_op_determinism()\n", ""
    )
    assert without_determinism != PROGRAM
    result = run_in_the_activated_environment(
        "unset TF_CPP_MIN_LOG_LEVEL &&", without_determinism
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NodeDef mentions attribute" not in result.stderr


def test_the_nodedef_line_needs_a_last_batch_that_is_not_full():
    """With determinism on, whole batches only: no NodeDef line (PROGRAM has 4 rows
    in batches of 32, one partial batch, and prints it: see the test above)."""
    whole_batches = PROGRAM.replace(
        "np.zeros((4, 2)), np.zeros(4)", "np.zeros((64, 2)), np.zeros(64)"
    )
    assert whole_batches != PROGRAM and "batch_size" not in PROGRAM  # Keras: 32
    result = run_in_the_activated_environment(
        "unset TF_CPP_MIN_LOG_LEVEL &&", whole_batches
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NodeDef mentions attribute" not in result.stderr
    # the first chapter's training set does not fill whole batches of 128
    chapter = (REPOSITORY / "docs" / "first-network.md").read_text()
    assert "model.fit(x_train, y_train, epochs=5, batch_size=128, verbose=0)" in chapter
    assert "tf.config.experimental.enable_op_determinism()" in chapter
    from lab.mnist_data import load_mnist

    (x_train, _), _ = load_mnist()
    assert len(x_train) == 8000 and len(x_train) % 128 != 0


def test_the_onednn_line_is_about_computation_order_and_says_how_to_turn_it_off():
    program = "import tensorflow"
    result = run_in_the_activated_environment(program=program)
    assert result.returncode == 0, result.stderr[-3000:]
    onednn = [line for line in result.stderr.splitlines() if "oneDNN" in line]
    if not onednn:
        pytest.skip("TensorFlow uses no oneDNN custom operations here")
    assert (
        "floating-point round-off errors from different computation orders"
        in (onednn[0])
    )
    assert "TF_ENABLE_ONEDNN_OPTS=0" in onednn[0]
    assert "processor" not in onednn[0]  # nothing about other processors
    off = run_in_the_activated_environment("TF_ENABLE_ONEDNN_OPTS=0", program)
    assert off.returncode == 0, off.stderr[-3000:]
    assert "oneDNN" not in off.stderr
