"""Each chapter of the book, and the lab notebook, as a notebook that runs anywhere.

A chapter's notebook is made from its Markdown, read by the book's parser
(``hooks/book_markdown.py``); what only the site understands is flattened, then
jupytext turns the Markdown into cells:

- tabs and admonitions become a bold title followed by their content;
- ``--8<--`` snippet includes become a code cell holding the part shown, after
  the rest of the file that it needs; an output include becomes its text, and
  a script whose output the page shows gets a cell that runs it;
- the pytest comments are dropped; shell commands and skipped code stay text;
- figures are embedded as cell attachments; links to other pages point to the
  hosted site, or are left out when the site's address is not set.

A notebook never imports the repository's ``lab`` or ``snippets``: where a block
(or a snippet) imports from them, the cells before it hold the code it needs,
copied from the repository's files (the definitions the names need, in the
files' order, without their ``if __name__`` blocks). Files that code reads
(the bundled digits, the lab's results) are files of the built site: the
notebook's first code cell downloads them from the book's address and checks
their SHA-256, computed when the site is built. ``save_figure`` shows a figure
instead of saving it (``hooks/notebook_support.py``).

The lab notebook (``docs/notebooks/*.py``, jupytext) is made the same way from
its cells; its outputs are stored in ``docs/notebooks/<name>.ipynb``, made by
``python -m hooks.book_notebooks store docs/notebooks/<name>.py``.

``hooks/notebooks.py`` offers each notebook on the site;
``tests/test_notebooks.py`` executes them outside the repository.
"""

import ast
import base64
import copy
import hashlib
import io
import json
import mimetypes
import os
import re
import shutil
import symtable
import sys
import tempfile
import tokenize
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import jupytext
import markdown
import nbformat

from hooks.book_markdown import (
    CODEBLOCKS_MARKER,
    PYTEST_MARK,
    SECTION_MARKER,
    Include,
    admonition_title,
    page_from_text,
)

REPOSITORY = Path(__file__).resolve().parent.parent

# The repository's packages that a notebook may not import.
BOOK_PACKAGES = ("lab", "snippets")
SUPPORT = "hooks/notebook_support.py"
# Names a notebook gets from SUPPORT instead of from the repository.
STAND_INS = {("snippets/figures.py", "save_figure"): (SUPPORT, "save_figure")}
# Code that reads a file through __file__, by the name it binds: a notebook
# that holds that name downloads those files (repository paths) from the site.
FILES_READ = {
    ("lab/mnist_data.py", "DATA_FOLDER"): ("lab/data/mnist-bundled.npz",),
    ("lab/config.py", "REPOSITORY"): (),
    ("lab/config.py", "RESULTS_DIR"): (
        "lab/results/runs.csv",
        "lab/results/sweep.json",
        "lab/results/selected.json",
    ),
    ("snippets/broadcasting/naive_broadcast.py", "EXAMPLES"): (
        "snippets/broadcasting/explorer_examples.json",
    ),
    ("snippets/gradient_descent/learning_rate_paths.py", "EXPLORER"): (
        "snippets/gradient_descent/learning_rate_paths.json",
    ),
    ("snippets/gradient_descent/optimizer_paths.py", "DEFAULTS"): (
        "snippets/gradient_descent/optimizer_paths.json",
    ),
    ("snippets/operations/speed_table.py", "HERE"): (
        "snippets/operations/speed_table.json",
    ),
}
FILES_FOLDER = "tensors-to-gradients"  # BOOK_FOLDER in SUPPORT
SITE_FILES = "files"  # the site's folder of those files: files/<repository path>
NOTEBOOKS_BRANCH = "notebooks"  # the branch the publish workflow puts notebooks on
# Cell tags: code copied from the repository, and the cell that runs a script.
HELPER, RUN = "book-helper", "book-run"
KEPT = ("tags", "alt")  # cell metadata a notebook keeps: alt, a figure's alt text
# What a notebook may import besides the standard library: the book's pins.
PACKAGES = {"numpy": "numpy", "tensorflow": "tensorflow", "keras": "keras"}
PACKAGES |= {"matplotlib": "matplotlib", "hypothesis": "hypothesis", "pytest": "pytest"}
ALWAYS_THERE = {"IPython"}  # wherever a notebook runs

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?P<rest>[^)]*)\)")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)")
ATTR_LIST = re.compile(r"(?<=[)\]])\{:?\s*[^}\n]*\}")
TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.M)
MAIN_GUARD = re.compile(r"^if\s+__name__\s*==\s*[\"']__main__[\"']\s*:", re.M)
MAGIC = re.compile(r"^\s*[%!]")


class NotebookError(Exception):
    """A page that cannot become a notebook that runs anywhere; says why."""


# --- where the book lives ----------------------------------------------------


