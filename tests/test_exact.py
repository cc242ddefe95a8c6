"""One value for every cell: every view against an exact oracle of these tests' own.

The oracle takes each typed number as the decimal it is written as and runs the forward and backward
passes in ``fractions.Fraction``; rounding to shown digits is done with ``decimal``, half away from zero.
States are drawn as decimals of 1 to 3 significant digits with magnitudes up to 10⁶, at depths 1 to 4,
and built to put cells exactly on ReLU's edge (a sum of exactly 0) and exactly on a half-way tie of the
digits shown.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import batchnet_core as bn
from batchnet_core.nn.numbers import MINUS, format_number
from batchnet_core.steps import walk
from batchnet_core.ui.drawing import table_numbers
from batchnet_core.ui.heatmap import cell_text
from batchnet_core.worksheet import _matrices

# -- the oracle ------------------------------------------------------------------------------------------


def typed(value: float) -> Fraction:
    """What a person typed: the decimal the float prints as."""
    return Fraction(str(float(value)))


def oracle_forward(state: bn.State) -> list[tuple[list[list[Fraction]], list[list[Fraction]]]]:
    """Each layer's (Z, A) as lists of rows of fractions."""
    A = [[typed(v) for v in row] for row in state.X.tolist()]
    out = []
    for W, b in state.layers:
        Wq = [[typed(v) for v in row] for row in W.tolist()]
        bq = [typed(v) for v in b.tolist()]
        Z = [[sum((Wq[i][k] * A[k][j] for k in range(len(A))), Fraction(0)) + bq[i] for j in range(len(A[0]))]
             for i in range(len(Wq))]
        A = [[max(z, Fraction(0)) for z in row] for row in Z]
        out.append((Z, A))
    return out


def oracle_backward(state: bn.State, T: list[list[float]]) -> tuple[list[tuple[list, list]], Fraction]:
    """Each layer's batch-mean (dW, db) as fractions, and the loss."""
    forward = oracle_forward(state)
    batch = state.X.shape[1]
    Tq = [[typed(v) for v in row] for row in T]
    Z, Y = forward[-1]
    loss = sum(((Y[i][j] - Tq[i][j]) ** 2 for i in range(len(Y)) for j in range(batch)), Fraction(0)) / (2 * batch)
    delta = [[(Y[i][j] - Tq[i][j]) if Z[i][j] > 0 else Fraction(0) for j in range(batch)] for i in range(len(Y))]
    grads = [None] * state.depth
    inputs = [[[typed(v) for v in row] for row in state.X.tolist()]] + [A for _, A in forward[:-1]]
    for k in range(state.depth - 1, -1, -1):
        source = inputs[k]
        dW = [[sum((delta[i][j] * source[m][j] for j in range(batch)), Fraction(0)) / batch
               for m in range(len(source))] for i in range(len(delta))]
        db = [sum(delta[i], Fraction(0)) / batch for i in range(len(delta))]
        grads[k] = (dW, db)
        if k:
            W = [[typed(v) for v in row] for row in state.layers[k][0].tolist()]
            Zp = forward[k - 1][0]
            delta = [[sum((W[i][m] * delta[i][j] for i in range(len(W))), Fraction(0)) if Zp[m][j] > 0
                      else Fraction(0) for j in range(batch)] for m in range(len(W[0]))]
    return grads, loss


def floats(rows: list[list[Fraction]]) -> np.ndarray:
    return np.array([[float(q) for q in row] for row in rows])


def round_half_away(q: Fraction, digits: int) -> Fraction:
    """q rounded to ``digits`` significant digits, half away from zero, by ``decimal``."""
    if q == 0:
        return q
    context = Context(prec=400)
    d = context.divide(Decimal(q.numerator), Decimal(q.denominator))
    quantum = Decimal(1).scaleb(d.adjusted() - digits + 1)
    result = d.quantize(quantum, rounding=ROUND_HALF_UP, context=context)
    if result.adjusted() > d.adjusted():  # 9.995 → 10.00: one digit more than asked; round again
        result = d.quantize(quantum.scaleb(1), rounding=ROUND_HALF_UP, context=context)
    return Fraction(result)


def value_of(text: str) -> Fraction:
    return Fraction(text.replace(MINUS, "-"))


def expected_number(q: Fraction, digits: int = 4) -> Fraction:
    """What ``format_number`` must write for q: whole numbers in full, others rounded."""
    return q if q.denominator == 1 and abs(q) < 10**15 else round_half_away(q, digits)


# -- states ----------------------------------------------------------------------------------------------

