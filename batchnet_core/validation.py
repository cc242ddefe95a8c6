"""Every check on a network's parameters and inputs, in one place.

Messages name the field, what was expected (in symbols and numbers), what was received,
and the likely fix, because they are shown to learners as they are.
"""

from __future__ import annotations

import numpy as np

#: Largest size of any dimension (inputs, hidden units, outputs, batch). Keeps a hostile
#: URL or file from allocating without bound; far above what fits on a screen.
MAX_SIZE = 16

#: Largest magnitude of any entry. Keeps every result finite and printable.
MAX_MAGNITUDE = 1e6


def _shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(str(n) for n in shape) if shape else "a single number"


def as_array(name: str, value: object, ndim: int) -> np.ndarray:
    """Convert ``value`` to a finite float array with ``ndim`` dimensions, or raise.

    A bias may be given as a column, shape (n, 1), and is then flattened.

    Raises
    ------
    TypeError
        If ``value`` holds something other than real numbers.
    ValueError
        If ``value`` is ragged, has the wrong number of dimensions, is empty, too large,
        or holds NaN, infinity or a too large magnitude.

    Examples
    --------
    >>> as_array("b1", [[1], [2]], ndim=1)
    array([1., 2.])
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers; got the text {str(value)[:40]!r}")
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be a rectangular array of numbers; its rows have different lengths"
        ) from None
    if raw.dtype.kind not in "iuf":
        if raw.dtype.kind == "O" and raw.ndim >= 1 and any(isinstance(r, (list, tuple)) for r in raw.flat):
            raise ValueError(
                f"{name} must be a rectangular array of numbers; its rows have different lengths"
            )
        kind = {"b": "true/false values", "c": "complex numbers", "U": "text", "S": "bytes"}.get(
            raw.dtype.kind, "values that are not numbers"
        )
        raise TypeError(f"{name} must contain real numbers; got {kind}")
    if ndim == 1 and raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim != ndim:
        expected = "a vector, shape (n,)" if ndim == 1 else "a matrix, shape (rows × columns)"
        hint = ""
        if name == "X" and raw.ndim == 1:
            hint = (
                f"; inputs are the columns of X, so one input of length {raw.shape[0]} is "
                f"X = [[v] for v in x1], shape ({raw.shape[0]} × 1)"
            )
        raise ValueError(f"{name} must be {expected}; got shape ({_shape_text(raw.shape)}){hint}")
    if raw.size == 0:
        raise ValueError(f"{name} is empty; every dimension needs at least 1 entry")
    too_big = [n for n in raw.shape if n > MAX_SIZE]
    if too_big:
        raise ValueError(
            f"{name} has shape ({_shape_text(raw.shape)}), which is too large: "
            f"every dimension may be at most {MAX_SIZE}"
        )
    array = raw.astype(float)
    bad = ~np.isfinite(array) | (np.abs(array) > MAX_MAGNITUDE)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = ", ".join(str(i) for i in index)
        raise ValueError(
            f"{name}[{where}] is {float(array[index])!r}; every entry must be a finite number "
            f"between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
        )
    array.setflags(write=False)
    return array


def check_shapes(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray) -> None:
    """Check that the five arrays fit together; raise ``ValueError`` naming the first that does not.

    Sizes are read from X (inputs × batch) and from the weights' rows: W1 has one row per
    hidden unit, W2 one row per output.
    """
    inputs = X.shape[0]
    _check_weights("W1", W1, inputs, "inputs", f"X has {inputs} row{'s' * (inputs != 1)} (inputs)")
    hidden = W1.shape[0]
    _check_bias("b1", b1, hidden, "hidden unit", "W1")
    _check_weights("W2", W2, hidden, "hidden", f"W1 has {hidden} row{'s' * (hidden != 1)} (hidden units)")
    _check_bias("b2", b2, W2.shape[0], "output", "W2")


def _check_weights(name: str, W: np.ndarray, columns: int, symbol: str, why: str) -> None:
    rows = "hidden" if name == "W1" else "outputs"
    if W.shape[1] == columns:
        return
    hint = f" Did you mean {name}.T?" if W.shape[0] == columns else ""
    raise ValueError(
        f"{name} must have shape ({rows} × {symbol}) with {columns} column{'s' * (columns != 1)}, "
        f"because {why}; got ({_shape_text(W.shape)}).{hint}"
    )


def _check_bias(name: str, b: np.ndarray, rows: int, unit: str, weights: str) -> None:
    if b.shape[0] != rows:
        raise ValueError(
            f"{name} must have one entry per {unit} (one per row of {weights}): length {rows}; "
            f"got length {b.shape[0]}"
        )
