"""The table of activations: each entry's values worked out by hand on the worked example, carried by links
and files, kept by a step of training; the forward pass equals the per-input loop for every one of them."""

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import batchnet_core as bn
from batchnet_core.nn.activations import LEAKY_SLOPE

from test_properties import states


@pytest.fixture
def worked_layers(worked):
    return worked.layers, worked.X


# The worked example's sums H_z, by hand: x1 = [2, 1, 3] gives W1·x1 + b1 = [−1, 3, 5, 3]; x2 = [1, 1, 0] gives
# [−5, 2, 2, −1]; x3 = [0, 1, 1] gives [−5, 1, 3, −1]. Then Y_z = W2·H + b2 = [H1 + H2 − H3, H3 − H4 + 1].


def test_leaky_relu_by_hand_is_exact_in_the_decimals(worked_layers):
    # H = [−0.01, 3, 5, 3], [−0.05, 2, 2, −0.01], [−0.05, 1, 3, −0.01]
    # Y_z = [−2.01, 3], [−0.05, 3.01], [−2.05, 4.01]; leaky ReLU of it:
    state = bn.State.from_layers(*worked_layers, activations=["leaky_relu", "leaky_relu"])
    trace = bn.forward(state)
    assert trace.exact("Y").tolist() == [[Fraction("-0.0201"), Fraction("-0.0005"), Fraction("-0.0205")],
                                         [Fraction(3), Fraction("3.01"), Fraction("4.01")]]
    assert trace.H.tolist() == [[-0.01, -0.05, -0.05], [3, 2, 1], [5, 2, 3], [3, -0.01, -0.01]]


def test_tanh_then_sigmoid_by_hand(worked_layers):
    # tanh(H_z) for x1: [−0.7615942, 0.9950548, 0.9999092, 0.9950548];
    # Y_z = [−0.7615942 + 0.9950548 − 0.9999092, 0.9999092 − 0.9950548 + 1] = [−0.7664486, 1.0048544];
    # sigmoid(y) = 1 / (1 + e^−y): 0.3172, 0.7320 (and so on for x2, x3)
    state = bn.State.from_layers(*worked_layers, activations=("tanh", "sigmoid"))
    trace = bn.forward(state)
    np.testing.assert_allclose(trace.H[:, 0], [-0.7615942, 0.9950548, 0.9999092, 0.9950548], atol=1e-7)
    np.testing.assert_allclose(trace.Y_z[:, 0], [-0.7664486, 1.0048544], atol=1e-7)
    np.testing.assert_allclose(trace.Y, [[0.3172, 0.2690, 0.2256], [0.7320, 0.9385, 0.9403]], atol=5e-5)


def test_tanh_twice_and_linear_by_hand(worked_layers):
    tanh = bn.forward(bn.State.from_layers(*worked_layers, activations=("tanh", "tanh")))
    np.testing.assert_allclose(tanh.Y, [[-0.6449, -0.7616, -0.8436], [0.7636, 0.9915, 0.9920]], atol=5e-5)
    # linear: H = H_z, Y = Y_z = [H1 + H2 − H3, H3 − H4 + 1]
    linear = bn.forward(bn.State.from_layers(*worked_layers, activations=("linear", "linear")))
    assert linear.Y.tolist() == [[-3, -5, -7], [3, 4, 5]]


def test_the_default_is_relu_for_every_layer_and_the_worksheets_links_do_not_change(worked):
    assert worked.activations == ("relu", "relu") and worked.relu_only
    assert "activations" not in worked.to_query() and "activations" not in worked.to_dict()
    assert bn.State.from_layers(worked.layers, worked.X, activations=("relu", "relu")) == worked
    assert set(bn.ACTIVATIONS) == {"relu", "leaky_relu", "tanh", "sigmoid", "linear"}


def test_links_files_and_steps_carry_the_choice(worked):
    state = bn.State.from_layers(worked.layers, worked.X, activations=("tanh", "sigmoid"))
    assert state != worked
    assert state.to_query().endswith("&activations=tanh,sigmoid")
    assert bn.State.from_query(state.to_query()) == state
    assert bn.State.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert state.replace(b2=[0, 0]).activations == state.with_entry("W1", 0, 0, 2).activations == state.activations
    T = [[0, 1, 0], [1, 1, 1]]
    stepped = bn.sgd_step(state, T, 0.5)
    assert stepped.activations == ("tanh", "sigmoid") and bn.loss(stepped, T) < bn.loss(state, T)
    assert "activations=('tanh', 'sigmoid')" in repr(state)


