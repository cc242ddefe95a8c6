"""Reading what a page's link asks for: a preset, a full state, a seed.

Links are untrusted text, so every failure is a ``ValueError`` with a message fit to show, and every
size is bounded before anything is allocated.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from .formats import INPUT_KEYS, MAX_QUERY_LENGTH, PARAMETER_KEYS
from .state import State, preset

#: Largest seed a link may name.
MAX_SEED = 10**9


#: Query keys that belong to a state; any other key (theme, token, ...) is the page's business.
STATE_KEYS = frozenset(PARAMETER_KEYS + INPUT_KEYS)


def state_from_link(query: str) -> State | None:
    """The state a page link asks for: ``?preset=NAME`` or a full state; None if it names neither.

    Other parameters (``theme=dark``, ...) are left alone. A malformed, hostile or oversized
    link raises ``ValueError`` with a message fit to show.

    Examples
    --------
    >>> state_from_link("theme=dark") is None
    True
    >>> state_from_link("preset=one-input&theme=dark").sizes
    (3, 4, 2, 1)
    """
    if not isinstance(query, str):
        raise ValueError(f"a link's query must be text; got {type(query).__name__}")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"the link is too long ({len(query)} characters; at most {MAX_QUERY_LENGTH})")
    parts = [part for part in query.lstrip("?").split("&") if part]
    keys = [unquote(part.partition("=")[0]) for part in parts]
    state_parts = [part for part, key in zip(parts, keys) if key in STATE_KEYS]
    presets = [unquote(part.partition("=")[2]).replace("+", " ") for part, key in zip(parts, keys) if key == "preset"]
    if state_parts and presets:
        raise ValueError("the link names both a preset and a full state; keep one of them")
    if len(presets) > 1:
        raise ValueError("the link names more than one preset")
    if presets:
        return preset(presets[0][:40])
    if state_parts:
        return State.from_query("&".join(state_parts))
    return None


def seed_from_link(text: str) -> int:
    """The seed a link names (``?seed=12``): ASCII digits only, 0 to ``MAX_SEED``; else ``ValueError``.

    >>> seed_from_link("12")
    12
    >>> seed_from_link("²")
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number from 0 to 1,000,000,000 (got '²')
    """
    if not (isinstance(text, str) and re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_SEED):
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED:,} (got {str(text)[:20]!r})")
    return int(text)


def state_to_csv(state: State) -> str:
    """Every matrix of ``state``, parameters and results, as CSV (``State.to_csv``)."""
    return state.to_csv()


__all__ = ["MAX_QUERY_LENGTH", "MAX_SEED", "STATE_KEYS", "seed_from_link", "state_from_link", "state_to_csv"]
