"""An app's picture for the first screen (batchnet_core/ui/first_screen.py): what the kernel writes, without a
browser; tests/test_browser_first_screen.py shows it in Chromium."""

import html
import json
import re
from html.parser import HTMLParser

import ipywidgets as widgets
import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.ui import BatchApp, first_screen
from batchnet_core.ui.first_screen import FIRST_SCREEN, FirstScreenBox, drawing_script, first_screen_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Elements(HTMLParser):
    """Every element of some HTML: its tag and attributes, and the text of each script."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch):
    """Each test as a new kernel: the drawings' code not yet sent."""
    monkeypatch.setattr(first_screen, "_drawing_code_sent", False)


def test_an_app_brings_its_picture_beside_its_widget(worked):
    app = BatchApp(worked)
    bundle = app.widget._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == app.widget.model_id
    picture = Elements(bundle[FIRST_SCREEN])
    # the drawings' parts as the kernel drew them: the state's own forward pass, worked out here again
    drawn = [json.loads(text) for text in picture.scripts if text.startswith("{")]
    values = {name: json.loads(table["d"]) for parts in drawn for name, table in parts["tables"]["values"].items()}
    H = np.maximum(worked.W1 @ worked.X + worked.b1[:, None], 0)
    Y = np.maximum(worked.W2 @ H + worked.b2[:, None], 0)
    assert np.array_equal(values["H"], H) and np.array_equal(values["Y"], Y)
    assert values["Y"] == [[0, 0, 0], [3, 3, 4]]  # the worked example, by hand
    # every slider of the worksheet, at its value's place on its track
    handles = [attrs["style"] for tag, attrs in picture.found if "noUi-origin" in attrs.get("class", "")]
    assert len(handles) == 35
    x1 = [attrs["value"] for tag, attrs in picture.found if tag == "input" and attrs.get("type") == "text"][:3]
    assert x1 == ["2", "1", "0"]  # X's first row: x1, x2 and x3's first entries
    # the picture is marked inert, and says what it is
    assert any(tag == "div" and "inert" in attrs for tag, attrs in picture.found)
    assert html.escape(first_screen.LOADING) in bundle[FIRST_SCREEN]


def test_an_app_too_large_for_a_picture_comes_without_one():
    """The largest state a link can ask for (four layers of 16): a picture of 1.7 M characters is not sent, and the
    drawings' code waits for the next picture that is."""
    largest = BatchApp(bn.random_state(1, (bn.MAX_SIZE,) * (bn.MAX_DEPTH + 2), integers=False))
    assert FIRST_SCREEN not in largest.widget._repr_mimebundle_()
    assert "window.batchnetDrawing" in BatchApp().widget._repr_mimebundle_()[FIRST_SCREEN]


def test_the_drawings_code_is_sent_once_a_kernel_as_a_script():
    box = FirstScreenBox([widgets.HTML("one")])
    first, second = first_screen_html(box), first_screen_html(box)
    assert first.count("window.batchnetDrawing = ") == 1 and "window.batchnetDrawing" not in second
    script = drawing_script()
    assert "export default" not in script and script.rstrip().endswith("})();</script>")
    # a drawing module that no longer ends as expected, or that holds the end of a script, is not sent
    assert drawing_script("export function render() {}") == ""
    assert drawing_script("const a = '</script>';\nexport default { render };") == ""


def test_the_picture_writes_every_text_escaped_and_no_script_of_an_html_text():
    hostile = '"><img src=x onerror=alert(1)>'
    box = FirstScreenBox([
        widgets.Text(value=hostile, description=hostile, tooltip=hostile),
        widgets.Dropdown(options=[hostile], description="<b>d</b>"),
        widgets.Button(description="<script>alert(1)</script>"),
        widgets.ToggleButtons(options=[hostile, "b"]),
        widgets.Checkbox(description=hostile),
        widgets.HTML("<b>kept</b><script>alert(1)</script><SCRIPT src=x></SCRIPT>"),
    ])
    box.add_class("bn-app")
    text = first_screen_html(box)
    picture = Elements(text)
    assert not any(tag == "img" for tag, _ in picture.found)
    assert [tag for tag, _ in picture.found].count("script") == 1  # the drawings' code alone
    assert "<b>kept</b>" in text and "&lt;script>alert(1)" in text and "&lt;SCRIPT src=x>" in text
    assert not re.search(r"<script>alert", text, re.IGNORECASE)


def test_each_widget_keeps_its_classes_and_its_layout():
    slider = widgets.FloatSlider(value=2, min=-10, max=10, layout=widgets.Layout(width="64px", grid_area="2 / 1"))
    slider.add_class("bn-x1")
    hidden = widgets.HTML("gone", layout=widgets.Layout(display="none"))
    grid = widgets.GridBox([slider, hidden], layout=widgets.Layout(grid_template_columns="repeat(4, max-content)"))
    found = Elements(first_screen_html(FirstScreenBox([grid]))).found
    classes = {attrs.get("class", ""): attrs.get("style", "") for _, attrs in found}
    gridbox = next(style for cls, style in classes.items() if "widget-gridbox" in cls)
    assert gridbox == "grid-template-columns: repeat(4, max-content)"
    slider_style = next(style for cls, style in classes.items() if "bn-x1" in cls)
    assert slider_style == "grid-area: 2 / 1; width: 64px"
    assert "display: none" in next(style for cls, style in classes.items() if "widget-html" in cls)
    # 2 in [-10, 10]: 60 % along, so its origin (a tenth of the track) is moved 400 % left
    assert "translate(-400.00%, 0px)" in next(style for cls, style in classes.items() if "noUi-origin" in cls)
