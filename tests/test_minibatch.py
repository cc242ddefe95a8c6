"""Why mini-batches: the same data trained full-batch, in mini-batches and one at a time, and its page."""

import html
import io
import math
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image
from test_speed import read_duration

import batchnet_core as bn
from batchnet_core.minibatch import (
    BATCH_SIZES,
    EPOCHS,
    HIDDEN,
    LEARNING_RATE,
    MAX_EPOCHS,
    NEAR,
    POINTS,
    compare,
    make_data,
    start_network,
    train,
)
from batchnet_core.speed import format_duration
from batchnet_core.ui.minibatch import PLOT_PIXELS, MiniBatchComparison


def plain_full_batch_step(layers, X, T, lr):
    """One step of gradient descent on all of (X, T) for a 2-layer ReLU network, one example and one entry at
    a time in plain Python, and the loss before it."""
    (W1, b1), (W2, b2) = [(W.tolist(), b.tolist()) for W, b in layers]
    dW1 = [[0.0] * len(W1[0]) for _ in W1]
    db1 = [0.0] * len(b1)
    dW2 = [[0.0] * len(W2[0]) for _ in W2]
    db2 = [0.0] * len(b2)
    total = 0.0
    examples = list(zip(X.T.tolist(), T.T.tolist()))
    for x, t in examples:
        hz = [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(W1, b1)]
        h = [max(v, 0.0) for v in hz]
        yz = [sum(w * v for w, v in zip(row, h)) + b for row, b in zip(W2, b2)]
        y = [max(v, 0.0) for v in yz]
        total += 0.5 * sum((a - b) ** 2 for a, b in zip(y, t))
        d2 = [(a - b) if z > 0 else 0.0 for a, b, z in zip(y, t, yz)]
        for i, d in enumerate(d2):
            db2[i] += d
            for j, a in enumerate(h):
                dW2[i][j] += d * a
        d1 = [sum(W2[i][j] * d2[i] for i in range(len(W2))) if hz[j] > 0 else 0.0 for j in range(len(h))]
        for i, d in enumerate(d1):
            db1[i] += d
            for j, a in enumerate(x):
                dW1[i][j] += d * a
    n = len(examples)
    stepped = [(np.array(W) - lr * np.array(dW) / n, np.array(b) - lr * np.array(db) / n)
               for W, b, dW, db in ((W1, b1, dW1, db1), (W2, b2, dW2, db2))]
    return stepped, total / n


def replayed(layers, X, T, batch_size, epochs, lr, seed):
    """Mini-batch training spelled out with the package's State and sgd_step: the examples shuffled as
    ``train`` documents it, each mini-batch (16 or fewer examples) one State and one step."""
    rng = np.random.default_rng(seed)
    network = [(np.array(W), np.array(b)) for W, b in layers]
    for _ in range(epochs):
        order = rng.permutation(X.shape[1])
        for first in range(0, X.shape[1], batch_size):
            chosen = order[first:first + batch_size]
            state = bn.sgd_step(bn.State.from_layers(network, X[:, chosen]), T[:, chosen], lr)
            network = [(np.array(W), np.array(b)) for W, b in state.layers]
    return network


def assert_same_layers(first, second, tolerance=1e-9):
    assert len(first) == len(second)
    for (W, b), (V, c) in zip(first, second):
        np.testing.assert_allclose(W, V, rtol=0, atol=tolerance)
        np.testing.assert_allclose(b, c, rtol=0, atol=tolerance)


# -- the data and the starting network -------------------------------------------------------------------

def test_the_data_is_points_of_the_square_and_their_distance_from_the_diagonal():
    X, T = make_data()
    assert X.shape == (2, POINTS) and T.shape == (1, POINTS)
    assert np.all((-1 <= X) & (X <= 1))
    np.testing.assert_array_equal(T[0], np.abs(X[0] - X[1]))
    assert np.all(T >= 0) and T.max() > 0.5  # a ReLU output can reach them, and they are not all near 0
    # two hidden units fit it exactly: ReLU(x1 − x2) + ReLU(x2 − x1)
    exact = [(np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2)), (np.array([[1.0, 1.0]]), np.zeros(1))]
    np.testing.assert_allclose(bn.forward(bn.State.from_layers(exact, X[:, :16])).Y, T[:, :16], atol=1e-12)


