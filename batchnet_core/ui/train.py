"""Training on the batch, under the worksheet: targets T, the loss, each layer's error signal δ and its
gradients dW | db as heat maps whose cells explain themselves, one step of gradient descent, and training
for N steps with its loss curve.

All the arithmetic is ``batchnet_core.nn.training``; this module only shows it.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import html
import re
import time
from collections.abc import Iterator
from fractions import Fraction

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..convert import TRAIN_PAGE_KEYS, read_link
from ..nn.activations import activations_of, names_of
from ..nn.forward import Trace
from ..nn.layers import MAX_DEPTH, layers_of, unit_labels
from ..nn.losses import LOSSES, classes_of, one_hot
from ..nn.numbers import equals_sign, format_number, parse_number
from ..nn.state import State
from ..nn.training import (
    MAX_LEARNING_RATE,
    Gradients,
    backward,
    check_loss,
    check_targets,
    column_label,
    default_targets,
    exact_terms,
    explain_delta,
    explain_gradient,
    gradients_of,
    loss,
    resize_targets,
    run_step,
    sgd_step,
    targets_from_query,
    targets_to_query,
)
from ..notation import notation
from . import drawing
from .activations import ActivationPicker
from .app import BatchApp, pushed_state
from .charts import LINES, chart, themed_png
from .classroom import Pushable
from .controls import MatrixControls, entry_label
from .heatmap import NO_HIGHLIGHT, HeatmapPanel, Highlight
from .kernel import kernel_loop
from .model import View, Worksheet
from .views import html_widget

#: Most steps one press of Train takes: at about a millisecond a step, a second or two of waiting.
MAX_TRAIN_STEPS = 1000

#: While training, the page is shown the numbers this often (seconds): live, without a redraw per step.
LIVE_SECONDS = 0.15

#: After showing the numbers, a run pressed on the page gives the kernel this long (seconds) for the
#: messages that came meanwhile: a slider moved, Reset, another press of Train (ignored while it runs).
PAUSE_SECONDS = 0.01

#: A press of Train this soon (seconds) after a run pressed on the page ended is one made during the run, still
#: on its way when the run ended (ten quick presses made two runs without it); it is ignored.
SETTLE_SECONDS = 0.3

#: Most points of the loss curve a run keeps: past it, every other point is dropped (the first and the
#: last stay). 60 presses of 1,000 steps kept 60,001 losses and drew them all on each update.
MAX_CURVE_POINTS = 2000

#: The learning rate the page opens with: on the worked example it lowers the loss at every step.
LEARNING_RATE = "0.03"

#: Size of the loss curve, shown at exactly this size so it stays sharp.
CURVE_PIXELS = (480, 220)


@dataclasses.dataclass(frozen=True)
class GradientPanel:
    """One heat map of training.

    Attributes
    ----------
    key : str        "T", "E" (Y − T), "delta2", "dW2|db2": stable across notations
    title : str
    row_labels, col_labels : list of str   of the drawn matrix
    layer : int      the layer (1-based) whose δ or gradients it shows; 0 for T and Y − T
    cells : str      what its cells' buttons explain: "delta", "gradient" or "" (none)
    transposed : bool
    split_after : int or None   a line between dW and db
    """

    key: str
    title: str
    row_labels: list[str]
    col_labels: list[str]
    layer: int = 0
    cells: str = ""
    transposed: bool = False
    split_after: int | None = None

    def at(self, row: int, col: int) -> tuple[int, int]:
        """Where the model's cell (row, col) is drawn."""
        return (col, row) if self.transposed else (row, col)


def gradient_panels(sizes: tuple[int, ...], convention: str = "columns", activations: tuple[str, ...] | None = None,
                    loss: str = "mse") -> tuple[tuple[GradientPanel, ...], ...]:
    """Training's heat maps in rows: T, what the loss compares with it if not Y (softmax's P), and the error
    (Y − T), then from the last layer back to the first its δ and its dW | db, drawn in a notation; each δ's
    title names its layer's activation (``State.activations``).

    >>> [[p.title for p in row] for row in gradient_panels((3, 4, 2, 3))][:2]
    [['T (targets)', 'Y − T (error)'], ['δ2 = (Y − T) ⊙ ReLU′(Y_z)', 'dW2 | db2 = δ2·Hᵀ / 3 | mean of δ2']]
    """
    n = notation(convention)
    chosen = activations_of(activations, len(sizes) - 2)
    inputs, *widths, batch = sizes
    layers = layers_of(len(widths))
    xs = unit_labels("x", batch)
    mark = "ᵀ" if n.transposed else ""

    def batch_panel(key, title, rows, layer=0, cells=""):
        if n.transposed:
            return GradientPanel(key, title, xs, rows, layer, cells, transposed=True)
        return GradientPanel(key, title, rows, xs, layer, cells)

    entry = LOSSES[loss]
    outputs = [layers[-1].unit_label(r) for r in range(widths[-1])]
    difference = entry.error_for(entry.compared, "T")
    error = batch_panel("E", f"({difference}){mark}" if mark else f"{difference} (error)", outputs)
    compared = ((batch_panel("P", f"({entry.compared_title}){mark}" if mark else entry.compared_title, outputs),)
                if entry.compared_title else ())
    shown = [(batch_panel("T", f"T{mark} (targets)", outputs), *compared, error)]
    for layer in reversed(layers):
        k = layer.index
        units = [layer.unit_label(r) for r in range(widths[k - 1])]
        columns = [column_label(layer, c, len(widths)) for c in range(([inputs, *widths])[k - 1])]
        slope = f"{chosen[k - 1].label}′({layer.pre})"
        if layer.output:  # a loss that applies its own function has that function's slope in its error
            why = difference if entry.last_activation else f"({difference}) ⊙ {slope}"
        else:
            why = f"({layers[k].weights}ᵀ·δ{k + 1}) ⊙ {slope}"
        title = f"δ{k}ᵀ, where δ{k} = {why}" if n.transposed else f"δ{k} = {why}"
        delta = batch_panel(f"delta{k}", title, units, k, "delta")
        if n.transposed:
            gradient = GradientPanel(f"dW{k}|db{k}", f"[dW{k}ᵀ ; db{k}ᵀ] = [{layer.source}; 1]·δ{k}ᵀ / {batch}",
                                     columns + ["b"], units, k, "gradient", transposed=True)
        elif n.augmented:
            gradient = GradientPanel(f"dW{k}|db{k}", f"[dW{k} | db{k}] = δ{k}·[{layer.source}; 1]ᵀ / {batch}",
                                     units, columns + ["b"], k, "gradient", split_after=len(columns) - 1)
        else:
            gradient = GradientPanel(f"dW{k}|db{k}", f"dW{k} | db{k} = δ{k}·{layer.source}ᵀ / {batch} | mean of δ{k}",
                                     units, columns + ["b"], k, "gradient", split_after=len(columns) - 1)
        shown.append((delta, gradient))
    return tuple(shown)


