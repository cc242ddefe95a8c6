"""The page around an app, as seen from the kernel: its theme, and what ipywidgets cannot say.

ipywidgets gives a slider's handle no accessible name, cannot name a button other than by its
text, and the kernel never learns the page's theme (JupyterLab's light or dark, or a switch
between them). One small widget of the page's own (``page.js``, through anywidget) does those.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
from traitlets import Bool, Dict, Unicode, validate

#: Themes a page may report; anything else from the page is ignored.
THEMES = ("light", "dark")


class PageBridge(anywidget.AnyWidget):
    """Reports the page's theme in ``theme``; names the elements of classes in ``names``
    (class → accessible name, where ``{text}`` stands for the element's visible text; or a list of
    names, one for each of the element's buttons in order) and every
    slider handle after its description; sends a clicked heat map cell (``on_cell``)."""

    _esm = Path(__file__).with_name("page.js")
    theme = Unicode("").tag(sync=True)
    names = Dict().tag(sync=True)
    #: A step-through is on: the page sends its keys (``on_key``).
    stepping = Bool(False).tag(sync=True)
    #: The class is paused: clicked cells and step-through keys are ignored, and the page turns its heat
    #: maps' cell buttons off as the pause turns every widget off.
    paused = Bool(False).tag(sync=True)
    #: Names kept whatever ``names`` is set to next (the class bar's, beside an exercise's own).
    kept_names = Dict()

    @validate("names")
    def _keep_names(self, proposal: dict) -> dict:
        return {**proposal["value"], **self.kept_names}

    def keep_names(self, names: dict[str, object]) -> None:
        """Name the elements of these classes from now on, whatever ``names`` becomes."""
        self.kept_names = {**self.kept_names, **names}
        self.names = dict(self.names)

    def on_theme(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(theme)`` whenever the page reports a theme this project draws;
        anything else the page sends is ignored."""
        self.observe(lambda change: callback(change["new"]) if change["new"] in THEMES else None, "theme")

    def on_key(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(key)`` for a step-through key the page sends ("next", "back", "play",
        "done"), unless the class is paused; untrusted: the callback checks it."""
        self.on_msg(lambda _, content, buffers: callback(content.get("key")) if isinstance(content, dict)
                    and "key" in content and not self.paused else None)

    def on_cell(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(cell)`` when a heat map's cell is clicked or pressed: ``cell`` is its
        ``data-cell``, as the page sent it (untrusted: the callback checks it); not while the class is paused."""
        self.on_msg(lambda _, content, buffers: callback(content.get("cell")) if isinstance(content, dict)
                    and "cell" in content and not self.paused else None)
