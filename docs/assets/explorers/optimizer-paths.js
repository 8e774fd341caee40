/* The optimizer-paths explorer of docs/gradient-descent.md.
 *
 * The chapter's narrow valley L(w) = ½(λ₁ u₁² + λ₂ u₂²), u = w turned back by
 * the angle (λ = 1 and 25), with SGD, SGD with momentum and RMSprop side by
 * side. The reader turns the valley, sets each optimizer's hyperparameters
 * and the number of steps, and picks the start by clicking a plot (or with
 * the arrow keys once a plot has focus). The update rules are the chapter's
 * NumPy ones, operation for operation:
 *   SGD       W ← W − η g                          (descent.gradient_descent)
 *   momentum  v ← μ v − η g;  W ← W + v            (descent.momentum_descent)
 *   RMSprop   s ← ρ s + (1 − ρ) g²;  Δ = η g / √(s + ε);
 *             W ← W − Δ, or m ← μ m + Δ; W ← W − m (rmsprop_numpy.RMSpropNumpy)
 * and the valley is optimizer_paths.py's (rotate, ravine, ravine_gradient).
 * Defaults come from snippets/gradient_descent/optimizer_paths.json (inlined
 * by hooks/explorers.py), the file optimizer_paths.py reads.
 *
 * A classic script (Chromium refuses ES modules from file://): everything is
 * in window.BookExplorers.optimizerPaths, which
 * tests/browser/test_explorer_optimizer_paths.py compares with NumPy.
 */
