"""The first screen: a picture of an app, in the HTML the server sends, shown before its widgets arrive.

Voila sends a page's HTML as soon as its notebook has run, but the widgets appear only once its front end
(about 1.5 MB of scripts) has booted and drawn them: seconds on a slow laptop or school Wi-Fi. An app
displayed as a :class:`FirstScreenBox` adds to its output, besides the widget, a picture of itself
(:data:`FIRST_SCREEN`): every widget as the same elements and classes ipywidgets gives it, with its layout,
its values and texts, and each heat map drawing's parts, which the page draws with ``drawing.js`` itself.
The project's template writes it into the page, and its page script gives way to the live widgets in place
when they are drawn (``batchnet.js``); JupyterLab has no renderer for the type and shows the widget alone.

The picture cannot be used: it is inert, and its controls are disabled. Its one script is the drawings' code,
sent once by each kernel; its HTML widgets' texts are written without any script, as their views'
``innerHTML`` would show them.
"""

from __future__ import annotations

import html
import json
import re

import ipywidgets as widgets

from .drawing import HeatmapDrawing, TextPart
from .page import PageBridge

#: The output type of an app's picture (``FirstScreenBox``), read by the project's Voila template.
FIRST_SCREEN = "application/vnd.batchnet.first-screen+html"
#: The longest picture sent (characters of HTML). The worked example's page is 0.11 M, a worksheet of three layers
#: of 8 units 0.40 M, the largest state a link can ask for 1.7 M: a page that size keeps the browser busy for
#: seconds, and anywidget gives a widget 2 s to set itself up ("Failed to initialize model", docs/deploy.md).
#: A larger app comes without its picture, as it did before there were pictures.
MAX_PICTURE_CHARACTERS = 500_000
#: What the picture says while the controls load.
LOADING = "The controls are loading; the numbers below are the worksheet's."
_SCRIPT = re.compile(r"<(/?script)", re.IGNORECASE)


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def _style(widget: widgets.Widget) -> str:
    """The widget's layout as ipywidgets' LayoutView writes it: each set trait as its CSS property."""
    layout = getattr(widget, "layout", None)
    if layout is None:
        return ""
    rules = []
    for name in layout.keys:
        value = getattr(layout, name)
        if name.startswith("_") or name == "keys" or value in (None, ""):
            continue
        rules.append(f"{name.replace('_', '-')}: {value}")
    return "; ".join(rules)


def _open(tag: str, widget: widgets.Widget, classes: str, extra: str = "") -> str:
    """An element as ipywidgets opens a view's: its classes, the widget's own (``add_class``) and its layout."""
    own = " ".join(widget._dom_classes)
    style = _style(widget)
    tooltip = getattr(widget, "tooltip", None)
    return (f"<{tag} class=\"{_attr(' '.join(filter(None, ('lm-Widget', classes, own))))}\""
            + (f" style=\"{_attr(style)}\"" if style else "")
            + (f" title=\"{_attr(tooltip)}\"" if tooltip else "") + extra + ">")


def _label(widget: widgets.Widget) -> str:
    """A description's label, hidden where there is none (as ipywidgets does)."""
    description = getattr(widget, "description", "") or ""
    width = getattr(getattr(widget, "style", None), "description_width", "") or ""
    style = "display: none;" if not description else (f"width: {width};" if width else "")
    return f"<label class=\"widget-label\" style=\"{_attr(style)}\">{html.escape(description)}</label>"


def _html_value(value: str) -> str:
    """An HTML widget's text as its view would show it (innerHTML, where no script runs): no script here either."""
    return _SCRIPT.sub(r"&lt;\1", value)


