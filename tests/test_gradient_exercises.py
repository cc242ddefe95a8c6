"""Gradient exercises: one gradient entry by hand, with each likely mistake computed here independently.

The right answer and the four mistakes are worked out in this file from the exercise's arrays with
plain numpy (forward pass, δ of each layer, the batch mean), not through the module under test.
"""

import dataclasses
import html
import json
import re
from fractions import Fraction

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.exercises import Score
from batchnet_core.gradient_exercises import (
    MISTAKES,
    check_gradient,
    gradient_hint,
    new_gradient_exercise,
)
from batchnet_core.nn.numbers import format_number, parse_number, shown_exactly
from batchnet_core.ui import gradient_exercise as page
from batchnet_core.ui.drawing import HeatmapDrawing
from batchnet_core.ui.gradient_exercise import GradientExerciseApp
from batchnet_core.ui.train import Trainer

from test_heatmap_numbers import assert_drawing_shows
from test_ui import drawing_state, drawn_tables

#: What each difficulty may ask for (the module's docstring says so in words).
ASKED = {"easy": {"W2", "b2"}, "medium": {"W2", "b1"}, "hard": {"W1"}}
SEEDS = range(60)


def by_hand(e, relu_derivative=True, error_sign=1.0):
    """Every gradient entry as sums over the batch (not yet divided by B), and each layer's δ and input.

    ``relu_derivative=False`` takes ReLU′ as 1 everywhere; ``error_sign=-1`` uses T − Y for Y − T.
    """
    X, W1, b1, W2, b2 = (np.array(getattr(e.state, n), dtype=float) for n in ("X", "W1", "b1", "W2", "b2"))
    T = np.array(e.targets, dtype=float)
    H_z = W1 @ X + b1[:, None]
    H = np.maximum(H_z, 0)
    Y_z = W2 @ H + b2[:, None]
    Y = np.maximum(Y_z, 0)
    d2 = error_sign * (Y - T) * ((Y_z > 0) if relu_derivative else 1.0)
    d1 = (W2.T @ d2) * ((H_z > 0) if relu_derivative else 1.0)
    sums = {"W2": d2 @ H.T, "b2": d2.sum(axis=1)[:, None], "W1": d1 @ X.T, "b1": d1.sum(axis=1)[:, None]}
    return sums, {"W2": (d2, H), "b2": (d2, None), "W1": (d1, X), "b1": (d1, None)}


def expected(e):
    """The right answer and each mistake's number, by the mistake's name."""
    batch = e.state.X.shape[1]
    sums, parts = by_hand(e)
    right = sums[e.name][e.row, e.col] / batch
    wrong = {"relu-derivative": by_hand(e, relu_derivative=False)[0][e.name][e.row, e.col] / batch,
             "batch-sum": sums[e.name][e.row, e.col],
             "wrong-sign": by_hand(e, error_sign=-1.0)[0][e.name][e.row, e.col] / batch}
    delta, source = parts[e.name]
    if source is not None:
        product = source @ delta.T / batch  # a·δᵀ: the gradient's product with its factors swapped
        if e.row < product.shape[0] and e.col < product.shape[1]:
            wrong["transposed"] = product[e.row, e.col]
    return right, wrong


def exercises():
    return [new_gradient_exercise(seed, difficulty) for difficulty in ASKED for seed in SEEDS]


@pytest.fixture(scope="module")
def every():
    return exercises()


def test_each_difficulty_asks_its_kinds_of_entry_of_a_small_whole_number_network(every):
    asked = {difficulty: set() for difficulty in ASKED}
    for e in every:
        asked[e.difficulty].add(e.name)
        arrays = [np.array(getattr(e.state, n)) for n in ("X", "W1", "b1", "W2", "b2")] + [np.array(e.targets)]
        assert all(np.array_equal(a, np.round(a)) and np.abs(a).max() <= 3 for a in arrays), e.seed
        assert np.array(e.targets).min() >= 0 and np.array(e.state.X).min() >= 0
        assert e.state.X.shape[1] in (2, 3) and np.array(e.targets).shape == e.state.W2.shape[:1] + e.state.X.shape[1:]
        unit = ("h" if e.name.endswith("1") else "y") + str(e.row + 1)
        column = "" if e.name.startswith("b") else ", " + (str(e.col + 1) if e.name == "W1" else f"h{e.col + 1}")
        assert e.label == f"d{e.name}[{unit}{column}]"
    assert asked == ASKED  # every kind each difficulty names comes up


