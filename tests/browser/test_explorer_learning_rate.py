"""The learning-rate explorer of docs/gradient-descent.md, driven in headless Chromium.

The explorer (docs/assets/explorers/learning-rate.js, window.BookExplorers.
learningRate) runs heavy-ball momentum on L(x) = λx²/2, the update the chapter
writes and snippets/gradient_descent/descent.py implements (momentum_descent:
v ← μv − η∇L, x ← x + v). Here its iterates are compared with
momentum_descent's on cases that hypothesis draws (rates, momenta, curvatures,
starts, up to 500 steps), all in one ``page.evaluate``: the two are float64 and
do the same operations in the same order, so the tolerance is zero, bit for
bit. Its stability test and root size are compared with the characteristic
equation's roots (np.roots), its presets with the chapter's figure, and wrong
update rules swapped into the page must be caught.
"""

import json
import math
import statistics

import numpy as np
import pytest
from hypothesis import strategies as st

from snippets.gradient_descent import descent, learning_rate_paths
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

DATA_FILE = REPOSITORY / "snippets" / "gradient_descent" / "learning_rate_paths.json"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
PAGE = "gradient-descent.md"
PAGE_TEXT = " ".join((REPOSITORY / "docs" / PAGE).read_text(encoding="utf-8").split())
NS = "window.BookExplorers.learningRate"
TOLERANCE = 0.0  # float64 against float64, the same operations in the same order


def on_grid(low, high, step):
    """A value a slider can take: low + k·step, as the browser rounds it."""
    count = round((high - low) / step)
    return st.integers(0, count).map(lambda k: float(f"{low + k * step:.10g}"))


SLIDERS = DATA["sliders"]
slider_case = st.fixed_dictionaries(
    {
        name: on_grid(r["min"], r["max"], r["step"])
        for name, r in SLIDERS.items()
        if name != "steps"
    }
    | {
        "steps": st.one_of(
            st.integers(SLIDERS["steps"]["min"], 50),
            st.integers(0, 450).map(lambda k: SLIDERS["steps"]["max"] - k),
        )
    }
)
any_case = st.fixed_dictionaries(
    {
        "learning_rate": st.floats(0, 4),
        "momentum": st.floats(0, 0.999),
        "curvature": st.floats(0.01, 20),
        "start": st.floats(-1e3, 1e3),
        "steps": st.one_of(
            st.integers(1, 50), st.integers(0, 450).map(lambda k: 500 - k)
        ),
    }
)


def presets_as_cases(steps):
    cases = []
    for preset in DATA["figure_presets"] + DATA["more_presets"]:
        cases.append(
            {
                "learning_rate": preset["learning_rate"],
                "momentum": preset.get("momentum", 0.0),
                "curvature": preset.get("curvature", DATA["curvature"]),
                "start": preset.get("start", DATA["start"]),
                "steps": steps,
            }
        )
    return cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    drawn = presets_as_cases(500)
    drawn += draw(slider_case, 600)
    drawn += draw(any_case, 600)
    return drawn


def numpy_path(case) -> list[float]:
    curvature = case["curvature"]
    with np.errstate(over="ignore", invalid="ignore"):
        path = descent.momentum_descent(
            lambda x: curvature * x,
            case["start"],
            case["learning_rate"],
            case["momentum"],
            case["steps"],
        )
    return path.tolist()


@pytest.fixture(scope="module")
def opened(browser, server):
    """The chapter, open in Chromium, once the explorer has started."""
    with open_explorer(browser, server + page_path(PAGE), NS) as page_and_recorder:
        yield page_and_recorder


@pytest.fixture
def page(opened):
    page, recorder = opened
    yield page
    assert recorder.console_errors == []
    assert recorder.failed == []


def explorer_paths(page, cases) -> list[list[float]]:
    """The explorer's iterates (as floats: a large whole number comes back as
    an int from its shortest decimal, which is not always the float's value)."""
    paths = page.evaluate(
        f"""cases => cases.map(c => {NS}.path(
            c.learning_rate, c.momentum, c.curvature, c.start, c.steps))""",
        cases,
    )
    return [[float(x) for x in path] for path in paths]


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOLERANCE * max(1.0, abs(b)) or a == b


def mismatches(page, cases) -> list:
    got = explorer_paths(page, cases)
    out = []
    for case, js in zip(cases, got, strict=True):
        expected = numpy_path(case)
        if len(js) != len(expected) or not all(map(same, js, expected)):
            out.append(case)
    return out


def largest_difference(page, cases) -> float:
    got = explorer_paths(page, cases)
    largest = 0.0
    for case, js in zip(cases, got, strict=True):
        for a, b in zip(js, numpy_path(case), strict=True):
            if math.isfinite(a) and math.isfinite(b):
                largest = max(largest, abs(a - b))
    return largest


