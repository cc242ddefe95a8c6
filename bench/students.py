"""Students over the kernel websocket, without browsers: what a slider change costs the server.

Each student does what Voila's front end does in a browser, and nothing a browser would not:

1. ``GET`` of the page (``/voila/render/<page>``), keeping its cookies; the page's configuration
   (``jupyter-config-data``) names the kernel Voila started, or took from its pool, and ran the
   notebook in.
2. The kernel's websocket, ``api/kernels/<id>/channels?session_id=<uuid>``, asking for the
   subprotocol ``v1.kernel.websocket.jupyter.org`` (jupyter_server's binary framing, which
   Voila's front end asks for and the server chooses) and for permessage-deflate, as a browser
   does; then ``kernel_info_request``.
3. The widgets' state, as ipywidgets 8's manager loads it (``_loadFromKernel``): a ``comm_open``
   on the target ``jupyter.widget.control`` (metadata ``version`` 1.0.0), ``request_states`` on
   it, and the kernel's ``update_states`` with every model's state.
4. A slider change: ``comm_msg`` on the slider model's comm with ``method: "update"`` and the new
   ``value``, as a dragged handle sends it. The answer is complete when the kernel reports
   ``idle`` for that message (on iopub, after everything it sent because of it) and the page's
   state shows the change: the model the subject names (batchnet's status line, the bare page's
   echo) holds the text expected for the new value. The answer is found by what changed in the
   widgets' state, not by how the page draws its pictures, so the same command measures any
   drawing.
5. The pace of a browser: ipywidgets keeps at most one update of a model in flight (its
   ``_pending_msgs``, released by that message's ``idle``) and merges the moves made meanwhile
   into the next one. A student here does the same: a move made while one is in flight is sent
   when that one is answered, and its latency counts from the move.

Measured, for batchnet's page 02 and the bare page (``bench/bare_slider.ipynb``), each on its own
``make serve`` (the classroom command) in the same run:

- bytes per change: one student alone, through a TCP relay that counts what the server sends
  (websocket frames after permessage-deflate, as on the wire) next to the messages' own length
  (uncompressed); also for page 06 (the training page, its worksheet's entry W1[1,1]);
- CPU per change of the kernel and of the Voila server (and of this bench), with one student alone;
- a crowd of students: ``--paced N...`` students each moving a slider once a second (a move every
  0.75–1.25 s, starts spread over a second), ``--dragging N...`` students each dragging back to
  back (the next move as soon as the last is answered), and a ramp of total rates ``--rates``
  spread over the whole crowd until p95 passes 300 ms: the saturation is the last rate answered
  within it. Per phase: changes answered per second, latency p50 / p95, CPU per change.

Everything runs on this machine (loopback only); each phase is bounded in time, and every server
started is stopped at the end. Run: ``make bench-students`` or ``.venv/bin/python bench/students.py
[--students 100] [--paced 10 30 100] [--dragging 10 30 60] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import html
import json
import os
import random
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_weight import CountingRelay  # noqa: E402

from batchnet_core.nn.numbers import format_number  # noqa: E402
from batchnet_core.ui.controls import entry_label  # noqa: E402

import slider_latency as sl  # noqa: E402

#: jupyter_server's binary framing of kernel messages on the websocket (its ``select_subprotocol``).
SUBPROTOCOL = "v1.kernel.websocket.jupyter.org"
#: ipywidgets 8's control comm, as its front end opens it (``_loadFromKernel``).
CONTROL_TARGET, CONTROL_VERSION = "jupyter.widget.control", "1.0.0"
#: The bound a change's answer must stay within (the issue's p95 target).
BOUND_MS = 300.0
#: Longest wait for one answer before the bench gives up on the run (s).
ANSWER_TIMEOUT_S = 60
#: Pages opened at once while a crowd gathers: more only queues kernels starting on 2 cores.
OPENING_AT_ONCE = 3
#: Changes of one student alone, for bytes and CPU per change; the first WARMUP are not counted.
ALONE_CHANGES = 40
ALONE_PAUSE_S = 0.25
#: How long the crowd's kernels and server are watched at rest, before the phases: their CPU then
#: is in every phase's CPU per change too.
IDLE_S = 3.0


def say(message: str) -> None:
    sl.say(message)


# -- what a page is, and what its answer looks like ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Page:
    """A page a student opens: where it is, which slider the student moves, which model shows the answer.

    ``slider_box``: a ``_dom_classes`` entry of the box that holds the slider (its FloatSlider child).
    ``shown_in``: the ``_dom_classes`` entry of the HTML models one of which shows the answer (page 06
    has a status line for each of its parts); None for the box's own HTML child. ``expected``: the
    text that model's value holds once a value is applied.
    """

    label: str
    root: str
    path: str
    slider_box: str
    shown_in: str | None
    expected: Callable[[float], str]

    @property
    def notebook(self) -> str:
        return Path(self.path).name


def _entry_status(name: str, row: int, col: int) -> Callable[[float], str]:
    """batchnet's status line after a slider change: the entry and its new value."""
    return lambda value: html.escape(f"{entry_label(name, row, col)} = {format_number(value)}")


