"""Which files a COCO write makes: those the dataset was read from, then one set per other split (the plan).

The planning half of :class:`labelkit.formats.coco_write.Writer`, which holds the state it reads and sets;
what each file holds is the writer's.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.base import empty_splits_read, splits_named_again
from labelkit.formats.coco_homes import (
    ORIGINS,
    FileSpec,
    file_homes,
    files_read,
    label_homes,
    object_files,
    posed_any,
    posed_rows,
)
from labelkit.formats.coco_names import split_file_ok
from labelkit.formats.coco_text import EMPTY_SPLITS, STUFF_TAG
from labelkit.model import Dataset
from labelkit.model.records import DatasetInfo
from labelkit.model.tables import contains_match, true_mask, valid_mask
from labelkit.report import Report

_TASKS = ("instances", "person_keypoints", "captions", "labels", "image_info", "stuff", "results")
_ALL_KEYS = ("info", "licenses", "images", "annotations", "categories")
"""The top-level keys of a file written anew (not one read: those keep the keys they were read with)."""
_RESULTS_TAG = f'"{STUFF_TAG}":"results"'
"""The extras member of a detection read from a results file (:func:`coco_join.tag_stuff`)."""
_TAGGED = f'"{STUFF_TAG}":'
"""The start of any such member: an object read from a file of a kind of its own (stuff, keypoints, results)."""


class FilePlan:
    """The file plan of a COCO write: :meth:`plan`, and the lookups it shares with the writer."""

    ds: Dataset
    report: Report
    items: pa.Table
    image_ids: np.ndarray
    item_split: list[str]
    split_rows: dict[str, list[int]]
    info: DatasetInfo
    info_extras: dict[str, Any]
    _row_of: dict[str, int] | None
    tasks_by_split: dict[str, set[str]]
    read_tasks: dict[str, set[str]]
    category_home: FileSpec | None
    unlisted: set[int]
    listed_categories: set[int]

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
        missing = {c.id for c in self.ds.categories} - self._listed(specs, bare)
        if not listed and candidates and not unlisting and missing:
            # the file list's keys (edited) leave categories out of every file that would list them: the first
            # lists them (they were in no file, and validate refused their ids)
            candidates[0].keys = [*candidates[0].keys, "categories"]
            listed = candidates[:1]
        own_lists = any(s.task in ("person_keypoints", "image_info") and "categories" in s.keys for s in specs)
        if (unlisting or (missing and own_lists)) and not listed and all(s.categories is not None for s in specs):
            # the others are keypoints or image info files, which list their own: an instances file of the
            # first split lists what only the captions files listed, and categories none of them lists (it is the
            # home of unlisted categories: one only a file no longer written listed, or one added since, was in no
            # file, unsaid)
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
        taken = {s.name for s in specs if s.task != "results"}
        for spec in specs:  # (a results file read as cocoapi names them, instances_x_y_results.json, whose name a
            # split x_y_results's instances file now has: written as results_x.json, which reads back the same;
            # one of the two was left out, unsaid)
            if spec.task == "results" and spec.file_name is not None and spec.name in taken:
                spec.file_name = None
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

    def _rows(self, name: str, ids: pa.Array) -> pa.Table:
        t = self.ds.table(name)
        if len(ids) == self.items.num_rows:  # one split holds every item: nothing to filter
            return t
        return t.filter(pc.is_in(t["item_id"], value_set=ids))


def _int_set(value: Any) -> frozenset[int]:
    """A file list entry's list of ids as a set (what is no list of integers: none)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool))