# --- The defaults are the book's -----------------------------------------------


def test_the_presets_are_the_figures_rates_on_its_parabola():
    rates = [preset["learning_rate"] for preset in DATA["figure_presets"]]
    assert tuple(rates) == learning_rate_paths.FIGURE_RATES_1D
    assert DATA["start"] == descent.START_1D
    # L(x) = x² is λx²/2 with λ = 2: the same gradient
    assert descent.parabola_gradient(1.0) == DATA["curvature"]
    assert DATA["default"] in [p["name"] for p in DATA["figure_presets"]]


def test_the_momentum_preset_is_the_momentum_sections_example():
    (preset,) = DATA["more_presets"]
    assert "learning_rate, momentum = 3.0, 0.9" in PAGE_TEXT
    assert "curvature = 1.0" in PAGE_TEXT
    assert (preset["learning_rate"], preset["momentum"], preset["curvature"]) == (
        3.0,
        0.9,
        1.0,
    )
    assert "pick *Momentum 0.9 with ηλ = 3*" in PAGE_TEXT
    assert preset["label"].startswith("Momentum 0.9 with ηλ = 3")


def test_the_page_inlines_the_data_file_and_loads_the_script(page):
    node = page.locator('[data-explorer="learning-rate"]')
    assert node.count() == 1
    assert json.loads(node.get_attribute("data-explorer-data")) == DATA
    assert page.evaluate(
        "[...document.scripts].some(s => s.getAttribute('src') === "
        "'../assets/explorers/learning-rate.js' && s.defer)"
    )
    figure = node.locator("img[src$='learning-rates-1d.svg']")
    assert figure.count() == 1 and not figure.is_visible()


# --- Same iterates as the chapter's NumPy ----------------------------------------


def test_iterates_match_momentum_descent_bit_for_bit(page, cases):
    assert len(cases) >= 1200
    assert any(c["steps"] >= 450 for c in cases)
    assert mismatches(page, cases) == []
    largest = largest_difference(page, cases)
    print(f"learning-rate explorer: {len(cases)} cases, largest difference {largest}")
    assert largest == 0.0


def test_the_presets_draw_the_figures_paths(page):
    figure = learning_rate_paths.paths_1d()
    cases = presets_as_cases(descent.STEPS_1D)[: len(figure)]
    got = explorer_paths(page, cases)
    for case, js in zip(cases, got, strict=True):
        assert js == figure[case["learning_rate"]].tolist()


def test_without_momentum_it_is_plain_gradient_descent(page, cases):
    plain = [dict(c, momentum=0.0) for c in cases[:300]]
    got = explorer_paths(page, plain)
    for case, js in zip(plain, got, strict=True):
        curvature = case["curvature"]
        with np.errstate(over="ignore", invalid="ignore"):
            expected = descent.gradient_descent(
                lambda x, c=curvature: c * x,
                case["start"],
                case["learning_rate"],
                case["steps"],
            ).tolist()
        finite = [(a, b) for a, b in zip(js, expected, strict=True) if math.isfinite(b)]
        assert all(a == b for a, b in finite), case


def test_only_the_product_matters(page, cases):
    """Double λ and halve η: the iterates do not change (doubling is exact),
    except where they come within rounding of floating point's smallest numbers."""
    pairs = [c for c in cases if c["curvature"] <= 5][:400]
    doubled = [
        dict(c, curvature=2 * c["curvature"], learning_rate=c["learning_rate"] / 2)
        for c in pairs
    ]
    tiny = 1e-290  # near the smallest normal float, 2.2e-308, λx may round
    for one, other in zip(
        explorer_paths(page, pairs), explorer_paths(page, doubled), strict=True
    ):
        assert all(
            same(a, b) or max(abs(a), abs(b)) < tiny
            for a, b in zip(one, other, strict=True)
        )


# --- Where it converges: the chapter's condition ----------------------------------


def largest_root(rate_times_curvature, momentum) -> float:
    roots = np.roots([1, -(1 + momentum - rate_times_curvature), momentum])
    return float(np.abs(roots).max())


GRID = [(e, m) for e in np.linspace(0.01, 5, 100) for m in np.linspace(0, 0.99, 34)]


def test_the_shaded_region_is_where_both_roots_are_inside_the_unit_circle(page):
    got = page.evaluate(
        f"grid => grid.map(([e, m]) => [{NS}.stable(e, m), {NS}.largestRoot(e, m)])",
        GRID,
    )
    for (e, m), (stable, size) in zip(GRID, got, strict=True):
        expected = largest_root(e, m)
        assert size == pytest.approx(expected, abs=1e-6), (e, m)
        if abs(expected - 1) > 1e-6:
            assert stable == (expected < 1) == (0 < e < 2 * (1 + m)), (e, m)


