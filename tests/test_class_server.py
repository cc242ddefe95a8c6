"""The class's endpoints on the real ``make serve``: the teacher's token on every one of them, the
teacher's sign-in, push and pause checked, the CSV, and the kernels' link refused without its key.

The students' side (answers from real pages, push and pause reaching them) is in
``tests/test_browser_class.py``.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import urllib.error
import urllib.request

import pytest

from conftest import make_server, run_in_a_thread, wait_for_log

TEACHER = "teacher-secret-21"
ENDPOINTS = [("GET", "class"), ("GET", "class/api/summary"), ("GET", "class/api/answers.csv"),
             ("POST", "class/api/push"), ("POST", "class/api/pause")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("class-data")
    with make_server("serve", name="class-api", POOL=0, TEACHER=TEACHER, CLASS_DATA=data) as server:
        server.data = data
        yield server


def call(url: str, method: str = "GET", body: object = None, token: str | None = TEACHER, opener=None,
         headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={**({"Authorization": f"token {token}"} if token else {}),
                                              **(headers or {})})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()




def test_every_teacher_endpoint_refuses_without_the_token_and_says_nothing(server):
    for token in (None, "wrong", TEACHER + "x", ""):
        for method, path in ENDPOINTS:
            status, _, body = call(server.url + path, method, body={} if method == "POST" else None, token=token)
            assert (status, body) == (403, b""), (token, path)

    async def live(headers):
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect
        url = server.url.replace("http", "ws")
        codes = []
        for path in ("class/api/live", "class/kernel"):
            try:
                socket = await websocket_connect(HTTPRequest(url + path, headers=headers))
            except HTTPClientError as error:
                codes.append(error.code)
            else:
                socket.close()
                codes.append(101)
        return codes

    assert run_in_a_thread(live({})) == [403, 403]
    assert run_in_a_thread(live({"Authorization": "class 0000:forged"})) == [403, 403]
    assert run_in_a_thread(live({"Authorization": f"token {TEACHER}"})) == [101, 403]


def test_the_log_names_the_database_and_the_teachers_address(server):
    wait_for_log(server, "The teacher's page: ")
    log = server.log.read_text()
    assert f"The class's answers are kept in {server.data / 'class.sqlite'}" in log
    assert f"The teacher's page: {server.url}class?token={TEACHER}" in log
    assert (server.data / "class.sqlite").exists()


def test_the_summary_is_the_classes_data(server):
    status, headers, body = call(server.url + "class/api/summary")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    summary = json.loads(body)
    assert {"students", "paused", "push", "roster", "exercises", "mistakes"} <= set(summary)
    assert summary["mistakes"]["bias-forgotten"] == "Almost: the bias is missing"
    status, headers, body = call(server.url + "class/api/answers.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines()[0] == "answered_at,student,name,page,seed,difficulty,part,cell,typed,correct," \
                                            "mistake"


def test_a_push_is_a_state_the_pages_can_show_or_a_message_naming_what_is_wrong(server):
    link = f"{server.url}voila/render/02_batch_of_three.ipynb?preset=one-input&token=students-token"
    status, _, body = call(server.url + "class/api/push", "POST", {"state": link})
    pushed = json.loads(body)
    assert status == 200 and pushed["state"].startswith("W1=1,-1,1;1,1,0;0,1,1;1,0,1&b1=-5,0,1,-2")
    assert "token" not in pushed["state"]  # the students' token is not sent round the class
    status, _, body = call(server.url + "class/api/push", "POST", {"state": "W1=1,2&b1=0&x1=1,2&T=3"})
    second = json.loads(body)
    assert status == 200 and second["state"] == "W1=1,2&b1=0&x1=1,2&T=3" and second["id"] > pushed["id"]
    for sent, words in [({"state": "W1=1"}, "state: "), ({"state": "nonsense=1"}, "state: "),
                        ({"state": ""}, "state: paste a page's link"), ({}, "state: paste a page's link"),
                        ({"state": "W1=1,2&b1=0&x1=1,2&T=1,2,3"}, "state: ")]:
        status, headers, body = call(server.url + "class/api/push", "POST", sent)
        assert status == 400 and json.loads(body)["error"].startswith(words), sent
    status, _, body = call(server.url + "class/api/push", "POST", None)
    assert status == 400 and json.loads(body)["error"] == "expected a JSON object"
    summary = json.loads(call(server.url + "class/api/summary")[2])
    assert summary["push"]["id"] == second["id"]


def test_page_06s_link_is_pushed_as_its_network_and_targets_without_its_exercise():
    """The teacher's own 06 link carries its gradient exercise too; the class is sent the network and T."""
    from batchnet_core.classroom.server import read_push

    link = "/voila/render/06_train_the_batch.ipynb?W1=1,2&b1=0&x1=1,2&T=3&gradient_seed=7&gradient_difficulty=hard"
    assert read_push(link) == "W1=1,2&b1=0&x1=1,2&T=3"
    with pytest.raises(ValueError, match="state: gradient_seed appears twice in the link; give it once"):
        read_push("W1=1,2&b1=0&x1=1,2&gradient_seed=7&gradient_seed=8")


