"""How fast the app follows a slider, how fast it opens and how much memory its kernel holds.

Everything is measured against a bare ipywidgets page (``bench/bare_slider.ipynb``: one slider
whose every change the kernel echoes into one HTML widget), served by the same Voila with the
same configuration, in the same headless Chromium, in the same run:

1. Slider latency: from the keydown of an arrow key on a slider handle until the page shows the
   new state (every result table equals ``batchnet_core.nn.forward`` of it, every heat map whose
   matrix changed has a new image, every heat map image has finished loading). Timed inside the
   page with ``performance.now()``: a capturing keydown listener starts the clock, a
   MutationObserver and a capturing ``load`` listener stop it, so Playwright's round trips are
   not counted. The two pages take turns, change by change, each in a Chromium of its own, so
   both meet the machine in the same moments. Alongside: when the server's messages arrived,
   and the CPU time per change of the kernel, the Voila server and Chromium, to show where the
   time goes.
2. Cold start: navigation start until every slider handle and heat map is visible (and loaded),
   in a new browser context each time; without and with Voila's preheated kernels.
3. Kernel memory: RSS of the page's ipykernel process (a child of the Voila server).
4. Kernel-side time per change, in this process without a browser (``--profile``: where it goes).

Every page's kernel is shut down when its page is done with, so loads do not pile up kernels.

Run from anywhere: ``make bench`` or ``.venv/bin/python bench/slider_latency.py [--json PATH]``.
The environment is passed on unchanged to Voila and its kernels (OPENBLAS_CORETYPE included:
it is reported, never set).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import ctypes
import dataclasses
import json
import os
import platform
import pstats
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import batchnet_core as bn  # noqa: E402
from batchnet_core.nn.numbers import format_number  # noqa: E402
from batchnet_core.notation import panels  # noqa: E402
from batchnet_core.ui.controls import entry_label  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, MAIN_PAGE, Server, make_server, open_app  # noqa: E402

#: Entries moved in turn, each one step right and back, so values go back and forth.
ENTRIES = (("W1", 0, 0), ("X", 2, 0), ("b1", 1, 0), ("W2", 1, 2))
WARMUP = 5
#: Between two key presses, once the page shows everything: a person's pace, and time for
#: the kernel's last messages and idle status to arrive.
PAUSE = 0.25
VIEWPORT = {"width": 1400, "height": 1500}
CHANGE_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 120_000
#: The renderer main thread's counters reported per change: all its tasks, then parts of them.
MAIN_THREAD = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
#: Sent as both cookie and header (double submit) to the kernels API.
XSRF = "b3ec4a11"


def say(message: str) -> None:
    """Progress goes to stderr; the report goes to stdout."""
    print(message, file=sys.stderr, flush=True)


# -- the pages under test ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subject:
    """A page under test: which Voila root serves it, and what "on screen" means for it."""

    label: str
    root: str
    path: str
    handles: str
    handle_count: int
    images: str | None = None
    image_count: int = 0


#: The heat maps are found by their class (``bn-heatmap``), whatever draws them: a picture or a drawing.
OURS = Subject("batchnet", "notebooks", MAIN_PAGE, ".bn-control .noUi-handle", 35, ".bn-heatmap", 7)
#: Page 06: the worksheet, and under it the targets (6 sliders), the loss, δ and dW | db (6 more heat maps).
TRAINING = Subject("training", "notebooks", "voila/render/06_train_the_batch.ipynb", ".bn-control .noUi-handle", 41,
                   ".bn-heatmap", 13)
#: Page 06's targets, the worked example's.
TARGETS = [[1, 0, 1], [2, 2, 2]]
BARE = Subject("bare", "bench", "voila/render/bare_slider.ipynb", ".bare-slider .noUi-handle", 1)


@dataclasses.dataclass(frozen=True)
class Change:
    """One key press and what the page must show afterwards."""

    handle: str
    key: str
    values: list[tuple[str, str, object]]  # (selector, data-* key, expected JSON value)
    changed_images: list[str] = dataclasses.field(default_factory=list)
    images: str | None = None
    status: str | None = None  # the app's last message for this change

    def probe(self) -> dict:
        return {"values": self.values, "changed": self.changed_images, "images": self.images,
                "timeout": CHANGE_TIMEOUT_MS}


def _entry(state: bn.State, name: str, row: int, col: int) -> float:
    array = getattr(state, name)
    return float(array[row, col] if array.ndim == 2 else array[row])


def _panels(state: bn.State) -> dict[str, np.ndarray]:
    """The matrix behind each heat map, by the suffix of its ``img.bn-heatmap-*`` class."""
    matrices = {**dict(state.items()), **dict(bn.forward(state).items())}
    return {panel.key.replace("|", ""): panel.draw(matrices) for panel in panels(state.sizes)}


def batchnet_changes(count: int, training: bool = False) -> Iterator[Change]:
    """Each entry of ENTRIES one step right then back left, in turn, from the worked example; ``training``:
    on page 06, whose every δ, dW and db table must show the new state's gradients too."""
    state = bn.preset("three-inputs")
    for i in range(count):
        name, row, col = ENTRIES[(i // 2) % len(ENTRIES)]
        step, key = (1.0, "ArrowRight") if i % 2 == 0 else (-1.0, "ArrowLeft")
        value = _entry(state, name, row, col) + step
        new = state.with_entry(name, row, col, value)
        before, after = _panels(state), _panels(new)
        values = [(f".bn-values-{r}", "values", after[r].tolist()) for r in bn.result_names(state.depth)]
        if training:
            g = bn.backward(new, TARGETS)
            for k, ((dW, db), delta) in enumerate(zip(g.layers, g.deltas), start=1):
                values += [(f".bn-values-dW{k}", "values", dW.tolist()),
                           (f".bn-values-db{k}", "values", db.reshape(-1, 1).tolist()),  # drawn as a column
                           (f".bn-values-delta{k}", "values", delta.tolist())]
        yield Change(
            handle=f".bn-{name}-{row}-{col} .noUi-handle", key=key, values=values,
            changed_images=[f".bn-heatmap-{p}" for p in after if not np.array_equal(before[p], after[p])],
            images=OURS.images, status=f"{entry_label(name, row, col)} = {format_number(value)}",
        )
        state = new


def bare_changes(count: int) -> Iterator[Change]:
    """The bare slider one step right and back, over and over."""
    value = 0.0
    for i in range(count):
        step, key = (1.0, "ArrowRight") if i % 2 == 0 else (-1.0, "ArrowLeft")
        value += step
        yield Change(handle=BARE.handles, key=key, values=[(".bare-out", "v", value)])


# -- in-page timing ----------------------------------------------------------------------------

#: Installed before the page's scripts: notes when each WebSocket message arrives (before the
#: page's own handlers see it) and its size, in ``window.__benchFrames``.
FRAME_LOG = """
(() => {
  const frames = window.__benchFrames = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({data}) =>
        frames.push([performance.now(), data.byteLength ?? data.length ?? data.size ?? 0]));
    }
  };
})();
"""

#: Arms a watcher: a capturing keydown listener notes the press; every DOM mutation and every
#: image load re-checks the expected state. ``window.__benchChange`` resolves with ms after the
#: press: until the page showed it all (update), until the first message from the server
#: arrived and until the last one before the update arrived, and the bytes of those messages.
#: A heat map whose matrix changed counts as redrawn once it was replaced or anything in or under
#: it changed (an image's ``src``, a drawing's text or shapes), after the press; a heat map that is
#: or holds an image must also have loaded it. So the same probe times pictures and drawings.
ARM_PROBE = """
({values, changed, images, timeout}) => {
  const near = (want, got) => Array.isArray(want)
    ? Array.isArray(got) && want.length === got.length && want.every((w, i) => near(w, got[i]))
    : typeof got === 'number' && Math.abs(want - got) <= 1e-9 * Math.max(1, Math.abs(want));
  const read = (selector, key) => {
    const el = document.querySelector(selector);
    try { return JSON.parse(el.dataset[key]); } catch (e) { return undefined; }
  };
  const before = Object.fromEntries(changed.map(s => [s, document.querySelector(s)]));
  const redrawn = new Set();
  const loaded = img => img.complete && img.naturalWidth > 0;
  const pictures = () => (images ? [...document.querySelectorAll(images)] : [])
    .flatMap(el => el.tagName === 'IMG' ? [el] : [...el.querySelectorAll('img')]);
  const left = () => [
    ...values.filter(([s, key, want]) => !near(want, read(s, key))).map(([s]) => s),
    ...changed.filter(s => !redrawn.has(s) && document.querySelector(s) === before[s]).map(s => s + ' (not redrawn)'),
    ...pictures().filter(img => !loaded(img)).map(img => img.className + ' (loading)'),
  ];
  const note = records => {
    if (pressed === null) return;
    for (const s of changed) {
      const el = document.querySelector(s);
      if (el && records.some(r => el === r.target || el.contains(r.target))) redrawn.add(s);
    }
  };
  const frames = window.__benchFrames;
  frames.length = 0;
  let pressed = null;
  document.addEventListener('keydown', () => { pressed = performance.now(); }, {capture: true, once: true});
  window.__benchChange = new Promise((resolve, reject) => {
    let observer, timer;
    const check = () => {
      if (pressed === null || left().length > 0) return;
      const now = performance.now();
      stop();
      const got = frames.filter(([t]) => t >= pressed && t <= now);
      resolve({update: now - pressed, first: got[0][0] - pressed, last: got.at(-1)[0] - pressed,
               bytes: got.reduce((sum, [, size]) => sum + size, 0)});
    };
    const stop = () => {
      observer.disconnect();
      document.removeEventListener('load', check, true);
      clearTimeout(timer);
    };
    observer = new MutationObserver(records => { note(records); check(); });
    observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    document.addEventListener('load', check, true);
    timer = setTimeout(() => { stop(); reject(new Error(`not shown after ${timeout} ms: ${left().join(', ')}`)); },
                       timeout);
  });
  window.__benchChange.catch(() => {});
}
"""

#: ms since navigation start once every handle and image of the live app is on screen (ready), and when the
#: page's HTML had fully arrived (html: Voila streams it while the kernel runs the notebook). The app's first
#: picture has disabled handles of its own, shown before the HTML has all arrived: not the app, and not counted.
ON_SCREEN = """
([handles, handleCount, images, imageCount]) => {
  const shown = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    && el.getBoundingClientRect().width > 0;
  if (document.querySelector('.bn-first-screen')) return false;
  const h = [...document.querySelectorAll(handles)];
  const i = images ? [...document.querySelectorAll(images)] : [];
  const loaded = img => img.complete && img.naturalWidth > 0;
  return h.length === handleCount && i.length === imageCount && h.every(shown)
    && i.every(el => shown(el) && (el.tagName === 'IMG' ? loaded(el) : [...el.querySelectorAll('img')].every(loaded)))
    && {ready: performance.now(), html: performance.getEntriesByType('navigation')[0].responseEnd};
}
"""

KERNEL_ID = "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"


def time_change(page, change: Change) -> dict[str, float]:
    """Press the key with the watcher armed; what ``ARM_PROBE`` measured."""
    page.evaluate(ARM_PROBE, change.probe())
    page.keyboard.press(change.key)
    return page.evaluate("() => window.__benchChange")


class SliderTimer:
    """Times one page's slider changes one at a time (the page must have FRAME_LOG)."""

    def __init__(self, page, changes: Iterator[Change]) -> None:
        self.page, self.changes = page, changes
        self.focused: str | None = None
        self.measured: list[dict[str, float]] = []

    def next_change(self) -> None:
        change = next(self.changes)
        if change.handle != self.focused:
            self.page.focus(change.handle)
            self.focused = change.handle
        self.measured.append(time_change(self.page, change))
        if change.status:
            self.page.wait_for_function("text => document.querySelector('.bn-status').innerText === text",
                                        arg=change.status, timeout=CHANGE_TIMEOUT_MS)

    def times(self) -> dict[str, list[float]]:
        """Every measure, the first WARMUP changes dropped."""
        return {key: [m[key] for m in self.measured[WARMUP:]] for key in self.measured[0]}


# -- the conditions a page is timed under ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Condition:
    """What the page's network and CPU are made to be, through Chromium's DevTools protocol, once the
    page has loaded: added latency and a throughput each way (``Network.emulateNetworkConditions``),
    and a CPU slowed down ``cpu_slowdown`` times (``Emulation.setCPUThrottlingRate``)."""

    label: str
    latency_ms: float = 0.0
    mbits: float | None = None
    cpu_slowdown: float = 1.0

    def apply(self, cdp) -> None:
        if self.mbits is not None:
            throughput = self.mbits * 1e6 / 8  # bytes per second
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": self.latency_ms,
                                                          "downloadThroughput": throughput,
                                                          "uploadThroughput": throughput})
        if self.cpu_slowdown != 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.cpu_slowdown})


