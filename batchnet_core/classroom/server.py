"""The class on batchnet's Voila server: the teacher's page and API, and one link per student kernel.

:class:`ClassRoom` is the class while the server runs: who is present and on which page, which kernel
belongs to which student, the kernels' links and the teacher's open pages. Its handlers
(:func:`class_handlers`) are added to the Voila application by ``batchnet_core.serving``:

- ``GET /class`` the teacher's page; ``/class?token=<TEACHER>`` signs the teacher in (a cookie) first;
- ``GET /class/api/summary``, ``GET /class/api/answers.csv``, ``POST /class/api/push``,
  ``POST /class/api/pause`` the same data and actions as JSON, with ``Authorization: token <TEACHER>``
  or the teacher's cookie (and the ``_xsrf`` check for a POST made with the cookie);
- ``WS /class/api/live`` the teacher's page's one connection: the summary at once, and again after
  every change, at most :data:`SUMMARY_EVERY` apart;
- ``WS /class/kernel`` a student kernel's link (``batchnet_core.ui.classroom``): it sends the answers
  its page checked and the name its student chose; it hears its student's name, pause and push. Each
  kernel is started with its key (:meth:`ClassRoom.kernel_env`), an HMAC of its id.

Without the teacher's token (or with a wrong one) every teacher's endpoint answers 403 with an empty
body. A browser is a student by its signed cookie ``batchnet_student``; a kernel is its student's
once that browser opens the kernel's channels (``ClassroomKernelSocket`` in ``serving``). The
database is the truth: the server keeps in memory only who is connected now.

Who may do what is asked of the handlers (:meth:`TeacherHandler.is_teacher`, :meth:`TeacherHandler.by_token`,
:meth:`KernelLink.prepare`): here, the teacher's token and the kernels' keys; behind JupyterHub
(:mod:`.hub`), the hub's users and scopes, with a :class:`ClassRoom` per group that shares its push,
pause and changes with the other replicas through ``announce``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from jupyter_server.utils import url_path_join
from tornado import web, websocket

from ..convert import TRAIN_PAGE_KEYS, read_link, state_from_link
from ..nn.formats import MAX_QUERY_LENGTH
from ..nn.training import targets_from_query, targets_to_query
from .answers import MAX_FRAME, check, read_answer, read_name
from .store import ClassStore

log = logging.getLogger("batchnet_core.classroom")

STATIC = Path(__file__).with_name("static")
STUDENT_COOKIE = "batchnet_student"
TEACHER_COOKIE = "batchnet_teacher"
#: Messages a kernel may send in a burst, and then each second: a learner presses Enter far less often.
BURST, PER_SECOND = 30, 5.0
#: The teacher's pages hear a change at most this often (seconds).
SUMMARY_EVERY = 0.25
#: How long a pushed state may be, in characters: the longest link a page reads.
MAX_PUSH = MAX_QUERY_LENGTH
#: What a pushed link may carry: any page's link (06's has targets and its gradient exercise); the state
#: and its targets are sent on.
PUSH_KEYS = TRAIN_PAGE_KEYS


class ClassRoom:
    """The class on this server: its database, its teacher's token, and who is connected now.

    Parameters
    ----------
    store : ClassStore   the database (one may hold several classes)
    teacher_token : str
    secret : bytes   signs the kernels' keys
    kernel_url : str the kernels' link, ``ws://127.0.0.1:8866/class/kernel``
    class_name : str this class's name in the database ("" for ``make serve``'s one class)
    announce : async (event) -> None, optional
        Tells every replica of the service, this one included, of a push, a pause or a change
        (``{"class": …, "type": "push" | "pause" | "changed", …}``); each hears it in :meth:`heard`.
        None (``make serve``): this process is the whole class, and hears its own events at once.
    replica : str   this process's name among the replicas (an event it announced names it)
    executor : the threads that run the store's calls; by default the room's own
    """

    def __init__(self, store: ClassStore, teacher_token: str, secret: bytes, kernel_url: str,
                 class_name: str = "", announce=None, replica: str = "", executor: ThreadPoolExecutor | None = None
                 ) -> None:
        self.store = store
        self.class_name = class_name
        self.teacher_token = teacher_token
        self.secret = secret
        self.kernel_url = kernel_url
        self.announce = announce
        self.replica = replica
        self._own_executor = executor is None
        self.executor = executor or ThreadPoolExecutor(max_workers=4, thread_name_prefix="class-store")
        self.kernels: dict[str, KernelLink] = {}  # kernel id → its open link
        self.pages: dict[str, str] = {}  # kernel id → the page it said it serves
        self.owners: dict[str, tuple[str, bool]] = {}  # kernel id → (student id, is the teacher)
        self.channels: dict[str, int] = {}  # kernel id → browser connections open to it now
        self.opened: dict[str, float] = {}  # kernel id → when a browser last opened it
        self.dashboards: set[LiveSocket] = set()
        self.elsewhere: dict[str, tuple[str, str, float]] = {}  # a link on another replica → (student, page, opened)
        self._announcing: set[asyncio.Future] = set()
        self._summary: str | None = None  # the last summary made, until something changes
        self._changes = 0  # changes so far: a summary made during one is not kept
        self._pending: asyncio.TimerHandle | None = None
        self._last_sent = 0.0

    async def run(self, function, *args):
        """Run a blocking call of the store off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    # -- keys --------------------------------------------------------------------------------

    def kernel_key(self, kernel_id: str) -> str:
        return kernel_key(self.secret, kernel_id)

    def kernel_env(self, kernel_id: str) -> dict[str, str]:
        """What a kernel is started with to reach the class."""
        return {"BATCHNET_CLASS_URL": self.kernel_url, "BATCHNET_CLASS_KEY": self.kernel_key(kernel_id)}

    def kernel_of_key(self, key: str) -> str | None:
        kernel_id = key.split(":", 1)[0]
        return kernel_id if hmac.compare_digest(key, self.kernel_key(kernel_id)) else None

    def is_teacher_token(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.teacher_token.encode())

    @property
    def teacher_mark(self) -> str:
        """What the teacher's cookie holds: it stops working when the token changes."""
        return hashlib.sha256(b"batchnet teacher " + self.teacher_token.encode()).hexdigest()

    # -- who is here -------------------------------------------------------------------------

    async def bind(self, kernel_id: str, student_id: str | None, teacher: bool) -> None:
        """A browser opened a kernel's channels: the kernel is that browser's student's."""
        self.channels[kernel_id] = self.channels.get(kernel_id, 0) + 1
        self.opened[kernel_id] = time.time()
        if student_id is None:
            return
        self.owners[kernel_id] = (student_id, teacher)
        await self.tell_student(kernel_id)
        self.changed()

    def unbind(self, kernel_id: str) -> None:
        """A browser's connection to a kernel closed."""
        left = self.channels.get(kernel_id, 0) - 1
        if left > 0:
            self.channels[kernel_id] = left
        else:
            self.channels.pop(kernel_id, None)
        self.changed()

    def present(self) -> dict[str, str]:
        """Each student present (a browser connected to one of their kernels) and the page they opened last."""
        latest: dict[str, tuple[float, str]] = {}
        for kernel_id in self.channels:
            owner = self.owners.get(kernel_id)
            if owner is None or owner[1]:
                continue  # not yet known, or the teacher
            opened = self.opened.get(kernel_id, 0.0)
            if owner[0] not in latest or opened > latest[owner[0]][0]:
                latest[owner[0]] = (opened, self.pages.get(kernel_id, ""))
        for student, page, opened in self.elsewhere.values():  # the students other replicas serve
            if student not in latest or opened > latest[student][0]:
                latest[student] = (opened, page)
        return {student: page for student, (_, page) in latest.items()}

    async def tell_student(self, kernel_id: str) -> None:
        link, owner = self.kernels.get(kernel_id), self.owners.get(kernel_id)
        if link is None or owner is None:
            return
        student = await self.run(self.store.student, owner[0], self.class_name)
        link.send({"type": "student", "name": student.name, "teacher": owner[1]})

    # -- what kernels send -------------------------------------------------------------------

    async def answer(self, kernel_id: str, message: dict) -> dict:
        """Check and keep an answer; the kernel's acknowledgement, or why it was refused."""
        answer_id = message.get("id") if isinstance(message.get("id"), str) else ""
        try:
            answer = read_answer(message)
        except ValueError as error:
            return {"type": "refused", "field": "answer", "id": answer_id[:32], "reason": str(error)}
        owner = self.owners.get(kernel_id)
        if owner is None:
            return {"type": "refused", "field": "answer", "id": answer.id,
                    "reason": "answer: this page is not yet open in a browser"}
        if not owner[1]:  # the teacher's own answers are checked on the page, not counted in the class
            verdict = check(answer)
            if await self.run(self.store.record, owner[0], self.kept_as(answer), verdict):
                self.changed()
        return {"type": "ack", "id": answer.id}

    def kept_as(self, answer):
        """The answer as this class keeps it: a student of several classes (JupyterHub groups) answers
        into each, so a named class keeps it under an id of its own, the same for every resend."""
        if not self.class_name:
            return answer
        digest = hashlib.sha256(f"{self.class_name}\n{answer.id}".encode()).hexdigest()[:32]
        return dataclasses.replace(answer, id=digest)

    async def rename(self, kernel_id: str, name: object) -> None:
        owner, link = self.owners.get(kernel_id), self.kernels.get(kernel_id)
        try:
            name = read_name(name)
            if owner is None:
                raise ValueError("name: this page is not yet open in a browser")
        except ValueError as error:
            if link is not None:
                link.send({"type": "refused", "field": "name", "id": "", "reason": str(error)})
            return
        await self.run(self.store.rename, owner[0], name)
        for other, (student, _) in list(self.owners.items()):
            if student == owner[0]:
                await self.tell_student(other)  # every page of that browser
        self.changed()

    # -- what the teacher does ---------------------------------------------------------------

    async def push(self, text: object) -> dict:
        """Send every student's page a state: ``text`` a page's link or a state's query. Returns what was
        sent; ``ValueError`` saying what is wrong, and nothing sent, otherwise."""
        query = read_push(text)
        # its id: the moment it was sent, in microseconds, which no other push of the class has (two
        # replicas counting pushes could both count the same next number)
        push = {"id": time.time_ns() // 1000, "state": query, "at": time.time()}
        await self.run(self.store.set_setting, "push", push, self.class_name)
        await self.tell({"type": "push", "id": push["id"], "state": query})
        return push

    async def pause(self, paused: bool) -> None:
        await self.run(self.store.set_setting, "paused", paused, self.class_name)
        await self.tell({"type": "pause", "paused": paused})

    # -- the replicas ------------------------------------------------------------------------

    async def tell(self, event: dict) -> None:
        """An event for every replica's pages and kernels of this class, this one's included."""
        event = {"class": self.class_name, **event, "from": self.replica}
        if self.announce is None:
            await self.heard(event)
        else:
            await self.announce(event)

    async def heard(self, event: dict) -> None:
        """An event of this class, announced by any replica (:meth:`tell`): pass it on to the kernels
        connected here, and to the teacher's pages."""
        kind = event.get("type")
        if kind == "push" and isinstance(event.get("id"), int) and isinstance(event.get("state"), str):
            for link in list(self.kernels.values()):
                link.send({"type": "push", "id": event["id"], "state": event["state"]})
            log.info("The teacher sent a state to %d pages (push %d)", len(self.kernels), event["id"])
        elif kind == "pause" and isinstance(event.get("paused"), bool):
            for link in list(self.kernels.values()):
                link.send({"type": "pause", "paused": event["paused"]})
        elif kind == "changed" and event.get("from") != self.replica and isinstance(event.get("link"), str):
            key = f"{event['from']}/{event['link']}"  # a student came or left on another replica
            if event.get("present") is True and isinstance(event.get("student"), str):
                page = event.get("page") if isinstance(event.get("page"), str) else ""
                self.elsewhere[key] = (event["student"], page, float(event.get("at") or 0.0))
            else:
                self.elsewhere.pop(key, None)
        self.changed(shared=False)

    # -- the teacher's pages -----------------------------------------------------------------

    async def summary(self) -> str:
        """The summary as JSON; made again only after a change (:meth:`changed`)."""
        if self._summary is not None:
            return self._summary
        changes = self._changes
        text = json.dumps({"type": "summary", **await self.run(self.store.summary, self.present(), self.class_name)})
        if changes == self._changes:  # kept only if nothing changed while it was made
            self._summary = text
        return text

    def changed(self, shared: bool = True, **event) -> None:
        """Something the teacher sees changed: the open teacher's pages hear it soon, all at once; with
        replicas (``announce``), theirs too, unless ``shared`` is False (it came from one of them)."""
        if shared and self.announce is not None:
            future = asyncio.ensure_future(self.tell({"type": "changed", **event}))
            self._announcing.add(future)
            future.add_done_callback(self._announced)
        self._summary = None
        self._changes += 1
        if not self.dashboards or self._pending is not None:
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self._last_sent + SUMMARY_EVERY - loop.time())
        self._pending = loop.call_later(wait, lambda: asyncio.ensure_future(self._send_summary()))

    async def _send_summary(self) -> None:
        self._pending = None
        self._last_sent = asyncio.get_running_loop().time()
        try:
            text = await self.summary()
        except Exception:
            log.exception("The class's summary could not be made")
            return
        for dashboard in list(self.dashboards):
            dashboard.send(text)

    def _announced(self, future: asyncio.Future) -> None:
        self._announcing.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("A change of class %r could not be told to the other replicas", self.class_name,
                      exc_info=future.exception())

    def close(self) -> None:
        if self._own_executor:
            self.executor.shutdown(wait=True)


