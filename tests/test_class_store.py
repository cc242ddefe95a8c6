"""The class's storage and the checking of what a kernel sends, without a server.

The storage is tested against every database the class runs on: ``store_url`` gives each one's URL
(SQLite in a file here, a fresh database of the session's throwaway PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import threading
import time
import uuid

import numpy as np
import pytest
import sqlalchemy as sa

import batchnet_core as bn
from batchnet_core.classroom.answers import (
    MISTAKE_WORDS,
    Answer,
    Verdict,
    asked_cells,
    check,
    exercise_layout,
    read_answer,
    read_name,
)
from batchnet_core.classroom.store import MAX_EVENT_BYTES, ClassStore
from batchnet_core.exercises import new_exercise, new_missing, zeroed_by_relu
from batchnet_core.gradient_exercises import new_gradient_exercise
from batchnet_core.nn.forward import forward
from batchnet_core.nn.numbers import format_number

from conftest import run_in_a_thread

PAGE = "03_by_hand.ipynb"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'class.sqlite'}"
        return
    import psycopg

    # a database per test, so that no test sees another's students
    server = request.getfixturevalue("postgres_url")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def store(store_url):
    store = ClassStore(store_url)
    yield store
    store.close()


def answer(cell: str, typed: str, part: str = "blank", seed: int = 7, difficulty: str = "medium",
           page: str = PAGE) -> Answer:
    return read_answer({"id": uuid.uuid4().hex, "page": page, "seed": seed, "difficulty": difficulty,
                        "part": part, "cell": cell, "typed": typed})


def keep(store: ClassStore, student: str, a: Answer) -> bool:
    return store.record(student, a, check(a))


# -- reading and checking -------------------------------------------------------------------------

def test_an_answer_is_read_field_by_field_and_refused_naming_the_field():
    good = {"id": "a" * 32, "page": PAGE, "seed": 7, "difficulty": "medium", "part": "blank",
            "cell": asked_cells("blank", 7, "medium")[0], "typed": "3"}
    assert read_answer(good).exercise == f"{PAGE}|7|medium"
    for field, value, words in [
        ("id", "x' OR 1=1 --", "id: expected 32 hexadecimal digits"),
        ("page", "../../etc/passwd", "page: '../../etc/passwd' is not a page of the series"),
        ("seed", "7", "seed: expected a whole number"),
        ("seed", True, "seed: expected a whole number"),
        ("seed", -1, "seed: expected 0 to"),
        ("difficulty", "impossible", "difficulty: expected one of easy, medium, hard"),
        ("part", "everything", "part: expected one of blank, predict, missing, gradient"),
        ("cell", "H_z,99,0", "cell: 'H_z,99,0' is not asked in this exercise (seed 7, medium)"),
        ("typed", "9" * 65, "typed: at most 64 characters"),
        ("typed", None, "typed: expected text"),
    ]:
        with pytest.raises(ValueError) as refused:
            read_answer({**good, field: value})
        assert str(refused.value).startswith(words), (field, value)
    with pytest.raises(ValueError, match="answer: expected an object"):
        read_answer(["not", "a", "dict"])
    with pytest.raises(ValueError, match="typed: a prediction is '0' or '\\+'"):
        read_answer({**good, "part": "predict", "cell": "H,0,0", "typed": "maybe"})


def test_the_server_checks_every_kind_of_answer_itself():
    exercise, missing = new_exercise(7, "medium"), new_missing(7, "medium")
    W1, b1, X = exercise.state.W1, exercise.state.b1, exercise.state.X
    cell = next(c for c in exercise.blanks if c.layer == "H_z")
    right = W1[cell.row] @ X[:, cell.col] + b1[cell.row]  # worked here, not by the checker
    assert check(answer(f"H_z,{cell.row},{cell.col}", f"{right:g}")).correct
    no_bias = check(answer(f"H_z,{cell.row},{cell.col}", f"{right - b1[cell.row]:g}"))
    assert (no_bias.correct, no_bias.mistake) == (False, "bias-forgotten")
    assert check(answer(f"H_z,{cell.row},{cell.col}", "seven")).mistake == "not-a-number"

    zero = sorted(zeroed_by_relu(exercise.state))[0]
    H_z = W1 @ X + b1[:, None]
    positive = next((r, c) for r in range(H_z.shape[0]) for c in range(H_z.shape[1]) if H_z[r, c] > 0)
    assert check(answer(f"H,{zero[0]},{zero[1]}", "0", part="predict")).correct
    assert check(answer(f"H,{zero[0]},{zero[1]}", "+", part="predict")).mistake == "relu-zero-missed"
    assert check(answer(f"H,{positive[0]},{positive[1]}", "0", part="predict")).mistake == "relu-zero-wrong"
    assert check(answer(f"H,{positive[0]},{positive[1]}", "+", part="predict")).correct

    hidden = getattr(exercise.state, missing.name)
    value = hidden[missing.row, missing.col] if missing.name == "W1" else hidden[missing.row]
    assert check(answer(f"{missing.name},{missing.row},{missing.col}", f"{value:g}", part="missing")).correct

    g = new_gradient_exercise(3, "medium")
    cell = f"d{g.name},{g.row},{g.col}"
    page = "06_train_the_batch.ipynb"
    assert check(answer(cell, f"{g.answer:.4f}", part="gradient", seed=3, page=page)).correct
    wrong = check(answer(cell, f"{-g.answer:.4f}", part="gradient", seed=3, page=page))
    assert (wrong.correct, wrong.mistake) == (False, "wrong-sign")


def test_a_name_is_trimmed_bounded_and_free_of_control_characters():
    assert read_name("  Ada   Lovelace ") == "Ada Lovelace"
    assert read_name("<b>Bo</b>") == "<b>Bo</b>"  # kept as typed: every view shows it as text
    for bad, words in [("", "name: type at least one character"), ("   ", "name: type at least one character"),
                       ("x" * 41, "name: at most 40 characters (got 41)"), (None, "name: expected text"),
                       ("a\u202eb", "name: letters, digits, spaces and punctuation only")]:
        with pytest.raises(ValueError) as refused:
            read_name(bad)
        assert str(refused.value).startswith(words)


def test_the_layout_is_the_worksheets_own_grid():
    exercise = new_exercise(7, "medium")
    layout = exercise_layout(PAGE, 7, "medium", {"blank", "predict", "missing"})
    trace = forward(exercise.state)
    names = [m["name"] for m in layout["matrices"]]
    assert names == ["predict", *(name for name, _ in trace.items()), new_missing(7, "medium").name]
    for matrix in layout["matrices"][1:-1]:
        assert (matrix["rows"], matrix["cols"]) == trace[matrix["name"]].shape
        assert sorted(matrix["asked"]) == sorted(f"{c.layer},{c.row},{c.col}" for c in exercise.blanks
                                                 if c.layer == matrix["name"])
    assert layout["title"] == "Work it out by hand · seed 7 · medium"


def test_page_06s_exercise_is_titled_by_its_gradient_exercise_seed():
    """06's answers come from its gradient exercise, whose seed its link calls gradient_seed: ``seed=7`` there
    is a state's random numbers, so the title says whose seed it is."""
    gradient = new_gradient_exercise(7, "hard")
    layout = exercise_layout("06_train_the_batch.ipynb", 7, "hard", {"gradient"})
    assert layout["title"] == "Train on the batch · gradient exercise seed 7 · hard"
    assert [m["name"] for m in layout["matrices"]] == [f"d{gradient.name}"]


