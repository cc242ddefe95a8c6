"""The why-batch page (04) driven from Python: timing both ways, and reordering the batch."""

import html
import io
import re
import time

import numpy as np
from PIL import Image

import batchnet_core as bn
from batchnet_core.speed import Timing, findings, seconds_per_call, time_batches
from batchnet_core.ui.speed import PLOT_PIXELS, PermutationDemo, SpeedComparison, timing_table

from test_ui import button


def test_a_call_is_timed_over_enough_repeats_to_be_measured():
    calls = []

    def run():
        calls.append(1)
        time.sleep(0.002)

    seconds = seconds_per_call(run, repeats=2, minimum=0.02)
    assert 0.002 <= seconds < 0.006
    assert len(calls) >= 2 * 0.02 / 0.006  # each measurement ran long enough, twice


def test_batching_is_timed_for_every_size_and_the_product_wins():
    timings = list(time_batches(sizes=(1, 200), repeats=1))
    assert [t.batch for t in timings] == [1, 200]
    big = timings[1]
    assert big.loop > 0 and big.batched > 0 and big.speedup == big.loop / big.batched
    assert big.speedup > 2  # 200 small products against one


def test_both_ways_are_timed_on_the_same_random_whole_inputs_of_the_network(monkeypatch):
    import batchnet_core.speed as speed

    seen = {"loop": [], "batched": []}
    monkeypatch.setattr(speed, "forward_loop_floats", lambda layers, X: seen["loop"].append((layers, X)))
    monkeypatch.setattr(speed, "forward_floats", lambda layers, X: seen["batched"].append((layers, X)))
    network = bn.random_state(2, (5, 4, 3, 2, 3))
    list(time_batches(sizes=(400,), network=network, repeats=1))
    for layers, X in seen["loop"] + seen["batched"]:
        assert layers is network.layers
        assert X is seen["loop"][0][-1] and X.shape == (5, 400) and X.dtype == float
    assert set(np.unique(seen["loop"][0][-1])) == set(range(-3, 4))


def test_the_timing_table_writes_each_size_with_its_figures():
    table = timing_table([Timing(1, 8.12e-6, 1.22e-5), Timing(10, 0.002, 0.0001), Timing(1000, 1.09, 0.0005)])
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td><b>([^<]+)</b></td></tr>", table)
    assert rows == [("1", "8.12 µs", "12.2 µs", "0.67× (slower)"), ("10", "2 ms", "100 µs", "20×"),
                    ("1,000", "1.09 s", "500 µs", "2,180×")]


def test_the_measure_button_fills_the_table_the_plot_and_the_summary():
    page = SpeedComparison(sizes=(1, 20, 200))
    button(page, "measure").click()
    assert page.progress.value == page.progress.max == 3 and not page.button.disabled
    assert len(re.findall(r"<tr><td>", page.table.value)) == 3
    picture = Image.open(io.BytesIO(page.plot_png))
    assert picture.size == PLOT_PIXELS
    (alt,) = re.findall(r"<img class='bn-speed-plot' src='data:image/png;base64,[^']+' [^>]* alt='([^']+)'>",
                        page.plot.value)
    assert "all axes logarithmic" in alt and "at 200 inputs" in alt
    headline, *more = findings(page.timings)
    assert page.status.value == f"Done. {headline}"
    assert page.findings.value == "".join(f"<p>{html.escape(sentence)}</p>" for sentence in more)


def test_what_the_timings_show_is_written_under_the_table(monkeypatch):
    import batchnet_core.ui.speed as speed

    measured = [Timing(1, 8.12e-6, 1.22e-5), Timing(10_000, 0.0875, 6.68e-4), Timing(100_000, 0.89, 0.0105)]
    monkeypatch.setattr(speed, "time_batches", lambda sizes: iter(measured))
    page = SpeedComparison(sizes=(1, 10_000, 100_000))
    button(page, "measure").click()
    assert page.status.value == ("Done. At a batch of 10,000 the matrix product was 131 times as fast as the loop "
                                 "(668 µs against 87.5 ms).")
    sentences = re.findall(r"<p>([^<]+)</p>", page.findings.value)
    assert [s.split(":")[0] for s in sentences] == ["At a batch of 1 the loop was faster (8.12 µs against 12.2 µs)",
                                                    "From 10,000 to 100,000 inputs the speed-up fell to 85 times"]
    assert "0.67× (slower)" in page.table.value and "890 ms" in page.table.value


def test_reordering_the_batch_reorders_the_outputs_the_same_way():
    demo = PermutationDemo()
    Y = bn.forward(bn.preset("three-inputs")).Y
    for order in [(2, 1, 0), (1, 0, 2)]:
        demo.order.value = order
        tables = re.findall(r"<caption>([^<]+)</caption><tr>(.*?)</tr>(.*?)</table>", demo.view.value)
        (first, _, before), (title, head, after) = tables
        names = [f"x{i + 1}" for i in order]
        assert first == "Y for x1, x2, x3" and title == f"Y for {', '.join(names)}"
        assert re.findall(r"<th>(\w+)</th>", head) == names
        shown = [[bn.parse_number(v) for v in re.findall(r"<td>([^<]+)</td>", row)]
                 for row in re.findall(r"<tr>(.*?)</tr>", after)]
        np.testing.assert_array_equal(shown, Y[:, list(order)])
        assert "The same columns, in the new order" in demo.view.value
