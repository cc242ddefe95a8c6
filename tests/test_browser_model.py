"""Cells you click, notations and depth, in the real Voila server (``make app``) and Chromium."""

import re

import pytest

from batchnet_core.notation import NOTATIONS

from conftest import MAIN_PAGE, assert_no_error_text, open_app, page_values

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
    size = page.evaluate("() => [document.querySelector('img.bn-heatmap-H_z').naturalWidth,"
                         " document.querySelector('img.bn-heatmap-H_z').naturalHeight]")
    page.select_option(".bn-notation select", label=NOTATIONS["rows"].label)
    page.wait_for_function("() => document.querySelector('.bn-code pre').textContent.includes('X @ W1.T')",
                           timeout=20_000)
    after = page.evaluate("() => [document.querySelector('img.bn-heatmap-H_z').naturalWidth,"
                          " document.querySelector('img.bn-heatmap-H_z').naturalHeight]")
    assert after != size and page_values(page, "H_z") == before
    page.click("button[data-cell='H_z,2,1']")
    explained(page, "H_z[h3, x2] = (x2) · (W1ᵀ column h3) + b1[h3]")
    assert_no_error_text(page)


def test_one_click_downloads_the_worksheet_of_the_notation_shown(page, voila_url, tmp_path, poppler):
    import subprocess

    open_app(page, voila_url + MAIN_PAGE)
    page.select_option(".bn-notation select", label=NOTATIONS["augmented"].label)
    page.wait_for_function("() => document.querySelector('.bn-code pre').textContent.includes('W1_aug')",
                           timeout=20_000)
    with page.expect_download(timeout=30_000) as download:
        page.click(".bn-button-worksheet")
    assert download.value.suggested_filename == "batchnet-worksheet.pdf"
    path = tmp_path / "worksheet.pdf"
    download.value.save_as(path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "[W1 | b1]" in text  # the augmented notation, as on the page


@pytest.mark.parametrize("width", [1400, 1024, 390])
def test_each_cell_button_lies_over_its_cell_at_any_scale(browser, voila_url, width):
    import batchnet_core as bn
    from batchnet_core.ui.views import HeatmapViews

    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        open_app(page, voila_url + MAIN_PAGE)
        views = HeatmapViews(bn.preset("three-inputs").sizes)
        for name in ("H_z", "Y"):
            height, picture_width = views.panels[name].size
            placed = page.evaluate("""(name) => {
                const img = document.querySelector(`img.bn-heatmap-${name}`).getBoundingClientRect();
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
        page.close()
