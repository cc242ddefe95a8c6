"""What the Voila server does for a classroom, beyond Voila itself; ``make app`` and ``make serve`` run
``python -m batchnet_core.serving``, which is ``voila`` with these parts, configured in ``voila.json``.

- :class:`ClassroomKernelManager` admits a page only when it can be served: Voila's own query
  parameters must be valid (``theme`` light or dark, no ``template``), and no more than
  ``max_kernels`` kernels ever run; a visitor over the cap gets a polite HTTP 503 page.
- :class:`KernelPool` keeps Voila's pool of preheated kernels full after any departure, never
  hands out a kernel that died while it waited, and lets no refused refill stand in the pool.
- :class:`ClassroomPageHandler` serves a page without code (the start page) with no kernel, and gives
  back the kernel of a page its visitor left before it arrived.
- :class:`PageRenderer` renders each page whose kernel is started for its visitor: a kernel that dies
  before it answers is replaced once, and a page whose kernels both died arrives saying so, where
  Voila's visitor would wait for ever.
- :class:`ClassroomIdentityProvider` gives every page the ``_xsrf`` cookie that Voila's shutdown
  beacon sends back, so a closed tab gives its kernel back at once with XSRF protection on
  (voila-dashboards/voila#1458).
- :class:`ClassroomVoila` is Voila's application with its ``tornado_settings`` in force, so pages
  travel compressed, with the series' pages (:data:`batchnet_core.series.PAGES`) given to the
  template's welcome page (``tree.html``) as ``series``, and with a link too long for any page
  answered by a page that says so (HTTP 414), where tornado would close the connection unanswered;
  its login cookie outlives a restart with the same token; with ``class_view`` on (``make serve``), the
  class (:mod:`batchnet_core.classroom.server`): the teacher's page at ``/class``, and every student
  kernel linked to it.

Imported by the Voila server only (tornado and jupyter_server), never by the core or the notebooks.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import hmac
import logging
import os
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs

import voila.app
import voila.handler
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from nbconvert.preprocessors.clearoutput import ClearOutputPreprocessor
from tornado import httputil, web
from tornado.routing import Matcher, Rule
from traitlets import Bool, Int, Unicode, default
from voila.app import Voila
from voila.handler import BaseVoilaHandler
from voila.notebook_renderer import NotebookRenderer
from voila.static_file_handler import MultiStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.utils import get_page_config
from voila.voila_kernel_manager import voila_kernel_manager_factory

from batchnet_core.classroom.server import (
    STUDENT_COOKIE,
    TEACHER_COOKIE,
    ClassRoom,
    class_handlers,
    new_teacher_token,
)
from batchnet_core.classroom.store import ClassStore
from batchnet_core.convert import PRESENT, PRESENT_RULE
from batchnet_core.series import PAGES

THEMES = ("light", "dark")
#: Longest address (path and query) served. The longest link a page makes is its path and a
#: 4-layer, 16-wide state with its targets T, every number at its longest (24 characters,
#: ``-2.2250738585072014e-308``): 40,091 characters of query, measured in
#: ``tests/test_classroom.py``; the pages read queries up to ``formats.MAX_QUERY_LENGTH`` (60,000)
#: and explain their own refusals. A longer address gets the 414 page.
MAX_LINK_LENGTH = 65_536
#: Largest request head read. Tornado's default (64 KiB) closes the connection without a word
#: when an address is longer; this holds any address Chromium sends (at most 2 MiB, its
#: ``url::kMaxURLChars``) and 64 KiB of headers besides, so a link too long meets the 414 page.
MAX_REQUEST_HEAD = 2 * 2**20 + 64 * 2**10
#: A page's kernel at its largest, with headroom: the largest state a link can ask for (4 layers, every size
#: 16) measured 167 MB on page 02 and 201 MB on page 06, 221 MB after 6 runs of 1,000 steps; the worked
#: example 108 MB (tests/test_browser_kernel_budget.py, docs/performance.md).
KERNEL_MEGABYTES = 250
MEMORY_SHARE = 0.75  # of the machine's memory that kernels may take; the rest is the server's and the system's


def default_max_kernels(memory_bytes: int | None = None) -> int:
    """How many page kernels fit in this machine's memory (at least 2).

    >>> default_max_kernels(8 * 2**30)
    24
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(2, int(memory_bytes * MEMORY_SHARE / (KERNEL_MEGABYTES * 2**20)))