#: Loopback is always timed; the others on request (``--conditions``), by these names.
CONDITIONS = {
    "loopback": Condition("loopback"),
    "wifi": Condition("school Wi-Fi (150 ms, 1.5 Mbit/s each way)", latency_ms=150, mbits=1.5),
    "slow-cpu": Condition("a 6× slower CPU", cpu_slowdown=6),
}
#: The issue's bounds on batchnet's median latency and main-thread work per change, against the bare page's.
LATENCY_BOUND = {"loopback": 1.5, "wifi": 1.5, "slow-cpu": 2.0}
MAIN_THREAD_BOUND = 2.0
#: Page 06 (the worksheet, its gradients and loss): its slider latency against the bare page's (issue 26).
TRAINING_BOUND = 2.0


# -- servers, sessions and kernels -------------------------------------------------------------


class BenchServer(Server):
    """The test suite's ``Server``, with what the bench needs to find, stop and watch kernels."""

    def kernel(self, kernel_id: str) -> psutil.Process:
        for process in self.kernels():
            if f"kernel-{kernel_id}.json" in " ".join(process.cmdline()):
                return process
        raise LookupError(f"no kernel process for {kernel_id}")

    def shut_down_kernel(self, kernel_id: str) -> None:
        """Shut a page's kernel down and wait until its process is gone.

        The page's own ``beforeunload`` beacon is refused here (403, no ``_xsrf`` cookie; voila
        issue #1458), so this asks the kernels API, sending the same token as cookie and header.
        """
        request = urllib.request.Request(f"{self.url}api/kernels/{kernel_id}", method="DELETE",
                                         headers={"Cookie": f"_xsrf={XSRF}", "X-XSRFToken": XSRF})
        urllib.request.urlopen(request, timeout=30).close()
        deadline = time.monotonic() + 30
        while any(kernel_id in " ".join(p.cmdline()) for p in self.kernels()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel {kernel_id} still running 30 s after shutdown")
            time.sleep(0.05)

    def kernel_state(self, kernel_id: str) -> str:
        with urllib.request.urlopen(f"{self.url}api/kernels/{kernel_id}", timeout=5) as response:
            return json.load(response)["execution_state"]

    def wait_quiet(self, kernels: list[psutil.Process], idle: bool = True, quiet: float = 0.5,
                   timeout: float = 180) -> None:
        """Poll until these kernels use no CPU for ``quiet`` seconds (and, if ``idle``, report idle)."""
        ids = [kernel_id_of(kernel) for kernel in kernels]
        deadline = time.monotonic() + timeout
        last_cpu, calm_since = cpu_seconds(kernels), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            cpu = cpu_seconds(kernels)
            if cpu - last_cpu > 0.01 * len(kernels) or (idle and any(self.kernel_state(i) != "idle" for i in ids)):
                calm_since = time.monotonic()
            last_cpu = cpu
            if time.monotonic() - calm_since >= quiet:
                return
        raise TimeoutError(f"kernels {ids} did not settle within {timeout} s")

    def wait_for_pool(self, notebook: str, fills: int, timeout: float = 180) -> None:
        """Poll until the notebook's preheated pool has been filled ``fills`` times and is quiet.

        Voila logs "Kernel pool of NOTEBOOK is filled" once a pooled kernel has started; the
        notebook then runs in it until it is done or waits for its request (``voila.utils``
        ``get_query_string``: "busy" without using CPU), so every kernel of the server (a
        directory is preheated notebook by notebook) must have stopped using CPU.
        """
        deadline = time.monotonic() + timeout
        while self.log.read_text().count(f"Kernel pool of {notebook} is filled") < fills:
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel pool of {notebook} not filled {fills} times within {timeout} s:\n"
                                   f"{self.log.read_text()[-3000:]}")
            time.sleep(0.1)
        self.wait_quiet(self.kernels(), idle=False, timeout=max(deadline - time.monotonic(), 1))