(function () {
  "use strict";
  var root = (window.BookExplorers = window.BookExplorers || {});
  var ns = (root.optimizerPaths = root.optimizerPaths || {});
  var SVG = "http://www.w3.org/2000/svg";
  var MINUS = "\u2212";

  /* ---- The valley (optimizer_paths.py) ----------------------------------- */

  // Turn the point w anticlockwise by `degrees` (optimizer_paths.rotate).
  ns.rotate = function (w, degrees) {
    var angle = degrees * (Math.PI / 180); // as np.radians
    var cos = Math.cos(angle), sin = Math.sin(angle);
    return [cos * w[0] - sin * w[1], sin * w[0] + cos * w[1]];
  };

  // The loss of the valley turned by `degrees`: ravine(rotate(w, −degrees)).
  ns.loss = function (w, curvatures, degrees) {
    var u = ns.rotate(w, -degrees);
    return 0.5 * (curvatures[0] * (u[0] * u[0]) + curvatures[1] * (u[1] * u[1]));
  };

  // Turn w back onto the axes, take the gradient there, turn it forward.
  ns.gradient = function (w, curvatures, degrees) {
    var u = ns.rotate(w, -degrees);
    return ns.rotate([curvatures[0] * u[0], curvatures[1] * u[1]], degrees);
  };

  /* ---- The optimizers: each returns the path, start first --------------- */

  function run(start, steps, curvatures, degrees, update) {
    var w = [start[0], start[1]];
    var path = [w.slice()];
    for (var t = 0; t < steps; t++) {
      var g = ns.gradient(w, curvatures, degrees);
      for (var i = 0; i < 2; i++) w[i] = update(i, w[i], g[i]);
      path.push(w.slice());
    }
    return path;
  }

  ns.sgd = function (start, steps, curvatures, degrees, o) {
    return run(start, steps, curvatures, degrees, function (i, w, g) {
      return w - o.learning_rate * g;
    });
  };

  ns.momentum = function (start, steps, curvatures, degrees, o) {
    var v = [0, 0];
    return run(start, steps, curvatures, degrees, function (i, w, g) {
      v[i] = o.momentum * v[i] - o.learning_rate * g;
      return w + v[i];
    });
  };

  // One coordinate's RMSprop update; the tests swap in wrong ones.
  ns.rmspropStep = function (w, g, state, i, o) {
    state.s[i] = o.rho * state.s[i] + (1 - o.rho) * (g * g);
    var increment = (o.learning_rate * g) / Math.sqrt(state.s[i] + o.epsilon);
    if (o.momentum > 0) {
      state.m[i] = o.momentum * state.m[i] + increment;
      return w - state.m[i];
    }
    return w - increment;
  };

  ns.rmsprop = function (start, steps, curvatures, degrees, o) {
    var state = { s: [0, 0], m: [0, 0] };
    return run(start, steps, curvatures, degrees, function (i, w, g) {
      return ns.rmspropStep(w, g, state, i, o);
    });
  };

  ns.OPTIMIZERS = [
    { key: "sgd", title: "SGD", run: "sgd", params: ["learning_rate"] },
    { key: "momentum", title: "SGD + momentum", run: "momentum", params: ["learning_rate", "momentum"] },
    { key: "rmsprop", title: "RMSprop", run: "rmsprop", params: ["learning_rate", "rho", "epsilon", "momentum"] },
  ];

  // Every optimizer's path for one state of the explorer.
  ns.paths = function (state, curvatures) {
    var start = ns.rotate(state.start, state.angle);
    var out = {};
    ns.OPTIMIZERS.forEach(function (opt) {
      out[opt.key] = ns[opt.run](start, state.steps, curvatures, state.angle, state[opt.key]);
    });
    return out;
  };

  /* ---- Words ------------------------------------------------------------ */

  // As Python's f"{x:.2e}" (the snippet's table), with a true minus sign.
  ns.sci = function (x) {
    if (x !== x) return "nan";
    if (!isFinite(x)) return "inf";
    var parts = x.toExponential(2).split("e");
    var exponent = Number(parts[1]);
    var digits = String(Math.abs(exponent));
    return (parts[0] + "e" + (exponent < 0 ? MINUS : "+") + (digits.length < 2 ? "0" : "") + digits).replace("-", MINUS);
  };
  var sci = ns.sci;

  // As Python's f"{x:g}" for the start's loss (six significant digits).
  function general(x) {
    var e = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)));
    if (!isFinite(x) || e < -4 || e >= 6) return sci(x);
    return String(Number(x.toPrecision(6))).replace("-", MINUS);
  }

  function fixed(x, digits) {
    var s = x.toFixed(digits);
    return s.charAt(0) === "-" ? MINUS + s.slice(1) : s;
  }

  ns.point = function (w) {
    return "(" + fixed(w[0], 2) + ", " + fixed(w[1], 2) + ")";
  };

  /* ---- Drawing ---------------------------------------------------------- */

  var count = 0;
  var SIZE = 240, PAD = 6;

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

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  var LEVELS = [0.1, 0.5, 1, 2, 5, 10, 20, 40, 70, 100]; // the figure's contour levels

  function Plot(view, curvatures, clipId) {
    var sx = function (x) { return PAD + ((x - view[0]) / (view[1] - view[0])) * (SIZE - 2 * PAD); };
    var sy = function (y) { return SIZE - PAD - ((y - view[2]) / (view[3] - view[2])) * (SIZE - 2 * PAD); };
    var unit = (SIZE - 2 * PAD) / (view[1] - view[0]);
    var node = svg("svg", { viewBox: "0 0 " + SIZE + " " + SIZE, "class": "op-plot", tabindex: "0", role: "group" });
    var defs = svg("defs");
    var clip = svg("clipPath", { id: clipId });
    clip.appendChild(svg("rect", { x: PAD, y: PAD, width: SIZE - 2 * PAD, height: SIZE - 2 * PAD }));
    defs.appendChild(clip);
    node.appendChild(defs);
    node.appendChild(svg("rect", { x: PAD, y: PAD, width: SIZE - 2 * PAD, height: SIZE - 2 * PAD, "class": "op-box" }));
    var body = svg("g", { "clip-path": "url(#" + clipId + ")" });
    var contours = svg("g", { "class": "op-contours" });
    LEVELS.forEach(function (c) {
      contours.appendChild(svg("ellipse", { cx: sx(0), cy: sy(0), rx: Math.sqrt((2 * c) / curvatures[0]) * unit, ry: Math.sqrt((2 * c) / curvatures[1]) * unit }));
    });
    body.appendChild(contours);
    var line = svg("polyline", { "class": "op-path" });
    body.appendChild(line);
    node.appendChild(body);
    var minimum = svg("path", { "class": "op-min", d: "M" + sx(0) + "," + (sy(0) - 6) + "l1.8,4.2 4.2,0.3 -3.3,2.8 1.1,4.3 -3.8,-2.4 -3.8,2.4 1.1,-4.3 -3.3,-2.8 4.2,-0.3z" });
    node.appendChild(minimum);
    var startDot = svg("circle", { r: 5, "class": "op-start" });
    node.appendChild(startDot);
    return {
      node: node,
      draw: function (path, degrees) {
        contours.setAttribute("transform", "rotate(" + -degrees + " " + sx(0) + " " + sy(0) + ")");
        var BIG = 1e6;
        var pts = [];
        for (var t = 0; t < path.length; t++) {
          var x = sx(path[t][0]), y = sy(path[t][1]);
          if (!isFinite(x) || !isFinite(y)) break; // overflowed: the path has left the plot
          pts.push(Math.max(-BIG, Math.min(BIG, x)).toFixed(1) + "," + Math.max(-BIG, Math.min(BIG, y)).toFixed(1));
        }
        line.setAttribute("points", pts.join(" "));
        startDot.setAttribute("cx", sx(path[0][0]));
        startDot.setAttribute("cy", sy(path[0][1]));
      },
      // The point of the plane under a click.
      at: function (event) {
        var m = node.getScreenCTM();
        if (!m) return null;
        var p = node.createSVGPoint();
        p.x = event.clientX;
        p.y = event.clientY;
        var q = p.matrixTransform(m.inverse());
        return [
          view[0] + ((q.x - PAD) / (SIZE - 2 * PAD)) * (view[1] - view[0]),
          view[2] + ((SIZE - PAD - q.y) / (SIZE - 2 * PAD)) * (view[3] - view[2]),
        ];
      },
    };
  }

  function readConfig(node) {
    try {
      return JSON.parse(node.getAttribute("data-explorer-data") || "{}");
    } catch (error) {
      return {};
    }
  }

  var LABELS = { learning_rate: "learning rate \u03b7", momentum: "momentum \u03bc", rho: "\u03c1 (rho)", epsilon: "\u03b5 (epsilon)" };
  var DIGITS = { learning_rate: 3, momentum: 2, rho: 3 };

  ns.mount = function (node) {
    var config = readConfig(node);
    if (!config.explorer) return null;
    var ex = config.explorer, id = "op" + ++count;
    var curvatures = config.curvatures;
    var state = { angle: ex.angle_degrees, start: config.start.slice(), steps: config.steps };
    ns.OPTIMIZERS.forEach(function (opt) {
      state[opt.key] = {};
      opt.params.forEach(function (p) { state[opt.key][p] = config[opt.key][p]; });
    });
    var inputs = [];

    function slider(label, range, get, set, show, key) {
      var input = el("input", { type: "range", id: id + "-" + key, min: range.min, max: range.max, step: range.step });
      var out = el("output", { "for": input.id });
      inputs.push({ input: input, output: out, get: get, show: show });
      input.addEventListener("input", function () {
        set(Number(input.value));
        if (key === "angle" || key === "steps") select.value = "";
        update();
      });
      return el("div", { className: "op-field" }, [el("label", { "for": input.id }, [label, " ", out]), input]);
    }

    var select = el("select", { id: id + "-preset" });
    ex.presets.forEach(function (p) { select.appendChild(el("option", { value: p.name, text: p.label })); });
    select.appendChild(el("option", { value: "", text: "Your own valley" }));
    var s = ex.sliders;
    var common = el("div", { className: "op-common" }, [
      el("div", { className: "op-field op-preset" }, [el("label", { "for": select.id, text: "Valley" }), select]),
      slider("rotation", s.angle_degrees, function () { return state.angle; }, function (v) { state.angle = v; },
        function (v) { return v + "\u00b0"; }, "angle"),
      slider("steps", s.steps, function () { return state.steps; }, function (v) { state.steps = v; }, String, "steps"),
    ]);
    var help = el("p", { className: "op-help", id: id + "-help", text:
      "Click a plot to start all three there; or focus a plot (Tab) and move the start with the arrow keys." });
    var panels = {};
    var columns = ns.OPTIMIZERS.map(function (opt) {
      var plot = Plot(ex.view, curvatures, id + "-clip-" + opt.key);
      plot.node.setAttribute("aria-describedby", id + "-help");
      var fields = opt.params.map(function (p) {
        var o = state[opt.key];
        if (p === "epsilon") {
          return slider(LABELS[p], s.log10_epsilon,
            function () { return Math.round(Math.log10(o.epsilon)); },
            function (v) { o.epsilon = Number("1e" + v); }, // exactly the literal 1e-7, not 10 ** -7
            function () { return "1e" + String(Math.round(Math.log10(o.epsilon))).replace("-", MINUS); }, opt.key + "-" + p);
        }
        return slider(LABELS[p], s[p], function () { return o[p]; }, function (v) { o[p] = v; },
          function (v) { return v.toFixed(DIGITS[p]); }, opt.key + "-" + p);
      });
      var result = el("p", { className: "op-result" });
      panels[opt.key] = { plot: plot, result: result, title: opt.title };
      plot.node.addEventListener("click", function (event) {
        var w = plot.at(event);
        if (w) moveStart(w);
      });
      plot.node.addEventListener("keydown", function (event) {
        var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
        if (!d) return;
        event.preventDefault();
        var w = ns.rotate(state.start, state.angle);
        moveStart([w[0] + d[0] * ex.arrow_step, w[1] + d[1] * ex.arrow_step]);
      });
      return el("div", { className: "op-column op-" + opt.key }, [
        el("p", { className: "op-title", text: opt.title }), plot.node, result,
      ].concat(fields));
    });
    var summary = el("p", { className: "op-summary", "aria-live": "polite" });
    var panel = el("div", { className: "op-explorer", role: "group", "aria-label": "Optimizer paths explorer" }, [
      common, help, el("div", { className: "op-columns" }, columns), summary,
    ]);

    // The start, in the plane's coordinates; kept turned back onto the valley's axes.
    function moveStart(w) {
      var lim = ex.view;
      w = [Math.max(lim[0], Math.min(lim[1], w[0])), Math.max(lim[2], Math.min(lim[3], w[1]))];
      state.start = ns.rotate(w, -state.angle);
      select.value = "";
      update();
    }

    function update() {
      inputs.forEach(function (f) {
        var v = f.get();
        f.input.value = v;
        f.output.textContent = f.show(v);
      });
      var paths = ns.paths(state, curvatures);
      var start = paths.sgd[0];
      var words = [];
      var startLoss = ns.loss(start, curvatures, state.angle);
      ns.OPTIMIZERS.forEach(function (opt) {
        var path = paths[opt.key];
        var last = path[path.length - 1];
        var loss = ns.loss(last, curvatures, state.angle);
        panels[opt.key].plot.draw(path, state.angle);
        panels[opt.key].plot.node.setAttribute("aria-label", opt.title + ": the path from " + ns.point(start) + "; click or use the arrow keys to move the start");
        var text = "loss after " + state.steps + " steps: " + sci(loss);
        panels[opt.key].result.textContent = text;
        words.push(opt.title + " " + sci(loss));
      });
      summary.textContent = "Valley turned by " + state.angle + "\u00b0, start " + ns.point(start) + " (loss " + general(startLoss) +
        "); loss after " + state.steps + " steps: " + words.join(", ") + ".";
      return paths;
    }

    function choose(name) {
      var p = ex.presets.filter(function (q) { return q.name === name; })[0];
      if (!p) return;
      state.angle = p.angle_degrees;
      state.start = config.start.slice();
      state.steps = config.steps;
      select.value = name;
      update();
    }

    select.addEventListener("change", function () { if (select.value) choose(select.value); });

    var fallback = node.children;
    for (var i = 0; i < fallback.length; i++) fallback[i].hidden = true;
    node.appendChild(panel);
    node.classList.add("op-ready");
    choose(ex.presets[0].name);
    var instance = { node: node, state: state, update: update, choose: choose, moveStart: moveStart, select: select, panels: panels };
    ns.instances.push(instance);
    return instance;
  };

  ns.instances = ns.instances || [];

  function start() {
    var nodes = document.querySelectorAll('[data-explorer="optimizer-paths"]:not(.op-ready)');
    for (var i = 0; i < nodes.length; i++) ns.mount(nodes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
