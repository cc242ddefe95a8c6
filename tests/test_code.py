"""State.to_code in each convention and framework: every script, run on its own, reproduces forward."""

import contextlib
import io
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import batchnet_core as bn
from batchnet_core import code as code_module
from batchnet_core.code import COMMENT_WIDTH, CONVENTIONS, FRAMEWORKS

from test_core import HAND_H, HAND_H_Z, HAND_Y, HAND_Y_Z
from test_properties import bound, rounding, states

#: Every convention and framework a script can be written in: all but augmented with torch.
ALLOWED = [(convention, framework) for framework in FRAMEWORKS for convention in CONVENTIONS
           if (convention, framework) != ("augmented", "torch")]
#: Seeded states of depth 1 to 4: (inputs, units of each layer..., batch).
SIZES = [(2, 3, 4), (3, 4, 2, 3), (3, 4, 4, 2, 3), (2, 3, 3, 3, 2, 4)]


@pytest.fixture(params=ALLOWED, ids=lambda pair: "-".join(pair))
def notation(request):
    """(convention, framework); torch's are skipped, or fail under CI, without PyTorch."""
    if request.param[1] == "torch":
        request.getfixturevalue("torch")
    return request.param


def laid_out(array, convention):
    """A result of forward (one column per input) as the script lays it out."""
    return np.asarray(array).T if convention == "rows" else np.asarray(array)


def run_here(script):
    """The script's names, run in a namespace, and what it printed."""
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "to_code", "exec"), namespace)
    return namespace, printed.getvalue()


def run_alone(script, tmp_path):
    """What the script prints run as its own Python process, in an empty folder."""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=tmp_path).stdout


