"""The extras JSON text of COCO annotations (used by :mod:`labelkit.formats.coco_build`).

Carried fields (``area``, ``iscrowd``, ...) and unknown fields, their raw values spliced in; integers beyond
64 bits among them are refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import json_pointer
from labelkit.formats.coco_columns import binary_column, first_bytes
from labelkit.formats.coco_fields import UNKNOWN_PREFIX
from labelkit.formats.coco_read import ABSENT, CARRIED_FIELDS, CocoFile
from labelkit.formats.coco_text import extra_key, field_of
from labelkit.io import MAX_FIELD_DEPTH, json_text
from labelkit.json_checks import refuse_deep_text
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, true_mask, valid_mask


def _lengths(values: list[msgspec.Raw]) -> np.ndarray:
    """Byte length of every raw value (0 when absent), skipping the measuring when all are absent."""
    if values.count(ABSENT) == len(values):
        return np.zeros(len(values), dtype=np.int64)
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def add_extra(current: bytes | None, key: str, raw: bytes) -> bytes:
    """``current`` (an extras text, or None) with the member ``"key": raw`` added at its end."""
    member = orjson.dumps(key) + b":" + raw
    return b"{" + member + b"}" if current is None else current[:-1] + b"," + member + b"}"


class Extras:
    """The extras JSON text of a chunk's annotations: an Arrow column plus the few rows changed since."""

    def __init__(self, base: pa.Array, overrides: dict[int, bytes] | None = None) -> None:
        self.base = base
        self.overrides: dict[int, bytes] = dict(overrides or {})
        self.long_rows: np.ndarray | None = None  # rows of a base made from values of known lengths: the long ones

    def __getitem__(self, i: int) -> bytes | None:
        if i in self.overrides:
            return self.overrides[i]
        value: bytes | None = self.base[i].as_py()
        return value

    def __setitem__(self, i: int, value: bytes) -> None:
        self.overrides[i] = value

    def copy(self) -> Extras:
        """An independent copy (the Arrow column is shared; it is immutable)."""
        return Extras(self.base, self.overrides)

    def column(self, rows: np.ndarray) -> pa.Array:
        """The extras of ``rows`` as a JSON-text column."""
        every = len(rows) == len(self.base) and (not len(rows) or int(rows[-1]) == len(rows) - 1)
        taken = self.base if every else self.base.take(pa.array(rows, pa.int64()))  # rows are sorted, unique
        if self.overrides:
            changed = [k for k, i in enumerate(rows.tolist()) if i in self.overrides]
            if changed:
                values = taken.to_pylist()
                for k in changed:
                    values[k] = self.overrides[int(rows[k])]
                taken = pa.array(values, pa.binary())
        return taken.cast(pa.string())


def annotation_extras(f: CocoFile, caption: np.ndarray, odd: list[tuple[int, str, str]] | None = None) -> Extras:
    """Per annotation, the extras JSON text: carried fields and unknown fields, raw bytes spliced in.

    When every annotation of the chunk has the same carried fields and unknown fields the structs hold (the
    usual case), each field's raw values become one Arrow column and Arrow's element-wise join writes the
    texts, without a per-row loop. The members are the carried fields in :data:`CARRIED_FIELDS`' order, then
    the unknown fields in the order the chunk's decode met them (see ``decode_annotations``); those the
    structs do not hold last, in each annotation's order.
    Carried values the COCO schema rejects are added to ``odd`` (see :func:`odd_carried`).
    """
    n = len(f.annotations)
    columns = [(name.encode(), f.column(name)) for name in CARRIED_FIELDS]
    lengths = {key: _lengths(values) for key, values in columns}
    present = [(key, values) for key, values in columns if lengths[key].any()]
    texts = {field: binary_column(values, lengths[field])[0] for field, values in present}
    for field, values in present:
        if odd is not None:
            found = odd_carried(field.decode(), texts[field], values, lengths[field])
            odd += [(i, field.decode(), text) for i, text in found]
    # each member's key as JSON text: the carried fields', then the unknown fields' the structs hold
    members = [(b'"coco:' + key + b'":', values, lengths[key], texts[key]) for key, values in present]
    for i, name in enumerate(f.unknown_fields):
        values = f.column(f"{UNKNOWN_PREFIX}{i}")
        size = _lengths(values)
        if size.any():  # (its text column is made only where it is joined, below)
            members.append((orjson.dumps(extra_key(name)) + b":", values, size, None))
    uniform = all(size.all() for _, _, size, _ in members)
    if members and uniform and f.extra_fields is None:
        parts: list[pa.Array | pa.Scalar] = []
        for j, (member_key, values, size, text) in enumerate(members):
            column = text if text is not None else binary_column(values, size)[0]
            parts += [pa.scalar((b"{" if j == 0 else b",") + member_key, pa.large_binary()), column]
        parts += [pa.scalar(b"}", pa.large_binary()), pa.scalar(b"", pa.large_binary())]
        base = pc.binary_join_element_wise(*parts)  # in C: no Python object per row
        uniform_extras = Extras(base.cast(pa.binary()))
        longest = np.maximum.reduce([size for _, _, size, _ in members])
        uniform_extras.long_rows = np.flatnonzero(longest >= _WIDE_DIGITS)
        return uniform_extras
    out: list[bytes | None] = [None] * n
    if members:
        keys = [key for key, _, _, _ in members]
        value_lists = [values for _, values, _, _ in members]
        for i, row in enumerate(zip(*value_lists, strict=True)):
            row_members = [k + v for k, v in zip(keys, row, strict=True) if len(v)]
            if row_members:
                out[i] = b"{" + b",".join(row_members) + b"}"
    if f.extra_fields is not None:
        for i, extra in enumerate(f.extra_fields):
            for key, raw in extra.items():
                out[i] = add_extra(out[i], extra_key(key), bytes(raw))
    return Extras(pa.array(out, pa.binary()))


