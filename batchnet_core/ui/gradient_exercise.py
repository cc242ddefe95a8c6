"""Gradient exercises on the page: one gradient entry worked out by hand, checked, and revealed on request.

All checking is ``batchnet_core.gradient_exercises``; this module only shows it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..classroom.answers import AUTHORED
from ..convert import GRADIENT_KEYS, GRADIENT_LOSS_KEY, MAX_SEED, Link, exercise_from_link, read_link
from ..exercises import Score
from ..gradient_exercises import (
    DIFFICULTIES,
    GradientExercise,
    check_gradient,
    gradient_exercise_from_link,
    loss_from_link,
    new_gradient_exercise,
)
from ..nn.forward import forward
from ..nn.layers import layers_of, unit_labels
from ..nn.losses import LOSSES
from ..nn.numbers import format_number
from ..nn.training import column_label, explain_delta
from .classroom import ClassBar
from .common import STYLE, Guard, link_refused, status_html
from .drawing import HeatmapDrawing, matrix_drawing
from .exercise import feedback_html
from .first_screen import FirstScreenBox
from .kernel import page_query
from .page import PageBridge
from .train import GradientCell, Trainer
from .views import HeatmapViews, html_widget


def given(depth: int) -> list[tuple[str, ...]]:
    """The given matrices, a layer to a row: the network and its forward pass (the question is the gradient).

    >>> given(2)
    [('X', 'W1|b1', 'H_z', 'H'), ('W2|b2', 'Y_z', 'Y')]
    """
    rows = [(f"{layer.weights}|{layer.bias}", layer.pre, layer.post) for layer in layers_of(depth)]
    return [("X", *rows[0]), *rows[1:]]


#: The look of a cell of the table of terms: numbers right-aligned, apart from their neighbours.
CELL = "padding: 2px 12px; text-align: right; font-variant-numeric: tabular-nums"


def question_html(exercise: GradientExercise) -> str:
    """What is asked, in words."""
    parameter = "bias" if exercise.name.startswith("b") else "weight"
    entry = LOSSES[exercise.loss]
    given_p = f"; {entry.compared_title}, is given beside T" if entry.compared_title else ""
    return (f"<div class='bn-gradient-question'>Work out <b>{html.escape(exercise.label)}</b> by hand: the "
            f"gradient of the loss L = {html.escape(entry.written_for('B'))} ({html.escape(entry.label)}"
            f"{html.escape(given_p)}) for the {parameter} {html.escape(exercise.label[1:])}, "
            f"the mean over the batch of B = "
            f"{exercise.state.X.shape[1]} inputs. Type it and press Enter or Check: a whole number, a fraction "
            "or a decimal rounded to two places.</div>")


def reveal_html(exercise: GradientExercise) -> str:
    """The answer spelled out: each input's δ, activation and product, then their mean."""
    e = exercise.explanation
    layer = layers_of(exercise.state.depth)[int(exercise.name[1:]) - 1]
    unit, bias = layer.unit_label(e.row), exercise.name.startswith("b")
    loss = exercise.loss
    column = "" if bias else column_label(layer, e.col, exercise.state.depth)
    head = ["input", f"δ{layer.index}[{unit}, x]"] + ([] if bias else [f"{layer.source}[{column}, x]", "product"])
    rows = []
    for x, (delta, activation, product) in enumerate(e.terms):
        cells = [f"x{x + 1}", format_number(delta)] + ([] if bias else [format_number(activation),
                                                                          format_number(product)])
        rows.append("<tr>" + "".join(f"<td style='{CELL}'>{html.escape(c)}</td>" for c in cells) + "</tr>")
    deltas = "".join(f"<li>{html.escape(explain_delta(exercise.state, exercise.T, layer.index, e.row, x, loss).text)}"
                     "</li>" for x in range(e.batch))
    header = "".join(f"<th scope='col' style='{CELL}'>{html.escape(h)}</th>" for h in head)
    return (f"<div class='bn-explain-heading'>{html.escape(e.heading)}</div>"
            f"<table class='bn-gradient-terms' style='border-collapse: collapse'>"
            f"<caption>Each input's own term</caption><tr>{header}</tr>{''.join(rows)}</table>"
            f"<div>Where each δ comes from:</div><ul class='bn-gradient-deltas'>{deltas}</ul>"
            f"<div class='bn-formula'>{html.escape(e.text)}</div>")


