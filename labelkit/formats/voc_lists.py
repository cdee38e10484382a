"""Pascal VOC's ImageSets lists: which items, labels and action flags each list file holds, and writing them.

Shared by the writer (:mod:`labelkit.formats.voc_write`) and the plan (:mod:`labelkit.formats.voc_check`), so
that what the plan reports of the lists is what the writer writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from labelkit.errors import OutputError
from labelkit.formats.base import splits_named_again
from labelkit.formats.voc_values import (
    class_as_read,
    is_flag,
)
from labelkit.io import create_file, is_plain_name
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, decode_json_cell, true_mask
from labelkit.portable import folded_name, windows_cannot_hold
from labelkit.portable_lengths import name_too_long

DOTA_FLAG = '"dota:difficult"'


def dota_as_voc(extras: dict[str, Any]) -> dict[str, Any]:
    """An object's extras, a DOTA difficult flag as VOC's ``<difficult>``.

    The flag (``dota:difficult``, read by YOLO from a DOTA labelTxt) becomes ``voc:difficult`` when it is an
    integer and the object has no VOC flag; check() reports the others lost.

    Examples:
        >>> dota_as_voc({"dota:difficult": 1, "voc:pose": "Left"})
        {'voc:pose': 'Left', 'voc:difficult': 1}
        >>> dota_as_voc({"dota:difficult": 1, "voc:difficult": 0})
        {'voc:difficult': 0}
    """
    flag = extras.pop("dota:difficult", None)
    if flag is not None and "voc:difficult" not in extras and is_flag(flag):
        extras["voc:difficult"] = flag
    return extras


def may_hold_voc(texts: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Which metadata texts may hold a ``voc:`` key: they say ``"voc:``, or have an escape that could spell it.

    Null texts hold nothing.
    """
    return true_mask(pc.or_(pc.match_substring(texts, '"voc:'), pc.match_substring(texts, "\\")))


def class_list_ok(name: str) -> bool:
    """Whether a class can name its ``ImageSets/Main/<class>_<split>.txt`` on every machine.

    Not ``..``, ``a/b`` or empty, nor holding a character Windows refuses in a file name (``a?``, ``b:c``), nor
    starting with ``._`` (a macOS resource fork's name, which readers pass over).
    """
    return is_plain_name(name) and not windows_cannot_hold(f"{name}_.txt") and not name.startswith("._")


def action_list_ok(action: str) -> bool:
    """Whether an action can name its ``ImageSets/Action/<action>_<split>.txt`` on every machine.

    An XML name (:func:`.voc_values.tag_ok`) that is not a name Windows takes for a device before its first
    dot (``con.x``, ``Nul.jump``), as a class's list.
    """
    return class_list_ok(action)


VOC_TASKS = ("Main", "Segmentation", "Action", "Layout")
"""The ImageSets tasks VOC's own lists are of."""

READ_TASKS = VOC_TASKS[1:]
"""The tasks beside Main whose lists a reader reads, in this order (an item only they name keeps its split)."""


def written_tasks(given: Iterable[object]) -> set[str]:
    """The ImageSets tasks ``given`` (items' ``voc:imagesets``) whose folder ``ImageSets/<task>/`` is written.

    VOC's own, and of the others: not one that is not a plain name (``..``, ``a/b``) or that Windows cannot
    hold (``con``, ``a:b``, ``t.``) or no file system (over 255 bytes), nor a hidden one (``.x``, which a reader
    passes over), nor one differing only in case or Unicode normalisation from VOC's own (``main``) or from one
    before it by name (``Foo``, ``foo``): one folder on macOS and Windows, whose lists the later would write over.

    Examples:
        >>> sorted(written_tasks(["Main", "main", "con", "a:b", "Foo", "foo", "../x", ".x", 3]))
        ['Action', 'Foo', 'Layout', 'Main', 'Segmentation']
    """
    kept = {folded_name(task): task for task in VOC_TASKS}
    for task in sorted({t for t in given if isinstance(t, str)}):
        if (
            is_plain_name(task)
            and not windows_cannot_hold(task)
            and not name_too_long(task)
            and not task.startswith(".")
        ):
            kept.setdefault(folded_name(task), task)
    return set(kept.values())