_PLAIN = {"area": "^([0-9]|$)", "iscrowd": "^[01]?$", "num_keypoints": "^[0-9]*$"}
"""Per carried field, what its raw texts match when they are surely what the COCO schema allows (or absent): a
number that starts with a digit is not negative, ``0`` or ``1``, digits only. Texts that do not match (``-0``,
``1.0``, ``1e2`` may still be fine) are decoded one by one."""


def _unvouched(name: str, texts: pa.Array, lengths: np.ndarray) -> np.ndarray:
    """Per text of ``name``'s :func:`binary_column`, whether ``_PLAIN[name]`` does not match it.

    ``area``'s and ``iscrowd``'s patterns look at the first byte and the length only: those are read from the
    column's buffers (about 2 ms a field on 860,001 annotations, against 30 ms for the regex).
    """
    if name not in ("area", "iscrowd"):
        unvouched: np.ndarray = ~true_mask(pc.match_substring_regex(texts, _PLAIN[name]))
        return unvouched
    first = first_bytes(texts, lengths)
    if name == "area":  # ^([0-9]|$)
        unvouched = (lengths > 0) & ((first < ord("0")) | (first > ord("9")))
    else:  # ^[01]?$
        unvouched = (lengths > 1) | ((lengths == 1) & (first != ord("0")) & (first != ord("1")))
    return unvouched


def _allowed(name: str, value: object) -> bool:
    """Whether a carried field's decoded value is what the COCO schema allows (as jsonschema reads it)."""
    if type(value) is int:  # (of any size: no float conversion)
        return value in (0, 1) if name == "iscrowd" else value >= 0
    if type(value) is not float:  # (bool is not a number here)
        return False
    if name == "iscrowd":
        return value in (0.0, 1.0)
    if name == "num_keypoints":
        return value >= 0 and value.is_integer()
    return value >= 0


def odd_carried(name: str, texts: pa.Array, values: list[msgspec.Raw], lengths: np.ndarray) -> list[tuple[int, str]]:
    """The carried values of one field (``area``, ``iscrowd``, ``num_keypoints``) that the COCO schema rejects.

    They are carried as read (Label Studio's COCO export writes ``"iscrowd": "false"``), so ``validate``, which
    reports them, and a reader's note, which counts them, are where they show. A column at a time: only texts
    a pattern cannot vouch for are decoded.

    Returns:
        (index in the chunk, the value's text) per such value.
    """
    out = []
    for i in np.flatnonzero(_unvouched(name, texts, lengths)).tolist():
        raw = bytes(values[i])
        try:
            value = msgspec.json.decode(raw)
        except msgspec.ValidationError:  # (1e400: no float holds it; the schema reads it as infinity)
            value = float("-inf") if raw.startswith(b"-") else float("inf")
        if not _allowed(name, value):
            out.append((i, raw.decode(errors="replace")))
    return out


_WIDE_DIGITS = 19
"""Every integer beyond 64 bits has at least 19 digits (2**63 has 19): a text without such a run holds none."""
_DIGITS_19 = f"[0-9]{{{_WIDE_DIGITS}}}"


def _int_or_wide(digits: str) -> int:
    """An integer of JSON text; past 20 digits (beyond 64 bits whatever they are) 2**64, which is too."""
    return int(digits) if len(digits.lstrip("-")) <= 20 else 1 << 64


