"""A real JupyterHub on loopback serves the app to two users, each with their own kernel."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import batchnet_core as bn

from conftest import ARTIFACTS, ROOT, free_port, page_values, state_on_page, stop, wait_for_value, wait_until_serving
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
"""


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory):
    if not PROXY.exists():
        reason = f"configurable-http-proxy is not installed at {PROXY} (make test installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("hub")
    (state / "homes").mkdir()
    port = free_port()
    config = HUB_CONFIG.format(
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
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + "hub/login", hub, log)
        yield url
    finally:
        stop(hub)  # with cleanup_servers the hub stops the users' servers too


def log_in(browser, hub_url: str, user: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    page = context.new_page()
    page.goto(hub_url + "hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "any")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{user}{SHIPPED['defaultUrl']}*", timeout=150_000)
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