def test_the_answer_is_the_batch_mean_gradient_worked_out_here(every):
    for e in every:
        right, _ = expected(e)
        assert e.answer == pytest.approx(right, abs=1e-12), (e.difficulty, e.seed)
        batch = e.state.X.shape[1]
        for typed in (format_number(right), f"{round(right * batch):d}/{batch}", f"{right:.2f}",
                      f" {right:.6f} ".replace("-", "−")):
            feedback = check_gradient(e, typed)
            assert feedback.correct and feedback.mistake is None, (e.seed, typed)
            assert feedback.message == f"Correct: {e.label} = {format_number(right)}."


def test_the_answer_and_every_mistake_differ_so_each_can_be_told_apart(every):
    for e in every:
        right, wrong = expected(e)
        assert ("transposed" in wrong) == e.name.startswith("W"), (e.seed, e.label)  # a bias has one column
        values = [right, *wrong.values()]
        assert all(abs(a - b) > 0.1 for i, a in enumerate(values) for b in values[i + 1:]), (e.seed, e.label)
        assert right != 0 and wrong["relu-derivative"] != right  # ReLU's derivative matters for this entry


@pytest.mark.parametrize("mistake", ["relu-derivative", "batch-sum", "transposed", "wrong-sign"])
def test_each_likely_mistake_is_named(every, mistake):
    named = 0
    for e in every:
        right, wrong = expected(e)
        if mistake not in wrong:
            continue
        for typed in (format_number(wrong[mistake]), f"{wrong[mistake]:.2f}"):
            feedback = check_gradient(e, typed)
            assert not feedback.correct and feedback.mistake == mistake, (e.difficulty, e.seed, e.label, typed)
            assert feedback.message.startswith(MISTAKES[mistake] + ". ")
            assert feedback.hint == gradient_hint(e)
        named += 1
    assert named >= len(SEEDS)  # asked of many exercises, of every difficulty where it applies


def test_the_mistakes_messages_say_what_went_wrong():
    e = next(e for e in (new_gradient_exercise(s, "hard") for s in SEEDS) if e.row != e.col)
    right, wrong = expected(e)
    unit, column = f"h{e.row + 1}", f"{e.col + 1}"
    transposed = check_gradient(e, format_number(wrong["transposed"])).message
    assert transposed == (f"Row and column transposed. The row of {e.label} says whose δ to take ({unit}), the "
                          f"column whose activation ({column}): δ1[{unit}, x]·X[{column}, x], not "
                          f"δ1[h{e.col + 1}, x]·X[{e.row + 1}, x].")
    batch = e.state.X.shape[1]
    assert check_gradient(e, format_number(wrong["batch-sum"])).message.endswith(
        f"{format_number(wrong['batch-sum'])} is the sum of the {batch} inputs' terms; the gradient is their mean: "
        f"divide by {batch}.")
    relu = check_gradient(e, format_number(wrong["relu-derivative"])).message
    H_z = np.array(e.state.W1) @ np.array(e.state.X) + np.array(e.state.b1)[:, None]
    for c in range(batch):  # the asked unit's cells that ReLU cut are named
        assert (f"H_z[{unit}, x{c + 1}]" in relu) == (H_z[e.row, c] <= 0)
    assert "Y − T, not T − Y" in check_gradient(e, format_number(-right)).message


@pytest.mark.parametrize("typed", ["abc", "1..2", "2x", "<b>1</b>"])
def test_a_text_that_is_not_a_number_is_said_so(typed):
    e = new_gradient_exercise(4)
    feedback = check_gradient(e, typed)
    assert not feedback.correct and feedback.mistake == "not-a-number"
    assert feedback.message.startswith(f"'{typed.strip()}' is not a number: type a whole number")
    assert Score().record(feedback) == Score()  # a typo is not an attempt


def test_a_near_miss_is_told_to_round_and_a_far_one_is_not_yet():
    e = next(e for e in (new_gradient_exercise(s) for s in SEEDS) if e.answer != round(e.answer))
    right, wrong = expected(e)
    near = check_gradient(e, f"{right + 0.03:.3f}")
    batch = e.state.X.shape[1]
    assert near.mistake == "rounding" and near.message == (
        f"Close: round to two decimals (or type the fraction {format_number(right * batch)}/{batch}).")
    far = max([right, *wrong.values()]) + 5
    assert check_gradient(e, format_number(far)).message == f"Not yet: {e.label} is not {format_number(far)}."


