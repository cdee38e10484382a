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


def polygons_off(objects: pa.Table, rows: np.ndarray) -> pa.Table:
    """``objects`` with the polygons (and hole flags) of ``rows`` (a mask) taken off."""
    mask = pa.array(rows)
    for name in ("polygon", "polygon_holes"):
        column = pc.if_else(mask, pa.nulls(objects.num_rows, objects[name].type), objects[name])
        objects = objects.set_column(objects.schema.get_field_index(name), name, column)
    return objects


def taken_off(objects: pa.Table, other: np.ndarray) -> tuple[pa.Table, list[tuple[str, int, str]]]:
    """``objects`` without polygons of holes alone, nor the objects they leave without geometry; the losses.

    ``other``: per object, whether it has geometry besides its polygon that the target writes (a box, a mask).
    The losses (``report.lose`` arguments): the polygons taken off objects kept, and the objects left out.
    """
    outerless = G.outerless_polygons(objects["polygon"], objects["polygon_holes"])
    if not outerless.any():
        return objects, []
    bare = outerless & ~other
    return polygons_off(objects, outerless).filter(pa.array(~bare)), [
        ("polygons of holes alone", int((outerless & other).sum()), f"{WHY}; their objects are written without them"),
        ("objects of holes alone", int(bare.sum()), f"{WHY}; not written"),
    ]
