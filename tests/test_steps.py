"""The step-through: the forward pass one dot product (or one input column) at a time, as a teacher
walks a class through it, agreeing with ``forward`` and ``explain`` at every frame."""

import dataclasses

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.steps import MODES, STAGES, Outline, walk

from test_core import HAND_H, HAND_H_Z

#: States of every depth, whole numbers and decimals: sizes are (inputs, units of each layer..., batch).
STATES = {
    "worked example": bn.preset("three-inputs"),
    "one input": bn.preset("one-input"),
    "depth 1": bn.random_state(1, (2, 3, 2)),
    "depth 2": bn.random_state(2, (3, 4, 2, 3)),
    "depth 2 decimals": bn.random_state(3, (3, 4, 2, 3), integers=False),
    "depth 3": bn.random_state(4, (3, 4, 4, 2, 3)),
    "depth 4 decimals": bn.random_state(5, (2, 3, 5, 2, 3, 4), integers=False),
    "one of everything": bn.random_state(6, (1, 1, 1)),
}


def cell_frames(frames, pre, row, col):
    return [frame for frame in frames if (frame.pre, frame.row, frame.col) == (pre, row, col)]


def filled_cells(frame, depth):
    """Every filled cell of every result, as (name, row, col)."""
    return {(name, int(r), int(c)) for name in bn.result_names(depth) for r, c in np.argwhere(frame.filled(name))}


def test_the_first_cell_of_the_worked_example_frame_by_frame(worked):
    # H_z[h1, x1] = W1 row h1 · x1 + b1[h1] = 1·2 + (−1)·1 + 1·3 + (−5) = −1, then ReLU gives 0
    first = walk(worked)[:6]
    assert [(f.pre, f.post, f.row, f.col) for f in first] == [("H_z", "H", 0, 0)] * 6
    assert [(f.stage, f.term, f.activated) for f in first] == [
        ("choose", None, False), ("term", 0, False), ("term", 1, False), ("term", 2, False),
        ("sum", None, False), ("activation", None, True)]
    assert [f.text for f in first] == [
        "",
        "1·2",
        "1·2 + (−1)·1",
        "1·2 + (−1)·1 + 1·3",
        "1·2 + (−1)·1 + 1·3 + (−5) = −1",
        "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0",
    ]
    assert {f.heading for f in first} == {"H_z[h1, x1] = (W1 row h1) · (x1) + b1[h1]"}
    assert {f.label for f in first} == {"H_z[h1, x1]"}
    # nothing is filled until the sum is written; then H_z[h1, x1] holds −1; then H[h1, x1] holds 0
    assert [filled_cells(f, 2) for f in first] == [set()] * 4 + [{("H_z", 0, 0)}, {("H_z", 0, 0), ("H", 0, 0)}]
    assert first[4].values("H_z")[0, 0] == -1 and np.isnan(first[4].values("H")).all()
    assert first[5].values("H")[0, 0] == 0 and np.isnan(first[5].values("H").ravel()[1:]).all()
    np.testing.assert_array_equal(first[5].pending("H"), ~first[5].filled("H"))
    # lit: row h1 of W1 and b1, column x1 of X, the cell in H_z and H; each product's two factors
    assert first[0].outlines() == {"W1": Outline(rows=(0,)), "b1": Outline(rows=(0,)), "X": Outline(cols=(0,)),
                                   "H_z": Outline(cells=((0, 0),)), "H": Outline(cells=((0, 0),))}
    assert first[2].outlines()["W1"] == Outline(rows=(0,), cells=((0, 1),))  # the −1
    assert first[2].outlines()["X"] == Outline(cols=(0,), cells=((1, 0),))  # times x1's 1
    assert first[4].outlines()["b1"] == Outline(rows=(0,), cells=((0, 0),))  # + (−5)
    assert first[4].outlines()["X"] == Outline(cols=(0,))


