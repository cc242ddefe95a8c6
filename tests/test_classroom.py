"""A classroom on one server: hostile links, late visitors, kernels given back and capped, faults
shown and survived. Each test runs the real ``make app`` or ``make serve`` and drives Chromium."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import html
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import numpy as np
import psutil
import pytest

import batchnet_core as bn
from batchnet_core.convert import SERVER_KEYS, STATE_KEYS, STATE_PAGE_KEYS
from batchnet_core.exercises import NETWORK_KEYS

from conftest import (
    LIVE,
    PAGE_NAMES,
    ROOT,
    assert_no_error_text,
    assert_results_follow_the_state,
    choose_file,
    free_port,
    make_server,
    move_a_slider,
    open_app,
    page_values,
    render,
    run_in_a_thread,
    state_on_page,
    wait_for_app,
    wait_for_kernels,
    wait_for_log,
    wait_for_value,
)
from test_core import HAND_Y

pytestmark = pytest.mark.browser

#: Parameters every page is given whatever it reads: the server's (theme, token), Voila's own template,
#: and one nobody reads.
ALWAYS = [*SERVER_KEYS, "template", "unknown"]
PAYLOADS = ['"><img src=x onerror="window.__xss=1">', "'><script>window.__xss=1</script>",
            "javascript:window.__xss=1//<svg/onload=window.__xss=1>"]
#: The pages' own code, run as Voila runs it, each page's link read by ``convert.read_link``: which
#: parameters each page reads (its ``reads``), recorded. No list of pages or parameters is written here.
RECORD_READS = """
import json

import nbformat
import batchnet_core.convert as convert
from batchnet_core.series import PAGES

heard = {}
single_values = convert.single_values
def recording(pairs, reads):
    heard.update(dict.fromkeys(reads))
    return single_values(pairs, reads)
convert.single_values = recording
found = {}
for page in PAGES:
    heard.clear()
    namespace = {}
    for cell in nbformat.read(f"notebooks/{page.name}", as_version=4).cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)
    found[page.name.removesuffix(".ipynb")] = list(heard)
print(json.dumps(found))
"""


@functools.cache
def parameters_read() -> dict[str, list[str]]:
    """What each page reads from its link, as its own code asks: page 03 its seed and difficulty, page 06
    a state and ``T``, …"""
    done = subprocess.run([sys.executable, "-c", RECORD_READS], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg", "QUERY_STRING": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_sweep_knows_what_each_page_reads():
    """The pages' reads as recorded: a link's state on 02, 05 and 06, ``T`` and the gradient exercise's seed and
    difficulty on 06, seed and difficulty on 03, or an authored exercise's network, blanks and prediction."""
    reads = parameters_read()
    assert list(reads) == PAGE_NAMES
    assert {"T", "gradient_seed", "gradient_difficulty", *STATE_PAGE_KEYS} <= set(reads["06_train_the_batch"])
    assert {"seed", "difficulty", "blanks", "predict", *NETWORK_KEYS} <= set(reads["03_by_hand"])
    assert {"preset", "W4", "x16"} <= set(reads["02_batch_of_three"]) & set(reads["05_playground"])


#: A whole state (the worked example's): a payload in one of its fields is then read and named by the page,
#: where alone it would only be refused as a state missing its other fields.
WHOLE_STATE = dict(urllib.parse.parse_qsl(bn.preset("three-inputs").to_query()))
#: The state's fields a page is swept with, a matrix and a vector: every field takes the same route to the
#: page (``read_number``'s message, the app's status line), and
#: ``test_every_field_of_a_linked_state_reaches_the_status_line_escaped`` sends each field there without a page.
SWEPT_FIELDS = ("W2", "x3")


def links_for(notebook: str, payloads: list[str], each: bool = True) -> list[dict[str, str]]:
    """The links a page is swept with: each parameter it reads, and each of ``ALWAYS``, given a payload
    (every payload in turn, or with ``each`` false, one payload each, in turn); each payload in turn in
    ``SWEPT_FIELDS`` of a whole state, if the page reads a state; then one link giving every parameter that
    another page reads and this one does not, each refused by name."""
    reads = parameters_read()
    read = list(dict.fromkeys([*ALWAYS, *reads[notebook]]))
    links = []
    for index, parameter in enumerate(key for key in read if key not in STATE_KEYS):
        links += [{parameter: payload} for payload in (payloads if each else [payloads[index % len(payloads)]])]
    if set(STATE_KEYS) <= set(read):
        links += [{**WHOLE_STATE, field: payload} for field in SWEPT_FIELDS for payload in payloads]
    others = [key for page in reads.values() for key in page if key not in read]
    if others:
        links.append({key: payloads[i % len(payloads)] for i, key in enumerate(dict.fromkeys(others))})
    return links


