"""The page's kernel keeps its own errors: they go to the server's log, never to the visitor."""

from __future__ import annotations

import logging


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