PAGE_02 = Page("batchnet 02", "notebooks", sl.MAIN_PAGE, "bn-W1-0-0", "bn-status", _entry_status("W1", 0, 0))
PAGE_06 = Page("batchnet 06", "notebooks", "voila/render/06_train_the_batch.ipynb", "bn-W1-0-0", "bn-status",
               _entry_status("W1", 0, 0))
BARE = Page("bare", "bench", "voila/render/bare_slider.ipynb", "bare-slider", None,
            lambda value: f"data-v='{value!r}'")


# -- the wire format -----------------------------------------------------------------------------


def pack(channel: str, header: dict, parent: dict, metadata: dict, content: dict) -> bytes:
    """A message in the v1 framing: the count of offsets, the offsets, the channel, then the parts."""
    parts = [json.dumps(part).encode() for part in (header, parent, metadata, content)]
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel.encode()))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + channel.encode() + b"".join(parts)


def unpack(frame: bytes) -> tuple[str, list[bytes]]:
    """The channel and the parts (header, parent header, metadata, content, buffers) of a v1 frame."""
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    return frame[offsets[0]:offsets[1]].decode(), [frame[offsets[i]:offsets[i + 1]] for i in range(1, count - 1)]


def page_config(page_html: str) -> dict:
    """The page's ``jupyter-config-data``, which names its kernel."""
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page_html, re.S)
    if not found:
        raise RuntimeError(f"no jupyter-config-data in the page:\n{page_html[:2000]}")
    return json.loads(found[1])


# -- one student ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    """One change: when the move was made, when it was sent, when it was answered (monotonic s)."""

    moved: float
    sent: float
    answered: float = 0.0
    shown: bool = False

    @property
    def latency_ms(self) -> float:
        return (self.answered - self.moved) * 1e3


