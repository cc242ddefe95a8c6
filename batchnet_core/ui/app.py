"""The Interactive Code Environment: controls, heat maps, explanation and code, wired to one State."""

from __future__ import annotations

import html
from collections.abc import Callable, Collection

import ipywidgets as widgets

from ..convert import (
    STATE_PAGE_KEYS,
    TRAIN_PAGE_KEYS,
    Link,
    read_link,
    seed_from_link,
    state_from_link,
    with_link_activations,
)
from ..nn.activations import zeroing_labels
from ..nn.forward import Trace, explain, forward
from ..nn.layers import layer_of_result, layers_of, unit_labels
from ..nn.numbers import format_number
from ..nn.state import PRESETS, State, parameter_count, preset, random_state
from ..notation import NOTATIONS, Notation, Panel, notation
from .author import ExerciseAuthor
from .classroom import ClassBar, Pushable
from .common import STYLE, Guard, link_refused, status_html
from .controls import STEPS, MatrixControls, entry_label
from .drawing import HeatmapDrawing, TextPart
from .first_screen import FirstScreenBox
from .kernel import page_query
from .model import View, Worksheet
from .page import PageBridge
from .share import SharePanel
from .steps import PLAY_BUTTONS, StepThrough
from .views import HeatmapViews, Selection, code_html, colour_scales, explanation_html, html_widget


def legend_html(state: State, trace: Trace, convention: str = "columns") -> str:
    """How to read the heat maps, with their colour scales (``views.colour_scales``) and where each is darkest,
    in a notation: with inputs as rows, a weight column meets an input row.

    >>> s = preset("three-inputs")
    >>> print(legend_html(s, forward(s)).split("<br>")[2])
    <b>Colour scales</b>: X, W and b share one, darkest at ±5; each layer's sums and their ReLU share one, \
so the two compare: H_z and H at ±5, Y_z and Y at ±4. Compare colours within a scale, numbers across them.
    """
    scales = colour_scales(state, trace)
    results = ", ".join(f"{layer.pre} and {layer.post} at ±{format_number(scales[layer.pre])}"
                        if scales[layer.pre] == scales[layer.post] or trace.activation(layer.post).keeps_decimals
                        else f"{layer.pre} at ±{format_number(scales[layer.pre])} and {layer.post} at "
                             f"±{format_number(scales[layer.post])}"
                        for layer in layers_of(state.depth))
    shared = ("each layer's sums and their ReLU share one, so the two compare" if state.relu_only else
              "each layer's sums and their activation's outputs share one, so the two compare, unless the outputs "
              "are a tanh's or a sigmoid's (within ±1: a scale of their own)")
    zeroing = zeroing_labels(state.activation_entries)
    hatched = (f"<span class='bn-hatch'>0</span> hatched: {' or '.join(zeroing)} gave 0 (its sum was 0 or less)<br>"
               "<b>off</b>: the unit is 0 for every input<br>") if zeroing else ""
    weights, inputs = ("column", "row") if notation(convention).transposed else ("row", "column")
    return ("<div class='bn-legend'>"
            "<b>Reading the heat maps</b><br>"
            "red: positive, blue: negative, white: 0<br>"
            f"<b>Colour scales</b>: X, W and b share one, darkest at ±{format_number(scales['X'])}; "
            f"{shared}: {html.escape(results)}. "
            "Compare colours within a scale, numbers across them.<br>"
            f"{hatched}"
            f"outlined: the cell under <i>Explain</i>, its weight {weights} and input {inputs}"
            "</div>")


#: Widths, in pixels, of the worksheet's parts that are not matrices, and of the gap between columns.
TOOLBAR_PIXELS, LEGEND_PIXELS, GAP_PIXELS = 300, 270, 10
#: The smallest share of their drawn size that heat maps are scaled to side by side: numbers stay
#: about 8 pt or more; narrower than that, they stack in one column instead.
MIN_SCALE = 0.7


def worksheet_class(sizes: tuple[int, ...], convention: str = "columns") -> str:
    """The class naming the worksheet's layout: its sizes and, if not the worksheet's own, its notation."""
    return "bn-sizes-" + "-".join(map(str, sizes)) + ("" if convention == "columns" else f"-{convention}")