def _picture(widget: widgets.Widget) -> str:
    """One widget and everything inside it, as its view's elements."""
    if isinstance(widget, PageBridge):
        return ""
    if isinstance(widget, widgets.GridBox):
        inner = "".join(_picture(child) for child in widget.children)
        return _open("div", widget, "jupyter-widgets widget-container widget-gridbox") + inner + "</div>"
    if isinstance(widget, widgets.Box):
        kind = "widget-vbox" if isinstance(widget, widgets.VBox) else "widget-hbox" \
            if isinstance(widget, widgets.HBox) else ""
        inner = "".join(_picture(child) for child in widget.children)
        return _open("div", widget, f"jupyter-widgets widget-container widget-box {kind}") + inner + "</div>"
    if isinstance(widget, HeatmapDrawing):
        parts = {name: getattr(widget, name) for name in ("frame", "pictures", "outlines", "tables", "buttons")}
        data = json.dumps(parts, separators=(",", ":")).replace("<", "\\u003c")
        return (_open("div", widget, "bn-first-drawing")
                + f"<script type=\"application/json\" class=\"bn-first-drawing-data\">{data}</script></div>")
    if isinstance(widget, TextPart):
        return (_open("div", widget, "widget-inline-hbox widget-html")
                + f"<div class=\"widget-html-content\">{_html_value(widget.value)}</div></div>")
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath, widgets.Label)):
        text = widget.value if not isinstance(widget, widgets.Label) else html.escape(widget.value)
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-html") + _label(widget)
                + f"<div class=\"widget-html-content\">{_html_value(text)}</div></div>")
    if isinstance(widget, (widgets.Text, widgets.BoundedIntText, widgets.IntText, widgets.FloatText,
                           widgets.BoundedFloatText)):
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-text") + _label(widget)
                + f"<input type=\"text\" class=\"widget-input\" value=\"{_attr(widget.value)}\" disabled></div>")
    if isinstance(widget, (widgets.FloatSlider, widgets.IntSlider)):
        share = 0.0 if widget.max == widget.min else (widget.value - widget.min) / (widget.max - widget.min)
        # noUiSlider's own elements, as ipywidgets' slider makes them: its handle's origin is a tenth of the
        # track wide, moved left from the track's right end
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-slider widget-hslider")
                + _label(widget) + "<div class=\"slider-container\"><div class=\"slider noUi-target noUi-ltr "
                "noUi-horizontal noUi-txt-dir-ltr\"><div class=\"noUi-base\"><div class=\"noUi-connects\"></div>"
                f"<div class=\"noUi-origin\" style=\"transform: translate({-1000 * (1 - share):.2f}%, 0px); "
                "z-index: 4;\">"
                "<div class=\"noUi-handle noUi-handle-lower\"><div class=\"noUi-touch-area\"></div></div></div></div>"
                "</div></div></div>")
    if isinstance(widget, widgets.FileUpload):
        return (_open("button", widget, "jupyter-widgets widget-upload jupyter-button", " disabled")
                + f"{html.escape(widget.description)} (0)</button>")
    if isinstance(widget, widgets.ToggleButton):
        active = " mod-active" if widget.value else ""
        return (_open("button", widget, f"jupyter-widgets jupyter-button widget-toggle-button{active}", " disabled")
                + f"{html.escape(widget.description)}</button>")
    if isinstance(widget, widgets.Button):
        return (_open("button", widget, "jupyter-widgets jupyter-button widget-button", " disabled")
                + f"{html.escape(widget.description)}</button>")
    if isinstance(widget, widgets.ToggleButtons):
        width = widget.style.button_width
        buttons = "".join(
            "<button type=\"button\" class=\"widget-toggle-button jupyter-button"
            + (" mod-active" if i == widget.index else "") + "\""
            + (f" style=\"width: {_attr(width)}\"" if width else "") + f" disabled>{html.escape(label)}</button>"
            for i, label in enumerate(widget._options_labels))
        return _open("div", widget, "widget-toggle-buttons") + _label(widget) + f"<div>{buttons}</div></div>"
    if isinstance(widget, widgets.Dropdown):
        chosen = widget.label or ""
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-dropdown") + _label(widget)
                + f"<select disabled><option selected>{html.escape(chosen)}</option></select></div>")
    if isinstance(widget, widgets.Checkbox):
        checked = " checked" if widget.value else ""
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-checkbox")
                + "<label class=\"widget-label\" style=\"display: none;\"></label><label class=\"widget-label-basic\">"
                + f"<input type=\"checkbox\" disabled{checked}><span>{html.escape(widget.description)}</span>"
                + "</label></div>")
    if isinstance(widget, (widgets.IntProgress, widgets.FloatProgress)):
        share = 0.0 if widget.max == widget.min else (widget.value - widget.min) / (widget.max - widget.min)
        return (_open("div", widget, "jupyter-widgets widget-inline-hbox widget-hprogress widget-progress")
                + _label(widget) + "<div class=\"progress\">"
                + f"<div class=\"progress-bar\" style=\"width: {100 * share:.2f}%\"></div></div></div>")
    # anything else keeps its place, empty
    return _open("div", widget, "jupyter-widgets") + "</div>"


#: The page draws a picture's heat maps with the drawings' own code (``drawing.js``), at once: run as the page
#: reads it, as a script (a module would run later, and the picture would be shown without them first).
_DRAWING_MODULE_END = "export default { render };"
_DRAWING_CODE = str(HeatmapDrawing._esm)  # anywidget keeps the file's text
_drawing_code_sent = False


def drawing_script(module: str = _DRAWING_CODE) -> str:
    """``drawing.js`` as a script that sets ``window.batchnetDrawing``; empty if the module no longer ends as
    this expects (the pictures are then shown without their heat maps)."""
    if module.count(_DRAWING_MODULE_END) != 1 or "</script" in module.lower():
        return ""
    body = module.replace(_DRAWING_MODULE_END, "return { render };")
    return f"<script>window.batchnetDrawing = (() => {{\n{body}\n}})();</script>"


def first_screen_html(widget: widgets.Widget) -> str | None:
    """The picture of ``widget`` (an app's outermost box) as the page shows it before its widgets arrive; None
    for a picture longer than :data:`MAX_PICTURE_CHARACTERS`."""
    global _drawing_code_sent
    picture = _picture(widget)
    if len(picture) > MAX_PICTURE_CHARACTERS:
        return None
    code = "" if _drawing_code_sent else drawing_script()  # once a kernel: the page keeps it
    _drawing_code_sent = True
    return (f"<div class=\"bn-first-screen\">{code}<p class=\"bn-first-screen-status\" role=\"status\">"
            f"{html.escape(LOADING)}</p><div class=\"bn-first-screen-picture\" inert>{picture}</div></div>")


class FirstScreenBox(widgets.VBox):
    """An app's outermost box: displayed, it brings its picture (:data:`FIRST_SCREEN`) with the widget."""

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)
        picture = first_screen_html(self)
        if picture is not None:
            bundle[FIRST_SCREEN] = picture
        return bundle
