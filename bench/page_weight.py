"""What a first visit to the main page costs on school Wi-Fi: bytes on the wire, requests that leave
the server, and the time until the app is usable.

A first visit is a new Chromium context (empty cache) opening the main page of ``make serve`` (the
classroom command, with its preheated kernels; ``--serve app`` for ``make app``), with
the network emulated through Chromium's own network conditions (DevTools ``Network.emulateNetwork
Conditions``): by default 150 ms latency and 1.5 Mbit/s each way, a classroom's share of school
Wi-Fi. Measured:

- bytes on the wire: every byte the server sent to the browser (HTTP headers and bodies, websocket
  frames after permessage-deflate), counted by a TCP relay between the two; and, from Chromium,
  the encoded size of the HTTP responses and the websocket payloads after decompression;
- requests that leave the server (their hosts);
- time to usable: navigation start until every slider handle and every heat map is shown.

``--before`` serves the page as Voila does out of the box (its lab template, nothing compressed),
for the comparison in docs/performance.md. Run ``make bench-page`` or
``.venv/bin/python bench/page_weight.py [--runs N] [--latency MS] [--mbits MBIT/S] [--before]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, MAIN_PAGE, make_server, server_running  # noqa: E402
from slider_latency import BenchServer  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1500}
#: Usable: every slider handle and heat map on screen, every picture a heat map is or holds loaded (a
#: heat map drawn by the page has none), in the live app: its first picture has handles and heat maps too.
USABLE = """() => {
  if (document.querySelector('.bn-first-screen')) return false;
  const maps = [...document.querySelectorAll('.bn-heatmap')];
  const pictures = maps.flatMap(el => el.tagName === 'IMG' ? [el] : [...el.querySelectorAll('img')]);
  return document.querySelectorAll('.bn-control .noUi-handle').length === 35 && maps.length === 7
    && pictures.every(i => i.complete && i.naturalWidth > 0);
}"""


class CountingRelay:
    """A TCP relay on a free loopback port in front of the server, counting the bytes that reach
    the browser: what travels on the wire, compression and framing included."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.to_browser, self.to_server = target_port, 0, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self.lock:
            self.to_browser = self.to_server = 0

    def _accept(self) -> None:
        while True:
            try:
                browser, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(browser, server, "to_server"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, browser, "to_browser"), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counter: str) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                with self.lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


def first_visit(browser, url: str, relay: CountingRelay, latency_ms: float, mbits: float,
                timeout_ms: float = 300_000) -> dict:
    """One first visit under emulated network conditions; what it moved and how long it took."""
    relay.reset()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    throughput = mbits * 1e6 / 8  # bytes per second
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": throughput, "uploadThroughput": throughput})
    http_bytes: dict[str, float] = {}
    urls: dict[str, str] = {}
    websocket = {"received": 0, "sent": 0}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: http_bytes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.webSocketFrameReceived",
           lambda e: websocket.__setitem__("received", websocket["received"] + len(e["response"]["payloadData"])))
    cdp.on("Network.webSocketFrameSent",
           lambda e: websocket.__setitem__("sent", websocket["sent"] + len(e["response"]["payloadData"])))
    start = time.monotonic()
    page.goto(url, timeout=timeout_ms)
    page.wait_for_function(USABLE, timeout=timeout_ms, polling=100)
    usable = time.monotonic() - start
    page.wait_for_timeout(1000)  # late requests (fonts, icons) that do not block use still count
    server = urlsplit(url).netloc
    outside = sorted({urlsplit(u).netloc for u in urls.values()
                      if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != server})
    wire = relay.to_browser
    context.close()
    return {"usable_s": usable, "wire_bytes": wire, "http_bytes": sum(http_bytes.values()),
            "websocket_payload_bytes": websocket["received"], "websocket_sent_bytes": websocket["sent"],
            "requests": len(urls), "outside_hosts": outside}


def lab_as_shipped(port: int) -> list[str]:
    """Voila's out-of-the-box page: its lab template, and no compression (plain ``voila``)."""
    return [str(Path(sys.executable).with_name("voila")), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
            "--VoilaConfiguration.template=lab", "notebooks/"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=150, help="round-trip latency added, ms")
    parser.add_argument("--mbits", type=float, default=1.5, help="throughput each way, Mbit/s")
    parser.add_argument("--serve", choices=["serve", "app"], default="serve",
                        help="make serve (the classroom command, preheated kernels; default) or make app")
    parser.add_argument("--before", action="store_true", help="Voila's lab template, uncompressed")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    server = (server_running(lab_as_shipped, "bench-page-before") if args.before
              else make_server(args.serve, name=f"bench-page-{args.serve}"))
    with server as running, sync_playwright() as playwright:
        relay = CountingRelay(urlsplit(running.url).port)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            visits = []
            for run in range(args.runs):
                if args.serve == "serve" and not args.before:
                    # as when a class arrives: the pool full and every kernel at rest
                    pool = BenchServer(running.url, running.process, running.log)
                    pool.wait_for_pool("02_batch_of_three.ipynb", fills=run + 1)
                url = f"http://127.0.0.1:{relay.port}/{MAIN_PAGE}"
                visits.append(first_visit(browser, url, relay, args.latency, args.mbits))
                print(f"visit {run + 1}: {json.dumps(visits[-1])}", file=sys.stderr, flush=True)
        finally:
            browser.close()
            relay.close()
    summary = {
        "setup": "Voila lab template, uncompressed" if args.before else f"make {args.serve}",
        "network": f"{args.latency:g} ms latency, {args.mbits:g} Mbit/s each way",
        "runs": args.runs,
        "usable_s_median": statistics.median(v["usable_s"] for v in visits),
        "wire_mb_median": statistics.median(v["wire_bytes"] / 1e6 for v in visits),
        "http_encoded_mb_median": statistics.median(v["http_bytes"] / 1e6 for v in visits),
        "websocket_payload_mb_median": statistics.median(v["websocket_payload_bytes"] / 1e6 for v in visits),
        "outside_hosts": sorted({host for v in visits for host in v["outside_hosts"]}),
    }
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "visits": visits}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
