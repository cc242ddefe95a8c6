"""Shared fixtures: the real server (``make app``, ``make serve``) on a free port, headless Chromium, PyTorch,
a throwaway PostgreSQL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import numpy as np
import psutil
import pytest
from hypothesis import settings

import batchnet_core as bn
from batchnet_core import series

# Generated examples are checked for what they compute, not how fast: speed is measured in bench/,
# and hypothesis's 200 ms deadline fails a four-layer example when the browser tests load the machine.
settings.register_profile("batchnet", deadline=None)
settings.load_profile("batchnet")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
MAIN_PAGE = "voila/render/02_batch_of_three.ipynb"
#: Every page of the series (``batchnet_core.series.PAGES``), by the name ``render`` takes.
PAGE_NAMES = [page.name.removesuffix(".ipynb") for page in series.PAGES]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Poll until the server answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout} s:\n{log.read_text()[-3000:]}")


@dataclasses.dataclass
class Server:
    """A running server: its address, its process (``make``) and its log."""

    url: str
    process: psutil.Process
    log: Path

    @property
    def server(self) -> psutil.Process:
        """The server process itself: under ``make`` (and maybe a shell), the Python process it started."""
        if self.process.name() != "make":
            return self.process
        for child in self.process.children(recursive=True):
            command = " ".join(child.cmdline())
            if child.name().startswith("python") and "ipykernel_launcher" not in command:
                return child
        raise RuntimeError(f"make runs no server:\n{self.log.read_text()[-3000:]}")

    def kernels(self) -> list[psutil.Process]:
        """The server's running kernel processes; a server that has died fails the caller."""
        if not self.process.is_running() or self.process.status() == psutil.STATUS_ZOMBIE:
            raise RuntimeError(f"the server has died:\n{self.log.read_text()[-3000:]}")
        kernels = []
        for child in self.process.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    kernels.append(child)
        return kernels


@contextlib.contextmanager
def server_running(command: Callable[[int], list[str]], name: str, cwd: Path = ROOT, ready: str = "",
                   env: dict[str, str] | None = None, port: int | None = None):
    """Run ``command(port)`` on ``port`` (a free one by default) until the block ends, then stop it
    and all it started.

    ``ready`` is the path (with query) that must answer 200 before the server counts as started.
    """
    port = port or free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{name}-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(command(port), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + ready, process, log)
        yield Server(url, psutil.Process(process.pid), log)
    finally:
        stop(process)


def make_server(target: str = "app", name: str | None = None, ready: str = "", port: int | None = None,
                **variables: object):
    """``make app`` or ``make serve`` (the commands users start), with ``VARIABLE=value`` settings."""
    def command(port: int) -> list[str]:
        return ["make", "--no-print-directory", target, "HOST=127.0.0.1", f"PORT={port}",
                *(f"{key}={value}" for key, value in variables.items())]
    return server_running(command, f"make-{name or target}", ready=ready, port=port)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a server to stop, and make sure it has: with everything it started, when it leads its
    own process group (``make`` and the server under it)."""
    try:
        group = os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        group = False
    if not group:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return
    os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.poll()  # reap make, so that only the rest of the group keeps it alive
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def worked():
    """The worked example every user sees first."""
    return bn.preset("three-inputs")


@pytest.fixture(scope="session")
def voila_url():
    with make_server("app") as server:
        yield server.url


def skip_or_fail(reason: str, tests: str) -> NoReturn:
    """Skip, with the reason, a test whose tool is missing; under CI (``CI=true``) fail it instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI the {tests} tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)", "browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def torch():
    """PyTorch, which runs the scripts of ``to_code(framework="torch")``; the test extra installs it."""
    try:
        import torch
    except ImportError:
        skip_or_fail("PyTorch is not installed (pip install -e '.[test]')", "torch")
    return torch