def worksheet_css(key: str, layout: tuple[Panel, ...], controls: dict[str, int], widths: dict[str, int],
                  heights: dict[str, int]) -> str:
    """The worksheet's layout for the width it has, as container queries on the app.

    Wide enough: controls left of each layer's heat maps, which stand in a staircase (as on paper).
    Less: each matrix's controls above its heat maps, the heat maps of a layer in one row, scaled
    down together. Narrower still (a phone): one column, in reading order, each heat map at most
    as wide as the screen.

    Parameters
    ----------
    key : the worksheet's class (``worksheet_class``)
    layout : the panels, as ``notation.panels`` places them
    controls : pixel width of the controls of X, W1, W2, ...
    widths, heights : pixel width and height of each heat map panel, by key
    """
    key = "." + key
    columns = [max(widths[panel.key] for panel in layout if panel.place[1] == col) for col in range(3)]
    columns[2] = max(columns[2], LEGEND_PIXELS)
    weights = [controls[name] for name in controls if name != "X"]
    full = (max(TOOLBAR_PIXELS, *weights) + max(controls["X"], columns[0]) + sum(columns[1:]) + 3 * GAP_PIXELS)
    # the heat maps of a layer side by side, down to this share of their size; below it, one column
    side_by_side = max(int(MIN_SCALE * (sum(columns) + 2 * GAP_PIXELS)), TOOLBAR_PIXELS, *controls.values())
    # a picture and the layer of its cells' buttons always share their place
    stacked_areas = {".bn-toolbar": "1 / 1 / 2 / -1", ".bn-controls-X": "2 / 1 / 3 / -1",
                     f"{key} .bn-figure-X, {key} .bn-cells-X": "3 / 2", ".bn-legend-box": "3 / 3"}
    for panel in layout:
        row, col = panel.place
        if row and col == 0:  # a layer's weights: its controls take the whole row above its heat maps
            stacked_areas[f".bn-controls-{panel.layer.weights}"] = f"{2 * row + 2} / 1 / {2 * row + 3} / -1"
        if row:
            name = panel.key.replace("|", "")
            stacked_areas[f"{key} .bn-figure-{name}, {key} .bn-cells-{name}"] = f"{2 * row + 3} / {col + 1}"

    def scoped(selector: str) -> str:
        return selector if selector.startswith(key) else f"{key} {selector}"

    medium = "".join(f"{scoped(selector)} {{ grid-area: {area} !important; }}"
                     for selector, area in stacked_areas.items())
    # one column: each part in a row of its own, in reading order
    narrow = "".join(f"{scoped(selector)} {{ grid-area: {row + 1} / 1 !important; }}"
                     for row, selector in enumerate(stacked_areas))
    fractions = " ".join(f"minmax(0, {width}fr)" for width in columns)
    return (
        "<style>"
        f"@container bn-app (max-width: {full - 1}px) {{"
        f"{key} {{ grid-template-columns: {fractions} !important; max-width: {sum(columns) + 2 * GAP_PIXELS}px; }}"
        f"{medium}"
        f"{key} .bn-heatmap {{ max-width: 100%; height: auto; }} }}"
        f"@container bn-app (max-width: {side_by_side - 1}px) {{"
        f"{key} {{ grid-template-columns: minmax(0, 1fr) !important; }}"
        f"{key} {{ max-width: none; }}{narrow} }}"
        f"{presenter_css(key, layout, widths, heights)}"
        "</style>"
    )


#: Presenter mode (``?present=1``; the page script marks the page ``bn-present``, style.css sets its
#: type): the height of what must share the screen with the heat maps (the presenter strip, the status
#: line, and the step-through's bar with its running sum), the width of the explanation beside them,
#: and the least page width for the two side by side.
PRESENT_RESERVE_PIXELS, PRESENT_SIDE_PIXELS, PRESENT_MIN_PIXELS = 220, 340, 800


