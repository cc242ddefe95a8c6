"""Exercises in the worksheet style: fill in result cells by hand and get told what went wrong.

Everything here is pure: an exercise is made from a seed, an answer is checked against the
state, and the feedback names the likely mistake when the typed number reveals one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from urllib.parse import urlencode

import numpy as np

from .convert import Link, read_link
from .convert import exercise_from_link as seeded_from_link
from .nn.formats import ACTIVATIONS_KEY, STATE_KEYS
from .nn.forward import Explanation, explain, forward, relu_zeroed
from .nn.layers import layer_of_result, layers_of, result_names, unit_label
from .nn.numbers import format_factor, format_number, parse_number, shown_exactly
from .nn.state import State

#: Result matrices a blank can be in, in the order they are computed: the worksheet's two layers.
LAYERS = result_names(2)


@dataclasses.dataclass(frozen=True)
class Difficulty:
    """Sizes (inputs, hidden, outputs, batch) and the range of whole-number entries."""

    sizes: tuple[int, int, int, int]
    low: int
    high: int
    blanks: int


DIFFICULTIES = {
    "easy": Difficulty((2, 2, 1, 2), -2, 2, 3),
    "medium": Difficulty((3, 4, 2, 3), -3, 3, 5),
    "hard": Difficulty((4, 5, 3, 4), -5, 5, 8),
}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One result cell: ``layer`` a result's name (H_z, H, Y_z, Y); unit ``row``; input ``col`` (0-based)."""

    layer: str
    row: int
    col: int

    @property
    def label(self) -> str:
        return f"{self.layer}[{unit_label(self.layer, self.row)}, x{self.col + 1}]"


#: Most blank cells an exercise may leave: two sides of a worksheet by hand, and a page 03 that opens quickly.
MAX_BLANKS = 48

#: What a page-03 link of an authored exercise adds to its network: the blank cells, and whether ReLU's
#: zeros are predicted first (``predict=1``, the default, or ``predict=0``).
AUTHORED_KEYS = ("blanks", "predict")

#: What page 03 reads from its link: a seeded exercise (``seed``, ``difficulty``), or an authored one (a full
#: state and ``AUTHORED_KEYS``).
#: An exercise's network is the worksheet's, ReLU in every layer (its blanks and mistakes are ReLU's): its link
#: gives no activations.
NETWORK_KEYS = tuple(key for key in STATE_KEYS if key != ACTIVATIONS_KEY)

EXERCISE_PAGE_KEYS = ("seed", "difficulty", *NETWORK_KEYS, *AUTHORED_KEYS)


@dataclasses.dataclass(frozen=True)
class Exercise:
    """A network and batch with some result cells left blank, to fill in by hand.

    Built from any state and the cells to leave blank (``Cell`` or ``(matrix, row, col)``, 0-based), or
    made from a seed by ``new_exercise`` (then ``seed`` and ``difficulty`` say which). ``predict``: ReLU's
    zeros are predicted before the blanks open. A blank that does not exist, one given twice, none at all or
    more than ``MAX_BLANKS`` raise ``ValueError`` naming ``blanks``.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> e = Exercise(preset("three-inputs"), [("Y", 1, 2), ("H_z", 0, 0)])
    >>> [cell.label for cell in e.blanks]
    ['H_z[h1, x1]', 'Y[y2, x3]']
    >>> e.to_query().endswith("&blanks=H_z,1,1;Y,2,3")
    True
    >>> Exercise.from_query(e.to_query()) == e
    True
    >>> Exercise(preset("three-inputs"), [("H", 4, 0)])
    Traceback (most recent call last):
    ...
    ValueError: blanks: H[h5, x1] is not a cell of this network; H has rows h1 to h4 and columns x1 to x3
    """

    state: State
    blanks: tuple[Cell, ...]
    predict: bool = True
    seed: int | None = None
    difficulty: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.state, State):
            raise TypeError(f"state: expected a State; got {type(self.state).__name__}")
        if not self.state.relu_only:
            raise ValueError(f"an exercise's network is the worksheet's, ReLU in every layer; this one's are "
                             f"{', '.join(self.state.activations)}: choose ReLU for every layer first")
        object.__setattr__(self, "blanks", _checked_blanks(self.state, self.blanks))
        if not isinstance(self.predict, (bool, np.bool_)):
            raise ValueError(f"predict: expected True or False; got {self.predict!r:.20}")
        object.__setattr__(self, "predict", bool(self.predict))
        if (self.seed is None) != (self.difficulty is None):
            raise ValueError("seed and difficulty go together: new_exercise(seed, difficulty) makes a seeded "
                             "exercise; an exercise built from a state and its blanks has neither")

    @property
    def authored(self) -> bool:
        """Made from a state and its blanks, not from a seed."""
        return self.seed is None

    def answer(self, cell: Cell) -> float:
        return float(forward(self.state)[cell.layer][cell.row, cell.col])

    def to_query(self) -> str:
        """The link that opens this exercise on page 03: ``seed=7&difficulty=medium``, or the network, its
        blanks (matrix, row, column, counted from 1 as the page counts units and inputs) and ``predict=0``
        when ReLU's zeros are not predicted first."""
        if not self.authored:
            return urlencode({"seed": self.seed, "difficulty": self.difficulty})
        blanks = ";".join(f"{cell.layer},{cell.row + 1},{cell.col + 1}" for cell in self.blanks)
        return f"{self.state.to_query()}&blanks={blanks}" + ("" if self.predict else "&predict=0")

    @classmethod
    def from_query(cls, query: object) -> Exercise:
        """The exercise a page-03 link names (``to_query``'s); ``ValueError`` naming the parameter otherwise."""
        return exercise_from_link(read_link(query, EXERCISE_PAGE_KEYS))


