"""What a student's kernel sends the class, read and checked again with the lessons' own checkers.

Pure: no server, no database. The server trusts no verdict from a kernel: an answer arrives as the
exercise (seed and difficulty), the part of the page, the cell and the typed text, and the verdict
and the named mistake kept are :func:`check`'s. The same exercise gives every student the same
numbers, so the exercise's seed and difficulty are all the server needs to know it; an exercise a
teacher authored arrives as its link instead (``Exercise.to_query``: its network and blanks), read
again as any link is, and its answers are grouped by that link. So does a seeded gradient exercise of
a loss other than the default (its link names the loss too).

>>> answer = read_answer({"id": "0" * 32, "page": "03_by_hand.ipynb", "seed": 7, "difficulty": "medium",
...                       "part": "blank", "cell": "H_z,1,0", "typed": "abc"})
>>> check(answer)
Verdict(correct=False, mistake='not-a-number')
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import unicodedata

from ..convert import MAX_SEED, TRAIN_PAGE_KEYS, read_link
from ..exercises import (
    DIFFICULTIES,
    MISTAKES,
    Cell,
    Exercise,
    check_answer,
    check_missing,
    new_exercise,
    new_missing,
    zeroed_by_relu,
)
from ..gradient_exercises import MISTAKES as GRADIENT_MISTAKES
from ..gradient_exercises import check_gradient, gradient_exercise_from_link, new_gradient_exercise
from ..nn.forward import forward
from ..nn.layers import layers_of, unit_label, unit_labels
from ..nn.losses import LOSSES
from ..nn.numbers import format_number
from ..nn.training import column_label
from ..series import PAGES

#: The parts of a page a student answers, each with the exercise it belongs to: 03's worksheet
#: (its blanks, its ReLU prediction, its backwards question) or 06's gradient exercise.
PARTS = {"blank": "worksheet", "predict": "worksheet", "missing": "worksheet", "gradient": "gradient"}

#: The prediction's two ways to be wrong, by name, as the class view words them.
PREDICTION_MISTAKES = {
    "relu-zero-missed": "ReLU makes it 0, but it was left unmarked",
    "relu-zero-wrong": "Marked 0, but its sum is above 0",
}

#: Every named mistake and its words: the worksheet's, the gradient exercise's and the prediction's.
MISTAKE_WORDS = {**MISTAKES, **GRADIENT_MISTAKES, **PREDICTION_MISTAKES}

#: What a prediction's cell says: marked 0, or left to stay above 0.
PREDICTED = {"0": True, "+": False}

#: The difficulty an authored exercise's answers are kept under: it has no seed (kept as 0).
AUTHORED = "authored"

MAX_TYPED = 64
MAX_NAME = 40
#: The largest message either way between a kernel and the class, in bytes: a pushed state, the longest,
#: is at most a page's longest link (``formats.MAX_QUERY_LENGTH``).
MAX_FRAME = 65_536
ANSWER_ID = re.compile(r"[0-9a-f]{32}")


@dataclasses.dataclass(frozen=True)
class Answer:
    """One checked answer as a kernel sent it: ``cell`` is ``"H_z,0,1"`` (its matrix, row and column)."""

    id: str
    page: str
    seed: int
    difficulty: str
    part: str
    cell: str
    typed: str
    authored: str = ""  # an authored exercise's link (``Exercise.to_query``); "" for a seeded one

    @property
    def exercise(self) -> str:
        """The exercise's key: the answers of one exercise are shown together."""
        return exercise_key(self.page, self.seed, self.difficulty, self.authored)


@dataclasses.dataclass(frozen=True)
class Verdict:
    correct: bool
    mistake: str | None


def exercise_key(page: str, seed: int, difficulty: str, authored: str = "") -> str:
    """``03_by_hand.ipynb|7|medium``; an authored exercise's is named by a digest of its link, which may be
    long: ``03_by_hand.ipynb|authored|3f2a…`` (24 hexadecimal digits)."""
    if authored:
        return f"{page}|{AUTHORED}|{authored_digest(authored)}"
    return f"{page}|{seed}|{difficulty}"


