"""The broadcasting explorer of docs/broadcasting.md, driven in headless Chromium.

The explorer (docs/assets/explorers/broadcasting.js, window.BookExplorers.
broadcasting) claims to give what ``np.broadcast_shapes`` gives: the result
shape, or the message of the ValueError it raises. Here it is asked about
shapes that hypothesis draws (compatible pairs and triples, with zero-length
axes and up to 6 axes, and arbitrary, mostly incompatible, pairs and triples),
all in one ``page.evaluate`` per batch, and compared with NumPy character for
character; its columns with the chapter's diagrams
(snippets/broadcasting/shape_diagrams.py); its small grids of values with
``np.broadcast_to``. Wrong rules swapped into the page must be caught. Odd
input gives a one-line message, never an exception.
"""

import html
import json
import re
import statistics
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from hooks import explorers
from snippets.broadcasting import shape_diagrams
from snippets.broadcasting.naive_broadcast import COURSE_EXAMPLES
from tests.helpers.book import REPOSITORY, page_path
from tests.helpers.browser import PHONE
from tests.helpers.explorers import (
    MAX_GZIPPED,
    MAX_REDRAW_MS,
    any_mismatch,
    assert_fits,
    draw,
    gzipped_size,
    planted,
    screenshot,
)
from tests.helpers.explorers import opened as open_explorer

pytestmark = pytest.mark.browser

DATA_FILE = REPOSITORY / "snippets" / "broadcasting" / "explorer_examples.json"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
PAGE = "broadcasting.md"
NS = "window.BookExplorers.broadcasting"


def numpy_says(shapes) -> dict:
    """What np.broadcast_shapes gives: {"shape": [...]} or {"error": message}."""
    try:
        return {"shape": list(np.broadcast_shapes(*map(tuple, shapes)))}
    except ValueError as error:
        return {"error": str(error)}


def as_lists(shapes) -> list[list[int]]:
    return [list(shape) for shape in shapes]


any_shape = st.lists(st.integers(min_value=0, max_value=4), max_size=6)


def compatible(num_shapes: int):
    return mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=6, min_side=0, max_side=5
    ).map(lambda drawn: as_lists(drawn.input_shapes))


FIXED = [
    *[example["shapes"] for example in DATA["examples"] + DATA["more"]],
    [[0], [1]],
    [[1], [0]],
    [[0], [2]],
    [[2, 0], [2, 1]],
    [[], []],
    [[], [3]],
    [[5, 1, 3], [4, 2, 3], [3]],
    [[3], [2], [4]],
    [[], [2], [3]],
    [[1, 2], [3, 1], [4, 1]],
    [[2, 1], [1, 3], [2, 4]],
]


@pytest.fixture(scope="module")
def cases() -> list[list[list[int]]]:
    drawn = FIXED[:]
    drawn += draw(compatible(2), 300)
    drawn += draw(compatible(3), 300)
    drawn += draw(st.lists(any_shape, min_size=2, max_size=2), 400)
    drawn += draw(st.lists(any_shape, min_size=3, max_size=3), 300)
    return drawn


@pytest.fixture(scope="module")
def opened(browser, server):
    """The chapter, open in Chromium, once the explorer has started."""
    with open_explorer(browser, server + page_path(PAGE), NS) as page_and_recorder:
        yield page_and_recorder


@pytest.fixture
def page(opened):
    page, recorder = opened
    yield page
    # Back to the opening example: tests may run in any order (pytest-xdist).
    page.locator("select").select_option(DATA["default"])
    assert recorder.console_errors == []
    assert recorder.failed == []


def explorer_results(page, cases) -> list[dict]:
    return page.evaluate(
        f"""cases => cases.map(shapes => {{
            try {{
                const r = {NS}.broadcast(shapes);
                return r.shape ? {{shape: r.shape}} : {{error: r.error}};
            }} catch (e) {{ return {{thrown: String(e)}}; }}
        }})""",
        cases,
    )


def mismatches(page, cases) -> list:
    expected = [numpy_says(shapes) for shapes in cases]
    got = explorer_results(page, cases)
    return [(c, e, g) for c, e, g in zip(cases, expected, got, strict=True) if e != g]


# --- The examples are the book's ---------------------------------------------


