"""Cells you click, notations and depth, in the real Voila server (``make app``) and Chromium."""

import re

import pytest

import batchnet_core as bn
from batchnet_core.notation import NOTATIONS

from conftest import ARTIFACTS, MAIN_PAGE, assert_no_error_text, close_tab, new_tab, open_app, page_values

pytestmark = pytest.mark.browser

HEADING = ".bn-explain .bn-explain-heading"


def explained(page, heading: str) -> None:
    page.wait_for_function("([selector, text]) => document.querySelector(selector)?.textContent === text",
                           arg=[HEADING, heading], timeout=20_000)


def test_a_click_on_a_cell_explains_it(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.click("button[data-cell='H_z,2,1']")
    explained(page, "H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]")
    page.click("button[data-cell='Y,1,2']")  # a cell after ReLU: its sum, then its ReLU
    explained(page, "Y[y2, x3] = ReLU((W2 row y2) · (H column x3) + b2[y2])")
    assert "→ ReLU → 4" in page.inner_text(".bn-explain")
    assert page.get_attribute("button[data-cell='Y_z,1,2']", "aria-current") == "true"
    assert_no_error_text(page)


def test_a_cell_by_keyboard_keeps_the_focus_through_the_redraw(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.focus("button[data-cell='H,3,0']")
    page.keyboard.press("Enter")
    explained(page, "H[h4, x1] = ReLU((W1 row h4) · (x1) + b1[h4])")
    # the heat maps were sent again (the outlines moved): the new button of that cell has the focus
    page.wait_for_function("() => document.activeElement?.dataset?.cell === 'H,3,0'", timeout=10_000)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.cell") == "H,3,1"
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert re.fullmatch(r"H\[h4, x2\] = 0; explain", name)


def test_the_notation_switch_redraws_the_same_numbers_transposed(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    before = page_values(page, "H_z")
    size = page.evaluate("() => [document.querySelector('svg.bn-heatmap-H_z').viewBox.baseVal.width,"
                         " document.querySelector('svg.bn-heatmap-H_z').viewBox.baseVal.height]")
    page.select_option(".bn-notation select", label=NOTATIONS["rows"].label)
    page.wait_for_function("() => document.querySelector('.bn-code pre').textContent.includes('X @ W1.T')",
                           timeout=20_000)
    after = page.evaluate("() => [document.querySelector('svg.bn-heatmap-H_z').viewBox.baseVal.width,"
                          " document.querySelector('svg.bn-heatmap-H_z').viewBox.baseVal.height]")
    assert after != size and page_values(page, "H_z") == before
    page.click("button[data-cell='H_z,2,1']")
    explained(page, "H_z[x2, h3] = (x2) · (W1ᵀ column h3) + b1[h3]")
    assert_no_error_text(page)


#: A matrix's controls as the page shows them: the title, the column labels, the row labels.
CONTROLS = """(name) => { const box = document.querySelector(`.bn-controls-${name}`);
    return [box.querySelector('.bn-panel-title').textContent,
            [...box.querySelectorAll('.bn-axis-labels .bn-axis')].map(e => e.textContent),
            [...box.querySelectorAll('.bn-axis-row')].map(e => e.textContent)]; }"""
#: A value table as a screen reader reads it: caption, column headers, then each row.
TABLE = """(name) => { const t = document.querySelector(`table.bn-values-${name}`);
    return [t.caption.textContent, [...t.rows].map(r => [...r.cells].map(c => c.textContent))]; }"""


def shows(page, read: str, name: str, expected: list) -> None:
    """Wait until ``read(name)`` on the page gives ``expected``: each widget's part arrives in its own time."""
    page.wait_for_function("([read, name, expected]) => JSON.stringify(eval(read)(name)) === JSON.stringify(expected)",
                           arg=[read, name, expected], timeout=20_000)


@pytest.mark.parametrize("width", [1024, 390])
def test_in_rows_the_page_speaks_rows(browser, voila_url, width):
    """Row x3, column h2 of H_z as rows draw it: h2's weights [1, 1, 0] (b1[h2] = 0) meet x3 = [0, 1, 1]."""
    page = new_tab(browser, viewport={"width": width, "height": 768})
    try:
        open_app(page, voila_url + MAIN_PAGE)
        page.select_option(".bn-notation select", label=NOTATIONS["rows"].label)
        shows(page, CONTROLS, "X", ["X: inputs as rows (3 × 3)", ["1", "2", "3"], ["x1", "x2", "x3"]])
        shows(page, CONTROLS, "W1", ["W1ᵀ ; b1 (3 × 4 ; 4)", ["h1", "h2", "h3", "h4"], ["1", "2", "3", "b1"]])
        shows(page, CONTROLS, "W2", ["W2ᵀ ; b2 (4 × 2 ; 2)", ["y1", "y2"], ["h1", "h2", "h3", "h4", "b2"]])
        # the entry in row 2, column h1 of W1ᵀ's controls is W1's (h1, 2): −1
        assert "bn-W1-0-1" in page.locator(".bn-controls-W1 .bn-control").nth(4).get_attribute("class").split()
        # the button at row x3, column h2 of H_z's picture (drawn 3 × 4) is the cell it names
        from batchnet_core.ui.views import HeatmapViews

        drawing = HeatmapViews(bn.preset("three-inputs").sizes, convention="rows").panels["H_z"]
        (height, picture_width), (top, bottom, left, right) = drawing.size, drawing.box(2, 1)
        cell = page.locator("button[data-cell='H_z,1,2']")
        where = page.evaluate("""() => {
            const img = document.querySelector('svg.bn-heatmap-H_z').getBoundingClientRect();
            const b = document.querySelector("button[data-cell='H_z,1,2']").getBoundingClientRect();
            return [(b.left - img.left) / img.width, (b.top - img.top) / img.height,
                    (b.right - img.left) / img.width, (b.bottom - img.top) / img.height]; }""")
        assert where == pytest.approx([left / picture_width, top / height, right / picture_width, bottom / height],
                                      abs=0.01)
        cell.focus()  # its spoken name takes its value from the table, drawn the other way round
        page.wait_for_function("() => document.activeElement.getAttribute('aria-label') === 'H_z[x3, h2] = 1; explain'")
        cell.press("Enter")
        explained(page, "H_z[x3, h2] = (x3) · (W1ᵀ column h2) + b1[h2]")
        said = page.inner_text(".bn-explain")
        assert "0·1 + 1·1 + 1·0 + 0 = 1 → ReLU → 1" in said
        assert ("The same column of W1ᵀ and the same bias make column h2 for every input in the batch: "
                "x1 → 3, x2 → 2, x3 → 1.") in said and "row h2" not in said
        shows(page, TABLE, "H_z", ["H_z, 3 × 4", [["", "h1", "h2", "h3", "h4"], ["x1", "−1", "3", "5", "3"],
                                                  ["x2", "−5", "2", "2", "−1"], ["x3", "−5", "1", "3", "−1"]]])
        assert page.evaluate(TABLE, "W1")[0] == "W1ᵀ, 3 × 4" and page.evaluate(TABLE, "b1")[0] == "b1, 1 × 4"
        assert page.evaluate(TABLE, "Y")[0] == "Y, 3 × 2"
        page.get_by_role("button", name="Step ▶").click()
        page.get_by_role("button", name="Step ▶").click()
        page.wait_for_function("() => document.querySelector('.bn-step-sum')?.textContent === '2·1'")
        assert page.inner_text(".bn-step-heading") == "H_z[x1, h1] = (x1) · (W1ᵀ column h1) + b1[h1]"
        page.eval_on_selector(".bn-controls-X", "el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(ARTIFACTS / f"rows-{width}.png"))
        assert_no_error_text(page)
    finally:
        close_tab(page)


def pdf_text(path) -> tuple[int, str]:
    """A downloaded PDF's page count and its text, as poppler reads them."""
    import subprocess

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1)), text


def test_one_click_downloads_the_students_sheet_and_the_key_is_a_second_download(page, voila_url, tmp_path,
                                                                                 poppler):
    open_app(page, voila_url + MAIN_PAGE)
    page.select_option(".bn-notation select", label=NOTATIONS["augmented"].label)
    page.wait_for_function("() => document.querySelector('.bn-code pre').textContent.includes('W1_aug')",
                           timeout=20_000)
    with page.expect_download(timeout=30_000) as download:
        page.click(".bn-button-worksheet")
    assert download.value.suggested_filename == "batchnet-worksheet.pdf"
    download.value.save_as(tmp_path / "sheet.pdf")
    pages, sheet = pdf_text(tmp_path / "sheet.pdf")
    assert pages == 1 and "[W1 | b1]" in sheet  # the augmented notation, as on the page
    assert "Exercise" in sheet and "Answer key" not in sheet and "−5" in sheet
    assert not re.search(r"y2 +3 +3 +4\b", sheet)  # Y's row y2, whose cells are blank
    # the key: a second link beside the first, a file of its own
    links = page.locator(".bn-downloads a.bn-download-pdf")
    assert links.all_inner_texts() == ["students' worksheet (PDF)", "answer key (PDF)"]
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("link", name="answer key (PDF)").click()
    assert download.value.suggested_filename == "batchnet-worksheet-key.pdf"
    download.value.save_as(tmp_path / "key.pdf")
    pages, key = pdf_text(tmp_path / "key.pdf")
    assert pages == 1 and "Answer key" in key and "[W1 | b1]" in key and re.search(r"y2 +3 +3 +4\b", key)
    assert "answer key is the second download" in page.inner_text(".bn-status")


@pytest.mark.parametrize(("width", "theme"), [(1024, "light"), (390, "light"), (1024, "dark")])
def test_a_class_set_and_its_key_download_in_view(browser, voila_url, tmp_path, poppler, width, theme):
    page = new_tab(browser, viewport={"width": width, "height": 768}, accept_downloads=True)
    try:
        open_app(page, voila_url + MAIN_PAGE + ("?theme=dark" if theme == "dark" else ""))
        versions = page.locator(".bn-worksheet-versions input")
        versions.fill("2")
        versions.press("Tab")  # the box sends its value when it is left
        box = page.locator(".bn-worksheet-versions").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.get_by_label("Versions").input_value() == "2"
        with page.expect_download(timeout=60_000) as download:
            page.click(".bn-button-worksheet")
        download.value.save_as(tmp_path / "set.pdf")
        pages, text = pdf_text(tmp_path / "set.pdf")
        assert pages == 2 and "Version 1 of 2" in text and "Version 2 of 2" in text and "Answer key" not in text
        links = page.locator(".bn-downloads a.bn-download-pdf")
        links.first.scroll_into_view_if_needed()
        boxes = [links.nth(i).bounding_box() for i in range(2)]
        # both whole on the screen, in type of 12 px or more, the key after the sheet
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] > 0
        assert all(float(size.rstrip("px")) >= 12 for size in links.evaluate_all(
            "links => links.map(link => getComputedStyle(link).fontSize)"))
        assert (boxes[1]["y"], boxes[1]["x"]) > (boxes[0]["y"], boxes[0]["x"])
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(ARTIFACTS / f"worksheet-downloads-{width}-{theme}.png"))
    finally:
        close_tab(page)


