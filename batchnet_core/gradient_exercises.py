"""Gradient exercises: one entry of a gradient worked out by hand, checked with the likely mistake named.

A seeded whole-number network and batch, whole-number targets T and one asked entry, such as
dW2[y2, h3]: the mean over the batch of each input's δ of the row's unit times the column's activation
(``training.explain_gradient``). The loss is mean squared error, or softmax cross-entropy: then the
last layer is linear, T is one class per input and softmax's probabilities P are given with the network.
These mistakes are recognised, each by the number it gives:

- ReLU's derivative forgotten: ReLU′ taken as 1 everywhere, even where the sum before ReLU was 0 or less
  (where a ReLU lies between the asked entry and the loss);
- the sum over the batch instead of the mean;
- row and column transposed: δ of the column's unit times the activation of the row's unit;
- the wrong sign: T − Y instead of Y − T (T − P);
- with a loss that compares P, not Y, with T: the error taken on Y itself, Y − T instead of P − T.

The asked entry is chosen so that its answer and every one of these numbers differ, so the checker can
tell them apart; that makes ReLU matter for it too (the first mistake would give the answer otherwise).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode

import numpy as np

from .convert import GRADIENT_KEYS, GRADIENT_LOSS_KEY, Link, state_from_link
from .convert import exercise_from_link as seeded_from_link
from .exercises import Difficulty, Feedback, _close
from .nn.layers import layers_of
from .nn.losses import LOSSES, loss_named, one_hot
from .nn.numbers import format_number, parse_number, shown_exactly
from .nn.state import State
from .nn.training import (
    GradientExplanation,
    backward_exact,
    check_loss,
    check_targets,
    column_label,
    explain_gradient,
    targets_from_query,
    targets_to_query,
)

#: Sizes (inputs, hidden, outputs, batch) and the range of whole-number entries; one entry is asked.
DIFFICULTIES = {
    "easy": Difficulty((2, 2, 2, 2), -2, 2, 1),
    "medium": Difficulty((2, 3, 2, 3), -2, 2, 1),
    "hard": Difficulty((3, 3, 2, 3), -2, 2, 1),
}

#: What each difficulty asks for: an output-layer weight or bias; an output-layer weight or a hidden
#: bias (its δ comes back through W2); a first-layer weight.
ASKED = {"easy": ("W2", "b2"), "medium": ("W2", "b1"), "hard": ("W1",)}

#: Targets are whole numbers from 0 to this: the outputs come out of ReLU, so they are never below 0.
TARGET_HIGH = 3

#: With softmax's P given in four digits, a seeded answer is at least this in size: then its two decimals'
#: rounding (``ROUNDED``) holds whole, and what the shown digits leave out never decides a check.
GIVEN_ROUNDED_FLOOR = 0.25

#: Each input's δ and term of the asked entry are at most these in size: numbers to work with by hand.
HAND_DELTA, HAND_PRODUCT = 8, 16

#: Draws of a network before giving up: the rarest kind (easy's W2) comes about once in thirty draws.
MAX_DRAWS = 2000

#: An answer within this of the gradient is right: two decimals are enough (4.33 for 13/3). Distinct
#: numbers of seeded exercises differ by a third or more, so no mistake is ever taken for the answer.
ROUNDED = 0.005
#: ... and within this share of the gradient's size: an authored exercise's gradient may be 0.0002, where two
#: decimals would take 0, or the wrong sign, for it.
ROUNDED_SHARE = 0.02

#: Each mistake's name and the words its message opens with; a text that is not a number gets the
#: message of ``parse_number``, which quotes the text and says what to type instead.
MISTAKES = {
    "not-a-number": "That is not a number",
    "relu-derivative": "Almost: ReLU's derivative was left out",
    "batch-sum": "Almost: that is the sum over the batch, not the mean",
    "transposed": "Row and column transposed",
    "wrong-sign": "Almost: the sign is wrong",
    "error-on-y": "Almost: the error was taken on Y itself",
    "rounding": "Close: round to two decimals",
}


@dataclasses.dataclass(frozen=True)
class GradientExercise:
    """A network, batch and targets, and the gradient entry asked for: made from a seed (whole numbers,
    ``new_gradient_exercise``) or authored from any state and targets (``authored_gradient_exercise``; then
    ``seed`` and ``difficulty`` are None).

    Attributes
    ----------
    seed : int or None
    difficulty : str or None   "easy", "medium" or "hard"
    state : State         two layers, whole numbers
    targets : tuple of tuples of float   T, one row per output, one column per input (``.T`` as an array)
    name : str            the parameter: "W2", "b2", "W1" or "b1"
    row, col : int        its entry, 0-based (a bias has only col 0)
    loss : str            the loss's name in ``LOSSES``: "mse" or "softmax_cross_entropy"
    """

    seed: int | None
    difficulty: str | None
    state: State
    targets: tuple[tuple[float, ...], ...]
    name: str
    row: int
    col: int
    loss: str = "mse"

    @property
    def authored(self) -> bool:
        """Made from a state, its targets and the entry asked, not from a seed."""
        return self.seed is None

    @property
    def named_by_seed(self) -> bool:
        """Known by its seed and difficulty alone, as a class's answers are kept: seeded, of the default loss
        (any other exercise is known by its link, ``to_query``)."""
        return not self.authored and self.loss == "mse"

    @property
    def entry(self) -> str:
        """The entry asked as a link writes it, counted from 1: ``dW2,1,3``, ``db1,2``."""
        return f"d{self.name},{self.row + 1}" + ("" if self.name.startswith("b") else f",{self.col + 1}")

    def to_query(self) -> str:
        """The link that opens this exercise on page 06: ``gradient_seed=7&gradient_difficulty=hard`` (and
        ``gradient_loss=`` a loss other than the default), or the network, its targets, its loss and the entry
        asked (``gradient=dW2,1,3``)."""
        if not self.authored:
            chosen = {} if self.loss == "mse" else {GRADIENT_LOSS_KEY: self.loss}
            return urlencode({**dict(zip(GRADIENT_KEYS, (self.seed, self.difficulty))), **chosen})
        chosen = "" if self.loss == "mse" else f"&loss={self.loss}"
        return f"{self.state.to_query()}&{targets_to_query(self.T)}{chosen}&gradient={self.entry}"

    @property
    def T(self) -> np.ndarray:
        """The targets, (outputs × batch), read-only."""
        array = np.array(self.targets, dtype=float)
        array.setflags(write=False)
        return array

    @property
    def explanation(self) -> GradientExplanation:
        """The asked entry spelled out: each input's term and their mean."""
        return explain_gradient(self.state, self.T, self.name, self.row, self.col, self.loss)

    @property
    def answer(self) -> float:
        return self.explanation.average

    @property
    def label(self) -> str:
        """ "dW2[y2, h3]" """
        return self.explanation.label

    @property
    def mistakes(self) -> dict[str, float]:
        """The number each recognised mistake gives, by its name in ``MISTAKES`` (a bias cannot be transposed)."""
        return _values(_worked(self.state, self.T, self.loss), self.name, self.row, self.col)[1]


