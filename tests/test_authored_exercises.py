"""Exercises authored from any state: built from a network and the cells to leave blank, carried by a link,
read back exactly, refused by name when the link asks for what cannot be, and checked as seeded ones are."""

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.convert import TRAIN_PAGE_KEYS, read_link
from batchnet_core.exercises import (
    EXERCISE_PAGE_KEYS,
    MAX_BLANKS,
    Cell,
    Exercise,
    check_answer,
    check_prediction,
    exercise_from_link,
    is_authored_link,
    new_exercise,
)
from batchnet_core.gradient_exercises import (
    authored_gradient_exercise,
    check_gradient,
    gradient_exercise_from_link,
    new_gradient_exercise,
)

WORKED = bn.preset("three-inputs")


def test_an_exercise_is_built_from_a_state_and_its_blank_cells_in_the_page_order():
    exercise = bn.Exercise(WORKED, [("Y", 1, 2), Cell("H_z", 0, 0), ("H", 3, 1)])
    assert exercise.blanks == (Cell("H_z", 0, 0), Cell("H", 3, 1), Cell("Y", 1, 2))
    assert exercise.authored and exercise.predict and exercise.seed is None
    assert [exercise.answer(cell) for cell in exercise.blanks] == [-1.0, bn.forward(WORKED).H[3, 1], 4.0]


def test_the_link_carries_the_network_its_blanks_and_the_prediction():
    exercise = Exercise(WORKED, [("Y", 1, 2), ("H_z", 0, 0)], predict=False)
    query = exercise.to_query()
    assert query == f"{WORKED.to_query()}&blanks=H_z,1,1;Y,2,3&predict=0"
    again = Exercise.from_query(query)
    assert again == exercise and again.state == WORKED and not again.predict
    assert Exercise.from_query("?" + Exercise(WORKED, [("Y", 0, 0)]).to_query()).predict


@pytest.mark.parametrize("state", [
    bn.State.from_layers([([[0.1, -0.2]], [0.3])], [[1.5, -2.25, 0.1], [0.7, 0, -1e-3]]),  # one layer, decimals
    bn.random_state(5, (4, 3, 5, 2, 16), integers=False),  # three layers, a batch of 16
])
def test_any_network_round_trips_exactly(state):
    names = bn.result_names(state.depth)
    blanks = [(name, 0, col) for name in names for col in (0, state.X.shape[1] - 1)]
    exercise = Exercise(state, blanks)
    again = Exercise.from_query(exercise.to_query())
    assert again == exercise
    for cell in again.blanks:  # the same exact value, so the same digits, are asked
        assert bn.format_number(again.answer(cell)) == bn.format_number(exercise.answer(cell))
        assert check_answer(again.state, cell, bn.format_number(exercise.answer(cell))).correct


def test_a_seeded_exercise_keeps_its_seed_link():
    exercise = new_exercise(7, "hard")
    assert not exercise.authored
    assert exercise.to_query() == "seed=7&difficulty=hard"
    assert Exercise.from_query(exercise.to_query()) == exercise
    assert not is_authored_link(read_link("seed=7", EXERCISE_PAGE_KEYS))


@pytest.mark.parametrize("cell, typed, correct, mistake", [
    (Cell("H_z", 0, 0), "-1", True, None),          # 1·2 + (−1)·1 + 1·3 + (−5)
    (Cell("H_z", 0, 0), "4", False, "bias-forgotten"),
    (Cell("H", 0, 0), "-1", False, "relu-missing"),
    (Cell("Y_z", 0, 0), "-3", False, "relu-wrong-layer"),
    (Cell("Y", 1, 2), "4", True, None),
    (Cell("Y", 1, 2), "four", False, "not-a-number"),
])
def test_an_authored_exercise_is_checked_with_the_mistake_named(cell, typed, correct, mistake):
    exercise = Exercise.from_query(Exercise(WORKED, [cell]).to_query())
    feedback = check_answer(exercise.state, exercise.blanks[0], typed)
    assert (feedback.correct, feedback.mistake) == (correct, mistake)


def test_the_prediction_of_an_authored_exercise_is_of_its_first_layer():
    exercise = Exercise(WORKED, [("Y", 0, 0)])
    zeros = {(r, c) for r, c in np.argwhere(bn.forward(WORKED).H_z <= 0)}
    assert check_prediction(exercise.state, zeros).message.startswith("All right")


