"""Reading numbers people type and writing numbers people read."""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np

MINUS = "\u2212"  # the typographic minus sign, as printed in worksheets

# Characters people paste for a minus sign: unicode minus, en dash, em dash.
_MINUS_LOOKALIKES = {MINUS: "-", "\u2013": "-", "\u2014": "-"}


#: What to type instead, in every message about a typed text that is not a number.
HOW_TO_TYPE = "type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2"


def parse_number(text: str) -> float:
    """Read a number the way a person types it.

    Accepted: integers and decimals with optional sign (``-3``, ``+2``, ``3.0``, ``.5``),
    a unicode or dash minus (``−3``), a decimal comma (``0,5``), scientific notation
    (``1e3``, ``2.5E-1``, ``−2.5e−1``), surrounding spaces, and simple fractions
    (``1/2``, ``-3/4``). Anything else raises ``ValueError`` with a message fit to show
    the person as it is; ``nan``, ``inf`` and numbers too large for a float are refused.

    Parameters
    ----------
    text : str

    Returns
    -------
    float

    Examples
    --------
    >>> parse_number(" −3 "), parse_number("1/2"), parse_number("0,25"), parse_number("−2.5e−1")
    (-3.0, 0.5, 0.25, -0.25)
    """
    if not isinstance(text, str):
        raise ValueError(f"expected text such as '-3' or '0.5', got {type(text).__name__}")
    shown = text.strip()[:40]
    cleaned = text.strip()
    for lookalike, minus in _MINUS_LOOKALIKES.items():
        cleaned = cleaned.replace(lookalike, minus)
    cleaned = cleaned.replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise ValueError("nothing was typed: enter a number such as -3 or 0.5")
    not_a_number = ValueError(f"'{shown}' is not a number: {HOW_TO_TYPE}")
    if len(cleaned) > 40 or not set(cleaned) <= set("0123456789+-./eE"):
        raise not_a_number
    try:
        if "/" in cleaned:
            numerator, denominator = cleaned.split("/")
            value = float(Fraction(numerator) / Fraction(denominator))
        else:
            value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise not_a_number from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"'{shown}' is too large to compute with: type a smaller number")
    return value


#: Numbers written, kept by value and type: a page writes the same few numbers at every change, and writing
#: one exactly (through its fraction) costs far more than looking it up.
written = functools.lru_cache(maxsize=16384, typed=True)


#: What a number to be written may be: a float (the decimal it is typed as), a whole number, or an exact
#: ``Fraction`` or ``Decimal`` (a result's exact value).
Number = float | int | Fraction | Decimal


