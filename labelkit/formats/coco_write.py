"""COCO writing from columns: which files are written, and each file's images, categories and annotations.

Every annotation's JSON text is assembled by Arrow string kernels (:mod:`labelkit.formats.coco_text`); only
RLE masks and carried ``coco:`` extras that are not plain numbers pass through Python, one row at a time.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_annotations import HEIGHT, IMAGE, WIDTH, ObjectText
from labelkit.formats.coco_categories import (
    category_numbers,
    category_record,
    keypoint_categories,
    lvis_category_lists,
    posed_categories,
    read_categories,
)
from labelkit.formats.coco_geometry import BBOX_TEXT, POLYGON_TEXT
from labelkit.formats.coco_homes import (
    CAPTION_TASKS,
    LABEL_TASKS,
    ORIGINS,
    FileSpec,
    apart,
    labels_of,
    posed_rows,
)
from labelkit.formats.coco_ids import (
    Renumbered,
    image_numbers,
    numbered_ids,
    object_ids,
    own_numbers,
    respelled,
    split_rows,
)
from labelkit.formats.coco_images import image_records
from labelkit.formats.coco_pick import as_written, picked_rows, take_rows
from labelkit.formats.coco_shapes import read_back_sizes, within_reach
from labelkit.formats.coco_text import (
    STUFF_TAG,
    caption_categories,
    carried_extras,
    concat,
    joined,
    json_strings,
    member,
    numbers_or_null,
    section_text,
    write_array,
)
from labelkit.formats.coco_write_plan import FilePlan
from labelkit.io import ordered_map
from labelkit.model import Category, Dataset
from labelkit.model.tables import contains_match, loads_text, source_text, true_mask, valid_mask
from labelkit.report import Report

_WRITE_CHUNK = 16_384
"""Annotations formatted at a time (two chunks at once). Small enough that a chunk's text columns (a few MB)
reuse freed heap memory: at 100,000 they were mapped fresh and faulted in page by page (COCO -> COCO on the
train2017-sized file: 157k against 63-79k page faults, 1.4-1.7 against 0.3 s of system time)."""


_KEYPOINTS_TAG = f'"{STUFF_TAG}":"person_keypoints"'
"""The extras member of an object read from a keypoints file (:func:`coco_join.tag_stuff`)."""

_CAPTION_CATEGORY = re.compile(r'("coco:category_id":)(-?\d+)(?=[,}])')
"""A caption's category id in its extras text (the other members keep their spelling when it is renumbered)."""