def test_every_field_of_a_linked_state_reaches_the_status_line_escaped(monkeypatch):
    """Each field of a state in a link, given a payload in a whole state: the page's app names the field
    and shows the value as text, never as markup (the sweep below sends two of the fields, with every
    payload, through Voila and Chromium)."""
    from batchnet_core.ui.app import BatchApp

    deepest_widest = bn.random_state(1, (2,) * (bn.MAX_DEPTH + 1) + (bn.MAX_SIZE,)).replace(
        activations=("tanh",) * bn.MAX_DEPTH)  # every field a link can hold
    every_field = dict(urllib.parse.parse_qsl(deepest_widest.to_query()))
    assert set(every_field) == set(STATE_KEYS)
    for index, field in enumerate(STATE_KEYS):
        payload = PAYLOADS[index % len(PAYLOADS)]
        query = urllib.parse.urlencode({**every_field, field: payload}, quote_via=urllib.parse.quote)
        monkeypatch.setenv("QUERY_STRING", query)
        status = BatchApp.from_page().status.value
        text = re.sub(r"<span[^>]*>|</span>", "", status)
        assert "<" not in text, (field, status)
        assert f"The link could not be used: {field}" in html.unescape(text), (field, status)
        assert repr(payload[:20]) in html.unescape(text), (field, status)


#: What any payload would look like, had it reached the HTML unescaped.
MARKUP = re.compile(r"<img src=x|<script>window\.__xss|<svg/onload", re.IGNORECASE)


class Response:
    def __init__(self, status: int, headers, body: str, seconds: float) -> None:
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds


def fetch(url: str, timeout: float = 90) -> Response:
    """GET a page as a browser would, and give its kernel back (the page's own beacon does that)."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            response = Response(reply.status, reply.headers, reply.read().decode(), time.monotonic() - start)
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read().decode(), time.monotonic() - start)
    kernel = re.search(r'"kernelId": "([^"]+)"', response.body)
    cookies = dict(c.split(";")[0].split("=", 1) for c in response.headers.get_all("Set-Cookie") or [])
    if kernel and "_xsrf" in cookies:
        base = url.split("voila/")[0]
        beacon = urllib.request.Request(
            f"{base}voila/api/shutdown/{kernel.group(1)}", method="POST",
            data=f"_xsrf={cookies['_xsrf']}".encode(),
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        urllib.request.urlopen(beacon, timeout=30).close()
    return response


@pytest.fixture(scope="module")
def app_server():
    with make_server("app", name="app-classroom") as server:
        yield server


# -- 1. A link never runs script in the page ------------------------------------------------------


#: Pages swept at once: a kernel starts for each, and the machine's cores start them side by side.
AT_ONCE = 3


@pytest.mark.parametrize("notebook", [*PAGE_NAMES, None])
def test_no_query_parameter_reflects_markup_into_any_page(app_server, notebook):
    """Every page (and the welcome page), with every parameter any page reads."""
    links = links_for(notebook, PAYLOADS) if notebook else [{key: p} for key in ALWAYS for p in PAYLOADS]
    urls = [render(app_server.url, notebook, urllib.parse.urlencode(link)) if notebook
            else f"{app_server.url}?{urllib.parse.urlencode(link)}" for link in links]
    with concurrent.futures.ThreadPoolExecutor(AT_ONCE) as pool:
        for url, response in zip(urls, pool.map(fetch, urls)):
            assert response.status in (200, 400), (url, response.status)
            assert not MARKUP.search(response.body), (url, MARKUP.search(response.body).group(0))
            assert "Traceback" not in response.body


@pytest.mark.parametrize("notebook", PAGE_NAMES)
def test_no_query_parameter_runs_script_in_the_browser(page, app_server, notebook):
    """Every page, with every parameter any page reads, each given one payload in turn."""
    dialogs, errors = [], []
    tabs = [page, *(page.context.new_page() for _ in range(AT_ONCE - 1))]
    for tab in tabs[1:]:
        tab.on("pageerror", lambda error: errors.append(str(error)))
    for tab in tabs:
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # a page that builds its app from the link is swept once its app (or Voila's error) is on screen
    shown = ".bn-app, .voila-error" if parameters_read()[notebook] else "#rendered_cells, .voila-error"
    links = links_for(notebook, [*PAYLOADS, "<script>alert(1)</script>"], each=False)
    for start in range(0, len(links), AT_ONCE):
        batch = list(zip(tabs, links[start:start + AT_ONCE]))
        for tab, link in batch:
            tab.goto(render(app_server.url, notebook, urllib.parse.urlencode(link)), wait_until="commit",
                     timeout=90_000)
        for tab, link in batch:
            # the live app, which writes the link's values in the browser, not its first picture (the server's
            # HTML); a tab behind another draws no frames, and its picture would not give way
            tab.bring_to_front()
            tab.wait_for_function(LIVE, timeout=90_000)
            tab.wait_for_selector(shown, timeout=90_000)
            if not parameters_read()[notebook]:
                tab.wait_for_load_state("networkidle", timeout=90_000)
            tab.wait_for_timeout(300)  # an injected onerror runs once the broken image fails
            assert tab.evaluate("() => window.__xss") is None, link
            assert tab.locator("img[src='x'], script:text('__xss'), svg[onload]").count() == 0, link
    assert dialogs == [] and errors == []


def test_make_serve_with_a_token_reflects_no_markup_either():
    """The student's session is what a reflected script would use: make serve with its token."""
    with make_server("serve", name="serve-token", POOL=0, TOKEN="classroom", ready="?token=classroom") as server:
        for parameter in ("theme", "template", "unknown"):
            query = urllib.parse.urlencode({"token": "classroom", parameter: PAYLOADS[0]})
            response = fetch(render(server.url, "02_batch_of_three", query))
            assert response.status == (200 if parameter == "unknown" else 400), parameter
            assert not MARKUP.search(response.body), parameter