def test_the_same_seed_gives_the_same_exercise_and_seeds_differ():
    for difficulty in ASKED:
        assert new_gradient_exercise(11, difficulty) == new_gradient_exercise(11, difficulty)
        shown = {json.dumps([e.state.to_dict(), e.targets, e.name, e.row, e.col])
                 for e in (new_gradient_exercise(s, difficulty) for s in range(20))}
        assert len(shown) >= 18
    assert new_gradient_exercise(11, "easy") != new_gradient_exercise(11, "hard")


def test_an_unknown_difficulty_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^difficulty must be one of easy, medium, hard; got 'expert'$"):
        new_gradient_exercise(1, "expert")


def test_the_hint_says_what_to_average_without_the_numbers():
    e = new_gradient_exercise(6, "hard")
    other = dataclasses.replace(e, targets=tuple(tuple(v + 1 for v in row) for row in e.targets))
    assert other.answer != e.answer and gradient_hint(other) == gradient_hint(e)  # the numbers play no part
    assert gradient_hint(e).startswith(f"{e.label} = mean over the batch of δ1[h{e.row + 1}, x]·X[{e.col + 1}, x], "
                                       f"where δ1[h{e.row + 1}, x] = (W2 column h{e.row + 1} · δ2 column x)")
    easy = next(e for e in (new_gradient_exercise(s, "easy") for s in SEEDS) if e.name == "b2")
    assert gradient_hint(easy).startswith(f"{easy.label} = mean over the batch of δ2[y{easy.row + 1}, x], where "
                                          f"δ2[y{easy.row + 1}, x] = (Y − T)[y{easy.row + 1}, x]·ReLU′(Y_z")


# -- the page, driven from Python ------------------------------------------------------------------------

@pytest.fixture
def app():
    return GradientExerciseApp(seed=1)


def find(app, css_class: str):
    """The app's one widget with this DOM class."""
    found, todo = [], [app.widget]
    while todo:
        widget = todo.pop()
        todo.extend(getattr(widget, "children", ()))
        if css_class in widget._dom_classes:
            found.append(widget)
    assert len(found) == 1, css_class
    return found[0]


def given_drawings(app) -> list:
    """The drawings of the given matrices, in the order they are shown."""
    found, todo = [], list(app.given.children)
    while todo:
        widget = todo.pop(0)
        if isinstance(widget, HeatmapDrawing):
            found.append(widget)
        todo[:0] = getattr(widget, "children", ())
    return found


def tables(app) -> dict[str, list]:
    return {name: values for drawing in given_drawings(app) for name, values in drawn_tables(drawing).items()}


def test_the_page_gives_the_network_its_forward_pass_and_the_targets(app):
    e = app.exercise
    assert e == new_gradient_exercise(1, "medium")
    X, W1, b1, W2, b2 = (np.array(getattr(e.state, n)) for n in ("X", "W1", "b1", "W2", "b2"))
    H_z = W1 @ X + b1[:, None]
    Y_z = W2 @ np.maximum(H_z, 0) + b2[:, None]
    shown = tables(app)
    for name, array in {"X": X, "W1": W1, "b1": b1[:, None], "H_z": H_z, "H": np.maximum(H_z, 0),
                        "W2": W2, "b2": b2[:, None], "Y_z": Y_z, "Y": np.maximum(Y_z, 0),
                        "T": np.array(e.targets)}.items():
        assert shown[name] == array.tolist(), name
    drawings = given_drawings(app)
    assert [set(d.pictures) for d in drawings] == [{"X", "W1b1", "H_z", "H"}, {"W2b2", "Y_z", "Y"}, {"T"}]
    for drawing in drawings[:-1]:
        assert_drawing_shows(drawing, e.state)
    assert drawings[-1].pictures["T"]["t"] == [format_number(v) for v in np.ravel(e.targets)]
    assert app.question.value == page.question_html(e) and f"<b>{e.label}</b>" in app.question.value
    assert app.status.value == f"New exercise: seed 1, medium. Work out {e.label}."
    assert app.score_view.value == "<b>Score: 0 right of 0 checked</b>"


def test_the_controls_carry_their_classes_and_the_answer_box_a_spoken_name(app):
    for css_class in ("bn-gradient-answer", "bn-gradient-check", "bn-gradient-reveal", "bn-gradient-new",
                      "bn-gradient-seed", "bn-gradient-open",
                      "bn-gradient-difficulty", "bn-gradient-feedback", "bn-gradient-explain", "bn-status",
                      "bn-score", "bn-app"):
        find(app, css_class)
    assert app.page.names == {"bn-gradient-answer": f"answer: {app.exercise.label}"}
    assert app.answer.description == f"{app.exercise.label} ="


