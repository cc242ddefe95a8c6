"""The teacher's page of the class view (``batchnet_core/classroom/static``), alone in Chromium: its three
files served by a tiny static server, the live websocket replaced by a fake that delivers a summary as
``batchnet_core.classroom`` makes it, and the API's POSTs intercepted. What the page draws, what it
sends, how it reconnects, and that what students send is shown as text."""

from __future__ import annotations

import contextlib
import copy
import http.server
import json
import re
import threading

import pytest

from batchnet_core.exercises import MISTAKES, check_answer, new_exercise, new_missing
from batchnet_core.forward import explain, forward
from batchnet_core.gradient_exercises import MISTAKES as GRADIENT_MISTAKES
from batchnet_core.gradient_exercises import new_gradient_exercise
from batchnet_core.numbers import format_number

from conftest import ARTIFACTS, AXE, ROOT, skip_or_fail

STATIC = ROOT / "batchnet_core" / "classroom" / "static"
XSRF = "2|4f1c2a|9e8d7c6b5a4f3e2d1c0b|1765000000"
HOSTILE = "<img src=x onerror=alert(1)>"

# ---- the summary the fake socket delivers ----------------------------------------------------------


def grid(name: str, title: str, rows: int, cols: int, row_unit: str, asked: list[str], col_prefix: str = "x"):
    return {"name": name, "title": title, "rows": rows, "cols": cols,
            "row_labels": [f"{row_unit}{r + 1}" for r in range(rows)],
            "col_labels": [f"{col_prefix}{c + 1}" for c in range(cols)], "asked": asked}


def typed_as(value: float) -> str:
    """A number as a learner types it: with the keyboard's minus, not the worksheet's."""
    return format_number(value).replace("\u2212", "-")


def by_hand(seed: int, difficulty: str) -> dict:
    """Page 03's exercise ``seed``/``difficulty`` as the server summarises it, with a few answers: for
    each blank, right answers and the wrong ones a class types (ReLU forgotten, the bias forgotten,
    a slip), their mistakes named by the lessons' own checker."""
    exercise = new_exercise(seed, difficulty)
    missing = new_missing(seed, difficulty)
    inputs, batch = exercise.state.X.shape
    hidden, outputs = exercise.state.W1.shape[0], exercise.state.W2.shape[0]
    blanks = [f"{c.layer},{c.row},{c.col}" for c in exercise.blanks]
    matrices = [grid("predict,H", "ReLU(H_z) = 0?", hidden, batch, "h",
                     [f"predict,H,{r},{c}" for r in range(hidden) for c in range(batch)])]
    for name, rows, unit in (("H_z", hidden, "h"), ("H", hidden, "h"), ("Y_z", outputs, "y"), ("Y", outputs, "y")):
        matrices.append(grid(name, name, rows, batch, unit, [b for b in blanks if b.split(",")[0] == name]))
    shape = (hidden, inputs) if missing.name == "W1" else (hidden, 1)
    matrices.append(grid(missing.name, missing.name, *shape, "h", [f"{missing.name},{missing.row},{missing.col}"]))
    cells = {}
    for n, cell in enumerate(exercise.blanks):
        right = exercise.answer(cell)
        correct = [1, 2, 3, 1, 2][n % 5]
        typed = {typed_as(right): correct} if correct else {}
        mistakes: dict[str, int] = {}
        # The mistakes a class makes: the sum before ReLU, the sum without the bias, a slip; one
        # student each, some of whom then found the right answer.
        found = explain(exercise.state, cell.layer, cell.row, cell.col)
        before_relu = float(forward(exercise.state)[found.layer][cell.row, cell.col])
        for wrong in dict.fromkeys((before_relu, right - found.bias, right + 1)):
            if wrong != right:
                typed[typed_as(wrong)] = 1
                mistake = check_answer(exercise.state, cell, typed_as(wrong)).mistake
                if mistake:
                    mistakes[mistake] = mistakes.get(mistake, 0) + 1
        cells[f"{cell.layer},{cell.row},{cell.col}"] = {
            "answers": max(correct + 1, 2), "correct": correct, "mistakes": mistakes, "typed": typed,
            "answer": format_number(right)}
    cells["predict,H,0,0"] = {"answers": 3, "correct": 3, "mistakes": {}, "typed": {"0": 3}, "answer": "0"}
    cells["predict,H,1,0"] = {"answers": 3, "correct": 0, "mistakes": {}, "typed": {"+": 3}, "answer": "0"}
    return {"key": f"03_by_hand.ipynb|{seed}|{difficulty}", "page": "03_by_hand.ipynb", "seed": seed,
            "difficulty": difficulty, "title": f"Work it out by hand · seed {seed} · {difficulty}",
            "matrices": matrices, "cells": cells}


