"""The by-hand page (03) driven from Python, as the browser drives it: predict, reveal, fill in, solve."""

import html
import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.exercises import (
    Cell,
    check_answer,
    check_missing,
    check_prediction,
    new_exercise,
    new_missing,
    zeroed_by_relu,
)
from batchnet_core.nn.numbers import format_number
from batchnet_core.ui.exercise import ExerciseApp

from test_heatmap_numbers import assert_drawing_shows
from test_ui import button


@pytest.fixture
def app():
    return ExerciseApp(seed=1)


def test_the_page_opens_on_its_seed_with_a_link_and_no_score(app):
    assert app.exercise == new_exercise(1) and app.missing == new_missing(1)
    assert re.search(r"href='\?seed=1&amp;difficulty=medium'", app.seed_note.value)
    assert "Exercise <b>seed 1</b>, medium" in app.seed_note.value
    assert app.status.value == "New exercise: seed 1. Start by predicting which hidden cells ReLU will set to 0."
    assert app.score_view.value == "<b>Score: 0 right of 0 checked</b>"


def test_the_given_heat_maps_show_the_exercise(app):
    drawing = app.given.children[0]
    assert set(drawing.pictures) == {"X", "W1b1", "W2b2"}
    assert_drawing_shows(drawing, app.exercise.state)


def test_predicting_then_revealing_marks_each_cell(app):
    state = app.exercise.state
    _, hidden, _, batch = state.sizes
    assert set(app.toggles) == {(r, c) for r in range(hidden) for c in range(batch)}
    truth = zeroed_by_relu(state)
    right, wrong = next(iter(truth)), next(key for key in app.toggles if key not in truth)
    for key in (right, wrong):
        app.toggles[key].value = True
        assert app.toggles[key].description == "0"
    app.toggles[wrong].value, app.toggles[wrong].value = False, True  # clicked off and on again
    assert_waiting_for_reveal(app)
    button(app, "reveal").click()
    H_z = bn.forward(state).H_z
    for key, toggle in app.toggles.items():
        assert toggle.disabled
        marked = key in (right, wrong)
        mark, kind = ("✓", "bn-correct-box") if marked == (key in truth) else ("✗", "bn-wrong-box")
        assert toggle.description == f"{mark} {format_number(H_z[key])}" + (" → 0" if H_z[key] <= 0 else "")
        assert kind in toggle._dom_classes and toggle.button_style == "", key
    expected = check_prediction(state, {right, wrong}).message
    assert app.prediction_result.value == f"<b>{html.escape(expected)}</b> (The numbers are H_z.)"
    assert app.status.value == html.escape(expected)
    assert app.blanks_box.layout.display is None and app.missing_box.layout.display is None
    assert app.waits["blanks"].layout.display == app.waits["missing"].layout.display == "none"
    button(app, "new-exercise").click()
    assert_waiting_for_reveal(app)


def assert_waiting_for_reveal(app) -> None:
    """Sections 2 and 3 are closed, each saying why: their numbers would answer the prediction."""
    assert app.blanks_box.layout.display == app.missing_box.layout.display == "none"
    assert app.waits["blanks"].layout.display is None and app.waits["missing"].layout.display is None
    assert app.waits["blanks"].value == ("<div class='bn-wait'>The blanks open when you press Reveal in step 1: the "
                                         "cells given with them include H_z and H, which would answer the "
                                         "prediction.</div>")
    assert app.waits["missing"].value == ("<div class='bn-wait'>This question opens when you press Reveal in step 1: "
                                          "it gives a cell of H_z, which would answer the prediction.</div>")
    children = app.widget.children
    for wait, box in ((app.waits["blanks"], app.blanks_box), (app.waits["missing"], app.missing_box)):
        assert children.index(wait) == children.index(box) - 1  # under its section's heading


def test_blanks_are_the_exercises_and_the_rest_is_given(app):
    assert set(app.blank_cells) == set(app.exercise.blanks)
    trace = bn.forward(app.exercise.state)
    grids = [child.children[1] for child in app.blanks_box.children[1].children]
    for layer, grid in zip(("H_z", "H", "Y_z", "Y"), grids):
        values = getattr(trace, layer)
        rows, cols = values.shape
        body = [w for i, w in enumerate(grid.children) if i > cols and (i % (cols + 1)) != 0]
        assert len(body) == rows * cols
        for (r, c), widget in zip(np.ndindex(rows, cols), body):
            if Cell(layer, r, c) in app.blank_cells:
                assert widget is app.blank_cells[Cell(layer, r, c)].box
            else:
                assert widget.value == f"<div class='bn-given'>{format_number(values[r, c])}</div>"