def test_the_template_alone_keeps_markup_out_where_voila_runs_inside_jupyter():
    """Binder and JupyterHub serve the pages through Voila's Jupyter server extension, where
    batchnet's server checks do not run: the template itself must force the theme."""
    with make_server("lab", name="lab-voila", TOKEN="t", ready="api/status?token=t") as server:
        for payload in PAYLOADS:
            response = fetch(render(server.url, "02_batch_of_three",
                                    urllib.parse.urlencode({"token": "t", "theme": payload, "template": payload})))
            assert response.status == 200
            assert not MARKUP.search(response.body)
            assert 'data-jp-theme-name="JupyterLab Light"' in response.body


@pytest.mark.parametrize("template", ["nonexistent", "../../../../etc", "lab", ""])
def test_a_junk_template_answers_at_once_with_a_clean_error_page(app_server, template):
    response = fetch(render(app_server.url, "02_batch_of_three", urllib.parse.urlencode({"template": template})))
    assert response.status == 400
    assert response.seconds < 5
    assert "This address cannot be opened" in response.body and "remove template= from the address" in response.body
    assert "Traceback" not in response.body


def test_dark_theme_is_still_a_fully_dark_page(page, app_server):
    open_app(page, render(app_server.url, "02_batch_of_three", "theme=dark"))
    assert "theme-dark" in page.get_attribute("body", "class")
    for selector in ("body", ".bn-app"):
        rgb = page.evaluate(f"""() => {{ let el = document.querySelector('{selector}');
            while (el && ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(el).backgroundColor))
                el = el.parentElement;
            return getComputedStyle(el || document.body).backgroundColor; }}""")
        channels = [int(v) for v in re.findall(r"\d+", rgb)[:3]]
        assert sum(channels) / 3 < 60, (selector, rgb)
    assert page_values(page, "Y") == HAND_Y


# -- 2. Late students get a working page ----------------------------------------------------------


#: Voila's former cell time limit (s). A preheated kernel waits for its visitor inside a cell, so the limit
#: counted the wait, and a visitor who came later got no app.
FORMER_CELL_LIMIT = 60


@pytest.fixture(scope="module", autouse=True)
def late_pool():
    """``make serve`` with a pool of two, started with this module's first test: its kernels wait for their
    visitors while the tests before theirs run, rather than in a sleep of their own."""
    with make_server("serve", name="serve-late", POOL=2, CULL=3600) as server:
        yield server


def test_a_pool_kernel_serves_its_visitor_however_long_it_waited(browser, late_pool):
    """Voila's former cell time limit was 60 s; a kernel that waited longer must still serve."""
    server = late_pool
    wait_for_log(server, "Kernel pool of 02_batch_of_three.ipynb is filled with 2 kernel(s)")
    started = max(kernel.create_time() for kernel in server.kernels())
    time.sleep(max(0.0, started + FORMER_CELL_LIMIT + 5 - time.time()))  # only when run without the tests before it
    assert "timed out" not in server.log.read_text()
    context = browser.new_context()
    try:
        first = open_app(context.new_page(), render(server.url, "02_batch_of_three", "preset=one-input"))
        state = bn.random_state(5)
        second = open_app(context.new_page(), render(server.url, "02_batch_of_three", state.to_query()))
        assert state_on_page(first) == bn.preset("one-input")
        assert state_on_page(second) == state
        for page in (first, second):
            assert_results_follow_the_state(page)
            assert_no_error_text(page)
        assert server.log.read_text().count("Using pre-heated kernel") == 2
        seeded = open_app(context.new_page(), render(server.url, "02_batch_of_three", "seed=7"))
        assert state_on_page(seeded) == bn.random_state(7, (3, 4, 2, 3))
    finally:
        context.close()


