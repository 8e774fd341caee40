"""Offer every chapter as a Jupyter notebook generated from its Markdown.

An MkDocs hook (``hooks:`` in mkdocs.yml), so ``mkdocs serve`` and ``mkdocs
build`` both do it. For each page whose Markdown holds Python code, it writes
``<chapter>.ipynb`` beside the page in the built site and puts a download
link under the page's title. The notebook is made by jupytext from the page's
Markdown after flattening what only the site understands:

- tabs and admonitions become a bold title followed by their content;
- ``--8<--`` snippet includes are expanded: a code include becomes a code cell
  holding the snippet (the whole file the first time it appears, if the part
  shown needs the rest of the file to run), an output include becomes its text;
- the pytest-codeblocks comments are dropped; shell commands and skipped code
  stay as text rather than becoming cells;
- figures are embedded as cell attachments, links to other pages point to the
  hosted site.

``tests/test_notebooks.py`` executes every generated notebook top to bottom.

    python hooks/notebooks.py docs/tensors.md out.ipynb   # one notebook, by hand
"""

import ast
import base64
import mimetypes
import re
import sys
from pathlib import Path, PurePosixPath

import jupytext
import markdown
import nbformat
from mkdocs.structure.files import File

REPOSITORY = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
INCLUDE = re.compile(r"^\s*-{1,3}8<-{1,3}\s+[\"'](?P<target>[^\"']+)[\"']\s*$")
SECTION_MARKER = re.compile(r"^\s*#\s*-{1,3}8<-{1,3}\s*\[(start|end):[^\]]*\]\s*$")
ADMONITION = re.compile(
    r"^\s*(?:!!!|\?\?\?\+?)\s*(?P<kind>[\w-]+)(?:\s+[^\"]*)?(?:\s*\"(?P<title>.*)\")?\s*$"
)
TAB = re.compile(r"^\s*===\+?\s+\"(?P<title>.*)\"\s*$")
PYTEST_COMMENT = re.compile(r"^\s*<!--[-\s]*(?P<what>pytest[.-].*?)[-\s]*-->\s*$")
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
        fence_language(m["info"]) == "python"
        for line in markdown_text.splitlines()
        if (m := FENCE.match(line))
    )


def fence_language(info: str) -> str:
    words = info.strip().lstrip("{.").split()
    return words[0].rstrip("}").lower() if words else ""


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


def _section(path: Path, name: str | None) -> list[str]:
    """The lines of a snippet file (or of one named section), without markers."""
    lines = path.read_text().splitlines()
    if name is not None:
        start = f"[start:{name}]"
        end = f"[end:{name}]"
        begin = next((i for i, line in enumerate(lines) if start in line), None)
        stop = next((i for i, line in enumerate(lines) if end in line), None)
        if begin is None or stop is None or stop < begin:
            raise ValueError(f"{path}: no section {name!r}")
        lines = lines[begin + 1 : stop]
    return [line for line in lines if not SECTION_MARKER.match(line)]


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


def _snippet_cell(target: str, base: Path, seen: set[Path]) -> list[str]:
    """The code cell for ``--8<-- "file.py:section"``: the part the page shows.

    The first time a file appears, if it has code outside the part shown, that
    code (imports, helpers) comes first. A file that only defines things (or
    keeps its actions behind a ``__main__`` guard) is imported as a module and
    its names copied into the notebook; a plain script has the lines outside
    its sections copied in, since importing it would run it.
    """
    file, _, name = target.partition(":")
    path = base / file
    shown = _section(path, name or None)
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


