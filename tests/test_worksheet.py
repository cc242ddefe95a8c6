"""The printed worksheet (``bn.worksheet_pdf``), read back as a person would: poppler's pdftotext
for the words of each page and where they are, pdfinfo for pages and paper, pdftoppm and pdftocairo for the pictures,
whose pixels measure the cells and the room for working."""

from __future__ import annotations

import html
import io
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.notation import CONSTANT_ROW, panels

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
NUMBER = re.compile(r"^−?\d+(\.\d+)?(e−?\d+)?$")
CONVENTIONS = ("columns", "rows", "augmented")


def pdf_of(state: bn.State, convention: str = "columns", **options) -> bytes:
    return bn.worksheet_pdf(state, io.BytesIO(), convention, **options).getvalue()


def sheet_and_key(state: bn.State, tmp_path: Path, convention: str = "columns") -> tuple[str, str]:
    """The text of the students' sheet and of its answer key, one page each."""
    (sheet,) = pages(pdf_of(state, convention), tmp_path)
    (key,) = pages(pdf_of(state, convention, answers=True), tmp_path)
    return sheet, key


def run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "worksheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True,
                          text=True, check=True).stdout


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text, one line per line of the page, from the words pdftotext -bbox finds: a word
    whose middle lies within a line's height is on that line (a minus sign or a raised ᵀ sits higher
    than a digit), and pieces less than 1.2 points apart are one word (a minus and its digits); words
    a space apart are joined by a space, those further apart (cells) by two."""
    text = []
    for page in re.findall(r"<page (.*?)</page>", run("pdftotext", pdf, tmp_path, "-bbox"), re.S):
        words = sorted(((float(y0) + float(y1)) / 2, float(y0), float(y1), float(x0), float(x1), html.unescape(w))
                       for x0, y0, x1, y1, w in re.findall(
                           r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page))
        lines: list[list] = []  # top, bottom, its words (left, right, text)
        for middle, y0, y1, x0, x1, word in words:
            if lines and lines[-1][0] - 1 <= middle <= lines[-1][1] + 1:
                lines[-1][0], lines[-1][1] = min(lines[-1][0], y0), max(lines[-1][1], y1)
                lines[-1][2].append((x0, x1, word))
            else:
                lines.append([y0, y1, [(x0, x1, word)]])
        written = []
        for *_, line in lines:
            merged: list[list] = []
            for x0, x1, word in sorted(line):
                if merged and x0 - merged[-1][1] < 1.2:
                    merged[-1][1:] = [x1, merged[-1][2] + word]
                else:
                    merged.append([x0, x1, word])
            written.append("".join(("" if i == 0 else " " if x0 - merged[i - 1][1] < 5 else "  ") + word
                                   for i, (x0, _, word) in enumerate(merged)))
        text.append("\n".join(written))
    return text


def info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    lines = run("pdfinfo", pdf, tmp_path).splitlines()
    return {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in lines if ":" in line)}


def staircase(page: str, state: bn.State, convention: str) -> str:
    """The page from X's title down: the matrices, without the heading above them."""
    lines = page.splitlines()
    title = panels(state.sizes, convention)[0].title
    start = next(i for i, line in enumerate(lines) if title in line)
    return "\n".join(lines[start:])


def numbers(text: str) -> Counter:
    return Counter(word for word in text.split() if NUMBER.match(word))


def written(values) -> Counter:
    return Counter(bn.format_number(v) for v in np.ravel(values))


def given(state: bn.State, convention: str) -> Counter:
    """Every number page 1 prints: each entry of X and of every W and b, the row of 1s of the
    augmented notation (under X and under each hidden layer), and the labels that are numbers."""
    expected = sum((written(array) for _, array in state.items()), Counter())
    if convention == "augmented":
        expected["1"] += state.X.shape[1] * state.depth
    for panel in panels(state.sizes, convention):
        expected += Counter(label for label in [*panel.row_labels, *panel.col_labels] if NUMBER.match(label))
    return expected


