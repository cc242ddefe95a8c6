"""Training on the batch: the loss against targets T, its gradients, and a step of gradient descent.

The loss is one of the table ``losses.LOSSES``, chosen by name (``loss="mse"`` by default): the mean over
the batch of each input's ½‖y − t‖², or softmax with cross-entropy. Its gradients come back through the
layers as one matrix product per layer (``backward``), or one input at a time and then averaged, as it
is done by hand (``backward_loop``). Both give the same numbers, bit for bit: each works in the decimals
typed exactly (``exact``) and rounds only the final value to a float.

ReLU's derivative is 1 where the pre-activation is above 0 and 0 where it is 0 or below: at exactly 0
it is taken as 0, the same cells ``relu_zeroed`` marks as switched off.

The error signal of layer k, δk, is ∂(the input's loss)/∂Z for each input on its own, one column per
input: for the last layer the loss's error times the slope, δ = (Y − T) ⊙ ReLU′(Y_z) for mean squared error
(δ = P − T for softmax cross-entropy, whose last layer is linear); for a layer before it
δk = (W(k+1)ᵀ·δ(k+1)) ⊙ ReLU′(Zk).
Each gradient is then the average over the batch of every input's own: dWk = δk·(layer k's input)ᵀ / B
and dbk = the mean of δk's columns.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .compute import Activations, each_layer, forward_floats, forward_loop_exact
from .exact import Exact, typed
from .formats import parse_matrix, query_from_fields
from .layers import Layer, layers_of
from .losses import LOSSES, WORKED_TARGETS, Loss, loss_named
from .numbers import equals_sign, format_factor, format_number
from .state import State
from .validation import MAX_MAGNITUDE, as_array

Layers = Sequence[tuple[np.ndarray, np.ndarray]]

#: Largest learning rate a step takes: far beyond any that converges on these small networks.
MAX_LEARNING_RATE = 10.0


def check_loss(state: State, loss: object) -> Loss:
    """The loss of this name, for this state's network; ``ValueError`` if there is none, or if it needs a last
    layer's activation the network does not have (softmax cross-entropy: linear)."""
    entry = loss_named(loss)
    last = state.activations[-1]
    if entry.last_activation is not None and last != entry.last_activation:
        raise ValueError(f"{entry.label} applies its own function to the last layer's sums, so layer {state.depth}'s "
                         f"activation must be {entry.last_activation}; it is {last}")
    return entry


def check_targets(state: State, T: object, loss: str = "mse") -> np.ndarray:
    """T as a read-only float array of shape (outputs × batch), or ``ValueError``/``TypeError`` naming T;
    for softmax cross-entropy each column one-hot.

    >>> from batchnet_core import preset
    >>> check_targets(preset("three-inputs"), [[1, 0], [2, 2], [1, 2]])
    Traceback (most recent call last):
    ...
    ValueError: T must have shape (outputs × batch) = (2 × 3): one row per output (the rows of W2), \
one column per input (the columns of X); got (3 × 2). Did you mean T.T?
    """
    targets = as_array("T", T, 2)
    outputs, batch = state.layers[-1][0].shape[0], state.X.shape[1]
    if targets.shape != (outputs, batch):
        hint = " Did you mean T.T?" if targets.shape == (batch, outputs) else ""
        raise ValueError(
            f"T must have shape (outputs × batch) = ({outputs} × {batch}): one row per output (the rows of "
            f"{layers_of(state.depth)[-1].weights}), one column per input (the columns of X); got "
            f"({targets.shape[0]} × {targets.shape[1]}).{hint}")
    problem = loss_named(loss).targets_problem(targets)
    if problem:
        raise ValueError(problem)
    return targets


