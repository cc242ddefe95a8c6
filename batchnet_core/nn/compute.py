"""The forward pass on plain arrays, exact in the numbers as typed (``exact.Exact``) and in bare floats,
batched and one input at a time, each layer applying its activation from the table (``activations``)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .activations import RELU, Activation
from .exact import Exact, typed

Layers = Sequence[tuple[np.ndarray, np.ndarray]]
#: Each layer's activation, in order; None: ReLU for every layer (the worksheet's).
Activations = Sequence[Activation] | None


def each_layer(activations: Activations, depth: int) -> Sequence[Activation]:
    return (RELU,) * depth if activations is None else activations


ExactResults = list[tuple[Exact, Exact]]


def exact_layers(layers: Layers) -> list[tuple[Exact, Exact]]:
    """Each layer's (W, b) as the decimals typed."""
    return [(Exact.of(W), Exact.of(b)) for W, b in layers]


def forward_exact(layers: Sequence[tuple[Exact, Exact]], X: Exact, activations: Activations = None) -> ExactResults:
    """Each layer's (pre-activation, its activation of it), exactly: Z = W·A + b, one product per layer."""
    results, A = [], X
    for (W, b), activation in zip(layers, each_layer(activations, len(layers))):
        Z = W @ A + Exact(b.digits[:, None], b.scale)
        A = activation.exact(Z)
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


def forward_arrays(layers: Layers, X: np.ndarray, activations: Activations = None,
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's (pre-activation, its activation of it) for the batch X: the exact values, as floats."""
    return floats_of(forward_exact(exact_layers(layers), Exact.of(X), activations))


def forward_floats(layers: Layers, X: np.ndarray, activations: Activations = None,
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The bare float arithmetic, one matrix product per layer: what the timing compares, and training
    on data that was never typed (the mini-batch comparison's random points)."""
    results, A = [], X
    for (W, b), activation in zip(layers, each_layer(activations, len(layers))):
        Z = W @ A + b[:, None]
        A = activation.values(Z)
        results.append((Z, A))
    return results


def forward_loop_floats(layers: Layers, X: np.ndarray, activations: Activations = None) -> list[tuple[list, list]]:
    """``forward_floats`` the slow, obvious way, as the timing compares it: one input at a time, one dot
    product at a time, in plain Python floats. Per layer its pre- and post-activations, one list per input."""
    plain = [(W.tolist(), b.tolist()) for W, b in layers]
    chosen = each_layer(activations, len(layers))
    results = [([], []) for _ in plain]
    for x in X.T.tolist():
        for (W, b), (pre, post), activation in zip(plain, results, chosen):
            z = [sum(w * v for w, v in zip(row, x)) + bias for row, bias in zip(W, b)]
            x = [activation.value_of(v) for v in z]
            pre.append(z)
            post.append(x)
    return results


def forward_loop_exact(layers: Layers, X: np.ndarray, activations: Activations = None) -> list[tuple[list, list]]:
    """The forward pass by hand: one input at a time, one dot product at a time, in exact fractions of
    the decimals typed. Per layer its pre- and post-activations, one list of ``Fraction`` per input."""
    plain = [([[typed(w) for w in row] for row in W.tolist()], [typed(v) for v in b.tolist()]) for W, b in layers]
    chosen = each_layer(activations, len(layers))
    results = [([], []) for _ in plain]
    for column in X.T.tolist():
        x = [typed(v) for v in column]
        for (W, b), (pre, post), activation in zip(plain, results, chosen):
            z = [sum((w * v for w, v in zip(row, x)), Fraction(0)) + bias for row, bias in zip(W, b)]
            x = [activation.exact_of(v) for v in z]
            pre.append(z)
            post.append(x)
    return results
