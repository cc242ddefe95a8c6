"""The main notebook opens and runs in JupyterLab, and its widgets render there."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ARTIFACTS, free_port, page_values, stop, wait_until_serving
from test_core import HAND_H_Z, HAND_Y

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab on a copy of the notebooks, so running them never writes into the repo."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ARTIFACTS.parent / "notebooks", root / "notebooks")
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"jupyterlab-{port}.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + "api/status", process, log)
        yield url
    finally:
        stop(process)


def test_main_notebook_runs_in_jupyterlab(page, lab_url):
    page.goto(lab_url + "lab/tree/notebooks/02_batch_of_three.ipynb", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'",
                           timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".bn-values-Y", state="attached", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('img.bn-heatmap').length === 7", timeout=30_000)
    assert page_values(page, "H_z") == HAND_H_Z
    assert page_values(page, "Y") == HAND_Y
    assert page.locator(".bn-control").count() == 35
    assert "Traceback" not in page.inner_text("body")