def results(state: bn.State) -> Counter:
    return sum((written(array) for _, array in bn.forward(state).items()), Counter())


def test_the_worked_example_gives_every_given_number_on_the_sheet_and_every_result_on_the_key(worked, poppler,
                                                                                              tmp_path):
    first, second = sheet_and_key(worked, tmp_path)
    # the sheet: exactly the given numbers, so not one cell of H_z, H, Y_z or Y is filled in
    assert numbers(staircase(first, worked, "columns")) == given(worked, "columns")
    # the key: the same, and every cell of every result
    assert numbers(staircase(second, worked, "columns")) == given(worked, "columns") + results(worked)
    # H_z's row h1 (x1, x2, x3) = W1 row h1 · X + b1: 2 − 1 + 3 − 5, 1 − 1 + 0 − 5, 0 − 1 + 1 − 5
    assert not re.search(r"h1 +−1 +−5 +−5", first)
    assert re.search(r"h1 +−1 +−5 +−5", second)
    # H_z's column x1 is −1, 3, 5, 3: on the key only, each row of W1 | b1 then H_z
    for unit, weights, value in [("h1", "1 +−1 +1 +−5", "−1"), ("h2", "1 +1 +0 +0", "3"),
                                 ("h3", "0 +1 +1 +1", "5"), ("h4", "1 +0 +1 +−2", "3")]:
        pattern = rf"{unit} +{weights} +{unit} +{value} "
        assert not re.search(pattern, first) and re.search(pattern, second), unit
    # Y by hand: y1 = ReLU(h1 + h2 − h3) = ReLU(0 + 3 − 5, 0 + 2 − 2, 0 + 1 − 3) = 0, 0, 0;
    # y2 = ReLU(h3 − h4 + 1) = ReLU(5 − 3 + 1, 2 − 0 + 1, 3 − 0 + 1) = 3, 3, 4
    Y = {"y1": "0 +0 +0", "y2": "3 +3 +4"}
    for unit, row in Y.items():
        assert re.search(rf"{unit} +{row}$", second, re.M), unit
        assert not re.search(rf"{unit} +{row}$", first, re.M), unit
    np.testing.assert_array_equal(bn.forward(worked).Y, [[0, 0, 0], [3, 3, 4]])


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_each_notation_prints_the_givens_alone_then_everything(worked, poppler, tmp_path, convention):
    first, second = sheet_and_key(worked, tmp_path, convention)
    assert numbers(staircase(first, worked, convention)) == given(worked, convention)
    assert numbers(staircase(second, worked, convention)) == given(worked, convention) + results(worked)
    ARTIFACTS.mkdir(exist_ok=True)
    for kind, pdf in (("sheet", pdf_of(worked, convention)), ("key", pdf_of(worked, convention, answers=True))):
        assert info(pdf, tmp_path)["Page size"].endswith("(A4)")
        # the pictures, to look at
        (tmp_path / "worksheet.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(tmp_path / "worksheet.pdf"),
                        str(ARTIFACTS / f"worksheet-{convention}-{kind}")], check=True)
        assert (ARTIFACTS / f"worksheet-{convention}-{kind}.png").stat().st_size > 0


def test_inputs_as_rows_print_x_and_w_transposed(worked, poppler, tmp_path):
    rows = sheet_and_key(worked, tmp_path, "rows")[0]
    columns = sheet_and_key(worked, tmp_path, "columns")[0]
    # x1 = (2, 1, 3): a row labelled x1 in rows, a column under x1 in columns (whose first row is 2 1 0)
    assert re.search(r"^ *x1 +2 +1 +3$", rows, re.M)
    assert re.search(r"^ *1 +2 +1 +0$", columns, re.M)
    assert not re.search(r"^ *x1 +2 +1 +3$", columns, re.M)
    # W1ᵀ: the weights of input 1 across h1..h4, then b1 as the last row
    assert re.search(r"^ *1 +1 +1 +0 +1\b", rows, re.M)
    assert re.search(r"^ *b +−5 +0 +1 +−2\b", rows, re.M)
    assert "W1ᵀ ; b1" in rows and "H_z = X·W1ᵀ + b1" in rows


