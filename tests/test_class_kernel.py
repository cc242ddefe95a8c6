"""The page's side of a class (``batchnet_core.ui.classroom``): the kernel's link and the class bar.

Without a server: each app is built with a ``ClassLink`` whose messages go to a list, and the server's
messages are handed to ``_deliver`` as the websocket would. Then one test of the real websocket client
against a small tornado server.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import numpy as np
import pytest
import tornado.web
import tornado.websocket

import batchnet_core as bn
from batchnet_core.classroom import answers
from batchnet_core.convert import read_link
from batchnet_core.exercises import zeroed_by_relu
from batchnet_core.nn.numbers import format_number
from batchnet_core.nn.training import targets_to_query
from batchnet_core.series import PAGES
from batchnet_core.ui import classroom
from batchnet_core.ui.app import BatchApp
from batchnet_core.ui.classroom import PAUSED, PUSHED, ClassLink, page_of, read_message, widget_tree
from batchnet_core.ui.exercise import ExerciseApp
from batchnet_core.ui.gradient_exercise import GradientExerciseApp
from batchnet_core.ui.minibatch import MiniBatchComparison
from batchnet_core.ui.playground import Playground
from batchnet_core.ui.train import Trainer

from conftest import free_port, run_in_a_thread


class Class:
    """The class as a kernel sees it: what the kernel sent, and a way to speak to it."""

    def __init__(self, page: str) -> None:
        self.sent: list[dict] = []
        self.link = ClassLink(send=self.sent.append, page=page)

    def say(self, **message) -> None:
        self.link._deliver(json.dumps(message))

    def of(self, kind: str) -> list[dict]:
        return [m for m in self.sent if m["type"] == kind]


@pytest.fixture
def in_class(monkeypatch):
    """``in_class(page)``: apps built from now on are in a class on that page."""
    def join(page: str = "02_batch_of_three.ipynb") -> Class:
        room = Class(page)
        monkeypatch.setattr(ClassLink, "_kernel", room.link)
        return room
    return join


def find(app_widget, cls: str):
    return next(w for w in widget_tree(app_widget) if cls in w._dom_classes)


def shown(widget) -> bool:
    return widget.layout.display != "none"


def status(app) -> str:
    return app.status.value


# -- outside a class: nothing changes ------------------------------------------------------------------


def test_outside_a_class_there_is_no_link_and_no_bar(monkeypatch):
    monkeypatch.setenv("BATCHNET_CLASS_URL", "ws://127.0.0.1:1/class/kernel")
    monkeypatch.setenv("BATCHNET_CLASS_KEY", "k:00")
    assert ClassLink.of_kernel() is None  # not inside a kernel: no class
    app = BatchApp()
    assert app.class_bar is None
    assert not any("bn-class-bar" in w._dom_classes for w in widget_tree(app.widget))
    assert ExerciseApp().class_bar is None and GradientExerciseApp().class_bar is None


@pytest.fixture
def in_a_kernel(monkeypatch):
    """``ClassLink.of_kernel`` as inside a kernel, read afresh from the environment."""
    monkeypatch.setattr(classroom, "kernel_loop", lambda: object())
    monkeypatch.setattr(ClassLink, "_kernel", classroom._UNKNOWN)
    for name in ("BATCHNET_CLASS_URL", "BATCHNET_CLASS_KEY", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_make_serves_kernel_sends_its_key_even_behind_a_hub(in_a_kernel):
    in_a_kernel.setenv("BATCHNET_CLASS_URL", "ws://127.0.0.1:1/class/kernel")
    in_a_kernel.setenv("BATCHNET_CLASS_KEY", "k:00")
    in_a_kernel.setenv("JUPYTERHUB_API_TOKEN", "hub-token")
    link = ClassLink.of_kernel()
    assert (link.scheme, link.key) == ("class", "k:00")


def test_behind_a_hub_the_kernel_sends_its_servers_token(in_a_kernel):
    in_a_kernel.setenv("BATCHNET_CLASS_URL", "wss://hub.school.org/services/batchnet-class/kernel")
    in_a_kernel.setenv("JUPYTERHUB_API_TOKEN", "a1b2c3")
    link = ClassLink.of_kernel()
    assert (link.url, link.scheme, link.key) == ("wss://hub.school.org/services/batchnet-class/kernel", "token",
                                                 "a1b2c3")


@pytest.mark.parametrize("env", [{"JUPYTERHUB_API_TOKEN": "a1b2c3"},  # no class's address: JupyterLab on a hub
                                 {"BATCHNET_CLASS_URL": "ws://127.0.0.1:1/k"},  # an address and nothing to prove
                                 {"BATCHNET_CLASS_URL": "http://127.0.0.1:1/k", "JUPYTERHUB_API_TOKEN": "a1"},
                                 {"BATCHNET_CLASS_URL": "ws://127.0.0.1:1/k", "JUPYTERHUB_API_TOKEN": "a\nb"}])
def test_no_class_without_an_address_and_a_usable_token(in_a_kernel, env):
    for name, value in env.items():
        in_a_kernel.setenv(name, value)
    assert ClassLink.of_kernel() is None


def test_importing_the_pages_starts_nothing():
    code = ("import sys, batchnet_core.ui, batchnet_core.ui.train, batchnet_core.ui.exercise\n"
            "from batchnet_core.ui.classroom import ClassLink, _UNKNOWN\n"
            "assert ClassLink._kernel is _UNKNOWN and 'websockets' not in sys.modules")
    env = {"BATCHNET_CLASS_URL": "ws://127.0.0.1:1/class/kernel", "BATCHNET_CLASS_KEY": "k:00", "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_the_page_is_read_from_the_request():
    assert page_of("http://h:8866/voila/render/03_by_hand.ipynb?seed=1") == "03_by_hand.ipynb"
    assert page_of("http://h/voila/render/06%5Ftrain%5Fthe%5Fbatch.ipynb") == "06_train_the_batch.ipynb"
    assert page_of("http://h/voila/render/other.ipynb") is None
    assert page_of(None) is None
    assert all(page_of(f"http://h/voila/render/{page.name}") == page.name for page in PAGES)


# -- the bar ---------------------------------------------------------------------------------------


def test_the_bar_is_hidden_until_the_class_names_the_learner(in_class):
    room = in_class()
    app = BatchApp()
    bar = app.class_bar
    assert app.widget.children.index(bar) == app.widget.children.index(app.page) + 1
    assert room.sent == [{"type": "hello", "page": "02_batch_of_three.ipynb"}]
    assert not shown(bar)
    room.say(type="student", name="<b>Ada</b>", teacher=False)
    assert shown(bar) and shown(bar.name_row) and not shown(bar.send)
    assert bar.who.value == "You are <b>&lt;b&gt;Ada&lt;/b&gt;</b>"
    assert {"bn-class-name", "bn-class-save", "bn-class-back"} <= set(app.page.names)


def test_a_name_is_saved_and_a_refused_one_says_why(in_class):
    room = in_class("03_by_hand.ipynb")
    app = ExerciseApp(seed=2)
    room.say(type="student", name="Student 7", teacher=False)
    bar = app.class_bar
    bar.name_box.value = "   "
    bar.save.click()
    assert "Your name: type at least one character." in status(app) and "bn-error" in status(app)
    assert room.of("name") == []
    bar.name_box.value = "  Ada   L "
    bar.save.click()
    assert room.of("name") == [{"type": "name", "name": "Ada L"}]
    room.say(type="student", name="Ada L", teacher=False)
    assert bar.who.value == "You are <b>Ada L</b>" and "Saved" in status(app)
    room.say(type="refused", field="name", id="", reason="that name is taken <today>")
    assert "Your name was not saved: that name is taken &lt;today&gt;." in status(app)
    assert "bn-error" in status(app)


def test_only_the_first_app_of_a_page_shows_the_name(in_class):
    room = in_class("06_train_the_batch.ipynb")
    trainer, runs, exercise = Trainer(), MiniBatchComparison(), GradientExerciseApp()
    room.say(type="student", name="Student 2", teacher=False)
    assert shown(trainer.app.class_bar.name_row)
    assert not shown(runs.class_bar) and not shown(exercise.class_bar)
    assert [m["type"] for m in room.sent] == ["hello"]  # one link, one hello


# -- answers ---------------------------------------------------------------------------------------


def test_blanks_predictions_and_the_missing_number_are_sent_as_checked(in_class):
    room = in_class("03_by_hand.ipynb")
    app = ExerciseApp(seed=5, difficulty="hard")
    state = app.exercise.state
    zeroed = zeroed_by_relu(state)
    marked = next(iter(zeroed))
    app.toggles[marked].value = True
    assert room.of("answer") == []  # a prediction is sent at Reveal, not at each click
    find(app.widget, "bn-button-reveal").click()
    predictions = room.of("answer")
    assert {(m["part"], m["cell"], m["typed"]) for m in predictions} == {
        ("predict", f"H,{r},{c}", "0" if (r, c) == marked else "+") for (r, c) in app.toggles}
    assert all(m["page"] == "03_by_hand.ipynb" and m["seed"] == 5 and m["difficulty"] == "hard"
               for m in predictions)
    find(app.widget, "bn-button-reveal").click()  # revealed again: the same prediction, not sent again
    assert room.of("answer") == predictions
    blank = next(iter(app.blank_cells.values()))
    blank.box.value = ""  # nothing typed: nothing checked, nothing sent
    blank.box.value = "abc"  # not a number: checked, and sent (the class counts it a mistake)
    blank.box.value = "x" * 100
    sent = room.of("answer")[len(predictions):]
    cell = f"{blank.cell.layer},{blank.cell.row},{blank.cell.col}"
    assert [(m["part"], m["cell"], m["typed"]) for m in sent] == [("blank", cell, "abc"), ("blank", cell, "x" * 64)]
    m = app.missing
    find(app.widget, "bn-missing-answer").value = "3"
    last = room.of("answer")[-1]
    assert (last["part"], last["cell"], last["typed"]) == ("missing", f"{m.name},{m.row},{m.col}", "3")
    ids = [m["id"] for m in room.of("answer")]
    assert len(set(ids)) == len(ids) and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert all(len(json.dumps(m).encode()) <= classroom.MAX_FRAME for m in room.sent)


def test_an_authored_exercise_is_sent_as_its_link_and_the_class_reads_it_back(in_class):
    room = in_class("03_by_hand.ipynb")
    exercise = bn.Exercise(bn.preset("three-inputs"), [("H_z", 0, 0), ("Y", 1, 2)])
    app = ExerciseApp(authored=exercise)
    find(app.widget, "bn-button-reveal").click()
    app.blank_cells[bn.Cell("H_z", 0, 0)].box.value = "4"  # the bias forgotten
    sent = room.of("answer")
    assert len(sent) == 12 + 1 and all(m["authored"] == exercise.to_query() for m in sent)
    assert all((m["seed"], m["difficulty"]) == (0, "authored") for m in sent)
    assert all(len(json.dumps(m).encode()) <= classroom.MAX_FRAME for m in sent)
    verdicts = [answers.check(answers.read_answer(m)) for m in sent]  # as the server reads and checks them
    assert verdicts[-1] == answers.Verdict(False, "bias-forgotten")
    assert len({answers.read_answer(m).exercise for m in sent}) == 1


def test_a_bias_asked_backwards_is_its_column_0(in_class):
    room = in_class("03_by_hand.ipynb")
    seed = next(s for s in range(1, 200) if bn.exercises.new_missing(s).name == "b1")
    app = ExerciseApp(seed=seed)
    find(app.widget, "bn-missing-answer").value = "1/2"
    assert room.of("answer")[-1]["cell"] == f"b1,{app.missing.row},0"


def test_each_check_of_a_gradient_is_sent_with_its_cell(in_class):
    room = in_class("06_train_the_batch.ipynb")
    app = GradientExerciseApp(seed=4)
    e = app.exercise
    app.answer.value = "oops"
    find(app.widget, "bn-gradient-check").click()  # checked again: sent again
    cell = f"d{e.name},{e.row},{e.col}"
    assert [(m["page"], m["seed"], m["difficulty"], m["part"], m["cell"], m["typed"]) for m in room.of("answer")] \
        == [("06_train_the_batch.ipynb", 4, e.difficulty, "gradient", cell, "oops")] * 2
    assert cell[1] in "Wb" and cell.count(",") == 2


def test_an_app_outside_a_class_sends_nothing_and_checks_as_before():
    app = ExerciseApp(seed=5)
    blank = next(iter(app.blank_cells.values()))
    blank.box.value = "99"
    assert app.class_bar is None and app.score.attempted == 1


# -- pause -----------------------------------------------------------------------------------------


def controls(app_widget):
    return [w for w in widget_tree(app_widget) if w.has_trait("disabled")]


def test_pause_disables_every_control_and_resume_restores_each_as_it_was(in_class):
    room = in_class("03_by_hand.ipynb")
    app = ExerciseApp(seed=1)
    find(app.widget, "bn-button-reveal").click()  # the prediction's cells are disabled now, for good
    before = {w: w.disabled for w in controls(app.widget)}
    assert any(before.values()) and not all(before.values())
    typed = app.class_bar.name_box.value = "half-typed name"
    room.say(type="pause", paused=True)
    assert all(w.disabled for w in controls(app.widget))
    assert "bn-paused" in app.widget._dom_classes and shown(app.class_bar.banner)
    assert PAUSED in app.class_bar.banner.value
    room.say(type="pause", paused=True)  # heard twice: the same
    room.say(type="pause", paused=False)
    assert {w: w.disabled for w in controls(app.widget)} == before
    assert "bn-paused" not in app.widget._dom_classes and not shown(app.class_bar.banner)
    assert app.class_bar.name_box.value == typed  # nothing typed is lost


def test_paused_pages_ignore_cells_and_step_keys(in_class):
    room = in_class()
    app = BatchApp()
    room.say(type="pause", paused=True)
    explained = app.selection
    app.page._handle_custom_msg({"cell": "Y,1,2"}, [])
    app.page._handle_custom_msg({"key": "next"}, [])
    assert app.selection == explained
    room.say(type="pause", paused=False)
    app.page._handle_custom_msg({"cell": "Y,1,2"}, [])
    assert app.selection != explained


def test_a_run_that_ends_while_paused_does_not_give_the_buttons_back(in_class):
    room = in_class("06_train_the_batch.ipynb")
    trainer = Trainer()
    trainer._set_running(True)  # a run is going when the pause comes
    room.say(type="pause", paused=True)
    trainer._set_running(False)  # it ends
    assert trainer.train_button.disabled and trainer.step_button.disabled
    room.say(type="pause", paused=False)
    assert not trainer.train_button.disabled and not trainer.step_button.disabled


def test_the_teachers_own_page_is_never_paused(in_class):
    room = in_class()
    app = BatchApp.from_page()
    before = {w: w.disabled for w in controls(app.widget)}
    room.say(type="pause", paused=True)
    assert app.class_bar.paused
    room.say(type="student", name="Teacher", teacher=True)
    assert not app.class_bar.paused and {w: w.disabled for w in controls(app.widget)} == before
    assert shown(app.class_bar.send)


def test_an_app_built_after_the_pause_starts_paused(in_class):
    room = in_class("06_train_the_batch.ipynb")
    Trainer()
    room.say(type="pause", paused=True)
    later = GradientExerciseApp()
    assert later.class_bar.paused and later.answer.disabled


# -- push ------------------------------------------------------------------------------------------


def test_a_pushed_network_is_shown_and_back_restores_the_learners_own(in_class, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "seed=3")
    room = in_class()
    app = BatchApp.from_page()
    own = app.state
    pushed = bn.preset("one-input")
    room.say(type="push", id=1, state=pushed.to_query())
    assert app.state == pushed and PUSHED in status(app)
    note = app.class_bar.note
    assert shown(note)
    room.say(type="push", id=2, state=bn.preset("three-inputs").to_query())  # a second push: own is kept
    assert app.state == bn.preset("three-inputs")
    app.class_bar.back.click()
    assert app.state == own and not shown(note)


def test_a_push_heard_again_is_not_shown_again(in_class):
    room = in_class()
    app = BatchApp.from_page()
    room.say(type="push", id=4, state=bn.preset("one-input").to_query())
    app.class_bar.back.click()
    room.say(type="push", id=4, state=bn.preset("one-input").to_query())  # after a reconnect
    assert app.state == bn.preset("three-inputs")


@pytest.mark.parametrize("query, says", [
    ("theme=dark", "it names no network"),
    ("W1=1,2;3", "inputs x1"),
    ("preset=nothing", "nothing"),
])
def test_a_pushed_network_that_cannot_be_used_changes_nothing_and_says_why(in_class, query, says):
    room = in_class()
    app = BatchApp.from_page()
    before = app.state
    room.say(type="push", id=7, state=query)
    assert app.state == before and not shown(app.class_bar.note)
    assert "Your teacher sent a network this page cannot show" in status(app) and says in status(app)
    assert "bn-error" in status(app)


def test_pages_without_a_state_take_no_push(in_class):
    room = in_class("03_by_hand.ipynb")
    app = ExerciseApp(seed=1)
    one = BatchApp(bn.preset("one-input"))  # page 01: built, not read from the page
    room.say(type="push", id=1, state=bn.preset("three-inputs").to_query())
    assert one.state == bn.preset("one-input") and not shown(app.class_bar.note)


def test_the_playground_follows_a_pushed_size_without_resizing_it(in_class):
    room = in_class("05_playground.ipynb")
    playground = Playground.from_page()
    app = playground.app
    pushed = bn.random_state(9, (5, 3, 3, 2, 4))
    room.say(type="push", id=1, state=pushed.to_query())
    assert app.state == pushed
    assert {name: s.value for name, s in playground.size_sliders.items()} == {
        "layers": 3, "inputs": 5, "hidden": 3, "outputs": 2, "batch": 4}
    app.class_bar.back.click()
    assert app.state == bn.preset("three-inputs") and playground.size_sliders["layers"].value == 2


def test_training_takes_a_pushed_network_with_its_targets_and_gives_back_its_own(in_class, monkeypatch):
    room = in_class("06_train_the_batch.ipynb")
    trainer = Trainer.from_page()
    own_state, own_targets = trainer.app.state, trainer.targets.copy()
    pushed = bn.preset("one-input")
    targets = np.array([[2.0], [-1.0]])
    room.say(type="push", id=1, state=f"{pushed.to_query()}&{targets_to_query(targets)}")
    assert trainer.app.state == pushed and np.array_equal(trainer.targets, targets)
    trainer.app.class_bar.back.click()
    assert trainer.app.state == own_state and np.array_equal(trainer.targets, own_targets)
    room.say(type="push", id=2, state=f"{pushed.to_query()}&T=1,2,3")  # targets of the wrong shape
    assert trainer.app.state == own_state and "T" in status(trainer.app)


def test_a_push_while_paused_keeps_every_new_control_disabled(in_class):
    room = in_class("05_playground.ipynb")
    playground = Playground.from_page()
    room.say(type="pause", paused=True)
    room.say(type="push", id=1, state=bn.random_state(2, (2, 2, 1, 2)).to_query())
    assert all(w.disabled for w in controls(playground.widget))
    room.say(type="pause", paused=False)
    assert not any(w.disabled for w in controls(playground.widget) if "bn-size-hidden" not in w._dom_classes)


def test_the_teacher_sends_the_page_and_its_targets(in_class):
    room = in_class("06_train_the_batch.ipynb")
    trainer = Trainer.from_page()
    bar = trainer.app.class_bar
    assert not shown(bar.send)
    room.say(type="student", name="Ms T", teacher=True)
    assert shown(bar.send)
    bar.send.click()
    (push,) = room.of("push")
    link = read_link(push["state"], ("T", *bn.convert.STATE_PAGE_KEYS))
    assert bn.convert.state_from_link(link) == trainer.app.state
    assert link.values["T"] == targets_to_query(trainer.targets).removeprefix("T=")
    room.say(type="push", id=9, state=bn.preset("one-input").to_query())  # the teacher's own, back
    assert trainer.app.state != bn.preset("one-input")
    room.say(type="refused", field="push", id="", reason="too many pushes")
    assert "Not sent to the class: too many pushes." in status(trainer.app)


def test_the_largest_network_is_sent_whole_and_a_larger_message_says_so(in_class):
    room = in_class("05_playground.ipynb")
    playground = Playground.from_page()
    room.say(type="student", name="Ms T", teacher=True)
    largest = bn.random_state(1, (16, 16, 16, 16, 16, 16), integers=False)
    playground.app.load(largest)
    playground.app.class_bar.send.click()
    assert [bn.State.from_query(m["state"]) for m in room.of("push")] == [largest]
    with pytest.raises(ValueError, match="this network takes"):
        playground.app.class_bar.link.push("W1=" + "1," * classroom.MAX_FRAME)


# -- what the class sends is checked ---------------------------------------------------------------


@pytest.mark.parametrize("frame", [
    b'{"type": "pause", "paused": true}',
    "not json",
    "[]",
    '{"type": "pause"}',
    '{"type": "pause", "paused": "yes"}',
    '{"type": "pause", "paused": true, "extra": 1}',
    '{"type": "push", "id": true, "state": "preset=one-input"}',
    '{"type": "push", "id": -1, "state": "preset=one-input"}',
    '{"type": "student", "name": "", "teacher": false}',
    '{"type": "student", "name": "a\\u0000b", "teacher": false}',
    '{"type": "student", "name": "' + "x" * 41 + '", "teacher": false}',
    '{"type": "student", "name": "Ada", "teacher": "true"}',
    '{"type": "ack", "id": "../../etc"}',
    '{"type": "refused", "field": "everything", "id": "", "reason": "no"}',
    '{"type": "eval", "code": "1"}',
    '{"type": "pause", "paused": true, "pad": "' + "x" * 5000 + '"}',
])
def test_forged_or_malformed_messages_are_ignored(in_class, frame, caplog):
    room = in_class()
    app = BatchApp.from_page()
    before = (app.state, status(app), app.class_bar.who.value)
    with caplog.at_level("WARNING", logger="batchnet_core.ui.kernel"):
        room.link._deliver(frame)
    assert (app.state, status(app), app.class_bar.who.value) == before and not app.class_bar.paused
    assert "ignores" in caplog.text
    with pytest.raises(ValueError):
        read_message(frame)


def test_a_failing_page_never_breaks_the_link(in_class, caplog):
    room = in_class()
    BatchApp()
    room.link.on("pause", lambda message: 1 / 0)
    room.say(type="pause", paused=True)  # logged, not raised
    assert "failed on the class's pause message" in caplog.text
    assert room.link.paused


# -- answers survive a drop -------------------------------------------------------------------------


def test_unacknowledged_answers_are_sent_again_after_a_reconnect():
    room = Class("03_by_hand.ipynb")
    room.link.start()
    first = room.link.answer(1, "medium", "blank", "H_z,0,0", "4")
    second = room.link.answer(1, "medium", "blank", "H_z,0,1", "5")
    room.say(type="ack", id=first)
    room.link._closed()
    third = room.link.answer(1, "medium", "blank", "H_z,0,2", "6")  # while down
    room.link.rename("Ada")
    room.sent.clear()
    room.link._opened(room.sent.append)
    assert [m["type"] for m in room.sent] == ["hello", "answer", "answer", "name"]
    assert [m["id"] for m in room.of("answer")] == [second, third]
    room.say(type="refused", field="answer", id=second, reason="not asked")  # refused: not sent again either
    room.sent.clear()
    room.link._opened(room.sent.append)
    assert [m.get("id") for m in room.sent] == [None, third]


# -- the real websocket ------------------------------------------------------------------------------


def test_the_link_over_a_real_websocket():
    """Authorization, hello, an answer and its ack, a drop and the reconnect that sends again what was
    not acknowledged; frames above ``MAX_FRAME`` bytes are never read."""
    heard: list[tuple[int, dict]] = []
    headers: list[str] = []
    connections: list[tornado.websocket.WebSocketHandler] = []

    class Kernels(tornado.websocket.WebSocketHandler):
        def prepare(self):
            headers.append(self.request.headers.get("Authorization", ""))
            if headers[-1] != "class k1:abc":
                raise tornado.web.HTTPError(403)

        def open(self):
            connections.append(self)
            self.write_message(json.dumps({"type": "pause", "paused": len(connections) == 1}))

        def on_message(self, message):
            message = json.loads(message)
            heard.append((len(connections), message))
            if message["type"] == "answer" and len(connections) == 2:
                self.write_message(json.dumps({"type": "ack", "id": message["id"]}))

    async def scenario():
        port = free_port()
        server = tornado.web.Application([(r"/class/kernel", Kernels)]).listen(port, address="127.0.0.1")
        wrong = ClassLink(f"ws://127.0.0.1:{port}/class/kernel", "k1:bad", page="03_by_hand.ipynb")
        link = ClassLink(f"ws://127.0.0.1:{port}/class/kernel", "k1:abc", page="03_by_hand.ipynb")
        paused: list[bool] = []
        link.on("pause", lambda m: paused.append(m["paused"]))
        tasks = [asyncio.ensure_future(wrong.run()), asyncio.ensure_future(link.run())]
        try:
            await until(lambda: heard and connections)
            first = link.answer(7, "medium", "blank", "H_z,0,0", "4")
            await until(lambda: len(heard) == 2)
            assert first in link.pending  # not acknowledged by this server's first connection
            connections[0].close()  # the server drops the link
            await until(lambda: len(connections) == 2 and len(heard) == 4, timeout=5)
            await until(lambda: not link.pending)
            assert wrong.pending == {} and len([h for h in headers if h == "class k1:bad"]) >= 1
            return first, paused
        finally:
            for task in tasks:
                task.cancel()
            server.stop()

    first, paused = run_in_a_thread(scenario())  # a browser test's loop may run in this thread
    assert [(n, m["type"]) for n, m in heard] == [(1, "hello"), (1, "answer"), (2, "hello"), (2, "answer")]
    assert heard[0][1] == {"type": "hello", "page": "03_by_hand.ipynb"}
    assert heard[1][1]["id"] == heard[3][1]["id"] == first
    assert paused[:2] == [True, False]


def test_a_hub_kernel_sends_its_token_as_jupyterhub_services_read_it():
    heard: list[str] = []

    class Kernels(tornado.websocket.WebSocketHandler):
        def prepare(self):
            heard.append(self.request.headers.get("Authorization", ""))

        def on_message(self, message):
            heard.append(json.loads(message)["type"])

    async def scenario():
        port = free_port()
        server = tornado.web.Application([(r"/kernel", Kernels)]).listen(port, address="127.0.0.1")
        link = ClassLink(f"ws://127.0.0.1:{port}/kernel", "hub-token", scheme="token", page="03_by_hand.ipynb")
        task = asyncio.ensure_future(link.run())
        try:
            await until(lambda: "hello" in heard)
        finally:
            task.cancel()
            server.stop()

    run_in_a_thread(scenario())
    assert heard[:2] == ["token hub-token", "hello"]


async def until(condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_a_seeded_gradient_of_another_loss_is_sent_as_its_link_and_checked_by_it(in_class):
    room = in_class("06_train_the_batch.ipynb")
    app = GradientExerciseApp(seed=4, loss="softmax_cross_entropy")
    e = app.exercise
    app.answer.value = format_number(e.mistakes["error-on-y"])
    (sent,) = room.of("answer")
    assert (sent["seed"], sent["difficulty"], sent["authored"]) == (0, "authored", e.to_query())
    assert sent["authored"] == "gradient_seed=4&gradient_difficulty=medium&gradient_loss=softmax_cross_entropy"
    assert answers.check(answers.read_answer(sent)) == answers.Verdict(False, "error-on-y")
