"""Making an exercise from a page's state, driven from Python as the page drives it: cells clicked blank,
whole matrices, the prediction, and a link that opens exactly that exercise on page 03."""

import html
import re
from urllib.parse import urlsplit

import pytest
from test_ui_model import buttons

import batchnet_core as bn
from batchnet_core.exercises import MAX_BLANKS, Cell, Exercise
from batchnet_core.nn.numbers import format_number
from batchnet_core.series import PAGES
from batchnet_core.ui.app import BatchApp
from batchnet_core.ui.playground import Playground
from batchnet_core.ui.train import Trainer

WORKED = bn.preset("three-inputs")


def click(app, cell: str) -> None:
    """A heat map cell clicked, as the page sends it."""
    app.page._handle_custom_msg({"cell": cell}, [])


def widget_with(app, css: str):
    todo = [app.widget]
    while todo:
        widget = todo.pop()
        if css in getattr(widget, "_dom_classes", ()):
            return widget
        todo += list(getattr(widget, "children", ()))
    raise LookupError(css)


def linked(app) -> Exercise:
    """The exercise the author's link opens, read as page 03 reads it."""
    href = html.unescape(re.search(r"class='bn-author-exercise' href='([^']+)'", app.author.result.value).group(1))
    address = urlsplit(href)
    assert address.path == PAGES[3].name == "03_by_hand.ipynb"
    return Exercise.from_query(address.query)


def test_closed_the_cells_explain_and_nothing_is_blank():
    app = BatchApp(WORKED)
    assert app.model.blanks is None and app.author.panel.layout.display == "none"
    click(app, "H_z,1,0")
    assert app.selection.layer == "H_z" and (app.selection.row, app.selection.col) == (1, 0)
    assert all("aria-pressed" not in attrs for attrs in buttons(app).values())


def test_clicked_cells_become_blanks_and_the_link_opens_exactly_that_exercise():
    app = BatchApp(WORKED)
    widget_with(app, "bn-button-author").value = True
    assert app.author.panel.layout.display is None
    assert "Choose at least one cell to leave blank." in app.author.result.value
    selection = app.selection
    for cell in ("Y,1,2", "H_z,0,0", "H,3,1", "H,3,1", "H,2,1"):  # H[h4, x2] clicked twice: given back
        click(app, cell)
    assert app.selection == selection  # a click makes a blank, and explains nothing
    assert linked(app) == Exercise(WORKED, [("H_z", 0, 0), ("H", 2, 1), ("Y", 1, 2)])
    assert "Blank: H_z[h1, x1], H[h3, x2], Y[y2, x3]" in app.author.result.value
    pressed = {cell for cell, attrs in buttons(app).items() if attrs.get("aria-pressed") == "true"}
    assert pressed == {"H_z,0,0", "H,2,1", "Y,1,2"}
    assert all(attrs["aria-pressed"] == "false" and "data-blank" not in attrs
               for cell, attrs in buttons(app).items() if cell not in pressed)
    assert buttons(app)["Y,1,2"]["aria-label"] == "Y[y2, x3]; blank in the exercise"
    assert "data-blank" in buttons(app)["Y,1,2"]


def test_whole_matrices_the_prediction_and_a_new_state_follow_into_the_link():
    app = BatchApp(WORKED)
    app.author.set_open(True)
    widget_with(app, "bn-author-all-H").click()
    assert set(linked(app).blanks) == {Cell("H", r, c) for r in range(4) for c in range(3)}
    widget_with(app, "bn-author-all-Y").click()
    widget_with(app, "bn-author-all-H").click()  # all of H again: given back
    assert set(linked(app).blanks) == {Cell("Y", r, c) for r in range(2) for c in range(3)}
    app.author.predict.value = False
    assert not linked(app).predict and "&amp;predict=0" in app.author.result.value
    app.entries[("W1", 0, 0)].readout.value = "0.5"  # the numbers change: the link follows
    assert linked(app).state == WORKED.with_entry("W1", 0, 0, 0.5)
    widget_with(app, "bn-author-clear").click()
    assert app.model.blanks == frozenset() and "Choose at least one cell" in app.author.result.value


