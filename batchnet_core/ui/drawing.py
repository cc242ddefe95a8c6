"""The heat maps as the page draws them: numbers and short strings go to the browser, which draws each
panel in SVG (``drawing.js``, through anywidget), crisp at any zoom.

What a panel shows is one ``heatmap.Picture``: its cells' texts (the exact values' digits, formatted
here, never in the browser), their rows of the colour map's table, their marks and outlines. The PNG of
the export is painted from the same ``Picture`` (``HeatmapPanel.png``), so the two cannot disagree.

What is sent, and when:

- ``frame``: the colour map's table and the theme's colours, where each panel, cell, label and button
  lies, the value tables' headers: when the sizes, the notation or the theme change;
- ``pictures``: each panel's texts, colour indices, hatched and pending cells, faded rows and notes;
- ``outlines``: the outlined boxes (the explained cell, a step of the step-through);
- ``tables``: the value tables' numbers (``data-values`` and the digits written) and ReLU's note;
- ``buttons``: which cell is explained, or which are blanks of an exercise being made;
- ``status``, ``explanation``, ``code``, ``link``, ``legend``, ``summary`` (``TEXTS``): the page's texts that a
  change rewrites with the pictures, each shown where its ``TextPart`` is, each sent only when it changed.

A change sends only the traits it changed, in one message (``show``; a page holds the drawing's messages
while it handles a change, ``common.Guard``, so that its texts go with its pictures).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
from matplotlib.colors import to_hex
from traitlets import Dict, Instance, Unicode

from ..nn.numbers import format_number
from .common import plain_look
from .heatmap import (
    CELL_PIXELS,
    DPI,
    LABEL_PAD_PIXELS,
    LABEL_POINTS,
    LUT_RGB,
    LUT_TAKES_DARK_INK,
    NOTE_POINTS,
    NUMBER_MARGIN_PIXELS,
    NUMBER_POINTS,
    OUTLINE_PIXELS,
    THEMES,
    TITLE_BASELINE_PIXELS,
    TITLE_POINTS,
    HeatmapPanel,
    Picture,
    faded_colours,
)


def panel_key(name: str) -> str:
    """A panel's key as its classes spell it: "W1b1" for the panel W1|b1."""
    return name.replace("|", "")


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


def _pixels(points: float) -> float:
    """A type size in points as pixels of the picture (``DPI`` pixels an inch, 72 points an inch)."""
    return round(points * DPI / 72, 3)


def theme_frame(theme: str) -> dict:
    """What every panel of a theme is painted with: the colour map's table, which of its colours take dark
    ink, the faded cells' colours and inks, and the theme's own colours; sent once, not with each change."""
    faded, inks = faded_colours(theme)
    colours = THEMES[theme]
    return {
        "theme": theme,
        "lut": [_hex(c) for c in LUT_RGB],
        "darkInk": "".join("1" if dark else "0" for dark in LUT_TAKES_DARK_INK),
        "faded": [_hex(c) for c in faded],
        "fadedInk": [_hex(c) for c in inks],
        "text": to_hex(colours["text"]), "muted": to_hex(colours["muted"]),
        "highlight": to_hex(colours["highlight"]), "hatch": to_hex(colours["hatch"]),
        "sizes": {"number": _pixels(NUMBER_POINTS), "title": _pixels(TITLE_POINTS), "label": _pixels(LABEL_POINTS),
                  "note": _pixels(NOTE_POINTS)},
        "outline": OUTLINE_PIXELS, "margin": NUMBER_MARGIN_PIXELS,
    }


@dataclasses.dataclass(frozen=True)
class Table:
    """A value table's parts that change only with the sizes and notation: its matrix, caption and headers
    (as the table shows them: transposed where the panel is)."""

    name: str
    caption: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    transposed: bool = False

    def frame(self) -> dict:
        return {"name": self.name, "caption": self.caption, "rows": list(self.row_labels),
                "cols": list(self.col_labels), "transposed": self.transposed}


def table(name: str, shape: tuple[int, ...], row_labels: Sequence[str] | None = None,
          col_labels: Sequence[str] | None = None, caption: str | None = None, transposed: bool = False) -> Table:
    """The headers and caption of the value table of a matrix (or vector) of ``shape``, in the model's
    orientation; ``transposed``: shown the other way round, as its heat map draws it."""
    rows, cols = (shape[0], 1) if len(shape) == 1 else shape
    row_labels = list(row_labels or [f"row {r + 1}" for r in range(rows)])
    col_labels = list(col_labels or [f"column {c + 1}" for c in range(cols)])
    if transposed:
        rows, cols, row_labels, col_labels = cols, rows, col_labels, row_labels
    return Table(name, f"{caption or name}, {rows} × {cols}", tuple(row_labels), tuple(col_labels), transposed)


