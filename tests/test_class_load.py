"""Thirty students answering at once on the real ``make serve``, each a real page's kernel driven over its
websocket as its front end drives it (no browsers: thirty kernels, not thirty Chromiums): every answer
is kept exactly once, the teacher's live connection is right within a second of the last Enter, and
sixty teacher's pages connecting and leaving meanwhile change nothing for the students.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from batchnet_core.exercises import new_exercise

from conftest import make_server, run_in_a_thread
from test_classroom import PageKernel

TEACHER = "teacher-of-thirty"
STUDENTS = 30
RECONNECTS = 60
SEED, DIFFICULTY = 7, "medium"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("class-data")
    with make_server("serve", name="class-load", POOL=0, TEACHER=TEACHER, CLASS_DATA=data) as server:
        yield server


async def live(url: str):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    return await websocket_connect(HTTPRequest(url.replace("http", "ws") + "class/api/live",
                                               headers={"Authorization": f"token {TEACHER}"}))


async def class_of_thirty(url: str, cell: str, typed: list[str]) -> dict:
    loop = asyncio.get_running_loop()
    kernels = await asyncio.gather(*(loop.run_in_executor(None, PageKernel, url, "03_by_hand",
                                                          f"seed={SEED}&difficulty={DIFFICULTY}")
                                     for _ in range(STUDENTS)))
    await asyncio.gather(*(kernel.connect() for kernel in kernels))
    layer, row, col = cell.split(",")
    for kernel in kernels:
        reveal = kernel.model("ButtonModel", dom_class="bn-button-reveal")
        await kernel.send("comm_msg", {"comm_id": reveal, "data": {"method": "custom",
                                                                    "content": {"event": "click"}}})
    teacher = await live(url)
    first = json.loads(await asyncio.wait_for(teacher.read_message(), 30))
    assert first["type"] == "summary"

    async def come_and_go() -> None:
        for _ in range(RECONNECTS):
            socket = await live(url)
            assert json.loads(await asyncio.wait_for(socket.read_message(), 30))["type"] == "summary"
            socket.close()

    async def answer(kernel, text) -> None:
        box = kernel.model("TextModel", dom_class=f"bn-blank-{layer}-{row}-{col}")
        await kernel.update(box, value=text)

    visitors = asyncio.ensure_future(come_and_go())
    await asyncio.gather(*(answer(kernel, text) for kernel, text in zip(kernels, typed)))
    entered = time.monotonic()
    seen, exercise = None, None
    while time.monotonic() - entered < 10:
        message = json.loads(await asyncio.wait_for(teacher.read_message(), 10))
        exercise = next((e for e in message.get("exercises", []) if e["seed"] == SEED), None)
        if exercise and exercise["cells"].get(cell, {}).get("answers") == STUDENTS:
            seen = time.monotonic() - entered
            break
    await visitors
    teacher.close()
    for kernel in kernels:
        kernel.socket.close()
    return {"seen": seen, "exercise": exercise}


def test_thirty_students_answer_at_once(server):
    exercise = new_exercise(SEED, DIFFICULTY)
    blank = next(c for c in exercise.blanks if c.layer == "H_z")
    W1, b1, X = exercise.state.W1, exercise.state.b1, exercise.state.X
    right = float(W1[blank.row] @ X[:, blank.col] + b1[blank.row])
    typed = [f"{right:g}" if k % 3 else f"{right - b1[blank.row]:g}" for k in range(STUDENTS)]
    cell = f"H_z,{blank.row},{blank.col}"
    result = run_in_a_thread(asyncio.wait_for(class_of_thirty(server.url, cell, typed), 600))
    assert result["seen"] is not None, "the teacher never saw all thirty answers"
    assert result["seen"] < 1.0, f"the teacher saw the thirtieth answer {result['seen']:.2f} s after it was typed"
    counts = result["exercise"]["cells"][cell]
    assert (counts["answers"], counts["correct"]) == (STUDENTS, STUDENTS - STUDENTS // 3)
    assert counts["mistakes"] == {"bias-forgotten": STUDENTS // 3}
    # the predictions too: every student revealed once, every cell of H predicted once per student
    predictions = [c for name, c in result["exercise"]["cells"].items() if name.startswith("predict,")]
    assert predictions and all(c["answers"] == STUDENTS for c in predictions)
