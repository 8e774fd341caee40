"""The optimizer-paths explorer of docs/gradient-descent.md, in headless Chromium.

The explorer (docs/assets/explorers/optimizer-paths.js, window.BookExplorers.
optimizerPaths) runs SGD, SGD with momentum and RMSprop on the chapter's
narrow valley turned by any angle. Here every iterate of every path is
compared with the chapter's NumPy functions (descent.gradient_descent,
descent.momentum_descent, optimizer_paths.rmsprop_path, which runs
rmsprop_numpy.RMSpropNumpy) on cases that hypothesis draws: rates, momenta,
rho, epsilon, angles (whole degrees, as the slider gives), starts and up to
500 steps, all in one ``page.evaluate``. Both are float64 and do the same
operations in the same order, and V8's and NumPy's cosine and sine agree on
whole degrees, so the tolerance is zero, bit for bit. Against Keras's float32
optimizers the stated tolerance is FLOAT32_TOLERANCE on a few cases. Wrong
update rules swapped into the page must be caught.
"""

import json
import math
import os
import re
import statistics

import numpy as np
import pytest
from hypothesis import strategies as st

from snippets.gradient_descent import descent, optimizer_paths
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

DATA_FILE = REPOSITORY / "snippets" / "gradient_descent" / "optimizer_paths.json"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
OUT = (REPOSITORY / "snippets" / "gradient_descent" / "optimizer_paths.out").read_text()
PAGE = "gradient-descent.md"
NS = "window.BookExplorers.optimizerPaths"
TOLERANCE = 0.0  # float64 against float64, the same operations in the same order
# Keras (float32) against the explorer (float64): the largest gap, relative to
# the size of the weights where that is above 1, on the cases below.
FLOAT32_TOLERANCE = 1e-5
CURVATURES = DATA["curvatures"]
MINUS = "\u2212"


def gradient_at(angle):
    """optimizer_paths.rotated_ravine_gradient, for any angle."""

    def gradient(W):
        return optimizer_paths.rotate(
            optimizer_paths.ravine_gradient(optimizer_paths.rotate(W, -angle)), angle
        )

    return gradient


def numpy_path(case) -> list[list[float]]:
    gradient, start, steps = gradient_at(case["angle"]), case["start"], case["steps"]
    o = case["settings"]
    with np.errstate(all="ignore"):
        if case["optimizer"] == "sgd":
            path = descent.gradient_descent(gradient, start, o["learning_rate"], steps)
        elif case["optimizer"] == "momentum":
            path = descent.momentum_descent(
                gradient, start, o["learning_rate"], o["momentum"], steps
            )
        else:
            path = optimizer_paths.rmsprop_path(
                gradient,
                start,
                o["learning_rate"],
                o["rho"],
                steps,
                epsilon=o["epsilon"],
                momentum=o["momentum"],
            )
    return path.tolist()


