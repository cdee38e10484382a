"""Which objects a COCO file lists, picked by row number, and those rows as written, a chunk at a time.

:class:`labelkit.formats.coco_write.Writer` writes a file's objects without making the table of them all: the
rows are picked first (:func:`picked_rows`, from the item ids, boxes, masks and extras), then each chunk of
them is taken (:func:`take_rows`) with its polygons and the text read, and changed as COCO writes it
(:func:`as_written`). Every change is made row by row (a row's result depends on that row and its item
only), so a chunk comes out as the same rows of the whole table would: the bytes written are the same. (The
filter that took a split's objects from the whole table, before, copied most of its polygon text at once:
1.87 GB peak against 1.20 GB for COCO -> COCO on the train2017-sized file; 1.29 GB since, see README.)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_homes import posed_rows
from labelkit.formats.coco_shapes import (
    drawn_polygons,
    far_polygons_clipped,
    holes_too_large_dropped,
    turned_boxes,
)
from labelkit.formats.coco_text import STUFF_TAG
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, places, true_mask, valid_mask

ROW = "_labelkit_row"
"""A column of the objects' row numbers while the rows a transform may drop are looked at."""


def as_written(objects: pa.Table, items: pa.Table, read_from_coco: bool, results: bool, near: bool = False) -> pa.Table:
    """``objects`` as COCO writes them: far polygons clipped, holes too large dropped, polygons drawn, boxes turned.

    Each step is row by row: rows taken from a table come out as the same rows of the whole table would. The
    rows of no geometry COCO can write are left out (:func:`coco_shapes.drawn_polygons`); ``results``: a
    detection-results file's, which are never clipped. ``near``: every polygon of a table these objects were
    taken from is :func:`~labelkit.formats.coco_shapes.within_reach` of every image, so none is clipped (not
    asked again of each chunk: each asking reads every item's size, 1.5 to 2.7 ms with train2017's 118,287 images).
    """
    if not results and not near:
        objects = far_polygons_clipped(objects, items, read_from_coco)[0]
    objects = drawn_polygons(holes_too_large_dropped(objects, items)[0], results)
    return turned_boxes(objects)[0]