#: The feedback to "abc", typed into a blank or the backwards box: said once.
NOT_A_NUMBER = ("<div class='bn-not-yet'><b>✗ &#x27;abc&#x27; is not a number: type a whole number, a decimal or a "
                "fraction, such as -3, 0.5 or 1/2.</b></div>")


def test_a_blank_says_once_that_abc_is_not_a_number(app):
    cell = app.exercise.blanks[0]
    app.blank_cells[cell].box.value = "abc"
    assert app.feedback.value.startswith(f"<div><b>{cell.label}</b></div>{NOT_A_NUMBER}")
    assert app.feedback.value.count("not a number") == 1


def test_typing_into_a_blank_checks_it_and_keeps_score(app):
    cell = app.exercise.blanks[0]
    blank = app.blank_cells[cell]
    wrong = format_number(app.exercise.answer(cell) + 7)
    blank.box.value = wrong
    feedback = check_answer(app.exercise.state, cell, wrong)
    assert app.feedback.value == (f"<div><b>{cell.label}</b></div><div class='bn-not-yet'><b>✗ "
                                  f"{html.escape(feedback.message)}</b></div>"
                                  f"<div class='bn-hint'>{html.escape(feedback.hint)}</div>")
    assert "bn-wrong-box" in blank.box._dom_classes and not blank.box.disabled
    blank.box.value = "   "  # nothing typed: nothing checked
    assert app.score_view.value == "<b>Score: 0 right of 1 checked</b>"
    blank.box.value = format_number(app.exercise.answer(cell))
    assert "<div class='bn-correct'><b>✓ Correct: " in app.feedback.value
    assert "bn-correct-box" in blank.box._dom_classes and "bn-wrong-box" not in blank.box._dom_classes
    assert blank.box.disabled
    assert app.score_view.value == "<b>Score: 1 right of 2 checked</b>"


def test_the_backwards_question_shows_the_row_with_its_gap_and_checks_the_answer(app):
    m = app.missing
    question, answer, result = app.missing_box.children
    weights = [format_number(w) for w in m.state.W1[m.row]]
    bias = format_number(m.state.b1[m.row])
    if m.name == "W1":
        weights[m.col] = "?"
    else:
        bias = "?"
    x = ", ".join(format_number(v) for v in m.state.X[:, m.input])
    unit = f"h{m.row + 1}"
    assert question.value == (f"<div>H_z[{unit}, x{m.input + 1}] = <b>{format_number(m.target)}</b>, with row {unit} "
                              f"of W1 = [{', '.join(weights)}], x{m.input + 1} = [{x}] and b1[{unit}] = {bias}.</div>"
                              f"<div>What is <b>{m.label}</b>? Work it out from these numbers alone; then check it "
                              "against the network above, where it is given.</div>")
    answer.value = "abc"
    assert result.value.startswith(NOT_A_NUMBER) and result.value.count("not a number") == 1
    assert app.score_view.value == "<b>Score: 0 right of 0 checked</b>"  # a typo
    answer.value = format_number(m.answer)
    assert html.escape(check_missing(m, format_number(m.answer)).message) in result.value and "✓" in result.value
    assert app.score_view.value == "<b>Score: 1 right of 1 checked</b>"


