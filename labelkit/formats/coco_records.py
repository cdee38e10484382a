"""COCO file-level records -> labelkit: images (items) and the dataset info a round trip needs.

Images become items: the image id is the item id (``<split>/<id>`` when two splits share an id),
``file_name`` the media path, every other field item metadata. Categories are read by
:mod:`labelkit.formats.coco_categories`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer, shown
from labelkit.formats.coco_categories import category_record, own_values, require_fields, same_json
from labelkit.formats.coco_homes import files_read, keypoints_file_values
from labelkit.formats.coco_names import url_path
from labelkit.formats.coco_read import CocoFile, Int64, msgspec_reason, pointer_of
from labelkit.io import MAX_FIELD_DEPTH, is_plain_relpath, json_text, refuse_deep, safe_relpath
from labelkit.json_places import integer_error
from labelkit.model import Category, DatasetInfo
from labelkit.model.annotations import INT64_MAX, INT64_MIN
from labelkit.model.tables import true_mask
from labelkit.portable import plain_relpaths
from labelkit.report import Finding

IMAGE_FIELDS = ("id", "file_name", "width", "height")


def build_items(f: CocoFile, prefix: str) -> tuple[pa.Table, np.ndarray, list[Finding]]:
    """The items table of a file, the image ids (int64) and duplicate-id findings.

    Raises:
        InputError: an image lacks a required field, has a non-integer id or size, or an unsafe file name.
    """
    if f.heads is not None:  # (the records as columns, typed: see coco_heads)
        h = f.heads
        ids, paths, widths, heights = _plain_columns(h.ids, h.names, h.widths, h.heights) or _checked_columns(f)
        texts = h.metadata.cast(pa.string())
    else:
        ids, paths, widths, heights = _listed_columns(f.images) or _checked_columns(f)
        try:
            metadata = [_image_metadata(image) for image in f.images]
        except TypeError:  # an integer orjson cannot write (beyond 64 bits), or a value nested too deep: find it
            for i, image in enumerate(f.images):
                _refuse_deep_fields(image, f, i)
                json_text(image, f.path, json_pointer("images", i))
            raise
        texts = pa.array(metadata, pa.string())
    # a field nested past MAX_FIELD_DEPTH takes that many brackets, opened and closed: only longer texts can hold one
    long = np.flatnonzero(true_mask(pc.greater(pc.binary_length(texts), 2 * MAX_FIELD_DEPTH)))
    if len(long):
        some = texts.take(pa.array(long))
        brackets = pc.add(pc.count_substring(some, "["), pc.count_substring(some, "{"))
        for i in long[true_mask(pc.greater(brackets, MAX_FIELD_DEPTH))].tolist():  # (only those can be)
            _refuse_deep_fields(f.images[i], f, i)
    id_array = np.array(ids, dtype=np.int64)
    findings = [
        Finding(str(f.path), json_pointer("images", int(i), "id"), f"duplicate image id {int(id_array[i])}")
        for i in duplicates(id_array)
    ]
    n = len(ids)
    # an image of 0 x 0 is one of unknown size, as Datumaro writes it (and VOC tools): nothing to be outside of
    unsized = (np.array(widths, np.int64) == 0) & (np.array(heights, np.int64) == 0) if n else None
    table = pa.table(
        {
            "id": pc.binary_join_element_wise(prefix, pa.array(ids, pa.int64()).cast(pa.string()), ""),
            "media": pa.array(["image"] * n, pa.string()),
            "path": paths if isinstance(paths, pa.Array) else pa.array(paths, pa.string()),
            "width": pa.array(widths, pa.int64(), mask=unsized),
            "height": pa.array(heights, pa.int64(), mask=unsized),
            "split": pa.array([f.split] * n, pa.string()),
            "metadata": texts,
        }
    )
    return table, id_array, findings


def _refuse_deep_fields(image: dict[str, Any], f: CocoFile, i: int) -> None:
    for key, value in image.items():
        refuse_deep(value, f.path, json_pointer("images", i, key))


def _image_metadata(image: dict[str, Any]) -> str | None:
    rest = image.copy()  # then the four fields popped: faster than a comprehension testing every key
    for key in IMAGE_FIELDS:
        rest.pop(key, None)
    return orjson.dumps(rest).decode() if rest else None


Columns = tuple[list[Any], Any, list[Any], list[Any]]


def _listed_columns(images: list[dict[str, Any]]) -> Columns | None:
    """Ids, file names, widths and heights, when every image has them well typed and every name is plain.

    A whole column at a time; None sends the file to :func:`_checked_columns`, which says what is wrong.
    """
    try:
        ids = [image["id"] for image in images]
        names = [image["file_name"] for image in images]
        widths = [image["width"] for image in images]
        heights = [image["height"] for image in images]
    except KeyError:
        return None
    for column, least in ((ids, INT64_MIN), (widths, 0), (heights, 0)):
        if not all(type(v) is int for v in column):  # bool is not int here, as in the careful check
            return None
        if column and not (least <= min(column) and max(column) <= INT64_MAX):
            return None
    if not all(type(name) is str for name in names):
        return None
    return _plain_columns(ids, names, widths, heights)


def _plain_columns(ids: list[int], names: list[str], widths: list[int], heights: list[int]) -> Columns | None:
    """The columns (well typed), when every name is plain; else None."""
    paths = pa.array(names, pa.string())  # (the items' column: a column's check costs a third of a loop's)
    if len(paths) and not pc.all(plain_relpaths(paths)).as_py():
        return None
    return ids, paths, widths, heights


def _checked_columns(f: CocoFile) -> Columns:
    """The same columns, image by image, raising on the first image that lacks a field or has a bad one."""
    ids: list[int] = []
    paths: list[str] = []
    widths: list[int] = []
    heights: list[int] = []
    for i, image in enumerate(f.images):
        if "file_name" not in image and "id" in image:  # (LVIS v1's images: a coco_url)
            if "coco_url" not in image:
                at = json_pointer("images", i, "file_name")
                raise InputError("missing required field 'file_name' or 'coco_url'", path=f.path, pointer=at)
            image = {**image, "file_name": _url_name(image["coco_url"], f, i)}
            f.unnamed.append(i)
        require_fields(image, IMAGE_FIELDS, f, "images", i)
        for key in ("id", "width", "height"):
            if not isinstance(image[key], int) or isinstance(image[key], bool):
                raise InputError(
                    f"{key} must be an integer",
                    path=f.path,
                    pointer=json_pointer("images", i, key),
                    found=shown(image[key]),
                )
            if not INT64_MIN <= image[key] <= INT64_MAX:
                raise InputError(f"{key} does not fit in 64 bits", path=f.path, pointer=json_pointer("images", i, key))
            if key != "id" and image[key] < 0:
                raise InputError(
                    f"{key} must not be negative",
                    path=f.path,
                    pointer=json_pointer("images", i, key),
                    found=str(image[key]),
                )
        name = image["file_name"]
        if not isinstance(name, str):
            at = json_pointer("images", i, "file_name")
            raise InputError("file_name must be a string", path=f.path, pointer=at, found=shown(name))
        ids.append(image["id"])
        if not is_plain_relpath(name):
            at = json_pointer("images", i, "file_name")
            read = safe_relpath(name, source=f.path, pointer=at, keep_url=True)
            if read == ".":  # ("." or "./": the images' folder itself, no file, as "" is; it was the media path ".")
                raise InputError(f"unsafe file name {name!r}", path=f.path, pointer=at, hint="a file_name names a file")
            if read != name:  # (a read note says so: COCO -> COCO writes it as read)
                f.renamed.append((i, name, read))
            name = read
        paths.append(name)
        widths.append(image["width"])
        heights.append(image["height"])
    return ids, paths, widths, heights


def _url_name(url: Any, f: CocoFile, i: int) -> str:
    """The path an image of no ``file_name`` is read at: its ``coco_url``'s last two parts (``val2017/x.jpg``).

    LVIS v1's images give no file_name, only the COCO image's URL; Detectron2's LVIS loader names the file so.

    Raises:
        InputError: a URL of no such two plain parts, at its pointer.
    """
    name = url_path(url)
    if name is None:
        raise InputError(
            "no file_name, and coco_url names no image file",
            path=f.path,
            pointer=json_pointer("images", i, "coco_url"),
            found=shown(url),
            hint="an image's file_name is its path; LVIS v1's coco_url ends in <folder>/<file>",
        )
    return name


def duplicates(values: np.ndarray) -> list[int]:
    """Indexes of the second and later occurrences of a value, in order."""
    if len(values) < 2:
        return []
    order = np.argsort(values, kind="stable")
    dup = np.zeros(len(values), dtype=bool)
    sorted_values = values[order]
    dup[order[1:]] = sorted_values[1:] == sorted_values[:-1]
    return [int(i) for i in np.flatnonzero(dup)]


class _ImageRef(msgspec.Struct):
    image_id: Int64


def result_image_ids(f: CocoFile) -> np.ndarray:
    """The distinct image ids of a detection-results file, in order of appearance (decoded once per file).

    Raises:
        InputError: an annotation without an integer ``image_id``.
    """
    if f.result_ids is None:
        body = b"[" + b",".join(f.raw_annotations) + b"]"
        try:
            refs = msgspec.json.decode(body, type=list[_ImageRef])
        except msgspec.ValidationError as exc:
            pointer, reason = pointer_of(str(exc)), msgspec_reason(exc)
            if reason == "Object missing required field `image_id`":  # (said as validate says it)
                raise InputError(
                    "missing required field 'image_id'", path=f.path, pointer=f"{pointer or ''}/image_id"
                ) from exc
            if pointer:  # (msgspec's words: said as an instance's is)
                raw = f.raw_annotations[int(pointer.split("/")[1])]
                if (error := integer_error(reason, "image_id", raw, f.path, pointer)) is not None:
                    raise error from exc
            raise InputError(reason, path=f.path, pointer=pointer) from exc
        ids = np.array([r.image_id for r in refs], dtype=np.int64)
        _, first = np.unique(ids, return_index=True)
        f.result_ids = ids[np.sort(first)]
    return f.result_ids


def result_items(f: CocoFile, prefix: str) -> tuple[pa.Table, np.ndarray, list[Finding]]:
    """Detection results name images only by id: one item per distinct id, in order of appearance."""
    unique = result_image_ids(f)
    n = len(unique)
    table = pa.table(
        {
            "id": pc.binary_join_element_wise(prefix, pa.array(unique).cast(pa.string()), ""),
            "media": pa.array(["image"] * n, pa.string()),
            "width": pa.nulls(n, pa.int64()),
            "height": pa.nulls(n, pa.int64()),
            "split": pa.array([f.split] * n, pa.string()),
        }
    )
    return table, unique, []


def check_kept_sections(f: CocoFile) -> None:
    """Refuse a file's ``info``, ``licenses`` or other top-level value that cannot be kept, or read back.

    An integer beyond 64 bits cannot be kept as JSON; a value nested more than MAX_FIELD_DEPTH levels is not read
    back from labelkit JSON, whose dataset info holds it up to six levels down.

    Raises:
        InputError: at the section's pointer (reading and ``validate`` both call this).
    """
    kept = {key: getattr(f, key) for key in ("info", "licenses") if getattr(f, key) is not None}
    for key, value in {**kept, **f.extra_keys}.items():
        refuse_deep(value, f.path, json_pointer(key))
        json_text(value, f.path, json_pointer(key))


def dataset_info(
    files: Sequence[CocoFile],
    skipped: int,
    categories: Sequence[Category] = (),
    image_missing: dict[int, dict[str, list[str]]] | None = None,
    posed: dict[int, set[int]] | None = None,
) -> DatasetInfo:
    """Dataset info holding what a COCO -> COCO round trip needs: info, licenses and the file list.

    ``image_missing``: per file (index), the fields of its images' items that it does not list (see
    ``coco_join.join_items``), written as ``image_missing`` in its entry of the file list. A file's entry also has
    the fields each of its categories has, where they are not the category's (``category_fields``), and the
    values of its own where they differ from the category's, which has the first file's (``category_values``).
    ``posed``: per file (index), the categories of its annotations with keypoints; those of a file whose record of
    the category names no keypoints while another file's does are listed as ``nameless_keypoints`` (written back
    so: the writer names them in a file that gets keypoints of a category it did not carry them of).
    """
    extras: dict[str, Any] = {}
    for f in files:
        check_kept_sections(f)
        if f.info is not None and "coco:info" not in extras:
            extras["coco:info"] = f.info
        if f.licenses is not None and "coco:licenses" not in extras:
            extras["coco:licenses"] = f.licenses
    order: dict[str | None, dict[Any, None]] = {}  # a split's images in the order its items are read
    for f in files:
        order.setdefault(f.split, {}).update(dict.fromkeys(f.image_ids()))
    records: dict[int, tuple[dict[str, Any], str]] = {}  # category id -> (its record, its JSON, keys sorted)
    for category in categories:
        record = category_record(category)
        # (as text: orjson 3.13's bytes each hold a 4 KiB buffer, 0.4 GB kept for 100,000 categories)
        records[category.id] = (record, orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode())
    natural = {i: set(record) for i, (record, _) in records.items()}
    specs = []
    for index, f in enumerate(files):
        spec: dict[str, Any] = {
            "task": f.task,
            "split": f.split,
            "keys": f.present,
            "categories": [c.get("id") for c in f.categories],
        }
        fields = {str(c["id"]): list(c) for c in f.categories if c.get("id") in natural and set(c) != natural[c["id"]]}
        if fields:  # e.g. person has keypoints in person_keypoints_*.json but not in instances_*.json
            spec["category_fields"] = fields
            carried = (posed or {}).get(index, ())
            nameless = sorted(c for c in carried if "keypoints" not in fields.get(str(c), ["keypoints"]))
            if nameless:
                spec["nameless_keypoints"] = nameless
        values: dict[str, dict[str, Any]] = {}  # e.g. LVIS's per-split image_count (the category has the first's)
        for c in f.categories:
            if c.get("id") in records:
                model, text = records[c["id"]]
                differing = own_values(c, model, text)
                if differing:
                    values[str(c["id"])] = differing
        if values:
            spec["category_values"] = values
        if image_missing and index in image_missing:  # e.g. a flickr_url only another file of the split gives
            spec["image_missing"] = image_missing[index]
        own = dict(f.extra_keys)  # (other top-level keys: written back as read)
        for key in ("info", "licenses"):  # a file's own info and licenses (COCO's stuff files have their own)
            if getattr(f, key) is not None and not same_json(getattr(f, key), extras.get(f"coco:{key}")):
                own[key] = getattr(f, key)
        if own:
            spec["own"] = own
        if f.task == "results" and f.path.name != f"results_{f.split}.json":  # (cocoapi's names: written back so)
            spec["name"] = f.path.name
        if f.task == "results" and f.had_ids:  # written back with them (without, numbered 1..N as read)
            spec["ids"] = True
        ids = list(f.image_ids())
        if f.task != "results" and (ids != list(order[f.split]) or not ids):
            # this file lists fewer images than its split has, or in another order, or none (a file of categories)
            spec["images"] = ids
        specs.append(spec)
    extras["coco:files"] = specs
    if skipped:
        extras["coco:skipped_annotations"] = skipped
    return DatasetInfo(extras=extras)


def files_keypoint_counts(info: DatasetInfo, categories: list[Category]) -> dict[str, dict[int, dict[str, int | None]]]:
    """Per split read (``default``: of none), per category: the number of keypoint names each file gives it, by task.

    A category's keypoint names are kept per file (``category_values`` in the file list of :func:`dataset_info`):
    a keypoints file may name more points than the instances file beside it, and its annotations have as many. A
    file whose category has no names (``category_fields`` without ``keypoints``: an instances file beside a
    keypoints file) gives none; one that carried keypoints of it so (``nameless_keypoints``, written back naming
    none), or whose names are ``[]``, as Datumaro writes, gives None: any count (COCO's tools read a file alone,
    and check no count against names it does not give). The others give their own names, else the category's.
    Tasks: ``instances``, ``stuff``, ``person_keypoints`` (a split's first file of a task counts).
    """
    base = {c.id: len(c.keypoints) for c in categories if c.keypoints}
    files = info.extras.get("coco:files")
    out: dict[str, dict[int, dict[str, int | None]]] = {}
    for spec in files if isinstance(files, list) else []:
        if not isinstance(spec, dict) or (task := spec.get("task")) not in ("instances", "person_keypoints", "stuff"):
            continue
        per = out.setdefault(str(spec.get("split") or "default"), {})
        listed = spec.get("categories")
        given_values, given_fields = spec.get("category_values"), spec.get("category_fields")
        values: dict[str, Any] = given_values if isinstance(given_values, dict) else {}
        fields: dict[str, Any] = given_fields if isinstance(given_fields, dict) else {}
        given_nameless = spec.get("nameless_keypoints")
        nameless = set(given_nameless) if isinstance(given_nameless, list) else set()
        for cid in listed if isinstance(listed, list) else list(base):
            if not isinstance(cid, int) or isinstance(cid, bool):
                continue
            own = values.get(str(cid))
            names = own.get("keypoints") if isinstance(own, dict) else None
            if isinstance(names, list):
                per.setdefault(cid, {}).setdefault(task, len(names) or None)
            elif cid in base and "keypoints" in fields.get(str(cid), ["keypoints"]):
                per.setdefault(cid, {}).setdefault(task, base[cid])
            elif cid in nameless:  # (its keypoints read against no names: written back so, named none)
                per.setdefault(cid, {}).setdefault(task, None)
    return out


def new_split_keypoint_counts(info: DatasetInfo, categories: list[Category]) -> dict[int, dict[str, int]]:
    """Per category: the number of keypoint names the files of a split the dataset was not read with give it.

    Its instances file, the category's own; its keypoints file (where the dataset was read with keypoints files
    holding objects beside instances or stuff files, or alone), the first keypoints file's read that names them
    (:func:`~labelkit.formats.coco_homes.keypoints_file_values`), else the category's own.
    """
    base = {c.id: len(c.keypoints) for c in categories if c.keypoints}
    read = files_read(info.extras.get("coco:files"))
    tasks = {f.get("task") for f in read}
    out: dict[int, dict[str, int]] = {cid: {"instances": n} for cid, n in base.items()}
    if "person_keypoints" in tasks and tasks & {"instances", "stuff", "results"} != {"results"}:
        values = keypoints_file_values(read)
        for cid, n in base.items():
            names = values.get(str(cid), {}).get("keypoints")
            out[cid]["person_keypoints"] = len(names) if isinstance(names, list) else n
    return out