def test_the_same_seed_gives_the_same_data_network_and_training():
    for seed in (0, 7):
        X, T = make_data(seed)
        again = make_data(seed)
        np.testing.assert_array_equal(X, again[0])
        np.testing.assert_array_equal(T, again[1])
        assert_same_layers(start_network(seed), start_network(seed), tolerance=0)
        first, second = compare(epochs=3, seed=seed), compare(epochs=3, seed=seed)
        assert [r.losses for r in first] == [r.losses for r in second]
    assert not np.array_equal(make_data(0)[0], make_data(1)[0])
    assert not np.array_equal(start_network(0)[0][0], start_network(1)[0][0])
    X, T = make_data()
    assert train(start_network(), X, T, 8, 3, seed=0).losses != train(start_network(), X, T, 8, 3, seed=1).losses


def test_the_starting_network_is_alive_on_the_data():
    X, _ = make_data()
    (H_z, _), (Y_z, _) = bn.nn.compute.forward_arrays(start_network(), X)
    alive = (H_z > 0).mean(axis=1)
    assert np.all((0.25 <= alive) & (alive <= 0.9))  # every hidden unit on for part of the square, off for part
    assert (Y_z > 0).mean() > 0.9


# -- training --------------------------------------------------------------------------------------------

def test_one_full_batch_epoch_is_one_step_on_all_the_data():
    X, T = make_data()
    network = start_network()
    run = train(network, X, T, batch_size=POINTS, epochs=1, lr=0.3)
    stepped, before = plain_full_batch_step(network, X, T, 0.3)
    assert run.steps_per_epoch == 1 and run.name == "full batch"
    assert_same_layers(run.layers, stepped)
    assert run.losses[0] == pytest.approx(before, rel=1e-12)
    assert run.losses[1] == pytest.approx(plain_full_batch_step(stepped, X, T, 0.3)[1], rel=1e-12)


def test_a_full_batch_of_sixteen_is_the_package_s_gradient_step():
    X, T = make_data(seed=3, points=16)
    network = start_network(seed=3)
    run = train(network, X, T, batch_size=16, epochs=2, lr=0.5, seed=3)
    state = bn.State.from_layers(network, X)
    for _ in range(2):
        state = bn.sgd_step(state, T, 0.5)
    assert_same_layers(run.layers, state.layers)
    assert run.losses[-1] == pytest.approx(bn.loss(state, T), rel=1e-12)


@pytest.mark.parametrize(("batch_size", "steps"), [(8, 8), (10, 7), (1, 64), (16, 4)])
def test_mini_batches_are_steps_on_the_shuffled_examples_in_turn(batch_size, steps):
    X, T = make_data()
    network = start_network()
    run = train(network, X, T, batch_size, epochs=2, lr=0.2, seed=5)
    assert run.steps_per_epoch == steps  # batches of 10: six of 10, then the 4 left
    assert_same_layers(run.layers, replayed(network, X, T, batch_size, 2, 0.2, seed=5))
    final = bn.nn.compute.forward_arrays(run.layers, X)[-1][1]
    assert run.losses[-1] == pytest.approx(0.5 * np.sum((final - T) ** 2) / POINTS, rel=1e-12)


def test_each_epoch_records_the_loss_on_all_the_data_and_its_time():
    X, T = make_data()
    run = train(start_network(), X, T, 8, epochs=5)
    assert run.epochs == 5 and len(run.losses) == 6 and len(run.epoch_seconds) == 5
    assert all(s > 0 for s in run.epoch_seconds)
    assert run.seconds_per_epoch == sorted(run.epoch_seconds)[2]  # the median
    assert run.diverged is None and not run.switched_off and run.final_loss == run.losses[-1]
    assert run.message == (f"Batches of 8: 8 steps per epoch; after 5 epochs the loss went from {run.losses[0]:.4g} "
                           f"to {run.losses[-1]:.4g}.")


def test_training_leaves_the_starting_network_as_it_was():
    X, T = make_data()
    network = start_network()
    kept = [(W.copy(), b.copy()) for W, b in network]
    train(network, X, T, 1, epochs=2)
    assert_same_layers(network, kept, tolerance=0)


def test_the_comparison_starts_every_way_from_the_same_network_and_data():
    runs = compare(epochs=2)
    assert [r.batch_size for r in runs] == list(BATCH_SIZES)
    assert [r.name for r in runs] == ["full batch", "batches of 8", "one at a time"]
    assert len({r.losses[0] for r in runs}) == 1
    X, T = make_data()
    for run in runs:
        assert_same_layers(run.layers, train(start_network(), X, T, run.batch_size, 2).layers, tolerance=0)


