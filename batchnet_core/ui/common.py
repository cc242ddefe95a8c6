"""What every page shares: the style sheet, status messages, and the guard around callbacks."""

from __future__ import annotations

import contextlib
import functools
import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

from .kernel import report_widget_errors_to


@functools.cache
def plain_look() -> tuple[widgets.Layout, HTMLStyle]:
    """The one layout and style of every text widget whose layout never changes: each widget otherwise brings
    a layout and a style of its own, two more models for the kernel to open and the page to create."""
    return widgets.Layout(), HTMLStyle()


STYLE = "<style>" + (Path(__file__).parent / "style.css").read_text() + "</style>"


def status_html(message: str, error: bool = False) -> str:
    """A message for a status line; an error is marked for the eye and for screen readers."""
    text = html.escape(message)
    return f"<span class='bn-error' role='alert'>{text}</span>" if error else text


def link_refused(problems: str, instead: str) -> str:
    """What a page says of a link it cannot use, and what it shows ``instead``: one full stop after the
    problems, which may end in their own (``Did you mean W1.T?``)."""
    stop = "" if problems.endswith((".", "?", "!")) else "."
    return f"The link could not be used: {problems}{stop} Showing {instead} instead."


class Guard:
    """Wraps widget callbacks: a failure becomes a message in the page, never a traceback.

    Voila hides tracebacks and callback output goes nowhere, so without this a failing
    callback would leave the page silently stale. ``say`` also hears of a page's message that
    fails before any callback runs (``kernel.report_widget_errors_to``).
    """

    def __init__(self, say: Callable[..., None], recover: Callable[[], None] | None = None,
                 hold: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext) -> None:
        self.say, self.recover, self.hold = say, recover, hold
        report_widget_errors_to(say)  # and of a page's message that fails before any callback

    def __call__(self, callback: Callable) -> Callable:
        """``callback``, run while ``hold`` holds (a drawing's messages: what it changes goes out as one)."""
        @functools.wraps(callback)
        def run(*args, **kwargs):
            with self.hold():
                try:
                    return callback(*args, **kwargs)
                except Exception as error:  # a visitor must never meet a traceback
                    self.say(f"That did not work: {error}. The last good state is still shown.", error=True)
                    if self.recover is not None:
                        with contextlib.suppress(Exception):
                            self.recover()
        return run