def authored_digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:24]


def read_answer(message: object) -> Answer:
    """An answer from a kernel's message, every field checked; ``ValueError`` naming the field otherwise.

    >>> read_answer({"id": "0" * 32, "page": "03_by_hand.ipynb", "seed": 7, "difficulty": "medium",
    ...              "part": "blank", "cell": "H_z,9,9", "typed": "1"})
    Traceback (most recent call last):
    ...
    ValueError: cell: 'H_z,9,9' is not asked in this exercise (seed 7, medium)
    """
    if not isinstance(message, dict):
        raise ValueError("answer: expected an object")
    fields = {}
    for name, kind in (("id", str), ("page", str), ("seed", int), ("difficulty", str), ("part", str),
                       ("cell", str), ("typed", str)):
        value = message.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{name}: expected {'a whole number' if kind is int else 'text'}")
        fields[name] = value
    if not ANSWER_ID.fullmatch(fields["id"]):
        raise ValueError("id: expected 32 hexadecimal digits")
    if fields["page"] not in {page.name for page in PAGES}:
        raise ValueError(f"page: {fields['page'][:40]!r} is not a page of the series")
    if not 0 <= fields["seed"] <= MAX_SEED:
        raise ValueError(f"seed: expected 0 to {MAX_SEED:,}")
    if fields["part"] not in PARTS:
        raise ValueError(f"part: expected one of {', '.join(PARTS)}")
    if "authored" in message:
        fields["authored"] = _read_authored(message["authored"], fields)
    elif fields["difficulty"] not in DIFFICULTIES:
        raise ValueError(f"difficulty: expected one of {', '.join(DIFFICULTIES)}")
    if len(fields["typed"]) > MAX_TYPED:
        raise ValueError(f"typed: at most {MAX_TYPED} characters")
    answer = Answer(**fields)
    if answer.cell not in asked_cells(answer.part, answer.seed, answer.difficulty, answer.authored):
        which = "the authored exercise" if answer.authored else f"seed {answer.seed}, {answer.difficulty}"
        raise ValueError(f"cell: {answer.cell[:40]!r} is not asked in this exercise ({which})")
    if answer.part == "predict" and answer.typed not in PREDICTED:
        raise ValueError("typed: a prediction is '0' or '+'")
    return answer


def _read_authored(query: object, fields: dict) -> str:
    """An authored exercise's link, read as page 03 reads it; ``ValueError`` naming ``authored`` otherwise."""
    if not isinstance(query, str):
        raise ValueError("authored: expected text")
    if fields["part"] == "missing":
        raise ValueError("authored: an authored exercise has no backwards question")
    if fields["seed"] != 0 or fields["difficulty"] != AUTHORED:
        raise ValueError(f"authored: an authored exercise has seed 0 and difficulty {AUTHORED!r}")
    try:
        if fields["part"] == "gradient":
            _gradient(0, AUTHORED, query)
        else:
            _worksheet(0, AUTHORED, query)
    except ValueError as error:
        raise ValueError(f"authored: {error}") from None
    return query


@functools.lru_cache(maxsize=256)
def _worksheet(seed: int, difficulty: str, authored: str = ""):
    """The exercise and its backwards question (None for an authored exercise, which has none)."""
    if authored:
        return Exercise.from_query(authored), None
    return new_exercise(seed, difficulty), new_missing(seed, difficulty)


@functools.lru_cache(maxsize=256)
def _gradient(seed: int, difficulty: str, authored: str = ""):
    if authored:
        return gradient_exercise_from_link(read_link(authored, TRAIN_PAGE_KEYS))
    return new_gradient_exercise(seed, difficulty)


def _missing_cell(missing) -> str:
    return f"{missing.name},{missing.row},{missing.col}"


