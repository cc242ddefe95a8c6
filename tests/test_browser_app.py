"""The Interactive Code Environment in the real Voila server, driven in headless Chromium."""

import io

import numpy as np
import pytest
from PIL import Image

import batchnet_core as bn
from batchnet_core.ui.views import PANELS

from conftest import (
    LIVE,
    MAIN_PAGE,
    assert_no_error_text,
    assert_results_follow_the_state,
    heat_maps_on_page,
    open_app,
    page_values,
    state_on_page,
    wait_for_value,
)
from test_core import HAND_H, HAND_H_Z, HAND_Y, HAND_Y_Z

pytestmark = pytest.mark.browser


def test_the_page_opens_on_the_worked_example(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    assert page_values(page, "H_z") == HAND_H_Z
    assert page_values(page, "H") == HAND_H
    assert page_values(page, "Y_z") == HAND_Y_Z
    assert page_values(page, "Y") == HAND_Y
    assert page.locator(".bn-control").count() == 35
    assert page.locator("svg.bn-heatmap").count() == 7
    assert "26 parameters" in page.inner_text("body")
    assert page.title() == "A batch of three inputs, by hand and live — batchnet"
    assert_no_error_text(page)


def test_keyboard_slider_and_typed_value_recompute_everything(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.focus(".bn-W1-0-0 .noUi-handle")
    page.keyboard.press("ArrowRight")
    wait_for_value(page, "W1", 0, 0, 2)
    state = assert_results_follow_the_state(page)
    assert state.W1[0, 0] == 2 and page_values(page, "H_z")[0][0] == 1

    readout = page.locator(".bn-X-2-0 input")
    readout.fill("−1.5")
    readout.press("Enter")
    wait_for_value(page, "X", 2, 0, -1.5)
    state = assert_results_follow_the_state(page)
    assert state.X[2, 0] == -1.5
    assert readout.input_value() == "−1.5"
    assert_no_error_text(page)
    assert_heat_maps_on_screen_show(page, state)


def assert_heat_maps_on_screen_show(page, state: bn.State) -> None:
    """The pictures the browser shows (not only the tables beside them) hold the state's numbers, each in its
    colour of the map with the ink that stands out on it, ReLU's zeros hatched and bold: read from the SVG as
    rendered, and computed from the state alone."""
    from batchnet_core.ui.heatmap import LUT_RGB, LUT_TAKES_DARK_INK, colour_indices, panel_texts
    from batchnet_core.ui.views import HeatmapViews, colour_scales

    from test_heatmap_numbers import shown_values

    drawn, layout = heat_maps_on_page(page), HeatmapViews(state.sizes).panels
    scales = colour_scales(state, bn.forward(state))
    assert set(drawn) == {name.replace("|", "") for name in PANELS}
    for name, values in shown_values(state).items():
        cells = drawn[name.replace("|", "")]
        zeroed = (bn.relu_zeroed(values) if name in ("H", "Y") else np.zeros(values.shape, bool)).ravel().tolist()
        widths = tuple(right - left for _, _, left, right in layout[name]._boxes)
        assert [cell["text"] for cell in cells] == panel_texts(tuple(values.ravel()), widths, zeroed), name
        colours = colour_indices(values, scales[name.split("|")[0]]).ravel()
        assert [cell["fill"] for cell in cells] == [tuple(int(v) for v in LUT_RGB[i]) for i in colours], name
        assert [cell["ink"] for cell in cells] == [(0, 0, 0) if LUT_TAKES_DARK_INK[i] else (255, 255, 255)
                                                   for i in colours], name
        assert [cell["hatched"] for cell in cells] == [cell["bold"] for cell in cells] == zeroed, name


#: Notes, in the page, every moment a heat map is missing or has no number drawn: whenever the drawing
#: changes (before anything could paint it) and at every animation frame.
WATCH_HEAT_MAPS = """() => {
  window.__blank = []; window.__frames = 0; window.__replaced = 0;
  const look = (when) => {
    const maps = [...document.querySelectorAll('svg.bn-heatmap')];
    if (maps.length !== 7 || maps.some(m => [...m.querySelectorAll('.bn-drawn-cell text')].every(t => !t.textContent)))
      window.__blank.push(when);
  };
  new MutationObserver(() => { window.__replaced++; look('inserted'); })
    .observe(document.querySelector('.bn-heatmaps'), {subtree: true, childList: true});
  const frame = () => { window.__frames++; look('frame'); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


def test_heat_maps_are_never_blank_while_they_change(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.evaluate(WATCH_HEAT_MAPS)
    page.focus(".bn-W1-0-0 .noUi-handle")
    for value in [2, 3, 4, 5, 6, 5, 4, 3, 2, 1]:
        page.keyboard.press("ArrowRight" if value > state_on_page(page).W1[0, 0] else "ArrowLeft")
        page.wait_for_function("text => document.querySelector('.bn-status').innerText === text",
                               arg=f"W1[1,1] = {value}")
    assert_results_follow_the_state(page)
    frames, replaced, blank = page.evaluate("() => [window.__frames, window.__replaced, window.__blank]")
    assert replaced >= 10 and frames > 10
    assert blank == []


#: A font wider than the kernel's, as a page whose fonts differ may draw the numbers: every number must
#: then be narrowed to its cell by the page.
WIDE_NUMBERS = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '.bn-heatmap .bn-drawn-cell text { letter-spacing: 1em; }';
  document.head.appendChild(style);
});"""

#: Each number drawn: its text, the width it is drawn at, its cell's and whether the page narrowed it.
DRAWN_NUMBERS = """() => [...document.querySelectorAll('svg.bn-heatmap .bn-drawn-cell')].map(cell => {
  const text = cell.querySelector('text');
  return {text: text.textContent, cell: cell.querySelector('rect').width.baseVal.value,
          width: text.textContent ? text.getBBox().width : 0, narrowed: text.hasAttribute('textLength')};
}).filter(n => n.text)"""


def assert_every_number_fits_its_cell(page) -> list[dict]:
    numbers = page.evaluate(DRAWN_NUMBERS)
    for number in numbers:
        assert number["width"] <= number["cell"], number
    return numbers


def test_a_number_wider_than_its_cell_in_the_pages_font_is_narrowed_to_it_after_every_change(page, voila_url):
    page.add_init_script(WIDE_NUMBERS)
    open_app(page, voila_url + MAIN_PAGE)
    first = assert_every_number_fits_its_cell(page)
    assert any(n["narrowed"] for n in first) and not all(n["narrowed"] for n in first)
    readout = page.locator(".bn-X-2-0 input")
    shown = []
    for typed, value in [("−1.25", -1.25), ("3", 3)]:  # longer numbers, then the worked example's again
        readout.fill(typed)
        readout.press("Enter")
        wait_for_value(page, "X", 2, 0, value)
        page.evaluate("() => new Promise(requestAnimationFrame)")  # the page fits its numbers at the next frame
        shown.append(assert_every_number_fits_its_cell(page))
    longer, again = shown
    assert sum(n["narrowed"] for n in longer) > sum(n["narrowed"] for n in first)
    assert again == first  # the same numbers, narrowed as they first were, and the shorter ones no longer


def test_numbers_drawn_while_hidden_are_narrowed_once_shown(page, voila_url):
    """A drawing may arrive where it is not shown (an output collapsed, a tab in the background): its numbers
    cannot be measured there, and are once it is shown."""
    page.add_init_script(WIDE_NUMBERS + """
document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = 'html.bn-hidden-test figure.bn-figure { display: none !important; }';
  document.head.appendChild(style);
  document.documentElement.classList.add('bn-hidden-test');
});""")
    page.goto(voila_url + MAIN_PAGE)
    page.wait_for_function(LIVE, timeout=90_000)
    page.wait_for_function("() => [...document.querySelectorAll('.bn-values-Y td')].some(td => td.textContent)",
                           timeout=90_000)
    assert not page.locator("svg.bn-heatmap").first.is_visible()
    page.evaluate("() => document.documentElement.classList.remove('bn-hidden-test')")
    page.evaluate("() => new Promise(requestAnimationFrame)")  # observed shown at this frame, fitted before it paints
    numbers = assert_every_number_fits_its_cell(page)
    assert any(n["narrowed"] for n in numbers)


@pytest.mark.parametrize(
    "typed, message",
    [("abc", "W1[2,2]: 'abc' is not a number: type a whole number, a decimal or a fraction"),
     ("2e6", "W1[2,2]: '2e6' is out of range; enter a number from −1000000 to 1000000")],
)
def test_bad_typed_values_get_a_message_and_lose_nothing(page, voila_url, typed, message):
    open_app(page, voila_url + MAIN_PAGE)
    before = state_on_page(page)
    readout = page.locator(".bn-W1-1-1 input")
    readout.fill(typed)
    readout.press("Enter")
    page.wait_for_selector(".bn-status .bn-error")
    assert message in page.inner_text(".bn-status")
    assert message in page.inner_text(".bn-matrix:has(.bn-W1-1-1) .bn-entry-error")  # next to the box
    assert page.locator(".bn-W1-1-1.bn-invalid-box").count() == 1
    assert readout.input_value() == "1"
    assert state_on_page(page) == before
    assert "Traceback" not in page.inner_text("body")


def test_reset_restores_the_worked_example(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.click(".bn-button-random-integers")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes('seed 1')")
    assert state_on_page(page) == bn.random_state(1, (3, 4, 2, 3))
    page.click(".bn-button-reset")
    wait_for_value(page, "Y", 1, 2, 4)
    assert state_on_page(page) == bn.preset("three-inputs")
    assert_results_follow_the_state(page)


def test_decimal_values_survive_the_slider_snapping_echo(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.click(".bn-step-picker button:has-text('0.1')")
    page.click(".bn-button-random-decimals")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes('seed 1')")
    # A later round trip: every echo of the sliders' first render has been handled by then.
    readout = page.locator(".bn-b2-0-0 input")
    readout.fill("7")
    readout.press("Enter")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText === 'b2[1] = 7'")
    expected = bn.random_state(1, (3, 4, 2, 3), integers=False).with_entry("b2", 0, 0, 7)
    assert state_on_page(page) == expected


def test_explain_a_cell_of_the_second_layer(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE)
    page.click(".bn-explain-layer button:has-text('Y_z')")
    page.wait_for_function("() => document.querySelector('.bn-explain').innerText.includes('Y_z[y1')")
    page.select_option(".bn-explain-row select", label="y2")
    page.select_option(".bn-explain-col select", label="x3")
    page.wait_for_function("() => document.querySelector('.bn-explain').innerText.includes('Y_z[y2, x3]')")
    text = page.inner_text(".bn-explain")
    assert bn.explain(bn.preset("three-inputs"), "Y_z", 1, 2).text in text
    assert "x1 → 3, x2 → 3, x3 → 4" in text
    assert "X = np.column_stack([x1, x2, x3])" in page.inner_text(".bn-code")


def test_dark_theme_draws_dark_heat_maps(page, voila_url):
    open_app(page, voila_url + MAIN_PAGE + "?theme=dark")
    assert "theme-dark" in page.get_attribute("body", "class")
    shown = page.locator("svg.bn-heatmap-H_z").screenshot()
    corner = Image.open(io.BytesIO(shown)).convert("RGB").getpixel((2, 2))
    assert sum(corner) / 3 < 60, corner  # the page's own dark colour shows through
    title = page.locator("svg.bn-heatmap-H_z text").first
    assert title.evaluate("t => getComputedStyle(t).fill") == "rgb(232, 232, 232)"  # light text for a dark page
    assert page_values(page, "Y") == HAND_Y
    assert_no_error_text(page)
