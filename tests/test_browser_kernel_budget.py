"""The largest state a link can ask for, in Chromium against ``make app``: its kernel stays inside the
budget ``MAX_KERNELS`` is sized by (``KERNEL_MEGABYTES``), on page 02 and on page 06 while it trains, and
quick presses of Train make one run, not a queue of them.

Prints the figures that docs/performance.md quotes (run with ``-s``)."""

import time

import pytest

import batchnet_core as bn
from batchnet_core.serving import KERNEL_MEGABYTES
from batchnet_core.ui.train import MAX_TRAIN_STEPS

from conftest import HEAT_MAPS_DRAWN, make_server, render

pytestmark = pytest.mark.browser

#: The largest state a link can hold: four layers, every size 16 (a random one: one-decimal numbers,
#: so nearly every cell's number differs and every cache of drawn numbers fills).
LARGEST = bn.random_state(1, (bn.MAX_SIZE,) * (bn.MAX_DEPTH + 2), integers=False)
#: Small enough that its 1,000 steps never diverge, large enough that every step changes every number.
RATE = "0.00001"
BUDGET = KERNEL_MEGABYTES * 2**20


def kernel_rss(server) -> int:
    (kernel,) = server.kernels()
    return kernel.memory_info().rss


def open_largest(page, server, notebook: str) -> None:
    page.goto(render(server.url, notebook, LARGEST.to_query()), timeout=180_000)
    # the last layer's results: 16 × 16 cells, each a button over its picture
    page.wait_for_selector("button[data-cell='Y,15,15']", state="attached", timeout=180_000)
    # every app shown: ipywidgets gives up on a widget after 2 s of a page this busy (batchnet.js draws it again)
    page.wait_for_function("() => document.querySelectorAll('.jp-OutputArea-output').length > 0 && "
                           "[...document.querySelectorAll('.jp-OutputArea-output')].every(o => o.querySelector("
                           "'.jupyter-widgets') && !o.textContent.startsWith('Error displaying widget'))",
                           timeout=30_000)
    page.wait_for_function(f"() => {HEAT_MAPS_DRAWN}", timeout=60_000)
    assert page.locator(".bn-connection-alert").count() == 0


def status(page) -> str:
    return page.inner_text(".bn-status")


def set_box(page, box: str, value: str, said: str) -> None:
    page.fill(f"{box} input", value)
    page.press(f"{box} input", "Enter")
    page.wait_for_function("(t) => document.querySelector('.bn-status').innerText.includes(t)", arg=said)


def train(page, presses: int, total: int) -> float:
    """Press Train ``presses`` times at once (before the page hears of the first run), and wait until the run
    says it has taken ``total`` steps since the page opened; its seconds."""
    start = time.monotonic()
    page.evaluate("(n) => { const b = document.querySelector('button.bn-train-run'); for (let i = 0; i < n; i++) "
                  "b.click(); }", presses)
    page.wait_for_function("(t) => document.querySelector('.bn-status').innerText.includes(t) && "
                           "!document.querySelector('button.bn-train-run').disabled",
                           arg=f"Trained {total} steps so far in this run", timeout=120_000)
    return time.monotonic() - start


def test_the_largest_state_stays_inside_the_kernel_budget_on_both_pages(page):
    with make_server("app", name="budget") as server:
        open_largest(page, server, "02_batch_of_three")
        worksheet = kernel_rss(server)
        print(f"\npage 02, largest state: kernel {worksheet / 1e6:.0f} MB")
        assert worksheet < BUDGET
        page.goto("about:blank")  # the tab gives its kernel back
        while server.kernels():
            time.sleep(0.2)

        open_largest(page, server, "06_train_the_batch")
        loaded = kernel_rss(server)
        set_box(page, ".bn-learning-rate", RATE, "Learning rate = ")
        set_box(page, ".bn-train-steps", str(MAX_TRAIN_STEPS), f"Steps = {MAX_TRAIN_STEPS}")

        (kernel,) = server.kernels()
        before = sum(kernel.cpu_times()[:2])
        one = train(page, 1, MAX_TRAIN_STEPS)
        cpu = sum(kernel.cpu_times()[:2]) - before
        ten = train(page, 10, 2 * MAX_TRAIN_STEPS)
        # the nine presses that came during the run were ignored: one run of 1,000 more steps, in about its time
        busy = kernel.cpu_times()
        time.sleep(1)
        idle = kernel.cpu_times()
        assert (idle.user + idle.system) - (busy.user + busy.system) < 0.2  # no run left queued
        assert "Trained 2000 steps so far in this run" in status(page)
        assert ten < 2 * one

        for presses in range(3, 7):
            train(page, 1, presses * MAX_TRAIN_STEPS)
        trained = kernel_rss(server)
        print(f"page 06, largest state: kernel {loaded / 1e6:.0f} MB loaded, {trained / 1e6:.0f} MB after "
              f"{6 * MAX_TRAIN_STEPS} steps; a run of {MAX_TRAIN_STEPS} steps {one:.1f} s ({cpu:.1f} s of kernel CPU), "
              f"ten quick presses "
              f"{ten:.1f} s")
        assert loaded < BUDGET and trained < BUDGET
