"""The activations a layer may apply to its sums, as one table (``ACTIVATIONS``): the forward pass, training,
the words and the code read each one's entry, and nothing else names them.

Each entry works in floats and in the exact decimals of ``exact.Exact``. ReLU, leaky ReLU and linear keep
typed decimals exact. tanh and sigmoid do not (their values are not decimals): the exact value they give is
the shortest decimal of their float (its ``repr``, as a typed number is read), within a unit in the last
place of the true value, from which the same arithmetic goes on exactly; the digits shown of it are the
true value's to well beyond the places any view writes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from .exact import Exact, typed

#: Leaky ReLU's slope below 0, PyTorch's default (``nn.LeakyReLU(0.01)``).
LEAKY_SLOPE = 0.01


@dataclasses.dataclass(frozen=True)
class Activation:
    """One activation: what it does to a sum z, its slope, and how it is written.

    Attributes
    ----------
    name          as links, JSON, the code and the API spell it: "relu"
    label         as explanations write it: "ReLU"
    written       as a heat map's title writes it applied to a sum: "ReLU({z})"
    rule          what it does to a sum, in words, as a worksheet asks it to be done by hand
    values        a(z) on an array of floats
    value_of      a(z) on one float, as a loop over the inputs takes it
    slope         a′(z) on floats, given z and a(z); at ReLU's kink (z = 0) it is ``kink``, as PyTorch takes it
    kink          the slope taken at z = 0
    exact         a(z) on exact decimals (``Exact``)
    exact_of      a(z) on one exact value (a ``Fraction``), the same value as ``exact`` gives
    exact_slope   a′(z) on exact decimals, given z and a(z)
    slope_of      a′(z) on one exact value, given z and a(z), in plain fractions: the per-input loop's own
    zeroes        it makes a unit's output 0 for some inputs, which a heat map marks (hatched, and "off"
                  when a unit is 0 for every input)
    keeps_decimals  whether typed decimals stay exact decimals through it
    keeps_whole   whether whole numbers stay whole numbers through it (a script may print them as such)
    numpy         the numpy expression of a(z), ``{z}`` standing for the sum's name
    torch         the PyTorch module that applies it
    """

    name: str
    label: str
    written: str
    rule: str
    values: Callable[[np.ndarray], np.ndarray]
    value_of: Callable[[float], float]
    slope: Callable[[np.ndarray, np.ndarray], np.ndarray]
    kink: float
    exact: Callable[[Exact], Exact]
    exact_of: Callable[[Fraction], Fraction]
    exact_slope: Callable[[Exact, Exact], Exact]
    slope_of: Callable[[Fraction, Fraction], Fraction]
    zeroes: bool
    keeps_decimals: bool
    keeps_whole: bool
    numpy: str
    torch: str



def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), entry by entry (``+ 0.0`` folds -0.0 into 0)."""
    return np.maximum(z, 0.0) + 0.0


def relu_zeroed(z: np.ndarray) -> np.ndarray:
    """Where ReLU gives 0: the pre-activation is 0 or less, so the unit is inactive for that input.

    The one definition of "zeroed by ReLU": the heat maps hatch these cells and the exercises count
    them. A sum of exactly 0 counts, since ReLU gives 0 there too. A result's float has its exact
    value's sign (it is that value correctly rounded), so this reads the floats of ``forward``.

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


def zeroing_labels(entries: Sequence[Activation]) -> list[str]:
    """The labels of the activations among ``entries`` that zero a unit (whose cells a heat map hatches), each
    once, in order: ["ReLU"] for the worksheet's network, [] for one without ReLU."""
    return [entry.label for entry in dict.fromkeys(entries) if entry.zeroes]


def _ones_like(z: Exact) -> Exact:
    return Exact(np.ones(z.shape), 0)


def _from_floats(function: Callable[[float], float]) -> Callable[[Exact], Exact]:
    """An activation that is not exact in decimals: the shortest decimal of its float, of each sum's float
    (correctly rounded), one entry at a time: numpy's vectorised exp and tanh may differ from one call to the
    next in the last place, and the per-input loop must meet the same value (``_one_from_floats``)."""
    def exact(z: Exact) -> Exact:
        floats = z.floats()
        return Exact.of(np.array([function(float(v)) for v in floats.ravel()], dtype=float).reshape(floats.shape))
    return exact


def _one_from_floats(function: Callable[[float], float]) -> Callable[[Fraction], Fraction]:
    """The same for one exact value: its float correctly rounded (``float`` of a Fraction is), then the
    shortest decimal of the same function's float."""
    return lambda q: typed(function(float(q)))


def _sigmoid_of(v: float) -> float:
    """1 / (1 + e^−v) of one float, in the form that cannot overflow on either side."""
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # both halves in the form that cannot overflow: e^z / (1 + e^z) below 0, 1 / (1 + e^−z) from 0
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)) + 0.0


_LEAK = Exact.of(np.array([LEAKY_SLOPE]))

