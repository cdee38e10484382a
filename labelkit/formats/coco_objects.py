"""COCO annotations with geometry -> the ``objects`` rows of a chunk (used by :mod:`labelkit.formats.coco_build`).

Boxes and polygons are routed to a worker thread that parses them (``coco_geometry.read_geometry``); RLE
masks are decoded (in bulk where their counts are lists: :mod:`.coco_runs`) and checked against their image's
size; keypoints are parsed in bulk and checked against their category. What the checks find goes to the
chunk's findings, with the annotation's row.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_columns import binary_column, first_bytes
from labelkit.formats.coco_extras import Extras, add_extra
from labelkit.formats.coco_geometry import (
    FLOATS,
    OUT_OF_RANGE,
    POLYGONS,
    PendingGeometry,
    read_geometry,
    submit,
)
from labelkit.formats.coco_lists import parse_lists
from labelkit.formats.coco_read import ABSENT, CocoFile, Rle, msgspec_reason, pointer_of
from labelkit.formats.coco_runs import ListedRuns, listed_runs
from labelkit.model import Category
from labelkit.model.rle import RLE_PIXEL_LIMIT, rle_strings_problems, rle_sum_message, rle_unfit_message
from labelkit.model.tables import MASK_TYPE, true_mask, valid_mask
from labelkit.report import Finding

if TYPE_CHECKING:
    from labelkit.formats.coco_build import Built


_LIST, _DICT = ord("["), ord("{")


def _pick(f: CocoFile, name: str, rows: list[int]) -> list[msgspec.Raw]:
    """One raw field of the annotations at ``rows`` (all of them, without indexing, when rows are all)."""
    values = f.column(name)
    if len(rows) == len(values):
        return values
    return [values[i] for i in rows]


def present(values: list[msgspec.Raw]) -> np.ndarray:
    """Per value, whether the field is in the annotation (a raw value that is not the absent default)."""
    # absent fields all hold the one shared default object: counting it is a fast identity scan
    absent = values.count(ABSENT)
    if absent == len(values):
        return np.zeros(len(values), dtype=bool)
    if not absent:
        return np.ones(len(values), dtype=bool)
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values)) > 0


def _spread(values: pa.Array, positions: np.ndarray, m: int) -> pa.Array:
    """A list column of ``m`` rows: row ``i`` is ``values[positions[i]]``, or null past the end.

    Positions rise through the non-null rows, so the offsets are rebuilt without copying the values.
    """
    if len(values) == m:
        return values
    lengths = np.zeros(m, dtype=np.int64)
    present = positions < len(values)
    lengths[present] = pc.list_value_length(values).to_numpy(zero_copy_only=False)
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    start = values.offsets[0].as_py()
    list_type = pa.large_list(values.type.value_type)
    column = pa.LargeListArray.from_arrays(
        pa.array(offsets + start, pa.int64()), values.values, type=list_type, mask=pa.array(~present)
    )
    return column.cast(values.type)


_WHITESPACE = np.frombuffer(b" \t\r\n", dtype=np.uint8)
_SHAPES = pa.array(["box", "polygon", "mask", "keypoints"], pa.string())
_NULL = pa.scalar(b"null", pa.large_binary())
_BOX, _POLYGON, _MASK, _KEYPOINTS = range(4)


def _counts_pointer(row: int) -> str:
    return json_pointer("annotations", row, "segmentation", "counts")


_ONE_RING_OF_4 = r"^\[\s*\[[^,\]]*(?:,[^,\]]*){7}\]\s*\]$"
"""A segmentation text of one ring of 8 numbers (whitespace allowed). Anchored: RE2 gives up on a longer
polygon at its 9th number, so a chunk of 50,000 train2017-like polygons takes about 9 ms."""


def _not_rectangles(rows: np.ndarray, seg_column: pa.Array) -> np.ndarray:
    """``rows`` (of boxed polygons left to count) less those that may be their box's rectangle: one ring of 4 points.

    A target that keeps only boxes loses nothing of such a polygon when it is the box's rectangle (COCO's
    segmentation of a box-only object, see ``geometry.box_rectangles``): it must be parsed to tell. Told by its
    text; a few in a file like train2017.
    """
    if not len(rows):
        return rows
    four = true_mask(pc.match_substring_regex(seg_column, _ONE_RING_OF_4))[rows]
    return rows[~four] if four.any() else rows


def _read_geometry(
    pending: PendingGeometry, bbox_lines: pa.Array, seg_column: pa.Array, boxed: np.ndarray, tell: bool
) -> pa.Table:
    """Parse a chunk's boxes and polygons in the worker thread, less the counted polygons of boxed objects.

    ``boxed``: those counted; with ``tell``, those that may be their box's rectangle are parsed after all (the
    regex telling them drops the GIL, so it runs here). ``pending``'s parsed and counted rows are set before the
    parse, so that a parse error names its row.
    """
    counted_k = _not_rectangles(boxed, seg_column) if tell else boxed
    full_k = pending.polygon_rows
    parse_k = np.setdiff1d(full_k, counted_k, assume_unique=True) if len(counted_k) else full_k
    pending.polygon_rows, pending.counted_rows = parse_k, counted_k
    m = len(seg_column)
    seg_lines: pa.Array | pa.Scalar
    if len(parse_k) == m:
        seg_lines = seg_column
    elif not len(parse_k):  # no polygon to parse (or all counted): every line says "v": null
        seg_lines = _NULL
    else:
        parsed = np.zeros(m, dtype=bool)
        parsed[parse_k] = True
        seg_lines = pc.if_else(pa.array(parsed), seg_column, _NULL)
    return read_geometry(bbox_lines, seg_lines)


def _bad_visibility(keypoints: pa.ListArray, lengths: np.ndarray) -> list[tuple[int, int, float]]:
    """Per keypoint set of x, y, v triples whose v is not 0, 1 or 2 (COCO's): (set, index of that v, v)."""
    values = np.asarray(keypoints.flatten().to_numpy(zero_copy_only=False), dtype=np.float64)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    position = np.arange(len(values)) - np.repeat(starts, lengths)
    triples = np.repeat(lengths % 3 == 0, lengths)  # (other lengths are reported by their count)
    bad = triples & (position % 3 == 2) & ~np.isin(values, (0.0, 1.0, 2.0))
    out: list[tuple[int, int, float]] = []
    seen: set[int] = set()
    for i in np.flatnonzero(bad).tolist():
        j = int(np.searchsorted(starts, i, side="right")) - 1
        if j not in seen:  # the first bad visibility of each set
            seen.add(j)
            out.append((j, int(position[i]), float(values[i])))
    return out


def _refuse_bad_keypoint_numbers(keypoints: pa.ListArray, rows: list[int], path: Path) -> None:
    """Raise at the first ``null`` or infinite number among keypoint numbers.

    JSON has no NaN (the model holds numbers); a number past float64's range, which Arrow reads as infinite,
    COCO JSON cannot hold.

    Raises:
        InputError: naming ``/annotations/<row>/keypoints/<index>``.
    """
    values = keypoints.flatten()
    if not values.null_count and (not len(values) or pc.all(pc.is_finite(values)).as_py()):
        return
    null = bool(values.null_count)
    bad = ~valid_mask(values) if null else ~np.isfinite(values.to_numpy(zero_copy_only=False))
    at = int(np.flatnonzero(bad)[0])
    starts = keypoints.offsets.to_numpy()[:-1] - keypoints.offsets[0].as_py()
    j = int(np.searchsorted(starts, at, side="right")) - 1
    raise InputError(
        "keypoints must be numbers" if null else "keypoints must be a list of numbers",
        path=path,
        pointer=json_pointer("annotations", rows[j], "keypoints", at - int(starts[j])),
        found="null" if null else OUT_OF_RANGE,
    )


def _sparse_masks(
    masks: list[dict[str, Any] | None], alone: np.ndarray, listed_k: np.ndarray, listed: ListedRuns | None
) -> pa.Array:
    """The mask column: the RLE cells, null elsewhere (no Arrow scalar per row).

    The cells at ``alone`` are converted from ``masks``; those at ``listed_k`` come from ``listed``'s arrays.
    """
    if not len(alone) and not len(listed_k):
        return pa.nulls(len(masks), MASK_TYPE)
    if listed is not None and len(listed_k) == len(masks):  # (every row a mask decoded at once: nothing to spread)
        return listed.column()
    values = pa.array([masks[k] for k in alone.tolist()], MASK_TYPE)
    index = np.full(len(masks), -1, dtype=np.int64)
    index[alone] = np.arange(len(alone))
    if listed is not None and len(listed_k):
        index[listed_k] = len(alone) + np.arange(len(listed_k))
        values = pa.concat_arrays([values, listed.column()])
    return values.take(pa.array(index, mask=index < 0))


def _check_listed(
    listed: ListedRuns,
    at: np.ndarray,
    known_image: np.ndarray,
    heights: np.ndarray,
    widths: np.ndarray,
    where: str,
    out: Built,
) -> None:
    """The one-by-one decode's checks of the RLEs ``listed`` decoded (at chunk rows ``at``), a column at a time.

    A size other than the image's, a size no counts can fit, counts that do not add up to the size.
    """
    h, w = listed.heights, listed.widths
    image_h, image_w = heights[at], widths[at]
    sized = known_image[at] & np.isfinite(image_h) & np.isfinite(image_w)  # results files: no sizes
    with np.errstate(invalid="ignore"):
        other = sized & (
            (h != np.nan_to_num(image_h).astype(np.int64)) | (w != np.nan_to_num(image_w).astype(np.int64))
        )
    unfit = ~other & (h.astype(np.float64) * w.astype(np.float64) >= RLE_PIXEL_LIMIT)  # (exact below 2**53)
    wrong = ~other & ~unfit & (listed.sums != h * w)  # (h * w of the others: never looked at)
    for j in np.flatnonzero(other).tolist():
        row = int(at[j])
        size = [int(h[j]), int(w[j])]
        message = f"RLE size {size} differs from the image's [{int(heights[row])}, {int(widths[row])}]"
        out.findings.append((row, Finding(where, json_pointer("annotations", row, "segmentation", "size"), message)))
    for j in np.flatnonzero(unfit).tolist():
        out.findings.append(
            (int(at[j]), Finding(where, _counts_pointer(int(at[j])), rle_unfit_message(int(h[j]), int(w[j]))))
        )
    for j in np.flatnonzero(wrong).tolist():
        pixels = int(h[j]) * int(w[j])
        out.findings.append(
            (int(at[j]), Finding(where, _counts_pointer(int(at[j])), rle_sum_message(int(listed.sums[j]), pixels)))
        )


def objects_table(
    f: CocoFile,
    rows: np.ndarray,
    common: dict[str, pa.Array],
    extras: Extras,
    cat_ids: np.ndarray,
    widths: np.ndarray,
    heights: np.ndarray,
    known_image: np.ndarray,
    categories: list[Category],
    out: Built,
) -> pa.Table:
    """The ``objects`` rows of a chunk's annotations at ``rows`` (indexes local to the chunk).

    Boxes and polygons are handed to a worker thread (``out.pending``); masks, keypoints and what their checks
    find (``out.findings``) are done here. ``common`` holds the chunk's columns every kind shares.

    Raises:
        InputError: a segmentation or keypoints value of the wrong type (naming its pointer).
    """
    path, where = f.path, str(f.path)
    m = len(rows)
    row_list = rows.tolist()
    idx = pa.array(rows)
    # boxes (parsed with the polygons in the worker thread, see resolve_geometry)
    bbox_raw = _pick(f, "bbox", row_list)
    has_bbox = present(bbox_raw)
    # segmentation: route by first byte
    seg_raw = _pick(f, "segmentation", row_list)
    seg_column, seg_lengths = binary_column(seg_raw)  # joined once: routed here, parsed in the worker
    first = first_bytes(seg_column, seg_lengths)
    poly_k = np.flatnonzero(first == _LIST)
    rle_k = np.flatnonzero(first == _DICT)
    other_k = np.flatnonzero((first != _LIST) & (first != _DICT) & (first != 0))
    shape = np.full(m, _BOX, dtype=np.int8)  # codes into _SHAPES
    if len(poly_k):
        empty = np.zeros(len(poly_k), dtype=bool)
        # "[]", maybe with whitespace inside: short, or with whitespace right after "[" (pretty-printed)
        _, offsets, data = seg_column.buffers()
        starts = np.frombuffer(offsets, dtype=np.int64)[seg_column.offset : seg_column.offset + m][poly_k]
        second = np.frombuffer(data, dtype=np.uint8)[starts + 1]
        maybe = (seg_lengths[poly_k] <= 16) | np.isin(second, _WHITESPACE)
        for j in np.flatnonzero(maybe).tolist():
            empty[j] = bytes(seg_raw[int(poly_k[j])]).translate(None, b" \t\r\n") == b"[]"
        for k in poly_k[empty].tolist():  # "segmentation": [] on a box-only object: carried as it was
            extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:segmentation", bytes(seg_raw[k]))
        full_k = poly_k[~empty]
        shape[full_k] = _POLYGON
    else:
        full_k = poly_k
    boxed = full_k[:0]
    bbox_lengths = None
    if out.count_polygons and len(full_k):  # a box of 4 numbers is longer than "null"
        bbox_lengths = np.fromiter(map(len, bbox_raw), dtype=np.int64, count=m)
        boxed = full_k[bbox_lengths[full_k] > 4]
    if has_bbox.all():
        bbox_lines, bbox_len = binary_column(bbox_raw, bbox_lengths)  # the lengths, when measured above
    else:
        bbox_lines, bbox_len = binary_column([r if len(r) else b"null" for r in bbox_raw])
        bbox_len = np.where(has_bbox, bbox_len, 0)
    for k in np.flatnonzero(first_bytes(bbox_lines, bbox_len) == ord("n")).tolist():  # "bbox": null: carried
        extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:bbox", b"null")
    pending = PendingGeometry(
        future=Future(),  # (submitted below: the worker sets the rows it parses and counts first)
        bbox_raws=bbox_raw,
        seg_raws=seg_raw,
        polygon_rows=full_k,
        rows=row_list,
        width=widths[rows],  # (int64 where every image has a size: as float64, 2**63 - 1 was said as 2**63)
        height=heights[rows],
        known_image=known_image[rows],
        text=seg_column if out.polygon_text else None,
        bbox_text=bbox_lines if out.polygon_text else None,
    )
    tell = len(boxed) and out.count_polygons != "all"  # (counting: no count depends on a rectangle)
    pending.future = submit(_read_geometry, pending, bbox_lines, seg_column, boxed, bool(tell))
    out.pending.append(pending)
    for k in other_k.tolist():  # null: carried as it was; a number, string or boolean: refused
        if bytes(seg_raw[k]) != b"null":
            raise InputError(
                "segmentation must be polygons or an RLE {size, counts}",
                path=path,
                pointer=json_pointer("annotations", row_list[k], "segmentation"),
                found=bytes(seg_raw[k]).decode(errors="replace"),
            )
        extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:segmentation", b"null")
    masks: list[dict[str, Any] | None] = [None] * m
    strings: list[tuple[int, str, int, int]] = []
    listed = listed_runs([seg_raw[k] for k in rle_k.tolist()]) if len(rle_k) else None
    listed_k = rle_k[listed.listed] if listed is not None else rle_k[:0]  # (decoded at once)
    alone_k = rle_k[~listed.listed] if listed is not None else rle_k  # (decoded one by one, below)
    if listed is not None:  # (the uncompressed ones: their checks, a column at a time)
        _check_listed(listed, rows[listed_k], known_image, heights, widths, where, out)
        shape[listed_k] = _MASK
    for k in alone_k.tolist():
        row = row_list[k]
        rle: Rle
        try:
            rle = msgspec.json.decode(seg_raw[k], type=_ExactRle)
        except msgspec.ValidationError as exc:
            unknown = _UNKNOWN_FIELD.match(str(exc))
            if unknown is None:
                raise _rle_error(bytes(seg_raw[k]), exc, path, row) from exc
            try:  # (a field no RLE has: read without it, and said so in a read note)
                rle = msgspec.json.decode(seg_raw[k], type=Rle)
            except msgspec.ValidationError as again:
                raise _rle_error(bytes(seg_raw[k]), again, path, row) from again
            out.rle_fields.append((row, unknown.group(1)))
        h, w = rle.size
        compressed = isinstance(rle.counts, str)
        masks[k] = {
            "height": h,
            "width": w,
            "counts": rle.counts if compressed else None,
            "runs": None if compressed else rle.counts,
        }
        shape[k] = _MASK
        sized = known_image[row] and np.isfinite(heights[row]) and np.isfinite(widths[row])  # results files: no sizes
        if sized and (h != int(heights[row]) or w != int(widths[row])):
            out.findings.append(
                (
                    row,
                    Finding(
                        where,
                        json_pointer("annotations", row, "segmentation", "size"),
                        f"RLE size {[h, w]} differs from the image's [{int(heights[row])}, {int(widths[row])}]",
                    ),
                )
            )
        elif isinstance(rle.counts, str):
            strings.append((row, rle.counts, h, w))
        elif h * w >= RLE_PIXEL_LIMIT:  # (the counts may add up: pycocotools cannot hold them, as for the strings)
            out.findings.append((row, Finding(where, _counts_pointer(row), rle_unfit_message(h, w))))
        elif (total := sum(rle.counts)) != h * w:
            out.findings.append((row, Finding(where, _counts_pointer(row), rle_sum_message(total, h * w))))
    if strings:  # a decoder would make up the pixels of counts that do not add up: checked all at once
        rows_s, texts, hs, ws = zip(*strings, strict=True)
        for row, problem in zip(rows_s, rle_strings_problems(texts, hs, ws), strict=True):
            if problem is not None:
                out.findings.append((row, Finding(where, _counts_pointer(row), problem)))
    # keypoints
    kp_raw = _pick(f, "keypoints", row_list)
    kp_k = np.flatnonzero(present(kp_raw))
    keypoints: pa.Array = pa.nulls(m, FLOATS)
    if len(kp_k):
        parsed_kp = parse_lists(
            [kp_raw[k] for k in kp_k.tolist()], FLOATS, path, "keypoints", [row_list[k] for k in kp_k.tolist()]
        )
        parsed_kp = parsed_kp.combine_chunks() if parsed_kp.num_chunks != 1 else parsed_kp.chunk(0)
        _refuse_bad_keypoint_numbers(parsed_kp, [row_list[k] for k in kp_k.tolist()], path)
        lengths = pc.list_value_length(parsed_kp).to_numpy(zero_copy_only=False)
        names: dict[int, int | None] = {c.id: len(c.keypoints) for c in categories if c.keypoints}
        # (a category's keypoint names are kept per file: this file's, where it lists the category, as COCO's tools
        # read a file alone: one it lists without names, or with "keypoints": [] as Datumaro writes, checks none)
        names.update({c.id: len(c.keypoints or ()) or None for c in out.categories})
        for j, k in enumerate(kp_k.tolist()):
            row = row_list[k]
            expected = names.get(int(cat_ids[row]))
            if lengths[j] % 3 or (expected is not None and lengths[j] != 3 * expected):
                want = f"{3 * expected} numbers ({expected} keypoints x 3)" if expected else "x, y, v triples"
                out.findings.append(
                    (
                        row,
                        Finding(
                            where,
                            json_pointer("annotations", row, "keypoints"),
                            f"{lengths[j]} keypoint numbers, expected {want}",
                        ),
                    )
                )
        # (a detection's third numbers are its scores for the points: COCOeval does not read them)
        for j, at, v in _bad_visibility(parsed_kp, lengths) if f.task != "results" else []:
            row = row_list[int(kp_k[j])]
            out.findings.append(
                (
                    row,
                    Finding(
                        where,
                        json_pointer("annotations", row, "keypoints", at),
                        f"keypoint visibility must be 0, 1 or 2 (found {v:g})",
                    ),
                )
            )
        no_seg = (first[kp_k] == 0) | (shape[kp_k] == _BOX)
        shape[kp_k[no_seg & ~has_bbox[kp_k]]] = _KEYPOINTS
        positions = np.full(m, len(kp_k), dtype=np.int64)
        positions[kp_k] = np.arange(len(kp_k))
        keypoints = _spread(parsed_kp, positions, m)
    return pa.table(
        {
            **({k: v.take(idx) for k, v in common.items()} if m != len(common["id"]) else common),
            "extras": extras.column(rows),
            "shape": _SHAPES.take(pa.array(shape)),
            "bbox": pa.nulls(m, pa.list_(pa.float64(), 4)),
            "polygon": pa.nulls(m, POLYGONS),
            "mask": _sparse_masks(masks, alone_k, listed_k, listed),
            "keypoints": keypoints,
            "_row": idx,
        }
    )


class _ExactRle(Rle, forbid_unknown_fields=True):
    """An RLE of ``size`` and ``counts`` only: any other field is told apart (it is not kept)."""


_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(.*)`$")


def _rle_error(raw: bytes, exc: msgspec.ValidationError, path: Path, row: int) -> InputError:
    """An RLE segmentation msgspec refused: at the part it names (``/counts/0``), with the value found there.

    msgspec's own words (``Expected `int` >= 0``) say what was expected; the value (``-5``) is what was found.
    """
    sub = pointer_of(str(exc)) or ""
    reason = msgspec_reason(exc)
    if m := re.fullmatch(r"Object missing required field `(size|counts)`", reason):  # (as validate says it)
        pointer = json_pointer("annotations", row, "segmentation") + sub + "/" + m.group(1)
        return InputError(f"missing required field {m.group(1)!r}", path=path, pointer=pointer)
    expected = reason.removeprefix("Expected ").split(", got ")[0] if reason.startswith("Expected ") else None
    found: str | None = None if expected else reason
    try:
        value = msgspec.json.decode(raw)
        for part in sub.split("/")[1:]:
            value = value[int(part)] if isinstance(value, list) else value[part]
        if expected:  # (an integer past 64 bits, which orjson does not write, as its digits)
            found = str(value) if type(value) is int else orjson.dumps(value).decode()  # (True: true)
    except (msgspec.ValidationError, msgspec.DecodeError, LookupError, TypeError, ValueError):
        pass  # (1e400 beside it, which no float holds) msgspec's words, then
    return InputError(
        "segmentation must be polygons or an RLE {size, counts}",
        path=path,
        pointer=json_pointer("annotations", row, "segmentation") + sub,
        expected=expected,
        found=found,
    )