#: A gradient cell as the page names it: ``dW2,1,2`` (ASCII digits only: ``str.isdigit`` takes "²").
CELL = re.compile(r"(delta|dW|db)([1-9]),(\d{1,3}),(\d{1,3})", re.ASCII)


@dataclasses.dataclass(frozen=True)
class GradientCell:
    """The explained cell of training: an entry of a δ ("delta"), of a dW ("W") or of a db ("b")."""

    kind: str
    layer: int
    row: int
    col: int

    @property
    def data(self) -> str:
        """Its ``data-cell``: ``delta2,1,0``, ``dW2,1,2``, ``db2,1,0``."""
        name = {"delta": "delta", "W": "dW", "b": "db"}[self.kind]
        return f"{name}{self.layer},{self.row},{self.col}"


def parse_gradient_cell(cell: object, state: State) -> GradientCell:
    """The cell a page names (``delta2,1,0``, ``dW1,2,0``, ``db2,1,0``), checked: ``ValueError`` otherwise.

    A message from the page is untrusted: anything but a cell of this state's δ, dW or db is refused.
    """
    text = cell if isinstance(cell, str) else ""
    shown = text[:30] if text else type(cell).__name__
    found = CELL.fullmatch(text) if len(text) <= 40 else None
    if found is None:
        raise ValueError(f"not a cell of the gradients: {shown!r}")
    kind = {"delta": "delta", "dW": "W", "db": "b"}[found[1]]
    layer, row, col = int(found[2]), int(found[3]), int(found[4])
    if not 1 <= layer <= state.depth:
        raise ValueError(f"not a cell of the gradients: {shown!r}")
    W = state.layers[layer - 1][0]
    rows, cols = W.shape[0], {"delta": state.X.shape[1], "W": W.shape[1], "b": 1}[kind]
    if not (row < rows and col < cols):
        raise ValueError(f"not a cell of the gradients: {shown!r}")
    return GradientCell(kind, layer, row, col)


def first_cell(g: Gradients) -> GradientCell:
    """The cell explained first: the last layer's weight gradient of largest size (the one a step moves most)."""
    dW = g.layers[-1][0]
    row, col = np.unravel_index(int(np.argmax(np.abs(dW))), dW.shape)
    return GradientCell("W", g.depth, int(row), int(col))


def _scale(values: np.ndarray) -> float:
    """Half-width of a colour scale centred at 0: the largest size, so small gradients still show colour."""
    largest = float(np.abs(values).max())
    return largest if largest > 0 else 1.0


