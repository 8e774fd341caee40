/* The broadcasting explorer of docs/broadcasting.md.
 *
 * The reader types two or three shapes, or picks one of the course's examples
 * (snippets/broadcasting/explorer_examples.json, inlined by hooks/explorers.py
 * as data-explorer-data). The shapes are aligned on the right, one column per
 * axis, each axis marked as the chapter's diagrams mark it (kept, missing,
 * stretched, clash); below them, what np.broadcast_shapes returns, or the
 * message of the ValueError it raises (NumPy 2.4). Small shapes also show
 * their values, before and after stretching.
 *
 * A classic script (Chromium refuses ES modules from file://): everything is
 * in window.BookExplorers.broadcasting, which the browser tests call.
 * tests/browser/test_explorer_broadcasting.py compares it with NumPy.
 */
(function () {
  "use strict";
  var root = (window.BookExplorers = window.BookExplorers || {});
  var ns = (root.broadcasting = root.broadcasting || {});
  var MINUS = "\u2212"; // a true minus sign, as in the diagrams

  /* ---- Shapes ---------------------------------------------------------- */

  // Python's repr of a tuple of ints: (), (3,), (5, 1, 3).
  ns.formatShape = function (shape) {
    return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
  };

  function quoted(token) {
    var t = token.length > 12 ? token.slice(0, 12) + "\u2026" : token;
    return "\u201c" + t + "\u201d";
  }

  /* The product of a shape's sizes other than 0 (a BigInt): the number of
   * entries when no size is 0. NumPy refuses some shapes whose product
   * overflows, zero or not, so the explorer refuses them all above 2^53 - 1. */
  function entries(shape) {
    var product = BigInt(1);
    shape.forEach(function (size) {
      if (size !== 0) product *= BigInt(size);
    });
    return product;
  }

  /* Read a shape as a reader types it: "256, 256, 3", "(3, 4)", "3,", "3",
   * "()", "[2, 1]", "2 1". Gives {shape: [...]} or {error: "one line"};
   * never throws. */
  ns.parseShape = function (text, limits) {
    limits = limits || {};
    var maxAxes = limits.max_axes || 8;
    var maxEntries = BigInt(limits.max_entries || Number.MAX_SAFE_INTEGER);
    if (typeof text !== "string") return { error: "Type a shape, such as 3, 4." };
    var t = text.trim();
    if (t === "") {
      return { error: "Empty: type sizes such as 3, 4 (or () for a single number)." };
    }
    var open = t.charAt(0), close = t.charAt(t.length - 1);
    var pairs = { "(": ")", "[": "]" };
    if (pairs[open]) {
      if (t.length < 2 || close !== pairs[open]) {
        return { error: "A bracket is not closed: write (3, 4) or 3, 4." };
      }
      t = t.slice(1, -1).trim();
      if (t === "") return { shape: [] };
    } else if (close === ")" || close === "]") {
      return { error: "A bracket is not opened: write (3, 4) or 3, 4." };
    }
    if (/[()[\]]/.test(t)) {
      return { error: "One shape per box, without brackets inside: (3, 4)." };
    }
    var tokens = t.split(",");
    if (tokens.length > 1 && tokens[tokens.length - 1].trim() === "") tokens.pop();
    var parts = [];
    for (var i = 0; i < tokens.length; i++) {
      var token = tokens[i].trim();
      if (token === "") return { error: "A size is missing between two commas." };
      parts = parts.concat(token.split(/\s+/));
    }
    var shape = [];
    for (var j = 0; j < parts.length; j++) {
      var part = parts[j];
      if (/^[0-9]+$/.test(part)) {
        if (BigInt(part) > maxEntries) {
          return { error: "Too big for this explorer: " + quoted(part) + "." };
        }
        shape.push(Number(part));
      } else if (/^[-\u2212][0-9]/.test(part)) {
        return { error: "A size cannot be negative: " + quoted(part) + "." };
      } else if (/^\+?[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$/i.test(part) || /^[0-9]+\.$/.test(part)) {
        return { error: "Sizes are whole numbers written with digits only: " + quoted(part) + "." };
      } else {
        return { error: "Not a size: " + quoted(part) + "; use whole numbers such as 3, 4." };
      }
    }
    if (shape.length > maxAxes) {
      return { error: "At most " + maxAxes + " axes here; this shape has " + shape.length + "." };
    }
    if (entries(shape) > maxEntries) {
      return { error: "Too big for this explorer: its sizes other than 0 multiply to more than 2\u2075\u00b3 \u2212 1." };
    }
    return { shape: shape };
  };

  /* ---- The rule -------------------------------------------------------- */

  /* One axis: the size so far against an operand's size; null when they
   * clash. A size 1 is stretched to the other size, even to 0. The tests
   * swap in wrong versions of this function to show that they would notice. */
  ns.mergeAxis = function (current, size) {
    if (size === 1) return current;
    if (current === 1) return size;
    return current === size ? current : null;
  };

  /* What np.broadcast_shapes(*shapes) gives: {shape} or {error, args}.
   * NumPy (PyArray_Broadcast) walks the padded axes left to right and the
   * operands in order; at the first clash it names the operand that set the
   * axis's size and the one that disagrees. */
  ns.broadcast = function (shapes) {
    var rank = 0;
    shapes.forEach(function (s) { rank = Math.max(rank, s.length); });
    var result = [];
    for (var axis = 0; axis < rank; axis++) {
      var current = 1, source = -1;
      for (var j = 0; j < shapes.length; j++) {
        var k = axis + shapes[j].length - rank;
        if (k < 0) continue; // a missing leading axis counts as 1
        var size = shapes[j][k];
        var merged = ns.mergeAxis(current, size);
        if (merged === null) {
          return {
            error:
              "shape mismatch: objects cannot be broadcast to a single shape.  " +
              "Mismatch is between arg " + source + " with shape " +
              ns.formatShape(shapes[source]) + " and arg " + j + " with shape " +
              ns.formatShape(shapes[j]) + ".",
            args: [source, j],
            axis: axis - rank,
          };
        }
        if (current === 1 && size !== 1) source = j;
        current = merged;
      }
      result.push(current);
    }
    return { shape: result };
  };

  /* How each operand takes part in each column (as the chapter's diagrams,
   * snippets/broadcasting/shape_diagrams.py: column_states): "kept",
   * "missing" (no such axis: counts as 1), "stretched" (a 1 against another
   * size), "clash"; and each column's size, null where the sizes clash. */
  ns.columnStates = function (shapes) {
    var rank = 0;
    shapes.forEach(function (s) { rank = Math.max(rank, s.length); });
    var states = shapes.map(function () { return []; });
    var sizes = [];
    for (var c = 0; c < rank; c++) {
      var column = shapes.map(function (s) {
        var k = c + s.length - rank;
        return k < 0 ? null : s[k];
      });
      var size = 1;
      column.forEach(function (n) {
        if (size !== null) size = ns.mergeAxis(size, n === null ? 1 : n);
      });
      sizes.push(size);
      column.forEach(function (n, row) {
        var state;
        if (size === null) state = n === null ? "missing" : n !== 1 ? "clash" : "kept";
        else if (n === null) state = "missing";
        else if (n !== size) state = "stretched";
        else state = "kept";
        states[row].push(state);
      });
    }
    return { rank: rank, states: states, sizes: sizes };
  };

  /* The values of operand `shape`, entries 0, step, 2 step, ... in order,
   * stretched to `target`: a grid of rows (rank 0 or 1 is one row), each
   * entry {value, copy} where copy marks a repeat of an entry. */
  ns.stretch = function (shape, target, step) {
    var rank = target.length;
    var padded = [];
    for (var i = 0; i < rank - shape.length; i++) padded.push(1);
    padded = padded.concat(shape);
    var rows = rank === 2 ? target[0] : 1;
    var cols = rank === 0 ? 1 : target[rank - 1];
    var width = rank === 0 ? 1 : padded[rank - 1];
    var grid = [];
    for (var r = 0; r < rows; r++) {
      var row = [];
      for (var q = 0; q < cols; q++) {
        var a = rank === 2 && padded[0] === 1 ? 0 : r; // pinned to 0 when stretched
        var b = rank >= 1 && padded[rank - 1] === 1 ? 0 : q;
        row.push({ value: (a * width + b) * step, copy: a !== r || b !== q });
      }
      grid.push(row);
    }
    return grid;
  };

  /* ---- Words ----------------------------------------------------------- */

  function axisName(index) {
    return "axis " + (index < 0 ? MINUS + -index : String(index));
  }

  function list(words) {
    if (words.length < 2) return words.join("");
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  // One sentence per column, right to left, as the procedure walks them.
  ns.describe = function (shapes, names) {
    var cs = ns.columnStates(shapes);
    var out = [];
    for (var c = cs.rank - 1; c >= 0; c--) {
      var axis = axisName(c - cs.rank);
      var size = cs.sizes[c];
      var missing = [], stretched = [], clash = [], kept = [];
      shapes.forEach(function (s, row) {
        var st = cs.states[row][c];
        var n = s[c + s.length - cs.rank];
        if (st === "missing") missing.push(names[row]);
        else if (st === "stretched") stretched.push(names[row] + "'s 1");
        else if (st === "clash") clash.push(names[row] + "'s " + n);
        else if (size !== null) kept.push(names[row]);
      });
      var words = [];
      var one = function (list, singular, plural) { return list.length > 1 ? plural : singular; };
      if (size === null) {
        // With three shapes, two of the sizes that clash may be equal: name
        // the distinct sizes, which do differ.
        var distinct = [];
        clash.forEach(function (entry) {
          var n = entry.slice(entry.lastIndexOf(" ") + 1);
          if (distinct.indexOf(n) < 0) distinct.push(n);
        });
        var neither = distinct.length > 2 ? " none is 1" : " neither is 1";
        words.push(list(clash) + " clash: " + (distinct.length === clash.length
          ? "they differ and" + neither
          : "the sizes " + list(distinct) + " differ and" + neither));
        if (missing.length) words.push(list(missing) + one(missing, " lacks", " lack") + " this axis");
      } else if (!missing.length && !stretched.length) {
        words.push("all sizes match: " + size);
      } else {
        if (kept.length) words.push(list(kept) + one(kept, " keeps ", " keep ") + size);
        if (stretched.length) {
          words.push(list(stretched) + one(stretched, " is", " are") + " stretched to " + size);
        }
        if (missing.length) {
          words.push(list(missing) + one(missing, " lacks", " lack") +
            " it: it counts as 1" + (size !== 1 ? ", stretched to " + size : ""));
        }
      }
      out.push(axis.charAt(0).toUpperCase() + axis.slice(1) + ": " + words.join("; ") + ".");
    }
    return out;
  };

  /* ---- Drawing --------------------------------------------------------- */

  var count = 0;
  var STATE_WORDS = {
    kept: "",
    missing: "missing, counts as 1",
    stretched: "stretched",
    clash: "clash",
  };

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

  function hidden(text) {
    return el("span", { className: "bx-sr", text: text });
  }

  function drawColumns(shapes, names, result) {
    var cs = ns.columnStates(shapes);
    var table = el("table", { className: "bx-columns" });
    table.style.maxWidth = 4.5 + 6 * cs.rank + "em"; // about 6em a column
    table.appendChild(el("caption", { className: "bx-sr", text: "The shapes aligned on the right, one column per axis" }));
    var head = el("tr", {}, [el("td", {})]);
    for (var c = 0; c < cs.rank; c++) {
      head.appendChild(el("th", { scope: "col" }, [
        el("span", { className: "bx-axis-word", text: "axis " }), axisName(c - cs.rank).slice(5),
      ]));
    }
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    shapes.forEach(function (shape, row) {
      var tr = el("tr", {}, [el("th", { scope: "row", text: names[row] })]);
      for (var c = 0; c < cs.rank; c++) {
        var st = cs.states[row][c];
        var n = shape[c + shape.length - cs.rank];
        var shown = st === "missing" ? "1" : String(n);
        if ((st === "missing" || st === "stretched") && cs.sizes[c] !== null && cs.sizes[c] !== 1) {
          shown += "\u2192" + cs.sizes[c];
        }
        var td = el("td", { className: "bx-" + st }, [shown]);
        if (STATE_WORDS[st]) td.appendChild(hidden(" (" + STATE_WORDS[st] + ")"));
        tr.appendChild(td);
      }
      body.appendChild(tr);
    });
    var last = el("tr", { className: "bx-result-row" }, [el("th", { scope: "row", text: "result" })]);
    for (var d = 0; d < cs.rank; d++) {
      var size = cs.sizes[d];
      var cell = el("td", { className: size === null ? "bx-clash" : "bx-kept" }, [size === null ? "\u2717" : String(size)]);
      if (size === null) cell.appendChild(hidden(" (no size: clash)"));
      last.appendChild(cell);
    }
    body.appendChild(last);
    table.appendChild(body);
    if (!cs.rank) {
      return el("p", { className: "bx-note", text: "Every shape is (): single numbers, no axis to align." });
    }
    return table;
  }

  function drawGrid(grid, caption, shapeText) {
    var table = el("table", { className: "bx-values-grid" });
    table.appendChild(el("caption", {}, [caption, el("br"), el("code", { text: shapeText })]));
    var body = el("tbody");
    var empty = !grid.length || !grid[0].length;
    grid.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (entry) {
        var td = el("td", { className: entry.copy ? "bx-copy" : "" }, [String(entry.value)]);
        if (entry.copy) td.appendChild(hidden(" (copy)"));
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (empty) body.appendChild(el("tr", {}, [el("td", { className: "bx-empty", text: "no entries" })]));
    table.appendChild(body);
    return table;
  }

  function drawValues(shapes, names, result, config) {
    var v = config.values;
    var small = shapes.every(function (s) {
      return s.length <= v.max_axes && s.every(function (n) { return n <= v.max_size; });
    });
    if (!small) {
      return el("p", {
        className: "bx-note",
        text: "Values are shown when every shape has at most " + v.max_axes +
          " axes of at most " + v.max_size + " entries each, and the shapes broadcast.",
      });
    }
    if (!result.shape) return null;
    var box = el("div", { className: "bx-values" });
    var target = result.shape;
    var sum = null;
    shapes.forEach(function (shape, j) {
      var step = v.steps[j];
      var own = ns.stretch(shape, shape, step);
      var big = ns.stretch(shape, target, step);
      box.appendChild(el("div", { className: "bx-pair" }, [
        drawGrid(own, names[j], ns.formatShape(shape)),
        el("span", { className: "bx-arrow", "aria-hidden": "true", text: "\u2192" }),
        drawGrid(big, names[j] + " stretched", ns.formatShape(target)),
      ]));
      sum = sum === null
        ? big.map(function (row) { return row.map(function (e) { return { value: e.value, copy: false }; }); })
        : sum.map(function (row, r) { return row.map(function (e, q) { return { value: e.value + big[r][q].value, copy: false }; }); });
    });
    box.appendChild(drawGrid(sum, names.join(" + "), ns.formatShape(target)));
    return box;
  }

  function readConfig(node) {
    try {
      return JSON.parse(node.getAttribute("data-explorer-data") || "{}");
    } catch (error) {
      return {};
    }
  }

  ns.mount = function (node) {
    var config = readConfig(node);
    if (!config.examples) return null;
    var id = "bx" + ++count;
    var names = config.operands;
    var presets = config.examples.concat(config.more || []);
    var select = el("select", { id: id + "-example" });
    var groups = [["The course's examples", config.examples], ["More", config.more || []]];
    groups.forEach(function (group) {
      var og = el("optgroup", { label: group[0] });
      group[1].forEach(function (ex) {
        og.appendChild(el("option", { value: ex.name, text: ex.label }));
      });
      select.appendChild(og);
    });
    select.appendChild(el("option", { value: "", text: "Your own shapes" }));
    var fields = names.map(function (name, j) {
      var input = el("input", {
        type: "text", id: id + "-" + name, spellcheck: "false", autocomplete: "off",
        "aria-describedby": id + "-" + name + "-error",
      });
      var error = el("span", { className: "bx-input-error", id: id + "-" + name + "-error" });
      var label = el("label", { for: input.id }, [name + (j === 2 ? " (optional)" : "")]);
      return { input: input, error: error, field: el("div", { className: "bx-field" }, [label, input, error]) };
    });
    var columns = el("div", { className: "bx-columns-box" });
    var verdict = el("div", { className: "bx-verdict" });
    var summary = el("p", { className: "bx-summary", "aria-live": "polite", id: id + "-summary" });
    var values = el("div", { className: "bx-values-box" });
    var legend = el("ul", { className: "bx-legend", "aria-label": "Legend" }, [
      el("li", { className: "bx-kept" }, ["3"]), el("li", {}, ["size used as it is"]),
      el("li", { className: "bx-missing" }, ["1"]), el("li", {}, ["missing axis: counts as 1"]),
      el("li", { className: "bx-stretched" }, ["1\u21924"]), el("li", {}, ["size 1 stretched to match"]),
      el("li", { className: "bx-clash" }, ["5"]), el("li", {}, ["clash: sizes differ, neither is 1"]),
    ]);
    var panel = el("div", { className: "bx-explorer", role: "group", "aria-label": "Broadcasting explorer" }, [
      el("div", { className: "bx-controls" }, [
        el("div", { className: "bx-field bx-example" }, [el("label", { for: select.id, text: "Example" }), select]),
        el("div", { className: "bx-shapes" }, fields.map(function (f) { return f.field; })),
      ]),
      columns, legend, verdict, summary, values,
    ]);

    function update() {
      var parsed = fields.map(function (f, j) {
        var text = f.input.value;
        if (j === 2 && text.trim() === "") return { skip: true };
        return ns.parseShape(text, config);
      });
      var bad = false;
      parsed.forEach(function (p, j) {
        fields[j].error.textContent = p.error || "";
        if (p.error) fields[j].input.setAttribute("aria-invalid", "true");
        else fields[j].input.removeAttribute("aria-invalid");
        bad = bad || !!p.error;
      });
      columns.textContent = ""; verdict.textContent = ""; values.textContent = "";
      if (bad) {
        summary.textContent = "Fix the shape marked above.";
        return;
      }
      var used = [], usedNames = [];
      parsed.forEach(function (p, j) {
        if (!p.skip) { used.push(p.shape); usedNames.push(names[j]); }
      });
      var result = ns.broadcast(used);
      var call = "np.broadcast_shapes(" + used.map(ns.formatShape).join(", ") + ")";
      columns.appendChild(drawColumns(used, usedNames, result));
      var tooBig = result.shape && entries(result.shape) > BigInt(config.max_entries);
      verdict.appendChild(el("p", {}, [el("code", { text: call })]));
      if (result.shape && !tooBig) {
        verdict.appendChild(el("p", { className: "bx-ok" }, ["returns ", el("code", { className: "bx-shape", text: ns.formatShape(result.shape) })]));
      } else if (tooBig) {
        verdict.appendChild(el("p", { className: "bx-note", text: "The result's sizes other than 0 would multiply to more than 2\u2075\u00b3 \u2212 1: too big for this explorer." }));
      } else {
        verdict.appendChild(el("p", { className: "bx-error" }, ["raises ValueError: ", el("code", { className: "bx-message", text: result.error })]));
      }
      var words = ns.describe(used, usedNames);
      summary.textContent = words.join(" ") + " " + (tooBig
        ? "The result is too big for this explorer."
        : result.shape
        ? "Result: " + ns.formatShape(result.shape) + "."
        : "No result: NumPy raises ValueError, naming arg " + result.args[0] + " and arg " + result.args[1] + ".");
      var drawn = drawValues(used, usedNames, result, config);
      if (drawn) values.appendChild(drawn);
    }

    function choose(name) {
      var preset = presets.filter(function (p) { return p.name === name; })[0];
      if (!preset) return;
      fields.forEach(function (f, j) {
        var s = preset.shapes[j];
        f.input.value = s ? s.join(", ") : "";
      });
      select.value = name;
      update();
    }

    select.addEventListener("change", function () {
      if (select.value) choose(select.value);
    });
    fields.forEach(function (f) {
      f.input.addEventListener("input", function () {
        select.value = "";
        update();
      });
    });

    var fallback = node.children;
    for (var i = 0; i < fallback.length; i++) fallback[i].hidden = true;
    node.appendChild(panel);
    node.classList.add("bx-ready");
    choose(config["default"] || presets[0].name);
    var instance = { node: node, update: update, choose: choose, fields: fields, select: select };
    ns.instances.push(instance);
    return instance;
  };

  ns.instances = ns.instances || [];

  function start() {
    var nodes = document.querySelectorAll('[data-explorer="broadcasting"]:not(.bx-ready)');
    for (var i = 0; i < nodes.length; i++) ns.mount(nodes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