def test_the_examples_are_the_course_examples_of_the_snippets_and_diagrams():
    examples = [
        (e["name"], tuple(e["shapes"][0]), tuple(e["shapes"][1]))
        for e in DATA["examples"]
    ]
    assert examples == COURSE_EXAMPLES
    drawn = [tuple(shape for _, shape in ops) for _, ops, *_ in shape_diagrams.DIAGRAMS]
    assert [(a, b) for _, a, b in examples] == drawn
    names = [e["name"] for e in DATA["examples"] + DATA["more"]]
    assert DATA["default"] in names and len(set(names)) == len(names)
    assert DATA["max_entries"] == 2**53 - 1


def test_the_page_inlines_the_data_file_and_loads_the_script(page):
    node = page.locator('[data-explorer="broadcasting"]')
    assert node.count() == 1
    assert json.loads(node.get_attribute("data-explorer-data")) == DATA
    assert page.evaluate(
        "[...document.scripts].some(s => s.getAttribute('src') === "
        "'../assets/explorers/broadcasting.js' && s.defer)"
    )
    # The static figure stays on the page (print, no JavaScript), hidden.
    figure = node.locator("img[src$='incompatible.svg']")
    assert figure.count() == 1 and not figure.is_visible()


def test_the_default_is_the_clash_the_static_figure_shows(page):
    shapes = next(e["shapes"] for e in DATA["examples"] if e["name"] == DATA["default"])
    assert shapes == [[5, 1, 3], [4, 2, 3]]
    message = page.locator(".bx-message").text_content()
    assert message == numpy_says(shapes)["error"]


# --- Same results as NumPy -----------------------------------------------------


def test_results_and_messages_match_numpy_on_drawn_shapes(page, cases):
    assert len(cases) >= 1000
    assert any(0 in shape for shapes in cases for shape in shapes)
    assert any(len(shape) == 6 for shapes in cases for shape in shapes)
    errors = sum("error" in numpy_says(shapes) for shapes in cases)
    assert 200 < errors < len(cases) - 200  # both outcomes, many times
    assert mismatches(page, cases) == []


def test_the_message_is_character_for_character_numpys(page):
    message = explorer_results(page, [[[5, 1, 3], [4, 2, 3]]])[0]["error"]
    assert message == (
        "shape mismatch: objects cannot be broadcast to a single shape.  "
        "Mismatch is between arg 0 with shape (5, 1, 3) and arg 1 with shape "
        "(4, 2, 3)."
    )


def test_making_the_5_a_1_removes_the_clash(page):
    assert numpy_says([[1, 1, 3], [4, 2, 3]]) == {"shape": [4, 2, 3]}
    fields = page.locator(".bx-shapes input")
    fields.nth(0).fill("1, 1, 3")
    assert page.locator(".bx-shape").text_content() == "(4, 2, 3)"
    assert page.locator(".bx-message").count() == 0
    assert page.locator(".bx-example select, select").first.input_value() == ""
    page.locator("select").select_option(DATA["default"])
    assert page.locator(".bx-message").count() == 1


def test_numpy_names_the_arguments_that_clash_not_the_axis():
    for shapes in ([[5, 1, 3], [4, 2, 3]], [[2, 3], [2, 4]], [[3], [2]]):
        message = numpy_says(shapes)["error"]
        assert "arg 0 with shape" in message and "arg 1 with shape" in message
        assert "axis" not in message and "dimension" not in message


def first_clash_of(shapes):
    """On the leftmost axis that clashes: the first shape whose size there is
    not 1, and the first later one whose size there is neither 1 nor that size
    (the page's sentence)."""
    rank = max(len(s) for s in shapes)
    padded = [[1] * (rank - len(s)) + list(s) for s in shapes]
    for axis in range(rank):
        sizes = [row[axis] for row in padded]
        others = [size for size in sizes if size != 1]
        if len(set(others)) > 1:
            first = next(j for j, size in enumerate(sizes) if size != 1)
            differs = next(
                j for j, size in enumerate(sizes) if size not in (1, sizes[first])
            )
            return first, differs
    return None


def test_numpy_names_the_first_clash_of_three_shapes(cases):
    triples = [shapes for shapes in cases if len(shapes) == 3]
    clashing = 0
    for shapes in triples:
        said = numpy_says(shapes)
        named = first_clash_of(shapes)
        if named is None:
            assert "shape" in said
            continue
        clashing += 1
        first, differs = named
        assert f"arg {first} with shape" in said["error"]
        assert f"and arg {differs} with shape" in said["error"]
    assert clashing > 100