def check_voila_query(query: str) -> None:
    """Refuse a page address whose Voila parameters this server does not serve.

    Voila reads ``theme`` and ``template`` from every page's address; the lab template writes
    ``theme`` into the HTML unescaped, and a junk ``template`` hangs or fails the request. Only
    ``theme=light`` or ``theme=dark`` reach a page here; and of presenter mode, only ``present=1``,
    which every page's script reads. (The refusal does not repeat the value: it travels in the
    response's status line.)

    >>> check_voila_query("preset=one-input&theme=dark")
    >>> check_voila_query("theme=%22%3E%3Cscript%3E")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 400: theme must be light or dark (...)
    >>> check_voila_query("present=on")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 400: present must be 1 (presenter mode): write present=1, or remove present= ...
    """
    parameters = parse_qs(query, keep_blank_values=True)
    if any(present != PRESENT for present in parameters.get("present", [])):
        raise web.HTTPError(400, reason=PRESENT_RULE)
    for theme in parameters.get("theme", []):
        if theme not in THEMES:
            raise web.HTTPError(400, reason="theme must be light or dark (remove theme= from the address "
                                "or write theme=dark)")
    if "template" in parameters:
        raise web.HTTPError(400, reason="this server shows its pages in one template: remove template= "
                            "from the address")


#: The page request a task serves (in :meth:`ClassroomPageHandler.get_generator`), so that the kernel started or
#: handed out for it is known to it; tasks started meanwhile (a pool's refills) copy it, and ignore it.
SERVED_PAGE: contextvars.ContextVar[ClassroomPageHandler | None] = contextvars.ContextVar("batchnet_served_page",
                                                                                        default=None)

#: Kernels being given back, as tasks.
GIVING_BACK: set[asyncio.Future] = set()


def note_page_kernel(kernel_id: str, asked: tuple[tuple, dict] | None = None) -> None:
    """The kernel that serves the page being rendered in this task, and what it was started with."""
    page = SERVED_PAGE.get()
    if page is not None:
        page.page_kernel = kernel_id
        page.kernel_asked = asked


class ClassroomKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a ceiling on kernels and a check of each page's address."""

    max_kernels = Int(config=True, help="Most kernels that ever run at once; sized from memory by default.")

    @default("max_kernels")
    def _max_kernels_default(self) -> int:
        return default_max_kernels()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._starting = 0  # kernels asked for and not yet in the map: they count against the cap

    async def start_kernel(self, *args, **kwargs) -> str:
        asked = args, dict(kwargs)
        env = kwargs.get("env") or {}
        preheating = env.get("VOILA_PREHEAT") == "True"
        if not preheating:
            check_voila_query(env.get("QUERY_STRING", ""))
        if len(self) + self._starting >= self.max_kernels:
            self.log.warning("Refused a kernel: %d of %d running", len(self), self.max_kernels)
            raise web.HTTPError(503, reason="The class is full: try again in a minute")
        room = getattr(self.parent, "classroom", None)
        if room is not None:  # the kernel's key to the class, made from the id it will have
            kwargs["kernel_id"] = kwargs.get("kernel_id") or str(uuid.uuid4())
            kwargs["env"] = {**env, **room.kernel_env(kwargs["kernel_id"])}
        self._starting += 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
        if not preheating:
            note_page_kernel(kernel_id, asked)
        return kernel_id

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self.kernel_left()

    def _handle_kernel_died(self, kernel_id: str) -> None:
        super()._handle_kernel_died(kernel_id)
        self.kernel_left()

    def kernel_left(self) -> None:
        """A kernel was shut down, culled or found dead: a seat is free (:class:`KernelPool` refills)."""


