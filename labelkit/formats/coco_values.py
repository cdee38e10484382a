"""COCO values the schema pass leaves out or cannot see, each named: what ``validate`` lists beside its findings.

jsonschema on every coordinate of a train2017-sized file took minutes, so the schema pass empties polygons and
keypoint lists, and checks an annotation only when none of its shape has fitted. Its ``integer`` takes ``640.0``,
and the records are parsed with orjson, which reads an integer past 64 bits as a float. A conversion refuses each
of these at its pointer; so that ``validate`` lists every one (not only the first a conversion meets), and so that
a conversion's error is ``validate``'s first finding, these passes look at the file's text for them:

- :func:`coordinate_findings`: polygon and keypoint values that are no numbers (``"4"``, ``null``, a list);
- :func:`integer_findings`: ids, widths and heights that are no integer literal, or beyond 64 bits;
- :func:`wide_findings`: integers beyond 64 bits anywhere else a conversion carries as JSON (extra fields,
  ``info``, ``licenses``), which no 64-bit JSON writer writes again.

Each reads the file again: they run where there is something to name (a finding, or a refused conversion).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_columns import binary_column, first_bytes
from labelkit.io import read_bytes, without_bom
from labelkit.json_places import int_or_wide, shown_at
from labelkit.report import Finding

MAX_FINDINGS = 100
"""Findings named per file (as the schema pass's)."""


def value_findings(path: Path, limit: int = MAX_FINDINGS) -> list[Finding]:
    """Every finding of :func:`coordinate_findings`, :func:`integer_findings` and :func:`wide_findings`.

    The first ``limit`` in reading order; the file is read once, and its records decoded once for the first two.
    """
    from labelkit.formats.coco_schema import reading_order  # (it imports this module)

    try:
        data = without_bom(read_bytes(path))
    except InputError:  # (the file is gone, or not a file: reading said so)
        return []
    sections = _sections(data, _Values, ("images", "annotations", "categories"))
    found = [
        *coordinate_findings(path, sections, limit),
        *integer_findings(path, sections, limit),
        *wide_findings(path, data, limit),
    ]
    # (each pass's first ``limit``, the file's first ``limit`` of them in reading order: the first is a conversion's)
    return sorted(found, key=lambda f: reading_order(f.where, f.message))[:limit]


SKIP_HINT = "pass -o skip_invalid=true to skip bad annotations"
"""The hint of a semantic check's error (of a file every value of which reading took: see :func:`first_problem`)."""

_COORDINATE_ERRORS = ("bbox must", "segmentation must", "polygon coordinates must", "keypoints must")


def first_problem(error: InputError) -> InputError:
    """``error``, or a problem of its file that ``validate`` lists before it (the first such).

    Reading checks a column of every annotation at a time (the keypoints of all before the polygons of any), so the
    problem it meets first may be a later annotation's than the first ``validate`` lists: a value that is no number,
    an id of ``1.0``, an integer beyond 64 bits (:func:`value_findings`). Their file is read again
    for them, where reading failed only.
    """
    from labelkit.formats.coco_schema import reading_order  # (it imports this module)

    where = error.location
    if where.pointer is None or where.path is None or where.line is not None or error.hint == SKIP_HINT:
        return error  # (a semantic check's: reading took every value of the file)
    if not Path(where.path).is_file():
        return error
    found = value_findings(Path(where.path))
    if not found:
        return error
    first = min(found, key=lambda f: reading_order(f.where, f.message))
    if reading_order(first.where, first.message) > reading_order("#" + where.pointer, error.message):
        return error
    if first.where == "#" + where.pointer and not error.message.startswith(_COORDINATE_ERRORS):
        return error  # (its own words: a file_name of 2**64 'must be a string', not 'does not fit in 64 bits')
    # (a coordinate's at its pointer too: in the words validate names it, which a column read with others may not say)
    message, cut, shown = first.message.rpartition(" (found ")
    if not cut or not shown.endswith(")"):
        message, shown = first.message, ")"
    return InputError(message, path=where.path, pointer=first.where.removeprefix("#"), found=shown[:-1] or None)


class _Values(msgspec.Struct):
    """A record's coordinate lists and integer fields, raw (its other fields are the schema pass's)."""

    segmentation: msgspec.Raw = msgspec.Raw(b"")
    keypoints: msgspec.Raw = msgspec.Raw(b"")
    bbox: msgspec.Raw = msgspec.Raw(b"")
    id: msgspec.Raw = msgspec.Raw(b"")
    image_id: msgspec.Raw = msgspec.Raw(b"")
    category_id: msgspec.Raw = msgspec.Raw(b"")
    width: msgspec.Raw = msgspec.Raw(b"")
    height: msgspec.Raw = msgspec.Raw(b"")


_INTEGER_FIELDS = {
    "images": ("id", "width", "height"),
    "annotations": ("id", "image_id", "category_id"),
    "categories": ("id",),
}
"""The fields of each list's records that reading takes as 64-bit integers (an annotation's ``width`` is an extra)."""


_NUMBER_LIST_BYTES = b"0123456789+-.eE,[] \t\r\n"
"""What a JSON list of numbers (or of lists of numbers) is written with."""
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]\0")
_NESTED = {1: re.compile(rb"(?:\[\]\0)*"), 2: re.compile(rb"(?:\[(?:\[\])*\]\0)*")}
"""A list of numbers' brackets, or a list of lists of numbers', each value followed by NUL."""
_OUTER_NUMBER = re.compile(rb"\0\[[^\[\]]|\],[^\[]")


