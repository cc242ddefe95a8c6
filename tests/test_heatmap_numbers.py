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
from batchnet_core.nn.numbers import format_cell
from batchnet_core.ui import BatchApp, heatmap
from batchnet_core.ui.heatmap import DPI, MIN_NUMBER_POINTS, NUMBER_MARGIN_PIXELS, NUMBER_POINTS, cell_text, panel_texts
from batchnet_core.ui.views import HeatmapViews

from test_ui import cell_colours, cell_texts, decode_bytes_png

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
    """Each panel's picture as the export gives it (PNG)."""
    return {name: decode_bytes_png(png) for name, png in app.views.pngs().items()}


def shown_values(state: bn.State) -> dict[str, np.ndarray]:
    """What each panel must show, computed from the state alone."""
    trace = bn.forward(state)
    return {"X": state.X, "W1|b1": np.column_stack([state.W1, state.b1]), "H_z": trace.H_z, "H": trace.H,
            "W2|b2": np.column_stack([state.W2, state.b2]), "Y_z": trace.Y_z, "Y": trace.Y}


def assert_pictures_show(pictures: dict[str, np.ndarray], state: bn.State) -> None:
    """Each picture (by panel name) shows, in each cell, that cell's number of ``state``. Where the
    cells lie comes from the panels' layout for these sizes; what they show, from the state alone."""
    layout, shown = HeatmapViews(state.sizes).panels, shown_values(state)
    for name, picture in pictures.items():
        values = shown[name]
        bold = bn.relu_zeroed(values) if name in ("H", "Y") else np.zeros(values.shape, bool)  # hatched
        expected = panel_texts(tuple(values.ravel()), tuple(right - left for _, _, left, right in layout[name]._boxes),
                               tuple(bold.ravel()))
        candidates = set(expected) | {format_cell(v) for v in (-1, 1, 10, -10, 0.5, 0.6, 0.8, -0.6)}
        read = [read_number(picture[top:bottom, left:right], candidates)
                for top, bottom, left, right in layout[name]._boxes]
        assert read == expected, name


def assert_drawing_shows(drawing, state: bn.State) -> None:
    """A drawing (``drawing.HeatmapDrawing``) is sent, for each of its panels of ``state``'s worksheet, each
    cell's number as ``panel_texts`` writes it from the state alone."""
    layout, shown = HeatmapViews(state.sizes).panels, shown_values(state)
    names = {name.replace("|", ""): name for name in shown}
    assert drawing.pictures and set(drawing.pictures) <= set(names)
    for key, picture in drawing.pictures.items():
        values, boxes = shown[names[key]], layout[names[key]]._boxes
        bold = bn.relu_zeroed(values) if key in ("H", "Y") else np.zeros(values.shape, bool)  # hatched
        assert picture["t"] == panel_texts(tuple(values.ravel()), tuple(right - left for _, _, left, right in boxes),
                                           tuple(bold.ravel())), key


def assert_cells_show(app: BatchApp, state: bn.State) -> None:
    """The page's drawing writes in each cell that cell's number of ``state``, and the exported PNG shows the
    same numbers (read from its pixels) in the same colours."""
    assert_pictures_show(panel_pictures(app), state)
    assert_export_is_the_drawing(app)


def assert_export_is_the_drawing(app: BatchApp) -> None:
    """Each exported panel shows, cell by cell, the number (read from its pixels) and the colour the page's
    drawing was sent (a cell the page draws empty is not read)."""
    for name, picture in panel_pictures(app).items():
        key, panel = name.replace("|", ""), app.views.panels[name]
        texts, colours = cell_texts(app.views.widget, key).ravel(), cell_colours(app.views.widget, key)
        pending = set(app.views.widget.pictures[key].get("p", []))
        for k, (top, bottom, left, right) in enumerate(panel._boxes):
            r, c = divmod(k, panel.shape[1])
            if k in pending:
                continue
            assert read_number(picture[top:bottom, left:right], set(texts)) == texts[k], (name, r, c)
            np.testing.assert_array_equal(picture[top + 3, left + 3], colours[r, c], err_msg=f"{name} {r} {c}")


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
def test_random_decimals_are_drawn_at_full_size(sizes):
    """No number is shrunk beside full-size ones, except a negative number closer to 0 than −0.01
    (such as −2e−3), which no text of a few characters fits at full size."""
    drawn = set()
    views = HeatmapViews(sizes)
    for seed in range(40):
        state = bn.random_state(seed, sizes, integers=False)
        views.update(state, bn.forward(state), None)
        for name, picture in views.pictures.items():  # the cells as the page is told to draw them
            widths = [right - left for _, _, left, right in views.panels[name]._boxes]
            drawn |= set(zip(widths, picture.hatched, picture.texts))
            smaller = {text for text, points in zip(picture.texts, picture.points) if points < NUMBER_POINTS}
            assert smaller == {text for width, hatched, text in zip(widths, picture.hatched, picture.texts)
                               if heatmap._glyphs(text, hatched, NUMBER_POINTS).shape[1]
                               > width - 2 * NUMBER_MARGIN_PIXELS}
    too_wide = {text for width, hatched, text in drawn
                if heatmap._glyphs(text, hatched, NUMBER_POINTS).shape[1] > width - 2 * NUMBER_MARGIN_PIXELS}
    assert all(re.fullmatch(r"−\de−3|−\.00\d", text) for text in too_wide), too_wide
    assert len(too_wide) <= 2
    texts = {text for _, _, text in drawn}
    assert any(re.fullmatch(r"\d\.\d\d|\d\d\.\d", text) for text in texts)  # 3 digits where they fit
    assert any(re.fullmatch(r"−\d\.\d|−\d\d", text) for text in texts)  # 2 beside a minus sign


@pytest.mark.parametrize("value, width, text", [
    (12.345, 45, "12.3"), (-12.345, 45, "−12"), (-1.234, 45, "−1.2"), (0.456, 45, "0.46"), (-0.456, 45, "−0.5"),
    (-0.02, 45, "−.02"), (1234.0, 45, "1234"), (1234.0, 43, "1234"), (-123.0, 45, "−123"),
    (-123.0, 43, "−123"),  # too wide, but whole: kept, and drawn smaller
    (3.2e5, 45, "3e5"), (0.0, 45, "0"),
    (-3e-17, 45, "−3e−17"),  # never written as 0: a value the numbers make is that value, drawn smaller
])
def test_a_cell_shows_the_most_digits_that_fit(value, width, text):
    assert cell_text(value, width, vmax=14.0) == text


def style_of(text: str) -> str | None:
    """How a number below 1 is written: "fixed" (0.25), "bare" (.25) or "powers" (2.5e−1); None for others."""
    body = text.removeprefix("−")
    if "e" in body and float(body.replace("−", "-")) < 1:
        return "powers"
    if body.startswith("0."):
        return "fixed"
    if body.startswith("."):
        return "bare"
    return None


@pytest.mark.parametrize("seed", range(30))
def test_a_panel_writes_its_numbers_one_way(seed):
    """One notation per panel: never −9e−3 beside 0.08, nor −.07 beside 0.08."""
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0, 10.0 ** rng.integers(-3, 2), 12), int(rng.integers(1, 5)))
    texts = panel_texts(tuple(values), (45,) * 12, (False,) * 12)
    styles = {style_of(text) for text in texts} - {None}
    assert len(styles) <= 1, texts