rate = st.floats(0.001, 1.0)
case_strategy = st.one_of(
    st.fixed_dictionaries(
        {
            "optimizer": st.just("sgd"),
            "settings": st.fixed_dictionaries({"learning_rate": rate}),
        }
    ),
    st.fixed_dictionaries(
        {
            "optimizer": st.just("momentum"),
            "settings": st.fixed_dictionaries(
                {"learning_rate": rate, "momentum": st.floats(0, 0.99)}
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "optimizer": st.just("rmsprop"),
            "settings": st.fixed_dictionaries(
                {
                    "learning_rate": rate,
                    "rho": st.floats(0, 0.999),
                    "epsilon": st.integers(-10, 1).map(lambda k: float(f"1e{k}")),
                    "momentum": st.one_of(st.just(0.0), st.floats(0, 0.99)),
                }
            ),
        }
    ),
).flatmap(
    lambda base: st.fixed_dictionaries(
        {
            "angle": st.integers(0, 90).map(float),
            "start": st.tuples(st.floats(-10, 10), st.floats(-10, 10)).map(list),
            "steps": st.one_of(
                st.integers(1, 50), st.integers(0, 450).map(lambda k: 500 - k)
            ),
        }
    ).map(lambda rest: base | rest)
)


def chapter_cases(steps=optimizer_paths.STEPS):
    cases = []
    for angle in (0.0, DATA["angle_degrees"]):
        start = optimizer_paths.rotate(np.array(DATA["start"]), angle).tolist()
        for key in ("sgd", "momentum", "rmsprop"):
            cases.append(
                {"optimizer": key, "settings": DATA[key], "angle": angle}
                | {"start": start, "steps": steps}
            )
    return cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return chapter_cases(500) + draw(case_strategy, 1200)


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


def explorer_paths(page, cases) -> list[list[list[float]]]:
    """The explorer's paths, as floats (a large whole number comes back as an
    int from its shortest decimal, which is not always the float's value)."""
    paths = page.evaluate(
        f"""cases => cases.map(c => {NS}[c.optimizer](
            c.start, c.steps, {json.dumps(CURVATURES)}, c.angle, c.settings))""",
        cases,
    )
    return [[[float(x) for x in w] for w in path] for path in paths]


def differences(js, expected):
    """Per iterate: the largest gap, relative where the weight is above 1 in size;
    inf where one is finite and the other not, or one is nan and the other not."""
    gaps = []
    for a, b in zip(js, expected, strict=True):
        gap = 0.0
        for x, y in zip(a, b, strict=True):
            if math.isnan(x) or math.isnan(y):
                gap = gap if math.isnan(x) and math.isnan(y) else math.inf
            elif math.isinf(x) or math.isinf(y):
                gap = gap if x == y else math.inf
            else:
                gap = max(gap, abs(x - y) / max(1.0, abs(y)))
        gaps.append(gap)
    return gaps


_EXPECTED = {}


def expected_path(case) -> list[list[float]]:
    """numpy_path(case), computed once per case."""
    key = json.dumps(case, sort_keys=True)
    if key not in _EXPECTED:
        _EXPECTED[key] = numpy_path(case)
    return _EXPECTED[key]


def mismatches(page, cases, tolerance=TOLERANCE) -> list:
    got = explorer_paths(page, cases)
    out = []
    for case, js in zip(cases, got, strict=True):
        expected = expected_path(case)
        if len(js) != len(expected) or max(differences(js, expected)) > tolerance:
            out.append(case)
    return out


# --- The defaults are the book's -----------------------------------------------


def test_the_explorer_reads_the_snippets_settings():
    assert optimizer_paths.DEFAULTS == DATA
    assert list(optimizer_paths.CURVATURES) == CURVATURES
    assert tuple(DATA["start"]) == optimizer_paths.START
    assert DATA["steps"] == optimizer_paths.STEPS
    angles = [p["angle_degrees"] for p in DATA["explorer"]["presets"]]
    assert angles == [0.0, optimizer_paths.ANGLE_DEGREES]
    assert DATA["explorer"]["angle_degrees"] == 0.0
    assert DATA["explorer"]["sliders"]["steps"]["max"] == 500


def test_the_page_inlines_the_data_file_and_loads_the_script(page):
    node = page.locator('[data-explorer="optimizer-paths"]')
    assert node.count() == 1
    assert json.loads(node.get_attribute("data-explorer-data")) == DATA
    assert page.evaluate(
        "[...document.scripts].some(s => s.getAttribute('src') === "
        "'../assets/explorers/optimizer-paths.js' && s.defer)"
    )
    for name in ("optimizer-paths.svg", "optimizer-paths-rotated.svg"):
        figure = node.locator(f"img[src$='{name}']")
        assert figure.count() == 1 and not figure.is_visible()


def shown(text: str) -> str:
    return text.replace(MINUS, "-")


def hand_picked_losses(table: str) -> list[str]:
    """The loss after STEPS steps of each optimizer at its hand-picked rate, as
    optimizer_paths.out prints it: the first number of the three rows after
    the start line (and after a header line, if there is one)."""
    rows = [line for line in table.splitlines()[1:] if re.search(r"\de[-+]", line)]
    return [re.search(r"\s(\d\.\d\de[-+]\d\d)\b", row)[1] for row in rows[:3]]


def test_the_presets_draw_the_chapters_paths_and_print_its_table(page):
    """Aligned and rotated by 45°: the same paths as optimizer_paths.paths(),
    bit for bit, and the losses of snippets/gradient_descent/optimizer_paths.out."""
    select = page.locator(".op-explorer select")
    tables = OUT.split("valley ")[1:]
    for preset, valley, table in zip(
        DATA["explorer"]["presets"], optimizer_paths.VALLEYS, tables, strict=True
    ):
        select.select_option(preset["name"])
        got = page.evaluate(
            f"() => {{ const x = {NS}.instances[0]; return {NS}.paths(x.state, "
            f"{json.dumps(CURVATURES)}); }}"
        )
        expected = optimizer_paths.paths(valley)
        for key, name in zip(("sgd", "momentum", "rmsprop"), expected, strict=True):
            assert [[float(x) for x in w] for w in got[key]] == expected[name].tolist()
        results = page.locator(".op-result").all_text_contents()
        losses = hand_picked_losses(table)
        assert [shown(r) for r in results] == [
            f"loss after {optimizer_paths.STEPS} steps: {loss}" for loss in losses
        ]
        summary = shown(page.locator(".op-summary").text_content())
        assert "(loss 90.5)" in summary and "loss 90.5 at the start" in table
    select.select_option(DATA["explorer"]["presets"][0]["name"])


# --- Same paths as the chapter's NumPy ---------------------------------------------


def test_every_iterate_matches_the_chapters_numpy(page, cases):
    assert len(cases) >= 1200
    kinds = {c["optimizer"] for c in cases}
    assert kinds == {"sgd", "momentum", "rmsprop"}
    assert any(c["steps"] >= 450 for c in cases)
    assert any(
        c["optimizer"] == "rmsprop" and c["settings"]["momentum"] > 0 for c in cases
    )
    got = explorer_paths(page, cases)
    largest, iterates = 0.0, 0
    for case, js in zip(cases, got, strict=True):
        gaps = differences(js, expected_path(case))
        iterates += len(gaps)
        largest = max(largest, max(gaps))
    print(
        f"optimizer-paths explorer: {len(cases)} cases, {iterates} iterates, "
        f"largest difference {largest}"
    )
    assert largest <= TOLERANCE


def test_cosine_and_sine_of_whole_degrees_agree_with_numpy(page):
    got = page.evaluate(
        f"() => [...Array(361).keys()].map(k => [{NS}.rotate([1, 0], k - 180), "
        f"{NS}.rotate([0, 1], k - 180)])"
    )
    for k, (e1, e2) in enumerate(got):
        angle = float(k - 180)
        assert e1 == optimizer_paths.rotate(np.array([1.0, 0.0]), angle).tolist()
        assert e2 == optimizer_paths.rotate(np.array([0.0, 1.0]), angle).tolist()


def test_the_loss_is_the_snippets(page, cases):
    points = [(c["start"], c["angle"]) for c in cases[:400]]
    got = page.evaluate(
        f"ps => ps.map(([w, a]) => {NS}.loss(w, {json.dumps(CURVATURES)}, a))", points
    )
    for (w, angle), loss in zip(points, got, strict=True):
        turned_back = optimizer_paths.rotate(np.array(w), -angle)
        assert loss == float(optimizer_paths.ravine(turned_back))


# --- Keras, in float32 ----------------------------------------------------------------

KERAS_CASES = [
    # the chapter's three settings on both valleys, 50 steps; then longer runs
    *[c for c in chapter_cases() if not (c["optimizer"] == "rmsprop" and c["angle"])],
    {"optimizer": "momentum", "settings": {"learning_rate": 0.01, "momentum": 0.95}}
    | {"angle": 70.0, "start": [3.0, -8.0], "steps": 300},
    {
        "optimizer": "rmsprop",
        "settings": {
            "learning_rate": 0.05,
            "rho": 0.95,
            "epsilon": 1e-7,
            "momentum": 0.0,
        },
    }
    | {"angle": 30.0, "start": [5.0, 5.0], "steps": 200},
    {
        "optimizer": "rmsprop",
        "settings": {
            "learning_rate": 0.02,
            "rho": 0.9,
            "epsilon": 1e-3,
            "momentum": 0.5,
        },
    }
    | {"angle": 0.0, "start": [-6.0, 3.0], "steps": 100},
]


def keras_path(case) -> list[list[float]]:
    """The same run with keras.optimizers in float32: the gradient (of the
    snippet) is taken at Keras's own float32 weights at every step."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    o = case["settings"]
    if case["optimizer"] == "rmsprop":
        optimizer = keras.optimizers.RMSprop(
            o["learning_rate"],
            rho=o["rho"],
            momentum=o["momentum"],
            epsilon=o["epsilon"],
        )
    else:
        optimizer = keras.optimizers.SGD(
            o["learning_rate"], momentum=o.get("momentum", 0.0)
        )
    weights = keras.Variable(np.array(case["start"], dtype="float32"))
    gradient = gradient_at(case["angle"])
    path = [np.array(case["start"], dtype="float32").tolist()]
    for _ in range(case["steps"]):
        g = gradient(np.array(weights.numpy(), dtype=float)).astype("float32")
        optimizer.apply_gradients([(g, weights)])
        path.append(np.array(weights.numpy()).tolist())
    return path


def test_keras_in_float32_agrees_within_the_stated_tolerance(page):
    got = explorer_paths(page, KERAS_CASES)
    largest = 0.0
    for case, js in zip(KERAS_CASES, got, strict=True):
        gap = max(differences(js, keras_path(case)))
        assert gap <= FLOAT32_TOLERANCE, (case, gap)
        largest = max(largest, gap)
    print(
        f"optimizer-paths explorer against Keras (float32): largest gap {largest:.2e}"
    )


def test_rmsprop_on_the_rotated_valley_is_where_float32_parts_from_float64(page):
    """Creeping along the diagonal floor, RMSprop divides gradients whose
    steep-direction part is tiny and, in float32, mostly rounding error by
    their own small running average: float32 paths part from float64 ones.
    The rule is the same: NumPy's RMSprop in float32 gives Keras's path."""
    from snippets.gradient_descent.rmsprop_numpy import RMSpropNumpy

    (case,) = [c for c in chapter_cases() if c["optimizer"] == "rmsprop" and c["angle"]]
    keras = keras_path(case)
    (js,) = explorer_paths(page, [case])
    assert max(differences(js, keras)) > 100 * FLOAT32_TOLERANCE
    o = case["settings"]
    W = np.array(case["start"], dtype="float32")
    optimizer = RMSpropNumpy(o["learning_rate"], o["rho"], o["momentum"], o["epsilon"])
    path = [W.tolist()]
    for _ in range(case["steps"]):
        optimizer.apply([W], [gradient_at(case["angle"])(W.astype(float))])
        path.append(W.tolist())
    assert max(differences(path, keras)) <= 1e-6


# --- A wrong rule is caught --------------------------------------------------------

WRONG = {
    # epsilon outside the square root
    "epsilon outside": (
        "rmspropStep",
        "(w, g, st, i, o) => { st.s[i] = o.rho * st.s[i] + (1 - o.rho) * (g * g);"
        " return w - o.learning_rate * g / (Math.sqrt(st.s[i]) + o.epsilon); }",
    ),
    # Adam-style bias correction of the running average
    "bias correction": (
        "rmspropStep",
        "(w, g, st, i, o) => { st.t = (st.t || 0) + (i === 0 ? 1 : 0);"
        " st.s[i] = o.rho * st.s[i] + (1 - o.rho) * (g * g);"
        " const s = st.s[i] / (1 - Math.pow(o.rho, st.t));"
        " return w - o.learning_rate * g / Math.sqrt(s + o.epsilon); }",
    ),
    # the mean of |g| instead of the root mean square
    "mean absolute": (
        "rmspropStep",
        "(w, g, st, i, o) => { st.s[i] = o.rho * st.s[i] + (1 - o.rho) * Math.abs(g);"
        " return w - o.learning_rate * g / (st.s[i] + o.epsilon); }",
    ),
    # the valley turned the wrong way
    "clockwise": (
        "rotate",
        "(w, d) => { const a = -d * (Math.PI / 180), c = Math.cos(a), s = Math.sin(a);"
        " return [c * w[0] - s * w[1], s * w[0] + c * w[1]]; }",
    ),
    # degrees taken as radians
    "radians": (
        "rotate",
        "(w, d) => { const c = Math.cos(d), s = Math.sin(d);"
        " return [c * w[0] - s * w[1], s * w[0] + c * w[1]]; }",
    ),
}


@pytest.mark.parametrize("wrong", WRONG)
def test_a_wrong_rule_is_caught(page, cases, wrong):
    with planted(page, NS, *WRONG[wrong]):
        assert any_mismatch(mismatches, page, cases)
    assert mismatches(page, cases[:50]) == []


def test_a_wrong_momentum_is_caught(page, cases):
    """Momentum written as PyTorch writes it (v ← μv + g, W ← W − ηv): the same
    maths, rounded differently; a bit-for-bit comparison sees it."""
    pytorch_momentum = """(start, steps, c, d, o) => {
            let w = start.slice(), v = [0, 0]; const path = [w.slice()];
            for (let t = 0; t < steps; t++) {
                const g = ns.gradient(w, c, d);
                for (let i = 0; i < 2; i++) { v[i] = o.momentum * v[i] + g[i];
                    w[i] = w[i] - o.learning_rate * v[i]; }
                path.push(w.slice());
            }
            return path;
        }"""
    with planted(page, NS, "momentum", pytorch_momentum):
        momentum = [c for c in cases if c["optimizer"] == "momentum"]
        assert mismatches(page, momentum) != []


# --- What the page says ------------------------------------------------------------


def test_turning_the_valley_turns_sgd_and_momentum_and_not_rmsprop(page):
    """At every whole angle from 0° to 90°, SGD's and momentum's paths are their
    aligned paths turned, and their losses print the same three digits;
    RMSprop's loss is the lowest at 0° and above momentum's at 45°."""
    states = [
        {
            "angle": float(a),
            "start": DATA["start"],
            "steps": DATA["steps"],
            "sgd": DATA["sgd"],
            "momentum": DATA["momentum"],
            "rmsprop": DATA["rmsprop"],
        }
        for a in range(91)
    ]
    got = page.evaluate(
        f"""states => states.map(s => {{
            const c = {json.dumps(CURVATURES)}, p = {NS}.paths(s, c), out = {{}};
            for (const k in p) {{
                const last = p[k][p[k].length - 1];
                out[k] = {{path: p[k], loss: {NS}.sci({NS}.loss(last, c, s.angle))}};
            }}
            return out;
        }})""",
        states,
    )
    aligned = got[0]
    for angle, result in enumerate(got):
        for key in ("sgd", "momentum"):
            assert result[key]["loss"] == aligned[key]["loss"], (angle, key)
            np.testing.assert_allclose(
                result[key]["path"],
                optimizer_paths.rotate(np.array(aligned[key]["path"]), angle),
                atol=1e-9,
            )
    losses = {
        angle: {k: float(shown(v["loss"])) for k, v in got[angle].items()}
        for angle in (0, 45)
    }
    assert losses[0]["rmsprop"] < losses[0]["momentum"] < losses[0]["sgd"]
    assert losses[45]["momentum"] < losses[45]["rmsprop"]


# --- A book element: accessible, keyboard, small, fast, fits a phone ----------------


def test_every_control_is_labelled_and_the_summary_is_live(page):
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                '.op-explorer input, .op-explorer select')]
            .filter(c => !c.labels || c.labels.length === 0).map(c => c.id)"""
    )
    assert unlabelled == []
    assert page.locator(".op-summary").get_attribute("aria-live") == "polite"
    plots = page.locator(".op-plot")
    assert plots.count() == 3
    for k in range(3):
        assert plots.nth(k).get_attribute("tabindex") == "0"
        assert plots.nth(k).get_attribute("aria-label")