def file_rows(
    objects: pa.Table,
    origins: frozenset[str] | None,
    homed: frozenset[str],
    keep_categories: list[int] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``objects`` (as written): whether its file lists it, and whether it is a keypoints file's own.

    ``origins``: only the objects read from files of these tasks (untagged: instances), ``homed`` the files of
    the split. ``keep_categories``: a keypoints file beside an instances file, which lists the posed objects of
    its categories, those read from the keypoints file alone (the second array) after the others.
    """
    n = objects.num_rows
    listed = np.ones(n, dtype=bool)
    if origins is not None:
        keep = None
        scored = objects["score"].is_valid()  # (a detection whose score was taken away: an instances file's)
        if "instances" in origins:  # untagged, or read from a kind of file this split has none of (`file_homes`)
            for task in sorted(homed - origins):
                tagged = pc.match_substring(objects["extras"], f'"{STUFF_TAG}":"{task}"')
                other = pc.invert(pc.and_(tagged, scored) if task == "results" else tagged)
                keep = other if keep is None else pc.and_(keep, other)
            keep = keep if keep is not None else pc.is_valid(objects["id"])
        for task in sorted(origins - {"instances"}):
            tagged = pc.match_substring(objects["extras"], f'"{STUFF_TAG}":"{task}"')
            if task == "results":
                tagged = pc.and_(tagged, scored)
            keep = tagged if keep is None else pc.or_(keep, tagged)
        assert keep is not None
        listed &= true_mask(pc.fill_null(keep, "instances" in origins))
    alone = np.zeros(n, dtype=bool)
    if keep_categories is not None:
        kept = pc.is_in(objects["category_id"], value_set=pa.array(keep_categories, pa.int64()))
        posed = posed_rows(objects) | contains_match(objects["extras"], f'"{STUFF_TAG}":"person_keypoints"')
        own = contains_match(objects["extras"], f'"{STUFF_TAG}":"instances"')  # (the instances file's only)
        listed &= true_mask(kept) & posed & ~own
        alone = contains_match(objects["extras"], f'"{STUFF_TAG}":"person_keypoints"')
    return listed, alone


def picked_rows(
    objects: pa.Table,
    rows: np.ndarray,
    items: pa.Table,
    *,
    read_from_coco: bool,
    results: bool,
    origins: frozenset[str] | None,
    homed: frozenset[str],
    keep_categories: list[int] | None,
    near: bool,
    chunk: int,
) -> np.ndarray:
    """The rows of ``objects`` a file lists, in the order written, of its items' ``rows``.

    Those :func:`as_written` leaves out, and those :func:`file_rows` does not list once written, as
    :func:`file_rows` orders them. Most rows are told from the columns as they are: :func:`as_written`
    leaves out no object with a box or a mask, nor one whose polygon is drawable and neither clipped nor cut
    of holes, and changes the extras :func:`file_rows` looks at only of the objects it clips or turns (it
    marks them). The others (``chunk`` rows at a time) are taken and written, and looked at so. ``near``: every
    polygon of ``objects`` is :func:`~labelkit.formats.coco_shapes.within_reach` (see :func:`as_written`).
    """
    shaped = valid_mask(objects["bbox"]) | valid_mask(objects["mask"])
    filtering = origins is not None or keep_categories is not None
    unsure = ~shaped
    if unsure[rows].any():  # (no box or mask, usually none: only a polygon changed may leave the object out)
        unsure &= ~G.drawable_polygons(objects["polygon"]) | valid_mask(objects["polygon_holes"])
    if filtering:  # (a turned box, and a clipped polygon, mark their objects' extras)
        unsure |= true_mask(pc.not_equal(objects["angle"], 0.0))
    if not results and not near:  # (when every polygon is within reach, none is clipped)
        far = valid_mask(objects["polygon"]) & ~valid_mask(objects["mask"])
        unsure |= far & (filtering | ~shaped)
    if filtering:
        listed, alone = file_rows(objects, origins, homed, keep_categories)
    else:
        listed, alone = np.ones(objects.num_rows, dtype=bool), np.zeros(objects.num_rows, dtype=bool)
    looked = rows[unsure[rows]]
    listed[looked] = alone[looked] = False
    for start in range(0, len(looked), chunk):
        some = looked[start : start + chunk]
        taken = take_rows(objects, some).append_column(ROW, pa.array(some))
        t = as_written(taken, items, read_from_coco, results, near)
        kept = np.asarray(t[ROW].to_numpy(), dtype=np.int64)
        listed[kept], alone[kept] = file_rows(t, origins, homed, keep_categories)
    rows = rows[listed[rows]]
    if keep_categories is not None:  # instances first, then the keypoints file's own objects: as reading gives them
        rows = np.concatenate([rows[~alone[rows]], rows[alone[rows]]])
    return rows


def take_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """The ``rows`` of ``table``, in their order: each column's rows taken from the chunks that hold them.

    (``Table.take`` joins each column's chunks first: every polygon and text of the table copied, for a chunk.)
    """
    if len(rows) and (np.diff(rows) == 1).all():
        return table.slice(int(rows[0]), len(rows))  # a run of rows (every object: COCO -> COCO): no copy
    order = None
    if len(rows) > 1 and (np.diff(rows) < 0).any():
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
    columns = []
    for column in table.columns:
        ends = np.cumsum([len(c) for c in column.chunks], dtype=np.int64)
        which = np.searchsorted(ends, rows, side="right")
        pieces = []
        for k in np.unique(which).tolist():
            lo, hi = np.searchsorted(which, [k, k + 1])
            local = rows[lo:hi] - (ends[k - 1] if k else 0)
            pieces.append(column.chunk(k).take(pa.array(local)))
        columns.append(pa.chunked_array(pieces, column.type))
    taken = pa.Table.from_arrays(columns, schema=table.schema)
    if order is None:
        return taken
    return taken.take(pa.array(places(order)))  # (the chunk's own rows: few)