class GradientViews(drawing.DrawnPanels):
    """Training's heat maps, each a figure: its picture (drawn by the page from numbers, ``drawing.py``), a
    button over each cell it explains, and the tables of its numbers as its text alternative.

    ``widget`` is the drawing to draw in (a page keeps one for every size, notation and theme)."""

    def __init__(self, sizes: tuple[int, ...], theme: str = "light", convention: str = "columns",
                 widget: drawing.HeatmapDrawing | None = None, activations: tuple[str, ...] | None = None,
                 loss: str = "mse") -> None:
        self.sizes, self.theme, self.convention, self.loss = tuple(sizes), theme, convention, loss
        self.activations = names_of(activations, len(self.sizes) - 2)
        self.rows = gradient_panels(self.sizes, convention, self.activations, loss)
        self.layout = {panel.key: panel for row in self.rows for panel in row}
        self.panels = {key: HeatmapPanel(p.title, p.row_labels, p.col_labels, split_after=p.split_after, theme=theme)
                       for key, p in self.layout.items()}
        self.widget = widget if widget is not None else drawing.HeatmapDrawing()
        self.widget.add_class("bn-heatmaps")
        self.widget.add_class("bn-train-maps")
        super().__init__()
        self._frame: dict | None = None

    def draw(self, state: State, trace: Trace, targets: np.ndarray, g: Gradients, cell: GradientCell) -> dict:
        """All of training's heat maps, as numbers and short strings (``show`` sends them), a row of the page
        for each row of ``gradient_panels``."""
        depth, batch = state.depth, state.X.shape[1]
        layers = layers_of(depth)
        outputs = [layers[-1].unit_label(r) for r in range(targets.shape[0])]
        xs = unit_labels("x", batch)
        entry = LOSSES[self.loss]
        error = entry.error(g.outputs, targets)
        pictures, values, tables = {}, {}, {}
        for panel in (panel for row in self.rows for panel in row):
            light, zeroed = NO_HIGHLIGHT, None
            if panel.key == "T":
                model, vmax = targets, max(_scale(trace.Y), _scale(targets))
                matrices = [("T", targets, outputs, xs, "T")]
            elif panel.key == "P":
                model, vmax = g.outputs, _scale(g.outputs)
                matrices = [("P", g.outputs, outputs, xs, entry.compared)]
            elif panel.key == "E":
                model, vmax = error, _scale(error)
                matrices = [("E", error, outputs, xs, entry.error_for(entry.compared, "T"))]
            else:
                layer = layers[panel.layer - 1]
                units = [layer.unit_label(r) for r in range(state.layers[panel.layer - 1][0].shape[0])]
                if panel.cells == "delta":
                    model = g.deltas[panel.layer - 1]
                    zeroed = trace.zeroed(layer.pre)
                    matrices = [(f"delta{panel.layer}", model, units, xs, f"δ{panel.layer}")]
                    if cell.layer == panel.layer:
                        light = (Highlight(cells=(panel.at(cell.row, cell.col),)) if cell.kind == "delta"
                                 else Highlight(**{("cols" if panel.transposed else "rows"): (cell.row,)}))
                else:
                    dW, db = g.layers[panel.layer - 1]
                    model = np.column_stack([dW, db])
                    columns = panel.row_labels[:-1] if panel.transposed else panel.col_labels[:-1]
                    matrices = [(f"dW{panel.layer}", dW, units, columns, f"dW{panel.layer}"),
                                (f"db{panel.layer}", db, units, [f"db{panel.layer}"], f"db{panel.layer}")]
                    if cell.layer == panel.layer and cell.kind in ("W", "b"):
                        col = cell.col if cell.kind == "W" else dW.shape[1]
                        light = Highlight(cells=(panel.at(cell.row, col),))
                vmax = _scale(model)
            drawn = model.T if panel.transposed else model
            picture = self.panels[panel.key].picture(drawn, vmax, None if zeroed is None else
                                                     (zeroed.T if panel.transposed else zeroed), None, light)
            pictures[panel.key] = picture
            tables[panel.key] = [self._table(panel, name, array.shape, rows, columns, caption)
                                 for name, array, rows, columns, caption in matrices]
            values.update({name: drawing.table_numbers(array, transposed=panel.transposed)
                           for name, array, *_ in matrices})
        if self._frame is None:  # what lies where: the same for every drawing of these sizes
            rows = [("bn-train-row", [drawing.panel_key(p.key) for p in row]) for row in self.rows]
            self._frame = drawing.frame_of(self.theme, rows, [self._panel_frame(panel, tables[panel.key], g)
                                                              for panel in self.layout.values()])
        self._drawn = pictures
        return drawing.parts_of(self._frame, pictures, values, {},
                                {"chosen": [cell.data], "blanks": None, "action": "explain"})

    @staticmethod
    def _table(panel: GradientPanel, name: str, shape: tuple[int, ...], rows: list[str], columns: list[str],
               caption: str) -> drawing.Table:
        """A value table's headers as its panel draws it: with inputs as rows transposed, and marked ᵀ as its
        title is."""
        if panel.transposed:
            caption = f"({caption})ᵀ" if " " in caption else f"{caption}ᵀ"
        return drawing.table(name, shape, rows, columns, caption, transposed=panel.transposed)

    def _panel_frame(self, panel: GradientPanel, tables: list[drawing.Table], g: Gradients) -> dict:
        buttons = None
        if panel.cells:
            shape = (g.deltas[panel.layer - 1] if panel.cells == "delta" else
                     np.column_stack(g.layers[panel.layer - 1])).shape
            cells = []
            label = f"δ{panel.layer}"
            for r, c in np.ndindex(shape):
                if panel.cells == "delta":
                    data = GradientCell("delta", panel.layer, r, c)
                    text = f"{label}[{panel.row_labels[r] if not panel.transposed else panel.col_labels[r]}, x{c + 1}]"
                else:
                    is_bias = c == shape[1] - 1
                    data = GradientCell("b" if is_bias else "W", panel.layer, r, 0 if is_bias else c)
                    units = panel.col_labels if panel.transposed else panel.row_labels
                    columns = panel.row_labels if panel.transposed else panel.col_labels
                    text = (f"db{panel.layer}[{units[r]}]" if is_bias
                            else f"dW{panel.layer}[{units[r]}, {columns[c]}]")
                cells.append((data.data, panel.at(r, c), text))
            buttons = drawing.Buttons(tuple(cells), f"bn-cells-{drawing.panel_key(panel.key)}", inside=True)
        return drawing.panel_frame(drawing.panel_key(panel.key), self.panels[panel.key], "bn-figure bn-train-figure",
                                   tables=tables, buttons=buttons)


def loss_html(state: State, targets: np.ndarray, g: Gradients, loss: str = "mse") -> str:
    """The loss with its arithmetic, in an element whose ``data-value`` holds it in full; "≈" where a number
    written is rounded."""
    entry = LOSSES[loss]
    terms, divisor = exact_terms(state, targets, loss)
    total = sum(terms, Fraction(0))
    value = total / divisor
    written = (f"({' + '.join(format_number(v) for v in terms)}) / {divisor} {equals_sign(*terms, total)} "
               if len(terms) <= 12 else "")
    return (f"<div class='bn-loss' data-value='{g.loss!r}'><b>Loss {equals_sign(value)} "
            f"{html.escape(format_number(value))}</b><span class='bn-loss-sum'> = "
            f"{html.escape(entry.written_for(targets.shape[1]))} = {written}{format_number(total)} / {divisor}"
            f"</span></div>")


