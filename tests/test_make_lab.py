"""`make lab` opens a working copy of the notebooks: a learner's work saved in JupyterLab never changes the
tracked notebooks, and the checkout stays clean after a lesson."""

import json
import subprocess
import urllib.request

from batchnet_core.series import PAGES

from conftest import ROOT, make_server

TOKEN = "t"


def api(url: str, path: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{url}api/{path}?token={TOKEN}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


def lab(work):
    return make_server("lab", name="lab-work", ready=f"api/status?token={TOKEN}", TOKEN=TOKEN, LAB_WORK=work)


def git_status(*paths: str) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_a_lesson_in_make_lab_saves_into_the_working_copy_and_leaves_the_checkout_clean(tmp_path):
    work, page = tmp_path / "lab-work", PAGES[2].name
    before = git_status("notebooks/")
    with lab(work) as server:
        log = server.log.read_text()
        assert f"JupyterLab opens {work}/, a working copy of notebooks/" in log, log[-3000:]
        assert f"Serving notebooks from local directory: {work}" in log, log[-3000:]
        assert sorted(item["name"] for item in api(server.url, "contents")["content"]) == [p.name for p in PAGES]
        # what JupyterLab's save sends after a learner ran the page: the notebook with its outputs
        notebook = api(server.url, f"contents/{page}")
        code = next(cell for cell in notebook["content"]["cells"] if cell["cell_type"] == "code")
        code["execution_count"] = 1
        code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "a learner's output\n"}]
        api(server.url, f"contents/{page}", "PUT", {"type": "notebook", "format": "json",
                                                    "content": notebook["content"]})
    assert "a learner's output" in (work / page).read_text()
    assert "a learner's output" not in (ROOT / "notebooks" / page).read_text()
    assert git_status("notebooks/") == before, "the tracked notebooks changed"  # empty on a clean checkout

    # the next lesson finds the learner's work as it was left, and a page removed from the copy again
    (work / PAGES[3].name).unlink()
    with lab(work) as server:
        log = server.log.read_text()
        assert f"Copied from notebooks/: {PAGES[3].name}" in log, log[-3000:]
    assert "a learner's output" in (work / page).read_text()
    assert (work / PAGES[3].name).read_bytes() == (ROOT / "notebooks" / PAGES[3].name).read_bytes()


def test_the_working_copy_in_the_checkout_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "--quiet", f"lab-work/{PAGES[0].name}"], cwd=ROOT)
    assert ignored.returncode == 0, "make lab's default LAB_WORK (lab-work/) must be git-ignored"