def activations_for(depth: int, loss: str) -> tuple[str, ...]:
    """A gradient exercise's activations: ReLU in every layer, the worksheet's, but the last where the loss
    requires its own (softmax cross-entropy: linear)."""
    return ("relu",) * (depth - 1) + (LOSSES[loss].last_activation or "relu",)


def _relu_on_the_way_back(state: State, k: int) -> bool:
    """Whether a ReLU lies between layer ``k``'s parameters (0-based) and the loss: only there can ReLU′ be
    forgotten, and only there does a hint speak of it."""
    return "relu" in state.activations[k:]


def _draw_state(rng: np.random.Generator, level: Difficulty, loss: str) -> State:
    """Whole-number weights and biases from ``level.low`` to ``level.high``; inputs from 0 to ``level.high``,
    as intensities are: fewer hidden units are then 0 for the whole batch, and more gradients pass."""
    inputs, hidden, outputs, batch = level.sizes

    def draw(low: int, *shape: int) -> np.ndarray:
        return rng.integers(low, level.high + 1, size=shape).astype(float)

    return State(activations=activations_for(2, loss), W1=draw(level.low, hidden, inputs), b1=draw(level.low, hidden),
                 W2=draw(level.low, outputs, hidden), b2=draw(level.low, outputs), X=draw(0, inputs, batch))


def _draw_targets(rng: np.random.Generator, outputs: int, batch: int, loss: str) -> np.ndarray:
    """Whole numbers from 0 to ``TARGET_HIGH``, or for a loss of classes one drawn class per input."""
    if LOSSES[loss].classes:
        return one_hot(rng.integers(0, outputs, size=batch).tolist(), outputs)
    return rng.integers(0, TARGET_HIGH + 1, size=(outputs, batch)).astype(float)


