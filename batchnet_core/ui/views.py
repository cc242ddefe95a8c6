"""The results as the page shows them: heat maps with their value tables, the explanation and the code."""

from __future__ import annotations

import dataclasses
import html

import ipywidgets as widgets
import numpy as np

from ..nn.activations import names_of
from ..nn.forward import Explanation, Trace
from ..nn.layers import layer_of_result, layers_of, unit_labels
from ..nn.state import State
from ..notation import Panel, notation, panels
from ..steps import Frame
from .common import plain_look
from .drawing import (
    Buttons,
    DrawnPanels,
    HeatmapDrawing,
    Table,
    frame_of,
    panel_frame,
    panel_key,
    parts_of,
    table,
    table_numbers,
)
from .heatmap import NO_HIGHLIGHT, HeatmapPanel, Highlight

#: Heat map panels of the worksheet's two layers, in worksheet order (``notation.panels`` gives any depth's).
PANELS = tuple(panel.key for panel in panels((3, 4, 2, 3)))


@dataclasses.dataclass(frozen=True)
class Selection:
    """The cell being explained: unit ``row`` of the layer whose sums are ``layer`` ("H_z", "Y_z", ...),
    input ``col``; ``relu``: chosen in the result after ReLU (H, Y, ...), whose cell the explanation heads."""

    layer: str = "H_z"
    row: int = 0
    col: int = 0
    relu: bool = False


def html_widget(value: str = "", *classes: str) -> widgets.HTML:
    """An HTML widget sharing one layout and one style with every other made here.

    Each widget otherwise brings a layout and a style of its own: two more models for the
    kernel to open and the page to create before it shows anything. Give a widget whose
    layout will change its own ``widgets.HTML``.
    """
    layout, style = plain_look()
    widget = widgets.HTML(value, layout=layout, style=style)
    for name in classes:
        widget.add_class(name)
    return widget


def _scale(*arrays: np.ndarray) -> float:
    """Half-width of a colour scale centred at 0 that fits every array given."""
    return max(max(float(np.abs(a).max()) for a in arrays), 1.0)


def colour_scales(state: State, trace: Trace) -> dict[str, float]:
    """The half-width of each matrix's colour scale, by name ("X", "W1", "b1", ..., "H_z", "H", ...).

    One scale for the numbers set, X and every W and b: a number has one colour in all of them, so
    weights side by side compare. One for each layer's results, its sums and their ReLU together, so
    a cell before and after ReLU compare; results grow with the sums, and on the scale of the numbers
    set they would crowd its ends. A tanh's or sigmoid's outputs, within ±1, have a scale of their own,
    where on their sums' they would all look alike. Each scale reaches from −m to m, m the largest size
    on it, at least 1.

    >>> import batchnet_core as bn
    >>> s = bn.preset("three-inputs")
    >>> scales = colour_scales(s, bn.forward(s))
    >>> scales["W1"], scales["W2"], scales["X"], scales["H_z"], scales["H"], scales["Y_z"], scales["Y"]
    (5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0)
    """
    given = dict(state.items())
    scales = dict.fromkeys(given, _scale(*given.values()))
    for layer in layers_of(state.depth):
        scales[layer.pre] = scales[layer.post] = _scale(trace[layer.pre])
        if not trace.activation(layer.post).keeps_decimals:  # tanh, sigmoid: within ±1, on a scale of their own
            scales[layer.post] = _scale(trace[layer.post])
    return scales