def _json_number(value: float) -> float | int:
    """A whole number as an int, written without ".0" (−0.0 keeps its sign, as a float)."""
    whole = value.is_integer() and abs(value) < 2**53 and (value != 0 or math.copysign(1.0, value) > 0)
    return int(value) if whole else value


def table_numbers(array: np.ndarray, shown: np.ndarray | None = None, transposed: bool = False) -> dict:
    """A value table's numbers: ``d``, the full-precision JSON of the model's rows (``data-values``), and
    ``w``, the digits written (``format_number`` of the exact values ``shown`` where given), as shown."""
    rows = (array[:, None] if array.ndim == 1 else array).tolist()
    exact = rows if shown is None else (shown[:, None] if shown.ndim == 1 else shown).tolist()
    written = [[format_number(v) for v in row] for row in exact]
    if transposed:
        written = [list(column) for column in zip(*written)]
    # whole numbers without their ".0" and no spaces: the same numbers to JSON.parse, in half the bytes
    whole = [[_json_number(float(v)) for v in row] for row in rows]
    return {"d": json.dumps(whole, separators=(",", ":")), "w": written}


@dataclasses.dataclass(frozen=True)
class Buttons:
    """A button over each of a panel's cells that a click explains: (``data-cell``, the cell's (row, column)
    in the picture, its spoken name), in a layer of class ``css_class``; ``inside``: the layer lies in the
    panel's figure, over its picture, rather than beside it in the worksheet's grid."""

    cells: tuple[tuple[str, tuple[int, int], str], ...]
    css_class: str
    inside: bool = False


def panel_frame(key: str, drawing: HeatmapPanel, figure_class: str = "bn-figure", style: str = "",
                tables: Sequence[Table] = (), relu: bool = False, buttons: Buttons | None = None) -> dict:
    """Where everything of one panel lies, in the picture's pixels (``HeatmapPanel``'s geometry, so the
    controls' rows line up with the drawing's as they did with the PNG's), and its value tables' headers."""
    height, width = drawing.size
    left, top = drawing.corner
    frame = {
        "key": key, "figure": f"{figure_class} bn-figure-{key}", "style": style,
        "title": drawing.title, "alt": f"Heat map of {drawing.title}; its numbers follow as a table.",
        "w": width, "h": height, "left": left, "top": top, "cell": CELL_PIXELS,
        "titleY": TITLE_BASELINE_PIXELS, "pad": LABEL_PAD_PIXELS,
        "rows": list(drawing.row_labels), "cols": list(drawing.col_labels),
        "boxes": [list(drawing.box(r, c)) for r, c in np.ndindex(drawing.shape)],
        "notesAt": [list(at) for at in drawing.notes_at],
        "tables": [t.frame() for t in tables], "relu": relu,
    }
    if buttons is not None:  # each a share of the picture's size, so they scale with it
        def share(pixels: int, whole: int) -> str:
            return f"{100 * pixels / whole:.2f}%"

        first_top, first_bottom, first_left, first_right = drawing.box(0, 0)
        frame["buttons"] = {
            "cls": buttons.css_class, "inside": buttons.inside,
            "w": share(first_right - first_left, width), "h": share(first_bottom - first_top, height),
            "cells": [[data, share(drawing.box(r, c)[2], width), share(drawing.box(r, c)[0], height), label]
                      for data, (r, c), label in buttons.cells],
        }
    return frame


def picture_json(picture: Picture) -> dict:
    """A panel's picture as sent: its cells' texts and colour indices, and only the marks it has."""
    sent: dict = {"t": list(picture.texts), "c": list(picture.colours)}
    marks = {"z": picture.hatched, "p": picture.pending}
    for name, mask in marks.items():
        if any(mask):
            sent[name] = [k for k, on in enumerate(mask) if on]
    if picture.faded_rows:
        sent["f"] = list(picture.faded_rows)
    if any(picture.notes):
        sent["n"] = list(picture.notes)
    smaller = {str(k): _pixels(p) for k, p in enumerate(picture.points) if p != NUMBER_POINTS}
    if smaller:
        sent["s"] = smaller
    return sent


def frame_of(theme: str, groups: Sequence[tuple[str | None, Sequence[str]]], panels: Sequence[dict]) -> dict:
    """A drawing's ``frame``: the theme's look, the panels (``panel_frame``), and their keys in groups, each
    group in a box of its class (``None``: no box, each figure in its place in the page's grid)."""
    return {"look": theme_frame(theme), "groups": [{"cls": cls, "keys": list(keys)} for cls, keys in groups],
            "panels": list(panels)}


def parts_of(frame: dict, pictures: dict[str, Picture], values: dict[str, dict], relu: dict[str, str],
             buttons: dict) -> dict:
    """Everything a drawing is sent for one state (``HeatmapDrawing.show`` sends what changed): its frame, each
    panel's picture (by its name, as "W1|b1") and outlines, the value tables' numbers (``table_numbers``),
    ReLU's notes by panel key, and which buttons are current or pressed."""
    return {"frame": frame, "pictures": {panel_key(name): picture_json(p) for name, p in pictures.items()},
            "outlines": {panel_key(name): [list(box) for box in p.outlines] for name, p in pictures.items()
                         if p.outlines},
            "tables": {"values": values, "relu": relu}, "buttons": buttons}


