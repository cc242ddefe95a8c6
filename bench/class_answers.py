"""Does the class slow the slider? One student's slider on page 02, timed while other students answer.

On one real ``make serve`` (the class on, its database in a temporary folder, the teacher's page
connected over its live websocket), one Chromium session of the main page is timed exactly as
``slider_latency.py`` times it (in-page clock from keydown until the page shows the new state). The
same session is timed in two phases that take turns, ``--rounds`` times each:

- *quiet*: nobody answers;
- *answering*: ``--answerers`` students' kernels of page 03, each driven over its websocket as its
  front end drives it, type an answer into a blank every ``--pace`` seconds (each one checked in its
  kernel, sent to the class, checked again and written to the database, and the teacher's page told).

Reported: the slider's latency (median, p95) in each phase and their ratio (answering / quiet), the
answers the class recorded during the answering phases (from the class's own API) against those
typed, and the machine. A ratio near 1 says recording answers does not slow the slider path.

Run: ``make bench-class`` or ``.venv/bin/python bench/class_answers.py [--answerers 10] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from batchnet_core.exercises import new_exercise  # noqa: E402

import slider_latency as sl  # noqa: E402
from conftest import make_server, wait_for_log  # noqa: E402
from test_classroom import PageKernel  # noqa: E402

TEACHER_LINE = re.compile(r"class\?token=(\S+)")
SEED, DIFFICULTY = 7, "medium"


class Answerers:
    """``count`` students of page 03, each typing a wrong answer into one blank every ``pace`` seconds while
    ``answering`` is set; in a thread of their own, with their own event loop."""

    def __init__(self, url: str, count: int, pace: float) -> None:
        self.url, self.count, self.pace = url, count, pace
        self.answering = threading.Event()
        self.stopping = threading.Event()
        self.typed = 0
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        blank = next(c for c in new_exercise(SEED, DIFFICULTY).blanks if c.layer == "H_z")
        self.box_class = f"bn-blank-{blank.layer}-{blank.row}-{blank.col}"
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by the main thread
            self.failed = error
            self.ready.set()

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        kernels = await asyncio.gather(*(loop.run_in_executor(None, PageKernel, self.url, "03_by_hand",
                                                              f"seed={SEED}&difficulty={DIFFICULTY}")
                                         for _ in range(self.count)))
        for kernel in kernels:
            await kernel.connect()
            reveal = kernel.model("ButtonModel", dom_class="bn-button-reveal")
            await kernel.send("comm_msg", {"comm_id": reveal, "data": {"method": "custom",
                                                                        "content": {"event": "click"}}})
        self.ready.set()

        async def student(k: int, kernel: PageKernel) -> None:
            box = kernel.model("TextModel", dom_class=self.box_class)
            await asyncio.sleep(self.pace * k / self.count)  # spread over one pace
            n = 0
            while not self.stopping.is_set():
                if self.answering.is_set():
                    n += 1
                    await kernel.update(box, value=f"{1000 + n}")  # wrong: the box stays open
                    self.typed += 1
                await asyncio.sleep(self.pace)

        await asyncio.gather(*(student(k, kernel) for k, kernel in enumerate(kernels)))
        for kernel in kernels:
            kernel.socket.close()


def answers_recorded(url: str, token: str) -> int:
    request = urllib.request.Request(url + "class/api/summary", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        summary = json.load(response)
    return sum(row["answers"] for row in summary["roster"])


def run(args: argparse.Namespace) -> dict:
    from playwright.sync_api import sync_playwright
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    data = tempfile.mkdtemp(prefix="bench-class-")
    with make_server("serve", name="bench-class", POOL=1, CLASS_DATA=data) as server, \
            sync_playwright() as playwright:
        wait_for_log(server, "The teacher's page: ")
        token = TEACHER_LINE.search(server.log.read_text()).group(1)
        bench = sl.BenchServer(server.url, server.process, server.log)
        teacher_heard = []

        async def teacher() -> None:  # the teacher's page, connected all along
            socket = await websocket_connect(HTTPRequest(server.url.replace("http", "ws") + "class/api/live",
                                                         headers={"Authorization": f"token {token}"}))
            while (message := await socket.read_message()) is not None:
                teacher_heard.append(len(message))

        watcher = threading.Thread(target=lambda: asyncio.run(teacher()), daemon=True)
        watcher.start()
        answerers = Answerers(server.url, args.answerers, args.pace)
        answerers.thread.start()
        answerers.ready.wait(600)
        if answerers.failed:
            raise answerers.failed
        browser = playwright.chromium.launch(executable_path=str(sl.CHROMIUM), args=sl.CHROMIUM_ARGS)
        facts = sl.machine_facts(browser.version)
        phases: dict[str, list[dict]] = {"quiet": [], "answering": []}
        recorded = 0
        try:
            with sl.session(browser, bench) as page:
                page.add_init_script(sl.FRAME_LOG)
                sl.open_app(page, server.url + sl.MAIN_PAGE, timeout=sl.LOAD_TIMEOUT_MS)
                moves = sl.batchnet_changes(2 * args.rounds * (args.changes + sl.WARMUP))
                for round_ in range(args.rounds):
                    for phase in ("quiet", "answering"):
                        before = answers_recorded(server.url, token)
                        if phase == "answering":
                            answerers.answering.set()
                            time.sleep(args.pace)  # every answerer has begun
                        timer = sl.SliderTimer(page, moves)
                        for _ in range(args.changes + sl.WARMUP):
                            timer.next_change()
                            time.sleep(sl.PAUSE)
                        answerers.answering.clear()
                        time.sleep(args.pace + 1)  # the last answers are in
                        phases[phase].append({"update": timer.times()["update"],
                                              "answers": answers_recorded(server.url, token) - before})
                        recorded += phases[phase][-1]["answers"] if phase == "answering" else 0
                        sl.say(f"  round {round_ + 1}, {phase}: median "
                               f"{sl.stats(phases[phase][-1]['update'])['median']:.0f} ms, "
                               f"{phases[phase][-1]['answers']} answers recorded")
        finally:
            answerers.stopping.set()
            browser.close()
    latency = {phase: sl.stats([t for r in rounds for t in r["update"]]) for phase, rounds in phases.items()}
    return {
        "machine": facts,
        "settings": {"answerers": args.answerers, "pace_s": args.pace, "changes_a_phase": args.changes,
                     "warmup": sl.WARMUP, "rounds": args.rounds, "pause_s": sl.PAUSE},
        "latency_ms": latency,
        "answering_versus_quiet": {key: latency["answering"][key] / latency["quiet"][key]
                                   for key in ("median", "p95")},
        "answers": {"typed": answerers.typed, "recorded_while_answering": recorded,
                    "recorded_while_quiet": sum(r["answers"] for r in phases["quiet"])},
        "teacher_messages": len(teacher_heard),
    }


def report(result: dict) -> str:
    lat, ratio, answers = result["latency_ms"], result["answering_versus_quiet"], result["answers"]
    s = result["settings"]
    lines = ["# The class and the slider path", "", "| machine | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in result["machine"].items()]
    lines += ["", f"One student's slider on page 02, timed while {s['answerers']} students of page 03 each answer "
              f"once every {s['pace_s']:g} s, and while nobody answers; {s['rounds']} rounds of "
              f"{s['changes_a_phase']} timed changes a phase, taking turns.", "",
              "| phase | median ms | p95 ms |", "| --- | ---: | ---: |",
              f"| quiet | {lat['quiet']['median']:.0f} | {lat['quiet']['p95']:.0f} |",
              f"| answering | {lat['answering']['median']:.0f} | {lat['answering']['p95']:.0f} |",
              f"| answering / quiet | {ratio['median']:.2f} | {ratio['p95']:.2f} |", "",
              f"Answers typed {answers['typed']}; recorded by the class while answering "
              f"{answers['recorded_while_answering']}, while quiet {answers['recorded_while_quiet']}; "
              f"the teacher's page heard {result['teacher_messages']} summaries."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answerers", type=int, default=10, help="students answering on page 03 (default 10)")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between one student's answers")
    parser.add_argument("--changes", type=int, default=30, help="timed slider changes a phase")
    parser.add_argument("--rounds", type=int, default=3, help="times each phase is timed, taking turns")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure as JSON")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    if load > 0.5:
        sl.say(f"warning: load average {load:.2f} before the run; other work on this machine skews the figures")
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
