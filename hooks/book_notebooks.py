"""Each chapter of the book as a Jupyter notebook, made from its Markdown.

The page is read by the book's parser (``hooks/book_markdown.py``); what only
the site understands is flattened, then jupytext turns the Markdown into cells:

- tabs and admonitions become a bold title followed by their content;
- ``--8<--`` snippet includes are expanded: a code include becomes a code cell
  holding the snippet (the whole file the first time it appears, if the part
  shown needs the rest of the file to run), an output include becomes its text;
- the pytest comments are dropped; shell commands and skipped code stay as
  text rather than becoming cells;
- figures are embedded as cell attachments, links to other pages point to the
  hosted site.

``hooks/notebooks.py`` offers each notebook on the site;
``tests/test_notebooks.py`` executes them.
"""

import ast
import base64
import mimetypes
import re
from pathlib import Path, PurePosixPath

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
    snippet_section,
)

REPOSITORY = Path(__file__).resolve().parent.parent

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?P<rest>[^)]*)\)")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)")
ATTR_LIST = re.compile(r"(?<=[)\]])\{:?\s*[^}\n]*\}")
TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.M)
MAIN_GUARD = re.compile(r"^if\s+__name__\s*==\s*[\"']__main__[\"']\s*:", re.M)
MAIN_GUARD_BLOCK = re.compile(
    r"^if\s+__name__\s*==\s*[\"']__main__[\"']\s*:.*?(?=^\S|\Z)", re.M | re.S
)

# What readers need to run a notebook, shown in its first cell.
PREAMBLE = (
    "*This notebook is generated from the chapter “{title}” of {site}{url}. "
    "Run it from the root of the book's repository, in the book's environment "
    "(`make install`): some cells import the repository's `lab` and `snippets` "
    "packages.*"
)


def is_chapter(src_uri: str, markdown_text: str) -> bool:
    """A page other than the home page gets a notebook when it holds Python code."""
    return src_uri != "index.md" and any(
        fence.language == "python" for fence in page_from_text(markdown_text).fences
    )


def notebook_name(src_uri: str) -> str:
    """``tensors.md`` → ``tensors.ipynb``; ``part/index.md`` → ``part/index.ipynb``."""
    return str(PurePosixPath(src_uri).with_suffix(".ipynb"))


def page_url(src_uri: str, site_url: str) -> str:
    """Where a page lives on the hosted site (directory URLs)."""
    path = PurePosixPath(src_uri)
    directory = (
        path.parent if path.stem in ("index", "README") else path.with_suffix("")
    )
    relative = "" if str(directory) == "." else f"{directory}/"
    return site_url.rstrip("/") + "/" + relative


def _docstring_lines(source: str) -> range:
    """The line numbers (1-based) of a module's docstring, if it has one."""
    body = ast.parse(source).body
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return range(first.lineno, first.end_lineno + 1)
    return range(0)


def _outside_sections(path: Path) -> list[str]:
    """The code of a snippet file outside its sections, without its docstring."""
    source = path.read_text()
    docstring = _docstring_lines(source)
    outside, depth = [], 0
    for number, line in enumerate(source.splitlines(), start=1):
        marker = SECTION_MARKER.match(line)
        if marker:
            depth += 1 if marker[1] == "start" else -1
        elif depth == 0 and number not in docstring and line.strip():
            outside.append(line)
    return outside


def _acts_when_imported(source: str) -> bool:
    """True for a script: top-level statements other than definitions and imports."""
    quiet = (
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Assign,
        ast.AnnAssign,
    )
    for node in ast.parse(source).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        guard = isinstance(node, ast.If) and MAIN_GUARD.match(ast.unparse(node))
        if not (isinstance(node, quiet) or docstring or guard):
            return True
    return False


def has_main_guard(path: Path) -> bool:
    return bool(MAIN_GUARD.search(path.read_text()))


def module_name(file: str) -> str:
    """``snippets/tensors/draw_digit.py`` → ``snippets.tensors.draw_digit``."""
    return str(PurePosixPath(file).with_suffix("")).replace("/", ".")


def _snippet_cell(include: Include, base: Path, seen: set[Path]) -> list[str]:
    """The code cell for ``--8<-- "file.py:section"``: the part the page shows.

    The first time a file appears, if it has code outside the part shown, that
    code (imports, helpers) comes first. A file that only defines things (or
    keeps its actions behind a ``__main__`` guard) is imported as a module and
    its names copied into the notebook; a plain script has the lines outside
    its sections copied in, since importing it would run it.
    """
    file, name = include.file, include.section
    path = base / file
    shown = snippet_section(path, name or None)
    code = [f"# {file}" + (f' (the part marked "{name}")' if name else "")]
    if path not in seen and name and (outside := _outside_sections(path)):
        if _acts_when_imported(path.read_text()):
            code += [*outside, ""]
        else:
            code += [
                f"import {module_name(file)} as _snippet  # the rest of the file",
                "globals().update({k: v for k, v in vars(_snippet).items() "
                'if not k.startswith("__")})',
                "",
            ]
    elif not name and has_main_guard(path):
        shown = MAIN_GUARD_BLOCK.sub("", "\n".join(shown)).splitlines()
    seen.add(path)
    return code + shown


