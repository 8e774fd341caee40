"""The book's lab: MNIST data loading and the RMSprop hyperparameter sweep."""