class Writer(FilePlan):
    """Writes one dataset as COCO files: ids, categories and file plan are fixed once, then per file."""

    def __init__(self, dataset: Dataset, report: Report, reindex: bool) -> None:
        self.ds = dataset
        self.report = report
        self.category_map = category_numbers(dataset, reindex)
        items = lvis_category_lists(dataset.table("items"), self.category_map)[0]
        self.items = items
        self.image_ids, _, self.item_split = image_numbers(items)  # (the check reported those renumbered)
        self.split_rows = split_rows(self.item_split)  # split -> its rows of the items table
        self.renumbered_annotations = Renumbered()
        # categories of objects with keypoints that get a skeleton (one read from COCO keeps its own fields)
        self.posed = posed_categories(dataset) - read_categories(dataset)
        self.size_of = {
            iid: (h, w)
            for iid, w, h in zip(
                items["id"].to_pylist(), items["width"].to_pylist(), items["height"].to_pylist(), strict=True
            )
            if w is not None and h is not None
        }
        image_of = {iid: int(n) for iid, n in zip(items["id"].to_pylist(), self.image_ids.tolist(), strict=True)}
        sides = {
            iid: (w, h)
            for iid, w, h in zip(
                items["id"].to_pylist(), items["width"].to_pylist(), items["height"].to_pylist(), strict=True
            )
        }
        # (safe=False: a side beyond 2^53 rounds to the nearest float, as a comparison with it would)
        widths, heights = (
            pa.array([sides[k][j] for k in image_of], items.schema.field(name).type)
            .cast(pa.float64(), safe=False)
            .fill_null(np.nan)
            .to_numpy(zero_copy_only=False)
            for j, name in enumerate(("width", "height"))
        )
        widths, heights = read_back_sizes(widths, heights)  # (an image written 0 x 0: of unknown size, as read)
        self._image_lookup = (  # item id -> COCO image id, width and height, for _image_columns
            pa.array(list(image_of), pa.string()),
            pa.array(list(image_of.values()), pa.int64()),
            pa.array(widths, pa.float64()),
            pa.array(heights, pa.float64()),
        )
        self.info, self.info_extras = dataset.info, dataset.info.extras
        self.object_text = ObjectText(
            dataset.categories, self.size_of, "coco:files" in self.info_extras, self._category_column
        )
        self._ids: np.ndarray | None = None  # the objects' COCO ids (see _object_ids)
        self._row_of: dict[str, int] | None = None  # item id -> row (see _item_rows)
        self.tasks_by_split: dict[str, set[str]] = {}  # the files of each split (see plan)
        self.read_tasks: dict[str, set[str]] = {}  # those read from COCO (coco:files), where labels go back
        self.used_categories: set[int] = set()  # the categories of the annotations of the file last picked
        # and those of its objects written with keypoints, where it names their points (see _category_json): not
        # those it carried keypoints of as read while naming none, unless objects of a keypoints file moved in
        self.inline_posed: set[int] = set()
        self.file_ids: np.ndarray | None = None  # and their ids (a file's labels are numbered apart from them)
        self.category_home: FileSpec | None = None  # the file that lists the categories no file listed
        self.unlisted: set[int] = set()
        self.listed_categories: set[int] = set()  # those some file's list holds (see plan)

    # -- files ---------------------------------------------------------------------------------------

    def write_file(self, spec: FileSpec, path: Path, tasks_of_split: set[str]) -> None:
        """Write one file: its images, and the annotations on them."""
        self.used_categories, self.inline_posed, self.file_ids = set(), set(), None
        ids = self._item_ids(spec.split or "default", spec.images)
        if spec.task == "results":  # beside ground truth files: the detections read from a results file
            truth = tasks_of_split & ORIGINS["results"][1]
            origins = ORIGINS["results"][0] if truth else None
            chunks = self._objects(
                spec, ids, with_keypoints=True, results=True, origins=origins, homed=frozenset(tasks_of_split)
            )  # then its detections without geometry (labels read from it), with ids where it had them
            read = self._read(spec.split or "default", tasks_of_split)
            chunks = itertools.chain(chunks, self._simple("labels", ids, "results", read, with_ids=spec.ids))
            with path.open("wb") as fh:
                write_array(fh, chunks)
            return
        parts: dict[str, Any] = {}
        own = spec.own or {}
        if "info" in spec.keys:
            parts["info"] = own["info"] if "info" in own else self.info_extras.get("coco:info", {})
        if "licenses" in spec.keys:
            parts["licenses"] = own["licenses"] if "licenses" in own else self.info_extras.get("coco:licenses", [])
        parts.update((k, v) for k, v in own.items() if k not in ("info", "licenses"))
        categories = self._categories(spec, tasks_of_split)
        with path.open("wb") as fh:
            fh.write(b"{")
            first = True
            for key, value in parts.items():
                text = section_text(self.info, spec.task, spec.split, key, value)  # (info, licenses as read)
                fh.write((b"" if first else b",") + orjson.dumps(key) + b":" + text)
                first = False
            fh.write((b"" if first else b",") + b'"images":')
            write_array(fh, iter([self._images(spec.split or "default", spec.images, spec.image_missing)]))
            if spec.task != "image_info" or "annotations" in spec.keys:
                read = self._read(spec.split or "default", tasks_of_split)
                if spec.task == "captions":
                    chunks = self._simple("transcripts", ids, "captions", read)
                elif spec.task == "labels":
                    chunks = self._simple("labels", ids, "labels", read)
                elif spec.task == "image_info":
                    chunks = iter([])
                else:
                    keep = None
                    if spec.task == "person_keypoints" and "instances" in tasks_of_split:
                        keep = [c.id for c in categories]
                    # beside an instances file, objects read from another file of the split go back to it
                    accepted, others = ORIGINS.get(spec.task, (None, frozenset()))
                    origins = accepted if tasks_of_split & others else None
                    chunks = self._objects(
                        spec,
                        ids,
                        with_keypoints=not (spec.task == "instances" and "person_keypoints" in tasks_of_split),
                        keep_categories=keep,
                        origins=origins,
                        homed=frozenset(tasks_of_split),
                    )
                if spec.task in CAPTION_TASKS:  # then the captions read from this file (see coco_homes)
                    chunks = itertools.chain(chunks, self._simple("transcripts", ids, spec.task, read))
                if spec.task in LABEL_TASKS:  # then the labels read from this file
                    chunks = itertools.chain(chunks, self._simple("labels", ids, spec.task, read))
                head: bytes | str | None = b""  # (a file read with the key, or made here, has it, even empty)
                if spec.keys and "annotations" not in spec.keys:  # read without it: so written, unless it has some
                    head = next((chunk for chunk in chunks if chunk), None)
                    chunks = iter([]) if head is None else itertools.chain([head], chunks)
                if head is not None:
                    fh.write(b',"annotations":')
                    write_array(fh, chunks)
            if spec.task in ("labels", "captions", *LABEL_TASKS):  # and those its annotations use
                categories = self._categories(spec, tasks_of_split, self.used_categories)
            listing = "categories" in spec.keys or spec.categories is None
            if not listing and self.used_categories - self.listed_categories and not self._bare_captions(spec):
                # read without a list (a captions file), its keys say: but a category its annotations use is in no
                # other file's list (the file list edited): it lists them (validate refused each such id)
                categories, listing = self._categories(spec, tasks_of_split, self.used_categories), True
            if listing and not self._bare_captions(spec):
                fields, values = spec.category_fields or {}, spec.category_values or {}
                records = [self._category_json(c, fields.get(str(c.id)), values.get(str(c.id))) for c in categories]
                fh.write(b',"categories":' + orjson.dumps(records))
            fh.write(b"}")

    def _categories(self, spec: FileSpec, tasks_of_split: set[str], used: set[int] | None = None) -> list[Category]:
        """The categories a file lists.

        As read (COCO origin), plus those its annotations use (``used``), and in the first file those no file
        listed; a keypoints file's, plus those of objects given keypoints since.
        """
        cats = self.ds.categories
        if spec.categories is not None and "coco:files" in self.info_extras:
            wanted = set(spec.categories) | (used or set())
            if spec is self.category_home:
                wanted |= self.unlisted  # categories no file lists (added since): in the first file
            elif spec.task == "person_keypoints":  # and those of objects given keypoints since (written only here)
                posed = self._rows("objects", self._item_ids(spec.split or "default"))
                posed = posed.filter(pa.array(posed_rows(posed)))
                wanted |= set(pc.unique(posed["category_id"].drop_null()).to_pylist())
            order = {cid: k for k, cid in enumerate(spec.categories)}  # its own in its order, then those added
            return sorted((c for c in cats if c.id in wanted), key=lambda c: order.get(c.id, len(order)))
        if spec.task == "captions" and tasks_of_split - {"captions"}:  # another file of the split lists them all:
            return [c for c in cats if c.id in (used or set())]  # (those its captions use, for pycocotools' loadCats)
        return list(cats)

    def _category_json(
        self, c: Category, fields: list[str] | None = None, values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A category's record; ``fields`` and ``values``: those it had in this file as read (COCO origin)."""
        out = category_record(c, c.id in self.posed)
        out["id"] = self.category_map.get(c.id, c.id)
        if fields is not None:
            # A file read without the category's keypoint names (an instances file beside a keypoints file) gets
            # them where it now holds keypoints of it: objects moved from a split with a keypoints file to one
            # without (they were written without names, lost: the keypoints counted none)
            named = "keypoints" not in fields and c.keypoints is not None and c.id in self.inline_posed
            kept = ("id", "name", "keypoints", "skeleton") if named else ("id", "name")
            out = {k: v for k, v in out.items() if k in fields or k in kept}
        if isinstance(values, dict):  # (another file's value is the category's: e.g. LVIS's per-split image_count)
            out.update((k, v) for k, v in values.items() if k in out and k not in ("id", "name"))
        return out

    def _images(self, split: str, only: list[int] | None, missing: dict[str, list[str]] | None = None) -> bytes:
        """The image records of a split (or a file's own list of them, in its order), comma-joined.

        A column at a time: ``{"id":..,"file_name":..,"width":..,"height":..`` and the metadata's members,
        spliced from its JSON text. Rows whose file name must change or be escaped, or whose metadata is not
        a plain object of other keys, are made one by one, as the same record; so are those of ``missing`` (item
        id -> metadata fields this file's record of the image did not have when read: another file of the split
        gave them), without those fields (:func:`.coco_images.image_records`).
        """
        rows = self.split_rows.get(split, [])
        if only is not None:  # a file's own list, in its order (the reader's item order is the files' merged)
            row_of = {int(self.image_ids[i]): i for i in rows}
            rows = [row_of[image] for image in dict.fromkeys(only) if image in row_of]
        if not rows:
            return b""
        return image_records(self.items, self.image_ids, rows, missing)

    def _image_columns(self, item_ids: pa.Array | pa.ChunkedArray) -> tuple[Any, Any, Any]:
        """The COCO image id (as text), width and height (float64, NaN unknown) of each item id.

        A column at a time: each call hashes every item id, so the objects are looked up once, for every file
        (:meth:`_object_images`), and each chunk of a file's takes its rows' (:meth:`_image_values`).
        """
        return self._image_values(pc.index_in(item_ids, value_set=self._image_lookup[0]))

    def _image_values(self, index: pa.Array | pa.ChunkedArray) -> tuple[Any, Any, Any]:
        """:meth:`_image_columns` of the items at ``index`` of the lookup (null: none)."""
        _, values, widths, heights = self._image_lookup
        width, height = (pc.take(sides, index).fill_null(np.nan) for sides in (widths, heights))
        return values.take(index).cast(pa.string()), width, height

    @functools.cached_property
    def _object_images(self) -> pa.Array:
        """Per object, the index of its item in the image lookup (see :meth:`_image_columns`), found once."""
        return pc.index_in(self.ds.table("objects")["item_id"], value_set=self._image_lookup[0]).combine_chunks()

    def _category_column(self, cats: pa.Array) -> pa.Array:
        if all(k == v for k, v in self.category_map.items()):
            return cats.cast(pa.string())
        keys = pa.array(list(self.category_map.keys()), pa.int64())
        values = pa.array(list(self.category_map.values()), pa.int64())
        mapped = values.take(pc.index_in(cats, value_set=keys))
        return pc.coalesce(mapped, cats).cast(pa.string())

    def _simple(
        self, name: str, ids: pa.Array, task: str = "", tasks: Any = frozenset(), with_ids: bool = True
    ) -> Iterator[bytes]:
        """The captions or labels of the file of ``task`` (``tasks``: its split's), after its other annotations."""
        t = self._rows(name, ids)
        own_file = "labels" if name == "labels" else "captions"  # (the file of the untagged)
        t = labels_of(t, task or own_file, tasks, own_file)
        if name == "transcripts":  # (its file lists the categories its captions have)
            self.used_categories |= caption_categories(t)
        if name == "transcripts":
            t = t.set_column(t.schema.get_field_index("extras"), "extras", self._caption_categories(t))
        if name == "labels":
            used = set(pc.unique(t["category_id"].drop_null()).to_pylist())
            self.used_categories = used if task == "labels" else self.used_categories | used
        all_ids, renumbered = numbered_ids(t["id"])
        numbers, has, _ = own_numbers(t["id"])
        again = Renumbered()
        if task and task != own_file:  # (apart from the file's other annotations: see coco_homes)
            all_ids, again = apart(all_ids, self.file_ids, has & (all_ids == numbers))
        # (of the ids kept at last, as kept_respelled counts them, on the numbers taken above)
        again += Renumbered(respelled=respelled(t["id"], numbers, has & (all_ids == numbers)))
        self.renumbered_annotations += renumbered + again
        self.file_ids = all_ids if self.file_ids is None else np.concatenate([self.file_ids, all_ids])
        start = 0
        for c in t.to_batches(max_chunksize=_WRITE_CHUNK):
            ann_ids = pa.array(all_ids[start : start + c.num_rows]).cast(pa.string())
            start += c.num_rows
            carried = carried_extras(c["extras"])
            pieces: list[pa.Array | str] = ['{"id":', ann_ids, ',"image_id":'] if with_ids else ['{"image_id":']
            pieces.append(self._image_columns(c["item_id"])[0])
            # (a caption's category: the column, or the coco:category_id a caption read from COCO carries)
            pieces.append(member("category_id", self._category_column(c["category_id"])))
            if name == "transcripts":
                pieces.append(member("caption", json_strings(c["text"])))
            pieces.append(member("score", numbers_or_null(c["score"])))
            pieces.append(member("attributes", c["attributes"]))
            pieces += [carried, "}"]
            yield joined(concat(pieces))

    def _caption_categories(self, transcripts: pa.Table) -> pa.ChunkedArray | pa.Array:
        """Captions' extras with their ``coco:category_id`` in the ids written (``reindex``).

        A caption with a category (column) carrying one too is written with the column's: the extra is left out.
        """
        extras = transcripts["extras"]
        carried = contains_match(extras, '"coco:category_id"')
        if not carried.any():
            return extras
        both = carried & valid_mask(transcripts["category_id"])
        renumbered = any(k != v for k, v in self.category_map.items())
        if not renumbered and not both.any():
            return extras

        def mapped(m: re.Match[str]) -> str:
            return m.group(1) + str(self.category_map.get(int(m.group(2)), int(m.group(2))))

        values = extras.to_pylist()
        for i in np.flatnonzero(carried).tolist():
            if both[i]:
                kept = {k: v for k, v in loads_text(values[i]).items() if k != "coco:category_id"}
                values[i] = orjson.dumps(kept).decode() if kept else None
            else:
                values[i] = _CAPTION_CATEGORY.sub(mapped, values[i])
        return pa.array(values, pa.string())

    def _objects(
        self,
        spec: FileSpec,
        ids: pa.Array,
        *,
        with_keypoints: bool,
        results: bool = False,
        keep_categories: list[int] | None = None,
        origins: frozenset[str] | None = None,
        homed: frozenset[str] = frozenset(),
    ) -> Iterator[bytes]:
        read = objects = self.ds.table("objects")
        for column, name in (("polygon", POLYGON_TEXT), ("bbox", BBOX_TEXT)):  # as read, for COCO -> COCO
            text = source_text(read, column, "coco")
            if text is not None:
                objects = objects.append_column(name, text)
        every = np.arange(read.num_rows, dtype=np.int64)
        own = every if len(ids) == self.items.num_rows else every[true_mask(pc.is_in(read["item_id"], value_set=ids))]
        from_coco = "coco:files" in self.info_extras
        # the rows first, then each chunk of them taken and written: the file's objects are never all copied
        rows = picked_rows(
            read,
            own,
            self.items,
            read_from_coco=from_coco,
            results=results,
            origins=origins,
            homed=homed,
            keep_categories=keep_categories,
            near=self._near,
            chunk=_WRITE_CHUNK,
        )
        self.used_categories = set(pc.unique(read["category_id"].take(pa.array(rows)).drop_null()).to_pylist())
        if with_keypoints and not results:
            posed = rows[valid_mask(read["keypoints"])[rows]] if read["keypoints"].null_count < len(read) else rows[:0]
            if len(posed):  # (COCO 2017's instances files have none: nothing taken)
                taken = read.select(["category_id", "keypoints", "extras"]).take(pa.array(posed))
                self.inline_posed = set(keypoint_categories(taken))
                if self.inline_posed & spec.nameless_keypoints:  # (and a keypoints file's objects moved in: named)
                    moved = taken.filter(pa.array(contains_match(taken["extras"], _KEYPOINTS_TAG)))
                    self.inline_posed -= spec.nameless_keypoints - keypoint_categories(moved)
        all_ids = self.file_ids = self._object_ids()[rows]
        images = self._object_images
        starts = list(range(0, len(rows), _WRITE_CHUNK))

        def one(start: int) -> bytes:
            some = rows[start : start + _WRITE_CHUNK]
            t = as_written(take_rows(objects, some), self.items, from_coco, results, self._near)
            assert t.num_rows == len(some)  # (picked_rows left out those it leaves out)
            image, width, height = self._image_values(images.take(pa.array(some)))
            t = t.append_column(IMAGE, image).append_column(WIDTH, width).append_column(HEIGHT, height)
            texts, done = [], start  # (a batch per run of the columns' chunks: none joined)
            for batch in (b for b in t.to_batches() if b.num_rows):
                ids = all_ids[done : done + batch.num_rows]
                texts.append(joined(self.object_text.json(batch, ids, with_keypoints, results, spec.ids)))
                done += batch.num_rows
            return b",".join(texts)

        # Arrow's string kernels release the GIL: two chunks are formatted at once, written in order
        yield from ordered_map(one, starts)

    @functools.cached_property
    def _near(self) -> bool:
        """Whether every polygon of the dataset is within reach of every image (none is clipped: see as_written)."""
        return within_reach(self.ds.table("objects")["polygon"], self.items)

    def _object_ids(self) -> np.ndarray:
        """Each object's COCO id, the same in every file that lists it (see :func:`coco_ids.object_ids`)."""
        if self._ids is None:
            zero_free = "coco:files" not in self.ds.info.extras  # (COCO -> COCO keeps an id of 0)
            objects, split = self.ds.table("objects"), self.item_split
            self._ids, renumbered = object_ids(objects, self.items["id"], split, self.tasks_by_split, zero_free)
            self.renumbered_annotations += renumbered
        return self._ids

    def report_ids(self) -> None:
        """Report the annotation ids written with another number than their own, once every file is written.

        (Image ids renumbered are reported by the check, which numbers them as :func:`image_numbers` does here.)
        """
        self.renumbered_annotations.report_to(
            self.report,
            "annotation ids",
            "another annotation of its file had the same id: numbered after the largest of its split",
            "COCO's ids are integers: an id without a number was numbered after the largest of its split",
        )