QUESTION = re.compile(r"<div>H_z\[h(\d+), x(\d+)\] = <b>([^<]+)</b>, with row h(\d+) of W1 = \[([^\]]*)\], "
                      r"x(\d+) = \[([^\]]*)\] and b1\[h(\d+)\] = ([^ ]+)\.</div>"
                      r"<div>What is <b>([^<]+)</b>\? [^<]*</div>")


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_every_number_of_the_backwards_question_is_the_shown_networks(difficulty):
    for seed in (1, 2, 3, 7, 12, 40):
        app = ExerciseApp(seed, difficulty)
        state, shown = app.exercise.state, bn.forward(app.exercise.state)
        unit, column, target, unit_again, weights, column_again, x, unit_bias, bias, asked = QUESTION.fullmatch(
            app.missing_box.children[0].value).groups()
        row, col = int(unit) - 1, int(column) - 1
        assert unit == unit_again == unit_bias and column == column_again
        assert bn.parse_number(target) == shown.H_z[row, col]  # what the shown network makes
        assert [bn.parse_number(v) for v in x.split(", ")] == state.X[:, col].tolist()
        weights = weights.split(", ")
        for k, w in enumerate(weights):
            assert w == "?" or bn.parse_number(w) == state.W1[row, k]
        if bias == "?":
            assert asked == f"b1[{row + 1}]" and "?" not in weights
            hidden = state.b1[row]
        else:
            assert bn.parse_number(bias) == state.b1[row] and weights.count("?") == 1
            asked, hidden = f"W1[{row + 1},{weights.index('?') + 1}]", state.W1[row, weights.index("?")]
        assert asked == app.missing.label and app.missing.answer == hidden  # an entry of the shown network
        assert check_missing(app.missing, format_number(hidden)).correct
        # and a cell the fill-in part gives, so the question answers no blank
        assert not {Cell("H_z", row, col), Cell("H", row, col)} & set(app.exercise.blanks)


def test_new_and_open_buttons_change_the_exercise_and_start_the_score_again(app):
    app.blank_cells[app.exercise.blanks[0]].box.value = "999"
    button(app, "new-exercise").click()
    assert app.seed == app.seed_box.value == 2 and app.exercise == new_exercise(2)
    app.seed_box.value = 9
    app.difficulty.value = "hard"
    button(app, "open-seed").click()
    assert app.exercise == new_exercise(9, "hard") and app.missing == new_missing(9, "hard")
    assert app.status.value == "New exercise: seed 9. Start by predicting which hidden cells ReLU will set to 0."
    assert app.feedback.value == ""


@pytest.mark.parametrize("query, seed, difficulty, message", [
    ("seed=12&difficulty=hard", 12, "hard", None),
    ("seed=abc&difficulty=hard", 1, "hard", "The link could not be used: seed must be a whole number from 0 to "
                                           "1,000,000,000 in digits 0-9 (got 'abc'). Showing seed 1, hard instead."),
    ("seed=%D9%A1%D9%A2&difficulty=hard", 1, "hard", "The link could not be used: seed must be a whole number from 0 "
                                                     "to 1,000,000,000 in digits 0-9 (got '١٢'). Showing seed 1, hard "
                                                     "instead."),
    ("seed=12&difficulty=hard&difficulty=easy", 1, "medium", "The link could not be used: difficulty appears twice in "
                                                             "the link; give it once. Showing seed 1, medium instead."),
    ("seed=12&seed=13", 1, "medium", "The link could not be used: seed appears twice in the link; give it once. "
                                     "Showing seed 1, medium instead."),
    ("seed=12&dificulty=hard", 1, "medium", "The link could not be used: 'dificulty' is not a parameter of this "
                                            "page's link; it reads theme, present, token, seed, difficulty, blanks, "
                                            "predict, W1 to W4, b1 to b4, x1 to x16. Showing seed 1, medium instead."),
    ("seed=12&difficulty=hard&theme=dark&token=abc", 12, "hard", None),
    ("seed=4&difficulty=expert", 4, "medium", "The link could not be used: difficulty must be one of easy, medium, "
                                             "hard (got 'expert'). Showing seed 4, medium instead."),
    ("", 1, "medium", None),
])
def test_the_page_opens_the_exercise_its_link_names(monkeypatch, query, seed, difficulty, message):
    monkeypatch.setenv("QUERY_STRING", query)
    app = ExerciseApp.from_page()
    assert app.exercise == new_exercise(seed, difficulty)
    if message:
        assert app.status.value == f"<span class='bn-error' role='alert'>{html.escape(message)}</span>"
    else:
        assert app.status.value.startswith(f"New exercise: seed {seed}.")


