"""The forward pass, batched and one input at a time, and the story behind one cell."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction

import numpy as np

from .activations import Activation, relu, relu_zeroed
from .compute import ExactResults, each_layer, forward_loop_exact
from .exact import typed
from .layers import Layer, layer_of_result, layers_of, result_names
from .numbers import approximately, format_number, written_sum
from .state import State

#: The results of the worksheet's two layers, in the order they are computed; ``result_names(depth)``
#: gives those of any depth.
RESULTS = result_names(2)


@dataclasses.dataclass(frozen=True)
class Trace:
    """Every intermediate matrix of one forward pass; each has one column per input.

    Attributes
    ----------
    Z : tuple of ndarray    each layer's pre-activation, W·(the layer before) + b, in order
    A : tuple of ndarray    each layer's ReLU(Z); the last is Y

    For two layers (and Y, Y_z at any depth) the worksheet's names work too:
    ``H_z`` = Z[0] (W1·X + b1), ``H`` = A[0], ``Y_z`` = Z[-1] (W2·H + b2), ``Y`` = A[-1]; and
    ``trace["H1_z"]`` names any result of any depth.
    """

    Z: tuple[np.ndarray, ...]
    A: tuple[np.ndarray, ...]
    _exact: tuple[tuple[np.ndarray, np.ndarray], ...] | ExactResults | None = dataclasses.field(
        default=None, repr=False, compare=False)
    #: Each layer's activation (``activations.ACTIVATIONS``); ReLU for every layer unless given.
    activations: tuple[Activation, ...] | None = dataclasses.field(default=None, repr=False, compare=False)

    def activation(self, name: str) -> Activation:
        """The activation of the layer that makes the result ``name``."""
        return each_layer(self.activations, self.depth)[layer_of_result(self.depth, name).index - 1]

    @property
    def depth(self) -> int:
        return len(self.Z)

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The names of each layer's results."""
        return layers_of(self.depth)

    def __getitem__(self, name: str) -> np.ndarray:
        layer = layer_of_result(self.depth, name)
        return (self.Z if name == layer.pre else self.A)[layer.index - 1]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_") or name in ("Z", "A"):
            raise AttributeError(name)
        try:
            return self[name]
        except ValueError:
            raise AttributeError(f"a forward pass of {self.depth} layers has no {name}") from None

    def exact(self, name: str) -> np.ndarray:
        """A result's exact values, an object array of ``Fraction``: what every view rounds its digits from.

        ``Z`` and ``A`` hold these correctly rounded to floats.
        """
        layer = layer_of_result(self.depth, name)
        if self._exact is None:  # a trace made from floats alone: they are the values
            values = self[name]
            return np.array([typed(v) for v in values.ravel()], dtype=object).reshape(values.shape)
        exact = self._exact[layer.index - 1][name != layer.pre]
        return exact if isinstance(exact, np.ndarray) else exact.fractions()

    def zeroed(self, name: str) -> np.ndarray:
        """Where the layer that makes ``name`` gives a 0 that a heat map marks: where ReLU's exact sum is 0 or
        below (``relu_zeroed`` of the exact values, which a float keeps unless it is too small for a double:
        below 10⁻³⁰⁸); nowhere for an activation that does not zero (``Activation.zeroes``)."""
        layer = layer_of_result(self.depth, name)
        if not self.activation(name).zeroes:
            return np.zeros(self[layer.pre].shape, dtype=bool)
        if self._exact is None:
            return relu_zeroed(self[layer.pre])
        exact = self._exact[layer.index - 1][0]
        return ~exact.positive() if not isinstance(exact, np.ndarray) else np.asarray(exact <= 0, dtype=bool)

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        """(name, array) for every result in order: H_z, H, Y_z, Y for two layers."""
        return ((name, self[name]) for name in result_names(self.depth))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _trace(results: list[tuple[np.ndarray, np.ndarray]], exact: object, state: State) -> Trace:
    return Trace(tuple(_frozen(Z) for Z, _ in results), tuple(_frozen(A) for _, A in results), exact,
                 state.activation_entries)


def forward(state: State) -> Trace:
    """Run the whole batch through the network with one matrix product per layer.

    Each bias is added to every column: the same weights serve every input.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> forward(preset("three-inputs")).Y
    array([[0., 0., 0.],
           [3., 3., 4.]])
    """
    return _trace(state.results(), tuple(state.exact_results()), state)


def forward_loop(state: State) -> Trace:
    """The same results the slow, obvious way: one input at a time, one dot product at a time.

    This is how the worksheet is done by hand; ``forward`` does all of it in one matrix
    product per layer. Plain Python fractions of the decimals typed, so it also serves as an independent
    reference: its floats are the same exact values correctly rounded, bit for bit.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> forward_loop(preset("three-inputs")).H_z[:, 0]  # x1 through the four hidden units
    array([-1.,  3.,  5.,  3.])
    """
    results = forward_loop_exact(state.layers, state.X, state.activation_entries)
    exact = tuple((_fractions(pre), _fractions(post)) for pre, post in results)
    return _trace([(_floats(Z), _floats(A)) for Z, A in exact], exact, state)


