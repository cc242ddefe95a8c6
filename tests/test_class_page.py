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
import uuid
from collections import Counter
from collections.abc import Sequence

import pytest

from batchnet_core.classroom.answers import asked_cells, check, exercise_key, read_answer, read_name
from batchnet_core.classroom.store import ClassStore
from batchnet_core.exercises import new_exercise, new_missing, zeroed_by_relu
from batchnet_core.gradient_exercises import new_gradient_exercise
from batchnet_core.nn.forward import explain, forward
from batchnet_core.nn.numbers import format_number

from conftest import ARTIFACTS, AXE, ROOT, skip_or_fail

STATIC = ROOT / "batchnet_core" / "classroom" / "static"
XSRF = "2|4f1c2a|9e8d7c6b5a4f3e2d1c0b|1765000000"
HOSTILE = "<img src=x onerror=alert(1)>"

# ---- the summary the fake socket delivers ----------------------------------------------------------
#
# Made as the server makes it: a class's answers read and checked by batchnet_core.classroom.answers,
# kept in a ClassStore (SQLite in memory) and summarised by it, so the page is tested on the real thing.

PUSH = {"id": 2, "state": "W1=1,-1,2;0,1,1&b1=1,0", "at": 1765000000.0}
BY_HAND, TRAIN = "03_by_hand.ipynb", "06_train_the_batch.ipynb"
#: The class's three students in the order they arrive (Student 1, 2, 3), and the page each one
#: present has open: Grace is away (her page is that of her last answer).
NAMES = ("Ada", HOSTILE, "Grace")
HERE = {"Ada": BY_HAND, HOSTILE: "02_batch_of_three.ipynb"}


def typed_as(value: float) -> str:
    """A number as a learner types it: with the keyboard's minus, not the worksheet's."""
    return format_number(value).replace("\u2212", "-")


def by_hand_answers(seed: int, difficulty: str) -> list[tuple[str, str, str, str]]:
    """What the class types on page 03's exercise ``seed``/``difficulty``, oldest first, as (who, part,
    cell, typed), every value worked out from the exercise's own numbers. The blanks: Ada forgets the
    bias where that changes the answer, then finds it; Student 2 forgets ReLU (or else the bias) and
    stays there; Grace gets them right, on the first blank after a slip of one, where Student 2 also
    types a text that is no number, then markup. The ReLU prediction: a cell ReLU makes 0 marked so by
    all, another marked by none, and a cell above 0 marked right by Ada and wrong by Student 2. The
    backwards question: Ada right, Grace with the bias forgotten (or else a slip)."""
    exercise = new_exercise(seed, difficulty)
    trace = forward(exercise.state)
    ada, img, grace = NAMES
    said: list[tuple[str, str, object]] = []
    for n, blank in enumerate(exercise.blanks):
        key = f"{blank.layer},{blank.row},{blank.col}"
        right = exercise.answer(blank)
        found = explain(exercise.state, blank.layer, blank.row, blank.col)  # its sum, of H_z or Y_z
        before_relu = float(trace[found.layer][blank.row, blank.col])
        without_bias = before_relu - found.bias
        if blank.layer != found.layer:  # a cell after ReLU: the sum without the bias, through ReLU
            without_bias = max(0.0, without_bias)
        said += [(ada, key, without_bias)] if without_bias != right else []
        said += [(ada, key, right), (img, key, next((v for v in (before_relu, without_bias) if v != right), right))]
        said += [(img, key, "five"), (img, key, HOSTILE), (grace, key, right + 1)] if n == 0 else []
        said += [(grace, key, right)]
    answers = [(who, "blank", key, value if isinstance(value, str) else typed_as(value)) for who, key, value in said]
    zero = sorted(zeroed_by_relu(exercise.state))
    hidden, batch = trace.Z[0].shape
    above = [(r, c) for r in range(hidden) for c in range(batch) if (r, c) not in zero]
    for (r, c), marks in ((zero[0], "000"), (zero[-1], "+++"), (above[-1], "+0")):
        answers += [(who, "predict", f"H,{r},{c}", mark) for who, mark in zip(NAMES, marks)]
    missing = new_missing(seed, difficulty)
    (asked,) = asked_cells("missing", seed, difficulty)
    if missing.name == "W1":  # the weight that makes the sum without the bias
        bias = explain(exercise.state, "H_z", missing.row, missing.input).bias
        wrong = missing.answer + bias / float(exercise.state.X[missing.col, missing.input])
    else:
        wrong = missing.answer + 1
    answers += [(ada, "missing", asked, typed_as(missing.answer)), (grace, "missing", asked, typed_as(wrong))]
    return answers


