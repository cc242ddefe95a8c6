"""The class view as a JupyterHub service: several classes on one hub, a class per JupyterHub group.

Run by the hub (``c.JupyterHub.services``, ``python -m batchnet_core.classroom.hub``); it listens on
``JUPYTERHUB_SERVICE_URL`` (``--port`` for another replica on the same machine), under
``JUPYTERHUB_SERVICE_PREFIX``, and keeps the classes in ``BATCHNET_CLASS_DATABASE`` (a SQLAlchemy URL:
SQLite for a trial, PostgreSQL in production, where every replica shares it).

Who may do what is the hub's to say, with two custom scopes (``c.JupyterHub.custom_scopes``):

- ``custom:batchnet-class:teach`` sees a class's answers, pushes a state and pauses it. Filtered,
  ``…:teach!group=G``, it is class G's alone; unfiltered, every class's.
- ``custom:batchnet-class:answer`` sends one's own answers (``…:answer!user``, held by every user and
  requested for every server's token).

Routes, under the prefix (``/services/batchnet-class/``):

- ``GET <prefix>`` the classes the signed-in teacher teaches, each a link to its page;
- ``GET <prefix><group>/class`` the class's page (``static/class.html``, as ``make serve`` serves it), and
  beside it its API: ``class/api/summary``, ``class/api/answers.csv``, ``POST class/api/push``,
  ``POST class/api/pause`` and ``WS class/api/live``. A browser signs in through the hub (OAuth); a
  script sends ``Authorization: token <its hub token>``. Without ``teach`` for that group: 403, empty;
- ``WS <prefix>kernel`` a student's kernel, with ``Authorization: token <JUPYTERHUB_API_TOKEN>``, its
  server's token: the hub says whose it is (``HubAuth.user_for_token``) and whether it holds
  ``answer`` for that user; the student's classes are their groups, their name their hub name.

Replicas: every process on the same database hears every push, pause and change of any other through
the store's ``announce`` and ``listen`` (PostgreSQL's LISTEN/NOTIFY), and passes them on to the kernels
and teachers' pages connected to it. An answer is kept once, by its id, whichever replica receives it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from html import escape
from urllib.parse import quote, urlsplit

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, check_scopes
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from .answers import MAX_NAME
from .server import (
    BURST,
    STATIC,
    AnswersCsvHandler,
    ClassPageHandler,
    ClassRoom,
    KernelLink,
    LiveSocket,
    PauseHandler,
    PushHandler,
    SummaryHandler,
    log,
)
from .store import ClassStore

SCOPE = "custom:batchnet-class"
TEACH, ANSWER = f"{SCOPE}:teach", f"{SCOPE}:answer"
#: What the hub is told of the two scopes (``c.JupyterHub.custom_scopes``).
CUSTOM_SCOPES = {
    TEACH: {"description": "See a class's answers, send a state to it and pause it (filter !group=<class>)"},
    ANSWER: {"description": "Send one's own answers to one's classes"},
}
#: A group's name in an address: anything but a slash.
GROUP = r"(?P<group>[^/]+)"
DEFAULT_DATABASE = "sqlite:///class-data/hub-class.sqlite"


class ClassService:
    """The classes this process serves: a :class:`ClassRoom` per group, made when first asked for, all on
    one store; and the events every replica announces, passed on to the class they name."""

    def __init__(self, store: ClassStore, prefix: str, hub_auth: HubOAuth) -> None:
        self.store, self.prefix, self.hub_auth = store, prefix, hub_auth
        self.replica = secrets.token_hex(6)
        self.executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="class-store")
        self.rooms: dict[str, ClassRoom] = {}
        self._listening: asyncio.Task | None = None
        self._hearing: set[asyncio.Future] = set()

    def room(self, group: str) -> ClassRoom:
        if group not in self.rooms:
            self.rooms[group] = ClassRoom(self.store, "", b"", "", class_name=group, announce=self.announce,
                                          replica=self.replica, executor=self.executor)
        return self.rooms[group]

    # -- the replicas ------------------------------------------------------------------------

    def start(self) -> None:
        """Hear every replica's events (this one's included), until :meth:`stop`."""
        self._listening = asyncio.ensure_future(self.store.listen(self.on_event))

    async def announce(self, event: dict) -> None:
        await asyncio.get_running_loop().run_in_executor(self.executor, self.store.announce, event)

    def on_event(self, event: dict) -> None:
        """An event announced by a replica, handed to its class (never raises: it runs in the listener)."""
        group = event.get("class") if isinstance(event, dict) else None
        if not isinstance(group, str) or group not in self.rooms:
            return  # a class nobody here follows: its kernels and teachers are elsewhere
        future = asyncio.ensure_future(self.rooms[group].heard(event))
        self._hearing.add(future)
        future.add_done_callback(self._heard)

    def _heard(self, future: asyncio.Future) -> None:
        self._hearing.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("An event of the class could not be passed on", exc_info=future.exception())

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, return_exceptions=True)
        self.executor.shutdown(wait=True)

    # -- the hub -----------------------------------------------------------------------------

    async def groups(self) -> list[str]:
        """Every group of the hub (for a teacher of every class), with the service's own token."""
        request = HTTPRequest(url_path_join(self.hub_auth.api_url, "groups"),
                              headers={"Authorization": f"token {self.hub_auth.api_token}"})
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        if response.code != 200:
            log.warning("The hub did not list its groups (HTTP %s): give the service list:groups", response.code)
            return []
        return sorted(group["name"] for group in json.loads(response.body))


