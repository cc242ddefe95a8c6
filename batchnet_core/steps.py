"""The forward pass one step at a time, for a teacher walking a class through it at a projector.

``walk(state)`` lists every frame of the walk, in order; a page shows one frame at a time, and
Next and Back move along the tuple. A frame says which cell is being made, what lights up, the
sum written so far, and which cells of the results are filled.

The order is the worksheet's: layer by layer, and within a layer **input by input**: every unit
of x1's column (h1, h2, h3, h4), then x2's, and so on. The input column stays lit while the weight
rows go down it, so one input at a time goes through the layer, as the worksheet draws one input
vector meeting the weights; and a column is finished before the next begins, so the "columns" mode
is this same walk with each column done at once (its frames are the "cells" frames that end a
column), and "the batch is just the columns done together" holds at every column.

``mode="cells"``: for each cell, for a layer whose source has n rows, n + 3 frames:

==========  ==================================================  ==============  =========
stage       text                                                fills           activated
==========  ==================================================  ==============  =========
choose      "" (the weight row and the input column light up)   nothing         no
term        "1·2", then "1·2 + (−1)·1", ... (n frames)          nothing         no
sum         "1·2 + (−1)·1 + 1·3 + (−5) = −1"                    the H_z cell    no
activation  "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0"         the H cell      yes
==========  ==================================================  ==============  =========

The last text of a cell is ``explain(state, pre, row, col).text``, to the character.

``mode="columns"``: one frame per layer per input (depth × batch frames), stage "column": the whole
column of the layer's results, before and after ReLU, at once; its text is that column before and
after ReLU: "[−1, 3, 5, 3] → ReLU → [0, 3, 5, 3]".

A frame is small: what it fills is two counts into the walk's order, shared by all its frames,
and masks, values and outlines are worked out when asked for. The largest state (4 layers of 16
units, 16 inputs, a batch of 16: 19,456 frames) walks in about 0.1 s on 2 cores, its sums exact.

>>> from batchnet_core import preset
>>> frames = walk(preset("three-inputs"))
>>> len(frames)
114
>>> for frame in frames[:6]:
...     print(frame.label, frame.stage, frame.text)
H_z[h1, x1] choose
H_z[h1, x1] term 1·2
H_z[h1, x1] term 1·2 + (−1)·1
H_z[h1, x1] term 1·2 + (−1)·1 + 1·3
H_z[h1, x1] sum 1·2 + (−1)·1 + 1·3 + (−5) = −1
H_z[h1, x1] activation 1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0
>>> frames[4].filled("H_z").tolist()[0], frames[4].filled("H").tolist()[0], frames[5].filled("H").tolist()[0]
([True, False, False], [False, False, False], [True, False, False])
>>> print(walk(preset("three-inputs"), "columns")[0].text)
[−1, 3, 5, 3] → ReLU → [0, 3, 5, 3]
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .nn.exact import typed
from .nn.layers import Layer, layer_of_result, layers_of
from .nn.numbers import approximately, format_factor, format_number, shown_exactly
from .nn.state import State

#: What ``walk`` can step through: one cell at a time, or one input column of a layer at a time.
MODES = ("cells", "columns")
#: A frame's stage: the four of a cell (mode "cells"), or a whole column (mode "columns").
STAGES = ("choose", "term", "sum", "activation", "column")


class Outline(NamedTuple):
    """Which parts of one matrix to outline: whole rows, whole columns, single cells (row, col).

    The fields of the heat maps' ``Highlight``: ``Highlight(*outline)`` draws it.
    """

    rows: tuple[int, ...] = ()
    cols: tuple[int, ...] = ()
    cells: tuple[tuple[int, int], ...] = ()


@dataclasses.dataclass(frozen=True, eq=False)
class _Walk:
    """What every frame of one walk shares: the layers, each cell's place in the order in which
    cells fill, and the results' values (the state's own, exact values correctly rounded)."""

    layers: tuple[Layer, ...]
    ranks: tuple[np.ndarray, ...]
    pre: tuple[np.ndarray, ...]
    post: tuple[np.ndarray, ...]


@dataclasses.dataclass(frozen=True)
class Frame:
    """One step of the walk: a page shows it, then the next.

    Attributes
    ----------
    layer : Layer        the names of the layer at work: ``layer.pre`` "H_z", ``layer.post`` "H",
                         ``layer.weights`` "W1", ``layer.bias`` "b1", ``layer.source`` "X"
    row : int or None    the unit being made (0-based); None for a whole column (mode "columns")
    col : int            the input (0-based): the source's column, and the results'
    stage : str          "choose", "term", "sum" or "activation" for one cell; "column" for a whole column
    term : int or None   in stage "term", the product just added: weight ``(row, term)`` times
                         source entry ``(term, col)``
    text : str           the sum written so far (see the module's table)

    ``activated`` tells whether the layer's activation has been applied to the frame's cell or column (its
    post is filled); ``filled(name)``, ``pending(name)`` and ``values(name)`` tell which cells of a result are
    filled; ``outlines()`` what to outline in each matrix.
    """

    layer: Layer
    row: int | None
    col: int
    stage: str
    term: int | None
    text: str
    _summed: int = dataclasses.field(repr=False)  # how many places of the walk's order have their sum
    _walk: _Walk = dataclasses.field(repr=False, compare=False)

    @property
    def activated(self) -> bool:
        """The layer's activation has been applied to this frame's cell or column: its post is filled."""
        return self.stage in ("activation", "column")

    @property
    def pre(self) -> str:
        """The result being summed: "H_z"."""
        return self.layer.pre

    @property
    def post(self) -> str:
        """The result after ReLU: "H"."""
        return self.layer.post

    @property
    def units(self) -> int:
        """How many units (rows) the layer at work has."""
        return self._walk.ranks[self.layer.index - 1].shape[0]

    @property
    def weight_rows(self) -> tuple[int, ...]:
        """The rows of the weights (and of the bias) in use: the unit's, or all of them."""
        return tuple(range(self.units)) if self.row is None else (self.row,)

    @property
    def cells(self) -> tuple[tuple[int, int], ...]:
        """The cells (row, col) of the results this frame is about: one, or the whole column."""
        return tuple((row, self.col) for row in self.weight_rows)

    @property
    def label(self) -> str:
        """The cell's name, ``H_z[h1, x1]``, or the column's, ``H_z[:, x1]``."""
        unit = ":" if self.row is None else self.layer.unit_label(self.row)
        return f"{self.pre}[{unit}, x{self.col + 1}]"

    @property
    def heading(self) -> str:
        """What is computed: ``explain``'s heading for a cell, ``H_z[h1, x1] = (W1 row h1) · (x1) + b1[h1]``;
        for a column, ``H_z[:, x1] = W1 · (x1) + b1``."""
        layer = self.layer
        column = f"x{self.col + 1}" if layer.source == "X" else f"{layer.source} column x{self.col + 1}"
        if self.row is None:
            return f"{self.label} = {layer.weights} · ({column}) + {layer.bias}"
        unit = layer.unit_label(self.row)
        return f"{self.label} = ({layer.weights} row {unit}) · ({column}) + {layer.bias}[{unit}]"

    def filled(self, name: str) -> np.ndarray:
        """Which cells of the result ``name`` ("H_z", "H", "Y_z", ...) are filled in this frame:
        a new boolean array of the result's shape."""
        layer = layer_of_result(len(self._walk.layers), name)
        done = self._summed if name == layer.pre or self.stage != "sum" else self._summed - 1  # ReLU comes next
        return self._walk.ranks[layer.index - 1] < done

    def pending(self, name: str) -> np.ndarray:
        """The cells of the result ``name`` not computed yet: ``~filled(name)``, what a heat map
        draws empty."""
        return ~self.filled(name)

    def values(self, name: str) -> np.ndarray:
        """The result ``name`` as far as the walk has computed it: the value its sums gave where
        filled (what the texts said), NaN where not yet."""
        layer = layer_of_result(len(self._walk.layers), name)
        own = (self._walk.pre if name == layer.pre else self._walk.post)[layer.index - 1]
        return np.where(self.filled(name), own, np.nan)

    def outlines(self) -> dict[str, Outline]:
        """What to outline, by matrix name: the weight row(s) and their bias, the source column
        and the result cell(s), before and after ReLU; in stage "term" also the weight and the
        source entry of the product just added, in stage "sum" the bias entry.

        >>> from batchnet_core import preset
        >>> walk(preset("three-inputs"))[2].outlines()["X"]
        Outline(rows=(), cols=(0,), cells=((1, 0),))
        """
        layer, rows = self.layer, self.weight_rows
        term = self.term is not None
        results = Outline(cols=(self.col,)) if self.row is None else Outline(cells=self.cells)
        return {
            layer.weights: Outline(rows=rows, cells=((self.row, self.term),) if term else ()),
            layer.bias: Outline(rows=rows, cells=((self.row, 0),) if self.stage == "sum" else ()),
            layer.source: Outline(cols=(self.col,), cells=((self.term, self.col),) if term else ()),
            layer.pre: results,
            layer.post: results,
        }


_new, _set = object.__new__, object.__setattr__


def _frame(layer: Layer, row: int | None, col: int, stage: str, term: int | None, text: str, summed: int,
           shared: _Walk) -> Frame:
    """``Frame(...)`` at half the cost: a frozen dataclass's ``__init__`` writes each field through
    ``object.__setattr__``, one call each, and that is most of the time of a walk of 20,000 frames."""
    frame = _new(Frame)
    _set(frame, "__dict__", {"layer": layer, "row": row, "col": col, "stage": stage, "term": term, "text": text,
                             "_summed": summed, "_walk": shared})
    return frame


def walk(state: State, mode: str = "cells") -> tuple[Frame, ...]:
    """Every frame of the forward pass of ``state``, in order (the module's docstring shows them).

    Parameters
    ----------
    state : State
    mode : {"cells", "columns"}
        "cells": one dot product at a time, term by term, then its ReLU; "columns": one input's
        whole column of one layer at a time.

    Returns
    -------
    tuple of Frame
        "cells": for each layer, units × batch × (the layer's source rows + 3) frames;
        "columns": depth × batch frames.

    Raises
    ------
    ValueError
        ``state`` is not a State, or ``mode`` is none of ``MODES``.
    """
    if not isinstance(state, State):
        raise ValueError(f"state must be a State, such as preset('three-inputs'); got {type(state).__name__}")
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}; got {str(mode)[:20]!r}")
    layers = layers_of(state.depth)
    exact = state.exact_results()
    # the inputs explain reads: X as typed, then each layer's exact activation
    sources = [np.array([[typed(v) for v in row] for row in state.X.tolist()], dtype=object)] + \
        [post.fractions() for _, post in exact[:-1]]
    pre = [Z for Z, _ in state.results()]
    post = [A for _, A in state.results()]
    ranks, offset = [], 0
    for z in pre:
        units, batch = z.shape
        if mode == "cells":  # input by input, unit by unit
            rank = offset + np.arange(units * batch).reshape(batch, units).T
        else:  # a column at a time
            rank = np.broadcast_to(offset + np.arange(batch), (units, batch))
        rank.setflags(write=False)
        ranks.append(rank)
        offset += rank.size if mode == "cells" else batch
    shared = _Walk(layers, tuple(ranks), tuple(pre), tuple(post))
    frames: list[Frame] = []
    position = 0
    for layer, (W, b), source, (Z, A), activation in zip(layers, state.layers, sources, exact,
                                                         state.activation_entries):
        weights = [[typed(w) for w in row] for row in W.tolist()]
        biases = [typed(v) for v in b.tolist()]
        totals, activated = Z.fractions(), A.fractions()
        written = [[format_factor(w) for w in row] for row in weights]
        # "=" or "≈" as ``written_sum`` decides it, from each number's own verdict worked out once
        rows_exact = [all(map(shown_exactly, row)) and shown_exactly(bias) for row, bias in zip(weights, biases)]
        for c in range(source.shape[1]):
            column = source[:, c].tolist()
            factors = [format_factor(v) for v in column]
            column_exact = all(map(shown_exactly, column))
            if mode == "columns":
                position += 1
                outputs = activated[:, c]
                rounded = "≈ " if not all(map(shown_exactly, outputs)) else ""
                text = (f"[{', '.join(map(format_number, totals[:, c]))}] → {activation.label} → "
                        f"{rounded}[{', '.join(map(format_number, outputs))}]")
                frames.append(_frame(layer, None, c, "column", None, text, position, shared))
                continue
            for r, (row_factors, bias) in enumerate(zip(written, biases)):
                total = totals[r, c]
                frames.append(_frame(layer, r, c, "choose", None, "", position, shared))
                text = ""
                for j, (w, v) in enumerate(zip(row_factors, factors)):
                    text = f"{text} + {w}·{v}" if j else f"{w}·{v}"
                    frames.append(_frame(layer, r, c, "term", j, text, position, shared))
                sign = "=" if rows_exact[r] and column_exact and shown_exactly(total) else "≈"
                text = f"{text} + {format_factor(bias)} {sign} {format_number(total)}"
                frames.append(_frame(layer, r, c, "sum", None, text, position + 1, shared))
                position += 1
                value = activated[r, c]
                text = f"{text} → {activation.label} → {approximately(value)}{format_number(value)}"
                frames.append(_frame(layer, r, c, "activation", None, text, position, shared))
    return tuple(frames)


__all__ = ["MODES", "STAGES", "Frame", "Outline", "walk"]
