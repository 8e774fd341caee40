// Scroll to every figure in turn (lazy images load near the visible part of the
// page), waiting up to 5 s for each to finish loading; then back to the top.
async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  for (const image of document.images) {
    if (image.getClientRects().length === 0) continue;  // hidden: never fetched
    image.scrollIntoView({block: 'center'});
    const start = performance.now();
    while (!image.complete && performance.now() - start < 5000) await frame();
  }
  window.scrollTo(0, 0);
}
