"""The forward pass, batched and one input at a time, and the story behind one cell."""

from __future__ import annotations

import dataclasses

import numpy as np

from .numbers import format_factor, format_number
from .state import State

#: The four results, in the order they are computed.
RESULTS = ("H_z", "H", "Y_z", "Y")


@dataclasses.dataclass(frozen=True)
class Trace:
    """Every intermediate matrix of one forward pass; each has one column per input.

    Attributes
    ----------
    H_z : ndarray, shape (hidden, batch)    W1·X + b1
    H : ndarray, shape (hidden, batch)      ReLU(H_z)
    Y_z : ndarray, shape (outputs, batch)   W2·H + b2
    Y : ndarray, shape (outputs, batch)     ReLU(Y_z)
    """

    H_z: np.ndarray
    H: np.ndarray
    Y_z: np.ndarray
    Y: np.ndarray

    def items(self):
        """(name, array) for H_z, H, Y_z, Y."""
        return ((name, getattr(self, name)) for name in RESULTS)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), entry by entry (``+ 0.0`` folds -0.0 into 0)."""
    return np.maximum(z, 0.0) + 0.0


def relu_zeroed(z: np.ndarray) -> np.ndarray:
    """Where ReLU gives 0: the pre-activation is 0 or less, so the unit is inactive for that input.

    The one definition of "zeroed by ReLU": the heat maps hatch these cells and the exercises count
    them. A sum of exactly 0 counts, since ReLU gives 0 there too.

    Parameters
    ----------
    z : ndarray
        Pre-activations, such as H_z or Y_z.

    Returns
    -------
    ndarray of bool, the shape of ``z``

    Examples
    --------
    >>> relu_zeroed(np.array([-1.5, 0.0, 2.0]))
    array([ True,  True, False])
    """
    return np.asarray(z) <= 0


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def forward(state: State) -> Trace:
    """Run the whole batch through the network with two matrix products.

    Each bias is added to every column: the same weights serve every input.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> forward(preset("three-inputs")).Y
    array([[0., 0., 0.],
           [3., 3., 4.]])
    """
    H_z = _settled(state.W1 @ state.X + state.b1[:, None], state.W1, state.X, state.b1)
    H = relu(H_z)
    Y_z = _settled(state.W2 @ H + state.b2[:, None], state.W2, H, state.b2)
    return Trace(*(_frozen(a) for a in (H_z, H, Y_z, relu(Y_z))))


#: A sum this small against the size of its terms is what is left of rounding, not a value.
ROUNDING = 1e-12


def _settled(z: np.ndarray, W: np.ndarray, inputs: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pre-activations with what is left of rounding set to exactly 0.

    Decimals rarely cancel exactly in floating point (0.1 + 0.2 − 0.3 is 5.6e−17): such a sum is 0,
    and ReLU must treat it, and every view show it, as 0.

    >>> _settled(np.array([[0.1 + 0.2 - 0.3]]), np.array([[0.1, 0.2]]), np.array([[1.0], [1.0]]), np.array([-0.3]))
    array([[0.]])
    """
    scale = np.abs(W) @ np.abs(inputs) + np.abs(b)[:, None]
    return np.where(np.abs(z) <= ROUNDING * scale, 0.0, z)


def forward_loop(state: State) -> Trace:
    """The same results the slow, obvious way: one input at a time, one dot product at a time.

    This is how the worksheet is done by hand; ``forward`` does all of it in two matrix
    products. Plain Python arithmetic, so it also serves as an independent reference.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> forward_loop(preset("three-inputs")).H_z[:, 0]  # x1 through the four hidden units
    array([-1.,  3.,  5.,  3.])
    """
    columns = forward_loop_arrays(state.W1, state.b1, state.W2, state.b2, state.X)
    return Trace(*(_frozen(np.array(c, dtype=float).T + 0.0) for c in columns))


def forward_arrays(W1, b1, W2, b2, X):
    """``forward`` on plain arrays of any batch size: (H_z, H, Y_z, Y)."""
    H_z = W1 @ X + b1[:, None]
    H = relu(H_z)
    Y_z = W2 @ H + b2[:, None]
    return H_z, H, Y_z, relu(Y_z)


