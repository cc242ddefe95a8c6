"""The first screen as a learner meets it: Lighthouse's mobile score, and a first and a second visit on school
Wi-Fi, for pages 02 and 06 under ``make serve`` (its preheated pool filled with the page, every kernel at rest).

- Lighthouse 12, its default mobile preset (a phone's screen, simulated slow 4G and a 4× slower CPU):
  performance and accessibility scores, largest contentful paint, cumulative layout shift, total blocking
  time, first contentful paint, speed index; the median of ``--runs``.
- A first visit (empty cache) and a second (the same browser, its cache kept) on emulated school Wi-Fi
  (Chromium's network emulation, 150 ms and 1.5 Mbit/s each way): when the lesson is readable (the page's
  largest paint of its first screen, as the browser reports it), when it is usable (every slider and heat map
  of the live app shown), and the bytes of HTTP that came over the network (the kernel's websocket apart).

Lighthouse comes from npm into ``.venv/node`` (``make bench-first-screen`` installs it) and drives the same
Chromium as the tests. TensorFlow Playground is not measured beside it: its build needs its repository, which
this machine cannot fetch. Run ``make bench-first-screen`` or
``.venv/bin/python bench/first_screen.py [--runs N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from conftest import CHROMIUM, CHROMIUM_ARGS, HEAT_MAPS_DRAWN, LIVE, make_server, render  # noqa: E402
from slider_latency import BenchServer, machine_facts  # noqa: E402

PAGES = {"02_batch_of_three": 35, "06_train_the_batch": 41}  # and the sliders each shows
POOL = 2  # preheated kernels of the page measured
LIGHTHOUSE = ROOT / ".venv/node/node_modules/.bin/lighthouse"
#: The issue's targets.
TARGETS = {"performance": 0.8, "lcp_s": 2.5, "cls": 0.1, "accessibility": 1.0, "readable_s": 3.0, "usable_s": 8.0,
           "first_mb": 1.2, "second_kb": 100.0}
#: (An init script) The page's largest paint so far, as the browser reports it for LCP.
RECORD_PAINT = """(() => {
  window.__largestPaint = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__largestPaint = e.startTime; })
    .observe({type: 'largest-contentful-paint', buffered: true});
})()"""


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (mobile preset) of ``url``; its scores and metrics."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                    "--only-categories=performance,accessibility", f"--chrome-flags={flags}"],
                   check=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, timeout=300)
    report = json.loads(out.read_text())
    audit = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "lcp_s": audit["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audit["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audit["total-blocking-time"]["numericValue"],
        "fcp_s": audit["first-contentful-paint"]["numericValue"] / 1000,
        "speed_index_s": audit["speed-index"]["numericValue"] / 1000,
        "lcp_element": audit.get("largest-contentful-paint-element", {}).get("details", {}).get("items", [{}])[0]
        .get("items", [{}])[0].get("node", {}).get("snippet", "")[:120],
    }


def wifi_visits(browser, url: str, sliders: int, latency_ms: float = 150, mbits: float = 1.5) -> dict:
    """A first visit and a second, in one browser context, on emulated school Wi-Fi."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(RECORD_PAINT)
    visits = []
    try:
        for _ in range(2):
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            throughput = mbits * 1e6 / 8
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                          "downloadThroughput": throughput,
                                                          "uploadThroughput": throughput})
            received: dict[str, int] = {}
            cdp.on("Network.loadingFinished",
                   lambda e, received=received: received.__setitem__(e["requestId"], e["encodedDataLength"]))
            start = time.monotonic()
            page.goto(url, timeout=300_000)
            page.wait_for_function(LIVE, timeout=300_000, polling=100)
            page.wait_for_function(f"() => document.querySelectorAll('.bn-control .noUi-handle').length === {sliders}"
                                   f" && {HEAT_MAPS_DRAWN}", timeout=300_000, polling=100)
            usable = time.monotonic() - start
            readable = page.evaluate("() => window.__largestPaint") / 1000
            page.close(run_before_unload=True)
            visits.append({"readable_s": readable, "usable_s": usable, "http_kb": sum(received.values()) / 1000})
    finally:
        context.close()
    first, second = visits
    return {"first": first, "second": second}


def serve(notebook: str, name: str, class_data: str):
    """``make serve`` with a pool of the page's preheated kernels."""
    return make_server("serve", name=f"bench-first-screen-{notebook}-{name}", PREHEAT=f"{notebook}.ipynb", POOL=POOL,
                       CLASS_DATA=class_data)


