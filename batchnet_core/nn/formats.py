"""A state's fields as plain data: a JSON-able dict, a URL query, CSV rows.

Readers take untrusted text (links, uploaded files), so every failure is a ``ValueError`` with a
message fit to show, and every size is bounded before anything is allocated. They return plain
lists for ``State`` to validate; they know nothing of State itself.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import parse_qsl

import numpy as np

from .layers import MAX_DEPTH, field_names
from .numbers import exact_number
from .validation import MAX_MAGNITUDE, MAX_SIZE

#: Longest query string read; a full 16-wide state of every depth fits with room to spare.
MAX_QUERY_LENGTH = 60_000

#: Most parameters a query may hold: a full state of every depth has 24, a page's link a few more.
MAX_QUERY_FIELDS = 64

#: Longest text of one number in a link or a file: ``exact_number`` writes at most 24 characters.
MAX_NUMBER_TEXT = 40

#: Query and dict keys a state may have, of every depth: W1, b1, ..., x1, x2, ...
PARAMETER_KEYS = tuple(f"{kind}{k}" for k in range(1, MAX_DEPTH + 1) for kind in ("W", "b"))
INPUT_KEYS = tuple(f"x{j + 1}" for j in range(MAX_SIZE))
#: Each layer's activation, by name, comma-separated: only where a layer's is not ReLU.
ACTIVATIONS_KEY = "activations"
STATE_KEYS = PARAMETER_KEYS + INPUT_KEYS + (ACTIVATIONS_KEY,)

#: A number as links and files write it: ASCII digits only, an optional sign, point and exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

_NUMBERS = re.compile(f" *{_NUMBER.pattern} *(?:, *{_NUMBER.pattern} *)*")

#: What to write instead, in every message about a number in a link that is not one.
WRITE_DIGITS = "write digits 0-9, such as -3, 0.5 or 1e-3"


def rows(array: np.ndarray) -> list:
    """Nested lists of Python numbers, whole numbers as ints (so JSON reads 3, not 3.0)."""
    def number(v: float) -> int | float:
        return int(v) if v == round(v) and abs(v) < 2**53 else float(v)

    if array.ndim == 1:
        return [number(v) for v in array.tolist()]
    return [[number(v) for v in row] for row in array.tolist()]


def _depth_of(keys: Iterable[str]) -> int:
    """How many layers the keys name: the highest k of a W_k or b_k (at least 1)."""
    ks = [int(key[1:]) for key in keys if re.fullmatch("[Wb][1-9][0-9]?", key) and int(key[1:]) <= MAX_DEPTH]
    return max(ks, default=1)


class _LongNumber:
    """A number in a file written with more than ``MAX_NUMBER_TEXT`` characters; refused by ``fields_from_dict``,
    which knows the field it is in."""

    def __init__(self, text: str) -> None:
        self.length = len(text)


def _file_integer(text: str) -> int | float | _LongNumber:
    if len(text) > MAX_NUMBER_TEXT:
        return _LongNumber(text)
    return int(text) if len(text) <= 15 else float(text)  # a long one as numpy can hold it: as_array bounds it


def _file_float(text: str) -> float | _LongNumber:
    return _LongNumber(text) if len(text) > MAX_NUMBER_TEXT else float(text)


def _object_once(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        raise ValueError(f"the key {twice[:20]!r} appears {_times(keys.count(twice))}; give each key once")
    return dict(pairs)


def data_from_json(content: bytes) -> object:
    """The data of a JSON file, as ``fields_from_dict`` reads it; ``ValueError`` saying what is wrong.

    UTF-8, with or without a byte order mark. A key given twice in an object is refused (``json`` would keep
    the last); a number of more than ``MAX_NUMBER_TEXT`` characters is kept aside for ``fields_from_dict`` to
    refuse, naming its field (``json`` would read a 5,000-digit integer, or stop at Python's own limit).

    >>> data_from_json(b'\\xef\\xbb\\xbf{"b1": [1, 2.5]}')
    {'b1': [1, 2.5]}
    >>> data_from_json(b'{"b1": [1], "b1": [2]}')
    Traceback (most recent call last):
    ...
    ValueError: the key 'b1' appears twice; give each key once
    """
    try:
        text = bytes(content).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"not a JSON file: not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        return json.loads(text, parse_int=_file_integer, parse_float=_file_float, object_pairs_hook=_object_once)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a JSON file ({error})") from None
    except RecursionError:
        raise ValueError("not a state: its lists are nested thousands deep") from None


def fields_from_dict(data: object) -> dict[str, list]:
    """The fields of a dict made by ``State.to_dict``, checked for keys and nesting."""
    if not isinstance(data, dict):
        raise ValueError(f"a state must be a JSON object with keys {', '.join(field_names(2))}; "
                         f"got {_describe(data) if isinstance(data, _LongNumber) else type(data).__name__}")
    expected = field_names(_depth_of(str(key) for key in data))
    missing = [name for name in expected if name not in data]
    unknown = sorted(str(key)[:20] for key in data if key not in expected and key != ACTIVATIONS_KEY)
    deeper = [key for key in unknown if re.fullmatch(r"[Wb][0-9]{1,9}", key) and int(key[1:]) > MAX_DEPTH]
    if deeper:
        raise ValueError(key_problem(deeper[0], STATE_KEYS))
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown[:5])}"] if unknown else []
        )
        raise ValueError(f"a state needs exactly the keys {', '.join(expected)}: {'; '.join(parts)}")
    for name in expected:
        _check_nesting(name, data[name])
    fields = {name: data[name] for name in expected}
    if ACTIVATIONS_KEY in data:
        names = data[ACTIVATIONS_KEY]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError(f"activations must be a list of names, one a layer, such as [\"relu\", \"tanh\"]; "
                             f"got {_describe(names)}")
        fields[ACTIVATIONS_KEY] = names
    return fields


def _check_nesting(name: str, value: object) -> None:
    """Refuse anything but a list of numbers or a list of lists of numbers, bounded in size."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SIZE:
        raise ValueError(f"{name} must be a list of 1 to {MAX_SIZE} entries; got {_describe(value)}")
    for i, item in enumerate(value):
        long = next((v for v in (item if isinstance(item, list) else [item]) if isinstance(v, _LongNumber)), None)
        if long is not None:
            raise ValueError(number_too_long(f"{name} row {i + 1}" if isinstance(item, list) else name, long.length))
        if isinstance(item, list):
            if not 1 <= len(item) <= MAX_SIZE or not all(_is_number(v) for v in item):
                raise ValueError(f"{name} must hold rows of 1 to {MAX_SIZE} numbers; got {_describe(item)}")
        elif not _is_number(item):
            raise ValueError(f"{name} must hold numbers; got {_describe(item)}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _describe(value: object) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, _LongNumber):
        return f"a number written with {value.length:,} characters"
    return f"{type(value).__name__} {str(value)[:20]!r}"


def query_from_fields(fields: Iterable[tuple[str, np.ndarray]]) -> str:
    """``W1=1,-1,1;1,1,0&b1=-5,0&...&x1=2,1,3&x2=...``: rows split by ``;``, inputs by name."""
    parts = []
    for name, array in fields:
        if name == "X":
            parts += [f"x{j + 1}={_join(x)}" for j, x in enumerate(array.T)]
        elif array.ndim == 1:
            parts.append(f"{name}={_join(array)}")
        else:
            parts.append(f"{name}=" + ";".join(_join(row) for row in array))
    return "&".join(parts)


def _join(vector: np.ndarray) -> str:
    return ",".join(exact_number(v) for v in vector)


def query_pairs(query: object, what: str = "the link") -> list[tuple[str, str]]:
    """The (key, value) pairs of a URL query, in order: the one reader of every link.

    ``urllib.parse.parse_qsl``, bounded in length and in number of parameters; a leading ``?`` is
    dropped, and ``+`` is a plus sign (our links write numbers such as ``1e+5``), not a space.

    >>> query_pairs("?W1=1,-1;2,0&theme=dark&x1=1e+5")
    [('W1', '1,-1;2,0'), ('theme', 'dark'), ('x1', '1e+5')]
    """
    if not isinstance(query, str):
        raise ValueError(f"{what}'s query must be text; got {type(query).__name__}")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"{what} is too long ({len(query)} characters; at most {MAX_QUERY_LENGTH})")
    try:
        return parse_qsl(query.removeprefix("?").replace("+", "%2B"), keep_blank_values=True,
                         max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:  # "Max number of fields exceeded"
        raise ValueError(f"{what} has more than {MAX_QUERY_FIELDS} parameters") from None


def key_problem(key: str, reads: Collection[str]) -> str:
    """Why a parameter ``key`` cannot be used where only ``reads`` are read: a message naming it.

    >>> key_problem("x17", STATE_KEYS)
    'x17: a batch holds at most 16 inputs (x1 to x16)'
    >>> key_problem("W5", STATE_KEYS)
    'W5: a network has at most 4 layers (W1, b1 to W4, b4)'
    >>> key_problem("sed", ("seed", "difficulty"))
    "'sed' is not a parameter of this page's link; it reads seed, difficulty"
    """
    number = re.fullmatch(r"([xWb])([0-9]{1,9})", key)
    if number and int(number[2]) >= 1:
        kind, k = number[1], int(number[2])
        if kind == "x" and "x1" in reads and k > MAX_SIZE:
            return f"{key}: a batch holds at most {MAX_SIZE} inputs (x1 to x{MAX_SIZE})"
        if kind in "Wb" and "W1" in reads and k > MAX_DEPTH:
            return f"{key}: a network has at most {MAX_DEPTH} layers (W1, b1 to W{MAX_DEPTH}, b{MAX_DEPTH})"
    if not key:
        return "a parameter has no name (an '=' with nothing before it)"
    return f"{key[:20]!r} is not a parameter of this page's link; it reads {describe_keys(reads)}"


def describe_keys(keys: Collection[str]) -> str:
    """``keys`` for a message, the state's written as ranges: ``preset, seed, W1 to W4, b1 to b4, x1 to x16``."""
    shown = [key for key in keys if key not in STATE_KEYS]
    if "W1" in keys:
        shown += [f"W1 to W{MAX_DEPTH}", f"b1 to b{MAX_DEPTH}"]
    if "x1" in keys:
        shown.append(f"x1 to x{MAX_SIZE}")
    if ACTIVATIONS_KEY in keys:
        shown.append(ACTIVATIONS_KEY)
    return ", ".join(shown)


def single_values(pairs: Iterable[tuple[str, str]], reads: Collection[str]) -> tuple[dict[str, str], list[str]]:
    """The value of each key in ``reads`` given once, and a message for each key that cannot be used:
    one not read here, or given more than once (then none of its values is used).

    >>> values, problems = single_values([("seed", "1"), ("seed", "2"), ("difficulty", "hard")], ("seed", "difficulty"))
    >>> values, problems
    ({'difficulty': 'hard'}, ['seed appears twice in the link; give it once'])
    """
    given: dict[str, list[str]] = {}
    for key, value in pairs:
        given.setdefault(key, []).append(value)
    values, problems = {}, []
    for key, seen in given.items():
        if key not in reads:
            problems.append(key_problem(key, reads))
        elif len(seen) > 1:
            problems.append(f"{key} appears {_times(len(seen))} in the link; give it once")
        else:
            values[key] = seen[0]
    return values, problems


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def fields_from_query(query: object) -> dict[str, object]:
    """The fields of a query made by ``State.to_query``."""
    pairs = query_pairs(query, "the state link")
    if not pairs:
        raise ValueError("the state link is empty; it needs W1, b1, W2, b2 and x1, x2, ...")
    values, problems = single_values(pairs, STATE_KEYS)
    if problems:
        raise ValueError(problems[0])
    return fields_from_values(values)


def fields_from_values(values: Mapping[str, str]) -> dict[str, object]:
    """The fields of a state from the text of each of its keys in a link (W1, b1, ..., x1, x2, ...)."""
    batch = sum(1 for key in INPUT_KEYS if key in values)
    if batch == 0 or any(f"x{j + 1}" not in values for j in range(batch)):
        raise ValueError("the link needs inputs x1, x2, ... numbered from 1 without gaps")
    parameters = field_names(_depth_of(values))[:-1]
    missing = [name for name in parameters if name not in values]
    if missing:
        raise ValueError(f"the link is missing {', '.join(missing)}")
    fields: dict[str, object] = {
        name: parse_matrix(name, values[name]) if name.startswith("W") else _parse_vector(name, values[name])
        for name in parameters
    }
    inputs = [_parse_vector(f"x{j + 1}", values[f"x{j + 1}"]) for j in range(batch)]
    if len({len(x) for x in inputs}) != 1:
        raise ValueError("inputs x1, x2, ... in the link must all have the same length")
    fields["X"] = np.column_stack(inputs)
    if ACTIVATIONS_KEY in values:
        fields[ACTIVATIONS_KEY] = values[ACTIVATIONS_KEY].split(",")
    return fields


def read_number(where: str, text: str) -> float:
    """A number as a link writes it: ASCII digits 0-9 with an optional sign, decimal point and exponent,
    at most ``MAX_NUMBER_TEXT`` characters; else ``ValueError`` naming ``where``.

    Python's ``float`` would also read ``1_0`` as 10, Arabic-Indic or fullwidth digits, ``nan`` and
    ``infinity``: a link holds none of them.

    >>> read_number("x1", "-2.5e-1")
    -0.25
    >>> read_number("W1 row 1", "1_0")
    Traceback (most recent call last):
    ...
    ValueError: W1 row 1: '1_0' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3
    """
    item = text.strip(" ")
    if not _NUMBER.fullmatch(item):
        raise ValueError(f"{where}: {item[:20]!r} is not a number; {WRITE_DIGITS}")
    if len(item) > MAX_NUMBER_TEXT:
        raise ValueError(number_too_long(where, len(item)))
    return float(item)


def number_too_long(where: str, length: int) -> str:
    """The message for a number written with too many characters, in a link or a file."""
    return (f"{where}: a number written with {length:,} characters (at most {MAX_NUMBER_TEXT}); every entry must "
            f"be between -{MAX_MAGNITUDE:,.0f} and {MAX_MAGNITUDE:,.0f}")


def _parse_vector(name: str, text: str, where: str | None = None) -> list[float]:
    items = text.split(",")
    if len(items) > MAX_SIZE:
        raise ValueError(f"{name} has {len(items)} entries in the link; at most {MAX_SIZE}")
    if _NUMBERS.fullmatch(text) and max(map(len, items)) <= MAX_NUMBER_TEXT:
        return [float(item) for item in items]  # every item read_number's: the usual case, at once
    return [read_number(where or name, item) for item in items]


def parse_matrix(name: str, text: str) -> list[list[float]]:
    """A matrix written as a link writes it, rows split by ``;``: ``1,0,1;2,2,2``."""
    parts = text.split(";")
    if len(parts) > MAX_SIZE:
        raise ValueError(f"{name} has {len(parts)} rows in the link; at most {MAX_SIZE}")
    parsed = [_parse_vector(name, row, f"{name} row {i + 1}") for i, row in enumerate(parts)]
    if len({len(row) for row in parsed}) != 1:
        raise ValueError(f"the rows of {name} in the link must all have the same length")
    return parsed


def csv_text(matrices: Iterable[tuple[str, np.ndarray]]) -> str:
    """Long format, one entry a line: ``matrix,row,col,value``, rows and columns counted from 1 as the
    page counts them (h1, x1; a vector's col is 1).

    >>> print(csv_text([("b1", np.array([5.0, -1.0])), ("X", np.array([[1.0, 2.0]]))]), end="")
    matrix,row,col,value
    b1,1,1,5
    b1,2,1,-1
    X,1,1,1
    X,1,2,2
    """
    out = io.StringIO()
    out.write("matrix,row,col,value\n")
    for name, array in matrices:
        grid = array[:, None] if array.ndim == 1 else array
        for (row, col), value in np.ndenumerate(grid):
            out.write(f"{name},{row + 1},{col + 1},{exact_number(value)}\n")
    return out.getvalue()
