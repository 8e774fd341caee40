// Each content-tab set: its labels, which one is checked, which blocks show.
() => [...document.querySelectorAll('.md-content .tabbed-set')].map(set => {
  const inputs = [...set.querySelectorAll(':scope > input')];
  const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')];
  const blocks = [...set.querySelectorAll(':scope > .tabbed-content > .tabbed-block')];
  const checked = inputs.findIndex(i => i.checked);
  return {
    labels: labels.map(l => l.textContent.trim()),
    checked,
    visible: blocks.map(b => getComputedStyle(b).display !== 'none'),
    inClosedBlock: set.closest('details:not([open])') !== null,
  };
})
