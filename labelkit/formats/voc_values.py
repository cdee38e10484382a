"""Pascal VOC: the ``voc:*`` object values other tools may hand over, and which of them VOC's XML can hold.

The VOC writer (:mod:`labelkit.formats.voc_write`) writes what passes these rules and reports the rest lost.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any
from xml.etree.ElementTree import ParseError

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from labelkit.errors import LINE_BREAKS
from labelkit.model.geometry import voc_to_xywh, xywh_to_voc
from labelkit.model.tables import contains_match, decode_json_cell, decode_json_cells, true_mask

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped (control characters, surrogates, U+FFFE and U+FFFF)."""
_NOT_XML_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"

LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
"""A character the labelmap reader (``str.splitlines``) breaks a line at."""


def value_text(value: Any) -> str:
    """A ``voc:*`` value as the text of its XML element: a text as it is, any other value as JSON spells it.

    ``None`` as ``null``, ``True`` as ``true``, a list as ``["a","b"]``, never Python's spelling of it; each reads back
    as a text (the check reports those that read back otherwise).

    >>> value_text("x"), value_text(None), value_text(True), value_text(["a", 1]), value_text(3)
    ('x', 'null', 'true', '["a",1]', '3')
    """
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def class_name(name: str) -> str:
    """A category's name as its ``labelmap.txt`` line writes it.

    As the XML names it (what XML cannot hold as U+FFFD), so both read back as one class; a line break as a space.
    """
    return LINE_BREAK.sub(" ", NOT_XML.sub("\ufffd", name))


def class_as_read(name: str) -> str:
    """A category's class as a reader takes it back: :func:`class_name`, stripped (as the labelmap and XML are).

    So a category ``a `` (a loss the check reports) shares the labelmap line, the PNG value and the
    ``ImageSets/Main/a_<split>.txt`` lists of class ``a``.
    """
    return class_name(name).strip()


def xml_text(value: str) -> str:
    r"""``value`` as XML character data: escaped, and what XML cannot hold replaced by U+FFFD.

    A carriage return is written as ``&#13;``: a parser reads a raw one (alone or before a line feed) as a line
    feed, so ``a\r\nb`` would read back as ``a\nb``.

    >>> xml_text("a<b" + chr(1)) == "a&lt;b" + chr(0xFFFD)
    True
    >>> xml_text("a" + chr(13) + chr(10) + "b") == "a&#13;" + chr(10) + "b"
    True
    """
    text = NOT_XML.sub("\ufffd", value)
    # (escaped here: xml.sax.saxutils, which does the same, imports urllib.request, 35 ms of every command's start)
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("\r", "&#13;")