def _gradient_cell(exercise) -> str:
    return f"d{exercise.name},{exercise.row},{exercise.col}"


def asked_cells(part: str, seed: int, difficulty: str, authored: str = "") -> tuple[str, ...]:
    """The cells a part of an exercise asks about, named as the class view names them (a prediction's as
    ``H,r,c``: the first layer's, whatever the network calls it)."""
    if part == "gradient":
        return (_gradient_cell(_gradient(seed, difficulty, authored)),)
    exercise, missing = _worksheet(seed, difficulty, authored)
    if part == "blank":
        return tuple(f"{cell.layer},{cell.row},{cell.col}" for cell in exercise.blanks)
    if part == "predict":
        if not exercise.predict:
            return ()
        hidden, batch = forward(exercise.state).Z[0].shape
        return tuple(f"H,{r},{c}" for r in range(hidden) for c in range(batch))
    return () if missing is None else (_missing_cell(missing),)


def check(answer: Answer) -> Verdict:
    """The verdict on an answer, and its named mistake (a key of :data:`MISTAKE_WORDS`) or None."""
    if answer.part == "gradient":
        feedback = check_gradient(_gradient(answer.seed, answer.difficulty, answer.authored), answer.typed)
        return Verdict(feedback.correct, feedback.mistake)
    exercise, missing = _worksheet(answer.seed, answer.difficulty, answer.authored)
    if answer.part == "missing":
        feedback = check_missing(missing, answer.typed)
        return Verdict(feedback.correct, feedback.mistake)
    layer, row, col = answer.cell.split(",")
    if answer.part == "predict":
        zero = (int(row), int(col)) in zeroed_by_relu(exercise.state)  # the cells check_prediction calls 0
        marked = PREDICTED[answer.typed]
        if zero == marked:
            return Verdict(True, None)
        return Verdict(False, "relu-zero-missed" if zero else "relu-zero-wrong")
    feedback = check_answer(exercise.state, Cell(layer, int(row), int(col)), answer.typed)
    return Verdict(feedback.correct, feedback.mistake)


def right_answer(part: str, seed: int, difficulty: str, cell: str, authored: str = "") -> str:
    """The right answer to a cell, as the worksheet writes it (a prediction: "0" or "+")."""
    if part == "gradient":
        return format_number(_gradient(seed, difficulty, authored).answer)
    exercise, missing = _worksheet(seed, difficulty, authored)
    if part == "missing":
        return format_number(missing.answer)
    layer, row, col = cell.split(",")
    if part == "predict":
        return "0" if (int(row), int(col)) in zeroed_by_relu(exercise.state) else "+"
    return format_number(exercise.answer(Cell(layer, int(row), int(col))))


def read_name(text: object) -> str:
    """A student's name: 1 to 40 characters once trimmed, no control characters; ``ValueError`` otherwise.

    >>> read_name("  Ada  ")
    'Ada'
    >>> read_name("a\\x00b")
    Traceback (most recent call last):
    ...
    ValueError: name: letters, digits, spaces and punctuation only (no control characters)
    """
    if not isinstance(text, str):
        raise ValueError("name: expected text")
    name = " ".join(text.split())
    if not name:
        raise ValueError("name: type at least one character")
    if len(name) > MAX_NAME:
        raise ValueError(f"name: at most {MAX_NAME} characters (got {len(name)})")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise ValueError("name: letters, digits, spaces and punctuation only (no control characters)")
    return name


def grid_cell(part: str, cell: str) -> str:
    """A cell's name in the class view's grid: a prediction's cell of H is ``predict,r,c``, apart from
    the blank of the same cell of H; every other cell keeps its name.

    >>> grid_cell("predict", "H,1,2"), grid_cell("blank", "H,1,2")
    ('predict,1,2', 'H,1,2')
    """
    return "predict," + cell.split(",", 1)[1] if part == "predict" else cell