@dataclasses.dataclass(frozen=True)
class _Worked:
    """Each layer's input (X, then H) and δ, and δ as each recognised slip makes it, in floats."""

    activations: list[np.ndarray]
    deltas: list[np.ndarray]
    ungated: list[np.ndarray]            # ReLU′ taken as 1 everywhere
    on_y: list[np.ndarray] | None        # the error taken on Y itself, for a loss that compares P; else None
    relu: list[bool]                     # whether a ReLU lies between each layer's weights and the loss


def _worked(state: State, T: np.ndarray, loss: str) -> _Worked:
    results = state.results()
    _, deltas = backward_exact(state, T, loss=loss)
    # ReLU′ = 1 everywhere: every sum is passed as if it were above 0; the activations stay as they are
    _, ungated = backward_exact(state, T, gated=False, loss=loss)
    # the default loss compares Y itself with T, with the same error: its δ is the one Y − T starts
    on_y = None if LOSSES[loss].compared == "Y" else [d.floats() for d in backward_exact(state, T)[1]]
    relu = [_relu_on_the_way_back(state, k) for k in range(state.depth)]
    return _Worked([state.X] + [A for _, A in results[:-1]], [d.floats() for d in deltas],
                   [d.floats() for d in ungated], on_y, relu)


def _terms(delta: np.ndarray, activations: np.ndarray, name: str, row: int, col: int) -> np.ndarray:
    """Each input's term of the entry: δ[row]·a[col] for a weight, δ[row] for a bias."""
    return delta[row] if name.startswith("b") else delta[row] * activations[col]


def _values(worked: _Worked, name: str, row: int, col: int) -> tuple[float, dict[str, float]]:
    """The entry's gradient, and the number each recognised mistake gives (a bias cannot be transposed; ReLU′
    cannot be forgotten where no ReLU lies on the way back; the error is taken on Y only where it is not)."""
    activations, deltas = worked.activations, worked.deltas
    k = int(name[1:]) - 1
    batch = deltas[k].shape[1]

    def mean(delta: np.ndarray, r: int = row, c: int = col) -> float:
        return float(_terms(delta[k], activations[k], name, r, c).sum()) / batch + 0.0

    answer = mean(deltas)
    # δ is linear in Y − T, so T − Y flips the sign of every gradient
    wrong = {"batch-sum": answer * batch, "wrong-sign": -answer + 0.0}
    if worked.relu[k]:
        wrong["relu-derivative"] = mean(worked.ungated)
    if worked.on_y is not None:
        wrong["error-on-y"] = mean(worked.on_y)
    if name.startswith("W") and col < deltas[k].shape[0] and row < activations[k].shape[0]:
        # (a·δᵀ)[row, col]: δ of the column's unit times the activation of the row's unit
        wrong["transposed"] = mean(deltas, col, row)
    return answer, wrong


def _distinct(values: list[float]) -> bool:
    """No two of the numbers would pass ``check_gradient`` for each other."""
    return all(not _agrees(a, b) and not _agrees(b, a) for i, a in enumerate(values) for b in values[i + 1:])


def _askable(state: State, T: np.ndarray, name: str, loss: str) -> list[tuple[int, int]]:
    """Entries of ``name`` whose answer and every mistake's number differ, with small numbers; a weight
    must have its transposed entry (a row and a column that differ, each in range of the other). With a
    loss whose P is given rounded, the answer is at least ``GIVEN_ROUNDED_FLOOR`` in size."""
    worked = _worked(state, T, loss)
    activations, deltas = worked.activations, worked.deltas
    floor = 0.0 if LOSSES[loss].compared == "Y" else GIVEN_ROUNDED_FLOOR
    k = int(name[1:]) - 1
    W = state.layers[k][0]
    entries = [(r, 0) for r in range(W.shape[0])] if name.startswith("b") else list(np.ndindex(*W.shape))
    found = []
    for r, c in entries:
        r, c = int(r), int(c)
        answer, wrong = _values(worked, name, r, c)
        small = (np.abs(deltas[k][r]).max() <= HAND_DELTA
                 and np.abs(_terms(deltas[k], activations[k], name, r, c)).max() <= HAND_PRODUCT)
        if (name.startswith("b") or "transposed" in wrong) and small and abs(answer) >= floor \
                and _distinct([answer, *wrong.values()]):
            found.append((r, c))
    return found


