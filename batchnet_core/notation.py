"""Three notations of the same numbers: how each matrix is written down, titled and labelled.

The worksheet writes W·X + b, inputs as columns. PyTorch and most libraries write X·Wᵀ + b, inputs
as rows (``nn.Linear`` stores W as out × in). The AI-by-Hand worksheets write [W | b]·[X; 1]: a 1
appended to each input, the bias as W's last column. Heat maps, explanations, the code and the
printed worksheet all ask this module how to show a matrix; a new notation is a new entry in
``NOTATIONS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from .layers import Layer, layers_of, unit_labels
from .numbers import format_number, written_sum

#: How the augmented notation labels the row of 1s it appends to a layer's input: a constant, not an input
#: (X's inputs are rows 1, 2, 3, …); it meets W's last column, the bias b.
CONSTANT_ROW = "const"


@dataclasses.dataclass(frozen=True)
class Notation:
    """One way of writing the network down.

    Attributes
    ----------
    name : str         "columns", "rows" or "augmented": what ``State.to_code`` takes
    label : str        how the page's switch names it
    transposed : bool  inputs as rows: every matrix drawn transposed
    augmented : bool   the bias as W's last column, a row of 1s under each layer's input
    """

    name: str
    label: str
    transposed: bool = False
    augmented: bool = False

    def formula(self, layer: Layer) -> str:
        """How a layer's sums are made: ``H_z = W1·X + b1``, ``H_z = X·W1ᵀ + b1``, ``H_z = [W1 | b1]·[X; 1]``."""
        W, b, source = layer.weights, layer.bias, layer.source
        if self.transposed:
            return f"{layer.pre} = {source}·{W}ᵀ + {b}"
        if self.augmented:
            return f"{layer.pre} = [{W} | {b}]·[{source}; 1]"
        return f"{layer.pre} = {W}·{source} + {b}"

    def weights_title(self, layer: Layer) -> str:
        if self.transposed:
            return f"{layer.weights}ᵀ ; {layer.bias}"
        if self.augmented:
            return f"[{layer.weights} | {layer.bias}]"
        return f"{layer.weights} | {layer.bias}"

    def heading(self, label: str, layer: Layer, unit: str, col: int) -> str:
        """The first line of a cell's explanation: which row meets which column.

        In the worksheet's notation: ``H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]``.
        """
        x = f"x{col + 1}" if layer.source == "X" else f"{layer.source} column x{col + 1}"
        if self.transposed:
            x = f"x{col + 1}" if layer.source == "X" else f"{layer.source} row x{col + 1}"
            return f"{label} = ({x}) · ({layer.weights}ᵀ column {unit}) + {layer.bias}[{unit}]"
        if self.augmented:
            return f"{label} = ([{layer.weights} | {layer.bias}] row {unit}) · ([{x}; 1])"
        return f"{label} = ({layer.weights} row {unit}) · ({x}) + {layer.bias}[{unit}]"

    def sum_text(self, e) -> str:
        """An explanation's sum written in this notation: ``1·2 + (−1)·1 + 1·3 + (−5) = −1``.

        Inputs as rows write each product input first (x · Wᵀ); the bias as W's last column meets its 1.
        """
        weights, inputs = [w for w, _, _ in e.exact_terms], [v for _, v, _ in e.exact_terms]
        return written_sum(weights, inputs, e.exact_bias, e.exact_total, self.transposed, self.augmented)

    def text(self, e) -> str:
        """The sum, then its ReLU: ``… = −1 → ReLU → 0``."""
        return f"{self.sum_text(e)} → ReLU → {format_number(max(e.exact_total, 0))}"


NOTATIONS = {
    "columns": Notation("columns", "W·X + b (inputs as columns)"),
    "rows": Notation("rows", "X·Wᵀ + b (inputs as rows)", transposed=True),
    "augmented": Notation("augmented", "[W | b]·[X; 1] (bias in W)", augmented=True),
}


def notation(name: object) -> Notation:
    """The notation called ``name``; ``ValueError`` naming the choices otherwise."""
    if not isinstance(name, str) or name not in NOTATIONS:
        raise ValueError(f"convention must be one of {', '.join(NOTATIONS)}; got {str(name)[:20]!r}")
    return NOTATIONS[name]