def at_rest(server: BenchServer, timeout: float = 180) -> None:
    """As when a class arrives: the pool full (every visitor's kernel given back), every kernel at rest."""
    deadline = time.monotonic() + timeout
    while len(server.kernels()) != POOL:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(server.kernels())} kernels, not the pool's {POOL}, after {timeout} s")
        time.sleep(0.2)
    server.wait_quiet(server.kernels(), idle=False, timeout=timeout)


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    results: dict = {"machine": machine_facts(""), "runs": args.runs, "pages": {}}
    with tempfile.TemporaryDirectory(prefix="bench-first-screen-") as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        results["machine"]["chromium"] = browser.version
        for notebook, sliders in PAGES.items():
            marks, visits = [], []
            for run in range(args.runs):  # a server each: Lighthouse's browser leaves without giving its kernel back
                with serve(notebook, f"lighthouse-{run}", scratch) as running:
                    at_rest(BenchServer(running.url, running.process, running.log))
                    marks.append(lighthouse(render(running.url, notebook), Path(scratch) / f"{notebook}-{run}.json"))
                print(f"{notebook} lighthouse {run + 1}: {json.dumps(marks[-1])}", file=sys.stderr, flush=True)
            with serve(notebook, "wifi", scratch) as running:
                for run in range(args.runs):
                    at_rest(BenchServer(running.url, running.process, running.log))
                    visits.append(wifi_visits(browser, render(running.url, notebook), sliders))
                    print(f"{notebook} wifi {run + 1}: {json.dumps(visits[-1])}", file=sys.stderr, flush=True)
            results["pages"][notebook] = {
                "lighthouse": {key: median_of(marks, key) for key in marks[0] if key != "lcp_element"},
                "lcp_elements": sorted({m["lcp_element"] for m in marks}),
                "first_visit": {key: median_of([v["first"] for v in visits], key) for key in visits[0]["first"]},
                "second_visit": {key: median_of([v["second"] for v in visits], key) for key in visits[0]["second"]},
            }
        browser.close()
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def report(results: dict) -> str:
    """The figures as a Markdown table, each against its target."""
    rows = ["| Page | Measure | Figure | Target | Met |", "| --- | --- | --- | --- | --- |"]
    for notebook, page in results["pages"].items():
        mark, first, second = page["lighthouse"], page["first_visit"], page["second_visit"]
        for name, figure, target, met in [
            ("Lighthouse performance (mobile)", f"{mark['performance']:.2f}", "≥ 0.8",
             mark["performance"] >= TARGETS["performance"]),
            ("…largest contentful paint", f"{mark['lcp_s']:.1f} s", "≤ 2.5 s", mark["lcp_s"] <= TARGETS["lcp_s"]),
            ("…cumulative layout shift", f"{mark['cls']:.3f}", "≤ 0.1", mark["cls"] <= TARGETS["cls"]),
            ("…total blocking time", f"{mark['tbt_ms']:.0f} ms", "—", None),
            ("…first contentful paint / speed index", f"{mark['fcp_s']:.1f} s / {mark['speed_index_s']:.1f} s", "—",
             None),
            ("Lighthouse accessibility", f"{mark['accessibility']:.2f}", "1.00",
             mark["accessibility"] >= TARGETS["accessibility"]),
            ("First visit on Wi-Fi: lesson readable (largest paint)", f"{first['readable_s']:.1f} s", "≤ 3 s",
             first["readable_s"] <= TARGETS["readable_s"]),
            ("…usable (live app shown)", f"{first['usable_s']:.1f} s", "≤ 8 s",
             first["usable_s"] <= TARGETS["usable_s"]),
            ("…HTTP bytes", f"{first['http_kb'] / 1000:.2f} MB", "≤ 1.2 MB",
             first["http_kb"] / 1000 <= TARGETS["first_mb"]),
            ("Second visit on Wi-Fi: HTTP bytes", f"{second['http_kb']:.0f} kB", "< 100 kB",
             second["http_kb"] < TARGETS["second_kb"]),
            ("…lesson readable / usable", f"{second['readable_s']:.1f} s / {second['usable_s']:.1f} s", "—", None),
        ]:
            rows.append(f"| {notebook} | {name} | {figure} | {target} | "
                        f"{'—' if met is None else 'yes' if met else 'NO'} |")
    machine = results["machine"]
    return "\n".join([f"Machine: {machine['cpu']}, {machine['cores']} cores, Chromium {machine['chromium']}, "
                      f"commit {machine['commit']}; median of {results['runs']} runs.", "", *rows])


if __name__ == "__main__":
    sys.exit(main())
