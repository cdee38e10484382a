"""COCO: instances, keypoints, captions, image labels and detection results (https://cocodataset.org/#format-data).

Reads one JSON file, or a folder in the standard layout (``annotations/<task>_<split>.json``, also
MMDetection's), or Roboflow's (``<split>/_annotations.coco.json``): every file becomes part of one dataset
with splits. Writes the standard layout, ``annotations/<task>_<split>.json``. One COCO annotation is one
object (or image-level label, or caption). COCO -> COCO keeps image, annotation and category ids and every
extra field; see :mod:`labelkit.formats.coco_build` for the mapping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.coco_build import Built, build
from labelkit.formats.coco_geometry import BBOX_TEXT, POLYGON_TEXT
from labelkit.formats.coco_plan import check_dataset
from labelkit.formats.coco_plan import writable as writable  # (api takes out what COCO cannot write)
from labelkit.formats.coco_read import TASK_RE, CocoFile, decode_file, task_and_split
from labelkit.formats.coco_records import dataset_info, merge_categories, result_image_ids, same_json
from labelkit.formats.coco_shapes import geometryless
from labelkit.formats.coco_text import STUFF_TAG
from labelkit.formats.coco_write import Writer
from labelkit.io import paused_gc, read_head, require_utf8_name
from labelkit.model import Category, Dataset
from labelkit.model.tables import keep_source_text, true_mask
from labelkit.report import Finding, Report

NAME = "coco"
DESCRIPTION = "COCO JSON: instances (boxes, polygons, RLE masks), keypoints, captions, image labels, results"
OUTPUT: Literal["dir"] = "dir"
SPLIT_FILES = True
"""Splits name this format's files and folders (see ``formats.base.SPLIT_FILES``)."""
EXTENSIONS = (".json",)
CAPABILITIES = Capabilities(
    kinds=frozenset({"label", "object", "transcript"}),
    shapes=frozenset({"box", "polygon", "mask", "keypoints"}),
    geometry=frozenset({"bbox", "polygon", "mask", "keypoints"}),
    media=frozenset({"image"}),
    attributes=True,
    scores=True,
    item_metadata=True,
    splits=True,
    extras="coco",
    category_fields=frozenset({"supercategory", "keypoints", "skeleton"}),
)
OPTIONS: dict[str, Option] = {
    "skip_invalid": Option(
        "skip_invalid",
        "bool",
        False,
        "skip annotations that fail the semantic checks (unknown image or category, bad box, polygon, RLE or "
        "keypoints, duplicate id) instead of refusing the file; the dataset info records how many",
        applies="read",
    ),
    "reindex": Option(
        "reindex",
        "bool",
        False,
        "renumber categories 1..N in the dataset's category order (COCO input: the order of its categories list)",
        applies="write",
    ),
}
SKIPPED_KEY = "coco:skipped_annotations"
_TASK_ORDER = {"instances": 0, "stuff": 1, "person_keypoints": 2, "labels": 3, "captions": 4, "image_info": 5}


# -- finding the files ----------------------------------------------------------------------------------


def _sniff(path: Path) -> bytes:
    return read_head(path, 65536)


def _empty_results(file: Path, head: bytes) -> bool:
    """A detection-results file named so (``results_<split>.json``) that lists no detection: ``[]``."""
    return head.replace(b" ", b"").strip() == b"[]" and task_and_split(file)[0] == "results"


UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 (the reader says the text is not UTF-8)


def _looks_coco(head: bytes) -> bool:
    text = head.removeprefix(UTF8_BOM).lstrip()
    if text.startswith(b"{"):
        return b'"images"' in head and (b'"annotations"' in head or b'"categories"' in head or b'"file_name"' in head)
    if text.startswith(b"["):
        return b'"image_id"' in head and b'"category_id"' in head and b'"score"' in head
    return False


def _starts_like_json(head: bytes) -> bool:
    """Whether a file's first bytes open a JSON object or list (after a byte-order mark of any Unicode encoding).

    A file named as COCO names its files (or in a COCO layout) that starts so is COCO, however it goes on: a
    truncated or damaged file is then read as COCO, whose error names its line, instead of being no format's.
    """
    text = head.removeprefix(UTF8_BOM).lstrip()
    return text.startswith((b"{", b"[")) or head.startswith(_OTHER_BOMS)