class HeatmapViews(DrawnPanels):
    """Heat map panels (every panel of the worksheet, or those named), drawn by the page from numbers.

    Each panel is a figure: its picture, drawn in SVG (``drawing.HeatmapDrawing``), and the tables of
    its numbers as its text alternative; over each result's picture, one button per cell
    (``data-cell="H_z,2,1"``: the result, unit, input, 0-based whatever the notation) that explains it.
    What lies where is sent once (``frame``); a change sends the panels' texts and colour indices, the
    tables' numbers and the outlines, only those that changed, in one message.

    Parameters
    ----------
    sizes : ``State.sizes`` (inputs, units of each layer..., batch)
    theme : {"light", "dark"}
    names : the keys of the panels shown ("X", "W1|b1", "H_z", ...), in order; all by default
    grid : place each panel in a CSS grid where ``notation.panels`` puts it (offset by one row and two
        columns, for the controls); without it the panels flow in a row
    convention : a notation of ``batchnet_core.notation``
    activations : ``State.activations``, which the results' titles name (ReLU for every layer by default)
    widget : the drawing to draw in (a page keeps one for every size, notation and theme); a new one by default
    """

    def __init__(self, sizes: tuple[int, ...], theme: str = "light", names: tuple[str, ...] | None = None,
                 grid: bool = False, convention: str = "columns", widget: HeatmapDrawing | None = None,
                 activations: tuple[str, ...] | None = None) -> None:
        self.sizes, self.convention, self.grid, self.theme = tuple(sizes), convention, grid, theme
        self.activations = names_of(activations, len(self.sizes) - 2)
        self.notation = notation(convention)
        self.layout = {panel.key: panel for panel in panels(self.sizes, convention, self.activations)}
        self.names = tuple(names) if names is not None else tuple(self.layout)
        inputs, *widths, batch = self.sizes
        xs = unit_labels("x", batch)
        # each matrix's row and column headers, in its value table: always in the model's orientation
        self.headers = {"X": (unit_labels("", inputs), xs)}
        columns = unit_labels("", inputs)
        for layer, units in zip(layers_of(len(widths)), widths):
            rows = [layer.unit_label(r) for r in range(units)]
            self.headers.update({layer.weights: (rows, columns), layer.bias: (rows, [layer.bias]),
                                 layer.pre: (rows, xs), layer.post: (rows, xs)})
            columns = rows
        self.panels = {
            name: HeatmapPanel(self.layout[name].title, self.layout[name].row_labels, self.layout[name].col_labels,
                               split_after=self.layout[name].split_after, theme=theme)
            for name in self.names
        }
        self.frame = frame_of(theme, [(None, [panel_key(n) for n in self.names])],
                              [self._panel_frame(name) for name in self.names])
        self.widget = widget if widget is not None else HeatmapDrawing()
        self.widget.add_class("bn-heatmaps")
        super().__init__()
        self.renders = 0
        self._kept: dict[tuple, tuple] = {}  # what ``_made`` made last, and from what

    def _panel_frame(self, name: str) -> dict:
        panel = self.layout[name]
        tables = [self._table(panel, m) for m in panel.matrices]
        buttons = None
        if panel.result is not None:
            units, batch = (len(panel.col_labels), len(panel.row_labels)) if panel.transposed else (
                len(panel.row_labels) - len(panel.faded_rows), len(panel.col_labels))
            cells = tuple((f"{panel.result},{r},{c}", panel.at(r, c),
                           self.notation.cell(panel.result, panel.layer.unit_label(r), c))
                          for r, c in np.ndindex(units, batch))
            buttons = Buttons(cells, f"bn-cells-{panel_key(name)}")
        relu = panel.result is not None and panel.result == panel.layer.post
        return panel_frame(panel_key(name), self.panels[name], style=self._place(panel), tables=tables, relu=relu,
                           buttons=buttons)

    def update(self, state: State, trace: Trace, selection: Selection | None) -> None:
        """Draw the panels and send what changed; nothing is sent if nothing did."""
        self.show(self.draw(state, trace, selection))

    def step_highlights(self, frame: Frame) -> dict[str, Highlight]:
        """What a step of the walk outlines in each panel, as the notation draws it."""
        outlines = frame.outlines()
        light = {}
        for key, panel in self.layout.items():
            parts = [outlines.get(m) for m in panel.matrices]
            if not any(parts):
                continue
            rows, cols, cells = set(), set(), set()
            # a bias sits right of its weights in the panel W | b
            offsets = {name: 0 if k == 0 else len(self.headers[panel.matrices[0]][1])
                       for k, name in enumerate(panel.matrices)}
            for name, part in zip(panel.matrices, parts):
                if part is not None:
                    rows |= set(part.rows)
                    cols |= {c + offsets[name] for c in part.cols}
                    cells |= {(r, c + offsets[name]) for r, c in part.cells}
            if panel.transposed:
                rows, cols, cells = cols, rows, {(c, r) for r, c in cells}
            light[key] = Highlight(rows=tuple(sorted(rows)), cols=tuple(sorted(cols)), cells=tuple(sorted(cells)))
        return light

    def highlights(self, state: State, selection: Selection | None) -> dict[str, Highlight]:
        """What the selected cell outlines in each panel: its weight row, its input column, the cell."""
        if selection is None:
            return {}
        layer = layer_of_result(state.depth, selection.layer)
        r, c = selection.row, selection.col
        source = self.layout["X" if layer.source == "X" else layer.source]
        weights = self.layout[f"{layer.weights}|{layer.bias}"]
        light = {source.key: Highlight(rows=(c,)) if source.transposed else Highlight(cols=(c,)),
                 weights.key: Highlight(cols=(r,)) if weights.transposed else Highlight(rows=(r,))}
        for name in (layer.pre, layer.post):
            light[name] = Highlight(cells=(self.layout[name].at(r, c),))
        return light

    def draw(self, state: State, trace: Trace, selection: Selection | None, frame: Frame | None = None,
             blanks: frozenset[str] | None = None) -> dict:
        """Everything the page draws for this state, as numbers and short strings (``show`` sends it).

        With a ``frame`` of a step-through, its outlines replace the selection's, and the results it
        has not reached yet are drawn empty. With ``blanks`` (an exercise being made), each cell's
        button makes it blank or given again, instead of explaining it.
        """
        matrices = {**dict(state.items()), **dict(trace.items())}
        exact = {**matrices, **{name: trace.exact(name) for name, _ in trace.items()}}
        light = self.highlights(state, selection) if frame is None else self.step_highlights(frame)
        scales = colour_scales(state, trace)
        pictures, values, relu = {}, {}, {}
        for name in self.names:
            panel = self.layout[name]
            drawn = panel.draw(matrices)
            zeroed = notes = None
            if panel.result is not None and panel.result == panel.layer.post:
                model_zeroed = trace.zeroed(panel.layer.pre)
                off = ["off" if row.all() else "" for row in model_zeroed]
                zeroed = _drawn(panel, model_zeroed, False)
                if not panel.transposed:
                    # "off" only for a unit whose every input is reached (a step-through reveals it last)
                    done = np.ones(len(off), bool) if frame is None else frame.filled(panel.result).all(axis=1)
                    notes = [note if shown else "" for note, shown in zip(off, done)] + [""] * len(panel.faded_rows)
                activation = trace.activation(panel.result)
                relu[panel_key(name)] = relu_words(panel.result, model_zeroed, off, *self.headers[panel.result],
                                                   convention=self.convention, label=activation.label) \
                    if activation.zeroes else ""
            vmax = scales[panel.matrices[0]]
            extra = {"faded_rows": panel.faded_rows} if panel.faded_rows else {}
            if frame is not None and panel.result is not None:
                extra["pending"] = _drawn(panel, frame.pending(panel.result), False)
            if panel.result is not None:
                extra["exact"] = panel.draw(exact)
            highlight = light.get(name, NO_HIGHLIGHT)
            made_of = _key(drawn, vmax, zeroed, notes, highlight, *extra, *extra.values())
            pictures[name] = self._made(("picture", name), made_of, self.panels[name].picture, drawn, vmax, zeroed,
                                        notes, highlight, **extra)
            for m in panel.matrices:
                values[m] = self._made(("table", m), _key(matrices[m], exact[m], panel.transposed), table_numbers,
                                       matrices[m], exact[m], transposed=panel.transposed)
        self.renders += sum(self.pictures.get(name) != picture for name, picture in pictures.items())
        self._drawn = pictures
        return parts_of(self.frame, pictures, values, relu, self.buttons(selection, blanks))

    def _made(self, what: tuple, made_of: tuple, make, *args, **kwargs):
        """``make(*args, **kwargs)``, or what it made last time from the same ``made_of``: a slider moves one
        matrix, and the panels and tables of the others stay as they were (their digits are the costly part)."""
        kept = self._kept.get(what)
        if kept is None or kept[0] != made_of:
            kept = self._kept[what] = (made_of, make(*args, **kwargs))
        return kept[1]

    def buttons(self, selection: Selection | None, blanks: frozenset[str] | None = None) -> dict:
        """Which cell's button is current (the explained cell), or, while an exercise is made (``blanks`` not
        None), which are pressed: the blanks."""
        if blanks is not None:
            return {"chosen": None, "blanks": sorted(blanks), "action": "blank in the exercise"}
        chosen = []
        if selection is not None:  # the cell explained, before ReLU and after
            layer = layer_of_result(len(self.sizes) - 2, selection.layer)
            chosen = [f"{name},{selection.row},{selection.col}" for name in (layer.pre, layer.post)]
        return {"chosen": chosen, "blanks": None, "action": "explain"}

    def _table(self, panel: Panel, name: str) -> Table:
        """The headers of one matrix's value table, as the panel draws it: W1 as W1ᵀ, H_z as batch × units."""
        weights = panel.layer is not None and name == panel.layer.weights
        caption = f"{name}ᵀ" if panel.transposed and weights else name
        rows, cols = self.headers[name]
        return table(name, (len(rows), len(cols)), rows, cols, caption=caption, transposed=panel.transposed)

    def _place(self, panel: Panel) -> str:
        row, col = panel.place
        return f"grid-area: {row + 1} / {col + 2}" if self.grid else ""