def gradient(seed: int, difficulty: str) -> dict:
    """Page 06's gradient exercise as the server summarises it: the asked gradient's grid, one cell."""
    exercise = new_gradient_exercise(seed, difficulty)
    field = getattr(exercise.state, exercise.name)  # W2 (outputs × hidden) or b1 (hidden,)
    rows, cols = field.shape[0], field.shape[1] if field.ndim == 2 else 1
    name = "d" + exercise.name
    unit, source = ("y", "h") if exercise.name.endswith("2") else ("h", "x")
    matrix = grid(name, name, rows, cols, unit, [f"{name},{exercise.row},{exercise.col}"], col_prefix=source)
    answer = format_number(exercise.answer)
    return {"key": f"06_train_the_batch.ipynb|{seed}|{difficulty}", "page": "06_train_the_batch.ipynb", "seed": seed,
            "difficulty": difficulty, "title": f"Train on the batch · seed {seed} · {difficulty}", "matrices": [matrix],
            "cells": {f"{name},{exercise.row},{exercise.col}": {
                "answers": 3, "correct": 1, "mistakes": {"batch-sum": 2, "wrong-sign": 1},
                "typed": {typed_as(exercise.answer): 1, typed_as(3 * exercise.answer): 2,  # the sum over 3
                          typed_as(-exercise.answer): 1},
                "answer": answer}}}


SIX = gradient(7, "medium")
SEVEN = by_hand(7, "medium")
THREE = by_hand(3, "easy")
SUMMARY = {
    "type": "summary", "students": 2, "paused": False,
    "push": {"id": 2, "state": "W1=1,-1,2;0,1,1&b1=1,0", "at": 1765000000.0},
    "roster": [
        {"student": "s1", "name": "Ada", "page": "03_by_hand.ipynb", "present": True, "answers": 5, "correct": 3},
        {"student": "s2", "name": HOSTILE, "page": "02_batch_of_three.ipynb", "present": True, "answers": 4,
         "correct": 1},
        {"student": "s3", "name": "Grace", "page": "03_by_hand.ipynb", "present": False, "answers": 0, "correct": 0},
    ],
    "exercises": [SIX, THREE, SEVEN],
    "mistakes": {**MISTAKES, **GRADIENT_MISTAKES},
}


def asked_cells(exercise: dict) -> list[str]:
    return [key for matrix in exercise["matrices"] for key in matrix["asked"]]


def test_the_fixture_has_the_exercise_shapes():
    """Page 03 at seed 7, medium: sizes (3, 4, 2, 3), five blanks; the fixture follows them."""
    exercise = new_exercise(7, "medium")
    shapes = {m["name"]: (m["rows"], m["cols"]) for m in SEVEN["matrices"]}
    assert shapes == {"predict,H": (4, 3), "H_z": (4, 3), "H": (4, 3), "Y_z": (2, 3), "Y": (2, 3), "W1": (4, 3)}
    assert [key for key in asked_cells(SEVEN) if not key.startswith(("predict", "W1"))] == \
        [f"{c.layer},{c.row},{c.col}" for c in exercise.blanks]
    assert {name for cell in SEVEN["cells"].values() for name in cell["mistakes"]} >= {"bias-forgotten"}


# ---- the page's files, as they are written --------------------------------------------------------


