"""The lab page's figures, drawn from the committed results of the RMSprop sweep.

    python snippets/lab/results_figures.py

The book's sweep (``python lab/rmsprop_sweep.py --results lab/results``, or
``make lab-results``) draws the same figures when it finishes; this snippet
redraws them from ``lab/results/`` alone, so that ``make figures`` and the
snippet tests treat them like every other figure.
"""

from lab.report import (
    effective_step_figure,
    heatmap_figure,
    learning_curves_figure,
    load_results,
)
from snippets.figures import save_figure

results = load_results()
save_figure(heatmap_figure(results), "lab/validation-heatmap.svg")
save_figure(learning_curves_figure(results), "lab/learning-curves.svg")
save_figure(effective_step_figure(results), "lab/effective-step.svg")
