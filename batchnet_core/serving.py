"""What the Voila server does for a classroom, beyond Voila itself; ``make app`` and ``make serve`` run
``python -m batchnet_core.serving``, which is ``voila`` with these parts, configured in ``voila.json``.

- :class:`ClassroomKernelManager` admits a page only when it can be served: Voila's own query
  parameters must be valid (``theme`` light or dark, no ``template``), and no more than
  ``max_kernels`` kernels ever run; a visitor over the cap gets a polite HTTP 503 page.
- :class:`ClassroomIdentityProvider` gives every page the ``_xsrf`` cookie that Voila's shutdown
  beacon sends back, so a closed tab gives its kernel back at once with XSRF protection on
  (voila-dashboards/voila#1458).
- :class:`ClassroomVoila` is Voila's application with its ``tornado_settings`` in force, so pages
  travel compressed, and with the series' pages (:data:`batchnet_core.series.PAGES`) given to the
  template's welcome page (``tree.html``) as ``series``.

Imported by the Voila server only (tornado and jupyter_server), never by the core or the notebooks.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Int, default
from voila.app import Voila

from batchnet_core.series import PAGES

THEMES = ("light", "dark")
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


main = ClassroomVoila.launch_instance

if __name__ == "__main__":
    main()