def teaches(user: dict | None, group: str) -> bool:
    """The hub's user (or token) holds ``teach`` for this group, filtered so or not."""
    return user is not None and bool(check_scopes(f"{TEACH}!group={group}", set(user.get("scopes", ()))))


def student_id(group: str, name: str) -> str:
    """A student of a class, in the store: one row per class they are in."""
    sid = f"{group}/{name}"
    return sid if len(sid) <= 120 else sid[:80] + hashlib.sha256(sid.encode()).hexdigest()[:32]


class HubUser(HubOAuthenticated):
    """A handler whose user the hub names (OAuth cookie, or ``Authorization: token``), asked without
    blocking the loop."""

    def initialize(self, service: ClassService) -> None:
        self.service = service
        self.hub_auth = service.hub_auth

    async def hub_user(self) -> dict | None:
        if not hasattr(self, "_hub_auth_user_cache"):
            self._hub_auth_user_cache = await self.hub_auth.get_user(self, sync=False)
        return self._hub_auth_user_cache


class HubTeacher(HubUser):
    """A teacher's endpoint of class ``group`` (from the address): ``teach`` for it, or 403 and nothing."""

    async def prepare(self) -> None:
        self.group = self.path_kwargs.pop("group")
        user = await self.hub_user()
        if user is None and isinstance(self, ClassPageHandler) and self.request.method == "GET":
            self.redirect(self.get_login_url())  # a browser: sign in through the hub, and come back
            return
        if not teaches(user, self.group):
            raise web.HTTPError(403)
        self.room = self.service.room(self.group)
        if self.request.method not in ("GET", "HEAD") and not self.by_token():
            self.check_xsrf_cookie()  # signed in by the hub's cookie: the hub's _xsrf check

    def is_teacher(self) -> bool:
        return teaches(getattr(self, "_hub_auth_user_cache", None), self.group)

    def by_token(self) -> bool:
        return bool(getattr(self, "_token_authenticated", False))

    def class_base(self) -> str:
        return url_path_join(self.service.prefix, quote(self.group, safe="")) + "/"

    def write_error(self, status_code: int, **kwargs) -> None:
        self.clear_header("Content-Type")
        self.finish()  # reveals nothing


class HubClassPage(HubTeacher, ClassPageHandler):
    pass


class HubSummary(HubTeacher, SummaryHandler):
    pass


class HubAnswersCsv(HubTeacher, AnswersCsvHandler):
    pass


class HubPush(HubTeacher, PushHandler):
    pass


class HubPause(HubTeacher, PauseHandler):
    pass


class HubLive(HubTeacher, LiveSocket):
    pass


