"""Why batch, measured live: the per-input loop against one matrix product, and batch order."""

from __future__ import annotations

import base64
import html
import io
import itertools

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..forward import forward
from ..numbers import format_number
from ..speed import BATCH_SIZES, Timing, time_batches
from ..state import State, preset
from .common import STYLE, Guard, status_html
from .views import html_widget

#: Size of the timing plot; the image is shown at exactly this size so it stays sharp.
PLOT_PIXELS = (760, 400)


def timing_table(timings: list[Timing]) -> str:
    rows = "".join(
        f"<tr><td>{t.batch:,}</td><td>{t.loop * 1e3:.3g} ms</td><td>{t.batched * 1e3:.3g} ms</td>"
        f"<td><b>{t.speedup:,.0f}×</b></td></tr>" for t in timings
    )
    return ("<table class='bn-timings'><tr><th>batch size</th><th>loop, one input at a time</th>"
            f"<th>one matrix product</th><th>speed-up</th></tr>{rows}</table>")


def timing_plot(timings: list[Timing]) -> bytes:
    """Log-log plot of both timings against batch size, with the speed-up on its own axis."""
    figure = Figure(figsize=(PLOT_PIXELS[0] / 100, PLOT_PIXELS[1] / 100), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    ax, ratio = figure.subplots(1, 2, width_ratios=(3, 2))
    sizes = [t.batch for t in timings]
    ax.loglog(sizes, [t.loop for t in timings], "o-", color="#b2182b", label="loop, one input at a time")
    ax.loglog(sizes, [t.batched for t in timings], "s-", color="#2166ac", label="one matrix product")
    ax.set(xlabel="batch size (inputs)", ylabel="seconds per forward pass", title="Time for the whole batch")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    ratio.semilogx(sizes, [t.speedup for t in timings], "d-", color="#5e3c99")
    ratio.set(xlabel="batch size (inputs)", ylabel="times faster", title="Speed-up of batching")
    ratio.grid(True, alpha=0.3)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def plot_html(png: bytes, timings: list[Timing]) -> str:
    """The timing plot as a picture whose text alternative says what it shows; the table holds the numbers."""
    def at(t: Timing) -> str:
        times = f"{t.speedup:,.0f}" if t.speedup >= 10 else f"{t.speedup:.1f}"
        return f"{times} times at {t.batch:,} input{'s' * (t.batch != 1)}"

    alt = (f"Chart of the timings in the table above, both axes logarithmic. Left: time for the whole batch "
           f"against batch size, for the loop and the matrix product. Right: the speed-up, "
           f"{at(timings[0])} and {at(timings[-1])}.")
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f"<img class='bn-speed-plot' src='{url}' width='{PLOT_PIXELS[0]}' height='{PLOT_PIXELS[1]}' "
            f"style='max-width: 100%; height: auto' alt='{html.escape(alt)}'>")


class SpeedComparison:
    """A button that times both ways on this machine, with a progress bar, a table and a plot."""

    def __init__(self, sizes: tuple[int, ...] = BATCH_SIZES) -> None:
        self.sizes = sizes
        self.status = html_widget("Press the button: it takes a few seconds.", "bn-status")
        self.progress = widgets.IntProgress(value=0, min=0, max=len(sizes), description="Measured",
                                            layout=widgets.Layout(width="420px"))
        self.button = widgets.Button(description="Measure on this machine", button_style="primary",
                                     layout=widgets.Layout(width="240px"))
        self.button.add_class("bn-button-measure")
        self.table = html_widget("", "bn-speed-table")
        self.plot = html_widget("", "bn-speed-chart")  # empty until measured: no picture to show before
        self.plot_png = b""
        self.button.on_click(Guard(self._say)(lambda _: self.run()))
        self.widget = widgets.VBox([html_widget(STYLE), widgets.HBox([self.button, self.progress]), self.status,
                                    self.table, self.plot])
        self.widget.add_class("bn-app")  # the app's look (style.css): its rows wrap on a phone

    def run(self) -> list[Timing]:
        self.button.disabled = True
        self.progress.value = 0
        timings: list[Timing] = []
        try:
            for timing in time_batches(self.sizes):
                timings.append(timing)
                self.progress.value = len(timings)
                self.status.value = f"Batch of {timing.batch:,} done…"
                self.table.value = timing_table(timings)
            best = max(timings, key=lambda t: t.speedup)
            self.plot_png = timing_plot(timings)
            self.plot.value = plot_html(self.plot_png, timings)
            self._say(f"Done: at a batch of {best.batch:,} the matrix product was {best.speedup:,.0f} times "
                      "faster than the loop.")
        finally:
            self.button.disabled = False
        return timings

    def _say(self, message: str, error: bool = False) -> None:
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
        self.order.observe(Guard(self._say)(lambda _: self._show()), "value")
        self.widget = widgets.VBox([self.order, self.view])
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

    def _say(self, message: str, error: bool = False) -> None:
        self.view.value = status_html(message, error)
