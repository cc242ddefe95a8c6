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
    hint,
    new_exercise,
    new_missing,
    zeroed_by_relu,
)

WORKED = bn.preset("three-inputs")


@pytest.mark.parametrize(
    "cell, typed, mistake, message",
    [
        # H_z[h1, x1] = 1·2 + (−1)·1 + 1·3 + (−5) = −1
        (Cell("H_z", 0, 0), "4", "bias-forgotten",
         "Almost: the bias is missing. H_z[h1, x1] adds the bias −5 after the products."),
        (Cell("H", 0, 0), "-1", "relu-missing",
         "Almost: ReLU was not applied. −1 is the sum before ReLU; ReLU turns it into 0."),
        (Cell("H_z", 0, 0), "0", "relu-extra",
         "Almost: ReLU comes later. H_z is the sum before ReLU, so it keeps its sign: −1."),
        # Y_z[y1, x1] = 1·0 + 1·3 + (−1)·5 + 0·3 + 0 = −2; from H_z instead of H: −1 + 3 − 5 = −3
        (Cell("Y_z", 0, 0), "-3", "relu-wrong-layer",
         "Almost: the hidden layer's ReLU was skipped. Layer 2 takes H = ReLU(H_z) as input, not H_z."),
        # Y_z[y1, x2] = 0 + 2 − 2 + 0 = 0; from H_z: −5 + 2 − 2 = −5
        (Cell("Y_z", 0, 1), "-5", "relu-wrong-layer",
         "Almost: the hidden layer's ReLU was skipped. Layer 2 takes H = ReLU(H_z) as input, not H_z."),
        # Y[y2, x2] = ReLU(2 − 0 + 1) = 3; from H_z: 2 − (−1) + 1 = 4 (the bias b2 = 1 counts)
        (Cell("Y", 1, 1), "4", "relu-wrong-layer",
         "Almost: the hidden layer's ReLU was skipped. Layer 2 takes H = ReLU(H_z) as input, not H_z."),
        # H_z[h1, x2] = −5, while H_z[h2, x1] = 3
        (Cell("H_z", 0, 1), "3", "swapped",
         "Row and column swapped. Row 1 is the unit (a row of weights), column 2 the input."),
        # H_z[h2, x1] = 3: off by 1 and by 2 is a slip, by 3 is not
        (Cell("H_z", 1, 0), "4", "arithmetic", "Close: an arithmetic slip: check each product's sign and the sum."),
        (Cell("H_z", 1, 0), "5", "arithmetic", "Close: an arithmetic slip: check each product's sign and the sum."),
        (Cell("H_z", 1, 0), "6", None, "Not yet: H_z[h2, x1] is not 6."),
        # H_z[h3, x1] = 5 with the product 1·3 flipped: 5 − 6 = −1
        (Cell("H_z", 2, 0), "-1", "arithmetic", "Close: an arithmetic slip: check each product's sign and the sum."),
        # H[h1, x2] = ReLU(−5) = 0; without the bias also 0, so 1 is only a slip
        (Cell("H", 0, 1), "1", "arithmetic", "Close: an arithmetic slip: check each product's sign and the sum."),
        (Cell("H_z", 0, 0), "one", "not-a-number",
         "'one' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2."),
        (Cell("H_z", 0, 0), "100", None, "Not yet: H_z[h1, x1] is not 100."),
        # Y[y1, x1] = ReLU(−2) = 0: −2 is the sum before ReLU, not a forgotten bias (b2 = 0)
        (Cell("Y", 0, 0), "-2", "relu-missing",
         "Almost: ReLU was not applied. −2 is the sum before ReLU; ReLU turns it into 0."),
        # the last unit: no cell to swap it with (H_z has 3 columns)
        (Cell("H_z", 3, 0), "100", None, "Not yet: H_z[h4, x1] is not 100."),
    ],
)
def test_each_mistake_is_named(cell, typed, mistake, message):
    feedback = check_answer(WORKED, cell, typed)
    assert feedback.correct is False
    assert feedback.mistake == mistake
    assert feedback.message == message
    assert feedback.hint == hint(WORKED, cell)


