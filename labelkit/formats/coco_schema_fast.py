"""A fast test that a COCO file's images, annotations or detection results all fit the bundled schema.

:func:`labelkit.formats.coco_schema.schema_findings` checks each record with jsonschema, once per *shape*;
on a train2017-sized file that still parses and walks 860,000 records in Python (about 11 s). Most files
fit, so a list is first decoded in one call into structs that are at least as strict as the schema
(:class:`_Image`, :class:`_Annotation`, :class:`_Result`: the schema's fields only, its types and ranges, an
integer for ``integer`` where the schema also takes ``2.0``). When that decode succeeds, and the file's key
count shows that no record repeats a key (see :func:`fitted_keys`), every record is known to fit: the
per-record check is skipped. A field the structs do not have, which the schema leaves free (a ``track_id``), gets
a raw field of its own (see :func:`_records`). Any other list (a wrong type, ``2.0`` as an id, a repeated key,
text the decoder refuses, more than 16 such fields) takes the per-record check, which names each finding as before.

What the per-record check does not see, this does not check either: a polygon's or keypoint list's
coordinates (emptied there, and checked by the semantic pass with their pointers).
"""

from __future__ import annotations

import functools
import operator
import re
import sys
from collections.abc import Callable
from typing import Annotated, Literal

import msgspec
import numpy as np
from msgspec import UNSET, Meta, Raw, UnsetType

from labelkit.formats.coco_fields import ABSENT, UNKNOWN_PREFIX, Count, Int64, may_name, unknown_field, widened
from labelkit.json_repeats import key_count

# (Int64 and Count are the schema's ``int64``, and ``int64`` with ``minimum: 0``)


class _Rle(msgspec.Struct, forbid_unknown_fields=True):
    size: tuple[Count, Count]
    counts: str | list[Count]


class _Image(msgspec.Struct, forbid_unknown_fields=True):
    id: Int64
    file_name: Annotated[str, Meta(min_length=1)]
    width: Count
    height: Count
    # COCO's own extra fields, which the schema leaves free (a value holding a key fails the key count)
    license: Raw = ABSENT
    coco_url: Raw = ABSENT
    date_captured: Raw = ABSENT
    flickr_url: Raw = ABSENT
    neg_category_ids: Raw = ABSENT  # (LVIS's: one unknown field sent every image through the per-record check)
    not_exhaustive_category_ids: Raw = ABSENT


class _Annotation(msgspec.Struct, forbid_unknown_fields=True):
    id: Int64
    image_id: Int64
    category_id: Int64 | UnsetType = UNSET
    bbox: Raw = ABSENT  # (these three raw: checked in bulk by :func:`_arrays`)
    segmentation: Raw = ABSENT
    keypoints: Raw = ABSENT
    area: Annotated[float, Meta(ge=0)] | UnsetType = UNSET
    iscrowd: Literal[0, 1] | UnsetType = UNSET
    num_keypoints: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    score: float | UnsetType = UNSET
    caption: str | UnsetType = UNSET
    attributes: Raw = ABSENT  # (free in the schema; CVAT writes one on every annotation: its keys counted)


class _Result(msgspec.Struct, forbid_unknown_fields=True):
    image_id: Int64
    category_id: Int64
    score: float
    id: Int64 | None | UnsetType = UNSET
    bbox: Raw = ABSENT
    segmentation: Raw = ABSENT
    keypoints: Raw = ABSENT


_TYPES: dict[str, type[msgspec.Struct]] = {"images": _Image, "annotations": _Annotation, "results": _Result}
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, RecursionError, UnicodeDecodeError)
"""A decode that does not take the text (msgspec 0.18 raises UnicodeDecodeError for a string that is not UTF-8;
its depth limit counts the caller's frames): the per-record check decides."""
_RAW = frozenset(f.name for struct in _TYPES.values() for f in msgspec.structs.fields(struct) if f.default is ABSENT)
"""The fields kept raw (their default is :data:`ABSENT`): a given one counts by its length, not by UNSET."""


@functools.lru_cache(maxsize=64)
def _decoder(kind: str, names: tuple[str, ...]) -> tuple[msgspec.json.Decoder[list[msgspec.Struct]], tuple[str, ...]]:
    """A decoder of ``kind``'s records :func:`~.coco_fields.widened` by ``names``, and its fields.

    The schema leaves every record's other fields free: a field no struct has is one of those, and its keys,
    where it holds objects, are counted as ``attributes``' are.
    """
    struct = widened(_TYPES[kind], names)
    return msgspec.json.Decoder(list[struct]), struct.__struct_fields__  # type: ignore[valid-type]


def _records(text: Raw | bytes, kind: str) -> tuple[list[msgspec.Struct], tuple[str, ...]] | None:
    """The records of ``text`` decoded, and their struct's fields; None when the text does not fit.

    Each field met that no struct has gets a raw field of its own, and the text is decoded again (up to
    :data:`~.coco_fields.UNKNOWN_FIELDS` of them).
    """
    names: tuple[str, ...] = ()
    while True:
        decoder, fields = _decoder(kind, names)
        try:
            return decoder.decode(text), fields
        except msgspec.ValidationError as exc:
            found = unknown_field(exc)
            if found is None or not may_name(found[0], names):
                return None
            names += (found[0],)
        except _REFUSED:
            return None


