"""COCO ids for writing: each id's number (:func:`numbered_ids`), each object's the same in every file that lists it.

Ids are numbered (each id's own number, else the next after the largest) per split and per file the object was
read from (untagged: instances; ``coco:@task`` stuff, person_keypoints or results), so that ids two files of
one split share (allowed: COCO's ids are unique per file) stay as they were. Objects of a tagged kind that go
to a file with untagged ones (the instances file, when the split has no file of their kind; the keypoints
file) and whose id one of those has get numbers after the split's largest, so no file holds an id twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_text import STUFF_TAG
from labelkit.model.annotations import INT64_MAX, INT64_MIN
from labelkit.model.tables import contains_match, true_mask, valid_mask
from labelkit.report import Report

_ID = re.compile(r"(?:.*/)?(-?[0-9]+)\Z")
"""An id's own number: ASCII digits ending it (``\\d`` took ``١٢`` for 12, ``$`` a line break after it)."""


def own_numbers(ids: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each labelkit id's own number (``12``, ``val/12``), whether it has one, and whether it has one beyond 64 bits.

    A number is decimal digits with an optional ``-`` (Arrow's cast also takes ``0x10``, which is text).
    One beyond 64 bits (``9223372036854775808``) is no COCO id: the first array holds 0 for it.

    >>> [a.tolist() for a in own_numbers(["7", "val/-3", "a", "0x10", "9" * 20, None])]
    [[7, -3, 0, 0, 0, 0], [True, True, False, False, False, False], [False, False, False, False, True, False]]
    """
    arr = _texts(ids)
    n = len(arr)
    if not arr.null_count:
        try:
            numbers = pc.cast(arr, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            numbers = None
        if numbers is not None and not _may_hold_hex(arr):
            none = np.zeros(n, dtype=bool)
            return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.int64), ~none, none
    # ids of a split (val/12): Arrow takes the number after the last '/' (the pattern of _ID: RE2's '.' and '$' are
    # Python's '.' and '\\Z'), unless one is past 64 bits, which one_by_one tells apart (1.1 s of Python for
    # 860,000 ids of a split, 0.4 s so)
    try:  # (a column of string_view or dictionary ids has no such kernel: one by one too)
        tail = pc.struct_field(pc.extract_regex(arr, r"^(?:.*/)?(?P<n>-?[0-9]+)$"), "n")
        numbers = pc.cast(tail, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return one_by_one(arr.to_pylist())
    has = true_mask(pc.is_valid(numbers))
    return np.asarray(pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False), dtype=np.int64), has, np.zeros(n, bool)


def one_by_one(ids: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`own_numbers` id by id, in Python: what it does where an id's number may be past 64 bits.

    >>> [a.tolist() for a in one_by_one(["val/7", "9" * 20, "-0"])]
    [[7, 0, 0], [True, False, True], [False, True, False]]
    """
    out = np.zeros(len(ids), dtype=np.int64)
    has = np.zeros(len(ids), dtype=bool)
    beyond = np.zeros(len(ids), dtype=bool)
    for i, text in enumerate(ids):
        m = _ID.match(text or "")
        if not m:
            continue
        number = m.group(1)
        digits = number.lstrip("-").lstrip("0") or "0"  # (as Arrow's cast: 007 is 7)
        sign = -1 if number.startswith("-") else 1
        # (by length first, leading zeros left out: int() refuses more than 4,300 digits, zeros included)
        if len(digits) <= 19 and INT64_MIN <= (value := sign * int(digits)) <= INT64_MAX:
            out[i], has[i] = value, True
        else:
            beyond[i] = True
    return out, has, beyond


def _texts(ids: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    """``ids`` as an Arrow column (a sequence as text)."""
    return ids if isinstance(ids, (pa.Array, pa.ChunkedArray)) else pa.array(list(ids), pa.string())


def respelled(ids: pa.Array | pa.ChunkedArray | Sequence[str | None], numbers: np.ndarray, kept: np.ndarray) -> int:
    """How many ids written as their own number (``kept``: ``numbers``) spell it otherwise than COCO writes it.

    ``011``, ``-07``, ``-0`` and ``val/011`` are written 11, -7, 0 and 11, and read back so: ``011`` as ``11``,
    as an item's id does (:func:`ids_read_back_otherwise`). The part before a ``/`` is not looked at (read back as
    a split's, ``val/3`` as ``val/3`` where two splits share a 3). One comparison of the column with its numbers
    as text; the ids that differ (with a ``/``, say) are looked at again, their number alone.

    >>> ids, kept = ["011", "-07", "val/3", "val/03", "12", "x"], np.array([1, 1, 1, 1, 1, 0], bool)
    >>> respelled(ids, np.array([11, -7, 3, 3, 12, 0]), kept)  # (011, -07, val/03)
    3
    """
    if not kept.any():
        return 0
    written = pa.array(numbers).cast(pa.string())
    rows = np.flatnonzero(kept & true_mask(pc.not_equal(_texts(ids), written)))
    if not len(rows):
        return 0  # (the usual case: every id is its number, as COCO's are)
    indices = pa.array(rows, pa.int64())
    own = pc.replace_substring_regex(_texts(ids).take(indices), r"\A.*/", "")  # (its number alone, as _ID reads it)
    return int(true_mask(pc.not_equal(own, written.take(indices))).sum())


def kept_respelled(ids: pa.Array | pa.ChunkedArray | Sequence[str | None], written: np.ndarray) -> int:
    """How many ids written as their own number (``written``: the ids as numbered at last) spell it otherwise.

    Counted on the final numbers, after every renumbering (a repeat, an id of 0, one another file has), so that an
    id numbered anew (``00`` of an object, written after the largest) is counted once, as that (see
    :func:`respelled`).

    >>> kept_respelled(["00", "-0", "5", "011"], np.array([6, 7, 5, 11]))  # (011; 00 and -0 were numbered anew)
    1
    """
    numbers, has, _ = own_numbers(ids)
    return respelled(ids, numbers, has & (written == numbers))


def _may_hold_hex(ids: pa.Array | pa.ChunkedArray) -> bool:
    """Whether an id may be hexadecimal (``0x10``), which Arrow's cast to int64 takes.

    Told by an ``x`` or ``X`` among the text's bytes (the whole buffer's: a false alarm only sends the ids the
    exact, slower way).
    """
    for chunk in ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]
        if data is not None and bool(((np.frombuffer(data, np.uint8) | 32) == ord("x")).any()):  # (X | 32 is x)
            return True
    return False


@dataclass(frozen=True)
class Renumbered:
    """How many ids that had a number of their own (:func:`own_numbers`) were written with another, and why.

    Attributes:
        repeated: another id of their file (or split) had the number first.
        too_large: the number lies beyond 64 bits, which COCO's ids do not.
        crowded: no number above the largest was free (it is near 2^63), so every id was numbered 1..N.
        zero: an object's id of 0, from another format than COCO (see :func:`coco_ids.object_ids`).
        unnumbered: ids without a number of their own (``obj-1``), which read back as the number they got.
        respelled: ids written as their own number, spelled otherwise (``011``, ``-07``: see :func:`respelled`),
            which read back as it (``11``, ``-7``).
    """

    repeated: int = 0
    too_large: int = 0
    crowded: int = 0
    zero: int = 0
    unnumbered: int = 0
    respelled: int = 0

    def __add__(self, other: Renumbered) -> Renumbered:
        return Renumbered(
            self.repeated + other.repeated,
            self.too_large + other.too_large,
            self.crowded + other.crowded,
            self.zero + other.zero,
            self.unnumbered + other.unnumbered,
            self.respelled + other.respelled,
        )

    def report_to(self, report: Report, what: str, repeated: str, unnumbered: str | None = None) -> None:
        """Add each count to ``report`` as transformed ``what`` (``image ids``), ``repeated`` the first's reason.

        ``unnumbered``: the reason for ids without a number, reported only when given, as ids whose number is
        spelled otherwise are (an item's id is counted apart, as ``item ids``, with every other id that reads back
        otherwise).
        """
        if unnumbered is not None:
            report.transform(what, self.unnumbered, unnumbered)
            report.transform(
                what,
                self.respelled,
                "COCO's ids are integers: an id is written as its number, so one spelled otherwise (011, -07) reads "
                "back as it (11, -7)",
            )
        report.transform(what, self.repeated, repeated)
        report.transform(what, self.too_large, "COCO ids are 64-bit integers: numbered after the largest")
        report.transform(
            what,
            self.crowded,
            "the largest id leaves no number free above it (COCO ids are 64-bit integers): all numbered 1..N",
        )
        report.transform(
            what,
            self.zero,
            "pycocotools' COCOeval takes a ground-truth id of 0 for no match (a detection of it counts as false):"
            " numbered after the largest of its split",
        )


def numbered_ids(ids: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> tuple[np.ndarray, Renumbered]:
    """COCO integer ids for labelkit ids, and how many that had a number of their own got another (:class:`Renumbered`).

    Each id's own number (``12``, ``val/12``); an id without one, or repeating an earlier id's, gets the next
    number after the largest, in order (so ids without numbers are numbered 1..N).

    >>> numbered_ids(["7", "val/3", "a", "7", None])[0].tolist()
    [7, 3, 8, 9, 10]
    >>> numbered_ids(["7", "val/3", "a", "7", "9" * 20, "011"])[1]
    Renumbered(repeated=1, too_large=1, crowded=0, zero=0, unnumbered=1, respelled=0)
    """
    numbers, has, beyond = own_numbers(ids)
    n = len(numbers)
    too_large = int(beyond.sum())
    unnumbered = n - int(has.sum()) - too_large
    if not n:
        return numbers, Renumbered()
    keep = has.copy()
    rows = np.flatnonzero(has)
    if len(rows):
        _, first = np.unique(numbers[rows], return_index=True)
        keep[rows] = False
        keep[rows[first]] = True
    if keep.all():
        return numbers, Renumbered()
    top = int(numbers[keep].max()) if keep.any() else 0
    if top > INT64_MAX - n:  # no room above the largest: every id numbered 1..N
        out: np.ndarray = np.arange(1, n + 1, dtype=np.int64)
        crowded = int((has & (numbers != out)).sum())
        return out, Renumbered(too_large=too_large, crowded=crowded, unnumbered=unnumbered)
    fresh = ~keep
    out = numbers.copy()
    out[fresh] = top + 1 + np.arange(int(fresh.sum()), dtype=np.int64)
    return out, Renumbered(int((has & fresh).sum()), too_large, unnumbered=unnumbered)


ORIGIN_TAGS = ("", "stuff", "person_keypoints", "results")
"""The files an object may have been read from, by its ``coco:@task`` tag ("": none, the instances file)."""


def image_numbers(items: pa.Table) -> tuple[np.ndarray, Renumbered, list[str]]:
    """Each item's COCO image id, numbered per split (:func:`numbered_ids`).

    Also how many ids got another number than their own, and each item's split as written (``default`` for
    items of none).
    """
    split = [s or "default" for s in items["split"].to_pylist()]
    numbers = np.zeros(items.num_rows, dtype=np.int64)
    renumbered = Renumbered()
    for _, rows in sorted(split_rows(split).items()):
        numbers[rows], changed = numbered_ids(items["id"].take(pa.array(rows, pa.int64())))
        renumbered += changed
    return numbers, renumbered, split


def split_rows(split: list[str]) -> dict[str, list[int]]:
    """The rows of each split (``split``: each item's, as :func:`image_numbers` gives them), in row order.

    One pass over the items, so that a writer of many splits does not go through every item once per split.

    >>> split_rows(["train", "val", "train"])
    {'train': [0, 2], 'val': [1]}
    """
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(split):
        rows.setdefault(s, []).append(i)
    return rows


def ids_read_back_otherwise(items: pa.Table, numbers: np.ndarray, split: list[str]) -> int:
    """How many items a COCO reader gives another id than theirs, once written.

    A reader takes an image's id for its item's, with ``<split>/`` in front when two splits share an image id
    (``coco._prefixes``): an id without a number (``img1``), or whose split part is not the one written
    (``val/3`` where no ids are shared), reads back otherwise. Ids numbered again too. ``numbers`` and
    ``split``: the items' image ids and splits as written (:func:`image_numbers`).

    >>> items = pa.table({"id": ["7", "x", "val/3"], "split": ["train", None, "val"]})
    >>> numbers, _, split = image_numbers(items)
    >>> ids_read_back_otherwise(items, numbers, split)  # (x reads back as 1, val/3 as 3)
    2
    """
    if not items.num_rows:
        return 0
    text = pa.array(read_back_ids(numbers, split), pa.string())
    return int(pc.sum(pc.not_equal(text, items["id"].cast(pa.string())).cast(pa.int64())).as_py() or 0)


def read_back_ids(numbers: np.ndarray, split: list[str]) -> list[str]:
    """The id a COCO reader gives each item written: its image id, ``<split>/`` in front where splits share one.

    ``numbers`` and ``split``: the items' image ids and splits as written (:func:`image_numbers`).

    >>> read_back_ids(np.array([1, 2, 1]), ["train", "train", "val"]), read_back_ids(np.array([1, 2]), ["a", "b"])
    (['train/1', 'train/2', 'val/1'], ['1', '2'])
    """
    text = pa.array(numbers).cast(pa.string())
    if len(set(split)) > 1:  # a number in two splits: every id is read with its split in front
        codes = np.asarray(pc.dictionary_encode(pa.array(split, pa.string())).indices.to_numpy(), dtype=np.int64)
        order = np.lexsort((codes, numbers))
        by_number, by_split = numbers[order], codes[order]
        if ((by_number[1:] == by_number[:-1]) & (by_split[1:] != by_split[:-1])).any():
            text = pc.binary_join_element_wise(pa.array([f"{s}/" for s in split], pa.string()), text, "")
    return [str(t) for t in text.to_pylist()]


def object_ids(
    objects: pa.Table,
    item_ids: pa.Array | pa.ChunkedArray,
    item_split: list[str],
    tasks_by_split: dict[str, set[str]],
    zero_free: bool = False,
) -> tuple[np.ndarray, Renumbered]:
    """The objects' COCO ids, and how many ids that had a number of their own got another, and why.

    Args:
        objects: the objects table.
        item_ids: the items' ids, in the order of ``item_split``.
        item_split: each item's split (``default`` for none).
        tasks_by_split: the files written for each split, by task.
        zero_free: an id of 0 (``0``, ``val/0``) gets the next number after its split's largest, as
            pycocotools' COCOeval takes a ground-truth id of 0 for no match; for a dataset not read from COCO
            (COCO -> COCO keeps every id).
    """
    item = np.asarray(pc.index_in(objects["item_id"], value_set=item_ids).fill_null(-1).to_numpy(), dtype=np.int64)
    names = sorted(set(item_split))
    code_of = {name: k for k, name in enumerate(names)}
    split_code = np.array([*(code_of[s] for s in item_split), len(names)], dtype=np.int64)[item]
    tag = np.zeros(objects.num_rows, dtype=np.int64)  # index into ORIGIN_TAGS ("": untagged)
    tagged = np.flatnonzero(contains_match(objects["extras"], f'"{STUFF_TAG}":'))
    if len(tagged):
        texts = objects["extras"].take(pa.array(tagged))
        found = pc.extract_regex(texts, f'"{STUFF_TAG}":"(?P<task>[a-z_]+)"')
        tasks = pc.struct_field(found, "task").to_pylist()
        tag[tagged] = [ORIGIN_TAGS.index(t) if t in ORIGIN_TAGS else 0 for t in tasks]
        # (a detection whose score was taken away goes to the instances file: numbered with its objects)
        tag[(tag == ORIGIN_TAGS.index("results")) & ~valid_mask(objects["score"])] = 0
    posed = np.asarray(objects["keypoints"].is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    # (an instance with keypoints inline that the keypoints file did not list stays out of it, as the writer keeps it)
    posed &= ~contains_match(objects["extras"], f'"{STUFF_TAG}":"instances"')
    group = split_code * len(ORIGIN_TAGS) + tag
    ids = np.zeros(objects.num_rows, dtype=np.int64)
    renumbered = Renumbered()
    keys = np.unique(group).tolist()
    for key in keys:
        rows = np.flatnonzero(group == key) if len(keys) > 1 else slice(None)
        column = objects["id"] if len(keys) == 1 else objects["id"].take(pa.array(rows))
        ids[rows], changed = numbered_ids(column)
        renumbered += changed
    codes = np.unique(split_code[tag > 0]).tolist()  # splits with objects read from other files
    if codes:  # (each object's item and category)
        category = np.asarray(objects["category_id"].fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        on = np.stack([item, category], axis=1)
    for code in codes:
        name = names[code] if code < len(names) else ""
        clashes = _separate(ids, split_code == code, tag, posed, tasks_by_split.get(name, set()), on)
        renumbered += Renumbered(repeated=clashes)
    if zero_free and not ids.all():
        renumbered += _off_zero(ids, split_code)
    return ids, renumbered + Renumbered(respelled=kept_respelled(objects["id"], ids))


def _off_zero(ids: np.ndarray, split_code: np.ndarray) -> Renumbered:
    """Number, in ``ids``, each split's ids of 0 after the split's largest; how many were.

    Where no number above the largest is free, the split's every id is numbered 1..N, as repeated ids are (counted
    as ``crowded``, each that changed).
    pycocotools' COCOeval keeps, for each detection, the id of the ground truth it matched, and takes 0 for
    none: a ground-truth object of id 0 is never matched, and its detection counts as a false positive.

    >>> ids = np.array([0, 3, 0, 0]); _off_zero(ids, np.array([0, 0, 1, 0])), ids.tolist()
    (Renumbered(repeated=0, too_large=0, crowded=0, zero=3, unnumbered=0, respelled=0), [4, 3, 1, 5])
    """
    changed = Renumbered()
    for code in np.unique(split_code[ids == 0]).tolist():
        in_split = split_code == code
        rows = np.flatnonzero(in_split & (ids == 0))
        top = max(int(ids[in_split].max()), 0)
        if top > np.iinfo(np.int64).max - len(rows):  # no room above the largest: the split's ids numbered 1..N
            every = np.flatnonzero(in_split)
            fresh = np.arange(1, len(every) + 1, dtype=np.int64)
            changed += Renumbered(crowded=int((ids[every] != fresh).sum()))
            ids[every] = fresh
            continue
        ids[rows] = top + 1 + np.arange(len(rows), dtype=np.int64)
        changed += Renumbered(zero=len(rows))
    return changed


def _separate(
    ids: np.ndarray, in_split: np.ndarray, tag: np.ndarray, posed: np.ndarray, tasks: set[str], on: np.ndarray
) -> int:
    """Renumber, in ``ids``, a split's tagged objects whose id an untagged object of a file they go to has.

    An object of the keypoints file only (``on``: each object's item and category) is renumbered too where an
    object of the instances file only has its id, image and category: a reader takes them for one object.
    """
    untagged = in_split & (tag == 0)
    in_instances = set(ids[untagged].tolist())  # the ids of the instances file (untagged objects go there)
    top = int(ids[in_split].max()) if in_split.any() else 0
    changed = 0
    for code, name in enumerate(ORIGIN_TAGS):
        group = in_split & (tag == code)
        if not code or not group.any() or (name in tasks and name != "person_keypoints"):
            continue  # untagged, none, or in a file of their own
        if name == "person_keypoints" and name in tasks:  # beside the posed instances in the keypoints file
            shared = set(ids[untagged & posed].tolist())
        else:  # in the instances file
            shared = in_instances
        rows = np.flatnonzero(group)
        clash = np.fromiter((i in shared for i in ids[rows].tolist()), dtype=bool, count=len(rows))
        if name == "person_keypoints" and name in tasks:  # (and one the reader would join to an instance)
            lone = np.flatnonzero(untagged & ~posed)
            same = set(zip(ids[lone].tolist(), map(tuple, on[lone].tolist()), strict=True))
            clash |= np.fromiter(
                ((i, tuple(k)) in same for i, k in zip(ids[rows].tolist(), on[rows].tolist(), strict=True)),
                dtype=bool,
                count=len(rows),
            )
        if clash.any():
            ids[rows[clash]] = top + 1 + np.arange(int(clash.sum()), dtype=np.int64)
            top += int(clash.sum())
            changed += int(clash.sum())
        if name not in tasks:
            in_instances |= set(ids[rows].tolist())
    return changed