def kernel_id_of(kernel: psutil.Process) -> str:
    connection_file = next(arg for arg in kernel.cmdline() if arg.endswith(".json"))
    return Path(connection_file).stem.removeprefix("kernel-")


#: Each thread's time on a CPU when last read, by (process id, thread id): a thread or process that has exited
#: keeps counting what it had used, so a total never goes down.
_ON_CPU: dict[tuple[int, int], float] = {}


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """The time these processes have spent on a CPU, in seconds, to the nanosecond: each thread's from
    ``/proc/<pid>/task/<tid>/schedstat``. ``cpu_times`` counts in clock ticks (10 ms), which round a
    light kernel's few changes (a bare slider's, about 2 ms each) down to nothing."""
    total = 0.0
    for process in processes:
        tasks = Path(f"/proc/{process.pid}/task")
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in tasks.iterdir():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    _ON_CPU[(process.pid, int(task.name))] = int((task / "schedstat").read_text().split()[0]) / 1e9
        total += sum(seconds for (pid, _), seconds in _ON_CPU.items() if pid == process.pid)
    return total


@contextlib.contextmanager
def serve(subject: Subject, name: str, preheated: bool = False, **variables: object) -> Iterator[BenchServer]:
    """``make app`` (or, preheated, ``make serve`` with the subject's page in the pool) serving the
    subject's root, with any further ``make`` variables; stopped on exit."""
    pool = {"POOL": 1, "PREHEAT": Path(subject.path).name} if preheated else {}
    with make_server("serve" if preheated else "app", name=name, NOTEBOOKS=subject.root, **pool,
                     **variables) as server:
        yield BenchServer(server.url, server.process, server.log)