def refuse_wide_integers(extras: Extras, path: Path) -> None:
    """Refuse an integer beyond 64 bits in an annotation's extra fields, as in an image's (see ``build_items``).

    The fields are carried as written, so COCO -> COCO would keep it, but the model's JSON texts are read with
    64-bit integers (orjson): it would become a float in every other writer, without a word.

    Raises:
        InputError: at ``/annotations/<i>/<field>``.
    """
    if extras.long_rows is not None:  # only a value of 19 characters or more can be such an integer
        rows = set(extras.long_rows.tolist())
    else:
        rows = set(np.flatnonzero(true_mask(pc.match_substring_regex(extras.base, _DIGITS_19))).tolist())
    for i in sorted(rows | set(extras.overrides)):  # (the few rows changed since are decoded whatever they hold)
        text = extras[i]
        if text is None:
            continue
        for key, raw in msgspec.json.decode(text, type=dict[str, msgspec.Raw]).items():
            refuse_wide_integer(raw, path, json_pointer("annotations", i, field_of(key)))


_WIDE_RUN = re.compile(_DIGITS_19.encode())


def refuse_wide_integer(raw: bytes | msgspec.Raw, path: Path, pointer: str) -> None:
    """Refuse an integer beyond 64 bits in one carried JSON value (looked for only where 19 digits run).

    Raises:
        InputError: at ``pointer`` and the value's own path below it (``/annotations/0/x/y/0``).
    """
    if len(raw) < _WIDE_DIGITS or not _WIDE_RUN.search(raw):  # (CVAT's {} on every annotation: no search)
        return
    try:
        value = msgspec.json.decode(raw)
    except msgspec.ValidationError:  # (1.8e308: no float holds it, carried as written; an integer beside it)
        value = json.loads(bytes(raw), parse_int=_int_or_wide)
    json_text(value, path, pointer)


def refuse_deep_fields(extras: Extras, path: Path) -> None:
    """Refuse an annotation's extra field nested more than MAX_FIELD_DEPTH levels, as an image's or category's.

    COCO -> COCO would keep it, but labelkit JSON, which holds it as deep as an image's, could not be written
    (an error naming the output, not the field).

    Raises:
        InputError: at ``/annotations/<i>/<field>``.
    """
    texts = extras.base
    # a field nested past MAX_FIELD_DEPTH takes that many brackets, opened and closed: only longer texts can hold one
    long = np.flatnonzero(true_mask(pc.greater(pc.binary_length(texts), 2 * MAX_FIELD_DEPTH)))
    rows = set(extras.overrides)  # (the few rows changed since are decoded whatever they hold)
    if len(long):
        some = texts.take(pa.array(long))
        brackets = pc.add(pc.count_substring(some, "["), pc.count_substring(some, "{"))
        rows.update(long[true_mask(pc.greater(brackets, MAX_FIELD_DEPTH))].tolist())  # (only those can be)
    for i in sorted(rows):
        text = extras[i]
        if text is None:
            continue
        # each field measured as text: a carried field may hold 1e400, kept as written, which no parser here reads
        for key, raw in msgspec.json.decode(text, type=dict[str, msgspec.Raw]).items():
            refuse_deep_text(bytes(raw), path, json_pointer("annotations", i, field_of(key)))


_GIVEN_COUNT = r'"coco:num_keypoints":(?P<n>[0-9]{1,18})[,}]'
"""A carried ``num_keypoints`` of digits only (one the schema rejects is reported as such, see :func:`odd_carried`)."""


def miscounted_keypoints(objects: pa.Table | None) -> list[tuple[int, int, int]]:
    """The objects of a file whose ``num_keypoints`` is not the number of their labelled points (``v > 0``).

    COCO defines it so, and COCOeval's keypoints mode leaves out every ground truth person whose
    ``num_keypoints`` is 0, labelled points or not. Carried as read (as a ``null`` bbox is); ``validate`` lists
    each. A column at a time: only rows with keypoints and a ``num_keypoints`` of digits are looked at.

    Returns:
        (annotation row, ``num_keypoints``, labelled points) per such object, by row.
    """
    if objects is None or not objects.num_rows:
        return []
    posed = np.flatnonzero(valid_mask(objects["keypoints"]))
    if not len(posed):  # (an instances file's 860,000 extras texts are not searched)
        return []
    some = objects.select(["extras", "keypoints", "_row"]).take(pa.array(posed))
    some = some.filter(pa.array(contains_match(some["extras"], '"coco:num_keypoints":')))
    given = pc.struct_field(pc.extract_regex(some["extras"], _GIVEN_COUNT), "n")
    known = true_mask(pc.is_valid(given))
    numbers = np.asarray(pc.cast(given.fill_null("0"), pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    counted = G.labelled_keypoint_counts(some["keypoints"])
    wrong = known & (numbers != counted)
    at = np.asarray(some["_row"].to_numpy(zero_copy_only=False), np.int64)
    return sorted(zip(at[wrong].tolist(), numbers[wrong].tolist(), counted[wrong].tolist(), strict=True))
