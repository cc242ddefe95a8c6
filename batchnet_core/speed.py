"""Why batch: the per-input loop against one matrix product, timed on this machine."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from .nn.compute import forward_floats, forward_loop_floats
from .nn.state import State, preset

#: Batch sizes timed by default: 1 to 100,000 inputs, a factor of 10 apart.
BATCH_SIZES = (1, 10, 100, 1_000, 10_000, 100_000)

#: Units of time, largest first; a time is written in the largest unit it makes at least one of.
TIME_UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))

#: Two ways within this factor of each other took about the same time: timings on a shared machine
#: vary by more than that from run to run.
SAME_WITHIN = 1.05

#: Bytes of one number (float64).
NUMBER_BYTES = 8


def format_duration(seconds: float) -> str:
    """A time in the unit that reads best (s, ms, µs or ns), to 3 significant digits.

    Examples
    --------
    >>> format_duration(1.0934), format_duration(0.0000122), format_duration(0.00810)
    ('1.09 s', '12.2 µs', '8.1 ms')
    >>> format_duration(0.00099996), format_duration(4321.0), format_duration(0.0)
    ('1 ms', '4,320 s', '0 s')
    """
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds) \
            or seconds < 0:
        raise ValueError(f"a time must be a finite number of seconds, 0 or more; got {seconds!r}")
    if seconds == 0:
        return "0 s"
    rounded = float(f"{seconds:.3g}")  # first: 999.96 µs is 1 ms, not 1e+03 µs
    name, size = next(((name, size) for name, size in TIME_UNITS if rounded >= size), TIME_UNITS[-1])
    value = rounded / size
    if value >= 1000:
        return f"{value:,.0f} {name}"
    if value < 0.001:
        return f"less than 0.001 {name}"
    return f"{float(f'{value:.3g}'):g} {name}"


def _times(ratio: float) -> str:
    """A ratio of times as a number to read: whole from 10, one decimal from 1, two significant digits below,
    never in powers of ten.

    >>> _times(131.4), _times(2.34), _times(0.67), _times(6.1e-5)
    ('131', '2.3', '0.67', '0.000061')
    """
    if ratio >= 10:
        return f"{ratio:,.0f}"
    return f"{ratio:.1f}" if ratio >= 1 else f"{ratio:.{1 - math.floor(math.log10(ratio))}f}"


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

    @property
    def speedup_text(self) -> str:
        """The speed-up as the table writes it, never one its two times contradict: slower is said.

        Examples
        --------
        >>> [Timing(1, loop, 1e-5).speedup_text for loop in (1.31e-3, 2.34e-5, 1.02e-5, 0.67e-5)]
        ['131×', '2.3×', 'about the same', '0.67× (slower)']
        """
        if self.speedup >= SAME_WITHIN:
            return f"{_times(self.speedup)}×"
        if self.speedup * SAME_WITHIN > 1:
            return "about the same"
        return f"{_times(self.speedup)}× (slower)"

    @property
    def per_input(self) -> float:
        """Seconds the matrix product took per input of the batch."""
        return self.batched / self.batch


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


def data_bytes(network: State, batch: int) -> int:
    """Bytes of X and of every layer's sums and their ReLU, for a batch of ``batch`` inputs.

    >>> data_bytes(preset("three-inputs"), 100_000)  # (3 + 2·4 + 2·2) numbers per input, 8 bytes each
    12000000
    """
    inputs = network.X.shape[0]
    units = sum(W.shape[0] for W, _ in network.layers)
    return NUMBER_BYTES * batch * (inputs + 2 * units)


def format_bytes(size: int) -> str:
    """A size in kB or MB (10³ and 10⁶ bytes), to 2 significant digits.

    >>> format_bytes(12_000_000), format_bytes(1_200_000), format_bytes(999_999), format_bytes(120)
    ('12 MB', '1.2 MB', '1 MB', '0.12 kB')
    """
    rounded = float(f"{size:.2g}")  # first: 999,999 bytes are 1 MB, not 1000 kB
    return f"{rounded / 1e6:g} MB" if rounded >= 1e6 else f"{rounded / 1e3:g} kB"


def _batches(timings: list[Timing]) -> str:
    sizes = [f"{t.batch:,}" for t in timings]
    return f"a batch of {sizes[0]}" if len(sizes) == 1 else f"batches of {', '.join(sizes[:-1])} and {sizes[-1]}"


def findings(timings: list[Timing], network: State | None = None) -> list[str]:
    """What the timings show, in sentences for a learner, each said only where the figures show it.

    The first is the headline: the largest speed-up, or that the product was never faster. Then, where
    they hold: the batches at which the loop was faster (a call into numpy has a fixed cost); and a
    speed-up that fell toward the largest batches although the product took longer per input there
    (its numbers no longer fit the processor's cache). ``network`` is the one timed (the worked
    example's unless given), whose sizes give the bytes.

    Examples
    --------
    >>> timings = [Timing(1, 8.12e-6, 1.22e-5), Timing(10_000, 0.0875, 6.68e-4), Timing(100_000, 0.89, 0.0105)]
    >>> import textwrap
    >>> for sentence in findings(timings):
    ...     print(textwrap.fill(sentence, 100))
    At a batch of 10,000 the matrix product was 131 times as fast as the loop (668 µs against 87.5 ms).
    At a batch of 1 the loop was faster (8.12 µs against 12.2 µs): with so few inputs there is nothing
    to share out, and each call into numpy costs a fixed few microseconds that a handful of Python steps
    do not.
    From 10,000 to 100,000 inputs the speed-up fell to 85 times: per input, the matrix product took 66.8
    ns at 10,000 and 105 ns at 100,000. At 100,000 inputs X and its results take 12 MB, most likely more
    than the processor's cache (its small, fast memory) holds, so the product waits for the slower main
    memory; the loop, slow at every step anyway, hardly notices.
    """
    if not timings:
        return []
    network = network if network is not None else preset("three-inputs")
    best = max(timings, key=lambda t: t.speedup)
    if best.speedup >= SAME_WITHIN:
        said = [f"At a batch of {best.batch:,} the matrix product was {_times(best.speedup)} times as fast as the loop "
                f"({format_duration(best.batched)} against {format_duration(best.loop)})."]
    else:
        said = ["The matrix product was never faster than the loop at these batch sizes."]
    slower = [t for t in timings if t.speedup * SAME_WITHIN <= 1]
    if slower:
        figures = "; ".join(f"{format_duration(t.loop)} against {format_duration(t.batched)}" for t in slower)
        said.append(f"At {_batches(slower)} the loop was faster ({figures}): with so few inputs there is nothing to "
                    "share out, and each call into numpy costs a fixed few microseconds that a handful of Python "
                    "steps do not.")
    last = timings[-1]
    if last.batch > best.batch and last.speedup * SAME_WITHIN < best.speedup:
        fell = (f"From {best.batch:,} to {last.batch:,} inputs the speed-up fell to {_times(last.speedup)} times")
        if last.per_input > best.per_input * SAME_WITHIN:
            said.append(f"{fell}: per input, the matrix product took {format_duration(best.per_input)} at "
                        f"{best.batch:,} and {format_duration(last.per_input)} at {last.batch:,}. At {last.batch:,} "
                        f"inputs X and its results take {format_bytes(data_bytes(network, last.batch))}, most likely "
                        "more than the processor's cache (its small, fast memory) holds, so the product waits for "
                        "the slower main memory; the loop, slow at every step anyway, hardly notices.")
        else:
            said.append(f"{fell}, although the matrix product took no longer per input: the loop was faster per "
                        "input this time. Timings vary from run to run; measure again to compare.")
    return said
