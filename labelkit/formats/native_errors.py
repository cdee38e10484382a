"""pydantic's validation errors of a labelkit JSON document (or a Parquet folder's manifest) said at JSON pointers.

pydantic names a place by its own location, with levels of its own (a tagged union's tag, a plain union's member),
says a missing field as ``Field required``, a value nested too deep as ``recursion limit exceeded`` at ``#``, and an
integer past 64 bits in a mapping at the mapping: each is said here at the place in the document, as ``validate``
and COCO say them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labelkit.errors import InputError, json_pointer
from labelkit.io import without_bom
from labelkit.json_checks import MAX_VALUE_DEPTH, TOO_DEEP, deeper_than, too_deep
from labelkit.json_places import int_or_wide
from labelkit.model.annotations import INT64_MIN, UINT64_MAX


def pointer_from_loc(loc: tuple[str | int, ...], value: Any, missing: bool = True) -> str:
    """The JSON pointer of a pydantic error location in the parsed document ``value``.

    pydantic adds levels of its own to a location: the tag of a tagged union (``object``) and the member
    of a plain union (``str``, ``list[int]``). Those are not in the document: walking the document along
    the location drops them. A last part that is not in the document is kept when ``missing`` (the error's
    is a missing field): else it is a union member's (``bool`` of an attribute value ``{}``), no field.
    """
    parts: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(value, dict) and isinstance(part, str) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        elif missing and i == len(loc) - 1 and isinstance(value, dict):
            pass  # a missing field
        else:
            continue
        parts.append(part)
    return json_pointer(*parts)


def wide_int_error(error: Any, data: bytes, path: str | Path) -> InputError | None:
    """The error for an integer beyond 64 bits in a free mapping (metadata, extras), at the number's own pointer.

    The records say it of the whole mapping with a dotted path (``integer a.b does not fit 64 bits`` at
    ``#/items/0/metadata``), which cannot tell ``{"a.b": ...}`` from ``{"a": {"b": ...}}``; an attribute's, a
    depth's and COCO's errors name the value's own place.
    """
    if "does not fit 64 bits" not in error["msg"]:
        return None
    try:  # (parsed again, its integers as integers: the document's parse took those past 64 bits for floats)
        node = json.loads(without_bom(data), parse_int=int_or_wide)
    except ValueError:
        return None
    parts: list[str | int] = []
    for part in error["loc"]:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        parts.append(part)
    found = _first_wide(node, ())
    if found is None:
        return None
    return InputError("integer does not fit 64 bits", path=path, pointer=json_pointer(*parts, *found))


def _first_wide(value: Any, at: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The place, below ``value``, of its first integer outside int64 and uint64 (None: it has none)."""
    if isinstance(value, int) and not isinstance(value, bool):  # (a WideInt too: its stand-in is past 64 bits)
        return None if INT64_MIN <= value <= UINT64_MAX else at
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        if (found := _first_wide(child, (*at, key))) is not None:
            return found
    return None


def short_list_message(errors: list[Any]) -> str | None:
    """What a fixed-length list too short says (pydantic says 'Field required' at the first item missing), or None."""
    loc = tuple(errors[0]["loc"])
    if errors[0]["type"] != "missing" or not loc or not isinstance(loc[-1], int):
        return None
    missing = [e["loc"][-1] for e in errors if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]]
    return f"Tuple should have {max(int(i) for i in missing) + 1} items, not {loc[-1]}"


def depth_error(error: Any, value: Any, data: bytes, path: str | Path) -> InputError | None:
    """The error for a document (or Parquet manifest) nested too deep, when pydantic's first ``error`` is for that.

    pydantic reads no text nested deeper than :data:`~labelkit.json_checks.JSON_READ_DEPTH` levels (its error,
    ``recursion limit exceeded``, at ``#``, says nothing of where), and the records refuse a free mapping's value
    nested more than :data:`~labelkit.json_checks.MAX_VALUE_DEPTH`: either is said at the first such value
    (``#/items/0/metadata/k``), in the order the records are checked; text nested too deep elsewhere (``"items":
    [[[...]]]``) at the line and column of its deepest place.
    """
    recursion = error["type"] == "json_invalid" and "recursion limit" in error["msg"]
    if not recursion and TOO_DEEP not in error["msg"]:
        return None
    for parts, mapping in _mappings(value):
        for key, v in mapping.items():
            if deeper_than(v, MAX_VALUE_DEPTH):
                return InputError(TOO_DEEP, path=path, pointer=json_pointer(*parts, key))
    return too_deep(data, Path(path)) if recursion else None


def _mappings(value: Any) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """The free mappings of a parsed document, with their places, in the order the records are checked.

    ``info``'s ``metadata`` and ``extras``, then the categories' extras, the items' metadata, the annotations' extras.
    """
    if not isinstance(value, dict):
        return
    info = value.get("info")
    for field in ("metadata", "extras"):
        if isinstance(info, dict) and isinstance(info.get(field), dict):
            yield ("info", field), info[field]
    for section, field in (("categories", "extras"), ("items", "metadata"), ("annotations", "extras")):
        records = value.get(section)
        for i, record in enumerate(records if isinstance(records, list) else []):
            if isinstance(record, dict) and isinstance(record.get(field), dict):
                yield (section, i, field), record[field]


def missing_message(error: Any, loc: tuple[str | int, ...]) -> str | None:
    """A missing field said as ``validate`` (and COCO) says it, or None for another error.

    pydantic says ``Field required`` (and ``Unable to extract tag using discriminator 'kind'`` for an annotation
    without ``kind``); the pointer already names the field.
    """
    missing = error["type"] == "missing" or error["type"] == "union_tag_not_found"
    return f"missing required field {loc[-1]!r}" if missing and loc and isinstance(loc[-1], str) else None
