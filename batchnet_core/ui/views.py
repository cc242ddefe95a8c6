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

from ..forward import Explanation, Trace, relu_zeroed
from ..numbers import format_number
from ..state import State
from .heatmap import NO_HIGHLIGHT, HeatmapPanel, Highlight

#: Heat map panels in worksheet order: inputs on top, each layer's weights left of its results.
PANELS = ("X", "W1|b1", "H_z", "H", "W2|b2", "Y_z", "Y")

#: The worksheet's staircase: each panel's (row, column) among the heat maps, 0-based. X sits above
#: H_z, the input it feeds; each layer's weights sit left of its results.
WORKSHEET_PLACES = {"X": (0, 1), "W1|b1": (1, 0), "H_z": (1, 1), "H": (1, 2), "W2|b2": (2, 0), "Y_z": (2, 1),
                    "Y": (2, 2)}

#: The matrices behind each panel, whose tables are its text alternative.
PANEL_MATRICES = {"X": ("X",), "W1|b1": ("W1", "b1"), "H_z": ("H_z",), "H": ("H",), "W2|b2": ("W2", "b2"),
                  "Y_z": ("Y_z",), "Y": ("Y",)}

TITLES = {
    "X": "X (inputs)", "W1|b1": "W1 | b1", "H_z": "H_z = W1·X + b1", "H": "H = ReLU(H_z)",
    "W2|b2": "W2 | b2", "Y_z": "Y_z = W2·H + b2", "Y": "Y = ReLU(Y_z)",
}


@dataclasses.dataclass(frozen=True)
class Selection:
    """The cell being explained: unit ``row`` of layer ``layer`` ("H_z" or "Y_z"), input ``col``."""

    layer: str = "H_z"
    row: int = 0
    col: int = 0


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


def unit_labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def _scale(*arrays: np.ndarray) -> float:
    """Half-width of a colour scale centred at 0 that fits every array given."""
    return max(max(float(np.abs(a).max()) for a in arrays), 1.0)


class HeatmapViews:
    """Heat map panels (all seven, or those named) in one HTML widget.

    Each panel is a figure: its picture, as a PNG data URL, and the tables of its numbers as its
    text alternative. A change redraws only the panels whose picture changed, and one message
    carries them all: every message costs the kernel, the server and the page a relay, and one
    per panel made those relays most of a slider's latency.

    Parameters
    ----------
    sizes : (inputs, hidden, outputs, batch)
    theme : {"light", "dark"}
    names : the panels shown, in order
    grid : where each panel sits when the widget is placed in a CSS grid: (row, column), 1-based.
        Without it the panels flow in a row.
    """

    def __init__(self, sizes: tuple[int, int, int, int], theme: str = "light",
                 names: tuple[str, ...] = PANELS, grid: dict[str, tuple[int, int]] | None = None) -> None:
        inputs, hidden, outputs, batch = sizes
        xs, hs, ys = unit_labels("x", batch), unit_labels("h", hidden), unit_labels("y", outputs)
        labels = {
            "X": (unit_labels("", inputs), xs, None),
            "W1|b1": (hs, unit_labels("", inputs) + ["b"], inputs - 1),
            "H_z": (hs, xs, None), "H": (hs, xs, None),
            "W2|b2": (ys, hs + ["b"], hidden - 1),
            "Y_z": (ys, xs, None), "Y": (ys, xs, None),
        }
        self.sizes = sizes
        self.names = names
        # each matrix's row and column headers, in its value table
        self.headers = {
            "X": (unit_labels("", inputs), xs), "W1": (hs, unit_labels("", inputs)), "b1": (hs, ["b1"]),
            "W2": (ys, hs), "b2": (ys, ["b2"]), "H_z": (hs, xs), "H": (hs, xs), "Y_z": (ys, xs), "Y": (ys, xs),
        }
        self.grid = grid or {}
        self.panels = {
            name: HeatmapPanel(TITLES[name], *labels[name][:2], split_after=labels[name][2], theme=theme)
            for name in names
        }
        self.widget = html_widget("", "bn-heatmaps")
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

    def show(self, figures: dict[str, str]) -> None:
        """Send the page the panels, with these figures replacing those drawn before."""
        if figures:
            self._figures.update(figures)
            self.widget.value = "".join(self._figures[name] for name in self.names)

    def draw(self, state: State, trace: Trace, selection: Selection | None) -> dict[str, str]:
        """The figure (picture and tables, as HTML) of every panel whose picture changed."""
        layer1, layer2 = _scale(trace.H_z), _scale(trace.Y_z)
        W1b1 = np.column_stack([state.W1, state.b1])
        W2b2 = np.column_stack([state.W2, state.b2])
        light = {name: NO_HIGHLIGHT for name in PANELS}
        if selection is not None:
            r, c = selection.row, selection.col
            if selection.layer == "H_z":
                light.update({"X": Highlight(cols=(c,)), "W1|b1": Highlight(rows=(r,)),
                              "H_z": Highlight(cells=((r, c),)), "H": Highlight(cells=((r, c),))})
            else:
                light.update({"H": Highlight(cols=(c,)), "W2|b2": Highlight(rows=(r,)),
                              "Y_z": Highlight(cells=((r, c),)), "Y": Highlight(cells=((r, c),))})
        off = {name: ["off" if not row.any() else "" for row in getattr(trace, name)] for name in ("H", "Y")}
        drawings = {
            "X": (state.X, _scale(state.X), None, None),
            "W1|b1": (W1b1, _scale(W1b1), None, None),
            "H_z": (trace.H_z, layer1, None, None),
            "H": (trace.H, layer1, relu_zeroed(trace.H_z), off["H"]),
            "W2|b2": (W2b2, _scale(W2b2), None, None),
            "Y_z": (trace.Y_z, layer2, None, None),
            "Y": (trace.Y, layer2, relu_zeroed(trace.Y_z), off["Y"]),
        }
        matrices = {**dict(state.items()), **dict(trace.items())}
        figures = {}
        for name in self.names:
            values, vmax, zeroed, notes = drawings[name]
            png = self.panels[name].render(values, vmax, zeroed, notes, light[name])
            if png is not None:
                self.pngs[name] = png
                self.renders += 1
                tables = "".join(values_table(m, matrices[m], *self.headers[m]) for m in PANEL_MATRICES[name])
                if zeroed is not None:
                    tables += relu_note(name, zeroed, notes, *self.headers[name])
                figures[name] = self._figure(name, png, tables)
        return figures

    def _figure(self, name: str, png: bytes, tables: str) -> str:
        key = name.replace("|", "")
        height, width = self.panels[name].size
        place = f" style='grid-area: {self.grid[name][0]} / {self.grid[name][1]}'" if name in self.grid else ""
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        # decoding='sync': a replaced picture is painted in the same frame as its tables, never blank
        return (f"<figure class='bn-figure bn-figure-{key}'{place}>"
                f"<img class='bn-heatmap bn-heatmap-{key}' src='{url}' width='{width}' height='{height}' "
                f"decoding='sync' alt='Heat map of {html.escape(TITLES[name])}; its numbers follow as a table.'>"
                f"<div class='bn-sr-only'>{tables}</div></figure>")