class KernelPool:
    """Voila's pool of preheated kernels, kept full and healthy (``make serve POOL=...``).

    Placed above Voila's own ``VoilaKernelManager`` (see :func:`classroom_kernel_manager_factory`),
    whose pool is a list of tasks, each starting a kernel and running the page in it. Voila refills
    that list only when a visitor takes from it, and hands out whatever its first task holds:

    - a refill refused at the kernel cap stays in the list as a failed task, and the next visitor
      meets it as the 503 page however many seats are free by then; here it leaves the list as it
      fails;
    - after any departure (a closed tab, a cull, a kernel given back or dead), the pool fills up
      again to its size, as far as the cap allows; Voila would wait for the next visitor;
    - a pooled kernel that died while it waited is never handed out: it is taken out of the list
      and shut down, and the visitor gets the next one, or a kernel started for them.
    """

    def __init__(self, **kwargs) -> None:
        self._closing = False
        super().__init__(**kwargs)

    def fill_if_needed(self, *args, notebook_name: str | None = None, **kwargs) -> None:
        if self._closing:
            return
        known = set(self._pools.get(notebook_name, ()))
        super().fill_if_needed(*args, notebook_name=notebook_name, **kwargs)
        pool = self._pools[notebook_name]
        for task in pool:
            if task not in known:  # a refill refused at the cap leaves the pool as it fails
                task.add_done_callback(lambda _: self._prune(notebook_name))

    def _prune(self, notebook_name: str) -> None:
        """Take out of the pool what can no longer serve: failed starts and kernels gone from the map."""
        pool = self._pools.get(notebook_name, [])
        for task in list(pool):
            if not task.done():
                continue
            if task.cancelled() or task.exception() is not None:
                pool.remove(task)
            elif task.result()["kernel_id"] not in self:
                task.result()["task"].cancel()  # the page's run in a kernel that is gone
                pool.remove(task)

    def get_pool_size(self, notebook_name: str) -> int:
        self._prune(notebook_name)
        return super().get_pool_size(notebook_name)

    async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
        self._prune(notebook_name)
        pool = self._pools.get(notebook_name, [])
        for task in [task for task in pool if task.done()]:
            kernel_id = task.result()["kernel_id"]
            if not await self.get_kernel(kernel_id).is_alive():
                self.log.warning("Pooled kernel %s died while it waited: not handed out", kernel_id)
                if task in pool:
                    pool.remove(task)
                task.result()["task"].cancel()
                await self.shutdown_kernel(kernel_id, now=True)
        self._prune(notebook_name)
        if not pool:
            self.fill_if_needed(delay=0, notebook_name=notebook_name)
        render_task, rendered, kernel_id = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        note_page_kernel(kernel_id)
        return render_task, rendered, kernel_id

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        for notebook_name in self._pools:
            self._prune(notebook_name)  # Voila's own shutdown reads every finished task's result
        await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def kernel_left(self) -> None:
        for notebook_name in list(self._pools):
            self._prune(notebook_name)
            self.fill_if_needed(delay=0, notebook_name=notebook_name)

    async def shutdown_all(self, *args, **kwargs) -> None:
        self._closing = True
        await super().shutdown_all(*args, **kwargs)


def classroom_kernel_manager_factory(base_class, preheat_kernel: bool, *args, **kwargs):
    """Voila's ``voila_kernel_manager_factory``, with :class:`KernelPool` above its pool when preheating."""
    manager = voila_kernel_manager_factory(base_class, preheat_kernel, *args, **kwargs)
    return type("ClassroomPoolManager", (KernelPool, manager), {}) if preheat_kernel else manager


class ClassroomIdentityProvider(PasswordIdentityProvider):
    """Voila's login, and the ``_xsrf`` cookie on every page it serves.

    Voila's page posts a shutdown beacon when its tab closes, carrying the ``_xsrf`` cookie as
    its token; but Voila never sets that cookie, so the beacon is refused (403) and the kernel
    lives on until culled. Reading ``xsrf_token`` sets the cookie.
    """

    async def get_user(self, handler: web.RequestHandler):
        user = await ensure_async(super().get_user(handler))
        if user is not None and handler.request.method == "GET":
            handler.current_user = user  # as prepare() will: xsrf_token reads it
            handler.xsrf_token  # noqa: B018 -- the property sets the cookie
        return user


class ProsePageRenderer(NotebookRenderer):
    """Voila's renderer for a notebook without code: the template's cells, and no kernel behind them."""

    async def _jinja_kernel_start(self, nb, kernel_id, kernel_future) -> None:
        return None  # the page's configuration says kernelId: null

    async def _jinja_cell_generator(self, nb, kernel_id):
        for cell in nb.cells:
            yield cell


#: How many kernels a page is given before it is served without its app: a kernel that dies before it answers
#: (a port jupyter_client chose and another process took first, a killed kernel) is replaced once.
PAGE_KERNEL_STARTS = 2