def default_targets(state: State, loss: str = "mse") -> np.ndarray:
    """The targets a page opens with: for mean squared error the worked example's where they fit the state's
    outputs × batch, 0 elsewhere; for softmax cross-entropy input j of class j (counting round the outputs).

    >>> from batchnet_core import preset
    >>> default_targets(preset("one-input"))
    array([[1.],
           [2.]])
    >>> default_targets(preset("three-inputs"), "softmax_cross_entropy")
    array([[1., 0., 1.],
           [0., 1., 0.]])
    """
    outputs, batch = state.layers[-1][0].shape[0], state.X.shape[1]
    return _frozen(loss_named(loss).default_targets(outputs, batch))


def resize_targets(T: np.ndarray, state: State, loss: str = "mse") -> np.ndarray:
    """T made to fit the state's outputs × batch: every entry that still fits kept, new ones 0 (for softmax
    cross-entropy every class that still fits kept)."""
    outputs, batch = state.layers[-1][0].shape[0], state.X.shape[1]
    return _frozen(loss_named(loss).fit_targets(np.asarray(T, dtype=float), outputs, batch))


def targets_to_query(T: np.ndarray) -> str:
    """T in a page link: ``T=1,0,1;2,2,2`` (rows split by ``;``)."""
    return query_from_fields([("T", np.asarray(T, dtype=float))])


def targets_from_query(state: State, text: str, loss: str = "mse") -> np.ndarray:
    """The targets a link's ``T=...`` gives, checked against the state; ``ValueError`` saying what is wrong."""
    if not isinstance(text, str):  # its length is the link's: formats.MAX_QUERY_LENGTH
        raise ValueError("T in the link must be rows of numbers, such as T=1,0,1;2,2,2")
    return check_targets(state, parse_matrix("T", text), loss)


def loss_of(Y: np.ndarray, T: np.ndarray, loss: str = "mse") -> float:
    """The loss in floats, from the last layer's outputs Y: for a network trained on data never typed."""
    return LOSSES[loss].value(Y, T)


def exact_terms(state: State, targets: np.ndarray, loss: str = "mse") -> tuple[list[Fraction], int]:
    """The loss's terms, exactly, and what their sum is divided by: for mean squared error each (y − t)² and
    2B, for softmax cross-entropy each input's −log p of its class and B."""
    entry = LOSSES[loss]
    return entry.terms(state.exact_results()[-1][1], Exact.of(targets)), entry.divisor(targets.shape[1])


def exact_loss(state: State, targets: np.ndarray, loss: str = "mse") -> Fraction:
    """The loss exactly (of the decimals its functions give, for softmax), for checked targets."""
    terms, divisor = exact_terms(state, targets, loss)
    return sum(terms, Fraction(0)) / divisor


def loss(state: State, T: object, loss: str = "mse") -> float:
    """How far the network's outputs Y are from the targets T, the mean over the batch of each input's own.

    ``loss="mse"`` (the default): (1 / 2B) · Σ (Y − T)², B the batch size, the mean of each input's ½‖y − t‖².
    ``loss="softmax_cross_entropy"``: the mean of −Σ t·log p, p = softmax of the input's y (the last layer
    linear) and t one-hot. Worked out exactly and then rounded.

    >>> from batchnet_core import preset
    >>> loss(preset("three-inputs"), [[1, 0, 1], [2, 2, 2]])  # (1 + 0 + 1 + 1 + 1 + 4) / 6
    1.3333333333333333
    """
    check_loss(state, loss)
    return float(exact_loss(state, check_targets(state, T, loss), loss))


