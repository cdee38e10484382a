"""What a target cannot hold: the generic capability check and the reports of extras a target drops."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, OutputError
from labelkit.formats.base import Capabilities
from labelkit.io import ordered_map
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model.tables import (
    ANNOTATION_TABLES,
    KIND_BY_TABLE,
    any_holds,
    contains_match,
    decode_json_cell,
    members_or_raw,
    true_mask,
)
from labelkit.report import Report


def _count_true(column: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(column.cast(pa.int64())).as_py() or 0) if len(column) else 0


def check_capabilities(dataset: Dataset, caps: Capabilities, target: str, report: Report) -> None:
    """Add to ``report`` every annotation or field the target's capabilities cannot hold.

    Format modules call this first, then add their own, finer checks.
    """
    items = dataset.table("items")
    kinds = pc.fill_null(items["media"], "image")  # (an item without a kind is an image, as api.save holds)
    media_counts = kinds.value_counts().to_pylist() if items.num_rows else []
    for media, n in sorted((str(c["values"]), int(c["counts"])) for c in media_counts):
        if media not in caps.media:
            report.lose(f"{media} items", n, f"{target} holds {', '.join(sorted(caps.media))} items only")
    held = true_mask(pc.is_in(kinds, value_set=pa.array(sorted(caps.media), pa.string())))
    for name, plural in _MEDIA_FIELDS:  # (of the items kept: the others are lost whole, above)
        if name not in caps.media_fields:
            given = int(np.count_nonzero(held & true_mask(items[name].is_valid()))) if items.num_rows else 0
            report.lose(plural, given, f"{target} has no {plural}")
    if not caps.item_metadata:
        report.lose("item groups", items.num_rows - items["group"].null_count, f"{target} has no item groups")
        report.lose(
            "items with metadata", items.num_rows - items["metadata"].null_count, f"{target} has no item metadata"
        )
    if not caps.hierarchy:
        report.lose(
            "category parents", sum(c.parent is not None for c in dataset.categories), f"{target} has no hierarchy"
        )
    _check_categories_and_info(dataset, caps, target, report)
    for name in ANNOTATION_TABLES:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        kind = KIND_BY_TABLE[name]
        if kind not in caps.kinds:
            report.lose(f"{kind} annotations", table.num_rows, f"{target} cannot hold {kind} annotations")
            continue
        if not caps.attributes:
            report.lose(
                f"{kind} attribute sets",
                table.num_rows - table["attributes"].null_count,
                f"{target} has no annotation attributes",
            )
        if not caps.scores:
            report.lose(f"{kind} scores", table.num_rows - table["score"].null_count, f"{target} has no scores")
        if not caps.provenance:
            report.lose(
                f"{kind} provenance records",
                table.num_rows - table["provenance"].null_count,
                f"{target} has no annotator or model field",
            )
        if not caps.time_ranges and kind in ("label", "transcript"):
            report.lose(
                f"{kind} time ranges", table.num_rows - table["start"].null_count, f"{target} has no time ranges"
            )
        if not caps.annotation_ids:
            report.transform(
                f"{kind} ids",
                renumbered(dataset, name),
                RENUMBERED.format(target=target),
            )
        if caps.extras != "*":
            _note_foreign_extras(table, kind, caps.extras, target, report)
        if kind == "object":
            _check_objects(table, caps, target, report)
    if not caps.tokens:
        report.lose("tokens", dataset.table("tokens").num_rows, f"{target} has no tokens")


def renumbered(
    dataset: Dataset,
    name: str,
    rank: np.ndarray | None = None,
    within: np.ndarray | None = None,
    first: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> int:
    """How many annotations of table ``name`` a reader numbering them 1, 2, ... gives another id.

    It numbers them item by item, in the items' order (or by ``rank``, each item's place in the order the reader
    lists them), each item's in the table's order (or by ``within``, a key per row, then the table's order);
    ``rows`` says which rows are written (default: all); ``first``, a key per row, comes before the item's.
    """
    positions = dataset.item_positions(name)
    known = np.flatnonzero((positions >= 0) if rows is None else (positions >= 0) & rows)
    if not len(known):
        return 0
    keys = positions[known] if rank is None else rank[positions[known]]
    inner = np.zeros(len(known), dtype=np.int64) if within is None else within[known]
    outer = np.zeros(len(known), dtype=np.int64) if first is None else first[known]
    order = known[np.lexsort((known, inner, keys, outer))]
    ids = dataset.table(name)["id"].take(pa.array(order))
    numbers = pa.array(np.arange(1, len(order) + 1, dtype=np.int64)).cast(pa.string())
    return len(order) - _count_true(pc.equal(ids, numbers))


RENUMBERED = "{target} has no annotation ids: a reader numbers them 1, 2, ... in the order it reads them"
"""The reason of the ``<kind> ids`` transformation (see :func:`renumbered`)."""


_MEDIA_FIELDS = (
    ("duration", "item durations"),
    ("fps", "item frame rates"),
    ("frame_count", "item frame counts"),
    ("text", "item texts"),
)
_CATEGORY_FIELDS = (
    ("supercategory", "category supercategories"),
    ("keypoints", "category keypoint names"),
    ("skeleton", "category skeletons"),
    ("attributes", "category attribute definitions"),
    ("color", "category colours"),
)
_INFO_FIELDS = (
    ("name", "dataset name"),
    ("attributes", "dataset attribute definitions"),
    ("metadata", "dataset metadata"),
)


def _check_categories_and_info(dataset: Dataset, caps: Capabilities, target: str, report: Report) -> None:
    """Category and dataset-info fields the target has no place for, renumbered ids, foreign info extras."""
    categories = dataset.categories
    for name, plural in _CATEGORY_FIELDS:
        if name not in caps.category_fields:
            report.lose(plural, sum(1 for c in categories if getattr(c, name)), f"{target} has no {plural}")
            report.transform(
                f"empty {plural}",
                sum(1 for c in categories if _given_empty(c, name)),
                f"{target} has no {plural}: an empty one ('' or []) is not written, and reads back as none",
            )
    if not caps.category_ids:
        report.transform(
            "category ids",
            sum(1 for index, c in enumerate(categories) if c.id != index),
            f"{target} numbers classes 0, 1, ... in the categories' order",
        )
    info = dataset.info
    for name, what in _INFO_FIELDS:
        if name not in caps.info_fields:
            report.lose(what, 1 if getattr(info, name) else 0, f"{target} has no {what}")
            report.transform(
                f"empty {what}",
                1 if _given_empty(info, name) else 0,
                f"{target} has no {what}: an empty one is not written, and reads back as none",
            )
    if caps.extras != "*":
        check_category_and_info_extras(dataset, caps.extras, target, report)


def _given_empty(record: Category | DatasetInfo, name: str) -> bool:
    """Whether a category or info field holds an empty value (``""``, ``[]``) given, not the model's default (None).

    Counted where the target has no place for the field: it went unsaid (a non-empty one is reported lost). A field
    whose default is empty (attribute definitions, metadata) cannot tell a given empty one: none is counted.
    """
    value = getattr(record, name)
    return value is not None and not value and type(record).model_fields[name].default is None


FLIP_IDX = "yolo:flip_idx"
"""The dataset info extra of YOLO pose's ``flip_idx``: which keypoint each one becomes when the image is flipped."""


def check_category_and_info_extras(dataset: Dataset, own: str | None, target: str, report: Report) -> None:
    """Report the extras of the dataset info and of categories outside the target's namespace ``own``.

    See :func:`report_extras` (for COCO, whose capabilities keep every extra from the generic check).
    """
    keys = dict.fromkeys(dataset.info.extras, 1)
    if own != "yolo" and keys.pop(FLIP_IDX, 0):  # (training data, not a reader's bookkeeping: lost, not noted)
        report.lose(
            f"keypoint flip orders ({FLIP_IDX})",
            1,
            f"{target} has no flip order of keypoints: Ultralytics swaps left and right points by it when it flips an "
            "image (without it, pose training flips none)",
        )
    report_extras(keys, own, "dataset info", target, report)
    if own != "coco":
        report.lose(
            "categories' keypoint names of other COCO files",
            _other_files_keypoint_names(dataset.info.extras.get("coco:files")),
            f"{target} keeps one list of keypoint names a category: the first file's, the category's",
        )
    counts: dict[str, int] = {}
    for c in dataset.categories:
        for key in c.extras:
            counts[key] = counts.get(key, 0) + 1
    report_extras(counts, own, "categories", target, report)


def _other_files_keypoint_names(files: Any) -> int:
    """How many COCO files' categories name their keypoints otherwise than the category (``coco:files``).

    A keypoints file of another split may name a category's points otherwise (COCO keeps each file's, in the
    file list's ``category_values``); a target of one list a category reads that file's points by the first's names.
    """
    specs = files if isinstance(files, list) else []
    return sum(
        1
        for spec in specs
        if isinstance(spec, dict) and isinstance(values := spec.get("category_values"), dict)
        for fields in values.values()
        if isinstance(fields, dict) and "keypoints" in fields
    )


def _check_objects(table: pa.Table, caps: Capabilities, target: str, report: Report) -> None:
    # a polygon that is its box's rectangle (COCO's segmentation of a box) loses nothing where the box is kept
    boxed = None
    if "polygon" not in caps.geometry and "bbox" in caps.geometry and table["polygon"].null_count < table.num_rows:
        from labelkit.model.geometry import box_rectangles

        boxed = box_rectangles(table["polygon"], table["bbox"], table["angle"])
    shape_column = table["shape"]
    if boxed is not None and boxed.any():
        shape_column = pc.if_else(pa.array(boxed), pa.scalar("box"), shape_column.combine_chunks())
    shapes = pa.table({"shape": shape_column}).group_by("shape", use_threads=False).aggregate([([], "count_all")])
    for shape, n in zip(shapes["shape"].to_pylist(), shapes["count_all"].to_pylist(), strict=True):
        if (shape or "box") not in caps.shapes:
            report.transform(f"{shape or 'box'} objects", n, f"{target} does not keep the drawn shape {shape!r}")
    if "angle" not in caps.geometry:
        angle = table["angle"].fill_null(0.0)
        report.lose("rotated boxes", _count_true(pc.not_equal(angle, 0.0)), f"{target} cannot hold an angle")
    for geometry, plural in (("polygon", "polygons"), ("mask", "masks"), ("keypoints", "keypoint sets")):
        if geometry not in caps.geometry:
            count = table.num_rows - table[geometry].null_count
            if geometry == "polygon" and boxed is not None:
                count -= int(boxed.sum())
            report.lose(plural, count, f"{target} cannot hold {plural}")
    if "track" not in caps.kinds:
        report.lose("video frame shapes", table.num_rows - table["frame"].null_count, f"{target} has no video frames")
        # the track fields of an object outside a video frame (those of a frame's are lost with it, above); a flag
        # that says "not outside" says nothing a reader does not assume, but an object outside is written as seen
        still = true_mask(table["frame"].is_null())
        report.lose(
            "track ids",
            int(np.count_nonzero(still & true_mask(table["track_id"].is_valid()))),
            f"{target} has no tracks",
        )
        report.lose(
            "outside flags",
            int(np.count_nonzero(still & true_mask(table["outside"].fill_null(False)))),
            f"{target} has no outside flag: the object is written as in view",
        )
        report.lose(
            "keyframe flags",
            int(np.count_nonzero(still & true_mask(table["keyframe"].is_valid()))),
            f"{target} has no keyframe flags",
        )
    # a flag that says "not occluded" and a z-order of 0 (the default) say nothing a reader does not assume
    if "occluded" not in caps.object_fields:
        report.lose(
            "occluded flags", _count_true(table["occluded"].fill_null(False)), f"{target} has no occluded flags"
        )
    if "z_order" not in caps.object_fields:
        z_order = table["z_order"].fill_null(0)
        report.lose("z-orders", _count_true(pc.not_equal(z_order, 0)), f"{target} has no z-orders")


def _note_foreign_extras(table: pa.Table, kind: str, own: str | None, target: str, report: Report) -> None:
    report_annotation_extras(extras_key_counts(table["extras"]), table["extras"], own, target, report, kind)


CONTENT_OBJECT_EXTRAS: tuple[tuple[str, str, str], ...] = (
    ("voc:parts", "part boxes", "parts"),
    ("voc:actions", "action labels", "actions"),
    ("voc:point", "action points", "action points"),
    ("voc:difficult", "difficult flags", "difficult flag"),
    ("voc:truncated", "truncated flags", "truncated flag"),
    ("voc:pose", "poses", "pose"),
    ("dota:difficult", "difficult flags", "difficult flag"),
    ("coco:iscrowd", "crowd flags", "crowd flag"),
    ("coco:ignore", "ignore flags", "ignore flag"),
    ("coco:attributes", "attributes the records cannot hold", "place for them"),
    (
        "voc:semantic",
        "class-only flags",
        "class-only regions: each is written as an object of its class, which a trainer takes for one instance",
    ),
    (
        "voc:mask_only",
        "mask-only flags",
        "object without a box: each is written with its mask's bounds as its box, an ordinary object (which a VOC "
        "write then makes an XML object, and a detector trains on)",
    ),
)
"""Object extras of another format's namespace that hold annotation content, not bookkeeping: ``(key, what
they are, what the target lacks)``: VOC's, the difficult flag YOLO's reader reads from a DOTA labelTxt line, and
COCO's crowd flag (a crowd region written as an ordinary object is a positive example to a trainer) and its
``ignore`` flag (Label Studio writes 0 on every annotation; an object of 1, which MMDetection's and Detectron's
COCO loaders leave out of training, is a positive example too when written as an ordinary object), the
``attributes`` objects the records cannot hold (a null or nested value), which COCO carries as read, and VOC's
class-only flag (a class's pixels no instance of the object PNG accounts for, one region per class and image:
written as an ordinary object, it too is an instance to a trainer). VOC's mask-only flag (an instance of the
object PNG that no XML object has: CVAT's mask exports are all such) is reported transformed, not lost
(:data:`TRANSFORMING_EXTRAS`): its mask and class are written, and the box is the one its read gave it.
A target that does not keep them (nor adopts them, :data:`ADOPTED_OBJECT_EXTRAS`) reports each value that is not
the format's default lost (:func:`report_annotation_extras`); a default (a difficult flag of 0, pose
``Unspecified``) is noted like any other foreign key."""

TRANSFORMING_EXTRAS = frozenset({"voc:mask_only"})
"""Content extras (:data:`CONTENT_OBJECT_EXTRAS`) a target without them reports transformed, not lost."""

_ZERO_TYPES = (int, float, bool)
_FLAGS = (
    "voc:difficult",
    "voc:truncated",
    "dota:difficult",
    "coco:iscrowd",
    "coco:ignore",
    "voc:semantic",
    "voc:mask_only",
)
"""Content extras that are flags: 0 (or false) is their format's default, which says nothing."""


def holds_content(key: str, value: Any) -> bool:
    """Whether the value of a content extra (:data:`CONTENT_OBJECT_EXTRAS`) says more than its format's default.

    Null says nothing; a flag (VOC's, DOTA's, COCO's crowd flag) says something unless it is 0 (or false; a
    crowd flag also as the text ``"false"`` or ``"0"``, as Label Studio's COCO export writes it), a pose unless it
    is empty or ``Unspecified``, parts unless empty, actions unless every one is 0; a point always does.

    >>> [holds_content("voc:difficult", v) for v in (0, False, 1, None)]
    [False, False, True, False]
    >>> [holds_content("dota:difficult", v) for v in (0, 1, None)]
    [False, True, False]
    >>> [holds_content("coco:iscrowd", v) for v in (0, "false", "0", "true", 1)]
    [False, False, False, True, True]
    >>> [holds_content("coco:ignore", v) for v in (0, False, 1, True)]
    [False, False, True, True]
    >>> [holds_content("voc:pose", v) for v in ("", "Unspecified", "Left")]
    [False, False, True]
    >>> [holds_content("voc:actions", v) for v in ({"jumping": 0}, {"jumping": 0, "running": 1}, {})]
    [False, True, False]
    """
    if value is None:
        return False
    if key == "voc:pose":
        return value not in ("", "Unspecified")
    if key in ("coco:iscrowd", "coco:ignore") and isinstance(value, str):  # (Label Studio's COCO export: "false")
        return value.lower() not in ("0", "false")
    if key in _FLAGS:
        return not (type(value) in _ZERO_TYPES and value == 0)
    if key == "voc:actions":
        values = value.values() if isinstance(value, dict) else [value]
        return any(not (type(v) in _ZERO_TYPES and v == 0) for v in values)
    if key == "voc:parts":
        return value not in ([], {}, "")
    if key == "coco:attributes":  # (an empty object is carried as read: no attribute is lost with it)
        return bool(value != {})
    return True


def content_extras_counts(
    column: pa.ChunkedArray | pa.Array, own: str | None, adopted: tuple[str, ...] = ()
) -> dict[str, int]:
    """How many rows of an extras column hold content (:func:`holds_content`) in each content extra.

    Only the keys of :data:`CONTENT_OBJECT_EXTRAS` that a target keeping namespace ``own`` does not keep, and
    whose own check does not report them (``adopted``: keys or namespaces, see :data:`ADOPTED_OBJECT_EXTRAS`),
    are counted. One substring pass per key over the column's text finds the rows that may carry it; only those
    are decoded, each distinct text once (VOC's flags and poses repeat).
    """
    keys = [key for key, _, _ in CONTENT_OBJECT_EXTRAS if _foreign(key, own) and not key.startswith(adopted)]
    counts: dict[str, int] = {}
    if not keys or column.null_count == len(column):
        return counts
    maybe = np.zeros(len(column), dtype=bool)
    for key in keys:
        maybe |= _non_zero_flags(column, key) if key in _FLAGS else contains_match(column, f'"{key}"')
    if not maybe.any():
        return counts
    texts = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
    for entry in texts.filter(pa.array(maybe)).value_counts().to_pylist():  # (each text decoded once)
        extras = _members(entry["values"])
        for key in keys:
            if key in extras and holds_content(key, extras[key]):
                if key == "voc:mask_only" and holds_content("voc:semantic", extras.get("voc:semantic")):
                    continue  # (a class-only region: lost as such, counted once)
                counts[key] = counts.get(key, 0) + int(entry["counts"])
    return counts


def flag_rows(column: pa.ChunkedArray | pa.Array, key: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows of an extras column whose flag ``key`` holds content (:func:`holds_content`: set, not 0 or false).

    The rows that may hold it are found by one pattern pass (:func:`_non_zero_flags`); only those are decoded,
    each distinct text once.
    """
    rows = np.array(_non_zero_flags(column, key), dtype=bool)
    if not rows.any():
        return rows
    where = np.flatnonzero(rows)
    texts = (pa.chunked_array([column]) if isinstance(column, pa.Array) else column).take(pa.array(where))
    found: dict[str, bool] = {}
    for i, text in enumerate(texts.to_pylist()):
        held = found.get(text)
        if held is None:
            held = found[text] = holds_content(key, _members(text).get(key))
        rows[where[i]] = held
    return rows


def _non_zero_flags(column: pa.ChunkedArray | pa.Array, key: str) -> np.ndarray[Any, Any]:
    """Rows that may hold flag ``key`` set: those carrying it, but for those where each is spelled ``"key":0,``.

    (Or ``"key":0}``: the default, as readers write it.) These are not decoded. COCO's reader gives every
    annotation its ``iscrowd``, 0 nearly always, in texts all distinct (``coco:area`` differs): decoding them all
    took a third of a second for 860,000 annotations; one pattern pass takes 0.07 s. Other spellings (``: 0``,
    ``0.0``, ``false``) are rows to decode, which tells them exactly.
    """
    if not any_holds(column, f'"{key}"'):
        return np.zeros(len(column), dtype=bool)
    pattern = f'"{key}"(?:$|[^:]|:$|:[^0]|:0$|:0[^,}}])'
    return true_mask(pc.match_substring_regex(column, pattern))


def _members(text: str) -> dict[str, Any]:
    """An extras cell's members, decoded.

    One holding a number no float holds (COCO's ``"iscrowd": 1e400``, carried as read) is kept as its raw text,
    which holds content: it is not its format's default.
    """
    try:
        return decode_json_cell(text)
    except InputError:
        members = members_or_raw(text)
    for key, value in members.items():
        with contextlib.suppress(orjson.JSONDecodeError):
            members[key] = orjson.loads(bytes(value))
    return members


def report_annotation_extras(
    counts: Mapping[str, int],
    column: pa.ChunkedArray | pa.Array,
    own: str | None,
    target: str,
    report: Report,
    kind: str = "object",
) -> None:
    """:func:`report_extras` for annotations of ``kind``, with content extras reported lost.

    The values of :data:`CONTENT_OBJECT_EXTRAS` that hold content (part boxes, actions, a difficult flag of 1,
    ...) are annotations a target without a place for them loses (``lost: 12 object annotations' part boxes
    (voc:parts): YOLO detect has no parts``; an image label's difficult flag, VOC's ``0`` list lines, too); the
    rows left (defaults) are noted with the other foreign keys. Object extras the target adopts
    (:data:`ADOPTED_OBJECT_EXTRAS`: DOTA's flag, which VOC writes and YOLO's own check reports) are left to it.

    Args:
        counts: key -> annotations carrying it (:func:`extras_key_counts` of ``column``, or fewer keys).
        column: the annotations' extras texts.
        own: the target's namespace, or None when it keeps no extras.
        target: the target's name, for the messages.
        report: where the losses and notes go.
        kind: ``object``, ``label``, ... (for the messages).
    """
    adopted = ADOPTED_OBJECT_EXTRAS.get(own or "", ()) if kind == "object" else ()  # (their target's own check)
    carried = any(key in counts for key, _, _ in CONTENT_OBJECT_EXTRAS)
    content = content_extras_counts(column, own, adopted) if carried else {}
    for key, what, lacks in CONTENT_OBJECT_EXTRAS:
        if key in TRANSFORMING_EXTRAS:
            report.transform(f"{kind} annotations' {what} ({key})", content.get(key, 0), f"{target} has no {lacks}")
        else:
            report.lose(f"{kind} annotations' {what} ({key})", content.get(key, 0), f"{target} has no {lacks}")
    rest = {key: n - content.get(key, 0) for key, n in counts.items() if n > content.get(key, 0)}
    report_extras(rest, own, f"{kind} annotations", target, report)


_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*:")
"""A format's namespace in front of an extras key (``coco:``, ``voc:``, ``cvat:``)."""


def report_extras(counts: Mapping[str, int], own: str | None, what: str, target: str, report: Report) -> None:
    """Report the extras keys (with how many rows carry each) that a target keeping namespace ``own`` drops.

    A key without a format's namespace (``reviewed``) is the user's data: lost. A key of another format's
    namespace (``coco:area`` going to VOC) is that format's bookkeeping: noted. The target's own keys, and the
    object extras it adopts (:data:`ADOPTED_OBJECT_EXTRAS`), are its own check's business, and a reader's
    bookkeeping (``<format>:@...``, such as ``coco:@task``, the file an object was read from) holds no data of
    the dataset: it is no one's loss.

    Args:
        counts: key -> rows (annotations, categories; 1 for the dataset info) carrying it.
        own: the target's namespace (``voc``), or None when it keeps no extras.
        what: the rows, plural (``object annotations``, ``categories``, ``dataset info``).
        target: the target's name, for the messages.
        report: where the losses and notes go.
    """
    kept = f"keeps only {own}: extras" if own else "keeps no extras"
    reason = f"{target} {kept}, and a key without a format's namespace is the user's data"
    adopted = ADOPTED_OBJECT_EXTRAS.get(own or "", ()) if what == "object annotations" else ()
    for key, n in sorted(counts.items()):
        if _NAMESPACE.match(key) is None:
            report.lose(
                f"{what} extra {key!r}" if what == "dataset info" else f"{what} with the extra {key!r}", n, reason
            )
        elif _foreign(key, own) and not key.startswith(adopted):
            carrier = "the dataset info carries" if what == "dataset info" else f"{n:,} {what} carry"
            report.note(f"{carrier} {key!r}, which {target} does not keep")


ADOPTED_OBJECT_EXTRAS: dict[str, tuple[str, ...]] = {"voc": ("dota:difficult",)}
"""Object extras of another namespace that a format's own check reports, as if they were its own (keys, or
namespaces ending in ``:``). VOC writes DOTA's difficult flag (``dota:difficult``, which the YOLO reader keeps
from a DOTA labelTxt) as its ``<difficult>``. YOLO's writer (Ultralytics lines) has no place for it: the flag
is reported as by any other target (lost when 1, noted when 0)."""


def _foreign(key: str, namespace: str | None) -> bool:
    """Whether a namespaced extras key is of another format than ``namespace`` (``coco``); all are, without one.

    A reader's own bookkeeping (``<format>:@...``) is no other format's data.
    """
    if key.partition(":")[2].startswith("@"):
        return False
    return namespace is None or not key.startswith(namespace + ":")


_NUMBER = r"-?[0-9][0-9.eE+\-]*"
"""A JSON number value (in a valid JSON text nothing else matches it)."""


def extras_key_counts(column: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    """How many rows of an extras column (JSON texts of objects) have each top-level key.

    Only the keys matter. The rows written exactly as the first row's keys with number values (COCO's
    ``{"coco:area":...,"coco:iscrowd":...}`` on every object) are counted by one anchored match. In the
    others numbers are folded to 0, so rows with the same keys are decoded once, not once per row; that
    regex runs on two slices at a time (Arrow's kernels release the GIL).
    """
    extras = (pa.chunked_array([column]) if isinstance(column, pa.Array) else column).drop_null()
    keys: dict[str, int] = {}
    if not len(extras):
        return keys
    first = members_or_raw(_fold_numbers(extras.slice(0, 1))[0].as_py())  # (a number no float holds: 1e400)
    if first and all(type(v) in (int, float) for v in first.values()):
        members = [re.escape(orjson.dumps(key).decode()) + ":" + _NUMBER for key in first]
        try:
            same = pc.match_substring_regex(extras, "^\\{" + ",".join(members) + "\\}$")
        except pa.ArrowInvalid:  # a key RE2 cannot take as escaped: every row goes the folding way
            same = None
        if same is not None:
            keys = dict.fromkeys(first, _count_true(same))
            extras = extras.filter(pc.invert(same))
    step = max(len(extras) // 8 + 1, 1 << 16)
    folded = ordered_map(_fold_numbers, (extras.slice(i, step) for i in range(0, len(extras), step)))
    for entry in pa.chunked_array(list(folded), pa.string()).value_counts().to_pylist():
        for key in members_or_raw(entry["values"]):  # (a nested 1e400 is not folded)
            keys[key] = keys.get(key, 0) + int(entry["counts"])
    return keys


def _fold_numbers(texts: pa.ChunkedArray) -> pa.Array:
    """JSON texts with every number value written as 0 (keys and other values unchanged)."""
    return pc.replace_substring_regex(texts.combine_chunks(), r'":-?[0-9][0-9.eE+\-]*([,}])', r'":0\1')


def refuse_missing_ids(dataset: Dataset) -> None:
    """Refuse a row without an id, which only a table given to ``Dataset.from_tables`` can have (readers refuse it).

    Every writer names items' files and annotations after their ids: COCO's writer stopped with a TypeError,
    YOLO's named the item's files ``None``; the native readers refuse such a file.

    Raises:
        OutputError: naming the first such row (``items row 0: id is missing``).
    """
    for name, table in dataset.tables().items():
        if "id" in table.column_names and table["id"].null_count:
            row = pc.indices_nonzero(pc.is_null(table["id"]).combine_chunks())[0].as_py()
            raise OutputError(
                f"{name} row {row}: id is missing",
                hint="give each record an id of its own (no reader gives a record none: it came from the tables "
                "given to Dataset.from_tables)",
            )
