"""Line charts (matplotlib) drawn for the page's theme, as the heat maps are.

A chart's background is see-through, so it sits on the page's own colour, whatever that is; its
text, ticks, frame, grid and legend are drawn in the theme's colours (``heatmap.THEMES``), and its
lines in colours that keep 3:1 or more against the theme's page (WCAG's contrast for graphics).
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .heatmap import THEMES

#: Colours of a chart's lines, by name, for each theme: ColorBrewer's, darker on a light page and
#: lighter on a dark one.
LINES = {
    "light": {"red": "#b2182b", "blue": "#2166ac", "purple": "#5e3c99"},
    "dark": {"red": "#f4a582", "blue": "#92c5de", "purple": "#c2a5cf"},
}
DPI = 100


def chart(pixels: tuple[int, int], **subplots: object) -> tuple[Figure, object]:
    """A figure of ``pixels`` (width, height) and its axes (``Figure.subplots``'s arguments)."""
    figure = Figure(figsize=(pixels[0] / DPI, pixels[1] / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(**subplots)


def themed_png(figure: Figure, theme: str) -> bytes:
    """The figure as PNG for ``theme``: every axes' text, ticks, frame, grid and legend in its colours,
    on a see-through background."""
    colours = THEMES[theme]
    figure.set_facecolor("none")
    for ax in figure.axes:
        ax.set_facecolor("none")
        ax.title.set_color(colours["text"])
        ax.xaxis.label.set_color(colours["text"])
        ax.yaxis.label.set_color(colours["text"])
        ax.tick_params(which="both", colors=colours["muted"], labelcolor=colours["text"], grid_color=colours["muted"])
        for spine in ax.spines.values():
            spine.set_color(colours["muted"])
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(colours["background"])
            legend.get_frame().set_edgecolor(colours["muted"])
            for text in legend.get_texts():
                text.set_color(colours["text"])
    out = io.BytesIO()
    figure.savefig(out, format="png", transparent=True)
    return out.getvalue()