class HeatmapDrawing(anywidget.AnyWidget):
    """Heat maps drawn by the page from numbers (see the module's text for what each trait holds)."""

    _esm = Path(__file__).with_name("drawing.js")
    frame = Dict().tag(sync=True)
    pictures = Dict().tag(sync=True)
    outlines = Dict().tag(sync=True)
    tables = Dict().tag(sync=True)
    buttons = Dict().tag(sync=True)
    status = Unicode().tag(sync=True)
    explanation = Unicode().tag(sync=True)
    code = Unicode().tag(sync=True)
    link = Unicode().tag(sync=True)
    legend = Unicode().tag(sync=True)
    summary = Unicode().tag(sync=True)

    def show(self, **parts: dict) -> None:
        """Set the parts given, in one message; a part equal to what the page has is not sent."""
        changed = {name: value for name, value in parts.items() if value is not None and getattr(self, name) != value}
        if not changed:
            return
        with self.hold_sync():
            for name, value in changed.items():
                setattr(self, name, value)


#: The drawing's texts (HTML), by the name of its trait.
TEXTS = ("status", "explanation", "code", "link", "legend", "summary")


class TextPart(anywidget.AnyWidget):
    """A text of the page (HTML), shown from its drawing's trait ``name`` (one of ``TEXTS``), as an HTML widget
    would show it.

    Six widgets' messages a slider change once sent (the pictures, the status line, the explanation, the code,
    the link, the entry's box) cost the kernel, the server and the page each their own; the texts now go with
    the pictures. Setting ``value`` sets the drawing's text.
    """

    _esm = Path(__file__).with_name("text_part.js")
    source = Instance(HeatmapDrawing).tag(sync=True, **widgets.widget_serialization)
    name = Unicode().tag(sync=True)

    def __init__(self, source: HeatmapDrawing, name: str, *classes: str, value: str = "",
                 layout: widgets.Layout | None = None) -> None:
        if name not in TEXTS:
            raise ValueError(f"a drawing has no text {name!r}; its texts are {', '.join(TEXTS)}")
        super().__init__(source=source, name=name, layout=layout if layout is not None else plain_look()[0])
        for css_class in classes:
            self.add_class(css_class)
        self.value = value

    @property
    def value(self) -> str:
        return getattr(self.source, self.name)

    @value.setter
    def value(self, text: str) -> None:
        setattr(self.source, self.name, text)


def matrix_drawing(name: str, title: str, values: np.ndarray, vmax: float, row_labels: Sequence[str],
                   col_labels: Sequence[str], theme: str = "light",
                   widget: HeatmapDrawing | None = None) -> HeatmapDrawing:
    """One matrix alone as a heat map drawn by the page (as the targets T beside a network), on a colour scale
    from −vmax to vmax, with its value table as its text alternative; in ``widget`` (a new drawing by default)."""
    panel = HeatmapPanel(title, row_labels, col_labels, theme=theme)
    drawing = widget if widget is not None else HeatmapDrawing()
    drawing.add_class("bn-heatmaps")
    headers = table(name, values.shape, row_labels, col_labels)
    drawing.show(**parts_of(frame_of(theme, [(None, [name])], [panel_frame(name, panel, tables=[headers])]),
                            {name: panel.picture(values, vmax)}, {name: table_numbers(values)}, {},
                            {"chosen": [], "blanks": None, "action": "explain"}))
    return drawing


class DrawnPanels:
    """What the heat map views of a page share: the panels (``HeatmapPanel``, by name) drawn in ``widget``,
    what each shows (``pictures``), and its sending: a subclass's ``draw`` puts its pictures in ``_drawn``
    and returns the parts for ``show``."""

    panels: dict[str, HeatmapPanel]
    widget: HeatmapDrawing

    def __init__(self) -> None:
        #: What each panel shows now, as the page draws it (``heatmap.Picture``), by panel.
        self.pictures: dict[str, Picture] = {}
        self._drawn: dict[str, Picture] = {}  # what ``draw`` made, shown once sent

    def forget(self) -> None:
        """What was drawn was not sent: the page, and ``pictures``, keep what was shown before."""
        self._drawn = self.pictures

    def show(self, drawn: dict) -> None:
        """Send the page what ``draw`` made; only the parts that changed go."""
        self.widget.show(**drawn)
        self.pictures = self._drawn

    def pngs(self) -> dict[str, bytes]:
        """Each panel as the page shows it, as PNG (for the export): painted from the same pictures."""
        return {name: self.panels[name].png(picture) for name, picture in self.pictures.items()}
