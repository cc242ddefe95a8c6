"""Page 06's training, without a browser: what a step, a run, a typed target or a clicked gradient cell
does to the page, and what is refused."""

import asyncio
import concurrent.futures
import re

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.ui import kernel
from batchnet_core.ui import train as trainer_module
from batchnet_core.ui.train import (
    MAX_CURVE_POINTS,
    MAX_TRAIN_STEPS,
    Trainer,
    gradient_panels,
    parse_gradient_cell,
    read_setting,
)

from test_ui import drawing_state, drawn_buttons, drawn_tables, drawn_value_tables

T = [[1, 0, 1], [2, 2, 2]]


def shown_loss(trainer) -> float:
    return float(re.search(r"data-value='([^']+)'", trainer.loss_view.value).group(1))


def table(trainer, name) -> list:
    return drawn_tables(trainer.maps)[name]


def titles(trainer) -> list[str]:
    """The heat maps' titles, as sent to the page."""
    return [panel["title"] for panel in trainer.maps.frame["panels"]]


def status(trainer) -> str:
    return trainer.app.status.value


def widgets_in(box):
    """Every widget in a box, at any depth."""
    for child in getattr(box, "children", ()):
        yield child
        yield from widgets_in(child)


def press(trainer, cls):
    """Click the training button with this class, as the page would."""
    button = next(w for w in widgets_in(trainer.panel) if cls in w._dom_classes)
    button.click()


@pytest.fixture
def trainer():
    return Trainer()


def test_the_page_opens_on_the_worked_example_and_its_targets(trainer, worked):
    assert trainer.app.state == worked
    assert shown_loss(trainer) == pytest.approx(8 / 6)  # Y − T = [[−1, 0, −1], [1, 1, 2]]
    np.testing.assert_array_equal(table(trainer, "T"), T)
    np.testing.assert_allclose(table(trainer, "dW2"), np.array([[0, 0, 0, 0], [0, 7, 13, 3]]) / 3)
    np.testing.assert_allclose(table(trainer, "db1"), np.array([[0], [0], [4], [-1]]) / 3)
    np.testing.assert_array_equal(table(trainer, "delta1"), [[0, 0, 0], [0, 0, 0], [1, 1, 2], [-1, 0, 0]])
    # explained first: the weight a step moves most, dW2[y2, h3] = 13 / 3
    assert "dW2[y2, h3] = (1·5 + 1·2 + 2·3) / 3 = 13 / 3 ≈ 4.333" in trainer.explanation.value
    assert "T=1,0,1;2,2,2" in trainer.app.share.link.value


def test_one_step_is_sgd_step_and_says_what_the_loss_did(trainer, worked):
    press(trainer, "bn-train-step")
    assert trainer.app.state == bn.sgd_step(worked, T, 0.03)
    assert shown_loss(trainer) == pytest.approx(bn.loss(bn.sgd_step(worked, T, 0.03), T))
    assert "Step 1 with learning rate 0.03: loss 1.333 → 0.7181." in status(trainer)
    assert "<img" in trainer.curve.value
    trainer.learning_rate.value = "0.3"
    before = trainer.app.state
    press(trainer, "bn-train-step")
    assert trainer.app.state == bn.sgd_step(before, T, 0.3)
    assert "It went up: the step overshot" in status(trainer)


def test_train_takes_the_steps_asked_for_and_draws_every_loss(trainer, worked):
    trainer.steps_box.value = "25"
    press(trainer, "bn-train-run")
    state, targets = worked, np.array(T, dtype=float)
    losses = [bn.loss(state, T)]
    for _ in range(25):  # a run's steps: in floats (run_step), its last loss exact
        state, value = bn.nn.training.run_step(state, targets, 0.03)
        losses.append(value)
    losses[-1] = bn.loss(state, T)
    assert trainer.app.state == state
    assert trainer.history.losses == losses
    assert shown_loss(trainer) == pytest.approx(losses[-1])
    assert "Trained 25 steps so far in this run" in status(trainer)
    assert f"Loss curve: 25 steps, the loss going from 1.333 to {bn.format_number(losses[-1])}" in trainer.curve.value
    press(trainer, "bn-train-run")  # the run goes on
    assert trainer.history.taken == 50