def flatten(markdown_text: str, base: Path = REPOSITORY) -> str:
    """Rewrite site-only Markdown as plain Markdown that jupytext turns into cells."""
    out: list[str] = []
    lines = markdown_text.splitlines()
    seen: set[Path] = set()
    skip_next = False
    script = None  # the script whose definitions the last block showed
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE.match(line)
        if opening:
            indent, ticks = len(opening["indent"]), opening["ticks"]
            body = []
            index += 1
            while index < len(lines) and not (
                lines[index].strip().startswith(ticks)
                and not lines[index].strip()[len(ticks) :].strip()
            ):
                text = lines[index]
                body.append(
                    text[indent:] if not text[:indent].strip() else text.lstrip()
                )
                index += 1
            language = fence_language(opening["info"])
            includes = [m["target"] for b in body if (m := INCLUDE.match(b))]
            shows_output_of = [
                t.rsplit(".", 1)[0] + ".py" for t in includes if t.endswith(".out")
            ]
            if script and shows_output_of == [script]:
                # The page shows what the script prints when run: run it.
                out += ["", "```python", *_run_cell(script), "```", ""]
            script = None
            if language == "python" and includes:
                body = [c for t in includes for c in _snippet_cell(t, base, seen)]
                files = {t.partition(":")[0] for t in includes}
                if len(files) == 1 and has_main_guard(base / (file := files.pop())):
                    script = file
            runnable = language == "python" and not skip_next
            fence = [f"```{language if language else 'text'}", *body, "```"]
            if not runnable and language not in ("text", ""):
                # jupytext would make a cell of it: keep it as Markdown text.
                fence = ["<!-- #region -->", *fence, "<!-- #endregion -->"]
            out += ["", *fence, ""]
            skip_next = False
        elif comment := PYTEST_COMMENT.match(line):
            what = comment["what"]
            if "skip" in what:
                skip_next = True
        elif heading := ADMONITION.match(line):
            title = heading["title"]
            if title is None:
                title = heading["kind"].capitalize()
            if title:
                out += ["", f"**{title}**", ""]
        elif tab := TAB.match(line):
            out += ["", f"**{tab['title']}**", ""]
        else:
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


# --- the MkDocs hook ---------------------------------------------------------

_notebooks: dict[str, str] = {}  # page src_uri → notebook src_uri, for this build


def _snippet_config(config) -> dict:
    return dict(config["mdx_configs"].get("pymdownx.snippets", {}))


def on_files(files, config):
    """Generate the notebook of every chapter as a file of the site."""
    _notebooks.clear()
    docs_dir = Path(config["docs_dir"])
    for page in list(files.documentation_pages()):
        if not page.src_uri.endswith(".md") or not page.abs_src_path:
            continue
        path = Path(page.abs_src_path)
        if not is_chapter(page.src_uri, path.read_text()):
            continue
        name = notebook_name(page.src_uri)
        notebook = chapter_notebook(
            path,
            docs_dir,
            config["site_name"],
            config["site_url"] or "",
            _snippet_config(config),
        )
        files.append(File.generated(config, name, content=nbformat.writes(notebook)))
        _notebooks[page.src_uri] = name
    return files


def on_page_markdown(markdown_text, page, config, files):
    """Put the notebook's download link right under the page's title."""
    name = _notebooks.get(page.file.src_uri)
    if name is None:
        return markdown_text
    file_name = PurePosixPath(name).name
    link = (
        f"[Download this chapter as a Jupyter notebook]({file_name})"
        f'{{ .md-button .book-notebook download="{file_name}" }}'
    )
    lines = markdown_text.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if TITLE.match(line)), 0)
    return "\n".join([*lines[:at], "", link, "", *lines[at:]])


def notebook_of_page(path: Path, config_file: Path = REPOSITORY / "mkdocs.yml"):
    """The notebook the site offers for the page at ``path``, outside a build."""
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    return chapter_notebook(
        Path(path).resolve(),
        Path(config["docs_dir"]),
        config["site_name"],
        config["site_url"] or "",
        _snippet_config(config),
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python hooks/notebooks.py docs/<chapter>.md <out>.ipynb")
    source, target = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    docs = REPOSITORY / "docs"
    if not source.is_file() or docs not in source.parents:
        sys.exit(f"error: {sys.argv[1]} is not a Markdown page under docs/")
    book = notebook_of_page(source)
    target.write_text(nbformat.writes(book))
    print(f"wrote {target}: {len(book.cells)} cells")
