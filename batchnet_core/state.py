"""The network's parameters and its input batch: one validated, immutable object."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np

from .validation import MAX_MAGNITUDE, MAX_SIZE, as_array, check_shapes

#: The five fields of a state, in the order they are shown and written.
FIELDS = ("W1", "b1", "W2", "b2", "X")

_NDIM = {"W1": 2, "b1": 1, "W2": 2, "b2": 1, "X": 2}


@dataclasses.dataclass(frozen=True, eq=False)
class State:
    """A 2-layer ReLU network and a batch of inputs.

    Parameters
    ----------
    W1 : array_like, shape (hidden, inputs)
        First-layer weights: row i is hidden unit i's weights.
    b1 : array_like, shape (hidden,)
    W2 : array_like, shape (outputs, hidden)
    b2 : array_like, shape (outputs,)
    X : array_like, shape (inputs, batch)
        The batch: column j is input vector x(j+1).

    Every array is stored as read-only float64. Each dimension may be 1 to
    ``MAX_SIZE`` (16); every entry must be finite with magnitude at most ``MAX_MAGNITUDE``.

    Raises
    ------
    TypeError
        An entry is not a real number.
    ValueError
        A shape does not fit, or an entry is NaN, infinite or too large.

    Examples
    --------
    >>> s = State(W1=[[1, 2]], b1=[0], W2=[[3]], b2=[1], X=[[1], [1]])
    >>> s.sizes
    (2, 1, 1, 1)
    >>> State(W1=[[1], [2]], b1=[0], W2=[[3]], b2=[1], X=[[1], [1]])
    Traceback (most recent call last):
    ...
    ValueError: W1 must have shape (hidden × inputs) with 2 columns, ... Did you mean W1.T?
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    X: np.ndarray

    def __post_init__(self) -> None:
        for name in FIELDS:
            object.__setattr__(self, name, as_array(name, getattr(self, name), _NDIM[name]))
        check_shapes(self.W1, self.b1, self.W2, self.b2, self.X)

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        """(inputs, hidden, outputs, batch), the order ``random_state`` takes."""
        return (self.X.shape[0], self.W1.shape[0], self.W2.shape[0], self.X.shape[1])

    @property
    def inputs(self) -> list[np.ndarray]:
        """The input vectors x1, x2, ...: the columns of X."""
        return [self.X[:, j] for j in range(self.X.shape[1])]

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        """(name, array) for W1, b1, W2, b2, X."""
        return ((name, getattr(self, name)) for name in FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return all(np.array_equal(a, b) for (_, a), (_, b) in zip(self.items(), other.items()))

    __hash__ = None  # mutable-looking arrays inside; equality is by value

    def __repr__(self) -> str:
        inputs, hidden, outputs, batch = self.sizes
        return f"State(inputs={inputs}, hidden={hidden}, outputs={outputs}, batch={batch})"

    def replace(self, **fields: Any) -> State:
        """A new state with some fields replaced (validated like any other)."""
        return State(**{**dict(self.items()), **fields})

    def with_entry(self, name: str, row: int, col: int, value: float) -> State:
        """A new state with one entry changed; vectors (b1, b2) use ``col=0``.

        Examples
        --------
        >>> preset("three-inputs").with_entry("b1", 0, 0, -4).b1
        array([-4.,  0.,  1., -2.])
        """
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r}; expected one of {', '.join(FIELDS)}")
        array = getattr(self, name).copy()
        if array.ndim == 1:
            if col != 0:
                raise ValueError(f"{name} is a vector: use col 0, got {col}")
            array[row] = value
        else:
            array[row, col] = value
        return self.replace(**{name: array})

    # Conversions live in batchnet_core.convert; these methods are the documented spelling.
    def to_dict(self) -> dict[str, list]:
        """A plain JSON-able dict of lists; ``State.from_dict`` reads it back exactly."""
        from .convert import state_to_dict

        return state_to_dict(self)

    @classmethod
    def from_dict(cls, data: object) -> State:
        """Read a dict made by ``to_dict``; anything else raises ``ValueError``."""
        from .convert import state_from_dict

        return state_from_dict(data)

    def to_query(self) -> str:
        """A compact URL query string; ``State.from_query`` reads it back exactly."""
        from .convert import state_to_query

        return state_to_query(self)

    @classmethod
    def from_query(cls, query: object) -> State:
        """Read a query string made by ``to_query``; anything else raises ``ValueError``."""
        from .convert import state_from_query

        return state_from_query(query)

    def to_code(self) -> str:
        """A runnable numpy script that rebuilds this state and prints H_z, H, Y_z and Y."""
        from .convert import state_to_code

        return state_to_code(self)

    def to_csv(self) -> str:
        """Every matrix, parameters and results, as CSV rows ``matrix,row,col,value``."""
        from .convert import state_to_csv

        return state_to_csv(self)