def presenter_css(key: str, layout: tuple[Panel, ...], widths: dict[str, int], heights: dict[str, int]) -> str:
    """The worksheet in presenter mode: the heat maps alone, in their staircase (the controls are folded
    away), scaled together so that all of them and the step-through's bar fit the window's height, and
    the explanation of a cell fits beside them (style.css places it).

    >>> from batchnet_core.notation import panels
    >>> layout = panels((3, 4, 2, 3))
    >>> css = presenter_css(".bn-sizes-3-4-2-3", layout, {p.key: 100 for p in layout}, {p.key: 50 for p in layout})
    >>> "width: min(320px, calc((100vh - 220px) * 2.1333), calc(100% - 340px))" in css
    True
    """
    columns = [max(widths[panel.key] for panel in layout if panel.place[1] == col) for col in range(3)]
    rows = [max(heights[panel.key] for panel in layout if panel.place[0] == row)
            for row in range(1 + max(panel.place[0] for panel in layout))]
    width = sum(columns) + 2 * GAP_PIXELS
    sheet = f".bn-present:not(.bn-present-open) {key}"
    areas = "".join(
        f"{sheet} .bn-figure-{panel.key.replace('|', '')}, {sheet} .bn-cells-{panel.key.replace('|', '')} "
        f"{{ grid-area: {panel.place[0] + 1} / {panel.place[1] + 1} !important; }}" for panel in layout)
    fractions = " ".join(f"minmax(0, {column}fr)" for column in columns)
    return (
        f"@media (min-width: {PRESENT_MIN_PIXELS}px) {{"
        f"{sheet} {{ grid-template-columns: {fractions} !important; max-width: none; "
        f"width: min({width}px, calc((100vh - {PRESENT_RESERVE_PIXELS}px) * {width / sum(rows):.4f}), "
        f"calc(100% - {PRESENT_SIDE_PIXELS}px)); }}"
        f"{sheet} .bn-heatmap {{ max-width: 100%; height: auto; }}{areas} }}"
    )