@pytest.mark.parametrize("given_, message", [
    ("tanh", "activations must be a list of 2 names, one a layer"),
    (["tanh"], "activations: a network of 2 layers takes 2 names, one a layer; got 1"),
    (["tanh", "softmax"], "activations: layer 2's 'softmax' is not an activation; choose one of relu, leaky_relu, "
                          "tanh, sigmoid, linear"),
    (["tanh", 3], "activations: layer 2's 3 is not an activation"),
])
def test_a_wrong_choice_is_refused_by_name(worked, given_, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bn.State.from_layers(worked.layers, worked.X, activations=given_)


@pytest.mark.parametrize("query", ["activations=tanh", "activations=tanh,foo", "activations=" + "x," * 500,
                                   "activations=tanh,tanh&activations=relu,relu", "activations="])
def test_a_link_with_a_wrong_choice_gets_a_value_error(worked, query):
    with pytest.raises(ValueError, match="activations"):
        bn.State.from_query(f"{worked.to_query()}&{query}")


@pytest.mark.parametrize("data", [{"activations": "tanh,sigmoid"}, {"activations": ["tanh", 1]},
                                  {"activations": [["tanh"], "relu"]}])
def test_a_file_with_a_wrong_choice_gets_a_value_error(worked, data):
    with pytest.raises(ValueError, match="activations"):
        bn.State.from_dict({**worked.to_dict(), **data})


def test_each_entrys_slope_is_its_values_slope_and_its_kink():
    z = np.array([-2.5, -0.3, 0.4, 1.7])
    h = 1e-6
    for name, entry in bn.ACTIVATIONS.items():
        central = (entry.values(z + h) - entry.values(z - h)) / (2 * h)
        np.testing.assert_allclose(entry.slope(z, entry.values(z)), central, rtol=1e-6, err_msg=name)
        zero = np.array([0.0])
        assert entry.slope(zero, entry.values(zero))[0] == entry.kink, name
    assert bn.ACTIVATIONS["leaky_relu"].kink == LEAKY_SLOPE == 0.01  # PyTorch's nn.LeakyReLU default


@given(states(), st.data())
def test_forward_equals_the_per_input_loop_exactly_for_every_activation(state, data):
    chosen = [data.draw(st.sampled_from(list(bn.ACTIVATIONS))) for _ in range(state.depth)]
    state = state.replace(activations=chosen)
    batched, looped = bn.forward(state), bn.forward_loop(state)
    for name, _ in batched.items():
        assert batched.exact(name).tolist() == looped.exact(name).tolist(), name
        np.testing.assert_array_equal(batched[name], looped[name], err_msg=name)


SOFTPLUS = '''    "softplus": Activation(
        "softplus", "softplus", "softplus({z})", "softplus smooths ReLU: log(1 + e^sum)",
        values=lambda z: np.logaddexp(0.0, z) + 0.0,
        value_of=lambda v: float(np.logaddexp(0.0, v)),
        slope=lambda z, a: _sigmoid(np.asarray(z, dtype=float)),
        kink=0.5,
        exact=_from_floats(lambda v: math.log1p(math.exp(-abs(v))) + max(v, 0.0)),
        exact_of=_one_from_floats(lambda v: math.log1p(math.exp(-abs(v))) + max(v, 0.0)),
        exact_slope=lambda z, a: Exact.of(np.array([_sigmoid_of(float(v)) for v in z.floats().ravel()]).reshape(
            z.shape)),
        slope_of=lambda z, a: Fraction(repr(_sigmoid_of(float(z)))),
        zeroes=False, keeps_decimals=False, keeps_whole=False,
        numpy="np.logaddexp(0, {z})", torch="nn.Softplus()",
    ),
'''

ONE_ENTRY = r'''
import subprocess, tempfile
import numpy as np
import batchnet_core as bn
from batchnet_core.notation import panels
from batchnet_core.ui.playground import Playground
from batchnet_core.ui.train import Trainer, gradient_panels

s = bn.preset("three-inputs").replace(activations=("softplus", "relu"))
T = [[1, 0, 1], [2, 2, 2]]
t = bn.forward(s)
assert np.allclose(t.H, np.log1p(np.exp(t.H_z))) and bn.State.from_query(s.to_query()) == s
# backward: one entry against a central difference of the loss
g, h = bn.backward(s, T), 1e-6
up, down = s.with_entry("W1", 0, 0, 1 + h), s.with_entry("W1", 0, 0, 1 - h)
assert abs(g.W1[0, 0] - (bn.loss(up, T) - bn.loss(down, T)) / (2 * h)) < 1e-6
assert "→ softplus → ≈ 0.3133" in bn.explain(s, "H", 0, 0).text
assert "softplus′(H_z)" in bn.explain_delta(s, T, 1, 0, 0).text
assert any("→ softplus →" in frame.text for frame in bn.walk(s))
assert "H = softplus(H_z)" in [p.title for p in panels(s.sizes, "columns", s.activations)]
assert any("softplus′(H_z)" in p.title for row in gradient_panels(s.sizes, "columns", s.activations) for p in row)
namespace = {}
exec(s.to_code().replace("print(", "(lambda *a: None)("), namespace)
assert np.allclose(namespace["H"], t.H) and "nn.Softplus()" in s.to_code(framework="torch")
with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
    bn.worksheet_pdf(s, pdf.name)
    text = subprocess.run(["pdftotext", pdf.name, "-"], capture_output=True, text=True, check=True).stdout
assert "H = softplus(H_z)" in text and "softplus smooths ReLU" in text
# the page's choice: 05's drop-down offers it, and choosing it shows the network with it
playground = Playground()
picker = playground.activations.pickers[0]
assert "softplus" in [value for _, value in picker.options]
picker.value = "softplus"
assert playground.app.state.activations == ("softplus", "relu")
assert "softplus" in playground.app.views.layout["H"].title
trainer = Trainer()
trainer.activations.pickers[1].value = "softplus"
assert trainer.app.state.activations == ("relu", "softplus")
print("one entry")
'''


def test_an_activation_added_to_the_table_alone_reaches_every_part(tmp_path):
    """Softplus, added as one entry of ACTIVATIONS in a copy of the package and nowhere else, goes through
    forward and backward, links, titles, explain, the step-through, δ, the numpy and PyTorch code, the worksheet
    and the choice on pages 05 and 06."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / "batchnet_core"
    shutil.copytree(Path(bn.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "nn" / "activations.py"
    source = table.read_text()
    assert source.count('    "linear": Activation(\n') == 1
    table.write_text(source.replace('    "linear": Activation(\n', SOFTPLUS + '    "linear": Activation(\n'))
    done = subprocess.run([sys.executable, "-c", ONE_ENTRY], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "one entry"


def test_the_csv_names_each_layers_activation_after_its_matrices(worked):
    rows = worked.replace(activations=("leaky_relu", "linear")).to_csv().splitlines()
    assert rows[-2:] == ["activation,1,1,leaky_relu", "activation,2,1,linear"]
    assert not any(row.startswith("activation,") for row in worked.to_csv().splitlines())


def test_each_entrys_exact_slope_and_the_loops_own_agree_and_take_the_kink_at_0():
    from batchnet_core.nn.exact import Exact

    z = Exact.of(np.array([-2.5, 0.0, 0.4, 1.5]))
    for name, entry in bn.ACTIVATIONS.items():
        a = entry.exact(z)
        batched = entry.exact_slope(z, a).fractions().tolist()
        looped = [entry.slope_of(q, entry.exact_of(q)) for q in z.fractions().tolist()]
        assert batched == looped, name
        assert batched[1] == Fraction(repr(entry.kink)), name  # at z = 0


def test_a_resize_keeps_each_layers_activation_that_is_still_there():
    state = bn.random_state(1, (3, 4, 4, 4, 2, 3)).replace(activations=("relu", "tanh", "sigmoid", "linear"))
    assert bn.resize(state, (3, 4, 4, 4, 2, 5)).activations == ("relu", "tanh", "sigmoid", "linear")
    assert bn.resize(state, (3, 4, 4, 2, 3)).activations == ("relu", "tanh", "linear")
    assert bn.resize(state, (3, 2, 3)).activations == ("linear",)
    assert bn.resize(bn.resize(state, (3, 2, 3)), (3, 4, 2, 3)).activations == ("relu", "linear")


def test_a_class_set_keeps_the_activations_on_every_version(worked):
    from batchnet_core.worksheet import _versions

    state = worked.replace(activations=("tanh", "sigmoid"))
    assert [s.activations for s in _versions(state, 3, 0)] == [("tanh", "sigmoid")] * 3


def test_exercises_are_of_relus_network_and_say_so(worked):
    from batchnet_core.gradient_exercises import authored_gradient_exercise

    tanh = worked.replace(activations=("tanh", "relu"))
    with pytest.raises(ValueError, match="an exercise's network is the worksheet's, ReLU in every layer"):
        bn.Exercise(tanh, [bn.Cell("H", 0, 0)])
    with pytest.raises(ValueError, match="a gradient exercise's network is the worksheet's, ReLU in every layer"):
        authored_gradient_exercise(tanh, [[1, 0, 1], [2, 2, 2]], "W2", 1, 2)


def test_a_link_gives_activations_to_a_preset_a_seeded_network_or_a_full_state():
    from batchnet_core.convert import state_from_link

    assert state_from_link("preset=three-inputs&activations=tanh,relu").activations == ("tanh", "relu")
    full = bn.preset("three-inputs").replace(activations=("linear", "sigmoid"))
    assert state_from_link(full.to_query()) == full
    assert state_from_link("seed=3&activations=tanh,tanh") is None  # the page draws the seed's network
    with pytest.raises(ValueError, match="activations: a network of 2 layers takes 2 names"):
        state_from_link("preset=three-inputs&activations=tanh")