def _named_coco(path: Path) -> bool:
    """A file name COCO gives its files: ``<task>_<split>.json``, Roboflow's, or any JSON in ``annotations/``."""
    return bool(TASK_RE.match(path.name)) or path.name == "_annotations.coco.json" or path.parent.name == "annotations"


def find_files(path: Path) -> list[Path]:
    """The COCO files of a dataset: the file itself, or those of a folder's known layout.

    Raises:
        InputError: the folder has no COCO files.
    """
    if path.is_file():
        return [path]
    standard: list[Path] = []  # annotations/<task>_<split>.json, else <task>_<split>.json (MMDetection)
    for folder in (path / "annotations", path):
        if folder.is_dir():
            standard = sorted(p for p in folder.glob("*.json") if TASK_RE.match(p.name))
            if standard:
                break
    roboflow = sorted(path.glob("*/_annotations.coco.json"))
    if standard and roboflow:  # reading one would leave the other out without a word
        raise InputError(
            "two COCO layouts in one folder",
            path=path,
            found=f"{standard[0].relative_to(path)} and {roboflow[0].relative_to(path)}",
            hint="give the folder of one layout, or one file",
        )
    candidates = standard or roboflow
    if not candidates:
        raise InputError(
            "no COCO files found",
            path=path,
            expected="annotations/<task>_<split>.json or <split>/_annotations.coco.json",
        )
    return sorted(
        candidates, key=lambda p: (task_and_split(p)[1] or "", _TASK_ORDER.get(task_and_split(p)[0] or "", 9), p.name)
    )


def detect(path: Path) -> Detection | None:
    """Recognise a COCO file or folder.

    A JSON file with ``images`` and ``annotations``/``categories``, a detection results list, or a folder
    in the standard, MMDetection or Roboflow layout.
    """
    if path.is_file():
        if path.suffix.lower() != ".json":
            return None
        head = _sniff(path)
        if b'"format":"labelkit"' in head.replace(b" ", b""):
            return None
        if _looks_coco(head) or _empty_results(path, head):
            return Detection(0.9, "JSON with COCO 'images' and 'annotations'")
        if _named_coco(path) and _starts_like_json(head):  # (truncated, say: the reader names the line)
            return Detection(0.5, "JSON named as a COCO file")
        return None
    if path.is_dir():
        try:
            files = find_files(path)
        except InputError:
            return None
        for file in files:  # the first that is not empty decides (a FIFO sniffs as empty)
            head = _sniff(file)
            if head.strip():
                where = file.relative_to(path)
                if _looks_coco(head) or _empty_results(file, head):
                    return Detection(0.9, f"COCO layout ({where})")
                # damaged (truncated, a BOM of UTF-16): the reader names the file and line
                return Detection(0.5, f"COCO layout ({where}; JSON)") if _starts_like_json(head) else None
    return None


# -- reading ----------------------------------------------------------------------------------------------


def decode_all(path: Path) -> list[CocoFile]:
    """Decode every COCO file of ``path``; panoptic files are refused (they need their PNG masks).

    Raises:
        InputError: a file is malformed, or ``path`` is a panoptic file.
    """
    found = []
    for file in find_files(path):
        require_utf8_name(file.name if path.is_file() else str(file.relative_to(path)), path)  # it names a split
        if _panoptic(file, path):
            continue
        found.append(file)
    # every file is decoded before any is built (categories and item ids span files): a lone file keeps its
    # annotations decoded, several keep one raw value per annotation each, so memory stays bounded
    return [decode_file(file, one_pass=len(found) == 1) for file in found]


NO_READABLE_FILES = "no readable COCO files (panoptic files are not supported)"


def _panoptic(file: Path, path: Path) -> bool:
    """Whether ``file`` is a panoptic file of the folder ``path`` (left out).

    Raises:
        InputError: ``path`` is itself a panoptic file.
    """
    if task_and_split(file)[0] != "panoptic":
        return False
    if path.is_file():
        raise InputError(
            "COCO panoptic is not supported",
            path=file,
            hint="panoptic segments live in PNG files; convert them to instances with panopticapi first",
        )
    return True


def _prefixes(files: list[CocoFile]) -> dict[int, str]:
    """Item id prefix per file: ``<split>/`` when two splits share an image id, else nothing."""
    by_split: dict[str | None, set[int]] = {}
    for f in files:
        if f.task == "results":  # (a results file lists no images: its annotations name them)
            by_split.setdefault(f.split, set()).update(result_image_ids(f).tolist())
            continue
        by_split.setdefault(f.split, set()).update(int(i["id"]) for i in f.images if isinstance(i.get("id"), int))
    clash = _clash(by_split)
    return {i: (f"{f.split}/" if clash and f.split else "") for i, f in enumerate(files)}


