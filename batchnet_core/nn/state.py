"""The network's parameters and its input batch: one validated, immutable object."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from . import formats
from .activations import RELU, Activation, activations_of
from .compute import ExactResults, exact_layers, floats_of, forward_exact
from .exact import Exact
from .layers import MAX_DEPTH, check_depth, field_names, layers_of
from .validation import MAX_MAGNITUDE, MAX_SIZE, as_array, check_layers

#: The fields of the worksheet's two-layer state, in the order they are shown and written; a state of
#: another depth has ``field_names(depth)``.
FIELDS = field_names(2)

Layers = tuple[tuple[np.ndarray, np.ndarray], ...]


class State:
    """A ReLU network of 1 to ``MAX_DEPTH`` (4) layers and a batch of inputs.

    Give its fields by name: ``W1``, ``b1``, ``W2``, ``b2``, ... (as many layers as you like up to 4),
    and ``X``; or give the layers as a list with ``State.from_layers``.

    Parameters
    ----------
    W1 : array_like, shape (hidden, inputs)
        First-layer weights: row i is hidden unit i's weights.
    b1 : array_like, shape (hidden,)
    W2 : array_like, shape (outputs, hidden)
        The next layer's weights: one row per unit, one column per unit of the layer before.
    b2 : array_like, shape (outputs,)
    X : array_like, shape (inputs, batch)
        The batch: column j is input vector x(j+1).

    Every array is stored as read-only float64. Each dimension may be 1 to
    ``MAX_SIZE`` (16); every entry must be finite with magnitude at most ``MAX_MAGNITUDE``.

    Raises
    ------
    TypeError
        An entry is not a real number, or a field is missing or unknown.
    ValueError
        A shape does not fit, or an entry is NaN, infinite or too large.

    Examples
    --------
    >>> s = State(W1=[[1, 2]], b1=[0], W2=[[3]], b2=[1], X=[[1], [1]])
    >>> s.sizes, s.depth
    ((2, 1, 1, 1), 2)
    >>> State(W1=[[1], [2]], b1=[0], W2=[[3]], b2=[1], X=[[1], [1]])
    Traceback (most recent call last):
    ...
    ValueError: W1 must have shape (hidden × inputs) with 2 columns, ... Did you mean W1.T?
    """

    __slots__ = ("_layers", "_X", "_activations", "_exact", "_floats")

    def __init__(self, activations: Sequence[str] | None = None, **fields: Any) -> None:
        depth = sum(1 for key in fields if key.startswith("W"))
        if not 1 <= depth <= MAX_DEPTH:
            raise TypeError(f"a State needs W1, b1, ..., X for 1 to {MAX_DEPTH} layers; got {', '.join(fields)}")
        expected = field_names(depth)
        missing = [name for name in expected if name not in fields]
        unknown = [str(key)[:20] for key in fields if key not in expected]
        if missing or unknown:
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unknown {', '.join(unknown)}"] if unknown else [])
            raise TypeError(f"a State of {depth} layer{'s' * (depth != 1)} needs exactly "
                            f"{', '.join(expected)}: {'; '.join(parts)}")
        layers = tuple((as_array(layer.weights, fields[layer.weights], 2), as_array(layer.bias, fields[layer.bias], 1))
                       for layer in layers_of(depth))
        X = as_array("X", fields["X"], 2)
        check_layers(layers, X)
        object.__setattr__(self, "_layers", layers)
        object.__setattr__(self, "_X", X)
        object.__setattr__(self, "_activations", activations_of(activations, depth))
        object.__setattr__(self, "_exact", None)
        object.__setattr__(self, "_floats", None)

    @classmethod
    def from_layers(cls, layers: Sequence[tuple[Any, Any]], X: Any, activations: Sequence[str] | None = None,
                    ) -> State:
        """A state from its layers in order, each a pair (W, b), the batch X, and each layer's activation by
        its name in ``ACTIVATIONS`` (ReLU for every layer unless given).

        >>> State.from_layers([([[1, 2]], [0])], [[1], [1]]).sizes
        (2, 1, 1)
        >>> State.from_layers([([[1, 2]], [0])], [[1], [1]], activations=["tanh"]).activations
        ('tanh',)
        """
        if isinstance(layers, (str, bytes, np.ndarray)) or not isinstance(layers, Sequence):
            raise ValueError(f"layers must be a list of (W, b) pairs; got {type(layers).__name__}")
        check_depth(len(layers))
        fields: dict[str, Any] = {}
        for layer, pair in zip(layers_of(len(layers)), layers):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f"layer {layer.index} must be a pair ({layer.weights}, {layer.bias}); "
                                 f"got {type(pair).__name__}")
            fields[layer.weights], fields[layer.bias] = pair
        return cls(**fields, X=X, activations=activations)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a State cannot be changed; use state.replace({name}=...) for a new one")

    def __getattr__(self, name: str) -> np.ndarray:
        # W1, b1, W2, ...: the layers' arrays by their names
        if len(name) >= 2 and name[0] in "Wb" and name[1:].isdigit():
            k = int(name[1:])
            if 1 <= k <= len(self._layers):
                return self._layers[k - 1][name[0] == "b"]
        raise AttributeError(f"this State of {len(self._layers)} layers has no {name}")

    @property
    def layers(self) -> Layers:
        """((W1, b1), (W2, b2), ...): each layer's weights and biases, read-only arrays."""
        return self._layers

    @property
    def depth(self) -> int:
        """How many layers, each a (W, b) with its activation after it."""
        return len(self._layers)

    @property
    def activations(self) -> tuple[str, ...]:
        """Each layer's activation, by its name in ``ACTIVATIONS``: ("relu", "relu") for the worksheet."""
        return tuple(entry.name for entry in self._activations)

    @property
    def activation_entries(self) -> tuple[Activation, ...]:
        """Each layer's activation, its entry of the table."""
        return self._activations

    @property
    def X(self) -> np.ndarray:
        """The batch, inputs × batch: column j is input x(j+1)."""
        return self._X

    @property
    def fields(self) -> tuple[str, ...]:
        """W1, b1, ..., X: the names of this state's arrays."""
        return field_names(self.depth)

    @property
    def sizes(self) -> tuple[int, ...]:
        """(inputs, units of each layer..., batch): (inputs, hidden, outputs, batch) for two layers,
        the order ``random_state`` takes."""
        return (self._X.shape[0], *(W.shape[0] for W, _ in self._layers), self._X.shape[1])

    @property
    def inputs(self) -> list[np.ndarray]:
        """The input vectors x1, x2, ...: the columns of X."""
        return [self._X[:, j] for j in range(self._X.shape[1])]

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        """(name, array) for W1, b1, W2, b2, ..., X."""
        return ((name, getattr(self, name)) for name in self.fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return self.sizes == other.sizes and self.activations == other.activations and all(
            np.array_equal(a, b) for (_, a), (_, b) in zip(self.items(), other.items()))

    __hash__ = None  # mutable-looking arrays inside; equality is by value

    def __repr__(self) -> str:
        inputs, *widths, batch = self.sizes
        hidden = widths[:-1]
        shown = "" if not hidden else f", hidden={hidden[0]}" if len(hidden) == 1 else f", hidden={tuple(hidden)}"
        chosen = "" if self.relu_only else f", activations={self.activations}"
        return f"State(inputs={inputs}{shown}, outputs={widths[-1]}, batch={batch}{chosen})"

    @property
    def relu_only(self) -> bool:
        """Whether every layer applies ReLU, as the worksheet's network does (its links say nothing of it)."""
        return all(entry is RELU for entry in self._activations)

    def replace(self, **fields: Any) -> State:
        """A new state with some fields replaced (validated like any other), its activations kept unless
        ``activations`` is one of them."""
        return State(**{**dict(self.items()), "activations": self.activations, **fields})

    def with_entry(self, name: str, row: int, col: int, value: float) -> State:
        """A new state with one entry changed; vectors (b1, b2, ...) use ``col=0``.

        Examples
        --------
        >>> preset("three-inputs").with_entry("b1", 0, 0, -4).b1
        array([-4.,  0.,  1., -2.])
        """
        if name not in self.fields:
            raise ValueError(f"unknown field {name!r}; expected one of {', '.join(self.fields)}")
        array = getattr(self, name).copy()
        if array.ndim == 1:
            if col != 0:
                raise ValueError(f"{name} is a vector: use col 0, got {col}")
            array[row] = value
        else:
            array[row, col] = value
        return self.replace(**{name: array})

    def results(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each layer's (pre-activation, ReLU of it) as read-only floats, each its exact value correctly
        rounded; ``batchnet_core.nn.forward`` names them."""
        if self._floats is None:
            object.__setattr__(self, "_floats", floats_of(self.exact_results()))
        return list(self._floats)

    def exact_results(self) -> ExactResults:
        """Each layer's (pre-activation, ReLU of it) exactly, in the decimals typed (``exact.Exact``).

        Worked out once per state: a state never changes."""
        if self._exact is None:
            object.__setattr__(self, "_exact", forward_exact(self.exact_layers(), Exact.of(self._X),
                                                             self._activations))
        return list(self._exact)

    def exact_layers(self) -> list[tuple[Exact, Exact]]:
        """Each layer's (W, b) as the decimals typed."""
        return exact_layers(self._layers)

    def to_dict(self) -> dict[str, list]:
        """A plain JSON-able dict of lists (and the layers' activations, unless all are ReLU); ``State.from_dict``
        reads it back exactly."""
        data: dict[str, list] = {name: formats.rows(array) for name, array in self.items()}
        if not self.relu_only:
            data[formats.ACTIVATIONS_KEY] = list(self.activations)
        return data

    @classmethod
    def from_dict(cls, data: object) -> State:
        """Read a dict made by ``to_dict``; anything else raises ``ValueError``."""
        return _state_or_value_error(formats.fields_from_dict(data))

    def to_query(self) -> str:
        """A compact URL query string; ``State.from_query`` reads it back exactly. The layers' activations come
        last, and only where one is not ReLU: the worksheet's links are as they always were."""
        query = formats.query_from_fields(self.items())
        return query if self.relu_only else f"{query}&{formats.ACTIVATIONS_KEY}={','.join(self.activations)}"

    @classmethod
    def from_query(cls, query: object) -> State:
        """Read a query string made by ``to_query``; anything else raises ``ValueError``."""
        return _state_or_value_error(formats.fields_from_query(query))

    @classmethod
    def from_link_values(cls, values: Mapping[str, str]) -> State:
        """Read the text of a state's parameters in a page link (``W1``, ``b1``, ..., ``x1``, ...), as
        ``convert.read_link`` gives them; ``ValueError`` naming the field if one cannot be used."""
        return _state_or_value_error(formats.fields_from_values(values))

    def to_code(self, convention: str = "columns", framework: str = "numpy") -> str:
        """A runnable script that rebuilds this state and prints every result (H_z, H, Y_z, Y).

        Run on its own (``python -c``, or pasted in a cell), it defines W1, b1, ..., the inputs x1,
        x2, ..., X and every result named as in ``layers_of(depth)``, ``Y`` last. The default is the
        worksheet's numpy, inputs as columns.

        Parameters
        ----------
        convention : {"columns", "rows", "augmented"}
            "columns" (the worksheet's): each input a column of X, ``W1 @ X + b1[:, None]``.
            "rows" (PyTorch's and most libraries'): each input a row, ``X @ W1.T + b1``, results one
            row per input. "augmented" (the AI-by-Hand worksheets'): a 1 under each input and each
            bias as its W's last column, ``W1_aug @ X_aug``.
        framework : {"numpy", "torch"}
            "torch": an ``nn.Sequential`` of ``nn.Linear`` and ``nn.ReLU`` with these weights, in
            float64. With "columns" the inputs are columns, transposed for ``nn.Linear``, which
            takes one input per row; "augmented" is refused, since ``nn.Linear`` keeps its bias apart.

        Raises
        ------
        ValueError
            An unknown convention or framework, or "augmented" with "torch".

        Examples
        --------
        >>> s = preset("three-inputs")
        >>> "Y_z = H @ W2.T + b2" in s.to_code(convention="rows")
        True
        >>> "model = nn.Sequential(" in s.to_code(framework="torch")
        True
        """
        return _CODE_WRITERS[0](self._layers, self._X, convention, framework, self.activations)

    def to_csv(self) -> str:
        """Every matrix, parameters and results, as CSV rows ``matrix,row,col,value``; then, unless every layer
        is ReLU, each layer's activation as a row ``activation,layer,1,name``.

        >>> preset("three-inputs").replace(activations=("tanh", "relu")).to_csv().splitlines()[-2:]
        ['activation,1,1,tanh', 'activation,2,1,relu']
        """
        names = [name for layer in layers_of(self.depth) for name in (layer.pre, layer.post)]
        results = [array for pair in self.results() for array in pair]
        text = formats.csv_text([*self.items(), *zip(names, results)])
        if self.relu_only:
            return text
        return text + "".join(f"activation,{k},1,{name}\n" for k, name in enumerate(self.activations, start=1))


#: What writes a state as a script (``batchnet_core.code.script``), set by that module when it is imported
#: (``writes_code``): the mathematics imports nothing of the package above it, and ``import batchnet_core``
#: imports the code's module, so ``State.to_code`` always has it.
_CODE_WRITERS: list[Callable[..., str]] = []


def writes_code(writer: Callable[..., str]) -> Callable[..., str]:
    """Make ``writer(layers, X, convention, framework, activations)`` what ``State.to_code`` calls."""
    _CODE_WRITERS[:] = [writer]
    return writer


def _state_or_value_error(fields: dict) -> State:
    try:
        return State(**fields)
    except TypeError as error:
        raise ValueError(str(error)) from None


def parameter_count(state: State) -> int:
    """Number of trainable parameters: every weight and bias.

    Examples
    --------
    >>> parameter_count(preset("three-inputs"))  # 4·(3+1) + 2·(4+1)
    26
    """
    return sum(W.size + b.size for W, b in state.layers)


_THREE_INPUTS = dict(
    W1=[[1, -1, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]],
    b1=[-5, 0, 1, -2],
    W2=[[1, 1, -1, 0], [0, 0, 1, -1]],
    b2=[0, 1],
    X=np.column_stack([[2, 1, 3], [1, 1, 0], [0, 1, 1]]),
)

PRESETS = {
    "three-inputs": "the worked example: x1, x2, x3 through 4 hidden units and 2 outputs",
    "one-input": "the same network with only x1",
}


def preset(name: str) -> State:
    """A named example state; ``PRESETS`` lists the names.

    Examples
    --------
    >>> preset("three-inputs").X[:, 0]  # x1
    array([2., 1., 3.])
    """
    if name == "three-inputs":
        return State(**_THREE_INPUTS)
    if name == "one-input":
        return State(**{**_THREE_INPUTS, "X": np.asarray(_THREE_INPUTS["X"])[:, :1]})
    raise ValueError(f"unknown preset {name!r}; expected one of: {', '.join(PRESETS)}")


def _check_sizes(sizes: object) -> tuple[int, ...]:
    labels = "(inputs, units of each layer, batch)"
    try:
        numbers = tuple(int(n) for n in sizes)
    except (TypeError, ValueError):
        raise ValueError(f"sizes must be whole numbers {labels}; got {sizes!r}") from None
    if not 3 <= len(numbers) <= MAX_DEPTH + 2:
        raise ValueError(f"sizes must be 3 to {MAX_DEPTH + 2} whole numbers {labels}, one layer to {MAX_DEPTH}; "
                         f"got {len(numbers)}")
    depth = len(numbers) - 2
    names = ["inputs", *("outputs" if layer.output else "hidden" if depth == 2 else f"layer {layer.index}"
                         for layer in layers_of(depth)), "batch"]
    for label, n in zip(names, numbers):
        if not 1 <= n <= MAX_SIZE:
            raise ValueError(f"sizes: {label} must be between 1 and {MAX_SIZE}; got {n}")
    return numbers


def random_state(seed: int = 0, sizes: Sequence[int] = (3, 4, 2, 3), integers: bool = True) -> State:
    """A random state, the same for the same seed on every machine.

    Parameters
    ----------
    seed : int
    sizes : (inputs, units of each layer..., batch)
        (inputs, hidden, outputs, batch) for two layers; (inputs, outputs, batch) for one. Each from 1
        to ``MAX_SIZE``.
    integers : bool
        Whole numbers from -3 to 3 (inputs 0 to 3) if true, else one-decimal numbers in
        [-2, 2] (inputs in [0, 2]).

    Examples
    --------
    >>> random_state(seed=1).sizes
    (3, 4, 2, 3)
    >>> random_state(seed=1, sizes=(3, 4, 4, 2, 3)).depth
    3
    """
    inputs, *widths, batch = _check_sizes(sizes)
    rng = np.random.default_rng(seed)

    def draw(shape: tuple[int, ...], low: float) -> np.ndarray:
        if integers:
            return rng.integers(int(low), 4, size=shape).astype(float)
        return np.round(rng.uniform(low, 2.0, size=shape), 1)

    weight_low = -3 if integers else -2.0
    columns, layers = inputs, []
    for units in widths:
        layers.append((draw((units, columns), weight_low), draw((units,), weight_low)))
        columns = units
    # drawn in the order the two-layer state always drew them: W1, b1, W2, b2, then X
    return State.from_layers(layers, draw((inputs, batch), 0))


def resize(state: State, sizes: Sequence[int], seed: int = 0) -> State:
    """The same network and batch at new sizes (or depth): entries that still fit are kept, layer by
    layer, new ones are random whole numbers (seeded), so a resized network stays consistent. The output
    layer keeps its activation, and each hidden layer still there its own; a new hidden layer takes the last
    hidden layer's (ReLU if there was none).

    Examples
    --------
    >>> small = resize(preset("three-inputs"), (3, 2, 2, 3))
    >>> small.W1.tolist(), small.W2.tolist()
    ([[1.0, -1.0, 1.0], [1.0, 1.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    """
    fresh = random_state(seed, sizes)
    old = dict(state.items())
    fields = {}
    for name, new in fresh.items():
        merged = new.copy()
        if name in old:
            overlap = tuple(slice(0, min(a, b)) for a, b in zip(old[name].shape, new.shape))
            merged[overlap] = old[name][overlap]
        fields[name] = merged
    # the activations follow: the output layer keeps its own, each hidden layer still there its own, and a new
    # hidden layer takes the last hidden one's (ReLU if there was none)
    *hidden, output = state.activations
    added = hidden[-1] if hidden else RELU.name
    chosen = [hidden[k] if k < len(hidden) else added for k in range(fresh.depth - 1)]
    return State(**fields, activations=(*chosen, output))


__all__ = [
    "FIELDS", "MAX_DEPTH", "MAX_MAGNITUDE", "MAX_SIZE", "PRESETS", "State", "parameter_count", "preset",
    "random_state", "resize",
]
