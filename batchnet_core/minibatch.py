"""Why mini-batches: the same data trained full-batch, in mini-batches and one example at a time.

Each way takes the same number of epochs (passes over the data) with the same learning rate, from the
same starting network. A step moves every weight by −lr · the batch-mean gradient of its mini-batch, so
in one epoch the full batch takes one step, mini-batches of 8 take eight, one example at a time takes 64.
Smaller batches take more steps per epoch, so they lower the loss more per epoch; each of their steps
sees fewer examples, so their loss wanders more; and their epoch costs more time, since every step is
a few small matrix products and their overhead, where the full batch needs one step of larger ones.

With ``loss="softmax_cross_entropy"`` the same lesson is a classification: each point is of class y1 (near
the diagonal) or y2 (far from it), the network ends in 2 linear outputs, and the loss is softmax
cross-entropy (``nn.losses``).

The data has more examples than a ``State`` allows (16 per dimension), so everything here works on
plain arrays: the layers as a list of (W, b), X as (inputs × examples), T as (outputs × examples).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Sequence

import numpy as np

from .nn.activations import RELU, Activation, activations_of
from .nn.compute import forward_floats
from .nn.losses import loss_named, one_hot
from .nn.training import backward_floats, check_learning_rate, loss_of
from .nn.validation import MAX_MAGNITUDE, as_array

Layers = list[tuple[np.ndarray, np.ndarray]]

#: Examples in the data set the comparison trains on.
POINTS = 64
#: Hidden units of the starting network: 2 inputs → 8 hidden → 1 output.
HIDDEN = 8
#: Full batch, mini-batches of 8, one example at a time.
BATCH_SIZES = (POINTS, 8, 1)
#: Passes over the data by default, and the learning rate: the whole comparison runs in a fraction of
#: a second, and its lesson shows (see the module's docstring).
EPOCHS = 40
LEARNING_RATE = 0.1
#: Most epochs a run takes: one example at a time, 200 epochs are 12,800 steps, about a second.
MAX_EPOCHS = 200
#: For softmax cross-entropy: a point is of class y1 when it is nearer the diagonal than this (|x₁ − x₂|), else
#: y2; about half the square is each.
NEAR = 0.6


def make_data(seed: int = 0, points: int = POINTS, loss: str = "mse") -> tuple[np.ndarray, np.ndarray]:
    """A small synthetic data set: ``points`` points in the square [−1, 1]² and their targets |x₁ − x₂|.

    The inputs are drawn uniformly from the square by ``default_rng(seed)``; the target of a point is
    how far it is from the diagonal x₁ = x₂ (measured along an axis), between 0 and 2. A ReLU network
    fits it exactly with two hidden units, ReLU(x₁ − x₂) + ReLU(x₂ − x₁), and its targets are never
    below 0, so an output with ReLU can reach every one.

    Parameters
    ----------
    seed : int   the same seed gives the same data
    points : int how many examples, 1 to 10,000
    loss : str   "softmax_cross_entropy": the targets are classes instead, one-hot (2 × points): y1 where
                 |x₁ − x₂| < NEAR, y2 elsewhere

    Returns
    -------
    X : ndarray (2 × points)   one column per example
    T : ndarray (1 × points)   its target

    Examples
    --------
    >>> X, T = make_data(seed=0, points=3)
    >>> X.shape, T.shape
    ((2, 3), (1, 3))
    >>> bool(np.all(T == np.abs(X[0] - X[1])))
    True
    """
    seed = _check_whole("the seed", seed, 0, 2**32 - 1)
    points = _check_whole("the number of points", points, 1, 10_000)
    entry = loss_named(loss)
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(2, points))
    distance = np.abs(X[0] - X[1])
    if entry.classes:
        return X, one_hot([int(d >= NEAR) for d in distance], 2)
    return X, distance[None, :]


def start_network(seed: int = 0, hidden: int = HIDDEN, loss: str = "mse") -> Layers:
    """A starting network 2 → ``hidden`` → 1, its weights drawn by ``default_rng(seed)``.

    W1 is normal with standard deviation 1, b1 is 0.1 and W2 is normal with standard deviation
    1/√hidden; b2 is 0.7, about the targets' mean, so the output starts alive (above 0 for most
    examples) and its gradient reaches every layer. Each hidden unit is alive for about half the
    square: its edge W1·x + b1 = 0 passes near the middle. For softmax cross-entropy there are 2 outputs,
    W2 drawn the same way and b2 0: both classes start about equally likely.

    Examples
    --------
    >>> [(W.shape, b.shape) for W, b in start_network()]
    [((8, 2), (8,)), ((1, 8), (1,))]
    """
    seed = _check_whole("the seed", seed, 0, 2**32 - 1)
    hidden = _check_whole("the number of hidden units", hidden, 1, 16)
    classes = loss_named(loss).classes
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, 1.0, size=(hidden, 2))
    outputs = 2 if classes else 1
    W2 = rng.normal(0.0, 1.0 / math.sqrt(hidden), size=(outputs, hidden))
    return [(W1, np.full(hidden, 0.1)), (W2, np.full(outputs, 0.0 if classes else 0.7))]


def _activations(depth: int, loss: str) -> tuple[Activation, ...]:
    """ReLU after every layer, but a loss that applies its own function (softmax) takes the last linear."""
    last = loss_named(loss).last_activation
    return activations_of(("relu",) * (depth - 1) + (last or "relu",), depth)


@dataclasses.dataclass(frozen=True)
class Run:
    """One way of training: its batch size, the full-data loss after every epoch, and the time it took.

    Attributes
    ----------
    batch_size : int           examples per step
    examples : int             examples in the data
    steps_per_epoch : int      steps in one pass over the data: ⌈examples / batch_size⌉
    losses : tuple of float    the loss on all the data before training, then after each epoch; a run
                               that diverged stops at the last finite one
    epoch_seconds : tuple of float   the time of each epoch's steps (the full-data loss not counted)
    learning_rate : float
    diverged : int or None     the epoch in which the steps ran away, or None
    switched_off : bool        whether the output ends 0 for every example (no gradient passes)
    message : str              what happened, in a sentence or two, for the page
    layers : list of (W, b)    the network after the last epoch (before the one that diverged)
    """

    batch_size: int
    examples: int
    steps_per_epoch: int
    losses: tuple[float, ...]
    epoch_seconds: tuple[float, ...]
    learning_rate: float
    diverged: int | None
    switched_off: bool
    message: str
    layers: Layers = dataclasses.field(repr=False)

    @property
    def epochs(self) -> int:
        """Epochs that were completed."""
        return len(self.losses) - 1

    @property
    def seconds_per_epoch(self) -> float:
        """The median time of an epoch: steady against a pause of the machine during one of them."""
        return statistics.median(self.epoch_seconds) if self.epoch_seconds else math.nan

    @property
    def final_loss(self) -> float | None:
        """The loss after the last epoch, or None if the run diverged."""
        return None if self.diverged is not None else self.losses[-1]

    @property
    def name(self) -> str:
        """How the page names this way of training: "full batch", "batches of 8", "one at a time"."""
        return _way(self.batch_size, self.steps_per_epoch)


def _way(batch_size: int, steps_per_epoch: int) -> str:
    if batch_size == 1:
        return "one at a time"
    return "full batch" if steps_per_epoch == 1 else f"batches of {batch_size}"


def _check_whole(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{field} must be a whole number from {low:,} to {high:,}; got {repr(value)[:20]}")
    return int(value)


def _check_data(layers: Sequence[tuple[object, object]], X: object, T: object) -> tuple[Layers, np.ndarray,
                                                                                      np.ndarray]:
    """The network, X and T as float arrays whose shapes fit, each entry finite and within ±10⁶."""
    if isinstance(layers, (str, bytes, np.ndarray)) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(f"layers must be a list of (W, b) pairs; got {type(layers).__name__}")
    network = [(as_array(f"W{k}", W, 2), as_array(f"b{k}", b, 1)) for k, (W, b) in enumerate(layers, start=1)]
    for k, (W, b) in enumerate(network, start=1):
        width = network[k - 2][0].shape[0] if k > 1 else W.shape[1]
        if b.shape[0] != W.shape[0] or W.shape[1] != width:
            raise ValueError(f"W{k} has shape {W.shape} and b{k} {b.shape}: W{k} needs one row per entry of b{k} "
                             f"and {width} columns, one per unit of the layer before")
    inputs, outputs = network[0][0].shape[1], network[-1][0].shape[0]
    X, T = _examples("X", X, inputs), _examples("T", T, outputs)
    if T.shape[1] != X.shape[1]:
        raise ValueError(f"T must have shape (outputs × examples) = ({outputs} × {X.shape[1]}): one column per "
                         f"column of X; got ({T.shape[0]} × {T.shape[1]})")
    return network, X, T


def _examples(name: str, value: object, rows: int) -> np.ndarray:
    """X or T: (rows × examples), any number of examples, each entry finite and within ±10⁶."""
    expected = (f"{name} must have shape ({'inputs' if name == 'X' else 'outputs'} × examples) with {rows} "
                f"row{'s' * (rows != 1)}, one column per example")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{expected}; got {repr(value)[:30]}, which is not a rectangular array of numbers") from None
    if isinstance(value, (str, bytes)) or array.ndim != 2 or array.shape[0] != rows or array.shape[1] < 1:
        raise ValueError(f"{expected}; got shape {array.shape}")
    bad = ~np.isfinite(array) | (np.abs(array) > MAX_MAGNITUDE)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}[{row}, {col}] is {float(array[row, col])!r}; every entry must be a finite number "
                         f"between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}")
    return array


def train(layers: Sequence[tuple[np.ndarray, np.ndarray]], X: object, T: object, batch_size: int,
          epochs: int = EPOCHS, lr: float = LEARNING_RATE, seed: int = 0, loss: str = "mse") -> Run:
    """Train a copy of ``layers`` for ``epochs`` passes over (X, T) in mini-batches of ``batch_size``.

    Each epoch shuffles the examples with ``default_rng(seed)`` and steps through them ``batch_size`` at a
    time (the last mini-batch holds what is left); each step moves every W and b by −lr · its batch-mean
    gradient on that mini-batch. The loss on all the data is recorded before training and after every
    epoch. A run whose weights leave ±10⁶, or whose loss stops being a finite number, stops there and
    says so in ``message``: the learning rate is too large for that batch size. A run whose output ends
    switched off (ReLU gives 0 for every example, so no gradient passes) says that instead.

    Parameters
    ----------
    layers : list of (W, b)          the starting network; it is not changed
    X : ndarray (inputs × examples)
    T : ndarray (outputs × examples) targets, 0 or more for a ReLU output
    batch_size : int                 1 to the number of examples
    epochs : int                     1 to ``MAX_EPOCHS``
    lr : float                       the learning rate, above 0 and at most 10
    seed : int                       the order of the examples in every epoch
    loss : str                       "mse" (ReLU after every layer) or "softmax_cross_entropy" (the last
                                     layer linear, T one-hot)

    Examples
    --------
    >>> X, T = make_data()
    >>> run = train(start_network(), X, T, batch_size=8, epochs=5)
    >>> run.steps_per_epoch, run.epochs, run.losses[-1] < run.losses[0]
    (8, 5, True)
    """
    entry = loss_named(loss)
    network, X, T = _check_data(layers, X, T)
    problem = entry.targets_problem(T)
    if problem:
        raise ValueError(problem)
    chosen = _activations(len(network), loss)
    examples = X.shape[1]
    batch = _check_whole("the batch size", batch_size, 1, examples)
    epochs = _check_whole("epochs", epochs, 1, MAX_EPOCHS)
    rate = check_learning_rate(lr)
    rng = np.random.default_rng(_check_whole("the seed", seed, 0, 2**32 - 1))
    steps = -(-examples // batch)
    results = forward_floats(network, X, chosen)
    losses = [loss_of(results[-1][1], T, loss)]
    seconds: list[float] = []
    diverged, beyond = None, False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            order = rng.permutation(examples)
            start = time.perf_counter()
            trial = network
            for first in range(0, examples, batch):
                picked = order[first:first + batch]
                gradients = backward_floats(trial, X[:, picked], T[:, picked], chosen, loss)
                trial = [(W - rate * dW, b - rate * db) for (W, b), (dW, db) in zip(trial, gradients)]
            seconds.append(time.perf_counter() - start)
            beyond = any(not np.all(np.abs(array) <= MAX_MAGNITUDE) for pair in trial for array in pair)
            trial_results = forward_floats(trial, X, chosen)
            value = loss_of(trial_results[-1][1], T, loss)
            if beyond or not math.isfinite(value):
                diverged = epoch
                break
            network, results = trial, trial_results
            losses.append(value)
    name = _way(batch, steps).capitalize()
    # only ReLU switches an output off: a linear one (softmax's) always passes its gradient
    switched_off = diverged is None and chosen[-1] is RELU and bool(np.all(results[-1][0] <= 0))
    if diverged is not None:
        grew = "a weight went beyond ±10⁶" if beyond else "the loss was no longer a finite number"
        message = (f"{name} diverged in epoch {diverged}: with learning rate {rate:g} the steps grew until {grew}. "
                   "Lower the learning rate.")
    elif switched_off:
        message = (f"{name}: after {epochs} epochs the output is 0 for every example. A step overshot and ReLU "
                   f"switched the output off, so no gradient passes any more and the loss stays at {losses[-1]:.4g}. "
                   "Lower the learning rate.")
    else:
        message = (f"{name}: {steps:,} step{'s' * (steps != 1)} per epoch; after {epochs} epochs the loss went from "
                   f"{losses[0]:.4g} to {losses[-1]:.4g}.")
    return Run(batch, examples, steps, tuple(losses), tuple(seconds), rate, diverged, switched_off, message, network)


def compare(batch_sizes: Sequence[int] = BATCH_SIZES, epochs: int = EPOCHS, lr: float = LEARNING_RATE,
            seed: int = 0, loss: str = "mse") -> list[Run]:
    """Train the same starting network on the same data once for each batch size; one ``Run`` each.

    The data is ``make_data(seed, loss=loss)`` and the network ``start_network(seed, loss=loss)``; every run
    shuffles with the same seed, so the comparison is the same each time but for the seconds.

    Examples
    --------
    >>> [(run.name, run.steps_per_epoch) for run in compare(epochs=2)]
    [('full batch', 1), ('batches of 8', 8), ('one at a time', 64)]
    """
    if isinstance(batch_sizes, (str, bytes)) or not isinstance(batch_sizes, Sequence) or not batch_sizes:
        raise ValueError(f"batch_sizes must be a list of whole numbers, such as (64, 8, 1); got "
                         f"{repr(batch_sizes)[:30]}")
    epochs = _check_whole("epochs", epochs, 1, MAX_EPOCHS)
    rate = check_learning_rate(lr)
    X, T = make_data(seed, loss=loss)
    for size in batch_sizes:
        _check_whole("the batch size", size, 1, X.shape[1])
    network = start_network(seed, loss=loss)
    return [train(network, X, T, size, epochs, rate, seed, loss) for size in batch_sizes]


__all__ = ["BATCH_SIZES", "EPOCHS", "HIDDEN", "LEARNING_RATE", "MAX_EPOCHS", "NEAR", "POINTS", "Run", "compare",
           "make_data", "start_network", "train"]
