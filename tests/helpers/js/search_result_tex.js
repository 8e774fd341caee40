// Search previews: how many maths elements are typeset, and raw TeX left over.
() => {
  const results = document.querySelector('.md-search-result__list').cloneNode(true);
  const rendered = results.querySelectorAll('.katex').length;
  results.querySelectorAll('.katex').forEach(k => k.remove());
  return {rendered, raw: results.textContent.match(/\\\(.{1,40}?\\\)/g) || []};
}