def _fractions(columns: list[list]) -> np.ndarray:
    """Lists of fractions, one per input, as an object array with one column per input."""
    array = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, column in enumerate(columns):
        array[:, j] = column
    return array


def _floats(fractions: np.ndarray) -> np.ndarray:
    """Fractions correctly rounded to floats (``float`` of a fraction is)."""
    return np.array([float(q) for q in fractions.ravel()], dtype=float).reshape(fractions.shape) + 0.0


@dataclasses.dataclass(frozen=True)
class Explanation:
    """The dot product behind one cell of a layer's results.

    Attributes
    ----------
    layer : str                  "H_z" or "Y_z" (any layer's pre-activation): the cell's sum
    row, col : int               the cell (0-based): unit ``row``, input ``col``
    weights : str                "W1" or "W2": the matrix whose row is used
    source : str                 "X" or "H": the matrix whose column is used
    terms : list of (weight, input, product)    each the exact value correctly rounded to a float
    bias : float
    total : float                the cell's value: sum of products plus bias (forward's float, bit for bit)
    activated : float            after the layer's activation
    exact_terms : list of (weight, input, product) as ``Fraction``: the decimals typed, exactly
    exact_total : Fraction       what ``text`` rounds its digits from
    activation : str             the layer's activation as words write it: "ReLU"
    exact_activated : Fraction   the activation's exact value (of a tanh or sigmoid: its float's decimal)
    text : str                   the whole sum on one line, then the activation: how a cell of H or Y is made
    sum_text : str               the sum alone, without the activation: how a cell of H_z or Y_z is made
    bias_name : str              "b1" or "b2"
    unit : str                   the unit's label: "h3", "y1"
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
    bias_name: str = "b1"
    unit: str = "h1"
    exact_terms: tuple = ()
    exact_bias: Fraction = Fraction(0)
    exact_total: Fraction = Fraction(0)
    activation: str = "ReLU"
    exact_activated: Fraction = Fraction(0)

    @property
    def label(self) -> str:
        """The cell's name: ``H_z[h3, x2]``."""
        return f"{self.layer}[{self.unit}, x{self.col + 1}]"

    @property
    def heading(self) -> str:
        """The explanation's first line: ``H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]``."""
        column = f"x{self.col + 1}" if self.source == "X" else f"{self.source} column x{self.col + 1}"
        return f"{self.label} = ({self.weights} row {self.unit}) · ({column}) + {self.bias_name}[{self.unit}]"


def explain(state: State, layer: str, row: int, col: int) -> Explanation:
    """Spell out the dot product that makes one cell of a layer's results.

    Parameters
    ----------
    state : State
    layer : str
        A result's name, such as "H_z", "H", "Y_z", "Y" (``result_names(state.depth)``). "H" and "Y" name
        the same cells as "H_z" and "Y_z": the explanation is of the sum, then its activation (ReLU).
    row : int
        The unit: a row of the layer's weights, 0-based.
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
    names = layer_of_result(state.depth, layer)
    W, b = state.layers[names.index - 1]
    inputs = state.X if names.index == 1 else state.results()[names.index - 2][1]
    rows, cols = W.shape[0], inputs.shape[1]
    if not (isinstance(row, (int, np.integer)) and not isinstance(row, bool) and 0 <= row < rows):
        raise ValueError(f"row must be a whole number from 0 to {rows - 1} for {layer}; got {row!r}")
    if not (isinstance(col, (int, np.integer)) and not isinstance(col, bool) and 0 <= col < cols):
        raise ValueError(f"col must be a whole number from 0 to {cols - 1} for {layer}; got {col!r}")
    weights = [typed(w) for w in W[row].tolist()]
    column = [typed(v) for v in inputs[:, col].tolist()] if names.index == 1 else \
        state.exact_results()[names.index - 2][1][:, col].fractions().tolist()
    exact_terms = tuple((w, v, w * v) for w, v in zip(weights, column))
    exact_bias = typed(b[row])
    exact_total = sum((p for _, _, p in exact_terms), Fraction(0)) + exact_bias
    total = float(state.results()[names.index - 1][0][row, col])  # the same value, correctly rounded
    activation = state.activation_entries[names.index - 1]
    exact_activated = activation.exact_of(exact_total)
    activated = float(state.results()[names.index - 1][1][row, col])  # the same value, correctly rounded
    sum_text = written_sum(weights, column, exact_bias, exact_total)
    text = f"{sum_text} → {activation.label} → {approximately(exact_activated)}{format_number(exact_activated)}"
    return Explanation(
        layer=names.pre, row=int(row), col=int(col), weights=names.weights, source=names.source,
        terms=[(float(w), float(v), float(p)) for w, v, p in exact_terms], bias=float(exact_bias), total=total,
        activated=activated, text=text, sum_text=sum_text, bias_name=names.bias, unit=names.unit_label(int(row)),
        exact_terms=exact_terms, exact_bias=exact_bias, exact_total=exact_total, activation=activation.label,
        exact_activated=exact_activated,
    )


__all__ = ["RESULTS", "Explanation", "Trace", "explain", "forward", "forward_loop", "relu",
           "relu_zeroed"]