@dataclasses.dataclass(frozen=True)
class Panel:
    """One heat map of the worksheet as a notation draws it.

    Attributes
    ----------
    key : str                 "X", "W1|b1", "H_z", "H", ...: stable across notations
    title : str
    row_labels, col_labels : list of str   of the drawn matrix
    matrices : tuple of str   the model's matrices shown (their value tables are its text alternative)
    place : (row, column)     in the staircase, 0-based: X above layer 1's sums, each layer's weights left
    result : str or None      the result it shows (H_z, H, ...), whose cells can be explained
    split_after : int or None draw a line after this column (between W and b)
    faded_rows : tuple of int the appended row of 1s, drawn faded
    layer : Layer or None     the layer whose weights or results it shows
    """

    key: str
    title: str
    row_labels: list[str]
    col_labels: list[str]
    matrices: tuple[str, ...]
    place: tuple[int, int]
    result: str | None = None
    split_after: int | None = None
    faded_rows: tuple[int, ...] = ()
    layer: Layer | None = None
    transposed: bool = False
    draw: Callable[[dict[str, np.ndarray]], np.ndarray] = dataclasses.field(default=lambda m: m["X"], repr=False)

    def at(self, row: int, col: int) -> tuple[int, int]:
        """Where the model's cell (unit ``row``, input ``col``) of a result is drawn."""
        return (col, row) if self.transposed else (row, col)


def panels(sizes: tuple[int, ...], convention: str = "columns") -> tuple[Panel, ...]:
    """The worksheet's heat maps for a network of these sizes, in reading order, drawn in a notation.

    ``sizes`` is ``State.sizes``: (inputs, units of each layer..., batch).

    >>> [p.title for p in panels((3, 4, 2, 3))]
    ['X (inputs)', 'W1 | b1', 'H_z = W1·X + b1', 'H = ReLU(H_z)', 'W2 | b2', 'Y_z = W2·H + b2', 'Y = ReLU(Y_z)']
    >>> [p.title for p in panels((3, 4, 2, 3), "rows")][:3]
    ['X (inputs as rows)', 'W1ᵀ ; b1', 'H_z = X·W1ᵀ + b1']
    >>> panels((3, 4, 2, 3), "augmented")[0].row_labels
    ['1', '2', '3', 'const']
    """
    n = notation(convention)
    inputs, *widths, batch = sizes
    layers = layers_of(len(widths))
    xs = unit_labels("x", batch)

    def batch_panel(key, title, rows, matrices, place, result=None, layer=None, ones=False, draw=None):
        """A matrix with one column per input (X, a result), transposed or with its row of 1s as asked."""
        if n.transposed:
            return Panel(key, title, xs, rows, matrices, place, result, layer=layer, transposed=True,
                         draw=lambda m: draw(m).T)
        if ones and n.augmented:
            shown_title = f"[{key}; 1]: {title}" if result else "[X; 1] (inputs, then a 1)"
            return Panel(key, shown_title, rows + [CONSTANT_ROW], xs, matrices, place, result, faded_rows=(len(rows),),
                         layer=layer, draw=lambda m: np.vstack([draw(m), np.ones((1, draw(m).shape[1]))]))
        return Panel(key, title, rows, xs, matrices, place, result, layer=layer, draw=draw)

    shown = [batch_panel("X", "X (inputs as rows)" if n.transposed else "X (inputs)", unit_labels("", inputs),
                         ("X",), (0, 1), ones=True, draw=lambda m: m["X"])]
    columns = unit_labels("", inputs)
    for k, layer in enumerate(layers, start=1):
        units = [layer.unit_label(r) for r in range(widths[k - 1])]

        def weights(m, layer=layer):
            return np.column_stack([m[layer.weights], m[layer.bias]])

        if n.transposed:
            shown.append(Panel(f"{layer.weights}|{layer.bias}", n.weights_title(layer), columns + ["b"], units,
                               (layer.weights, layer.bias), (k, 0), layer=layer, transposed=True,
                               draw=lambda m, weights=weights: weights(m).T))
        else:
            shown.append(Panel(f"{layer.weights}|{layer.bias}", n.weights_title(layer), units, columns + ["b"],
                               (layer.weights, layer.bias), (k, 0), split_after=len(columns) - 1, layer=layer,
                               draw=weights))
        shown.append(batch_panel(layer.pre, n.formula(layer), units, (layer.pre,), (k, 1), layer.pre, layer,
                                 draw=lambda m, name=layer.pre: m[name]))
        title = f"{layer.post} = ReLU({layer.pre})"
        shown.append(batch_panel(layer.post, title, units, (layer.post,), (k, 2), layer.post, layer,
                                 ones=not layer.output, draw=lambda m, name=layer.post: m[name]))
        columns = units
    return tuple(shown)


__all__ = ["CONSTANT_ROW", "NOTATIONS", "Notation", "Panel", "notation", "panels"]