def test_a_click_or_the_arrow_keys_move_the_start(page):
    select = page.locator(".op-explorer select")
    select.select_option("aligned")
    plot = page.locator(".op-plot").first
    box = plot.bounding_box()
    click = {"x": box["width"] * 3 / 4, "y": box["height"] / 4}
    plot.click(position=click)
    state = page.evaluate(f"{NS}.instances[0].state")
    assert select.input_value() == ""
    for k in range(3):  # every plot's start dot lands under the click
        dot = page.locator(".op-plot .op-start").nth(k).bounding_box()
        other = page.locator(".op-plot").nth(k).bounding_box()
        assert dot["x"] + dot["width"] / 2 - other["x"] == pytest.approx(
            click["x"], abs=1
        )
        assert dot["y"] + dot["height"] / 2 - other["y"] == pytest.approx(
            click["y"], abs=1
        )
    assert state["start"][0] > 0 and state["start"][1] > 0
    plot.focus()
    before = state["start"]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    after = page.evaluate(f"{NS}.instances[0].state.start")
    step = DATA["explorer"]["arrow_step"]
    assert after == pytest.approx([before[0] - step, before[1] + 2 * step])
    select.select_option("aligned")


def test_turning_the_valley_turns_the_start_with_it(page):
    page.locator(".op-explorer select").select_option("aligned")
    rotation = page.locator(".op-common input[type=range]").first
    rotation.focus()
    for _ in range(45):
        page.keyboard.press("ArrowRight")
    start = page.evaluate(
        f"() => {{ const x = {NS}.instances[0]; "
        f"return {NS}.rotate(x.state.start, x.state.angle); }}"
    )
    assert start == list(optimizer_paths.ROTATED_START)
    assert "turned by 45°" in page.locator(".op-summary").text_content()
    page.locator(".op-explorer select").select_option("aligned")


