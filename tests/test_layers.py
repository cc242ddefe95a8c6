"""One table of layers: states of 1 to 4 layers, their names, and everything that iterates them."""

import json

import numpy as np
import pytest

import batchnet_core as bn
from batchnet_core.exercises import Cell, check_answer

W3 = [[1, -1], [0, 2]]
b3 = [1, -3]


@pytest.fixture
def three(worked):
    """The worked example with a third layer after Y: 2 outputs of the old second layer become h2."""
    return bn.State.from_layers([(worked.W1, worked.b1), (worked.W2, worked.b2), (W3, b3)], worked.X)


def test_from_layers_gives_the_same_state_as_the_named_fields(worked):
    again = bn.State.from_layers([(worked.W1, worked.b1), (worked.W2, worked.b2)], worked.X)
    assert again == worked and again.depth == 2
    for (W, b), (W_named, b_named) in zip(again.layers, [(worked.W1, worked.b1), (worked.W2, worked.b2)]):
        np.testing.assert_array_equal(W, W_named)
        np.testing.assert_array_equal(b, b_named)
    assert all(not array.flags.writeable for pair in again.layers for array in pair)


def test_a_third_layer_by_hand(three):
    # H2 = ReLU(W2·H + b2) is the old Y: [[0, 0, 0], [3, 3, 4]]; then W3 row 1 = [1, -1], b3 = 1:
    # 0 - 3 + 1 = -2, 0 - 3 + 1 = -2, 0 - 4 + 1 = -3; row 2 = [0, 2], b3 = -3: 6 - 3 = 3, 3, 8 - 3 = 5
    t = bn.forward(three)
    assert three.depth == 3 and three.sizes == (3, 4, 2, 2, 3)
    assert [name for name, _ in t.items()] == ["H1_z", "H1", "H2_z", "H2", "Y_z", "Y"]
    np.testing.assert_array_equal(t.Z[2], [[-2, -2, -3], [3, 3, 5]])
    np.testing.assert_array_equal(t.Y, [[0, 0, 0], [3, 3, 5]])
    np.testing.assert_array_equal(t["H2"], [[0, 0, 0], [3, 3, 4]])
    np.testing.assert_array_equal(t.A[0], t["H1"])
    with pytest.raises(AttributeError):
        _ = t.H  # three layers have H1 and H2, not H


def test_one_layer_is_y_of_x(worked):
    one = bn.State.from_layers([(worked.W1, worked.b1)], worked.X)
    t = bn.forward(one)
    assert one.sizes == (3, 4, 3) and [name for name, _ in t.items()] == ["Y_z", "Y"]
    np.testing.assert_array_equal(t.Y_z, bn.forward(worked).H_z)
    assert repr(one) == "State(inputs=3, outputs=4, batch=3)"


def test_the_two_layer_names_are_the_depth_two_names(worked):
    t = bn.forward(worked)
    assert (t.H_z is t.Z[0]) and (t.H is t.A[0]) and (t.Y_z is t.Z[1]) and (t.Y is t.A[1])
    assert bn.result_names(2) == bn.RESULTS == ("H_z", "H", "Y_z", "Y")
    assert bn.field_names(2) == bn.FIELDS
    assert repr(worked) == "State(inputs=3, hidden=4, outputs=2, batch=3)"


@pytest.mark.parametrize("layers, message", [
    ([], "a network has 1 to 4 layers, each a (W, b) pair; got 0"),
    ([([[1]], [0])] * 5, "a network has 1 to 4 layers, each a (W, b) pair; got 5"),
    ("W1", "layers must be a list of (W, b) pairs; got str"),
    ([([[1]], [0]), ([[1]],)], "layer 2 must be a pair (W2, b2); got tuple"),
    ([([[1]], [0]), ([[1, 2]], [0]), ([[1]], [0])],
     "W2 must have shape (hidden × hidden) with 1 column, because W1 has 1 row (hidden units); got (1 × 2). "
     "Did you mean W2.T?"),
    ([([[1]], [0]), ([[1], [2]], [0, 0]), ([[1, 2], [3, 4]], [0])],
     "b3 must have one entry per output (one per row of W3): length 2; got length 1"),
    ([([[1]], [0]), ([[1]], [0]), ([[1, 2]], [0])],
     "W3 must have shape (outputs × hidden) with 1 column, because W2 has 1 row (hidden units); got (1 × 2). "
     "Did you mean W3.T?"),
])
def test_a_wrong_layer_is_named_with_the_fix(layers, message):
    with pytest.raises(ValueError) as refused:
        bn.State.from_layers(layers, [[1]])
    assert str(refused.value) == message


