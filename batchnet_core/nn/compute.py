"""The arithmetic of a forward pass on plain arrays: exact in the numbers as typed, and bare floats.

A typed number is the decimal it is written as: 0.1 is one tenth, not the double nearest to it. A state
keeps each entry as a float, and the decimal is that float's shortest form (``repr``), which gives back
what was typed for anything of up to 15 significant digits. Every result is worked out exactly in those
decimals, held as whole numbers times a power of ten (``Exact``): sums and products of decimals are
decimals, and ReLU keeps them so. From the exact value come the three things every view uses:

- which side of ReLU's edge a cell is on: the sign of its exact value (a sum of exactly 0 is zeroed);
- its float: the exact value correctly rounded, the same whichever way it was computed;
- its digits: the exact value rounded half away from zero (``numbers``).

The whole numbers are float64 while every one of them and every partial sum stays below 2⁵², where a
float holds integers exactly and a matrix product of them is exact in any order; beyond that they are
Python integers, which never round. ``State``, ``forward``, the loops, the walk and training all rest
on this; the timing compares the bare float products (``forward_floats``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

Layers = Sequence[tuple[np.ndarray, np.ndarray]]

#: Below this a float64 holds every whole number exactly, with a margin for the bound's own rounding.
EXACT_LIMIT = 2.0**52
#: Entries up to this magnitude with at most ``FAST_PLACES`` decimals are read without ``repr``: at this
#: size a double's spacing (2⁻³²) is finer than 10⁻⁹, so one decimal of that many places rounds to it.
FAST_MAGNITUDE = 2.0**20
FAST_PLACES = 9


@dataclasses.dataclass(frozen=True, eq=False)
class Exact:
    """A matrix of decimals held exactly: ``digits · 10^−scale``.

    ``digits`` is a float64 array of whole numbers below ``EXACT_LIMIT`` or an object array of Python ints.

    >>> e = Exact.of(np.array([0.1, 0.2]))
    >>> e.digits, e.scale
    (array([1., 2.]), 1)
    >>> (e + Exact.of(np.array([-0.3, -0.3]))).fractions().tolist()
    [Fraction(-1, 5), Fraction(-1, 10)]
    """

    digits: np.ndarray
    scale: int

    @classmethod
    def of(cls, values: object) -> Exact:
        """Typed floats as the decimals they are written as (their shortest ``repr``); -0.0 is 0."""
        values = np.asarray(values, dtype=float)
        if values.size and np.abs(values).max() <= FAST_MAGNITUDE:
            for scale in range(FAST_PLACES + 1):
                power = 10.0**scale
                digits = np.round(values * power)
                if np.array_equal(digits / power, values):
                    return cls(digits + 0.0, scale)._normal()
        if not values.size:
            return cls(values + 0.0, 0)
        fractions = [Fraction(repr(float(v))) for v in values.ravel()]
        scale = max(_decimal_places(q) for q in fractions)
        ints = [q.numerator * (10**scale // q.denominator) for q in fractions]
        return cls(_objects(ints).reshape(values.shape), scale)._fitted()

    @property
    def shape(self) -> tuple[int, ...]:
        return self.digits.shape

    @property
    def T(self) -> Exact:
        return Exact(self.digits.T, self.scale)

    def floats(self) -> np.ndarray:
        """Each value correctly rounded to a float (whole numbers and a power of ten below 10²² are exact
        floats, and one exact float divided by another is correctly rounded)."""
        return _divided(self.digits, 10**self.scale)

    def over(self, divisor: int) -> np.ndarray:
        """Each value divided by a whole number, correctly rounded to a float: a mean over the batch."""
        return _divided(self.digits, 10**self.scale * divisor)

    def fractions(self, divisor: int = 1) -> np.ndarray:
        """Each value (divided by ``divisor``) as a ``Fraction``: what the numbers shown are rounded from."""
        power = 10**self.scale * divisor
        flat = np.empty(self.digits.size, dtype=object)
        flat[:] = [Fraction(int(d), power) for d in self.digits.ravel()]
        return flat.reshape(self.shape)

    def positive(self) -> np.ndarray:
        """Where the exact value is above 0: where ReLU passes it, and its derivative is 1."""
        return np.asarray(self.digits > 0, dtype=bool)

    def relu(self) -> Exact:
        return self.where(self.positive())

    def where(self, keep: np.ndarray) -> Exact:
        """These values where ``keep``, exact zeros elsewhere."""
        zero = 0 if self.digits.dtype == object else 0.0
        return Exact(np.where(keep, self.digits, zero), self.scale)

    def __getitem__(self, index: object) -> Exact:
        digits = self.digits[index]
        if not isinstance(digits, np.ndarray):  # one entry: still an array, of the same kind
            digits = np.array(digits, dtype=self.digits.dtype)
        return Exact(digits, self.scale)

    def __add__(self, other: Exact) -> Exact:
        scale = max(self.scale, other.scale)
        mine, theirs = self._at(scale), other._at(scale)
        if _floats(mine, theirs) and (np.abs(mine) + np.abs(theirs)).max(initial=0) < EXACT_LIMIT:
            return Exact(mine + theirs + 0.0, scale)._normal()
        return Exact(_objects(mine) + _objects(theirs), scale)._fitted()

    def __neg__(self) -> Exact:
        return Exact(-self.digits + (0.0 if self.digits.dtype != object else 0), self.scale)

    def __sub__(self, other: Exact) -> Exact:
        return self + (-other)

    def __matmul__(self, other: Exact) -> Exact:
        scale = self.scale + other.scale
        if _floats(self.digits, other.digits) and \
                (np.abs(self.digits) @ np.abs(other.digits)).max(initial=0) < EXACT_LIMIT:
            return Exact(self.digits @ other.digits + 0.0, scale)._normal()
        return Exact(_objects(self.digits) @ _objects(other.digits), scale)._fitted()

    def sum(self, axis: int) -> Exact:
        """Sums along an axis, kept as a column (axis 1) or a row (axis 0)."""
        if axis == 1:
            return self @ Exact(np.ones((self.shape[1], 1)), 0)
        return Exact(np.ones((1, self.shape[0])), 0) @ self

    def _at(self, scale: int) -> np.ndarray:
        """The digits at a larger scale: times 10^(scale − self.scale), exact."""
        factor = 10 ** (scale - self.scale)
        if factor == 1:
            return self.digits
        if _floats(self.digits) and factor < EXACT_LIMIT and np.abs(self.digits).max(initial=0) * factor < EXACT_LIMIT:
            return self.digits * float(factor)
        return _objects(self.digits) * factor

    def _normal(self) -> Exact:
        """The same values with the trailing zeros every digit shares taken off, so scales stay small."""
        digits, scale = self.digits, self.scale
        while scale and digits.size and not np.any(np.fmod(digits, 10.0)):
            digits, scale = digits / 10.0, scale - 1
        return Exact(digits, scale)

    def _fitted(self) -> Exact:
        """Back to float64 digits where every one fits; Python ints stay otherwise."""
        digits = self.digits
        if digits.dtype == object and all(abs(int(d)) < EXACT_LIMIT for d in digits.ravel()):
            return Exact(np.array(digits, dtype=float) + 0.0, self.scale)._normal()
        return self


def _decimal_places(q: Fraction) -> int:
    """How many decimal places a decimal's fraction needs: its denominator is 2^a·5^b, so max(a, b)."""
    twos = (q.denominator & -q.denominator).bit_length() - 1
    fives, rest = 0, q.denominator >> twos
    while rest > 1:
        rest //= 5
        fives += 1
    return max(twos, fives)


