"""Polygons of holes alone, which cover nothing, taken off their objects before COCO or VOC writes them.

A polygon whose every ring of 3 points or more is a hole (``geometry.outerless_polygons``) draws no pixel: COCO
wrote it as an empty RLE mask with the hole's bounds as its box, and VOC the hole's bounds as the object's box, a
region a detector trains on where the object has none. (YOLO takes them off in ``yolo_writable``.)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.model import geometry as G

WHY = (
    "every ring of such a polygon that can be drawn (3 points or more) is a hole, which covers nothing: written, "
    "its hole's bounds were taken for the object's box"
)


def taken_off(objects: pa.Table, other: np.ndarray) -> tuple[pa.Table, int, int]:
    """``objects`` without polygons of holes alone, nor the objects they leave without geometry.

    ``other``: per object, whether it has geometry besides its polygon that the target writes (a box, a mask).
    Returns the objects, the number of polygons taken off objects kept, and of objects left out.
    """
    outerless = G.outerless_polygons(objects["polygon"], objects["polygon_holes"])
    if not outerless.any():
        return objects, 0, 0
    rows = pa.array(outerless)
    for name in ("polygon", "polygon_holes"):
        column = pc.if_else(rows, pa.nulls(objects.num_rows, objects[name].type), objects[name])
        objects = objects.set_column(objects.schema.get_field_index(name), name, column)
    bare = outerless & ~other
    return objects.filter(pa.array(~bare)), int((outerless & other).sum()), int(bare.sum())