class PageRenderer(NotebookRenderer):
    """Voila's renderer of a page (``/voila/render/...``), for a page whose kernel dies before it answers.

    Voila renders a page in a task that fills a queue, and its handler reads the queue, sending a
    heartbeat every few seconds while it waits. When the kernel dies before answering, the task
    fails without a word to the handler: the visitor waited for ever (voila-dashboards/voila,
    0.5.13, ``handler.py``; docs/deploy.md). Here the page gets a new kernel, once; when that one
    fails too, the page arrives without its app, which the template marks and ``batchnet.js`` says,
    with a reload. A pool's kernel has no page yet: its failure is the pool's (:class:`KernelPool`).
    """

    async def _jinja_kernel_start(self, nb, kernel_id, kernel_future):
        page = self.request_handler
        if not isinstance(page, ClassroomPageHandler):  # a pool's kernel: its failure is the pool's
            return await super()._jinja_kernel_start(nb, kernel_id, kernel_future)
        manager = page.kernel_manager
        for start in range(1, PAGE_KERNEL_STARTS + 1):
            try:
                return await super()._jinja_kernel_start(nb, kernel_id, kernel_future)
            except Exception as error:  # nothing may end this task unsaid: the page would wait for ever
                self.log.warning("The kernel %s of a page did not answer (start %d of %d): %s", kernel_id, start,
                                 PAGE_KERNEL_STARTS, error)
            await self._give_back(manager, kernel_id)
            if start == PAGE_KERNEL_STARTS or page.kernel_asked is None or page.page_left:
                break
            args, kwargs = page.kernel_asked
            try:
                kernel_id = await manager.start_kernel(*args, **kwargs)
            except Exception as error:  # the class full meanwhile (503), or no kernel can start at all
                self.log.warning("A page's kernel could not be started again: %s", error)
                break
            if page.page_left:  # the visitor left while it started: nobody is there to give it back
                await self._give_back(manager, kernel_id)
                break
            kernel_future = manager.get_kernel(kernel_id)
        return kernel_id

    async def _give_back(self, manager: AsyncMappingKernelManager, kernel_id: str) -> None:
        """Shut down a kernel that will not serve the page, unless its death or the visitor's leaving already
        took it out of the map; and close the page's client of it."""
        client = getattr(getattr(self, "executor", None), "kc", None)
        if client is not None:
            await ensure_async(client.stop_channels())
            self.executor.kc = None
        if kernel_id not in manager:
            return
        try:
            await manager.shutdown_kernel(kernel_id, now=True)
        except Exception as error:  # gone meanwhile (404): what matters is that the page goes on
            self.log.warning("The kernel %s could not be shut down: %s", kernel_id, error)

    async def _jinja_cell_generator(self, nb, kernel_id):
        if self.kernel_started:
            async for cell in super()._jinja_cell_generator(nb, kernel_id):
                yield cell
            return
        nb, _ = ClearOutputPreprocessor().preprocess(nb, {"metadata": {"path": self.cwd}})
        for cell in nb.cells:  # without outputs: the template marks the page as arrived without its app
            yield cell