def explanation_html(state: State, targets: np.ndarray, cell: GradientCell, loss: str = "mse") -> str:
    """One entry of δ, dW or db spelled out: for a gradient, each input's own term, then their average."""
    entry = LOSSES[loss]
    if cell.kind == "delta":
        e = explain_delta(state, targets, cell.layer, cell.row, cell.col, loss)
        layer = layers_of(state.depth)[cell.layer - 1]
        why = (f"{entry.error_for(entry.compared, 'T')} {entry.error_meaning}" if layer.output else
               f"the error of layer {cell.layer + 1} comes back through the weights that {layer.unit_label(cell.row)} "
               f"feeds")
        activation = state.activation_entries[cell.layer - 1]
        at = f"{layer.pre}[{layer.unit_label(cell.row)}, x{cell.col + 1}]"
        if layer.output and entry.last_activation:  # the loss's own function: its slope is in the error
            passed = ""
        elif not activation.zeroes:  # a slope that scales the error, never a switch
            slope = Fraction(repr(e.derivative))
            passed = (f"; {activation.label}′ {equals_sign(slope)} {format_number(slope)}: the slope of "
                      f"{activation.label} at {at} scales the error it passes back")
        elif e.derivative:
            passed = f"; {activation.label}′ = 1: the unit was on for this input, so the error passes"
        else:
            passed = (f"; {activation.label}′ = 0: {at} is 0 or less, the unit was off for this input, so nothing "
                      f"passes back")
        return (f"<div class='bn-explain-heading'>{html.escape(e.label)}: how wrong unit "
                f"{html.escape(layer.unit_label(cell.row))} was for input x{cell.col + 1}</div>"
                f"<div class='bn-formula'>{html.escape(e.text)}</div>"
                f"<div>{html.escape(why + passed)}.</div>")
    name = f"{'W' if cell.kind == 'W' else 'b'}{cell.layer}"
    e = explain_gradient(state, targets, name, cell.row, cell.col, loss)
    layer = layers_of(state.depth)[cell.layer - 1]
    unit = layer.unit_label(cell.row)
    source = "1" if cell.kind == "b" else f"{layer.source}[{column_label(layer, cell.col, state.depth)}, x]"
    head = (f"<tr><th scope='col'>input</th><th scope='col'>δ{cell.layer}[{html.escape(unit)}, x]</th>"
            f"<th scope='col'>{html.escape(source)}</th><th scope='col'>its own term</th></tr>")
    body = "".join(f"<tr><th scope='row'>x{j + 1}</th><td>{format_number(d)}</td><td>{format_number(a)}</td>"
                   f"<td>{format_number(p)}</td></tr>" for j, (d, a, p) in enumerate(e.terms))
    moved = float(getattr(state, name)[(cell.row, cell.col) if cell.kind == "W" else cell.row])
    return (f"<div class='bn-explain-heading'>{html.escape(e.heading)}</div>"
            f"<table class='bn-grad-terms'>{head}{body}</table>"
            f"<div class='bn-formula'>{html.escape(e.text)}</div>"
            f"<div>Each input of the batch adds its own term; the gradient is their average, so one step "
            f"follows the whole batch at once. A step of learning rate η moves {html.escape(name)}"
            f"{html.escape(e.label.removeprefix('d' + name))} from {format_number(moved)} by −η × "
            f"{html.escape(format_number(e.average))}.</div>")


class LossHistory:
    """The loss before a run and after each of its steps, for its curve: every step's while the run is
    short, at most ``MAX_CURVE_POINTS`` points however long it grows.

    >>> h = LossHistory(4.0)
    >>> for value in (3.0, 2.0, 1.0, 0.5):
    ...     h.add(value)
    >>> h.taken, h.steps, h.losses, h.lowest
    (4, [0, 1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0, 0.5], 0.5)
    """

    def __init__(self, first: float) -> None:
        self.steps, self.losses = [0], [first]
        self.taken, self.lowest = 0, first

    @property
    def first(self) -> float:
        return self.losses[0]

    @property
    def last(self) -> float:
        return self.losses[-1]

    def settle(self, value: float) -> None:
        """The last loss replaced by the same loss worked out exactly (a run's steps are floats)."""
        if self.lowest == self.losses[-1]:
            self.lowest = value
        self.losses[-1] = value

    def add(self, value: float) -> None:
        """The loss after one more step."""
        self.taken += 1
        self.lowest = min(self.lowest, value)
        self.steps.append(self.taken)
        self.losses.append(value)
        if len(self.losses) > MAX_CURVE_POINTS:  # every other point, and the last
            keep = [*range(0, len(self.losses) - 1, 2), len(self.losses) - 1]
            self.steps = [self.steps[i] for i in keep]
            self.losses = [self.losses[i] for i in keep]


def curve_png(history: LossHistory, theme: str) -> bytes:
    """The loss after each step of the run, from its start, for ``theme``."""
    figure, ax = chart(CURVE_PIXELS)
    ax.plot(history.steps, history.losses, "-", color=LINES[theme]["blue"],
            marker="o" if history.taken <= 30 else None, markersize=3)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("Loss after each step", fontsize=10)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole
    ax.grid(True, alpha=0.3)
    return themed_png(figure, theme)


def curve_html(history: LossHistory | None, theme: str) -> str:
    if history is None or not history.taken:
        return ("<div class='bn-loss-curve bn-loss-curve-empty'>The loss curve appears here once you take a step "
                "or train.</div>")
    url = "data:image/png;base64," + base64.b64encode(curve_png(history, theme)).decode("ascii")
    alt = (f"Loss curve: {history.taken} steps, the loss going from {format_number(history.first)} to "
           f"{format_number(history.last)}, lowest {format_number(history.lowest)}.")
    return (f"<div class='bn-loss-curve'><img src='{url}' width='{CURVE_PIXELS[0]}' height='{CURVE_PIXELS[1]}' "
            f"alt='{html.escape(alt)}'></div>")


