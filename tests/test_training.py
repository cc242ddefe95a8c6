"""Training on the batch: the loss, its gradients two ways, a step of gradient descent, one entry explained."""

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import batchnet_core as bn
from batchnet_core.nn import training
from batchnet_core.nn.losses import one_hot
from batchnet_core.nn.training import MAX_LEARNING_RATE, check_targets

T = [[1, 0, 1], [2, 2, 2]]


def third(*values):
    """Thirds written as their numerators: the batch of three averages every gradient over 3."""
    return np.array(values, dtype=float) / 3


def test_the_worked_examples_loss_by_hand(worked):
    # Y = [[0, 0, 0], [3, 3, 4]], so Y − T = [[−1, 0, −1], [1, 1, 2]]; squares sum to 1 + 0 + 1 + 1 + 1 + 4 = 8
    assert bn.loss(worked, T) == pytest.approx(8 / (2 * 3))


def test_the_worked_examples_gradients_by_hand(worked):
    # H_z = [[−1, −5, −5], [3, 2, 1], [5, 2, 3], [3, −1, −1]]   H = ReLU(H_z)
    # Y_z = [[−2, 0, −2], [3, 3, 4]]                          Y = [[0, 0, 0], [3, 3, 4]]
    # δ2 = (Y − T) ⊙ [Y_z > 0] = [[−1, 0, −1], [1, 1, 2]] ⊙ [[0, 0, 0], [1, 1, 1]]   (Y_z = 0 counts as off)
    delta2 = [[0, 0, 0], [1, 1, 2]]
    # dW2 = δ2·Hᵀ / 3: row y2 = (1·(0, 3, 5, 3) + 1·(0, 2, 2, 0) + 2·(0, 1, 3, 0)) / 3 = (0, 7, 13, 3) / 3
    dW2 = third([0, 0, 0, 0], [0, 7, 13, 3])
    db2 = third(0, 1 + 1 + 2)
    # W2ᵀ·δ2: column x of δ2 is (0, d), and W2's row y2 is (0, 0, 1, −1), so each input sends d·(0, 0, 1, −1)
    # back; H_z's mask keeps h2 and h3 everywhere and h4 only for x1
    delta1 = [[0, 0, 0], [0, 0, 0], [1, 1, 2], [-1, 0, 0]]
    # dW1 = δ1·Xᵀ / 3: row h3 = (1·(2, 1, 3) + 1·(1, 1, 0) + 2·(0, 1, 1)) / 3; row h4 = −1·(2, 1, 3) / 3
    dW1 = third([0, 0, 0], [0, 0, 0], [3, 4, 5], [-2, -1, -3])
    db1 = third(0, 0, 1 + 1 + 2, -1)
    for g in (bn.backward(worked, T), bn.backward_loop(worked, T)):
        np.testing.assert_allclose(g.W1, dW1, atol=1e-12)
        np.testing.assert_allclose(g.b1, db1, atol=1e-12)
        np.testing.assert_allclose(g.W2, dW2, atol=1e-12)
        np.testing.assert_allclose(g.b2, db2, atol=1e-12)
        np.testing.assert_array_equal(g.deltas[1], delta2)
        np.testing.assert_array_equal(g.deltas[0], delta1)
        assert g.layers[0][0] is g.W1 and g.layers[1][1] is g.b2
        assert g.loss == pytest.approx(4 / 3)


def test_one_step_by_hand(worked):
    stepped = bn.sgd_step(worked, T, 0.03)  # W2[y2, h3] moves by 0.03 · (13 / 3) = 0.13
    np.testing.assert_allclose(stepped.W2, worked.W2 - 0.03 * third([0, 0, 0, 0], [0, 7, 13, 3]), atol=1e-12)
    np.testing.assert_allclose(stepped.b1, worked.b1 - 0.03 * third(0, 0, 4, -1), atol=1e-12)
    assert stepped.W2[1, 2] == pytest.approx(1 - 0.13)
    np.testing.assert_array_equal(stepped.X, worked.X)
    assert bn.loss(stepped, T) < bn.loss(worked, T)
    assert bn.loss(bn.sgd_step(worked, T, 0.3), T) > bn.loss(worked, T)  # ten times further overshoots


