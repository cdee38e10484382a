"""What Pascal VOC's names do to items read back: ids named after their images, images renamed, image paths.

Reported by :func:`labelkit.formats.voc_check.check` (so a plan says what a write does), from the names
:mod:`labelkit.formats.voc_write` writes; moved out of it, which was at 700 lines.
"""

from __future__ import annotations

from pathlib import Path

from labelkit.formats import voc_xml
from labelkit.formats.voc_names import STEM_REASON, image_file_names, named
from labelkit.formats.yolo_media import is_image
from labelkit.model import Dataset
from labelkit.report import Report


def renamed_files(dataset: Dataset, report: Report, media: str, per_split: bool = False) -> None:
    """Report the items whose files are not named as their ids, images renamed, paths read back otherwise.

    check() calls it, with the ``media`` option, and whether ``media_root`` has a folder per split (``per_split``:
    see :func:`~labelkit.formats.voc_names.image_file_names`).
    """
    ids = dataset.table("items")["id"].to_pylist()
    files, stemmed = named(dataset)
    renamed = sum(1 for i, f in zip(ids, files, strict=True) if f != i)
    plain = (
        "Pascal VOC names an item's files after its id: written as a plain relative path ('a\\b' as 'a/b', './x' as "
        "'x')"
    )
    if stemmed:  # (named after their images; the others, if any, as plain relative paths)
        plain = f"{STEM_REASON}. Otherwise, {plain}" if renamed > stemmed else STEM_REASON
    report.transform("item ids", renamed, plain)
    names, renamed_images = image_file_names(dataset, per_split, media)
    report.transform(
        "image file names",
        renamed_images,
        "images of one name (from other folders), and those of items that keep their ids (an image name VOC "
        "cannot hold, or another item's), are named after their item ids, as VOC's loaders open JPEGImages/<id>.jpg",
    )
    paths = dataset.table("items")["path"].to_pylist()
    # (an image is found where its item's file, with .jpg, names it: not one of another extension, nor one an item
    # keeping its id does not name, x y.jpg of item 1, as another item's image too or written without media)
    # (each image once: two items of one image, listed as 1 and 2, miss one image)
    if others := sorted({name for p, f, name in zip(paths, files, names, strict=True) if p and name != f"{f}.jpg"}):
        report.note(
            f"{len(others):,} images are not named <id>.jpg ({others[0]!r}{' first' if len(others) > 1 else ''}): "
            "VOC's loaders (the devkit, torchvision's VOCDetection, mmdetection's VOCDataset) open "
            "JPEGImages/<id>.jpg and do not find them; labelkit reads an image by its <filename>"
        )
    # an image name of surrounding whitespace gets no <filename> (see voc_xml.stripped): its item reads back without
    # an image path, unless a reader finds the image by the item's id, where media=copy or link puts it
    lost = [
        bool(p) and voc_xml.stripped(name) and not (media != "none" and found_by_id(name, f))
        for p, f, name in zip(paths, files, names, strict=True)
    ]
    report.lose(
        "item image paths",
        sum(lost),
        "Pascal VOC's readers strip <filename> (' a.jpg' reads as 'a.jpg', another file): an image name starting "
        "or ending with whitespace is not written there, and its item reads back without an image path (with "
        "media=copy or link, one named as its item is found by its id)",
    )
    report.transform(  # (of the images not renamed: those are counted above)
        "item image paths",
        sum(
            1
            for p, f, name, gone in zip(paths, files, names, lost, strict=True)
            if p and not gone and _below_images(p) != name and name == voc_xml.file_name(p, f)
        ),
        "Pascal VOC's <filename> is the image's path below JPEGImages/: a path of other folders reads back as "
        "JPEGImages/<base name> ('a/b.jpg' as 'JPEGImages/b.jpg'), a backslash as a slash ('JPEGImages/a\\b.jpg' "
        "as 'JPEGImages/a/b.jpg')",
    )


def _below_images(path: str) -> str:
    """An image path below VOC's ``JPEGImages/``, where the reader puts a ``<filename>``.

    A path of no folder (COCO's ``file_name``, below its images folder) is as it is.
    """
    return path.removeprefix("JPEGImages/")


def found_by_id(name: str, file: str) -> bool:
    """Whether VOC's reader finds an image ``name`` in ``JPEGImages/`` by its item's ``file`` (``<id>.*``)."""
    return name.rpartition(".")[0] == file and is_image(Path(name))
