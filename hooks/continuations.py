"""Show readers which code blocks continue the one above.

pytest-codeblocks joins a block marked ``<!--pytest-codeblocks:cont-->`` to the
block before it and runs them as one program; such a block does not run on its
own. The marker is an HTML comment, invisible on the site, so this MkDocs hook
(``hooks:`` in mkdocs.yml) puts a small note, "Continues the block above",
right before every marked block, at the marker's indentation so that it also
works inside tabs, admonitions and lists. It changes only what MkDocs renders:
pytest-codeblocks and the notebooks read the Markdown files themselves.
``tests/test_continuations.py`` checks that every marker of every page gets its
note in the built site.
"""

from hooks.book_markdown import page_from_text

NOTE_CLASS = "book-continues"
NOTE_TEXT = "Continues the block above"


def continuation_markers(markdown_text: str) -> list[int]:
    """0-based numbers of the lines that are cont markers, outside code fences."""
    return [
        number
        for number, keyword in page_from_text(markdown_text).markers
        if keyword == "cont"
    ]


def add_continuation_notes(markdown_text: str) -> str:
    """The Markdown with a visible note after every cont marker."""
    lines = markdown_text.splitlines()
    for number in reversed(continuation_markers(markdown_text)):
        marker = lines[number]
        indent = marker[: len(marker) - len(marker.lstrip())]
        # blank lines around the note: a paragraph of its own wherever it is
        lines[number : number + 1] = [
            "",
            marker,
            "",
            f"{indent}{NOTE_TEXT}",
            f"{indent}{{: .{NOTE_CLASS} }}",
            "",
        ]
    return "\n".join(lines) + ("\n" if markdown_text.endswith("\n") else "")


def on_page_markdown(markdown_text, page, config, files):
    return add_continuation_notes(markdown_text)
