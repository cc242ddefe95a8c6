"""The worked example by hand, the error messages, and the conversions."""

import json
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest

import batchnet_core as bn

# Worked out on paper from the exercise, one dot product at a time, e.g.
# H_z[0, 0] = 1·2 + (−1)·1 + 1·3 + (−5) = −1 and Y_z[1, 2] = 1·3 + (−1)·0 + 1 = 4.
HAND_H_Z = [[-1, -5, -5], [3, 2, 1], [5, 2, 3], [3, -1, -1]]
HAND_H = [[0, 0, 0], [3, 2, 1], [5, 2, 3], [3, 0, 0]]
HAND_Y_Z = [[-2, 0, -2], [3, 3, 4]]
HAND_Y = [[0, 0, 0], [3, 3, 4]]


@pytest.mark.parametrize("run", [bn.forward, bn.forward_loop])
def test_worked_example_matches_the_hand_computation(worked, run):
    trace = run(worked)
    np.testing.assert_array_equal(trace.H_z, HAND_H_Z)
    np.testing.assert_array_equal(trace.H, HAND_H)
    np.testing.assert_array_equal(trace.Y_z, HAND_Y_Z)
    np.testing.assert_array_equal(trace.Y, HAND_Y)


def test_worked_example_inputs_are_the_columns_of_X(worked):
    np.testing.assert_array_equal(worked.X[:, 0], [2, 1, 3])
    np.testing.assert_array_equal(worked.X[:, 1], [1, 1, 0])
    np.testing.assert_array_equal(worked.X[:, 2], [0, 1, 1])
    assert worked.sizes == (3, 4, 2, 3)


def test_parameter_count(worked):
    assert bn.parameter_count(worked) == 4 * (3 + 1) + 2 * (4 + 1) == 26
    assert bn.parameter_count(bn.random_state(0, sizes=(5, 7, 3, 2))) == 7 * 6 + 3 * 8


def test_one_input_preset_is_the_first_column(worked):
    one = bn.preset("one-input")
    assert one.sizes == (3, 4, 2, 1)
    np.testing.assert_array_equal(bn.forward(one).Y[:, 0], HAND_Y[0][:1] + HAND_Y[1][:1])


def test_explain_spells_out_one_dot_product(worked):
    e = bn.explain(worked, "H_z", 0, 0)
    assert e.terms == [(1, 2, 2), (-1, 1, -1), (1, 3, 3)]
    assert (e.bias, e.total, e.activated) == (-5, -1, 0)
    assert e.text == "1·2 + (−1)·1 + 1·3 + (−5) = −1 → ReLU → 0"
    assert (e.weights, e.source) == ("W1", "X")


def test_explain_second_layer_uses_the_hidden_column(worked):
    e = bn.explain(worked, "Y", 1, 2)
    assert e.layer == "Y_z" and e.source == "H"
    assert [v for _, v, _ in e.terms] == [0, 1, 3, 0]
    assert e.text == "0·0 + 0·1 + 1·3 + (−1)·0 + 1 = 4 → ReLU → 4"


