"""What Pascal VOC writes of an item's metadata and an object's extras, and what it writes that reads back otherwise.

Used by :mod:`labelkit.formats.voc_check` to count what a VOC write loses or transforms: the ``voc:*`` keys the
writer keeps, texts read back stripped or as numbers, attribute values read back as another type, and boxes a
reader's ``xmin - 1`` takes back otherwise by a float's rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.voc_check_masks import png_kinds
from labelkit.formats.voc_masks import VOID_KEYS
from labelkit.formats.voc_parse import _int_or_text as int_or_text
from labelkit.formats.voc_parse import attribute_value
from labelkit.formats.voc_values import (
    CORNERS_KEY,
    as_list,
    part_corners,
    part_ok,
    read_back_otherwise,
    tag_ok,
    value_text,
)
from labelkit.formats.voc_write import voc_boxes
from labelkit.model import Dataset
from labelkit.model.geometry import bbox_columns
from labelkit.model.tables import contains_match, decode_json_cell, true_mask

ITEM_KEYS = frozenset(
    {
        "voc:folder",
        "voc:path",
        "voc:source",
        "voc:owner",
        "voc:segmented",
        "voc:depth",
        "voc:imagesets",
        "voc:task_splits",
        "voc:blank_pngs",
        "voc:main",
        *VOID_KEYS,
    }
)
"""The item metadata VOC writes (any other key, ``voc:`` or not, is reported lost)."""

OWN_KEYS = frozenset({CORNERS_KEY})
"""The reader's bookkeeping the writer reads: not a loss."""

OBJECT_KEYS = frozenset(
    f"voc:{k}"
    for k in ("pose", "truncated", "difficult", "parts", "actions", "point", "mask_only", "semantic", "instance")
)
"""The object extras VOC writes or reads back."""

_SHAPES: dict[str, type] = {"voc:imagesets": list, "voc:task_splits": dict, "voc:blank_pngs": list, "voc:main": bool}
"""The item metadata VOC writes only of one shape (as its reader makes them): another is not written."""


def boxes_read_back_otherwise(dataset: Dataset) -> int:
    """How many written boxes a reader takes back otherwise than they are, by a float's rounding.

    A reader takes ``x = xmin - 1`` and ``w = xmax - xmin + 1``; of a width finer than the floats near ``xmax``
    hold (most boxes of two decimals beyond a few hundred pixels) no corner gives it back exactly. Rotated boxes
    are written as their bounds, which the plan says of them. Only the boxes of XML objects are counted: an object
    of no known class (lost whole), or a mask-only or class-only one (written to the PNGs only), writes no corners.
    """
    voc, writable = voc_boxes(dataset)
    objects = dataset.table("objects")
    straight = true_mask(pc.equal(objects["angle"].fill_null(0.0), 0.0))
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    known = true_mask(pc.is_in(objects["category_id"], value_set=ids))
    rows = np.flatnonzero(writable & straight & known)
    if not len(rows):
        return 0
    boxes = bbox_columns(objects["bbox"])[0][rows]
    moved = rows[read_back_otherwise(voc[rows], boxes)]
    kinds = png_kinds(objects.select(["extras"]).take(pa.array(moved)))[0] if len(moved) else np.zeros(0)
    count = int(np.count_nonzero(kinds == 0))
    return count + _parts_read_back_otherwise(objects, writable & known)


def _parts_read_back_otherwise(objects: pa.Table, written: np.ndarray[Any, Any]) -> int:
    """How many part boxes (``voc:parts``) of the XML objects a reader takes back otherwise than they are.

    ``written``: the rows of a box VOC can write and a known class; the parts are written as an object's corners
    are (:func:`part_corners`).
    """
    rows = np.flatnonzero(written & contains_match(objects["extras"], '"voc:parts"'))
    if not len(rows):
        return 0
    taken = objects.select(["extras"]).take(pa.array(rows))
    xml_objects = png_kinds(taken)[0] == 0
    parts = [
        part
        for text, xml in zip(taken["extras"].to_pylist(), xml_objects.tolist(), strict=True)
        if xml
        for part in as_list(decode_json_cell(text).get("voc:parts"))
        if part_ok(part)
    ]
    if not parts:
        return 0
    corners = np.asarray([part_corners(p) for p in parts], dtype=np.float64)
    boxes = np.asarray([[float(v) for v in p["bbox"]] for p in parts], dtype=np.float64)
    return int(np.count_nonzero(read_back_otherwise(corners, boxes)))


def voc_metadata_only(meta: dict[str, Any]) -> bool:
    """Whether VOC writes all of an item's metadata: its own keys, source and owner fields named as tags.

    The keys of :data:`_SHAPES` count only of their shape.
    """
    if any(k not in ITEM_KEYS or not isinstance(v, _SHAPES.get(k, object)) for k, v in meta.items()):
        return False
    return all(
        not isinstance(meta.get(key), dict) or all(tag_ok(str(k)) for k in meta[key])
        for key in ("voc:source", "voc:owner")
    )


def item_texts_read_back_otherwise(meta: dict[str, Any]) -> bool:
    """Whether an item's folder, path, source, owner, depth or segmented flag (``voc:...``) reads back otherwise.

    Each is written as a text (``source`` and ``owner`` as their fields, when a mapping) and read back stripped,
    ``depth`` and ``segmented`` as a number where they are digits (``"7"`` as 7, ``[1]`` as ``"[1]"``).
    """
    for key in ("voc:depth", "voc:segmented"):
        if key in meta:
            back = int_or_text(value_text(meta[key]).strip())
            if type(back) is not type(meta[key]) or back != meta[key]:
                return True
    for key in ("voc:folder", "voc:path", "voc:source", "voc:owner"):
        if key not in meta:
            continue
        value, fielded = meta[key], key in ("voc:source", "voc:owner")
        if fielded and isinstance(value, str) and not value.strip():
            return True  # (an empty <source> or <owner> reads back as one of no fields)
        fields = [v for k, v in value.items() if tag_ok(str(k))] if fielded and isinstance(value, dict) else [value]
        if any(not isinstance(v, str) or v != v.strip() for v in fields):
            return True
    return False


def texts_read_back_otherwise(extras: dict[str, Any]) -> bool:
    """Whether an object's ``voc:pose`` or a part name it writes reads back as another value (stripped, a text)."""
    pose = extras.get("voc:pose")
    if pose is not None and (not isinstance(pose, str) or pose != pose.strip()):
        return True
    return any(part_ok(p) and p["name"] != p["name"].strip() for p in as_list(extras.get("voc:parts")))


def reads_back_otherwise(value: Any) -> bool:
    """Whether an attribute value written as VOC text reads back as another value (or type)."""
    from labelkit.formats.voc_xml import attribute_text

    back = attribute_value(attribute_text(value).strip())
    return type(back) is not type(value) or back != value