def task_read_back(task: object) -> bool:
    """Whether a reader reads an item's ``voc:imagesets`` task back from its lists.

    Not Main (the item's split); a folder :func:`written_tasks` writes (a reader reads every task folder but a
    hidden one).
    """
    return isinstance(task, str) and task != "Main" and task in written_tasks([task])


def task_read_order(task: str) -> tuple[int, str]:
    """The place of a task's lists in a reader's order, as a sort key: VOC's (:data:`READ_TASKS`), then by name.

    >>> sorted(["Foo", "Layout", "Bar", "Segmentation"], key=task_read_order)
    ['Segmentation', 'Layout', 'Bar', 'Foo']
    """
    return (READ_TASKS.index(task) if task in READ_TASKS else len(READ_TASKS), task)


def task_splits(meta: dict[str, Any], task: str, split: str) -> list[str]:
    """The splits of the ``ImageSets/<task>/`` lists naming an item: its ``voc:task_splits``' (as read), else its own.

    VOC's reader keeps the splits of an item's task lists where they are not the item's own (a train image in
    ``Segmentation/trainval.txt`` alone), under the item's split: while the item is of that split (not moved
    by ``labelkit split``), they are written back there. Names that are not plain names Windows can hold as a
    list (``con``, ``a/b``) are not taken: the item is listed in its own split's list.

    Examples:
        >>> task_splits({"voc:task_splits": {"train": {"Segmentation": ["trainval"]}}}, "Segmentation", "train")
        ['trainval']
        >>> task_splits({"voc:task_splits": {"train": {"Segmentation": ["trainval"]}}}, "Segmentation", "val")
        ['val']
        >>> task_splits({"voc:task_splits": {"train": {"Segmentation": ["con"]}}}, "Segmentation", "train")
        ['train']
    """
    given = meta.get("voc:task_splits")
    given = given.get(split) if isinstance(given, dict) else None
    named = given.get(task) if isinstance(given, dict) else None
    if not isinstance(named, list) or not named:
        return [split]
    ok = all(
        isinstance(s, str)
        and s.split() == [s]
        and is_plain_name(s)
        and not windows_cannot_hold(f"{s}.txt")
        and not name_too_long(f"{s}.txt")
        and not s.startswith("._")
        for s in named
    )
    return list(dict.fromkeys(named)) if ok else [split]


def listable(item_id: str) -> bool:
    """Whether an item id can be a line of an ImageSets list.

    It must be one word (lines are split at whitespace), not a comment (``#``), not start with a byte-order
    mark (read as the start of a file joined to another), and not name the folder itself (``.``, the id of
    ``Annotations/..xml``: a reader refuses such a line, as it names no image).
    """
    return (
        item_id.split() == [item_id]
        and not item_id.startswith(("#", "\ufeff"))
        and (item_id[:1] != "." or not _names_the_folder(item_id))  # (asked per item: the call only for a dot)
    )


def _names_the_folder(item_id: str) -> bool:
    r"""Whether an id is a path of the folder itself (``.``, ``./``, ``.\.``): its parts, at ``/`` or ``\``, all ``.``.

    (What ``PurePosixPath`` makes ``.`` of; only an id starting with a dot is split, as listable is asked per item.)

    >>> [_names_the_folder(i) for i in (".", "./.", ".\\", "./a", "/.", ".a", "a")]
    [True, True, True, False, False, False, False]
    """
    return item_id[:1] == "." and all(part in ("", ".") for part in item_id.replace("\\", "/").split("/"))