def test_augmented_prints_the_row_of_ones(worked, poppler, tmp_path):
    for page in sheet_and_key(worked, tmp_path, "augmented"):
        # under X and under H: the constant's label, then a 1 for each of the three inputs
        assert len(re.findall(rf"^ *{CONSTANT_ROW} +1 +1 +1$", page, re.M)) == 2
        assert "[W1 | b1]" in page and "[X; 1]" in page
    for page in sheet_and_key(worked, tmp_path, "columns"):
        assert CONSTANT_ROW not in page


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_every_depth_gives_a_page_each_and_the_last_layer_on_the_key(poppler, tmp_path, depth):
    state = bn.random_state(depth, (3, *[4] * (depth - 1), 2, 3))
    convention = CONVENTIONS[depth % 3]  # each notation at some depth
    for answers in (False, True):
        assert info(pdf_of(state, convention, answers=answers), tmp_path)["Pages"] == "1"
    first, second = sheet_and_key(state, tmp_path, convention)
    last = bn.layers_of(depth)[-1]
    trace = bn.forward(state)
    assert numbers(staircase(second, state, convention)) - numbers(staircase(first, state, convention)) == (
        results(state))
    assert not written(trace[last.pre]) + written(trace[last.post]) - numbers(second)
    assert numbers(staircase(first, state, convention)) == given(state, convention)


def test_a_four_layer_network_eight_wide_keeps_its_cells_writable_on_larger_paper(poppler, tmp_path):
    # 40 rows of cells 8.6 mm tall and four rooms for working are more than A4 or A3 hold: A2, portrait
    state = bn.random_state(2, (8, 8, 8, 8, 8, 8))
    for convention in CONVENTIONS:
        pdf = pdf_of(state, convention)
        assert re.fullmatch(r"1190\.55 x 1683\.78 pts \(A2\)", info(pdf, tmp_path)["Page size"]), convention
        assert_inside_the_page_and_readable(run("pdftotext", pdf, tmp_path, "-bbox"))
        cells = blank_cells(pdf, tmp_path)
        assert len(cells) == sum(values.size for _, values in bn.forward(state).items())
        assert_writable(cells)


def assert_inside_the_page_and_readable(bbox: str) -> None:
    """Every word lies on its page, and every number is 7 points or more (a word's box is 1.16 times
    the size of its font: DejaVu Sans' ascent and descent)."""
    for page in re.findall(r"<page (.*?)</page>", bbox, re.S):
        width, height = (float(v) for v in re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)
        assert words
        for x0, y0, x1, y1, word in words:
            assert 0 <= float(x0) < float(x1) <= width and 0 <= float(y0) < float(y1) <= height, word
        sizes = [(float(y1) - float(y0)) / 1.16 for _, y0, _, y1, word in words if NUMBER.match(word)]
        assert min(sizes) >= 7 - 0.05


