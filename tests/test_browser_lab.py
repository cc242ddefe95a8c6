"""The main notebook opens and runs in JupyterLab, and its widgets render there."""

import contextlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import (
    ARTIFACTS,
    TRAINING_HEAT_MAPS,
    close_tab,
    free_port,
    new_tab,
    page_values,
    stop,
    wait_until_serving,
)
from test_browser_layout import DRAWN_FOR, MEASURE, theme_ink
from test_core import HAND_H_Z, HAND_Y

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def jupyterlab(root, theme: str | None = None):
    """JupyterLab on a copy of the notebooks, so running them never writes into the repo, with settings and
    saved layouts of its own; with ``theme`` ("JupyterLab Dark") set in its settings, as a person would have it."""
    shutil.copytree(ARTIFACTS.parent / "notebooks", root / "notebooks")
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"  # its own, not this machine's
    settings.mkdir(parents=True)
    if theme is not None:
        (settings / "themes.jupyterlab-settings").write_text(json.dumps({"theme": theme}))
    # no toast asking about news over the page, answered or not
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(root / "settings")}
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"jupyterlab-{port}.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        # its own workspace: the machine's (~/.jupyter/lab/workspaces) reopens whatever another Lab left open
        f"--LabApp.workspaces_dir={root / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + "api/status", process, log)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("lab")) as url:
        yield url


@pytest.fixture(scope="module")
def dark_lab_url(tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("dark-lab"), theme="JupyterLab Dark") as url:
        yield url


def run_notebook(page, url: str, notebook: str, heat_maps: int = 7, ready: str = ".bn-values-Y") -> None:
    """Open a notebook in JupyterLab and run all its cells, until ``ready`` is in the page and its
    ``heat_maps`` are drawn."""
    page.goto(url + f"lab/tree/notebooks/{notebook}.ipynb", timeout=90_000)
    # the notebook asked for, not one JupyterLab restored from before
    page.wait_for_function("(path) => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.context?.path === path"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session",
                           arg=f"notebooks/{notebook}.ipynb", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'",
                           timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(ready, state="attached", timeout=90_000)
    page.wait_for_function(f"() => document.querySelectorAll('svg.bn-heatmap').length === {heat_maps}",
                           timeout=30_000)


def test_the_app_follows_jupyterlab_dark_and_a_theme_switch_with_the_file_browser_open(browser, dark_lab_url):
    page = new_tab(browser, viewport={"width": 1280, "height": 720})
    try:
        run_notebook(page, dark_lab_url, "02_batch_of_three")
        assert page.evaluate("document.body.dataset.jpThemeLight") == "false"
        page.wait_for_function(DRAWN_FOR, arg=theme_ink("dark"), timeout=30_000)
        assert page.locator("#filebrowser").is_visible(), "the sidebar is open"
        notebook_right = page.evaluate("document.querySelector('.jp-NotebookPanel').getBoundingClientRect().right")
        for heat_map in page.evaluate(MEASURE):
            assert heat_map["seen"] and heat_map["right"] <= notebook_right, heat_map
        page.locator(".bn-figure-H").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-sidebar-1280.png"))
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Light'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
        page.wait_for_function(DRAWN_FOR, arg=theme_ink("light"), timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-light-after-switch-1280.png"))
    finally:
        close_tab(page)


def test_main_notebook_runs_in_jupyterlab(page, lab_url):
    run_notebook(page, lab_url, "02_batch_of_three")
    page.wait_for_function(DRAWN_FOR, arg=theme_ink("light"), timeout=30_000)
    assert page_values(page, "H_z") == HAND_H_Z
    assert page_values(page, "Y") == HAND_Y
    assert page.locator(".bn-control").count() == 35
    assert "Traceback" not in page.inner_text("body")
    # no link that would not restore the state here: what works in JupyterLab instead
    assert not page.locator("a.bn-address").is_visible()
    assert "Export… → state (JSON), and Open a state" in page.inner_text(".bn-share-lab")


def test_the_loss_and_activation_choices_of_page_06_in_jupyterlab_dark(browser, dark_lab_url):
    """Softmax cross-entropy chosen in JupyterLab's dark theme: the last layer's activation is held linear, each
    input's class is a drop-down, and P = softmax(Y) is drawn in the dark theme's ink."""
    page = new_tab(browser, viewport={"width": 1280, "height": 900})
    try:
        run_notebook(page, dark_lab_url, "06_train_the_batch", heat_maps=TRAINING_HEAT_MAPS, ready=".bn-loss")
        # dark again: the theme switch of the test before is this JupyterLab's setting now
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        page.select_option(".bn-train .bn-loss-choice select", label="softmax cross-entropy")
        page.wait_for_function("() => [...document.querySelectorAll('.bn-train-maps svg')]"
                               ".some(svg => svg.textContent.includes('P = softmax(Y), each column'))", timeout=30_000)
        assert page.is_disabled(".bn-train .bn-activation-2 select")
        assert page.input_value(".bn-train .bn-activation-2 select") == "linear"
        assert page.locator(".bn-target-class-1 select").is_visible()
        page.wait_for_function(DRAWN_FOR, arg=theme_ink("dark"), timeout=30_000)
        page.locator(".bn-train .bn-loss-choice").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-softmax-cross-entropy-1280.png"))
        # the gradient exercise under the same loss: P given beside T, to four digits, in the dark ink
        page.select_option(".bn-gradient-loss select", label="softmax cross-entropy")
        compared = page.locator(".bn-gradient-compared")
        compared.wait_for(timeout=30_000)
        compared.scroll_into_view_if_needed()
        # JupyterLab renders a cell's content once it is on screen (content-visibility): its text is read then
        page.wait_for_function("table => table.querySelector('caption').innerText === 'P, to four digits'",
                               arg=compared.element_handle(), timeout=30_000)
        ink, ground = page.evaluate("""table => {
          const style = getComputedStyle(table.querySelector('td'));
          return [style.color, getComputedStyle(document.body).backgroundColor];
        }""", compared.element_handle())
        assert ink != ground and ink not in ("rgb(0, 0, 0)", "rgba(0, 0, 0, 0)")  # light text on the dark page
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-gradient-softmax-1280.png"))
    finally:
        close_tab(page)