def test_a_typed_answer_is_checked_and_scored(app):
    right, wrong = expected(app.exercise)
    app.answer.value = format_number(wrong["wrong-sign"])
    assert app.feedback.value.startswith(f"<div><b>{app.exercise.label}</b></div><div class='bn-not-yet'><b>✗ "
                                         f"{html.escape(MISTAKES['wrong-sign'])}. ")
    assert "bn-wrong-box" in app.answer._dom_classes and not app.answer.disabled
    find(app, "bn-gradient-check").click()  # the same answer checked again counts once
    assert app.score_view.value == "<b>Score: 0 right of 1 checked</b>"
    app.answer.value = "abc"
    assert "&#x27;abc&#x27; is not a number" in app.feedback.value
    assert app.score_view.value == "<b>Score: 0 right of 1 checked</b>"
    app.answer.value = format_number(right)
    assert f"<div class='bn-correct'><b>✓ Correct: {app.exercise.label} = {format_number(right)}.</b></div>" \
        in app.feedback.value
    assert "bn-correct-box" in app.answer._dom_classes and "bn-wrong-box" not in app.answer._dom_classes
    assert app.answer.disabled
    assert app.score_view.value == "<b>Score: 1 right of 2 checked</b>"


def test_check_reads_the_box(app):
    _, wrong = expected(app.exercise)
    find(app, "bn-gradient-check").click()  # nothing typed: nothing checked
    assert app.feedback.value == "" and app.score == Score()
    app.answer.value = format_number(wrong["batch-sum"])
    said = app.feedback.value
    app.feedback.value = ""
    find(app, "bn-gradient-check").click()
    assert app.feedback.value == said and MISTAKES["batch-sum"] in said and app.score == Score(1, 0)


def test_reveal_shows_each_inputs_term_and_the_mean(app):
    e = app.exercise
    find(app, "bn-gradient-reveal").click()
    shown = app.explanation.value
    batch = e.state.X.shape[1]
    _, parts = by_hand(e)
    delta, source = parts[e.name]
    for x in range(batch):
        numbers = [delta[e.row, x]] if source is None else [delta[e.row, x], source[e.col, x],
                                                            delta[e.row, x] * source[e.col, x]]
        row = "".join(f"<td style='{page.CELL}'>{html.escape(format_number(v))}</td>" for v in numbers)
        assert f"<tr><td style='{page.CELL}'>x{x + 1}</td>{row}</tr>" in shown
    right, _ = expected(e)
    sign = "=" if shown_exactly(Fraction(round(right * batch)) / batch) else "≈"  # the worked networks are whole
    assert f"/ {batch} {sign} {html.escape(format_number(right))}</div>" in shown
    assert app.status.value == f"{e.label} revealed: checks of this exercise no longer count toward the score."
    app.answer.value = format_number(right)
    assert "✓ Correct" in app.feedback.value and app.score == Score()  # a revealed answer is not scored


def test_new_exercise_and_the_difficulty_picker_change_the_question(app):
    app.answer.value = "999"
    find(app, "bn-gradient-new").click()
    assert app.seed == 2 and app.exercise == new_gradient_exercise(2, "medium")
    assert app.question.value == page.question_html(app.exercise)
    assert app.feedback.value == app.explanation.value == "" and app.answer.value == ""
    assert app.answer._dom_classes.count("bn-wrong-box") == 0 and not app.answer.disabled
    app.difficulty.value = "hard"
    assert app.exercise == new_gradient_exercise(2, "hard") and app.exercise.name == "W1"
    assert f"<b>{app.exercise.label}</b>" in app.question.value
    assert app.page.names == {"bn-gradient-answer": f"answer: {app.exercise.label}"}
    assert app.score_view.value == "<b>Score: 0 right of 1 checked</b>"  # the session's score goes on


def test_typed_text_reaches_the_page_escaped(app):
    app.answer.value = "<img src=x onerror=alert(1)>"
    assert "<img" not in app.feedback.value and "&lt;img src=x onerror=alert(1)&gt;" in app.feedback.value


def test_a_failure_becomes_a_message_never_a_traceback(app, monkeypatch):
    def broken(exercise, typed):
        raise ValueError("the check could not run")

    monkeypatch.setattr(page, "check_gradient", broken)
    app.answer.value = "1"
    assert app.status.value == ("<span class='bn-error' role='alert'>That did not work: the check could not run. "
                                "The last good state is still shown.</span>")