def gradient_answers(seed: int, difficulty: str) -> list[tuple[str, str, str, str]]:
    """What the class types on page 06's gradient exercise: the sum over the batch, then the mean to two
    decimals; the sum; the wrong sign."""
    exercise = new_gradient_exercise(seed, difficulty)
    (asked,) = asked_cells("gradient", seed, difficulty)
    batch_sum = exercise.state.X.shape[1] * exercise.answer
    ada, img, grace = NAMES
    return [(ada, "gradient", asked, typed_as(batch_sum)), (ada, "gradient", asked, f"{exercise.answer:.2f}"),
            (img, "gradient", asked, typed_as(batch_sum)), (grace, "gradient", asked, typed_as(-exercise.answer))]


#: The class's exercises in the order it answers them (the summary lists them so; the page shows the
#: last first): page 06's gradient, page 03 at seed 3, easy, and page 03 at seed 7, medium.
ANSWERED = [(TRAIN, 7, "medium", gradient_answers(7, "medium")), (BY_HAND, 3, "easy", by_hand_answers(3, "easy")),
            (BY_HAND, 7, "medium", by_hand_answers(7, "medium"))]


def class_summary(then: Sequence[tuple] = (), here: Sequence[str] = ()) -> dict:
    """The summary of the class as the server sends it (``{"type": "summary", ...}`` through JSON):
    the answers of ANSWERED, then those of ``then`` ((who, page, seed, difficulty, part, cell, typed)),
    one a second; the students of HERE present, and those named in ``here`` on page 03 too."""
    store = ClassStore("sqlite://")
    ids = {}
    for name in NAMES:
        student = store.student(None)
        ids[name] = store.rename(student.id, read_name(name)).id
    store.set_setting("push", PUSH)
    said = [(who, page, seed, difficulty, *rest) for page, seed, difficulty, answers in ANSWERED
            for who, *rest in answers]
    for at, (who, page, seed, difficulty, part, cell, typed) in enumerate([*said, *then]):
        answer = read_answer({"id": uuid.uuid4().hex, "page": page, "seed": seed, "difficulty": difficulty,
                              "part": part, "cell": cell, "typed": typed})
        store.record(ids[who], answer, check(answer), at=PUSH["at"] + at)
    present = {ids[name]: page for name, page in HERE.items()} | {ids[name]: BY_HAND for name in here}
    summary = {"type": "summary", **store.summary(present)}
    store.close()
    return json.loads(json.dumps(summary))


def exercise_of(summary: dict, key: str) -> dict:
    return next(e for e in summary["exercises"] if e["key"] == key)


SUMMARY = class_summary()
SIX, THREE, SEVEN = (exercise_of(SUMMARY, exercise_key(page, seed, difficulty))
                     for page, seed, difficulty, _ in ANSWERED)
#: The summary after the next answer: Student 2 types H[h1, x1]'s right answer at last.
LATER = class_summary(then=[(HOSTILE, BY_HAND, 7, "medium", "blank", "H,0,0",
                             SEVEN["cells"]["H,0,0"]["answer"].replace("\u2212", "-"))])


def asked_in(exercise: dict) -> list[str]:
    return [key for matrix in exercise["matrices"] for key in matrix["asked"]]


def label(exercise: dict, key: str) -> str:
    """A cell's name as the page says it, from its matrix's labels: "H_z[h2, x1]"."""
    name, row, col = key.split(",")
    matrix = next(m for m in exercise["matrices"] if m["name"] == name)
    return f"{matrix['title']}[{matrix['row_labels'][int(row)]}, {matrix['col_labels'][int(col)]}]"


def mistake_lines(exercise: dict, key: str) -> list[str]:
    data = exercise["cells"][key]
    return [f"{n} of {data['answers']}: {SUMMARY['mistakes'][name]}" for name, n in data["mistakes"].items()]