def _numbers_only(values: list[msgspec.Raw], levels: int) -> bool:
    """Whether every value is a list of numbers (``levels`` 2: a list of such lists), by its text alone.

    Of two levels, a number in the outer list (``[5]``, ``[[1, 2], 3]``) follows its ``[`` or a ring's ``],``.
    """
    if not values:
        return True
    text = b"\0".join(values) + b"\0"
    if text.translate(None, _NUMBER_LIST_BYTES + b"\0") or not _NESTED[levels].fullmatch(
        text.translate(None, _NOT_BRACKETS)
    ):
        return False
    return levels == 1 or not _OUTER_NUMBER.search(b"\0" + text.translate(None, b" \t\r\n"))


Sections = list[tuple[tuple[str, ...], list[tuple[int, Any]]]]
"""A file's record lists, each with its pointer prefix and its records by index (see :func:`_sections`)."""


def _sections(data: bytes, struct: type[msgspec.Struct], names: tuple[str, ...]) -> Sections:
    """The lists ``names`` of a file's text (a results file's bare list: its one), each item decoded as ``struct``.

    Each list is decoded at once; where an item is no object (or a field another type than ``struct`` takes), one
    item at a time, those left out. Each list comes with its pointer prefix and its items by index (none where the
    text is not JSON).
    """
    try:
        top = msgspec.json.decode(data, type=list[msgspec.Raw] | dict[str, msgspec.Raw])
    except (msgspec.MsgspecError, RecursionError):
        return []
    if isinstance(top, list):
        listed: list[tuple[tuple[str, ...], msgspec.Raw | bytes]] = [((), data)]
    else:
        listed = [((name,), top[name]) for name in names if name in top]
    out: Sections = []
    for prefix, text in listed:
        try:
            decoded = msgspec.json.decode(text, type=list[struct])  # type: ignore[valid-type]
            out.append((prefix, list(enumerate(decoded))))
            continue
        except (msgspec.MsgspecError, RecursionError):
            pass
        try:
            raws = msgspec.json.decode(text, type=list[msgspec.Raw])
        except (msgspec.MsgspecError, RecursionError):
            continue  # (no list: the schema pass's)
        items = []
        for i, raw in enumerate(raws):
            try:
                items.append((i, msgspec.json.decode(raw, type=struct)))
            except (msgspec.MsgspecError, RecursionError):
                continue
        out.append((prefix, items))
    return out


