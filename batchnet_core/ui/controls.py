"""Sliders with typed readouts, one per entry, laid out as the matrix they edit.

The controls hold no state of their own: they report what the person did through
``on_change(name, row, col, value)`` or ``on_error(message)``, and show what they are told.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
from ipywidgets.widgets.widget_int import SliderStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle
from traitlets import CFloat, CInt, TraitError, validate

from ..nn.layers import layers_of
from ..nn.numbers import format_number, parse_number
from ..nn.validation import MAX_MAGNITUDE
from .heatmap import CELL_PIXELS, TOP_PIXELS

#: Every slider spans this range. A typed value may go up to ``MAX_MAGNITUDE``, as far as a State
#: accepts; beyond this range its slider rests at the nearer end.
LIMIT = 10.0


#: Slider steps offered, coarse to fine; whole numbers first because the exercise is in integers.
STEPS = (1.0, 0.5, 0.1)


def entry_label(name: str, row: int, col: int) -> str:
    """How an entry is named to people: 1-based, and inputs by their vector name.

    >>> entry_label("W1", 0, 2), entry_label("b1", 3, 0), entry_label("X", 1, 2)
    ('W1[1,3]', 'b1[4]', 'x3[2]')
    """
    if name == "X":
        return f"x{col + 1}[{row + 1}]"
    if name.startswith("b"):
        return f"{name}[{row + 1}]"
    return f"{name}[{row + 1},{col + 1}]"


def entry_name(name: str, row: int, col: int, depth: int = 2) -> str:
    """What a screen reader says for an entry's slider and box: the matrix, and the row and column
    by the units and inputs they belong to, in a network ``depth`` layers deep.

    >>> entry_name("W1", 0, 1), entry_name("b2", 1, 0), entry_name("X", 2, 0), entry_name("W2", 1, 3)
    ('W1 row h1, column 2', 'b2 row y2', 'x1, entry 3', 'W2 row y2, column h4')
    >>> entry_name("W3", 0, 1, depth=3), entry_name("T", 1, 2)
    ('W3 row y1, column h2.2', 'T row y2, target for x3')
    """
    if name == "X":
        return f"x{col + 1}, entry {row + 1}"
    if name == "T":
        return f"T row {layers_of(depth)[-1].unit_label(row)}, target for x{col + 1}"
    k = int(name[1:])
    layers = layers_of(depth)
    unit = layers[k - 1].unit_label(row)
    if name.startswith("b"):
        return f"{name} row {unit}"
    return f"{name} row {unit}, column {col + 1 if k == 1 else layers[k - 2].unit_label(col)}"


def snap(value: float, step: float) -> float:
    """``value`` on the slider's grid of ``step``, as the browser's slider would put it."""
    return round(round(value / step) * step, 10)


def slider_position(value: float, step: float) -> float:
    """Where a slider shows ``value``: on its grid of ``step``, and at its end (±``LIMIT``) beyond it.

    >>> slider_position(0.25, 1.0), slider_position(50.0, 0.5), slider_position(-1e6, 0.1)
    (0.0, 10.0, -10.0)
    """
    return min(max(snap(value, step), -LIMIT), LIMIT)


class EntrySlider(widgets.FloatSlider):
    """A ``FloatSlider`` whose moves are not echoed back to the page, on one of the page's steps.

    ipywidgets 8 answers every move with an echo of the value, meant for other pages showing
    the same kernel; here each page has its own kernel, and the echo would be one more message
    ahead of the results on every move.
    """

    value = CFloat(0.0, help="Float value").tag(sync=True, echo_update=False)
    step = CFloat(STEPS[0], help="The step of the slider's grid, one of STEPS").tag(sync=True)  # never None

    @validate("step")
    def _offered_step(self, proposal: dict) -> float:
        """A step is one of ``STEPS``; any other (0, negative, a message forged to divide by zero)
        is refused, and the slider keeps its last good step (traitlets rolls the change back)."""
        if proposal["value"] not in STEPS:
            raise TraitError(f"a slider's step is one of {', '.join(map(format_number, STEPS))}; "
                             f"got {str(proposal['value'])[:20]}")
        return proposal["value"]


class WholeSlider(widgets.IntSlider):
    """An ``IntSlider`` that moves one at a time: its step stays 1, whatever a page sends."""

    step = CInt(1, help="Always 1").tag(sync=True)

    @validate("step")
    def _keep_step_one(self, proposal: dict) -> int:
        return 1


class EntryLook:
    """Layouts and styles shared by every entry control.

    Each ipywidgets control otherwise brings its own layout and style models: sharing them
    cuts the widget models a page must create and render by more than half.
    """

    def __init__(self) -> None:
        # the readout above the slider, both in the entry's cell (CELL_PIXELS): the slider as high as
        # its handle (style.css: 24 px, a finger's target)
        self.slider = widgets.Layout(width="64px", height="24px", margin="0")
        self.slider_style = SliderStyle()
        self.readout = widgets.Layout(width="52px", height="22px", margin="0 auto")
        self.readout_style = TextStyle()
        self.box = widgets.Layout(align_items="center", height=f"{CELL_PIXELS}px", overflow="hidden")
        self.label = widgets.Layout(height=f"{CELL_PIXELS}px", margin="0")
        self.label_style = HTMLStyle()


class EntryControl:
    """A slider and a typed readout for one entry of one matrix."""

    def __init__(self, name: str, row: int, col: int, value: float, step: float,
                 on_change: Callable[[str, int, int, float], None], on_error: Callable[[str], None],
                 look: EntryLook, depth: int = 2) -> None:
        self.name, self.row, self.col = name, row, col
        self.label = entry_label(name, row, col)
        self._on_change, self._on_error = on_change, on_error
        self.value = float(value)
        self._shown, self._text = self.value.hex(), format_number(self.value)  # what ``show`` wrote, for what
        self.slider = EntrySlider(
            value=slider_position(self.value, step), min=-LIMIT, max=LIMIT, step=step, readout=False,
            continuous_update=True, layout=look.slider, style=look.slider_style, tooltip=self.label,
            description=entry_name(name, row, col, depth),  # its spoken name (hidden on screen by style.css)
        )
        self.readout = widgets.Text(
            value=self._text, continuous_update=False, tooltip=self.label,
            description=entry_name(name, row, col, depth),
            layout=look.readout, style=look.readout_style,
        )
        self.readout.add_class("bn-readout")
        self.box = widgets.VBox([self.readout, self.slider], layout=look.box)
        self.box.add_class("bn-control")
        self.box.add_class(f"bn-{name}-{row}-{col}")
        self.slider.observe(self._slider_moved, "value")
        self.readout.observe(self._typed, "value")

    def _slider_moved(self, change: dict) -> None:
        # The echo rule: a slider at the position that shows the current value is showing it, not
        # moved. The browser snaps a value off the step grid, and clamps one beyond ±LIMIT, and
        # sends that position back; a person cannot move a slider to where it already is, so any
        # other value is a move.
        if abs(change["new"] - slider_position(self.value, self.slider.step)) < 1e-9:
            return
        self._on_change(self.name, self.row, self.col, float(change["new"]))

    def _typed(self, change: dict) -> None:
        text = change["new"]
        if text == format_number(self.value):
            return
        try:
            value = parse_number(text)
        except ValueError as error:
            self._refuse(f"{self.label}: {error}. It stays {format_number(self.value)}.")
            return
        if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
            self._refuse(
                f"{self.label}: '{text.strip()[:40]}' is out of range; enter a number from "
                f"{format_number(-MAX_MAGNITUDE)} to {format_number(MAX_MAGNITUDE)}. "
                f"It stays {format_number(self.value)}."
            )
            return
        self._on_change(self.name, self.row, self.col, value)

    def _refuse(self, message: str) -> None:
        """The box goes back to the value the state holds, marked until the next good change."""
        self.readout.value = format_number(self.value)
        self.box.add_class("bn-invalid-box")
        self._on_error(message)

    def show(self, value: float) -> None:
        """Display ``value`` without reporting it back as a change."""
        if float(value).hex() != self._shown:  # most entries keep their value from one change to the next
            self._shown, self._text = float(value).hex(), format_number(float(value))
        self.value, text = float(value), self._text
        if self.readout.value != text:
            self.readout.value = text
        position = slider_position(self.value, self.slider.step)
        if self.slider.value != position:
            self.slider.value = position  # its observer sees the echo rule and stays quiet

    def set_step(self, step: float) -> None:
        self.slider.step = step
        self.show(self.value)


class MatrixControls:
    """A grid of ``EntryControl`` for one or two side-by-side matrices (W | b), with labels.

    ``arrange`` lays the same controls out again as a notation draws the matrix: inputs as rows put
    W | b's columns (and b) down the grid, X's inputs down its rows.

    A refused typed value is explained below the grid (``bn-entry-error``) as well as through
    ``on_error``, and its box is marked (``bn-invalid-box``), until the next change of this
    matrix's values.
    """

    def __init__(self, title: str, parts: list[tuple[str, object]], row_labels: list[str],
                 col_labels: list[str], step: float,
                 on_change: Callable[[str, int, int, float], None], on_error: Callable[[str], None],
                 depth: int = 2) -> None:
        self.entries: dict[tuple[str, int, int], EntryControl] = {}
        self._on_error = on_error
        self._look = look = EntryLook()
        #: the entries' keys as the model holds them: a row of the grid for each row of the matrix
        self._keys: list[list[tuple[str, int, int]]] = [[] for _ in row_labels]
        for r in range(len(row_labels)):
            for name, array in parts:
                for c in range(array.shape[1] if array.ndim == 2 else 1):
                    value = array[r, c] if array.ndim == 2 else array[r]
                    self.entries[(name, r, c)] = EntryControl(name, r, c, value, step, on_change, self._refused, look,
                                                              depth)
                    self._keys[r].append((name, r, c))
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_gap="0 2px"))
        # The title above the grid, not in it: a title wider than the grid widens the box instead of wrapping.
        self.heading = widgets.HTML(style=look.label_style, layout=widgets.Layout(height=f"{TOP_PIXELS - 20}px",
                                                                                   margin="0"))
        # Below the grid, as wide as it: a long message wraps instead of widening the matrix.
        self.error = widgets.HTML("", layout=widgets.Layout(display="none", height="auto", margin="2px 0 0 0"))
        self.error.add_class("bn-entry-error")
        self.widget = widgets.VBox([self.heading, self.grid, self.error])
        self.widget.add_class("bn-matrix")
        self._arranged: tuple | None = None
        self.arrange(title, row_labels, col_labels)

    def arrange(self, title: str, row_labels: list[str], col_labels: list[str], transposed: bool = False) -> None:
        """Lay the controls out under ``title``, with the grid's row and column labels, the matrix's rows
        down the grid or (``transposed``) across it; nothing is sent if nothing changed."""
        arranged = (title, tuple(row_labels), tuple(col_labels), transposed)
        if arranged == self._arranged:
            return
        self._arranged = arranged
        keys = [list(column) for column in zip(*self._keys)] if transposed else self._keys
        look = self._look
        template = "26px " + " ".join("66px" for _ in col_labels)
        self.width = 26 + 68 * len(col_labels)  # pixels: the columns and the 2 px gaps between them
        # The column labels are one widget across the grid's first row: each widget is models to
        # create and views to render when the page opens.
        labels = "".join(f"<div class='bn-axis'>{html.escape(label)}</div>" for label in col_labels)
        header = widgets.HTML(
            f"<div class='bn-axis-labels' style='grid-template-columns: {template}'><div></div>{labels}</div>",
            # all of row 1 (grid_area, not grid_column: ipywidgets clears a null grid_area after it)
            layout=widgets.Layout(grid_area="1 / 1 / 2 / -1", margin="0"), style=look.label_style,
        )
        cells: list[widgets.Widget] = [header]
        for label, row in zip(row_labels, keys):
            cells.append(widgets.HTML(f"<div class='bn-axis bn-axis-row'>{html.escape(label)}</div>",
                                      layout=look.label, style=look.label_style))
            cells.extend(self.entries[key].box for key in row)
        old = [cell for cell in self.grid.children if isinstance(cell, widgets.HTML)]
        self.grid.layout.grid_template_columns = template
        self.grid.layout.grid_template_rows = f"20px repeat({len(row_labels)}, {CELL_PIXELS}px)"
        self.grid.children = cells
        for label in old:  # the labels of the layout before: no longer shown anywhere
            label.close()
        self.heading.value = f"<div class='bn-panel-title'>{html.escape(title)}</div>"

    def _refused(self, message: str) -> None:
        self.error.value = f"<span class='bn-error'>{html.escape(message)}</span>"
        self.error.layout.display = None
        self._on_error(message)

    def _clear_error(self) -> None:
        self.error.value = ""
        self.error.layout.display = "none"
        for entry in self.entries.values():
            entry.box.remove_class("bn-invalid-box")

    def show(self, arrays: dict[str, object]) -> None:
        values = {(name, r, c): float(arrays[name][r, c] if arrays[name].ndim == 2 else arrays[name][r])
                  for name, r, c in self.entries}
        if self.error.value and any(values[key] != entry.value for key, entry in self.entries.items()):
            self._clear_error()  # a good change of this matrix
        for key, entry in self.entries.items():
            entry.show(values[key])

    def set_step(self, step: float) -> None:
        for entry in self.entries.values():
            entry.set_step(step)
