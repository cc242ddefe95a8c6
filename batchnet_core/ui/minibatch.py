"""Why mini-batches, measured live: the same data trained full-batch, in batches of 8 and one at a time."""

from __future__ import annotations

import base64
import html
import time

import ipywidgets as widgets
import numpy as np

from ..minibatch import BATCH_SIZES, EPOCHS, LEARNING_RATE, NEAR, POINTS, Run, compare
from ..nn.losses import LOSSES
from ..nn.numbers import parse_number
from ..speed import format_duration
from .charts import LINES, chart, themed_png
from .classroom import ClassBar
from .common import STYLE, Guard, status_html
from .first_screen import FirstScreenBox
from .page import PageBridge
from .views import html_widget

#: Size of the loss plot; the image is shown at exactly this size so it stays sharp.
PLOT_PIXELS = (760, 360)
#: One line colour per way of training, in the order of ``BATCH_SIZES``: the colours of page 04's plot.
COLOURS = ("blue", "purple", "red")
MARKERS = ("s", "d", "o")


def _loss_text(run: Run) -> str:
    if run.diverged is not None:
        return f"diverged in epoch {run.diverged}"
    return f"{run.losses[-1]:.3g}" + (" (output switched off)" if run.switched_off else "")


def runs_table(runs: list[Run]) -> str:
    """One row per way of training: batch size, steps per epoch, time per epoch, loss after the last epoch."""
    rows = "".join(
        f"<tr><td>{run.batch_size:,} ({html.escape(run.name)})</td><td>{run.steps_per_epoch:,}</td>"
        f"<td>{format_duration(run.seconds_per_epoch)}</td>"
        f"<td data-value='{html.escape(repr(run.losses[-1]))}'>{html.escape(_loss_text(run))}</td></tr>"
        for run in runs
    )
    epochs = max(run.epochs for run in runs)
    return ("<table class='bn-timings bn-minibatch-table'><tr><th>batch size</th><th>steps per epoch</th>"
            f"<th>time per epoch</th><th>loss after {epochs} epochs</th></tr>{rows}</table>")


def loss_plot(runs: list[Run], theme: str = "light") -> bytes:
    """The loss of every run against epoch (left) and against seconds of training (right), the same loss axis,
    for ``theme``."""
    figure, (by_epoch, by_time) = chart(PLOT_PIXELS, ncols=2, sharey=True)
    for k, run in enumerate(runs):
        style = {"color": LINES[theme][COLOURS[k % len(COLOURS)]], "marker": MARKERS[k % len(MARKERS)],
                 "markersize": 3,
                 "label": f"{run.name} ({run.steps_per_epoch:,} step{'s' * (run.steps_per_epoch != 1)} per epoch)"}
        by_epoch.plot(range(run.epochs + 1), run.losses, **style)
        # from the end of the first epoch: a logarithmic time axis has no 0
        by_time.plot(np.cumsum(run.epoch_seconds[:run.epochs]) * 1e3, run.losses[1:], **style)
    by_epoch.set(yscale="log", xlabel="epoch (passes over the data)", ylabel=f"loss on all {runs[0].examples} examples",
                 title="Loss per epoch")
    by_time.set(xscale="log", xlabel="milliseconds of training", title="Loss against time")
    by_epoch.legend(fontsize=8)
    for ax in (by_epoch, by_time):
        ax.grid(True, which="major", alpha=0.3)
    return themed_png(figure, theme)


def plot_html(png: bytes, runs: list[Run]) -> str:
    """The loss plot as a picture whose text alternative says what it shows; the table holds the numbers."""
    ends = "; ".join(f"{run.name} {_loss_text(run)}" for run in runs)
    alt = (f"Chart of the runs in the table above, the loss axis logarithmic. Left: the loss on all the data "
           f"after each epoch, for each batch size. Right: the same losses against the milliseconds of training "
           f"from the end of the first epoch, also logarithmic. "
           f"After {max(run.epochs for run in runs)} epochs: {ends}.")
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f"<img class='bn-minibatch-plot' src='{url}' width='{PLOT_PIXELS[0]}' height='{PLOT_PIXELS[1]}' "
            f"style='max-width: 100%; height: auto' alt='{html.escape(alt)}'>")


def summary(runs: list[Run], seconds: float) -> tuple[str, bool]:
    """The status line after a comparison, and whether it reports a run that went wrong."""
    failed = [run for run in runs if run.diverged is not None or run.switched_off]
    if len(failed) == len(runs) and all(run.switched_off for run in runs):
        return (f"Every way ended with the output 0 for every example: with learning rate {runs[0].learning_rate:g} "
                "a step overshot and ReLU switched the output off, so no gradient passes any more. "
                "Lower the learning rate."), True
    if failed:
        return " ".join(run.message for run in failed), True
    best = min(runs, key=lambda run: run.losses[-1])
    fastest = min(runs, key=lambda run: run.seconds_per_epoch)
    slowest = max(runs, key=lambda run: run.seconds_per_epoch)
    return (f"Done in {format_duration(seconds)}: after {best.epochs} epochs {best.name} reached the lowest loss, "
            f"{best.losses[-1]:.3g}. An epoch took {format_duration(fastest.seconds_per_epoch)} {fastest.name} and "
            f"{format_duration(slowest.seconds_per_epoch)} {slowest.name}."), False


