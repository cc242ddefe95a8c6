"""Each layer's activation, chosen on the page (05 and 06): one drop-down a layer, from the table."""

from __future__ import annotations

import ipywidgets as widgets

from ..nn.activations import ACTIVATIONS
from ..nn.layers import layers_of
from ..nn.state import State


class ActivationPicker:
    """One drop-down a layer, each offering every activation of ``ACTIVATIONS``; a choice shows the same
    network with it. The drop-downs follow the page's state, whatever brings it (a link, a file, a resize)."""

    def __init__(self, app) -> None:
        self.app = app
        self._following = False  # the drop-downs are being set to a state's choice: not a person's
        #: Why the last layer's activation cannot be chosen (a loss applies its own), or "": it can
        self.last_held = ""
        self.pickers: list[widgets.Dropdown] = []
        self.widget = widgets.HBox([], layout=widgets.Layout(flex_flow="row wrap"))
        self.widget.add_class("bn-activations")
        app.model.observe(app.guard(lambda change: self._follow(change["new"])), "state")
        self._follow(app.state)

    def _follow(self, state: State) -> None:
        self._following = True
        try:
            if len(self.pickers) != state.depth:
                self.pickers = [self._picker(layer) for layer in layers_of(state.depth)]
                self.widget.children = self.pickers
            for picker, name in zip(self.pickers, state.activations):
                picker.value = name
            for picker in self.pickers:
                picker.disabled = picker is self.pickers[-1] and bool(self.last_held)
            last = layers_of(state.depth)[-1]
            self.pickers[-1].tooltip = self.last_held or self._tooltip(last)
        finally:
            self._following = False

    def hold_last(self, why: str) -> None:
        """The last layer's drop-down shows its activation but cannot be changed, saying ``why``; "" frees it."""
        self.last_held = why
        self._follow(self.app.state)

    @staticmethod
    def _tooltip(layer) -> str:
        return f"The activation of layer {layer.index}, which makes {layer.post} from {layer.pre}"

    def _picker(self, layer) -> widgets.Dropdown:
        picker = widgets.Dropdown(options=[(entry.label, name) for name, entry in ACTIVATIONS.items()],
                                  description=f"{layer.post} =", style={"description_width": "initial"},
                                  tooltip=self._tooltip(layer), layout=widgets.Layout(width="180px"))
        picker.add_class(f"bn-activation-{layer.index}")
        picker.observe(self.app.guard(lambda change, k=layer.index: self._chosen(k, change["new"])), "value")
        return picker

    def _chosen(self, index: int, name: str) -> None:
        if self._following:
            return
        state = self.app.state
        chosen = list(state.activations)
        chosen[index - 1] = name
        layer = layers_of(state.depth)[index - 1]
        entry = ACTIVATIONS[name]
        self.app.load(state.replace(activations=chosen),
                      f"{layer.post} = {entry.written.format(z=layer.pre)}: {entry.rule}.")
