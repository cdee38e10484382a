"""Values a format derives from a dataset, kept while the tables they come from are unchanged.

A conversion's check (the plan) and its write ask for the same derived columns: they are computed once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from labelkit.model import Dataset

T = TypeVar("T")

_CACHE: weakref.WeakKeyDictionary[Dataset, dict[str, tuple[tuple[Any, ...], Any]]] = weakref.WeakKeyDictionary()
"""Per dataset, per name: the tables and category ids a value was derived from, and the value."""


def cached(dataset: Dataset, name: str, compute: Callable[[], T], tables: Sequence[str] = ("items", "objects")) -> T:
    """``compute()``, kept for ``dataset`` under ``name`` while its ``tables`` and categories are unchanged."""
    state = (*(dataset.table(t) for t in tables), tuple(c.id for c in dataset.categories))
    slot = _CACHE.setdefault(dataset, {})
    hit = slot.get(name)
    if (
        hit is not None
        and hit[0][-1] == state[-1]
        and all(a is b for a, b in zip(hit[0][:-1], state[:-1], strict=True))
    ):
        return cast(T, hit[1])
    value = compute()
    slot[name] = (state, value)
    return value
