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
        fractions = [typed(v) for v in values.ravel()]
        scale = max(_decimal_places(q) for q in fractions)
        ints = [q.numerator * (10**scale // q.denominator) for q in fractions]
        return cls(_objects(ints).reshape(values.shape), scale)._fitted()

    @classmethod
    def of_fractions(cls, values: Sequence[Fraction]) -> Exact:
        """Decimals given as fractions (an exact result, one entry at a time), as a row.

        >>> Exact.of_fractions([Fraction(1, 4), Fraction(-3)]).fractions().tolist()
        [Fraction(1, 4), Fraction(-3, 1)]
        """
        scale = max((_decimal_places(q) for q in values), default=0)
        ints = [q.numerator * (10**scale // q.denominator) for q in values]
        return cls(_objects(ints), scale)._fitted()

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

    def __mul__(self, other: Exact) -> Exact:
        """Entry by entry (broadcast as numpy does): an activation's slope times δ, leaky ReLU's 0.01 times a sum.

        >>> (Exact.of(np.array([0.5, -2.0])) * Exact.of(np.array([0.01]))).fractions().tolist()
        [Fraction(1, 200), Fraction(-1, 50)]
        """
        scale = self.scale + other.scale
        if _floats(self.digits, other.digits) and \
                (np.abs(self.digits) * np.abs(other.digits)).max(initial=0) < EXACT_LIMIT:
            return Exact(self.digits * other.digits + 0.0, scale)._normal()
        return Exact(_objects(self.digits) * _objects(other.digits), scale)._fitted()

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


def typed(value: float) -> Fraction:
    """One typed number as the decimal it is written as (its float's shortest ``repr``)."""
    return Fraction(repr(float(value)))


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


def _objects(values: np.ndarray | list[int]) -> np.ndarray:
    """An object array of Python ints (from an array of whole-number floats or ints, or a list of ints), exact
    at any size. A list is never handed to numpy as it is: ints beyond int64 would become float64 there and
    lose their last digits."""
    entries, shape = (values.ravel().tolist(), values.shape) if isinstance(values, np.ndarray) else \
        (list(values), (len(values),))
    flat = np.empty(len(entries), dtype=object)
    flat[:] = [int(v) for v in entries]
    return flat.reshape(shape)


def _divided(digits: np.ndarray, divisor: int) -> np.ndarray:
    """digits / divisor, each correctly rounded to a float (the divisor a positive whole number)."""
    if _floats(digits) and divisor < EXACT_LIMIT:
        return digits / float(divisor) + 0.0
    flat = [int(d) / divisor for d in digits.ravel()]  # Python's int / int is correctly rounded
    return np.array(flat, dtype=float).reshape(digits.shape) + 0.0
