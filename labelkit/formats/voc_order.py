"""The order a Pascal VOC reader reads the items and image labels written, which numbers their annotations.

VOC has no annotation ids: a reader numbers objects and labels 1, 2, ... as it reads them. The plan
(:mod:`labelkit.formats.voc_check`) counts those that read back with another id, in this order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labelkit.formats.voc_lists import READ_TASKS, not_in_main, task_read_back, task_read_order, task_splits
from labelkit.formats.voc_values import as_list, class_as_read
from labelkit.model import Dataset
from labelkit.model.tables import decode_json_cell, places, valid_mask


def read_order(dataset: Dataset, default_split: str, masks: str) -> np.ndarray[Any, Any]:
    """Each item's place in the order a reader lists the items written (``masks``: the write's option).

    Those of a Main list first, by split name, each split's as its ``ImageSets/Main/<split>.txt`` lists them (the
    dataset's order); then those of none (:func:`.voc_lists.not_in_main`), by the first task list naming them
    (Segmentation's, Action's, Layout's, each task's by split name), each list's in the dataset's order. A kind's
    trainval list is read after its others where it has a train or val list.
    """
    splits = dataset.item_splits(default_split)
    outside = _first_task_lists(dataset, splits, masks)
    later = bool({"train", "val"} & {s for n, s in enumerate(splits) if n not in outside})  # (Main's lists)
    key: list[tuple[int, int, bool, str]] = [(0, 0, later and s == "trainval", s) for s in splits]
    for n, first in outside.items():
        key[n] = (1, *first)
    return places(np.array(sorted(range(len(splits)), key=lambda n: (key[n], n)), dtype=np.int64))


def _first_task_lists(dataset: Dataset, splits: list[str], masks: str) -> dict[int, tuple[int, bool, str]]:
    """The items (positions) in no Main list, each with the first task list a reader reads naming it.

    As a sort key: the task's place in :data:`READ_TASKS` (then the other tasks, by name), whether it is a
    trainval list read last, its split.
    An item's task lists are its ``voc:imagesets``' tasks, else those the writer derives (:func:`_derived_tasks`);
    one no list of its own split names is in Main (as the writer puts it).
    """
    outside = not_in_main(dataset)
    if not outside:
        return {}
    texts = dataset.table("items")["metadata"].to_pylist()
    derived = _derived_tasks(dataset, masks)
    named: dict[int, list[tuple[str, list[str]]]] = {}
    metas = [decode_json_cell(text) if text and "voc:" in text else {} for text in texts]
    # (VOC's task folders, then the others by name, as a reader reads them)
    others = {t for meta in metas for t in as_list(meta.get("voc:imagesets")) if task_read_back(t)}
    order = sorted({*READ_TASKS, *others}, key=task_read_order)
    task_names: dict[str, set[str]] = {t: set() for t in order}  # (each task's lists, of every item)
    for n, meta in enumerate(metas):
        given = meta.get("voc:imagesets")
        lists = [
            (t, task_splits(meta, t, splits[n]))
            for t in order
            if t in (given if isinstance(given, list) else derived[n])
        ]
        for task, names in lists:
            task_names[task].update(names)
        if n in outside and any(splits[n] in names for _, names in lists):
            named[n] = lists
    first: dict[int, tuple[int, bool, str]] = {}
    for n, lists in named.items():
        task, names = lists[0]
        later = bool(task_names[task] & {"train", "val"})
        split = min(names, key=lambda s: (later and s == "trainval", s))
        first[n] = (order.index(task), later and split == "trainval", split)
    return first


def _derived_tasks(dataset: Dataset, masks: str) -> list[set[str]]:
    """Per item, the task lists the writer names it in without ``voc:imagesets``.

    Segmentation of an object's mask (not with ``masks=none``; a polygon's too with ``masks=all``, which paints
    it), Action of an object's actions, Layout of its parts.
    """
    objects = dataset.table("objects")
    derived: list[set[str]] = [set() for _ in range(dataset.table("items").num_rows)]
    painted = np.zeros(objects.num_rows, dtype=bool)
    if masks != "none":
        painted = valid_mask(objects["mask"])
        if masks == "all":
            painted |= valid_mask(objects["polygon"])
    extras = objects["extras"].to_pylist()
    for row, n in enumerate(dataset.item_positions("objects").tolist()):
        if n >= 0:
            found = decode_json_cell(extras[row]) if extras[row] and "voc:" in extras[row] else {}
            derived[n] |= {"Segmentation"} if painted[row] else set()
            derived[n] |= {t for t, k in (("Action", "voc:actions"), ("Layout", "voc:parts")) if found.get(k)}
    return derived


def class_list_order(dataset: Dataset, default_split: str) -> np.ndarray[Any, Any]:
    """Per label row, the place of its class list (``<class>_<split>.txt``) among the lists, by name."""
    labels = dataset.table("labels")
    names = {c.id: class_as_read(c.name) for c in dataset.categories}
    splits = dataset.item_splits(default_split)
    item = dataset.item_positions("labels")
    files = [
        f"{names.get(c, '')}_{splits[n] if n >= 0 else ''}.txt"
        for c, n in zip(labels["category_id"].to_pylist(), item.tolist(), strict=True)
    ]
    later = bool({"train", "val"} & set(splits))  # (trainval lists are read last beside train or val lists)
    place = {f: k for k, f in enumerate(sorted(set(files), key=lambda f: (later and f.endswith("_trainval.txt"), f)))}
    return np.array([place[f] for f in files], dtype=np.int64)
