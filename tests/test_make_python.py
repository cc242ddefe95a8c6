"""`make` checks the Python that makes .venv before making anything, and never reuses a .venv made by a
Python too old or left half-made. Each test runs the real Makefile with ``VENV`` in a folder of its own."""

import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT

NEEDED = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"].removeprefix(">=")


def fake_python(folder: Path, version: str, venv_fails: bool = False) -> Path:
    """A ``python3`` that answers make's questions as Python ``version`` would: its version, and whether it
    is at least 3.11 (only 3.10 is not); ``-m venv`` makes the folder, as a real one starts to."""
    old = version.startswith("3.10")
    script = folder / "python3"
    script.write_text(f"""#!/bin/sh
case "$1" in
  --version|-V) echo "Python {version}";;
  -c) echo "{version}"; exit {1 if old else 0};;
  -m) mkdir -p "$3/bin" && ln -sf "$0" "$3/bin/python"; exit {1 if venv_fails else 0};;
esac
""")
    script.chmod(0o755)
    return script


def make(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_a_python_too_old_is_named_with_what_is_needed_and_makes_no_venv(tmp_path):
    python, venv = fake_python(tmp_path, "3.10.12"), tmp_path / "venv"
    done = make("app", f"PYTHON={python}", f"VENV={venv}")
    assert done.returncode != 0
    assert (f"batchnet needs Python {NEEDED} or newer, and PYTHON={python} is Python 3.10.12 ({python})."
            in done.stdout), done.stdout + done.stderr
    assert f"make app PYTHON=python{NEEDED}" in done.stdout
    assert not venv.exists()


def test_a_python_that_is_not_there_is_named_too(tmp_path):
    venv = tmp_path / "venv"
    done = make("test", "PYTHON=python-nowhere", f"VENV={venv}")
    assert "PYTHON=python-nowhere is no Python that runs" in done.stdout, done.stdout + done.stderr
    assert f"make test PYTHON=python{NEEDED}" in done.stdout
    assert not venv.exists()


def test_a_venv_whose_making_fails_is_removed(tmp_path):
    python, venv = fake_python(tmp_path, "3.12.1", venv_fails=True), tmp_path / "venv"
    done = make("app", f"PYTHON={python}", f"VENV={venv}")
    assert done.returncode != 0
    assert not venv.exists(), "a half-made venv is left for the next run to reuse"


def test_a_venv_made_by_a_python_too_old_is_made_again(tmp_path):
    """A .venv left by Python 3.10 (before make checked) is removed and made again by the Python named."""
    old, venv = fake_python(tmp_path, "3.10.12"), tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(old)
    done = make("app", f"PYTHON={old}", f"VENV={venv}")
    assert f"{venv} was made by a Python older than {NEEDED}" in done.stdout, done.stdout + done.stderr
    assert not venv.exists()

    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(old)
    done = make(f"{venv}/bin/python", f"PYTHON={sys.executable}", f"VENV={venv}")
    assert done.returncode == 0, done.stdout + done.stderr
    again = subprocess.run([venv / "bin" / "python", "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
                           capture_output=True, text=True)
    assert tuple(map(int, again.stdout.split("."))) >= tuple(map(int, NEEDED.split("."))), again.stdout
