"""JSON text and its places: errors at their line and column, byte-order marks, depth, values that cannot be written.

Moved out of :mod:`labelkit.io`, which imports them from here (``from labelkit.io import parse_json`` still works).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson

from labelkit.errors import InputError
from labelkit.json_places import unwritable_place


def parse_json(data: bytes, path: str | Path) -> Any:
    """Parse JSON text, naming the line and column of a syntax error.

    A UTF-8 byte-order mark starting the text (Windows tools write one) is not JSON: it is dropped.

    Raises:
        InputError: the text is not valid JSON (truncated, bad syntax, bad UTF-8).
    """
    data = without_bom(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        pos = getattr(exc, "pos", 0) or 0
        reason = exc.msg  # (whole: orjson 3.12's say what was expected, such as "':' after key")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as bad:
            # orjson reports bad UTF-8 at position 0; Python's decoder knows the byte
            pos, reason = bad.start, f"bad UTF-8 byte 0x{data[bad.start]:02x}"
        else:
            if reason == _NO_MEMORY and len(data) <= _SMALL:  # (a large one may truly lack the memory)
                pos, reason = _python_error(text, path) or (pos, reason)
        line, column = line_and_column(data, pos)
        raise InputError(f"invalid JSON at column {column}: {reason}", path=path, line=line) from exc


def json_error(data: bytes, path: str | Path) -> InputError | None:
    """:func:`parse_json`'s error for ``data``, or None for text it reads.

    A number past float64's range (``1e400``), which orjson refuses, is valid JSON (COCO carries it as read): the
    error is then the first one Python's parser finds, past it (None if there is none).

    Raises:
        InputError: ``data`` nests deeper than Python's parser goes (see :func:`too_deep`).
    """
    try:
        parse_json(data, path)
    except InputError as error:
        if not error.message.endswith(_INFINITY):
            return error
    else:
        return None
    text = without_bom(data)
    found = _python_error(text.decode("utf-8", errors="replace"), path)
    if found is None:
        return None
    line, column = line_and_column(text, found[0])
    return InputError(f"invalid JSON at column {column}: {found[1]}", path=path, line=line)


_INFINITY = "number is infinity when parsed as double"
"""orjson's error for a number past float64's range, which is valid JSON."""


_NO_MEMORY = "failed to allocate memory"
"""orjson's error for any syntax error inside a few hundred open brackets (``[`` * 300, a file cut short there):
a place and a reason that are not the file's."""
_SMALL = 64 << 20
"""Text up to this size is parsed again by Python's parser on orjson's :data:`_NO_MEMORY`, to find the error."""


def _python_error(text: str, path: str | Path) -> tuple[int, str] | None:
    """The offset (in bytes) and reason of the syntax error Python's JSON parser finds in ``text``, if any.

    Raises:
        InputError: ``text`` nests deeper than Python's parser goes (see :func:`too_deep`).
    """
    import json

    try:
        json.loads(text, parse_int=len, parse_constant=len)  # (a number's value does not matter here)
    except json.JSONDecodeError as exc:
        return len(text[: exc.pos].encode()), exc.msg[:1].lower() + exc.msg[1:]
    except RecursionError:
        raise too_deep(text.encode(), Path(path)) from None
    except MemoryError:  # (orjson's error stands)
        return None
    # (Python's parser takes NaN, Infinity and -Infinity, which are no JSON, and lone surrogates, which orjson
    # refuses: the first outside a string, or in one)
    for m in _CONSTANT.finditer(text):
        if m.group(1):
            return len(text[: m.start(1)].encode()), "unexpected character, expected a JSON value"
        if "\\u" in m.group() and (lone := _lone_surrogate(m.group())) is not None:
            return len(text[: m.start() + lone[0]].encode()), lone[1]
    return None


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|-?Infinity)')
"""A JSON string (skipped whole) or a constant Python's JSON parser reads and JSON has not."""
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


