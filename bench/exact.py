"""What exact results cost: the one computation every view reads, against bare float products.

For three states (the worked example; the largest state of one-decimal entries, 4 layers of 16 units and a
batch of 16; the worked example with W1 divided by 3, whose entries are 16-digit decimals), in one run:

1. the bare float forward pass (``compute.forward_floats``): the baseline;
2. a new state's results (``State.results``: the exact pass, then each value correctly rounded), as a
   slider change makes them: their median and the ratio to the baseline;
3. the walk (``walk``), and one SGD step (``sgd_step``) against the bare float gradients.

And a slider change on the worksheet page, kernel side, where these results are one part of the work.

Run from the project: ``.venv/bin/python bench/exact.py [--json PATH]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import batchnet_core as bn
from batchnet_core.nn.compute import forward_floats
from batchnet_core.nn.state import random_state
from batchnet_core.nn.training import backward_floats
from batchnet_core.steps import walk

sys.path.insert(0, str(Path(__file__).parent))
from training import T, machine, per_change, publish, timed  # noqa: E402  (the training bench's own helpers)


def states() -> dict[str, bn.State]:
    worked = bn.preset("three-inputs")
    return {
        "worked example": worked,
        "largest, one decimal": random_state(1, (16, 16, 16, 16, 16, 16), integers=False),
        "worked example, W1 / 3": worked.replace(W1=worked.W1 / 3),
    }


def measure(repeats: int, changes: int) -> dict:
    median = statistics.median
    figures = {}
    for name, state in states().items():
        fresh = [state.with_entry("W1", 0, 0, float(v)) for v in np.linspace(-1, 1, repeats)]
        exact = []
        for s in fresh:  # each a new state, as after a slider change: nothing worked out yet
            t0 = time.perf_counter()
            s.results()
            exact.append((time.perf_counter() - t0) * 1e3)
        bare = timed(lambda state=state: forward_floats(state.layers, state.X), repeats)
        figures[name] = {"bare_ms": median(bare), "exact_ms": median(exact), "ratio": median(exact) / median(bare),
                         "walk_ms": median(timed(lambda state=state: walk(state), max(3, repeats // 50)))}
    worked = bn.preset("three-inputs")
    targets = np.array(T, dtype=float)
    figures["sgd"] = {"exact_ms": median(timed(lambda: bn.sgd_step(worked, T, 0.03), repeats)),
                      "bare_ms": median(timed(lambda: backward_floats(worked.layers, worked.X, targets), repeats))}
    from batchnet_core.ui import BatchApp

    change, _ = per_change(BatchApp(), changes)
    figures["slider_change_ms"] = median(change[5:])
    return figures


def report(facts: dict, r: dict) -> str:
    lines = [f"machine: {facts['cpu']}, {facts['cores']} cores, Python {facts['python']}"]
    for name, f in r.items():
        if name in ("sgd", "slider_change_ms"):
            continue
        lines.append(f"{name}: results {f['exact_ms']:.3f} ms exact vs {f['bare_ms']:.3f} ms bare floats "
                     f"({f['ratio']:.1f}×); walk {f['walk_ms']:.1f} ms")
    lines.append(f"one SGD step: {r['sgd']['exact_ms']:.3f} ms exact vs {r['sgd']['bare_ms']:.3f} ms bare float "
                 f"gradients ({r['sgd']['exact_ms'] / r['sgd']['bare_ms']:.1f}×)")
    lines.append(f"slider change on the worksheet, kernel side (median): {r['slider_change_ms']:.2f} ms, of which "
                 f"the exact results {r['worked example']['exact_ms']:.3f} ms "
                 f"({100 * r['worked example']['exact_ms'] / r['slider_change_ms']:.0f} %)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--repeats", type=int, default=300, help="timings per figure (default 300)")
    parser.add_argument("--changes", type=int, default=100, help="slider changes (default 100)")
    args = parser.parse_args(argv)
    if args.repeats < 10 or args.changes < 10:
        parser.error("--repeats and --changes must be at least 10")
    return publish(args.json, machine(), measure(args.repeats, args.changes), report)


if __name__ == "__main__":
    sys.exit(main())