RELU = Activation(
    "relu", "ReLU", "ReLU({z})", "ReLU keeps a positive sum and makes any other 0",
    values=relu,
    value_of=lambda v: max(v, 0.0),
    slope=lambda z, a: (np.asarray(z) > 0) * 1.0,
    kink=0.0,
    exact=lambda z: z.where(z.positive()),
    exact_of=lambda q: q if q > 0 else Fraction(0),
    exact_slope=lambda z, a: _ones_like(z).where(z.positive()),
    slope_of=lambda z, a: Fraction(1 if z > 0 else 0),
    zeroes=True, keeps_decimals=True, keeps_whole=True,
    numpy="np.maximum({z}, 0)", torch="nn.ReLU()",
)

ACTIVATIONS: dict[str, Activation] = {
    "relu": RELU,
    "leaky_relu": Activation(
        "leaky_relu", "leaky ReLU", "leaky ReLU({z})",
        f"leaky ReLU keeps a positive sum and multiplies any other by {LEAKY_SLOPE}",
        values=lambda z: np.where(z > 0, z, LEAKY_SLOPE * z) + 0.0,
        value_of=lambda v: v if v > 0 else LEAKY_SLOPE * v + 0.0,
        slope=lambda z, a: np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE),
        kink=LEAKY_SLOPE,
        exact=lambda z: z.where(z.positive()) + (z * _LEAK).where(~z.positive()),
        exact_of=lambda q: q if q > 0 else q * typed(LEAKY_SLOPE),
        exact_slope=lambda z, a: _ones_like(z).where(z.positive()) + (_ones_like(z) * _LEAK).where(~z.positive()),
        slope_of=lambda z, a: Fraction(1) if z > 0 else typed(LEAKY_SLOPE),
        zeroes=False, keeps_decimals=True, keeps_whole=False,
        numpy=f"np.where({{z}} > 0, {{z}}, {LEAKY_SLOPE} * {{z}})", torch=f"nn.LeakyReLU({LEAKY_SLOPE})",
    ),
    "tanh": Activation(
        "tanh", "tanh", "tanh({z})", "tanh squashes the sum into −1 to 1 (a calculator's tanh)",
        values=lambda z: np.tanh(z) + 0.0,
        value_of=math.tanh,
        slope=lambda z, a: 1.0 - np.asarray(a) ** 2,
        kink=1.0,
        exact=_from_floats(math.tanh),
        exact_of=_one_from_floats(math.tanh),
        exact_slope=lambda z, a: _ones_like(a) - a * a,
        slope_of=lambda z, a: 1 - a * a,
        zeroes=False, keeps_decimals=False, keeps_whole=False,
        numpy="np.tanh({z})", torch="nn.Tanh()",
    ),
    "sigmoid": Activation(
        "sigmoid", "sigmoid", "sigmoid({z})", "sigmoid squashes the sum into 0 to 1: 1 / (1 + e^(−sum))",
        values=_sigmoid,
        value_of=_sigmoid_of,
        slope=lambda z, a: np.asarray(a) * (1.0 - np.asarray(a)),
        kink=0.25,
        exact=_from_floats(_sigmoid_of),
        exact_of=_one_from_floats(_sigmoid_of),
        exact_slope=lambda z, a: a * (_ones_like(a) - a),
        slope_of=lambda z, a: a * (1 - a),
        zeroes=False, keeps_decimals=False, keeps_whole=False,
        numpy="1 / (1 + np.exp(-{z}))", torch="nn.Sigmoid()",
    ),
    "linear": Activation(
        "linear", "linear", "{z}", "linear keeps the sum as it is",
        values=lambda z: np.asarray(z, dtype=float) + 0.0,
        value_of=lambda v: v,
        slope=lambda z, a: np.ones(np.shape(z)),
        kink=1.0,
        exact=lambda z: z,
        exact_of=lambda q: q,
        exact_slope=lambda z, a: _ones_like(z),
        slope_of=lambda z, a: Fraction(1),
        zeroes=False, keeps_decimals=True, keeps_whole=True,
        numpy="{z}", torch="nn.Identity()",
    ),
}


def names_of(names: Sequence[str] | None, depth: int) -> tuple[str, ...]:
    """Each layer's activation by name, as a view keeps them: None gives ReLU's for every layer (the worksheet's)."""
    return tuple(names) if names else (RELU.name,) * depth


def activations_of(names: object, depth: int) -> tuple[Activation, ...]:
    """Each layer's activation from a sequence of ``depth`` names (None: ReLU for every layer, the worksheet's);
    ``ValueError`` naming what is wrong."""
    if names is None:
        return (RELU,) * depth
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise ValueError(f"activations must be a list of {depth} names, one a layer, such as "
                         f"{', '.join(['relu'] * depth)}; got {type(names).__name__}")
    chosen = []
    for k, name in enumerate(names[:depth], start=1):  # a name that is none is quoted before the count
        entry = ACTIVATIONS.get(name) if isinstance(name, str) else None
        if entry is None:
            shown = repr(name[:20]) if isinstance(name, str) else repr(name)[:20]
            raise ValueError(f"activations: layer {k}'s {shown} is not an activation; choose one of "
                             f"{', '.join(ACTIVATIONS)}")
        chosen.append(entry)
    if len(names) != depth:
        raise ValueError(f"activations: a network of {depth} layer{'s' * (depth != 1)} takes {depth} "
                         f"name{'s' * (depth != 1)}, one a layer; got {len(names)}")
    return tuple(chosen)
