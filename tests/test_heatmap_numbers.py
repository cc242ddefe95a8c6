"""The numbers a learner reads in the heat maps are the numbers of the state, each in its own cell.

The pictures are read back independently of how they are drawn: each cell's ink is compared with
every candidate number laid out on its own by matplotlib's ordinary text drawing, and the best
match must be the cell's own number.
"""

import functools
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import batchnet_core as bn
from batchnet_core.numbers import format_cell
from batchnet_core.ui import BatchApp, heatmap
from batchnet_core.ui.heatmap import DPI, MIN_NUMBER_POINTS, NUMBER_MARGIN_PIXELS, NUMBER_POINTS, cell_text
from batchnet_core.ui.views import PANELS, HeatmapViews

from test_ui import decode, pictures

#: Pixels left out along each cell's edges, where an outline may lie.
EDGE = 3


@functools.cache
def reference(text: str, bold: bool, points: int) -> np.ndarray:
    """How much ink (0 to 1) ``text`` puts on each pixel, drawn alone by matplotlib's Text artist."""
    figure = Figure(figsize=(1.5, 0.6), dpi=DPI, facecolor="white")
    figure.text(0.5, 0.5, text, fontsize=points, weight="bold" if bold else "normal", color="black",
                ha="center", va="center")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return crop(1 - np.asarray(canvas.buffer_rgba())[..., 0] / 255.0)


