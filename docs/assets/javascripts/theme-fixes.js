// Fixes to Material's behaviour, checked by the browser tests (tests/browser/).
//
// Accessibility (axe-core):
// - Content wider than the page (a code block, a table, a displayed equation)
//   scrolls sideways, so it must take the focus (tabindex=0) for keyboard users
//   to scroll it. Material does this for code blocks only (not for notebook
//   cells, tables or equations), and only for those
//   visible when the page loads: a block in a tab shown later never gets it.
//   Decide again whenever a tab is chosen, a solution opens or the window resizes.
// - The copy button of every code block sits in a <nav>, which makes dozens of
//   identical navigation landmarks; a copy button is not navigation.
//
// Search: the previews of results show the indexed text, where maths is still
// TeX (\(x\)); typeset it with the site's KaTeX as results appear.
//
// Linked tabs (content.tabs.link): choosing "TensorFlow" switches every set of
// tabs with a "TensorFlow" tab, except those inside a closed collapsible block
// (an exercise's solution), which still show "NumPy" when opened. Keep them in
// step with the open sets.
(function () {
  var SCROLLABLE = [
    ".md-content pre > code",
    ".md-content .md-typeset__scrollwrap",
    ".md-content div.arithmatex",
    ".md-content .highlight-ipynb", // notebook pages' code cells
    ".md-content .jp-OutputArea-output",
  ].join(", ");

  function makeScrollableFocusable() {
    document.querySelectorAll(SCROLLABLE).forEach(function (element) {
      if (element.getClientRects().length === 0) return; // hidden in another tab
      if (element.scrollWidth > element.clientWidth) element.setAttribute("tabindex", "0");
    });
    document.querySelectorAll(".md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  function labelOf(input) {
    return input.parentElement.querySelector(
      ':scope > .tabbed-labels > label[for="' + input.id + '"]');
  }

  function choose(set, title) {
    set.querySelectorAll(":scope > input").forEach(function (input) {
      var label = labelOf(input);
      if (label && label.textContent.trim() === title && !input.checked) input.checked = true;
    });
  }

  // The tab chosen in the open sets, applied to the sets inside closed blocks.
  function syncClosedSets(title) {
    if (!title) {
      var open = Array.prototype.find.call(
        document.querySelectorAll(".md-content .tabbed-set"),
        function (set) { return !set.closest("details:not([open])"); });
      var checked = open && open.querySelector(":scope > input:checked");
      title = checked && labelOf(checked) ? labelOf(checked).textContent.trim() : null;
    }
    if (!title) return;
    document.querySelectorAll(".md-content details:not([open]) .tabbed-set")
      .forEach(function (set) { choose(set, title); });
  }

  function later(title) {
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        syncClosedSets(title);
        makeScrollableFocusable();
      }, 0);
    });
  }

  function typesetSearchResults() {
    var results = document.querySelector(".md-search-result__list");
    if (!results || !window.renderMathInElement) return;
    var watch = { childList: true, subtree: true };
    var observer = new MutationObserver(function () {
      observer.disconnect(); // typesetting changes the list: do not react to it
      renderMathInElement(results, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: false },
        ],
        throwOnError: false,
      });
      observer.observe(results, watch);
    });
    observer.observe(results, watch);
  }

  typesetSearchResults();
  document$.subscribe(function () { later(null); });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches(".tabbed-set > input") && labelOf(input)) {
      later(labelOf(input).textContent.trim());
    }
  });
  document.addEventListener("toggle", function () { later(null); }, true);
  window.addEventListener("resize", function () { later(null); });
})();