def test_a_change_by_hand_starts_the_curve_again(trainer):
    press(trainer, "bn-train-step")
    trainer.app.entries[("b2", 0, 0)].readout.value = "1"
    press(trainer, "bn-train-step")
    assert trainer.history.taken == 1


def test_a_run_that_makes_the_loss_worse_says_so(trainer):
    trainer.learning_rate.value = "10"  # every unit is switched off after the first step
    trainer.steps_box.value = "20"
    press(trainer, "bn-train-run")
    assert "loss 1.333 → 2.333. The loss went up: try a smaller learning rate." in status(trainer)


def test_a_diverging_run_stops_at_the_last_good_state_and_says_why():
    trainer = Trainer(targets=[[40] * 3] * 2)
    trainer.learning_rate.value = "1"
    trainer.steps_box.value = "1000"
    press(trainer, "bn-train-run")
    assert "Trained 1 step so far" in status(trainer)
    assert "Stopped after 1 step: a step with learning rate 1 would take W1[" in status(trainer)
    assert "lower the learning rate" in status(trainer)
    assert "bn-error" in status(trainer)
    assert np.isfinite(shown_loss(trainer))
    assert all(np.abs(W).max() <= bn.MAX_MAGNITUDE for W, _ in trainer.app.state.layers)


@pytest.mark.parametrize("box, typed, message", [
    ("learning_rate", "abc", "Learning rate: 'abc' is not a number"),
    ("learning_rate", "0", "Learning rate must be a number above 0 and at most 10; got '0'. It stays 0.03."),
    ("learning_rate", "-1", "Learning rate must be a number above 0"),
    ("learning_rate", "11", "Learning rate must be a number above 0 and at most 10; got '11'"),
    ("learning_rate", "nan", "Learning rate:"),
    ("steps_box", "2.5", f"Steps must be a whole number from 1 to {MAX_TRAIN_STEPS}; got '2.5'. It stays 100."),
    ("steps_box", "5000", "Steps must be a whole number from 1"),
    ("steps_box", "<script>", "Steps: '&lt;script&gt;' is not a number"),
])
def test_a_bad_setting_is_named_and_the_last_good_one_stays(trainer, worked, box, typed, message):
    getattr(trainer, box).value = typed
    assert message.replace("'", "&#x27;") in status(trainer)
    assert getattr(trainer, box).value == {"learning_rate": "0.03", "steps_box": "100"}[box]
    press(trainer, "bn-train-step")
    assert trainer.app.state == bn.sgd_step(worked, T, 0.03)


def test_a_good_setting_is_used(trainer, worked):
    trainer.learning_rate.value = "1/100"
    assert "Learning rate = 0.01." in status(trainer)
    press(trainer, "bn-train-step")
    assert trainer.app.state == bn.sgd_step(worked, T, 0.01)


def test_a_typed_target_changes_the_loss_and_the_link(trainer, worked):
    trainer.target_controls.entries[("T", 0, 0)].readout.value = "0"
    targets = [[0, 0, 1], [2, 2, 2]]
    assert shown_loss(trainer) == pytest.approx(bn.loss(worked, targets))
    assert "T[1,1] = 0: the loss goes from 1.333 to 1.167." in status(trainer)
    assert "T=0,0,1;2,2,2" in trainer.app.share.link.value
    np.testing.assert_allclose(table(trainer, "dW2"), bn.backward(worked, targets).W2)
    trainer.target_controls.entries[("T", 1, 2)].readout.value = "x"
    assert "T[2,3]: &#x27;x&#x27; is not a number" in status(trainer)
    np.testing.assert_array_equal(trainer.targets, targets)


