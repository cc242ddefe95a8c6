"""The app as one model: clicked cells, notations, depth, and views that follow the model."""

import html
import io
import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.ui.app import BatchApp, parse_cell
from batchnet_core.ui.heatmap import Highlight

from test_core import HAND_H_Z
from test_ui import (
    cell_texts,
    decode_bytes_png,
    drawing_state,
    drawn_buttons,
    drawn_value_tables,
    outlined,
    tables,
)


def buttons(app) -> dict[str, dict[str, str]]:
    """Every cell button over the heat maps: data-cell → attributes."""
    return drawn_buttons(app.views.widget)


def cells(app) -> dict[str, str]:
    """Every cell button over the heat maps: data-cell → accessible name."""
    return {cell: attrs["aria-label"] for cell, attrs in buttons(app).items()}


def test_every_result_cell_is_a_named_button(worked):
    app = BatchApp(worked)
    buttons = cells(app)
    trace = bn.forward(worked)
    expected = {f"{name},{r},{c}" for name, values in trace.items() for r, c in np.ndindex(values.shape)}
    assert set(buttons) == expected
    assert buttons["H_z,2,1"] == "H_z[h3, x2]; explain"  # the page adds the value on focus (a browser test)
    assert buttons["Y,1,2"] == "Y[y2, x3]; explain"


def test_a_slider_step_does_not_send_the_cells_again(worked):
    app = BatchApp(worked)
    sent = []
    app.views.widget.observe(lambda change: sent.append(change["new"]), ["frame", "buttons"])
    app.entries[("W1", 0, 0)].slider.value = 3
    app.entries[("X", 1, 2)].readout.value = "2.5"
    assert sent == [] and app.state.W1[0, 0] == 3
    app.explain_cell("H,1,2")  # the explained cell moves: they are sent, once
    assert len(sent) == 1 and buttons(app)["H_z,1,2"].get("aria-current") == "true"


def heading(app) -> str:
    return re.search(r"<div class='bn-explain-heading'>([^<]+)</div>", app.explanation.value).group(1)


def test_a_click_explains_the_cell_and_h_and_y_head_their_own_cell_as_relu_of_the_sum(worked):
    app = BatchApp(worked)
    app.page._handle_custom_msg({"cell": "H_z,2,1"}, [])
    assert heading(app) == "H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]"
    app.page._handle_custom_msg({"cell": "H,2,1"}, [])
    assert heading(app) == "H[h3, x2] = ReLU((W1 row h3) · (x2) + b1[h3])"
    app.page._handle_custom_msg({"cell": "Y,1,2"}, [])
    assert heading(app) == "Y[y2, x3] = ReLU((W2 row y2) · (H column x3) + b2[y2])"
    assert "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4" in app.explanation.value
    assert (app.layer_picker.value, app.row_picker.value, app.col_picker.value) == ("Y_z", 1, 2)
    assert buttons(app)["Y_z,1,2"].get("aria-current") == "true"
    assert [cell for cell, attrs in buttons(app).items() if "aria-current" in attrs] == ["Y_z,1,2", "Y,1,2"]
    app.notation_picker.value = "augmented"
    assert heading(app) == "Y[y2, x3] = ReLU(([W2 | b2] row y2) · ([H column x3; 1]))"
    app.layer_picker.value = "H_z"  # the picker names the sums: its cell is headed by its sum
    assert heading(app) == "H_z[h1, x3] = ([W1 | b1] row h1) · ([x3; 1])"


@pytest.mark.parametrize("cell", ["", "H_z,2", "H_z,9,0", "H_z,4,0", "H_z,0,3", "Q,0,0", "H_z,-1,0", "H_z,1,1,1",
                                  "H_z, 1,1", "H_z,\u0661,0", "H_z,0,\u00b2",
                                  "<script>,0,0", "x" * 200, 5, None, ["H_z", 0, 0]])
def test_a_hostile_cell_message_is_refused_with_a_message_and_nothing_changes(worked, cell):
    app = BatchApp(worked)
    shown = app.explanation.value, drawing_state(app.views.widget)
    app.page._handle_custom_msg({"cell": cell}, [])
    assert "That did not work" in app.status.value and "<script>" not in app.status.value
    assert (app.explanation.value, drawing_state(app.views.widget)) == shown
    with pytest.raises(ValueError, match="^a cell as NAME,row,col|^H_z has rows"):
        parse_cell(cell, bn.forward(worked))


def test_messages_that_are_not_cells_are_ignored(worked):
    app = BatchApp(worked)
    shown = app.status.value
    for content in ({"other": 1}, "H_z,0,0", [1, 2]):
        app.page._handle_custom_msg(content, [])
    assert app.status.value == shown


