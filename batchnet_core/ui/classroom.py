"""The page's side of a class (``batchnet_core.classroom``): the kernel's link to the class's server, and
the class bar at the top of each app (the learner's name, the teacher's pause, a network the teacher sent).

Outside a class (JupyterLab, ``make app``, the tests' notebooks) there is no link and no bar: the pages
look and behave as they always did. Inside one, the server starts the kernel with ``BATCHNET_CLASS_URL``
and ``BATCHNET_CLASS_KEY`` (``make serve``); behind a JupyterHub, the hub gives every server
``BATCHNET_CLASS_URL`` and the kernel proves who it is with its server's ``JUPYTERHUB_API_TOKEN``
(``batchnet_core.classroom.hub``). The kernel's one :class:`ClassLink` connects when the first app
joins, once the page's cell has run (a preheated kernel knows its page only then).

Nothing here is on the slider path: the link sends only what a page checked (an answer), what the
learner asked for (a name) and what the teacher sends; everything it hears is checked, and anything
unexpected is logged in the kernel and ignored.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import html
import json
import os
import re
import uuid
from collections.abc import Callable
from posixpath import basename
from typing import Any
from urllib.parse import unquote, urlsplit

import ipywidgets as widgets

from ..classroom.answers import MAX_FRAME, MAX_TYPED, read_name
from ..series import PAGES
from .common import Guard
from .kernel import kernel_loop, log
from .page import PageBridge

#: Longest reason of a refusal shown on the page.
MAX_REASON = 200
#: Answers kept until the server has them; past this the oldest is given up (and logged).
MAX_PENDING = 1000
#: Other messages kept while the link is down, sent when it is back.
MAX_WAITING = 8
#: Waiting before trying again after a drop: from the first, doubling up to the most (seconds).
BACKOFF_FIRST, BACKOFF_MOST = 0.5, 5.0

#: What the page says while the class is paused, and when a network came from the teacher.
PAUSED = "Paused by your teacher: eyes on the front."
PUSHED = "Your teacher sent this network."

ID = re.compile(r"[0-9a-f]{32}", re.ASCII)

#: Each message the server sends: its fields and their types (every field required, no other allowed).
SERVER_MESSAGES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "student": {"name": str, "teacher": bool},
    "pause": {"paused": bool},
    "push": {"id": int, "state": str},
    "ack": {"id": str},
    "refused": {"field": str, "id": str, "reason": str},
}


def page_of(url: object) -> str | None:
    """The page of the series a request's URL names, or None.

    >>> page_of("/voila/render/03_by_hand.ipynb")
    '03_by_hand.ipynb'
    >>> page_of("http://127.0.0.1:8866/voila/render/notes.ipynb") is None
    True
    """
    if not isinstance(url, str) or len(url) > 60_000:
        return None
    name = unquote(basename(urlsplit(url).path))
    return name if name in {page.name for page in PAGES} else None


def read_message(frame: object) -> dict[str, Any]:
    """A message from the server, checked: its type, its fields and their sizes; ``ValueError`` otherwise.

    >>> read_message('{"type": "pause", "paused": true}')
    {'type': 'pause', 'paused': True}
    >>> read_message('{"type": "pause", "paused": 1}')
    Traceback (most recent call last):
    ...
    ValueError: pause: paused must be bool, got int
    """
    if not isinstance(frame, str):
        raise ValueError(f"a frame must be text, got {type(frame).__name__}")
    if len(frame.encode("utf-8", "surrogatepass")) > MAX_FRAME:
        raise ValueError(f"a frame is at most {MAX_FRAME} bytes")
    try:
        message = json.loads(frame)
    except ValueError:
        raise ValueError("a frame must be JSON") from None
    kind = message.get("type") if isinstance(message, dict) else None
    if not isinstance(kind, str) or kind not in SERVER_MESSAGES:
        raise ValueError(f"unknown message type {str(kind)[:20]!r}")
    fields = SERVER_MESSAGES[kind]
    if set(message) != {"type", *fields}:
        raise ValueError(f"{kind}: expected the fields {', '.join(sorted(fields))}")
    for name, expected in fields.items():
        value = message[name]
        # a bool is an int to Python: a push id of true is no id
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{kind}: {name} must be {expected.__name__}, got {type(value).__name__}")
    if kind == "student":
        try:  # the class's own rule for a name, the one it read the learner's with
            read_name(message["name"])
        except ValueError as error:
            raise ValueError(f"student: {error}") from None
    elif kind == "push" and message["id"] < 0:
        raise ValueError("push: id must be 0 or more")
    elif kind == "ack" and not ID.fullmatch(message["id"]):
        raise ValueError("ack: id must be 32 hexadecimal digits")
    elif kind == "refused":
        if message["field"] not in ("name", "answer", "push"):
            raise ValueError("refused: field must be name, answer or push")
        if message["id"] and not ID.fullmatch(message["id"]):
            raise ValueError("refused: id must be empty or 32 hexadecimal digits")
        if len(message["reason"]) > MAX_REASON:
            raise ValueError(f"refused: a reason of at most {MAX_REASON} characters")
    return message


_UNKNOWN = object()


class ClassLink:
    """The kernel's link to the class: one websocket to the server, kept open.

    It sends ``hello`` with the page at each connection, then every answer the server has not yet
    acknowledged; it hears the learner's name, pause, pushed networks and refusals, and hands each
    to the callbacks registered with :meth:`on`, on the kernel's loop (where widgets change).

    Parameters
    ----------
    url, key : str
        The server's address for kernels and this kernel's key (``BATCHNET_CLASS_URL``, ``…_KEY``).
    scheme : str, optional
        How the key is sent, ``Authorization: <scheme> <key>``: ``class`` for ``make serve``'s key,
        ``token`` for a JupyterHub token.
    page : str, optional
        The page, one of ``series.PAGES``; by default read from the request's URL when connecting.
    send : callable, optional
        Instead of a websocket, hand each message (a dict) to ``send``: :meth:`start` then counts as a
        connection. For tests, and for anything that carries the messages itself.
    """

    _kernel: ClassLink | None | object = _UNKNOWN

    def __init__(self, url: str = "", key: str = "", *, scheme: str = "class", page: str | None = None,
                 send: Callable[[dict], None] | None = None) -> None:
        self.url, self.key, self.scheme, self._page, self._send_to = url, key, scheme, page, send
        self.pending: dict[str, dict] = {}  # answers by id, until the server acknowledges them
        self.waiting: collections.deque[dict] = collections.deque(maxlen=MAX_WAITING)
        self.listeners: dict[str, list[Callable[[dict], None]]] = {
            kind: [] for kind in ("student", "pause", "push", "refused")}
        self.student: dict | None = None  # the last ``student`` message
        self.paused = False
        self.bars: list[ClassBar] = []
        self._write: Callable[[dict], None] | None = None  # while connected
        self._started = False
        self._task: asyncio.Task | None = None
        self._warned = False

    @classmethod
    def of_kernel(cls) -> ClassLink | None:
        """The kernel's one link; None outside a class or a kernel.

        In a class: ``BATCHNET_CLASS_URL`` with ``BATCHNET_CLASS_KEY`` (``make serve``), or, with no key,
        ``JUPYTERHUB_API_TOKEN`` (a server behind JupyterHub, whose kernels inherit its token).
        """
        if cls._kernel is _UNKNOWN:
            url, key = os.environ.get("BATCHNET_CLASS_URL", ""), os.environ.get("BATCHNET_CLASS_KEY", "")
            scheme, named = "class", "BATCHNET_CLASS_KEY"
            if url and not key and os.environ.get("JUPYTERHUB_API_TOKEN"):
                scheme, key, named = "token", os.environ["JUPYTERHUB_API_TOKEN"], "JUPYTERHUB_API_TOKEN"
            if not (url and key) or kernel_loop() is None:
                return None  # asked again later: a kernel's loop runs from its first cell
            usable = (urlsplit(url).scheme in ("ws", "wss") and len(key) <= 200
                      and key.isascii() and key.isprintable())
            if not usable:
                log.warning("BATCHNET_CLASS_URL or %s cannot be used: this page has no class", named)
            cls._kernel = cls(url, key, scheme=scheme) if usable else None
        return cls._kernel  # type: ignore[return-value]

    @property
    def page(self) -> str | None:
        """The page this kernel shows, as the request Voila gave it names it: its path, ``SCRIPT_NAME``, which a
        preheated kernel learns with the rest of its visitor's request (``kernel.page_query``). Not
        ``VOILA_REQUEST_URL``: Voila gives a preheated kernel the address of the visit that started it."""
        if self._page is None:
            self._page = page_of(os.environ.get("SCRIPT_NAME"))
        return self._page

    # -- what the page does ----------------------------------------------------------------------

    def on(self, kind: str, callback: Callable[[dict], None]) -> None:
        """Call ``callback(message)`` for each message of this kind: student, pause, push, refused."""
        self.listeners[kind].append(callback)

    def start(self) -> None:
        """Connect, once: on the kernel's loop, after the cell that asked has run."""
        if self._started:
            return
        self._started = True
        if self._send_to is not None:
            self._opened(self._send_to)
            return
        loop = kernel_loop()
        if loop is None:
            log.warning("The class link needs the kernel's event loop; this page has no class")
            return
        self._task = loop.create_task(self.run())  # kept: the loop holds only a weak reference to a task

    def answer(self, seed: int, difficulty: str, part: str, cell: str, typed: str, authored: str = "") -> str:
        """Send a checked answer of this page's exercise (kept until the server has it); its id. An authored
        exercise (seed 0, difficulty "authored") is sent as its link, ``authored``."""
        message = {"type": "answer", "id": uuid.uuid4().hex, "page": self.page, "seed": int(seed),
                   "difficulty": difficulty, "part": part, "cell": cell, "typed": str(typed)[:MAX_TYPED]}
        if authored:
            message["authored"] = authored
        if len(self.pending) >= MAX_PENDING:
            oldest = next(iter(self.pending))
            log.warning("The class has not acknowledged %d answers: the oldest is given up", MAX_PENDING)
            del self.pending[oldest]
        self.pending[message["id"]] = message
        if self._write is not None:
            self._deliver_out(message)
        return message["id"]

    def rename(self, name: str) -> None:
        """Ask the class to call this learner ``name`` (it answers with ``student`` or ``refused``)."""
        self._send({"type": "name", "name": name})

    def push(self, state_query: str) -> None:
        """Send a network to the class (the teacher's page only); ``ValueError`` if it is too large."""
        message = {"type": "push", "state": state_query}
        size = len(json.dumps(message).encode())
        if size > MAX_FRAME:
            raise ValueError(f"this network takes {size:,} bytes to send and the class takes at most "
                             f"{MAX_FRAME:,}: send a smaller one, or fewer decimals")
        self._send(message)

    # -- the connection --------------------------------------------------------------------------

    async def run(self) -> None:
        """The websocket, for ever: connect, say hello, listen; after a drop, wait and connect again."""
        if self.page is None:
            log.info("This kernel's page is not one of the series: no class")
            return
        from websockets.asyncio.client import connect

        delay = BACKOFF_FIRST
        while True:
            try:
                async with connect(self.url, additional_headers={"Authorization": f"{self.scheme} {self.key}"},
                                   max_size=MAX_FRAME, compression=None, proxy=None, open_timeout=10) as socket:
                    delay = BACKOFF_FIRST
                    self._warned = False
                    await self._serve(socket)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # refused, unreachable, dropped: try again
                (log.debug if self._warned else log.warning)(
                    "The class link is down (%s: %s); trying again", type(error).__name__, error)
                self._warned = True
            finally:
                self._closed()
            await asyncio.sleep(delay)
            delay = min(2 * delay, BACKOFF_MOST)

    async def _serve(self, socket: Any) -> None:
        queue: asyncio.Queue[dict] = asyncio.Queue()
        self._opened(queue.put_nowait)

        async def write() -> None:
            while True:
                message = await queue.get()
                await socket.send(json.dumps(message))

        writing = asyncio.ensure_future(write())
        try:
            async for frame in socket:
                self._deliver(frame)
                if writing.done():  # the socket failed under the writer: connect again
                    break
        finally:
            writing.cancel()

    def _opened(self, write: Callable[[dict], None]) -> None:
        """A connection opened: hello, every answer not yet acknowledged, what waited; then live."""
        write({"type": "hello", "page": self.page})
        sent: set[str] = set()
        while unsent := [m for key, m in self.pending.items() if key not in sent]:
            for message in unsent:
                write(message)
                sent.add(message["id"])
        while self.waiting:
            write(self.waiting.popleft())
        self._write = write

    def _closed(self) -> None:
        self._write = None

    def _send(self, message: dict) -> None:
        if self._write is None:
            self.waiting.append(message)
        else:
            self._deliver_out(message)

    def _deliver_out(self, message: dict) -> None:
        try:
            self._write(message)  # type: ignore[misc]
        except Exception:
            log.warning("The class link could not send a %s message", message.get("type"), exc_info=True)

    def _deliver(self, frame: object) -> None:
        """A message from the server: checked, remembered, handed to the callbacks; never raises."""
        try:
            message = read_message(frame)
        except ValueError as error:
            log.warning("The class sent a message this kernel ignores: %s", error)
            return
        kind = message["type"]
        if kind == "ack":
            self.pending.pop(message["id"], None)
            return
        if kind == "refused" and message["field"] == "answer":
            self.pending.pop(message["id"], None)  # sent again, it would be refused again
        elif kind == "student":
            self.student = message
        elif kind == "pause":
            self.paused = message["paused"]
        for callback in list(self.listeners[kind]):
            try:
                callback(message)
            except Exception:
                log.error("The page failed on the class's %s message", kind, exc_info=True)