def test_the_largest_state_makes_a_valid_pdf_on_its_page(poppler, tmp_path):
    state = bn.random_state(3, (16, 16, 16, 16, 16, 16))
    start = time.perf_counter()
    pdf = pdf_of(state, "augmented", answers=True)
    seconds = time.perf_counter() - start
    print(f"the largest answer key (4 layers of 16, batch of 16, augmented) took {seconds:.1f} s")
    assert seconds < 60
    assert info(pdf, tmp_path)["Pages"] == "1"
    assert_inside_the_page_and_readable(run("pdftotext", pdf, tmp_path, "-bbox"))
    (second,) = pages(pdf, tmp_path)
    assert not written(bn.forward(state).Y) - numbers(second)
    (tmp_path / "worksheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(tmp_path / "worksheet.pdf"), str(tmp_path / "page")],
                   check=True, capture_output=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 1


def test_the_same_state_gives_the_same_bytes(worked):
    assert pdf_of(worked) == pdf_of(worked)
    assert pdf_of(worked, "rows") != pdf_of(worked)
    assert pdf_of(worked)[:5] == b"%PDF-"


def test_a_path_a_name_or_a_file_object_take_the_same_bytes(worked, tmp_path):
    expected = pdf_of(worked)
    assert bn.worksheet_pdf(worked, tmp_path / "a.pdf") == tmp_path / "a.pdf"
    assert bn.worksheet_pdf(worked, str(tmp_path / "b.pdf")) == str(tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes() == expected


def test_a_bad_convention_state_or_path_is_refused_before_anything_is_written(worked, tmp_path):
    with pytest.raises(ValueError, match="columns, rows, augmented"):
        bn.worksheet_pdf(worked, tmp_path / "a.pdf", "transposed")
    with pytest.raises(TypeError, match="State"):
        bn.worksheet_pdf(worked.to_dict(), tmp_path / "a.pdf")
    with pytest.raises(TypeError, match="path"):
        bn.worksheet_pdf(worked, 42)
    assert not (tmp_path / "a.pdf").exists()


# Measured from the drawing: each page rendered at DPI, a blank cell found as a rectangle of white
# pixels closed by a line on each of its four sides (a given cell is tinted or holds its number).
DPI = 200
PX_PER_MM = DPI / 25.4


def render(pdf: bytes, tmp_path: Path, page: int = 1) -> np.ndarray:
    """The page as grey pixels, 0 black to 255 white."""
    from PIL import Image

    path = tmp_path / "measured.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftocairo", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(tmp_path / "measured")], check=True)
    return np.asarray(Image.open(tmp_path / "measured.png").convert("L"))


def white_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Every rectangle of white pixels (x0, y0, x1, y1, ends excluded) with ink all along its four sides."""
    white = grey >= 250
    height, width = white.shape
    open_runs: dict[tuple[int, int], int] = {}  # a run of white in a row: the first row it was in
    boxes = []
    for y in range(height + 1):
        row = white[y] if y < height else np.zeros(width, bool)
        edges = np.diff(np.concatenate([[0], row.astype(int), [0]]))
        runs = {(int(a), int(b)) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))
                if a > 0 and b < width}  # ink on its left and right
        for (x0, x1), top in list(open_runs.items()):
            if (x0, x1) not in runs:
                del open_runs[x0, x1]
                if 0 < top and y < height and not white[top - 1, x0:x1].any() and not white[y, x0:x1].any():
                    boxes.append((x0, top, x1, y))
        for run in runs - open_runs.keys():
            open_runs[run] = y
    return boxes


def blank_cells(pdf: bytes, tmp_path: Path, page: int = 1) -> list[tuple[int, int, int, int]]:
    """The page's empty cells: white boxes of at least 3 mm each way (smaller ones are bits of glyphs)."""
    return [box for box in white_boxes(render(pdf, tmp_path, page))
            if box[2] - box[0] > 3 * PX_PER_MM and box[3] - box[1] > 3 * PX_PER_MM]


def assert_writable(cells) -> None:
    """Every empty cell is at least 10 mm wide and 8 mm high inside its lines."""
    assert cells
    for x0, y0, x1, y1 in cells:
        width, height = (x1 - x0) / PX_PER_MM, (y1 - y0) / PX_PER_MM
        assert width >= 10 and height >= 8, (width, height)


def matrices_of(cells) -> list[tuple[int, int, int, int]]:
    """The cells grouped into the matrices they make: neighbours share a line, a few pixels apart."""
    groups: list[list] = []
    for cell in sorted(cells):
        near = [g for g in groups if any(abs(cell[1] - c[1]) <= 2 and abs(cell[0] - c[2]) <= 6
                                         or abs(cell[0] - c[0]) <= 2 and abs(cell[1] - c[3]) <= 6 for c in g)]
        for g in near:
            groups.remove(g)
        groups.append([cell, *(c for g in near for c in g)])
    return [(min(c[0] for c in g), min(c[1] for c in g), max(c[2] for c in g), max(c[3] for c in g)) for g in groups]