def backward_floats(layers: Layers, X: np.ndarray, T: np.ndarray, activations: Activations = None,
                    loss: str = "mse") -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's batch-mean gradients (dW, db) in bare floats, one matrix product per layer: for training on
    data that was never typed (the mini-batch comparison), where many steps are taken."""
    chosen = each_layer(activations, len(layers))
    entry = LOSSES[loss]
    results = forward_floats(layers, X, chosen)
    batch = X.shape[1]
    Z, Y = results[-1]
    delta = entry.error(entry.outputs(Y), T) * chosen[-1].slope(Z, Y)
    gradients: list = [None] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        source = X if k == 0 else results[k - 1][1]
        gradients[k] = (delta @ source.T / batch, delta.sum(axis=1) / batch)
        if k:
            delta = (layers[k][0].T @ delta) * chosen[k - 1].slope(*results[k - 1])
    return gradients


#: The last backward passes worked out, newest last: a page draws a state's gradients, explains one of their
#: cells and then steps from them, and each of those reads the same pass (a state never changes).
_RECENT: list[tuple[tuple, tuple]] = []
RECENT_PASSES = 2


def backward_exact(state: State, targets: np.ndarray, gated: bool = True, loss: str = "mse",
                   ) -> tuple[list[tuple[Exact, Exact]], list[Exact]]:
    """Each layer's gradients summed over the batch (dW·B, db·B) and its error signal δ, exactly, one matrix
    product per layer. ``gated=False`` takes ReLU′ as 1 everywhere (a mistake the exercises name).

    Worked out once for the same state (the same object), targets and loss, however many ask."""
    result = next((done for (known, known_targets, known_gated, known_loss), done in _RECENT
                   if known is state and (known_gated, known_loss) == (gated, loss)
                   and np.array_equal(known_targets, targets)), None)
    if result is None:
        result = _backward_exact(state, targets, gated, loss)
        _RECENT.append(((state, np.array(targets, dtype=float), gated, loss), result))
        del _RECENT[:-RECENT_PASSES]
    sums, deltas = result
    return list(sums), list(deltas)


def _backward_exact(state: State, targets: np.ndarray, gated: bool, loss: str,
                    ) -> tuple[list[tuple[Exact, Exact]], list[Exact]]:
    layers, results, chosen = state.exact_layers(), state.exact_results(), state.activation_entries
    entry = LOSSES[loss]
    X = Exact.of(state.X)
    Z, Y = results[-1]
    delta = entry.exact_error(entry.exact_outputs(Y), Exact.of(targets))
    if gated:
        delta = delta * chosen[-1].exact_slope(Z, Y)
    sums: list = [None] * len(layers)
    deltas: list = [None] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        source = X if k == 0 else results[k - 1][1]
        sums[k] = (delta @ source.T, delta.sum(axis=1)[:, 0])
        deltas[k] = delta
        if k:
            delta = layers[k][0].T @ delta
            if gated:
                delta = delta * chosen[k - 1].exact_slope(*results[k - 1])
    return sums, deltas


@dataclasses.dataclass(frozen=True)
class Gradients:
    """The gradients of the loss for every parameter, averaged over the batch.

    Attributes
    ----------
    layers : tuple of (dW, db)   per layer, in order: the shapes of (W, b)
    deltas : tuple of ndarray    per layer, its error signal δ: one column per input, for that input alone
    loss : float                 the loss they are the gradients of
    outputs : ndarray            what the loss compared with T: Y, or softmax's P of each column of Y

    ``g.W1``, ``g.b1``, ``g.W2``, ... name the same arrays: ``g.W2`` is dW2 = ∂loss/∂W2.
    """

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    deltas: tuple[np.ndarray, ...]
    loss: float
    outputs: np.ndarray

    def __getattr__(self, name: str) -> np.ndarray:
        if len(name) >= 2 and name[0] in "Wb" and name[1:].isdigit() and 1 <= int(name[1:]) <= len(self.layers):
            return self.layers[int(name[1:]) - 1][name[0] == "b"]
        raise AttributeError(f"gradients of {len(self.layers)} layers have no {name}")

    @property
    def depth(self) -> int:
        return len(self.layers)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float) + 0.0
    array.setflags(write=False)
    return array


def backward(state: State, T: object, loss: str = "mse") -> Gradients:
    """The loss's gradients, batch-mean, computed as matrix products: dWk = δk·(layer k's input)ᵀ / B.

    >>> from batchnet_core import preset
    >>> g = backward(preset("three-inputs"), [[1, 0, 1], [2, 2, 2]])
    >>> g.b2 * 3
    array([0., 4.])
    >>> g.W2 * 3
    array([[ 0.,  0.,  0.,  0.],
           [ 0.,  7., 13.,  3.]])
    """
    check_loss(state, loss)
    return gradients_of(state, check_targets(state, T, loss), loss)


def gradients_of(state: State, targets: np.ndarray, loss: str = "mse") -> Gradients:
    """``backward`` for checked targets and loss. The state's forward pass is worked out once per state, so a
    page's trace is not run again."""
    sums, deltas = backward_exact(state, targets, loss=loss)
    batch = state.X.shape[1]
    outputs = LOSSES[loss].exact_outputs(state.exact_results()[-1][1])
    return Gradients(tuple((_frozen(dW.over(batch)), _frozen(db.over(batch))) for dW, db in sums),
                     tuple(_frozen(d.floats()) for d in deltas), float(exact_loss(state, targets, loss)),
                     _frozen(outputs.floats()))


