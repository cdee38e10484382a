"""COCO categories -> labelkit and back: ids (0 and gaps kept), names, keypoints and skeletons, extras.

Categories keep id, name, supercategory, keypoint names and skeleton; their other fields become ``coco:`` extras.
Several files' categories merge into one list; writing numbers them as read, or 1..N with ``reindex``.
"""

from __future__ import annotations

import heapq
import itertools
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from labelkit.errors import InputError, json_pointer, shown
from labelkit.formats.coco_read import CocoFile
from labelkit.formats.derived import cached
from labelkit.formats.native_categories import skeleton_findings
from labelkit.io import json_text, refuse_deep
from labelkit.model import Category, Dataset
from labelkit.model.annotations import INT64_MAX, INT64_MIN
from labelkit.model.records import names_no_keypoint
from labelkit.model.tables import loads_text, true_mask
from labelkit.report import Finding


def require_fields(record: dict[str, Any], keys: Sequence[str], f: CocoFile, *pointer: str | int) -> None:
    """Refuse a record (an image or a category of ``f``, at ``pointer``) lacking one of ``keys``, naming it."""
    for key in keys:
        if key not in record:
            raise InputError(f"missing required field {key!r}", path=f.path, pointer=json_pointer(*pointer, key))


def build_categories(f: CocoFile) -> list[Category]:
    """Category records of a file (id, name, supercategory, keypoints, skeleton; the rest as extras).

    Built once per file (a reader asks for them when merging the files' categories and again when building each
    file): a taxonomy of 80,000 classes took 3 s a time. The list is new each time, the records are shared.

    Raises:
        InputError: a category lacks ``id`` or ``name`` or has a field of the wrong type.
    """
    if f.built_categories is None:
        f.built_categories = _build_categories(f)
    return list(f.built_categories)


def _build_categories(f: CocoFile) -> list[Category]:
    out = []
    for i, c in enumerate(f.categories):
        require_fields(c, ("id", "name"), f, "categories", i)
        if type(c["id"]) is not int:  # ("9" would pass the record's lax check, then match no annotation's 9)
            raise InputError(
                "id must be an integer", path=f.path, pointer=json_pointer("categories", i, "id"), found=shown(c["id"])
            )
        if not INT64_MIN <= c["id"] <= INT64_MAX:  # (as an image's: pydantic said 'Input should be less than ...')
            raise InputError("id does not fit in 64 bits", path=f.path, pointer=json_pointer("categories", i, "id"))
        _refuse_lax_skeleton(c.get("skeleton"), f, i)
        extras = {
            f"coco:{k}": v for k, v in c.items() if k not in ("id", "name", "supercategory", "keypoints", "skeleton")
        }
        for key in ("supercategory", "keypoints", "skeleton"):  # (the schema refuses null; carried as read)
            if key in c and c[key] is None:
                extras[f"coco:{key}"] = None
        for field, value in extras.items():  # (pydantic writes and reads the extras of a category: no deeper)
            refuse_deep(value, f.path, json_pointer("categories", i, field[5:]))
            json_text(value, f.path, json_pointer("categories", i, field[5:]))  # (64-bit integers: as an image's)
        try:
            out.append(
                Category(
                    id=c["id"],
                    name=c["name"],
                    supercategory=c.get("supercategory"),
                    keypoints=c.get("keypoints"),
                    skeleton=c.get("skeleton"),
                    extras=extras,
                )
            )
        except ValidationError as exc:
            message, at, found = _category_error(exc.errors()[0])  # (at the value: /categories/0/keypoints/1)
            raise InputError(message, path=f.path, pointer=json_pointer("categories", i, *at), found=found) from exc
    return out