@contextlib.contextmanager
def session(browser, server: BenchServer):
    """A fresh browser context and tab; afterwards its kernel is shut down and gone."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        kernel_id = None
        with contextlib.suppress(Exception):
            kernel_id = page.evaluate(KERNEL_ID)
        context.close()
        if kernel_id:
            server.shut_down_kernel(kernel_id)
    if errors:
        raise RuntimeError(f"errors in the page {page.url}: {errors}")


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 1e6


# -- the measurements --------------------------------------------------------------------------


def cold_start(browser, server: BenchServer, subject: Subject) -> dict[str, float]:
    """ms from navigation start until the subject's handles and images are all on screen."""
    with session(browser, server) as page:
        page.goto(server.url + subject.path, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        ready = page.wait_for_function(
            ON_SCREEN, arg=[subject.handles, subject.handle_count, subject.images, subject.image_count],
            polling="raf", timeout=LOAD_TIMEOUT_MS,
        )
        return ready.json_value()


def cold_starts(browser, servers: dict[Subject, BenchServer], loads: int, preheated: bool) -> dict[str, dict]:
    """``loads`` fresh loads of each page, taking turns, after one discarded warm-up load each.

    With preheated kernels each load waits, by polling, until the pool holds a kernel that has
    run the notebook as far as it can before a request.
    """
    times: dict[str, list[dict]] = {subject.label: [] for subject in servers}
    for i in range(loads + 1):
        for subject, server in servers.items():
            if preheated:
                server.wait_for_pool(Path(subject.path).name, fills=i + 1)
            load = cold_start(browser, server, subject)
            say(f"  cold start{' (preheated)' * preheated} {subject.label} {i}: {load['ready']:.0f} ms"
                f"{' (warm-up, dropped)' * (i == 0)}")
            if i > 0:
                times[subject.label].append(load)
    return {label: {key: stats([load[key] for load in samples]) for key in ("ready", "html")}
            for label, samples in times.items()}


@contextlib.contextmanager
def timed_page(browser, server: BenchServer, subject: Subject, changes: Iterator[Change],
               condition: Condition = CONDITIONS["loopback"]) -> Iterator[dict]:
    """Open the page, note its kernel's RSS; yields a dict holding its ``timer``; on exit fills in
    the figures.

    Besides the latencies, per change, over the whole run of changes (pauses included): the CPU
    time of the kernel, the Voila server and the page's browser (all its processes), and how
    long the page's renderer main thread was busy (Chromium's own counters, ``MAIN_THREAD``).
    """
    with session(browser, server) as page:
        page.add_init_script(FRAME_LOG)
        if subject is not BARE:
            open_app(page, server.url + subject.path, timeout=LOAD_TIMEOUT_MS)
        else:
            page.goto(server.url + subject.path, timeout=LOAD_TIMEOUT_MS)
            page.wait_for_selector(".bare-out", timeout=LOAD_TIMEOUT_MS)
        kernel = server.kernel(page.evaluate(KERNEL_ID))
        server.wait_quiet([kernel])
        loaded = rss_mb(kernel)
        processes = {"kernel": [kernel], "server": [server.server], "browser": browser_processes(subject.label)}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        condition.apply(cdp)
        cpu_before, main_before = {name: cpu_seconds(group) for name, group in processes.items()}, metrics(cdp)
        run = {"timer": SliderTimer(page, changes)}
        yield run
        server.wait_quiet([kernel])
        times = run.pop("timer").times()
        count, main_after = len(times["update"]) + WARMUP, metrics(cdp)
        cpu = {name: (cpu_seconds(group) - cpu_before[name]) * 1e3 / count for name, group in processes.items()}
        main = {name: (main_after[name] - main_before[name]) * 1e3 / count for name in MAIN_THREAD}
        run.update({key: stats(samples) for key, samples in times.items()})
        run.update({"cpu_ms_per_change": cpu, "main_thread_ms_per_change": main,
                    "dom_nodes": int(main_after["Nodes"]), "rss_after_load_mb": loaded,
                    "rss_after_changes_mb": rss_mb(kernel),
                    "kernel_openblas_coretype": kernel.environ().get("OPENBLAS_CORETYPE")})


def latencies(browsers: dict[Subject, object], servers: dict[Subject, BenchServer], count: int,
              condition: Condition = CONDITIONS["loopback"]) -> dict[str, dict]:
    """Both pages' slider changes, taking turns change by change, each page in a Chromium of its own.

    Taking turns puts both pages through the same moments of the machine: a VM's speed drifts
    over tens of seconds, and timing one page after the other let that drift into the ratio.
    """
    changes = {OURS: batchnet_changes(count), TRAINING: batchnet_changes(count, training=True),
               BARE: bare_changes(count)}
    with contextlib.ExitStack() as stack:
        runs = {subject: stack.enter_context(timed_page(browsers[subject], server, subject, changes[subject],
                                                        condition))
                for subject, server in servers.items()}
        for i in range(count):
            for run in runs.values():
                run["timer"].next_change()
                time.sleep(PAUSE)
            if (i + 1) % 20 == 0:
                say(f"  {i + 1} of {count} changes on each page")
    return {subject.label: run for subject, run in runs.items()}


def metrics(cdp) -> dict[str, float]:
    """Chromium's performance counters for the page (durations in seconds)."""
    return {metric["name"]: metric["value"] for metric in cdp.send("Performance.getMetrics")["metrics"]}


#: Added to a Chromium's command line so its processes can be told from another's.
BROWSER_MARK = "--bench-page="


def browser_processes(label: str | None = None) -> list[psutil.Process]:
    """Chromium's processes: descendants of this one (through Playwright's driver); with a
    label, only those of the Chromium launched with ``BROWSER_MARK`` + label and its children."""
    chromium = [p for p in psutil.Process().children(recursive=True) if "chromium" in p.name()]
    if label is None:
        return chromium
    main = [p for p in chromium if BROWSER_MARK + label in p.cmdline()]
    return main + [child for p in main for child in p.children(recursive=True)]


def kernel_side(changes: int) -> list[float]:
    """ms per slider change in BatchApp without a browser: W1[1,1] set back and forth."""
    from batchnet_core.ui import BatchApp

    app = BatchApp()
    slider = app.entries[("W1", 0, 0)].slider
    start = slider.value
    samples = []
    for i in range(changes):
        value = start + 1 if i % 2 == 0 else start
        t0 = time.perf_counter()
        slider.value = value
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def profile_kernel_side(changes: int, top: int = 20) -> None:
    """Print where the kernel-side time goes (cProfile, by own time), and what the heat maps' drawing holds:
    the bytes of each part as JSON (the frame is sent when the sizes, notation or theme change; the rest as
    each changes)."""
    from batchnet_core.ui import BatchApp

    app = BatchApp()
    slider = app.entries[("W1", 0, 0)].slider
    drawing = app.views.widget
    sizes = {part: len(json.dumps(getattr(drawing, part))) for part in ("frame", "pictures", "outlines", "tables",
                                                                         "buttons")}
    print(f"JSON bytes of each part of the drawing at the worked example: {sizes}")
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(changes):
        slider.value = 2.0 if i % 2 == 0 else 1.0
    profiler.disable()
    print(f"{changes} changes")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


# -- the report --------------------------------------------------------------------------------


def stats(samples: list[float]) -> dict:
    """Median and 95th percentile (linear interpolation), and the samples themselves."""
    return {"n": len(samples), "median": float(np.median(samples)), "p95": float(np.percentile(samples, 95)),
            "samples": [round(s, 3) for s in samples]}


def openblas_core() -> str:
    """The CPU kernel OpenBLAS (bundled with numpy) chose here, or "unknown"."""
    try:
        library = next((Path(np.__file__).parent.parent / "numpy.libs").glob("libscipy_openblas*.so"))
        corename = ctypes.CDLL(str(library)).scipy_openblas_get_corename64_
        corename.restype = ctypes.c_char_p
        return corename().decode()
    except (StopIteration, OSError, AttributeError):
        return "unknown"


def commit() -> str:
    """The commit measured, marked "+changes" when the work tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (" +changes" if dirty else "")


def machine_facts(chromium: str) -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    return {
        "cpu": model, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "os": platform.platform(), "python": platform.python_version(),
        **{package: version(package) for package in ("numpy", "matplotlib", "ipywidgets", "voila", "ipykernel",
                                                     "playwright")},
        "chromium": chromium,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "unset"), "openblas_core": openblas_core(),
        "commit": commit(),
    }


@dataclasses.dataclass
class Row:
    measure: str
    figure: str
    target: str = "—"
    met: bool | None = None


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def versus(ours: float, bare: float) -> str:
    return f"{ms(ours)} vs {ms(bare)} ({ours / bare:.2f}×)"


def cpu_split(latency: dict) -> str:
    cpu = latency["cpu_ms_per_change"]
    return " / ".join(f"{cpu[name]:.1f}" for name in ("kernel", "server", "browser")) + " ms"


def main_split(latency: dict) -> str:
    main = latency["main_thread_ms_per_change"]
    return " / ".join(f"{main[name]:.1f}" for name in MAIN_THREAD) + " ms"


def main_within(ours: dict, bare: dict) -> bool:
    """batchnet's page keeps its main thread busy at most MAIN_THREAD_BOUND times as long as the bare page's."""
    busy = "TaskDuration"
    return ours["main_thread_ms_per_change"][busy] <= MAIN_THREAD_BOUND * bare["main_thread_ms_per_change"][busy]


def rows(results: dict) -> list[Row]:
    """The table: our figures next to the bare page's, with the issue's targets."""
    lat, base = results["latency"]["batchnet"], results["latency"]["bare"]
    ours, bare = lat["update"], base["update"]
    table = [
        Row("Slider latency, median: batchnet vs bare", versus(ours["median"], bare["median"]),
            f"≤ {LATENCY_BOUND['loopback']:g}× bare", ours["median"] <= LATENCY_BOUND["loopback"] * bare["median"]),
        Row("Slider latency, p95: batchnet vs bare", versus(ours["p95"], bare["p95"]), "≤ 3× bare",
            ours["p95"] <= 3 * bare["p95"]),
        Row("Slider latency, p95: batchnet", ms(ours["p95"]), "< 100 ms", ours["p95"] < 100),
        Row("…first message from the server after the keydown, median: batchnet vs bare",
            versus(lat["first"]["median"], base["first"]["median"])),
        Row("…last message the update needs, median: batchnet vs bare",
            versus(lat["last"]["median"], base["last"]["median"])),
        Row("…bytes received until updated, median: batchnet vs bare",
            f"{lat['bytes']['median'] / 1e3:.1f} kB vs {base['bytes']['median'] / 1e3:.1f} kB"),
        Row("…CPU per change, kernel / Voila server / Chromium: batchnet vs bare",
            f"{cpu_split(lat)} vs {cpu_split(base)}"),
        Row("…renderer main thread per change, busy / script / layout / style: batchnet vs bare",
            f"{main_split(lat)} vs {main_split(base)}", f"busy ≤ {MAIN_THREAD_BOUND:g}× bare", main_within(lat, base)),
        Row("…DOM nodes: batchnet vs bare", f"{lat['dom_nodes']} vs {base['dom_nodes']}"),
    ]
    train = results["latency"]["training"]
    table += [
        Row("Slider latency on page 06 (training), median: training vs bare",
            versus(train["update"]["median"], bare["median"]), f"≤ {TRAINING_BOUND:g}× bare",
            train["update"]["median"] <= TRAINING_BOUND * bare["median"]),
        Row("…p95: training vs bare", versus(train["update"]["p95"], bare["p95"])),
        Row("…bytes received until updated, median: training vs bare",
            f"{train['bytes']['median'] / 1e3:.1f} kB vs {base['bytes']['median'] / 1e3:.1f} kB"),
        Row("…CPU per change, kernel / Voila server / Chromium: training vs bare",
            f"{cpu_split(train)} vs {cpu_split(base)}"),
        Row("…renderer main thread per change, busy / script / layout / style: training vs bare",
            f"{main_split(train)} vs {main_split(base)}"),
    ]
    for name, runs in results.get("conditions", {}).items():
        lat, base = runs["batchnet"], runs["bare"]
        ours, bare = lat["update"], base["update"]
        bound = LATENCY_BOUND[name]
        table += [
            Row(f"Slider latency on {CONDITIONS[name].label}, median: batchnet vs bare",
                versus(ours["median"], bare["median"]), f"≤ {bound:g}× bare", ours["median"] <= bound * bare["median"]),
            Row("…p95: batchnet vs bare", versus(ours["p95"], bare["p95"])),
            Row("…bytes received until updated, median: batchnet vs bare",
                f"{lat['bytes']['median'] / 1e3:.1f} kB vs {base['bytes']['median'] / 1e3:.1f} kB"),
            Row("…renderer main thread per change, busy / script / layout / style: batchnet vs bare",
                f"{main_split(lat)} vs {main_split(base)}", f"busy ≤ {MAIN_THREAD_BOUND:g}× bare",
                main_within(lat, base)),
        ]
    for key, label in (("cold", "Cold start"), ("preheated", "Cold start, preheated kernels")):
        ours_load, bare_load = results[key]["batchnet"], results[key]["bare"]
        ours_ms, bare_ms = ours_load["ready"]["median"], bare_load["ready"]["median"]
        table += [
            Row(f"{label}, median of {ours_load['ready']['n']}: batchnet vs bare", versus(ours_ms, bare_ms),
                "≤ 1.5× bare", ours_ms <= 1.5 * bare_ms),
            Row("…of which until the page's HTML has arrived (the notebook has run), median",
                versus(ours_load["html"]["median"], bare_load["html"]["median"])),
        ]
    rss = max(lat["rss_after_load_mb"], lat["rss_after_changes_mb"])
    table += [
        Row("Kernel RSS, batchnet: after load / after the latency run",
            f"{lat['rss_after_load_mb']:.0f} MB / {lat['rss_after_changes_mb']:.0f} MB", "< 150 MB", rss < 150),
        Row("Kernel RSS, bare: after load / after the latency run",
            f"{base['rss_after_load_mb']:.0f} MB / {base['rss_after_changes_mb']:.0f} MB"),
        Row(f"Kernel-side time per change, no browser (n={results['kernel_side']['n']}), median / p95",
            f"{ms(results['kernel_side']['median'])} / {ms(results['kernel_side']['p95'])}"),
    ]
    return table


def markdown(table: list[Row]) -> str:
    lines = ["| Measure | Figure | Target | Met |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.measure} | {r.figure} | {r.target} | {'—' if r.met is None else 'yes' if r.met else 'NO'} |"
              for r in table]
    return "\n".join(lines)


def report(facts: dict, results: dict, table: list[Row], settings: dict) -> str:
    machine = "\n".join(f"- {key}: {value}" for key, value in facts.items())
    n_lat = results["latency"]["batchnet"]["update"]["n"]
    return (f"## Machine\n\n{machine}\n\n## Figures\n\n{markdown(table)}\n\n"
            f"Latency: {n_lat} changes per page after {WARMUP} warm-up changes; cold start: fresh browser "
            f"context per load after one warm-up load per page. Settings: {settings}\n")


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--changes", type=int, default=85,
                        help=f"slider changes per page, the first {WARMUP} dropped (default 85)")
    parser.add_argument("--conditions", nargs="*", default=["wifi", "slow-cpu"],
                        choices=[name for name in CONDITIONS if name != "loopback"],
                        help="also time the slider under these (default wifi slow-cpu; loopback always)")
    parser.add_argument("--loads", type=int, default=7, help="cold starts per page and configuration (default 7)")
    parser.add_argument("--kernel-changes", type=int, default=200, help="kernel-side changes (default 200)")
    parser.add_argument("--profile", action="store_true",
                        help="only profile the kernel-side update with cProfile and print the top costs")
    args = parser.parse_args(argv)
    # Few samples are for checking that the bench works; the defaults are for figures.
    if args.changes <= WARMUP or args.loads < 1 or args.kernel_changes < 1:
        parser.error(f"use more than {WARMUP} changes, at least 1 load and 1 kernel-side change")
    return args


def run(args: argparse.Namespace) -> tuple[dict, dict]:
    """All measurements; returns the machine facts and the results."""
    from playwright.sync_api import sync_playwright

    say(f"kernel-side: {args.kernel_changes} changes without a browser")
    results: dict = {"kernel_side": stats(kernel_side(args.kernel_changes))}
    with sync_playwright() as playwright:
        browsers = {subject: playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                        args=[*CHROMIUM_ARGS, BROWSER_MARK + subject.label])
                    for subject in (OURS, TRAINING, BARE)}
        browser = browsers[OURS]
        try:
            facts = machine_facts(browser.version)
            with serve(OURS, name="bench-main") as ours, serve(BARE, name="bench-bare") as bare:
                say("cold start, kernels started on request")
                results["cold"] = cold_starts(browser, {OURS: ours, BARE: bare}, args.loads, preheated=False)
                say(f"slider latency and kernel memory: {args.changes} changes on each page (02, 06 and bare), "
                    "taking turns")
                results["latency"] = latencies(browsers, {OURS: ours, TRAINING: ours, BARE: bare}, args.changes)
                results["conditions"] = {}
                for name in args.conditions:
                    say(f"slider latency on {CONDITIONS[name].label}: {args.changes} changes on each page")
                    results["conditions"][name] = latencies(browsers, {OURS: ours, BARE: bare}, args.changes,
                                                            CONDITIONS[name])
                facts["OPENBLAS_CORETYPE in the kernels"] = \
                    results["latency"]["batchnet"]["kernel_openblas_coretype"] or "unset"
            with serve(OURS, name="bench-main-preheat", preheated=True) as ours, \
                    serve(BARE, name="bench-bare-preheat", preheated=True) as bare:
                say("cold start, preheated kernels")
                results["preheated"] = cold_starts(browser, {OURS: ours, BARE: bare}, args.loads, preheated=True)
        finally:
            for each in browsers.values():
                each.close()
    return facts, results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile:
        profile_kernel_side(args.kernel_changes)
        return 0
    started, load = time.monotonic(), os.getloadavg()[0]
    if load > 0.5:
        say(f"warning: load average {load:.2f} before the run; other work on this machine skews the figures")
    facts, results = run(args)
    facts["load average (1 min) before the run"] = f"{load:.2f}"
    settings = {"changes": args.changes, "conditions": ["loopback", *args.conditions], "warmup": WARMUP,
                "pause_s": PAUSE, "loads": args.loads,
                "kernel_changes": args.kernel_changes, "duration_s": round(time.monotonic() - started)}
    table = rows(results)
    print(report(facts, results, table, settings))
    if args.json:
        checks = [dataclasses.asdict(row) for row in table]
        args.json.write_text(json.dumps({"machine": facts, "settings": settings, "results": results,
                                         "table": checks}, indent=1) + "\n")
        say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