@pytest.mark.parametrize("blanks, message", [
    ([("H_z", 4, 0)], "blanks: H_z[h5, x1] is not a cell of this network; H_z has rows h1 to h4 and columns x1 to x3"),
    ([("Y", 0, 3)], "blanks: Y[y1, x4] is not a cell of this network; Y has rows y1 to y2 and columns x1 to x3"),
    ([("H", -1, 0)], "blanks: H row -1, column 0 is not a cell of this network"),
    ([("W1", 0, 0)], "blanks: 'W1' is not a result of this network; it has H_z, H, Y_z, Y"),
    ([("H", 0, 0), ("H", 0, 0)], "blanks: H[h1, x1] is given twice; give each cell once"),
    ([], "blanks: no cell is blank; leave at least one"),
    ("H_z", "blanks: expected a list of cells; got str"),
    ([("H", 0.5, 0)], "blanks: .* is not a cell; give a Cell or \\(matrix, row, col\\)"),
    ([Cell("H", 0.5, 0)], "blanks: .* is not a cell; give a Cell or \\(matrix, row, col\\)"),
    ([Cell("H", True, 0)], "blanks: .* is not a cell; give a Cell or \\(matrix, row, col\\)"),
    ([Cell(5, 0, 0)], "blanks: .* is not a cell; give a Cell or \\(matrix, row, col\\)"),
    ([("H_z", r, c) for r in range(4) for c in range(3)] * 5,
     f"blanks: more than {MAX_BLANKS} cells; an exercise leaves at most {MAX_BLANKS} blank"),
])
def test_blanks_that_cannot_be_are_refused_by_name(blanks, message):
    with pytest.raises(ValueError, match="^" + message.replace("[", "\\[").replace("]", "\\]")
                       if "\\(" not in message else "^" + message):
        Exercise(WORKED, blanks)


def test_an_exercise_refuses_a_prediction_that_is_not_yes_or_no_and_a_seed_without_its_difficulty():
    with pytest.raises(ValueError, match="^predict: expected True or False; got 'no'"):
        Exercise(WORKED, [("H", 0, 0)], predict="no")
    with pytest.raises(ValueError, match="^seed and difficulty go together"):
        Exercise(WORKED, [("H", 0, 0)], seed=3)
    assert Exercise(WORKED, [("H", 0, 0)], predict=np.bool_(False)).to_query().endswith("&predict=0")


def link(tail: str) -> str:
    return f"{WORKED.to_query()}&{tail}"


@pytest.mark.parametrize("query, message", [
    (link("blanks=H_z,5,1"), "blanks: H_z[h5, x1] is not a cell of this network"),
    (link("blanks=" + ";".join(["H,1,1"] * (MAX_BLANKS + 1))),
     f"blanks: {MAX_BLANKS + 1} cells in the link; an exercise leaves at most {MAX_BLANKS} blank"),
    (link("blanks=H,1,1;H,1,1"), "blanks: H[h1, x1] is given twice"),
    (link("blanks=H,0,1"), "blanks: 'H,0,1' is not a cell; write matrix,row,column counted from 1"),
    (link("blanks=H;1;1"), "blanks: 'H' is not a cell"),
    (link("blanks="), "blanks: '' is not a cell"),
    (link("blanks=%22%3E%3Cimg%20src=x%3E,1,1"), "blanks: '\"><img src=x>,1,1' is not a cell"),
    (link("blanks=H,1,1&predict=2"), "predict must be 1 or 0 \\(got '2'\\)"),
    (link("blanks=H,1,1&seed=3"), "seed: the link names an exercise by its network and blanks, and by a seed"),
    (link("predict=1"), "blanks: the link gives a network but no blank cells"),
    ("blanks=H,1,1", "the link gives blanks but no network"),
    (link("blanks=H,1,1&blanks=Y,1,1"), "blanks appears twice in the link; give it once"),
    (link("blanks=H,1,1&preset=one-input"), "'preset' is not a parameter of this page's link"),
    ("seed=x", "seed must be a whole number"),
])
def test_a_link_that_cannot_be_used_is_refused_naming_the_parameter(query, message):
    with pytest.raises(ValueError, match="^" + message.replace("[", "\\[").replace("]", "\\]")):
        exercise_from_link(read_link(query, EXERCISE_PAGE_KEYS))


def test_an_answer_to_the_digits_the_page_shows_is_right_and_no_fewer():
    # Y_z = 0.123·1.11 = 0.13653, written 0.1365; a whole 1234 is written in full and asked in full
    state = bn.State.from_layers([([[0.123]], [0.0])], [[1.11]])
    cell = Exercise(state, [("Y_z", 0, 0)]).blanks[0]
    assert bn.format_number(0.13653) == "0.1365"
    assert [check_answer(state, cell, typed).correct for typed in ("0.1365", "0.13653", "0.137", "0.1366")] == [
        True, True, False, False]
    whole = bn.State.from_layers([([[1234.0]], [0.0])], [[1.0]])
    assert [check_answer(whole, cell, typed).correct for typed in ("1234", "1234.4")] == [True, False]