def _with_trainval(by_split: dict[str, list[str]], trainval: bool) -> dict[str, list[str]]:
    """The lists by split, plus (``trainval``, and train or val listed) ``trainval``: their ids sorted.

    VOC's releases list train + val again as trainval, sorted; a VOC reader passes over it (see ``voc_sets.Sets``).
    One of train and val is enough: a kind with only a val list (VOC2012's Segmentation of a set whose train
    images have no masks), or only a train list, gets its trainval list too, as read (it was left out, or, items
    of a split named trainval in it, written without val's). A reader reads a trainval list's lines only for the
    items no train or val list names (or whose own split has no list of the class or action): lines repeating
    train's or val's change nothing it reads.
    """
    if not trainval or not ("train" in by_split or "val" in by_split):
        return by_split
    # (items of a split named trainval are listed there too: a VOC reader places them there, as neither
    # train nor val lists them)
    finer = [*by_split.get("train", []), *by_split.get("val", []), *by_split.get("trainval", [])]
    return {**by_split, "trainval": sorted(set(finer))}


def yielding_lists(taken: Iterable[str], names: Iterable[str]) -> dict[str, str]:
    """Of list files ``names`` (of one folder), those macOS or Windows take for another: each with that one.

    Names differing only in case (``Cat_train.txt`` and ``cat_train.txt``) are one file on macOS and Windows,
    and only in Unicode normalisation on macOS (:func:`.portable.folded_name`). A name folding as one of
    ``taken`` does (the split lists, ``<split>.txt``) yields to it; of the others, the first by name keeps the
    file, on every machine, as of item files (:func:`.portable.unportable_paths`). Names spelled alike are one
    file everywhere: they are not here (the writer refuses them, naming both).

    Examples:
        >>> yielding_lists(["A_train"], ["cat_train.txt", "Cat_train.txt", "a_train.txt", "dog_train.txt"])
        {'a_train.txt': 'A_train.txt', 'cat_train.txt': 'Cat_train.txt'}
    """
    first = {folded_name(f"{t}.txt"): f"{t}.txt" for t in sorted(taken)}
    yielding: dict[str, str] = {}
    for name in sorted(set(names)):
        keep = first.setdefault(folded_name(name), name)
        if keep != name:
            yielding[name] = keep
    return yielding


def list_read_back(name: str, split: str, yielding: dict[str, str], union: bool) -> bool:
    """Whether a line of ``<name>_<split>.txt`` (a class's or action's list) is read back.

    Its list is written, or (``union``: the trainval list holds train's and val's lines again, and the line is
    of train, val or trainval) the trainval list is, which a reader reads for the items whose own split has no
    list of the class or action.
    """
    if f"{name}_{split}.txt" not in yielding:
        return True
    return union and split in ("train", "val", "trainval") and f"{name}_trainval.txt" not in yielding


@dataclass(frozen=True)
class ClassLists:
    """The ``ImageSets/Main/<class>_<split>.txt`` lists, for the writer and check() alike (see :func:`class_lists`)."""

    used: list[str]
    """The classes with lists: those with labels, then those no image shows (all -1, as VOC lists every class)."""
    labelled: set[str]
    """The classes with labels."""
    members_of: dict[str, list[str]]
    """The splits of the lists (``trainval`` too when made again) and their items that can be list lines."""
    yielding: dict[str, str]
    """The lists of classes with labels whose name another's takes on macOS or Windows (:func:`yielding_lists`):
    not written, on every machine."""
    union: bool
    """Whether the trainval lists are made again, as the union of train's and val's."""
    shown: frozenset[tuple[str, str]] = frozenset()
    """The (item, class) pairs of a class with labels where the item has an object of the class: an item without
    the label has no line in the class's lists (``-1`` would say it does not show the class)."""

    def listed(self, value: dict[tuple[str, str], int]) -> list[tuple[str, str, bool]]:
        """The labels a list would hold (item, class), and whether a written list holds it and a reader reads it back.

        ``value``: the labels (:func:`label_values`).

        Labels of classes that cannot name a file (:func:`class_list_ok`), of items that cannot be list lines,
        and those whose list's name is too long (:func:`too_long_lists`), are left out (check() reports them).
        """
        split_of = {m: split for split, members in self.members_of.items() if split != "trainval" for m in members}
        split_of.update((m, "trainval") for m in self.members_of.get("trainval", []) if m not in split_of)
        plain = set(filter(class_list_ok, self.used))
        return [
            (item, cls, list_read_back(cls, split_of[item], self.yielding, self.union))
            for item, cls in value
            if cls in plain and item in split_of and not name_too_long(f"{cls}_{split_of[item]}.txt")
        ]


