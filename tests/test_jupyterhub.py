"""A real JupyterHub on loopback serves the app to its users, each with their own kernel, and the class
view as a hub-managed service: two classes (groups class-a: alice, bob; class-b: carol), a teacher
each (a role with ``custom:batchnet-class:teach!group=<class>``), and, with PostgreSQL, a second
replica of the service on the same database (bob's kernels talk to it, everyone else's to the first).
"""

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

import batchnet_core as bn
from batchnet_core.classroom.hub import CUSTOM_SCOPES

from conftest import (
    ARTIFACTS,
    LIVE,
    ROOT,
    free_port,
    open_app,
    page_values,
    run_in_a_thread,
    state_on_page,
    stop,
    wait_for_value,
    wait_until_serving,
)
from test_core import HAND_Y

pytestmark = pytest.mark.browser

PROXY = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
#: What deploy/jupyterhub-config.yaml gives each student's server: the hub below uses the same.
SHIPPED = yaml.safe_load((ROOT / "deploy" / "jupyterhub-config.yaml").read_text())["singleuser"]

HUB_CONFIG = """
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.notebook_dir = {root!r}
c.Spawner.default_url = {default_url!r}
c.Spawner.mem_guarantee = {mem_guarantee!r}
c.Spawner.mem_limit = {mem_limit!r}
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {jupyter_config!r}}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.db_url = "sqlite:///{state}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.cleanup_servers = True

# The class view (deploy/jupyterhub-config.yaml ships the same service, scopes and roles)
import sys
c.JupyterHub.services = [{{
    "name": "batchnet-class",
    "url": "http://127.0.0.1:{service_port}",
    "command": [sys.executable, "-m", "batchnet_core.classroom.hub"],
    "api_token": {service_token!r},
    "environment": {{"BATCHNET_CLASS_DATABASE": {database!r}}},
    "oauth_client_allowed_scopes": ["custom:batchnet-class:teach"],
    "display": False,
    "oauth_no_confirm": True,
}}]
c.JupyterHub.custom_scopes = {custom_scopes!r}
c.JupyterHub.load_groups = {groups!r}
c.JupyterHub.load_roles = {roles!r}
c.JupyterHub.api_tokens = {api_tokens!r}


# Each server's kernels reach the class through the hub's proxy; bob's, when there is a second
# replica, reach it directly.
def class_url(spawner):
    port = {replica_port!r} if spawner.user.name == "bob" and {replica_port!r} else {port}
    return f"ws://127.0.0.1:{{port}}/services/batchnet-class/kernel"


c.Spawner.environment["BATCHNET_CLASS_URL"] = class_url
"""

SERVICE = "services/batchnet-class/"
STUDENTS = {"alice": "class-a", "bob": "class-a", "carol": "class-b"}
TEACHERS = {"teach-a": "class-a", "teach-b": "class-b"}
#: A third class of simulated students, who answer over the kernels' link with their own tokens.
CROWD = [f"student-{k:03d}" for k in range(100)]
GROUPS = {"class-a": {"users": ["alice", "bob"]}, "class-b": {"users": ["carol"]}, "class-crowd": {"users": CROWD}}
#: Each user's token for the API, as a script of theirs would hold it.
TOKENS = {f"token-of-{user}-0123456789": user for user in (*STUDENTS, *TEACHERS, *CROWD)}
TOKEN = {user: token for token, user in TOKENS.items()}
#: What deploy/jupyterhub-config.yaml gives the hub: the same roles, with the teachers named here.
SHIPPED_HUB = yaml.safe_load((ROOT / "deploy" / "jupyterhub-config.yaml").read_text())["hub"]
SEED, DIFFICULTY = 7, "medium"
TIMEOUT = 120_000


def hub_roles() -> list[dict]:
    roles = []
    for name, role in SHIPPED_HUB["loadRoles"].items():
        role = {"name": name, **{k: v for k, v in role.items() if k not in ("users", "groups")}}
        if name.startswith("teacher-"):
            continue
        roles.append(role)
    for teacher, group in TEACHERS.items():
        roles.append({"name": f"teacher-{group}", "scopes": [f"custom:batchnet-class:teach!group={group}"],
                      "users": [teacher]})
    return roles


def postgres(request) -> str | None:
    """A throwaway PostgreSQL's URL (tests/conftest.py), or None where there is none."""
    try:
        return request.getfixturevalue("postgres_url")
    except (pytest.FixtureLookupError, pytest.skip.Exception):
        return None