def decimals(digits: int = 3):
    """A decimal of 1 to ``digits`` significant digits and magnitude up to 10⁶."""
    return st.builds(lambda m, e: float(Decimal(m).scaleb(e)), st.integers(-(10**digits - 1), 10**digits - 1),
                     st.integers(-3, 6 - len(str(10**digits - 1)) + 1)).filter(lambda v: abs(v) <= 1e6)


@st.composite
def states(draw, depth=None, integers=False):
    depth = draw(st.integers(1, 4)) if depth is None else depth
    sizes = [draw(st.integers(1, 3)) for _ in range(depth + 2)]
    numbers = st.integers(-9, 9).map(float) if integers else decimals()

    def matrix(rows, cols):
        return [[draw(numbers) for _ in range(cols)] for _ in range(rows)]

    layers = [(matrix(sizes[k + 1], sizes[k]), [row[0] for row in matrix(sizes[k + 1], 1)]) for k in range(depth)]
    return bn.State.from_layers(layers, matrix(sizes[0], sizes[-1]))


def with_first_sum(state: bn.State, target: Fraction) -> bn.State:
    """The state with b1[0] chosen so that H_z[0, 0] (layer 1's first cell) is exactly ``target``."""
    products = sum((typed(w) * typed(x) for w, x in zip(state.layers[0][0][0], state.X[:, 0])), Fraction(0))
    bias = target - products
    text = str(Decimal(bias.numerator) / Decimal(bias.denominator))
    assume(Fraction(text) == bias and float(text) == float(Fraction(text)) and typed(float(text)) == bias)
    assume(abs(bias) <= 1e6)
    b1 = state.layers[0][1].copy()
    b1[0] = float(text)
    return bn.State.from_layers([(state.layers[0][0], b1), *state.layers[1:]], state.X)


# -- every view against the oracle -----------------------------------------------------------------------

def assert_every_view_agrees(state: bn.State) -> None:
    oracle = oracle_forward(state)
    trace, loop = bn.forward(state), bn.forward_loop(state)
    names = bn.result_names(state.depth)
    for k, (Z, A) in enumerate(oracle):
        for name, exact in ((names[2 * k], Z), (names[2 * k + 1], A)):
            # the float of every cell is its exact value correctly rounded, by batch and by loop alike
            np.testing.assert_array_equal(trace[name], floats(exact), err_msg=name)
            np.testing.assert_array_equal(loop[name], floats(exact), err_msg=name)
            assert not (np.signbit(trace[name]) & (trace[name] == 0)).any(), f"{name} has a −0"
            assert trace.exact(name).tolist() == exact
        np.testing.assert_array_equal(bn.relu_zeroed(trace.Z[k]), np.array([[z <= 0 for z in row] for row in Z]))
    frames = {f.label: f.text for f in walk(state) if f.stage == "activation"}
    for k, layer in enumerate(bn.layers_of(state.depth)):
        Z = oracle[k][0]
        for r in range(len(Z)):
            for c in range(len(Z[0])):
                e = bn.explain(state, layer.pre, r, c)
                assert e.total == float(Z[r][c]) and e.exact_total == Z[r][c]
                assert frames[e.label] == e.text
                written = e.sum_text.rsplit(" ", 1)[1]
                assert value_of(written) == expected_number(Z[r][c]), e.sum_text
                assert_adds_up(e.sum_text)
                assert_says_when_rounded(e)


def assert_adds_up(text: str) -> None:
    """A written sum with "=" adds up exactly as written."""
    left, sign, total = re.fullmatch(r"(.*) ([=≈]) (\S+)", text).groups()
    value = Fraction(0)
    for term in left.split(" + "):
        factors = [value_of(f.strip("()")) for f in term.split("·")]
        value += factors[0] * (factors[1] if len(factors) > 1 else 1)
    if sign == "=":
        assert value == value_of(total), text


def assert_says_when_rounded(e: bn.Explanation) -> None:
    """"≈" exactly when a number written in the sum is not its exact value."""
    left, sign, total = re.fullmatch(r"(.*) ([=≈]) (\S+)", e.sum_text).groups()
    written = [value_of(f.strip("()")) for term in left.split(" + ") for f in term.split("·")]
    exact = [q for w, v, _ in e.exact_terms for q in (w, v)] + [e.exact_bias]
    every_one_exact = written == exact and value_of(total) == e.exact_total
    assert (sign == "=") == every_one_exact, e.sum_text


@settings(max_examples=150, deadline=None)
@given(states())
def test_every_view_is_the_exact_value_of_decimals(state):
    assert_every_view_agrees(state)


@settings(max_examples=40, deadline=None)
@given(states(integers=True))
def test_whole_numbers_are_written_exactly_with_equals(state):
    assert_every_view_agrees(state)
    e = bn.explain(state, bn.layers_of(state.depth)[0].pre, 0, 0)
    assert " = " in e.sum_text and "≈" not in e.sum_text