def too_long_lists(dataset: Dataset, split: str) -> dict[tuple[str, str], str]:
    """The image labels whose ``ImageSets/Main/<class>_<split>.txt`` no file system takes, each with that list.

    Of a class that can name a list (:func:`class_list_ok`), on an item that can be a list line, whose list in
    its item's split (``split``: of an item of none) is over 255 bytes
    (:func:`labelkit.portable_lengths.name_too_long`):
    the writer does not write such a list (it stopped the write with ``File name too long``), so their labels
    are lost. Keyed by (item, class as read), as :func:`label_values`.

    Examples:
        >>> from labelkit.model import Category, Dataset, Item, Label
        >>> ds = Dataset(categories=[Category(id=1, name="k" * 250), Category(id=2, name="cat")])
        >>> ds.add_item(Item(id="a", split="train"))
        >>> ds.add(Label(id="l1", item_id="a", category_id=1)); ds.add(Label(id="l2", item_id="a", category_id=2))
        >>> [(item, len(cls), len(name)) for (item, cls), name in too_long_lists(ds, "train").items()]
        [('a', 250, 260)]
    """
    labels = dataset.table("labels")
    if not labels.num_rows:
        return {}
    name_of = {c.id: name for c in dataset.categories if class_list_ok(name := class_as_read(c.name))}
    items = dataset.table("items")
    split_of = dict(zip([str(i) for i in items["id"].to_pylist()], dataset.item_splits(split), strict=True))
    longest = max(map(len, name_of.values()), default=0) + max(map(len, split_of.values()), default=0)
    if (longest + 5) * 4 <= 255:  # (no list name can be over 255 bytes: 4 bytes per character at most)
        return {}
    out: dict[tuple[str, str], str] = {}
    for item, cid in zip(labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), strict=True):
        cls = name_of.get(cid)
        if cls is not None and listable(item) and name_too_long(name := f"{cls}_{split_of.get(item)}.txt"):
            out.setdefault((item, cls), name)
    return out


def label_values(dataset: Dataset) -> dict[tuple[str, str], int]:
    """The image labels as class list lines: (item, class) -> 1, or 0 for a difficult label (``voc:difficult``)."""
    labels = dataset.table("labels")
    name_of = {c.id: class_as_read(c.name) for c in dataset.categories}
    value: dict[tuple[str, str], int] = {}
    for item_id, cid, extra in zip(
        labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), labels["extras"].to_pylist(), strict=True
    ):
        if cid in name_of:
            difficult = (
                decode_json_cell(extra).get("voc:difficult")
                if extra and ("voc:difficult" in extra or "\\" in extra)
                else None
            )
            value[(item_id, name_of[cid])] = 0 if difficult else 1
    return value


def not_in_main(dataset: Dataset) -> frozenset[int]:
    """The items (positions) written in no Main list: of ``voc:main: false``, an image only task lists name.

    Not one with image labels (Main's class lists hold them: the item is in Main again), nor one whose
    ``voc:imagesets`` names none of the task lists a reader reads (:func:`task_read_back`: no list would give its
    split back). The writer also puts in Main one that none names once written (its lists derived, none given).
    """
    items = dataset.table("items")
    metadata = items["metadata"]
    rows = np.flatnonzero(contains_match(metadata, '"voc:main"'))
    if not len(rows):
        return frozenset()
    texts = metadata.take(pa.array(rows, pa.int64())).to_pylist()
    labelled = set(pc.unique(dataset.table("labels")["item_id"]).to_pylist())
    ids = items["id"].take(pa.array(rows, pa.int64())).to_pylist()
    outside = set()
    for n, text, item_id in zip(rows.tolist(), texts, ids, strict=True):
        meta = decode_json_cell(text)
        tasks = meta.get("voc:imagesets")
        named = not isinstance(tasks, list) or any(map(task_read_back, tasks))
        if meta.get("voc:main") is False and named and item_id not in labelled:
            outside.add(n)
    return frozenset(outside)