def test_the_columns_are_marked_as_the_diagrams_mark_them(page, cases):
    pairs = [shapes for shapes in cases if len(shapes) == 2]
    got = page.evaluate(
        f"cases => cases.map(shapes => {NS}.columnStates(shapes))", pairs
    )
    for shapes, result in zip(pairs, got, strict=True):
        rank = max(map(len, shapes))
        states, sizes = shape_diagrams.column_states([tuple(s) for s in shapes], rank)
        assert (result["states"], result["sizes"]) == (states, sizes), shapes


CLASH = re.compile(
    r"Axis \u2212\d+: (?P<listed>.+) clash: "
    r"(?:they|the sizes (?P<distinct>.+)) differ and (?P<word>neither|none) is 1"
    r"(?:; \w+(?: and \w+)? lacks? this axis)?\."
)


def test_a_clash_sentence_says_only_different_sizes_differ(page, cases):
    """With three shapes two clashing sizes may be equal: x's 2, y's 2, z's 3.
    The sentence must not say that they differ (the referee's round 3, #4)."""
    sentence = page.evaluate(f"{NS}.describe([[2], [2], [3]], ['x', 'y', 'z'])")
    assert sentence == [
        "Axis \u22121: x's 2, y's 2 and z's 3 clash: "
        "the sizes 2 and 3 differ and neither is 1."
    ]
    described = page.evaluate(
        f"cases => cases.map(s => {NS}.describe(s, ['x', 'y', 'z']))", cases
    )
    checked = 0
    for shapes, sentences in zip(cases, described, strict=True):
        for text in sentences:
            if " clash: " not in text:
                continue
            match = CLASH.fullmatch(text)
            assert match, text
            listed = [int(n) for n in re.findall(r"'s (\d+)", match["listed"])]
            said = (
                listed
                if match["distinct"] is None
                else [int(n) for n in re.findall(r"\d+", match["distinct"])]
            )
            assert len(set(said)) == len(said) > 1, (shapes, text)  # all differ
            assert set(said) == set(listed) and 1 not in listed, (shapes, text)
            assert match["word"] == ("neither" if len(said) == 2 else "none"), text
            checked += 1
    assert checked > 300


def test_a_zero_length_axis_is_not_said_to_have_too_many_entries(page):
    """A shape with a 0 has 0 entries; the explorer still refuses some such
    shapes, as NumPy does, but says why (the referee's round 3, #5)."""
    shape = (0, 2**32, 2**32)
    assert np.broadcast_shapes(shape) == shape and np.prod(shape) == 0
    result = parse_all(page, [", ".join(map(str, shape))])[0]
    assert is_one_line_message(result)
    assert "entries" not in result["error"] and "other than 0" in result["error"]
    # NumPy itself refuses a shape whose sizes overflow before it meets the 0
    with pytest.raises(ValueError, match="too large"):
        np.broadcast_shapes((2**53 - 1, 2**53 - 1, 0))
    x, y = (2**30, 1, 0), (2**30, 1)
    assert np.broadcast_shapes(x, y) == (2**30, 2**30, 0)  # no entries at all
    fields = page.locator(".bx-shapes input")
    fields.nth(0).fill(", ".join(map(str, x)))
    fields.nth(1).fill(", ".join(map(str, y)))
    note = page.locator(".bx-verdict .bx-note").text_content()
    assert "entries" not in note and "other than 0" in note
    # "1e3" and "3." are whole numbers: the hint asks for digits
    for text in ("1e3", "3."):
        message = parse_all(page, [text])[0]["error"]
        assert "digits only" in message, message
    page.locator("select").select_option(DATA["default"])


# --- Small shapes: the values, before and after stretching -----------------------

SMALL_SHAPES = [
    (),
    *[(n,) for n in range(5)],
    *[(m, n) for m in range(5) for n in range(5)],
]


