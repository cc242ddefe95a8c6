"""What training costs on page 06, in the kernel, without a browser.

1. A slider change on the training page (the worksheet plus targets, δ and dW | db) against the same
   change on the worksheet alone (page 02's app): median ms per change, their ratio, and the bytes of
   HTML each change sends.
2. One step of gradient descent (``bn.sgd_step``) on the worked example, and the by-hand
   ``backward_loop`` against the matrix-product ``backward``.
3. One press of Train, 100 steps, with the page following live: the seconds a learner waits.
4. The same slider change and one press of One step on page 06 with other activations (tanh, sigmoid) and
   with softmax cross-entropy, each against the worksheet alone in the same run.

Run from the project: ``.venv/bin/python bench/training.py [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import batchnet_core as bn

T = [[1, 0, 1], [2, 2, 2]]

#: Page 06's choices measured: (label, each layer's activation, loss).
VARIANTS = (("ReLU, mean squared error", ("relu", "relu"), "mse"),
            ("tanh then sigmoid, mean squared error", ("tanh", "sigmoid"), "mse"),
            ("ReLU then linear, softmax cross-entropy", ("relu", "linear"), "softmax_cross_entropy"))


def per_change(app, changes: int) -> tuple[list[float], int]:
    """ms per change of W1[1,1] set back and forth through its slider, and the bytes a change sends: every
    widget's messages, as the kernel packs them (JSON in UTF-8)."""
    slider = app.entries[("W1", 0, 0)].slider
    start = slider.value
    sent = _count_sent()
    samples = []
    for i in range(changes):
        t0 = time.perf_counter()
        slider.set_state({"value": start + 1 if i % 2 == 0 else start})  # as the page's message sets it
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples, sum(sent) // changes


def _count_sent() -> list[int]:
    """From now on, the bytes of each message any widget sends (with no kernel, widgets send nothing)."""
    import ipywidgets as widgets

    class Kernel:
        pass

    sizes = []
    for widget in list(widgets.Widget.widgets.values()):
        if widget.comm is not None:
            widget.comm.kernel = Kernel()
            widget.comm.send = lambda data=None, metadata=None, buffers=None: sizes.append(
                len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()))
    return sizes


def timed(run, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def measure(changes: int) -> dict:
    from batchnet_core.ui import BatchApp
    from batchnet_core.ui.train import Trainer

    worksheet, worksheet_bytes = per_change(BatchApp(), changes)
    trainer = Trainer()
    training, training_bytes = per_change(trainer.app, changes)
    s = bn.preset("three-inputs")
    step = timed(lambda: bn.sgd_step(s, T, 0.03), 200)
    batched = timed(lambda: bn.backward(s, T), 200)
    looped = timed(lambda: bn.backward_loop(s, T), 200)
    trainer = Trainer()
    trainer.steps_box.value = "100"
    press = timed(trainer.train, 5)
    median = statistics.median
    variants = {}
    for label, activations, loss in VARIANTS:
        chosen = Trainer()
        for picker, name in zip(chosen.activations.pickers, activations):
            picker.value = name
        chosen.loss_choice.value = loss
        samples, sent = per_change(chosen.app, changes)
        steps = timed(chosen.step, 50)
        change = median(samples[5:])
        variants[label] = {"change_ms": change, "change_ratio": change / median(worksheet[5:]),
                           "change_bytes": sent, "step_ms": median(steps[5:])}
    return {
        "variants": variants,
        "change_ms": {"worksheet": median(worksheet[5:]), "training": median(training[5:])},
        "change_ratio": median(training[5:]) / median(worksheet[5:]),
        "change_bytes": {"worksheet": worksheet_bytes, "training": training_bytes},
        "sgd_step_ms": median(step), "backward_ms": median(batched), "backward_loop_ms": median(looped),
        "train_100_steps_s": median(press) / 1e3,
    }


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version()}


def report(facts: dict, r: dict) -> str:
    return "\n".join([
        f"machine: {facts['cpu']}, {facts['cores']} cores, Python {facts['python']}",
        f"slider change, kernel side (median): worksheet {r['change_ms']['worksheet']:.2f} ms, with training "
        f"{r['change_ms']['training']:.2f} ms ({r['change_ratio']:.2f}×)",
        f"HTML sent per change: worksheet {r['change_bytes']['worksheet'] / 1e3:.1f} kB, with training "
        f"{r['change_bytes']['training'] / 1e3:.1f} kB",
        f"one SGD step: {r['sgd_step_ms']:.3f} ms; backward {r['backward_ms']:.3f} ms, backward_loop "
        f"{r['backward_loop_ms']:.3f} ms",
        f"Train, 100 steps with the page following: {r['train_100_steps_s']:.2f} s",
        "page 06 by choice (slider change against the worksheet alone; one press of One step):",
        *(f"  {label}: change {v['change_ms']:.2f} ms ({v['change_ratio']:.2f}×), {v['change_bytes'] / 1e3:.1f} kB; "
          f"step {v['step_ms']:.2f} ms" for label, v in r["variants"].items()),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--changes", type=int, default=100, help="slider changes per page (default 100)")
    args = parser.parse_args(argv)
    if args.changes < 10:
        parser.error("--changes must be at least 10")
    return publish(args.json, machine(), measure(args.changes), report)


def publish(path: Path | None, facts: dict, results: dict, report) -> int:
    """Print the report of a run; with a path, also write its figures there as JSON."""
    print(report(facts, results))
    if path:
        path.write_text(json.dumps({"machine": facts, "results": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
