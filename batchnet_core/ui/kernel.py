"""The page's kernel: its own errors go to the server's log, never to the visitor; a preheated
kernel waits for its visitor's address."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import sys
import weakref
from collections.abc import Callable

#: Where the kernel's own reports go: the kernel's log, which is the server's terminal.
log = logging.getLogger("batchnet_core.ui.kernel")

#: The loggers that report what a page sent: ipykernel's comm manager (``comm_open``) and the
#: ``comm`` package's (``comm_msg`` for an unknown comm id: "No such comm"), and ours.
SERVER_LOGGERS = ("ipykernel.comm", "Comm", log.name)

#: What the page's status line says when a message from the page failed in the kernel.
PAGE_ERROR = ("Something went wrong with a control of this page (the server has logged it); the last "
              "good state is still shown. If the page stops answering, reload it.")

#: The status lines that hear of a failed message, each as a reference that gives ``say`` or None.
_status_lines: list[Callable[[], Callable[..., None] | None]] = []


def keep_comm_errors_on_the_server() -> None:
    """Send the comm managers' errors, and ours, to the kernel's own log instead of to the page.

    A websocket ``comm_open`` for an unknown target (or a malformed widget) makes ipykernel log
    an error with its traceback on the ``ipykernel.comm`` logger; a ``comm_msg`` for an unknown
    comm id makes the ``comm`` package warn on its ``Comm`` logger. Those loggers have no
    handler, so Python's last-resort handler writes to ``sys.stderr``, which the kernel forwards
    to the page: server paths and code reach the visitor. The kernel application's own log
    handlers write to the process's real stderr, the server's log.
    """
    from ipykernel.kernelapp import IPKernelApp

    if not IPKernelApp.initialized():
        return  # not inside a kernel (plain Python, tests)
    handlers = list(IPKernelApp.instance().log.handlers)
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = handlers
        logger.propagate = False


def keep_widget_errors_on_the_server() -> None:
    """Log a failure of a widget's handling of a page's message in the kernel, and tell the page.

    ipywidgets runs what a page sends (a new value, a click) inside ``Widget._handle_msg`` and
    ``CallbackDispatcher``, and shows any exception there with IPython's ``showtraceback``: a
    full ``error`` message, with the server's paths and code, goes back to the page. A forged
    message does it at will (a Dropdown index 99, a FloatSlider value "abc", a Text value 5).
    Here both log the exception on :data:`log` (the server's terminal) and the page's status
    line says :data:`PAGE_ERROR`; the widget keeps its last good value (traitlets rolls back a
    value it refuses).
    """
    from ipywidgets.widgets.widget import CallbackDispatcher, Widget

    if getattr(Widget._handle_msg, "batchnet", False):
        return
    # ipywidgets 8.1 defines the handler as ``_show_traceback(method)``: ``method`` is the handler
    # itself, which we run with our own reporting instead.
    handle = inspect.getclosurevars(Widget._handle_msg).nonlocals.get("method")
    if handle is None:  # another ipywidgets: the page works, and the server's log says what is missing
        log.warning("ipywidgets' Widget._handle_msg is not _show_traceback(method) here: a failed message "
                    "from the page may show its traceback to the page (batchnet_core/ui/kernel.py)")
        return

    def _handle_msg(widget: Widget, msg: dict) -> None:
        try:
            handle(widget, msg)
        except Exception:
            failed(f"{type(widget).__name__} {widget.model_id}")

    def dispatch(callbacks: CallbackDispatcher, *args, **kwargs):
        value = None
        for callback in callbacks.callbacks:
            try:
                result = callback(*args, **kwargs)
            except Exception:
                failed(f"callback {getattr(callback, '__qualname__', callback)!r}")
            else:
                value = result if result is not None else value
        return value

    _handle_msg.batchnet = dispatch.batchnet = True
    Widget._handle_msg = _handle_msg
    CallbackDispatcher.__call__ = dispatch


def failed(where: str) -> None:
    """Log the exception being handled, with its traceback, in the kernel; tell the page in words."""
    log.error("A message from the page failed in %s; the page was told only that something went wrong",
              where, exc_info=True)
    for line in _status_lines:
        say = line()
        if say is not None:
            try:
                say(PAGE_ERROR, error=True)
            except Exception:
                log.error("A status line of the page could not be told", exc_info=True)


def report_widget_errors_to(say: Callable[..., None]) -> None:
    """Let ``say(message, error=True)`` (a status line) hear of a page's message that failed in the
    kernel. Every status line registered and still alive hears it: which part of the page a failed
    message was for is not known, and a page (06) may have several."""
    _status_lines[:] = [line for line in _status_lines if line() is not None]
    line = weakref.WeakMethod(say) if inspect.ismethod(say) else (lambda: say)
    if line not in _status_lines:  # a page may guard several callbacks with the same status line
        _status_lines.append(line)


def page_query() -> str:
    """The page's URL query. Voila hands it to the kernel as ``QUERY_STRING``; a preheated kernel
    (``VOILA_PREHEAT=True``) is started before its visitor arrives, so it first waits on Voila's
    query websocket for the request's environment.

    Voila's own helper for this, ``voila.utils.get_query_string``, does the same over the same
    websocket, but importing ``voila.utils`` loads Voila's server side into the kernel: 47 MB more
    in every preheated kernel (docs/deploy.md).
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return os.environ.get("QUERY_STRING", "")
    from websockets.sync.client import connect

    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = (f"{os.environ.get('VOILA_WS_PROTOCOL', 'ws')}://{os.environ.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{os.environ.get('VOILA_APP_PORT', '8866')}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID')}")
    try:
        with connect(url, open_timeout=5) as socket:
            request = json.loads(socket.recv())
    except (OSError, TimeoutError):
        logging.getLogger(__name__).warning("could not reach %s for the visitor's address", url)
        return ""
    os.environ.update({key: str(value) for key, value in request.items()})
    return os.environ.get("QUERY_STRING", "")


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The kernel's event loop, when this runs inside a kernel (a cell, or a page's message); else None.

    Not any running loop: a process that is no kernel may run one of its own (a browser driver's),
    and a task scheduled on it would wait there for ever.
    """
    kernelapp = sys.modules.get("ipykernel.kernelapp")  # a kernel has loaded it; nothing else needs to
    if kernelapp is None or not kernelapp.IPKernelApp.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
