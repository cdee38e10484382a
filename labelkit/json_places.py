"""Where in a decoded JSON value lies the first value a reader or writer refuses, as a JSON pointer.

An error names the value itself (``#/images/0/meta/run``), not the record or section holding it (``#/images``):
msgspec names a place inside a value decoded as ``Any`` as ``$[0][...]``, and orjson names none.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

import msgspec

from labelkit.errors import InputError, json_pointer, shown


def place_of(value: Any, bad: Callable[[Any], bool]) -> str:
    """The JSON pointer, from ``value``, of its first value (keys included, in the text's order) ``bad`` holds.

    ``""`` when there is none, or ``value`` itself is the one.

    Examples:
        >>> place_of({"a": 1, "b": [2, {"c/d": 2**70}]}, beyond_64_bits)
        '/b/1/c~1d'
        >>> place_of([1.0, {"x": float("inf")}], not_finite)
        '/1/x'
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:  # (a loop, not recursion: values may nest a thousand levels)
        v, parts = stack.pop()
        if bad(v):
            return json_pointer(*parts)
        if isinstance(v, dict):
            for key in v:
                if bad(key):  # (a key holding a lone surrogate)
                    return json_pointer(*parts, key)
            stack.extend(reversed([(x, (*parts, k)) for k, x in v.items()]))
        elif isinstance(v, list):
            stack.extend(reversed([(x, (*parts, i)) for i, x in enumerate(v)]))
    return ""


def beyond_64_bits(v: Any) -> bool:
    """An integer neither int64 nor uint64 holds (orjson writes, and Arrow holds, no other)."""
    return isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**64


def lone_surrogate(v: Any) -> bool:
    """Text holding a lone surrogate (U+D800 to U+DFFF not in a pair), which UTF-8 cannot encode."""
    return isinstance(v, str) and any("\ud800" <= c <= "\udfff" for c in v)


def not_finite(v: Any) -> bool:
    """A float that is infinite or NaN (Python's ``json`` reads ``1e400`` so)."""
    return isinstance(v, float) and not math.isfinite(v)


class WideInt(int):
    """An integer of more digits than Python converts (4,300), read as 2**64 or -2**64: beyond 64 bits, as it is.

    Shown by its first digits and their count, not as the stand-in's (an error quoting the value holding it).

    Examples:
        >>> [WideInt("-" + "9" * 5000)]
        [-99999999999999999999... (5000 digits)]
    """

    digits: str

    def __new__(cls, digits: str) -> WideInt:
        """The stand-in for the integer JSON text ``digits`` (``-`` and digits) spells."""
        wide = super().__new__(cls, -(1 << 64) if digits.startswith("-") else 1 << 64)
        wide.digits = digits
        return wide

    def __repr__(self) -> str:
        sign = "-" if self.digits.startswith("-") else ""
        return f"{self.digits[:21]}... ({len(self.digits) - len(sign)} digits)"


def int_or_wide(digits: str) -> int:
    """Python's JSON parser's ``parse_int``: the integer, or a :class:`WideInt` past the digits Python converts.

    Python's own raised ValueError (``Exceeds the limit (4300 digits)``), where msgspec's error had already
    refused such an integer, and orjson reads it as infinity.

    Examples:
        >>> int_or_wide("-12"), int_or_wide("1" + "0" * 5000) == 2**64, int_or_wide("-" + "9" * 5000) == -(2**64)
        (-12, True, True)
    """
    limit = sys.get_int_max_str_digits()
    if limit and len(digits) > limit and len(digits.lstrip("-")) > limit:
        return WideInt(digits)
    return int(digits)


def _unconverted(v: Any) -> bool:
    """A number msgspec refuses inside a value of any type: one no float holds, or an integer of too many digits."""
    return not_finite(v) or isinstance(v, WideInt)


def unnamed_place(message: str, raw: bytes) -> str:
    """Where msgspec's error ``message`` names a key ``[...]`` (of an object of any keys), the pointer of the number.

    That is, from the value of the JSON text ``raw``, of the number no float holds (``Number out of range``) or
    the integer of more digits than Python converts (``Integer value out of range``).

    Examples:
        >>> unnamed_place("Number out of range - at `$[1][...]`", b'[{}, {"a": [0, 1e400]}]')
        '/1/a/1'
        >>> unnamed_place("Integer value out of range - at `$[...]`", b'{"a": 1, "b": 1' + b"0" * 5000 + b"}")
        '/b'
    """
    if "[...]" not in message:
        return ""
    return place_of(json.loads(bytes(raw), parse_int=int_or_wide), _unconverted)


def msgspec_reason(exc: Exception) -> str:
    """The message of a msgspec error without its path suffix (our errors carry a JSON pointer instead).

    An integer of more digits than Python converts (4,300), which msgspec calls ``Integer value out of range``,
    is said as a shorter one beyond 64 bits is.

    Examples:
        >>> msgspec_reason(ValueError("Integer value out of range - at `$[0]`"))
        'an integer does not fit in 64 bits'
    """
    reason = str(exc).split(" - at ")[0]
    return "an integer does not fit in 64 bits" if reason == "Integer value out of range" else reason


def shown_at(raw: bytes, sub: str, reason: str) -> str:
    """The value at the pointer ``sub`` (``/0/2``) of the JSON value ``raw`` as an error shows it.

    Its JSON (``"4"``, ``true``, ``null``), ``an array`` or ``an object``; ``reason`` where ``sub`` names none.

    Examples:
        >>> shown_at(b'[[1, "4"], 2]', "/0/1", "?"), shown_at(b"[1, [2]]", "/1", "?"), shown_at(b"[1]", "/3", "?")
        ('"4"', 'an array', '?')
    """
    try:  # (by the raw text of each level: a number beside it may be 1e400, which no float holds)
        item = bytes(raw).strip()
        for part in sub[1:].split("/") if sub else []:
            item = bytes(msgspec.json.decode(item, type=list[msgspec.Raw])[int(part)]).strip()
        if item[:1] in (b"[", b"{"):
            return "an array" if item[:1] == b"[" else "an object"
        return json.dumps(msgspec.json.decode(item), ensure_ascii=False)
    except (msgspec.ValidationError, msgspec.DecodeError, IndexError, ValueError):
        return reason


def shown_field(raw: bytes, key: str) -> str:
    """Field ``key`` of the JSON object ``raw`` as an error shows it (``null`` when absent).

    Not by decoding the whole object: another field's integer of more digits than Python converts made that an
    internal error (``ValidationError: Integer value out of range``).

    Examples:
        >>> shown_field(b'{"id": 3.5, "x": 1' + b"0" * 5000 + b"}", "id")
        '3.5'
        >>> shown_field(b'{"id": [1' + b"0" * 5000 + b"]}", "id")[:4], shown_field(b"{}", "id")
        ('[100', 'null')
    """
    text = msgspec.json.decode(raw, type=dict[str, msgspec.Raw]).get(key)
    if text is None:
        return "null"
    try:
        return shown(msgspec.json.decode(text))
    except msgspec.ValidationError:  # (such an integer inside it: shown as written)
        return bytes(text).decode(errors="replace")


def unwritable_place(value: Any, reason: str) -> str:
    """The pointer, from ``value``, of what orjson's error ``reason`` refuses to write.

    That is a lone surrogate or an integer beyond 64 bits (``""`` for values nested too deep).
    """
    if "surrogate" in reason:
        return place_of(value, lone_surrogate)
    return place_of(value, beyond_64_bits) if "Integer" in reason else ""


_WIDE_INTEGER = ("Expected `int` <=", "Expected `int` >=", "an integer does not")
"""The starts of :func:`msgspec_reason`'s words for an integer beyond 64 bits (2**70), or of too many digits."""


def integer_error(
    reason: str, key: str, raw: bytes | None, path: Any, pointer: str, *, nullable: bool = False
) -> InputError | None:
    """Msgspec's error (``reason``, see :func:`msgspec_reason`) on the integer field ``key``, said as validate says it.

    ``<key> must be an integer`` with the value the object ``raw`` holds there (when ``raw`` is given), or ``<key>
    does not fit in 64 bits``; None for any other reason. ``nullable``: the field decodes as ``int | null``.
    """
    if raw is not None and reason.startswith(f"Expected `int{' | null' if nullable else ''}`, got"):
        return InputError(f"{key} must be an integer", path=path, pointer=pointer, found=shown_field(raw, key))
    if reason.startswith(_WIDE_INTEGER):
        return InputError(f"{key} does not fit in 64 bits", path=path, pointer=pointer)
    return None
