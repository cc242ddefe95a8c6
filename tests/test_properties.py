"""Properties that hold for every network and batch, checked on generated examples."""

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import batchnet_core as bn

sizes = st.integers(1, 6)
entries = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def states(draw, batch=None):
    """A network of 1 to MAX_DEPTH layers and a batch."""
    depth = draw(st.integers(1, bn.MAX_DEPTH))
    inputs, *widths = (draw(sizes) for _ in range(depth + 1))
    batch = batch or draw(sizes)
    layers = [(draw(arrays(float, (units, columns), elements=entries)), draw(arrays(float, (units,), elements=entries)))
              for columns, units in zip([inputs, *widths], widths)]
    return bn.State.from_layers(layers, draw(arrays(float, (inputs, batch), elements=entries)))


@given(states())
def test_batched_forward_equals_the_per_input_loop(state):
    batched, looped = bn.forward(state), bn.forward_loop(state)
    for (name, a), (_, b) in zip(batched.items(), looped.items()):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6, err_msg=name)


@given(states(), st.randoms(use_true_random=False))
def test_permuting_the_batch_permutes_the_outputs(state, random):
    order = list(range(state.X.shape[1]))
    random.shuffle(order)
    permuted = bn.forward(state.replace(X=state.X[:, order]))
    original = bn.forward(state)
    for (name, a), (_, b) in zip(permuted.items(), original.items()):
        np.testing.assert_allclose(a, b[:, order], rtol=1e-12, atol=1e-9, err_msg=name)


@given(states())
def test_each_column_depends_only_on_its_own_input(state):
    trace = bn.forward(state)
    for j in range(state.X.shape[1]):
        alone = bn.forward(state.replace(X=state.X[:, j : j + 1]))
        # a different batch width may take another BLAS kernel: equal up to rounding
        np.testing.assert_allclose(alone.Y, trace.Y[:, j : j + 1], rtol=1e-12, atol=1e-9)


@given(states())
def test_relu_outputs_are_never_negative_and_keep_positive_values(state):
    trace = bn.forward(state)
    assert len(trace.Z) == len(trace.A) == state.depth
    for Z, A in zip(trace.Z, trace.A):
        assert (A >= 0).all()
        np.testing.assert_array_equal(A[Z > 0], Z[Z > 0])


@given(states(), st.floats(0.01, 10))
def test_positive_scaling_with_zero_biases_scales_the_outputs(state, factor):
    zero = bn.State.from_layers([(W, np.zeros_like(b)) for W, b in state.layers], state.X)
    scaled = bn.forward(zero.replace(X=zero.X * factor)).Y
    np.testing.assert_allclose(scaled, bn.forward(zero).Y * factor, rtol=1e-9, atol=1e-6)


def bound(state):
    """Every result's largest possible magnitude: the forward pass on the magnitudes of its entries, each
    activation's output at most its sum's magnitude (ReLU, leaky ReLU, linear) or at most 1 (tanh, sigmoid)."""
    bounds, A = {}, np.abs(state.X)
    for layer, (W, b), activation in zip(bn.layers_of(state.depth), state.layers, state.activation_entries):
        Z = np.abs(W) @ A + np.abs(b)[:, None]
        A = Z if activation.keeps_decimals else np.ones_like(Z)
        bounds[layer.pre], bounds[layer.post] = Z, A
    return bounds


def rounding(bound):
    """How far float arithmetic may stray from the exact value: relative to the size of the sums, and at
    least a few of the smallest doubles (below 2.2e−308 the doubles are evenly spaced, 4.9e−324 apart)."""
    return 1e-12 * bound + 1e-320


@given(states())
def test_every_round_trip_is_lossless(state):
    assert bn.State.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert bn.State.from_query(state.to_query()) == state
    assert bn.State.from_layers(state.layers, state.X) == state
    namespace = {}
    exec(state.to_code().replace("print(", "(lambda *a: None)("), namespace)
    np.testing.assert_array_equal(namespace["X"], state.X)
    # the script's float products may differ from the exact value in the last place
    assert np.all(np.abs(namespace["Y"] - bn.forward(state).Y) <= rounding(bound(state)["Y"]))