def _clash(groups: dict[str | None, set[int]]) -> bool:
    seen: set[int] = set()
    for ids in groups.values():
        if seen & ids:
            return True
        seen |= ids
    return False


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a COCO file or folder.

    Raises:
        InputError: bad JSON (with its line), a missing required field or a semantic problem (with its JSON
            pointer); with ``skip_invalid`` semantic problems of annotations skip those annotations instead.
    """
    path = Path(path)
    with paused_gc():
        return _read(
            path,
            bool(options.get("skip_invalid", False)),
            bool(options.get("count_polygons", False)),
            bool(options.get("source_text", False)),
        )


COUNTS_POLYGONS = True
"""``read(..., count_polygons=True)`` leaves boxed objects' polygons unparsed (see ``formats.base``)."""
SOURCE_TEXT = True
"""``read(..., source_text=True)`` keeps every polygon's and bbox's text as read, which ``write`` passes
through (see ``formats.base``)."""


def _read(path: Path, skip: bool, count_polygons: bool = False, text: bool = False) -> Dataset:
    files = decode_all(path)
    if not files:
        raise InputError(NO_READABLE_FILES, path=path)
    categories = merge_categories(files)
    item_prefix = _prefixes(files)
    built: list[Built] = []
    skipped = 0
    notes: list[str] = []
    for f, b in _build_all(files, item_prefix, categories, count_polygons, text):
        if b.item_findings:
            raise InputError(b.item_findings[0].message, path=f.path, pointer=b.item_findings[0].where)
        if b.findings:
            if not skip:
                _, first = min(b.findings, key=lambda x: x[0])
                raise InputError(
                    first.message,
                    path=f.path,
                    pointer=first.where,
                    hint="pass -o skip_invalid=true to skip bad annotations",
                )
            skipped += _drop(b)
        if b.odd:
            notes.append(_odd_note(f, b))
        nulls = [i for i, c in enumerate(f.categories) if "supercategory" in c and c["supercategory"] is None]
        if nulls:  # (carried as read, see coco_records.build_categories)
            notes.append(
                f"{f.path.name}: {len(nulls):,} supercategory value{'s' if len(nulls) != 1 else ''} COCO does not "
                f"allow (first: #/categories/{nulls[0]}/supercategory is null), carried as read; labelkit validate "
                "lists them"
            )
        built.append(b)
    _tag_stuff(files, built)
    if len({f.split for f in files}) > 1:
        _prefix_annotation_ids(files, built)
    joined = join_items(files, built)
    if joined.conflicts:
        raise joined.conflicts[0]
    tables = _merge(files, built, joined.items, notes)
    texts = {}  # the objects' polygons and boxes as the files wrote them (see keep_source_text)
    for column, name in (("polygon", POLYGON_TEXT), ("bbox", BBOX_TEXT)):
        if "objects" in tables and name in tables["objects"].column_names:
            texts[column] = tables["objects"][name]
            tables["objects"] = tables["objects"].drop_columns([name])
    dataset = Dataset.from_tables(tables, categories, dataset_info(files, skipped, categories, joined.missing))
    for column, text in texts.items():
        keep_source_text(dataset.table("objects"), column, NAME, text)
    dataset.read_notes += notes
    if skipped:
        dataset.read_notes.append(_skipped_note(skipped))
    panoptic = [f.name for f in (find_files(path) if path.is_dir() else []) if task_and_split(f)[0] == "panoptic"]
    if panoptic:  # (a panoptic file given alone is an error)
        dataset.read_notes.append(
            f"{', '.join(panoptic)} not read: COCO panoptic is not supported (its segments live in PNG files)"
        )
    return dataset


def _build_all(
    files: list[CocoFile],
    prefixes: dict[int, str],
    categories: list[Category],
    count_polygons: bool = False,
    text: bool = False,
) -> Iterator[tuple[CocoFile, Built]]:
    """Each file built (see :func:`build`), its split's images at hand for a results file.

    A results file beside files that list its split's images is checked against them, as those files' own
    annotations are (results sort after the other files of their split).
    """
    split_images: dict[str | None, list[tuple[pa.Table, np.ndarray]]] = {}  # the images the files of a split list
    for i, f in enumerate(files):
        images = _split_images(split_images.get(f.split, [])) if f.task == "results" else None
        b = build(f, prefixes[i], categories, count_polygons, text, images)
        if f.task != "results":
            split_images.setdefault(f.split, []).append((b.items, b.image_ids))
        yield f, b


