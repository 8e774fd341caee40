// Every image of the page: where it came from, its alt text, whether it loaded.
() => [...document.images].map(img => ({
  src: img.currentSrc || img.src,
  alt: img.getAttribute('alt'),
  complete: img.complete,
  width: img.naturalWidth,
  height: img.naturalHeight,
}))
