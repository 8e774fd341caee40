// True once every rendered image has finished loading (or failed: the test says).
() => [...document.images].every(image =>
  image.complete || image.getClientRects().length === 0)