def postgres_bindir() -> Path | None:
    """Where Debian's ``postgresql`` package keeps initdb and pg_ctl (off the PATH): the newest one."""
    found = []
    if shutil.which("pg_config"):  # libpq's pg_config may name a version whose server is not installed
        found.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
    found += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(n) for n in re.findall(r"\d+", d)],
                    reverse=True)
    found += [str(Path(tool).resolve().parent) for tool in [shutil.which("initdb")] if tool]
    return next((Path(d) for d in found if d and (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()),
                None)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL cluster of its own for the session, on loopback, with a database ``batchnet``: its URL.

    PostgreSQL refuses to run as root, and CI runs as root: then the cluster runs as the ``postgres``
    user that Debian's package creates, in a folder that user owns.
    """
    bindir = postgres_bindir()
    if bindir is None:
        skip_or_fail("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)", "PostgreSQL")
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed (pip install -e '.[test]')", "PostgreSQL")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="batchnet-postgres-"))  # not pytest's: postgres cannot enter root's
    if os.getuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            skip_or_fail("no postgres user to run PostgreSQL as (apt-get install postgresql)", "PostgreSQL")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], cwd=folder, capture_output=True, text=True)
        if done.returncode:
            log = folder / "log"
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"
                               f"{log.read_text()[-3000:] if log.exists() else ''}")

    try:
        # trust, as initdb writes it: the socket in this folder and 127.0.0.1/::1 only; fsync off for a
        # cluster thrown away at the end
        run(str(bindir / "initdb"), "-D", str(data), "-U", "batchnet", "--auth=trust", "--encoding=UTF8",
            "--locale=C", "--no-sync")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "start",
            "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off")
        with psycopg.connect(f"postgresql://batchnet@127.0.0.1:{port}/postgres", autocommit=True) as db:
            db.execute("CREATE DATABASE batchnet")
        yield f"postgresql://batchnet@127.0.0.1:{port}/batchnet"
    finally:
        if (data / "postmaster.pid").exists():
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


#: poppler's tools, which read a PDF back as a person would: its text, its pages, its pictures.
POPPLER = ("pdftotext", "pdfinfo", "pdftoppm")


@pytest.fixture(scope="session")
def poppler():
    """poppler-utils, which the worksheet tests read the PDF with."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        skip_or_fail(f"{', '.join(missing)} not installed (apt-get install poppler-utils)", "worksheet")


def artifact_name(test_name: str) -> str:
    """A file name from a test id, whatever its parameters hold."""
    return re.sub(r"[^\w.=-]+", "_", test_name)[:100]


@pytest.fixture
def page(browser, request):
    """A fresh tab; page errors fail the test, and a screenshot is saved at the end."""
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTIFACTS / f"{artifact_name(request.node.name)}.png"))
    close_tab(page)
    context.close()
    assert not errors, f"errors in the page: {errors}"


#: (A script's expression) Every heat map on the page, an SVG the page draws from numbers, has its cells painted, in
#: the live app: every app's first picture (batchnet_core/ui/first_screen.py) has given way to it.
#: Page 06's heat maps: the worksheet's 7, training's 6 (T, Y − T, and δ and dW | db for each of two layers) and
#: the gradient exercise's 8 (its given network, forward pass and targets).
TRAINING_HEAT_MAPS = 7 + 6 + 8
HEAT_MAPS_DRAWN = ("!document.querySelector('.bn-first-screen') && [...document.querySelectorAll('svg.bn-heatmap')]"
                   ".every(m => m.querySelector('.bn-drawn-cell rect[fill]'))")
#: There are heat maps on the page, and every one is drawn.
PICTURES_SHOWN = f"() => document.querySelectorAll('svg.bn-heatmap').length > 0 && {HEAT_MAPS_DRAWN}"

