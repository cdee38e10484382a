"""COCO: instances, keypoints, captions, image labels and detection results (https://cocodataset.org/#format-data).

Reads one JSON file, or a folder in the standard layout (``annotations/<task>_<split>.json``, also
MMDetection's), or Roboflow's (``<split>/_annotations.coco.json``): every file becomes part of one dataset
with splits. Writes the standard layout, ``annotations/<task>_<split>.json``. One COCO annotation is one
object (or image-level label, or caption). COCO -> COCO keeps image, annotation and category ids and every
extra field; see :mod:`labelkit.formats.coco_build` for the mapping.
"""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer, naming
from labelkit.formats.base import Capabilities, Option
from labelkit.formats.coco_build import Built, build
from labelkit.formats.coco_categories import (
    category_numbers,
    keypoint_categories,
    lvis_category_lists,
    merge_categories,
    skeleton_finding,
    skeleton_outside,
)
from labelkit.formats.coco_extras import miscounted_keypoints
from labelkit.formats.coco_find import detect as detect  # (the format module's detect)
from labelkit.formats.coco_find import find_files, layouts
from labelkit.formats.coco_geometry import BBOX_TEXT, POLYGON_TEXT
from labelkit.formats.coco_join import join_items, merge_tables, prefix_annotation_ids, tag_stuff
from labelkit.formats.coco_plan import check_dataset, detections_if_posed
from labelkit.formats.coco_plan import writable as writable  # (api takes out what COCO cannot write)
from labelkit.formats.coco_read import CocoFile, decode_file
from labelkit.formats.coco_records import check_kept_sections, dataset_info, result_image_ids
from labelkit.formats.coco_shapes import geometryless
from labelkit.formats.coco_tasks import CAPTION_RESULTS, CAPTION_RESULTS_HINT, RESULTS_RE, TASK_RE, file_task_and_split
from labelkit.formats.coco_text import EMPTY_SPLITS, keep_sections
from labelkit.formats.coco_values import SKIP_HINT, first_problem
from labelkit.formats.coco_write import Writer
from labelkit.io import Inside, bulk_work, require_utf8_name
from labelkit.model import Category, Dataset
from labelkit.model.tables import keep_source_text, true_mask
from labelkit.portable import by_name, by_parts
from labelkit.report import Finding, Report