class Student:
    """One browser's worth of traffic: the page, its kernel's websocket, one slider moved."""

    def __init__(self, base: str, page: Page, port: int | None = None) -> None:
        self.base, self.page = base, page
        #: The websocket goes to this port (a counting relay in front of the server), the page to the server.
        self.ws_port = port
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}
        self.received_bytes = self.received_messages = 0
        self.pending: dict[str, asyncio.Future] = {}  # msg_id -> resolved with its idle time
        self.replies: dict[str, asyncio.Future] = {}  # msg_id -> shell reply content
        self.control_states: asyncio.Future | None = None
        self.in_flight: Answer | None = None
        self.queued: float | None = None  # when the first move not yet sent was made
        self.sending: asyncio.Task | None = None  # sends the moves made at a pace, one after another
        self.answers: list[Answer] = []
        self.parts: dict[str, str] = {}  # a drawing's model id: the name of its text that shows the answer
        self.kernel_id = ""
        self.ws = None
        self.reader: asyncio.Task | None = None

    # opening

    async def open(self) -> None:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        response = await AsyncHTTPClient().fetch(self.base + self.page.path, request_timeout=300)
        self.kernel_id = page_config(response.body.decode())["kernelId"]
        cookies = "; ".join(c.split(";", 1)[0] for c in response.headers.get_list("Set-Cookie"))
        netloc = urlsplit(self.base).netloc
        if self.ws_port:
            netloc = f"{urlsplit(self.base).hostname}:{self.ws_port}"
        url = f"ws://{netloc}/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        request = HTTPRequest(url, headers={"Cookie": cookies} if cookies else {}, request_timeout=120)
        self.ws = await websocket_connect(request, subprotocols=[SUBPROTOCOL], compression_options={},
                                          max_message_size=256 * 2**20)
        if self.ws.selected_subprotocol != SUBPROTOCOL:
            raise RuntimeError(f"the server chose the subprotocol {self.ws.selected_subprotocol!r}, not {SUBPROTOCOL}")
        self.reader = asyncio.ensure_future(self._read())
        await self._request("kernel_info_request", {})
        self.states = await self._load_states()
        self.slider_id, self.shown_ids = self._find_models()
        self.value = float(self.states[self.slider_id]["state"]["value"])
        self.step = float(self.states[self.slider_id]["state"]["step"])
        self.start_value = self.value

    def _header(self, msg_type: str) -> dict:
        return {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "", "session": self.session,
                "date": datetime.now(UTC).isoformat(), "version": "5.3"}

    async def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        header = self._header(msg_type)
        await self.ws.write_message(pack("shell", header, {}, metadata or {}, content), binary=True)
        return header["msg_id"]

    async def _request(self, msg_type: str, content: dict) -> dict:
        header = self._header(msg_type)
        reply = self.replies[header["msg_id"]] = asyncio.get_running_loop().create_future()
        await self.ws.write_message(pack("shell", header, {}, {}, content), binary=True)
        return await asyncio.wait_for(reply, ANSWER_TIMEOUT_S)

    async def _load_states(self) -> dict[str, dict]:
        """ipywidgets 8's ``_loadFromKernel``: the control comm, ``request_states``, ``update_states``."""
        comm_id = uuid.uuid4().hex
        self.control_states = asyncio.get_running_loop().create_future()
        self.control_id = comm_id
        await self._send("comm_open", {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}},
                         {"version": CONTROL_VERSION})
        await self._send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        states = await asyncio.wait_for(self.control_states, ANSWER_TIMEOUT_S)
        await self._send("comm_close", {"comm_id": comm_id, "data": {}})
        return states

    def _find_models(self) -> tuple[str, list[str]]:
        """The slider's model id and those of the models that may show the answer: an HTML model, or the
        drawing whose text a text part (batchnet's ``drawing.TextPart``) shows."""
        def classes(model_id: str) -> list[str]:
            return self.states[model_id]["state"].get("_dom_classes", [])

        boxes = [m for m in self.states if self.page.slider_box in classes(m)]
        if len(boxes) != 1:
            raise RuntimeError(f"{len(boxes)} boxes with the class {self.page.slider_box} on {self.page.path}")
        children = [c.removeprefix("IPY_MODEL_") for c in self.states[boxes[0]]["state"]["children"]]
        slider = [c for c in children if self.states[c]["model_name"] == "FloatSliderModel"]
        if self.page.shown_in is None:
            shown = [c for c in children if self.states[c]["model_name"] == "HTMLModel"]
        else:
            shown = [m for m in self.states if self.page.shown_in in classes(m)]
            texts = [self.states[m]["state"] for m in shown if "source" in self.states[m]["state"]]
            self.parts = {text["source"].removeprefix("IPY_MODEL_"): text["name"] for text in texts}
            shown = [m for m in shown if "source" not in self.states[m]["state"]] + list(self.parts)
        if len(slider) != 1 or not shown:
            raise RuntimeError(f"{self.page.path}: {len(slider)} sliders in {self.page.slider_box}, "
                               f"{len(shown)} models of {self.page.shown_in or 'its HTML'}")
        return slider[0], shown

    # reading

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            if frame is None:
                return
            self.received_bytes += len(frame)
            self.received_messages += 1
            if isinstance(frame, str):
                raise RuntimeError(f"a text frame where the {SUBPROTOCOL} framing sends binary: {frame[:200]}")
            channel, parts = unpack(frame)
            header, parent = json.loads(parts[0]), json.loads(parts[1])
            msg_type, parent_id = header["msg_type"], parent.get("msg_id")
            if channel == "shell" and parent_id in self.replies:
                self.replies.pop(parent_id).set_result(json.loads(parts[3]))
            elif msg_type == "comm_msg":
                self._comm_message(parts)
            elif msg_type == "status" and parent_id in self.pending and b'"idle"' in parts[3]:
                self.pending.pop(parent_id).set_result(time.monotonic())

    def _comm_message(self, parts: list[bytes]) -> None:
        """Keep the state of the models the bench reads; take the control comm's answer."""
        content = parts[3]
        if self.control_states is not None and not self.control_states.done() and self.control_id.encode() in content:
            data = json.loads(content)["data"]
            if data.get("method") == "update_states":
                self.control_states.set_result(data["states"])
            return
        if self.states and any(m.encode() in content for m in self.shown_ids):
            data = json.loads(content)
            if data["comm_id"] in self.shown_ids and data["data"].get("method") == "update":
                self.states[data["comm_id"]]["state"].update(data["data"]["state"])

    def _shown_text(self, model_id: str) -> str:
        state = self.states[model_id]["state"]
        return state[self.parts[model_id]] if model_id in self.parts else state.get("value", "")

    # moving the slider

    def next_value(self) -> float:
        """Between the value the page opened with and one step to the right, back and forth."""
        return self.start_value if self.value != self.start_value else self.start_value + self.step

    async def change(self, moved: float | None = None) -> Answer:
        """Send one update of the slider's value; returns once the kernel is idle after it."""
        value = self.next_value()
        content = {"comm_id": self.slider_id, "data": {"method": "update", "state": {"value": value},
                                                       "buffer_paths": []}}
        header = self._header("comm_msg")
        idle = self.pending[header["msg_id"]] = asyncio.get_running_loop().create_future()
        sent = time.monotonic()
        answer = Answer(moved if moved is not None else sent, sent)
        self.in_flight = answer
        await self.ws.write_message(pack("shell", header, {}, {}, content), binary=True)
        answer.answered = await asyncio.wait_for(idle, ANSWER_TIMEOUT_S)
        self.value = value
        expected = self.page.expected(value)
        answer.shown = any(expected in self._shown_text(m) for m in self.shown_ids)
        self.in_flight = None
        self.answers.append(answer)
        return answer

    def move(self) -> None:
        """A move of the handle at this moment: sent now, or merged into the next send (ipywidgets' throttle)."""
        now = time.monotonic()
        if self.in_flight is not None or self.queued is not None:
            if self.queued is None:
                self.queued = now
            return
        self.sending = asyncio.ensure_future(self._send_and_drain(now))

    async def _send_and_drain(self, moved: float) -> None:
        await self.change(moved)
        while self.queued is not None:
            moved, self.queued = self.queued, None
            await self.change(moved)

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.reader, 5)


