"""Why batch, measured live: the per-input loop against one matrix product, and batch order."""

from __future__ import annotations

import base64
import html
import itertools

import ipywidgets as widgets
from matplotlib.ticker import FuncFormatter

from ..nn.forward import forward
from ..nn.numbers import format_number
from ..nn.state import State, preset
from ..speed import BATCH_SIZES, Timing, findings, format_duration, time_batches
from .charts import LINES, chart, themed_png
from .common import STYLE, Guard, status_html
from .first_screen import FirstScreenBox
from .page import PageBridge
from .views import html_widget

#: Size of the timing plot; the image is shown at exactly this size so it stays sharp.
PLOT_PIXELS = (760, 400)


def timing_table(timings: list[Timing]) -> str:
    rows = "".join(
        f"<tr><td>{t.batch:,}</td><td>{format_duration(t.loop)}</td><td>{format_duration(t.batched)}</td>"
        f"<td><b>{t.speedup_text}</b></td></tr>" for t in timings
    )
    return ("<table class='bn-timings'><tr><th>batch size</th><th>loop, one input at a time</th>"
            f"<th>one matrix product</th><th>speed-up</th></tr>{rows}</table>")


def timing_plot(timings: list[Timing], theme: str = "light") -> bytes:
    """Log-log plot of both timings against batch size, with the speed-up on its own axis, for ``theme``."""
    figure, (ax, ratio) = chart(PLOT_PIXELS, ncols=2, width_ratios=(3, 2))
    lines = LINES[theme]
    sizes = [t.batch for t in timings]
    ax.loglog(sizes, [t.loop for t in timings], "o-", color=lines["red"], label="loop, one input at a time")
    ax.loglog(sizes, [t.batched for t in timings], "s-", color=lines["blue"], label="one matrix product")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda seconds, _: format_duration(seconds)))
    ax.set(xlabel="batch size (inputs)", ylabel="time per forward pass", title="Time for the whole batch")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    ratio.loglog(sizes, [t.speedup for t in timings], "d-", color=lines["purple"])
    ratio.axhline(1, linestyle="--", linewidth=1, color=lines["red"])  # below it, the loop was faster
    ratio.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}×"))
    ratio.set(xlabel="batch size (inputs)", ylabel="times as fast as the loop (dashed: 1×)",
              title="Speed-up of batching")
    ratio.grid(True, alpha=0.3)
    return themed_png(figure, theme)


def plot_html(png: bytes, timings: list[Timing]) -> str:
    """The timing plot as a picture whose text alternative says what it shows; the table holds the numbers."""
    def at(t: Timing) -> str:
        return f"{t.speedup_text} at {t.batch:,} input{'s' * (t.batch != 1)}"

    alt = (f"Chart of the timings in the table above, all axes logarithmic. Left: time for the whole batch "
           f"against batch size, for the loop and the matrix product. Right: the speed-up, "
           f"{at(timings[0])} and {at(timings[-1])}.")
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f"<img class='bn-speed-plot' src='{url}' width='{PLOT_PIXELS[0]}' height='{PLOT_PIXELS[1]}' "
            f"style='max-width: 100%; height: auto' alt='{html.escape(alt)}'>")


class SpeedComparison:
    """A button that times both ways on this machine, with a progress bar, a table, what the timings
    show, and a plot drawn for the page's theme."""

    def __init__(self, sizes: tuple[int, ...] = BATCH_SIZES) -> None:
        self.sizes = sizes
        self.timings: list[Timing] = []
        self.theme = "light"
        self.page = PageBridge(theme=self.theme)
        self.page.on_theme(Guard(self.say)(self.set_theme))
        self.status = html_widget("Press the button: it takes a few seconds.", "bn-status")
        self.progress = widgets.IntProgress(value=0, min=0, max=len(sizes), description="Measured",
                                            layout=widgets.Layout(width="420px"))
        self.button = widgets.Button(description="Measure on this machine", button_style="primary",
                                     layout=widgets.Layout(width="240px"))
        self.button.add_class("bn-button-measure")
        self.table = html_widget("", "bn-speed-table")
        self.findings = html_widget("", "bn-speed-findings")
        self.plot = html_widget("", "bn-speed-chart")  # empty until measured: no picture to show before
        self.plot_png = b""
        self.button.on_click(Guard(self.say)(lambda _: self.run()))
        self.widget = FirstScreenBox([html_widget(STYLE), self.page, widgets.HBox([self.button, self.progress]),
                                    self.status, self.table, self.findings, self.plot])
        self.widget.add_class("bn-app")  # the app's look (style.css): its rows wrap on a phone

    def run(self) -> list[Timing]:
        self.button.disabled = True
        self.progress.value = 0
        self.findings.value = ""
        timings: list[Timing] = []
        try:
            for timing in time_batches(self.sizes):
                timings.append(timing)
                self.progress.value = len(timings)
                self.status.value = f"Batch of {timing.batch:,} done…"
                self.table.value = timing_table(timings)
            self.timings = timings
            self._draw()
            headline, *more = findings(timings)
            self.findings.value = "".join(f"<p>{html.escape(sentence)}</p>" for sentence in more)
            self.say(f"Done. {headline}")
        finally:
            self.button.disabled = False
        return timings

    def set_theme(self, theme: str) -> None:
        """Draw the plot for a light or a dark page."""
        if theme != self.theme:
            self.theme = theme
            if self.timings:
                self._draw()

    def _draw(self) -> None:
        self.plot_png = timing_plot(self.timings, self.theme)
        self.plot.value = plot_html(self.plot_png, self.timings)

    def say(self, message: str, error: bool = False) -> None:
        self.status.value = status_html(message, error)


def matrix_html(title: str, array, col_labels: list[str]) -> str:
    head = "".join(f"<th>{c}</th>" for c in col_labels)
    body = "".join("<tr>" + "".join(f"<td>{format_number(v)}</td>" for v in row) + "</tr>" for row in array)
    return (f"<table class='bn-small-matrix'><caption>{title}</caption><tr>{head}</tr>{body}</table>")


class PermutationDemo:
    """Reorder the inputs and see the outputs reorder the same way: one set of weights for all."""

    def __init__(self, state: State | None = None) -> None:
        self.state = state if state is not None else preset("three-inputs")
        names = [f"x{j + 1}" for j in range(self.state.X.shape[1])]
        orders = list(itertools.permutations(range(len(names))))
        self.order = widgets.Dropdown(options=[(", ".join(names[i] for i in o), o) for o in orders],
                                      value=orders[-1], description="New order")
        self.order.add_class("bn-permutation-order")
        self.view = html_widget("", "bn-permutation")
        self.order.observe(Guard(self.say)(lambda _: self._show()), "value")
        self.widget = FirstScreenBox([self.order, self.view])
        self._show()

    def _show(self) -> None:
        order = list(self.order.value)
        names = [f"x{j + 1}" for j in range(self.state.X.shape[1])]
        reordered = [names[i] for i in order]
        Y = forward(self.state).Y
        Y_permuted = forward(self.state.replace(X=self.state.X[:, order])).Y
        same = (Y_permuted == Y[:, order]).all()
        self.view.value = (
            "<div class='bn-permutation-tables'>"
            + matrix_html("Y for x1, x2, x3", Y, names)
            + matrix_html(f"Y for {', '.join(reordered)}", Y_permuted, reordered)
            + "</div>"
            + f"<p>{'The same columns, in the new order' if same else 'Something differs'}: each output column "
            "belongs to its input, wherever it stands in the batch.</p>"
        )

    def say(self, message: str, error: bool = False) -> None:
        self.view.value = status_html(message, error)
