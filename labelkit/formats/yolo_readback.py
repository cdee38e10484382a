"""What a YOLO reader gives back otherwise than written: item ids and splits, annotation ids, image paths.

The plan (:mod:`labelkit.formats.yolo_check`) reports them as transformed or lost; :func:`read_order` is the order a
reader lists the items in, which numbers their objects.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.capability import RENUMBERED, renumbered
from labelkit.formats.yolo_config_files import (
    darknet_split_order,
    read_split_order,
)
from labelkit.formats.yolo_media import (
    is_image,
    listed_sizes,
)
from labelkit.formats.yolo_write import (
    item_files,
    read_back_ids,
    title_for,
)
from labelkit.model import Dataset
from labelkit.model.tables import places, true_mask
from labelkit.report import Report


def read_order(dataset: Dataset, options: dict[str, Any]) -> np.ndarray:
    """Each item's place in the order a reader lists the items written.

    Split by split: Ultralytics' in its ``data.yaml`` order (``train``, ``val``, ..., then the others by name), each
    split's by label file path (images sharing one by path); Darknet's in its ``obj.data`` order (by name, the split
    its ``train`` names first where none is so named), each split's as its list file names them (the dataset's).
    """
    default_split = str(options.get("split") or "train")
    splits = dataset.item_splits(default_split)
    names = sorted(set(splits))
    if options.get("layout") == "darknet":
        place = {s: k for k, s in enumerate(darknet_split_order(names))}
        path = image = pa.array(np.arange(len(splits)))  # (the listed order)
    else:
        place = {s: k for k, s in enumerate(read_split_order(names))}
        files = item_files(dataset, options)
        if str(options.get("media") or "none") == "none":  # (the label files are listed, by name as text)
            path = pa.array(files.label_rel, pa.string())
        else:  # (the images are, by parts: a NUL for each / sorts a path's text so, as no part holds one)
            path = pc.replace_substring(pa.array(files.image_rel, pa.string()), "/", "\x00")
        image = pa.array(files.image_rel, pa.string())  # (images sharing a label file, x.jpg and x.png, by path)
    keys = pa.table({"split": pa.array([place[s] for s in splits], pa.int64()), "path": path, "image": image})
    by = [("split", "ascending"), ("path", "ascending"), ("image", "ascending")]
    return places(pc.sort_indices(keys, sort_keys=by).to_numpy())


def report_read_back(dataset: Dataset, report: Report, options: dict[str, Any], written: Dataset) -> None:
    """Report the items that read back with another id, or in a split they did not have (the default split).

    ``written``: the dataset with only the objects written (:func:`.yolo_check.written_objects_only`), which a
    reader numbers.
    """
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    renamed = sum(a != b for a, b in zip(ids, read_back_ids(dataset, options), strict=True))
    where = (
        "its image's path in its split's list (obj_<split>_data/...)"
        if options.get("layout") == "darknet"
        else "its path below images/<split>/"
    )
    report.transform(
        "item ids",
        renamed,
        f"YOLO names items after their image files: a reader takes {where} without the extension, with the split "
        "in front where two splits hold one name",
    )
    report.transform(
        "object ids",
        renumbered(written, "objects", read_order(dataset, options)),
        RENUMBERED.format(target=title_for(dataset, options)),
    )
    # (a copied or linked image reads back with its path, and so does one a Darknet list names)
    darknet = options.get("layout") == "darknet"  # (its lists name an image for every item, one of no path too)
    has_path = true_mask(pc.is_valid(items["path"]))
    sized = true_mask(listed_sizes(items["width"], items["height"]))  # (in image_sizes.json: read back with a path)
    if str(options.get("media") or "none") == "none" and not darknet:
        report.lose(
            "image paths of images of unknown size",
            int(np.count_nonzero(has_path & ~sized)),
            "without the images (-o media=none), a reader finds an image's path in image_sizes.json, which holds "
            "only known sizes: the item reads back without its image path (the Darknet layout's lists keep it)",
        )
        has_path = np.zeros_like(has_path)  # (no image placed)
    paths, image_rel = items["path"].to_pylist(), item_files(dataset, options).image_rel
    if not darknet:  # (copied or linked, a file no reader takes for an image is found in image_sizes.json only)
        unsized = np.flatnonzero(has_path & ~sized)
        passed = [k for k in unsized.tolist() if not is_image(PurePosixPath(image_rel[k]))]
        report.lose(
            "image paths of files of no image extension, of unknown size",
            len(passed),
            "a reader passes over a file of no image extension ('a.webm', copied or linked) and finds its path in "
            "image_sizes.json, which holds only known sizes: the item reads back without its image path",
        )
        has_path[passed] = False
    kept = has_path | sized | darknet
    splits = items["split"].to_pylist()
    folder = {
        s: ("obj_{}_data/" if darknet else "images/{}/").format(s or options.get("split") or "train")
        for s in set(splits)
    }
    report.transform(  # (a path below the split's images folder as it was, COCO's a.jpg too, is as it is)
        "image paths",
        sum(
            1
            for k in np.flatnonzero(kept).tolist()
            if image_rel[k] != paths[k] and image_rel[k] != folder[splits[k]] + str(paths[k])
        ),
        f"{title_for(dataset, options)} keeps images in images/<split>/ (Darknet: obj_<split>_data/): an item's "
        "image reads back there, at the path it is written to ('images/a.jpg' as 'images/train/a.jpg'; 'a.jpg', "
        "'x/a.jpg' below it as they are), and with -o media=none an item of a known size and no path gets one",
    )
    report.transform(
        "item splits",
        sum(1 for s in splits if not s),
        f"items without a split are written to {str(options.get('split') or 'train')!r} (the -o split option), "
        "and read back in it",
    )