# -- 3. Kernels given back, and a ceiling ---------------------------------------------------------


def test_closed_tabs_give_their_kernels_back_at_once_with_xsrf_on(browser):
    with make_server("serve", name="serve-beacon", POOL=1) as server:
        wait_for_log(server, "Kernel pool of 02_batch_of_three.ipynb is filled with 1 kernel(s)")
        wait_for_kernels(server, 1, timeout=30)
        context = browser.new_context()
        pages = [open_app(context.new_page(), render(server.url, "02_batch_of_three")) for _ in range(4)]
        wait_for_kernels(server, 5, timeout=60)  # four visitors and the refilled pool
        assert "_xsrf" in {cookie["name"] for cookie in context.cookies()}
        for page in pages:
            page.close(run_before_unload=True)
        wait_for_kernels(server, 1, timeout=20)
        context.close()
        forged = urllib.request.Request(f"{server.url}voila/api/shutdown/{uuid.uuid4()}", method="POST", data=b"")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=30)
        assert refused.value.code == 403


#: A page its kernel takes seconds to build (four layers, every size 16): time to leave before it arrives.
SLOW_STATE = bn.random_state(1, (bn.MAX_SIZE,) * (bn.MAX_DEPTH + 2), integers=False)


@contextlib.contextmanager
def arriving_page(server, notebook: str):
    """A page asked for as a browser asks, its first bytes in (its kernel runs it); leaving the block leaves the
    page before the rest arrives, as a reload or a link followed does: the connection closes, and no beacon."""
    address = urllib.parse.urlsplit(render(server.url, notebook, SLOW_STATE.to_query()))
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=90)
    connection.request("GET", f"{address.path}?{address.query}")
    reply = connection.getresponse()
    try:
        assert reply.status == 200
        yield
    finally:
        reply.close()
        connection.close()


def test_a_page_left_before_it_arrives_gives_its_kernel_back(app_server):
    """Voila would keep its kernel until the idle cull, ten minutes later."""
    before = {kernel.pid for kernel in app_server.kernels()}
    with arriving_page(app_server, "06_train_the_batch"):
        (started,) = [kernel for kernel in app_server.kernels() if kernel.pid not in before]
    _, alive = psutil.wait_procs([started], timeout=30)
    assert not alive, "the kernel of the page left outlived it"


def test_a_pooled_page_left_before_it_arrives_gives_its_kernel_back_and_the_pool_refills():
    with make_server("serve", name="serve-left", POOL=1) as server:
        filled = "Kernel pool of 02_batch_of_three.ipynb is filled with 1 kernel(s)"
        wait_for_log(server, filled)
        (pooled,) = server.kernels()
        with arriving_page(server, "02_batch_of_three"):
            wait_for_log(server, "Using pre-heated kernel")
        _, alive = psutil.wait_procs([pooled], timeout=30)
        assert not alive, "the kernel of the page left outlived it"
        wait_for_log(server, filled, times=2)
        wait_for_kernels(server, 1, timeout=30)


def test_a_visitor_over_the_kernel_ceiling_gets_a_polite_page(browser):
    with make_server("serve", name="serve-cap", POOL=1, MAX_KERNELS=2) as server:
        wait_for_log(server, "Kernel pool of 02_batch_of_three.ipynb is filled with 1 kernel(s)")
        context = browser.new_context()
        first = open_app(context.new_page(), render(server.url, "02_batch_of_three"))
        second = open_app(context.new_page(), render(server.url, "02_batch_of_three"))
        wait_for_kernels(server, 2, timeout=30)
        for notebook in ("02_batch_of_three", "01_one_input"):
            full = fetch(render(server.url, notebook))
            assert full.status == 503, notebook
            assert "The class is full" in full.body and "try again in a minute" in full.body.lower()
        assert len(server.kernels()) == 2
        # the admitted visitors keep working
        first.bring_to_front()  # a tab behind another draws no frames
        first.focus(".bn-W1-0-0 .noUi-handle")
        first.keyboard.press("ArrowRight")
        wait_for_value(first, "W1", 0, 0, 2)
        assert_results_follow_the_state(first)
        # a seat given back is a seat for the next visitor, once its kernel has gone: the freed seat preheats the
        # pool again (until then the kernel count is 2 as well, and a visitor would meet the class-full page)
        filled = "Kernel pool of 02_batch_of_three.ipynb is filled with 1 kernel(s)"
        refills = server.log.read_text().count(filled)
        second.close(run_before_unload=True)
        wait_for_log(server, filled, times=refills + 1)
        wait_for_kernels(server, 2, timeout=30)
        third = open_app(context.new_page(), render(server.url, "02_batch_of_three"))
        assert page_values(third, "Y") == HAND_Y
        context.close()