def test_the_given_pictures_follow_the_theme(app):
    light = [drawing_state(d) for d in given_drawings(app)]
    assert {state["frame"]["look"]["theme"] for state in light} == {"light"}
    app.page.theme = "dark"
    dark = [drawing_state(d) for d in given_drawings(app)]
    assert {state["frame"]["look"]["theme"] for state in dark} == {"dark"}  # every picture: T too
    assert [state["pictures"] for state in dark] == [state["pictures"] for state in light]


def test_the_question_says_which_forms_of_a_number_are_taken_and_gives_no_number(every):
    for e in every[::20]:
        question = re.sub(r"<[^>]+>", "", page.question_html(e))
        words = question.split("Check:")[1]
        assert words.strip() == "a whole number, a fraction or a decimal rounded to two places."
        assert not re.search(r"\d", words)


def test_the_seed_is_shown_with_its_link_and_a_typed_seed_opens(app):
    assert app.seed_box.value == 1
    assert ("Gradient exercise <b>seed 1</b>, medium: give the class this seed and difficulty and everyone gets "
            "the same numbers") in app.seed_note.value
    assert ("href='?gradient_seed=1&amp;gradient_difficulty=medium' target='_blank'>link to this exercise</a>: "
            "gradient_seed=1&amp;gradient_difficulty=medium") in app.seed_note.value
    app.seed_box.value = 41
    assert app.exercise == new_gradient_exercise(1, "medium")  # typing alone opens nothing
    find(app, "bn-gradient-open").click()
    assert app.seed == 41 and app.exercise == new_gradient_exercise(41, "medium")
    assert "gradient_seed=41&amp;gradient_difficulty=medium" in app.seed_note.value
    find(app, "bn-gradient-new").click()
    assert app.seed_box.value == 42 and app.exercise == new_gradient_exercise(42, "medium")


#: What the status line says when the link's exercise cannot be used.
NOT_USED = "The link could not be used: {}. Showing the gradient exercise of seed {}, {} instead."


@pytest.mark.parametrize("query, seed, difficulty, problem", [
    ("gradient_seed=12&gradient_difficulty=hard", 12, "hard", None),
    ("gradient_seed=12&theme=dark&token=abc", 12, "medium", None),
    ("gradient_difficulty=easy", 1, "easy", None),
    ("gradient_seed=abc&gradient_difficulty=hard", 1, "hard",
     "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got 'abc')"),
    ("gradient_seed=%D9%A1%D9%A2", 1, "medium",
     "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '١٢')"),
    ("gradient_seed=1000000001", 1, "medium",
     "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '1000000001')"),
    ("gradient_seed=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", 1, "medium",
     "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '<img src=x onerror=a')"),
    ("gradient_seed=4&gradient_difficulty=expert", 4, "medium",
     "gradient_difficulty must be one of easy, medium, hard (got 'expert')"),
    ("gradient_seed=12&gradient_seed=13", 1, "medium", "gradient_seed appears twice in the link; give it once"),
    ("gradient_seed=12&gradient_difficulty=hard&seed=3", 1, "medium",
     "'seed' is not a parameter of this page's link; it reads theme, present, token, gradient_seed, "
     "gradient_difficulty, gradient_loss"),
    ("gradient_seed=4&gradient_loss=hinge", 4, "medium",
     "gradient_loss: loss must be one of mse, softmax_cross_entropy; got 'hinge'"),
])
def test_the_exercise_alone_opens_what_its_link_names(monkeypatch, query, seed, difficulty, problem):
    monkeypatch.setenv("QUERY_STRING", query)
    app = GradientExerciseApp.from_page()
    assert app.exercise == new_gradient_exercise(seed, difficulty) and app.seed_box.value == seed
    if problem:
        message = NOT_USED.format(problem, seed, difficulty)
        assert app.status.value == f"<span class='bn-error' role='alert'>{html.escape(message)}</span>"
    else:
        assert app.status.value.startswith(f"New exercise: seed {seed}, {difficulty}.")


def on_page_06(monkeypatch, query: str) -> tuple[Trainer, GradientExerciseApp]:
    """Page 06 as its notebook builds it from this link: training, then the gradient exercise."""
    monkeypatch.setattr("batchnet_core.ui.app.page_query", lambda: query)
    trainer = Trainer.from_page()
    return trainer, GradientExerciseApp.from_page(trainer)


def address(trainer) -> str:
    """The page's link, which the page keeps as its address."""
    return html.unescape(re.search(r"class='bn-address' href='\?([^']*)'", trainer.app.share.link.value).group(1))