def parameter_count(state: State) -> int:
    """Number of trainable parameters: every weight and bias.

    Examples
    --------
    >>> parameter_count(preset("three-inputs"))  # 4·(3+1) + 2·(4+1)
    26
    """
    return sum(getattr(state, name).size for name in ("W1", "b1", "W2", "b2"))


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


def random_state(
    seed: int = 0, sizes: tuple[int, int, int, int] = (3, 4, 2, 3), integers: bool = True
) -> State:
    """A random state, the same for the same seed on every machine.

    Parameters
    ----------
    seed : int
    sizes : (inputs, hidden, outputs, batch)
        Each from 1 to ``MAX_SIZE``.
    integers : bool
        Whole numbers from -3 to 3 (inputs 0 to 3) if true, else one-decimal numbers in
        [-2, 2] (inputs in [0, 2]).

    Examples
    --------
    >>> random_state(seed=1).sizes
    (3, 4, 2, 3)
    """
    try:
        inputs, hidden, outputs, batch = (int(n) for n in sizes)
    except (TypeError, ValueError):
        raise ValueError(f"sizes must be four whole numbers (inputs, hidden, outputs, batch); got {sizes!r}") from None
    for label, n in zip(("inputs", "hidden", "outputs", "batch"), (inputs, hidden, outputs, batch)):
        if not 1 <= n <= MAX_SIZE:
            raise ValueError(f"sizes: {label} must be between 1 and {MAX_SIZE}; got {n}")
    rng = np.random.default_rng(seed)

    def draw(shape: tuple[int, ...], low: float) -> np.ndarray:
        if integers:
            return rng.integers(int(low), 4, size=shape).astype(float)
        return np.round(rng.uniform(low, 2.0, size=shape), 1)

    weight_low = -3 if integers else -2.0
    return State(
        W1=draw((hidden, inputs), weight_low),
        b1=draw((hidden,), weight_low),
        W2=draw((outputs, hidden), weight_low),
        b2=draw((outputs,), weight_low),
        X=draw((inputs, batch), 0),
    )


def resize(state: State, sizes: tuple[int, int, int, int], seed: int = 0) -> State:
    """The same network and batch at new sizes: entries that still fit are kept, new ones are
    random whole numbers (seeded), so a resized network stays consistent.

    Examples
    --------
    >>> small = resize(preset("three-inputs"), (3, 2, 2, 3))
    >>> small.W1.tolist(), small.W2.tolist()
    ([[1.0, -1.0, 1.0], [1.0, 1.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    """
    fresh = random_state(seed, sizes)
    fields = {}
    for name, new in fresh.items():
        old = getattr(state, name)
        merged = new.copy()
        overlap = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, new.shape))
        merged[overlap] = old[overlap]
        fields[name] = merged
    return State(**fields)


__all__ = [
    "FIELDS", "MAX_MAGNITUDE", "MAX_SIZE", "PRESETS", "State", "parameter_count", "preset", "random_state", "resize",
]
