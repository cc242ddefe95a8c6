"""The printed worksheet: a state as a PDF for a class to write on, and its answer key as another.

The students' sheet gives X and each layer's W | b with their numbers, prints the result cells that
are given and leaves the blank ones (every result cell unless told which) an empty box to fill by
hand, with room for working under each row of results; it never holds an answer. The key, a file of
its own, fills every cell, the blanks' answers in black and the given results in grey, and hatches
where ReLU set a sum to 0. A class set is one page per version, each headed with its version: the
state itself, then the same network on other whole-number inputs. Both files lay the matrices out
as ``notation.panels`` places them, in the notation asked for. Black ink on light tints (red for
positive, blue for negative, white for 0, as on the screen), so that a grey photocopy still reads.

A blank cell is at least 10.6 × 8.6 mm between its lines (10 × 8 mm to write in), up to 1.3 times
that where the page has room, and the room for working takes whatever the page has left, so a small
network fills its page. The page is A4, portrait, or landscape where that gives numbers a point
larger; numbers are 7 to 12 points. A state that A4 cannot hold so is printed on the smallest larger
ISO paper (A3, A2, ...) that holds it, rather than in smaller cells.

matplotlib (the ``ui`` extra) draws the pages; it is imported only when a worksheet is made, so
``import batchnet_core`` stays numpy only.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
from fractions import Fraction
from typing import BinaryIO

import numpy as np

from .exercises import Cell
from .nn.activations import zeroing_labels
from .nn.forward import forward
from .nn.layers import layers_of, result_names
from .nn.numbers import format_cell
from .nn.state import State
from .notation import Notation, Panel, notation, panels

#: ISO papers in points, portrait: A4 first, then each next size up for states A4 cannot hold.
PAPERS = (("A4", 595.28, 841.89), ("A3", 841.89, 1190.55), ("A2", 1190.55, 1683.78),
          ("A1", 1683.78, 2383.94), ("A0", 2383.94, 3370.39))
MARGIN = 30.0  # points: about 1 cm, inside what printers reach
#: The numbers' size in points: as large as the paper allows up to the most, never below the least.
MIN_POINTS, MAX_POINTS = 7.0, 12.0
MM = 72 / 25.4  # points in a millimetre
#: A blank cell's least size between its lines, in points: 10 × 8 mm to write in, inside lines of up to 0.9 points.
BLANK_WIDTH, BLANK_HEIGHT = 10.6 * MM, 8.6 * MM
#: The least room for working under a row of results with blanks: two lines of handwriting. A page
#: with more room makes its blank cells larger, up to GROW times, while each room keeps twice this,
#: and gives the rest to working.
WORKING = 16 * MM
GROW = 1.3
#: A cell's least height and width in numbers' sizes, blank or given.
RATIO = 2.2
MAX_VERSIONS = 100  # a class set: one page per student of the largest class, and more
DIGITS = 4  # significant digits of a number that is not whole
FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
TITLE_POINTS, TEXT_POINTS, LEADING = 12.0, 9.0, 1.3  # the page's heading, its lines under it, their spacing
INK, MUTED, GRID, HATCH = "#000000", "#505050", "#8c8c8c", "#8c8c8c"
_FADED_RGB = (0.925, 0.925, 0.925)  # the given row of 1s
TINT, TINT_STEPS = 0.3, 8  # how much of the colour map's colour a cell gets (the rest is white), in steps
# Lines, in points: around a matrix, between W and b, between cells, the hatch.
OUTLINE_POINTS, SPLIT_POINTS, GRID_POINTS, HATCH_POINTS = 0.9, 1.6, 0.4, 0.5
# In numbers' sizes (ems): the title band and column labels above the cells, the gaps, a cell's
# padding, the hatch's spacing.
TITLE_EM, LABEL_EM, ROW_GAP_EM, COLUMN_GAP_EM, PADDING_EM, HATCH_STEP = 1.3, 1.15, 0.7, 1.4, 0.5, 0.45


@functools.lru_cache(maxsize=8192)
def _em(text: str, bold: bool = False) -> float:
    """The width of ``text`` in ems: its width in points at 1 point."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=FONT, weight="bold" if bold else "normal", size=100)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0] / 100


