// axe-core's violations, as plain JSON (axe.min.js must be on the page).
// options.include: CSS selectors of the parts to check (default: the page);
// options.rules: only these rules (default: every rule axe enables);
// options.skip: rules left out.
async (options) => {
  const context = options.include ? {include: options.include.map(s => [s])} : document;
  const run = {resultTypes: ['violations']};
  if (options.rules) run.runOnly = {type: 'rule', values: options.rules};
  if (options.skip) run.rules = Object.fromEntries(options.skip.map(id => [id, {enabled: false}]));
  const result = await axe.run(context, run);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}