# -- measuring -----------------------------------------------------------------------------------


class Meter:
    """CPU seconds of the kernels, the server and this bench; the machine's busy time."""

    def __init__(self, server: sl.BenchServer, kernels: list[psutil.Process]) -> None:
        self.groups = {"kernels": kernels, "server": [server.server], "bench": [psutil.Process()]}

    def read(self) -> dict[str, float]:
        t = psutil.cpu_times()
        busy = t.user + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0) + getattr(t, "nice", 0.0)
        return {"wall": time.monotonic(), "machine": busy,
                **{name: sl.cpu_seconds(group) for name, group in self.groups.items()}}


def cores(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores in use on average between two readings of a Meter (1.0: one core busy all the time)."""
    wall = after["wall"] - before["wall"]
    return {name: (after[name] - before[name]) / wall for name in before if name != "wall"}


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    return {"n": len(samples), "p50": float(np.percentile(samples, 50)), "p95": float(np.percentile(samples, 95)),
            "max": float(max(samples))}


def phase_figures(answers: list[Answer], before: dict, after: dict, kind: str, students: int,
                  offered: float | None) -> dict:
    """Changes answered per second, latency, and CPU per change over one phase."""
    wall = after["wall"] - before["wall"]
    count = len(answers)
    per_change = {name: (after[name] - before[name]) * 1e3 / count if count else None
                  for name in ("kernels", "server", "bench")}
    return {"kind": kind, "students": students, "offered_per_s": offered, "seconds": wall, "changes": count,
            "changes_per_s": count / wall, "latency_ms": percentiles([a.latency_ms for a in answers]),
            "not_shown": sum(not a.shown for a in answers), "cpu_ms_per_change": per_change,
            "machine_busy": (after["machine"] - before["machine"]) / wall / os.cpu_count()}


async def settle(students: list[Student]) -> None:
    """Wait until no change of these students is in flight or queued."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while any(s.in_flight is not None or s.queued is not None for s in students):
        for s in students:
            if s.sending is not None and s.sending.done() and s.sending.exception() is not None:
                raise s.sending.exception()
        if time.monotonic() > deadline:
            raise TimeoutError("changes still unanswered after the phase")
        await asyncio.sleep(0.02)


async def timed(students: list[Student], meter: Meter, seconds: float, warmup: float,
                drive: Callable[[float], asyncio.Future]) -> tuple[list[Answer], dict, dict]:
    """Run ``drive(until)`` for warmup + seconds; the answers to moves made after the warm-up, and the
    meter's readings around them."""
    start = time.monotonic()
    counted_from = start + warmup
    for s in students:
        s.answers.clear()
    task = asyncio.ensure_future(drive(counted_from + seconds))
    await asyncio.sleep(warmup)
    before = meter.read()
    await task
    await settle(students)
    after = meter.read()
    answers = [a for s in students for a in s.answers if a.moved >= counted_from]
    return answers, before, after


def paced_drive(students: list[Student], rate_each: float) -> Callable[[float], asyncio.Future]:
    """Each student moves about ``rate_each`` times a second (0.75–1.25 of the mean gap), starts spread."""
    async def drive(until: float) -> None:
        gap = 1.0 / rate_each

        async def one(student: Student, offset: float) -> None:
            await asyncio.sleep(offset)
            while time.monotonic() < until:
                student.move()
                await asyncio.sleep(gap * (0.75 + 0.5 * random.random()))
        await asyncio.gather(*(one(s, gap * i / len(students)) for i, s in enumerate(students)))
    return drive


def dragging_drive(students: list[Student]) -> Callable[[float], asyncio.Future]:
    """Each student sends the next move as soon as the last is answered (a handle dragged without stop)."""
    async def drive(until: float) -> None:
        async def one(student: Student) -> None:
            while time.monotonic() < until:
                await student.change()
        await asyncio.gather(*(one(s) for s in students))
    return drive


async def crowd_phases(server: sl.BenchServer, page: Page, args: argparse.Namespace) -> dict:
    """Open the crowd, then every phase: paced, dragging, the ramp."""
    size = max([*args.paced, *args.dragging, args.students])
    say(f"{page.label}: opening {size} students")
    opened = time.monotonic()
    crowd: list[Student] = []
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one() -> Student:
        async with gate:
            student = Student(server.url, page)
            await student.open()
            return student
    try:
        crowd = list(await asyncio.gather(*(open_one() for _ in range(size))))
        open_s = time.monotonic() - opened
        kernels = [server.kernel(s.kernel_id) for s in crowd]
        await asyncio.to_thread(server.wait_quiet, kernels)
        say(f"  opened in {open_s:.0f} s; kernels {sum(sl.rss_mb(k) for k in kernels):.0f} MB in all")
        meter = Meter(server, kernels)
        before = meter.read()
        await asyncio.sleep(IDLE_S)
        idle = cores(before, meter.read())
        say(f"  at rest: kernels {idle['kernels']:.2f}, server {idle['server']:.2f} of a core")
        phases = []
        for n in args.paced:
            answers, before, after = await timed(crowd[:n], meter, args.seconds, args.warmup,
                                                 paced_drive(crowd[:n], 1.0))
            phases.append(phase_figures(answers, before, after, "paced", n, float(n)))
            say(f"  {describe(phases[-1])}")
        for n in args.dragging:
            answers, before, after = await timed(crowd[:n], meter, args.seconds, args.warmup, dragging_drive(crowd[:n]))
            phases.append(phase_figures(answers, before, after, "dragging", n, None))
            say(f"  {describe(phases[-1])}")
        ramp = crowd[:args.students]
        for rate in args.rates:
            answers, before, after = await timed(ramp, meter, args.seconds, args.warmup,
                                                 paced_drive(ramp, rate / len(ramp)))
            phases.append(phase_figures(answers, before, after, "ramp", len(ramp), float(rate)))
            say(f"  {describe(phases[-1])}")
            if phases[-1]["latency_ms"]["p95"] > BOUND_MS:
                break
        return {"page": page.label, "students_opened": size, "open_s": open_s, "idle_cores": idle,
                "kernels_rss_mb": sum(sl.rss_mb(k) for k in kernels), "phases": phases,
                "saturation": saturation(phases)}
    finally:
        await asyncio.gather(*(s.close() for s in crowd))


def saturation(phases: list[dict]) -> dict:
    """The most changes answered per second in a ramp step whose p95 stayed within the bound, and the
    first step past it; and the most answered per second in any phase (the server's capacity, once
    more students answer no more: a crowd too small for the bound, each student waiting for its
    answer, finds that instead)."""
    ramp = [p for p in phases if p["kind"] == "ramp"]
    within = [p for p in ramp if p["latency_ms"]["p95"] <= BOUND_MS]
    past = next((p for p in ramp if p["latency_ms"]["p95"] > BOUND_MS), None)
    return {"changes_per_s": max((p["changes_per_s"] for p in within), default=None),
            "offered_past_bound": past["offered_per_s"] if past else None,
            "reached_bound": past is not None,
            "most_answered_per_s": max(p["changes_per_s"] for p in phases)}


def describe(phase: dict) -> str:
    latency = phase["latency_ms"]
    offered = f", offered {phase['offered_per_s']:.0f}/s" if phase["offered_per_s"] else ""
    return (f"{phase['kind']} {phase['students']}{offered}: {phase['changes_per_s']:.1f} changes/s, "
            f"p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, kernel "
            f"{phase['cpu_ms_per_change']['kernels']:.2f} ms, server {phase['cpu_ms_per_change']['server']:.2f} ms "
            f"a change; machine {100 * phase['machine_busy']:.0f} % busy")


async def alone(server: sl.BenchServer, page: Page, changes: int) -> dict:
    """One student alone, its websocket through a counting relay: bytes and CPU per change."""
    relay = CountingRelay(urlsplit(server.url).port)
    student = Student(server.url, page, port=relay.port)
    try:
        await student.open()
        kernel = server.kernel(student.kernel_id)
        await asyncio.to_thread(server.wait_quiet, [kernel])
        meter = Meter(server, [kernel])
        for _ in range(sl.WARMUP):
            await student.change()
            await asyncio.sleep(ALONE_PAUSE_S)
        await asyncio.to_thread(server.wait_quiet, [kernel])
        relay.reset()
        bytes_before, messages_before = student.received_bytes, student.received_messages
        before = meter.read()
        student.answers.clear()
        for _ in range(changes):
            await student.change()
            await asyncio.sleep(ALONE_PAUSE_S)
        await asyncio.to_thread(server.wait_quiet, [kernel], True, 0.3)
        after = meter.read()
        count = len(student.answers)
        return {"page": page.label, "changes": count,
                "wire_bytes_per_change": relay.to_browser / count,
                "sent_wire_bytes_per_change": relay.to_server / count,
                "uncompressed_bytes_per_change": (student.received_bytes - bytes_before) / count,
                "messages_per_change": (student.received_messages - messages_before) / count,
                "latency_ms": percentiles([a.latency_ms for a in student.answers]),
                "not_shown": sum(not a.shown for a in student.answers),
                "cpu_ms_per_change": {name: (after[name] - before[name]) * 1e3 / count
                                      for name in ("kernels", "server", "bench")}}
    finally:
        await student.close()
        relay.close()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(server.shut_down_kernel, student.kernel_id)


# -- the run -------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(page: Page, name: str, students: int):
    """``make serve`` for the page's folder, its page preheated, room for every student's kernel."""
    with sl.serve(sl.Subject(page.label, page.root, page.path, "", 0), name=name, preheated=True,
                  MAX_KERNELS=students + 8) as server:
        server.wait_for_pool(page.notebook, fills=1)
        yield server


async def measure(args: argparse.Namespace) -> dict:
    results: dict = {"alone": [], "crowd": []}
    size = max([*args.paced, *args.dragging, args.students])
    for page, others in ((PAGE_02, [PAGE_06] * args.page_06), (BARE, [])):
        with serve(page, f"students-{page.label.replace(' ', '-')}", size) as server:
            for each in (page, *others):
                say(f"{each.label}: one student alone, {args.alone} changes")
                results["alone"].append(await alone(server, each, args.alone))
            if size:
                results["crowd"].append(await crowd_phases(server, page, args))
    return results


# -- the report ----------------------------------------------------------------------------------


def kb(value: float) -> str:
    return f"{value / 1e3:.1f} kB" if value >= 1000 else f"{value:.0f} B"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def ms(value: float | None) -> str:
    return "—" if value is None else sl.ms(value)


def table(head: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(head) + " |", "|" + " --- |" * len(head),
                      *("| " + " | ".join(row) + " |" for row in rows)])


