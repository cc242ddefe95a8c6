"""The class view's hub service without a hub: who teaches which class, an answer kept once in each of
a student's classes, and two replicas that hear each other's push, pause and students.

The real hub, its proxy and its spawned servers are in ``tests/test_jupyterhub.py``.
"""

from __future__ import annotations

import asyncio
import json

from batchnet_core.classroom.answers import read_answer
from batchnet_core.classroom.hub import TEACH, ClassService, student_id, teaches
from batchnet_core.classroom.store import ClassStore

from conftest import run_in_a_thread

ANSWER = {"type": "answer", "id": "a" * 32, "page": "03_by_hand.ipynb", "seed": 7, "difficulty": "medium",
          "part": "blank", "cell": "H_z,1,0", "typed": "4"}


def test_a_teacher_of_one_group_teaches_it_alone_and_the_unfiltered_scope_every_group():
    assert teaches({"scopes": [f"{TEACH}!group=class-a"]}, "class-a")
    assert not teaches({"scopes": [f"{TEACH}!group=class-b"]}, "class-a")
    assert teaches({"scopes": [TEACH]}, "class-a") and teaches({"scopes": [TEACH]}, "any")
    assert not teaches({"scopes": ["custom:batchnet-class:answer!user=alice"]}, "class-a")
    assert not teaches(None, "class-a")


class Kernel:
    def __init__(self) -> None:
        self.heard: list[dict] = []

    def send(self, message: dict) -> None:
        self.heard.append(message)


def test_two_replicas_hear_each_others_push_pause_and_students(tmp_path):
    url = f"sqlite:///{tmp_path}/class.sqlite"

    async def scenario():
        # two replicas on one database: the store's announce and listen carry their events
        first, second = (ClassService(ClassStore(url), "/services/batchnet-class/", None) for _ in range(2))
        for service in (first, second):
            service.start()
        await asyncio.sleep(0)
        here, there = first.room("class-a"), second.room("class-a")
        # bob's kernel on the second replica
        bob = Kernel()
        there.kernels["k1"] = bob
        sid = student_id("class-a", "bob")
        await there.run(there.store.student, sid, "class-a", "bob")
        there.pages["k1"] = "03_by_hand.ipynb"
        await there.bind("k1", sid, False)
        there.changed(link="k1", student=sid, page="03_by_hand.ipynb", present=True, at=1.0)
        assert (await there.answer("k1", ANSWER))["type"] == "ack"
        assert (await there.answer("k1", ANSWER))["type"] == "ack"  # sent again: kept once
        await asyncio.sleep(0.1)
        # the teacher, on the first replica, sees him present and his answer once
        assert here.present() == {sid: "03_by_hand.ipynb"}
        summary = json.loads(await here.summary())
        assert summary["students"] == 1 and summary["exercises"][0]["cells"]["H_z,1,0"]["answers"] == 1
        # and pushes and pauses through the first: bob hears them on the second
        push = await here.push("W1=1,2&b1=0&x1=1,2")
        await here.pause(True)
        await asyncio.sleep(0.1)
        assert {"type": "push", "id": push["id"], "state": "W1=1,2&b1=0&x1=1,2"} in bob.heard
        assert bob.heard[-1] == {"type": "pause", "paused": True}
        there.changed(link="k1", present=False)
        await asyncio.sleep(0.1)
        assert here.present() == {}
        for service in (first, second):
            await service.stop()
            service.store.close()

    run_in_a_thread(scenario())


def test_a_student_of_two_classes_answers_into_each_once(tmp_path):
    store = ClassStore(f"sqlite:///{tmp_path}/class.sqlite")
    service = ClassService(store, "/services/batchnet-class/", None)
    answer = read_answer(ANSWER)
    kept = {service.room(group).kept_as(answer).id for group in ("class-a", "class-b")}
    assert len(kept) == 2 and answer.id not in kept
    assert service.room("class-a").kept_as(answer) == service.room("class-a").kept_as(answer)
    store.close()
