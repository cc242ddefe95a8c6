"""One matrix as a heat map with its numbers, drawn fast enough to follow a slider.

The page draws its heat maps itself from numbers (``drawing.py``); this draws the same panels as PNG,
for the export. Each panel is its own small Agg figure. matplotlib draws everything that never changes (title,
tick labels, layout) once, and fixes where each cell lies; that picture is kept as pixels. A
change copies those pixels and writes only what changed straight into them: the cells' colours
from the colour map's own table, their numbers and notes as glyphs from matplotlib's font
engine, the outlines; then encodes them as PNG.

For a step-through, a cell not computed yet can be drawn empty (``pending``), and rows outside the
data, such as the row of 1s under X in the augmented notation [W | b]·[X; 1], faded
(``faded_rows``); without them a picture is drawn, and costs, exactly as before.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
import zlib
from collections.abc import Sequence
from fractions import Fraction

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.transforms import Affine2D

from ..nn.numbers import format_cell

#: Diverging and colour-blind safe (ColorBrewer RdBu), reversed so positive is red; white at 0.
COLORMAP = matplotlib.colormaps["RdBu_r"]
#: The colour map's lookup table as 8-bit RGB.
LUT_RGB = (COLORMAP(np.arange(COLORMAP.N))[:, :3] * 255).astype(np.uint8)
#: Numbers are drawn in black or white, whichever contrasts more with their cell: one of the two
#: always reaches 4.58:1, above WCAG AA's 4.5:1 (#111 instead of black would fall to 4.35:1).
DARK_INK_RGB, LIGHT_INK_RGB = (0, 0, 0), (255, 255, 255)


def _luminances(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of 8-bit sRGB colours along the last axis."""
    channels = np.asarray(rgb, float) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return linear @ [0.2126, 0.7152, 0.0722]