def contrast_ratio(rgb1, rgb2) -> float:
    """WCAG 2 contrast ratio of two sRGB colours, each (red, green, blue) from 0 to 255."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(rgb1), luminance(rgb2)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rgb(text: str) -> tuple[int, int, int]:
    """The first #rrggbb colour in a CSS value."""
    code = re.search(r"#([0-9a-fA-F]{6})\b", text).group(1)
    return tuple(int(code[i:i + 2], 16) for i in (0, 2, 4))


def test_contrast_ratio_gives_the_wcag_reference_values():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast_ratio(rgb("#777777"), rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast_ratio(rgb("#ffffff"), rgb("#767676")) == pytest.approx(4.54, abs=0.01)  # just passes
    # white numbers on the success green the reveal used (#4caf50), before the disabled style faded them
    assert contrast_ratio(rgb("#ffffff"), rgb("#4caf50")) < 3


def declared(selector: str, name: str) -> str:
    """The value style.css gives ``name`` in a rule whose selector list holds ``selector``."""
    from pathlib import Path

    import batchnet_core.ui

    css = re.sub(r"/\*.*?\*/", "", (Path(batchnet_core.ui.__file__).parent / "style.css").read_text(), flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in (" ".join(s.split()) for s in selectors.split(",")):
            values = dict(d.split(":", 1) for d in body.split(";") if ":" in d)
            values = {key.strip(): value.strip() for key, value in values.items()}
            if name in values:
                return values[name]
    raise AssertionError(f"style.css gives {selector} no {name}")


#: Each theme: the prefix of its selectors and the backgrounds a box sits on (its own, the page's).
THEMES = {"light": ([""], rgb("#ffffff"), rgb("#ffffff")),
          "dark": ([".theme-dark ", 'body[data-jp-theme-light="false"] '], rgb("#212121"), rgb("#111111"))}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("marked", [".bn-correct-box input:disabled", ".bn-wrong-box input:disabled",
                                    ".jupyter-button.bn-correct-box:disabled",
                                    ".jupyter-button.bn-wrong-box:disabled"])
def test_accepted_and_revealed_cells_read_in_full_contrast(theme, marked):
    prefixes, box, page = THEMES[theme]
    for prefix in prefixes:
        assert declared(marked, "opacity") == "1 !important"  # not faded as disabled
        text, background = rgb(declared(prefix + marked, "color")), rgb(declared(prefix + marked, "background-color"))
        assert background == box
        assert contrast_ratio(text, background) >= 4.5 and contrast_ratio(text, page) >= 4.5  # WCAG AA, text


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("kind", ["correct", "wrong"])
def test_the_marks_of_right_and_wrong_stand_out_in_both_themes(theme, kind):
    prefixes, box, page = THEMES[theme]
    for prefix in prefixes:
        for border in (f".bn-{kind}-box input", f".jupyter-button.bn-{kind}-box"):
            colour = rgb(declared(prefix + border, "border-color" if prefix or "input" in border else "border"))
            assert min(contrast_ratio(colour, box), contrast_ratio(colour, page)) >= 3, border  # WCAG, non-text
        tick = rgb(declared(f"{prefix}.bn-{kind}-box.widget-text::after", "color"))
        assert min(contrast_ratio(tick, box), contrast_ratio(tick, page)) >= 4.5


WORKED = bn.preset("three-inputs")


def authored_app(monkeypatch, exercise: bn.Exercise) -> ExerciseApp:
    monkeypatch.setenv("QUERY_STRING", exercise.to_query())
    return ExerciseApp.from_page()


def test_an_authored_link_opens_exactly_that_exercise(monkeypatch):
    exercise = bn.Exercise(WORKED, [("H_z", 0, 0), ("Y", 1, 2)])
    app = authored_app(monkeypatch, exercise)
    assert app.exercise == exercise and app.seed is None
    assert set(app.blank_cells) == {Cell("H_z", 0, 0), Cell("Y", 1, 2)}
    assert f"href='?{html.escape(exercise.to_query())}'" in app.seed_note.value
    assert "An exercise made by your teacher: this network, 2 blank cells, ReLU predicted first" in app.seed_note.value
    assert set(app.toggles) == {(r, c) for r in range(4) for c in range(3)}
    assert app.status.value == "New exercise: your teacher&#x27;s exercise. Start by predicting which hidden cells " \
                               "ReLU will set to 0."
    # no backwards question: its heading, its wait and its box are all gone, before and after the reveal
    for shown in (False, True):
        if shown:
            button(app, "reveal").click()
        assert app.sections["missing"].layout.display == "none"
        assert app.missing_box.layout.display == app.waits["missing"].layout.display == "none"
        assert app.blanks_box.layout.display == (None if shown else "none")
    box = app.blank_cells[Cell("H_z", 0, 0)].box
    box.value = "4"  # 1·2 + (−1)·1 + 1·3, without b1 = −5
    assert "Almost: the bias is missing. H_z[h1, x1] adds the bias −5 after the products." in app.feedback.value
    app.blank_cells[Cell("Y", 1, 2)].box.value = "4"
    assert "✓ Correct: Y[y2, x3] = 4." in app.feedback.value
    assert app.score_view.value == "<b>Score: 1 right of 2 checked</b>"
    button(app, "new-exercise").click()  # from an authored exercise to the seeded ones
    assert app.exercise == new_exercise(2) and app.sections["missing"].layout.display is None


def test_an_authored_exercise_without_the_prediction_opens_its_blanks_at_once(monkeypatch):
    app = authored_app(monkeypatch, bn.Exercise(WORKED, [("H", 1, 1)], predict=False))
    assert app.sections["predict"].layout.display == app.predict_box.layout.display == "none"
    # every other part is shown: no layout hidden here is shared with them
    shown = (app.seed_note, app.status, app.given, app.sections["blanks"], app.blanks_box, app.feedback)
    assert all(part.layout.display is None for part in shown)
    assert all(part.layout is not app.seed_note.layout for part in app.sections.values())
    assert app.blanks_box.layout.display is None and app.waits["blanks"].layout.display == "none"
    assert app.status.value == "New exercise: your teacher&#x27;s exercise. Fill in the blanks."


@pytest.mark.parametrize("state, given, predicted", [
    (bn.State.from_layers([([[0.5, -1.0]], [0.25])], [[1, 2], [3, -4]]), {"X", "W1b1"}, "Y"),
    (bn.random_state(3, (2, 3, 2, 1, 2)), {"X", "W1b1", "W2b2", "W3b3"}, "H1"),
])
def test_an_authored_exercise_of_any_depth_shows_its_network_and_predicts_its_first_layer(monkeypatch, state, given,
                                                                                          predicted):
    last = bn.result_names(state.depth)[-1]
    app = authored_app(monkeypatch, bn.Exercise(state, [(last, 0, 1)]))
    assert set(app.given.children[0].pictures) == given
    assert f"Which cells of {predicted} = ReLU(" in app.predict_box.children[0].value
    hidden, batch = bn.forward(state).Z[0].shape
    assert set(app.toggles) == {(r, c) for r in range(hidden) for c in range(batch)}
    app.blank_cells[Cell(last, 0, 1)].box.value = format_number(app.exercise.answer(Cell(last, 0, 1)))
    assert "✓ Correct" in app.feedback.value


@pytest.mark.parametrize("tail, message", [
    ("blanks=H_z,5,1", "blanks: H_z[h5, x1] is not a cell of this network; H_z has rows h1 to h4 and columns x1 to "
                       "x3"),
    ("blanks=" + ";".join(["H,1,1"] * 49), "blanks: 49 cells in the link; an exercise leaves at most 48 blank"),
    ("blanks=%3Cimg%20src=x%3E,1,1", "blanks: '<img src=x>,1,1' is not a cell; write matrix,row,column counted "
                                     "from 1, cells split by ';', such as H_z,1,2;Y,2,3"),
    ("blanks=H,1,1&predict=%3Cb%3E", "predict must be 1 or 0 (got '<b>')"),
])
def test_an_authored_link_that_cannot_be_used_says_why_and_opens_seed_1(monkeypatch, tail, message):
    monkeypatch.setenv("QUERY_STRING", f"{WORKED.to_query()}&{tail}")
    app = ExerciseApp.from_page()
    assert app.exercise == new_exercise(1)
    assert app.status.value == (f"<span class='bn-error' role='alert'>{html.escape('The link could not be used: ')}"
                                f"{html.escape(message)}. Showing seed 1, medium instead.</span>")