def _category_error(err: Any) -> tuple[str, list[str | int], str | None]:
    """Pydantic's first error of a category record in convert's words: the message, where, and the value found.

    An edge of one index is named at the edge, as validate names it (pydantic names its missing second index).
    """
    at = [k if isinstance(k, int) else str(k) for k in err["loc"]] or ["id"]
    if err["type"] == "missing" and len(at) > 1:
        at = at[:-1]
    if at[0] == "skeleton" and len(at) == 3 and err["type"] in ("less_than_equal", "greater_than_equal"):
        return "skeleton index does not fit in 64 bits", at, None  # (an integer: as an id is said)
    if at[0] == "skeleton":
        levels = ("skeleton must be a list of index pairs", "skeleton edge must be 2 keypoint indices")
        message = levels[len(at) - 1] if len(at) <= 2 else "skeleton index must be an integer"
    elif at[0] == "keypoints":
        message = "keypoints must be a list of names" if len(at) == 1 else "keypoint name must be a string"
    elif at[0] in ("name", "supercategory"):
        message = f"{at[0]} must be a string"
    else:
        return err["msg"], at, None
    return message, at, shown(err.get("input"))


def _refuse_lax_skeleton(skeleton: Any, f: CocoFile, i: int) -> None:
    """Refuse a skeleton index that is no number (``"1"``, ``true``), as the schema and ``validate`` do.

    The category record's lax check turned ``"01"`` into 1 and ``false`` into 0 without a word.
    """
    if not isinstance(skeleton, list):
        return
    for j, edge in enumerate(skeleton):
        for k, index in enumerate(edge if isinstance(edge, list) else []):
            if isinstance(index, bool) or not isinstance(index, (int, float)):
                raise InputError(
                    "skeleton index must be an integer",
                    path=f.path,
                    pointer=json_pointer("categories", i, "skeleton", j, k),
                    found=shown(index),
                )


def merge_categories(files: Sequence[CocoFile], findings: list[Finding] | None = None) -> list[Category]:
    """The categories of several files, by id in order of first appearance, each with every field any file gives it.

    A field one file gives a category and another leaves out (``keypoints`` in ``person_keypoints_*.json`` only)
    is kept; which fields each file had is kept in the dataset info (see :func:`.coco_records.dataset_info`), so
    each file is written back with its own. A field two files give different values (LVIS's per-split
    ``image_count``) has the first file's value here; the others' are kept in the dataset info too.

    With ``findings`` (``validate``), each such repeat is a finding there instead, and the first record is kept.

    Raises:
        InputError: a file lists a category id twice, or two files give one category different names.
    """
    merged: dict[int, dict[str, Any]] = {}  # id -> the fields any file gives it (the first file's value)
    repeated = False
    for f in files:
        here: set[int] = set()
        for i, c in enumerate(build_categories(f)):  # (each record checked on its own)
            error = None
            if c.id in here:  # (a reader keeps one of them: which one is a guess)
                error = InputError(
                    f"duplicate category id {c.id}", path=f.path, pointer=json_pointer("categories", i, "id")
                )
            elif (old := merged.get(c.id)) is not None and old["name"] != c.name:  # (known by its id and name)
                error = InputError(
                    f"category {c.id} is named {_two_names(c.name, old['name'])} in another file",
                    path=f.path,
                    pointer=json_pointer("categories", i, "name"),
                )
            here.add(c.id)  # (also when misnamed: a later record of that id in this file repeats it)
            if error is not None:
                if findings is None:
                    raise error
                findings.append(Finding(str(f.path), "#" + (error.location.pointer or ""), error.message))
                repeated = True
                continue
            record = f.categories[i]
            old = merged.get(c.id)
            if old is None:
                merged[c.id] = dict(record)
                continue
            for key, value in record.items():
                old.setdefault(key, value)
    if len(files) == 1 and not repeated:  # (the file's own records, each id once: the merge changed nothing)
        return build_categories(files[0])
    lists = [
        [int(c["id"]) for c in f.categories if isinstance(c, dict) and int(c.get("id", -1)) in merged] for f in files
    ]
    order = merged_order(lists)
    return build_categories(CocoFile(Path(), "merged", None, categories=[merged[i] for i in order]))


