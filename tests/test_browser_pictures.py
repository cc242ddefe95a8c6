"""Every picture follows the page's theme, and says what it shows, in Chromium against ``make app`` (Voila,
``?theme=dark``) and JupyterLab Dark: page 04's timings and 06's mini-batch chart sit on the page's own
colour with ink that stands out on it; 04 writes its times in units that read and speed-ups its times bear
out; the heat maps' legend names each colour scale, and its hatched sample shows in either theme."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from test_browser_lab import jupyterlab, run_notebook
from test_browser_train import open_training
from test_speed import read_duration

import batchnet_core as bn
from batchnet_core.ui.heatmap import LUT_RGB, THEMES, colour_indices, contrast_ratio
from batchnet_core.ui.views import HeatmapViews, colour_scales

from conftest import (
    ARTIFACTS,
    TRAINING_HEAT_MAPS,
    close_tab,
    heat_maps_on_page,
    new_tab,
    open_app,
    render,
    state_on_page,
)

pytestmark = pytest.mark.browser

#: The colour an element is seen on: its own background, or its nearest painted ancestor's.
GROUND = """(element) => {
  for (let el = element; el; el = el.parentElement) {
    const colour = getComputedStyle(el).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
  }
  return 'rgb(255, 255, 255)';
}"""


def css_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"[\d.]+", colour)[:3])


def luminances(pixels: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of 8-bit sRGB pixels (… × 3)."""
    channels = pixels / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return linear @ [0.2126, 0.7152, 0.0722]


def seen(page, selector: str) -> tuple[np.ndarray, tuple[int, int, int]]:
    """The pixels Chromium shows of an element, and the colour of the page under it."""
    element = page.locator(selector)
    element.scroll_into_view_if_needed()
    pixels = np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB")).astype(float)
    return pixels, css_rgb(element.evaluate(GROUND))


def assert_drawn_for_the_page(page, selector: str, theme: str) -> None:
    """The chart shows on the page's own colour (no box of another), and its text and lines stand out on it."""
    pixels, ground = seen(page, selector)
    ground_luminance = luminances(np.array(ground, float))
    assert ground_luminance < 0.05 if theme == "dark" else ground_luminance > 0.8, (theme, ground)
    flat = pixels.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    assert tuple(colours[counts.argmax()]) == ground, "most of the chart is the page's own colour"
    ratios = (np.maximum(luminances(flat), ground_luminance) + 0.05) / (
        np.minimum(luminances(flat), ground_luminance) + 0.05)
    assert (ratios >= 3).mean() > 0.01, "text and lines stand out 3:1 on the page"
    if theme == "dark":
        assert (flat.min(axis=1) >= 240).mean() < 0.001, "no white box, frame or legend on a dark page"


def speed_rows(page) -> list[tuple[int, str, str, str]]:
    """Page 04's table: batch size, the loop's time, the product's time, the speed-up, as written."""
    rows = page.locator(".bn-timings tr").all_inner_texts()[1:]
    return [(int(b.replace(",", "")), loop, product, speedup)
            for b, loop, product, speedup in (row.split("\t") for row in rows)]


def assert_speed_up_agrees_with_its_times(row: tuple[int, str, str, str]) -> None:
    _, loop, product, speedup = row
    ratio = read_duration(loop) / read_duration(product)
    if speedup == "about the same":
        assert 0.94 < ratio < 1.06, row
        return
    factor = float(re.match(r"[\d,.]+", speedup).group().replace(",", ""))
    assert speedup.endswith("(slower)") == (ratio < 1), row
    assert factor == pytest.approx(ratio, rel=0.06, abs=0.006), row


