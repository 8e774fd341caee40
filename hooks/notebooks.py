"""MkDocs hook: offer every chapter as a Jupyter notebook (hooks/book_notebooks.py).

For each page whose Markdown holds Python code it writes ``<chapter>.ipynb``
beside the page in the built site and puts a download link under its title.
"""

from pathlib import Path, PurePosixPath

import nbformat
from mkdocs.structure.files import File

from hooks.book_notebooks import (
    TITLE,
    chapter_notebook,
    is_chapter,
    notebook_name,
    snippet_config,
)

_notebooks: dict[str, str] = {}  # page src_uri → notebook src_uri, for this build


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
            snippet_config(config),
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
