"""COCO JSON text built a column at a time: numbers, lists, members and carried extras (ids: :mod:`.coco_ids`).

Numbers are formatted by Arrow's float-to-string cast (the shortest text that reads back to the same
float64), or from integers when they have at most two decimals; lists are joined with ``binary_join``, and
each annotation's members are concatenated element-wise. Used by :mod:`labelkit.formats.coco_write`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import OutputError
from labelkit.formats.coco_geometry import BBOX_TEXT, POLYGON_TEXT
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, loads_text, members_or_raw, spliced_rows, true_mask, valid_mask

EMPTY_SPLITS = "coco:@empty_splits"
"""The info extra naming the splits read from files that list no image (``instances_test.json`` of a test split to
fill later, a results file ``[]``): VOC and YOLO write them again, empty, and COCO its files of them as read (see
``formats.base.EMPTY_SPLIT_KEYS``)."""
STUFF_TAG = "coco:@task"
"""The extras key telling which file of its split an object was read from (``stuff``, ``person_keypoints``)."""
INLINE_TAG = "coco:@inline_keypoints"
"""The extras key marking an object whose record in the instances file carried its keypoints inline, in a split
with a keypoints file too. Its value is that record's ``num_keypoints`` as read: the number, ``null`` without
one, or the JSON text of another value (``"\\"2\\""``). The object's other extras are the keypoints file's, so
writing COCO gives the instances file's record back its keypoints and its own ``num_keypoints``. An object of
such a record that the keypoints file does not list is also tagged ``"coco:@task":"instances"``
(:data:`STUFF_TAG`): it is not written there."""
POINTS_TAG = "coco:@inline_points"
"""The extras key holding the keypoints an instances file's record carried inline (a JSON list), where the
keypoints file beside it gives the same annotation other keypoints (the object's): writing COCO gives the
instances file's record back its own, which its category's keypoint names there count (they were written the
keypoints file's, a file its reader refuses where the two files name other points)."""
COUNT_TAG = "coco:@num_keypoints"
"""The extras key marking an object whose record in the instances file carried ``num_keypoints`` but no keypoints,
in a split with a keypoints file too. Its value is that ``num_keypoints`` as read (as :data:`INLINE_TAG`'s), which
writing COCO gives the instances file's record back (its ``coco:num_keypoints`` extra is the keypoints file's)."""
LISTED_TAG = "coco:@listed_without_keypoints"
"""The extras key marking an object the keypoints file lists without keypoints, joined to the same annotation of
the instances file (its value is ``true``): writing COCO lists it in the keypoints file too, as it lists the objects
with keypoints (a record without keypoints of that file was written to the instances file only)."""
_FRACTIONS = pa.array(["", *(f".{i:02d}".rstrip("0") for i in range(1, 100))], pa.string())
_SIGNS = pa.array(["", "-"], pa.string())


def numbers_text(values: pa.Array) -> pa.Array:
    """Shortest round-trip text of float64 values.

    Values with at most two decimals (most COCO coordinates) are formatted from integers, which is several
    times faster than a float-to-string cast; the text reads back to the same float64 because the value is
    exactly the correctly rounded quotient ``m / 100``. Other values use Arrow's float-to-string cast.
    """
    v = values.to_numpy(zero_copy_only=False)
    if not len(v):
        return pa.array([], pa.string())
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.rint(v * 100.0)
        ok = (np.abs(m) < 2.0**53) & (m / 100.0 == v)
    if not ok.any():
        return pc.cast(values, pa.string())
    cents = np.where(ok, m, 0.0).astype(np.int64)
    magnitude = np.abs(cents)
    negative = np.signbit(v)  # -0.0 too, which ``cents < 0`` would write as 0
    text = pc.binary_join_element_wise(
        _SIGNS.take(pa.array(negative.astype(np.int8))),
        pa.array(magnitude // 100).cast(pa.string()),
        _FRACTIONS.take(pa.array((magnitude % 100).astype(np.int8))),
        "",
    )
    if negative.any():
        # "-0" reads back as the integer 0 (Python's json, orjson): -0.0 is written as orjson writes it
        zero = negative & ok & (cents == 0)
        if zero.any():
            text = pc.replace_with_mask(text, pa.array(zero), pa.array(["-0.0"] * int(zero.sum()), pa.string()))
    if ok.all():
        return text
    rest = pc.cast(pa.array(v[~ok]), pa.string())
    return pc.replace_with_mask(text, pa.array(~ok), rest)


def _check_finite(arr: pa.Array) -> None:
    flat = arr
    while pa.types.is_list(flat.type) or pa.types.is_fixed_size_list(flat.type):
        flat = pc.list_flatten(flat)
    if len(flat) and not pc.all(pc.is_finite(flat)).as_py():
        raise OutputError("COCO JSON cannot hold NaN or infinite coordinates")


def list_json(arr: pa.Array) -> pa.Array:
    """JSON text of each list in a (nested) list<float64> array; null rows stay null.

    Raises:
        OutputError: a value is NaN or infinite (JSON has no such numbers).
    """
    _check_finite(arr)
    return _list_json(arr)


def polygon_json(batch: pa.RecordBatch) -> pa.Array:
    """JSON text of each object's polygon rings (null without); the text read, where the batch carries it.

    A batch of objects read from COCO for a conversion to COCO carries their polygons' text as read (column
    ``_polygon_text``, see ``coco_geometry.polygon_text``); the other polygons are formatted.

    Raises:
        OutputError: a coordinate is NaN or infinite.
    """
    return _as_read(batch, "polygon", POLYGON_TEXT)


def bbox_json(batch: pa.RecordBatch, boxes: pa.Array | None = None, changed: np.ndarray | None = None) -> pa.Array:
    """JSON text of each object's box (null without); the text read, where the batch carries it.

    As :func:`polygon_json`, for boxes (column ``_bbox_text``). ``boxes`` are written instead of the batch's
    when given; those of the rows ``changed`` (derived or clipped) are formatted, not taken from the text.

    Raises:
        OutputError: a coordinate is NaN or infinite.
    """
    return _as_read(batch, "bbox", BBOX_TEXT, boxes, changed)


def _as_read(
    batch: pa.RecordBatch,
    column: str,
    text_column: str,
    values: pa.Array | None = None,
    changed: np.ndarray | None = None,
) -> pa.Array:
    values = batch.column(column) if values is None else values
    if text_column not in batch.schema.names:
        return list_json(values)
    _check_finite(values)
    present = values.is_valid()
    if changed is not None and changed.any():
        present = pc.and_(present, pa.array(~changed))
    text = _compact(pc.if_else(present, batch.column(text_column).cast(pa.string()), pa.scalar(None, pa.string())))
    present = values.is_valid()
    todo = pc.and_(present, text.is_null())
    if not pc.any(todo).as_py():
        return text
    return pc.replace_with_mask(text, todo, _list_json(values.filter(todo)))


_SPACES = (ord(" "), ord("\t"))


def _compact(numbers: pa.Array) -> pa.Array:
    """JSON texts of lists of numbers without the whitespace a pretty-printed file has: the same values.

    Written as compact as the rest of the file; compact texts pass as they are, after a look at their bytes.
    """
    data = numbers.buffers()[2]
    if data is None:
        return numbers
    view = np.frombuffer(data, dtype=np.uint8)
    for space in _SPACES:
        if (view == space).any():
            numbers = pc.replace_substring(numbers, chr(space), "")
    return numbers


def _list_json(arr: pa.Array) -> pa.Array:
    if isinstance(arr, pa.FixedSizeListArray):
        size = arr.type.list_size
        values = arr.values.slice(arr.offset * size, len(arr) * size)
        offsets = pa.array(np.arange(0, len(arr) * size + 1, size, dtype=np.int32))
        arr = pa.ListArray.from_arrays(offsets, values, mask=arr.is_null())
    # only this array's values: ``arr.values`` of a slice (a batch of a larger table) is the whole column's
    offsets = arr.offsets
    first, last = offsets[0].as_py(), offsets[-1].as_py()
    inner = arr.values.slice(first, last - first)
    mask = arr.is_null() if arr.null_count else None
    if first or (mask is not None and offsets.offset):
        # values counted from the slice's first; Arrow cannot combine a null bitmap with sliced offsets either
        offsets = pa.array(offsets.to_numpy() - np.int32(first), pa.int32())
    inner_json = _list_json(inner) if pa.types.is_list(inner.type) else numbers_text(inner)
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, inner_json, mask=mask), ",")
    return pc.binary_join_element_wise("[", joined, "]", "")


def member(key: str, text: pa.Array) -> pa.Array:
    """``,"key":<text>`` per row (null where text is null)."""
    return pc.binary_join_element_wise(f',"{key}":', text, "")


def concat(pieces: Sequence[pa.Array | str]) -> pa.Array:
    """The pieces (columns or texts) joined per row, a null piece as nothing."""
    return pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")


DERIVE_TAG = "coco:@derive"
"""The extras key marking an object whose geometry COCO's plan changed (a mask or negative box left out, a
rotated box turned into its corners): it is written with every required field it now lacks derived, even if
read from COCO. Set on those rows only (:func:`marked_for_derivation`); never written."""


@dataclass(frozen=True)
class CarriedFields:
    """Per row, which of COCO's annotation fields its extras carry (as ``coco:<name>``, read from a COCO file).

    An object read from COCO (``as_read``) is written with exactly the fields it was read with: its box or
    none (``"bbox": null`` is carried as ``coco:bbox``), its segmentation or none, its ``area``, ``iscrowd``
    and ``num_keypoints`` or none (LVIS has no ``iscrowd``, CrowdPose keypoints no segmentation or area). Any
    other object gets each required field it does not carry (see ``coco_write``). The other flags are found
    for the rows not carrying both ``area`` and ``iscrowd`` (and those marked), False elsewhere.
    """

    area: np.ndarray
    iscrowd: np.ndarray
    bbox: np.ndarray
    segmentation: np.ndarray
    num_keypoints: np.ndarray
    as_read: np.ndarray


def carried_fields(extras: pa.Array | pa.ChunkedArray, read_from_coco: bool = False) -> CarriedFields:
    """Which of COCO's annotation fields each row's extras carry (a key ``"coco:<name>":``; none without extras).

    A row counts as read from COCO (``as_read``) when it carries ``area`` and ``iscrowd`` (every annotation of
    COCO's own files), or, in a dataset read from COCO (``read_from_coco``: its info lists the files read), any
    of ``area``, ``iscrowd``, ``num_keypoints``, ``bbox`` or ``segmentation``; never when marked with
    :data:`DERIVE_TAG`. (An object of a dataset built elsewhere carrying only some of them, ``{"coco:iscrowd":
    0}`` on a YOLO box, did not come from a COCO file that had the others: it gets them, so that what is
    written loads in pycocotools.) A key is told by its quoted name followed by a colon, which a string value
    cannot hold unescaped. Three passes over the texts (``area``, ``iscrowd``, the mark); the rest are looked
    for in the other rows only, usually none (COCO -> COCO) or few with extras (other formats).
    """
    n = len(extras)
    if not n or extras.null_count == n:
        return CarriedFields(*(np.zeros(n, dtype=bool) for _ in range(6)))
    area = true_mask(pc.match_substring(extras, '"coco:area":'))
    iscrowd = true_mask(pc.match_substring(extras, '"coco:iscrowd":'))
    marked = contains_match(extras, f'"{DERIVE_TAG}":')
    rest = [np.zeros(n, dtype=bool) for _ in range(3)]
    others = (~(area & iscrowd) | marked) & valid_mask(extras)
    if others.any():
        texts = extras.filter(pa.array(others))
        for flags, name in zip(rest, ("bbox", "segmentation", "num_keypoints"), strict=True):
            flags[others] = true_mask(pc.match_substring(texts, f'"coco:{name}":'))
    carried = area | iscrowd | rest[0] | rest[1] | rest[2] if read_from_coco else area & iscrowd
    bbox, segmentation, num_keypoints = rest
    return CarriedFields(area, iscrowd, bbox, segmentation, num_keypoints, carried & ~marked)


def marked_for_derivation(extras: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``extras`` with the ``rows`` marked as changed by the plan (:data:`DERIVE_TAG`).

    Their carried ``bbox`` and ``segmentation`` are taken out: the plan changed their geometry, so what was
    carried of it no longer holds. The rows are few (objects whose mask, box or angle COCO cannot hold): they
    are decoded and encoded one by one, and taken in place of the others.
    """
    column = extras if isinstance(extras, pa.Array) else extras.combine_chunks()
    picked = np.flatnonzero(rows)
    texts = []
    for text in column.take(pa.array(picked)).to_pylist():
        members = loads_text(text) if text is not None else {}
        kept = {k: v for k, v in members.items() if k not in ("coco:bbox", "coco:segmentation")}
        texts.append(orjson.dumps({**kept, DERIVE_TAG: "geometry"}).decode())
    return spliced_rows(column.cast(pa.string()), picked, pa.array(texts, pa.string()))


def extra_key(field: str) -> str:
    """The extras key of an annotation field COCO's model has no place for: ``coco:<field>``.

    A field starting with ``@`` (JSON-LD's ``@type``, ``@id``) or ``~`` gets a ``~`` before it: ``coco:@...`` is
    the reader's bookkeeping (``coco:@task``), which the writer does not write (:func:`field_of` undoes it).

    Examples:
        >>> [extra_key(f) for f in ("area", "@type", "~x")]
        ['coco:area', 'coco:~@type', 'coco:~~x']
    """
    return f"coco:~{field}" if field[:1] in ("@", "~") else f"coco:{field}"


def field_of(key: str) -> str:
    """The annotation field of an extras key (:func:`extra_key`'s): ``coco:~@type`` is ``@type``.

    Examples:
        >>> [field_of(k) for k in ("coco:area", "coco:~@type", "coco:~~x", "voc:pose")]
        ['area', '@type', '~x', 'voc:pose']
    """
    if not key.startswith("coco:"):
        return key
    return key[6:] if key.startswith("coco:~") else key[5:]


_JSON_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
"""A JSON number's text."""
_BOOKKEEPING_VALUE = f'(?:{_JSON_NUMBER}|null|true|false|\\[[^\\[\\]{{}}"]*\\])'
_BOOKKEEPING = f',"coco:@[a-z_]+":{_BOOKKEEPING_VALUE}'
"""A bookkeeping member (``coco:@...``) whose value holds no quote (a number, a flat list of numbers), after
another member, which :func:`carried_extras` cuts out so that the row's other members may still be spliced as
they are (:data:`_FIRST_BOOKKEEPING` cuts out the first member)."""
_FIRST_BOOKKEEPING = f'^\\{{"coco:@[a-z_]+":{_BOOKKEEPING_VALUE},?'
"""The first member of an object, a bookkeeping one as :data:`_BOOKKEEPING`'s (the others cut out before)."""


ATTRIBUTES_EXTRA = "coco:attributes"
"""The ``attributes`` object a record cannot hold, carried as read (see ``coco_build``)."""


def attributes_twice(attributes: pa.Array | pa.ChunkedArray, extras: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Rows with attributes of their own and a carried ``coco:attributes`` too: COCO holds one ``attributes``.

    The record's are written; the writer leaves the carried one out (it wrote both keys, and readers keep the
    last), and the plan reports it lost.
    """
    rows = valid_mask(attributes) & contains_match(extras, f'"{ATTRIBUTES_EXTRA}"')
    for i in np.flatnonzero(rows).tolist():  # (a nested key is no carried attributes object)
        rows[i] = ATTRIBUTES_EXTRA in members_or_raw(extras[i].as_py())
    return rows


def without_carried_attributes(extras: pa.Array, rows: np.ndarray) -> pa.Array:
    """``extras`` with ``coco:attributes`` taken out of the ``rows`` (see :func:`attributes_twice`)."""
    texts = extras.to_pylist()
    for i in np.flatnonzero(rows).tolist():
        rest = [f"{orjson.dumps(k).decode()}:{v}" for k, v in _member_texts(texts[i]).items() if k != ATTRIBUTES_EXTRA]
        texts[i] = "{" + ",".join(rest) + "}" if rest else None
    return pa.array(texts, extras.type)


def _member_texts(text: str) -> dict[str, str]:
    """An extras cell's members, each value as JSON text.

    A scalar's as it is there (``1e2`` stays ``1e2``, as read), a list's or object's compact (:func:`value_text`:
    a file's spacing inside it is not kept).
    """
    members = members_or_raw(text)
    raw = msgspec.json.decode(text, type=dict[str, msgspec.Raw])
    return {k: value_text(v) if isinstance(v, (list, dict)) else bytes(raw[k]).decode() for k, v in members.items()}


def value_text(value: Any) -> str:
    """A decoded extras value as JSON text; a ``msgspec.Raw`` (a number no float holds: ``1e400``) as read."""
    return bytes(value).decode() if isinstance(value, msgspec.Raw) else orjson.dumps(value).decode()


_NOT_TOP_KEYS = r'"coco:[^"\\]*"[^:]|.\{\s*"coco:|\\'
"""In an extras text whose only strings are ``coco:`` ones: a string that is no key (``"coco:x"}``), an object
inside that has keys (its first one is such a string; they are not the top level's, and an empty one, ``{}``,
as CVAT's attributes, takes the quick way), or an escape (``\\"``: a key ``coco:a\\":\\"coco:b`` holds a
``"coco:`` that is no key's start)."""


def carried_extras(extras: pa.Array, skip: Sequence[str] = ()) -> pa.Array:
    """Per row: ``,"name":value`` for every ``coco:name`` extra (null without one).

    Texts whose only strings are ``coco:`` keys (the reader's usual ``{"coco:area":1.5,"coco:iscrowd":0}``)
    are rewritten by Arrow string kernels; the others are decoded and re-encoded one by one.
    """
    n = len(extras)
    if not n:
        return pa.array([], pa.string())
    has = pc.fill_null(pc.match_substring(extras, '"coco:'), False)
    has_np = np.asarray(has.to_numpy(zero_copy_only=False), dtype=bool)
    if not has_np.any():
        return pa.nulls(n, pa.string())
    if contains_match(extras, '"coco:@').any():  # bookkeeping (INLINE_TAG's number): not written
        extras = pc.replace_substring_regex(extras, _BOOKKEEPING, "")
        extras = pc.replace_substring_regex(extras, _FIRST_BOOKKEEPING, "{")
        extras = pc.if_else(pc.equal(extras, "{}"), pa.scalar(None, pa.string()), extras)
        has = pc.fill_null(pc.match_substring(extras, '"coco:'), False)
        has_np = np.asarray(has.to_numpy(zero_copy_only=False), dtype=bool)
    quotes = pc.count_substring(extras, '"')
    keys = pc.count_substring(extras, '"coco:')
    simple = pc.and_(has, pc.fill_null(pc.equal(quotes, pc.multiply(keys, 2)), False))
    # (and each such string a key of the top level: not a value, "coco:x", nor a key inside a value, whose
    # "coco:" is no prefix of a field's name; they are left as they are)
    simple = pc.and_(simple, pc.invert(pc.fill_null(pc.match_substring_regex(extras, _NOT_TOP_KEYS), True)))
    for key in skip:
        simple = pc.and_(simple, pc.invert(pc.fill_null(pc.match_substring(extras, f'"coco:{key}"'), False)))
    simple = pc.and_(simple, pc.invert(pc.fill_null(pc.match_substring(extras, '"coco:~'), False)))  # (extra_key)
    stripped = pc.utf8_slice_codeunits(pc.replace_substring(extras, '"coco:', '"'), 1, -1)
    fast = pc.if_else(simple, pc.binary_join_element_wise(",", stripped, ""), pa.scalar(None, pa.string()))
    slow_rows = np.flatnonzero(has_np & ~simple.to_numpy(zero_copy_only=False))
    if not len(slow_rows):
        return fast
    values = fast.to_pylist()
    for i in slow_rows.tolist():
        texts = _member_texts(extras[i].as_py())
        members = [
            f"{orjson.dumps(field_of(k)).decode()}:{v}"
            for k, v in texts.items()
            if k.startswith("coco:") and field_of(k) not in skip and not k.startswith("coco:@")  # (bookkeeping)
        ]
        values[i] = "," + ",".join(members) if members else None
    return pa.array(values, pa.string())


def inline_keypoints(extras: pa.Array, tag: str = INLINE_TAG) -> tuple[np.ndarray, pa.Array]:
    """Per row: whether its instances file record carried keypoints, and that record's ``num_keypoints``.

    Carried keypoints: tagged :data:`INLINE_TAG` (with ``tag`` :data:`COUNT_TAG`: carried a ``num_keypoints``
    without keypoints). The ``num_keypoints`` is the ``,"num_keypoints":<value>`` member
    the record is written with in the instances file (null: none, or not tagged). A tag's usual value (a number, or
    ``null``) is taken by one regular expression over the tagged rows; the others (a ``num_keypoints`` read as a
    string or a list) are decoded one by one.
    """
    n = len(extras)
    inline = contains_match(extras, f'"{tag}":')
    if not inline.any():
        return inline, pa.nulls(n, pa.string())
    rows = np.flatnonzero(inline)
    texts = extras.take(pa.array(rows))
    found = pc.struct_field(pc.extract_regex(texts, f'"{tag}":(?P<n>{_JSON_NUMBER}|null)[,}}]'), "n")
    values = found.to_pylist()
    for k in np.flatnonzero(~valid_mask(found)).tolist():
        value = loads_text(texts[k].as_py()).get(tag)
        try:  # (the JSON text of the value read; a tag made otherwise, holding no JSON text, gives none)
            values[k] = orjson.dumps(orjson.loads(value) if isinstance(value, str) else value).decode()
        except (orjson.JSONDecodeError, TypeError):
            values[k] = "null"
    index = np.full(n, -1, dtype=np.int64)
    index[rows] = np.arange(len(rows))
    text = pa.array(values, pa.string()).take(pa.array(index, mask=index < 0))
    return inline, member("num_keypoints", pc.if_else(pc.equal(text, "null"), pa.scalar(None, pa.string()), text))


def rectangles(bbox: pa.Array, rows: np.ndarray) -> pa.Array:
    """``[[x, y, x+w, y, x+w, y+h, x, y+h]]`` per box: pycocotools needs a segmentation (``[]`` when no box).

    Each of the four distinct numbers is formatted once (as :func:`_list_json` formats it) and repeated.

    Raises:
        OutputError: the far corner of a box of ``rows`` (those written) is past float64's range (JSON has no
            infinity: it was written ``inf``).
    """
    boxes = np.nan_to_num(G.bbox_columns(bbox)[0])
    x, y, w, h = boxes.T
    with np.errstate(over="ignore"):
        far_x, far_y = x + w, y + h
    beyond = rows & ~(np.isfinite(far_x) & np.isfinite(far_y))
    if beyond.any():
        raise far_corner_error(boxes[int(np.argmax(beyond))])
    left, top, right, bottom = (numbers_text(pa.array(v)) for v in (x, y, far_x, far_y))
    parts = ["[[", left, ",", top, ",", right, ",", top, ",", right, ",", bottom, ",", left, ",", bottom, "]]"]
    text = pc.binary_join_element_wise(*parts, "")
    return pc.if_else(pc.is_null(bbox), pa.scalar("[]"), text)


def far_corner_error(box: np.ndarray, object_id: object = None) -> OutputError:
    """The error of a box whose rectangle, written as its object's segmentation, has a corner past float64's range.

    ``object_id``: the object's, named when known (the plan's check knows it; the writer's, after it, does not).
    """
    of = "an object without one" if object_id is None else f"object {object_id!r}, which has none"
    return OutputError(
        f"COCO JSON cannot hold the rectangle of the box {box.tolist()}, written as the segmentation of {of}: "
        "its far corner (x + width, y + height) is past float64's range",
        hint="no COCO file holds it (JSON has no infinity): give the object a finite box, or an image size to clip it "
        "to",
    )


def endless_box_error(object_id: object) -> OutputError:
    """The error of a box written as COCO's ``bbox`` that is past float64's range: a rotated box's bounds.

    A box so large that its turned corners pass float64's limit has them at the largest float, and its bounds
    an infinite width; on an image of a known size it is clipped, on one of unknown size nothing can be.
    """
    return OutputError(
        f"COCO JSON cannot hold the bbox of object {object_id!r}: the bounds of its rotated box's turned corners "
        "pass float64's range (an infinite width or height)",
        hint="no COCO file holds it (JSON has no infinity): give the object a smaller box, or an image size to clip "
        "it to",
    )


def vast_area_error(object_id: object) -> OutputError:
    """The error of an object whose area (written as COCO's ``area``) is past float64's range."""
    return OutputError(f"COCO JSON cannot hold the area of object {object_id!r}: it is past float64's range")


def numbers_or_null(values: pa.Array) -> pa.Array:
    """Scores as text, null rows null.

    Raises:
        OutputError: a value is NaN or infinite.
    """
    valid = values.drop_null()
    if len(valid) and not pc.all(pc.is_finite(valid)).as_py():
        raise OutputError("COCO JSON cannot hold NaN or infinite scores")
    texts = pc.cast(values, pa.string())
    negative_zero = pc.equal(texts, "-0")  # (Arrow writes -0.0 so, which JSON readers take for the integer 0)
    return pc.if_else(negative_zero, "-0.0", texts) if pc.any(negative_zero).as_py() else texts


def json_strings(values: pa.Array) -> pa.Array:
    """Each text as a JSON string literal (captions), null rows null."""
    return pa.array([None if v is None else orjson.dumps(v).decode() for v in values.to_pylist()], pa.string())


def joined(texts: pa.Array) -> bytes:
    """The texts joined with commas, straight from the Arrow buffer (no Python string per element)."""
    if not len(texts):
        return b""
    with_commas = pc.binary_join_element_wise(texts, ",", "").cast(pa.large_string())
    offsets = np.frombuffer(with_commas.buffers()[1], dtype=np.int64)
    start = int(offsets[with_commas.offset])
    end = int(offsets[with_commas.offset + len(with_commas)])
    data: bytes = with_commas.buffers()[2].slice(start, end - 1 - start).to_pybytes()
    return data


def write_array(fh: Any, chunks: Iterator[bytes | str]) -> None:
    """Write ``[chunk,chunk,...]`` (each chunk comma-joined annotations; empty ones skipped)."""
    fh.write(b"[")
    first = True
    for text in chunks:
        if not text:
            continue
        fh.write(b"" if first else b",")
        fh.write(text.encode() if isinstance(text, str) else text)
        first = False
    fh.write(b"]")


def caption_categories(captions: pa.Table) -> set[int]:
    """The categories of captions: their column's, else the ``coco:category_id`` a caption read from COCO carries."""
    used = set(pc.unique(captions["category_id"].drop_null()).to_pylist())
    extras = captions["extras"].filter(pc.is_null(captions["category_id"]))
    if len(extras) and contains_match(extras, '"coco:category_id"').any():
        found = pc.extract_regex(extras, r'"coco:category_id":(?P<c>-?\d+)(?:[,}])')
        used |= {int(n) for n in pc.unique(pc.struct_field(found, [0]).drop_null()).to_pylist()}
    return used


# -- info and licenses as read -------------------------------------------------------------------------

_SECTIONS: dict[int, tuple[weakref.ref[Any], dict[tuple[str, str | None, str], bytes]]] = {}
_WHITESPACE = re.compile(rb'("(?:[^"\\]|\\.)*")|[ \t\n\r]+')
"""A JSON string (kept) or whitespace between tokens (taken out)."""


def keep_sections(info: Any, texts: dict[tuple[str, str | None, str], bytes]) -> None:
    """Remember each file's ``info`` and ``licenses`` as it spelled them, keyed ``(task, split, key)``.

    COCO -> COCO wrote them from their values, so ``"version": 1.10`` came back ``1.1`` and ``1E5`` as
    ``100000.0``: :func:`section_text` gives the text back (whitespace taken out) while the value is the one
    read. Tied to the dataset info object (``info``) as read, while it lives; a copy has none.
    """
    key = id(info)
    compact = {k: _WHITESPACE.sub(lambda m: m.group(1) or b"", text) for k, text in texts.items()}
    _SECTIONS[key] = (weakref.ref(info, lambda _: _SECTIONS.pop(key, None)), compact)


def section_text(info: Any, task: str, split: str | None, key: str, value: Any) -> bytes:
    """The JSON text of a file's ``key`` section: as read (see :func:`keep_sections`) if it still holds ``value``.

    A file read of no split (``t.json``) gives the text of the file its items are written to (``-o split``'s,
    ``instances_default.json``), where no file of that split was read.
    """
    written = orjson.dumps(value)
    entry = _SECTIONS.get(id(info))
    text = None
    if entry is not None and entry[0]() is info:
        text = entry[1].get((task, split, key))
        text = entry[1].get((task, None, key)) if text is None else text
    return text if text is not None and orjson.dumps(orjson.loads(text)) == written else written