def coordinate_findings(path: Path, sections: Sections, limit: int = MAX_FINDINGS) -> list[Finding]:
    """The values of polygons, keypoint lists and bboxes that are no numbers (``"4"``, ``null``, a list), each named.

    The schema pass leaves those lists out (jsonschema on every coordinate took minutes), and a conversion (and the
    semantic pass) refuses the first; these are the schema's violations too, so ``validate`` names every one (up to
    ``limit``): beside the schema pass's findings, or, where it has none, where the semantic pass refused one. The lists
    are joined and looked at whole first: written with digits, signs, points, exponents, commas and brackets only,
    with a keypoint list's one bracket pair and a polygon list's two levels, they hold numbers. A file that is
    not JSON is left to the schema pass: none here; an annotation that is no object, or that holds another type
    where a coordinate list goes, is the schema pass's, and the others are looked at. ``sections``: the file's
    lists (its annotations', or a results file's, are looked at).
    """
    suspects: list[tuple[int, int, tuple[str, ...], str, msgspec.Raw]] = []  # (index, field order, prefix, ...)
    for prefix, records in sections:
        if prefix not in ((), ("annotations",)):
            continue
        for order, (name, levels) in enumerate((("segmentation", 2), ("keypoints", 1), ("bbox", 1))):
            raws = [getattr(a, name) for _, a in records]
            lists = np.flatnonzero(first_bytes(*binary_column(raws)) == _BRACKET).tolist()  # (an RLE: the schema's)
            listed = [raws[k] for k in lists]
            for k in _suspects(listed, functools.partial(_numbers_only, levels=levels)):
                suspects.append((records[lists[k]][0], order, prefix, name, listed[k]))
    findings: list[Finding] = []
    for i, _, prefix, name, raw in sorted(suspects, key=lambda s: s[:2]):
        for at, found in _not_numbers(raw, name == "segmentation"):
            where = "#" + json_pointer(*prefix, i, name, *at)
            findings.append(Finding(str(path), where, _coordinate_message(name, found)))
            if len(findings) >= limit:
                return findings
    return findings


_BRACKET = ord("[")
_SLICE = 4096
"""Values looked at together by :func:`_suspects` (a slice whose text passes holds no suspect)."""


def _suspects(values: list[msgspec.Raw], fine: Callable[[list[msgspec.Raw]], bool]) -> list[int]:
    """The indexes of the values ``fine`` does not pass, each slice of values looked at whole first."""
    out: list[int] = []
    for start in range(0, len(values), _SLICE):
        part = values[start : start + _SLICE]
        if not fine(part):
            out += [start + k for k, value in enumerate(part) if not fine([value])]
    return out


_INTEGER_TEXT = re.compile(rb"\s*-?\d+\s*")


def integer_findings(path: Path, sections: Sections, limit: int = MAX_FINDINGS) -> list[Finding]:
    """Ids, widths and heights that are no integer literal (``640.0``, ``1e0``) or are beyond int64, each named.

    JSON Schema's ``integer`` takes ``1.0``, and orjson, which parses records for the schema pass, reads an integer
    past 64 bits as a float, so the schema pass passes them; a conversion (and the semantic pass) refuses the first.
    ``validate`` names every one (up to ``limit``), in a conversion's words. Values of another type (a string,
    null) are the schema pass's: not here. ``sections``: the file's lists.
    """
    findings: list[Finding] = []
    if limit <= 0:
        return findings
    suspects: list[tuple[tuple[str, ...], int, int, str, bytes]] = []  # (prefix, index, field order, ...)
    for prefix, records in sections:
        for order, key in enumerate(_INTEGER_FIELDS[prefix[0] if prefix else "annotations"]):
            raws = [getattr(record, key) for _, record in records]
            for k in _suspects(raws, _plain_integers):
                suspects.append((prefix, records[k][0], order, key, bytes(raws[k]).strip()))
    for prefix, i, _, key, text in sorted(suspects, key=lambda s: (_SECTION_ORDER.get(s[0], 0), *s[1:3])):
        if text[:1] not in _NUMBER_TEXT_STARTS:
            continue  # (a string, null: the schema pass's)
        if not _INTEGER_TEXT.fullmatch(text):
            message = f"{key} must be an integer (found {text.decode(errors='replace')})"
        elif not _fits_int64(text):
            message = f"{key} does not fit in 64 bits"
        else:
            continue
        findings.append(Finding(str(path), "#" + json_pointer(*prefix, i, key), message))
        if len(findings) >= limit:
            return findings
    return findings