def test_without_momentum_it_converges_while_the_product_is_below_2(page):
    products = [k / 100 for k in range(1, 400)]
    got = page.evaluate(
        f"ps => ps.map(p => {NS}.stable(p, 0))",
        products,
    )
    assert got == [0 < p < 2 for p in products]
    paths = explorer_paths(
        page,
        [
            {"learning_rate": p / 2, "momentum": 0, "curvature": 2, "start": 1.5}
            | {"steps": 200}
            for p in products
        ],
    )
    for p, path in zip(products, paths, strict=True):
        if p < 1.98:
            assert abs(path[-1]) < abs(path[0]), p
        elif p > 2.02:
            assert abs(path[-1]) > abs(path[0]), p


def test_lowering_the_momentum_below_a_half_leaves_the_region_and_x_grows(page):
    page.locator("select").first.select_option("momentum rescues")
    summary = page.locator(".lr-summary")
    assert "inside the stable region" in summary.text_content()
    assert "Converges" in summary.text_content() or "neither" in summary.text_content()
    slider = page.locator("input[type=range]").nth(1)  # μ
    slider.focus()
    for _ in range(41):  # 0.90 → 0.49, one arrow press per 0.01
        page.keyboard.press("ArrowLeft")
    state = page.evaluate(f"{NS}.instances[0].state")
    assert state["mu"] == pytest.approx(0.49)
    assert "outside the stable region" in summary.text_content()
    momenta = [k / 100 for k in range(0, 100)]
    paths = explorer_paths(
        page,
        [
            {"learning_rate": 3.0, "momentum": m, "curvature": 1.0, "start": 1.0}
            | {"steps": DATA["steps"]}
            for m in momenta
        ],
    )
    for m, path in zip(momenta, paths, strict=True):
        if m != 0.5:  # on the edge itself, a root is −1: it neither grows nor dies
            assert (abs(path[-1]) > abs(path[0])) == (m < 0.5), m
        assert (2 * (1 + m) > 3.0) == (m > 0.5)
    page.locator("select").first.select_option(DATA["default"])


def test_the_fastest_settings_and_the_stability_edge(page):
    """For each μ the fastest settings (|r| = √μ, its least) are the interval
    [(1 − √μ)², (1 + √μ)²], centred on ηλ = 1 + μ; the edge is 2(1 + μ)."""
    products = np.linspace(0, 5, 5001)[1:]
    for m in (0.1, 0.3, 0.5, 0.7, 0.9):
        sizes = np.array(
            page.evaluate(
                f"([ps, m]) => ps.map(p => {NS}.largestRoot(p, m))",
                [products.tolist(), m],
            )
        )
        fastest = products[sizes <= sizes.min() + 1e-9]
        assert sizes.min() == pytest.approx(np.sqrt(m))
        assert (fastest.min() + fastest.max()) / 2 == pytest.approx(1 + m, abs=2e-3)
        edge = products[sizes < 1].max()
        assert edge == pytest.approx(2 * (1 + m), abs=2e-3)


def python_verdict(path, below, above):
    for t, x in enumerate(path):
        if not abs(x) <= above:
            return {"kind": "diverges", "step": t}
    if abs(path[-1]) < below:
        start = len(path) - 1
        while start > 0 and abs(path[start - 1]) < below:
            start -= 1
        return {"kind": "converges", "step": start}
    return {"kind": "neither", "step": len(path) - 1}


def test_the_summary_says_what_the_path_does(page, cases):
    below, above = DATA["converged_below"], DATA["diverged_above"]
    paths = [numpy_path(c) for c in cases]
    got = page.evaluate(
        f"([paths, b, a]) => paths.map(p => {NS}.verdict(p, b, a))",
        [paths, below, above],
    )
    expected = [python_verdict(p, below, above) for p in paths]
    assert got == expected
    kinds = {v["kind"] for v in expected}
    assert kinds == {"converges", "diverges", "neither"}


def test_the_summary_of_the_figures_rates(page):
    select = page.locator("select").first
    summary = page.locator(".lr-summary")
    words = {}
    for preset in DATA["figure_presets"]:
        select.select_option(preset["name"])
        words[preset["name"]] = summary.text_content()
    assert "Converges: |x| below 1e\u22126 after 1 step." in words["best"]
    assert "Converges" in words["oscillating"] and "inside" in words["oscillating"]
    assert "neither" in words["bouncing"] and "outside" in words["bouncing"]
    assert "outside" in words["diverging"]
    select.select_option(DATA["default"])


# --- A wrong rule is caught --------------------------------------------------------