def _lone_surrogate(string: str) -> tuple[int, str] | None:
    r"""The offset of a JSON string's first escaped surrogate without its other half, and orjson's words for it.

    >>> _lone_surrogate(r'"a\ud83d\ude00 \\ud800"'), _lone_surrogate(r'"ab\ud800\u0041"')
    (None, (3, 'invalid low surrogate in string'))
    """
    escapes = list(_ESCAPE.finditer(string))
    k = 0
    while k < len(escapes):
        unit = int(escapes[k].group(1) or "0", 16)
        if 0xDC00 <= unit <= 0xDFFF:
            return escapes[k].start(), "invalid high surrogate in string"
        if 0xD800 <= unit <= 0xDBFF:
            after = escapes[k + 1] if k + 1 < len(escapes) else None
            if after is None or after.start() != escapes[k].end() or not after.group(1):
                return escapes[k].start(), "no low surrogate in string"
            if not 0xDC00 <= int(after.group(1), 16) <= 0xDFFF:
                return escapes[k].start(), "invalid low surrogate in string"
            k += 1
        k += 1
    return None


UTF8_BOM = b"\xef\xbb\xbf"


def without_bom(data: bytes) -> bytes:
    r"""``data`` without the UTF-8 byte-order mark starting it, if any (Windows tools write one; it is not text).

    Examples:
        >>> without_bom(b"\xef\xbb\xbf{}"), without_bom(b"{}")
        (b'{}', b'{}')
    """
    return data[3:] if data[:3] == UTF8_BOM else data


def line_and_column(data: bytes, pos: int) -> tuple[int, int]:
    """The 1-based line and column of byte ``pos`` of ``data``."""
    return data.count(b"\n", 0, pos) + 1, pos - (data.rfind(b"\n", 0, pos) + 1) + 1


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{\[]|[}\]]')
"""A JSON string (skipped whole, brackets inside it and all), an opening bracket or a closing one."""


def deepest(data: bytes) -> tuple[int, int]:
    """How deep the values of the JSON text ``data`` nest, and the offset of the first bracket opening that level.

    Examples:
        >>> deepest(b'{"a": "[[[", "b": [[1], [[2]]]}')
        (4, 25)
    """
    depth = most = where = 0
    for m in _TOKEN.finditer(data):
        token = m.group()[:1]
        if token == b'"':
            continue
        if token in b"[{":
            depth += 1
            if depth > most:
                most, where = depth, m.start()
        else:
            depth -= 1
    return most, where


_COLON = re.compile(rb"\s*:")


def deep_member(data: bytes, levels: int) -> str | None:
    """The key of the first member of the JSON object ``data`` whose value nests more than ``levels`` levels.

    None when none is so deep, or ``data`` is not an object. Read as text (no parser: msgspec's and Python's
    recurse, and meet their limit about a thousand levels down).

    Examples:
        >>> deep_member(b'{"a": "[[[", "b": [[1]], "c": [[[2]]]}', 2), deep_member(b'{"a": [[1]]}', 2)
        ('c', None)
    """
    if data.lstrip()[:1] != b"{":
        return None
    depth, key = 0, b'""'
    for m in _TOKEN.finditer(data):
        token = m.group()
        if token[:1] == b'"':
            if depth == 1 and _COLON.match(data, m.end()):
                key = token
            continue
        if token in b"[{":
            depth += 1
            if depth > levels + 1:
                return str(json.loads(key))
        else:
            depth -= 1
    return None


def too_deep(data: bytes, path: Path) -> InputError:
    """The error for JSON text ``data`` nested deeper than a parser goes: at the deepest place, its line and column."""
    text = without_bom(data)
    depth, pos = deepest(text)
    line, column = line_and_column(text, pos)
    return InputError(
        f"values nested {depth} levels deep at column {column}, deeper than the reader goes", path=path, line=line
    )


