"""A state to and from plain data (dict/JSON, URL query), and out to a numpy script and CSV.

Readers take untrusted text (links, uploaded files), so every failure is a ``ValueError``
with a message fit to show, and every size is bounded before anything is allocated.
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import numpy as np

from .forward import forward
from .numbers import exact_number
from .state import FIELDS, State, preset
from .validation import MAX_SIZE

#: Longest query string read; a full 16-wide state fits with room to spare.
MAX_QUERY_LENGTH = 40_000
#: Largest seed a link may name.
MAX_SEED = 10**9


def _rows(array: np.ndarray) -> list:
    """Nested lists of Python numbers, whole numbers as ints (so JSON reads 3, not 3.0)."""
    def number(v: float) -> int | float:
        return int(v) if v == round(v) and abs(v) < 2**53 else float(v)

    if array.ndim == 1:
        return [number(v) for v in array.tolist()]
    return [[number(v) for v in row] for row in array.tolist()]


def state_to_dict(state: State) -> dict[str, list]:
    return {name: _rows(array) for name, array in state.items()}


def _state_or_value_error(fields: dict) -> State:
    try:
        return State(**fields)
    except TypeError as error:
        raise ValueError(str(error)) from None


def state_from_dict(data: object) -> State:
    if not isinstance(data, dict):
        raise ValueError(f"a state must be a JSON object with keys {', '.join(FIELDS)}; got {type(data).__name__}")
    missing = [name for name in FIELDS if name not in data]
    unknown = sorted(str(key)[:20] for key in data if key not in FIELDS)
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown[:5])}"] if unknown else []
        )
        raise ValueError(f"a state needs exactly the keys {', '.join(FIELDS)}: {'; '.join(parts)}")
    for name in FIELDS:
        _check_nesting(name, data[name])
    return _state_or_value_error({name: data[name] for name in FIELDS})


def _check_nesting(name: str, value: object) -> None:
    """Refuse anything but a list of numbers or a list of lists of numbers, bounded in size."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SIZE:
        raise ValueError(f"{name} must be a list of 1 to {MAX_SIZE} entries; got {_describe(value)}")
    for item in value:
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
    return f"{type(value).__name__} {str(value)[:20]!r}"


def state_to_query(state: State) -> str:
    """``W1=1,-1,1;1,1,0&b1=-5,0&...&x1=2,1,3&x2=...``: rows split by ``;``, inputs by name."""
    parts = []
    for name, array in state.items():
        if name == "X":
            parts += [f"x{j + 1}={_join(x)}" for j, x in enumerate(state.inputs)]
        elif array.ndim == 1:
            parts.append(f"{name}={_join(array)}")
        else:
            parts.append(f"{name}=" + ";".join(_join(row) for row in array))
    return "&".join(parts)


def _join(vector: np.ndarray) -> str:
    return ",".join(exact_number(v) for v in vector)


def state_from_query(query: object) -> State:
    if not isinstance(query, str):
        raise ValueError(f"a state link must be text; got {type(query).__name__}")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"the state link is too long ({len(query)} characters; at most {MAX_QUERY_LENGTH})")
    query = query.lstrip("?")
    if not query:
        raise ValueError("the state link is empty; it needs W1, b1, W2, b2 and x1, x2, ...")
    values: dict[str, str] = {}
    for part in query.split("&"):
        key, sep, value = part.partition("=")
        key = unquote(key)
        if not sep:
            raise ValueError(f"'{key[:20]}' in the state link has no '=value'")
        if key in values:
            raise ValueError(f"{key[:20]} appears twice in the state link")
        values[key] = unquote(value, errors="replace")
    input_keys = [f"x{j + 1}" for j in range(MAX_SIZE)]
    unknown = [key[:20] for key in values if key not in ("W1", "b1", "W2", "b2") and key not in input_keys]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in the state link; expected W1, b1, W2, b2, x1, x2, ...")
    batch = sum(1 for key in input_keys if key in values)
    if batch == 0 or any(f"x{j + 1}" not in values for j in range(batch)):
        raise ValueError("the state link needs inputs x1, x2, ... numbered from 1 without gaps")
    missing = [name for name in ("W1", "b1", "W2", "b2") if name not in values]
    if missing:
        raise ValueError(f"the state link is missing {', '.join(missing)}")
    fields = {
        "W1": _parse_matrix("W1", values["W1"]),
        "b1": _parse_vector("b1", values["b1"]),
        "W2": _parse_matrix("W2", values["W2"]),
        "b2": _parse_vector("b2", values["b2"]),
    }
    inputs = [_parse_vector(f"x{j + 1}", values[f"x{j + 1}"]) for j in range(batch)]
    if len({len(x) for x in inputs}) != 1:
        raise ValueError("inputs x1, x2, ... in the state link must all have the same length")
    fields["X"] = np.column_stack(inputs)
    return _state_or_value_error(fields)


