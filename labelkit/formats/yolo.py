"""YOLO: Ultralytics and Darknet label folders, every task (https://docs.ultralytics.com/datasets/).

Reads Ultralytics layouts (``data.yaml`` with ``train``/``val``/``test`` as folders, list files or lists,
``names`` as a list or map, ``kpt_shape``/``flip_idx``), Darknet layouts (``obj.data``, ``obj.names``,
``train.txt``, ``obj_<split>_data/``), loose folders (a names file beside ``images/`` and ``labels/``),
flat folders (LabelImg's: each image's label file beside it, ``classes.txt``), DOTA-style ``labelTxt``
folders and classification folders (``<split>/<class>/<image>``). Tasks: detect, segment, OBB, pose and
classify, detected from the files or forced with ``task=...``. Coordinates are normalised, so image sizes
come from the image headers (or an ``image_sizes.json`` side file, or options).
Label text is parsed and checked by :mod:`labelkit.formats.yolo_parse`; the writer lives in
:mod:`labelkit.formats.yolo_write`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from labelkit.errors import InputError, UsageError
from labelkit.formats import yolo_exact, yolo_parse
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.crowd import CROWD, CROWD_OPTION
from labelkit.formats.yolo_classify_read import classify_splits
from labelkit.formats.yolo_first import bad_label_files, earliest, first_row_error
from labelkit.formats.yolo_folders import (
    FLAT_NAMES,
    absolute_root,
    find_layout,
    flat_folders,
    flat_labels,
    is_names_file,
    names_folder,
    yolo_lines,
)
from labelkit.formats.yolo_keypoints import (
    AT_ORIGIN,
    MARKED,
    MARKED_WITH_VISIBILITY,
    kpt_names_of,
    marks_extras,
    points_note,
    read_keypoints,
)
from labelkit.formats.yolo_layout import (
    EMPTY_SPLITS,
    LABEL_DIRS,
    LABELIMG_NAMES,
    Layout,
    darknet_data,
    find_config,
    has_txt,
    is_darknet_data,
    label_file,
    rel_path,
    suffixed,
    unique_ids,
)
from labelkit.formats.yolo_media import dangling_link, parse_size, unreadable_file
from labelkit.formats.yolo_numbers import precision_of
from labelkit.formats.yolo_sizes import differing_sizes_note, item_sizes, size_of
from labelkit.io import Inside, names_are_utf8, read_file, require_utf8_name
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model import geometry as G
from labelkit.report import Finding, Report

_SHAPES = pa.array(["box", "polygon"], pa.string())
"""Drawn shapes of YOLO objects, by code (0: box, 1: polygon)."""

NAME = "yolo"
TITLE = "YOLO"
DESCRIPTION = "YOLO label folders (Ultralytics and Darknet): detect, segment, OBB, pose, classify"
OUTPUT: Literal["dir"] = "dir"
SPLIT_FILES = True
"""Splits name this format's files and folders (see ``formats.base.SPLIT_FILES``)."""
EXTENSIONS: tuple[str, ...] = (".yaml", ".yml", ".names", ".data")
CAPABILITIES = Capabilities(
    kinds=frozenset({"object", "label"}),
    shapes=frozenset({"box", "polygon"}),
    geometry=frozenset({"bbox", "angle", "polygon", "keypoints"}),
    splits=True,
    extras="yolo",
)
"""Everything some YOLO task holds; :func:`check` applies the chosen task's narrower limits."""

