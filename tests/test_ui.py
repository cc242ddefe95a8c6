"""The app object driven from Python, as a browser would drive it, without a browser."""

import base64
import html
import io
import json
import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.nn.numbers import format_number
from batchnet_core.ui import BatchApp
from batchnet_core.ui.common import status_html
from batchnet_core.ui.controls import WholeSlider
from batchnet_core.ui.heatmap import HeatmapPanel, Highlight
from batchnet_core.ui.kernel import PAGE_ERROR

from test_core import HAND_H_Z, HAND_Y


def tables(app) -> dict:
    """The value tables' data-values as sent to the page, by matrix name."""
    return drawn_tables(app.views.widget)


def drawn_tables(drawing) -> dict:
    """A drawing's value tables' data-values as sent to the page, by matrix name."""
    return {name: json.loads(numbers["d"]) for name, numbers in drawing.tables["values"].items()}


def drawn(drawing) -> dict[str, dict]:
    """What a drawing (``drawing.HeatmapDrawing``) sent the page of each panel, by its class key ("W1b1" for
    the panel W1|b1): its texts, colour indices and marks, its outlines, and the theme it is drawn in."""
    theme = drawing.frame["look"]["theme"]
    return {key: {**picture, "outlines": drawing.outlines.get(key, []), "theme": theme}
            for key, picture in drawing.pictures.items()}


def drawing_state(drawing) -> dict:
    """Everything a drawing has sent the page."""
    return {name: getattr(drawing, name) for name in ("frame", "pictures", "outlines", "tables", "buttons")}


def drawn_value_tables(drawing) -> dict[str, dict]:
    """Each value table as a person reads it, built as the page builds it from what was sent: its caption,
    column headers, and rows (row header, cells)."""
    found = {}
    for panel in drawing.frame["panels"]:
        for spec in panel["tables"]:
            written = drawing.tables["values"][spec["name"]]["w"]
            found[spec["name"]] = {"caption": spec["caption"], "columns": spec["cols"],
                                   "rows": [[label, *row] for label, row in zip(spec["rows"], written)]}
    return found


def drawn_buttons(drawing) -> dict[str, dict[str, str]]:
    """Every cell button over a drawing's heat maps, with the attributes the page gives it from what was
    sent: data-cell → attributes."""
    pressed, found = drawing.buttons, {}
    for panel in drawing.frame["panels"]:
        for data, _, _, label in panel.get("buttons", {}).get("cells", []):
            attrs = {"data-cell": data, "data-label": label, "aria-label": f"{label}; {pressed['action']}"}
            if pressed["blanks"] is None and data in pressed["chosen"]:
                attrs["aria-current"] = "true"
            if pressed["blanks"] is not None:
                attrs["aria-pressed"] = "true" if data in pressed["blanks"] else "false"
                if data in pressed["blanks"]:
                    attrs["data-blank"] = ""
            found[data] = attrs
    return found


def pictures(app) -> dict[str, dict]:
    """Each panel's picture as sent to the page, by its class key."""
    return drawn(app.views.widget)


def cell_texts(drawing, key: str) -> np.ndarray:
    """The numbers a drawing writes in the cells of panel ``key``, as sent (rows × columns)."""
    frame = next(p for p in drawing.frame["panels"] if p["key"] == key)
    return np.array(drawing.pictures[key]["t"]).reshape(len(frame["rows"]), len(frame["cols"]))