def test_the_lesson_on_the_default_data():
    full, eights, ones = compare()
    assert full.epochs == eights.epochs == ones.epochs == EPOCHS
    assert [r.steps_per_epoch for r in (full, eights, ones)] == [1, 8, 64]
    # per epoch, more steps lower the loss more
    assert ones.losses[-1] < eights.losses[-1] < full.losses[-1] < full.losses[0]
    # one at a time is the noisiest: its loss goes up after some epochs; the full batch only goes down
    assert np.all(np.diff(full.losses) < 0)
    assert np.sum(np.diff(ones.losses) > 0) >= 3
    # 64 steps of one example cost far more than one step of 64 (measured: about 45 times on 2 cores)
    assert ones.seconds_per_epoch >= 3 * full.seconds_per_epoch


CE = "softmax_cross_entropy"


def test_with_softmax_cross_entropy_the_points_have_classes_and_a_step_is_the_packages():
    X, T = make_data(seed=3, points=16, loss=CE)
    np.testing.assert_array_equal(X, make_data(seed=3, points=16)[0])  # the same points
    near = np.abs(X[0] - X[1]) < NEAR
    np.testing.assert_array_equal(T, [near, ~near])  # one-hot: y1 near the diagonal, y2 farther
    network = start_network(seed=3, loss=CE)
    assert [W.shape for W, _ in network] == [(HIDDEN, 2), (2, HIDDEN)] and not network[1][1].any()
    run = train(network, X, T, batch_size=16, epochs=2, lr=0.5, seed=3, loss=CE)
    state = bn.State.from_layers(network, X, activations=("relu", "linear"))
    for _ in range(2):
        state = bn.sgd_step(state, T, 0.5, loss=CE)
    assert_same_layers(run.layers, state.layers)
    assert run.losses[-1] == pytest.approx(bn.loss(state, T, loss=CE), rel=1e-12)
    assert not run.switched_off  # a linear output is never switched off


def test_the_lesson_holds_for_softmax_cross_entropy():
    full, eights, ones = compare(loss=CE)
    assert ones.losses[-1] < eights.losses[-1] < full.losses[-1] < full.losses[0] == pytest.approx(math.log(2), 0.1)
    assert ones.seconds_per_epoch >= 3 * full.seconds_per_epoch
    with pytest.raises(ValueError, match="each column of T must be one-hot"):
        X, distances = make_data()
        train(start_network(loss=CE), X, np.vstack([distances, distances]), batch_size=8, loss=CE)
    with pytest.raises(ValueError, match="loss must be one of mse, softmax_cross_entropy; got 'hinge'"):
        compare(loss="hinge")


# -- what goes wrong -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("batch_size", 0, "the batch size must be a whole number from 1 to 64; got 0"),
    ("batch_size", 65, "the batch size must be a whole number from 1 to 64; got 65"),
    ("batch_size", 2.5, "the batch size must be a whole number from 1 to 64; got 2.5"),
    ("batch_size", True, "the batch size must be a whole number from 1 to 64; got True"),
    ("batch_size", "8", "the batch size must be a whole number from 1 to 64; got '8'"),
    ("epochs", 0, f"epochs must be a whole number from 1 to {MAX_EPOCHS}; got 0"),
    ("epochs", MAX_EPOCHS + 1, f"epochs must be a whole number from 1 to {MAX_EPOCHS}; got {MAX_EPOCHS + 1}"),
    ("epochs", 1.5, f"epochs must be a whole number from 1 to {MAX_EPOCHS}; got 1.5"),
    ("lr", 0, "the learning rate must be a number above 0 and at most 10; got 0"),
    ("lr", -0.1, "the learning rate must be a number above 0 and at most 10; got -0.1"),
    ("lr", 11, "the learning rate must be a number above 0 and at most 10; got 11"),
    ("lr", float("nan"), "the learning rate must be a number above 0 and at most 10; got nan"),
    ("lr", "0.1", "the learning rate must be a number above 0 and at most 10; got '0.1'"),
    ("seed", -1, "the seed must be a whole number from 0 to 4,294,967,295; got -1"),
])
def test_a_bad_setting_is_refused_with_its_name(field, value, message):
    X, T = make_data()
    settings = {"batch_size": 8, "epochs": 2, "lr": 0.1, "seed": 0, field: value}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        train(start_network(), X, T, **settings)
    if field != "batch_size":
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            compare(**{k: v for k, v in settings.items() if k != "batch_size"})


def test_a_whole_number_written_as_a_float_is_taken():
    X, T = make_data()
    assert train(start_network(), X, T, 8.0, 2.0).epochs == 2