@pytest.mark.parametrize("cell, expected", [
    (Cell("H_z", 0, 0), "Pair row h1 of W1 [1, −1, 1] with x1 [2, 1, 3]: multiply entry by entry, add the "
                        "products and the bias −5."),
    (Cell("H", 3, 2), "Pair row h4 of W1 [1, 0, 1] with x3 [0, 1, 1]: multiply entry by entry, add the "
                      "products and the bias −2, then apply ReLU (negative becomes 0)."),
    (Cell("Y_z", 0, 1), "Pair row y1 of W2 [1, 1, −1, 0] with column x2 of H [0, 2, 2, 0]: multiply entry by "
                        "entry, add the products and the bias 0."),
])
def test_the_hint_names_the_row_the_column_and_their_numbers(cell, expected):
    assert hint(WORKED, cell) == expected


@pytest.mark.parametrize("typed", ["-1", "−1", " -1 ", "-1.0", "-2/2", "-1e0"])
def test_correct_answers_in_any_spelling(typed):
    feedback = check_answer(WORKED, Cell("H_z", 0, 0), typed)
    assert feedback.correct and feedback.mistake is None
    assert feedback.message == "Correct: H_z[h1, x1] = −1."
    assert feedback.hint == "1·2 + (−1)·1 + 1·3 + (−5) = −1"  # H_z is the sum: no ReLU step


@pytest.mark.parametrize("cell, typed, worked_out", [
    (Cell("H_z", 0, 0), "-1", "1·2 + (−1)·1 + 1·3 + (−5) = −1"),
    (Cell("H", 0, 0), "0", "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0"),
    (Cell("Y_z", 0, 0), "-2", "1·0 + 1·3 + (−1)·5 + 0·3 + 0 = −2"),
    (Cell("Y", 0, 0), "0", "1·0 + 1·3 + (−1)·5 + 0·3 + 0 = −2 → ReLU → 0"),
    (Cell("Y", 1, 2), "4", "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4"),
])
def test_a_correct_answer_is_worked_out_up_to_its_layer(cell, typed, worked_out):
    feedback = check_answer(WORKED, cell, typed)
    assert feedback.correct and feedback.hint == worked_out


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


def test_a_sum_of_exactly_0_counts_as_zeroed_by_relu():
    state = WORKED.with_entry("b1", 1, 0, -1)  # H_z row h2: 3 − 1, 2 − 1, 1 − 1 = 0
    assert bn.forward(state).H_z[1].tolist() == [2, 1, 0]
    assert zeroed_by_relu(state) == {(0, 0), (0, 1), (0, 2), (1, 2), (3, 1), (3, 2)}
    assert check_prediction(state, {(0, 0), (0, 1), (0, 2), (3, 1), (3, 2)}).missed == {(1, 2)}


def test_relu_zeroed_is_a_pre_activation_of_0_or_less():
    np.testing.assert_array_equal(bn.relu_zeroed(np.array([[-2.0, -1e-12, 0.0], [-0.0, 1e-12, 3.0]])),
                                  [[True, True, True], [True, False, False]])
    np.testing.assert_array_equal(bn.relu_zeroed(bn.forward(WORKED).H_z), bn.forward(WORKED).H == 0)


def test_prediction_of_relu_zeros():
    truth = zeroed_by_relu(WORKED)
    assert truth == {(0, 0), (0, 1), (0, 2), (3, 1), (3, 2)}
    perfect = check_prediction(WORKED, set(truth))
    assert perfect.message == "All right: ReLU sets exactly those 5 cells to 0."
    partial = check_prediction(WORKED, {(0, 0), (1, 1)})
    assert partial.missed == {(0, 1), (0, 2), (3, 1), (3, 2)} and partial.wrong == {(1, 1)}
    assert partial.message == ("Not quite: 4 cells you left unmarked became 0 (their sum was not positive); "
                               "1 marked cell stayed positive.")


