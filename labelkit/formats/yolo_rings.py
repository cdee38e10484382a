"""Rings YOLO writes: OBB's 4-corner rings."""

from __future__ import annotations

from typing import Any

import numpy as np


def quad_rings(coords: Any, starts: Any, lengths: Any) -> np.ndarray[Any, Any]:
    """Per ring (its ``starts`` and ``lengths`` in the flat ``coords``), whether it is 4 corners.

    A ring of 4 points, or of 5 whose last repeats the first exactly: a closed ring, as shapely, GeoJSON
    and many GIS tools write a polygon (OBB writes its first 4 points, the corners).
    """
    lengths = np.asarray(lengths)
    quad = lengths == 8
    closed = np.flatnonzero(lengths == 10)
    if len(closed):
        start = np.asarray(starts)[closed]
        quad[closed] = (coords[start] == coords[start + 8]) & (coords[start + 1] == coords[start + 9])
    return np.asarray(quad, dtype=bool)