def test_on_page_06_the_link_opens_the_state_its_targets_and_the_exercise(monkeypatch, worked):
    query = f"{worked.to_query()}&T=0,0,0;1,1,1&gradient_seed=12&gradient_difficulty=hard&theme=dark"
    trainer, app = on_page_06(monkeypatch, query)
    assert trainer.app.state == worked and trainer.targets.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert "bn-error" not in trainer.app.status.value
    assert app.exercise == new_gradient_exercise(12, "hard")
    assert address(trainer) == query  # a reload opens exactly this
    app.difficulty.value = "easy"
    assert address(trainer) == query.replace("gradient_difficulty=hard", "gradient_difficulty=easy")
    find(app, "bn-gradient-new").click()
    assert address(trainer) == query.replace("gradient_seed=12&gradient_difficulty=hard",
                                             "gradient_seed=13&gradient_difficulty=easy")
    assert trainer.query() == f"{worked.to_query()}&T=0,0,0;1,1,1"  # a push sends the network, not the exercise


def test_on_page_06_the_state_s_seed_is_not_the_exercise_s(monkeypatch):
    trainer, app = on_page_06(monkeypatch, "seed=5")
    assert "Random integers, seed 5." in trainer.app.status.value
    assert app.exercise == new_gradient_exercise(1, "medium")
    assert address(trainer).endswith("&gradient_seed=1&gradient_difficulty=medium")


@pytest.mark.parametrize("query, seed, problem, state_too", [
    ("gradient_seed=x7", 1, "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got 'x7')",
     False),
    ("gradient_seed=7&gradient_difficulty=%22%3E%3Cb%3E", 7,
     "gradient_difficulty must be one of easy, medium, hard (got '\"><b>')", False),
    ("gradient_seed=7&gradient_seed=8", 1, "gradient_seed appears twice in the link; give it once", True),
    ("gradient_seed=7&x17=1,2,3", 1, "x17: a batch holds at most 16 inputs (x1 to x16)", True),
])
def test_on_page_06_a_link_that_cannot_be_used_is_named_where_it_is_used(monkeypatch, worked, query, seed, problem,
                                                                          state_too):
    """A bad value of the exercise's own is said by the exercise; a parameter that cannot be used at all
    leaves the whole link unused, which both parts of the page say."""
    trainer, app = on_page_06(monkeypatch, query)
    assert app.exercise == new_gradient_exercise(seed, "medium")
    message = NOT_USED.format(problem, seed, "medium")
    assert app.status.value == f"<span class='bn-error' role='alert'>{html.escape(message)}</span>"
    assert ("bn-error" in trainer.app.status.value) == state_too
    assert trainer.app.state == worked
    if state_too:
        assert html.escape(problem) in trainer.app.status.value


# -- softmax cross-entropy: P given, its own mistakes ------------------------------------------------------

CE = "softmax_cross_entropy"


def by_hand_ce(e, error_on_y=False, relu_derivative=True, probabilities=None):
    """Every gradient entry's batch sum for softmax cross-entropy on a linear last layer, worked here: P is
    each column's softmax (or ``probabilities``: P as a learner reads it), δ2 = P − T (``error_on_y``: Y − T)."""
    X, W1, b1, W2, b2 = (np.array(getattr(e.state, n), dtype=float) for n in ("X", "W1", "b1", "W2", "b2"))
    T = np.array(e.targets, dtype=float)
    H_z = W1 @ X + b1[:, None]
    H = np.maximum(H_z, 0)
    Y = W2 @ H + b2[:, None]  # linear: Y = Y_z
    P = np.exp(Y) / np.exp(Y).sum(axis=0) if probabilities is None else probabilities
    d2 = (Y if error_on_y else P) - T
    d1 = (W2.T @ d2) * ((H_z > 0) if relu_derivative else 1.0)
    return {"W2": d2 @ H.T, "b2": d2.sum(axis=1)[:, None], "W1": d1 @ X.T, "b1": d1.sum(axis=1)[:, None]}, P


def expected_ce(e):
    batch = e.state.X.shape[1]
    sums, _ = by_hand_ce(e)
    right = sums[e.name][e.row, e.col] / batch
    wrong = {"batch-sum": sums[e.name][e.row, e.col], "wrong-sign": -right,
             "error-on-y": by_hand_ce(e, error_on_y=True)[0][e.name][e.row, e.col] / batch}
    if e.name.endswith("1"):  # a ReLU lies between the hidden layer's parameters and the loss, not after W2
        wrong["relu-derivative"] = by_hand_ce(e, relu_derivative=False)[0][e.name][e.row, e.col] / batch
    return right, wrong


@pytest.fixture(scope="module")
def every_ce():
    return [new_gradient_exercise(seed, difficulty, CE) for difficulty in ASKED for seed in range(30)]


