"""pyproject.toml, requirements.txt, environment.yml and binder/ describe one environment."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCAL = {".", "-e ."}


def pip_lines(path):
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def named(requirement_texts):
    requirements = [Requirement(text) for text in requirement_texts if text not in LOCAL]
    return {canonicalize_name(r.name): r.specifier for r in requirements}


@pytest.fixture(scope="module")
def project():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return named(data["dependencies"] + data["optional-dependencies"]["ui"]), data["requires-python"]


def test_requirements_txt_matches_the_project_and_installs_it(project):
    lines = pip_lines(ROOT / "requirements.txt")
    assert named(lines) == project[0]
    assert "." in lines  # not editable: a pip install places the Voila template in <prefix>/share/jupyter


def test_environment_yml_matches_the_project(project):
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    python = [d for d in conda if d.startswith("python")]
    assert python == [f"python{project[1]}"]
    # conda spells a bound like pip does for the simple ">=" form used here
    assert named(d for d in conda if not d.startswith("python")) == project[0]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["."]


def test_binder_pins_versions_the_project_accepts(project):
    lines = pip_lines(ROOT / "binder" / "requirements.txt")
    pins = named(lines)
    assert set(pins) == set(project[0])
    for name, specifier in pins.items():
        (pin,) = list(specifier)
        assert pin.operator == "==", f"{name} must be pinned in binder/requirements.txt"
        assert project[0][name].contains(pin.version), f"{name}=={pin.version} is outside {project[0][name]}"
    assert "." in lines


def test_binder_runtime_is_a_python_the_project_supports(project):
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, runtime
    assert SpecifierSet(project[1]).contains(match.group(1) + ".0")


#: setuptools reads pyproject.toml as an install's build does; any warning (the deprecation banner that
#: ``project.license`` as a table printed on every install) is an error.
READ_AS_THE_BUILD_DOES = ("from setuptools.config.pyprojecttoml import apply_configuration; "
                          "from setuptools.dist import Distribution; "
                          "apply_configuration(Distribution(), 'pyproject.toml')")


def test_an_install_prints_no_deprecation_banner():
    done = subprocess.run([sys.executable, "-W", "error", "-c", READ_AS_THE_BUILD_DOES], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    setuptools = next(Requirement(text) for text in build if Requirement(text).name == "setuptools")
    assert "76.9" not in setuptools.specifier, "license as an SPDX string needs setuptools 77 or newer"