def kernel_key(secret: bytes, kernel_id: str) -> str:
    """A kernel's key to the class: its id and the id's HMAC with the server's secret."""
    return f"{kernel_id}:{hmac.new(secret, kernel_id.encode(), hashlib.sha256).hexdigest()}"


def read_push(text: object) -> str:
    """The state a teacher pushes, as a page's link query (``State.to_query()``, and ``&T=`` targets when
    given): from a whole link or a query. ``ValueError`` naming what cannot be used.

    >>> read_push("http://127.0.0.1:8866/voila/render/02_batch_of_three.ipynb?preset=one-input&token=x")[:14]
    'W1=1,-1,1;1,1,'
    >>> read_push("W1=1,2")
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("state: paste a page's link or a state (W1=…&b1=…)")
    text = text.strip()
    if len(text) > MAX_PUSH:
        raise ValueError(f"state: at most {MAX_PUSH:,} characters (got {len(text):,})")
    if "://" in text or text.startswith("/") or "?" in text:
        text = urlsplit(text).query if "://" in text else text.split("?", 1)[-1].split("#", 1)[0]
    try:
        link = read_link(text, PUSH_KEYS)
        if link.refused:
            raise ValueError("; ".join(link.refused))
        state = state_from_link(link)
        if state is None:
            raise ValueError("the link names no state (give W1=…&b1=…&x1=… or preset=…)")
        query = state.to_query()
        if "T" in link.values:
            query += "&" + targets_to_query(targets_from_query(state, link.values["T"]))
    except ValueError as error:
        raise ValueError(f"state: {error}") from None
    return query


# -- handlers ------------------------------------------------------------------------------------


class TeacherHandler(web.RequestHandler):
    """A teacher's endpoint: ``Authorization: token <TEACHER>`` or the teacher's cookie; 403 and nothing
    else otherwise."""

    def initialize(self, room: ClassRoom) -> None:
        self.room = room

    def header_token(self) -> str | None:
        kind, _, token = self.request.headers.get("Authorization", "").partition(" ")
        return token.strip() if kind.lower() == "token" else None

    # Who is asking: the teacher's token or cookie here. The hub's handlers (``classroom.hub``) answer
    # these from the hub's users and scopes instead.

    def is_teacher(self) -> bool:
        if self.by_token():
            return True
        mark = self.get_secure_cookie(TEACHER_COOKIE)
        return mark is not None and hmac.compare_digest(mark, self.room.teacher_mark.encode())

    def by_token(self) -> bool:
        """The request carries the teacher's token (a script), not a browser's cookie."""
        return self.room.is_teacher_token(self.header_token())

    def class_base(self) -> str:
        """Where the class's page and API live: the page is ``<base>class``."""
        return self.settings.get("base_url", "/")

    def prepare(self) -> None:
        if not self.is_teacher():
            raise web.HTTPError(403)
        if self.request.method not in ("GET", "HEAD") and not self.by_token():
            # signed in by the cookie, which a browser sends from any site: the _xsrf check, whether or
            # not the application turned it on (a script with the token sends no cookie and needs none)
            self.check_xsrf_cookie()

    def check_xsrf_cookie(self) -> None:
        if self.by_token():
            return
        super().check_xsrf_cookie()

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def write_error(self, status_code: int, **kwargs) -> None:
        self.clear_header("Content-Type")
        self.finish()  # reveals nothing

    def refuse(self, message: str) -> None:
        """400, with what was wrong in words (an HTTP reason phrase cannot carry every character)."""
        self.set_status(400)
        self.finish({"error": message[:300]})

    def read_json(self) -> dict | None:
        """The request's JSON object; None, and the request refused, if it is not one."""
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.refuse("expected a JSON object")
            return None
        return body