class BatchApp:
    """The whole page for one state; display it in a notebook (``app.widget``).

    What it shows is one observable model (``self.model``, a ``Worksheet``): the state and its
    forward pass, the theme, the notation and the explained cell. Controls change the model; the
    heat maps, explanation, code, summary, controls and share panel are views subscribed to it.

    Parameters
    ----------
    state : State, optional
        Defaults to the worked example.
    theme : {"light", "dark"}
        Colours of the heat maps, to match the page.
    """

    def __init__(self, state: State | None = None, theme: str = "light") -> None:
        self.initial = state if state is not None else preset("three-inputs")
        self.model = Worksheet(self.initial, theme)
        self.step = STEPS[0]
        self.seed = 0
        #: The page's link as ``from_page`` read it: the parameters it gave, and those it could not use.
        self.link = Link({})
        #: The heat maps, and the texts each change rewrites with them (``drawing.TextPart``).
        self.drawing = HeatmapDrawing()
        self.guard = Guard(self.say, recover=self._recover, hold=self.drawing.hold_sync)
        #: Cells of more than the results, by the name their ``data-cell`` starts with: a part of the page
        #: that adds heat maps of its own explains their cells (the gradients of training).
        self.cell_explainers: dict[str, Callable[[str], None]] = {}

        self.status = TextPart(self.drawing, "status", "bn-status")
        self.summary = TextPart(self.drawing, "summary")
        self.explanation = TextPart(self.drawing, "explanation", "bn-explain")
        self.code = TextPart(self.drawing, "code", "bn-code")

        shown = next((name for name in PRESETS if preset(name) == self.state), "three-inputs")
        self.preset_picker = widgets.Dropdown(options=list(PRESETS), value=shown, description="Preset",
                                              style={"description_width": "initial"},
                                              layout=widgets.Layout(width="190px"))
        self.preset_picker.add_class("bn-preset")
        load = widgets.Button(description="Load", tooltip="Load the chosen preset",
                              layout=widgets.Layout(width="90px"))
        reset = widgets.Button(description="Reset", tooltip="Back to the state the page opened with")
        random_int = widgets.Button(description="Random integers")
        random_dec = widgets.Button(description="Random decimals")
        self.step_picker = widgets.ToggleButtons(options=[(format_number(s), s) for s in STEPS], value=self.step,
                                                 tooltips=["whole numbers", "halves", "tenths"],
                                                 description="Slider step",
                                                 style={"button_width": "48px", "description_width": "initial"})
        self.notation_picker = widgets.Dropdown(
            options=[(n.label, n.name) for n in NOTATIONS.values()], value=self.model.notation,
            description="Notation", style={"description_width": "initial"}, layout=widgets.Layout(width="290px"))
        self.notation_picker.add_class("bn-notation")
        load.on_click(self.guard(lambda _: self.load(preset(self.preset_picker.value),
                                                        f"Loaded the preset {self.preset_picker.value}.")))
        reset.on_click(self.guard(lambda _: self.load(self.initial, "Reset to the starting state.")))
        random_int.on_click(self.guard(lambda _: self._random(integers=True)))
        random_dec.on_click(self.guard(lambda _: self._random(integers=False)))
        self.step_picker.observe(self.guard(self._step_changed), "value")
        self.step_picker.add_class("bn-step-picker")
        self.notation_picker.observe(self.guard(lambda change: self.set_notation(change["new"])), "value")
        for button, name in ((load, "load"), (reset, "reset"), (random_int, "random-integers"),
                             (random_dec, "random-decimals")):
            button.add_class(f"bn-button-{name}")
        button_width = widgets.Layout(width="200px")
        for button in (reset, random_int, random_dec):
            button.layout = button_width
        self.toolbar = widgets.VBox(layout=widgets.Layout(width=f"{TOOLBAR_PIXELS}px"), children=[
            reset, random_int, random_dec,
            self.step_picker,
            widgets.HBox([self.preset_picker, load]),
            self.notation_picker,
        ])
        self.legend = TextPart(self.drawing, "legend", value=legend_html(self.state, self.model.trace,
                                                                         self.model.notation),
                               layout=widgets.Layout())  # its own: the worksheet's grid places it
        self.toolbar.add_class("bn-toolbar")
        self.legend.add_class("bn-legend-box")

        self.layer_picker = widgets.ToggleButtons(style={"button_width": "110px"})
        self.row_picker = widgets.Dropdown(description="unit", layout=widgets.Layout(width="150px"))
        self.col_picker = widgets.Dropdown(description="input", layout=widgets.Layout(width="150px"))
        for picker in (self.layer_picker, self.row_picker, self.col_picker):
            picker.observe(self.guard(self._selection_changed), "value")
        self.layer_picker.add_class("bn-explain-layer")
        self.row_picker.add_class("bn-explain-row")
        self.col_picker.add_class("bn-explain-col")

        self.worksheet = widgets.GridBox(layout=widgets.Layout(
            grid_template_columns="repeat(4, max-content)", align_items="flex-start", grid_gap="0 10px",
            overflow="auto hidden"))
        self.worksheet.add_class("bn-worksheet")
        self.layout_style = html_widget()
        self.views: HeatmapViews | None = None
        self._build(self.state.sizes)

        explain_box = widgets.VBox([
            html_widget("<div class='bn-panel-title'>Explain a cell: click it in a heat map, or pick it</div>"),
            self.layer_picker, widgets.HBox([self.row_picker, self.col_picker]), self.explanation,
        ], layout=widgets.Layout(width="600px", max_width="100%", margin="0 24px 0 0"))
        self.code_title = html_widget("")
        # as wide as the worked example's longest line: the code scrolls (and says so) only when it must
        code_box = widgets.VBox([self.code_title, self.code], layout=widgets.Layout(width="580px", max_width="100%"))
        explain_box.add_class("bn-explain-panel")
        code_box.add_class("bn-code-panel")
        self.summary.add_class("bn-summary")
        self.share = SharePanel(self, self.say, self.guard)
        self.author = ExerciseAuthor(self.model, self.say, self.guard)
        self.steps = StepThrough(self, self.say)
        self.page = PageBridge(theme=self.theme, names={"bn-upload": "Open a state (JSON file)",
                                                        "bn-step-play": list(PLAY_BUTTONS)})
        self.page.on_theme(self.guard(self.set_theme))
        self.page.on_cell(self.guard(self.explain_cell))
        self.page.on_key(self.guard(self.steps.key))
        panels = widgets.HBox([explain_box, code_box], layout=widgets.Layout(flex_flow="row wrap", margin="12px 0 0 0"))
        panels.add_class("bn-panels")  # presenter mode places the explanation beside the heat maps
        self.widget = FirstScreenBox([
            html_widget(STYLE), self.layout_style, self.page, self.summary, self.status, self.worksheet,
            self.steps.widget, panels, self.share.widget, self.author.widget,
        ])
        self.widget.add_class("bn-app")
        #: The class bar, in a class (``classroom.ClassBar``); None elsewhere.
        self.class_bar = ClassBar.join(self.widget, self.page, self.say)
        self._subscribe()
        self.model.redraw()
        self.say("Move any slider, or type a value into the box above it and press Enter.")

    # the model's parts, by their old names
    state = property(lambda self: self.model.state, doc="The state shown.")
    trace = property(lambda self: self.model.trace, doc="Its forward pass.")
    theme = property(lambda self: self.model.theme, doc="The page's theme: light or dark.")
    selection = property(lambda self: self.model.selection, doc="The explained cell.")

    @classmethod
    def from_page(cls, reads: Collection[str] = STATE_PAGE_KEYS) -> BatchApp:
        """The app as the page's URL asks for it: ``?theme=dark``, ``?preset=NAME``, a full state
        (``State.to_query()``) or ``?seed=N`` (the random whole numbers of that seed). A link that
        cannot be used falls back to the worked example, saying why; so does a link with a parameter
        the page does not read (``reads``), cannot show (``x17``, ``W5``) or is given twice
        (``convert.read_link``). The link as read is kept as ``link``, for a page that reads more.

        The app is built before the URL is read: a preheated Voila kernel builds it ahead of the
        visit and only waits for the URL to adjust it.
        """
        app = cls()
        try:
            app.link = read_link(page_query(), reads)
            app.set_theme(app.link.theme)
            state, message = state_from_link(app.link), ""
            if state is None and "seed" in app.link.values:
                app.seed = seed_from_link(app.link.values["seed"])
                state = with_link_activations(random_state(app.seed, app.state.sizes), app.link.values)
                message = f"Random integers, seed {app.seed}."
        except ValueError as error:
            app.say(link_refused(str(error), "the worked example"), error=True)
        else:
            if state is not None:
                app.initial = state
                app.load(state, message)
        if app.class_bar is not None:
            app.class_bar.accept_pushes(Pushable(read=pushed_state, own=lambda: app.state, show=app.load,
                                                 query=lambda: app.state.to_query()))
        return app

    # -- wiring ------------------------------------------------------------------------------

    def _subscribe(self) -> None:
        """Every view of the model, in the order its part is sent: the results first."""
        m = self.model
        m.subscribe(View(("state", "trace", "theme", "notation", "selection", "frame", "blanks"), self._draw_heatmaps,
                         self._send_heatmaps, lambda: self.views.forget()))
        m.subscribe(View(("state",), lambda m: None, lambda _: self._show_controls()))
        m.subscribe(View(("state", "trace", "selection", "notation", "frame"), self._draw_explanation,
                         lambda value: setattr(self.explanation, "value", value)))
        m.subscribe(View(("state", "notation"), lambda m: (code_title(m.notation), code_html(m.state, m.notation)),
                         self._send_code))
        m.subscribe(View(("state", "notation"), lambda m: summary_html(m.state, m.notation),
                         lambda value: setattr(self.summary, "value", value)))
        m.subscribe(View(("state", "trace", "notation"), lambda m: legend_html(m.state, m.trace, m.notation),
                         lambda value: setattr(self.legend, "value", value)))
        m.subscribe(View(("state", "theme"), lambda m: None, lambda _: self.share.show(self.state, self.theme)))
        m.subscribe(View(("state",), lambda m: None, lambda _: self.author.follow()))

    def _draw_heatmaps(self, m: Worksheet) -> tuple[HeatmapViews, dict]:
        """The heat maps of the model, in a new set of panels (drawn in the same widget) for a new theme or
        notation."""
        views = self.views
        if (views.sizes, views.convention, views.theme, views.activations) != \
                (m.state.sizes, m.notation, m.theme, m.state.activations):
            views = HeatmapViews(m.state.sizes, m.theme, grid=True, convention=m.notation, widget=views.widget,
                                 activations=m.state.activations)
        return views, views.draw(m.state, m.trace, m.selection, m.frame, m.blanks)

    def _draw_explanation(self, m: Worksheet) -> str:
        if m.frame is not None:  # it would give the walk's sums away before their step
            return "<div>The explanation waits while you step through: press <b>Done</b> to see it again.</div>"
        e = explain(m.state, m.selection.layer, m.selection.row, m.selection.col)
        return explanation_html(e, m.trace, m.notation, m.selection.relu)

    def _send_heatmaps(self, drawn: tuple[HeatmapViews, dict]) -> None:
        views, parts = drawn
        views.show(parts)
        if views is not self.views:
            self.views = views
            self._place_views()

    def _send_code(self, value: tuple[str, str]) -> None:
        self.code_title.value, self.code.value = value

    def _build(self, sizes: tuple[int, ...]) -> None:
        """(Re)create the controls and panels for these sizes."""
        inputs, *widths, batch = sizes
        on_change, on_error = self.guard(self._entry_changed), self.guard(self._entry_refused)
        s = self.state
        xs = unit_labels("x", batch)
        n = notation("columns")  # _place_views arranges them in the notation shown
        self.matrix_controls = {
            "X": MatrixControls(n.inputs_title(inputs, batch), [("X", s.X)],
                                unit_labels("", inputs), xs, self.step, on_change, on_error),
        }
        columns = unit_labels("", inputs)
        for layer, (W, b) in zip(layers_of(s.depth), s.layers):
            units = [layer.unit_label(r) for r in range(W.shape[0])]
            self.matrix_controls[layer.weights] = MatrixControls(
                n.weights_controls_title(layer, len(units), len(columns)),
                [(layer.weights, W), (layer.bias, b)], units, columns + [layer.bias], self.step, on_change,
                on_error, depth=s.depth)
            columns = units
        self.entries = {key: entry for m in self.matrix_controls.values() for key, entry in m.entries.items()}
        for name, controls in self.matrix_controls.items():
            controls.widget.add_class(f"bn-controls-{name}")
        self.views = HeatmapViews(sizes, self.theme, grid=True, convention=self.model.notation, widget=self.drawing,
                                  activations=s.activations)
        self._place_views()
        self.model.selection = Selection(layers_of(s.depth)[0].pre)
        self._picking = True  # new options are not a person's choice
        self.layer_picker.options = [(f"{layer.pre} ({'output' if layer.output else 'hidden'})", layer.pre)
                                     for layer in layers_of(s.depth)]
        self._set_picker_options()

    def _arrange_controls(self, n: Notation) -> None:
        """Each matrix's controls laid out as the notation ``n`` draws its heat map, and titled in it."""
        inputs, *widths, batch = self.state.sizes
        entries, xs = unit_labels("", inputs), unit_labels("x", batch)
        self.matrix_controls["X"].arrange(n.inputs_title(inputs, batch), *((xs, entries) if n.transposed
                                                                          else (entries, xs)), n.transposed)
        columns = entries
        for layer, units in zip(layers_of(self.state.depth), widths):
            rows = [layer.unit_label(r) for r in range(units)]
            labels = (columns + [layer.bias], rows) if n.transposed else (rows, columns + [layer.bias])
            self.matrix_controls[layer.weights].arrange(n.weights_controls_title(layer, units, len(columns)),
                                                        *labels, n.transposed)
            columns = rows

    def _place_views(self) -> None:
        """The worksheet's grid: the heat maps' staircase right of a column of controls, with each
        matrix's controls left of (or, for X, above) its heat map, laid out in the heat maps' notation."""
        self._arrange_controls(self.views.notation)
        for name in list(self.worksheet._dom_classes):
            if name.startswith("bn-sizes-"):
                self.worksheet.remove_class(name)
        key = worksheet_class(self.views.sizes, self.views.convention)
        places = [(self.toolbar, "1 / 1"), (self.matrix_controls["X"].widget, "1 / 2"), (self.legend, "1 / 4")]
        places += [(self.matrix_controls[layer.weights].widget, f"{layer.index + 1} / 1")
                   for layer in layers_of(self.state.depth)]
        for widget, area in places:
            widget.layout.grid_area = area
        self.worksheet.add_class(key)
        self.layout_style.value = worksheet_css(key, tuple(self.views.layout.values()),
                                                {name: c.width for name, c in self.matrix_controls.items()},
                                                {name: panel.size[1] for name, panel in self.views.panels.items()},
                                                {name: panel.size[0] for name, panel in self.views.panels.items()})
        self.worksheet.children = [widget for widget, _ in places] + [self.views.widget]

    def set_theme(self, theme: str) -> None:
        """Draw the heat maps for a light or a dark page."""
        if theme != self.theme:
            self.model.update(theme=theme)

    def set_notation(self, convention: str) -> None:
        """Show the same numbers in another notation (``batchnet_core.notation``)."""
        if convention != self.model.notation:
            self.model.update(notation=notation(convention).name)
            self.steps.follow()
            self.say(f"Notation: {NOTATIONS[convention].label}. The same numbers, written another way.")
        if self.notation_picker.value != convention:
            self.notation_picker.value = convention

    def explain_cell(self, cell: str) -> None:
        """Explain the cell the page names, ``NAME,row,col`` (a result, its unit, its input, 0-based):
        a cell after ReLU is explained by its sum, then its ReLU, under its own name."""
        kind = cell.partition(",")[0] if isinstance(cell, str) else ""
        if kind in self.cell_explainers:
            self.cell_explainers[kind](cell)
            return
        name, row, col = parse_cell(cell, self.trace)
        if self.model.blanks is not None:  # an exercise is being made: the cell is a blank, or given again
            self.author.toggle(f"{name},{row},{col}")
            return
        layer = layer_of_result(self.state.depth, name)
        self.model.update(selection=Selection(layer.pre, row, col, relu=name == layer.post))
        self._set_picker_options()

    def _set_picker_options(self) -> None:
        sel = self.selection
        layer = layer_of_result(self.state.depth, sel.layer)
        units, batch = self.trace[sel.layer].shape
        self._picking = True  # options and values set here are not a person's choice
        self.layer_picker.value = sel.layer
        self.row_picker.options = [(layer.unit_label(i), i) for i in range(units)]
        self.col_picker.options = [(label, j) for j, label in enumerate(unit_labels("x", batch))]
        self.row_picker.value = min(sel.row, units - 1)
        self.col_picker.value = min(sel.col, batch - 1)
        self._picking = False

    def _entry_changed(self, name: str, row: int, col: int, value: float) -> None:
        if getattr(self.state, name)[(row, col) if name.startswith(("W", "X")) else row] == value:
            return  # e.g. a slider snapping to the value it already has
        self._apply(self.state.with_entry(name, row, col, value), f"{entry_label(name, row, col)} = "
                    f"{format_number(value)}")

    def _entry_refused(self, message: str) -> None:
        self.say(message, error=True)

    def _selection_changed(self, change: dict) -> None:
        if getattr(self, "_picking", False):
            return
        layer = self.layer_picker.value
        if change["owner"] is self.layer_picker:
            self.model.update(selection=Selection(layer, 0, self.col_picker.value or 0))
            self._set_picker_options()
        else:
            self.model.update(selection=Selection(layer, self.row_picker.value or 0, self.col_picker.value or 0))

    def _step_changed(self, change: dict) -> None:
        self.step = change["new"]
        for controls in self.matrix_controls.values():
            controls.set_step(self.step)

    def _random(self, integers: bool) -> None:
        self.seed += 1
        kind = "integers" if integers else "decimals"
        drawn = random_state(self.seed, self.state.sizes, integers=integers)
        self.load(drawn.replace(activations=self.state.activations), f"Random {kind}, seed {self.seed}.")

    # -- state changes -----------------------------------------------------------------------

    def load(self, state: State, message: str = "") -> None:
        """Show another state: controls follow, then one redraw."""
        if state.sizes != self.state.sizes:
            self.steps.stop()
            trace = forward(state)  # first: if it fails, nothing has changed yet
            self.model.set_trait("state", state)
            self.model.set_trait("trace", trace)
            self._build(state.sizes)
            self.model.redraw()
            if message:
                self.say(message)
            return
        self._apply(state, message)

    def _apply(self, state: State, message: str = "") -> None:
        self.model.update(state=state)
        self.steps.follow()  # a step-through goes on with the new numbers
        if message:
            self.say(message)

    def _recover(self) -> None:
        """After a failure: every control shows the model again."""
        self._show_controls()
        self.notation_picker.value = self.model.notation
        self._set_picker_options()

    def _show_controls(self) -> None:
        arrays = dict(self.state.items())
        for controls in self.matrix_controls.values():
            controls.show(arrays)

    def say(self, message: str, error: bool = False) -> None:
        """Tell the learner in the page's status line (read out by screen readers); ``error`` marks it so."""
        self.status.value = status_html(message, error)

    def add_panel(self, panel: widgets.Widget) -> None:
        """A panel of the page's own, inside the app's box (its style, its page script and its width), after
        the step-through: training's, on page 06."""
        children = list(self.widget.children)
        at = children.index(self.steps.widget) + 1
        self.widget.children = children[:at] + [panel] + children[at:]