class MiniBatchComparison:
    """A Run button that trains the same network on the same data once per batch size, with a table and a
    plot drawn for the page's theme."""

    def __init__(self, batch_sizes: tuple[int, ...] = BATCH_SIZES, seed: int = 0) -> None:
        self.batch_sizes, self.seed = batch_sizes, seed
        self.runs: list[Run] = []
        self.theme = "light"
        self.page = PageBridge(theme=self.theme)
        self.page.on_theme(Guard(self.say)(self.set_theme))
        self.status = html_widget(f"Press Run: it trains on {POINTS} examples three ways, in under a second.",
                                  "bn-status")
        self.epochs = widgets.Text(value=str(EPOCHS), description="Epochs", continuous_update=False,
                                   layout=widgets.Layout(width="160px"))
        self.epochs.add_class("bn-minibatch-epochs")
        self.learning_rate = widgets.Text(value=f"{LEARNING_RATE:g}", description="Learning rate",
                                          continuous_update=False, style={"description_width": "initial"},
                                          layout=widgets.Layout(width="180px"))
        self.learning_rate.add_class("bn-minibatch-lr")
        self.loss = widgets.Dropdown(options=[(entry.label, name) for name, entry in LOSSES.items()],
                                     description="Loss", style={"description_width": "initial"},
                                     tooltip="Mean squared error fits |x₁ − x₂|; softmax cross-entropy learns "
                                             f"the class: y1 nearer the diagonal than {NEAR:g}, y2 farther",
                                     layout=widgets.Layout(width="260px"))
        self.loss.add_class("bn-minibatch-loss")
        self.loss.observe(Guard(self.say)(lambda change: self._loss_chosen(change["new"])), "value")
        self.button = widgets.Button(description="Run", button_style="primary", tooltip="Train all three ways",
                                     layout=widgets.Layout(width="120px"))
        self.button.add_class("bn-minibatch-run")
        self.table = html_widget("", "bn-minibatch")
        self.plot = html_widget("", "bn-minibatch-chart")  # empty until run: no picture to show before
        self.plot_png = b""
        self.button.on_click(Guard(self.say)(lambda _: self.run()))
        self.widget = FirstScreenBox([html_widget(STYLE), self.page,
                                    widgets.HBox([self.epochs, self.learning_rate, self.loss, self.button],
                                                 layout=widgets.Layout(flex_flow="row wrap")),
                                    self.status, self.table, self.plot])
        self.widget.add_class("bn-app")  # the app's look (style.css): its rows wrap on a phone
        #: In a class, the teacher's pause holds this part of the page too (``classroom.ClassBar``).
        self.class_bar = ClassBar.join(self.widget, None, self.say)

    def settings(self) -> tuple[float, float]:
        """The epochs and learning rate typed, as numbers; ``ValueError`` naming the box that holds no number."""
        values = []
        for name, box in (("epochs", self.epochs), ("the learning rate", self.learning_rate)):
            try:
                values.append(parse_number(box.value))
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
        return values[0], values[1]

    def run(self) -> list[Run]:
        """Train every way with the typed settings; the table, the plot and the status show the result."""
        epochs, rate = self.settings()
        self.button.disabled = True
        try:
            start = time.perf_counter()
            runs = compare(self.batch_sizes, epochs, rate, self.seed, self.loss.value)
            seconds = time.perf_counter() - start
            png = loss_plot(runs, self.theme)
            self.runs, self.plot_png = runs, png
            self.table.value = runs_table(runs)
            self.plot.value = plot_html(png, runs)
            self.say(*summary(runs, seconds))
        finally:
            self.button.disabled = False
        return runs

    def _loss_chosen(self, name: str) -> None:
        """Another loss: the same points, its own targets; the last runs' figures no longer hold."""
        self.runs, self.plot_png = [], b""
        self.table.value = self.plot.value = ""
        what = (f"each point's class (y1 nearer the diagonal than {NEAR:g}, y2 farther), 2 linear outputs"
                if LOSSES[name].classes else "|x₁ − x₂| of each point, one ReLU output")
        self.say(f"Loss: {LOSSES[name].label}. The network learns {what}. Press Run.")

    def set_theme(self, theme: str) -> None:
        """Draw the plot for a light or a dark page."""
        if theme != self.theme:
            self.theme = theme
            if self.runs:
                self.plot_png = loss_plot(self.runs, theme)
                self.plot.value = plot_html(self.plot_png, self.runs)

    def say(self, message: str, error: bool = False) -> None:
        self.status.value = status_html(message, error)