def values_table(name: str, array: np.ndarray, row_labels: list[str] | None = None,
                 col_labels: list[str] | None = None) -> str:
    """A matrix as an HTML table with row and column headers, its full-precision values in ``data-values``.

    The tables are the heat maps' text alternative: screen readers and scripts read them.
    """
    rows = (array[:, None] if array.ndim == 1 else array).tolist()
    row_labels = row_labels or unit_labels("row ", len(rows))
    col_labels = col_labels or unit_labels("column ", len(rows[0]))
    head = "<tr><td></td>" + "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in col_labels) + "</tr>"
    body = "".join(f"<tr><th scope='row'>{html.escape(label)}</th>"
                   + "".join(f"<td>{format_number(v)}</td>" for v in row) + "</tr>"
                   for label, row in zip(row_labels, rows))
    return (f"<table class='bn-values bn-values-{name}' data-values='{json.dumps(rows)}'>"
            f"<caption>{name}, {len(rows)} × {len(rows[0])}</caption>{head}{body}</table>")


def relu_note(name: str, zeroed: np.ndarray, notes: list[str], row_labels: list[str], col_labels: list[str]) -> str:
    """In words, what the hatching and the *off* marks of a post-ReLU panel show.

    >>> relu_note("H", np.array([[True, False], [False, False]]), ["", ""], ["h1", "h2"], ["x1", "x2"])
    "<p class='bn-relu-note'>ReLU gave 0 at H[h1, x1]. No unit is off.</p>"
    """
    cells = [f"{name}[{row_labels[r]}, {col_labels[c]}]" for r, c in zip(*np.nonzero(zeroed))]
    off = [label for label, note in zip(row_labels, notes) if note]
    zero_text = f"ReLU gave 0 at {', '.join(cells)}." if cells else "ReLU gave 0 nowhere."
    off_text = (f"Off (0 for every input): {', '.join(off)}." if off else "No unit is off.")
    return f"<p class='bn-relu-note'>{zero_text} {off_text}</p>"


def explanation_html(explanation: Explanation, trace: Trace) -> str:
    """The dot product behind the selected cell, and the same weight row across the batch."""
    e = explanation
    unit = ("h" if e.layer == "H_z" else "y") + str(e.row + 1)
    bias = ("b1" if e.weights == "W1" else "b2") + f"[{unit}]"
    column = f"x{e.col + 1}" if e.source == "X" else f"H column x{e.col + 1}"
    weights = ", ".join(format_number(w) for w, _, _ in e.terms)
    inputs = ", ".join(format_number(v) for _, v, _ in e.terms)
    across = ", ".join(f"x{j + 1} → {format_number(v)}" for j, v in enumerate(getattr(trace, e.layer)[e.row]))
    return (
        f"<div><b>{e.layer}[{unit}, x{e.col + 1}]</b> = ({e.weights} row {unit}) · ({column}) + {bias}</div>"
        f"<div>= [{weights}] · [{inputs}] + {format_number(e.bias)}</div>"
        f"<div class='bn-formula'>{html.escape(e.text)}</div>"
        f"<div>The same row of {e.weights} and the same bias make row {unit} for every input "
        f"in the batch: {across}.</div>"
    )


def code_html(state: State) -> str:
    return f"<pre>{html.escape(state.to_code())}</pre>"
