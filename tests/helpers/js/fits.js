// The widths that say whether an element fits the viewport without sideways scrolling.
selector => {
  const e = document.querySelector(selector);
  const box = e.getBoundingClientRect();
  return {page: document.documentElement.scrollWidth, view: innerWidth,
          right: box.right, inner: e.scrollWidth, outer: e.clientWidth};
}