def class_lists(
    dataset: Dataset, ids: list[str], splits: list[str], trainval: bool, outside: AbstractSet[int] | None = None
) -> ClassLists:
    """The class lists :func:`write` writes (``ids`` and ``splits``: each item's), and those that yield their file.

    ``trainval``: the input had trainval lists, made again (the union of train and val) when either is written.
    ``outside``: the items (positions) in no Main list (by default :func:`not_in_main`'s; the writer's own).
    """
    name_of = {c.id: class_as_read(c.name) for c in dataset.categories}
    labelled = {name_of[c] for c in pc.unique(dataset.table("labels")["category_id"]).to_pylist() if c in name_of}
    # the classes with labels, then (as VOC's releases list every class) those no image shows: no label and no
    # object, all -1 (a class list read names its class: reading it back keeps the category); a class with
    # objects and no label has no list (-1 would say its images do not show it). The first win a file name.
    shown = {name_of.get(c) for c in pc.unique(dataset.table("objects")["category_id"]).to_pylist()}
    names = list(dict.fromkeys(name_of.values()))
    used = [n for n in names if n in labelled] + [n for n in names if n not in labelled and n not in shown]
    members_of: dict[str, list[str]] = defaultdict(list)
    outside = not_in_main(dataset) if outside is None else outside
    for n, (item_id, split) in enumerate(zip(ids, splits, strict=True)):
        if listable(item_id) and n not in outside:
            members_of[split].append(item_id)
    union = trainval and ("train" in members_of or "val" in members_of)
    members_of = _with_trainval(dict(members_of), trainval)
    files = [
        name
        for cls in used
        if cls in labelled and class_list_ok(cls)
        for split in members_of
        if not name_too_long(name := f"{cls}_{split}.txt")
    ]
    return ClassLists(used, labelled, members_of, yielding_lists(set(splits), files), union, _shown(dataset, labelled))


def _shown(dataset: Dataset, classes: set[str]) -> frozenset[tuple[str, str]]:
    """The (item, class) pairs of an object of one of ``classes`` (by the names lists are written under)."""
    name_of = {c.id: name for c in dataset.categories if (name := class_as_read(c.name)) in classes}
    if not name_of:
        return frozenset()
    objects = dataset.table("objects")
    of_theirs = pc.is_in(objects["category_id"], pa.array(list(name_of), objects.schema.field("category_id").type))
    objects = objects.select(["item_id", "category_id"]).filter(of_theirs)
    items, categories = objects["item_id"].to_pylist(), objects["category_id"].to_pylist()
    return frozenset((item, name_of[c]) for item, c in zip(items, categories, strict=True))