def _run_cell(file: str) -> list[str]:
    """The cell that runs a snippet as the page's output shows it run."""
    return [f"# python {file}", f"%run -m {module_name(file)}"]


def _fence_cells(fence, base: Path, seen: set[Path], script: str | None):
    """A fence as notebook Markdown, and the script whose definitions it showed."""
    out = []
    includes = fence.includes
    shows_output_of = [
        include.file[:-4] + ".py"
        for include in includes
        if include.file.endswith(".out")
    ]
    if script and shows_output_of == [script]:
        # The page shows what the script prints when run: run it.
        out += ["", "```python", *_run_cell(script), "```", ""]
    script = None
    body = fence.body.rstrip("\n").split("\n")
    if fence.language == "python" and includes:
        body = [line for inc in includes for line in _snippet_cell(inc, base, seen)]
        files = {include.file for include in includes}
        if len(files) == 1 and has_main_guard(base / (file := files.pop())):
            script = file
    runnable = fence.language == "python" and not fence.skipped
    lines = [f"```{fence.language or 'text'}", *body, "```"]
    if not runnable and fence.language not in ("text", ""):
        # jupytext would make a cell of it: keep it as Markdown text.
        lines = ["<!-- #region -->", *lines, "<!-- #endregion -->"]
    return [*out, "", *lines, ""], script


def flatten(markdown_text: str, base: Path = REPOSITORY) -> str:
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
    out: list[str] = []
    seen: set[Path] = set()
    script = None  # the script whose definitions the last block showed
    index = 0
    while index < len(lines):
        line = lines[index]
        if index in fences:
            fence = fences[index]
            cells, script = _fence_cells(fence, base, seen, script)
            out += cells
            index = fence.end_line
            continue
        if index in titles:
            kind, title = titles[index]
            title = title if title or kind == "tab" else kind.capitalize()
            if title:
                out += ["", f"**{title}**", ""]
        elif not (CODEBLOCKS_MARKER.match(line) or PYTEST_MARK.match(line)):
            out.append(line.lstrip())
        index += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _expand_includes(text: str, snippet_config: dict) -> str:
    """Expand the remaining ``--8<--`` lines (outputs) exactly as the site does."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippet_config},
    )
    return "\n".join(md.preprocessors["snippet"].run(text.splitlines()))


def _rewrite_links(text: str, src_uri: str, site_url: str) -> str:
    """Point links to other pages at the hosted site (a notebook has no neighbours)."""
    here = PurePosixPath(src_uri).parent

    def link(match: re.Match) -> str:
        href = match["href"]
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", href):
            return match[0]
        path, _, anchor = href.partition("#")
        target = PurePosixPath(*(here / path).parts)
        url = (
            page_url(str(target), site_url)
            if path.endswith(".md")
            else (site_url.rstrip("/") + "/" + str(target))
        )
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


def chapter_notebook(
    path: Path,
    docs_dir: Path,
    site_name: str,
    site_url: str,
    snippet_config: dict | None = None,
    repository: Path = REPOSITORY,
) -> nbformat.NotebookNode:
    """The notebook of the chapter whose Markdown is at ``path`` (inside docs_dir).

    Snippet paths are relative to ``repository``, as MkDocs runs from there.
    """
    src_uri = path.relative_to(docs_dir).as_posix()
    text = path.read_text()
    config = {"base_path": ["."], "check_paths": True}
    config.update(snippet_config or {})
    config["base_path"] = [str(repository / p) for p in config["base_path"]]
    flat = flatten(text, repository)
    flat = _expand_includes(flat, config)
    flat = ATTR_LIST.sub("", flat)
    flat = _rewrite_links(flat, src_uri, site_url)
    # no blank line before a closing fence (an included file's last newline)
    flat = re.sub(r"\n{2,}```(\n|$)", r"\n```\1", flat)
    notebook = jupytext.reads(flat, fmt="md")
    _attach_images(notebook, docs_dir, src_uri)
    match = TITLE.search(text)
    title = match["title"] if match else PurePosixPath(src_uri).stem
    url = f" ({page_url(src_uri, site_url)})" if site_url else ""
    preamble = PREAMBLE.format(title=title, site=site_name, url=url)
    position = 1 if notebook.cells and notebook.cells[0].source.startswith("# ") else 0
    if position:
        first, _, rest = notebook.cells[0].source.partition("\n")
        notebook.cells[0].source = first
        if rest.strip():
            notebook.cells.insert(1, nbformat.v4.new_markdown_cell(rest.strip()))
    notebook.cells.insert(position, nbformat.v4.new_markdown_cell(preamble))
    notebook.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(notebook.cells):
        cell.metadata = {}
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(notebook)
    return notebook


def snippet_config(config) -> dict:
    return dict(config["mdx_configs"].get("pymdownx.snippets", {}))


def notebook_of_page(path: Path, config_file: Path = REPOSITORY / "mkdocs.yml"):
    """The notebook the site offers for the page at ``path``, outside a build."""
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    return chapter_notebook(
        Path(path).resolve(),
        Path(config["docs_dir"]),
        config["site_name"],
        config["site_url"] or "",
        snippet_config(config),
    )