def test_script_and_styles_are_small():
    assert gzipped_size("optimizer-paths") < MAX_GZIPPED


def test_the_redraw_is_fast(page):
    """Median time to recompute and redraw 3 paths of 500 steps after a change."""
    timings = page.evaluate(
        f"""() => {{
        const x = {NS}.instances[0];
        const inputs = [...x.node.querySelectorAll('input[type=range]')];
        const steps = inputs[1], angle = inputs[0], times = [];
        steps.value = 500; steps.dispatchEvent(new Event('input'));
        for (let i = 0; i < 21; i++) {{
            angle.value = i % 2 ? 45 : 30;
            const start = performance.now();
            angle.dispatchEvent(new Event('input'));
            document.body.offsetHeight;  // force the layout
            times.push(performance.now() - start);
        }}
        return times;
    }}"""
    )
    median = statistics.median(timings)
    print(f"optimizer-paths explorer: median redraw {median:.2f} ms (3 × 500 steps)")
    assert median < MAX_REDRAW_MS
    page.locator(".op-explorer select").select_option("aligned")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_explorer_fits_a_phone(browser, server, scheme):
    url = server + page_path(PAGE)
    with open_explorer(browser, url, NS, PHONE, color_scheme=scheme) as (page, _):
        explorer = page.locator(".op-explorer")
        for preset in ("aligned", "rotated"):
            page.locator(".op-explorer select").select_option(preset)
            explorer.scroll_into_view_if_needed()
            assert_fits(page, ".op-explorer", preset)
        screenshot(explorer, f"explorer-optimizer-paths-390-{scheme}.png")


def test_it_works_from_file_urls_in_the_offline_build(browser, offline_site_dir):
    url = (offline_site_dir / page_path(PAGE, directory_urls=False)).as_uri()
    with open_explorer(browser, url, NS) as (page, recorder):
        results = page.locator(".op-result").all_text_contents()
        assert shown(results[0]) == "loss after 50 steps: 2.86e-02"
        assert page.evaluate(
            "[...document.scripts].some(s => s.getAttribute('src') === "
            "'assets/explorers/optimizer-paths.js')"
        )
        assert recorder.console_errors == [] and recorder.failed == []