@pytest.fixture(scope="module")
def hub(tmp_path_factory, request):
    if not PROXY.exists():
        reason = f"configurable-http-proxy is not installed at {PROXY} (make test installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("hub")
    (state / "homes").mkdir()
    port = free_port()
    database = postgres(request)
    replica_port = free_port() if database else None
    config = HUB_CONFIG.format(
        service_port=free_port(), service_token="batchnet-class-service-token-0123456789",
        database=database or f"sqlite:///{state}/class.sqlite", custom_scopes=CUSTOM_SCOPES, roles=hub_roles(),
        api_tokens=TOKENS, replica_port=replica_port, groups=GROUPS,
        port=port, hub_port=free_port(), api_port=free_port(), proxy=str(PROXY), homes=str(state / "homes"),
        singleuser=str(Path(sys.executable).with_name("jupyterhub-singleuser")),
        args=["--allow-root"] if os.geteuid() == 0 else [], root=str(ROOT), default_url=SHIPPED["defaultUrl"],
        mem_guarantee=SHIPPED["memory"]["guarantee"], mem_limit=SHIPPED["memory"]["limit"], state=state,
        jupyter_config=str(state / "etc-jupyter"),
    )
    # The Jupyter server config the chart mounts into each student's server, on a Jupyter config path here.
    (state / "etc-jupyter").mkdir()
    for extra in SHIPPED["extraFiles"].values():
        (state / "etc-jupyter" / Path(extra["mountPath"]).name).write_text(json.dumps(extra["data"]))
    (state / "jupyterhub_config.py").write_text(config)
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"jupyterhub-{port}.log"
    with open(log, "w") as out:
        hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(state / "jupyterhub_config.py")],
                               cwd=state, stdout=out, stderr=subprocess.STDOUT)
    replica = None
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + "hub/login", hub, log)
        wait_until_serving(url + SERVICE + "class-a/class/static/class.js", hub, log)
        if replica_port:
            # a second replica: the hub-managed one's command and environment, on a port of its own
            [first] = [p for p in psutil.Process(hub.pid).children(recursive=True)
                       if "batchnet_core.classroom.hub" in " ".join(p.cmdline())]
            with open(ARTIFACTS / f"class-replica-{replica_port}.log", "w") as out:
                replica = subprocess.Popen([*first.cmdline(), f"--port={replica_port}"], env=first.environ(),
                                           cwd=first.cwd(), stdout=out, stderr=subprocess.STDOUT)
            wait_until_serving(f"http://127.0.0.1:{replica_port}/{SERVICE}class-a/class/static/class.js", replica,
                               ARTIFACTS / f"class-replica-{replica_port}.log")
        yield {"url": url, "replicas": 2 if replica_port else 1, "replica_port": replica_port,
               "database": database or f"sqlite:///{state}/class.sqlite"}
    finally:
        if replica is not None:
            stop(replica)
        stop(hub)  # with cleanup_servers the hub stops the users' servers and its service too


@pytest.fixture(scope="module")
def hub_url(hub):
    return hub["url"]


