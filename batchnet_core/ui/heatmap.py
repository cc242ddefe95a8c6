"""One matrix as a heat map with its numbers, drawn fast enough to follow a slider.

Each panel is its own small Agg figure. Everything that never changes (title, tick labels,
grid lines) is drawn once and kept as a bitmap; a change restores that bitmap and draws only
the changing artists (colours, numbers, marks) on top, then encodes the pixels as PNG.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
import zlib
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.patches import Rectangle

from ..numbers import format_number

#: Diverging and colour-blind safe (ColorBrewer RdBu), reversed so positive is red; white at 0.
COLORMAP = matplotlib.colormaps["RdBu_r"]

DPI = 100
#: A cell's side and the space above the cells (title and column labels), in pixels; the
#: controls use the same figures so their rows line up with the heat maps' rows.
CELL_PIXELS, TOP_PIXELS = 46, 62
CELL_INCHES = CELL_PIXELS / DPI
NUMBER_POINTS = 11
TITLE_INCHES_PER_CHAR = 0.095
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 0.42, 0.36, TOP_PIXELS / DPI, 0.08

THEMES = {
    "light": {"background": "#ffffff", "text": "#1f1f1f", "muted": "#6b6b6b", "highlight": "#1a1a1a",
              "hatch": "#8c8c8c"},
    "dark": {"background": "#1e1e1e", "text": "#e8e8e8", "muted": "#a0a0a0", "highlight": "#ffd54a",
             "hatch": "#6a6a6a"},
}


@dataclasses.dataclass(frozen=True)
class Highlight:
    """Which cells to outline: whole rows, whole columns, and single cells."""

    rows: tuple[int, ...] = ()
    cols: tuple[int, ...] = ()
    cells: tuple[tuple[int, int], ...] = ()


NO_HIGHLIGHT = Highlight()
_DARK_INK = np.array(to_rgb("#111111")) * 255
_LIGHT_INK = np.array([255.0, 255.0, 255.0])


@functools.lru_cache(maxsize=64)
def _hatch_mask(height: int, width: int) -> np.ndarray:
    """Diagonal lines every 8 pixels, for a cell of this size."""
    rows, cols = np.indices((height, width))
    return (rows + cols) % 8 == 0


@functools.lru_cache(maxsize=4096)
def _glyphs(text: str, bold: bool) -> np.ndarray:
    """Coverage (0..1, shape h × w) of ``text`` rendered by matplotlib's own font engine.

    A slider change rewrites dozens of cell numbers; laying out and rasterising each as a
    Text artist is most of a redraw, while the distinct strings are few and repeat.
    """
    font = get_font(findfont(FontProperties(weight="bold" if bold else "normal")))
    font.clear()
    font.set_size(NUMBER_POINTS, DPI)
    font.set_text(text, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=True)
    coverage = np.asarray(font.get_image(), dtype=np.float32) / 255.0
    coverage.setflags(write=False)
    return coverage


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
        self.colors = THEMES[theme]
        rows, cols = self.shape
        # wide enough for the title too, when there are few columns (a batch of one)
        width = max(MARGIN_LEFT + cols * CELL_INCHES + MARGIN_RIGHT, MARGIN_LEFT + TITLE_INCHES_PER_CHAR * len(title))
        height = MARGIN_TOP + rows * CELL_INCHES + MARGIN_BOTTOM
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor=self.colors["background"])
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.figure.add_axes(
            (MARGIN_LEFT / width, MARGIN_BOTTOM / height, cols * CELL_INCHES / width, rows * CELL_INCHES / height)
        )
        self.ax = ax
        ax.set_facecolor(self.colors["background"])
        ax.set_title(title, fontsize=11, color=self.colors["text"], pad=20, loc="left")
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.xaxis.tick_top()
        ax.set_xticks(range(cols), col_labels, fontsize=9, color=self.colors["muted"])
        ax.set_yticks(range(rows), row_labels, fontsize=9, color=self.colors["muted"])
        ax.tick_params(length=0, pad=3)
        for spine in ax.spines.values():
            spine.set_visible(False)

        self.row_notes = [
            ax.text(cols - 0.5 + 0.12, r, "", ha="left", va="center", fontsize=8, fontweight="bold",
                    color=self.colors["muted"], animated=True, clip_on=False)
            for r in range(rows)
        ]
        self.outlines = [
            ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=self.colors["highlight"], linewidth=3,
                                   animated=True, clip_on=False, zorder=5))
            for _ in range(rows + cols + 2)
        ]
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._pixels = np.asarray(self.canvas.buffer_rgba())
        self._boxes = self._cell_boxes(split_after)
        self._centres = [((top + bottom) // 2, (left + right) // 2) for top, bottom, left, right in self._boxes]
        self._hatch_ink = np.array(to_rgb(self.colors["hatch"])) * 255
        self.norm = Normalize(-1, 1)
        self.values = np.zeros(self.shape)
        self._last_key: object = None

    def _cell_boxes(self, split_after: int | None) -> list[tuple[int, int, int, int]]:
        """Pixel rows and columns (top, bottom, left, right) of each cell, inside a 1-pixel grid gap
        (3 pixels between W and b), as matplotlib's transform places them."""
        height = self._pixels.shape[0]
        boxes = []
        for r, c in np.ndindex(self.shape):
            (x0, y0), (x1, y1) = self.ax.transData.transform([(c - 0.5, r - 0.5), (c + 0.5, r + 0.5)])
            left, right = int(round(x0)), int(round(x1))
            top, bottom = int(round(height - y0)), int(round(height - y1))
            right -= 3 if c == split_after else 1
            bottom -= 1
            boxes.append((min(top, bottom), max(top, bottom), left, right))
        return boxes

    def render(
        self,
        values: np.ndarray,
        vmax: float,
        zeroed: np.ndarray | None = None,
        row_notes: Sequence[str] | None = None,
        highlight: Highlight = NO_HIGHLIGHT,
    ) -> bytes | None:
        """PNG bytes of the panel showing ``values``, or None when nothing visible changed.

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
        """
        if values.shape != self.shape:
            raise ValueError(f"panel expects shape {self.shape}, got {values.shape}")
        rows, cols = self.shape
        zeroed = np.zeros(self.shape, bool) if zeroed is None else zeroed
        row_notes = tuple(row_notes or ("",) * rows)
        key = (values.tobytes(), vmax, zeroed.tobytes(), row_notes, highlight)
        if key == self._last_key:
            return None
        self._last_key = key
        self.values = values
        self.norm.vmin, self.norm.vmax = -vmax, vmax

        self.canvas.restore_region(self._background)
        self._fill_cells(values, zeroed)
        for note, text in zip(row_notes, self.row_notes):
            if note:
                text.set_text(note)
                self.ax.draw_artist(text)
        boxes = [(-0.5, r - 0.5, cols, 1) for r in highlight.rows]
        boxes += [(c - 0.5, -0.5, 1, rows) for c in highlight.cols]
        boxes += [(c - 0.5, r - 0.5, 1, 1) for r, c in highlight.cells]
        for outline, (x, y, w, h) in zip(self.outlines, boxes):
            outline.set_bounds(x, y, w, h)
            self.ax.draw_artist(outline)
        self._stamp_numbers(values, zeroed)
        return self._png()

    def _fill_cells(self, values: np.ndarray, zeroed: np.ndarray) -> None:
        """Paint each cell in its colour; hatch the cells ReLU zeroed.

        Every cell is a uniform rectangle at a fixed place, so filling its pixels directly gives
        what drawing an image artist would, at a fraction of the cost on every slider step.
        """
        colours = (COLORMAP(self.norm(values))[..., :3] * 255).reshape(-1, 3)
        pixels = self._pixels
        for (top, bottom, left, right), colour, hatched in zip(self._boxes, colours, zeroed.ravel()):
            cell = pixels[top:bottom, left:right, :3]
            cell[...] = colour
            if hatched:
                cell[_hatch_mask(bottom - top, right - left)] = self._hatch_ink

    def _stamp_numbers(self, values: np.ndarray, zeroed: np.ndarray) -> None:
        """Write each cell's number into the pixels, dark on light cells and light on dark ones."""
        rgba = COLORMAP(self.norm(values))
        light_cells = (rgba[..., :3] @ [0.299, 0.587, 0.114]) > 0.55
        pixels = self._pixels
        for (r, c), (y, x) in zip(np.ndindex(self.shape), self._centres):
            coverage = _glyphs(format_number(values[r, c], digits=3), bool(zeroed[r, c]))
            h, w = coverage.shape
            top, left = y - h // 2, x - w // 2
            region = pixels[top:top + h, left:left + w, :3]
            ink = _DARK_INK if light_cells[r, c] else _LIGHT_INK
            alpha = coverage[: region.shape[0], : region.shape[1], None]
            region[...] = (region * (1 - alpha) + ink * alpha).astype(np.uint8)

    def _png(self) -> bytes:
        return encode_png(self._pixels[..., :3])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` (height × width × 3, uint8).

    Written directly: flat colour areas compress well without PNG's per-row filters, and
    skipping them makes encoding about three times faster than Pillow's, on every slider step.
    """
    height, width, _ = rgb.shape
    rows = np.zeros((height, width * 3 + 1), np.uint8)  # each row: filter type 0, then pixels
    rows[:, 1:] = rgb.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 3)) + _png_chunk(b"IEND", b""))
