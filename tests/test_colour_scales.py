"""The heat maps' colour scales: one for the numbers set (X and every W and b), one for each layer's
results (its sums with their ReLU), and the legend that says so with where each is darkest."""

import html
import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.nn.layers import layers_of
from batchnet_core.ui import BatchApp
from batchnet_core.ui.app import legend_html
from batchnet_core.ui.heatmap import LUT_RGB, colour_indices
from batchnet_core.ui.views import colour_scales

from test_ui import cell_colours

STATES = [bn.preset("three-inputs"), bn.preset("one-input")] + [
    bn.random_state(seed, sizes, integers=seed % 2 == 0)
    for seed, sizes in enumerate([(3, 4, 2, 3), (2, 5, 1), (4, 3, 3, 2, 5), (16, 8, 8, 8, 4, 16), (1, 1, 1)])]


@pytest.mark.parametrize("state", STATES, ids=lambda s: "-".join(map(str, s.sizes)))
def test_the_numbers_set_share_one_scale_and_each_layer_s_results_one(state):
    trace = bn.forward(state)
    scales = colour_scales(state, trace)
    given = [array for _, array in state.items()]
    assert set(scales) == {name for name, _ in state.items()} | {name for name, _ in trace.items()}
    for name, _ in state.items():
        assert scales[name] == max(max(float(np.abs(a).max()) for a in given), 1.0), name
    for layer in layers_of(state.depth):
        assert scales[layer.pre] == scales[layer.post] == max(float(np.abs(trace[layer.pre]).max()), 1.0)


def cell_colour(app: BatchApp, panel: str, row: int, col: int) -> tuple[int, ...]:
    """The colour a heat map shows in a cell, as sent to the page (the colour map's table sent with it, at
    the cell's index)."""
    return tuple(int(v) for v in cell_colours(app.views.widget, panel.replace("|", ""))[row, col])


def test_a_number_has_one_colour_in_x_and_every_w_and_b():
    app = BatchApp()  # the worked example: W1[h1, 1], W2[y1, h1], b2[y2] and X[2, x2] are 1
    ones = [("W1|b1", 0, 0), ("W2|b2", 0, 0), ("W2|b2", 1, 4), ("X", 1, 1)]
    assert len({cell_colour(app, *cell) for cell in ones}) == 1
    assert cell_colour(app, "W1|b1", 0, 3) == tuple(LUT_RGB[0])  # b1[h1] = −5: the darkest blue
    assert cell_colour(app, "W1|b1", 0, 0) == tuple(LUT_RGB[colour_indices(np.array(1.0), 5.0)])
    app.entries[("W2", 0, 1)].readout.value = "9"  # a larger weight deepens every 1 alike
    assert {cell_colour(app, *cell) for cell in ones} == {tuple(LUT_RGB[colour_indices(np.array(1.0), 9.0)])}
    assert "X, W and b share one, darkest at ±9;" in app.legend.value


def test_a_layer_s_sums_and_their_relu_share_a_scale_apart_from_the_numbers_set():
    app = BatchApp()  # H_z[h3, x1] = 5 = H[h3, x1], the largest of layer 1; Y_z[y2, x3] = 4 = Y[y2, x3], of layer 2
    assert cell_colour(app, "H_z", 2, 0) == cell_colour(app, "H", 2, 0) == tuple(LUT_RGB[-1])  # the darkest red
    assert cell_colour(app, "Y_z", 1, 2) == cell_colour(app, "Y", 1, 2) == tuple(LUT_RGB[-1])
    # on the scale of the numbers set (±5), 4 would be lighter: each layer's results have their own
    assert tuple(LUT_RGB[colour_indices(np.array(4.0), 5.0)]) != tuple(LUT_RGB[-1])


@pytest.mark.parametrize("state", STATES, ids=lambda s: "-".join(map(str, s.sizes)))
def test_the_legend_says_each_scale_and_where_it_is_darkest(state):
    trace = bn.forward(state)
    scales = colour_scales(state, trace)
    text = re.sub(r"<[^>]+>", "", html.unescape(legend_html(state, trace)))
    assert f"Colour scales: X, W and b share one, darkest at ±{bn.format_number(scales['X'])};" in text
    told = re.search(r"each layer's sums and their ReLU share one, so the two compare: (.*?)\. ", text)
    assert told.group(1) == ", ".join(f"{layer.pre} and {layer.post} at ±{bn.format_number(scales[layer.pre])}"
                                      for layer in layers_of(state.depth))
    assert "Compare colours within a scale, numbers across them." in text


def test_the_legend_follows_the_state_and_its_depth():
    app = BatchApp()
    app.entries[("W1", 2, 2)].readout.value = "4"  # H_z[h3, x1] = 0·2 + 1·1 + 4·3 + 1 = 14
    assert "H_z and H at ±14, Y_z and Y at ±" in app.legend.value
    deep = bn.random_state(3, (2, 3, 3, 3, 2, 4))
    app.load(deep)
    assert app.legend.value == legend_html(deep, bn.forward(deep))
    assert "H1_z and H1 at ±" in app.legend.value and "H3_z and H3 at ±" in app.legend.value
