"""The app as one model: clicked cells, notations, depth, and views that follow the model."""

import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.ui.app import BatchApp, parse_cell

from test_ui import decode, picture_urls, tables


def cells(app) -> dict[str, str]:
    """Every cell button over the heat maps: data-cell → accessible name."""
    return dict(re.findall(r"data-cell='([^']+)'[^>]*aria-label='([^']+)'", app.views.widget.value))


def test_every_result_cell_is_a_named_button(worked):
    app = BatchApp(worked)
    buttons = cells(app)
    trace = bn.forward(worked)
    expected = {f"{name},{r},{c}" for name, values in trace.items() for r, c in np.ndindex(values.shape)}
    assert set(buttons) == expected
    assert buttons["H_z,2,1"] == "H_z[h3, x2] = 2; explain"  # 0·1 + 1·1 + 1·0 + 1
    assert buttons["Y,1,2"] == "Y[y2, x3] = 4; explain"


def test_a_click_explains_the_cell_and_h_and_y_explain_their_sum(worked):
    app = BatchApp(worked)
    app.page._handle_custom_msg({"cell": "H_z,2,1"}, [])
    first_line = re.search(r"<div class='bn-explain-heading'>([^<]+)</div>", app.explanation.value).group(1)
    assert first_line == "H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]"
    app.page._handle_custom_msg({"cell": "Y,1,2"}, [])
    assert "Y_z[y2, x3] = (W2 row y2) · (H column x3) + b2[y2]" in app.explanation.value
    assert "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4" in app.explanation.value
    assert (app.layer_picker.value, app.row_picker.value, app.col_picker.value) == ("Y_z", 1, 2)
    assert "aria-current='true'" in re.search(r"<button[^>]*data-cell='Y_z,1,2'[^>]*>", app.views.widget.value)[0]


@pytest.mark.parametrize("cell", ["", "H_z,2", "H_z,9,0", "H_z,0,3", "Q,0,0", "H_z,-1,0", "H_z,1,1,1", "H_z, 1,1",
                                  "<script>,0,0", "x" * 200, 5, None, ["H_z", 0, 0]])
def test_a_hostile_cell_message_is_refused_with_a_message_and_nothing_changes(worked, cell):
    app = BatchApp(worked)
    shown = app.explanation.value, app.views.widget.value
    app.page._handle_custom_msg({"cell": cell}, [])
    assert "That did not work" in app.status.value and "<script>" not in app.status.value
    assert (app.explanation.value, app.views.widget.value) == shown
    with pytest.raises(ValueError):
        parse_cell(cell, bn.forward(worked))


def test_messages_that_are_not_cells_are_ignored(worked):
    app = BatchApp(worked)
    shown = app.status.value
    for content in ({"other": 1}, "H_z,0,0", [1, 2]):
        app.page._handle_custom_msg(content, [])
    assert app.status.value == shown


def test_rows_draw_every_matrix_transposed_with_the_same_numbers(worked):
    app = BatchApp(worked)
    columns = {key: decode(url) for key, url in picture_urls(app.views.widget.value).items()}
    before = tables(app)
    app.notation_picker.value = "rows"
    assert app.model.notation == "rows"
    rows = {key: decode(url) for key, url in picture_urls(app.views.widget.value).items()}
    assert tables(app) == before  # the value tables keep the model's orientation
    for key in ("X", "H_z", "Y"):
        assert rows[key].shape != columns[key].shape  # drawn the other way round
    assert app.views.layout["H_z"].title == "H_z = X·W1ᵀ + b1"
    assert app.views.layout["H_z"].row_labels == ["x1", "x2", "x3"]
    assert "X @ W1.T" in app.code.value
    app.page._handle_custom_msg({"cell": "H_z,2,1"}, [])
    assert "H_z[h3, x2] = (x2) · (W1ᵀ column h3) + b1[h3]" in app.explanation.value
    assert "1·0 + 1·1 + 0·1 + 1 = 2" in app.explanation.value  # each product input first: x2 · W1ᵀ column h3


def test_a_notation_change_keeps_the_state_and_its_outlines(worked):
    app = BatchApp(worked)
    app.explain_cell("H,3,0")
    app.set_notation("rows")
    assert app.state == worked and app.selection.layer == "H_z" and (app.selection.row, app.selection.col) == (3, 0)
    # the outlined weight row h4 of W1 is a column of W1ᵀ; input x1 is a row of X
    from batchnet_core.ui.heatmap import Highlight
    assert app.views.panels["W1|b1"]._last_key[-1] == Highlight(cols=(3,))
    assert app.views.panels["X"]._last_key[-1] == Highlight(rows=(0,))
    assert app.views.panels["H"]._last_key[-1] == Highlight(cells=((0, 3),))
    app.set_notation("columns")
    assert app.views.panels["W1|b1"]._last_key[-1] == Highlight(rows=(3,))


def test_the_model_rolls_back_when_a_view_fails(worked, monkeypatch):
    app = BatchApp(worked)
    shown = app.views.widget.value, app.explanation.value

    def broken(*arguments):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("batchnet_core.ui.app.code_html", broken)
    app.notation_picker.value = "rows"
    assert "That did not work: simulated failure" in app.status.value
    assert app.model.notation == "columns" and app.notation_picker.value == "columns"
    assert (app.views.widget.value, app.explanation.value) == shown
