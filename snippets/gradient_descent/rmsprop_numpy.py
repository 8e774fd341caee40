"""RMSprop in NumPy, update for update the one keras.optimizers.RMSprop performs.

    python snippets/gradient_descent/rmsprop_numpy.py

The equations follow keras/src/optimizers/rmsprop.py (Keras 3, centered=False).
Running the file trains the same small problem with this class and with Keras
for several (learning_rate, rho, momentum) settings and reports whether every
weight agrees after every step.
"""

import numpy as np

COMPARED_SETTINGS = (  # (learning_rate, rho, momentum, epsilon)
    (0.001, 0.9, 0.0, 1e-7),  # Keras's defaults
    (0.01, 0.9, 0.9, 1e-7),
    (0.05, 0.5, 0.5, 1e-7),
    (0.1, 0.99, 0.0, 1e-7),
    (0.01, 0.9, 0.5, 0.1),  # a large epsilon shows where it enters the formula
)
COMPARED_STEPS = 25
FLOAT32_TOLERANCE = 1e-6  # relative, with the same absolute floor


# --8<-- [start:rmsprop]
class RMSpropNumpy:
    """RMSprop as Keras 3 implements it (centered=False), in the weights' dtype:
    float32, as in Keras, when given float32 arrays."""

    def __init__(
        self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7
    ):
        self.learning_rate = learning_rate
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.mean_square = None  # Keras calls it "velocity"
        self.moment = (
            None  # Keras's "momentum" slot, used only when momentum > 0
        )

    def apply(self, weights, gradients):
        """Update each array of `weights` in place, as Keras updates each
        variable."""
        if self.mean_square is None:
            self.mean_square = [np.zeros_like(w) for w in weights]
            self.moment = [np.zeros_like(w) for w in weights]
        for i, (w, g) in enumerate(zip(weights, gradients, strict=True)):
            g = g.astype(w.dtype)
            self.mean_square[i] = (
                self.rho * self.mean_square[i] + (1 - self.rho) * g**2
            )
            increment = (
                self.learning_rate
                * g
                / np.sqrt(self.mean_square[i] + self.epsilon)
            )
            if self.momentum > 0:
                self.moment[i] = self.momentum * self.moment[i] + increment
                w -= self.moment[i]
            else:
                w -= increment


# --8<-- [end:rmsprop]


def problem(seed: int = 0):
    """A small least-squares fit: inputs, targets and float32 starting weights."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 3)).astype("float32")
    targets = rng.normal(size=(16, 2)).astype("float32")
    W = rng.normal(size=(3, 2)).astype("float32")
    b = np.zeros(2, dtype="float32")
    return x, targets, W, b


def gradients_of(x, targets, W, b):
    """∂/∂W and ∂/∂b of mean((x·W + b − targets)²), in float32."""
    error = x @ W + b - targets
    scale = np.float32(2 / error.size)
    return [scale * (x.T @ error), scale * error.sum(axis=0)]


def weight_gap(keras_weight, numpy_weight) -> float:
    """Largest difference between two arrays of weights: relative for weights
    larger than 1 in size, absolute for smaller ones."""
    return float(
        np.max(
            np.abs(keras_weight - numpy_weight)
            / np.maximum(np.abs(keras_weight), 1.0)
        )
    )


def compare_with_keras(
    learning_rate,
    rho,
    momentum,
    epsilon=1e-7,
    steps=COMPARED_STEPS,
    numpy_class=None,
):
    """The largest weight_gap between the two implementations after every step,
    and the NumPy weights.

    Each step takes the gradient at the Keras weights and gives the same
    gradient to both optimizers, so any gap comes from the update rule alone;
    each keeps its own weights and state from the first step to the last.
    """
    import keras

    x, targets, W0, b0 = problem()
    keras_weights = [keras.Variable(W0), keras.Variable(b0)]
    numpy_weights = [W0.copy(), b0.copy()]
    keras_optimizer = keras.optimizers.RMSprop(
        learning_rate, rho=rho, momentum=momentum, epsilon=epsilon
    )
    numpy_class = numpy_class or RMSpropNumpy
    numpy_optimizer = numpy_class(
        learning_rate, rho=rho, momentum=momentum, epsilon=epsilon
    )
    gaps = []
    for _ in range(steps):
        current = [np.array(v.numpy()) for v in keras_weights]
        gradients = gradients_of(x, targets, *current)
        keras_optimizer.apply_gradients(
            zip(gradients, keras_weights, strict=True)
        )
        numpy_optimizer.apply(numpy_weights, gradients)
        gaps.append(
            max(
                weight_gap(k.numpy(), n)
                for k, n in zip(keras_weights, numpy_weights, strict=True)
            )
        )
    return np.array(gaps), numpy_weights


# --8<-- [start:main]
def main() -> None:
    print(
        f"{COMPARED_STEPS} steps per setting; agree = every weight within "
        f"{FLOAT32_TOLERANCE:g} after every step\n"
        "(relative for weights above 1 in size, absolute for smaller ones)"
    )
    print("learning_rate  rho   momentum  epsilon  agree")
    for setting in COMPARED_SETTINGS:
        gaps, _ = compare_with_keras(*setting)
        agree = bool(np.all(gaps <= FLOAT32_TOLERANCE))
        learning_rate, rho, momentum, epsilon = setting
        print(
            f"{learning_rate:<13}  {rho:<4}  {momentum:<8}"
            f"  {epsilon:<7g}  {agree}"
        )


# --8<-- [end:main]

if __name__ == "__main__":
    main()