def _key(*parts: object) -> tuple:
    """What a picture or a table is made of, as a key to compare: arrays by their values (exact ones, of
    fractions, too), lists as tuples."""
    def one(part: object) -> object:
        if isinstance(part, np.ndarray):
            values = tuple(part.ravel().tolist()) if part.dtype == object else part.tobytes()
            return part.shape, part.dtype.str, values
        return tuple(part) if isinstance(part, list) else part
    return tuple(one(part) for part in parts)


def _drawn(panel: Panel, mask: np.ndarray, fill: bool) -> np.ndarray:
    """A mask of the model's cells as the panel draws them: transposed, or with its row of 1s."""
    if panel.transposed:
        return mask.T
    if panel.faded_rows:
        return np.vstack([mask, np.full((len(panel.faded_rows), mask.shape[1]), fill)])
    return mask


def relu_words(name: str, zeroed: np.ndarray, notes: list[str], row_labels: list[str], col_labels: list[str],
               convention: str = "columns", label: str = "ReLU") -> str:
    """In words, what the hatching and the *off* marks of a post-ReLU panel show, each cell named as the
    notation draws it (``Notation.cell``: unit first, or input first with inputs as rows).

    >>> relu_words("H", np.array([[True, False], [False, False]]), ["", ""], ["h1", "h2"], ["x1", "x2"])
    'ReLU gave 0 at H[h1, x1]. No unit is off.'
    """
    cell = notation(convention).cell
    cells = [cell(name, row_labels[r], int(c)) for r, c in zip(*np.nonzero(zeroed))]
    off = [label for label, note in zip(row_labels, notes) if note]
    zero_text = f"{label} gave 0 at {', '.join(cells)}." if cells else f"{label} gave 0 nowhere."
    off_text = (f"Off (0 for every input): {', '.join(off)}." if off else "No unit is off.")
    return f"{zero_text} {off_text}"