def log_in(browser, hub_url: str, user: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    page = context.new_page()
    page.goto(hub_url + "hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "any")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{user}{SHIPPED['defaultUrl']}*", timeout=150_000)
    page.wait_for_function(LIVE, timeout=120_000)  # the live app, not its first picture
    page.wait_for_selector(".bn-values-Y", state="attached", timeout=120_000)
    return context, page


def test_the_shipped_hub_config_lands_each_student_on_a_notebook_of_the_repo():
    url = SHIPPED["defaultUrl"]
    assert url.startswith("/voila/render/"), url
    assert (ROOT / url.removeprefix("/voila/render/")).is_file(), url
    assert SHIPPED["memory"]["limit"] and SHIPPED["memory"]["guarantee"]


def test_two_users_get_the_app_each_with_their_own_kernel(browser, hub_url):
    (alice_context, alice), (bob_context, bob) = (log_in(browser, hub_url, user) for user in ("alice", "bob"))
    try:
        for page, value in ((alice, 2), (bob, -3)):
            assert state_on_page(page) == bn.preset("three-inputs")
            assert page_values(page, "Y") == HAND_Y
            box = page.locator(".bn-b2-1-0 input")
            box.fill(str(value))
            box.press("Enter")
        for page, value in ((alice, 2), (bob, -3)):
            wait_for_value(page, "b2", 1, 0, value)
            assert state_on_page(page) == bn.preset("three-inputs").with_entry("b2", 1, 0, value)
        for page, user in ((alice, "alice"), (bob, "bob")):
            page.screenshot(path=str(ARTIFACTS / f"jupyterhub-{user}.png"))
            # The shipped ServerApp.terminals_enabled=False: the server has no terminal to open.
            assert page.request.get(f"{hub_url}user/{user}/api/terminals").status == 404
            assert page.request.get(f"{hub_url}user/{user}/api/kernels").status == 200
    finally:
        alice_context.close()
        bob_context.close()


# -- the class view as a hub service ----------------------------------------------------------------


def notebook(hub_url: str, user: str, name: str, query: str = "") -> str:
    return f"{hub_url}user/{user}/voila/render/notebooks/{name}.ipynb" + (f"?{query}" if query else "")


def call(url: str, method: str = "GET", token: str | None = None, body: object = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token}"} if token else {})
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_to_the_class_view(browser, hub_url: str, teacher: str):
    """A teacher signs in at the hub and lands on the class view's list of their classes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{hub_url}hub/login?next=/{SERVICE}", timeout=TIMEOUT)
    page.fill("input[name=username]", teacher)
    page.fill("input[name=password]", "any")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("h1:has-text('Your classes')", timeout=TIMEOUT)
    return context, page


@pytest.fixture(scope="module")
def lesson(browser, hub):
    """Every student on 03 (seed 7, medium) with one blank answered; both teachers signed in."""
    from test_browser_class import blank_cell

    url = hub["url"]
    cell, right, no_bias = blank_cell()
    typed = {"alice": f"{right:g}", "bob": f"{no_bias:g}", "carol": f"{right:g}"}
    contexts, students, teachers = [], {}, {}
    try:
        for user in STUDENTS:
            context, page = log_in(browser, url, user)
            contexts.append(context)
            page.goto(notebook(url, user, "03_by_hand", f"seed={SEED}&difficulty={DIFFICULTY}"), timeout=TIMEOUT)
            page.wait_for_function(LIVE, timeout=TIMEOUT)
            # the class names the student by their hub name: the kernel reached the service with its token
            page.wait_for_function("(name) => document.querySelector('.bn-class-who b')?.textContent === name",
                                   arg=user, timeout=TIMEOUT)
            page.click(".bn-button-reveal")
            box = page.locator(f".bn-blank-{cell.layer}-{cell.row}-{cell.col} input")
            box.fill(typed[user])
            box.press("Enter")
            students[user] = page
        for teacher in TEACHERS:
            context, page = sign_in_to_the_class_view(browser, url, teacher)
            contexts.append(context)
            teachers[teacher] = page
        yield {"url": url, "cell": f"H_z,{cell.row},{cell.col}", "students": students, "teachers": teachers}
    finally:
        for k, page in enumerate([*students.values(), *teachers.values()]):
            page.screenshot(path=str(ARTIFACTS / f"jupyterhub-class-{k}.png"), full_page=True)
        for context in contexts:
            context.close()


def cell_answers(page, name: str, answers: int, timeout: float = 15_000) -> None:
    page.wait_for_function("([name, answers]) => document.querySelector(`.bn-class-cell[data-cell='${name}']`)"
                           "?.dataset.answers === String(answers)", arg=[name, answers], timeout=timeout)


def test_each_teacher_sees_their_own_class_and_only_it(lesson):
    teach_a, teach_b = lesson["teachers"]["teach-a"], lesson["teachers"]["teach-b"]
    assert teach_a.locator(".bn-class-link").all_inner_texts() == ["class-a"]
    assert teach_b.locator(".bn-class-link").all_inner_texts() == ["class-b"]
    teach_a.click(".bn-class-link")
    teach_a.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=TIMEOUT)
    assert teach_a.url == f"{lesson['url']}{SERVICE}class-a/class"
    cell_answers(teach_a, lesson["cell"], 2)
    assert teach_a.locator(f".bn-class-cell[data-cell='{lesson['cell']}']").get_attribute("data-correct") == "1"
    teach_a.wait_for_function("() => document.querySelector('.bn-class-students')?.dataset.count === '2'",
                              timeout=10_000)
    roster = teach_a.locator(".bn-class-roster").inner_text()
    assert "alice" in roster and "bob" in roster and "carol" not in roster
    teach_b.click(".bn-class-link")
    cell_answers(teach_b, lesson["cell"], 1)
    roster = teach_b.locator(".bn-class-roster").inner_text()
    assert "carol" in roster and "alice" not in roster and "bob" not in roster
    # the same for a script with the teacher's token
    status, body = call(f"{lesson['url']}{SERVICE}class-a/class/api/summary", token=TOKEN["teach-a"])
    summary = json.loads(body)
    assert status == 200 and summary["exercises"][-1]["cells"][lesson["cell"]]["answers"] == 2
    assert {row["name"] for row in summary["roster"]} == {"alice", "bob"}
    status, body = call(f"{lesson['url']}{SERVICE}class-a/class/api/answers.csv", token=TOKEN["teach-a"])
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert status == 200 and {row["name"] for row in rows} == {"alice", "bob"}
    assert sorted(row["name"] for row in rows if row["part"] == "blank") == ["alice", "bob"]


def test_students_and_other_teachers_are_refused_with_nothing_said(lesson):
    base = f"{lesson['url']}{SERVICE}class-a/"
    endpoints = [("GET", "class"), ("GET", "class/api/summary"), ("GET", "class/api/answers.csv"),
                 ("POST", "class/api/push"), ("POST", "class/api/pause")]
    for token in (TOKEN["alice"], TOKEN["bob"], TOKEN["teach-b"], None, "forged"):
        for method, path in endpoints:
            status, body = call(base + path, method, token, {"paused": True} if method == "POST" else None)
            if token in (None, "forged") and path == "class":
                assert status == 302  # nobody the hub knows: a browser is sent to sign in
                continue
            assert (status, body) == (403, b""), (token, path)
    assert call(base + "class/api/summary", token=TOKEN["teach-a"])[0] == 200
    assert call(f"{lesson['url']}{SERVICE}class-b/class/api/summary", token=TOKEN["teach-b"])[0] == 200
    # the class is not paused by any of the refused requests
    assert json.loads(call(base + "class/api/summary", token=TOKEN["teach-a"])[1])["paused"] is False

    async def kernel_link(headers):
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect
        try:
            socket = await websocket_connect(HTTPRequest(f"{lesson['url'].replace('http', 'ws')}{SERVICE}kernel",
                                                         headers=headers))
        except HTTPClientError as error:
            return error.code
        socket.close()
        return 101

    for headers in ({}, {"Authorization": "token forged"}, {"Authorization": "class 0000:forged"}):
        assert run_in_a_thread(kernel_link(headers)) == 403, headers


def test_push_and_pause_reach_every_student_of_the_class_and_no_other(lesson):
    url, students, teacher = lesson["url"], lesson["students"], lesson["teachers"]["teach-a"]
    if not teacher.url.endswith("class-a/class"):
        teacher.goto(f"{url}{SERVICE}class-a/class", timeout=TIMEOUT)
    teacher.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=TIMEOUT)
    for user, page in students.items():
        open_app(page, notebook(url, user, "02_batch_of_three"))
    teacher.fill(".bn-class-push-input", "preset=one-input")
    teacher.click(".bn-class-push")
    one_input = bn.preset("one-input").X.tolist()
    for user in ("alice", "bob"):
        students[user].wait_for_selector(".bn-class-pushed", state="visible", timeout=5_000)
        assert page_values(students[user], "X") == one_input
    time.sleep(1)
    assert not students["carol"].locator(".bn-class-pushed").is_visible()
    assert page_values(students["carol"], "X") != one_input

    teacher.click(".bn-class-pause")
    for user in ("alice", "bob"):
        students[user].wait_for_selector(".bn-class-paused", state="visible", timeout=5_000)
    time.sleep(1)
    assert not students["carol"].locator(".bn-class-paused").is_visible()
    teacher.click(".bn-class-pause")
    for user in ("alice", "bob"):
        students[user].wait_for_selector(".bn-class-paused", state="hidden", timeout=5_000)


def test_two_replicas_on_one_database_tell_each_other(hub, lesson):
    if hub["replicas"] < 2:
        pytest.skip("two replicas need PostgreSQL (the postgres_url fixture)")
    # bob's kernels talk to the second replica; the teacher's page, on the first, heard his answer and
    # his presence (above), and its push and pause reached him (above). Both replicas say the same.
    first = json.loads(call(f"{lesson['url']}{SERVICE}class-a/class/api/summary", token=TOKEN["teach-a"])[1])
    second = json.loads(call(f"http://127.0.0.1:{hub['replica_port']}/{SERVICE}class-a/class/api/summary",
                             token=TOKEN["teach-a"])[1])
    assert first["exercises"] == second["exercises"] and first["students"] == second["students"] == 2


#: The crowd: each simulated student answers this often over this long, and one answer is sent twice.
CROWD_SECONDS, CROWD_ANSWERS = 60, 6


async def crowd_answers(url: str, seconds: float, answers: int) -> dict:
    """Every student of the crowd connects to the class as a kernel does (through the hub's proxy, with
    their own token), says hello from page 03, and sends ``answers`` answers at random moments over
    ``seconds``; the last is sent twice. Each answer is timed from its sending to the service's ack."""
    import random
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    from batchnet_core.classroom.answers import asked_cells

    cells = asked_cells("blank", SEED, DIFFICULTY)
    link = url.replace("http", "ws") + SERVICE + "kernel"
    waits: list[float] = []
    sent: set[str] = set()

    async def student(user: str, rng: random.Random) -> None:
        socket = await websocket_connect(HTTPRequest(link, headers={"Authorization": f"token {TOKEN[user]}"}))
        socket.write_message(json.dumps({"type": "hello", "page": "03_by_hand.ipynb"}))
        moments = sorted(rng.uniform(0, seconds) for _ in range(answers))
        started = time.monotonic()
        pending: dict[str, float] = {}
        for k, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            last = uuid.uuid4().hex
            message = {"type": "answer", "id": last, "page": "03_by_hand.ipynb", "seed": SEED,
                       "difficulty": DIFFICULTY, "part": "blank", "cell": rng.choice(cells),
                       "typed": str(rng.randint(-9, 9))}
            for copy in range(1 + (k == answers - 1)):  # the last answer sent again, as after a reconnect
                sent.add(last)
                pending[f"{last}/{copy}"] = time.monotonic()
                socket.write_message(json.dumps(message))
                while True:  # its ack (the student's name and pause come first, once)
                    reply = json.loads(await asyncio.wait_for(socket.read_message(), 30))
                    if reply["type"] in ("ack", "refused"):
                        assert reply == {"type": "ack", "id": last}, reply
                        waits.append(time.monotonic() - pending.pop(f"{last}/{copy}"))
                        break
        socket.close()

    await asyncio.gather(*(student(user, random.Random(k)) for k, user in enumerate(CROWD)))
    return {"waits": waits, "sent": sent}


def test_a_hundred_students_answer_over_a_minute(hub):
    """On loopback, through the hub's proxy: 100 students, 6 answers each at random moments over 60 s,
    the last one sent twice: every answer kept once, and an answer's ack within 100 ms at p95."""
    import statistics

    from batchnet_core.classroom.store import ClassStore

    result = run_in_a_thread(asyncio.wait_for(crowd_answers(hub["url"], CROWD_SECONDS, CROWD_ANSWERS),
                                              CROWD_SECONDS + 120))
    waits = sorted(result["waits"])
    p50, p95 = statistics.median(waits), waits[int(0.95 * len(waits)) - 1]
    (ARTIFACTS / "class-crowd.json").write_text(json.dumps({
        "students": len(CROWD), "answers": len(result["sent"]), "sends": len(waits), "seconds": CROWD_SECONDS,
        "replicas": hub["replicas"], "database": hub["database"].split(":")[0],
        "ack_ms": {"median": 1000 * p50, "p95": 1000 * p95, "max": 1000 * waits[-1]}}, indent=1))
    store = ClassStore(hub["database"])
    try:
        summary = store.summary({}, "class-crowd")
    finally:
        store.close()
    kept = sum(row["answers"] for row in summary["roster"])
    assert len(result["sent"]) == len(CROWD) * CROWD_ANSWERS and len(waits) == kept + len(CROWD)
    assert kept == len(result["sent"])  # every answer once: the one sent twice too
    assert p95 < 0.100, f"an answer's ack took {1000 * p95:.0f} ms at p95 (median {1000 * p50:.0f} ms)"