def new_gradient_exercise(seed: int, difficulty: str = "medium", loss: str = "mse") -> GradientExercise:
    """The gradient exercise for ``seed``: the same on every machine, so a class can share one. Each loss
    has its own (``loss``: a name in ``LOSSES``); mean squared error's are those of the seed alone.

    Examples
    --------
    >>> e = new_gradient_exercise(seed=7, difficulty="easy")
    >>> e == new_gradient_exercise(seed=7, difficulty="easy"), e.name in ("W2", "b2")
    (True, True)
    >>> check_gradient(e, format_number(e.answer)).correct
    True
    """
    level = _check_difficulty_of(difficulty)
    loss_named(loss)
    # mean squared error's exercises stay those its seeds always gave; another loss draws from its own stream
    rng = np.random.default_rng([seed, 6060] + ([] if loss == "mse" else [list(LOSSES).index(loss)]))
    outputs, batch = level.sizes[-2], level.sizes[-1]
    name = ASKED[difficulty][rng.integers(len(ASKED[difficulty]))]
    for _ in range(MAX_DRAWS):
        state = _draw_state(rng, level, loss)
        T = _draw_targets(rng, outputs, batch, loss)
        entries = _askable(state, T, name, loss)
        if entries:
            row, col = entries[rng.integers(len(entries))]
            targets = tuple(tuple(float(v) for v in line) for line in T)
            return GradientExercise(seed, difficulty, state, targets, name, row, col, loss)
    raise RuntimeError(f"no {difficulty} gradient exercise found for seed {seed} in {MAX_DRAWS} draws")


def authored_gradient_exercise(state: State, T: object, name: str, row: int, col: int = 0,
                               loss: str = "mse") -> GradientExercise:
    """The gradient of ``name`` (``"W2"``, ``"b1"``) at (``row``, ``col``), 0-based, asked of ``state`` with
    targets ``T`` under ``loss``; ``ValueError`` naming ``gradient`` for an entry the network does not have,
    or ``T``, or the loss.

    >>> import batchnet_core as bn
    >>> e = authored_gradient_exercise(bn.preset("three-inputs"), [[1, 0, 1], [2, 2, 2]], "W2", 1, 2)
    >>> e.label, e.to_query().endswith("&T=1,0,1;2,2,2&gradient=dW2,2,3"), format_number(e.answer)
    ('dW2[y2, h3]', True, '4.333')
    >>> authored_gradient_exercise(bn.preset("three-inputs"), [[1, 0, 1], [2, 2, 2]], "W3", 0, 0)
    Traceback (most recent call last):
    ...
    ValueError: gradient: dW3 is not a gradient of this network; it has dW1, db1, dW2, db2
    """
    if not isinstance(state, State):
        raise TypeError(f"state: expected a State; got {type(state).__name__}")
    entry = loss_named(loss)
    check_loss(state, loss)
    if state.activations != activations_for(state.depth, loss):  # its hints and mistakes are ReLU′'s
        last = f", the last {entry.last_activation} for {entry.label}" if entry.last_activation else ""
        raise ValueError(f"a gradient exercise's network is the worksheet's, ReLU in every layer{last}; this "
                         f"one's are {', '.join(state.activations)}: choose ReLU for every layer"
                         f"{' but the last' if last else ''} first")
    targets = check_targets(state, T, loss)
    names = [f"{kind}{layer.index}" for layer in layers_of(state.depth) for kind in ("W", "b")]
    if name not in names:
        raise ValueError(f"gradient: d{str(name)[:20]} is not a gradient of this network; it has "
                         f"{', '.join('d' + n for n in names)}")
    W = state.layers[int(name[1:]) - 1][0]
    rows, cols = W.shape[0], (1 if name.startswith("b") else W.shape[1])
    whole = [isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in (row, col)]
    row, col = (int(n) if ok else n for n, ok in zip((row, col), whole))
    if not (all(whole) and 0 <= row < rows and 0 <= col < cols):
        shape = f"rows 1 to {rows}" + ("" if name.startswith("b") else f" and columns 1 to {cols}")
        raise ValueError(f"gradient: d{name} has {shape}; got row {row + 1 if whole[0] else row}"
                         + ("" if name.startswith("b") else f", column {col + 1 if whole[1] else col}"))
    rows_of_T = tuple(tuple(float(v) for v in line) for line in targets)
    return GradientExercise(None, None, state, rows_of_T, name, row, col, loss)


