"""Page 04's words and numbers (batchnet_core.speed): times in units that read, speed-ups the times
bear out, and what the timings show, each said only where the figures show it."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import batchnet_core as bn
from batchnet_core.speed import SAME_WITHIN, Timing, data_bytes, findings, format_bytes, format_duration

UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}


def read_duration(text: str) -> float:
    """Seconds from a written time, as a reader takes it."""
    number, unit = re.fullmatch(r"([\d,.]+) (s|ms|µs|ns)", text).groups()
    return float(number.replace(",", "")) * UNITS[unit]


@pytest.mark.parametrize("seconds, text", [
    (1.0934, "1.09 s"), (0.0000122, "12.2 µs"), (0.00812, "8.12 ms"), (0.0081, "8.1 ms"), (0.0000081, "8.1 µs"),
    (1.09e3 * 1e-3, "1.09 s"), (0.25, "250 ms"), (0.0001, "100 µs"), (2.5e-9, "2.5 ns"), (59.999, "60 s"),
    (0.00099996, "1 ms"), (0.99996, "1 s"), (999.6e-9, "1 µs"), (4321.0, "4,320 s"), (0, "0 s"),
    (1e-13, "less than 0.001 ns"),
])
def test_a_time_is_written_in_the_unit_that_reads(seconds, text):
    assert format_duration(seconds) == text


@given(st.floats(1e-9, 1e4))
def test_a_written_time_is_the_time_to_three_digits_between_1_and_999_of_its_unit(seconds):
    text = format_duration(seconds)
    assert "e" not in text and "−" not in text and "-" not in text
    number = float(text.split()[0].replace(",", ""))
    assert 1 <= number < 1000 or text.endswith(" s")
    assert len(re.sub(r"\D", "", text.split()[0]).lstrip("0")) <= 3 or number >= 1000
    assert read_duration(text) == pytest.approx(seconds, rel=5e-3)


@pytest.mark.parametrize("bad", [-1e-3, math.nan, math.inf, "1", None, True])
def test_a_time_that_is_no_time_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"a time must be a finite number of seconds, 0 or more; got"):
        format_duration(bad)


@pytest.mark.parametrize("loop, batched, text", [
    (1.31e-3, 1e-5, "131×"), (8.5e-4, 1e-5, "85×"), (2.34e-5, 1e-5, "2.3×"), (1.06e-5, 1e-5, "1.1×"),
    (1.02e-5, 1e-5, "about the same"), (0.98e-5, 1e-5, "about the same"), (8.12e-6, 1.22e-5, "0.67× (slower)"),
    (1e-7, 1e-5, "0.010× (slower)"), (6.1e-10, 1e-5, "0.000061× (slower)"), (2.2e-2, 1e-5, "2,200×"),
])
def test_the_speed_up_is_written_as_the_times_bear_it_out(loop, batched, text):
    assert Timing(1, loop, batched).speedup_text == text


@given(st.floats(1e-7, 10), st.floats(1e-7, 10))
def test_a_written_speed_up_never_contradicts_the_written_times(loop, batched):
    timing = Timing(1, loop, batched)
    text, shown_loop, shown_batched = timing.speedup_text, read_duration(format_duration(loop)), \
        read_duration(format_duration(batched))
    if text == "about the same":
        assert 1 / SAME_WITHIN < shown_loop / shown_batched < SAME_WITHIN * 1.01
        return
    factor = float(re.match(r"[\d,.]+", text).group().replace(",", ""))
    if text.endswith("(slower)"):
        assert shown_loop < shown_batched and factor < 1
    else:
        assert text.endswith("×") and shown_loop > shown_batched and factor >= 1
    assert factor == pytest.approx(shown_loop / shown_batched, rel=0.06, abs=0.006)  # as rounded: 2 digits


@pytest.mark.parametrize("sizes", [(3, 4, 2, 7), (5, 4, 3, 2, 9), (1, 1, 1), (2, 8, 8, 8, 1, 5)])
def test_the_bytes_are_those_of_x_and_every_result_of_the_forward_pass(sizes):
    state = bn.random_state(1, sizes)
    arrays = [state.X] + [array for _, array in bn.forward(state).items()]
    assert data_bytes(state, sizes[-1]) == sum(np.asarray(array, float).nbytes for array in arrays)
    assert data_bytes(state, 100_000) == data_bytes(state, 1) * 100_000


@pytest.mark.parametrize("size, text", [(12_000_000, "12 MB"), (1_250_000, "1.2 MB"), (64_000_000, "64 MB"),
                                        (120_000, "120 kB"), (999_999, "1 MB"), (1_000, "1 kB"), (120, "0.12 kB")])
def test_a_size_is_written_in_kilobytes_or_megabytes(size, text):
    assert format_bytes(size) == text


MEASURED = [Timing(1, 8.12e-6, 1.22e-5), Timing(10, 6.9e-5, 1.3e-5), Timing(10_000, 0.0875, 6.68e-4),
            Timing(100_000, 0.89, 0.0105)]


def test_the_headline_is_the_largest_speed_up_with_its_times():
    assert findings(MEASURED)[0] == ("At a batch of 10,000 the matrix product was 131 times as fast as the loop "
                                     "(668 µs against 87.5 ms).")


def test_where_the_loop_was_faster_it_is_said_with_both_times_and_why():
    said = findings(MEASURED)
    assert said[1].startswith("At a batch of 1 the loop was faster (8.12 µs against 12.2 µs): with so few inputs "
                              "there is nothing to share out, and each call into numpy costs")
    both = findings([Timing(1, 8e-6, 1.2e-5), Timing(10, 2e-5, 2.2e-5), Timing(100, 9e-4, 3e-5)])
    assert both[1].startswith("At batches of 1 and 10 the loop was faster (8 µs against 12 µs; 20 µs against 22 µs)")
    assert not any("loop was faster" in s for s in findings(MEASURED[1:]))


def test_a_fall_at_large_batches_is_told_with_the_time_per_input_and_the_bytes():
    said = findings(MEASURED)[-1]
    assert said == ("From 10,000 to 100,000 inputs the speed-up fell to 85 times: per input, the matrix product "
                    "took 66.8 ns at 10,000 and 105 ns at 100,000. At 100,000 inputs X and its results take 12 MB, "
                    "most likely more than the processor's cache (its small, fast memory) holds, so the product "
                    "waits for the slower main memory; the loop, slow at every step anyway, hardly notices.")
    bigger = bn.random_state(0, (16, 16, 16, 3))  # per input: 16 inputs, 2 · 16 + 2 · 16 results, 8 bytes each
    assert "At 100,000 inputs X and its results take 64 MB," in findings(MEASURED, bigger)[-1]


def test_a_fall_the_product_did_not_cause_is_not_blamed_on_memory():
    loop_faster = [Timing(10_000, 0.0875, 6.68e-4), Timing(100_000, 0.5, 6.0e-3)]  # the product: 60 ns per input
    said = findings(loop_faster)
    assert len(said) == 2 and "cache" not in said[1]
    assert said[1] == ("From 10,000 to 100,000 inputs the speed-up fell to 83 times, although the matrix product took "
                       "no longer per input: the loop was faster per input this time. Timings vary from run to run; "
                       "measure again to compare.")


@pytest.mark.parametrize("last_speedup", [131.0, 126.0, 140.0])
def test_no_fall_is_told_where_the_largest_batch_kept_its_speed_up(last_speedup):
    timings = [Timing(10_000, 0.0875, 6.68e-4), Timing(100_000, last_speedup * 6.68e-3, 6.68e-3)]
    assert len(findings(timings)) == 1


def test_a_product_never_faster_is_not_called_faster():
    said = findings([Timing(1, 8e-6, 1.2e-5)])
    assert said[0] == "The matrix product was never faster than the loop at these batch sizes."
    assert findings([]) == []
