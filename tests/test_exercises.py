"""Exercise checking, one test per mistake a learner can make."""

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.exercises import (
    DIFFICULTIES,
    Cell,
    Missing,
    Score,
    check_answer,
    check_missing,
    check_prediction,
    new_exercise,
    new_missing,
    zeroed_by_relu,
)

WORKED = bn.preset("three-inputs")


@pytest.mark.parametrize(
    "cell, typed, mistake, words",
    [
        # H_z[h1, x1] = 1·2 + (−1)·1 + 1·3 + (−5) = −1
        (Cell("H_z", 0, 0), "4", "bias-forgotten", "the bias is missing"),
        (Cell("H", 0, 0), "-1", "relu-missing", "ReLU was not applied"),
        (Cell("H_z", 0, 0), "0", "relu-extra", "ReLU comes later"),
        # Y_z[y1, x1] = 1·0 + 1·3 + (−1)·5 + 0·3 + 0 = −2; from H_z instead of H: −1 + 3 − 5 = −3
        (Cell("Y_z", 0, 0), "-3", "relu-wrong-layer", "hidden layer's ReLU was skipped"),
        # H_z[h1, x2] = −5, while H_z[h2, x1] = 3
        (Cell("H_z", 0, 1), "3", "swapped", "Row and column swapped"),
        # H_z[h2, x1] = 3
        (Cell("H_z", 1, 0), "4", "arithmetic", "arithmetic slip"),
        # one product's sign flipped: 1·2 + 1·1 + 1·3 − 5 = 1 → but that is within 2; use H_z[h3, x1] = 5
        (Cell("H_z", 2, 0), "-1", "arithmetic", "arithmetic slip"),
        (Cell("H_z", 0, 0), "one", "not-a-number", "not a number"),
        (Cell("H_z", 0, 0), "100", None, "Not yet"),
    ],
)
def test_each_mistake_is_named(cell, typed, mistake, words):
    feedback = check_answer(WORKED, cell, typed)
    assert not feedback.correct
    assert feedback.mistake == mistake
    assert words in feedback.message
    assert "Pair row" in feedback.hint


@pytest.mark.parametrize("typed", ["-1", "−1", " -1 ", "-1.0", "-2/2"])
def test_correct_answers_in_any_spelling(typed):
    feedback = check_answer(WORKED, Cell("H_z", 0, 0), typed)
    assert feedback.correct and feedback.mistake is None
    assert feedback.message == "Correct: H_z[h1, x1] = −1."
    assert feedback.hint == "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0"


def test_hint_pairs_the_weight_row_with_the_input_column():
    feedback = check_answer(WORKED, Cell("Y", 1, 2), "0")
    assert feedback.hint == ("Pair row y2 of W2 [0, 0, 1, −1] with column x3 of H [0, 1, 3, 0]: multiply entry by "
                             "entry, add the products and the bias 1, then apply ReLU (negative becomes 0).")


def test_every_blank_of_many_exercises_accepts_its_own_answer():
    for seed in range(30):
        for difficulty in DIFFICULTIES:
            exercise = new_exercise(seed, difficulty)
            for cell in exercise.blanks:
                answer = bn.format_number(exercise.answer(cell))
                assert check_answer(exercise.state, cell, answer).correct


def test_exercises_are_reproducible_and_sized_by_difficulty():
    assert new_exercise(3, "hard") == new_exercise(3, "hard")
    assert new_exercise(3).state != new_exercise(4).state
    for name, level in DIFFICULTIES.items():
        exercise = new_exercise(11, name)
        assert exercise.state.sizes == level.sizes
        assert len(exercise.blanks) == level.blanks == len(set(exercise.blanks))
        values = np.concatenate([a.ravel() for _, a in exercise.state.items()])
        assert values.min() >= level.low and values.max() <= level.high
        assert (values == values.round()).all()
    with pytest.raises(ValueError, match="difficulty must be one of easy, medium, hard; got 'expert'"):
        new_exercise(1, "expert")


def test_an_exercise_with_a_clipped_cell_asks_for_one():
    asked = 0
    for seed in range(20):
        exercise = new_exercise(seed)
        trace = bn.forward(exercise.state)
        if (trace.H_z < 0).any() or (trace.Y_z < 0).any():
            asked += 1
            assert any(c.layer in ("H", "Y") and getattr(trace, c.layer + "_z")[c.row, c.col] < 0
                       for c in exercise.blanks)
    assert asked > 10


def test_prediction_of_relu_zeros():
    truth = zeroed_by_relu(WORKED)
    assert truth == {(0, 0), (0, 1), (0, 2), (3, 1), (3, 2)}
    perfect = check_prediction(WORKED, set(truth))
    assert perfect.message == "All right: ReLU sets exactly those 5 cells to 0."
    partial = check_prediction(WORKED, {(0, 0), (1, 1)})
    assert partial.missed == {(0, 1), (0, 2), (3, 1), (3, 2)} and partial.wrong == {(1, 1)}
    assert partial.message == ("Not quite: 4 cells you left unmarked became 0 (their sum was not positive); "
                               "1 marked cell stayed positive.")


def test_backwards_exercise_mistakes():
    # H_z[h1, x1] = W1[1,1]·2 + (−1)·1 + 1·3 + (−5) = −1: solve for W1[1,1] = 1
    weight = Missing(WORKED, "W1", 0, 0, 0, -1.0)
    assert weight.answer == 1 and weight.label == "W1[1,1]"
    assert check_missing(weight, "1").correct
    assert check_missing(weight, "-3/2").mistake == "bias-forgotten"  # (−1 − 2) / 2 without the bias
    assert check_missing(weight, "2").mistake == "arithmetic"  # W1[1,1]·2 = 2, not divided
    assert check_missing(weight, "x").mistake == "not-a-number"
    assert check_missing(weight, "9").mistake is None
    bias = Missing(WORKED, "b1", 0, 0, 0, -1.0)
    assert check_missing(bias, "-5").correct and not check_missing(bias, "-3").correct


def test_generated_backwards_exercises_have_whole_answers_that_check():
    for seed in range(40):
        exercise = new_missing(seed, "medium")
        assert exercise.answer == round(exercise.answer)
        assert check_missing(exercise, bn.format_number(exercise.answer)).correct
        hidden = exercise.state.with_entry(exercise.name, exercise.row, exercise.col, exercise.answer)
        assert bn.forward(hidden).H_z[exercise.row, exercise.input] == exercise.target


def test_score_counts_checked_answers_but_not_typos():
    score = Score()
    score = score.record(check_answer(WORKED, Cell("H_z", 0, 0), "-1"))
    score = score.record(check_answer(WORKED, Cell("H_z", 0, 0), "4"))
    score = score.record(check_answer(WORKED, Cell("H_z", 0, 0), "four"))
    assert (score.attempted, score.correct) == (2, 1)
    assert score.text == "Score: 1 right of 2 checked"