def backward_loop(state: State, T: object, loss: str = "mse") -> Gradients:
    """The same gradients the by-hand way: for each input alone, back through the layers one entry at a
    time, then the average over the batch. Plain Python fractions of the decimals typed, so it is an
    independent reference: its floats are the same exact values correctly rounded, bit for bit.
    """
    entry = check_loss(state, loss)
    targets = check_targets(state, T, loss)
    plain = [([[typed(w) for w in row] for row in W.tolist()], [typed(v) for v in b.tolist()])
             for W, b in state.layers]
    chosen = state.activation_entries
    forward = forward_loop_exact(state.layers, state.X, chosen)
    depth, batch = len(plain), state.X.shape[1]
    zero = Fraction(0)
    sums = [([[zero] * len(W[0]) for _ in W], [zero] * len(b)) for W, b in plain]
    deltas: list[list[list[Fraction]]] = [[] for _ in plain]
    total = zero
    every_output = []
    for j, (x, t) in enumerate(zip(state.X.T.tolist(), targets.T.tolist())):
        inputs = [[typed(v) for v in x]] + [post[j] for _, post in forward]
        pres = [pre[j] for pre, _ in forward]
        y, goals = inputs[-1], [typed(v) for v in t]
        total += entry.value_of(y, goals)
        compared = entry.outputs_of(y)
        every_output.append(compared)
        # each slope in plain fractions (Activation.slope_of), written apart from the batched one: the loop checks it
        delta = [entry.error_of(p, goal) * chosen[-1].slope_of(z, v)
                 for p, v, goal, z in zip(compared, y, goals, pres[-1])]
        for k in range(depth - 1, -1, -1):
            dW, db = sums[k]
            for i, d in enumerate(delta):
                db[i] += d
                for m, a in enumerate(inputs[k]):
                    dW[i][m] += d * a
            deltas[k].append(delta)
            if k:
                W = plain[k][0]
                delta = [sum((W[i][m] * delta[i] for i in range(len(W))), zero)
                         * chosen[k - 1].slope_of(pres[k - 1][m], inputs[k][m]) for m in range(len(W[0]))]
    layers = tuple((_frozen([[float(v / batch) for v in row] for row in dW]), _frozen([float(v / batch) for v in db]))
                   for dW, db in sums)
    return Gradients(layers, tuple(_frozen([[float(v) for v in d] for d in ds]).T for ds in deltas),
                     float(total / batch), _frozen([[float(v) for v in p] for p in every_output]).T)


