// The page's maths: arithmatex spans, KaTeX output, and TeX left untypeset.
() => {
  const spans = [...document.querySelectorAll('.md-content .arithmatex')];
  const untypeset = spans.filter(s => !s.querySelector('.katex'))
    .map(s => s.textContent);
  const leftovers = spans.map(s => {
    const copy = s.cloneNode(true);
    copy.querySelectorAll('.katex').forEach(k => k.remove());
    return copy.textContent.trim();
  }).filter(text => text !== '');
  const prose = document.querySelector('.md-content').cloneNode(true);
  prose.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
  const rawInProse = prose.textContent.match(/.{0,30}(\\\(|\\\[|\$\$).{0,30}/g) || [];
  return {
    arithmatex: spans.length,
    katex: document.querySelectorAll('.md-content .katex').length,
    errors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent),
    untypeset, leftovers, rawInProse,
  };
}