def test_a_clicked_cell_of_a_gradient_is_explained_with_every_inputs_term(trainer, worked):
    trainer.app.guard(trainer.app.explain_cell)("dW1,2,1")
    e = bn.explain_gradient(worked, T, "W1", 2, 1)
    assert e.text in trainer.explanation.value
    for j, (d, a, p) in enumerate(e.terms):
        assert f"<th scope='row'>x{j + 1}</th><td>{bn.format_number(d)}</td><td>{bn.format_number(a)}</td>" \
               f"<td>{bn.format_number(p)}</td>" in trainer.explanation.value
    assert drawn_buttons(trainer.maps)["dW1,2,1"]["aria-current"] == "true"
    trainer.app.guard(trainer.app.explain_cell)("delta2,0,1")  # Y_z[y1, x2] = 0: ReLU′(0) = 0
    assert "δ2[y1, x2] = (Y − T)·ReLU′(Y_z) = (0 − 0)·0 = 0" in trainer.explanation.value
    assert "ReLU′ = 0" in trainer.explanation.value
    trainer.app.guard(trainer.app.explain_cell)("db2,1,0")
    assert "db2[y2] = (1 + 1 + 2) / 3 = 4 / 3 ≈ 1.333" in trainer.explanation.value
    trainer.app.guard(trainer.app.explain_cell)("H_z,2,1")  # the worksheet's own cells still work
    assert "H_z[h3, x2]" in trainer.app.explanation.value


@pytest.mark.parametrize("forged", ["dW2,²,0", "dW²,0,0", "dW1,0,0" + "0" * 50,
                                    "dW3,0,0", "dW1,4,0", "dW1,0,3", "db1,0,1", "delta2,0,3", "dW1,-1,0",
                                    "dW1,0", "<img src=x onerror=alert(1)>", "dW01,0,0", "delta1,0,0,0", "dWx,0,0",
                                    "dW1,9999,0"])
def test_a_forged_cell_message_is_refused_and_nothing_changes(trainer, forged):
    before = trainer.explanation.value, drawing_state(trainer.maps)
    trainer.app.guard(trainer.app.explain_cell)(forged)
    assert "bn-error" in status(trainer)
    assert "<img src=x" not in status(trainer)
    assert (trainer.explanation.value, drawing_state(trainer.maps)) == before


@pytest.mark.parametrize("forged", [None, 3, ["dW1,0,0"], {"cell": 1}])
def test_a_cell_message_that_is_not_text_is_refused(trainer, forged):
    with pytest.raises(ValueError, match="not a cell of the gradients"):
        parse_gradient_cell(forged, trainer.app.state)


def test_every_cell_of_every_gradient_has_a_button_that_explains_it(trainer, worked):
    cells = list(drawn_buttons(trainer.maps))
    # δ2 2×3, dW2|db2 2×5, δ1 4×3, dW1|db1 4×4
    assert len(cells) == 6 + 10 + 12 + 16 == len(set(cells))
    for cell in cells:
        trainer.app.guard(trainer.app.explain_cell)(cell)
        assert "bn-error" not in status(trainer), cell


def test_another_size_fits_the_targets_and_keeps_what_fits(trainer):
    trainer.target_controls.entries[("T", 1, 0)].readout.value = "3"
    trainer.app.load(bn.preset("one-input"))
    np.testing.assert_array_equal(trainer.targets, [[1], [3]])
    assert set(trainer.target_controls.entries) == {("T", 0, 0), ("T", 1, 0)}
    assert shown_loss(trainer) == pytest.approx(bn.loss(bn.preset("one-input"), [[1], [3]]))
    press(trainer, "bn-train-step")
    assert "bn-error" not in status(trainer)


