"""Which of Voila's front end a page runs: Chromium's JavaScript coverage of pages 02 and 06 under ``make serve``,
from the request until the live app is usable, script by script.

The first screen itself needs none of it: the lesson and each app's picture are in the HTML the server sends, drawn
by ``batchnet.js`` and the drawing code the kernel sends inline (``tests/test_browser_first_screen.py`` shows them
with ``voila.js`` blocked). What this measures is the rest: of each script the browser fetched, the bytes of the
functions that ran (V8's block coverage; a script counts as run where any of its code did), and so how much of the
front end a leaner build could leave out or defer. Bytes are of the scripts as the browser has them (uncompressed).

Run ``make bench-coverage`` or ``.venv/bin/python bench/front_end_coverage.py [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from first_screen import PAGES, at_rest, serve  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, HEAT_MAPS_DRAWN, LIVE, render  # noqa: E402
from slider_latency import BenchServer, machine_facts  # noqa: E402

#: A script's address without its server, version directory and query: what names it from one run to the next.
_VERSIONED = re.compile(r"^https?://[^/]+|/v-[0-9a-f]+(?=/)|\?.*$")


def used_bytes(entry: dict) -> int:
    """The bytes of a script's source that ran: V8 gives each function's ranges, outermost first, each with its
    count; painting them from the outermost in, an inner range not run clears what its function marked."""
    ran = np.zeros(len(entry["source"]), dtype=bool)
    ranges = [r for function in entry["functions"] for r in function["ranges"]]
    for r in sorted(ranges, key=lambda r: (r["startOffset"], -r["endOffset"])):
        ran[r["startOffset"]:r["endOffset"]] = r["count"] > 0
    return int(ran.sum())


def group(name: str) -> str:
    """Who a script belongs to: batchnet's page script, Voila's own bundle (its lab template's styles too), a widget
    extension, the page's inline scripts (the drawing code), a widget's own module (anywidget imports it from a
    blob), or code the page evaluated; by its name (its address without server, version and query)."""
    if name.endswith("/batchnet.js"):
        return "batchnet.js"
    if "/labextensions/" in name:
        return name.split("/labextensions/", 1)[1].split("/static/", 1)[0]
    if "/voila/static/" in name or "/voila/templates/" in name:
        return "voila"
    if "/voila/render/" in name:
        return "the page's inline scripts"
    if name.startswith("blob:"):
        return "widget modules (anywidget)"
    return "evaluated" if not name else "other"


def covered(browser, url: str, sliders: int) -> list[dict]:
    """Each script a first visit runs until the live app is usable: its name, bytes, and bytes run."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)  # Python's Playwright has no coverage API: Chromium's own protocol
        cdp.send("Debugger.enable")
        cdp.send("Profiler.enable")
        cdp.send("Profiler.startPreciseCoverage", {"callCount": False, "detailed": True})
        page.goto(url, timeout=300_000)
        # waited for through the protocol: Playwright's own waiting would add its injected script (0.35 MB) to the page
        usable = (f"({LIVE})() && document.querySelectorAll('.bn-control .noUi-handle').length === {sliders} "
                  f"&& {HEAT_MAPS_DRAWN}")
        deadline = time.monotonic() + 300
        while not cdp.send("Runtime.evaluate", {"expression": usable, "returnByValue": True})["result"].get("value"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not usable after 300 s")
            time.sleep(0.1)
        entries = cdp.send("Profiler.takePreciseCoverage")["result"]
        for entry in entries:
            entry["source"] = cdp.send("Debugger.getScriptSource", {"scriptId": entry["scriptId"]})["scriptSource"]
        page.close(run_before_unload=True)
    finally:
        context.close()
    scripts: dict[str, dict] = {}
    for entry in entries:
        if entry["url"] and not entry["url"].startswith(("http", "blob:")):
            continue  # the browser's own (extensions, Playwright's helpers)
        name = _VERSIONED.sub("", entry["url"]) if entry["url"].startswith("http") else entry["url"]
        script = scripts.setdefault(name or "(evaluated)",
                                    {"script": name or "(evaluated)", "group": group(name), "bytes": 0, "run": 0})
        if not entry["url"]:  # what it is, for a reader: its first characters
            script.setdefault("begins", entry["source"][:160])
        script["bytes"] += len(entry["source"])
        script["run"] += used_bytes(entry)
    return sorted(scripts.values(), key=lambda s: -s["bytes"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    results: dict = {"machine": machine_facts(""), "pages": {}}
    with tempfile.TemporaryDirectory(prefix="bench-coverage-") as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        results["machine"]["chromium"] = browser.version
        for notebook, sliders in PAGES.items():
            with serve(notebook, "coverage", scratch) as running:
                at_rest(BenchServer(running.url, running.process, running.log))
                results["pages"][notebook] = covered(browser, render(running.url, notebook), sliders)
        browser.close()
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def report(results: dict) -> str:
    """Per page: each group's bytes and the share run, then the ten largest scripts."""
    machine = results["machine"]
    out = [f"Machine: {machine['cpu']}, {machine['cores']} cores, Chromium {machine['chromium']}, "
           f"commit {machine['commit']}.", ""]
    for notebook, scripts in results["pages"].items():
        total, run = sum(s["bytes"] for s in scripts), sum(s["run"] for s in scripts)
        out += [f"### {notebook}: {len(scripts)} scripts, {total / 1e6:.2f} MB, {run / 1e6:.2f} MB run "
                f"({100 * run / total:.0f} %)", "",
                "| Group | Scripts | KB | KB run | Run |", "| --- | --- | --- | --- | --- |"]
        groups: dict[str, list[dict]] = {}
        for script in scripts:
            groups.setdefault(script["group"], []).append(script)
        for name, members in sorted(groups.items(), key=lambda g: -sum(s["bytes"] for s in g[1])):
            size, ran = sum(s["bytes"] for s in members), sum(s["run"] for s in members)
            out.append(f"| {name} | {len(members)} | {size / 1e3:.0f} | {ran / 1e3:.0f} | {100 * ran / size:.0f} % |")
        out += ["", "| Largest scripts | KB | Run |", "| --- | --- | --- |"]
        for script in scripts[:10]:
            out.append(f"| `{script['script']}` | {script['bytes'] / 1e3:.0f} | "
                       f"{100 * script['run'] / max(script['bytes'], 1):.0f} % |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
