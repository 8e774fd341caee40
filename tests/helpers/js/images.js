// Every image of the page: where it came from, its alt text, whether it loaded,
// and whether it is rendered (a figure an explorer replaces is hidden, never fetched).
() => [...document.images].map(img => ({
  src: img.currentSrc || img.src,
  alt: img.getAttribute('alt'),
  complete: img.complete,
  width: img.naturalWidth,
  height: img.naturalHeight,
  rendered: img.getClientRects().length > 0,
}))