def test_more_blanks_than_an_exercise_takes_give_no_link_and_say_so():
    app = BatchApp(bn.random_state(1, (3, 8, 8, 4)))
    app.author.set_open(True)
    for name in ("H_z", "H"):
        widget_with(app, f"bn-author-all-{name}").click()
    assert len(app.model.blanks) == 64 > MAX_BLANKS
    assert "bn-author-exercise" not in app.author.result.value
    assert "64 cells chosen: an exercise leaves at most 48 blank." in app.author.result.value


def test_closing_gives_the_cells_back_their_explanations():
    app = BatchApp(WORKED)
    app.author.set_open(True)
    click(app, "H,0,0")
    app.author.open_button.value = False
    assert app.model.blanks is None and app.author.result.value == ""
    click(app, "Y,1,2")
    assert app.selection.layer == "Y_z" and app.selection.relu


def test_a_new_size_on_the_playground_keeps_the_blanks_that_still_exist():
    playground = Playground(BatchApp(WORKED))
    app = playground.app
    app.author.set_open(True)
    click(app, "H_z,0,0")
    click(app, "Y,1,2")  # x3: gone with a batch of 2
    playground.size_sliders["batch"].value = 2
    playground.apply()
    assert app.state.sizes == (3, 4, 2, 2)
    assert app.model.blanks == frozenset({"H_z,0,0"}) and linked(app).blanks == (Cell("H_z", 0, 0),)
    playground.size_sliders["layers"].value = 3
    playground.apply()
    assert app.model.blanks == frozenset()  # H_z is now H1_z: no blank is left
    assert widget_with(app, "bn-author-all-H2").description == "All of H2"


def test_on_page_06_the_gradients_still_explain_while_the_results_become_blanks():
    trainer = Trainer(BatchApp(WORKED))
    app = trainer.app
    app.author.set_open(True)
    click(app, "Y,0,0")
    assert linked(app).blanks == (Cell("Y", 0, 0),)
    click(app, "dW2,1,2")  # a gradient's cell is explained, not made blank
    assert "dW2[y2, h3]" in trainer.explanation.value
    assert app.model.blanks == frozenset({"Y,0,0"})


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_blanks_survive_a_theme_and_a_notation(theme):
    app = BatchApp(WORKED)
    app.author.set_open(True)
    click(app, "H_z,1,2")
    app.set_theme(theme)
    app.set_notation("rows")
    assert buttons(app)["H_z,1,2"].get("aria-pressed") == "true"


def test_on_page_06_a_gradient_entry_is_asked_and_its_link_opens_that_gradient_exercise(monkeypatch):
    from batchnet_core.convert import TRAIN_PAGE_KEYS, read_link
    from batchnet_core.gradient_exercises import authored_gradient_exercise, gradient_exercise_from_link
    from batchnet_core.ui.gradient_exercise import GradientExerciseApp

    trainer = Trainer(BatchApp(WORKED))
    trainer.set_targets([[1, 0, 1], [2, 2, 2]])
    app = trainer.app
    assert app.author.gradient_result.value == ""  # closed: nothing is made
    app.author.set_open(True)
    labels = [label for label, _ in app.author.gradient_picker.options]
    assert labels[:5] == ["dW1[h1, 1]", "dW1[h1, 2]", "dW1[h1, 3]", "db1[h1]", "dW1[h2, 1]"]
    assert len(labels) == 4 * 4 + 2 * 5
    app.author.gradient_picker.label = "dW2[y2, h3]"
    href = html.unescape(re.search(r"class='bn-author-gradient-exercise' href='\?([^']+)'",
                                   app.author.gradient_result.value).group(1))
    expected = authored_gradient_exercise(WORKED, [[1, 0, 1], [2, 2, 2]], "W2", 1, 2)
    assert gradient_exercise_from_link(read_link(href, TRAIN_PAGE_KEYS)) == expected
    trainer.set_targets([[1, 0, 1], [2, 2, 3]])  # the link follows the targets
    assert "T=1,0,1;2,2,3&amp;gradient=dW2,2,3" in app.author.gradient_result.value

    # the student's page 06, opened with that link: that network, those targets, that entry
    monkeypatch.setenv("QUERY_STRING", href)
    student = Trainer.from_page()
    exercise = GradientExerciseApp.from_page(student)
    assert exercise.exercise == expected and exercise.exercise.authored
    assert "A gradient exercise made by your teacher: dW2[y2, h3]" in exercise.seed_note.value
    assert exercise.status.value == "New exercise: your teacher&#x27;s exercise. Work out dW2[y2, h3]."
    exercise.answer.value = "13"
    assert "Almost: that is the sum over the batch, not the mean" in exercise.feedback.value
    exercise.answer.value = "13/3"
    assert "✓ Correct: dW2[y2, h3]" in exercise.feedback.value
    assert student.app.share.link.value.count("gradient=dW2,2,3") == 1  # the page's address keeps it