@dataclass(frozen=True)
class Address:
    """The book's hosted site and repository, from mkdocs.yml (BOOK_* variables).

    Either may be None: links that need it are then left out.
    """

    site_url: str | None = None
    repo_url: str | None = None
    branch: str = "main"

    def __post_init__(self):
        site = (self.site_url or "").strip()
        repo = (self.repo_url or "").strip().rstrip("/").removesuffix(".git")
        object.__setattr__(self, "site_url", site.rstrip("/") + "/" if site else None)
        object.__setattr__(self, "repo_url", repo or None)

    def url(self, path: str) -> str | None:
        """The address of a path of the built site (``tensors/``, ``x.ipynb``)."""
        return None if self.site_url is None else self.site_url + path.lstrip("/")

    @property
    def github(self) -> tuple[str, str] | None:
        """(owner, repository) when the repository is on GitHub."""
        if not self.repo_url:
            return None
        parts = urlsplit(self.repo_url)
        names = [part for part in parts.path.split("/") if part]
        if parts.netloc != "github.com" or len(names) != 2:
            return None
        return names[0], names[1]

    def colab(self, notebook: str) -> str | None:
        """Open in Colab: the notebook as published on the notebooks branch."""
        if self.github is None:
            return None
        owner, name = self.github
        return (
            f"https://colab.research.google.com/github/{owner}/{name}/blob/"
            f"{NOTEBOOKS_BRANCH}/{notebook}"
        )

    def edit_uri(self) -> str:
        """MkDocs's ``edit_uri`` for this repository and branch ('' without one)."""
        return f"edit/{self.branch}/docs/" if self.github else ""


def address_of(config) -> Address:
    book = (config.get("extra") or {}).get("book") or {}
    return Address(config.get("site_url"), config.get("repo_url"), book.get("branch"))


def page_url(src_uri: str) -> str:
    """Where a page lives in the site, relative to its root (directory URLs)."""
    path = PurePosixPath(src_uri)
    directory = (
        path.parent if path.stem in ("index", "README") else path.with_suffix("")
    )
    return "" if str(directory) == "." else f"{directory}/"


def notebook_name(src_uri: str) -> str:
    """``tensors.md`` → ``tensors.ipynb``; ``part/index.md`` → ``part/index.ipynb``."""
    return str(PurePosixPath(src_uri).with_suffix(".ipynb"))


def is_chapter(src_uri: str, markdown_text: str) -> bool:
    """A page other than the home page gets a notebook when it holds Python code."""
    return src_uri != "index.md" and any(
        fence.language == "python" for fence in page_from_text(markdown_text).fences
    )


# --- the repository's code, as a notebook needs it -----------------------------


@dataclass
class Node:
    """One top-level statement of a repository file (or of a code block)."""

    module: str  # repository path, e.g. lab/report.py
    index: int
    first: int  # its first and last line, 1-based
    last: int
    start: int  # its first line with the comments right above it
    text: str  # its lines, with the comment lines right above it
    names: frozenset  # the names it binds
    uses: frozenset  # the global names it reads
    acts: bool  # neither a definition nor an import: runs when imported
    book: bool = False  # an import from the book's packages: never copied
    nested_book_import: bool = False  # such an import inside it
    meaning: dict = field(default_factory=dict)  # name → what it binds it to
    later: frozenset = frozenset()  # the global names its functions read

    @property
    def key(self) -> tuple[str, int]:
        return self.module, self.index


@dataclass
class Module:
    path: str
    lines: list[str]
    nodes: list[Node]
    book_imports: dict  # local name → (module path, name), from a book package
    main_body: list[str]  # the body of its ``if __name__`` block, dedented

    def binders(self, name: str) -> list[Node]:
        return [node for node in self.nodes if name in node.names]

    def nodes_within(self, first: int, last: int) -> list[Node]:
        """The statements that lie inside lines first..last (1-based)."""
        return [n for n in self.nodes if first <= n.first and n.last <= last]


SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _bound_names(node: ast.stmt) -> set[str]:
    """The global names a top-level statement binds (not those of its scopes)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    names, todo = set(), [node]
    while todo:
        child = todo.pop()
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
        elif isinstance(child, SCOPES) and child is not node:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(child.name)  # a def or class inside an if or a loop
            continue
        elif isinstance(child, ast.NamedExpr):
            names.add(child.target.id)
        todo += list(ast.iter_child_nodes(child))
    return names


def _meaning(node: ast.stmt) -> dict[str, str]:
    """What each name a statement binds stands for (imports: where from)."""
    if isinstance(node, ast.Import):
        return {
            alias.asname or alias.name.split(".")[0]: "import "
            + (alias.name if alias.asname else alias.name.split(".")[0])
            for alias in node.names
        }
    if isinstance(node, ast.ImportFrom):
        return {
            alias.asname or alias.name: f"from {node.module} import {alias.name}"
            for alias in node.names
        }
    dump = ast.dump(node)
    return dict.fromkeys(_bound_names(node), dump)


def _used_names(source: str, deferred: bool = False) -> set[str]:
    """The global names some top-level code reads; with ``deferred``, only those
    its functions read when called (later, maybe after they were redefined)."""
    found = set()

    def walk(table) -> None:
        top = table.get_type() == "module"
        for symbol in table.get_symbols():
            read = symbol.is_referenced() and (top or symbol.is_global())
            if read and not (deferred and top):
                found.add(symbol.get_name())
        for child in table.get_children():
            walk(child)

    walk(symtable.symtable(_without_magics(source), "<code>", "exec"))
    return found


def book_module(dotted: str | None, packages=BOOK_PACKAGES) -> str | None:
    """``lab.report`` → ``lab/report.py`` when it is one of the book's packages."""
    if dotted and dotted.split(".")[0] in packages:
        return dotted.replace(".", "/") + ".py"
    return None