def shown_tables(app) -> dict[str, dict]:
    """Each value table as a person reads it: its caption, column headers, and rows (row header, cells)."""
    return drawn_value_tables(app.views.widget)


def control_grid(controls) -> tuple[str, list[str], list[tuple[str, list[tuple[str, int, int]]]]]:
    """A matrix's controls as a person reads them: the title, the column labels, and each row's label
    with the entries in it (by the model's names: ("W1", unit, input))."""
    title = re.sub("<[^>]+>", "", controls.heading.value)
    header, *cells = controls.grid.children
    columns = re.findall(r"<div class='bn-axis'>([^<]*)</div>", header.value)
    key_of = {id(entry.box): key for key, entry in controls.entries.items()}
    rows = []
    for cell in cells:
        if id(cell) in key_of:
            rows[-1][1].append(key_of[id(cell)])
        else:
            rows.append((re.sub("<[^>]+>", "", cell.value), []))
    return title, columns, rows


def test_rows_draw_every_matrix_transposed_with_the_same_numbers(worked):
    app = BatchApp(worked)
    columns = {key: cell_texts(app.views.widget, key) for key in ("X", "H_z", "Y")}
    before = tables(app)
    app.notation_picker.value = "rows"
    assert app.model.notation == "rows"
    rows = {key: cell_texts(app.views.widget, key) for key in ("X", "H_z", "Y")}
    assert tables(app) == before  # data-values keep the model's orientation, as data-cell names cells
    for key in ("H_z", "Y"):
        assert rows[key].shape != columns[key].shape  # drawn the other way round
        np.testing.assert_array_equal(rows[key], columns[key].T)
    np.testing.assert_array_equal(rows["X"], columns["X"].T)  # 3 × 3: the same shape, its rows and columns swapped
    assert not np.array_equal(rows["X"], columns["X"])
    assert app.views.layout["H_z"].title == "H_z = X·W1ᵀ + b1"
    assert app.views.layout["H_z"].row_labels == ["x1", "x2", "x3"]
    assert "X @ W1.T" in app.code.value


def test_in_rows_every_text_a_learner_reads_speaks_rows(worked):
    """Row x3, column h2 of H_z as rows draw it is the model's cell (h2, x3); hand values from test_core."""
    app = BatchApp(worked)
    app.set_notation("rows")
    # the controls: titled and laid out as the heat maps beside them
    assert control_grid(app.matrix_controls["X"]) == (
        "X: inputs as rows (3 × 3)", ["1", "2", "3"],
        [(f"x{c + 1}", [("X", r, c) for r in range(3)]) for c in range(3)])
    title, labels, grid = control_grid(app.matrix_controls["W1"])
    assert (title, labels) == ("W1ᵀ ; b1 (3 × 4 ; 4)", ["h1", "h2", "h3", "h4"])
    assert grid == [(str(c + 1), [("W1", r, c) for r in range(4)]) for c in range(3)] + [
        ("b1", [("b1", r, 0) for r in range(4)])]
    assert control_grid(app.matrix_controls["W2"])[:2] == ("W2ᵀ ; b2 (4 × 2 ; 2)", ["y1", "y2"])
    # the value tables, as the heat maps draw them
    shown = shown_tables(app)
    assert shown["H_z"]["caption"] == "H_z, 3 × 4" and shown["H_z"]["columns"] == ["h1", "h2", "h3", "h4"]
    assert shown["H_z"]["rows"][2] == ["x3"] + [str(HAND_H_Z[r][2]).replace("-", "−") for r in range(4)]
    assert shown["W1"]["caption"] == "W1ᵀ, 3 × 4" and shown["W1"]["rows"][0] == ["1", "1", "1", "0", "1"]
    assert shown["b1"]["caption"] == "b1, 1 × 4" and shown["b1"]["rows"] == [["b1", "−5", "0", "1", "−2"]]
    assert shown["X"]["caption"] == "X, 3 × 3" and shown["X"]["rows"][0] == ["x1", "2", "1", "3"]
    assert shown["Y"]["caption"] == "Y, 3 × 2" and shown["Y"]["columns"] == ["y1", "y2"]
    assert app.views.widget.tables["relu"]["H"].startswith(
        "ReLU gave 0 at H[x1, h1], H[x2, h1], H[x3, h1], H[x2, h4], H[x3, h4].")
    assert "its weight column and input row" in app.legend.value
    # the cells' buttons and the explanation
    assert cells(app)["H_z,1,2"] == "H_z[x3, h2]; explain"
    app.page._handle_custom_msg({"cell": "H_z,1,2"}, [])
    said = [re.sub("<[^>]+>", "", part) for part in re.findall(r"<div[^>]*>.*?</div>", app.explanation.value)]
    assert said == ["H_z[x3, h2] = (x3) · (W1ᵀ column h2) + b1[h2]", "= [0, 1, 1] · [1, 1, 0] + 0",
                    "0·1 + 1·1 + 1·0 + 0 = 1 → ReLU → 1",
                    "The same column of W1ᵀ and the same bias make column h2 for every input in the batch: "
                    "x1 → 3, x2 → 2, x3 → 1."]
    # and back: the worksheet's own words again
    app.set_notation("columns")
    assert control_grid(app.matrix_controls["X"])[:2] == ("X: inputs as columns (3 × 3)", ["x1", "x2", "x3"])
    assert control_grid(app.matrix_controls["W1"])[0] == "W1 | b1 (4 × 3 | 4)"
    assert shown_tables(app)["H_z"]["caption"] == "H_z, 4 × 3"
    assert "The same row of W1 and the same bias make row h2" in app.explanation.value
    assert "its weight row and input column" in app.legend.value