def test_the_small_grids_are_numpys_broadcast_values(page):
    steps = DATA["values"]["steps"]
    assert DATA["values"]["max_axes"] == 2 and DATA["values"]["max_size"] == 4
    jobs, expected = [], []
    for a in SMALL_SHAPES:
        for b in SMALL_SHAPES:
            try:
                target = np.broadcast_shapes(a, b)
            except ValueError:
                continue
            for shape, step in ((a, steps[0]), (b, steps[1])):
                values = np.broadcast_to(
                    np.arange(np.prod(shape)).reshape(shape) * step, target
                )
                grid = values.reshape(
                    (target[0] if len(target) == 2 else 1, target[-1] if target else 1)
                )
                seen, rows = set(), []
                for row in grid.tolist():
                    rows.append([])
                    for value in row:  # an entry seen before is a copy
                        rows[-1].append({"value": value, "copy": value in seen})
                        seen.add(value)
                jobs.append([list(shape), list(target), step])
                expected.append(rows)
    got = page.evaluate(f"jobs => jobs.map(j => {NS}.stretch(j[0], j[1], j[2]))", jobs)
    assert len(jobs) > 500
    assert got == expected


def test_a_column_is_stretched_across_four_columns_on_screen(page):
    page.locator("select").select_option("column and row")
    grids = page.locator(".bx-values-grid")
    assert grids.count() == 5  # x, x stretched, y, y stretched, x + y

    def cells(index):
        rows = grids.nth(index).locator("tr")
        return [
            [
                re.sub(r"\s*\(copy\)$", "", t)
                for t in rows.nth(r).locator("td").all_text_contents()
            ]
            for r in range(rows.count())
        ]

    column = np.arange(3).reshape(3, 1)
    row = np.arange(4) * DATA["values"]["steps"][1]
    assert cells(0) == column.astype(str).tolist()
    assert cells(1) == np.broadcast_to(column, (3, 4)).astype(str).tolist()
    assert cells(3) == np.broadcast_to(row, (3, 4)).astype(str).tolist()
    assert cells(4) == (column + row).astype(str).tolist()
    assert grids.nth(1).locator("td.bx-copy").count() == 3 * 3


# --- A wrong rule is caught ------------------------------------------------------

WRONG_RULES = {
    # the larger size: right except against a zero-length axis
    "max": "(a, b) => (a === 1 || b === 1) ? Math.max(a, b) : (a === b ? a : null)",
    # a size 1 is not stretched to 0: 1 against 0 clashes
    "no-zero": (
        "(a, b) => b === 1 ? a : a === 1 ? (b === 0 ? null : b) : (a === b ? a : null)"
    ),
}


@pytest.mark.parametrize("rule", WRONG_RULES)
def test_a_wrong_rule_is_caught(page, cases, rule):
    with planted(page, NS, "mergeAxis", WRONG_RULES[rule]):
        assert any_mismatch(mismatches, page, cases)
    assert mismatches(page, cases[:50]) == []


def test_walking_right_to_left_names_the_wrong_arguments(page, cases):
    """The book's procedure walks right to left; NumPy's message comes from the
    leftmost clash: a version that stops at the rightmost one is caught."""
    right_to_left = """shapes => {
            const flipped = shapes.map(s => s.slice().reverse());
            const r = ns._planted(flipped);
            return r.shape ? {shape: r.shape.reverse()} : {
                error: r.error.replace(/\\(([^)]*)\\)/g, (m, inner) => {
                    const sizes = inner.split(/, ?/).filter(x => x !== '').reverse();
                    return ns.formatShape(sizes.map(Number));
                })
            };
        }"""
    with planted(page, NS, "broadcast", right_to_left):
        assert any_mismatch(mismatches, page, cases)
    assert mismatches(page, cases[:50]) == []


# --- Odd input --------------------------------------------------------------------

ODD_INPUT = {
    "3": [3],
    "3,": [3],
    " 3 , ": [3],
    "(3, 4)": [3, 4],
    "[3, 4]": [3, 4],
    "  ( 256 ,256, 3 )  ": [256, 256, 3],
    "256 256 3": [256, 256, 3],
    "()": [],
    "( )": [],
    "0, 3": [0, 3],
    "007": [7],
    "": None,
    "   ": None,
    ",": None,
    "3,,4": None,
    ",3": None,
    "(3,": None,
    "3)": None,
    "((3))": None,
    "-2": None,
    "3, -1": None,
    "\u22122": None,
    "2.5": None,
    "3.": None,
    "1e3": None,
    "abc": None,
    "three": None,
    "3; 4": None,
    "NaN": None,
    "Infinity": None,
    "1, 2, 3, 4, 5, 6, 7, 8, 9": None,
    "99999999999999999999": None,
    "100000000, 100000000": None,
    "(3, 4)(5,)": None,
}


