"""Keys repeated in one JSON object, which JSON readers take the last of without a word.

``validate`` names each repeat (the second and later of a key) at its pointer, for COCO and labelkit JSON alike.
Looking costs a count of the text's key ends against the parsed value's keys; only a text holding more is
parsed again, pair by pair.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson

from labelkit.errors import json_pointer
from labelkit.json_places import int_or_wide
from labelkit.report import Finding

REPEATED_KEY = (
    "key {key!r} repeated in one object: readers keep one value (labelkit, as Python's json and pycocotools, the last)"
)
"""A finding at the pointer of a key an object repeats (the second and later of each)."""
SPACED_KEY_END = re.compile(rb'"[ \t\r\n]+:')


def key_ends(text: bytes, spaced: bool = True) -> int:
    r"""The keys a JSON text may hold, counted by their ends: ``"`` then ``:`` (spaced apart only if ``spaced``).

    In a string those occur only as ``\":``, a quote escaped by an odd number of backslashes: those are not
    counted, so a caption ``he said \"hi\": yes`` does not make the text look as if it repeated a key (its
    count never falls below the keys: a key's closing quote follows an even number of backslashes).

    >>> key_ends(b'{"a": 1, "b" : {"c\\":": 2, "d\\\\": 3}}')
    4
    """
    ends = text.count(b'":') - _escaped_quote_colons(text)
    return ends + (sum(1 for _ in SPACED_KEY_END.finditer(text)) if spaced else 0)


def _escaped_quote_colons(text: bytes) -> int:
    """How many ``":`` of ``text`` close no key: their quote follows an odd number of backslashes (in a string)."""
    n, at = 0, text.find(b'\\":')
    while at >= 0:
        start = at
        while start > 0 and text[start - 1] == 0x5C:  # (the backslashes before this one)
            start -= 1
        n += (at + 1 - start) % 2  # (an odd run escapes the quote)
        at = text.find(b'\\":', at + 1)
    return n


def key_count(value: Any) -> int:
    """The keys of the objects in a parsed value (a repeated key counts once: it is one key there).

    >>> key_count({"a": [{"b": 1}, {}], "c": {"d": {}}})
    4
    """
    n = 0
    stack = [value]  # (no recursion: a document nested 1,000 levels deep, which orjson reads, is counted too)
    while stack:
        value = stack.pop()
        if type(value) is dict:
            n += len(value)
            value = value.values()
        elif type(value) is not list:
            continue
        stack += [v for v in value if type(v) is dict or (type(v) is list and v)]
    return n


def parsed_keys(value: Any) -> int:
    """:func:`key_count` of a parsed value, counted in its text as orjson writes it (each key once, in C).

    A Python walk over the objects of a document of 145,000 annotations took 0.5 s, orjson's text 0.1 s. A value
    orjson does not write (nested past 255 levels) is walked.

    >>> parsed_keys({"a": [{"b": 1}, {}], "c": {"d": {}}, 'e"': 'f":'})
    5
    """
    try:
        return key_ends(orjson.dumps(value), spaced=False)
    except (orjson.JSONEncodeError, TypeError):
        return key_count(value)


class _Pairs:
    """An object as Python's JSON parser gives its key-value pairs, in order and with repeats."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


def refuse_constant(constant: str) -> Any:
    """Python's JSON parser's ``parse_constant``: NaN and Infinity, which it takes, are not JSON."""
    raise ValueError(constant)


def repeated_keys(text: bytes) -> list[tuple[str | int, ...]]:
    """The paths of the keys an object in the JSON ``text`` repeats (the second and later of each), in order.

    Python's JSON parser gives the pairs (orjson and msgspec keep the last value without a word); a text it does
    not read gives none (the schema pass reports it).

    >>> repeated_keys(b'{"a": [{"id": 1, "id": 2}], "a": 3}')
    [('a', 0, 'id'), ('a',)]
    """
    try:
        value = json.loads(
            text.decode("utf-8"), object_pairs_hook=_Pairs, parse_constant=refuse_constant, parse_int=int_or_wide
        )
    except ValueError:
        return []
    found: list[tuple[str | int, ...]] = []

    def walk(value: Any, at: tuple[str | int, ...]) -> None:
        if isinstance(value, _Pairs):
            seen: set[str] = set()
            for k, v in value.pairs:
                if k in seen:
                    found.append((*at, k))
                seen.add(k)
                walk(v, (*at, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, (_Pairs, list)):
                    walk(v, (*at, i))

    walk(value, ())
    return found


def repeat_findings(
    path: str | Path, repeats: list[tuple[str | int, ...]], prefix: tuple[str | int, ...] = ()
) -> list[Finding]:
    """A finding per repeated key, at its pointer (see :data:`REPEATED_KEY`)."""
    return [Finding(str(path), "#" + json_pointer(*prefix, *at), REPEATED_KEY.format(key=at[-1])) for at in repeats]


def may_repeat(text: bytes, value: Any) -> bool:
    """Whether the JSON ``text``, parsed as ``value``, may repeat a key: it holds more key ends than ``value`` keys.

    False for the usual text, which then needs no second parse (:func:`repeated_keys`).
    """
    return key_ends(text) != parsed_keys(value)


def document_repeats(text: bytes, value: Any, path: str | Path) -> list[Finding]:
    """The findings of the keys the whole JSON ``text``, parsed as ``value``, repeats (see :func:`may_repeat`)."""
    return repeat_findings(path, repeated_keys(text)) if may_repeat(text, value) else []