#: What each heat map shows on the page, read from its SVG as the browser renders it, by its key
#: ("W1b1"): each cell, in reading order, with its number, colour, ink, weight, and whether it is hatched.
READ_HEAT_MAPS = """() => Object.fromEntries([...document.querySelectorAll('svg.bn-heatmap')].map(svg => [
  [...svg.classList].find(c => c.startsWith('bn-heatmap-')).slice('bn-heatmap-'.length),
  [...svg.querySelectorAll('.bn-drawn-cell')].map(cell => {
    const [colour, hatch] = cell.querySelectorAll('rect'), number = cell.querySelector('text');
    const style = getComputedStyle(number);
    return {text: number.textContent, fill: getComputedStyle(colour).fill, ink: style.fill,
            bold: Number(style.fontWeight) >= 700, hatched: getComputedStyle(hatch).visibility === 'visible'};
  })]))"""


def heat_maps_on_page(page) -> dict[str, list[dict]]:
    """What each heat map shows on the page (``READ_HEAT_MAPS``), each cell's colours as RGB tuples."""
    def rgb(colour: str) -> tuple[int, ...] | None:
        found = re.findall(r"\d+", colour)
        return tuple(int(v) for v in found[:3]) if colour.startswith("rgb") else None

    return {key: [{**cell, "fill": rgb(cell["fill"]), "ink": rgb(cell["ink"])} for cell in cells]
            for key, cells in page.evaluate(READ_HEAT_MAPS).items()}


#: Every app's picture, shown before its widgets (batchnet_core/ui/first_screen.py), has given way to them.
LIVE = "() => document.readyState !== 'loading' && !document.querySelector('.bn-first-screen')"


def open_app(page, url: str, timeout: float = 90_000):
    """Open a page and wait until its results are on screen, in the live app (not its first picture)."""
    page.goto(url, timeout=timeout)
    return wait_for_app(page, timeout)


def wait_for_app(page, timeout: float = 90_000):
    """Wait until the page's results are on screen, in the live app (not its first picture)."""
    page.wait_for_function(LIVE, timeout=timeout)
    page.wait_for_selector(".bn-values-Y", state="attached", timeout=timeout)
    page.wait_for_function(PICTURES_SHOWN, timeout=timeout)
    return page


#: A page is drawn: every cell's output shown, every output a widget, every heat map drawn, every app's
#: status said and its announcer in place.
DRAWN = """() => document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]').length === 0
  && [...document.querySelectorAll('.jp-OutputArea-child')].every(c => c.querySelector('.jupyter-widgets'))
  && """ + HEAT_MAPS_DRAWN + """
  && [...document.querySelectorAll('.bn-app .bn-status')].every(s => s.textContent.trim())
  && [...document.querySelectorAll('.bn-app')].filter(a => a.querySelector('.bn-matrix, .bn-code'))
       .every(a => a.querySelector('.bn-announce'))"""


def close_tab(page) -> None:
    """Close a tab as a person does: the page unloads, and Voila's page sends its kernel back (its shutdown
    beacon, sent before unload). Playwright's own close skips that, and the kernel would live on until
    culled ten minutes later, filling the server's ceiling for the tests after it."""
    if not page.is_closed():
        page.close(run_before_unload=True)
        if not page.is_closed():
            page.wait_for_event("close", timeout=30_000)
    if not page.context.pages:
        page.context.close()


def new_tab(browser, **options):
    """A tab in a browser context of its own (``options`` as for ``new_context``); close it with ``close_tab``.

    Not ``browser.new_page``: closing such a page closes its context at once, before the unloading page's
    beacon has left, so its kernel would stay behind (as with Playwright's own close)."""
    return browser.new_context(**options).new_page()


