"""COCO images of unknown size: written as 0 x 0, as Datumaro writes them, and read back as of unknown size.

COCO requires ``width`` and ``height``; a tool that does not know an image's size (Datumaro, from a VOC file
without ``<size>`` or YOLO labels without their images) writes 0 x 0, and labelkit's reader reads that as an
unknown size. One side 0 and the other not is a size (of no area) and reads back as one, so an image whose size
is given on one side only is written 0 x 0 too, its given side lost.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.model.tables import true_mask, valid_mask
from labelkit.report import Report

UNSIZED = (
    "COCO images need a width and height: written as 0 x 0, as Datumaro writes an image whose size it does not "
    "know, which labelkit reads back as of unknown size; a tool that rasterises by the image's size cannot "
    "use its polygons (pycocotools' annToMask makes a 0 x 0 mask of them, so COCOeval's segm mode finds no "
    "overlap with them; boxes, RLE masks and the bbox mode are unaffected)"
)


def written_sizes(width: pa.Array, height: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The width and height an image record gets: its own when both are given, else 0 and 0."""
    both = pa.array(valid_mask(width) & valid_mask(height))
    zero = pa.scalar(0, pa.int64())
    return pc.if_else(both, width, zero), pc.if_else(both, height, zero)


def report_sizes(items: pa.Table, listed: np.ndarray, report: Report) -> None:
    """Report the images of ``items`` (those ``listed`` in a file) written as 0 x 0, and the sides that loses."""
    given_w, given_h = valid_mask(items["width"]), valid_mask(items["height"])
    one_side = listed & (given_w != given_h)
    zeros = true_mask(pc.and_(pc.equal(items["width"], 0), pc.equal(items["height"], 0)))  # (read back unknown)
    report.lose(
        "image sizes given on one side only",
        int(one_side.sum()),
        "COCO reads an image of 0 x 0 as of unknown size, but one side 0 as a size of no area, outside of which "
        "every box lies: the image is written 0 x 0, without its given side",
    )
    report.transform("images of unknown size", int((listed & ((~given_w & ~given_h) | zeros)).sum()), UNSIZED)