def _widest(texts) -> float:
    return max((_em(text) for text in texts), default=0.0)


def _wrap(text: str, points: float, width: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` points, broken between words."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _em(f"{lines[-1]} {word}", bold) * points <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


@dataclasses.dataclass(frozen=True)
class _Matrix:
    """One panel with what it shows: its numbers as written, which are given, which ReLU zeroed."""

    panel: Panel
    texts: np.ndarray  # str, the drawn matrix's shape
    values: np.ndarray
    given: bool  # X or a W | b: printed on both pages
    faded: np.ndarray  # bool: the row of 1s, given on both pages
    zeroed: np.ndarray  # bool: set to 0 by ReLU, hatched on the answers
    blank: np.ndarray  # bool: left empty on the students' sheet
    split_below: int | None  # Wᵀ ; b: the row above which b is drawn, as split_after is for W | b

    @property
    def shape(self) -> tuple[int, int]:
        return self.texts.shape


def _matrices(state: State, convention: str, blanks: frozenset[Cell] = frozenset()) -> list[_Matrix]:
    trace = forward(state)
    everything = {**dict(state.items()), **dict(trace.items())}
    exact = {**everything, **{name: trace.exact(name) for name, _ in trace.items()}}  # the digits' source
    shown = []

    def drawn(panel: Panel, mask: np.ndarray, faded: np.ndarray) -> np.ndarray:
        """A mask of the model's result as the panel draws it: transposed or with its row of 1s (never marked)."""
        return (np.asarray(panel.draw({**everything, panel.result: mask.astype(float)})) == 1) & ~faded

    for panel in panels(state.sizes, convention, state.activations):
        values = np.asarray(panel.draw(everything), float)
        faded = np.zeros(values.shape, bool)
        faded[list(panel.faded_rows)] = True
        zeroed = np.zeros(values.shape, bool)
        blank = np.zeros(values.shape, bool)
        if panel.result is not None:
            mask = np.zeros(trace[panel.result].shape, bool)
            for cell in blanks:
                if cell.layer == panel.result:
                    mask[cell.row, cell.col] = True
            blank = drawn(panel, mask, faded)
        if panel.result is not None and panel.result == panel.layer.post:
            zeroed = drawn(panel, trace.zeroed(panel.layer.pre), faded)
        texts = np.array([[format_cell(v if isinstance(v, Fraction) else float(v), DIGITS) for v in row]
                          for row in panel.draw(exact)], dtype=object)
        # inputs as rows write W's transpose with b as its last row: set apart as W | b's last column is
        split_below = len(panel.row_labels) - 2 if panel.transposed and len(panel.matrices) == 2 else None
        shown.append(_Matrix(panel, texts, values, panel.result is None, faded, zeroed, blank, split_below))
    return shown


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where everything goes, in points from the page's top left corner."""

    paper: str
    width: float
    height: float
    points: float  # the numbers' size
    cell_height: float
    cell_widths: tuple[float, ...]  # per column of the staircase
    cells_at: dict[str, tuple[float, float]]  # panel key: its cells' top left corner


class _Staircase:
    """The staircase's size in points, for numbers of ``points`` and ``working`` points of room for
    working under each row of results with blanks. Its columns are as wide as the widest number of
    every version."""

    def __init__(self, versions: list[list[_Matrix]]):
        self.matrices = matrices = versions[0]
        self.grid_rows = 1 + max(m.panel.place[0] for m in matrices)
        self.grid_columns = 1 + max(m.panel.place[1] for m in matrices)
        every = [m for version in versions for m in version]
        # the widest number or column label of each staircase column, and the widest row label, in ems
        self.widest = [max((max(_widest(m.texts.ravel()), _widest(m.panel.col_labels)) for m in every
                            if m.panel.place[1] == c), default=0.0) for c in range(self.grid_columns)]
        self.labels = [max((_widest(m.panel.row_labels) for m in self.column(c)), default=0.0) + PADDING_EM
                       for c in range(self.grid_columns)]
        self.blank_columns = [any(m.blank.any() for m in self.column(c)) for c in range(self.grid_columns)]
        self.working_rows = [any(m.blank.any() for m in matrices if m.panel.place[0] == r)
                             for r in range(self.grid_rows)]

    def column(self, c: int) -> list[_Matrix]:
        return [m for m in self.matrices if m.panel.place[1] == c]

    def cell_height(self, points: float, grow: float = 1.0) -> float:
        return max(BLANK_HEIGHT * grow, RATIO * points)

    def cell_widths(self, points: float, grow: float = 1.0) -> list[float]:
        return [max(RATIO * points, (widest + PADDING_EM) * points, BLANK_WIDTH * grow if blank else 0.0)
                for widest, blank in zip(self.widest, self.blank_columns)]

    def column_widths(self, points: float, grow: float = 1.0) -> list[float]:
        widths = []
        for c, cell in enumerate(self.cell_widths(points, grow)):
            widths.append(max((self.labels[c] * points + max(m.shape[1] * cell, _em(m.panel.title, True) * points)
                               for m in self.column(c)), default=0.0))
        return widths

    def row_heights(self, points: float, working: float, grow: float = 1.0) -> list[float]:
        cell = self.cell_height(points, grow)
        return [(TITLE_EM + LABEL_EM) * points
                + max((m.shape[0] * cell for m in self.matrices if m.panel.place[0] == r), default=0.0)
                + (working if self.working_rows[r] else 0.0) for r in range(self.grid_rows)]

    def size(self, points: float, working: float, grow: float = 1.0) -> tuple[float, float]:
        """(width, height) in points."""
        return (sum(self.column_widths(points, grow)) + COLUMN_GAP_EM * points * (self.grid_columns - 1),
                sum(self.row_heights(points, working, grow)) + ROW_GAP_EM * points * (self.grid_rows - 1))

    def fit(self, width: float, height: float) -> tuple[float, float, float] | None:
        """The largest numbers (points) with which the staircase fits ``width`` × ``height`` points with
        at least WORKING of room for working; then how much larger its blank cells can be (``grow``)
        and the room for working it then has. None if nothing fits."""
        points = MAX_POINTS
        while points >= MIN_POINTS - 1e-9:
            if all(a <= b for a, b in zip(self.size(points, WORKING), (width, height))):
                grow = GROW
                while grow > 1 and not all(a <= b for a, b in zip(self.size(points, 2 * WORKING, grow),
                                                                  (width, height))):
                    grow = round(grow - 0.05, 2)
                h = self.size(points, WORKING, grow)[1]
                return points, WORKING + (height - h) / max(1, sum(self.working_rows)), grow
            points -= 0.25
        return None


@dataclasses.dataclass(frozen=True)
class _Sheet:
    """What a page's heading says: which file, which version of how many, and whether results are given."""

    answers: bool  # the key, or the students' sheet
    version: int
    versions: int
    given_results: bool  # some result cells are printed on the students' sheet


def _title(state: State, sheet: _Sheet | None = None) -> str:
    inputs, *widths, batch = state.sizes
    depth = state.depth
    chain = " → ".join([f"{inputs} inputs", *map(str, widths[:-1]), f"{widths[-1]} outputs"])
    version = f"Version {sheet.version} of {sheet.versions} · " if sheet and sheet.versions > 1 else ""
    return f"{version}batchnet worksheet: {chain} ({depth} layer{'s' * (depth != 1)}), batch of {batch}"


def _instruction(state: State, n: Notation) -> str:
    """What to do, in one sentence: how one cell of a sum is made in this notation, then each layer's
    activation."""
    if n.transposed:
        cell = "a row of its input · a column of Wᵀ, + that column's b"
    elif n.augmented:
        cell = "a row of [W | b] · a column of [its input; 1]"
    else:
        cell = "a row of W · a column of its input, + that row's b"
    rules = [activation.rule for activation in state.activation_entries]
    if len(set(rules)) == 1:
        then = rules[0]
    else:  # each layer's own, by its result's name
        then = "; ".join(f"for {layer.post}, {rule}" for layer, rule in zip(layers_of(state.depth), rules))
    return f"Fill every empty cell: a sum is {cell}; then {then}. Work in the space under each row of results."


def _heading(state: State, n: Notation, sheet: _Sheet, width: float) -> list[tuple[str, float, bool]]:
    """The lines above the staircase: (text, size, bold)."""
    if sheet.answers:
        zeroing = zeroing_labels(state.activation_entries)
        hatched = f" Hatched: {' and '.join(zeroing)} made the cell 0 (its sum was 0 or less)." if zeroing else ""
        lines = [f"Answer key, notation {n.label}.{hatched}"]
        if sheet.given_results:
            lines.append("Black: the answers to the sheet's empty cells; grey: results the sheet gives.")
    else:
        lines = [f"Exercise, notation {n.label}.    Name: ________________________", _instruction(state, n)]
    return ([(line, TITLE_POINTS, True) for line in _wrap(_title(state, sheet), TITLE_POINTS, width, True)]
            + [(part, TEXT_POINTS, False) for line in lines for part in _wrap(line, TEXT_POINTS, width)])


def _heading_height(lines: list[tuple[str, float, bool]]) -> float:
    return sum(LEADING * size for _, size, _ in lines) + TEXT_POINTS / 2


def _layout(headings: list[list[tuple[str, float, bool]]], stairs: _Staircase) -> _Layout:
    """The page for a staircase under the tallest of ``headings``, each a function of the page's inner width."""
    best = None
    for paper, short, long in PAPERS:
        for width, height in ((short, long), (long, short)):
            inner = width - 2 * MARGIN
            top = MARGIN + max(_heading_height(heading(inner)) for heading in headings)
            fitted = stairs.fit(inner, height - MARGIN - top)
            # portrait, with its taller room for working, unless landscape gives numbers a point larger
            if fitted and (best is None or fitted[0] >= best[0][0] + 1 - 1e-9):
                best = (fitted, paper, width, height, top)
        if best:
            break
    if best is None:  # larger than A0 at 7 points: a page of its own size
        w, h = stairs.size(MIN_POINTS, WORKING)
        top = MARGIN + max(_heading_height(heading(w)) for heading in headings)
        best = ((MIN_POINTS, WORKING, 1.0), "custom", w + 2 * MARGIN, top + h + MARGIN, top)
    (points, working, grow), paper, width, height, top = best

    cell_widths = stairs.cell_widths(points, grow)
    columns = stairs.column_widths(points, grow)
    rows = stairs.row_heights(points, working, grow)
    total = sum(columns) + COLUMN_GAP_EM * points * (len(columns) - 1)
    lefts = np.cumsum([MARGIN + (width - 2 * MARGIN - total) / 2] + [c + COLUMN_GAP_EM * points
                                                                       for c in columns[:-1]])
    tops = np.cumsum([top] + [r + ROW_GAP_EM * points for r in rows[:-1]])
    cells_at = {}
    for m in stairs.matrices:
        r, c = m.panel.place
        if c == 0:  # the weights hug the sums they make: their cells end where the column does
            x = lefts[c] + columns[c] - m.shape[1] * cell_widths[c]
        else:
            x = lefts[c] + stairs.labels[c] * points
        cells_at[m.panel.key] = (float(x), float(tops[r] + (TITLE_EM + LABEL_EM) * points))
    return _Layout(paper, width, height, points, stairs.cell_height(points, grow), tuple(cell_widths), cells_at)


def _tints(values: np.ndarray) -> np.ndarray:
    """A light colour for each value, from the screen's colour map, mostly white; in a few steps so
    that cells of one colour are drawn as one shape."""
    import matplotlib

    vmax = float(np.max(np.abs(values), initial=0.0)) or 1.0
    steps = np.round(values / vmax * TINT_STEPS) / TINT_STEPS
    colours = matplotlib.colormaps["RdBu_r"]((steps + 1) / 2)[..., :3]
    return np.round(1 - TINT * (1 - colours), 3)


@dataclasses.dataclass
class _Page:
    """What one page draws, in points from its top left corner: shapes grouped by how they are drawn,
    and its texts."""

    fills: dict[tuple[float, ...], list] = dataclasses.field(default_factory=dict)  # colour: rectangles
    lines: dict[float, list] = dataclasses.field(default_factory=dict)  # width: segments, in INK
    grid: list = dataclasses.field(default_factory=list)  # thin segments between cells
    hatch: list = dataclasses.field(default_factory=list)  # segments
    clear: list = dataclasses.field(default_factory=list)  # (colour, rectangle) over the hatch, under a 0
    texts: list = dataclasses.field(default_factory=list)  # (x, baseline, text, size, bold, colour)

    def fill(self, colour, x0, y0, x1, y1):
        self.fills.setdefault(tuple(colour), []).append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])

    def line(self, width, *points):
        self.lines.setdefault(width, []).append(list(points))

    def text(self, x, y, text, size, bold=False, colour=INK, align="left"):
        width = _em(text, bold) * size
        x -= {"left": 0, "center": width / 2, "right": width}[align]
        self.texts.append((x, y, text, size, bold, colour))

    def hatch_cell(self, x0, y0, x1, y1, step):
        """Lines rising to the right, every ``step`` points, on one grid across the page so that
        neighbouring cells' lines meet."""
        for c in np.arange(np.ceil((x0 + y0) / step) * step, x1 + y1, step):
            left, right = max(x0, c - y1), min(x1, c - y0)
            if right > left:
                self.hatch.append([(left, c - left), (right, c - right)])


def _page(state: State, n: Notation, matrices: list[_Matrix], layout: _Layout, sheet: _Sheet) -> _Page:
    answers = sheet.answers
    page = _Page()
    y = MARGIN
    for line, size, bold in _heading(state, n, sheet, layout.width - 2 * MARGIN):
        y += LEADING * size
        page.text(MARGIN, y - 0.35 * size, line, size, bold)

    points, h = layout.points, layout.cell_height
    baseline = h / 2 + 0.36 * points  # of a number centred in its cell
    for m in matrices:
        p = m.panel
        x0, y0 = layout.cells_at[p.key]
        w = layout.cell_widths[p.place[1]]
        rows, cols = m.shape
        x1, y1 = x0 + cols * w, y0 + rows * h
        shown = np.ones(m.shape, bool) if answers else ~m.blank
        # on the key, a result the sheet gives is grey: the answers to check are the black ones
        muted = m.faded | (answers and not m.given and sheet.given_results) & ~m.blank
        tints = _tints(np.where(m.faded | ~shown, 0, m.values))
        for i in range(rows):
            for j in range(cols):
                left, top = x0 + j * w, y0 + i * h
                page.fill(_FADED_RGB if m.faded[i, j] else tints[i, j], left, top, left + w, top + h)
                hatched = answers and m.zeroed[i, j]
                if hatched:
                    page.hatch_cell(left, top, left + w, top + h, HATCH_STEP * points)
                    # a clear patch behind the 0, so that the hatch does not cross it
                    half = (_em(m.texts[i, j], True) / 2 + 0.15) * points
                    page.clear.append((tuple(tints[i, j]), (left + w / 2 - half, top + h / 2 - 0.5 * points,
                                                            left + w / 2 + half, top + h / 2 + 0.5 * points)))
                if shown[i, j]:
                    page.text(left + w / 2, top + baseline, m.texts[i, j], points, hatched,
                              MUTED if muted[i, j] else INK, "center")
        page.grid += [[(x0, y0 + i * h), (x1, y0 + i * h)] for i in range(1, rows)]
        page.grid += [[(x0 + j * w, y0), (x0 + j * w, y1)] for j in range(1, cols)]
        page.line(OUTLINE_POINTS, (x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))
        if p.split_after is not None:  # W | b: a line before the bias column
            page.line(SPLIT_POINTS, (x0 + (p.split_after + 1) * w, y0), (x0 + (p.split_after + 1) * w, y1))
        if m.split_below is not None:  # Wᵀ ; b: a line above the bias row
            page.line(SPLIT_POINTS, (x0, y0 + (m.split_below + 1) * h), (x1, y0 + (m.split_below + 1) * h))
        for i, label in enumerate(p.row_labels):
            page.text(x0 - 0.3 * points, y0 + i * h + baseline, label, points, colour=MUTED, align="right")
        for j, label in enumerate(p.col_labels):
            page.text(x0 + (j + 0.5) * w, y0 - 0.35 * points, label, points, colour=MUTED, align="center")
        title_y = y0 - (LABEL_EM + 0.4) * points
        if p.place[1] == 0:
            page.text(x1, title_y, p.title, points, True, align="right")
        else:
            page.text(x0, title_y, p.title, points, True)
    return page


def _figure(page: _Page, layout: _Layout):
    """The page as a matplotlib Figure: a handful of compound shapes, then every text."""
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path
    from matplotlib.transforms import Affine2D

    fig = Figure(figsize=(layout.width / 72, layout.height / 72))
    # points from the top left corner to the figure's own units
    at = Affine2D().scale(1, -1).translate(0, layout.height).scale(1 / 72) + fig.dpi_scale_trans

    def polylines(segments):
        vertices = np.array([v for segment in segments for v in segment], float)
        codes = [code for segment in segments for code in [Path.MOVETO] + [Path.LINETO] * (len(segment) - 1)]
        return Path(vertices, codes)

    def fill(colour, boxes):
        fig.add_artist(PathPatch(Path.make_compound_path_from_polys(np.array(boxes, float)), facecolor=colour,
                                 edgecolor="none", transform=at))

    def stroke(segments, colour, width):
        if segments:
            fig.add_artist(PathPatch(polylines(segments), facecolor="none", edgecolor=colour, linewidth=width,
                                     capstyle="projecting", joinstyle="miter", transform=at))

    for colour, boxes in page.fills.items():
        fill(colour, boxes)
    stroke(page.hatch, HATCH, HATCH_POINTS)
    for colour, (x0, y0, x1, y1) in page.clear:
        fill(colour, [[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])
    stroke(page.grid, GRID, GRID_POINTS)
    for width, segments in sorted(page.lines.items()):
        stroke(segments, INK, width)

    class Texts(Artist):
        """Every text of the page in one artist, each handed straight to the renderer: a Text artist
        for each of a thousand cells would take seconds."""

        def draw(self, renderer):
            gc = renderer.new_gc()
            scale = renderer.points_to_pixels(1)
            fonts = {}
            for x, y, text, size, bold, colour in page.texts:
                if (size, bold) not in fonts:
                    fonts[size, bold] = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
                prop = fonts[size, bold]
                gc.set_foreground(colour)
                renderer.draw_text(gc, x * scale, (layout.height - y) * scale, text, prop, 0)
            gc.restore()

    fig.add_artist(Texts()).set_zorder(3)  # over the shapes (patches are at 1)
    return fig


def _blank_cells(state: State, blanks) -> frozenset[Cell]:
    """The cells ``blanks`` names, checked against the state's results; every result cell for None."""
    trace = forward(state)
    if blanks is None:
        return frozenset(Cell(name, r, c) for name, values in trace.items()
                         for r in range(values.shape[0]) for c in range(values.shape[1]))
    if isinstance(blanks, (str, bytes, Cell)) or not hasattr(blanks, "__iter__"):
        raise ValueError(f"blanks must be a list of exercises.Cell (such as an Exercise's blanks) or None; "
                         f"got {type(blanks).__name__}")
    cells = list(blanks)
    names = result_names(state.depth)
    for cell in cells:
        if not isinstance(cell, Cell):
            raise ValueError(f"blanks must hold exercises.Cell values, such as Cell('H_z', 0, 1); got {cell!r:.40}")
        if cell.layer not in names:
            raise ValueError(f"blanks: {cell.layer!r:.20} is not a result of this network; its results are "
                             f"{', '.join(names)}")
        rows, cols = trace[cell.layer].shape
        if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in (cell.row, cell.col)) or (
                not (0 <= cell.row < rows and 0 <= cell.col < cols)):
            raise ValueError(f"blanks: {cell.layer}[{cell.row!r:.10}, {cell.col!r:.10}] is not a cell of "
                             f"{cell.layer}, which has {rows} rows and {cols} columns, counted from 0")
    if not cells:
        raise ValueError("blanks must name at least one result cell to fill in")
    return frozenset(cells)


def _versions(state: State, versions: int, seed: int) -> list[State]:
    """The class set: ``state`` itself, then its network on other whole-number inputs, each version's X
    new, drawn from the whole numbers its own X spans (wider when that span gives too few)."""
    if isinstance(versions, bool) or not isinstance(versions, (int, np.integer)) or not 1 <= versions <= MAX_VERSIONS:
        raise ValueError(f"versions must be a whole number from 1 to {MAX_VERSIONS}; got {versions!r:.20}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number, 0 or more; got {seed!r:.20}")
    X = state.X
    low, high = int(np.floor(X.min())), int(np.ceil(X.max()))
    high = max(high, low + 2)  # three numbers at least: 0, 1 and 2 for inputs of 0 and 1
    while (high - low + 1) ** X.size < 2 * versions:  # room enough that a new X is quickly found
        low, high = low - 1, high + 1
    rng = np.random.default_rng([seed, 24])
    seen = {tuple(X.ravel().tolist())}
    shown = [state]
    while len(shown) < versions:
        inputs = rng.integers(low, high + 1, size=X.shape).astype(float)
        if tuple(inputs.ravel().tolist()) not in seen:
            seen.add(tuple(inputs.ravel().tolist()))
            shown.append(state.replace(X=inputs))
    return shown


def _pdf(state: State, convention: str, answers: bool, blanks, versions: int, seed: int) -> bytes:
    """The file of ``worksheet_pdf`` as the bytes of a PDF."""
    n = notation(convention)
    if not isinstance(state, State):
        raise TypeError(f"a worksheet is made of a State; got {type(state).__name__}")
    if not isinstance(answers, bool):
        raise ValueError(f"answers must be True (the answer key) or False (the students' sheet); got {answers!r:.20}")
    cells = _blank_cells(state, blanks)
    states = _versions(state, versions, seed)
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    matrices = [_matrices(version, n.name, cells) for version in states]
    given_results = len(cells) < sum(values.size for _, values in forward(state).items())
    sheets = [_Sheet(answers, k, versions, given_results) for k in range(1, versions + 1)]
    out = io.BytesIO()
    # Every number stays text that can be copied and read back. From matplotlib 3.11 on, Type 3
    # fonts keep −, · and ᵀ text too and are written in a fraction of the time Type 42 takes to
    # subset; before, they would draw those as pictures. No date: the same state gives the same bytes.
    fonttype = 3 if matplotlib.__version_info__[:2] >= (3, 11) else 42
    with matplotlib.rc_context({"pdf.fonttype": fonttype, "pdf.compression": 6}):
        # the sheet and its key laid out alike, so that a sheet can be marked beside its key
        last = sheets[-1]
        headings = [functools.partial(_heading, state, n, dataclasses.replace(last, answers=kind))
                    for kind in (False, True)]
        layout = _layout(headings, _Staircase(matrices))
        metadata = {"Title": ("Answer key: " if answers else "") + _title(state), "Creator": "batchnet",
                    "CreationDate": None}
        with PdfPages(out, metadata=metadata) as pdf:
            for version, shown, sheet in zip(states, matrices, sheets):
                pdf.savefig(_figure(_page(version, n, shown, layout, sheet), layout))
    return out.getvalue()


def worksheet_pdf(state: State, path: str | os.PathLike | BinaryIO, convention: str = "columns", *,
                  answers: bool = False, blanks=None, versions: int = 1, seed: int = 0):
    """Write a printable worksheet of ``state`` as a PDF: the students' sheet, or with ``answers=True``
    its answer key, a file of its own.

    The sheet holds X and every W | b with their numbers, prints the result cells that are given and
    leaves an empty box, at least 10 × 8 mm inside its lines, for each blank one, with room for
    working under each row of results; it never holds an answer. The key fills every cell (the
    blanks' answers in black, results the sheet gives in grey) and hatches the cells ReLU set to 0.
    Laid out in the staircase of ``notation.panels``, the key as its sheet. A4, portrait or
    landscape, numbers of 7 to 12 points; a state A4 cannot hold so goes on A3, A2, ... The same
    arguments give the same bytes. Needs matplotlib (the ``ui`` extra).

    Parameters
    ----------
    state : State
    path : str, os.PathLike or a binary file object
        Where to write: a file name, or anything with ``write(bytes)`` such as ``io.BytesIO``.
    convention : str
        "columns" (W·X + b), "rows" (X·Wᵀ + b) or "augmented" ([W | b]·[X; 1]), as in ``panels``.
    answers : bool
        False: the students' sheet. True: its answer key.
    blanks : list of exercises.Cell, optional
        The result cells to fill in (an ``Exercise``'s ``blanks``); every result cell by default.
    versions : int
        A class set of 1 to ``MAX_VERSIONS`` (100) pages, each headed "Version k of N": version 1 is
        ``state``; each other keeps its network and has new whole-number inputs X of the same shape,
        drawn from ``seed``, no two alike. The key of the same arguments answers every version.
    seed : int
        Which inputs the versions after the first get (0 or more).

    Returns
    -------
    ``path``, as given.

    Raises
    ------
    ValueError
        ``convention``, ``answers``, ``blanks``, ``versions`` or ``seed`` is not one that can be used (the
        message names it and what it takes).
    TypeError
        ``state`` is not a State, or ``path`` is neither a path nor writable.

    Examples
    --------
    >>> import io, batchnet_core as bn
    >>> sheet = bn.worksheet_pdf(bn.preset("three-inputs"), io.BytesIO())
    >>> key = bn.worksheet_pdf(bn.preset("three-inputs"), io.BytesIO(), answers=True)
    >>> sheet.getvalue()[:5], sheet.getvalue() != key.getvalue()
    (b'%PDF-', True)
    """
    if not isinstance(path, (str, os.PathLike)) and not callable(getattr(path, "write", None)):
        raise TypeError(f"path must be a file name or a binary file object; got {type(path).__name__}")
    data = _pdf(state, convention, answers, blanks, versions, seed)
    if isinstance(path, (str, os.PathLike)):
        with open(path, "wb") as file:
            file.write(data)
    else:
        path.write(data)
    return path


__all__ = ["MAX_VERSIONS", "worksheet_pdf"]