def _is_main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and bool(MAIN_GUARD.match(ast.unparse(node)))


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def parse_code(text: str, path: str, packages=BOOK_PACKAGES) -> Module:
    """The top-level statements of some code, and its imports from the book."""
    lines = text.splitlines()
    tree = ast.parse(_without_magics(text))
    nodes, book_imports, main_body = [], {}, []
    previous_end = 0
    quiet = (
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Assign,
        ast.AnnAssign,
    )
    for index, statement in enumerate(tree.body):
        first, last = _first_line(statement), statement.end_lineno
        start = first
        while (
            start - 1 > previous_end
            and lines[start - 2].lstrip().startswith("#")
            and not SECTION_MARKER.match(lines[start - 2])
        ):
            start -= 1  # the comment right above belongs to it
        previous_end = last
        docstring = isinstance(statement, ast.Expr) and isinstance(
            statement.value, ast.Constant
        )
        if index == 0 and docstring:
            continue
        if _is_main_guard(statement):
            body = lines[statement.body[0].lineno - 1 : statement.end_lineno]
            indent = min(len(x) - len(x.lstrip()) for x in body if x.strip())
            main_body = [x[indent:] for x in body]
            continue
        if isinstance(statement, ast.ImportFrom) and (
            module := book_module(statement.module, packages)
        ):
            for alias in statement.names:
                book_imports[alias.asname or alias.name] = (module, alias.name)
            empty = frozenset()
            nodes.append(
                Node(path, index, first, last, first, "", empty, empty, False, True)
            )
            continue
        if isinstance(statement, ast.Import) and any(
            book_module(alias.name, packages) for alias in statement.names
        ):
            raise NotebookError(
                f"{path}:{first}: write `from {statement.names[0].name} import ...`: "
                "a notebook copies names, not modules"
            )
        nested = any(
            isinstance(child, ast.ImportFrom) and book_module(child.module, packages)
            for child in ast.walk(statement)
        )
        nodes.append(
            Node(
                path,
                index,
                first,
                last,
                start,
                "\n".join(lines[start - 1 : last]),
                frozenset(_bound_names(statement)),
                frozenset(_used_names(ast.unparse(statement))),
                not isinstance(statement, quiet),
                nested_book_import=nested,
                meaning=_meaning(statement),
                later=frozenset(_used_names(ast.unparse(statement), deferred=True)),
            )
        )
    return Module(path, lines, nodes, book_imports, main_body)


def _without_magics(text: str) -> str:
    """IPython's ``%magic`` and ``!shell`` lines as ``pass``, for ast."""
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if MAGIC.match(line) else line
        for line in text.splitlines()
    )


@cache
def _read_module(path: Path, mtime: float, relative: str, packages) -> Module:
    return parse_code(path.read_text(), relative, packages)


def read_module(repository: Path, relative: str, packages=BOOK_PACKAGES) -> Module:
    path = repository / relative
    if not path.is_file():
        raise NotebookError(f"{relative} does not exist in {repository}")
    return _read_module(path, path.stat().st_mtime, relative, tuple(packages))


def _replace_file_name(text: str, module: str) -> str:
    """``__file__`` → where the notebook keeps the module's files."""
    if "__file__" not in text:
        return text
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string == "__file__":
            token = token._replace(string=json.dumps(f"{FILES_FOLDER}/{module}"))
        tokens.append(token)
    return tokenize.untokenize(tokens)


