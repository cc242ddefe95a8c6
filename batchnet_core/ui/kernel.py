"""The page's kernel: its own errors go to the server's log, never to the visitor; a preheated
kernel waits for its visitor's address."""

from __future__ import annotations

import json
import logging
import os


def keep_comm_errors_on_the_server() -> None:
    """Send ipykernel's comm errors to the kernel's own log instead of to the page.

    A websocket ``comm_open`` for an unknown target (or a malformed widget) makes ipykernel log
    an error with its traceback on the ``ipykernel.comm`` logger. That logger has no handler, so
    Python's last-resort handler writes it to ``sys.stderr``, which the kernel forwards to the
    page: server paths and code reach the visitor. The kernel application's own log handlers
    write to the process's real stderr, the server's log.
    """
    from ipykernel.kernelapp import IPKernelApp

    if not IPKernelApp.initialized():
        return  # not inside a kernel (plain Python, tests)
    comm_log = logging.getLogger("ipykernel.comm")
    comm_log.handlers = list(IPKernelApp.instance().log.handlers)
    comm_log.propagate = False


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
