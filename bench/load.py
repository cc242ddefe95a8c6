"""Classroom load: one Voila server, N browser sessions moving sliders at the same time.

For each N (``--sessions``, default 1 10 30) the bench opens N sessions of the main page on one
real Voila server (``make serve``, the classroom command, with a pool of one), each in its
own browser context of one headless Chromium, and waits until each has loaded. Then, while the
other N - 1 sessions each make one slider change about every ``--pace`` seconds, one session
(the measured one) is timed exactly as ``slider_latency.py`` times it: the same in-page clock
from keydown to the page showing the new state, the same expected-state check, the same pause.

The background sessions are driven from inside their pages, so Playwright is used from one
thread only: a script dispatches ``keydown`` ArrowRight/ArrowLeft events on the slider handle of
one entry (nouislider acts on synthetic key events as on real ones), one every ``pace`` × 0.75–1.25
seconds, their starts spread over the first ``pace`` seconds, and counts how often the page's
status line changed. They move entries the measured session never touches (each session has its
own kernel anyway, so they could not disturb its expectations).

Reported per N: the measured session's latency (median, p95), kernel RSS (median over the N
kernels, and their total), the Voila server's RSS, Chromium's memory (PSS, so shared pages count
once), the CPU used by the kernels, the server and Chromium during the timed phase, and how many
changes the background sessions sent and saw answered. Afterwards every context is closed and
every kernel shut down before the next N.

Everything runs on one machine: the N browsers too, which in a classroom run on the students'
own machines. So by default the background pages are not drawn (``body`` not displayed): their
widget scripts still run, send every change and apply every answer, so the server and kernels
see exactly a classroom's traffic, but 29 pages are not painted on the 2 cores the server needs.
``--draw-background`` draws them too, to show what 30 browsers drawing on one machine cost.

Students who train (``--trainers K ...``, default 0): besides the N sessions, max(K) more open page 06
at the largest state a link can hold (4 layers, every size 16: the most work per step and the most
bytes per update, the worst case), learning rate 0.00001 and 1,000 steps a press, as
``tests/test_browser_kernel_budget.py`` trains it. Each K is one timed phase of the same room, in
the order given: K of those sessions press Train, from a script in their page like the background
sessions, again ``SETTLE_SECONDS`` + 0.1 s after each run ends (the button is disabled while a run
goes, and a press sooner than ``SETTLE_SECONDS`` after the end is ignored), and count the runs that
started and finished; the others stay open and idle. The training sessions run in a Chromium of
their own, so that the CPU of their pages (which in a class run on the students' computers) is
told from the classroom's; they are not drawn either, unless ``--draw-background``. So
``--trainers 0 2`` times the measured session without trainers and then with two, in one run,
with the same kernels open; each phase with trainers is reported against the phase without them
(its ratio). After a phase the trainers stop pressing and the bench waits for their runs to end.

Run: ``make load`` or ``.venv/bin/python bench/load.py [--sessions 1 10 30] [--trainers 0 2] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batchnet_core.ui.train import MAX_TRAIN_STEPS, SETTLE_SECONDS  # noqa: E402

import slider_latency as sl  # noqa: E402
from test_browser_kernel_budget import LARGEST, RATE, open_largest, set_box  # noqa: E402

#: Entries the background sessions move, one per session in turn; none is in ``sl.ENTRIES``.
BACKGROUND_ENTRIES = (("W1", 1, 1), ("X", 0, 1), ("b1", 2, 0), ("W2", 0, 1), ("W1", 3, 0), ("b2", 1, 0),
                      ("X", 1, 2), ("W2", 1, 0), ("W1", 2, 2), ("b1", 3, 0))
#: The p95 latency of the measured session the issue asks for with 30 sessions.
TARGET_P95_MS = 300
TARGET_SESSIONS = 30

#: Starts a background session: ArrowRight and ArrowLeft in turn on one handle, each after a
#: random 0.75–1.25 × pace, the first after ``offset`` ms; counts the status line's changes.
START_BACKGROUND = """
({selector, paceMs, offsetMs}) => {
  const handle = document.querySelector(selector);
  const status = document.querySelector('.bn-status');
  const load = window.__benchLoad = {sent: 0, shown: 0, running: true, timer: null};
  let last = status.textContent;
  load.observer = new MutationObserver(() => {
    if (status.textContent !== last) { last = status.textContent; load.shown += 1; }
  });
  load.observer.observe(status, {subtree: true, childList: true, characterData: true});
  const press = () => {
    if (!load.running) return;
    const key = load.sent % 2 === 0 ? 'ArrowRight' : 'ArrowLeft';
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    load.sent += 1;
    load.timer = setTimeout(press, paceMs * (0.75 + 0.5 * Math.random()));
  };
  load.timer = setTimeout(press, offsetMs);
}
"""

#: A background session's counts so far; and how it is stopped.
COUNTS = "() => ({sent: window.__benchLoad.sent, shown: window.__benchLoad.shown})"
STOP_BACKGROUND = "() => { window.__benchLoad.running = false; clearTimeout(window.__benchLoad.timer); }"

#: Once the background sessions stop, time for the last answers to arrive before counting.
SETTLE_S = 2.0

#: Labels of the two Chromiums: the classroom's sessions, and the training sessions'.
CLASSROOM, TRAINING = "classroom", "training"
#: The page a training session opens: page 06 at the largest state.
TRAIN_PAGE = "06_train_the_batch"
#: After a run ends, a training session presses Train again this long after (ms): later than
#: SETTLE_SECONDS after the run's end in the kernel, since the page hears of the end after it.
PRESS_AFTER_MS = round((SETTLE_SECONDS + 0.1) * 1000)
#: Longest wait for a training session's last run to end once it stops pressing (s).
RUN_END_TIMEOUT_S = 180

#: Starts a training session: presses Train now, and again ``pressAfterMs`` after each run ends;
#: counts the runs started (the button disabled) and finished (enabled again).
START_TRAINING = """
({pressAfterMs}) => {
  const button = document.querySelector('button.bn-train-run');
  const train = window.__benchTrain = window.__benchTrain ?? {started: 0, finished: 0};
  train.running = true;
  const press = () => { if (train.running && !button.disabled) button.click(); };
  if (!train.observer) {
    let busy = button.disabled;
    train.observer = new MutationObserver(() => {
      if (button.disabled === busy) return;
      busy = button.disabled;
      if (busy) { train.started += 1; return; }
      train.finished += 1;
      train.timer = setTimeout(press, pressAfterMs);
    });
    train.observer.observe(button, {attributes: true, attributeFilter: ['disabled']});
  }
  press();
}
"""
TRAINING_COUNTS = """() => ({started: window.__benchTrain?.started ?? 0, finished: window.__benchTrain?.finished ?? 0,
  status: document.querySelector('.bn-status').innerText})"""
STOP_TRAINING = "() => { window.__benchTrain.running = false; clearTimeout(window.__benchTrain.timer); }"
RUN_ENDED = "() => !document.querySelector('button.bn-train-run').disabled"
RUN_STARTED = "(before) => window.__benchTrain.started > before"


@dataclasses.dataclass
class Classroom:
    """N open sessions of the main page: the measured one first, then the background ones; and the
    training sessions (page 06 at the largest state)."""

    server: sl.BenchServer
    pages: list
    kernels: list[psutil.Process]
    trainers: list = dataclasses.field(default_factory=list)
    trainer_kernels: list[psutil.Process] = dataclasses.field(default_factory=list)

    @property
    def measured(self):
        return self.pages[0]

    @property
    def background(self) -> list:
        return self.pages[1:]


@contextlib.contextmanager
def classroom(browser, server: sl.BenchServer, count: int, trainers: int = 0, training_browser=None):
    """Open ``count`` sessions, then ``trainers`` training sessions set to train (in ``training_browser``),
    one after another, each loaded before the next; all closed and their kernels shut down on exit
    (``sl.session``)."""
    with contextlib.ExitStack() as stack:
        pages, training = [], []
        for i in range(count):
            page = stack.enter_context(sl.session(browser, server))
            if i == 0:
                page.add_init_script(sl.FRAME_LOG)  # the in-page timing needs it
            sl.open_app(page, server.url + sl.MAIN_PAGE, timeout=sl.LOAD_TIMEOUT_MS)
            pages.append(page)
        for _ in range(trainers):
            page = stack.enter_context(sl.session(training_browser, server))
            open_largest(page, server, TRAIN_PAGE)
            set_box(page, ".bn-learning-rate", RATE, "Learning rate = ")
            set_box(page, ".bn-train-steps", str(MAX_TRAIN_STEPS), f"Steps = {MAX_TRAIN_STEPS}")
            training.append(page)
        kernels = [server.kernel(page.evaluate(sl.KERNEL_ID)) for page in pages + training]
        yield Classroom(server, pages, kernels[:count], training, kernels[count:])
        sl.say(f"  closing {count + trainers} sessions and shutting their kernels down")


def start_background(room: Classroom, pace: float, hide: bool) -> None:
    """Every background session starts moving its entry, starts spread over one ``pace``.

    With ``hide`` their pages stop being drawn (``body`` not displayed): the widgets' scripts
    still run and update the page, but style, layout, paint and image decoding are skipped, as if
    the students' browsers ran elsewhere; the measured session's page is drawn as always.
    """
    others = room.background
    if hide:
        for page in [*others, *room.trainers]:
            page.add_style_tag(content="body { display: none !important; }")
    for i, page in enumerate(others):
        name, row, col = BACKGROUND_ENTRIES[i % len(BACKGROUND_ENTRIES)]
        page.evaluate(START_BACKGROUND, {"selector": f".bn-{name}-{row}-{col} .noUi-handle",
                                         "paceMs": pace * 1000, "offsetMs": pace * 1000 * i / len(others)})


def counts(room: Classroom) -> list[dict[str, int]]:
    """Per background session so far: changes sent, and how often its status line changed."""
    return [page.evaluate(COUNTS) for page in room.background]


def stop_background(room: Classroom) -> list[dict[str, int]]:
    """Stop every background session; after SETTLE_S, what each sent and saw answered in all."""
    for page in room.background:
        page.evaluate(STOP_BACKGROUND)
    time.sleep(SETTLE_S)
    return counts(room)


def start_training(room: Classroom, count: int) -> None:
    """The first ``count`` training sessions start pressing Train; returns once each has begun a run."""
    before = training_counts(room)
    for page in room.trainers[:count]:
        page.evaluate(START_TRAINING, {"pressAfterMs": PRESS_AFTER_MS})
    for page, counted in zip(room.trainers[:count], before):
        page.wait_for_function(RUN_STARTED, arg=counted["started"], polling=100, timeout=sl.CHANGE_TIMEOUT_MS)


def training_counts(room: Classroom) -> list[dict]:
    """Per training session so far: runs started and finished, and its status line."""
    return [page.evaluate(TRAINING_COUNTS) for page in room.trainers]


def stop_training(room: Classroom, count: int) -> None:
    """The first ``count`` training sessions stop pressing; returns once their last runs have ended."""
    for page in room.trainers[:count]:
        page.evaluate(STOP_TRAINING)
    for page in room.trainers[:count]:
        page.wait_for_function(RUN_ENDED, polling=100, timeout=RUN_END_TIMEOUT_S * 1000)


def steps_taken(status: str) -> int | None:
    """The steps a training session's status line says it has taken ("Trained 3000 steps so far...")."""
    said = re.search(r"Trained (\d+) steps? so far", status)
    return int(said[1]) if said else None


