"""What the splitter needs from a dataset: item keys, groups, stratification labels and existing splits.

Everything is turned into arrays indexed by item position; the algorithm only ever uses sums over groups and
keyed hashes of keys, so the order of the items does not matter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, UsageError
from labelkit.formats.native_values import json_object_finding
from labelkit.formats.yolo_layout import IMAGE_DIRS
from labelkit.model import Dataset
from labelkit.model.tables import ANNOTATION_TABLES
from labelkit.portable import SPLIT_FOLDERS
from labelkit.split.assign import unique_counts

IntArray = npt.NDArray[np.int64]


@dataclass
class SplitInput:
    """A dataset reduced to what the splitter uses.

    Attributes:
        keys: each item's key: its media path, or its id when it has no path (``path#id`` when paths repeat).
        group_keys: the sorted distinct group keys (``g:<value>`` or ``i:<item key>``).
        item_group: each item's index into ``group_keys``.
        label_names: the stratification labels, in vocabulary order.
        pair_item: item index of each distinct (item, label) pair.
        pair_label: label index of each distinct (item, label) pair.
        warnings: things the user should know about the inputs.
    """

    keys: list[str]
    group_keys: list[str]
    item_group: IntArray
    label_names: list[str]
    pair_item: IntArray
    pair_label: IntArray
    warnings: list[str] = field(default_factory=list)

    @property
    def n_items(self) -> int:
        """The number of items."""
        return len(self.keys)


def keys_of(ids: list[str], paths: list[str | None]) -> tuple[list[str], int]:
    """The keys :func:`item_keys` gives items of these ids and paths, and how many share a path; none refused.

    Also the keys an output of a split gives its items when it is read back (their ids and paths as its reader
    gives them: :func:`labelkit.cli_files.record_written_paths`).

    >>> keys_of(["a.jpg", "b", "c", "d"], [None, "a.jpg", "v.mp4", "v.mp4"])
    (['#a.jpg', 'a.jpg', 'v.mp4#c', 'v.mp4#d'], 2)
    """
    counts = Counter(p for p in paths if p)
    keys = []
    shared = 0
    for iid, path in zip(ids, paths, strict=True):
        if not path:
            keys.append(iid)
        elif counts[path] > 1:
            keys.append(f"{path}#{iid}")
            shared += 1
        else:
            keys.append(path)
    if len(set(keys)) < len(keys):
        own = {key for key, path in zip(keys, paths, strict=True) if path and key == path}
        for n, (iid, path) in enumerate(zip(ids, paths, strict=True)):
            if keys[n] in own and keys[n] != path:  # (an id, or path#id, that is another item's path)
                keys[n] = f"#{iid}" if not path else f"{path}##{iid}"
    return keys, shared


def item_keys(items: pa.Table) -> tuple[list[str], list[str]]:
    """Each item's lockfile key: its media path relative to the dataset root, else its id.

    When several items share a path (frames of one video file, say), each of them is keyed ``path#id``. Where
    such a key is another item's path, the item of no path is keyed ``#id`` and the one of a shared path
    ``path##id`` (an item of no path and id ``a.jpg`` beside an image ``a.jpg``; ``v.mp4#x`` beside a file of that
    name): ids and paths are apart, so the keys of every other dataset, and its lockfiles, are as they were.

    Returns:
        The keys and warnings.

    Raises:
        UsageError: two items still have one key (the error names it and both items).

    Examples:
        >>> item_keys(pa.table({"id": ["a.jpg", "b"], "path": [None, "a.jpg"]}))[0]
        ['#a.jpg', 'a.jpg']
        >>> item_keys(pa.table({"id": ["x", "y", "z"], "path": ["v.mp4", "v.mp4", "v.mp4#x"]}))[0]
        ['v.mp4##x', 'v.mp4#y', 'v.mp4#x']
    """
    ids = [str(x) for x in items["id"].to_pylist()]
    paths = items["path"].to_pylist()
    keys, shared = keys_of(ids, paths)
    warnings = []
    if shared:
        warnings.append(f"{shared:,} items share a media path with another item; they are keyed 'path#id'")
    if len(set(keys)) == len(keys):
        return keys, warnings
    seen: dict[str, int] = {}
    for n, key in enumerate(keys):
        if key in seen:
            repeated = len(keys) - len(set(keys))
            raise UsageError(
                f"items {ids[seen[key]]!r} and {ids[n]!r} have one key {key!r}",
                expected="distinct media paths or item ids",
                found=f"{repeated:,} repeated key{'s' if repeated != 1 else ''}",
                hint="give every item a distinct id",
            )
        seen[key] = n
    return keys, warnings


_SPLIT_FOLDER = re.compile(r"^(?:(?:images|Images|JPEGImages)/([^/]+)/|([^/]+)/images/|obj_(.+?)_data/|([^/]+)/)(?=.)")
"""Where a layout puts the folder of an image's split at the front of its path: ``images/train/`` (YOLO),
``train/images/`` (Roboflow's YOLO), ``obj_train_data/`` (Darknet), ``train/`` (Roboflow's VOC and COCO)."""


def split_free(key: str, splits: frozenset[str]) -> str | None:
    """A lockfile key without the folder of a split in front (one of ``splits``), or None when it has none.

    Examples:
        >>> s = frozenset({"train", "val", "valid", "test"})
        >>> split_free("images/train/a.jpg", s), split_free("valid/images/a.jpg", s), split_free("a.jpg", s)
        ('images/*/a.jpg', '*/images/a.jpg', None)
        >>> split_free("obj_test_data/a.jpg", s), split_free("cats/a.jpg", s), split_free("images/x/a.jpg", s)
        ('obj_*_data/a.jpg', None, None)
    """
    moved = _resplit(key, "*", splits)
    return moved[0] if moved is not None else None


def locked_splits(
    items: pa.Table,
    keys: list[str],
    assignments: Mapping[str, str],
    names: frozenset[str] = frozenset(),
    written: Mapping[str, str] | None = None,
) -> tuple[list[str | None], int]:
    """Each item's split in a lockfile's assignments, or None; and how many were found by their split-free path.

    An item keyed ``path`` when it had its path alone is ``path#id`` once another item of that path arrives, and
    the other way round when the other leaves: an item whose key is not in the lockfile is looked up in ``written``
    (the keys a split's output gave its items, :attr:`Lockfile.written`), then by its other form (so a grown
    dataset does not move it: a second clip of one video file placed the first one anew). An item
    still not found is looked up by its path without the folder of its split (:func:`split_free`; the split
    folders are :data:`SPLIT_FOLDERS` and ``names``): written by ``labelkit split`` to another split's folder,
    ``images/test/a.jpg`` is the lockfile's ``images/train/a.jpg``, where that path is the only one of the
    lockfile's and of the items' to give ``images/*/a.jpg`` (or the lockfile's give it one split).

    Examples:
        >>> t = pa.table({"id": ["a", "b", "c"], "path": ["v.mp4", "v.mp4", "w.mp4"]})
        >>> locked_splits(t, ["v.mp4#a", "v.mp4#b", "w.mp4"], {"v.mp4": "val", "w.mp4#c": "test"})
        (['val', 'val', 'test'], 0)
        >>> t = pa.table({"id": ["a", "b"], "path": ["images/test/a.jpg", "images/val/b.jpg"]})
        >>> locked_splits(t, t["path"].to_pylist(), {"images/train/a.jpg": "test", "images/train/b.jpg": "val"})
        (['test', 'val'], 2)
    """
    out = [assignments.get(key) for key in keys]
    if None not in out:
        return out, 0
    if written:  # (a split's output, split again: its items by the keys it gave them, before the other form: a
        # COCO image of an id that was another image's path is a second image of that path)
        out = [found if found is not None else written.get(key) for found, key in zip(out, keys, strict=True)]
        if None not in out:
            return out, 0
    ids, paths = items["id"].to_pylist(), items["path"].to_pylist()
    for i, found in enumerate(out):
        if found is None and paths[i]:
            other = paths[i] if keys[i] != paths[i] else f"{paths[i]}#{ids[i]!s}"
            out[i] = assignments.get(other)
    if None not in out:
        return out, 0
    splits = SPLIT_FOLDERS | names | frozenset(assignments.values())
    locked: dict[str, set[str]] = {}
    for key, split in assignments.items():
        free = split_free(key, splits)
        if free is not None:
            locked.setdefault(free, set()).add(split)
    frees = [split_free(key, splits) for key in keys]
    count = Counter(frees)
    by_folder = 0
    for i, free in enumerate(frees):
        if out[i] is None and free is not None and count[free] == 1 and len(locked.get(free, ())) == 1:
            out[i] = next(iter(locked[free]))
            by_folder += 1
    if None not in out:
        return out, by_folder
    # a split's output in a layout that puts the split's folder in front of the paths read (COCO's v0/a.jpg written
    # to YOLO as images/train/v0/a.jpg), or its images' folder (VOC's JPEGImages/v0/a.jpg), split again with the
    # lockfile keyed by those paths: each was placed anew
    by_base: dict[str, list[str]] = {}
    if any(key.startswith(_IMAGES_FOLDER) for key in keys):
        for key in assignments:
            by_base.setdefault(key.rpartition("/")[2], []).append(key)
    bare = [_without_split(key, splits) or _without_images_folder(key, by_base) for key in keys]
    taken = Counter(c for candidates in bare for c in candidates)
    for i, candidates in enumerate(bare):
        if out[i] is None:
            found = next((c for c in candidates if taken[c] == 1 and c in assignments), None)
            if found is not None:
                out[i] = assignments[found]
                by_folder += 1
    if None not in out:
        return out, by_folder
    # YOLO's writer drops an image folder (IMAGE_DIRS: VOC's JPEGImages/a.jpg is images/train/a.jpg) or a split's
    # folder in front (COCO's train/c.jpg, sent to test, is images/test/c.jpg): the lockfile's keys of that path with
    # one of them
    rests = [_rest_after_split(key, splits) for key in keys]
    once = Counter(rests)
    for i, rest in enumerate(rests):
        if out[i] is None and rest is not None and once[rest] == 1:
            fronts = (*IMAGE_DIRS, *sorted(splits))
            found_in = {assignments[c] for c in (f"{d}/{rest}" for d in fronts) if c in assignments}
            if len(found_in) == 1:
                out[i] = found_in.pop()
                by_folder += 1
    return out, by_folder


def _rest_after_split(key: str, splits: frozenset[str]) -> str | None:
    """``key`` without the folder of its split in front (``images/test/c.jpg``: ``c.jpg``), or None."""
    found = _split_folder(key, splits)
    return None if found is None else key[found[0].end() :]


_IMAGES_FOLDER = "JPEGImages/"
"""The folder VOC puts in front of every image path it writes (``1.jpg`` as ``JPEGImages/1.jpg``)."""


def _without_images_folder(key: str, by_base: Mapping[str, list[str]]) -> list[str]:
    """The paths ``key`` was before VOC put it in its images' folder (none when it is not there).

    VOC writes an image's base name below ``JPEGImages/`` (``v0/a.jpg`` as ``JPEGImages/a.jpg``): the path
    without the folder, and the one key of ``by_base`` (the lockfile's keys by base name) of that name.

    >>> _without_images_folder("JPEGImages/a.jpg", {"a.jpg": ["v0/a.jpg"]}), _without_images_folder("a.jpg", {})
    (['a.jpg', 'v0/a.jpg'], [])
    """
    if not key.startswith(_IMAGES_FOLDER) or len(key) == len(_IMAGES_FOLDER):
        return []
    rest = key[len(_IMAGES_FOLDER) :]
    named = by_base.get(rest, [])
    return [rest, *named] if len(named) == 1 and named[0] != rest else [rest]


def _without_split(key: str, splits: frozenset[str]) -> list[str]:
    """The paths ``key`` was before a layout put the folder of its split (one of ``splits``) in front.

    >>> _without_split("images/train/v0/a.jpg", frozenset({"train"})), _without_split("a.jpg", frozenset({"train"}))
    (['v0/a.jpg', 'images/v0/a.jpg'], [])
    """
    found = _split_folder(key, splits)
    if found is None:
        return []
    m, group = found
    rest = key[m.end() :]
    return [rest, key[: m.start(1)] + rest] if group == 1 else [rest]  # (YOLO writes images/a.jpg in images/<split>/)


def _split_folder(text: str, splits: frozenset[str]) -> tuple[re.Match[str], int] | None:
    """Where ``text`` has the folder of a split (one of ``splits``) in front: the match and the group holding it."""
    m = _SPLIT_FOLDER.match(text)
    if m is None:
        return None
    group = next(g for g in range(1, 5) if m.group(g) is not None)
    return (m, group) if m.group(group) in splits else None


def _resplit(text: str, to: str, splits: frozenset[str]) -> tuple[str, str] | None:
    """``text`` with the folder of its split (one of ``splits``) made ``to``, and that split; None when it has none.

    >>> _resplit("images/train/a.jpg", "val", frozenset({"train", "val"})), _resplit("val/1", "x", frozenset())
    (('images/val/a.jpg', 'train'), None)
    """
    found = _split_folder(text, splits)
    if found is None:
        return None
    m, group = found
    return text[: m.start(group)] + to + text[m.end(group) :], m.group(group)


def crossed_keys(items: pa.Table, keys: list[str], to: list[str], splits: frozenset[str]) -> str | None:
    """A warning when items go to a split where they read back with the key of another item, sent elsewhere.

    An item's key names its split where the format puts it in the path (``images/train/a.jpg``) or in front of
    the id (COCO's ``train/1`` where two splits have an image 1): written to ``val``, that item reads back as
    ``images/val/a.jpg``; when that is the key of another item (the input's ``val`` image of that name) which
    goes to another split, a lockfile cannot tell the two apart in the split's output, and pins that output's
    items by the keys as the input named them: split again with the lockfile, the output swaps them.
    """
    # (the folder of a split is never a key's last part: only items whose keys end alike can meet)
    tails = pc.replace_substring_regex(pa.array(keys, pa.string()), pattern="(?s)^.*/", replacement="")
    counts = pc.value_counts(tails)
    shared = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if not len(shared):
        return None
    rows = np.flatnonzero(pc.is_in(tails, value_set=shared).to_numpy(zero_copy_only=False)).tolist()
    ids, paths = items["id"].take(rows).to_pylist(), items["path"].take(rows).to_pylist()
    index = {keys[i]: i for i in rows}
    found: list[tuple[str, str, str, str]] = []
    for n, i in enumerate(rows):
        key, path = keys[i], paths[n]
        parts = [key] if not path or key == path else [path, str(ids[n])]
        moved = [_resplit(part, to[i], splits) for part in parts]
        marks = {m[1] for m in moved if m is not None}
        if len(marks) != 1 or to[i] in marks:
            continue
        other = "#".join(m[0] if m is not None else part for m, part in zip(moved, parts, strict=True))
        j = index.get(other)
        if j is not None and to[j] != to[i]:
            found.append((key, to[i], other, to[j]))
    if not found:
        return None
    key, split, other, elsewhere = min(found)
    return (
        f"{len(found):,} items go to a split where they read back with the key of another item, which goes"
        f" elsewhere ({key!r}, sent to {split!r}, reads back there as {other!r}, sent to {elsewhere!r}): a lockfile"
        " cannot tell them apart in this split's output, which, split again with it, swaps them (and if this"
        " input is such an output, they are swapped now); split the input again instead"
    )


