"""A lesson with the class view, in Chromium against the real ``make serve``: a teacher's page (at a
projector's 1024×768) and three students' browsers.

Answers typed on 03 reach the teacher's grid within a second, with their named mistakes; names with
markup are text; a state pushed from the teacher's page, and one sent from the teacher's own page,
reach every student's 02 within 2 s, and "Back to my own" gives each their own back; pause disables
every control and resume restores them as they were; a student's kernel killed loses nothing, and the
reloaded page is still that student's; a restart on the same port keeps every answer
and every name, and the teacher's page says it is reconnecting and then shows them again. axe-core
finds nothing on the teacher's page or on a student's page with its class bar.
"""

from __future__ import annotations

import json
import time
import urllib.request

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.exercises import new_exercise

from conftest import ARTIFACTS, free_port, make_server, open_app, page_values, render, serious_violations, wait_for_log

pytestmark = pytest.mark.browser

TEACHER = "teacher-of-the-class"
SEED, DIFFICULTY = 7, "medium"
NAMES = ("Ada", "<img src=x onerror=\"window.pwned=1\">", None)  # the third keeps the name given to them
TIMEOUT = 90_000
PROJECTOR = {"width": 1024, "height": 768}


@pytest.fixture
def people(browser):
    """The teacher's browser (its page's script policy set aside for axe-core alone) and three students'
    browsers, each with its own cookies."""
    contexts = [browser.new_context(viewport=PROJECTOR, bypass_csp=True)]
    contexts += [browser.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(3)]
    errors: list[str] = []
    tabs = []
    for context in contexts:
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tabs.append(tab)
    yield tabs[0], tabs[1:]
    for k, tab in enumerate(tabs):
        tab.screenshot(path=str(ARTIFACTS / f"class-lesson-{k}.png"), full_page=True)
    for context in contexts:
        context.close()
    assert not errors, f"errors in the pages: {errors}"


def summary(server) -> dict:
    request = urllib.request.Request(server.url + "class/api/summary", headers={"Authorization": f"token {TEACHER}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def blank_cell():
    """A blank of H_z in the exercise, its right answer and the answer without the bias, worked here."""
    exercise = new_exercise(SEED, DIFFICULTY)
    cell = next(c for c in exercise.blanks if c.layer == "H_z")
    W1, b1, X = exercise.state.W1, exercise.state.b1, exercise.state.X
    products = float(W1[cell.row] @ X[:, cell.col])
    return cell, products + float(b1[cell.row]), products


#: The page shows these inputs X.
X_IS = "(X) => JSON.stringify(JSON.parse(document.querySelector('.bn-values-X')?.dataset.values ?? 'null')) === " \
       "JSON.stringify(X)"


def cell_answers(teacher, name: str, answers: int, timeout: float) -> None:
    teacher.wait_for_function(
        "([name, answers]) => document.querySelector(`.bn-class-cell[data-cell='${name}']`)"
        "?.dataset.answers === String(answers)", arg=[name, answers], timeout=timeout)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"class-{name}.png"))


def test_a_lesson_with_the_class_view(people, tmp_path, axe_source):
    teacher, students = people
    port = free_port()
    with make_server("serve", name="class-lesson", port=port, POOL=2, TEACHER=TEACHER,
                     CLASS_DATA=tmp_path) as server:
        name = lesson(server, teacher, students, axe_source)
        before = summary(server)
    teacher.wait_for_selector(".bn-class-connection:has-text('Reconnecting')", timeout=10_000)
    shot(teacher, "reconnecting")
    # the same class again, on the same port: every answer and name kept, and the open page back live
    with make_server("serve", name="class-restart", port=port, POOL=0, TEACHER=TEACHER,
                     CLASS_DATA=tmp_path) as again:
        wait_for_log(again, "The teacher's page: ")
        teacher.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=15_000)
        cell_answers(teacher, name, 3, timeout=5_000)
        after = summary(again)
        students[0].reload(timeout=TIMEOUT)
        students[0].wait_for_selector(".bn-class-bar b:text-is('Ada')", timeout=TIMEOUT)
    assert after["exercises"] == before["exercises"] and after["exercises"]
    assert [row["name"] for row in after["roster"]] == [row["name"] for row in before["roster"]]