NAME = "coco"
TITLE = "COCO"
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
    "links": Option(
        "links",
        "choice",
        "inside",
        "COCO files of a folder that are symbolic links: inside (each must lead inside the folder, so an untrusted "
        "one cannot read other files of the machine), follow (any: DVC or git-annex checkouts)",
        ("inside", "follow"),
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
# -- reading ----------------------------------------------------------------------------------------------


def decode_all(path: Path, inside: Inside | None = None) -> list[CocoFile]:
    """Decode every COCO file of ``path``; panoptic files are refused (they need their PNG masks).

    ``inside``: see :func:`refuse_special`.

    Raises:
        InputError: a file is malformed, or ``path`` is a panoptic file.
    """
    found = []
    for file in find_files(path, inside):
        require_utf8_name(file.name if path.is_file() else str(file.relative_to(path)), path)  # it names a split
        if _not_read(file, path, inside):
            continue
        refuse_special(file, path, inside)
        found.append(file)
    # every file is decoded before any is built (categories and item ids span files): a lone file keeps its
    # annotations decoded, several keep one raw value per annotation each, so memory stays bounded
    files = [decode_file(file, one_pass=len(found) == 1) for file in found]
    results: set[str | None] = set()  # a split's second results file named as cocoapi names them (its fakebbox
    for f in files:  # and fakesegm files): a split of its own, as its name reads, not merged into the first
        if f.task != "results":
            continue
        if f.split in results and RESULTS_RE.match(f.path.name):
            f.split = TASK_RE.match(f.path.name).group(2)  # type: ignore[union-attr]
        results.add(f.split)
    return files


NO_READABLE_FILES = "no readable COCO files (panoptic files are not supported)"


def refuse_special(file: Path, path: Path, inside: Inside | None = None) -> None:
    """Refuse a file of the folder ``path`` that is a FIFO, socket or device: never opened.

    A FIFO that a writer held open was waited on forever, one that nobody writes read as empty (invalid JSON);
    YOLO and VOC say the same of theirs. A pipe given as the input itself (``/dev/stdin``) is read. With
    ``inside`` (``links=inside``), so is a file that is a symbolic link leading out of the folder, or lies in a
    folder linked out of it (an untrusted dataset's ``annotations/instances_train.json -> ~/secret.json``, whose
    names were written into the output and quoted in errors), as YOLO and VOC refuse theirs.

    Raises:
        InputError: naming ``file``.
    """
    if file == path:
        return
    # (a link to no file, a checkout whose cache lacks it, is named so by reading, with either option)
    if inside is not None and os.path.exists(file) and (why := inside.refusal(file)) is not None:
        raise InputError(f"cannot read: {why}", path=file, hint=_LINK_HINT)
    try:
        mode = os.stat(file).st_mode
    except OSError:  # (a link to no file: reading names it)
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # (a folder: reading names it, 'Is a directory')
        raise InputError("cannot read: not a regular file", path=file)


_LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"


def _inside(path: Path, options: dict[str, Any]) -> Inside | None:
    """The folder a folder dataset's files must stay in through symbolic links (None: a file, or links=follow)."""
    if str(options.get("links") or "inside") == "follow" or not path.is_dir():
        return None
    return Inside(path)


_UNREAD = {
    "panoptic": (
        "COCO panoptic is not supported",
        "its segments live in PNG files",
        "panoptic segments live in PNG files; convert them to instances with panopticapi first",
    ),
    "caption_results": (CAPTION_RESULTS, "labelkit reads detection and keypoint results", CAPTION_RESULTS_HINT),
}
"""The files a folder's reading leaves out, by task: why (the error of one given alone), what its note says,
and the error's hint."""


def _not_read(file: Path, path: Path, inside: Inside | None) -> bool:
    """Whether ``file`` is a panoptic (or caption-results) file of the folder ``path`` (left out).

    ``inside``: see :func:`file_task_and_split`.

    Raises:
        InputError: ``path`` is itself such a file.
    """
    task = file_task_and_split(file, inside=inside)[0]
    if task not in _UNREAD:
        return False
    if path.is_file():
        message, _, hint = _UNREAD[task]
        raise InputError(message, path=file, hint=hint)
    return True


def _prefixes(files: list[CocoFile]) -> dict[int, str]:
    """Item id prefix per file: ``<split>/`` when two splits share an image id, else nothing."""
    by_split: dict[str | None, set[int]] = {}
    one_split = len({f.split for f in files}) < 2  # (no two splits: no clash, and no image's id to gather)
    for f in files:
        if f.task == "results" and not f.image_count:  # (a results list names no images: its annotations name them)
            by_split.setdefault(f.split, set()).update(result_image_ids(f).tolist())
            continue
        if one_split:
            continue
        by_split.setdefault(f.split, set()).update(int(i) for i in f.image_ids() if isinstance(i, int))
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
    with bulk_work():
        try:
            return _read(
                path,
                bool(options.get("skip_invalid", False)),
                _counting(options.get("count_polygons", False)),
                bool(options.get("source_text", False)),
                _inside(path, options),
            )
        except InputError as exc:
            raise first_problem(exc) from exc.__cause__


COUNTS_POLYGONS = True
"""``read(..., count_polygons=True)`` leaves boxed objects' polygons unparsed (see ``formats.base``)."""


def _counting(value: Any) -> bool | str:
    """The ``count_polygons`` option: False, True, or ``"all"`` (rectangles too: see ``formats.base``)."""
    return "all" if value == "all" else bool(value)


SOURCE_TEXT = True
"""``read(..., source_text=True)`` keeps every polygon's and bbox's text as read, which ``write`` passes
through (see ``formats.base``)."""


def _read(
    path: Path, skip: bool, count_polygons: bool | str = False, text: bool = False, inside: Inside | None = None
) -> Dataset:
    files = decode_all(path, inside)
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
                _, first = min(b.findings, key=lambda x: (x[0], x[1].where))  # (validate's first finding)
                raise InputError(first.message, path=f.path, pointer=first.where, hint=SKIP_HINT)
            skipped += _drop(b)
        if b.odd:
            notes.append(_odd_note(f, b))
        if f.renamed:
            at, written, read = f.renamed[0]
            notes.append(
                f"{f.path.name}: {len(f.renamed):,} file_name value{'s' if len(f.renamed) != 1 else ''} read as "
                f"another path (first: #/images/{at}/file_name {written!r} as {read!r}): backslashes become '/', and "
                "'.' segments and repeated or trailing slashes are dropped; written back so"
            )
        if f.unnamed:
            at = f.unnamed[0]
            notes.append(
                f"{f.path.name}: {len(f.unnamed):,} image{'s' if len(f.unnamed) != 1 else ''} without a file_name "
                f"(first: #/images/{at}), as LVIS v1's: each is read at its coco_url's last two parts "
                f"({b.items['path'][at].as_py()!r}), as Detectron2 reads them, and written back without one"
            )
        if borrowed := borrowed_categories(f, b):
            row, cid = borrowed[0]
            notes.append(
                f"{f.path.name}: {len(borrowed):,} annotation{'s' if len(borrowed) != 1 else ''} of categories it "
                f"does not list, only another file (first: #/annotations/{row}/category_id, category {cid}): COCO's "
                "tools read a file alone (pycocotools' loadCats fails on them); writing COCO lists them in it"
            )
        if f.image_count and (n := b.items["width"].null_count):  # (0 x 0: see coco_records.build_items)
            at = int(np.flatnonzero(b.items["width"].is_null().to_numpy(zero_copy_only=False))[0])
            notes.append(
                f"{f.path.name}: {n:,} image{'s' if n != 1 else ''} of 0 x 0 (first: #/images/{at}) read as of unknown "
                "size, as Datumaro writes an image whose size it does not know: their annotations are not checked "
                "against a size; writing COCO writes them 0 x 0 again"
            )
        if b.rle_fields:
            row, name = min(b.rle_fields)
            n = len(b.rle_fields)
            notes.append(
                f"{f.path.name}: {n:,} RLE segmentation{'s' if n != 1 else ''} with fields other than size and counts "
                f"(first: #/annotations/{row}/segmentation/{name}): a mask holds its size and counts only, so those "
                "fields are not kept"
            )
        # (carried as read: see coco_categories.build_categories)
        for key in ("supercategory", "keypoints", "skeleton"):
            if nulls := [i for i, c in enumerate(f.categories) if key in c and c[key] is None]:
                notes.append(
                    f"{f.path.name}: {len(nulls):,} {key} value{'s' if len(nulls) != 1 else ''} COCO does not "
                    f"allow (first: #/categories/{nulls[0]}/{key} is null), carried as read; labelkit validate "
                    "lists them"
                )
        if outside := skeleton_outside(f, categories):  # (carried as read: a 0-based skeleton is still one)
            pointer, index, count = outside[0]
            of = "" if count is None else f", of {count} keypoints"
            notes.append(
                f"{f.path.name}: {len(outside):,} skeleton {'indices' if len(outside) != 1 else 'index'} naming none "
                f"of their category's keypoints (first: #{pointer} is {index}{of}; COCO counts them from 1), carried "
                "as read; labelkit validate lists them"
            )
        built.append(b)
    tag_stuff(files, built)
    if len({f.split for f in files}) > 1:
        prefix_annotation_ids(files, built)
    joined = join_items(files, built)
    if joined.conflicts:
        raise joined.conflicts[0]
    for k, (f, b) in enumerate(zip(files, built, strict=True)):  # (written back without a file_name, as read)
        for i in f.unnamed:
            joined.missing.setdefault(k, {}).setdefault(b.items["id"][i].as_py(), []).append("file_name")
    posed = {k: set(keypoint_categories(b.objects)) for k, b in enumerate(built) if b.objects is not None}
    tables = merge_tables(files, built, joined.items, notes)
    texts = {}  # the objects' polygons and boxes as the files wrote them (see keep_source_text)
    for column, name in (("polygon", POLYGON_TEXT), ("bbox", BBOX_TEXT)):
        if "objects" in tables and name in tables["objects"].column_names:
            texts[column] = tables["objects"][name]
            tables["objects"] = tables["objects"].drop_columns([name])
    dataset = Dataset.from_tables(tables, categories, dataset_info(files, skipped, categories, joined.missing, posed))
    if empty := _empty_splits(files, dataset.table("items")):
        dataset.info.extras[EMPTY_SPLITS] = empty
    for column, text in texts.items():
        keep_source_text(dataset.table("objects"), column, NAME, text)
    keep_sections(dataset.info, {(f.task, f.split, k): t for f in reversed(files) for k, t in f.sections.items()})
    dataset.read_notes += notes
    if skipped:
        dataset.read_notes.append(_skipped_note(skipped))
    tasks = (
        [(f.name, file_task_and_split(f, inside=inside)[0]) for f in find_files(path, inside)] if path.is_dir() else []
    )
    for task, (message, why, _) in _UNREAD.items():  # (such a file given alone is an error)
        unread = [name for name, of in tasks if of == task]
        if unread:
            dataset.read_notes.append(f"{', '.join(unread)} not read: {message} ({why})")
    unnamed, beside = _left_out(path) if path.is_dir() else ([], [])
    if unnamed:  # (these were left out without a word, with all their annotations)
        dataset.read_notes.append(
            f"{', '.join(unnamed)} not read: a COCO folder's files are named <task>_<split>.json (instances_val.json, "
            "...); give such a file alone to read it"
        )
    if beside:
        dataset.read_notes.append(
            f"{', '.join(beside)} not read: the folder's COCO files are read from annotations/; give such a file alone "
            "to read it"
        )
    others = _roboflow_left_out(path) if path.is_dir() else []
    if others:  # (left out without a word too)
        dataset.read_notes.append(
            f"{', '.join(others)} not read: a Roboflow export's COCO files are <split>/_annotations.coco.json; give "
            "such a file alone to read it"
        )
    if deeper := _nested_left_out(path) if path.is_dir() else []:  # (and these)
        dataset.read_notes.append(
            f"{', '.join(deeper)} not read: a COCO folder's files are read from its annotations/ folder (Roboflow's "
            "from each split's folder), not from folders inside it; give such a file alone to read it"
        )
    return dataset


def _nested_left_out(path: Path) -> list[str]:
    """The JSON files in folders inside a COCO folder's ``annotations/``, or inside a Roboflow split's folder.

    At any depth (``annotations/old/instances_val.json``, ``train/old/_annotations.coco.json``); hidden ones aside.
    """
    standard, roboflow = layouts(path)
    folders = [path / "annotations"] if standard else [f.parent for f in roboflow]
    return [
        f.relative_to(path).as_posix()
        for d in folders
        if d.is_dir()
        for f in sorted(d.rglob("*.json"), key=by_parts)
        if f.parent != d and not any(p.startswith(".") for p in f.relative_to(d).parts)
    ]


def _empty_splits(files: list[CocoFile], items: pa.Table) -> list[str]:
    """The splits named by files read that no item is of, in the files' order."""
    held = set(pc.unique(items["split"]).to_pylist()) if items.num_rows else set()
    return list(dict.fromkeys(f.split for f in files if f.split is not None and f.split not in held))


def _roboflow_left_out(path: Path) -> list[str]:
    """The JSON files of a folder in Roboflow's layout that reading leaves out: beside the split folders, or in one."""
    standard, roboflow = layouts(path)
    if standard or not roboflow:
        return []
    read = set(roboflow)  # (one beside the split folders is not read either: a split's is in its folder)
    return [
        f.relative_to(path).as_posix()
        for d in [path, *(f.parent for f in roboflow)]
        for f in sorted(d.glob("*.json"), key=by_name)
        if f not in read
    ]


def _left_out(path: Path) -> tuple[list[str], list[str]]:
    """The JSON files of a folder in the standard layout that reading leaves out.

    Those whose names state no task and split (``annotations/train.json``) beside its files or in an
    ``annotations/`` folder beside them, and, where its files are in ``annotations/``, those named so at the
    top (``instances_val.json``).
    """
    standard, _ = layouts(path)
    if not standard:
        return [], []
    home = standard[0].parent
    folders = [home, path / "annotations"] if home == path and (path / "annotations").is_dir() else [home]
    unnamed = [
        f.relative_to(path).as_posix()
        for d in folders
        for f in sorted(d.glob("*.json"), key=by_name)
        if not TASK_RE.match(f.name)
    ]
    beside = [] if home == path else sorted(f.name for f in path.glob("*.json") if TASK_RE.match(f.name))
    return unnamed, beside


def _build_all(
    files: list[CocoFile],
    prefixes: dict[int, str],
    categories: list[Category],
    count_polygons: bool | str = False,
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


def _drop(b: Built) -> int:
    """Remove the annotations with findings from a built file; returns how many.

    A detection-results file's images are the ones its annotations name (when no file lists them): an image that
    only skipped annotations named goes with them. It was kept, an image without detections, which writing COCO
    (a results file again) then refused as a loss.
    """
    dropped = _drop_rows(b, sorted({row for row, _ in b.findings}))
    if b.named_by_results:
        named = [t["item_id"] for t in (b.objects, b.labels, b.transcripts) if t is not None and t.num_rows]
        held = pa.chunked_array(named, pa.string()).unique() if named else pa.array([], pa.string())
        keep = true_mask(pc.is_in(b.items["id"], value_set=held))
        if not keep.all():
            b.items, b.image_ids = b.items.filter(pa.array(keep)), b.image_ids[keep]
    return dropped


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


# -- writing ----------------------------------------------------------------------------------------------


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """What COCO cannot hold (see :func:`labelkit.formats.coco_plan.check_dataset`).

    (Annotations skipped on reading are a read note of the conversion, to any format: a write of a dataset that
    carries their count, read back from labelkit JSON, noted them as skipped when that input was read.)

    ``api`` has already taken out what COCO cannot write at all (:func:`writable`).
    """
    check_dataset(dataset, report, CAPABILITIES, TITLE)
    if options.get("reindex", False):
        numbers = category_numbers(dataset, True)
        listed = {c.id for c in dataset.categories}
        report.transform(
            "category ids",
            sum(1 for old, new in numbers.items() if old != new and old in listed),
            "renumbered 1..N in the categories' order, as reindex=true asks",
        )
        report.transform(
            "unlisted category ids",
            sum(1 for old, new in numbers.items() if old != new and old not in listed),
            "a caption's or an LVIS list's id that no category has, which reindex gives to a category: numbered after"
            " the largest, so that it still names none",
        )
        report.transform(
            "images' category id lists",
            lvis_category_lists(dataset.table("items"), numbers)[1],
            "LVIS's neg_category_ids and not_exhaustive_category_ids renumbered with their categories",
        )


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
        with naming(folder / spec.name):  # (a write of the open file, a disk filling up, names no file)
            writer.write_file(spec, folder / spec.name, tasks[spec.split])
        written.append(spec.name)
    writer.report_ids()
    report.note("wrote " + ", ".join(f"annotations/{n}" for n in written))
    counts = dataset.report_counts()
    counts.pop("tokens", None)  # (reported lost)
    if "object annotations" in counts:  # (objects without geometry are reported lost by check(), not written)
        objects = dataset.table("objects")
        counts["object annotations"] -= int(geometryless(objects, detections_if_posed(objects, dataset)).sum())
    report.written = counts


# -- validation -------------------------------------------------------------------------------------------


def validate(path: Path, **options: Any) -> list[Finding]:
    """The bundled JSON Schema (schemas/coco.schema.json), then the semantic checks, for every file.

    Panoptic files of a folder are left out, as reading leaves them out; a panoptic file alone is an error.
    The semantic checks need files that fit the schema: with schema findings, they are all that is returned.

    Returns:
        Findings with JSON pointers; empty when the files are clean.
    """
    from labelkit.formats.coco_schema import reading_order, schema_findings
    from labelkit.formats.coco_values import MAX_FINDINGS, value_findings

    findings: list[Finding] = []
    inside = _inside(path, options)
    files = [file for file in find_files(path, inside) if not _not_read(file, path, inside)]  # as reading does
    if not files:
        raise InputError(NO_READABLE_FILES, path=path)
    for file in files:
        refuse_special(file, path, inside)
        findings.extend(schema_findings(file))
    if findings:
        return findings
    try:
        return _semantic_findings(path)
    except InputError as exc:  # (a polygon value that is no number, an id of 1.0, 2**64: each named, as the schema's)
        named = [x for file in files for x in value_findings(file)]
        if named:
            raised = exc.finding(path)  # (1e400 beside a wide integer: named too)
            if raised.where.startswith("#") and all(x.where != raised.where or x.path != raised.path for x in named):
                named.append(raised)
            named.sort(key=lambda f: (f.path, reading_order(f.where, f.message)))
            # (a file's first 100 in reading order: its first is the one convert names)
            by_file = itertools.groupby(named, key=lambda f: f.path)
            return [x for _, found in by_file for x in itertools.islice(found, MAX_FINDINGS)]
        raise


def borrowed_categories(f: CocoFile, b: Built) -> list[tuple[int, int]]:
    """The annotations of ``f`` whose category the file does not list, only another file: (row, category id).

    A folder's files are read with the categories of all of them (a keypoints file lists only person), yet
    COCO's tools read a file alone: pycocotools' ``loadCats`` fails on such a category and COCOeval passes over
    its annotations. Writing COCO lists it in the file. A file without ``categories`` (captions), or a results
    file, lists none of its own: not looked at.
    """
    if f.task == "results" or "categories" not in f.present:
        return []
    own = pa.array([c.get("id") for c in f.categories if isinstance(c.get("id"), int)], pa.int64())
    out: list[tuple[int, int]] = []
    for table in (b.objects, b.labels, b.transcripts):
        if table is None or not table.num_rows or not {"_row", "category_id"} <= set(table.column_names):
            continue
        odd = pc.and_(pc.is_valid(table["category_id"]), pc.invert(pc.is_in(table["category_id"], value_set=own)))
        if pc.any(odd).as_py():
            picked = table.filter(odd)
            out += zip(picked["_row"].to_pylist(), picked["category_id"].to_pylist(), strict=True)
    return sorted(out)


def _semantic_findings(path: Path) -> list[Finding]:
    """:func:`validate`'s checks of files that fit the schema."""
    from labelkit.formats.coco_schema import record_order

    findings: list[Finding] = []
    coco_files = decode_all(path)
    conflicts: list[InputError] = []  # (image fields two files give differently, which reading refuses)
    categories = merge_categories(coco_files, findings)  # (a repeated id or another name: a finding, go on)
    item_prefix = _prefixes(coco_files)
    built = []
    for f, b in _build_all(coco_files, item_prefix, categories):
        ordered = b.item_findings + [finding for _, finding in sorted(b.findings, key=lambda x: (x[0], x[1].where))]
        ordered += [skeleton_finding(f, *outside) for outside in skeleton_outside(f, categories)]
        bad = {row for row, _ in b.findings}
        ordered += [
            Finding(
                str(f.path),
                f"/annotations/{row}/num_keypoints",
                f"num_keypoints {given} is not the annotation's {counted} labelled keypoints (v > 0)",
            )
            for row, given, counted in (miscounted_keypoints(b.objects) if f.task != "results" else [])
            if row not in bad  # (keypoints of the wrong length, say: one finding for the annotation)
        ]
        bad_rows = {row for row, _ in b.findings}  # (an unknown category is named as such)
        ordered += [
            Finding(
                str(f.path),
                json_pointer("annotations", row, "category_id"),
                f"category {cid} is not among this file's categories, only another file's: COCO's tools read a "
                "file alone",
            )
            for row, cid in borrowed_categories(f, b)
            if row not in bad_rows
        ]
        ordered.sort(key=lambda x: record_order(x.where))  # (stable: a record's stay in the order of the checks)
        findings.extend(Finding(x.path, "#" + x.where, x.message, x.severity) for x in ordered)
        built.append(b)
    conflicts += join_items(coco_files, built).conflicts  # (an image a file lists twice: by its first record)
    for f in coco_files:  # (reading keeps them as JSON, and refuses what it cannot keep)
        try:
            check_kept_sections(f)
        except InputError as exc:
            conflicts.append(exc)
    for error in conflicts:
        text = InputError(error.message, expected=error.expected, found=error.found).one_line()
        findings.append(Finding(error.location.path or str(path), "#" + (error.location.pointer or ""), text))
    return findings