def test_named_fields_must_be_complete(worked):
    with pytest.raises(TypeError, match="needs exactly W1, b1, W2, b2, W3, b3, X: missing b3"):
        bn.State(**dict(worked.items()), W3=W3)
    with pytest.raises(TypeError, match="unknown W5"):
        bn.State(W1=[[1]], b1=[0], W5=[[1]], X=[[1]])


def test_every_format_carries_any_depth(three):
    assert bn.State.from_dict(json.loads(json.dumps(three.to_dict()))) == three
    assert list(three.to_dict()) == ["W1", "b1", "W2", "b2", "W3", "b3", "X"]
    assert bn.State.from_query(three.to_query()) == three
    assert "&W3=1,-1;0,2&b3=1,-3&x1=" in three.to_query()
    csv = three.to_csv().splitlines()
    assert "W3,2,2,2" in csv and "b3,2,1,-3" in csv and "Y_z,2,3,5" in csv and "H2,2,3,4" in csv
    from batchnet_core.convert import state_from_link
    assert state_from_link(three.to_query() + "&theme=dark") == three


def test_a_dict_with_a_gap_in_its_layers_names_the_missing_keys(three):
    data = three.to_dict()
    del data["W2"], data["b2"]
    with pytest.raises(ValueError, match="a state needs exactly the keys W1, b1, W2, b2, W3, b3, X: missing W2, b2"):
        bn.State.from_dict(data)


def test_explain_at_any_depth_names_the_layer_before(three):
    e = bn.explain(three, "Y", 1, 2)
    assert e.heading == "Y_z[y2, x3] = (W3 row y2) · (H2 column x3) + b3[y2]"
    assert e.text == "0·0 + 2·4 + (−3) = 5 → ReLU → 5"
    assert bn.explain(three, "H2_z", 0, 0).heading == "H2_z[h2.1, x1] = (W2 row h2.1) · (H1 column x1) + b2[h2.1]"
    with pytest.raises(ValueError, match="layer must be one of H1_z, H1, H2_z, H2, Y_z, Y; got 'H'"):
        bn.explain(three, "H", 0, 0)


def test_the_explanations_first_line_is_the_worksheets(worked):
    assert bn.explain(worked, "H_z", 2, 1).heading == "H_z[h3, x2] = (W1 row h3) · (x2) + b1[h3]"
    assert bn.explain(worked, "Y", 1, 2).heading == "Y_z[y2, x3] = (W2 row y2) · (H column x3) + b2[y2]"


def test_the_mistakes_of_a_third_layer_are_named_by_its_own_layers(three):
    # W3 row y1 · H2_z column x1 + b3: H2_z[:, 0] = W2·H + b2 at x1 = [-2, 3]... ReLU skipped gives 1·(-2) - 3 + 1
    t = bn.forward(three)
    skipped = np.array(W3[0]) @ t["H2_z"][:, 0] + b3[0]
    assert skipped != t.Z[2][0, 0]
    feedback = check_answer(three, Cell("Y_z", 0, 0), str(skipped))
    assert feedback.mistake == "relu-wrong-layer"
    assert "Layer 3 takes H2 = ReLU(H2_z) as input, not H2_z." in feedback.message
    assert Cell("H2", 1, 0).label == "H2[h2.2, x1]"


@pytest.mark.parametrize("depth", range(1, bn.MAX_DEPTH + 1))
def test_random_and_resized_states_of_every_depth(depth, worked):
    sizes = (3, *([4] * (depth - 1)), 2, 3)
    state = bn.random_state(seed=3, sizes=sizes)
    assert state.depth == depth and state.sizes == sizes
    resized = bn.resize(worked, sizes, seed=1)
    assert resized.sizes == sizes
    np.testing.assert_array_equal(resized.W1[:, :3], worked.W1[: resized.W1.shape[0]])
    assert bn.parameter_count(state) == sum(W.size + b.size for W, b in state.layers)


def test_the_two_layer_random_state_is_what_it_always_was():
    # drawn in the order W1, b1, W2, b2, X: seeds in shared links keep their states
    state = bn.random_state(seed=5)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(state.W1, rng.integers(-3, 4, size=(4, 3)))
    np.testing.assert_array_equal(state.b1, rng.integers(-3, 4, size=(4,)))


