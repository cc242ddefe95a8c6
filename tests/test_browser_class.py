"""A lesson with the class view, in Chromium against the real ``make serve``: a teacher's page and three
students' browsers. Answers typed on 03 reach the teacher's grid with their named mistakes; a pushed
state reaches every student's 02, and "Back to my own" gives each their own back; pause disables every
control and resume restores them; names with markup are text; a restart keeps every answer.
"""

from __future__ import annotations

import json
import urllib.request

import numpy as np
import pytest

from batchnet_core.exercises import new_exercise

from conftest import ARTIFACTS, make_server, open_app, page_values, render, wait_for_log

pytestmark = pytest.mark.browser

TEACHER = "teacher-of-the-class"
SEED, DIFFICULTY = 7, "medium"
NAMES = ("Ada", "<img src=x onerror=\"window.pwned=1\">", None)  # the third keeps the name given to them
TIMEOUT = 90_000


@pytest.fixture
def people(browser):
    """The teacher's browser and three students' browsers, each with its own cookies."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(4)]
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


def test_a_lesson_with_the_class_view(people, tmp_path):
    with make_server("serve", name="class-lesson", POOL=2, TEACHER=TEACHER, CLASS_DATA=tmp_path) as server:
        lesson(server, *people)
        before = summary(server)
    # a restart keeps every answer and every name
    with make_server("serve", name="class-restart", POOL=0, TEACHER=TEACHER, CLASS_DATA=tmp_path) as again:
        wait_for_log(again, "The teacher's page: ")
        after = summary(again)
    assert after["exercises"] == before["exercises"] and after["exercises"]
    assert [row["name"] for row in after["roster"]] == [row["name"] for row in before["roster"]]


def lesson(server, teacher, students):
    teacher.goto(server.url + f"class?token={TEACHER}", timeout=TIMEOUT)
    teacher.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=TIMEOUT)

    # -- students arrive on 03, name themselves and answer ---------------------------------------
    cell, right, no_bias = blank_cell()
    name = f"H_z,{cell.row},{cell.col}"
    typed = (f"{right:g}", f"{no_bias:g}", "seven")
    for student, chosen, text in zip(students, NAMES, typed):
        student.goto(render(server.url, "03_by_hand", f"seed={SEED}&difficulty={DIFFICULTY}"), timeout=TIMEOUT)
        student.wait_for_selector(".bn-class-bar", timeout=TIMEOUT)
        if chosen is not None:
            student.fill(".bn-class-name input", chosen)
            student.click(".bn-class-save button, button.bn-class-save")
            student.wait_for_selector(f".bn-class-bar b:text-is('{chosen}')" if "<" not in chosen
                                      else ".bn-class-bar b:has-text('<img')", timeout=TIMEOUT)
        student.click(".bn-button-reveal")
        box = student.locator(f".bn-blank-{cell.layer}-{cell.row}-{cell.col} input")
        box.fill(text)
        box.press("Enter")

    grid = teacher.locator(f".bn-class-cell[data-cell='{name}']")
    grid.wait_for(timeout=TIMEOUT)
    teacher.wait_for_function(f"() => document.querySelector(\".bn-class-cell[data-cell='{name}']\")"
                              ".dataset.answers === '3'", timeout=10_000)
    assert (grid.get_attribute("data-answers"), grid.get_attribute("data-correct")) == ("3", "1")
    assert teacher.locator(".bn-class-students").get_attribute("data-count") == "3"
    grid.click()
    mistakes = teacher.locator(".bn-class-mistakes").inner_text()
    assert "1 of 3: Almost: the bias is missing" in mistakes and "1 of 3: That is not a number" in mistakes
    assert "seven" in teacher.locator(".bn-class-spread").inner_text()
    roster = teacher.locator(".bn-class-roster").inner_text()
    assert "Ada" in roster and '<img src=x onerror="window.pwned=1">' in roster and "Student 3" in roster
    assert teacher.locator(".bn-class-roster img").count() == 0
    assert teacher.evaluate("() => window.pwned") is None
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
    teacher.fill(".bn-class-push-input", "preset=one-input")
    teacher.click(".bn-class-push")
    for student in students:
        student.wait_for_selector(".bn-class-pushed", state="visible", timeout=2_000)
        student.wait_for_function("() => JSON.parse(document.querySelector('.bn-values-X [data-values]')"
                                  "?.dataset.values ?? document.querySelector('.bn-values-X').dataset.values)"
                                  "[0].length === 1", timeout=2_000)
    students[0].click(".bn-class-back button, button.bn-class-back")
    students[0].wait_for_selector(".bn-class-pushed", state="hidden", timeout=5_000)
    assert np.array_equal(page_values(students[0], "X"), own[0])

    # -- pause, then resume: every control off, then back as it was ------------------------------
    student = students[1]
    enabled = student.locator(".bn-app input:enabled, .bn-app button:enabled").count()
    teacher.click(".bn-class-pause")
    student.wait_for_selector(".bn-class-paused", state="visible", timeout=2_000)
    assert "eyes on the front" in student.locator(".bn-class-paused").inner_text()
    student.wait_for_function("() => document.querySelectorAll('.bn-app .widget-slider .noUi-handle').length > 0 && "
                              "[...document.querySelectorAll('.bn-app input:not(.bn-class-name input)')]"
                              ".every(i => i.disabled)", timeout=2_000)
    assert teacher.locator(".bn-class-pause").get_attribute("aria-pressed") == "true"
    teacher.click(".bn-class-pause")
    student.wait_for_selector(".bn-class-paused", state="hidden", timeout=2_000)
    student.wait_for_function(f"() => document.querySelectorAll('.bn-app input:enabled, .bn-app button:enabled')"
                              f".length === {enabled}", timeout=2_000)