WRONG_STEPS = {
    # the gradient added instead of subtracted
    "sign": (
        "(x, v, eta, mu, lam) => { v = mu * v + eta * (lam * x); return [x + v, v]; }"
    ),
    # PyTorch's dampening: v ← μv + (1 − μ)g
    "dampening": (
        "(x, v, eta, mu, lam) => { v = mu * v - (1 - mu) * eta * (lam * x);"
        " return [x + v, v]; }"
    ),
    # Nesterov: the gradient at the look-ahead point
    "nesterov": (
        "(x, v, eta, mu, lam) => { v = mu * v - eta * (lam * (x + mu * v));"
        " return [x + v, v]; }"
    ),
    # the same maths in PyTorch's form, v ← μv + g, x ← x − ηv: rounds differently
    "torch-form": (
        "(x, v, eta, mu, lam) => { const u = mu * (-v / eta) + lam * x;"
        " const w = -eta * u; return [x + w, w]; }"
    ),
}


@pytest.mark.parametrize("rule", WRONG_STEPS)
def test_a_wrong_update_is_caught(page, cases, rule):
    with planted(page, NS, "step", WRONG_STEPS[rule]):
        assert any_mismatch(mismatches, page, cases)
    assert mismatches(page, cases[:50]) == []


def test_a_wrong_region_is_caught(page):
    page.evaluate(
        f"() => {{ {NS}._stable = {NS}.stable; "
        f"{NS}.stable = (e, m) => e > 0 && e < 2; }}"
    )
    try:
        with pytest.raises(AssertionError):
            test_the_shaded_region_is_where_both_roots_are_inside_the_unit_circle(page)
    finally:
        page.evaluate(f"() => {{ {NS}.stable = {NS}._stable; }}")


# --- A book element: accessible, small, fast, fits a phone -------------------------


def test_every_control_is_labelled_and_the_summary_is_live(page):
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                '.lr-explorer input, .lr-explorer select')]
            .filter(c => !c.labels || c.labels.length === 0).map(c => c.id)"""
    )
    assert unlabelled == []
    assert page.locator(".lr-summary").get_attribute("aria-live") == "polite"
    assert page.locator(".lr-explorer svg[role=img][aria-label]").count() == 3


def test_the_sliders_work_from_the_keyboard(page):
    page.locator("select").first.select_option("too small")
    slider = page.locator("input[type=range]").first
    slider.focus()
    page.keyboard.press("ArrowRight")
    state = page.evaluate(f"{NS}.instances[0].state")
    assert state["eta"] == pytest.approx(0.11)
    assert "\u03b7\u03bb = 0.22" in page.locator(".lr-summary").text_content()
    assert page.locator("select").first.input_value() == ""
    page.locator("select").first.select_option(DATA["default"])


def test_script_and_styles_are_small():
    assert gzipped_size("learning-rate") < MAX_GZIPPED


def test_the_redraw_is_fast(page):
    """Median time to recompute and redraw a 500-step path after a slider change."""
    timings = page.evaluate(
        f"""() => {{
        const x = {NS}.instances[0];
        const input = x.sliders.steps.input, eta = x.sliders.eta.input, times = [];
        input.value = 500; input.dispatchEvent(new Event('input'));
        for (let i = 0; i < 21; i++) {{
            eta.value = i % 2 ? 0.5 : 0.7;
            const start = performance.now();
            eta.dispatchEvent(new Event('input'));
            document.body.offsetHeight;  // force the layout
            times.push(performance.now() - start);
        }}
        return times;
    }}"""
    )
    median = statistics.median(timings)
    print(f"learning-rate explorer: median redraw {median:.2f} ms (500 steps)")
    assert median < MAX_REDRAW_MS
    page.locator("select").first.select_option(DATA["default"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_explorer_fits_a_phone(browser, server, scheme):
    url = server + page_path(PAGE)
    with open_explorer(browser, url, NS, PHONE, color_scheme=scheme) as (page, _):
        explorer = page.locator(".lr-explorer")
        for preset in ("diverging", "momentum rescues", "best"):
            page.locator(".lr-explorer select").select_option(preset)
            explorer.scroll_into_view_if_needed()
            assert_fits(page, ".lr-explorer", preset)
        screenshot(explorer, f"explorer-learning-rate-390-{scheme}.png")


def test_it_works_from_file_urls_in_the_offline_build(browser, offline_site_dir):
    url = (offline_site_dir / page_path(PAGE, directory_urls=False)).as_uri()
    with open_explorer(browser, url, NS) as (page, recorder):
        assert "Converges" in page.locator(".lr-summary").text_content()
        assert page.evaluate(
            "[...document.scripts].some(s => s.getAttribute('src') === "
            "'assets/explorers/learning-rate.js')"
        )
        assert recorder.console_errors == [] and recorder.failed == []
