/* The learning-rate and momentum explorer of docs/gradient-descent.md.
 *
 * On the parabola L(x) = λx²/2 (gradient λx) the reader sets the learning
 * rate η, the momentum μ, the curvature λ, the start x₀ and the number of
 * steps, and sees the iterates x_t, the loss on a log scale, and where (ηλ, μ)
 * lies in the plane whose shaded region 0 < ηλ < 2(1 + μ) converges. The
 * update is Keras's SGD with momentum, as the chapter writes it
 * (snippets/gradient_descent/descent.py: momentum_descent):
 *     v ← μ v − η λ x,   x ← x + v.
 * Presets and defaults come from snippets/gradient_descent/
 * learning_rate_paths.json (inlined by hooks/explorers.py), the file from
 * which learning_rate_paths.py reads its figure's rates.
 *
 * A classic script (Chromium refuses ES modules from file://): everything is
 * in window.BookExplorers.learningRate, which
 * tests/browser/test_explorer_learning_rate.py calls and compares with NumPy.
 */
(function () {
  "use strict";
  var root = (window.BookExplorers = window.BookExplorers || {});
  var ns = (root.learningRate = root.learningRate || {});
  var SVG = "http://www.w3.org/2000/svg";
  var MINUS = "\u2212";

  /* ---- The maths -------------------------------------------------------- */

  // One step of heavy-ball momentum on λx²/2: the tests swap in wrong ones.
  ns.step = function (x, v, eta, mu, lambda) {
    v = mu * v - eta * (lambda * x);
    return [x + v, v];
  };

  // x_0, x_1, ..., x_steps: what momentum_descent(λ·x, x0, η, μ, steps) returns.
  ns.path = function (eta, mu, lambda, x0, steps) {
    var xs = new Array(steps + 1);
    var x = x0, v = 0;
    xs[0] = x;
    for (var t = 1; t <= steps; t++) {
      var next = ns.step(x, v, eta, mu, lambda);
      x = next[0];
      v = next[1];
      xs[t] = x;
    }
    return xs;
  };

  ns.loss = function (x, lambda) {
    return (lambda * x * x) / 2;
  };

  /* The larger size |r| of the two roots of r² − (1 + μ − ηλ) r + μ = 0:
   * after the first steps, the swings' size shrinks (|r| < 1) or grows by
   * about this factor per step. */
  ns.largestRoot = function (etaLambda, mu) {
    var b = 1 + mu - etaLambda;
    var d = b * b - 4 * mu;
    if (d < 0) return Math.sqrt(mu);
    var s = Math.sqrt(d);
    return Math.max(Math.abs(b + s), Math.abs(b - s)) / 2;
  };

  // The chapter's condition: momentum converges when 0 < ηλ < 2(1 + μ).
  ns.stable = function (etaLambda, mu) {
    return etaLambda > 0 && etaLambda < 2 * (1 + mu);
  };

  /* What the path did, in the summary's terms: "diverges" at the first step
   * where |x| exceeds `above` (or overflows); "converges" when the last |x| is
   * below `below`, from the first step after which it stays there; otherwise
   * "neither" within these steps. */
  ns.verdict = function (xs, below, above) {
    for (var t = 0; t < xs.length; t++) {
      if (!(Math.abs(xs[t]) <= above)) return { kind: "diverges", step: t };
    }
    var last = xs.length - 1;
    if (Math.abs(xs[last]) < below) {
      var from = last;
      while (from > 0 && Math.abs(xs[from - 1]) < below) from--;
      return { kind: "converges", step: from };
    }
    return { kind: "neither", step: last };
  };

  /* ---- Words ------------------------------------------------------------ */

  function num(x, digits) {
    var s = Number(x).toFixed(digits === undefined ? 2 : digits);
    return s.charAt(0) === "-" ? MINUS + s.slice(1) : s;
  }

  function power(x) {
    return x.toExponential().replace("e+", "e").replace("-", MINUS);
  }

  function short(x) {
    if (!isFinite(x)) return "overflow";
    var a = Math.abs(x);
    var s = a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(1) : String(Number(x.toPrecision(3)));
    return s.replace("-", MINUS);
  }

  ns.summary = function (state, config) {
    var el = state.eta * state.lambda;
    var xs = ns.path(state.eta, state.mu, state.lambda, state.x0, state.steps);
    var v = ns.verdict(xs, config.converged_below, config.diverged_above);
    var limit = 2 * (1 + state.mu);
    var words = "\u03b7\u03bb = " + num(el) + ", \u03bc = " + num(state.mu) + ": ";
    if (el === 0) words += "a learning rate of 0 never moves. ";
    else {
      words += (ns.stable(el, state.mu) ? "inside" : "outside") + " the stable region (\u03b7\u03bb < 2(1 + \u03bc) = " + num(limit) + "); " +
        "|r| = " + num(ns.largestRoot(el, state.mu), 3) + ". ";
    }
    if (v.kind === "diverges") {
      words += "Diverges: |x| above " + power(config.diverged_above) + " after " + v.step + (v.step === 1 ? " step." : " steps.");
    } else if (v.kind === "converges") {
      words += "Converges: |x| below " + power(config.converged_below) + " after " + v.step + (v.step === 1 ? " step." : " steps.");
    } else {
      words += "After " + v.step + " steps, |x| = " + short(Math.abs(xs[v.step])) + ": neither below " +
        power(config.converged_below) + " nor above " + power(config.diverged_above) + " yet.";
    }
    return { text: words, verdict: v, path: xs };
  };

  /* ---- Drawing ---------------------------------------------------------- */

  var count = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var W = 320, H = 190, L = 46, R = 8, T = 10, B = 30; // one plot's box

  function frame(node, xLabel, yLabel) {
    node.appendChild(svg("text", { x: L + (W - L - R) / 2, y: H - 3, "class": "lr-label", "text-anchor": "middle" }, xLabel));
    node.appendChild(svg("text", { x: 11, y: T + (H - T - B) / 2, "class": "lr-label", "text-anchor": "middle",
      transform: "rotate(-90 11 " + (T + (H - T - B) / 2) + ")" }, yLabel));
    node.appendChild(svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, "class": "lr-box" }));
  }

  function scale(lo, hi, a, b) {
    return function (v) { return a + ((v - lo) / (hi - lo)) * (b - a); };
  }

  function clipped(id) {
    var defs = svg("defs");
    var clip = svg("clipPath", { id: id });
    clip.appendChild(svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B }));
    defs.appendChild(clip);
    return defs;
  }

  function polyline(points) {
    return points.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" ");
  }

  function xTicks(node, sx, steps) {
    var every = steps <= 10 ? 1 : steps <= 25 ? 5 : steps <= 100 ? 20 : 100;
    for (var t = 0; t <= steps; t += every) {
      node.appendChild(svg("text", { x: sx(t), y: H - B + 12, "class": "lr-tick", "text-anchor": "middle" }, String(t)));
    }
  }

  function drawIterates(node, xs, clipId) {
    node.textContent = "";
    var steps = xs.length - 1;
    var top = 0;
    xs.forEach(function (x) { if (isFinite(x)) top = Math.max(top, Math.abs(x)); });
    top = Math.min(top, 4 * Math.abs(xs[0])) || 1;
    top *= 1.1;
    var sx = scale(0, steps, L, W - R), sy = scale(-top, top, H - B, T);
    node.appendChild(clipped(clipId));
    frame(node, "step t", "x\u209c");
    node.appendChild(svg("line", { x1: L, x2: W - R, y1: sy(0), y2: sy(0), "class": "lr-zero" }));
    [-top / 1.1, 0, top / 1.1].forEach(function (v) {
      node.appendChild(svg("text", { x: L - 4, y: sy(v) + 3, "class": "lr-tick", "text-anchor": "end" }, short(v)));
    });
    xTicks(node, sx, steps);
    var pts = [];
    var BIG = 1e9; // keep overflowing points far outside the clip, not at infinity
    xs.forEach(function (x, t) {
      var y = isFinite(x) ? Math.max(-BIG, Math.min(BIG, sy(x))) : (x > 0 ? -BIG : BIG);
      if (x !== x) y = BIG; // NaN, after an overflow
      pts.push([sx(t), y]);
    });
    var g = svg("g", { "clip-path": "url(#" + clipId + ")" });
    g.appendChild(svg("polyline", { points: polyline(pts), "class": "lr-path" }));
    if (steps <= 60) {
      pts.forEach(function (p) { g.appendChild(svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 2.2, "class": "lr-dot" })); });
    }
    node.appendChild(g);
  }

  function drawLoss(node, xs, lambda, clipId) {
    node.textContent = "";
    var steps = xs.length - 1;
    var logs = xs.map(function (x) {
      var l = ns.loss(x, lambda);
      return l > 0 ? Math.log10(l) : -Infinity;
    });
    var lo = Infinity, hi = -Infinity;
    logs.forEach(function (v) { if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    if (lo === Infinity) { lo = -1; hi = 1; }
    lo = Math.max(Math.floor(lo), -40);
    hi = Math.min(Math.ceil(hi), 40);
    if (hi - lo < 2) { lo -= 1; hi += 1; }
    var sx = scale(0, steps, L, W - R), sy = scale(lo, hi, H - B, T);
    node.appendChild(clipped(clipId));
    frame(node, "step t", "loss \u03bbx\u00b2/2");
    var every = Math.max(1, Math.ceil((hi - lo) / 5));
    for (var d = Math.ceil(lo / every) * every; d <= hi; d += every) {
      node.appendChild(svg("text", { x: L - 4, y: sy(d) + 3, "class": "lr-tick", "text-anchor": "end" }, "1e" + (d < 0 ? MINUS + -d : d)));
      node.appendChild(svg("line", { x1: L, x2: W - R, y1: sy(d), y2: sy(d), "class": "lr-grid" }));
    }
    xTicks(node, sx, steps);
    var pts = logs.map(function (v, t) {
      var y = isFinite(v) ? sy(v) : v > 0 || v !== v ? -1e9 : 1e9; // 0 falls off the bottom
      return [sx(t), Math.max(-1e9, Math.min(1e9, y))];
    });
    var g = svg("g", { "clip-path": "url(#" + clipId + ")" });
    g.appendChild(svg("polyline", { points: polyline(pts), "class": "lr-path" }));
    node.appendChild(g);
  }

  // The (ηλ, μ) plane: its shading (how fast, |r|) drawn once, the point each time.
  function drawPlane(node, maxEL) {
    var sx = scale(0, maxEL, L, W - R), sy = scale(0, 1, H - B, T);
    frame(node, "\u03b7\u03bb", "momentum \u03bc");
    var cols = 50, rows = 20, cw = (W - L - R) / cols, rh = (H - T - B) / rows;
    var cells = svg("g", { "class": "lr-speed" });
    for (var i = 0; i < cols; i++) {
      for (var j = 0; j < rows; j++) {
        var e = ((i + 0.5) / cols) * maxEL, m = ((j + 0.5) / rows);
        var r = ns.largestRoot(e, m);
        if (r < 1 && e > 0) {
          cells.appendChild(svg("rect", { x: (L + i * cw).toFixed(2), y: (H - B - (j + 1) * rh).toFixed(2),
            width: (cw + 0.3).toFixed(2), height: (rh + 0.3).toFixed(2), "fill-opacity": (0.15 + 0.6 * (1 - r)).toFixed(2) }));
        }
      }
    }
    node.appendChild(cells);
    // The edge ηλ = 2(1 + μ), and plain descent's limit ηλ = 2 at μ = 0.
    node.appendChild(svg("line", { x1: sx(2), y1: sy(0), x2: sx(4), y2: sy(1), "class": "lr-edge" }));
    node.appendChild(svg("line", { x1: sx(1), y1: sy(0), x2: sx(2), y2: sy(1), "class": "lr-centre" }));
    for (var k = 0; k <= maxEL; k++) {
      node.appendChild(svg("text", { x: sx(k), y: H - B + 12, "class": "lr-tick", "text-anchor": "middle" }, String(k)));
    }
    [0, 0.5, 1].forEach(function (m) {
      node.appendChild(svg("text", { x: L - 4, y: sy(m) + 3, "class": "lr-tick", "text-anchor": "end" }, String(m)));
    });
    node.appendChild(svg("text", { x: sx(3.1), y: sy(0.35), "class": "lr-note", "text-anchor": "start" }, "diverges"));
    node.appendChild(svg("text", { x: sx(0.15), y: sy(0.9), "class": "lr-note", "text-anchor": "start" }, "converges"));
    var mark = svg("g", { "class": "lr-mark" });
    node.appendChild(mark);
    return function (el, mu) {
      mark.textContent = "";
      var x = sx(Math.min(el, maxEL)), y = sy(mu);
      if (el > maxEL) {
        mark.appendChild(svg("path", { d: "M" + (x - 9) + "," + (y - 6) + "L" + x + "," + y + "L" + (x - 9) + "," + (y + 6) + "Z" }));
      } else {
        mark.appendChild(svg("circle", { cx: x, cy: y, r: 5 }));
      }
    };
  }

  function readConfig(node) {
    try {
      return JSON.parse(node.getAttribute("data-explorer-data") || "{}");
    } catch (error) {
      return {};
    }
  }

  var CONTROLS = [
    ["eta", "learning_rate", "learning rate \u03b7", 2],
    ["mu", "momentum", "momentum \u03bc", 2],
    ["lambda", "curvature", "curvature \u03bb", 1],
    ["x0", "start", "start x\u2080", 1],
    ["steps", "steps", "steps", 0],
  ];

  ns.mount = function (node) {
    var config = readConfig(node);
    if (!config.figure_presets) return null;
    var id = "lr" + ++count;
    var presets = config.figure_presets.concat(config.more_presets || []);
    var state = { eta: 0, mu: 0, lambda: config.curvature, x0: config.start, steps: config.steps };
    var select = el("select", { id: id + "-preset" });
    [["The chapter's figure, on x\u00b2", config.figure_presets], ["More", config.more_presets || []]].forEach(function (group) {
      var og = el("optgroup", { label: group[0] });
      group[1].forEach(function (p) { og.appendChild(el("option", { value: p.name, text: p.label })); });
      select.appendChild(og);
    });
    select.appendChild(el("option", { value: "", text: "Your own settings" }));
    var sliders = {};
    var fields = CONTROLS.map(function (c) {
      var range = config.sliders[c[1]];
      var input = el("input", { type: "range", id: id + "-" + c[0], min: range.min, max: range.max, step: range.step });
      var out = el("output", { "for": input.id, id: input.id + "-value" });
      sliders[c[0]] = { input: input, output: out, digits: c[3] };
      input.addEventListener("input", function () {
        state[c[0]] = Number(input.value);
        select.value = "";
        update();
      });
      return el("div", { className: "lr-field" }, [el("label", { "for": input.id }, [c[2], " ", out]), input]);
    });
    var plots = ["iterates", "loss", "plane"].map(function (name) {
      return svg("svg", { viewBox: "0 0 " + W + " " + H, "class": "lr-plot lr-" + name, role: "img" });
    });
    plots[0].setAttribute("aria-label", "The iterates x_t against the step t");
    plots[1].setAttribute("aria-label", "The loss against the step t, on a log scale");
    plots[2].setAttribute("aria-label", "The plane of eta times lambda and mu: the shaded region converges, darker is faster; the dot is your setting");
    var summary = el("p", { className: "lr-summary", "aria-live": "polite", id: id + "-summary" });
    var caption = el("p", { className: "lr-caption", text:
      "Shaded where momentum converges, 0 < \u03b7\u03bb < 2(1 + \u03bc), more strongly where it converges faster " +
      "(smaller |r|). Solid line: the edge \u03b7\u03bb = 2(1 + \u03bc); dashed: \u03b7\u03bb = 1 + \u03bc; circle: your setting." });
    var panel = el("div", { className: "lr-explorer", role: "group", "aria-label": "Learning-rate and momentum explorer" }, [
      el("div", { className: "lr-top" }, [
        el("div", { className: "lr-controls" }, [el("div", { className: "lr-field lr-preset" }, [el("label", { "for": select.id, text: "Preset" }), select])].concat(fields)),
        el("div", { className: "lr-plane-box" }, [plots[2], caption]),
      ]),
      el("div", { className: "lr-plots" }, [plots[0], plots[1]]),
      summary,
    ]);
    var mark = drawPlane(plots[2], (config.plane || {}).max_rate_times_curvature || 5);

    function update() {
      Object.keys(sliders).forEach(function (k) {
        sliders[k].input.value = state[k];
        sliders[k].output.textContent = sliders[k].digits ? num(state[k], sliders[k].digits) : String(state[k]);
      });
      var result = ns.summary(state, config);
      drawIterates(plots[0], result.path, id + "-clip-x");
      drawLoss(plots[1], result.path, state.lambda, id + "-clip-l");
      mark(state.eta * state.lambda, state.mu);
      summary.textContent = result.text;
      return result;
    }

    function choose(name) {
      var p = presets.filter(function (q) { return q.name === name; })[0];
      if (!p) return;
      state.eta = p.learning_rate;
      state.mu = p.momentum || 0;
      state.lambda = p.curvature === undefined ? config.curvature : p.curvature;
      state.x0 = p.start === undefined ? config.start : p.start;
      select.value = name;
      update();
    }

    select.addEventListener("change", function () { if (select.value) choose(select.value); });

    var fallback = node.children;
    for (var i = 0; i < fallback.length; i++) fallback[i].hidden = true;
    node.appendChild(panel);
    node.classList.add("lr-ready");
    choose(config["default"] || presets[0].name);
    var instance = { node: node, state: state, update: update, choose: choose, sliders: sliders, select: select };
    ns.instances.push(instance);
    return instance;
  };

  ns.instances = ns.instances || [];

  function start() {
    var nodes = document.querySelectorAll('[data-explorer="learning-rate"]:not(.lr-ready)');
    for (var i = 0; i < nodes.length; i++) ns.mount(nodes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
