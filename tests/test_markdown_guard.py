"""The guard passes the real pages and catches every way a fence can escape testing."""

import textwrap

import pytest

from tests.markdown_guard import (
    COLLECTED_LANGUAGES,
    NON_CODE_LANGUAGES,
    PYTHON_LIKE,
    REPOSITORY,
    SHELL_LIKE,
    check_markdown,
    check_tree,
)

TESTS_NAMING = "snippets/tensors/draw_digit.py"  # stands in for the tests/ folder


def problems_in(markdown: str) -> list[str]:
    text = textwrap.dedent(markdown)
    return [str(p) for p in check_markdown(text, "page.md", REPOSITORY, TESTS_NAMING)]


def test_every_page_and_the_readme_pass_the_guard():
    problems = check_tree()
    assert not problems, "\n".join(map(str, problems))


GOOD = """
    ```python
    print(1 + 1)
    ```
    <!--pytest-codeblocks:expected-output-->
    ```text
    2
    ```

    === "NumPy"

        ```python
        print("tab")
        ```
        <!--pytest-codeblocks:expected-output-->
        ```text
        tab
        ```

    ```python title="snippets/tensors/draw_digit.py"
    --8<-- "snippets/tensors/draw_digit.py:core"
    ```

    <!--pytest.mark.skip(reason="starts a server")-->
    ```bash
    make serve
    ```

    ```yaml
    site_name: x
    ```
"""


def test_a_well_formed_page_has_no_problem():
    assert problems_in(GOOD) == []


BAD = {
    "python with a title": (
        '```python title="x.py"\nprint(1)\n```',
        "exactly 'python'",
    ),
    "py": ("```py\nprint(1)\n```", "exactly 'python'"),
    "pycon": ("```pycon\n>>> 1 + 1\n2\n```", "exactly 'python'"),
    "python3": ("```python3\nprint(1)\n```", "exactly 'python'"),
    "bash with a title": ('```bash title="run"\nls\n```', "exactly 'sh' or 'bash'"),
    "console": ("```console\n$ python x.py\n```", "exactly 'sh' or 'bash'"),
    "no language, Python inside": ("```\nimport numpy\n```", "looks like Python"),
    "unknown language": ("```rust\nfn main() {}\n```", "neither tested code"),
    "include in a collected fence": (
        '```python\n--8<-- "snippets/tensors/draw_digit.py"\n```',
        "would run the '--8<--' line",
    ),
    "include of an untested snippet": (
        '```python title="x"\n--8<-- "snippets/figures.py"\n```',
        "named by no test",
    ),
    "include of a missing file": (
        '```python title="x"\n--8<-- "snippets/nowhere.py:core"\n```',
        "no such file",
    ),
    "__main__ guard": (
        '```python\nif __name__ == "__main__":\n    print(1)\n```',
        "__main__ guard never runs",
    ),
    "output without marker": (
        "```python\nprint(2)\n```\n\n```text\n2\n```",
        "without <!--pytest-codeblocks:expected-output-->",
    ),
    "output of an included snippet typed by hand": (
        '```python title="x"\n--8<-- "snippets/tensors/draw_digit.py"\n```\n'
        "```text\n(28, 28)\n```",
        "is never checked",
    ),
    "expected output of a block that never runs": (
        "```py\nprint(2)\n```\n<!--pytest-codeblocks:expected-output-->\n```text\n2\n```",
        "never runs, so it is never checked",
    ),
    "continuation of a block that never runs": (
        "```py\nx = 1\n```\n<!--pytest-codeblocks:cont-->\n```python\nprint(x)\n```",
        "never runs, so it is never checked",
    ),
    "text between a cont marker and its block": (
        "```python\nx = 1\n```\n<!--pytest-codeblocks:cont-->\nThen:\n\n"
        "```python\nprint(x)\n```",
        "text stands between",
    ),
    "a fence that pytest-codeblocks ends early": (
        '```python\ntext = """\n```not a closing fence\n"""\nprint(text)\n```',
        "pytest-codeblocks does not run it",
    ),
    "an expected output with no block before it": (
        "<!--pytest-codeblocks:expected-output-->\n```text\n2\n```",
        "pytest-codeblocks: Found <!--pytest-codeblocks-expected-output-->",
    ),
    "install without skip": (
        "```bash\npip install numpy\n```",
        "needs <!--pytest.mark.skip",
    ),
    "skip without reason": (
        "<!--pytest.mark.skip-->\n```bash\nmake serve\n```",
        "needs a reason=",
    ),
    "indented py in a tab": (
        '=== "NumPy"\n\n    ```py\n    print(1)\n    ```',
        "exactly 'python'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_guard_catches(case):
    markdown, expected = BAD[case]
    problems = problems_in(markdown)
    assert problems, f"{case}: not caught"
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("page.md:") for p in problems)


def test_problems_name_the_line_of_the_fence():
    markdown = "# Title\n\nText.\n\n```py\nprint(1)\n```\n"
    assert problems_in(markdown)[0].startswith("page.md:5:")


@pytest.mark.parametrize("language", sorted(NON_CODE_LANGUAGES))
def test_each_allowed_non_code_language_passes_and_none_is_code(language):
    assert problems_in(f"```{language}\nsome: data\n```") == []
    assert language not in COLLECTED_LANGUAGES | PYTHON_LIKE | SHELL_LIKE
