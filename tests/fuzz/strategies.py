"""Shared strategies for the fuzz tests: JSON-like values and mutations of a valid value."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import strategies as st

# Each call must end well inside this: caps, not luck, keep hostile inputs cheap.
CALL_SECONDS_MAX = 2.0

TRICKY_TEXTS = [
    "",
    " ",
    "\x00",
    "\r",
    "na",
    "N/A",
    "²",
    "١٢٣",
    "1e999999999",
    "NaN",
    "Infinity",
    "-0",
    "7" * 50,
    "=1+1",
    "<b>x</b>",
    "x" * 300,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(TRICKY_TEXTS),
)

json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.text(max_size=10), st.sampled_from(TRICKY_TEXTS)), children, max_size=5
        ),
    ),
    max_leaves=25,
)


def mutate(draw: Callable[[Any], Any], value: Any, values: st.SearchStrategy = json_values) -> Any:
    """A copy of ``value`` with one to three random changes: a node replaced, a key removed
    or added, a list item dropped or repeated; each at a randomly chosen place."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        parent: Any = None
        key: Any = None
        node = value
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, draw(st.sampled_from(keys))
            node = node[key]
        action = draw(st.sampled_from(["replace", "remove", "add", "repeat"]))
        if parent is None:
            if action == "replace":
                value = draw(values)
            continue
        if action == "replace":
            parent[key] = draw(values)
        elif action == "remove":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=10), st.sampled_from(TRICKY_TEXTS)))] = draw(
                values
            )
        elif action in ("add", "repeat") and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]) if action == "repeat" else draw(values))
    return value


@contextmanager
def bounded_time() -> Iterator[None]:
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    assert elapsed < CALL_SECONDS_MAX, f"took {elapsed:.2f} s"