def test_the_worked_example_goes_input_by_input_then_to_the_second_layer(worked):
    frames = walk(worked)
    cells = list(dict.fromkeys((f.pre, f.row, f.col) for f in frames))
    assert cells[:5] == [("H_z", 0, 0), ("H_z", 1, 0), ("H_z", 2, 0), ("H_z", 3, 0), ("H_z", 0, 1)]
    assert cells[12:14] == [("Y_z", 0, 0), ("Y_z", 1, 0)] and len(cells) == 4 * 3 + 2 * 3
    # each cell of the first layer takes 3 products + choose, sum, relu; the second layer's 4 products
    assert len(frames) == 4 * 3 * (3 + 3) + 2 * 3 * (4 + 3) == 114
    assert frames[6].text == "" and frames[6].label == "H_z[h2, x1]"
    assert frames[11].text == "1·2 + 1·1 + 0·3 + 0 = 3 → ReLU → 3"
    # the second layer reads H's column: Y_z[y2, x3] = 0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4
    last = cell_frames(frames, "Y_z", 1, 2)
    assert last[0].heading == "Y_z[y2, x3] = (W2 row y2) · (H column x3) + b2[y2]"
    assert last[-1].text == "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4" and last[-1] is frames[-1]
    # when the first layer is done, H_z and H are the worksheet's, and nothing of Y_z yet
    done = frames[4 * 3 * 6 - 1]
    np.testing.assert_array_equal(done.values("H_z"), HAND_H_Z)
    np.testing.assert_array_equal(done.values("H"), HAND_H)
    assert not done.filled("Y_z").any() and not done.filled("Y").any()


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_each_cell_ends_with_explains_text_and_forwards_value(state):
    frames, trace = walk(state), bn.forward(state)
    for layer, (W, _), Z in zip(bn.layers_of(state.depth), state.layers, trace.Z):
        units, inputs = W.shape
        for r, c in np.ndindex(Z.shape):
            cell = cell_frames(frames, layer.pre, r, c)
            e = bn.explain(state, layer.pre, r, c)
            assert [f.stage for f in cell] == ["choose", *["term"] * inputs, "sum", "activation"]
            assert [f.term for f in cell[1:-2]] == list(range(inputs))
            assert cell[-1].text == e.text and cell[-2].text == e.sum_text
            assert cell[-1].text.startswith(cell[-2].text) and all(
                later.text.startswith(earlier.text) for earlier, later in zip(cell[1:-1], cell[2:-1]))
            assert {f.heading for f in cell} == {e.heading} and {f.label for f in cell} == {e.label}
            assert cell[-1].values(layer.pre)[r, c] == e.total and cell[-1].values(layer.post)[r, c] == e.activated
        assert sum(1 for f in frames if f.layer == layer) == Z.size * (inputs + 3)


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_every_frame_fills_one_cell_at_a_time_with_forwards_values(state):
    frames, trace = walk(state), bn.forward(state)
    names = bn.result_names(state.depth)
    before: set = set()
    for frame in frames:
        now = filled_cells(frame, state.depth)
        added = now - before
        assert before <= now  # nothing is emptied
        if frame.stage == "sum":
            assert added == {(frame.pre, frame.row, frame.col)}
        elif frame.stage == "activation":
            assert added == {(frame.post, frame.row, frame.col)} and frame.activated
        else:
            assert not added and not frame.activated
        before = now
    for frame in frames[::7] + frames[-1:]:
        for name in names:
            filled, shown = frame.filled(name), frame.values(name)
            np.testing.assert_allclose(shown[filled], trace[name][filled], rtol=1e-12, atol=1e-12)
            assert np.isnan(shown[~filled]).all()
    last = frames[-1]
    for name in names:
        assert last.filled(name).all() and not last.pending(name).any()
        np.testing.assert_allclose(last.values(name), trace[name], rtol=1e-12, atol=1e-12)