def json_text(value: Any, path: str | Path, pointer: str) -> str:
    """``value`` as compact JSON text; what JSON allows but cannot be written again is an InputError.

    Raises:
        InputError: at ``pointer``: an integer beyond int64/uint64 (orjson, like Arrow, holds 64 bits), values
            nested deeper than orjson writes (254 levels), or text holding a lone surrogate.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError as exc:
        reason = str(exc)
        message = (
            "values nested too deep to write (more than 254 levels)"
            if "Recursion" in reason
            else "text holds a lone surrogate, which UTF-8 cannot encode"
            if "surrogate" in reason
            else "an integer does not fit in 64 bits"
        )
        raise InputError(message, path=path, pointer=pointer + unwritable_place(value, reason)) from exc


MAX_VALUE_DEPTH = 196
"""How deep a value of a free mapping (an item's or the dataset's ``metadata``, an ``extras``) may nest, a list or an
object being a level: the one depth limit of the model, which both native writers write and both readers read.

pydantic, which reads a labelkit JSON document on the record path (and Parquet's ``labelkit.json``), reads no text
nested deeper than :data:`JSON_READ_DEPTH` levels, and labelkit JSON holds such a mapping four levels down
(document, list, record, mapping): 196 levels of its values are read back, the fast path's and the record path's
alike. (orjson writes 254 levels, msgspec and orjson read about 1000.)"""
JSON_READ_DEPTH = MAX_VALUE_DEPTH + 4
"""How deep a labelkit JSON document nests at most: pydantic's limit (200 levels; 201 is its "recursion limit
exceeded"), and what a mapping's value of :data:`MAX_VALUE_DEPTH` levels makes four levels down."""
TOO_DEEP = f"value nested more than {MAX_VALUE_DEPTH} levels deep, more than every format can keep"
"""The error for a mapping's value nested more than :data:`MAX_VALUE_DEPTH` levels (at its pointer)."""

MAX_FIELD_DEPTH = MAX_VALUE_DEPTH - 4
"""How deep a COCO field (a category's, image's or annotation's, ``info``, ``licenses``, another top-level value)
may nest: labelkit keeps it in a mapping up to four levels below the mapping's value (a category's value of one
file that differs from another's: ``coco:files``, the file's entry, ``category_values``, the category's), so
that a value of :data:`MAX_VALUE_DEPTH` levels holds it."""


def deeper_than(value: Any, levels: int) -> bool:
    """Whether ``value`` nests more than ``levels`` levels (a list or an object is a level; a loop, not recursion).

    Examples:
        >>> deeper_than({"a": [1, [2]]}, 2), deeper_than({"a": [1, [2]]}, 3), deeper_than("[[[", 0)
        (True, False, False)
    """
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (list, dict)):
            if depth > levels:
                return True
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return False


def refuse_deep(value: Any, path: str | Path, pointer: str) -> None:
    """Refuse a value nested more than :data:`MAX_FIELD_DEPTH` levels (a list or an object is a level).

    Raises:
        InputError: at ``pointer``.
    """
    stack = [(value, 1)]
    while stack:  # (a loop, not recursion: msgspec decodes about 1000 levels, Python's stack holds as many)
        v, depth = stack.pop()
        if isinstance(v, (list, dict)):
            if depth > MAX_FIELD_DEPTH:
                raise _nested_too_deep(path, pointer)
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))


def refuse_deep_text(text: bytes, path: str | Path, pointer: str) -> None:
    """:func:`refuse_deep` of a value's JSON text, which may hold a number no parser here reads (``1e400``).

    Raises:
        InputError: at ``pointer``.
    """
    if deepest(text)[0] > MAX_FIELD_DEPTH:
        raise _nested_too_deep(path, pointer)


def _nested_too_deep(path: str | Path, pointer: str) -> InputError:
    return InputError(
        f"value nested more than {MAX_FIELD_DEPTH} levels deep, more than every format can keep",
        path=path,
        pointer=pointer,
    )
