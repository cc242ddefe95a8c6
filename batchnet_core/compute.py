"""The arithmetic of a forward pass on plain arrays: batched, and one input at a time.

``State``, ``forward`` and the timing all rest on these; they know nothing of names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: A sum this small against the size of its terms is what is left of rounding, not a value.
ROUNDING = 1e-12

Layers = Sequence[tuple[np.ndarray, np.ndarray]]


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), entry by entry (``+ 0.0`` folds -0.0 into 0)."""
    return np.maximum(z, 0.0) + 0.0


def relu_zeroed(z: np.ndarray) -> np.ndarray:
    """Where ReLU gives 0: the pre-activation is 0 or less, so the unit is inactive for that input.

    The one definition of "zeroed by ReLU": the heat maps hatch these cells and the exercises count
    them. A sum of exactly 0 counts, since ReLU gives 0 there too.

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


def settled(z: np.ndarray, W: np.ndarray, inputs: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pre-activations with what is left of rounding set to exactly 0.

    Decimals rarely cancel exactly in floating point (0.1 + 0.2 − 0.3 is 5.6e−17): such a sum is 0,
    and ReLU must treat it, and every view show it, as 0.

    >>> settled(np.array([[0.1 + 0.2 - 0.3]]), np.array([[0.1, 0.2]]), np.array([[1.0], [1.0]]), np.array([-0.3]))
    array([[0.]])
    """
    scale = np.abs(W) @ np.abs(inputs) + np.abs(b)[:, None]
    return np.where(np.abs(z) <= ROUNDING * scale, 0.0, z)


def settled_sum(products: Sequence[float], bias: float) -> float:
    """One cell's sum of products and bias, settled as ``settled`` settles a whole matrix."""
    total = sum(products) + bias
    scale = sum(abs(p) for p in products) + abs(bias)
    return 0.0 if abs(total) <= ROUNDING * scale else total


def forward_arrays(layers: Layers, X: np.ndarray, settle: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's (pre-activation, ReLU of it) for the batch X, one matrix product per layer.

    ``settle=False`` skips the rounding clean-up: the bare arithmetic, as the timing compares it.
    """
    results, A = [], X
    for W, b in layers:
        Z = W @ A + b[:, None]
        if settle:
            Z = settled(Z, W, A, b)
        A = relu(Z)
        results.append((Z, A))
    return results


def forward_loop_arrays(layers: Layers, X: np.ndarray) -> list[tuple[list, list]]:
    """``forward_arrays`` the slow, obvious way: one input at a time, one dot product at a time.

    Plain Python arithmetic, so it also serves as an independent reference. Returns per layer its
    pre- and post-activations as lists with one list per input (column).
    """
    plain = [(W.tolist(), b.tolist()) for W, b in layers]
    results = [([], []) for _ in plain]
    for x in X.T.tolist():
        for (W, b), (pre, post) in zip(plain, results):
            z = [sum(w * v for w, v in zip(row, x)) + bias for row, bias in zip(W, b)]
            x = [max(v, 0.0) for v in z]
            pre.append(z)
            post.append(x)
    return results