def test_sizes_of_a_fifth_layer_are_refused():
    with pytest.raises(ValueError, match="sizes must be 3 to 6 whole numbers"):
        bn.random_state(sizes=(3, 4, 4, 4, 4, 2, 3))


def test_imports_within_the_package_run_one_way():
    """No module imports one that imports it back, not even inside a function."""
    import ast
    from pathlib import Path

    root = Path(bn.__file__).parent
    graph = {}
    for path in root.rglob("*.py"):
        module = ".".join(("batchnet_core", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
                targets |= {name} if node.module else {f"{base}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("batchnet_core"):
                targets.add(node.module)
        graph[module] = {t for t in targets if t != module}

    def reaches(start, goal, seen=()):
        return any(t == goal or (t not in seen and reaches(t, goal, (*seen, t))) for t in graph.get(start, ()))

    circles = sorted(m for m in graph if not m.endswith("__init__") and m != "batchnet_core" and reaches(m, m))
    assert not circles
    assert "batchnet_core.convert" not in graph["batchnet_core.nn.state"]


def test_a_fifth_layer_is_allowed_by_changing_one_line(tmp_path):
    """MAX_DEPTH in layers.py is the only limit: raised to 5 in a copy of the package, a five-layer
    network goes through the core and the app."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / "batchnet_core"
    shutil.copytree(Path(bn.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "nn" / "layers.py"
    source = table.read_text()
    assert source.count("MAX_DEPTH = 4\n") == 1
    table.write_text(source.replace("MAX_DEPTH = 4\n", "MAX_DEPTH = 5\n"))
    script = """
import json
import numpy as np
import batchnet_core as bn
from batchnet_core.ui.app import BatchApp
s = bn.random_state(seed=2, sizes=(3, 4, 4, 3, 3, 2, 3))
t = bn.forward(s)
assert s.depth == 5 and [name for name, _ in t.items()][-4:] == ["H4_z", "H4", "Y_z", "Y"]
assert bn.State.from_dict(json.loads(json.dumps(s.to_dict()))) == s == bn.State.from_query(s.to_query())
assert "W5,2,3," in s.to_csv()
namespace = {}
exec(s.to_code().replace("print(", "(lambda *a: None)("), namespace)
np.testing.assert_array_equal(namespace["Y"], t.Y)
assert bn.explain(s, "Y", 1, 0).heading.startswith("Y_z[y2, x1] = (W5 row y2) · (H4 column x1)")
app = BatchApp(s)
assert "H4_z" in app.views.widget.tables["values"] and ("W5", 1, 2) in app.entries
app.explain_cell("H3,2,1")
print("five layers")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "five layers"


def test_a_notation_is_added_in_the_notation_table_alone(tmp_path):
    """A new entry in NOTATIONS (here the rows notation under a second name) reaches the page's
    switch, the heat maps, the explanation, the code and the printed worksheet, with no other change."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / "batchnet_core"
    shutil.copytree(Path(bn.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "notation.py"
    source = table.read_text()
    entry = '''    "augmented": Notation("augmented", "[W | b]·[X; 1] (bias in W)", augmented=True),\n'''
    assert source.count(entry) == 1
    added = '''    "pytorch": Notation("pytorch", "as nn.Linear does", transposed=True),\n'''
    table.write_text(source.replace(entry, entry + added))
    script = """
import io
import batchnet_core as bn
from batchnet_core.ui.app import BatchApp
s = bn.preset("three-inputs")
app = BatchApp(s)
assert ("as nn.Linear does", "pytorch") in app.notation_picker.options
app.notation_picker.value = "pytorch"
assert app.views.layout["H_z"].title == "H_z = X·W1ᵀ + b1" and app.views.layout["H_z"].row_labels == ["x1", "x2", "x3"]
assert "X @ W1.T + b1" in app.code.value and "as nn.Linear does" in app.code_title.value
app.explain_cell("H_z,2,1")
assert "H_z[x2, h3] = (x2) · (W1ᵀ column h3) + b1[h3]" in app.explanation.value
assert s.to_code(convention="pytorch") == s.to_code(convention="rows")
assert bn.worksheet_pdf(s, io.BytesIO(), "pytorch").getvalue().startswith(b"%PDF")
print("a fourth notation")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "a fourth notation"