class Inliner:
    """The repository code a notebook has defined so far, and what it still needs."""

    def __init__(self, repository: Path = REPOSITORY, packages=BOOK_PACKAGES):
        self.repository = repository
        self.packages = tuple(packages)
        self.current: dict[str, tuple] = {}  # name → the node (key) that bound it
        self.texts: dict[tuple, str] = {}  # node key → its code
        self.read_by: dict[str, set] = {}  # name → the copied nodes that read it
        self.meaning: dict[str, str | None] = {}  # name → what it stands for now
        self.names_of: dict[tuple, frozenset] = {}  # node key → the names it binds
        self.stale: dict[tuple, list] = {}  # node key → names redefined under it
        self.files: list[str] = []  # repository files the notebook reads
        self.started: set[str] = set()  # modules whose acting statements ran

    def module(self, path: str) -> Module:
        if path == SUPPORT:
            return read_module(REPOSITORY, SUPPORT, ("hooks",))
        return read_module(self.repository, path, self.packages)

    def resolve(self, module: str, name: str) -> tuple[str, str]:
        """Where ``name`` of ``module`` is defined, following imports."""
        seen = set()
        while (module, name) not in seen:
            seen.add((module, name))
            module, name = STAND_INS.get((module, name), (module, name))
            imported = self.module(module).book_imports.get(name)
            if imported is None:
                return module, name
            module, name = imported
        raise NotebookError(f"{module}: {name} imports itself")

    def closure(self, wants, exclude=frozenset()) -> list[Node]:
        """The nodes that define ``wants`` ((module, name) pairs), with their needs,
        in an order that runs.

        Nodes the notebook already ran, and whose names nothing rebound since,
        are left out, and so are the ``exclude`` keys (shown elsewhere).
        """
        chosen: dict[tuple, Node] = {}
        todo = [self.resolve(*want) for want in wants]
        visited = set()
        while todo:
            module, name = todo.pop()
            if (module, name) in visited:
                continue
            visited.add((module, name))
            source = self.module(module)
            binders = source.binders(name)
            if not binders:
                raise NotebookError(f"{module} defines no {name!r}")
            if module not in self.started:  # importing it runs these too
                binders += [node for node in source.nodes if node.acts]
            for node in binders:
                if node.key in chosen or node.key in exclude:
                    continue
                chosen[node.key] = node
                if node.nested_book_import:
                    raise NotebookError(
                        f"{module}:{node.first}: an import from the book's packages "
                        "inside a definition: import at the top of the file"
                    )
                for used in sorted(node.uses):
                    if used in source.book_imports:
                        todo.append(self.resolve(module, used))
                    elif source.binders(used):
                        todo.append((module, used))
        needed = []
        for node in chosen.values():
            if node.names:
                ran = all(
                    self.meaning.get(name) == node.meaning.get(name)
                    for name in node.names
                )
            else:
                ran = node.module in self.started
            if not ran:
                needed.append(node)
        return self._ordered(needed)

    def _ordered(self, nodes: list[Node]) -> list[Node]:
        """Modules after the modules they import from; a file's nodes in its order."""
        by_module: dict[str, list[Node]] = {}
        for node in nodes:
            by_module.setdefault(node.module, []).append(node)
        order: list[str] = []

        def visit(module: str, path: tuple = ()) -> None:
            if module in order or module in path:
                return
            imports = self.module(module).book_imports
            used = {name for node in by_module[module] for name in node.uses}
            for name in sorted(used & set(imports)):
                target = self.resolve(*imports[name])[0]
                if target in by_module:
                    visit(target, (*path, module))
            order.append(module)

        for module in by_module:
            visit(module)
        return [
            node
            for module in order
            for node in sorted(by_module[module], key=lambda n: n.index)
        ]

    def define(self, nodes: list[Node]) -> None:
        """Record that the notebook now runs ``nodes`` (in this order)."""
        for node in nodes:
            self._bind(node.names, node.key, node.meaning)
            self.names_of[node.key] = node.names
            for used in node.later:
                self.read_by.setdefault(used, set()).add(node.key)
            self.uses(node.uses, f"{node.module}:{node.first}")
            self.started.add(node.module)
            for name in node.names:
                for path in FILES_READ.get((node.module, name), ()):
                    if path not in self.files:
                        self.files.append(path)
            if "__file__" in node.text and not any(
                (node.module, name) in FILES_READ for name in node.names
            ):
                raise NotebookError(
                    f"{node.module}:{node.first}: code that uses __file__: say which "
                    "files it reads in FILES_READ (hooks/book_notebooks.py)"
                )

    def _mark_stale(self, name: str, before: tuple, module: str) -> None:
        """``module`` rebinds ``name``: code of ``before``'s file that reads it
        (and code that calls that code) may no longer run as the book's does."""
        todo = [r for r in self.read_by.get(name, set()) if r[0] == before[0]]
        seen = set()
        while todo:
            reader = todo.pop()
            if reader in seen:
                continue
            seen.add(reader)
            self.stale.setdefault(reader, []).append((name, before, module))
            for bound in self.names_of.get(reader, ()):
                todo += [r for r in self.read_by.get(bound, set()) if r[0] != "page"]

    def uses(self, names, where: str) -> None:
        """Code that runs now reads ``names``: each must still mean what its file
        meant by it, with the names its code reads."""
        for used in names:
            for name, original, module in self.stale.get(self.current.get(used), []):
                if self.current.get(name) != original:
                    raise NotebookError(
                        f"{where} uses {used!r}, which reads {name!r} of "
                        f"{original[0]}, redefined since by {module}: rename one"
                    )

    def page_defines(self, nodes: list[Node]) -> None:
        """A code block of the page ran: its names are the page's now."""
        for node in nodes:
            self._bind(node.names, ("page", 0), node.meaning)

    def _bind(self, names, key: tuple, meaning: dict) -> None:
        for name in names:
            before = self.current.get(name)
            if (
                before is not None
                and before[0] not in ("page", key[0])
                and self.meaning.get(name) != meaning.get(name)
            ):
                self._mark_stale(name, before, key[0])
            self.current[name] = key
            self.meaning[name] = meaning.get(name)

    def render(self, nodes: list[Node]) -> list[tuple[str, str]]:
        """(module, code) for each run of consecutive nodes of one module."""
        groups: list[tuple[str, list[Node]]] = []
        for node in nodes:
            if groups and groups[-1][0] == node.module:
                groups[-1][1].append(node)
            else:
                groups.append((node.module, [node]))
        return [
            (module, _join(module, group, self.module(module).lines))
            for module, group in groups
        ]


DEFINITION = ("def ", "class ", "@", "async def ")


def _join(module: str, nodes: list[Node], lines: list[str] | None = None) -> str:
    """Statements of one file in its order: its blank lines between neighbours,
    else one blank line (two around definitions)."""
    out = ""
    previous = None
    for node in nodes:
        text = _replace_file_name(node.text, module)
        if previous is not None:
            if lines is not None and node.index == previous.index + 1:
                gap = lines[previous.last : node.start - 1]
                blank = min(2, sum(1 for line in gap if not line.strip()))
            elif text.lstrip().startswith(
                DEFINITION
            ) or previous.text.lstrip().startswith(DEFINITION):
                blank = 2
            else:
                blank = 0 if _is_import(text) and _is_import(previous.text) else 1
            out += "\n" * (blank + 1)
        out += text
        previous = node
    return out.strip("\n")


def _then(first: str, second: str) -> str:
    """Two pieces of code: one blank line between them, two around a definition."""
    if not first:
        return second
    statements = ast.parse(_without_magics(first)).body
    definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    last = isinstance(statements[-1], definition) if statements else False
    around = last or second.lstrip().startswith(DEFINITION)
    return first + ("\n\n\n" if around else "\n\n") + second


def _is_import(text: str) -> bool:
    return text.lstrip().startswith(("import ", "from "))