def not_xml_texts(column: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Per row of a text column: whether it holds a character XML cannot hold (null: False)."""
    return true_mask(pc.match_substring_regex(column, _NOT_XML_RE2))


def not_xml_values(column: pa.Array | pa.ChunkedArray, keep: Any = None) -> NDArray[np.bool_]:
    """Per row of a JSON text column: whether a string of the decoded value XML cannot hold is written.

    Args:
        column: JSON texts (null: False).
        keep: for a mapping, a test of which top-level keys VOC writes (None: all, keys included).
    """
    # JSON spells a control character as an escape: only texts with a backslash (or U+FFFE/U+FFFF, written
    # as they are) can hold one, and decoding them decides
    if column.null_count == len(column):
        return np.zeros(len(column), dtype=bool)
    maybe = contains_match(column, "\\") | contains_match(column, "\ufffe") | contains_match(column, "\uffff")
    out = np.zeros(len(maybe), dtype=bool)
    for i in maybe.nonzero()[0].tolist():
        value = decode_json_cell(column[i].as_py())
        if keep is not None and isinstance(value, dict):
            value = {k: v for k, v in value.items() if keep(k)}
        out[i] = _holds_not_xml(value)
    return out


def _holds_not_xml(value: Any) -> bool:
    if isinstance(value, str):
        return NOT_XML.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_not_xml(k) or _holds_not_xml(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(_holds_not_xml, value))
    return False


@functools.lru_cache(maxsize=4096)
def tag_ok(name: str) -> bool:
    """Whether ``name`` can be an XML tag (actions and source fields become tags).

    Letters, digits, ``_``, ``-`` and ``.``, as expat takes them: ``str.isalnum`` also takes ``²``, ``ª`` or
    ``½``, which no XML name may hold (the file written would not parse).

    >>> tag_ok("jumping"), tag_ok("a²"), tag_ok("1a"), tag_ok("Löwe")
    (True, False, False, True)
    """
    if not (name and (name[0].isalpha() or name[0] == "_") and all(c.isalnum() or c in "_-." for c in name)):
        return False
    import defusedxml.ElementTree as DET

    try:
        DET.fromstring(f"<{name}/>")
    except ParseError:
        return False
    return True


def is_flag(value: Any) -> bool:
    """A VOC flag as the reader gives it back: an integer (VOC writes 0 or 1; others are kept as written)."""
    return type(value) in (int, bool) or (type(value) is float and value.is_integer())


def is_number(value: Any) -> bool:
    """A finite JSON number (not a bool)."""
    return type(value) in (int, float) and math.isfinite(value)


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else no items."""
    return value if isinstance(value, list) else []


def part_ok(part: Any) -> bool:
    """A ``voc:parts`` entry VOC can hold: a name and a box of 4 finite numbers, which a reader takes back.

    So no negative width or height (``xmax`` more than a pixel below ``xmin``, which VOC's readers refuse) and
    finite corners (``x + w``).
    """
    if not isinstance(part, dict) or not isinstance(part.get("name"), str):
        return False
    box = part.get("bbox")
    return isinstance(box, list) and len(box) == 4 and all(map(is_number, box)) and _corners_ok(*box)


def part_fields_unwritten(extras: dict[str, Any]) -> int:
    """How many keys of an object's ``voc:parts`` entries VOC's ``<part>`` has no place for.

    A written part (one :func:`part_ok` passes) holds its name and box, and the corners read
    (``voc:@corners``); any other key (``difficult``: a reader does not read a ``<part>``'s) is not written.
    """
    parts = extras.get("voc:parts")
    if not isinstance(parts, list):
        return 0
    return sum(len(p.keys() - {"name", "bbox", CORNERS_KEY}) for p in parts if part_ok(p))


def _corners_ok(x: float, y: float, w: float, h: float) -> bool:
    return w >= 0 and h >= 0 and math.isfinite(x + w) and math.isfinite(y + h)


class _Part(msgspec.Struct, gc=False):
    name: str
    bbox: tuple[float, float, float, float]


_VOC_KEYS = {f: f"voc:{f}" for f in ("truncated", "difficult", "parts", "actions", "point")}


class _VocValues(msgspec.Struct, rename=_VOC_KEYS, gc=False):
    """The ``voc:*`` object values :func:`malformed_voc_fields` checks, typed as VOC can hold them."""

    truncated: int | bool = 0
    difficult: int | bool = 0
    parts: list[_Part] | None = None
    actions: dict[str, int | bool] | None = None
    point: tuple[float, float] | None = None


def malformed_count(texts: pa.ChunkedArray) -> int:
    """:func:`malformed_voc_fields` summed over extras texts.

    One typed decode of them all answers when every value is well formed (the usual case: 0.2 s for 860k
    objects, against 1 s decoding each text in Python); otherwise each text is looked at.
    """
    values = texts.drop_null().combine_chunks()
    decoded = decode_json_cells(values, _VocValues)
    if decoded is not None:
        numbers = [v for d in decoded if d.parts or d.point for v in _numbers_of(d)]
        tags = {k for d in decoded if d.actions for k in d.actions}
        boxes = [p.bbox for d in decoded if d.parts for p in d.parts]
        if all(map(math.isfinite, numbers)) and all(_corners_ok(*b) for b in boxes) and all(map(tag_ok, tags)):
            return 0
    return sum(malformed_voc_fields(decode_json_cell(text)) for text in values.to_pylist())


def _numbers_of(values: _VocValues) -> list[float]:
    return [x for p in values.parts or () for x in p.bbox] + list(values.point or ())


def malformed_voc_fields(extras: dict[str, Any]) -> int:
    """How many ``voc:*`` object values VOC's XML cannot hold (and :func:`.voc_xml.object_xml` leaves out).

    Flags (truncated, difficult, actions) must be integers, parts need a name and 4 numbers, a point 2 numbers.
    """
    bad = sum(f"voc:{k}" in extras and not is_flag(extras[f"voc:{k}"]) for k in ("truncated", "difficult"))
    parts = extras.get("voc:parts")
    if parts is not None:
        bad += sum(not part_ok(p) for p in parts) if isinstance(parts, list) else 1
    actions = extras.get("voc:actions")
    if isinstance(actions, dict):
        bad += sum(not (tag_ok(k) and is_flag(v)) for k, v in actions.items())
    elif actions is not None:
        bad += 1
    point = extras.get("voc:point")
    if point is not None:
        bad += not (isinstance(point, list) and len(point) == 2 and all(map(is_number, point)))
    return bad


CORNERS_KEY = "voc:@corners"
"""An object's ``xmin ymin xmax ymax`` as read, where a write from its box would give other floats."""


def corners_come_back(corners: list[float]) -> bool:
    """Whether writing the box read from VOC corners gives them back (as the writer's first try does).

    A reader takes ``x = xmin - 1`` and ``w = xmax - xmin + 1``, and two ``xmax`` can round to one ``w``
    (``ymax`` ``77.6840601509805`` beside ``ymin`` ``14.149463358668845`` was written back
    ``77.68406015098049``); whole numbers always come back.

    >>> corners_come_back([1.0, 2.0, 30.0, 40.0]), corners_come_back([1.0, 14.149463358668845, 2.0, 77.6840601509805])
    (True, False)
    """
    for low, high in ((corners[0], corners[2]), (corners[1], corners[3])):
        if low.is_integer() and high.is_integer() and abs(high) < 2.0**52 and abs(low) < 2.0**52:
            continue
        size = (high - low) + 1.0
        start = ((low - 1.0 + 1.0) - 1.0) + 1.0
        end = (start - 1.0) + size
        if start != low or end != high or (end - start) + 1.0 != size:
            return False
    return True


def corners_as_read(
    extras: pa.ChunkedArray, voc: np.ndarray[Any, Any], boxes: np.ndarray[Any, Any], turned: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """``voc`` (the corners written, a row per object), with the corners read where they give the box exactly.

    The corners read are :data:`CORNERS_KEY`'s; an object changed since is written from its box.
    """
    rows = np.flatnonzero(contains_match(extras, f'"{CORNERS_KEY}":') & ~turned)
    if not len(rows):
        return voc
    voc = voc.copy()
    for row, text in zip(rows.tolist(), extras.take(pa.array(rows)).to_pylist(), strict=True):
        cell = decode_json_cell(text)
        corners = cell.get(CORNERS_KEY) if isinstance(cell, dict) else None
        if _corners_fit(corners, boxes[row].tolist()):
            voc[row] = corners
    return voc


def _corners_fit(corners: Any, box: list[float]) -> bool:
    """Whether ``corners`` (:data:`CORNERS_KEY`'s, as read) are 4 numbers a reader takes back to ``box`` exactly."""
    return (
        isinstance(corners, list)
        and len(corners) == 4
        and all(type(v) in (int, float) for v in corners)
        and voc_to_xywh(*corners) == tuple(box)
    )


def part_corners(part: dict[str, Any]) -> list[float]:
    """The corners written for a ``voc:parts`` entry (one :func:`part_ok` passes), as an object's are.

    Its corners as read (:data:`CORNERS_KEY`) where they give its box exactly, else those of its box that a
    reader takes back to it, or to a box a float away (:func:`~labelkit.model.geometry.xywh_to_voc`).
    """
    box = [float(v) for v in part["bbox"]]
    corners = part.get(CORNERS_KEY)
    if corners is not None and _corners_fit(corners, box):
        return [float(v) for v in corners]
    return [float(v) for v in xywh_to_voc(np.asarray([box], dtype=np.float64))[0].tolist()]


def read_back_otherwise(corners: np.ndarray[Any, Any], boxes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Per row, whether a reader takes ``corners`` (VOC's, written) back to another box than ``boxes``' row.

    A reader takes ``x = xmin - 1`` and ``w = xmax - xmin + 1``: a float's rounding away, for some boxes.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        back = np.concatenate([corners[:, :2] - 1.0, (corners[:, 2:] - corners[:, :2]) + 1.0], axis=1)
    moved: np.ndarray[Any, Any] = (back != boxes).any(axis=1)
    return moved
