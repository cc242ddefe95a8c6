"""The first minute of a lesson, on the real ``make serve``: a burst of tabs on a busy machine, a pool
that refills after every departure and never hands out a dead kernel, a start page with no kernel
to race, and a restart that signs nobody out. Each test drives Chromium."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import (
    LIVE,
    PICTURES_SHOWN,
    assert_results_follow_the_state,
    free_port,
    make_server,
    move_a_slider,
    open_app,
    page_values,
    render,
    state_on_page,
    wait_for_kernels,
    wait_for_log,
)
from test_core import HAND_Y

pytestmark = pytest.mark.browser

TOKEN = "first-minute"
POOL_FILLED = "Kernel pool of 02_batch_of_three.ipynb is filled with"
#: What a page shows once it is settled: its app, the class-full page, or an alert.
SETTLED = ".bn-values-Y, .voila-error h1, .bn-connection-alert"


@contextlib.contextmanager
def busy_cores(count: int = 6, seconds: float = 120):
    """Keep ``count`` cores busy, as a teacher's laptop is at the start of a lesson (bounded in time)."""
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    burners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(count)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def unsettled(page) -> str:
    """What a page that never settled shows, for the failure message."""
    return page.evaluate("""() => `${document.readyState}, ${document.querySelectorAll('.jp-OutputArea-output').length}
        outputs, ${document.querySelectorAll('.widget-box').length} widget boxes, kernel ${window.batchnetIncomplete
        ? 'incomplete' : 'marked complete'}: ${document.body.innerText.slice(-300)}`""")


def kernel_ids(server) -> list[str]:
    """The ids of the server's kernels, from their connection files' names."""
    ids = []
    for kernel in server.kernels():
        found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(kernel.cmdline()))
        ids.append(found.group(1))
    return ids


def page_kernel(page) -> str:
    return json.loads(page.inner_text("#jupyter-config-data"))["kernelId"]


# -- A burst of students on a busy machine --------------------------------------------------------


def test_a_burst_of_tabs_on_a_busy_machine_gives_every_admitted_student_the_app(browser):
    """Ten tabs at once against six seats, with both cores busy: each admitted tab gets the working
    app (Voila waited 4 s for a cell's output after its reply, and gave up with an empty page); the
    others get the class-full page. Once they leave, the pool is full again and serves the next."""
    with make_server("serve", name="serve-burst", POOL=2, MAX_KERNELS=6, TOKEN=TOKEN,
                     ready=f"?token={TOKEN}") as server:
        wait_for_log(server, POOL_FILLED)
        wait_for_kernels(server, 2, timeout=60)
        contexts = [browser.new_context() for _ in range(10)]
        try:
            pages = [context.new_page() for context in contexts]
            url = render(server.url, "02_batch_of_three", f"token={TOKEN}")
            admitted, refused = [], []
            with busy_cores():
                for page in pages:  # all ten leave at once: none waits for another's answer
                    page.evaluate("url => { location.href = url; }", url)
                deadline = time.monotonic() + 240
                while len(admitted) + len(refused) < len(pages):
                    waiting = [page for page in pages if page not in admitted + refused]
                    assert time.monotonic() < deadline, f"not settled in 240 s: {[unsettled(p) for p in waiting]}"
                    for page in pages:
                        if page in admitted or page in refused or page.locator(SETTLED).count() == 0:
                            continue
                        if page.locator(".voila-error").count():
                            assert "The class is full" in page.inner_text("body")
                            refused.append(page)
                            page.goto("about:blank")  # before the class-full page reloads itself
                        else:
                            admitted.append(page)
                    time.sleep(0.2)
            assert len(admitted) >= 4, f"only {len(admitted)} of 10 admitted"
            for page in admitted:
                assert page.locator(".bn-connection-alert").count() == 0, page.inner_text(".bn-connection-alert")
                page.wait_for_function(PICTURES_SHOWN, timeout=60_000)
                assert page_values(page, "Y") == HAND_Y
            assert "Timeout waiting for IOPub output" not in server.log.read_text()
            assert len(server.kernels()) <= 6
            for page in pages:
                page.close(run_before_unload=True)
            wait_for_kernels(server, 2, timeout=30)  # the pool refills after the departures
            handed_out = server.log.read_text().count("Using pre-heated kernel")
            next_one = open_app(contexts[0].new_page(), url)
            assert page_values(next_one, "Y") == HAND_Y
            assert server.log.read_text().count("Using pre-heated kernel") == handed_out + 1
        finally:
            for context in contexts:
                context.close()