def test_the_page_needs_no_inline_script_or_style_and_links_through_the_base():
    html = (STATIC / "class.html").read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "an inline script needs 'unsafe-inline'"
    assert "<style" not in html and " style=" not in html and re.search(r"\son\w+=", html) is None
    assert '<html lang="en">' in html and "<title>" in html
    assert 'src="{{base}}class/static/class.js"' in html and 'href="{{base}}class/static/class.css"' in html
    assert 'href="{{base}}class/api/answers.csv"' in html
    script = (STATIC / "class.js").read_text()
    assert re.search(r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(", script) is None
    assert "setInterval" not in script and "class/api/summary" not in script, "the page never polls"


def test_the_static_files_are_installed_with_the_package():
    assert '"batchnet_core.classroom" = ["static/*"]' in (ROOT / "pyproject.toml").read_text()


# ---- serving the page, and a fake live socket ------------------------------------------------------


class StaticPage(http.server.BaseHTTPRequestHandler):
    """The server's three routes for the page, with ``{{base}}`` as ``/``; nothing else."""

    FILES = {"/class": ("class.html", "text/html; charset=utf-8"),
             "/class/static/class.js": ("class.js", "text/javascript; charset=utf-8"),
             "/class/static/class.css": ("class.css", "text/css; charset=utf-8")}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        if path == "/axe.min.js" and AXE.exists():  # for the tests only: a script 'self' allows
            body, kind = AXE.read_bytes(), "text/javascript; charset=utf-8"
        elif path in self.FILES:
            name, kind = self.FILES[path]
            body = (STATIC / name).read_text().replace("{{base}}", "/").encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        # As strict as the real server may be: the page must work without 'unsafe-inline'.
        self.send_header("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def class_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StaticPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# A stand-in for the browser's WebSocket: each socket opens by itself (unless window.__holdOpen) and
# delivers window.__summary; tests deliver more, close it, or open a held one. It records when it was
# made, so the backoff can be measured.
FAKE_SOCKET = """
window.__sockets = [];
window.__alerts = [];
window.alert = (text) => window.__alerts.push(String(text));
class FakeSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.madeAt = performance.now();
    window.__sockets.push(this);
    if (!window.__holdOpen) setTimeout(() => this.open(), 0);
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
    if (window.__summary) this.deliver(window.__summary);
  }
  deliver(summary) {
    this.dispatchEvent(new MessageEvent("message", {data: JSON.stringify(summary)}));
  }
  close() {
    this.readyState = 3;
    window.__closedAt = performance.now();
    this.dispatchEvent(new CloseEvent("close"));
  }
  send() {}
}
window.WebSocket = FakeSocket;
"""


@contextlib.contextmanager
def class_page(browser, class_url, summary=SUMMARY, **context_options):
    """The teacher's page with the fake socket, the _xsrf cookie set; page errors fail the test."""
    context = browser.new_context(**{"viewport": {"width": 1024, "height": 768}, **context_options})
    context.add_cookies([{"name": "_xsrf", "value": XSRF, "url": class_url}])
    context.add_init_script(FAKE_SOCKET + f"window.__summary = {json.dumps(summary)};")
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(class_url + "class")
    page.wait_for_selector(".bn-class-cell")
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"errors in the page: {errors}"
    assert not [url for url in requests if "/class/api/summary" in url], "the page polled the summary"


def deliver(page, summary: dict) -> None:
    page.evaluate("(s) => window.__sockets[window.__sockets.length - 1].deliver(s)", summary)


def cell(page, key: str):
    return page.locator(f".bn-class-cell[data-cell='{key}']")


@pytest.fixture
def page(browser, class_url):
    with class_page(browser, class_url) as page:
        yield page


# ---- what the page draws --------------------------------------------------------------------------


@pytest.mark.browser
def test_the_page_draws_the_dom_contract(page, class_url):
    assert page.get_attribute(".bn-class-students", "data-count") == "2"
    assert page.inner_text(".bn-class-students") == "2 students present"
    assert page.inner_text(".bn-class-connection") == "Live"
    assert page.get_attribute(".bn-class-connection", "role") == "status"
    sockets = page.evaluate("window.__sockets.map(s => s.url)")
    assert sockets == [class_url.replace("http://", "ws://") + "class/api/live"]
    # The last exercise is shown first; the select lists every exercise by its title.
    assert page.get_attribute(".bn-class-exercise", "data-exercise") == "03_by_hand.ipynb|7|medium"
    assert page.locator(".bn-class-exercise").count() == 1
    assert page.eval_on_selector_all(".bn-class-pick option", "os => os.map(o => o.textContent)") == [
        "Train on the batch · seed 7 · medium", "Work it out by hand · seed 3 · easy",
        "Work it out by hand · seed 7 · medium"]
    assert page.input_value(".bn-class-pick") == "03_by_hand.ipynb|7|medium"
    # Every asked cell, and only those, is a .bn-class-cell with its numbers.
    drawn = page.eval_on_selector_all(".bn-class-cell", "bs => bs.map(b => [b.dataset.cell, b.dataset.answers, "
                                      "b.dataset.correct, b.querySelector('.bn-class-count').textContent, b.tagName])")
    assert [d[0] for d in drawn] == asked_cells(SEVEN)
    for key, answers, correct, shown, tag in drawn:
        data = SEVEN["cells"].get(key, {"answers": 0, "correct": 0})
        assert (answers, correct, tag) == (str(data["answers"]), str(data["correct"]), "BUTTON")
        assert shown == (f"{data['correct']}/{data['answers']}" if data["answers"] else "–")
    # A grid per matrix, a real table with its labels.
    assert page.eval_on_selector_all(".bn-class-grid caption", "cs => cs.map(c => c.textContent)") == [
        "ReLU(H_z) = 0?", "H_z", "H", "Y_z", "Y", "W1"]
    assert page.locator(".bn-class-grid").nth(1).locator("tbody th").all_inner_texts() == ["h1", "h2", "h3", "h4"]
    assert page.locator(".bn-class-grid").nth(1).locator("thead th").all_inner_texts() == ["x1", "x2", "x3"]
    assert page.locator(".bn-class-grid").nth(1).locator("tbody td").count() == 12
    # The accessible name says the cell and its numbers.
    h_z = SEVEN["cells"]["H_z,1,0"]
    assert page.get_by_role("button", name=f"H_z[h2, x1]: {h_z['correct']} of {h_z['answers']} correct").count() == 1
    assert page.get_by_role("button", name="ReLU(H_z) = 0? h1, x1: 3 of 3 correct").count() == 1
    assert page.get_by_role("button", name="ReLU(H_z) = 0? h1, x2: no answers yet").count() == 1
    # The share picks the colour: none right is red, all right green.
    hues = page.eval_on_selector_all(".bn-class-cell[data-share]", "bs => bs.map(b => [b.dataset.share, "
                                     "b.style.getPropertyValue('--hue')])")
    assert ["0", "5"] in hues and ["1", "130"] in hues
    # The header's controls.
    assert page.get_attribute(".bn-class-pause", "aria-pressed") == "false"
    assert page.inner_text(".bn-class-pause") == "Pause the class"
    assert page.get_attribute(".bn-class-csv", "href") == "/class/api/answers.csv"
    assert page.get_attribute(".bn-class-csv", "download") is not None
    assert page.get_by_label("Hide names").get_attribute("class") == "bn-class-hide-names"
    assert page.get_by_label("A link or a state to show every student").get_attribute("class") == \
        "bn-class-push-input"
    assert page.inner_text(".bn-class-push") == "Send to the class"
    assert page.get_attribute(".bn-class-push-message", "role") == "status"
    assert page.inner_text(".bn-class-pushed-state") == SUMMARY["push"]["state"]
    # Headings in order.
    assert page.eval_on_selector_all("h1, h2", "hs => hs.map(h => h.tagName + ' ' + h.textContent)") == [
        "H1 Class view", "H2 Answers", "H2 Show every student one network", "H2 Students"]
    # The exercise's commonest mistakes, over all its cells.
    common = page.locator(".bn-class-common li").all_inner_texts()
    assert any(re.fullmatch(r"\d+ of \d+ answers: Almost: the bias is missing", line) for line in common), common


@pytest.mark.browser
def test_names_are_text_never_markup(page):
    names = page.locator(".bn-class-roster tbody th").all_inner_texts()
    assert names == ["Ada", HOSTILE, "Grace"]
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__alerts") == []
    rows = page.locator(".bn-class-roster tbody tr")
    assert rows.nth(0).locator("td").all_inner_texts() == ["03 by hand", "● here", "5", "3"]
    assert rows.nth(2).locator("td").all_inner_texts() == ["03 by hand", "○ away", "0", "0"]
    # Markup anywhere a student can reach: a typed answer, a mistake's key, a title, a page.
    hostile = copy.deepcopy(SUMMARY)
    seven = hostile["exercises"][2]
    seven["title"] = HOSTILE
    seven["cells"]["H_z,1,0"]["typed"][HOSTILE] = 5
    seven["cells"]["H_z,1,0"]["mistakes"][HOSTILE] = 2
    hostile["roster"][0]["page"] = HOSTILE
    deliver(page, hostile)
    cell(page, "H_z,1,0").click()
    assert HOSTILE in page.inner_text(".bn-class-spread")
    answers = seven["cells"]["H_z,1,0"]["answers"]
    assert f"2 of {answers}: {HOSTILE}" in page.locator(".bn-class-mistakes li").all_inner_texts()
    assert page.eval_on_selector(".bn-class-pick", "s => s.selectedOptions[0].textContent") == HOSTILE
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__alerts") == []


@pytest.mark.browser
def test_a_chosen_cell_shows_its_spread_and_mistakes(page):
    assert "Choose a cell" in page.inner_text(".bn-class-spread")
    data = SEVEN["cells"]["H_z,1,0"]
    cell(page, "H_z,1,0").click()
    assert cell(page, "H_z,1,0").get_attribute("aria-pressed") == "true"
    spread = page.locator(".bn-class-spread")
    assert "H_z[h2, x1]" in spread.inner_text()
    assert spread.locator(".bn-class-answer").inner_text() == f"Right answer: {data['answer']}"
    bars = spread.locator(".bn-class-bars li")
    assert bars.count() == len(data["typed"])
    typed = {bars.nth(i).locator(".bn-class-typed").inner_text(): bars.nth(i).locator(".bn-class-times").inner_text()
             for i in range(bars.count())}
    right = data["answer"].replace("−", "-")
    assert typed[right] == f"{data['typed'][right]}× ✓ right", "the typed right answer is marked"
    assert spread.locator(".bn-class-right").count() == 1
    mistakes = page.locator(".bn-class-mistakes li").all_inner_texts()
    expected = [f"{n} of {data['answers']}: {SUMMARY['mistakes'].get(name, name)}"
                for name, n in data["mistakes"].items()]
    assert sorted(mistakes) == sorted(expected) and mistakes
    # The keyboard: Enter and Space on another cell choose it.
    other = cell(page, "H,2,1")
    other.focus()
    page.keyboard.press("Enter")
    assert "H[h3, x2]" in spread.inner_text()
    cell(page, "H,0,0").focus()
    page.keyboard.press("Space")
    assert "H[h1, x1]" in spread.inner_text()
    assert cell(page, "H_z,1,0").get_attribute("aria-pressed") == "false"
    # A live update keeps the chosen cell and the focus, and shows its new numbers.
    update = copy.deepcopy(SUMMARY)
    update["exercises"][2]["cells"]["H,0,0"].update(answers=9, correct=7)
    deliver(page, update)
    assert cell(page, "H,0,0").get_attribute("data-answers") == "9"
    assert "7 of 9 students right" in spread.inner_text()
    assert page.evaluate("document.activeElement.dataset.cell") == "H,0,0"


@pytest.mark.browser
def test_the_teachers_choice_of_exercise_survives_updates(page):
    page.select_option(".bn-class-pick", "03_by_hand.ipynb|3|easy")
    assert page.get_attribute(".bn-class-exercise", "data-exercise") == "03_by_hand.ipynb|3|easy"
    assert page.locator(".bn-class-cell").count() == len(asked_cells(THREE))
    update = copy.deepcopy(SUMMARY)
    update["exercises"][2]["cells"]["H,0,0"]["answers"] = 12
    deliver(page, update)
    assert page.get_attribute(".bn-class-exercise", "data-exercise") == "03_by_hand.ipynb|3|easy"
    assert page.input_value(".bn-class-pick") == "03_by_hand.ipynb|3|easy"
    # Page 06's exercise: one asked entry of a gradient, in that gradient's grid.
    page.select_option(".bn-class-pick", label="Train on the batch · seed 7 · medium")
    assert page.eval_on_selector_all(".bn-class-grid caption", "cs => cs.map(c => c.textContent)") == ["dW2"]
    asked = SIX["matrices"][0]["asked"][0]
    cell(page, asked).click()
    assert "dW2[y1, h2]" in page.inner_text(".bn-class-spread")
    assert "2 of 3: Almost: that is the sum over the batch, not the mean" in page.inner_text(".bn-class-mistakes")
    # The right answer is marked as a learner may type it: 0.33 for 0.3333, two decimals being enough.
    update = copy.deepcopy(SUMMARY)
    update["exercises"][0]["cells"][asked]["typed"] = {"0.33": 1, "1": 2}
    deliver(page, update)
    assert page.locator(".bn-class-right .bn-class-typed").all_inner_texts() == ["0.33"]


@pytest.mark.browser
def test_without_a_choice_the_page_follows_the_exercise_answered_last(browser, class_url):
    with class_page(browser, class_url) as page:
        update = copy.deepcopy(SUMMARY)
        first = update["exercises"][1]
        key = next(iter(first["cells"]))
        first["cells"][key]["typed"]["42"] = 1
        deliver(page, update)
        assert page.get_attribute(".bn-class-exercise", "data-exercise") == "03_by_hand.ipynb|3|easy"


@pytest.mark.browser
def test_hide_names_replaces_every_name_and_is_remembered(page):
    page.get_by_label("Hide names").check()
    assert page.locator(".bn-class-roster tbody th").all_inner_texts() == ["Student 1", "Student 2", "Student 3"]
    assert "Ada" not in page.inner_text("body")
    deliver(page, SUMMARY)
    assert page.locator(".bn-class-roster tbody th").all_inner_texts() == ["Student 1", "Student 2", "Student 3"]
    page.reload()
    page.wait_for_selector(".bn-class-cell")
    assert page.is_checked(".bn-class-hide-names")
    assert page.locator(".bn-class-roster tbody th").all_inner_texts() == ["Student 1", "Student 2", "Student 3"]
    page.get_by_label("Hide names").uncheck()
    assert page.locator(".bn-class-roster tbody th").all_inner_texts() == ["Ada", HOSTILE, "Grace"]


@pytest.mark.browser
def test_a_dropped_connection_says_reconnecting_and_comes_back_with_backoff(page):
    page.evaluate("window.__holdOpen = true; window.__sockets[0].close()")
    assert page.inner_text(".bn-class-connection") == "Reconnecting…"
    # 0.5 s, then 1 s: the attempts slow down while the server is away...
    page.wait_for_function("() => window.__sockets.length === 2")
    page.evaluate("window.__sockets[1].close()")
    page.wait_for_function("() => window.__sockets.length === 3", timeout=5_000)
    delays = page.evaluate("[window.__sockets[1].madeAt - window.__sockets[0].madeAt,"
                           " window.__sockets[2].madeAt - window.__closedAt]")
    assert delays[0] >= 450 and 950 <= delays[1] < 2000, delays
    assert page.inner_text(".bn-class-connection") == "Reconnecting…"
    # ...and the page says Live when one opens, with the summary it brings.
    live = copy.deepcopy(SUMMARY)
    live["students"] = 3
    page.evaluate("(s) => { window.__summary = s; window.__sockets[2].open(); }", live)
    assert page.inner_text(".bn-class-connection") == "Live"
    assert page.get_attribute(".bn-class-students", "data-count") == "3"


# ---- what the page sends --------------------------------------------------------------------------


def intercept(page, path: str, status: int, answer: dict) -> list:
    """Answer POSTs to ``path`` with ``answer``; returns the list the requests are recorded in."""
    seen = []

    def handle(route):
        request = route.request
        seen.append({"method": request.method, "body": request.post_data_json, "headers": request.headers})
        route.fulfill(status=status, content_type="application/json", body=json.dumps(answer))

    page.route(f"**/class/api/{path}", handle)
    return seen


@pytest.mark.browser
def test_push_sends_the_state_with_the_xsrf_token_and_says_what_happened(page):
    seen = intercept(page, "push", 200, {"id": 3, "state": "W1=1"})
    page.fill(".bn-class-push-input", "  http://127.0.0.1/voila/render/02_batch_of_three.ipynb?W1=1  ")
    page.click(".bn-class-push")
    page.wait_for_function("() => document.querySelector('.bn-class-push-message').textContent !== ''")
    assert page.inner_text(".bn-class-push-message") == "Sent to the class."
    assert seen[0]["method"] == "POST"
    assert seen[0]["body"] == {"state": "http://127.0.0.1/voila/render/02_batch_of_three.ipynb?W1=1"}
    assert seen[0]["headers"]["x-xsrftoken"] == XSRF
    assert seen[0]["headers"]["content-type"] == "application/json"
    # A refusal shows the server's own words, as an error; Enter in the box sends too.
    page.unroute("**/class/api/push")
    intercept(page, "push", 400, {"error": "W1 must have 4 rows (hidden units); got 2"})
    page.fill(".bn-class-push-input", "W1=1,2")
    page.press(".bn-class-push-input", "Enter")
    page.wait_for_function("() => document.querySelector('.bn-class-push-message').textContent.startsWith('W1')")
    assert page.inner_text(".bn-class-push-message") == "W1 must have 4 rows (hidden units); got 2"
    assert "bn-class-error" in page.get_attribute(".bn-class-push-message", "class")


@pytest.mark.browser
def test_pause_posts_and_the_button_says_the_state(page):
    seen = intercept(page, "pause", 200, {"paused": True})
    page.click(".bn-class-pause")
    page.wait_for_function("() => document.querySelector('.bn-class-pause').getAttribute('aria-pressed') === 'true'")
    assert page.inner_text(".bn-class-pause") == "Resume the class"
    assert seen[0]["body"] == {"paused": True}
    assert seen[0]["headers"]["x-xsrftoken"] == XSRF
    # The summary is the truth: the server says the class runs again.
    deliver(page, SUMMARY)
    assert page.get_attribute(".bn-class-pause", "aria-pressed") == "false"
    assert page.inner_text(".bn-class-pause") == "Pause the class"
    page.unroute("**/class/api/pause")
    seen = intercept(page, "pause", 403, {})
    page.click(".bn-class-pause")
    page.wait_for_function("() => document.querySelector('.bn-class-pause-message').textContent.includes('refused')")
    assert seen[0]["body"] == {"paused": True}
    assert page.get_attribute(".bn-class-pause", "aria-pressed") == "false"


@pytest.mark.browser
def test_no_exercise_yet_says_so(browser, class_url):
    empty = {**SUMMARY, "exercises": [], "roster": [], "students": 0, "push": None}
    context = browser.new_context()
    context.add_init_script(FAKE_SOCKET + f"window.__summary = {json.dumps(empty)};")
    page = context.new_page()
    page.goto(class_url + "class")
    page.wait_for_function("() => document.querySelector('.bn-class-connection').textContent === 'Live'")
    assert page.is_visible(".bn-class-none") and not page.is_visible(".bn-class-pick")
    assert page.is_visible(".bn-class-roster-empty") and not page.is_visible(".bn-class-pushed")
    assert page.get_attribute(".bn-class-students", "data-count") == "0"
    context.close()


# ---- accessibility and looks ----------------------------------------------------------------------


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed at {AXE} (make test installs it)", "accessibility")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the page's own server: the page's policy (default-src 'self') forbids an inline script.
        page.add_script_tag(url="/axe.min.js")
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3)
            .map(n => n.target.join(' ')).join(' | ')}`);
    }""")


SCREENS = {
    "projector": {"viewport": {"width": 1024, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "dark": {"viewport": {"width": 1024, "height": 768}, "color_scheme": "dark"},
}


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_the_page_is_accessible_and_fits_the_screen(browser, class_url, screen):
    with class_page(browser, class_url, **SCREENS[screen]) as page:
        cell(page, "H_z,1,0").click()
        # The chosen cell's details are on screen: beside the grids, or brought up on a phone.
        assert page.evaluate("() => { const box = document.querySelector('.bn-class-detail')"
                             ".getBoundingClientRect(); return box.top >= 0 && box.top < window.innerHeight; }")
        ARTIFACTS.mkdir(exist_ok=True)
        if screen != "phone":
            page.evaluate("() => window.scrollTo(0, 0)")
        # The first screen as the class sees it on the projector, and all of the page.
        page.screenshot(path=str(ARTIFACTS / f"class-page-{screen}.png"))
        page.screenshot(path=str(ARTIFACTS / f"class-page-{screen}-full.png"), full_page=True)
        page.fill(".bn-class-push-input", "W1=1,2")
        # Nothing wider than the screen: the phone stacks everything.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Type large enough to read when projected (16 px on a phone).
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= (
            16 if screen == "phone" else 18)
        assert axe_violations(page) == []
        page.get_by_label("Hide names").check()
        page.focus(".bn-class-pause")
        assert axe_violations(page) == []