def _split_images(listed: list[tuple[pa.Table, np.ndarray]]) -> tuple[pa.Table, np.ndarray] | None:
    """The items and image ids the files of a split list, each once (None: no file lists any: results only)."""
    if not listed:
        return None
    if len(listed) == 1:
        return listed[0]
    ids = np.concatenate([i for _, i in listed])
    _, first = np.unique(ids, return_index=True)
    keep = np.sort(first)
    table = pa.concat_tables([t for t, _ in listed], promote_options="default").take(pa.array(keep))
    return table, ids[keep]


def _odd_note(f: CocoFile, b: Built) -> str:
    """The read note on a file's carried fields that the COCO schema rejects (kept as read; validate lists them)."""
    row, name, found = min(b.odd)  # (not in a results file, whose schema leaves them free)
    where = f"/annotations/{row}/{name}"
    fields = ", ".join(sorted({n for _, n, _ in b.odd}))
    return (
        f"{f.path.name}: {len(b.odd):,} {fields} value{'s' if len(b.odd) != 1 else ''} COCO does not allow "
        f"(first: #{where} is {found}), carried as read; labelkit validate lists them"
    )


def _skipped_note(count: int) -> str:
    return f"{count:,} invalid annotations were skipped when the input was read"


def _tag_stuff(files: list[CocoFile], built: list[Built]) -> None:
    """Keep stuff objects apart from instances of the same split: tagged, with ``stuff/`` before their id.

    Detections of a results file beside ground truth files of its split are tagged too (their ids are
    numbered on reading, and those that clash get ``results/`` before them later), so that writing COCO
    puts each object back in its own file.
    """
    with_truth = {f.split for f in files if f.task in ("instances", "stuff", "person_keypoints")}
    # splits with another file of objects than stuff: its objects and stuff's would mix
    with_others = {f.split for f in files if f.task in ("instances", "person_keypoints", "results")}
    for f, b in zip(files, built, strict=True):
        if f.task == "results" and f.split in with_truth and b.objects is not None:
            b.objects = _tagged(b.objects, "results")
        if f.task != "stuff" or f.split not in with_others or b.objects is None:
            continue
        table = _tagged(b.objects, "stuff")
        ids = pc.binary_join_element_wise("stuff/", table["id"], "")
        b.objects = table.set_column(table.schema.get_field_index("id"), "id", ids)


def _tagged(table: pa.Table, task: str) -> pa.Table:
    """Objects tagged with the task of the file they came from (``coco:@task``), so a writer puts them back there."""
    member = f'"{STUFF_TAG}":"{task}"'
    tagged = pc.if_else(
        pc.is_null(table["extras"]),
        pa.scalar("{" + member + "}"),
        pc.binary_join_element_wise(pc.utf8_slice_codeunits(table["extras"], 0, -1), "," + member + "}", ""),
    )
    return table.set_column(table.schema.get_field_index("extras"), "extras", tagged)


def _prefix_annotation_ids(files: list[CocoFile], built: list[Built]) -> None:
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


def _drop(b: Built) -> int:
    """Remove the annotations with findings from a built file; returns how many."""
    return _drop_rows(b, sorted({row for row, _ in b.findings}))


def _drop_rows(b: Built, bad_rows: list[int]) -> int:
    dropped = 0
    for name in ("objects", "labels", "transcripts"):
        table = getattr(b, name)
        if table is None or "_row" not in table.column_names:
            continue
        keep = pc.invert(pc.is_in(table["_row"], value_set=pa.array(bad_rows, pa.int64())))
        new = table.filter(keep)
        dropped += table.num_rows - new.num_rows
        setattr(b, name, new)
    b.findings = []
    return dropped


