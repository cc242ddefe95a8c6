"""Making an exercise of the state shown: the teacher picks the result cells to leave blank, and gets a
link to page 03 with exactly that network and those blanks.

All of the exercise is ``batchnet_core.exercises.Exercise``; this module only lets a teacher choose it.
While it is open, a click on a result cell (or Enter on it) makes that cell blank, or given again,
instead of explaining it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..exercises import MAX_BLANKS, Cell, Exercise
from ..gradient_exercises import activations_for, authored_gradient_exercise
from ..nn.layers import layers_of, result_names
from ..nn.training import column_label
from ..series import EXERCISE_PAGE
from .model import Worksheet
from .views import html_widget


class ExerciseAuthor:
    """"Make an exercise…" under a worksheet: its blanks are the model's ``blanks`` (None while closed).

    Parameters
    ----------
    model : the page's ``Worksheet``; its heat maps mark the blanks
    say : the page's status line
    guard : the page's ``Guard``
    """

    def __init__(self, model: Worksheet, say: Callable[..., None], guard: Callable) -> None:
        self.model, self.say, self.guard = model, say, guard
        self.open_button = widgets.ToggleButton(value=False, description="Make an exercise…",
                                                tooltip="Choose result cells to leave blank, and get a link "
                                                        "to the exercise")
        self.open_button.add_class("bn-button-author")
        self.open_button.observe(guard(lambda change: self.set_open(change["new"])), "value")
        self.predict = widgets.Checkbox(value=True, description="Predict ReLU's zeros first", indent=False,
                                        layout=widgets.Layout(width="auto"))
        self.predict.add_class("bn-author-predict")
        self.predict.observe(guard(lambda _: self.show()), "value")
        self.whole = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        clear = widgets.Button(description="Clear", tooltip="No cell blank")
        clear.add_class("bn-author-clear")
        clear.on_click(guard(lambda _: self._set(frozenset())))
        self.clear_button = clear
        self.result = html_widget("", "bn-author-link")
        self.panel = widgets.VBox([
            html_widget("<div class='bn-author-help'>Click the result cells to leave blank (click again to give "
                        "one back), or make a whole matrix blank. The link opens page 03 with this network and "
                        "these blanks; it follows every change of the numbers.</div>"),
            widgets.HBox([self.whole, clear], layout=widgets.Layout(flex_flow="row wrap")),
            self.predict, self.result,
        ])
        self.panel.add_class("bn-author")
        self.panel.layout.display = "none"
        self.widget = widgets.VBox([self.open_button, self.panel])
        self._names: tuple[str, ...] = ()
        #: On page 06 (``offer_gradients``): the page's targets and loss, and the gradient entry its exercise asks.
        self.targets: Callable[[], np.ndarray] | None = None
        self.loss: Callable[[], str] = lambda: "mse"
        self.gradient_picker = widgets.Dropdown(description="Gradient asked", style={"description_width": "initial"},
                                                layout=widgets.Layout(width="280px", max_width="100%"))
        self.gradient_picker.add_class("bn-author-gradient")
        self.gradient_picker.observe(guard(lambda _: self.show()), "value")
        self.gradient_result = html_widget("", "bn-author-gradient-link")
        self._gradient_sizes: tuple[int, ...] = ()

    def offer_gradients(self, targets: Callable[[], np.ndarray], loss: Callable[[], str]) -> None:
        """On page 06: an entry of the gradient of this state, its ``targets`` and its ``loss`` may be asked as
        well, in the page's own gradient exercise."""
        self.targets, self.loss = targets, loss
        self.panel.children = [*self.panel.children,
                               html_widget("<div class='bn-author-help'>Or ask one entry of the gradient, worked "
                                           "out by hand with these targets T:</div>"),
                               self.gradient_picker, self.gradient_result]
        self.follow()

    @property
    def blanks(self) -> frozenset[str]:
        return self.model.blanks or frozenset()

    def set_open(self, opened: bool) -> None:
        """Open (every cell given, to start) or close the choosing; closed, a click explains a cell again."""
        self.panel.layout.display = None if opened else "none"
        if self.open_button.value != opened:
            self.open_button.value = opened
        self._set(frozenset() if opened else None)
        self.say("Click the result cells to leave blank." if opened else "Cells explain themselves again.")

    def toggle(self, cell: str) -> None:
        """Make ``cell`` (``data-cell``, checked by the page) blank, or given again."""
        self._set(self.blanks ^ {cell})

    def toggle_all(self, name: str) -> None:
        """Make every cell of the result ``name`` blank, or, if all are, give them all back."""
        rows, cols = self.model.trace[name].shape
        cells = {f"{name},{r},{c}" for r in range(rows) for c in range(cols)}
        self._set(self.blanks - cells if cells <= self.blanks else self.blanks | cells)

    def follow(self) -> None:
        """After a new state: its results' buttons, the blanks that still exist, and the link."""
        names = result_names(self.model.state.depth)
        if names != self._names:
            self._names = names
            buttons = []
            for name in names:
                button = widgets.Button(description=f"All of {name}", tooltip=f"Every cell of {name} blank, "
                                        "or given again", layout=widgets.Layout(width="auto"))
                button.add_class(f"bn-author-all-{name}")
                button.on_click(self.guard(lambda _, name=name: self.toggle_all(name)))
                buttons.append(button)
            self.whole.children = buttons
        if self.model.blanks is not None:  # first: a new picker's options show the blanks at once
            shapes = {name: self.model.trace[name].shape for name in names}
            kept = frozenset(cell for cell in self.model.blanks if _fits(cell, shapes))
            if kept != self.model.blanks:
                self.model.update(blanks=kept)
        if self.targets is not None and self.model.state.sizes != self._gradient_sizes:
            self._gradient_sizes = self.model.state.sizes
            self.gradient_picker.options = gradient_entries(self.model.state)
        self.show()

    def _set(self, blanks: frozenset[str] | None) -> None:
        self.model.update(blanks=blanks)
        self.show()

    def cells(self) -> list[Cell]:
        """The cells chosen to be left blank (none while closed)."""
        chosen = (cell.split(",") for cell in sorted(self.blanks))
        return [Cell(layer, int(row), int(col)) for layer, row, col in chosen]

    def exercise(self) -> Exercise:
        """The exercise chosen; ``ValueError`` naming ``blanks`` when there is none, or too many."""
        return Exercise(self.model.state, self.cells(), predict=self.predict.value)

    def show(self) -> None:
        """The link to the exercise, or what to do to have one; on page 06, the link to the gradient asked."""
        if self.model.blanks is None:
            self.result.value = self.gradient_result.value = ""
            return
        state = self.model.state
        self.gradient_result.value = ""
        # a gradient exercise's network is the worksheet's, but for the last layer a loss may hold linear
        if self.targets is not None and self.gradient_picker.value is not None \
                and state.activations == activations_for(state.depth, self.loss()):
            name, row, col = self.gradient_picker.value
            gradient = authored_gradient_exercise(state, self.targets(), name, row, col, self.loss())
            self.gradient_result.value = (
                f"<div><span class='bn-link-web'><a class='bn-author-gradient-exercise' "
                f"href='?{html.escape(gradient.to_query())}' target='_blank'>Link to this gradient exercise</a>: "
                f"{html.escape(gradient.label)} of this network with these targets.</span></div>")
        if not state.relu_only:  # an exercise's network is the worksheet's
            self.result.value = ("<div class='bn-author-none'>An exercise's network is the worksheet's, ReLU in "
                                 "every layer: choose ReLU for every layer to make one of this network.</div>")
            return
        count = len(self.blanks)
        if not 1 <= count <= MAX_BLANKS:
            hint = (f"{count} cells chosen: an exercise leaves at most {MAX_BLANKS} blank." if count > MAX_BLANKS
                    else "Choose at least one cell to leave blank.")
            self.result.value = f"<div class='bn-author-none'>{html.escape(hint)}</div>"
            return
        exercise = self.exercise()
        labels = ", ".join(cell.label for cell in exercise.blanks)
        address = html.escape(f"{EXERCISE_PAGE.name}?{exercise.to_query()}")
        self.result.value = (
            f"<div><span class='bn-link-web'><a class='bn-author-exercise' href='{address}' target='_blank'>Link "
            f"to this exercise</a> on page 03: {count} blank cell{'s' * (count != 1)}"
            f"{', ReLU predicted first' if exercise.predict else ''}.</span>"
            "<span class='bn-link-lab'>A link to an exercise works in the web app (make app, Binder's Voila link); "
            f"in Python: bn.Exercise(state, blanks).to_query().</span></div>"
            f"<div class='bn-author-blanks'>Blank: {html.escape(labels)}</div>")


def gradient_entries(state) -> list[tuple[str, tuple[str, int, int]]]:
    """Every entry of every dW and db of ``state``, labelled as page 06 labels it: ``dW2[y2, h3]``, ``db1[h4]``."""
    entries = []
    for layer, (W, _) in zip(layers_of(state.depth), state.layers):
        for r in range(W.shape[0]):
            unit = layer.unit_label(r)
            entries += [(f"d{layer.weights}[{unit}, {column_label(layer, c, state.depth)}]", (layer.weights, r, c))
                        for c in range(W.shape[1])]
            entries.append((f"d{layer.bias}[{unit}]", (layer.bias, r, 0)))
    return entries


def _fits(cell: str, shapes: dict[str, tuple[int, int]]) -> bool:
    name, row, col = cell.split(",")
    return name in shapes and int(row) < shapes[name][0] and int(col) < shapes[name][1]


__all__ = ["ExerciseAuthor"]