def test_a_softmax_exercise_has_a_linear_last_layer_one_class_per_input_and_its_own_seeds(every_ce):
    asked = {difficulty: set() for difficulty in ASKED}
    for e in every_ce:
        asked[e.difficulty].add(e.name)
        assert e.loss == CE and e.state.activations == ("relu", "linear")
        T = np.array(e.targets)
        assert set(T.ravel()) <= {0.0, 1.0} and (T.sum(axis=0) == 1).all(), e.seed
    assert asked == ASKED
    assert new_gradient_exercise(5, "hard", CE) == new_gradient_exercise(5, "hard", CE)
    assert new_gradient_exercise(5, "hard", CE).state != new_gradient_exercise(5, "hard").state
    with pytest.raises(ValueError, match=r"^loss must be one of mse, softmax_cross_entropy; got 'hinge'$"):
        new_gradient_exercise(5, "hard", "hinge")


def test_a_softmax_answer_is_the_mean_of_p_minus_t_and_each_mistake_is_named(every_ce):
    named = {}
    for e in every_ce:
        right, wrong = expected_ce(e)
        assert e.answer == pytest.approx(right, abs=1e-12), (e.difficulty, e.seed)
        assert abs(right) >= 0.25  # two decimals' rounding holds whole
        assert set(e.mistakes) == set(wrong) | ({"transposed"} if "transposed" in e.mistakes else set())
        for mistake, value in e.mistakes.items():
            if mistake != "transposed":
                assert value == pytest.approx(wrong[mistake], abs=1e-9), (e.seed, mistake)
        assert check_gradient(e, f"{right:.2f}").correct
        for mistake, value in e.mistakes.items():
            feedback = check_gradient(e, format_number(value))
            assert feedback.mistake == mistake and feedback.message.startswith(MISTAKES[mistake] + ". "), \
                (e.difficulty, e.seed, mistake)
            named[mistake] = named.get(mistake, 0) + 1
    assert set(named) == {"batch-sum", "wrong-sign", "error-on-y", "relu-derivative", "transposed"}
    assert named["error-on-y"] == len(every_ce)  # asked of every one


def test_a_learner_working_from_the_p_shown_gets_it_right(every_ce):
    """P is given in the digits the page shows it: the answer worked from those is taken."""
    for e in every_ce:
        _, P = by_hand_ce(e)
        shown = np.vectorize(lambda v: float(parse_number(format_number(v))))(P)
        sums, _ = by_hand_ce(e, probabilities=shown)
        worked = sums[e.name][e.row, e.col] / e.state.X.shape[1]
        assert check_gradient(e, format_number(worked)).correct, (e.difficulty, e.seed)


def test_a_softmax_exercise_s_words_name_p_and_its_error():
    e = next(e for e in (new_gradient_exercise(s, "hard", CE) for s in SEEDS) if e.row != e.col)
    hint = gradient_hint(e)
    assert hint.startswith(f"{e.label} = mean over the batch of δ1[h{e.row + 1}, x]·X[{e.col + 1}, x], where ")
    assert "δ2 = P − T, P = softmax(Y), each column (given), and ReLU′ is 1 where the sum is above 0" in hint
    right, wrong = expected_ce(e)
    assert check_gradient(e, format_number(-right)).message.endswith(
        "The error is P − T, not T − P: the gradient points where the loss grows, and a step goes against it.")
    assert check_gradient(e, format_number(wrong["error-on-y"])).message == (
        f"{MISTAKES['error-on-y']}. The error is P − T, with P = softmax(Y), each column: "
        f"{format_number(wrong['error-on-y'])} is what Y − T gives.")
    easy = next(e for e in (new_gradient_exercise(s, "easy", CE) for s in SEEDS) if e.name == "b2")
    assert gradient_hint(easy) == (f"{easy.label} = mean over the batch of δ2[y{easy.row + 1}, x], where "
                                   f"δ2[y{easy.row + 1}, x] = (P − T)[y{easy.row + 1}, x], P = softmax(Y), each "
                                   "column (given).")  # no ReLU on the way: none is spoken of
    near = check_gradient(easy, format_number(easy.answer + 0.03))
    assert near.message == "Close: round to two decimals."  # no fraction: the total is not a short decimal