def gradient_exercise_from_link(link: Link) -> GradientExercise:
    """The gradient exercise a page-06 link names: ``gradient=dW2,1,3`` with its network, ``T`` and ``loss``,
    or its seed (``gradient_seed``, ``gradient_difficulty``, ``gradient_loss``); ``ValueError`` naming the
    parameter that cannot be used.

    >>> from batchnet_core.convert import TRAIN_PAGE_KEYS, read_link
    >>> gradient_exercise_from_link(read_link("preset=three-inputs&T=1,0,1;2,2,2&gradient=W2,1,1",
    ...                                       TRAIN_PAGE_KEYS))
    Traceback (most recent call last):
    ...
    ValueError: gradient: 'W2,1,1' is not an entry; write dW or db, the layer, then row and column counted from 1, such as dW2,1,3 or db1,2
    """  # noqa: E501
    values = link.check()
    if "gradient" not in values:
        seed, difficulty, problems = seeded_from_link(link, DIFFICULTIES, GRADIENT_KEYS)
        if problems:
            raise ValueError("; ".join(problems))
        return new_gradient_exercise(seed, difficulty, loss_from_link(link, GRADIENT_LOSS_KEY))
    given = [key for key in (*GRADIENT_KEYS, GRADIENT_LOSS_KEY) if key in values]
    if given:
        raise ValueError(f"{given[0]}: the link names a gradient exercise by its entry (gradient=) and by a seed "
                         "too; keep one of them")
    text = values["gradient"]
    match = re.fullmatch(r"d([Wb])([1-9]),([1-9][0-9]?)(?:,([1-9][0-9]?))?", text)
    if not match or (match[1] == "W") != (match[4] is not None):
        raise ValueError(f"gradient: {text[:20]!r} is not an entry; write dW or db, the layer, then row and column "
                         "counted from 1, such as dW2,1,3 or db1,2")
    state = state_from_link(link)
    if state is None:
        raise ValueError("gradient: the link names an entry but no network; it needs W1, b1, ... and x1, x2, ...")
    if "T" not in values:
        raise ValueError("gradient: the link names an entry but no targets; add T=... (rows split by ';')")
    loss = loss_from_link(link, "loss")
    T = targets_from_query(state, values["T"], loss)
    return authored_gradient_exercise(state, T, f"{match[1]}{match[2]}", int(match[3]) - 1,
                                      int(match[4] or 1) - 1, loss)


def loss_from_link(link: Link, key: str) -> str:
    """The loss a link names by ``key`` (``gradient_loss``, or ``loss`` beside an authored entry), "mse" if it
    names none; ``ValueError`` naming ``key`` for a loss that is not in the table."""
    if key not in link.values:
        return "mse"
    try:
        return loss_named(link.values[key]).name
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None


def _check_difficulty_of(difficulty: object) -> Difficulty:
    if not isinstance(difficulty, str) or difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}; got {str(difficulty)[:20]!r}")
    return DIFFICULTIES[difficulty]


def gradient_hint(exercise: GradientExercise) -> str:
    """What to average, and how δ is made, without the numbers.

    >>> e = new_gradient_exercise(seed=1, difficulty="hard")
    >>> gradient_hint(e).startswith(e.label + " = mean over the batch of δ1[")
    True
    """
    state, entry = exercise.state, LOSSES[exercise.loss]
    layer = layers_of(state.depth)[int(exercise.name[1:]) - 1]
    unit = layer.unit_label(exercise.row)
    slope = f"·ReLU′({layer.pre}[{unit}, x])" if state.activations[layer.index - 1] == "relu" else ""
    last = layers_of(state.depth)[-1]
    error = entry.error_for(entry.compared, "T")
    last_delta = f"({error})·ReLU′({last.pre})" if state.activations[-1] == "relu" else error
    if layer.output:
        delta = f"δ{layer.index}[{unit}, x] = ({error})[{unit}, x]{slope}"
    else:
        following = layers_of(state.depth)[layer.index]
        delta = (f"δ{layer.index}[{unit}, x] = ({following.weights} column {unit} · δ{following.index} column x)"
                 f"{slope}, δ{last.index} = {last_delta}")
    given = f", {entry.compared_title} (given)" if entry.compared_title else ""
    relu = (", and ReLU′ is 1 where the sum is above 0, 0 where it is 0 or below"
            if _relu_on_the_way_back(state, layer.index - 1) else "")
    return f"{exercise.explanation.heading}, where {delta}{given}{relu}."