@pytest.mark.parametrize("width", [1400, 1024, 390])
def test_each_cell_button_lies_over_its_cell_at_any_scale(browser, voila_url, width):
    import batchnet_core as bn
    from batchnet_core.ui.views import HeatmapViews

    page = new_tab(browser, viewport={"width": width, "height": 900})
    try:
        open_app(page, voila_url + MAIN_PAGE)
        views = HeatmapViews(bn.preset("three-inputs").sizes)
        for name in ("H_z", "Y"):
            height, picture_width = views.panels[name].size
            placed = page.evaluate("""(name) => {
                const img = document.querySelector(`svg.bn-heatmap-${name}`).getBoundingClientRect();
                return [...document.querySelectorAll(`button[data-cell^="${name},"]`)].map(b => {
                    const r = b.getBoundingClientRect();
                    return [b.dataset.cell, (r.left - img.left) / img.width, (r.top - img.top) / img.height,
                            (r.right - img.left) / img.width, (r.bottom - img.top) / img.height];
                });
            }""", name)
            assert len(placed) == bn.forward(bn.preset("three-inputs"))[name].size
            for cell, left, top, right, bottom in placed:
                _, r, c = cell.split(",")
                box_top, box_bottom, box_left, box_right = views.panels[name].box(int(r), int(c))
                expected = (box_left / picture_width, box_top / height, box_right / picture_width, box_bottom / height)
                assert (left, top, right, bottom) == pytest.approx(expected, abs=0.01), cell
    finally:
        close_tab(page)
