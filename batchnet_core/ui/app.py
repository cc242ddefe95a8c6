"""The Interactive Code Environment: controls, heat maps, explanation and code, wired to one State."""

from __future__ import annotations

from urllib.parse import parse_qs

import ipywidgets as widgets

from ..convert import seed_from_link, state_from_link
from ..forward import explain, forward
from ..numbers import format_number
from ..state import PRESETS, State, parameter_count, preset, random_state
from .common import STYLE, Guard, status_html
from .controls import STEPS, MatrixControls, entry_label
from .kernel import page_query
from .page import PageBridge
from .share import SharePanel
from .views import (
    WORKSHEET_PLACES,
    HeatmapViews,
    Selection,
    code_html,
    explanation_html,
    html_widget,
    unit_labels,
)

LEGEND = """<div class='bn-legend'>
<b>Reading the heat maps</b><br>
red: positive, blue: negative, white: 0<br>
<span class='bn-hatch'>hatched</span>: ReLU gave 0 (its sum was 0 or less)<br>
<b>off</b>: the unit is 0 for every input<br>
outlined: the cell under <i>Explain</i>, its weight row and input column
</div>"""


#: Widths, in pixels, of the worksheet's parts that are not matrices, and of the gap between columns.
TOOLBAR_PIXELS, LEGEND_PIXELS, GAP_PIXELS = 300, 270, 10
#: The smallest share of their drawn size that heat maps are scaled to side by side: numbers stay
#: about 8 pt or more; narrower than that, they stack in one column instead.
MIN_SCALE = 0.7


def worksheet_class(sizes: tuple[int, int, int, int]) -> str:
    return "bn-sizes-" + "-".join(map(str, sizes))


def worksheet_css(sizes: tuple[int, int, int, int], controls: dict[str, int], panels: dict[str, int]) -> str:
    """The worksheet's layout for the width it has, as container queries on the app.

    Wide enough: controls left of each layer's heat maps, which stand in a staircase (as on paper).
    Less: each matrix's controls above its heat maps, the heat maps of a layer in one row, scaled
    down together. Narrower still (a phone): one column, in reading order, each heat map at most
    as wide as the screen.

    Parameters
    ----------
    controls : pixel width of the controls of X, W1 and W2
    panels : pixel width of each heat map panel
    """
    key = "." + worksheet_class(sizes)
    columns = [max(panels["W1|b1"], panels["W2|b2"]), max(panels["X"], panels["H_z"], panels["Y_z"]),
               max(panels["H"], panels["Y"], LEGEND_PIXELS)]
    full = (max(TOOLBAR_PIXELS, controls["W1"], controls["W2"]) + max(controls["X"], columns[0]) + sum(columns[1:])
            + 3 * GAP_PIXELS)
    # the heat maps of a layer side by side, down to this share of their size; below it, one column
    side_by_side = max(int(MIN_SCALE * (sum(columns) + 2 * GAP_PIXELS)), TOOLBAR_PIXELS, *controls.values())
    stacked_areas = {".bn-toolbar": "1 / 1 / 2 / -1", ".bn-controls-X": "2 / 1 / 3 / -1", ".bn-figure-X": "3 / 2",
                     ".bn-legend-box": "3 / 3", ".bn-controls-W1": "4 / 1 / 5 / -1", ".bn-figure-W1b1": "5 / 1",
                     ".bn-figure-H_z": "5 / 2", ".bn-figure-H": "5 / 3", ".bn-controls-W2": "6 / 1 / 7 / -1",
                     ".bn-figure-W2b2": "7 / 1", ".bn-figure-Y_z": "7 / 2", ".bn-figure-Y": "7 / 3"}
    medium = "".join(f"{key} {selector} {{ grid-area: {area} !important; }}"
                     for selector, area in stacked_areas.items())
    narrow = "".join(f"{key} {selector} {{ grid-area: auto !important; order: {order}; }}"
                     for order, selector in enumerate(stacked_areas))
    fractions = " ".join(f"minmax(0, {width}fr)" for width in columns)
    return (
        "<style>"
        f"@container bn-app (max-width: {full - 1}px) {{"
        f"{key} {{ grid-template-columns: {fractions} !important; max-width: {sum(columns) + 2 * GAP_PIXELS}px; }}"
        f"{medium}"
        f"{key} img.bn-heatmap {{ max-width: 100%; height: auto; }} }}"
        f"@container bn-app (max-width: {side_by_side - 1}px) {{"
        f"{key} {{ grid-template-columns: minmax(0, 1fr) !important; }}"
        f"{key} {{ max-width: none; }}{narrow} }}"
        "</style>"
    )