def measure_speed(page) -> None:
    page.click(".bn-button-measure")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.startsWith('Done')",
                           timeout=180_000)
    page.wait_for_function("() => { const i = document.querySelector('img.bn-speed-plot');"
                           " return i && i.complete && i.naturalWidth > 300; }")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_speed_page_reads_its_timings_and_draws_them_for_its_theme(page, voila_url, theme):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(render(voila_url, "04_why_batch", f"theme={theme}"), timeout=90_000)
    page.wait_for_selector(".bn-button-measure", timeout=90_000)
    measure_speed(page)
    rows = speed_rows(page)
    assert [row[0] for row in rows] == [1, 10, 100, 1_000, 10_000, 100_000]
    for row in rows:
        for time in row[1:3]:
            assert re.fullmatch(r"\d[\d,]*(\.\d+)? (s|ms|µs|ns)", time) and read_duration(time) > 0, row
        assert_speed_up_agrees_with_its_times(row)
    status, told = page.inner_text(".bn-status"), page.locator(".bn-speed-findings p").all_inner_texts()
    slower = [f"{batch:,}" for batch, *_, speedup in rows if speedup.endswith("(slower)")]
    best = max(rows, key=lambda row: read_duration(row[1]) / read_duration(row[2]))
    if best[3].endswith("×"):
        assert status.startswith(f"Done. At a batch of {best[0]:,} the matrix product was "), status
    said_slower = [s for s in told if "the loop was faster" in s]
    assert bool(said_slower) == bool(slower), (told, slower)
    if slower:
        named = re.match(r"At (?:a batch of|batches of) ([\d, and]+?) the loop was faster", said_slower[0]).group(1)
        assert re.split(r", | and ", named) == slower
    for sentence in told:
        if "the speed-up fell" in sentence:  # the last speed-up is below the best, as the table shows
            assert read_duration(rows[-1][1]) / read_duration(rows[-1][2]) < read_duration(best[1]) / read_duration(
                best[2])
            assert "per input" in sentence
    for paragraph in page.locator(".bn-speed-findings p").all():
        assert paragraph.bounding_box()["width"] <= 760  # lines no longer than the chart is wide
    assert_drawn_for_the_page(page, "img.bn-speed-plot", theme)
    page.locator(".bn-speed-table").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"speed-{theme}-1024.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box = page.locator(".bn-timings").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.locator(".bn-speed-findings").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"speed-{theme}-390.png"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_mini_batch_chart_is_drawn_for_its_theme(page, voila_url, theme):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_training(page, render(voila_url, "06_train_the_batch", f"theme={theme}"))
    page.click("button.bn-minibatch-run")
    page.wait_for_function("() => { const i = document.querySelector('img.bn-minibatch-plot');"
                           " return i && i.complete && i.naturalWidth > 300; }", timeout=60_000)
    times = [row.split("\t")[2] for row in page.locator(".bn-minibatch-table tr").all_inner_texts()[1:]]
    assert len(times) == 3 and all(read_duration(time) > 0 for time in times), times
    assert_drawn_for_the_page(page, "img.bn-minibatch-plot", theme)
    page.screenshot(path=str(ARTIFACTS / f"minibatch-{theme}-1024.png"))


def test_the_charts_follow_jupyterlab_dark_and_a_switch_while_open(browser, tmp_path):
    page = new_tab(browser, viewport={"width": 1280, "height": 900})
    try:
        with jupyterlab(tmp_path, theme="JupyterLab Dark") as url:
            run_notebook(page, url, "06_train_the_batch", heat_maps=TRAINING_HEAT_MAPS)
            assert page.evaluate("document.body.dataset.jpThemeLight") == "false"
            page.click("button.bn-minibatch-run")
            page.wait_for_function("() => document.querySelector('img.bn-minibatch-plot')?.naturalWidth > 300",
                                   timeout=60_000)
            assert_drawn_for_the_page(page, "img.bn-minibatch-plot", "dark")
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-minibatch.png"))

            run_notebook(page, url, "04_why_batch", heat_maps=0, ready=".bn-button-measure")
            measure_speed(page)
            assert_drawn_for_the_page(page, "img.bn-speed-plot", "dark")
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-speed.png"))
            drawn = page.get_attribute("img.bn-speed-plot", "src")
            page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                          "{theme: 'JupyterLab Light'})")
            page.wait_for_function("(before) => document.querySelector('img.bn-speed-plot').src !== before",
                                   arg=drawn, timeout=30_000)
            page.wait_for_function("() => document.querySelector('img.bn-speed-plot').complete")
            assert_drawn_for_the_page(page, "img.bn-speed-plot", "light")
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-light-after-switch-speed.png"))
    finally:
        close_tab(page)


