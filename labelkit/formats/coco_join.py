"""COCO: several files of one dataset joined into one set of tables.

Each file is built on its own (:mod:`labelkit.formats.coco_build`); here their images become one items table
(an image listed by several files is one item, given every file's fields), keypoint annotations join the
instances they repeat, and stuff, results and keypoints-only objects are tagged with the file they came from,
with ids kept unique, so that writing COCO puts every annotation back in its own file. Instances that carried
keypoints inline beside a keypoints file are tagged too (``coco_text.INLINE_TAG``), so that the instances file
gets them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_build import Built
from labelkit.formats.coco_categories import same_json
from labelkit.formats.coco_homes import CAPTION_TASKS, LABEL_TASKS
from labelkit.formats.coco_read import CocoFile
from labelkit.formats.coco_text import (
    COUNT_TAG,
    INLINE_TAG,
    LISTED_TAG,
    POINTS_TAG,
    STUFF_TAG,
    list_json,
    value_text,
)
from labelkit.model.tables import contains_match, loads_text, members_or_raw, true_mask, valid_mask


def tag_stuff(files: list[CocoFile], built: list[Built]) -> None:
    """Keep stuff objects apart from instances: tagged, with ``stuff/`` before their id where their split has others.

    Tagged where any split has a file of other objects (an instances, keypoints or results file): untagged
    objects are an instances file's (or, in a dataset of stuff files alone, a stuff file's).

    Objects of a keypoints file alone in its split are tagged where another split has instances or stuff files.
    Detections of a results file beside ground truth files of its split are tagged too (their ids are
    numbered on reading, and those that clash get ``results/`` before them later), so that writing COCO
    puts each object back in its own file.
    """
    with_truth = {f.split for f in files if f.task in ("instances", "stuff", "person_keypoints")}
    # (or another file of the split holding objects, a captions file with boxes say: it goes to an instances file)
    with_truth |= {f.split for f, b in zip(files, built, strict=True) if f.task != "results" and b.objects is not None}
    # splits with another file of objects than stuff: its objects and stuff's would mix (their ids too)
    with_others = {f.split for f in files if f.task in ("instances", "person_keypoints", "results")}
    with_instances = {f.split for f in files if f.task in ("instances", "stuff")}
    alone = {f.split for f in files if f.task in ("instances", "stuff", "results")}  # (splits of other object files)
    for f, b in zip(files, built, strict=True):
        if f.task == "results" and b.objects is not None:
            b.objects = _tagged(b.objects, "results")
        if f.task == "person_keypoints" and with_instances and f.split not in alone and b.objects is not None:
            # a keypoints file alone in its split, where another split has instances: its objects are its own (an
            # instances file's moved in are untagged), so a split that gains an instances file keeps them apart
            b.objects = _tagged(b.objects, "person_keypoints")
        if f.task != "stuff" or not with_others or b.objects is None:
            continue
        # (tagged where another split has other files too: an object moved there from a split of stuff alone
        # went into an instances or keypoints file, and one moved from an instances file into its stuff file)
        table = _tagged(b.objects, "stuff")
        if f.split in with_others:
            ids = pc.binary_join_element_wise("stuff/", table["id"], "")
            table = table.set_column(table.schema.get_field_index("id"), "id", ids)
        b.objects = table


def _tagged(table: pa.Table, task: str) -> pa.Table:
    """Objects tagged with the task of the file they came from (``coco:@task``), so a writer puts them back there."""
    tagged = _with_member(table["extras"].combine_chunks(), pa.scalar(f'"{STUFF_TAG}":"{task}"'))
    return table.set_column(table.schema.get_field_index("extras"), "extras", tagged)


def prefix_annotation_ids(files: list[CocoFile], built: list[Built]) -> None:
    """Put ``<split>/`` before annotation ids when two splits share an annotation id (ids stay unique)."""
    by_split: dict[str | None, set[str]] = {}
    for f, b in zip(files, built, strict=True):
        for name in ("objects", "labels", "transcripts"):
            table = getattr(b, name)
            if table is not None:
                by_split.setdefault(f.split, set()).update(table["id"].to_pylist())
    seen: set[str] = set()
    clash = False
    for ids in by_split.values():
        clash = clash or bool(seen & ids)
        seen |= ids
    if not clash:
        return
    for f, b in zip(files, built, strict=True):
        for name in ("objects", "labels", "transcripts"):
            table = getattr(b, name)
            if table is not None and f.split:
                ids = pc.binary_join_element_wise(f"{f.split}/", table["id"], "")
                setattr(b, name, table.set_column(table.schema.get_field_index("id"), "id", ids))


def merge_tables(files: list[CocoFile], built: list[Built], items: pa.Table, notes: list[str]) -> dict[str, pa.Table]:
    """Join the files' tables: keypoint annotations into their instances, object ids kept unique.

    ``items`` are the files' images joined (see :func:`join_items`). What a reader should know of the joining
    goes to ``notes``.
    """
    out: dict[str, pa.Table] = {"items": items}
    objects: list[pa.Table] = []
    tasks: list[str] = []
    instances_ids: dict[str | None, int] = {}
    posed: dict[str | None, np.ndarray] = {}
    with_keypoints_file = {f.split for f in files if f.task == "person_keypoints"}
    for f, b in zip(files, built, strict=True):
        if b.objects is None:
            continue
        table = b.objects.drop_columns(["_row"]) if "_row" in b.objects.column_names else b.objects
        if f.task == "person_keypoints" and f.split in instances_ids:
            objects[instances_ids[f.split]], table, differ, moved, unlike, lacks, unposed = _merge_keypoints(
                objects[instances_ids[f.split]], table
            )
            if unposed:
                notes.append(
                    f"{unposed:,} annotations of {f.path.name} have no keypoints where the same annotation of the "
                    "instances file has some inline: the instance's are kept (writing COCO writes them to both files)"
                )
            if unlike:
                notes.append(
                    f"{unlike:,} annotations of {f.path.name} have other keypoints than the same annotation of the "
                    "instances file: the keypoints file's are kept (writing COCO gives the instances file its own)"
                )
            if differ:
                notes.append(
                    f"{differ:,} annotations of {f.path.name} differ from the same annotation of the instances file "
                    "in other fields than the keypoints (extras, attributes or flags): the keypoints file's are kept"
                )
            if lacks:
                notes.append(
                    f"{lacks:,} annotations of {f.path.name} lack fields that the same annotation of the instances "
                    "file has: the instance's are kept (writing COCO writes them to both files)"
                )
            if moved:
                notes.append(
                    f"{moved:,} annotations of {f.path.name} have another bbox or segmentation than the same "
                    "annotation of the instances file: the instances file's are kept (writing COCO writes them to "
                    "both files)"
                )
            if not table.num_rows:
                continue
            table = _tagged(table, "person_keypoints")  # matched no instance: the keypoints file's only
        elif f.task in ("instances", "stuff") and f.split not in instances_ids:
            instances_ids[f.split] = len(objects)
            posed[f.split] = valid_mask(table["keypoints"])  # (as read: merging gives others keypoints)
            if f.task == "instances" and f.split in with_keypoints_file:
                table = _counts_tagged(table, posed[f.split])
        elif f.task == "person_keypoints":  # no instances file: its objects are the keypoints file's, posed or not
            table = _tagged(table, "person_keypoints")
        if f.task == "results":
            table = _repeats_tagged(table)
        objects.append(table)
        tasks.append(f.task)
    for split, k in instances_ids.items():
        if split in with_keypoints_file and tasks[k] == "instances":
            objects[k] = _instances_only(objects[k], posed[split])
    if objects:
        objects = _unique_ids(objects, tasks) if len(objects) > 1 else objects
        out["objects"] = pa.concat_tables(objects, promote_options="default")
    for name in ("labels", "transcripts"):
        held = [(f, part) for f, b in zip(files, built, strict=True) if (part := getattr(b, name)) is not None]
        # (a detection without geometry is a label; an instances file's label may have a labels file's id)
        parts = [_repeats_tagged(part) if f.task == "results" else part for f, part in held]
        # (one of another file than a labels / captions file goes back to it: see coco_homes)
        back = LABEL_TASKS if name == "labels" else CAPTION_TASKS
        parts = [_tagged(p, f.task) if f.task in back else p for (f, _), p in zip(held, parts, strict=True)]
        parts = [p.drop_columns(["_row"]) if "_row" in p.column_names else p for p in parts]
        if parts:
            parts = _unique_ids(parts, [f.task for f, _ in held]) if len(parts) > 1 else parts
            out[name] = pa.concat_tables(parts, promote_options="default")
    return out


@dataclass
class JoinedItems:
    """The images of several files joined into one items table (see :func:`join_items`).

    Attributes:
        items: one row per image (per split and id), with every field any file gives it.
        missing: per file (its index), the item ids of images it lists without some of those fields, and
            those fields (kept in the dataset info, so that the file is written back without them).
        conflicts: images listed again with another file name, size or value of another field.
    """

    items: pa.Table
    missing: dict[int, dict[str, list[str]]]
    conflicts: list[InputError]


def join_items(files: list[CocoFile], built: list[Built]) -> JoinedItems:
    """The items of the files' images, each image once, with the fields of every file that lists it.

    An image (split and id) listed by several files is one item: the first file's row, given the metadata
    fields (``coco_url``, ``flickr_url``, ...) that only later files have. Files whose records are the same
    (COCO 2017's) are compared a column at a time; only images whose records differ are looked at one by one.
    A results file lists no images (its rows are its split's, or bare ids): it is not compared. An image a file
    lists twice (which reading refuses, and ``validate`` reports) is compared by its first record there.
    """
    if len(built) == 1:  # (a lone file has nothing to compare its images with)
        return JoinedItems(built[0].items, {}, [])
    tables, rows = [], []
    for i, b in enumerate(built):
        n = b.items.num_rows
        table = b.items.append_column("_file", pa.array(np.full(n, i, np.int64)))
        own = np.arange(n)
        if pc.count_distinct(b.items["id"]).as_py() < n:  # (validate: a file's repeat of an id, a finding of its own)
            codes = pc.index_in(b.items["id"], value_set=pc.unique(b.items["id"])).to_numpy(zero_copy_only=False)
            own = np.sort(np.unique(codes, return_index=True)[1])
            table = table.take(pa.array(own))
        tables.append(table)
        rows.append(own)
    every = pa.concat_tables(tables, promote_options="default").combine_chunks()
    file_of = every["_file"].to_numpy()
    row_in_file = np.concatenate(rows)
    ids = every["id"]
    codes = pc.index_in(ids, value_set=pc.unique(ids)).to_numpy(zero_copy_only=False)
    _, first_rows = np.unique(codes, return_index=True)
    first = first_rows[codes]
    listed = np.array([f.task != "results" for f in files])[file_of]  # (a results file lists no images)
    again = np.flatnonzero((first != np.arange(len(codes))) & listed & listed[first] & (file_of != file_of[first]))
    conflicts: list[InputError] = []
    missing: dict[int, dict[str, list[str]]] = {}
    if not len(again):
        return JoinedItems(every.filter(pa.array(first == np.arange(len(codes)))).drop_columns(["_file"]), {}, [])
    was, now = pa.array(first[again]), pa.array(again)
    differs = np.zeros(len(again), dtype=bool)
    for name in ("path", "width", "height"):
        a, b = every[name].take(was), every[name].take(now)
        one_null = true_mask(pc.is_null(a)) != true_mask(pc.is_null(b))  # (a size read of 0 x 0 is null)
        differs |= ~true_mask(pc.fill_null(pc.equal(a, b), True)) | one_null
    for k in np.flatnonzero(differs).tolist():
        r, f0 = int(again[k]), int(first[again[k]])
        p0, w0, h0 = (every[c][f0].as_py() for c in ("path", "width", "height"))
        p, w, h = (every[c][r].as_py() for c in ("path", "width", "height"))
        w0, h0, w, h = (0 if v is None else v for v in (w0, h0, w, h))  # (None: read of 0 x 0)
        conflicts.append(
            InputError(
                f"image {ids[r].as_py()} differs from the one {files[file_of[f0]].path.name} lists",
                path=files[file_of[r]].path,
                pointer=json_pointer("images", int(row_in_file[r])),
                expected=f"file_name {p0!r}, {w0} x {h0}",
                found=f"file_name {p!r}, {w} x {h}",
            )
        )
    metadata = every["metadata"]
    a, b = metadata.take(was), metadata.take(now)
    same = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
    unlike = ~true_mask(same) & ~differs
    if unlike.any():
        heads = np.unique(first[again[unlike]])
        metadata = _join_metadata(files, every, first, heads, (file_of, row_in_file, listed), missing, conflicts)
        every = every.set_column(every.schema.get_field_index("metadata"), "metadata", metadata)
    order = {str(f.path): i for i, f in enumerate(files)}

    def position(error: InputError) -> tuple[int, int]:  # (reported in file order, then image order)
        return order.get(error.location.path or "", 0), int((error.location.pointer or "//0").split("/")[2])

    conflicts.sort(key=position)
    items = every.filter(pa.array(first == np.arange(len(codes)))).drop_columns(["_file"])
    return JoinedItems(items, missing, conflicts)


def _join_metadata(
    files: list[CocoFile],
    every: pa.Table,
    first: np.ndarray,
    images: np.ndarray,
    rows_of: tuple[np.ndarray, np.ndarray, np.ndarray],
    missing: dict[int, dict[str, list[str]]],
    conflicts: list[InputError],
) -> pa.Array:
    """The metadata column with each of ``images`` (rows of their first listing) given every file's fields.

    ``rows_of``: per row of ``every``, its file, its index in the file and whether the file lists images. A
    field two files give different values is a conflict; fields a file lacks go to ``missing``.
    """
    file_of, row_in_file, listed = rows_of
    rows = np.flatnonzero(np.isin(first, images) & listed)
    metadata = every["metadata"]
    texts = metadata.take(pa.array(rows)).to_pylist()
    groups: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for r, text in zip(rows.tolist(), texts, strict=True):
        groups.setdefault(int(first[r]), []).append((r, orjson.loads(text) if text else {}))
    merged_text: dict[int, str] = {}
    for head, records in groups.items():
        merged: dict[str, Any] = {}
        origin: dict[str, int] = {}
        for r, record in records:
            for key, value in record.items():
                if key not in merged:
                    merged[key], origin[key] = value, r
                elif not same_json(merged[key], value):
                    conflicts.append(
                        InputError(
                            f"image {every['id'][r].as_py()} differs from the one "
                            f"{files[file_of[origin[key]]].path.name} lists in {key!r}",
                            path=files[file_of[r]].path,
                            pointer=json_pointer("images", int(row_in_file[r]), key),
                            expected=orjson.dumps(merged[key]).decode(),
                            found=orjson.dumps(value).decode(),
                            hint="an image has one value of each field: make the files agree",
                        )
                    )
        for r, record in records:
            lacking = [key for key in merged if key not in record]
            if lacking:
                missing.setdefault(int(file_of[r]), {})[every["id"][r].as_py()] = lacking
        merged_text[head] = orjson.dumps(merged).decode()
    index = np.full(every.num_rows, -1, dtype=np.int64)
    heads = list(merged_text)
    index[heads] = np.arange(len(heads))
    joined = pa.array(list(merged_text.values()), pa.string()).take(pa.array(index, mask=index < 0))
    return pc.if_else(pa.array(index >= 0), joined, metadata.combine_chunks())


def _merge_keypoints(instances: pa.Table, keypoints: pa.Table) -> tuple[pa.Table, pa.Table, int, int, int, int, int]:
    """Give instance objects the keypoints (and fields) of the same annotation: id, image and category.

    An instance whose record carried keypoints inline (not COCO 2017's, some tools') is tagged
    :data:`INLINE_TAG` with its ``num_keypoints`` as read, so that writing COCO gives it back its keypoints.

    Returns:
        The instances, the keypoint annotations of no instance, how many matched annotations differ from
        their instance in other fields than ``keypoints`` and ``num_keypoints`` (the keypoints file's win), how
        many in their box or segmentation (the instance's win: an object has one geometry), and how many
        carried other keypoints inline than the keypoints file's (the keypoints file's win), how many lack
        fields (extras) their instance has (the instance's are kept beside the keypoints file's), and how many
        the keypoints file lists without keypoints where their instance carried some inline (the instance's
        win). One the keypoints file lists without keypoints, whose instance has none, is tagged
        :data:`LISTED_TAG`, so that writing COCO lists it there again.
    """
    inst_ids = _annotation_keys(instances)
    pos = pc.index_in(_annotation_keys(keypoints), value_set=inst_ids)
    matched = pc.is_valid(pos)
    if not pc.any(matched).as_py():
        return instances, keypoints, 0, 0, 0, 0, 0
    kp = keypoints.filter(matched)
    target = pc.drop_null(pos).to_numpy()
    same = instances.take(pa.array(target))
    kp = kp.set_column(
        kp.schema.get_field_index("extras"), "extras", _without_carried_geometry(kp["extras"], same["extras"])
    )
    inline = valid_mask(same["keypoints"])
    listed = valid_mask(kp["keypoints"])  # (a record of the keypoints file without keypoints: its instance's kept)
    own_count, own_extras = _num_keypoints_apart(same["extras"].combine_chunks())
    kp_extras = _num_keypoints_apart(kp["extras"].combine_chunks(), counts=False)[1]
    # (an instance's num_keypoints without keypoints is kept apart: see _counts_tagged)
    given = _given_columns(same, kp)
    differ, kept, lacks = _fields_differ(same, kp, own_extras, kp_extras, given)
    moved = np.zeros(kp.num_rows, dtype=bool)
    for name in ("bbox", "polygon", "mask"):
        moved |= _rows_differ(same[name].combine_chunks(), kp[name].combine_chunks())
    unlike = inline & listed & _rows_differ(same["keypoints"].combine_chunks(), kp["keypoints"].combine_chunks())
    assert own_count is not None
    tag = pc.binary_join_element_wise(f'"{INLINE_TAG}":', _tag_value(own_count), "")
    kp_extras = kp["extras"].combine_chunks()
    if kept:  # (the instance's fields the keypoints file lacks, beside the keypoints file's)
        kept_members = pa.array([kept.get(k) for k in range(kp.num_rows)], pa.string())
        kp_extras = _with_member(kp_extras, kept_members)
    merged_extras = _with_member(kp_extras, pc.if_else(pa.array(inline), tag, _NO_TEXT))
    if unlike.any():  # (the instance's own keypoints, which writing COCO gives its record back)
        own_points = pc.binary_join_element_wise(
            f'"{POINTS_TAG}":', list_json(same["keypoints"].combine_chunks().filter(pa.array(unlike))), ""
        )
        index = np.full(kp.num_rows, -1, dtype=np.int64)
        index[unlike] = np.arange(int(unlike.sum()))
        merged_extras = _with_member(merged_extras, own_points.take(pa.array(index, mask=index < 0)))
    bare = pa.scalar(f'"{LISTED_TAG}":true', pa.string())  # (listed there without keypoints, and has none)
    merged_extras = _with_member(merged_extras, pc.if_else(pa.array(~listed & ~inline), bare, _NO_TEXT))
    n = instances.num_rows
    source = np.full(n, -1, dtype=np.int64)
    source[target] = np.arange(len(target))
    take = pa.array(np.where(source >= 0, source, 0))
    has = pa.array(source >= 0)
    own_kp = pc.if_else(pa.array(listed), kp["keypoints"].combine_chunks(), same["keypoints"].combine_chunks())
    new_kp = pc.if_else(has, own_kp.take(take), instances["keypoints"].combine_chunks())
    new_extras = pc.if_else(has, merged_extras.take(take), instances["extras"].combine_chunks())
    instances = instances.set_column(instances.schema.get_field_index("keypoints"), "keypoints", new_kp)
    instances = instances.set_column(instances.schema.get_field_index("extras"), "extras", new_extras)
    for name, gives in given.items():  # (the keypoints file's are kept, as its extras are: see _fields_differ)
        mine = instances[name].combine_chunks()
        # (where the keypoints record has none, the instance's own: taking the null dropped it from both files)
        theirs = pc.if_else(pa.array(gives), kp[name].combine_chunks().cast(mine.type), same[name].combine_chunks())
        instances = instances.set_column(
            instances.schema.get_field_index(name), name, pc.if_else(has, theirs.take(take), mine)
        )
    unmatched = keypoints.filter(pc.invert(matched))
    unposed = int((inline & ~listed).sum())
    return instances, unmatched, int(differ.sum()), int(moved.sum()), int(unlike.sum()), lacks, unposed


def _counts_tagged(instances: pa.Table, posed: np.ndarray) -> pa.Table:
    """Tag with :data:`COUNT_TAG` the instances without keypoints that carry a ``num_keypoints``.

    Beside a keypoints file, whose ``num_keypoints`` a matched object takes: writing COCO gives them back their own.
    """
    extras = instances["extras"].combine_chunks()
    counted = contains_match(extras, _NUM_KEYPOINTS) & ~posed
    if not counted.any():
        return instances
    count = _num_keypoints_apart(extras)[0]
    assert count is not None
    tag = pc.binary_join_element_wise(f'"{COUNT_TAG}":', _tag_value(count), "")
    tagged = _with_member(extras, pc.if_else(pa.array(counted), tag, _NO_TEXT))
    return instances.set_column(instances.schema.get_field_index("extras"), "extras", tagged)


def _instances_only(instances: pa.Table, posed: np.ndarray) -> pa.Table:
    """Tag the instances with keypoints inline that the keypoints file beside them did not list.

    ``posed``: the instances with keypoints as read (those the keypoints file lists are tagged when merged).
    They get ``"coco:@task":"instances"``, so that writing COCO keeps them out of the keypoints file, and
    :data:`INLINE_TAG`, so that it gives them back their keypoints in the instances file.
    """
    extras = instances["extras"].combine_chunks()
    alone = posed & ~contains_match(extras, f'"{STUFF_TAG}":')
    alone &= ~contains_match(extras, f'"{INLINE_TAG}":')
    if not alone.any():
        return instances
    count = _num_keypoints_apart(extras)[0]
    assert count is not None
    tag = pc.binary_join_element_wise(f'"{INLINE_TAG}":', _tag_value(count), f',"{STUFF_TAG}":"instances"', "")
    tagged = _with_member(extras, pc.if_else(pa.array(alone), tag, _NO_TEXT))
    return instances.set_column(instances.schema.get_field_index("extras"), "extras", tagged)


_NO_TEXT = pa.scalar(None, pa.string())


def _tag_value(counts: pa.Array) -> pa.Array:
    """:data:`INLINE_TAG`'s value for each ``num_keypoints`` text read (null: none).

    The number, ``null`` for none, else the text as a JSON string (a value COCO does not allow, ``"2"``:
    quoted and escaped).
    """
    number = pc.match_substring_regex(counts, r"^-?[0-9]")
    body = pc.replace_substring(pc.replace_substring(counts, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', body, '"', "")
    return pc.fill_null(pc.if_else(number, counts, quoted), "null")


def _with_member(extras: pa.Array, members: pa.Array | pa.Scalar) -> pa.Array:
    """``extras`` with one more member (``"key":value`` text) in each row where ``members`` has one (a scalar: all)."""
    bare = pc.or_kleene(pc.is_null(extras), pc.equal(extras, "{}"))
    added = pc.if_else(
        bare,
        pc.binary_join_element_wise("{", members, "}", ""),
        pc.binary_join_element_wise(pc.utf8_slice_codeunits(extras, 0, -1), ",", members, "}", ""),
    )
    return pc.if_else(pc.is_null(members), extras, added)


def _rows_differ(a: pa.Array, b: pa.Array) -> np.ndarray:
    """Which rows of two arrays of one type (lists, structs or scalars, nested) hold different values."""
    a_null = ~valid_mask(a)
    differ: np.ndarray = a_null != ~valid_mask(b)
    if pa.types.is_struct(a.type):
        for k in range(a.type.num_fields):
            differ |= ~a_null & _rows_differ(a.field(k), b.field(k))  # (a null struct's fields are not looked at)
    elif pa.types.is_list(a.type) or pa.types.is_fixed_size_list(a.type):
        lengths = [pc.fill_null(pc.list_value_length(x), 0).to_numpy(zero_copy_only=False) for x in (a, b)]
        differ |= lengths[0] != lengths[1]
        rows = np.flatnonzero(~differ & ~a_null)  # (the same length: their values line up)
        if len(rows):
            sa, sb = a.take(pa.array(rows)), b.take(pa.array(rows))
            inner = _rows_differ(pc.list_flatten(sa), pc.list_flatten(sb))
            parent = pc.list_parent_indices(sa).to_numpy(zero_copy_only=False)
            differ[rows] |= np.bincount(parent[inner], minlength=len(rows)) > 0
    else:
        differ |= ~a_null & ~true_mask(pc.fill_null(pc.equal(a, b), False))
    return differ


_NUM_KEYPOINTS = '"coco:num_keypoints":'
_PLAIN_VALUE = r"-?[0-9][0-9.eE+-]*|true|false|null"
"""A carried value that holds no comma, brace or quote: a number's text (``2``, ``1e1``), as COCO's files have."""


def _num_keypoints_apart(extras: pa.Array, counts: bool = True) -> tuple[pa.Array | None, pa.Array]:
    """Per row: its ``num_keypoints`` as read, and its extras without it.

    The ``num_keypoints`` are JSON texts (null without one; None unless ``counts``). A plain value is cut out by
    regular expressions, a column at a time; the other rows (a string, a list) are decoded one by one.
    """
    has = contains_match(extras, _NUM_KEYPOINTS)
    if not has.any():
        return (pa.nulls(len(extras), pa.string()) if counts else None), extras
    found = None
    if counts:
        found = pc.struct_field(pc.extract_regex(extras, f"{_NUM_KEYPOINTS}(?P<n>{_PLAIN_VALUE})[,}}]"), "n")
    rest = pc.replace_substring_regex(extras, f",?{_NUM_KEYPOINTS}(?:{_PLAIN_VALUE})([,}}])", r"\1")
    rest = pc.replace_substring_regex(rest, r"^\{,", "{")
    odd = np.flatnonzero(contains_match(rest, _NUM_KEYPOINTS))  # (a value the expressions do not take)
    if len(odd):
        members = [loads_text(text) for text in extras.take(pa.array(odd)).to_pylist()]
        mask = np.zeros(len(extras), dtype=bool)
        mask[odd] = True
        values = [orjson.dumps(m.pop("coco:num_keypoints")).decode() for m in members]
        if found is not None:
            found = pc.replace_with_mask(found, pa.array(mask), pa.array(values, pa.string()))
        rest = pc.replace_with_mask(rest, pa.array(mask), pa.array([orjson.dumps(m).decode() for m in members]))
    return found, pc.if_else(pc.equal(rest, "{}"), _NO_TEXT, rest)


_COMPARED_COLUMNS = ("attributes", "occluded", "score")
"""Columns of an instance and its keypoints annotation compared (and taken from the keypoints file) beside extras."""

_CARRIED_ATTRIBUTES = "coco:attributes"
"""The extra carrying a record's attributes that are no flat object (``{}``, nested values): see coco_build."""

_CARRIED_GEOMETRY = ("coco:segmentation", "coco:bbox")
"""Extras carrying a geometry field an object has none of (``"segmentation": []``, ``"bbox": null``)."""


def _without_carried_geometry(extras: pa.ChunkedArray | pa.Array, instances: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A keypoints file's extras without the geometry it carries where its instance carries none of that name.

    The instance's geometry is the object's (a polygon where the keypoints record has ``"segmentation": []``, as
    some tools write keypoint files): the keypoints record's carried ``[]`` beside it is a second segmentation,
    which a COCO writer refuses as a field of its record's own.
    """
    extras = extras.combine_chunks() if isinstance(extras, pa.ChunkedArray) else extras
    instances = instances.combine_chunks() if isinstance(instances, pa.ChunkedArray) else instances
    maybe = np.zeros(len(extras), dtype=bool)
    for key in _CARRIED_GEOMETRY:
        maybe |= contains_match(extras, f'"{key}"')
    if not maybe.any():
        return extras
    values = extras.to_pylist()
    for row in np.flatnonzero(maybe).tolist():
        own = members_or_raw(instances[row].as_py()) if instances[row].is_valid else {}
        theirs = members_or_raw(values[row])
        kept = {k: v for k, v in theirs.items() if k not in _CARRIED_GEOMETRY or k in own}
        if len(kept) != len(theirs):
            texts = (f"{orjson.dumps(k).decode()}:{value_text(v)}" for k, v in kept.items())
            values[row] = "{" + ",".join(texts) + "}" if kept else None
    return pa.array(values, pa.string())


def _given_columns(instances: pa.Table, keypoints: pa.Table) -> dict[str, np.ndarray]:
    """Per column compared (:data:`_COMPARED_COLUMNS`) that both tables have, which keypoints records give it a value.

    A record's attributes that are no flat object (``{}``) are carried in its extras (``coco:attributes``): that
    record gives attributes too, though its column is null.
    """
    given: dict[str, np.ndarray] = {}
    for name in _COMPARED_COLUMNS:
        if name in instances.column_names and name in keypoints.column_names:
            given[name] = valid_mask(keypoints[name])
    if "attributes" in given:
        given["attributes"] = given["attributes"] | _carry(keypoints["extras"].combine_chunks(), _CARRIED_ATTRIBUTES)
    return given


def _carry(extras: pa.Array, key: str) -> np.ndarray:
    """Which rows of an extras column hold ``key`` as a member of their own (not one nested deeper)."""
    rows = np.flatnonzero(contains_match(extras, f"{orjson.dumps(key).decode()}:"))
    carry = np.zeros(len(extras), dtype=bool)
    for row, text in zip(rows.tolist(), extras.take(pa.array(rows, pa.int64())).to_pylist(), strict=True):
        carry[row] = key in members_or_raw(text)
    return carry


def _fields_differ(
    instances: pa.Table,
    keypoints: pa.Table,
    own_extras: pa.Array,
    kp_extras: pa.Array,
    given: dict[str, np.ndarray],
) -> tuple[np.ndarray, dict[int, str], int]:
    """Which rows of two tables of the same annotations differ in attributes, flags or extras the keypoints file has.

    ``own_extras`` and ``kp_extras`` are the extras compared: without ``num_keypoints`` (the keypoints file's,
    and the instance's: :func:`_merge_keypoints` and :func:`_counts_tagged` keep it). ``given``: per column
    compared, which keypoints records give it (see :func:`_given_columns`). A field only the instance has (an
    extra, or a column the keypoints record leaves null) is no difference: it is kept (an extra returned per row
    as ``"key":value`` members, by row), and the rows that lack one other than bookkeeping (``coco:@``) are
    counted. The instance's attributes carried in its extras are not kept beside attributes the keypoints
    record gives in its column (a COCO record holds one attributes object): they differ.
    """
    differ = np.zeros(instances.num_rows, dtype=bool)
    lacking = np.zeros(instances.num_rows, dtype=bool)
    kept: dict[int, str] = {}
    kp_attributes = valid_mask(keypoints["attributes"]) if "attributes" in given else lacking
    pairs = ((own_extras, kp_extras, None), *((instances[c], keypoints[c], gives) for c, gives in given.items()))
    for k, (a, b, gives) in enumerate(pairs):
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        unlike = ~true_mask(pc.or_(same, both_null))
        if gives is not None:  # (a value only the instance has is kept, as an extra only it has is)
            lacking |= unlike & ~gives
            unlike &= gives
        if not k and unlike.any():  # extras spelled apart (whitespace, key order) may hold the same values
            rows = np.flatnonzero(unlike & valid_mask(a))
            picked = pa.array(rows)
            for row, x, y in zip(rows.tolist(), a.take(picked).to_pylist(), b.take(picked).to_pylist(), strict=True):
                own, theirs = members_or_raw(x), (members_or_raw(y) if y is not None else {})
                unlike[row] = any(key not in own or not _same_value(own[key], v) for key, v in theirs.items())
                if kp_attributes[row] and _CARRIED_ATTRIBUTES in own:  # (the keypoints record's attributes win)
                    unlike[row] = True
                    own.pop(_CARRIED_ATTRIBUTES)
                only = [key for key in own if key not in theirs]
                if only:
                    kept[row] = ",".join(f"{orjson.dumps(key).decode()}:{value_text(own[key])}" for key in only)
                    lacking[row] |= any(not key.startswith("coco:@") for key in only)
        differ |= unlike
    return differ, kept, int(lacking.sum())


def _same_value(a: Any, b: Any) -> bool:
    """Whether two extras values (decoded, or ``msgspec.Raw`` holding a number no float holds) are the same."""
    if isinstance(a, msgspec.Raw) or isinstance(b, msgspec.Raw):
        return isinstance(a, msgspec.Raw) and isinstance(b, msgspec.Raw) and bytes(a) == bytes(b)
    return same_json(a, b)


def _annotation_keys(table: pa.Table) -> pa.Array:
    """Per object, its annotation id, image and category as one text (what makes two files' rows one object)."""
    category = table["category_id"].cast(pa.string()).fill_null("")
    return pc.binary_join_element_wise(table["id"], table["item_id"], category, "\x00").combine_chunks()


def _repeats_tagged(table: pa.Table) -> pa.Table:
    """Put ``results/<n>/`` before the n-th repeat (from the 2nd) of an id in a detection-results file's records.

    A results list may repeat an id (pycocotools' ``loadRes`` numbers its detections anew; labelkit numbers those
    without an id by their place, which may be another's id), and an object id names one object. The number
    after the last ``/`` stays the id's, so writing COCO numbers the repeats as it did.
    """
    ids = table["id"].combine_chunks()
    if pc.count_distinct(ids).as_py() == len(ids):
        return table
    seen: dict[str, int] = {}
    tagged = []
    for i in ids.to_pylist():
        seen[i] = seen.get(i, 0) + 1
        tagged.append(i if seen[i] == 1 else f"results/{seen[i]}/{i}")
    return table.set_column(table.schema.get_field_index("id"), "id", pa.array(tagged, ids.type))


def _unique_ids(objects: list[pa.Table], tasks: list[str]) -> list[pa.Table]:
    """Put ``<task>/`` before the ids of a later file's records that an earlier file's records of a kind have.

    Detection results are numbered 1..N and a keypoints file may hold annotations of no instance: their
    ids would repeat the instances'.
    """
    every = pa.chunked_array([c for t in objects for c in t["id"].chunks], objects[0].schema.field("id").type)
    if pc.count_distinct(every).as_py() == len(every):  # (one pass: a file each split, each looked up in all before)
        return objects
    seen = objects[0]["id"].combine_chunks()
    out = [objects[0]]
    for table, task in zip(objects[1:], tasks[1:], strict=True):
        clash = pc.is_in(table["id"], value_set=seen)
        if pc.any(clash).as_py():
            ids = pc.if_else(clash, pc.binary_join_element_wise(f"{task}/", table["id"], ""), table["id"])
            table = table.set_column(table.schema.get_field_index("id"), "id", ids)
        out.append(table)
        seen = pa.concat_arrays([seen, table["id"].combine_chunks()])
    return out