def test_pooled_kernels_given_back_through_voilas_shutdown_are_replaced(browser):
    with make_server("serve", name="serve-giveback", POOL=2) as server:
        wait_for_log(server, POOL_FILLED)
        pooled = kernel_ids(server)
        assert len(pooled) == 2
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url, timeout=60_000)  # the welcome page sets the _xsrf cookie
            xsrf = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "_xsrf")
            for kernel_id in pooled:
                answer = page.request.post(f"{server.url}voila/api/shutdown/{kernel_id}", form={"_xsrf": xsrf})
                assert answer.ok, answer.status
            wait_for_log(server, POOL_FILLED, times=2)
            wait_for_kernels(server, 2, timeout=60)
            assert set(kernel_ids(server)).isdisjoint(pooled)
            opened = open_app(page, render(server.url, "02_batch_of_three"))
            assert page_values(opened, "Y") == HAND_Y
            assert "Using pre-heated kernel" in server.log.read_text()
        finally:
            context.close()


def test_a_pooled_kernel_that_died_while_it_waited_is_never_handed_out(page):
    with make_server("serve", name="serve-dead-pool", POOL=1) as server:
        wait_for_log(server, POOL_FILLED)
        [kernel] = server.kernels()
        dead = kernel_ids(server)[0]
        kernel.kill()
        kernel.wait(timeout=10)
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket))
        open_app(page, render(server.url, "02_batch_of_three"))  # at once: before Voila notices the death
        assert page_kernel(page) != dead
        page.wait_for_timeout(2 * 4000)  # past the alert's reconnection grace
        assert page.locator(".bn-connection-alert").count() == 0
        assert [socket for socket in sockets if dead in socket.url] == []
        assert_results_follow_the_state(page)


# -- The start page -------------------------------------------------------------------------------


def test_the_start_page_starts_no_kernel_and_opens_no_socket(page):
    """Going 00 → 06 → 00 used to race the start page's kernel, given back once shown, against
    Voila's websocket to it: 60 s, then a 500. A page without code now has no kernel at all."""
    with make_server("app", name="app-start-page") as server:
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        for theme in ("light", "dark"):
            page.goto(render(server.url, "00_start_here", f"theme={theme}"), timeout=30_000)
            page.wait_for_selector("a[href*='02_batch_of_three']", state="visible", timeout=10_000)
            assert f"theme-{theme}" in page.get_attribute("body", "class")
        assert json.loads(page.inner_text("#jupyter-config-data"))["kernelId"] is None
        assert len(server.kernels()) == 0 and sockets == []
        for _ in range(3):
            page.goto(render(server.url, "06_train_the_batch"), timeout=90_000)
            page.wait_for_selector(".bn-loss", timeout=90_000)
            start = time.monotonic()
            page.goto(render(server.url, "00_start_here"), timeout=30_000)
            page.wait_for_selector("a[href*='02_batch_of_three']", state="visible", timeout=10_000)
            assert time.monotonic() - start < 5
        wait_for_kernels(server, 0, timeout=20)  # 06's kernels went back as their tabs moved on
        page.wait_for_timeout(2 * 4000)
        assert page.locator(".bn-connection-alert").count() == 0
        log = server.log.read_text()
        assert "never reached" not in log and "Traceback" not in log and "Uncaught exception" not in log
        assert page.title() == "Start here — batchnet"