def _floats(*arrays: np.ndarray) -> bool:
    return all(a.dtype != object for a in arrays)


def _objects(values: object) -> np.ndarray:
    """An object array of Python ints (from whole-number floats or ints), exact at any size."""
    array = np.asarray(values)
    flat = np.empty(array.size, dtype=object)
    flat[:] = [int(v) for v in array.ravel()]
    return flat.reshape(array.shape)


def _divided(digits: np.ndarray, divisor: int) -> np.ndarray:
    """digits / divisor, each correctly rounded to a float (the divisor a positive whole number)."""
    if _floats(digits) and divisor < EXACT_LIMIT:
        return digits / float(divisor) + 0.0
    flat = [int(d) / divisor for d in digits.ravel()]  # Python's int / int is correctly rounded
    return np.array(flat, dtype=float).reshape(digits.shape) + 0.0


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


ExactResults = list[tuple[Exact, Exact]]


def exact_layers(layers: Layers) -> list[tuple[Exact, Exact]]:
    """Each layer's (W, b) as the decimals typed."""
    return [(Exact.of(W), Exact.of(b)) for W, b in layers]


def forward_exact(layers: Sequence[tuple[Exact, Exact]], X: Exact) -> ExactResults:
    """Each layer's (pre-activation, ReLU of it), exactly: Z = W·A + b, one product per layer."""
    results, A = [], X
    for W, b in layers:
        Z = W @ A + Exact(b.digits[:, None], b.scale)
        A = Z.relu()
        results.append((Z, A))
    return results