# H_z[h1, x1] = 1·2 + (−1)·1 + W1[1,3]·3 + (−5) = −1: solve for W1[1,3] = 1
WEIGHT = Missing(WORKED, "W1", 0, 2, 0, -1.0)
WEIGHT_TIP = "−1 = (the other products: 1) + bias −5 + W1[1,3] · 3; solve for W1[1,3]."
# H_z[h1, x1] = 1·2 + (−1)·1 + 1·3 + b1[1] = −1: solve for b1[1] = −5
BIAS = Missing(WORKED, "b1", 0, 0, 0, -1.0)
BIAS_TIP = "−1 = (the other products: 4) + b1[1]; solve for b1[1]."


@pytest.mark.parametrize("exercise, typed, correct, mistake, message", [
    (WEIGHT, "1", True, None, "Correct: W1[1,3] = 1."),
    (WEIGHT, "-2/3", False, "bias-forgotten", "Almost: the bias is missing: subtract the bias −5 too."),  # (−1 − 1) / 3
    (WEIGHT, "3", False, "arithmetic", "Close: an arithmetic slip: that is W1[1,3] · 3; divide by 3."),  # not divided
    (WEIGHT, "2", False, "arithmetic", "Close: an arithmetic slip: check the signs."),
    (WEIGHT, "0", False, "arithmetic", "Close: an arithmetic slip: check the signs."),
    (WEIGHT, "-1", False, None, "Not yet: W1[1,3] is not −1."),
    (Missing(WORKED, "W1", 0, 0, 0, -1.0), "2", False, "arithmetic",  # W1[1,1] · 2 = 2, not divided by 2
     "Close: an arithmetic slip: that is W1[1,1] · 2; divide by 2."),
    (WEIGHT, "x", False, "not-a-number", "'x' is not a number: type a whole number, a decimal or a fraction, such "
                                         "as -3, 0.5 or 1/2."),
    (WEIGHT, "abc", False, "not-a-number", "'abc' is not a number: type a whole number, a decimal or a fraction, "
                                           "such as -3, 0.5 or 1/2."),
    (BIAS, "-5", True, None, "Correct: b1[1] = −5."),
    (BIAS, "-4", False, "arithmetic", "Close: an arithmetic slip: check the signs."),
    (BIAS, "-3", False, None, "Not yet: b1[1] is not −3."),
    (BIAS, "5", False, None, "Not yet: b1[1] is not 5."),
])
def test_backwards_exercise_feedback(exercise, typed, correct, mistake, message):
    feedback = check_missing(exercise, typed)
    assert (feedback.correct, feedback.mistake, feedback.message) == (correct, mistake, message)
    worked_out = "1·2 + (−1)·1 + 1·3 + (−5) = −1"  # once solved, the whole sum of H_z, without ReLU
    if exercise is WEIGHT or exercise is BIAS:
        assert feedback.hint == (worked_out if correct else WEIGHT_TIP if exercise is WEIGHT else BIAS_TIP)
    assert WEIGHT.answer == 1 and WEIGHT.label == "W1[1,3]" and BIAS.answer == -5 and BIAS.label == "b1[1]"


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


def test_blanks_cover_every_unit_of_each_layer_and_no_more():
    rows = {layer: set() for layer in ("H_z", "H", "Y_z", "Y")}
    for seed in range(60):
        exercise = new_exercise(seed, "hard")
        assert exercise.seed == seed and exercise.difficulty == "hard"
        for cell in exercise.blanks:
            rows[cell.layer].add(cell.row)
    _, hidden, outputs, _ = DIFFICULTIES["hard"].sizes
    assert rows["H_z"] == rows["H"] == set(range(hidden))
    assert rows["Y_z"] == rows["Y"] == set(range(outputs))


def test_backwards_exercises_hide_weights_of_nonzero_inputs_and_biases():
    exercises = [new_missing(seed) for seed in range(60)]
    weights = [e for e in exercises if e.name == "W1"]
    for e in weights:
        assert e.state.X[e.col, e.input] != 0  # else the weight could be anything
    assert 0.4 < len(weights) / len(exercises) < 0.95  # both kinds, mostly weights
    assert {e.col for e in exercises if e.name == "b1"} == {0}
