"""COCO annotation records of objects, a chunk at a time: the JSON text of each ``annotations`` entry.

Used by :class:`labelkit.formats.coco_write.Writer`. Fields read from COCO are written back as read (their
text spliced); what an object lacks that COCO requires (``area``, ``iscrowd``, ``num_keypoints``, a bbox or a
box-only segmentation) is derived, a column at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_shapes import arr, holes_rle, plain_areas, unposed_keypoint_counts, written_boxes
from labelkit.formats.coco_text import (
    COUNT_TAG,
    POINTS_TAG,
    CarriedFields,
    attributes_twice,
    bbox_json,
    carried_extras,
    carried_fields,
    concat,
    inline_keypoints,
    list_json,
    member,
    numbers_or_null,
    polygon_json,
    rectangles,
    vast_area_error,
    without_carried_attributes,
)
from labelkit.model import Category
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, true_mask, valid_mask

IMAGE = "_labelkit_image_id"
"""A column of the picked objects' COCO image ids as text, looked up once per file."""
WIDTH, HEIGHT = "_labelkit_width", "_labelkit_height"
"""Columns of the picked objects' image sizes (float64, NaN unknown), looked up with their image ids."""


@dataclass
class ObjectText:
    """Writes objects as COCO annotation records (see :meth:`json`).

    Attributes:
        categories: the dataset's categories (keypoint names: every object of such a category gets keypoints).
        size_of: item id -> image (height, width), for the RLE of polygons with holes.
        read_from_coco: the dataset was read from COCO files (see ``coco_text.carried_fields``).
        category_text: the written category id of each object, as text.
    """

    categories: list[Category]
    size_of: dict[str, tuple[int, int]]
    read_from_coco: bool
    category_text: Callable[[pa.Array], pa.Array]

    def json(
        self, c: pa.RecordBatch, ann_ids: np.ndarray, with_keypoints: bool, results: bool, result_ids: bool = False
    ) -> pa.Array:
        """The annotation record of each object of ``c`` (picked rows with their image id and size columns).

        Args:
            c: a chunk of the objects written to one file.
            ann_ids: their COCO annotation ids.
            with_keypoints: the file holds keypoints (an instances file beside a keypoints file has none but
                those its records carried inline).
            results: a detection-results file: detections go back as read.
            result_ids: the results file's detections had ids (written with them).
        """
        n = c.num_rows
        skip = () if with_keypoints else ("num_keypoints",)
        extras = arr(c["extras"])
        twice = attributes_twice(c["attributes"], extras)
        if twice.any():  # (the record's own attributes are written: the plan reports the carried ones lost)
            extras = without_carried_attributes(extras, twice)
        carried = carried_extras(extras, skip)
        # an instances file beside a keypoints file: keypoints only where its record carried them (as read)
        inline_count: pa.Array | None = None
        inline = np.zeros(n, dtype=bool)
        if not with_keypoints:
            inline, inline_count = inline_keypoints(extras)
            if inline.any():  # (its num_keypoints only with them)
                inline &= valid_mask(c["keypoints"])
                inline_count = pc.if_else(pa.array(inline), inline_count, pa.scalar(None, pa.string()))
            counted, own_count = inline_keypoints(extras, COUNT_TAG)  # (a num_keypoints without keypoints)
            if counted.any():
                inline_count = pc.if_else(pa.array(counted & ~inline), own_count, inline_count)
        holes = arr(c["polygon_holes"])
        with_holes = np.zeros(n, dtype=bool)
        if holes.null_count < n:
            with_holes = np.array([bool(h) and any(h) for h in holes.to_pylist()], dtype=bool)
        seg = polygon_json(c)
        mask = arr(c["mask"])
        seg_list: list[str | None] | None = None
        if mask.null_count < n or with_holes.any():
            seg_list = seg.to_pylist()
            masks = mask.to_pylist()
            for i in range(n):  # (COCO has one segmentation: an object's mask is written, not its polygon)
                if masks[i] is not None:
                    m = masks[i]
                    counts = m["counts"] if m["counts"] is not None else m["runs"]
                    seg_list[i] = orjson.dumps({"size": [m["height"], m["width"]], "counts": counts}).decode()
                elif with_holes[i]:
                    seg_list[i] = holes_rle(c, i, self.size_of.get(c["item_id"][i].as_py()))
        seg_text = pa.array(seg_list, pa.string()) if seg_list is not None else seg
        # every object gets the fields COCO requires that it does not carry; detections (results) go as read
        defaults = pa.nulls(n, pa.string())
        bbox_text: pa.Array | None = None  # (the boxes as given, formatted below unless clipped or derived: a
        # rotated box whose corners pass float64's limit has an infinite width, which JSON has no number for)
        keypoints_text = list_json(arr(c["keypoints"])) if with_keypoints else None
        if inline.any():
            keypoints_text = pc.replace_with_mask(
                pa.nulls(n, pa.string()), pa.array(inline), list_json(arr(c["keypoints"]).filter(pa.array(inline)))
            )
            own = contains_match(extras, f'"{POINTS_TAG}":') & inline  # (its record's own, unlike the object's)
            if own.any():
                found = pc.struct_field(pc.extract_regex(extras, f'"{POINTS_TAG}":(?P<p>\\[[^\\]]*\\])'), "p")
                keypoints_text = pc.if_else(pa.array(own), found, keypoints_text)
        if not results:
            fields = carried_fields(extras, self.read_from_coco)
            complete = fields.as_read
            sizes = (np.asarray(c[WIDTH].to_numpy(zero_copy_only=False)), np.asarray(c[HEIGHT].to_numpy()))
            boxes, has, outside = written_boxes(c, complete | fields.bbox, sizes)
            changed = (has & ~valid_mask(c["bbox"])) | outside  # derived or clipped: formatted
            if changed.any():
                bbox = pa.FixedSizeListArray.from_arrays(pa.array(boxes.ravel()), 4, mask=pa.array(~has))
                bbox_text = bbox_json(c, bbox, changed)
                box_only = pc.is_null(seg_text).to_numpy(zero_copy_only=False) & ~complete & ~fields.segmentation
                if (box_only := box_only & has).any():
                    seg_text = pc.if_else(pa.array(box_only), rectangles(bbox, box_only), seg_text)
            elif not complete.all():
                bbox = arr(c["bbox"])
                box_only = pc.is_null(seg_text).to_numpy(zero_copy_only=False) & ~complete & ~fields.segmentation
                if (box_only := box_only & has).any():
                    seg_text = pc.if_else(pa.array(box_only), rectangles(bbox, box_only), seg_text)
            unposed = np.zeros(n, dtype=np.int64)
            if with_keypoints:  # (every annotation of a category with keypoint names has them)
                unposed = unposed_keypoint_counts(c, self.categories, complete)
                if unposed.any():
                    zeros = {k: "[" + ",".join(["0"] * (3 * k)) + "]" for k in np.unique(unposed[unposed > 0]).tolist()}
                    texts = pa.array([zeros.get(k) for k in unposed.tolist()], pa.string())
                    keypoints_text = pc.if_else(pa.array(unposed > 0), texts, keypoints_text)
            if not complete.all():
                defaults = self._defaults(c, fields, seg_text, with_keypoints, boxes, has, unposed > 0)
        pieces: list[pa.Array | str] = ["{"]
        if not results or result_ids:  # (detections read without ids go back without them)
            pieces += ['"id":', pa.array(ann_ids).cast(pa.string()), ","]
        pieces += ['"image_id":', c[IMAGE]]
        pieces.append(member("category_id", self.category_text(arr(c["category_id"]))))
        pieces.append(member("segmentation", seg_text))
        pieces.append(member("bbox", bbox_json(c) if bbox_text is None else bbox_text))
        if keypoints_text is not None:
            pieces.append(member("keypoints", keypoints_text))
        pieces.append(member("score", numbers_or_null(arr(c["score"]))))
        pieces.append(member("attributes", arr(c["attributes"])))
        pieces += [carried, defaults]
        if inline_count is not None:
            pieces.append(inline_count)
        pieces.append("}")
        return concat(pieces)

    def _defaults(
        self,
        c: pa.RecordBatch,
        fields: CarriedFields,
        seg_text: pa.Array,
        with_keypoints: bool,
        boxes: np.ndarray,
        has_box: np.ndarray,
        unposed: np.ndarray,
    ) -> pa.Array:
        """``,"area":...,"iscrowd":0`` (and ``num_keypoints``): the members an object needs and does not carry.

        Objects read from COCO (``fields.as_read``) get none. Others get each of ``area``,
        ``iscrowd`` (0) and, where keypoints are written, ``num_keypoints`` (the labelled points, ``v > 0``; 0 for
        the ``unposed`` rows, written with zero keypoints) that their extras do not carry. The area is the
        polygons' (:func:`G.ring_areas`, summed over the rings in order), else ``w * h`` of the box written
        (``boxes``, derived ones included), else 0, a column at a time; masks are measured object by object.
        """
        from pycocotools import mask as mask_utils

        n = c.num_rows
        todo = ~fields.as_read
        need_area = todo & ~fields.area
        rle_text = true_mask(pc.starts_with(seg_text, "{"))
        masked = valid_mask(c["mask"]) | rle_text
        # objects without a mask: the area of their polygons, or of their box (w * h; 0 without one), a column
        # at a time (a NaN box is refused when the boxes are written)
        unmasked = np.flatnonzero(need_area & ~masked)
        area_of = np.zeros(n, dtype=np.float64)
        size = (c[WIDTH].to_numpy(zero_copy_only=False), c[HEIGHT].to_numpy(zero_copy_only=False))
        area_of[unmasked] = plain_areas(arr(c["polygon"]), unmasked, boxes, has_box, size)
        measured = np.flatnonzero(need_area & masked)
        if len(measured):
            for row, text in zip(measured.tolist(), seg_text.take(pa.array(measured)).to_pylist(), strict=True):
                rle = orjson.loads(text)
                if isinstance(rle["counts"], list):
                    rle = mask_utils.frPyObjects(rle, *rle["size"])
                else:
                    rle["counts"] = rle["counts"].encode()
                area_of[row] = float(mask_utils.area(rle))
        if np.isinf(area_of[need_area]).any():  # (w * h past float64's range: orjson writes infinity as null)
            raise vast_area_error(c["id"][int(np.flatnonzero(need_area & np.isinf(area_of))[0])].as_py())
        # formatted as orjson formats a float
        areas = pa.nulls(n, pa.string())
        if need_area.any():
            tokens = orjson.dumps(area_of[need_area], option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].split(b",")
            index = np.full(n, -1, dtype=np.int64)
            index[need_area] = np.arange(int(need_area.sum()))
            text = pa.array([t.decode() for t in tokens], pa.string())
            areas = member("area", text.take(pa.array(index, mask=index < 0)))
        crowd = pc.if_else(pa.array(todo & ~fields.iscrowd), pa.scalar(',"iscrowd":0'), pa.scalar(None, pa.string()))
        pieces: list[pa.Array | str] = [areas, crowd]
        posed = todo & ~fields.num_keypoints & (valid_mask(c["keypoints"]) | unposed)
        if with_keypoints and posed.any():
            counts = G.labelled_keypoint_counts(arr(c["keypoints"]))
            number = pa.array(counts).cast(pa.string())
            pieces.append(member("num_keypoints", pc.if_else(pa.array(posed), number, pa.scalar(None, pa.string()))))
        return concat(pieces)
