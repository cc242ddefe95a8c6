"""A preheated kernel waits for its visitor's address over Voila's query websocket, without
loading Voila itself (47 MB a kernel). The whole path, with a real Voila, is tested in
test_classroom.py (late students) and test_serve.py."""

import json
import os
import subprocess
import sys
import threading

from websockets.sync.server import serve

from conftest import free_port

WAIT = """
import json, os, sys
from batchnet_core.ui.kernel import page_query
query = page_query()
print(json.dumps({"query": query, "path": os.environ.get("PATH_INFO"),
                  "voila loaded": any(name.split(".")[0] == "voila" for name in sys.modules)}))
"""


def run_kernel_side(environment: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", WAIT], env={**os.environ, **environment}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_preheated_kernel_gets_its_visitors_query_from_voilas_query_socket():
    port, asked = free_port(), []

    def answer(socket):
        asked.append(socket.request.path)
        socket.send(json.dumps({"QUERY_STRING": "preset=one-input&theme=dark", "PATH_INFO": "/voila/render/x"}))

    with serve(answer, "127.0.0.1", port) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        seen = run_kernel_side({"VOILA_PREHEAT": "True", "VOILA_APP_IP": "127.0.0.1", "VOILA_APP_PORT": str(port),
                                "VOILA_SERVER_URL": "/base/", "VOILA_KERNEL_ID": "k-1", "QUERY_STRING": ""})
        server.shutdown()
    assert asked == ["/base/voila/query/k-1"]
    assert seen == {"query": "preset=one-input&theme=dark", "path": "/voila/render/x", "voila loaded": False}


def test_without_voila_to_ask_the_page_opens_on_the_worked_example():
    seen = run_kernel_side({"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(free_port()), "VOILA_KERNEL_ID": "k"})
    assert seen["query"] == ""


def test_a_kernel_started_for_its_visitor_reads_the_query_from_its_environment():
    seen = run_kernel_side({"VOILA_PREHEAT": "False", "QUERY_STRING": "seed=3"})
    assert seen["query"] == "seed=3" and not seen["voila loaded"]
