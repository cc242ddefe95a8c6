"""What each notation writes: with inputs as rows, every text a learner reads names rows as rows.

The worked example's numbers are checked by hand (tests/test_core.py): W1's row h2 is [1, 1, 0] with
b1[h2] = 0, and x3 = [0, 1, 1], so H_z[h2, x3] = 0·1 + 1·1 + 1·0 + 0 = 1.
"""

import re

import pytest

import batchnet_core as bn
from batchnet_core.nn.layers import layers_of
from batchnet_core.notation import NOTATIONS

from test_core import HAND_H_Z

ROWS, COLUMNS = NOTATIONS["rows"], NOTATIONS["columns"]
#: a unit named as a row ("row h2", "row y1", "row h1.2"): wrong wherever the units are columns
UNIT_AS_ROW = re.compile(r"\brow [hy]\d")


def test_a_cell_is_named_by_the_row_then_the_column_it_is_drawn_in():
    assert COLUMNS.cell("H_z", "h2", 2) == "H_z[h2, x3]"
    assert ROWS.cell("H_z", "h2", 2) == "H_z[x3, h2]"
    assert ROWS.cell("Y_z", ":", 0) == "Y_z[x1, :]" and COLUMNS.cell("Y_z", ":", 0) == "Y_z[:, x1]"
    assert NOTATIONS["augmented"].cell("H", "h1", 0) == "H[h1, x1]"


def test_the_rows_explanation_of_a_cell_speaks_of_its_column(worked):
    """The cell at row x3, column h2 of H_z as rows draw it."""
    e = bn.explain(worked, "H_z", 1, 2)
    first = layers_of(2)[0]
    assert ROWS.heading(first, 1, 2) == "H_z[x3, h2] = (x3) · (W1ᵀ column h2) + b1[h2]"
    assert ROWS.numbers(e) == "[0, 1, 1] · [1, 1, 0] + 0"  # x3, then W1ᵀ's column h2
    assert ROWS.text(e) == "0·1 + 1·1 + 1·0 + 0 = 1 → ReLU → 1"
    made = ", ".join(f"x{j + 1} → {v}" for j, v in enumerate(HAND_H_Z[1]))
    assert ROWS.across(e, bn.forward(worked).H_z[1]) == (
        f"The same column of W1ᵀ and the same bias make column h2 for every input in the batch: {made}.")
    # the worksheet's own notation is unchanged
    assert COLUMNS.heading(first, 1, 2) == e.heading == "H_z[h2, x3] = (W1 row h2) · (x3) + b1[h2]"
    assert COLUMNS.across(e, bn.forward(worked).H_z[1]) == (
        f"The same row of W1 and the same bias make row h2 for every input in the batch: {made}.")


@pytest.mark.parametrize("sizes", [(3, 4, 2, 3), (2, 3, 3, 2, 4), (4, 1, 5)])
def test_no_rows_text_of_any_cell_names_a_unit_as_a_row(sizes):
    state = bn.random_state(7, sizes)
    trace = bn.forward(state)
    for layer in layers_of(state.depth):
        for r in range(trace[layer.pre].shape[0]):
            for c in range(trace[layer.pre].shape[1]):
                e = bn.explain(state, layer.pre, r, c)
                texts = [ROWS.heading(layer, r, c), ROWS.across(e, trace[layer.pre][r])]
                assert not any(UNIT_AS_ROW.search(text) for text in texts), texts
                assert ROWS.heading(layer, r, c).startswith(f"{layer.pre}[x{c + 1}, {layer.unit_label(r)}] = (")
        assert not UNIT_AS_ROW.search(ROWS.heading(layer, None, 0))


def test_the_worksheets_notation_writes_each_step_as_the_walk_does(worked):
    """One writer of a step's words: in the worksheet's notation they are the walk's own, to the character."""
    for mode in bn.steps.MODES:
        for frame in bn.walk(worked, mode):
            e = None if frame.row is None else bn.explain(worked, frame.pre, frame.row, frame.col)
            assert COLUMNS.step_words(frame, e) == (frame.label, frame.heading, frame.text)


def test_rows_write_each_step_input_first_and_name_the_cell_input_first(worked):
    frames = bn.walk(worked)[:6]  # H_z[h1, x1]: h1's weights [1, −1, 1] meet x1 = [2, 1, 3], bias −5
    words = [ROWS.step_words(f, bn.explain(worked, f.pre, f.row, f.col)) for f in frames]
    assert {label for label, _, _ in words} == {"H_z[x1, h1]"}
    assert {heading for _, heading, _ in words} == {"H_z[x1, h1] = (x1) · (W1ᵀ column h1) + b1[h1]"}
    assert [text for _, _, text in words] == [
        "", "2·1", "2·1 + 1·(−1)", "2·1 + 1·(−1) + 3·1", "2·1 + 1·(−1) + 3·1 + (−5) = −1",
        "2·1 + 1·(−1) + 3·1 + (−5) = −1 → ReLU → 0"]
    last = bn.walk(worked)[-1]
    label, heading, _ = ROWS.step_words(last, bn.explain(worked, last.pre, last.row, last.col))
    assert (label, heading) == ("Y_z[x3, y2]", "Y_z[x3, y2] = (H row x3) · (W2ᵀ column y2) + b2[y2]")
    column = bn.walk(worked, "columns")[4]
    assert ROWS.step_words(column)[:2] == ("Y_z[x2, :]", "Y_z[x2, :] = (H row x2) · W2ᵀ + b2")
    assert "column of W1ᵀ" in ROWS.how_to_start(layers_of(2)[0])
    assert "row" in COLUMNS.how_to_start(layers_of(2)[0])


def test_each_rows_step_ends_on_the_rows_explanation(worked):
    """The sum a step-through ends a cell on is the one the explanation writes, in rows too."""
    for frame in bn.walk(worked):
        if frame.stage in ("sum", "activation"):
            e = bn.explain(worked, frame.pre, frame.row, frame.col)
            _, _, text = ROWS.step_words(frame, e)
            assert text == (ROWS.sum_text(e) if frame.stage == "sum" else ROWS.text(e))


def test_control_titles_give_the_shapes_as_drawn():
    one = bn.preset("one-input")  # 3 inputs, 4 hidden, 2 outputs, a batch of 1: no shape is square
    inputs, hidden, outputs, batch = one.sizes
    first, second = layers_of(2)
    assert COLUMNS.inputs_title(inputs, batch) == "X: inputs as columns (3 × 1)"
    assert ROWS.inputs_title(inputs, batch) == "X: inputs as rows (1 × 3)"
    assert COLUMNS.weights_controls_title(first, hidden, inputs) == "W1 | b1 (4 × 3 | 4)"
    assert ROWS.weights_controls_title(first, hidden, inputs) == "W1ᵀ ; b1 (3 × 4 ; 4)"
    assert ROWS.weights_controls_title(second, outputs, hidden) == "W2ᵀ ; b2 (4 × 2 ; 2)"
    assert NOTATIONS["augmented"].weights_controls_title(first, hidden, inputs) == "[W1 | b1] (4 × 4)"
    assert ROWS.shape(4, 3) == (3, 4) and COLUMNS.shape(4, 3) == (4, 3)