def refuse_unreadable_cells(dataset: Dataset, stratify: str) -> None:
    """Refuse the JSON-text cells the split reads that are no JSON object, as every writer's plan refuses them.

    The items' ``metadata`` (a ``group_by`` field, an ``attr:`` one, and the ``group`` field looked for by default)
    and, for ``attr:NAME``, the annotations' ``attributes``. Only :meth:`Dataset.from_tables` (or ``set_table``)
    can give such a cell (``"{bad"``, ``"[1]"``, ``'{"a": NaN}'``): it was orjson's ``JSONDecodeError`` or Python's
    ``AttributeError: 'list' object has no attribute 'get'``.

    A dataset a reader made, or built of records (``given_tables`` false), holds none: it is not looked at (the
    look costs about 0.2 s per 100,000 items).

    Raises:
        InputError: naming the table, the 0-based row and the column of the first (``items row 0: metadata is not a
            JSON object``).
    """
    if not dataset.given_tables:
        return
    columns = [("items", "metadata")]
    if stratify.startswith("attr:"):
        columns += [(name, "attributes") for name in ANNOTATION_TABLES]
    for name, column in columns:
        finding = json_object_finding(dataset.table(name), column, name)
        if finding is not None:
            raise InputError(
                f"{finding.path} {finding.where}: {finding.message}",
                hint="labelkit split reads it; no record holds it: fix the tables given to Dataset.from_tables",
            )