def cell_colours(drawing, key: str) -> np.ndarray:
    """The colours a drawing paints the cells of panel ``key`` (rows × columns × RGB): its colour map's own,
    at the indices sent, or a faded row's faded colour, as the page's script reads them from the tables it was
    sent."""
    frame = next(p for p in drawing.frame["panels"] if p["key"] == key)
    look, sent, columns = drawing.frame["look"], drawing.pictures[key], len(frame["cols"])
    colours = [look["faded" if k // columns in sent.get("f", []) else "lut"][i] for k, i in enumerate(sent["c"])]
    return np.array([[int(c[k:k + 2], 16) for k in (1, 3, 5)] for c in colours]).reshape(-1, columns, 3)


def decode_bytes(url: str) -> bytes:
    """A data URL's bytes."""
    return base64.b64decode(url.split(",", 1)[1])


def decode(url: str) -> np.ndarray:
    """A PNG data URL's pixels."""
    return decode_bytes_png(decode_bytes(url))


def decode_bytes_png(png: bytes) -> np.ndarray:
    """A PNG's pixels."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def assert_app_shows(app, state) -> None:
    """Everything the page shows is ``state``: value tables, pictures, controls, code and link."""
    assert app.state == state
    values = tables(app)
    for name, array in {**dict(state.items()), **dict(bn.forward(state).items())}.items():
        assert values[name] == (array[:, None] if array.ndim == 1 else array).tolist(), name
    fresh = BatchApp(state, theme=app.theme)  # drawn from nothing but the state
    assert pictures(app) == pictures(fresh)
    for (name, row, col), entry in app.entries.items():
        array = getattr(state, name)
        assert entry.slider.value == pytest.approx(array[row, col] if array.ndim == 2 else array[row], abs=0.5)
    assert app.code.value == fresh.code.value
    assert app.share.link.value == fresh.share.link.value


def button(app, name: str):
    """The app's button with the DOM class ``bn-button-<name>``."""
    found, todo = [], [app.widget]
    while todo:
        widget = todo.pop()
        todo.extend(getattr(widget, "children", ()))
        if f"bn-button-{name}" in widget._dom_classes:
            found.append(widget)
    assert len(found) == 1, name
    return found[0]


@pytest.fixture
def app():
    return BatchApp()


def test_one_control_per_entry_with_the_dom_classes(app):
    assert len(app.entries) == 35
    box = app.entries[("X", 2, 1)].box
    assert {"bn-control", "bn-X-2-1"} <= set(box._dom_classes)
    assert app.entries[("b1", 3, 0)].readout.value == "−2"


@pytest.mark.parametrize("sizes, words", [((1, 1, 1, 1), "X 1 × 1 (1 input of 1 number, as a column)"),
                                          ((2, 4, 2, 3), "X 2 × 3 (3 inputs of 2 numbers, each as a column)"),
                                          ((3, 1, 1, 1), "X 3 × 1 (1 input of 3 numbers, as a column)"),
                                          ((1, 2, 1, 2), "X 1 × 2 (2 inputs of 1 number, each as a column)")])
def test_the_summary_counts_inputs_and_numbers_in_good_english(sizes, words):
    summary = BatchApp(bn.random_state(1, sizes)).summary.value
    assert summary.startswith(f"<div class='bn-summary'><b>Shapes</b>: {words} · W1 ")


def test_the_summary_gives_the_shapes_of_the_notation_shown():
    app = BatchApp(bn.random_state(1, (2, 4, 2, 3)))
    app.set_notation("rows")
    assert app.summary.value == ("<div class='bn-summary'><b>Shapes</b>: X 3 × 2 (3 inputs of 2 numbers, each as a "
                                 "row) · W1 4 × 2 · b1 4 · W2 2 × 4 · b2 2 · H 3 × 4 · Y 3 × 2. "
                                 "<b>22 parameters</b> = 4·(2+1) + 2·(4+1).</div>")


def test_value_tables_hold_every_matrix(app):
    values = tables(app)
    assert set(values) == {"X", "W1", "b1", "W2", "b2", "H_z", "H", "Y_z", "Y"}
    assert values["H_z"] == HAND_H_Z and values["Y"] == HAND_Y
    assert values["b1"] == [[-5], [0], [1], [-2]]


def test_moving_a_slider_recomputes_every_result(app):
    app.entries[("W2", 1, 3)].slider.value = 1
    expected = bn.forward(bn.preset("three-inputs").with_entry("W2", 1, 3, 1))
    for name, array in expected.items():
        assert tables(app)[name] == array.tolist()
    assert app.entries[("W2", 1, 3)].readout.value == "1"
    assert app.status.value == "W2[2,4] = 1"


def test_a_typed_value_is_kept_exactly_even_off_the_slider_grid(app):
    entry = app.entries[("X", 0, 0)]
    entry.readout.value = " 1/4 "
    assert app.state.X[0, 0] == 0.25
    assert entry.slider.value == 0  # step 1: the slider shows the nearest whole number
    assert entry.readout.value == "0.25"
    entry.slider.value = 0.0  # the browser's snapped echo of that slider position
    assert app.state.X[0, 0] == 0.25


@pytest.mark.parametrize(
    "typed, message",
    [("abc", "x1[1]: 'abc' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2. "
             "It stays 2."),
     ("2e6", "x1[1]: '2e6' is out of range; enter a number from −1000000 to 1000000. It stays 2."),
     (" −1000000.5 ", "x1[1]: '−1000000.5' is out of range; enter a number from −1000000 to 1000000. It stays 2."),
     ("1e999", "x1[1]: '1e999' is too large to compute with: type a smaller number. It stays 2."),
     ("", "x1[1]: nothing was typed: enter a number such as -3 or 0.5. It stays 2.")],
)
def test_bad_typed_values_are_refused_with_a_message_next_to_the_box(app, typed, message):
    renders = app.views.renders
    entry = app.entries[("X", 0, 0)]
    entry.readout.value = typed
    alert = f"<span class='bn-error' role='alert'>{html.escape(message)}</span>"
    assert app.status.value == alert
    beside = app.matrix_controls["X"].error
    # the same words beside the box, not a second alert: a screen reader hears it once
    assert beside.value == f"<span class='bn-error'>{html.escape(message)}</span>"
    assert beside.layout.display is None and "bn-entry-error" in beside._dom_classes
    assert "bn-invalid-box" in entry.box._dom_classes
    assert app.state == bn.preset("three-inputs")
    assert entry.readout.value == "2"  # the box shows the state; the message quotes what was typed
    assert app.views.renders == renders


def test_the_message_next_to_a_box_stays_until_its_matrix_changes(app):
    entry, other = app.entries[("W1", 1, 1)], app.entries[("W1", 0, 2)]
    entry.readout.value = "abc"
    beside = app.matrix_controls["W1"].error
    app.entries[("X", 0, 0)].slider.value = 3  # another matrix: the message stays
    assert "&#x27;abc&#x27; is not a number" in beside.value and "bn-invalid-box" in entry.box._dom_classes
    assert app.status.value == "x1[1] = 3"
    assert app.matrix_controls["X"].error.value == "" and app.matrix_controls["X"].error.layout.display == "none"
    other.readout.value = "2"  # a good change of W1: message and mark go
    assert beside.value == "" and beside.layout.display == "none"
    assert "bn-invalid-box" not in entry.box._dom_classes
    entry.readout.value = "1e7"
    entry.slider.value = 4  # the refused box itself, moved to a good value
    assert app.state.W1[1, 1] == 4 and beside.value == "" and "bn-invalid-box" not in entry.box._dom_classes


@pytest.mark.parametrize("typed, value", [("50", 50), ("-1e6", -1e6), ("1E3", 1000), ("−2.5e−1", -0.25),
                                          ("2.5e1", 25)])
def test_a_typed_value_beyond_the_slider_is_kept_and_the_slider_rests_at_its_end(app, typed, value):
    entry = app.entries[("X", 0, 0)]
    entry.readout.value = typed
    assert app.state.X[0, 0] == value and "bn-error" not in app.status.value
    end = max(min(value, 10.0), -10.0) if abs(value) >= 10 else round(value)
    assert entry.slider.value == end
    assert entry.readout.value == bn.format_number(value)
    entry.slider.value = 0.0 if end else 1.0  # the slider elsewhere for a moment ...
    entry.slider.value = end  # ... and back at the clamped position: a person's two moves
    assert app.state.X[0, 0] == end


def test_the_browsers_clamp_of_a_large_typed_value_is_no_change(app):
    entry = app.entries[("W2", 0, 1)]
    entry.readout.value = "50"
    assert entry.slider.value == 10 and app.state.W2[0, 1] == 50
    renders = app.views.renders
    entry.slider.set_state({"value": 10.0})  # the page's slider, clamped at its end, sends its value
    entry.slider.value = 10.0
    assert app.state.W2[0, 1] == 50 and app.views.renders == renders
    entry.slider.value = 9.0  # the person moves it
    assert app.state.W2[0, 1] == 9 and app.status.value == "W2[1,2] = 9"


def test_snapping_echoes_cause_no_redraw(app):
    app.step_picker.value = 0.1
    app.load(bn.random_state(4, integers=False))
    renders = app.views.renders
    for entry in app.entries.values():
        # the browser snaps to its step grid in floating point and sends the result back:
        # 0.3 comes back as 3 * 0.1 = 0.30000000000000004
        step = entry.slider.step
        entry.slider.value = round(entry.slider.value / step) * step
    assert app.views.renders == renders
    assert app.state == bn.random_state(4, integers=False)


def test_loading_a_state_redraws_each_panel_at_most_once(app):
    renders = app.views.renders
    app.load(bn.random_state(2))
    assert 0 < app.views.renders - renders <= 7
    assert tables(app)["X"] == bn.random_state(2).X.tolist()
    assert app.entries[("W1", 0, 0)].slider.value == bn.random_state(2).W1[0, 0]


def test_a_change_redraws_only_the_panels_it_changes(app):
    renders = app.views.renders
    app.entries[("b2", 1, 0)].slider.value = 2  # second layer only: W2|b2, Y_z, Y
    assert app.views.renders - renders == 3


def test_random_buttons_and_reset(app):
    button(app, "random-integers").click()
    assert_app_shows(app, bn.random_state(1, (3, 4, 2, 3)))
    assert app.status.value == "Random integers, seed 1."
    button(app, "random-decimals").click()
    assert_app_shows(app, bn.random_state(2, (3, 4, 2, 3), integers=False))
    assert app.status.value == "Random decimals, seed 2."
    button(app, "reset").click()
    assert_app_shows(app, bn.preset("three-inputs"))


@pytest.mark.parametrize("name", list(bn.PRESETS))
def test_loading_a_preset_shows_it_everywhere(app, name):
    app.entries[("b2", 0, 0)].slider.value = 3  # a change first: the preset must replace it
    app.preset_picker.value = name
    button(app, "load").click()
    assert_app_shows(app, bn.preset(name))
    assert app.status.value == f"Loaded the preset {name}."


def test_a_preset_of_another_size_rebuilds_the_controls(app):
    app.preset_picker.value = "one-input"
    button(app, "load").click()
    assert len(app.entries) == 35 - 6
    assert tables(app)["Y"] == [[0], [3]]
    assert app.col_picker.options == (("x1", 0),)
    assert_app_shows(app, bn.preset("one-input"))


def test_explanation_follows_the_selection(app):
    assert "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0" in app.explanation.value
    app.layer_picker.value = "Y_z"
    app.row_picker.value = 1
    app.col_picker.value = 2
    assert "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4" in app.explanation.value
    assert "x1 → 3, x2 → 3, x3 → 4" in app.explanation.value
    assert outlined(app, "W2|b2") == Highlight(rows=(1,))


def test_code_view_reproduces_the_state(app):
    app.entries[("b1", 0, 0)].slider.value = 0
    namespace = {}
    code = html.unescape(re.fullmatch(r"<pre[^>]*>(.*)</pre>", app.code.value, re.S).group(1))
    exec(code.replace("print(", "str("), namespace)
    np.testing.assert_array_equal(namespace["H"], bn.forward(app.state).H)


def test_a_failing_callback_shows_a_message_and_keeps_the_state(app, monkeypatch):
    def broken(state):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("batchnet_core.ui.model.forward", broken)
    app.entries[("W1", 0, 0)].slider.value = 3
    assert "That did not work: simulated failure" in app.status.value
    assert app.state == bn.preset("three-inputs")
    assert app.entries[("W1", 0, 0)].slider.value == 1 and app.entries[("W1", 0, 0)].readout.value == "1"
    assert tables(app)["W1"][0][0] == 1


def page_message(**state) -> dict:
    """A widget ``update`` message as a page sends it (forged or not)."""
    return {"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []}


@pytest.mark.parametrize("control, state", [("preset_picker", {"index": 99}), ("step_picker", {"index": -1}),
                                            ("slider", {"value": "abc"}), ("slider", {"value": None}),
                                            ("slider", {"value": [1, 2]}), ("readout", {"value": 5})])
def test_a_page_message_of_the_wrong_type_is_logged_and_told_in_words(app, caplog, control, state):
    """What ipywidgets would have shown as a traceback to the page (``showtraceback``)."""
    entry = app.entries[("W1", 0, 0)]
    widget = getattr(entry if control in ("slider", "readout") else app, control)
    before = widget.get_state()
    widget._handle_msg(page_message(**state))
    assert app.status.value == status_html(PAGE_ERROR, error=True)
    assert widget.get_state() == before and app.state == bn.preset("three-inputs")
    [record] = [r for r in caplog.records if r.name == "batchnet_core.ui.kernel"]
    assert record.levelname == "ERROR" and record.exc_info is not None
    entry.slider._handle_msg(page_message(value=2.0))  # the page still works
    assert app.status.value == "W1[1,1] = 2" and tables(app)["Y"] == bn.forward(
        bn.preset("three-inputs").with_entry("W1", 0, 0, 2))["Y"].tolist()


def test_a_failing_click_callback_is_logged_and_told_in_words(app, caplog):
    def broken(_):
        raise RuntimeError("simulated failure")

    load = button(app, "load")
    load.on_click(broken)
    load._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []})
    assert app.status.value == status_html(PAGE_ERROR, error=True)
    assert "simulated failure" in caplog.text


@pytest.mark.parametrize("step", [0, -1, 1e-300, "nan", 0.2])
def test_a_forged_slider_step_is_refused_and_the_slider_keeps_its_step(app, step):
    app.step_picker.value = 0.5
    slider = app.entries[("W1", 0, 0)].slider
    slider._handle_msg(page_message(step=step))
    assert slider.step == 0.5
    assert app.status.value == status_html(PAGE_ERROR, error=True)
    slider._handle_msg(page_message(value=1.5))  # it moves as before: no ZeroDivisionError
    assert app.state.W1[0, 0] == 1.5 and app.status.value == "W1[1,1] = 1.5"


def test_size_and_step_sliders_keep_a_step_of_one():
    slider = WholeSlider(min=0, max=4)
    slider.set_state({"step": 0})
    assert slider.step == 1


def test_a_view_failing_to_compute_leaves_the_page_on_the_last_state(app, monkeypatch):
    def broken(*arguments):
        raise RuntimeError("simulated failure")

    sent = pictures(app), tables(app)
    monkeypatch.setattr("batchnet_core.ui.app.code_html", broken)
    app.entries[("W1", 0, 0)].slider.value = 3
    assert "That did not work: simulated failure" in app.status.value
    assert app.state == bn.preset("three-inputs") and (pictures(app), tables(app)) == sent
    assert app.entries[("W1", 0, 0)].slider.value == 1
    monkeypatch.undo()
    app.entries[("W1", 0, 0)].slider.value = 3  # the same move again is drawn and sent in full
    assert tables(app)["W1"][0][0] == 3 and tables(app)["H_z"] == bn.forward(app.state).H_z.tolist()


def test_layers_share_one_colour_scale_and_relu_zeros_are_marked(app):
    from batchnet_core.ui.heatmap import colour_indices

    sent = app.views.widget.pictures
    trace = bn.forward(app.state)
    for name, vmax in (("H_z", 5), ("H", 5), ("Y_z", 4), ("Y", 4)):  # sums and their ReLU on one scale
        assert sent[name]["c"] == colour_indices(trace[name], vmax).ravel().tolist(), name
    assert sent["H"]["t"] == [format_number(v) for v in trace.H.ravel()]
    np.testing.assert_array_equal(hatched(app, "H"), np.array(HAND_H_Z) <= 0)
    assert sent["H"]["n"] == ["off", "", "", ""]


def hatched(app, name: str) -> np.ndarray:
    """The cells the panel ``name`` is drawn with hatched, as sent to the page."""
    shape = app.views.panels[name].shape
    mask = np.zeros(shape[0] * shape[1], bool)
    mask[app.views.widget.pictures[name.replace("|", "")].get("z", [])] = True
    return mask.reshape(shape)


def outlined(app, name: str) -> Highlight:
    """What the panel ``name`` outlines, as sent to the page: its boxes read back as rows, columns and cells."""
    panel = app.views.panels[name]
    boxes = [tuple(box) for box in app.views.widget.outlines.get(name.replace("|", ""), [])]
    rows, cols = panel.shape
    candidates = {**{("rows", r): Highlight(rows=(r,)) for r in range(rows)},
                  **{("cols", c): Highlight(cols=(c,)) for c in range(cols)},
                  **{("cells", r, c): Highlight(cells=((r, c),)) for r in range(rows) for c in range(cols)}}
    found = {kind: [] for kind in ("rows", "cols", "cells")}
    for key, light in candidates.items():
        if panel._outline_boxes(light)[0] in boxes:
            found[key[0]].append(key[1] if len(key) == 2 else key[1:])
    return Highlight(rows=tuple(found["rows"]), cols=tuple(found["cols"]), cells=tuple(found["cells"]))


def test_a_sum_of_exactly_0_is_hatched_in_h_and_in_y():
    app = BatchApp()  # the worked example: Y_z[y1, x2] = 0 + 2 − 2 + 0 = 0
    np.testing.assert_array_equal(hatched(app, "Y"), [[True, True, True], [False, False, False]])
    app.entries[("b1", 1, 0)].readout.value = "-1"  # H_z row h2: 3 − 1, 2 − 1, 1 − 1 = 0
    assert app.trace.H_z[1].tolist() == [2, 1, 0]
    np.testing.assert_array_equal(hatched(app, "H"), [[True, True, True], [False, False, True],
                                                      [False, False, False], [False, True, True]])
    np.testing.assert_array_equal(hatched(app, "H"), bn.relu_zeroed(app.trace.H_z))


def test_a_panel_sends_nothing_when_nothing_changed():
    panel = HeatmapPanel("T", ["a", "b"], ["x", "y"])
    values = np.array([[1.0, -2.0], [0.5, 0.0]])
    first = panel.render(values, 2.0)
    assert first.startswith(b"\x89PNG")
    assert panel.render(values, 2.0) is None
    assert panel.render(values, 3.0) != first


@pytest.mark.parametrize("query, theme", [("theme=dark", "dark"), ("theme=dark&preset=one-input", "dark"),
                                          ("", "light"), ("theme=light", "light")])
def test_theme_comes_from_the_page_query(monkeypatch, query, theme):

    from batchnet_core.ui.heatmap import THEMES

    monkeypatch.setenv("QUERY_STRING", query)
    app = BatchApp.from_page()
    assert app.theme == theme
    background = np.array([int(THEMES[theme]["background"][i:i + 2], 16) for i in (1, 3, 5)])
    assert app.views.widget.frame["look"]["theme"] == theme  # every panel is drawn in the page's colours
    for name, png in app.views.pngs().items():  # and exported so
        np.testing.assert_array_equal(decode_bytes_png(png)[0, 0], background, err_msg=name)
    assert_app_shows(app, app.state)
    assert ("theme=dark" in app.share.link.value) == (theme == "dark")


def upload(app, name: str, data: bytes) -> None:
    import datetime

    app.share.upload.value = ({"name": name, "content": memoryview(data), "size": len(data),
                               "type": "application/json", "last_modified": datetime.datetime.now()},)


def test_uploading_a_state_file(app):
    upload(app, "ok.json", json.dumps(bn.random_state(3).to_dict()).encode())
    assert_app_shows(app, bn.random_state(3))
    assert app.status.value == "Opened ok.json."
    assert app.share.upload.value == ()


@pytest.mark.parametrize(
    "data, message",
    [(b"{nope", "bad.json: not a JSON file (Expecting property name"),
     (json.dumps({"W1": [[1]]}).encode(), "bad.json: a state needs exactly the keys W1, b1, X: missing b1, X"),
     (b"x" * 200_000, "bad.json is 200,000 bytes; a state file is at most 100,000"),
     (b'{"W1": [[1]], "b1": [0], "b1": [5], "X": [[1]]}',
      "bad.json: the key 'b1' appears twice; give each key once. The current state is kept."),
     (b'{"W1": [[1]], "b1": [0], "X": [[' + b"7" * 5000 + b']]}',
      "bad.json: X row 1: a number written with 5,000 characters (at most 40); every entry must be between "
      "-1,000,000 and 1,000,000. The current state is kept.")],
)
def test_a_bad_state_file_is_refused_and_the_state_kept(app, data, message):
    upload(app, "bad.json", data)
    assert message in html.unescape(app.status.value) and "bn-error" in app.status.value
    assert "sys.set_int_max_str_digits" not in app.status.value
    assert app.state == bn.preset("three-inputs")


def test_a_state_file_with_a_byte_order_mark_is_opened(app):
    upload(app, "bom.json", json.dumps(bn.random_state(4).to_dict()).encode("utf-8-sig"))
    assert app.status.value == "Opened bom.json."
    assert_app_shows(app, bn.random_state(4))


PAYLOAD = "\"><img src=x onerror=\"window.__xss=1\"><script>alert(1)</script>"


def markup(fragment: str) -> list[tuple[str, list]]:
    """The elements in an HTML fragment, with their attributes."""
    from html.parser import HTMLParser

    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append((tag, attrs))
    parser.feed(fragment)
    return found


@pytest.mark.parametrize("source", ["preset", "x1", "seed", "typed", "upload name"])
def test_what_a_visitor_sends_reaches_the_status_line_as_text(monkeypatch, source):
    from urllib.parse import quote

    queries = {"preset": f"preset={quote(PAYLOAD)}", "seed": f"seed={quote(PAYLOAD)}",
               "x1": re.sub(r"x1=[^&]*", f"x1={quote(PAYLOAD)}", bn.preset("three-inputs").to_query())}
    monkeypatch.setenv("QUERY_STRING", queries.get(source, ""))
    app = BatchApp.from_page()
    if source == "typed":
        app.entries[("X", 0, 0)].readout.value = PAYLOAD
    elif source == "upload name":
        upload(app, PAYLOAD, b"{nope")
    assert "bn-error" in app.status.value
    assert markup(app.status.value) == [("span", [("class", "bn-error"), ("role", "alert")])]
    assert PAYLOAD[:20] in html.unescape(app.status.value)  # shown, as text


def test_export_offers_every_format_and_a_link_reproduces_the_state(app):
    import base64

    app.entries[("b2", 0, 0)].readout.value = "0.5"
    app.share.export()
    links = re.findall(r"<a class='bn-download bn-download-(\w+)' download='([^']+)' href='data:([^;]+);base64,"
                       r"([^']+)'>([^<]+)</a>", app.share.downloads.value)
    assert [(kind, name, mime, label) for kind, name, mime, _, label in links] == [
        ("json", "batchnet-state.json", "application/json", "state (JSON)"),
        ("csv", "batchnet-matrices.csv", "text/csv", "all matrices (CSV)"),
        ("py", "batchnet.py", "text/x-python", "numpy script (.py)"),
        ("torch", "batchnet_torch.py", "text/x-python", "PyTorch script (.py)"),
        ("pdf", "batchnet-worksheet.pdf", "application/pdf", "students' worksheet (PDF)"),
        ("pdf", "batchnet-worksheet-key.pdf", "application/pdf", "answer key (PDF)"),
        ("png", "batchnet-heatmaps.png", "image/png", "heat maps (PNG)")]
    assert app.share.downloads.value.startswith("Download: ") and app.share.downloads.value.count(" · ") == 6
    assert app.status.value == "Downloads ready below the Share heading."
    found = {name: data for _, name, _, data, _ in links}
    assert bn.State.from_dict(json.loads(base64.b64decode(found["batchnet-state.json"]))) == app.state
    assert "b2,1,1,0.5" in base64.b64decode(found["batchnet-matrices.csv"]).decode()
    assert base64.b64decode(found["batchnet.py"]).decode() == app.state.to_code()
    assert base64.b64decode(found["batchnet_torch.py"]).decode() == app.state.to_code(framework="torch")
    pdf = base64.b64decode(found["batchnet-worksheet.pdf"])
    assert pdf.startswith(b"%PDF") and pdf == bn.worksheet_pdf(app.state, io.BytesIO()).getvalue()
    assert base64.b64decode(found["batchnet-worksheet-key.pdf"]) == bn.worksheet_pdf(
        app.state, io.BytesIO(), answers=True).getvalue()
    assert_sheet_holds_every_panel(app, base64.b64decode(found["batchnet-heatmaps.png"]))
    link = re.search(r"href='\?([^']+)'", app.share.link.value).group(1).replace("&amp;", "&")
    assert bn.State.from_query(link) == app.state
    app.entries[("b2", 0, 0)].readout.value = "1"
    assert app.share.downloads.value == ""  # no stale downloads


@pytest.mark.parametrize(
    "query, expected, message",
    [("preset=one-input", bn.preset("one-input"), None),
     (bn.random_state(5).to_query() + "&theme=dark", bn.random_state(5), None),
     ("token=abc&preset=one-input&theme=light", bn.preset("one-input"), None),  # the server's token is no error
     ("present=1&preset=one-input", bn.preset("one-input"), None),  # presenter mode is no error either
     ("present=yes&preset=one-input", bn.preset("three-inputs"),
      "The link could not be used: present must be 1 (presenter mode): write present=1, or remove present= from the "
      "link; got 'yes'. Showing the worked example instead."),
     ("W1=1&b1=0&W2=1&b2=0&x1=1e999", bn.preset("three-inputs"), "The link could not be used: X[0, 0] is inf"),
     ("x1=" + "9," * 30_000, bn.preset("three-inputs"), "The link could not be used: the link is too long"),
     ("preset=../../etc", bn.preset("three-inputs"), "unknown preset '../../etc'"),
     ("seed=7", bn.random_state(7), None),
     ("seed=%C2%B2", bn.preset("three-inputs"),
      "seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '²')"),
     ("seed=%D9%A3", bn.preset("three-inputs"), "seed must be a whole number from 0 to 1,000,000,000 in digits 0-9"),
     ("seed=3&seed=4", bn.preset("three-inputs"),
      "The link could not be used: seed appears twice in the link; give it once. Showing the worked example instead."),
     (bn.preset("three-inputs").to_query().replace("x1=2,1,3", "x1=2,1,3&x17=2,1,3") + "&theme=dark",
      bn.preset("three-inputs"), "The link could not be used: x17: a batch holds at most 16 inputs (x1 to x16)."),
     (bn.random_state(5).to_query() + "&W5=1&b5=1", bn.preset("three-inputs"),
      "The link could not be used: W5: a network has at most 4 layers (W1, b1 to W4, b4); b5: a network"),
     (bn.random_state(5).to_query().replace("x1=", "x1=1_0,"), bn.preset("three-inputs"),
      "The link could not be used: x1: '1_0' is not a number; write digits 0-9"),
     (bn.random_state(5).to_query().replace("W1=", "W1=%D9%A1,"), bn.preset("three-inputs"),
      "The link could not be used: W1 row 1: '١' is not a number; write digits 0-9"),
     ("sed=7", bn.preset("three-inputs"), "The link could not be used: 'sed' is not a parameter of this page's link"),
     ("seed=99999999999", bn.preset("three-inputs"), "seed must be a whole number from 0 to 1,000,000,000")],
)
def test_the_page_link_sets_the_starting_state(monkeypatch, query, expected, message):
    monkeypatch.setenv("QUERY_STRING", query)
    app = BatchApp.from_page()
    assert app.initial == expected
    assert_app_shows(app, expected)
    if message:
        assert message in html.unescape(app.status.value) and "bn-error" in app.status.value
    elif "seed" in query:
        assert app.status.value == "Random integers, seed 7."
    else:
        assert app.status.value == "Move any slider, or type a value into the box above it and press Enter."


def assert_sheet_holds_every_panel(app, png: bytes) -> None:
    """The exported sheet: every panel's picture, at its place in the worksheet's staircase, on the
    page's background."""
    from PIL import Image

    from batchnet_core.ui.heatmap import THEMES

    places = {key: panel.place for key, panel in app.views.layout.items()}
    sheet = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    panels = {name: np.asarray(Image.open(io.BytesIO(data)).convert("RGB")) for name, data in app.views.pngs().items()}
    widths = [max(p.shape[1] for n, p in panels.items() if places[n][1] == col) for col in range(3)]
    heights = [max(p.shape[0] for n, p in panels.items() if places[n][0] == row) for row in range(app.state.depth + 1)]
    assert sheet.shape[:2] == (sum(heights), sum(widths))
    for name, picture in panels.items():
        row, col = places[name]
        top, left = sum(heights[:row]), sum(widths[:col])
        np.testing.assert_array_equal(sheet[top:top + picture.shape[0], left:left + picture.shape[1]], picture,
                                      err_msg=name)
    background = [int(THEMES[app.theme]["background"][i:i + 2], 16) for i in (1, 3, 5)]
    np.testing.assert_array_equal(sheet[0, 0], background)  # above W1 | b1, left of X: no panel


def test_a_dark_export_sheet_is_dark():
    import base64

    app = BatchApp(theme="dark")
    app.share.export()
    sheet = re.search(r"download='batchnet-heatmaps.png' href='data:image/png;base64,([^']+)'",
                      app.share.downloads.value).group(1)
    assert_sheet_holds_every_panel(app, base64.b64decode(sheet))


def test_a_playground_size_slider_resizes_keeping_what_fits():
    from batchnet_core.ui.playground import Playground

    playground = Playground()
    before = playground.app.state
    playground.size_sliders["batch"].value = 5
    state = playground.app.state
    assert state.sizes == (3, 4, 2, 5)
    np.testing.assert_array_equal(state.X[:, :3], before.X)
    assert state.W1.tolist() == before.W1.tolist()
    assert_app_shows(playground.app, state)
    assert playground.app.status.value == ("2 layers, sizes (inputs, units of each layer, batch) = (3, 4, 2, 5); "
                                           "entries that still fit were kept, new ones are random (seed 0).")
    assert [(s.description, s.min, s.max, s.continuous_update) for s in playground.size_sliders.values()] == [
        ("layers", 1, 4, False)] + [(name, 1, 8, False) for name in ("inputs", "hidden", "outputs", "batch")]


def test_a_size_and_back_keeps_the_seed_and_gives_the_same_network():
    from batchnet_core.ui.playground import Playground

    playground = Playground()
    playground.app.seed = 2  # as after Random integers twice
    start = playground.app.state
    for value in (4, 5, 6, 5, 4, 3):  # arrow keys, one value at a time
        playground.size_sliders["inputs"].value = value
        assert playground.app.seed == 2 and "(seed 2)" in playground.app.status.value
        assert playground.app.state.sizes[0] == value
    assert playground.app.state == start
    playground.size_sliders["inputs"].value = 6
    six = playground.app.state
    assert six == bn.resize(start, (6, 4, 2, 3), seed=2)
    playground.size_sliders["hidden"].value = 2  # h3 and h4 go; coming back, they are the seed's
    playground.size_sliders["hidden"].value = 4
    regrown = playground.app.state
    assert regrown == bn.resize(bn.resize(six, (6, 2, 2, 3), seed=2), (6, 4, 2, 3), seed=2)
    np.testing.assert_array_equal(regrown.W1[:2], six.W1[:2])
    playground.size_sliders["hidden"].value = 2
    playground.size_sliders["hidden"].value = 4
    assert playground.app.state == regrown


def test_the_size_sliders_follow_a_state_of_other_sizes_however_it_comes():
    from batchnet_core.ui.playground import Playground

    playground = Playground()
    playground.app.preset_picker.value = "one-input"
    button(playground.app, "load").click()
    assert playground.app.state.sizes == (3, 4, 2, 1)
    assert [slider.value for slider in playground.size_sliders.values()] == [2, 3, 4, 2, 1]
    assert playground.app.status.value == "Loaded the preset one-input."  # following is no resize
    playground.show(bn.random_state(1, (2, 3, 3)))
    assert [slider.value for slider in playground.size_sliders.values()] == [1, 2, 4, 3, 3]
    assert playground.size_sliders["hidden"].disabled


def test_in_a_kernel_arrow_keys_in_a_row_make_one_resize_and_the_status_says_each_at_once(monkeypatch):
    import asyncio
    import concurrent.futures

    from batchnet_core.ui import playground as module

    resizes = []
    monkeypatch.setattr(module, "SETTLE_SECONDS", 0.05)
    monkeypatch.setattr(module, "kernel_loop", asyncio.get_running_loop)  # as in a kernel
    monkeypatch.setattr(module, "resize", lambda *a, **k: resizes.append(a[1]) or bn.resize(*a, **k))

    async def keys(playground) -> list[str]:
        said = []
        for value in (4, 5, 6):
            playground.size_sliders["inputs"].value = value
            said.append(playground.app.status.value)
            await asyncio.sleep(0)  # the page's next message: no time for the sliders to rest
        await asyncio.sleep(0.2)
        said.append(playground.app.status.value)
        playground.size_sliders["inputs"].value = 5
        playground.size_sliders["inputs"].value = 6  # and back before it rests: nothing to draw
        said.append(playground.app.status.value)
        await asyncio.sleep(0.2)
        return said

    playground = module.Playground()
    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # a loop of its own, as the kernel's
        said = thread.submit(asyncio.run, keys(playground)).result()
    asked = "2 layers, sizes (inputs, units of each layer, batch) = ({}, 4, 2, 3)"
    assert said[:3] == [asked.format(n) + ": drawing the network…" for n in (4, 5, 6)]
    assert said[3] == asked.format(6) + "; entries that still fit were kept, new ones are random (seed 0)."
    assert said[4] == asked.format(6) + ", as before."
    assert resizes == [(6, 4, 2, 3)] and playground.app.state.sizes == (6, 4, 2, 3)


@pytest.mark.parametrize("depth", [1, 3, 4, 2])
def test_the_playground_goes_one_to_four_layers_deep(depth):
    from batchnet_core.ui.playground import Playground

    playground = Playground()
    before = playground.app.state
    playground.size_sliders["layers"].value = depth
    state = playground.app.state
    assert state.depth == depth and state.sizes == (3, *[4] * (depth - 1), 2, 3)
    np.testing.assert_array_equal(state.X, before.X)
    assert_app_shows(playground.app, state)
    assert playground.size_sliders["hidden"].disabled == (depth == 1)
    shown = {name for name, _ in tables(playground.app).items()}
    assert shown == set(state.fields) | set(bn.result_names(depth))
    # a control for every entry of every layer, named after its layer's units
    assert len(playground.app.entries) == sum(W.size + b.size for W, b in state.layers) + state.X.size
    last = bn.layers_of(depth)[-1]
    assert playground.app.entries[(last.weights, 0, 0)].slider.description.startswith(f"{last.weights} row y1")


def test_the_playground_opens_the_state_its_link_names(monkeypatch):
    from batchnet_core.ui.playground import Playground

    state = bn.random_state(4, (2, 5, 1, 6))
    monkeypatch.setenv("QUERY_STRING", state.to_query())
    playground = Playground.from_page()
    assert_app_shows(playground.app, state)
    assert tuple(slider.value for slider in playground.size_sliders.values()) == (2, 2, 5, 1, 6)


@pytest.mark.parametrize("vmax", [1.0, 4.0, 7.3, 1e6])
def test_cell_colours_are_the_colour_maps_own(vmax):
    from matplotlib.colors import Normalize

    from batchnet_core.ui.heatmap import COLORMAP, LUT_RGB, colour_indices

    rng = np.random.default_rng(1)
    values = np.concatenate([[-vmax, 0.0, vmax, -vmax / 2, vmax * (1 - 1e-12)], rng.uniform(-vmax, vmax, 5000)])
    expected = (COLORMAP(Normalize(-vmax, vmax)(values))[:, :3] * 255).astype(np.uint8)
    np.testing.assert_array_equal(LUT_RGB[colour_indices(values, vmax)], expected)


def test_a_panel_paints_each_cell_in_its_colour_with_its_number():
    from PIL import Image

    from batchnet_core.ui.heatmap import LUT_RGB, colour_indices

    panel = HeatmapPanel("T", ["a", "b"], ["x", "y"])
    values = np.array([[1.0, -2.0], [0.5, 0.0]])
    pixels = np.asarray(Image.open(io.BytesIO(panel.render(values, 2.0))))
    for (top, bottom, left, right), index in zip(panel._boxes, colour_indices(values, 2.0).ravel()):
        cell = pixels[top:bottom, left:right].reshape(-1, 3)
        colours, counts = np.unique(cell, axis=0, return_counts=True)
        np.testing.assert_array_equal(colours[counts.argmax()], LUT_RGB[index])  # background of the cell
        assert len(colours) > 5  # and a number, antialiased, on it


@pytest.mark.parametrize("value", [-0.25, -1.25, 0.125, -12.35, -1234.0])
def test_a_long_number_is_drawn_whole_and_centred_in_its_cell(value):
    from PIL import Image

    from batchnet_core.ui.heatmap import LUT_RGB, THEMES, colour_indices

    hatch = np.array([int(THEMES["light"]["hatch"][i:i + 2], 16) for i in (1, 3, 5)])
    panel = HeatmapPanel("W | b", ["h1"], ["1", "2", "b"], split_after=1)  # the column before b is narrowest
    values = np.array([[value, value, value]])
    pixels = np.asarray(Image.open(io.BytesIO(panel.render(values, 2000.0, zeroed=values < 0))))
    for (top, bottom, left, right), index in zip(panel._boxes, colour_indices(values, 2000.0).ravel()):
        middle = pixels[(top + bottom) // 2 - 3:(top + bottom) // 2 + 4, left:right]  # across the digits
        far = [np.abs(middle.astype(int) - colour).sum(-1) > limit
               for colour, limit in ((LUT_RGB[index], 150), (hatch, 90))]
        inked = np.nonzero((far[0] & far[1]).any(axis=0))[0]  # the digits: neither the cell's colour nor its hatch
        assert inked[-1] - inked[0] >= 20, (value, inked)  # the whole number, not a sliver
        assert inked[0] >= 1 and inked[-1] <= right - left - 2  # inside the cell
        assert abs((inked[0] + inked[-1]) / 2 - (right - left) / 2) <= 3  # centred


def test_a_panel_outlines_the_highlighted_cell_and_writes_row_notes():
    from PIL import Image

    from batchnet_core.ui.heatmap import THEMES, Highlight

    panel = HeatmapPanel("T", ["a", "b"], ["x", "y"])
    values = np.zeros((2, 2))
    plain = np.asarray(Image.open(io.BytesIO(panel.render(values, 1.0))))
    marked = np.asarray(Image.open(io.BytesIO(
        panel.render(values, 1.0, row_notes=("", "off"), highlight=Highlight(cells=((0, 1),))))))
    changed = np.argwhere((plain != marked).any(axis=-1))
    (top, bottom, left, right), b_right = panel._boxes[1], panel._boxes[3][3]
    outline = (changed[:, 0] < bottom + 4) & (changed[:, 1] >= left - 4)
    note = changed[~outline]
    assert outline.any() and len(note) > 0
    assert (note[:, 1] > b_right).all() and (note[:, 0] > bottom).all()  # right of row "b"
    ink = np.array([int(THEMES["light"]["highlight"][i:i + 2], 16) for i in (1, 3, 5)])
    np.testing.assert_array_equal(marked[top, (left + right) // 2], ink)
    np.testing.assert_array_equal(marked[(top + bottom) // 2, left], ink)


def test_panel_png_decodes_to_the_drawn_pixels():
    from PIL import Image

    from batchnet_core.ui.heatmap import encode_png_rows

    rgb = np.random.default_rng(0).integers(0, 256, size=(37, 23, 3), dtype=np.uint8)
    rows = np.zeros((37, 1 + 23 * 3), np.uint8)  # each row: filter byte 0, then its pixels
    rows[:, 1:] = rgb.reshape(37, -1)
    decoded = np.asarray(Image.open(io.BytesIO(encode_png_rows(rows))))
    np.testing.assert_array_equal(decoded, rgb)


def test_the_page_opens_on_whole_steps_with_its_preset_shown():
    app = BatchApp()
    assert app.step == app.step_picker.value == 1
    assert {entry.slider.step for entry in app.entries.values()} == {1}
    assert app.preset_picker.value == "three-inputs"
    assert BatchApp(bn.preset("one-input")).preset_picker.value == "one-input"


@pytest.mark.parametrize("typed", ["10", "-10", "1000000", "-1e6", "1e6"])
def test_the_ends_of_the_range_can_be_typed(app, typed):
    app.entries[("X", 0, 0)].readout.value = typed
    assert app.state.X[0, 0] == float(typed) and "bn-error" not in app.status.value


def test_a_glyph_is_blended_by_its_coverage_and_cut_at_the_picture_edge():
    from batchnet_core.ui.heatmap import _stamp

    pixels = np.full((4, 4, 3), 100, np.uint8)
    coverage = np.array([[0.0, 0.5], [1.0, 0.25]], np.float32)
    _stamp(pixels, coverage, 1, 1, np.array([200.0, 200.0, 200.0]))
    np.testing.assert_array_equal(pixels[1:3, 1:3, 0], [[100, 150], [200, 125]])
    assert (pixels[0] == 100).all() and (pixels[:, 0] == 100).all() and (pixels[3] == 100).all()
    _stamp(pixels, coverage, -1, -1, np.array([0.0, 0.0, 0.0]))  # only the glyph's bottom right lands
    np.testing.assert_array_equal(pixels[0, 0], [75, 75, 75])
    assert (pixels[0, 1] == 100).all()


# -- reaching every learner -----------------------------------------------------------------------


def test_the_hatch_under_a_number_keeps_four_and_a_half_to_one():
    """A hatched cell is 0: near white, so its number is black; the hatch lines under it are
    light enough for the same contrast, in both themes."""
    from batchnet_core.ui.heatmap import DARK_INK_RGB, THEMES, contrast_ratio

    for theme in THEMES.values():
        hatch = [int(theme["hatch"][i:i + 2], 16) for i in (1, 3, 5)]
        assert contrast_ratio(hatch, DARK_INK_RGB) >= 4.5, theme


def test_every_number_in_a_cell_reaches_four_and_a_half_to_one():
    from batchnet_core.ui.heatmap import DARK_INK_RGB, LIGHT_INK_RGB, LUT_RGB, LUT_TAKES_DARK_INK, _cell, contrast_ratio

    inks = [DARK_INK_RGB if dark else LIGHT_INK_RGB for dark in LUT_TAKES_DARK_INK]
    ratios = [contrast_ratio(colour, ink) for colour, ink in zip(LUT_RGB, inks)]
    assert min(ratios) >= 4.5, min(ratios)
    # and a drawn cell's number is in that ink: its most-covered pixels are the ink itself
    for colour in (0, 64, 100, 128, 160, 200, 255):
        pixels = _cell(46, 46, colour, False, "8", None).reshape(-1, 3).astype(int)
        ink = np.array(DARK_INK_RGB if LUT_TAKES_DARK_INK[colour] else LIGHT_INK_RGB)
        distance_to_ink = np.abs(pixels - ink).sum(axis=1)
        assert distance_to_ink.min() <= 12, colour


def test_exported_heat_maps_let_the_page_show_through():
    app = BatchApp(theme="dark")
    for png in app.views.pngs().values():
        at = png.index(b"tRNS") + 4
        assert tuple(png[at + 1:at + 6:2]) == (26, 26, 26)


def test_each_value_table_has_headers_and_says_what_relu_did():
    app = BatchApp()
    H = next(p for p in app.views.widget.frame["panels"] if p["key"] == "H")
    assert H["tables"] == [{"name": "H", "caption": "H, 4 × 3", "rows": ["h1", "h2", "h3", "h4"],
                            "cols": ["x1", "x2", "x3"], "transposed": False}] and H["relu"]
    zeroed = [f"H[h{r + 1}, x{c + 1}]" for r, c in zip(*np.nonzero(bn.forward(app.state).H_z <= 0))]
    relu = app.views.widget.tables["relu"]
    assert relu["H"] == f"ReLU gave 0 at {', '.join(zeroed)}. Off (0 for every input): h1."
    assert relu["Y"] == "ReLU gave 0 at Y[y1, x1], Y[y1, x2], Y[y1, x3]. Off (0 for every input): y1."
    assert app.views.widget.tables["values"]["H"]["w"] == [["0", "0", "0"], ["3", "2", "1"], ["5", "2", "3"],
                                                           ["3", "0", "0"]]


def test_the_page_widget_reports_a_theme_and_the_app_redraws_for_it():
    app = BatchApp()
    before = pictures(app)
    app.page.theme = "dark"  # as page.js reports JupyterLab's dark theme
    assert app.theme == "dark" and pictures(app) == pictures(BatchApp(app.state, theme="dark")) != before
    app.page.theme = "<script>"  # anything else from the page is ignored
    assert app.theme == "dark"
    app.page.theme = "light"
    assert pictures(app) == before


def test_the_layout_follows_the_sizes():
    from batchnet_core.ui.app import worksheet_class

    app = BatchApp()
    assert worksheet_class(app.state.sizes) in app.worksheet._dom_classes
    widths = re.findall(r"@container bn-app \(max-width: (\d+)px\)", app.layout_style.value)
    assert len(widths) == 2 and int(widths[0]) > int(widths[1])
    app.load(bn.random_state(1, (8, 8, 8, 8)))
    assert worksheet_class((8, 8, 8, 8)) in app.worksheet._dom_classes
    assert worksheet_class((3, 4, 2, 3)) not in app.worksheet._dom_classes
    bigger = re.findall(r"@container bn-app \(max-width: (\d+)px\)", app.layout_style.value)
    assert int(bigger[0]) > int(widths[0]) and int(bigger[1]) > int(widths[1])
