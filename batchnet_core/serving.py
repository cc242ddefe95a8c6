"""What the Voila server does for a classroom, beyond Voila itself; ``make app`` and ``make serve`` run
``python -m batchnet_core.serving``, which is ``voila`` with these parts, configured in ``voila.json``.

- :class:`ClassroomKernelManager` admits a page only when it can be served: Voila's own query
  parameters must be valid (``theme`` light or dark, no ``template``), and no more than
  ``max_kernels`` kernels ever run; a visitor over the cap gets a polite HTTP 503 page.
- :class:`ClassroomIdentityProvider` gives every page the ``_xsrf`` cookie that Voila's shutdown
  beacon sends back, so a closed tab gives its kernel back at once with XSRF protection on
  (voila-dashboards/voila#1458).
- :class:`ClassroomVoila` is Voila's application with its ``tornado_settings`` in force, so pages
  travel compressed, with the series' pages (:data:`batchnet_core.series.PAGES`) given to the
  template's welcome page (``tree.html``) as ``series``, and with a link too long for any page
  answered by a page that says so (HTTP 414), where tornado would close the connection unanswered.

Imported by the Voila server only (tornado and jupyter_server), never by the core or the notebooks.
"""

from __future__ import annotations

import functools
import os
from urllib.parse import parse_qs

from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import httputil, web
from tornado.routing import Matcher, Rule
from traitlets import Int, default
from voila.app import Voila
from voila.handler import BaseVoilaHandler

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
KERNEL_MEGABYTES = 150  # a page's kernel: 107 MB measured (docs/performance.md), with headroom
MEMORY_SHARE = 0.75  # of the machine's memory that kernels may take; the rest is the server's and the system's


def default_max_kernels(memory_bytes: int | None = None) -> int:
    """How many page kernels fit in this machine's memory (at least 2).

    >>> default_max_kernels(8 * 2**30)
    40
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(2, int(memory_bytes * MEMORY_SHARE / (KERNEL_MEGABYTES * 2**20)))


def check_voila_query(query: str) -> None:
    """Refuse a page address whose Voila parameters this server does not serve.

    Voila reads ``theme`` and ``template`` from every page's address; the lab template writes
    ``theme`` into the HTML unescaped, and a junk ``template`` hangs or fails the request. Only
    ``theme=light`` or ``theme=dark`` reach a page here.

    >>> check_voila_query("preset=one-input&theme=dark")
    >>> check_voila_query("theme=%22%3E%3Cscript%3E")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 400: theme must be light or dark (...)
    """
    parameters = parse_qs(query, keep_blank_values=True)
    for theme in parameters.get("theme", []):
        if theme not in THEMES:
            raise web.HTTPError(400, reason="theme must be light or dark (remove theme= from the address "
                                "or write theme=dark)")
    if "template" in parameters:
        raise web.HTTPError(400, reason="this server shows its pages in one template: remove template= "
                            "from the address")


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
        env = kwargs.get("env") or {}
        preheating = env.get("VOILA_PREHEAT") == "True"
        if not preheating:
            check_voila_query(env.get("QUERY_STRING", ""))
        if len(self) + self._starting >= self.max_kernels:
            self.log.warning("Refused a kernel: %d of %d running", len(self), self.max_kernels)
            raise web.HTTPError(503, reason="The class is full: try again in a minute")
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self._refill_pools()

    def _refill_pools(self) -> None:
        """A kernel was given back: preheat again the pools that the cap left short.

        A pool refill refused at the cap stays in Voila's pool as a failed task (the next visitor
        meets it as the 503 page); with room again, those are dropped and the pool refilled.
        """
        pools = getattr(self, "_pools", {})  # Voila's preheated pools, when preheating is on
        for notebook, pool in pools.items():
            failed = [task for task in pool if task.done() and (task.cancelled() or task.exception())]
            if failed:
                pool[:] = [task for task in pool if task not in failed]
                self.fill_if_needed(delay=0, notebook_name=notebook)


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
    """``voila``, with ``Voila.tornado_settings`` in force from the start, and the series' pages
    known to the template.

    Voila 0.5 applies ``tornado_settings`` after creating its tornado Application, when the
    Application has already chosen its output transforms: ``compress_response`` is then
    ignored and every page, script and style travels uncompressed (5 MB on a first visit).

    Voila renders its file list (``/`` and ``/voila/tree/...``) from the template's ``tree-lab.html``
    (``tree.html`` with ``?classic-tree=true``) through the Jinja environment ``voila_jinja2_env``;
    its global ``series`` lets the batchnet template show the welcome page instead of file names.
    """

    def init_settings(self) -> dict:
        settings = {**super().init_settings(), **self.tornado_settings}
        settings["voila_jinja2_env"].globals["series"] = PAGES
        return settings

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
        super().listen()


main = ClassroomVoila.launch_instance

if __name__ == "__main__":
    main()
