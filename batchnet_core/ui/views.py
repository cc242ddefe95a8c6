"""The results as pixels and text: heat maps with their value tables, the explanation and the code."""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import json

import ipywidgets as widgets
import numpy as np
from ipywidgets.widgets.widget_string import HTMLStyle

from ..forward import Explanation, Trace
from ..layers import layer_of_result, layers_of, unit_labels
from ..notation import Panel, notation, panels
from ..numbers import format_number
from ..state import State
from ..steps import Frame
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


@functools.cache
def _plain_look() -> tuple[widgets.Layout, HTMLStyle]:
    return widgets.Layout(), HTMLStyle()


def html_widget(value: str = "", *classes: str) -> widgets.HTML:
    """An HTML widget sharing one layout and one style with every other made here.

    Each widget otherwise brings a layout and a style of its own: two more models for the
    kernel to open and the page to create before it shows anything. Give a widget whose
    layout will change its own ``widgets.HTML``.
    """
    layout, style = _plain_look()
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
    set they would crowd its ends. Each scale reaches from −m to m, m the largest size on it, at least 1.

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
    return scales


class HeatmapViews:
    """Heat map panels (every panel of the worksheet, or those named) in one HTML widget.

    Each panel is a figure: its picture, as a PNG data URL, and the tables of its numbers as its
    text alternative; over each result's picture, one button per cell (``data-cell="H_z,2,1"``:
    the result, unit, input, 0-based whatever the notation) that explains it. A change redraws only
    the panels whose picture changed, and one message carries them all: every message costs the
    kernel, the server and the page a relay, and one per panel made those relays most of a slider's
    latency.

    Parameters
    ----------
    sizes : ``State.sizes`` (inputs, units of each layer..., batch)
    theme : {"light", "dark"}
    names : the keys of the panels shown ("X", "W1|b1", "H_z", ...), in order; all by default
    grid : place each panel in a CSS grid where ``notation.panels`` puts it (offset by one row and two
        columns, for the controls); without it the panels flow in a row
    convention : a notation of ``batchnet_core.notation``
    """

    def __init__(self, sizes: tuple[int, ...], theme: str = "light", names: tuple[str, ...] | None = None,
                 grid: bool = False, convention: str = "columns") -> None:
        self.sizes, self.convention, self.grid, self.theme = tuple(sizes), convention, grid, theme
        self.notation = notation(convention)
        self.layout = {panel.key: panel for panel in panels(self.sizes, convention)}
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
        self.widget = html_widget("", "bn-heatmaps")
        # The cells' buttons lie over the pictures from a widget of their own, in the same places of
        # the grid: they change with the sizes, notation and explained cell, not with every value,
        # so a slider step does not send them again.
        self.cells = html_widget("", "bn-cells")
        self.pngs: dict[str, bytes] = {}
        self._figures: dict[str, str] = {}
        self.renders = 0

    def update(self, state: State, trace: Trace, selection: Selection | None) -> None:
        """Redraw the panels whose picture changed and send them; nothing is sent if none did."""
        self.show(self.draw(state, trace, selection))

    def forget(self) -> None:
        """Drawn panels were not sent: draw every panel afresh next time."""
        for panel in self.panels.values():
            panel.forget()

    def show(self, figures: dict[str, str], cells: str | None = None) -> None:
        """Send the page the panels, with these figures replacing those drawn before, and the cells'
        buttons if given (sent only when they changed)."""
        if figures:
            self._figures.update(figures)
            self.widget.value = "".join(self._figures[name] for name in self.names)
        if cells is not None and self.cells.value != cells:
            self.cells.value = cells

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

    def draw(self, state: State, trace: Trace, selection: Selection | None,
             frame: Frame | None = None) -> dict[str, str]:
        """The figure (picture, buttons and tables, as HTML) of every panel whose picture changed.

        With a ``frame`` of a step-through, its outlines replace the selection's, and the results it
        has not reached yet are drawn empty.
        """
        matrices = {**dict(state.items()), **dict(trace.items())}
        exact = {**matrices, **{name: trace.exact(name) for name, _ in trace.items()}}
        light = self.highlights(state, selection) if frame is None else self.step_highlights(frame)
        scales = colour_scales(state, trace)
        figures = {}
        for name in self.names:
            panel = self.layout[name]
            values = panel.draw(matrices)
            zeroed = notes = None
            if panel.result is not None and panel.result == panel.layer.post:
                model_zeroed = trace.zeroed(panel.layer.pre)
                off = ["off" if row.all() else "" for row in model_zeroed]
                zeroed = _drawn(panel, model_zeroed, False)
                if not panel.transposed:
                    # "off" only for a unit whose every input is reached (a step-through reveals it last)
                    done = np.ones(len(off), bool) if frame is None else frame.filled(panel.result).all(axis=1)
                    notes = [note if shown else "" for note, shown in zip(off, done)] + [""] * len(panel.faded_rows)
            vmax = scales[panel.matrices[0]]
            extra = {"faded_rows": panel.faded_rows} if panel.faded_rows else {}
            if frame is not None and panel.result is not None:
                extra["pending"] = _drawn(panel, frame.pending(panel.result), False)
            if panel.result is not None:
                extra["exact"] = panel.draw(exact)
            png = self.panels[name].render(values, vmax, zeroed, notes, light.get(name, NO_HIGHLIGHT), **extra)
            if png is not None:
                self.pngs[name] = png
                self.renders += 1
                tables = "".join(self._table(panel, m, matrices[m], exact[m]) for m in panel.matrices)
                if zeroed is not None:
                    tables += relu_note(panel.result, model_zeroed, off, *self.headers[panel.result],
                                        convention=self.convention)
                figures[name] = self._figure(panel, png, tables)
        return figures

    def _table(self, panel: Panel, name: str, array: np.ndarray, shown: np.ndarray | None = None) -> str:
        """The value table of one matrix of a panel, as the panel draws it: W1 as W1ᵀ, H_z as batch × units;
        its digits rounded from ``shown``, the exact values, where given."""
        weights = panel.layer is not None and name == panel.layer.weights
        caption = f"{name}ᵀ" if panel.transposed and weights else name
        return values_table(name, array, *self.headers[name], caption=caption, transposed=panel.transposed,
                            shown=shown)

    def _figure(self, panel: Panel, png: bytes, tables: str) -> str:
        key = panel.key.replace("|", "")
        height, width = self.panels[panel.key].size
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        # decoding='sync': a replaced picture is painted in the same frame as its tables, never blank
        return (f"<figure class='bn-figure bn-figure-{key}'{self._place(panel)}>"
                f"<img class='bn-heatmap bn-heatmap-{key}' src='{url}' width='{width}' height='{height}' "
                f"decoding='sync' alt='Heat map of {html.escape(panel.title)}; its numbers follow as a table.'>"
                f"<div class='bn-sr-only'>{tables}</div></figure>")

    def _place(self, panel: Panel) -> str:
        row, col = panel.place
        return f" style='grid-area: {row + 1} / {col + 2}'" if self.grid else ""

    def cells_html(self, selection: Selection | None, blanks: frozenset[str] | None = None) -> str:
        """A button over each cell of every result shown: click or Enter explains it, or, while an
        exercise is made (``blanks`` not None), makes it blank or given again.

        Each result's buttons lie in a box the size of its picture, in the picture's place of the
        grid, and scale with it. A button's name is its cell's (``data-label``, "H_z[h1, x1]"); the
        page script adds the cell's value, read from the value table, when the button gets focus.
        """
        layers = []
        for name in self.names:
            panel = self.layout[name]
            if panel.result is None:
                continue
            drawing = self.panels[name]
            chosen = (selection.row, selection.col) if selection and selection.layer == panel.layer.pre else None
            units, batch = (len(panel.col_labels), len(panel.row_labels)) if panel.transposed else (
                len(panel.row_labels) - len(panel.faded_rows), len(panel.col_labels))
            name_of = self.notation.cell
            cells = [(f"{panel.result},{r},{c}", panel.at(r, c), name_of(panel.result, panel.layer.unit_label(r), c))
                     for r, c in np.ndindex(units, batch)]
            chosen_cell = f"{panel.result},{chosen[0]},{chosen[1]}" if chosen else None
            place = self._place(panel).removeprefix(" style='").removesuffix("'")
            layers.append(cell_layer(drawing, cells, chosen_cell, f"bn-cells-{name.replace('|', '')}", place, blanks))
        return "".join(layers)


