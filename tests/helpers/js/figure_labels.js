// Each rendered SVG figure of the page: its smallest text in CSS px as shown
// now (its width on the page), and at its natural size (what the lightbox
// shows zoomed in, on screens wider than 768 px). The SVG is fetched, laid
// out off screen at the figure's width, and each text's font size scaled by
// its transforms.
async () => {
  const images = [...document.querySelectorAll('.md-content img')]
    .filter(img => img.getClientRects().length > 0 && /\.svg$/.test(new URL(img.src).pathname));
  // Figures load lazily: load them all now (each decode waits for its file).
  await Promise.all(images.map(img => {
    img.loading = 'eager';
    return img.decode().catch(() => null);
  }));
  const results = [];
  for (const img of images) {
    const text = await (await fetch(img.src)).text();
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const shown = img.getBoundingClientRect().width;
    const holder = document.createElement('div');
    holder.style.cssText = `position:absolute;left:-99999px;top:0;width:${shown}px`;
    // Only the text matters: drop the drawing, whose layout is slow.
    svg.querySelectorAll('path, image, use, clipPath, defs, metadata')
      .forEach(e => e.remove());
    svg.setAttribute('width', '100%');
    svg.removeAttribute('height');
    holder.append(document.importNode(svg, true));
    document.body.append(holder);
    let smallest = Infinity, sample = '';
    for (const element of holder.querySelectorAll('text, tspan')) {
      const own = [...element.childNodes]
        .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim();
      if (!own) continue;
      const matrix = element.getScreenCTM();
      const size = parseFloat(getComputedStyle(element).fontSize)
        * Math.hypot(matrix.a, matrix.b);
      if (size < smallest) { smallest = size; sample = own; }
    }
    holder.remove();
    const scale = img.naturalWidth / shown;
    results.push({
      src: new URL(img.src).pathname.replace(/^.*\/figures\//, ''),
      shown: Math.round(shown),
      natural: img.naturalWidth,
      smallest: Math.round(smallest * 100) / 100,
      smallestNatural: Math.round(smallest * scale * 100) / 100,
      sample,
      lightbox: img.closest('a.glightbox') !== null,
    });
  }
  return results;
}
