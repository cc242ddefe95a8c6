"""The playground: any sizes from 1 to 8, the same controls, heat maps and explanations."""

from __future__ import annotations

import ipywidgets as widgets

from ..state import resize
from .app import BatchApp

#: Largest size offered for each dimension: more would not fit on a screen as sliders.
PLAYGROUND_MAX = 8


class Playground:
    """Size sliders on top of a ``BatchApp``; a new size keeps every entry that still fits."""

    def __init__(self, app: BatchApp | None = None) -> None:
        self.app = app if app is not None else BatchApp()
        self.size_sliders = {
            # continuous_update=False: a size applies once the slider is let go, not at every
            # position it passes (each new size rebuilds the controls and the heat maps)
            name: widgets.IntSlider(value=value, min=1, max=PLAYGROUND_MAX, description=name,
                                    continuous_update=False, layout=widgets.Layout(width="260px"))
            for name, value in zip(("inputs", "hidden", "outputs", "batch"), self.app.state.sizes)
        }
        for name, slider in self.size_sliders.items():
            slider.add_class(f"bn-size-{name}")
            slider.observe(self.app.guard(lambda _: self.apply()), "value")
        # inside the app's own box: the sliders are part of it (its spoken names, its width)
        sizes = widgets.HBox(list(self.size_sliders.values()), layout=widgets.Layout(flex_flow="row wrap"))
        children = list(self.app.widget.children)
        self.app.widget.children = children[:children.index(self.app.page) + 1] + [sizes] + children[
            children.index(self.app.page) + 1:]
        self.widget = self.app.widget

    @classmethod
    def from_page(cls) -> Playground:
        """The playground as the page's URL asks for it, read as the main page reads it."""
        return cls(BatchApp.from_page())

    def apply(self) -> None:
        sizes = tuple(slider.value for slider in self.size_sliders.values())
        if sizes == self.app.state.sizes:
            return
        self.app.seed += 1
        self.app.load(resize(self.app.state, sizes, seed=self.app.seed),
                      f"Sizes (inputs, hidden, outputs, batch) = {sizes}; entries that still fit were kept, "
                      f"new ones are random (seed {self.app.seed}).")