def write_lists(
    path: Path,
    dataset: Dataset,
    ids: list[str],
    splits: list[str],
    lists: dict[str, dict[str, list[str]]],
    file_ids: dict[str, str],
    action_objects: dict[str, list[int]] | None = None,
    outside: AbstractSet[int] | None = None,
) -> int:
    """Write the ImageSets lists; returns how many image-level labels they hold (one per item and class).

    An item is listed by the name of its files (``file_ids``: the ids named otherwise). With
    ``action_objects`` (item -> the 1-based indices of its XML objects with actions), the Action lists are
    VOC2012's: an ``image object-index`` line per such object (an image without one keeps a line of its own).
    ``outside``: the items (positions) in no Main list (see :func:`class_lists`).
    """
    line = file_ids.get
    trainval = dataset.info.extras.get("voc:trainval") is True  # read beside train and val lists: made again
    folders = written_tasks(lists)
    for task, by_split in lists.items():
        if task not in folders:  # an ImageSets task from item metadata (check() reports it)
            continue
        folder = path / "ImageSets" / task
        folder.mkdir(parents=True, exist_ok=True)
        for split, members in sorted(_with_trainval(by_split, trainval).items()):
            if task == "Action" and action_objects is not None:  # VOC2012's: a line per object with actions
                text = "".join(
                    f"{line(m, m)} {k}\n" if k else f"{line(m, m)}\n"
                    for m in members
                    if listable(m)
                    for k in action_objects.get(m) or [0]
                )
            else:
                text = "".join(f"{line(m, m)}\n" for m in members if listable(m))
            create_file(str(folder / f"{split}.txt"), text.encode())
    main = path / "ImageSets" / "Main"
    # one folder holds both <split>.txt and <class>_<split>.txt: class a of split b_c and class a_b of split c
    # (or class a of split train and split a_train) would write one file (refused); classes Cat and cat would
    # on macOS and Windows, whose file systems do not tell case (nor Unicode normalisation) apart: the second
    # by name yields (plan.yielding, reported lost by check()), on every machine
    plan = class_lists(dataset, ids, splits, trainval, outside) if dataset.table("labels").num_rows else None
    if plan is not None and (clash := list_clash(plan, lists.get("Main", {}))):
        raise clash.error(main)
    if clash := split_list_misread(lists.get("Main", {}), written_classes(dataset)):  # (check() refuses them too)
        raise clash.error(main)
    if plan is None:
        return 0
    value = label_values(dataset)
    written = {folded_name(f"{split}.txt") for split in lists.get("Main", {})}
    for cls in filter(class_list_ok, plan.used):  # a class file is named after the class (check() reports others)
        for split, members in sorted(plan.members_of.items()):
            name = f"{cls}_{split}.txt"
            key = folded_name(name)
            if name in plan.yielding or key in written:
                continue  # (all -1 lines: the other list keeps the file, labelmap.txt the class)
            if name_too_long(name):  # (no file system takes it: check() reports its labels lost; labelmap.txt keeps
                continue  # the class)
            written.add(key)
            text = "".join(
                f"{line(m, m)} {value.get((m, cls), -1):2d}\n"
                for m in members
                if (m, cls) in value or (m, cls) not in plan.shown
            )
            create_file(str(main / name), text.encode())
    return sum(1 for *_, read in plan.listed(value) if read)


def list_split(stem: str, splits: Container[str]) -> str | None:
    """The longest of ``splits`` a ``<class>_<split>`` list name ends with, after a ``_`` and a class (None: none).

    Each ``_`` after the first character is tried, from the left (the longest split first), so that a folder of
    thousands of lists and splits is not each list's name against each split's (which was quadratic).

    Examples:
        >>> list_split("cat_val_2017", {"val", "val_2017"}), list_split("_val", {"val"}), list_split("a_b", {"c"})
        ('val_2017', None, None)
    """
    at = stem.find("_", 1)
    while at >= 0:
        if stem[at + 1 :] in splits:
            return stem[at + 1 :]
        at = stem.find("_", at + 1)
    return None


def list_class(stem: str, splits: Container[str]) -> str | None:
    """The class a ``<class>_<split>.txt`` list names, of the longest of ``splits`` its name ends with (None: none)."""
    split = list_split(stem, splits)
    return stem[: -len(split) - 1] if split is not None else None


@dataclass(frozen=True)
class ListClash:
    """Two lists of ``ImageSets/Main`` that would be one file: the file's name, and what each would be."""

    name: str
    first: str
    second: str
    misread: bool = False
    """The file is ``first`` alone, which a VOC reader takes for ``second`` (by its name)."""

    def error(self, main: Path) -> OutputError:
        """The error naming them, refused before anything is written (check() raises it too, so a plan does)."""
        what = f"{self.first}, which a VOC reader takes for {self.second}" if self.misread else None
        return OutputError(
            f"would be {what}" if what else f"would be both {self.first} and {self.second}",
            path=main / self.name,
            hint="rename the class or the split",
        )


