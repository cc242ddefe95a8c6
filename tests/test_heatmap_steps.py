"""Heat map cells drawn for a step-through: cells not computed yet are empty, rows outside the data
faded, and without either the picture is byte for byte what it was."""

import io

import numpy as np
import pytest
from PIL import Image

import batchnet_core as bn
from batchnet_core.ui import heatmap
from batchnet_core.ui.heatmap import THEMES, HeatmapPanel, Highlight, cell_text, contrast_ratio, faded_colours

from test_heatmap_numbers import read_number

#: The worked example's X with the row of 1s of the augmented notation [W | b]·[X; 1] under it.
X_AND_ONES = np.vstack([bn.preset("three-inputs").X, np.ones((1, 3))])
H_Z = bn.forward(bn.preset("three-inputs")).H_z


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


def distance(colours: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """How far colours (along the last axis) lie from one colour: the sum of their channels' differences."""
    return np.abs(np.asarray(colours, int) - colour).sum(axis=-1)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def x_panel(theme: str = "light") -> HeatmapPanel:
    return HeatmapPanel("[X; 1]", ["1", "2", "3", "const"], ["x1", "x2", "x3"], theme=theme)


def h_panel(theme: str = "light") -> HeatmapPanel:
    return HeatmapPanel("H", ["h1", "h2", "h3", "h4"], ["x1", "x2", "x3"], theme=theme)


def cell(picture: np.ndarray, panel: HeatmapPanel, row: int, col: int) -> np.ndarray:
    top, bottom, left, right = panel._boxes[row * panel.shape[1] + col]
    return picture[top:bottom, left:right]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_pending_cell_is_empty_in_a_thin_muted_border(theme):
    panel = h_panel(theme)
    pending = np.zeros((4, 3), bool)
    pending[1:, 2] = pending[3, 1] = True
    zeroed = bn.relu_zeroed(H_Z)
    picture = pixels(panel.render(bn.relu(H_Z), 5.0, zeroed, pending=pending))
    plain = pixels(h_panel(theme).render(bn.relu(H_Z), 5.0, zeroed))
    background, border = rgb(THEMES[theme]["background"]), rgb(THEMES[theme]["muted"])
    assert contrast_ratio(border, background) >= 3  # a border seen as readily as any graphic must be
    for r, c in np.ndindex(pending.shape):
        drawn = cell(picture, panel, r, c)
        if pending[r, c]:
            inside = drawn[1:-1, 1:-1].reshape(-1, 3)
            assert (inside == background).all()  # the page's own colour (see-through): no colour, no number
            edge = np.concatenate([drawn[0], drawn[-1], drawn[:, 0], drawn[:, -1]])
            assert (edge == border).all()
        else:
            np.testing.assert_array_equal(drawn, cell(plain, panel, r, c))  # the others as ever
    # an empty cell is the see-through colour: the page shows through it, whatever the page is
    png = Image.open(io.BytesIO(panel.render(bn.relu(H_Z), 5.0, zeroed, pending=~pending)))
    top, bottom, left, right = panel._boxes[0]
    assert png.convert("RGBA").getpixel(((left + right) // 2, (top + bottom) // 2))[3] == 0


def test_what_lies_under_a_pending_cell_is_not_drawn_nor_a_change():
    panel = h_panel()
    pending = np.zeros((4, 3), bool)
    pending[2:] = True
    values = np.where(pending, np.nan, bn.relu(H_Z))  # as a step-through's values: NaN not yet computed
    first = panel.render(values, 5.0, bn.relu_zeroed(H_Z), pending=pending)
    assert first is not None
    other = np.where(pending, 123.0, values)
    assert panel.render(other, 5.0, bn.relu_zeroed(H_Z) | pending, pending=pending) is None
    fresh = h_panel().render(other, 5.0, bn.relu_zeroed(H_Z), pending=pending)
    assert fresh == first


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_faded_rows_are_nearer_the_page_and_their_numbers_still_read(theme):
    panel = x_panel(theme)
    picture = pixels(panel.render(X_AND_ONES, 3.0, faded_rows=[3]))
    plain = pixels(x_panel(theme).render(X_AND_ONES, 3.0))
    background = rgb(THEMES[theme]["background"])
    for c in range(3):
        faded, unfaded = cell(picture, panel, 3, c), cell(plain, panel, 3, c)
        np.testing.assert_array_equal(cell(picture, panel, 1, c), cell(plain, panel, 1, c))  # the same 1s above
        corner, unfaded_corner = faded[2, 2], unfaded[2, 2]  # the cell's colour, off its number
        if theme == "light":
            assert heatmap.relative_luminance(corner) > heatmap.relative_luminance(unfaded_corner)  # lighter
        assert distance(corner, background) < distance(unfaded_corner, background)  # nearer the page
        assert read_number(faded, {"1", "0", "2", "3", "7"}) == "1"
        ink = faded_colours(theme)[1][heatmap.colour_indices(np.array(1.0), 3.0)]
        assert distance(faded, ink).min() <= 12  # drawn in the muted ink
        assert contrast_ratio(faded[2, 2], ink) >= heatmap.NUMBER_CONTRAST
        assert not np.array_equal(ink, heatmap.DARK_INK_RGB) and not np.array_equal(ink, heatmap.LIGHT_INK_RGB)  # muted


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_faded_number_keeps_four_and_a_half_to_one(theme):
    cells, inks = faded_colours(theme)
    ratios = [contrast_ratio(colour, ink) for colour, ink in zip(cells, inks)]
    assert min(ratios) >= heatmap.NUMBER_CONTRAST, min(ratios)
    pure = (heatmap.DARK_INK_RGB, heatmap.LIGHT_INK_RGB)
    full = [max(contrast_ratio(colour, black_or_white) for black_or_white in pure) for colour in cells]
    assert np.mean(np.array(ratios) < np.array(full) - 0.5) > 0.9  # and muted, almost everywhere
    background = rgb(THEMES[theme]["background"])
    assert (distance(cells, background) < distance(heatmap.LUT_RGB, background)).all()  # each nearer the page
    assert (distance(cells, background) > 0).all()  # but never the see-through colour itself
    for colour in (0, 40, 100, 128, 160, 220, 255):  # a drawn faded cell's number is in its ink
        assert distance(heatmap._faded_cell(46, 46, colour, "8", theme), inks[colour]).min() <= 12, colour


def test_a_faded_row_with_every_value_keeps_its_numbers_in_place():
    panel = HeatmapPanel("T", ["a", "b"], ["x", "y", "z"])
    values = np.array([[-12.5, 0.25, 1234.0], [-3.0, 0.0, 7.5]])
    picture = pixels(panel.render(values, 20.0, faded_rows=(0, 1)))
    for r, c in np.ndindex(values.shape):
        _, _, left, right = panel._boxes[r * 3 + c]
        expected = cell_text(float(values[r, c]), right - left, False, 20.0)
        candidates = {cell_text(float(v), right - left, False, 20.0) for v in values.ravel()}
        assert read_number(cell(picture, panel, r, c), candidates) == expected


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_without_pending_or_faded_rows_the_picture_is_what_it_was(theme):
    values, zeroed = bn.relu(H_Z), bn.relu_zeroed(H_Z)
    arguments = (values, 5.0, zeroed, ("", "", "", "off"), Highlight(rows=(1,), cells=((2, 2),)))
    before = h_panel(theme).render(*arguments)
    assert h_panel(theme).render(*arguments, pending=None, faded_rows=None) == before
    assert h_panel(theme).render(*arguments, pending=np.zeros((4, 3), bool), faded_rows=()) == before
    panel = h_panel(theme)
    assert panel.render(*arguments) == before
    assert panel.render(*arguments, pending=np.zeros((4, 3), bool), faded_rows=[]) is None  # nothing changed


def test_pending_and_faded_rows_decide_whether_the_picture_changed():
    panel = x_panel()
    pending = np.zeros((4, 3), bool)
    pending[0, 0] = True
    plain = panel.render(X_AND_ONES, 3.0)
    faded = panel.render(X_AND_ONES, 3.0, faded_rows=[3])
    assert faded not in (None, plain)
    assert panel.render(X_AND_ONES, 3.0, faded_rows=(3, 3)) is None
    both = panel.render(X_AND_ONES, 3.0, pending=pending, faded_rows=[3])
    assert both not in (None, faded)
    assert panel.render(X_AND_ONES, 3.0, pending=pending.copy(), faded_rows=[3]) is None
    assert panel.render(X_AND_ONES, 3.0) == plain
    pending[0, 0], pending[3, 2] = False, True  # an empty cell in the faded row: empty wins
    picture = pixels(panel.render(X_AND_ONES, 3.0, pending=pending, faded_rows=[3]))
    assert (cell(picture, panel, 3, 2)[1:-1, 1:-1] == rgb(THEMES["light"]["background"])).all()


@pytest.mark.parametrize("arguments, message", [
    ({"pending": np.zeros((3, 3), bool)}, r"pending must be a boolean array of the panel's shape \(4, 3\)"),
    ({"pending": np.zeros((4, 3))}, "pending must be a boolean array .* got float64"),
    ({"faded_rows": [4]}, "faded_rows must be row numbers from 0 to 3; got"),
    ({"faded_rows": [True]}, "faded_rows must be row numbers from 0 to 3"),
    ({"faded_rows": "3"}, "faded_rows must be row numbers from 0 to 3"),
])
def test_bad_pending_or_faded_rows_are_refused_by_name(arguments, message):
    with pytest.raises(ValueError, match=message):
        x_panel().render(X_AND_ONES, 3.0, **arguments)