def _json_object(text: str, table: str, row: int, column: str) -> dict[str, Any]:
    """A JSON-text cell's object, or an InputError naming the cell.

    :func:`refuse_unreadable_cells` refused the cells that are none; orjson, stricter, may still refuse one (a
    number beyond float64's range, ``1e400``), which was its bare ``JSONDecodeError``.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{table} row {row}: {column} is not JSON labelkit split reads ({exc})") from None
    if not isinstance(value, dict):
        raise InputError(f"{table} row {row}: {column} is not a JSON object")
    return value


def _metadata_values(items: pa.Table, name: str) -> list[Any]:
    out: list[Any] = []
    for row, text in enumerate(items["metadata"].to_pylist()):
        if not text:
            out.append(None)
            continue
        out.append(_json_object(text, "items", row, "metadata").get(name))
    return out


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _same_values_same_text(values: list[Any]) -> list[str | None]:
    """Each metadata value's JSON text (:func:`_value_text`), one text for objects equal but for their keys' order.

    ``{"id": 1, "site": "a"}`` and ``{"site": "a", "id": 1}`` (two tools' spellings of one value) were two groups,
    split apart, with no leak reported. Each such object (or list holding one) takes the smallest of its spellings,
    whatever the items' order; a value of one spelling keeps its text, and with it its key (the ``hash`` method's
    bucket) and every split made so far.
    """
    texts = [_value_text(v) for v in values]
    spellings: dict[str, set[str]] = {}
    for value, text in zip(values, texts, strict=True):
        if isinstance(value, (dict, list)) and text is not None:
            spellings.setdefault(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode(), set()).add(text)
    chosen = {text: min(texts_of) for texts_of in spellings.values() if len(texts_of) > 1 for text in texts_of}
    return [chosen.get(text, text) if text is not None else None for text in texts] if chosen else texts


def _only_metadata_group(items: pa.Table, empty_is_none: bool) -> bool:
    """Whether no item has a group, and some item a metadata field ``group`` (a field of a COCO image record)."""
    return _no_group(items, empty_is_none) and _metadata_group_count(items, empty_is_none) > 0


def _no_group(items: pa.Table, empty_is_none: bool) -> bool:
    """Whether no item has a group: each is null (or, with ``empty_is_none``, ``""``: :func:`group_values`)."""
    if not empty_is_none:
        return bool(items["group"].null_count == items.num_rows)
    return not pc.any(pc.not_equal(items["group"], "")).as_py()


def _metadata_group_count(items: pa.Table, empty_is_none: bool) -> int:
    """How many items have a metadata field ``group`` of a value (only texts naming ``"group"`` are parsed)."""
    named = pc.fill_null(pc.match_substring(items["metadata"], '"group"'), False)
    if not pc.any(named).as_py():
        return 0
    values = _metadata_values(items.filter(named), "group")
    return sum(v is not None and not (empty_is_none and v == "") for v in values)


def group_regex(group_by: str | None, group_pattern: str) -> re.Pattern[str]:
    """``--group-pattern`` compiled.

    Raises:
        UsageError: ``--group-by`` is given too, or the pattern is invalid or has no capture group.
    """
    if group_by is not None:
        raise UsageError("give --group-by or --group-pattern, not both")
    try:
        regex = re.compile(group_pattern)
    except (re.error, OverflowError, RecursionError) as exc:  # (a repeat count beyond C's int, deep nesting)
        raise UsageError(f"bad --group-pattern: {exc}", found=repr(group_pattern)) from None
    if regex.groups < 1:
        raise UsageError(
            "--group-pattern needs a capture group", expected="a regex like '^([^/]+)/'", found=repr(group_pattern)
        )
    return regex


def group_values(
    items: pa.Table, keys: list[str], group_by: str | None, group_pattern: str | None, empty_is_none: bool = True
) -> tuple[list[str], list[str]]:
    """Each item's group key.

    Args:
        items: the items table.
        keys: the item keys.
        group_by: ``group`` (the items' group column; where no item has one, their metadata field ``group``, if
            any has it), a metadata field, or None for the group column (a warning says when no item has a group
            but some a metadata field ``group``).
        group_pattern: a regular expression whose first capture group, searched in the media path, is the group.
        empty_is_none: a group of ``""`` is none (split algorithm version 6 on; before, it was one group).

    Returns:
        One group key per item (``g:<value>``; ``i:<item key>`` for an item with no group, or, with
        ``empty_is_none``, a group of ``""``, as pandas and CSV write a missing value) and warnings. A metadata
        value that is no text is its JSON text: ``1`` and ``"1"`` are one group.

    Raises:
        UsageError: both ways are given, or the pattern is invalid or has no capture group.
    """
    warnings: list[str] = []
    values: list[str | None]
    if group_pattern is not None:
        regex = group_regex(group_by, group_pattern)  # (refusing --group-by beside it)
        values = []
        for path in items["path"].to_pylist():
            match = regex.search(path) if path else None
            values.append(match.group(1) if match and match.group(1) is not None else None)
        what = f"path matching {group_pattern!r}"
    elif group_by is None or (group_by == "group" and not _only_metadata_group(items, empty_is_none)):
        values = items["group"].to_pylist()
        what = "group"
        if group_by is None and _no_group(items, empty_is_none) and (n := _metadata_group_count(items, empty_is_none)):
            warnings.append(  # (taken by default, it would change the splits made so far of the same input)
                f"no item has a group, but {n:,} items have a metadata field 'group' (a COCO image record's), which "
                "is not used by default: pass --group-by group to keep those groups whole"
            )
    else:  # (--group-by group where no item has a group but some a metadata field of that name: COCO's image field)
        values = _same_values_same_text(_metadata_values(items, group_by))
        what = f"metadata field {group_by!r}"
        if all(v is None for v in values) and values:
            raise UsageError(
                f"no item has a metadata field {group_by!r}",
                hint="--group-by takes an item metadata field (COCO: a field of the image record) or 'group'",
            )
    out = []
    missing = empty = 0
    for key, value in zip(keys, values, strict=True):
        if value is None or (empty_is_none and value == ""):  # ("", as CSV writes a missing value: it was one group)
            out.append("i:" + key)
            missing += 1
            empty += value == ""
        else:
            out.append("g:" + value)
    if missing and (group_by is not None or group_pattern is not None):
        warnings.append(
            f"{missing:,} items have no {what[2:] if what.startswith('a ') else what}"
            + (f' ({empty:,} of them "")' if empty else "")
            + "; each is its own group"
        )
    return out, warnings


def _annotation_items(dataset: Dataset, ids: pa.Array) -> list[tuple[str, pa.Table, IntArray]]:
    out = []
    for name in ANNOTATION_TABLES:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        index = pc.index_in(table["item_id"], value_set=ids).to_numpy(zero_copy_only=False)
        out.append((name, table, index))
    return out


def _pairs(item_index: npt.NDArray[Any], label_index: npt.NDArray[Any], n_labels: int) -> tuple[IntArray, IntArray]:
    ok = ~(np.isnan(item_index.astype(np.float64)) | np.isnan(label_index.astype(np.float64)))
    item = item_index[ok].astype(np.int64)
    label = label_index[ok].astype(np.int64)
    code, _ = unique_counts(item * max(n_labels, 1) + label)
    return code // max(n_labels, 1), code % max(n_labels, 1)


def stratification(dataset: Dataset, stratify: str) -> tuple[list[str], IntArray, IntArray, list[str]]:
    """The labels each item carries, as distinct (item, label) pairs.

    Args:
        dataset: the dataset.
        stratify: ``labels`` (the categories of every annotation kind), ``none``, or ``attr:NAME`` (the item
            metadata field NAME; when no item has it, the values of the annotation attribute NAME).

    Returns:
        Label names, pair item indexes, pair label indexes, warnings.

    Raises:
        UsageError: the mode is unknown, or no item or annotation carries the attribute.
    """
    items = dataset.table("items")
    ids = items["id"].combine_chunks() if items.num_rows else pa.array([], pa.string())
    empty = np.zeros(0, dtype=np.int64)
    if stratify == "none":
        return [], empty, empty, []
    if stratify == "labels":
        tables = _annotation_items(dataset, ids)
        present = sorted({int(c) for _, t, _ in tables for c in pc.unique(t["category_id"].drop_null()).to_pylist()})
        name_of = {c.id: c.name for c in dataset.categories}
        names = [name_of.get(c, f"#{c}") for c in present]
        value_set = pa.array(present, pa.int64())
        items_all, labels_all = [], []
        for _, table, index in tables:
            labels_all.append(pc.index_in(table["category_id"], value_set=value_set).to_numpy(zero_copy_only=False))
            items_all.append(index)
        if not items_all:
            return names, empty, empty, []
        pi, pl = _pairs(np.concatenate(items_all), np.concatenate(labels_all), len(names))
        return names, pi, pl, []
    if stratify.startswith("attr:") and len(stratify) > 5:
        return _by_attribute(dataset, items, ids, stratify[5:])
    raise UsageError("bad --stratify", expected="labels, none or attr:NAME", found=repr(stratify))


def _by_attribute(
    dataset: Dataset, items: pa.Table, ids: pa.Array, name: str
) -> tuple[list[str], IntArray, IntArray, list[str]]:
    values = [_value_text(v) for v in _metadata_values(items, name)] if items.num_rows else []
    item_index: list[int] = []
    texts: list[str] = []
    if any(v is not None for v in values):
        for i, v in enumerate(values):
            if v is not None:
                item_index.append(i)
                texts.append(v)
    else:
        for table_name, table, index in _annotation_items(dataset, ids):
            for row, (i, text) in enumerate(zip(index.tolist(), table["attributes"].to_pylist(), strict=True)):
                if text is None or i is None or i != i:
                    continue
                value = _json_object(text, table_name, row, "attributes").get(name)
                if value is not None:
                    item_index.append(int(i))
                    texts.append(_value_text(value) or "")
        if not texts:
            raise UsageError(
                f"no item metadata field or annotation attribute named {name!r}",
                hint="--stratify attr:NAME takes an item metadata field or an annotation attribute",
            )
    names = sorted(set(texts))
    code = {t: i for i, t in enumerate(names)}
    pi, pl = _pairs(
        np.asarray(item_index, dtype=np.float64), np.asarray([code[t] for t in texts], np.float64), len(names)
    )
    return names, pi, pl, []


def prepare(
    dataset: Dataset, stratify: str, group_by: str | None, group_pattern: str | None, empty_is_none: bool = True
) -> SplitInput:
    """Reduce a dataset to a :class:`SplitInput` (``empty_is_none``: see :func:`group_values`).

    Raises:
        UsageError: a grouping or stratification option is not usable on this dataset.
        InputError: a JSON-text cell it reads is no JSON object (:func:`refuse_unreadable_cells`).
    """
    refuse_unreadable_cells(dataset, stratify)
    items = dataset.table("items")
    keys, warnings = item_keys(items)
    groups, more = group_values(items, keys, group_by, group_pattern, empty_is_none)
    warnings += more
    group_keys = sorted(set(groups))
    index = {g: i for i, g in enumerate(group_keys)}
    item_group = np.fromiter((index[g] for g in groups), dtype=np.int64, count=len(groups))
    names, pi, pl, more = stratification(dataset, stratify)
    warnings += more
    return SplitInput(keys, group_keys, item_group, names, pi, pl, warnings)