class ClassPageHandler(TeacherHandler):
    """``/class``: the teacher's page; ``?token=`` signs the teacher in and leaves the token out of the
    address bar."""

    def prepare(self) -> None:
        token = self.get_query_argument("token", None)
        if token is not None:
            if not self.room.is_teacher_token(token):
                raise web.HTTPError(403)
            self.set_secure_cookie(TEACHER_COOKIE, self.room.teacher_mark, expires_days=1, httponly=True,
                                   samesite="Strict", path=self.settings.get("base_url", "/"))
            self.redirect(self.request.path)
            return
        super().prepare()

    def get(self) -> None:
        self.xsrf_token  # noqa: B018 -- sets the _xsrf cookie the page's POSTs send back
        base = self.class_base()
        html = (STATIC / "class.html").read_text(encoding="utf-8").replace("{{base}}", web.escape.xhtml_escape(base))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        self.finish(html)


class SummaryHandler(TeacherHandler):
    async def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(await self.room.summary())


class AnswersCsvHandler(TeacherHandler):
    async def get(self) -> None:
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="class-answers.csv"')
        self.finish(await self.room.run(self.room.store.answers_csv, self.room.class_name))


class PushHandler(TeacherHandler):
    async def post(self) -> None:
        body = self.read_json()
        if body is None:
            return
        try:
            push = await self.room.push(body.get("state"))
        except ValueError as error:
            self.refuse(str(error))
            return
        self.finish({"id": push["id"], "state": push["state"]})