def test_every_empty_cell_is_10_by_8_mm_with_room_for_working_under_it_and_the_sheet_fills_its_page(
        worked, poppler, tmp_path):
    pdf = pdf_of(worked)
    grey = render(pdf, tmp_path)
    cells = blank_cells(pdf, tmp_path)
    assert len(cells) == 4 * 3 + 4 * 3 + 2 * 3 + 2 * 3  # every cell of H_z, H, Y_z and Y, and nothing else
    assert_writable(cells)
    matrices = matrices_of(cells)
    assert len(matrices) == 4
    for x0, _, x1, y1 in matrices:
        # under each result: 16 mm and more of white paper, from 1 mm below its last line
        below = grey[y1 + round(1 * PX_PER_MM): y1 + round(16 * PX_PER_MM), x0:x1]
        assert below.shape[0] >= round(14 * PX_PER_MM) and below.min() >= 250
    # the two layers spread over the page: Y's cells end in its lower part, not in its top half
    assert max(y1 for *_, y1 in matrices) > 0.6 * grey.shape[0]
    assert max(y1 for *_, y1 in matrices) - min(y0 for _, y0, *_ in matrices) > 0.45 * grey.shape[0]
    # the answer key has no empty cell: every one is filled
    assert blank_cells(pdf_of(worked, answers=True), tmp_path) == []


def test_only_the_named_blanks_are_empty_and_the_other_results_are_given(worked, poppler, tmp_path):
    from batchnet_core.exercises import Cell

    blanks = [Cell("H_z", 0, 0), Cell("Y", 1, 2)]  # −1 and 4
    sheet_pdf = pdf_of(worked, blanks=blanks)
    key_pdf = pdf_of(worked, answers=True, blanks=blanks)
    cells = blank_cells(sheet_pdf, tmp_path)
    assert len(cells) == 2
    assert_writable(cells)
    (sheet,), (key,) = pages(sheet_pdf, tmp_path), pages(key_pdf, tmp_path)
    trace = bn.forward(worked)
    assert trace.H_z[0, 0] == -1 and trace.Y[1, 2] == 4
    shown = results(worked)
    shown.subtract(Counter(["−1", "4"]))
    assert numbers(staircase(sheet, worked, "columns")) == given(worked, "columns") + shown
    assert numbers(staircase(key, worked, "columns")) == given(worked, "columns") + results(worked)
    assert not re.search(r"y2 +3 +3 +4$", sheet, re.M) and re.search(r"y2 +3 +3 +4$", key, re.M)
    assert "grey: results the sheet gives" in key and "Answer key" not in sheet


def test_a_class_set_heads_each_version_and_its_key_answers_every_one(worked, poppler, tmp_path):
    from batchnet_core.worksheet import _versions

    states = _versions(worked, 4, 5)
    sheet_pdf = pdf_of(worked, versions=4, seed=5)
    sheets = pages(sheet_pdf, tmp_path)
    keys = pages(pdf_of(worked, answers=True, versions=4, seed=5), tmp_path)
    assert len(sheets) == len(keys) == 4
    assert states[0] == worked
    for k, (state, sheet, key) in enumerate(zip(states, sheets, keys), start=1):
        # headed first thing, in the title
        assert all(page.startswith(f"Version {k} of 4 · batchnet worksheet: 3 inputs → 4 → 2 outputs")
                   for page in (sheet, key))
        # the same network on whole-number inputs of the same shape; the sheet gives no result, the key every one
        assert all(np.array_equal(a, b) for ours, theirs in zip(state.layers, worked.layers)
                   for a, b in zip(ours, theirs))
        assert state.X.shape == worked.X.shape and np.array_equal(state.X, np.round(state.X))
        assert numbers(staircase(sheet, state, "columns")) == given(state, "columns")
        assert numbers(staircase(key, state, "columns")) == given(state, "columns") + results(state)
        # every page of the set: cells to write in, and never an answer
        assert len(blank_cells(sheet_pdf, tmp_path, k)) == 36
    assert len({tuple(state.X.ravel()) for state in states}) == 4  # no two versions alike
    assert len({frozenset(numbers(sheet).items()) for sheet in sheets}) == 4