def parse_all(page, texts) -> list[dict]:
    return page.evaluate(
        f"""texts => texts.map(t => {{
            try {{ return {NS}.parseShape(t, {NS}.instances[0] ? JSON.parse(
                {NS}.instances[0].node.getAttribute('data-explorer-data')) : {{}}); }}
            catch (e) {{ return {{thrown: String(e)}}; }}
        }})""",
        texts,
    )


def is_one_line_message(result) -> bool:
    return (
        set(result) == {"error"}
        and isinstance(result["error"], str)
        and 0 < len(result["error"]) <= 120
        and "\n" not in result["error"]
    )


def test_odd_input_gives_a_shape_or_a_one_line_message(page):
    results = parse_all(page, list(ODD_INPUT))
    for (text, expected), result in zip(ODD_INPUT.items(), results, strict=True):
        if expected is None:
            assert is_one_line_message(result), (text, result)
        else:
            assert result == {"shape": expected}, text


def test_any_text_gives_a_shape_or_a_one_line_message(page):
    texts = draw(st.text(max_size=30), 300)
    texts += draw(st.text(alphabet="0123456789 ,()[]-.e+", max_size=20), 300)
    for text, result in zip(texts, parse_all(page, texts), strict=True):
        assert "thrown" not in result, (text, result)
        if "shape" in result:  # then it reads back as Python reads the tuple
            assert set(result) == {"shape"}
            assert all(isinstance(n, int) and n >= 0 for n in result["shape"])
        else:
            assert is_one_line_message(result), (text, result)


def typed_shape():
    """A shape as a reader might type it, with the shape it means."""
    styles = st.sampled_from(["({}{})", "[{}{}]", "{}{}"])
    separators = st.sampled_from([",", ", ", " , ", " "])
    return st.tuples(any_shape.filter(bool), styles, separators, st.booleans()).map(
        lambda t: (
            t[1].format(t[2].join(map(str, t[0])), "," if t[3] and "," in t[2] else ""),
            list(t[0]),
        )
    )


def test_well_formed_input_reads_as_its_shape(page):
    drawn = draw(typed_shape(), 300)
    results = parse_all(page, [text for text, _ in drawn])
    for (text, shape), result in zip(drawn, results, strict=True):
        assert result == {"shape": shape}, text


def test_odd_input_in_the_page_shows_a_message_not_an_error(page):
    field = page.locator(".bx-shapes input").nth(1)
    for text in ("", "3,,4", "-2", "abc", "2.5", "(3"):
        field.fill(text)
        message = page.locator(".bx-input-error").nth(1).text_content()
        assert message and "\n" not in message, text
        assert field.get_attribute("aria-invalid") == "true"
        assert (
            page.locator(".bx-summary").text_content() == "Fix the shape marked above."
        )
    field.fill("4, 2, 3")
    assert field.get_attribute("aria-invalid") is None


def test_three_shapes_typed_in_the_page(page):
    fields = page.locator(".bx-shapes input")
    for index, text in enumerate(["2, 1", "3,", "(1, 1)"]):
        fields.nth(index).fill(text)
    assert page.locator(".bx-shape").text_content() == "(2, 3)"
    fields.nth(2).fill("4")
    assert (
        page.locator(".bx-message").text_content()
        == numpy_says([[2, 1], [3], [4]])["error"]
    )
    assert "No result" in page.locator(".bx-summary").text_content()
    fields.nth(2).fill("")
    page.locator("select").select_option(DATA["default"])


# --- A book element: accessible, small, fast, fits a phone -------------------------