def floats_of(results: ExactResults) -> list[tuple[np.ndarray, np.ndarray]]:
    """The exact results as read-only floats, each correctly rounded."""
    pairs = []
    for Z, A in results:
        pair = (Z.floats(), A.floats())
        for array in pair:
            array.setflags(write=False)
        pairs.append(pair)
    return pairs


def forward_arrays(layers: Layers, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's (pre-activation, ReLU of it) for the batch X: the exact values, as floats."""
    return floats_of(forward_exact(exact_layers(layers), Exact.of(X)))


def forward_floats(layers: Layers, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The bare float arithmetic, one matrix product per layer: what the timing compares, and training
    on data that was never typed (the mini-batch comparison's random points)."""
    results, A = [], X
    for W, b in layers:
        Z = W @ A + b[:, None]
        A = relu(Z)
        results.append((Z, A))
    return results


def forward_loop_floats(layers: Layers, X: np.ndarray) -> list[tuple[list, list]]:
    """``forward_floats`` the slow, obvious way, as the timing compares it: one input at a time, one dot
    product at a time, in plain Python floats. Per layer its pre- and post-activations, one list per input."""
    plain = [(W.tolist(), b.tolist()) for W, b in layers]
    results = [([], []) for _ in plain]
    for x in X.T.tolist():
        for (W, b), (pre, post) in zip(plain, results):
            z = [sum(w * v for w, v in zip(row, x)) + bias for row, bias in zip(W, b)]
            x = [max(v, 0.0) for v in z]
            pre.append(z)
            post.append(x)
    return results


def typed(value: float) -> Fraction:
    """One typed number as the decimal it is written as (its float's shortest ``repr``)."""
    return Fraction(repr(float(value)))


def forward_loop_exact(layers: Layers, X: np.ndarray) -> list[tuple[list, list]]:
    """The forward pass by hand: one input at a time, one dot product at a time, in exact fractions of
    the decimals typed. Per layer its pre- and post-activations, one list of ``Fraction`` per input."""
    plain = [([[typed(w) for w in row] for row in W.tolist()], [typed(v) for v in b.tolist()]) for W, b in layers]
    results = [([], []) for _ in plain]
    for column in X.T.tolist():
        x = [typed(v) for v in column]
        for (W, b), (pre, post) in zip(plain, results):
            z = [sum((w * v for w, v in zip(row, x)), Fraction(0)) + bias for row, bias in zip(W, b)]
            x = [v if v > 0 else Fraction(0) for v in z]
            pre.append(z)
            post.append(x)
    return results
