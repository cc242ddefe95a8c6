"""The playground: 1 to 4 layers, any sizes from 1 to 8, the same controls, heat maps and explanations."""

from __future__ import annotations

import ipywidgets as widgets

from ..layers import MAX_DEPTH
from ..state import State, resize
from .app import BatchApp, pushed_state
from .classroom import Pushable
from .controls import WholeSlider

#: Largest size offered for each dimension: more would not fit on a screen as sliders.
PLAYGROUND_MAX = 8


class Playground:
    """Depth and size sliders on top of a ``BatchApp``; a new size keeps every entry that still fits.

    Every hidden layer has ``hidden`` units.
    """

    def __init__(self, app: BatchApp | None = None) -> None:
        self.app = app if app is not None else BatchApp()
        self._following = False  # the sliders are being set to a state's sizes: no resize
        inputs, *widths, batch = self.app.state.sizes
        hidden = widths[0] if len(widths) > 1 else 4
        start = {"layers": len(widths), "inputs": inputs, "hidden": hidden, "outputs": widths[-1], "batch": batch}
        self.size_sliders = {
            # continuous_update=False: a size applies once the slider is let go, not at every
            # position it passes (each new size rebuilds the controls and the heat maps)
            name: WholeSlider(value=value, min=1, max=MAX_DEPTH if name == "layers" else PLAYGROUND_MAX,
                                    description=name, continuous_update=False, layout=widgets.Layout(width="260px"))
            for name, value in start.items()
        }
        for name, slider in self.size_sliders.items():
            slider.add_class(f"bn-size-{name}")
            slider.observe(self.app.guard(lambda _: self.apply()), "value")
        # inside the app's own box: the sliders are part of it (its spoken names, its width), under
        # the class bar if there is one
        sizes = widgets.HBox(list(self.size_sliders.values()), layout=widgets.Layout(flex_flow="row wrap"))
        children = list(self.app.widget.children)
        at = children.index(self.app.page) + 1 + (self.app.class_bar is not None)
        self.app.widget.children = children[:at] + [sizes] + children[at:]
        self.widget = self.app.widget

    @classmethod
    def from_page(cls) -> Playground:
        """The playground as the page's URL asks for it, read as the main page reads it."""
        playground = cls(BatchApp.from_page())
        app = playground.app
        if app.class_bar is not None:
            app.class_bar.accept_pushes(Pushable(read=pushed_state, own=lambda: app.state, show=playground.show,
                                                 query=lambda: app.state.to_query()))
        return playground

    def show(self, state: State, message: str = "") -> None:
        """Show another state, of any sizes: the size sliders follow it, without resizing it again."""
        self.app.load(state, message)
        inputs, *widths, batch = state.sizes
        sizes = {"layers": len(widths), "inputs": inputs, "outputs": widths[-1], "batch": batch}
        if len(widths) > 1:
            sizes["hidden"] = widths[0]
        self._following = True
        try:
            for name, value in sizes.items():
                self.size_sliders[name].value = value
        finally:
            self._following = False
        self.size_sliders["hidden"].disabled = len(widths) == 1  # one layer has no hidden units

    @property
    def sizes(self) -> tuple[int, ...]:
        """The sizes the sliders ask for: (inputs, hidden for each hidden layer..., outputs, batch)."""
        value = {name: slider.value for name, slider in self.size_sliders.items()}
        self.size_sliders["hidden"].disabled = value["layers"] == 1  # one layer has no hidden units
        return (value["inputs"], *[value["hidden"]] * (value["layers"] - 1), value["outputs"], value["batch"])

    def apply(self) -> None:
        if self._following:
            return
        sizes = self.sizes
        if sizes == self.app.state.sizes:
            return
        self.app.seed += 1
        depth = len(sizes) - 2
        self.app.load(resize(self.app.state, sizes, seed=self.app.seed),
                      f"{depth} layer{'s' * (depth != 1)}, sizes (inputs, units of each layer, batch) = {sizes}; "
                      f"entries that still fit were kept, new ones are random (seed {self.app.seed}).")