def lesson(server, teacher, students, axe_source) -> str:
    teacher.goto(server.url + f"class?token={TEACHER}", timeout=TIMEOUT)
    teacher.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=TIMEOUT)
    assert "token" not in teacher.url  # signed in by a cookie; the address bar keeps no secret

    # -- students arrive on 03, name themselves and answer ---------------------------------------
    cell, right, no_bias = blank_cell()
    name = f"H_z,{cell.row},{cell.col}"
    typed = (f"{right:g}", f"{no_bias:g}", "seven")
    for student, chosen in zip(students, NAMES):
        student.goto(render(server.url, "03_by_hand", f"seed={SEED}&difficulty={DIFFICULTY}"), timeout=TIMEOUT)
        student.wait_for_selector(".bn-class-bar .bn-class-who b", timeout=TIMEOUT)
        if chosen is not None:
            student.fill(".bn-class-name input", chosen)
            student.click(".bn-class-save")
            student.wait_for_function("(name) => document.querySelector('.bn-class-who b')?.textContent === name",
                                      arg=chosen, timeout=10_000)
        student.click(".bn-button-reveal")
    assert students[2].locator(".bn-class-who b").inner_text() == "Student 3"
    assert students[1].locator(".bn-class-who img").count() == 0
    assert serious_violations(students[1], axe_source) == []
    for student, text in zip(students, typed):
        box = student.locator(f".bn-blank-{cell.layer}-{cell.row}-{cell.col} input")
        box.fill(text)
        box.press("Enter")
    entered = time.monotonic()
    cell_answers(teacher, name, 3, timeout=10_000)
    assert time.monotonic() - entered < 1.0 + 0.5  # within a second, and Playwright's polling
    grid = teacher.locator(f".bn-class-cell[data-cell='{name}']")
    assert grid.get_attribute("data-correct") == "1"
    assert teacher.locator(".bn-class-students").get_attribute("data-count") == "3"
    grid.click()
    mistakes = teacher.locator(".bn-class-mistakes").inner_text()
    assert "1 of 3: Almost: the bias is missing" in mistakes and "1 of 3: That is not a number" in mistakes
    assert "seven" in teacher.locator(".bn-class-spread").inner_text()
    roster = teacher.locator(".bn-class-roster").inner_text()
    assert "Ada" in roster and '<img src=x onerror="window.pwned=1">' in roster and "Student 3" in roster
    assert teacher.locator(".bn-class-roster img").count() == 0
    assert teacher.evaluate("() => window.pwned") is None and students[1].evaluate("() => window.pwned") is None
    shot(teacher, "answers")
    assert serious_violations(teacher, axe_source) == []
    teacher.check(".bn-class-hide-names")
    assert "Ada" not in teacher.locator(".bn-class-roster").inner_text()
    teacher.uncheck(".bn-class-hide-names")
    counts = summary(server)["exercises"][-1]["cells"][name]
    assert (counts["answers"], counts["correct"]) == (3, 1)
    assert counts["mistakes"] == {"bias-forgotten": 1, "not-a-number": 1}

    # -- push a state to every student's 02, and each goes back to their own ---------------------
    for student in students:
        open_app(student, render(server.url, "02_batch_of_three"))
    own = [page_values(student, "X") for student in students]
    teacher.fill(".bn-class-push-input", f"{server.url}voila/render/02_batch_of_three.ipynb?preset=one-input")
    teacher.click(".bn-class-push")
    one_input = bn.preset("one-input").X.tolist()
    for student in students:
        student.wait_for_selector(".bn-class-pushed", state="visible")
        student.wait_for_function(X_IS, arg=one_input)
    shot(students[0], "pushed")
    students[0].click(".bn-class-back")
    students[0].wait_for_selector(".bn-class-pushed", state="hidden")
    assert np.array_equal(page_values(students[0], "X"), own[0])

    # -- and one from the teacher's own page --------------------------------------------------------
    mine = teacher.context.new_page()
    open_app(mine, render(server.url, "02_batch_of_three", "seed=5"))
    mine.click(".bn-class-send")
    theirs = page_values(mine, "X")
    for student in students:
        student.wait_for_function(X_IS, arg=theirs)
    mine.close()

    # -- pause, then resume: every control off, then back as it was ------------------------------
    student = students[1]
    enabled = student.locator(".bn-app input:enabled, .bn-app button:enabled, .bn-app select:enabled").count()
    teacher.click(".bn-class-pause")
    student.wait_for_selector(".bn-class-paused", state="visible")
    assert "eyes on the front" in student.locator(".bn-class-paused").inner_text()
    student.wait_for_function("() => [...document.querySelectorAll('.bn-app input, .bn-app button, .bn-app select')]"
                              ".filter(e => !e.closest('.bn-class-bar')).every(e => e.disabled)")
    assert teacher.locator(".bn-class-pause").get_attribute("aria-pressed") == "true"
    shot(student, "paused")
    teacher.click(".bn-class-pause")
    student.wait_for_selector(".bn-class-paused", state="hidden")
    student.wait_for_function("(n) => document.querySelectorAll('.bn-app input:enabled, .bn-app button:enabled, "
                              ".bn-app select:enabled').length === n", arg=enabled)

    # -- a student's kernel dies: nothing they answered is lost, and the reloaded page is still theirs ---
    before = summary(server)
    lost = students[2]
    kernel_id = json.loads(lost.inner_text("#jupyter-config-data"))["kernelId"]
    [kernel] = [k for k in server.kernels() if f"kernel-{kernel_id}.json" in " ".join(k.cmdline())]
    kernel.kill()
    lost.wait_for_selector(".bn-connection-alert", timeout=30_000)
    open_app(lost, render(server.url, "02_batch_of_three"))
    lost.wait_for_function("() => document.querySelector('.bn-class-who b')?.textContent === 'Student 3'",
                           timeout=TIMEOUT)
    after = summary(server)
    assert after["exercises"] == before["exercises"] and after["students"] == 3
    return name