def test_pause_and_resume(server):
    for paused in (True, False):
        status, _, body = call(server.url + "class/api/pause", "POST", {"paused": paused})
        assert (status, json.loads(body)) == (200, {"paused": paused})
        assert json.loads(call(server.url + "class/api/summary")[2])["paused"] is paused
    status, _, body = call(server.url + "class/api/pause", "POST", {"paused": "yes"})
    assert status == 400 and json.loads(body)["error"] == "paused: expected true or false"


def test_the_teacher_signs_in_once_and_the_cookie_keeps_xsrf_on(server):
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, _, page = call(server.url + f"class?token={TEACHER}", token=None, opener=browser)
    assert status == 200 and b"<title>" in page  # redirected to /class, signed in
    cookies = {cookie.name: cookie for cookie in jar}
    assert cookies["batchnet_teacher"].has_nonstandard_attr("HttpOnly")
    status, headers, _ = call(server.url + "class", token=None, opener=browser)
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    status, _, body = call(server.url + "class/api/pause", "POST", {"paused": False}, token=None, opener=browser)
    assert status == 403  # the cookie alone, without the _xsrf check: refused
    xsrf = cookies["_xsrf"].value
    status, _, body = call(server.url + "class/api/pause", "POST", {"paused": False}, token=None, opener=browser,
                           headers={"X-XSRFToken": xsrf})
    assert status == 200
    status, _, _ = call(server.url + "class?token=wrong", token=None)
    assert status == 403


def test_a_class_without_a_teachers_token_makes_one_and_logs_it(tmp_path):
    with make_server("serve", name="class-token", POOL=0, CLASS_DATA=tmp_path) as server:
        wait_for_log(server, "The teacher's page: ")
        token = re.search(r"class\?token=(\S+)", server.log.read_text()).group(1)
        assert len(token) >= 20
        assert call(server.url + "class/api/summary", token=None)[0] == 403
        assert call(server.url + "class/api/summary", token=token)[0] == 200


def test_a_students_browser_is_not_the_teacher(server):
    """A student signed in to the pages (their cookies) reads nothing of the class and leads nothing."""
    jar = http.cookiejar.CookieJar()
    student = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, _, _ = call(server.url + "voila/render/00_start_here.ipynb", token=None, opener=student)
    assert status == 200 and "batchnet_student" in {cookie.name for cookie in jar}
    xsrf = next((cookie.value for cookie in jar if cookie.name == "_xsrf"), "")
    for method, path in ENDPOINTS:
        status, _, body = call(server.url + path, method, body={"paused": True} if method == "POST" else None,
                               token=None, opener=student, headers={"X-XSRFToken": xsrf})
        assert (status, body) == (403, b""), path


def test_a_kernels_link_is_bounded_in_size_and_rate_and_reads_only_what_it_knows(server):
    """The kernels' endpoint, spoken to as a kernel with a key the server would give it (made here from
    the server's kept secret): unknown and malformed messages are ignored, a burst beyond the rate is
    dropped, a message over the limit closes the link, and an answer from a kernel no browser opened
    is refused."""
    from batchnet_core.classroom.answers import MAX_FRAME
    from batchnet_core.classroom.server import BURST, kernel_key
    from batchnet_core.serving import class_secret

    key = kernel_key(class_secret(), "00000000-0000-4000-8000-000000000000")

    async def speak() -> dict:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = server.url.replace("http", "ws") + "class/kernel"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"class {key}"}))
        for junk in ("not json", "[]", '{"type": "drop tables"}', '{"type": "answer"}'):
            socket.write_message(junk)
        refused = json.loads(await asyncio.wait_for(socket.read_message(), 10))  # the malformed answer's
        socket.write_message(json.dumps({"type": "answer", "id": "a" * 32, "page": "03_by_hand.ipynb", "seed": 7,
                                         "difficulty": "medium", "part": "missing", "cell": "W1,3,2",
                                         "typed": "1"}))
        unbound = json.loads(await asyncio.wait_for(socket.read_message(), 10))
        for _ in range(3 * BURST):
            socket.write_message(json.dumps({"type": "hello", "page": "03_by_hand.ipynb"}))
        answered = 0
        while True:
            try:
                await asyncio.wait_for(socket.read_message(), 2)
            except TimeoutError:
                break
            answered += 1
        socket.write_message("x" * (MAX_FRAME + 1))
        closed = await asyncio.wait_for(socket.read_message(), 10)
        return {"refused": refused, "unbound": unbound, "answered": answered, "closed": closed,
                "code": socket.close_code}

    heard = run_in_a_thread(speak())
    assert heard["refused"]["type"] == "refused" and heard["refused"]["reason"] == "id: expected text"
    assert heard["unbound"] == {"type": "refused", "field": "answer", "id": "a" * 32,
                                "reason": "answer: this page is not yet open in a browser"}
    assert 0 < heard["answered"] < 3 * BURST  # each hello heard is answered with the class's pause; the rest dropped
    assert heard["closed"] is None and heard["code"] == 1009  # message too big
    assert "sends too fast: a message was dropped" in server.log.read_text()
