// What the page hides sideways, at the current width (tests/browser/test_layout.py).
// Every collapsed solution is opened and every tab shown first, so that each
// block is measured; the caller's page is changed (use a page of its own).
//  - code: each code block that scrolls sideways, with the pixels it hides;
//  - boxes: each display equation and table wider than the space it is shown
//    in: whether it scrolls in a box of its own (overflow-x auto or scroll, at
//    most as wide as the text column), the pixels hidden if not, and for a
//    table whether its first column stays in view when scrolled to the end;
//  - column: the text column's width in px and in characters of code.
() => {
  document.querySelectorAll('.md-content details').forEach(d => { d.open = true; });
  const show = document.createElement('style');
  show.textContent = '.md-typeset .tabbed-set > .tabbed-content > .tabbed-block'
    + ' { display: block !important; }';
  document.head.append(show);

  const content = document.querySelector('.md-content__inner');
  const column = content.getBoundingClientRect();
  const heading = element => {
    const all = [...content.querySelectorAll('h1[id], h2[id], h3[id], h4[id]')];
    const before = all.filter(h =>
      h.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
    return before.length ? '#' + before[before.length - 1].id : '(top)';
  };
  const short = text => {
    const line = text.split('\n').find(l => l.trim()) || '';
    return line.trim().slice(0, 60);
  };

  // Characters of code that fit in a block as wide as the column.
  const probe = document.createElement('code');
  probe.textContent = 'x'.repeat(100);
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre;padding:0';
  const sample = content.querySelector('pre > code');
  (sample ? sample.parentElement : content).append(probe);
  const charWidth = probe.getBoundingClientRect().width / 100;
  probe.remove();
  let codeChars = null;
  if (sample) {
    const style = getComputedStyle(sample);
    const inner = sample.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    codeChars = Math.floor(inner / charWidth);
  }

  const longest = text => text.split('\n')
    .reduce((a, b) => (b.length > a.length ? b : a), '').trim();
  const code = [...content.querySelectorAll('pre')]
    .map(pre => pre.querySelector(':scope > code') || pre)
    .filter(block => block.getClientRects().length > 0)
    .map(block => ({
      name: `${heading(block)} \`${longest(block.textContent).slice(0, 70)}\``,
      hidden: block.scrollWidth - block.clientWidth,
    }))
    .filter(block => block.hidden > 0);

  // The box that scrolls the element sideways: itself or an ancestor up to
  // `levels` above it (Material wraps tables in two), not the whole page.
  const scrolling = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const scroller = (element, levels) => {
    const chain = [];
    for (let e = element, i = 0; e && e !== content && i <= levels; e = e.parentElement, i++) {
      chain.push(e);
    }
    return chain.find(e => scrolling(e) && e.scrollWidth > e.clientWidth + 1)
      || chain.find(scrolling) || null;
  };
  const measure = (kind, element, wide, name, levels) => {
    if (element.getClientRects().length === 0) return null;
    const own = scroller(element, levels);
    const width = Math.max(wide.getBoundingClientRect().width,
      own ? own.scrollWidth : 0);
    const left = Math.max(0, (own || element).getBoundingClientRect().left);
    const room = own ? own.clientWidth : Math.min(column.right, innerWidth) - left;
    if (width <= room + 1) return null;
    const box = own ? own.getBoundingClientRect() : null;
    const inView = box !== null && box.left >= -1 && box.right <= innerWidth + 1;
    const result = {
      kind, name, content: Math.round(width), room: Math.round(room),
      scrolls: own !== null && inView,
      hidden: own !== null && inView ? 0 : Math.round(width - room),
    };
    if (kind === 'table' && own) {
      // Scrolled to its end, the first column must still be in the box.
      const first = element.querySelector('tr > :first-child');
      const before = own.scrollLeft;
      own.scrollLeft = own.scrollWidth;
      result.firstColumnStays = first.getBoundingClientRect().left
        >= own.getBoundingClientRect().left - 1;
      own.scrollLeft = before;
    }
    return result;
  };
  const equations = [...content.querySelectorAll('.arithmatex .katex-display, div.arithmatex')]
    .filter(e => !(e.matches('div.arithmatex') && e.querySelector('.katex-display')))
    .map(e => {
      const tex = e.querySelector('annotation');
      const wide = e.querySelector('.katex-html') || e;
      return measure('equation', e, wide,
        `${heading(e)} $$${short(tex ? tex.textContent : e.textContent)}$$`, 3);
    });
  const tables = [...content.querySelectorAll('table')].map(t => {
    const head = [...t.querySelectorAll('tr:first-child > *')]
      .map(c => c.textContent.trim()).join(' | ');
    return measure('table', t, t, `${heading(t)} table "${head.slice(0, 60)}"`, 3);
  });

  return {
    view: innerWidth,
    page: document.documentElement.scrollWidth,
    column: Math.round(column.width),
    codeChars,
    codeBlocks: content.querySelectorAll('pre').length,
    code,
    boxes: [...equations, ...tables].filter(b => b !== null),
  };
}