@pytest.mark.parametrize(
    "args, message",
    [
        (("Q", 0, 0), "layer must be one of H_z, H, Y_z, Y; got 'Q'"),
        (("H_z", 4, 0), "row must be a whole number from 0 to 3 for H_z; got 4"),
        (("Y_z", 0, 3), "col must be a whole number from 0 to 2 for Y_z; got 3"),
    ],
)
def test_explain_rejects_cells_that_do_not_exist(worked, args, message):
    with pytest.raises(ValueError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        bn.explain(worked, *args)


def fields(**changes):
    base = bn.preset("three-inputs").to_dict()
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "changes, error, pattern",
    [
        (dict(W1=np.array(fields()["W1"]).T), ValueError,
         r"W1 must have shape \(hidden × inputs\) with 3 columns, because X has 3 rows \(inputs\); "
         r"got \(3 × 4\)\. Did you mean W1\.T\?"),
        (dict(W2=np.array(fields()["W2"]).T), ValueError, r"W2 must have shape .*got \(4 × 2\)\. Did you mean W2\.T\?"),
        (dict(b1=[1, 2, 3]), ValueError, r"b1 must have one entry per hidden unit .*length 4; got length 3"),
        (dict(b2=[1]), ValueError, r"b2 must have one entry per output .*length 2; got length 1"),
        (dict(X=[2, 1, 3]), ValueError, r"X must be a matrix.*got shape \(3\); inputs are the columns of X"),
        (dict(W1=[[1, float("nan"), 1]] * 4), ValueError, r"W1\[0, 1\] is nan; every entry must be a finite number"),
        (dict(b2=[0, float("inf")]), ValueError, r"b2\[1\] is inf"),
        (dict(b2=[0, 1e9]), ValueError, r"b2\[1\] is 1000000000\.0; .* between -1e\+06 and 1e\+06"),
        (dict(W1=[["1", "a", "1"]] * 4), TypeError, r"W1 must contain real numbers; got text"),
        (dict(W1="hello"), TypeError, r"W1 must be an array of numbers; got the text 'hello'"),
        (dict(W1=[[1, 2, 3], [1, 2]]), ValueError, r"W1 must be a rectangular array of numbers"),
        (dict(X=np.ones((3, 17))), ValueError, r"X has shape \(3 × 17\), which is too large: .* at most 16"),
        (dict(X=np.ones((3, 0))), ValueError, r"X is empty"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_field(changes, error, pattern):
    with pytest.raises(error, match=pattern):
        bn.State(**fields(**changes))


def test_a_bias_given_as_a_column_is_accepted():
    s = bn.State(**fields(b1=[[-5], [0], [1], [-2]]))
    np.testing.assert_array_equal(s.b1, [-5, 0, 1, -2])


def test_state_is_immutable_and_does_not_share_memory(worked):
    source = np.array(fields()["W1"], dtype=float)
    s = bn.State(**fields(W1=source))
    source[0, 0] = 99
    assert s.W1[0, 0] == 1
    with pytest.raises(ValueError):
        s.W1[0, 0] = 5
    with pytest.raises(AttributeError):
        s.W1 = source


def test_forward_does_not_mutate_its_input(worked):
    before = worked.to_dict()
    bn.forward(worked)
    assert worked.to_dict() == before


def test_with_entry_changes_one_entry(worked):
    changed = worked.with_entry("X", 2, 0, 0)
    assert changed.X[2, 0] == 0 and worked.X[2, 0] == 3
    assert bn.forward(changed).H_z[0, 0] == -1 - 3
    with pytest.raises(ValueError, match="b1 is a vector: use col 0"):
        worked.with_entry("b1", 0, 1, 0)


def test_to_dict_is_plain_json(worked):
    text = json.dumps(worked.to_dict())
    assert '"W1": [[1, -1, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]]' in text
    assert bn.State.from_dict(json.loads(text)) == worked


def test_to_query_names_the_inputs(worked):
    assert worked.to_query() == (
        "W1=1,-1,1;1,1,0;0,1,1;1,0,1&b1=-5,0,1,-2&W2=1,1,-1,0;0,0,1,-1&b2=0,1&x1=2,1,3&x2=1,1,0&x3=0,1,1"
    )


@pytest.mark.parametrize(
    "query, pattern",
    [
        ("", "empty"),
        ("W1=1", "has no|needs inputs"),
        ("W1=1&b1=0&W2=1&b2=0&x1=1&x3=1", "without gaps"),
        ("W1=1&b1=0&W2=1&b2=0&x1=abc", r"x1: 'abc' is not a number; write digits 0-9"),
        ("W1=1&b1=0&W2=1&b2=0&x1=nan", r"x1: 'nan' is not a number"),
        ("W1=1&b1=0&W2=1&b2=0&x1=1e999", r"X\[0, 0\] is inf"),
        ("W1=1&b1=0&W2=1&b2=0&x1=1&evil=1", "'evil' is not a parameter"),
        ("W1=1&W1=2&b1=0&W2=1&b2=0&x1=1", "W1 appears twice"),
        ("W1=" + ",".join(["1"] * 10**6) + "&b1=0", "too long"),
        ("W1=1,2&b1=0&W2=1&b2=0&x1=1", r"W1 must have shape .* with 1 column"),
    ],
)
def test_from_query_explains_what_is_wrong(query, pattern):
    with pytest.raises(ValueError, match=pattern):
        bn.State.from_query(query)


@pytest.mark.parametrize("query, message", [
    ("?", "the state link is empty; it needs W1, b1, W2, b2 and x1, x2, ..."),
    ("W1=1&b1=0&W2=1&b2=0&x1=1&evil=1", "'evil' is not a parameter of this page's link; it reads W1 to W4, b1 to b4, "
                                         "x1 to x16, activations"),
    ("W1=1&b1=0&W2=1&b2=0&x1=1=2", "x1: '1=2' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    ("abcdefghijklmnopqrstuvwxyz", "'abcdefghijklmnopqrst' is not a parameter of this page's link; it reads W1 to W4, "
                                   "b1 to b4, x1 to x16, activations"),
    ("W1=1&b1=0&W2=1&b2=0&x1=1?", "x1: '1?' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    (3, "the state link's query must be text; got int"),
])
def test_from_query_messages_quote_what_the_link_holds(query, message):
    with pytest.raises(ValueError) as refused:
        bn.State.from_query(query)
    assert str(refused.value) == message


@pytest.mark.parametrize("query, message", [
    ("W1=1,a&b1=0&W2=1&b2=0&x1=1", "W1 row 1: 'a' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    ("W1=1&b1=a&W2=1&b2=0&x1=1", "b1: 'a' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    ("W1=1&b1=0&W2=1;a&b2=0&x1=1", "W2 row 2: 'a' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    ("W1=1&b1=0&W2=1&b2=a&x1=1", "b2: 'a' is not a number; write digits 0-9, such as -3, 0.5 or 1e-3"),
    ("W1=1,2;3&b1=0,0&W2=1,1&b2=0&x1=1,1", "the rows of W1 in the link must all have the same length"),
    ("W1=1&b1=0&W2=1&b2=0&x1=1,2&x2=1", "inputs x1, x2, ... in the link must all have the same length"),
    ("W1=1&b1=" + ",".join(["0"] * 17) + "&W2=1&b2=0&x1=1", "b1 has 17 entries in the link; at most 16"),
    ("W1=" + ";".join(["1"] * 17) + "&b1=0&W2=1&b2=0&x1=1", "W1 has 17 rows in the link; at most 16"),
    ("W1=1&x1=1", "the link is missing b1"),
    ("W1=1&b1=0&W3=1&b3=0&x1=1", "the link is missing W2, b2"),
    ("W1=1&W1=1&b1=0&W2=1&b2=0&x1=1", "W1 appears twice in the link; give it once"),
])
def test_from_query_names_the_field_that_is_wrong(query, message):
    with pytest.raises(ValueError) as refused:
        bn.State.from_query(query)
    assert str(refused.value) == message


@pytest.mark.parametrize("changes, message", [
    ({"W1": 3}, "W1 must be a list of 1 to 16 entries; got int '3'"),
    ({"W1": [[1] * 17]}, "W1 must hold rows of 1 to 16 numbers; got a list of 17"),
    ({"b1": ["a"]}, "b1 must hold numbers; got str 'a'"),
])
def test_from_dict_names_the_field_that_is_wrong(changes, message):
    data = {**{"W1": [[1]], "b1": [0], "W2": [[1]], "b2": [0], "X": [[1]]}, **changes}
    with pytest.raises(ValueError) as refused:
        bn.State.from_dict(data)
    assert str(refused.value) == message


def test_the_largest_state_goes_through_links_and_files():
    largest = bn.random_state(3, sizes=(16, 16, 16, 16))
    assert bn.State.from_query(largest.to_query()) == largest
    assert bn.State.from_dict(largest.to_dict()) == largest


def test_other_mistakes_name_what_was_expected(worked):
    from batchnet_core.convert import MAX_SEED, seed_from_link

    with pytest.raises(ValueError) as refused:
        worked.with_entry("W3", 0, 0, 1)
    assert str(refused.value) == "unknown field 'W3'; expected one of W1, b1, W2, b2, X"
    with pytest.raises(ValueError) as refused:
        bn.State(W1=3, b1=[0], W2=[[1]], b2=[0], X=[[1]])
    assert str(refused.value) == "W1 must be a matrix, shape (rows × columns); got shape (a single number)"
    assert seed_from_link(str(MAX_SEED)) == MAX_SEED


def test_resizing_keeps_what_fits_and_fills_the_rest_from_its_seed(worked):
    grown = bn.resize(worked, (4, 5, 3, 4), seed=9)
    fresh = bn.random_state(9, (4, 5, 3, 4))
    assert grown == bn.resize(worked, (4, 5, 3, 4), seed=9)
    np.testing.assert_array_equal(grown.W1[:4, :3], worked.W1)
    np.testing.assert_array_equal(grown.W1[4], fresh.W1[4])
    np.testing.assert_array_equal(grown.X[3], fresh.X[3])
    assert bn.resize(worked, (2, 2, 1, 1), seed=9).W1.tolist() == [[1, -1], [1, 1]]


def test_from_query_takes_a_leading_question_mark_and_links_up_to_the_limit():
    from batchnet_core.convert import MAX_QUERY_LENGTH

    assert bn.State.from_query("?W1=2&b1=0&W2=1&b2=0&x1=3") == bn.State(W1=[[2]], b1=[0], W2=[[1]], b2=[0], X=[[3]])
    head = "W1=1&b1=0&W2=1&b2=0&x1="
    longest = head + " " * (MAX_QUERY_LENGTH - len(head) - 1) + "0"  # spaces around a number are read
    assert bn.State.from_query(longest).X[0, 0] == 0
    with pytest.raises(ValueError, match="too long"):
        bn.State.from_query(longest + "0")


def test_to_code_runs_and_prints_the_results(worked):
    script = worked.to_code()
    assert "X = np.column_stack([x1, x2, x3])" in script
    namespace = {}
    exec(compile(script, "to_code", "exec"), namespace)
    trace = bn.forward(worked)
    for name, array in trace.items():
        np.testing.assert_array_equal(namespace[name], array)
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "Y =\n[[0 0 0]\n [3 3 4]]" in printed


def test_to_csv_lists_every_entry_of_every_matrix_counting_from_1_as_the_page_does(worked):
    lines = worked.to_csv().splitlines()
    assert lines[0] == "matrix,row,col,value"
    # H_z[h1, x1], Y[y2, x3] and b1[h4], as the page names them
    assert "H_z,1,1,-1" in lines and "Y,2,3,4" in lines and "b1,4,1,-2" in lines
    assert len(lines) == 1 + 12 + 4 + 8 + 2 + 9 + 12 + 12 + 6 + 6


def test_the_csv_read_back_by_its_own_indices_gives_every_matrix(worked):
    """A spreadsheet's reading: each entry at (row − 1, col − 1) of its matrix."""
    import csv
    import io

    read: dict[str, dict[tuple[int, int], float]] = {}
    for line in csv.DictReader(io.StringIO(worked.to_csv())):
        read.setdefault(line["matrix"], {})[(int(line["row"]) - 1, int(line["col"]) - 1)] = float(line["value"])
    expected = {**dict(worked.items()), **dict(bn.forward(worked).items())}
    assert list(read) == list(expected)
    for name, array in expected.items():
        grid = array[:, None] if array.ndim == 1 else array
        rebuilt = np.zeros(grid.shape)
        for (row, col), value in read[name].items():
            rebuilt[row, col] = value
        assert len(read[name]) == grid.size and min(read[name]) == (0, 0)
        np.testing.assert_array_equal(rebuilt, grid, err_msg=name)


def test_random_states_use_their_whole_range_and_only_it():
    integer = [bn.random_state(seed) for seed in range(40)]
    weights = np.concatenate([np.concatenate([s.W1.ravel(), s.b1, s.W2.ravel(), s.b2]) for s in integer])
    inputs = np.concatenate([s.X.ravel() for s in integer])
    assert set(weights) == set(range(-3, 4)) and set(inputs) == set(range(0, 4))
    decimal = [bn.random_state(seed, integers=False) for seed in range(40)]
    weights = np.concatenate([np.concatenate([s.W1.ravel(), s.b1, s.W2.ravel(), s.b2]) for s in decimal])
    inputs = np.concatenate([s.X.ravel() for s in decimal])
    for values, low in ((weights, -2.0), (inputs, 0.0)):
        np.testing.assert_array_equal(values, np.round(values, 1))  # one decimal
        assert values.min() >= low and values.max() <= 2.0
        assert values.min() < low + 0.2 and values.max() > 1.8  # the whole range, not a part
        assert (values != np.round(values)).mean() > 0.5  # mostly not whole numbers
    assert bn.random_state(sizes=(16, 16, 16, 16)).sizes == (16, 16, 16, 16)


@pytest.mark.parametrize("sizes, message", [
    ((0, 4, 2, 3), "sizes: inputs must be between 1 and 16; got 0"),
    ((3, 17, 2, 3), "sizes: hidden must be between 1 and 16; got 17"),
    ((3, 4, 0, 3), "sizes: outputs must be between 1 and 16; got 0"),
    ((3, 4, 2, 17), "sizes: batch must be between 1 and 16; got 17"),
    (("a", 4, 2, 3), "sizes must be whole numbers (inputs, units of each layer, batch); got ('a', 4, 2, 3)"),
])
def test_random_state_names_the_size_that_is_wrong(sizes, message):
    with pytest.raises(ValueError) as refused:
        bn.random_state(sizes=sizes)
    assert str(refused.value) == message


def test_random_state_is_reproducible_and_in_range():
    a, b = bn.random_state(seed=7), bn.random_state(seed=7)
    assert a == b and a != bn.random_state(seed=8)
    assert set(np.unique(a.W1)) <= set(range(-3, 4))
    decimals = bn.random_state(seed=7, sizes=(2, 5, 1, 4), integers=False)
    assert decimals.sizes == (2, 5, 1, 4)
    np.testing.assert_array_equal(decimals.W1, np.round(decimals.W1, 1))
    with pytest.raises(ValueError, match="sizes: batch must be between 1 and 16; got 17"):
        bn.random_state(sizes=(3, 4, 2, 17))


@pytest.mark.parametrize(
    "text, value",
    [("-3", -3), ("−3", -3), ("3.0", 3), (" 3 ", 3), ("1/2", 0.5), ("-3/4", -0.75), ("0,5", 0.5), (".5", 0.5),
     ("+2", 2), ("– 1", -1), ("1e3", 1000), ("2.5e1", 25), ("1E3", 1000), ("-2.5e-1", -0.25), ("−2.5e−1", -0.25),
     ("1e+6", 1e6), ("1e3/2", 500)],
)
def test_parse_number_reads_what_people_type(text, value):
    assert bn.parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "1/0", "1e400x", "2,5,1", "1//2", "--3", "e", "1e", "1e3e3"])
def test_parse_number_refuses_with_a_friendly_message(text):
    with pytest.raises(ValueError, match="is not a number|nothing was typed"):
        bn.parse_number(text)


@pytest.mark.parametrize("text, message", [
    (3, "expected text such as '-3' or '0.5', got int"),
    ("1" * 41, f"'{'1' * 40}' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2"),
    ("1.5,2", "'1.5,2' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2"),
    ("0..5", "'0..5' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2"),
    ("abc", "'abc' is not a number: type a whole number, a decimal or a fraction, such as -3, 0.5 or 1/2"),
    ("", "nothing was typed: enter a number such as -3 or 0.5"),
    ("1e999", "'1e999' is too large to compute with: type a smaller number"),
    ("−1e400/1", "'−1e400/1' is too large to compute with: type a smaller number"),
])
def test_parse_number_says_what_it_got(text, message):
    with pytest.raises(ValueError) as refused:
        bn.parse_number(text)
    assert str(refused.value) == message


def test_parse_number_takes_forty_characters():
    assert bn.parse_number("0." + "5" * 38) == pytest.approx(0.5555555555)

def test_importing_the_core_pulls_in_no_ui_library():
    code = "import sys, batchnet_core; print(sorted({'matplotlib', 'ipywidgets'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("query, expected", [
    ("?preset=one-input", bn.preset("one-input")),
    ("preset=%6Fne-input&theme=dark", bn.preset("one-input")),  # percent-encoded, other keys left alone
    ("W1=2&b1=0&W2=1&b2=0&x1=3&theme=dark&token=abc", bn.State(W1=[[2]], b1=[0], W2=[[1]], b2=[0], X=[[3]])),
    ("&&theme=dark&&", None),
    ("", None),
])
def test_a_page_link_names_a_preset_a_full_state_or_nothing(query, expected):
    from batchnet_core.convert import state_from_link

    assert state_from_link(query) == expected


@pytest.mark.parametrize("query, message", [
    ("preset=one-input&W1=1", "the link names both a preset and a full state; keep one of them"),
    ("preset=one-input&preset=three-inputs", "preset appears twice in the link; give it once"),
    ("preset=" + "x" * 50, f"unknown preset '{'x' * 40}'; expected one of: three-inputs, one-input"),
    ("preset=one+input", "unknown preset 'one+input'; expected one of: three-inputs, one-input"),
    ("preset=one-input&seed=3", "the link names both a preset and a seed; keep one of them"),
    ("seed=3&W1=2&b1=0&W2=1&b2=0&x1=3", "the link names both a seed and a full state; keep one of them"),
    (3, "the link's query must be text; got int"),
    ("x" * 60_001, "the link is too long (60001 characters; at most 60000)"),
])
def test_a_page_link_that_cannot_be_used_says_why(query, message):
    from batchnet_core.convert import state_from_link

    with pytest.raises(ValueError) as refused:
        state_from_link(query)
    assert str(refused.value) == message


WORKED_LINK = "W1=1,-1,1;1,1,0;0,1,1;1,0,1&b1=-5,0,1,-2&W2=1,1,-1,0;0,0,1,-1&b2=0,1&x1=2,1,3&x2=1,1,0&x3=0,1,1"


@pytest.mark.parametrize("query, message", [
    # what the page cannot show is refused, naming it (not dropped: 16 inputs or 1 layer shown)
    (WORKED_LINK + "&x17=1,2,3", r"^x17: a batch holds at most 16 inputs \(x1 to x16\)$"),
    ("W1=1&b1=0&W5=1&b5=0&x1=1", r"^W5: a network has at most 4 layers \(W1, b1 to W4, b4\); b5: a network has at "
                                 r"most 4 layers"),
    (WORKED_LINK + "&sed=3", r"^'sed' is not a parameter of this page's link; it reads theme, present, token, "
                             r"preset, seed, W1 to W4, b1 to b4, x1 to x16, activations$"),
    ("X=1&preset=one-input", r"^'X' is not a parameter of this page's link"),
    ("=5&preset=one-input", r"^a parameter has no name"),
    # digits are ASCII 0-9 in every field: no underscores, no other scripts' digits
    (WORKED_LINK.replace("x1=2,1,3", "x1=1_0,1,3"), r"^x1: '1_0' is not a number; write digits 0-9"),
    (WORKED_LINK.replace("W1=1,", "W1=\u0661,"), r"^W1 row 1: '١' is not a number; write digits 0-9"),
    (WORKED_LINK.replace("W2=1,1,-1,0;0,0", "W2=1,1,-1,0;0,%EF%BC%90"), r"^W2 row 2: '０' is not a number"),
    (WORKED_LINK.replace("b1=-5", "b1=-\u0665"), r"^b1: '-٥' is not a number; write digits 0-9"),
    (WORKED_LINK.replace("x3=0,1,1", "x3=0,1,infinity"), r"^x3: 'infinity' is not a number"),
    (WORKED_LINK.replace("x2=1,1,0", "x2=1,1," + "1" * 41), r"^x2: a number written with 41 characters \(at most 40\); "
                                                            r"every entry must be between -1,000,000 and 1,000,000$"),
    # a parameter given twice is refused, whichever it is
    (WORKED_LINK + "&x1=1,1,1", r"^x1 appears twice in the link; give it once$"),
    ("seed=1&seed=2", r"^seed appears twice in the link; give it once$"),
    ("preset=one-input&theme=dark&theme=light", r"^theme appears twice in the link; give it once$"),
    ("&".join(["theme=dark"] * 65), r"^the link has more than 64 parameters$"),
])
def test_one_rule_for_every_parameter_of_a_link(query, message):
    from batchnet_core.convert import state_from_link

    with pytest.raises(ValueError, match=message):
        state_from_link(query)


def test_a_link_reads_what_the_page_reads_and_names_the_rest():
    from batchnet_core.convert import read_link

    link = read_link("seed=3&difficulty=hard&difficulty=easy&x1=1&theme=dark&token=abc", ("seed", "difficulty"))
    assert link.values == {"seed": "3", "theme": "dark", "token": "abc"}
    assert link.theme == "dark"
    assert link.refused == ("difficulty appears twice in the link; give it once",
                            "'x1' is not a parameter of this page's link; it reads theme, present, token, seed, "
                            "difficulty")
    with pytest.raises(ValueError, match="^difficulty appears twice in the link; give it once; 'x1' is not"):
        link.check()
    assert read_link("?x1=1e+5&x1%3D=2", ("x1",)).values == {"x1": "1e+5"}  # a plus is a plus, not a space


@pytest.mark.parametrize("present", ["0", "yes", "", "1 ", "１", "11", '"><img src=x>'])
def test_presenter_mode_is_present_1_and_nothing_else(present):
    """Every page reads ``present`` (presenter mode); any value but 1 is refused, named, and not kept."""
    from batchnet_core.convert import read_link

    assert read_link("present=1&seed=3", ("seed",)).values == {"present": "1", "seed": "3"}
    link = read_link(f"present={urllib.parse.quote(present)}&seed=3", ("seed",))
    assert link.values == {"seed": "3"}
    assert link.refused == ("present must be 1 (presenter mode): write present=1, or remove present= from the link; "
                            f"got {present!r}",)


@pytest.mark.parametrize("text, message", [
    ("\u0663", r"^seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 \(got '٣'\)$"),
    ("1_0", r"^seed must be a whole number .* \(got '1_0'\)$"),
])
def test_a_seed_is_written_in_ascii_digits_like_every_number_of_a_link(text, message):
    from batchnet_core.convert import seed_from_link

    with pytest.raises(ValueError, match=message):
        seed_from_link(text)


def test_targets_in_a_link_are_written_in_ascii_digits(worked):
    from batchnet_core.nn.training import targets_from_query

    np.testing.assert_array_equal(targets_from_query(worked, "1,0,1;2,2,2"), [[1, 0, 1], [2, 2, 2]])
    with pytest.raises(ValueError, match=r"^T row 2: '٢' is not a number; write digits 0-9"):
        targets_from_query(worked, "1,0,1;2,\u0662,2")
    with pytest.raises(ValueError, match=r"^T row 1: '1_0' is not a number"):
        targets_from_query(worked, "1_0,0,1;2,2,2")


SMALL_FILE = '{"W1": [[1, 2]], "b1": [0], "X": [[1], [%s]]}'


@pytest.mark.parametrize("content, message", [
    (b'{"W1": [[1]], "b1": [0], "W1": [[2]], "X": [[1]]}', r"^the key 'W1' appears twice; give each key once$"),
    (b'{"W1": [[1]], "b1": [0], "X": [[1]], "X": [[2]], "X": [[3]]}', r"^the key 'X' appears 3 times"),
    ((SMALL_FILE % ("1" * 5000)).encode(), r"^X row 2: a number written with 5,000 characters \(at most 40\); every "
                                           r"entry must be between -1,000,000 and 1,000,000$"),
    (b'{"W1": [[1]], "b1": [-' + b"9" * 4400 + b'.5], "X": [[1]]}',
     r"^b1: a number written with 4,403 characters \(at most 40\)"),
    (b'{"W1": ' + b"1" * 5000 + b', "b1": [0], "X": [[1]]}',
     r"^W1 must be a list of 1 to 16 entries; got a number written with 5,000 characters$"),
    (b"1" * 5000, r"^a state must be a JSON object .*; got a number written with 5,000 characters$"),
    ((SMALL_FILE % ("1" * 30)).encode(), r"^X\[1, 0\] is 1.11111\d*e\+29; every entry must be a finite number"),
    (b'{"W1": [[1]], "b1": [0], "W5": [[1]], "b5": [0], "X": [[1]]}', r"^W5: a network has at most 4 layers"),
    (b"[" * 60_000, r"^not a state: its lists are nested thousands deep$"),
    (b'{"W1": [[1]]', r"^not a JSON file \(Expecting ',' delimiter"),
    (b"\xff\xfe{}", r"^not a JSON file: not UTF-8 text \(invalid start byte at byte 0\)$"),
])
def test_a_state_file_that_cannot_be_used_says_why_in_our_words(content, message):
    from batchnet_core.nn.formats import data_from_json

    with pytest.raises(ValueError, match=message):
        bn.State.from_dict(data_from_json(content))


def test_a_state_file_with_a_byte_order_mark_is_read(worked):
    from batchnet_core.nn.formats import data_from_json

    content = json.dumps(worked.to_dict()).encode()
    assert bn.State.from_dict(data_from_json(b"\xef\xbb\xbf" + content)) == worked == bn.State.from_dict(
        data_from_json(content))
    assert bn.State.from_dict(data_from_json(json.dumps(worked.to_dict(), indent=1).encode("utf-8-sig"))) == worked


def test_a_page_link_up_to_the_limit_is_read():
    from batchnet_core.convert import MAX_QUERY_LENGTH, state_from_link

    head = "theme=dark&token="
    assert state_from_link(head + "x" * (MAX_QUERY_LENGTH - len(head))) is None


def test_a_sum_left_at_rounding_noise_is_zero_everywhere():
    """0.1·1 + 0.2·1 + (−0.3) is 5.6e−17 in floating point: forward, ReLU and the explanation
    all take it as the 0 it is."""
    state = bn.State(W1=[[0.1, 0.2]], b1=[-0.3], W2=[[1.0]], b2=[0.0], X=[[1.0], [1.0]])
    assert 0.1 * 1 + 0.2 * 1 + (-0.3) != 0
    trace = bn.forward(state)
    assert trace.H_z[0, 0] == 0 and bn.relu_zeroed(trace.H_z)[0, 0]
    e = bn.explain(state, "H_z", 0, 0)
    assert e.total == 0 and e.text.endswith("= 0 → ReLU → 0")
