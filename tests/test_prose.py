"""The prose of every page is in British spelling.

The book's prose spells words the British way (colour, behaviour, initialise,
normalise, generalise, grey, centre); code, library names and quotations keep
their own spelling. This test reads each ``docs/*.md`` page, blanks out what is
not the book's own prose -- code fences, inline code, maths, URLs and link
targets, HTML, attribute lists, file names, quotations -- and fails on every
American spelling in the list below, naming ``file:line``.
"""

import re
from pathlib import Path

import pytest

from hooks.book_markdown import page_from_text

REPOSITORY = Path(__file__).resolve().parent.parent
PAGES = sorted((REPOSITORY / "docs").glob("*.md"))

# Spans that are not the book's prose, blanked out before the spelling is read.
NOT_PROSE = [
    re.compile(r"<!--.*?-->", re.S),  # HTML comments (pytest-codeblocks markers)
    re.compile(r"(`+).+?\1", re.S),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),  # displayed maths
    re.compile(r"\\\[.+?\\\]|\\\(.+?\\\)", re.S),
    re.compile(r"(?<![\\\w])\$[^$\n]+?\$"),  # inline maths
    re.compile(r"<?https?://[^\s)>]+>?"),  # URLs
    re.compile(r"\]\([^)]*\)"),  # link and image targets
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M),  # link reference definitions
    re.compile(r"\{[:#.][^}\n]*\}|\{ *\.[^}\n]*\}"),  # attribute lists
    re.compile(r"</?[A-Za-z][^>\n]*>"),  # HTML tags
    re.compile(r"[\w./-]+\.(?:py|md|svg|out|csv|json|npz|toml|txt|ipynb)\b"),
    re.compile(r"\"[^\"\n]*(?:\n(?![ \t]*\n)[^\"\n]*)*\""),  # "quotations"
    re.compile(r"“[^”]*”"),
]

# (pattern, the British spelling), matched case-insensitively on whole words.
AMERICAN = [
    (r"color\w*", "colour"),
    (r"behavior\w*", "behaviour"),
    (r"\w*iz(?:e|es|ed|ing|ation|ations|er|ers|able)", "-ise, -isation, -iser"),
    (r"\w*yz(?:e|es|ed|ing)", "-yse (analyse)"),
    (r"gray\w*", "grey"),
    (r"cent(?:er|ers|ered|ering)", "centre, centred"),
    (r"(?:favor|neighbor|flavor|honor|labor|humor|rumor|vapor)\w*", "-our"),
    (
        r"(?:label|model|travel|cancel|signal|level|fuel|channel|tunnel)(?:ed|ing)",
        "labelled, modelling, ...",
    ),
    (r"math", "maths"),
]
WORD = re.compile(
    "|".join(rf"(?P<w{i}>\b{pattern}\b)" for i, (pattern, _) in enumerate(AMERICAN)),
    re.I,
)
# Words the patterns catch that are spelt the same in British English, and
# Keras's own term for the object that applies the updates.
ALLOWED = {
    "size",
    "sizes",
    "sized",
    "sizing",
    "resize",
    "resized",
    "resizes",
    "resizing",
    "oversized",
    "prize",
    "prizes",
    "seize",
    "seized",
    "capsize",
    "optimizer",
    "optimizers",
}


def blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(text: str) -> str:
    """The page with everything that is not prose blanked; lines keep their numbers."""
    fenced = page_from_text(text).fenced_lines()
    lines = ["" if n in fenced else line for n, line in enumerate(text.split("\n"))]
    text = "\n".join(lines)
    for pattern in NOT_PROSE:
        text = pattern.sub(blank, text)
    return text


def american_spellings(text: str, name: str) -> list[str]:
    found = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        for match in WORD.finditer(line):
            word = match.group(0)
            if word.lower() in ALLOWED:
                continue
            british = AMERICAN[int(match.lastgroup[1:])][1]
            found.append(f"{name}:{number}: {word!r} (British: {british})")
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_the_prose_is_in_british_spelling(page):
    found = american_spellings(page.read_text(), f"docs/{page.name}")
    assert not found, "\n".join(found)


def test_the_scan_reads_prose_and_skips_code_maths_links_and_quotations():
    page = "\n".join(
        [
            "The color of a gray pixel; it was normalized and centered.",
            "Keras's optimizer stays; the optimizers too; a batch size too.",
            "`normalize(x)` and $\\text{color}$ and [a link](https://x.org/color).",
            'A quotation keeps its spelling: "optimized away".',
            "```python",
            "color = 'gray'",
            "```",
            "    ```python",
            "    x = normalize(x)",
            "    ```",
            "The model was labeled, the behavior analyzed.",
        ]
    )
    found = american_spellings(page, "page.md")
    words = [line.split(": ", 1)[1].split(" (")[0] for line in found]
    assert words == [
        "'color'",
        "'gray'",
        "'normalized'",
        "'centered'",
        "'labeled'",
        "'behavior'",
        "'analyzed'",
    ]
    assert found[0].startswith("page.md:1: ")
    assert found[-1].startswith("page.md:11: ")