def test_a_step_through_in_rows_writes_each_product_input_first(worked):
    app = BatchApp(worked)
    app.set_notation("rows")
    texts = []
    for _ in range(6):
        app.steps.next.click()
        texts.append(html.unescape(re.search(r"class='bn-step-sum'>([^<]*)<", app.steps.text.value).group(1)))
    # h1's weights [1, −1, 1] against x1 = [2, 1, 3], bias −5: each input entry first, as x1 · W1ᵀ
    assert texts == ["Multiply each entry of the input's row by the weight in the same place of the column of "
                     "W1ᵀ, then add the bias.", "2·1", "2·1 + 1·(−1)", "2·1 + 1·(−1) + 3·1",
                     "2·1 + 1·(−1) + 3·1 + (−5) = −1", "2·1 + 1·(−1) + 3·1 + (−5) = −1 → ReLU → 0"]
    assert "H_z[x1, h1] = (x1) · (W1ᵀ column h1) + b1[h1]" in app.steps.text.value
    assert "Step 6 of 114: H_z[x1, h1]. 2·1" in app.status.value
    app.set_notation("columns")  # the step shown follows a notation switched while stepping
    assert "H_z[h1, x1] = (W1 row h1) · (x1) + b1[h1]" in app.steps.text.value
    assert "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0" in app.steps.text.value


def test_augmented_labels_the_row_of_1s_as_the_constant_it_is(worked):
    """[X; 1]'s rows are inputs 1, 2, 3 and then the constant 1 that meets b: never a second "1"."""
    app = BatchApp(worked)
    app.notation_picker.value = "augmented"
    layout = app.views.layout
    assert layout["X"].row_labels == ["1", "2", "3", "const"] and layout["X"].faded_rows == (3,)
    assert layout["H"].row_labels == ["h1", "h2", "h3", "h4", "const"]
    assert layout["W1|b1"].col_labels == ["1", "2", "3", "b"]  # the constant row meets the bias column
    for panel in layout.values():
        assert len(set(panel.row_labels)) == len(panel.row_labels), panel.key


def test_a_notation_change_keeps_the_state_and_its_outlines(worked):
    app = BatchApp(worked)
    app.explain_cell("H,3,0")
    app.set_notation("rows")
    assert app.state == worked and app.selection.layer == "H_z" and (app.selection.row, app.selection.col) == (3, 0)
    # the outlined weight row h4 of W1 is a column of W1ᵀ; input x1 is a row of X
    assert outlined(app, "W1|b1") == Highlight(cols=(3,))
    assert outlined(app, "X") == Highlight(rows=(0,))
    assert outlined(app, "H") == Highlight(cells=((0, 3),))
    app.set_notation("columns")
    assert outlined(app, "W1|b1") == Highlight(rows=(3,))


def test_the_model_rolls_back_when_a_view_fails(worked, monkeypatch):
    app = BatchApp(worked)
    shown = drawing_state(app.views.widget), app.explanation.value

    def broken(*arguments):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("batchnet_core.ui.app.code_html", broken)
    app.notation_picker.value = "rows"
    assert "That did not work: simulated failure" in app.status.value
    assert app.model.notation == "columns" and app.notation_picker.value == "columns"
    assert (drawing_state(app.views.widget), app.explanation.value) == shown


