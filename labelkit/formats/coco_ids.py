"""COCO annotation ids for writing: each object's number, the same in every file that lists it.

Ids are numbered (:func:`~labelkit.formats.coco_text.numbered_ids`) per split and per file the object was
read from (untagged: instances; ``coco:@task`` stuff, person_keypoints or results), so that ids two files of
one split share (allowed: COCO's ids are unique per file) stay as they were. Objects of a tagged kind that go
to a file with untagged ones (the instances file, when the split has no file of their kind; the keypoints
file) and whose id one of those has get numbers after the split's largest, so no file holds an id twice.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_text import STUFF_TAG, Renumbered, numbered_ids
from labelkit.model.tables import contains_match, valid_mask

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
    return ids, renumbered


def _off_zero(ids: np.ndarray, split_code: np.ndarray) -> Renumbered:
    """Number, in ``ids``, each split's ids of 0 after the split's largest; how many were.

    Where no number above the largest is free, the split's every id is numbered 1..N, as repeated ids are (counted
    as ``crowded``, each that changed).
    pycocotools' COCOeval keeps, for each detection, the id of the ground truth it matched, and takes 0 for
    none: a ground-truth object of id 0 is never matched, and its detection counts as a false positive.

    >>> ids = np.array([0, 3, 0, 0]); _off_zero(ids, np.array([0, 0, 1, 0])), ids.tolist()
    (Renumbered(repeated=0, too_large=0, crowded=0, zero=3, unnumbered=0), [4, 3, 1, 5])
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