def pushed_state(query: str) -> State:
    """The network a teacher sent to the class, read as page 06's link is (its targets ``T=`` and its gradient
    exercise allowed); ``ValueError`` naming the problem.

    >>> pushed_state("preset=one-input").sizes
    (3, 4, 2, 1)
    >>> pushed_state("theme=dark")
    Traceback (most recent call last):
    ...
    ValueError: it names no network (W1=…, or preset=NAME)
    """
    state = state_from_link(read_link(query, TRAIN_PAGE_KEYS))
    if state is None:
        raise ValueError("it names no network (W1=…, or preset=NAME)")
    return state


def parse_cell(cell: object, trace: Trace) -> tuple[str, int, int]:
    """``NAME,row,col`` of a result cell of ``trace``, checked; ``ValueError`` saying what was expected.

    >>> import batchnet_core as bn
    >>> parse_cell("Y,1,2", bn.forward(bn.preset("three-inputs")))
    ('Y', 1, 2)
    """
    names = [name for name, _ in trace.items()]
    expected = f"a cell as NAME,row,col with NAME one of {', '.join(names)}"
    if not isinstance(cell, str) or len(cell) > 40 or cell.count(",") != 2:
        raise ValueError(f"{expected}; got {str(cell)[:40]!r}")
    name, row, col = cell.split(",")
    if name not in names or not all(part.isascii() and part.isdigit() for part in (row, col)):  # not "²", "١"
        raise ValueError(f"{expected}; got {cell!r}")
    rows, cols = trace[name].shape
    if not (int(row) < rows and int(col) < cols):
        raise ValueError(f"{name} has rows 0 to {rows - 1} and columns 0 to {cols - 1}; got {cell!r}")
    return name, int(row), int(col)