def compared_html(symbol: str, compared: np.ndarray) -> str:
    """What the loss compares with T (softmax's P, named ``symbol``), as a table of its numbers in the digits
    the answer is worked from: a heat map's cell has room for two."""
    outputs, batch = compared.shape
    header = "".join(f"<th scope='col' style='{CELL}'>{label}</th>" for label in ["", *unit_labels("x", batch)])
    rows = "".join(f"<tr><th scope='row' style='{CELL}'>{label}</th>"
                   + "".join(f"<td style='{CELL}'>{html.escape(format_number(v))}</td>" for v in line) + "</tr>"
                   for label, line in zip(unit_labels("y", outputs), compared.tolist()))
    return (f"<table class='bn-gradient-compared' style='border-collapse: collapse'><caption style='text-align: "
            "left'>"
            f"{html.escape(symbol)}, to four digits</caption><tr>{header}</tr>{rows}</table>")


class GradientExerciseApp:
    """One seeded gradient exercise at a time, with a running score.

    Parameters
    ----------
    seed : int
    difficulty : {"easy", "medium", "hard"}
    loss : a name in ``LOSSES``: the loss whose gradient is asked
    authored : an exercise authored from a state (``authored_gradient_exercise``), shown instead of the seed's
    """

    def __init__(self, seed: int = 1, difficulty: str = "medium", authored: GradientExercise | None = None,
                 loss: str = "mse") -> None:
        self.guard = Guard(self.say)
        self.score = Score()
        self.status = html_widget("", "bn-status")
        self.score_view = html_widget("", "bn-score")
        self.difficulty = widgets.Dropdown(options=list(DIFFICULTIES), value=difficulty, description="Difficulty",
                                           layout=widgets.Layout(width="220px"))
        self.difficulty.add_class("bn-gradient-difficulty")
        self.difficulty.observe(self.guard(lambda _: self._open(self.seed)), "value")
        self.loss_choice = widgets.Dropdown(options=[(entry.label, name) for name, entry in LOSSES.items()],
                                            value=authored.loss if authored else loss, description="Loss",
                                            layout=widgets.Layout(width="260px"))
        self.loss_choice.add_class("bn-gradient-loss")
        self.loss_choice.observe(self.guard(lambda _: self._open(self.seed)), "value")
        self.seed_box = widgets.BoundedIntText(value=seed, min=0, max=MAX_SEED, description="Seed",
                                               layout=widgets.Layout(width="190px"))
        self.seed_box.add_class("bn-gradient-seed")
        load = widgets.Button(description="Open this seed", tooltip="The exercise of the seed typed")
        load.add_class("bn-gradient-open")
        load.on_click(self.guard(lambda _: self._open(self.seed_box.value)))
        new = widgets.Button(description="New exercise", tooltip="A new seed, a new exercise")
        new.add_class("bn-gradient-new")
        new.on_click(self.guard(lambda _: self._open((self.seed + 1) % (MAX_SEED + 1))))
        self.seed_note = html_widget()
        self.given = widgets.VBox()
        # the drawings of the given rows and of T, kept for every exercise and theme: a widget replaced while
        # the page still sets it up fails there
        self.drawings: dict[int, HeatmapDrawing] = {}
        self.given.add_class("bn-gradient-given")
        self.compared = html_widget()
        self.question = html_widget()
        self.answer = widgets.Text(placeholder="?", continuous_update=False, layout=widgets.Layout(width="260px"))
        self.answer.add_class("bn-gradient-answer")
        self.answer.observe(self.guard(lambda change: self.check(change["new"])), "value")
        check = widgets.Button(description="Check", tooltip="Check the typed answer")
        check.add_class("bn-gradient-check")
        check.on_click(self.guard(lambda _: self.check(self.answer.value)))
        reveal = widgets.Button(description="Reveal", tooltip="Show the answer, input by input")
        reveal.add_class("bn-gradient-reveal")
        reveal.on_click(self.guard(lambda _: self.reveal()))
        self.buttons = {"open": load, "new": new, "check": check, "reveal": reveal}
        self.feedback = html_widget("", "bn-gradient-feedback")
        self.explanation = html_widget("", "bn-gradient-explain")
        self.theme = "light"
        self.page = PageBridge(theme=self.theme)
        self.page.on_theme(self.guard(self.set_theme))
        self.widget = FirstScreenBox([
            html_widget(STYLE), self.page,
            widgets.HBox([self.difficulty, self.loss_choice, self.seed_box, load, new],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.seed_note, self.score_view, self.status,
            self.given, self.question,
            widgets.HBox([self.answer, check, reveal], layout=widgets.Layout(align_items="center")),
            self.feedback, self.explanation,
        ])
        self.widget.add_class("bn-app")
        #: The class bar, in a class (``classroom.ClassBar``): checked answers are told to the class.
        self.class_bar = ClassBar.join(self.widget, self.page, self.say)
        #: Called after each new exercise: the page's link follows it (``from_page``).
        self.on_open: Callable[[], None] = lambda: None
        if authored is not None:
            self.seed = seed
            self._show(authored)
        else:
            self._open(seed)

    @classmethod
    def from_page(cls, trainer: Trainer | None = None) -> GradientExerciseApp:
        """The exercise the page's link names (``?gradient_seed=12&gradient_difficulty=hard``), else seed 1,
        medium. On page 06 ``trainer``, above it, has read the link already, and its link to the page (the
        page's address too) carries the exercise shown; alone, the exercise reads the link itself."""
        if trainer is not None:
            link = trainer.app.link
        else:
            try:
                link = read_link(page_query(), (*GRADIENT_KEYS, GRADIENT_LOSS_KEY))
            except ValueError as error:
                link = Link({}, (str(error),))
        authored, problems = None, []
        if "gradient" in link.values and not link.refused:
            try:
                authored = gradient_exercise_from_link(link)
            except ValueError as error:
                problems = [str(error)]
        if authored is not None:
            app = cls(authored=authored)
        elif problems:
            app = cls()
        else:
            seed, difficulty, problems = exercise_from_link(link, DIFFICULTIES, GRADIENT_KEYS)
            loss = "mse"
            if not problems:
                try:
                    loss = loss_from_link(link, GRADIENT_LOSS_KEY)
                except ValueError as error:
                    problems = [str(error)]
            app = cls(seed, difficulty, loss=loss)
        if problems:
            app.say(link_refused("; ".join(problems), f"the gradient exercise of seed {app.seed}, "
                                                       f"{app.exercise.difficulty}"), error=True)
        if trainer is not None:
            share = trainer.app.share
            share.page_parts.append(app.query)
            app.on_open = share.follow
            share.follow()
        return app

    def query(self) -> str:
        """The exercise as the page's link gives it: ``gradient_seed=12&gradient_difficulty=hard`` (and its
        ``gradient_loss``), or an authored exercise's entry (``gradient=dW2,1,3``: the page's link gives its
        network, targets and loss)."""
        if self.exercise.authored:
            return f"gradient={self.exercise.entry}"
        return self.exercise.to_query()

    def _open(self, seed: int) -> None:
        # first: if it fails, nothing changed
        exercise = new_gradient_exercise(seed, self.difficulty.value, self.loss_choice.value)
        self.seed = seed
        self.seed_box.value = seed
        self._show(exercise)

    def _show(self, exercise: GradientExercise) -> None:
        self.exercise = exercise
        self.revealed, self._checked = False, None
        if exercise.authored:
            self.seed_note.value = (
                f"<div class='bn-seed bn-authored'>A gradient exercise made by your teacher: "
                f"{html.escape(exercise.label)} of this network and these targets<span class='bn-link-web'> (<a "
                f"class='bn-gradient-link' href='?{html.escape(exercise.to_query())}' target='_blank'>link to this "
                "exercise</a>)</span>.</div>")
        else:
            self.seed_note.value = (
                f"<div class='bn-seed'>Gradient exercise <b>seed {self.seed}</b>, {html.escape(self._kind())}: "
                f"give the class this seed and {'difficulty' if exercise.loss == 'mse' else 'difficulty and loss'} "
                "and everyone gets the same numbers<span class='bn-link-web'> (<a "
                f"class='bn-gradient-link' href='?{html.escape(self.query())}' target='_blank'>link to this "
                f"exercise</a>: {html.escape(self.query())})</span>.</div>")
        self._show_given()
        self.question.value = question_html(self.exercise)
        self.answer.description = f"{self.exercise.label} ="  # plain text: ipywidgets does not read it as HTML
        self.answer.style.description_width = "initial"
        self.answer.disabled = False
        self._mark(None)
        self.answer.value = ""  # nothing typed: nothing checked
        self.page.names = {"bn-gradient-answer": f"answer: {self.exercise.label}"}
        self.feedback.value = self.explanation.value = ""
        name = "your teacher's exercise" if exercise.authored else f"seed {self.seed}, {self._kind()}"
        self.say(f"New exercise: {name}. Work out {exercise.label}.")
        self._show_score()
        self.on_open()

    def _kind(self) -> str:
        """A seeded exercise's difficulty, and its loss if not the default: "hard, softmax cross-entropy"."""
        loss = self.exercise.loss
        return self.exercise.difficulty + ("" if loss == "mse" else f", {LOSSES[loss].label}")

    def check(self, typed: str) -> None:
        """Check a typed answer; an answer checked again, or after the reveal, does not count twice."""
        if not typed.strip():
            return
        feedback = check_gradient(self.exercise, typed)
        if typed != self._checked and not self.revealed:
            self.score = self.score.record(feedback)
        self._checked = typed
        self.feedback.value = f"<div><b>{html.escape(self.exercise.label)}</b></div>" + feedback_html(feedback)
        self._mark(feedback.correct)
        if feedback.correct:
            self.answer.disabled = True  # still read in full contrast, marked correct (style.css)
        self._show_score()
        if self.class_bar is not None:
            e = self.exercise
            cell = GradientCell("W" if e.name.startswith("W") else "b", int(e.name[1:]), e.row, e.col)
            if not e.named_by_seed:  # known to the class by its link: its network, targets and entry, or loss
                self.class_bar.answer(0, AUTHORED, "gradient", cell.data, typed, e.to_query())
            else:
                self.class_bar.answer(e.seed, e.difficulty, "gradient", cell.data, typed)

    def reveal(self) -> None:
        """Show the answer input by input; later checks of this exercise are not scored."""
        self.revealed = True
        self.explanation.value = reveal_html(self.exercise)
        self.say(f"{self.exercise.label} revealed: checks of this exercise no longer count toward the score.")

    def _mark(self, correct: bool | None) -> None:
        self.answer.remove_class("bn-correct-box")
        self.answer.remove_class("bn-wrong-box")
        if correct is not None:
            self.answer.add_class("bn-correct-box" if correct else "bn-wrong-box")

    def _show_given(self) -> None:
        """The network, its forward pass and the targets, as heat maps for the page's theme."""
        state, trace = self.exercise.state, forward(self.exercise.state)
        rows = []
        for k, names in enumerate(given(state.depth)):
            views = HeatmapViews(state.sizes, self.theme, names=names, widget=self._drawing(k),
                                 activations=state.activations)
            views.update(state, trace, None)
            rows.append(views.widget)
        beside = widgets.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="0 10px")
        # what the loss compares with T, if it is not Y itself (softmax's P): given, drawn and in four digits
        entry, compared_map = LOSSES[self.exercise.loss], []
        self.compared.value = ""
        if entry.compared_title:
            compared = entry.outputs(trace.Y)
            outputs, batch = compared.shape
            compared_map = [matrix_drawing(entry.compared, entry.compared_title, compared, 1.0,
                                           unit_labels("y", outputs), unit_labels("x", batch), self.theme,
                                           widget=self._drawing(-2))]
            self.compared.value = compared_html(entry.compared, compared)
        rows[-1] = widgets.HBox([rows[-1], *compared_map, self._targets_drawing(trace.Y_z)], layout=beside)
        self.given.children = [*rows, self.compared]

    def _targets_drawing(self, Y_z: np.ndarray) -> HeatmapDrawing:
        """T as a heat map on the colour scale of Y, with its table of numbers as its text alternative."""
        T = self.exercise.T
        outputs, batch = T.shape
        return matrix_drawing("T", "T (targets)", T, max(float(np.abs(Y_z).max()), float(np.abs(T).max()), 1.0),
                              unit_labels("y", outputs), unit_labels("x", batch), self.theme,
                              widget=self._drawing(-1))

    def _drawing(self, place: int) -> HeatmapDrawing:
        """The drawing kept for a row of the given matrices (-1: T, -2: P), made at its first use."""
        if place not in self.drawings:
            self.drawings[place] = HeatmapDrawing()
        return self.drawings[place]

    def set_theme(self, theme: str) -> None:
        """Draw the given matrices for a light or a dark page."""
        if theme != self.theme:
            self.theme = theme
            self._show_given()

    def _show_score(self) -> None:
        self.score_view.value = f"<b>{html.escape(self.score.text)}</b>"

    def say(self, message: str, error: bool = False) -> None:
        self.status.value = status_html(message, error)


__all__ = ["GradientExerciseApp", "question_html", "reveal_html"]
