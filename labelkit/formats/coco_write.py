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

from labelkit.formats.base import empty_splits_read, splits_named_again
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
    file_homes,
    files_read,
    label_homes,
    labels_of,
    object_files,
    posed_any,
    posed_rows,
)
from labelkit.formats.coco_ids import image_numbers, object_ids, split_rows
from labelkit.formats.coco_images import image_records
from labelkit.formats.coco_names import split_file_ok
from labelkit.formats.coco_pick import as_written, picked_rows, take_rows
from labelkit.formats.coco_shapes import within_reach
from labelkit.formats.coco_text import (
    EMPTY_SPLITS,
    STUFF_TAG,
    Renumbered,
    caption_categories,
    carried_extras,
    concat,
    joined,
    json_strings,
    member,
    numbered_ids,
    numbers_or_null,
    own_numbers,
    section_text,
    write_array,
)
from labelkit.io import ordered_map
from labelkit.model import Category, Dataset
from labelkit.model.tables import contains_match, loads_text, source_text, true_mask, valid_mask
from labelkit.report import Report

_WRITE_CHUNK = 16_384
"""Annotations formatted at a time (two chunks at once). Small enough that a chunk's text columns (a few MB)
reuse freed heap memory: at 100,000 they were mapped fresh and faulted in page by page (COCO -> COCO on the
train2017-sized file: 157k against 63-79k page faults, 1.4-1.7 against 0.3 s of system time)."""


_CAPTION_CATEGORY = re.compile(r'("coco:category_id":)(-?\d+)(?=[,}])')
"""A caption's category id in its extras text (the other members keep their spelling when it is renumbered)."""


