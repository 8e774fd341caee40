# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The RMSprop lab as a notebook
#
# <a href="rmsprop-lab.py" download class="md-button">Download this notebook</a>
#
# A small version of the book's RMSprop lab (the page "Lab: RMSprop's learning
# rate and momentum"), to run cell by cell and change: two learning rates η,
# two momenta μ, one seed, 2,000 of the bundled training digits and 3 epochs,
# so that it trains in seconds. The page shows the code only; run it to see what
# it prints and draws. The notation is the lab page's: η is Keras's
# `learning_rate`, μ its `momentum`.
#
# The file is a Jupyter notebook in jupytext's "percent" format, a plain Python
# script whose cells start with `# %%`. Run it from the root of the book's
# repository, in the book's environment (`make install`, which also installs
# jupytext so that JupyterLab opens it as a notebook), or as a script:
# `python docs/notebooks/rmsprop-lab.py`. Every cell imports from the lab's
# own code in `lab/`, so it trains with the same code as the full sweep, on a
# smaller grid and fewer digits.

# %%
import matplotlib.pyplot as plt

from lab.report import heatmap_figure, load_results
from lab.rmsprop_sweep import Experiment, make_trainer, split_data

# %matplotlib inline

# %% [markdown]
# ## A small grid
#
# An `Experiment` holds everything that decides the numbers. `split_data`
# loads the bundled digits (8,000 training, 2,000 test) and holds 1,000 of the
# training digits out as a validation set (`validation_size`, by default 1,000);
# `train_size=2000` then keeps 2,000 of the remaining 7,000 for training. The
# test digits stay untouched.

# %%
experiment = Experiment(
    learning_rates=(1e-3, 1e-2),
    momenta=(0.0, 0.9),
    seeds=(0,),
    epochs=3,
    train_size=2000,
)
split = split_data(experiment)
print("digits:", split.sizes())
print("runs:", [run.label() for run in experiment.runs()])

# %% [markdown]
# ## Train every run
#
# `make_trainer` builds the network and compiles its training epoch once per
# momentum (with XLA, TensorFlow's compiler); each run then starts from the
# weights its seed gives and keeps one result per epoch. With one seed per
# configuration, this small grid cannot say whether two configurations
# differ: the lab page's t-test needs at least two seeds of each, and its
# three seeds separate only large differences.

# %%
trainer = make_trainer(split, experiment.batch_size)
histories = {}
for run in experiment.runs():
    histories[run] = trainer.train_run(
        run.learning_rate, run.momentum, run.seed, experiment.epochs
    )
    last = histories[run][-1]
    print(
        f"{run.label():34}  training loss {last.train_loss:.3f}  "
        f"validation accuracy {last.val_accuracy:.3f}"
    )

# %% [markdown]
# ## Plot the learning curves

# %%
figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.5))
for run, epochs in histories.items():
    numbers = [epoch.epoch for epoch in epochs]
    label = f"lr {run.learning_rate:g}, momentum {run.momentum:g}"
    loss_axes.plot(numbers, [e.train_loss for e in epochs], marker="o", label=label)
    accuracy_axes.plot(numbers, [e.val_accuracy for e in epochs], marker="o")
loss_axes.set(xlabel="epoch", ylabel="training loss", yscale="log")
accuracy_axes.set(xlabel="epoch", ylabel="validation accuracy")
loss_axes.legend()
plt.show()

# %% [markdown]
# ## The full sweep's results
#
# The book commits the results of the full default sweep in `lab/results/`;
# `load_results` reads them back and the report's functions draw from them.

# %%
results = load_results()
best = results.best()
print(
    f"selected: lr {best.learning_rate:g}, momentum {best.momentum:g}, "
    f"mean validation accuracy {best.mean('val_accuracy'):.3f}"
)
heatmap_figure(results)
plt.show()

# %% [markdown]
# ## Try next
#
# - Add momentum 0.99 to the grid. What happens to the training loss?
# - Compare runs with the same effective step η / (1 − μ), such as η = 1e-2
#   with μ = 0 and η = 1e-3 with μ = 0.9.
# - Test two configurations of the committed sweep as the page does:
#   `compare(results.configuration(1e-3, 0.9), results.configuration(3e-3, 0.0),
#   "val_accuracy").p`, with `compare` imported from `lab.report`.
# - Run the whole sweep from a terminal: `python lab/rmsprop_sweep.py`.