def fitted_keys(text: Raw | bytes, kind: str) -> int | None:
    """The keys of the JSON array ``text`` if no record repeats one, when every record fits the schema.

    ``kind`` is the schema's record: ``images``, ``annotations`` or ``results``. None when the fit is not shown
    here (the per-record check decides).

    The structs hold each key they read once, and the values they keep raw hold none where they fit, so the
    number returned is the text's key count when no key is repeated. The caller checks that against the keys
    the text spells (``coco_schema._key_ends``, never fewer than the keys); where they differ, the per-record
    check decides.
    """
    decoded = _records(text, kind)
    if decoded is None:
        return None
    records, fields = decoded
    n = len(records)
    keys = 0
    unset: dict[str, list[bool]] = {}
    for name in fields:
        values = list(map(operator.attrgetter(name), records))
        if name in _RAW or name.startswith(UNKNOWN_PREFIX):
            lengths = list(map(len, values))
            given = n - lengths.count(0)
            keys += given
            if given:
                check = _keys_inside if name.startswith(UNKNOWN_PREFIX) else _CHECKS.get(name, _free)
                more = _checked(check, [v for v, length in zip(values, lengths, strict=True) if length])
                if more is None:
                    return None
                keys += more
            continue
        absent = values.count(UNSET)
        keys += n - absent
        if name in ("category_id", "caption") and absent:
            unset[name] = [v is UNSET for v in values]
    if kind == "annotations" and len(unset) == 2 and any(map(operator.and_, unset["category_id"], unset["caption"])):
        return None  # (the schema's anyOf: each annotation has a category_id or a caption)
    return keys


# In the checks below, values are joined with NUL, which JSON text never holds, and the text is valid JSON
# (the decode read it): what is left of it once a number's characters are deleted tells its structure.
_NUMBER = b"0123456789.eE+- \t\r\n"
_BOXES = re.compile(rb"(?:\[,,,\]\0)*")
"""Four numbers in an array (``bbox``)."""
_SEGMENTATIONS = re.compile(rb"(?:(?:\[(?:\[,*\](?:,\[,*\])*)?\]|\{[^\0]*)\0)*")
"""Polygons (an array of arrays of numbers, or of none), or an object (an RLE, decoded after)."""


_EMPTY = b"[]\0"
"""An empty list that is a whole value: the ring ``[]`` of ``[[]]`` is followed by ``]``, an RLE by ``}``."""
_SPACE = b" \t\r\n"

SLICE = 1 << 16
"""Values joined for one check (their joined text is a copy: a slice at a time bounds it)."""


def _checked(check: Callable[[list[Raw], bytes], int | None], values: list[Raw]) -> int | None:
    """``check`` of ``values`` a slice at a time: the keys they hold, or None when one does not fit.

    ``check`` is given the slice's values and their text joined, each followed by NUL; a slice Python's JSON
    parser would not read (see :func:`_read_alike`) does not fit.
    """
    keys = 0
    for start in range(0, len(values), SLICE):
        part = values[start : start + SLICE]
        text = b"\0".join(part) + b"\0"
        more = check(part, text) if _read_alike(part, text) else None
        if more is None:
            return None
        keys += more
    return keys


def _read_alike(values: list[Raw], text: bytes) -> bool:
    """Whether Python's JSON parser reads each of the raw ``values`` (``text``, joined) without an error.

    The per-record check reads a record orjson refuses with it (a number past 64 bits); msgspec checked the
    syntax of a value it kept raw, but not that its strings are UTF-8, and Python's parser refuses an integer of
    more digits than ``int()`` converts (``sys.get_int_max_str_digits()``, 4,300). Such a file is not JSON to the
    per-record check, which names its error. A run of that many digits anywhere (a float's, a string's) counts.
    """
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return False
    limit = sys.get_int_max_str_digits()
    if not limit or max(map(len, values)) <= limit:  # (the values, most often, are all shorter)
        return True
    digits = re.compile(rb"[0-9]{%d}" % (limit + 1))
    return not any(digits.search(v) for v in values if len(v) > limit)


def _free(values: list[Raw], text: bytes) -> int | None:
    """0: a field the schema leaves free (its keys, where it holds an object, fail the key count)."""
    return 0


def _boxes(values: list[Raw], text: bytes) -> int | None:
    return 0 if _BOXES.fullmatch(text.translate(None, _NUMBER)) else None


def _segmentations(values: list[Raw], text: bytes) -> int | None:
    """The keys of the RLEs among polygons (two each); None when one is neither.

    A list of numbers (``[5]``), its numbers deleted, reads as an empty list of polygons (``[]``): one more empty
    list than the text has is one.
    """
    bare = text.translate(None, _NUMBER)
    if not _SEGMENTATIONS.fullmatch(bare) or bare.count(_EMPTY) != text.translate(None, _SPACE).count(_EMPTY):
        return None
    text = bare
    if b"{" not in text:
        return 0
    chars = np.frombuffer(text, np.uint8)
    starts = np.concatenate(([0], np.flatnonzero(chars == 0)[:-1] + 1))  # (each value's first character)
    rles = [values[i] for i in np.flatnonzero(chars[starts] == _BRACE).tolist()]
    try:
        msgspec.json.decode(b"[" + b",".join(rles) + b"]", type=list[_Rle])
    except _REFUSED:
        return None
    return 2 * len(rles)


def _keypoints(values: list[Raw], text: bytes) -> int | None:
    """0 when each is an array (the schema sees it emptied: what it holds is checked by reading)."""
    return 0 if text.count(b"\0[") == len(values) - 1 and text[:1] == b"[" else None


def _keys_inside(values: list[Raw], text: bytes) -> int | None:
    """The keys of the objects the values hold (a repeated one counts once: the file's count then differs)."""
    try:
        return key_count(msgspec.json.decode(b"[" + b",".join(values) + b"]"))
    except _REFUSED:
        return None


_CHECKS: dict[str, Callable[[list[Raw], bytes], int | None]] = {
    "bbox": _boxes,
    "segmentation": _segmentations,
    "keypoints": _keypoints,
    "attributes": _keys_inside,
}
_BRACE = ord("{")
