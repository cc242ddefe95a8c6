"""Reading what a page's link asks for: a preset, a full state, a seed, targets, an exercise.

One rule for every page and every parameter, here and in ``formats``: a link is read by one parser
(``formats.query_pairs``); a parameter the page does not read, or cannot show (``x17``: a batch holds at
most 16 inputs; ``W5``: a network at most 4 layers), or gives twice, is refused with a message naming it;
numbers are written in ASCII digits 0-9 (``formats.read_number``). Links are untrusted text, so every
failure is a ``ValueError`` with a message fit to show, and every size is bounded before anything is
allocated.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping

from .nn.formats import ACTIVATIONS_KEY, MAX_QUERY_LENGTH, STATE_KEYS, query_pairs, single_values
from .nn.state import State, preset

#: Largest seed a link may name.
MAX_SEED = 10**9

#: Parameters every page's link may carry: Voila's theme, presenter mode (``present=1``: large type, the
#: worksheet on one screen of a projector; the page script shows it) and the server's token (``make serve TOKEN=...``).
SERVER_KEYS = ("theme", "present", "token")
#: The one value of ``present``: presenter mode on. Without it the page is shown as usual.
PRESENT = "1"
#: What a ``present`` of any other value is told (the server says it on its 400 page).
PRESENT_RULE = f"present must be {PRESENT} (presenter mode): write present={PRESENT}, or remove present= from the link"

#: What a page showing a state reads from its link (pages 02, 05, and 06 with ``T``): a preset, a seed,
#: or a full state.
STATE_PAGE_KEYS = (*SERVER_KEYS, "preset", "seed", *STATE_KEYS)

#: What page 06's gradient exercise reads from the link: a seed and a difficulty of its own, since the
#: page's ``seed`` is the state's (random whole numbers).
GRADIENT_KEYS = ("gradient_seed", "gradient_difficulty")
#: ... and its loss, if not the default mean squared error (the page's ``loss`` is its training's).
GRADIENT_LOSS_KEY = "gradient_loss"

#: What page 06 reads from its link: a state, its targets ``T``, and its gradient exercise: seeded, or an entry of
#: the state's own gradient (``gradient=dW2,1,3``, an authored exercise).
TRAIN_PAGE_KEYS = (*STATE_PAGE_KEYS, "T", "loss", *GRADIENT_KEYS, GRADIENT_LOSS_KEY, "gradient")


@dataclasses.dataclass(frozen=True)
class Link:
    """What a page's link asks for.

    Attributes
    ----------
    values : dict     each parameter the page reads, given once: its text
    refused : tuple   a message for each parameter that cannot be used, naming it
    """

    values: Mapping[str, str]
    refused: tuple[str, ...] = ()

    @property
    def theme(self) -> str:
        """The page's theme: ``theme=dark``, else light (the server refuses any other theme)."""
        return "dark" if self.values.get("theme") == "dark" else "light"

    def check(self) -> Mapping[str, str]:
        """The values, or ``ValueError`` naming every parameter that cannot be used."""
        if self.refused:
            raise ValueError("; ".join(self.refused))
        return self.values


def read_link(query: object, reads: Collection[str] = STATE_PAGE_KEYS) -> Link:
    """A page's link, for a page that reads the parameters ``reads`` (and the server's theme, presenter
    mode and token).

    A link that is not text, too long or of too many parameters raises ``ValueError``; parameters that
    cannot be used are in ``refused``, each message naming one.

    >>> link = read_link("?seed=3&theme=dark&x17=1&seed=4&W1=1", ("seed", *STATE_KEYS))
    >>> link.values
    {'theme': 'dark', 'W1': '1'}
    >>> link.refused
    ('seed appears twice in the link; give it once', 'x17: a batch holds at most 16 inputs (x1 to x16)')
    """
    reads = tuple(dict.fromkeys((*SERVER_KEYS, *reads)))
    values, refused = single_values(query_pairs(query), reads)
    if "present" in values and (problem := present_problem(values["present"])):
        del values["present"]
        refused.append(problem)
    return Link(values, tuple(refused))


def present_problem(value: str) -> str | None:
    """What is wrong with a link's ``present`` (presenter mode), or None for ``present=1``.

    >>> present_problem("1") is None
    True
    >>> present_problem("yes")
    "present must be 1 (presenter mode): write present=1, or remove present= from the link; got 'yes'"
    """
    return None if value == PRESENT else f"{PRESENT_RULE}; got {str(value)[:20]!r}"