def replace_book_imports(text: str, where: str, packages=BOOK_PACKAGES):
    """Code without its imports from the book; the (module, name)s they named;
    the code's statements.

    Each import becomes a comment that says where its names now come from.
    """
    module = parse_code(text, where, packages)
    lines = text.split("\n")
    wanted, replaced = [], {}
    for node in module.nodes:
        if not node.book:
            continue
        first = lines[node.first - 1]
        statement = ast.parse(
            "\n".join(lines[node.first - 1 : node.last]).strip()
        ).body[0]
        origin = book_module(statement.module, packages)
        for alias in statement.names:
            if alias.asname and alias.asname != alias.name:
                raise NotebookError(
                    f"{where}: `import {alias.name} as {alias.asname}` from the "
                    "book's code: import the name itself"
                )
        names = [alias.name for alias in statement.names]
        wanted += [(origin, name) for name in names]
        indent = first[: len(first) - len(first.lstrip())]
        comment = f"{indent}# {', '.join(names)}: defined above, from {origin}"
        replaced[node.first] = (node.last, comment)
    out, number = [], 1
    while number <= len(lines):
        if number in replaced:
            last, comment = replaced[number]
            out.append(comment)
            number = last + 1
        else:
            out.append(lines[number - 1])
            number += 1
    return "\n".join(out), wanted, module


# --- a page as Markdown that jupytext turns into cells -------------------------


def _fence(code: str, tags: tuple[str, ...] = ()) -> list[str]:
    info = "python" + (" tags=" + json.dumps(list(tags)) if tags else "")
    return ["", f"```{info}", code, "```", ""]


def _listing(items: list[str]) -> str:
    quoted = [f"`{item}`" for item in items]
    return (
        ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]
    )


@dataclass
class Flattener:
    """Writes a page as notebook Markdown, one fence per code cell."""

    inliner: Inliner
    out: list[str] = field(default_factory=list)

    def copy_in(self, nodes: list[Node], names: list[str]) -> None:
        """Cells holding the book's code that the next cell needs (``names``)."""
        if not nodes:
            return
        self.inliner.define(nodes)
        rendered = self.inliner.render(nodes)
        files = sorted({module for module, _ in rendered})
        cells = "cells define" if len(rendered) > 1 else "cell defines"
        defined = {name for node in nodes for name in node.names}
        names = [name for name in names if name in defined]
        what = _listing(names) if names else "what the cell below uses"
        self.out += [
            "",
            f"*From the book's code: the next {cells} {what} as {_listing(files)} "
            f"{'do' if len(files) > 1 else 'does'} in the book's repository.*",
            "",
        ]
        for module, code in rendered:
            self.out += _fence(f"# From {module}\n{code}", (HELPER,))

    def code_block(self, body: str, where: str) -> None:
        """A code block of the page: what it imports from the book comes first."""
        packages = self.inliner.packages
        code, wanted, module = replace_book_imports(body, where, packages)
        names = sorted({name for _, name in wanted})
        self.copy_in(self.inliner.closure(wanted), names)
        self.inliner.uses({name for node in module.nodes for name in node.uses}, where)
        self.out += _fence(code)
        self.inliner.page_defines(module.nodes)

    def include_block(self, includes: list[Include]) -> None:
        """Sections of a snippet file: the rest of the file they need, then them."""
        files = {include.file for include in includes}
        if len(files) != 1:
            raise NotebookError(f"one code block includes {sorted(files)}")
        file = files.pop()
        source = self.inliner.module(file)
        self.inliner.started.add(file)  # the page shows what it runs
        headers, parts, wants, shown = [], [], [], []
        for include in includes:
            first, last = _section_lines(source.lines, include.section)
            text = "\n".join(
                line
                for line in source.lines[first - 1 : last]
                if not SECTION_MARKER.match(line)
            )
            code, wanted, _ = replace_book_imports(text, file, self.inliner.packages)
            nodes = source.nodes_within(first, last)
            shown += nodes
            bound = {name for node in nodes for name in node.names}
            wants += wanted + [
                (file, used)
                for node in nodes
                for used in sorted(node.uses - bound)
                if source.binders(used) or used in source.book_imports
            ]
            section = include.section
            headers.append(
                f"# {file}" + (f' (the part marked "{section}")' if section else "")
            )
            parts.append(code.strip("\n"))
        exclude = frozenset(node.key for node in shown)
        nodes = self.inliner.closure(wants, exclude)
        self.copy_in([node for node in nodes if node.module != file], [])
        own = [node for node in nodes if node.module == file]
        self.inliner.define(own)
        context = _join(file, own, source.lines)
        code = "\n".join(headers) + "\n" + _then(context, "\n\n\n".join(parts))
        self.out += _fence(code)
        self.inliner.define([node for node in shown if not node.book])

    def run_script(self, file: str) -> None:
        """The cell that runs a script's ``if __name__`` block, as the page shows."""
        source = self.inliner.module(file)
        body = "\n".join(source.main_body)
        body = re.sub(r"^sys\.exit\((.*)\)$", r"\1", body, flags=re.M)
        used = sorted(_used_names(body))
        self.inliner.uses(used, f"running {file}")
        wants = [(file, name) for name in used if source.binders(name)]
        wants += [
            source.book_imports[name] for name in used if name in source.book_imports
        ]
        nodes = self.inliner.closure(wants)
        self.copy_in([node for node in nodes if node.module != file], [])
        own = [node for node in nodes if node.module == file]
        self.inliner.define(own)
        context = _join(file, own, source.lines)
        code = f"# python {file}: what the file does when run as a script\n"
        code += _then(context, body)
        self.out += _fence(code, (RUN,))