def test_a_seed_gives_the_same_set_and_another_seed_another(worked):
    assert pdf_of(worked, versions=3, seed=1) == pdf_of(worked, versions=3, seed=1)
    assert pdf_of(worked, versions=3, seed=1) != pdf_of(worked, versions=3, seed=2)
    assert pdf_of(worked, versions=1, seed=1) == pdf_of(worked)  # one version is the state itself


def test_inputs_that_span_too_few_numbers_still_give_distinct_versions():
    from batchnet_core.worksheet import _versions

    state = bn.State.from_layers([([[1.0]], [0.0])], [[1.0]])  # one input, one number
    states = _versions(state, 30, 0)
    assert len({float(s.X[0, 0]) for s in states}) == 30


def test_inputs_of_0_and_1_get_versions_of_0_1_and_2_never_below_what_they_span():
    from batchnet_core.worksheet import _versions

    state = bn.State.from_layers([([[1.0, 1.0]], [0.0])], [[0.0, 1.0], [1.0, 0.0]])  # pixels: off and on
    seen = {float(v) for s in _versions(state, 30, 0) for v in s.X.ravel()}
    assert seen == {0.0, 1.0, 2.0}


@pytest.mark.parametrize(("options", "message"), [
    ({"versions": 0}, "versions must be a whole number from 1 to 100; got 0"),
    ({"versions": 101}, "versions must be a whole number from 1 to 100; got 101"),
    ({"versions": 2.5}, "versions must be a whole number from 1 to 100; got 2.5"),
    ({"versions": True}, "versions must be a whole number"),
    ({"seed": -1}, "seed must be a whole number, 0 or more; got -1"),
    ({"seed": "a"}, "seed must be a whole number, 0 or more; got 'a'"),
    ({"answers": "yes"}, "answers must be True \\(the answer key\\) or False"),
    ({"blanks": "H_z"}, "blanks must be a list of exercises.Cell"),
    ({"blanks": [("H_z", 0, 0)]}, "blanks must hold exercises.Cell values"),
    ({"blanks": []}, "blanks must name at least one result cell"),
])
def test_bad_options_are_refused_by_name(worked, tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        bn.worksheet_pdf(worked, tmp_path / "a.pdf", **options)
    assert not (tmp_path / "a.pdf").exists()


def test_blanks_outside_the_network_are_refused_by_name(worked):
    from batchnet_core.exercises import Cell

    with pytest.raises(ValueError, match="blanks: 'H2' is not a result of this network; its results are H_z, H, "
                                         "Y_z, Y"):
        bn.worksheet_pdf(worked, io.BytesIO(), blanks=[Cell("H2", 0, 0)])
    with pytest.raises(ValueError, match=r"blanks: H_z\[4, 0\] is not a cell of H_z, which has 4 rows and 3 "
                                         "columns, counted from 0"):
        bn.worksheet_pdf(worked, io.BytesIO(), blanks=[Cell("H_z", 4, 0)])


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_an_exercises_blanks_are_the_sheets_empty_cells(poppler, tmp_path, convention):
    from batchnet_core.exercises import new_exercise

    exercise = new_exercise(7, "hard")
    pdf = pdf_of(exercise.state, convention, blanks=exercise.blanks)
    cells = blank_cells(pdf, tmp_path)
    assert len(cells) == len(exercise.blanks) == 8
    assert_writable(cells)
    (sheet,) = pages(pdf, tmp_path)
    trace = bn.forward(exercise.state)
    printed = results(exercise.state) - sum((written([trace[cell.layer][cell.row, cell.col]])
                                            for cell in exercise.blanks), Counter())
    assert numbers(staircase(sheet, exercise.state, convention)) == given(exercise.state, convention) + printed
