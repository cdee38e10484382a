"""Bounded batches of values laid end to end: where to cut so that no batch holds more than a given size."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def sized_batches(lengths: NDArray[np.integer[Any]], limit: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive batches of the values of ``lengths``, of about ``limit`` each in all.

    The values whose running totals end within one window of ``limit`` (``(0, limit]``, ``(limit, 2 limit]``, ...,
    the rest after the last full window) make a batch: at most ``limit`` plus its first value's length, and a value
    longer than ``limit`` is never cut. No values: no batch.

    Examples:
        >>> sized_batches(np.array([3, 3, 3, 9, 1]), 5)
        [(0, 1), (1, 3), (3, 5)]
        >>> sized_batches(np.array([], dtype=np.int64), 5)
        []
    """
    total = np.cumsum(np.asarray(lengths, dtype=np.int64))
    if not len(total):
        return []
    cuts = np.searchsorted(total, np.arange(limit, int(total[-1]), limit), side="right")
    bounds = sorted({0, len(total), *cuts.tolist()})
    return list(zip(bounds[:-1], bounds[1:], strict=True))
