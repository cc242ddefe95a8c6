"""Every check on a network's parameters and inputs, in one place.

Messages name the field, what was expected (in symbols and numbers), what was received,
and the likely fix, because they are shown to learners as they are.
"""

from __future__ import annotations

import numpy as np

from .layers import layers_of

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
    array = array + 0.0  # -0.0 is 0: there is one zero, so every link, file and view writes it "0"
    array.setflags(write=False)
    return array


def check_layers(layers: tuple[tuple[np.ndarray, np.ndarray], ...], X: np.ndarray) -> None:
    """Check that the layers' arrays and X fit together; raise ``ValueError`` naming the first that does not.

    Sizes are read from X (inputs × batch) and from the weights' rows: each W has one row per unit
    of its layer, and as many columns as the layer before has units (X: inputs).
    """
    names = layers_of(len(layers))
    columns, why = X.shape[0], f"X has {X.shape[0]} row{'s' * (X.shape[0] != 1)} (inputs)"
    symbol = "inputs"
    for layer, (W, b) in zip(names, layers):
        if W.shape[1] != columns:
            hint = f" Did you mean {layer.weights}.T?" if W.shape[0] == columns else ""
            raise ValueError(
                f"{layer.weights} must have shape ({layer.role} × {symbol}) with {columns} "
                f"column{'s' * (columns != 1)}, because {why}; got ({_shape_text(W.shape)}).{hint}"
            )
        if b.shape[0] != W.shape[0]:
            unit = "output" if layer.output else "hidden unit"
            raise ValueError(
                f"{layer.bias} must have one entry per {unit} (one per row of {layer.weights}): length "
                f"{W.shape[0]}; got length {b.shape[0]}"
            )
        columns, symbol = W.shape[0], "hidden"
        why = f"{layer.weights} has {columns} row{'s' * (columns != 1)} (hidden units)"
