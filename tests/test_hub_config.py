"""deploy/jupyterhub-config.yaml: valid for Zero to JupyterHub, and safe as shipped.

The chart's own schema and defaults (chart 4.4.0, tests/z2jh/README.md) check the keys; the
assertions below pin what a school gets before it changes anything: a real login limited to a
list, HTTPS, no egress, no terminal, memory and CPU sized from measured figures, and a hub that
will not start while a placeholder is left.
"""

import contextlib
import copy
import io
import json
import os
import re
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import jsonschema
import pytest
import traitlets
import traitlets.config
import yaml
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from jupyterhub.traitlets import ByteSpecification

from batchnet_core import serving
from batchnet_core.classroom.hub import ANSWER, CUSTOM_SCOPES, TEACH

from conftest import ROOT

CONFIG = ROOT / "deploy" / "jupyterhub-config.yaml"
CHART = Path(__file__).with_name("z2jh")
SCHEMA = json.loads((CHART / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((CHART / "values.yaml").read_text())
SHIPPED = yaml.safe_load(CONFIG.read_text())

#: Measured figures the limits come from (RSS, 1 MB = 10**6 bytes; docs/performance.md, issue 20).
SERVER_MB = 100  # the Jupyter server with Voila's extension, no kernel (95 MB measured)
KERNEL_MB = 110  # a page's kernel at the worked example ("Kernel RSS, batchnet", 109 MB)
WORST_KERNEL_MB = 270  # a page's kernel at the largest state a link holds (262-270 MB measured)
PAGES_TYPICAL, PAGES_MOST = 2, 3  # pages a student keeps open: in a lesson, at most
#: CPU seconds per slider change: kernel 15.3 ms + Jupyter server 31.5 ms (docs/performance.md).
CHANGE_CPU_S = 0.0153 + 0.0315
CHANGES_PER_S = 4  # a student dragging a slider (an assumption, said in docs/deploy.md)

#: Every value a school must replace, by its path in the values (docs/deploy.md lists each).
PLACEHOLDERS = [
    "hub.config.GoogleOAuthenticator.client_id",
    "hub.config.GoogleOAuthenticator.client_secret",
    "hub.config.GoogleOAuthenticator.oauth_callback_url",
    "hub.config.GoogleOAuthenticator.hosted_domain[0]",
    "hub.config.Authenticator.admin_users[0]",
    "hub.config.Authenticator.allowed_users[0]",
    "proxy.https.hosts[0]",
    "proxy.https.letsencrypt.contactEmail",
    "singleuser.image.name",
    "singleuser.image.tag",
    "hub.image.name",
    "hub.image.tag",
    "hub.loadRoles.teacher-class-a.users[0]",
    "hub.config.JupyterHub.load_groups.class-a.users[0]",
]
#: The class view's database URL, as the Secret gives it to the hub (docs/deploy.md).
DATABASE = "postgresql://batchnet:secret@db.school.org:5432/batchnet"


def helm_merge(defaults: dict, values: dict) -> dict:
    """What Helm gives the templates and the schema: mappings merged, anything else replaced."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


VALUES = helm_merge(DEFAULTS, SHIPPED)


def bytes_of(spec) -> int:
    """A memory figure as KubeSpawner reads it (JupyterHub's ByteSpecification: M = 2**20)."""

    class Holder(traitlets.HasTraits):
        value = ByteSpecification()

    return Holder(value=spec).value


def hub_config(values: dict) -> traitlets.config.Config:
    """What z2jh's jupyterhub_config.py makes of the values before the extraConfig runs: the services
    (``hub.services``, each named by its key) and the ``hub.config`` passed through."""
    c = traitlets.config.Config(copy.deepcopy(values["hub"]["config"]))
    c.JupyterHub.services = [{"name": name, **copy.deepcopy(service)}
                             for name, service in values["hub"].get("services", {}).items()]
    return c


def run_placeholder_check(values: dict, c: traitlets.config.Config | None = None) -> tuple[int | None, str]:
    """Run the shipped hub.extraConfig as z2jh's jupyterhub_config.py does (exec, with ``c`` and
    get_config), in a hub pod whose environment has the class view's database URL."""

    def get_config(key, default=None):  # z2jh.get_config over the values the hub pod is given
        value = values
        for level in key.split("."):
            if not isinstance(value, dict) or level not in value:
                return default
            value = value[level]
        return value

    stderr = io.StringIO()
    code = None
    c = hub_config(values) if c is None else c
    with contextlib.redirect_stderr(stderr), mock.patch.dict(os.environ, {"BATCHNET_CLASS_DATABASE": DATABASE}):
        for _, snippet in sorted(values["hub"]["extraConfig"].items()):
            try:
                exec(snippet, {"get_config": get_config, "c": c})
            except SystemExit as stop:
                code = stop.code
                break
    return code, stderr.getvalue()


def filled(value, path=""):
    """The values as a school fills them in: every CHANGE-ME replaced, the hub's own code kept."""
    if isinstance(value, dict):
        return {key: item if f"{path}.{key}" == ".hub.extraConfig" else filled(item, f"{path}.{key}")
                for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, path) for item in value]
    if isinstance(value, str):
        return value.replace("CHANGE-ME", "school")
    return value


def test_the_shipped_values_pass_the_charts_schema_as_helm_checks_them():
    jsonschema.validate(VALUES, SCHEMA)
    # The schema refuses a misspelt key where our safety settings live, so the check above bites.
    for typo in ({"singleuser": {"networkPolicy": {"egressAllowRules": {"nonPrivateIP": False}}}},
                 {"proxy": {"https": {"enable": True}}}, {"singleuser": {"memory": {"limits": "1G"}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(helm_merge(VALUES, typo), SCHEMA)


def test_students_sign_in_through_the_school_and_only_those_listed():
    config = VALUES["hub"]["config"]
    authenticator = config["JupyterHub"]["authenticator_class"]
    assert authenticator not in {"dummy", "null", "jupyterhub.auth.DummyAuthenticator",
                                 "jupyterhub.auth.NullAuthenticator"}
    assert authenticator == "google"
    assert config["Authenticator"]["allowed_users"] and config["Authenticator"]["admin_users"]
    assert not any(section.get("allow_all") or section.get("allow_existing_users") for section in config.values())
    assert config["GoogleOAuthenticator"]["hosted_domain"], "sign-in limited to the school's own domain"


def test_https_is_on_for_the_hubs_address():
    https = VALUES["proxy"]["https"]
    assert https["enabled"] is True and https["type"] == "letsencrypt"
    assert https["hosts"] and https["letsencrypt"]["contactEmail"]
    callback = urlsplit(VALUES["hub"]["config"]["GoogleOAuthenticator"]["oauth_callback_url"])
    assert callback.scheme == "https" and callback.path == "/hub/oauth_callback"
    assert callback.hostname in {host.lower() for host in https["hosts"]}


def test_a_students_server_reaches_the_hub_dns_and_the_class_view_only():
    policy = VALUES["singleuser"]["networkPolicy"]
    # one rule of its own: the class view's port in the hub's pod, where BATCHNET_CLASS_URL points
    (rule,) = policy["egress"]
    assert rule["to"] == [{"podSelector": {"matchLabels": {"app": "jupyterhub", "component": "hub"}}}]
    port = urlsplit(VALUES["singleuser"]["extraEnv"]["BATCHNET_CLASS_URL"]).port
    assert rule["ports"] == [{"port": port, "protocol": "TCP"}]
    assert urlsplit(VALUES["hub"]["services"]["batchnet-class"]["url"]).port == port
    (ingress,) = VALUES["hub"]["networkPolicy"]["ingress"]
    assert ingress["ports"] == [{"port": port, "protocol": "TCP"}]
    assert policy["enabled"] is True
    rules = policy["egressAllowRules"]
    assert rules["nonPrivateIPs"] is False and rules["privateIPs"] is False and rules["cloudMetadataServer"] is False
    assert set(rules) == set(SCHEMA["properties"]["singleuser"]["properties"]["networkPolicy"]["properties"]
                             ["egressAllowRules"]["properties"]), "every rule written out, none left to a default"


def test_no_terminal_and_pageless_kernels_culled_in_the_jupyter_server_we_run():
    (extra,) = VALUES["singleuser"]["extraFiles"].values()
    assert extra["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    data = extra["data"]
    # Every key is a configurable trait of the jupyter_server installed here, and takes effect.
    for section, cls in (("ServerApp", ServerApp), ("MappingKernelManager", MappingKernelManager)):
        assert set(data[section]) <= set(cls.class_traits(config=True)), section
    config = traitlets.config.Config(data)
    assert ServerApp(config=config).terminals_enabled is False
    kernels = MappingKernelManager(config=config)
    assert 0 < kernels.cull_idle_timeout <= 1800 and kernels.cull_connected is False and kernels.cull_busy is False


def test_memory_and_cpu_come_from_the_measured_figures():
    memory, cpu = VALUES["singleuser"]["memory"], VALUES["singleuser"]["cpu"]
    # The class cap of `make serve` budgets serving.KERNEL_MEGABYTES a kernel: the hub holds as much.
    worst = max(WORST_KERNEL_MB, serving.KERNEL_MEGABYTES)
    assert bytes_of(memory["limit"]) >= (SERVER_MB + PAGES_MOST * worst) * 10**6
    assert bytes_of(memory["guarantee"]) >= (SERVER_MB + PAGES_TYPICAL * KERNEL_MB) * 10**6
    assert bytes_of(memory["guarantee"]) <= bytes_of(memory["limit"])
    assert cpu["guarantee"] >= CHANGES_PER_S * CHANGE_CPU_S
    assert cpu["limit"] >= 1, "Train runs one core for seconds"


def test_the_hub_will_not_start_while_a_placeholder_is_left():
    code, said = run_placeholder_check(VALUES)
    assert code == 1
    named = re.findall(r"[\w.\[\]-]+", said.split("fill in (docs/deploy.md): ", 1)[1])
    assert sorted(named) == sorted(PLACEHOLDERS)
    assert run_placeholder_check(filled(VALUES)) == (None, "")


def test_the_deploy_doc_names_every_placeholder():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    section = doc.split("## What a school fills in", 1)[1].split("\n## ", 1)[0]
    for path in PLACEHOLDERS:
        name = path.removesuffix("[0]")
        assert f"`{name}`" in section, name


def test_the_class_view_is_a_hub_service_on_a_database_from_a_secret():
    hub = VALUES["hub"]
    service = hub["services"]["batchnet-class"]
    assert service["command"][-2:] == ["-m", "batchnet_core.classroom.hub"]
    port = urlsplit(service["url"]).port
    assert [extra["port"] for extra in hub["service"]["extraPorts"]] == [port], "the hub's Service carries its port"
    assert service["oauth_client_allowed_scopes"] == [TEACH]
    assert hub["config"]["JupyterHub"]["custom_scopes"] == CUSTOM_SCOPES
    # the URL lives in a Secret; the hub's extraConfig hands it to the service, which inherits nothing
    assert hub["extraEnv"]["BATCHNET_CLASS_DATABASE"] == {
        "valueFrom": {"secretKeyRef": {"name": "batchnet-class-database", "key": "url"}}}
    assert "postgresql" not in CONFIG.read_text()
    c = hub_config(filled(VALUES))
    assert run_placeholder_check(filled(VALUES), c) == (None, "")
    [started] = [s for s in c.JupyterHub.services if s["name"] == "batchnet-class"]
    assert started["environment"] == {"BATCHNET_CLASS_DATABASE": DATABASE}
    # every student's kernels are told where the class is, through the proxy
    url = urlsplit(VALUES["singleuser"]["extraEnv"]["BATCHNET_CLASS_URL"])
    assert url.scheme == "ws" and url.path == "/services/batchnet-class/kernel"


def test_each_role_may_do_what_docs_deploy_says_and_no_more():
    roles = VALUES["hub"]["loadRoles"]
    assert set(roles["user"]["scopes"]) == {"self", "access:services!service=batchnet-class", f"{ANSWER}!user"}
    # the server's token: JupyterHub's own server role, its user's answers and groups, nothing else
    assert set(roles["server"]["scopes"]) == {"users:activity!user", "access:servers!server", f"{ANSWER}!user",
                                              "read:users:groups!user"}
    assert roles["batchnet-class"] == {"scopes": ["list:groups"], "services": ["batchnet-class"]}
    teachers = {name: role for name, role in roles.items() if name.startswith("teacher-")}
    assert teachers
    for name, role in teachers.items():
        group = name.removeprefix("teacher-")
        assert role["scopes"] == [f"{TEACH}!group={group}"], "a teacher of one class teaches that class alone"
        assert group in VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    assert not any(TEACH in role["scopes"] for role in roles.values()), "nobody teaches every class by default"
    doc = (ROOT / "docs" / "deploy.md").read_text()
    for scope in (TEACH, ANSWER, "read:users:groups!user", "list:groups", "batchnet-class-database"):
        assert scope in doc, scope