def test_the_dark_theme_and_the_rows_notation_redraw_the_gradients(trainer):
    trainer.app.set_theme("dark")
    assert trainer.views.theme == "dark"
    trainer.app.set_notation("rows")
    assert "[dW2ᵀ ; db2ᵀ] = [H; 1]·δ2ᵀ / 3" in titles(trainer)
    np.testing.assert_allclose(table(trainer, "dW2"), np.array([[0, 0, 0, 0], [0, 7, 13, 3]]) / 3)  # data stays
    assert "dW2,1,2" in drawn_buttons(trainer.maps)
    # what a person reads in the tables is drawn as the panels are: dW2ᵀ is 4 × 2, h1 … h4 down its rows
    shown = drawn_value_tables(trainer.maps)
    assert shown["dW2"]["caption"] == "dW2ᵀ, 4 × 2" and shown["dW2"]["columns"] == ["y1", "y2"]
    assert [row[0] for row in shown["dW2"]["rows"]] == ["h1", "h2", "h3", "h4"]
    assert shown["delta1"]["caption"] == "δ1ᵀ, 3 × 4" and shown["E"]["caption"] == "(Y − T)ᵀ, 3 × 2"


def test_reset_brings_back_the_weights_the_targets_and_an_empty_curve(trainer, worked):
    trainer.target_controls.entries[("T", 0, 0)].readout.value = "4"
    press(trainer, "bn-train-step")
    press(trainer, "bn-train-reset")
    assert trainer.app.state == worked
    np.testing.assert_array_equal(trainer.targets, T)
    assert trainer.history is None and "<img" not in trainer.curve.value


