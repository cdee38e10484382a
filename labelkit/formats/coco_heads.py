"""COCO image records decoded typed, a whole list in one call, where they are plain (most files are).

An image record has four fields the model has columns for (``id``, ``file_name``, ``width``, ``height``); its
other fields are the item's metadata, one JSON text. Decoding every record into a dict and writing each one's
other fields back as text took about 0.44 s of COCO train2017's 118,287 images in a warm process, and made a
dict and four values per record in fresh memory, which these VMs fault in dearly. Here the records are decoded
into structs whose four fields are typed and whose other fields (COCO's ``license``, ``coco_url``,
``date_captured`` and ``flickr_url``, Datumaro's, a tool's own) are raw fields of their own
(:func:`~.coco_fields.widened`, named as the first records spell them), and the metadata texts are joined a
column at a time: about 0.35 s warm, and 16,000 fewer page faults in a whole ``labelkit info`` (211,000 to
195,000), which took 5.02 s before and 4.01 s after (in turn, medians of 9).

Only plain lists go this way: records of the four fields well typed (a size never negative) and every record
with the same other fields, each value a string without escapes, an integer of at most 18 digits, a boolean
or null. Their text is then byte for byte what the record-by-record way writes (``orjson.dumps``); only the
order of the fields may differ, for a record that spells them in another order than the first records (the
metadata's members are in the order the decode first met them). Any other list gives None, and the reader
decodes the records into dicts as before, which says what is wrong where.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_columns import binary_column, first_bytes
from labelkit.formats.coco_fields import UNKNOWN_PREFIX, Count, Int64, may_name, unknown_field, widened
from labelkit.model.tables import true_mask

NAMED_WITHIN = 1_000
"""A field of no :class:`ImageHead` is given a raw field only when met in the first records (each name found
costs a decode up to where it is met); one met later sends the list the record-by-record way."""

_PLAIN_VALUE = r'^(?:"[^\\]*"|-?[1-9][0-9]{0,17}|0|true|false|null)$'
"""A raw value whose text ``orjson.dumps`` of its decoded value gives back byte for byte: a string without
escapes (JSON's text has none of the characters orjson escapes), an integer of at most 18 digits (within 64
bits; ``-0`` is not), a boolean, null."""
_DIGITS = np.frombuffer(b"-0123456789", dtype=np.uint8)
_WORDS = np.frombuffer(b"tfn", dtype=np.uint8)


class ImageHead(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An image record's fields the model has columns for, typed (other fields: see :func:`image_heads`)."""

    id: Int64
    file_name: str
    width: Count
    height: Count


@dataclass
class Heads:
    """A file's image records as columns.

    Attributes:
        ids: the image ids.
        names: the file names, as written.
        widths: the widths.
        heights: the heights.
        metadata: per record, its other fields as one JSON text (``large_binary``; null where it has none).
    """

    ids: list[int]
    names: list[str]
    widths: list[int]
    heights: list[int]
    metadata: pa.Array


def image_heads(raw: msgspec.Raw | bytes) -> Heads | None:
    """The image list ``raw`` (its JSON text) as columns, or None when it is not plain (see the module).

    >>> heads = image_heads(b'[{"id": 1, "license": 3, "file_name": "a.jpg", "width": 4, "height": 2}]')
    >>> heads.ids, heads.names, heads.widths, heads.heights, heads.metadata.to_pylist()
    ([1], ['a.jpg'], [4], [2], [b'{"license":3}'])
    >>> image_heads(b'[{"id": 1, "file_name": "a.jpg", "width": -4, "height": 2}]') is None
    True
    """
    names: tuple[str, ...] = ()
    while True:
        try:
            records = _decoder(names).decode(raw)
            break
        except msgspec.ValidationError as exc:
            found = unknown_field(exc)
            if found is None or found[1] >= NAMED_WITHIN or not may_name(found[0], names):
                return None
            names += (found[0],)
        except msgspec.DecodeError:  # (not JSON: the record-by-record way says where)
            return None
    n = len(records)
    parts: list[pa.Array | pa.Scalar] = []
    for i, name in enumerate(names):
        values = list(map(operator.attrgetter(f"{UNKNOWN_PREFIX}{i}"), records))
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
        if not lengths.all():  # (a record without it: the record-by-record way writes its own members)
            return None
        column, _ = binary_column(values, lengths)
        if not _plain(column, lengths):
            return None
        parts += [pa.scalar((b"," if i else b"{") + orjson.dumps(name) + b":", pa.large_binary()), column]
    if parts:
        parts += [pa.scalar(b"}", pa.large_binary()), pa.scalar(b"", pa.large_binary())]
        metadata = pc.binary_join_element_wise(*parts)
    else:
        metadata = pa.nulls(n, pa.large_binary())
    return Heads(
        ids=list(map(operator.attrgetter("id"), records)),
        names=list(map(operator.attrgetter("file_name"), records)),
        widths=list(map(operator.attrgetter("width"), records)),
        heights=list(map(operator.attrgetter("height"), records)),
        metadata=metadata,
    )


def _plain(column: pa.Array, lengths: np.ndarray) -> bool:
    """Whether every raw value of ``column`` (a :func:`~.coco_columns.binary_column`) matches :data:`_PLAIN_VALUE`.

    A column of strings only, of numbers only or of ``true``, ``false`` and ``null`` only (by each value's first
    byte) is checked by searches of the joined bytes (a backslash; a fraction, an exponent or ``-0``) and the
    lengths, much faster than the pattern per value; a mixed column by the pattern.

    >>> values = [b'"a"', b'"b"']
    >>> column = pa.array(values, pa.large_binary())
    >>> _plain(column, np.array([3, 3]))
    True
    """
    first = first_bytes(column, lengths)
    joined = column.buffers()[2].to_pybytes() if len(column) else b""  # (the values back to back, searched)
    if (first == ord('"')).all():
        return b"\\" not in joined
    if np.isin(first, _DIGITS).all():  # (integers: of 18 digits at most, after a minus sign)
        digits = lengths - (first == ord("-"))
        return int(digits.max()) <= 18 and not any(c in joined for c in (b".", b"e", b"E", b"-0"))
    if np.isin(first, _WORDS).all():  # (JSON, as msgspec read it: true, false or null)
        return True
    return bool(true_mask(pc.match_substring_regex(column, _PLAIN_VALUE)).all())


@functools.lru_cache(maxsize=64)
def _decoder(names: tuple[str, ...]) -> Any:
    return msgspec.json.Decoder(list[widened(ImageHead, names)])  # type: ignore[misc]
