"""Binder links come from the repository's remote, whatever form it takes."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from binder_links import binder_links, github_repository  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "binder_links.py"


@pytest.mark.parametrize("remote", ["https://github.com/ada/batch-net.git", "git@github.com:ada/batch-net.git",
                                    "ssh://git@github.com/ada/batch-net", "https://github.com/ada/batch-net/"])
def test_remote_forms(remote):
    assert github_repository(remote) == "ada/batch-net"


def test_links_open_the_lab_and_the_voila_app():
    links = binder_links("https://github.com/ada/batchnet", "main")
    assert list(links.values()) == [
        "https://mybinder.org/v2/gh/ada/batchnet/main?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb",
        "https://mybinder.org/v2/gh/ada/batchnet/main?urlpath=voila%2Frender%2Fnotebooks%2F02_batch_of_three.ipynb",
    ]
    for path in ("notebooks/00_start_here.ipynb", "notebooks/02_batch_of_three.ipynb"):
        assert (SCRIPT.parent.parent / path).exists()


def test_a_remote_elsewhere_gets_a_clear_message(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "https://example.org/x/y.git"], check=True)
    result = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "not a GitHub remote" in result.stderr