def _matrix(name: str, title: str, rows: list[str], cols: list[str], asked: list[str]) -> dict:
    return {"name": name, "title": title, "rows": len(rows), "cols": len(cols), "row_labels": rows,
            "col_labels": cols, "asked": [cell for cell in asked if cell.split(",")[0] == name]}


def _parameter(name: str, state, asked: list[str], prefix: str = "") -> dict:
    """The grid of a weight or bias matrix (``W1``, ``b2``), or of its gradient (``prefix`` "d")."""
    layer = layers_of(state.depth)[int(name[1:]) - 1]
    rows = unit_labels(layer.unit, getattr(state, name).shape[0])
    cols = ([column_label(layer, c, state.depth) for c in range(getattr(state, name).shape[1])]
            if name.startswith("W") else ["b"])
    return _matrix(prefix + name, prefix + name, rows, cols, asked)


def exercise_layout(page: str, seed: int, difficulty: str, parts: set[str], authored: str = "") -> dict:
    """The worksheet's own grid of an exercise, for the class view: its title and, in the page's order,
    every matrix the answered ``parts`` ask about, with the cells they ask (named by :func:`grid_cell`)."""
    title = next(p.title for p in PAGES if p.name == page)
    matrices = []
    if "gradient" in parts:
        exercise = _gradient(seed, difficulty, authored)
        matrices.append(_parameter(exercise.name, exercise.state,
                                   list(asked_cells("gradient", seed, difficulty, authored)), prefix="d"))
    if parts & {"blank", "predict", "missing"}:
        exercise, missing = _worksheet(seed, difficulty, authored)
        trace = forward(exercise.state)
        if "predict" in parts:
            first = layers_of(exercise.state.depth)[0]
            hidden, batch = trace.Z[0].shape
            asked = [grid_cell("predict", cell) for cell in asked_cells("predict", seed, difficulty, authored)]
            matrices.append(_matrix("predict", f"ReLU({first.pre}) = 0?",
                                    [first.unit_label(r) for r in range(hidden)], unit_labels("x", batch), asked))
        if "blank" in parts:
            for layer, values in trace.items():
                rows = [unit_label(layer, r) for r in range(values.shape[0])]
                matrices.append(_matrix(layer, layer, rows, unit_labels("x", values.shape[1]),
                                        list(asked_cells("blank", seed, difficulty, authored))))
        if "missing" in parts and missing is not None:
            matrices.append(_parameter(missing.name, exercise.state, list(asked_cells("missing", seed, difficulty))))
    if authored and "gradient" in parts:
        exercise = _gradient(seed, difficulty, authored)
        if not exercise.authored:  # a seeded exercise of another loss, known by its link
            return {"title": f"{title} · gradient exercise seed {exercise.seed} · {exercise.difficulty} · "
                             f"{LOSSES[exercise.loss].label} · {exercise.label}", "matrices": matrices}
        return {"title": f"{title} · authored gradient exercise {authored_digest(authored)[:6]} · "
                         f"{exercise.label}", "matrices": matrices}
    if authored:
        blanks = len(_worksheet(seed, difficulty, authored)[0].blanks)
        return {"title": f"{title} · authored exercise {authored_digest(authored)[:6]} · {blanks} blank"
                         f"{'s' * (blanks != 1)}", "matrices": matrices}
    # 06's seed is its gradient exercise's (gradient_seed in its link), not the page's state's
    seed_name = "gradient exercise seed" if "gradient" in parts else "seed"
    return {"title": f"{title} · {seed_name} {seed} · {difficulty}", "matrices": matrices}


__all__ = ["AUTHORED", "MAX_FRAME", "MAX_NAME", "MAX_TYPED", "MISTAKE_WORDS", "PARTS", "Answer", "Verdict",
           "asked_cells", "check", "exercise_key", "exercise_layout", "grid_cell", "read_answer", "read_name",
           "right_answer"]