def test_step_walks_the_first_dot_product_term_by_term(worked):
    app = BatchApp(worked)
    steps = app.steps
    steps.next.click()
    assert app.model.frame is steps.frames[0] and app.page.stepping
    pending = [name for name, values in bn.forward(worked).items()
               if len(app.views.widget.pictures[name].get("p", [])) == values.size]
    assert pending == ["H_z", "H", "Y_z", "Y"]
    texts = []
    for _ in range(5):
        steps.next.click()
        texts.append(re.search(r"class='bn-step-sum'>([^<]*)<", steps.text.value).group(1))
    # worked out by hand: h1's weights [1, −1, 1] against x1 = [2, 1, 3], bias −5
    assert texts == ["1·2", "1·2 + (−1)·1", "1·2 + (−1)·1 + 1·3", "1·2 + (−1)·1 + 1·3 + (−5) = −1",
                     "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0"]
    assert "Step 6 of 114" in steps.text.value and "H_z[h1, x1]" in app.status.value
    steps.back.click()
    assert steps.position.value == 4 and app.model.frame is steps.frames[4]
    # the sum's frame: input x1's column and entry, h1's row of W1 with its bias b1 (column 3 of W1 | b1)
    light = app.views.step_highlights(app.model.frame)
    assert light["X"] == Highlight(cols=(0,)) and light["W1|b1"] == Highlight(rows=(0,), cells=((0, 3),))
    assert light["H_z"] == light["H"] == Highlight(cells=((0, 0),))


@pytest.mark.parametrize("convention", ["columns", "rows"])
def test_a_step_leaves_every_result_not_reached_empty(worked, convention):
    from test_heatmap_steps import cell, rgb

    from batchnet_core.ui.heatmap import THEMES

    app = BatchApp(worked)
    if convention != "columns":
        app.set_notation(convention)
    for _ in range(5):  # to the sum of H_z[h1, x1]: that one cell of H_z is filled, nothing else
        app.steps.next.click()
    background = rgb(THEMES["light"]["background"])
    exported = app.views.pngs()
    for name in ("H_z", "H", "Y"):
        panel = app.views.panels[name]
        pending = set(app.views.widget.pictures[name].get("p", []))  # drawn empty by the page
        picture = decode_bytes_png(exported[name])  # and in the export
        for r, c in np.ndindex(bn.forward(worked)[name].shape):
            drawn_at = app.views.layout[name].at(r, c)
            empty = not (name == "H_z" and (r, c) == (0, 0))
            assert (drawn_at[0] * panel.shape[1] + drawn_at[1] in pending) == empty, (name, r, c)
            inside = cell(picture, panel, *drawn_at)[2:-2, 2:-2]
            assert (inside == background).all() == empty, (name, r, c)


def test_the_columns_mode_fills_one_input_column_of_a_layer_at_a_time(worked):
    app = BatchApp(worked)
    app.steps.mode.value = "columns"
    app.steps.next.click()
    frame = app.model.frame
    assert frame.stage == "column" and frame.col == 0 and len(app.steps.frames) == 6  # 2 layers × 3 inputs
    assert "[−1, 3, 5, 3] → ReLU → [0, 3, 5, 3]" in app.steps.text.value  # x1 through W1, by hand
    np.testing.assert_array_equal(frame.filled("H"), [[True, False, False]] * 4)


def test_keys_step_play_and_finish_and_a_bad_key_is_refused(worked):
    app = BatchApp(worked)
    send = app.page._handle_custom_msg
    send({"key": "next"}, [])
    send({"key": "next"}, [])
    assert app.steps.position.value == 1
    send({"key": "back"}, [])
    assert app.steps.position.value == 0
    send({"key": "play"}, [])
    assert app.steps.play.playing
    send({"key": "play"}, [])
    assert not app.steps.play.playing
    shown = drawing_state(app.views.widget)
    send({"key": "<b>rm</b>"}, [])
    assert "That did not work" in app.status.value and "<b>rm" not in app.status.value
    assert drawing_state(app.views.widget) == shown
    send({"key": "done"}, [])
    assert app.model.frame is None and not app.page.stepping
    assert drawing_state(app.views.widget) == drawing_state(BatchApp(worked).views.widget)  # everything shown as before


def test_a_slider_moved_while_stepping_keeps_the_step_on_the_new_numbers(worked):
    app = BatchApp(worked)
    for _ in range(5):
        app.steps.next.click()
    app.entries[("b1", 0, 0)].slider.value = -4
    assert app.steps.position.value == 4
    assert app.model.frame.text == "1·2 + (−1)·1 + 1·3 + (−4) = 0"
    app.steps.stop()
    assert app.model.frame is None