def report(facts: dict, results: dict, settings: dict) -> str:
    alone = table(
        ["page", "on the wire (deflate)", "uncompressed", "messages", "sent by the student", "latency p50 / p95",
         "kernel CPU", "server CPU", "answers not shown"],
        [[r["page"], kb(r["wire_bytes_per_change"]), kb(r["uncompressed_bytes_per_change"]),
          f"{r['messages_per_change']:.1f}", kb(r["sent_wire_bytes_per_change"]),
          f"{ms(r['latency_ms']['p50'])} / {ms(r['latency_ms']['p95'])}", f"{r['cpu_ms_per_change']['kernels']:.2f} ms",
          f"{r['cpu_ms_per_change']['server']:.2f} ms", str(r["not_shown"])] for r in results["alone"]])
    crowd = table(
        ["page", "phase", "students", "offered/s", "answered/s", "p50", "p95", "kernel CPU", "server CPU", "bench CPU",
         "machine busy"],
        [[c["page"], p["kind"], str(p["students"]), rate(p["offered_per_s"]), f"{p['changes_per_s']:.1f}",
          ms(p["latency_ms"]["p50"]), ms(p["latency_ms"]["p95"]),
          *(f"{p['cpu_ms_per_change'][name]:.2f} ms" for name in ("kernels", "server", "bench")),
          f"{100 * p['machine_busy']:.0f} %"] for c in results["crowd"] for p in c["phases"]])
    at_rest = "; ".join(f"{c['page']}: kernels {c['idle_cores']['kernels']:.2f}, server "
                        f"{c['idle_cores']['server']:.2f}" for c in results["crowd"] if "idle_cores" in c)
    saturations = "; ".join(
        f"{c['page']}: {rate(c['saturation']['changes_per_s'])} changes/s"
        + ("" if c["saturation"]["reached_bound"] else " (bound not reached by the last rate)")
        + f", at most {rate(c['saturation']['most_answered_per_s'])} answered/s in any phase"
        for c in results["crowd"])
    machine = "\n".join(f"- {key}: {value}" for key, value in facts.items())
    return (f"## Machine\n\n{machine}\n\n## One student alone, per change\n\n{alone}\n\n## A crowd\n\n{crowd}"
            + f"\n\nSaturation (most changes answered per second with p95 within {BOUND_MS:.0f} ms): {saturations}."
            f"\n\nThe crowd at rest before its phases, cores in use: {at_rest or '—'}."
            f"\n\nLatency: from the move to the kernel's idle after it, the page's state showing the change. "
            f"Settings: {settings}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100, help="the crowd the ramp spreads its rates over "
                                                                   "(default 100)")
    parser.add_argument("--paced", type=int, nargs="*", default=[10, 30, 100], metavar="N",
                        help="students each moving a slider once a second, one phase each (default 10 30 100)")
    parser.add_argument("--dragging", type=int, nargs="*", default=[10, 30, 60], metavar="N",
                        help="students dragging back to back, one phase each (default 10 30 60)")
    parser.add_argument("--rates", type=float, nargs="*",
                        default=[50, 75, 100, 125, 150, 200, 250, 300, 350, 400, 500],
                        help="total changes a second of the ramp, in turn until p95 passes 300 ms")
    parser.add_argument("--seconds", type=float, default=10, help="each phase's counted time (default 10 s)")
    parser.add_argument("--warmup", type=float, default=2, help="each phase's uncounted start (default 2 s)")
    parser.add_argument("--alone", type=int, default=ALONE_CHANGES,
                        help=f"changes of one student alone, per page (default {ALONE_CHANGES})")
    parser.add_argument("--no-page-06", dest="page_06", action="store_false", help="skip page 06's bytes")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure as JSON")
    args = parser.parse_args(argv)
    if args.students < 1 or args.alone < 1 or args.seconds <= 0 or args.warmup < 0 or \
            min([*args.paced, *args.dragging, 1]) < 1 or min([*args.rates, 1]) <= 0:
        parser.error("use at least 1 student and 1 change alone, positive rates and times")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, load = time.monotonic(), os.getloadavg()[0]
    if load > 0.5:
        say(f"warning: load average {load:.2f} before the run; other work on this machine skews the figures")
    results = asyncio.run(measure(args))
    facts = sl.machine_facts("not used")
    del facts["chromium"], facts["playwright"]
    facts["load average (1 min) before the run"] = f"{load:.2f}"
    settings = {key: value for key, value in vars(args).items() if key != "json"}
    settings["duration_s"] = round(time.monotonic() - started)
    print(report(facts, results, settings))
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "settings": settings, "results": results}, indent=1) + "\n")
        say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
