"""The book as the tests see it: its nav, where each page is built, its prose."""

import re
from pathlib import Path, PurePosixPath

from hooks.book_markdown import page_from_text

REPOSITORY = Path(__file__).resolve().parents[2]

# Maths in what readers read: $$ or an inline $...$ (not a price such as $5).
MATHS = re.compile(r"\$\$|(?<![\\$\w])\$(?=\S)[^$\n]+?(?<=\S)\$(?!\w)")


def load_mkdocs_yml() -> dict:
    from mkdocs.utils.yaml import yaml_load

    with open(REPOSITORY / "mkdocs.yml", encoding="utf-8") as stream:
        return yaml_load(stream)


def nav_pages() -> list[str]:
    """The source path (under docs/) of every page in the nav, in nav order."""
    pages: list[str] = []

    def walk(item):
        if isinstance(item, str):
            if not re.match(r"^[a-z][a-z0-9+.-]*://", item):
                pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(load_mkdocs_yml().get("nav") or [])
    return pages


def page_path(src_uri: str, directory_urls: bool = True) -> str:
    """Where MkDocs puts a page: ``tensors.md`` → ``tensors/`` (or ``tensors.html``)."""
    path = PurePosixPath(src_uri)
    parent = "" if str(path.parent) == "." else f"{path.parent}/"
    name = "index" if path.stem == "README" else path.stem
    if not directory_urls:
        return f"{parent}{name}.html"
    return parent if name == "index" else f"{parent}{name}/"


def page_id(src_uri: str) -> str:
    return str(PurePosixPath(src_uri).with_suffix("")).replace("/", "-")


def markdown_source(src_uri: str) -> str | None:
    path = REPOSITORY / "docs" / src_uri
    return path.read_text(encoding="utf-8") if path.suffix == ".md" else None


def prose_of(markdown: str) -> str:
    """What readers read: the text of the page, without code and link targets."""
    return page_from_text(markdown).prose()


def tab_titles(markdown: str) -> list[str]:
    return page_from_text(markdown).tabs


def image_count(markdown: str) -> int:
    """Images the Markdown shows (outside code), as the site renders them."""
    return sum(
        child.type == "image"
        for token in page_from_text(markdown).tokens
        if token.type == "inline"
        for child in token.children or []
    )