def read_setting(field: str, text: str, whole: bool, high: float) -> float:
    """A typed learning rate (a number above 0) or number of steps (a whole number from 1), at most ``high``;
    ``ValueError`` naming the field and what it takes otherwise.

    >>> read_setting("Steps", "2.5", True, 1000)
    Traceback (most recent call last):
    ...
    ValueError: Steps must be a whole number from 1 to 1000; got '2.5'
    """
    try:
        value = parse_number(text)
    except ValueError as error:
        raise ValueError(f"{field}: {error}") from None
    if whole and not (value == int(value) and 1 <= value <= high):
        raise ValueError(f"{field} must be a whole number from 1 to {format_number(high)}; got {text.strip()[:20]!r}")
    if not whole and not 0 < value <= high:
        raise ValueError(f"{field} must be a number above 0 and at most {format_number(high)}; got "
                         f"{text.strip()[:20]!r}")
    return value


class ClassTargets:
    """Targets as one class per input, for a loss whose targets are one-hot columns: a drop-down per input
    offering the outputs; a choice calls ``chosen(column, row)``."""

    def __init__(self, T: np.ndarray, outputs: list[str], chosen) -> None:
        self._following = False
        self.pickers = []
        for j in range(T.shape[1]):
            picker = widgets.Dropdown(options=[(label, r) for r, label in enumerate(outputs)],
                                      description=f"x{j + 1} is", style={"description_width": "initial"},
                                      tooltip=f"The class of input x{j + 1}: its target is 1 there, 0 elsewhere",
                                      layout=widgets.Layout(width="120px"))
            picker.add_class(f"bn-target-class-{j + 1}")
            picker.observe(lambda change, j=j: None if self._following else chosen(j, change["new"]), "value")
            self.pickers.append(picker)
        title = html_widget(f"<div class='bn-panel-title'>T: each input's class ({len(outputs)} classes)</div>")
        self.widget = widgets.VBox([title, widgets.HBox(self.pickers, layout=widgets.Layout(flex_flow="row wrap"))])
        self.show({"T": T})

    def show(self, values: dict) -> None:
        self._following = True
        try:
            for picker, chosen in zip(self.pickers, classes_of(values["T"])):
                picker.value = chosen
        finally:
            self._following = False

    def set_step(self, step: object) -> None:
        """A class has no step."""