# -- 4. Faults are visible and lose nothing -------------------------------------------------------


def test_the_address_follows_the_state_without_new_history_entries(page, app_server):
    open_app(page, render(app_server.url, "02_batch_of_three"))
    length = page.evaluate("() => history.length")
    state = move_a_slider(page)
    page.fill(".bn-X-2-0 input", "−1.5")
    page.press(".bn-X-2-0 input", "Enter")
    wait_for_value(page, "X", 2, 0, -1.5)
    page.wait_for_function("() => new URLSearchParams(location.search).get('x1') === '2,1,-1.5'")
    assert page.evaluate("() => history.length") == length
    page.reload()
    open_app(page, page.url)
    assert state_on_page(page) == state.with_entry("X", 2, 0, -1.5)


def test_a_killed_kernel_is_announced_and_reload_restores_the_state(page, app_server):
    open_app(page, render(app_server.url, "02_batch_of_three"))
    state = move_a_slider(page)
    kernel_id = json.loads(page.inner_text("#jupyter-config-data"))["kernelId"]
    [kernel] = [k for k in app_server.kernels() if kernel_id in " ".join(k.cmdline())]
    kernel.kill()
    alert = page.locator(".bn-connection-alert[role='alert']")
    alert.wait_for(timeout=30_000)
    assert "kernel stopped" in alert.inner_text()
    page.click(".bn-connection-alert .bn-reload")
    page.wait_for_load_state()
    open_app(page, page.url)
    assert state_on_page(page) == state
    assert page.locator(".bn-connection-alert").count() == 0


@contextlib.contextmanager
def kernels_killed_as_they_start(server, count: int):
    """Kill the next ``count`` kernels the server starts, each as its process appears, before it can answer:
    as a kernel dies whose port another process took between jupyter_client choosing it and the kernel
    binding it. Yields the list of the killed kernels' process ids."""
    known = {kernel.pid for kernel in server.kernels()}
    killed: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while len(killed) < count and not stop.is_set():
            for kernel in server.kernels():
                if kernel.pid not in known:
                    known.add(kernel.pid)
                    with contextlib.suppress(psutil.NoSuchProcess):
                        kernel.kill()
                        killed.append(kernel.pid)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield killed
    finally:
        stop.set()
        watcher.join()


def test_a_kernel_that_dies_before_it_answers_is_replaced_and_a_second_death_is_said(page, app_server):
    """Voila's page waited for ever (a heartbeat every 10 s) when its kernel died before answering."""
    state = bn.random_state(11)
    url = render(app_server.url, "02_batch_of_three", state.to_query())
    def deaths() -> tuple[int, int]:  # first and second starts that did not answer, as the server's log says
        log = app_server.log.read_text()
        return log.count("did not answer (start 1 of 2)"), log.count("did not answer (start 2 of 2)")

    before = deaths()
    with kernels_killed_as_they_start(app_server, 2) as killed:
        page.goto(url, timeout=60_000)
    assert len(killed) == 2 and deaths() == (before[0] + 1, before[1] + 1)
    alert = page.locator(".bn-connection-alert[role='alert']")
    alert.wait_for(timeout=30_000)
    assert "arrived without its app" in alert.inner_text()
    assert page.locator(".bn-app").count() == 0
    with kernels_killed_as_they_start(app_server, 1) as killed:
        with page.expect_navigation(timeout=60_000):  # the reload is the one page its first kernel was killed for
            page.click(".bn-connection-alert .bn-reload")
        wait_for_app(page, timeout=60_000)
    assert len(killed) == 1 and deaths() == (before[0] + 2, before[1] + 1)
    assert state_on_page(page) == state
    assert page.locator(".bn-connection-alert").count() == 0


def test_a_server_restart_is_announced_and_reload_restores_the_state(page):
    port = free_port()
    with make_server("app", name="app-restart", port=port) as server:
        open_app(page, render(server.url, "02_batch_of_three"))
        state = move_a_slider(page)
    alert = page.locator(".bn-connection-alert[role='alert']")
    alert.wait_for(timeout=30_000)
    assert "connection to the server was lost" in alert.inner_text()
    with make_server("app", name="app-restarted", port=port):
        page.click(".bn-connection-alert .bn-reload")
        page.wait_for_load_state()
        open_app(page, page.url)
        assert state_on_page(page) == state


def test_an_oversized_upload_is_refused_before_it_travels_and_the_box_keeps_working(page, app_server, tmp_path):
    open_app(page, render(app_server.url, "02_batch_of_three"))
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(len(frame))))
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * 20_000_000)
    choose_file(page, huge)
    page.wait_for_selector(".bn-status .bn-error")
    assert "huge.json is 20,000,000 bytes; a state file is at most 100,000" in page.inner_text(".bn-status")
    assert max(sent, default=0) < 100_000
    state = bn.random_state(3)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(state.to_dict()))
    choose_file(page, good)
    page.wait_for_function("() => document.querySelector('.bn-status').innerText === 'Opened good.json.'")
    assert state_on_page(page) == state