def _gated(exercise: GradientExercise) -> str:
    """The cells on the asked entry's path where ReLU′ is 0, as "Y_z[y1, x2], H_z[h2, x1]"."""
    state, k = exercise.state, int(exercise.name[1:]) - 1
    results = state.results()
    cells = []
    for layer, (Z, _) in zip(layers_of(state.depth)[k:], results[k:]):
        if state.activations[layer.index - 1] != "relu":
            continue
        rows = [exercise.row] if layer.index == k + 1 else range(Z.shape[0])
        cells += [f"{layer.pre}[{layer.unit_label(r)}, x{c + 1}]" for r in rows for c in range(Z.shape[1])
                  if Z[r, c] <= 0]
    return ", ".join(cells)


def _explanation(exercise: GradientExercise, mistake: str, value: float) -> str:
    e = exercise.explanation
    layer = layers_of(exercise.state.depth)[int(exercise.name[1:]) - 1]
    if mistake == "relu-derivative":
        return (f"ReLU′ is 0 where the sum before ReLU was 0 or below ({_gated(exercise)}): no gradient passes "
                "back through those cells.")
    if mistake == "batch-sum":
        return (f"{format_number(value)} is the sum of the {e.batch} inputs' terms; the gradient is their mean: "
                f"divide by {e.batch}.")
    if mistake == "transposed":
        depth, k = exercise.state.depth, layer.index
        row, col = layer.unit_label(exercise.row), column_label(layer, exercise.col, depth)
        unit, source = layer.unit_label(exercise.col), column_label(layer, exercise.row, depth)
        swapped = f"δ{k}[{unit}, x]·{layer.source}[{source}, x]"
        return (f"The row of {e.label} says whose δ to take ({row}), the column whose activation ({col}): "
                f"δ{k}[{row}, x]·{layer.source}[{col}, x], not {swapped}.")
    entry = LOSSES[exercise.loss]
    error = entry.error_for(entry.compared, "T")
    if mistake == "error-on-y":
        return (f"The error is {error}, with {entry.compared_title}: {format_number(value)} is what "
                f"{entry.error_for('Y', 'T')} gives.")
    return (f"The error is {error}, not {entry.error_for('T', entry.compared)}: the gradient points where the loss "
            "grows, and a step goes against it.")


def _rounding(target: float) -> float:
    """How far from ``target`` a typed answer may be and still be it (``ROUNDED``, ``ROUNDED_SHARE``)."""
    return min(ROUNDED, ROUNDED_SHARE * abs(target))


def _agrees(value: float, target: float) -> bool:
    return _close(value, target) or abs(value - target) <= _rounding(target)


def check_gradient(exercise: GradientExercise, typed: str) -> Feedback:
    """Check a typed gradient entry and name the likely mistake.

    Examples
    --------
    >>> e = new_gradient_exercise(seed=3)
    >>> check_gradient(e, format_number(e.answer)).correct
    True
    >>> check_gradient(e, format_number(-e.answer)).mistake
    'wrong-sign'
    >>> check_gradient(e, "abc").mistake
    'not-a-number'
    """
    tip = gradient_hint(exercise)
    try:
        value = parse_number(typed)
    except ValueError as error:
        return Feedback(False, f"{error}.", tip, "not-a-number")  # it names what was typed and what to type
    e = exercise.explanation
    if _agrees(value, e.average):
        return Feedback(True, f"Correct: {e.label} = {format_number(e.average)}.", e.text)
    for mistake, wrong in exercise.mistakes.items():
        if _agrees(value, wrong):
            return Feedback(False, f"{MISTAKES[mistake]}. {_explanation(exercise, mistake, value)}", tip, mistake)
    if abs(value - e.average) < 10 * _rounding(e.average) and e.average != round(e.average):
        total = e.exact_average * e.batch
        fraction = f" (or type the fraction {format_number(total)}/{e.batch})" if shown_exactly(total) else ""
        return Feedback(False, f"{MISTAKES['rounding']}{fraction}.", tip, "rounding")
    return Feedback(False, f"Not yet: {e.label} is not {format_number(value)}.", tip)


__all__ = ["ASKED", "DIFFICULTIES", "MISTAKES", "GradientExercise", "activations_for", "authored_gradient_exercise",
           "check_gradient",
           "gradient_exercise_from_link", "gradient_hint", "new_gradient_exercise"]
