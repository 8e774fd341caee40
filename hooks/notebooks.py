"""MkDocs hook: where the book lives, and each chapter as a notebook that runs anywhere.

Where the book lives is set once, in mkdocs.yml from the environment
(``BOOK_SITE_URL``, ``BOOK_REPO_URL``, ``BOOK_BRANCH``; README.md). Every link
that leaves a page is made from it here: the "edit" and "view source" buttons
(``edit_uri`` for the branch), the notebooks' links to the chapters, "Open in
Colab". Without a value, those links are left out.

For each page whose Markdown holds Python code, ``<chapter>.ipynb`` is written
beside the page (``hooks/book_notebooks.py``), with a download link and, when
the repository is on GitHub, an "Open in Colab" link under the title. The lab
notebook (jupytext source ``docs/notebooks/<name>.py``) is built the same way,
with the outputs stored in ``docs/notebooks/<name>.ipynb``, offered as
``notebooks/<name>.ipynb`` and shown as a page of the site: its text, its code
(the code copied from the book's repository folded away) and its outputs. The
files the notebooks' code reads are copied into the site under ``files/``,
from where the notebooks download them.
"""

import base64
import posixpath
import re
import textwrap
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from hooks.book_notebooks import (
    HELPER,
    REPOSITORY,
    SITE_FILES,
    TITLE,
    address_of,
    chapter_notebook,
    is_chapter,
    notebook_name,
    page_url,
    script_notebook,
    snippet_config,
    with_stored_outputs,
)

LAB_NOTEBOOKS = "notebooks/*.py"  # jupytext notebooks, each shown as a page

_built: dict[str, str] = {}  # page src_uri → its notebook's path in the site


def on_config(config):
    """The "edit" and "view source" links: the repository's docs/ on the branch."""
    config["edit_uri"] = address_of(config).edit_uri()
    return config


def _url_of(files):
    def url_of(src_uri: str) -> str | None:
        file = files.get_file_from_path(src_uri)
        if file is None:
            return None
        if src_uri.endswith(".md") or fnmatch(src_uri, LAB_NOTEBOOKS):
            return page_url(src_uri)
        return file.url

    return url_of


@event_priority(50)  # before plugins that look for pages among the files
def on_files(files, config):
    """Generate every notebook, and the files they read, as files of the site."""
    _built.clear()
    address, docs_dir = address_of(config), Path(config["docs_dir"])
    url_of = _url_of(files)
    needed: list[str] = []
    for page in list(files.documentation_pages()):
        if not page.src_uri.endswith(".md") or not page.abs_src_path:
            continue
        path = Path(page.abs_src_path)
        if not is_chapter(page.src_uri, path.read_text()):
            continue
        notebook, read = chapter_notebook(
            path,
            docs_dir,
            config["site_name"],
            address,
            snippet_config(config),
            url_of=url_of,
        )
        name = notebook_name(page.src_uri)
        files.append(File.generated(config, name, content=nbformat.writes(notebook)))
        _built[page.src_uri] = name
        needed += read
    for source in [f for f in files if fnmatch(f.src_uri, LAB_NOTEBOOKS)]:
        path = Path(source.abs_src_path)
        notebook, read = script_notebook(
            path, docs_dir, config["site_name"], address, url_of=url_of
        )
        notebook = with_stored_outputs(notebook, path)
        name = PurePosixPath(source.src_uri).with_suffix(".ipynb").as_posix()
        stored = files.get_file_from_path(name)
        if stored is not None:
            files.remove(stored)  # the built notebook takes its place
        files.append(File.generated(config, name, content=nbformat.writes(notebook)))
        files.remove(source)
        text, images = notebook_page(notebook, PurePosixPath(name).stem)
        page = NotebookPage.generated(config, source.src_uri, content=text)
        page.edit_uri = source.src_uri  # edit the jupytext source
        files.append(page)
        for image, data in images.items():
            src_uri = posixpath.join(posixpath.dirname(source.src_uri), image)
            files.append(File.generated(config, src_uri, content=data))
        _built[source.src_uri] = name
        needed += read
    for name in dict.fromkeys(needed):
        files.append(
            File.generated(
                config, f"{SITE_FILES}/{name}", abs_src_path=str(REPOSITORY / name)
            )
        )
    return files


REPOSITORY_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\(book:repository\)")


def on_page_markdown(markdown_text, page, config, files):
    """``[text](book:repository)`` links to the repository (only its text stays
    without one); a page's notebook links go right under its title: download,
    Open in Colab."""
    repository = address_of(config).repo_url
    markdown_text = REPOSITORY_LINK.sub(
        lambda match: (
            f"[{match['text']}]({repository})" if repository else match["text"]
        ),
        markdown_text,
    )
    src_uri = page.file.src_uri
    built = _built.get(src_uri)
    if built is None:
        return markdown_text
    href = posixpath.relpath(built, posixpath.dirname(src_uri) or ".")
    what = "notebook" if fnmatch(src_uri, LAB_NOTEBOOKS) else "chapter as a notebook"
    buttons = [
        f"[Download this {what}]({href})"
        f'{{ .md-button .book-notebook download="{posixpath.basename(built)}" }}'
    ]
    colab = address_of(config).colab(built)
    if colab:
        buttons.append(f"[Open in Colab]({colab}){{ .md-button .book-colab }}")
    lines = markdown_text.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if TITLE.match(line)), 0)
    return "\n".join([*lines[:at], "", " ".join(buttons), "", *lines[at:]])


def _output(text: str) -> str:
    """Printed text as the chapters show it, without a copy button."""
    return f"``` {{ .text .no-copy }}\n{text.rstrip()}\n```"


class NotebookPage(File):
    """A page of the site written from a notebook (its source is a .py file)."""

    def is_documentation_page(self) -> bool:
        return True


def notebook_page(notebook, stem: str) -> tuple[str, dict[str, bytes]]:
    """The Markdown of a page that shows a notebook with its outputs, and the
    images of those outputs (file name → PNG bytes).

    Code copied from the book's repository is folded away (a reader opens it);
    printed text follows its cell as the chapters show outputs.
    """
    parts, images = [], {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        code = f"```python\n{cell.source}\n```"
        if HELPER in cell.metadata.get("tags", []):
            first, _, _ = cell.source.partition("\n")
            title = (
                first.removeprefix("# From ").strip()
                if first.startswith("# From ")
                else "the files this notebook reads"
            )
            parts.append(
                f'??? example "From the book\'s code: {title}"\n\n'
                + textwrap.indent(code, "    ")
            )
            continue
        parts.append(code)
        printed = ""  # consecutive printed text goes in one block
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            if "image/png" in output.get("data", {}):
                parts += [_output(printed)] if printed else []
                printed = ""
                name = f"{stem}-{cell.id}-{len(images) + 1}.png"
                images[name] = base64.b64decode(output["data"]["image/png"])
                alt = cell.metadata.get("alt", "A figure drawn by the cell above")
                parts.append(f"![{alt}]({name})")
            elif text and output.get("name", "stdout") == "stdout":
                printed += text  # printed, or the value of the last line
        parts += [_output(printed)] if printed else []
    return "\n\n".join(parts) + "\n", images
