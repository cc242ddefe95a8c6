"""Voila's front end travels once: its scripts and the widgets' extensions are served under addresses that
name their version and kept by the browser for good (batchnet_core.serving.asset_version); the second
page a student opens, under ``make serve``, is tested in test_serve.py."""

import json
import posixpath
import re
import urllib.error
import urllib.request

import pytest

from batchnet_core.serving import asset_version

from conftest import render


def test_the_version_names_what_the_folders_hold(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "static").mkdir(parents=True)
    second.mkdir()
    script = first / "static" / "1.voila.js"
    script.write_text("one")
    before = asset_version([str(first), str(second), str(tmp_path / "missing")])
    assert re.fullmatch(r"[0-9a-f]{16}", before)
    assert asset_version([str(first), str(second)]) == before  # a folder that is not there adds nothing

    script.write_text("three")  # a script rewritten by an upgrade
    rewritten = asset_version([str(first), str(second)])
    (second / "remoteEntry.js").write_text("")  # a new extension
    added = asset_version([str(first), str(second)])
    assert len({before, rewritten, added}) == 3


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


@pytest.mark.browser  # starts the real server
def test_voilas_front_end_is_served_under_its_version_and_kept_for_good(voila_url):
    status, headers, html = fetch(render(voila_url, "02_batch_of_three"))
    assert status == 200 and "no-store" in headers["Cache-Control"]  # the page itself names its own kernel
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    static, extensions = config["fullStaticUrl"], config["fullLabextensionsUrl"]
    assert re.fullmatch(r"/voila/static/v-[0-9a-f]{16}", static), static
    assert re.fullmatch(r"/voila/labextensions/v-[0-9a-f]{16}", extensions), extensions
    assert f'<script src="{static}/voila.js">' in html

    loaded = [f"{static}/voila.js"] + [posixpath.normpath(f"{extensions}/{e['name']}/{e['load']}")
                                       for e in config["federated_extensions"]]
    assert len(loaded) == 4  # voila.js and the three extensions voila.json allows
    for path in loaded:
        status, headers, body = fetch(voila_url.rstrip("/") + path)
        assert status == 200 and body, path
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", (path, headers)

    # another version's address is not served: an upgraded server never hands out what an old page asked for
    other = re.sub(r"v-[0-9a-f]{16}", "v-0123456789abcdef", static)
    assert fetch(f"{voila_url.rstrip('/')}{other}/voila.js")[0] in (403, 404)
    # nor is any file outside the folders
    assert fetch(f"{voila_url.rstrip('/')}{static}/../../../voila.json")[0] in (403, 404)