def check_learning_rate(lr: object) -> float:
    """The learning rate as a float, or ``ValueError``: it must be a number above 0 and at most 10."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
            or not math.isfinite(lr) or not 0 < lr <= MAX_LEARNING_RATE:
        raise ValueError(f"the learning rate must be a number above 0 and at most {MAX_LEARNING_RATE:g}; "
                         f"got {repr(lr)[:20]}")
    return float(lr)


def sgd_step(state: State, T: object, lr: float, loss: str = "mse") -> State:
    """A new state one step of gradient descent on from ``state``: every W and b moved by −lr · its gradient.

    The step is taken on the whole batch (the batch-mean gradient). ``ValueError`` if the learning rate is
    not a number in (0, 10], or if the step would take an entry beyond ±10⁶ (the learning rate is too large).

    >>> from batchnet_core import preset
    >>> s, T = preset("three-inputs"), [[1, 0, 1], [2, 2, 2]]
    >>> loss(sgd_step(s, T, 0.01), T) < loss(s, T)
    True
    """
    rate = check_learning_rate(lr)
    g = backward(state, T, loss)
    return step_state(state, g.layers, rate)


def run_step(state: State, targets: np.ndarray, rate: float, loss: str = "mse") -> tuple[State, float]:
    """One step of a Train run, and the loss after it, in bare floats (``backward_floats``, ``forward_floats``).

    A run takes up to a thousand steps on weights nobody typed: exactly, a step at the largest state costs
    about 70 ms, in floats under 2 ms. The state a run stops on is shown exactly, as every state is, and one
    Step (``sgd_step``) is exact; the steps of a run differ from exact ones in the last places of the floats.
    ``ValueError`` as ``step_state`` gives it.
    """
    chosen = state.activation_entries
    moved = step_state(state, backward_floats(state.layers, state.X, targets, chosen, loss), rate)
    return moved, loss_of(forward_floats(moved.layers, moved.X, chosen)[-1][1], targets, loss)


def step_state(state: State, gradients: Sequence[tuple[np.ndarray, np.ndarray]], rate: float) -> State:
    """``state`` with each layer's (W, b) moved by −rate · its (dW, db); ``ValueError`` naming the entry that
    would leave ±10⁶."""
    moved = [(W - rate * dW, b - rate * db) for (W, b), (dW, db) in zip(state.layers, gradients)]
    for layer, pair in zip(layers_of(state.depth), moved):
        for name, array in zip((layer.weights, layer.bias), pair):
            bad = ~np.isfinite(array) | (np.abs(array) > MAX_MAGNITUDE)
            if bad.any():
                where = ",".join(str(int(i) + 1) for i in np.argwhere(bad)[0])
                raise ValueError(
                    f"a step with learning rate {format_number(rate)} would take {name}[{where}] beyond "
                    f"±{MAX_MAGNITUDE:g}: the steps are growing, so lower the learning rate")
    return State.from_layers(moved, state.X, state.activations)


# -- one gradient entry, spelled out ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class GradientExplanation:
    """One entry of a gradient as the average over the batch of every input's own.

    Attributes
    ----------
    name : str          "W2" or "b2": the parameter
    row, col : int      the entry (0-based; a bias has only col 0)
    label : str         "dW2[y2, h3]"
    terms : list of (delta, activation, product)   per input: its δ of the row's unit, the column's
                        activation (1 for a bias) and their product, that input's own gradient
    total : float       the sum of the products
    average : float     total / batch: the gradient entry
    heading : str       what is averaged: "dW2[y2, h3] = mean over the batch of δ2[y2, x]·H[h3, x]"
    text : str          the numbers on one line: "dW2[y2, h3] = (1·5 + 1·2 + 2·3) / 3 = 13 / 3 ≈ 4.333"
                        ("≈" where a number written is rounded)
    exact_terms, exact_average : the same as ``Fraction``: what the digits are rounded from
    """

    name: str
    row: int
    col: int
    label: str
    terms: list[tuple[float, float, float]]
    total: float
    average: float
    heading: str
    text: str
    exact_terms: tuple = ()
    exact_average: Fraction = Fraction(0)

    @property
    def batch(self) -> int:
        return len(self.terms)


def _check_index(what: str, value: object, size: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < size:
        raise ValueError(f"{what} must be a whole number from 0 to {size - 1} for {name}; got {repr(value)[:20]}")
    return int(value)


def _parameter(state: State, name: object) -> tuple[Layer, bool]:
    """The layer of a parameter's name, and whether it is the bias."""
    names = [n for layer in layers_of(state.depth) for n in (layer.weights, layer.bias)]
    if not isinstance(name, str) or name not in names:
        raise ValueError(f"the parameter must be one of {', '.join(names)}; got {str(name)[:20]!r}")
    return layers_of(state.depth)[int(name[1:]) - 1], name.startswith("b")


