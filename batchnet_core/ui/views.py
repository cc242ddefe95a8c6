"""The results as pixels and text: heat map images, value tables, the explanation and the code."""

from __future__ import annotations

import base64
import dataclasses
import html
import json

import ipywidgets as widgets
import numpy as np

from ..forward import Explanation, Trace
from ..numbers import format_number
from ..state import State
from .heatmap import NO_HIGHLIGHT, HeatmapPanel, Highlight

#: Heat map panels in worksheet order: inputs on top, each layer's weights left of its results.
PANELS = ("X", "W1|b1", "H_z", "H", "W2|b2", "Y_z", "Y")

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


def unit_labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def _scale(*arrays: np.ndarray) -> float:
    """Half-width of a colour scale centred at 0 that fits every array given."""
    return max(max(float(np.abs(a).max()) for a in arrays), 1.0)


class HeatmapViews:
    """Heat map panels (all seven, or those named), each an ``ipywidgets.Image`` sent only when it changes."""

    def __init__(self, sizes: tuple[int, int, int, int], theme: str = "light",
                 names: tuple[str, ...] = PANELS) -> None:
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
        self.panels = {
            name: HeatmapPanel(TITLES[name], *labels[name][:2], split_after=labels[name][2], theme=theme)
            for name in names
        }
        self.images = {}
        self.pngs: dict[str, bytes] = {}
        for name in names:
            image = widgets.Image(format="url", layout=widgets.Layout(width="auto", height="auto"))
            image.add_class("bn-heatmap")
            image.add_class(f"bn-heatmap-{name.replace('|', '')}")
            self.images[name] = image
        self.renders = 0

    def update(self, state: State, trace: Trace, selection: Selection | None) -> None:
        """Redraw and send the panels whose picture changed; the others send nothing."""
        self.show(self.draw(state, trace, selection))

    def show(self, pictures: dict[str, bytes]) -> None:
        """Send drawn panels to the page."""
        for name, png in pictures.items():
            self.pngs[name] = png
            self.images[name].value = b"data:image/png;base64," + base64.b64encode(png)
            self.renders += 1

    def draw(self, state: State, trace: Trace, selection: Selection | None) -> dict[str, bytes]:
        """PNG bytes of every panel whose picture changed."""
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
            "H": (trace.H, layer1, trace.H_z < 0, off["H"]),
            "W2|b2": (W2b2, _scale(W2b2), None, None),
            "Y_z": (trace.Y_z, layer2, None, None),
            "Y": (trace.Y, layer2, trace.Y_z < 0, off["Y"]),
        }
        pictures = {}
        for name in self.names:
            values, vmax, zeroed, notes = drawings[name]
            png = self.panels[name].render(values, vmax, zeroed, notes, light[name])
            if png is not None:
                pictures[name] = png
        return pictures


def values_html(state: State, trace: Trace) -> str:
    """Every matrix as an HTML table with its full-precision values in ``data-values``.

    The tables are the heat maps' text alternative: screen readers and scripts read them.
    """
    blocks = []
    matrices = [(name, array[:, None] if array.ndim == 1 else array) for name, array in state.items()]
    matrices += list(trace.items())
    for name, array in matrices:
        rows = array.tolist()
        body = "".join(
            "<tr>" + "".join(f"<td>{format_number(v)}</td>" for v in row) + "</tr>" for row in rows
        )
        blocks.append(
            f"<table class='bn-values bn-values-{name}' data-values='{json.dumps(rows)}'>"
            f"<caption>{name}, {array.shape[0]} × {array.shape[1]}</caption>{body}</table>"
        )
    return "<div class='bn-sr-only'>" + "".join(blocks) + "</div>"


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
