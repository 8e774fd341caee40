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
# A small version of the book's RMSprop lab (the page
# [Lab: RMSprop's learning rate and momentum](../lab.md)), to run cell by cell
# and change: two learning rates η, two momenta μ, one seed, 2,000 of the
# bundled training digits and 3 epochs. The notation is the lab page's: η is
# Keras's `learning_rate`, μ its `momentum`. The outputs shown are those of one
# run on the machine that built the book; the training figures of yours may
# differ in their last digits.
#
# The downloaded notebook holds the lab's own code that it uses, copied from
# the book's `lab/` folder into the cells marked "From the book's code", so it
# trains with the same code as the full sweep, on a smaller grid and fewer
# digits. Its source in the repository, `docs/notebooks/rmsprop-lab.py` (a
# plain Python script in jupytext's "percent" format, cells starting with
# `# %%`), imports the same functions from `lab/` instead.

# %%
import matplotlib.pyplot as plt

from lab.config import Experiment
from lab.data import split_data
from lab.report import heatmap_figure, load_results
from lab.training import make_trainer

# %matplotlib inline

# %% [markdown]
# ## A small grid
#
# An `Experiment` holds everything that decides the numbers. Here `split_data`
# loads the bundled digits (`data="bundled"`: 8,000 training, 2,000 test, no
# download) and holds 1,000 of the training digits out as a validation set
# (`validation_size=1000`); `train_size=2000` then keeps 2,000 of the remaining
# 7,000 for training. The test digits stay untouched.

# %%
experiment = Experiment(
    learning_rates=(1e-3, 1e-2),
    momenta=(0.0, 0.9),
    seeds=(0,),
    epochs=3,
    data="bundled",
    validation_size=1000,
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
# differ: the lab page's t-test needs at least two seeds of each, and the
# page explains why its sweep uses five.

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
#
# Two panels against the epoch, 1 to 3, with one line and its markers for each
# of the four runs: on top the training loss, on a logarithmic scale; below it
# the validation accuracy.

# %% alt="The learning curves of the four runs, as described above"
figure, (loss_axes, accuracy_axes) = plt.subplots(
    2, 1, figsize=(5.3, 6), sharex=True, layout="constrained"
)
for run, epochs in histories.items():
    numbers = [epoch.epoch for epoch in epochs]
    label = f"lr {run.learning_rate:g}, momentum {run.momentum:g}"
    losses = [epoch.train_loss for epoch in epochs]
    loss_axes.plot(numbers, losses, marker="o", label=label)
    accuracy_axes.plot(numbers, [e.val_accuracy for e in epochs], marker="o")
loss_axes.set(ylabel="training loss", yscale="log")
accuracy_axes.set(xlabel="epoch", ylabel="validation accuracy")
loss_axes.legend()
plt.show()

# %% [markdown]
# ## The full sweep's results
#
# The book commits the results of its default sweep, on the full MNIST, in
# `lab/results/`;
# `load_results` reads them back and the report's functions draw from them.
# The heatmap has one cell per configuration, learning rates from 1e-4 at the
# bottom to 1e-2 at the top, momenta from 0 on the left to 0.99 on the right;
# each cell gives the mean validation accuracy in percent and the mean final
# training loss, the selected configuration's in bold.

# %% alt="Heatmap of the sweep's validation accuracy, as described above"
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
# - Give each configuration two or more seeds: the lab page's t-test needs them.
# - In a clone of the repository, run the whole sweep from a terminal:
#   `python lab/rmsprop_sweep.py` (the full MNIST, minutes), or
#   `python lab/rmsprop_sweep.py --quick` (the bundled digits, about a minute).