def printed_results(text):
    """Each printed ``name =`` and the numbers under it, as numpy prints arrays or torch tensors."""
    results = {}
    for name, value in re.findall(r"^(\w+) =\n(.*?)\n\n", text, re.S | re.M):
        value = re.sub(r"dtype=torch\.\w+|tensor", "", value)
        results[name] = [float(number) for number in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", value)]
    return results


def assert_reproduces(namespace, state, convention, exact):
    """The script's X and every result equal forward's, laid out as the convention lays them out.

    Exact for whole numbers; otherwise up to rounding, which grows with the size of the sums (the
    scripts add in another order than forward, and leave what rounding leaves of a zero sum).
    """
    trace = bn.forward(state)
    np.testing.assert_array_equal(np.asarray(namespace["X"]), laid_out(state.X, convention))
    for name in bn.result_names(state.depth):
        actual, expected = np.asarray(namespace[name]), laid_out(trace[name], convention)
        assert actual.shape == expected.shape, name
        if exact:
            np.testing.assert_array_equal(actual, expected, err_msg=name)
        else:
            assert np.all(np.abs(actual - expected) <= rounding(laid_out(bound(state)[name], convention))), name



@pytest.mark.parametrize("integers", [True, False], ids=["whole", "decimal"])
@pytest.mark.parametrize("sizes", SIZES, ids=lambda sizes: f"depth{len(sizes) - 2}")
def test_every_script_reproduces_forward_at_every_depth(notation, sizes, integers):
    convention, framework = notation
    state = bn.random_state(7, sizes, integers=integers)
    namespace, printed = run_here(state.to_code(convention=convention, framework=framework))
    assert_reproduces(namespace, state, convention, exact=integers)
    assert list(printed_results(printed)) == list(bn.result_names(state.depth))


@pytest.mark.parametrize("convention, framework", ALLOWED, ids=["-".join(pair) for pair in ALLOWED])
def test_generated_networks_give_forward_in_every_notation(convention, framework, request):
    if framework == "torch":
        request.getfixturevalue("torch")

    @given(states(), st.data())
    def check(state, data):  # each layer's activation any of the table's
        state = state.replace(activations=[data.draw(st.sampled_from(list(bn.ACTIVATIONS))) for _ in state.layers])
        namespace, _ = run_here(state.to_code(convention=convention, framework=framework))
        assert_reproduces(namespace, state, convention, exact=False)

    check()


@pytest.mark.parametrize("sizes", [SIZES[0], SIZES[-1]], ids=["depth1", "depth4"])
def test_a_script_run_alone_prints_every_result_of_forward(notation, sizes, tmp_path):
    convention, framework = notation
    state = bn.random_state(3, sizes)
    printed = printed_results(run_alone(state.to_code(convention=convention, framework=framework), tmp_path))
    trace = bn.forward(state)
    assert list(printed) == list(bn.result_names(state.depth))
    for name, numbers in printed.items():
        assert numbers == laid_out(trace[name], convention).ravel().tolist(), name


# The worked example's results as each notation prints them, from the hand values of test_core:
# columns and augmented as the worksheet writes them, rows transposed (one row per input).
HAND = {"H_z": HAND_H_Z, "H": HAND_H, "Y_z": HAND_Y_Z, "Y": HAND_Y}
HAND_Y_ROWS = [[0, 3], [0, 3], [0, 4]]  # y1, y2 for x1, x2, x3


def test_the_worked_example_run_alone_prints_the_hand_results(notation, worked, tmp_path):
    convention, framework = notation
    text = run_alone(worked.to_code(convention=convention, framework=framework), tmp_path)
    printed = printed_results(text)
    expected = HAND_Y_ROWS if convention == "rows" else HAND_Y
    assert printed["Y"] == [number for row in expected for number in row]
    for name, hand in HAND.items():
        assert printed[name] == np.ravel(laid_out(hand, convention)).tolist(), name
    assert "." not in text  # whole numbers print as whole numbers: 3, not 3.


def test_the_worked_example_in_rows_and_augmented_reads_as_by_hand(worked):
    rows, _ = run_here(worked.to_code(convention="rows"))
    assert rows["X"].tolist() == [[2, 1, 3], [1, 1, 0], [0, 1, 1]]  # x1, x2, x3, one a row
    assert rows["Y"].tolist() == HAND_Y_ROWS
    augmented, _ = run_here(worked.to_code(convention="augmented"))
    assert augmented["W1_aug"].tolist() == [[1, -1, 1, -5], [1, 1, 0, 0], [0, 1, 1, 1], [1, 0, 1, -2]]
    assert augmented["W2_aug"].tolist() == [[1, 1, -1, 0, 0], [0, 0, 1, -1, 1]]
    assert augmented["X_aug"].tolist() == [[2, 1, 0], [1, 1, 1], [3, 0, 1], [1, 1, 1]]
    assert augmented["H_aug"].tolist() == [*HAND_H, [1, 1, 1]]
    assert augmented["Y"].tolist() == HAND_Y


def test_each_notation_writes_its_own_products(worked):
    lines = {pair: worked.to_code(*pair).splitlines() for pair in ALLOWED}
    assert "H_z = W1 @ X + b1[:, None]" in lines["columns", "numpy"]
    assert "H_z = X @ W1.T + b1" in lines["rows", "numpy"]
    assert "H_z = W1_aug @ X_aug" in lines["augmented", "numpy"]
    assert "X = torch.stack([x1, x2, x3], dim=1)" in lines["columns", "torch"]
    assert "    H_z = model[0](X.T).T  # W1·X + b1" in lines["columns", "torch"]
    assert "    H_z = model[0](X)  # X·W1ᵀ + b1" in lines["rows", "torch"]
    for framework in "rows", "columns":
        at = lines[framework, "torch"].index("# nn.Linear stores W as out × in and takes one input per row:")
        assert lines[framework, "torch"][at + 1] == "# Y = X·Wᵀ + b"


def split_comments(script: str) -> tuple[list[str], list[str]]:
    """A script's code lines without their comments, and the words of its comments, in order."""
    code, words = [], []
    for line in script.splitlines():
        before, _, comment = line.partition("# ")
        words += comment.split()
        if before.strip() or not comment:
            code.append(before.rstrip())
    return code, words


@pytest.mark.parametrize("sizes", [(3, 4, 2, 3), (8, 8, 8, 8, 8, 16)])
def test_every_comment_fits_the_code_panel_and_keeps_every_word(notation, sizes, monkeypatch):
    """The page's code panel shows 72 columns whole: a longer comment is wrapped, never cut; the code
    and the comments' words are those of the script unwrapped."""
    state = bn.random_state(2, sizes, integers=False)
    wrapped = state.to_code(*notation)
    for line in wrapped.splitlines():
        assert "#" not in line or len(line) <= COMMENT_WIDTH, line
    monkeypatch.setattr(code_module, "COMMENT_WIDTH", 10**6)
    assert split_comments(wrapped) == split_comments(state.to_code(*notation))


def test_deeper_networks_name_their_results_as_the_layers_table():
    state = bn.random_state(1, (3, 4, 4, 2, 3))
    code = state.to_code(convention="augmented")
    assert "H2_z = W2_aug @ H1_aug" in code and "Y_z = W3_aug @ H2_aug" in code
    assert "    H2_z = model[2](H1)  # H1·W2ᵀ + b2" in state.to_code(convention="rows", framework="torch")


def test_torch_prints_whole_numbers_whole_only_where_float64_holds_them_exactly(torch):
    assert "value.long()" in bn.random_state(2).to_code(framework="torch")
    assert "value.long()" not in bn.random_state(2, integers=False).to_code(framework="torch")
    W, X = np.full((16, 16), 1e6), np.full((16, 16), 1e6)
    huge = bn.State.from_layers([(W, np.zeros(16))] * 2, X)  # Y's sums reach 2.56e20, past 2**53
    script = huge.to_code(convention="rows", framework="torch")
    assert "value.long()" not in script
    assert_reproduces(run_here(script)[0], huge, "rows", exact=False)


def test_the_default_is_the_worksheets_numpy_script(worked):
    assert worked.to_code() == worked.to_code(convention="columns", framework="numpy") == DEFAULT_WORKED


@pytest.mark.parametrize("arguments, message", [
    ({"convention": "cols"}, "convention must be one of columns, rows, augmented; got 'cols'"),
    ({"convention": "Rows"}, "convention must be one of columns, rows, augmented; got 'Rows'"),
    ({"convention": 2}, "convention must be one of columns, rows, augmented; got 2 (int)"),
    ({"framework": "tensorflow"}, "framework must be one of numpy, torch; got 'tensorflow'"),
    ({"framework": None}, "framework must be one of numpy, torch; got None (NoneType)"),
    ({"framework": ["torch"]}, "framework must be one of numpy, torch; got ['torch'] (list)"),
    ({"convention": "augmented", "framework": "torch"},
     "convention='augmented' is for framework='numpy' only: nn.Linear keeps its bias apart from W, "
     "so with framework='torch' convention must be 'columns' or 'rows'"),
])
def test_refused_arguments_say_what_is_expected(worked, arguments, message):
    with pytest.raises(ValueError) as refused:
        worked.to_code(**arguments)
    assert str(refused.value) == message


def test_a_long_wrong_argument_is_cut_short(worked):
    with pytest.raises(ValueError) as refused:
        worked.to_code(convention="x" * 1000)
    assert str(refused.value).endswith(f"; got '{'x' * 20}'")


DEFAULT_WORKED = '''import numpy as np

# The network: one row of weights per unit, one bias per unit
W1 = np.array([[1, -1, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]])
b1 = np.array([-5, 0, 1, -2])
W2 = np.array([[1, 1, -1, 0], [0, 0, 1, -1]])
b2 = np.array([0, 1])

# The batch: each input vector is one column of X
x1 = np.array([2, 1, 3])
x2 = np.array([1, 1, 0])
x3 = np.array([0, 1, 1])
X = np.column_stack([x1, x2, x3])

# Every input at once: each cell is
# (row of weights) · (column of X) + bias
H_z = W1 @ X + b1[:, None]
H = np.maximum(H_z, 0)  # ReLU
Y_z = W2 @ H + b2[:, None]
Y = np.maximum(Y_z, 0)  # ReLU

for name, value in [("H_z", H_z), ("H", H), ("Y_z", Y_z), ("Y", Y)]:
    print(f"{name} =\\n{value}\\n")
'''


@pytest.mark.parametrize("convention", ["columns", "rows", "augmented"])
def test_whole_numbers_too_large_for_int64_are_computed_as_forward_does(convention):
    # entries of 10⁶, 16 wide, two layers: Y = 16 · (16 · 10⁶ · 10⁶) · 10⁶ passes int64's 9.2e18
    big = bn.State.from_layers([(np.full((16, 16), 1e6), np.zeros(16)), (np.full((2, 16), 1e6), np.zeros(2))],
                               np.full((16, 2), 1e6))
    namespace = {}
    exec(big.to_code(convention=convention).replace("print(", "(lambda *a: None)("), namespace)
    expected = bn.forward(big).Y
    shown = namespace["Y"].T if convention == "rows" else namespace["Y"]
    np.testing.assert_allclose(shown, expected, rtol=1e-12)
    assert expected[0, 0] == 16 * (16 * 1e6 * 1e6) * 1e6  # 2.56e20: not an int64 overflow