def column_label(layer: Layer, col: int, depth: int) -> str:
    """The label of column ``col`` of a layer's weights: an entry of the input (1, 2, ...) for layer 1,
    the unit of the layer before otherwise."""
    return str(col + 1) if layer.index == 1 else layers_of(depth)[layer.index - 2].unit_label(col)


def explain_gradient(state: State, T: object, name: str, row: int, col: int = 0, loss: str = "mse",
                     ) -> GradientExplanation:
    """Spell out one gradient entry: each input's own term, then their average over the batch.

    ``name`` is a parameter (``"W2"``, ``"b1"``, ...); ``row`` and ``col`` its entry, 0-based (a bias has
    only ``col`` 0). For dWk[i, j] an input's term is δk[i]·a[j], a the layer's input (X or the layer before
    after ReLU); for dbk[i] it is δk[i] alone.

    >>> from batchnet_core import preset
    >>> e = explain_gradient(preset("three-inputs"), [[1, 0, 1], [2, 2, 2]], "W2", 1, 2)
    >>> print(e.heading)
    dW2[y2, h3] = mean over the batch of δ2[y2, x]·H[h3, x]
    >>> print(e.text)
    dW2[y2, h3] = (1·5 + 1·2 + 2·3) / 3 = 13 / 3 ≈ 4.333
    """
    layer, is_bias = _parameter(state, name)
    W = state.layers[layer.index - 1][0]
    r = _check_index("row", row, W.shape[0], name)
    c = _check_index("col", col, 1 if is_bias else W.shape[1], name)
    check_loss(state, loss)
    targets = check_targets(state, T, loss)
    _, deltas = backward_exact(state, targets, loss=loss)
    delta = deltas[layer.index - 1][r].fractions().tolist()
    unit = layer.unit_label(r)
    if is_bias:
        activations = [Fraction(1)] * len(delta)
        label = f"d{name}[{unit}]"
        heading = f"{label} = mean over the batch of δ{layer.index}[{unit}, x]"
    else:
        source = [typed(v) for v in state.X[c]] if layer.index == 1 else \
            state.exact_results()[layer.index - 2][1][c].fractions().tolist()
        activations = source
        column = column_label(layer, c, state.depth)
        label = f"d{name}[{unit}, {column}]"
        heading = f"{label} = mean over the batch of δ{layer.index}[{unit}, x]·{layer.source}[{column}, x]"
    exact_terms = [(d, a, d * a) for d, a in zip(delta, activations)]
    total = sum((p for _, _, p in exact_terms), Fraction(0))
    batch = len(exact_terms)
    average = total / batch
    written = " + ".join(format_factor(d) if is_bias else f"{format_factor(d)}·{format_factor(a)}"
                         for d, a, _ in exact_terms)
    factors = [d for d, _, _ in exact_terms] + ([] if is_bias else activations)
    text = (f"{label} = ({written}) / {batch} {equals_sign(*factors, total)} {format_number(total)} / {batch} "
            f"{equals_sign(total, average)} {format_number(average)}")
    terms = [(float(d), float(a), float(p)) for d, a, p in exact_terms]
    return GradientExplanation(name, r, c, label, terms, float(total), float(average), heading, text,
                               tuple(exact_terms), average)


@dataclasses.dataclass(frozen=True)
class DeltaExplanation:
    """One entry of a layer's error signal δ: how wrong that unit was for that input, and whether it passed.

    Attributes
    ----------
    layer : int          1-based
    row, col : int       unit and input, 0-based
    label : str          "δ2[y2, x1]"
    error : float        for the last layer the loss's error (Y − T, or P − T for softmax cross-entropy); before
                         it, the next layer's δ sent back through its weights
    derivative : float   the activation's slope at the pre-activation (ReLU′: 1 or 0)
    value : float        error · derivative
    text : str           "δ2[y2, x1] = (Y − T)·ReLU′(Y_z) = (3 − 2)·1 = 1"; for softmax cross-entropy, whose
                         last layer is linear, "δ2[y1, x1] = P − T = 0.119 − 1 ≈ −0.881"
    """

    layer: int
    row: int
    col: int
    label: str
    error: float
    derivative: float
    value: float
    text: str


