"""The playground: 1 to 4 layers, any sizes from 1 to 8, the same controls, heat maps and explanations."""

from __future__ import annotations

import asyncio

import ipywidgets as widgets

from ..nn.layers import MAX_DEPTH
from ..nn.state import State, resize
from .activations import ActivationPicker
from .app import BatchApp, pushed_state
from .classroom import Pushable
from .controls import WholeSlider
from .kernel import kernel_loop

#: Largest size offered for each dimension: more would not fit on a screen as sliders.
PLAYGROUND_MAX = 8

#: How long the size sliders rest before the network is resized, in a kernel: arrow keys pressed in a
#: row make one resize, to where they end, while the status line says at once which sizes are asked.
SETTLE_SECONDS = 0.3


class Playground:
    """Depth and size sliders on top of a ``BatchApp``; a new size keeps every entry that still fits.

    Every hidden layer has ``hidden`` units.
    """

    def __init__(self, app: BatchApp | None = None) -> None:
        self.app = app if app is not None else BatchApp()
        self._following = False  # the sliders are being set to a state's sizes: no resize
        self._resize: asyncio.TimerHandle | None = None  # a resize waiting for the sliders to rest
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
            slider.observe(self.app.guard(lambda _: self.ask()), "value")
        # a state of other sizes, however it comes (a preset, a file, the teacher): the sliders follow it
        self.app.model.observe(self.app.guard(lambda change: self._follow(change["new"])), "state")
        # inside the app's own box: the sliders are part of it (its spoken names, its width), under
        # the class bar if there is one
        sizes = widgets.HBox(list(self.size_sliders.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.activations = ActivationPicker(self.app)
        children = list(self.app.widget.children)
        at = children.index(self.app.page) + 1 + (self.app.class_bar is not None)
        self.app.widget.children = children[:at] + [sizes, self.activations.widget] + children[at:]
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

    def _follow(self, state: State) -> None:
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

    def ask(self) -> None:
        """A size slider moved: resize now outside a kernel; in one, say the sizes asked for at once, and
        resize once the sliders have rested ``SETTLE_SECONDS``."""
        if self._following:
            return
        loop = kernel_loop()
        if loop is None:
            self.apply()
            return
        if self._resize is not None:
            self._resize.cancel()
            self._resize = None
        sizes = self.sizes
        if sizes == self.app.state.sizes:  # back where it was before the sliders moved
            self.app.say(f"{described(sizes)}, as before.")
            return
        self.app.say(f"{described(sizes)}: drawing the network…")
        self._resize = loop.call_later(SETTLE_SECONDS, self.app.guard(self.apply))

    def apply(self) -> None:
        """Resize the network to the sizes the sliders ask for, keeping its seed and every entry that fits."""
        self._resize = None
        if self._following:
            return
        sizes = self.sizes
        if sizes == self.app.state.sizes:
            return
        # the network's own seed, not a new one: a size and back again gives the same network
        self.app.load(resize(self.app.state, sizes, seed=self.app.seed),
                      f"{described(sizes)}; entries that still fit were kept, new ones are random "
                      f"(seed {self.app.seed}).")


def described(sizes: tuple[int, ...]) -> str:
    """Sizes in words: "2 layers, sizes (inputs, units of each layer, batch) = (3, 4, 2, 3)"."""
    depth = len(sizes) - 2
    return f"{depth} layer{'s' * (depth != 1)}, sizes (inputs, units of each layer, batch) = {sizes}"
