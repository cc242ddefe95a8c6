"""The heat maps the page draws from numbers (``ui/drawing.py``): what a change sends, and that the PNG
export shows what the page draws."""

import json
import zlib

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import batchnet_core as bn
from batchnet_core.ui import BatchApp
from batchnet_core.ui.drawing import TEXTS, table_numbers
from batchnet_core.ui.heatmap import DPI, LUT_RGB, HeatmapPanel, colour_indices
from batchnet_core.ui.train import Trainer

from test_heatmap_numbers import assert_export_is_the_drawing, read_number
from test_ui import cell_colours, cell_texts, decode_bytes_png, drawing_state

#: Slider moves of page 02's worked example: a weight of each layer, an input, a bias.
MOVES = [(("W1", 0, 0), 2), (("W1", 0, 0), 3), (("W2", 1, 3), 1), (("X", 0, 0), 3), (("b1", 1, 0), -1)]


class Kernel:
    """Stands for a kernel, so that widgets send their changes (to ``messages``)."""


def sent_by(senders) -> list[bytes]:
    """The messages the widgets send from now on, as the kernel packs them (JSON in UTF-8)."""
    messages = []
    for widget in senders:
        widget.comm.kernel = Kernel()
        widget.comm.send = lambda data=None, metadata=None, buffers=None: messages.append(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    return messages


def every_widget() -> list[widgets.Widget]:
    return [widget for widget in list(widgets.Widget.widgets.values()) if widget.comm is not None]


def per_change(app, sent: list | None = None) -> list[tuple[int, int, int]]:
    """For each of ``MOVES``: the messages every widget sends, their bytes, and their bytes deflated as a
    websocket deflates them (one stream for the change's messages); each message is also added to ``sent``."""
    messages, found = sent_by(every_widget()), []
    for key, value in MOVES:
        messages.clear()
        app.entries[key].slider.set_state({"value": value})  # as the page's message sets it
        stream = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = sum(len(stream.compress(m) + stream.flush(zlib.Z_SYNC_FLUSH)) for m in messages)
        found.append((len(messages), sum(map(len, messages)), deflated))
        if sent is not None:
            sent.extend(messages)
    return found


def test_a_slider_change_on_page_02_is_two_messages_the_drawing_with_its_texts_and_the_entrys_box():
    app = BatchApp()
    sent = []
    for count, raw, deflated in per_change(app, sent=sent):
        assert count == 2 and deflated < 2_000, (count, raw, deflated)  # issue 25: at most 2 kB on the wire
    # the entry's box, and the drawing: its pictures and tables, and only the texts that changed (the status line,
    # code and link always; the explanation and legend at times; never the summary of the same sizes)
    sent = [set(json.loads(m)["state"]) for m in sent]
    assert [keys for keys in sent if "pictures" not in keys] == [{"value"}] * len(MOVES)
    for keys in [keys for keys in sent if "pictures" in keys]:
        assert {"tables", "status", "code", "link"} <= keys <= {*TEXTS, "pictures", "tables"} - {"summary"}, keys


def test_a_slider_change_sends_page_06_its_heat_maps_and_gradients_in_under_4_kilobytes_deflated():
    trainer = Trainer()
    for count, raw, deflated in per_change(trainer.app):
        assert deflated < 4_000, (count, raw, deflated)  # issue 25: at most 4 kB on the wire


def test_a_change_sends_only_what_it_changed():
    app = BatchApp()
    changed = []
    app.views.widget.observe(lambda change: changed.append(change["name"]), ["frame", "pictures", "outlines",
                                                                             "tables", "buttons"])
    app.entries[("W2", 1, 3)].slider.value = 1
    assert sorted(changed) == ["pictures", "tables"]  # not where things lie, nor the explained cell
    changed.clear()
    app.explain_cell("Y,1,2")
    assert sorted(changed) == ["buttons", "outlines"]
    changed.clear()
    app.set_theme("dark")
    assert changed == ["frame"]  # the same numbers and colour indices in the dark theme's look
    changed.clear()
    app.set_notation("rows")
    assert sorted(changed) == ["frame", "outlines", "pictures", "tables"]  # all of it transposed


def test_the_page_is_sent_colour_indices_of_the_colour_map_and_the_look_of_its_theme():
    app = BatchApp()
    trace = bn.forward(app.state)
    np.testing.assert_array_equal(cell_colours(app.views.widget, "Y_z"), LUT_RGB[colour_indices(trace.Y_z, 4.0)])
    look = app.views.widget.frame["look"]
    assert look["lut"][0] == "#" + bytes(LUT_RGB[0]).hex() and len(look["lut"]) == 256
    assert look["text"] == "#1f1f1f" and look["darkInk"].count("1") + look["darkInk"].count("0") == 256


@pytest.mark.parametrize("state", [bn.preset("three-inputs"), bn.random_state(5, integers=False),
                                   bn.random_state(2, (2, 5, 3, 4))], ids=["worked", "decimals", "3 layers"])
def test_the_export_shows_the_numbers_and_colours_the_page_draws(state):
    app = BatchApp(state)
    assert_export_is_the_drawing(app)
    app.explain_cell("H,1,2")
    app.set_notation("augmented")  # a faded row of 1s, other titles
    assert_export_is_the_drawing(app)
    for _ in range(7):  # a step-through: cells not reached are empty, the step outlined
        app.steps.next.click()
    assert app.views.widget.pictures["H_z"].get("p") and app.views.widget.outlines
    assert_export_is_the_drawing(app)


def test_training_s_export_shows_the_numbers_and_colours_the_page_draws():
    trainer = Trainer()
    for key, png in trainer.views.pngs().items():
        picture, panel = decode_bytes_png(png), trainer.views.panels[key]
        texts = cell_texts(trainer.views.widget, key.replace("|", "")).ravel()
        colours = cell_colours(trainer.views.widget, key.replace("|", ""))
        for k, (top, bottom, left, right) in enumerate(panel._boxes):
            assert read_number(picture[top:bottom, left:right], set(texts)) == texts[k], (key, k)
            np.testing.assert_array_equal(picture[top + 3, left + 3], colours.reshape(-1, 3)[k], err_msg=key)


@pytest.mark.parametrize("rows", [1, 3, 4, 9, 16])
@pytest.mark.parametrize("title", ["T", "H_z = W1·X + b1", "[dW2ᵀ ; db2ᵀ] = [H; 1]·δ2ᵀ / 3", "x" * 22, "x" * 44])
def test_a_panel_is_laid_out_as_big_as_matplotlib_draws_it(rows, title):
    """The page lays out each drawing at the size of the PNG matplotlib draws (so the controls' rows line up
    with the heat maps' either way)."""
    for cols in (1, 2, 3, 5, 16):
        panel = HeatmapPanel(title, [str(r) for r in range(rows)], [str(c) for c in range(cols)])
        width, height = panel._inches
        assert FigureCanvasAgg(Figure(figsize=(width, height), dpi=DPI)).get_width_height()[::-1] == panel.size
        assert decode_bytes_png(panel.png(panel.picture(np.zeros((rows, cols)), 1.0))).shape[:2] == panel.size


def test_a_change_that_fails_leaves_the_drawing_and_its_export_as_they_were(monkeypatch):
    def broken(*arguments):
        raise RuntimeError("simulated failure")

    app = BatchApp()
    sent, exported = drawing_state(app.views.widget), app.views.pngs()
    monkeypatch.setattr("batchnet_core.ui.app.code_html", broken)
    app.entries[("W1", 0, 0)].slider.value = 3
    assert "simulated failure" in app.status.value
    assert drawing_state(app.views.widget) == sent and app.views.pngs() == exported


def test_a_value_tables_data_values_are_the_same_floats_written_short():
    values = np.array([[1.0, -0.5, -0.0, 0.0, -3.0, 1e16, 2.5, 2.0**53, 1 / 3]])
    sent = table_numbers(values)["d"]
    back = json.loads(sent)[0]
    assert back == values[0].tolist() and [np.copysign(1, v) for v in back] == [np.copysign(1, v) for v in values[0]]
    assert sent.startswith("[[1,-0.5,-0.0,0,-3,") and " " not in sent