def test_every_control_is_labelled_and_the_summary_is_live(page):
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                '.bx-explorer input, .bx-explorer select')]
            .filter(c => !c.labels || c.labels.length === 0).map(c => c.id)"""
    )
    assert unlabelled == []
    assert page.locator(".bx-summary").get_attribute("aria-live") == "polite"
    summary = page.locator(".bx-summary").text_content()
    assert "Axis \u22123: x's 5 and y's 4 clash" in summary


def test_the_example_list_works_from_the_keyboard(page):
    select = page.locator("select")
    select.focus()
    page.keyboard.press("ArrowUp")  # the clash → the image
    assert select.input_value() == DATA["examples"][0]["name"]
    assert page.locator(".bx-shape").text_content() == "(256, 256, 3)"
    select.select_option(DATA["default"])


def test_script_and_styles_are_small():
    assert gzipped_size("broadcasting") < MAX_GZIPPED


def test_the_redraw_is_fast(page):
    """Median time to recompute and redraw after an edit, the largest case."""
    page.locator(".bx-shapes input").nth(2).fill("1, 1, 1, 1, 1, 1, 1, 1")
    timings = page.evaluate(
        f"""() => {{
        const x = {NS}.instances[0];
        const field = x.fields[0].input, times = [];
        for (let i = 0; i < 21; i++) {{
            field.value = i % 2 ? '8, 7, 6, 5, 4, 3, 2, 1' : '3, 1';
            const start = performance.now();
            field.dispatchEvent(new Event('input'));
            document.body.offsetHeight;  // force the layout
            times.push(performance.now() - start);
        }}
        return times;
    }}"""
    )
    median = statistics.median(timings)
    print(f"broadcasting explorer: median redraw {median:.2f} ms")
    assert median < MAX_REDRAW_MS
    page.locator(".bx-shapes input").nth(2).fill("")
    page.locator("select").select_option(DATA["default"])


WIDE_CASES = [
    ["8, 7, 6, 5, 4, 3, 2, 1", "1, 1, 1, 1, 1, 1, 1, 1", "9007199254740991"],
    ["123456789, 1", "1, 1, 1, 1, 1, 1, 7, 1", "987654321"],
    ["5, 1, 3", "4, 2, 3", "1, 4, 2, 3"],
    ["4, 1", "4", "1, 1"],
    ["1, 2, 3, 4, 5, 6, 7, 8, 9", "-1", "abcdefghijklmnopqrstuvwxyz"],
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_explorer_fits_a_phone(browser, server, scheme):
    url = server + page_path(PAGE)
    with open_explorer(browser, url, NS, PHONE, color_scheme=scheme) as (page, _):
        explorer = page.locator(".bx-explorer")
        fields = page.locator(".bx-shapes input")
        for texts in WIDE_CASES:
            for index, text in enumerate(texts):
                fields.nth(index).fill(text)
            explorer.scroll_into_view_if_needed()
            assert_fits(page, ".bx-explorer", texts)
        page.locator("select").select_option(DATA["default"])
        screenshot(explorer, f"explorer-broadcasting-390-{scheme}.png")


def test_it_works_from_file_urls_in_the_offline_build(browser, offline_site_dir):
    url = (offline_site_dir / page_path(PAGE, directory_urls=False)).as_uri()
    with open_explorer(browser, url, NS) as (page, recorder):
        assert (
            page.locator(".bx-message").text_content()
            == numpy_says([[5, 1, 3], [4, 2, 3]])["error"]
        )
        assert page.evaluate(
            "[...document.scripts].some(s => s.getAttribute('src') === "
            "'assets/explorers/broadcasting.js')"
        )
        assert recorder.console_errors == [] and recorder.failed == []


# --- The hook --------------------------------------------------------------------


class _Files:
    def __init__(self, paths):
        self.paths = set(paths)

    def get_file_from_path(self, path):
        return path if path in self.paths else None


def test_the_hook_adds_each_explorers_assets_relative_to_the_page():
    files = _Files([f"assets/explorers/{name}" for name in ("a.js", "a.css", "b.js")])
    body = "".join(f'<div data-explorer="{name}"></div>' for name in "aba")
    assert explorers.explorer_names(body) == ["a", "b"]
    online = explorers.asset_tags(["a", "b"], "part/page/", files)
    assert online == (
        '<link rel="stylesheet" href="../../assets/explorers/a.css">'
        '<script src="../../assets/explorers/a.js" defer></script>'
        '<script src="../../assets/explorers/b.js" defer></script>'
    )
    offline = explorers.asset_tags(["b"], "part/page.html", files)
    assert offline == '<script src="../assets/explorers/b.js" defer></script>'
    with pytest.raises(Exception, match="missing"):
        explorers.asset_tags(["c"], "page/", files)


def test_the_hook_inlines_the_data_file(tmp_path):
    (tmp_path / "d.json").write_text('{"a": "<b & \\"c\\">"}')
    out = explorers.inline_data('<div data-explorer-config="d.json">', tmp_path)
    value = re.search(r'data-explorer-data="([^"]*)"', out)[1]
    assert json.loads(html.unescape(value)) == {"a": '<b & "c">'}
    with pytest.raises(Exception, match="no data file"):
        explorers.inline_data('<div data-explorer-config="../x.json">', tmp_path)
    assert Path(explorers.__file__).name == "explorers.py"