class ClassroomPageHandler(TornadoVoilaHandler):
    """Voila's page handler (``/voila/render/...``); a page without code is served with no kernel.

    Voila starts a kernel for every page, the start page's prose included, and its front end opens
    that kernel's websocket. A page that gave the kernel back once shown raced that websocket: one
    arriving while the kernel shut down waited 60 s for it ("Kernel never reached an 'alive' state")
    and failed with a 500. Here such a page is rendered by the same template without a kernel
    (``resources.batchnet_prose_only``: the template loads no kernel or widget code), so nothing
    connects to anything.

    A visitor who leaves a page before it has arrived (a reload, a link followed, a closed tab while a
    slow page renders) sends no shutdown beacon: the page's script that sends it never ran. Voila
    would keep that kernel until the idle cull, ten minutes later, a seat of the class taken; here it
    is given back as the connection closes.
    """

    #: The kernel started or handed out for this page, once it has one.
    page_kernel: str | None = None
    #: What that kernel was started with (``args, kwargs``), to start another like it; None for a pool's kernel.
    kernel_asked: tuple[tuple, dict] | None = None
    #: The visitor left before the page arrived.
    page_left = False

    async def prepare(self) -> None:
        await super().prepare()
        room = self.settings.get("batchnet_classroom")
        if room is not None and self.current_user is not None and self.get_secure_cookie(STUDENT_COOKIE) is None:
            # the browser is a student of the class from its first page: its answers and name are kept under this
            self.set_secure_cookie(STUDENT_COOKIE, uuid.uuid4().hex, expires_days=365, httponly=True, samesite="Lax",
                                   path=self.base_url)

    async def get_generator(self, path=None):
        SERVED_PAGE.set(self)
        single_notebook = bool(self.notebook_path)  # Voila redirects any other path there
        renderer = None if single_notebook else await self._prose_only_renderer(path)
        if renderer is None:
            pages = super().get_generator(path=path)
            try:
                async for html in pages:
                    if self.page_left:  # Voila would write to the closed connection until the page is done,
                        return          # and forever (a heartbeat every few seconds) if its kernel has gone
                    yield html
            finally:
                await pages.aclose()
            return
        self.set_header("Content-Type", "text/html")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        async for html, _ in renderer.generate_content_generator():
            yield html

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self.page_left = True
        kernel_id, self.page_kernel = self.page_kernel, None
        if kernel_id is not None and not self._finished and kernel_id in self.kernel_manager:
            self.log.info("The page of kernel %s was left before it arrived: its kernel is given back", kernel_id)
            giving_back = asyncio.ensure_future(self.kernel_manager.shutdown_kernel(kernel_id))
            GIVING_BACK.add(giving_back)  # the loop holds its tasks weakly
            giving_back.add_done_callback(GIVING_BACK.discard)

    async def _prose_only_renderer(self, notebook_path: str | None) -> ProsePageRenderer | None:
        """A renderer for a notebook without code cells, or None for any other path."""
        if not notebook_path or Path(notebook_path).suffix != ".ipynb":
            return None
        try:
            model = await ensure_async(self.contents_manager.get(path=notebook_path))
        except web.HTTPError:
            return None  # Voila's own handler answers for a missing notebook
        if model.get("type") != "notebook" or any(cell.cell_type == "code" for cell in model["content"].cells):
            return None
        check_voila_query(self.request.query)  # no kernel start checks it here
        page_config = get_page_config(base_url=self.base_url, settings=self.settings, log=self.log,
                                      voila_configuration=self.voila_configuration)
        renderer = ProsePageRenderer(
            request_handler=self, voila_configuration=self.voila_configuration,
            traitlet_config=self.traitlet_config, notebook_path=notebook_path,
            template_paths=self.template_paths, config_manager=self.config_manager,
            contents_manager=self.contents_manager, base_url=self.base_url,
            kernel_spec_manager=self.kernel_spec_manager, page_config=page_config,
            mathjax_config=self.settings.get("mathjax_config"), mathjax_url=self.settings.get("mathjax_url"))
        await renderer.initialize(template=None, theme=self.get_argument("theme", None))
        renderer.resources["batchnet_prose_only"] = True
        return renderer


class ClassroomKernelSocket(VoilaKernelWebsocketHandler):
    """Voila's kernel websocket; in a class, the browser that opens it makes the kernel its student's
    (or the teacher's), and closing it tells the class who left."""

    async def open(self, kernel_id: str) -> None:
        await super().open(kernel_id)
        room = self.settings.get("batchnet_classroom")
        if room is None:
            return
        self._class_kernel = kernel_id
        student = self.get_secure_cookie(STUDENT_COOKIE)
        mark = self.get_secure_cookie(TEACHER_COOKIE)
        teacher = mark is not None and hmac.compare_digest(mark, room.teacher_mark.encode())
        try:
            await room.bind(kernel_id, student.decode("ascii", "replace") if student else None, teacher)
        except Exception:  # the class is the teacher's view: it never takes the page from the student
            self.log.exception("The class could not note who opened kernel %s", kernel_id)

    def on_close(self) -> None:
        super().on_close()
        kernel_id = getattr(self, "_class_kernel", None)
        room = self.settings.get("batchnet_classroom")
        if kernel_id is not None and room is not None:
            room.unbind(kernel_id)


