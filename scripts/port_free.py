"""Stop a server's start, saying so, when its port is taken.

    python scripts/port_free.py HOST PORT COMMAND

``make app``, ``make serve`` and ``make lab`` run it first. Voila and JupyterLab, given a taken port,
log "trying another port" and then "no available port could be found" (``port_retries=0``), which does
not say what to do; this says the port is taken and how to choose another. It binds HOST:PORT as the
server will (every address HOST names, ``SO_REUSEADDR`` as Tornado sets it) and lets it go at once.
"""

from __future__ import annotations

import errno
import socket
import sys


def problem(host: str, port: int, command: str) -> str | None:
    """Why ``command`` (``make app``) cannot listen on ``host``:``port``, or ``None`` if it can.

    >>> with socket.socket() as taken:
    ...     taken.bind(("127.0.0.1", 0)); taken.listen()
    ...     port = taken.getsockname()[1]
    ...     print(problem("127.0.0.1", port, "make app").replace(str(port), "PORT"))
    Port PORT on 127.0.0.1 is taken: another server listens there (batchnet itself, started earlier?).
    Stop it, or choose another port: make app PORT=... (or any other free one)
    """
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"HOST={host} names no address this machine has ({error.strerror}): use 127.0.0.1 or 0.0.0.0"
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                s.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return (f"Port {port} on {host} is taken: another server listens there (batchnet itself, "
                            f"started earlier?).\nStop it, or choose another port: {command} PORT={port + 1} "
                            "(or any other free one)")
                if error.errno == errno.EACCES:
                    return (f"Port {port} on {host} needs more rights than this user has (ports below 1024 "
                            f"do).\nChoose another port: {command} PORT=8866")
                return f"Cannot listen on {host}, port {port}: {error.strerror}"
    return None


if __name__ == "__main__":
    host, port, command = sys.argv[1], sys.argv[2], sys.argv[3]
    if not port.isdigit() or not 0 < int(port) < 65536:
        sys.exit(f"PORT={port} is not a port: give a whole number from 1 to 65535, as in {command} PORT=8866")
    found = problem(host, int(port), command)
    if found:
        sys.exit(found)