def memory(room: Classroom) -> dict:
    """RSS of every kernel and of the server, and Chromium's PSS, in MB (10⁶ bytes)."""
    kernels = [sl.rss_mb(kernel) for kernel in room.kernels]
    chromium = 0.0
    for process in sl.browser_processes():
        with contextlib.suppress(psutil.NoSuchProcess):
            chromium += process.memory_full_info().pss / 1e6
    figures = {"kernel_rss_mb": sl.stats(kernels), "kernels_total_mb": sum(kernels),
               "server_rss_mb": sl.rss_mb(room.server.server), "chromium_pss_mb": chromium}
    if room.trainer_kernels:
        figures["trainer_kernel_rss_mb"] = [sl.rss_mb(kernel) for kernel in room.trainer_kernels]
    return figures


class CpuMeter:
    """CPU seconds of the kernels (the students' and the training ones), the server, Chromium (the
    classroom's and the training sessions'), and the bench itself (this process and Playwright's
    driver), and the machine's busy time."""

    def __init__(self, room: Classroom) -> None:
        chromium = sl.browser_processes()
        served = [room.server.process, *room.server.process.children(recursive=True)]
        bench = [psutil.Process(), *(p for p in psutil.Process().children(recursive=True)
                                     if p not in chromium and p not in served)]
        self.groups = {"kernels": room.kernels, "trainers": room.trainer_kernels, "server": [room.server.server],
                       "chromium": sl.browser_processes(CLASSROOM),
                       "training_chromium": sl.browser_processes(TRAINING), "bench": bench}

    def read(self) -> dict[str, float]:
        t = psutil.cpu_times()
        busy = t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
        return {"wall": time.monotonic(), "machine": busy,
                **{name: sl.cpu_seconds(group) for name, group in self.groups.items()}}

    @staticmethod
    def cores(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        """Cores in use on average between two readings (1.0 = one core busy all the time)."""
        wall = after["wall"] - before["wall"]
        return {name: (after[name] - before[name]) / wall for name in before if name != "wall"}


def under_load(browsers: dict, server: sl.BenchServer, count: int, trainers: list[int], changes: int,
               pace: float, hide: bool) -> list[dict]:
    """Open ``count`` sessions and max(trainers) training sessions; time the measured one while the
    others move sliders, once for each number of trainers in turn. One result per phase."""
    sl.say(f"{count} session(s) and {max(trainers)} training session(s): opening")
    opened = time.monotonic()
    with classroom(browsers[CLASSROOM], server, count, max(trainers), browsers.get(TRAINING)) as room:
        open_s = time.monotonic() - opened
        everyone = room.kernels + room.trainer_kernels
        server.wait_quiet(everyone)
        after_load = memory(room)
        sl.say(f"  opened in {open_s:.0f} s; kernels {after_load['kernels_total_mb']:.0f} MB in all (students); "
               f"timing {changes} changes with {count - 1} background session(s)")
        meter = CpuMeter(room)
        start_background(room, pace, hide)
        time.sleep(pace)  # every background session has begun
        moves = sl.batchnet_changes(changes * len(trainers))  # one walk of the state across the phases
        phases = [timed_phase(room, meter, moves, changes, k) for k in trainers]
        background = stop_background(room)
        server.wait_quiet(everyone)
        trained = training_counts(room)
        results = []
        for phase in phases:
            timed = phase.pop("background_timed")
            results.append({"sessions": count, "background_hidden": hide, "open_s": open_s,
                            "kernels_running": len(server.kernels()), **phase,
                            "background": summary(background, timed), "memory_after_load": after_load})
            results[-1]["training"]["in_all"] = training_summary(trained)
        baseline = next((r for r in results if r["trainers"] == 0), None)
        for r in results:
            if baseline is not None and r["trainers"] > 0:
                r["versus_no_trainers"] = {key: r["latency"]["update"][key] / baseline["latency"]["update"][key]
                                           for key in ("median", "p95")}
    return results


def timed_phase(room: Classroom, meter: CpuMeter, moves, changes: int, trainers: int) -> dict:
    """The measured session's ``changes`` while the background sessions move sliders and ``trainers``
    training sessions train; their runs end before it returns."""
    if trainers:
        start_training(room, trainers)
    sl.say(f"  timing {changes} changes with {trainers} training session(s)")
    before, sent_before, trained_before = meter.read(), counts(room), training_counts(room)
    timer = sl.SliderTimer(room.measured, moves)
    for _ in range(changes):
        timer.next_change()
        time.sleep(sl.PAUSE)
    times = timer.times()
    after, sent_after, trained_after = meter.read(), counts(room), training_counts(room)
    stop_training(room, trainers)
    runs = [a["finished"] - b["finished"] for a, b in zip(trained_after, trained_before)]
    result = {
        "trainers": trainers, "latency": {key: sl.stats(samples) for key, samples in times.items()},
        "timed_phase_s": after["wall"] - before["wall"], "cpu_cores": CpuMeter.cores(before, after),
        "background_timed": [a["sent"] - b["sent"] for a, b in zip(sent_after, sent_before)],
        "training": {"sessions": trainers, "steps_a_run": MAX_TRAIN_STEPS, "learning_rate": RATE,
                     "sizes": list(LARGEST.sizes), "runs_finished_timed": sum(runs),
                     "runs_finished_timed_per_session": runs[:trainers]},
        "memory_after_changes": memory(room),
    }
    update, cpu = result["latency"]["update"], result["cpu_cores"]
    sl.say(f"  {trainers} training: median {update['median']:.0f} ms, p95 {update['p95']:.0f} ms; "
           f"runs finished {sum(runs)}; CPU cores {cpu}")
    return result


def training_summary(trained: list[dict]) -> dict:
    """What the training sessions did from their first press to their last run's end: runs started and
    finished, and the steps their status lines say they took (1,000 a run when every run ran whole)."""
    steps = [steps_taken(t["status"]) for t in trained]
    return {"runs_started": sum(t["started"] for t in trained), "runs_finished": sum(t["finished"] for t in trained),
            "steps_taken": steps, "every_run_whole": all(
                (t["finished"] == 0 or s == t["finished"] * MAX_TRAIN_STEPS) for t, s in zip(trained, steps)),
            "per_session": trained}


def summary(background: list[dict[str, int]], timed: list[int]) -> dict:
    """What the background sessions did: changes sent during the timed phase, and in all (from
    their start until they stopped) changes sent and status-line changes seen."""
    return {"sessions": len(background), "sent_timed": sum(timed),
            "sent": sum(b["sent"] for b in background), "shown": sum(b["shown"] for b in background),
            "sessions_never_answered": sum(b["shown"] == 0 for b in background), "per_session": background}


# -- the report --------------------------------------------------------------------------------


def meets_target(result: dict) -> bool | None:
    """The issue's target, p95 under TARGET_P95_MS, applies to 30 sessions, and to any number while
    others train (their training must not take other students past the bench's bound)."""
    if result["sessions"] != TARGET_SESSIONS and not result.get("trainers"):
        return None
    return result["latency"]["update"]["p95"] < TARGET_P95_MS


def table(results: list[dict]) -> str:
    """One markdown row per N (and, with training sessions, per phase). The training columns only
    when some phase had training sessions."""
    training = any(r.get("trainers") for r in results)
    head = ["Sessions", *["Training sessions (runs finished while timed)"] * training, "Latency median",
            "Latency p95", *["vs no training: median / p95"] * training,
            f"p95 < 300 ms at 30{' or while training' * training}", "Kernel RSS, median", "Kernels, total",
            "Voila server RSS", "Chromium PSS",
            f"CPU cores: kernels / {'training kernels / ' * training}server / Chromium / "
            f"{'training Chromium / ' * training}bench", "Machine busy",
            "Background changes in the timed phase (per s)", "Background changes sent / answered, in all"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in results:
        update, cpu, memory_ = r["latency"]["update"], r["cpu_cores"], r["memory_after_changes"]
        met = meets_target(r)
        bg = r["background"]
        rate = bg["sent_timed"] / r["timed_phase_s"]
        versus = r.get("versus_no_trainers")
        kernels = [cpu["kernels"], *[cpu["trainers"]] * training, cpu["server"], cpu["chromium"],
                   *[cpu["training_chromium"]] * training, cpu["bench"]]
        cells = [
            str(r["sessions"]),
            *[f"{r['trainers']} ({r['training']['runs_finished_timed']})"] * training,
            sl.ms(update["median"]), sl.ms(update["p95"]),
            *[f"{versus['median']:.2f}× / {versus['p95']:.2f}×" if versus else "—"] * training,
            "—" if met is None else "yes" if met else "NO",
            f"{memory_['kernel_rss_mb']['median']:.0f} MB", f"{memory_['kernels_total_mb']:.0f} MB",
            f"{memory_['server_rss_mb']:.0f} MB", f"{memory_['chromium_pss_mb']:.0f} MB",
            " / ".join(f"{cores:.2f}" for cores in kernels), f"{100 * cpu['machine'] / os.cpu_count():.0f} %",
            f"{bg['sent_timed']} ({rate:.1f}/s)", f"{bg['sent']} / {bg['shown']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def training_note(results: list[dict]) -> str:
    """What the training sessions were and did, when there were any."""
    rooms = [r for r in results if r.get("trainers")]
    if not rooms:
        return ""
    done = {(r["sessions"], r["training"]["in_all"]["runs_finished"], r["training"]["in_all"]["every_run_whole"])
            for r in rooms}
    return (f"Training sessions: page 06 at the largest state (sizes {LARGEST.sizes}), learning rate {RATE}, "
            f"{MAX_TRAIN_STEPS} steps a press, Train pressed again {PRESS_AFTER_MS} ms after each run ended; "
            "every phase of a room has the same sessions open, the training ones idle when not training; "
            "\"vs no training\" is against the phase without training in the same room (run just before). "
            "Runs the training sessions finished in all, by the room's number of sessions: "
            + ", ".join(f"{n}: {runs} runs, {'each' if whole else 'NOT each'} of {MAX_TRAIN_STEPS} steps"
                        for n, runs, whole in sorted(done)) + ". ")


def report(facts: dict, results: list[dict], settings: dict) -> str:
    machine = "\n".join(f"- {key}: {value}" for key, value in facts.items())
    return (f"## Machine\n\n{machine}\n\n## Classroom load\n\n{table(results)}\n\n"
            f"Latency of the measured session: {settings['changes'] - sl.WARMUP} changes after {sl.WARMUP} "
            f"warm-up changes, while every other session makes one change every ~{settings['pace_s']} s. "
            f"{training_note(results)}"
            f"CPU in cores (of {os.cpu_count()}) over the timed phase; memory after the changes. "
            f"Settings: {settings}\n")


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], metavar="N",
                        help="numbers of sessions, one run each (default 1 10 30)")
    parser.add_argument("--changes", type=int, default=sl.WARMUP + 40,
                        help=f"changes timed in the measured session, the first {sl.WARMUP} dropped (default "
                             f"{sl.WARMUP + 40})")
    parser.add_argument("--pace", type=float, default=1.0,
                        help="seconds between two changes of a background session, on average (default 1)")
    parser.add_argument("--trainers", type=int, nargs="+", default=[0], metavar="K",
                        help="numbers of students training on page 06 (largest state, Train pressed again as "
                             "each run ends), one timed phase each in the same room (default 0)")
    parser.add_argument("--draw-background", action="store_true",
                        help="also draw the background sessions' pages: every browser drawing on this machine "
                             "(by default only their scripts run, as if each student's browser were elsewhere)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure and sample as JSON")
    args = parser.parse_args(argv)
    # Few samples are for checking that the bench works; the defaults are for figures.
    if args.changes <= sl.WARMUP or min(args.sessions) < 1 or args.pace <= 0 or min(args.trainers) < 0:
        parser.error(f"use more than {sl.WARMUP} changes, at least 1 session, a positive pace and no negative "
                     "number of trainers")
    return args


def run(args: argparse.Namespace) -> tuple[dict, list[dict]]:
    """One server, one Chromium; every N in turn (and every K within it). Returns the machine facts and the
    results."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # The training sessions in a Chromium of their own, so that its CPU is told from the classroom's.
        browsers = {label: playwright.chromium.launch(executable_path=str(sl.CHROMIUM),
                                                      args=[*sl.CHROMIUM_ARGS, sl.BROWSER_MARK + label])
                    for label in (CLASSROOM, TRAINING)[:1 + (max(args.trainers) > 0)]}
        try:
            facts = sl.machine_facts(browsers[CLASSROOM].version)
            with sl.serve(sl.OURS, name="bench-load", preheated=True) as server:  # make serve, as in class
                results = [phase for count in args.sessions
                           for phase in under_load(browsers, server, count, args.trainers, args.changes, args.pace,
                                                   not args.draw_background)]
        finally:
            for browser in browsers.values():
                browser.close()
    return facts, results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, load = time.monotonic(), os.getloadavg()[0]
    if load > 0.5:
        sl.say(f"warning: load average {load:.2f} before the run; other work on this machine skews the figures")
    facts, results = run(args)
    facts["load average (1 min) before the run"] = f"{load:.2f}"
    settings = {"sessions": args.sessions, "trainers": args.trainers, "changes": args.changes, "warmup": sl.WARMUP,
                "pause_s": sl.PAUSE,
                "pace_s": args.pace, "hide_background": not args.draw_background,
                "duration_s": round(time.monotonic() - started)}
    print(report(facts, results, settings))
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "settings": settings, "results": results}, indent=1)
                             + "\n")
        sl.say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