class PauseHandler(TeacherHandler):
    async def post(self) -> None:
        body = self.read_json()
        if body is None:
            return
        paused = body.get("paused")
        if not isinstance(paused, bool):
            self.refuse("paused: expected true or false")
            return
        await self.room.pause(paused)
        self.finish({"paused": paused})


class LiveSocket(websocket.WebSocketHandler):
    """A teacher's page's one connection: it hears the summary; it sends nothing."""

    def initialize(self, room: ClassRoom) -> None:
        self.room = room

    max_message_size = property(lambda self: MAX_FRAME)

    async def prepare(self) -> None:
        if not TeacherHandler.is_teacher(self):
            raise web.HTTPError(403)

    header_token = TeacherHandler.header_token
    by_token = TeacherHandler.by_token

    async def open(self) -> None:
        self.room.dashboards.add(self)
        try:
            self.send(await self.room.summary())
        except Exception:
            log.exception("The class's summary could not be made")

    def send(self, text: str) -> None:
        try:
            self.write_message(text)
        except websocket.WebSocketClosedError:
            self.room.dashboards.discard(self)

    def on_message(self, message) -> None:
        pass  # the page only listens

    def on_close(self) -> None:
        self.room.dashboards.discard(self)


class KernelLink(websocket.WebSocketHandler):
    """A student kernel's link, authenticated by the key it was started with."""

    def initialize(self, room: ClassRoom) -> None:
        self.room = room
        self.kernel_id: str | None = None
        self.tokens, self.refilled = float(BURST), time.monotonic()

    max_message_size = property(lambda self: MAX_FRAME)

    async def prepare(self) -> None:
        kind, _, key = self.request.headers.get("Authorization", "").partition(" ")
        self.kernel_id = self.room.kernel_of_key(key.strip()) if kind == "class" else None
        if self.kernel_id is None:
            raise web.HTTPError(403)

    def open(self) -> None:
        log.info("Kernel %s joined the class", self.kernel_id)
        old = self.room.kernels.get(self.kernel_id)
        self.room.kernels[self.kernel_id] = self
        if old is not None:
            old.close()

    def send(self, message: dict) -> None:
        try:
            self.write_message(json.dumps(message))
        except websocket.WebSocketClosedError:
            pass

    def _allowed(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.refilled) * PER_SECOND)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def received(self, text, who: str) -> tuple[str | None, dict]:
        """A message from the kernel: its type and itself; no type if it is dropped (sent too fast) or
        unreadable (not a JSON object)."""
        if not self._allowed():
            log.warning("%s sends too fast: a message was dropped", who)
            return None, {}
        try:
            message = json.loads(text)
        except (ValueError, TypeError):
            message = None
        return (message.get("type"), message) if isinstance(message, dict) else (None, {})

    async def on_message(self, text) -> None:
        kind, message = self.received(text, f"Kernel {self.kernel_id}")
        if kind == "hello":
            page = message.get("page")
            if isinstance(page, str) and len(page) <= 80:
                self.room.pages[self.kernel_id] = page
            await self.room.tell_student(self.kernel_id)
            paused = await self.room.run(self.room.store.setting, "paused", False, self.room.class_name)
            self.send({"type": "pause", "paused": bool(paused)})
            self.room.changed()
        elif kind == "answer":
            self.send(await self.room.answer(self.kernel_id, message))
        elif kind == "name":
            await self.room.rename(self.kernel_id, message.get("name"))
        elif kind == "push":
            owner = self.room.owners.get(self.kernel_id)
            if owner is None or not owner[1]:
                self.send({"type": "refused", "field": "push", "id": "", "reason": "push: only the teacher sends "
                           "a state to the class"})
                return
            try:
                await self.room.push(message.get("state"))
            except ValueError as error:
                self.send({"type": "refused", "field": "push", "id": "", "reason": str(error)[:300]})
        else:
            log.warning("Kernel %s sent a message the class does not read", self.kernel_id)

    def on_close(self) -> None:
        if self.room.kernels.get(self.kernel_id) is self:
            del self.room.kernels[self.kernel_id]


def class_handlers(server_url: str, room: ClassRoom) -> list:
    """The class's handlers, for a tornado Application whose pages live under ``server_url``."""
    options = {"room": room}
    return [
        (url_path_join(server_url, r"/class"), ClassPageHandler, options),
        (url_path_join(server_url, r"/class/static/(class\.(?:js|css))"), web.StaticFileHandler,
         {"path": str(STATIC)}),
        (url_path_join(server_url, r"/class/api/summary"), SummaryHandler, options),
        (url_path_join(server_url, r"/class/api/answers\.csv"), AnswersCsvHandler, options),
        (url_path_join(server_url, r"/class/api/push"), PushHandler, options),
        (url_path_join(server_url, r"/class/api/pause"), PauseHandler, options),
        (url_path_join(server_url, r"/class/api/live"), LiveSocket, options),
        (url_path_join(server_url, r"/class/kernel"), KernelLink, options),
    ]


def new_teacher_token() -> str:
    return secrets.token_urlsafe(18)


__all__ = ["ClassRoom", "class_handlers", "kernel_key", "new_teacher_token", "read_push"]
