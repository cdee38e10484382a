"""COCO RLE masks of uncompressed counts (``{"size": [h, w], "counts": [n, ...]}``) decoded many at once.

Used by :mod:`labelkit.formats.coco_objects`. COCO's own crowd annotations are so, and exporters that keep a
mask's holes write every mask so: decoded one by one, each count became a Python int and each list a Python
list before it became an Arrow column (100,000 masks of about 170 counts: 1.7 s of decoding, 1.1 s of
conversion). Here the RLEs of a chunk are decoded in one msgspec call with their counts left raw, and every
count is parsed by one numpy call over their joined text. Anything unusual (a field besides size and counts,
a count that is not plain digits, a count of 11 digits or more, one of 2**31 or more, counts nested in lists, a
counts key given twice or spelled with an escape) sends the chunk back to the one-by-one decode, which names
what is wrong where it is wrong.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from labelkit.formats.coco_read import Count
from labelkit.model.rle import RLE_PIXEL_LIMIT
from labelkit.model.tables import MASK_TYPE


class _ListedRle(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    size: tuple[Count, Count]
    counts: msgspec.Raw


_DECODER = msgspec.json.Decoder(list[_ListedRle])
_RUN_BYTES = b"0123456789,- \t\r\n"  # (deleted from the counts' text: whatever remains is not plain digits)
_DIGITS_AS_0 = bytes.maketrans(b"123456789", b"000000000")
_TOO_LONG = b"0" * 11  # (counts are below 2**31: ten digits at most; fewer than 19 are parsed exactly)
_OPEN, _DIGIT_0, _DIGIT_9 = ord("["), ord("0"), ord("9")
_MARK = b"-1"  # (before each list's counts, which are not negative: where a list starts)


@dataclass
class ListedRuns:
    """The RLEs of uncompressed counts among those given, decoded.

    Attributes:
        listed: by RLE given, whether its counts are a list (decoded here); the others are decoded one by one.
        heights, widths: by listed RLE, its size (int64).
        offsets: by listed RLE and one more, where its counts start in ``values`` (int64).
        values: every listed RLE's counts, one after the other (int64, each below 2**31).
        sums: by listed RLE, its counts added up (exact: each count is below 2**31).
    """

    listed: np.ndarray[Any, Any]
    heights: np.ndarray[Any, Any]
    widths: np.ndarray[Any, Any]
    offsets: np.ndarray[Any, Any]
    values: np.ndarray[Any, Any]
    sums: np.ndarray[Any, Any]

    def column(self) -> pa.Array:
        """The listed RLEs as mask cells (:data:`MASK_TYPE`), in order."""
        n = len(self.heights)
        return pa.StructArray.from_arrays(
            [
                pa.array(self.heights, pa.int64()),
                pa.array(self.widths, pa.int64()),
                pa.nulls(n, pa.string()),
                pa.ListArray.from_arrays(pa.array(self.offsets, pa.int64()), pa.array(self.values, pa.int64())),
            ],
            fields=list(MASK_TYPE),
        )


def listed_runs(raws: Sequence[Any]) -> ListedRuns | None:
    """The RLEs of ``raws`` (raw JSON objects) decoded at once, or None: decode them one by one.

    >>> r = listed_runs(
    ...     [b'{"size": [2, 3], "counts": [1, 4, 1]}', b'{"size":[1,1],"counts":"1"}', b'{"size":[1,1],"counts":[]}']
    ... )
    >>> r.listed.tolist(), r.heights.tolist(), r.offsets.tolist(), r.values.tolist(), r.sums.tolist()
    ([True, False, True], [2, 1], [0, 3, 3], [1, 4, 1], [6, 0])
    >>> listed_runs([b'{"size": [2, 3], "counts": [1, 4.0, 1]}']) is None  # (not plain digits)
    True
    >>> listed_runs([b'{"size": [2, 3], "counts": [6], "extra": 1}']) is None
    True
    """
    if not raws:
        return None
    text = b"[" + b",".join(raws) + b"]"
    # a key given twice: the one-by-one decode checks each value ("counts": null, "counts": [6] is refused), a raw
    # field keeps the last; no counts string holds a quote, nor a "u" (an escape could spell a key otherwise)
    if text.count(b'"counts"') != len(raws) or b"\\u" in text:
        return None
    try:
        decoded = _DECODER.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    counts = [d.counts for d in decoded]
    listed = np.fromiter((memoryview(c)[0] == _OPEN for c in counts), dtype=bool, count=len(counts))
    lists = [c for c, is_list in zip(counts, listed.tolist(), strict=True) if is_list]
    parsed = _parsed(lists)
    if parsed is None:
        return None
    offsets, values = parsed
    if len(values) and int(values.max()) >= RLE_PIXEL_LIMIT:  # (no count of a mask that fits is so large)
        return None
    sums = np.zeros(len(lists), dtype=np.int64)
    filled = np.flatnonzero(np.diff(offsets) > 0)
    if len(filled):
        sums[filled] = np.add.reduceat(values, offsets[filled])
    sizes = np.array([d.size for d, is_list in zip(decoded, listed.tolist(), strict=True) if is_list], np.int64)
    sizes = sizes.reshape(-1, 2)
    return ListedRuns(listed, sizes[:, 0].copy(), sizes[:, 1].copy(), offsets, values, sums)


def _parsed(lists: list[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """The offsets and values of ``lists`` (raw JSON lists), or None where they are not lists of plain digits.

    The lists' insides are joined, each after a mark (-1), and parsed by one numpy call.
    """
    if not lists:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pieces: list[Any] = []
    for c in lists:
        inner = memoryview(c)[1:-1]
        pieces.append(_MARK)
        if inner.nbytes and (_DIGIT_0 <= inner[0] <= _DIGIT_9 or bytes(inner).strip()):  # (not "[]" nor "[  ]")
            pieces.append(inner)
    body = b",".join(pieces)
    if body.translate(None, _RUN_BYTES) or body.count(b"-") != len(lists):  # (a sign of the file's own)
        return None
    if body.translate(_DIGITS_AS_0).find(_TOO_LONG) >= 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (numpy 2.0 warns where a later one raises: text it cannot read)
            values = np.fromstring(body, dtype=np.int64, sep=",")
    except (ValueError, DeprecationWarning):
        return None
    marks = np.flatnonzero(values < 0)
    if len(marks) != len(lists):
        return None
    offsets = np.append(marks, len(values)) - np.arange(len(lists) + 1)  # (less the marks before)
    return offsets, values[values >= 0]