def explain_delta(state: State, T: object, layer: int, row: int, col: int, loss: str = "mse") -> DeltaExplanation:
    """Spell out one entry of layer ``layer``'s (1-based) error signal δ for unit ``row``, input ``col``.

    >>> from batchnet_core import preset
    >>> print(explain_delta(preset("three-inputs"), [[1, 0, 1], [2, 2, 2]], 1, 2, 0).text)
    δ1[h3, x1] = (W2 column h3 · δ2 column x1)·ReLU′(H_z) = ((−1)·0 + 1·1)·1 = 1
    """
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= state.depth:
        raise ValueError(f"layer must be a whole number from 1 to {state.depth}; got {repr(layer)[:20]}")
    names = layers_of(state.depth)[layer - 1]
    W = state.layers[layer - 1][0]
    r = _check_index("row", row, W.shape[0], f"δ{layer}")
    c = _check_index("col", col, state.X.shape[1], f"δ{layer}")
    entry = check_loss(state, loss)
    targets = check_targets(state, T, loss)
    _, deltas = backward_exact(state, targets, loss=loss)
    Z, A = state.exact_results()[layer - 1]
    activation = state.activation_entries[layer - 1]
    derivative = activation.exact_slope(Z, A)[r, c].fractions().item()
    slope = f"{activation.label}′"
    unit, x = names.unit_label(r), f"x{c + 1}"
    label = f"δ{layer}[{unit}, {x}]"
    if names.output:
        output, goal = entry.exact_outputs(A)[r, c].fractions().item(), typed(targets[r, c])
        error = entry.error_of(output, goal)
        value = error * derivative
        symbols = entry.error_for(names.post if entry.compared == "Y" else entry.compared, "T")
        numbers = entry.error_for(format_number(output), format_number(goal))
        sign = equals_sign(output, goal, derivative, value)
        if entry.last_activation is None:
            text = (f"{label} = ({symbols})·{slope}({names.pre}) = ({numbers})·{format_number(derivative)} {sign} "
                    f"{format_number(value)}")
        else:  # the last layer's activation is the loss's own: its slope is part of the error
            text = f"{label} = {symbols} = {numbers} {sign} {format_number(value)}"
    else:
        following = layers_of(state.depth)[layer]
        weights = [typed(w) for w in state.layers[layer][0][:, r].tolist()]
        later = deltas[layer][:, c].fractions().tolist()
        error = sum((w * d for w, d in zip(weights, later)), Fraction(0))
        value = error * derivative
        written = " + ".join(f"{format_factor(w)}·{format_factor(d)}" for w, d in zip(weights, later))
        text = (f"{label} = ({following.weights} column {unit} · δ{layer + 1} column {x})·{slope}({names.pre}) = "
                f"({written})·{format_number(derivative)} {equals_sign(*weights, *later, derivative, value)} "
                f"{format_number(value)}")
    return DeltaExplanation(layer, r, c, label, float(error) + 0.0, float(derivative), float(value) + 0.0, text)


__all__ = [
    "LOSSES", "MAX_LEARNING_RATE", "WORKED_TARGETS", "DeltaExplanation", "GradientExplanation", "Gradients", "backward",
    "backward_exact", "backward_floats", "backward_loop", "check_learning_rate", "check_loss", "check_targets",
    "default_targets", "exact_terms",
    "explain_delta", "exact_loss", "explain_gradient", "gradients_of", "loss", "loss_of", "resize_targets", "run_step",
    "sgd_step", "step_state",
    "targets_from_query", "targets_to_query",
]
