"""The losses' table: softmax cross-entropy by hand, what each loss refuses, and a loss added to the table alone
reaching the loss, backward, the training page and explain_gradient."""

import math

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.nn.losses import cross_entropy_of, softmax_of
from batchnet_core.nn.training import default_targets, resize_targets

CE = "softmax_cross_entropy"
ONE_HOT = [[1, 0, 1], [0, 1, 0]]


@pytest.fixture
def logits(worked):
    """The worked example with a linear last layer: Y are the logits softmax takes."""
    return worked.replace(activations=("relu", "linear"))


def test_the_table_names_its_losses():
    assert list(bn.LOSSES) == ["mse", CE]
    assert bn.LOSSES["mse"].label == "mean squared error"


def test_softmax_cross_entropy_of_the_worked_example_by_hand(logits):
    # H = [[0, 0, 0], [3, 2, 1], [5, 2, 3], [3, 0, 0]]; Y = W2·H + b2 = [[−2, 0, −2], [3, 3, 4]], linear
    H = np.array([[0, 0, 0], [3, 2, 1], [5, 2, 3], [3, 0, 0]], dtype=float)
    np.testing.assert_array_equal(bn.forward(logits).Y, [[-2, 0, -2], [3, 3, 4]])
    # x1 is of class y1, x2 of y2, x3 of y1: −log p = log Σ e^y − y(class)
    by_hand = [math.log(1 + math.exp(5)), math.log(1 + math.exp(-3)), math.log(1 + math.exp(6))]
    assert bn.loss(logits, ONE_HOT, loss=CE) == pytest.approx(sum(by_hand) / 3, rel=1e-14)
    p1 = np.array([1 / (1 + math.exp(5)), 1 / (1 + math.exp(3)), 1 / (1 + math.exp(6))])
    P = np.array([p1, 1 - p1])
    g = bn.backward(logits, ONE_HOT, loss=CE)
    np.testing.assert_allclose(g.outputs, P, rtol=1e-13)
    delta2 = P - np.array(ONE_HOT)  # δ = P − T: softmax's and the logarithm's slopes cancel
    np.testing.assert_allclose(g.deltas[1], delta2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.W2, delta2 @ H.T / 3, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.b2, delta2.mean(axis=1), rtol=1e-12, atol=1e-15)
    W2 = np.array([[1, 1, -1, 0], [0, 0, 1, -1]], dtype=float)
    H_z = np.array([[-1, -5, -5], [3, 2, 1], [5, 2, 3], [3, -1, -1]], dtype=float)
    delta1 = (W2.T @ delta2) * (H_z > 0)
    np.testing.assert_allclose(g.deltas[0], delta1, rtol=1e-12, atol=1e-15)
    looped = bn.backward_loop(logits, ONE_HOT, loss=CE)
    assert looped.loss == g.loss
    for (dW, db), (lW, lb) in zip(g.layers, looped.layers):
        np.testing.assert_array_equal(dW, lW)
        np.testing.assert_array_equal(db, lb)


def test_the_famous_delta_is_spelled_out_as_p_minus_t(logits):
    e = bn.explain_delta(logits, ONE_HOT, 2, 0, 0, loss=CE)
    assert e.text == "δ2[y1, x1] = P − T = 0.006693 − 1 ≈ −0.9933"
    assert e.value == pytest.approx(1 / (1 + math.exp(5)) - 1)
    g = bn.backward(logits, ONE_HOT, loss=CE)
    assert bn.explain_gradient(logits, ONE_HOT, "W2", 1, 2, loss=CE).average == pytest.approx(g.W2[1, 2], rel=1e-12)


def test_mean_squared_error_is_the_default(worked):
    T = [[1, 0, 1], [2, 2, 2]]
    assert bn.loss(worked, T) == bn.loss(worked, T, loss="mse") == pytest.approx(8 / 6)
    for named, default in zip(bn.backward(worked, T, loss="mse").layers, bn.backward(worked, T).layers):
        for a, b in zip(named, default):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("activations, T, loss, message", [
    (("relu", "linear"), ONE_HOT, "hinge", "loss must be one of mse, softmax_cross_entropy; got 'hinge'"),
    (("relu", "linear"), ONE_HOT, 3, "loss must be one of mse, softmax_cross_entropy; got 3"),
    (("relu", "relu"), ONE_HOT, CE, "softmax cross-entropy applies its own function to the last layer's sums, so "
                                    "layer 2's activation must be linear; it is relu"),
    (("relu", "linear"), [[1, 0, 1], [2, 2, 2]], CE, "each column of T must be one-hot: 1 in the row of the input's "
                                                     "class and 0 in the others; column x1 is 1, 2"),
    (("relu", "linear"), [[0.5, 0, 1], [0.5, 1, 0]], CE, "column x1 is 0.5, 0.5"),
    (("relu", "linear"), [[0, 0, 1], [0, 1, 0]], CE, "column x1 is 0, 0"),
])
def test_a_loss_refuses_what_it_cannot_take_by_name(worked, activations, T, loss, message):
    state = worked.replace(activations=activations)
    for call in (lambda: bn.loss(state, T, loss=loss), lambda: bn.backward(state, T, loss=loss),
                 lambda: bn.backward_loop(state, T, loss=loss), lambda: bn.sgd_step(state, T, 0.1, loss=loss),
                 lambda: bn.explain_gradient(state, T, "W1", 0, 0, loss=loss),
                 lambda: bn.explain_delta(state, T, 1, 0, 0, loss=loss)):
        with pytest.raises(ValueError) as raised:
            call()
        assert message in str(raised.value)