def test_bad_batch_sizes_and_data_are_refused_with_their_name():
    with pytest.raises(ValueError, match=r"^the batch size must be a whole number from 1 to 64; got 100$"):
        compare(batch_sizes=(64, 100))
    with pytest.raises(ValueError, match=r"^batch_sizes must be a list of whole numbers, such as \(64, 8, 1\)"):
        compare(batch_sizes=8)
    X, T = make_data()
    with pytest.raises(ValueError, match=r"^X must have shape \(inputs × examples\) with 2 rows, one column per "
                       r"example; got shape \(64, 2\)$"):
        train(start_network(), X.T, T, 8)
    with pytest.raises(ValueError, match=r"^T must have shape \(outputs × examples\) with 1 row, one column per "
                       r"example; got shape \(64,\)$"):
        train(start_network(), X, T[0], 8)
    with pytest.raises(ValueError, match=r"^T must have shape \(outputs × examples\) = \(1 × 64\): one column per "
                       r"column of X; got \(1 × 63\)$"):
        train(start_network(), X, T[:, 1:], 8)
    with pytest.raises(ValueError, match=r"^X\[1, 3\] is nan; every entry must be a finite number between -1e\+06"):
        train(start_network(), np.where((np.arange(2)[:, None] == 1) & (np.arange(64) == 3), np.nan, X), T, 8)
    with pytest.raises(ValueError, match=r"^T\[0, 0\] is 2000000.0; every entry must be a finite number"):
        train(start_network(), X, np.full((1, 64), 2e6), 8)
    with pytest.raises(ValueError, match=r"^W2\[0, 0\] is inf; every entry must be a finite number"):
        train([start_network()[0], (np.full((1, 8), np.inf), np.zeros(1))], X, T, 8)
    with pytest.raises(ValueError, match=r"^W2 has shape \(1, 7\) and b2 \(1,\): W2 needs one row per entry of b2 "
                       r"and 8 columns, one per unit of the layer before$"):
        train([start_network()[0], (np.ones((1, 7)), np.zeros(1))], X, T, 8)


def test_steps_that_run_away_are_reported_not_raised_nor_warned():
    # one input of a million and a target twice the output: the first step throws W beyond ±10⁶
    network = [(np.array([[0.5]]), np.array([0.0]))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train(network, [[1e6]], [[1e6]], batch_size=1, epochs=5, lr=1.0)
    assert run.diverged == 1 and run.final_loss is None and run.losses == (0.5 * 5e5 ** 2,)
    assert run.message == ("One at a time diverged in epoch 1: with learning rate 1 the steps grew until a weight went "
                           "beyond ±10⁶. Lower the learning rate.")
    assert_same_layers(run.layers, network, tolerance=0)  # the last network before it ran away


def test_the_default_network_on_data_ten_thousand_times_larger_diverges_and_says_so():
    X, T = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = [train(start_network(), X * 1e4, T * 1e4, size, epochs=5, lr=0.5) for size in BATCH_SIZES]
    for run in runs:
        assert run.diverged == 1 and run.final_loss is None and len(run.losses) == 1 and np.isfinite(run.losses[0])
        assert run.message == (f"{run.name.capitalize()} diverged in epoch 1: with learning rate 0.5 the steps grew "
                               "until a weight went beyond ±10⁶. Lower the learning rate.")


def test_an_output_switched_off_for_every_example_is_said():
    runs = compare(lr=2)
    for run in runs:
        assert run.switched_off and run.diverged is None
        final = bn.nn.compute.forward_arrays(run.layers, make_data()[0])[-1][0]
        assert np.all(final <= 0)
        assert "the output is 0 for every example" in run.message and "Lower the learning rate." in run.message


def test_importing_the_comparison_pulls_in_no_ui_library():
    code = ("import sys, batchnet_core.minibatch; "
            "print(sorted({'matplotlib', 'ipywidgets'} & {m.split('.')[0] for m in sys.modules}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


# -- the page --------------------------------------------------------------------------------------------

def by_class(page, name):
    found, todo = [], [page.widget]
    while todo:
        widget = todo.pop()
        todo.extend(getattr(widget, "children", ()))
        if name in widget._dom_classes:
            found.append(widget)
    assert len(found) == 1, name
    return found[0]


def table_rows(page):
    assert "class='bn-timings bn-minibatch-table'" in page.table.value
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td data-value='([^']+)'>([^<]+)</td>"
                      r"</tr>", page.table.value)


@pytest.fixture
def page():
    return MiniBatchComparison()