_SECTION_ORDER: dict[tuple[str, ...], int] = {("categories",): 1, ("images",): 2, ("annotations",): 3}
_SHORT_INTEGERS = re.compile(rb"(?:\s*-?[0-9]{1,18}\s*)?(?:\0(?:\s*-?[0-9]{1,18}\s*)?)*")
"""Integer literals of 18 digits at most (none beyond int64), or absent, each followed by NUL but the last."""


def _plain_integers(values: list[msgspec.Raw]) -> bool:
    """Whether every value is absent or an integer literal within int64 by its length alone."""
    return _SHORT_INTEGERS.fullmatch(b"\0".join(values)) is not None


_INT64_DIGITS = 19
"""No integer of fewer digits is beyond int64."""


def _fits_int64(text: bytes) -> bool:
    """Whether the integer literal ``text`` is within int64 (one of 4,300 digits or more is not)."""
    if len(text.lstrip(b"-")) < _INT64_DIGITS:
        return True
    try:
        return -(2**63) <= int(text) < 2**63
    except ValueError:  # (more digits than Python converts)
        return False


_NUMBER_TEXT_STARTS = (b"-", *(bytes([d]) for d in b"0123456789"))


def _coordinate_message(name: str, found: str) -> str:
    """What a conversion says of a coordinate that is no number, ``found`` as :func:`shown_at` shows it.

    ``polygon coordinates must be numbers (found null)``, ``keypoints must be a list of numbers (found "2")``,
    ``keypoints must be numbers (found null)``, ``bbox must be 4 numbers [x, y, width, height] (found "4")``.
    """
    if name == "segmentation":
        what = "polygon coordinates must be numbers" if found == "null" else _POLYGONS_MESSAGE
    elif name == "bbox":
        what = "bbox must be 4 numbers [x, y, width, height]"
    else:
        what = "keypoints must be numbers" if found == "null" else "keypoints must be a list of numbers"
    return InputError(what, found=found).one_line()


_POLYGONS_MESSAGE = "segmentation must be a list of polygons (lists of numbers)"


def _not_numbers(raw: msgspec.Raw, rings: bool) -> list[tuple[tuple[int, ...], str]]:
    """Positions and shown values in a list of numbers (``rings``: of lists of numbers) that are no numbers.

    Looked at by their raw text: a number beside them may be ``1e400``, which no float holds.
    """
    try:
        items = msgspec.json.decode(raw, type=list[msgspec.Raw])
        out: list[tuple[tuple[int, ...], str]] = []
        for r, item in enumerate(items):
            if not rings:
                out += [((r,), found) for found in [_not_number(item)] if found is not None]
            elif bytes(item).lstrip()[:1] == b"[":
                values = msgspec.json.decode(item, type=list[msgspec.Raw])
                out += [((r, k), found) for k, v in enumerate(values) if (found := _not_number(v)) is not None]
            else:  # (a ring that is no list: a number too)
                out.append(((r,), shown_at(bytes(item).strip(), "", "a value")))
    except (msgspec.ValidationError, msgspec.DecodeError):
        return []
    return out


def _not_number(raw: msgspec.Raw) -> str | None:
    """None for a number, else the value as an error shows it (``"4"``, ``null``, ``an array``)."""
    text = bytes(raw).strip()
    return None if text[:1] and text[0] in _NUMBER_STARTS else shown_at(text, "", "a value")


_NUMBER_STARTS = frozenset(b"-0123456789")


_MARKS = bytes(ord("d") if 48 <= b <= 57 else ord("f") if b in b".eE" else ord(" ") for b in range(256))
"""Digits as ``d``, what a float has beside them (``.``, ``e``) as ``f``, the rest a space: runs found by ``find``."""
_RUN = b" " + b"d" * _INT64_DIGITS


