// The text of the code block a copy button copies, without line anchors.
target => {
  const copy = document.querySelector(target).cloneNode(true);
  copy.querySelectorAll('.md-annotation, a[id^=__codelineno]').forEach(e => e.remove());
  return copy.textContent;
}