def forward_loop_arrays(W1, b1, W2, b2, X):
    """``forward_loop`` on plain arrays: four lists with one list per input (column)."""
    W1, b1, W2, b2 = (a.tolist() for a in (W1, b1, W2, b2))
    columns = tuple([] for _ in RESULTS)
    for x in X.T.tolist():
        h_z = [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(W1, b1)]
        h = [max(v, 0.0) for v in h_z]
        y_z = [sum(w * v for w, v in zip(row, h)) + b for row, b in zip(W2, b2)]
        y = [max(v, 0.0) for v in y_z]
        for column, values in zip(columns, (h_z, h, y_z, y)):
            column.append(values)
    return columns


@dataclasses.dataclass(frozen=True)
class Explanation:
    """The dot product behind one cell of H_z or Y_z.

    Attributes
    ----------
    layer : str                  "H_z" or "Y_z"
    row, col : int               the cell (0-based): unit ``row``, input ``col``
    weights : str                "W1" or "W2": the matrix whose row is used
    source : str                 "X" or "H": the matrix whose column is used
    terms : list of (weight, input, product)
    bias : float
    total : float                the cell's value: sum of products plus bias
    activated : float            after ReLU
    text : str                   the whole sum on one line, then ReLU: how a cell of H or Y is made
    sum_text : str               the sum alone, without ReLU: how a cell of H_z or Y_z is made
    """

    layer: str
    row: int
    col: int
    weights: str
    source: str
    terms: list[tuple[float, float, float]]
    bias: float
    total: float
    activated: float
    text: str
    sum_text: str


def explain(state: State, layer: str, row: int, col: int) -> Explanation:
    """Spell out the dot product that makes one cell of H_z (or H) or Y_z (or Y).

    Parameters
    ----------
    state : State
    layer : {"H_z", "H", "Y_z", "Y"}
        "H" and "Y" name the same cells as "H_z" and "Y_z".
    row : int
        The unit: a row of W1 (for H_z) or W2 (for Y_z), 0-based.
    col : int
        The input: a column of the batch, 0-based.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> e = explain(preset("three-inputs"), "H_z", 0, 0)
    >>> print(e.text)
    1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0
    >>> print(e.sum_text)
    1·2 + (−1)·1 + 1·3 + (−5) = −1
    """
    layers = {"H_z": ("W1", "b1", "X"), "H": ("W1", "b1", "X"), "Y_z": ("W2", "b2", "H"), "Y": ("W2", "b2", "H")}
    if layer not in layers:
        raise ValueError(f"layer must be one of H_z, H, Y_z, Y; got {layer!r}")
    weights_name, bias_name, source_name = layers[layer]
    W, b = getattr(state, weights_name), getattr(state, bias_name)
    inputs = state.X if source_name == "X" else forward(state).H
    rows, cols = W.shape[0], inputs.shape[1]
    if not (isinstance(row, (int, np.integer)) and 0 <= row < rows):
        raise ValueError(f"row must be a whole number from 0 to {rows - 1} for {layer}; got {row!r}")
    if not (isinstance(col, (int, np.integer)) and 0 <= col < cols):
        raise ValueError(f"col must be a whole number from 0 to {cols - 1} for {layer}; got {col!r}")
    weights, column = W[row].tolist(), inputs[:, col].tolist()
    terms = [(w, v, w * v) for w, v in zip(weights, column)]
    bias = float(b[row])
    total = sum(p for _, _, p in terms) + bias
    scale = sum(abs(p) for _, _, p in terms) + abs(bias)
    total = 0.0 if abs(total) <= ROUNDING * scale else total  # as forward settles it
    activated = max(total, 0.0) + 0.0
    products = " + ".join(f"{format_factor(w)}·{format_factor(v)}" for w, v, _ in terms)
    sum_text = f"{products} + {format_factor(bias)} = {format_number(total)}"
    text = f"{sum_text} → ReLU → {format_number(activated)}"
    return Explanation(
        layer="H_z" if weights_name == "W1" else "Y_z",
        row=int(row), col=int(col), weights=weights_name, source=source_name,
        terms=terms, bias=bias, total=total, activated=activated, text=text, sum_text=sum_text,
    )
