"""Find code fences in the book's Markdown that would escape testing or mislead.

pytest-codeblocks 0.18.0 runs a fence only when its info string is exactly
``python``, ``sh`` or ``bash``; runs Python under ``exec`` (so a ``__main__``
guard's body never runs); and compares output only where a block is followed
by ``<!--pytest-codeblocks:expected-output-->``. This guard reads every page
the way it does and reports, as ``file:line: problem``, each fence that a
reader would take for tested code or output but that no test checks.

    python tests/markdown_guard.py          # check docs/ and README.md
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

# The fences pytest-codeblocks runs; the info string must be exactly one of these.
COLLECTED_LANGUAGES = frozenset({"python", "sh", "bash"})
# Fences that show something other than code: output, configuration, data.
NON_CODE_LANGUAGES = frozenset({"text", "yaml", "toml", "json", "csv", "latex"})
# Of those, the one that shows what a block printed.
OUTPUT_LANGUAGE = "text"
# Languages a reader would take for runnable code if pytest-codeblocks skipped them.
PYTHON_LIKE = frozenset({"python", "python3", "py", "py3", "pycon", "ipython", "pyi"})
SHELL_LIKE = frozenset({"sh", "bash", "shell", "zsh", "console", "shell-session"})

FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
MARKER = re.compile(r"^\s*<!--[-\s]*pytest-codeblocks:(?P<keyword>.*?)[-\s]*-->\s*$")
MARK = re.compile(r"^\s*<!--[-\s]*(?P<mark>pytest\.mark\..*?)[-\s]*-->\s*$")
INCLUDE = re.compile(r"^\s*-{1,3}8<-{1,3}\s+[\"'](?P<target>[^\"']+)[\"']\s*$")
MAIN_GUARD = re.compile(r"if\s+__name__\s*==\s*[\"']__main__[\"']")
PYTHON_HINT = re.compile(
    r"^\s*(import \w|from \w+ import|def \w|print\(|class \w)", re.M
)
INSTALLS_OR_SERVES = re.compile(
    r"\b(pip install|apt-get|npm (install|ci)|make (install|serve|test)|mkdocs serve|"
    r"python -m venv|git clone)\b"
)


@dataclass
class Fence:
    line: int  # 1-based line of the opening fence
    info: str
    body: list[str]
    markers: list[str] = field(default_factory=list)  # keywords/marks just before it
    blank_before: bool = True  # only blank lines since the previous fence

    @property
    def language(self) -> str:
        words = self.info.strip().lstrip("{.").split()
        return words[0].rstrip("}").lower() if words else ""

    @property
    def collected(self) -> bool:
        return self.info.strip() in COLLECTED_LANGUAGES

    @property
    def includes(self) -> list[str]:
        return [m["target"] for line in self.body if (m := INCLUDE.match(line))]

    @property
    def include_only(self) -> bool:
        lines = [line for line in self.body if line.strip()]
        return bool(lines) and len(self.includes) == len(lines)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def parse_fences(text: str) -> list[Fence]:
    """Fences in document order, each with the pytest-codeblocks comments before it."""
    fences: list[Fence] = []
    pending: list[str] = []
    only_blank = False
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE.match(line)
        if opening:
            ticks = opening["ticks"]
            body = []
            index += 1
            while index < len(lines) and not lines[index].lstrip().startswith(ticks):
                body.append(lines[index])
                index += 1
            fences.append(
                Fence(index - len(body), opening["info"], body, pending, only_blank)
            )
            pending, only_blank = [], True
        elif marker := MARKER.match(line):
            pending.append(marker["keyword"].strip())
        elif mark := MARK.match(line):
            pending.append(mark["mark"])
        elif line.strip():
            only_blank = False
        index += 1
    return fences


def tested_text(repository: Path) -> str:
    return "\n".join(path.read_text() for path in (repository / "tests").rglob("*.py"))


def check_markdown(
    text: str, path: str, repository: Path = REPOSITORY, tests: str | None = None
) -> list[Problem]:
    tests = tested_text(repository) if tests is None else tests
    problems: list[Problem] = []

    def report(fence: Fence, message: str) -> None:
        problems.append(Problem(path, fence.line, message))

    previous: Fence | None = None
    for fence in parse_fences(text):
        language, info = fence.language, fence.info.strip()
        runs_here = fence.collected

        for target in fence.includes:
            file = target.rsplit(":", 1)[0] if ":" in target else target
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
                f'write the fence as ```{language} title="{fence.includes[0]}"',
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
            hint = (
                " (it looks like Python)"
                if PYTHON_HINT.search("\n".join(fence.body))
                else ""
            )
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

        if (
            runs_here
            and language == "python"
            and MAIN_GUARD.search("\n".join(fence.body))
        ):
            report(
                fence,
                "a __main__ guard never runs under pytest-codeblocks (exec); "
                "put the code at top level or in a snippet file",
            )
        if runs_here and language in ("sh", "bash"):
            body = "\n".join(fence.body)
            skipped = any(m.startswith("pytest.mark.skip") for m in fence.markers)
            if INSTALLS_OR_SERVES.search(body) and not skipped:
                report(
                    fence,
                    "a shell fence that installs or serves needs "
                    '<!--pytest.mark.skip(reason="...")-->',
                )
        for mark in fence.markers:
            if mark.startswith("pytest.mark.skip") and "reason=" not in mark:
                report(fence, f"'{mark}' needs a reason=")

        keywords = [m for m in fence.markers if not m.startswith("pytest.mark")]
        continues = "cont" in keywords
        asserted = any(k.startswith("expected-output") for k in keywords)
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
                target.endswith(".out") for target in fence.includes
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