def test_the_fixture_is_the_class_the_tests_need():
    """Page 03 at seed 7, medium: sizes (3, 4, 2, 3), five blanks, as the server lays them out; and the
    class's answers have what the tests look at."""
    exercise = new_exercise(7, "medium")
    shapes = {m["name"]: (m["rows"], m["cols"]) for m in SEVEN["matrices"]}
    assert shapes == {"predict": (4, 3), "H_z": (4, 3), "H": (4, 3), "Y_z": (2, 3), "Y": (2, 3), "W1": (4, 3)}
    assert [key for key in asked_in(SEVEN) if not key.startswith(("predict", "W1"))] == \
        [f"{c.layer},{c.row},{c.col}" for c in exercise.blanks]
    assert [e["key"] for e in SUMMARY["exercises"]] == [SIX["key"], THREE["key"], SEVEN["key"]]
    assert set(SEVEN["cells"]) <= set(asked_in(SEVEN)) and "H_z,1,0" in SEVEN["cells"]
    # A cell none got right, one all got right, and one no one answered.
    shares = {key: (c["correct"], c["answers"]) for key, c in SEVEN["cells"].items()}
    assert (0, 3) in shares.values() and (3, 3) in shares.values()
    assert shares["predict,0,0"] == (3, 3) and "predict,0,1" not in SEVEN["cells"]
    # The first blank's answers: right, the bias forgotten, a slip, no number, and markup.
    h_z = SEVEN["cells"]["H_z,1,0"]
    assert set(h_z["mistakes"]) == {"bias-forgotten", "arithmetic", "not-a-number"} and HOSTILE in h_z["typed"]
    # The bias forgotten is the exercise's commonest mistake; page 06's answers sum over the batch twice.
    totals = Counter()
    for data in SEVEN["cells"].values():
        totals.update(data["mistakes"])
    assert totals.most_common(2)[0][0] == "bias-forgotten" and totals.most_common(2)[1][1] < totals["bias-forgotten"]
    assert SIX["cells"][asked_in(SIX)[0]]["mistakes"] == {"batch-sum": 2, "wrong-sign": 1}
    assert [(s["name"], s["present"]) for s in SUMMARY["roster"]] == [("Ada", True), (HOSTILE, True), ("Grace", False)]
    assert SUMMARY["students"] == 2 and SUMMARY["push"] == PUSH
    # The next summary: one more right answer in H[h1, x1], and the rest as it was.
    before, after = SEVEN["cells"]["H,0,0"], exercise_of(LATER, SEVEN["key"])["cells"]["H,0,0"]
    assert (after["answers"], after["correct"]) == (before["answers"], before["correct"] + 1)
    assert [e["key"] for e in LATER["exercises"]] == [e["key"] for e in SUMMARY["exercises"]]


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
    code = re.sub(r"^\s*//.*$", "", script, flags=re.MULTILINE)  # its comments may name the summary's GET
    assert "setInterval" not in code and "class/api/summary" not in code, "the page never polls"


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
        SIX["title"], THREE["title"], SEVEN["title"]]
    assert SEVEN["title"] == "Work it out by hand · seed 7 · medium"
    assert page.input_value(".bn-class-pick") == "03_by_hand.ipynb|7|medium"
    # Every asked cell, and only those, is a .bn-class-cell with its numbers.
    drawn = page.eval_on_selector_all(".bn-class-cell", "bs => bs.map(b => [b.dataset.cell, b.dataset.answers, "
                                      "b.dataset.correct, b.querySelector('.bn-class-count').textContent, b.tagName])")
    assert [d[0] for d in drawn] == asked_in(SEVEN)
    for key, answers, correct, shown, tag in drawn:
        data = SEVEN["cells"].get(key, {"answers": 0, "correct": 0})
        assert (answers, correct, tag) == (str(data["answers"]), str(data["correct"]), "BUTTON")
        assert shown == (f"{data['correct']}/{data['answers']}" if data["answers"] else "–")
    # A grid per matrix, a real table with its labels.
    assert page.eval_on_selector_all(".bn-class-grid caption", "cs => cs.map(c => c.textContent)") == [
        m["title"] for m in SEVEN["matrices"]]
    h_z_grid = SEVEN["matrices"][1]
    assert h_z_grid["name"] == "H_z"
    assert page.locator(".bn-class-grid").nth(1).locator("tbody th").all_inner_texts() == h_z_grid["row_labels"]
    assert page.locator(".bn-class-grid").nth(1).locator("thead th").all_inner_texts() == h_z_grid["col_labels"]
    assert page.locator(".bn-class-grid").nth(1).locator("tbody td").count() == h_z_grid["rows"] * h_z_grid["cols"]
    # The accessible name says the cell and its numbers.
    h_z = SEVEN["cells"]["H_z,1,0"]
    assert page.get_by_role("button", name=f"H_z[h2, x1]: {h_z['correct']} of {h_z['answers']} correct").count() == 1
    marked = SEVEN["cells"]["predict,0,0"]
    assert page.get_by_role("button", name=f"ReLU(H_z) = 0? h1, x1: {marked['correct']} of {marked['answers']} "
                            "correct").count() == 1
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
    answers = sum(data["answers"] for data in SEVEN["cells"].values())
    forgotten = sum(data["mistakes"].get("bias-forgotten", 0) for data in SEVEN["cells"].values())
    assert common[0] == f"{forgotten} of {answers} answers: Almost: the bias is missing", common