def crop(coverage: np.ndarray) -> np.ndarray:
    """The part of a coverage map that holds ink."""
    rows, cols = np.nonzero(coverage > 0.25)
    if len(rows) == 0:
        return coverage[:0, :0]
    return coverage[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def ink(cell: np.ndarray) -> np.ndarray:
    """How much of the number's ink each pixel of a cell holds: 0 at the cell's colour (or at its
    hatch, the second most common colour, when it covers much of the cell), 1 at the number's."""
    flat = cell.reshape(-1, 3).astype(float)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    order = counts.argsort()[::-1]
    background = colours[order[0]]
    span = flat[np.linalg.norm(flat - background, axis=1).argmax()] - background
    share = np.clip((flat - background) @ span / (span @ span), 0, 1)
    if len(order) > 1 and counts[order[1]] > 0.08 * len(flat):
        share[(flat == colours[order[1]]).all(axis=1)] = 0
    return crop(share.reshape(cell.shape[:2]))


def likeness(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two coverage maps, at the best shift of up to a pixel each way;
    0 when their sizes differ by more than 2 pixels."""
    if abs(a.shape[0] - b.shape[0]) > 2 or abs(a.shape[1] - b.shape[1]) > 2:
        return 0.0
    height, width = max(a.shape[0], b.shape[0]) + 2, max(a.shape[1], b.shape[1]) + 2
    fixed = np.zeros((height, width))
    fixed[1:1 + a.shape[0], 1:1 + a.shape[1]] = a
    best = 0.0
    for dy in range(3):
        for dx in range(3):
            moved = np.zeros((height, width))
            moved[dy:dy + b.shape[0], dx:dx + b.shape[1]] = b[: height - dy, : width - dx]
            best = max(best, (fixed * moved).sum() / np.sqrt((fixed ** 2).sum() * (moved ** 2).sum()))
    return best


def read_number(cell: np.ndarray, candidates: set[str]) -> str:
    """The candidate whose ink, in any weight and size the panel may use, best matches the cell's."""
    found = ink(cell[EDGE:-EDGE, EDGE:-EDGE])
    scores = {text: max(likeness(found, reference(text, bold, points)) for bold in (False, True)
                        for points in range(MIN_NUMBER_POINTS, NUMBER_POINTS + 1))
              for text in candidates}
    return max(scores, key=scores.get)


def panel_pictures(app: BatchApp) -> dict[str, np.ndarray]:
    """Each panel's picture as the page receives it: decoded from the widget's data URL."""
    found = pictures(app)
    return {name: decode(found[name.replace("|", "")]) for name in PANELS}


def shown_values(state: bn.State) -> dict[str, np.ndarray]:
    """What each panel must show, computed from the state alone."""
    trace = bn.forward(state)
    return {"X": state.X, "W1|b1": np.column_stack([state.W1, state.b1]), "H_z": trace.H_z, "H": trace.H,
            "W2|b2": np.column_stack([state.W2, state.b2]), "Y_z": trace.Y_z, "Y": trace.Y}


def shown_scales(state: bn.State) -> dict[str, float]:
    """Each panel's colour scale: the largest magnitude on it, at least 1; X, W and b share one, and so
    do a layer's two panels of results."""
    values = shown_values(state)
    given = max(max(float(np.abs(values[name]).max()) for name in ("X", "W1|b1", "W2|b2")), 1.0)
    scale = {name: max(float(np.abs(values[name]).max()), 1.0) for name in ("H_z", "Y_z")}
    return {"X": given, "W1|b1": given, "W2|b2": given, **scale, "H": scale["H_z"], "Y": scale["Y_z"]}


def assert_pictures_show(pictures: dict[str, np.ndarray], state: bn.State) -> None:
    """Each picture (by panel name) shows, in each cell, that cell's number of ``state``. Where the
    cells lie comes from the panels' layout for these sizes; what they show, from the state alone."""
    layout, shown, scales = HeatmapViews(state.sizes).panels, shown_values(state), shown_scales(state)
    for name, picture in pictures.items():
        values = shown[name]
        bold = bn.relu_zeroed(values) if name in ("H", "Y") else np.zeros(values.shape, bool)  # hatched
        expected = [cell_text(float(v), right - left, bool(b), scales[name])
                    for v, b, (_, _, left, right) in zip(values.ravel(), bold.ravel(), layout[name]._boxes)]
        candidates = set(expected) | {format_cell(v) for v in (-1, 1, 10, -10, 0.5, 0.6, 0.8, -0.6)}
        read = [read_number(picture[top:bottom, left:right], candidates)
                for top, bottom, left, right in layout[name]._boxes]
        assert read == expected, name


def assert_cells_show(app: BatchApp, state: bn.State) -> None:
    assert_pictures_show(panel_pictures(app), state)


#: Distinct numbers within each panel, so that a number drawn in another cell is seen.
DISTINCT = bn.State(W1=[[1, -2, 3], [0.5, 4, -1], [2, 0, -3], [-4, 1, 2.5]], b1=[-5, 0.5, 1, -2],
                    W2=[[1, 1.5, -1, 0], [2, 0, 3, -1]], b2=[0, 1], X=[[2, 1, 0], [1, 3, 1], [3, 0, 2]])


@pytest.mark.parametrize("state", [bn.preset("three-inputs"), DISTINCT, bn.random_state(3, integers=False)],
                         ids=["worked example", "distinct", "decimals"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_cell_of_every_panel_shows_its_own_number(state, theme):
    app = BatchApp(state, theme=theme)
    assert_cells_show(app, state)


def test_the_numbers_follow_a_slider_move():
    app = BatchApp(DISTINCT)
    app.entries[("X", 1, 2)].slider.value = -2
    assert_cells_show(app, DISTINCT.with_entry("X", 1, 2, -2))


def test_the_reading_tells_numbers_apart():
    """The reading itself: a cell drawn with one number is not read as another."""
    candidates = {"1", "−1", "7", "0.5", "0.6", "0.3", "0.8", "10", "−2.5", "−0.11", "−0.21"}
    for text in candidates:
        figure = Figure(figsize=(0.7, 0.46), dpi=DPI, facecolor="#f4a582")
        figure.text(0.5, 0.5, text, fontsize=NUMBER_POINTS, color="#111111", ha="center", va="center")
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        cell = np.asarray(canvas.buffer_rgba())[..., :3]
        assert read_number(cell, candidates) == text


@pytest.mark.parametrize("sizes", [(3, 4, 2, 3), (2, 5, 1, 4), (4, 6, 3, 5)])
def test_random_decimals_are_drawn_at_full_size(monkeypatch, sizes):
    """No number is shrunk beside full-size ones, except a negative number closer to 0 than −0.01
    (such as −2e−3), which no text of a few characters fits at full size."""
    drawn, draw = set(), heatmap._cell

    def recording(height, width, colour, hatched, text, hatch_ink):
        drawn.add((width, hatched, text))
        return draw(height, width, colour, hatched, text, hatch_ink)

    monkeypatch.setattr(heatmap, "_cell", recording)
    views = HeatmapViews(sizes)
    for seed in range(40):
        state = bn.random_state(seed, sizes, integers=False)
        views.update(state, bn.forward(state), None)
    too_wide = {text for width, hatched, text in drawn
                if heatmap._glyphs(text, hatched, NUMBER_POINTS).shape[1] > width - 2 * NUMBER_MARGIN_PIXELS}
    assert all(re.fullmatch(r"−\de−3", text) for text in too_wide), too_wide
    assert len(too_wide) <= 2
    texts = {text for _, _, text in drawn}
    assert any(re.fullmatch(r"\d\.\d\d|\d\d\.\d", text) for text in texts)  # 3 digits where they fit
    assert any(re.fullmatch(r"−\d\.\d|−\d\d", text) for text in texts)  # 2 beside a minus sign


@pytest.mark.parametrize("value, width, text", [
    (12.345, 45, "12.3"), (-12.345, 45, "−12"), (-1.234, 45, "−1.2"), (0.456, 45, "0.46"), (-0.456, 45, "−0.5"),
    (-0.02, 45, "−.02"), (1234.0, 45, "1234"), (1234.0, 43, "1234"), (-123.0, 45, "−123"),
    (-123.0, 43, "−123"),  # too wide, but whole: kept, and drawn smaller
    (3.2e5, 45, "3e5"), (-3e-17, 45, "0"), (0.0, 45, "0"),
])
def test_a_cell_shows_the_most_digits_that_fit(value, width, text):
    assert cell_text(value, width, vmax=14.0) == text