class ClassesPage(HubUser, web.RequestHandler):
    """``<prefix>``: the classes the signed-in teacher teaches."""

    async def get(self) -> None:
        user = await self.hub_user()
        if user is None:
            self.redirect(self.get_login_url())
            return
        scopes = set(user.get("scopes", ()))
        if TEACH in scopes:
            groups = await self.service.groups()
        else:
            groups = sorted(scope.split("!group=", 1)[1] for scope in scopes if scope.startswith(f"{TEACH}!group="))
        pages = {group: url_path_join(self.service.prefix, quote(group, safe=""), "class") for group in groups}
        items = "".join(f'<li><a class="bn-class-link" href="{escape(page)}">{escape(group)}</a></li>'
                        for group, page in pages.items())
        said = (f"<ul>{items}</ul>" if items else
                "<p>You teach no class on this hub. An administrator gives you a class by a role with the scope "
                f"<code>{TEACH}!group=&lt;class&gt;</code>.</p>")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'")
        self.finish('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your classes · batchnet'
                    f'</title><link rel="stylesheet" href="{escape(self.service.prefix)}static/class.css"></head>'
                    f'<body class="bn-class-list"><main><h1>Your classes, {escape(user["name"])}</h1>{said}'
                    "</main></body></html>")


class Seat:
    """A hub kernel's place in one of its classes: what that class sends the kernel passes through here."""

    def __init__(self, link: HubKernelLink, group: str) -> None:
        self.link, self.group = link, group

    def send(self, message: dict) -> None:
        self.link.from_class(self.group, message)

    def close(self) -> None:
        self.link.close()


class HubKernelLink(HubUser, KernelLink):
    """A student's kernel, by its server's token; it answers into each of its student's classes."""

    def initialize(self, service: ClassService) -> None:
        super().initialize(service)
        self.room = None
        self.kernel_id = secrets.token_hex(16)  # this connection's, in each class's rooms
        self.tokens, self.refilled = float(BURST), time.monotonic()
        self.user: dict = {}
        self.groups: list[str] = []
        self.paused: dict[str, bool] = {}
        self.page = ""

    async def prepare(self) -> None:
        kind, _, token = self.request.headers.get("Authorization", "").partition(" ")
        user = None
        if kind.lower() == "token" and token.strip():
            user = await self.hub_auth.user_for_token(token.strip(), sync=False)
        if (user is None or user.get("kind", "user") != "user"
                or not check_scopes(f"{ANSWER}!user={user['name']}", set(user.get("scopes", ())))):
            raise web.HTTPError(403)
        self.user = user
        if "groups" not in user:
            log.warning("The hub did not say %s's groups: give servers' tokens read:users:groups!user",
                        user["name"])
        self.groups = sorted(group for group in user.get("groups", ()) if isinstance(group, str))

    def write_error(self, status_code: int, **kwargs) -> None:
        self.clear_header("Content-Type")
        self.finish()

    def open(self) -> None:
        log.info("A kernel of %s joined the classes %s", self.user["name"], ", ".join(self.groups) or "(none)")
        for group in self.groups:
            self.service.room(group).kernels[self.kernel_id] = Seat(self, group)

    def from_class(self, group: str, message: dict) -> None:
        if message.get("type") == "pause":  # paused while any of the student's classes is
            self.paused[group] = bool(message.get("paused"))
            message = {"type": "pause", "paused": any(self.paused.values())}
        self.send(message)

    async def on_message(self, text) -> None:
        kind, message = self.received(text, f"A kernel of {self.user['name']}")
        if kind == "hello":
            await self.hello(message.get("page"))
        elif kind == "answer":
            await self.answer(message)
        elif kind == "name":
            self.send({"type": "refused", "field": "name", "id": "",
                       "reason": "name: on this hub your teacher sees your hub name"})
        elif kind == "push":
            self.send({"type": "refused", "field": "push", "id": "",
                       "reason": "push: a teacher sends a state from the class's page"})
        else:
            log.warning("A kernel of %s sent a message the class does not read", self.user["name"])

    async def hello(self, page: object) -> None:
        self.page = page if isinstance(page, str) and len(page) <= 80 else ""
        name = self.user["name"][:MAX_NAME]
        for group in self.groups:
            room = self.service.room(group)
            room.pages[self.kernel_id] = self.page
            sid = student_id(group, self.user["name"])
            await room.run(room.store.student, sid, group, name)
            await room.bind(self.kernel_id, sid, False)  # tells the kernel its name
            paused = await room.run(room.store.setting, "paused", False, group)
            self.from_class(group, {"type": "pause", "paused": bool(paused)})
            room.changed(link=self.kernel_id, student=sid, page=self.page, present=True, at=time.time())

    async def answer(self, message: dict) -> None:
        if not self.groups:
            answer_id = message.get("id") if isinstance(message.get("id"), str) else ""
            self.send({"type": "refused", "field": "answer", "id": answer_id[:32],
                       "reason": "answer: you are in no class of this hub; ask your teacher"})
            return
        replies = [await self.service.room(group).answer(self.kernel_id, message) for group in self.groups]
        self.send(next((reply for reply in replies if reply["type"] == "refused"), replies[0]))

    def on_close(self) -> None:
        for group in self.groups:
            room = self.service.room(group)
            if room.kernels.get(self.kernel_id, None) is None:
                continue
            del room.kernels[self.kernel_id]
            if self.kernel_id in room.owners:
                room.unbind(self.kernel_id)
            for held in (room.owners, room.pages, room.opened):
                held.pop(self.kernel_id, None)
            room.changed(link=self.kernel_id, present=False)


