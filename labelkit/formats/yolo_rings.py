"""Rings YOLO writes: OBB's 4-corner rings, and the masks segment can trace into a ring."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow.compute as pc

from labelkit.model import Dataset
from labelkit.model.tables import valid_mask


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


def masks_of_another_size(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether it has a mask of another size than its image's (known) size.

    Traced at the mask's pixels and normalised by the image's size, its ring would be drawn elsewhere: segment
    does not trace it (COCO and VOC write such objects without their mask too).
    """
    items, objects = dataset.table("items"), dataset.table("objects")
    has_mask = valid_mask(objects["mask"])
    if not has_mask.any() or not items.num_rows:
        return np.zeros(objects.num_rows, dtype=bool)
    item = dataset.item_positions()
    safe = np.where(item >= 0, item, 0)
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)[safe]
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)[safe]
    mask_h = np.asarray(pc.struct_field(objects["mask"], "height").fill_null(0).to_numpy(), np.int64)
    mask_w = np.asarray(pc.struct_field(objects["mask"], "width").fill_null(0).to_numpy(), np.int64)
    sized = (width > 0) & (height > 0) & (item >= 0)
    return np.asarray(has_mask & sized & ((mask_h != height) | (mask_w != width)), dtype=bool)