def _section_lines(lines: list[str], name: str | None) -> tuple[int, int]:
    """The 1-based first and last line of a section (the whole file for None)."""
    if name is None:
        return 1, len(lines)
    start, end = f"[start:{name}]", f"[end:{name}]"
    begin = next((i for i, line in enumerate(lines) if start in line), None)
    stop = next((i for i, line in enumerate(lines) if end in line), None)
    if begin is None or stop is None or stop < begin:
        raise NotebookError(f"no section {name!r}")
    return begin + 2, stop


def flatten(markdown_text: str, inliner: Inliner) -> str:
    """Rewrite site-only Markdown as plain Markdown that jupytext turns into cells.

    The structure comes from the book's parser: each fence becomes a cell (or
    text), each tab or admonition a bold title, and pytest's comments go.
    """
    page = page_from_text(markdown_text)
    lines = markdown_text.split("\n")
    fences = {fence.line - 1: fence for fence in page.fences}
    titles = {
        token.map[0]: admonition_title(token)
        for token in page.tokens
        if token.type == "admonition_open" and token.map
    }
    flat = Flattener(inliner)
    script = None  # the script whose definitions the last block showed
    index = 0
    while index < len(lines):
        line = lines[index]
        if index in fences:
            fence = fences[index]
            script = _fence_cells(fence, flat, script)
            index = fence.end_line
            continue
        if index in titles:
            kind, title = titles[index]
            title = title if title or kind == "tab" else kind.capitalize()
            if title:
                flat.out += ["", f"**{title}**", ""]
        elif not (CODEBLOCKS_MARKER.match(line) or PYTEST_MARK.match(line)):
            flat.out.append(line.lstrip())
        index += 1
    return _single_blank_lines("\n".join(flat.out)).strip() + "\n"


def _single_blank_lines(text: str) -> str:
    """At most one blank line in a row, outside code fences."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out)


def _fence_cells(fence, flat: Flattener, script: str | None) -> str | None:
    """A fence as notebook Markdown; returns the script whose definitions it showed."""
    includes = fence.includes
    shows_output_of = [
        include.file[:-4] + ".py"
        for include in includes
        if include.file.endswith(".out")
    ]
    if script and shows_output_of == [script]:
        flat.run_script(script)  # the page shows what the script prints when run
    runnable = fence.language == "python" and not fence.skipped
    if runnable and includes:
        flat.include_block(includes)
        files = {include.file for include in includes}
        file = files.pop()
        has_main = bool(flat.inliner.module(file).main_body)
        return file if has_main else None
    if runnable:
        flat.code_block(fence.body.rstrip("\n"), "a code block of the page")
        return None
    body = fence.body.rstrip("\n").split("\n")
    lines = [f"```{fence.language or 'text'}", *body, "```"]
    if fence.language not in ("text", ""):
        # jupytext would make a cell of it: keep it as Markdown text.
        lines = ["<!-- #region -->", *lines, "<!-- #endregion -->"]
    flat.out += ["", *lines, ""]
    return None


def _expand_includes(text: str, snippet_config: dict) -> str:
    """Expand the remaining ``--8<--`` lines (outputs) exactly as the site does."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippet_config},
    )
    return "\n".join(md.preprocessors["snippet"].run(text.splitlines()))


def rewrite_links(text: str, src_uri: str, address: Address, url_of) -> str:
    """Links to the book's pages and files as addresses of the hosted site.

    ``url_of(docs path)`` gives where the site has it (None: nowhere). Without
    the site's address a notebook cannot reach them: the link text stays.
    """
    here = PurePosixPath(src_uri).parent

    def link(match: re.Match) -> str:
        href = match["href"]
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", href):
            return match[0]
        path, _, anchor = href.partition("#")
        target = str(PurePosixPath(os.path.normpath(here / path)))
        where = url_of(target)
        url = address.url(where) if where is not None else None
        if url is None:
            return match["text"]
        return f"[{match['text']}]({url}{'#' + anchor if anchor else ''})"

    return LINK.sub(link, text)


def _attach_images(notebook, docs_dir: Path, src_uri: str) -> None:
    """Embed each local image of a Markdown cell as an attachment of that cell."""
    here = docs_dir / PurePosixPath(src_uri).parent
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        attachments = {}

        def attach(match: re.Match, attachments: dict = attachments) -> str:
            src = match["src"]
            path = (here / src).resolve()
            if re.match(r"^[a-z][a-z0-9+.-]*:", src) or not path.is_file():
                return match[0]
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            attachments[path.name] = {mime: data}
            return f"![{match['alt']}](attachment:{path.name})"

        cell.source = IMAGE.sub(attach, cell.source)
        if attachments:
            cell.attachments = attachments


# --- the notebook ----------------------------------------------------------------


def pinned_versions(repository: Path = REPOSITORY) -> dict[str, str]:
    pins = {}
    for line in (repository / "requirements.txt").read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line):
            pins[match[1].lower()] = match[2]
    return pins


def imported_modules(notebook) -> set[str]:
    """The top-level modules that the code cells import."""
    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_without_magics(cell.source))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def requirements(notebook, repository: Path = REPOSITORY) -> list[str]:
    """``pip install`` arguments for what the notebook imports, at the book's pins."""
    pins = pinned_versions(repository)
    needed = []
    for module in sorted(imported_modules(notebook)):
        if module in sys.stdlib_module_names or module in ALWAYS_THERE:
            continue
        package = PACKAGES.get(module)
        if package is None or package not in pins:
            raise NotebookError(
                f"the notebook imports {module}, which is not one of the book's "
                "pinned packages (PACKAGES in hooks/book_notebooks.py)"
            )
        needed.append(f"{package}=={pins[package]}")
    return needed


