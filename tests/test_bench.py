"""Each bench script still runs end to end and measures what it says, on a tiny setting.

These check that the benches work, not how fast anything is: the figures come from full runs
(docs/performance.md, bench/results/).
"""

import json
import subprocess
import sys

import pytest

from batchnet_core.ui.train import MAX_TRAIN_STEPS

from conftest import ARTIFACTS, ROOT

sys.path.insert(0, str(ROOT / "bench"))

from slider_latency import WARMUP  # noqa: E402

TIMED = 3  # changes timed after the warm-up ones


def bench(script: str, *arguments: str, timeout: float = 600) -> str:
    """Run a bench script as ``make`` would; its standard output. It must succeed."""
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, f"bench/{script}", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    (ARTIFACTS / f"bench-{script}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_kernel_side_profile_names_the_update_and_its_costs():
    out = bench("slider_latency.py", "--profile", "--kernel-changes", "5")
    assert "function calls" in out and "_apply" in out


@pytest.mark.browser
def test_the_slider_bench_times_every_change_and_load_it_was_asked_for(tmp_path):
    out = bench("slider_latency.py", "--changes", str(WARMUP + TIMED), "--loads", "1", "--kernel-changes", "5",
                "--json", str(tmp_path / "figures.json"))
    figures = json.loads((tmp_path / "figures.json").read_text())
    results = figures["results"]
    assert results["kernel_side"]["n"] == 5
    for page in ("batchnet", "bare"):
        latency = results["latency"][page]
        assert latency["update"]["n"] == TIMED and all(sample > 0 for sample in latency["update"]["samples"])
        assert latency["first"]["median"] <= latency["last"]["median"] <= latency["update"]["median"]
        assert latency["bytes"]["median"] > 0 and latency["rss_after_changes_mb"] > 20
        for start in ("cold", "preheated"):
            assert results[start][page]["ready"]["n"] == 1
            assert 0 < results[start][page]["html"]["median"] < results[start][page]["ready"]["median"]
    # page 06 took its turns too, every change checked against bn.backward's δ, dW and db
    training = results["latency"]["training"]
    assert training["update"]["n"] == TIMED
    assert training["bytes"]["median"] > results["latency"]["batchnet"]["bytes"]["median"]
    assert "Slider latency on page 06 (training), median: training vs bare" in out
    assert "## Figures" in out and len(figures["table"]) > 10
    assert {row["met"] for row in figures["table"]} <= {True, False, None}
    # the same changes again on emulated school Wi-Fi and on a 6× slower CPU, both pages in each
    assert set(results["conditions"]) == {"wifi", "slow-cpu"}
    for runs in results["conditions"].values():
        for page in ("batchnet", "bare"):
            assert runs[page]["update"]["n"] == TIMED and runs[page]["bytes"]["median"] > 0
            assert runs[page]["main_thread_ms_per_change"]["TaskDuration"] > 0
    assert "school Wi-Fi" in out and "6× slower CPU" in out


def test_the_students_bench_answers_every_change_over_the_websocket(tmp_path):
    out = bench("students.py", "--students", "2", "--paced", "2", "--dragging", "2", "--rates", "4",
                "--seconds", "1.5", "--warmup", "0.5", "--alone", "3", "--json", str(tmp_path / "students.json"))
    results = json.loads((tmp_path / "students.json").read_text())["results"]
    alone = {r["page"]: r for r in results["alone"]}
    assert set(alone) == {"batchnet 02", "batchnet 06", "bare"}
    for r in alone.values():
        # every change answered with the page's state showing the new value, its bytes counted both ways
        assert r["changes"] == 3 and r["not_shown"] == 0 and r["messages_per_change"] >= 2
        assert 0 < r["wire_bytes_per_change"] and 0 < r["uncompressed_bytes_per_change"]
        assert r["sent_wire_bytes_per_change"] > 0 and r["cpu_ms_per_change"]["kernels"] > 0
    # batchnet's answer carries its results, the bare page's one number; deflate shrinks batchnet's
    assert alone["batchnet 02"]["uncompressed_bytes_per_change"] > alone["bare"]["uncompressed_bytes_per_change"]
    assert alone["batchnet 02"]["wire_bytes_per_change"] < alone["batchnet 02"]["uncompressed_bytes_per_change"]
    assert [c["page"] for c in results["crowd"]] == ["batchnet 02", "bare"]
    for crowd in results["crowd"]:
        assert [p["kind"] for p in crowd["phases"]] == ["paced", "dragging", "ramp"]
        for phase in crowd["phases"]:
            latency = phase["latency_ms"]
            assert phase["changes"] > 0 and phase["not_shown"] == 0 and phase["students"] == 2
            assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
            assert phase["changes_per_s"] > 0 and phase["cpu_ms_per_change"]["server"] > 0
        assert set(crowd["saturation"]) == {"changes_per_s", "offered_past_bound", "reached_bound",
                                            "most_answered_per_s"}
        assert crowd["saturation"]["most_answered_per_s"] == max(p["changes_per_s"] for p in crowd["phases"])
    assert "## A crowd" in out and "Saturation" in out


@pytest.mark.browser
def test_the_load_bench_drives_every_session_it_opens(tmp_path):
    out = bench("load.py", "--sessions", "2", "--trainers", "0", "1", "--changes", str(WARMUP + TIMED),
                "--json", str(tmp_path / "load.json"))
    idle, training = json.loads((tmp_path / "load.json").read_text())["results"]
    for result in (idle, training):
        # two sessions of page 02, one of page 06 (training in the second phase), make serve's pool of one
        assert result["sessions"] == 2 and result["kernels_running"] == 2 + 1 + 1
        assert result["latency"]["update"]["n"] == TIMED
        background = result["background"]
        assert background["sessions_never_answered"] == 0 and background["sent"] > 0
        assert result["memory_after_changes"]["kernel_rss_mb"]["n"] == 2
    assert (idle["trainers"], training["trainers"]) == (0, 1)
    assert idle["training"]["runs_finished_timed"] == 0 and "versus_no_trainers" not in idle
    assert training["versus_no_trainers"]["p95"] > 0
    # the second phase's session pressed Train, and each run it started took its 1,000 steps
    in_all = training["training"]["in_all"]
    assert in_all["runs_started"] == in_all["runs_finished"] >= 1
    assert in_all["steps_taken"] == [in_all["runs_finished"] * MAX_TRAIN_STEPS] and in_all["every_run_whole"]
    assert "| Training sessions (runs finished while timed) |" in out


@pytest.mark.browser
def test_the_page_weight_bench_counts_a_first_visit(tmp_path):
    bench("page_weight.py", "--runs", "1", "--latency", "0", "--mbits", "100", "--json", str(tmp_path / "page.json"))
    figures = json.loads((tmp_path / "page.json").read_text())
    (visit,) = figures["visits"]
    assert figures["summary"]["setup"] == "make serve" and figures["summary"]["outside_hosts"] == []
    # what reached the browser over the relay: at least the HTTP bodies it counted
    assert 0 < visit["http_bytes"] <= visit["wire_bytes"] and visit["websocket_payload_bytes"] > 0
    assert visit["usable_s"] > 0 and visit["requests"] > 10


def test_the_training_bench_times_a_change_a_step_and_a_run(tmp_path):
    out = bench("training.py", "--changes", "10", "--json", str(tmp_path / "training.json"))
    figures = json.loads((tmp_path / "training.json").read_text())["results"]
    assert figures["change_ms"]["training"] > 0 and figures["change_ms"]["worksheet"] > 0
    # the training page sends the worksheet's heat maps and its own
    assert figures["change_bytes"]["training"] > figures["change_bytes"]["worksheet"] > 0
    assert figures["train_100_steps_s"] > 100 * figures["sgd_step_ms"] / 1e3
    assert "Train, 100 steps with the page following" in out
    # each choice of page 06 measured: the cross-entropy page sends P's heat map besides the others
    variants = figures["variants"]
    assert len(variants) == 3 and all(v["change_ms"] > 0 and v["step_ms"] > 0 for v in variants.values())
    cross_entropy = variants["ReLU then linear, softmax cross-entropy"]
    assert cross_entropy["change_bytes"] > variants["ReLU, mean squared error"]["change_bytes"]
    assert "ReLU then linear, softmax cross-entropy: change" in out


@pytest.mark.browser
def test_the_class_bench_records_the_answers_it_types(tmp_path):
    out = bench("class_answers.py", "--answerers", "2", "--changes", str(TIMED), "--rounds", "1", "--pace", "0.5",
                "--json", str(tmp_path / "class.json"))
    result = json.loads((tmp_path / "class.json").read_text())
    assert result["latency_ms"]["quiet"]["n"] == result["latency_ms"]["answering"]["n"] == TIMED
    answers = result["answers"]
    assert answers["typed"] > 0 and answers["recorded_while_answering"] == answers["typed"]
    assert answers["recorded_while_quiet"] == 0 and result["teacher_messages"] >= 2
    assert "| answering / quiet |" in out


def test_the_exact_bench_times_each_state_against_bare_floats(tmp_path):
    out = bench("exact.py", "--repeats", "10", "--changes", "10", "--json", str(tmp_path / "figures.json"))
    results = json.loads((tmp_path / "figures.json").read_text())["results"]
    for name in ("worked example", "largest, one decimal", "worked example, W1 / 3"):
        assert results[name]["exact_ms"] > 0 and results[name]["bare_ms"] > 0 and results[name]["walk_ms"] > 0
        assert results[name]["ratio"] == results[name]["exact_ms"] / results[name]["bare_ms"]
    assert 0 < results["worked example"]["exact_ms"] < results["slider_change_ms"]
    assert "machine:" in out and "slider change on the worksheet" in out


@pytest.mark.browser
def test_the_wire_emulation_bench_times_compressed_messages_of_each_kind_and_size(tmp_path):
    bench("wire_emulation.py", "--count", "1", "--json", str(tmp_path / "wire.json"))
    rows = json.loads((tmp_path / "wire.json").read_text())["rows"]
    assert [(row["kind"], row["bytes"]) for row in rows] == [(kind, size) for size in (500, 5_000, 20_000)
                                                             for kind in ("repeated", "random")]
    for repeated, random in zip(rows[::2], rows[1::2]):
        assert repeated["deflated"] < repeated["bytes"] / 10 < random["deflated"]
        assert "permessage-deflate" in repeated["extension"] and len(repeated["samples_ms"]) == 1


def test_the_coverage_bench_counts_the_bytes_of_code_that_ran_inside_functions_that_ran():
    from front_end_coverage import used_bytes

    # a script of 100 bytes: its top level ran (0-100); a function at 10-50 ran, a block of it (20-30) did not;
    # a function at 60-90 never ran
    ran, not_run = 1, 0
    entry = {"source": "x" * 100, "functions": [
        {"ranges": [{"startOffset": 0, "endOffset": 100, "count": ran}]},
        {"ranges": [{"startOffset": 10, "endOffset": 50, "count": ran},
                    {"startOffset": 20, "endOffset": 30, "count": not_run}]},
        {"ranges": [{"startOffset": 60, "endOffset": 90, "count": not_run}]},
    ]}
    assert used_bytes(entry) == 100 - 10 - 30