def summary_html(state: State, convention: str = "columns") -> str:
    """The shapes of every matrix as the notation writes them, and the count of parameters, in one line.

    >>> import batchnet_core as bn
    >>> print(summary_html(bn.preset("one-input"), "rows").split("<b>")[1])
    Shapes</b>: X 1 × 3 (1 input of 3 numbers, as a row) · W1 4 × 3 · b1 4 · W2 2 × 4 · b2 2 · H 1 × 4 · Y 1 × 2.
    """
    n = notation(convention)
    inputs, *widths, batch = state.sizes
    names = layers_of(state.depth)
    # W keeps its shape in every notation (nn.Linear's too): inputs as rows use Wᵀ
    shapes = " · ".join(f"{layer.weights} {W.shape[0]} × {W.shape[1]} · {layer.bias} {W.shape[0]}"
                        for layer, (W, _) in zip(names, state.layers))
    results = " · ".join(f"{layer.post} {' × '.join(map(str, n.shape(units, batch)))}"
                         for layer, units in zip(names, widths))
    count = " + ".join(f"{W.shape[0]}·({W.shape[1]}+1)" for W, _ in state.layers)
    each = f"{'each ' if batch != 1 else ''}as a {'row' if n.transposed else 'column'}"
    return (f"<div class='bn-summary'><b>Shapes</b>: X {' × '.join(map(str, n.shape(inputs, batch)))} "
            f"({batch} input{'s' * (batch != 1)} of {inputs} number{'s' * (inputs != 1)}, {each}) · {shapes} · "
            f"{results}. "
            f"<b>{parameter_count(state)} parameters</b> = {count}.</div>")


def code_title(convention: str) -> str:
    label = html.escape(NOTATIONS[convention].label)
    return f"<div class='bn-panel-title'>The code: this state in numpy, {label}</div>"