def explanation_html(explanation: Explanation, trace: Trace, convention: str = "columns", relu: bool = False) -> str:
    """The dot product behind the selected cell, in the chosen notation, and the same weight row
    across the batch. ``relu``: the cell chosen is after ReLU (H, Y, ...), and heads it as ReLU of the sum."""
    e, n = explanation, notation(convention)
    layer = layer_of_result(trace.depth, e.layer)
    heading = n.heading(layer, e.row, e.col)
    if relu:  # H[h3, x2] = ReLU(the sum that H_z[h3, x2] is), in the layer's activation
        name, _, sum_ = heading.partition(" = ")
        heading = f"{layer.post}{name.removeprefix(layer.pre)} = {trace.activation(layer.post).written.format(z=sum_)}"
    return (
        f"<div class='bn-explain-heading'>{html.escape(heading)}</div>"
        f"<div>= {html.escape(n.numbers(e))}</div>"
        f"<div class='bn-formula'>{html.escape(n.text(e))}</div>"
        f"<div>{html.escape(n.across(e, trace.exact(e.layer)[e.row]))}</div>"
    )


def code_html(state: State, convention: str = "columns") -> str:
    # focusable: a long line scrolls the box sideways, and the keyboard must reach it to scroll it
    return (f"<pre tabindex='0' role='region' aria-label='The code'>"
            f"{html.escape(state.to_code(convention=convention))}</pre>")