def _cell_of(item: object) -> Cell:
    if isinstance(item, Cell):  # checked as a tuple is: Cell(...) is built unchecked
        item = (item.layer, item.row, item.col)
    if (isinstance(item, (tuple, list)) and len(item) == 3 and isinstance(item[0], str)
            and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in item[1:])):
        return Cell(item[0], int(item[1]), int(item[2]))
    raise ValueError(f"blanks: {str(item)[:40]!r} is not a cell; give a Cell or (matrix, row, col), "
                     "such as ('H_z', 0, 1)")


def _checked_blanks(state: State, blanks: object) -> tuple[Cell, ...]:
    """``blanks`` as cells of ``state``'s results in the page's order, or ``ValueError`` naming ``blanks``."""
    if isinstance(blanks, (str, bytes)) or not isinstance(blanks, Iterable):
        raise ValueError(f"blanks: expected a list of cells; got {type(blanks).__name__}")
    cells = []
    for item in blanks:
        cells.append(_cell_of(item))
        if len(cells) > MAX_BLANKS:
            raise ValueError(f"blanks: more than {MAX_BLANKS} cells; an exercise leaves at most {MAX_BLANKS} blank")
    if not cells:
        raise ValueError("blanks: no cell is blank; leave at least one")
    names = result_names(state.depth)
    shapes = dict(zip(names, (values.shape for pair in state.results() for values in pair)))
    for cell in cells:
        if cell.layer not in shapes:
            raise ValueError(f"blanks: {cell.layer[:20]!r} is not a result of this network; it has "
                             f"{', '.join(names)}")
        rows, cols = shapes[cell.layer]
        if not (0 <= cell.row < rows and 0 <= cell.col < cols):
            where = (f"{cell.layer}[{unit_label(cell.layer, cell.row)}, x{cell.col + 1}]"
                     if cell.row >= 0 and cell.col >= 0 else f"{cell.layer} row {cell.row}, column {cell.col}")
            raise ValueError(f"blanks: {where} is not a cell of this network; {cell.layer} has rows "
                             f"{unit_label(cell.layer, 0)} to {unit_label(cell.layer, rows - 1)} and columns "
                             f"x1 to x{cols}")
        if cells.count(cell) > 1:
            raise ValueError(f"blanks: {cell.label} is given twice; give each cell once")
    return tuple(sorted(cells, key=lambda cell: (names.index(cell.layer), cell.row, cell.col)))