def files_cell(files: list[str], address: Address, repository: Path) -> str:
    """The code cell that downloads the files the notebook reads, and checks them."""
    digests = {
        path: hashlib.sha256((repository / path).read_bytes()).hexdigest()
        for path in files
    }
    support = read_module(REPOSITORY, SUPPORT, ("hooks",))
    wanted = {"BOOK_SITE", "BOOK_FILES", "BOOK_FOLDER", "fetch_book_files"}
    chosen, todo = {}, list(wanted)
    while todo:
        name = todo.pop()
        for node in support.binders(name):
            if node.key not in chosen:
                chosen[node.key] = node
                todo += [used for used in node.uses if support.binders(used)]
    parts = []
    for node in sorted(chosen.values(), key=lambda n: n.index):
        if "BOOK_SITE" in node.names:
            site = "None" if address.site_url is None else json.dumps(address.site_url)
            node = replace(node, text=f"BOOK_SITE = {site}  # the book's address")
        elif "BOOK_FILES" in node.names:
            entries = "".join(  # a digest on a line of its own: no sideways scroll
                f"\n    {json.dumps(k)}:\n        {json.dumps(v)},"
                for k, v in digests.items()
            )
            text = "BOOK_FILES = {  # repository path: SHA-256" + entries + "\n}"
            node = replace(node, text=text)
        parts.append(node)
    code = _join(SUPPORT, parts, support.lines)
    return (
        "# The files of the book that this notebook's code reads: downloaded once\n"
        "# from the book's site and checked against their SHA-256.\n"
        f"{code}\n\n\nfetch_book_files()"
    )


PREAMBLE = (
    "*This notebook is {what} of {site}, ready to run in Jupyter or Colab from "
    "any folder, with Python 3.11 and the book's packages: "
    "`pip install {packages}`. The code it uses from the book's repository is "
    "copied into the cells marked “From the book's code”{files}.*"
)


def _preamble(notebook, what, site_name, url, files, address, repository) -> str:
    if files and address.site_url:
        where = (
            "; its first code cell downloads the files that code reads from the "
            "book's site, and checks them"
        )
    elif files:
        where = (
            "; the files that code reads come from the book's site, whose address "
            f"this copy lacks: put them in `{FILES_FOLDER}/` beside it (its first "
            "code cell names them)"
        )
    else:
        where = ""
    return PREAMBLE.format(
        what=f"[{what}]({url})" if url else what,
        site=site_name,
        packages=" ".join(requirements(notebook, repository)) or "jupyter",
        files=where,
    )


def _finish(notebook, preamble: str, files: list[str], address, repository):
    """Preamble and file cell after the title; ids, tags and metadata."""
    position = 1 if notebook.cells and notebook.cells[0].source.startswith("# ") else 0
    if position:
        first, _, rest = notebook.cells[0].source.partition("\n")
        notebook.cells[0].source = first
        if rest.strip():
            notebook.cells.insert(1, nbformat.v4.new_markdown_cell(rest.strip()))
    added = [nbformat.v4.new_markdown_cell(preamble)]
    if files:
        cell = nbformat.v4.new_code_cell(files_cell(files, address, repository))
        cell.metadata["tags"] = [HELPER]
        added.append(cell)
    notebook.cells[position:position] = added
    notebook.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(notebook.cells):
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT and v}
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(notebook)
    return notebook


def default_url_of(docs_dir: Path):
    """Where the site puts a docs file, without a build: pages at their URL."""

    def url_of(src_uri: str) -> str | None:
        if not (docs_dir / src_uri).is_file():
            return None
        if src_uri.endswith(".md") or fnmatch(src_uri, "notebooks/*.py"):
            return page_url(src_uri)
        return src_uri

    return url_of


def chapter_notebook(
    path: Path,
    docs_dir: Path,
    site_name: str,
    address: Address,
    snippet_config: dict | None = None,
    repository: Path = REPOSITORY,
    url_of=None,
    packages=BOOK_PACKAGES,
):
    """The notebook of the chapter at ``path`` (inside docs_dir), and the
    repository files it reads. Snippet paths are relative to ``repository``."""
    src_uri = path.relative_to(docs_dir).as_posix()
    text = path.read_text()
    config = {"base_path": ["."], "check_paths": True}
    config.update(snippet_config or {})
    config["base_path"] = [str(repository / p) for p in config["base_path"]]
    inliner = Inliner(repository, packages)
    try:
        flat = flatten(text, inliner)
    except NotebookError as error:
        raise NotebookError(f"{src_uri}: {error}") from None
    flat = _expand_includes(flat, config)
    flat = ATTR_LIST.sub("", flat)
    flat = rewrite_links(flat, src_uri, address, url_of or default_url_of(docs_dir))
    # no blank line before a closing fence (an included file's last newline)
    flat = re.sub(r"\n{2,}```(\n|$)", r"\n```\1", flat)
    notebook = jupytext.reads(flat, fmt="md")
    _attach_images(notebook, docs_dir, src_uri)
    match = TITLE.search(text)
    title = match["title"] if match else PurePosixPath(src_uri).stem
    what = f"the chapter “{title}”"
    url = address.url(page_url(src_uri))
    preamble = _preamble(
        notebook, what, site_name, url, inliner.files, address, repository
    )
    notebook = _finish(notebook, preamble, inliner.files, address, repository)
    return notebook, inliner.files


