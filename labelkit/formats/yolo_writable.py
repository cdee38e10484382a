"""Which items a YOLO write holds the same on every machine: the writer's ``writable`` (see ``base.WRITABLE``).

Used by :mod:`labelkit.formats.yolo`; the splits and image paths a layout cannot hold at all are refused by
:mod:`labelkit.formats.yolo_write`, which writes the label files.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labelkit.formats import holes_alone
from labelkit.formats.yolo_classify import classify_files
from labelkit.formats.yolo_layout import APPLE_DOUBLE
from labelkit.formats.yolo_media import is_image_name
from labelkit.formats.yolo_write import item_files, refuse_reserved_splits, refuse_unlistable, task_of
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import valid_mask
from labelkit.portable import (
    drop_unportable,
    dropped_forks,
    same_files,
    split_list_entries,
    unportable_paths,
    without_nul_names,
)


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    r"""The dataset without the items whose files are not the same on every machine (see ``base.WRITABLE``).

    An item is left out when its label file (or, with ``media=copy`` or ``link``, its image) is a name
    Windows cannot hold (``con.txt``), or differs from another item's only in case or Unicode normalisation
    (``a.txt`` and ``A.txt``, or in a folder on their way): one file on macOS and Windows. On every machine
    the first by name is written; items sharing one label file exactly (``x.jpg`` and ``x.png``) are not
    left out (see :func:`.yolo_write.write`). So are items whose image is another's on every machine (ids ``a\b.jpg``
    and ``a/b.jpg``: one item when read back), or whose label file or image is a folder on another's way
    (``a.jpg`` and ``a.txt/b.jpg``): the first by id is written (:func:`labelkit.portable.same_files`).
    So are the items of a split whose Darknet list Windows cannot hold (``con.txt``), and those whose label file
    or image would be named with a NUL character (:func:`labelkit.portable.without_nul_names`).
    """
    dataset, nul = without_nul_names(dataset, "YOLO")
    dataset, holes = _without_hole_only_polygons(dataset, task_of(dataset, options))
    kept, losses = _writable(dataset, **options)
    return kept, nul + holes + losses


def _without_hole_only_polygons(dataset: Dataset, task: str) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset with the polygons whose every ring is a hole taken off their objects, and the loss.

    Such a polygon covers nothing (COCO writes it as an empty mask, VOC paints nothing); YOLO has no holes, and
    wrote the hole as a filled ring of the object (segment), or its bounds as the object's box (detect), unsaid.
    """
    objects = dataset.table("objects")
    # (or whose only other ring has fewer than 3 points, which no task draws: the hole was drawn as a filled ring)
    outerless = G.outerless_polygons(objects["polygon"], objects["polygon_holes"])
    rows = np.flatnonzero(outerless).tolist()
    if not rows:
        return dataset, []
    objects = holes_alone.polygons_off(objects, outerless)
    # (an object left nothing to draw, no box nor, for segment, which traces it, mask, is lost whole: counted once,
    # there; detect, OBB and pose draw no mask)
    drawn = valid_mask(objects["bbox"]) | (valid_mask(objects["mask"]) if task == "segment" else False)
    kept = [r for r in rows if drawn[r]]
    dataset = Dataset.from_tables({**dataset.tables(), "objects": objects}, dataset.categories, dataset.info)
    if not kept:
        return dataset, []
    why = "every ring of such a polygon is a hole, which covers nothing, and YOLO has no holes: no ring of it is"
    return dataset, [
        ("polygons of holes alone", len(kept), f"{why} written (object {ascii(str(objects['id'][kept[0]].as_py()))})")
    ]