def test_the_pages_link_gives_the_targets(monkeypatch, worked):
    monkeypatch.setattr(kernel, "page_query", lambda: worked.to_query() + "&T=0,0,0;1,1,1")
    monkeypatch.setattr("batchnet_core.ui.app.page_query", kernel.page_query)
    trainer = Trainer.from_page()
    np.testing.assert_array_equal(trainer.targets, [[0, 0, 0], [1, 1, 1]])
    press(trainer, "bn-train-reset")
    np.testing.assert_array_equal(trainer.targets, [[0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize("link, message", [
    ("T=1,0;2,2", "T must have shape (outputs × batch) = (2 × 3)"),
    ("T=a,b,c;1,1,1", "not a number"),
    ("T=" + ";".join(["1,1,1"] * 40), "T has 40 rows in the link; at most 16"),
    ("T=1,0,1;2,2,1e9", "T[1, 2] is 1000000000.0"),
    ("T=1,0,1;2,\u0662,2", "T row 2: '٢' is not a number; write digits 0-9"),
    ("T=1_0,0,1;2,2,2", "T row 1: '1_0' is not a number; write digits 0-9"),
    ("loss=hinge", "loss must be one of mse, softmax_cross_entropy; got 'hinge'"),
    ("loss=softmax_cross_entropy", "layer 2's activation must be linear; it is relu"),
    ("preset=three-inputs&activations=relu,linear&loss=softmax_cross_entropy&T=1,0,1;2,2,2", "column x1 is 1, 2"),
    ("loss=<script>", "got '&lt;script&gt;'"),
])
def test_targets_or_a_loss_in_a_link_that_cannot_be_used_are_named(monkeypatch, link, message):
    monkeypatch.setattr("batchnet_core.ui.app.page_query", lambda: link)
    trainer = Trainer.from_page()
    what = "loss and targets" if "loss=" in link else "targets"
    assert f"The link&#x27;s {what} could not be used" in status(trainer)
    assert message.replace("'", "&#x27;") in status(trainer)
    assert trainer.loss == "mse"
    np.testing.assert_array_equal(trainer.targets, T)


@pytest.mark.parametrize("link, message", [
    ("T=1,0,1;2,2,2&T=0,0,0;0,0,0", "T appears twice in the link; give it once"),
    ("T=1,0,1;2,2,2&x17=1,1,1", "x17: a batch holds at most 16 inputs (x1 to x16)"),
])
def test_a_link_with_a_parameter_the_page_cannot_use_opens_its_own_state_and_targets(monkeypatch, worked, link,
                                                                                     message):
    monkeypatch.setattr("batchnet_core.ui.app.page_query", lambda: "theme=dark&" + link)
    trainer = Trainer.from_page()
    assert status(trainer) == ("<span class='bn-error' role='alert'>The link could not be used: "
                               f"{message}. Showing the worked example instead.</span>")
    assert trainer.app.state == worked and trainer.app.theme == "dark"
    np.testing.assert_array_equal(trainer.targets, T)


def test_panels_of_any_depth_go_back_from_the_last_layer():
    rows = gradient_panels((2, 3, 3, 1, 4))
    assert [row[0].key for row in rows] == ["T", "delta3", "delta2", "delta1"]
    assert rows[1][0].title == "δ3 = (Y − T) ⊙ ReLU′(Y_z)"
    assert rows[2][0].title == "δ2 = (W3ᵀ·δ3) ⊙ ReLU′(H2_z)"
    assert rows[3][1].col_labels == ["1", "2", "b"]


def test_settings_are_read_as_a_person_types_them():
    assert read_setting("Learning rate", " 1/20 ", False, 10) == 0.05
    assert read_setting("Steps", "3", True, 1000) == 3
    with pytest.raises(ValueError, match="Steps must be a whole number from 1 to 1000; got '-3'"):
        read_setting("Steps", "-3", True, 1000)


def test_a_typed_target_starts_the_curve_again(trainer):
    press(trainer, "bn-train-step")
    press(trainer, "bn-train-step")
    trainer.target_controls.entries[("T", 0, 0)].readout.value = "0"
    press(trainer, "bn-train-step")
    assert trainer.history.taken == 1  # the loss against the new targets, then its step
    assert "overshot" not in status(trainer)


def test_the_link_carries_the_targets_as_they_fit_a_new_size(trainer):
    trainer.app.load(bn.preset("one-input"))
    assert "T=1;2" in trainer.app.share.link.value and "T=1,0,1" not in trainer.app.share.link.value


def test_a_long_loss_is_written_without_its_terms():
    state = bn.random_state(2, (3, 4, 4, 4))
    trainer = Trainer()
    trainer.app.load(state)
    assert "= Σ (Y − T)² / (2·4) = " in trainer.loss_view.value and "/ 8 = " not in trainer.loss_view.value
    assert re.search(r"\(2·4\) = [\d.]+ / 8<", trainer.loss_view.value)


def test_the_rows_notation_names_each_delta_cell_by_its_own_name(trainer):
    trainer.app.set_notation("rows")
    assert "δ1[h3, x1]" in [attrs["data-label"] for attrs in drawn_buttons(trainer.maps).values()]
    assert "[dW1ᵀ ; db1ᵀ] = [X; 1]·δ1ᵀ / 3" in titles(trainer)


def test_what_page_06_says_about_the_learning_rate_holds(worked):
    """The page's Try this: 0.03 lowers the loss to about 0.34, leaving y1's share; 0.3 overshoots, and
    100 steps of it switch every output off for every input, the loss stuck at 7/3."""
    state = worked
    for _ in range(100):
        state = bn.sgd_step(state, T, 0.03)
    assert 1 / 3 < bn.loss(state, T) < 0.35
    assert not bn.forward(state).Y[0].any()  # y1 is 0 for every input: (1 + 0 + 1) / 6 of loss
    assert (bn.forward(worked).Y_z[0] <= 0).all()  # at the start y1's sums are 0 or less: δ2's row y1 is 0
    assert bn.loss(bn.sgd_step(worked, T, 0.3), T) > bn.loss(worked, T)
    state = worked
    for _ in range(100):
        state = bn.sgd_step(state, T, 0.3)
    assert not bn.forward(state).Y.any() and bn.loss(state, T) == pytest.approx(7 / 3)


def test_a_long_run_keeps_a_bounded_curve_with_its_first_and_last_loss(trainer):
    trainer.steps_box.value = str(MAX_TRAIN_STEPS)
    for _ in range(3):
        press(trainer, "bn-train-run")
    history = trainer.history
    assert history.taken == 3 * MAX_TRAIN_STEPS
    assert MAX_CURVE_POINTS // 2 <= len(history.losses) <= MAX_CURVE_POINTS
    assert history.steps[0] == 0 and history.steps[-1] == history.taken
    assert history.first == pytest.approx(4 / 3) and history.last == pytest.approx(shown_loss(trainer))
    assert f"Trained {3 * MAX_TRAIN_STEPS} steps so far" in status(trainer)
    assert f"Loss curve: {3 * MAX_TRAIN_STEPS} steps" in trainer.curve.value


@pytest.fixture
def live_every_step(monkeypatch):
    """A run that shows the numbers after every step, and lets the loop answer at once: each step of a run
    is a moment when a press can arrive, whatever the machine's speed."""
    monkeypatch.setattr(trainer_module, "LIVE_SECONDS", 0)
    monkeypatch.setattr(trainer_module, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(trainer_module, "kernel_loop", asyncio.get_running_loop)  # as in a kernel


def in_a_kernels_loop(coroutine):
    """Run ``coroutine`` on an event loop of its own, as the kernel's, in a thread of its own: the
    browser tests' driver may be running a loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def presses_during_a_run(trainer) -> int:
    """Press Train, then Train and One step again each time the run lets the kernel's loop answer the page,
    as long as it goes on; how many times the page was answered, with the buttons disabled each time."""
    press(trainer, "bn-train-run")
    answered = 0
    while trainer.running:
        await asyncio.sleep(0)
        if trainer.running:
            assert trainer.train_button.disabled and trainer.step_button.disabled
            press(trainer, "bn-train-run")
            press(trainer, "bn-train-step")
            answered += 1
    await trainer._task
    return answered


def test_presses_during_a_run_are_ignored_while_the_page_keeps_being_answered(trainer, worked, live_every_step):
    trainer.steps_box.value = "30"
    assert in_a_kernels_loop(presses_during_a_run(trainer)) >= 20
    assert trainer.history.taken == 30  # one run: the other presses did not queue more
    state = worked
    for _ in range(30):
        state, _ = bn.nn.training.run_step(state, np.array(T, dtype=float), 0.03)
    assert trainer.app.state == state
    assert "Trained 30 steps so far" in status(trainer)
    assert not trainer.train_button.disabled and not trainer.step_button.disabled


async def run_changed_by_hand(trainer) -> None:
    press(trainer, "bn-train-run")
    while trainer.history is None:  # until the run has taken and shown its first step
        await asyncio.sleep(0)
    trainer.app.entries[("b2", 0, 0)].readout.value = "1"
    await trainer._task


def test_a_change_by_hand_during_a_run_stops_it_there(trainer, worked, live_every_step):
    trainer.steps_box.value = "30"
    in_a_kernels_loop(run_changed_by_hand(trainer))
    assert trainer.app.state.b2[0] == 1
    assert trainer.app.state.W2 == pytest.approx(bn.sgd_step(worked, T, 0.03).W2)  # one step, then the change
    assert trainer.history.taken == 1
    assert "Trained" not in status(trainer)
    assert not trainer.train_button.disabled


async def press_as_a_run_ends(trainer) -> None:
    """Press Train once, then again as soon as the run has ended: a press made during it, arriving late."""
    press(trainer, "bn-train-run")
    await trainer._task
    press(trainer, "bn-train-run")


def test_a_press_that_arrives_as_a_run_ends_is_ignored(trainer, live_every_step):
    trainer.steps_box.value = "30"
    in_a_kernels_loop(press_as_a_run_ends(trainer))
    assert not trainer.running and trainer.history.taken == 30


def test_the_loss_line_adds_up_as_written_or_says_it_is_rounded():
    state, T = bn.preset("three-inputs"), np.array([[1.0, 0, 1], [2, 2, 2]])
    line = trainer_module.loss_html(state, T, bn.backward(state, T))
    assert "<b>Loss ≈ 1.333</b>" in line and "= Σ (Y − T)² / (2·3) = (1 + 0 + 1 + 1 + 1 + 4) / 6 = 8 / 6<" in line
    whole = np.array([[0.0, 0, 0], [1, 1, 2]])  # Y is [[0, 0, 0], [3, 3, 4]]: squares 0, 0, 0, 4, 4, 4
    line = trainer_module.loss_html(state, whole, bn.backward(state, whole))
    assert "<b>Loss = 2</b>" in line and "= 12 / 6<" in line
    # softmax cross-entropy: Y = [[−2, 0, −2], [3, 3, 4]] (linear); each input's −log p of its class
    logits, classes = state.replace(activations=("relu", "linear")), np.array([[1.0, 0, 1], [0, 1, 0]])
    line = trainer_module.loss_html(logits, classes, bn.backward(logits, classes, "softmax_cross_entropy"),
                                    "softmax_cross_entropy")
    assert ("<b>Loss ≈ 3.686</b><span class='bn-loss-sum'> = −Σ T ⊙ log P / 3 = (5.007 + 0.04859 + 6.002) / 3 "
            "≈ 11.06 / 3<") in line


def test_a_runs_float_steps_are_the_exact_steps_to_the_last_places():
    """A Train run steps in floats (run_step); one Step is exact (sgd_step): 100 of each stay together to
    the last places of the floats, and their losses are the same to 12 digits."""
    exact = floats = bn.preset("three-inputs")
    targets = np.array(T, dtype=float)
    for _ in range(100):
        exact = bn.sgd_step(exact, T, 0.03)
        floats, value = bn.nn.training.run_step(floats, targets, 0.03)
        assert value == pytest.approx(bn.loss(exact, T), rel=1e-12, abs=1e-15)
    for (W, b), (V, c) in zip(exact.layers, floats.layers):
        np.testing.assert_allclose(V, W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c, b, rtol=1e-12, atol=1e-15)


# -- softmax cross-entropy, chosen on the page ----------------------------------------------------------

CE = "softmax_cross_entropy"


def test_choosing_softmax_cross_entropy_makes_the_last_layer_linear_and_its_targets_classes(trainer):
    trainer.loss_choice.value = CE
    assert trainer.app.state.activations == ("relu", "linear")
    assert [p.disabled for p in trainer.activations.pickers] == [False, True]
    assert "applies softmax" in trainer.activations.pickers[1].tooltip
    np.testing.assert_array_equal(trainer.targets, [[1, 0, 1], [0, 1, 0]])  # x1 and x3 of y1, x2 of y2
    assert "Loss: softmax cross-entropy, −Σ T ⊙ log P / 3." in status(trainer)
    assert "layer 2&#x27;s activation is now linear" in status(trainer)
    assert titles(trainer)[:3] == ["T (targets)", "P = softmax(Y), each column", "P − T (error)"]
    assert "δ2 = P − T" in titles(trainer)
    assert shown_loss(trainer) == bn.loss(trainer.app.state, trainer.targets, loss=CE)
    assert trainer.query().endswith("&activations=relu,linear&T=1,0,1;0,1,0&loss=softmax_cross_entropy")
    trainer.explain_cell("delta2,0,0")
    assert "δ2[y1, x1] = P − T = 0.006693 − 1 ≈ −0.9933" in trainer.explanation.value


def test_a_class_is_chosen_per_input_and_a_step_lowers_the_loss(trainer):
    trainer.loss_choice.value = CE
    before = shown_loss(trainer)
    picker = next(w for w in widgets_in(trainer.panel) if "bn-target-class-2" in w._dom_classes)
    assert [label for label, _ in picker.options] == ["y1", "y2"]
    picker.value = 0
    np.testing.assert_array_equal(trainer.targets, [[1, 1, 1], [0, 0, 0]])
    assert "x2 is of class y1: the loss goes from" in status(trainer)
    assert shown_loss(trainer) > before  # x2's output favoured y2
    moved = shown_loss(trainer)
    press(trainer, "bn-train-step")
    assert shown_loss(trainer) < moved
    assert trainer.app.state.activations == ("relu", "linear")


def test_mean_squared_error_again_frees_the_last_layer(trainer):
    trainer.loss_choice.value = CE
    trainer.loss_choice.value = "mse"
    assert trainer.loss == "mse" and [p.disabled for p in trainer.activations.pickers] == [False, False]
    assert trainer.app.state.activations == ("relu", "linear")  # the learner's to change again
    assert titles(trainer)[:2] == ["T (targets)", "Y − T (error)"]
    assert "&loss=" not in trainer.query()


def test_the_pages_link_gives_the_loss(monkeypatch, worked):
    logits = worked.replace(activations=("relu", "linear"))
    monkeypatch.setattr("batchnet_core.ui.app.page_query", lambda: logits.to_query() + "&T=0,0,1;1,1,0&loss=" + CE)
    trainer = Trainer.from_page()
    assert trainer.loss == CE and trainer.loss_choice.value == CE
    np.testing.assert_array_equal(trainer.targets, [[0, 0, 1], [1, 1, 0]])
    press(trainer, "bn-train-step")
    press(trainer, "bn-train-reset")
    assert trainer.loss == CE
    np.testing.assert_array_equal(trainer.targets, [[0, 0, 1], [1, 1, 0]])


def test_a_network_that_no_longer_fits_the_loss_gives_way_to_mean_squared_error(trainer):
    trainer.loss_choice.value = CE
    trainer.app.load(bn.preset("three-inputs"))  # a file or a push with a ReLU last layer
    assert trainer.loss == "mse" and trainer.loss_choice.value == "mse"
    assert "the loss is mean squared error again" in status(trainer)
    np.testing.assert_array_equal(trainer.targets, T)
    assert shown_loss(trainer) == bn.loss(bn.preset("three-inputs"), T)


def test_a_change_works_out_one_forward_pass_and_a_step_one_backward_pass(monkeypatch, trainer):
    """The views observe the model's results: a slider's change on page 06 is one forward pass and one
    backward pass (the heat maps, the loss and the explained cell read the same), a step one of each (it steps
    from the gradients already drawn), and page 02's change one forward pass."""
    from batchnet_core.nn import state as state_module
    from batchnet_core.nn import training
    from batchnet_core.ui.app import BatchApp

    counts = {"forward": 0, "backward": 0}

    def counted(kind, function):
        def call(*args, **kwargs):
            counts[kind] += 1
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(state_module, "forward_exact", counted("forward", state_module.forward_exact))
    monkeypatch.setattr(training, "_backward_exact", counted("backward", training._backward_exact))
    trainer.app.entries[("W2", 1, 3)].slider.value = 0
    assert counts == {"forward": 1, "backward": 1}
    counts.update(forward=0, backward=0)
    press(trainer, "bn-train-step")
    assert counts == {"forward": 1, "backward": 1}
    counts.update(forward=0, backward=0)
    trainer.explain_cell("delta1,2,0")
    assert counts == {"forward": 0, "backward": 0}
    worksheet = BatchApp()
    counts.update(forward=0, backward=0)
    worksheet.entries[("W1", 0, 0)].slider.value = 2
    assert counts == {"forward": 1, "backward": 0}
