"""Read a page of the book: its fences, includes, tabs and admonitions.

The one reader of the book's Markdown, shared by the site's hooks, the guard
(``tests/markdown_guard.py``) and the tests. What a reader sees is parsed with
markdown-it-py (CommonMark) and mdit-py-plugins' admonitions, with Material's
``=== "Tab"`` written as an admonition of kind ``tab`` (the same indentation
rules); what pytest-codeblocks runs is asked of pytest-codeblocks itself.

    page = read_page(Path("docs/tensors.md"))
    for fence in page.fences:
        fence.line, fence.language, fence.containers, fence.markers, fence.includes
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.admon import admon_plugin
from pytest_codeblocks.main import CodeBlock, extract_from_file

# The fences pytest-codeblocks runs; the info string must be exactly one of these.
COLLECTED_LANGUAGES = frozenset({"python", "sh", "bash"})

INCLUDE = re.compile(r"^\s*-{1,3}8<-{1,3}\s+[\"'](?P<target>[^\"']+)[\"']\s*$")
SECTION_MARKER = re.compile(r"^\s*#\s*-{1,3}8<-{1,3}\s*\[(start|end):[^\]]*\]\s*$")
CODEBLOCKS_MARKER = re.compile(
    r"^\s*<!--[-\s]*pytest-codeblocks:(?P<keyword>.*?)[-\s]*-->\s*$"
)
PYTEST_MARK = re.compile(r"^\s*<!--[-\s]*(?P<mark>pytest\.mark\..*?)[-\s]*-->\s*$")
TAB_LINE = re.compile(r'^(?P<indent>\s*)===(?P<open>\+?)(?P<rest>\s+".*)$')


@dataclass(frozen=True)
class Include:
    """``--8<-- "file"`` or ``--8<-- "file:section"`` inside a fence."""

    file: str
    section: str | None

    @classmethod
    def parse(cls, line: str) -> "Include | None":
        match = INCLUDE.match(line)
        if match is None:
            return None
        target = match["target"]
        file, _, section = target.partition(":")
        return cls(file, section or None)

    @property
    def target(self) -> str:
        return f"{self.file}:{self.section}" if self.section else self.file


@dataclass
class Fence:
    """A fenced block as the site shows it."""

    line: int  # 1-based line of the opening fence
    end_line: int  # 1-based line of the closing fence (or the page's last line)
    info: str
    body: str  # the content, without the fence's own indentation
    indent: int  # columns before the opening fence
    containers: tuple[tuple[str, str], ...]  # (kind, title), outermost first
    markers: list[str] = field(default_factory=list)  # keywords and pytest.mark.*
    markers_adjacent: bool = True  # no text between the markers and the fence
    blank_before: bool = True  # only blank lines and markers since the last fence

    @property
    def language(self) -> str:
        words = self.info.strip().lstrip("{.").split()
        return words[0].rstrip("}").lower() if words else ""

    @property
    def collected(self) -> bool:
        """pytest-codeblocks runs it (or takes it as an expected output)."""
        return self.info.strip() in COLLECTED_LANGUAGES

    @property
    def keywords(self) -> list[str]:
        return [m for m in self.markers if not m.startswith("pytest.mark")]

    @property
    def continues(self) -> bool:
        return "cont" in self.keywords

    @property
    def shows_expected_output(self) -> bool:
        return any(k.startswith("expected-output") for k in self.keywords)

    @property
    def skipped(self) -> bool:
        return any(m.startswith("pytest.mark.skip") for m in self.markers)

    @property
    def includes(self) -> list[Include]:
        return [inc for line in self.body.splitlines() if (inc := Include.parse(line))]

    @property
    def include_only(self) -> bool:
        lines = [line for line in self.body.splitlines() if line.strip()]
        return bool(lines) and len(self.includes) == len(lines)


@dataclass
class Page:
    path: Path
    text: str

    @cached_property
    def tokens(self):
        return parser().parse(tabs_as_admonitions(self.text))

    @cached_property
    def fences(self) -> list[Fence]:
        return fences_of(self.text, self.tokens)

    @cached_property
    def markers(self) -> list[tuple[int, str]]:
        """(0-based line, keyword) of every pytest-codeblocks comment outside code."""
        lines = self.text.split("\n")
        found = []
        for token in self.tokens:
            if token.type == "html_block" and token.map:
                start, end = token.map
                for number in range(start, end):
                    if match := CODEBLOCKS_MARKER.match(lines[number]):
                        found.append((number, match["keyword"].strip()))
        return found

    def fenced_lines(self) -> set[int]:
        """0-based numbers of the lines of every fence, its fence lines included."""
        return {
            number
            for fence in self.fences
            for number in range(fence.line - 1, fence.end_line)
        }

    @cached_property
    def tabs(self) -> list[str]:
        """The title of every content tab, in page order."""
        containers = [
            admonition_title(token)
            for token in self.tokens
            if token.type == "admonition_open"
        ]
        return [title for kind, title in containers if kind == "tab"]

    @cached_property
    def title(self) -> str | None:
        for index, token in enumerate(self.tokens):
            if token.type == "heading_open" and token.tag == "h1":
                return self.tokens[index + 1].content
        return None

    def prose(self) -> str:
        """What readers read: the text of paragraphs, headings, lists and tables."""
        parts = []
        for token in self.tokens:
            if token.type == "inline":
                parts.append("".join(map(readable, token.children or [])))
            elif token.type == "admonition_open":
                parts.append(admonition_title(token)[1])
        return "\n".join(part for part in parts if part)

    def collected(self) -> list[CodeBlock]:
        """The blocks pytest-codeblocks runs, as pytest-codeblocks itself reads them."""
        return [
            block
            for block in extract_from_file(self.path)
            if (block.syntax or "").strip() in COLLECTED_LANGUAGES
        ]


def readable(child) -> str:
    """The text a reader sees of an inline token: no code, no link targets."""
    if child.type in ("softbreak", "hardbreak"):
        return " "
    if child.type == "text":
        return child.content
    return ""


def read_page(path: Path) -> Page:
    return Page(Path(path), Path(path).read_text(encoding="utf-8"))


def page_from_text(text: str, path: Path = Path("page.md")) -> Page:
    return Page(path, text)


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(admon_plugin)


def tabs_as_admonitions(text: str) -> str:
    """``=== "NumPy"`` → ``!!! tab "NumPy"``: same lines, same indentation rules."""
    return "\n".join(
        f"{m['indent']}!!! tab{m['rest']}" if (m := TAB_LINE.match(line)) else line
        for line in text.split("\n")
    )


def admonition_title(token) -> tuple[str, str]:
    """(kind, title) of an admonition_open token: ``("tab", "NumPy")``."""
    kind = (token.meta.get("tag") or token.info.split()[0:1] or [""])[0]
    title = token.info.strip()
    match = re.match(r'^\s*(\S+)(?:\s+"(.*)")?', title)
    if match:
        kind, title = match[1], match[2] if match[2] is not None else ""
    return kind.lower(), title


def fences_of(text: str, tokens) -> list[Fence]:
    lines = text.split("\n")
    fences: list[Fence] = []
    containers: list[tuple[str, str]] = []
    markers: list[str] = []
    adjacent = True
    blank_before = True
    for token in tokens:
        if token.type == "admonition_open":
            containers.append(admonition_title(token))
            adjacent = blank_before = False
            markers = []
        elif token.type == "admonition_close":
            containers.pop()
        elif token.type == "html_block":
            for line in token.content.splitlines():
                if keyword := CODEBLOCKS_MARKER.match(line):
                    markers.append(keyword["keyword"].strip())
                    adjacent = True
                elif mark := PYTEST_MARK.match(line):
                    markers.append(mark["mark"])
                    adjacent = True
                elif line.strip():
                    adjacent = blank_before = False
        elif token.type == "fence" and token.map:
            start, end = token.map
            opening = lines[start]
            fences.append(
                Fence(
                    line=start + 1,
                    end_line=end,
                    info=token.info,
                    body=token.content,
                    indent=len(opening) - len(opening.lstrip()),
                    containers=tuple(containers),
                    markers=markers,
                    markers_adjacent=adjacent,
                    blank_before=blank_before,
                )
            )
            markers, adjacent, blank_before = [], True, True
        elif token.block and token.nesting >= 0 and token.type != "inline":
            adjacent = blank_before = False  # a paragraph, heading, list, table...
    return fences


def snippet_section(path: Path, name: str | None) -> list[str]:
    """The lines of a snippet file (or of one named section), without markers."""
    lines = path.read_text().splitlines()
    if name is not None:
        start, end = f"[start:{name}]", f"[end:{name}]"
        begin = next((i for i, line in enumerate(lines) if start in line), None)
        stop = next((i for i, line in enumerate(lines) if end in line), None)
        if begin is None or stop is None or stop < begin:
            raise ValueError(f"{path}: no section {name!r}")
        lines = lines[begin + 1 : stop]
    return [line for line in lines if not SECTION_MARKER.match(line)]