@settings(max_examples=100, deadline=None)
@given(states(), st.data())
def test_a_sum_of_exactly_0_is_0_everywhere_and_zeroed(state, data):
    state = with_first_sum(state, Fraction(0))
    assert_every_view_agrees(state)
    trace = bn.forward(state)
    first = bn.layers_of(state.depth)[0]
    assert trace[first.pre][0, 0] == 0 and bn.relu_zeroed(trace[first.pre])[0, 0]
    assert bn.explain(state, first.pre, 0, 0).text.endswith(" 0 → ReLU → 0")
    T = [[data.draw(decimals()) for _ in range(state.X.shape[1])] for _ in range(state.sizes[-2])]
    assert_gradients_agree(state, T)


@settings(max_examples=100, deadline=None)
@given(states(), st.sampled_from([3, 4]), st.integers(-999, 999).filter(lambda m: m % 10), st.integers(-6, 3))
def test_a_half_way_tie_rounds_away_from_zero_in_every_view(state, digits, mantissa, exponent):
    tie = Fraction(mantissa * 10 + (5 if mantissa > 0 else -5)) * Fraction(10) ** exponent  # digits + 1 digits
    assume(len(str(abs(mantissa))) == digits - 1 or len(str(abs(mantissa))) == digits)
    state = with_first_sum(state, tie)
    assert_every_view_agrees(state)
    first = bn.layers_of(state.depth)[0]
    away = round_half_away(tie, len(str(abs(mantissa * 10 + 5))) - 1)
    assert abs(away) > abs(tie)
    shown = bn.explain(state, first.pre, 0, 0).sum_text.rsplit(" ", 1)[1]
    assert value_of(shown) == expected_number(tie)
    # the worksheet's answer page, the heat maps' cells and the value tables: the same rounding of the same value
    sheet = next(m for m in _matrices(state, "columns") if m.panel.result == first.pre)
    assert value_of(sheet.texts[0, 0]) == expected_cell(tie, 4)
    assert value_of(cell_text(bn.forward(state).exact(first.pre)[0, 0], 400)) == expected_cell(tie, 3)
    table = table_numbers(bn.forward(state)[first.pre], shown=bn.forward(state).exact(first.pre))
    assert value_of(table["w"][0][0]) == expected_number(tie)


def expected_cell(q: Fraction, digits: int) -> Fraction:
    return q if q.denominator == 1 and abs(q) < 10**4 else round_half_away(q, digits)


# -- gradients -------------------------------------------------------------------------------------------

def assert_gradients_agree(state: bn.State, T: list[list[float]]) -> None:
    grads, loss = oracle_backward(state, T)
    batched, loop = bn.backward(state, T), bn.backward_loop(state, T)
    assert batched.loss == loop.loss == float(loss) == bn.loss(state, T)
    for k, (dW, db) in enumerate(grads):
        for g in (batched, loop):
            np.testing.assert_array_equal(g.layers[k][0], floats(dW))
            np.testing.assert_array_equal(g.layers[k][1], np.array([float(q) for q in db]))
    layer = bn.layers_of(state.depth)[-1]
    e = bn.explain_gradient(state, T, layer.weights, 0, 0)
    assert e.exact_average == grads[-1][0][0][0] and e.average == float(grads[-1][0][0][0])
    for k in range(1, state.depth + 1):  # every layer's δ of the first unit and input, spelled out
        d = bn.explain_delta(state, T, k, 0, 0)
        assert d.value == batched.deltas[k - 1][0, 0]


@settings(max_examples=100, deadline=None)
@given(states(), st.data())
def test_backward_and_the_loop_are_the_exact_gradients(state, data):
    T = [[data.draw(decimals()) for _ in range(state.X.shape[1])] for _ in range(state.sizes[-2])]
    assert_gradients_agree(state, T)


# -- the examples that were wrong ------------------------------------------------------------------------

def test_a_sum_the_typed_numbers_make_1_is_1_at_any_size():
    s = bn.State(W1=[[1e6, -1e6]], b1=[1], W2=[[1]], b2=[0], X=[[1e6], [1e6]])
    assert bn.forward(s).H_z.tolist() == [[1.0]]
    assert bn.explain(s, "H_z", 0, 0).text == "1000000·1000000 + (−1000000)·1000000 + 1 = 1 → ReLU → 1"
    assert bn.loss(s, [[3]]) == 2.0
    np.testing.assert_array_equal(bn.backward(s, [[3]]).W1, [[-2e6, -2e6]])


