"""Every checkable sentence of a page is listed in its claims inventory with its check.

Each page ``docs/<page>.md`` has ``tests/claims/<page>.toml`` (format in
``tests/claims/README.md``). This module fails when a quoted sentence is no
longer on its page, when the test that checks it is gone, when an output it
cites is not among the page's asserted outputs, or when a sentence that was
retracted as false comes back.
"""

import ast
import tomllib
from functools import cache
from pathlib import Path

import pytest

from hooks.book_markdown import read_page

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"
CLAIMS = Path(__file__).resolve().parent / "claims"
PAGES = sorted(DOCS.glob("*.md"))
KINDS = ("test", "output", "definition", "citation")


def squeeze(text: str) -> str:
    return " ".join(text.split())


def inventory(page: Path) -> dict:
    with (CLAIMS / f"{page.stem}.toml").open("rb") as file:
        return tomllib.load(file)


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((REPOSITORY / path).read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test")
    )


def asserted_outputs(page: Path) -> str:
    """The checked outputs a page shows: expected-output fences and .out includes."""
    shown = []
    for fence in read_page(page).fences:
        if fence.shows_expected_output:
            shown.append(fence.body)
        shown += [
            (REPOSITORY / include.file).read_text()
            for include in fence.includes
            if include.file.endswith(".out")
        ]
    return squeeze("\n".join(shown))


def describe(claim: dict) -> str:
    return repr(claim.get("quote", "")[:70])


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_page_has_an_inventory(page):
    path = CLAIMS / f"{page.stem}.toml"
    assert path.exists(), f"{page.name} has no claims inventory {path.name}"
    assert inventory(page).get("claim"), f"{path.name} lists no claim"


def test_every_inventory_belongs_to_a_page():
    orphans = {p.stem for p in CLAIMS.glob("*.toml")} - {p.stem for p in PAGES}
    assert not orphans, f"inventories without a page: {sorted(orphans)}"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_each_quoted_claim_is_on_its_page_with_a_check_that_exists(page):
    if not (CLAIMS / f"{page.stem}.toml").exists():
        pytest.skip("no inventory (reported by test_every_page_has_an_inventory)")
    text = squeeze(page.read_text())
    outputs = asserted_outputs(page)
    problems = []
    for claim in inventory(page).get("claim", []):
        kinds = [kind for kind in KINDS if kind in claim]
        if "quote" not in claim or len(kinds) != 1:
            problems.append(f"{describe(claim)}: needs a quote and one of {KINDS}")
            continue
        if squeeze(claim["quote"]) not in text:
            problems.append(f"{describe(claim)}: no longer on the page")
        kind = kinds[0]
        if kind == "test":
            path, _, name = claim["test"].partition("::")
            if not (REPOSITORY / path).is_file():
                problems.append(f"{describe(claim)}: {path} does not exist")
            elif name not in defined_tests(path):
                problems.append(f"{describe(claim)}: {claim['test']} does not exist")
        elif kind == "output" and squeeze(claim["output"]) not in outputs:
            problems.append(
                f"{describe(claim)}: {claim['output']!r} is not an asserted output"
            )
        elif kind in ("definition", "citation") and not str(claim[kind]).strip():
            problems.append(f"{describe(claim)}: empty {kind}")
    assert not problems, "\n".join(problems)


def retracted() -> list[tuple[str, dict]]:
    return [
        (path.stem, entry)
        for path in sorted(CLAIMS.glob("*.toml"))
        for entry in tomllib.loads(path.read_text()).get("retracted", [])
    ]


def test_no_retracted_sentence_returns_to_any_page():
    pages = {page.name: squeeze(page.read_text()).lower() for page in PAGES}
    found = [
        f"{name}: {entry['text']!r} ({entry['why']})"
        for _, entry in retracted()
        for name, text in pages.items()
        if squeeze(entry["text"]).lower() in text
    ]
    assert not found, "\n".join(found)
