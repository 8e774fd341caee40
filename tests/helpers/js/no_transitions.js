// Colours change at once: a test then reads the final state, never a mid-fade.
() => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important; }';
  document.head.append(style);
}