@given(states(batch=3))
def test_explain_agrees_with_forward(state):
    trace = bn.forward(state)
    for layer in bn.layers_of(state.depth):
        for (row, col), value in np.ndenumerate(trace[layer.pre]):
            e = bn.explain(state, layer.pre, row, col)
            assert np.isclose(e.total, value, rtol=1e-9, atol=1e-6)
            assert e.activated >= 0


def assert_state_or_value_error(read, data):
    """Untrusted data gives a State or a ValueError with a message; any other exception fails."""
    try:
        result = read(data)
    except ValueError as error:
        assert str(error)
    else:
        assert isinstance(result, bn.State)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=3), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_garbage_dicts_raise_value_error_only(data):
    assert_state_or_value_error(bn.State.from_dict, data)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(bn.FIELDS), json_values, min_size=5, max_size=5))
def test_dicts_with_the_right_keys_and_garbage_values_raise_value_error_only(data):
    assert_state_or_value_error(bn.State.from_dict, data)


query_pieces = st.sampled_from(["W1=", "b1=", "W2=", "b2=", "x1=", "x2=", "&", ";", ",", "=", "%", "%zz", "1", "-2.5",
                                "nan", "1e308", "é", "\x00", "?", "x17="])


@settings(max_examples=300)
@given(st.text(max_size=60) | st.lists(query_pieces, max_size=30).map("".join))
def test_garbage_queries_raise_value_error_only(query):
    assert_state_or_value_error(bn.State.from_query, query)


@given(states(), st.sampled_from(["", "&theme=dark", "&token=abc&theme=light"]))
def test_a_page_link_gives_back_its_state(state, extra):
    from batchnet_core.convert import state_from_link

    assert state_from_link(state.to_query() + extra) == state


@given(states(), st.data())
def test_a_digit_of_another_script_anywhere_in_a_link_is_refused_by_name(state, data):
    """Python's float reads '١' (Arabic-Indic one) or '１' (fullwidth) as 1; a link does not."""
    query = state.to_query()
    in_values = [i for i, c in enumerate(query) if c.isdigit() and "=" in query[:i].rsplit("&", 1)[-1]]
    at = data.draw(st.sampled_from(in_values))
    other = data.draw(st.sampled_from([0x660, 0x6F0, 0x966, 0xFF10]))  # Arabic-Indic, Persian, Devanagari, fullwidth
    forged = query[:at] + chr(other + int(query[at])) + query[at + 1:]
    field = query[:at].rsplit("&", 1)[-1].split("=")[0]
    try:
        bn.State.from_query(forged)
    except ValueError as error:
        assert str(error).startswith(field) and "write digits 0-9" in str(error)
    else:
        raise AssertionError(f"{forged} was read")


link_pieces = st.sampled_from(["W1=", "b1=", "x1=", "x17=", "W5=", "T=", "seed=", "preset=", "theme=dark", "&", ";",
                               ",", "=", "+", "%", "%D9%A1", "1_0", "1", "-2.5", "٣"])


@settings(max_examples=300)
@given(st.text(max_size=60) | st.lists(link_pieces, max_size=30).map("".join))
def test_garbage_page_links_give_a_state_none_or_a_value_error(query):
    from batchnet_core.convert import state_from_link

    try:
        result = state_from_link(query)
    except ValueError as error:
        assert str(error)
    else:
        assert result is None or isinstance(result, bn.State)


json_texts = st.recursive(
    st.sampled_from(["1", "-2.5", "1" * 50, "9" * 5000 + ".5", "1e400", "NaN", "true", '"a"', "null"]),
    lambda inner: st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
    | st.lists(st.tuples(st.sampled_from(['"W1"', '"b1"', '"X"', '"W5"', '""']), inner), max_size=4).map(
        lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"),
    max_leaves=12,
)


@settings(max_examples=300)
@given(json_texts.map(str.encode) | st.binary(max_size=40) | st.sampled_from([b"[" * 50_000, b"\xef\xbb\xbf{}"]))
def test_garbage_files_raise_value_error_only(content):
    from batchnet_core.nn.formats import data_from_json

    try:
        assert isinstance(bn.State.from_dict(data_from_json(content)), bn.State)
    except ValueError as error:
        assert str(error) and "object at 0x" not in str(error) and "sys.set_int_max_str_digits" not in str(error)