# -- the storage ----------------------------------------------------------------------------------

def test_students_are_numbered_in_order_and_keep_their_names(store):
    first, second = store.student(None), store.student("b" * 32)
    assert (first.number, first.name, second.number, second.name) == (1, "Student 1", 2, "Student 2")
    assert store.student("b" * 32) == second
    assert store.rename(second.id, "<img src=x onerror=alert(1)>").name == "<img src=x onerror=alert(1)>"
    assert store.student(second.id).name == "<img src=x onerror=alert(1)>"


def test_thirty_students_arriving_at_once_get_thirty_numbers(store):
    start = threading.Barrier(31)
    arrived: list = []

    def arrive(cookie):
        start.wait()
        arrived.append(store.student(cookie))

    threads = [threading.Thread(target=arrive, args=(cookie,)) for cookie in [None] * 29 + ["c" * 32] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted({s.number for s in arrived}) == list(range(1, 31))  # the two tabs of one browser: one student
    assert len({s.number for s in arrived if s.id == "c" * 32}) == 1


def test_an_answer_sent_twice_is_kept_once(store):
    ada = store.student(None)
    a = answer(asked_cells("blank", 7, "medium")[0], "4")
    assert keep(store, ada.id, a) is True
    assert keep(store, ada.id, a) is False
    assert store.count() == 1


def test_thirty_students_answering_at_once_are_each_kept_exactly_once(store):
    students = [store.student(None) for _ in range(30)]
    cell = asked_cells("blank", 7, "medium")[0]
    answers = [answer(cell, str(k % 5)) for k in range(30)]
    start = threading.Barrier(60)

    def send(student, a):
        start.wait()
        keep(store, student.id, a)

    pairs = list(zip(students, answers)) * 2  # each answer sent twice, as a kernel resending it would
    threads = [threading.Thread(target=send, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 30
    cells = store.summary({})["exercises"][0]["cells"]
    assert cells[cell]["answers"] == 30


def test_the_summary_counts_students_their_latest_verdicts_and_their_mistakes(store):
    exercise = new_exercise(7, "medium")
    cell = next(c for c in exercise.blanks if c.layer == "H_z")
    name = f"H_z,{cell.row},{cell.col}"
    W1, b1, X = exercise.state.W1, exercise.state.b1, exercise.state.X
    right = float(W1[cell.row] @ X[:, cell.col] + b1[cell.row])
    no_bias = right - float(b1[cell.row])
    ada, bo, cy = (store.student(None) for _ in range(3))
    keep(store, ada.id, answer(name, f"{right:g}"))
    keep(store, bo.id, answer(name, f"{no_bias:g}"))
    keep(store, bo.id, answer(name, f"{no_bias:g}"))  # the same mistake again: one student
    keep(store, bo.id, answer(name, f"{right:g}"))  # then right
    keep(store, cy.id, answer(name, "what"))
    summary = store.summary({ada.id: PAGE, cy.id: "02_batch_of_three.ipynb"})
    assert summary["students"] == 2
    (shown,) = summary["exercises"]
    assert (shown["page"], shown["seed"], shown["difficulty"]) == (PAGE, 7, "medium")
    counts = shown["cells"][name]
    assert (counts["answers"], counts["correct"]) == (3, 2)
    assert counts["mistakes"] == {"bias-forgotten": 1, "not-a-number": 1}
    assert counts["typed"] == {f"{no_bias:g}": 2, f"{right:g}": 2, "what": 1}
    assert float(counts["answer"].replace("−", "-")) == right
    roster = {row["name"]: row for row in summary["roster"]}
    assert (roster["Student 1"]["present"], roster["Student 1"]["page"]) == (True, PAGE)
    assert (roster["Student 2"]["present"], roster["Student 2"]["answers"], roster["Student 2"]["correct"]) == \
        (False, 3, 1)
    assert roster["Student 3"]["page"] == "02_batch_of_three.ipynb"
    assert set(summary["mistakes"]) == set(MISTAKE_WORDS)


def test_a_restart_loses_nothing(store_url):
    first = ClassStore(store_url)
    ada = first.student(None)
    keep(first, ada.id, answer(asked_cells("blank", 7, "medium")[0], "1"))
    first.set_setting("paused", True)
    first.set_setting("push", {"id": 1, "state": "preset=one-input"})
    before = first.summary({})
    first.close()
    again = ClassStore(store_url)
    try:
        assert again.summary({}) == before
        assert again.setting("paused") is True and again.setting("push")["id"] == 1
        assert again.student(ada.id) == ada
    finally:
        again.close()


def test_the_csv_has_every_answer_and_runs_no_formula(store):
    ada = store.student(None)
    store.rename(ada.id, "=HYPERLINK(\"http://x\")")
    cells = asked_cells("blank", 7, "medium")
    keep(store, ada.id, answer(cells[0], "-3"))
    keep(store, ada.id, answer(cells[1], "@SUM(A1)"))
    rows = list(csv.reader(io.StringIO(store.answers_csv())))
    assert rows[0] == ["answered_at", "student", "name", "page", "seed", "difficulty", "part", "cell", "typed",
                       "correct", "mistake"]
    assert len(rows) == 3
    assert {row[2] for row in rows[1:]} == {"'=HYPERLINK(\"http://x\")"}
    assert [row[8] for row in rows[1:]] == ["-3", "'@SUM(A1)"]
    assert rows[2][10] == "not-a-number" and rows[2][9] == "False"


def test_values_reach_sql_only_as_parameters(store):
    bobby = "Robert'); DROP TABLE students;--"
    ada = store.student(None)
    store.rename(ada.id, bobby)
    keep(store, ada.id, answer(asked_cells("blank", 7, "medium")[0], "1'; DELETE FROM answers;--"))
    assert store.student(ada.id).name == bobby and store.count() == 1
    assert np.isfinite(store.summary({})["exercises"][0]["seed"])


def test_two_classes_in_one_database_are_kept_apart(store):
    cell = asked_cells("blank", 7, "medium")[0]
    ada = store.student("class-a/ada", "class-a", name="ada")
    bo = store.student("class-b/bo", "class-b", name="bo")
    keep(store, ada.id, answer(cell, "1"))
    keep(store, bo.id, answer(cell, "2"))
    keep(store, bo.id, answer(cell, "3"))
    store.set_setting("paused", True, "class-a")
    a, b = store.summary({ada.id: PAGE}, "class-a"), store.summary({bo.id: PAGE}, "class-b")
    assert [row["name"] for row in a["roster"]] == ["ada"] and [row["name"] for row in b["roster"]] == ["bo"]
    assert a["exercises"][0]["cells"][cell]["typed"] == {"1": 1} and b["exercises"][0]["cells"][cell]["typed"] == \
        {"2": 1, "3": 1}
    assert (a["paused"], b["paused"]) == (True, False)
    assert len(store.answers_csv("class-b").splitlines()) == 3 and store.summary({})["roster"] == []


# -- several replicas on one database -------------------------------------------------------------

def test_two_replicas_answering_at_once_keep_each_answer_exactly_once(store_url):
    one, two = ClassStore(store_url), ClassStore(store_url)
    try:
        students = [one.student(None) for _ in range(30)]
        cell = asked_cells("blank", 7, "medium")[0]
        answers = [answer(cell, str(k % 5)) for k in range(30)]
        start = threading.Barrier(60)
        kept: list[bool] = []

        def send(replica, student, a):
            start.wait()
            kept.append(keep(replica, student.id, a))

        # each answer sent to both replicas, as a kernel resending it through another would
        threads = [threading.Thread(target=send, args=(replica, *pair))
                   for pair in zip(students, answers) for replica in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert (kept.count(True), kept.count(False)) == (30, 30)
        assert one.count() == two.count() == 30
        assert two.summary({})["exercises"][0]["cells"][cell]["answers"] == 30
    finally:
        one.close()
        two.close()


class Listener:
    """A store's listener, run as the server runs it: a task on an event loop, announcements off it."""

    def __init__(self, store: ClassStore) -> None:
        self.store, self.heard, self.times_listening = store, asyncio.Queue(), 0
        self.task = asyncio.create_task(store.listen(self.heard.put_nowait, self.listening))

    def listening(self) -> None:
        self.times_listening += 1

    async def until_listening(self, times: int = 1, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.times_listening < times:
            assert time.monotonic() < deadline, f"not listening {times}x after {timeout} s"
            await asyncio.sleep(0.02)

    async def next(self) -> dict:
        return await asyncio.wait_for(self.heard.get(), timeout=1)  # heard within a second

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        assert self.task.cancelled()  # nothing raised into the caller


async def announce(store: ClassStore, event: dict) -> None:
    await asyncio.get_running_loop().run_in_executor(None, store.announce, event)


def test_an_event_one_replica_announces_reaches_the_other_and_itself(store_url):
    async def scenario(one: ClassStore, two: ClassStore) -> None:
        hears_one, hears_two = Listener(one), Listener(two)
        await hears_one.until_listening()
        await hears_two.until_listening()
        await announce(one, {"type": "push", "class": "class-a", "id": 3})
        assert await hears_two.next() == await hears_one.next() == {"type": "push", "class": "class-a", "id": 3}
        await announce(two, {"type": "paused", "paused": True})
        assert await hears_one.next() == {"type": "paused", "paused": True}
        await hears_one.stop()
        await hears_two.stop()

    one, two = ClassStore(store_url), ClassStore(store_url)
    try:
        run_in_a_thread(scenario(one, two))
    finally:
        one.close()
        two.close()


def test_a_listener_whose_connection_is_killed_listens_again(postgres_url, caplog):
    """On PostgreSQL only: SQLite's announcements never leave the process, no connection to lose."""
    async def scenario(store: ClassStore) -> None:
        listener = Listener(store)
        await listener.until_listening()
        with store.engine.begin() as db:
            killed = db.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE datname = current_database() AND query = 'LISTEN batchnet_class'"))
            assert killed.scalars().all() == [True]
        await listener.until_listening(2)  # after the first wait of 0.5 s
        await announce(store, {"type": "pause", "paused": False})
        assert await listener.next() == {"type": "pause", "paused": False}
        await listener.stop()

    store = ClassStore(postgres_url)
    try:
        run_in_a_thread(scenario(store))
    finally:
        store.close()
    assert "class announcements: " in caplog.text and "; listening again in 0.5 s" in caplog.text


def test_an_event_over_the_size_limit_is_refused_naming_the_limit(store_url):
    async def scenario(store: ClassStore) -> None:
        listener = Listener(store)
        await listener.until_listening()
        largest = {"push": "x" * (MAX_EVENT_BYTES - len('{"push":""}'))}
        await announce(store, largest)  # the largest goes through
        assert await listener.next() == largest
        with pytest.raises(ValueError, match=r"^event: at most 7999 bytes of JSON \(got 8000\)"):
            store.announce({"push": largest["push"] + "x"})
        await listener.stop()

    store = ClassStore(store_url)
    try:
        run_in_a_thread(scenario(store))
    finally:
        store.close()


# -- authored exercises -----------------------------------------------------------------------------

def authored(exercise, cell: str, typed: str, part: str = "blank") -> Answer:
    return read_answer({"id": uuid.uuid4().hex, "page": PAGE, "seed": 0, "difficulty": "authored", "part": part,
                        "cell": cell, "typed": typed, "authored": exercise.to_query()})


WORKED = bn.preset("three-inputs")


def test_an_authored_exercises_answer_is_read_by_its_link_and_refused_naming_the_field():
    exercise = bn.Exercise(WORKED, [("H_z", 0, 0), ("Y", 1, 2)])
    good = {"id": "a" * 32, "page": PAGE, "seed": 0, "difficulty": "authored", "part": "blank", "cell": "Y,1,2",
            "typed": "4", "authored": exercise.to_query()}
    assert read_answer(good).exercise.startswith(f"{PAGE}|authored|")
    for field, value, words in [
        ("cell", "H,0,0", "cell: 'H,0,0' is not asked in this exercise (the authored exercise)"),
        ("authored", exercise.to_query().replace("blanks=H_z,1,1", "blanks=H_z,9,1"),
         "authored: blanks: H_z[h9, x1] is not a cell of this network"),
        ("authored", "W1=1&b1=0&x1=1&blanks=Y,1,1&x17=2", "authored: x17: a batch holds at most 16 inputs"),
        ("authored", 7, "authored: expected text"),
        ("part", "missing", "authored: an authored exercise has no backwards question"),
        ("seed", 7, "authored: an authored exercise has seed 0 and difficulty 'authored'"),
        ("difficulty", "medium", "authored: an authored exercise has seed 0 and difficulty 'authored'"),
    ]:
        with pytest.raises(ValueError) as refused:
            read_answer({**good, field: value})
        assert str(refused.value).startswith(words), (field, value)
    with pytest.raises(ValueError, match="^difficulty: expected one of easy, medium, hard"):
        read_answer({key: value for key, value in good.items() if key != "authored"})
    # no prediction asked: none is taken
    quiet = bn.Exercise(WORKED, [("Y", 1, 2)], predict=False)
    with pytest.raises(ValueError, match="^cell: 'H,0,0' is not asked"):
        read_answer({**good, "part": "predict", "cell": "H,0,0", "typed": "0", "authored": quiet.to_query()})


def test_the_server_checks_an_authored_exercise_with_the_mistake_named():
    exercise = bn.Exercise(WORKED, [("H_z", 0, 0), ("Y", 1, 2)])
    assert check(authored(exercise, "H_z,0,0", "-1")) == Verdict(True, None)      # 1·2 + (−1)·1 + 1·3 + (−5)
    assert check(authored(exercise, "H_z,0,0", "4")) == Verdict(False, "bias-forgotten")
    assert check(authored(exercise, "H,0,0", "0", part="predict")) == Verdict(True, None)  # H_z[h1, x1] = −1
    assert check(authored(exercise, "H,0,0", "+", part="predict")) == Verdict(False, "relu-zero-missed")


def test_the_class_view_groups_answers_by_the_authored_exercise(store_url):
    store = ClassStore(store_url)
    one = bn.Exercise(WORKED, [("H_z", 0, 0), ("Y", 1, 2)])
    two = bn.Exercise(WORKED, [("H_z", 0, 0)])  # the same network, other blanks: another exercise
    ada, bo = store.student(None), store.student(None)
    keep(store, ada.id, authored(one, "H_z,0,0", "4"))
    keep(store, bo.id, authored(one, "H_z,0,0", "-1"))
    keep(store, bo.id, authored(two, "H_z,0,0", "-1"))
    seeded = new_exercise(7, "medium").blanks[0]
    keep(store, ada.id, answer(f"{seeded.layer},{seeded.row},{seeded.col}", "0"))
    store.close()
    store = ClassStore(store_url)  # a restart keeps each exercise's link
    shown = store.summary({})["exercises"]
    assert [(e["difficulty"], len(e["cells"])) for e in shown] == [("authored", 1), ("authored", 1), ("medium", 1)]
    first, second = shown[0], shown[1]
    assert first["key"] != second["key"]
    assert first["title"].startswith("Work it out by hand · authored exercise ")
    assert first["title"].endswith(" · 2 blanks") and second["title"].endswith(" · 1 blank")
    assert [m["name"] for m in first["matrices"]] == ["H_z", "H", "Y_z", "Y"]
    assert first["matrices"][0]["asked"] == ["H_z,0,0"] and first["matrices"][3]["asked"] == ["Y,1,2"]
    cell = first["cells"]["H_z,0,0"]
    assert (cell["answers"], cell["correct"], cell["mistakes"], cell["answer"]) == (2, 1, {"bias-forgotten": 1}, "−1")
    assert second["cells"]["H_z,0,0"]["correct"] == 1
    store.close()


def test_a_database_made_before_authored_exercises_gains_their_table_and_keeps_its_answers(tmp_path):
    from batchnet_core.classroom import store as storage

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    storage.metadata.create_all(engine, tables=[table for name, table in storage.metadata.tables.items()
                                                if name != "authored_exercises"])
    engine.dispose()
    store = ClassStore(url)
    ada = store.student(None)
    keep(store, ada.id, authored(bn.Exercise(WORKED, [("Y", 1, 2)]), "Y,1,2", "4"))
    assert store.summary({})["exercises"][0]["cells"]["Y,1,2"]["correct"] == 1
    store.close()


def test_an_authored_gradient_exercise_is_checked_and_grouped_by_its_link(store):
    from batchnet_core.gradient_exercises import authored_gradient_exercise

    exercise = authored_gradient_exercise(WORKED, [[1, 0, 1], [2, 2, 2]], "W2", 1, 2)  # dW2[y2, h3] = 13 / 3
    page = "06_train_the_batch.ipynb"

    def sent(typed: str) -> Answer:
        return read_answer({"id": uuid.uuid4().hex, "page": page, "seed": 0, "difficulty": "authored",
                            "part": "gradient", "cell": "dW2,1,2", "typed": typed, "authored": exercise.to_query()})

    assert check(sent("4.33")) == Verdict(True, None)
    assert check(sent("13")) == Verdict(False, "batch-sum")
    with pytest.raises(ValueError, match="^cell: 'dW2,0,0' is not asked in this exercise \\(the authored exercise\\)"):
        read_answer({"id": "b" * 32, "page": page, "seed": 0, "difficulty": "authored", "part": "gradient",
                     "cell": "dW2,0,0", "typed": "1", "authored": exercise.to_query()})
    with pytest.raises(ValueError, match="^authored: gradient: dW3 is not a gradient of this network"):
        read_answer({"id": "b" * 32, "page": page, "seed": 0, "difficulty": "authored", "part": "gradient",
                     "cell": "dW2,1,2", "typed": "1", "authored": exercise.to_query().replace("dW2,2,3", "dW3,1,1")})
    ada = store.student(None)
    keep(store, ada.id, sent("13"))
    (shown,) = store.summary({})["exercises"]
    assert shown["title"].startswith("Train on the batch · authored gradient exercise ")
    assert shown["title"].endswith(" · dW2[y2, h3]")
    assert [m["name"] for m in shown["matrices"]] == ["dW2"] and shown["matrices"][0]["asked"] == ["dW2,1,2"]
    assert shown["cells"]["dW2,1,2"]["answer"] == "4.333"


def test_a_seeded_gradient_of_another_loss_is_grouped_by_its_link_and_titled_by_its_seed(store):
    exercise = new_gradient_exercise(9, "hard", "softmax_cross_entropy")
    cell = f"d{exercise.name},{exercise.row},{exercise.col}"
    sent = read_answer({"id": uuid.uuid4().hex, "page": "06_train_the_batch.ipynb", "seed": 0,
                        "difficulty": "authored", "part": "gradient", "cell": cell,
                        "typed": format_number(exercise.mistakes["error-on-y"]), "authored": exercise.to_query()})
    assert check(sent) == Verdict(False, "error-on-y")
    keep(store, store.student(None).id, sent)
    (shown,) = store.summary({})["exercises"]
    assert shown["title"] == ("Train on the batch · gradient exercise seed 9 · hard · softmax cross-entropy · "
                              f"{exercise.label}")
    assert shown["cells"][cell]["answer"] == format_number(exercise.answer)
    assert shown["cells"][cell]["mistakes"] == {"error-on-y": 1}
