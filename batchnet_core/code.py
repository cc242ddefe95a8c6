"""A state as a script that rebuilds it and prints its results, run on its own."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .formats import rows
from .layers import layers_of


def _literal(array: np.ndarray) -> str:
    return repr(rows(array))


def script(layers: Sequence[tuple[np.ndarray, np.ndarray]], X: np.ndarray) -> str:
    """A numpy script in the worksheet's own terms: named inputs stacked as columns, one line a layer."""
    names = layers_of(len(layers))
    lines = ["import numpy as np", "", "# The network: one row of weights per unit, one bias per unit"]
    for layer, (W, b) in zip(names, layers):
        lines += [f"{layer.weights} = np.array({_literal(W)})", f"{layer.bias} = np.array({_literal(b)})"]
    lines += ["", "# The batch: each input vector is one column of X"]
    inputs = [f"x{j + 1}" for j in range(X.shape[1])]
    lines += [f"{name} = np.array({_literal(x)})" for name, x in zip(inputs, X.T)]
    lines += [f"X = np.column_stack([{', '.join(inputs)}])", "",
              "# Every input at once: each cell is (row of weights) · (column of X) + bias"]
    for layer in names:
        lines += [f"{layer.pre} = {layer.weights} @ {layer.source} + {layer.bias}[:, None]",
                  f"{layer.post} = np.maximum({layer.pre}, 0)  # ReLU"]
    results = ", ".join(f'("{name}", {name})' for layer in names for name in (layer.pre, layer.post))
    lines += ["", f"for name, value in [{results}]:", '    print(f"{name} =\\n{value}\\n")', ""]
    return "\n".join(lines)
