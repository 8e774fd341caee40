"""Find code fences in the book's Markdown that would escape testing or mislead.

pytest-codeblocks 0.18.0 runs a fence only when its info string is exactly
``python``, ``sh`` or ``bash``; runs Python under ``exec`` (so a ``__main__``
guard's body never runs); and compares output only where a block is followed
by ``<!--pytest-codeblocks:expected-output-->``. This guard reads every page
twice, as the site shows it (``hooks/book_markdown.py``, a real Markdown
parser) and as pytest-codeblocks runs it (pytest-codeblocks itself), and
reports, as ``file:line: problem``, each fence that a reader would take for
tested code or output but that no test checks.

    python -m tests.markdown_guard          # check docs/ and README.md
"""

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pytest_codeblocks.main import extract_from_buffer

from hooks.book_markdown import COLLECTED_LANGUAGES, Fence, page_from_text

REPOSITORY = Path(__file__).resolve().parent.parent

# Fences that show something other than code: output, configuration, data.
NON_CODE_LANGUAGES = frozenset({"text", "yaml", "toml", "json", "csv", "latex"})
# Of those, the one that shows what a block printed.
OUTPUT_LANGUAGE = "text"
# Languages a reader would take for runnable code if pytest-codeblocks skipped them.
PYTHON_LIKE = frozenset({"python", "python3", "py", "py3", "pycon", "ipython", "pyi"})
SHELL_LIKE = frozenset({"sh", "bash", "shell", "zsh", "console", "shell-session"})

MAIN_GUARD = re.compile(r"if\s+__name__\s*==\s*[\"']__main__[\"']")
PYTHON_HINT = re.compile(
    r"^\s*(import \w|from \w+ import|def \w|print\(|class \w)", re.M
)
INSTALLS_OR_SERVES = re.compile(
    r"\b(pip install|apt-get|npm (install|ci)|make (install|serve|test)|mkdocs serve|"
    r"python -m venv|git clone)\b"
)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def tested_text(repository: Path) -> str:
    return "\n".join(path.read_text() for path in (repository / "tests").rglob("*.py"))


def run_lines(text: str) -> set[int] | str:
    """The opening lines of the blocks pytest-codeblocks runs, or why it cannot read."""
    try:
        blocks = extract_from_buffer(io.StringIO(text))
    except RuntimeError as error:
        return str(error)
    return {
        block.lineno
        for block in blocks
        if (block.syntax or "").strip() in COLLECTED_LANGUAGES
    }