@pytest.mark.browser
def test_names_are_text_never_markup(page):
    names = page.locator(".bn-class-roster tbody th").all_inner_texts()
    assert names == ["Ada", HOSTILE, "Grace"]
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__alerts") == []
    rows = page.locator(".bn-class-roster tbody tr")
    ada, _, grace = SUMMARY["roster"]
    assert rows.nth(0).locator("td").all_inner_texts() == [
        "03 by hand", "● here", str(ada["answers"]), str(ada["correct"])]
    assert rows.nth(2).locator("td").all_inner_texts() == [
        "03 by hand", "○ away", str(grace["answers"]), str(grace["correct"])]
    # Markup a student typed as an answer, kept by the store as it came.
    assert HOSTILE in SEVEN["cells"]["H_z,1,0"]["typed"]
    cell(page, "H_z,1,0").click()
    assert HOSTILE in page.locator(".bn-class-spread .bn-class-typed").all_inner_texts()
    # Markup anywhere else a summary carries text: a mistake's key, a title, a page. The store cannot
    # make these (it takes them from the series and the checkers), so they are written into the
    # real summary here, for this test only.
    hostile = copy.deepcopy(SUMMARY)
    seven = exercise_of(hostile, SEVEN["key"])
    seven["title"] = HOSTILE
    seven["cells"]["H_z,1,0"]["mistakes"][HOSTILE] = 2
    hostile["roster"][0]["page"] = HOSTILE
    deliver(page, hostile)
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
    assert sorted(mistakes) == sorted(mistake_lines(SEVEN, "H_z,1,0")) and mistakes
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
    now = exercise_of(LATER, SEVEN["key"])["cells"]["H,0,0"]
    deliver(page, LATER)
    assert cell(page, "H,0,0").get_attribute("data-correct") == str(now["correct"])
    assert f"{now['correct']} of {now['answers']} students right" in spread.inner_text()
    assert page.evaluate("document.activeElement.dataset.cell") == "H,0,0"


@pytest.mark.browser
def test_the_teachers_choice_of_exercise_survives_updates(page):
    page.select_option(".bn-class-pick", THREE["key"])
    assert page.get_attribute(".bn-class-exercise", "data-exercise") == THREE["key"]
    assert page.locator(".bn-class-cell").count() == len(asked_in(THREE))
    deliver(page, LATER)  # the class answers on in another exercise
    assert page.get_attribute(".bn-class-exercise", "data-exercise") == THREE["key"]
    assert page.input_value(".bn-class-pick") == THREE["key"]
    # Page 06's exercise: one asked entry of a gradient, in that gradient's grid.
    page.select_option(".bn-class-pick", label=SIX["title"])
    assert page.eval_on_selector_all(".bn-class-grid caption", "cs => cs.map(c => c.textContent)") == ["dW2"]
    (asked,) = asked_in(SIX)
    cell(page, asked).click()
    assert label(SIX, asked) == "dW2[y1, h2]" and label(SIX, asked) in page.inner_text(".bn-class-spread")
    data = SIX["cells"][asked]
    assert f"{data['mistakes']['batch-sum']} of {data['answers']}: Almost: that is the sum over the batch, not the " \
        "mean" in page.locator(".bn-class-mistakes li").all_inner_texts()
    # The right answer is marked as a learner may type it: 0.33 for 0.3333, two decimals being enough;
    # the sum over the batch and the wrong sign are not.
    rounded = f"{float(data['answer']):.2f}"
    assert rounded != data["answer"] and rounded in data["typed"] and len(data["typed"]) > 1
    assert page.locator(".bn-class-right .bn-class-typed").all_inner_texts() == [rounded]


@pytest.mark.browser
def test_without_a_choice_the_page_follows_the_exercise_answered_last(browser, class_url):
    with class_page(browser, class_url) as page:
        assert page.get_attribute(".bn-class-exercise", "data-exercise") == SEVEN["key"]
        # Ada types once more in page 03's exercise at seed 3: the page follows her there.
        blank = new_exercise(3, "easy").blanks[0]
        update = class_summary(then=[("Ada", BY_HAND, 3, "easy", "blank", f"{blank.layer},{blank.row},{blank.col}",
                                      "42")])
        deliver(page, update)
        assert page.get_attribute(".bn-class-exercise", "data-exercise") == THREE["key"]


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
    live = class_summary(here=("Grace",))  # Grace has come back meanwhile
    assert live["students"] == 3
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
    store = ClassStore("sqlite://")  # a class no one has joined yet
    empty = {"type": "summary", **store.summary({})}
    store.close()
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