def test_a_gradient_entry_is_spelled_out_with_its_per_input_terms(worked):
    e = bn.explain_gradient(worked, T, "W2", 1, 2)
    assert e.label == "dW2[y2, h3]"
    assert e.terms == [(1, 5, 5), (1, 2, 2), (2, 3, 6)]  # δ2[y2, x]·H[h3, x] for x1, x2, x3
    assert Fraction(e.average).limit_denominator(10) == Fraction(13, 3)
    assert e.text == "dW2[y2, h3] = (1·5 + 1·2 + 2·3) / 3 = 13 / 3 ≈ 4.333"  # 4.333 is rounded
    assert e.heading == "dW2[y2, h3] = mean over the batch of δ2[y2, x]·H[h3, x]"
    bias = bn.explain_gradient(worked, T, "b1", 3)
    assert bias.label == "db1[h4]" and bias.text == "db1[h4] = ((−1) + 0 + 0) / 3 = −1 / 3 ≈ −0.3333"
    first = bn.explain_gradient(worked, T, "W1", 3, 2)  # column 3: the inputs' third entries
    assert first.text == "dW1[h4, 3] = ((−1)·3 + 0·0 + 0·1) / 3 = −3 / 3 = −1"


def test_every_explained_entry_is_the_backward_entry(worked):
    g = bn.backward(worked, T)
    for k, (dW, db) in enumerate(g.layers, start=1):
        for (r, c), value in np.ndenumerate(dW):
            assert bn.explain_gradient(worked, T, f"W{k}", r, c).average == pytest.approx(value, abs=1e-12)
        for r, value in enumerate(db):
            assert bn.explain_gradient(worked, T, f"b{k}", r).average == pytest.approx(value, abs=1e-12)


def test_an_error_signal_entry_is_spelled_out(worked):
    out = bn.explain_delta(worked, T, 2, 1, 0)
    assert (out.label, out.error, out.derivative, out.value) == ("δ2[y2, x1]", 1, 1, 1)
    assert out.text == "δ2[y2, x1] = (Y − T)·ReLU′(Y_z) = (3 − 2)·1 = 1"
    hidden = bn.explain_delta(worked, T, 1, 3, 1)  # h4 is off for x2 (H_z = −1): nothing passes back
    assert hidden.text == "δ1[h4, x2] = (W2 column h4 · δ2 column x2)·ReLU′(H_z) = (0·0 + (−1)·1)·0 = 0"
    g = bn.backward(worked, T)
    for k, delta in enumerate(g.deltas, start=1):
        for (r, c), value in np.ndenumerate(delta):
            assert bn.explain_delta(worked, T, k, r, c).value == pytest.approx(value, abs=1e-12)


def test_relus_derivative_at_exactly_zero_is_zero():
    # Z = 1·1 − 1 = 0: Y = 0 misses T = 1, yet nothing flows back through a unit that is not above 0
    s = bn.State(W1=[[1]], b1=[-1], X=[[1]])
    g = bn.backward(s, [[1]])
    assert g.deltas[0][0, 0] == 0 and g.W1[0, 0] == 0 and g.b1[0] == 0
    assert bn.backward_loop(s, [[1]]).W1[0, 0] == 0
    assert bn.sgd_step(s, [[1]], 0.5) == s


@pytest.mark.parametrize("targets, message", [
    ([[1, 0], [2, 2], [1, 2]], r"T must have shape \(outputs × batch\) = \(2 × 3\).*got \(3 × 2\)\. Did you mean T\.T"),
    ([[1, 0, 1]], r"T must have shape \(outputs × batch\) = \(2 × 3\).*got \(1 × 3\)\.$"),
    ([1, 0, 1], r"T must be a matrix"),
    ([[1, 0, float("nan")], [2, 2, 2]], r"T\[0, 2\] is nan"),
    ([[1, 0, 1e7], [2, 2, 2]], r"T\[0, 2\] is 10000000\.0"),
    ([[1, 0], [2, 2, 2]], r"T must be a rectangular array"),
])
def test_targets_are_checked_like_every_field(worked, targets, message):
    for call in (bn.loss, bn.backward, bn.backward_loop, lambda s, t: bn.sgd_step(s, t, 0.1)):
        with pytest.raises(ValueError, match=message):
            call(worked, targets)
    with pytest.raises(TypeError, match="T must contain real numbers; got text"):
        check_targets(worked, [["a", "b", "c"], ["d", "e", "f"]])


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), MAX_LEARNING_RATE * 2, "0.1", True, None])
def test_a_learning_rate_that_is_not_a_small_positive_number_is_refused(worked, lr):
    with pytest.raises(ValueError, match=r"the learning rate must be a number above 0 and at most 10; got"):
        bn.sgd_step(worked, T, lr)