def list_clash(plan: ClassLists, splits: Iterable[str]) -> ListClash | None:
    """The first class list whose file would be another list's, or None.

    Class ``a`` of split ``b_c`` and class ``a_b`` of split ``c``; class ``a`` of split ``train`` and split
    ``a_train``. ``splits``: those with a Main list. Lists differing only in case or Unicode normalisation are not
    such a clash: the later yields its file (``plan.yielding``, reported lost by check()), and a class list of all
    -1 lines whose file another list takes is not written (its class is in ``labelmap.txt``).
    """
    splits = list(splits)
    written = {folded_name(f"{split}.txt"): f"the list of split {split!r}" for split in splits}
    names = {*splits, *plan.members_of}  # (the split lists a reader finds: trainval's too)
    for cls in filter(class_list_ok, plan.used):
        for split in sorted(plan.members_of):
            name = f"{cls}_{split}.txt"
            key = folded_name(name)
            if name in plan.yielding or (key in written and cls not in plan.labelled) or name_too_long(name):
                continue
            if key in written:
                return ListClash(name, written[key], f"the list of class {cls!r} in split {split!r}")
            written[key] = f"the list of class {cls!r} in split {split!r}"
            if cls in plan.labelled and (read := list_split(name[:-4], names)) not in (split, None):
                # (class dog_val of split train, beside a split val_train: class dog's list of split val_train)
                other = f"the list of class {list_class(name[:-4], names)!r} in split {read!r}"
                return ListClash(name, f"the list of class {cls!r} in split {split!r}", other, misread=True)
    return None


def written_classes(dataset: Dataset) -> set[str]:
    """The classes a VOC reader of what is written knows by name: VOC's and the labelmap's (the dataset's)."""
    from labelkit.formats.voc import VOC_CLASSES  # (voc imports this module)

    return {*VOC_CLASSES, *(class_as_read(c.name) for c in dataset.categories)}


def split_list_misread(splits: Iterable[str], classes: AbstractSet[str]) -> ListClash | None:
    """The first split list a VOC reader takes for a class's list by its name, or None.

    ``dog_train.txt``, the list of split ``dog_train`` beside split ``train``, names class ``dog`` (of
    ``classes``: the labelmap's and VOC's) in split ``train``: a reader takes its one-word lines for a class list
    lacking its values, and refuses the folder.
    """
    names = set(splits)
    for split in sorted(names):
        cls = list_class(split, names)
        if cls is not None and cls in classes:
            read = split[len(cls) + 1 :]
            other = f"the list of class {cls!r} in split {read!r} (lacking its values)"
            return ListClash(f"{split}.txt", f"the list of split {split!r}", other, misread=True)
    return None


def empty_task_lists_again(lists: dict[str, dict[str, list[str]]], read: object) -> None:
    """Give each task's lists (``lists``: task -> split -> items) the splits its lists were read naming no image.

    ``ImageSets/Segmentation/val.txt``, empty, was not written back, as Main's was (see :func:`empty_lists_again`).
    ``read``: the ``voc:@empty_task_lists`` info extra (task -> splits).
    """
    if not isinstance(read, dict):
        return
    for task, splits in read.items():
        if task_read_back(task) and isinstance(splits, list):
            empty_lists_again(lists.setdefault(task, {}), splits)


def empty_lists_again(main: dict[str, list[str]], read: object) -> None:
    """Give ``main`` (split -> the items its Main list names) the splits whose lists were read naming no image.

    ``ImageSets/Main/test.txt``, empty, says the dataset has a test split of no image yet: it was not written
    back (a same-format round trip lost a file). One whose name another split's list takes (in any case), or
    that names no plain file on every machine (info extras edited), is not written.
    """
    for split in splits_named_again(read, main, lambda s: is_plain_name(s) and not windows_cannot_hold(f"{s}.txt")):
        main[split] = []
