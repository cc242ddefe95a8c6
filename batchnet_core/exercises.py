"""Exercises in the worksheet style: fill in result cells by hand and get told what went wrong.

Everything here is pure: an exercise is made from a seed, an answer is checked against the
state, and the feedback names the likely mistake when the typed number reveals one.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .forward import explain, forward, relu_zeroed
from .layers import layer_of_result, layers_of, result_names, unit_label
from .numbers import format_factor, format_number, parse_number
from .state import State

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


@dataclasses.dataclass(frozen=True)
class Exercise:
    """A random whole-number network and batch, with some result cells left blank."""

    seed: int
    difficulty: str
    state: State
    blanks: tuple[Cell, ...]

    def answer(self, cell: Cell) -> float:
        return float(forward(self.state)[cell.layer][cell.row, cell.col])


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
    return Exercise(seed=seed, difficulty=difficulty, state=state, blanks=tuple(chosen))


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
    if _close(value, expected):  # the worked sum; ReLU only for H and Y
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
        if not _close(wrong, expected) and _close(value, wrong):
            return Feedback(False, f"{MISTAKES[mistake]}. {explanation}", tip, mistake)
    flipped = [apply(e.total - 2 * p) for _, _, p in e.terms if p != 0]
    if abs(value - expected) <= 2 or any(_close(value, f) for f in flipped):
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
    "DIFFICULTIES", "LAYERS", "MISTAKES", "Cell", "Difficulty", "Exercise", "Feedback", "Missing", "Prediction",
    "Score", "check_answer", "check_missing", "check_prediction", "hint", "new_exercise", "new_missing",
    "zeroed_by_relu",
]