def _contrasts(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """WCAG 2 contrast ratios of 8-bit sRGB colours along the last axis, pair by pair."""
    a, b = _luminances(first), _luminances(second)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def relative_luminance(rgb: Sequence[float]) -> float:
    """WCAG 2 relative luminance of an 8-bit sRGB colour.

    >>> relative_luminance((255, 255, 255)), relative_luminance((0, 0, 0))
    (1.0, 0.0)
    """
    return float(_luminances(rgb))


def contrast_ratio(first: Sequence[float], second: Sequence[float]) -> float:
    """WCAG 2 contrast ratio of two 8-bit sRGB colours, from 1 to 21.

    >>> round(contrast_ratio((255, 255, 255), (118, 118, 118)), 2)
    4.54
    """
    return float(_contrasts(first, second))


#: For each colour of the map, whether dark ink contrasts more with it than light ink.
LUT_TAKES_DARK_INK = np.array([contrast_ratio(c, DARK_INK_RGB) >= contrast_ratio(c, LIGHT_INK_RGB) for c in LUT_RGB])

DPI = 100
#: A cell's side and the space above the cells (title and column labels), in pixels; the
#: controls use the same figures so their rows line up with the heat maps' rows.
CELL_PIXELS, TOP_PIXELS = 46, 62
CELL_INCHES = CELL_PIXELS / DPI
NUMBER_POINTS, MIN_NUMBER_POINTS, NOTE_POINTS = 11, 7, 8
#: Sizes of a panel's title and of its row and column labels, in points.
TITLE_POINTS, LABEL_POINTS = 11, 9
#: Pixels kept clear of a cell's number on its left and on its right.
NUMBER_MARGIN_PIXELS = 2
#: Width of an outline, in pixels, centred on the outlined cells' edge.
OUTLINE_PIXELS = 4
TITLE_INCHES_PER_CHAR = 0.095
#: From the picture's top: the title's baseline; the gap between labels and cells.
TITLE_BASELINE_PIXELS, LABEL_PAD_PIXELS = 34, 4
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 0.42, 0.36, TOP_PIXELS / DPI, 0.08

#: A picture's pixels without its cells are kept compressed above this size, in bytes: the worked
#: example's largest is 0.28 MB, a 16 × 16 panel's 2 MB.
PACKED_BYTES = 400_000

#: Colours of the picture around the cells. Its background is transparent (the page's own shows
#: through, whatever it is): the colour given is what glyph edges are blended with, near the pages'
#: own (JupyterLab's #fff, and #111 to #212121 in its dark theme), and found nowhere else.
THEMES = {
    "light": {"background": "#fefefe", "text": "#1f1f1f", "muted": "#5c5c5c", "highlight": "#1a1a1a",
              "hatch": "#8c8c8c"},
    "dark": {"background": "#1a1a1a", "text": "#e8e8e8", "muted": "#a8a8a8", "highlight": "#ffd54a",
             "hatch": "#8c8c8c"},
}


@dataclasses.dataclass(frozen=True)
class Highlight:
    """Which cells to outline: whole rows, whole columns, and single cells."""

    rows: tuple[int, ...] = ()
    cols: tuple[int, ...] = ()
    cells: tuple[tuple[int, int], ...] = ()


NO_HIGHLIGHT = Highlight()


@dataclasses.dataclass(frozen=True)
class Picture:
    """What a panel shows for some values, cell by cell in reading order: the one description that the
    page's drawing (``drawing.py``) and the PNG (``HeatmapPanel.render``) are both made from.

    texts : each cell's number, as written (``panel_texts``)
    colours : each cell's row of ``LUT_RGB``
    points : each cell's type size: ``NUMBER_POINTS``, or less for a number that does not fit
    hatched : the cells ReLU set to 0 (their numbers bold)
    pending : the cells not computed yet (drawn empty)
    faded_rows : rows drawn faded
    notes : a note right of each row ("off"), or ""
    outlines : the outlined boxes, (top, left, bottom, right) in pixels, centred on their edges
    """

    texts: tuple[str, ...]
    colours: tuple[int, ...]
    points: tuple[int, ...]
    hatched: tuple[bool, ...]
    pending: tuple[bool, ...]
    faded_rows: tuple[int, ...]
    notes: tuple[str, ...]
    outlines: tuple[tuple[int, int, int, int], ...]


def _ink(colour: str) -> np.ndarray:
    return np.array(to_rgb(colour)) * 255


_DARK_INK, _LIGHT_INK = np.array(DARK_INK_RGB, float), np.array(LIGHT_INK_RGB, float)

#: The contrast every number keeps with its cell: WCAG AA for text.
NUMBER_CONTRAST = 4.5
#: A faded cell's colour lies this share of the way from its colour in the map to the page's background.
FADE = 0.7
#: A faded number's ink lies this share of the way from black or white to its cell's colour: muted,
#: or less where a colour needs it to keep ``NUMBER_CONTRAST``.
MUTE = 0.4


@functools.cache
def faded_colours(theme: str) -> tuple[np.ndarray, np.ndarray]:
    """For each colour of the map, its faded colour in ``theme`` and the ink of a number on it: two
    ``COLORMAP.N`` × 3 arrays of 8-bit RGB. Toward the page's background, so lighter on a light page
    and darker on a dark one; the ink is black or white, whichever contrasts more, muted toward the
    cell as far as ``MUTE`` while it keeps ``NUMBER_CONTRAST``."""
    background = _ink(THEMES[theme]["background"])
    cells = np.round(LUT_RGB * (1 - FADE) + background * FADE)
    full = np.where((_contrasts(cells, _DARK_INK) >= _contrasts(cells, _LIGHT_INK))[:, None], _DARK_INK, _LIGHT_INK)
    inks = full.copy()
    for share in np.linspace(0, MUTE, 9)[1:]:  # ever more muted: the ink comes nearer the cell's colour
        muted = np.round(full * (1 - share) + cells * share)
        legible = _contrasts(cells, muted) >= NUMBER_CONTRAST
        inks[legible] = muted[legible]
    return cells.astype(np.uint8), inks.astype(np.uint8)


def colour_indices(values: np.ndarray, vmax: float) -> np.ndarray:
    """Rows of ``LUT_RGB`` for ``values`` on a scale from -vmax to vmax: what
    ``COLORMAP(Normalize(-vmax, vmax)(values))`` picks, without its masked-array overhead."""
    scaled = (values + vmax) / (2 * vmax) * COLORMAP.N
    return np.clip(scaled.astype(int), 0, COLORMAP.N - 1)


@functools.lru_cache(maxsize=64)
def _hatch_mask(height: int, width: int) -> np.ndarray:
    """Diagonal lines every 8 pixels, for a cell of this size."""
    rows, cols = np.indices((height, width))
    return (rows + cols) % 8 == 0


@functools.lru_cache(maxsize=4096)
def _glyphs(text: str, bold: bool, points: int = NUMBER_POINTS) -> np.ndarray:
    """Coverage (0..1, shape h × w) of ``text`` rendered by matplotlib's own font engine.

    A slider change rewrites dozens of cell numbers; laying out and rasterising each as a
    Text artist is most of a redraw, while the distinct strings are few and repeat.
    """
    font = get_font(findfont(FontProperties(weight="bold" if bold else "normal")))
    font.clear()
    font.set_size(points, DPI)
    font.set_text(text, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=True)
    coverage = np.asarray(font.get_image(), dtype=np.float32) / 255.0
    coverage.setflags(write=False)
    return coverage


def _stamp(pixels: np.ndarray, coverage: np.ndarray, top: int, left: int, ink: np.ndarray) -> None:
    """Blend ``ink`` into ``pixels`` (h × w × 3) through ``coverage``, its top left corner at (top, left);
    what falls outside ``pixels`` is left out."""
    coverage = coverage[max(-top, 0):, max(-left, 0):]
    h, w = coverage.shape
    top, left = max(top, 0), max(left, 0)
    region = pixels[top:top + h, left:left + w]
    alpha = coverage[: region.shape[0], : region.shape[1], None]
    region[...] = (region * (1 - alpha) + ink * alpha).astype(np.uint8)


def _fits(text: str, bold: bool, width: int, points: int = NUMBER_POINTS) -> bool:
    return _glyphs(text, bold, points).shape[1] <= width - 2 * NUMBER_MARGIN_PIXELS


def _number(value: object) -> float | Fraction:
    """A cell's value as ``cell_text`` takes it: an exact fraction as it is, anything else as a float."""
    return value if isinstance(value, Fraction) else float(value)


@functools.lru_cache(maxsize=4096)
def cell_text(value: float | Fraction, width: int, bold: bool = False, vmax: float = 1.0) -> str:
    """The text of ``value`` alone in a cell ``width`` pixels wide: ``panel_texts`` of a one-cell panel.

    Examples
    --------
    >>> cell_text(-12.345, 45), cell_text(0.456, 45), cell_text(-0.456, 45), cell_text(-0.02, 45)
    ('−12', '0.46', '−0.5', '−.02')
    >>> cell_text(-1.2e-16, 45, vmax=5.0), cell_text(1234.0, 45)
    ('−1e−16', '1234')
    """
    return panel_texts((value,), (width,), (bold,))[0]


#: A panel's number formats in the order tried: plain decimals, then the same without the 0 before the point
#: (−.02, .5: every number below 1 of the panel so), then powers of ten; each with 3, 2, then 1 digits.
FORMATS = tuple((digits, style) for style in ("fixed", "bare", "powers") for digits in (3, 2, 1))


def _bare(text: str) -> str:
    """A number below 1 without its leading 0: "−0.02" → "−.02"."""
    return "." + text[2:] if text.startswith("0.") else "−." + text[3:] if text.startswith("−0.") else text


def panel_texts(values: Sequence[float | Fraction], widths: Sequence[int], bold: Sequence[bool]) -> list[str]:
    """The numbers of one panel's cells, all in one format (``FORMATS``): the first in which every cell's
    number fits at ``NUMBER_POINTS``, so that numbers side by side keep one size, one precision and one
    notation (never −9e−3 beside 0.08, nor −.07 beside 0.08). Failing all, the one-digit format whose widest
    number is narrowest; a cell it does not fit draws its number smaller. Whole numbers below 10⁴ are written
    whole in every format. The digits are the exact value's (``format_cell``): a value is never written 0
    unless it is 0. The value tables keep more digits.

    >>> panel_texts((-0.009, 0.007, -0.07, 0.08), (45,) * 4, (False,) * 4)
    ['−.009', '.007', '−.07', '.08']
    >>> panel_texts((12.5, -3.0, 0.25), (45,) * 3, (False,) * 3)
    ['12.5', '−3', '0.25']
    """
    numbers = [_number(v) for v in values]
    cells = list(zip(widths, bold))
    best, rank = None, None
    for digits, style in FORMATS:
        if style == "bare":
            texts = [_bare(format_cell(v, digits, "fixed")) for v in numbers]
        else:
            texts = [format_cell(v, digits, style) for v in numbers]
        fitting = sum(_fits(text, b, width) for text, (width, b) in zip(texts, cells))
        if fitting == len(texts):
            return texts
        widest = max(_glyphs(text, b).shape[1] for text, (_, b) in zip(texts, cells))
        if digits == 1 and (rank is None or (-widest, fitting) > rank):
            best, rank = texts, (-widest, fitting)
    return best


@functools.lru_cache(maxsize=4096)
def _points(text: str, bold: bool, width: int) -> int:
    """The type size of ``text`` in a cell ``width`` pixels wide: ``NUMBER_POINTS``, or smaller where it does
    not fit (down to ``MIN_NUMBER_POINTS``), so that it is never cut."""
    points = NUMBER_POINTS
    while not _fits(text, bold, width, points) and points > MIN_NUMBER_POINTS:
        points -= 1
    return points


def _centre_number(pixels: np.ndarray, text: str, bold: bool, ink: np.ndarray) -> None:
    """Write ``text`` in the middle of one cell's ``pixels``: smaller where it does not fit, not cut."""
    height, width, _ = pixels.shape
    coverage = _glyphs(text, bold, _points(text, bold, width))
    h, w = coverage.shape
    _stamp(pixels, coverage, height // 2 - h // 2, width // 2 - w // 2, ink)


@functools.lru_cache(maxsize=1024)  # a 46 × 46 cell is 6 kB
def _cell(height: int, width: int, colour: int, hatched: bool, text: str,
          hatch_ink: tuple[float, ...] | None) -> np.ndarray:
    """The pixels of one cell: its colour, the hatch if ReLU zeroed it, and its number, centred;
    in the ink of more contrast with the colour, bold on hatched cells."""
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[...] = LUT_RGB[colour]
    if hatched:
        pixels[_hatch_mask(height, width)] = hatch_ink
    _centre_number(pixels, text, hatched, _DARK_INK if LUT_TAKES_DARK_INK[colour] else _LIGHT_INK)
    pixels.setflags(write=False)
    return pixels


@functools.lru_cache(maxsize=256)
def _faded_cell(height: int, width: int, colour: int, text: str, theme: str) -> np.ndarray:
    """The pixels of one cell of a faded row: its colour faded toward the page, its number muted."""
    cells, inks = faded_colours(theme)
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[...] = cells[colour]
    _centre_number(pixels, text, False, inks[colour].astype(float))
    pixels.setflags(write=False)
    return pixels


@functools.lru_cache(maxsize=64)
def _empty_cell(height: int, width: int, background: tuple[int, ...], border: tuple[int, ...]) -> np.ndarray:
    """The pixels of a cell not computed yet: the page's own background inside a one-pixel border."""
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[...] = background
    pixels[[0, -1], :] = border
    pixels[:, [0, -1]] = border
    pixels.setflags(write=False)
    return pixels


class HeatmapPanel:
    """A fixed-shape heat map with a number in every cell.

    Parameters
    ----------
    title : str
    row_labels, col_labels : sequence of str
        One per row and column; ``col_labels`` are shown on top.
    split_after : int, optional
        Draw a separating line after this column (between W and b).
    theme : {"light", "dark"}
    """

    def __init__(
        self,
        title: str,
        row_labels: Sequence[str],
        col_labels: Sequence[str],
        split_after: int | None = None,
        theme: str = "light",
    ) -> None:
        self.shape = (len(row_labels), len(col_labels))
        self.theme = theme
        self.colors = THEMES[theme]
        self.title, self.row_labels, self.col_labels = title, tuple(row_labels), tuple(col_labels)
        rows, cols = self.shape
        # wide enough for the title too, when there are few columns (a batch of one)
        self._inches = (max(MARGIN_LEFT + cols * CELL_INCHES + MARGIN_RIGHT,
                            MARGIN_LEFT + TITLE_INCHES_PER_CHAR * len(title)),
                        MARGIN_TOP + rows * CELL_INCHES + MARGIN_BOTTOM)
        # the picture's size as matplotlib's Agg canvas makes it: its figure's inches through the same
        # transform, in whole pixels, rounded down unless within 1e-8 of the next (FigureCanvasBase.get_width_height)
        width, height = Affine2D().scale(DPI).transform([self._inches])[0]
        self.size = (int(height + 1e-8), int(width + 1e-8))
        #: The cells' top left corner, in pixels.
        self.corner = (MARGIN_LEFT * DPI, float(TOP_PIXELS))
        self._boxes = self._cell_boxes(split_after)
        self.notes_at = [self._to_pixels(cols - 0.5 + 0.12, r) for r in range(rows)]
        self._hatch_ink = _ink(self.colors["hatch"])
        self._note_ink = _ink(self.colors["muted"])
        self._transparent = tuple(int(v) for v in _ink(self.colors["background"]))
        self._empty_border = tuple(int(v) for v in self._note_ink)
        self._outline = _ink(self.colors["highlight"])
        self._blank: bytes | None = None
        self._last_key: object = None

    def _to_pixels(self, x: float, y: float) -> tuple[int, int]:
        """Cell coordinates (column x, row y; a cell's centre is whole) to the picture's (row, column)."""
        left, top = self.corner
        return int(round(top + (y + 0.5) * CELL_PIXELS)), int(round(left + (x + 0.5) * CELL_PIXELS))

    def _blank_rows(self) -> np.ndarray:
        """The picture without its cells (title and labels, drawn by matplotlib), as PNG rows to write into:
        made at the first render, since the page draws its own pictures and only an export needs these."""
        if self._blank is None:
            width, height = self._inches
            figure = Figure(figsize=(width, height), dpi=DPI, facecolor=self.colors["background"])
            canvas = FigureCanvasAgg(figure)
            left, top = self.corner

            def text(x: float, y: float, label: str, **style) -> None:
                """Write at pixel (x from the left, y from the top)."""
                figure.text(x / (width * DPI), 1 - y / (height * DPI), label, **style)

            # Texts placed on the figure directly: an Axes would lay out ticks and spines that are
            # never shown, and cost most of the time to open a page.
            text(left, TITLE_BASELINE_PIXELS, self.title, fontsize=TITLE_POINTS, color=self.colors["text"],
                 va="baseline")
            for c, label in enumerate(self.col_labels):
                text(left + (c + 0.5) * CELL_PIXELS, top - LABEL_PAD_PIXELS, label, fontsize=LABEL_POINTS,
                     color=self.colors["muted"], ha="center", va="bottom")
            for r, label in enumerate(self.row_labels):
                text(left - LABEL_PAD_PIXELS, top + (r + 0.5) * CELL_PIXELS, label, fontsize=LABEL_POINTS,
                     color=self.colors["muted"], ha="right", va="center_baseline")
            canvas.draw()
            drawn = np.asarray(canvas.buffer_rgba())
            # a matplotlib that rounds the size another way draws a pixel more or less of the margin
            rgba = np.empty((*self.size, 4), np.uint8)
            rgba[...] = drawn[0, 0]
            height, width = min(self.size[0], drawn.shape[0]), min(self.size[1], drawn.shape[1])
            rgba[:height, :width] = drawn[:height, :width]
            pixel_height, pixel_width = self.size
            # The picture as PNG rows: a filter byte (0, none), then the RGB pixels of the row; each
            # render copies it into a buffer of its own. A large one is kept compressed (a 16 × 16
            # panel's 2 MB in 30 kB). A small one is copied faster than unpacked.
            blank = np.zeros((pixel_height, 1 + 3 * pixel_width), np.uint8)
            blank[:, 1:].reshape(pixel_height, pixel_width, 3)[...] = rgba[..., :3]
            self._packed = blank.nbytes > PACKED_BYTES
            self._blank = zlib.compress(blank, 1) if self._packed else blank.tobytes()
        height, width = self.size
        blank = zlib.decompress(self._blank) if self._packed else self._blank
        return np.frombuffer(bytearray(blank), np.uint8).reshape(height, 1 + 3 * width)

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """Where cell (row, col) lies in the picture, in pixels: (top, bottom, left, right)."""
        return self._boxes[row * self.shape[1] + col]

    def _cell_boxes(self, split_after: int | None) -> list[tuple[int, int, int, int]]:
        """Pixel rows and columns (top, bottom, left, right) of each cell, inside a 1-pixel grid gap
        (3 pixels between W and b)."""
        boxes = []
        for r, c in np.ndindex(self.shape):
            (top, left), (bottom, right) = self._to_pixels(c - 0.5, r - 0.5), self._to_pixels(c + 0.5, r + 0.5)
            right -= 3 if c == split_after else 1
            bottom -= 1
            boxes.append((min(top, bottom), max(top, bottom), left, right))
        return boxes

    def render(self, *arguments: object, **keywords: object) -> bytes | None:
        """PNG bytes of the panel showing ``values`` (the arguments of ``picture``), or None when nothing
        visible changed."""
        picture = self.picture(*arguments, **keywords)
        if picture == self._last_key:
            return None
        png = self.png(picture)
        self._last_key = picture
        return png

    def png(self, picture: Picture) -> bytes:
        """PNG bytes of ``picture`` (one of this panel's ``picture``): the page's drawing, as a file."""
        rows = self._blank_rows()
        height, width = self.size
        self._paint(rows[:, 1:].reshape(height, width, 3), picture)
        return encode_png_rows(rows, transparent=self._transparent)

    def picture(
        self,
        values: np.ndarray,
        vmax: float,
        zeroed: np.ndarray | None = None,
        row_notes: Sequence[str] | None = None,
        highlight: Highlight = NO_HIGHLIGHT,
        pending: np.ndarray | None = None,
        faded_rows: Sequence[int] | None = None,
        exact: np.ndarray | None = None,
    ) -> Picture:
        """What the panel shows for ``values``, cell by cell.

        Parameters
        ----------
        values : ndarray, shape ``self.shape``
        vmax : float
            Colour scale runs from -vmax to vmax; panels of one layer share it.
        zeroed : bool ndarray, optional
            Cells that ReLU set to 0: hatched, so the mark does not rely on colour.
        row_notes : sequence of str, optional
            A short note right of each row (e.g. "off").
        highlight : Highlight
        pending : bool ndarray, shape ``self.shape``, optional
            Cells not computed yet in a step-through: drawn empty, the page's background in a thin
            muted border, with no colour and no number (their values, even NaN, are not read).
        faded_rows : sequence of int, optional
            Rows drawn faded: their colours toward the page's background, their numbers muted yet at
            4.5:1 or more; never hatched. For a row outside the data, as the row of 1s under X.
        exact : object ndarray of Fraction, shape ``self.shape``, optional
            The values exactly, when ``values`` are their floats: the numbers written are rounded from
            these, so they are the digits every other view shows (``Trace.exact``).

        None, an all-False ``pending`` and an empty ``faded_rows`` draw what a call without them draws.
        """
        if values.shape != self.shape:
            raise ValueError(f"panel expects shape {self.shape}, got {values.shape}")
        zeroed = np.zeros(self.shape, bool) if zeroed is None else zeroed
        row_notes = tuple(row_notes or ("",) * self.shape[0])
        pending = None if pending is None else self._pending(pending)
        faded_rows = None if faded_rows is None else self._faded_rows(faded_rows)
        shown = values
        if pending is not None:  # what lies under an empty cell is never drawn, nor a change
            shown, zeroed = np.where(pending, 0.0, values), zeroed & ~pending
        numbers = shown if exact is None else np.where(pending if pending is not None else False, 0, exact)
        widths = tuple(right - left for _, _, left, right in self._boxes)
        hatched = tuple(bool(b) for b in zeroed.ravel())
        texts = panel_texts(tuple(numbers.ravel()), widths, hatched)
        return Picture(
            texts=tuple(texts),
            colours=tuple(int(c) for c in colour_indices(shown, vmax).ravel()),
            points=tuple(_points(text, bold, width) for text, bold, width in zip(texts, hatched, widths)),
            hatched=hatched,
            pending=tuple(bool(p) for p in pending.ravel()) if pending is not None else (False,) * len(texts),
            faded_rows=faded_rows or (),
            notes=row_notes,
            outlines=self._outline_boxes(highlight),
        )

    def _pending(self, pending: np.ndarray) -> np.ndarray | None:
        """``pending`` checked, as a boolean array; None if no cell is pending."""
        pending = np.asarray(pending)
        if pending.shape != self.shape or pending.dtype != bool:
            raise ValueError(f"pending must be a boolean array of the panel's shape {self.shape}; "
                             f"got {pending.dtype} of shape {pending.shape}")
        return pending if pending.any() else None

    def _faded_rows(self, faded_rows: Sequence[int]) -> tuple[int, ...] | None:
        """``faded_rows`` checked, as sorted distinct rows; None if there are none."""
        rows = self.shape[0]
        if isinstance(faded_rows, (str, bytes)) or not all(
                isinstance(r, (int, np.integer)) and not isinstance(r, bool) and 0 <= r < rows for r in faded_rows):
            raise ValueError(f"faded_rows must be row numbers from 0 to {rows - 1}; got {str(faded_rows)[:40]}")
        return tuple(sorted({int(r) for r in faded_rows})) or None

    def forget(self) -> None:
        """The last picture did not reach the page: the next ``render`` draws even if nothing changed."""
        self._last_key = None

    def _paint(self, pixels: np.ndarray, picture: Picture) -> None:
        """Paint each cell: its colour, hatched if ReLU zeroed it, and its number on top; faded rows and
        pending cells over again; then the row notes and the outlines.

        Every cell is a uniform rectangle at a fixed place, so a finished cell is a small block
        of pixels that depends only on its size, colour, mark and number; those repeat from one
        slider step to the next, so each is made once and then copied into place.
        """
        cols = self.shape[1]
        for k, ((top, bottom, left, right), text, colour, hatched, empty) in enumerate(zip(
                self._boxes, picture.texts, picture.colours, picture.hatched, picture.pending)):
            if empty:
                block = _empty_cell(bottom - top, right - left, self._transparent, self._empty_border)
            elif k // cols in picture.faded_rows:
                block = _faded_cell(bottom - top, right - left, colour, text, self.theme)
            else:
                block = _cell(bottom - top, right - left, colour, hatched, text,
                              tuple(self._hatch_ink) if hatched else None)
            pixels[top:bottom, left:right] = block
        for note, (y, x) in zip(picture.notes, self.notes_at):
            if note:
                coverage = _glyphs(note, True, NOTE_POINTS)
                _stamp(pixels, coverage, y - coverage.shape[0] // 2, x, self._note_ink)
        half = OUTLINE_PIXELS // 2
        for top, left, bottom, right in picture.outlines:
            top, left = max(top - half, 0), max(left - half, 0)
            edges = ((top, top + OUTLINE_PIXELS, left, right + half),  # (top, bottom, left, right) of each
                     (bottom - half, bottom + half, left, right + half),
                     (top, bottom + half, left, left + OUTLINE_PIXELS),
                     (top, bottom + half, right - half, right + half))
            for edge_top, edge_bottom, edge_left, edge_right in edges:
                pixels[edge_top:edge_bottom, edge_left:edge_right] = self._outline

    def _outline_boxes(self, highlight: Highlight) -> tuple[tuple[int, int, int, int], ...]:
        """The boxes (top, left, bottom, right) that frame whole rows, whole columns and single cells."""
        rows, cols = self.shape
        boxes = [(-0.5, r - 0.5, cols, 1) for r in highlight.rows]
        boxes += [(c - 0.5, -0.5, 1, rows) for c in highlight.cols]
        boxes += [(c - 0.5, r - 0.5, 1, 1) for r, c in highlight.cells]
        return tuple((*self._to_pixels(x, y), *self._to_pixels(x + w, y + h)) for x, y, w, h in boxes)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png_rows(rows: np.ndarray, transparent: tuple[int, int, int] | None = None) -> bytes:
    """An 8-bit RGB PNG from its rows: each a filter byte (0: none), then the row's RGB bytes.

    Written directly: flat colour areas compress well without PNG's per-row filters, and
    skipping them makes encoding about three times faster than Pillow's, on every slider step.
    Pixels of the colour ``transparent`` are see-through (PNG's tRNS chunk).
    """
    height, row_bytes = rows.shape
    header = struct.pack(">IIBBBBB", (row_bytes - 1) // 3, height, 8, 2, 0, 0, 0)
    see_through = _png_chunk(b"tRNS", struct.pack(">HHH", *transparent)) if transparent is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + see_through
            + _png_chunk(b"IDAT", zlib.compress(np.ascontiguousarray(rows), 3)) + _png_chunk(b"IEND", b""))