def test_a_whole_number_state_fills_exactly_forwards_numbers():
    state = STATES["depth 3"]
    last, trace = walk(state)[-1], bn.forward(state)
    for name, array in trace.items():
        np.testing.assert_array_equal(last.values(name), array)


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_columns_mode_fills_a_layers_column_per_frame(state):
    columns, cells = walk(state, "columns"), walk(state)
    batch = state.X.shape[1]
    assert len(columns) == state.depth * batch
    assert [(f.layer.index, f.col) for f in columns] == [(k, c) for k in range(1, state.depth + 1)
                                                         for c in range(batch)]
    ends = [f for f in cells if f.stage == "activation" and f.row == f.units - 1]  # the frame ending each column
    trace = bn.forward(state)
    for frame, end in zip(columns, ends, strict=True):
        assert (frame.row, frame.stage, frame.term, frame.activated) == (None, "column", None, True)
        assert (frame.layer, frame.col) == (end.layer, end.col)
        assert filled_cells(frame, state.depth) == filled_cells(end, state.depth)
        assert frame.filled(frame.pre)[:, frame.col].all() and frame.filled(frame.post)[:, frame.col].all()
        assert frame.cells == tuple((r, frame.col) for r in range(frame.units))
        assert frame.label == f"{frame.pre}[:, x{frame.col + 1}]"
        column = [bn.explain(state, frame.pre, r, frame.col) for r in range(frame.units)]
        assert frame.text == (f"[{', '.join(bn.format_number(e.total) for e in column)}] → ReLU → "
                              f"[{', '.join(bn.format_number(e.activated) for e in column)}]")
        np.testing.assert_allclose(frame.values(frame.post)[:, frame.col], trace[frame.post][:, frame.col],
                                   rtol=1e-12, atol=1e-12)


def test_columns_mode_of_the_worked_example(worked):
    columns = walk(worked, "columns")
    assert [f.text for f in columns] == [
        "[−1, 3, 5, 3] → ReLU → [0, 3, 5, 3]", "[−5, 2, 2, −1] → ReLU → [0, 2, 2, 0]",
        "[−5, 1, 3, −1] → ReLU → [0, 1, 3, 0]",
        "[−2, 3] → ReLU → [0, 3]", "[0, 3] → ReLU → [0, 3]", "[−2, 4] → ReLU → [0, 4]"]
    assert columns[4].heading == "Y_z[:, x2] = W2 · (H column x2) + b2"
    assert columns[0].heading == "H_z[:, x1] = W1 · (x1) + b1"
    assert columns[4].outlines() == {"W2": Outline(rows=(0, 1)), "b2": Outline(rows=(0, 1)), "H": Outline(cols=(1,)),
                                     "Y_z": Outline(cols=(1,)), "Y": Outline(cols=(1,))}
    assert columns[1].filled("H").tolist() == [[True, True, False]] * 4


def test_frames_are_immutable_and_share_nothing_a_caller_can_change(worked):
    frames = walk(worked)
    with pytest.raises(dataclasses.FrozenInstanceError):
        frames[0].text = "1"
    mask = frames[-1].filled("H")
    mask[...] = False
    assert frames[-1].filled("H").all()
    values = frames[-1].values("H")
    values[...] = 7
    np.testing.assert_array_equal(frames[-1].values("H"), HAND_H)
    assert walk(worked) == frames  # the same state walks the same frames
    for frame in frames[:7]:  # made without __init__, for speed: every field there, as __init__ would make it
        assert bn.Frame(**{field.name: getattr(frame, field.name) for field in dataclasses.fields(frame)}) == frame
    assert {f.stage for f in frames} | {f.stage for f in walk(worked, "columns")} == set(STAGES)


@pytest.mark.parametrize("args, message", [
    ((bn.preset("three-inputs"), "rows"), "mode must be one of 'cells', 'columns'; got 'rows'"),
    ((bn.preset("three-inputs"), None), "mode must be one of 'cells', 'columns'; got 'None'"),
    ((bn.preset("three-inputs"), ["cells"]), "mode must be one of 'cells', 'columns'; got \"['cells']\""),
    (({"W1": [[1]]}, "cells"), "state must be a State, such as preset('three-inputs'); got dict"),
])
def test_bad_arguments_name_the_argument_and_the_choices(args, message):
    with pytest.raises(ValueError) as error:
        walk(*args)
    assert str(error.value) == message
    assert MODES == ("cells", "columns")


def test_a_frame_names_the_results_it_has(worked):
    frame = walk(worked)[0]
    with pytest.raises(ValueError, match="layer must be one of H_z, H, Y_z, Y; got 'H1'"):
        frame.filled("H1")
    assert walk(STATES["depth 3"])[0].filled("H2_z").shape == (4, 3)