def _blanks_from_link(text: str) -> list[Cell]:
    """``H_z,1,2;Y,2,3`` (counted from 1) as cells, or ``ValueError`` naming ``blanks``."""
    items = text.split(";")
    if len(items) > MAX_BLANKS:
        raise ValueError(f"blanks: {len(items)} cells in the link; an exercise leaves at most {MAX_BLANKS} blank")
    cells = []
    for item in items:
        parts = item.split(",")
        if not (len(parts) == 3 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,7}", parts[0])
                and all(re.fullmatch(r"[1-9][0-9]?", part) for part in parts[1:])):
            raise ValueError(f"blanks: {item[:30]!r} is not a cell; write matrix,row,column counted from 1, "
                             "cells split by ';', such as H_z,1,2;Y,2,3")
        cells.append(Cell(parts[0], int(parts[1]) - 1, int(parts[2]) - 1))
    return cells


def is_authored_link(link: Link) -> bool:
    """Whether a page-03 link names an authored exercise (a network or its blanks) rather than a seed."""
    return any(key in link.values for key in (*NETWORK_KEYS, *AUTHORED_KEYS))


def exercise_from_link(link: Link) -> Exercise:
    """The exercise a page-03 link names, authored or seeded; ``ValueError`` naming the parameter that cannot
    be used.

    >>> exercise_from_link(read_link("W1=1&b1=0&x1=2&blanks=Y,1,1;H,1,1", EXERCISE_PAGE_KEYS))
    Traceback (most recent call last):
    ...
    ValueError: blanks: 'H' is not a result of this network; it has Y_z, Y
    >>> exercise_from_link(read_link("W1=1&b1=0&x1=2&blanks=Y,1,1&predict=yes", EXERCISE_PAGE_KEYS))
    Traceback (most recent call last):
    ...
    ValueError: predict must be 1 or 0 (got 'yes')
    """
    values = link.check()
    if not is_authored_link(link):
        seed, difficulty, problems = seeded_from_link(link, DIFFICULTIES)
        if problems:
            raise ValueError("; ".join(problems))
        return new_exercise(seed, difficulty)
    given = [key for key in ("seed", "difficulty") if key in values]
    if given:
        raise ValueError(f"{given[0]}: the link names an exercise by its network and blanks, and by a seed too; "
                         "keep one of them")
    if "blanks" not in values:
        raise ValueError("blanks: the link gives a network but no blank cells; add blanks=H_z,1,1;... "
                         "(matrix,row,column counted from 1)")
    fields = {key: value for key, value in values.items() if key in NETWORK_KEYS}
    if not fields:
        raise ValueError("the link gives blanks but no network; it needs W1, b1, ... and x1, x2, ...")
    predict = values.get("predict", "1")
    if predict not in ("0", "1"):
        raise ValueError(f"predict must be 1 or 0 (got {predict[:20]!r})")
    return Exercise(State.from_link_values(fields), _blanks_from_link(values["blanks"]), predict == "1")


def _check_difficulty(difficulty: str) -> Difficulty:
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}; got {difficulty!r}")
    return DIFFICULTIES[difficulty]


def _random_state(rng: np.random.Generator, level: Difficulty) -> State:
    inputs, *widths, batch = level.sizes

    def draw(*shape: int) -> np.ndarray:
        return rng.integers(level.low, level.high + 1, size=shape).astype(float)

    layers = []
    for columns, units in zip([inputs, *widths], widths):
        layers.append((draw(units, columns), draw(units)))
    return State.from_layers(layers, draw(inputs, batch))


def new_exercise(seed: int, difficulty: str = "medium") -> Exercise:
    """The exercise for ``seed``: the same on every machine, so a class can share one.

    Blanks are spread over the four results, at least one where ReLU changes the value
    when the batch has one.

    Examples
    --------
    >>> e = new_exercise(seed=7)
    >>> e == new_exercise(seed=7), len(e.blanks)
    (True, 5)
    """
    level = _check_difficulty(difficulty)
    rng = np.random.default_rng([seed, 2024])
    state = _random_state(rng, level)
    trace = forward(state)
    cells = [Cell(name, r, c) for name, values in trace.items() for r in range(values.shape[0])
             for c in range(values.shape[1])]
    posts = {layer.post: layer.pre for layer in layers_of(state.depth)}
    # Cells whose value ReLU changes (a sum below 0; a sum of 0 stays 0): a blank there shows
    # whether ReLU was applied.
    changed = [cell for cell in cells if cell.layer in posts and trace[posts[cell.layer]][cell.row, cell.col] < 0]
    chosen = [changed[rng.integers(len(changed))]] if changed else []
    rest = [cell for cell in cells if cell not in chosen]
    order = rng.permutation(len(rest))
    chosen += [rest[i] for i in order[: level.blanks - len(chosen)]]
    order_of = result_names(state.depth)
    chosen.sort(key=lambda cell: (order_of.index(cell.layer), cell.row, cell.col))
    return Exercise(state=state, blanks=tuple(chosen), seed=seed, difficulty=difficulty)