def check_markdown(
    text: str, path: str, repository: Path = REPOSITORY, tests: str | None = None
) -> list[Problem]:
    tests = tested_text(repository) if tests is None else tests
    problems: list[Problem] = []

    def report(fence: Fence, message: str) -> None:
        problems.append(Problem(path, fence.line, message))

    fences = page_from_text(text).fences
    run_by_codeblocks = run_lines(text)
    if isinstance(run_by_codeblocks, str):
        problems.append(Problem(path, 1, f"pytest-codeblocks: {run_by_codeblocks}"))
        run_by_codeblocks = set()
    shown = {fence.line for fence in fences if fence.collected and not fence.continues}
    for line in sorted(run_by_codeblocks - shown):
        problems.append(
            Problem(
                path,
                line,
                "pytest-codeblocks runs a block here that the site does not show "
                "as one (a line inside a fence starts with its backticks?)",
            )
        )
    for fence in fences:
        if fence.line in shown - run_by_codeblocks and not fence.shows_expected_output:
            report(
                fence,
                "the site shows this block but pytest-codeblocks does not run it "
                "(an earlier fence ends early for pytest-codeblocks?)",
            )

    previous: Fence | None = None
    for fence in fences:
        language, info = fence.language, fence.info.strip()
        runs_here = fence.collected

        for include in fence.includes:
            target, file = include.target, include.file
            source = file[:-4] + ".py" if file.endswith(".out") else file
            if not (repository / file).is_file():
                report(fence, f"include {target!r}: no such file")
            elif source not in tests:
                report(
                    fence, f"include {target!r}: {source} is named by no test in tests/"
                )
        if runs_here and fence.includes:
            report(
                fence,
                "pytest-codeblocks would run the '--8<--' line as code; "
                f'write the fence as ```{language} title="{fence.includes[0].target}"',
            )
        elif (
            not runs_here
            and fence.include_only
            and language in PYTHON_LIKE | SHELL_LIKE
        ):
            pass  # an included, tested snippet file
        elif language in PYTHON_LIKE and not runs_here:
            report(
                fence,
                f"fence '{info}' looks like Python but pytest-codeblocks runs "
                "only fences whose info string is exactly 'python'",
            )
        elif language in SHELL_LIKE and not runs_here:
            report(
                fence,
                f"fence '{info}' looks like a shell command but pytest-codeblocks "
                "runs only fences whose info string is exactly 'sh' or 'bash'",
            )
        elif not language:
            hint = " (it looks like Python)" if PYTHON_HINT.search(fence.body) else ""
            report(
                fence,
                f"fence without a language{hint}: name one, e.g. 'python' or 'text'",
            )
        elif not runs_here and language not in NON_CODE_LANGUAGES:
            report(
                fence,
                f"fence language '{language}' is neither tested code "
                f"({', '.join(sorted(COLLECTED_LANGUAGES))}) nor an allowed "
                f"non-code language ({', '.join(sorted(NON_CODE_LANGUAGES))})",
            )

        if runs_here and language == "python" and MAIN_GUARD.search(fence.body):
            report(
                fence,
                "a __main__ guard never runs under pytest-codeblocks (exec); "
                "put the code at top level or in a snippet file",
            )
        if (
            runs_here
            and language in ("sh", "bash")
            and INSTALLS_OR_SERVES.search(fence.body)
            and not fence.skipped
        ):
            report(
                fence,
                "a shell fence that installs or serves needs "
                '<!--pytest.mark.skip(reason="...")-->',
            )
        for mark in fence.markers:
            if mark.startswith("pytest.mark.skip") and "reason=" not in mark:
                report(fence, f"'{mark}' needs a reason=")

        continues = fence.continues
        if continues and not fence.markers_adjacent:
            report(
                fence,
                "text stands between <!--pytest-codeblocks:cont--> and its block: "
                "put the marker right above the fence, where the site shows "
                "'Continues the block above'",
            )
        asserted = fence.shows_expected_output
        if (continues or asserted) and previous is not None and not previous.collected:
            what = "output" if asserted else "code"
            report(
                fence,
                f"this {what} is attached to the fence at line {previous.line}, "
                "which pytest-codeblocks never runs, so it is never checked",
            )
        shows_output = language == OUTPUT_LANGUAGE and not continues
        follows_code = (
            previous is not None
            and fence.blank_before
            and (previous.collected or previous.include_only)
        )
        if shows_output and follows_code and not asserted:
            output_of_snippet = fence.include_only and all(
                include.file.endswith(".out") for include in fence.includes
            )
            if not (previous.include_only and output_of_snippet):
                report(
                    fence,
                    f"output shown after the code block at line {previous.line} "
                    "without <!--pytest-codeblocks:expected-output--> is never "
                    "checked",
                )
        previous = fence
    return problems


def markdown_files(repository: Path = REPOSITORY) -> list[Path]:
    return [*sorted((repository / "docs").rglob("*.md")), repository / "README.md"]


def check_tree(repository: Path = REPOSITORY) -> list[Problem]:
    tests = tested_text(repository)
    problems = []
    for file in markdown_files(repository):
        relative = file.relative_to(repository).as_posix()
        problems += check_markdown(file.read_text(), relative, repository, tests)
    return problems


if __name__ == "__main__":
    found = check_tree()
    print("\n".join(map(str, found)) or "every fence is tested or allowed")
    sys.exit(1 if found else 0)