def _writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """:func:`writable`, of a dataset whose items' names hold no NUL."""
    if task_of(dataset, options) == "classify":  # (each filed image: <split>/<class folder>/<name>)
        items = dataset.table("items")
        ids = [str(v) for v in items["id"].to_pylist()]
        splits = [s or str(options.get("split") or "train") for s in items["split"].to_pylist()]
        targets = classify_files(dataset, ids, splits, items["path"].to_pylist())[0]
        owners = [n for n, target in enumerate(targets) if target is not None]
        filed = [targets[n] or "" for n in owners]
        reserved, yielding = unportable_paths(filed)
        same = same_files(filed, [ids[n] for n in owners])  # (a\b.jpg and a/b.jpg: one image file)
        return drop_unportable(dataset, filed, owners, reserved, yielding, same)
    # a split the layout cannot hold at all ('a:b' as an obj.data key) is refused as write() would, rather than
    # its items counted lost for a folder name Windows cannot create
    default_split = str(options.get("split") or "train")
    splits = dataset.item_splits(default_split)
    layout = str(options.get("layout") or "ultralytics")
    refuse_reserved_splits(splits, layout)
    dataset, forks = (dataset, []) if layout == "darknet" else _without_resource_forks(dataset, options)
    if layout != "darknet" and str(options.get("media") or "none") != "none":
        dataset, shadowed = _without_shadowed(dataset, options)
        forks += shadowed
    files = item_files(dataset, options)
    ids = [str(v) for v in dataset.table("items")["id"].to_pylist()]
    if layout == "darknet":  # (so is an image path a list line cannot hold: 'a\nb.jpg')
        refuse_unlistable(files.image_rel, ids)
    entries, owners = files.label_rel, list(range(len(files.label_rel)))
    # one image is one item when read back (ids a\b.jpg and a/b.jpg); a label file on another's way is lost
    same = same_files(files.image_rel, ids, files.label_rel)
    if str(options.get("media") or "none") == "none" and layout == "darknet":
        # (Darknet's lists name every image, beside its label file: one that is a folder on another's way, as
        # obj_train_data/a.jpg of obj_train_data/a.jpg/b.txt, is no image to a reader, copied or not)
        on_way = same_files(files.image_rel, ids)
        same.update({n: k for n, k in on_way.items() if n not in same})
    elif str(options.get("media") or "none") != "none":
        placed = [i for i, p in enumerate(dataset.table("items")["path"].to_pylist()) if p]
        entries = entries + [files.image_rel[i] for i in placed]
        owners += placed
        # (an image on another's way: entries past the labels, each placed item's image)
        images = same_files([files.image_rel[i] for i in placed], [ids[i] for i in placed])
        same.update({len(ids) + j: len(ids) + k for j, k in images.items() if placed[j] not in same})
    if layout == "darknet":  # a split's list, <split>.txt (con.txt: a device)
        lists, listed = split_list_entries(splits, "")
        entries = entries + lists
        owners = owners + listed
    reserved, yielding = unportable_paths(entries, files.folders if entries is files.label_rel else None)
    dataset, losses = drop_unportable(dataset, entries, owners, reserved, yielding, same)
    return dataset, forks + losses


def _without_resource_forks(dataset: Dataset, options: dict[str, Any]) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items whose label file is named as a macOS resource fork, and their losses.

    YOLO readers pass over such files (``._a.txt``, of an image ``._a.jpg``: macOS leaves them beside copied
    ones), so in an Ultralytics layout the item would not be read back. (Darknet's lists name the images: they
    are read.)
    """
    label_rel = item_files(dataset, options).label_rel
    forks = [  # (a substring test first: most names have no "._" at all)
        n for n, rel in enumerate(label_rel) if APPLE_DOUBLE in rel and rel.rpartition("/")[2].startswith(APPLE_DOUBLE)
    ]
    return dropped_forks(dataset, forks, label_rel, "YOLO")


def _without_shadowed(dataset: Dataset, options: dict[str, Any]) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items left no image whose label file is a placed image's, and their losses.

    With ``media=copy`` or ``link``, in the Ultralytics layout, such an item (of no image path, or of a name
    without an image extension, ``x.gif``) is read back from ``image_sizes.json``, unless an image found on disk
    has its label file (``x.png``, copied): a reader takes the label file for that image's (a size-file entry
    beside it may be stale, ``x.jpg`` of an image re-encoded to ``x.png``), and the item was lost on reading
    back, unreported.
    """
    files = item_files(dataset, options)
    paths = dataset.table("items")["path"].to_pylist()
    found = [bool(p) and is_image_name(files.image_rel[n].rpartition("/")[2]) for n, p in enumerate(paths)]
    found_labels = {rel for rel, on_disk in zip(files.label_rel, found, strict=True) if on_disk}
    shadowed = [n for n, rel in enumerate(files.label_rel) if not found[n] and rel in found_labels]
    if not shadowed:
        return dataset, []
    drop = np.zeros(len(paths), dtype=bool)
    drop[shadowed] = True
    item_id = str(dataset.table("items")["id"][shadowed[0]].as_py())
    losses = [
        (
            "items whose label file is a copied image's",
            len(shadowed),
            "no image is placed for them (no image path, or no image extension): a reader takes their label file, "
            f"{ascii(files.label_rel[shadowed[0]])}, for the image of its stem, and reads them nowhere: they are not "
            f"written (item {ascii(item_id)})",
        )
    ]
    dataset, gone = dataset.without_items(drop)
    return dataset, losses + [(f"{what} on them", count, "their items are not written") for what, count in gone.items()]