def _wide_run(text: bytes | msgspec.Raw) -> bool:
    """Whether an integer's digits run 19 or more (a float's do not count: ``0.0012345678901234567``).

    The text is marked by a byte table and the runs found with ``bytes.find``, where a regex took 7 s on a
    train2017-sized file.
    """
    marks = bytes(text).translate(_MARKS)
    at = marks.find(_RUN)
    while at >= 0:
        end = at + len(_RUN)
        while end < len(marks) and marks[end] == _DIGIT:
            end += 1
        if end == len(marks) or marks[end] != _FLOAT:
            return True
        at = marks.find(_RUN, end)
    return False


_DIGIT, _FLOAT = ord("d"), ord("f")
_RECORDS = ("images", "annotations", "categories")
_READ = {
    "images": frozenset(("file_name", "coco_url", *_INTEGER_FIELDS["images"])),
    "annotations": frozenset(
        ("bbox", "segmentation", "keypoints", "score", "caption", *_INTEGER_FIELDS["annotations"])
    ),
    "categories": frozenset(("name", "supercategory", "keypoints", "skeleton", *_INTEGER_FIELDS["categories"])),
}
"""Per list, the fields reading takes itself, each with its own error (``file_name must be a string``, ``skeleton
index does not fit in 64 bits``, an id's), or as floats (an annotation's coordinates and score), not as JSON."""
_CARRIED = (-(2**63), 2**64 - 1)
"""The integers a 64-bit JSON writer (orjson) writes: int64's and uint64's."""


def wide_findings(path: Path, data: bytes, limit: int = MAX_FINDINGS) -> list[Finding]:
    """Integers beyond 64 bits in what a conversion carries as JSON (extra fields, ``info``, ``licenses``), each named.

    orjson reads them as floats, so the schema sees a number; reading refuses the first (``an integer does not fit
    in 64 bits``), as no 64-bit writer writes it again. Only a value where 19 digits run is parsed (by Python's
    parser, which keeps every digit); ids, widths and heights are :func:`integer_findings`', and an annotation's
    coordinates and score are read as floats. ``data``: the file's text.
    """
    if not _wide_run(data):
        return []
    try:
        top = msgspec.json.decode(data, type=list[msgspec.Raw] | dict[str, msgspec.Raw])
    except (msgspec.MsgspecError, RecursionError):
        return []
    places: list[tuple[tuple[str | int, ...], msgspec.Raw | bytes, bool | None]] = []  # (record: annotation?)
    for key, text in [(None, data)] if isinstance(top, list) else top.items():
        if (key is None or key in _RECORDS) and bytes(memoryview(text)[:1]) == b"[" and _wide_run(text):
            try:
                raws = msgspec.json.decode(text, type=list[msgspec.Raw])
            except (msgspec.MsgspecError, RecursionError):
                continue
            prefix: tuple[str | int, ...] = () if key is None else (key,)
            places += [((*prefix, i), raw, key in (None, "annotations")) for i, raw in enumerate(raws)]
        elif key is not None:
            places.append(((key,), text, None))
    findings: list[Finding] = []
    for at, raw, annotation in places:
        if not _wide_run(raw):
            continue
        try:
            value = json.loads(bytes(raw), parse_int=int_or_wide)
        except (ValueError, RecursionError):
            continue
        if annotation is None:
            fields = [(at, value)]
        elif isinstance(value, dict):  # (a record of another type: the schema pass's)
            read = _READ["annotations" if annotation else str(at[0])]
            fields = [((*at, k), v) for k, v in value.items() if k not in read]
        else:
            continue
        for where, field_value in fields:
            for place in _wide_places(field_value, where):
                findings.append(Finding(str(path), "#" + json_pointer(*place), "an integer does not fit in 64 bits"))
                if len(findings) >= limit:
                    return findings
    return findings


def _wide_places(value: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """The places in ``value`` (at ``at``) of integers beyond :data:`_CARRIED`, in document order."""
    stack = [(at, value)]
    while stack:
        where, v = stack.pop()
        if type(v) is dict:
            stack += reversed([((*where, k), item) for k, item in v.items()])
        elif type(v) is list:
            stack += reversed([((*where, i), item) for i, item in enumerate(v)])
        elif isinstance(v, int) and not isinstance(v, bool) and not _CARRIED[0] <= v <= _CARRIED[1]:
            yield where