TASKS = ("detect", "segment", "obb", "pose", "classify")
DEFAULT_SPLIT = "train"
OPTIONS: dict[str, Option] = {
    "task": Option(
        "task",
        "choice",
        "auto",
        "task to read or write (YOLO -> YOLO: the task written; read.task= is the one read); auto: detected from "
        "the files when reading, the task read (else detect) when writing",
        ("auto", *TASKS),
    ),
    "image_size": Option(
        "image_size", "str", "", "WIDTHxHEIGHT for images that are missing or unreadable", applies="read"
    ),
    "image_sizes": Option(
        "image_sizes",
        "str",
        "",
        "JSON file mapping image paths to [width, height] (read before headers)",
        applies="read",
    ),
    "links": Option(
        "links",
        "choice",
        "inside",
        "label files that are symbolic links: inside (each must lead inside the dataset, so an untrusted one "
        "cannot read other files of the machine), follow (any: DVC or git-annex checkouts)",
        ("inside", "follow"),
        "read",
    ),
    CROWD: CROWD_OPTION,
    "layout": Option("layout", "choice", "ultralytics", "folder layout to write", ("ultralytics", "darknet"), "write"),
    "media": Option(
        "media",
        "choice",
        "none",
        "images: none (labels only), copy, or link (symlink)",
        ("none", "copy", "link"),
        "write",
    ),
    "media_root": Option("media_root", "str", "", "folder the items' image paths are relative to", applies="write"),
    "precision": Option(
        "precision",
        "str",
        "exact",
        "decimals of coordinates, or exact (shortest form that reads back)",
        applies="write",
        check=lambda value: precision_of({"precision": value}),
    ),
    "split": Option("split", "str", DEFAULT_SPLIT, "split of items that have none", applies="write"),
    "kpt_dims": Option(
        "kpt_dims",
        "choice",
        "3",
        "pose: 3 (x y v) or 2 (x y) per keypoint; unset, a dataset read from a [K, 2] file is written with 2",
        ("2", "3"),
        "write",
    ),
}


# -- detection -------------------------------------------------------------------------------------


def detect(path: Path) -> Detection | None:
    """A ``data.yaml`` with ``names``, an ``obj.data``, a folder holding one or YOLO labels, or its names file.

    A names file (``classes.txt``, ``obj.names``, ``*.names``, ``_darknet.labels``) is detected as its folder
    is (a LabelImg folder's ``classes.txt`` too); a ``*.names`` file in a folder that is none, as Darknet's.
    """
    if path.is_file():
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:65536]
            except OSError:
                return None
            if "names" in head and ("train" in head or "val" in head or "kpt_shape" in head):
                return Detection(0.9, "Ultralytics data.yaml with names")
            return None
        if path.name == "obj.data" or path.suffix.lower() == ".data" and is_darknet_data(path):
            return Detection(0.8, f"Darknet {path.name}")
        if is_names_file(path):  # (a names file stands for its folder, as reading takes it)
            folder = detect(names_folder(path))
            if folder is not None:
                return Detection(folder.confidence, f"names file of a YOLO folder: {folder.reason}")
            if path.suffix.lower() == ".names":
                return Detection(0.8, f"Darknet {path.name}")
        return None
    if not path.is_dir():
        return None
    config = find_config(path)
    if config is not None and config.suffix in (".yaml", ".yml"):
        return Detection(0.9, f"folder with {config.name}")
    label_dirs = [path / d for d in LABEL_DIRS] + [
        path / s / d for s in ("train", "valid", "val", "test") for d in ("labels", "labelTxt")
    ]
    has_labels = any(has_txt(d) for d in label_dirs)
    if config is not None and (has_labels or darknet_data(path) is not None):
        return Detection(0.85, f"folder with {config.name} and label files")
    among = next((path / d / LABELIMG_NAMES for d in LABEL_DIRS if (path / d / LABELIMG_NAMES).is_file()), None)
    if among is not None and has_labels:  # (LabelImg saving into labels/ puts its classes.txt there)
        return Detection(0.85, f"folder with {among.relative_to(path).as_posix()} and label files")
    if has_labels and not (path / "Annotations").is_dir():
        return Detection(0.5, "folder with labels/ and no names file")
    flat = _detect_flat(path, config)
    if flat is not None:
        return flat
    if classify_splits(path):
        return Detection(0.3, "folder of split/class/image folders (YOLO classify)")
    try:  # (Darknet's own folder: reading it names data/obj.data, the file to read)
        below = darknet_data(path / "data") if (path / "data").is_dir() else None
    except InputError:
        below = None
    return Detection(0.3, "folder whose data/ holds Darknet's obj.data") if below is not None else None


