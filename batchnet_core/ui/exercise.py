"""Exercise mode: predict ReLU's zeros, fill in blank result cells, solve for a missing weight.

All checking is ``batchnet_core.exercises``; this module only shows it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..classroom.answers import AUTHORED
from ..convert import MAX_SEED, Link, exercise_from_link, read_link
from ..exercises import (
    DIFFICULTIES,
    EXERCISE_PAGE_KEYS,
    Cell,
    Exercise,
    Feedback,
    Score,
    check_answer,
    check_missing,
    check_prediction,
    is_authored_link,
    new_exercise,
    new_missing,
)
from ..exercises import exercise_from_link as authored_from_link
from ..nn.forward import explain, forward, relu_zeroed
from ..nn.layers import layers_of, unit_label, unit_labels
from ..nn.numbers import format_number
from ..notation import panels
from .classroom import ClassBar
from .common import STYLE, Guard, link_refused, status_html
from .drawing import HeatmapDrawing
from .first_screen import FirstScreenBox
from .kernel import page_query
from .page import PageBridge
from .views import HeatmapViews, html_widget

#: What sections 2 and 3 say until the prediction is revealed: each gives cells of H_z away.
WAIT_FOR_REVEAL = {
    "blanks": "The blanks open when you press Reveal in step 1: the cells given with them include H_z and H, "
              "which would answer the prediction.",
    "missing": "This question opens when you press Reveal in step 1: it gives a cell of H_z, which would answer "
               "the prediction.",
}


def feedback_html(feedback: Feedback) -> str:
    mark = "✓" if feedback.correct else "✗"
    kind = "bn-correct" if feedback.correct else "bn-not-yet"
    return (f"<div class='{kind}'><b>{mark} {html.escape(feedback.message)}</b></div>"
            f"<div class='bn-hint'>{html.escape(feedback.hint)}</div>")


class BlankCell:
    """A text box for one blank result cell, checked when the learner presses Enter."""

    def __init__(self, exercise_app: ExerciseApp, cell: Cell) -> None:
        self.cell = cell
        self.box = widgets.Text(placeholder="?", continuous_update=False, tooltip=cell.label,
                                layout=widgets.Layout(width="56px"))
        self.box.add_class("bn-blank")
        self.box.add_class(f"bn-blank-{cell.layer}-{cell.row}-{cell.col}")
        self.box.observe(exercise_app.guard(lambda change: exercise_app.check(self, change["new"])), "value")


class ExerciseApp:
    """The by-hand worksheet: one seeded exercise at a time, with a running score.

    Parameters
    ----------
    seed : int
    difficulty : {"easy", "medium", "hard"}
    authored : an exercise made from a state and its blanks (``Exercise``), shown instead of the seed's
    """

    def __init__(self, seed: int = 1, difficulty: str = "medium", authored: Exercise | None = None) -> None:
        self.guard = Guard(self.say)
        self.score = Score()
        self.status = html_widget("", "bn-status")
        self.score_view = html_widget("", "bn-score")
        self.seed_box = widgets.BoundedIntText(value=seed, min=0, max=MAX_SEED, description="Seed",
                                               layout=widgets.Layout(width="190px"))
        self.difficulty = widgets.Dropdown(options=list(DIFFICULTIES), value=difficulty, description="Difficulty",
                                           layout=widgets.Layout(width="220px"))
        new = widgets.Button(description="New exercise", tooltip="A new seed, a new exercise")
        load = widgets.Button(description="Open this seed")
        new.add_class("bn-button-new-exercise")
        load.add_class("bn-button-open-seed")
        new.on_click(self.guard(lambda _: self._open(self.seed_box.value + 1)))
        load.on_click(self.guard(lambda _: self._open(self.seed_box.value)))
        self.seed_note = html_widget()
        self.given = widgets.HBox(layout=widgets.Layout(align_items="flex-start"))
        # one drawing for every exercise and theme: a widget replaced while the page still sets it up fails there
        self.drawing = HeatmapDrawing()
        self.predict_box = widgets.VBox()
        self.blanks_box = widgets.VBox()
        self.missing_box = widgets.VBox()
        self.waits = {part: widgets.HTML(f"<div class='bn-wait'>{html.escape(text)}</div>", layout=widgets.Layout())
                      for part, text in WAIT_FOR_REVEAL.items()}
        self.feedback = html_widget("", "bn-feedback")
        # an authored exercise may skip the prediction, and has no backwards question: their sections go
        # (each a layout of its own: html_widget's is shared by every widget it makes)
        self.sections = {part: widgets.HTML(f"<h3>{heading}</h3>", layout=widgets.Layout()) for part, heading in (
            ("predict", "1. Predict, then reveal"), ("blanks", "2. Fill in the blanks"),
            ("missing", "3. Backwards: find the missing number"))}
        self.theme = "light"
        self.page = PageBridge(theme=self.theme)
        self.page.on_theme(self.guard(self.set_theme))
        self.widget = FirstScreenBox([
            html_widget(STYLE), self.page,
            widgets.HBox([self.difficulty, self.seed_box, load, new]), self.seed_note, self.score_view,
            self.status, self.given,
            self.sections["predict"], self.predict_box,
            self.sections["blanks"], self.waits["blanks"], self.blanks_box, self.feedback,
            self.sections["missing"], self.waits["missing"], self.missing_box,
        ])
        self.widget.add_class("bn-app")
        #: The class bar, in a class (``classroom.ClassBar``): checked answers are told to the class.
        self.class_bar = ClassBar.join(self.widget, self.page, self.say)
        if authored is not None:
            self._show(authored)
        else:
            self._open(seed)

    @classmethod
    def from_page(cls) -> ExerciseApp:
        """The exercise the page's URL names: seeded (``?seed=12&difficulty=hard``) or authored (a network
        and its blanks, ``Exercise.to_query``), else seed 1, medium."""
        try:
            link = read_link(page_query(), EXERCISE_PAGE_KEYS)
        except ValueError as error:
            link = Link({}, (str(error),))
        if is_authored_link(link) and not link.refused:
            try:
                return cls(authored=authored_from_link(link))
            except ValueError as error:
                app = cls()
                app.say(link_refused(str(error), f"seed {app.seed}, {app.exercise.difficulty}"), error=True)
                return app
        seed, difficulty, problems = exercise_from_link(link, DIFFICULTIES)
        app = cls(seed, difficulty)
        if problems:
            app.say(link_refused("; ".join(problems), f"seed {app.seed}, {app.exercise.difficulty}"), error=True)
        return app

    # -- building one exercise -------------------------------------------------------------

    def _open(self, seed: int) -> None:
        self.seed = seed
        self.seed_box.value = seed
        self.missing = new_missing(seed, self.difficulty.value)
        self._show(new_exercise(seed, self.difficulty.value))

    def _show(self, exercise: Exercise) -> None:
        """Lay out ``exercise``: the seed's (with its backwards question, ``self.missing``) or an authored one."""
        self.exercise = exercise
        address = html.escape(exercise.to_query())
        link = f"<a class='bn-address' href='?{address}' target='_blank'>link to this exercise</a>"
        if exercise.authored:
            self.seed = None
            blanks = len(exercise.blanks)
            self.seed_note.value = (f"<div class='bn-seed bn-authored'>An exercise made by your teacher: this "
                                    f"network, {blanks} blank cell{'s' * (blanks != 1)}"
                                    f"{', ReLU predicted first' if exercise.predict else ''} ({link}).</div>")
        else:
            difficulty = html.escape(str(exercise.difficulty))
            self.seed_note.value = (f"<div class='bn-seed'>Exercise <b>seed {self.seed}</b>, {difficulty}: "
                                    f"give this seed to the class and everyone gets the same numbers ({link}).</div>")
        self._show_given()
        self._build_prediction()
        self._build_blanks()
        if exercise.authored:
            self.missing_box.children = ()
        else:
            self._build_missing()
        self.sections["predict"].layout.display = self.predict_box.layout.display = (
            None if exercise.predict else "none")
        self.sections["missing"].layout.display = "none" if exercise.authored else None
        self.page.names = self._names()
        self._show_after_reveal(not exercise.predict)
        self.feedback.value = ""
        first = layers_of(exercise.state.depth)[0]
        name = f"seed {self.seed}" if self.seed is not None else "your teacher's exercise"
        cells = f"cells of {first.post}" if first.output else "hidden cells"
        self.say(f"New exercise: {name}. " + (f"Start by predicting which {cells} ReLU will set to 0."
                                               if exercise.predict else "Fill in the blanks."))
        self._show_score()

    def _build_prediction(self) -> None:
        first = layers_of(self.exercise.state.depth)[0]  # the worksheet's H; Y when the network has one layer
        hidden, batch = forward(self.exercise.state).Z[0].shape
        self.toggles = {}
        self.predicted = False  # revealed, and told to the class
        cells: list[widgets.Widget] = [html_widget("")] + [html_widget(f"<b>{html.escape(x)}</b>")
                                                              for x in unit_labels("x", batch)]
        for r in range(hidden):
            h = first.unit_label(r)
            cells.append(html_widget(f"<b>{html.escape(h)}</b>"))
            for c in range(batch):
                toggle = widgets.ToggleButton(description="> 0",
                                              tooltip=f"{first.post}[{h}, x{c + 1}]: click if it becomes 0",
                                              layout=widgets.Layout(width="84px"))
                toggle.add_class(f"bn-predict-{r}-{c}")
                toggle.observe(lambda change, t=toggle: setattr(t, "description", "0" if change["new"] else "> 0"),
                               "value")
                self.toggles[(r, c)] = toggle
                cells.append(toggle)
        grid = widgets.GridBox(cells, layout=widgets.Layout(
            grid_template_columns=f"32px repeat({batch}, 88px)", grid_gap="2px"))
        reveal = widgets.Button(description="Reveal")
        reveal.add_class("bn-button-reveal")
        reveal.on_click(self.guard(lambda _: self._reveal()))
        self.prediction_result = html_widget("", "bn-prediction")
        self.predict_box.children = [
            html_widget(f"Which cells of {first.post} = ReLU({first.pre}) will be <b>0</b>? Click those cells, "
                        "then reveal."),
            grid, reveal, self.prediction_result,
        ]

    def _reveal(self) -> None:
        marked = {key for key, toggle in self.toggles.items() if toggle.value}
        result = check_prediction(self.exercise.state, marked)
        first = layers_of(self.exercise.state.depth)[0]
        H_z = forward(self.exercise.state).Z[0]
        zeroed = relu_zeroed(H_z)
        for key, toggle in self.toggles.items():
            right = key in result.right or (key not in marked and not zeroed[key])
            toggle.disabled = True  # marked right or wrong by its border and mark, in full contrast (style.css)
            toggle.description = ("✓ " if right else "✗ ") + format_number(H_z[key]) + (" → 0" if zeroed[key] else "")
            toggle.add_class("bn-correct-box" if right else "bn-wrong-box")
        self.prediction_result.value = (f"<b>{html.escape(result.message)}</b> "
                                        f"(The numbers are {html.escape(first.pre)}.)")
        self._show_after_reveal(True)
        self.say(result.message)
        if not self.predicted:  # the prediction is made once: a second Reveal shows it again
            self.predicted = True
            for (r, c) in self.toggles:
                self._tell_class("predict", f"H,{r},{c}", "0" if (r, c) in marked else "+")

    def _show_after_reveal(self, revealed: bool) -> None:
        """Sections 2 and 3 give cells of H_z away: until the reveal they say so instead."""
        for box, wait in ((self.blanks_box, self.waits["blanks"]), (self.missing_box, self.waits["missing"])):
            box.layout.display = None if revealed else "none"
            wait.layout.display = "none" if revealed else None
        if self.exercise.authored:  # no backwards question
            self.missing_box.layout.display = self.waits["missing"].layout.display = "none"

    def _build_blanks(self) -> None:
        trace = forward(self.exercise.state)
        self.blank_cells = {}
        matrices = []
        titles = {panel.key: panel.title for panel in panels(self.exercise.state.sizes)}
        for layer, values in trace.items():
            rows, cols = values.shape
            cells: list[widgets.Widget] = [html_widget("")] + [html_widget(f"<b>{html.escape(x)}</b>")
                                                                  for x in unit_labels("x", cols)]
            for r in range(rows):
                cells.append(html_widget(f"<b>{html.escape(unit_label(layer, r))}</b>"))
                for c in range(cols):
                    cell = Cell(layer, r, c)
                    if cell in self.exercise.blanks:
                        blank = BlankCell(self, cell)
                        self.blank_cells[cell] = blank
                        cells.append(blank.box)
                    else:
                        given = html.escape(format_number(values[r, c]))
                        cells.append(html_widget(f"<div class='bn-given'>{given}</div>"))
            grid = widgets.GridBox(cells, layout=widgets.Layout(
                grid_template_columns=f"28px repeat({cols}, 60px)", grid_gap="2px"))
            title = html_widget(f"<div class='bn-panel-title'>{html.escape(titles[layer])}</div>")
            matrices.append(widgets.VBox([title, grid],
                                         layout=widgets.Layout(margin="0 24px 0 0")))
        self.blanks_box.children = [
            html_widget("Type each missing number and press Enter. Accepted: −3, -3, 3.0, 1/2, 0,5."),
            widgets.HBox(matrices, layout=widgets.Layout(flex_flow="row wrap")),
        ]

    def check(self, blank: BlankCell, typed: str) -> None:
        if not typed.strip():
            return
        feedback = check_answer(self.exercise.state, blank.cell, typed)
        self.score = self.score.record(feedback)
        self.feedback.value = f"<div><b>{html.escape(blank.cell.label)}</b></div>" + feedback_html(feedback)
        blank.box.remove_class("bn-correct-box")
        blank.box.remove_class("bn-wrong-box")
        blank.box.add_class("bn-correct-box" if feedback.correct else "bn-wrong-box")
        if feedback.correct:
            blank.box.disabled = True  # still read in full contrast, marked correct (style.css)
        self._show_score()
        self._tell_class("blank", f"{blank.cell.layer},{blank.cell.row},{blank.cell.col}", typed)

    def _tell_class(self, part: str, cell: str, typed: str) -> None:
        """A checked answer, for the class's view (in a class only)."""
        if self.class_bar is None:
            return
        if self.exercise.authored:  # known to the class by its link: its network and blanks
            self.class_bar.answer(0, AUTHORED, part, cell, typed, self.exercise.to_query())
        else:
            self.class_bar.answer(self.seed, self.exercise.difficulty, part, cell, typed)

    def _build_missing(self) -> None:
        m = self.missing
        e = explain(m.state, "H_z", m.row, m.input)
        weights = [format_number(w) for w, _, _ in e.terms]
        bias = format_number(e.bias)
        if m.name == "W1":
            weights[m.col] = "?"
        else:
            bias = "?"
        x = ", ".join(format_number(v) for _, v, _ in e.terms)
        unit = f"h{m.row + 1}"
        given = html.escape(f"with row {unit} of W1 = [{', '.join(weights)}], x{m.input + 1} = [{x}] and "
                            f"b1[{unit}] = {bias}.")
        question = html_widget(
            f"<div>H_z[{unit}, x{m.input + 1}] = <b>{html.escape(format_number(m.target))}</b>, {given}</div>"
            f"<div>What is <b>{html.escape(m.label)}</b>? Work it out from these numbers alone; then check it against "
            f"the network above, where it is given.</div>")
        answer = widgets.Text(placeholder="?", continuous_update=False, layout=widgets.Layout(width="80px"))
        answer.add_class("bn-missing-answer")
        result = html_widget("", "bn-missing-feedback")

        def checked(change: dict) -> None:
            if not change["new"].strip():
                return
            feedback = check_missing(m, change["new"])
            self.score = self.score.record(feedback)
            result.value = feedback_html(feedback)
            self._show_score()
            self._tell_class("missing", f"{m.name},{m.row},{m.col if m.name == 'W1' else 0}", change["new"])

        answer.observe(self.guard(checked), "value")
        self.missing_box.children = [question, answer, result]

    def _show_given(self) -> None:
        """The network and inputs of the exercise, as heat maps for the page's theme."""
        state = self.exercise.state
        given = ("X", *(f"{layer.weights}|{layer.bias}" for layer in layers_of(state.depth)))
        views = HeatmapViews(state.sizes, self.theme, names=given, widget=self.drawing)
        views.update(state, forward(state), None)
        self.given.children = [views.widget]

    def set_theme(self, theme: str) -> None:
        """Draw the given network for a light or a dark page."""
        if theme != self.theme:
            self.theme = theme
            self._show_given()

    def _names(self) -> dict[str, str]:
        """Spoken names of the controls whose text alone would not say what they are for."""
        first = layers_of(self.exercise.state.depth)[0]
        names = {f"bn-predict-{r}-{c}": f"{{text}}, predict {first.post}[{first.unit_label(r)}, x{c + 1}]"
                 for r, c in self.toggles}
        names.update({f"bn-blank-{cell.layer}-{cell.row}-{cell.col}": f"blank {cell.label}"
                      for cell in self.blank_cells})
        if not self.exercise.authored:
            names["bn-missing-answer"] = f"answer: {self.missing.label}"
        return names

    def _show_score(self) -> None:
        self.score_view.value = f"<b>{html.escape(self.score.text)}</b>"

    def say(self, message: str, error: bool = False) -> None:
        self.status.value = status_html(message, error)


__all__ = ["ExerciseApp", "feedback_html"]