@pytest.mark.parametrize("seed", ["²", "①", "99999999999", "-1"])
def test_a_bad_seed_in_the_address_gets_a_message_and_a_working_page(page, app_server, seed):
    page.goto(render(app_server.url, "03_by_hand", urllib.parse.urlencode({"seed": seed})), timeout=90_000)
    page.wait_for_selector(".bn-status .bn-error", timeout=90_000)
    text = page.inner_text(".bn-status")
    assert "seed must be a whole number from 0 to 1,000,000,000" in text and "Showing seed 1" in text
    assert page.locator(".bn-seed").count() == 1


def test_a_comm_open_for_an_unknown_target_sends_no_traceback_back(app_server):
    """Over the page's own websocket, as a hostile client would send it."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    with urllib.request.urlopen(render(app_server.url, "02_batch_of_three"), timeout=90) as reply:
        body = reply.read().decode()
        cookies = "; ".join(c.split(";")[0] for c in reply.headers.get_all("Set-Cookie"))
    kernel_id = re.search(r'"kernelId": "([^"]+)"', body).group(1)

    async def send_junk() -> list[dict]:
        url = app_server.url.replace("http", "ws") + f"api/kernels/{kernel_id}/channels?session_id=test"
        socket = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookies}))
        for target, data in (("no-such-target", {}), ("jupyter.widget", {"state": {"_model_name": "Nope"}})):
            socket.write_message(json.dumps({
                "header": {"msg_id": uuid.uuid4().hex, "msg_type": "comm_open", "username": "", "session": "test",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"comm_id": uuid.uuid4().hex, "target_name": target, "data": data}}))
        received, closes = [], 0
        deadline = time.monotonic() + 30
        while closes < 2 and time.monotonic() < deadline:
            message = await asyncio.wait_for(socket.read_message(), 30)
            if isinstance(message, str):
                received.append(json.loads(message))
                closes += received[-1]["msg_type"] == "comm_close"
        socket.close()
        assert closes == 2, "the kernel answers each comm_open by closing it"
        return received

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # Playwright's loop runs in this one
        received = thread.submit(asyncio.run, send_junk()).result()
    text = json.dumps([m["content"] for m in received])
    assert [m for m in received if m["msg_type"] in ("stream", "error")] == [], text
    assert "Traceback" not in text and "site-packages" not in text
    assert "No such comm target registered: no-such-target" in app_server.log.read_text()


class PageKernel:
    """A page's kernel as its front end speaks to it, or a hostile client: Jupyter messaging (v5)
    over ``/api/kernels/<id>/channels``, and the widget models the page shows, from ipywidgets'
    control comm (``request_states``), as Voila's widget manager asks for them."""

    def __init__(self, url: str, notebook: str, query: str = "") -> None:
        with urllib.request.urlopen(render(url, notebook, query), timeout=180) as reply:
            self.status = reply.status
            self.body = reply.read().decode()
            self.cookies = "; ".join(c.split(";")[0] for c in reply.headers.get_all("Set-Cookie"))
        self.kernel_id = re.search(r'"kernelId": "([^"]+)"', self.body).group(1)
        self.url = url.replace("http", "ws") + f"api/kernels/{self.kernel_id}/channels?session_id=test"
        self.received: list[dict] = []

    async def connect(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        self.socket = await websocket_connect(HTTPRequest(self.url, headers={"Cookie": self.cookies}),
                                              max_message_size=100 * 2**20)
        control = uuid.uuid4().hex
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                        metadata={"version": "1.0.0"})
        replies = await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        [states] = [m["content"]["data"]["states"] for m in replies
                    if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update_states"]
        self.models = {model_id: {"name": model["model_name"], **model["state"]} for model_id, model in states.items()}

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> list[dict]:
        """Send a shell message; every message that comes back until the kernel is idle after it."""
        msg_id = uuid.uuid4().hex
        self.socket.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "", "session": "test", "version": "5.3",
                       "date": ""},
            "parent_header": {}, "metadata": metadata or {}, "channel": "shell", "content": content, "buffers": []}))
        replies = []
        while True:  # ipykernel flushes the streams before it says idle after a message
            message = await asyncio.wait_for(self.socket.read_message(), 120)
            assert message is not None, "the kernel's websocket closed"
            message = json.loads(message)
            self.received.append(message)
            replies.append(message)
            if (message["msg_type"] == "status" and message["content"]["execution_state"] == "idle"
                    and message["parent_header"].get("msg_id") == msg_id):
                return replies

    async def update(self, model_id: str, **state) -> list[dict]:
        """A widget ``update`` as the page sends one when something is moved or typed."""
        return await self.send("comm_msg", {"comm_id": model_id,
                                            "data": {"method": "update", "state": state, "buffer_paths": []}})

    def model(self, name: str, **traits) -> str:
        """The one widget model of type ``name`` (``FloatSliderModel``...) with these traits;
        ``dom_class`` picks by one of its classes."""
        dom_class = traits.pop("dom_class", None)
        found = [model_id for model_id, model in self.models.items() if model["name"] == name
                 and all(model.get(key) == value for key, value in traits.items())
                 and (dom_class is None or dom_class in model.get("_dom_classes", []))]
        assert len(found) == 1, (name, traits, dom_class, len(found))
        return found[0]

    @staticmethod
    def html_values(replies: list[dict], name: str) -> list | None:
        """The last full-precision value table of ``name`` that these replies sent to the page (a heat map
        drawing's ``tables``)."""
        tables = [m["content"]["data"]["state"]["tables"]["values"].get(name) for m in replies
                  if m["msg_type"] == "comm_msg" and "tables" in m["content"]["data"].get("state", {})]
        sent = [table for table in tables if table is not None]
        return json.loads(sent[-1]["d"]) if sent else None

    def shown_values(self, name: str) -> list[list]:
        """Every value table of ``name`` in the heat map drawings the page was given (page 06 has
        more than one)."""
        tables = [model["tables"].get("values", {}).get(name) for model in self.models.values() if model.get("tables")]
        return [json.loads(table["d"]) for table in tables if table is not None]


