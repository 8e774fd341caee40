"""The lab's modules import one way: config → data → training → store → sweep →
report → the command line, so that a reader can read them in that order."""

import ast
import subprocess
import sys

from lab.config import REPOSITORY

LAB = REPOSITORY / "lab"
# Each module may import only those before it (mnist_full and mnist_data are the
# data sources that lab/data.py splits; the benchmark times the trainer).
ORDER = (
    "config",
    "mnist_full",
    "mnist_data",
    "data",
    "training",
    "store",
    "sweep",
    "report",
    "benchmark",
    "rmsprop_sweep",
)


def lab_imports(name: str) -> set[str]:
    """The lab modules that lab/<name>.py imports, at its top or in a function."""
    imported = set()
    for node in ast.walk(ast.parse((LAB / f"{name}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "lab":
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("lab."):
                imported.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            imported |= {
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("lab.")
            }
    return imported


def test_every_module_imports_only_the_ones_before_it():
    modules = sorted(path.stem for path in LAB.glob("*.py"))
    assert sorted([*ORDER, "__init__"]) == modules  # every module has its place
    for position, name in enumerate(ORDER):
        later = lab_imports(name) - set(ORDER[:position])
        assert not later, f"lab/{name}.py imports {sorted(later)}, which come after it"


def test_the_modules_import_in_that_order_in_a_fresh_interpreter():
    """Each one imported after those before it loads no later one, even at run time
    (an import cycle would)."""
    program = f"""
import sys, types
class Stub(types.ModuleType):  # TensorFlow and Keras take seconds to import and
    def __getattr__(self, name):  # play no part in the order: stand-ins
        return Stub(name)
sys.modules.update(tensorflow=Stub("tensorflow"), keras=Stub("keras"))
order = {ORDER!r}
for position, name in enumerate(order):
    __import__("lab." + name)
    loaded = {{m.split(".")[1] for m in sys.modules if m.startswith("lab.")}}
    assert loaded <= set(order[: position + 1]), (name, loaded)
print("in order")
"""
    completed = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert completed.stdout == "in order\n", completed.stderr[-2000:]


def test_each_error_class_is_defined_once():
    """The command line catches the package's own SweepError: no second copy
    exists for it to miss (the script used to be loaded twice, as __main__ and as
    lab.rmsprop_sweep, each with its own SweepError)."""
    defined: dict[str, list[str]] = {}
    for path in sorted(LAB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(path.name)
    assert defined["SweepError"] == ["config.py"]
    assert defined["MnistDataError"] == ["mnist_data.py"]
    assert {name: files for name, files in defined.items() if len(files) > 1} == {}
    assert "rmsprop_sweep" not in {
        name for module in ORDER for name in lab_imports(module)
    }