def test_on_page_06_with_softmax_cross_entropy_the_gradient_asked_carries_the_loss(monkeypatch):
    from batchnet_core.convert import TRAIN_PAGE_KEYS, read_link
    from batchnet_core.gradient_exercises import authored_gradient_exercise, gradient_exercise_from_link
    from batchnet_core.ui.gradient_exercise import GradientExerciseApp

    trainer = Trainer(BatchApp(WORKED))
    app = trainer.app
    app.author.set_open(True)
    app.author.gradient_picker.label = "dW2[y1, h2]"
    trainer.loss_choice.value = "softmax_cross_entropy"
    linear = WORKED.replace(activations=("relu", "linear"))
    assert app.state == linear
    href = html.unescape(re.search(r"class='bn-author-gradient-exercise' href='\?([^']+)'",
                                   app.author.gradient_result.value).group(1))
    expected = authored_gradient_exercise(linear, trainer.targets, "W2", 0, 1, "softmax_cross_entropy")
    assert "&loss=softmax_cross_entropy&gradient=dW2,1,2" in href
    assert gradient_exercise_from_link(read_link(href, TRAIN_PAGE_KEYS)) == expected
    # the worksheet's blanks need ReLU in every layer; the gradient asked does not
    click(app, "H,0,0")
    assert "An exercise's network is the worksheet's, ReLU in every layer" in app.author.result.value
    assert "Link to this gradient exercise" in app.author.gradient_result.value

    monkeypatch.setenv("QUERY_STRING", href)
    student = Trainer.from_page()
    exercise = GradientExerciseApp.from_page(student)
    assert student.loss == "softmax_cross_entropy" and exercise.exercise == expected
    assert exercise.compared.value.startswith("<table class='bn-gradient-compared'")
    exercise.answer.value = format_number(expected.answer)
    assert "✓ Correct: dW2[y1, h2]" in exercise.feedback.value


def test_page_06_refuses_a_gradient_entry_it_cannot_ask_naming_the_parameter(monkeypatch):
    from batchnet_core.gradient_exercises import new_gradient_exercise
    from batchnet_core.ui.gradient_exercise import GradientExerciseApp

    monkeypatch.setenv("QUERY_STRING", f"{WORKED.to_query()}&T=1,0,1;2,2,2&gradient=dW2,9,1")
    exercise = GradientExerciseApp.from_page(Trainer.from_page())
    assert exercise.exercise == new_gradient_exercise(1, "medium")
    assert exercise.status.value == (
        "<span class='bn-error' role='alert'>The link could not be used: gradient: dW2 has rows 1 to 2 and columns "
        "1 to 4; got row 9, column 1. Showing the gradient exercise of seed 1, medium instead.</span>")


def test_choosing_another_activation_while_an_exercise_is_made_says_an_exercise_is_relus_and_keeps_the_choice():
    playground = Playground()
    app = playground.app
    widget_with(app, "bn-button-author").value = True
    click(app, "H,0,0")
    assert "Link to this exercise" in app.author.result.value
    playground.activations.pickers[0].value = "tanh"
    assert app.state.activations == ("tanh", "relu")
    assert "An exercise's network is the worksheet's, ReLU in every layer" in app.author.result.value
    assert "bn-error" not in app.status.value
    playground.activations.pickers[0].value = "relu"
    assert linked(app) == Exercise(WORKED, [("H", 0, 0)])