def test_the_page_builds_with_its_controls_named_and_nothing_run(page):
    assert by_class(page, "bn-minibatch-run").description == "Run"
    assert by_class(page, "bn-minibatch-epochs").description == "Epochs"
    assert by_class(page, "bn-minibatch-lr").description == "Learning rate"
    assert page.epochs.value == str(EPOCHS) and float(page.learning_rate.value) == LEARNING_RATE
    assert page.table.value == page.plot.value == "" and page.runs == []
    assert "Press Run" in page.status.value


def test_run_fills_the_table_the_plot_and_the_summary(page):
    page.epochs.value, page.learning_rate.value = "12", "0,2"
    by_class(page, "bn-minibatch-run").click()
    assert not page.button.disabled
    expected = compare(epochs=12, lr=0.2)
    rows = table_rows(page)
    assert [(size, steps) for size, steps, *_ in rows] == [
        ("64 (full batch)", "1"), ("8 (batches of 8)", "8"), ("1 (one at a time)", "64")]
    for (*_, time, value, shown), run, again in zip(rows, page.runs, expected):
        assert float(value) == run.losses[-1] == again.losses[-1]
        assert shown == f"{again.losses[-1]:.3g}"
        assert time == format_duration(run.seconds_per_epoch)
        assert read_duration(time) == pytest.approx(run.seconds_per_epoch, rel=5e-3)
    assert "<th>loss after 12 epochs</th>" in page.table.value
    picture = Image.open(io.BytesIO(page.plot_png))
    assert picture.size == PLOT_PIXELS
    (alt,) = re.findall(r"<img class='bn-minibatch-plot' src='data:image/png;base64,[^']+' [^>]* alt='([^']+)'>",
                        page.plot.value)
    ends = "; ".join(f"{r.name} {r.losses[-1]:.3g}" for r in expected)
    assert html.unescape(alt).endswith(f"After 12 epochs: {ends}.") and "the loss axis logarithmic" in alt
    best = min(expected, key=lambda r: r.losses[-1])
    time = r"[\d,.]+ (?:s|ms|µs|ns)"
    assert re.fullmatch(rf"Done in {time}: after 12 epochs {best.name} reached the lowest loss, "
                        rf"{best.losses[-1]:.3g}\. An epoch took {time} [a-z0-9 ]+ and {time} [a-z0-9 ]+\.",
                        page.status.value)


@pytest.mark.parametrize(("box", "value", "message"), [
    ("epochs", "2.5", f"epochs must be a whole number from 1 to {MAX_EPOCHS}; got 2.5"),
    ("epochs", "0", f"epochs must be a whole number from 1 to {MAX_EPOCHS}; got 0"),
    ("epochs", "many", "epochs: 'many' is not a number"),
    ("learning_rate", "0", "the learning rate must be a number above 0 and at most 10; got 0.0"),
    ("learning_rate", "", "the learning rate: nothing was typed"),
])
def test_a_bad_setting_is_named_and_the_last_result_stays(page, box, value, message):
    page.epochs.value = "3"
    page.button.click()
    table, plot, runs = page.table.value, page.plot.value, page.runs
    getattr(page, box).value = value
    page.button.click()
    assert page.table.value == table and page.plot.value == plot and page.runs is runs
    assert "class='bn-error' role='alert'" in page.status.value
    assert html.escape(message) in page.status.value and "The last good state is still shown." in page.status.value
    assert not page.button.disabled


def test_what_is_typed_reaches_the_page_escaped(page):
    page.learning_rate.value = "<b>0.1</b>"
    page.button.click()
    assert "&lt;b&gt;0.1&lt;/b&gt;" in page.status.value and "<b>" not in page.status.value


def test_the_page_chooses_the_loss_and_runs_it(page):
    page.run()
    page.loss.value = CE
    assert page.runs == [] and page.table.value == page.plot.value == ""
    assert "Loss: softmax cross-entropy. The network learns each point&#x27;s class" in page.status.value
    by_class(page, "bn-minibatch-run").click()
    expected = compare(loss=CE)
    assert [float(value) for *_, value, _ in table_rows(page)] == [run.losses[-1] for run in expected]


def test_an_output_switched_off_is_shown_as_an_error_with_its_table(page):
    page.learning_rate.value = "2"
    page.button.click()
    assert len(table_rows(page)) == 3
    assert all(shown == "0.346 (output switched off)" for *_, shown in table_rows(page))
    assert "class='bn-error' role='alert'" in page.status.value
    assert "Every way ended with the output 0 for every example: with learning rate 2" in page.status.value