def _detect_flat(path: Path, config: Path | None) -> Detection | None:
    """A folder of images with their label files beside them (LabelImg), and a names file or YOLO lines.

    The first 8 label files by name are looked at: one must hold YOLO lines. Without a names file, none may
    hold other lines (an OCR set's transcriptions beside their images are no labels); with one, a file holding
    other lines is a bad label file, which reading names by ``file:line`` (it made the folder undetected: "no
    format recognises this input").
    """
    folders = flat_folders(path)
    if not folders:
        return _detect_flat_labels(path, config)
    names = config or next(iter(suffixed(path, ".names")), None)
    if names is None:
        places = [
            folder / n for _, folder, images in folders for n in dict.fromkeys(PurePosixPath(i).parent for i in images)
        ]
        names = next((p / f for p in places for f in FLAT_NAMES if (p / f).is_file()), None)
    labels = [folder / label_file(Path(image)) for _, folder, images in folders for image in images]
    yolo, other = _line_kinds([p for p in labels if p != names][:8])
    what = "split folders" if folders[0][0] is not None else "folder"
    if names is not None and (yolo or not other):
        return Detection(0.7, f"flat {what} (LabelImg): images with label files beside them, and {names.name}")
    if yolo and not other:
        return Detection(0.5, f"flat {what} (LabelImg): images with YOLO label files beside them, no names file")
    return None


def _line_kinds(labels: list[Path]) -> tuple[bool, bool]:
    """Whether any of ``labels`` holds YOLO lines, and whether any holds other lines (:func:`yolo_lines`)."""
    kinds = [yolo_lines(label) for label in labels]
    return any(yolo for yolo, _ in kinds), any(other for _, other in kinds)


def _detect_flat_labels(path: Path, config: Path | None) -> Detection | None:
    """A flat folder of YOLO label files without their images (LabelImg's labels kept apart from them).

    There must be a names file (LabelImg writes ``classes.txt``): text files of numbers alone say too little.
    As for a flat folder with its images, one of the first 8 label files by name must hold YOLO lines, unless
    none holds a line.
    """
    labels = [path / name for name in flat_labels(path)]
    if not labels:
        return None
    names = config or next(iter(suffixed(path, ".names")), None)
    names = names or next((path / f for f in FLAT_NAMES if (path / f).is_file()), None)
    yolo, other = _line_kinds([p for p in labels if p != names][:8])
    if names is None or (other and not yolo):
        return None
    return Detection(0.6, f"flat folder (LabelImg): YOLO label files and {names.name}, without their images")