class BatchApp:
    """The whole page for one state; display it in a notebook (``app.widget``).

    Parameters
    ----------
    state : State, optional
        Defaults to the worked example.
    theme : {"light", "dark"}
        Colours of the heat maps, to match the page.
    """

    def __init__(self, state: State | None = None, theme: str = "light") -> None:
        self.initial = state if state is not None else preset("three-inputs")
        self.state = self.initial
        self.trace = forward(self.state)
        self.theme = theme
        self.step = STEPS[0]
        self.selection = Selection()
        self.seed = 0
        self.guard = Guard(self._say, recover=self._show_controls)

        self.status = html_widget("", "bn-status")
        self.summary = html_widget()
        self.explanation = html_widget("", "bn-explain")
        self.code = html_widget("", "bn-code")

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
        load.on_click(self.guard(lambda _: self.load(preset(self.preset_picker.value),
                                                        f"Loaded the preset {self.preset_picker.value}.")))
        reset.on_click(self.guard(lambda _: self.load(self.initial, "Reset to the starting state.")))
        random_int.on_click(self.guard(lambda _: self._random(integers=True)))
        random_dec.on_click(self.guard(lambda _: self._random(integers=False)))
        self.step_picker.observe(self.guard(self._step_changed), "value")
        self.step_picker.add_class("bn-step-picker")
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
        ])
        self.legend = widgets.HTML(LEGEND)
        self.toolbar.add_class("bn-toolbar")
        self.legend.add_class("bn-legend-box")

        self.layer_picker = widgets.ToggleButtons(options=[("H_z (hidden)", "H_z"), ("Y_z (output)", "Y_z")],
                                                  style={"button_width": "110px"})
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
            html_widget("<div class='bn-panel-title'>Explain a cell</div>"),
            self.layer_picker, widgets.HBox([self.row_picker, self.col_picker]), self.explanation,
        ], layout=widgets.Layout(width="600px", max_width="100%", margin="0 24px 0 0"))
        code_box = widgets.VBox([html_widget("<div class='bn-panel-title'>The code: this state in numpy</div>"),
                                 self.code], layout=widgets.Layout(width="560px", max_width="100%"))
        self.share = SharePanel(self, self._say, self.guard)
        self.page = PageBridge(theme=self.theme, names={"bn-upload": "Open a state (JSON file)"})
        self.page.on_theme(self.guard(self.set_theme))
        self.widget = widgets.VBox([
            html_widget(STYLE), self.layout_style, self.page, self.summary, self.status, self.worksheet,
            widgets.HBox([explain_box, code_box], layout=widgets.Layout(flex_flow="row wrap", margin="12px 0 0 0")),
            self.share.widget,
        ])
        self.widget.add_class("bn-app")
        self._render()
        self._say("Move any slider, or type a value into the box above it and press Enter.")

    @classmethod
    def from_page(cls) -> BatchApp:
        """The app as the page's URL asks for it: ``?theme=dark``, ``?preset=NAME``, a full state
        (``State.to_query()``) or ``?seed=N`` (the random whole numbers of that seed). A link that
        cannot be used falls back to the worked example, saying why.

        The app is built before the URL is read: a preheated Voila kernel builds it ahead of the
        visit and only waits for the URL to adjust it.
        """
        app = cls()
        query = page_query()
        parameters = parse_qs(query)
        if parameters.get("theme", [""])[-1] == "dark":
            app.set_theme("dark")
        try:
            state, message = state_from_link(query), ""
            if state is None and "seed" in parameters:
                app.seed = seed_from_link(parameters["seed"][-1])
                state, message = random_state(app.seed, app.state.sizes), f"Random integers, seed {app.seed}."
        except ValueError as error:
            app._say(f"The link could not be used: {error}. Showing the worked example instead.", error=True)
        else:
            if state is not None:
                app.initial = state
                app.load(state, message)
        return app

    # -- wiring ------------------------------------------------------------------------------

    def _build(self, sizes: tuple[int, int, int, int]) -> None:
        """(Re)create the controls and panels for these sizes."""
        inputs, hidden, outputs, batch = sizes
        on_change, on_error = self.guard(self._entry_changed), self.guard(self._entry_refused)
        if self.views is not None:
            self.worksheet.remove_class(worksheet_class(self.views.sizes))
        s = self.state
        xs, hs, ys = unit_labels("x", batch), unit_labels("h", hidden), unit_labels("y", outputs)
        self.matrix_controls = {
            "X": MatrixControls(f"X: inputs as columns ({inputs} × {batch})", [("X", s.X)],
                                unit_labels("", inputs), xs, self.step, on_change, on_error),
            "W1": MatrixControls(f"W1 | b1 ({hidden} × {inputs} | {hidden})", [("W1", s.W1), ("b1", s.b1)],
                                 hs, unit_labels("", inputs) + ["b1"], self.step, on_change, on_error),
            "W2": MatrixControls(f"W2 | b2 ({outputs} × {hidden} | {outputs})", [("W2", s.W2), ("b2", s.b2)],
                                 ys, hs + ["b2"], self.step, on_change, on_error),
        }
        self.entries = {key: entry for m in self.matrix_controls.values() for key, entry in m.entries.items()}
        # The worksheet: the heat maps' staircase right of a column of controls, with each
        # matrix's controls left of (or, for X, above) its heat map.
        self.views = self._views(sizes)
        places = [(self.toolbar, "1 / 1"), (self.matrix_controls["X"].widget, "1 / 2"), (self.legend, "1 / 4"),
                  (self.matrix_controls["W1"].widget, "2 / 1"), (self.matrix_controls["W2"].widget, "3 / 1")]
        for widget, area in places:
            widget.layout.grid_area = area
        for name, controls in self.matrix_controls.items():
            controls.widget.add_class(f"bn-controls-{name}")
        self.worksheet.add_class(worksheet_class(sizes))
        self.layout_style.value = worksheet_css(sizes, {name: c.width for name, c in self.matrix_controls.items()},
                                                {name: panel.size[1] for name, panel in self.views.panels.items()})
        self.worksheet.children = [widget for widget, _ in places] + [self.views.widget]
        self.selection = Selection()
        self._set_picker_options()

    def set_theme(self, theme: str) -> None:
        """Draw the heat maps for a light or a dark page."""
        if theme == self.theme:
            return
        self.theme = theme
        self.views = self._views(self.state.sizes)
        self.worksheet.children = self.worksheet.children[:-1] + (self.views.widget,)
        self._render()

    def _views(self, sizes: tuple[int, int, int, int]) -> HeatmapViews:
        return HeatmapViews(sizes, self.theme, grid={name: (row + 1, col + 2)
                                                     for name, (row, col) in WORKSHEET_PLACES.items()})

    def _set_picker_options(self) -> None:
        _, hidden, outputs, batch = self.state.sizes
        units = hidden if self.selection.layer == "H_z" else outputs
        prefix = "h" if self.selection.layer == "H_z" else "y"
        self._picking = True  # options and values set here are not a person's choice
        self.row_picker.options = [(label, i) for i, label in enumerate(unit_labels(prefix, units))]
        self.col_picker.options = [(label, j) for j, label in enumerate(unit_labels("x", batch))]
        self.row_picker.value = min(self.selection.row, units - 1)
        self.col_picker.value = min(self.selection.col, batch - 1)
        self._picking = False

    def _entry_changed(self, name: str, row: int, col: int, value: float) -> None:
        if getattr(self.state, name)[(row, col) if name in ("W1", "W2", "X") else row] == value:
            return  # e.g. a slider snapping to the value it already has
        self._apply(self.state.with_entry(name, row, col, value), f"{entry_label(name, row, col)} = "
                    f"{format_number(value)}")

    def _entry_refused(self, message: str) -> None:
        self._say(message, error=True)

    def _selection_changed(self, change: dict) -> None:
        if getattr(self, "_picking", False):
            return
        layer = self.layer_picker.value
        if change["owner"] is self.layer_picker:
            self.selection = Selection(layer, 0, self.col_picker.value or 0)
            self._set_picker_options()
        else:
            self.selection = Selection(layer, self.row_picker.value or 0, self.col_picker.value or 0)
        self._render()

    def _step_changed(self, change: dict) -> None:
        self.step = change["new"]
        for controls in self.matrix_controls.values():
            controls.set_step(self.step)

    def _random(self, integers: bool) -> None:
        self.seed += 1
        kind = "integers" if integers else "decimals"
        self.load(random_state(self.seed, self.state.sizes, integers=integers),
                  f"Random {kind}, seed {self.seed}.")

    # -- state changes -----------------------------------------------------------------------

    def load(self, state: State, message: str = "") -> None:
        """Show another state: controls follow, then one redraw."""
        if state.sizes != self.state.sizes:
            self.state = state
            self._build(state.sizes)
        self._apply(state, message)

    def _apply(self, state: State, message: str = "") -> None:
        trace = forward(state)  # first: if it fails, nothing has changed yet
        shown = self.state, self.trace
        self.state, self.trace = state, trace
        try:
            self._render(message)
        except Exception:
            # The views are computed before any is sent: the page still shows the last state.
            self.state, self.trace = shown
            self.views.forget()
            raise

    def _show_controls(self) -> None:
        arrays = dict(self.state.items())
        for controls in self.matrix_controls.values():
            controls.show(arrays)

    def _render(self, message: str = "") -> None:
        """Compute every view of the current state, then send them all at once, results first.

        Sending only after all drawing is done lets the page take the whole update in one
        frame, instead of repainting after each part.
        """
        s, t, sel = self.state, self.trace, self.selection
        explanation = explanation_html(explain(s, sel.layer, sel.row, sel.col), t)
        code = code_html(s)
        inputs, hidden, outputs, batch = s.sizes
        summary = (
            f"<div class='bn-summary'><b>Shapes</b>: X {inputs} × {batch} ({batch} input"
            f"{'s' * (batch != 1)} of {inputs} number{'s' * (inputs != 1)}) · W1 {hidden} × {inputs} · b1 {hidden} · "
            f"W2 {outputs} × {hidden} · b2 {outputs} · H {hidden} × {batch} · Y {outputs} × {batch}. "
            f"<b>{parameter_count(s)} parameters</b> = {hidden}·({inputs}+1) + {outputs}·({hidden}+1).</div>"
        )
        figures = self.views.draw(s, t, sel)
        self.views.show(figures)
        self._show_controls()
        self.explanation.value = explanation
        self.code.value = code
        self.summary.value = summary
        self.share.show(s, self.theme)
        if message:
            self._say(message)

    def _say(self, message: str, error: bool = False) -> None:
        self.status.value = status_html(message, error)