@dataclasses.dataclass(frozen=True)
class Feedback:
    """What to tell the learner about one typed answer.

    ``mistake`` is None when correct or when no likely cause is recognised; otherwise one of
    ``MISTAKES``.
    """

    correct: bool
    message: str
    hint: str
    mistake: str | None = None


#: Each mistake's name and the words its message opens with; a text that is not a number gets the
#: message of ``parse_number``, which quotes the text and says what to type instead.
MISTAKES = {
    "not-a-number": "That is not a number",
    "bias-forgotten": "Almost: the bias is missing",
    "relu-missing": "Almost: ReLU was not applied",
    "relu-extra": "Almost: ReLU comes later",
    "relu-wrong-layer": "Almost: the hidden layer's ReLU was skipped",
    "swapped": "Row and column swapped",
    "arithmetic": "Close: an arithmetic slip",
}


def hint(state: State, cell: Cell) -> str:
    """Which weight row and input column to pair for ``cell``, with their numbers."""
    e = explain(state, cell.layer, cell.row, cell.col)
    column = f"x{cell.col + 1}" if e.source == "X" else f"column x{cell.col + 1} of {e.source}"
    weights = ", ".join(format_number(w) for w, _, _ in e.terms)
    inputs = ", ".join(format_number(v) for _, v, _ in e.terms)
    relu_step = ", then apply ReLU (negative becomes 0)" if cell.layer != e.layer else ""
    return (f"Pair row {e.unit} of {e.weights} [{weights}] with {column} [{inputs}]: multiply entry by entry, "
            f"add the products and the bias {format_number(e.bias)}{relu_step}.")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _agrees(typed: float, value: float) -> bool:
    """``typed`` is ``value``, or ``value`` as the page writes it when the page rounds it (−2.059 for
    −2.0594): a learner copies the given numbers as shown, so an answer to those digits is right."""
    return _close(typed, value) or (not shown_exactly(value) and format_number(typed) == format_number(value))


def _slip(e: Explanation) -> float:
    """How far off an answer may be and still be called an arithmetic slip: 2 where every product and the
    bias are whole numbers (a seeded exercise's); else a tenth of the largest of them and of the sum."""
    numbers = [p for _, _, p in e.terms] + [e.bias, e.total]
    if all(float(n).is_integer() for n in numbers):
        return 2.0
    return 0.1 * max(abs(n) for n in numbers)