# -- gradient exercises authored from page 06's state -------------------------------------------------------

TARGETS = [[1, 0, 1], [2, 2, 2]]


def test_a_gradient_exercise_is_authored_from_a_state_its_targets_and_an_entry_and_read_back_from_its_link():
    exercise = authored_gradient_exercise(WORKED, TARGETS, "W2", 1, 2)
    assert exercise.authored and exercise.label == "dW2[y2, h3]"
    assert exercise.to_query() == f"{WORKED.to_query()}&T=1,0,1;2,2,2&gradient=dW2,2,3"
    again = gradient_exercise_from_link(read_link(exercise.to_query(), TRAIN_PAGE_KEYS))
    assert again == exercise
    # dW2[y2, h3] = (1·5 + 1·2 + 2·3) / 3 = 13 / 3: right to two decimals, the sum over the batch named
    assert check_gradient(again, "4.33").correct
    assert check_gradient(again, "13").mistake == "batch-sum"
    assert check_gradient(again, "-13/3").mistake == "wrong-sign"
    assert authored_gradient_exercise(WORKED, TARGETS, "W2", np.int64(1), np.int64(2)) == exercise
    with pytest.raises(ValueError, match="^gradient: dW2 has rows 1 to 2 and columns 1 to 4; got row True"):
        authored_gradient_exercise(WORKED, TARGETS, "W2", True, 2)
    bias = authored_gradient_exercise(WORKED, TARGETS, "b1", 3)
    assert bias.to_query().endswith("&gradient=db1,4")
    assert gradient_exercise_from_link(read_link(bias.to_query(), TRAIN_PAGE_KEYS)) == bias
    seeded = new_gradient_exercise(7, "hard")
    assert gradient_exercise_from_link(read_link(seeded.to_query(), TRAIN_PAGE_KEYS)) == seeded


def test_a_small_authored_gradient_is_right_only_near_itself_and_its_sign_still_counts():
    # weights of a hundredth: db1[h2] = −0.0003267, where two decimals would take 0 and +0.004 for it
    state = bn.State.from_layers([([[0.01, 0.02], [0.03, -0.01]], [0.0, 0.01]), ([[0.02, 0.01]], [0.0])],
                                 [[1, 2, 0], [1, 0, 1]])
    exercise = authored_gradient_exercise(state, [[0.1, 0.0, 0.05]], "b1", 1)
    answer = exercise.explanation.average
    assert bn.format_number(answer) == "−0.0003267"
    assert [check_gradient(exercise, typed).correct for typed in ("−0.0003267", "-0.00033", "0", "0.004", "-0.004",
                                                                  "-0.0004")] == [True, True, False, False, False,
                                                                                  False]
    assert check_gradient(exercise, "0.0003267").mistake == "wrong-sign"
    assert check_gradient(exercise, "-0.0045").mistake is None  # far off: no "rounding" named either


@pytest.mark.parametrize("tail, message", [
    ("T=1,0,1;2,2,2&gradient=dW3,1,1", "gradient: dW3 is not a gradient of this network; it has dW1, db1, dW2, db2"),
    ("T=1,0,1;2,2,2&gradient=dW2,3,1", "gradient: dW2 has rows 1 to 2 and columns 1 to 4; got row 3, column 1"),
    ("T=1,0,1;2,2,2&gradient=db2,1,1", "gradient: 'db2,1,1' is not an entry"),
    ("T=1,0,1;2,2,2&gradient=dW2,1", "gradient: 'dW2,1' is not an entry"),
    ("T=1,0,1;2,2,2&gradient=%3Cscript%3E", "gradient: '<script>' is not an entry"),
    ("gradient=dW2,1,1", "gradient: the link names an entry but no targets"),
    ("T=1,0,1;2,2,2&gradient=dW2,1,1&gradient_seed=3", "gradient_seed: the link names a gradient exercise by its"),
    ("T=1,0;2,2&gradient=dW2,1,1", "T "),
])
def test_a_gradient_link_that_cannot_be_used_is_refused_naming_the_parameter(tail, message):
    with pytest.raises(ValueError, match="^" + message.replace("[", "\\[")):
        gradient_exercise_from_link(read_link(f"{WORKED.to_query()}&{tail}", TRAIN_PAGE_KEYS))
    with pytest.raises(ValueError, match="^gradient: the link names an entry but no network"):
        gradient_exercise_from_link(read_link("T=1&gradient=dW1,1,1", TRAIN_PAGE_KEYS))
