"""Three notations of the same numbers: how each matrix is written down, titled and labelled.

The worksheet writes W·X + b, inputs as columns. PyTorch and most libraries write X·Wᵀ + b, inputs
as rows (``nn.Linear`` stores W as out × in). The AI-by-Hand worksheets write [W | b]·[X; 1]: a 1
appended to each input, the bias as W's last column. Heat maps, explanations, the code and the
printed worksheet all ask this module how to show a matrix; a new notation is a new entry in
``NOTATIONS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from .nn.activations import activations_of
from .nn.layers import Layer, layers_of, unit_labels
from .nn.numbers import approximately, format_factor, format_number, written_sum

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

    def cell(self, name: str, unit: str, col: int) -> str:
        """A result's cell named by the row, then the column, it is drawn in: ``H_z[h3, x2]``; with
        inputs as rows ``H_z[x2, h3]``. ``unit`` ":" names a whole input: ``H_z[:, x2]``, ``H_z[x2, :]``."""
        x = f"x{col + 1}"
        return f"{name}[{x}, {unit}]" if self.transposed else f"{name}[{unit}, {x}]"

    def shape(self, rows: int, cols: int) -> tuple[int, int]:
        """A matrix of the model (units × batch, or W's out × in) as this notation draws it."""
        return (cols, rows) if self.transposed else (rows, cols)

    def _input(self, layer: Layer, col: int) -> str:
        """The input a layer reads for input ``col``: ``x2``, or the previous result's row or column of it."""
        if layer.source == "X":
            return f"x{col + 1}"
        return f"{layer.source} {'row' if self.transposed else 'column'} x{col + 1}"

    def heading(self, layer: Layer, row: int | None, col: int) -> str:
        """The first line of a cell's explanation, or of a step: which row meets which column.

        In the worksheet's notation: ``H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]``; with inputs as rows
        ``H_z[x2, h3] = (x2) · (W1ᵀ column h3) + b1[h3]``. ``row`` None is the whole input at once:
        ``H_z[:, x2] = W1 · (x2) + b1``.
        """
        W, b, x = layer.weights, layer.bias, self._input(layer, col)
        if row is None:
            label = self.cell(layer.pre, ":", col)
            if self.transposed:
                return f"{label} = ({x}) · {W}ᵀ + {b}"
            if self.augmented:
                return f"{label} = [{W} | {b}] · [{x}; 1]"
            return f"{label} = {W} · ({x}) + {b}"
        unit = layer.unit_label(row)
        label = self.cell(layer.pre, unit, col)
        if self.transposed:
            return f"{label} = ({x}) · ({W}ᵀ column {unit}) + {b}[{unit}]"
        if self.augmented:
            return f"{label} = ([{W} | {b}] row {unit}) · ([{x}; 1])"
        return f"{label} = ({W} row {unit}) · ({x}) + {b}[{unit}]"

    def numbers(self, e) -> str:
        """An explanation's two vectors, as the notation writes them: ``[1, −1, 1] · [2, 1, 3] + (−5)``."""
        weights = ", ".join(format_number(w) for w, _, _ in e.exact_terms)
        inputs = ", ".join(format_number(v) for _, v, _ in e.exact_terms)
        if self.augmented:
            return f"[{weights}, {format_number(e.exact_bias)}] · [{inputs}, 1]"
        if self.transposed:
            return f"[{inputs}] · [{weights}] + {format_number(e.exact_bias)}"
        return f"[{weights}] · [{inputs}] + {format_number(e.exact_bias)}"

    def across(self, e, values) -> str:
        """What the same weights make for every input of the batch (``values``, one per input).

        ``The same row of W1 and the same bias make row h3 for every input in the batch: x1 → 0, …``
        """
        made = ", ".join(f"x{j + 1} → {format_number(v)}" for j, v in enumerate(values))
        if self.transposed:
            return (f"The same column of {e.weights}ᵀ and the same bias make column {e.unit} for every input "
                    f"in the batch: {made}.")
        if self.augmented:
            return (f"The same row of [{e.weights} | {e.bias_name}] makes row {e.unit} for every input in the "
                    f"batch: {made}.")
        return (f"The same row of {e.weights} and the same bias make row {e.unit} for every input in the "
                f"batch: {made}.")

    def products(self, e, count: int | None = None) -> str:
        """The first ``count`` products of an explanation (all by default), written in this notation.

        Inputs as rows write each product input first (x · Wᵀ): ``2·1 + 1·(−1)``.
        """
        pairs = [(v, w) if self.transposed else (w, v) for w, v, _ in e.exact_terms[:count]]
        return " + ".join(f"{format_factor(a)}·{format_factor(b)}" for a, b in pairs)

    def sum_text(self, e) -> str:
        """An explanation's sum written in this notation: ``1·2 + (−1)·1 + 1·3 + (−5) = −1``.

        The bias as W's last column meets its 1.
        """
        weights, inputs = [w for w, _, _ in e.exact_terms], [v for _, v, _ in e.exact_terms]
        return written_sum(weights, inputs, e.exact_bias, e.exact_total, self.transposed, self.augmented)

    def text(self, e) -> str:
        """The sum, then its activation: ``… = −1 → ReLU → 0``."""
        return f"{self.sum_text(e)} → {e.activation} → {approximately(e.exact_activated)}" \
               f"{format_number(e.exact_activated)}"

    def step_text(self, e, stage: str, term: int | None = None) -> str:
        """What a step of the walk (``batchnet_core.steps``) of the cell ``e`` explains has written so far.

        ``stage`` "choose": nothing yet; "term": the products up to ``term`` (0-based); "sum": the sum;
        "activation": the sum, then its activation. In the worksheet's notation these are the walk's own texts.
        """
        if stage == "choose":
            return ""
        if stage == "term":
            return self.products(e, term + 1)
        return self.sum_text(e) if stage == "sum" else self.text(e)

    def step_words(self, frame, e=None) -> tuple[str, str, str]:
        """A step of the walk (a ``batchnet_core.steps.Frame``) as this notation writes it: the name of
        its cell (or input), its heading and the sum written so far. ``e`` is ``explain`` of the frame's
        cell; a frame of a whole input (mode "columns") needs none.

        >>> from batchnet_core import explain, preset, walk
        >>> s = preset("three-inputs")
        >>> frame = walk(s)[2]
        >>> NOTATIONS["rows"].step_words(frame, explain(s, frame.pre, frame.row, frame.col))
        ('H_z[x1, h1]', 'H_z[x1, h1] = (x1) · (W1ᵀ column h1) + b1[h1]', '2·1 + 1·(−1)')
        >>> NOTATIONS["rows"].step_words(walk(s, "columns")[0])
        ('H_z[x1, :]', 'H_z[x1, :] = (x1) · W1ᵀ + b1', '[−1, 3, 5, 3] → ReLU → [0, 3, 5, 3]')
        """
        layer = frame.layer
        if frame.row is None:
            return self.cell(layer.pre, ":", frame.col), self.heading(layer, None, frame.col), frame.text
        return (self.cell(layer.pre, layer.unit_label(frame.row), frame.col), self.heading(layer, frame.row, frame.col),
                self.step_text(e, frame.stage, frame.term))

    def how_to_start(self, layer: Layer) -> str:
        """What a step-through's first step of a cell asks, before any product is written."""
        if self.transposed:
            return (f"Multiply each entry of the input's row by the weight in the same place of the column of "
                    f"{layer.weights}ᵀ, then add the bias.")
        return "Multiply each weight of the row by the input entry below it, then add the bias."

    def inputs_title(self, inputs: int, batch: int) -> str:
        """The title of X's controls: ``X: inputs as columns (3 × 3)``, or as rows (batch × inputs)."""
        rows, cols = self.shape(inputs, batch)
        return f"X: inputs as {'rows' if self.transposed else 'columns'} ({rows} × {cols})"

    def weights_controls_title(self, layer: Layer, units: int, inputs: int) -> str:
        """The title of a layer's weight controls, with the shapes drawn: ``W1 | b1 (4 × 3 | 4)``,
        ``W1ᵀ ; b1 (3 × 4 ; 4)``, ``[W1 | b1] (4 × 4)``."""
        title = self.weights_title(layer)
        if self.transposed:
            return f"{title} ({inputs} × {units} ; {units})"
        if self.augmented:
            return f"{title} ({units} × {inputs + 1})"
        return f"{title} ({units} × {inputs} | {units})"


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


def panels(sizes: tuple[int, ...], convention: str = "columns", activations: Sequence[str] | None = None,
           ) -> tuple[Panel, ...]:
    """The worksheet's heat maps for a network of these sizes, in reading order, drawn in a notation.

    ``sizes`` is ``State.sizes``: (inputs, units of each layer..., batch); ``activations`` is
    ``State.activations`` (ReLU for every layer unless given), which the results' titles name.

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
    chosen = activations_of(activations, len(widths))
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
        title = f"{layer.post} = {chosen[layer.index - 1].written.format(z=layer.pre)}"
        shown.append(batch_panel(layer.post, title, units, (layer.post,), (k, 2), layer.post, layer,
                                 ones=not layer.output, draw=lambda m, name=layer.post: m[name]))
        columns = units
    return tuple(shown)


__all__ = ["CONSTANT_ROW", "NOTATIONS", "Notation", "Panel", "notation", "panels"]