class Trainer:
    """Training on the batch, added to a ``BatchApp``: targets T, the loss, δ and dW | db heat maps, steps.

    Parameters
    ----------
    app : BatchApp, optional    the worksheet to train; a new one by default
    targets : array_like, optional   T, outputs × batch; the worked example's by default
    """

    def __init__(self, app: BatchApp | None = None, targets: object = None) -> None:
        self.app = app if app is not None else BatchApp()
        state = self.app.state
        self.loss = "mse"  # the name of the loss trained on: LOSSES
        self._following_loss = False  # the loss's drop-down is being set to the page's loss: not a person's choice
        self.targets = default_targets(state) if targets is None else check_targets(state, targets)
        self.start = (state, self.targets, self.loss)
        self.cell = first_cell(backward(state, self.targets))
        self.history: LossHistory | None = None  # the run's, from its first step
        self.trained: State | None = None  # the state the last step made: the run goes on from it
        self.running = False  # a press of Train is running: another press is ignored until it ends
        self._task: asyncio.Task | None = None
        self._ended = -SETTLE_SECONDS  # when the last run pressed on the page ended (time.monotonic)
        guard = self.app.guard

        self.learning_rate = widgets.Text(value=LEARNING_RATE, description="Learning rate", continuous_update=False,
                                          tooltip="η: each step moves every weight by −η × its gradient",
                                          layout=widgets.Layout(width="190px"),
                                          style={"description_width": "initial"})
        self.learning_rate.add_class("bn-learning-rate")
        self.steps_box = widgets.Text(value="100", description="Steps", continuous_update=False,
                                  tooltip=f"How many steps Train takes: 1 to {MAX_TRAIN_STEPS}",
                                  layout=widgets.Layout(width="130px"), style={"description_width": "initial"})
        self.steps_box.add_class("bn-train-steps")
        step = widgets.Button(description="One step", tooltip="One step of gradient descent on the whole batch")
        step.add_class("bn-train-step")
        train = widgets.Button(description="Train", tooltip="Take the number of steps given, showing the loss live")
        train.add_class("bn-train-run")
        reset = widgets.Button(description="Reset training", tooltip="Back to the weights and targets the page "
                               "opened with; the loss curve starts again")
        reset.add_class("bn-train-reset")
        self.step_button, self.train_button = step, train
        step.on_click(guard(lambda _: None if self.running else self.step()))
        train.on_click(guard(lambda _: self.press_train()))
        reset.on_click(guard(lambda _: self.reset()))
        #: The last good text of each setting: a refused one is replaced by it.
        self.settings = {"Learning rate": self.learning_rate.value, "Steps": self.steps_box.value}
        self.learning_rate.observe(guard(lambda _: self._check_setting(self.learning_rate, "Learning rate", False,
                                                                       MAX_LEARNING_RATE)), "value")
        self.steps_box.observe(guard(lambda _: self._check_setting(self.steps_box, "Steps", True, MAX_TRAIN_STEPS)),
                               "value")

        self.loss_choice = widgets.Dropdown(options=[(entry.label, name) for name, entry in LOSSES.items()],
                                            value=self.loss, description="Loss",
                                            tooltip="What the steps lower: how far the outputs are from the targets",
                                            layout=widgets.Layout(width="260px"),
                                            style={"description_width": "initial"})
        self.loss_choice.add_class("bn-loss-choice")
        self.loss_choice.observe(guard(lambda change: self.choose_loss(change["new"])), "value")
        self.loss_view = html_widget("", "bn-loss-box")
        self.curve = html_widget(curve_html(None, self.app.theme))
        self.explanation = html_widget("", "bn-grad-explain")
        self.target_box = widgets.VBox()
        self.views = GradientViews(state.sizes, self.app.theme, self.app.model.notation,
                                   activations=state.activations, loss=self.loss)
        self.maps = self.views.widget
        self._build_targets()
        intro = html_widget(
            "<h2 class='bn-train-title'>Targets, loss and gradients</h2>"
            "<div>Set the targets T, one column per input. The loss says how far the outputs are from T; "
            "each gradient says which way, and how much, every weight and bias should move to lower it, averaged "
            "over the batch. Click any cell of δ, dW or db to see how it is made.</div>")
        controls = widgets.HBox([step, self.learning_rate, self.steps_box, train, reset],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        controls.add_class("bn-train-controls")
        top = widgets.HBox([self.target_box, widgets.VBox([controls, self.loss_choice, self.loss_view, self.curve])],
                           layout=widgets.Layout(flex_flow="row wrap", grid_gap="10px 24px"))
        self.activations = ActivationPicker(self.app)
        self.panel = widgets.VBox([intro, self.activations.widget, top, self.maps, widgets.VBox(
            [html_widget("<div class='bn-panel-title'>Explain a gradient: click a cell of δ, dW or db</div>"),
             self.explanation], layout=widgets.Layout(max_width="720px"))])
        self.panel.add_class("bn-train")

        for prefix in ("delta", "dW", "db"):
            for k in range(1, MAX_DEPTH + 1):
                self.app.cell_explainers[f"{prefix}{k}"] = self.explain_cell
        # the targets as they fit the state shown: the app's link is made before this panel follows a new size
        self.app.share.page_parts.append(self._link_query)
        self.app.author.offer_gradients(lambda: resize_targets(self.targets, self.app.state, self.loss),
                                        lambda: self.loss)
        self.app.step_picker.observe(guard(lambda change: self.target_controls.set_step(change["new"])), "value")
        self._view = View(("state", "theme", "notation"), self._draw, self._send, self.views.forget)
        self.app.model.subscribe(self._view)
        self.app.add_panel(self.panel)
        self.widget = self.app.widget
        self._send(self._draw(self.app.model))
        self.app.share.show(self.app.state, self.app.theme)

    @classmethod
    def from_page(cls) -> Trainer:
        """Training as the page's URL asks for it: the state as the main page reads it, and ``T=1,0,1;2,2,2``
        for the targets; targets that cannot be used are replaced by the worked example's, saying why."""
        app = BatchApp.from_page(reads=TRAIN_PAGE_KEYS)
        trainer = cls(app)
        if not app.link.refused and ("T" in app.link.values or "loss" in app.link.values):
            try:
                trainer.train_towards(*trainer.read_targets(app.state, app.link.values))
            except ValueError as error:
                what = "loss and targets" if "loss" in app.link.values else "targets"
                app.say(f"The link's {what} could not be used: {error}. The page's own {what} are shown.",
                         error=True)
            else:
                trainer.start = (app.state, trainer.targets, trainer.loss)
        if app.class_bar is not None:
            app.class_bar.accept_pushes(Pushable(read=trainer.read_pushed,
                                                 own=lambda: (app.state, (trainer.targets, trainer.loss)),
                                                 show=trainer.show, query=trainer.query))
        return trainer

    # -- the class -----------------------------------------------------------------------------

    def read_pushed(self, query: str) -> tuple[State, tuple[np.ndarray, str] | None]:
        """A network the teacher sent, with its targets and loss if it gives them (``T=``, ``loss=``);
        ``ValueError`` naming the problem."""
        state = pushed_state(query)
        link = read_link(query, TRAIN_PAGE_KEYS)
        given = "T" in link.values or "loss" in link.values
        return state, self.read_targets(state, link.values) if given else None

    @staticmethod
    def read_targets(state: State, values: dict) -> tuple[np.ndarray, str]:
        """The targets and loss a link gives (``T=1,0,1;2,2,2``, ``loss=softmax_cross_entropy``), checked
        against the state: without T, the loss's own targets for it; ``ValueError`` naming the problem."""
        name = values.get("loss", "mse")
        check_loss(state, name)
        if "T" not in values:
            return default_targets(state, name), name
        return targets_from_query(state, values["T"], name), name

    def show(self, shown: tuple[State, tuple[np.ndarray, str] | None], message: str = "") -> None:
        """Show a state and, if given, its targets and loss (a pushed network, or the learner's own again)."""
        state, given = shown
        self.app.load(state, message)
        if given is not None:
            self.train_towards(*given)

    def query(self) -> str:
        """The state, its targets and its loss, as the page's link gives them."""
        return f"{self.app.state.to_query()}&{self._link_query()}"

    def _link_query(self) -> str:
        """The targets as they fit the state shown (the app's link is made before this panel follows a new
        size), and the loss if it is not the default."""
        targets = targets_to_query(resize_targets(self.targets, self.app.state, self.loss))
        return targets if self.loss == "mse" else f"{targets}&loss={self.loss}"

    # -- drawing -------------------------------------------------------------------------------

    def _draw(self, m: Worksheet, targets: np.ndarray | None = None, cell: GradientCell | None = None,
              loss: str | None = None) -> tuple:
        """Everything training shows for the model, with these targets, loss and explained cell. A loss the
        network no longer fits (a layer added after a linear last one) gives way to mean squared error."""
        targets, loss = self.targets if targets is None else targets, self.loss if loss is None else loss
        gave_way = ""
        try:
            check_loss(m.state, loss)
        except ValueError as error:
            gave_way = f"{error}: the loss is mean squared error again, with its own targets."
            loss, targets = "mse", default_targets(m.state)
        if targets.shape != (m.trace.Y.shape[0], m.state.X.shape[1]):
            targets = resize_targets(targets, m.state, loss)
        g = gradients_of(m.state, targets, loss)  # the state's own forward pass, worked out once
        cell = self.cell if cell is None else cell
        try:
            cell = parse_gradient_cell(cell.data, m.state)
        except ValueError:
            cell = first_cell(g)  # the sizes changed under it
        views = self.views
        if (views.sizes, views.theme, views.convention, views.activations, views.loss) != \
                (m.state.sizes, m.theme, m.notation, m.state.activations, loss):
            views = GradientViews(m.state.sizes, m.theme, m.notation, widget=views.widget,
                                  activations=m.state.activations, loss=loss)
        return (views, targets, loss, cell, views.draw(m.state, m.trace, targets, g, cell),
                loss_html(m.state, targets, g, loss), explanation_html(m.state, targets, cell, loss), gave_way)

    def _send(self, drawn: tuple) -> None:
        views, targets, loss, cell, maps, loss_text, explanation, gave_way = drawn
        resized = targets.shape != self.targets.shape or loss != self.loss
        new_theme = views.theme != self.views.theme
        if loss != self.loss:
            self._follow_loss(loss)
        self.views, self.targets, self.cell = views, targets, cell
        self._view.forget = views.forget
        if resized:
            self._build_targets()
        else:
            self.target_controls.show({"T": targets})
        if new_theme:
            self.curve.value = curve_html(self.history, views.theme)
        views.show(maps)
        for widget, value in ((self.loss_view, loss_text), (self.explanation, explanation)):
            if widget.value != value:
                widget.value = value
        if gave_way:
            self._new_run()
            self.app.say(gave_way[0].upper() + gave_way[1:], error=True)

    def _redraw(self, targets: np.ndarray | None = None, cell: GradientCell | None = None) -> None:
        """Draw again for new targets or a new explained cell: nothing changes on screen if drawing fails."""
        drawn = self._draw(self.app.model, targets, cell)
        self._send(drawn)

    def _build_targets(self) -> None:
        state = self.app.state
        outputs = [layers_of(state.depth)[-1].unit_label(r) for r in range(self.targets.shape[0])]
        xs = unit_labels("x", state.X.shape[1])
        if LOSSES[self.loss].classes:
            self.target_controls = ClassTargets(self.targets, outputs, self.app.guard(self._class_chosen))
            self.target_box.children = [self.target_controls.widget]
            return
        self.target_controls = MatrixControls(
            f"T: targets, one column per input ({self.targets.shape[0]} × {self.targets.shape[1]})",
            [("T", self.targets)], outputs, xs, self.app.step, self.app.guard(self._target_changed),
            self.app.guard(lambda message: self.app.say(message, error=True)), depth=state.depth)
        self.target_controls.widget.add_class("bn-controls-T")
        self.target_box.children = [self.target_controls.widget]

    # -- what a person does ----------------------------------------------------------------------

    def set_targets(self, targets: object) -> None:
        """Train towards other targets, T (outputs × batch), with the same loss."""
        self.train_towards(targets, self.loss)

    def train_towards(self, targets: object, loss: str) -> None:
        """Train towards these targets with this loss (``ValueError`` if the network or targets do not fit it)."""
        check_loss(self.app.state, loss)
        checked = check_targets(self.app.state, targets, loss)
        self._send(self._draw(self.app.model, checked, loss=loss))
        self._new_run()  # its losses were against the old targets
        self.app.share.show(self.app.state, self.app.theme)
        self.app.author.show()

    def choose_loss(self, name: str) -> None:
        """Train with another loss of ``LOSSES``: a loss that applies its own function to the last layer's sums
        (softmax cross-entropy) makes that layer linear first, and holds it so; targets become the loss's own."""
        if self._following_loss or name == self.loss:
            return
        entry = LOSSES[name]
        state = self.app.state
        message = f"Loss: {entry.label}, {entry.written_for(state.X.shape[1])}."
        if entry.last_activation and state.activations[-1] != entry.last_activation:
            layer = layers_of(state.depth)[-1]
            message += (f" It applies its own function to {layer.pre}, so {layer.post} is {layer.pre} as it is: "
                        f"layer {state.depth}'s activation is now {entry.last_activation}.")
            chosen = (*state.activations[:-1], entry.last_activation)
            self.app.load(state.replace(activations=chosen))
        self.train_towards(resize_targets(self.targets, self.app.state, name) if not entry.classes
                           else default_targets(self.app.state, name), name)
        self.app.say(message)

    def _follow_loss(self, name: str) -> None:
        """The page shows this loss: its choice, the last activation held or free, its targets' controls."""
        self.loss = name
        entry = LOSSES[name]
        self._following_loss = True
        try:
            self.loss_choice.value = name
        finally:
            self._following_loss = False
        self.activations.hold_last(f"{entry.label} applies softmax to the last layer's sums, which stay linear"
                                   if entry.last_activation else "")

    def _class_chosen(self, column: int, row: int) -> None:
        targets = one_hot(classes_of(self.targets), self.targets.shape[0])
        targets[:, column] = 0.0
        targets[row, column] = 1.0
        before = loss(self.app.state, self.targets, self.loss)
        self.set_targets(targets)
        outputs = layers_of(self.app.state.depth)[-1]
        self.app.say(f"x{column + 1} is of class {outputs.unit_label(row)}: the loss goes from "
                      f"{format_number(before)} to {format_number(loss(self.app.state, self.targets, self.loss))}.")

    def _target_changed(self, name: str, row: int, col: int, value: float) -> None:
        if self.targets[row, col] == value:
            return
        targets = np.array(self.targets)
        targets[row, col] = value
        before = loss(self.app.state, self.targets, self.loss)
        self.set_targets(targets)
        self.app.say(f"{entry_label('T', row, col)} = {format_number(value)}: the loss goes from "
                      f"{format_number(before)} to {format_number(loss(self.app.state, self.targets, self.loss))}.")

    def explain_cell(self, cell: str) -> None:
        """Explain the cell of δ, dW or db the page names (``dW2,1,2``: layer 2, row 1, column 2, 0-based)."""
        self._redraw(cell=parse_gradient_cell(cell, self.app.state))

    def _check_setting(self, box: widgets.Text, field: str, whole: bool, high: float) -> None:
        """A typed learning rate or number of steps is checked at once: a wrong one is named, and the box
        goes back to the last good value."""
        try:
            value = read_setting(field, box.value, whole, high)
        except ValueError as error:
            good = self.settings[field]
            box.value = good
            self.app.say(f"{error}. It stays {good}.", error=True)
            return
        self.settings[field] = box.value.strip()
        self.app.say(f"{field} = {format_number(value)}.")

    def _settings(self) -> tuple[float, int]:
        return float(parse_number(self.settings["Learning rate"])), int(parse_number(self.settings["Steps"]))

    def _new_run(self) -> None:
        """The loss curve starts again at the next step."""
        self.history, self.trained = None, None
        self.curve.value = curve_html(self.history, self.app.theme)

    def _begin_run(self) -> LossHistory:
        """A run goes on from the state its last step made; after a change by hand its curve starts again."""
        if self.trained is None or self.app.state != self.trained or self.history is None:
            self.history = LossHistory(loss(self.app.state, self.targets, self.loss))
        return self.history

    def step(self) -> None:
        """One step of gradient descent on the whole batch."""
        rate, _ = self._settings()
        history = self._begin_run()
        before = history.last
        state = sgd_step(self.app.state, self.targets, rate, self.loss)
        self._show_step(state)
        self.app.say(f"Step {history.taken} with learning rate {format_number(rate)}: loss "
                      f"{format_number(before)} → {format_number(history.last)}."
                      + (" It went up: the step overshot, so try a smaller learning rate." if
                         history.last > before else ""))

    def train(self) -> None:
        """Take the number of steps asked for, at once (the Train button runs them beside the page's messages:
        ``press_train``)."""
        self._set_running(True)
        try:
            for _ in self._run():
                pass
        finally:
            self._set_running(False)

    def press_train(self) -> None:
        """Train pressed: a run, unless one is going, which the press leaves alone.

        In a kernel the run goes on as a task of its event loop, and gives the loop ``PAUSE_SECONDS``
        each time it shows the numbers: the page's messages are handled during the run, not queued
        behind it, so ten quick presses make one run, and a change by hand stops it. The buttons are
        disabled meanwhile; a press sent before the page knew it is ignored here, and so is one that
        comes within ``SETTLE_SECONDS`` of its end. Outside a kernel (Python, tests) the run is taken
        at once.
        """
        if self.running or time.monotonic() - self._ended < SETTLE_SECONDS:
            return
        loop = kernel_loop()
        if loop is None:
            self.train()
            return
        self._set_running(True)
        run = self._run()
        advance = self.app.guard(lambda: next(run, False))  # a failure is said on the page, and ends the run

        async def live() -> None:
            try:
                while advance():
                    await asyncio.sleep(PAUSE_SECONDS)
            finally:
                self._set_running(False)
                self._ended = time.monotonic()

        self._task = loop.create_task(live())  # kept: the loop holds only a weak reference to a task

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.train_button.disabled = self.step_button.disabled = running

    def _run(self) -> Iterator[bool]:
        """A run of the number of steps asked for; it yields each time it has shown the numbers, and ends
        early, without a word, if the weights or targets were changed meanwhile (their change says so)."""
        rate, count = self._settings()
        history, targets, chosen = self._begin_run(), self.targets, self.loss
        before, state, shown_at, stopped = history.last, self.app.state, time.perf_counter(), ""
        for taken in range(1, count + 1):
            try:
                state, value = run_step(state, targets, rate, chosen)  # in floats: see run_step
            except ValueError as error:
                stopped = f" Stopped after {taken - 1} step{'s' * (taken != 2)}: {error}."
                break
            history.add(value)
            if time.perf_counter() - shown_at > LIVE_SECONDS and taken < count:
                self._show_step(state, record=False)
                self.app.say(f"Training: step {taken} of {count}, loss {format_number(history.last)}.")
                yield True
                if self.history is not history or self.app.state != state:
                    return
                shown_at = time.perf_counter()
        self._show_step(state, record=False)
        if history.taken:
            history.settle(loss(state, targets, chosen))  # the loss the run ends on, worked out exactly
        taken = history.taken
        went_up = " The loss went up: try a smaller learning rate." if history.last > before and not stopped else ""
        self.app.say(f"Trained {taken} step{'s' * (taken != 1)} so far in this run: loss {format_number(before)} → "
                      f"{format_number(history.last)}.{stopped}{went_up}", error=bool(stopped))

    def _show_step(self, state: State, record: bool = True) -> None:
        self.app.load(state)
        if record:
            self.history.add(loss(state, self.targets, self.loss))
        self.trained = state
        self.curve.value = curve_html(self.history, self.app.theme)

    def reset(self) -> None:
        """Back to the weights and targets the page opened with."""
        state, targets, chosen = self.start
        self.app.load(state)
        self.train_towards(targets, chosen)
        self.app.say("Reset to the weights and targets the page opened with.")