@dataclasses.dataclass
class Pushable:
    """How a page takes a network the teacher sends, and gives its own.

    Attributes
    ----------
    read : query → what the page shows; ``ValueError`` naming the problem if it cannot be used
    own : () → what the page shows now (to come back to)
    show : (what, message) → shown
    query : () → the page's own network as a link's query (what the teacher sends)
    """

    read: Callable[[str], object]
    own: Callable[[], object]
    show: Callable[[object, str], None]
    query: Callable[[], str]


def widget_tree(widget: widgets.Widget):
    """Every widget inside ``widget``, itself first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from widget_tree(child)


class ClassBar(widgets.VBox):
    """The class at the top of an app: who the learner is, the teacher's pause, a network the teacher sent.

    Hidden until the class says something to show. Use :meth:`join`.

    Parameters
    ----------
    link : ClassLink
    box : the app's box (``.bn-app``): paused as a whole
    page : the app's ``PageBridge``, if it has one: names the bar's controls; ignores cells and keys
        while paused
    say : the app's status line, ``say(message, error=False)``
    named : show the learner's name and the box to change it (the first app of a page only)
    """

    def __init__(self, link: ClassLink, box: widgets.Box, page: PageBridge | None, say: Callable[..., None],
                 named: bool = True) -> None:
        super().__init__()
        self.add_class("bn-class-bar")
        self.link, self.box, self.page, self.say, self.named = link, box, page, say, named
        self.guard = Guard(say)
        self.teacher = False
        self.pushable: Pushable | None = None
        self.own: object = None  # the learner's own, while a pushed network is shown
        self.pushes: set[int] = set()  # the pushes shown already (a push heard again is not shown again)
        self.answers: collections.deque[str] = collections.deque(maxlen=MAX_PENDING)  # ids this app sent
        self.held: dict[widgets.Widget, bool] = {}  # while paused: each control's own ``disabled``
        self._holding = False  # paused, and these are ours to set
        self._setting = False  # a control is being disabled by the pause itself
        self._asked_name = ""  # the name saved last, until the class answers

        self.who = widgets.HTML("")
        self.who.add_class("bn-class-who")
        self.name_box = widgets.Text(placeholder="Your name", continuous_update=False,
                                     layout=widgets.Layout(width="200px"))
        self.name_box.add_class("bn-class-name")
        self.save = widgets.Button(description="Save", tooltip="Save your name: your teacher sees it",
                                   layout=widgets.Layout(width="80px"))
        self.save.add_class("bn-class-save")
        self.save.on_click(self.guard(lambda _: self.save_name()))
        self.name_row = widgets.HBox([self.who, self.name_box, self.save],
                                     layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        self.send = widgets.Button(description="Send this to the class", button_style="primary",
                                   tooltip="Every student's page shows this network, with a way back to their own",
                                   layout=widgets.Layout(width="220px"))
        self.send.add_class("bn-class-send")
        self.send.on_click(self.guard(lambda _: self.send_to_class()))
        self.banner = widgets.HTML(f"<div role='status'>{html.escape(PAUSED)}</div>")
        self.banner.add_class("bn-class-paused")
        self.back = widgets.Button(description="Back to my own", tooltip="Show your own network again")
        self.back.add_class("bn-class-back")
        self.back.on_click(self.guard(lambda _: self.back_to_own()))
        # not a live region: the status line says it aloud
        self.note = widgets.HBox([widgets.HTML(f"<span>{html.escape(PUSHED)}</span>"), self.back],
                                 layout=widgets.Layout(align_items="center"))
        self.note.add_class("bn-class-pushed")
        self.children = [self.name_row, self.send, self.banner, self.note]
        if page is not None:
            page.keep_names({"bn-class-name": "Your name in the class", "bn-class-save": "Save your name",
                             "bn-class-send": "Send this network to the class",
                             "bn-class-back": "Back to my own network"})
        self._show()

    @classmethod
    def join(cls, box: widgets.Box, page: PageBridge | None, say: Callable[..., None],
             link: ClassLink | None = None) -> ClassBar | None:
        """The class bar of an app, placed in its box after its page bridge (else first); None outside a
        class."""
        link = link if link is not None else ClassLink.of_kernel()
        if link is None:
            return None
        bar = cls(link, box, page, say, named=not link.bars)
        children = list(box.children)
        at = children.index(page) + 1 if page in children else 0
        box.children = children[:at] + [bar] + children[at:]
        link.bars.append(bar)
        for kind in ("student", "pause", "push", "refused"):
            link.on(kind, getattr(bar, f"_heard_{kind}"))
        if link.student is not None:  # the class spoke before this app joined
            bar._heard_student(link.student)
        if link.paused:
            bar._heard_pause({"paused": True})
        link.start()
        return bar

    # -- what the learner does --------------------------------------------------------------------

    def save_name(self) -> None:
        try:
            name = read_name(self.name_box.value)
        except ValueError as error:
            self.say(f"Your {error}.", error=True)  # "Your name: at most 40 characters (got 41)."
            return
        self._asked_name = name
        self.link.rename(name)
        self.say(f"Saving your name, {name}…")

    def send_to_class(self) -> None:
        if self.pushable is None:
            return
        try:
            self.link.push(self.pushable.query())
        except ValueError as error:
            self.say(f"Not sent: {error}.", error=True)
            return
        self.say("Sent to the class: every student's page shows this network.")

    def back_to_own(self) -> None:
        if self.pushable is None or self.own is None:
            return
        self.pushable.show(self.own, "Back to your own network.")
        self.own = None
        self._hold_new()
        self._show()

    def accept_pushes(self, pushable: Pushable) -> None:
        """Show the networks the teacher sends, with ``pushable``; the teacher's page can send its own."""
        self.pushable = pushable
        self._show()

    def answer(self, seed: int, difficulty: str, part: str, cell: str, typed: str, authored: str = "") -> None:
        """Tell the class of a checked answer; a failure is the kernel's to log, never the page's."""
        try:
            self.answers.append(self.link.answer(seed, difficulty, part, cell, typed, authored))
        except Exception:
            log.error("An answer could not be given to the class link", exc_info=True)

    # -- what the class says ----------------------------------------------------------------------

    def _heard_student(self, message: dict) -> None:
        was_teacher, self.teacher = self.teacher, message["teacher"]
        self.who.value = f"You are <b>{html.escape(message['name'])}</b>"
        if self.named and self._asked_name and self._asked_name == message["name"]:
            self._asked_name = ""
            self.say(f"Saved: your teacher sees you as {message['name']}.")
        if was_teacher != self.teacher:
            self._pause(self.link.paused)
        self._show()

    def _heard_pause(self, message: dict) -> None:
        self._pause(message["paused"])

    def _heard_push(self, message: dict) -> None:
        if self.pushable is None or self.teacher or message["id"] in self.pushes:
            return
        self.pushes.add(message["id"])
        try:
            pushed = self.pushable.read(message["state"])
        except ValueError as error:
            self.say(f"Your teacher sent a network this page cannot show: {error}. Nothing changed.", error=True)
            return
        own = self.pushable.own() if self.own is None else self.own
        try:
            self.pushable.show(pushed, PUSHED)
        except Exception as error:
            self.say(f"Your teacher sent a network this page cannot show: {error}. Nothing changed.", error=True)
            return
        self.own = own
        self._hold_new()
        self._show()

    def _heard_refused(self, message: dict) -> None:
        field, reason = message["field"], message["reason"]
        if field == "name" and self.named:
            self._asked_name = ""
            self.say(f"Your name was not saved: {reason}.", error=True)
        elif field == "push" and self.pushable is not None and self.teacher:
            self.say(f"Not sent to the class: {reason}.", error=True)
        elif field == "answer" and message["id"] in self.answers:
            self.say(f"The class did not record that answer: {reason}.", error=True)

    # -- pause ------------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """This app is paused (the teacher's own pages never are)."""
        return self._holding

    def _pause(self, paused: bool) -> None:
        paused = paused and not self.teacher
        if paused == self._holding:
            return
        self._holding = paused
        if self.page is not None:
            self.page.paused = paused
        if paused:
            self.box.add_class("bn-paused")
            self._hold_new()
        else:
            for widget, was in list(self.held.items()):
                widget.unobserve(self._kept, "disabled")
                widget.disabled = was
            self.held.clear()
            self.box.remove_class("bn-paused")
        self._show()

    def _hold_new(self) -> None:
        """While paused, disable every control of the app not yet held, keeping what it was."""
        if not self._holding:
            return
        for widget in widget_tree(self.box):
            if widget in self.held or not widget.has_trait("disabled"):
                continue
            self.held[widget] = widget.disabled
            widget.disabled = True
            widget.observe(self._kept, "disabled")

    def _kept(self, change: dict) -> None:
        """The app set a control's ``disabled`` while paused (a run ended): it applies on resume."""
        if not self._holding or self._setting:
            return
        self.held[change["owner"]] = change["new"]
        if not change["new"]:
            self._setting = True
            try:
                change["owner"].disabled = True
            finally:
                self._setting = False

    def _show(self) -> None:
        """Each part of the bar shown when it has something to say; the bar hidden when none has."""
        parts = {self.name_row: self.named and self.link.student is not None,
                 self.send: self.teacher and self.pushable is not None,
                 self.banner: self._holding,
                 self.note: self.own is not None}
        for part, shown in parts.items():
            part.layout.display = None if shown else "none"
        self.layout.display = None if any(parts.values()) else "none"


__all__ = ["ClassBar", "ClassLink", "Pushable", "page_of", "read_message"]
