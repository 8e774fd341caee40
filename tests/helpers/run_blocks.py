"""Run code blocks one after another in one Python process, each as if alone.

    python tests/helpers/run_blocks.py < runs.json > results.json

Each run is ``{"code": ..., "folder": ...}``: its code is executed in a fresh
namespace (as ``__main__``), with the folder as working directory and its
standard output captured. The process itself is shared, as it is when
pytest-codeblocks runs a page: imports are cached, so a page costs one start of
Python and TensorFlow instead of one per block. Prints one JSON list of
``{"stdout": ..., "error": ...}``.
"""

import contextlib
import io
import json
import os
import sys
import traceback


def run(code: str, folder: str) -> dict:
    os.chdir(folder)
    captured = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(captured):
            exec(compile(code, f"{folder}/block.py", "exec"), {"__name__": "__main__"})
    except BaseException:  # a block's failure is reported, the next block still runs
        error = traceback.format_exc().strip().splitlines()[-1]
    return {"stdout": captured.getvalue(), "error": error}


if __name__ == "__main__":
    sys.path.pop(0)  # this folder: a block must not import the tests' helpers
    runs = json.load(sys.stdin)
    results = [run(item["code"], item["folder"]) for item in runs]
    json.dump(results, sys.__stdout__)