class LinkLongerThan(Matcher):
    """Matches a request whose address (path and query) is longer than ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def match(self, request: httputil.HTTPServerRequest) -> dict | None:
        return {} if len(request.uri or "") > self.limit else None


class LinkTooLongHandler(BaseVoilaHandler):
    """HTTP 414 with the template's ``414.html``, for any method, before anything reads the address."""

    async def prepare(self) -> None:
        await super().prepare()
        raise web.HTTPError(414, reason=f"The link has {len(self.request.uri):,} characters; a page's link "
                            f"has at most {MAX_LINK_LENGTH:,}")

    def _request_summary(self) -> str:  # the server's log line: not the whole address
        return f"{self.request.method} {self.request.uri[:120]}… ({len(self.request.uri):,} characters)"


class ClassroomVoila(Voila):
    """``voila``, with ``Voila.tornado_settings`` in force from the start, the series' pages known
    to the template, batchnet's kernel pool (:class:`KernelPool`) and page handler
    (:class:`ClassroomPageHandler`), and sign-ins that outlive a restart.

    Voila 0.5 applies ``tornado_settings`` after creating its tornado Application, when the
    Application has already chosen its output transforms: ``compress_response`` is then
    ignored and every page, script and style travels uncompressed (5 MB on a first visit).

    Voila renders its file list (``/`` and ``/voila/tree/...``) from the template's ``tree-lab.html``
    (``tree.html`` with ``?classic-tree=true``) through the Jinja environment ``voila_jinja2_env``;
    its global ``series`` lets the batchnet template show the welcome page instead of file names.

    Voila signs its login cookie with a secret drawn anew at every start, so a restart signs every
    student out: open pages get 403 from then on, and a reload lands on the login page. Here the
    secret is kept in Jupyter's runtime folder and mixed with the token: a restart keeps every
    student signed in, and a new token signs everyone out.
    """

    class_view = Bool(False, config=True, help="Serve a class: the teacher's page at /class (make serve).")
    teacher_token = Unicode("", config=True, help="The teacher's token for /class; empty: one is made and logged.")
    class_database = Unicode("sqlite:///class-data/class.sqlite", config=True,
                             help="Where the class's answers are kept: a SQLAlchemy URL.")
    classroom: ClassRoom | None = None

    @default("cookie_secret")
    def _kept_cookie_secret(self) -> bytes:
        return hashlib.sha256(kept_secret() + (self.token or "").encode()).digest()

    def init_settings(self) -> dict:
        self.asset_versions = asset_version(self.static_paths), asset_version(self.labextensions_path)
        self.voila_configuration.page_config_hook = versioned_page_config(*self.asset_versions)
        if self.class_view:  # first: the pool starts its kernels as the kernel manager is made
            self.classroom = self._open_class()
        with mock.patch.object(voila.app, "voila_kernel_manager_factory", classroom_kernel_manager_factory):
            settings = {**super().init_settings(), **self.tornado_settings}
        settings["voila_jinja2_env"].globals["series"] = PAGES
        settings["batchnet_classroom"] = self.classroom
        return settings

    def _open_class(self) -> ClassRoom:
        if not self.teacher_token:
            self.teacher_token = new_teacher_token()
        if self.class_database.startswith("sqlite:///"):
            Path(self.class_database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        host = self.ip if self.ip not in ("", "0.0.0.0", "::") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        kernel_url = f"ws://{host}:{self.port}{self.server_url or self.base_url}class/kernel"  # server_url: set later
        secret = class_secret()
        class_log = logging.getLogger("batchnet_core.classroom")  # the class speaks in the server's log
        class_log.handlers, class_log.propagate = list(self.log.handlers), False
        class_log.setLevel(logging.INFO)
        return ClassRoom(ClassStore(self.class_database), self.teacher_token, secret, kernel_url)

    def init_handlers(self) -> list:
        voila.handler.NotebookRenderer = PageRenderer  # what Voila's page handler renders a page with
        replace = {TornadoVoilaHandler: ClassroomPageHandler, VoilaKernelWebsocketHandler: ClassroomKernelSocket}
        handlers = [(pattern, replace.get(handler, handler), *rest)
                    for pattern, handler, *rest in super().init_handlers()]
        static_version, labextensions_version = self.asset_versions
        versioned = [  # first: the unversioned routes would take these addresses too
            (url_path_join(self.server_url, rf"/voila/static/v-{static_version}/(.*)"), VersionedStatic,
             {"paths": self.static_paths, "default_filename": "index.html"}),
            (url_path_join(self.server_url, rf"/voila/labextensions/v-{labextensions_version}/(.*)"),
             VersionedLabextensions, {"path": self.labextensions_path}),
        ]
        handlers = versioned + handlers
        if self.classroom is not None:
            handlers = class_handlers(self.server_url, self.classroom) + handlers
        return handlers

    def listen(self) -> None:
        """Voila's ``listen``, with a request head that holds a long address and a first rule that
        answers one longer than :data:`MAX_LINK_LENGTH` with the 414 page.

        Voila 0.5 builds its tornado Application and listens in ``start``, through
        ``Application.listen``, which passes its keywords to tornado's ``HTTPServer``; an address
        beyond the server's ``max_header_size`` never reaches a handler.
        """
        self.app.default_router.rules.insert(0, Rule(LinkLongerThan(MAX_LINK_LENGTH), LinkTooLongHandler,
                                                     {"voila_configuration": self.voila_configuration}))
        self.app.listen = functools.partial(self.app.listen, max_header_size=MAX_REQUEST_HEAD)
        if self.classroom is not None:  # before listening: listen() runs the server until it stops
            where = self.class_database.removeprefix("sqlite:///")
            self.log.info("The class's answers are kept in %s", Path(where).resolve() if where != self.class_database
                          else where.split("@")[-1])
            self.log.info("The teacher's page: http://%s:%s%sclass?token=%s", self.ip or "127.0.0.1", self.port,
                          self.server_url, self.teacher_token)
        super().listen()

    def stop(self) -> None:
        super().stop()
        if self.classroom is not None:
            self.classroom.close()
            self.classroom.store.close()


def asset_version(folders: list[str]) -> str:
    """A name for what ``folders`` hold now: a hash of every file's path, size and time of change. A new
    Voila or widget extension changes it, and with it every address under it.

    Voila names its scripts by number (``4371.voila.js``), not by content, and serves them, and the
    widgets' extensions, with no lasting cache: a second visit asks again for each of ~100 files. Under
    an address that names their version they can be kept for good, and an upgrade is never mixed with
    what a browser kept from before."""
    digest = hashlib.sha256()
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class CachedForGood(web.StaticFileHandler):
    """Files under an address that names their version: kept by the browser for a year, never asked again."""

    def set_headers(self) -> None:
        super().set_headers()  # last: jupyter_server's FileFindHandler sets its own no-cache there
        self.set_header("Cache-Control", "public, max-age=31536000, immutable")


class VersionedStatic(CachedForGood, MultiStaticFileHandler):
    """Voila's scripts (``/voila/static/``) under ``/voila/static/v-<version>/``."""


class VersionedLabextensions(CachedForGood, FileFindHandler):
    """The widgets' extensions (``/voila/labextensions/``) under ``/voila/labextensions/v-<version>/``."""


def versioned_page_config(static_version: str, labextensions_version: str):
    """Voila's ``page_config_hook``: the front end loads its scripts and extensions from the versioned
    addresses (``fullStaticUrl``, ``fullLabextensionsUrl``), and so do the pages' own ``<script>`` tags."""

    def hook(page_config: dict, base_url: str, **_: object) -> dict:
        return {**page_config,
                "fullStaticUrl": url_path_join(base_url, f"voila/static/v-{static_version}"),
                "fullLabextensionsUrl": url_path_join(base_url, f"voila/labextensions/v-{labextensions_version}")}

    return hook


def class_secret() -> bytes:
    """What the class signs its kernels' keys with: kept as the login's secret is, so a restarted server
    knows the kernels it started."""
    return hashlib.sha256(kept_secret() + b"class kernels").digest()


def kept_secret() -> bytes:
    """32 random bytes kept in Jupyter's runtime folder (readable by this user alone), made once."""
    path = Path(jupyter_runtime_dir()) / "batchnet_cookie_secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as file:
        file.write(os.urandom(32))
    return path.read_bytes()


main = ClassroomVoila.launch_instance

if __name__ == "__main__":
    # as the module voila.json names: run as __main__, this file would be a second copy of it, with classes
    # and context variables of its own
    import batchnet_core.serving

    batchnet_core.serving.main()