def cell_layer(drawing: HeatmapPanel, cells: list[tuple[str, tuple[int, int], str]], chosen: str | None,
               css_class: str, style: str = "", blanks: frozenset[str] | None = None) -> str:
    """A box the size of a heat map's picture with a button over each of its cells, scaling with it.

    ``cells`` are (``data-cell``, the cell's (row, column) in the picture, its spoken label); the button
    whose ``data-cell`` is ``chosen`` is marked current. With ``blanks`` (an exercise being made), each
    button toggles its cell's blank, pressed when it is one, and no cell is current.
    """
    height, width = drawing.size
    buttons = []
    for data, (r, c), text in cells:
        top, _, left, _ = drawing.box(r, c)
        label = html.escape(text)
        if blanks is None:
            current, action = " aria-current=true" if data == chosen else "", "explain"
        else:
            pressed = data in blanks
            current = f" aria-pressed={'true' if pressed else 'false'}" + (" data-blank" if pressed else "")
            action = "blank in the exercise"
        buttons.append(f"<button class=bn-cell data-cell={html.escape(data)}{current} "
                       f"data-label='{label}' data-action='{action}' aria-label='{label}; {action}' "
                       f"style='left:{100 * left / width:.2f}%;top:{100 * top / height:.2f}%'></button>")
    top, bottom, left, right = drawing.box(0, 0)
    size = f"--w:{100 * (right - left) / width:.2f}%;--h:{100 * (bottom - top) / height:.2f}%"
    return (f"<div class='bn-cell-layer {css_class}' title='Click a cell to explain it' "
            f"style='{style + ';' if style else ''}width:{width}px;aspect-ratio:{width} / {height};{size}'>"
            f"{''.join(buttons)}</div>")


