"""Step / Play: the forward pass one dot product (or one input column) at a time, on the app's heat maps.

The frames are ``batchnet_core.steps.walk``'s; this module only shows them. A teacher at a projector
moves with the buttons, the frame slider, or the keys (→ or Page Down: step; ← or Page Up: back;
P: play or pause; Esc: done). While no step-through is on, the app draws as it always does.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..nn.forward import explain
from ..notation import notation
from ..steps import MODES, Frame, walk
from .controls import WholeSlider
from .views import html_widget

#: Seconds between frames while playing, slow to fast.
SPEEDS = {"slow": 1.6, "medium": 0.8, "fast": 0.3}
#: The spoken names of the Play widget's buttons, in the order it draws them (icons only on screen).
PLAY_BUTTONS = ("Play (P)", "Pause (P)", "Stop", "Repeat")
#: Keys the page sends while a step-through is on, and what each does.
KEYS = ("next", "back", "play", "done")


class StepThrough:
    """The step-through's controls, for one ``BatchApp``: it sets the app's ``frame``."""

    def __init__(self, app, say) -> None:
        self.app, self.say = app, say
        self._frames: tuple[Frame, ...] = ()
        self._walked: tuple[object, str] | None = None
        self.mode = widgets.ToggleButtons(
            options=[("One cell at a time", "cells"), ("One column at a time", "columns")],
            description="Step through", style={"description_width": "initial", "button_width": "170px"})
        self.mode.add_class("bn-step-mode")
        self.next = widgets.Button(description="Step ▶", tooltip="One step on (→ or Page Down)",
                                   layout=widgets.Layout(width="90px"))
        self.next.add_class("bn-step-next")
        self.next.on_click(app.guard(lambda _: self.move(+1)))
        self.mode.observe(app.guard(lambda _: self.restart()), "value")
        self._row = widgets.Layout(flex_flow="row wrap", align_items="center")
        self.built = False
        # Until the first step only the mode and Step ▶: every widget is models for the page to
        # make before it shows anything, and most visits never step.
        # The bar (the buttons and the step's words) stays in sight while stepping; the title and the
        # settings above it scroll away, so that the bar takes little of a small screen.
        self.bar = widgets.VBox([widgets.HBox([self.next], layout=self._row)])
        self.bar.add_class("bn-step-bar")
        self.settings = widgets.HBox([self.mode], layout=self._row)
        self.settings.add_class("bn-step-settings")
        self.widget = widgets.VBox([
            html_widget("<div class='bn-panel-title'>Step through the forward pass</div>"), self.settings, self.bar,
        ])
        self.widget.add_class("bn-steps")

    def _build(self) -> None:
        """The rest of the controls, at the first step."""
        guard = self.app.guard
        self.back = widgets.Button(description="◀ Back", tooltip="One step back (← or Page Up)",
                                   layout=widgets.Layout(width="90px"))
        self.done = widgets.Button(description="Done", tooltip="Show every cell again (Esc)",
                                   layout=widgets.Layout(width="80px"))
        # Play runs in the page, at its own pace, and drives the frame slider there (jslink): each
        # frame then reaches the kernel as one value, as a slider's move does.
        self.play = widgets.Play(min=0, max=1, step=1, interval=int(SPEEDS["medium"] * 1000), show_repeat=False,
                                 description="Play", tooltip="Play or pause (P)")
        self.position = WholeSlider(min=0, max=1, description="Step", continuous_update=True, readout=False,
                                          layout=widgets.Layout(width="320px"))
        widgets.jslink((self.play, "value"), (self.position, "value"))
        self.speed = widgets.ToggleButtons(options=list(SPEEDS), value="medium", description="Speed",
                                           style={"description_width": "initial", "button_width": "80px"})
        for button, name in ((self.back, "back"), (self.done, "done")):
            button.add_class(f"bn-step-{name}")
        self.play.add_class("bn-step-play")
        self.position.add_class("bn-step-position")
        self.text = html_widget("", "bn-step-text")
        self.back.on_click(guard(lambda _: self.move(-1)))
        self.done.on_click(guard(lambda _: self.stop()))
        self.position.observe(guard(lambda change: self.show(change["new"])), "value")
        self.speed.observe(guard(lambda change: setattr(self.play, "interval", int(SPEEDS[change["new"]] * 1000))),
                           "value")
        self.settings.children = [self.mode, self.speed]
        self.bar.children = [
            widgets.HBox([self.back, self.next, self.play, self.position, self.done], layout=self._row), self.text,
        ]
        self.built = True

    @property
    def frames(self) -> tuple[Frame, ...]:
        """The walk of the app's state in the chosen mode, walked again when either changes."""
        key = (self.app.state, self.mode.value)
        if self._walked is None or not (self._walked[0] is key[0] and self._walked[1] == key[1]):
            self._frames, self._walked = walk(self.app.state, self.mode.value), key
        return self._frames

    @property
    def active(self) -> bool:
        return self.app.model.frame is not None

    def move(self, by: int) -> None:
        """One frame on or back; the first Step starts at the first frame."""
        if not self.active:
            self.show(0)
            return
        self.position.value = min(max(self.position.value + by, 0), self.position.max)

    def restart(self) -> None:
        """Walk from the start, in the chosen mode."""
        if self.active:
            self.show(0)

    def show(self, index: int) -> None:
        """Draw frame ``index``."""
        if not self.built:
            self._build()
        frames = self.frames
        index = min(max(int(index), 0), len(frames) - 1)
        self.position.max = self.play.max = len(frames) - 1
        if self.position.value != index:
            self.position.value = index  # its observer comes back here with the same index
            return
        frame = frames[index]
        self.app.model.update(frame=frame)
        self.app.page.stepping = True
        self.widget.add_class("bn-stepping")
        n = notation(self.app.model.notation)
        e = None if frame.row is None else explain(self.app.state, frame.pre, frame.row, frame.col)
        label, heading, text = n.step_words(frame, e)
        self.text.value = step_html(heading, text or n.how_to_start(frame.layer), index, len(frames))
        self.say(f"Step {index + 1} of {len(frames)}: {label}. {text}")

    def follow(self) -> None:
        """The state or the notation changed while stepping: the same step of the new state's walk, in the
        notation shown."""
        if self.active:
            self.show(self.position.value)

    def stop(self) -> None:
        """Every cell shown again, as before the step-through."""
        if not self.built:
            return
        self.play.playing = False
        self.app.page.stepping = False
        self.widget.remove_class("bn-stepping")
        self.text.value = ""
        if self.active:
            self.app.model.update(frame=None)
            self.say("Step-through done: every cell is shown.")

    def key(self, name: object) -> None:
        """A key the page sent (``KEYS``); anything else is refused."""
        if name not in KEYS:
            raise ValueError(f"a step key must be one of {', '.join(KEYS)}; got {str(name)[:20]!r}")
        if name == "done":
            self.stop()
        elif name == "play":
            if not self.active:
                self.show(0)
            self.play.playing = not self.play.playing
        else:
            self.move(+1 if name == "next" else -1)


def step_html(heading: str, text: str, index: int, count: int) -> str:
    """What one frame says (``Notation.step_words``), large enough for the back of a classroom."""
    return (f"<div class='bn-step-count'>Step {index + 1} of {count}</div>"
            f"<div class='bn-step-heading'>{html.escape(heading)}</div>"
            f"<div class='bn-step-sum'>{html.escape(text)}</div>")


__all__ = ["KEYS", "MODES", "PLAY_BUTTONS", "SPEEDS", "StepThrough", "step_html"]
