"""The app's state as one observable model: the views subscribe, a change is drawn by every view
it concerns, then sent at once.

Views subscribe through traitlets (as ipywidgets' own models do) to the traits they show. ``update``
sets the traits, asks every view concerned to draw (nothing is sent yet), and only when all have
drawn sends them; if any fails, the traits go back to what they were and the page keeps showing
the last good state.
"""

from __future__ import annotations

from collections.abc import Callable

from traitlets import Enum, HasTraits, Instance

from ..nn.forward import Trace, forward
from ..nn.state import State
from ..notation import NOTATIONS
from ..steps import Frame
from .page import THEMES
from .views import Selection


class View:
    """Something on the page that shows some of the model.

    Parameters
    ----------
    watches : the model's traits it shows
    draw : model → what to send; it must not change the page
    send : shows what ``draw`` made
    forget : called when what was drawn is not sent (a rollback): draw afresh next time
    """

    def __init__(self, watches: tuple[str, ...], draw: Callable[[Worksheet], object],
                 send: Callable[[object], None], forget: Callable[[], None] | None = None) -> None:
        self.watches, self.draw, self.send, self.forget = watches, draw, send, forget or (lambda: None)


class Worksheet(HasTraits):
    """What the page shows: the state and its forward pass, the page's theme, the notation, the
    explained cell, the step of a step-through, and the blanks of an exercise being made."""

    state = Instance(State)
    trace = Instance(Trace)
    theme = Enum(THEMES, default_value="light")
    notation = Enum(tuple(NOTATIONS), default_value="columns")
    selection = Instance(Selection, args=())
    frame = Instance(Frame, allow_none=True)  # a step-through's frame; None: everything shown
    # the result cells an exercise being made leaves blank (``data-cell`` names); None: no exercise is made
    blanks = Instance(frozenset, allow_none=True)

    def __init__(self, state: State, theme: str = "light") -> None:
        super().__init__(state=state, trace=forward(state), theme=theme)
        self._views: list[View] = []
        self._stale: list[View] = []

    def subscribe(self, view: View) -> None:
        """Draw ``view`` on every change of the traits it watches."""
        self._views.append(view)
        self.observe(lambda _: self._stale.append(view) if view not in self._stale else None, names=view.watches)

    def update(self, **changes: object) -> None:
        """Change some traits (a new ``state`` brings its ``trace``); every view concerned draws, then
        all are sent. On any failure nothing is sent and the traits are restored."""
        if "state" in changes:
            changes["trace"] = forward(changes["state"])  # first: if it fails, nothing has changed yet
        before = {name: getattr(self, name) for name in changes}
        self._stale = []
        try:
            with self.hold_trait_notifications():
                for name, value in changes.items():
                    setattr(self, name, value)
            self.redraw(self._stale)
        except Exception:
            with self.hold_trait_notifications():
                for name, value in before.items():
                    setattr(self, name, value)
            for view in self._views:
                view.forget()
            self._stale = []
            raise

    def redraw(self, views: list[View] | None = None) -> None:
        """Draw the views (all by default), then send them, in the order they subscribed."""
        chosen = [view for view in self._views if views is None or view in views]
        drawn = [(view, view.draw(self)) for view in chosen]
        for view, value in drawn:
            view.send(value)