def check_answer(state: State, cell: Cell, typed: str) -> Feedback:
    """Check a typed answer for one result cell and name the likely mistake.

    Examples
    --------
    >>> from batchnet_core import preset
    >>> s = preset("three-inputs")
    >>> check_answer(s, Cell("H_z", 0, 0), "-1").correct
    True
    >>> check_answer(s, Cell("H_z", 0, 0), "4").mistake   # 1·2 − 1·1 + 1·3, without b1 = −5
    'bias-forgotten'
    """
    tip = hint(state, cell)
    try:
        value = parse_number(typed)
    except ValueError as error:
        return Feedback(False, f"{error}.", tip, "not-a-number")  # it names what was typed and what to type
    e = explain(state, cell.layer, cell.row, cell.col)
    activated = cell.layer != e.layer  # a cell after ReLU: the explanation is of its sum
    expected = e.activated if activated else e.total
    if _agrees(value, expected):  # the worked sum; ReLU only for H and Y
        return Feedback(True, f"Correct: {cell.label} = {format_number(expected)}.",
                        e.text if activated else e.sum_text)

    def apply(total: float) -> float:
        return max(total, 0.0) if activated else total

    trace = forward(state)
    candidates = [("bias-forgotten", apply(e.total - e.bias),
                   f"{cell.label} adds the bias {format_number(e.bias)} after the products.")]
    if activated and e.total < 0:
        candidates.append(("relu-missing", e.total,
                           f"{format_number(e.total)} is the sum before ReLU; ReLU turns it into 0."))
    if not activated and e.total < 0:
        candidates.append(("relu-extra", 0.0,
                           f"{cell.layer} is the sum before ReLU, so it keeps its sign: {format_number(e.total)}."))
    layer = layer_of_result(state.depth, e.layer)
    if layer.index > 1:
        W, b = state.layers[layer.index - 1]
        skipped = W[cell.row] @ trace.Z[layer.index - 2][:, cell.col] + b[cell.row]
        source = layers_of(state.depth)[layer.index - 2]
        candidates.append(("relu-wrong-layer", apply(skipped),
                           f"Layer {layer.index} takes {source.post} = ReLU({source.pre}) as input, not {source.pre}."))
    results = trace[cell.layer]
    if cell.col < results.shape[0] and cell.row < results.shape[1] and cell.row != cell.col:
        candidates.append(("swapped", float(results[cell.col, cell.row]),
                           f"Row {cell.row + 1} is the unit (a row of weights), column {cell.col + 1} the input."))
    for mistake, wrong, explanation in candidates:
        if not _agrees(wrong, expected) and _agrees(value, wrong):
            return Feedback(False, f"{MISTAKES[mistake]}. {explanation}", tip, mistake)
    flipped = [apply(e.total - 2 * p) for _, _, p in e.terms if p != 0]
    if abs(value - expected) <= _slip(e) or any(_close(value, f) for f in flipped):
        return Feedback(False, f"{MISTAKES['arithmetic']}: check each product's sign and the sum.", tip,
                        "arithmetic")
    return Feedback(False, f"Not yet: {cell.label} is not {format_number(value)}.", tip)


@dataclasses.dataclass(frozen=True)
class Prediction:
    """How a guess of which hidden cells ReLU sets to 0 compares with the truth."""

    right: frozenset[tuple[int, int]]
    missed: frozenset[tuple[int, int]]
    wrong: frozenset[tuple[int, int]]

    @property
    def message(self) -> str:
        if not self.missed and not self.wrong:
            return f"All right: ReLU sets exactly those {len(self.right)} cells to 0."
        parts = []
        if self.missed:
            parts.append(f"{len(self.missed)} cell{'s' * (len(self.missed) != 1)} you left unmarked "
                         "became 0 (their sum was not positive)")
        if self.wrong:
            parts.append(f"{len(self.wrong)} marked cell{'s' * (len(self.wrong) != 1)} stayed positive")
        return "Not quite: " + "; ".join(parts) + "."


def zeroed_by_relu(state: State) -> frozenset[tuple[int, int]]:
    """Hidden cells (row, col) that come out of ReLU as 0: their sum H_z is 0 or less (``relu_zeroed``)."""
    return frozenset((int(r), int(c)) for r, c in np.argwhere(relu_zeroed(forward(state).Z[0])))


def check_prediction(state: State, marked: set[tuple[int, int]]) -> Prediction:
    """Compare the cells a learner marked as 'ReLU makes this 0' with the hidden layer."""
    truth, marked = zeroed_by_relu(state), frozenset(marked)
    return Prediction(right=truth & marked, missed=truth - marked, wrong=marked - truth)


@dataclasses.dataclass(frozen=True)
class Missing:
    """A backwards exercise: one first-layer weight or bias is hidden; one H_z cell is given.

    Solve ``target = (row of W1) · x + b`` for the hidden entry.
    """

    state: State
    name: str  # "W1" or "b1"
    row: int
    col: int  # the weight's column in W1 (0 for the bias)
    input: int  # the batch column whose H_z value is given
    target: float

    @property
    def answer(self) -> float:
        array = getattr(self.state, self.name)
        return float(array[self.row, self.col] if self.name == "W1" else array[self.row])

    @property
    def label(self) -> str:
        return f"W1[{self.row + 1},{self.col + 1}]" if self.name == "W1" else f"b1[{self.row + 1}]"