def state_from_link(link: Link | str) -> State | None:
    """The state a page link asks for: ``?preset=NAME`` or a full state; None if it names neither.

    Other parameters (``theme=dark``, ``seed=3``, ...) are left to the page. A link with a parameter that
    cannot be used, a malformed or oversized value, or both a preset, a seed or a full state raises
    ``ValueError`` with a message fit to show.

    Examples
    --------
    >>> state_from_link("theme=dark") is None
    True
    >>> state_from_link("preset=one-input&theme=dark").sizes
    (3, 4, 2, 1)
    >>> state_from_link("preset=one-input&x17=1")
    Traceback (most recent call last):
    ...
    ValueError: x17: a batch holds at most 16 inputs (x1 to x16)
    """
    if not isinstance(link, Link):
        link = read_link(link, STATE_PAGE_KEYS)
    values = link.check()
    fields = {key: value for key, value in values.items() if key in STATE_KEYS}
    # the layers' activations go with a preset, a seed or a full state alike
    named = [what for what, given in (("a preset", "preset" in values), ("a seed", "seed" in values),
                                      ("a full state", bool(set(fields) - {ACTIVATIONS_KEY}))) if given]
    if len(named) > 1:
        raise ValueError(f"the link names both {named[0]} and {named[1]}; keep one of them")
    if "preset" in values:
        return with_link_activations(preset(values["preset"][:40]), values)
    if set(fields) - {ACTIVATIONS_KEY}:
        return State.from_link_values(fields)
    return None


def with_link_activations(state: State, values: dict[str, str]) -> State:
    """``state`` with the layers' activations a link names (``activations=tanh,relu``), if it names them;
    ``ValueError`` naming ``activations`` if they do not fit the network.

    >>> with_link_activations(preset("three-inputs"), {"activations": "tanh,relu"}).activations
    ('tanh', 'relu')
    """
    if ACTIVATIONS_KEY not in values:
        return state
    return state.replace(activations=values[ACTIVATIONS_KEY].split(","))


def seed_from_link(text: str, name: str = "seed") -> int:
    """The seed a link names (``?seed=12``): ASCII digits only, 0 to ``MAX_SEED``; else ``ValueError``
    naming the parameter, ``name``.

    >>> seed_from_link("12")
    12
    >>> seed_from_link("²", "gradient_seed")
    Traceback (most recent call last):
    ...
    ValueError: gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '²')
    """
    if not (isinstance(text, str) and re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_SEED):
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_SEED:,} in digits 0-9 "
                         f"(got {str(text)[:20]!r})")
    return int(text)


def exercise_from_link(link: Link, difficulties: Collection[str],
                       keys: tuple[str, str] = ("seed", "difficulty")) -> tuple[int, str, list[str]]:
    """The seed and difficulty of the exercise a link names by ``keys`` (page 03's ``seed`` and
    ``difficulty``, 06's ``gradient_seed`` and ``gradient_difficulty``), and a message for each problem,
    naming its parameter. What cannot be used is replaced by seed 1 or medium; a link with a parameter that
    cannot be used at all (``link.refused``) gives seed 1, medium, as every page's link then gives its default.

    >>> exercise_from_link(read_link("gradient_seed=7&gradient_difficulty=hard", GRADIENT_KEYS),
    ...                    ("easy", "medium", "hard"), GRADIENT_KEYS)
    (7, 'hard', [])
    >>> link = read_link("seed=x&difficulty=expert", ("seed", "difficulty"))
    >>> seed, difficulty, problems = exercise_from_link(link, ("easy", "hard"))
    >>> seed, difficulty
    (1, 'medium')
    >>> for problem in problems:
    ...     print(problem)
    seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got 'x')
    difficulty must be one of easy, hard (got 'expert')
    """
    seed_key, difficulty_key = keys
    problems = list(link.refused)
    values = {} if problems else link.values
    seed, difficulty = 1, "medium"
    if seed_key in values:
        try:
            seed = seed_from_link(values[seed_key], seed_key)
        except ValueError as error:
            problems.append(str(error))
    if difficulty_key in values:
        if values[difficulty_key] in difficulties:
            difficulty = values[difficulty_key]
        else:
            problems.append(f"{difficulty_key} must be one of {', '.join(difficulties)} "
                            f"(got {values[difficulty_key][:20]!r})")
    return seed, difficulty, problems


def state_to_csv(state: State) -> str:
    """Every matrix of ``state``, parameters and results, as CSV (``State.to_csv``)."""
    return state.to_csv()


__all__ = ["GRADIENT_KEYS", "GRADIENT_LOSS_KEY", "MAX_QUERY_LENGTH", "MAX_SEED", "SERVER_KEYS", "STATE_KEYS",
           "STATE_PAGE_KEYS", "TRAIN_PAGE_KEYS", "Link", "exercise_from_link", "read_link", "seed_from_link",
           "state_from_link", "state_to_csv", "with_link_activations"]
