// True once the result previews hold typeset maths and no raw TeX.
() => {
  const list = document.querySelector('.md-search-result__list');
  if (!list || !list.querySelector('.katex')) return false;
  const copy = list.cloneNode(true);
  copy.querySelectorAll('.katex').forEach(k => k.remove());
  return !/\\\(.{1,40}?\\\)/.test(copy.textContent);
}
