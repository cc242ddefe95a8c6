"""Reading numbers people type and writing numbers people read."""

from __future__ import annotations

import math
from fractions import Fraction

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


def format_number(value: float, digits: int = 4) -> str:
    """Write a number compactly, with a typographic minus: ``-5.0`` → ``−5``.

    Whole numbers lose their ``.0``; others keep up to ``digits`` significant digits.

    Examples
    --------
    >>> format_number(-5.0), format_number(0.25), format_number(2 / 3)
    ('−5', '0.25', '0.6667')
    """
    value = float(value)
    if value == 0:
        return "0"  # also folds -0.0
    if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
        text = str(int(round(value)))
    else:
        text = f"{value:.{digits}g}"
    return text.replace("-", MINUS)


def format_cell(value: float, digits: int = 3) -> str:
    """A number short enough for a heat map cell, with a typographic minus.

    Whole numbers below 10⁴ are written exactly; others with at most ``digits`` significant digits
    and no trailing zeros, in powers of ten (``1.2e3``, ``5e−4``) from 10^``digits`` up and wherever
    that is shorter. The value tables keep every digit.

    Examples
    --------
    >>> format_cell(-12.345), format_cell(0.456, digits=2), format_cell(1234), format_cell(123456.7)
    ('−12.3', '0.46', '1234', '1.23e5')
    >>> format_cell(-0.00045), format_cell(999.7), format_cell(-1e6, digits=1), format_cell(-0.0)
    ('−4.5e−4', '1e3', '−1e6', '0')
    >>> format_cell(1234.5), format_cell(-5555.5), format_cell(99.95)
    ('1.23e3', '−5.56e3', '100')
    """
    value = float(value)
    if value == 0:
        return "0"  # also folds -0.0
    if not math.isfinite(value) or (value == round(value) and abs(value) < 1e4):
        return format_number(value)
    rounded = f"{value:.{digits - 1}e}"
    if float(rounded) == round(float(rounded)) and abs(float(rounded)) < 10 ** digits:
        return format_number(float(rounded))  # 99.95 → 100; 1234.5 is not 1230, but 1.23e3
    mantissa, exponent = rounded.split("e")
    exponent = int(exponent)
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    powers = f"{mantissa}e{exponent}"
    if exponent >= digits:
        return powers.replace("-", MINUS)
    fixed = f"{value:.{digits - 1 - exponent}f}"
    if "." in fixed:
        fixed = fixed.rstrip("0").rstrip(".")
    return (powers if len(powers) < len(fixed) else fixed).replace("-", MINUS)


def format_factor(value: float) -> str:
    """A number as a factor in a written product: negatives in parentheses.

    >>> format_factor(-1), format_factor(2)
    ('(−1)', '2')
    """
    text = format_number(value)
    return f"({text})" if value < 0 else text


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