#: What the kernel must never send to a page: a traceback, or any sign of the server's files.
LEAKS = re.compile(r"Traceback|site-packages|File \"|/[\w.+-]+/[\w.+-]+\.py\b|" + re.escape(str(ROOT)))


def assert_nothing_leaked(messages: list[dict]) -> None:
    errors = [m for m in messages if m["msg_type"] in ("error", "stream")]
    assert errors == [], json.dumps([m["content"] for m in errors])[:2000]
    text = json.dumps([m["content"] for m in messages])
    assert not LEAKS.search(text), text[max(0, LEAKS.search(text).start() - 500):][:1000]


def page_error_said(messages: list[dict]) -> bool:
    from batchnet_core.ui.kernel import PAGE_ERROR

    return PAGE_ERROR.replace("'", "\\u0027") in json.dumps(messages) or PAGE_ERROR in json.dumps(messages)


def test_forged_widget_messages_get_no_traceback_and_the_page_keeps_working(app_server):
    """Each message a hostile client can send over the page's own websocket, for real widget models."""
    kernel = PageKernel(app_server.url, "02_batch_of_three")

    async def forge() -> tuple[list[dict], list]:
        await kernel.connect()
        slider = kernel.model("FloatSliderModel", description="W1 row h1, column 1")
        box = kernel.model("TextModel", description="W1 row h1, column 1")
        preset = kernel.model("DropdownModel", dom_class="bn-preset")
        steps = kernel.model("ToggleButtonsModel", dom_class="bn-step-picker")
        upload = kernel.model("FileUploadModel", dom_class="bn-upload")
        forged = [(preset, {"index": 99}), (preset, {"index": -1}), (steps, {"index": 99}), (steps, {"index": -1}),
                  (slider, {"value": "abc"}), (slider, {"value": None}), (slider, {"value": [1, 2]}),
                  (box, {"value": 5}), (uuid.uuid4().hex, {"value": 1}), (upload, {"value": [{"junk": 1}]}),
                  (upload, {"value": "junk"}), (upload, {"value": [{"name": "a.json", "content": None}]})]
        for model_id, state in forged:
            await kernel.update(model_id, **state)
        moved = await kernel.update(slider, value=2.0)
        return moved, kernel.received

    moved, received = run_in_a_thread(forge())
    assert_nothing_leaked(received)
    assert page_error_said(received), "the page is told in words that something went wrong"
    expected = bn.forward(bn.preset("three-inputs").with_entry("W1", 0, 0, 2.0))
    assert kernel.html_values(moved, "Y") == expected["Y"].tolist()
    log = app_server.log.read_text()
    assert "A message from the page failed in Dropdown" in log and "TraitError" in log  # kept on the server
    assert "No such comm" in log