def test_the_exports_follow_the_notation(worked):
    import base64

    app = BatchApp(worked)
    app.set_notation("augmented")
    app.share.export()
    found = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.share.downloads.value))
    assert base64.b64decode(found["batchnet.py"]).decode() == worked.to_code(convention="augmented")
    # nn.Linear keeps its bias apart: the augmented page's PyTorch script takes PyTorch's rows
    assert base64.b64decode(found["batchnet_torch.py"]).decode() == worked.to_code(convention="rows",
                                                                                    framework="torch")
    assert base64.b64decode(found["batchnet-worksheet.pdf"]) == bn.worksheet_pdf(
        worked, io.BytesIO(), "augmented").getvalue()
    assert base64.b64decode(found["batchnet-worksheet-key.pdf"]) == bn.worksheet_pdf(
        worked, io.BytesIO(), "augmented", answers=True).getvalue()


def test_the_worksheet_button_downloads_the_sheet_at_once_and_offers_its_key_apart(worked):
    import base64

    app = BatchApp(worked)
    app.share.widget.children[3].children[1].click()
    links = re.findall(r"<a class='bn-download bn-download-pdf( bn-download-now)?' download='([^']+)' "
                       r"href='data:application/pdf;base64,([^']+)'>([^<]+)</a>", app.share.downloads.value)
    assert [(now, name, label) for now, name, _, label in links] == [
        (" bn-download-now", "batchnet-worksheet.pdf", "students' worksheet (PDF)"),
        ("", "batchnet-worksheet-key.pdf", "answer key (PDF)")]
    sheet, key = (base64.b64decode(data) for _, _, data, _ in links)
    assert sheet == bn.worksheet_pdf(worked, io.BytesIO()).getvalue()
    assert key == bn.worksheet_pdf(worked, io.BytesIO(), answers=True).getvalue() != sheet
    assert app.status.value.count("downloading") == 1 and "answer key" in app.status.value


def test_an_exercise_being_made_leaves_only_its_blanks_empty_on_the_worksheet(worked):
    import base64

    app = BatchApp(worked)
    app.author.set_open(True)
    app.author.toggle("Y,1,2")
    app.author.toggle("H_z,0,0")
    app.share.worksheet()
    found = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.share.downloads.value))
    blanks = [bn.Cell("H_z", 0, 0), bn.Cell("Y", 1, 2)]
    sheet = base64.b64decode(found["batchnet-worksheet.pdf"])
    assert sheet == bn.worksheet_pdf(worked, io.BytesIO(), blanks=blanks).getvalue()
    assert sheet != bn.worksheet_pdf(worked, io.BytesIO()).getvalue()
    assert base64.b64decode(found["batchnet-worksheet-key.pdf"]) == bn.worksheet_pdf(
        worked, io.BytesIO(), answers=True, blanks=blanks).getvalue()
    assert "2 blank cells, the exercise's" in html.unescape(app.status.value)
    app.author.set_open(False)  # closed: every result cell is blank again
    app.share.worksheet()
    found = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.share.downloads.value))
    assert base64.b64decode(found["batchnet-worksheet.pdf"]) == bn.worksheet_pdf(worked, io.BytesIO()).getvalue()


def test_versions_make_the_worksheet_a_class_set_and_its_key_answers_each(worked):
    import base64

    app = BatchApp(worked)
    app.share.versions.value = 3
    app.share.worksheet()
    found = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.share.downloads.value))
    assert base64.b64decode(found["batchnet-worksheet.pdf"]) == bn.worksheet_pdf(
        worked, io.BytesIO(), versions=3).getvalue()
    assert base64.b64decode(found["batchnet-worksheet-key.pdf"]) == bn.worksheet_pdf(
        worked, io.BytesIO(), versions=3, answers=True).getvalue()
    assert "3 versions" in app.status.value
    app.share.versions.value = 2
    assert app.share.downloads.value == ""  # the links of 3 versions are gone
    app.share.versions.value = 500  # the box keeps to what a worksheet takes
    assert app.share.versions.value == bn.worksheet.MAX_VERSIONS


def test_a_link_refused_with_a_question_is_told_in_sentences(monkeypatch):
    worked = bn.preset("three-inputs").to_query()
    transposed = worked.replace("W1=1,-1,1;1,1,0;0,1,1;1,0,1", "W1=1,1,0,1;-1,1,1,0;1,0,1,1")
    monkeypatch.setenv("QUERY_STRING", transposed)
    said = html.unescape(BatchApp.from_page().status.value)
    assert "got (3 × 4). Did you mean W1.T? Showing the worked example instead." in said
