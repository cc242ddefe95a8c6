"""Binder builds the same environment: checked offline with repo2docker's own Dockerfile, and by
serving the app from a fresh environment made only from binder/."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_error_text, open_app, page_values, server_running
from test_core import HAND_Y

pytestmark = pytest.mark.browser


def test_repo2docker_installs_the_pinned_requirements_with_python_311():
    repo2docker = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run([str(repo2docker), "--no-build", "--no-run", "--debug", str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout + result.stderr
    assert "python=3.11" in dockerfile
    copy_repo = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert install > copy_repo, "requirements.txt installs batchnet itself, so it must run after the repo is copied"


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory):
    """A fresh virtual environment built from binder/requirements.txt alone."""
    env = tmp_path_factory.mktemp("binder-env")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
                   cwd=ROOT, check=True, timeout=1200)
    return python


def test_binder_environment_serves_the_app(page, binder_python):
    voila = str(binder_python.with_name("voila"))
    # Only what binder/ installs: not the repo's template folder that make exports.
    environment_without_the_repo = {k: v for k, v in os.environ.items() if k != "JUPYTER_PATH"}
    with server_running(lambda port: [voila, "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", "notebooks"],
                        "voila-binder", env=environment_without_the_repo) as server:
        open_app(page, server.url + "voila/render/02_batch_of_three.ipynb")
        assert page_values(page, "Y") == HAND_Y
        assert_no_error_text(page)