def _merge(files: list[CocoFile], built: list[Built], items: pa.Table, notes: list[str]) -> dict[str, pa.Table]:
    """Join the files' tables: keypoint annotations into their instances, object ids kept unique.

    ``items`` are the files' images joined (see :func:`join_items`). What a reader should know of the joining
    goes to ``notes``.
    """
    out: dict[str, pa.Table] = {"items": items}
    objects: list[pa.Table] = []
    tasks: list[str] = []
    instances_ids: dict[str | None, int] = {}
    for f, b in zip(files, built, strict=True):
        if b.objects is None:
            continue
        table = b.objects.drop_columns(["_row"]) if "_row" in b.objects.column_names else b.objects
        if f.task == "person_keypoints" and f.split in instances_ids:
            objects[instances_ids[f.split]], table, differ = _merge_keypoints(objects[instances_ids[f.split]], table)
            if differ:
                notes.append(
                    f"{differ:,} annotations of {f.path.name} differ from the same annotation of the instances file "
                    "in other fields than the keypoints (extras, attributes or flags): the keypoints file's are kept"
                )
            if not table.num_rows:
                continue
            table = _tagged(table, "person_keypoints")  # matched no instance: the keypoints file's only
        elif f.task in ("instances", "stuff") and f.split not in instances_ids:
            instances_ids[f.split] = len(objects)
        elif f.task == "person_keypoints":  # no instances file: its objects are the keypoints file's, posed or not
            table = _tagged(table, "person_keypoints")
        objects.append(table)
        tasks.append(f.task)
    if objects:
        objects = _unique_ids(objects, tasks) if len(objects) > 1 else objects
        out["objects"] = pa.concat_tables(objects, promote_options="default")
    for name in ("labels", "transcripts"):
        parts = [getattr(b, name) for b in built if getattr(b, name) is not None]
        parts = [p.drop_columns(["_row"]) if "_row" in p.column_names else p for p in parts]
        if parts:
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
    A results file lists no images (its rows are its split's, or bare ids): it is not compared.
    """
    if len(built) == 1:  # (a lone file has nothing to compare its images with)
        return JoinedItems(built[0].items, {}, [])
    tables = []
    for i, b in enumerate(built):
        n = b.items.num_rows
        tables.append(b.items.append_column("_file", pa.array(np.full(n, i, np.int64))))
    every = pa.concat_tables(tables, promote_options="default").combine_chunks()
    file_of = every["_file"].to_numpy()
    row_in_file = np.concatenate([np.arange(b.items.num_rows) for b in built])
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
        differs |= ~true_mask(pc.fill_null(pc.equal(a, b), True))
    for k in np.flatnonzero(differs).tolist():
        r, f0 = int(again[k]), int(first[again[k]])
        p0, w0, h0 = (every[c][f0].as_py() for c in ("path", "width", "height"))
        p, w, h = (every[c][r].as_py() for c in ("path", "width", "height"))
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


def _merge_keypoints(instances: pa.Table, keypoints: pa.Table) -> tuple[pa.Table, pa.Table, int]:
    """Give instance objects the keypoints (and fields) of the same annotation: id, image and category.

    Returns:
        The instances, the keypoint annotations of no instance, and how many matched annotations differ from
        their instance in other fields than ``keypoints`` and ``num_keypoints`` (the keypoints file's win).
    """
    inst_ids = _annotation_keys(instances)
    pos = pc.index_in(_annotation_keys(keypoints), value_set=inst_ids)
    matched = pc.is_valid(pos)
    if not pc.any(matched).as_py():
        return instances, keypoints, 0
    kp = keypoints.filter(matched)
    target = pc.drop_null(pos).to_numpy()
    differ = _fields_differ(instances.take(pa.array(target)), kp)
    n = instances.num_rows
    source = np.full(n, -1, dtype=np.int64)
    source[target] = np.arange(len(target))
    take = pa.array(np.where(source >= 0, source, 0))
    has = pa.array(source >= 0)
    new_kp = pc.if_else(has, kp["keypoints"].combine_chunks().take(take), instances["keypoints"].combine_chunks())
    new_extras = pc.if_else(has, kp["extras"].combine_chunks().take(take), instances["extras"].combine_chunks())
    instances = instances.set_column(instances.schema.get_field_index("keypoints"), "keypoints", new_kp)
    instances = instances.set_column(instances.schema.get_field_index("extras"), "extras", new_extras)
    return instances, keypoints.filter(pc.invert(matched)), differ


_NUM_KEYPOINTS = r',?"coco:num_keypoints":[^,}]*'


def _fields_differ(instances: pa.Table, keypoints: pa.Table) -> int:
    """How many rows of two tables of the same annotations differ in attributes, flags or extras.

    The keypoints file's ``num_keypoints`` aside: the instances file has none.
    """
    extras = pc.replace_substring(pc.replace_substring_regex(keypoints["extras"], _NUM_KEYPOINTS, ""), "{,", "{")
    extras = pc.if_else(pc.equal(extras, "{}"), pa.scalar(None, pa.string()), extras)
    differ = np.zeros(instances.num_rows, dtype=bool)
    others = [
        c for c in ("attributes", "occluded", "score") if c in instances.column_names and c in keypoints.column_names
    ]
    for a, b in ((instances["extras"], extras), *((instances[c], keypoints[c]) for c in others)):
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        differ |= ~true_mask(pc.or_(same, both_null))
    return int(differ.sum())


def _annotation_keys(table: pa.Table) -> pa.Array:
    """Per object, its annotation id, image and category as one text (what makes two files' rows one object)."""
    category = table["category_id"].cast(pa.string()).fill_null("")
    return pc.binary_join_element_wise(table["id"], table["item_id"], category, "\x00").combine_chunks()


def _unique_ids(objects: list[pa.Table], tasks: list[str]) -> list[pa.Table]:
    """Put ``<task>/`` before the ids of a later file's objects that an earlier file's objects of the split have.

    Detection results are numbered 1..N and a keypoints file may hold annotations of no instance: their
    ids would repeat the instances'.
    """
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


# -- writing ----------------------------------------------------------------------------------------------


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """What COCO cannot hold (see :func:`labelkit.formats.coco_plan.check_dataset`); skipped annotations noted.

    ``api`` has already taken out what COCO cannot write at all (:func:`writable`).
    """
    check_dataset(dataset, report, CAPABILITIES, NAME)
    skipped = dataset.info.extras.get(SKIPPED_KEY)
    if skipped:
        report.note(_skipped_note(skipped))


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write ``annotations/<task>_<split>.json`` files into the folder ``path``."""
    path = Path(path)
    writer = Writer(dataset, report, bool(options.get("reindex", False)))
    folder = path / "annotations"
    folder.mkdir(parents=True, exist_ok=True)
    specs = writer.plan()
    tasks: dict[str | None, set[str]] = {}
    for spec in specs:
        tasks.setdefault(spec.split, set()).add(spec.task)
    written: list[str] = []
    for spec in specs:
        if spec.name in written:
            continue
        writer.write_file(spec, folder / spec.name, tasks[spec.split])
        written.append(spec.name)
    report.note("wrote " + ", ".join(f"annotations/{n}" for n in written))
    counts = dataset.report_counts()
    if "object annotations" in counts:  # (objects without geometry are reported lost by check(), not written)
        counts["object annotations"] -= int(geometryless(dataset.table("objects")).sum())
    report.written = counts


# -- validation -------------------------------------------------------------------------------------------


def validate(path: Path, **options: Any) -> list[Finding]:
    """The bundled JSON Schema (schemas/coco.schema.json), then the semantic checks, for every file.

    Panoptic files of a folder are left out, as reading leaves them out; a panoptic file alone is an error.
    The semantic checks need files that fit the schema: with schema findings, they are all that is returned.

    Returns:
        Findings with JSON pointers; empty when the files are clean.
    """
    from labelkit.formats.coco_schema import schema_findings

    findings: list[Finding] = []
    files = [file for file in find_files(path) if not _panoptic(file, path)]  # as reading leaves them out
    if not files:
        raise InputError(NO_READABLE_FILES, path=path)
    for file in files:
        findings.extend(schema_findings(file))
    if findings:
        return findings
    coco_files = decode_all(path)
    conflicts: list[InputError] = []  # (image fields two files give differently, which reading refuses)
    categories = merge_categories(coco_files)
    item_prefix = _prefixes(coco_files)
    built = []
    for _, b in _build_all(coco_files, item_prefix, categories):
        ordered = b.item_findings + [finding for _, finding in sorted(b.findings, key=lambda x: (x[0], x[1].where))]
        findings.extend(Finding(x.path, "#" + x.where, x.message, x.severity) for x in ordered)
        built.append(b)
    if not any(b.item_findings for b in built):  # (duplicate image ids: the images cannot be told apart)
        conflicts += join_items(coco_files, built).conflicts
    for error in conflicts:
        text = InputError(error.message, expected=error.expected, found=error.found).one_line()
        findings.append(Finding(error.location.path or str(path), "#" + (error.location.pointer or ""), text))
    return findings