#: Query keys that belong to a state; any other key (theme, token, ...) is the page's business.
STATE_KEYS = frozenset(["W1", "b1", "W2", "b2"] + [f"x{j + 1}" for j in range(MAX_SIZE)])


def state_from_link(query: str) -> State | None:
    """The state a page link asks for: ``?preset=NAME`` or a full state; None if it names neither.

    Other parameters (``theme=dark``, ...) are left alone. A malformed, hostile or oversized
    link raises ``ValueError`` with a message fit to show.

    Examples
    --------
    >>> state_from_link("theme=dark") is None
    True
    >>> state_from_link("preset=one-input&theme=dark").sizes
    (3, 4, 2, 1)
    """
    if not isinstance(query, str):
        raise ValueError(f"a link's query must be text; got {type(query).__name__}")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"the link is too long ({len(query)} characters; at most {MAX_QUERY_LENGTH})")
    parts = [part for part in query.lstrip("?").split("&") if part]
    keys = [unquote(part.partition("=")[0]) for part in parts]
    state_parts = [part for part, key in zip(parts, keys) if key in STATE_KEYS]
    presets = [unquote(part.partition("=")[2]).replace("+", " ") for part, key in zip(parts, keys) if key == "preset"]
    if state_parts and presets:
        raise ValueError("the link names both a preset and a full state; keep one of them")
    if len(presets) > 1:
        raise ValueError("the link names more than one preset")
    if presets:
        return preset(presets[0][:40])
    if state_parts:
        return state_from_query("&".join(state_parts))
    return None


def seed_from_link(text: str) -> int:
    """The seed a link names (``?seed=12``): ASCII digits only, 0 to ``MAX_SEED``; else ``ValueError``.

    >>> seed_from_link("12")
    12
    >>> seed_from_link("²")
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number from 0 to 1,000,000,000 (got '²')
    """
    if not (isinstance(text, str) and re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_SEED):
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED:,} (got {str(text)[:20]!r})")
    return int(text)


def _parse_vector(name: str, text: str) -> list[float]:
    items = text.split(",")
    if len(items) > MAX_SIZE:
        raise ValueError(f"{name} has {len(items)} entries in the state link; at most {MAX_SIZE}")
    numbers = []
    for item in items:
        try:
            numbers.append(float(item))
        except ValueError:
            raise ValueError(f"{name} in the state link holds {item[:20]!r}, which is not a number") from None
    return numbers


def _parse_matrix(name: str, text: str) -> list[list[float]]:
    rows = text.split(";")
    if len(rows) > MAX_SIZE:
        raise ValueError(f"{name} has {len(rows)} rows in the state link; at most {MAX_SIZE}")
    parsed = [_parse_vector(name, row) for row in rows]
    if len({len(row) for row in parsed}) != 1:
        raise ValueError(f"the rows of {name} in the state link must all have the same length")
    return parsed


def _literal(array: np.ndarray) -> str:
    return repr(_rows(array))


def state_to_code(state: State) -> str:
    """A script in the worksheet's own terms: named inputs stacked as columns, two layers."""
    lines = [
        "import numpy as np",
        "",
        "# The network: one row of weights per unit, one bias per unit",
        f"W1 = np.array({_literal(state.W1)})",
        f"b1 = np.array({_literal(state.b1)})",
        f"W2 = np.array({_literal(state.W2)})",
        f"b2 = np.array({_literal(state.b2)})",
        "",
        "# The batch: each input vector is one column of X",
    ]
    names = [f"x{j + 1}" for j in range(state.X.shape[1])]
    lines += [f"{name} = np.array({_literal(x)})" for name, x in zip(names, state.inputs)]
    lines += [
        f"X = np.column_stack([{', '.join(names)}])",
        "",
        "# Every input at once: each cell is (row of weights) · (column of X) + bias",
        "H_z = W1 @ X + b1[:, None]",
        "H = np.maximum(H_z, 0)  # ReLU",
        "Y_z = W2 @ H + b2[:, None]",
        "Y = np.maximum(Y_z, 0)  # ReLU",
        "",
        'for name, value in [("H_z", H_z), ("H", H), ("Y_z", Y_z), ("Y", Y)]:',
        '    print(f"{name} =\\n{value}\\n")',
        "",
    ]
    return "\n".join(lines)


def state_to_csv(state: State) -> str:
    """Long format, one entry a line, parameters then results: ``matrix,row,col,value``."""
    out = io.StringIO()
    out.write("matrix,row,col,value\n")
    matrices = list(state.items()) + list(forward(state).items())
    for name, array in matrices:
        grid = array[:, None] if array.ndim == 1 else array
        for (row, col), value in np.ndenumerate(grid):
            out.write(f"{name},{row},{col},{exact_number(value)}\n")
    return out.getvalue()

