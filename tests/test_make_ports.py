"""`make lab`, `make app` and `make serve` listen on the PORT they are given, or stop saying that it is taken and
how to choose another: never on another port."""

import contextlib
import socket
import subprocess

import psutil
import pytest

from conftest import ARTIFACTS, ROOT, make_server, stop


def listening_ports(process: psutil.Process) -> set[int]:
    """The TCP ports that ``process`` and everything under it listen on."""
    ports = set()
    for each in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            ports |= {c.laddr.port for c in each.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    return ports


def test_make_lab_listens_on_port_and_stops_with_all_it_started():
    with make_server("lab", name="lab-port", TOKEN="t", ready="api/status?token=t") as server:
        port = int(server.url.rstrip("/").rsplit(":", 1)[1])
        assert listening_ports(server.process) == {port}
        started = [server.process, *server.process.children(recursive=True)]
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive


@pytest.mark.parametrize("target", ["lab", "app", "serve"])
def test_a_taken_port_stops_the_command_saying_so_and_how_to_choose_another(target):
    """With PORT taken, the server must not quietly listen on the next port (port_retries), and the
    command says why it stopped in words a newcomer acts on, not Voila's "trying another port"."""
    ARTIFACTS.mkdir(exist_ok=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = ARTIFACTS / f"make-{target}-taken-{port}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(["make", "--no-print-directory", target, "HOST=127.0.0.1", f"PORT={port}",
                                        "TOKEN=t"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        try:
            returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            stop(process)
    output = log.read_text()
    assert returncode not in (None, 0), f"make {target} kept running with port {port} taken:\n{output[-3000:]}"
    assert f"Port {port} on 127.0.0.1 is taken" in output, output[-3000:]
    assert f"choose another port: make {target} PORT={port + 1} (or any other free one)" in output
    assert "trying another port" not in output and "no available port" not in output
    assert f":{port + 1}/" not in output
