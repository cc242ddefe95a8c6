"""Why batch: the per-input loop against one matrix product, timed on this machine."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

import numpy as np

from .compute import forward_floats, forward_loop_floats
from .state import State, preset

#: Batch sizes timed by default: 1 to 100,000 inputs, a factor of 10 apart.
BATCH_SIZES = (1, 10, 100, 1_000, 10_000, 100_000)


@dataclasses.dataclass(frozen=True)
class Timing:
    """Seconds per forward pass of a whole batch, both ways."""

    batch: int
    loop: float
    batched: float

    @property
    def speedup(self) -> float:
        """How many times faster the matrix product is."""
        return self.loop / self.batched


def seconds_per_call(run: Callable[[], object], repeats: int = 3, minimum: float = 0.02) -> float:
    """Best time of ``repeats`` measurements, each long enough (``minimum`` s) to be timed well."""
    number = 1
    while True:
        elapsed = _timed(run, number)
        if elapsed >= minimum:
            break
        number = max(number * 2, int(number * minimum * 1.2 / max(elapsed, 1e-9)))
    best = min([elapsed] + [_timed(run, number) for _ in range(repeats - 1)])
    return best / number


def _timed(run: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        run()
    return time.perf_counter() - start


def time_batches(sizes: tuple[int, ...] = BATCH_SIZES, network: State | None = None, repeats: int = 3,
                 seed: int = 0) -> Iterator[Timing]:
    """Time the loop and the matrix product for each batch size, yielding each result as it is done.

    The network is the worked example's unless given; the inputs are random whole numbers.

    Examples
    --------
    >>> [t.batch for t in time_batches(sizes=(1, 10), repeats=1)]
    [1, 10]
    """
    state = network if network is not None else preset("three-inputs")
    rng = np.random.default_rng(seed)
    for n in sizes:
        X = rng.integers(-3, 4, size=(state.X.shape[0], n)).astype(float)
        loop = seconds_per_call(lambda X=X: forward_loop_floats(state.layers, X), repeats)
        batched = seconds_per_call(lambda X=X: forward_floats(state.layers, X), repeats)
        yield Timing(n, loop, batched)
