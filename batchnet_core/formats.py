"""A state's fields as plain data: a JSON-able dict, a URL query, CSV rows.

Readers take untrusted text (links, uploaded files), so every failure is a ``ValueError`` with a
message fit to show, and every size is bounded before anything is allocated. They return plain
lists for ``State`` to validate; they know nothing of State itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from urllib.parse import unquote

import numpy as np

from .layers import MAX_DEPTH, field_names
from .numbers import exact_number
from .validation import MAX_SIZE

#: Longest query string read; a full 16-wide state of every depth fits with room to spare.
MAX_QUERY_LENGTH = 60_000

#: Query and dict keys a state may have, of every depth: W1, b1, ..., x1, x2, ...
PARAMETER_KEYS = tuple(f"{kind}{k}" for k in range(1, MAX_DEPTH + 1) for kind in ("W", "b"))
INPUT_KEYS = tuple(f"x{j + 1}" for j in range(MAX_SIZE))


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


def fields_from_dict(data: object) -> dict[str, list]:
    """The fields of a dict made by ``State.to_dict``, checked for keys and nesting."""
    if not isinstance(data, dict):
        raise ValueError(f"a state must be a JSON object with keys {', '.join(field_names(2))}; "
                         f"got {type(data).__name__}")
    expected = field_names(_depth_of(str(key) for key in data))
    missing = [name for name in expected if name not in data]
    unknown = sorted(str(key)[:20] for key in data if key not in expected)
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown[:5])}"] if unknown else []
        )
        raise ValueError(f"a state needs exactly the keys {', '.join(expected)}: {'; '.join(parts)}")
    for name in expected:
        _check_nesting(name, data[name])
    return {name: data[name] for name in expected}


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


def fields_from_query(query: object) -> dict[str, object]:
    """The fields of a query made by ``State.to_query``."""
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
    unknown = [key[:20] for key in values if key not in PARAMETER_KEYS and key not in INPUT_KEYS]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in the state link; expected W1, b1, W2, b2, x1, x2, ...")
    batch = sum(1 for key in INPUT_KEYS if key in values)
    if batch == 0 or any(f"x{j + 1}" not in values for j in range(batch)):
        raise ValueError("the state link needs inputs x1, x2, ... numbered from 1 without gaps")
    parameters = field_names(_depth_of(values))[:-1]
    missing = [name for name in parameters if name not in values]
    if missing:
        raise ValueError(f"the state link is missing {', '.join(missing)}")
    fields: dict[str, object] = {
        name: parse_matrix(name, values[name]) if name.startswith("W") else _parse_vector(name, values[name])
        for name in parameters
    }
    inputs = [_parse_vector(f"x{j + 1}", values[f"x{j + 1}"]) for j in range(batch)]
    if len({len(x) for x in inputs}) != 1:
        raise ValueError("inputs x1, x2, ... in the state link must all have the same length")
    fields["X"] = np.column_stack(inputs)
    return fields


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


def parse_matrix(name: str, text: str) -> list[list[float]]:
    """A matrix written as a link writes it, rows split by ``;``: ``1,0,1;2,2,2``."""
    parts = text.split(";")
    if len(parts) > MAX_SIZE:
        raise ValueError(f"{name} has {len(parts)} rows in the state link; at most {MAX_SIZE}")
    parsed = [_parse_vector(name, row) for row in parts]
    if len({len(row) for row in parsed}) != 1:
        raise ValueError(f"the rows of {name} in the state link must all have the same length")
    return parsed


def csv_text(matrices: Iterable[tuple[str, np.ndarray]]) -> str:
    """Long format, one entry a line: ``matrix,row,col,value`` (a vector's col is 0)."""
    out = io.StringIO()
    out.write("matrix,row,col,value\n")
    for name, array in matrices:
        grid = array[:, None] if array.ndim == 1 else array
        for (row, col), value in np.ndenumerate(grid):
            out.write(f"{name},{row},{col},{exact_number(value)}\n")
    return out.getvalue()