def script_notebook(
    path: Path,
    docs_dir: Path,
    site_name: str,
    address: Address,
    repository: Path = REPOSITORY,
    url_of=None,
):
    """A jupytext notebook of docs/ (the lab notebook) that runs anywhere, and the
    repository files it reads: its imports from the book become cells before."""
    src_uri = path.relative_to(docs_dir).as_posix()
    source = jupytext.read(path)
    inliner = Inliner(repository)
    flat = Flattener(inliner)
    cells = []
    for cell in source.cells:
        if cell.cell_type != "code":
            text = rewrite_links(
                cell.source, src_uri, address, url_of or default_url_of(docs_dir)
            )
            cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        flat.out = []
        try:
            flat.code_block(cell.source, f"{src_uri}, a code cell")
        except NotebookError as error:
            raise NotebookError(f"{src_uri}: {error}") from None
        made = jupytext.reads("\n".join(flat.out), fmt="md").cells
        made[-1].metadata.update(cell.metadata)  # the cell itself comes last
        cells += [c for c in made if c.cell_type == "code" or c.source.strip()]
    notebook = nbformat.v4.new_notebook(cells=cells)
    title = TITLE.search(source.cells[0].source) if source.cells else None
    what = f"the page “{title['title']}”" if title else f"the notebook {src_uri}"
    url = address.url(page_url(src_uri))
    preamble = _preamble(
        notebook, what, site_name, url, inliner.files, address, repository
    )
    notebook = _finish(notebook, preamble, inliner.files, address, repository)
    return notebook, inliner.files


def authored(notebook) -> list:
    """The code cells a notebook's source wrote (not copied from the book's code)."""
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and HELPER not in cell.metadata.get("tags", [])
    ]


def stored_path(path: Path) -> Path:
    """Where a jupytext notebook's executed copy is kept: ``<name>.ipynb``."""
    return path.with_suffix(".ipynb")


def with_stored_outputs(notebook, source: Path):
    """The notebook made from the jupytext ``source``, with the outputs kept in
    ``stored_path(source)``: the source's notebook as it ran (``store``).

    The stored code cells must be the source's, else the outputs are stale.
    """
    written = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    stored = nbformat.read(stored_path(source), 4)
    kept = [c for c in stored.cells if c.cell_type == "code"]
    built = authored(notebook)
    if [c.source for c in kept] != [c.source for c in written] or len(built) != len(
        written
    ):
        raise NotebookError(
            f"{stored_path(source).name} does not hold the outputs of the cells "
            f"of {source.name} as they are: run "
            f"`python -m hooks.book_notebooks store {source}`"
        )
    notebook = copy.deepcopy(notebook)
    for cell, old in zip(authored(notebook), kept, strict=True):
        cell.outputs, cell.execution_count = old.outputs, old.execution_count
    return notebook


def notebook_of_page(path: Path, address: Address | None = None):
    """The notebook the site offers for a docs page (chapter or lab notebook)."""
    return notebook_and_files(path, address)[0]


def notebook_and_files(path: Path, address: Address | None = None):
    """The notebook the site offers for a docs page (chapter or lab notebook),
    and the repository files it reads; the address defaults to mkdocs.yml's."""
    from mkdocs.config import load_config

    config = load_config(str(REPOSITORY / "mkdocs.yml"))
    address = address or address_of(config)
    docs_dir = Path(config["docs_dir"])
    path = Path(path).resolve()
    if path.suffix == ".py":
        notebook, files = script_notebook(path, docs_dir, config["site_name"], address)
        if stored_path(path).is_file():
            notebook = with_stored_outputs(notebook, path)
        return notebook, files
    return chapter_notebook(
        path, docs_dir, config["site_name"], address, snippet_config(config)
    )


def snippet_config(config) -> dict:
    return dict(config["mdx_configs"].get("pymdownx.snippets", {}))


def store(path: Path) -> Path:
    """Execute the lab notebook outside the repository; keep it with its outputs."""
    from mkdocs.config import load_config
    from nbclient import NotebookClient

    path = Path(path).resolve()
    config = load_config(str(REPOSITORY / "mkdocs.yml"))
    notebook, files = script_notebook(
        path, Path(config["docs_dir"]), config["site_name"], Address()
    )
    with tempfile.TemporaryDirectory() as folder:
        for name in files:
            target = Path(folder) / FILES_FOLDER / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPOSITORY / name, target)
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
        environment.pop("MPLBACKEND", None)
        NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=900,
            resources={"metadata": {"path": folder}},
        ).execute(env=environment, cwd=folder)
    # The source's own cells, with what the notebook's printed and drew: the
    # copied code of the book is made afresh by every build.
    source = jupytext.read(path)
    written = [c for c in source.cells if c.cell_type == "code"]
    for cell, ran in zip(written, authored(notebook), strict=True):
        cell.execution_count = ran.execution_count
        cell.outputs = [
            output
            for output in ran.outputs
            if not (output.output_type == "stream" and output.name == "stderr")
        ]
    source.metadata = {"kernelspec": notebook.metadata["kernelspec"]}
    notebook = source
    target = stored_path(path)
    nbformat.write(notebook, target)
    return target


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    storing = commands.add_parser(
        "store", help="execute a jupytext notebook of docs/ and keep its outputs"
    )
    storing.add_argument("notebook", type=Path)
    arguments = parser.parse_args()
    print(store(arguments.notebook))
