// True once every tab set holding `label` shows that tab.
label => [...document.querySelectorAll('.md-content .tabbed-set')].every(set => {
  const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')]
    .map(l => l.textContent.trim());
  const position = labels.indexOf(label);
  return position < 0 || set.querySelectorAll(':scope > input')[position].checked;
})