def new_missing(seed: int, difficulty: str = "medium") -> Missing:
    """The backwards exercise of the exercise ``new_exercise(seed, difficulty)``: one entry of its
    network is asked for, from one cell of H_z that network makes.

    The cell is one the fill-in part gives (neither it nor its H is a blank), so the question does not
    answer a blank. The answer is a whole number, the same for the same seed.

    Examples
    --------
    >>> m = new_missing(seed=7)
    >>> m.state == new_exercise(seed=7).state
    True
    """
    level = _check_difficulty(difficulty)
    exercise = new_exercise(seed, difficulty)
    state = exercise.state
    rng = np.random.default_rng([seed, 4048])
    inputs, hidden, *_, batch = level.sizes
    cells = [(r, c) for r in range(hidden) for c in range(batch)]
    first = layers_of(state.depth)[0]
    given = [(r, c) for r, c in cells if Cell(first.pre, r, c) not in exercise.blanks
             and Cell(first.post, r, c) not in exercise.blanks] or cells
    row, column = given[rng.integers(len(given))]
    usable = [k for k in range(inputs) if state.X[k, column] != 0]
    if usable and rng.random() < 0.7:
        name, col = "W1", int(usable[rng.integers(len(usable))])
    else:
        name, col = "b1", 0
    target = float(forward(state).Z[0][row, column])
    return Missing(state=state, name=name, row=int(row), col=col, input=int(column), target=target)


def check_missing(exercise: Missing, typed: str) -> Feedback:
    """Check a solved-for weight or bias, and name the likely slip."""
    e = explain(exercise.state, layers_of(exercise.state.depth)[0].pre, exercise.row, exercise.input)
    x = exercise.state.X[exercise.col, exercise.input] if exercise.name == "W1" else 1.0
    known = sum(p for k, (_, _, p) in enumerate(e.terms) if not (exercise.name == "W1" and k == exercise.col))
    known_bias = 0.0 if exercise.name == "b1" else e.bias
    tip = (f"{format_number(exercise.target)} = (the other products: {format_number(known)})"
           f"{'' if exercise.name == 'b1' else f' + bias {format_number(e.bias)}'}"
           f" + {exercise.label}{'' if exercise.name == 'b1' else f' · {format_factor(x)}'}; solve for "
           f"{exercise.label}.")
    try:
        value = parse_number(typed)
    except ValueError as error:
        return Feedback(False, f"{error}.", tip, "not-a-number")  # it names what was typed and what to type
    if _close(value, exercise.answer):  # the worked sum of H_z: no ReLU
        return Feedback(True, f"Correct: {exercise.label} = {format_number(exercise.answer)}.", e.sum_text)
    if exercise.name == "W1" and _close(value, (exercise.target - known) / x):
        return Feedback(False, f"{MISTAKES['bias-forgotten']}: subtract the bias {format_number(e.bias)} too.",
                        tip, "bias-forgotten")
    if _close(value, exercise.target - known - known_bias) and x != 1:
        return Feedback(False, f"{MISTAKES['arithmetic']}: that is {exercise.label} · {format_number(x)}; "
                        f"divide by {format_number(x)}.", tip, "arithmetic")
    if abs(value - exercise.answer) <= 1:
        return Feedback(False, f"{MISTAKES['arithmetic']}: check the signs.", tip, "arithmetic")
    return Feedback(False, f"Not yet: {exercise.label} is not {format_number(value)}.", tip)


@dataclasses.dataclass(frozen=True)
class Score:
    """Answers checked and answers right in this session."""

    attempted: int = 0
    correct: int = 0

    def record(self, feedback: Feedback) -> Score:
        if feedback.mistake == "not-a-number":
            return self  # a typo is not an attempt
        return Score(self.attempted + 1, self.correct + int(feedback.correct))

    @property
    def text(self) -> str:
        return f"Score: {self.correct} right of {self.attempted} checked"


__all__ = [
    "AUTHORED_KEYS", "DIFFICULTIES", "EXERCISE_PAGE_KEYS", "LAYERS", "MAX_BLANKS", "MISTAKES", "Cell", "Difficulty",
    "Exercise", "Feedback", "Missing", "Prediction", "Score", "check_answer", "check_missing", "check_prediction",
    "exercise_from_link", "hint", "is_authored_link", "new_exercise", "new_missing", "zeroed_by_relu",
]
