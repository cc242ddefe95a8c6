"""Every chart follows the page's theme, as the heat maps do: drawn on a see-through background, its
text and lines in the theme's colours, and redrawn when the page reports another theme."""

import io

import numpy as np
import pytest
from PIL import Image

from batchnet_core.minibatch import compare
from batchnet_core.speed import Timing
from batchnet_core.ui.charts import LINES
from batchnet_core.ui.heatmap import THEMES, contrast_ratio
from batchnet_core.ui.minibatch import MiniBatchComparison, loss_plot
from batchnet_core.ui.speed import SpeedComparison, timing_plot
from batchnet_core.ui.train import LossHistory, curve_png

from test_ui import button

#: The pages a chart may sit on: Voila's and JupyterLab's, light and dark.
PAGES = {"light": ("#ffffff", "#fefefe"), "dark": ("#111111", "#1a1a1a", "#212121")}
TIMINGS = [Timing(1, 8.1e-6, 1.2e-5), Timing(100, 8e-4, 2e-5), Timing(10_000, 0.08, 6e-4)]


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def history() -> LossHistory:
    h = LossHistory(4.0)
    for value in (3.0, 2.0, 1.0):
        h.add(value)
    return h


CHARTS = {
    "timings": lambda theme: timing_plot(TIMINGS, theme),
    "mini-batches": lambda theme: loss_plot(compare(epochs=3), theme),
    "loss curve": lambda theme: curve_png(history(), theme),
}


def ink(png: bytes) -> tuple[float, np.ndarray, float]:
    """A chart's share of see-through pixels, the mean colour of its opaque ones (text, lines, frame), and
    their share that is near white."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), float)
    alpha = pixels[..., 3]
    opaque = pixels[alpha >= 250][:, :3]
    return float((alpha == 0).mean()), opaque.mean(axis=0), float((opaque.min(axis=1) >= 240).mean())


def drawn_for(png: bytes) -> str:
    """The theme whose pages every one of the chart's ink stands out on (3:1), if one."""
    _, mean, _ = ink(png)
    fits = [theme for theme, pages in PAGES.items() if all(contrast_ratio(mean, rgb(page)) >= 3 for page in pages)]
    return fits[0] if len(fits) == 1 else f"neither: ink {mean.round()}"


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("theme", PAGES)
def test_a_chart_is_drawn_for_its_theme_on_a_see_through_background(name, theme):
    png = CHARTS[name](theme)
    clear, _, white = ink(png)
    assert clear > 0.5, "the page's own colour shows around the drawing"
    assert drawn_for(png) == theme
    if theme == "dark":
        assert white == 0, "no white box, frame or legend on a dark page"


@pytest.mark.parametrize("theme", PAGES)
def test_every_line_and_text_colour_stands_out_on_every_page_of_its_theme(theme):
    for page in PAGES[theme]:
        for colour in LINES[theme].values():
            assert contrast_ratio(rgb(colour), rgb(page)) >= 3, (colour, page)  # WCAG's 3:1 for graphics
        assert contrast_ratio(rgb(THEMES[theme]["text"]), rgb(page)) >= 4.5
        assert contrast_ratio(rgb(THEMES[theme]["muted"]), rgb(page)) >= 4.5


def test_the_timing_chart_follows_the_theme_the_page_reports():
    comparison = SpeedComparison(sizes=(1, 50))
    comparison.page.theme = "dark"  # as page.js reports JupyterLab's or Voila's dark page
    assert comparison.theme == "dark"
    button(comparison, "measure").click()
    assert drawn_for(comparison.plot_png) == "dark"
    comparison.page.theme = "light"
    assert drawn_for(comparison.plot_png) == "light" and "bn-speed-plot" in comparison.plot.value
    comparison.page.theme = "sepia"  # not a theme drawn here: ignored
    assert comparison.theme == "light"


def test_the_mini_batch_chart_follows_the_theme_the_page_reports():
    comparison = MiniBatchComparison()
    comparison.page.theme = "dark"
    comparison.epochs.value = "3"
    comparison.button.click()
    assert drawn_for(comparison.plot_png) == "dark"
    before = comparison.plot.value
    comparison.page.theme = "light"
    assert drawn_for(comparison.plot_png) == "light" and comparison.plot.value != before