def settle(page) -> None:
    """Two frames on: what page.js does at the next frame (the scroll cues) is done."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def open_drawn(page, url: str) -> None:
    """Open any page of the series and wait until all of it is drawn (``DRAWN``)."""
    page.goto(url, timeout=90_000)
    page.locator("#rendered_cells a[href$='.ipynb']").last.wait_for(state="visible", timeout=90_000)
    page.wait_for_function(LIVE, timeout=90_000)
    page.wait_for_function(DRAWN, timeout=90_000)
    settle(page)


def render(url: str, notebook: str, query: str = "") -> str:
    """The address of a notebook's page on the server at ``url``."""
    return f"{url}voila/render/{notebook}.ipynb" + (f"?{query}" if query else "")


def wait_for_kernels(server, count: int, timeout: float) -> float:
    """Seconds until the server runs ``count`` kernels; fails if that takes longer than ``timeout``."""
    start = time.monotonic()
    while (running := len(server.kernels())) != count:
        assert time.monotonic() - start < timeout, f"{running} kernels running, not {count}, after {timeout} s"
        time.sleep(0.2)
    return time.monotonic() - start


def page_values(page, name: str) -> list:
    return json.loads(page.get_attribute(f".bn-values-{name}", "data-values"))


def assert_no_error_text(page) -> None:
    """No traceback, no error output and no error message anywhere on the page."""
    text = page.inner_text("body")
    assert "Traceback" not in text and "Exception" not in text, text[:2000]
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".bn-error").count() == 0, page.inner_text(".bn-status")


def state_on_page(page) -> bn.State:
    """The state as the page's own value tables show it."""
    fields = {name: page_values(page, name) for name in ("W1", "b1", "W2", "b2", "X")}
    fields["b1"] = [row[0] for row in fields["b1"]]
    fields["b2"] = [row[0] for row in fields["b2"]]
    return bn.State(**fields)


def assert_results_follow_the_state(page) -> bn.State:
    """Every result table equals batchnet_core.nn.forward of the parameter tables."""
    state = state_on_page(page)
    for name, expected in bn.forward(state).items():
        np.testing.assert_allclose(page_values(page, name), expected, rtol=1e-12, err_msg=name)
    return state


def wait_for_value(page, name: str, row: int, col: int, value: float) -> None:
    page.wait_for_function(
        "([name, row, col, value]) => { const el = document.querySelector('.bn-values-' + name);"
        " return el && JSON.parse(el.dataset.values)[row][col] === value; }",
        arg=[name, row, col, value], timeout=30_000,
    )


def choose_file(page, path) -> None:
    """Pick a file in the upload button's file chooser, as a person would."""
    with page.expect_file_chooser() as chooser:
        page.click(".bn-upload")
    chooser.value.set_files(str(path))


def wait_for_log(server, text: str, times: int = 1, timeout: float = 120) -> None:
    """Wait until the server's log holds ``text`` ``times`` times; fail with the log's end after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while server.log.read_text().count(text) < times:
        assert time.monotonic() < deadline, f"{text!r} not logged {times}x:\n{server.log.read_text()[-3000:]}"
        time.sleep(0.2)


def move_a_slider(page) -> bn.State:
    """W1[h1, 1] from 1 to 2 with the keyboard, until the results and the address follow."""
    page.focus(".bn-W1-0-0 .noUi-handle")
    page.keyboard.press("ArrowRight")
    wait_for_value(page, "W1", 0, 0, 2)
    page.wait_for_function("() => new URLSearchParams(location.search).get('W1')?.startsWith('2,')")
    return state_on_page(page)


#: axe-core, from npm (``make test`` installs it with the JupyterHub proxy).
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, which the accessibility tests inject into a page."""
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed at {AXE} (make test installs it)", "accessibility")
    return AXE.read_text()


def serious_violations(page, axe_source: str, also: tuple[str, ...] = ()) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (and those of the rules
    ``also``), one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate("""async (also) => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical' || also.includes(v.id))
            .map(v => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3)
                .map(n => n.target.join(' ')).join(' | ')}`);
    }""", list(also))
    return found

def run_in_a_thread(coroutine):
    """Run a coroutine to its end where no event loop runs (Playwright's runs in this thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