def exact_value(value: Number) -> Fraction:
    """A number as the exact fraction it stands for: a float is the decimal it is written as (its shortest
    ``repr``), so 0.1 is one tenth.

    >>> exact_value(0.1), exact_value(Decimal("-2.50"))
    (Fraction(1, 10), Fraction(-5, 2))
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(repr(float(value)))


def rounded(value: Number, digits: int) -> Fraction:
    """The exact value rounded to ``digits`` significant digits, half away from zero (as taught:
    −72.355 → −72.36), exactly: the digits a view shows never depend on how a double rounded.

    >>> rounded(-72.355, 4), rounded(Fraction(13, 3), 4), rounded(99.95, 3)
    (Fraction(-1809, 25), Fraction(4333, 1000), Fraction(100, 1))
    """
    mantissa, exponent = _significant(exact_value(value), digits)
    return Fraction(mantissa) * Fraction(10) ** exponent


def _significant(q: Fraction, digits: int) -> tuple[int, int]:
    """(m, e) with q rounded to m·10^e, m of exactly ``digits`` digits (0 gives (0, 0)), half away from 0."""
    if q == 0:
        return 0, 0
    n, d = abs(q.numerator), q.denominator
    lead = len(str(n)) - len(str(d))  # the power of ten of q's first digit, or one above it
    if n * 10 ** max(-lead, 0) < d * 10 ** max(lead, 0):
        lead -= 1
    e = lead - digits + 1
    top, bottom = (n * 10**-e, d) if e <= 0 else (n, d * 10**e)
    m = (2 * top + bottom) // (2 * bottom)
    if m == 10**digits:
        m, e = m // 10, e + 1
    return (m if q > 0 else -m), e


def _fixed(m: int, e: int) -> str:
    """m·10^e in plain decimals, trailing zeros dropped (ASCII minus)."""
    text = str(abs(m))
    if e >= 0:
        body = text + "0" * e
    else:
        text = text.rjust(-e + 1, "0")
        body = f"{text[:e]}.{text[e:]}".rstrip("0").rstrip(".")
    return ("-" if m < 0 else "") + body


def _powers(m: int, e: int) -> str:
    """m·10^e as a mantissa and a power of ten, "1.23e5" (ASCII minus; no "+", no leading zeros)."""
    text = str(abs(m))
    mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
    return f"{'-' if m < 0 else ''}{mantissa}e{e + len(text) - 1}"


@written
def format_number(value: Number, digits: int = 4) -> str:
    """Write a number compactly, with a typographic minus: ``-5.0`` → ``−5``.

    Whole numbers below 10¹⁵ are written exactly; others are rounded to ``digits`` significant digits
    (``rounded``), in powers of ten below 10⁻⁴ and from 10^``digits`` up (``1e−9``, ``1.235e5``).
    ``shown_exactly`` tells whether the text is the whole value.

    Examples
    --------
    >>> format_number(-5.0), format_number(0.25), format_number(2 / 3), format_number(1e-9)
    ('−5', '0.25', '0.6667', '1e−9')
    >>> format_number(-72.355), format_number(Fraction(13, 3)), format_number(123456.7)
    ('−72.36', '4.333', '1.235e5')
    """
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    q = exact_value(value)
    if q.denominator == 1 and abs(q) < 10**15:
        return str(int(q)).replace("-", MINUS)  # also folds -0.0
    m, e = _significant(q, digits)
    lead = e + digits - 1
    text = _fixed(m, e) if -4 <= lead < digits else _powers(m, e)
    return text.replace("-", MINUS)


@written
def shown_exactly(value: Number, digits: int = 4) -> bool:
    """Whether ``format_number(value, digits)`` writes the whole value, nothing rounded away: a written sum
    says "=" only when all its numbers are, and "≈" otherwise.

    >>> shown_exactly(-72.355), shown_exactly(2.5), shown_exactly(Fraction(13, 3))
    (False, True, False)
    """
    q = exact_value(value)
    return (q.denominator == 1 and abs(q) < 10**15) or rounded(q, digits) == q


def equals_sign(*values: Number) -> str:
    """"=" when every number written is shown exactly (``shown_exactly``), "≈" when one is rounded."""
    return "=" if all(shown_exactly(v) for v in values) else "≈"


def approximately(value: Number) -> str:
    """"≈ " before a number written rounded (after an arrow, where no "=" stands), nothing before one shown
    exactly: ``→ tanh → ≈ 0.7616`` but ``→ ReLU → 0``."""
    return "" if shown_exactly(value) else "≈ "


@written
def format_cell(value: Number, digits: int = 3, style: str | None = None) -> str:
    """A number short enough for a heat map cell, with a typographic minus.

    Whole numbers below 10⁴ are written exactly; others with at most ``digits`` significant digits
    (``rounded``) and no trailing zeros, in powers of ten (``1.2e3``, ``5e−4``) from 10^``digits`` up and
    wherever that is shorter. ``style`` "fixed" writes plain decimals below 10^``digits`` even where longer,
    "powers" writes every number below 1 in powers of ten: a panel writes all its numbers one way. The
    value tables keep more digits.

    Examples
    --------
    >>> format_cell(-12.345), format_cell(0.456, digits=2), format_cell(1234), format_cell(123456.7)
    ('−12.3', '0.46', '1234', '1.23e5')
    >>> format_cell(-0.00045), format_cell(999.7), format_cell(-1e6, digits=1), format_cell(-0.0)
    ('−4.5e−4', '1e3', '−1e6', '0')
    >>> format_cell(1234.5), format_cell(-5555.5), format_cell(99.95)
    ('1.23e3', '−5.56e3', '100')
    """
    if isinstance(value, float) and not math.isfinite(value):
        return format_number(value)
    q = exact_value(value)
    if q.denominator == 1 and abs(q) < 10**4:
        return format_number(q)
    m, e = _significant(q, digits)
    whole = Fraction(m) * Fraction(10) ** e
    if whole.denominator == 1 and abs(whole) < 10**digits:
        return format_number(whole)  # 99.95 → 100; 1234.5 is not 1230, but 1.23e3
    powers = _powers(m, e)
    if e + digits - 1 >= digits or (style == "powers" and abs(q) < 1):
        return powers.replace("-", MINUS)
    fixed = _fixed(m, e)
    return (powers if len(powers) < len(fixed) and style != "fixed" else fixed).replace("-", MINUS)


def format_factor(value: Number) -> str:
    """A number as a factor in a written product: negatives in parentheses.

    >>> format_factor(-1), format_factor(2)
    ('(−1)', '2')
    """
    text = format_number(value)
    return f"({text})" if value < 0 else text


def written_sum(weights: list, inputs: list, bias: object, total: object, transposed: bool = False,
                augmented: bool = False) -> str:
    """A cell's sum as written: ``1·2 + (−1)·1 + 1·3 + (−5) = −1``, with "≈" for "=" when a number written
    is rounded (then the sum as written would not add up exactly).

    ``transposed`` writes each product input first (x · Wᵀ); ``augmented`` the bias as W's last column
    meeting its 1. The explanation, the walk and every notation write a sum with this.
    """
    pairs = zip(inputs, weights) if transposed else zip(weights, inputs)
    products = " + ".join(f"{format_factor(a)}·{format_factor(c)}" for a, c in pairs)
    written_bias = f"{format_factor(bias)}·1" if augmented else format_factor(bias)
    sign = equals_sign(*weights, *inputs, bias, total)
    return f"{products} + {written_bias} {sign} {format_number(total)}"


def exact_number(value: float) -> str:
    """Write a number so that ``float(text)`` gives it back exactly (ASCII, for files and URLs).

    Examples
    --------
    >>> exact_number(3.0), exact_number(-0.1)
    ('3', '-0.1')
    """
    value = float(value)
    if value == round(value) and abs(value) < 2**53:
        return str(int(value))
    return repr(value)