def hub_handlers(service: ClassService) -> list:
    prefix, options = service.prefix, {"service": service}
    return [
        (prefix, ClassesPage, options),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),  # HubOAuth.instance(), as ours
        (url_path_join(prefix, "kernel"), HubKernelLink, options),
        (url_path_join(prefix, r"static/(class\.css)"), web.StaticFileHandler, {"path": str(STATIC)}),
        (url_path_join(prefix, GROUP, "class"), HubClassPage, options),
        (url_path_join(prefix, r"[^/]+/class/static/(class\.(?:js|css))"), web.StaticFileHandler,
         {"path": str(STATIC)}),
        (url_path_join(prefix, GROUP, r"class/api/summary"), HubSummary, options),
        (url_path_join(prefix, GROUP, r"class/api/answers\.csv"), HubAnswersCsv, options),
        (url_path_join(prefix, GROUP, r"class/api/push"), HubPush, options),
        (url_path_join(prefix, GROUP, r"class/api/pause"), HubPause, options),
        (url_path_join(prefix, GROUP, r"class/api/live"), HubLive, options),
    ]


def cookie_secret(api_token: str) -> bytes:
    """What every replica signs its cookies with: they share the service's token, so a teacher signed in
    through one is signed in on all."""
    return hashlib.sha256(b"batchnet class cookies\n" + api_token.encode()).digest()


def make_app(service: ClassService) -> web.Application:
    return web.Application(hub_handlers(service), cookie_secret=cookie_secret(service.hub_auth.api_token),
                           websocket_max_message_size=None)


async def serve(port: int | None = None) -> None:
    hub_auth = HubOAuth.instance()
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/batchnet-class/")
    database = os.environ.get("BATCHNET_CLASS_DATABASE", DEFAULT_DATABASE)
    if database.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(database.removeprefix("sqlite:///")) or ".", exist_ok=True)
    store = ClassStore(database)
    service = ClassService(store, prefix, hub_auth)
    address = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    server = make_app(service).listen(port or address.port or 80, address.hostname or "")
    service.start()
    log.info("The class view serves %s on port %s (database %s, replica %s)", prefix, port or address.port,
             store.engine.url.render_as_string(hide_password=True), service.replica)
    try:
        await asyncio.Event().wait()
    finally:
        server.stop()
        await service.stop()
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The class view as a JupyterHub service.")
    parser.add_argument("--port", type=int, help="listen here rather than on JUPYTERHUB_SERVICE_URL's port "
                                                 "(another replica on the same machine)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s")
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()


__all__ = ["ANSWER", "CUSTOM_SCOPES", "TEACH", "ClassService", "hub_handlers", "main", "make_app", "teaches"]
