"""The table of layers: what each layer of a network of a given depth is called.

Every part of batchnet (validation, forward, explain, conversions, exercises, heat maps, controls,
share, bench) iterates this table instead of naming layers itself: allowing a deeper network is a
change of ``MAX_DEPTH`` here.
"""

from __future__ import annotations

import dataclasses
import functools

#: Layers a network may have, each a (W, b) with ReLU after it.
MAX_DEPTH = 4


@dataclasses.dataclass(frozen=True)
class Layer:
    """The names of one layer: ``post = ReLU(pre)``, ``pre = weights · source + bias``.

    Attributes
    ----------
    index : int      1-based: layer 1 reads X
    weights : str    "W1"
    bias : str       "b1"
    pre : str        "H_z": the sums before ReLU
    post : str       "H": after ReLU
    source : str     "X" or the previous layer's ``post``
    unit : str       prefix of its units' labels: "h" gives h1, h2, ...
    output : bool    the last layer, whose units are the outputs y1, y2, ...
    """

    index: int
    weights: str
    bias: str
    pre: str
    post: str
    source: str
    unit: str
    output: bool

    def unit_label(self, row: int) -> str:
        """The label of unit ``row`` (0-based): ``h3``, ``y1``, ``h2.1``."""
        return f"{self.unit}{row + 1}"

    @property
    def role(self) -> str:
        """What its rows are: "hidden" or "outputs"."""
        return "outputs" if self.output else "hidden"


@functools.cache
def layers_of(depth: int) -> tuple[Layer, ...]:
    """The layers of a network ``depth`` layers deep, in the order they are computed.

    The last layer makes Y (units y1, y2, ...). One hidden layer is H (units h1, h2, ...), as in the
    worksheet; several are H1, H2, ... (units h1.1, h1.2, ..., h2.1, ...).

    >>> [(layer.weights, layer.pre, layer.post, layer.source) for layer in layers_of(2)]
    [('W1', 'H_z', 'H', 'X'), ('W2', 'Y_z', 'Y', 'H')]
    >>> [layer.post for layer in layers_of(3)], layers_of(3)[1].unit_label(0)
    (['H1', 'H2', 'Y'], 'h2.1')
    """
    check_depth(depth)
    names = []
    for k in range(1, depth + 1):
        if k == depth:
            post, unit = "Y", "y"
        elif depth == 2:
            post, unit = "H", "h"
        else:
            post, unit = f"H{k}", f"h{k}."
        source = names[-1].post if names else "X"
        names.append(Layer(k, f"W{k}", f"b{k}", f"{post}_z", post, source, unit, k == depth))
    return tuple(names)


def check_depth(depth: object) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"a network has 1 to {MAX_DEPTH} layers, each a (W, b) pair; got {depth!r}")


def field_names(depth: int) -> tuple[str, ...]:
    """A state's fields in the order they are shown and written: W1, b1, W2, b2, ..., X.

    >>> field_names(1)
    ('W1', 'b1', 'X')
    """
    return tuple(name for layer in layers_of(depth) for name in (layer.weights, layer.bias)) + ("X",)


def result_names(depth: int) -> tuple[str, ...]:
    """The results in the order they are computed: H_z, H, Y_z, Y for two layers.

    >>> result_names(1)
    ('Y_z', 'Y')
    """
    return tuple(name for layer in layers_of(depth) for name in (layer.pre, layer.post))


def layer_of_result(depth: int, name: str) -> Layer:
    """The layer that makes the result ``name`` (before or after its ReLU); ``ValueError`` if none does."""
    for layer in layers_of(depth):
        if name in (layer.pre, layer.post):
            return layer
    raise ValueError(f"layer must be one of {', '.join(result_names(depth))}; got {str(name)[:20]!r}")


def unit_label(name: str, row: int) -> str:
    """The label of unit ``row`` (0-based) of the result ``name``: a name has the same units at every
    depth that has it (Y's are y1, y2, ...; H's h1, ...; H2's h2.1, ...).

    >>> unit_label("H_z", 2), unit_label("Y", 0), unit_label("H2", 0)
    ('h3', 'y1', 'h2.1')
    """
    for depth in range(1, MAX_DEPTH + 1):
        for layer in layers_of(depth):
            if name in (layer.pre, layer.post):
                return layer.unit_label(row)
    raise ValueError(f"no layer makes a result called {str(name)[:20]!r}")


def unit_labels(prefix: str, n: int) -> list[str]:
    """``prefix1`` to ``prefixN``: the labels of n units, inputs or entries."""
    return [f"{prefix}{i + 1}" for i in range(n)]


__all__ = ["MAX_DEPTH", "Layer", "check_depth", "field_names", "layer_of_result", "layers_of", "result_names",
           "unit_label", "unit_labels"]