def test_a_forged_slider_step_of_zero_leaves_the_slider_moving(app_server):
    kernel = PageKernel(app_server.url, "02_batch_of_three")

    async def forge() -> tuple[list[dict], list[dict], list[dict]]:
        await kernel.connect()
        slider = kernel.model("FloatSliderModel", description="W1 row h1, column 1")
        await kernel.update(slider, step=0)
        moves = [await kernel.update(slider, value=value) for value in (2.0, 3.0)]
        state = await kernel.send("comm_msg", {"comm_id": slider, "data": {"method": "request_state"}})
        return moves, state, kernel.received

    moves, state, received = run_in_a_thread(forge())
    assert_nothing_leaked(received)
    for moved, value in zip(moves, (2.0, 3.0)):
        expected = bn.forward(bn.preset("three-inputs").with_entry("W1", 0, 0, value))
        assert kernel.html_values(moved, "Y") == expected["Y"].tolist(), value
    [step] = [m["content"]["data"]["state"]["step"] for m in state if m["msg_type"] == "comm_msg"]
    assert step == 1.0
    assert "a slider's step is one of 1, 0.5, 0.1; got 0" in app_server.log.read_text()


#: The longest a number of a state is written in a link: a negative float of 17 digits with a
#: three-digit exponent (``exact_number``).
LONGEST_NUMBER = -2.2250738585072014e-308


def longest_state() -> bn.State:
    """A 4-layer, 16-wide state, batch of 16, every number as long as a link can write it."""
    shapes = {name: np.shape(value) for name, value in bn.random_state(0, (16,) * 6).items()}
    return bn.State(**{name: np.full(shape, LONGEST_NUMBER) for name, shape in shapes.items()})


def test_the_longest_link_a_page_makes_fits_under_the_servers_limit():
    """The figures of ``serving.MAX_LINK_LENGTH``'s comment: a page's share link of the longest state
    and targets, and the longest query a page reads, are served; only longer gets the 414 page."""
    from batchnet_core.nn.formats import MAX_QUERY_LENGTH
    from batchnet_core.nn.training import targets_to_query
    from batchnet_core.serving import MAX_LINK_LENGTH

    query = f"{longest_state().to_query()}&{targets_to_query(np.full((16, 16), LONGEST_NUMBER))}&theme=dark"
    assert len(query) == 40_091
    path = "/voila/render/06_train_the_batch.ipynb?token=" + "t" * 48 + "&"
    assert len(path) + max(len(query), MAX_QUERY_LENGTH) < MAX_LINK_LENGTH


def test_a_link_too_long_gets_a_page_saying_so_and_the_longest_valid_link_works(app_server):
    kernels = len(app_server.kernels())
    for length in (120_000, 2_000_000):  # tornado closed the connection silently from 64 KiB
        response = fetch(render(app_server.url, "02_batch_of_three", "x1=" + "1," * (length // 2)))
        assert response.status == 414, length
        assert "This link is too long" in response.body
        assert re.search(r"The link has [\d,]+ characters; a page&#39;s link has at most 65,536", response.body)
        assert "Open the page without its settings" in response.body and "Traceback" not in response.body
        assert response.seconds < 10
    assert len(app_server.kernels()) == kernels, "a link too long starts no kernel"

    from batchnet_core.nn.training import targets_to_query

    state = longest_state()
    targets = np.full((16, 16), -12345.678901)  # T as long as a page reads it back: 4,000 characters
    query = f"{state.to_query()}&{targets_to_query(targets)}&theme=dark"
    assert len(targets_to_query(targets)) <= 4002 and len(query) > 37_000
    kernel = PageKernel(app_server.url, "06_train_the_batch", query)

    async def states() -> None:
        await kernel.connect()
        kernel.socket.close()

    run_in_a_thread(states())
    assert kernel.status == 200
    assert kernel.shown_values("W4") == [state.W4.tolist()]
    assert state.X.tolist() in kernel.shown_values("X") and targets.tolist() in kernel.shown_values("T")
    assert "class='bn-error'" not in json.dumps([model.get("value") for model in kernel.models.values()])


# -- 5. A light page, fully offline ---------------------------------------------------------------


def test_a_first_visit_stays_on_the_server_and_travels_compressed(page, app_server):
    requests, responses = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: responses.append(response))
    open_app(page, render(app_server.url, "02_batch_of_three"))
    page.wait_for_timeout(1000)
    outside = [url for url in requests if not url.startswith((app_server.url, app_server.url.replace("http", "ws"),
                                                              "data:", "blob:"))]
    assert outside == []
    text = [r for r in responses if r.url.split("?")[0].endswith((".js", ".css", ".ipynb")) and r.status == 200]
    assert len(text) > 5
    uncompressed = [r.url for r in text if r.headers.get("content-encoding") != "gzip"
                    and int(r.headers.get("content-length", "2000")) > 1024]
    assert uncompressed == []


def test_the_page_script_refuses_uploads_over_the_apps_own_limit():
    from batchnet_core.ui.share import MAX_UPLOAD_BYTES

    script = (ROOT / "share/jupyter/voila/templates/batchnet/static/batchnet.js").read_text()
    assert f"const MAX_UPLOAD_BYTES = {MAX_UPLOAD_BYTES};" in script