def _drawn(panel: Panel, mask: np.ndarray, fill: bool) -> np.ndarray:
    """A mask of the model's cells as the panel draws them: transposed, or with its row of 1s."""
    if panel.transposed:
        return mask.T
    if panel.faded_rows:
        return np.vstack([mask, np.full((len(panel.faded_rows), mask.shape[1]), fill)])
    return mask


def values_table(name: str, array: np.ndarray, row_labels: list[str] | None = None,
                 col_labels: list[str] | None = None, caption: str | None = None, transposed: bool = False,
                 shown: np.ndarray | None = None) -> str:
    """A matrix as an HTML table with row and column headers, its full-precision values in ``data-values``.

    The tables are the heat maps' text alternative: screen readers and scripts read them. ``transposed``
    (inputs as rows) shows the matrix the other way round, as its heat map draws it, with
    ``data-transposed``; ``data-values`` and the labels given are always the model's orientation (a
    vector is a column), as ``data-cell`` names cells. ``shown`` holds the values exactly (``Trace.exact``)
    when ``array`` holds their floats: the digits written are rounded from it, the same as every other view's.

    >>> table = values_table("b1", np.array([1.0, -2.0]), ["h1", "h2"], ["b1"], transposed=True)
    >>> print(table.replace("<tr>", "\\n<tr>"))
    <table class='bn-values bn-values-b1' data-values='[[1.0], [-2.0]]' data-transposed><caption>b1, 1 × 2</caption>
    <tr><td></td><th scope='col'>h1</th><th scope='col'>h2</th></tr>
    <tr><th scope='row'>b1</th><td>1</td><td>−2</td></tr></table>
    """
    rows = (array[:, None] if array.ndim == 1 else array).tolist()
    written = rows if shown is None else (shown[:, None] if shown.ndim == 1 else shown).tolist()
    row_labels = row_labels or unit_labels("row ", len(rows))
    col_labels = col_labels or unit_labels("column ", len(rows[0]))
    mark = ""
    if transposed:
        written, row_labels, col_labels, mark = [list(column) for column in zip(*written)], col_labels, row_labels, \
            " data-transposed"
    head = "<tr><td></td>" + "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in col_labels) + "</tr>"
    body = "".join(f"<tr><th scope='row'>{html.escape(label)}</th>"
                   + "".join(f"<td>{format_number(v)}</td>" for v in row) + "</tr>"
                   for label, row in zip(row_labels, written))
    return (f"<table class='bn-values bn-values-{name}' data-values='{json.dumps(rows)}'{mark}>"
            f"<caption>{html.escape(caption or name)}, {len(written)} × {len(written[0])}</caption>"
            f"{head}{body}</table>")


def relu_note(name: str, zeroed: np.ndarray, notes: list[str], row_labels: list[str], col_labels: list[str],
              convention: str = "columns") -> str:
    """In words, what the hatching and the *off* marks of a post-ReLU panel show, each cell named as the
    notation draws it (``Notation.cell``: unit first, or input first with inputs as rows).

    >>> relu_note("H", np.array([[True, False], [False, False]]), ["", ""], ["h1", "h2"], ["x1", "x2"])
    "<p class='bn-relu-note'>ReLU gave 0 at H[h1, x1]. No unit is off.</p>"
    """
    cell = notation(convention).cell
    cells = [cell(name, row_labels[r], int(c)) for r, c in zip(*np.nonzero(zeroed))]
    off = [label for label, note in zip(row_labels, notes) if note]
    zero_text = f"ReLU gave 0 at {', '.join(cells)}." if cells else "ReLU gave 0 nowhere."
    off_text = (f"Off (0 for every input): {', '.join(off)}." if off else "No unit is off.")
    return f"<p class='bn-relu-note'>{zero_text} {off_text}</p>"


def explanation_html(explanation: Explanation, trace: Trace, convention: str = "columns", relu: bool = False) -> str:
    """The dot product behind the selected cell, in the chosen notation, and the same weight row
    across the batch. ``relu``: the cell chosen is after ReLU (H, Y, ...), and heads it as ReLU of the sum."""
    e, n = explanation, notation(convention)
    layer = layer_of_result(trace.depth, e.layer)
    heading = n.heading(layer, e.row, e.col)
    if relu:  # H[h3, x2] = ReLU(the sum that H_z[h3, x2] is)
        name, _, sum_ = heading.partition(" = ")
        heading = f"{layer.post}{name.removeprefix(layer.pre)} = ReLU({sum_})"
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
