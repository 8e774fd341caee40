// The colour scheme in force, the body's background, and the toggle's title.
() => ({
  scheme: document.body.getAttribute('data-md-color-scheme'),
  background: getComputedStyle(document.body).backgroundColor,
  toggle: [...document.querySelectorAll('form[data-md-component=palette] label')]
    .filter(l => !l.hidden).map(l => l.title),
})