def legend_text(page) -> str:
    return " ".join(page.inner_text(".bn-legend").split())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_legend_names_each_scale_and_a_number_has_one_colour_in_x_w_and_b(page, voila_url, theme):
    open_app(page, render(voila_url, "02_batch_of_three", f"theme={theme}"))
    state = state_on_page(page)
    scales = colour_scales(state, bn.forward(state))
    assert ("Colour scales: X, W and b share one, darkest at ±5; each layer's sums and their ReLU share one, so the "
            "two compare: H_z and H at ±5, Y_z and Y at ±4. Compare colours within a scale, numbers across them."
            ) in legend_text(page)
    assert scales["X"] == scales["H_z"] == 5 and scales["Y_z"] == 4

    # the hatched sample: a 0's colour in the map, the heat maps' hatch on it, a frame that shows on the page
    sample = page.locator(".bn-legend .bn-hatch")
    style = sample.evaluate("el => { const s = getComputedStyle(el); return [s.backgroundColor, s.backgroundImage,"
                            " s.borderTopColor, s.color]; }")
    zero, hatch = tuple(int(v) for v in LUT_RGB[colour_indices(np.array(0.0), 1.0)]), \
        tuple(int(THEMES[theme]["hatch"][i:i + 2], 16) for i in (1, 3, 5))
    assert css_rgb(style[0]) == zero, style
    assert hatch in [css_rgb(colour) for colour in re.findall(r"rgba?\([^)]*\)", style[1])], style
    assert contrast_ratio(hatch, zero) >= 3 and contrast_ratio(css_rgb(style[3]), zero) >= 4.5
    pixels, ground = seen(page, ".bn-legend .bn-hatch")
    flat = pixels.reshape(-1, 3)
    near = lambda colour: (np.abs(flat - colour).max(axis=1) <= 12).mean()  # noqa: E731
    assert near(hatch) >= 0.05 and near(zero) >= 0.3, (near(hatch), near(zero))  # the lines are painted
    assert contrast_ratio(css_rgb(style[2]), ground) >= 3, (style[2], ground)  # its frame shows on the page
    page.locator(".bn-legend").screenshot(path=str(ARTIFACTS / f"legend-{theme}.png"))

    # a larger weight: every 1 of X, W and b deepens alike
    readout = page.locator(".bn-W2-0-1 input")
    readout.fill("9")
    readout.press("Enter")
    page.wait_for_function("() => document.querySelector('.bn-legend').innerText.includes('darkest at ±9;')",
                           timeout=30_000)
    ones = [("W1b1", "W1|b1", 0, 0), ("W2b2", "W2|b2", 0, 0), ("W2b2", "W2|b2", 1, 4), ("X", "X", 1, 1)]
    deeper = tuple(int(v) for v in LUT_RGB[colour_indices(np.array(1.0), 9.0)])
    page.wait_for_function("(fill) => getComputedStyle(document.querySelector("
                           "'svg.bn-heatmap-X .bn-drawn-cell:nth-of-type(5) rect')).fill === fill",
                           arg=f"rgb({', '.join(map(str, deeper))})", timeout=30_000)
    panels, drawn = HeatmapViews(state.sizes).panels, heat_maps_on_page(page)
    colours = {drawn[key][row * panels[name].shape[1] + col]["fill"] for key, name, row, col in ones}
    assert colours == {deeper}
    # and on screen: the pixels Chromium paints inside each of those cells, clear of its number
    for key, name, row, col in ones:
        pixels, _ = seen(page, f"svg.bn-heatmap-{key}")
        top, _, left, _ = panels[name].box(row, col)
        scale = pixels.shape[1] / panels[name].size[1]
        assert tuple(pixels[int((top + 4) * scale), int((left + 4) * scale)]) == deeper, key
