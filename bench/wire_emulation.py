"""What Chromium's network emulation charges a WebSocket message for: its bytes before or after deflate.

``slider_latency.py`` times the slider on emulated school Wi-Fi (``Network.emulateNetworkConditions``),
and a page's kernel messages travel over a WebSocket that ``voila.json`` compresses (permessage-deflate).
This serves one compressed WebSocket on 127.0.0.1 and, under the same emulation, times messages of the
same length that deflate to almost nothing (one letter repeated) and hardly at all (random letters). Equal
times mean the emulation throttles the inflated message, whatever travels on a real link.

Run: ``.venv/bin/python bench/wire_emulation.py [--json PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import threading
import zlib
from pathlib import Path

import tornado.web
import tornado.websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

#: School Wi-Fi as slider_latency.py emulates it: added latency, and a throughput each way in bytes a second.
WIFI = {"offline": False, "latency": 150, "downloadThroughput": 1.5e6 / 8, "uploadThroughput": 1.5e6 / 8}
SIZES = (500, 5_000, 20_000)
KINDS = ("repeated", "random")


def body(kind: str, size: int) -> str:
    if kind == "repeated":
        return "a" * size
    return base64.b64encode(os.urandom(size)).decode()[:size]


def deflated(text: str) -> int:
    """Its size deflated as permessage-deflate sends it (raw deflate, the final empty block dropped), worked out
    here with zlib at Voila's level: what the server sends, not read off the wire."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return len(compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)) - 4


class Sender(tornado.websocket.WebSocketHandler):
    """Answers "<kind> <size>" with such a message, compressed as Voila's kernel sockets are."""

    def get_compression_options(self) -> dict:
        return {"compression_level": 1}

    def on_message(self, message: str) -> None:
        kind, size = message.split()
        self.write_message(body(kind, int(size)))


class Blank(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("<!doctype html><title>wire</title>")


def serve(port: int) -> None:
    """The server, on a thread of its own, for as long as the process runs."""
    ready = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        tornado.web.Application([(r"/ws", Sender), (r"/", Blank)], log_function=lambda handler: None).listen(
            port, "127.0.0.1")
        loop.call_soon(ready.set)
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)


#: In the page: each message asked for and timed until it has arrived, one at a time.
TIMES = """async ([url, kind, size, count]) => {
  const socket = new WebSocket(url);
  await new Promise((opened) => { socket.onopen = opened; });
  const times = [];
  for (let i = 0; i < count; i++) {
    const arrived = new Promise((got) => { socket.onmessage = (event) => got(event.data.length); });
    const start = performance.now();
    socket.send(`${kind} ${size}`);
    if (await arrived !== size) throw new Error('a message of the wrong length');
    times.push(performance.now() - start);
  }
  socket.close();
  return times;
}"""


def measure(count: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    serve(port)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", WIFI)
        extensions = []  # what each socket's handshake agreed on: the messages are deflated on the wire
        cdp.on("Network.webSocketHandshakeResponseReceived", lambda event: extensions.append(
            {k.lower(): v for k, v in event["response"]["headers"].items()}.get("sec-websocket-extensions", "")))
        for size in SIZES:
            for kind in KINDS:
                times = page.evaluate(TIMES, [f"ws://127.0.0.1:{port}/ws", kind, size, count + 1])[1:]
                agreed = extensions[-1] if extensions else "no handshake seen"
                if "permessage-deflate" not in agreed:
                    raise SystemExit(f"the socket was not compressed: {agreed!r}")
                rows.append({"kind": kind, "bytes": size, "deflated": deflated(body(kind, size)),
                             "median_ms": round(statistics.median(times), 1), "samples_ms": times,
                             "extension": agreed})
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=7, help="messages timed of each kind and size")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rows = measure(args.count)
    print("| message | bytes | deflated | median on emulated Wi-Fi |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['kind']} | {row['bytes']:,} | {row['deflated']:,} | {row['median_ms']} ms |")
    print(f"\nEvery socket agreed on {rows[0]['extension']}.")
    if args.json:
        args.json.write_text(json.dumps({"emulation": WIFI, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