def test_softmax_cross_entropys_targets_are_classes_that_follow_a_resize(logits):
    np.testing.assert_array_equal(default_targets(logits, CE), ONE_HOT)
    bigger = bn.resize(logits, (3, 4, 3, 4))
    T = resize_targets(np.array([[0, 0, 1], [1, 1, 0]], dtype=float), bigger, CE)
    # each input keeps its class; x4 is new: class 4 counted round the 3 outputs, y1
    np.testing.assert_array_equal(T, [[0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0]])
    smaller = bn.resize(logits, (3, 4, 1, 3))
    np.testing.assert_array_equal(resize_targets(np.array(ONE_HOT, dtype=float), smaller, CE), [[1, 1, 1]])


def test_softmax_and_its_cross_entropy_do_not_overflow():
    assert softmax_of([1e6, 0.0]) == [1.0, 0.0]
    assert cross_entropy_of([1e6, -1e6], [0, 1]) == 2e6  # a probability of e^−2000000 has its logarithm
    assert cross_entropy_of([3.0, 3.0], [1, 0]) == pytest.approx(math.log(2))


def test_a_step_of_softmax_cross_entropy_lowers_its_loss(logits):
    stepped = bn.sgd_step(logits, ONE_HOT, 0.1, loss=CE)
    assert bn.loss(stepped, ONE_HOT, loss=CE) < bn.loss(logits, ONE_HOT, loss=CE)


LOG_COSH = '''
LOSSES["log_cosh"] = Loss(
    "log_cosh", "log-cosh", "Y", "", "Σ log cosh(Y − T) / {B}", "tanh({p} − {t})",
    "is the slope of log cosh at the output's distance from its target",
    last_activation=None, classes=False,
    outputs=lambda Y: np.asarray(Y, dtype=float),
    exact_outputs=lambda Y: Y,
    outputs_of=list,
    terms=lambda Y, T: [typed(math.log(math.cosh(d))) for d in (Y - T).floats().ravel().tolist()],
    divisor=lambda batch: batch,
    value=lambda Y, T: float(np.sum(np.log(np.cosh(Y - T))) / Y.shape[1]),
    value_of=lambda y, t: sum((typed(math.log(math.cosh(float(a - b)))) for a, b in zip(y, t)), Fraction(0)),
    error=lambda P, T: np.tanh(P - T),
    exact_error=lambda P, T: Exact.of(np.array([math.tanh(d) for d in (P - T).floats().ravel()]).reshape(P.shape)),
    error_of=lambda p, t: typed(math.tanh(float(p - t))),
    targets_problem=lambda T: "",
    default_targets=MSE.default_targets,
    fit_targets=_fit_kept,
)
'''

ONE_LOSS = r'''
import math
import numpy as np
import batchnet_core as bn
from batchnet_core.ui.train import Trainer

s, T = bn.preset("three-inputs"), [[1, 0, 1], [2, 2, 2]]
Y = bn.forward(s).Y
assert abs(bn.loss(s, T, loss="log_cosh") - np.sum(np.log(np.cosh(Y - np.array(T)))) / 3) < 1e-12
g, h = bn.backward(s, T, loss="log_cosh"), 1e-6
for name, r, c in (("W2", 1, 2), ("W1", 1, 0), ("b2", 1, 0)):
    value = getattr(s, name)[(r, c) if name.startswith("W") else r]
    up, down = s.with_entry(name, r, c, value + h), s.with_entry(name, r, c, value - h)
    slope = (bn.loss(up, T, loss="log_cosh") - bn.loss(down, T, loss="log_cosh")) / (2 * h)
    assert abs(getattr(g, name)[(r, c) if name.startswith("W") else r] - slope) < 1e-6, name
looped = bn.backward_loop(s, T, loss="log_cosh")
assert np.allclose(looped.W1, g.W1, rtol=1e-12, atol=1e-12) and abs(looped.loss - g.loss) < 1e-12
assert bn.explain_gradient(s, T, "W2", 1, 2, loss="log_cosh").average == g.W2[1, 2]
assert "tanh(Y − T)" in bn.explain_delta(s, T, 2, 1, 0, loss="log_cosh").text
trainer = Trainer()
assert "log_cosh" in [value for _, value in trainer.loss_choice.options]
trainer.loss_choice.value = "log_cosh"
assert trainer.loss == "log_cosh" and "Σ log cosh(Y − T) / 3" in trainer.loss_view.value
assert "tanh(Y − T) (error)" in trainer.views.layout["E"].title
trainer.step()
assert trainer.history.last < trainer.history.first
print("one loss")
'''


def test_a_loss_added_to_the_table_alone_reaches_every_part(tmp_path):
    """Log-cosh, added as one entry of LOSSES in a copy of the package and nowhere else, goes through the loss,
    backward (against central differences and the per-input loop), explain_gradient, explain_delta and the
    training page's choice, titles, loss and step."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / "batchnet_core"
    shutil.copytree(Path(bn.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "nn" / "losses.py"
    source = table.read_text()
    anchor = "LOSSES: dict[str, Loss] = {entry.name: entry for entry in (MSE, SOFTMAX_CROSS_ENTROPY)}\n"
    assert source.count(anchor) == 1
    table.write_text(source.replace(anchor, anchor + LOG_COSH))
    done = subprocess.run([sys.executable, "-c", ONE_LOSS], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "one loss"