def test_the_loop_takes_relu_prime_0_at_an_exact_decimal_0():
    s = bn.State.from_query("W1=-1.4,0.9,-1.5,-0.4,0.1&b1=-1.1&x1=1.2,0.3,-1.6,-0.3,-0.1")
    assert bn.forward(s).Y_z.tolist() == bn.forward_loop(s).Y_z.tolist() == [[0.0]]
    np.testing.assert_array_equal(bn.backward(s, [[0.5]]).W1, np.zeros((1, 5)))
    np.testing.assert_array_equal(bn.backward_loop(s, [[0.5]]).W1, np.zeros((1, 5)))


def test_a_tie_is_written_the_same_in_the_explanation_the_walk_and_the_worksheet():
    s = bn.State.from_query("W1=2.42,8.16,8.15&b1=-0.69&W2=1&b2=0&x1=3.4,-2.3,-7.5")  # H_z = −72.355 exactly
    assert bn.explain(s, "H_z", 0, 0).sum_text.endswith("≈ −72.36")
    assert [f.text for f in walk(s) if f.stage == "sum"][0].endswith("≈ −72.36")
    sheet = next(m for m in _matrices(s, "columns") if m.panel.result == "H_z")
    assert sheet.texts[0, 0] == "−72.36"


def test_a_rounded_gradient_says_it_is_rounded():
    # δ is 1106.5, written 1107: the sum as written would not add up, so it says "≈"
    s = bn.State(W1=[[1]], b1=[0], X=[[1106.5]])
    text = bn.explain_gradient(s, [[0]], "W1", 0, 0).text
    assert text == "dW1[y1, 1] = (1107·1107) / 1 ≈ 1.224e6 / 1 ≈ 1.224e6"
    whole = bn.explain_gradient(bn.State(W1=[[1]], b1=[0], X=[[3]]), [[0]], "W1", 0, 0).text
    assert whole == "dW1[y1, 1] = (3·3) / 1 = 9 / 1 = 9"


def test_minus_zero_is_zero_in_every_link_and_file():
    s = bn.State(W1=[[-0.0]], b1=[-0.0], W2=[[1]], b2=[0], X=[[-0.0]])
    assert not np.signbit(s.W1).any() and not np.signbit(s.X).any()  # every one of them is 0
    assert "-0" not in s.to_query() and bn.State.from_query(s.to_query()) == s
    assert json.loads(json.dumps(s.to_dict()))["W1"] == [[0]]
    assert ",-0" not in s.to_csv()
    assert format_number(-0.0) == "0"


@pytest.mark.parametrize("value, digits, text", [
    (-72.355, 4, "−72.36"), (72.345, 4, "72.35"), (0.125, 2, "0.13"), (1e-9, 4, "1e−9"), (-2.5e-7, 4, "−2.5e−7"),
    (123456.7, 4, "1.235e5"), (1234.5, 4, "1235"), (Fraction(2, 3), 4, "0.6667"), (Fraction(-1, 3), 4, "−0.3333"),
])
def test_numbers_are_rounded_half_away_from_zero_from_their_exact_value(value, digits, text):
    assert format_number(value, digits) == text


def test_a_value_too_small_for_a_double_is_still_that_value_and_not_switched_off():
    s = bn.State(W1=[[1e-200]], b1=[0], X=[[1e-200]])  # Y_z is 10⁻⁴⁰⁰ exactly; its float underflows to 0
    trace = bn.forward(s)
    assert trace.exact("Y_z")[0, 0] == Fraction(1, 10**400) and not trace.zeroed("Y")[0, 0]
    assert bn.explain(s, "Y_z", 0, 0).text == "1e−200·1e−200 + 0 = 1e−400 → ReLU → 1e−400"
    sheet = next(m for m in _matrices(s, "columns") if m.panel.result == "Y")
    assert sheet.texts[0, 0] == "1e−400" and not sheet.zeroed[0, 0]


def test_digits_between_int64_and_uint64_stay_exact():
    """999999.9999999999 beside 1e−13 is 9999999999999999000 at scale 13: past int64, where numpy once turned
    the list of digits into float64 and rounded the first to 10⁶."""
    from batchnet_core.nn.exact import Exact

    typed = [999999.9999999999, 1e-13]
    assert Exact.of(np.array(typed)).fractions().tolist() == [Fraction(repr(v)) for v in typed]
    state = bn.State(W1=[typed], b1=[0], X=[[1], [1]])
    assert bn.forward(state).exact("Y_z")[0, 0] == Fraction("999999.9999999999") + Fraction("1e-13")
    assert bn.forward(state).exact("Y_z").tolist() == bn.forward_loop(state).exact("Y_z").tolist()