def test_a_step_that_would_blow_up_names_the_entry_and_the_fix():
    s = bn.State(W1=[[1000]], b1=[0], X=[[1000]])  # Y = 10⁶, so dW1 = 10⁹: any sizeable step leaves ±10⁶
    with pytest.raises(ValueError, match=r"learning rate 0\.1 would take W1\[1,1\] beyond ±1e\+06: .*lower the "):
        bn.sgd_step(s, [[0]], 0.1)


@pytest.mark.parametrize("args, message", [
    (("W3", 0, 0), "the parameter must be one of W1, b1, W2, b2; got 'W3'"),
    (("X", 0, 0), "the parameter must be one of"),
    (("W2", 2, 0), "row must be a whole number from 0 to 1 for W2; got 2"),
    (("W2", 0, 4), "col must be a whole number from 0 to 3 for W2; got 4"),
    (("b2", 0, 1), "col must be a whole number from 0 to 0 for b2; got 1"),
    (("W1", -1, 0), "row must be a whole number from 0 to 3 for W1; got -1"),
    (("W1", 0.5, 0), "row must be a whole number"),
])
def test_an_entry_that_does_not_exist_is_named(worked, args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        bn.explain_gradient(worked, T, *args)


def test_gradients_name_only_their_own_layers(worked):
    g = bn.backward(worked, T)
    with pytest.raises(AttributeError, match="gradients of 2 layers have no W3"):
        assert g.W3 is None
    assert g.depth == 2


# -- for every network and batch ---------------------------------------------------------------------

entries = st.floats(-3, 3, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def problems(draw, depth=None, batch=None, any_activation=False, loss="mse"):
    """A network of 1 to MAX_DEPTH layers, its batch and targets for ``loss``; ``any_activation``: each layer's
    activation drawn from the table (else ReLU's, the worksheet's), the last the loss's own if it has one."""
    depth = depth or draw(st.integers(1, bn.MAX_DEPTH))
    inputs, *widths = (draw(st.integers(1, 4)) for _ in range(depth + 1))
    batch = batch or draw(st.integers(1, 4))
    layers = [(draw(arrays(float, (units, columns), elements=entries)), draw(arrays(float, (units,), elements=entries)))
              for columns, units in zip([inputs, *widths], widths)]
    chosen = [draw(st.sampled_from(list(bn.ACTIVATIONS))) if any_activation else "relu" for _ in layers]
    entry = bn.LOSSES[loss]
    if entry.last_activation:
        chosen[-1] = entry.last_activation
    state = bn.State.from_layers(layers, draw(arrays(float, (inputs, batch), elements=entries)), activations=chosen)
    if entry.classes:
        return state, one_hot([draw(st.integers(0, widths[-1] - 1)) for _ in range(batch)], widths[-1])
    return state, draw(arrays(float, (widths[-1], batch), elements=entries))


def masks(state):
    return [Z > 0 for Z, _ in state.results()]


def moved(state, k, which, index, h):
    layers = [list(pair) for pair in state.layers]
    array = np.array(layers[k][which])
    array[index] += h
    layers[k][which] = array
    return bn.State.from_layers([tuple(pair) for pair in layers], state.X, state.activations)


@pytest.mark.parametrize("loss", list(bn.LOSSES))
@pytest.mark.parametrize("depth", range(1, bn.MAX_DEPTH + 1))
@given(data=st.data())
def test_backward_is_the_slope_of_the_loss(depth, loss, data):
    """Central differences of the loss, entry by entry, wherever no unit switches on or off within ±h."""
    state, targets = data.draw(problems(depth=depth, any_activation=True, loss=loss))
    g = bn.backward(state, targets, loss)
    h, base, compared = 1e-6, masks(state), 0
    for k, pair in enumerate(g.layers):
        for which, gradient in enumerate(pair):
            for index, value in np.ndenumerate(gradient):
                up, down = moved(state, k, which, index, h), moved(state, k, which, index, -h)
                if any((a != b).any() for s in (up, down) for a, b in zip(masks(s), base)):
                    continue  # a kink within ±h: the loss has no slope to compare there
                slope = (bn.loss(up, targets, loss) - bn.loss(down, targets, loss)) / (2 * h)
                assert value == pytest.approx(slope, rel=1e-5, abs=1e-6 * (1 + g.loss)), (k, which, index)
                compared += 1
    assume(compared)


@pytest.mark.parametrize("loss", list(bn.LOSSES))
@given(data=st.data())
def test_backward_equals_the_per_input_loop(loss, data):
    state, targets = data.draw(problems(any_activation=True, loss=loss))
    batched, looped = bn.backward(state, targets, loss), bn.backward_loop(state, targets, loss)
    assert looped.loss == pytest.approx(batched.loss, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(looped.outputs, batched.outputs, rtol=1e-9, atol=1e-12)
    for (dW, db), (lW, lb) in zip(batched.layers, looped.layers):
        np.testing.assert_allclose(dW, lW, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(db, lb, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("loss", list(bn.LOSSES))
@given(data=st.data())
def test_the_batch_gradient_is_the_mean_of_each_inputs_own(loss, data):
    state, targets = data.draw(problems(any_activation=True, loss=loss))
    alone = [bn.backward(state.replace(X=state.X[:, [j]]), targets[:, [j]], loss)
             for j in range(state.X.shape[1])]
    g = bn.backward(state, targets, loss)
    for k, (dW, db) in enumerate(g.layers):
        np.testing.assert_allclose(dW, np.mean([a.layers[k][0] for a in alone], axis=0), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(db, np.mean([a.layers[k][1] for a in alone], axis=0), rtol=1e-9, atol=1e-9)
    assert g.loss == pytest.approx(np.mean([a.loss for a in alone]), rel=1e-9, abs=1e-12)


@given(problems(any_activation=True), st.randoms(use_true_random=False))
def test_the_order_of_the_batch_does_not_change_the_gradient(problem, random):
    state, targets = problem
    order = list(range(state.X.shape[1]))
    random.shuffle(order)
    shuffled = bn.backward(state.replace(X=state.X[:, order]), targets[:, order])
    g = bn.backward(state, targets)
    for (dW, db), (sW, sb) in zip(g.layers, shuffled.layers):
        np.testing.assert_allclose(dW, sW, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(db, sb, rtol=1e-9, atol=1e-9)
    for delta, moved_delta in zip(g.deltas, shuffled.deltas):
        np.testing.assert_allclose(delta[:, order], moved_delta, rtol=1e-9, atol=1e-9)


@given(problems())
def test_a_small_step_lowers_the_loss(problem):
    state, targets = problem
    g = bn.backward(state, targets)
    squared = sum(float(np.sum(dW ** 2) + np.sum(db ** 2)) for dW, db in g.layers)
    lr = 1e-7
    assume(lr * squared > 1e-10 * (1 + g.loss))  # a decrease that rounding cannot hide
    stepped = bn.sgd_step(state, targets, lr)
    assume(all((a == b).all() for a, b in zip(masks(stepped), masks(state))))  # no unit switched on or off
    assert bn.loss(stepped, targets) < g.loss


@given(problems())
def test_every_explained_entry_is_the_backward_entry_for_any_network(problem):
    state, targets = problem
    g = bn.backward(state, targets)
    k = len(g.layers)  # the last layer's, whose δ is the error itself
    for (r, c), value in np.ndenumerate(g.layers[-1][0]):
        assert bn.explain_gradient(state, targets, f"W{k}", r, c).average == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert bn.explain_gradient(state, targets, "b1", 0).average == pytest.approx(g.b1[0], rel=1e-9, abs=1e-9)


def test_the_largest_targets_a_page_writes_read_back():
    """16 outputs × 16 inputs at the longest number each: the page's own link must read back."""
    state = bn.State.from_layers([(np.zeros((16, 2)), np.zeros(16))], np.zeros((2, 16)))
    T = np.full((16, 16), -2.2250738585072014e-308)
    query = training.targets_to_query(T)
    assert len(query) > 6000
    np.testing.assert_array_equal(training.targets_from_query(state, query.removeprefix("T=")), T)
