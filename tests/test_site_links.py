"""Every link of the built site and of its notebooks goes somewhere real.

Where the book lives is one setting (BOOK_SITE_URL, BOOK_REPO_URL, BOOK_BRANCH
in mkdocs.yml, set by the publish workflow from GitHub's context). The site is
built with a sample value (tests/helpers/hosted_book.py) and without one, and
every href and src of every HTML page, every link in a notebook's Markdown and
every address in its code is followed: a link inside the site must name a
file of the site; a link out of it must be one made from the setting (the
repository's edit and source links, Colab) or one of the few outside sources
the book cites. Without the setting there are no links made from it at all,
and nothing anywhere points to a placeholder.
"""

import ast
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import markdown
import nbformat
import pytest
import yaml

from hooks import book_notebooks as notebooks
from tests.helpers.book import nav_pages, page_path
from tests.helpers.hosted_book import SETTINGS, hosted_book, unset_book

REPOSITORY = Path(__file__).resolve().parent.parent
# Outside addresses the pages themselves give: sources the book cites, the
# local server `make serve` starts, and the theme's credit.
CITED = {
    "http://yann.lecun.com/exdb/mnist/",
    "https://github.com/fchollet/deep-learning-with-python-notebooks",
    "http://127.0.0.1:8000",
    "https://squidfunk.github.io/mkdocs-material/",
}
PLACEHOLDERS = ("example.org", "example.com")
UNSET_BASE = "http://book.invalid/"  # stands for wherever an unset build is put
SKIPPED_SCHEMES = ("data:", "mailto:", "javascript:")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (tag, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append((tag, value))


def html_links(text: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(text)
    return parser.found


def page_address(base: str, path: PurePosixPath) -> str:
    """The address of a file of the site (index.html: its folder)."""
    url = base + path.as_posix()
    return url.removesuffix("index.html")


def site_links(site_dir: Path, base: str) -> list[tuple[str, str, str]]:
    """(file, link as written, its absolute address) for the whole site."""
    found = []
    for path in sorted(site_dir.rglob("*")):
        relative = PurePosixPath(path.relative_to(site_dir).as_posix())
        here = page_address(base, relative)
        if path.suffix == ".html":
            for _, value in html_links(path.read_text()):
                found.append((str(relative), value, urljoin(here, value)))
        elif path.name == "sitemap.xml":
            for value in re.findall(r"<loc>([^<]+)</loc>", path.read_text()):
                found.append((str(relative), value, value))
        elif path.suffix == ".ipynb":
            found += [
                (str(relative), value, base + value if root else urljoin(here, value))
                for value, root in notebook_links(nbformat.read(path, 4))
            ]
    return found


def notebook_links(notebook) -> list[tuple[str, bool]]:
    """The links of a notebook's Markdown, the addresses in its code, and the
    files it downloads (True: a path from the site's root)."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            rendered = markdown.markdown(cell.source)
            for _, value in html_links(rendered):
                if value.startswith("attachment:"):
                    assert value.removeprefix("attachment:") in cell.attachments
                else:
                    found.append((value, False))
            continue
        code = re.sub(r"^(\s*)[%!].*$", r"\1pass", cell.source, flags=re.M)
        for node in ast.walk(ast.parse(code)):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.match(r"^https?://", node.value)
            ):
                found.append((node.value, False))
            elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == (
                "BOOK_FILES"
            ):
                found += [
                    (f"{notebooks.SITE_FILES}/{key}", True)
                    for key in ast.literal_eval(node.value)
                ]
    return found


def in_site(site_dir: Path, path: str) -> bool:
    path = path.split("#")[0].split("?")[0]
    target = site_dir / path
    return (
        (target / "index.html").is_file()
        if path.endswith("/") or not path
        else (target.is_file())
    )


def made_from_the_setting(url: str, book, site_dir: Path) -> bool:
    """A link out of the site that the setting makes, to something that exists."""
    repo, branch = book.repo_url, book.branch
    if url == repo:
        return True
    for action in ("edit", "raw"):
        prefix = f"{repo}/{action}/{branch}/"
        if url.startswith(prefix):
            return (REPOSITORY / url.removeprefix(prefix)).is_file()
    owner, name = urlsplit(repo).path.strip("/").split("/")
    colab = (
        f"https://colab.research.google.com/github/{owner}/{name}/blob/"
        f"{notebooks.NOTEBOOKS_BRANCH}/"
    )
    if url.startswith(colab):
        path = url.removeprefix(colab)
        return path.endswith(".ipynb") and (site_dir / path).is_file()
    return False


def broken(site_dir: Path, base: str, book=None) -> list[str]:
    """Every link that does not reach a file of the site, a link made from the
    setting (with ``book``) or a cited source."""
    problems = []
    for where, value, url in site_links(site_dir, base):
        if value.startswith(SKIPPED_SCHEMES):
            continue
        if url.startswith(base):
            if not in_site(site_dir, url.removeprefix(base)):
                problems.append(f"{where}: {value} (no such file in the site)")
        elif url.split("#")[0] in CITED:
            continue
        elif book is None or not made_from_the_setting(url, book, site_dir):
            problems.append(f"{where}: {value}")
    return problems


def placeholders(site_dir: Path) -> list[str]:
    return [
        str(path.relative_to(site_dir))
        for path in site_dir.rglob("*")
        if path.suffix in (".html", ".ipynb", ".json", ".xml", ".js")
        and any(word in path.read_text(errors="replace") for word in PLACEHOLDERS)
    ]


def chapter_pages() -> list[str]:
    return [
        page
        for page in nav_pages()
        if page.endswith(".md")
        and notebooks.is_chapter(page, (REPOSITORY / "docs" / page).read_text())
    ]


@pytest.fixture
def book(tmp_path_factory):
    return hosted_book(tmp_path_factory)


@pytest.fixture
def unset_site(request) -> Path:
    """The suite's own build (tests/conftest.py) when no BOOK_* variable is set."""
    if any(os.environ.get(name) for name in SETTINGS):
        return unset_book()
    return request.getfixturevalue("site_dir")


@pytest.mark.slow
def test_with_the_setting_every_link_is_made_from_it_and_reaches_something(book):
    site = book.site_dir
    assert broken(site, book.site_url, book) == []
    assert placeholders(site) == []
    home = (site / "index.html").read_text()
    assert f'<a href="{book.repo_url}">the book\'s repository</a>' in home
    owner_and_name = "example-org/tensors-to-gradients"
    for page in chapter_pages():
        html = (site / page_path(page) / "index.html").read_text()
        hrefs = [value for _, value in html_links(html)]
        name = notebooks.notebook_name(page)
        assert f"{book.repo_url}/edit/{book.branch}/docs/{page}" in hrefs, page
        assert (
            f"https://colab.research.google.com/github/{owner_and_name}/blob/"
            f"{notebooks.NOTEBOOKS_BRANCH}/{name}"
        ) in hrefs, page
        notebook = nbformat.read(site / name, 4)
        link = f"]({book.site_url}{page_path(page)})"
        assert link in notebook.cells[1].source, page  # back to its page
        files = next(c for c in notebook.cells if c.cell_type == "code")
        if "fetch_book_files()" in files.source:
            assert f'BOOK_SITE = "{book.site_url}"' in files.source


@pytest.mark.slow
def test_without_the_setting_no_link_leaves_the_site_but_for_its_sources(unset_site):
    site = unset_site
    assert broken(site, UNSET_BASE) == []
    assert placeholders(site) == []
    everything = "\n".join(
        path.read_text() for path in site.rglob("*") if path.suffix == ".ipynb"
    )
    assert "colab.research.google.com" not in everything
    assert "BOOK_SITE = None" in everything  # files come from no address
    assert "Clone the book's repository and run" in (site / "index.html").read_text()
    for page in chapter_pages():
        html = (site / page_path(page) / "index.html").read_text()
        assert "colab.research.google.com" not in html
        assert 'rel="edit"' not in html and "md-source" not in html
        assert f'href="../{notebooks.notebook_name(page)}"' in html


@pytest.mark.slow
def test_the_lab_notebook_page_shows_its_outputs_and_offers_the_notebook(book):
    site = book.site_dir
    html = (site / "notebooks" / "rmsprop-lab" / "index.html").read_text()
    notebook = nbformat.read(site / "notebooks" / "rmsprop-lab.ipynb", 4)
    printed = [
        output["text"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    ]
    assert printed and all(line.split("\n")[0] in html for line in printed)
    hrefs = [value for _, value in html_links(html)]
    assert "../rmsprop-lab.ipynb" in hrefs
    pictures = [value for tag, value in html_links(html) if tag == "img"]
    pngs = sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
    assert len(pictures) == pngs > 0
    assert all(
        (site / "notebooks" / "rmsprop-lab" / p).resolve().is_file() for p in pictures
    )
    assert "In [" not in html and "jp-InputPrompt" not in html  # no prompt column
    assert "clipboard-copy" not in html and "jupyter-wrapper" not in html
    index = json.loads((site / "search" / "search_index.json").read_text())
    entries = [d for d in index["docs"] if d["location"].startswith("notebooks/")]
    assert entries and not any(
        "Copied!" in d["text"] or "In [" in d["text"] for d in entries
    )


def test_the_publish_workflow_sets_where_the_book_lives_from_github():
    workflow = yaml.safe_load(
        (REPOSITORY / ".github" / "workflows" / "publish.yml").read_text()
    )
    steps = workflow["jobs"]["test-and-build"]["steps"]
    [build] = [step for step in steps if "make build" in step.get("run", "")]
    settings = build["env"]
    assert "github.io" in settings["BOOK_SITE_URL"]
    assert "github.repository_owner" in settings["BOOK_SITE_URL"]
    assert (
        settings["BOOK_REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    )
    assert "github" in settings["BOOK_BRANCH"]
    for step in steps:  # the tests build with settings of their own
        if "make test" in step.get("run", ""):
            assert not set(step.get("env", {})) & set(settings)
    job = workflow["jobs"]["notebooks"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert f"HEAD:{notebooks.NOTEBOOKS_BRANCH}" in script and "*.ipynb" in script
    assert job["permissions"] == {"contents": "write"}
    assert "pull_request" in job["if"] and "refs/heads/main" in job["if"]