def test_a_softmax_exercise_s_link_names_its_loss_and_opens_it_again():
    from batchnet_core.convert import TRAIN_PAGE_KEYS, read_link
    from batchnet_core.gradient_exercises import authored_gradient_exercise, gradient_exercise_from_link

    e = new_gradient_exercise(8, "medium", CE)
    assert e.to_query() == "gradient_seed=8&gradient_difficulty=medium&gradient_loss=softmax_cross_entropy"
    assert new_gradient_exercise(8, "medium").to_query() == "gradient_seed=8&gradient_difficulty=medium"
    assert gradient_exercise_from_link(read_link(e.to_query(), TRAIN_PAGE_KEYS)) == e
    authored = authored_gradient_exercise(e.state, e.T, "W2", 1, 0, CE)
    assert authored.to_query().endswith("&loss=softmax_cross_entropy&gradient=dW2,2,1")
    assert gradient_exercise_from_link(read_link(authored.to_query(), TRAIN_PAGE_KEYS)) == authored
    assert not authored.named_by_seed and not e.named_by_seed and new_gradient_exercise(8).named_by_seed
    with pytest.raises(ValueError, match=r"^gradient_loss: loss must be one of mse, softmax_cross_entropy; got 'x'$"):
        gradient_exercise_from_link(read_link(e.to_query().replace("=softmax_cross_entropy", "=x"), TRAIN_PAGE_KEYS))
    with pytest.raises(ValueError, match=r"layer 2's activation must be linear; it is relu"):
        authored_gradient_exercise(new_gradient_exercise(8).state, e.T, "W2", 1, 0, CE)
    tanh = bn.State.from_layers(e.state.layers, e.state.X, activations=("tanh", "linear"))
    with pytest.raises(ValueError, match=r"ReLU in every layer, the last linear for softmax cross-entropy; this one's "
                                         r"are tanh, linear: choose ReLU for every layer but the last first$"):
        authored_gradient_exercise(tanh, e.T, "W2", 1, 0, CE)
    with pytest.raises(ValueError, match=r"each column of T must be one-hot"):
        authored_gradient_exercise(e.state, [[1, 1, 0], [0, 0, 0]], "W2", 1, 0, CE)


def test_the_page_chooses_the_loss_and_gives_p_beside_t(app):
    app.loss_choice.value = CE
    e = app.exercise
    assert e == new_gradient_exercise(1, "medium", CE)
    assert app.status.value == f"New exercise: seed 1, medium, softmax cross-entropy. Work out {e.label}."
    assert "give the class this seed and difficulty and loss" in app.seed_note.value
    assert "gradient_seed=1&amp;gradient_difficulty=medium&amp;gradient_loss=softmax_cross_entropy" \
        in app.seed_note.value
    drawings = given_drawings(app)
    assert [set(d.pictures) for d in drawings] == [{"X", "W1b1", "H_z", "H"}, {"W2b2", "Y_z", "Y"}, {"P"}, {"T"}]
    _, P = by_hand_ce(e)
    np.testing.assert_allclose(tables(app)["P"], P, atol=1e-12)
    compared = app.compared.value  # the heat map's cells have room for two digits: the table gives four
    assert compared.startswith("<table class='bn-gradient-compared'") and ">P, to four digits</caption>" in compared
    for r, line in enumerate(P):
        assert f"<th scope='row' style='{page.CELL}'>y{r + 1}</th>" + "".join(
            f"<td style='{page.CELL}'>{html.escape(format_number(v))}</td>" for v in line) in compared
    assert "L = −Σ T ⊙ log P / B (softmax cross-entropy; P = softmax(Y), each column, is given beside T)" \
        in app.question.value
    right, wrong = expected_ce(e)
    app.answer.value = format_number(wrong["error-on-y"])
    assert html.escape(MISTAKES["error-on-y"]) in app.feedback.value
    app.difficulty.value = "easy"  # an output's δ: where P − T is worked out
    find(app, "bn-gradient-reveal").click()
    layer = int(app.exercise.name[1:])
    assert layer == 2 and f"<li>δ2[y{app.exercise.row + 1}, x1] = P − T = " in app.explanation.value
    app.difficulty.value = "medium"
    app.loss_choice.value = "mse"
    assert app.exercise == new_gradient_exercise(1, "medium") and len(given_drawings(app)) == 3
    assert app.compared.value == ""


def test_on_page_06_the_link_opens_a_softmax_exercise(monkeypatch, worked):
    query = f"{worked.to_query()}&T=0,0,0;1,1,1&gradient_seed=12&gradient_difficulty=hard&gradient_loss={CE}"
    trainer, app = on_page_06(monkeypatch, query)
    assert app.exercise == new_gradient_exercise(12, "hard", CE) and app.loss_choice.value == CE
    assert address(trainer) == query
    app.loss_choice.value = "mse"
    assert address(trainer) == query.replace(f"&gradient_loss={CE}", "")