def test_the_start_page_refuses_voilas_bad_parameters_without_a_kernel_too():
    with make_server("app", name="app-start-query") as server:
        for query in ("theme=%22%3E%3Cscript%3E", "template=lab"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(render(server.url, "00_start_here", query), timeout=30)
            assert refused.value.code == 400
            assert "<script>" not in refused.value.read().decode()


def test_a_page_that_arrives_without_its_app_says_so_and_reload_is_offered(page, tmp_path):
    """The template marks a code cell that came without output; the page script shows the alert."""
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Quiet\n"},
                          {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": "quiet = 1"}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "quiet.ipynb").write_text(json.dumps(notebook))
    with make_server("app", name="app-incomplete", NOTEBOOKS=f"{tmp_path}/") as server:
        page.goto(f"{server.url}voila/render/quiet.ipynb", timeout=90_000)
        alert = page.locator(".bn-connection-alert[role='alert']")
        alert.wait_for(timeout=30_000)
        assert "arrived without its app" in alert.inner_text()
        assert alert.locator("button.bn-reload").is_visible()
        page.wait_for_load_state("networkidle")  # Voila's scripts all loaded before the server stops


# -- A quick restart under a token ----------------------------------------------------------------


def test_a_quick_restart_under_a_token_keeps_students_signed_in(browser):
    """The server restarts within seconds: open pages say their kernel is gone, and a reload, from
    an address with the token or without it (reached through the welcome page), reopens the state
    without the login page."""
    port = free_port()
    context = browser.new_context()
    try:
        with make_server("serve", name="serve-token-before", port=port, POOL=0, TOKEN=TOKEN,
                         ready=f"?token={TOKEN}") as server:
            with_token = open_app(context.new_page(), render(server.url, "02_batch_of_three", f"token={TOKEN}"))
            state = move_a_slider(with_token)
            welcome = context.new_page()
            welcome.goto(server.url, timeout=30_000)  # signed in by the cookie
            welcome.click("a[href*='02_batch_of_three']")
            welcome.wait_for_function(LIVE, timeout=90_000)  # the live app, not its first picture
            welcome.wait_for_selector(".bn-values-Y", state="attached", timeout=90_000)
            linked = welcome
            assert "token" not in linked.url
            linked_state = move_a_slider(linked)
        with make_server("serve", name="serve-token-after", port=port, POOL=0, TOKEN=TOKEN,
                         ready=f"?token={TOKEN}"):
            for page, expected in ((with_token, state), (linked, linked_state)):
                # the student looks at the tab: a tab behind another draws no frames, and its app would stay
                # behind its first picture, which gives way at a frame
                page.bring_to_front()
                alert = page.locator(".bn-connection-alert[role='alert']")
                alert.wait_for(timeout=30_000)
                page.wait_for_function(
                    "() => document.querySelector('.bn-connection-alert')?.dataset.kind === 'kernel'",
                    timeout=30_000)
                assert "kernel stopped" in alert.inner_text()
                page.click(".bn-connection-alert .bn-reload")
                open_app(page, page.url)
                assert state_on_page(page) == expected
                assert_results_follow_the_state(page)
    finally:
        context.close()


def test_a_restart_with_another_token_says_the_sign_in_is_gone(page):
    port = free_port()
    with make_server("serve", name="serve-token-old", port=port, POOL=0, TOKEN=TOKEN, ready=f"?token={TOKEN}"):
        open_app(page, render(f"http://127.0.0.1:{port}/", "02_batch_of_three", f"token={TOKEN}"))
        page.evaluate("() => history.replaceState(null, '', location.pathname)")  # the token left the address
    with make_server("serve", name="serve-token-new", port=port, POOL=0, TOKEN="another", ready="?token=another"):
        page.wait_for_function(
            "() => document.querySelector('.bn-connection-alert')?.dataset.kind === 'server' && "
            "document.querySelector('.bn-connection-alert').innerText.includes('sign-in')", timeout=60_000)
        page.click(".bn-connection-alert .bn-reload")
        page.wait_for_load_state()
        assert "login" in page.url
        assert page.locator("input[type='password']").first.is_visible()


def test_the_cookie_secret_is_kept_for_this_user_alone():
    from jupyter_core.paths import jupyter_runtime_dir

    with make_server("app", name="app-secret"):
        path = Path(jupyter_runtime_dir()) / "batchnet_cookie_secret"
        assert path.stat().st_mode & 0o777 == 0o600
        assert len(path.read_bytes()) == 32
