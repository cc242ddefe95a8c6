"""The printed worksheet (``bn.worksheet_pdf``), read back as a person would: poppler's pdftotext
for the text of each page, pdfinfo for pages and paper, pdftoppm for the pictures."""

from __future__ import annotations

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


def pdf_of(state: bn.State, convention: str = "columns") -> bytes:
    return bn.worksheet_pdf(state, io.BytesIO(), convention).getvalue()


def run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "worksheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True,
                          text=True, check=True).stdout


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text as pdftotext -layout lays it out: one line per line of the page."""
    return run("pdftotext", pdf, tmp_path, "-layout").split("\f")[:-1]


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


def test_the_worked_example_gives_every_given_number_on_page_1_and_every_result_on_page_2(worked, poppler,
                                                                                          tmp_path):
    first, second = pages(pdf_of(worked), tmp_path)
    # page 1: exactly the given numbers, so not one cell of H_z, H, Y_z or Y is filled in
    assert numbers(staircase(first, worked, "columns")) == given(worked, "columns")
    # page 2: the same, and every cell of every result
    assert numbers(staircase(second, worked, "columns")) == given(worked, "columns") + results(worked)
    # H_z's row h1 (x1, x2, x3) = W1 row h1 · X + b1: 2 − 1 + 3 − 5, 1 − 1 + 0 − 5, 0 − 1 + 1 − 5
    assert not re.search(r"h1 +−1 +−5 +−5", first)
    assert re.search(r"h1 +−1 +−5 +−5", second)
    # H_z's column x1 is −1, 3, 5, 3: on page 2 only, each row of W1 | b1 then H_z
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
    pdf = pdf_of(worked, convention)
    first, second = pages(pdf, tmp_path)
    assert numbers(staircase(first, worked, convention)) == given(worked, convention)
    assert numbers(staircase(second, worked, convention)) == given(worked, convention) + results(worked)
    assert info(pdf, tmp_path)["Page size"].endswith("(A4)")
    # the pictures, to look at
    ARTIFACTS.mkdir(exist_ok=True)
    (tmp_path / "worksheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "worksheet.pdf"),
                    str(ARTIFACTS / f"worksheet-{convention}")], check=True)
    assert sorted(path.name for path in ARTIFACTS.glob(f"worksheet-{convention}-*.png")) == [
        f"worksheet-{convention}-1.png", f"worksheet-{convention}-2.png"]


def test_inputs_as_rows_print_x_and_w_transposed(worked, poppler, tmp_path):
    rows = pages(pdf_of(worked, "rows"), tmp_path)[0]
    columns = pages(pdf_of(worked, "columns"), tmp_path)[0]
    # x1 = (2, 1, 3): a row labelled x1 in rows, a column under x1 in columns (whose first row is 2 1 0)
    assert re.search(r"^ *x1 +2 +1 +3$", rows, re.M)
    assert re.search(r"^ *1 +2 +1 +0$", columns, re.M)
    assert not re.search(r"^ *x1 +2 +1 +3$", columns, re.M)
    # W1ᵀ: the weights of input 1 across h1..h4, then b1 as the last row
    assert re.search(r"^ *1 +1 +1 +0 +1\b", rows, re.M)
    assert re.search(r"^ *b +−5 +0 +1 +−2\b", rows, re.M)
    assert "W1ᵀ ; b1" in rows and "H_z = X·W1" in rows  # (pdftotext lifts a raised ᵀ to the line above)


def test_augmented_prints_the_row_of_ones(worked, poppler, tmp_path):
    for page in pages(pdf_of(worked, "augmented"), tmp_path):
        # under X and under H: the constant's label, then a 1 for each of the three inputs
        assert len(re.findall(rf"^ *{CONSTANT_ROW} +1 +1 +1$", page, re.M)) == 2
        assert "[W1 | b1]" in page and "[X; 1]" in page
    for page in pages(pdf_of(worked, "columns"), tmp_path):
        assert CONSTANT_ROW not in page


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_every_depth_gives_two_pages_and_the_last_layer_on_page_2(poppler, tmp_path, depth):
    state = bn.random_state(depth, (3, *[4] * (depth - 1), 2, 3))
    convention = CONVENTIONS[depth % 3]  # each notation at some depth
    pdf = pdf_of(state, convention)
    assert info(pdf, tmp_path)["Pages"] == "2"
    first, second = pages(pdf, tmp_path)
    last = bn.layers_of(depth)[-1]
    trace = bn.forward(state)
    assert numbers(staircase(second, state, convention)) - numbers(staircase(first, state, convention)) == (
        results(state))
    assert not written(trace[last.pre]) + written(trace[last.post]) - numbers(second)
    assert numbers(staircase(first, state, convention)) == given(state, convention)


def test_a_four_layer_network_eight_wide_fits_an_a4_page(poppler, tmp_path):
    state = bn.random_state(2, (8, 8, 8, 8, 8, 8))
    for convention in CONVENTIONS:
        pdf = pdf_of(state, convention)
        assert re.fullmatch(r"841\.89 x 595\.28 pts \(A4\)", info(pdf, tmp_path)["Page size"]), convention  # landscape
        assert_inside_the_page_and_readable(run("pdftotext", pdf, tmp_path, "-bbox"))


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
    pdf = pdf_of(state, "augmented")
    seconds = time.perf_counter() - start
    print(f"the largest worksheet (4 layers of 16, batch of 16, augmented) took {seconds:.1f} s")
    assert seconds < 60
    assert info(pdf, tmp_path)["Pages"] == "2"
    assert_inside_the_page_and_readable(run("pdftotext", pdf, tmp_path, "-bbox"))
    second = pages(pdf, tmp_path)[1]
    assert not written(bn.forward(state).Y) - numbers(second)
    (tmp_path / "worksheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(tmp_path / "worksheet.pdf"), str(tmp_path / "page")],
                   check=True, capture_output=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 2


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