class Writer:
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
        self._image_lookup = (  # item id -> COCO image id, width and height, for _image_columns
            pa.array(list(image_of), pa.string()),
            pa.array(list(image_of.values()), pa.int64()),
            # (safe=False: a side beyond 2^53 rounds to the nearest float, as a comparison with it would)
            pa.array([sides[k][0] for k in image_of], items.schema.field("width").type).cast(pa.float64(), safe=False),
            pa.array([sides[k][1] for k in image_of], items.schema.field("height").type).cast(pa.float64(), safe=False),
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

    # -- plan ----------------------------------------------------------------------------------------

    def plan(self) -> list[FileSpec]:
        """The files to write: those the dataset was read from (COCO origin), then one set per other split."""
        specs: list[FileSpec] = []
        splits = sorted(set(self.item_split))
        covered: set[str] = set()
        seen: set[tuple[str, str]] = set()
        read_empty = self.info_extras.get(EMPTY_SPLITS)  # (a results file `[]` of such a split too: as read)
        kept = set(read_empty) if isinstance(read_empty, list) else set()
        for spec in self.info_extras.get("coco:files") or []:
            split = spec.get("split") or "default"
            if split not in splits and splits and spec.get("images") != [] and split not in kept:
                continue  # (a dataset without images keeps its files, and categories; one read without images too)
            if not split_file_ok(split):  # (from info extras built in code, or a split Windows cannot name)
                continue
            task = spec.get("task") if spec.get("task") in _TASKS else "instances"
            if (task, split) in seen:  # one file each
                continue
            seen.add((task, split))
            self.read_tasks.setdefault(split, set()).add(task)
            specs.append(
                FileSpec(
                    task,
                    split,
                    list(spec.get("keys") or []),
                    spec.get("categories"),
                    self._written_numbers(split, spec.get("images")),
                    spec.get("category_fields"),
                    spec.get("own") if isinstance(spec.get("own"), dict) else None,
                    spec.get("image_missing") if isinstance(spec.get("image_missing"), dict) else None,
                    spec.get("category_values") if isinstance(spec.get("category_values"), dict) else None,
                    spec.get("ids") is True,
                    spec.get("name") if isinstance(spec.get("name"), str) else None,
                    _int_set(spec.get("nameless_keypoints")),
                )
            )
            covered.add(split)
        empty = self._empty_files(splits, covered)  # (a dataset of such splits alone has no default file)
        for split in splits if splits or specs or empty else ["default"]:
            if split in covered:
                continue
            keys = list(_ALL_KEYS)
            kinds = self._kinds(split)
            if "object" in kinds or not kinds:  # (in the layout read: keypoints in a keypoints file)

                def posed(split: str = split) -> bool:
                    return posed_any(self._rows("objects", self._item_ids(split)))

                specs += object_files(split, keys, self.info_extras.get("coco:files"), posed)
            if "transcript" in kinds:
                specs.append(FileSpec("captions", split, keys))
            if "label" in kinds:
                specs.append(FileSpec("labels", split, keys))
        specs += empty
        self._cover(specs)
        bare = {id(s) for s in specs if self._bare_captions(s)}  # (they list no categories: see _bare_captions)
        unlisting = sum(1 for s in specs if id(s) in bare and "categories" in s.keys and s.categories is not None)
        self.report.transform(
            "captions files' category lists",
            unlisting,
            "pycocotools' COCO() reads the category_id of every annotation of a file that lists categories "
            "(KeyError for a caption without one): the captions file is written without them, and its categories "
            "are listed in another file",
        )
        keys = list(_ALL_KEYS)
        if self.ds.categories and specs and all(id(s) in bare for s in specs):
            # (a captions file with a caption without category_id cannot list them: an instances file does)
            specs.insert(0, FileSpec("instances", specs[0].split, keys))
        candidates = [
            s
            for s in specs
            if s.categories is not None and id(s) not in bare and s.task in ("instances", "stuff", "labels", "captions")
        ]
        listed = [s for s in candidates if "categories" in s.keys]  # (one read without the key lists none)
        if (
            not listed
            and candidates
            and not unlisting
            and {c.id for c in self.ds.categories} - self._listed(specs, bare)
        ):
            # the file list's keys (edited) leave categories out of every file that would list them: the first
            # lists them (they were in no file, and validate refused their ids)
            candidates[0].keys = [*candidates[0].keys, "categories"]
            listed = candidates[:1]
        if unlisting and not listed and all(s.categories is not None for s in specs):
            # the others are keypoints or image info files, which list their own: an instances file of the
            # first split lists what only the captions files listed (it is the home of unlisted categories)
            listed = [FileSpec("instances", specs[0].split, keys, [])]
            specs.insert(0, listed[0])
        for spec in specs:
            self.tasks_by_split.setdefault(spec.split or "default", set()).add(spec.task)
        if listed and "coco:files" in self.info_extras and all(s.categories is not None for s in specs):
            self.category_home = listed[0]
            self.unlisted = {c.id for c in self.ds.categories} - {
                c for s in specs if id(s) not in bare and "categories" in s.keys for c in s.categories or []
            }
        home = self.unlisted if self.category_home is not None else set()
        self.listed_categories = home | self._listed(specs, bare)
        return specs

    def _listed(self, specs: list[FileSpec], bare: set[int]) -> set[int]:
        """The categories the files written with a list list as read (all, for a file listing all), less those added.

        A file written without one (read so, as a captions file; ``bare``: one that cannot list them) is not looked at.
        """
        out: set[int] = set()
        for s in specs:
            if id(s) not in bare and ("categories" in s.keys or s.categories is None) and s.task != "results":
                out |= {c.id for c in self.ds.categories} if s.categories is None else set(s.categories)
        return out

    def _empty_files(self, splits: list[str], covered: set[str]) -> list[FileSpec]:
        """An instances file, listing no image, per split read empty (VOC's empty ``test.txt``, YOLO's empty split).

        COCO's own are among the files read (``coco:files``). A split whose file another split's takes (in any case),
        or that names no plain file on every machine (info extras edited), gets none.
        """
        empty = splits_named_again(empty_splits_read(self.info_extras), (*splits, *covered), split_file_ok)
        return [FileSpec("instances", split, list(_ALL_KEYS)) for split in empty]

    def _cover(self, specs: list[FileSpec]) -> None:
        """Make the files that list fewer images than their split list every image their annotations are on.

        A file read from COCO lists its own images, and writes the annotations on them. An annotation the
        dataset gained since on another image of the split (an item moved between splits, an object added)
        would be in no file: its image is added to each file that is its home, and a kind of annotation
        with no file in the split gets one. An object's homes are the instances file, or the stuff file for
        an object read from one, and for an object with keypoints the keypoints file of its category too
        (keypoints are written there, unless its instances record carried them and the keypoints file did not
        list it: ``"coco:@task":"instances"``); an object read from a keypoints file that matched no instance
        is the keypoints file's only. An image no file lists goes to the first file listing images (not a results file).
        """
        for split in sorted({s.split or "default" for s in specs}):
            group = [s for s in specs if (s.split or "default") == split]
            if all(s.images is None for s in group) and not self._homeless(split, {s.task for s in group}):
                continue  # every file lists the whole split, and every kind it holds has a file
            row_of = self._item_rows()
            by_task: dict[str, list[FileSpec]] = {}
            for s in group:
                by_task.setdefault(s.task, []).append(s)
            # (again once a file is made: an object whose homes were found before it, a person of keypoints and an
            # instance record, went to the keypoints file only, its image unlisted in the instances file made later)
            while True:
                needed: dict[int, tuple[FileSpec, set[int]]] = {}  # id(file) -> (file, images it must list)
                read = self._read(split, by_task)
                made_here = False
                for name, task in (("objects", "instances"), ("transcripts", "captions"), ("labels", "labels")):
                    table = self.ds.table(name)
                    objects = name == "objects"
                    # (a label's or caption's extra: the task of its home file, see coco_homes)
                    if objects:
                        extras = table["extras"].to_pylist()
                    else:
                        label_scored = valid_mask(table["score"]) if name == "labels" else None
                        label_kinds = label_homes(table["extras"], read, task, label_scored)
                        if label_scored is not None:  # (a detection without geometry: to a results file, made if none)
                            label_kinds[contains_match(table["extras"], _RESULTS_TAG) & label_scored] = "results"
                        extras = label_kinds.tolist()
                    posed = posed_rows(table).tolist() if objects else [False] * table.num_rows
                    scores = table["score"].is_valid().to_pylist() if objects else [False] * table.num_rows
                    for item, category, extra, has_keypoints, scored in zip(
                        table["item_id"].to_pylist(),
                        table["category_id"].to_pylist(),
                        extras,
                        posed,
                        scores,
                        strict=True,
                    ):
                        row = row_of.get(item)
                        if row is None or self.item_split[row] != split:
                            continue
                        kind = task if objects else extra  # (a label's or caption's: its home file's task)
                        homes = file_homes(by_task, kind, category, extra, has_keypoints, scored, self._untagged)
                        if not homes:  # e.g. a label added to a split whose files hold objects only
                            keys = list(_ALL_KEYS)
                            detection = extra == "results" or (objects and extra and _RESULTS_TAG in extra)
                            made = "results" if detection else task  # (see file_homes)
                            homes = by_task[made] = [
                                FileSpec(made, group[0].split, keys, images=[], ids=self._ids_read)
                            ]
                            specs.append(homes[0])
                            group.append(homes[0])
                            made_here = True
                        for home in homes:
                            needed.setdefault(id(home), (home, set()))[1].add(int(self.image_ids[row]))
                if not made_here:
                    break
            for spec, images in needed.values():
                if spec.images is not None:
                    spec.images = [*spec.images, *sorted(images - set(spec.images))]
            listing = [s for s in group if s.task != "results"]  # (a results file lists none: its images are here)
            if listing and all(s.images is not None for s in listing):
                listed = {image for s in listing for image in s.images or []}
                split_images = {int(self.image_ids[r]) for r in self.split_rows.get(split, [])}
                unlisted = sorted(split_images - listed)  # images without annotations (or detections only) unlisted
                if unlisted:
                    listing[0].images = [*(listing[0].images or []), *unlisted]

    def _item_rows(self) -> dict[str, int]:
        """Item id -> row of the items table (made once, when a file's image list is to be looked at)."""
        if self._row_of is None:
            self._row_of = {item: row for row, item in enumerate(self.items["id"].to_pylist())}
        return self._row_of

    def _written_numbers(self, split: str, images: Any) -> list[int] | None:
        """A file's image list as read (COCO ids of its split) in the ids written now, for the images still there.

        The image read as id ``n`` of split ``s`` is the item ``n`` or ``s/n``; its id may have changed (another
        image moved into the split with the same number), so the list is taken through the items.
        """
        if not isinstance(images, list):
            return None
        row_of = self._item_rows()
        out: dict[int, None] = {}
        for n in images:
            for item in (f"{split}/{n}", str(n)):
                row = row_of.get(item)
                if row is not None and self.item_split[row] == split:
                    out[int(self.image_ids[row])] = None
                    break
        return list(out)

    @functools.cached_property
    def _untagged(self) -> str:
        """The file an untagged object was read from: an instances file's, or a stuff file's.

        A stuff file's in a dataset read from stuff files alone (their objects are tagged where other files hold
        objects: see ``coco_join.tag_stuff``).
        """
        read = {f.get("task") for f in files_read(self.info_extras.get("coco:files"))}
        return "stuff" if read & {*ORIGINS} == {"stuff"} else "instances"

    @functools.cached_property
    def _ids_read(self) -> bool:
        """Whether a detection-results file read had ids: one made for detections moved is written with them."""
        read = files_read(self.info_extras.get("coco:files"))
        return any(f.get("task") == "results" and f.get("ids") is True for f in read)

    @functools.cached_property
    def _detections_read(self) -> bool:
        """Whether any object was read from a detection-results file (tagged so; looked at once)."""
        return bool(contains_match(self.ds.table("objects")["extras"], _RESULTS_TAG).any())

    def _homeless(self, split: str, tasks: set[str]) -> bool:
        """Whether a kind of annotation in ``split`` may have no file among ``tasks`` (then one is added).

        Objects may lack one when the split has no instances or stuff file (a keypoints file takes only the
        objects with keypoints, a detection-results file only those with a score); captions and image labels when
        it has no file of their task.
        """
        kinds = self._kinds(split)
        if "object" in kinds and "results" not in tasks and tasks and self._detections_read:
            # (a detection read from a results file, moved to a split of ground truth files, or to one not read,
            # or whose file list is gone: see file_homes)
            objects = self._rows("objects", self._item_ids(split))
            if (contains_match(objects["extras"], _RESULTS_TAG) & true_mask(objects["score"].is_valid())).any():
                return True
        if "object" in kinds and "instances" not in tasks:  # (as file_homes houses them)
            objects = self._rows("objects", self._item_ids(split))
            housed = np.zeros(objects.num_rows, dtype=bool)
            if "stuff" in tasks:  # (objects read from a stuff file: an instances file's moved in go to one made)
                stuff = contains_match(objects["extras"], f'"{STUFF_TAG}":"stuff"')
                housed |= stuff if self._untagged == "instances" else ~contains_match(objects["extras"], _TAGGED)
            if "person_keypoints" in tasks:
                housed |= posed_rows(objects) & ~contains_match(objects["extras"], f'"{STUFF_TAG}":"instances"')
            if "results" in tasks and "stuff" not in tasks:
                housed |= true_mask(objects["score"].is_valid())
            if not housed.all():
                return True
        for kind, name, home in (("label", "labels", "labels"), ("transcript", "transcripts", "captions")):
            if kind in kinds and home not in tasks:  # (unless each goes back to the file it was read from)
                rows = self._rows(name, self._item_ids(split))
                scored = valid_mask(rows["score"]) if name == "labels" else None
                if (label_homes(rows["extras"], self._read(split, tasks), home, scored) == home).any():
                    return True
        return False

    def _read(self, split: str, tasks: Any) -> set[str]:
        """Of a split's files (``tasks``), those read from COCO: image labels and captions read from one go back.

        And its results file, read or made: detections without geometry read from a results file go there.
        """
        return set(tasks) & (self.read_tasks.get(split, set()) | {"results"})

    def _bare_captions(self, spec: FileSpec) -> bool:
        """Whether ``spec`` is a captions file holding a caption without ``category_id``.

        pycocotools' ``COCO()`` indexes every annotation's ``category_id`` when the file has ``categories``
        (``KeyError``): such a file lists none, as COCO 2017's captions files (and labelkit's reader reads
        them so), also when it was read with a list (its categories are listed in another file).
        """
        if spec.task != "captions":
            return False
        t = self._rows("transcripts", self._item_ids(spec.split or "default", spec.images))
        bare = pc.and_(
            t["category_id"].is_null(),
            pc.invert(pc.fill_null(pc.match_substring(t["extras"], '"coco:category_id"'), False)),
        )
        return bool(true_mask(bare).any())

    def _kinds(self, split: str) -> set[str]:
        ids = self._item_ids(split)
        kinds = set()
        for kind, name in (("object", "objects"), ("label", "labels"), ("transcript", "transcripts")):
            t = self.ds.table(name)
            if t.num_rows and pc.any(pc.is_in(t["item_id"], value_set=ids)).as_py():
                kinds.add(kind)
        return kinds

    def _item_ids(self, split: str, only: list[int] | None = None) -> pa.Array:
        """The item ids of a split, or (``only``: a file that lists fewer images than its split) of those images."""
        rows = self.split_rows.get(split, [])
        if only is not None:
            wanted = set(only)
            rows = [i for i in rows if int(self.image_ids[i]) in wanted]
        return self.items["id"].take(pa.array(rows, pa.int64())).combine_chunks()

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

    def _rows(self, name: str, ids: pa.Array) -> pa.Table:
        t = self.ds.table(name)
        if len(ids) == self.items.num_rows:  # one split holds every item: nothing to filter
            return t
        return t.filter(pc.is_in(t["item_id"], value_set=ids))

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
        again = Renumbered()
        if task and task != own_file:  # (apart from the file's other annotations: see coco_homes)
            numbers, has, _ = own_numbers(t["id"])
            all_ids, again = apart(all_ids, self.file_ids, has & (all_ids == numbers))
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
        )


_TASKS = ("instances", "person_keypoints", "captions", "labels", "image_info", "stuff", "results")
_ALL_KEYS = ("info", "licenses", "images", "annotations", "categories")
"""The top-level keys of a file written anew (not one read: those keep the keys they were read with)."""
_RESULTS_TAG = f'"{STUFF_TAG}":"results"'
"""The extras member of a detection read from a results file (:func:`coco_join.tag_stuff`)."""
_KEYPOINTS_TAG = f'"{STUFF_TAG}":"person_keypoints"'
"""The extras member of an object read from a keypoints file (:func:`coco_join.tag_stuff`)."""
_TAGGED = f'"{STUFF_TAG}":'
"""The start of any such member: an object read from a file of a kind of its own (stuff, keypoints, results)."""


def _int_set(value: Any) -> frozenset[int]:
    """A file list entry's list of ids as a set (what is no list of integers: none)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool))