def _two_names(here: str, there: str) -> str:
    r"""``'x' here but 'y'``: quoted as Python quotes them, or in ASCII (with why) where they look alike.

    ``é`` in NFC and in NFD are two names that print the same: an error quoting both as ``'é'`` says nothing.

    >>> _two_names("cat", "dog"), _two_names("\u00e9", "e\u0301")
    ("'cat' here but 'dog'", "'\\xe9' here but 'e\\u0301' (they differ only in Unicode normalisation)")
    """
    if unicodedata.normalize("NFC", here) != unicodedata.normalize("NFC", there):
        return f"{here!r} here but {there!r}"
    return f"{ascii(here)} here but {ascii(there)} (they differ only in Unicode normalisation)"


def merged_order(lists: Sequence[Sequence[int]]) -> list[int]:
    """One order of the category ids several files list, keeping each file's order, else the smaller id first.

    Files of a split that list only the categories they use (``instances_test.json`` listing ``dog, bird`` of
    ``instances_train.json``'s ``cat, dog, bird``) took the first file's order then the others' (the files by split
    name: ``dog, bird, cat``), which renumbered every category with ``-o reindex=true`` and gave YOLO's class 0 to
    ``dog``. Ids files order both ways (a cycle of them) go by id among themselves, where the files place the
    group as a whole; ids no file orders go the smaller first.

    Examples:
        >>> merged_order([[2, 3], [1, 2, 3]])
        [1, 2, 3]
        >>> merged_order([[7], [5, 1, 4]])  # (a file's own order: 5 before 1; 7 after the smaller ids)
        [5, 1, 4, 7]
        >>> merged_order([[10, 20, 5], [20, 10]])  # (10 and 20 both ways: by id; 5 after them, as train has it)
        [10, 20, 5]
    """
    after: dict[int, set[int]] = {}  # id -> the ids a file lists right after it
    for ids in lists:
        for i in ids:
            after.setdefault(i, set())
        for a, b in itertools.pairwise(ids):
            if a != b:
                after[a].add(b)
    group = _cycles(after)  # id -> the index of its group (ids ordered both ways, or itself alone)
    members: dict[int, list[int]] = {}
    for i, g in group.items():
        members.setdefault(g, []).append(i)
    later: dict[int, set[int]] = {g: set() for g in members}  # group -> the groups a file lists right after it
    waiting = dict.fromkeys(members, 0)  # group -> how many groups before it are not placed yet
    for a, bs in after.items():
        for b in bs:
            if group[a] != group[b] and group[b] not in later[group[a]]:
                later[group[a]].add(group[b])
                waiting[group[b]] += 1
    ready = [(min(members[g]), g) for g, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        _, g = heapq.heappop(ready)
        out += sorted(members[g])
        for h in later[g]:
            waiting[h] -= 1
            if not waiting[h]:
                heapq.heappush(ready, (min(members[h]), h))
    return out


def _cycles(after: dict[int, set[int]]) -> dict[int, int]:
    """The strongly connected groups of the graph ``after`` (Tarjan's, without recursion): id -> group index."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    group: dict[int, int] = {}
    groups = 0  # (the groups made so far: counting the set of them per group was quadratic)
    for root in sorted(after):
        if root in index:
            continue
        work = [(root, iter(sorted(after[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(after[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:  # (a group's root: its members lie above it on the stack)
                g = groups
                groups += 1
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group[member] = g
                    if member == node:
                        break
    return group


def skeleton_outside(f: CocoFile, categories: Sequence[Category]) -> list[tuple[str, int, int | None]]:
    """The skeleton indices of a file's categories that name none of the category's keypoints.

    COCO counts a skeleton's keypoints from 1 (pycocotools' ``showAnns`` takes 1 off each): a 0, or a number
    past the category's keypoint names (this file's, else another file's; with none, as Datumaro writes
    ``"keypoints": []``, only a number below 1), draws another edge or fails. Reading carries such a skeleton as
    read (a 0-based one is still a skeleton), with a read note; ``validate`` lists each.

    Returns:
        (JSON pointer, index, the category's keypoint count or None) of each, in file order.
    """
    names = {c.id: len(c.keypoints) for c in categories if c.keypoints}
    out = []
    for i, c in enumerate(f.categories):
        own, skeleton = c.get("keypoints"), c.get("skeleton")
        count = len(own) if isinstance(own, list) and own else names.get(c["id"])
        if not isinstance(skeleton, list):
            continue
        for j, edge in enumerate(skeleton):
            for k, index in enumerate(edge if isinstance(edge, list) else []):
                if type(index) is int and names_no_keypoint(index, count):
                    out.append((json_pointer("categories", i, "skeleton", j, k), index, count))
    return out


def skeleton_finding(f: CocoFile, pointer: str, index: int, count: int | None) -> Finding:
    """The ``validate`` finding of a skeleton index :func:`skeleton_outside` found."""
    names = "no keypoint" if count is None else f"none of the category's {count} keypoints"
    return Finding(str(f.path), pointer, f"skeleton index {index} names {names} (COCO counts them from 1)")


def skeleton_indexes_outside(dataset: Dataset) -> int:
    """How many skeleton indexes of categories not read from COCO name none of the category's keypoints.

    As :func:`skeleton_outside` finds them in a file: below 1, or past the keypoint names (labelkit JSON takes any
    integer). They are written as they are, with a note (``validate`` names each in the output); a category read
    from COCO is written back as read, its read note said so.
    """
    read = read_categories(dataset)
    return len(skeleton_findings([c for c in dataset.categories if c.id not in read], ""))


def same_json(a: Any, b: Any) -> bool:
    """Whether two decoded JSON values are written the same (``1`` and ``1.0`` are not; key order aside)."""
    if a == b and type(a) is type(b) and isinstance(a, (str, bool)):
        return True
    option = orjson.OPT_SORT_KEYS
    try:
        return orjson.dumps(a, option=option) == orjson.dumps(b, option=option)
    except TypeError:  # (an integer past 64 bits, which reading refuses elsewhere): Python's equality
        return bool(a == b) and type(a) is type(b)


ADDED_SKELETONS = (
    "COCO's keypoint categories have a skeleton (pycocotools' showAnns reads one for every annotation with "
    'keypoints: KeyError without): written as "skeleton": [], which reads back as an empty skeleton'
)


def posed_categories(dataset: Dataset) -> frozenset[int]:
    """The categories of objects with keypoints (a category of no keypoint names among them gets a skeleton too).

    Found once for the plan's check and the write (:func:`labelkit.formats.derived.cached`).
    """
    return cached(dataset, "coco:posed", lambda: keypoint_categories(dataset.table("objects")), ("objects",))


def keypoint_categories(objects: pa.Table) -> frozenset[int]:
    """The categories of ``objects`` with keypoints."""
    posed = objects["category_id"].filter(objects["keypoints"].is_valid())
    return frozenset(pc.unique(posed.drop_null()).to_pylist()) if len(posed) else frozenset()


def read_categories(dataset: Dataset) -> set[int]:
    """The categories some COCO file read lists (written back with their own fields)."""
    files = dataset.info.extras.get("coco:files")
    specs = files if isinstance(files, list) else []
    return {i for f in specs if isinstance(f, dict) for i in f.get("categories") or []}


def added_skeletons(dataset: Dataset) -> int:
    """The categories :func:`category_record` gives an empty skeleton, not read from a COCO file.

    Those have keypoint names, or objects with keypoints, and neither a skeleton nor a ``coco:skeleton`` carried;
    a category read from COCO is written back with its own fields.
    """
    read = read_categories(dataset)
    posed = posed_categories(dataset)
    return sum(
        1
        for c in dataset.categories
        if (c.keypoints is not None or c.id in posed)
        and c.skeleton is None
        and "coco:skeleton" not in c.extras
        and c.id not in read
    )


def category_record(c: Category, posed: bool = False) -> dict[str, Any]:
    """The COCO record of a category: id, name, supercategory, keypoints, skeleton, then its ``coco:`` extras.

    ``posed``: some object of the category written has keypoints (it gets a skeleton, as one with keypoint names).
    """
    out: dict[str, Any] = {"id": c.id, "name": c.name}
    if c.supercategory is not None:
        out["supercategory"] = c.supercategory
    if c.keypoints is not None:
        out["keypoints"] = c.keypoints
    if c.skeleton is not None:
        out["skeleton"] = [list(e) for e in c.skeleton]
    elif (c.keypoints is not None or posed) and "coco:skeleton" not in c.extras:
        # (COCO's keypoint categories have both: pycocotools' showAnns reads a skeleton for every annotation with
        # keypoints, a KeyError without, and Datumaro's keypoints reader refuses a category without; a file read
        # without one keeps none, as its own fields are written back: see added_skeletons)
        out["skeleton"] = []
    for k, v in c.extras.items():
        if k.startswith("coco:") and k[5:] not in out:
            out[k[5:]] = v
    return out


def own_values(record: dict[str, Any], model: dict[str, Any], model_text: str) -> dict[str, Any]:
    """The fields of a file's category record whose values differ from the model's category (``model``)."""
    if orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode() == model_text:  # (COCO 2017: every file's the same)
        return {}
    return {k: v for k, v in record.items() if k not in ("id", "name") and not same_json(model.get(k), v)}


LVIS_CATEGORY_LISTS = ("neg_category_ids", "not_exhaustive_category_ids")
"""LVIS's image fields listing category ids: those verified absent from the image, those not labelled on it
exhaustively. LVIS's evaluation reads them by category id."""


def category_numbers(dataset: Dataset, reindex: bool) -> dict[int, int]:
    """Category id -> the id written: its own, or with ``reindex`` 1..N in the categories' order.

    With ``reindex``, an id no category has that a caption (``coco:category_id``) or an LVIS list holds, and that
    one of 1..N would now name, is numbered after the largest of N and those ids (in ascending order), so that it
    still names no category (past 2**63 - 1, the first number after N that no id has); the other such ids stay as
    they are.
    """
    categories = dataset.categories
    if not reindex:
        return {c.id: c.id for c in categories}
    numbers = {c.id: i + 1 for i, c in enumerate(categories)}
    unlisted = sorted(unlisted_category_ids(dataset) - numbers.keys())
    taken = set(unlisted)
    last = max([len(categories), *unlisted])
    free = itertools.chain(  # (after the largest; past 2**63 - 1, the first after N that no id has)
        range(last + 1, INT64_MAX + 1), (n for n in itertools.count(len(categories) + 1) if n not in taken)
    )
    for i in unlisted:
        if 1 <= i <= len(categories):
            numbers[i] = next(free)
            taken.add(numbers[i])
    return numbers


def unlisted_category_ids(dataset: Dataset) -> set[int]:
    """The integer category ids captions (``coco:category_id``) and LVIS's lists hold, listed or not.

    Only a caption without a category (column) counts: one with both is written with the column's. Found once
    while the dataset's captions and items are the same tables (the plan's check and the writer ask).
    """
    found = cached(dataset, "coco:unlisted", lambda: frozenset(_unlisted_ids(dataset)), ("transcripts", "items"))
    return set(found)


def _unlisted_ids(dataset: Dataset) -> set[int]:
    """:func:`unlisted_category_ids`, found: a Python loop over the rows naming one."""
    found: set[int] = set()
    captions = dataset.table("transcripts")
    extras = captions["extras"].filter(pc.is_null(captions["category_id"]))
    rows = np.flatnonzero(true_mask(pc.match_substring(extras, '"coco:category_id"')))
    for text in extras.take(pa.array(rows, pa.int64())).to_pylist() if len(rows) else []:
        fields = loads_text(text)
        value = fields.get("coco:category_id") if isinstance(fields, dict) else None
        found |= {value} if type(value) is int else set()
    metadata = dataset.table("items")["metadata"]
    rows = np.flatnonzero(true_mask(pc.match_substring(metadata, '_category_ids"')))
    for text in metadata.take(pa.array(rows, pa.int64())).to_pylist() if len(rows) else []:
        fields = loads_text(text)
        for ids in (fields.get(k) for k in LVIS_CATEGORY_LISTS) if isinstance(fields, dict) else ():
            found |= {i for i in ids if type(i) is int} if isinstance(ids, list) else set()
    return found


def lvis_category_lists(items: pa.Table, numbers: dict[int, int]) -> tuple[pa.Table, int]:
    """The items with LVIS's category id lists in their metadata written in the ids ``numbers`` gives (``reindex``).

    They kept the ids read while the categories were renumbered, so they named other categories or none. Only
    the rows whose metadata text names such a field are decoded (and written again, numbers in their shortest
    form); ids no category has stay as they are.

    Returns:
        The items table, and how many images had a list renumbered.
    """
    if items.num_rows == 0 or all(old == new for old, new in numbers.items()):
        return items, 0
    metadata = items["metadata"]
    rows = np.flatnonzero(true_mask(pc.match_substring(metadata, '_category_ids"')))
    if not len(rows):
        return items, 0
    texts = metadata.to_pylist()
    changed = 0
    for row in rows.tolist():
        fields = loads_text(texts[row])
        lists = {k: fields.get(k) for k in LVIS_CATEGORY_LISTS} if isinstance(fields, dict) else {}
        renumbered = {
            k: [numbers.get(i, i) if type(i) is int else i for i in ids]
            for k, ids in lists.items()
            if isinstance(ids, list)
        }
        renumbered = {k: ids for k, ids in renumbered.items() if ids != lists[k]}
        if renumbered:
            texts[row] = orjson.dumps({**fields, **renumbered}).decode()
            changed += 1
    if not changed:
        return items, 0
    at = items.schema.get_field_index("metadata")
    return items.set_column(at, items.schema.field(at), pa.array(texts, items.schema.field(at).type)), changed


REFUSED_CATEGORY_FIELDS = {
    "supercategory": "a supercategory that is not text",
    "keypoints": "keypoint names that are not a list of text",
    "skeleton": "a skeleton that is not a list of pairs of 64-bit integers",
}
"""The category fields COCO's schema gives a type, and what it refuses of each (see :func:`category_field_fits`)."""


def category_field_fits(key: str, value: Any) -> bool:
    """Whether COCO's reader takes ``value`` as a category's ``key`` (a field of :data:`REFUSED_CATEGORY_FIELDS`).

    ``null`` does, as the reader carries a category's ``"keypoints": null`` as read (with a note), and writing
    gives it back. A field of no type (LVIS's ``frequency``, any other) takes any value. So a skeleton of ``[[1, 2]]``
    fits (``[[1.0, 2]]`` too, as the schema's integers are), and ``[[1]]``, ``"x"`` do not; keypoint names
    ``["a"]`` do, ``[1, 2]`` not; a supercategory ``5`` does not.
    """
    if value is None or key not in REFUSED_CATEGORY_FIELDS:
        return True
    if key == "supercategory":
        return isinstance(value, str)
    if not isinstance(value, list):
        return False
    if key == "keypoints":
        return all(isinstance(v, str) for v in value)
    return all(isinstance(edge, list) and len(edge) == 2 and all(_int64(i) for i in edge) for edge in value)


def _int64(value: Any) -> bool:
    """Whether the schema's ``int64`` takes ``value``: an integer of 64 bits, or a whole float (``1.0``) in range."""
    whole = type(value) is int or (type(value) is float and value.is_integer())
    return whole and INT64_MIN <= value <= INT64_MAX