# -- building the dataset --------------------------------------------------------------------------


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a YOLO dataset from a folder, a ``data.yaml``, an ``obj.data`` or a names file.

    Raises:
        InputError: a bad line (named by ``file:line``), a class id beyond ``names``, a missing or
            unreadable image whose size is needed, or a layout with no images or labels.
    """
    with absolute_root(Path(path)) as root:  # (not ".": see absolute_root)
        return _read_at(root, **options)


def validate(path: Path, **options: Any) -> list[Finding]:
    """The dataset read, then each line whose object writing YOLO clips or loses.

    See :func:`labelkit.formats.yolo_check.outside_rows`: coordinates outside the image (a value below 0 or
    above 1), which writing YOLO clips to it, or loses with the object when nothing of it is inside.

    A label file's bad line stops the read: then each label file is parsed on its own, and its first bad line is a
    finding. Another error (a config, a names file, an image) is raised: the one finding (see
    :func:`labelkit.api.validate`).
    """
    from labelkit.formats import yolo_check

    places: list[Any] = []  # (the label files, and each object row's file and line: see _read_at)
    bad_files: list[InputError] = []
    with absolute_root(Path(path)) as root:
        try:
            dataset = _read_at(root, places, **options)
        except InputError as exc:
            bad_files = bad_label_files(root, exc, options)
            if not bad_files:
                raise
    here = str(Path.cwd()).rstrip(os.sep) + os.sep

    def named(f: str) -> str:  # (read at its absolute path: its files are named as given, as absolute_root does)
        return f[len(here) :] if root != Path(path) and f.startswith(here) else f

    if bad_files:
        return [replace(f, path=named(f.path)) for f in (exc.finding(root) for exc in bad_files)]
    files, entry, line = places or ([], [], [])
    files = [named(f) for f in files]
    return [Finding(files[entry[row]], f":{line[row]}", what) for row, what in yolo_check.outside_rows(dataset)]


def _read_at(path: Path, places: list[Any] | None = None, **options: Any) -> Dataset:
    task = str(options.get("task", "auto"))
    if task not in ("auto", *TASKS):
        raise UsageError("bad task", expected=", ".join(TASKS), found=task)
    follow = str(options.get("links") or "inside") == "follow"
    layout, sizes = find_layout(path, task, str(options.get("image_sizes") or ""), follow)
    fallback = parse_size(str(options["image_size"])) if options.get("image_size") else None
    # (no images: a config naming classes, or classify's class folders, is a dataset of no items)
    if (
        not layout.entries
        and not (layout.config and (layout.names or "names" in layout.config))
        and not (layout.classify and layout.names)
    ):
        try:  # (data/obj.data that is no file: the error is the folder's, as without it)
            below = darknet_data(path / "data") if path.is_dir() and (path / "data").is_dir() else None
        except InputError:
            below = None
        hint = f"read {below} (Darknet's data/ folder)" if below else "is this a YOLO dataset folder?"
        raise InputError("no images or label files found", path=path, hint=hint)
    if layout.classify:
        return _classify_dataset(layout, sizes, fallback)
    if any(e.label is not None and "labelTxt" in e.label.split(os.sep) for e in layout.entries):
        layout.dota = True
    parsed = yolo_parse.Parsed()
    inside = None if follow else Inside(layout.root)
    root_prefix = str(layout.root) + os.sep
    files: list[str] = []  # (each entry's label file, "." without one: the text of Path(""))
    names = list(layout.names)
    waiting: list[tuple[int, str, bytes]] = []  # label files read and not yet parsed (a batch at a time)
    size = 0
    unreadable: InputError | None = None

    def parse_waiting() -> None:
        datas = [data for _, _, data in waiting]
        if not yolo_parse.parse_many(datas, [index for index, _, _ in waiting], parsed, len(names)):
            for index, label, data in waiting:
                try:
                    yolo_parse.parse_file(data, label, index, parsed, len(names))
                except InputError as exc:  # (or a line before it, of a kind checked after)
                    raise earliest(exc, task, layout, parsed, files, names, (index, data)) from exc.__cause__
        waiting.clear()

    for index, entry in enumerate(layout.entries):
        files.append(entry.label if entry.label is not None else ".")
        if entry.label is None:
            continue
        try:  # (a label file outside the root, beside an absolute image folder data.yaml names, is not checked)
            within = inside if inside is not None and entry.label.startswith(root_prefix) else None
            data = read_file(entry.label, inside=within)
        except FileNotFoundError:
            if (broken := dangling_link(entry.label)) is not None:
                unreadable = broken
                break
            continue  # an image without a label file: an image without objects
        except OSError as exc:  # (a folder, a FIFO, ...: 'not a regular file')
            unreadable = unreadable_file(exc, entry.label)
            break
        if layout.dota:
            try:
                given = len(layout.names) if "names" in layout.config else 0  # (a names file's may be partial)
                yolo_parse.parse_dota(data, entry.label, index, parsed, names, given)
            except InputError as exc:
                raise earliest(exc, task, layout, parsed, files, names) from None
            continue
        waiting.append((index, entry.label, data))
        size += len(data)
        if size >= yolo_parse.PARSE_BATCH:
            parse_waiting()
            size = 0
    parse_waiting()  # (the files before an unreadable one come first, errors included)
    if unreadable is not None:  # (a bad line of a file before it comes first)
        raise earliest(unreadable, task, layout, parsed, files, names)
    if parsed.first_spelled is not None:
        at, line, text = parsed.first_spelled
        layout.notes.append(
            f"{parsed.spelled:,} label lines write their class id otherwise than in digits ({text!r} at "
            f"{rel_path(files[at], layout.root)}:{line} first): each is read as the integer it is, which "
            "YOLO output writes in digits"
        )
    header_note = yolo_parse.dota_header_note(parsed, files, layout.root)
    repeat_note = yolo_parse.duplicate_note(parsed, files, layout.root)
    layout.notes += [note for note in (header_note, repeat_note) if note]
    chosen = yolo_parse.decide_task(task, layout, parsed)
    if (bad := first_row_error(chosen, layout, parsed, files, named=bool(names))) is not None:
        raise bad  # (the first bad line in file order, whatever its kind)
    if not layout.dota and not names and parsed.classes:
        names = [f"class_{i}" for i in range(max(parsed.classes) + 1)]
    if places is not None:  # (validate: the label files, and each object row's file and line)
        places += [files, parsed.entry, parsed.line]
    return _build(layout, names, parsed, chosen, sizes, fallback, files)


def _item_ids(layout: Layout) -> list[str]:
    """Item ids: each entry's key, made unique.

    The key is the label file's path without ``.txt`` (for classify, the image's path below its class folder
    without the extension). Where splits share a key, it is ``<split>/<key>``; where images of one folder
    share a stem (``x.jpg`` and ``x.png`` both take ``x.txt``, as Ultralytics does), the image's extension is
    kept (``x.jpg``); where ids still clash (classify: ``cat/1.jpg`` and ``dog/1.jpg``), the path of the image
    (or, without one, of the label file) in the dataset is the id.

    Raises:
        InputError: two entries still get the same id.
    """
    entries = layout.entries
    files = [e.image or e.label for e in entries]
    ids = unique_ids(
        [e.split for e in entries],
        [e.key for e in entries],
        lambda k: Path(image).suffix if (image := entries[k].image) else "",
        lambda k: rel_path(file, layout.root) if (file := files[k]) else None,
    )
    first: dict[str, str | None] = {}
    for i, f in zip(ids, files, strict=True):
        if i in first:
            raise InputError(f"two files would be the item {i!r}: {first[i]} and {f}", path=layout.root)
        first[i] = f
    return ids


def _items_table(
    layout: Layout, ids: list[str], widths: list[int | None], heights: list[int | None], paths: list[str | None]
) -> pa.Table:
    if not names_are_utf8():  # (ISO-8859-1 reads a UTF-8 name as other text, without an error: refused then)
        for name in (*ids, *(e.split or "" for e in layout.entries)):
            require_utf8_name(name, layout.root)
    return pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "media": pa.array(["image"] * len(ids), pa.string()),
            "path": pa.array(paths, pa.string()),
            "width": pa.array(widths, pa.int64()),
            "height": pa.array(heights, pa.int64()),
            "split": pa.array([e.split for e in layout.entries], pa.string()),
        }
    )


def _build(
    layout: Layout,
    names: list[str],
    parsed: yolo_parse.Parsed,
    task: str,
    sizes: dict[str, tuple[int, int]],
    fallback: tuple[int, int] | None,
    files: list[str],
) -> Dataset:
    ids = _item_ids(layout)
    widths, heights, paths = item_sizes(layout, parsed, sizes, fallback)
    n = len(parsed.classes)
    entry = np.asarray(parsed.entry, dtype=np.int64)
    w = np.asarray([v if v is not None else 0 for v in widths], dtype=np.float64)[entry] if n else np.zeros(0)
    h = np.asarray([v if v is not None else 0 for v in heights], dtype=np.float64)[entry] if n else np.zeros(0)
    values = np.asarray(parsed.values, dtype=np.float64)
    counts = np.asarray(parsed.counts, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    dims = (layout.kpt_shape or (0, 3))[1]  # (the lines a write would not give back: before segment's are pixels)
    at_risk = None if layout.dota else yolo_exact.lines_at_risk(values, offsets, task, dims, w, h)
    is_polygon = np.zeros(n, dtype=bool)  # the drawn shape: a box unless set
    angle = np.zeros(n, dtype=np.float64)
    bbox = np.zeros((n, 4), dtype=np.float64)
    polygon: pa.Array = pa.nulls(n, pa.list_(pa.list_(pa.float64())))
    keypoints: pa.Array = pa.nulls(n, pa.list_(pa.float64()))
    if task in ("detect", "pose"):
        head = values[(offsets[:-1, None] + np.arange(4)).reshape(-1)].reshape(-1, 4) if n else np.zeros((0, 4))
        bbox = G.yolo_to_xywh(head, w, h)
        if task == "pose" and n:
            keypoints, marked, origin = read_keypoints(values, offsets, layout.kpt_shape or (0, 3), w, h)
            if marked.any() and dims == 2:  # (written back as read: see MARKS)
                parsed.extras = parsed.extras or [None] * n
                marks_extras(values, offsets, marked.shape[1], marked, parsed.extras)
            for points, what in ((marked, MARKED if dims == 2 else MARKED_WITH_VISIBILITY), (origin, AT_ORIGIN)):
                if points.any():
                    layout.notes.append(points_note(points, parsed, files, layout.root, what))
    elif task == "obb":
        corners = values.reshape(-1, 8)
        if not layout.dota:
            corners = corners * np.repeat(np.stack([w, h], axis=1), 4, axis=0).reshape(-1, 8)
        # corners given anticlockwise: the box is made from them clockwise (the model's order), and the object
        # says so (yolo:ccw), so that writing OBB gives them back in their order
        ccw = yolo_exact.anticlockwise(corners)
        bbox, angle, is_rect = G.corners_to_rotated_box(np.where(ccw[:, None], corners[:, G.REVERSED_CORNERS], corners))
        ccw &= is_rect
        if ccw.any():
            extras_text: list[str | None] = parsed.extras if parsed.extras else [None] * n
            for i in np.flatnonzero(ccw).tolist():
                text = extras_text[i]
                extras_text[i] = '{"yolo:ccw":true}' if text is None else text[:-1] + ',"yolo:ccw":true}'
            parsed.extras = extras_text
        quad = ~is_rect
        if quad.any():
            is_polygon[quad] = True
            bbox[quad] = G.ring_bounds(corners[quad].reshape(-1), np.arange(0, 8 * (int(quad.sum()) + 1), 8))
            angle[quad] = 0.0
            rings = [[row] if q else None for row, q in zip(corners.tolist(), quad.tolist(), strict=True)]
            polygon = pa.array(rings, pa.list_(pa.list_(pa.float64())))
    else:  # segment: polygons, plus any 5-field box lines
        is_box = counts == 4
        box_values = values[(offsets[:-1][is_box, None] + np.arange(4)).reshape(-1)].reshape(-1, 4)
        # to pixels in place: x by the image's width, y by its height; every line has pairs (checked), so a
        # line's x values are its count / 2 even positions. parsed.values holds pixels from here on (the
        # polygon column shares its memory), and nothing reads the normalised numbers after this
        absolute = values
        pairs = counts // 2
        absolute[0::2] *= np.repeat(w, pairs)
        absolute[1::2] *= np.repeat(h, pairs)
        if n:
            bbox = G.ring_bounds(absolute, offsets)
        if is_box.any():
            bbox[is_box] = G.yolo_to_xywh(box_values, w[is_box], h[is_box])
        is_polygon[~is_box] = True
        inner = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(absolute, pa.float64()))
        outer_offsets = np.arange(n + 1, dtype=np.int32)
        mask = pa.array(is_box)
        polygon = pa.ListArray.from_arrays(pa.array(outer_offsets), inner, mask=mask)
    objects = pa.table(
        {
            "id": pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string()),
            "item_id": pa.array(ids, pa.string()).take(pa.array(entry, pa.int64())),
            "category_id": pa.array(parsed.classes, pa.int64()),
            "extras": pa.array(parsed.extras if parsed.extras else [None] * n, pa.string()),
            "shape": _SHAPES.take(pa.array(is_polygon.view(np.int8))),
            "bbox": pa.FixedSizeListArray.from_arrays(pa.array(bbox.reshape(-1), pa.float64()), 4),
            "angle": pa.array(angle, pa.float64()),
            "polygon": polygon,
            "keypoints": keypoints,
        }
    )
    categories = [Category(id=i, name=name) for i, name in enumerate(names)]
    extras: dict[str, Any] = {"yolo:task": task}
    notes = list(layout.notes)
    if task == "pose" and layout.kpt_shape is not None:
        k = layout.kpt_shape[0]
        kpt_names, unused = kpt_names_of(layout.config.get("kpt_names"), k, len(categories))
        if unused:
            notes.append(
                f"{layout.config_name}'s kpt_names entries not used (those classes' keypoints are named 0, 1, ...): "
                + "; ".join(unused)
            )
        if k:  # (kpt_shape [0, D], as labelkit writes pose without keypoints: classes without them)
            categories = [c.model_copy(update={"keypoints": kpt_names[c.id]}) for c in categories]
        if layout.kpt_shape[1] == 2:
            extras["yolo:kpt_dims"] = 2
        if isinstance(layout.config.get("flip_idx"), list):
            extras["yolo:flip_idx"] = [int(v) for v in layout.config["flip_idx"]]
    if type(channels := layout.config.get("channels")) is int and 0 < channels < 2**63:  # (1: grayscale images)
        extras["yolo:channels"] = channels
    elif channels is not None:  # (-1, 2.5, true: dropped unsaid; beyond 64 bits: an internal error)
        notes.append(f"{layout.config_name}'s channels: {str(channels)[:40]} not kept: not a positive 64-bit integer")
    extras.update(_empty_splits(layout))
    del files
    dataset = Dataset.from_tables(
        {"items": _items_table(layout, ids, widths, heights, paths), "objects": objects},
        categories,
        DatasetInfo(extras=extras),
    )
    dataset.read_notes.extend(notes)
    return dataset if at_risk is None else yolo_exact.keep(dataset, task, at_risk)


def _classify_dataset(layout: Layout, sizes: dict[str, tuple[int, int]], fallback: tuple[int, int] | None) -> Dataset:
    ids = _item_ids(layout)
    class_of: dict[str, str] = layout.config.get("_class_of", {})
    widths, heights, paths = [], [], []
    differ: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    for entry in layout.entries:
        assert entry.image is not None
        rel = rel_path(entry.image, layout.root)
        size = size_of(entry.image, rel, sizes, fallback, differ)
        widths.append(size[0] if size else None)
        heights.append(size[1] if size else None)
        paths.append(rel)
    if note := differing_sizes_note(differ):
        layout.notes.append(note)
    index = {name: i for i, name in enumerate(layout.names)}
    categories = [index[class_of[str(e.image)]] for e in layout.entries]
    labels = pa.table(
        {
            "id": pa.array([str(i + 1) for i in range(len(ids))], pa.string()),
            "item_id": pa.array(ids, pa.string()),
            "category_id": pa.array(categories, pa.int64()),
        }
    )
    dataset = Dataset.from_tables(
        {"items": _items_table(layout, ids, list(widths), list(heights), list(paths)), "labels": labels},
        [Category(id=i, name=name) for i, name in enumerate(layout.names)],
        DatasetInfo(extras={"yolo:task": "classify", **_empty_splits(layout)}),
    )
    dataset.read_notes.extend(layout.notes)
    return dataset


def _empty_splits(layout: Layout) -> dict[str, list[str]]:
    """The info extra naming the splits read without an image, written back empty (see :data:`EMPTY_SPLITS`)."""
    held = {e.split for e in layout.entries}
    empty = [s for s in dict.fromkeys(layout.splits_read) if s not in held]
    return {EMPTY_SPLITS: empty} if empty else {}


# -- writing (see yolo_write) ----------------------------------------------------------------------


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items whose files differ between machines (see :func:`.yolo_writable.writable`)."""
    from labelkit.formats import yolo_writable

    return yolo_writable.writable(dataset, **options)


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what the chosen task cannot hold (see :func:`labelkit.formats.yolo_check.check`)."""
    from labelkit.formats import yolo_check

    yolo_check.check(dataset, report, **options)


def title_for(dataset: Dataset, options: dict[str, Any]) -> str:
    """The target's name in reports (see :func:`labelkit.formats.yolo_write.title_for`)."""
    from labelkit.formats import yolo_write

    return yolo_write.title_for(dataset, options)


def drops_polygons(options: dict[str, Any]) -> bool:
    """Whether the task writes no polygon coordinates: detect, pose, classify.

    ``auto`` is detect for every reader that can count polygons instead of parsing them, since only a YOLO
    source records another task.
    """
    return str(options.get("task") or "auto") in ("auto", "detect", "pose", "classify")


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write a YOLO folder (see :func:`labelkit.formats.yolo_write.write`)."""
    from labelkit.formats import yolo_write

    yolo_write.write(dataset, Path(path), report, **options)
